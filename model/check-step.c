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
 * sockets, groups, maps, map entries and socks[] positions it changed
 * (rp_chk_event(), called by rp_emit(); lock and RCU events flag their
 * thread), and the few writes that emit no event mark their objects
 * directly (rp_dirty_*() in rp-int.h: bucket links, the socket a call
 * rewrites, a program freed).  A new or grown group is checked whole,
 * which marks its members.  Marking is off until the first
 * rp_check_step() on a state.
 *
 * The record.  For each object the checker keeps what it verified last
 * (a socket's group and position, owner word, cookie and bucket claim; a
 * group's sizes, id, program and join key; the entries of sockmaps,
 * sockhashes and outer maps), and from it counters that cross objects:
 * the live sockets pointing at each group, the sockmap entries holding
 * each socket, the owner words, programs and outer entries naming each
 * map, the claims on each bind bucket, an index of group ids and one of
 * cookies.  A step first moves the counters from the old to the new
 * state of each dirty object, then checks each dirty object locally and
 * each counter it touched against what the model says (num_socks +
 * num_closed_socks, a sockarray's used count, a bucket's length, ...).
 * An invariant that relates two objects is checked when either changes:
 * from the changed side, or through a counter that the change moved.
 *
 * Pointers are followed only once they are known live, as in check.c:
 * the object table says so for the id the record expects, or a registry
 * (pointer -> id of the live sockets, groups, maps and programs) does.
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
	struct b_shadow		*bs;		/* its claims record, when bound */
	unsigned		prev_id, next_id; /* chain neighbours (hints) */
	unsigned		cookie_ns;
	unsigned		gid;		/* group (counted), or 0 */
	unsigned		pos;		/* its reuse_pos */
	unsigned		owner_mid;	/* map of a SLOT owner word, or 0 */
	uint32_t		owner_idx;	/* ... and its slot */
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
	unsigned		first_id;	/* socks[0] (a hint) */
	struct joinkey		key;
	/* counters moved by the sockets */
	unsigned		claims;		/* live sockets pointing here */
	unsigned		cpu;		/* listening ones with a CPU */
	unsigned		slotted;	/* ones in a sockarray slot */
};

/*
 * A map.  The entries of sockmaps, sockhashes and outer maps are kept
 * (their occupants' counters need the old one when an entry changes);
 * a sockarray keeps none: in a valid state its occupied slots are the
 * ones its members' owner words name, so the owner words are its
 * record, and a slot write names the socket it replaced (the events).
 */
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
	uint64_t		stamp;		/* model valid in step stamp */
	const struct rp_bucket	*model;		/* the model's bucket of the key */
	unsigned		head_id, tail_id; /* chain ends (hints) */
};

