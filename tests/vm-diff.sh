#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
# tests/vm-diff.sh - the model against other kernels, booted under qemu by
# sim/vm/reuseport-vm: for each kernel of $VM_KERNELS (default
# "5.10 6.1 6.12 7.2"), inside the VM,
#
#   reuseport-sim diff --profile auto --manifest M scenarios
#
# where M is scenarios/kernel-differences.manifest, plus
# kernel-differences.vm.manifest (what every VM kernel lacks: modules),
# plus kernel-differences.vm-N.M.manifest when the kernel has one.  Each
# diff must exit 0: no unexplained divergence and no unused entry.  Prints
# the exact kernel release, the boot and run times of each kernel.
# A kernel that cannot be had (no qemu, no network for its package, no
# boot: reuseport-vm exit status 66-70) is skipped with the reason; the
# test exits 77 (skip) when no kernel could be had, or when reuseport-sim
# has no kernel backend.  make check-vm runs it; make check does not.
set -u
. "$(dirname "$0")/sim-lib.sh"
VM=$top_srcdir/sim/vm/reuseport-vm
KERNELS=${VM_KERNELS:-5.10 6.1 6.12 7.2}

if ! "$SIM" run --backend kernel --help >/dev/null 2>&1; then
	echo "SKIP: reuseport-sim was built without the kernel backend"
	exit 77
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/vm-diff.XXXXXX") || exit 1
trap 'rm -rf "$work"' EXIT

ran=0 failed=0
for k in $KERNELS; do
	m=$work/kernel-differences.$k.manifest
	cat "$top_srcdir/scenarios/kernel-differences.manifest" \
	    "$top_srcdir/scenarios/kernel-differences.vm.manifest" >"$m"
	extra=$top_srcdir/scenarios/kernel-differences.vm-$k.manifest
	test -f "$extra" && cat "$extra" >>"$m"
	echo "=== $k: reuseport-sim diff --format tap --profile auto --manifest $m $top_srcdir/scenarios"
	t0=$(date +%s)
	"$VM" run -v --prog "$SIM" --add "$top_srcdir/scenarios" --add "$m" \
	    "$k" -- "${SIM##*/}" diff --format tap --profile auto \
	    --manifest "$m" "$top_srcdir/scenarios" >"$work/out" 2>"$work/err"
	st=$?
	t1=$(date +%s)
	cat "$work/out"
	grep '^reuseport-vm: ' "$work/err"
	grep -v '^reuseport-vm: ' "$work/err"
	case $st in
	0)
		ran=$((ran + 1))
		echo "ok: $k in $((t1 - t0)) s"
		;;
	6[6-9] | 70)
		echo "skipped: $k: $(grep '^reuseport-vm: ' "$work/err" |
		    tail -n 1)"
		;;
	*)
		ran=$((ran + 1))
		failed=$((failed + 1))
		echo "FAIL: $k: exit status $st"
		;;
	esac
done

if test "$ran" -eq 0; then
	echo "SKIP: no kernel could be booted here"
	exit 77
fi
test "$failed" -eq 0 || exit 1
exit 0
