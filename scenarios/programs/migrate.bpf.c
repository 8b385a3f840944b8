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
#include "common.h"

struct {
	REUSEPORT_SOCKARRAY(4);
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
	__u32 zero = 0;
	__u32 *slot;

	if (md->migrating_sk == NULL)		/* a SYN */
		return select_by_sport(md, &listeners);
	slot = bpf_map_lookup_elem(&heir, &zero);
	return slot != NULL ? select_or_drop(md, &listeners, *slot) : SK_DROP;
}

char _license[] SEC("license") = "GPL";
