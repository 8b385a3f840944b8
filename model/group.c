/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * group.c - SO_REUSEPORT groups.  Models struct sock_reuseport and
 * reuseport_{alloc,add_sock,grow,detach_sock,stop_listen_sock,resurrect,
 * attach_prog,detach_prog,has_conns_set,update_incoming_cpu}() of
 * net/core/sock_reuseport.c (v4.19 and v6.18), plus reuseport_get_id() of
 * 4.19 and the reuseport IDA.
 *
 * socks[0 .. num_socks) is the listening section; since 5.14 the closed
 * section is socks[max_socks - num_closed_socks .. max_socks).  Removal
 * swaps the last entry of a section into the hole, so positions change.
 * Each socket remembers its index (reuse_pos), which makes removal O(1)
 * where the kernel scans.
 */
#include <errno.h>

#include "rp-int.h"

/* ---------------------------------------------------------------------
 * IDA: lowest free id (ida_alloc()).  A min-heap of released ids below
 * the high-water mark keeps it O(log n).
 */

void
rp_ida_init(struct rp_ida *ida)
{
	ida->next = 0;
	ida->freed = g_array_new(FALSE, FALSE, sizeof(uint32_t));
}

void
rp_ida_destroy(struct rp_ida *ida)
{
	g_array_unref(ida->freed);
}

static uint32_t *
heap(struct rp_ida *ida)
{
	return (uint32_t *)(void *)ida->freed->data;
}

/* Lowest id not in use.  Cannot fail in the model (no GFP_ATOMIC failure). */
uint32_t
rp_ida_alloc(struct rp_ida *ida)
{
	uint32_t *h, id, n, i;

	if (ida->freed->len == 0)
		return ida->next++;
	h = heap(ida);
	id = h[0];
	n = ida->freed->len - 1;
	h[0] = h[n];
	g_array_set_size(ida->freed, n);
	h = heap(ida);
	for (i = 0;;) {
		uint32_t l = 2 * i + 1, r = l + 1, m = i, t;

		if (l < n && h[l] < h[m])
			m = l;
		if (r < n && h[r] < h[m])
			m = r;
		if (m == i)
			break;
		t = h[i];
		h[i] = h[m];
		h[m] = t;
		i = m;
	}
	return id;
}

void
rp_ida_free(struct rp_ida *ida, uint32_t id)
{
	uint32_t *h, i;

	g_assert(id < ida->next);	/* LCOV_EXCL_BR_LINE */
	g_array_append_val(ida->freed, id);
	h = heap(ida);
	for (i = ida->freed->len - 1; i > 0;) {
		uint32_t p = (i - 1) / 2, t;

		if (h[p] <= h[i])
			break;
		t = h[p];
		h[p] = h[i];
		h[i] = t;
		i = p;
	}
}

/* ---------------------------------------------------------------------
 * Allocation and free
 */

static struct rp_group *
group_new(struct rp_state *st, unsigned max_socks)
{
	struct rp_group *g = g_new0(struct rp_group, 1);

	g->id = st->groups->len;
	g->max_socks = (uint16_t)max_socks;
	g->socks = g_new0(struct rp_sock *, max_socks);
	g_ptr_array_add(st->groups, g);
	return g;
}

/* Final free after a grace period: the id and the program go with it. */
void
rp_group_free_rcu(struct rp_state *st, void *obj)
{
	struct rp_group *g = obj;

	rp_rcu_assert_grace(st, "a group");
	g_free(g->socks);
	g_free(g->stale);
	g_free(g);
}

/* reuseport_free_rcu() scheduling: unreachable from now on. */
static void
group_release(struct rp_state *st, struct rp_group *g)
{
	/* LCOV_EXCL_BR_START */
	g_assert(g->num_socks + g->num_closed_socks == 0);
	/* LCOV_EXCL_BR_STOP */
	g->dead = true;
	st->groups->pdata[g->id] = NULL;
	/* KERNEL: reuseport_free_rcu(): prog freed, id back to the IDA */
	if (g->prog != NULL) {
		rp_prog_put(st, g->prog);
		g->prog = NULL;
	}
	if (g->has_id)
		rp_ida_free(&st->ida, g->reuseport_id);
	rp_emit(st, &(struct rp_event){ .kind = RP_EV_GROUP_FREE,
	    .group = g->id });
	rp_call_rcu(st, rp_group_free_rcu, g);
}

