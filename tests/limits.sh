#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
# tests/limits.sh - what `reuseport-sim run` does with a scenario that asks
# for more than a machine has, from the command line: each case must end
# with its message (file:line:col where there is a file) and its exit
# status, in bounded time and memory (every run here is under --timeout
# and --max-memory, so a regression shows as a failure, not a hang).
#
#   2  a map of 2^32 entries; 2^31 sockets (one loop, and nested loops);
#      an include chain 10,000 files deep; bad --timeout/--max-memory
#   1  a program that never ends (tests/limits-data/spin.bpf.o): the
#      model stops it at its instruction budget (R-EBPF-12); a map of
#      2^32-1 entries: -ENOMEM, nothing allocated
#   3  the time budget (--timeout) and the memory budget (--max-memory)
#      of run: 10,000 spins of that program; 100,000,000 sockets
#
# The other limits are tested where they live: the parser's
# (check_parse, parse/limits), loops of 10^12 (check_expand), the
# interpreter's budget (check_ebpf, ebpf/jmp), hostile ELF objects
# (check_bpfobj, bpfobj/hostile), a VM that does not boot and a missing
# qemu (vm-errors.sh, kernels-cli.sh).
set -u
. "$(dirname "$0")/sim-lib.sh"

work=$(mktemp -d "${TMPDIR:-/tmp}/limits.XXXXXX") || exit 1
trap 'rm -rf "$work"' EXIT INT TERM
# coreutils' timeout, if any, in case the budgets themselves fail
watchdog=
if command -v timeout >/dev/null 2>&1; then
	watchdog="timeout -k 5 180"
fi
fails=0
fail() {
	echo "FAIL: $*"
	fails=$((fails + 1))
}

# expect STATUS PATTERN ARGS...: $SIM run ARGS... (under a budget unless
# ARGS set one) must exit STATUS and print a line matching PATTERN (grep
# -E) on stdout or stderr.
expect() {
	want=$1 pat=$2
	shift 2
	$watchdog "$SIM" run --timeout 60 --max-memory 1G "$@" \
	    >"$work/out" 2>"$work/err" </dev/null
	st=$?
	echo "  run $*: exit $st: $(head -n 3 "$work/err" "$work/out" |
	    grep -v '^==>' | grep . | head -n 2 | tr '\n' ' ')"
	if test "$st" -ne "$want"; then
		fail "run $*: exit status $st, expected $want"
		cat "$work/out" "$work/err"
	fi
	if ! cat "$work/out" "$work/err" | grep -Eq -- "$pat"; then
		fail "run $*: no line matching '$pat'"
		cat "$work/out" "$work/err"
	fi
}

scn() {
	{
		echo "# SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause"
		echo "profile 6.18"
		cat
	} >"$work/$1"
}

echo "=== 2^32 entries, 2^31 sockets"
scn entries.scn <<'EOF'
map m sockarray entries=4294967296
EOF
expect 2 "entries.scn:3:25: number out of range for max_entries" \
    "$work/entries.scn"
scn entries-max.scn <<'EOF'
map m sockarray entries=4294967295
EOF
expect 1 "entries-max.scn:3:1: expected success, got -ENOMEM" \
    "$work/entries-max.scn"
scn sockets.scn <<'EOF'
repeat 2147483648 as i {
  socket s$i udp4
}
EOF
expect 2 "sockets.scn:3:8: repeat count 2147483648 is more than 100000000" \
    "$work/sockets.scn"
scn sockets-nested.scn <<'EOF'
repeat 65536 as i {
  repeat 32768 as j {
    socket s${i}_$j udp4
  }
}
EOF
expect 2 "sockets-nested.scn:4:3: the scenario expands to more than 100000000 statements" \
    "$work/sockets-nested.scn"

echo "=== an include chain 10,000 deep"
mkdir "$work/inc"
k=1
while test "$k" -lt 10000; do
	echo "include \"f$((k + 1)).inc\"" >"$work/inc/f$k.inc"
	k=$((k + 1))
done
echo "socket a udp4" >"$work/inc/f10000.inc"
scn inc/deep.scn <<'EOF'
include "f1.inc"
EOF
expect 2 "f16.inc:1:1: include depth limit \(16\) exceeded" \
    "$work/inc/deep.scn"

echo "=== the time and memory budgets"
expect 2 "--timeout wants a whole number of seconds" --timeout 1.5 \
    "$work/entries.scn"
expect 2 "--timeout wants a whole number of seconds" --timeout 99999999999 \
    "$work/entries.scn"
expect 2 "--max-memory wants a size" --max-memory 12X "$work/entries.scn"
expect 2 "--max-memory wants a size" --max-memory 99999999999999G \
    "$work/entries.scn"
# 100,000,000 sockets: the most the language lets a scenario ask for
scn sockets-1e8.scn <<'EOF'
repeat 100000000 as i {
  socket s$i udp4
}
EOF
expect 3 "memory budget exceeded: [0-9]+ KiB resident, more than --max-memory 65536 KiB" \
    --max-memory 64M "$work/sockets-1e8.scn"
expect 3 "time budget exceeded: running for more than --timeout 1 seconds" \
    --timeout 1 --max-memory 0 "$work/sockets-1e8.scn"

echo "=== a program that never ends"
if "$SIM" run --backend kernel --help >/dev/null 2>&1; then
	cp "$top_srcdir/tests/limits-data/spin.bpf.o" \
	    "$top_srcdir/tests/limits-data/spin.scn" "$work/"
	expect 1 "spin.scn:13:1: invariant violated: R-EBPF-12: .*more than 1000000 instructions in one run" \
	    "$work/spin.scn"
	# 10,000 packets through it: the time budget names the scenario
	sed 's/^send .*/send udp 127.0.0.1:7500 from 127.0.0.1:6200 repeat=10000 = none to b/' \
	    "$work/spin.scn" >"$work/spin-long.scn"
	expect 3 "^reuseport-sim: .*/spin-long.scn \[6.18\]: time budget exceeded" \
	    --timeout 2 "$work/spin-long.scn"
	expect 3 "^Bail out! .*/spin-long.scn \[6.18\]: time budget exceeded" \
	    --format tap --timeout 2 "$work/spin-long.scn"
else
	echo "  (built without libbpf: object= cannot be read; skipped)"
fi

if test "$fails" -ne 0; then
	echo "limits.sh: $fails failure(s)"
	exit 1
fi
echo "limits.sh: all limits hold"
exit 0
