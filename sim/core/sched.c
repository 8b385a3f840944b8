/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * sched.c - the deterministic scheduler (sched.h): one run of a
 * scenario's threads, each step's thread chosen by the caller.
 *
 * Each thread block runs on a fiber of its own (fiber.c), or, for the
 * replay engine, on an OS thread (a GThread handed the turn through a
 * condition variable); only one runs at a time, until it reaches a
 * decision point and hands control back.  The executor's pass is shared;
 * each thread has its own executor context (the statement it is in, its
 * process, failures and results), switched with control.
 *
 * After every step the scheduler checks the lock discipline (a violation
 * the model recorded), the expectations of the statement that finished,
 * and, whenever no thread is inside a statement, the invariants I1-I16;
 * the epilogue runs once all threads are done, with the usual
 * per-statement checks.  The first failure ends the run: the threads left
 * are run to their ends without the scheduling hook, muted (no hooks, no
 * records), and the failure is the report's one message.
 *
 * A run is driven either whole (sim_sched_run(): a chooser picks each
 * step) or step by step (sim_sched_open(), sim_sched_step(),
 * sim_sched_end(), sim_sched_close()).  Step by step, a run can be saved
 * where every thread is between two statements (sim_sched_snapshot():
 * the model, the pass and each thread's place) and come back there later
 * (sim_sched_restore()), as an explorer does instead of replaying the
 * scenario from its start.  Only there: a thread inside a statement keeps
 * pointers into the model on its stack.  Threads inside a statement when
 * a snapshot is restored are first run to the end of it, muted, so that
 * what their frames own is freed.
 */
#include <string.h>

#include "core/error.h"
#include "core/fiber.h"
#include "core/sched.h"
#include "lang/print.h"

typedef enum {
	W_START,	/* before statement pc */
	W_POINT,	/* inside statement pc, at scheduling point pt */
	W_DONE,
} Where;

typedef struct {
	SimSched		*s;
	guint			 idx;
	const char		*name;
	GPtrArray		*stmts;		/* const SimStmt * */
	/* per run */
	SimFiber		*fiber;		/* fibers */
	GThread			*th;		/* OS threads */
	guint			 pc;
	Where			 where;
	enum rp_sched_point	 pt;
	unsigned		 obj;
	SimExecCtx		*ctx;
} Worker;

/* One step of a run, for the counterexample. */
typedef struct {
	guint			w;
	guint			pc_from;
	gboolean		from_start;
	Where			where_to;
	guint			pc_to;
	enum rp_sched_point	pt_to;
	unsigned		obj_to;
	guint			fine;		/* fine points passed on the way
						 * (classic) */
} Step;

struct SimSched {
	const SimScenario	*sc;
	GPtrArray		*prologue;	/* const SimStmt * */
	GPtrArray		*epilogue;
	const SimStmt		*schedule;	/* `schedule` statement or NULL */
	Worker			 w[SIM_SCHED_MAX_THREADS];
	guint			 nw;
	gboolean		 classic;	/* the replay engine's: OS threads,
					 * no stop at the fine points */

	/* the current run */
	SimExec			*x;
	struct rp_state		*st;
	GPtrArray		*msgs;
	Worker			*running;	/* fibers: the one running */
	GMutex			 mu;		/* OS threads: the turn */
	GCond			 cv;
	gint			 turn;		/* worker index; -1: controller */
	gboolean		 aborting;
	gboolean		 threads_on;	/* the threads' part has begun */
	gint			 cur;		/* thread of the last step, -1 */
	guint			 nfine;		/* fine points passed, this step */
	gboolean		 defer_checks;	/* the caller runs the invariants */
	gint			 check_due;	/* thread whose step left every
						 * thread between statements, -1 */
	GArray			*steps;		/* Step */
	char			*failure;	/* first failure of the run */
	GString			*flat;		/* the steps, as comment lines */
};

/* Where a run stood between statements (sim_sched_snapshot()). */
struct SimSchedSnap {
	struct rp_state		*model;
	SimExecSnap		*exec;
	guint			 pc[SIM_SCHED_MAX_THREADS];
	Where			 where[SIM_SCHED_MAX_THREADS];
	guint			 nresults[SIM_SCHED_MAX_THREADS];
	guint			 nsteps;
	gint			 cur;
};

/* ---------------------------------------------------------------------
 * Handing control over
 */

static void
give_turn(SimSched *s, gint to)
{
	g_mutex_lock(&s->mu);
	s->turn = to;
	g_cond_broadcast(&s->cv);
	g_mutex_unlock(&s->mu);
}

static void
wait_turn(SimSched *s, gint me)
{
	g_mutex_lock(&s->mu);
	while (s->turn != me)
		g_cond_wait(&s->cv, &s->mu);
	g_mutex_unlock(&s->mu);
}

/* A worker stops at a decision point: hand control back and wait. */
static void
worker_yield(Worker *w)
{
	SimSched *s = w->s;

	if (!s->classic) {
		sim_fiber_yield();
		return;
	}
	g_mutex_lock(&s->mu);
	s->turn = -1;
	g_cond_broadcast(&s->cv);
	while (s->turn != (gint)w->idx)
		g_cond_wait(&s->cv, &s->mu);
	g_mutex_unlock(&s->mu);
}

/* The model's scheduling hook, called on the running worker's stack. */
static void
sched_hook(void *ud, enum rp_sched_point pt, unsigned obj)
{
	SimSched *s = ud;
	Worker *w;

	if (s->aborting)
		return;
	if (s->classic && (pt == RP_SP_ACQUIRED || pt == RP_SP_RCU_ENTERED ||
	    pt == RP_SP_SYNCED)) {
		/* not a decision there, but a schedule counts it */
		s->nfine++;
		return;
	}
	if (s->classic) {
		if (s->turn < 0)
			return;		/* LCOV_EXCL_LINE: only workers lock */
		w = &s->w[s->turn];
	} else {
		w = s->running;
		if (w == NULL)
			return;		/* LCOV_EXCL_LINE: only workers lock */
	}
	if (pt != RP_SP_BLOCKED) {
		/* a blocked thread keeps the point it waits at */
		w->pt = pt;
		w->obj = obj;
	}
	w->where = W_POINT;
	worker_yield(w);
}

/* An OS thread: the statements in order, then it ends. */
static gpointer
worker_thread(gpointer p)
{
	Worker *w = p;
	SimSched *s = w->s;

	wait_turn(s, (gint)w->idx);
	for (guint i = 0; i < w->stmts->len; i++) {
		if (i > 0) {
			w->pc = i;
			w->where = W_START;
			if (!s->aborting)
				worker_yield(w);
		}
		sim_exec_stmt(s->x, w->stmts->pdata[i], s->msgs);
	}
	w->where = W_DONE;
	give_turn(s, -1);
	return NULL;
}

/*
 * A fiber: the statement at pc each time it is resumed between two, then
 * back to the scheduler.  It never ends, so a restored snapshot can set
 * pc and where and resume it again.
 */
static void
worker_fiber(void *p)
{
	Worker *w = p;
	SimSched *s = w->s;

	for (;;) {
		if (w->where == W_START) {
			sim_exec_stmt(s->x, w->stmts->pdata[w->pc], s->msgs);
			if (w->pc + 1 < w->stmts->len) {
				w->pc++;
				w->where = W_START;
			} else {
				w->where = W_DONE;
			}
		}
		sim_fiber_yield();
	}
}

/* Run worker w until its next decision point (or its end), in its own
 * executor context. */
static void
run_worker(SimSched *s, Worker *w)
{
	sim_exec_ctx_enter(s->x, w->ctx);
	rp_state_set_thread(s->st, w->idx + 1);
	if (s->classic) {
		give_turn(s, (gint)w->idx);
		wait_turn(s, -1);
	} else {
		s->running = w;
		sim_fiber_resume(w->fiber);
		s->running = NULL;
	}
	sim_exec_ctx_leave(s->x, w->ctx);
}

static gboolean
worker_enabled(SimSched *s, const Worker *w)
{
	if (w->where == W_DONE)
		return FALSE;
	if (w->where == W_START)
		return TRUE;
	return rp_sched_can_run(s->st, w->idx + 1, w->pt, w->obj);
}

static void
worker_reset(SimSched *s, Worker *w)
{
	w->pc = 0;
	w->where = w->stmts->len > 0 ? W_START : W_DONE;
	w->pt = RP_SP_LOCK;
	w->obj = 0;
	w->th = NULL;
	sim_exec_ctx_free(w->ctx);
	w->ctx = sim_exec_ctx_new(s->x);
}

/*
 * Run every worker inside a statement to its end, the hook removed and
 * the pass muted (all: OS threads to the end of their thread, as they
 * must end to be joined).  Locks are not respected any more: for a run
 * that failed (the model reports what it sees, and nobody looks).
 */
static void
drain_workers(SimSched *s, gboolean all)
{
	s->aborting = TRUE;
	rp_state_set_sched(s->st, NULL, NULL);
	for (guint i = 0; i < s->nw; i++) {
		Worker *w = &s->w[i];

		if (w->where == W_POINT || (all && w->where != W_DONE))
			sim_exec_set_muted(s->x, TRUE);
		while (w->where == W_POINT || (all && w->where != W_DONE))
			run_worker(s, w);
	}
}

/*
 * Finish the statements the threads are inside, muted, still stepping at
 * the decision points so that locks and grace periods are respected: a
 * run that is about to be thrown away (a snapshot is restored).  Should
 * they wait for each other, the rest is drained without the hook.
 */
static void
finish_statements(SimSched *s)
{
	gboolean moved = TRUE;

	sim_exec_set_muted(s->x, TRUE);
	while (moved) {
		moved = FALSE;
		for (guint i = 0; i < s->nw; i++) {
			Worker *w = &s->w[i];

			if (w->where == W_POINT && worker_enabled(s, w)) {
				run_worker(s, w);
				moved = TRUE;
			}
		}
	}
	drain_workers(s, FALSE);	/* a deadlock: nothing else moves */
}

/* ---------------------------------------------------------------------
 * Describing points and steps
 */

static const char *
point_name(SimSched *s, enum rp_sched_point pt, unsigned obj, char *buf,
    gsize len)
{
	const char *sock = obj != 0 ? sim_names_of(sim_exec_names(s->x),
	    SIM_OBJ_SOCK, obj) : NULL;

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
	case RP_SP_BUCKET:
		g_snprintf(buf, len, "the bucket lock a join of %s holds",
		    sock != NULL ? sock : "a socket");
		return buf;
	case RP_SP_BPF_HELPER:
		g_snprintf(buf, len, "the call of %s",
		    rp_bpf_helper_name((int32_t)obj));
		return buf;
	case RP_SP_ACQUIRED:
		if (obj == 0)
			return "reuseport_lock taken";
		g_snprintf(buf, len, "sk_callback_lock of %s taken",
		    sock != NULL ? sock : "a socket");
		return buf;
	case RP_SP_RCU_ENTERED:
		return "inside rcu_read_lock()";
	case RP_SP_SYNCED:
		return "after the grace period";
	case RP_SP_BLOCKED:
		break;
	}
	return "a wait";	/* LCOV_EXCL_LINE: blocked keeps its point */
}