static void
group_set_id(struct rp_state *st, struct rp_group *g)
{
	g->reuseport_id = rp_ida_alloc(&st->ida);
	g->has_id = true;
	rp_emit(st, &(struct rp_event){ .kind = RP_EV_GROUP_ID,
	    .group = g->id, .val = g->reuseport_id });
}

/* ---------------------------------------------------------------------
 * Section primitives.  The caller must hold reuseport_lock.
 */

static void
set_slot(struct rp_group *g, unsigned pos, struct rp_sock *sk)
{
	g->socks[pos] = sk;
	sk->reuse_pos = pos;
}

/* __reuseport_add_sock(): append to the listening section. */
static void
add_listening(struct rp_state *st, struct rp_sock *sk, struct rp_group *g)
{
	g_assert(rp_lock_held(st));	/* LCOV_EXCL_BR_LINE */
	/* LCOV_EXCL_BR_START */
	g_assert(g->num_socks + g->num_closed_socks < g->max_socks);
	/* LCOV_EXCL_BR_STOP */
	/* as reuseport_add_sock(): slot written before num_socks++ */
	set_slot(g, g->num_socks, sk);
	g->num_socks++;
	RP_TESTCASE(g->num_socks + g->num_closed_socks == g->max_socks);
	if (st->prof->incoming_cpu && sk->incoming_cpu >= 0)
		g->incoming_cpu++;
	rp_emit(st, &(struct rp_event){ .kind = RP_EV_GROUP_ADD,
	    .group = g->id, .sock = sk->id, .idx = sk->reuse_pos });
}

/* __reuseport_detach_sock(): swap the last listening entry into the hole. */
static void
del_listening(struct rp_state *st, struct rp_sock *sk, struct rp_group *g)
{
	unsigned pos = sk->reuse_pos, last = g->num_socks - 1U;

	g_assert(rp_lock_held(st));	/* LCOV_EXCL_BR_LINE */
	/* LCOV_EXCL_BR_START */
	g_assert(pos < g->num_socks && g->socks[pos] == sk);
	/* LCOV_EXCL_BR_STOP */
	rp_emit(st, &(struct rp_event){ .kind = RP_EV_GROUP_DEL,
	    .group = g->id, .sock = sk->id, .idx = pos });
	if (pos != last) {
		set_slot(g, pos, g->socks[last]);
		rp_emit(st, &(struct rp_event){ .kind = RP_EV_GROUP_MOVE,
		    .group = g->id, .sock = g->socks[pos]->id, .idx = last,
		    .idx2 = pos });
	}
	/* KERNEL: __reuseport_detach_sock() leaves the word at last as it
	 * was: a reader that took num_socks before may read it (R-RACE-13);
	 * the model keeps it beside socks[] while a reader is in flight */
	if (!rp_rcu_idle(st)) {
		if (g->stale == NULL)
			g->stale = g_new0(struct rp_sock *, g->max_socks);
		g->stale[last] = g->socks[last];
	}
	g->socks[last] = NULL;
	g->num_socks--;
	if (st->prof->incoming_cpu && sk->incoming_cpu >= 0)
		g->incoming_cpu--;
}

/* __reuseport_add_closed_sock(): prepend to the closed section. */
static void
add_closed(struct rp_state *st, struct rp_sock *sk, struct rp_group *g)
{
	g_assert(rp_lock_held(st));	/* LCOV_EXCL_BR_LINE */
	set_slot(g, g->max_socks - g->num_closed_socks - 1U, sk);
	g->num_closed_socks++;
	rp_emit(st, &(struct rp_event){ .kind = RP_EV_GROUP_CLOSE,
	    .group = g->id, .sock = sk->id, .idx = sk->reuse_pos });
}

/* __reuseport_detach_closed_sock(): false when sk is not in the section. */
static bool
del_closed(struct rp_state *st, struct rp_sock *sk, struct rp_group *g)
{
	unsigned first = g->max_socks - g->num_closed_socks;
	unsigned pos = sk->reuse_pos;

	g_assert(rp_lock_held(st));	/* LCOV_EXCL_BR_LINE */
	if (g->num_closed_socks == 0 || pos < first)
		return false;
	g_assert(g->socks[pos] == sk);	/* LCOV_EXCL_BR_LINE */
	rp_emit(st, &(struct rp_event){ .kind = RP_EV_GROUP_DEL,
	    .group = g->id, .sock = sk->id, .idx = pos });
	if (pos != first) {
		set_slot(g, pos, g->socks[first]);
		rp_emit(st, &(struct rp_event){ .kind = RP_EV_GROUP_MOVE,
		    .group = g->id, .sock = g->socks[pos]->id, .idx = first,
		    .idx2 = pos });
	}
	g->socks[first] = NULL;
	g->num_closed_socks--;
	return true;
}

