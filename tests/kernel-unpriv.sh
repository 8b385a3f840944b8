#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
# tests/kernel-unpriv.sh - without privileges the kernel backend says
# exactly why and its scenarios are skipped, not failed.
#
# As root, runs reuseport-sim as nobody (setpriv) and as root without
# CAP_SYS_ADMIN and CAP_BPF (bounding set): `run --backend kernel` and
# `diff` must exit 0 with every scenario SKIPped with the reason, and
# check_kernel must skip (TAP "1..0 # SKIP").  Exit 77 when not root or
# without setpriv.
set -u
. "$(dirname "$0")/kernel-lib.sh"
kernel_needs_root
if ! command -v setpriv >/dev/null 2>&1; then
	echo "SKIP: setpriv (util-linux) not found"
	exit 77
fi

status=0
scn=$top_srcdir/scenarios/smoke/select.scn
nobody="setpriv --reuid=65534 --regid=65534 --clear-groups"
nocaps="setpriv --inh-caps=-sys_admin,-bpf --bounding-set=-sys_admin,-bpf"

# expect NAME WANT COMMAND...: exit 0, and WANT in the output
expect() {
	name=$1 want=$2
	shift 2
	out=$("$@" 2>&1)
	rc=$?
	if test "$rc" -eq 0 && printf '%s\n' "$out" | grep -qF -- "$want"; then
		echo "PASS $name"
	else
		echo "FAIL $name (exit $rc), want '$want' in:"
		printf '%s\n' "$out" | sed 's/^/    /'
		status=1
	fi
}

# nobody must be able to reach the build and source trees: a build below
# a private directory (mktemp -d is mode 0700) cannot be run as nobody
# at all, so those cases are skipped there, saying why
if $nobody "$SIM" --version >/dev/null 2>&1 && $nobody test -r "$scn"; then
	as_nobody=yes
else
	as_nobody=no
	echo "SKIP the runs as nobody: nobody cannot run $SIM or read $scn" \
	    "(a directory on the way is private)"
fi

if test "$as_nobody" = yes; then
	expect "run as nobody" \
	    "SKIP $scn [6.18] (kernel backend needs CAP_SYS_ADMIN and CAP_BPF (run as root): not root)" \
	    $nobody "$SIM" run --backend kernel --profile 6.18 "$scn"
	expect "diff as nobody" \
	    "0 passed, 0 failed, 1 skipped" \
	    $nobody "$SIM" diff --profile 6.18 "$scn"
fi
expect "run without CAP_SYS_ADMIN and CAP_BPF" \
    "(kernel backend needs CAP_SYS_ADMIN and CAP_BPF (run as root): " \
    $nocaps "$SIM" run --backend kernel --profile 6.18 "$scn"
if test "$as_nobody" = yes && test -x "${top_builddir:-.}/tests/check_kernel"; then
	expect "check_kernel as nobody" "1..0 # SKIP kernel backend needs" \
	    env CK_TAP_LOG_FILE_NAME=- $nobody \
	    "${top_builddir:-.}/tests/check_kernel"
fi
exit "$status"