/* "#   T2     starts close a, up to lock(reuseport_lock)" */
static void
flat_step(SimSched *s, const Step *p, GString *out)
{
	const Worker *w = &s->w[p->w];
	char buf[128];

	g_string_append_printf(out, "#   %-6s %s ", w->name,
	    p->from_start ? "starts" : "resumes");
	sim_stmt_print(w->stmts->pdata[p->pc_from], SIM_PRINT_EXPECT, NULL,
	    out);
	if (p->where_to == W_DONE)
		g_string_append(out, ", to the end of the thread\n");
	else if (p->where_to == W_START)
		g_string_append(out, ", to its end\n");
	else
		g_string_append_printf(out, ", up to %s\n",
		    point_name(s, p->pt_to, p->obj_to, buf, sizeof(buf)));
}

/* The steps of the run as comment lines, while the pass names them. */
static void
build_flat(SimSched *s)
{
	g_string_truncate(s->flat, 0);
	for (guint i = 0; i < s->steps->len; i++)
		flat_step(s, &g_array_index(s->steps, Step, i), s->flat);
}

static void
run_fail(SimSched *s, char *msg)
{
	if (s->failure == NULL)
		s->failure = msg;
	else
		g_free(msg);
}

static char *
deadlock_message(SimSched *s)
{
	GString *m = g_string_new("deadlock: every thread waits:");
	char buf[128];

	for (guint i = 0; i < s->nw; i++) {
		const Worker *w = &s->w[i];

		if (w->where != W_POINT)
			continue;
		g_string_append_printf(m, " %s at %s;", w->name,
		    point_name(s, w->pt, w->obj, buf, sizeof(buf)));
	}
	return g_string_free(m, FALSE);
}

