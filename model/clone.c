/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * clone.c - deep copies of a whole simulated kernel: rp_state_clone(),
 * rp_state_restore() and rp_state_discard(), for an explorer that saves
 * the state at a branch point and comes back to it instead of replaying
 * the scenario from its start.
 *
 * A copy holds every object the state can reach: live sockets, groups,
 * maps and programs (by id), processes with their fd tables and the
 * struct files behind them (shared by dup() and SCM_RIGHTS, so copied
 * once each), bind buckets, objects waiting for a grace period, and the
 * graveyards of freed sockarrays and sockets that planted bugs may still
 * point at, and the maps whose free waits for rp_state_settle().  Objects are copied field by field (struct assignment), then
 * every pointer is redirected to the copy of its target through one table
 * of old -> new addresses; containers (socks[], slot pages, fd tables,
 * queues, hash tables) are rebuilt.  A pointer to an object that no longer
 * exists (a 4.19 stale owner word naming a freed map) becomes NULL; such a
 * pointer is never followed (the id beside it is what is shown).
 *
 * The table is open addressing sized once for the state's objects, and a
 * restore copies into the blocks of the objects it just freed (a free
 * list a class), so a copy allocates little beyond the containers.
 * Copying is O(objects + occupied slot pages).  A state is copied only
 * between two operations: no thread may be inside one (a thread inside an
 * operation holds pointers into the state on its stack, which a copy
 * cannot follow).  The observer and the scheduling hook are not copied:
 * a clone has none, a restored state keeps its own (the BPF observer
 * too; the free list of BPF stack frames is a cache, not copied).
 * Programs are copied with their instructions (classic and eBPF, whose
 * map pointers are redirected), value maps with their values, and hash
 * elements replaced or deleted under a reader with their grace period
 * still pending.  Not copied is the
 * incremental checker's record (check-step.c): a clone starts without
 * one, and a restored state's is dropped, so the next rp_check_step() on
 * either builds a fresh one from the state, O(state).  The ephemeral port
 * maps of each namespace are copied with it (they say which ports of the
 * range have a bucket, and are not digested: the buckets are).
 *
 * Scalars are copied as they are, the lock words among them: a socket's
 * join_pins (the bucket lock a join holds, rp_join_pin()) and cb_holder
 * are 0 between two operations, and a copy taken there keeps them so.
 *
 * A field added to a structure of rp-int.h that points into the state
 * must be redirected here; tests/check_clone.c runs the corpus with the
 * state replaced by a copy after every statement, and the old one freed,
 * so a pointer left behind is a use after free under ASan and valgrind.
 */
#include <string.h>

#include "rp-int.h"

/* The objects of a state, each once. */
struct objs {
	GPtrArray	*socks;		/* live, waiting for RCU, graveyard */
	GPtrArray	*groups;	/* live and waiting for RCU */
	GPtrArray	*maps;		/* live and graveyard */
	GPtrArray	*progs;
	GPtrArray	*files;
	GPtrArray	*buckets;
};

static void
objs_clear(struct objs *o)
{
	g_ptr_array_unref(o->socks);
	g_ptr_array_unref(o->groups);
	g_ptr_array_unref(o->maps);
	g_ptr_array_unref(o->progs);
	g_ptr_array_unref(o->files);
	g_ptr_array_unref(o->buckets);
}

static gint
ptr_cmp(gconstpointer a, gconstpointer b)
{
	guintptr x = (guintptr)*(const gconstpointer *)a;
	guintptr y = (guintptr)*(const gconstpointer *)b;

	return x < y ? -1 : x > y;
}

/* Every object of st.  The files are found through the fd tables: each
 * once (dup() and SCM_RIGHTS share one), by sorting and dropping
 * repeats, which orders them by address (the order of the copies only
 * decides which freed block each reuses). */
