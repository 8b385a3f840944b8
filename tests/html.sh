#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
# tests/html.sh - the page of `reuseport-sim explain --html` in headless
# Chromium: stepping with the keyboard and by clicking a line shows the
# right line and the picture of that step.
#
#   SIM=/path/to/reuseport-sim top_srcdir=/path/to/src sh tests/html.sh
#
# The page has a self-test hook: "#test=ACTIONS" in the URL makes its own
# script perform ACTIONS (key names, click:N) through the same handlers a
# person uses, then append <pre id="selftest">step=N line=FILE:L frame=fN
# title=stepN hidden=H scrolly=Y</pre> (Y: how far the page itself
# scrolled; stepping must scroll only the listing).  Chromium runs the page offline
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
	    "file://$page#test=$1" 2>"$tmp/chromium.err"
}

# check ACTIONS STEP LINE: after ACTIONS, step STEP (its source line
# LINE of handover.scn) is highlighted and its picture is the only one shown
check() {
	actions=$1 step=$2 line=$3
	run "$actions" > "$tmp/dom"
	got=$(sed -n 's/.*<pre id="selftest">\([^<]*\)<\/pre>.*/\1/p' "$tmp/dom")
	want="step=$step line=handover.scn:$line frame=f$step title=step$step hidden=$((nframes - 1)) scrolly=0"
	cur=$(grep -o '<li class="src step cur"[^>]*>' "$tmp/dom")
	if test "$got" != "$want"; then
		echo "FAIL #test=$actions: shows '$got', expected '$want'"
		tail -5 "$tmp/chromium.err"
		status=1
	elif ! printf '%s\n' "$cur" | grep -q "data-step=\"$step\""; then
		echo "FAIL #test=$actions: highlighted line is '$cur'"
		status=1
	else
		echo "PASS #test=$actions: $got"
	fi
}

# the first step on load; keys forward and back; a click; Home and End
check "" 1 6
check "ArrowDown,ArrowDown,j,ArrowRight" 5 11
check "ArrowDown,ArrowDown,ArrowDown,ArrowUp,k" 2 7
check "click:20" 20 29
check "click:20,ArrowDown" 21 30
check "End" "$nframes" 40
check "End,Home,n" 2 7
check "ArrowUp,ArrowUp" 1 6

exit "$status"
