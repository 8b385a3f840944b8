/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * check-step.c - the incremental invariant checker: rp_check_step() checks
 * I1-I13 (docs/invariants.md) only where the model changed since the
 * previous call, so a step costs what the step touched, not the size of
 * the state.  rp_check() (check.c) stays the full walk and the reference:
 * whenever a local check here finds something wrong, rp_check() runs and
 * its verdict and message are the ones returned.  So a failure reads the
 * same either way, and this file only has to be complete: find every
 * violation rp_check() would find, and raise no alarm it would not.
 *
 * The dirty set.  The model marks what it writes: every event names the
 * sockets, groups, maps, slots and socks[] positions it changed
 * (rp_chk_event(), called by rp_emit()), and the few writes that emit no
 * event mark their objects directly (rp_dirty_*() in rp-int.h: bucket
 * links, the members a group growth re-points, a program freed, ...).
 * Marking is off until the first rp_check_step() on a state.
 *
 * The shadow.  For each object the checker keeps what it verified last
 * (a socket's group and position, owner map, cookie, bucket; a group's
 * sizes, id, program and join key; every map entry's occupant), and from
 * it counters that cross objects: the live sockets pointing at each
 * group, the sockarray slots and sockmap entries holding each socket,
 * the owner words, programs and outer entries naming each map, the
 * claims on each bind bucket, an index of group ids and of cookies.  A
 * step first moves the counters from the old to the new state of each
 * dirty object, then checks each dirty object locally and each touched
 * counter against what the model says (num_socks + num_closed_socks, a
 * map's used count, a bucket's length, ...).  An invariant that relates
 * two objects is then checked when either changes: from the changed side,
 * or through a counter that the change moved.
 *
 * Pointers are followed only when a registry (pointer -> id, kept for the
 * live sockets, groups, maps and programs) knows them, as in check.c.
 *
 * After a failure the shadow no longer describes a valid state; the next
 * call starts again from scratch (every object dirty), which is also what
 * the first call does.  Costs: a step is O(objects it marked, plus the
 * positions between the old and new section bounds of a marked group);
 * a group that grew, or is new, is walked whole (amortised O(1) a
 * member, as the growth itself); a rebuild is O(state).
 */
#include <string.h>

#include "rp-int.h"

/* ---------------------------------------------------------------------
 * Shadow records
 */

/* What a group's members share (I10), as check_group_join() compares. */
struct joinkey {
	const struct rp_netns	*net;
	int			family, protocol;
	uint16_t		num;
	struct rp_addr		addr;
	int			dev;
	bool			v6only;
	uint32_t		uid;
};

struct sk_shadow {
	const struct rp_sock	*ptr;		/* verified socket, NULL: none */
	uint64_t		cookie;		/* indexed when counted and != 0 */
	uint64_t		bkey;		/* bucket key when bound */
	unsigned		cookie_ns;
	unsigned		gid;		/* group (counted), or 0 */
	unsigned		pos;		/* its reuse_pos */
	unsigned		owner_mid;	/* map of a SLOT owner word, or 0 */
	unsigned		nslots;		/* live sockarray slots holding it */
	unsigned		npsock;		/* live sockmap entries holding it */
	bool			dirty;
	bool			counted;	/* the contributions below are in */
	bool			cpu;		/* a listening member with a CPU */
	bool			slotted;	/* counted in its group's slotted */
	bool			bound;		/* counted in its bucket's claims */
	bool			listed;		/* ... and in its listen claims */
};

struct g_shadow {
	const struct rp_group	*ptr;
	unsigned		n, nc, max;	/* verified section sizes */
	uint32_t		rid;		/* indexed when has_id */
	bool			has_id;
	bool			dirty;
	bool			scanned;	/* every position checked this step */
	bool			rescan;		/* check every member's join key */
	bool			key_valid;	/* key is socks[0]'s (n >= 1) */
	unsigned		prog_pid;	/* its program, counted there */
	struct joinkey		key;
	/* counters moved by the sockets */
	unsigned		claims;		/* live sockets pointing here */
	unsigned		cpu;		/* listening ones with a CPU */
	unsigned		slotted;	/* ones in a sockarray slot */
};

struct m_shadow {
	const struct rp_map	*ptr;
	uint32_t		type;
	bool			dirty;
	bool			has_entries;	/* entries (or hash) set up */
	struct rp_slots		entries;	/* array maps: occupant ids */
	GHashTable		*hentries;	/* hash maps: key -> occupant id */
	unsigned		occupied;
	/* counters moved by others */
	unsigned		owners;		/* SLOT owner words naming it */
	unsigned		progrefs;	/* programs selecting from it */
	unsigned		outerrefs;	/* outer-map entries holding it */
};

struct p_shadow {
	const struct rp_prog	*ptr;
	unsigned		map_mid;	/* counted in that map's progrefs */
	bool			dirty;
	unsigned		grouprefs;	/* groups running it */
};

/* Claims on one bind bucket, by (netns, protocol, port). */
struct b_shadow {
	gint64			key;		/* the hash table's key */
	unsigned		netns;
	int			protocol;
	uint16_t		port;
	unsigned		bound;		/* sockets holding the port */
	unsigned		listen;		/* ... in its listening chain */
	bool			touched;
};

struct cookie_entry {
	uint64_t		cookie;
	unsigned		ns;		/* 0 when cookies are global */
	unsigned		count;
};

struct pair {
	unsigned		id;
	uint32_t		idx;
};

struct idlist {
	unsigned		*v;
	size_t			n, cap;
};

struct pairlist {
	struct pair		*v;
	size_t			n, cap;
};

struct rp_chk {
	bool			ready;		/* the shadow describes the state */
	bool			alarm;		/* a local check failed this step */
	unsigned		fault;		/* enum rp_chk_fault bits (tests) */
	struct rp_check_stats	stats;
	/* shadows, by id; n* is the number of ids covered */
	struct sk_shadow	*sk;
	struct g_shadow		*g;
	struct m_shadow		*m;
	struct p_shadow		*p;
	size_t			nsk, ng, nm, np;
	/* registries of live objects: pointer -> id */
	GHashTable		*sk_reg, *g_reg, *m_reg, *p_reg;
	/* dirty sets; seen_*: table lengths at the last step */
	struct idlist		dsk, dg, dm, dp;
	guint			seen_sk, seen_g, seen_m, seen_p;
	struct pairlist		dslot;		/* (map id, key) */
	struct pairlist		dpos;		/* (group id, position) */
	/* indexes */
	GHashTable		*ids;		/* reuseport_id -> live groups */
	GHashTable		*cookies;	/* struct cookie_entry set */
	GHashTable		*buckets;	/* &key -> struct b_shadow */
	GPtrArray		*touched_buckets;
	GArray			*touched_ids;	/* uint32_t */
};

/* ---------------------------------------------------------------------
 * Small containers
 */

static void
idlist_push(struct idlist *l, unsigned id)
{
	if (l->n == l->cap) {
		l->cap = l->cap != 0 ? 2 * l->cap : 64;
		l->v = g_renew(unsigned, l->v, l->cap);
	}
	l->v[l->n++] = id;
}

static void
pairlist_push(struct pairlist *l, unsigned id, uint32_t idx)
{
	if (l->n == l->cap) {
		l->cap = l->cap != 0 ? 2 * l->cap : 64;
		l->v = g_renew(struct pair, l->v, l->cap);
	}
	l->v[l->n].id = id;
	l->v[l->n].idx = idx;
	l->n++;
}

/* Empty a list; give back a large buffer (a map free marks every slot). */
static void
idlist_reset(struct idlist *l)
{
	l->n = 0;
	if (l->cap > 65536) {
		g_clear_pointer(&l->v, g_free);
		l->cap = 0;
	}
}

static void
pairlist_reset(struct pairlist *l)
{
	l->n = 0;
	if (l->cap > 65536) {
		g_clear_pointer(&l->v, g_free);
		l->cap = 0;
	}
}

/* Grow an id-indexed shadow array to cover id; new records are zero. */
#define SHADOW_COVER(arr, n, id) do {					\
	if ((size_t)(id) >= (n)) {					\
		size_t more_ = MAX((size_t)(id) + 1, 2 * (n));		\
		(arr) = g_renew(__typeof__(*(arr)), (arr), more_);	\
		memset(&(arr)[(n)], 0, (more_ - (n)) * sizeof(*(arr)));	\
		(n) = more_;						\
	}								\
} while (0)