static void
objs_collect(const struct rp_state *st, struct objs *o)
{
	guint nfds = 0, n = 0;

	for (guint i = 0; i < st->procs->len; i++)
		nfds += ((const struct rp_proc *)st->procs->pdata[i])->fds->len;
	o->socks = g_ptr_array_sized_new(st->socks->len +
	    st->sock_graveyard->len);
	o->groups = g_ptr_array_sized_new(st->groups->len +
	    st->rcu_pending->len);
	o->maps = g_ptr_array_sized_new(st->maps->len + st->graveyard->len);
	o->progs = g_ptr_array_sized_new(st->progs->len);
	o->files = g_ptr_array_sized_new(nfds);
	o->buckets = g_ptr_array_sized_new(st->buckets != NULL ?
	    g_hash_table_size(st->buckets) : 0);
	for (guint i = 1; i < st->socks->len; i++)
		if (st->socks->pdata[i] != NULL)
			g_ptr_array_add(o->socks, st->socks->pdata[i]);
	for (guint i = 0; i < st->sock_graveyard->len; i++)
		g_ptr_array_add(o->socks, st->sock_graveyard->pdata[i]);
	for (guint i = 1; i < st->groups->len; i++)
		if (st->groups->pdata[i] != NULL)
			g_ptr_array_add(o->groups, st->groups->pdata[i]);
	for (guint i = 0; i < st->rcu_pending->len; i++) {
		const struct rp_pending *p = st->rcu_pending->pdata[i];

		/* sockets waiting for their free are still in st->socks;
		 * value-map elements are copied with their entry */
		if (p->fn == rp_group_free_rcu)
			g_ptr_array_add(o->groups, p->obj);
		else
			g_assert(p->fn == rp_sock_free_rcu || /* LCOV_EXCL_BR_LINE */
			    rp_vmap_pending_elem(p));
	}
	for (guint i = 1; i < st->maps->len; i++)
		if (st->maps->pdata[i] != NULL)
			g_ptr_array_add(o->maps, st->maps->pdata[i]);
	for (guint i = 0; i < st->graveyard->len; i++)
		g_ptr_array_add(o->maps, st->graveyard->pdata[i]);
	for (guint i = 1; i < st->progs->len; i++)
		if (st->progs->pdata[i] != NULL)
			g_ptr_array_add(o->progs, st->progs->pdata[i]);
	for (guint i = 0; i < st->procs->len; i++) {
		const struct rp_proc *p = st->procs->pdata[i];

		for (guint fd = 0; fd < p->fds->len; fd++) {
			struct rp_file *f = p->fds->pdata[fd];

			if (f != NULL)
				g_ptr_array_add(o->files, f);
		}
	}
	if (o->files->len > 1) {
		g_ptr_array_sort(o->files, ptr_cmp);
		for (guint i = 0; i < o->files->len; i++)
			if (n == 0 || o->files->pdata[i] !=
			    o->files->pdata[n - 1])
				o->files->pdata[n++] = o->files->pdata[i];
		g_ptr_array_set_size(o->files, n);
	}
	if (st->buckets != NULL) {
		GHashTableIter it;
		gpointer b;

		g_hash_table_iter_init(&it, st->buckets);
		while (g_hash_table_iter_next(&it, &b, NULL))
			g_ptr_array_add(o->buckets, b);
	}
}

/* ---------------------------------------------------------------------
 * Copying
 */

/*
 * Old object -> its copy: open addressing with linear probing over a
 * power-of-two table at most half full, sized once for every object of
 * the state (one allocation a copy, none an object).
 */
typedef struct {
	gconstpointer	 old;
	gpointer	 n;
} RemapSlot;

typedef struct {
	RemapSlot	*slot;
	gsize		 mask;
} Remap;

static void
remap_init(Remap *r, gsize nobjs)
{
	gsize cap = 16;

	while (cap < 2 * nobjs + 2)
		cap *= 2;
	r->slot = g_new0(RemapSlot, cap);
	r->mask = cap - 1;
}

static inline gsize
remap_home(const Remap *r, gconstpointer p)
{
	guint64 x = (guint64)(guintptr)p * G_GUINT64_CONSTANT(0x9e3779b97f4a7c15);

	return (gsize)(x >> 32) & r->mask;
}

static void
remap_put(Remap *r, gconstpointer old, gpointer n)
{
	gsize i = remap_home(r, old);

	while (r->slot[i].old != NULL && r->slot[i].old != old)
		i = (i + 1) & r->mask;
	r->slot[i].old = old;
	r->slot[i].n = n;
}

static gpointer
remap(const Remap *r, gconstpointer old)
{
	gsize i;

	if (old == NULL)
		return NULL;
	for (i = remap_home(r, old); r->slot[i].old != NULL;
	    i = (i + 1) & r->mask)
		if (r->slot[i].old == old)
			return r->slot[i].n;
	return NULL;
}