/*
 * reuseport_grow(): double the array, or at the 32768 cap evict one closed
 * socket (5.14+).  Returns the group to add to, NULL for -ENOMEM.  The
 * caller must hold reuseport_lock.
 */
static struct rp_group *
group_grow(struct rp_state *st, struct rp_group *g)
{
	unsigned more = 2U * g->max_socks;
	struct rp_group *n;

	g_assert(rp_lock_held(st));	/* LCOV_EXCL_BR_LINE */
	if (more > UINT16_MAX) {
		RP_TESTCASE(g->num_closed_socks > 0);
		if (g->num_closed_socks > 0) {
			/* KERNEL: reuseport_grow(): make room by removing a closed sk */
			struct rp_sock *victim =
			    g->socks[g->max_socks - g->num_closed_socks];

			victim->reuse = NULL;
			del_closed(st, victim, g);
			return g;
		}
		return NULL;
	}
	n = group_new(st, more);
	n->num_socks = g->num_socks;
	n->num_closed_socks = g->num_closed_socks;
	n->reuseport_id = g->reuseport_id;
	n->has_id = g->has_id;
	n->bind_inany = g->bind_inany;
	n->has_conns = g->has_conns;
	n->incoming_cpu = g->incoming_cpu;
	n->prog = g->prog;		/* shared, not re-counted */
	for (unsigned i = 0; i < g->num_socks; i++) {
		set_slot(n, i, g->socks[i]);
		n->socks[i]->reuse = n;
	}
	for (unsigned i = 0; i < g->num_closed_socks; i++) {
		unsigned from = g->max_socks - 1U - i, to = n->max_socks - 1U - i;

		set_slot(n, to, g->socks[from]);
		n->socks[to]->reuse = n;
	}
	rp_emit(st, &(struct rp_event){ .kind = RP_EV_GROUP_GROW,
	    .group = n->id, .idx = g->id, .val = n->max_socks });
	/* the old array goes without dropping the prog or the id */
	g->dead = true;
	st->groups->pdata[g->id] = NULL;
	rp_call_rcu(st, rp_group_free_rcu, g);
	return n;
}

/*
 * reuseport_resurrect() (5.14+): sk in old's closed section listens again.
 * to == old: back to the listening section; to == NULL: a brand-new group
 * without the old program.  The caller must hold reuseport_lock.
 */
static int
resurrect(struct rp_state *st, struct rp_sock *sk, struct rp_group *old,
    struct rp_group *to, bool bind_inany)
{
	g_assert(rp_lock_held(st));	/* LCOV_EXCL_BR_LINE */
	if (old == to) {
		rp_rule(st, "R-RES-1", 0);
		del_closed(st, sk, old);
		add_listening(st, sk, old);
		return 0;
	}
	if (to == NULL) {
		rp_rule(st, "R-RES-2", 0);
		to = group_new(st, RP_INIT_SOCKS);
		group_set_id(st, to);
		to->bind_inany = bind_inany;
		rp_emit(st, &(struct rp_event){ .kind = RP_EV_GROUP_NEW,
		    .group = to->id, .sock = sk->id });
	} else {
		rp_rule(st, "R-RES-3", 0);
		if (to->num_socks + to->num_closed_socks == to->max_socks) {
			to = group_grow(st, to);
			if (to == NULL)
				return -ENOMEM;
		}
	}
	del_closed(st, sk, old);
	add_listening(st, sk, to);
	sk->reuse = to;
	if (old->num_socks + old->num_closed_socks == 0)
		group_release(st, old);
	return 0;
}

/* ---------------------------------------------------------------------
 * Entry points
 */

/*
 * reuseport_alloc(): give sk a group of its own, or, when it has one,
 * only raise bind_inany (5.14+: resurrect a shut-down socket).
 */