static guint
cookie_hash(gconstpointer p)
{
	const struct cookie_entry *e = p;

	return (guint)(e->cookie ^ (e->cookie >> 32)) * 31u + e->ns;
}

static gboolean
cookie_eq(gconstpointer x, gconstpointer y)
{
	const struct cookie_entry *a = x, *b = y;

	return a->cookie == b->cookie && a->ns == b->ns;
}

/* ---------------------------------------------------------------------
 * Marking (the model calls these; cheap, and nothing when checking is off)
 */

void
rp_chk_mark_sock(struct rp_chk *c, unsigned id)
{
	if (id == 0)
		return;
	SHADOW_COVER(c->sk, c->nsk, id);
	if (!c->sk[id].dirty) {
		c->sk[id].dirty = true;
		idlist_push(&c->dsk, id);
	}
}

void
rp_chk_mark_group(struct rp_chk *c, unsigned id)
{
	if (id == 0)
		return;
	SHADOW_COVER(c->g, c->ng, id);
	if (!c->g[id].dirty) {
		c->g[id].dirty = true;
		idlist_push(&c->dg, id);
	}
}

void
rp_chk_mark_map(struct rp_chk *c, unsigned id)
{
	if (id == 0)
		return;
	SHADOW_COVER(c->m, c->nm, id);
	if (!c->m[id].dirty) {
		c->m[id].dirty = true;
		idlist_push(&c->dm, id);
	}
}

void
rp_chk_mark_prog(struct rp_chk *c, unsigned id)
{
	if (id == 0)
		return;
	SHADOW_COVER(c->p, c->np, id);
	if (!c->p[id].dirty) {
		c->p[id].dirty = true;
		idlist_push(&c->dp, id);
	}
}

void
rp_chk_mark_slot(struct rp_chk *c, unsigned map, uint32_t key)
{
	rp_chk_mark_map(c, map);
	pairlist_push(&c->dslot, map, key);
}

void
rp_chk_mark_pos(struct rp_chk *c, unsigned group, uint32_t pos)
{
	rp_chk_mark_group(c, group);
	pairlist_push(&c->dpos, group, pos);
}

static struct b_shadow	*bucket_claims(struct rp_chk *, unsigned netns,
			    int protocol, uint16_t port);

void
rp_chk_mark_bucket(struct rp_chk *c, unsigned netns, int protocol,
    uint16_t port)
{
	bucket_claims(c, netns, protocol, port);
}

/* The objects and places an event says changed. */
void
rp_chk_event(struct rp_state *st, const struct rp_event *ev)
{
	struct rp_chk *c = st->chk;

	switch (ev->kind) {	/* LCOV_EXCL_BR_LINE */
	case RP_EV_SOCK_NEW:
	case RP_EV_SOCK_STATE:
	case RP_EV_SOCK_HASH:
	case RP_EV_SOCK_UNHASH:
	case RP_EV_SOCK_FREE:
	case RP_EV_OWNER_CLEAR:
	case RP_EV_OWNER_FOREIGN:
	case RP_EV_COOKIE:
	case RP_EV_CB_LOCK:
	case RP_EV_CB_UNLOCK:
		rp_chk_mark_sock(c, ev->sock);
		break;
	case RP_EV_OWNER_SET:
		rp_chk_mark_sock(c, ev->sock);
		rp_chk_mark_map(c, ev->map);
		break;
	case RP_EV_SLOT_SET:
	case RP_EV_SLOT_CLEAR:
		if (c->fault & RP_CHK_FAULT_SLOT_MARKS)
			break;
		rp_chk_mark_slot(c, ev->map, ev->idx);
		rp_chk_mark_sock(c, ev->sock);
		rp_chk_mark_map(c, ev->map2);
		break;
	case RP_EV_GROUP_NEW:
	case RP_EV_GROUP_ID:
	case RP_EV_GROUP_PROG:
	case RP_EV_GROUP_FREE:
		rp_chk_mark_group(c, ev->group);
		rp_chk_mark_sock(c, ev->sock);
		break;
	case RP_EV_GROUP_ADD:
	case RP_EV_GROUP_DEL:
	case RP_EV_GROUP_CLOSE:
		rp_chk_mark_pos(c, ev->group, ev->idx);
		rp_chk_mark_sock(c, ev->sock);
		break;
	case RP_EV_GROUP_MOVE:
		rp_chk_mark_pos(c, ev->group, ev->idx);
		rp_chk_mark_pos(c, ev->group, ev->idx2);
		rp_chk_mark_sock(c, ev->sock);
		break;
	case RP_EV_GROUP_GROW:
		/* the new array is checked whole; idx is the old group */
		rp_chk_mark_group(c, ev->group);
		rp_chk_mark_group(c, ev->idx);
		break;
	case RP_EV_MAP_NEW:
	case RP_EV_MAP_FREE:
		rp_chk_mark_map(c, ev->map);
		break;
	case RP_EV_MIGRATE:
		rp_chk_mark_sock(c, ev->sock);
		rp_chk_mark_sock(c, ev->sock2);
		break;
	case RP_EV_LOCK:
	case RP_EV_UNLOCK:
	case RP_EV_RCU_LOCK:
	case RP_EV_RCU_UNLOCK:
	case RP_EV_RCU_SYNC:
	case RP_EV_PROG_RUN:
	case RP_EV_SELECT:
	case RP_EV_RULE:
	case RP_EV_KNOWN_DEFECT:
		break;	/* global state, checked at every step */
	}
}

/* ---------------------------------------------------------------------
 * Set-up and reset
 */

static void
m_shadow_clear(struct m_shadow *ms)
{
	if (ms->has_entries)
		rp_slots_clear(&ms->entries);
	if (ms->hentries != NULL)
		g_hash_table_unref(ms->hentries);
	memset(ms, 0, sizeof(*ms));
}

static struct rp_chk *
chk_new(void)
{
	struct rp_chk *c = g_new0(struct rp_chk, 1);

	c->sk_reg = g_hash_table_new(g_direct_hash, NULL);
	c->g_reg = g_hash_table_new(g_direct_hash, NULL);
	c->m_reg = g_hash_table_new(g_direct_hash, NULL);
	c->p_reg = g_hash_table_new(g_direct_hash, NULL);
	c->ids = g_hash_table_new(g_direct_hash, NULL);
	c->cookies = g_hash_table_new_full(cookie_hash, cookie_eq, g_free,
	    NULL);
	c->buckets = g_hash_table_new_full(g_int64_hash, g_int64_equal, NULL,
	    g_free);
	c->touched_buckets = g_ptr_array_new();
	c->touched_ids = g_array_new(FALSE, FALSE, sizeof(uint32_t));
	return c;
}

/* Forget everything verified; the dirty lists are emptied too. */
static void
chk_reset(struct rp_chk *c)
{
	for (size_t i = 0; i < c->nm; i++)
		m_shadow_clear(&c->m[i]);
	g_clear_pointer(&c->sk, g_free);
	g_clear_pointer(&c->g, g_free);
	g_clear_pointer(&c->m, g_free);
	g_clear_pointer(&c->p, g_free);
	c->nsk = c->ng = c->nm = c->np = 0;
	c->seen_sk = c->seen_g = c->seen_m = c->seen_p = 0;
	g_hash_table_remove_all(c->sk_reg);
	g_hash_table_remove_all(c->g_reg);
	g_hash_table_remove_all(c->m_reg);
	g_hash_table_remove_all(c->p_reg);
	g_hash_table_remove_all(c->ids);
	g_hash_table_remove_all(c->cookies);
	g_hash_table_remove_all(c->buckets);
	g_ptr_array_set_size(c->touched_buckets, 0);
	g_array_set_size(c->touched_ids, 0);
	idlist_reset(&c->dsk);
	idlist_reset(&c->dg);
	idlist_reset(&c->dm);
	idlist_reset(&c->dp);
	pairlist_reset(&c->dslot);
	pairlist_reset(&c->dpos);
	c->ready = false;
}