/* The copy of old, which must exist unless lenient: a freed object's
 * words may still name what was freed after it, never to be followed. */
static gpointer
remap_obj(const Remap *r, gconstpointer old, bool lenient)
{
	gpointer n = remap(r, old);

	g_assert(lenient || old == NULL || n != NULL);	/* LCOV_EXCL_BR_LINE */
	return n;
}

#define remap_must(r, old)	remap_obj((r), (old), false)

/*
 * Memory of freed objects, by class, for the copies to reuse: a restore
 * frees what the state held and copies as many objects back, so most of
 * its allocations become a memcpy into a block just freed.  NULL: none.
 */
enum { STASH_SOCK, STASH_GROUP, STASH_MAP, STASH_PROG, STASH_FILE,
	STASH_BUCKET, STASH_N };

/* The id-indexed tables of a state, in the stash's tab[]. */
enum { TAB_SOCKS, TAB_GROUPS, TAB_MAPS, TAB_PROGS, TAB_GRAVEYARD,
	TAB_SOCK_GRAVEYARD, TAB_MAP_FREE_PENDING, TAB_RCU_PENDING, TAB_N };

/*
 * Each class a list threaded through its blocks' first word; and the
 * containers of the state freed, emptied, for the copy to fill again
 * (NULL: none): its tables, its processes (each with its fd table,
 * emptied), its memlock and bucket tables and its freed-id list.
 */
struct stash {
	gpointer	 head[STASH_N];
	GPtrArray	*tab[TAB_N];
	GPtrArray	*procs;
	GHashTable	*memlock;
	GHashTable	*buckets;
	GArray		*ida_freed;
};

static void
stash_put(struct stash *sh, int cls, gpointer p)
{
	if (sh == NULL) {
		g_free(p);
		return;
	}
	*(gpointer *)p = sh->head[cls];
	sh->head[cls] = p;
}

/* Free what no copy took. */
static void
stash_clear(struct stash *sh)
{
	for (int i = 0; i < STASH_N; i++)
		while (sh->head[i] != NULL) {
			gpointer p = sh->head[i];

			sh->head[i] = *(gpointer *)p;
			g_free(p);
		}
	for (int i = 0; i < TAB_N; i++)
		g_clear_pointer(&sh->tab[i], g_ptr_array_unref);
	if (sh->procs != NULL) {
		for (guint i = 0; i < sh->procs->len; i++) {
			struct rp_proc *p = sh->procs->pdata[i];

			g_ptr_array_unref(p->fds);
			g_free(p);
		}
		g_clear_pointer(&sh->procs, g_ptr_array_unref);
	}
	g_clear_pointer(&sh->memlock, g_hash_table_unref);
	g_clear_pointer(&sh->buckets, g_hash_table_unref);
	g_clear_pointer(&sh->ida_freed, g_array_unref);
}

/* The stash's emptied table i, or a new one. */
static GPtrArray *
stash_tab(struct stash *sh, int i, guint len)
{
	GPtrArray *a;

	if (sh == NULL || sh->tab[i] == NULL)
		return g_ptr_array_sized_new(len);
	a = sh->tab[i];
	sh->tab[i] = NULL;
	return a;
}

static gpointer
dup_obj(Remap *r, struct stash *sh, int cls, gconstpointer old, gsize size)
{
	gpointer n;

	if (sh != NULL && cls >= 0 && sh->head[cls] != NULL) {
		n = sh->head[cls];
		sh->head[cls] = *(gpointer *)n;
		memcpy(n, old, size);
	} else {
		n = g_memdup2(old, size);
	}
	remap_put(r, old, n);
	return n;
}

static void
queue_copy(const Remap *r, GQueue *dst, const GQueue *src, bool lenient)
{
	g_queue_init(dst);
	for (GList *l = src->head; l != NULL; l = l->next) {
		gpointer n = remap_obj(r, l->data, lenient);

		if (n != NULL)
			g_queue_push_tail(dst, n);
	}
}

