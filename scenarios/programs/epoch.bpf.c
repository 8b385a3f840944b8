/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * epoch.bpf.c - an epoch flip through an array of maps, the way a proxy
 * hands its listeners from one generation of workers to the next: the
 * outer map `gens` holds one sockarray per epoch.  A datagram's first
 * payload byte is the epoch its connection was made in (0xff: a new
 * connection, which takes the current epoch from `epoch`), its second the
 * worker within that epoch; the program picks the inner map per packet.
 * An epoch without a map, or an empty slot, leaves the datagram to the
 * hash.  `gens` has no sockets of its own: the scenario binds it to its
 * outer map (reuse gens=...).
 *
 * Run by programs/epoch-*.scn; compiled with clang -O2 -g -target bpf.
 */
#include "common.h"

#define UDP_HLEN	8
#define NEW_CONN	0xff

struct generation {
	REUSEPORT_SOCKARRAY(4);
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, 2);
	__type(key, __u32);
	__array(values, struct generation);
} gens SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} epoch SEC(".maps");

SEC("sk_reuseport")
int
epoch_route(struct sk_reuseport_md *md)
{
	__u8 pkt[2];	/* the connection's epoch, its worker */
	__u32 zero = 0, e, worker;
	__u32 *current;
	void *inner;

	if (bpf_skb_load_bytes(md, UDP_HLEN, pkt, sizeof(pkt)) != 0)
		return SK_PASS;
	e = pkt[0];
	if (e == NEW_CONN) {
		current = bpf_map_lookup_elem(&epoch, &zero);
		if (current == NULL)
			return SK_PASS;
		e = *current;
	}
	inner = bpf_map_lookup_elem(&gens, &e);
	if (inner == NULL)
		return SK_PASS;
	worker = pkt[1];
	bpf_sk_select_reuseport(md, inner, &worker, 0);
	return SK_PASS;
}

char _license[] SEC("license") = "GPL";
