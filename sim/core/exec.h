/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * exec.h - the scenario executor (exec.c): the check pass, and the run of
 * statements under one profile against a backend.
 *
 * A scenario is checked as a whole before anything runs: a broken file
 * is reported with every error found and nothing is run.  A run opens a
 * pass (sim_exec_open()) with its options and hooks (hooks.h), runs
 * statements one by one (sim_exec_stmt()), and ends with
 * sim_exec_finish() (notes, the done hook, the trace) and
 * sim_exec_close().  After each statement it
 *
 *	1. compares the result with the expectation for the profile,
 *	2. checks the result contracts I14 (lookup) and I16 (selection),
 *	3. checks the invariants (the backend's inspect->check()), unless
 *	   threads run concurrently (the scheduler checks them at its own
 *	   points),
 *
 * and calls the step hook.  Each failure is "file:line:col: what"
 * followed by indented lines describing the state of the objects
 * involved.  Threads (sched.c) each have a context of their own: the
 * statement they are in, its process, its failures, its results and the
 * events held for the hooks (sim_exec_ctx_enter()).
 *
 * Nothing outside core/ sees the fields of a pass: tools read what they
 * need through the accessors below.
 */
#ifndef SIM_CORE_EXEC_H
#define SIM_CORE_EXEC_H

#include <glib.h>

#include "core/backend.h"
#include "core/hooks.h"
#include "core/names.h"
#include "core/report.h"
#include "core/result.h"
#include "lang/scenario.h"

G_BEGIN_DECLS

/* The context of one thread of statements. */
typedef struct SimExecCtx SimExecCtx;

gboolean	 sim_check_scenario(const SimScenario *sc, GPtrArray *errors);

SimExec		*sim_exec_open(const SimScenario *sc, const char *profile,
		    const SimExecOptions *o, SimReport *report,
		    GError **error);
gboolean	 sim_exec_stmt(SimExec *x, const SimStmt *st, GPtrArray *msgs);
gboolean	 sim_exec_stopped(const SimExec *x);
char		*sim_exec_check(SimExec *x, const SimStmt *st);
void		 sim_exec_finish(SimExec *x, SimReport *report);
void		 sim_exec_close(SimExec *x);

/* What a pass shows its hooks and tools. */
SimNames	*sim_exec_names(SimExec *x);
GPtrArray	*sim_exec_bpf_held(SimExec *x);
const SimScenario *sim_exec_scenario(const SimExec *x);
const SimInspectOps *sim_exec_inspect(const SimExec *x, SimBackend **be);
char		*sim_result_render(const SimExec *x, const SimResult *r);

/* Threads */
SimExecCtx	*sim_exec_ctx_new(SimExec *x);
void		 sim_exec_ctx_free(SimExecCtx *c);
void		 sim_exec_ctx_enter(SimExec *x, SimExecCtx *c);
void		 sim_exec_ctx_leave(SimExec *x, SimExecCtx *c);
const GPtrArray	*sim_exec_ctx_results(const SimExecCtx *c);
void		 sim_exec_set_concurrent(SimExec *x, gboolean on);
gboolean	 sim_exec_concurrent(const SimExec *x);
void		 sim_exec_set_muted(SimExec *x, gboolean on);
void		 sim_exec_ctx_rewind(SimExec *x, SimExecCtx *c, guint n);

/* Snapshots of a pass between statements (sched.c) */
typedef struct SimExecSnap SimExecSnap;
SimExecSnap	*sim_exec_snapshot(SimExec *x);
void		 sim_exec_restore(SimExec *x, const SimExecSnap *s);
void		 sim_exec_snap_free(SimExecSnap *s);
guint64		 sim_exec_digest(const SimExec *x);

void		 sim_exec_run(const SimScenario *sc, const char *profile,
		    const SimExecOptions *o, SimReport *report);

G_END_DECLS

#endif /* SIM_CORE_EXEC_H */