static void
slots_copy(const Remap *r, struct rp_slots *dst, const struct rp_slots *src,
    bool lenient)
{
	dst->n = src->n;
	dst->npages = src->npages;
	if (src->pages == NULL) {
		dst->pages = NULL;
		return;
	}
	dst->pages = g_new0(struct rp_slot_page *, src->npages);
	for (uint32_t i = 0; i < src->npages; i++) {
		const struct rp_slot_page *pg = src->pages[i];

		if (pg == NULL)
			continue;
		dst->pages[i] = g_new0(struct rp_slot_page, 1);
		/* the occupied slots, up to the last of them */
		for (uint32_t j = 0, seen = 0; seen < pg->fill &&
		    j < RP_SLOT_PAGE; j++) {
			if (pg->slot[j] == NULL)
				continue;
			seen++;
			dst->pages[i]->slot[j] = remap_obj(r, pg->slot[j],
			    lenient);
			if (dst->pages[i]->slot[j] != NULL)
				dst->pages[i]->fill++;
		}
		if (dst->pages[i]->fill == 0)
			g_clear_pointer(&dst->pages[i], g_free);
	}
}

static bool
map_has_slots(const struct rp_map *m)
{
	return m->type == RP_MAP_REUSEPORT_SOCKARRAY ||
	    m->type == RP_MAP_SOCKMAP || m->type == RP_MAP_ARRAY_OF_MAPS;
}

static GHashTable *
hash_copy_remapped(const Remap *r, GHashTable *src, bool lenient)
{
	GHashTable *h = g_hash_table_new(g_direct_hash, g_direct_equal);
	GHashTableIter it;
	gpointer k, v;

	g_hash_table_iter_init(&it, src);
	while (g_hash_table_iter_next(&it, &k, &v))
		g_hash_table_insert(h, k, remap_obj(r, v, lenient));
	return h;
}

static GHashTable *
hash_copy_direct(GHashTable *src)
{
	GHashTable *h = g_hash_table_new(g_direct_hash, g_direct_equal);
	GHashTableIter it;
	gpointer k, v;

	g_hash_table_iter_init(&it, src);
	while (g_hash_table_iter_next(&it, &k, &v))
		g_hash_table_insert(h, k, v);
	return h;
}

static void
map_fix(const Remap *r, struct rp_map *n, const struct rp_map *o)
{
	if (rp_vmap_type(o->type))
		n->u.v = rp_vmap_copy(o);
	else if (map_has_slots(o))
		slots_copy(r, &n->u.slots, &o->u.slots, o->dead);
	else if (o->u.hash != NULL)
		n->u.hash = hash_copy_remapped(r, o->u.hash, o->dead);
}

static void
prog_fix(const Remap *r, struct rp_prog *n, const struct rp_prog *o)
{
	n->map = remap_must(r, o->map);
	if (o->code != NULL) {
		struct rp_bpf_code *c = rp_bpf_code_copy(o->code);

		/* the program holds references on them: they have copies */
		for (uint32_t pc = 0; pc < c->len; pc++)
			c->ld_map[pc] = remap_must(r, c->ld_map[pc]);
		for (guint i = 0; i < c->used_maps->len; i++)
			c->used_maps->pdata[i] = remap_must(r,
			    c->used_maps->pdata[i]);
		n->code = c;
	}
	if (o->ccode != NULL) {
		n->ccode = g_memdup2(o->ccode, sizeof(*o->ccode));
		n->ccode->insns = g_memdup2(o->ccode->insns,
		    (gsize)o->ccode->len * sizeof(*o->ccode->insns));
	}
	if (o->migrate != NULL) {
		GHashTableIter it;
		gpointer k, v;

		n->migrate = g_hash_table_new_full(g_int64_hash, g_int64_equal,
		    g_free, NULL);
		g_hash_table_iter_init(&it, o->migrate);
		while (g_hash_table_iter_next(&it, &k, &v))
			g_hash_table_insert(n->migrate, g_memdup2(k,
			    sizeof(uint64_t)), v);
	}
}

static void
sock_fix(const Remap *r, struct rp_state *dst, struct rp_sock *n,
    const struct rp_sock *o)
{
	n->net = dst->netns->pdata[o->net->id];
	n->reuse = remap_obj(r, o->reuse, o->dead);
	n->bucket = remap_obj(r, o->bucket, o->dead);
	n->parent = remap_obj(r, o->parent, o->dead);
	n->listen_prev = remap_obj(r, o->listen_prev, o->dead);
	n->listen_next = remap_obj(r, o->listen_next, o->dead);
	/* a stale copy may name a freed map: never followed */
	n->owner.map = remap(r, o->owner.map);
	queue_copy(r, &n->accept_q, &o->accept_q, o->dead);
	queue_copy(r, &n->requests, &o->requests, o->dead);
	n->data = o->data != NULL ? g_memdup2(o->data, o->data_len) : NULL;
}