/*
 * Every thread is between two statements (or done).  Only there must the
 * invariants hold: inside an operation the kernel itself passes through
 * states they forbid (a closing listener is unhashed before
 * reuseport_detach_sock() empties its slot; reuseport_array_free() clears
 * an owner word before the slot).  Inside operations the scheduler checks
 * what the model reports at once: lock discipline (I12) and writes that
 * reach freed or foreign memory (I1, I4, I5).
 */
static gboolean
quiescent(const SimSched *s)
{
	for (guint i = 0; i < s->nw; i++)
		if (s->w[i].where == W_POINT)
			return FALSE;
	return TRUE;
}

/* The checks after thread c's step: FALSE when the run failed. */
static gboolean
step_checks(SimSched *s, guint c, guint before)
{
	const Worker *w = &s->w[c];
	const SimStmt *st = w->stmts->pdata[MIN(w->pc, w->stmts->len - 1)];
	char *v;

	if (s->msgs->len > before) {
		run_fail(s, g_strdup(s->msgs->pdata[before]));
		return FALSE;
	}
	if (quiescent(s)) {
		if (s->defer_checks) {
			s->check_due = (gint)c;
			return TRUE;
		}
		v = sim_exec_check(s->x, st);
		if (v != NULL) {
			run_fail(s, v);
			return FALSE;
		}
		return TRUE;
	}
	v = rp_state_take_violation(s->st);
	if (v != NULL) {
		run_fail(s, g_strdup_printf("%s:%u:%u: lock discipline: %s",
		    st->file, st->line, st->verb_col, v));
		g_free(v);
		return FALSE;
	}
	return TRUE;
}

