/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * explore.c - the interleaving explorer: every schedule of a scenario's
 * threads at the kernel's lock and RCU points.
 *
 * Each thread block runs on a thread of its own (a GThread), but only one
 * runs at a time: the controller hands the turn to one thread, which runs
 * until it reaches a decision point and hands the turn back.  Decision
 * points are
 *
 *	- the start of each statement of a thread (a system call entry), and
 *	- every call of the model's scheduling hook (model/lock.c): before
 *	  taking reuseport_lock or a socket's sk_callback_lock, after
 *	  releasing one, entering and leaving an RCU read-side section, and
 *	  before a grace period: the points where the kernel can be
 *	  preempted or made to wait between a check and the write it
 *	  guards.
 *
 * A thread stopped before a lock that another thread holds is not
 * enabled; a grace period waits for every reader.  The search is a
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
 *	  changed any state, or ran a statement that is not a pure query,
 *	  depends on every other step; two pure reads commute unless they
 *	  touch the same lock or one waits for the other's RCU section.
 *
 * After every step the explorer checks the lock discipline (a violation
 * the model recorded), the expectations of the statement that finished,
 * and, whenever no thread holds a lock, the invariants I1-I16; the
 * epilogue runs once all threads are done, with the usual per-statement
 * checks.  The first failure stops the search and is printed as a
 * replayable scenario: the same statements with a `schedule` statement
 * naming the thread of every decision, and the threads flattened in the
 * failing order as comments.  `reuseport-sim run` follows a `schedule`
 * statement (sim_explore_run_schedule()), so the counterexample replays.
 */
#include <errno.h>
#include <string.h>

#include "tools/explore.h"

#define MAX_WORKERS	15u	/* model threads 1..15; 0 is the prologue */
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

/* Statements that only read: their steps may commute with each other. */
static gboolean
verb_is_query(const char *verb)
{
	static const char *const queries[] = {
		"lookup", "next-key", "lookup-batch", "send", "expect", NULL,
	};

	return g_strv_contains(queries, verb);
}

/* ---------------------------------------------------------------------
 * Planted bugs (rp_state_plant()), for proving the explorer finds them
 */

/* The names, and in the same order the bits, of the plantable bugs. */
static const char *const plant_names[] = {
	"update-no-recheck", "detach-slot-unlocked", "free-no-cb-lock",
	"detach-foreign", NULL,
};
static const unsigned plant_bits[] = {
	RP_PLANT_UPDATE_NO_RECHECK, RP_PLANT_DETACH_SLOT_UNLOCKED,
	RP_PLANT_FREE_NO_CB_LOCK, RP_PLANT_DETACH_FOREIGN,
};
G_STATIC_ASSERT(G_N_ELEMENTS(plant_names) == G_N_ELEMENTS(plant_bits) + 1);

gboolean
sim_plant_find(const char *name, unsigned *bit)
{
	for (guint i = 0; i < G_N_ELEMENTS(plant_bits); i++) {
		if (strcmp(plant_names[i], name) == 0) {
			*bit = plant_bits[i];
			return TRUE;
		}
	}
	return FALSE;
}

const char *const *
sim_plant_names(gsize *n)
{
	*n = G_N_ELEMENTS(plant_bits);
	return plant_names;
}

/* "update-no-recheck detach-foreign" for bits; "" for none. */
char *
sim_plant_describe(unsigned bits)
{
	GString *s = g_string_new(NULL);

	for (guint i = 0; i < G_N_ELEMENTS(plant_bits); i++)
		if (bits & plant_bits[i])
			g_string_append_printf(s, "%s%s", s->len > 0 ? " " : "",
			    plant_names[i]);
	return g_string_free(s, FALSE);
}

/* ---------------------------------------------------------------------
 * The engine
 */

typedef enum {
	W_START,	/* before statement pc */
	W_POINT,	/* inside statement pc, at scheduling point pt */
	W_DONE,
} Where;

typedef struct Engine Engine;

typedef struct {
	Engine			*e;
	guint			 idx;
	const char		*name;
	GPtrArray		*stmts;		/* const SimStmt * */
	/* per run */
	GThread			*th;
	guint			 pc;
	Where			 where;
	enum rp_sched_point	 pt;
	unsigned		 obj;
	const SimStmt		*stmt;		/* saved SimExec context */
	SimObj			*proc;
	GPtrArray		*step_msgs;
	GPtrArray		*results;
} Worker;

/* One decision of the current path. */
typedef struct {
	guint32		enabled;
	guint32		done;		/* choices explored (or exploring) */
	guint32		sleep;
	gint		chosen;
	gint		cur;		/* who ran the step before, -1 */
	gboolean	cur_inside;	/* cur enabled inside a statement */
	guint		preempts;	/* used before this decision */
	Footprint	fp[MAX_WORKERS];	/* of done and sleeping threads */
} Frame;

/* One step of a run, for the counterexample. */
typedef struct {
	guint			w;
	guint			pc_from;
	gboolean		from_start;
	Where			where_to;
	guint			pc_to;
	enum rp_sched_point	pt_to;
	unsigned		obj_to;
} Step;