/* Only the listening and closed sections of socks[] are copied: the
 * words between them are left-overs no path reads. */
static void
group_fix(const Remap *r, struct rp_group *n, const struct rp_group *o)
{
	unsigned closed = (unsigned)o->max_socks - o->num_closed_socks;

	n->prog = remap_obj(r, o->prog, o->dead);
	n->stale = NULL;	/* read only by a reader in flight */
	n->socks = g_new0(struct rp_sock *, o->max_socks);
	for (unsigned i = 0; i < o->num_socks; i++)
		n->socks[i] = remap_obj(r, o->socks[i], o->dead);
	for (unsigned i = closed; i < o->max_socks; i++)
		n->socks[i] = remap_obj(r, o->socks[i], o->dead);
}

static void
file_fix(const Remap *r, struct rp_file *n, const struct rp_file *o)
{
	switch (o->kind) {	/* LCOV_EXCL_BR_LINE */
	case RP_FILE_SOCK:
		n->u.sk = remap_must(r, o->u.sk);
		break;
	case RP_FILE_MAP:
		n->u.map = remap_must(r, o->u.map);
		break;
	case RP_FILE_PROG:
		n->u.prog = remap_must(r, o->u.prog);
		break;
	}
}

static void
bucket_fix(const Remap *r, struct rp_bucket *n, const struct rp_bucket *o)
{
	n->bound = g_ptr_array_sized_new(o->bound->len);
	for (guint i = 0; i < o->bound->len; i++)
		g_ptr_array_add(n->bound, remap_must(r, o->bound->pdata[i]));
	n->listen_head = remap_must(r, o->listen_head);
	n->listen_tail = remap_must(r, o->listen_tail);
}

/* A namespace and its ephemeral port maps. */
static struct rp_netns *
netns_copy(const struct rp_netns *o)
{
	struct rp_netns *n = g_memdup2(o, sizeof(*n));

	n->portmaps = g_ptr_array_new_with_free_func(g_free);
	for (guint i = 0; i < o->portmaps->len; i++)
		g_ptr_array_add(n->portmaps, g_memdup2(o->portmaps->pdata[i],
		    sizeof(struct rp_portmap)));
	return n;
}

/* Into a (empty): copies of src's objects, NULL kept; a is returned. */
static GPtrArray *
table_fill(const Remap *r, GPtrArray *a, const GPtrArray *src)
{
	g_ptr_array_set_size(a, src->len);
	for (guint i = 0; i < src->len; i++)
		a->pdata[i] = remap_must(r, src->pdata[i]);
	return a;
}

/* An id-indexed table of dst (table i of the stash, emptied, or a new
 * one): copies of src's objects, NULL kept. */
static GPtrArray *
table_copy(const Remap *r, struct stash *sh, int i, const GPtrArray *src)
{
	return table_fill(r, stash_tab(sh, i, src->len), src);
}