/* ---------------------------------------------------------------------
 * One run, step by step
 */

/*
 * Open a run of the scenario under profile as o says and run its
 * prologue; report (zeroed or cleared) is filled by sim_sched_close().
 * SIM_SCHED_ERROR with error when the backend does not open (nothing to
 * close then); else the run is open, and failed already when the
 * prologue failed (sim_sched_failure()).
 */
SimSchedResult
sim_sched_open(SimSched *s, const char *profile, const SimExecOptions *o,
    SimReport *report, GError **error)
{
	const SimInspectOps *insp;
	SimBackend *be;
	guint i;

	g_return_val_if_fail(o->ops->inspect != NULL &&
	    o->ops->inspect->model != NULL, SIM_SCHED_ERROR);
	g_return_val_if_fail(s->x == NULL, SIM_SCHED_ERROR);
	g_clear_pointer(&s->failure, g_free);
	g_array_set_size(s->steps, 0);
	s->aborting = FALSE;
	s->threads_on = FALSE;
	s->turn = -1;
	s->cur = -1;
	report->messages = g_ptr_array_new_with_free_func(g_free);
	report->passed = TRUE;
	s->x = sim_exec_open(s->sc, profile, o, report, error);
	if (s->x == NULL)
		return SIM_SCHED_ERROR;
	insp = sim_exec_inspect(s->x, &be);
	s->st = insp->model(be);
	rp_state_set_sched_fine(s->st, TRUE);
	s->msgs = g_ptr_array_new_with_free_func(g_free);

	/* the prologue, alone */
	for (i = 0; i < s->prologue->len; i++) {
		if (!sim_exec_stmt(s->x, s->prologue->pdata[i], s->msgs)) {
			run_fail(s, g_strdup(s->msgs->pdata[0]));
			return SIM_SCHED_DONE;
		}
	}

	/* the threads, each at its first statement */
	sim_exec_set_concurrent(s->x, TRUE);
	rp_state_set_sched(s->st, sched_hook, s);
	s->threads_on = TRUE;
	for (i = 0; i < s->nw; i++) {
		Worker *w = &s->w[i];

		worker_reset(s, w);
		if (s->classic)
			w->th = g_thread_new(w->name, worker_thread, w);
		else if (w->fiber == NULL)
			w->fiber = sim_fiber_new(worker_fiber, w);
	}
	return SIM_SCHED_DONE;
}

/* The first failure of the run, or NULL. */
const char *
sim_sched_failure(const SimSched *s)
{
	return s->failure;
}

/*
 * The decision before the next step: which threads can run, and the one
 * of the last step.  enabled and alive are 0 when every thread is done;
 * enabled alone is 0 in a deadlock (sim_sched_deadlock()).
 */
void
sim_sched_decision(SimSched *s, SimSchedChoice *c, guint32 *alive)
{
	memset(c, 0, sizeof(*c));
	*alive = 0;
	for (guint i = 0; i < s->nw; i++) {
		if (s->w[i].where != W_DONE)
			*alive |= 1u << i;
		if (worker_enabled(s, &s->w[i]))
			c->enabled |= 1u << i;
	}
	c->depth = s->steps->len;
	c->cur = s->cur;
	c->cur_inside = s->cur >= 0 && (c->enabled & (1u << s->cur)) &&
	    s->w[s->cur].where == W_POINT;
}

/* Every thread left waits for another: the run fails. */
void
sim_sched_deadlock(SimSched *s)
{
	run_fail(s, deadlock_message(s));
}

/* The statement thread w is in or starts next (its last when done). */
const SimStmt *
sim_sched_thread_stmt(const SimSched *s, guint w)
{
	const Worker *k = &s->w[w];

	return k->stmts->pdata[MIN(k->pc, k->stmts->len - 1)];
}

/* Whether thread w is inside a statement (stopped at a point). */
gboolean
sim_sched_thread_inside(const SimSched *s, guint w)
{
	return s->w[w].where == W_POINT;
}

/* Where thread w stands, as numbers: for a digest of the run's state. */
guint64
sim_sched_thread_place(const SimSched *s, guint w)
{
	const Worker *k = &s->w[w];

	if (k->where != W_POINT)
		return (guint64)k->pc << 32 | (guint64)k->where << 24;
	return (guint64)k->pc << 32 | (guint64)k->where << 24 |
	    (guint64)k->pt << 16 | k->obj;
}

/*
 * Run thread w, which can run, to its next decision point, and check the
 * step.  FALSE when the run failed (sim_sched_failure()).
 */
