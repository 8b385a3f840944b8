/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * dpor.c - the dpor engine of the explorer: every schedule of a
 * scenario's threads, up to the reordering of steps that commute.
 *
 * The search is a depth-first walk of the tree of schedules with the run
 * itself as the cursor.  A node is the state between two steps; its
 * children are the threads that may run next.  The run steps forward
 * (sim_sched_step(): a fiber runs to its next decision point); to go back
 * to a node it restores the nearest snapshot above it and steps forward
 * again from there (sim_sched_restore()).  Snapshots are taken at every
 * node where all threads are between statements (the only places where a
 * copy of the model can be taken, core/sched.c), so what is stepped again
 * is at most the statements in progress, never the prologue.
 *
 * Footprints.  Each step reads and writes objects of the model (keys of
 * rp.h: sockets, groups, maps, programs, processes' fd tables, bind
 * buckets, the GLOBAL counters), locks (reuseport_lock, each callback
 * lock, each thread's RCU nesting), and EXEC, the pass's names and
 * variables.  Writes are exact: the digest of every object before and
 * after the step, compared (model/digest.c).  Reads are what the model
 * reports through its access hook where a call finds an object (an fd, a
 * slot, a group member, a query), plus everything the thread touched
 * earlier in the same statement (its C locals may still point there).
 * The model reports reads on the paths of update, delete, lookup, cookie,
 * send, next-key and the queries of expect; a step of any other
 * statement, and a step after which the invariants are checked (every
 * thread between statements), reads everything.  Two steps of different
 * threads are dependent when one writes what the other reads or writes.
 *
 * Reduction.  Source-set DPOR (Abdulla, Aronis, Jonsson, Sagonas, POPL
 * 2014) with sleep sets: every step gets a vector clock of the steps that
 * happen before it; a step that races with an earlier one (dependent,
 * not ordered by another path) makes the search try, at the node before
 * the earlier step, one of the initials of the steps that do not depend
 * on it followed by the later one, unless one is tried already.  A thread
 * waiting for a lock at that node cannot be tried there: then every
 * thread that can is.  Sleep sets keep siblings from running first what
 * was explored already and commutes.
 *
 * States.  Every node has a 128-bit digest: the model's objects, the
 * pass, each thread's place, results so far and, for a thread inside a
 * statement, the digests of the nodes it stepped from since the
 * statement began (its locals are a function of what it read there).  A
 * node whose digest was explored before with a sleep set no larger is
 * cut; the footprints of everything run below the first visit stand in
 * for its subtree in the race check (Yang, Chen, Gopalakrishnan, Kirby,
 * SPIN 2008, with a per-thread union instead of their graph), so the
 * nodes above get the backtrack points the subtree would have given.
 *
 * A preemption bound replaces all this by the plain search the replay
 * engine did (every enabled thread at every node, sleep sets, the
 * bound), on the faster machinery; --no-reduction explores every
 * schedule.  Either way the distinct states are counted.
 */
#include <stdlib.h>
#include <string.h>

#include "backend/model.h"
#include "core/error.h"
#include "core/sched.h"
#include "core/verbs.h"
#include "tools/dpor.h"
#include "tools/outcome.h"

#define MAXT		SIM_SCHED_MAX_THREADS
#define KEY_EXEC	RP_OBJ_KEY(0x40, 0)
#define LOCK_REUSEPORT	RP_OBJ_KEY(RP_OC_LOCKS, 1)
#define LOCK_RCU(t)	RP_OBJ_KEY(RP_OC_LOCKS, 0x10 + (guint64)(t))
#define LOCK_CB(sock)	RP_OBJ_KEY(RP_OC_LOCKS, 0x100000000ull + (sock))

/* Verbs whose model paths report what they read. */
static const char *const precise_verbs[] = {
	"update", "delete", "lookup", "cookie", "send", "expect",
	"next-key", NULL,
};

/* ---------------------------------------------------------------------
 * Digests
 */

typedef struct {
	guint64		lo, hi;
} Digest;

static inline void
dmix(Digest *d, guint64 v)
{
	d->lo = rp_digest_mix(d->lo ^
	    (v + G_GUINT64_CONSTANT(0x9e3779b97f4a7c15)));
	d->hi = rp_digest_mix(d->hi +
	    (v ^ G_GUINT64_CONSTANT(0xc2b2ae3d27d4eb4f)));
}

static guint
digest_hash(gconstpointer p)
{
	const Digest *d = p;

	return (guint)(d->lo ^ d->hi >> 7);
}

static gboolean
digest_equal(gconstpointer a, gconstpointer b)
{
	const Digest *x = a, *y = b;

	return x->lo == y->lo && x->hi == y->hi;
}

/* One object of the live state and its digest. */
typedef struct {
	guint64		key;
	guint64		h;
} Obj;

static gint
obj_cmp(gconstpointer a, gconstpointer b)
{
	const Obj *x = a, *y = b;

	return x->key < y->key ? -1 : x->key > y->key;
}

/* The list being filled by collect_obj(): n objects so far in a, whose
 * length is its room (grown by doubling, cut to n at the end), so that
 * an object costs a store, not a call into GLib. */
typedef struct {
	GArray		*a;
	guint		 n;
} ObjFill;

static void
collect_obj(void *ud, uint64_t key, uint64_t h)
{
	ObjFill *f = ud;
	Obj *o;

	if (G_UNLIKELY(f->n == f->a->len))
		g_array_set_size(f->a, MAX(64, 2 * f->a->len));
	o = &g_array_index(f->a, Obj, f->n++);
	o->key = key;
	o->h = h;
}

static void
sum_entry(Digest *sum, const Obj *o, gboolean add)
{
	guint64 lo = rp_digest_mix(o->key *
	    G_GUINT64_CONSTANT(0x9e3779b97f4a7c15) ^ o->h);
	guint64 hi = rp_digest_mix(o->h *
	    G_GUINT64_CONSTANT(0xd6e8feb86659fd93) ^ o->key);

	if (add) {
		sum->lo += lo;
		sum->hi += hi;
	} else {
		sum->lo -= lo;
		sum->hi -= hi;
	}
}

/* Sort a list of objects by key.  rp_state_digest_objects() gives them
 * nearly sorted (by class, then id; only the groups waiting for a grace
 * period and the bind buckets are out of order), so an insertion sort is
 * linear here; one that has to move too much gives way to g_array_sort(). */
static void
objs_sort(GArray *a)
{
	Obj *v = (Obj *)(void *)a->data;
	guint64 moves = 0, budget = 8 * (guint64)a->len + 64;

	for (guint i = 1; i < a->len; i++) {
		Obj x = v[i];
		guint j = i;

		if (v[i - 1].key <= x.key)
			continue;
		if (moves > budget) {
			g_array_sort(a, obj_cmp);
			return;
		}
		while (j > 0 && v[j - 1].key > x.key) {
			v[j] = v[j - 1];
			j--;
			moves++;
		}
		v[j] = x;
	}
}

/*
 * The objects of the run's state, sorted by key, with EXEC (the pass) as
 * one more; *sum gets their digest, independent of order.
 */
static void
objects_of(SimSched *s, struct rp_digest_cache *cache, GArray *out,
    Digest *sum)
{
	ObjFill f = { out, 0 };

	g_array_set_size(out, MAX(out->len, 64));
	rp_state_digest_objects_cached(sim_sched_model(s), cache, collect_obj,
	    &f);
	collect_obj(&f, KEY_EXEC, sim_exec_digest(sim_sched_exec(s)));
	g_array_set_size(out, f.n);
	objs_sort(out);
	sum->lo = sum->hi = 0;
	for (guint i = 0; i < out->len; i++)
		sum_entry(sum, &g_array_index(out, Obj, i), TRUE);
}

static guint64
results_hash(SimSched *s, guint t)
{
	const GPtrArray *r = sim_sched_thread_results(s, t);
	guint64 h = r->len;

	for (guint i = 0; i < r->len; i++)
		h = rp_digest_mix(h ^ g_str_hash(r->pdata[i]));
	return h;
}

/* A node's digest: the objects' (sum), then each thread's place,
 * history and results. */
static void
node_digest(SimSched *s, const Digest *sum, const guint64 *hist,
    Digest *out)
{
	*out = *sum;
	for (guint t = 0; t < sim_sched_threads(s); t++) {
		dmix(out, sim_sched_thread_place(s, t));
		dmix(out, hist[t]);
		dmix(out, results_hash(s, t));
	}
}

/* Thread t's history after its step from a node with digest nd. */
static guint64
history_after(SimSched *s, guint t, guint64 before, gboolean from_start,
    const Digest *nd)
{
	if (!sim_sched_thread_inside(s, t))
		return 0;
	return rp_digest_mix((from_start ? 0 : before) ^ nd->lo) ^ nd->hi;
}

/* ---------------------------------------------------------------------
 * Key sets and footprints
 */

/*
 * A set (or list) of keys: a vector with room for a few keys inside it,
 * so that a footprint, which has a few keys a set, is one allocation
 * (its Fp), not five (two GArrays and their data).  Never moved once
 * used (v may point at inl).
 */
#define KEYS_INL	6

typedef struct {
	guint64		*v;
	guint		 len, cap;
	guint64		 inl[KEYS_INL];
} Keys;

static void
keys_init(Keys *k)
{
	k->v = k->inl;
	k->len = 0;
	k->cap = KEYS_INL;
}

static void
keys_clear(Keys *k)
{
	if (k->v != k->inl)
		g_free(k->v);
	keys_init(k);
}

static Keys *
keys_new(void)
{
	Keys *k = g_new(Keys, 1);

	keys_init(k);
	return k;
}

static void
keys_free(Keys *k)
{
	keys_clear(k);
	g_free(k);
}

/* Room for n keys. */
static void
keys_reserve(Keys *k, guint n)
{
	guint cap = k->cap;

	if (n <= cap)
		return;
	while (cap < n)
		cap *= 2;
	if (k->v == k->inl) {
		k->v = g_new(guint64, cap);
		memcpy(k->v, k->inl, k->len * sizeof(guint64));
	} else {
		k->v = g_renew(guint64, k->v, cap);
	}
	k->cap = cap;
}

static inline void
keys_push(Keys *k, guint64 x)
{
	if (G_UNLIKELY(k->len == k->cap))
		keys_reserve(k, k->len + 1);
	k->v[k->len++] = x;
}

static gint
key_cmp(gconstpointer a, gconstpointer b)
{
	guint64 x = *(const guint64 *)a, y = *(const guint64 *)b;

	return x < y ? -1 : x > y;
}

/* Sort a and drop repeats. */
static void
keys_norm(Keys *a)
{
	guint n = 0;

	if (a->len > 1)
		qsort(a->v, a->len, sizeof(guint64), key_cmp);
	for (guint i = 0; i < a->len; i++)
		if (n == 0 || a->v[i] != a->v[n - 1])
			a->v[n++] = a->v[i];
	a->len = n;
}

static void
keys_add_all(Keys *dst, const Keys *src)
{
	if (src->len == 0)
		return;
	keys_reserve(dst, dst->len + src->len);
	memcpy(dst->v + dst->len, src->v, src->len * sizeof(guint64));
	dst->len += src->len;
}

/* dst |= src, both sorted sets; tmp is scratch.  Linear. */
static void
keys_union(Keys *dst, const Keys *src, Keys *tmp)
{
	guint i = 0, j = 0;

	if (src->len == 0)
		return;
	if (dst->len == 0) {
		keys_add_all(dst, src);
		return;
	}
	tmp->len = 0;
	keys_reserve(tmp, dst->len + src->len);
	while (i < dst->len || j < src->len) {
		guint64 x = i < dst->len ? dst->v[i] : G_MAXUINT64;
		guint64 y = j < src->len ? src->v[j] : G_MAXUINT64;
		guint64 k = MIN(x, y);

		if (i < dst->len && x == k)
			i++;
		if (j < src->len && y == k)
			j++;
		tmp->v[tmp->len++] = k;
	}
	dst->len = 0;
	keys_add_all(dst, tmp);
}

/* Do the sorted sets a and b meet? */
static gboolean
keys_meet(const Keys *a, const Keys *b)
{
	guint i = 0, j = 0;

	while (i < a->len && j < b->len) {
		guint64 x = a->v[i];
		guint64 y = b->v[j];

		if (x == y)
			return TRUE;
		if (x < y)
			i++;
		else
			j++;
	}
	return FALSE;
}

typedef struct {
	gint		 refs;
	Keys		*r;		/* keys, sorted: &rk */
	Keys		*w;		/* &wk */
	Keys		 rk, wk;
	gboolean	 all;		/* reads every object */
	gboolean	 wobj;		/* w has more than locks */
	gboolean	 wall;		/* writes every object and lock (a
					 * summary grown too large) */
} Fp;

/* A summary keeps at most this many keys a set, then stands for all. */
#define SUM_KEYS	64

/* Footprints freed, for reuse; one search at a time on a thread. */
static __thread GPtrArray *fp_pool;

static void
fp_free(gpointer p)
{
	Fp *f = p;

	keys_clear(&f->rk);
	keys_clear(&f->wk);
	g_free(f);
}

static Fp *
fp_new(void)
{
	Fp *f;

	if (fp_pool != NULL && fp_pool->len > 0) {
		f = g_ptr_array_steal_index_fast(fp_pool, fp_pool->len - 1);
		f->refs = 1;
		return f;
	}
	f = g_new0(Fp, 1);
	f->refs = 1;
	keys_init(&f->rk);
	keys_init(&f->wk);
	f->r = &f->rk;
	f->w = &f->wk;
	return f;
}

static Fp *
fp_ref(Fp *f)
{
	if (f != NULL)
		f->refs++;
	return f;
}

static void
fp_unref(Fp *f)
{
	if (f == NULL || --f->refs > 0)
		return;
	if (fp_pool != NULL) {
		/* kept for the next step: a search makes one a step */
		f->r->len = 0;
		f->w->len = 0;
		f->all = f->wobj = f->wall = FALSE;
		g_ptr_array_add(fp_pool, f);
		return;
	}
	fp_free(f);
}

/* dst |= src (dst is a summary, owned). */
static void
fp_merge(Fp *dst, const Fp *src, Keys *tmp)
{
	if (src == NULL || dst->wall)
		return;
	dst->all |= src->all;
	dst->wobj |= src->wobj;
	dst->wall |= src->wall;
	if (!dst->all)
		keys_union(dst->r, src->r, tmp);
	keys_union(dst->w, src->w, tmp);
	if (dst->r->len > SUM_KEYS) {
		dst->all = TRUE;
		dst->r->len = 0;
	}
	if (dst->w->len > SUM_KEYS || dst->wall) {
		dst->wall = dst->all = dst->wobj = TRUE;
		dst->r->len = 0;
		dst->w->len = 0;
	}
}

static gboolean
fp_empty(const Fp *f)
{
	return !f->all && !f->wall && f->r->len == 0 && f->w->len == 0;
}

/* Two steps of different threads are dependent when one writes what the
 * other reads or writes.  Reading everything is every object, not the
 * locks: a lock is only written, by its takers (on_event()). */
static gboolean
fp_dependent(const Fp *a, const Fp *b)
{
	if ((a->wall && !fp_empty(b)) || (b->wall && !fp_empty(a)))
		return TRUE;
	if ((a->all && b->wobj) || (b->all && a->wobj))
		return TRUE;
	return keys_meet(a->w, b->w) || keys_meet(a->w, b->r) ||
	    keys_meet(b->w, a->r);
}

/* ---------------------------------------------------------------------
 * The search tree
 */

typedef struct {
	guint32		 enabled, alive;
	guint32		 backtrack;	/* threads to explore from here */
	guint32		 done;		/* explored, or being */
	guint32		 sleep;
	gint		 cur;		/* thread of the step before */
	gboolean	 cur_inside;
	guint		 preempts;
	gint		 chosen;	/* the step being explored: the event
					 * at this depth */
	Fp		*fp[MAXT];	/* each thread's step from here, for
					 * done and sleeping threads */
	guint32		 clock[MAXT];	/* of the event: 1 + the index of
					 * the last event of each thread
					 * that happens before it */
	Digest		 d;
	guint64		 hist[MAXT];
	SimSchedSnap	*snap;
	GArray		*snap_objs;	/* the objects' digests there */
	Digest		 snap_sum;
	Fp		*sum[MAXT];	/* summary of the subtree explored */
} Node;

/* A state explored before: with which sleep set, and what ran below. */
typedef struct {
	gboolean	 complete;
	guint32		 sleep;
	Fp		*sum[MAXT];
} Visit;

static void
visit_free(gpointer p)
{
	Visit *v = p;

	for (guint t = 0; t < MAXT; t++)
		fp_unref(v->sum[t]);
	g_free(v);
}

typedef struct {
	const SimScenario	*sc;
	const char		*profile;
	const SimExploreOptions	*opts;
	SimExploreStats		*stats;
	GHashTable		*ends;
	SimSched		*s;
	guint			 nw;
	gboolean		 dpor, sleepsets, states, bounded;
	GPtrArray		*path;		/* Node *, the root first */
	gint			 live;		/* depth of the live run on the
						 * path; -1: off the path */
	/* the step being run */
	gboolean		 collecting;
	Keys			*reads;
	Keys			*lockw;
	Keys			*tmp;		/* scratch */
	/* the live state */
	GArray			*objs;		/* Obj, sorted */
	GArray			*objs2;
	struct rp_digest_cache	*cache;		/* the sockets' digests */
	Digest			 sum;
	Keys			*sticky[MAXT];	/* keys of the statement so
						 * far, per thread */
	GHashTable		*seen;		/* Digest * -> Visit * */
	GHashTable		*leaves;	/* Digest *: states that ended a
						 * schedule */
	gboolean		 stop;
} Dpor;

/* Nodes freed, for reuse: a search makes one a step. */
static __thread GPtrArray *node_pool;

static Node *
node_alloc(Dpor *d)
{
	(void)d;
	if (node_pool != NULL && node_pool->len > 0)
		return g_ptr_array_steal_index_fast(node_pool,
		    node_pool->len - 1);
	return g_new0(Node, 1);
}

static void
node_free(Node *n)
{
	for (guint t = 0; t < MAXT; t++) {
		fp_unref(n->fp[t]);
		fp_unref(n->sum[t]);
	}
	sim_sched_snap_free(n->snap);
	if (n->snap_objs != NULL)
		g_array_unref(n->snap_objs);
	memset(n, 0, sizeof(*n));
	if (node_pool != NULL)
		g_ptr_array_add(node_pool, n);
	else
		g_free(n);	/* LCOV_EXCL_LINE: no search runs */
}

static Node *
top(const Dpor *d)
{
	return d->path->pdata[d->path->len - 1];
}

static Node *
at(const Dpor *d, guint i)
{
	return d->path->pdata[i];
}

/* ---------------------------------------------------------------------
 * Footprints of the running step
 */

static void
on_read(void *ud, uint64_t key)
{
	Dpor *d = ud;

	if (!d->collecting)
		return;
	if (key == RP_OBJ_KEY(RP_OC_LOCKS, 0)) {
		/* every thread's RCU nesting */
		for (guint t = 1; t <= d->nw; t++) {
			guint64 k = LOCK_RCU(t);

			keys_push(d->reads, k);
		}
		return;
	}
	keys_push(d->reads, key);
}

static void
on_event(void *ud, const struct rp_event *ev)
{
	Dpor *d = ud;
	guint64 k;

	if (!d->collecting)
		return;
	/*
	 * Taking a lock (entering a read-side section) writes it; letting
	 * it go does not.  Two takers of one lock are then dependent unless
	 * something else orders them, so the search tries the other order
	 * before the first took it; a release ordering them would make the
	 * reversal that of the release and the second take, which cannot
	 * happen (the taker waits).  The same for a grace period and the
	 * readers it waits for.
	 */
	switch (ev->kind) {
	case RP_EV_LOCK:
		k = LOCK_REUSEPORT;
		break;
	case RP_EV_CB_LOCK:
		k = LOCK_CB(ev->sock);
		break;
	case RP_EV_RCU_LOCK:
		k = LOCK_RCU(ev->idx);
		break;
	case RP_EV_RCU_SYNC:
		on_read(ud, RP_OBJ_KEY(RP_OC_LOCKS, 0));
		return;
	default:
		return;
	}
	keys_push(d->lockw, k);
}

static const struct rp_observer dpor_observer = { on_event };

/* The objects whose digest differs between the sorted lists a and b
 * (written, created or freed), into w; LOCKS is left out (the lock
 * events say which lock). */
static void
diff_objects(const GArray *a, const GArray *b, Keys *w)
{
	guint i = 0, j = 0;

	while (i < a->len || j < b->len) {
		const Obj *x = i < a->len ? &g_array_index(a, Obj, i) : NULL;
		const Obj *y = j < b->len ? &g_array_index(b, Obj, j) : NULL;
		guint64 k;

		if (x != NULL && y != NULL && x->key == y->key) {
			i++;
			j++;
			if (x->h == y->h)
				continue;
			k = x->key;
		} else if (y == NULL || (x != NULL && x->key < y->key)) {
			k = x->key;
			i++;
		} else {
			k = y->key;
			j++;
		}
		if (RP_OBJ_CLASS(k) != RP_OC_LOCKS)
			keys_push(w, k);
	}
}

/* The live state's object key has a new digest (or none): update the
 * sorted list and its sum; a change goes to w. */
static void
update_object(Dpor *d, guint64 key, Keys *w)
{
	guint64 h = rp_state_digest_object(sim_sched_model(d->s), key);
	guint lo = 0, hi = d->objs->len;

	while (lo < hi) {
		guint mid = (lo + hi) / 2;

		if (g_array_index(d->objs, Obj, mid).key < key)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < d->objs->len && g_array_index(d->objs, Obj, lo).key == key) {
		Obj *o = &g_array_index(d->objs, Obj, lo);

		if (o->h == h)
			return;
		sum_entry(&d->sum, o, FALSE);
		if (h == 0) {
			g_array_remove_index(d->objs, lo);
		} else {
			o->h = h;
			sum_entry(&d->sum, o, TRUE);
		}
	} else if (h != 0) {
		Obj o = { key, h };

		g_array_insert_val(d->objs, lo, o);
		sum_entry(&d->sum, &o, TRUE);
	} else {
		return;
	}
	if (RP_OBJ_CLASS(key) != RP_OC_LOCKS)
		keys_push(w, key);
}

static gboolean
precise_verb(const char *verb)
{
	return g_strv_contains(precise_verbs, verb);
}

/*
 * Is thread p's step from where it stands only the taking of a lock,
 * the entering of a read-side section or the wait for a grace period?
 * It runs from the point before to the fine point after (the scheduler
 * stops at both), and nothing else happens in between: its footprint is
 * the lock's alone, so that two takers of a lock are not ordered by
 * what each did before (which would hide their race).
 */
static gboolean
taking_point(SimSched *s, guint p)
{
	enum rp_sched_point pt;

	return sim_sched_thread_point(s, p, &pt) && (pt == RP_SP_LOCK ||
	    pt == RP_SP_CB_LOCK || pt == RP_SP_RCU_LOCK ||
	    pt == RP_SP_SYNC_RCU);
}

static gboolean
taken_point(SimSched *s, guint p)
{
	enum rp_sched_point pt;

	return sim_sched_thread_point(s, p, &pt) && (pt == RP_SP_ACQUIRED ||
	    pt == RP_SP_RCU_ENTERED || pt == RP_SP_SYNCED);
}

/* The keys of keys but the locks into the sticky set a. */
static void
sticky_add(Dpor *d, Keys *a, const Keys *keys)
{
	d->reads->len = 0;
	for (guint i = 0; i < keys->len; i++)
		if (RP_OBJ_CLASS(keys->v[i]) != RP_OC_LOCKS)
			keys_push(d->reads, keys->v[i]);
	keys_union(a, d->reads, d->tmp);
}

/* What thread p's statement touched so far stays read until it ends (its
 * locals may point there); the locks it took do not. */
static void
sticky_update(Dpor *d, guint p, const Fp *fp)
{
	Keys *a = d->sticky[p];

	if (!sim_sched_thread_inside(d->s, p)) {
		a->len = 0;
		return;
	}
	sticky_add(d, a, fp->r);
	sticky_add(d, a, fp->w);
}

/*
 * Run thread p one step from the live node and return its footprint, or
 * NULL when the run failed.  The live state's objects move on.
 */
static Fp *
run_step(Dpor *d, guint p)
{
	const SimStmt *st = sim_sched_thread_stmt(d->s, p);
	gboolean from_start = !sim_sched_thread_inside(d->s, p);
	gboolean taking = taking_point(d->s, p);
	GArray *tmp;
	gboolean ok;
	Fp *fp;

	d->reads->len = 0;
	d->lockw->len = 0;
	d->collecting = TRUE;
	ok = sim_sched_step(d->s, p);
	d->collecting = FALSE;
	d->stats->states++;
	if (!ok)
		return NULL;
	fp = fp_new();
	if (taking && taken_point(d->s, p)) {
		/* only the locks changed: one digest, not all of them */
		update_object(d, RP_OBJ_KEY(RP_OC_LOCKS, 0), fp->w);
		keys_add_all(fp->w, d->lockw);
		keys_norm(fp->w);
		keys_add_all(fp->r, d->reads);
		keys_norm(fp->r);
		return fp;
	}
	objects_of(d->s, d->cache, d->objs2, &d->sum);
	diff_objects(d->objs, d->objs2, fp->w);
	fp->wobj = fp->w->len > 0;
	tmp = d->objs;
	d->objs = d->objs2;
	d->objs2 = tmp;
	keys_add_all(fp->w, d->lockw);
	keys_norm(fp->w);
	if (from_start) {
		guint64 k = KEY_EXEC;

		keys_push(d->reads, k);
	}
	keys_norm(d->reads);
	keys_add_all(fp->r, d->reads);
	keys_union(fp->r, d->sticky[p], d->tmp);
	fp->all = !precise_verb(st->verb) || sim_sched_quiescent(d->s);
	sticky_update(d, p, fp);
	return fp;
}

/* ---------------------------------------------------------------------
 * Races
 */

static guint32
bit(guint t)
{
	return 1u << t;
}

static void
clock_join(guint32 *c, const guint32 *o, guint nw)
{
	for (guint t = 0; t < nw; t++)
		c[t] = MAX(c[t], o[t]);
}

/* The clock of the last event of thread t above depth k, or zeros. */
static void
last_clock(const Dpor *d, guint k, guint t, guint32 *c)
{
	memset(c, 0, sizeof(guint32) * MAXT);
	for (guint j = k; j-- > 0;)
		if (at(d, j)->chosen == (gint)t) {
			memcpy(c, at(d, j)->clock, sizeof(guint32) * MAXT);
			return;
		}
}

/* Does event m (at depth m) happen before the event whose clock is c? */
static gboolean
hb(const Dpor *d, guint m, const guint32 *c)
{
	return c[at(d, m)->chosen] >= m + 1;
}

/*
 * The initials of v = notdep(e_i).e_k: the threads whose first event in v
 * has no event of v before it that happens before it.  ck is e_k's clock.
 */
static guint32
initials(const Dpor *d, guint i, guint k, guint p, const guint32 *ck)
{
	guint32 I = 0, seen = 0;

	for (guint j = i + 1; j <= k; j++) {
		const guint32 *cj = j < k ? at(d, j)->clock : ck;
		guint t = j < k ? (guint)at(d, j)->chosen : p;
		gboolean first = TRUE;

		if (j < k && hb(d, i, cj))
			continue;		/* after e_i: not in v */
		if (seen & bit(t))
			continue;
		seen |= bit(t);
		for (guint m = i + 1; m < j && first; m++)
			if (!hb(d, i, at(d, m)->clock) && hb(d, m, cj))
				first = FALSE;
		if (first)
			I |= bit(t);
	}
	return I;
}

/* Make the node at depth i try one of I (or every enabled thread, when
 * the one picked cannot run there). */
static void
add_backtrack(Dpor *d, guint i, guint32 I, guint prefer)
{
	Node *n = at(d, i);
	guint q;

	if (I & (n->backtrack | n->done))
		return;
	q = (I & bit(prefer)) ? prefer : (guint)g_bit_nth_lsf(I, -1);
	if (n->enabled & bit(q))
		n->backtrack |= bit(q);
	else
		n->backtrack |= n->enabled;
}

/* The event at depth k (thread p, footprint f) has happened: its clock,
 * and the races it closes. */
static void
races(Dpor *d, guint k, guint p, const Fp *f)
{
	guint32 c[MAXT];
	guint pending[64], npending = 0;

	last_clock(d, k, p, c);
	for (guint i = k; i-- > 0;) {
		Node *ni = at(d, i);
		guint q = (guint)ni->chosen;

		if (q == p || !fp_dependent(ni->fp[q], f))
			continue;
		if (c[q] < i + 1 && npending < G_N_ELEMENTS(pending))
			pending[npending++] = i;
		else if (c[q] < i + 1)
			add_backtrack(d, i, at(d, i)->enabled, p); /* LCOV_EXCL_LINE */
		clock_join(c, ni->clock, d->nw);
	}
	c[p] = k + 1;
	memcpy(at(d, k)->clock, c, sizeof(c));
	for (guint j = 0; j < npending; j++) {
		guint i = pending[j];

		add_backtrack(d, i, initials(d, i, k, p, c), p);
	}
}

/* A state cut because it was explored before: what ran below it stands
 * for its subtree, as the next step of each thread. */
static void
races_summary(Dpor *d, guint k, Fp *const *sum)
{
	for (guint q = 0; q < d->nw; q++) {
		guint32 c[MAXT];

		if (sum[q] == NULL || fp_empty(sum[q]))
			continue;
		last_clock(d, k + 1, q, c);
		for (guint i = k + 1; i-- > 0;) {
			Node *ni = at(d, i);
			guint t = (guint)ni->chosen;

			if (t == q || c[t] >= i + 1 ||
			    !fp_dependent(ni->fp[t], sum[q]))
				continue;
			if (ni->enabled & bit(q)) {
				if (!((ni->backtrack | ni->done) & bit(q)))
					ni->backtrack |= bit(q);
			} else {
				ni->backtrack |= ni->enabled;
			}
		}
	}
}

static void
sum_merge(Dpor *d, Node *n, guint t, const Fp *f)
{
	if (f == NULL)
		return;
	if (n->sum[t] == NULL)
		n->sum[t] = fp_new();
	fp_merge(n->sum[t], f, d->tmp);
}

/* ---------------------------------------------------------------------
 * Moving the live run
 */

/* Take a snapshot at n, the live node, with the objects' digests. */
static void
snapshot(Dpor *d, Node *n)
{
	n->snap = sim_sched_snapshot(d->s);
	n->snap_objs = g_array_copy(d->objs);
	n->snap_sum = d->sum;
}

/* Back to n's snapshot: no thread is inside a statement there. */
static void
restore(Dpor *d, const Node *n)
{
	sim_sched_restore(d->s, n->snap);
	for (guint t = 0; t < d->nw; t++)
		d->sticky[t]->len = 0;
	g_array_set_size(d->objs, 0);
	g_array_append_vals(d->objs, n->snap_objs->data, n->snap_objs->len);
	d->sum = n->snap_sum;
}

/* Bring the live run to the node at depth k: restore the nearest snapshot
 * above it, then step the path's choices again. */
static gboolean
go_to(Dpor *d, guint k, GError **error)
{
	guint from;
	guint j = k;
	Node *n;

	while (at(d, j)->snap == NULL)
		j--;
	restore(d, at(d, j));
	from = j;
	d->stats->restores++;
	for (; j < k; j++) {
		Node *nj = at(d, j);
		guint p = (guint)nj->chosen;
		const Fp *f = nj->fp[p];
		gboolean taking = taking_point(d->s, p);

		d->stats->states++;
		d->stats->replayed++;
		if (!sim_sched_step(d->s, p))
			goto nondeterministic;	/* LCOV_EXCL_LINE */
		sim_sched_check_skip(d->s);	/* they held then */
		if (!taking || !taken_point(d->s, p))
			sticky_update(d, p, f);
	}
	if (k > from)		/* steps again: their objects */
		objects_of(d->s, d->cache, d->objs, &d->sum);
	n = at(d, k);
	{
		Digest now;

		node_digest(d->s, &d->sum, n->hist, &now);
		if (!digest_equal(&now, &n->d))
			goto nondeterministic;	/* LCOV_EXCL_LINE */
	}
	d->live = (gint)k;
	return TRUE;

nondeterministic:	/* LCOV_EXCL_START: the model is deterministic */
	g_set_error(error, SIM_ERROR, SIM_ERROR_FAIL, "nondeterministic "
	    "replay to decision %u", k);
	return FALSE;
	/* LCOV_EXCL_STOP */
}

/* ---------------------------------------------------------------------
 * The search
 */

/* Threads that may run from n: to explore, awake, within the bound. */
static guint32
candidates(const Dpor *d, const Node *n)
{
	guint32 c = n->backtrack & n->enabled & ~n->done & ~n->sleep;

	if (d->bounded && n->cur_inside)
		for (guint t = 0; t < d->nw; t++)
			if ((c & bit(t)) && (gint)t != n->cur &&
			    n->preempts + 1 > d->opts->preemptions)
				c &= ~bit(t);
	return c;
}

static guint
pick(const Node *n, guint32 c)
{
	if (n->cur >= 0 && (c & bit((guint)n->cur)))
		return (guint)n->cur;
	return (guint)g_bit_nth_lsf(c, -1);
}

/* A new node for the live state, after thread p's step f from parent
 * (NULL: the root). */
static Node *
node_new(Dpor *d, const Node *parent, guint p, Fp *f, gboolean from_start)
{
	Node *n = node_alloc(d);
	SimSchedChoice c;

	sim_sched_decision(d->s, &c, &n->alive);
	n->enabled = c.enabled;
	n->cur = c.cur;
	n->cur_inside = c.cur_inside;
	n->chosen = -1;
	if (parent != NULL) {
		memcpy(n->hist, parent->hist, sizeof(n->hist));
		n->hist[p] = history_after(d->s, p, parent->hist[p],
		    from_start, &parent->d);
		n->preempts = parent->preempts + (parent->cur_inside &&
		    parent->cur != (gint)p ? 1 : 0);
		for (guint q = 0; d->sleepsets && q < d->nw; q++) {
			if (q == p || !((parent->sleep | parent->done) &
			    bit(q)) || parent->fp[q] == NULL ||
			    fp_dependent(parent->fp[q], f))
				continue;
			n->sleep |= bit(q);
			n->fp[q] = fp_ref(parent->fp[q]);
		}
	}
	node_digest(d->s, &d->sum, n->hist, &n->d);
	return n;
}

/* Pop the top node: its summary goes to its parent and to the table of
 * states explored. */
static void
pop(Dpor *d)
{
	Node *n = top(d);
	Node *parent = d->path->len > 1 ? at(d, d->path->len - 2) : NULL;

	if (d->states) {
		Visit *v = g_hash_table_lookup(d->seen, &n->d);

		if (v != NULL && !v->complete) {
			v->complete = TRUE;
			v->sleep = n->sleep;
			for (guint t = 0; t < d->nw; t++)
				v->sum[t] = fp_ref(n->sum[t]);
		}
	}
	if (parent != NULL && d->states)
		for (guint t = 0; t < d->nw; t++)
			sum_merge(d, parent, t, n->sum[t]);
	g_ptr_array_set_size(d->path, d->path->len - 1);
	node_free(n);
	d->live = -1;
}

/* Record a failure of the live run and stop. */
static void
fail(Dpor *d)
{
	const char *why = sim_sched_failure(d->s);
	GString *ce = g_string_new(NULL);

	d->stats->failed = TRUE;
	d->stats->failure = g_strdup(why);
	sim_counterexample(d->sc, d->profile, d->opts->plant, d->s, why, ce);
	d->stats->counterexample = g_string_free(ce, FALSE);
	d->stop = TRUE;
}

/* Every thread is done (the state digest n says where): the epilogue and
 * the end state, unless this state ended a schedule before. */
static void
leaf(Dpor *d, const Node *n)
{
	d->stats->schedules++;
	if (g_hash_table_contains(d->leaves, &n->d)) {
		/* the same state, the same epilogue and end state */
		sim_sched_check_skip(d->s);
		goto out;
	}
	g_hash_table_add(d->leaves, g_memdup2(&n->d, sizeof(n->d)));
	if (!sim_sched_check_due(d->s)) {
		fail(d);
		return;
	}
	if (!sim_sched_end(d->s)) {
		fail(d);
		return;
	}
	/* a set: an end seen before replaces its equal */
	g_hash_table_add(d->ends, sim_end_digest(d->s, sim_sched_exec(d->s)));
out:
	if (d->opts->max_schedules != 0 &&
	    d->stats->schedules >= d->opts->max_schedules)
		d->stop = TRUE;
}

/*
 * Note the state of n, reached by the step at depth k: TRUE when n is to
 * be explored, FALSE when it is cut, or the run failed (d->stop).  A
 * state seen for the first time has its invariants checked (when every
 * thread is between statements); they hold in one seen before.
 */
static gboolean
note_state(Dpor *d, Node *n, guint k)
{
	Visit *v = g_hash_table_lookup(d->seen, &n->d);

	if (v == NULL) {
		Digest *key = g_memdup2(&n->d, sizeof(n->d));

		v = g_new0(Visit, 1);
		g_hash_table_insert(d->seen, key, v);
		d->stats->distinct++;
		if (!sim_sched_check_due(d->s)) {
			fail(d);
			return FALSE;
		}
		return TRUE;
	}
	sim_sched_check_skip(d->s);
	if (!d->states || !v->complete || (v->sleep & ~n->sleep) != 0)
		return TRUE;
	/* explored before, with no more asleep than now */
	if (d->dpor)
		races_summary(d, k, v->sum);
	for (guint t = 0; t < d->nw; t++)
		sum_merge(d, at(d, k), t, v->sum[t]);
	return FALSE;
}

/* One step from the top node: FALSE when the search is over. */
static gboolean
advance(Dpor *d, GError **error)
{
	Node *n = top(d), *c;
	guint k = d->path->len - 1;
	guint32 cand = candidates(d, n);
	gboolean from_start;
	guint p;
	Fp *f;

	if (cand == 0) {
		pop(d);
		return d->path->len > 0;
	}
	p = pick(n, cand);
	if (d->live != (gint)k && !go_to(d, k, error))
		return FALSE;	/* LCOV_EXCL_LINE */
	n->done |= bit(p);
	n->chosen = (gint)p;
	from_start = !sim_sched_thread_inside(d->s, p);
	f = run_step(d, p);
	d->live = -1;
	if (f == NULL) {
		fail(d);
		return FALSE;
	}
	fp_unref(n->fp[p]);
	n->fp[p] = f;
	if (d->dpor)
		races(d, k, p, f);
	if (d->states)
		sum_merge(d, n, p, f);
	c = node_new(d, n, p, f, from_start);
	d->stats->max_depth = MAX(d->stats->max_depth, k + 1);
	if (c->alive == 0) {
		leaf(d, c);
		node_free(c);
		return !d->stop;
	}
	if (c->enabled == 0) {
		node_free(c);
		sim_sched_deadlock(d->s);
		fail(d);
		return FALSE;
	}
	if (!note_state(d, c, k)) {
		node_free(c);
		if (d->stop)
			return FALSE;
		d->stats->pruned++;
		return TRUE;
	}
	c->backtrack = d->dpor ? 0 : c->enabled;
	if (d->dpor) {
		guint32 awake = c->enabled & ~c->sleep;

		if (awake != 0)
			c->backtrack = bit(pick(c, awake));
	}
	if (candidates(d, c) == 0) {
		/* everything left is asleep (or over the bound) */
		d->stats->pruned++;
		node_free(c);
		return TRUE;
	}
	if (sim_sched_quiescent(d->s))
		snapshot(d, c);
	g_ptr_array_add(d->path, c);
	d->live = (gint)k + 1;
	return TRUE;
}

/*
 * Explore sc under profile with the dpor engine; fill stats and add each
 * end state (owned strings) to ends.  FALSE with error when the scenario
 * cannot be explored (no threads: input error).
 */
gboolean
sim_explore_dpor(const SimScenario *sc, const char *profile,
    const SimExploreOptions *opts, SimExploreStats *stats, GHashTable *ends,
    GError **error)
{
	g_autoptr(SimSched) s = NULL;
	SimExecOptions xo = { 0 };
	SimReport rep = { 0 };
	Dpor d = { 0 };
	gboolean ok = TRUE;

	s = sim_sched_new(sc, error);
	if (s == NULL)
		return FALSE;
	d.sc = sc;
	d.profile = profile;
	d.opts = opts;
	d.stats = stats;
	d.ends = ends;
	d.s = s;
	d.nw = sim_sched_threads(s);
	d.bounded = opts->preemptions != SIM_EXPLORE_UNBOUNDED;
	d.dpor = !opts->no_reduction && !d.bounded;
	d.sleepsets = !opts->no_reduction;
	d.states = d.dpor && !opts->no_states;
	d.path = g_ptr_array_new();
	fp_pool = g_ptr_array_new_with_free_func(fp_free);
	node_pool = g_ptr_array_new_with_free_func(g_free);
	d.reads = keys_new();
	d.lockw = keys_new();
	d.tmp = keys_new();
	d.objs = g_array_new(FALSE, FALSE, sizeof(Obj));
	d.objs2 = g_array_new(FALSE, FALSE, sizeof(Obj));
	d.cache = rp_digest_cache_new();
	for (guint t = 0; t < MAXT; t++)
		d.sticky[t] = keys_new();
	d.seen = g_hash_table_new_full(digest_hash, digest_equal, g_free,
	    visit_free);
	d.leaves = g_hash_table_new_full(digest_hash, digest_equal, g_free,
	    NULL);
	d.live = -1;
	xo.ops = &sim_backend_model;
	xo.plant = opts->plant;
	xo.check = opts->check;
	xo.observer = &dpor_observer;
	xo.observer_ud = &d;
	if (sim_sched_open(s, profile, &xo, &rep, error) == SIM_SCHED_ERROR) {
		ok = FALSE;		/* LCOV_EXCL_LINE */
		goto out;		/* LCOV_EXCL_LINE */
	}
	if (sim_sched_failure(s) != NULL) {
		stats->schedules++;
		fail(&d);
	} else {
		Node *root;

		rp_state_set_access(sim_sched_model(s), on_read, &d);
		sim_sched_defer_checks(s, TRUE);
		objects_of(s, d.cache, d.objs, &d.sum);
		root = node_new(&d, NULL, 0, NULL, FALSE);
		note_state(&d, root, 0);
		root->backtrack = d.dpor ? bit(pick(root, root->enabled)) :
		    root->enabled;
		snapshot(&d, root);
		g_ptr_array_add(d.path, root);
		d.live = 0;
		while (d.path->len > 0 && !d.stop)
			if (!advance(&d, error)) {
				ok = error == NULL || *error == NULL;
				break;
			}
		stats->complete = !d.stop && d.path->len == 0;
		rp_state_set_access(sim_sched_model(s), NULL, NULL);
	}
	sim_sched_close(s, &rep);
out:
	sim_report_clear(&rep);
	while (d.path->len > 0) {
		node_free(top(&d));
		g_ptr_array_set_size(d.path, d.path->len - 1);
	}
	g_ptr_array_unref(d.path);
	keys_free(d.reads);
	keys_free(d.lockw);
	keys_free(d.tmp);
	g_array_unref(d.objs);
	g_array_unref(d.objs2);
	rp_digest_cache_free(d.cache);
	for (guint t = 0; t < MAXT; t++)
		keys_free(d.sticky[t]);
	g_hash_table_unref(d.seen);
	g_hash_table_unref(d.leaves);
	g_clear_pointer(&fp_pool, g_ptr_array_unref);
	g_clear_pointer(&node_pool, g_ptr_array_unref);
	return ok;
}

/* ---------------------------------------------------------------------
 * Counting the states of the replay engine
 */

struct SimStateCount {
	GHashTable	*seen;		/* Digest * */
	GArray		*objs;
	struct rp_digest_cache *cache;
	Digest		 node;		/* of the state before the step */
	guint64		 hist[MAXT];
};

SimStateCount *
sim_state_count_new(void)
{
	SimStateCount *c = g_new0(SimStateCount, 1);

	c->seen = g_hash_table_new_full(digest_hash, digest_equal, g_free,
	    NULL);
	c->objs = g_array_new(FALSE, FALSE, sizeof(Obj));
	c->cache = rp_digest_cache_new();
	return c;
}

static void
count_node(SimStateCount *c, SimSched *s)
{
	Digest sum;

	objects_of(s, c->cache, c->objs, &sum);
	node_digest(s, &sum, c->hist, &c->node);
	if (!g_hash_table_contains(c->seen, &c->node))
		g_hash_table_add(c->seen, g_memdup2(&c->node,
		    sizeof(c->node)));
}

/* A run begins: its first state. */
void
sim_state_count_start(SimStateCount *c, SimSched *s)
{
	memset(c->hist, 0, sizeof(c->hist));
	count_node(c, s);
}

/* Thread w made a step (from the start of a statement or not). */
void
sim_state_count_step(SimStateCount *c, SimSched *s, guint w,
    gboolean from_start)
{
	c->hist[w] = history_after(s, w, c->hist[w], from_start, &c->node);
	count_node(c, s);
}

guint64
sim_state_count_distinct(const SimStateCount *c)
{
	return g_hash_table_size(c->seen);
}

void
sim_state_count_free(SimStateCount *c)
{
	if (c == NULL)
		return;
	g_hash_table_unref(c->seen);
	g_array_unref(c->objs);
	rp_digest_cache_free(c->cache);
	g_free(c);
}
