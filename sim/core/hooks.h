/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * hooks.h - what whoever runs a scenario hands the executor: the options
 * of the run and its hooks (types only).  The same options and hooks
 * serve a plain run (exec.c), a run that follows a `schedule` statement
 * and every run of the explorer (sched.c), so a tool that records a run
 * (explain) records any of them.
 */
#ifndef SIM_CORE_HOOKS_H
#define SIM_CORE_HOOKS_H

#include <glib.h>

#include "rp.h"

#include "core/backend.h"
#include "core/result.h"
#include "core/trace.h"
#include "lang/scenario.h"

G_BEGIN_DECLS

/* One pass over a scenario (opaque outside core/). */
typedef struct SimExec SimExec;

/*
 * Per-statement hooks.  step() is called when a statement has run, with
 * its index in the scenario and its result; failures is NULL when it
 * passed, else an array of which the messages from index first on are
 * the step's own.  observer sees the events of each statement before its
 * step() (in a run with threads, a statement's events are held until it
 * ends, so they never mix with another thread's).  done() runs once after
 * the last statement, while the pass still holds its names.
 */
typedef struct SimStepHooks SimStepHooks;
struct SimStepHooks {
	const struct rp_observer *observer;
	void	(*step)(void *ud, SimExec *x, guint index, const SimStmt *st,
		    const SimResult *r, const GPtrArray *failures, guint first);
	void	(*done)(void *ud, SimExec *x);
	void	*ud;
	/*
	 * What programs do, instruction by instruction (the model's
	 * struct rp_bpf_observer; backends without a model have none).
	 * bpf_event() gets each event with held, the array of the
	 * statement that runs (its thread's, when threads run: a program
	 * may stop at a decision point while another thread runs), where
	 * it keeps what it makes of them; elements are freed with
	 * bpf_free.  The step hook takes them: sim_exec_bpf_held().
	 * bpf_insns: an event for every instruction too.
	 */
	void	(*bpf_event)(void *ud, GPtrArray *held,
		    const struct rp_bpf_event *ev);
	GDestroyNotify	 bpf_free;
	gboolean	 bpf_insns;
};

/* How to run a scenario. */
typedef struct SimExecOptions SimExecOptions;
struct SimExecOptions {
	const SimBackendOps	*ops;		/* the backend: required */
	SimTraceLevel		 trace;
	gboolean		 keep_going;	/* go on after a failure */
	unsigned		 plant;		/* rp_state_plant() bugs */
	SimCheckMode		 check;		/* after each step; the whole
						 * state at the end and on a
						 * `check` statement */
	const SimStepHooks	*hooks;		/* NULL: none */
	/* every event as it happens (lock events too), or NULL */
	const struct rp_observer *observer;
	void			*observer_ud;
	/* kernel build options calibration measured (rp_kconfig), set on
	 * the backend at open: 0 leave the profile's, 1 built in, 2 not */
	int			 kconfig_mptcp;
};

G_END_DECLS

#endif /* SIM_CORE_HOOKS_H */
