#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
# tests/html.sh - the page of `reuseport-sim explain --html` in headless
# Chromium: it opens on the first step that draws something, or on the
# step #step=N names; stepping with the keyboard and by clicking a line
# shows the right line and the picture of that step, and the address
# follows (#step=N); an arrow from an outer map's slot to its inner map
# ends at the inner map's head, not at one of its slot rows.
#
#   SIM=/path/to/reuseport-sim top_srcdir=/path/to/src sh tests/html.sh
#
# The page has a self-test hook: "test=ACTIONS" in the URL's fragment
# ("#test=..." or "#step=N&test=...") makes its own script perform
# ACTIONS (key names, click:N) through the same handlers a person uses,
# then append <pre id="selftest">step=N line=FILE:L frame=fN title=stepN
# hidden=H scrolly=Y hash=#step=N arrow=A</pre> (Y: how far the page
# itself scrolled, stepping must scroll only the listing; A: where the
# outer-to-inner arrows of the picture shown end, head, row or none).  Chromium runs the page offline
# (--dump-dom, no network, a scratch profile) and this script reads that
# line and the highlighted line from the DOM.  It also checks that the
# page loads nothing from elsewhere.
#
# Exits 1 when anything is wrong, 77 (skip) when reuseport-sim, Graphviz's
# dot or chromium is missing.
set -u

. "$(dirname "$0")/sim-lib.sh"
CHROMIUM=${CHROMIUM:-}
if test -z "$CHROMIUM"; then
	for c in chromium chromium-browser; do
		if command -v "$c" >/dev/null 2>&1; then
			CHROMIUM=$c
			break
		fi
	done
fi
if test -z "$CHROMIUM"; then
	echo "html.sh: chromium is not installed: skipped" >&2
	exit 77
fi
if ! command -v dot >/dev/null 2>&1; then
	echo "html.sh: Graphviz's dot is not installed: skipped" >&2
	exit 77
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/html-test.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM
status=0

cd "$top_srcdir/scenarios" || exit 1
if ! "$SIM" explain --no-text --profile 6.18 --html "$tmp" \
    tutorial/handover.scn; then
	echo "FAIL explain --html"
	exit 1
fi
page=$tmp/handover-6.18.html
if ! test -s "$page"; then
	echo "FAIL no page written"
	exit 1
fi

# self-contained: no scripts, styles, fonts or images from elsewhere
# (the xmlns of the inline SVG are names, not downloads)
if grep -Eiq '<script[^>]+src=|<link[ >]|@import|url\(|<img|<iframe|xlink:href="http|href="http' \
    "$page"; then
	echo "FAIL the page refers to something outside itself:"
	grep -Eio '<script[^>]+src=[^>]*|<link[^>]*|@import[^;]*|url\([^)]*\)|<img[^>]*|<iframe[^>]*|xlink:href="http[^"]*"|href="http[^"]*"' \
	    "$page" | head -5
	status=1
else
	echo "PASS the page is self-contained"
fi
nframes=$(grep -c '<div class="frame"' "$page")
nsvg=$(grep -c '<svg ' "$page")
if test "$nframes" -lt 20 || test "$nframes" -ne "$nsvg"; then
	echo "FAIL $nframes frames, $nsvg pictures"
	status=1
fi

# run ACTIONS, print the selftest line and the highlighted <li>
run() {
	timeout 120 "$CHROMIUM" --headless --no-sandbox --disable-gpu \
	    --disable-quic --no-first-run --disable-background-networking \
	    --disable-component-update --disable-sync --disable-extensions \
	    --user-data-dir="$tmp/profile" --dump-dom \
	    "file://$page#$1" 2>"$tmp/chromium.err"
}

# check FRAGMENT STEP LINE ARROW: after opening the page at #FRAGMENT (and
# its test=ACTIONS), step STEP (its source line LINE of handover.scn) is
# highlighted, its picture is the only one shown, the address says
# #step=STEP, and the outer-to-inner arrows of the picture end as ARROW
check() {
	actions=$1 step=$2 line=$3 arrow=$4
	run "$actions" > "$tmp/dom"
	got=$(sed -n 's/.*<pre id="selftest">\([^<]*\)<\/pre>.*/\1/p' "$tmp/dom")
	want="step=$step line=handover.scn:$line frame=f$step title=step$step hidden=$((nframes - 1)) scrolly=0 hash=#step=$step arrow=$arrow insn=none"
	cur=$(grep -o '<li class="src step cur"[^>]*>' "$tmp/dom")
	if test "$got" != "$want"; then
		echo "FAIL #$actions: shows '$got', expected '$want'"
		tail -5 "$tmp/chromium.err"
		status=1
	elif ! printf '%s\n' "$cur" | grep -q "data-step=\"$step\""; then
		echo "FAIL #$actions: highlighted line is '$cur'"
		status=1
	else
		echo "PASS #$actions: $got"
	fi
}

# on load: the first step that draws something (steps 1 and 2, the two
# `proc` lines, draw nothing); keys forward and back; a click; Home and
# End; #step=N opens step N; the arrows of the outer map, once it holds
# an inner map, end at the inner map's head
check "test=" 3 9 none
check "test=ArrowDown,ArrowDown,j,ArrowRight" 7 13 none
check "test=ArrowDown,ArrowDown,ArrowDown,ArrowUp,k" 4 10 none
check "test=click:20" 20 29 head
check "test=click:20,ArrowDown" 21 30 head
check "test=End" "$nframes" 40 head
check "test=End,Home,n" 2 7 none
check "test=ArrowUp,ArrowUp" 1 6 none
check "step=12&test=" 12 18 head
check "step=20&test=ArrowDown,ArrowDown" 22 32 head
check "step=999&test=" 3 9 none

# The instructions a program executed, stepped with ] and [ (classic
# programs written as code=: step 8 takes 0, 1, 4; step 9 takes 0-3).
if ! "$SIM" explain --no-text --profile 6.18 --html "$tmp" \
    select/cbpf-code.scn; then
	echo "FAIL explain --html select/cbpf-code.scn"
	exit 1
fi
page=$tmp/cbpf-code-6.18.html
if grep -q '<li data-run="1" data-pc="1"><span class="pc">1</span>jeq #7, L4, L2</li>' \
    "$page"; then
	echo "PASS the page lists the instructions executed"
else
	echo "FAIL the page does not list instruction 1 of step 8 as expected"
	status=1
fi
# insn FRAGMENT PC: after #FRAGMENT, the highlighted instruction is PC
insn() {
	run "$1" > "$tmp/dom"
	got=$(sed -n 's/.*<pre id="selftest">[^<]* insn=\([^ <]*\)<\/pre>.*/\1/p' \
	    "$tmp/dom")
	if test "$got" = "$2"; then
		echo "PASS #$1: instruction $got"
	else
		echo "FAIL #$1: instruction '$got', expected $2"
		status=1
	fi
}
insn "step=8&test=%5D,%5D,%5D" 4
insn "step=8&test=%5D,%5D,%5D,%5D,%5D" 4
insn "step=9&test=%5D,%5D,%5D,%5D,%5B" 2
insn "step=8&test=%5D,%5B,%5B" 0
insn "step=7&test=%5D" none

exit "$status"
