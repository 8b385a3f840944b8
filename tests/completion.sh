#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
# tests/completion.sh - the bash completion of reuseport-sim
# (completion/reuseport-sim): sourced into bash, its function completes
# commands, options, option values (formats, profiles, planted bugs) and
# file names as bash would call it.
#
#   SIM=/path/to/reuseport-sim top_srcdir=/path/to/src sh tests/completion.sh
#
# Exits 1 when a completion is wrong, 77 (skip) when bash or reuseport-sim
# is missing.
set -u

. "$(dirname "$0")/sim-lib.sh"
if ! command -v bash >/dev/null 2>&1; then
	echo "completion.sh: SKIP: bash is not installed" >&2
	exit 77
fi
cd "$top_srcdir" || exit 1
SIM=$SIM bash -s "$top_srcdir/completion/reuseport-sim" <<'BASH'
. "$1" || exit 1
status=0
# expect "WORDS BEFORE THE CURSOR" "CURRENT WORD" "WANTED ..."
expect() {
	local line=$1 cur=$2 got
	shift 2
	read -r -a COMP_WORDS <<<"$SIM $line"
	COMP_WORDS+=("$cur")
	COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
	_reuseport_sim
	got="${COMPREPLY[*]}"
	if [[ $got == "$*" ]]; then
		echo "ok - '$line $cur' -> $got"
	else
		echo "not ok - '$line $cur': got '$got', want '$*'"
		status=1
	fi
}
expect "" "ru" run
expect "" "list-" list-verbs list-profiles
expect "" "--v" --version
expect "run" "--f" --format
expect "run" "--format=j" --format=json
expect "run --format" "" text tap json
expect "diff --profile" "a" auto
expect "run --profile" "4.1" 4.19
expect "explore --plant" "detach-" detach-slot-unlocked detach-foreign
expect "explore --format" "" text json
expect "explain" "--h" --html --help
expect "run" "scenarios/tut" scenarios/tutorial
expect "explain --dot" "scenarios/com" scenarios/common
expect "list-verbs" "" ""
expect "nosuch" "" ""
exit $status
BASH