void
rp_chk_free(struct rp_chk *c)
{
	if (c == NULL)
		return;
	chk_reset(c);
	g_free(c->dsk.v);
	g_free(c->dg.v);
	g_free(c->dm.v);
	g_free(c->dp.v);
	g_free(c->dslot.v);
	g_free(c->dpos.v);
	g_hash_table_unref(c->sk_reg);
	g_hash_table_unref(c->g_reg);
	g_hash_table_unref(c->m_reg);
	g_hash_table_unref(c->p_reg);
	g_hash_table_unref(c->ids);
	g_hash_table_unref(c->cookies);
	g_hash_table_unref(c->buckets);
	g_ptr_array_unref(c->touched_buckets);
	g_array_unref(c->touched_ids);
	g_free(c);
}

/* Mark the whole state: the next step checks (and records) everything. */
static void
mark_all(struct rp_state *st, struct rp_chk *c)
{
	for (guint i = 1; i < st->socks->len; i++)
		rp_chk_mark_sock(c, i);
	for (guint i = 1; i < st->groups->len; i++)
		rp_chk_mark_group(c, i);
	for (guint i = 1; i < st->progs->len; i++)
		rp_chk_mark_prog(c, i);
	for (guint i = 1; i < st->maps->len; i++) {
		const struct rp_map *m = st->maps->pdata[i];
		GHashTableIter it;
		gpointer k;

		rp_chk_mark_map(c, i);
		if (m == NULL || m->dead)
			continue;
		if (m->type == RP_MAP_SOCKHASH || m->type == RP_MAP_HASH_OF_MAPS) {
			g_hash_table_iter_init(&it, m->u.hash);
			while (g_hash_table_iter_next(&it, &k, NULL))
				rp_chk_mark_slot(c, i, GPOINTER_TO_UINT(k));
			continue;
		}
		for (uint32_t k2 = rp_slots_next(&m->u.slots, 0);
		    k2 < m->max_entries;
		    k2 = rp_slots_next(&m->u.slots, k2 + 1))
			rp_chk_mark_slot(c, i, k2);
	}
}

/* ---------------------------------------------------------------------
 * Helpers of the step
 */

/* A local check failed: rp_check() will say what and where. */
#define ALARM(c)	((c)->alarm = true)

static unsigned
reg_id(GHashTable *reg, const void *p)
{
	return p == NULL ? 0 : GPOINTER_TO_UINT(g_hash_table_lookup(reg, p));
}

/* Bring the registry of one kind up to date for one id. */
static void
reg_update(GHashTable *reg, const void **shadow_ptr, const void *cur,
    unsigned id)
{
	if (*shadow_ptr == cur)
		return;
	if (*shadow_ptr != NULL &&
	    GPOINTER_TO_UINT(g_hash_table_lookup(reg, *shadow_ptr)) == id)
		g_hash_table_remove(reg, *shadow_ptr);
	if (cur != NULL)
		g_hash_table_insert(reg, (gpointer)cur, GUINT_TO_POINTER(id));
}

static bool
in_section(const struct rp_group *g, unsigned pos)
{
	return pos < g->num_socks ||
	    (pos < g->max_socks &&
	    pos >= (unsigned)(g->max_socks - g->num_closed_socks));
}

static void
key_of(const struct rp_sock *sk, struct joinkey *k)
{
	memset(k, 0, sizeof(*k));
	k->net = sk->net;
	k->family = sk->family;
	k->protocol = sk->protocol;
	k->num = sk->num;
	k->addr.family = sk->rcv_saddr.family;
	memcpy(k->addr.a, sk->rcv_saddr.a,
	    sk->rcv_saddr.family == RP_AF_INET ? 4 : 16);
	k->dev = sk->bound_dev_if;
	k->v6only = sk->ipv6only;
	k->uid = sk->uid;
}

static bool
key_eq(const struct joinkey *x, const struct joinkey *y)
{
	return memcmp(x, y, sizeof(*x)) == 0;
}

static uint64_t
bucket_key(unsigned netns, int protocol, uint16_t port)
{
	return (uint64_t)netns << 32 | (uint64_t)(protocol & 0xffff) << 16 |
	    port;
}

/* The claims record of a bucket key, made on first use; touched. */
static struct b_shadow *
bucket_claims(struct rp_chk *c, unsigned netns, int protocol, uint16_t port)
{
	gint64 key = (gint64)bucket_key(netns, protocol, port);
	struct b_shadow *b = g_hash_table_lookup(c->buckets, &key);

	if (b == NULL) {
		b = g_new0(struct b_shadow, 1);
		b->key = key;
		b->netns = netns;
		b->protocol = protocol;
		b->port = port;
		g_hash_table_insert(c->buckets, &b->key, b);
	}
	if (!b->touched) {
		b->touched = true;
		g_ptr_array_add(c->touched_buckets, b);
	}
	return b;
}

/* Add (+1) or remove (-1) one live group with this id from the index. */
static void
id_count(struct rp_chk *c, uint32_t rid, int delta)
{
	gpointer k = GUINT_TO_POINTER(rid);
	unsigned n = GPOINTER_TO_UINT(g_hash_table_lookup(c->ids, k));

	n = (unsigned)((int)n + delta);
	if (n == 0)
		g_hash_table_remove(c->ids, k);
	else
		g_hash_table_insert(c->ids, k, GUINT_TO_POINTER(n));
	if (delta > 0)
		g_array_append_val(c->touched_ids, rid);
}

/* Add or remove one live socket with this cookie; alarm on a twin. */
static void
cookie_count(struct rp_chk *c, uint64_t cookie, unsigned ns, int delta)
{
	struct cookie_entry key = { .cookie = cookie, .ns = ns }, *e;

	e = g_hash_table_lookup(c->cookies, &key);
	if (delta > 0) {
		if (e == NULL) {
			e = g_memdup2(&key, sizeof(key));
			g_hash_table_add(c->cookies, e);
		}
		if (++e->count > 1 && !(c->fault & RP_CHK_FAULT_COOKIES))
			ALARM(c);
		return;
	}
	g_assert(e != NULL && e->count > 0);	/* LCOV_EXCL_BR_LINE */
	if (--e->count == 0)
		g_hash_table_remove(c->cookies, e);
}

/* I3: sk may be a sockarray occupant (as check.c ineligible()). */
static bool
eligible(const struct rp_sock *sk)
{
	return (sk->protocol == RP_IPPROTO_TCP ||
	    sk->protocol == RP_IPPROTO_UDP) &&
	    (sk->family == RP_AF_INET || sk->family == RP_AF_INET6) &&
	    (sk->type == RP_SOCK_STREAM || sk->type == RP_SOCK_DGRAM) &&
	    sk->hashed && sk->rcu_free && sk->reuse != NULL && !sk->closed &&
	    sk->reuse_pos < sk->reuse->num_socks;
}

/* ---------------------------------------------------------------------
 * Phase A: registries and the object tables
 */

