/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * digest.c - a 64-bit digest of every object of the state, and the read
 * reports of the access hook: what an interleaving explorer needs for
 * its footprints (which objects a step read and wrote) and for knowing a
 * state it has seen.
 *
 * The state is cut into objects, each named by a key (RP_OBJ_KEY(): a
 * class and an id): every process with its fd table, socket, group, map,
 * program and bind bucket, plus GLOBAL (namespaces, cookie counters, the
 * group id allocator, memlock and kmem accounting, the callbacks waiting
 * for a grace period, the maps waiting for their deferred free) and LOCKS (who holds reuseport_lock and each
 * callback lock, and each thread's RCU nesting).  An object's digest
 * covers all its fields: the structure's bytes with every pointer field
 * zeroed, then what each pointer names, as ids, and the contents of its
 * containers in order (an unordered container is summed, so its digest
 * does not depend on hash-table order).  So a field added to a structure
 * is covered without a change here unless it is a pointer; a pointer left
 * in only makes equal states look different, never different ones equal.
 * What is not state is left out: a file's reference count (fds held by
 * a call in flight) and the current thread.
 *
 * A step wrote the objects whose digest it changed; that is exact, and
 * costs a walk of every object per step (a walk of masked compares for
 * the sockets, with a cache: rp_state_digest_objects_cached()).  Reads cannot be seen that way:
 * the model reports them through the access hook (rp_read()) where a
 * call finds an object (an fd, a query).
 */
#include <string.h>

#include "rp-int.h"

static inline void
hv(uint64_t *h, uint64_t v)
{
	*h = rp_digest_mix(*h + v + UINT64_C(0x9e3779b97f4a7c15));
}

/* The bytes of p into *h: a multiply-rotate per word, mixed once at the
 * end (the words are fields, not attacker input). */
static void
hbytes(uint64_t *h, const void *p, size_t n)
{
	const unsigned char *b = p;
	uint64_t x = *h ^ n, w;

	for (; n >= 8; n -= 8, b += 8) {
		memcpy(&w, b, 8);
		x = (x ^ w) * UINT64_C(0x9fb21c651e98df25);
		x ^= x >> 29;
	}
	if (n > 0) {
		w = 0;
		memcpy(&w, b, n);
		x = (x ^ w) * UINT64_C(0x9fb21c651e98df25);
	}
	*h = rp_digest_mix(x);
}

/* An unordered (key, value) entry, to be summed. */
static inline uint64_t
entry(uint64_t k, uint64_t v)
{
	return rp_digest_mix(k * UINT64_C(0x9e3779b97f4a7c15) ^
	    rp_digest_mix(v + 1));
}

static uint64_t
sock_key(const struct rp_sock *sk)
{
	return sk != NULL ? RP_OBJ_KEY(RP_OC_SOCK, sk->id) : 0;
}

static uint64_t
bucket_key(const struct rp_bucket *b)
{
	return b != NULL ? RP_OBJ_KEY(RP_OC_BUCKET, rp_bucket_id(b)) : 0;
}

/* (netns, protocol, port) in the 56 bits of an id */
uint64_t
rp_bucket_id(const struct rp_bucket *b)
{
	return (uint64_t)b->netns << 32 | (uint64_t)(uint32_t)b->protocol <<
	    16 | b->port;
}

static void
queue_ids(uint64_t *h, const GQueue *q)
{
	hv(h, q->length);
	for (const GList *l = q->head; l != NULL; l = l->next)
		hv(h, sock_key(l->data));
}

/* sk's bytes with what is not digested as bytes zeroed: the pointers
 * (digested as ids) and what belongs to another object. */
static void
sock_masked(const struct rp_sock *sk, struct rp_sock *t)
{
	memcpy(t, sk, sizeof(*t));
	t->net = NULL;
	t->reuse = NULL;
	t->bucket = NULL;
	t->parent = NULL;
	t->listen_prev = NULL;		/* the chain: its bucket's */
	t->listen_next = NULL;
	t->listen_seq = 0;
	t->owner.map = NULL;
	t->data = NULL;
	t->cb_holder = 0;		/* LOCKS */
	memset(&t->accept_q, 0, sizeof(t->accept_q));
	memset(&t->requests, 0, sizeof(t->requests));
}

