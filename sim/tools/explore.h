/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * explore.h - the interleaving explorer of reuseport-sim (explore.c).
 *
 * A scenario with thread blocks has three parts: the statements before
 * the first thread block (the prologue, run alone), the threads (run
 * concurrently), and the statements after the last block (the epilogue,
 * run alone once every thread has finished).  `explore` runs every
 * schedule of the threads at the model's scheduling points (reuseport
 * lock, callback locks, RCU; model/lock.c) and at the start of each
 * statement, replaying the scenario from the start for each, bounded by
 * preemptions and cut by sleep sets.
 */
#ifndef SIM_EXPLORE_H
#define SIM_EXPLORE_H

#include "core/sim.h"

G_BEGIN_DECLS

#define SIM_EXPLORE_UNBOUNDED	G_MAXUINT

typedef struct SimExploreOptions SimExploreOptions;
struct SimExploreOptions {
	char		**profiles;	/* selected; NULL = all declared */
	guint		 preemptions;	/* bound; SIM_EXPLORE_UNBOUNDED */
	gboolean	 no_reduction;	/* no sleep sets */
	guint64		 max_schedules;	/* 0: no limit */
	unsigned	 plant;		/* rp_state_plant() bugs */
	SimFormat	 format;	/* text or json */
	gboolean	 quiet;		/* no counterexample text */
	const char	*save;		/* write the counterexample here */
	FILE		*out;
	FILE		*err;
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
int		 sim_explore_paths(const SimExploreOptions *opts,
		    char *const *paths, gsize n);

/* The bugs rp_state_plant() can put into the model, by name. */
gboolean	 sim_plant_find(const char *name, unsigned *bit);
const char *const *sim_plant_names(gsize *n);
char		*sim_plant_describe(unsigned bits);

/* A scenario with a `schedule` statement runs that one schedule. */
gboolean	 sim_explore_has_schedule(const SimScenario *sc);
void		 sim_explore_run_schedule(const SimScenario *sc,
		    const char *profile, const SimBackendOps *ops,
		    SimTraceLevel trace, SimReport *report);

G_END_DECLS

#endif /* SIM_EXPLORE_H */
