/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * explore.c - the interleaving explorer: every schedule of a scenario's
 * threads at the kernel's lock and RCU points.
 *
 * Each schedule is one run of the deterministic scheduler (core/sched.c),
 * which stops the threads at every decision point (statement starts,
 * locks, RCU) and asks this file which thread runs next.  The search is a
 * stateless depth-first search (VeriSoft, CHESS): each schedule replays
 * the scenario from the start on a fresh model, following the choices of
 * the previous schedule up to the deepest decision with an alternative
 * left.  Two reductions keep it small:
 *
 *	- a preemption bound (CHESS): switching away from a thread that
 *	  could go on, inside a statement, costs one preemption; switching
 *	  at a statement start, or when the thread is blocked or done, is
 *	  free.  Default 2;
 *	- sleep sets (Godefroid): after exploring thread t at a decision,
 *	  its siblings need not run t first again until something dependent
 *	  with t's step has run.  Dependence is judged on what a step did,
 *	  as the model's observer reported it (footprint below): a step that
 *	  changed any state, or ran a statement whose verb does not only read
 *	  (the verb table says), depends on every other step; two pure reads
 *	  commute unless they touch the same lock or one waits for the
 *	  other's RCU section.
 *
 * The scheduler checks each run (lock discipline, expectations, the
 * invariants I1-I16 whenever no thread is inside a statement).  The first
 * failure stops the search and is printed as a replayable scenario: the
 * same statements with a `schedule` statement naming the thread of every
 * decision, and the threads flattened in the failing order as comments.
 * `reuseport-sim run` follows a `schedule` statement (core/sched.c), and
 * so does `explain`, so the counterexample replays and narrates.
 */
#include <string.h>

#include "backend/model.h"
#include "core/error.h"
#include "core/sched.h"
#include "core/verbs.h"
#include "tools/dpor.h"
#include "tools/explore.h"
#include "tools/outcome.h"

#define MAX_FP_LOCKS	8u

/* ---------------------------------------------------------------------
 * Footprints: what one step did, for the dependence relation
 */

typedef struct {
	gboolean	write;		/* changed state or ran a non-query */
	gboolean	rcu_read;	/* entered or left a read section */
	gboolean	rcu_sync;	/* waited for a grace period */
	gboolean	lock_overflow;
	guint		nlocks;
	unsigned	locks[MAX_FP_LOCKS];	/* 0: reuseport_lock; s+1: cb of s */
} Footprint;

static void
fp_lock(Footprint *fp, unsigned lock)
{
	for (guint i = 0; i < fp->nlocks; i++)
		if (fp->locks[i] == lock)
			return;
	if (fp->nlocks == MAX_FP_LOCKS) {
		fp->lock_overflow = TRUE;
		return;
	}
	fp->locks[fp->nlocks++] = lock;
}

/* Do two steps commute?  Only when neither wrote (see the header). */
static gboolean
fp_independent(const Footprint *a, const Footprint *b)
{
	if (a->write || b->write)
		return FALSE;
	if ((a->rcu_sync && (b->rcu_read || b->rcu_sync)) ||
	    (b->rcu_sync && a->rcu_read))
		return FALSE;
	if ((a->lock_overflow && (b->nlocks > 0 || b->lock_overflow)) ||
	    (b->lock_overflow && a->nlocks > 0))
		return FALSE;
	for (guint i = 0; i < a->nlocks; i++)
		for (guint j = 0; j < b->nlocks; j++)
			if (a->locks[i] == b->locks[j])
				return FALSE;
	return TRUE;
}

/* ---------------------------------------------------------------------
 * The search
 */

/* One decision of the current path. */
typedef struct {
	guint32		enabled;
	guint32		done;		/* choices explored (or exploring) */
	guint32		sleep;
	gint		chosen;
	gint		cur;		/* who ran the step before, -1 */
	gboolean	cur_inside;	/* cur enabled inside a statement */
	guint		preempts;	/* used before this decision */
	/* of done and sleeping threads */
	Footprint	fp[SIM_SCHED_MAX_THREADS];
} Frame;

typedef struct {
	const SimScenario	*sc;
	const char		*profile;
	const SimExploreOptions	*opts;
	SimSched		*s;
	guint			 nw;
	Footprint		 fp;		/* of the running step */
	GArray			*frames;	/* Frame: the current path */
	guint32			 child_sleep;
	Footprint		 child_fp[SIM_SCHED_MAX_THREADS];
	guint			 preempts;	/* of the current run */
	char			*end;		/* end-state digest */
	SimStateCount		*count;		/* distinct states, or NULL */
	gboolean		 from_start;	/* the running step */
} Search;

/* Allowed choices at f, and the cost of each in preemptions. */
static gboolean
may_choose(const Search *e, const Frame *f, guint c)
{
	guint cost;

	if (!(f->enabled & (1u << c)))
		return FALSE;
	if (e->opts->no_reduction ? (f->done & (1u << c)) :
	    ((f->done | f->sleep) & (1u << c)))
		return FALSE;
	cost = f->cur_inside && (gint)c != f->cur ? 1 : 0;
	return e->opts->preemptions == SIM_EXPLORE_UNBOUNDED ||
	    f->preempts + cost <= e->opts->preemptions;
}