static uint64_t
sock_digest_masked(const struct rp_sock *sk, const struct rp_sock *t)
{
	uint64_t h = 1;

	hbytes(&h, t, sizeof(*t));
	hv(&h, sk->net->id);
	hv(&h, sk->reuse != NULL ? sk->reuse->id : 0);
	hv(&h, bucket_key(sk->bucket));
	hv(&h, sock_key(sk->parent));
	queue_ids(&h, &sk->accept_q);
	queue_ids(&h, &sk->requests);
	if (sk->data != NULL)
		hbytes(&h, sk->data, sk->data_len);
	return h;
}

static uint64_t
sock_digest(const struct rp_sock *sk)
{
	struct rp_sock t;

	sock_masked(sk, &t);
	return sock_digest_masked(sk, &t);
}

/*
 * The cache: per socket id, the socket's digested bytes (sock_masked())
 * and the ids its pointers named when its digest was computed.  A socket
 * whose bytes and ids are those has that digest (sock_digest_masked() is
 * a function of them when its queues are empty and it has no data; one
 * with a queue or data is not kept).  A socket that changed misses and
 * is digested again: so a cache never gives a digest the socket does not
 * have, whatever state it is used with (a restored copy hits).  The
 * bytes are compared through a mask of the words sock_masked() keeps
 * (sock_masked_equal()), so a hit copies nothing.
 */
struct sock_memo {
	bool		ok;
	uint64_t	net, reuse, bucket, parent;
	uint64_t	h;
	struct rp_sock	raw;		/* sock_masked() */
};

struct rp_digest_cache {
	GArray		*socks;		/* struct sock_memo, by id */
};

struct rp_digest_cache *
rp_digest_cache_new(void)
{
	struct rp_digest_cache *c = g_new0(struct rp_digest_cache, 1);

	c->socks = g_array_new(FALSE, TRUE, sizeof(struct sock_memo));
	return c;
}

void
rp_digest_cache_free(struct rp_digest_cache *c)
{
	if (c == NULL)
		return;
	g_array_unref(c->socks);
	g_free(c);
}

/*
 * The bytes sock_masked() keeps, as a mask of words: sock_masked() of a
 * socket of all ones.  So a socket's masked bytes equal a memo's when
 * (word ^ memo word) & mask is 0 for every word, without the masked copy.
 */
#define SOCK_WORDS	(sizeof(struct rp_sock) / sizeof(uint64_t))
G_STATIC_ASSERT(sizeof(struct rp_sock) % sizeof(uint64_t) == 0);

static const uint64_t *
sock_mask(void)
{
	static uint64_t mask[SOCK_WORDS];
	static gsize done;

	if (g_once_init_enter(&done)) {
		struct rp_sock ones, t;

		memset(&ones, 0xff, sizeof(ones));
		sock_masked(&ones, &t);
		memcpy(mask, &t, sizeof(mask));
		g_once_init_leave(&done, 1);
	}
	return mask;
}

/* Are sk's bytes, masked, those of raw (a sock_masked() copy)? */
static bool
sock_masked_equal(const struct rp_sock *sk, const struct rp_sock *raw)
{
	const uint64_t *mask = sock_mask();
	const unsigned char *a = (const unsigned char *)sk;
	const unsigned char *b = (const unsigned char *)raw;
	uint64_t diff = 0;

	for (size_t i = 0; i < SOCK_WORDS; i++) {
		uint64_t x, y;

		memcpy(&x, a + 8 * i, 8);
		memcpy(&y, b + 8 * i, 8);
		diff |= (x ^ y) & mask[i];
	}
	return diff == 0;
}

