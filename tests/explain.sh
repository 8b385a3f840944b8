#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
# tests/explain.sh - reuseport-sim explain: narrations, golden narrations,
# golden DOT pictures and the command line.
#
#   SIM=/path/to/reuseport-sim top_srcdir=/path/to/src sh tests/explain.sh
#
# 1. Every rule id the model can report (the "R-..." strings of
#    model/*.c) has a "why" narration: `$SIM explain --rules` lists it,
#    and every id listed there exists in docs/SPEC.md.
# 2. Golden narrations: for each tests/explain-data/NAME.txt, the output
#    of `$SIM explain --profile 4.19,6.18 tutorial/NAME.scn` (run from
#    scenarios/; the two ends of the profile table, which the tutorial
#    contrasts) must equal it.  And a counterexample `explore --save` writes
#    (a planted bug, race/update-same-socket.scn) is narrated step by step
#    like any scenario: tests/explain-data/saved/counterexample.txt.
#    The programs of programs/select.scn (object=) and select/cbpf-code.scn
#    (classic code=) under 6.18: tests/explain-data/programs/.
# 3. Golden pictures: for each tests/dot-data/NAME/ directory, the files
#    of `$SIM explain --profile 4.19,6.18 --no-text --dot DIR
#    tutorial/NAME.scn` must equal the files there, byte for byte, and be
#    the same set.
# 4. The command line: a bad option, a bad step list, a missing file and
#    a broken scenario exit 2; --svg without Graphviz's dot on PATH exits
#    2 with a message naming dot; a failing scenario exits 1 and is
#    narrated all the same.
#
# To accept new golden files after an intended change:
#   REGEN=1 SIM=... sh tests/explain.sh
# (or `make regen-golden` in the build directory), then review the diff.
#
# Exits 1 when anything failed, 77 when reuseport-sim cannot be found.
set -u

. "$(dirname "$0")/sim-lib.sh"

