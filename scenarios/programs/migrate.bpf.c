/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * migrate.bpf.c - a BPF_SK_REUSEPORT_SELECT_OR_MIGRATE program (5.14 on,
 * with net.ipv4.tcp_migrate_req): a new connection goes to the slot of
 * its source port modulo 2 (so the choice does not hang on the kernel's
 * hash), and when a listener closes, its queued children and pending
 * requests migrate to the single heir named in `heir` (key 0: a slot of
 * `listeners`).  A failed migration is SK_DROP: the connection is reset
 * rather than handed to a listener the hash would pick.
 *
 * Run by programs/migrate-*.scn; compiled with clang -O2 -g -target bpf.
 */
#include <linux/bpf.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_REUSEPORT_SOCKARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
} listeners SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} heir SEC(".maps");

SEC("sk_reuseport/migrate")
int
select_or_migrate(struct sk_reuseport_md *md)
{
	__u32 zero = 0, key;
	__u32 *slot;
	__be16 sport;

	if (md->migrating_sk != NULL) {
		slot = bpf_map_lookup_elem(&heir, &zero);
		if (slot == NULL)
			return SK_DROP;
		key = *slot;
		return bpf_sk_select_reuseport(md, &listeners, &key, 0) == 0 ?
		    SK_PASS : SK_DROP;
	}
	/* a SYN: the program sees the segment from its TCP header on */
	if (bpf_skb_load_bytes(md, 0, &sport, sizeof(sport)) != 0)
		return SK_PASS;
	key = bpf_ntohs(sport) % 2;
	bpf_sk_select_reuseport(md, &listeners, &key, 0);
	return SK_PASS;
}

char _license[] SEC("license") = "GPL";