/* Keep running the current thread when allowed, else the lowest. */
static gint
pick(const Search *e, const Frame *f)
{
	if (f->cur >= 0 && may_choose(e, f, (guint)f->cur))
		return f->cur;
	for (guint c = 0; c < e->nw; c++)
		if (may_choose(e, f, c))
			return (gint)c;
	return -1;
}

/*
 * Move to the next schedule: mark the deepest decision's choice as
 * explored and pick another there, popping decisions that have none.
 */
static gboolean
backtrack(Search *e)
{
	while (e->frames->len > 0) {
		Frame *f = &g_array_index(e->frames, Frame,
		    e->frames->len - 1);
		gint c;

		f->done |= 1u << f->chosen;
		c = pick(e, f);
		if (c >= 0) {
			f->chosen = c;
			return TRUE;
		}
		g_array_set_size(e->frames, e->frames->len - 1);
	}
	return FALSE;
}

/* Follow the path where it reaches, choose freshly beyond it. */
static gint
search_choose(void *ud, const SimSchedChoice *c, GError **error)
{
	Search *e = ud;
	Frame *f;

	if (c->depth == 0 && e->count != NULL)
		sim_state_count_start(e->count, e->s);
	if (c->depth >= e->frames->len) {
		Frame nf = { 0 };

		nf.enabled = c->enabled;
		nf.sleep = e->opts->no_reduction ? 0 :
		    (e->child_sleep & c->enabled);
		memcpy(nf.fp, e->child_fp, sizeof(nf.fp));
		nf.cur = c->cur;
		nf.cur_inside = c->cur_inside;
		nf.preempts = e->preempts;
		nf.chosen = pick(e, &nf);
		if (nf.chosen < 0)
			return -1;
		g_array_append_val(e->frames, nf);
	}
	f = &g_array_index(e->frames, Frame, c->depth);
	if (f->enabled != c->enabled) {
		/* LCOV_EXCL_START: the model is deterministic */
		g_set_error(error, SIM_ERROR, SIM_ERROR_FAIL,
		    "nondeterministic replay at decision %u", c->depth);
		return -1;
		/* LCOV_EXCL_STOP */
	}
	if (f->cur_inside && f->chosen != f->cur)
		e->preempts++;
	return f->chosen;
}

/* A step begins: a statement whose verb does not only read writes. */
static void
search_step_start(void *ud, guint w, const SimStmt *st)
{
	Search *e = ud;

	memset(&e->fp, 0, sizeof(e->fp));
	e->from_start = !sim_sched_thread_inside(e->s, w);
	if (!sim_verb_reads_only(st->verb))
		e->fp.write = TRUE;
}

/* A step ended: keep its footprint, and the sleep set the next decision
 * inherits. */
static void
search_step_end(void *ud, const SimSchedChoice *c, guint w)
{
	Search *e = ud;
	Frame *f = &g_array_index(e->frames, Frame, c->depth);

	if (e->count != NULL)
		sim_state_count_step(e->count, e->s, w, e->from_start);
	f->fp[w] = e->fp;
	e->child_sleep = 0;
	for (guint u = 0; u < e->nw; u++) {
		if (u == w || !((f->sleep | f->done) & (1u << u)))
			continue;
		if (!fp_independent(&f->fp[u], &e->fp))
			continue;
		e->child_sleep |= 1u << u;
		e->child_fp[u] = f->fp[u];
	}
}

/* Observer: the footprint of the running step. */
static void
fp_event(void *ud, const struct rp_event *ev)
{
	Search *e = ud;

	switch (ev->kind) {
	case RP_EV_LOCK:
	case RP_EV_UNLOCK:
		fp_lock(&e->fp, 0);
		break;
	case RP_EV_CB_LOCK:
	case RP_EV_CB_UNLOCK:
		fp_lock(&e->fp, ev->sock + 1);
		break;
	case RP_EV_RCU_LOCK:
	case RP_EV_RCU_UNLOCK:
		e->fp.rcu_read = TRUE;
		break;
	case RP_EV_RCU_SYNC:
		e->fp.rcu_sync = TRUE;
		break;
	case RP_EV_RULE:
	case RP_EV_SELECT:
	case RP_EV_PROG_RUN:
		break;
	default:
		e->fp.write = TRUE;
		break;
	}
}

static const struct rp_observer fp_observer = { fp_event };

static void
search_end(void *ud, SimSched *s, SimExec *x)
{
	Search *e = ud;

	g_free(e->end);
	e->end = sim_end_digest(s, x);
}

/* ---------------------------------------------------------------------
 * The explorer
 */