static uint64_t
sock_digest_cached(struct rp_digest_cache *c, const struct rp_sock *sk)
{
	struct sock_memo *m;
	struct rp_sock t;
	uint64_t net, reuse, bucket, parent;
	bool keep;

	if (c == NULL)
		return sock_digest(sk);
	if (sk->id >= c->socks->len)
		g_array_set_size(c->socks, sk->id + 1);
	m = &g_array_index(c->socks, struct sock_memo, sk->id);
	net = sk->net->id;
	reuse = sk->reuse != NULL ? sk->reuse->id : 0;
	bucket = bucket_key(sk->bucket);
	parent = sock_key(sk->parent);
	keep = sk->accept_q.length == 0 && sk->requests.length == 0 &&
	    sk->data == NULL;
	if (keep && m->ok && m->net == net && m->reuse == reuse &&
	    m->bucket == bucket && m->parent == parent &&
	    sock_masked_equal(sk, &m->raw))
		return m->h;
	sock_masked(sk, &t);
	m->h = sock_digest_masked(sk, &t);
	m->ok = keep;
	if (keep) {
		m->net = net;
		m->reuse = reuse;
		m->bucket = bucket;
		m->parent = parent;
		memcpy(&m->raw, &t, sizeof(t));
	}
	return m->h;
}

static uint64_t
group_digest(const struct rp_group *g)
{
	struct rp_group t;
	unsigned closed = (unsigned)g->max_socks - g->num_closed_socks;
	uint64_t h = 2;

	memcpy(&t, g, sizeof(t));
	t.prog = NULL;
	t.socks = NULL;
	t.stale = NULL;		/* only a reader in flight reads it */
	hbytes(&h, &t, sizeof(t));
	hv(&h, g->prog != NULL ? g->prog->id : 0);
	/* the listening and the closed section; between them: left-overs */
	for (unsigned i = 0; i < g->num_socks; i++)
		hv(&h, sock_key(g->socks[i]));
	for (unsigned i = closed; i < g->max_socks; i++)
		hv(&h, sock_key(g->socks[i]));
	return h;
}

static bool
map_has_slots(const struct rp_map *m)
{
	return m->type == RP_MAP_REUSEPORT_SOCKARRAY ||
	    m->type == RP_MAP_SOCKMAP || m->type == RP_MAP_ARRAY_OF_MAPS;
}

static uint64_t
slot_obj_key(const struct rp_map *m, const void *p)
{
	if (p == NULL)
		return 0;
	if (m->type == RP_MAP_ARRAY_OF_MAPS || m->type == RP_MAP_HASH_OF_MAPS)
		return RP_OBJ_KEY(RP_OC_MAP, ((const struct rp_map *)p)->id);
	return RP_OBJ_KEY(RP_OC_SOCK, ((const struct rp_sock *)p)->id);
}

static uint64_t
map_digest(const struct rp_map *m)
{
	struct rp_map t;
	uint64_t h = 3;

	memcpy(&t, m, sizeof(t));
	memset(&t.u, 0, sizeof(t.u));
	hbytes(&h, &t, sizeof(t));
	if (map_has_slots(m)) {
		const struct rp_slots *s = &m->u.slots;

		for (uint32_t i = s->pages != NULL ? rp_slots_next(s, 0) : s->n;
		    i < s->n; i = rp_slots_next(s, i + 1)) {
			hv(&h, i);
			hv(&h, slot_obj_key(m, rp_slots_get(s, i)));
		}
	} else if (rp_vmap_type(m->type)) {
		if (m->u.v != NULL)
			hv(&h, rp_vmap_digest(m));
	} else if (m->u.hash != NULL) {
		GHashTableIter it;
		gpointer k, v;
		uint64_t sum = 0;

		g_hash_table_iter_init(&it, m->u.hash);
		while (g_hash_table_iter_next(&it, &k, &v))
			sum += entry(GPOINTER_TO_UINT(k), slot_obj_key(m, v));
		hv(&h, sum);
	}
	return h;
}

