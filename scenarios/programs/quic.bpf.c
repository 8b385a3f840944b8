/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * quic.bpf.c - a QUIC server's steering: every connection ID the server
 * hands out carries the id of the worker that owns the connection in its
 * first byte, so a short-header packet (the form used once a connection
 * is set up: RFC 9000, 17.3) goes to that worker's slot in the sockarray
 * `workers`.  A long-header packet (a client's Initial, whose destination
 * ID the client chose at random), a datagram that is not QUIC, or a
 * worker id whose slot is empty or out of range is left to the kernel's
 * hash.  `stats` counts the two outcomes.
 *
 * Run by programs/quic-*.scn; compiled with clang -O2 -g -target bpf.
 */
#include "common.h"

#define UDP_HLEN	8	/* the program sees the datagram from its UDP header on */
#define QUIC_LONG	0x80	/* header form bit: 1 long, 0 short */
#define QUIC_FIXED	0x40	/* fixed bit: set in every QUIC v1 packet */

enum { BY_CID, BY_HASH };

struct {
	REUSEPORT_SOCKARRAY(4);
} workers SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, __u64);
} stats SEC(".maps");

static __always_inline int
outcome(__u32 which)
{
	__u64 *n = bpf_map_lookup_elem(&stats, &which);

	if (n != NULL)
		__sync_fetch_and_add(n, 1);
	return SK_PASS;
}

SEC("sk_reuseport")
int
quic_route(struct sk_reuseport_md *md)
{
	__u8 hdr[2];	/* the first byte and the first byte of the DCID */
	__u32 worker;

	if (bpf_skb_load_bytes(md, UDP_HLEN, hdr, sizeof(hdr)) != 0)
		return outcome(BY_HASH);
	if ((hdr[0] & QUIC_LONG) != 0 || (hdr[0] & QUIC_FIXED) == 0)
		return outcome(BY_HASH);
	worker = hdr[1];
	/* an empty slot or an id past the map: -ENOENT, the hash decides */
	if (bpf_sk_select_reuseport(md, &workers, &worker, 0) != 0)
		return outcome(BY_HASH);
	return outcome(BY_CID);
}

char _license[] SEC("license") = "GPL";
