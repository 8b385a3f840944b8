#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
# test.sh - build reuseport-model if needed and run its test suite.
#
#   ./test.sh
#
# Calls ./setup.sh --build-only --tests (missing packages, the tests'
# included, qemu and what booting other kernels needs among them;
# autogen, configure and build in _build/default; no main job), runs make
# check there, then prints
# the Check summary line of every tests/*.log ("100%: Checks: N, Failures:
# 0, Errors: 0") and automake's summary. Exits non-zero when the build or
# any test fails.
set -u

BUILD_DIR=_build/default

cd "$(dirname "$0")" || exit 1

./setup.sh --build-only --tests || exit 1

status=0
make -C "$BUILD_DIR" -j2 check || status=$?

echo
echo "Check summaries:"
found=no
for log in "$BUILD_DIR"/tests/*.log; do
	test -f "$log" || continue
	line=$(grep -E '^[0-9]+%: Checks: [0-9]+, Failures: [0-9]+, Errors: [0-9]+' \
	    "$log" | tail -n 1)
	if test -n "$line"; then
		printf '  %s: %s\n' "tests/${log##*/}" "$line"
		found=yes
	fi
done
test "$found" = yes || echo "  (none found)"

echo
if test -f "$BUILD_DIR/test-suite.log"; then
	echo "Automake summary ($BUILD_DIR/test-suite.log):"
	sed -n '/^# TOTAL:/,/^# ERROR:/p' "$BUILD_DIR/test-suite.log"
else
	echo "No $BUILD_DIR/test-suite.log: the test suite did not complete."
	test "$status" -ne 0 || status=1
fi

if test "$status" -ne 0; then
	echo "test.sh: FAILED (make check exit status $status)" >&2
fi
exit "$status"
