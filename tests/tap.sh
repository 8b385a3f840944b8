#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
# tests/tap.sh - the TAP of `run` and `diff` (--format tap) parses as TAP
# version 13 with `prove` (Perl's TAP::Harness), whatever happens: passing,
# failing and skipped scenarios, a trace, bad input (a Bail out! with
# file:line:col), a missing file, diff with an unused manifest entry.
#
#   SIM=/path/to/reuseport-sim top_srcdir=/path/to/src sh tests/tap.sh
#
# prove runs each output (--exec cat) on its own, since a Bail out! stops
# it; a parse error ("Parse errors:", a bad plan, a version line that is
# not the first) fails the test, a failing test point does not.
#
# Exits 1 when an output is not valid TAP, 77 (skip) when reuseport-sim or
# prove is missing.
set -u

. "$(dirname "$0")/sim-lib.sh"
if ! command -v prove >/dev/null 2>&1; then
	echo "tap.sh: SKIP: prove (perl) is not installed" >&2
	exit 77
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/tap-test.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM
sc=$top_srcdir/scenarios
data=$top_srcdir/tests/sim-data
status=0

# check NAME WANT_BAIL CMD...: CMD's stdout is TAP that prove parses;
# WANT_BAIL yes: it bails out at a file:line:col.
check() {
	name=$1
	bail=$2
	shift 2
	"$SIM" "$@" >"$tmp/$name.tap" 2>/dev/null
	prove --exec cat "$tmp/$name.tap" >"$tmp/$name.prove" 2>&1
	if grep -q 'Parse errors' "$tmp/$name.prove"; then
		echo "not ok - $name: prove found parse errors"
		sed 's/^/#   /' "$tmp/$name.prove" "$tmp/$name.tap"
		status=1
	elif ! head -n 1 "$tmp/$name.tap" | grep -qx 'TAP version 13'; then
		echo "not ok - $name: no version line first"
		status=1
	elif test "$bail" = yes &&
	    ! grep -Eq '^Bail out! .+:[0-9]+:[0-9]+: ' "$tmp/$name.tap"; then
		echo "not ok - $name: no Bail out! with file:line:col"
		sed 's/^/#   /' "$tmp/$name.tap"
		status=1
	elif test "$bail" = no && grep -q '^Bail out!' "$tmp/$name.tap"; then
		echo "not ok - $name: bails out"
		status=1
	else
		echo "ok - $name ($(grep -Ec '^(not )?ok ' "$tmp/$name.tap")" \
		    "test points)"
	fi
}

check run-pass no run --format tap "$sc/smoke"
check run-mixed no run --format tap --profile 4.19 "$data/fail" "$data/pass"
check run-trace no run --format tap --trace=all --profile 6.18 \
    "$sc/smoke/maps.scn"
check run-bad yes run --format tap "$data/bad" "$data/pass"
check run-bad-file yes run --format tap "$data/bad/broken.scn"
# a missing file has no line: the Bail out! names the file alone
"$SIM" run --format tap "$tmp/no-such.scn" >"$tmp/missing.tap" 2>/dev/null
if prove --exec cat "$tmp/missing.tap" 2>&1 | grep -q 'Parse errors' ||
    ! grep -q "^Bail out! $tmp/no-such.scn: no such file" "$tmp/missing.tap"
then
	echo "not ok - run-missing"
	sed 's/^/#   /' "$tmp/missing.tap"
	status=1
else
	echo "ok - run-missing"
fi

if "$SIM" run --backend kernel --help >/dev/null 2>&1; then
	printf '%s\n' "maps.scn:1 not a divergence, unused" \
	    >"$tmp/unused.manifest"
	check diff-unused no diff --format tap --profile 6.18 \
	    --manifest "$tmp/unused.manifest" "$sc/smoke/maps.scn"
	check diff-bad yes diff --format tap --profile 6.18 "$data/bad"
else
	echo "# diff: not built with the kernel backend, not checked"
fi

if test "$status" -ne 0; then
	echo "tap.sh: FAIL"
fi
exit "$status"
