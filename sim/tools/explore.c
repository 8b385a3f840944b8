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
#include "core/plant.h"
#include "core/sched.h"
#include "core/verbs.h"
#include "lang/print.h"
#include "lang/words.h"
#include "tools/explore.h"

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

	(void)w;
	memset(&e->fp, 0, sizeof(e->fp));
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

/*
 * The end state, as a canonical string: every thread's results, then
 * every named socket (state, group position, owner word) and map (slots),
 * in definition order.  Cookie values and group ids are left out: no
 * scenario may depend on their order (I11), and they follow it.
 */
static char *
end_digest(Search *e, SimExec *x)
{
	GString *s = g_string_new(NULL);
	SimNames *nm = sim_exec_names(x);
	const GPtrArray *order = sim_names_order(nm);
	struct rp_state *st = sim_sched_model(e->s);

	for (guint i = 0; i < e->nw; i++) {
		const GPtrArray *res = sim_sched_thread_results(e->s, i);

		g_string_append_printf(s, "%s:", sim_sched_thread_name(e->s,
		    i));
		for (guint j = 0; j < res->len; j++)
			g_string_append_printf(s, " %s",
			    (const char *)res->pdata[j]);
		g_string_append_c(s, '\n');
	}
	for (guint i = 0; i < order->len; i++) {
		const SimObj *o = order->pdata[i];
		struct rp_sock_info si;
		struct rp_map_info mi;

		if (!o->bound)
			continue;
		if (o->kind == SIM_OBJ_SOCK &&
		    rp_sock_info(st, o->id, &si) == 0) {
			g_string_append_printf(s, "%s: %s%s%s pos %d%s",
			    o->name, sim_state_name(si.state),
			    si.closed ? " closed" : "",
			    si.hashed ? " hashed" : "", si.group_pos,
			    si.group_closed ? " (closed section)" : "");
			if (si.owner == RP_OWNER_SLOT)
				g_string_append_printf(s, " in %s:%u",
				    sim_names_of(nm, SIM_OBJ_MAP, si.owner_map),
				    si.owner_idx);
			else if (si.owner != RP_OWNER_NONE)
				g_string_append_printf(s, " owner %d",
				    (int)si.owner);
			g_string_append_printf(s, "%s\n", si.cookie != 0 ?
			    " cookie" : "");
		} else if (o->kind == SIM_OBJ_SOCK) {
			g_string_append_printf(s, "%s: freed\n", o->name);
		} else if (o->kind == SIM_OBJ_MAP &&
		    rp_map_info(st, o->id, &mi) == 0) {
			guint32 n = MIN(mi.max_entries, 256u);

			g_string_append_printf(s, "%s: refs %u used %u%s:",
			    o->name, mi.refs, mi.used, mi.frozen ?
			    " frozen" : "");
			for (guint32 k = 0; k < n; k++) {
				unsigned occ = rp_map_slot(st, o->id, k);

				if (occ != 0)
					g_string_append_printf(s, " %u=%u", k,
					    occ);
			}
			g_string_append_c(s, '\n');
		} else if (o->kind == SIM_OBJ_MAP) {
			g_string_append_printf(s, "%s: freed\n", o->name);
		}
	}
	return g_string_free(s, FALSE);
}

static void
search_end(void *ud, SimSched *s, SimExec *x)
{
	Search *e = ud;

	(void)s;
	g_free(e->end);
	e->end = end_digest(e, x);
}

/* ---------------------------------------------------------------------
 * Counterexamples
 */

/* "schedule T1 T2 T1 ...": the thread of every step of the last run. */
static void
schedule_line(const Search *e, GString *out)
{
	g_string_append(out, "schedule");
	for (guint j = 0; j < sim_sched_steps(e->s); j++)
		g_string_append_printf(out, " %s", sim_sched_thread_name(e->s,
		    sim_sched_step_thread(e->s, j)));
	g_string_append_c(out, '\n');
}

static void
counterexample(const Search *e, const char *why, GString *out)
{
	gboolean in_thread = FALSE;

	g_string_append_printf(out, "# counterexample: %s under profile %s, "
	    "found by reuseport-sim explore\n", e->sc->path, e->profile);
	g_string_append(out, "# Broken: ");
	for (const char *p = why; *p != '\0'; p++) {
		g_string_append_c(out, *p);
		if (*p == '\n')
			g_string_append(out, "#   ");
	}
	g_string_append(out, "\n# The threads, flattened in the failing "
	    "order (a step runs from one decision point to the next):\n");
	g_string_append(out, sim_sched_flat(e->s));
	g_string_append_printf(out, "profile %s\n", e->profile);
	if (e->opts->plant != 0) {
		g_autofree char *bugs = sim_plant_describe(e->opts->plant);

		g_string_append_printf(out, "plant %s\n", bugs);
	}
	for (guint i = 0; i < e->sc->stmts->len; i++) {
		const SimStmt *st = e->sc->stmts->pdata[i];

		if (strcmp(st->verb, "schedule") == 0)
			continue;
		if (st->thread == NULL && in_thread) {
			g_string_append(out, "end\n");
			in_thread = FALSE;
			schedule_line(e, out);
		}
		if (st->thread != NULL && (!in_thread || i == 0 ||
		    g_strcmp0(((const SimStmt *)
		    e->sc->stmts->pdata[i - 1])->thread, st->thread) != 0)) {
			if (in_thread)
				g_string_append(out, "end\n");
			g_string_append_printf(out, "thread %s\n", st->thread);
			in_thread = TRUE;
		}
		if (in_thread)
			g_string_append(out, "  ");
		sim_stmt_print(st, SIM_PRINT_EXPECT, e->profile, out);
		g_string_append_c(out, '\n');
	}
	if (in_thread) {
		g_string_append(out, "end\n");
		schedule_line(e, out);
	}
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
	g_autoptr(SimSched) s = NULL;
	gint64 t0 = g_get_monotonic_time();
	SimExecOptions xo = { 0 };
	SimSchedHooks h = { 0 };
	Search e = { 0 };
	gboolean ok = TRUE;

	memset(stats, 0, sizeof(*stats));
	s = sim_sched_new(sc, error);
	if (s == NULL)
		return FALSE;
	e.sc = sc;
	e.profile = profile;
	e.opts = opts;
	e.s = s;
	e.nw = sim_sched_threads(s);
	e.frames = g_array_new(FALSE, FALSE, sizeof(Frame));
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
			counterexample(&e, why, ce);
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
	g_array_unref(e.frames);
	g_free(e.end);
	return ok;
}