struct Engine {
	const SimScenario	*sc;
	const char		*profile;
	const SimExploreOptions	*opts;
	GPtrArray		*prologue;	/* const SimStmt * */
	GPtrArray		*epilogue;
	const SimStmt		*schedule;	/* `schedule` statement or NULL */
	Worker			 w[MAX_WORKERS];
	guint			 nw;
	SimTraceLevel		 trace;

	/* the current run */
	SimExec			*x;
	struct rp_state		*st;
	GPtrArray		*msgs;
	GMutex			 mu;
	GCond			 cv;
	gint			 turn;		/* worker index; -1: controller */
	gboolean		 aborting;
	Footprint		 fp;
	GArray			*steps;		/* Step */
	char			*failure;	/* first failure of the run */
	char			*end;		/* end-state digest */
	GString			*trace_text;
	GString			*flat;		/* the steps, as comment lines */

	/* the search */
	GArray			*frames;	/* Frame */
	guint32			 child_sleep;
	Footprint		 child_fp[MAX_WORKERS];
	GArray			*forced;	/* gint: a schedule to follow */
};

static void
give_turn(Engine *e, gint to)
{
	g_mutex_lock(&e->mu);
	e->turn = to;
	g_cond_broadcast(&e->cv);
	g_mutex_unlock(&e->mu);
}

static void
wait_turn(Engine *e, gint me)
{
	g_mutex_lock(&e->mu);
	while (e->turn != me)
		g_cond_wait(&e->cv, &e->mu);
	g_mutex_unlock(&e->mu);
}

/* A worker stops at a decision point: hand the turn back and wait. */
static void
worker_yield(Worker *w)
{
	Engine *e = w->e;

	g_mutex_lock(&e->mu);
	e->turn = -1;
	g_cond_broadcast(&e->cv);
	while (e->turn != (gint)w->idx)
		g_cond_wait(&e->cv, &e->mu);
	g_mutex_unlock(&e->mu);
}

/* The model's scheduling hook, called on the running worker's thread. */
static void
sched_hook(void *ud, enum rp_sched_point pt, unsigned obj)
{
	Engine *e = ud;
	Worker *w;

	if (e->aborting || e->turn < 0)
		return;
	w = &e->w[e->turn];
	if (pt != RP_SP_BLOCKED) {
		/* a blocked thread keeps the point it waits at */
		w->pt = pt;
		w->obj = obj;
	}
	w->where = W_POINT;
	worker_yield(w);
}

static gpointer
worker_main(gpointer p)
{
	Worker *w = p;
	Engine *e = w->e;

	wait_turn(e, (gint)w->idx);
	for (guint i = 0; i < w->stmts->len; i++) {
		if (i > 0) {
			w->pc = i;
			w->where = W_START;
			if (!e->aborting)
				worker_yield(w);
		}
		if (!verb_is_query(((const SimStmt *)
		    w->stmts->pdata[i])->verb))
			e->fp.write = TRUE;
		sim_exec_stmt(e->x, w->stmts->pdata[i], e->msgs);
	}
	w->where = W_DONE;
	give_turn(e, -1);
	return NULL;
}

/* Observer: record the footprint of the running step, then trace. */
static void
fp_event(void *ud, const struct rp_event *ev)
{
	Engine *e = ud;

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
	if (e->trace != SIM_TRACE_OFF)
		sim_trace_observer()->event(e->x->trace, ev);
}

static const struct rp_observer fp_observer = { fp_event };

/* Switch the executor's per-statement context to worker w (one runs at a
 * time, so the SimExec is shared). */
static void
ctx_in(Engine *e, Worker *w)
{
	e->x->stmt = w->stmt;
	e->x->proc = w->proc;
	e->x->step_msgs = w->step_msgs;
	e->x->results = w->results;
	if (w->stmt != NULL)
		sim_trace_step(e->x->trace, w->stmt);	/* events' line */
	rp_state_set_thread(e->st, w->idx + 1);
}

static void
ctx_out(Engine *e, Worker *w)
{
	w->stmt = e->x->stmt;
	w->proc = e->x->proc;
}

/* Run worker w until its next decision point (or its end). */
static void
run_worker(Engine *e, Worker *w)
{
	ctx_in(e, w);
	give_turn(e, (gint)w->idx);
	wait_turn(e, -1);
	ctx_out(e, w);
}

static gboolean
worker_enabled(Engine *e, const Worker *w)
{
	if (w->where == W_DONE)
		return FALSE;
	if (w->where == W_START)
		return TRUE;
	return rp_sched_can_run(e->st, w->idx + 1, w->pt, w->obj);
}

/* ---------------------------------------------------------------------
 * Describing points, statements and states
 */

