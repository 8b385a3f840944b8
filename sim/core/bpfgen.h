/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * bpfgen.h - BPF instructions generated at run time from a program policy
 * (struct rp_policy, struct rp_cbpf of rp.h), for both backends: the live
 * kernel loads them, the model runs them in its interpreters.  No compiler
 * is involved: each generator emits raw struct rp_insn (eBPF, laid out as
 * struct bpf_insn) or struct rp_sock_filter (classic BPF, as struct
 * sock_filter) into a GArray.
 *
 * Every eBPF program records what it did in a statistics map (an ARRAY of
 * one struct bpfgen_stats) so that the backend can tell, after a packet,
 * whether a program ran, what it returned and what
 * bpf_sk_select_reuseport() said.  The statistics code never changes the
 * verdict.
 *
 * Map fds given to the generators are real fds of the calling process;
 * they end up as BPF_PSEUDO_MAP_FD immediates and the verifier (or the
 * model's loader) resolves them at load time (so a bad fd is the kernel's EBADF/EINVAL).
 */
#ifndef SIM_BPFGEN_H
#define SIM_BPFGEN_H

#include <stdint.h>

#include <glib.h>

#include "rp.h"

G_BEGIN_DECLS

/* The value of the statistics map (key 0), written after every run. */
struct bpfgen_stats {
	uint64_t	runs;		/* times the program ran */
	uint64_t	verdict;	/* SK_PASS/SK_DROP; index for filters */
	int64_t		helper_err;	/* last bpf_sk_select_reuseport(), 0 = not called */
	uint32_t	hash;		/* ctx->hash (skb->hash for filters) */
	uint32_t	selected;	/* 1: the helper selected a socket */
};

/* struct sk_reuseport_md offsets (64-bit; docs/kernel-semantics.md §8.4). */
#define BPFGEN_MD_DATA		0
#define BPFGEN_MD_DATA_END	8
#define BPFGEN_MD_LEN		16
#define BPFGEN_MD_ETH_PROTOCOL	20
#define BPFGEN_MD_IP_PROTOCOL	24
#define BPFGEN_MD_BIND_INANY	28
#define BPFGEN_MD_HASH		32
#define BPFGEN_MD_SK		40
#define BPFGEN_MD_MIGRATING_SK	48

/*
 * An SK_REUSEPORT program (type 21) for pol: key from the policy, then
 * bpf_sk_select_reuseport(ctx, map, &key, 0) on map_fd (or on the inner
 * map in slot pol->outer_key of the outer map map_fd), SK_PASS/SK_DROP as
 * the policy says.  map_fd -1: no map (only always_drop and migrate_only
 * policies can do without one; otherwise the program passes a scalar to
 * the helper and the verifier rejects it, as the model's R-PRG-3).
 * migrate_fd: HASH u64 cookie -> u32 key, used by RP_KEY_MIGRATE (may be
 * -1 otherwise).  stats_fd: the statistics ARRAY.  Appends struct
 * rp_insn to out.  Returns 0, or -EINVAL when the policy cannot be
 * expressed (payload width not 1, 2 or 4).
 */
int	bpfgen_sk_reuseport(const struct rp_policy *pol, int map_fd,
	    int migrate_fd, int stats_fd, GArray *out);

/*
 * A SOCKET_FILTER program (type 1) used as a reuseport index selector:
 * returns payload[off..off+4) big-endian (mod hash_mod when non-zero) for
 * RP_KEY_PAYLOAD policies, 0 when the load fails, and key_const for every
 * other key source (as the model does).  map_fd >= 0: the program also
 * selects from that map with bpf_sk_select_reuseport(), which the
 * verifier refuses for this type (R-PRG-6).  Appends struct rp_insn.
 */
int	bpfgen_socket_filter(const struct rp_policy *pol, int map_fd,
	    int stats_fd, GArray *out);

/* "r0 = 0; exit": for program types the policies do not describe. */
void	bpfgen_trivial(GArray *out);

/*
 * A classic filter for SO_ATTACH_REUSEPORT_CBPF: "ret #k", or
 * "ld [off]; mod #n; ret a".  Padded at the front with "ldx #0" up to
 * cbpf->insn_count instructions (0 = 4), capped at 65535 (the u16 length
 * of struct sock_fprog).  Appends struct rp_sock_filter to out.
 */
void	bpfgen_cbpf(const struct rp_cbpf *cbpf, GArray *out);

G_END_DECLS

#endif /* SIM_BPFGEN_H */
