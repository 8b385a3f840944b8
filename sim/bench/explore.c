/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * explore.c - the explorer's part of reuseport-bench: schedules and
 * steps (decision points executed, the explorer's states) per second on
 * race scenarios, under a preemption bound of 2 and unbounded.
 *
 *	reuseport-bench --explore FILE...
 *
 * Each file is explored once per setting under the 6.18 profile, with the
 * sleep-set reduction on and off, and the rates are printed one line each.
 */
#include <stdio.h>
#include <string.h>

#include "bench/bench.h"
#include "core/exec.h"
#include "tools/explore.h"

static int
bench_one(const SimScenario *sc, guint bound, gboolean no_reduction,
    guint64 *sched, guint64 *steps, double *secs)
{
	SimExploreOptions o = { 0 };
	SimExploreStats s;
	g_autoptr(GError) err = NULL;
	g_autofree char *name = g_path_get_basename(sc->path);

	o.preemptions = bound;
	o.no_reduction = no_reduction;
	o.max_schedules = 10000000;
	if (!sim_explore_scenario(sc, "6.18", &o, &s, &err)) {
		fprintf(stderr, "reuseport-bench: %s\n", err->message);
		return 2;
	}
	printf("explore %-28s %-9s %-12s %7" G_GUINT64_FORMAT " schedules "
	    "%8" G_GUINT64_FORMAT " steps %3u ends %8.3f s %9.0f sched/s "
	    "%10.0f steps/s%s\n", name, bound == SIM_EXPLORE_UNBOUNDED ?
	    "unbounded" : "bound 2", no_reduction ? "no reduction" :
	    "sleep sets", s.schedules, s.states, s.end_states, s.seconds,
	    s.seconds > 0 ? (double)s.schedules / s.seconds : 0,
	    s.seconds > 0 ? (double)s.states / s.seconds : 0,
	    s.failed ? " FAILED" : "");
	*sched += s.schedules;
	*steps += s.states;
	*secs += s.seconds;
	sim_explore_stats_clear(&s);
	return 0;
}

int
bench_explore(int nfiles, char **files)
{
	static const guint bounds[] = { 2, SIM_EXPLORE_UNBOUNDED };
	guint64 sched = 0, steps = 0;
	double secs = 0;

	for (int i = 0; i < nfiles; i++) {
		g_autoptr(GError) err = NULL;
		g_autoptr(GPtrArray) errors = g_ptr_array_new_with_free_func(
		    g_free);
		SimScenario *sc = sim_parse_file(files[i], &err);

		if (sc == NULL) {
			fprintf(stderr, "reuseport-bench: %s\n", err->message);
			return 2;
		}
		if (!sim_check_scenario(sc, errors) || sc->threads->len == 0) {
			fprintf(stderr, "reuseport-bench: %s: not a valid "
			    "scenario with threads\n", files[i]);
			sim_scenario_free(sc);
			return 2;
		}
		for (guint b = 0; b < G_N_ELEMENTS(bounds); b++)
			for (int r = 0; r < 2; r++)
				if (bench_one(sc, bounds[b], r == 1, &sched,
				    &steps, &secs) != 0) {
					sim_scenario_free(sc);
					return 2;
				}
		sim_scenario_free(sc);
	}
	printf("explore total: %" G_GUINT64_FORMAT " schedules, %"
	    G_GUINT64_FORMAT " steps in %.3f s: %.0f schedules/s, %.0f "
	    "steps/s\n", sched, steps, secs, secs > 0 ? sched / secs : 0,
	    secs > 0 ? steps / secs : 0);
	return 0;
}
