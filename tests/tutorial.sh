#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
# tests/tutorial.sh - the pictures of docs/tutorial.md are what the
# scenarios under scenarios/tutorial/ give today.
#
#   SIM=/path/to/reuseport-sim top_srcdir=/path/to/src sh tests/tutorial.sh
#   SIM=... sh tests/tutorial.sh --update      (what `make tutorial` runs)
#
# For every line "SCENARIO PROFILE STEPS" of docs/tutorial/pictures.list it
# runs `reuseport-sim explain --no-text --profile PROFILE --steps STEPS
# --dot --svg` on scenarios/tutorial/SCENARIO.scn into a scratch directory
# and compares with docs/tutorial/:
#
# - the DOT files must be identical and the same set (the DOT text is the
#   picture's source and does not depend on Graphviz);
# - the SVG files must be identical too when Graphviz's `dot -V` is the
#   one recorded in docs/tutorial/graphviz-version (SVG coordinates come
#   from Graphviz's layout and fonts); with another version they are only
#   checked to exist, and a note says so;
# - every picture docs/tutorial.md shows exists, and every SVG there is
#   shown by docs/tutorial.md;
# - every narration line docs/tutorial.md quotes (indented lines starting
#   "step", "result:", "kernel:", "locks taken", "changes:", "R-", "models:",
#   "after", "held", "why:") is in the
#   output of `reuseport-sim explain` of the tutorial scenarios.
#
# With --update it writes the pictures and graphviz-version instead.
# Exits 1 when anything differs, 77 when reuseport-sim or dot is missing.
set -u

update=no
test "${1:-}" = --update && update=yes
. "$(dirname "$0")/sim-lib.sh"
if ! command -v dot >/dev/null 2>&1; then
	echo "tutorial.sh: Graphviz's dot is not installed" >&2
	exit 77
fi

pics=$top_srcdir/docs/tutorial
list=$pics/pictures.list
doc=$top_srcdir/docs/tutorial.md
tmp=$(mktemp -d "${TMPDIR:-/tmp}/tutorial-test.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM
status=0

cd "$top_srcdir/scenarios" || exit 1
grep -v '^#' "$list" | while read -r scn prof steps; do
	test -n "$scn" || continue
	"$SIM" explain --no-text --profile "$prof" --steps "$steps" \
	    --dot "$tmp/new" --svg "$tmp/new" "tutorial/$scn.scn" ||
	    echo "explain tutorial/$scn.scn failed" >> "$tmp/errors"
	"$SIM" explain --profile "$prof" "tutorial/$scn.scn" \
	    >> "$tmp/narration" 2>&1
done
if test -s "$tmp/errors"; then
	cat "$tmp/errors"
	exit 1
fi
version=$(dot -V 2>&1)

if test "$update" = yes; then
	rm -f "$pics"/*.dot "$pics"/*.svg
	cp "$tmp"/new/*.dot "$tmp"/new/*.svg "$pics"/
	printf '%s\n' "$version" > "$pics/graphviz-version"
	echo "tutorial.sh: wrote $(ls "$tmp"/new | wc -l) files to $pics"
	exit 0
fi

echo "=== DOT sources"
mkdir -p "$tmp/old-dot" "$tmp/new-dot"
cp "$pics"/*.dot "$tmp/old-dot/" 2>/dev/null
cp "$tmp"/new/*.dot "$tmp/new-dot/"
if diff -ru "$tmp/old-dot" "$tmp/new-dot"; then
	echo "PASS $(ls "$tmp/new-dot" | wc -l) DOT files as committed"
else
	echo "FAIL the DOT files differ from docs/tutorial (make tutorial)"
	status=1
fi

echo "=== SVG pictures"
for f in "$tmp"/new/*.svg; do
	b=$(basename "$f")
	if ! test -f "$pics/$b"; then
		echo "FAIL docs/tutorial/$b is missing (make tutorial)"
		status=1
	fi
done
if test "$version" = "$(cat "$pics/graphviz-version" 2>/dev/null)"; then
	mkdir -p "$tmp/old-svg" "$tmp/new-svg"
	cp "$pics"/*.svg "$tmp/old-svg/" 2>/dev/null
	cp "$tmp"/new/*.svg "$tmp/new-svg/"
	if diff -ru "$tmp/old-svg" "$tmp/new-svg" > "$tmp/svgdiff"; then
		echo "PASS $(ls "$tmp/new-svg" | wc -l) SVG files as committed"
	else
		head -50 "$tmp/svgdiff"
		echo "FAIL the SVG files differ from docs/tutorial (make tutorial)"
		status=1
	fi
else
	echo "NOTE $version is not the recorded" \
	    "$(cat "$pics/graphviz-version" 2>/dev/null): SVG layout not compared"
fi

echo "=== docs/tutorial.md"
grep -o 'tutorial/[A-Za-z0-9._-]*\.svg' "$doc" | sort -u > "$tmp/shown"
while read -r p; do
	if ! test -f "$top_srcdir/docs/$p"; then
		echo "FAIL docs/tutorial.md shows $p, which does not exist"
		status=1
	fi
done < "$tmp/shown"
for f in "$pics"/*.svg; do
	p=tutorial/$(basename "$f")
	if ! grep -qx "$p" "$tmp/shown"; then
		echo "FAIL $p is not shown by docs/tutorial.md"
		status=1
	fi
done
test "$status" -eq 0 && echo "PASS every picture is there and shown"

grep -E '^ *(step [0-9]+,|result:|kernel:|locks taken|changes:|R-[A-Z]+-[0-9A-Za-z]+ |models:|after |held |why:)' \
    "$doc" > "$tmp/quoted"
nq=0
while IFS= read -r l; do
	nq=$((nq + 1))
	if ! grep -qF -- "$l" "$tmp/narration"; then
		echo "FAIL docs/tutorial.md quotes a narration line explain does" \
		    "not print: $l"
		status=1
	fi
done < "$tmp/quoted"
echo "checked $nq quoted narration lines"
exit "$status"