gboolean
sim_sched_step(SimSched *s, guint w)
{
	guint before = s->msgs->len;
	Worker *k;
	Step step;

	g_return_val_if_fail(w < s->nw && s->failure == NULL, FALSE);
	k = &s->w[w];
	s->check_due = -1;
	step.w = w;
	step.pc_from = k->pc;
	step.from_start = k->where == W_START;
	s->nfine = 0;
	run_worker(s, k);
	step.fine = s->nfine;
	step.where_to = k->where;
	step.pc_to = k->pc;
	step.pt_to = k->pt;
	step.obj_to = k->obj;
	g_array_append_val(s->steps, step);
	s->cur = (gint)w;
	return step_checks(s, w, before);
}

/*
 * Leave the invariants of the quiescent points to the caller: a step that
 * leaves every thread between statements does not check them, and
 * sim_sched_check_due() does, or sim_sched_check_skip() says the caller
 * knows they hold (the same state passed before).
 */
void
sim_sched_defer_checks(SimSched *s, gboolean on)
{
	s->defer_checks = on;
	s->check_due = -1;
}

/* The invariants the last step left to check, if any: FALSE when they
 * broke (the run failed). */
gboolean
sim_sched_check_due(SimSched *s)
{
	const Worker *w;
	char *v;

	if (s->check_due < 0)
		return TRUE;
	w = &s->w[s->check_due];
	s->check_due = -1;
	v = sim_exec_check(s->x, w->stmts->pdata[MIN(w->pc,
	    w->stmts->len - 1)]);
	if (v == NULL)
		return TRUE;
	run_fail(s, v);
	return FALSE;
}

void
sim_sched_check_skip(SimSched *s)
{
	s->check_due = -1;
}

/* Stop the threads' part: every thread run to its end, muted, when one is
 * left; back to the pass's own context. */
static void
threads_off(SimSched *s)
{
	if (!s->threads_on)
		return;
	drain_workers(s, s->classic);
	for (guint i = 0; i < s->nw && s->classic; i++)
		if (s->w[i].th != NULL)
			g_thread_join(g_steal_pointer(&s->w[i].th));
	s->aborting = FALSE;
	sim_exec_ctx_enter(s->x, NULL);
	sim_exec_set_concurrent(s->x, FALSE);
	rp_state_set_thread(s->st, 0);
	s->threads_on = FALSE;
}

/*
 * Every thread is done: check what they left (a violation, RCU callbacks
 * to run), then run the epilogue alone with the usual checks.  FALSE when
 * the run failed.  The run stays open (a snapshot can still be restored).
 */
gboolean
sim_sched_end(SimSched *s)
{
	char *v;

	g_return_val_if_fail(s->failure == NULL, FALSE);
	threads_off(s);
	/* leftovers of the threads: RCU callbacks, a violation */
	v = rp_state_take_violation(s->st);
	if (v != NULL) {
		run_fail(s, g_strdup_printf("lock discipline: %s", v));
		g_free(v);
		return FALSE;
	}
	rp_state_quiesce(s->st);
	for (guint i = 0; i < s->epilogue->len; i++) {
		if (!sim_exec_stmt(s->x, s->epilogue->pdata[i], s->msgs)) {
			run_fail(s, g_strdup(s->msgs->pdata[s->msgs->len -
			    1]));
			return FALSE;
		}
	}
	return TRUE;
}

/* Close the run and fill its report: passed, or the first failure as its
 * one message. */
void
sim_sched_close(SimSched *s, SimReport *report)
{
	g_return_if_fail(s->x != NULL);
	threads_off(s);
	if (s->failure != NULL) {
		build_flat(s);	/* for a counterexample after the close */
		report->passed = FALSE;
		g_ptr_array_add(report->messages, g_strdup(s->failure));
	}
	sim_exec_finish(s->x, report);
	g_clear_pointer(&s->msgs, g_ptr_array_unref);
	for (guint i = 0; i < s->nw; i++) {
		g_clear_pointer(&s->w[i].ctx, sim_exec_ctx_free);
		g_clear_pointer(&s->w[i].fiber, sim_fiber_free);
	}
	sim_exec_close(s->x);
	s->x = NULL;
	s->st = NULL;
}

/* Whether every thread is between two statements (or done). */
gboolean
sim_sched_quiescent(const SimSched *s)
{
	return quiescent(s);
}

/*
 * Save the run where it stands: every thread between two statements
 * (sim_sched_quiescent()), no failure, fibers only.
 */
