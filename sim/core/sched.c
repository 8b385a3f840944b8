/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * sched.c - the deterministic scheduler (sched.h): one run of a
 * scenario's threads, each step's thread chosen by the caller.
 *
 * Each thread block runs on a thread of its own (a GThread), but only one
 * runs at a time: the controller hands the turn to one thread, which runs
 * until it reaches a decision point and hands the turn back.  The
 * executor's pass is shared; each thread has its own executor context
 * (the statement it is in, its process, failures and results), switched
 * with the turn.
 *
 * After every step the scheduler checks the lock discipline (a violation
 * the model recorded), the expectations of the statement that finished,
 * and, whenever no thread is inside a statement, the invariants I1-I16;
 * the epilogue runs once all threads are done, with the usual
 * per-statement checks.  The first failure ends the run: the threads left
 * are run to their ends without the scheduling hook, muted (no hooks, no
 * records), and the failure is the report's one message.
 */
#include <string.h>

#include "core/error.h"
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
	GThread			*th;
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
} Step;

struct SimSched {
	const SimScenario	*sc;
	GPtrArray		*prologue;	/* const SimStmt * */
	GPtrArray		*epilogue;
	const SimStmt		*schedule;	/* `schedule` statement or NULL */
	Worker			 w[SIM_SCHED_MAX_THREADS];
	guint			 nw;

	/* the current run */
	SimExec			*x;
	struct rp_state		*st;
	GPtrArray		*msgs;
	GMutex			 mu;
	GCond			 cv;
	gint			 turn;		/* worker index; -1: controller */
	gboolean		 aborting;
	GArray			*steps;		/* Step */
	char			*failure;	/* first failure of the run */
	GString			*flat;		/* the steps, as comment lines */
};

/* ---------------------------------------------------------------------
 * Handing the turn
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

/* A worker stops at a decision point: hand the turn back and wait. */
static void
worker_yield(Worker *w)
{
	SimSched *s = w->s;

	g_mutex_lock(&s->mu);
	s->turn = -1;
	g_cond_broadcast(&s->cv);
	while (s->turn != (gint)w->idx)
		g_cond_wait(&s->cv, &s->mu);
	g_mutex_unlock(&s->mu);
}

/* The model's scheduling hook, called on the running worker's thread. */
static void
sched_hook(void *ud, enum rp_sched_point pt, unsigned obj)
{
	SimSched *s = ud;
	Worker *w;

	if (s->aborting || s->turn < 0)
		return;
	w = &s->w[s->turn];
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

/* Run worker w until its next decision point (or its end), in its own
 * executor context. */
static void
run_worker(SimSched *s, Worker *w)
{
	sim_exec_ctx_enter(s->x, w->ctx);
	rp_state_set_thread(s->st, w->idx + 1);
	give_turn(s, (gint)w->idx);
	wait_turn(s, -1);
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
	w->where = W_START;
	w->pt = RP_SP_LOCK;
	w->obj = 0;
	w->th = NULL;
	sim_exec_ctx_free(w->ctx);
	w->ctx = sim_exec_ctx_new(s->x);
}

/* Let every unfinished worker run to its end, hook removed, muted. */
static void
drain_workers(SimSched *s)
{
	s->aborting = TRUE;
	rp_state_set_sched(s->st, NULL, NULL);
	for (guint i = 0; i < s->nw; i++) {
		Worker *w = &s->w[i];

		if (w->where != W_DONE)
			sim_exec_set_muted(s->x);
		while (w->where != W_DONE)
			run_worker(s, w);
	}
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
	case RP_SP_BLOCKED:
		break;
	}
	return "a wait";	/* LCOV_EXCL_LINE: blocked keeps its point */
}