static void
phase_tables(const struct rp_state *st, struct rp_chk *c)
{
	/* ids made since the last step are dirty (programs are made
	 * without an event); one made and freed since leaves nothing */
	for (guint id = MAX(c->seen_sk, 1); id < st->socks->len; id++)
		rp_chk_mark_sock(c, id);
	for (guint id = MAX(c->seen_g, 1); id < st->groups->len; id++)
		rp_chk_mark_group(c, id);
	for (guint id = MAX(c->seen_m, 1); id < st->maps->len; id++)
		rp_chk_mark_map(c, id);
	for (guint id = MAX(c->seen_p, 1); id < st->progs->len; id++)
		rp_chk_mark_prog(c, id);
	c->seen_sk = st->socks->len;
	c->seen_g = st->groups->len;
	c->seen_m = st->maps->len;
	c->seen_p = st->progs->len;
	/* no shadow array grows during the step: pointers into them stay */
	SHADOW_COVER(c->sk, c->nsk, st->socks->len);
	SHADOW_COVER(c->g, c->ng, st->groups->len);
	SHADOW_COVER(c->m, c->nm, st->maps->len);
	SHADOW_COVER(c->p, c->np, st->progs->len);
	/* removals before insertions: memory of a freed object may come
	 * back as a new one in the same step */
	for (size_t i = 0; i < c->dsk.n; i++) {
		unsigned id = c->dsk.v[i];
		const void **sp = (const void **)&c->sk[id].ptr;

		if (*sp != NULL && *sp != st->socks->pdata[id])
			reg_update(c->sk_reg, sp, NULL, id);
	}
	for (size_t i = 0; i < c->dg.n; i++) {
		unsigned id = c->dg.v[i];
		const void **sp = (const void **)&c->g[id].ptr;

		if (*sp != NULL && *sp != st->groups->pdata[id])
			reg_update(c->g_reg, sp, NULL, id);
	}
	for (size_t i = 0; i < c->dm.n; i++) {
		unsigned id = c->dm.v[i];
		const void **sp = (const void **)&c->m[id].ptr;

		if (*sp != NULL && *sp != st->maps->pdata[id])
			reg_update(c->m_reg, sp, NULL, id);
	}
	for (size_t i = 0; i < c->dp.n; i++) {
		unsigned id = c->dp.v[i];
		const void **sp = (const void **)&c->p[id].ptr;

		if (*sp != NULL && *sp != st->progs->pdata[id])
			reg_update(c->p_reg, sp, NULL, id);
	}
	/* the shadow pointers of removed objects stay set: later phases
	 * read them to find what the object was (they never follow them) */
	for (size_t i = 0; i < c->dsk.n; i++) {
		unsigned id = c->dsk.v[i];
		const struct rp_sock *sk = st->socks->pdata[id];

		if (sk == NULL)
			continue;
		if (sk->id != id)
			ALARM(c);	/* collect(): table entry mismatch */
		if (c->sk[id].ptr == sk)
			continue;
		g_hash_table_insert(c->sk_reg, (gpointer)sk,
		    GUINT_TO_POINTER(id));
	}
	for (size_t i = 0; i < c->dg.n; i++) {
		unsigned id = c->dg.v[i];
		const struct rp_group *g = st->groups->pdata[id];

		if (g == NULL)
			continue;
		if (g->id != id || g->dead)
			ALARM(c);
		if (c->g[id].ptr == g)
			continue;
		g_hash_table_insert(c->g_reg, (gpointer)g,
		    GUINT_TO_POINTER(id));
	}
	for (size_t i = 0; i < c->dm.n; i++) {
		unsigned id = c->dm.v[i];
		const struct rp_map *m = st->maps->pdata[id];

		if (m == NULL)
			continue;
		if (m->id != id)
			ALARM(c);
		if (c->m[id].ptr == m)
			continue;
		g_hash_table_insert(c->m_reg, (gpointer)m,
		    GUINT_TO_POINTER(id));
	}
	for (size_t i = 0; i < c->dp.n; i++) {
		unsigned id = c->dp.v[i];
		const struct rp_prog *p = st->progs->pdata[id];

		if (p == NULL)
			continue;
		if (p->id != id)
			ALARM(c);
		if (c->p[id].ptr == p)
			continue;
		g_hash_table_insert(c->p_reg, (gpointer)p,
		    GUINT_TO_POINTER(id));
	}
}

/* ---------------------------------------------------------------------
 * Phase B: map entries
 */

static bool
is_hash_map(uint32_t type)
{
	return type == RP_MAP_SOCKHASH || type == RP_MAP_HASH_OF_MAPS;
}

static unsigned
shadow_entry(const struct m_shadow *ms, uint32_t key)
{
	if (!ms->has_entries)
		return 0;
	if (ms->hentries != NULL)
		return GPOINTER_TO_UINT(g_hash_table_lookup(ms->hentries,
		    GUINT_TO_POINTER(key)));
	return key < ms->entries.n ?
	    GPOINTER_TO_UINT(rp_slots_get(&ms->entries, key)) : 0;
}

/* Occupant id old leaves entry key of map mid, occupant cur enters. */
static void
entry_move(struct rp_chk *c, unsigned mid, uint32_t key, unsigned old,
    unsigned cur)
{
	struct m_shadow *ms = &c->m[mid];

	if (old == cur)
		return;
	if (ms->hentries != NULL) {
		if (cur != 0)
			g_hash_table_insert(ms->hentries, GUINT_TO_POINTER(key),
			    GUINT_TO_POINTER(cur));
		else
			g_hash_table_remove(ms->hentries, GUINT_TO_POINTER(key));
	} else {
		rp_slots_set(&ms->entries, key, GUINT_TO_POINTER(cur));
	}
	ms->occupied += (cur != 0) - (old != 0);
	switch (ms->type) {	/* LCOV_EXCL_BR_LINE */
	case RP_MAP_REUSEPORT_SOCKARRAY:
		if (old != 0) {
			c->sk[old].nslots--;
			rp_chk_mark_sock(c, old);
		}
		if (cur != 0) {
			c->sk[cur].nslots++;
			rp_chk_mark_sock(c, cur);
		}
		break;
	case RP_MAP_SOCKMAP:
	case RP_MAP_SOCKHASH:
		if (old != 0) {
			c->sk[old].npsock--;
			rp_chk_mark_sock(c, old);
		}
		if (cur != 0) {
			c->sk[cur].npsock++;
			rp_chk_mark_sock(c, cur);
		}
		break;
	default:	/* outer maps hold maps */
		if (old != 0) {
			c->m[old].outerrefs--;
			rp_chk_mark_map(c, old);
		}
		if (cur != 0) {
			c->m[cur].outerrefs++;
			rp_chk_mark_map(c, cur);
		}
		break;
	}
}

/* A map appeared, or died: set its entries up, or let them go.  The
 * entries of a dead map count for nothing (check.c skips dead maps). */
static void
map_transition(const struct rp_state *st, struct rp_chk *c, unsigned mid)
{
	struct m_shadow *ms = &c->m[mid];
	const struct rp_map *m = st->maps->pdata[mid];
	bool live = m != NULL && !m->dead;
	g_autoptr(GArray) keys = NULL;

	if (live && ms->ptr == m && ms->has_entries)
		return;
	if (ms->has_entries && ms->occupied > 0) {
		keys = g_array_new(FALSE, FALSE, sizeof(uint32_t));
		if (ms->hentries != NULL) {
			GHashTableIter it;
			gpointer k;

			g_hash_table_iter_init(&it, ms->hentries);
			while (g_hash_table_iter_next(&it, &k, NULL)) {
				uint32_t key = GPOINTER_TO_UINT(k);

				g_array_append_val(keys, key);
			}
		} else {
			for (uint32_t k = rp_slots_next(&ms->entries, 0);
			    k < ms->entries.n;
			    k = rp_slots_next(&ms->entries, k + 1))
				g_array_append_val(keys, k);
		}
		for (guint i = 0; i < keys->len; i++) {
			uint32_t key = g_array_index(keys, uint32_t, i);

			entry_move(c, mid, key, shadow_entry(ms, key), 0);
		}
	}
	if (ms->has_entries) {
		rp_slots_clear(&ms->entries);
		g_clear_pointer(&ms->hentries, g_hash_table_unref);
		ms->has_entries = false;
	}
	ms->ptr = m;
	if (!live)
		return;
	ms->type = m->type;
	ms->has_entries = true;
	/* the entries it has (a map only comes back to life when a test
	 * restores a corrupted one; a new map has none) are dirty */
	if (is_hash_map(m->type)) {
		GHashTableIter it;
		gpointer k;

		ms->hentries = g_hash_table_new(g_direct_hash, NULL);
		g_hash_table_iter_init(&it, m->u.hash);
		while (g_hash_table_iter_next(&it, &k, NULL))
			pairlist_push(&c->dslot, mid, GPOINTER_TO_UINT(k));
		return;
	}
	if (!rp_slots_init(&ms->entries, m->max_entries))
		g_error("out of memory");	/* LCOV_EXCL_LINE */
	for (uint32_t k = rp_slots_next(&m->u.slots, 0); k < m->max_entries;
	    k = rp_slots_next(&m->u.slots, k + 1))
		pairlist_push(&c->dslot, mid, k);
}

