/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * cookie.bpf.c - a hash map keyed by socket cookie: the control plane
 * writes, for each listener it retires, the cookie of that listener
 * (SO_COOKIE) and the slot of the listener that inherits its connections.
 * On migration (BPF_SK_REUSEPORT_SELECT_OR_MIGRATE: md->migrating_sk is
 * the child or request that moves, md->sk the listener that closes) the
 * program takes the closing listener's cookie with
 * bpf_get_socket_cookie(md->sk) and selects its heir; a listener nobody named an heir for leaves its
 * connections to the kernel's hash (SK_PASS without a selection).  New
 * connections go to the slot of their source port modulo 2.
 *
 * Run by programs/cookie-*.scn; compiled with clang -O2 -g -target bpf.
 */
#include "common.h"

struct {
	REUSEPORT_SOCKARRAY(4);
} listeners SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16);
	__type(key, __u64);	/* the retiring listener's cookie */
	__type(value, __u32);	/* its heir's slot in listeners */
} heirs SEC(".maps");

SEC("sk_reuseport/migrate")
int
heir_by_cookie(struct sk_reuseport_md *md)
{
	__u64 cookie;
	__u32 *slot;

	if (md->migrating_sk == NULL)
		return select_by_sport(md, &listeners);
	cookie = bpf_get_socket_cookie(md->sk);
	slot = bpf_map_lookup_elem(&heirs, &cookie);
	return slot != NULL ? select_or_drop(md, &listeners, *slot) : SK_PASS;
}

char _license[] SEC("license") = "GPL";