int
rp_group_alloc(struct rp_state *st, struct rp_sock *sk, bool bind_inany)
{
	struct rp_group *g;
	int ret = 0;

	rp_lock(st);
	g = sk->reuse;
	if (g != NULL) {
		if (st->prof->migration && g->num_closed_socks > 0) {
			ret = resurrect(st, sk, g, NULL, bind_inany);
			goto out_unlock;
		}
		/* KERNEL: reuseport_alloc(): only ever sets bind_inany */
		if (bind_inany)
			g->bind_inany = true;
		rp_rule(st, "R-GRP-2", 0);
		goto out_unlock;
	}
	g = group_new(st, RP_INIT_SOCKS);
	/* KERNEL: reuseport_alloc(): 5.7+ id at creation; 4.19 lazily */
	if (!st->prof->lazy_group_id)
		group_set_id(st, g);
	g->bind_inany = bind_inany;
	rp_emit(st, &(struct rp_event){ .kind = RP_EV_GROUP_NEW,
	    .group = g->id, .sock = sk->id });
	add_listening(st, sk, g);
	sk->reuse = g;
	rp_rule(st, "R-GRP-1", 0);
out_unlock:
	rp_unlock(st);
	return ret;
}

/*
 * reuseport_add_sock(): sk joins sk2's group, giving sk2 a group first
 * when it has none (it set SO_REUSEPORT after it was hashed, or a UDP
 * socket left its group by connect()).
 *
 * The kernel chooses sk2 and adds sk under the listening bucket's lock
 * (__inet_hash() holds ilb2->lock), which sk2's unhash takes too, so sk2
 * cannot leave its group in between: the caller pins sk2 for the join
 * (rp_join_pin(), the part of the bucket lock the model needs).  When sk2
 * lost its group all the same while this thread waited for the reuseport
 * lock, RP_GROUP_ADD_AGAIN tells the caller to choose again.
 */
int
rp_group_add(struct rp_state *st, struct rp_sock *sk, struct rp_sock *sk2)
{
	struct rp_group *g, *old;
	int ret;

	if (sk2->reuse == NULL) {
		/* KERNEL: reuseport_add_sock(): reuseport_alloc(sk2, bind_inany
		 * of sk) before taking the lock for the join (R-GRP-12; the
		 * allocation reports R-GRP-1, the join R-GRP-3 below) */
		rp_rule(st, "R-GRP-12", 0);
		ret = rp_group_alloc(st, sk2, rp_addr_any(&sk->rcv_saddr));
		if (ret != 0)
			return ret;	/* LCOV_EXCL_LINE */
	}
	rp_lock(st);
	g = sk2->reuse;
	if (g == NULL) {
		rp_unlock(st);
		return RP_GROUP_ADD_AGAIN;
	}
	old = sk->reuse;
	if (old != NULL && st->prof->migration && old->num_closed_socks > 0) {
		ret = resurrect(st, sk, old, g, g->bind_inany);
		rp_unlock(st);
		return ret;
	}
	if (old != NULL && old->num_socks != 1) {
		rp_unlock(st);
		return rp_rule(st, "R-GRP-4", -EBUSY);
	}
	if (g->num_socks + g->num_closed_socks == g->max_socks) {
		g = group_grow(st, g);
		if (g == NULL) {
			rp_unlock(st);
			return rp_rule(st, "R-GROW-3", -ENOMEM);
		}
	}
	add_listening(st, sk, g);
	sk->reuse = g;
	rp_rule(st, "R-GRP-3", 0);
	if (old != NULL) {
		/* sk's own one-member group (e.g. a prog attached before
		 * listen) is freed with its program */
		old->num_socks = 0;
		old->socks[0] = NULL;
		group_release(st, old);
	}
	rp_unlock(st);
	return 0;
}

/*
 * reuseport_detach_sock(): sk leaves its group for good.  Tells the BPF
 * side first (4.19: only when the group has an id, i.e. a member was ever
 * in a sockarray).  Frees the group when it becomes empty.
 */