static const char *
point_name(Engine *e, enum rp_sched_point pt, unsigned obj, char *buf,
    gsize len)
{
	const char *sock = obj != 0 ? sim_name_of(e->x, SIM_OBJ_SOCK, obj) :
	    NULL;

	switch (pt) {
	case RP_SP_LOCK:
		return "lock(reuseport_lock)";
	case RP_SP_UNLOCK:
		return "unlock(reuseport_lock)";
	case RP_SP_CB_LOCK:
	case RP_SP_CB_UNLOCK:
		g_snprintf(buf, len, "%s(sk_callback_lock of %s)",
		    pt == RP_SP_CB_LOCK ? "lock" : "unlock",
		    sock != NULL ? sock : "a socket");
		return buf;
	case RP_SP_RCU_LOCK:
		return "rcu_read_lock()";
	case RP_SP_RCU_UNLOCK:
		return "rcu_read_unlock()";
	case RP_SP_SYNC_RCU:
		return "synchronize_rcu()";
	case RP_SP_BLOCKED:
		break;
	}
	return "a wait";	/* LCOV_EXCL_LINE: blocked keeps its point */
}

/* The statement as written: [label:] verb args [= expect] [@p = x]. */
static void
stmt_text(const SimStmt *st, const char *profile, GString *out)
{
	if (st->label != NULL)
		g_string_append_printf(out, "%s: ", st->label);
	g_string_append(out, st->verb);
	for (guint i = 0; i < st->args->len; i++)
		g_string_append_printf(out, " %s",
		    ((const SimToken *)st->args->pdata[i])->text);
	if (st->expect != NULL) {
		g_string_append(out, " =");
		for (guint i = 0; i < st->expect->len; i++)
			g_string_append_printf(out, " %s",
			    ((const SimToken *)st->expect->pdata[i])->text);
	}
	for (guint i = 0; i < st->overrides->len; i++) {
		const SimOverride *ov = st->overrides->pdata[i];

		if (profile != NULL && strcmp(ov->profile, profile) != 0)
			continue;	/* a scenario of one profile */
		g_string_append_printf(out, " @%s =", ov->profile);
		for (guint j = 0; j < ov->tokens->len; j++)
			g_string_append_printf(out, " %s",
			    ((const SimToken *)ov->tokens->pdata[j])->text);
	}
}

/*
 * The end state, as a canonical string: every thread's results, then
 * every named socket (state, group position, owner word) and map (slots),
 * in definition order.  Cookie values and group ids are left out: no
 * scenario may depend on their order (I11), and they follow it.
 */
