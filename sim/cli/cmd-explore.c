/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * cmd-explore.c - `reuseport-sim explore`: every interleaving of the
 * threads of each scenario (tools/explore.c), one result per scenario and
 * profile, and the counterexample of a failure (on stdout, or --save).
 */
#include <stdio.h>
#include <string.h>

#include "cli/cmd-explore.h"
#include "cli/options.h"
#include "cli/report.h"
#include "core/error.h"
#include "core/inputs.h"
#include "core/plant.h"
#include "core/profiles.h"
#include "lang/suggest.h"
#include "tools/explore.h"

typedef struct {
	SimExploreOptions	 search;
	char			**profiles;	/* selected; NULL = all */
	SimFormat		 format;
	gboolean		 quiet;		/* no counterexample text */
	const char		*save;		/* the counterexample's file */
	FILE			*out;
	FILE			*err;
	GPtrArray		*selected;	/* char *, for profiles */
} ExploreCmd;

/* A failure: say it, print the counterexample, save it. */
static void
put_failure(const ExploreCmd *c, const SimExploreStats *s)
{
	if (c->format != SIM_FORMAT_JSON && !c->quiet) {
		fprintf(c->out, "  %s\n", s->failure);
		fprintf(c->out, "  replay it: save the lines below as a .scn "
		    "file next to the scenario and `reuseport-sim run` it\n");
		fputs(s->counterexample, c->out);
	}
	if (c->save != NULL) {
		g_autoptr(GError) werr = NULL;

		if (!g_file_set_contents(c->save, s->counterexample, -1,
		    &werr))
			fprintf(c->err, "reuseport-sim: %s\n", werr->message);
	}
}

static int
explore_paths(const ExploreCmd *c, char *const *paths, gsize n)
{
	/* every file is parsed and checked before anything runs */
	g_autoptr(GPtrArray) inputs = sim_inputs_load(paths, n, c->err);
	SimWriter w = { c->format, c->out, 0, 0, 0, 0 };
	gboolean failed = FALSE;

	if (inputs == NULL)
		return SIM_EXIT_USAGE;
	for (guint i = 0; i < inputs->len; i++) {
		const SimInput *in = inputs->pdata[i];

		/* a file named on the command line must have threads */
		if (in->sc->threads->len == 0 &&
		    strcmp(in->name, in->path) == 0) {
			fprintf(c->err, "%s: no thread blocks: nothing to "
			    "interleave (thread NAME ... end)\n", in->path);
			return SIM_EXIT_USAGE;
		}
	}
	for (guint i = 0; i < inputs->len; i++) {
		const SimInput *in = inputs->pdata[i];
		g_autoptr(GPtrArray) profs = sim_scenario_profiles(in->sc,
		    c->profiles);

		if (in->sc->threads->len == 0)
			continue;	/* found in a directory: threads only */
		for (guint j = 0; j < profs->len; j++) {
			g_autoptr(GError) err = NULL;
			SimExploreStats s;

			if (!sim_explore_scenario(in->sc, profs->pdata[j],
			    &c->search, &s, &err)) {
				fprintf(c->err, "%s\n", err->message);
				sim_explore_stats_clear(&s);
				if (g_error_matches(err, SIM_ERROR,
				    SIM_ERROR_INPUT))
					return SIM_EXIT_USAGE;
				failed = TRUE;	/* LCOV_EXCL_LINE */
				continue;	/* LCOV_EXCL_LINE */
			}
			sim_write_explore(&w, &c->search, in->name,
			    profs->pdata[j], &s);
			if (s.failed || !s.complete)
				failed = TRUE;
			if (!s.complete && !s.failed &&
			    c->format != SIM_FORMAT_JSON)
				fprintf(c->out, "  stopped at "
				    "--max-schedules %" G_GUINT64_FORMAT "\n",
				    c->search.max_schedules);
			if (s.failed)
				put_failure(c, &s);
			sim_explore_stats_clear(&s);
		}
	}
	return failed ? SIM_EXIT_FAIL : SIM_EXIT_OK;
}

/* ---------------------------------------------------------------------
 * The command line
 */

static int
opt_profile(void *ud, const char *opt, const char *v)
{
	ExploreCmd *c = ud;
	g_auto(GStrv) parts = sim_cli_list(v);

	(void)opt;
	for (guint k = 0; parts[k] != NULL; k++) {
		g_autofree char *bad = sim_profile_unknown(parts[k]);

		if (bad != NULL)
			return sim_cli_error(&sim_cli_main, NULL, "%s", bad);
		g_ptr_array_add(c->selected, g_strdup(parts[k]));
	}
	return SIM_CLI_GO_ON;
}