void
rp_group_detach_sock(struct rp_state *st, struct rp_sock *sk)
{
	struct rp_group *g;

	rp_lock(st);
	g = sk->reuse;
	if (g == NULL)
		goto out_unlock;	/* reuseport_grow() evicted it */
	if (!st->prof->lazy_group_id || g->reuseport_id != 0)
		rp_bpf_sk_reuseport_detach(st, sk);
	else
		rp_rule(st, "R-DET-3", 0);
	sk->reuse = NULL;
	if (!del_closed(st, sk, g))
		del_listening(st, sk, g);
	if (g->num_socks + g->num_closed_socks == 0)
		group_release(st, g);
out_unlock:
	rp_unlock(st);
}

/*
 * True when a TCP listener of this group migrates on stop-listen (5.14+).
 * sk is a TCP socket with a group (both callers check).
 */
bool
rp_group_migrating(const struct rp_state *st, const struct rp_sock *sk)
{
	const struct rp_group *g = sk->reuse;

	if (!st->prof->migration)
		return false;
	return sk->net->tcp_migrate_req != 0 ||
	    (g->prog != NULL && g->prog->kind == RP_PROGK_SK_REUSEPORT &&
	    g->prog->expected_attach_type ==
	    RP_ATTACH_SK_REUSEPORT_SELECT_OR_MIGRATE);
}

/*
 * reuseport_stop_listen_sock() (5.14+; 4.19 calls reuseport_detach_sock()
 * directly): a TCP listener that migrates leaves the map and moves to the
 * closed section, keeping its group pointer.
 */
void
rp_group_stop_listen(struct rp_state *st, struct rp_sock *sk)
{
	if (st->prof->migration && sk->protocol == RP_IPPROTO_TCP) {
		rp_lock(st);
		if (sk->reuse != NULL && rp_group_migrating(st, sk)) {
			struct rp_group *g = sk->reuse;
			bool listening = sk->reuse_pos < g->num_socks &&
			    g->socks[sk->reuse_pos] == sk;

			rp_rule(st, listening ? "R-DET-6" : "R-DET-11", 0);
			rp_bpf_sk_reuseport_detach(st, sk);
			if (listening) {
				del_listening(st, sk, g);
				add_closed(st, sk, g);
			} else {
				/* KERNEL: reuseport_stop_listen_sock():
				 * __reuseport_detach_sock() finds sk in no
				 * listening position (it listened again
				 * without SO_REUSEPORT and stayed in the
				 * closed section), and
				 * __reuseport_add_closed_sock() adds it to
				 * the closed section a second time; the model
				 * keeps the one entry (R-DET-11) */
				rp_known_defect(st, "reuseport_stop_listen_sock() "
				    "adds a socket already in the closed section "
				    "there a second time (5.14+): the group keeps a "
				    "pointer to it after it is freed", sk->id);
			}
			rp_unlock(st);
			return;
		}
		rp_unlock(st);
	}
	rp_group_detach_sock(st, sk);
}

/*
 * reuseport_get_id() (4.19 only): the group's id, allocated (minimum 1)
 * the first time a member enters a sockarray.  The caller must hold
 * reuseport_lock.  Cannot fail in the model.
 */
int
rp_group_get_id(struct rp_state *st, struct rp_group *g)
{
	g_assert(rp_lock_held(st));	/* LCOV_EXCL_BR_LINE */
	rp_read_group(st, g);
	if (g->reuseport_id != 0)
		return 0;
	do {
		g->reuseport_id = rp_ida_alloc(&st->ida);
	} while (g->reuseport_id == 0);		/* REUSEPORT_MIN_ID 1 */
	g->has_id = true;
	rp_emit(st, &(struct rp_event){ .kind = RP_EV_GROUP_ID,
	    .group = g->id, .val = g->reuseport_id });
	return rp_rule(st, "R-UPD-8", 0);
}

/*
 * reuseport_attach_prog(): prog replaces the group's program.  An unhashed
 * SO_REUSEPORT socket gets a group first.  Takes over the caller's
 * reference to prog on success.
 */
int
rp_group_attach_prog(struct rp_state *st, struct rp_sock *sk,
    struct rp_prog *prog)
{
	struct rp_prog *old;
	/* KERNEL: inet_create(), inet6_create(): a raw socket is hashed at
	 * socket() (its inet_num is its protocol), so it is never unhashed
	 * here and, having no group, gets -EINVAL (found by fuzz-diff: seed
	 * 6000119 on 6.1 and 6.12, 4030213 on 6.18) */
	bool hashed = sk->hashed || (sk->type == RP_SOCK_RAW &&
	    (sk->family == RP_AF_INET || sk->family == RP_AF_INET6) &&
	    !sk->raw_unhashed) ||
	    /* KERNEL: unix_create1(): an AF_UNIX socket is on a list (the
	     * unbound sockets' bucket) from socket() on, sk_node hashed;
	     * 5.10 lets it set SO_REUSEPORT (found by fuzz-diff: seed
	     * 7000003 on 5.10) */
	    sk->family == RP_AF_UNIX;
	int err;

