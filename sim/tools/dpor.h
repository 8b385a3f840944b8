/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * dpor.h - the dpor engine of the explorer (dpor.c): a depth-first
 * search over the schedules of a scenario's threads that saves and
 * restores states instead of replaying them, reduced by source-set
 * dynamic partial-order reduction, sleep sets and states seen before;
 * and the state digests it uses, which the replay engine borrows to
 * count distinct states.
 */
#ifndef SIM_TOOLS_DPOR_H
#define SIM_TOOLS_DPOR_H

#include <glib.h>

#include "core/sched.h"
#include "lang/scenario.h"
#include "tools/search.h"

G_BEGIN_DECLS

gboolean	 sim_explore_dpor(const SimScenario *sc, const char *profile,
		    const SimExploreOptions *opts, SimExploreStats *stats,
		    GHashTable *ends, GError **error);

/* Distinct states of runs of one scheduler, step by step (the replay
 * engine's count). */
typedef struct SimStateCount SimStateCount;
SimStateCount	*sim_state_count_new(void);
void		 sim_state_count_start(SimStateCount *c, SimSched *s);
void		 sim_state_count_step(SimStateCount *c, SimSched *s, guint w,
		    gboolean from_start);
guint64		 sim_state_count_distinct(const SimStateCount *c);
void		 sim_state_count_free(SimStateCount *c);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(SimStateCount, sim_state_count_free)

G_END_DECLS

#endif /* SIM_TOOLS_DPOR_H */