struct cookie_entry {
	struct rp_cookie_key	k;		/* first: the hash key */
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

struct ptrlist {
	void			**v;
	size_t			n, cap;
};

struct pairlist {
	struct pair		*v;
	size_t			n, cap;
};

/*
 * The registry of one kind of object: live object pointer -> id, an
 * open-addressing table (linear probing, tombstones), since a step looks
 * a few pointers up for every object it checks.
 */
#define PTAB_EMPTY	((uintptr_t)0)
#define PTAB_GONE	((uintptr_t)1)
struct ptab {
	uintptr_t		*key;
	unsigned		*val;
	unsigned		bits;		/* 2^bits slots */
	size_t			live;		/* entries */
	size_t			used;		/* entries and tombstones */
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
	struct ptab		sk_reg, g_reg, m_reg, p_reg;
	/* dirty sets; seen_*: table lengths at the last step */
	uint64_t		stamp;		/* steps run, for per-step caches */
	struct idlist		dsk, dg, dm, dp;
	guint			seen_sk, seen_g, seen_m, seen_p;
	struct pairlist		dslot;		/* (map id, key) */
	struct pairlist		dpos;		/* (group id, position) */
	/* indexes */
	GHashTable		*ids;		/* reuseport_id -> live groups */
	GHashTable		*cookies;	/* struct cookie_entry set */
	GHashTable		*buckets;	/* &key -> struct b_shadow */
	struct ptrlist		touched_buckets;	/* struct b_shadow */
	struct idlist		touched_ids;	/* reuseport ids */
};

/* ---------------------------------------------------------------------
 * Small containers
 */

/* The pointer table's hash: Fibonacci hashing of the address. */
static size_t
ptab_slot(const struct ptab *t, const void *p)
{
	return (size_t)(((uint64_t)(uintptr_t)p * UINT64_C(0x9E3779B97F4A7C15))
	    >> (64 - t->bits));
}

/* The id of p, or 0. */
static unsigned
ptab_get(const struct ptab *t, const void *p)
{
	size_t mask = ((size_t)1 << t->bits) - 1;

	if (p == NULL || t->key == NULL)
		return 0;
	for (size_t i = ptab_slot(t, p);; i = (i + 1) & mask) {
		if (t->key[i] == (uintptr_t)p)
			return t->val[i];
		if (t->key[i] == PTAB_EMPTY)
			return 0;
	}
}

static void	ptab_put(struct ptab *, const void *p, unsigned id);

/* Rebuild with room for twice the live entries (and no tombstones). */
static void
ptab_grow(struct ptab *t)
{
	struct ptab old = *t;

	t->bits = old.bits == 0 ? 6 : old.bits;
	while (((size_t)1 << t->bits) < 4 * (old.live + 1))
		t->bits++;
	t->key = g_new0(uintptr_t, (size_t)1 << t->bits);
	t->val = g_new(unsigned, (size_t)1 << t->bits);
	t->live = t->used = 0;
	for (size_t i = 0; old.key != NULL && i < ((size_t)1 << old.bits); i++)
		if (old.key[i] != PTAB_EMPTY && old.key[i] != PTAB_GONE)
			ptab_put(t, (const void *)old.key[i], old.val[i]);
	g_free(old.key);
	g_free(old.val);
}

/* Record p as object id (p not yet in the table). */
static void
ptab_put(struct ptab *t, const void *p, unsigned id)
{
	size_t mask;

	if (t->key == NULL || 2 * (t->used + 1) > ((size_t)1 << t->bits))
		ptab_grow(t);
	mask = ((size_t)1 << t->bits) - 1;
	for (size_t i = ptab_slot(t, p);; i = (i + 1) & mask) {
		if (t->key[i] == PTAB_EMPTY || t->key[i] == PTAB_GONE) {
			t->used += t->key[i] == PTAB_EMPTY;
			t->key[i] = (uintptr_t)p;
			t->val[i] = id;
			t->live++;
			return;
		}
	}
}

/* Record p as object id, replacing what p was recorded as. */
static void
ptab_set(struct ptab *t, const void *p, unsigned id)
{
	size_t mask = ((size_t)1 << t->bits) - 1;

	for (size_t i = t->key != NULL ? ptab_slot(t, p) : 0; t->key != NULL;
	    i = (i + 1) & mask) {
		if (t->key[i] == (uintptr_t)p) {
			t->val[i] = id;
			return;
		}
		if (t->key[i] == PTAB_EMPTY)
			break;
	}
	ptab_put(t, p, id);
}

/* Forget p when it is recorded as id. */
static void
ptab_del(struct ptab *t, const void *p, unsigned id)
{
	size_t mask = ((size_t)1 << t->bits) - 1;

	if (t->key == NULL)
		return;
	for (size_t i = ptab_slot(t, p);; i = (i + 1) & mask) {
		if (t->key[i] == PTAB_EMPTY)
			return;
		if (t->key[i] == (uintptr_t)p) {
			if (t->val[i] == id) {
				t->key[i] = PTAB_GONE;
				t->live--;
			}
			return;
		}
	}
}

/* The entry of object id follows it from the pointer was to now (either
 * may be NULL: made or freed). */
static void
ptab_move(struct ptab *t, const void *was, const void *now, unsigned id)
{
	if (was == now)
		return;
	if (was != NULL)
		ptab_del(t, was, id);
	if (now != NULL)
		ptab_set(t, now, id);
}

static void
ptab_clear(struct ptab *t)
{
	g_clear_pointer(&t->key, g_free);
	g_clear_pointer(&t->val, g_free);
	t->bits = 0;
	t->live = t->used = 0;
}

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
ptrlist_push(struct ptrlist *l, void *p)
{
	if (l->n == l->cap) {
		l->cap = l->cap != 0 ? 2 * l->cap : 16;
		l->v = g_renew(void *, l->v, l->cap);
	}
	l->v[l->n++] = p;
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

/* ---------------------------------------------------------------------
 * Marking (the model calls these; cheap, and nothing when checking is off)
 */

/*
 * The marks: a flag per object and a list of the flagged.  One function
 * per object kind, written once: id 0 is no object, and the first test
 * is all a repeated mark costs.
 */
#define DEFINE_MARK(fn, arr, n, list)					\
	static inline void						\
	fn(struct rp_chk *c, unsigned id)				\
	{								\
		if (id == 0 || (id < c->n && c->arr[id].dirty))		\
			return;						\
		SHADOW_COVER(c->arr, c->n, id);				\
		c->arr[id].dirty = true;				\
		idlist_push(&c->list, id);				\
	}
DEFINE_MARK(mark_sock, sk, nsk, dsk)
DEFINE_MARK(mark_group, g, ng, dg)
DEFINE_MARK(mark_map, m, nm, dm)
DEFINE_MARK(mark_prog, p, np, dp)

void
rp_chk_mark_sock(struct rp_chk *c, unsigned id)
{
	mark_sock(c, id);
}

void
rp_chk_mark_group(struct rp_chk *c, unsigned id)
{
	mark_group(c, id);
}

void
rp_chk_mark_map(struct rp_chk *c, unsigned id)
{
	mark_map(c, id);
}

void
rp_chk_mark_prog(struct rp_chk *c, unsigned id)
{
	mark_prog(c, id);
}

void
rp_chk_mark_slot(struct rp_chk *c, unsigned map, uint32_t key)
{
	mark_map(c, map);
	pairlist_push(&c->dslot, map, key);
}

void
rp_chk_mark_pos(struct rp_chk *c, unsigned group, uint32_t pos)
{
	mark_group(c, group);
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

/* Every thread's locks and read-side sections are checked next step. */
void
rp_chk_mark_threads(struct rp_state *st)
{
	st->chk_threads = (1u << RP_NTHREADS) - 1;
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
		mark_sock(c, ev->sock);
		break;
	case RP_EV_CB_LOCK:
	case RP_EV_CB_UNLOCK:
		st->chk_threads |= 1u << st->tid;
		mark_sock(c, ev->sock);
		break;
	case RP_EV_OWNER_SET:
		mark_sock(c, ev->sock);
		mark_map(c, ev->map);
		break;
	case RP_EV_SLOT_SET:
	case RP_EV_SLOT_CLEAR:
		if (c->fault & RP_CHK_FAULT_SLOT_MARKS)
			break;
		rp_chk_mark_slot(c, ev->map, ev->idx);
		mark_sock(c, ev->sock);
		mark_sock(c, ev->sock2);
		mark_map(c, ev->map2);
		break;
	case RP_EV_GROUP_NEW:
	case RP_EV_GROUP_ID:
	case RP_EV_GROUP_PROG:
	case RP_EV_GROUP_FREE:
		mark_group(c, ev->group);
		mark_sock(c, ev->sock);
		break;
	case RP_EV_GROUP_ADD:
	case RP_EV_GROUP_DEL:
	case RP_EV_GROUP_CLOSE:
		rp_chk_mark_pos(c, ev->group, ev->idx);
		mark_sock(c, ev->sock);
		break;
	case RP_EV_GROUP_MOVE:
		rp_chk_mark_pos(c, ev->group, ev->idx);
		rp_chk_mark_pos(c, ev->group, ev->idx2);
		mark_sock(c, ev->sock);
		break;
	case RP_EV_GROUP_GROW:
		/* the new array is checked whole; idx is the old group */
		mark_group(c, ev->group);
		mark_group(c, ev->idx);
		break;
	case RP_EV_MAP_NEW:
	case RP_EV_MAP_FREE:
		mark_map(c, ev->map);
		break;
	case RP_EV_MIGRATE:
		mark_sock(c, ev->sock);
		mark_sock(c, ev->sock2);
		break;
	/* LCOV_EXCL_START: rp_emit() keeps these from the checker: the
	 * lock and RCU events flag their thread itself (RP_CHK_THREAD_EVENTS)
	 * and the rest write nothing (RP_CHK_QUIET_EVENTS) */
	case RP_EV_LOCK:
	case RP_EV_UNLOCK:
	case RP_EV_RCU_LOCK:
	case RP_EV_RCU_UNLOCK:
	case RP_EV_RCU_SYNC:
	case RP_EV_PROG_RUN:
	case RP_EV_SELECT:
	case RP_EV_RULE:
	case RP_EV_KNOWN_DEFECT:
		g_assert_not_reached();
	/* LCOV_EXCL_STOP */
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

	c->ids = g_hash_table_new(g_direct_hash, NULL);
	c->cookies = g_hash_table_new_full(rp_cookie_key_hash,
	    rp_cookie_key_equal, g_free, NULL);
	c->buckets = g_hash_table_new_full(g_int64_hash, g_int64_equal, NULL,
	    g_free);
	return c;
}

/* Empty the lists of what a step touched and made dirty. */
static void
marks_reset(struct rp_chk *c)
{
	c->touched_buckets.n = 0;
	c->touched_ids.n = 0;
	idlist_reset(&c->dsk);
	idlist_reset(&c->dg);
	idlist_reset(&c->dm);
	idlist_reset(&c->dp);
	pairlist_reset(&c->dslot);
	pairlist_reset(&c->dpos);
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
	ptab_clear(&c->sk_reg);
	ptab_clear(&c->g_reg);
	ptab_clear(&c->m_reg);
	ptab_clear(&c->p_reg);
	g_hash_table_remove_all(c->ids);
	g_hash_table_remove_all(c->cookies);
	g_hash_table_remove_all(c->buckets);
	marks_reset(c);
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
	g_hash_table_unref(c->ids);
	g_hash_table_unref(c->cookies);
	g_hash_table_unref(c->buckets);
	g_free(c->touched_buckets.v);
	g_free(c->touched_ids.v);
	g_free(c);
}

/* Mark the whole state: the next step checks (and records) everything. */
static void
mark_all(struct rp_state *st, struct rp_chk *c)
{
	rp_chk_mark_threads(st);
	for (guint i = 1; i < st->socks->len; i++)
		mark_sock(c, i);
	for (guint i = 1; i < st->groups->len; i++)
		mark_group(c, i);
	for (guint i = 1; i < st->progs->len; i++)
		rp_chk_mark_prog(c, i);
	for (guint i = 1; i < st->maps->len; i++) {
		const struct rp_map *m = st->maps->pdata[i];
		GHashTableIter it;
		gpointer k;

		mark_map(c, i);
		if (m == NULL || m->dead || rp_vmap_type(m->type))
			continue;	/* value maps hold no objects */
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
reg_id(const struct ptab *reg, const void *p)
{
	return ptab_get(reg, p);
}

/*
 * The id of p as a live object of table t, trying the id it is likely to
 * have first (an id from the record): the table says so without hashing.
 */
static unsigned
live_id(const GPtrArray *t, const struct ptab *reg, const void *p,
    unsigned hint)
{
	if (p != NULL && hint != 0 && hint < t->len && t->pdata[hint] == p)
		return hint;
	return reg_id(reg, p);
}

/* Slot i (< max_entries) of an array map, read in place (slots.c). */
static inline const struct rp_sock *
slot_sock(const struct rp_map *m, uint32_t i)
{
	const struct rp_slot_page *pg = m->u.slots.pages[i / RP_SLOT_PAGE];

	return pg != NULL ? pg->slot[i % RP_SLOT_PAGE] : NULL;
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

/* sk has the join key k. */
static bool
key_matches(const struct joinkey *k, const struct rp_sock *sk)
{
	return k->net == sk->net && k->family == sk->family &&
	    k->protocol == sk->protocol && k->num == sk->num &&
	    k->addr.family == sk->rcv_saddr.family &&
	    memcmp(k->addr.a, sk->rcv_saddr.a,
	    sk->rcv_saddr.family == RP_AF_INET ? 4 : 16) == 0 &&
	    k->dev == sk->bound_dev_if && k->v6only == sk->ipv6only &&
	    k->uid == sk->uid;
}

/* a and b (socks[0]) agree on every join key (check_group_join()). */
static bool
same_key(const struct rp_sock *a, const struct rp_sock *b)
{
	uint32_t x4, y4;

	/* the bound device is no join key here: SO_BINDTOIFINDEX may change
	 * it on a TCP member, which stays in its group; IPV6_V6ONLY is one
	 * only at the wildcard (check_group_join()) */
	if (a->net != b->net || a->family != b->family ||
	    a->protocol != b->protocol || a->num != b->num ||
	    a->rcv_saddr.family != b->rcv_saddr.family || a->uid != b->uid ||
	    (a->ipv6only != b->ipv6only && rp_addr_any(&b->rcv_saddr)))
		return false;
	if (a->rcv_saddr.family != RP_AF_INET)
		return memcmp(a->rcv_saddr.a, b->rcv_saddr.a, 16) == 0;
	memcpy(&x4, a->rcv_saddr.a, 4);
	memcpy(&y4, b->rcv_saddr.a, 4);
	return x4 == y4;
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
		ptrlist_push(&c->touched_buckets, b);
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
		idlist_push(&c->touched_ids, rid);
}

/* Add or remove one live socket with this cookie; alarm on a twin. */
static void
cookie_count(struct rp_chk *c, uint64_t cookie, unsigned ns, int delta)
{
	struct cookie_entry key = { .k = { .cookie = cookie, .netns = ns } }, *e;

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

/* ---------------------------------------------------------------------
 * Phase A: registries and the object tables
 */

static void
phase_tables(const struct rp_state *st, struct rp_chk *c)
{
	/* ids made since the last step are dirty (programs are made
	 * without an event); one made and freed since leaves nothing */
	if (c->seen_sk != st->socks->len || c->seen_g != st->groups->len ||
	    c->seen_m != st->maps->len || c->seen_p != st->progs->len) {
		for (guint id = MAX(c->seen_sk, 1); id < st->socks->len; id++)
			mark_sock(c, id);
		for (guint id = MAX(c->seen_g, 1); id < st->groups->len; id++)
			mark_group(c, id);
		for (guint id = MAX(c->seen_m, 1); id < st->maps->len; id++)
			mark_map(c, id);
		for (guint id = MAX(c->seen_p, 1); id < st->progs->len; id++)
			rp_chk_mark_prog(c, id);
		c->seen_sk = st->socks->len;
		c->seen_g = st->groups->len;
		c->seen_m = st->maps->len;
		c->seen_p = st->progs->len;
		/* no shadow array grows during the step: pointers into
		 * them stay valid */
		SHADOW_COVER(c->sk, c->nsk, st->socks->len);
		SHADOW_COVER(c->g, c->ng, st->groups->len);
		SHADOW_COVER(c->m, c->nm, st->maps->len);
		SHADOW_COVER(c->p, c->np, st->progs->len);
	}
	/*
	 * The registries: a freed object's pointer goes, a new one's comes
	 * (ptab_set() overwrites, and ptab_del() only removes an entry of
	 * the same id, so memory reused by a new object in the same step is
	 * right in either order).  The shadow pointers of freed objects stay
	 * set: later phases read them to find what the object was (they
	 * never follow them).
	 */
	for (size_t i = 0; i < c->dsk.n; i++) {
		unsigned id = c->dsk.v[i];
		const struct rp_sock *sk = st->socks->pdata[id];

		if (sk != NULL && sk->id != id)
			ALARM(c);	/* collect(): table mismatch */
		ptab_move(&c->sk_reg, c->sk[id].ptr, sk, id);
	}
	for (size_t i = 0; i < c->dg.n; i++) {
		unsigned id = c->dg.v[i];
		const struct rp_group *g = st->groups->pdata[id];

		if (g != NULL && (g->id != id || g->dead))
			ALARM(c);
		ptab_move(&c->g_reg, c->g[id].ptr, g, id);
	}
	for (size_t i = 0; i < c->dm.n; i++) {
		unsigned id = c->dm.v[i];
		const struct rp_map *m = st->maps->pdata[id];

		if (m != NULL && m->id != id)
			ALARM(c);
		ptab_move(&c->m_reg, c->m[id].ptr, m, id);
	}
	for (size_t i = 0; i < c->dp.n; i++) {
		unsigned id = c->dp.v[i];
		const struct rp_prog *p = st->progs->pdata[id];

		if (p != NULL && p->id != id)
			ALARM(c);
		ptab_move(&c->p_reg, c->p[id].ptr, p, id);
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
	case RP_MAP_SOCKMAP:
	case RP_MAP_SOCKHASH:
		if (old != 0) {
			c->sk[old].npsock--;
			mark_sock(c, old);
		}
		if (cur != 0) {
			c->sk[cur].npsock++;
			mark_sock(c, cur);
		}
		break;
	default:	/* outer maps hold maps */
		if (old != 0) {
			c->m[old].outerrefs--;
			mark_map(c, old);
		}
		if (cur != 0) {
			c->m[cur].outerrefs++;
			mark_map(c, cur);
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

	if (live && ms->ptr == m && (ms->has_entries ||
	    m->type == RP_MAP_REUSEPORT_SOCKARRAY || rp_vmap_type(m->type)))
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
	/* a sockarray's record is its members' owner words; the values
	 * of ARRAY and HASH maps (valmap.c) name no object */
	if (!live || m->type == RP_MAP_REUSEPORT_SOCKARRAY ||
	    rp_vmap_type(m->type))
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

/*
 * I1, I13 from the slot's side: an occupant is a live socket whose owner
 * word names this slot.  The rest of I1-I4, I9 is its own check (D).
 */
static void
sockarray_slot(struct rp_chk *c, const struct rp_map *m, uint32_t key)
{
	const struct rp_sock *sk = key < m->max_entries ?
	    slot_sock(m, key) : NULL;
	unsigned sid;

	if (sk == NULL)
		return;		/* the socket that left it is marked */
	sid = reg_id(&c->sk_reg, sk);
	if (sid == 0 || sk->dead || sk->owner.kind != RP_OWNER_SLOT ||
	    sk->owner.map != m || sk->owner.idx != key) {
		ALARM(c);
		return;
	}
	mark_sock(c, sid);
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

		if (m == NULL || m->dead || rp_vmap_type(m->type))
			continue;	/* a dead map's entries do not count,
					 * a value map's name no object */
		if (m->type == RP_MAP_REUSEPORT_SOCKARRAY) {
			sockarray_slot(c, m, key);
			continue;
		}
		if (is_hash_map(m->type))
			p = g_hash_table_lookup(m->u.hash, GUINT_TO_POINTER(key));
		else
			p = key < m->max_entries ?
			    rp_slots_get(&m->u.slots, key) : NULL;
		if (p != NULL) {
			bool maps = m->type == RP_MAP_ARRAY_OF_MAPS ||
			    m->type == RP_MAP_HASH_OF_MAPS;

			cur = reg_id(maps ? &c->m_reg : &c->sk_reg, p);
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

	if (!rp_group_in_section(g, pos)) {
		if (sk != NULL)
			ALARM(c);
		return;
	}
	sid = reg_id(&c->sk_reg, sk);
	if (sid == 0 || sk->dead || sk->reuse != g || sk->reuse_pos != pos) {
		ALARM(c);
		return;
	}
	/* its contributions depend on which section it is in */
	mark_sock(c, sid);
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
	pid = reg_id(&c->p_reg, g->prog);
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

		gs->first_id = live_id(st->socks, &c->sk_reg, first,
		    gs->first_id);
		if (gs->first_id == 0) {
			ALARM(c);
			return;
		}
		if (!gs->key_valid || !key_matches(&gs->key, first))
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

/* Take sk's contributions out of the counters it was counted in; the
 * caller marks the counters whose total changes (sock_step()). */
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
	}
	if (ss->owner_mid != 0)
		c->m[ss->owner_mid].owners--;
	if (ss->cookie != 0)
		cookie_count(c, ss->cookie, ss->cookie_ns, -1);
	if (ss->bound) {
		/* ss->bs stays for sock_live(): the same bucket, mostly */
		struct b_shadow *b = ss->bs;

		b->bound--;
		b->listen -= ss->listed;
	}
	ss->counted = false;
	ss->gid = 0;
	ss->owner_mid = 0;
	ss->owner_idx = 0;
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

	return gid != 0 && g != NULL && reg_id(&c->g_reg, g) == gid &&
	    rp_group_in_section(g, pos) && (const void *)g->socks[pos] == ptr;
}

/* Sockarray mid (registered, live) holds the (possibly freed) ptr at idx. */
static bool
slot_holds(const struct rp_chk *c, unsigned mid, uint32_t idx,
    const void *ptr)
{
	const struct rp_map *m = c->m[mid].ptr;

	return mid != 0 && m != NULL && reg_id(&c->m_reg, m) == mid &&
	    !m->dead && m->type == RP_MAP_REUSEPORT_SOCKARRAY &&
	    idx < m->max_entries && (const void *)slot_sock(m, idx) == ptr;
}

/* One link of a listed socket (check_listen_link()). */
static bool
link_ok(const struct rp_state *st, const struct rp_chk *c,
    const struct rp_sock *sk, const struct rp_bucket *b, bool next,
    unsigned *id)
{
	const struct rp_sock *o = next ? sk->listen_next : sk->listen_prev;

	if (o == NULL) {
		*id = 0;
		return (next ? b->listen_tail : b->listen_head) == sk;
	}
	*id = live_id(st->socks, &c->sk_reg, o, *id);
	/* the order both ways: only sk may have changed */
	return *id != 0 && o->bucket == b && o->listed &&
	    (next ? o->listen_prev : o->listen_next) == sk &&
	    (next ? o->listen_seq > sk->listen_seq :
	    o->listen_seq < sk->listen_seq);
}

/* A live socket: I1-I4, I7, I10, I11 and its bucket (I7). */
static void
sock_live(const struct rp_state *st, struct rp_chk *c, struct sk_shadow *ss,
    const struct rp_sock *sk, struct b_shadow *was, unsigned hint_gid,
    unsigned hint_mid)
{
	const struct rp_profile *prof = st->prof;
	bool tags = prof->user_data_tags;
	const struct rp_bucket *b = sk->bucket;

	/* I7 (check_sock_groups()) and the group counters */
	if (sk->reuse != NULL) {
		const struct rp_group *g = sk->reuse;
		unsigned gid = live_id(st->groups, &c->g_reg, g, hint_gid);
		unsigned pos = sk->reuse_pos;
		struct g_shadow *gs;

		if (gid == 0 || !rp_group_in_section(g, pos) ||
		    g->socks[pos] != sk) {
			ALARM(c);
			return;
		}
		gs = &c->g[gid];
		ss->gid = gid;
		ss->pos = pos;
		ss->cpu = pos < g->num_socks && sk->incoming_cpu >= 0;
		ss->slotted = sk->owner.kind == RP_OWNER_SLOT;
		gs->claims++;
		gs->cpu += ss->cpu;
		gs->slotted += ss->slotted;
		/* I10 against socks[0]; socks[0] itself against the key */
		if (pos == 0) {
			if (!gs->key_valid || !key_matches(&gs->key, sk)) {
				gs->rescan = true;	/* in phase E */
				mark_group(c, gid);
			}
		} else if (pos < g->num_socks && !gs->rescan) {
			gs->first_id = live_id(st->socks, &c->sk_reg,
			    g->socks[0], gs->first_id);
			if (gs->first_id == 0) {
				ALARM(c);
				return;
			}
			if (!same_key(sk, g->socks[0]) &&
			    !(c->fault & RP_CHK_FAULT_JOIN))
				ALARM(c);
		}
	}
	/* I1, I2, I4, I5: the owner word and the slots holding sk */
	if (sk->owner.kind == RP_OWNER_SLOT) {
		const struct rp_map *m = sk->owner.map;
		unsigned mid = live_id(st->maps, &c->m_reg, m, hint_mid);

		if (mid == 0 || m->dead ||
		    m->type != RP_MAP_REUSEPORT_SOCKARRAY ||
		    sk->owner.idx >= m->max_entries ||
		    slot_sock(m, sk->owner.idx) != sk) {
			ALARM(c);
			return;
		}
		ss->owner_mid = mid;
		ss->owner_idx = sk->owner.idx;
		c->m[mid].owners++;
		/* I3, I9: an occupant is eligible, its group has an id */
		if (rp_sock_ineligible(sk) != RP_ELIGIBLE ||
		    !sk->reuse->has_id)
			ALARM(c);
	}
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
		uint64_t key = bucket_key(sk->net->id, sk->protocol, sk->num);
		struct b_shadow *bs;

		if (was != NULL && (uint64_t)was->key == key)
			bs = was;
		else
			bs = bucket_claims(c, sk->net->id, sk->protocol,
			    sk->num);
		/* the model's bucket of the key, looked up once a step */
		if (bs->stamp != c->stamp) {
			struct rp_bucket k = { .netns = bs->netns,
			    .protocol = bs->protocol, .port = bs->port };

			bs->model = st->buckets != NULL ?
			    g_hash_table_lookup(st->buckets, &k) : NULL;
			bs->stamp = c->stamp;
		}
		if (bs->model != b || sk->bound_pos >= b->bound->len ||
		    b->bound->pdata[sk->bound_pos] != sk ||
		    (sk->listed && (!link_ok(st, c, sk, b, false,
		    &ss->prev_id) || !link_ok(st, c, sk, b, true,
		    &ss->next_id)))) {
			ALARM(c);
			return;
		}
		ss->bs = bs;
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

/* The counters one socket moves, to mark only those whose total moved. */
struct contrib {
	unsigned		gid, owner_mid;
	bool			cpu, slotted, bound, listed;
	struct b_shadow		*bs;
};

static void
touch_bucket(struct rp_chk *c, struct b_shadow *bs)
{
	if (bs != NULL && !bs->touched) {
		bs->touched = true;
		ptrlist_push(&c->touched_buckets, bs);
	}
}

/* Mark the group, map and bucket totals that sk's check moved. */
static void
mark_moved(struct rp_chk *c, const struct contrib *o,
    const struct sk_shadow *ss)
{
	if (o->gid != ss->gid || o->cpu != ss->cpu ||
	    o->slotted != ss->slotted) {
		mark_group(c, o->gid);
		mark_group(c, ss->gid);
	}
	if (o->owner_mid != ss->owner_mid) {
		mark_map(c, o->owner_mid);
		mark_map(c, ss->owner_mid);
	}
	if (o->bs != ss->bs || o->bound != ss->bound ||
	    o->listed != ss->listed) {
		touch_bucket(c, o->bs);
		touch_bucket(c, ss->bs);
	}
}

static void
sock_step(const struct rp_state *st, struct rp_chk *c, unsigned sid)
{
	struct sk_shadow *ss = &c->sk[sid];
	const struct rp_sock *sk = st->socks->pdata[sid];
	unsigned old_gid = ss->gid, old_pos = ss->pos, old_mid = ss->owner_mid;
	uint32_t old_idx = ss->owner_idx;
	const void *old_ptr = ss->ptr;
	struct b_shadow *was;
	struct contrib o;

	ss->dirty = false;
	o.gid = ss->counted ? ss->gid : 0;
	o.owner_mid = ss->counted ? ss->owner_mid : 0;
	o.cpu = ss->counted && ss->cpu;
	o.slotted = ss->counted && ss->slotted;
	o.bound = ss->counted && ss->bound;
	o.listed = ss->counted && ss->listed;
	o.bs = o.bound ? ss->bs : NULL;
	sock_uncount(c, ss);
	was = ss->bs;	/* the claims record it left, if any */
	ss->bs = NULL;
	if (sk == NULL) {
		/* freed: nothing may still hold it (I13) */
		if (old_ptr != NULL && (ss->npsock > 0 ||
		    slot_holds(c, old_mid, old_idx, old_ptr) ||
		    group_holds(c, old_gid, old_pos, old_ptr)))
			ALARM(c);
		ss->ptr = NULL;
		goto out;
	}
	ss->ptr = sk;
	/* I12: no callback lock outlives a step */
	if (sk->cb_holder != 0)
		ALARM(c);
	/* the position it had, if it moved, no longer holds it (I7) */
	if (old_ptr == sk && old_gid != 0 && (sk->reuse == NULL ||
	    live_id(st->groups, &c->g_reg, sk->reuse, old_gid) != old_gid ||
	    sk->reuse_pos != old_pos) && group_holds(c, old_gid, old_pos, sk))
		ALARM(c);
	/* I1, I2: the slot its owner word named has let it go, unless the
	 * word still names it */
	if (old_ptr == sk && old_mid != 0 &&
	    (sk->owner.kind != RP_OWNER_SLOT || sk->owner.idx != old_idx ||
	    live_id(st->maps, &c->m_reg, sk->owner.map, old_mid) != old_mid) &&
	    slot_holds(c, old_mid, old_idx, sk))
		ALARM(c);
	if (sk->dead) {
		/* I13: no slot, entry, socks[] or bucket holds a dead one */
		unsigned gid = reg_id(&c->g_reg, sk->reuse);

		if (ss->npsock > 0 || sk->bucket != NULL || sk->listed ||
		    group_holds(c, gid, sk->reuse_pos, sk) ||
		    (sk->owner.kind == RP_OWNER_SLOT && slot_holds(c,
		    reg_id(&c->m_reg, sk->owner.map), sk->owner.idx, sk)))
			ALARM(c);
		goto out;
	}
	sock_live(st, c, ss, sk, was, old_gid, old_mid);
out:
	mark_moved(c, &o, ss);
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
	struct joinkey k0;

	gs->rescan = false;
	if (g->num_socks == 0) {
		gs->key_valid = false;
		return;
	}
	key_of(g->socks[0], &k0);
	for (unsigned pos = 1; pos < g->num_socks; pos++) {
		const struct rp_sock *sk = g->socks[pos];

		if (reg_id(&c->sk_reg, sk) == 0) {
			ALARM(c);
			return;
		}
		if (!same_key(sk, g->socks[0])) {
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
			mid = reg_id(&c->m_reg, p->map);
			if (mid == 0 || p->map->dead)
				ALARM(c);	/* I13 (check_progs()) */
		}
		if (p == NULL && ps->grouprefs > 0)
			ALARM(c);	/* a group runs a freed program */
		if (mid != ps->map_mid) {
			if (ps->map_mid != 0) {
				c->m[ps->map_mid].progrefs--;
				mark_map(c, ps->map_mid);
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
			/* I1: the used count of a sockarray is its
			 * occupants, each named by its owner word */
			if (m->type == RP_MAP_REUSEPORT_SOCKARRAY &&
			    m->used != ms->owners)
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
	for (size_t i = 0; i < c->touched_ids.n && !c->alarm; i++) {
		uint32_t rid = c->touched_ids.v[i];

		if (GPOINTER_TO_UINT(g_hash_table_lookup(c->ids,
		    GUINT_TO_POINTER(rid))) > 1)
			ALARM(c);
	}
	/* I7 (bind bucket): each bucket holds exactly its claimants */
	for (size_t i = 0; i < c->touched_buckets.n && !c->alarm; i++) {
		struct b_shadow *bs = c->touched_buckets.v[i];
		const struct rp_bucket *b;

		if (bs->stamp != c->stamp) {
			struct rp_bucket key = { .netns = bs->netns,
			    .protocol = bs->protocol, .port = bs->port };

			bs->model = st->buckets != NULL ?
			    g_hash_table_lookup(st->buckets, &key) : NULL;
			bs->stamp = c->stamp;
		}
		b = bs->model;
		if (b == NULL) {
			if (bs->bound > 0 || bs->listen > 0)
				ALARM(c);	/* LCOV_EXCL_LINE */
			continue;
		}
		if (bs->bound != b->bound->len || bs->listen != b->nlisten ||
		    (b->nlisten == 0) != (b->listen_head == NULL) ||
		    (b->nlisten == 0) != (b->listen_tail == NULL)) {
			ALARM(c);
			continue;
		}
		if (b->nlisten == 0)
			continue;
		bs->head_id = live_id(st->socks, &c->sk_reg, b->listen_head,
		    bs->head_id);
		bs->tail_id = live_id(st->socks, &c->sk_reg, b->listen_tail,
		    bs->tail_id);
		if (bs->head_id == 0 || b->listen_head->bucket != b ||
		    !b->listen_head->listed ||
		    b->listen_head->listen_prev != NULL || bs->tail_id == 0 ||
		    b->listen_tail->bucket != b || !b->listen_tail->listed ||
		    b->listen_tail->listen_next != NULL)
			ALARM(c);
	}
}

/* Forget this step's marks once every phase has read them. */
static void
clear_marks(struct rp_chk *c)
{
	for (size_t i = 0; i < c->touched_buckets.n; i++) {
		struct b_shadow *bs = c->touched_buckets.v[i];

		bs->touched = false;
		if (bs->bound == 0 && bs->listen == 0)
			g_hash_table_remove(c->buckets, &bs->key);
	}
	marks_reset(c);
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
	c->stamp++;
	if (!c->ready) {
		chk_reset(c);
		mark_all(st, c);
		c->stats.rebuilds++;
	}
	c->stats.objects += c->dsk.n + c->dg.n + c->dm.n + c->dp.n +
	    c->dslot.n + c->dpos.n;
	c->alarm = false;
	/* I12, I13: what a step leaves behind: the record, the lock, and
	 * the threads that took or left a lock or read-side section */
	if (cst->violation != NULL || cst->reuseport_holder != 0)
		ALARM(c);
	for (uint32_t bits = st->chk_threads; bits != 0; bits &= bits - 1) {
		const struct rp_thread *t =
		    &cst->threads[__builtin_ctz(bits)];

		if (t->holds_reuseport || t->cb_held != 0 || t->rcu_depth != 0)
			ALARM(c);
	}
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
		st->chk_threads = 0;
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
		    x->owner_mid != y->owner_mid ||
		    x->owner_idx != y->owner_idx || x->cookie != y->cookie ||
		    x->cookie_ns != y->cookie_ns || x->bound != y->bound ||
		    (x->bound && x->bkey != y->bkey) ||
		    x->listed != y->listed || x->cpu != y->cpu ||
		    x->slotted != y->slotted || x->npsock != y->npsock)
			DIFF("socket %zu: group %u/%u pos %u/%u owner map "
			    "%u/%u slot %u/%u psock %u/%u cookie %" G_GUINT64_FORMAT
			    "/%" G_GUINT64_FORMAT " ns %u/%u bound %d/%d key %"
			    G_GUINT64_FORMAT "/%" G_GUINT64_FORMAT " listed "
			    "%d/%d cpu %d/%d slotted %d/%d counted %d/%d",
			    i, x->gid, y->gid, x->pos, y->pos, x->owner_mid,
			    y->owner_mid, x->owner_idx, y->owner_idx, x->npsock,
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
	if (a->sk_reg.live != b->sk_reg.live || a->g_reg.live != b->g_reg.live ||
	    a->m_reg.live != b->m_reg.live || a->p_reg.live != b->p_reg.live)
		DIFF("registries: %zu/%zu sockets %zu/%zu groups %zu/%zu maps "
		    "%zu/%zu programs", a->sk_reg.live, b->sk_reg.live,
		    a->g_reg.live, b->g_reg.live, a->m_reg.live,
		    b->m_reg.live, a->p_reg.live, b->p_reg.live);
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
