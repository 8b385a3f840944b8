/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * outcome.h - what one schedule comes to (outcome.c): the end state as a
 * canonical string, and a failing schedule as a replayable scenario.
 * Both explorer engines (explore.c, dpor.c) use them.
 */
#ifndef SIM_TOOLS_OUTCOME_H
#define SIM_TOOLS_OUTCOME_H

#include <glib.h>

#include "core/sched.h"
#include "lang/scenario.h"

G_BEGIN_DECLS

char	*sim_end_digest(SimSched *s, SimExec *x);
void	 sim_counterexample(const SimScenario *sc, const char *profile,
	    unsigned plant, SimSched *s, const char *why, GString *out);

G_END_DECLS

#endif /* SIM_TOOLS_OUTCOME_H */