static uint64_t
prog_digest(const struct rp_prog *p)
{
	struct rp_prog t;
	uint64_t h = 4;

	memcpy(&t, p, sizeof(t));
	t.map = NULL;
	t.migrate = NULL;
	t.code = NULL;
	t.ccode = NULL;
	hbytes(&h, &t, sizeof(t));
	if (p->code != NULL)
		hbytes(&h, p->code->insns, p->code->len *
		    sizeof(*p->code->insns));
	if (p->ccode != NULL)
		hbytes(&h, p->ccode->insns, p->ccode->len *
		    sizeof(*p->ccode->insns));
	hv(&h, p->map != NULL ? p->map->id : 0);
	if (p->migrate != NULL) {
		GHashTableIter it;
		gpointer k, v;
		uint64_t sum = 0;

		g_hash_table_iter_init(&it, p->migrate);
		while (g_hash_table_iter_next(&it, &k, &v))
			sum += entry(*(const uint64_t *)k, GPOINTER_TO_UINT(v));
		hv(&h, sum);
	}
	return h;
}

static uint64_t
file_obj_key(const struct rp_file *f)
{
	switch (f->kind) {	/* LCOV_EXCL_BR_LINE */
	case RP_FILE_SOCK:
		return RP_OBJ_KEY(RP_OC_SOCK, f->u.sk->id);
	case RP_FILE_MAP:
		return RP_OBJ_KEY(RP_OC_MAP, f->u.map->id);
	case RP_FILE_PROG:
		return RP_OBJ_KEY(RP_OC_PROG, f->u.prog->id);
	}
	return 0;	/* LCOV_EXCL_LINE */
}

static uint64_t
proc_digest(const struct rp_proc *p)
{
	struct rp_proc t;
	uint64_t h = 5;

	memcpy(&t, p, sizeof(t));
	t.net = NULL;
	t.fds = NULL;
	hbytes(&h, &t, sizeof(t));
	hv(&h, p->net->id);
	hv(&h, p->fds->len);
	for (guint fd = 0; fd < p->fds->len; fd++) {
		const struct rp_file *f = p->fds->pdata[fd];

		if (f == NULL)
			continue;
		/* a socket, map or program has one struct file: its key
		 * names the file; refs count calls in flight too */
		hv(&h, fd);
		hv(&h, file_obj_key(f));
		hv(&h, (uint64_t)f->can_read << 1 | f->can_write);
	}
	return h;
}

static uint64_t
bucket_digest(const struct rp_bucket *b)
{
	struct rp_bucket t;
	uint64_t h = 6;

	memcpy(&t, b, sizeof(t));
	t.bound = NULL;
	t.listen_head = NULL;
	t.listen_tail = NULL;
	/* only the order of listen_seq counts (sock_hash()): two chains in
	 * the same order behave the same whatever their numbers */
	t.head_seq = 0;
	t.tail_seq = 0;
	hbytes(&h, &t, sizeof(t));
	hv(&h, b->bound->len);
	for (guint i = 0; i < b->bound->len; i++)
		hv(&h, sock_key(b->bound->pdata[i]));
	hv(&h, b->nlisten);
	for (const struct rp_sock *sk = b->listen_head; sk != NULL;
	    sk = sk->listen_next)
		hv(&h, sock_key(sk));
	return h;
}

