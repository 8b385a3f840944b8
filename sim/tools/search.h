/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * search.h - what an exploration is asked and what it found: the options
 * and the statistics both engines of the explorer (explore.c, dpor.c)
 * share.  Types only.
 */
#ifndef SIM_TOOLS_SEARCH_H
#define SIM_TOOLS_SEARCH_H

#include <glib.h>

#include "core/backend.h"

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
	SimCheckMode	 check;		/* at each R-RACE-1 point */
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

G_END_DECLS

#endif /* SIM_TOOLS_SEARCH_H */