	/* KERNEL: 4.19 allocates for an unhashed SO_REUSEPORT socket and
	 * otherwise only needs a group; 6.x refuses an unhashed socket
	 * without SO_REUSEPORT even when it has a group */
	if (!hashed && !sk->reuseport && st->prof->attach_unhashed_strict)
		return rp_rule(st, "R-ATT-4", -EINVAL);
	/* KERNEL (measured, a build variant): some builds refuse a TCP
	 * socket whose listening tcp_disconnect() stopped; others treat it
	 * as any unhashed SO_REUSEPORT socket (a new group, R-RES-2) */
	if (!hashed && sk->listen_stopped &&
	    st->prof->attach_shutdown_listener == RP_ATTACH_SHUTDOWN_EINVAL)
		return rp_rule(st, "R-ATT-4", -EINVAL);
	if (!hashed && sk->reuseport) {
		err = rp_group_alloc(st, sk, false);
		if (err != 0)
			return err;	/* LCOV_EXCL_LINE */
	} else if (sk->reuse == NULL) {
		return rp_rule(st, "R-ATT-4", -EINVAL);
	}
	rp_lock(st);
	old = sk->reuse->prog;
	rp_lock_assert_held(st, "a group's program");
	sk->reuse->prog = prog;
	rp_emit(st, &(struct rp_event){ .kind = RP_EV_GROUP_PROG,
	    .group = sk->reuse->id, .val = prog->id });
	rp_unlock(st);
	if (old != NULL)
		rp_prog_put(st, old);
	return rp_rule(st, "R-ATT-5", 0);
}

/* reuseport_detach_prog() (SO_DETACH_REUSEPORT_BPF, 5.3+). */
int
rp_group_detach_prog(struct rp_state *st, struct rp_sock *sk)
{
	struct rp_prog *old;

	if (sk->reuse == NULL)
		return rp_rule(st, "R-ATT-7",
		    sk->reuseport ? -ENOENT : -EINVAL);
	rp_lock(st);
	if (!sk->hashed && sk->reuse->num_closed_socks > 0) {
		rp_unlock(st);
		return rp_rule(st, "R-ATT-8", -ENOENT);
	}
	old = sk->reuse->prog;
	rp_lock_assert_held(st, "a group's program");
	sk->reuse->prog = NULL;
	if (old != NULL)
		rp_emit(st, &(struct rp_event){ .kind = RP_EV_GROUP_PROG,
		    .group = sk->reuse->id, .val = 0 });
	rp_unlock(st);
	if (old == NULL)
		return rp_rule(st, "R-ATT-9", -ENOENT);
	rp_prog_put(st, old);
	return rp_rule(st, "R-ATT-10", 0);
}

/*
 * reuseport_has_conns_set(): a UDP member connected (sticky).  The only
 * caller (udp_connect() in sock.c) has checked that sk has a group.
 */
void
rp_group_has_conns_set(struct rp_state *st, struct rp_sock *sk)
{
	rp_lock(st);
	rp_lock_assert_held(st, "a group's has_conns");
	sk->reuse->has_conns = true;
	rp_unlock(st);
}

/* reuseport_update_incoming_cpu() (6.1+); plain store before. */
void
rp_group_incoming_cpu_update(struct rp_state *st, struct rp_sock *sk, int val)
{
	int old = sk->incoming_cpu;

	if (!st->prof->incoming_cpu || sk->reuse == NULL) {
		sk->incoming_cpu = val;
		return;
	}
	rp_lock(st);
	sk->incoming_cpu = val;
	/* only listening members are counted */
	rp_lock_assert_held(st, "a group's incoming_cpu count");
	if (sk->reuse_pos < sk->reuse->num_socks) {
		if (old < 0 && val >= 0)
			sk->reuse->incoming_cpu++;
		else if (old >= 0 && val < 0)
			sk->reuse->incoming_cpu--;
	}
	rp_unlock(st);
}
