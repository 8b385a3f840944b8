/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * select.c - reuseport selection: reuseport_select_sock() with the hash
 * fallback (reuseport_select_sock_by_hash()), classic/socket-filter index
 * programs (run_bpf_filter()), SK_REUSEPORT programs (bpf_run_sk_reuseport())
 * with bpf_sk_select_reuseport() (sk_select_reuseport(), net/core/filter.c),
 * and migration of a closed listener's children (reuseport_migrate_sock(),
 * 5.14+).  A program is a policy (struct rp_policy) or instructions,
 * which ebpf.c and cbpf.c run; a program that faults leaves the packet to
 * the hash, as a group without a program would (R-EBPF-13).
 */
#include <errno.h>
#include <string.h>

#include "rp-int.h"

/* A deterministic stand-in for inet_ehashfn()/udp_ehashfn() (FNV-1a). */
uint32_t
rp_flow_hash(const struct rp_packet *pkt)
{
	uint32_t h = 2166136261u;
	size_t n = pkt->src.addr.family == RP_AF_INET ? 4 : 16;
	const uint8_t *parts[2] = { pkt->src.addr.a, pkt->dst.addr.a };

	for (int p = 0; p < 2; p++)
		for (size_t i = 0; i < n; i++)
			h = (h ^ parts[p][i]) * 16777619u;
	h = (h ^ (pkt->src.port >> 8)) * 16777619u;
	h = (h ^ (pkt->src.port & 0xff)) * 16777619u;
	h = (h ^ (pkt->dst.port >> 8)) * 16777619u;
	h = (h ^ (pkt->dst.port & 0xff)) * 16777619u;
	return h;
}

/* reciprocal_scale(): (hash * n) >> 32 */
static unsigned
reciprocal_scale(uint32_t hash, unsigned n)
{
	return (unsigned)(((uint64_t)hash * n) >> 32);
}

/*
 * socks[i] of g as a reader that took n = num_socks earlier sees it: past
 * today's listening section, the word a detach left there (R-RACE-13).
 */
static struct rp_sock *
member_at(struct rp_state *st, const struct rp_group *g, unsigned i)
{
	/* a read of the group's array, for the explorer's footprints: a
	 * detach between the program's helper calls and this read moves
	 * what it finds */
	rp_read_group(st, g);
	if (i < g->num_socks)
		return g->socks[i];
	/* LCOV_EXCL_BR_START: kept whenever a reader was in flight */
	g_assert(g->stale != NULL && g->stale[i] != NULL);
	/* LCOV_EXCL_BR_STOP */
	rp_rule(st, "R-RACE-13", 0);
	return g->stale[i];
}

/*
 * reuseport_select_sock_by_hash(): 4.19.0 takes socks[scale(hash)];
 * 5.4+ walks on from there past connected (ESTABLISHED) sockets; 6.1+
 * prefers a socket whose SO_INCOMING_CPU is the current CPU.
 */
static struct rp_sock *
select_by_hash(struct rp_state *st, struct rp_group *g, uint32_t hash,
    unsigned n)
{
	struct rp_sock *first = NULL;
	unsigned i, j;

	rp_rcu_assert_reader(st, "a group's members");
	i = j = reciprocal_scale(hash, n);
	if (!st->prof->has_conns) {
		struct rp_sock *sk = member_at(st, g, i);

		rp_rule(st, "R-SEL-4", 0);
		rp_read_sock(st, sk);
		return sk;
	}
	do {
		struct rp_sock *sk = member_at(st, g, i);

		rp_read_sock(st, sk);
		if (sk->state != RP_TCP_ESTABLISHED) {
			if (!st->prof->incoming_cpu || g->incoming_cpu == 0) {
				rp_rule(st, "R-SEL-5", 0);
				return sk;
			}
			if (sk->incoming_cpu == (int)st->cpu) {
				rp_rule(st, "R-SEL-6", 0);
				return sk;
			}
			if (first == NULL)
				first = sk;
		}
		if (++i >= n)
			i = 0;
	} while (i != j);
	rp_rule(st, first != NULL ? "R-SEL-6" : "R-SEL-5", 0);
	return first;
}

/* Payload bytes [off, off+width) as an integer; false when out of range. */
static bool
load_bytes(const struct rp_packet *pkt, uint32_t off, uint32_t width,
    bool big_endian, uint32_t *out)
{
	uint32_t v = 0;

	if (pkt == NULL || width == 0 || width > 4 ||
	    (uint64_t)off + width > pkt->len)
		return false;
	for (uint32_t i = 0; i < width; i++) {
		uint32_t byte = pkt->payload[off + i];

		if (big_endian)
			v = v << 8 | byte;
		else
			v |= byte << (8 * i);
	}
	*out = v;
	return true;
}