status=0
tmp=$(mktemp -d "${TMPDIR:-/tmp}/explain-test.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM

fail() {
	echo "FAIL $*"
	status=1
}

# --- 1. every reported rule has a narration ---------------------------------
echo "=== narrations"
grep -ho '"R-[A-Z]*-[0-9A-Za-z.-]*"' "$top_srcdir"/model/*.c | tr -d '"' |
    sort -u > "$tmp/emitted"
"$SIM" explain --rules > "$tmp/narrated" || fail "explain --rules failed"
if grep -q 'not in docs/SPEC.md' "$tmp/narrated"; then
	fail "narrations for ids docs/SPEC.md does not define:"
	grep 'not in docs/SPEC.md' "$tmp/narrated"
fi
sort -u "$tmp/narrated" > "$tmp/narrated.sorted"
# narrations still to come (tests/explain-pending.txt says why)
grep -v '^#' "$top_srcdir/tests/explain-pending.txt" | sort -u \
    > "$tmp/pending"
missing=$(comm -23 "$tmp/emitted" "$tmp/narrated.sorted" |
    comm -23 - "$tmp/pending")
if test -n "$missing"; then
	fail "rules the model reports without a narration in sim/tools/explain-why.c:"
	echo "$missing"
fi
stale=$(comm -12 "$tmp/pending" "$tmp/narrated.sorted";
    comm -13 "$tmp/emitted" "$tmp/pending")
if test -n "$stale"; then
	fail "tests/explain-pending.txt lists ids that are narrated or no" \
	    "longer reported:"
	echo "$stale"
fi
n=$(wc -l < "$tmp/emitted")
if test "$n" -lt 50; then
	fail "only $n rule ids found in model/*.c"
fi
echo "rules reported by the model: $n, all narrated unless listed above"

# --- 2. golden narrations -----------------------------------------------------
GOLDEN_PROFILES=4.19,6.18
echo "=== golden narrations"

# golden GOLD OUT WHAT: OUT must equal GOLD (REGEN=1: becomes it).
golden() {
	if test "${REGEN:-0}" = 1; then
		cp "$2" "$1"
		echo "REGEN $1"
	elif diff -u "$1" "$2" > "$tmp/diff"; then
		echo "PASS $3"
	else
		fail "$3 differs from $1:"
		cat "$tmp/diff"
	fi
}

cd "$top_srcdir/scenarios" || exit 1
ngold=0
for gold in "$top_srcdir"/tests/explain-data/*.txt; do
	test -f "$gold" || continue
	name=$(basename "$gold" .txt)
	ngold=$((ngold + 1))
	"$SIM" explain --profile "$GOLDEN_PROFILES" "tutorial/$name.scn" \
	    > "$tmp/$name.txt" 2>&1
	golden "$gold" "$tmp/$name.txt" "explain tutorial/$name.scn"
done
test "$ngold" -gt 0 || fail "no golden narrations in tests/explain-data"

# A saved counterexample follows its `schedule`; explain records that run
# with its own hooks, so it narrates and draws it like any other.
gold=$top_srcdir/tests/explain-data/saved/counterexample.txt
mkdir "$tmp/saved"
"$SIM" explore --quiet --profile 6.18 --plant update-no-recheck \
    --save "$tmp/saved/counterexample.scn" race/update-same-socket.scn \
    > "$tmp/explore.out" 2>&1
if test $? -ne 1 || ! test -s "$tmp/saved/counterexample.scn"; then
	fail "explore --plant update-no-recheck --save wrote no counterexample"
	cat "$tmp/explore.out"
else
	(cd "$tmp/saved" && "$SIM" explain counterexample.scn) \
	    > "$tmp/saved.txt" 2>&1
	golden "$gold" "$tmp/saved.txt" "explain of a saved counterexample"
	(cd "$tmp/saved" && "$SIM" explain --no-text --dot dot \
	    counterexample.scn)
	test "$(ls "$tmp/saved/dot" 2>/dev/null | wc -l)" -gt 10 ||
	    fail "explain --dot of a saved counterexample drew no steps"
fi

# Programs: the instructions a step's program took, its helper calls with
# r1-r5 and r0, the map slots it read, its verdict and the member chosen
# (sim/tools/explain-prog.c): a compiled object (object=) and classic
# instructions (code=), under 6.18.
for pair in programs/select.scn:select select/cbpf-code.scn:cbpf-code; do
	scn=${pair%%:*}
	name=${pair##*:}
	gold=$top_srcdir/tests/explain-data/programs/$name.txt
	"$SIM" explain --profile 6.18 "$scn" > "$tmp/prog-$name.txt" 2>&1
	if grep -q 'built without libbpf' "$tmp/prog-$name.txt"; then
		echo "SKIP explain $scn: object= needs libbpf"
		continue
	fi
	golden "$gold" "$tmp/prog-$name.txt" "explain $scn (its programs)"
done

# --- 3. golden DOT pictures ---------------------------------------------------
echo "=== golden pictures"
ndot=0
for dir in "$top_srcdir"/tests/dot-data/*/; do
	test -d "$dir" || continue
	name=$(basename "$dir")
	ndot=$((ndot + 1))
	out=$tmp/dot-$name
	if ! "$SIM" explain --profile "$GOLDEN_PROFILES" --no-text \
	    --dot "$out" "tutorial/$name.scn"; then
		fail "explain --dot tutorial/$name.scn"
		continue
	fi
	if test "${REGEN:-0}" = 1; then
		rm -f "$dir"/*.dot
		cp "$out"/*.dot "$dir"
		echo "REGEN $dir"
	elif diff -ru "$dir" "$out" > "$tmp/diff"; then
		echo "PASS explain --dot tutorial/$name.scn ($(ls "$out" | wc -l) pictures)"
	else
		fail "explain --dot tutorial/$name.scn differs from $dir:"
		cat "$tmp/diff"
	fi
done
test "$ndot" -gt 0 || fail "no golden pictures in tests/dot-data"

# --- 4. the command line ------------------------------------------------------
echo "=== command line"
expect_exit() {
	want=$1
	shift
	"$@" > "$tmp/out" 2> "$tmp/err"
	got=$?
	if test "$got" -ne "$want"; then
		fail "$* exited $got, expected $want"
		cat "$tmp/out" "$tmp/err"
		return 1
	fi
	echo "PASS exit $want: $*"
	return 0
}
expect_exit 2 "$SIM" explain --bogus tutorial/ebusy.scn
expect_exit 2 "$SIM" explain --steps 3-1 tutorial/ebusy.scn
expect_exit 2 "$SIM" explain --profile 9.99 tutorial/ebusy.scn
expect_exit 2 "$SIM" explain "$tmp/no-such.scn"
printf 'profile 6.18\nsocket a tcp9\n' > "$tmp/broken.scn"
if expect_exit 2 "$SIM" explain "$tmp/broken.scn" &&
    ! grep -q 'broken.scn:2:' "$tmp/err"; then
	fail "a broken scenario is not reported at file:line:col"
	cat "$tmp/err"
fi
if expect_exit 2 env PATH=/nonexistent "$SIM" explain --svg "$tmp/svg" \
    tutorial/ebusy.scn && ! grep -q "dot" "$tmp/err"; then
	fail "--svg without dot does not say what is missing"
	cat "$tmp/err"
fi
expect_exit 2 env PATH=/nonexistent "$SIM" explain --html "$tmp/html" \
    tutorial/ebusy.scn
printf '# a failing step\nprofile 6.18\nmap m sockarray value=8 entries=2\nlookup m 0 = 0\nlookup m 1 = -ENOENT\n' \
    > "$tmp/fails.scn"
if expect_exit 1 "$SIM" explain "$tmp/fails.scn"; then
	grep -q 'NOT as expected' "$tmp/out" ||
	    fail "a failing step is not marked NOT as expected"
	grep -q 'step 3, line 5' "$tmp/out" ||
	    fail "the steps after a failure are not narrated"
fi
expect_exit 0 "$SIM" explain --steps 10 tutorial/ebusy.scn
if ! grep -q 'why: socket b already owns map m slot 3' "$tmp/out"; then
	fail "the EBUSY narration does not name the slot b owns"
fi
if grep -q '^step 9,' "$tmp/out"; then
	fail "--steps 10 narrated step 9"
fi

exit "$status"