/* Fill dst (hooks and profile already set) with a copy of src. */
static void
copy_into(struct rp_state *dst, const struct rp_state *src, struct stash *sh)
{
	Remap r;
	struct objs o;

	objs_collect(src, &o);
	remap_init(&r, o.socks->len + o.groups->len + o.maps->len +
	    o.progs->len + o.files->len + o.buckets->len);
	/* the scalars, then every container and pointer below */
	dst->prof = src->prof;
	dst->ida.next = src->ida.next;
	dst->unpriv_bpf_disabled = src->unpriv_bpf_disabled;
	dst->kconfig_mptcp = src->kconfig_mptcp;
	dst->reuseport_holder = src->reuseport_holder;
	memcpy(dst->threads, src->threads, sizeof(dst->threads));
	dst->tid = src->tid;
	dst->cookie_fwd = src->cookie_fwd;
	dst->cookie_rev = src->cookie_rev;
	memcpy(dst->cookie_last, src->cookie_last, sizeof(dst->cookie_last));
	dst->cpu = src->cpu;
	dst->kmem_limit = src->kmem_limit;
	dst->kmem_used = src->kmem_used;
	dst->plant = src->plant;
	memcpy(dst->rng, src->rng, sizeof(dst->rng));
	dst->clock_ns = src->clock_ns;
	dst->insn_budget = src->insn_budget;
	dst->violation = g_strdup(src->violation);

	dst->netns = g_ptr_array_new_with_free_func(rp_netns_free);
	for (guint i = 0; i < src->netns->len; i++)
		g_ptr_array_add(dst->netns, netns_copy(src->netns->pdata[i]));
	/* first every object, then the pointers between them */
	for (guint i = 0; i < o.socks->len; i++)
		dup_obj(&r, sh, STASH_SOCK, o.socks->pdata[i],
		    sizeof(struct rp_sock));
	for (guint i = 0; i < o.groups->len; i++)
		dup_obj(&r, sh, STASH_GROUP, o.groups->pdata[i],
		    sizeof(struct rp_group));
	for (guint i = 0; i < o.maps->len; i++)
		dup_obj(&r, sh, STASH_MAP, o.maps->pdata[i],
		    sizeof(struct rp_map));
	for (guint i = 0; i < o.progs->len; i++)
		dup_obj(&r, sh, STASH_PROG, o.progs->pdata[i],
		    sizeof(struct rp_prog));
	for (guint i = 0; i < o.files->len; i++)
		dup_obj(&r, sh, STASH_FILE, o.files->pdata[i],
		    sizeof(struct rp_file));
	for (guint i = 0; i < o.buckets->len; i++)
		dup_obj(&r, sh, STASH_BUCKET, o.buckets->pdata[i],
		    sizeof(struct rp_bucket));

	for (guint i = 0; i < o.socks->len; i++)
		sock_fix(&r, dst, remap(&r, o.socks->pdata[i]),
		    o.socks->pdata[i]);
	for (guint i = 0; i < o.groups->len; i++)
		group_fix(&r, remap(&r, o.groups->pdata[i]),
		    o.groups->pdata[i]);
	for (guint i = 0; i < o.maps->len; i++)
		map_fix(&r, remap(&r, o.maps->pdata[i]), o.maps->pdata[i]);
	for (guint i = 0; i < o.progs->len; i++)
		prog_fix(&r, remap(&r, o.progs->pdata[i]), o.progs->pdata[i]);
	for (guint i = 0; i < o.files->len; i++)
		file_fix(&r, remap(&r, o.files->pdata[i]), o.files->pdata[i]);
	for (guint i = 0; i < o.buckets->len; i++)
		bucket_fix(&r, remap(&r, o.buckets->pdata[i]),
		    o.buckets->pdata[i]);

	dst->socks = table_copy(&r, sh, TAB_SOCKS, src->socks);
	dst->groups = table_copy(&r, sh, TAB_GROUPS, src->groups);
	dst->maps = table_copy(&r, sh, TAB_MAPS, src->maps);
	dst->progs = table_copy(&r, sh, TAB_PROGS, src->progs);
	dst->graveyard = table_copy(&r, sh, TAB_GRAVEYARD, src->graveyard);
	dst->sock_graveyard = table_copy(&r, sh, TAB_SOCK_GRAVEYARD,
	    src->sock_graveyard);
	/* maps waiting for rp_state_settle(), in their order: each is
	 * still in maps[] (dying), so it has a copy */
	dst->map_free_pending = table_copy(&r, sh, TAB_MAP_FREE_PENDING,
	    src->map_free_pending);
	/* the processes: the freed ones' blocks and fd tables first */
	dst->procs = g_ptr_array_sized_new(src->procs->len);
	for (guint i = 0; i < src->procs->len; i++) {
		const struct rp_proc *op = src->procs->pdata[i];
		struct rp_proc *np;
		GPtrArray *fds;

		if (sh != NULL && sh->procs != NULL && sh->procs->len > 0) {
			np = g_ptr_array_steal_index_fast(sh->procs,
			    sh->procs->len - 1);
			fds = np->fds;
			memcpy(np, op, sizeof(*np));
		} else {
			np = g_memdup2(op, sizeof(*np));
			fds = g_ptr_array_sized_new(op->fds->len);
		}
		np->net = dst->netns->pdata[op->net->id];
		np->fds = table_fill(&r, fds, op->fds);
		g_ptr_array_add(dst->procs, np);
	}
	dst->rcu_pending = stash_tab(sh, TAB_RCU_PENDING,
	    src->rcu_pending->len);
	for (guint i = 0; i < src->rcu_pending->len; i++) {
		const struct rp_pending *op = src->rcu_pending->pdata[i];
		struct rp_pending *np = g_new(struct rp_pending, 1);

		np->fn = op->fn;
		np->obj = rp_vmap_pending_elem(op) ?
		    rp_vmap_elem_copy(op->obj) : remap_must(&r, op->obj);
		g_ptr_array_add(dst->rcu_pending, np);
	}
	if (sh != NULL && sh->memlock != NULL) {
		GHashTableIter it;
		gpointer k, v;

		dst->memlock_used = sh->memlock;
		sh->memlock = NULL;
		g_hash_table_iter_init(&it, src->memlock_used);
		while (g_hash_table_iter_next(&it, &k, &v))
			g_hash_table_insert(dst->memlock_used, k, v);
	} else {
		dst->memlock_used = hash_copy_direct(src->memlock_used);
	}
	dst->buckets = NULL;
	if (src->buckets != NULL) {
		if (sh != NULL && sh->buckets != NULL) {
			dst->buckets = sh->buckets;
			sh->buckets = NULL;
		} else {
			dst->buckets = rp_bucket_table_new();
		}
		for (guint i = 0; i < o.buckets->len; i++) {
			struct rp_bucket *b = remap(&r, o.buckets->pdata[i]);

			g_hash_table_insert(dst->buckets, b, b);
		}
	}
	if (sh != NULL && sh->ida_freed != NULL) {
		dst->ida.freed = sh->ida_freed;
		sh->ida_freed = NULL;
		g_array_append_vals(dst->ida.freed, src->ida.freed->data,
		    src->ida.freed->len);
	} else {
		dst->ida.freed = g_array_copy(src->ida.freed);
	}
	objs_clear(&o);
	g_free(r.slot);
}