/*
 * run_bpf_filter(): a classic (or SOCKET_FILTER) program returns an index
 * into socks[].  A failed packet load makes a classic program return 0.
 * *fault: an instruction program faulted.
 */
static struct rp_sock *
run_index_prog(struct rp_state *st, struct rp_group *g, struct rp_prog *prog,
    struct rp_select_ctx *ctx, unsigned n, bool *fault)
{
	const struct rp_packet *pkt = ctx->pkt;
	struct rp_sock *sk;
	uint32_t idx;

	*fault = false;
	if (prog->code != NULL || prog->ccode != NULL) {
		if (!rp_bpf_run_filter(st, ctx, prog, &idx)) {
			*fault = true;
			return NULL;
		}
	} else if (!prog->cbpf.payload_index)
		idx = prog->cbpf.k;
	else if (!load_bytes(pkt, prog->cbpf.off, 4, true, &idx))
		idx = 0;	/* KERNEL: classic BPF aborts with return 0 */
	if (prog->code == NULL && prog->ccode == NULL &&
	    prog->cbpf.payload_index && prog->cbpf.mod != 0)
		idx %= prog->cbpf.mod;
	if (idx >= n) {
		rp_rule(st, "R-SEL-3", 0);
		return NULL;
	}
	rp_rule(st, "R-SEL-3", 0);
	sk = member_at(st, g, idx);
	rp_read_sock(st, sk);
	return sk;
}

/* Socket in slot key of a selection map (map_lookup_elem of the helper). */
static struct rp_sock *
map_lookup_sk(struct rp_state *st, struct rp_map *m, uint32_t key)
{
	rp_read_map(st, m);
	switch (m->type) {	/* LCOV_EXCL_BR_LINE */
	case RP_MAP_REUSEPORT_SOCKARRAY:
		return rp_sockarray_lookup_sk(st, m, key);
	case RP_MAP_SOCKMAP:
	case RP_MAP_SOCKHASH:
		return rp_sockmap_lookup_sk(st, m, key);
	default:	/* LCOV_EXCL_LINE */
		g_assert_not_reached();	/* LCOV_EXCL_LINE */
	}
}

/*
 * bpf_sk_select_reuseport(ctx, map, key, 0).  Returns 0 and sets
 * *selected, or a negative errno and leaves *selected alone.  Policy
 * programs and the helper of instruction programs (helpers.c) both come
 * here.
 */
int
rp_sk_select_reuseport(struct rp_state *st, struct rp_select_ctx *ctx,
    uint32_t ctx_id, struct rp_map *m, uint32_t key,
    struct rp_sock **selected)
{
	struct rp_sock *sel = map_lookup_sk(st, m, key);
	struct rp_group *reuse;
	bool is_sockarray = m->type == RP_MAP_REUSEPORT_SOCKARRAY;

	if (sel == NULL)
		return rp_rule(st, "R-HLP-1", -ENOENT);
	rp_read_sock(st, sel);
	rp_read_sock(st, ctx->sk);
	reuse = sel->reuse;
	if (reuse == NULL)
		/* KERNEL: unhashed sockarray member: -ENOENT; 5.7+ a sockmap
		 * socket that never was in a group: -EINVAL */
		return rp_rule(st, is_sockarray ? "R-HLP-2a" :
		    "R-HLP-2b", is_sockarray ? -ENOENT : -EINVAL);
	if (reuse->reuseport_id != ctx_id) {
		if (st->prof->helper_enoent_id0 && ctx_id == 0)
			return rp_rule(st, "R-HLP-3a", -ENOENT);
		if (ctx->sk->protocol != sel->protocol)
			return rp_rule(st, "R-HLP-3b", -EPROTOTYPE);
		if (ctx->sk->family != sel->family)
			return rp_rule(st, "R-HLP-3c", -EAFNOSUPPORT);
		return rp_rule(st, "R-HLP-3d", -EBADFD);
	}
	*selected = sel;
	return rp_rule(st, "R-HLP-4", 0);
}

/* The map a policy selects from, or NULL (outer slot empty). */
static struct rp_map *
policy_map(struct rp_state *st, struct rp_prog *prog)
{
	if (prog->map == NULL)
		return NULL;
	rp_read_map(st, prog->map);
	if (!prog->pol.via_outer)
		return prog->map;
	return rp_outer_lookup_map(st, prog->map, prog->pol.outer_key);
}

/*
 * Run an SK_REUSEPORT policy: returns the verdict (SK_PASS/SK_DROP) and the
 * selected socket (NULL: none).  *helper_err gets the helper's result (0
 * when it was not called... or succeeded).
 */
