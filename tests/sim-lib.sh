# SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
# tests/sim-lib.sh - shared by the shell tests (sourced, POSIX sh).
#
# Sets top_srcdir (absolute; default: the directory above this file) and
# SIM, the absolute path of reuseport-sim: $SIM, else the first of
# $top_builddir/reuseport-sim, ./reuseport-sim and ../reuseport-sim that
# exists.  Exits 77 (skip) with the reason when there is none.
sim_lib_here=$(cd "$(dirname "$0")" && pwd)
top_srcdir=${top_srcdir:-$sim_lib_here/..}
top_srcdir=$(cd "$top_srcdir" && pwd) || exit 1

if test -z "${SIM:-}"; then
	for cand in "${top_builddir:-.}/reuseport-sim" ./reuseport-sim \
	    ../reuseport-sim; do
		if test -x "$cand"; then
			SIM=$cand
			break
		fi
	done
fi
if test -z "${SIM:-}" || ! test -x "$SIM"; then
	echo "SKIP: $(basename "$0"): reuseport-sim not found (set SIM)" >&2
	exit 77
fi
case $SIM in
/*) ;;
*) SIM=$(pwd)/$SIM ;;
esac

# TAP test points for a script that counts its own: tap_begin NAME makes
# $tmp, a fresh directory removed on exit, and zeroes failed and n; ok
# LABEL and not_ok LABEL print the next test point (not_ok sets failed=1).
tap_begin() {
	tmp=$(mktemp -d "${TMPDIR:-/tmp}/$1.XXXXXX") || exit 1
	trap 'rm -rf "$tmp"' EXIT INT TERM
	failed=0
	n=0
}

ok() {
	n=$((n + 1))
	echo "ok $n - $1"
}

not_ok() {
	n=$((n + 1))
	echo "not ok $n - $1"
	failed=1
}
