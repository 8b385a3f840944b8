#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
# tests/vm-boot.sh - sim/vm/reuseport-vm boots a real kernel and brings a
# command's stdout, stderr and exit status back unchanged.
#
# The kernel is $REUSEPORT_VM_TEST_KERNEL (default 6.1: Debian 12's),
# downloaded once into the cache when it is not there yet.  In one boot:
# the release inside is the one fetch printed; lo is the only network
# device; RLIMIT_NOFILE is raised and RLIMIT_MEMLOCK is --memlock's (64
# KiB) and --env sets the environment; reuseport-sim (the libtool build, with
# its shared libraries) runs a scenario on the model and on the guest's
# kernel; 64 KiB of binary data come back byte for byte on stdout and on
# stderr; the exit status is 3.  A second boot checks the command time
# limit (exit 70, one line).  Skips (77) without qemu, busybox or cpio,
# or when the kernel cannot be downloaded (no network).
set -u
. "$(dirname "$0")/sim-lib.sh"
VM=$top_srcdir/sim/vm/reuseport-vm
K=${REUSEPORT_VM_TEST_KERNEL:-6.1}

for t in qemu-system-x86_64:qemu-system-x86 busybox:busybox-static \
    cpio:cpio; do
	if ! command -v "${t%%:*}" >/dev/null 2>&1; then
		echo "SKIP: no ${t%%:*} (install ${t#*:})"
		exit 77
	fi
done

work=$(mktemp -d "${TMPDIR:-/tmp}/vm-boot.XXXXXX") || exit 1
trap 'rm -rf "$work"' EXIT
mkdir "$work/tmp"

line=$("$VM" fetch "$K" 2>"$work/fetch.err")
st=$?
if test "$st" -eq 68; then
	echo "SKIP: $(cat "$work/fetch.err")"
	exit 77
fi
test "$st" -eq 0 || { cat "$work/fetch.err"; echo "FAIL: fetch $K: $st"; exit 1; }
echo "$line"
# "6.1: Linux 6.1.0-57-cloud-amd64 (linux-image-... 6.1.192-3)"
release=$(printf '%s\n' "$line" | sed -n 's/^[^:]*: Linux \([^ ]*\) .*/\1/p')
test -n "$release" || { echo "FAIL: no release in '$line'"; exit 1; }

scn=$top_srcdir/scenarios/smoke/select.scn
head -c 65536 "$(command -v busybox)" >"$work/blob"
fail=0

cat >"$work/guest.sh" <<'EOF'
uname -r
ls /sys/class/net
ulimit -n
ulimit -l
echo "$RP_TEST"
echo "to stderr" >&2
head -c 65536 /bin/busybox
head -c 65536 /bin/busybox >&2
echo
reuseport-sim run --format tap "$1" | grep -c '^ok'
reuseport-sim run --backend kernel --profile auto --format tap "$1" |
    grep -E '^(not )?ok 1 ' | sed 's/ - .*//'
exit 3
EOF

TMPDIR=$work/tmp "$VM" run -q --memlock 65536 --env RP_TEST=yes --prog "$SIM" --add "$scn" \
    --add "$work/guest.sh" "$K" -- sh "$work/guest.sh" "$scn" \
    >"$work/out" 2>"$work/err"
st=$?
echo "exit status $st"
if test "$st" -ne 3; then
	echo "FAIL: exit status $st, expected 3"
	cat "$work/err"
	fail=1
fi
# stdout: 3 text lines, the blob, then the two results
{
	printf '%s\nlo\n1048576\n64\nyes\n' "$release"
	cat "$work/blob"
	echo
} >"$work/want-head"
n=$(wc -c <"$work/want-head")
if ! head -c "$n" "$work/out" | cmp -s - "$work/want-head"; then
	echo "FAIL: stdout differs from what the guest wrote:"
	head -n 3 "$work/out"
	fail=1
fi
tail -c +"$((n + 1))" "$work/out" >"$work/tail"
printf 'runs on the model:  %s\nkernel backend:     %s\n' \
    "$(sed -n 1p "$work/tail")" "$(sed -n 2p "$work/tail")"
if ! test "$(sed -n 1p "$work/tail")" -ge 1 2>/dev/null; then
	echo "FAIL: reuseport-sim did not run in the guest"
	fail=1
fi
case $(sed -n 2p "$work/tail") in
"ok 1" | "not ok 1") ;;
*) echo "FAIL: the kernel backend did not run in the guest"; fail=1 ;;
esac
{ echo "to stderr"; cat "$work/blob"; } >"$work/want-err"
if ! cmp -s "$work/err" "$work/want-err"; then
	echo "FAIL: stderr differs from what the guest wrote"
	fail=1
fi

echo "# the command time limit"
TMPDIR=$work/tmp "$VM" run -q --timeout 3 "$K" -- sleep 100 \
    >"$work/out" 2>"$work/err"
st=$?
echo "exit status $st: $(cat "$work/err")"
if test "$st" -ne 70 || test "$(wc -l <"$work/err")" -ne 1 ||
    ! grep -q 'did not finish within 3 s' "$work/err"; then
	echo "FAIL: expected exit status 70 and one line"
	fail=1
fi
if test -n "$(ls -A "$work/tmp")"; then
	echo "FAIL: left $(ls -A "$work/tmp") in TMPDIR"
	fail=1
fi

test "$fail" -eq 0 && echo PASS
exit "$fail"
