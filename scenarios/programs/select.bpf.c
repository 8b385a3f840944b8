/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * select.bpf.c - the object tests/check_bpfobj.c opens, breaks and runs:
 * an SK_REUSEPORT program that takes the first UDP payload byte modulo a
 * worker count (a .rodata constant, through a subprogram), counts its
 * runs in an array and selects from a sockarray, falling back to the
 * hash when the slot is empty; beside it programs the tests pick by
 * name or section (a migrate variant, a socket filter, an XDP program, one
 * in a section libbpf does not know).
 *
 * select.bpf.o is committed so that the tests run without clang; make
 * regen-bpfobj rebuilds it (clang -O2 -g -target bpf).
 */
#include "common.h"

struct {
	REUSEPORT_SOCKARRAY(4);
} socks SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, __u64);
} runs SEC(".maps");

const volatile __u32 nworkers = 2;

static __attribute__((noinline)) __u32
worker_of(__u32 byte)
{
	return byte % nworkers;
}

static __always_inline void
count(__u32 which)
{
	__u64 *n = bpf_map_lookup_elem(&runs, &which);

	if (n != NULL)
		__sync_fetch_and_add(n, 1);
}

SEC("sk_reuseport")
int
select_worker(struct sk_reuseport_md *md)
{
	__u8 byte = 0;
	__u32 key;

	count(0);
	/* a UDP program sees the datagram from its 8-byte header on */
	if (bpf_skb_load_bytes(md, 8, &byte, 1) != 0)
		return SK_PASS;		/* no payload: the hash decides */
	key = worker_of(byte);
	if (bpf_sk_select_reuseport(md, &socks, &key, 0) != 0) {
		count(1);
		return SK_PASS;		/* empty slot: the hash decides */
	}
	return SK_PASS;
}

SEC("sk_reuseport/migrate")
int
migrate_any(struct sk_reuseport_md *md)
{
	if (md->migrating_sk == NULL)
		return SK_PASS;
	return select_or_drop(md, &socks, 0);
}

SEC("socket")
int
filter_all(struct __sk_buff *skb)
{
	return skb->len;
}

SEC("xdp")
int
xdp_pass(struct xdp_md *ctx)
{
	return ctx->ingress_ifindex != 0 ? XDP_PASS : XDP_DROP;
}

/* a section name libbpf has no program type for (older loaders set the
 * type themselves): reuseport-sim says how to name it */
SEC("select_by_name")
int
select_legacy(struct sk_reuseport_md *md)
{
	return md->len > 0 ? SK_PASS : SK_DROP;
}

char _license[] SEC("license") = "GPL";