static int
opt_preemptions(void *ud, const char *opt, const char *v)
{
	ExploreCmd *c = ud;
	guint64 n;

	(void)opt;
	if (strcmp(v, "unbounded") == 0)
		c->search.preemptions = SIM_EXPLORE_UNBOUNDED;
	else if (g_ascii_string_to_unsigned(v, 10, 0, 1000, &n, NULL))
		c->search.preemptions = (guint)n;
	else
		return sim_cli_error(&sim_cli_main, NULL, "--preemptions: '%s' "
		    "is not 0..1000 or unbounded", v);
	return SIM_CLI_GO_ON;
}

static int
opt_max_schedules(void *ud, const char *opt, const char *v)
{
	ExploreCmd *c = ud;
	guint64 n;

	(void)opt;
	if (!g_ascii_string_to_unsigned(v, 10, 1,
	    G_GUINT64_CONSTANT(1000000000000), &n, NULL))
		return sim_cli_error(&sim_cli_main, NULL, "--max-schedules: "
		    "'%s' is not 1..10^12", v);
	c->search.max_schedules = n;
	return SIM_CLI_GO_ON;
}

static int
opt_plant(void *ud, const char *opt, const char *v)
{
	ExploreCmd *c = ud;
	g_auto(GStrv) parts = sim_cli_list(v);
	gsize nplants;
	const char *const *pnames = sim_plant_names(&nplants);

	(void)opt;
	for (guint k = 0; parts[k] != NULL; k++) {
		unsigned bit;

		if (!sim_plant_find(parts[k], &bit))
			return sim_cli_error(&sim_cli_main, sim_suggest(
			    parts[k], pnames, nplants), "unknown bug '%s'",
			    parts[k]);
		c->search.plant |= bit;
	}
	return SIM_CLI_GO_ON;
}

static int
opt_format(void *ud, const char *opt, const char *v)
{
	static const char *const formats[] = { "text", "json", NULL };
	ExploreCmd *c = ud;
	int f;
	int st = sim_cli_format(&sim_cli_main, v, formats, &f);

	(void)opt;
	c->format = (SimFormat)f;
	return st;
}

static int
opt_save(void *ud, const char *opt, const char *v)
{
	(void)opt;
	((ExploreCmd *)ud)->save = v;
	return SIM_CLI_GO_ON;
}

static int
opt_flag(void *ud, const char *opt, const char *v)
{
	ExploreCmd *c = ud;

	(void)v;
	if (strcmp(opt, "--quiet") == 0)
		c->quiet = TRUE;
	else
		c->search.no_reduction = TRUE;
	return SIM_CLI_GO_ON;
}

static const SimOption explore_options[] = {
	{ "--profile", TRUE, opt_profile },
	{ "--preemptions", TRUE, opt_preemptions },
	{ "--no-reduction", FALSE, opt_flag },
	{ "--max-schedules", TRUE, opt_max_schedules },
	{ "--plant", TRUE, opt_plant },
	{ "--format", TRUE, opt_format },
	{ "--save", TRUE, opt_save },
	{ "--quiet", FALSE, opt_flag },
};

int
sim_cmd_explore(int argc, char **argv)
{
	g_autoptr(GPtrArray) paths = g_ptr_array_new();
	g_autoptr(GPtrArray) profiles = g_ptr_array_new_with_free_func(
	    g_free);
	ExploreCmd c = { 0 };
	int st;

	c.out = stdout;
	c.err = stderr;
	c.search.preemptions = 2;
	c.search.max_schedules = 1000000;
	c.selected = profiles;
	st = sim_options_parse(&sim_cli_main, explore_options,
	    G_N_ELEMENTS(explore_options), argc, argv, paths, &c);
	if (st != SIM_CLI_GO_ON)
		return st;
	if (paths->len == 0)
		return sim_cli_error(&sim_cli_main, NULL, "explore: no FILE or "
		    "DIR given");
	if (profiles->len > 0) {
		g_ptr_array_add(profiles, NULL);
		c.profiles = (char **)profiles->pdata;
	}
	return explore_paths(&c, (char *const *)paths->pdata, paths->len);
}
