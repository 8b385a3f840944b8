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

#include "lang/scenario.h"

G_BEGIN_DECLS

#define SIM_EXPLORE_UNBOUNDED	G_MAXUINT

typedef enum {
	SIM_ENGINE_DPOR,
	SIM_ENGINE_REPLAY,
} SimEngine;

typedef struct SimExploreOptions SimExploreOptions;
struct SimExploreOptions {
	SimEngine	 engine;
	guint		 preemptions;	/* bound; SIM_EXPLORE_UNBOUNDED */
	gboolean	 no_reduction;	/* no DPOR, sleep sets, state cut */
	gboolean	 no_states;	/* dpor: no state cut */
	gboolean	 count_states;	/* replay: count distinct states */
	guint64		 max_schedules;	/* 0: no limit */
	unsigned	 plant;		/* rp_state_plant() bugs */
};

/* What one exploration of one scenario under one profile found. */
typedef struct SimExploreStats SimExploreStats;
struct SimExploreStats {
	guint64		 schedules;	/* runs to the end, or to a failure */
	guint64		 pruned;	/* runs cut by sleep sets, the bound,
					 * or a state seen before */
	guint64		 states;	/* steps executed, replayed ones too */
	guint64		 distinct;	/* distinct states (count_states for
					 * the replay engine) */
	guint64		 replayed;	/* steps run again after a restore */
	guint64		 restores;	/* snapshots restored */
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