static int
run_policy(struct rp_state *st, struct rp_select_ctx *ctx, uint32_t ctx_id,
    struct rp_prog *prog, struct rp_sock **selected, int *helper_err)
{
	const struct rp_policy *pol = &prog->pol;
	struct rp_map *m;
	uint32_t key = 0;
	int err;

	*helper_err = 0;
	if (pol->always_drop)
		return RP_SK_DROP;
	if (pol->always_pass)
		return RP_SK_PASS;
	if (pol->migrate_only && ctx->migrating == NULL)
		return RP_SK_PASS;
	switch (pol->key_src) {	/* LCOV_EXCL_BR_LINE */
	case RP_KEY_CONST:
		key = pol->key_const;
		break;
	case RP_KEY_PAYLOAD:
		if (!load_bytes(ctx->pkt, pol->off, pol->width,
		    pol->big_endian, &key))
			return RP_SK_DROP;	/* program's own data check */
		break;
	case RP_KEY_HASH:
		key = pol->hash_mod != 0 ? ctx->hash % pol->hash_mod :
		    ctx->hash;
		break;
	case RP_KEY_MIGRATE: {
		uint64_t cookie = rp_sock_gen_cookie(st, ctx->sk);
		gpointer v;

		if (prog->migrate == NULL ||
		    !g_hash_table_lookup_extended(prog->migrate, &cookie,
		    NULL, &v))
			return RP_SK_DROP;
		key = GPOINTER_TO_UINT(v);
		break;
	}
	}
	m = policy_map(st, prog);
	if (m == NULL)
		return RP_SK_DROP;	/* outer slot empty: program drops */
	err = rp_sk_select_reuseport(st, ctx, ctx_id, m, key, selected);
	*helper_err = err;
	if (err != 0)
		return pol->pass_on_error ? RP_SK_PASS : RP_SK_DROP;
	return RP_SK_PASS;
}

/*
 * bpf_run_sk_reuseport(): SK_PASS -> the selection (NULL = none, hash
 * decides); anything else -> drop.  *fault: an instruction program
 * faulted (no selection, no drop).
 */
static struct rp_sock *
run_sk_reuseport(struct rp_state *st, struct rp_select_ctx *ctx,
    struct rp_group *g, struct rp_prog *prog, bool *dropped, bool *fault)
{
	struct rp_sock *selected = NULL;
	int verdict, herr;

	*fault = false;
	if (prog->code != NULL)
		verdict = rp_bpf_run_reuseport(st, ctx, g, prog, &selected,
		    &herr, fault);
	else
		verdict = run_policy(st, ctx, g->reuseport_id, prog, &selected,
		    &herr);
	rp_emit(st, &(struct rp_event){ .kind = RP_EV_PROG_RUN,
	    .group = g->id, .sock = ctx->sk->id, .val = (uint64_t)verdict,
	    .err = herr, .sock2 = selected != NULL ? selected->id : 0,
	    .what = *fault ? "fault" : NULL });
	if (ctx->out != NULL) {
		ctx->out->prog_ret = *fault ? -1 : verdict;
		ctx->out->helper_err = herr;
		ctx->out->prog_fault = *fault;
	}
	if (*fault) {
		rp_rule(st, "R-EBPF-13", -EFAULT);
		return NULL;
	}
	if (verdict != RP_SK_PASS) {
		rp_rule(st, "R-RUN-2", -ECONNREFUSED);
		rp_rule(st, "R-SEL-7", -ECONNREFUSED);
		*dropped = true;
		return NULL;
	}
	rp_rule(st, "R-RUN-1", 0);
	return selected;
}

/*
 * reuseport_select_sock(): the group member that receives the packet, NULL
 * to let the lookup use ctx->sk, or *dropped for SK_DROP.  The caller must
 * be in an RCU read-side section.  Only the packet lookup calls it, for a
 * socket that has a group (R-SEL-1: a socket without one is its own
 * answer), with a packet and a delivery record (ctx->out).
 */
