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
	gboolean		 ends;		/* print the end states */
	const char		*save;		/* the counterexample's file */
	gboolean		 bound_set;	/* --preemptions given */
	FILE			*out;
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
			sim_cli_fail("%s", werr->message);
	}
}

/* The distinct end states, sorted, each line indented. */
static void
put_ends(const ExploreCmd *c, const SimExploreStats *s)
{
	for (guint i = 0; i < s->ends->len; i++) {
		g_auto(GStrv) lines = g_strsplit(s->ends->pdata[i], "\n", -1);

		fprintf(c->out, "  end state %u:\n", i + 1);
		for (guint j = 0; lines[j] != NULL; j++)
			if (*lines[j] != '\0')
				fprintf(c->out, "    %s\n", lines[j]);
	}
}

/* Explore sc under each of its profiles.  SIM_EXIT_USAGE after
 * adding to errors when the search found the input bad (a schedule
 * naming no thread ...). */
static int
explore_one(const ExploreCmd *c, SimWriter *w, const SimInput *in,
    GPtrArray *errors)
{
	g_autoptr(GPtrArray) profs = sim_scenario_profiles(in->sc,
	    c->profiles);
	int status = SIM_EXIT_OK;

	for (guint j = 0; j < profs->len; j++) {
		g_autoptr(GError) err = NULL;
		SimExploreStats s;

		if (!sim_explore_scenario(in->sc, profs->pdata[j], &c->search,
		    &s, &err)) {
			sim_explore_stats_clear(&s);
			if (g_error_matches(err, SIM_ERROR, SIM_ERROR_INPUT)) {
				sim_diags_add_text(errors, err->message);
				return SIM_EXIT_USAGE;
			}
			sim_cli_fail("%s", err->message); /* LCOV_EXCL_LINE */
			status = SIM_EXIT_FAIL;		/* LCOV_EXCL_LINE */
			continue;			/* LCOV_EXCL_LINE */
		}
		sim_write_explore(w, &c->search, in->path, profs->pdata[j],
		    &s);
		if (s.failed || !s.complete)
			status = SIM_EXIT_FAIL;
		if (!s.complete && !s.failed && c->format != SIM_FORMAT_JSON)
			fprintf(c->out, "  stopped at --max-schedules %"
			    G_GUINT64_FORMAT "\n", c->search.max_schedules);
		if (s.failed)
			put_failure(c, &s);
		if (c->ends && c->format != SIM_FORMAT_JSON)
			put_ends(c, &s);
		sim_explore_stats_clear(&s);
	}
	return status;
}

static int
explore_paths(const ExploreCmd *c, char *const *paths, gsize n)
{
	g_autoptr(GPtrArray) errors = sim_diags_new();
	g_autoptr(GPtrArray) inputs = NULL;
	int status = SIM_EXIT_OK;
	SimWriter w;

	sim_writer_init(&w, c->format, c->out, stderr, "explore");
	/* every file is parsed and checked before anything runs */
	inputs = sim_inputs_load(paths, n, errors);
	for (guint i = 0; inputs != NULL && i < inputs->len; i++) {
		const SimInput *in = inputs->pdata[i];

		/* a file named on the command line must have threads */
		if (in->sc->threads->len == 0 && in->named)
			g_ptr_array_add(errors, sim_diag_new(in->path, 0, 0,
			    "no thread blocks: nothing to interleave (thread "
			    "NAME ... end)"));
	}
	if (inputs == NULL || errors->len > 0)
		return sim_write_input_errors(&w, errors);
	for (guint i = 0; i < inputs->len; i++) {
		const SimInput *in = inputs->pdata[i];
		int st;

		if (in->sc->threads->len == 0)
			continue;	/* found in a directory: threads only */
		st = explore_one(c, &w, in, errors);
		if (st == SIM_EXIT_USAGE)
			return sim_write_input_errors(&w, errors);
		if (st != SIM_EXIT_OK)
			status = st;
	}
	sim_write_explore_summary(&w, status);
	return status;
}

/* ---------------------------------------------------------------------
 * The command line
 */

enum { O_PROFILE, O_PREEMPTIONS, O_NO_REDUCTION, O_MAX_SCHEDULES, O_PLANT,
	O_FORMAT, O_SAVE, O_QUIET, O_ENGINE, O_NO_STATES, O_END_STATES,
	O_CHECK };

/* The engines --engine names (SimChoicesFn; NULL-terminated, as
 * choices_text() joins them). */
static const char *const *
engine_choices(gsize *n)
{
	static const char *const engines[] = { "dpor", "replay", NULL };

	*n = G_N_ELEMENTS(engines) - 1;
	return engines;
}

/* The bugs --plant can plant (SimChoicesFn). */
static const char *const *
plant_choices(gsize *n)
{
	return sim_plant_names(n);
}

static const SimOption explore_options[] = {
	{ "--profile", "P[,P]", O_PROFILE,
	    "explore only under these profiles", sim_cli_profile_choices },
	{ "--preemptions", "N|unbounded", O_PREEMPTIONS,
	    "at most N preemptions per schedule (default\n"
	    "unbounded; 2 with --engine=replay)", NULL },
	{ "--no-reduction", NULL, O_NO_REDUCTION,
	    "no reduction (no DPOR, sleep sets or states\n"
	    "seen before): every schedule within the bound", NULL },
	{ "--max-schedules", "N", O_MAX_SCHEDULES,
	    "stop after N schedules (default 1000000); an\n"
	    "incomplete search fails", NULL },
	{ "--plant", "BUG[,BUG]", O_PLANT,
	    "plant known bugs in the model", plant_choices },
	{ "--format", "text|json", O_FORMAT,
	    "text (default) or JSON (one object a line)", NULL },
	{ "--save", "FILE", O_SAVE,
	    "write the counterexample scenario to FILE", NULL },
	{ "--quiet", NULL, O_QUIET,
	    "no counterexample text on stdout", NULL },
	{ "--engine", "dpor|replay", O_ENGINE,
	    "dpor (default): DPOR over the model's footprints\n"
	    "with snapshots; replay: each schedule replayed\n"
	    "from the start on threads (the old engine)", engine_choices },
	{ "--no-states", NULL, O_NO_STATES,
	    "dpor: do not prune states seen before", NULL },
	{ "--end-states", NULL, O_END_STATES,
	    "print the distinct end states", NULL },
	SIM_OPTION_CHECK(O_CHECK),
};

