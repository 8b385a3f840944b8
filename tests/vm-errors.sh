#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
# tests/vm-errors.sh - sim/vm/reuseport-vm when a VM cannot be had: each
# failure is one line on stderr with its own exit status, and nothing of
# the host is left behind (the temporary directory is empty afterwards,
# the kernel cache is untouched, no qemu process is left running).
#
#   66  no qemu on PATH (a PATH that has everything else)
#   67  no busybox on PATH (qemu present, a stub)
#   65  a "vmlinuz" that is no kernel image
#   68  a kernel package that cannot be downloaded (unreachable mirror)
#   69  a kernel that does not boot in its time limit (a qemu stub that
#       never boots; a bzImage header over garbage under the real qemu)
#   64  bad command lines
# The cases that need the real qemu, busybox and cpio, or apt, skip
# themselves (with a note) where those are absent; the others always run.
set -u
here=$(cd "$(dirname "$0")" && pwd)
top_srcdir=${top_srcdir:-$here/..}
VM=$top_srcdir/sim/vm/reuseport-vm
test -x "$VM" || { echo "FAIL: $VM missing"; exit 1; }

work=$(mktemp -d "${TMPDIR:-/tmp}/vm-errors.XXXXXX") || exit 1
trap 'rm -rf "$work"' EXIT
mkdir "$work/tmp" "$work/cache" "$work/fakebin"
fail=0

# expect_fail STATUS WHAT COMMAND...: run COMMAND with TMPDIR and the
# cache in $work; it must exit STATUS with exactly one line on stderr
# that starts "reuseport-vm: " and names WHAT (a grep pattern), print
# nothing on stdout, and leave $work/tmp empty and $work/cache as it was.
expect_fail() {
	want=$1 what=$2
	shift 2
	before=$(ls -A "$work/cache")
	TMPDIR=$work/tmp REUSEPORT_VM_CACHE=$work/cache "$@" \
	    >"$work/out" 2>"$work/err" </dev/null
	st=$?
	lines=$(wc -l <"$work/err" | tr -d ' ')
	echo "  exit $st: $(cat "$work/err")"
	if test "$st" -ne "$want"; then
		echo "FAIL: $*: exit status $st, expected $want"
		fail=1
	fi
	if test "$lines" -ne 1 || ! grep -q "^reuseport-vm: .*$what" \
	    "$work/err"; then
		echo "FAIL: $*: expected one line naming '$what' on stderr"
		fail=1
	fi
	if test -s "$work/out"; then
		echo "FAIL: $*: printed on stdout: $(head -c 200 "$work/out")"
		fail=1
	fi
	if test -n "$(ls -A "$work/tmp")"; then
		echo "FAIL: $*: left $(ls -A "$work/tmp") in TMPDIR"
		fail=1
		rm -rf "${work:?}/tmp/"*
	fi
	if test "$(ls -A "$work/cache")" != "$before"; then
		echo "FAIL: $*: changed the kernel cache"
		fail=1
	fi
}