static char *
end_digest(Engine *e)
{
	GString *s = g_string_new(NULL);
	SimExec *x = e->x;

	for (guint i = 0; i < e->nw; i++) {
		g_string_append_printf(s, "%s:", e->w[i].name);
		for (guint j = 0; j < e->w[i].results->len; j++)
			g_string_append_printf(s, " %s",
			    (const char *)e->w[i].results->pdata[j]);
		g_string_append_c(s, '\n');
	}
	for (guint i = 0; i < x->order->len; i++) {
		const SimObj *o = x->order->pdata[i];
		struct rp_sock_info si;
		struct rp_map_info mi;

		if (!o->bound)
			continue;
		if (o->kind == SIM_OBJ_SOCK &&
		    rp_sock_info(e->st, o->id, &si) == 0) {
			g_string_append_printf(s, "%s: %s%s%s pos %d%s",
			    o->name, sim_state_name(si.state),
			    si.closed ? " closed" : "",
			    si.hashed ? " hashed" : "", si.group_pos,
			    si.group_closed ? " (closed section)" : "");
			if (si.owner == RP_OWNER_SLOT)
				g_string_append_printf(s, " in %s:%u",
				    sim_name_of(x, SIM_OBJ_MAP, si.owner_map),
				    si.owner_idx);
			else if (si.owner != RP_OWNER_NONE)
				g_string_append_printf(s, " owner %d",
				    (int)si.owner);
			g_string_append_printf(s, "%s\n", si.cookie != 0 ?
			    " cookie" : "");
		} else if (o->kind == SIM_OBJ_SOCK) {
			g_string_append_printf(s, "%s: freed\n", o->name);
		} else if (o->kind == SIM_OBJ_MAP &&
		    rp_map_info(e->st, o->id, &mi) == 0) {
			guint32 n = MIN(mi.max_entries, 256u);

			g_string_append_printf(s, "%s: refs %u used %u%s:",
			    o->name, mi.refs, mi.used, mi.frozen ?
			    " frozen" : "");
			for (guint32 k = 0; k < n; k++) {
				unsigned occ = rp_map_slot(e->st, o->id, k);

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

/* ---------------------------------------------------------------------
 * One run
 */

/*
 * Every thread is between two statements (or done).  Only there must the
 * invariants hold: inside an operation the kernel itself passes through
 * states they forbid (a closing listener is unhashed before
 * reuseport_detach_sock() empties its slot; reuseport_array_free() clears
 * an owner word before the slot).  Inside operations the explorer checks
 * what the model reports at once: lock discipline (I12) and writes that
 * reach freed or foreign memory (I1, I4, I5).
 */
static gboolean
quiescent(const Engine *e)
{
	for (guint i = 0; i < e->nw; i++)
		if (e->w[i].where == W_POINT)
			return FALSE;
	return TRUE;
}

/* "#   T2     starts close a, up to lock(reuseport_lock)" */
static void
flat_step(Engine *e, const Step *s)
{
	const Worker *w = &e->w[s->w];
	char buf[128];

	g_string_append_printf(e->flat, "#   %-6s %s ", w->name,
	    s->from_start ? "starts" : "resumes");
	stmt_text(w->stmts->pdata[s->pc_from], NULL, e->flat);
	if (s->where_to == W_DONE)
		g_string_append(e->flat, ", to the end of the thread\n");
	else if (s->where_to == W_START)
		g_string_append(e->flat, ", to its end\n");
	else
		g_string_append_printf(e->flat, ", up to %s\n",
		    point_name(e, s->pt_to, s->obj_to, buf, sizeof(buf)));
}

static void
run_fail(Engine *e, char *msg)
{
	if (e->failure == NULL)
		e->failure = msg;
	else
		g_free(msg);
}

static char *
deadlock_message(Engine *e)
{
	GString *s = g_string_new("deadlock: every thread waits:");
	char buf[128];

	for (guint i = 0; i < e->nw; i++) {
		const Worker *w = &e->w[i];

		if (w->where != W_POINT)
			continue;
		g_string_append_printf(s, " %s at %s;", w->name,
		    point_name(e, w->pt, w->obj, buf, sizeof(buf)));
	}
	return g_string_free(s, FALSE);
}

/* Allowed choices at f, and the cost of each in preemptions. */
static gboolean
may_choose(const Engine *e, const Frame *f, guint c)
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
pick(const Engine *e, const Frame *f)
{
	if (f->cur >= 0 && may_choose(e, f, (guint)f->cur))
		return f->cur;
	for (guint c = 0; c < e->nw; c++)
		if (may_choose(e, f, c))
			return (gint)c;
	return -1;
}

typedef enum {
	RUN_DONE,	/* reached the end (passed or failed) */
	RUN_PRUNED,	/* every choice asleep or over the bound */
	RUN_ERROR,	/* the run could not be carried out */
} RunResult;

static void
worker_reset(Engine *e, Worker *w)
{
	w->pc = 0;
	w->where = W_START;
	w->pt = RP_SP_LOCK;
	w->obj = 0;
	w->stmt = NULL;
	w->proc = sim_obj_find(e->x, SIM_NS_PROC, "init");
	g_clear_pointer(&w->step_msgs, g_ptr_array_unref);
	w->step_msgs = g_ptr_array_new_with_free_func(g_free);
	g_clear_pointer(&w->results, g_ptr_array_unref);
	w->results = g_ptr_array_new_with_free_func(g_free);
	w->th = NULL;
}

/* Let every unfinished worker run to its end, hook removed. */
static void
drain_workers(Engine *e)
{
	e->aborting = TRUE;
	rp_state_set_sched(e->st, NULL, NULL);
	for (guint i = 0; i < e->nw; i++) {
		Worker *w = &e->w[i];

		while (w->where != W_DONE)
			run_worker(e, w);
	}
}

/*
 * Run the scenario once, following e->frames (and e->forced) where they
 * reach and choosing freshly beyond them.  The run's first failure is in
 * e->failure, its end-state digest in e->end.
 */
static RunResult
run_once(Engine *e, GError **error)
{
	GPtrArray *saved_msgs;
	guint depth = 0, preempts = 0;
	gint cur = -1;
	RunResult res = RUN_DONE;

	g_clear_pointer(&e->failure, g_free);
	g_clear_pointer(&e->end, g_free);
	g_array_set_size(e->steps, 0);
	g_string_truncate(e->flat, 0);
	e->aborting = FALSE;
	e->turn = -1;
	e->x = sim_exec_open(e->sc, e->profile, NULL, e->trace, error);
	if (e->x == NULL)
		return RUN_ERROR;	/* LCOV_EXCL_LINE: the model opens */
	e->st = sim_backend_model_state(&sim_backend_model, e->x->be);
	rp_state_plant(e->st, e->opts->plant);
	e->msgs = g_ptr_array_new_with_free_func(g_free);

	/* the prologue, alone */
	for (guint i = 0; i < e->prologue->len; i++) {
		if (!sim_exec_stmt(e->x, e->prologue->pdata[i], e->msgs)) {
			run_fail(e, g_strdup(e->msgs->pdata[0]));
			goto out;
		}
	}

	/* the threads */
	e->x->concurrent = TRUE;
	saved_msgs = e->x->step_msgs;
	e->x->insp->set_observer(e->x->be, &fp_observer, e);
	rp_state_set_sched(e->st, sched_hook, e);
	for (guint i = 0; i < e->nw; i++) {
		worker_reset(e, &e->w[i]);
		e->w[i].th = g_thread_new(e->w[i].name, worker_main, &e->w[i]);
	}
	e->child_sleep = 0;
	for (;;) {
		guint32 enabled = 0, alive = 0;
		gboolean fresh = depth >= e->frames->len;
		Frame *f;
		Step step;
		gint c;
		guint before = e->msgs->len;

		for (guint i = 0; i < e->nw; i++) {
			if (e->w[i].where != W_DONE)
				alive |= 1u << i;
			if (worker_enabled(e, &e->w[i]))
				enabled |= 1u << i;
		}
		if (alive == 0)
			break;
		if (enabled == 0) {
			run_fail(e, deadlock_message(e));
			break;
		}
		if (fresh) {
			Frame nf = { 0 };

			nf.enabled = enabled;
			nf.sleep = e->opts->no_reduction ? 0 :
			    (e->child_sleep & enabled);
			memcpy(nf.fp, e->child_fp, sizeof(nf.fp));
			nf.cur = cur;
			nf.cur_inside = cur >= 0 && (enabled & (1u << cur)) &&
			    e->w[cur].where == W_POINT;
			nf.preempts = preempts;
			nf.chosen = -1;
			if (e->forced != NULL && depth < e->forced->len) {
				nf.chosen = g_array_index(e->forced, gint,
				    depth);
				if (nf.chosen < 0 ||
				    !(enabled & (1u << nf.chosen))) {
					g_set_error(error, SIM_ERROR,
					    SIM_ERROR_FAIL, "%s:%u:%u: "
					    "schedule: decision %u names %s, "
					    "which cannot run there",
					    e->schedule->file,
					    e->schedule->line,
					    e->schedule->verb_col, depth + 1,
					    nf.chosen >= 0 ?
					    e->w[nf.chosen].name : "?");
					res = RUN_ERROR;
					break;
				}
			} else {
				nf.chosen = pick(e, &nf);
			}
			if (nf.chosen < 0) {
				res = RUN_PRUNED;
				break;
			}
			g_array_append_val(e->frames, nf);
		}
		f = &g_array_index(e->frames, Frame, depth);
		if (!fresh && f->enabled != enabled) {
			/* LCOV_EXCL_START: the model is deterministic */
			g_set_error(error, SIM_ERROR, SIM_ERROR_FAIL,
			    "nondeterministic replay at decision %u", depth);
			res = RUN_ERROR;
			break;
			/* LCOV_EXCL_STOP */
		}
		c = f->chosen;
		if (f->cur_inside && c != f->cur)
			preempts++;

		step.w = (guint)c;
		step.pc_from = e->w[c].pc;
		step.from_start = e->w[c].where == W_START;
		memset(&e->fp, 0, sizeof(e->fp));
		if (e->w[c].where == W_POINT &&
		    !verb_is_query(((const SimStmt *)
		    e->w[c].stmts->pdata[e->w[c].pc])->verb))
			e->fp.write = TRUE;
		run_worker(e, &e->w[c]);
		step.where_to = e->w[c].where;
		step.pc_to = e->w[c].pc;
		step.pt_to = e->w[c].pt;
		step.obj_to = e->w[c].obj;
		g_array_append_val(e->steps, step);
		flat_step(e, &step);
		f = &g_array_index(e->frames, Frame, depth);
		f->fp[c] = e->fp;

		/* the sleep set the next decision inherits */
		e->child_sleep = 0;
		for (guint u = 0; u < e->nw; u++) {
			if ((gint)u == c || !((f->sleep | f->done) & (1u << u)))
				continue;
			if (!fp_independent(&f->fp[u], &e->fp))
				continue;
			e->child_sleep |= 1u << u;
			e->child_fp[u] = f->fp[u];
		}
		cur = c;
		depth++;

		/* checks after the step */
		if (e->msgs->len > before) {
			run_fail(e, g_strdup(e->msgs->pdata[before]));
			break;
		}
		if (quiescent(e)) {
			char *v = sim_exec_check(e->x, e->w[c].stmts->pdata[
			    MIN(e->w[c].pc, e->w[c].stmts->len - 1)]);

			if (v != NULL) {
				run_fail(e, v);
				break;
			}
		} else {
			char *v = rp_state_take_violation(e->st);

			if (v != NULL) {
				const SimStmt *st = e->w[c].stmts->pdata[
				    MIN(e->w[c].pc, e->w[c].stmts->len - 1)];

				run_fail(e, g_strdup_printf("%s:%u:%u: lock "
				    "discipline: %s", st->file, st->line,
				    st->verb_col, v));
				g_free(v);
				break;
			}
		}
	}
	drain_workers(e);
	for (guint i = 0; i < e->nw; i++)
		g_thread_join(e->w[i].th);
	e->x->step_msgs = saved_msgs;
	e->x->results = NULL;
	e->x->concurrent = FALSE;
	rp_state_set_thread(e->st, 0);
	if (e->trace != SIM_TRACE_OFF)
		e->x->insp->set_observer(e->x->be, sim_trace_observer(),
		    e->x->trace);
	else
		e->x->insp->set_observer(e->x->be, NULL, NULL);
	if (res != RUN_DONE || e->failure != NULL)
		goto out;
	{
		/* leftovers of the threads: RCU callbacks, a violation */
		char *v = rp_state_take_violation(e->st);

		if (v != NULL) {
			run_fail(e, g_strdup_printf("lock discipline: %s", v));
			g_free(v);
			goto out;
		}
	}
	rp_state_quiesce(e->st);

	/* the epilogue, alone, with the usual checks */
	for (guint i = 0; i < e->epilogue->len; i++) {
		if (!sim_exec_stmt(e->x, e->epilogue->pdata[i], e->msgs)) {
			run_fail(e, g_strdup(e->msgs->pdata[e->msgs->len - 1]));
			break;
		}
	}
	e->end = end_digest(e);
out:
	if (e->trace != SIM_TRACE_OFF) {
		g_string_truncate(e->trace_text, 0);
		sim_exec_trace(e->x, e->trace_text);
	}
	g_clear_pointer(&e->msgs, g_ptr_array_unref);
	sim_exec_close(e->x);
	e->x = NULL;
	e->st = NULL;
	return res;
}

/*
 * Move to the next schedule: mark the deepest decision's choice as
 * explored and pick another there, popping decisions that have none.
 */
static gboolean
backtrack(Engine *e)
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

/* ---------------------------------------------------------------------
 * Splitting a scenario
 */

static gboolean
is_schedule(const SimStmt *st)
{
	return strcmp(st->verb, "schedule") == 0;
}

gboolean
sim_explore_has_schedule(const SimScenario *sc)
{
	for (guint i = 0; i < sc->stmts->len; i++)
		if (is_schedule(sc->stmts->pdata[i]))
			return TRUE;
	return FALSE;
}

static void
engine_clear(Engine *e)
{
	g_clear_pointer(&e->prologue, g_ptr_array_unref);
	g_clear_pointer(&e->epilogue, g_ptr_array_unref);
	for (guint i = 0; i < MAX_WORKERS; i++) {
		g_clear_pointer(&e->w[i].stmts, g_ptr_array_unref);
		g_clear_pointer(&e->w[i].step_msgs, g_ptr_array_unref);
		g_clear_pointer(&e->w[i].results, g_ptr_array_unref);
	}
	g_clear_pointer(&e->steps, g_array_unref);
	g_clear_pointer(&e->frames, g_array_unref);
	g_clear_pointer(&e->forced, g_array_unref);
	g_clear_pointer(&e->failure, g_free);
	g_clear_pointer(&e->end, g_free);
	if (e->trace_text != NULL)
		g_string_free(e->trace_text, TRUE);
	e->trace_text = NULL;
	if (e->flat != NULL)
		g_string_free(e->flat, TRUE);
	e->flat = NULL;
	g_mutex_clear(&e->mu);
	g_cond_clear(&e->cv);
}

/* Prologue, threads, epilogue; a statement between thread blocks, or a
 * scenario without threads, is an input error. */
static gboolean
engine_init(Engine *e, const SimScenario *sc, const char *profile,
    const SimExploreOptions *opts, GError **error)
{
	gboolean seen_thread = FALSE;

	memset(e, 0, sizeof(*e));
	g_mutex_init(&e->mu);
	g_cond_init(&e->cv);
	e->sc = sc;
	e->profile = profile;
	e->opts = opts;
	e->prologue = g_ptr_array_new();
	e->epilogue = g_ptr_array_new();
	e->steps = g_array_new(FALSE, FALSE, sizeof(Step));
	e->frames = g_array_new(FALSE, FALSE, sizeof(Frame));
	e->trace_text = g_string_new(NULL);
	e->flat = g_string_new(NULL);
	if (sc->threads->len == 0) {
		g_set_error(error, SIM_ERROR, SIM_ERROR_INPUT, "%s: no thread "
		    "blocks: nothing to interleave (thread NAME ... end)",
		    sc->path);
		return FALSE;
	}
	/* model thread 0 runs the prologue and the epilogue */
	if (sc->threads->len > MIN(MAX_WORKERS, rp_sched_max_threads() - 1)) {
		g_set_error(error, SIM_ERROR, SIM_ERROR_INPUT, "%s: %u threads; "
		    "explore runs at most %u", sc->path, sc->threads->len,
		    MIN(MAX_WORKERS, rp_sched_max_threads() - 1));
		return FALSE;
	}
	e->nw = sc->threads->len;
	for (guint i = 0; i < e->nw; i++) {
		e->w[i].e = e;
		e->w[i].idx = i;
		e->w[i].name = sc->threads->pdata[i];
		e->w[i].stmts = g_ptr_array_new();
	}
	for (guint i = 0; i < sc->stmts->len; i++) {
		const SimStmt *st = sc->stmts->pdata[i];
		guint t;

		if (is_schedule(st)) {
			e->schedule = st;
			continue;
		}
		if (st->thread == NULL) {
			if (!seen_thread) {
				g_ptr_array_add(e->prologue, (gpointer)st);
				continue;
			}
			g_ptr_array_add(e->epilogue, (gpointer)st);
			continue;
		}
		if (e->epilogue->len > 0) {
			const SimStmt *o = e->epilogue->pdata[0];

			g_set_error(error, SIM_ERROR, SIM_ERROR_INPUT,
			    "%s:%u:%u: a statement between thread blocks; "
			    "put it before the first block or after the last",
			    o->file, o->line, o->col);
			return FALSE;
		}
		seen_thread = TRUE;
		for (t = 0; t < e->nw; t++)
			if (strcmp(e->w[t].name, st->thread) == 0)
				break;
		g_ptr_array_add(e->w[t].stmts, (gpointer)st);
	}
	return TRUE;
}

/* ---------------------------------------------------------------------
 * Counterexamples
 */

static void
counterexample(Engine *e, const char *why, GString *out)
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
	g_string_append(out, e->flat->str);
	g_string_append_printf(out, "profile %s\n", e->profile);
	if (e->opts->plant != 0) {
		g_autofree char *bugs = sim_plant_describe(e->opts->plant);

		g_string_append_printf(out, "plant %s\n", bugs);
	}
	for (guint i = 0; i < e->sc->stmts->len; i++) {
		const SimStmt *st = e->sc->stmts->pdata[i];

		if (is_schedule(st))
			continue;
		if (st->thread == NULL && in_thread) {
			g_string_append(out, "end\n");
			in_thread = FALSE;
			g_string_append(out, "schedule");
			for (guint j = 0; j < e->steps->len; j++)
				g_string_append_printf(out, " %s", e->w[
				    g_array_index(e->steps, Step, j).w].name);
			g_string_append_c(out, '\n');
			e->schedule = NULL;	/* written */
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
		stmt_text(st, e->profile, out);
		g_string_append_c(out, '\n');
	}
	if (in_thread) {
		g_string_append(out, "end\nschedule");
		for (guint j = 0; j < e->steps->len; j++)
			g_string_append_printf(out, " %s", e->w[
			    g_array_index(e->steps, Step, j).w].name);
		g_string_append_c(out, '\n');
	}
}

/* ---------------------------------------------------------------------
 * The search
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
	Engine e;
	g_autoptr(GHashTable) ends = g_hash_table_new_full(g_str_hash,
	    g_str_equal, g_free, NULL);
	gint64 t0 = g_get_monotonic_time();
	gboolean ok = TRUE;

	memset(stats, 0, sizeof(*stats));
	if (!engine_init(&e, sc, profile, opts, error)) {
		engine_clear(&e);
		return FALSE;
	}
	e.trace = SIM_TRACE_OFF;
	for (;;) {
		RunResult r;
		guint steps;

		if (opts->max_schedules != 0 &&
		    stats->schedules >= opts->max_schedules)
			break;
		r = run_once(&e, error);
		if (r == RUN_ERROR) {
			ok = FALSE;	/* LCOV_EXCL_LINE */
			break;		/* LCOV_EXCL_LINE */
		}
		steps = e.steps->len;
		stats->states += steps;
		stats->max_depth = MAX(stats->max_depth, steps);
		if (r == RUN_PRUNED) {
			stats->pruned++;
		} else {
			stats->schedules++;
			if (e.end != NULL && !g_hash_table_contains(ends,
			    e.end))
				g_hash_table_add(ends, g_steal_pointer(&e.end));
		}
		if (e.failure != NULL) {
			GString *ce = g_string_new(NULL);

			stats->failed = TRUE;
			stats->failure = g_strdup(e.failure);
			counterexample(&e, e.failure, ce);
			stats->counterexample = g_string_free(ce, FALSE);
			break;
		}
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
		while (g_hash_table_iter_next(&it, &k, NULL)) {
			g_ptr_array_add(stats->ends, g_strdup(k));
		}
	}
	g_ptr_array_sort(stats->ends, strp_cmp);
	stats->seconds = (double)(g_get_monotonic_time() - t0) / 1e6;
	engine_clear(&e);
	return ok;
}

/*
 * `run` on a scenario with a `schedule` statement: that one schedule,
 * then the default (keep the running thread, else the first enabled).
 */
void
sim_explore_run_schedule(const SimScenario *sc, const char *profile,
    const SimBackendOps *ops, SimTraceLevel trace, SimReport *report)
{
	static const SimExploreOptions forced_opts = {
		.preemptions = SIM_EXPLORE_UNBOUNDED,
		.no_reduction = TRUE,
	};
	g_autoptr(GError) err = NULL;
	Engine e;

	report->messages = g_ptr_array_new_with_free_func(g_free);
	report->passed = FALSE;
	if (ops != NULL && ops != &sim_backend_model) {
		report->skip = g_strdup_printf("%s backend: a schedule needs "
		    "the model's scheduling points", ops->name);
		return;
	}
	if (!engine_init(&e, sc, profile, &forced_opts, &err)) {
		g_ptr_array_add(report->messages, g_strdup(err->message));
		engine_clear(&e);
		return;
	}
	e.trace = trace;
	e.forced = g_array_new(FALSE, FALSE, sizeof(gint));
	for (guint i = 0; e.schedule != NULL && i < e.schedule->args->len;
	    i++) {
		const char *name = ((const SimToken *)
		    e.schedule->args->pdata[i])->text;
		gint w = -1;

		for (guint j = 0; j < e.nw; j++)
			if (strcmp(e.w[j].name, name) == 0)
				w = (gint)j;
		g_array_append_val(e.forced, w);
	}
	if (run_once(&e, &err) == RUN_ERROR)
		g_ptr_array_add(report->messages, g_strdup(err->message));
	else if (e.failure != NULL)
		g_ptr_array_add(report->messages, g_strdup(e.failure));
	else
		report->passed = TRUE;
	if (trace != SIM_TRACE_OFF)
		report->trace = g_string_new(e.trace_text->str);
	engine_clear(&e);
}

/* ---------------------------------------------------------------------
 * The explore command
 */

static void
print_stats(const SimExploreOptions *opts, const char *path,
    const char *profile, const SimExploreStats *s)
{
	char bound[32];

	if (opts->preemptions == SIM_EXPLORE_UNBOUNDED)
		g_strlcpy(bound, "unbounded", sizeof(bound));
	else
		g_snprintf(bound, sizeof(bound), "%u", opts->preemptions);
	if (opts->format == SIM_FORMAT_JSON) {
		fputs("{\"scenario\":", opts->out);
		sim_json_string(opts->out, path);
		fputs(",\"profile\":", opts->out);
		sim_json_string(opts->out, profile);
		if (s->failed) {
			fputs(",\"failure\":", opts->out);
			sim_json_string(opts->out, s->failure);
			fputs(",\"counterexample\":", opts->out);
			sim_json_string(opts->out, s->counterexample);
		}
		fprintf(opts->out, ","
		    "\"result\":\"%s\",\"schedules\":%" G_GUINT64_FORMAT
		    ",\"pruned\":%" G_GUINT64_FORMAT ",\"states\":%"
		    G_GUINT64_FORMAT ",\"end_states\":%u,\"max_depth\":%u,"
		    "\"preemptions\":\"%s\",\"reduction\":%s,"
		    "\"seconds\":%.3f}\n", s->failed ? "fail" :
		    s->complete ? "pass" : "incomplete", s->schedules,
		    s->pruned, s->states, s->end_states, s->max_depth, bound,
		    opts->no_reduction ? "false" : "true", s->seconds);
		return;
	}
	fprintf(opts->out, "%s %s [%s]: %" G_GUINT64_FORMAT " schedules, %u "
	    "end states, %" G_GUINT64_FORMAT " pruned, %" G_GUINT64_FORMAT
	    " steps, preemptions %s%s, %.3f s\n", s->failed ? "FAIL" :
	    s->complete ? "PASS" : "INCOMPLETE", path, profile, s->schedules,
	    s->end_states, s->pruned, s->states, bound, opts->no_reduction ?
	    ", no reduction" : "", s->seconds);
}

int
sim_explore_paths(const SimExploreOptions *opts, char *const *paths, gsize n)
{
	/* every file is parsed and checked before anything runs */
	g_autoptr(GPtrArray) inputs = sim_inputs_load(paths, n, opts->err);
	gboolean failed = FALSE;

	if (inputs == NULL)
		return SIM_EXIT_USAGE;
	for (guint i = 0; i < inputs->len; i++) {
		const SimInput *in = inputs->pdata[i];

		/* a file named on the command line must have threads */
		if (in->sc->threads->len == 0 &&
		    strcmp(in->name, in->path) == 0) {
			fprintf(opts->err, "%s: no thread blocks: nothing to "
			    "interleave (thread NAME ... end)\n", in->path);
			return SIM_EXIT_USAGE;
		}
	}
	for (guint i = 0; i < inputs->len; i++) {
		const SimInput *in = inputs->pdata[i];
		const SimScenario *sc = in->sc;
		g_autoptr(GPtrArray) profs = sim_scenario_profiles(sc,
		    opts->profiles);

		if (sc->threads->len == 0 &&
		    strcmp(in->name, in->path) != 0)
			continue;	/* found in a directory: threads only */
		for (guint j = 0; j < profs->len; j++) {
			g_autoptr(GError) err = NULL;
			SimExploreStats s;

			if (!sim_explore_scenario(sc, profs->pdata[j], opts,
			    &s, &err)) {
				fprintf(opts->err, "%s\n", err->message);
				sim_explore_stats_clear(&s);
				if (g_error_matches(err, SIM_ERROR,
				    SIM_ERROR_INPUT))
					return SIM_EXIT_USAGE;
				failed = TRUE;	/* LCOV_EXCL_LINE */
				continue;	/* LCOV_EXCL_LINE */
			}
			print_stats(opts, in->name, profs->pdata[j], &s);
			if (s.failed || !s.complete)
				failed = TRUE;
			if (!s.complete && !s.failed &&
			    opts->format != SIM_FORMAT_JSON)
				fprintf(opts->out, "  stopped at "
				    "--max-schedules %" G_GUINT64_FORMAT "\n",
				    opts->max_schedules);
			if (s.failed && opts->format != SIM_FORMAT_JSON &&
			    !opts->quiet) {
				fprintf(opts->out, "  %s\n", s.failure);
				fprintf(opts->out, "  replay it: save the "
				    "lines below as a .scn file next to the "
				    "scenario and `reuseport-sim run` it\n");
				fputs(s.counterexample, opts->out);
			}
			if (s.failed && opts->save != NULL) {
				g_autoptr(GError) werr = NULL;

				if (!g_file_set_contents(opts->save,
				    s.counterexample, -1, &werr))
					fprintf(opts->err, "reuseport-sim: "
					    "%s\n", werr->message);
			}
			sim_explore_stats_clear(&s);
		}
	}
	return failed ? SIM_EXIT_FAIL : SIM_EXIT_OK;
}
