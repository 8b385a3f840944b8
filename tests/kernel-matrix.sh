#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
# tests/kernel-matrix.sh - the model against every kernel at hand, the
# gate of make check-kernel (and .ci/run):
#
#   reuseport-sim diff --kernel $KERNELS \
#       --manifest scenarios/kernel-differences.manifest scenarios
#
# KERNELS is $MATRIX_KERNELS, default host,vm:5.10,vm:6.1,vm:6.12,vm:7.2:
# the running kernel (calibrated) and Debian's four, each booted under
# qemu by sim/vm/reuseport-vm (downloaded once into its cache).  A VM
# kernel also reads kernel-differences.vm.manifest and
# kernel-differences.vm-N.M.manifest (configuration differences only).
# Prints the matrix (scenario x kernel), each kernel's exact release and
# the time taken.  Fails (1) on any unexplained divergence or unused
# manifest entry on any kernel; a kernel that cannot be had (no qemu, no
# network for its first download, no boot) is skipped with the reason;
# exits 77 when not root, without the kernel backend, or when no kernel
# ran at all.
set -u
. "$(dirname "$0")/kernel-lib.sh"
kernel_needs_root
KERNELS=${MATRIX_KERNELS:-host,vm:5.10,vm:6.1,vm:6.12,vm:7.2}

t0=$(date +%s)
echo "=== reuseport-sim diff --kernel $KERNELS --manifest scenarios/kernel-differences.manifest scenarios"
out=$("$SIM" diff --kernel "$KERNELS" --manifest \
    "$top_srcdir/scenarios/kernel-differences.manifest" \
    "$top_srcdir/scenarios" 2>&1)
rc=$?
t1=$(date +%s)
printf '%s\n' "$out"
echo "kernel-matrix.sh: $KERNELS in $((t1 - t0)) s, exit status $rc"
if test "$rc" -ne 0; then
	echo "kernel-matrix.sh: FAIL"
	exit 1
fi
ran=$(printf '%s\n' "$out" | grep -E '^matrix [^:]*: ' |
    grep -cv ': 0 agree, 0 known, 0 unexplained')
if test "$ran" -eq 0; then
	echo "SKIP: no kernel could be had here"
	exit 77
fi
exit 0