static uint64_t
global_digest(const struct rp_state *st)
{
	GHashTableIter it;
	gpointer k, v;
	uint64_t h = 7, sum = 0;

	for (guint i = 0; i < st->netns->len; i++) {
		struct rp_netns t;

		/* the port maps follow from the buckets */
		memcpy(&t, st->netns->pdata[i], sizeof(t));
		t.portmaps = NULL;
		hbytes(&h, &t, sizeof(t));
	}
	hv(&h, st->ida.next);
	hbytes(&h, st->ida.freed->data, st->ida.freed->len *
	    sizeof(uint32_t));
	g_hash_table_iter_init(&it, st->memlock_used);
	while (g_hash_table_iter_next(&it, &k, &v))
		sum += entry(GPOINTER_TO_UINT(k), GPOINTER_TO_SIZE(v));
	hv(&h, sum);
	hv(&h, (uint64_t)st->unpriv_bpf_disabled);
	hv(&h, st->kconfig_mptcp);
	hv(&h, st->cookie_fwd);
	hv(&h, st->cookie_rev);
	for (unsigned i = 0; i < RP_NCPU_MAX; i++)
		if (st->cookie_last[i] != 0)
			hv(&h, (uint64_t)i << 56 ^ st->cookie_last[i]);
	hv(&h, st->cpu);
	hv(&h, st->kmem_limit);
	hv(&h, st->kmem_used);
	hv(&h, st->plant);
	hv(&h, st->rng[0]);
	hv(&h, st->rng[1]);
	hv(&h, st->clock_ns);
	hv(&h, st->insn_budget);
	hv(&h, st->socks->len);
	hv(&h, st->groups->len);
	hv(&h, st->maps->len);
	hv(&h, st->progs->len);
	hv(&h, st->procs->len);
	for (guint i = 0; i < st->rcu_pending->len; i++) {
		const struct rp_pending *p = st->rcu_pending->pdata[i];

		if (p->fn == rp_group_free_rcu)
			hv(&h, RP_OBJ_KEY(RP_OC_GROUP,
			    ((const struct rp_group *)p->obj)->id));
		else
			hv(&h, sock_key(p->obj));
	}
	hv(&h, st->graveyard->len);
	hv(&h, st->sock_graveyard->len);
	/* the deferred map frees rp_state_settle() runs, in order */
	hv(&h, st->map_free_pending->len);
	for (guint i = 0; i < st->map_free_pending->len; i++)
		hv(&h, ((const struct rp_map *)
		    st->map_free_pending->pdata[i])->id);
	return h;
}

static uint64_t
locks_digest(const struct rp_state *st)
{
	uint64_t h = 8, sum = 0;
	unsigned held = 0;

	hv(&h, st->reuseport_holder);
	for (unsigned i = 0; i < RP_NTHREADS; i++) {
		hv(&h, st->threads[i].rcu_depth);
		hv(&h, st->threads[i].holds_reuseport);
		hv(&h, st->threads[i].cb_held);
		held += st->threads[i].cb_held;
	}
	/* which callback locks: only when some thread holds one (a leaked
	 * lock shows in the checker, not here) */
	for (guint i = 1; held > 0 && i < st->socks->len; i++) {
		const struct rp_sock *sk = st->socks->pdata[i];

		if (sk != NULL && sk->cb_holder != 0)
			sum += entry(sk->id, sk->cb_holder);
	}
	hv(&h, sum);
	return h;
}

/*
 * Call fn with the key and the digest of every object of st: GLOBAL and
 * LOCKS first, then processes, sockets, groups (those waiting for a grace
 * period too), maps, programs by id, and the bind buckets in no
 * particular order.
 */
void
rp_state_digest_objects(const struct rp_state *st, rp_digest_fn fn,
    void *ud)
{
	rp_state_digest_objects_cached(st, NULL, fn, ud);
}