SimSchedSnap *
sim_sched_snapshot(SimSched *s)
{
	SimSchedSnap *n;

	g_return_val_if_fail(s->x != NULL && !s->classic &&
	    s->threads_on && s->failure == NULL && quiescent(s), NULL);
	n = g_new0(SimSchedSnap, 1);
	n->model = rp_state_clone(s->st);
	n->exec = sim_exec_snapshot(s->x);
	for (guint i = 0; i < s->nw; i++) {
		n->pc[i] = s->w[i].pc;
		n->where[i] = s->w[i].where;
		n->nresults[i] = sim_exec_ctx_results(s->w[i].ctx)->len;
	}
	n->nsteps = s->steps->len;
	n->cur = s->cur;
	return n;
}

/*
 * Come back to n, a snapshot of this run: threads inside a statement are
 * first run to its end (muted), then the model, the pass and every
 * thread's place and results are as they were.  Also after
 * sim_sched_end(), not after a failure.
 */
void
sim_sched_restore(SimSched *s, const SimSchedSnap *n)
{
	g_return_if_fail(s->x != NULL && !s->classic);
	if (s->threads_on)
		finish_statements(s);
	s->aborting = FALSE;
	g_clear_pointer(&s->failure, g_free);
	rp_state_restore(s->st, n->model);
	sim_exec_restore(s->x, n->exec);
	sim_exec_set_muted(s->x, FALSE);
	for (guint i = 0; i < s->nw; i++) {
		Worker *w = &s->w[i];

		w->pc = n->pc[i];
		w->where = n->where[i];
		w->pt = RP_SP_LOCK;
		w->obj = 0;
		sim_exec_ctx_rewind(s->x, w->ctx, n->nresults[i]);
	}
	g_ptr_array_set_size(s->msgs, 0);
	g_array_set_size(s->steps, n->nsteps);
	s->cur = n->cur;
	sim_exec_ctx_enter(s->x, NULL);
	sim_exec_set_concurrent(s->x, TRUE);
	rp_state_set_sched(s->st, sched_hook, s);
	s->threads_on = TRUE;
}

void
sim_sched_snap_free(SimSchedSnap *n)
{
	if (n == NULL)
		return;
	rp_state_discard(n->model);
	sim_exec_snap_free(n->exec);
	g_free(n);
}

/*
 * The replay engine's scheduler: threads on OS threads handed the turn,
 * not on fibers (no snapshots then), and decisions only where they always
 * were, not at the fine points (after a lock is taken, a read-side
 * section entered, a grace period waited for).  A `schedule` it writes
 * names the thread again for each fine point it passed, so that it
 * replays on the default scheduler.
 */
void
sim_sched_set_classic(SimSched *s, gboolean on)
{
	g_return_if_fail(s->x == NULL);
	s->classic = on;
}

/* ---------------------------------------------------------------------
 * One run, whole
 */

/* The threads, concurrently, each step's thread chosen by h. */
static SimSchedResult
run_threads(SimSched *s, const SimSchedHooks *h, GError **error)
{
	for (;;) {
		g_autoptr(GError) err = NULL;
		SimSchedChoice c;
		guint32 alive;
		gint ch;
		gboolean ok;

		sim_sched_decision(s, &c, &alive);
		if (alive == 0)
			return SIM_SCHED_DONE;
		if (c.enabled == 0) {
			sim_sched_deadlock(s);
			return SIM_SCHED_DONE;
		}
		ch = h->choose(h->ud, &c, &err);
		if (err != NULL) {
			g_propagate_error(error, g_steal_pointer(&err));
			return SIM_SCHED_ERROR;
		}
		if (ch < 0)
			return SIM_SCHED_PRUNED;
		g_assert((guint)ch < s->nw && (c.enabled & (1u << ch)));
		if (h->step_start != NULL)
			h->step_start(h->ud, (guint)ch,
			    sim_sched_thread_stmt(s, (guint)ch));
		ok = sim_sched_step(s, (guint)ch);
		if (h->step_end != NULL)
			h->step_end(h->ud, &c, (guint)ch);
		if (!ok)
			return SIM_SCHED_DONE;
	}
}

/*
 * Run the scenario once under profile as o says, each step's thread
 * chosen by h, and fill report (zeroed or cleared): passed, or the first
 * failure as its one message; the trace.  SIM_SCHED_ERROR with error when
 * the run could not be carried out (the backend does not open, choose()
 * failed).
 */