struct rp_sock *
rp_reuseport_select(struct rp_state *st, struct rp_select_ctx *ctx,
    bool *dropped)
{
	struct rp_group *g = ctx->sk->reuse;
	struct rp_sock *sk2 = NULL;
	enum rp_select_how how = RP_HOW_HASH;
	bool fault = false;
	unsigned n, ran = 0;

	g_assert(rp_rcu_read_held(st));	/* LCOV_EXCL_BR_LINE */
	*dropped = false;
	rp_read_sock(st, ctx->sk);
	rp_read_group(st, g);
	n = g->num_socks;
	if (n == 0) {
		rp_rule(st, "R-SEL-2", 0);
		return NULL;
	}
	if (g->prog != NULL) {
		ran = g->prog->id;
		if (g->prog->kind == RP_PROGK_SK_REUSEPORT) {
			sk2 = run_sk_reuseport(st, ctx, g, g->prog, dropped,
			    &fault);
			if (*dropped)
				goto out;
			how = RP_HOW_PROG;
		} else {
			sk2 = run_index_prog(st, g, g->prog, ctx, n, &fault);
			how = RP_HOW_CBPF;
			if (fault && ctx->out != NULL)
				ctx->out->prog_fault = true;
		}
	}
	if (sk2 == NULL) {
		sk2 = select_by_hash(st, g, ctx->hash, n);
		how = RP_HOW_HASH;
	}
out:
	ctx->out->how = how;
	ctx->out->group = g->id;
	rp_emit(st, &(struct rp_event){ .kind = RP_EV_SELECT, .group = g->id,
	    .sock = sk2 != NULL ? sk2->id : 0,
	    .what = *dropped ? "drop" : how == RP_HOW_PROG ? "prog" :
	    how == RP_HOW_CBPF ? "cbpf" : "hash" });
	/* for explain: which member the program's run led to */
	if (G_UNLIKELY(st->bpf_obs != NULL) && ran != 0)
		rp_bpf_note(st, ran, 0, &(struct rp_bpf_event){
		    .kind = RP_BPF_EV_SELECT, .val = (uint64_t)(int64_t)
		    ctx->out->prog_ret, .sock = sk2 != NULL ? sk2->id : 0,
		    .text = *dropped ? "drop" : how == RP_HOW_PROG ? "prog" :
		    how == RP_HOW_CBPF ? "cbpf" : "hash" });
	return sk2;
}

/*
 * reuseport_migrate_sock() without a migrate program to run (none, or
 * one the model cannot run): net.ipv4.tcp_migrate_req decides.  Off: no
 * migration (NULL, R-MIG-2); on: a member of g by child's hash (R-MIG-3).
 * The caller holds the RCU read lock.
 */
static struct rp_sock *
migrate_by_sysctl(struct rp_state *st, struct rp_sock *sk, struct rp_group *g,
    struct rp_sock *child)
{
	if (sk->net->tcp_migrate_req == 0) {
		rp_rule(st, "R-MIG-2", 0);
		return NULL;
	}
	rp_rule(st, "R-MIG-3", 0);
	return select_by_hash(st, g, child->hash, g->num_socks);
}

/*
 * reuseport_migrate_sock() (5.14+): where a child or request of the
 * stopped listener sk goes; NULL = it is dropped.  len is the ctx len a
 * migrate program sees (0 at close and at SYN+ACK retransmit).
 */
struct rp_sock *
rp_reuseport_migrate(struct rp_state *st, struct rp_sock *sk,
    struct rp_sock *child, int len)
{
	struct rp_group *g;
	struct rp_prog *prog;
	struct rp_sock *nsk = NULL;
	struct rp_packet empty = { .protocol = RP_IPPROTO_TCP,
	    .len = (size_t)(len > 0 ? len : 0) };
	static const uint8_t zeros[64];

	rp_rcu_read_lock(st);
	g = sk->reuse;
	if (g == NULL || g->num_socks == 0) {
		rp_rule(st, "R-MIG-1", 0);
		goto out;
	}
	prog = g->prog;
	if (prog == NULL || prog->kind != RP_PROGK_SK_REUSEPORT ||
	    prog->expected_attach_type !=
	    RP_ATTACH_SK_REUSEPORT_SELECT_OR_MIGRATE) {
		nsk = migrate_by_sysctl(st, sk, g, child);
		goto check_alive;
	}
	empty.payload = zeros;
	if (empty.len > sizeof(zeros))
		empty.len = sizeof(zeros);	/* LCOV_EXCL_LINE */
	{
		struct rp_select_ctx ctx = { .pkt = &empty, .hash = child->hash,
		    .sk = sk, .migrating = child };
		bool dropped = false, fault = false;

		nsk = run_sk_reuseport(st, &ctx, g, prog, &dropped, &fault);
		/* a program the kernel would not have loaded: only the
		 * sysctl can migrate */
		if (fault) {
			nsk = migrate_by_sysctl(st, sk, g, child);
			goto check_alive;
		}
		if (dropped) {
			rp_rule(st, "R-MIG-4", 0);
			nsk = NULL;
			goto out;
		}
		if (nsk == NULL)
			nsk = select_by_hash(st, g, child->hash, g->num_socks);
		rp_rule(st, "R-MIG-5", 0);
	}
check_alive:
	/* the target must still be alive (refcount_inc_not_zero()) */
	if (nsk != NULL && (nsk->dead || nsk->state != RP_TCP_LISTEN))
		nsk = NULL;
out:
	rp_rcu_read_unlock(st);
	return nsk;
}
