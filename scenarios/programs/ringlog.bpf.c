/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * ringlog.bpf.c - a steering program that logs every decision into a
 * ring buffer, and sheds load when the log cannot keep up: each datagram
 * reserves a record of 2000 bytes (its header makes 2008 in the ring),
 * writes the source port into it and submits it, then goes to worker 0;
 * when the ring has no room (nobody reads it here, as when the logging
 * daemon is down) the datagram goes to worker 1, the overflow worker.
 * The first datagram also writes one short record with
 * bpf_ringbuf_output(), and a datagram from port 9 reserves and
 * discards (the ring keeps the discarded record's place).
 *
 * Run by programs/ringlog.scn; compiled with clang -O2 -g -target bpf.
 */
#include "common.h"

struct {
	REUSEPORT_SOCKARRAY(2);
} workers SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 8192);	/* two pages */
} events SEC(".maps");

struct record {
	__u32	sport;
	__u8	pad[1996];
};

SEC("sk_reuseport")
int
ring_log(struct sk_reuseport_md *md)
{
	__u32 slot = 0;
	__u64 first;
	__be16 sport;
	struct record *r;

	if (bpf_skb_load_bytes(md, 0, &sport, sizeof(sport)) != 0)
		return SK_PASS;
	/* nothing produced yet: a short record by copy */
	if (bpf_ringbuf_query(&events, BPF_RB_PROD_POS) == 0) {
		first = bpf_ntohs(sport);
		if (bpf_ringbuf_output(&events, &first, sizeof(first), 0) != 0)
			return SK_DROP;
	}
	r = bpf_ringbuf_reserve(&events, sizeof(*r), 0);
	if (r == NULL) {
		slot = 1;	/* the log is full: shed to the overflow worker */
	} else {
		r->sport = bpf_ntohs(sport);
		if (r->sport == 9)
			bpf_ringbuf_discard(r, 0);
		else
			bpf_ringbuf_submit(r, 0);
	}
	bpf_sk_select_reuseport(md, &workers, &slot, 0);
	return SK_PASS;
}

char _license[] SEC("license") = "GPL";
