#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
# tests/map-types.sh - R-CRE-4d: `prog P object=F` whose object defines a
# map of a type the profile's kernel has and the model does not implement
# (LPM_TRIE, 4.11) is an input error at the prog statement, exit 2; a
# type the profile's kernel lacks (QUEUE, 4.20, under 4.19) is not: the
# create fails with that kernel's -EINVAL, a scenario expectation.
#
#   SIM=reuseport-sim BPF_CLANG=clang BPF_CFLAGS=... sh tests/map-types.sh
#
# Needs the clang that compiles the corpus (configure's BPF_CLANG); skips
# (77) without it.
set -u

SIM=${SIM:-./reuseport-sim}
if test -z "${BPF_CLANG:-}"; then
	echo "SKIP no clang for the bpf target (configure's BPF_CLANG)"
	exit 77
fi
tmp=$(mktemp -d "${TMPDIR:-/tmp}/map-types.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM
status=0

obj() {	# obj NAME TYPE [FLAGS]: NAME.bpf.o with map "extra" of TYPE
	cat >"$tmp/$1.bpf.c" <<EOC
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
struct { __uint(type, BPF_MAP_TYPE_REUSEPORT_SOCKARRAY);
	__uint(max_entries, 2); __type(key, __u32); __type(value, __u64);
} socks SEC(".maps");
struct { __uint(type, $2); __uint(max_entries, 4); ${4:-__type(key, __u64);}
	__type(value, __u32); __uint(map_flags, ${3:-0});
} extra SEC(".maps");
SEC("sk_reuseport") int pick(struct sk_reuseport_md *md)
{ __u32 k = 0; return bpf_sk_select_reuseport(md, &socks, &k, 0) == 0 ?
	SK_PASS : SK_DROP; }
char _license[] SEC("license") = "GPL";
EOC
	# shellcheck disable=SC2086 # BPF_CFLAGS is a list of flags
	$BPF_CLANG ${BPF_CFLAGS:--O2 -g -target bpf} -c "$tmp/$1.bpf.c" \
	    -o "$tmp/$1.bpf.o" || { echo "FAIL cannot compile $1"; exit 1; }
}

obj lpm BPF_MAP_TYPE_LPM_TRIE BPF_F_NO_PREALLOC
obj queue BPF_MAP_TYPE_QUEUE 0 " "

# check NAME SCN STATUS TEXT PASSED: `run SCN` exits STATUS and (TEXT not
# empty) says TEXT; PASSED says what the PASS line means.
check() {
	"$SIM" run "$2" >"$tmp/out" 2>&1
	st=$?
	if test "$st" -ne "$3" || ! grep -qF "$4" "$tmp/out"; then
		echo "FAIL $1: exit $st, want $3${4:+ and: $4}"
		sed 's/^/    /' "$tmp/out"
		status=1
	else
		echo "PASS $1: $5"
	fi
}

# 1. the model lacks LPM_TRIE, every profile's kernel has it: exit 2
printf '%s\n' "# SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause" \
    "profile 4.19 6.18" "socket a udp4" "prog p object=lpm.bpf.o" \
    >"$tmp/lpm.scn"
check lpm "$tmp/lpm.scn" 2 "lpm.scn:4:1: map 'extra' of $tmp/lpm.bpf.o: map type 11 (lpm_trie) is not modelled (the 4.19 kernel has it, the model does not)" \
    "not modelled, exit 2"

# 2. QUEUE under 4.19: that kernel lacks the type, so the create fails
#    with -EINVAL (R-CRE-4c) and the scenario expects it
printf '%s\n' "# SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause" \
    "profile 4.19" "socket a udp4" "prog p object=queue.bpf.o = -EINVAL" \
    >"$tmp/queue.scn"
check "queue under 4.19" "$tmp/queue.scn" 0 "" "the kernel's -EINVAL"

# 3. QUEUE under 6.18: that kernel has it, the model does not: exit 2
sed 's/^profile 4.19$/profile 6.18/; s/ = -EINVAL$//' "$tmp/queue.scn" \
    >"$tmp/queue618.scn"
check "queue under 6.18" "$tmp/queue618.scn" 2 \
    "map type 22 (queue) is not modelled (the 6.18 kernel" \
    "not modelled, exit 2"
exit $status