static void
phase_entries(const struct rp_state *st, struct rp_chk *c)
{
	for (size_t i = 0; i < c->dm.n; i++)
		map_transition(st, c, c->dm.v[i]);
	for (size_t i = 0; i < c->dslot.n && !c->alarm; i++) {
		unsigned mid = c->dslot.v[i].id, cur = 0;
		uint32_t key = c->dslot.v[i].idx;
		const struct rp_map *m = st->maps->pdata[mid];
		const void *p;

		if (m == NULL || m->dead || !c->m[mid].has_entries)
			continue;	/* a dead map's entries do not count */
		if (is_hash_map(m->type))
			p = g_hash_table_lookup(m->u.hash, GUINT_TO_POINTER(key));
		else
			p = key < m->max_entries ?
			    rp_slots_get(&m->u.slots, key) : NULL;
		if (p != NULL) {
			bool maps = m->type == RP_MAP_ARRAY_OF_MAPS ||
			    m->type == RP_MAP_HASH_OF_MAPS;

			cur = reg_id(maps ? c->m_reg : c->sk_reg, p);
			if (cur == 0) {
				ALARM(c);	/* I13: a freed object */
				return;
			}
			/* I13: an outer entry holds a live inner map */
			if (maps && ((const struct rp_map *)p)->dead)
				ALARM(c);
		}
		entry_move(c, mid, key, shadow_entry(&c->m[mid], key), cur);
	}
}

/* ---------------------------------------------------------------------
 * Phase C: groups, their socks[] positions, ids, programs
 */

/* One position of socks[] (check_group_entry() and the gap). */
static void
check_position(struct rp_chk *c, const struct rp_group *g, unsigned pos)
{
	const struct rp_sock *sk = g->socks[pos];
	unsigned sid;

	if (!in_section(g, pos)) {
		if (sk != NULL)
			ALARM(c);
		return;
	}
	sid = reg_id(c->sk_reg, sk);
	if (sid == 0 || sk->dead || sk->reuse != g || sk->reuse_pos != pos) {
		ALARM(c);
		return;
	}
	/* its contributions depend on which section it is in */
	rp_chk_mark_sock(c, sid);
}

static void
check_positions(struct rp_chk *c, const struct rp_group *g, unsigned from,
    unsigned to)
{
	for (unsigned pos = from; pos < to && !c->alarm; pos++)
		check_position(c, g, pos);
}

static void
group_step(const struct rp_state *st, struct rp_chk *c, unsigned gid)
{
	struct g_shadow *gs = &c->g[gid];
	const struct rp_group *g = st->groups->pdata[gid];
	const struct rp_profile *prof = st->prof;
	unsigned n, nc, max, pid;
	bool fresh;

	if (g == NULL) {
		/* freed: its id and its program reference go */
		if (gs->ptr != NULL && gs->has_id)
			id_count(c, gs->rid, -1);
		if (gs->prog_pid != 0)
			c->p[gs->prog_pid].grouprefs--;
		gs->prog_pid = 0;
		gs->has_id = false;
		gs->ptr = NULL;
		gs->key_valid = false;
		return;
	}
	n = g->num_socks;
	nc = g->num_closed_socks;
	max = g->max_socks;
	/* I8 (check_group_sizes()) */
	if (max < RP_INIT_SOCKS || max > RP_MAX_SOCKS_CAP ||
	    (max & (max - 1)) != 0 || n + nc > max || n + nc == 0 ||
	    (nc > 0 && !prof->migration)) {
		ALARM(c);
		return;
	}
	/* I7: a new array, or a resized one, is checked whole; otherwise
	 * the positions whose section changed (the marked ones follow) */
	fresh = gs->ptr != g || gs->max != max;
	if (fresh) {
		check_positions(c, g, 0, max);
		gs->scanned = true;
		gs->key_valid = false;
	} else {
		check_positions(c, g, MIN(gs->n, n), MAX(gs->n, n));
		check_positions(c, g, max - MAX(gs->nc, nc),
		    max - MIN(gs->nc, nc));
	}
	/* I13: the group's program is live */
	pid = reg_id(c->p_reg, g->prog);
	if (g->prog != NULL && pid == 0)
		ALARM(c);
	if (pid != gs->prog_pid) {
		if (gs->prog_pid != 0)
			c->p[gs->prog_pid].grouprefs--;
		if (pid != 0)
			c->p[pid].grouprefs++;
		gs->prog_pid = pid;
	}
	/* I9 (check_group_ids()) */
	if (prof->lazy_group_id ? g->has_id != (g->reuseport_id != 0) :
	    !g->has_id)
		ALARM(c);
	if (gs->ptr == NULL || gs->has_id != g->has_id ||
	    gs->rid != g->reuseport_id) {
		if (gs->ptr != NULL && gs->has_id)
			id_count(c, gs->rid, -1);
		if (g->has_id)
			id_count(c, g->reuseport_id, +1);
	}
	/* I10: socks[0] defines the key; a new one means every member */
	if (n >= 1) {
		const struct rp_sock *first = g->socks[0];
		struct joinkey k;

		if (reg_id(c->sk_reg, first) == 0) {
			ALARM(c);
			return;
		}
		key_of(first, &k);
		if (!gs->key_valid || !key_eq(&k, &gs->key))
			gs->rescan = true;
	}
	gs->ptr = g;
	gs->n = n;
	gs->nc = nc;
	gs->max = max;
	gs->has_id = g->has_id;
	gs->rid = g->reuseport_id;
}

static void
phase_groups(const struct rp_state *st, struct rp_chk *c)
{
	for (size_t i = 0; i < c->dg.n && !c->alarm; i++)
		group_step(st, c, c->dg.v[i]);
	for (size_t i = 0; i < c->dpos.n && !c->alarm; i++) {
		unsigned gid = c->dpos.v[i].id;
		uint32_t pos = c->dpos.v[i].idx;
		const struct rp_group *g = st->groups->pdata[gid];

		if (g != NULL && !c->g[gid].scanned && pos < g->max_socks)
			check_position(c, g, pos);
	}
}

/* ---------------------------------------------------------------------
 * Phase D: sockets
 */

/* Take sk's contributions out of the counters it was counted in. */
static void
sock_uncount(struct rp_chk *c, struct sk_shadow *ss)
{
	if (!ss->counted)
		return;
	if (ss->gid != 0) {
		struct g_shadow *gs = &c->g[ss->gid];

		gs->claims--;
		gs->cpu -= ss->cpu;
		gs->slotted -= ss->slotted;
		rp_chk_mark_group(c, ss->gid);
	}
	if (ss->owner_mid != 0) {
		c->m[ss->owner_mid].owners--;
		rp_chk_mark_map(c, ss->owner_mid);
	}
	if (ss->cookie != 0)
		cookie_count(c, ss->cookie, ss->cookie_ns, -1);
	if (ss->bound) {
		struct b_shadow *b = g_hash_table_lookup(c->buckets,
		    &(gint64){ (gint64)ss->bkey });

		g_assert(b != NULL);	/* LCOV_EXCL_BR_LINE */
		b->bound--;
		b->listen -= ss->listed;
		if (!b->touched) {
			b->touched = true;
			g_ptr_array_add(c->touched_buckets, b);
		}
	}
	ss->counted = false;
	ss->gid = 0;
	ss->owner_mid = 0;
	ss->cookie = 0;
	ss->cookie_ns = 0;
	ss->bkey = 0;
	ss->cpu = ss->slotted = ss->bound = ss->listed = false;
}

/* Group g (registered) holds the (possibly freed) socket ptr at pos. */
static bool
group_holds(const struct rp_chk *c, unsigned gid, unsigned pos,
    const void *ptr)
{
	const struct rp_group *g = c->g[gid].ptr;

	return gid != 0 && g != NULL && reg_id(c->g_reg, g) == gid &&
	    in_section(g, pos) && (const void *)g->socks[pos] == ptr;
}

