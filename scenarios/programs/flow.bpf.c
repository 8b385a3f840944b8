/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * flow.bpf.c - UDP flows pinned to the worker that took their first
 * datagram, in an LRU hash as a steering program keeps its flow table
 * (Cloudflare's udpgrm keeps one alike): a flow (the source port) seen
 * before goes to its pinned slot of the sockarray; a new flow goes to the
 * slot the control plane names in current[0] and is pinned there.  A
 * reload points current[0] at the new worker: old flows stay where they
 * are, new ones go to the new worker.  When a pinned worker is gone (its
 * slot is empty) the flow is unpinned and the hash decides.  The table is
 * an LRU hash so that forgotten flows never fill it: an insert into a
 * full table evicts an old flow (which one is the kernel's choice).
 *
 * Run by programs/flow-pin.scn; compiled with clang -O2 -g -target bpf.
 */
#include "common.h"

struct {
	REUSEPORT_SOCKARRAY(4);
} workers SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);	/* the slot new flows go to */
} current SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 8);
	__type(key, __u32);	/* the flow: its source port */
	__type(value, __u32);	/* its worker's slot */
} flows SEC(".maps");

SEC("sk_reuseport")
int
flow_pin(struct sk_reuseport_md *md)
{
	__u32 zero = 0, flow, slot, *pinned, *cur;
	__be16 sport;

	/* a UDP program sees the datagram from its header on */
	if (bpf_skb_load_bytes(md, 0, &sport, sizeof(sport)) != 0)
		return SK_PASS;
	flow = bpf_ntohs(sport);
	pinned = bpf_map_lookup_elem(&flows, &flow);
	if (pinned != NULL) {
		slot = *pinned;
		if (bpf_sk_select_reuseport(md, &workers, &slot, 0) == 0)
			return SK_PASS;
		/* the worker is gone: forget the flow, the hash decides */
		bpf_map_delete_elem(&flows, &flow);
		return SK_PASS;
	}
	cur = bpf_map_lookup_elem(&current, &zero);
	if (cur == NULL)
		return SK_PASS;
	slot = *cur;
	if (bpf_sk_select_reuseport(md, &workers, &slot, 0) != 0)
		return SK_PASS;
	bpf_map_update_elem(&flows, &flow, &slot, BPF_NOEXIST);
	return SK_PASS;
}

char _license[] SEC("license") = "GPL";