void
sim_explore_stats_clear(SimExploreStats *stats)
{
	g_clear_pointer(&stats->failure, g_free);
	g_clear_pointer(&stats->counterexample, g_free);
	g_clear_pointer(&stats->ends, g_ptr_array_unref);
	memset(stats, 0, sizeof(*stats));
}

static gint
strp_cmp(gconstpointer a, gconstpointer b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * The replay engine: each schedule a run of its own on OS threads,
 * replayed from the start, the previous one's choices followed to the
 * deepest decision with an alternative left.  FALSE with error when the
 * scenario cannot be explored.
 */
static gboolean
explore_replay(const SimScenario *sc, const char *profile,
    const SimExploreOptions *opts, SimExploreStats *stats, GHashTable *ends,
    GError **error)
{
	g_autoptr(SimSched) s = NULL;
	g_autoptr(SimStateCount) count = NULL;
	SimExecOptions xo = { 0 };
	SimSchedHooks h = { 0 };
	Search e = { 0 };
	gboolean ok = TRUE;

	s = sim_sched_new(sc, error);
	if (s == NULL)
		return FALSE;
	sim_sched_set_classic(s, TRUE);
	if (opts->count_states)
		count = sim_state_count_new();
	e.sc = sc;
	e.profile = profile;
	e.opts = opts;
	e.s = s;
	e.nw = sim_sched_threads(s);
	e.frames = g_array_new(FALSE, FALSE, sizeof(Frame));
	e.count = count;
	xo.ops = &sim_backend_model;
	xo.plant = opts->plant;
	xo.check = opts->check;
	xo.observer = &fp_observer;
	xo.observer_ud = &e;
	h.choose = search_choose;
	h.step_start = search_step_start;
	h.step_end = search_step_end;
	h.end = search_end;
	h.ud = &e;
	for (;;) {
		SimReport rep = { 0 };
		SimSchedResult r;
		guint steps;

		if (opts->max_schedules != 0 &&
		    stats->schedules >= opts->max_schedules)
			break;
		e.preempts = 0;
		e.child_sleep = 0;
		g_clear_pointer(&e.end, g_free);
		r = sim_sched_run(s, profile, &xo, &h, &rep, error);
		if (r == SIM_SCHED_ERROR) {
			sim_report_clear(&rep);	/* LCOV_EXCL_LINE */
			ok = FALSE;		/* LCOV_EXCL_LINE */
			break;			/* LCOV_EXCL_LINE */
		}
		steps = sim_sched_steps(s);
		stats->states += steps;
		stats->max_depth = MAX(stats->max_depth, steps);
		if (r == SIM_SCHED_PRUNED) {
			stats->pruned++;
		} else {
			stats->schedules++;
			if (e.end != NULL && !g_hash_table_contains(ends,
			    e.end))
				g_hash_table_add(ends, g_steal_pointer(&e.end));
		}
		if (!rep.passed) {
			const char *why = rep.messages->pdata[0];
			GString *ce = g_string_new(NULL);

			stats->failed = TRUE;
			stats->failure = g_strdup(why);
			sim_counterexample(sc, profile, opts->plant, s, why,
			    ce);
			stats->counterexample = g_string_free(ce, FALSE);
			sim_report_clear(&rep);
			break;
		}
		sim_report_clear(&rep);
		if (!backtrack(&e)) {
			stats->complete = TRUE;
			break;
		}
	}
	if (count != NULL)
		stats->distinct = sim_state_count_distinct(count);
	g_array_unref(e.frames);
	g_free(e.end);
	return ok;
}

/*
 * Explore sc (checked already) under profile.  Returns FALSE with error
 * when the scenario cannot be explored at all (no threads: input error);
 * otherwise fills stats, failed telling whether a schedule broke.
 */
gboolean
sim_explore_scenario(const SimScenario *sc, const char *profile,
    const SimExploreOptions *opts, SimExploreStats *stats, GError **error)
{
	g_autoptr(GHashTable) ends = g_hash_table_new_full(g_str_hash,
	    g_str_equal, g_free, NULL);
	gint64 t0 = g_get_monotonic_time();
	gboolean ok;

	memset(stats, 0, sizeof(*stats));
	if (opts->engine == SIM_ENGINE_DPOR)
		ok = sim_explore_dpor(sc, profile, opts, stats, ends, error);
	else
		ok = explore_replay(sc, profile, opts, stats, ends, error);
	if (!ok && error != NULL && *error != NULL &&
	    g_error_matches(*error, SIM_ERROR, SIM_ERROR_INPUT))
		return FALSE;
	stats->end_states = g_hash_table_size(ends);
	stats->ends = g_ptr_array_new_with_free_func(g_free);
	{
		GHashTableIter it;
		gpointer k;

		g_hash_table_iter_init(&it, ends);
		while (g_hash_table_iter_next(&it, &k, NULL))
			g_ptr_array_add(stats->ends, g_strdup(k));
	}
	g_ptr_array_sort(stats->ends, strp_cmp);
	stats->seconds = (double)(g_get_monotonic_time() - t0) / 1e6;
	return ok;
}
