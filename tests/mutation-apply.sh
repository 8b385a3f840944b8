#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
# tests/mutation-apply.sh - every mutant of tests/mutation/mutants still
# applies to model/ as it is now, and carries the header run.sh reads
# (mutant, operator, suite).  A change of model/ that moves the lines a
# mutant patches makes it "stale": make mutation would neither kill nor
# count it, so the mutation score would quietly shrink.  This test makes
# the change that staled it refresh it (docs/testing.md says how).
set -u

srcdir=${srcdir:-.}
dir=$srcdir/tests/mutation/mutants
command -v patch >/dev/null 2>&1 || {
	echo "SKIP: patch(1) is not installed"
	exit 77
}
work=$(mktemp -d "${TMPDIR:-/tmp}/mutation-apply.XXXXXX") || exit 99
trap 'rm -rf "$work"' EXIT INT TERM
# patch --dry-run still wants to read the files: give it model/ only.
cp -R "$srcdir/model" "$work/model" || exit 99

fail=0 n=0
for p in "$dir"/*.patch; do
	test -f "$p" || continue
	n=$((n + 1))
	name=${p##*/}
	for field in mutant operator suite; do
		grep -q "^# $field: ." "$p" ||
		    { echo "FAIL: $name: no '# $field:' line"; fail=1; }
	done
	if grep -E '^(---|\+\+\+) ' "$p" | grep -qv -E '^(--- a|\+\+\+ b)/model/'; then
		echo "FAIL: $name: patches a file outside model/"
		fail=1
	fi
	if ! (cd "$work" && patch -p1 --dry-run -s -f) <"$p" >"$work/out" 2>&1; then
		echo "FAIL: $name: stale (no longer applies to model/):"
		sed 's/^/    /' "$work/out"
		fail=1
	fi
done
test "$n" -ge 150 || { echo "FAIL: only $n mutants (at least 150)"; fail=1; }
test "$fail" -eq 0 && echo "PASS: $n mutants apply to model/"
exit "$fail"