# A PATH with every program of this one except those named.
fake_path() {
	rm -rf "$work/fakebin"
	mkdir "$work/fakebin"
	for d in $(printf '%s' "$PATH" | tr ':' ' '); do
		test -d "$d" || continue
		ln -s "$d"/* "$work/fakebin/" 2>/dev/null
	done
	for n in "$@"; do
		rm -f "$work/fakebin/$n"
	done
}

# A bzImage-shaped file: the boot protocol header ("HdrS" at 0x202, the
# kernel_version pointer at 0x20e) over zeroes, then garbage.
bogus_bzimage() {
	head -c 65536 /dev/zero >"$1"
	printf 'HdrS\002\002' | dd of="$1" bs=1 seek=514 conv=notrunc 2>/dev/null
	printf '\000\002' | dd of="$1" bs=1 seek=526 conv=notrunc 2>/dev/null
	printf '9.9.9-bogus (test) #1\000' |
	    dd of="$1" bs=1 seek=1024 conv=notrunc 2>/dev/null
	printf '\252\125' | dd of="$1" bs=1 seek=510 conv=notrunc 2>/dev/null
}

echo "# no qemu on PATH"
fake_path qemu-system-x86_64
expect_fail 66 "no qemu-system-x86_64" env PATH="$work/fakebin" \
    "$VM" run 6.1 -- true

echo "# no busybox on PATH (qemu is a stub that must not be started)"
fake_path busybox qemu-system-x86_64
printf '#!/bin/sh\necho started >%s\nexit 1\n' "$work/started" \
    >"$work/fakebin/qemu-system-x86_64"
chmod +x "$work/fakebin/qemu-system-x86_64"
expect_fail 67 "no busybox" env PATH="$work/fakebin" "$VM" run 6.1 -- true
echo "# no cpio on PATH"
fake_path cpio
ln -sf /bin/true "$work/fakebin/qemu-system-x86_64"
ln -sf /bin/true "$work/fakebin/busybox"
expect_fail 67 "no cpio" env PATH="$work/fakebin" "$VM" run 6.1 -- true
test -e "$work/started" && { echo "FAIL: qemu was started"; fail=1; }

echo "# a vmlinuz that is no kernel"
echo "not a kernel" >"$work/vmlinuz"
fake_path
ln -sf /bin/true "$work/fakebin/qemu-system-x86_64"
ln -sf /bin/true "$work/fakebin/busybox"
expect_fail 65 "not a Linux kernel image" env PATH="$work/fakebin" \
    "$VM" run "$work/vmlinuz" -- true
expect_fail 65 "no such file" env PATH="$work/fakebin" \
    "$VM" run "$work/none/vmlinuz" -- true
expect_fail 65 "give 5.10" env PATH="$work/fakebin" "$VM" run bogus -- true

echo "# bad command lines"
expect_fail 64 "unknown command" "$VM" frobnicate
expect_fail 64 "unknown option" "$VM" run --frob 6.1 -- true
expect_fail 64 "not a positive number" "$VM" run --timeout 0 6.1 -- true
expect_fail 64 "a multiple of 1024" "$VM" run --memlock 1000 6.1 -- true
expect_fail 64 "not NAME=VALUE" "$VM" run --env 1X=2 6.1 -- true
expect_fail 64 "give a COMMAND" env PATH="$work/fakebin" "$VM" run 6.1
expect_fail 64 "is a path" "$VM" fetch ./vmlinuz

echo "# a package that cannot be downloaded (unreachable mirror)"
if command -v apt-get >/dev/null && command -v dpkg-deb >/dev/null; then
	expect_fail 68 "kernel 6.1: cannot read the package lists" env \
	    REUSEPORT_VM_MIRROR=http://127.0.0.1:9/debian \
	    REUSEPORT_VM_SECURITY_MIRROR=http://127.0.0.1:9/debian-security \
	    "$VM" fetch 6.1
else
	echo "  skipped: no apt-get/dpkg-deb here"
fi

echo "# a kernel that never boots (qemu stub), boot limit 2 s"
bogus_bzimage "$work/bzImage"
printf '#!/bin/sh\necho $$ >%s\nexec sleep 300\n' "$work/qemu.pid" \
    >"$work/fakebin/qemu-system-x86_64.new"
chmod +x "$work/fakebin/qemu-system-x86_64.new"
mv -f "$work/fakebin/qemu-system-x86_64.new" "$work/fakebin/qemu-system-x86_64"
if command -v busybox >/dev/null && command -v cpio >/dev/null; then
	rm -f "$work/fakebin/busybox"
	ln -s "$(command -v busybox)" "$work/fakebin/busybox"
	expect_fail 69 "did not boot within 2 s" env PATH="$work/fakebin" \
	    "$VM" run --boot-timeout 2 "$work/bzImage" -- true
	if test -f "$work/qemu.pid" && kill -0 "$(cat "$work/qemu.pid")" \
	    2>/dev/null; then
		echo "FAIL: the qemu stub was left running"
		kill "$(cat "$work/qemu.pid")"
		fail=1
	fi

	echo "# the same bogus bzImage under the real qemu"
	if command -v qemu-system-x86_64 >/dev/null; then
		expect_fail 69 "9.9.9-bogus.* did not boot" \
		    "$VM" run --boot-timeout 5 "$work/bzImage" -- true
	else
		echo "  skipped: no qemu-system-x86_64 (install qemu-system-x86)"
	fi
else
	echo "  skipped: no busybox or cpio (install busybox-static cpio)"
fi

test "$fail" -eq 0 && echo "PASS"
exit "$fail"
