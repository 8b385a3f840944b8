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
kernel_run kernel-diff.sh "$SIM" diff --format tap --manifest "$manifest" \
    "$top_srcdir/scenarios"