SimSchedResult
sim_sched_run(SimSched *s, const char *profile, const SimExecOptions *o,
    const SimSchedHooks *h, SimReport *report, GError **error)
{
	SimSchedResult res;

	res = sim_sched_open(s, profile, o, report, error);
	if (res == SIM_SCHED_ERROR)
		return res;
	if (s->failure == NULL) {
		res = run_threads(s, h, error);
		if (res == SIM_SCHED_DONE && s->failure == NULL &&
		    sim_sched_end(s) && h->end != NULL)
			h->end(h->ud, s, s->x);
	}
	sim_sched_close(s, report);
	return res;
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
sim_scenario_has_schedule(const SimScenario *sc)
{
	for (guint i = 0; i < sc->stmts->len; i++)
		if (is_schedule(sc->stmts->pdata[i]))
			return TRUE;
	return FALSE;
}

void
sim_sched_free(SimSched *s)
{
	if (s == NULL)
		return;
	g_clear_pointer(&s->prologue, g_ptr_array_unref);
	g_clear_pointer(&s->epilogue, g_ptr_array_unref);
	for (guint i = 0; i < SIM_SCHED_MAX_THREADS; i++) {
		g_clear_pointer(&s->w[i].stmts, g_ptr_array_unref);
		g_clear_pointer(&s->w[i].ctx, sim_exec_ctx_free);
		g_clear_pointer(&s->w[i].fiber, sim_fiber_free);
	}
	g_clear_pointer(&s->steps, g_array_unref);
	g_clear_pointer(&s->failure, g_free);
	if (s->flat != NULL)
		g_string_free(s->flat, TRUE);
	g_mutex_clear(&s->mu);
	g_cond_clear(&s->cv);
	g_free(s);
}

/*
 * A scheduler for sc (checked already): its prologue, threads and
 * epilogue.  NULL with an input error when sc has no threads, more than
 * the model can run, or a statement between thread blocks.
 */
SimSched *
sim_sched_new(const SimScenario *sc, GError **error)
{
	g_autoptr(SimSched) s = g_new0(SimSched, 1);
	guint max = MIN(SIM_SCHED_MAX_THREADS, rp_sched_max_threads() - 1);
	gboolean seen_thread = FALSE;

	g_mutex_init(&s->mu);
	g_cond_init(&s->cv);
	s->sc = sc;
	s->prologue = g_ptr_array_new();
	s->epilogue = g_ptr_array_new();
	s->steps = g_array_new(FALSE, FALSE, sizeof(Step));
	s->flat = g_string_new(NULL);
	if (sc->threads->len == 0) {
		g_set_error(error, SIM_ERROR, SIM_ERROR_INPUT, "%s: no thread "
		    "blocks: nothing to interleave (thread NAME ... end)",
		    sc->path);
		return NULL;
	}
	if (sim_scenario_big(sc)) {
		g_set_error(error, SIM_ERROR, SIM_ERROR_INPUT, "%s: expands to "
		    "%" G_GUINT64_FORMAT " statements; threads can be run with "
		    "at most %u", sc->path, sc->expanded, SIM_MAX_STMTS);
		return NULL;
	}
	/* model thread 0 runs the prologue and the epilogue */
	if (sc->threads->len > max) {
		g_set_error(error, SIM_ERROR, SIM_ERROR_INPUT, "%s: %u threads; "
		    "explore runs at most %u", sc->path, sc->threads->len,
		    max);
		return NULL;
	}
	s->nw = sc->threads->len;
	for (guint i = 0; i < s->nw; i++) {
		s->w[i].s = s;
		s->w[i].idx = i;
		s->w[i].name = sc->threads->pdata[i];
		s->w[i].stmts = g_ptr_array_new();
	}
	for (guint i = 0; i < sc->stmts->len; i++) {
		const SimStmt *st = sc->stmts->pdata[i];
		guint t;

		if (is_schedule(st)) {
			s->schedule = st;
			continue;
		}
		if (st->thread == NULL) {
			if (!seen_thread) {
				g_ptr_array_add(s->prologue, (gpointer)st);
				continue;
			}
			g_ptr_array_add(s->epilogue, (gpointer)st);
			continue;
		}
		if (s->epilogue->len > 0) {
			const SimStmt *o = s->epilogue->pdata[0];

			g_set_error(error, SIM_ERROR, SIM_ERROR_INPUT,
			    "%s:%u:%u: a statement between thread blocks; "
			    "put it before the first block or after the last",
			    o->file, o->line, o->col);
			return NULL;
		}
		seen_thread = TRUE;
		for (t = 0; t < s->nw; t++)
			if (strcmp(s->w[t].name, st->thread) == 0)
				break;
		g_ptr_array_add(s->w[t].stmts, (gpointer)st);
	}
	return g_steal_pointer(&s);
}

/* ---------------------------------------------------------------------
 * What a run showed
 */

guint
sim_sched_threads(const SimSched *s)
{
	return s->nw;
}

const char *
sim_sched_thread_name(const SimSched *s, guint w)
{
	g_return_val_if_fail(w < s->nw, NULL);
	return s->w[w].name;
}

/* The results of thread w's statements; valid in the end() hook. */
const GPtrArray *
sim_sched_thread_results(const SimSched *s, guint w)
{
	g_return_val_if_fail(w < s->nw && s->w[w].ctx != NULL, NULL);
	return sim_exec_ctx_results(s->w[w].ctx);
}

/* The pass of the open run. */
SimExec *
sim_sched_exec(const SimSched *s)
{
	return s->x;
}

/* The model state of the run; valid in the hooks. */
struct rp_state *
sim_sched_model(const SimSched *s)
{
	return s->st;
}

/* The steps of the last run, and the thread of step i. */
guint
sim_sched_steps(const SimSched *s)
{
	return s->steps->len;
}

guint
sim_sched_step_thread(const SimSched *s, guint i)
{
	g_return_val_if_fail(i < s->steps->len, 0);
	return g_array_index(s->steps, Step, i).w;
}

/* How many decisions step i stands for in a `schedule`: one, and one per
 * fine point it passed without stopping (classic). */
guint
sim_sched_step_decisions(const SimSched *s, guint i)
{
	g_return_val_if_fail(i < s->steps->len, 0);
	return 1 + g_array_index(s->steps, Step, i).fine;
}

/* The point thread w stopped at, when it is inside a statement. */
gboolean
sim_sched_thread_point(const SimSched *s, guint w, enum rp_sched_point *pt)
{
	if (s->w[w].where != W_POINT)
		return FALSE;
	*pt = s->w[w].pt;
	return TRUE;
}

/* The steps of the last run as comment lines, in order:
 * "#   T2     starts close a, up to lock(reuseport_lock)".  Valid until
 * the next call. */
const char *
sim_sched_flat(SimSched *s)
{
	if (s->x != NULL)
		build_flat(s);
	return s->flat->str;
}

/* ---------------------------------------------------------------------
 * Replaying a `schedule` statement
 */

typedef struct {
	SimSched	*s;
	GArray		*forced;	/* gint: the thread of each decision */
} Replay;

/* The schedule's thread at each decision it names; beyond, keep the
 * running thread, else the first that can run. */
static gint
replay_choose(void *ud, const SimSchedChoice *c, GError **error)
{
	Replay *r = ud;
	const SimStmt *sch = r->s->schedule;
	gint w;

	if (c->depth < r->forced->len) {
		w = g_array_index(r->forced, gint, c->depth);
		if (w < 0 || !(c->enabled & (1u << w))) {
			g_set_error(error, SIM_ERROR, SIM_ERROR_FAIL,
			    "%s:%u:%u: schedule: decision %u names %s, which "
			    "cannot run there", sch->file, sch->line,
			    sch->verb_col, c->depth + 1, w >= 0 ?
			    r->s->w[w].name : "?");
			return -1;
		}
		return w;
	}
	if (c->cur >= 0 && (c->enabled & (1u << c->cur)))
		return c->cur;
	for (w = 0; w < (gint)r->s->nw; w++)
		if (c->enabled & (1u << w))
			return w;
	return -1;	/* LCOV_EXCL_LINE: some thread is enabled */
}

/*
 * A run of sc, which has a `schedule` statement, following it: its
 * threads at each decision, then the running thread while it can go on,
 * else the first.  The options and hooks are the caller's (a recorder
 * records this run like any other).  Only a backend with the model's
 * scheduling points can follow a schedule; another one skips.
 */
void
sim_sched_replay(const SimScenario *sc, const char *profile,
    const SimExecOptions *o, SimReport *report)
{
	static const SimSchedHooks replay_hooks = { .choose = replay_choose };
	g_autoptr(GError) err = NULL;
	g_autoptr(SimSched) s = NULL;
	g_autoptr(GArray) forced = g_array_new(FALSE, FALSE, sizeof(gint));
	SimSchedHooks h = replay_hooks;
	Replay r;

	if (o->ops->inspect == NULL || o->ops->inspect->model == NULL) {
		report->messages = g_ptr_array_new_with_free_func(g_free);
		report->skip = g_strdup_printf("%s backend: a schedule needs "
		    "the model's scheduling points", o->ops->name);
		return;
	}
	s = sim_sched_new(sc, &err);
	if (s == NULL) {
		report->messages = g_ptr_array_new_with_free_func(g_free);
		g_ptr_array_add(report->messages, g_strdup(err->message));
		return;
	}
	for (guint i = 0; s->schedule != NULL &&
	    i < s->schedule->args->len; i++) {
		const char *name = ((const SimToken *)
		    s->schedule->args->pdata[i])->text;
		gint w = -1;

		for (guint j = 0; j < s->nw; j++)
			if (strcmp(s->w[j].name, name) == 0)
				w = (gint)j;
		g_array_append_val(forced, w);
	}
	r.s = s;
	r.forced = forced;
	h.ud = &r;
	if (sim_sched_run(s, profile, o, &h, report, &err) ==
	    SIM_SCHED_ERROR && err != NULL) {
		if (report->messages == NULL)
			report->messages = g_ptr_array_new_with_free_func(
			    g_free);
		g_ptr_array_add(report->messages, g_strdup(err->message));
		report->passed = FALSE;
	}
}
