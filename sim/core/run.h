/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * run.h - running a scenario under one profile (run.c): whoever runs one
 * calls this, with its options and hooks, whatever the scenario holds.
 */
#ifndef SIM_CORE_RUN_H
#define SIM_CORE_RUN_H

#include "core/hooks.h"
#include "core/report.h"
#include "lang/scenario.h"

G_BEGIN_DECLS

void	 sim_run_scenario(const SimScenario *sc, const char *profile,
	    const SimExecOptions *o, SimReport *report);

G_END_DECLS

#endif /* SIM_CORE_RUN_H */