/* ---------------------------------------------------------------------
 * Freeing without the kernel's paths
 */

/* Free every object and container of st, keeping the struct itself;
 * the objects' own blocks go to sh when there is one. */
static void
free_contents(struct rp_state *st, struct stash *sh)
{
	struct objs o;

	objs_collect(st, &o);
	for (guint i = 0; i < o.socks->len; i++) {
		struct rp_sock *sk = o.socks->pdata[i];

		g_queue_clear(&sk->accept_q);
		g_queue_clear(&sk->requests);
		g_free(sk->data);
		stash_put(sh, STASH_SOCK, sk);
	}
	for (guint i = 0; i < o.groups->len; i++) {
		struct rp_group *g = o.groups->pdata[i];

		g_free(g->socks);
		g_free(g->stale);
		stash_put(sh, STASH_GROUP, g);
	}
	for (guint i = 0; i < o.maps->len; i++) {
		struct rp_map *m = o.maps->pdata[i];

		if (rp_vmap_type(m->type))
			rp_vmap_destroy(m->u.v);
		else if (map_has_slots(m))
			rp_slots_clear(&m->u.slots);
		else if (m->u.hash != NULL)
			g_hash_table_unref(m->u.hash);
		stash_put(sh, STASH_MAP, m);
	}
	for (guint i = 0; i < o.progs->len; i++) {
		struct rp_prog *p = o.progs->pdata[i];

		if (p->migrate != NULL)
			g_hash_table_unref(p->migrate);
		rp_bpf_code_destroy(p->code);
		if (p->ccode != NULL) {
			g_free(p->ccode->insns);
			g_free(p->ccode);
		}
		stash_put(sh, STASH_PROG, p);
	}
	for (guint i = 0; i < o.files->len; i++)
		stash_put(sh, STASH_FILE, o.files->pdata[i]);
	/* the buckets go with their table, or to the stash (the table
	 * emptied without its free function) */
	if (st->buckets != NULL && sh != NULL) {
		g_hash_table_steal_all(st->buckets);
		for (guint i = 0; i < o.buckets->len; i++) {
			struct rp_bucket *b = o.buckets->pdata[i];

			g_ptr_array_unref(b->bound);
			stash_put(sh, STASH_BUCKET, b);
		}
		sh->buckets = st->buckets;
	} else if (st->buckets != NULL) {
		g_hash_table_unref(st->buckets);
	}
	st->buckets = NULL;
	objs_clear(&o);
	for (guint i = 0; i < st->procs->len; i++) {
		struct rp_proc *p = st->procs->pdata[i];

		if (sh != NULL) {
			g_ptr_array_set_size(p->fds, 0);
			continue;
		}
		g_ptr_array_unref(p->fds);
		g_free(p);
	}
	if (sh != NULL) {
		/* the processes, their blocks and fd tables kept */
		sh->procs = st->procs;
	} else {
		g_ptr_array_unref(st->procs);
	}
	for (guint i = 0; i < st->rcu_pending->len; i++) {
		struct rp_pending *p = st->rcu_pending->pdata[i];

		if (rp_vmap_pending_elem(p))
			rp_vmap_elem_free(p->obj);
		g_free(p);
	}
	{
		GPtrArray *tab[TAB_N] = {
			[TAB_SOCKS] = st->socks,
			[TAB_GROUPS] = st->groups,
			[TAB_MAPS] = st->maps,
			[TAB_PROGS] = st->progs,
			[TAB_GRAVEYARD] = st->graveyard,
			[TAB_SOCK_GRAVEYARD] = st->sock_graveyard,
			[TAB_MAP_FREE_PENDING] = st->map_free_pending,
			[TAB_RCU_PENDING] = st->rcu_pending,
		};

		for (int i = 0; i < TAB_N; i++) {
			if (sh != NULL) {
				g_ptr_array_set_size(tab[i], 0);
				sh->tab[i] = tab[i];
			} else {
				g_ptr_array_unref(tab[i]);
			}
		}
	}
	g_ptr_array_unref(st->netns);
	if (sh != NULL) {
		g_hash_table_remove_all(st->memlock_used);
		sh->memlock = st->memlock_used;
		g_array_set_size(st->ida.freed, 0);
		sh->ida_freed = st->ida.freed;
		st->ida.freed = NULL;
	} else {
		g_hash_table_unref(st->memlock_used);
		rp_ida_destroy(&st->ida);
	}
	g_clear_pointer(&st->violation, g_free);
}

