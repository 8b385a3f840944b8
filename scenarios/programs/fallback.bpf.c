/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * fallback.bpf.c - a second select on a default key after a failed one,
 * as a QUIC proxy does during a handover: the second payload byte names
 * the slot of the process that owns the connection; when that slot is
 * empty (the process is gone) or out of range, the program selects the
 * slot `default_key` (the newest process, a .rodata constant), and only
 * when that fails too it drops the datagram instead of leaving it to the
 * hash.
 *
 * Run by programs/fallback-*.scn; compiled with clang -O2 -g -target bpf.
 */
#include "common.h"

#define UDP_HLEN	8

struct {
	REUSEPORT_SOCKARRAY(4);
} owners SEC(".maps");

const volatile __u32 default_key = 0;

SEC("sk_reuseport")
int
owner_or_default(struct sk_reuseport_md *md)
{
	__u8 owner = 0;
	__u32 key;

	if (bpf_skb_load_bytes(md, UDP_HLEN + 1, &owner, 1) == 0) {
		key = owner;
		if (bpf_sk_select_reuseport(md, &owners, &key, 0) == 0)
			return SK_PASS;
	}
	key = default_key;
	if (bpf_sk_select_reuseport(md, &owners, &key, 0) == 0)
		return SK_PASS;
	return SK_DROP;
}

char _license[] SEC("license") = "GPL";
