#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
# tests/kernel-corpus.sh - the whole scenario corpus on the live kernel:
#
#   reuseport-sim run --backend kernel --profile auto scenarios
#
# must exit 0: every scenario passes, or is skipped with its reason where
# the kernel cannot do a step the rest depends on.  Steps the kernel cannot
# do are reported as notes, never as failures.  Exit 77 (skip) when not
# root, without the kernel backend, or when the backend refused every
# scenario (bpf() or unshare not permitted, no profile for this kernel).
set -u
. "$(dirname "$0")/kernel-lib.sh"
kernel_needs_root

kernel_run kernel-corpus.sh "$SIM" run --backend kernel --profile auto \
    --format tap "$top_srcdir/scenarios"