/* "#   T2     starts close a, up to lock(reuseport_lock)" */
static void
flat_step(SimSched *s, const Step *p)
{
	const Worker *w = &s->w[p->w];
	char buf[128];

	g_string_append_printf(s->flat, "#   %-6s %s ", w->name,
	    p->from_start ? "starts" : "resumes");
	sim_stmt_print(w->stmts->pdata[p->pc_from], SIM_PRINT_EXPECT, NULL,
	    s->flat);
	if (p->where_to == W_DONE)
		g_string_append(s->flat, ", to the end of the thread\n");
	else if (p->where_to == W_START)
		g_string_append(s->flat, ", to its end\n");
	else
		g_string_append_printf(s->flat, ", up to %s\n",
		    point_name(s, p->pt_to, p->obj_to, buf, sizeof(buf)));
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
 * One run
 */

/* The threads, concurrently, each step's thread chosen by h. */
static SimSchedResult
run_threads(SimSched *s, const SimSchedHooks *h, GError **error)
{
	guint depth = 0;
	gint cur = -1;

	for (;;) {
		g_autoptr(GError) err = NULL;
		SimSchedChoice c = { 0 };
		guint32 alive = 0;
		guint before = s->msgs->len;
		Worker *w;
		Step step;
		gint ch;

		for (guint i = 0; i < s->nw; i++) {
			if (s->w[i].where != W_DONE)
				alive |= 1u << i;
			if (worker_enabled(s, &s->w[i]))
				c.enabled |= 1u << i;
		}
		if (alive == 0)
			return SIM_SCHED_DONE;
		if (c.enabled == 0) {
			run_fail(s, deadlock_message(s));
			return SIM_SCHED_DONE;
		}
		c.depth = depth;
		c.cur = cur;
		c.cur_inside = cur >= 0 && (c.enabled & (1u << cur)) &&
		    s->w[cur].where == W_POINT;
		ch = h->choose(h->ud, &c, &err);
		if (err != NULL) {
			g_propagate_error(error, g_steal_pointer(&err));
			return SIM_SCHED_ERROR;
		}
		if (ch < 0)
			return SIM_SCHED_PRUNED;
		g_assert((guint)ch < s->nw && (c.enabled & (1u << ch)));
		w = &s->w[ch];
		step.w = (guint)ch;
		step.pc_from = w->pc;
		step.from_start = w->where == W_START;
		if (h->step_start != NULL)
			h->step_start(h->ud, (guint)ch, w->stmts->pdata[w->pc]);
		run_worker(s, w);
		step.where_to = w->where;
		step.pc_to = w->pc;
		step.pt_to = w->pt;
		step.obj_to = w->obj;
		g_array_append_val(s->steps, step);
		flat_step(s, &step);
		if (h->step_end != NULL)
			h->step_end(h->ud, &c, (guint)ch);
		cur = ch;
		depth++;
		if (!step_checks(s, (guint)ch, before))
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
	const SimInspectOps *insp;
	SimBackend *be;
	SimSchedResult res = SIM_SCHED_DONE;
	guint i;

	g_return_val_if_fail(o->ops->inspect != NULL &&
	    o->ops->inspect->model != NULL, SIM_SCHED_ERROR);
	g_clear_pointer(&s->failure, g_free);
	g_array_set_size(s->steps, 0);
	g_string_truncate(s->flat, 0);
	s->aborting = FALSE;
	s->turn = -1;
	report->messages = g_ptr_array_new_with_free_func(g_free);
	report->passed = TRUE;
	s->x = sim_exec_open(s->sc, profile, o, report, error);
	if (s->x == NULL)
		return SIM_SCHED_ERROR;
	insp = sim_exec_inspect(s->x, &be);
	s->st = insp->model(be);
	s->msgs = g_ptr_array_new_with_free_func(g_free);

	/* the prologue, alone */
	for (i = 0; i < s->prologue->len; i++) {
		if (!sim_exec_stmt(s->x, s->prologue->pdata[i], s->msgs)) {
			run_fail(s, g_strdup(s->msgs->pdata[0]));
			goto out;
		}
	}

	/* the threads */
	sim_exec_set_concurrent(s->x, TRUE);
	rp_state_set_sched(s->st, sched_hook, s);
	for (i = 0; i < s->nw; i++) {
		worker_reset(s, &s->w[i]);
		s->w[i].th = g_thread_new(s->w[i].name, worker_main,
		    &s->w[i]);
	}
	res = run_threads(s, h, error);
	drain_workers(s);
	for (i = 0; i < s->nw; i++)
		g_thread_join(s->w[i].th);
	sim_exec_ctx_enter(s->x, NULL);
	sim_exec_set_concurrent(s->x, FALSE);
	rp_state_set_thread(s->st, 0);
	if (res != SIM_SCHED_DONE || s->failure != NULL)
		goto out;
	{
		/* leftovers of the threads: RCU callbacks, a violation */
		char *v = rp_state_take_violation(s->st);

		if (v != NULL) {
			run_fail(s, g_strdup_printf("lock discipline: %s", v));
			g_free(v);
			goto out;
		}
	}
	rp_state_quiesce(s->st);

	/* the epilogue, alone, with the usual checks */
	for (i = 0; i < s->epilogue->len; i++) {
		if (!sim_exec_stmt(s->x, s->epilogue->pdata[i], s->msgs)) {
			run_fail(s, g_strdup(s->msgs->pdata[s->msgs->len -
			    1]));
			break;
		}
	}
	if (s->failure == NULL && h->end != NULL)
		h->end(h->ud, s, s->x);
out:
	if (s->failure != NULL) {
		report->passed = FALSE;
		g_ptr_array_add(report->messages, g_strdup(s->failure));
	}
	sim_exec_finish(s->x, report);
	g_clear_pointer(&s->msgs, g_ptr_array_unref);
	for (i = 0; i < s->nw; i++)
		g_clear_pointer(&s->w[i].ctx, sim_exec_ctx_free);
	sim_exec_close(s->x);
	s->x = NULL;
	s->st = NULL;
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

/* The steps of the last run as comment lines, in order:
 * "#   T2     starts close a, up to lock(reuseport_lock)". */
const char *
sim_sched_flat(const SimSched *s)
{
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
