/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * explore.h - the interleaving explorer of reuseport-sim (explore.c):
 * every schedule of a scenario's threads at the model's scheduling points
 * (reuseport lock, callback locks, RCU; model/lock.c) and at the start of
 * each statement, each replayed from the start by the deterministic
 * scheduler (core/sched.h), bounded by preemptions and cut by sleep sets.
 */
#ifndef SIM_TOOLS_EXPLORE_H
#define SIM_TOOLS_EXPLORE_H

#include <glib.h>

#include "core/backend.h"
#include "lang/scenario.h"

G_BEGIN_DECLS

#define SIM_EXPLORE_UNBOUNDED	G_MAXUINT

typedef struct SimExploreOptions SimExploreOptions;
struct SimExploreOptions {
	guint		 preemptions;	/* bound; SIM_EXPLORE_UNBOUNDED */
	gboolean	 no_reduction;	/* no sleep sets */
	guint64		 max_schedules;	/* 0: no limit */
	unsigned	 plant;		/* rp_state_plant() bugs */
	SimCheckMode	 check;		/* at each R-RACE-1 point */
};

/* What one exploration of one scenario under one profile found. */
typedef struct SimExploreStats SimExploreStats;
struct SimExploreStats {
	guint64		 schedules;	/* runs to the end, or to a failure */
	guint64		 pruned;	/* runs cut by sleep sets or the bound */
	guint64		 states;	/* scheduling decisions executed */
	guint		 end_states;	/* distinct end states */
	guint		 max_depth;	/* most decisions in one schedule */
	gboolean	 complete;	/* the whole bounded space was covered */
	gboolean	 failed;
	char		*failure;	/* what broke, with file:line:col */
	char		*counterexample;	/* a replayable scenario */
	GPtrArray	*ends;		/* char *: the end states, sorted */
	double		 seconds;
};

gboolean	 sim_explore_scenario(const SimScenario *sc,
		    const char *profile, const SimExploreOptions *opts,
		    SimExploreStats *stats, GError **error);
void		 sim_explore_stats_clear(SimExploreStats *stats);

G_END_DECLS

#endif /* SIM_TOOLS_EXPLORE_H */
