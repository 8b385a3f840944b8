/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * explore.h - the interleaving explorer of reuseport-sim (explore.c):
 * every schedule of a scenario's threads at the model's scheduling points
 * (reuseport lock, callback locks, RCU; model/lock.c) and at the start of
 * each statement, run by the deterministic scheduler (core/sched.h).
 *
 * Two engines.  dpor (dpor.c, the default): threads on fibers, the state
 * saved where every thread is between statements and restored instead of
 * replayed, a source-set dynamic partial-order reduction over the read
 * and write footprints the model reports, sleep sets, and states seen
 * before cut off.  replay (explore.c, the engine before it, kept to
 * compare): threads on OS threads, every schedule replayed from the
 * start, a preemption bound and sleep sets.
 */
#ifndef SIM_TOOLS_EXPLORE_H
#define SIM_TOOLS_EXPLORE_H

#include <glib.h>

#include "core/backend.h"
#include "lang/scenario.h"
#include "tools/search.h"

G_BEGIN_DECLS

gboolean	 sim_explore_scenario(const SimScenario *sc,
		    const char *profile, const SimExploreOptions *opts,
		    SimExploreStats *stats, GError **error);
void		 sim_explore_stats_clear(SimExploreStats *stats);

G_END_DECLS

#endif /* SIM_TOOLS_EXPLORE_H */
