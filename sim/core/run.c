/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * run.c - one scenario under one profile (run.h).
 */
#include "core/exec.h"
#include "core/run.h"
#include "core/sched.h"

/*
 * Run sc, checked already, under profile as o says, and fill report
 * (zeroed or cleared; its steps may be set).  A scenario with a
 * `schedule` statement interleaves its threads as the schedule says
 * (sched.c); any other runs its statements in file order (exec.c).  The
 * hooks of o see either run.
 */
void
sim_run_scenario(const SimScenario *sc, const char *profile,
    const SimExecOptions *o, SimReport *report)
{
	g_return_if_fail(sc != NULL && profile != NULL && o != NULL &&
	    report != NULL);
	if (sim_scenario_has_schedule(sc))
		sim_sched_replay(sc, profile, o, report);
	else
		sim_exec_run(sc, profile, o, report);
}