/* One link of a listed socket (check_listen_link()). */
static bool
link_ok(const struct rp_chk *c, const struct rp_sock *sk,
    const struct rp_bucket *b, bool next)
{
	const struct rp_sock *o = next ? sk->listen_next : sk->listen_prev;

	if (o == NULL)
		return (next ? b->listen_tail : b->listen_head) == sk;
	return reg_id(c->sk_reg, o) != 0 && o->bucket == b && o->listed &&
	    (next ? o->listen_prev : o->listen_next) == sk &&
	    (next || o->listen_seq < sk->listen_seq);
}

/* A live socket: I1-I4, I7, I10, I11 and its bucket (I7). */
static void
sock_live(const struct rp_state *st, struct rp_chk *c, struct sk_shadow *ss,
    const struct rp_sock *sk)
{
	const struct rp_profile *prof = st->prof;
	bool tags = prof->user_data_tags;
	const struct rp_bucket *b = sk->bucket;

	/* I7 (check_sock_groups()) and the group counters */
	if (sk->reuse != NULL) {
		const struct rp_group *g = sk->reuse;
		unsigned gid = reg_id(c->g_reg, g), pos = sk->reuse_pos;
		struct g_shadow *gs;

		if (gid == 0 || !in_section(g, pos) || g->socks[pos] != sk) {
			ALARM(c);
			return;
		}
		gs = &c->g[gid];
		ss->gid = gid;
		ss->pos = pos;
		ss->cpu = pos < g->num_socks && sk->incoming_cpu >= 0;
		ss->slotted = ss->nslots > 0;
		gs->claims++;
		gs->cpu += ss->cpu;
		gs->slotted += ss->slotted;
		rp_chk_mark_group(c, gid);
		/* I10 against socks[0]; socks[0] itself against the key */
		if (pos == 0) {
			struct joinkey k;

			key_of(sk, &k);
			if (!gs->key_valid || !key_eq(&k, &gs->key))
				gs->rescan = true;
		} else if (pos < g->num_socks && !gs->rescan) {
			struct joinkey k, k0;

			if (reg_id(c->sk_reg, g->socks[0]) == 0) {
				ALARM(c);
				return;
			}
			key_of(sk, &k);
			key_of(g->socks[0], &k0);
			if (!key_eq(&k, &k0) && !(c->fault & RP_CHK_FAULT_JOIN))
				ALARM(c);
		}
	}
	/* I1, I2, I4, I5: the owner word and the slots holding sk */
	if (sk->owner.kind == RP_OWNER_SLOT) {
		const struct rp_map *m = sk->owner.map;
		unsigned mid = reg_id(c->m_reg, m);

		if (mid == 0 || m->dead ||
		    m->type != RP_MAP_REUSEPORT_SOCKARRAY ||
		    sk->owner.idx >= m->max_entries ||
		    rp_map_sock(m, sk->owner.idx) != sk) {
			ALARM(c);
			return;
		}
		ss->owner_mid = mid;
		c->m[mid].owners++;
		rp_chk_mark_map(c, mid);
	} else if (ss->nslots > 0) {
		ALARM(c);	/* a slot holds sk, its word says otherwise */
	}
	if (ss->nslots > 1)
		ALARM(c);	/* I2 */
	if (ss->nslots > 0 && (!eligible(sk) || !sk->reuse->has_id))
		ALARM(c);	/* I3, I9 */
	if (sk->owner.kind == RP_OWNER_STALE && tags)
		ALARM(c);
	if (sk->psock_refs != ss->npsock ||
	    (sk->owner.kind == RP_OWNER_PSOCK && sk->psock_refs == 0) ||
	    (sk->foreign_owned && sk->owner.kind != RP_OWNER_FOREIGN && tags) ||
	    (ss->npsock > 0 && tags && sk->owner.kind != RP_OWNER_PSOCK))
		ALARM(c);	/* I4 */
	/* I11 */
	if (sk->cookie != 0) {
		ss->cookie = sk->cookie;
		ss->cookie_ns = prof->cookie_gen == RP_COOKIE_PER_NETNS ?
		    sk->net->id : 0;
		cookie_count(c, ss->cookie, ss->cookie_ns, +1);
	}
	/* I7 (bind bucket): the bucket of sk's key, both links */
	if (b != NULL) {
		struct rp_bucket key = { .netns = sk->net->id,
		    .protocol = sk->protocol, .port = sk->num };
		struct b_shadow *bs;

		if (st->buckets == NULL ||
		    g_hash_table_lookup(st->buckets, &key) != b ||
		    sk->bound_pos >= b->bound->len ||
		    b->bound->pdata[sk->bound_pos] != sk ||
		    (sk->listed && (!link_ok(c, sk, b, false) ||
		    !link_ok(c, sk, b, true)))) {
			ALARM(c);
			return;
		}
		bs = bucket_claims(c, b->netns, b->protocol, b->port);
		ss->bkey = (uint64_t)bs->key;
		ss->bound = true;
		ss->listed = sk->listed;
		bs->bound++;
		bs->listen += sk->listed;
	} else if (sk->listed) {
		ALARM(c);
	}
	ss->counted = true;
}

static void
sock_step(const struct rp_state *st, struct rp_chk *c, unsigned sid)
{
	struct sk_shadow *ss = &c->sk[sid];
	const struct rp_sock *sk = st->socks->pdata[sid];
	unsigned old_gid = ss->gid, old_pos = ss->pos;
	const void *old_ptr = ss->ptr;

	ss->dirty = false;
	sock_uncount(c, ss);
	if (sk == NULL) {
		/* freed: nothing may still hold it (I13) */
		if (old_ptr != NULL && (ss->nslots > 0 || ss->npsock > 0 ||
		    group_holds(c, old_gid, old_pos, old_ptr)))
			ALARM(c);
		ss->ptr = NULL;
		return;
	}
	ss->ptr = sk;
	/* I12: no callback lock outlives a step */
	if (sk->cb_holder != 0)
		ALARM(c);
	/* the position it had, if it moved, no longer holds it (I7) */
	if (old_ptr == sk && (sk->reuse == NULL ||
	    reg_id(c->g_reg, sk->reuse) != old_gid || sk->reuse_pos != old_pos) &&
	    group_holds(c, old_gid, old_pos, sk))
		ALARM(c);
	if (sk->dead) {
		/* I13: no slot, entry, socks[] or bucket holds a dead one */
		unsigned gid = reg_id(c->g_reg, sk->reuse);

		if (ss->nslots > 0 || ss->npsock > 0 || sk->bucket != NULL ||
		    sk->listed || group_holds(c, gid, sk->reuse_pos, sk))
			ALARM(c);
		return;
	}
	sock_live(st, c, ss, sk);
}

static void
phase_socks(const struct rp_state *st, struct rp_chk *c)
{
	for (size_t i = 0; i < c->dsk.n && !c->alarm; i++)
		sock_step(st, c, c->dsk.v[i]);
}

/* ---------------------------------------------------------------------
 * Phase E: the counters against the model
 */

/* I10 for every listening member of g against socks[0]. */
static void
join_scan(struct rp_chk *c, const struct rp_group *g, struct g_shadow *gs)
{
	struct joinkey k0, k;

	gs->rescan = false;
	if (g->num_socks == 0) {
		gs->key_valid = false;
		return;
	}
	key_of(g->socks[0], &k0);
	for (unsigned pos = 1; pos < g->num_socks; pos++) {
		const struct rp_sock *sk = g->socks[pos];

		if (reg_id(c->sk_reg, sk) == 0) {
			ALARM(c);
			return;
		}
		key_of(sk, &k);
		if (!key_eq(&k, &k0)) {
			ALARM(c);
			return;
		}
	}
	memcpy(&gs->key, &k0, sizeof(k0));
	gs->key_valid = true;
}

