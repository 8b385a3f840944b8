/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * sched.h - the deterministic scheduler (sched.c): one run of a scenario
 * whose thread blocks interleave at the model's scheduling points, the
 * thread of every step chosen by the caller.
 *
 * A scenario with thread blocks has three parts: the statements before
 * the first thread block (the prologue, run alone), the threads (run
 * concurrently), and the statements after the last block (the epilogue,
 * run alone once every thread has finished).  A step runs one thread from
 * one decision point to the next: the start of each statement of a
 * thread, and every call of the model's scheduling hook (model/lock.c):
 * before taking reuseport_lock or a socket's sk_callback_lock, after
 * releasing one, entering and leaving an RCU read-side section, and
 * before a grace period.  A thread stopped before a lock that another
 * thread holds cannot run; a grace period waits for every reader.
 *
 * Two callers: the explorer (tools/explore.c) chooses at each decision
 * to search every schedule; a scenario with a `schedule` statement
 * replays the one it names (sim_sched_replay()).  Either way the run is
 * an executor pass with the caller's options and hooks (hooks.h), so a
 * recorder sees a replayed counterexample as it sees any run.
 */
#ifndef SIM_CORE_SCHED_H
#define SIM_CORE_SCHED_H

#include <glib.h>

#include "rp.h"

#include "core/exec.h"
#include "core/hooks.h"
#include "core/report.h"
#include "lang/scenario.h"

G_BEGIN_DECLS

#define SIM_SCHED_MAX_THREADS	15u

typedef struct SimSched SimSched;

/* A decision: which thread runs the next step. */
typedef struct SimSchedChoice SimSchedChoice;
struct SimSchedChoice {
	guint		depth;		/* decisions before this one */
	guint32		enabled;	/* bit w: thread w can run */
	gint		cur;		/* the thread of the step before, -1 */
	gboolean	cur_inside;	/* cur is enabled inside a statement:
					 * switching away preempts it */
};

typedef struct SimSchedHooks SimSchedHooks;
struct SimSchedHooks {
	/* The thread to run at c, one of c->enabled; -1 cuts the run
	 * (pruned), or fails it when error is set. */
	gint	(*choose)(void *ud, const SimSchedChoice *c, GError **error);
	/* Thread w is about to run a step inside statement st. */
	void	(*step_start)(void *ud, guint w, const SimStmt *st);
	/* Thread w ran the step decided at c. */
	void	(*step_end)(void *ud, const SimSchedChoice *c, guint w);
	/* The epilogue ended without a failure; the pass is still open. */
	void	(*end)(void *ud, SimSched *s, SimExec *x);
	void	*ud;
};

typedef enum {
	SIM_SCHED_DONE,		/* reached the end (passed or failed) */
	SIM_SCHED_PRUNED,	/* choose() cut it */
	SIM_SCHED_ERROR,	/* the run could not be carried out */
} SimSchedResult;

SimSched	*sim_sched_new(const SimScenario *sc, GError **error);
void		 sim_sched_free(SimSched *s);
void		 sim_sched_set_classic(SimSched *s, gboolean on);
SimSchedResult	 sim_sched_run(SimSched *s, const char *profile,
		    const SimExecOptions *o, const SimSchedHooks *h,
		    SimReport *report, GError **error);

/* One run, step by step: open (and the prologue), steps, end (the
 * epilogue), close.  Between statements, snapshots. */
typedef struct SimSchedSnap SimSchedSnap;
SimSchedResult	 sim_sched_open(SimSched *s, const char *profile,
		    const SimExecOptions *o, SimReport *report,
		    GError **error);
const char	*sim_sched_failure(const SimSched *s);
void		 sim_sched_decision(SimSched *s, SimSchedChoice *c,
		    guint32 *alive);
void		 sim_sched_deadlock(SimSched *s);
gboolean	 sim_sched_step(SimSched *s, guint w);
void		 sim_sched_defer_checks(SimSched *s, gboolean on);
gboolean	 sim_sched_check_due(SimSched *s);
void		 sim_sched_check_skip(SimSched *s);
gboolean	 sim_sched_end(SimSched *s);
void		 sim_sched_close(SimSched *s, SimReport *report);
gboolean	 sim_sched_quiescent(const SimSched *s);
SimSchedSnap	*sim_sched_snapshot(SimSched *s);
void		 sim_sched_restore(SimSched *s, const SimSchedSnap *n);
void		 sim_sched_snap_free(SimSchedSnap *n);
const SimStmt	*sim_sched_thread_stmt(const SimSched *s, guint w);
gboolean	 sim_sched_thread_inside(const SimSched *s, guint w);
guint64		 sim_sched_thread_place(const SimSched *s, guint w);
SimExec		*sim_sched_exec(const SimSched *s);

guint		 sim_sched_threads(const SimSched *s);
const char	*sim_sched_thread_name(const SimSched *s, guint w);
const GPtrArray	*sim_sched_thread_results(const SimSched *s, guint w);
struct rp_state	*sim_sched_model(const SimSched *s);
guint		 sim_sched_steps(const SimSched *s);
guint		 sim_sched_step_thread(const SimSched *s, guint i);
guint		 sim_sched_step_decisions(const SimSched *s, guint i);
gboolean	 sim_sched_thread_point(const SimSched *s, guint w,
		    enum rp_sched_point *pt);
const char	*sim_sched_flat(SimSched *s);

gboolean	 sim_scenario_has_schedule(const SimScenario *sc);
void		 sim_sched_replay(const SimScenario *sc, const char *profile,
		    const SimExecOptions *o, SimReport *report);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(SimSched, sim_sched_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(SimSchedSnap, sim_sched_snap_free)

G_END_DECLS

#endif /* SIM_CORE_SCHED_H */
