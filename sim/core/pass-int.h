/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * pass-int.h - the state of one pass over a scenario (pass.c), private to
 * core/: what the verb handlers, the expectations, the result contracts
 * and the failure descriptions act on.  Everything outside core/ goes
 * through the executor's API (exec.h) and never sees these fields.
 *
 * A pass is the check pass (no backend; every statement is validated)
 * or a run under one profile on a fresh backend.  Handlers are columns of
 * argument helpers that validate in both passes and then stop when
 * checking (sim_checking()), so the check pass knows exactly what the run
 * will accept.
 *
 * Ownership: a SimExec belongs to exec.c and lives for one pass; SimObj
 * and variables live in its tables; tokens and statements belong to the
 * scenario, which outlives every pass over it.
 */
#ifndef SIM_CORE_PASS_INT_H
#define SIM_CORE_PASS_INT_H

#include <glib.h>

#include "core/backend.h"
#include "core/hooks.h"
#include "core/names.h"
#include "core/result.h"
#include "core/trace.h"
#include "lang/scenario.h"

G_BEGIN_DECLS

struct SimExec {
	const SimScenario	*sc;
	const char		*profile;	/* NULL while checking */
	gboolean		 checking;
	const SimBackendOps	*ops;		/* NULL while checking */
	SimBackend		*be;
	const SimInspectOps	*insp;		/* NULL: no model-only queries */
	SimNames		*names;
	GHashTable		*vars;		/* name -> SimValue */
	SimTrace		*trace;
	SimExecOptions		 opts;		/* as opened */
	/* the statement being run and its context (exec.c switches it
	 * between threads: sim_exec_ctx_enter()) */
	const SimStmt		*stmt;
	SimObj			*proc;		/* its process */
	GPtrArray		*step_msgs;	/* char *: failures of the step */
	GPtrArray		*results;	/* char *: each result, or NULL */
	GArray			*events;	/* held for hooks, or NULL */
	GPtrArray		*main_msgs;	/* step_msgs outside threads */
	/* what the hooks made of programs' events (hooks->bpf_event),
	 * the running statement's, and outside threads; NULL: no hook */
	GPtrArray		*bpf_held;
	GPtrArray		*main_bpf;
	struct rp_bpf_observer	 bpf_obs;
	/* threads run concurrently: the scheduler checks the invariants
	 * at its own points, not after each statement */
	gboolean		 concurrent;
	gboolean		 muted;		/* no hooks, no steps */
	/* a `check` statement ran: the next invariant check is full */
	gboolean		 check_now;
	/* what the backend could not do (SIM_CANNOT, hash=N, expect) */
	GHashTable		*unsure;	/* name -> why: not checked */
	GPtrArray		*notes;		/* char *: said once each */
	char			*rest;		/* SIM_CANNOT_REST: why */
	GPtrArray		*steps;		/* SimStep *, or NULL */
};

/* pass.c */
gboolean	 sim_checking(const SimExec *x);
void		 sim_pass_fail(SimExec *x, const char *fmt, ...)
		    G_GNUC_PRINTF(2, 3);
void		 sim_pass_note(SimExec *x, const SimStmt *st, const char *why);
const char	*sim_pass_unsure_in(SimExec *x, const SimStmt *st,
		    const GPtrArray *exp);
void		 sim_pass_unsure_add(SimExec *x, const char *name,
		    const char *why);
void		 sim_pass_unsure_args(SimExec *x, const SimStmt *st,
		    const char *why);
void		 sim_obj_bind_fd(SimExec *x, SimObj *o, unsigned proc, int fd);
int		 sim_obj_fd(const SimExec *x, const SimObj *o);
int		 sim_obj_open_fd(const SimObj *o);
gboolean	 sim_cookie_of(SimExec *x, const SimObj *o, guint64 *cookie,
		    GError **error);
gboolean	 sim_port_of(SimExec *x, const SimObj *o, guint16 *port,
		    GError **error);
const char	*sim_cookie_owner(const SimExec *x, guint64 c);
char		*sim_value_render(const SimExec *x, const SimValue *v);

G_END_DECLS

#endif /* SIM_CORE_PASS_INT_H */