static void
phase_counters(const struct rp_state *st, struct rp_chk *c)
{
	/* programs first: they move the maps' progrefs */
	for (size_t i = 0; i < c->dp.n && !c->alarm; i++) {
		unsigned pid = c->dp.v[i], mid = 0;
		struct p_shadow *ps = &c->p[pid];
		const struct rp_prog *p = st->progs->pdata[pid];

		ps->dirty = false;
		if (p != NULL && p->map != NULL) {
			mid = reg_id(c->m_reg, p->map);
			if (mid == 0 || p->map->dead)
				ALARM(c);	/* I13 (check_progs()) */
		}
		if (p == NULL && ps->grouprefs > 0)
			ALARM(c);	/* a group runs a freed program */
		if (mid != ps->map_mid) {
			if (ps->map_mid != 0) {
				c->m[ps->map_mid].progrefs--;
				rp_chk_mark_map(c, ps->map_mid);
			}
			if (mid != 0)
				c->m[mid].progrefs++;
			ps->map_mid = mid;
		}
		ps->ptr = p;
	}
	for (size_t i = 0; i < c->dm.n && !c->alarm; i++) {
		unsigned mid = c->dm.v[i];
		struct m_shadow *ms = &c->m[mid];
		const struct rp_map *m = st->maps->pdata[mid];

		ms->dirty = false;
		if (m != NULL && !m->dead) {
			/* I1: the used count of a sockarray */
			if (m->type == RP_MAP_REUSEPORT_SOCKARRAY &&
			    m->used != ms->occupied)
				ALARM(c);
			continue;
		}
		/* I5, I13: nothing names a dead or freed map */
		if (ms->owners > 0 || ms->progrefs > 0 || ms->outerrefs > 0)
			ALARM(c);
		if (m == NULL)
			ms->ptr = NULL;
	}
	for (size_t i = 0; i < c->dg.n && !c->alarm; i++) {
		unsigned gid = c->dg.v[i];
		struct g_shadow *gs = &c->g[gid];
		const struct rp_group *g = st->groups->pdata[gid];

		gs->dirty = false;
		gs->scanned = false;
		if (g == NULL) {
			if (gs->claims > 0)
				ALARM(c);	/* a socket points at it */
			continue;
		}
		/* I7: the members are exactly the sockets pointing here */
		if (gs->claims != (unsigned)g->num_socks + g->num_closed_socks ||
		    (st->prof->incoming_cpu && gs->cpu != g->incoming_cpu) ||
		    (!g->has_id && gs->slotted > 0))
			ALARM(c);
		else if (gs->rescan)
			join_scan(c, g, gs);
		if (g->num_socks == 0)
			gs->key_valid = false;
	}
	/* I9: live groups have distinct ids */
	for (guint i = 0; i < c->touched_ids->len && !c->alarm; i++) {
		uint32_t rid = g_array_index(c->touched_ids, uint32_t, i);

		if (GPOINTER_TO_UINT(g_hash_table_lookup(c->ids,
		    GUINT_TO_POINTER(rid))) > 1)
			ALARM(c);
	}
	/* I7 (bind bucket): each bucket holds exactly its claimants */
	for (guint i = 0; i < c->touched_buckets->len && !c->alarm; i++) {
		struct b_shadow *bs = c->touched_buckets->pdata[i];
		struct rp_bucket key = { .netns = bs->netns,
		    .protocol = bs->protocol, .port = bs->port };
		const struct rp_bucket *b = st->buckets != NULL ?
		    g_hash_table_lookup(st->buckets, &key) : NULL;

		if (b == NULL) {
			if (bs->bound > 0 || bs->listen > 0)
				ALARM(c);	/* LCOV_EXCL_LINE */
			continue;
		}
		if (bs->bound != b->bound->len || bs->listen != b->nlisten ||
		    (b->nlisten == 0) != (b->listen_head == NULL) ||
		    (b->nlisten == 0) != (b->listen_tail == NULL))
			ALARM(c);
		else if (b->nlisten > 0 && (reg_id(c->sk_reg,
		    b->listen_head) == 0 || b->listen_head->bucket != b ||
		    !b->listen_head->listed || b->listen_head->listen_prev !=
		    NULL || reg_id(c->sk_reg, b->listen_tail) == 0 ||
		    b->listen_tail->bucket != b || !b->listen_tail->listed ||
		    b->listen_tail->listen_next != NULL))
			ALARM(c);
	}
}

/* Forget this step's marks once every phase has read them. */
static void
clear_marks(struct rp_chk *c)
{
	for (guint i = 0; i < c->touched_buckets->len; i++) {
		struct b_shadow *bs = c->touched_buckets->pdata[i];

		bs->touched = false;
		if (bs->bound == 0 && bs->listen == 0)
			g_hash_table_remove(c->buckets, &bs->key);
	}
	g_ptr_array_set_size(c->touched_buckets, 0);
	g_array_set_size(c->touched_ids, 0);
	idlist_reset(&c->dsk);
	idlist_reset(&c->dg);
	idlist_reset(&c->dm);
	idlist_reset(&c->dp);
	pairlist_reset(&c->dslot);
	pairlist_reset(&c->dpos);
}

/* ---------------------------------------------------------------------
 * Entry points
 */

/*
 * The invariants of rp_check() where the model changed since the last
 * call (the whole state at the first call, and after a failure).
 * Returns TRUE when they hold; otherwise sets *error exactly as rp_check()
 * does and returns FALSE.  Only the checker's own records change.
 */
gboolean
rp_check_step(struct rp_state *st, GError **error)
{
	struct rp_chk *c;
	const struct rp_state *cst = st;
	gboolean ok;

	g_return_val_if_fail(st != NULL, FALSE);
	g_return_val_if_fail(error == NULL || *error == NULL, FALSE);
	if (st->chk == NULL)
		st->chk = chk_new();
	c = st->chk;
	c->stats.steps++;
	if (!c->ready) {
		chk_reset(c);
		mark_all(st, c);
		c->stats.rebuilds++;
	}
	c->stats.objects += c->dsk.n + c->dg.n + c->dm.n + c->dp.n +
	    c->dslot.n + c->dpos.n;
	c->alarm = false;
	/* I12, I13: what a step leaves behind, state-wide and O(threads) */
	if (cst->violation != NULL || cst->reuseport_holder != 0)
		ALARM(c);
	for (unsigned t = 0; t < RP_NTHREADS; t++)
		if (cst->threads[t].holds_reuseport ||
		    cst->threads[t].cb_held != 0 ||
		    cst->threads[t].rcu_depth != 0)
			ALARM(c);
	if (!c->alarm)
		phase_tables(cst, c);
	if (!c->alarm)
		phase_entries(cst, c);
	if (!c->alarm)
		phase_groups(cst, c);
	if (!c->alarm)
		phase_socks(cst, c);
	if (!c->alarm)
		phase_counters(cst, c);
	if (!c->alarm) {
		clear_marks(c);
		c->ready = true;
		return TRUE;
	}
	/* the reference decides, and words the report */
	c->stats.alarms++;
	chk_reset(c);
	ok = rp_check(cst, error);
	if (ok)
		c->stats.false_alarms++;
	return ok;
}

void
rp_check_stats(const struct rp_state *st, struct rp_check_stats *out)
{
	g_return_if_fail(st != NULL && out != NULL);
	if (st->chk != NULL)
		*out = st->chk->stats;
	else
		memset(out, 0, sizeof(*out));
}

/* ---------------------------------------------------------------------
 * For tests only
 */

void
rp_chk_set_fault(struct rp_state *st, unsigned fault)
{
	if (st->chk == NULL)
		st->chk = chk_new();
	st->chk->fault = fault;
}

/* One difference between two shadows, for rp_chk_same_as_fresh(). */
#define DIFF(what, ...) do {						\
	*why = g_strdup_printf(what, __VA_ARGS__);			\
	return false;							\
} while (0)

