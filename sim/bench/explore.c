/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * explore.c - the explorer's part of reuseport-bench: schedules, steps
 * (decision points executed, replayed ones included) and distinct states
 * per second on race scenarios, for the engine before (replay: OS
 * threads, every schedule replayed from the start, sleep sets, bound 2 by
 * default) and the one after (dpor: fibers, snapshots, DPOR, sleep sets,
 * states seen before cut), in the same run on the same machine.
 *
 *	reuseport-bench --explore FILE...
 *
 * Each file is explored under the 6.18 profile once per setting, and the
 * rates are printed one line each, per second of wall-clock time and per
 * second of CPU time (the process's, every thread's), then totals per
 * setting.  The replay engine does not count distinct states; a second,
 * untimed run of it with the count on gives them.  A search stopped at
 * the schedule cap is marked "stopped".
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "bench/bench.h"
#include "core/exec.h"
#include "core/fiber.h"
#include "tools/explore.h"

/* The replay engine takes about a millisecond a schedule: a three-thread
 * race would take hours to complete; its rates come from the first
 * schedules. */
#define BENCH_MAX_REPLAY	20000
#define BENCH_MAX_DPOR		1000000

typedef struct {
	const char	*name;
	SimEngine	 engine;
	guint		 bound;
	gboolean	 no_reduction;
	gboolean	 no_states;
	/* totals */
	guint64		 schedules, steps, distinct;
	double		 wall, cpu;
} Setting;

static Setting settings[] = {
	{ "replay bound 2", SIM_ENGINE_REPLAY, 2, FALSE, FALSE, 0, 0, 0, 0, 0 },
	{ "replay unbounded", SIM_ENGINE_REPLAY, SIM_EXPLORE_UNBOUNDED, FALSE,
	  FALSE, 0, 0, 0, 0, 0 },
	{ "dpor", SIM_ENGINE_DPOR, SIM_EXPLORE_UNBOUNDED, FALSE, FALSE, 0, 0,
	  0, 0, 0 },
	{ "dpor no states", SIM_ENGINE_DPOR, SIM_EXPLORE_UNBOUNDED, FALSE, TRUE,
	  0, 0, 0, 0, 0 },
};

static double
cpu_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double
rate(guint64 n, double secs)
{
	return secs > 0 ? (double)n / secs : 0;
}

static int
bench_one(const SimScenario *sc, Setting *set)
{
	SimExploreOptions o = { 0 };
	SimExploreStats s;
	g_autoptr(GError) err = NULL;
	g_autofree char *name = g_path_get_basename(sc->path);
	guint64 distinct;
	double c0, cpu;

	o.engine = set->engine;
	o.preemptions = set->bound;
	o.no_reduction = set->no_reduction;
	o.no_states = set->no_states;
	o.max_schedules = set->engine == SIM_ENGINE_REPLAY ? BENCH_MAX_REPLAY :
	    BENCH_MAX_DPOR;
	c0 = cpu_now();
	if (!sim_explore_scenario(sc, "6.18", &o, &s, &err)) {
		fprintf(stderr, "reuseport-bench: %s\n", err->message);
		return 2;
	}
	cpu = cpu_now() - c0;
	distinct = s.distinct;
	if (set->engine == SIM_ENGINE_REPLAY) {
		SimExploreStats c;

		/* untimed: the count costs a digest per step */
		o.count_states = TRUE;
		if (!sim_explore_scenario(sc, "6.18", &o, &c, &err)) {
			fprintf(stderr, "reuseport-bench: %s\n", err->message);
			sim_explore_stats_clear(&s);
			return 2;
		}
		distinct = c.distinct;
		sim_explore_stats_clear(&c);
	}
	printf("explore %-28s %-17s %7" G_GUINT64_FORMAT " sched %9"
	    G_GUINT64_FORMAT " steps %8" G_GUINT64_FORMAT " states %3u ends "
	    "%8.3f s %8.3f cpu-s | %9.0f sched/s %10.0f steps/s %9.0f "
	    "states/s (cpu)%s%s\n", name, set->name, s.schedules, s.states,
	    distinct, s.end_states, s.seconds, cpu, rate(s.schedules, cpu),
	    rate(s.states, cpu), rate(distinct, cpu), s.failed ? " FAILED" :
	    "", !s.complete && !s.failed ? " stopped" : "");
	set->schedules += s.schedules;
	set->steps += s.states;
	set->distinct += distinct;
	set->wall += s.seconds;
	set->cpu += cpu;
	sim_explore_stats_clear(&s);
	return 0;
}

int
bench_explore(int nfiles, char **files)
{
	printf("reuseport-bench --explore: profile 6.18, fibers switch by %s, "
	    "at most %d schedules a search (replay), %d (dpor)\n",
	    sim_fiber_switcher(), BENCH_MAX_REPLAY, BENCH_MAX_DPOR);
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
		for (guint k = 0; k < G_N_ELEMENTS(settings); k++)
			if (bench_one(sc, &settings[k]) != 0) {
				sim_scenario_free(sc);
				return 2;
			}
		sim_scenario_free(sc);
	}
	for (guint k = 0; k < G_N_ELEMENTS(settings); k++) {
		const Setting *t = &settings[k];

		printf("explore total %-17s %8" G_GUINT64_FORMAT " schedules %10"
		    G_GUINT64_FORMAT " steps %9" G_GUINT64_FORMAT " states in "
		    "%.3f s (%.3f cpu-s): %.0f schedules/s, %.0f steps/s, %.0f "
		    "states/s per cpu-second; %.0f steps/s wall\n", t->name,
		    t->schedules, t->steps, t->distinct, t->wall, t->cpu,
		    rate(t->schedules, t->cpu), rate(t->steps, t->cpu),
		    rate(t->distinct, t->cpu), rate(t->steps, t->wall));
	}
	return 0;
}
