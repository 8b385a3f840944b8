#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
# tests/kernel-traffic.sh - counted traffic (send ... repeat=N) on the live
# kernel, where one send decided by the hash is "not checked":
#
# 1. nginx's stale members (scenarios/traffic/stale-members.scn) with the
#    operator's expectation, none to w2 w3, before the master closes them:
#    the kernel run must fail on that line, the counts showing the loss;
#    and the scenario as written must pass;
# 2. diff of scenarios/traffic states its rule for each counted send and
#    every rule holds (statistical for the hash's sends, exact for the
#    program's).
# Exit 77 (skip) as kernel-corpus.sh does.
set -u
. "$(dirname "$0")/kernel-lib.sh"
kernel_needs_root

fail() {
	echo "kernel-traffic.sh: FAIL: $*"
	exit 1
}

dir=$(mktemp -d) || exit 99
trap 'rm -rf "$dir"' EXIT
src=$top_srcdir/scenarios/traffic/stale-members.scn
# the first counted send, with what the operator wants instead
sed 's/^send \(.*\) repeat=400 = each of w0 w1 w2 w3 at least 40$/send \1 repeat=400 = none to w2 w3/' \
    "$src" >"$dir/stale.scn"
grep -q 'repeat=400 = none to w2 w3$' "$dir/stale.scn" ||
    fail "no counted send to rewrite in $src"

out=$("$SIM" run --backend kernel --profile auto "$dir/stale.scn" 2>&1)
rc=$?
printf '%s\n' "$out"
if printf '%s\n' "$out" | grep -q '^SKIP '; then
	echo "SKIP: the kernel backend did not run the scenario here"
	exit 77
fi
test "$rc" -eq 1 || fail "the stale members went unseen (exit $rc)"
printf '%s\n' "$out" | grep -Eq \
    "stale.scn:25:[0-9]+: expected none to w2 w3, got w0=[0-9]+ w1=[0-9]+ w2=[0-9]+ w3=[0-9]+$" ||
    fail "no count of the stale members' datagrams"

out=$("$SIM" run --backend kernel --profile auto "$src" 2>&1) ||
    fail "$src on the kernel: $out"

out=$("$SIM" diff --profile auto "$top_srcdir/scenarios/traffic" 2>&1)
rc=$?
printf '%s\n' "$out"
test "$rc" -eq 0 || fail "diff of scenarios/traffic (exit $rc)"
for rule in "statistical rule" "exact rule"; do
	printf '%s\n' "$out" | grep -q "counted traffic, $rule .*: held$" ||
	    fail "no counted send compared under the $rule"
done
if printf '%s\n' "$out" | grep -q 'counted traffic, .*: broken$'; then
	fail "a counted send broke its rule"
fi
exit 0