/* The same, with the sockets' digests through cache c (NULL: none). */
void
rp_state_digest_objects_cached(const struct rp_state *st,
    struct rp_digest_cache *c, rp_digest_fn fn, void *ud)
{
	g_return_if_fail(st != NULL && fn != NULL);
	fn(ud, RP_OBJ_KEY(RP_OC_GLOBAL, 0), global_digest(st));
	fn(ud, RP_OBJ_KEY(RP_OC_LOCKS, 0), locks_digest(st));
	for (guint i = 0; i < st->procs->len; i++)
		fn(ud, RP_OBJ_KEY(RP_OC_PROC, i),
		    proc_digest(st->procs->pdata[i]));
	for (guint i = 1; i < st->socks->len; i++)
		if (st->socks->pdata[i] != NULL)
			fn(ud, RP_OBJ_KEY(RP_OC_SOCK, i),
			    sock_digest_cached(c, st->socks->pdata[i]));
	for (guint i = 1; i < st->groups->len; i++)
		if (st->groups->pdata[i] != NULL)
			fn(ud, RP_OBJ_KEY(RP_OC_GROUP, i),
			    group_digest(st->groups->pdata[i]));
	/* a group waiting for its grace period: a reader inside an RCU
	 * section may still hold it (grown, or emptied) */
	for (guint i = 0; i < st->rcu_pending->len; i++) {
		const struct rp_pending *p = st->rcu_pending->pdata[i];

		if (p->fn == rp_group_free_rcu)
			fn(ud, RP_OBJ_KEY(RP_OC_GROUP,
			    ((const struct rp_group *)p->obj)->id),
			    group_digest(p->obj));
	}
	for (guint i = 1; i < st->maps->len; i++)
		if (st->maps->pdata[i] != NULL)
			fn(ud, RP_OBJ_KEY(RP_OC_MAP, i),
			    map_digest(st->maps->pdata[i]));
	for (guint i = 1; i < st->progs->len; i++)
		if (st->progs->pdata[i] != NULL)
			fn(ud, RP_OBJ_KEY(RP_OC_PROG, i),
			    prog_digest(st->progs->pdata[i]));
	if (st->buckets != NULL) {
		GHashTableIter it;
		gpointer b;

		g_hash_table_iter_init(&it, st->buckets);
		while (g_hash_table_iter_next(&it, &b, NULL))
			fn(ud, bucket_key(b), bucket_digest(b));
	}
}

/* A table of id -> object, the object or NULL. */
static const void *
by_id(const GPtrArray *a, uint64_t id)
{
	return id < a->len ? a->pdata[id] : NULL;
}

/*
 * The digest of the one object named by key, as rp_state_digest_objects()
 * gives it, or 0 when the state has no such object.
 */
uint64_t
rp_state_digest_object(const struct rp_state *st, uint64_t key)
{
	uint64_t id = RP_OBJ_ID(key);
	const void *o;

	g_return_val_if_fail(st != NULL, 0);
	switch (RP_OBJ_CLASS(key)) {
	case RP_OC_GLOBAL:
		return id == 0 ? global_digest(st) : 0;
	case RP_OC_LOCKS:
		return id == 0 ? locks_digest(st) : 0;
	case RP_OC_PROC:
		o = by_id(st->procs, id);
		return o != NULL ? proc_digest(o) : 0;
	case RP_OC_SOCK:
		o = id > 0 ? by_id(st->socks, id) : NULL;
		return o != NULL ? sock_digest(o) : 0;
	case RP_OC_GROUP:
		o = id > 0 ? by_id(st->groups, id) : NULL;
		for (guint i = 0; o == NULL && i < st->rcu_pending->len; i++) {
			const struct rp_pending *p = st->rcu_pending->pdata[i];

			if (p->fn == rp_group_free_rcu &&
			    ((const struct rp_group *)p->obj)->id == id)
				o = p->obj;
		}
		return o != NULL ? group_digest(o) : 0;
	case RP_OC_MAP:
		o = id > 0 ? by_id(st->maps, id) : NULL;
		return o != NULL ? map_digest(o) : 0;
	case RP_OC_PROG:
		o = id > 0 ? by_id(st->progs, id) : NULL;
		return o != NULL ? prog_digest(o) : 0;
	case RP_OC_BUCKET:
		o = rp_bucket_lookup(st, (unsigned)(id >> 32),
		    (int)((id >> 16) & 0xffff), (uint16_t)id);
		return o != NULL ? bucket_digest(o) : 0;
	default:
		return 0;
	}
}

/* The access hook: fn(ud, key) for each object a call reads. */
void
rp_state_set_access(struct rp_state *st, rp_access_fn fn, void *ud)
{
	g_return_if_fail(st != NULL);
	st->access = fn;
	st->access_ud = ud;
}