const SimCommand sim_cmd_explore_def = {
	"explore", "FILE|DIR...",
	"run every interleaving of a scenario's thread\n"
	"blocks at the model's lock and RCU points and\n"
	"at each statement start; a directory explores\n"
	"the scenarios in it that have threads",
	"Run every interleaving of each scenario's thread blocks at the\n"
	"model's lock and RCU points and at each statement start, checking\n"
	"the invariants; a directory explores the scenarios in it that have\n"
	"threads.  A failure prints a counterexample: a scenario with a\n"
	"schedule that run and explain replay.",
	explore_options, G_N_ELEMENTS(explore_options),
	"Exit status: 0 every search complete without a failure, 1 a failure\n"
	"or an incomplete search, 2 bad input.",
	sim_cmd_explore, FALSE,
};

/* A number from lo to hi into *out; FALSE when v is none. */
static gboolean
number(const char *v, guint64 lo, guint64 hi, guint64 *out)
{
	return g_ascii_string_to_unsigned(v, 10, lo, hi, out, NULL);
}

/* --plant BUG[,BUG]: bugs the model can plant. */
static int
set_plant(ExploreCmd *c, const char *v)
{
	g_auto(GStrv) parts = sim_cli_list(v);
	gsize nplants;
	const char *const *pnames = sim_plant_names(&nplants);

	for (guint k = 0; parts[k] != NULL; k++) {
		unsigned bit;

		if (!sim_plant_find(parts[k], &bit))
			return sim_cli_error(&sim_cmd_explore_def, sim_suggest(
			    parts[k], pnames, nplants), "unknown bug '%s'",
			    parts[k]);
		c->search.plant |= bit;
	}
	return SIM_CLI_GO_ON;
}

static int
explore_option(void *ud, int id, const char *opt, const char *v)
{
	static const char *const formats[] = { "text", "json", NULL };
	ExploreCmd *c = ud;
	gsize ne;
	const char *const *engines = engine_choices(&ne);
	guint64 n;

	(void)opt;
	switch (id) {
	case O_PROFILE:
		return sim_cli_profiles(&sim_cmd_explore_def, v,
		    SIM_PROFILES_CHECKED, c->selected, NULL, NULL, NULL);
	case O_PREEMPTIONS:
		if (strcmp(v, "unbounded") == 0)
			c->search.preemptions = SIM_EXPLORE_UNBOUNDED;
		else if (number(v, 0, 1000, &n))
			c->search.preemptions = (guint)n;
		else
			return sim_cli_error(&sim_cmd_explore_def, NULL, "--preemptions"
			    ": '%s' is not 0..1000 or unbounded", v);
		c->bound_set = TRUE;
		break;
	case O_NO_REDUCTION:
		c->search.no_reduction = TRUE;
		break;
	case O_MAX_SCHEDULES:
		if (!number(v, 1, G_GUINT64_CONSTANT(1000000000000), &n))
			return sim_cli_error(&sim_cmd_explore_def, NULL,
			    "--max-schedules: '%s' is not 1..10^12", v);
		c->search.max_schedules = n;
		break;
	case O_PLANT:
		return set_plant(c, v);
	case O_FORMAT:
		return sim_cli_format(&sim_cmd_explore_def, v, formats, &c->format);
	case O_SAVE:
		c->save = v;
		break;
	case O_ENGINE:
		if (strcmp(v, "dpor") == 0)
			c->search.engine = SIM_ENGINE_DPOR;
		else if (strcmp(v, "replay") == 0)
			c->search.engine = SIM_ENGINE_REPLAY;
		else
			return sim_cli_error(&sim_cmd_explore_def,
			    sim_suggest(v, engines, ne),
			    "--engine: '%s' is not dpor or replay", v);
		break;
	case O_NO_STATES:
		c->search.no_states = TRUE;
		break;
	case O_END_STATES:
		c->ends = TRUE;
		break;
	case O_CHECK:
		return sim_cli_check(&sim_cmd_explore_def, v,
		    &c->search.check);
	default:
		c->quiet = TRUE;
		break;
	}
	return SIM_CLI_GO_ON;
}

int
sim_cmd_explore(int argc, char **argv)
{
	g_autoptr(GPtrArray) paths = g_ptr_array_new();
	g_autoptr(GPtrArray) profiles = g_ptr_array_new_with_free_func(
	    g_free);
	ExploreCmd c = { 0 };
	int st;

	c.out = stdout;
	c.search.engine = SIM_ENGINE_DPOR;
	c.search.preemptions = SIM_EXPLORE_UNBOUNDED;
	c.search.max_schedules = 1000000;
	c.selected = profiles;
	st = sim_options_parse(&sim_cmd_explore_def, explore_option, argc,
	    argv, paths, TRUE, &c);
	if (st != SIM_CLI_GO_ON)
		return st;
	/* the replay engine's search was bounded by default */
	if (c.search.engine == SIM_ENGINE_REPLAY && !c.bound_set)
		c.search.preemptions = 2;
	c.profiles = sim_cli_selected(profiles);
	return explore_paths(&c, (char *const *)paths->pdata, paths->len);
}