/* ---------------------------------------------------------------------
 * Entry points
 */

/*
 * A deep copy of st, with no observer and no scheduling hook.  No thread
 * may be inside an operation (between two scheduling points of one
 * call).  Cannot fail.
 */
bool
rp_state_can_clone(const struct rp_state *st)
{
	g_return_val_if_fail(st != NULL, false);
	return true;
}

struct rp_state *
rp_state_clone(const struct rp_state *st)
{
	struct rp_state *n;

	g_return_val_if_fail(st != NULL, NULL);
	g_return_val_if_fail(rp_state_can_clone(st), NULL);
	n = g_new0(struct rp_state, 1);
	copy_into(n, st, NULL);
	return n;
}

/*
 * Make dst a deep copy of src; dst keeps its observer and scheduling
 * hook.  What dst held is freed as memory, without the kernel's paths (no
 * close, no event).  Neither may have a thread inside an operation.
 */
void
rp_state_restore(struct rp_state *dst, const struct rp_state *src)
{
	struct stash sh;

	g_return_if_fail(dst != NULL && src != NULL && dst != src);
	g_return_if_fail(rp_state_can_clone(src) && rp_state_can_clone(dst));
	memset(&sh, 0, sizeof(sh));
	free_contents(dst, &sh);
	copy_into(dst, src, &sh);
	stash_clear(&sh);
	/* the incremental checker's record described what was freed: it
	 * goes, and the next rp_check_step() builds one from the state,
	 * O(state) (until then nothing is marked) */
	g_clear_pointer(&dst->chk, rp_chk_free);
}

/*
 * Free a state as memory, without the kernel's paths: for copies that
 * were never run, or states abandoned in the middle of a search.
 * NULL is accepted.
 */
void
rp_state_discard(struct rp_state *st)
{
	if (st == NULL)
		return;
	g_clear_pointer(&st->chk, rp_chk_free);
	rp_bpf_state_free(st);
	free_contents(st, NULL);
	g_free(st);
}
