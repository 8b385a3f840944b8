#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
# tests/kernel-diff.sh - the model against the live kernel, step by step:
#
#   reuseport-sim diff --manifest scenarios/kernel-differences.manifest scenarios
#
# must exit 0: no divergence that the manifest does not explain, and no
# manifest entry left unused.  Exit 77 (skip) as kernel-corpus.sh does.
set -u
. "$(dirname "$0")/kernel-lib.sh"
kernel_needs_root

manifest=$top_srcdir/scenarios/kernel-differences.manifest
echo "=== $SIM diff --format tap --manifest $manifest $top_srcdir/scenarios"
out=$("$SIM" diff --format tap --manifest "$manifest" \
    "$top_srcdir/scenarios" 2>&1)
rc=$?
printf '%s\n' "$out"
if test "$rc" -eq 0 && kernel_all_skipped "$out"; then
	echo "SKIP: the kernel backend ran no scenario here"
	exit 77
fi
if test "$rc" -ne 0; then
	echo "kernel-diff.sh: FAIL: exit status $rc"
	exit 1
fi
exit 0
