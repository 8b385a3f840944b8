/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * common.h - what the corpus's programs (scenarios/programs/NAME.bpf.c)
 * share: the map they select from, a selection that drops on failure
 * and, for the programs that place new connections by source port, that
 * placement.  Compiled with them (clang
 * -O2 -g -target bpf); after a change here, make regen-bpfobj.
 */
#ifndef PROGRAMS_COMMON_H
#define PROGRAMS_COMMON_H

#include <linux/bpf.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

/* The members of a BPF_MAP_TYPE_REUSEPORT_SOCKARRAY of n slots: key the
 * slot (__u32), value the socket (__u64: an fd when user space writes
 * it, the socket's cookie when it reads it).  A named map is
 * `struct { REUSEPORT_SOCKARRAY(n); } NAME SEC(".maps");`, an inner-map
 * template `struct NAME { REUSEPORT_SOCKARRAY(n); };`. */
#define REUSEPORT_SOCKARRAY(n)						\
	__uint(type, BPF_MAP_TYPE_REUSEPORT_SOCKARRAY);			\
	__uint(max_entries, (n));					\
	__type(key, __u32);						\
	__type(value, __u64)

/* A new connection (no migration) to the slot of its source port modulo
 * 2 of the sockarray map, so that the choice does not hang on the
 * kernel's hash: the program sees the segment from its transport header
 * on.  SK_PASS whatever the selection says (the kernel's hash then
 * decides); a segment too short for a port is SK_PASS too. */
static __always_inline int
select_by_sport(struct sk_reuseport_md *md, void *map)
{
	__be16 sport;
	__u32 key;

	if (bpf_skb_load_bytes(md, 0, &sport, sizeof(sport)) != 0)
		return SK_PASS;
	key = bpf_ntohs(sport) % 2;
	bpf_sk_select_reuseport(md, map, &key, 0);
	return SK_PASS;
}

/* Selects slot key of the sockarray map: SK_PASS on success, SK_DROP
 * when the selection fails (the connection is then reset rather than
 * handed to a listener the kernel's hash would pick). */
static __always_inline int
select_or_drop(struct sk_reuseport_md *md, void *map, __u32 key)
{
	return bpf_sk_select_reuseport(md, map, &key, 0) == 0 ? SK_PASS :
	    SK_DROP;
}

#endif /* PROGRAMS_COMMON_H */
