#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
# tests/scenarios.sh - run the scenario corpus and compare the golden traces.
#
#   SIM=/path/to/reuseport-sim top_srcdir=/path/to/src sh tests/scenarios.sh
#
# 1. $SIM run --format tap on $top_srcdir/scenarios: every scenario under
#    every profile it declares must pass, with the invariants checked
#    incrementally after each step (--check=step, the default); and the
#    corpus once more with the whole state checked after every step
#    (--check=full): the two outputs must be the same, line for line.
# 2. For each scenarios/golden/NAME.scn, the output of
#    $SIM run --trace golden/NAME.scn (run from scenarios/) must equal
#    golden/NAME.trace; differences are shown with diff -u.  To accept a
#    new trace after an intended change:
#      cd scenarios && reuseport-sim run --trace golden/NAME.scn > golden/NAME.trace
#
# SIM defaults to reuseport-sim in $top_builddir, ., or .. (the build
# directory); top_srcdir to the directory above this script.  Exits 1 when
# anything failed, 77 (skip) when reuseport-sim cannot be found.
set -u

. "$(dirname "$0")/sim-lib.sh"
# absolute, since the golden step changes directory
case $SIM in
/*) ;;
*) SIM=$(pwd)/$SIM ;;
esac

status=0

tmp=$(mktemp -d "${TMPDIR:-/tmp}/scenarios.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM

echo "=== $SIM run --format tap $top_srcdir/scenarios"
"$SIM" run --format tap "$top_srcdir/scenarios" >"$tmp/step.tap"
rc=$?
cat "$tmp/step.tap"
if test "$rc" -ne 0; then
	echo "scenarios.sh: FAIL: the corpus (exit status $rc)"
	status=1
fi

echo "=== $SIM run --check=full --format tap $top_srcdir/scenarios"
"$SIM" run --check=full --format tap "$top_srcdir/scenarios" >"$tmp/full.tap"
rc_full=$?
if test "$rc_full" -ne "$rc" || ! diff -u "$tmp/step.tap" "$tmp/full.tap"; then
	echo "scenarios.sh: FAIL: --check=full (exit status $rc_full) and" \
	    "--check=step (exit status $rc) disagree on the corpus"
	status=1
else
	echo "PASS the corpus reads the same under --check=full"
fi

echo "=== golden traces"
ngolden=0
cd "$top_srcdir/scenarios" || exit 1
for scn in golden/*.scn; do
	test -f "$scn" || continue
	trace=${scn%.scn}.trace
	ngolden=$((ngolden + 1))
	if ! test -f "$trace"; then
		echo "FAIL $scn: no golden trace $trace"
		status=1
		continue
	fi
	out=$("$SIM" run --trace "$scn" 2>&1)
	if printf '%s\n' "$out" | diff -u "$trace" - >/dev/null; then
		echo "PASS $scn"
	else
		echo "FAIL $scn: the trace differs from $trace:"
		printf '%s\n' "$out" | diff -u "$trace" -
		status=1
	fi
done
if test "$ngolden" -eq 0; then
	echo "scenarios.sh: FAIL: no golden scenarios under scenarios/golden"
	status=1
fi

exit "$status"