static bool
same_socks(const struct rp_chk *a, const struct rp_chk *b, char **why)
{
	for (size_t i = 1; i < MIN(a->nsk, b->nsk); i++) {
		const struct sk_shadow *x = &a->sk[i], *y = &b->sk[i];

		if (x->ptr != y->ptr || x->counted != y->counted ||
		    x->gid != y->gid || (x->gid != 0 && x->pos != y->pos) ||
		    x->owner_mid != y->owner_mid || x->cookie != y->cookie ||
		    x->cookie_ns != y->cookie_ns || x->bound != y->bound ||
		    (x->bound && x->bkey != y->bkey) ||
		    x->listed != y->listed || x->cpu != y->cpu ||
		    x->slotted != y->slotted || x->nslots != y->nslots ||
		    x->npsock != y->npsock)
			DIFF("socket %zu: group %u/%u pos %u/%u owner map "
			    "%u/%u slots %u/%u psock %u/%u cookie %" G_GUINT64_FORMAT
			    "/%" G_GUINT64_FORMAT " ns %u/%u bound %d/%d key %"
			    G_GUINT64_FORMAT "/%" G_GUINT64_FORMAT " listed "
			    "%d/%d cpu %d/%d slotted %d/%d counted %d/%d",
			    i, x->gid, y->gid, x->pos, y->pos, x->owner_mid,
			    y->owner_mid, x->nslots, y->nslots, x->npsock,
			    y->npsock, x->cookie, y->cookie, x->cookie_ns,
			    y->cookie_ns, x->bound, y->bound, x->bkey, y->bkey,
			    x->listed, y->listed, x->cpu, y->cpu, x->slotted,
			    y->slotted, x->counted, y->counted);
	}
	return true;
}

static bool
same_groups(const struct rp_chk *a, const struct rp_chk *b, char **why)
{
	for (size_t i = 1; i < MIN(a->ng, b->ng); i++) {
		const struct g_shadow *x = &a->g[i], *y = &b->g[i];

		if (x->ptr != y->ptr)
			DIFF("group %zu: pointer", i);
		if (x->ptr == NULL)
			continue;
		if (x->n != y->n || x->nc != y->nc || x->max != y->max ||
		    x->has_id != y->has_id || x->rid != y->rid ||
		    x->prog_pid != y->prog_pid || x->claims != y->claims ||
		    x->cpu != y->cpu || x->slotted != y->slotted ||
		    x->key_valid != y->key_valid ||
		    (x->key_valid && !key_eq(&x->key, &y->key)))
			DIFF("group %zu: sizes %u+%u/%u+%u claims %u/%u cpu "
			    "%u/%u slotted %u/%u prog %u/%u key %d/%d", i,
			    x->n, x->nc, y->n, y->nc, x->claims, y->claims,
			    x->cpu, y->cpu, x->slotted, y->slotted,
			    x->prog_pid, y->prog_pid, x->key_valid,
			    y->key_valid);
	}
	return true;
}

static bool
same_maps(const struct rp_chk *a, const struct rp_chk *b, char **why)
{
	for (size_t i = 1; i < MIN(a->nm, b->nm); i++) {
		const struct m_shadow *x = &a->m[i], *y = &b->m[i];

		if (x->has_entries != y->has_entries ||
		    (x->has_entries && x->ptr != y->ptr) ||
		    x->occupied != y->occupied || x->owners != y->owners ||
		    x->progrefs != y->progrefs || x->outerrefs != y->outerrefs)
			DIFF("map %zu: entries %u/%u owners %u/%u progs %u/%u "
			    "outer %u/%u", i, x->occupied, y->occupied,
			    x->owners, y->owners, x->progrefs, y->progrefs,
			    x->outerrefs, y->outerrefs);
		if (!x->has_entries)
			continue;
		if (x->hentries != NULL) {
			GHashTableIter it;
			gpointer k, v;

			g_hash_table_iter_init(&it, x->hentries);
			while (g_hash_table_iter_next(&it, &k, &v))
				if (shadow_entry(y, GPOINTER_TO_UINT(k)) !=
				    GPOINTER_TO_UINT(v))
					DIFF("map %zu key %u", i,
					    GPOINTER_TO_UINT(k));
			continue;
		}
		for (uint32_t k = rp_slots_next(&x->entries, 0);
		    k < x->entries.n; k = rp_slots_next(&x->entries, k + 1))
			if (shadow_entry(y, k) != shadow_entry(x, k))
				DIFF("map %zu slot %u", i, k);
	}
	return true;
}

static bool
same_progs_and_indexes(const struct rp_chk *a, const struct rp_chk *b,
    char **why)
{
	GHashTableIter it;
	gpointer k, v;

	for (size_t i = 1; i < MIN(a->np, b->np); i++) {
		const struct p_shadow *x = &a->p[i], *y = &b->p[i];

		if (x->ptr != y->ptr || x->map_mid != y->map_mid ||
		    x->grouprefs != y->grouprefs)
			DIFF("program %zu: map %u/%u groups %u/%u", i,
			    x->map_mid, y->map_mid, x->grouprefs, y->grouprefs);
	}
	if (g_hash_table_size(a->ids) != g_hash_table_size(b->ids))
		DIFF("%u/%u group ids", g_hash_table_size(a->ids),
		    g_hash_table_size(b->ids));
	g_hash_table_iter_init(&it, a->ids);
	while (g_hash_table_iter_next(&it, &k, &v))
		if (g_hash_table_lookup(b->ids, k) != v)
			DIFF("group id %u", GPOINTER_TO_UINT(k));
	if (g_hash_table_size(a->cookies) != g_hash_table_size(b->cookies))
		DIFF("%u/%u cookies", g_hash_table_size(a->cookies),
		    g_hash_table_size(b->cookies));
	g_hash_table_iter_init(&it, a->buckets);
	while (g_hash_table_iter_next(&it, &k, &v)) {
		const struct b_shadow *x = v, *y;

		y = g_hash_table_lookup(b->buckets, k);
		if (y == NULL || x->bound != y->bound || x->listen != y->listen)
			DIFF("bucket (netns %u, protocol %d, port %u)",
			    x->netns, x->protocol, x->port);
	}
	if (g_hash_table_size(a->buckets) != g_hash_table_size(b->buckets))
		DIFF("%u/%u buckets", g_hash_table_size(a->buckets),
		    g_hash_table_size(b->buckets));
	if (g_hash_table_size(a->sk_reg) != g_hash_table_size(b->sk_reg) ||
	    g_hash_table_size(a->g_reg) != g_hash_table_size(b->g_reg) ||
	    g_hash_table_size(a->m_reg) != g_hash_table_size(b->m_reg) ||
	    g_hash_table_size(a->p_reg) != g_hash_table_size(b->p_reg))
		DIFF("registries: %u/%u sockets %u/%u groups %u/%u maps "
		    "%u/%u programs", g_hash_table_size(a->sk_reg),
		    g_hash_table_size(b->sk_reg), g_hash_table_size(a->g_reg),
		    g_hash_table_size(b->g_reg), g_hash_table_size(a->m_reg),
		    g_hash_table_size(b->m_reg), g_hash_table_size(a->p_reg),
		    g_hash_table_size(b->p_reg));
	return true;
}

/*
 * Whether the incremental record of st equals the one a fresh checker
 * builds from the whole state now: a mark the model forgot shows here
 * when it left a counter, an index or an entry stale (one that only
 * guards a field the model wrote correctly cannot show).  Call after a
 * passing rp_check_step() with nothing changed since; on a difference
 * *why says where (g_free() it).
 */
bool
rp_chk_same_as_fresh(struct rp_state *st, char **why)
{
	struct rp_chk *mine = st->chk, *fresh;
	bool same;

	*why = NULL;
	g_return_val_if_fail(mine != NULL && mine->ready, false);
	fresh = chk_new();
	st->chk = fresh;
	mark_all(st, fresh);
	if (!rp_check_step(st, NULL)) {
		st->chk = mine;
		rp_chk_free(fresh);
		*why = g_strdup("the state does not pass");
		return false;
	}
	st->chk = mine;
	same = same_socks(mine, fresh, why) && same_groups(mine, fresh, why) &&
	    same_maps(mine, fresh, why) &&
	    same_progs_and_indexes(mine, fresh, why);
	rp_chk_free(fresh);
	return same;
}
