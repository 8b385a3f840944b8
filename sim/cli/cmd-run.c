/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * cmd-run.c - `reuseport-sim run`: files and directories in, one result
 * per scenario and profile out; and `reuseport-sim list-verbs`.
 */
#include <stdio.h>
#include <string.h>

#include "backend/model.h"
#include "cli/cmd-run.h"
#include "cli/options.h"
#include "core/error.h"
#include "core/inputs.h"
#include "core/profiles.h"
#include "core/run.h"
#include "core/verbs.h"
#include "lang/suggest.h"
#ifdef HAVE_KERNEL_BACKEND
#include "backend/kernel.h"
#endif

/* The backends --backend chooses from; the first is the default. */
static const SimBackendOps *const backends[] = {
	&sim_backend_model,
#ifdef HAVE_KERNEL_BACKEND
	&sim_backend_kernel,
#endif
};

/* Every selected profile must exist in the model. */
static gboolean
check_selected(char *const *selected, FILE *err)
{
	gboolean ok = TRUE;
	guint i;

	for (i = 0; selected != NULL && selected[i] != NULL; i++) {
		g_autofree char *msg = sim_profile_unknown(selected[i]);

		if (msg == NULL)
			continue;
		fprintf(err, "reuseport-sim: %s\n", msg);
		ok = FALSE;
	}
	return ok;
}

/*
 * The run command: find the scenarios of paths (files, and *.scn files
 * below directories, sorted), parse and check all of them, and only then
 * run each under every selected profile it declares, writing one result
 * per scenario and profile and a summary.  Return the exit status:
 * SIM_EXIT_OK, SIM_EXIT_FAIL when a scenario failed, SIM_EXIT_USAGE when
 * the input is bad (nothing is run then).
 */
int
sim_run_paths(const SimRunOptions *opts, char *const *paths, gsize n)
{
	g_autoptr(GPtrArray) inputs = NULL;
	SimWriter w = { opts->format, opts->out, 0, 0, 0, 0 };
	SimExecOptions xo = { 0 };
	guint total = 0, i, j;

	g_return_val_if_fail(opts != NULL && opts->out != NULL &&
	    opts->err != NULL, SIM_EXIT_USAGE);
	if (!check_selected(opts->profiles, opts->err))
		return SIM_EXIT_USAGE;
	inputs = sim_inputs_load(paths, n, opts->err);
	if (inputs == NULL)
		return SIM_EXIT_USAGE;
	xo.ops = opts->backend != NULL ? opts->backend : &sim_backend_model;
	xo.trace = opts->trace;
	xo.keep_going = opts->keep_going;
	for (i = 0; i < inputs->len; i++) {
		const SimInput *in = inputs->pdata[i];
		g_autoptr(GPtrArray) profs = sim_scenario_profiles(in->sc,
		    opts->profiles);

		total += MAX(profs->len, 1);
	}
	if (opts->format == SIM_FORMAT_TAP)
		fprintf(opts->out, "1..%u\n", total);
	for (i = 0; i < inputs->len; i++) {
		const SimInput *in = inputs->pdata[i];
		g_autoptr(GPtrArray) profs = sim_scenario_profiles(in->sc,
		    opts->profiles);

		if (profs->len == 0)
			sim_write_skip(&w, in->name, NULL, NULL,
			    "no selected profile");
		for (j = 0; j < profs->len; j++) {
			SimReport rep = { 0 };

			sim_run_scenario(in->sc, profs->pdata[j], &xo, &rep);
			sim_write_run(&w, in->name, profs->pdata[j], &rep);
			sim_report_clear(&rep);
		}
		fflush(opts->out);
	}
	sim_write_run_summary(&w);
	return w.failed > 0 ? SIM_EXIT_FAIL : SIM_EXIT_OK;
}

/* ---------------------------------------------------------------------
 * The command line
 */

typedef struct {
	SimRunOptions	 o;
	GPtrArray	*profiles;	/* char * */
	gboolean	 all;
} RunCmd;

static int
opt_profile(void *ud, const char *opt, const char *v)
{
	RunCmd *c = ud;
	g_auto(GStrv) parts = sim_cli_list(v);

	(void)opt;
	for (guint k = 0; parts[k] != NULL; k++) {
		if (strcmp(parts[k], "all") == 0) {
			c->all = TRUE;
		} else if (strcmp(parts[k], "auto") == 0) {
			g_autoptr(GError) e = NULL;
			const char *p = sim_profile_auto(&e);

			if (p == NULL)
				return sim_cli_error(&sim_cli_main, NULL, "%s",
				    e->message);
			g_ptr_array_add(c->profiles, g_strdup(p));
		} else {
			g_ptr_array_add(c->profiles, g_strdup(parts[k]));
		}
	}
	return SIM_CLI_GO_ON;
}

static int
opt_format(void *ud, const char *opt, const char *v)
{
	static const char *const formats[] = { "text", "tap", "json", NULL };
	RunCmd *c = ud;
	int f;
	int st = sim_cli_format(&sim_cli_main, v, formats, &f);

	(void)opt;
	c->o.format = (SimFormat)f;
	return st;
}

static int
opt_backend(void *ud, const char *opt, const char *v)
{
	const char *names[G_N_ELEMENTS(backends)];
	RunCmd *c = ud;
	guint k;

	(void)opt;
	for (k = 0; k < G_N_ELEMENTS(backends); k++) {
		names[k] = backends[k]->name;
		if (strcmp(v, names[k]) == 0)
			c->o.backend = backends[k];
	}
	if (c->o.backend == NULL)
		return sim_cli_error(&sim_cli_main, sim_suggest(v, names,
		    G_N_ELEMENTS(names)), "unknown backend '%s'", v);
	return SIM_CLI_GO_ON;
}

static int
opt_trace(void *ud, const char *opt, const char *v)
{
	RunCmd *c = ud;

	(void)v;
	c->o.trace = strcmp(opt, "--trace=all") == 0 ? SIM_TRACE_ALL :
	    SIM_TRACE_ON;
	return SIM_CLI_GO_ON;
}

static int
opt_keep_going(void *ud, const char *opt, const char *v)
{
	RunCmd *c = ud;

	(void)opt;
	(void)v;
	c->o.keep_going = TRUE;
	return SIM_CLI_GO_ON;
}

static const SimOption run_options[] = {
	{ "--profile", TRUE, opt_profile },
	{ "--format", TRUE, opt_format },
	{ "--trace", FALSE, opt_trace },
	{ "--trace=all", FALSE, opt_trace },
	{ "--keep-going", FALSE, opt_keep_going },
	{ "--backend", TRUE, opt_backend },
};

int
sim_cmd_run(int argc, char **argv)
{
	g_autoptr(GPtrArray) paths = g_ptr_array_new();
	g_autoptr(GPtrArray) profiles = g_ptr_array_new_with_free_func(
	    g_free);
	RunCmd c = { 0 };
	int st;

	c.o.out = stdout;
	c.o.err = stderr;
	c.profiles = profiles;
	st = sim_options_parse(&sim_cli_main, run_options,
	    G_N_ELEMENTS(run_options), argc, argv, paths, &c);
	if (st != SIM_CLI_GO_ON)
		return st;
	if (paths->len == 0)
		return sim_cli_error(&sim_cli_main, NULL, "run: no FILE or "
		    "DIR given");
	if (!c.all && profiles->len > 0) {
		g_ptr_array_add(profiles, NULL);
		c.o.profiles = (char **)profiles->pdata;
	}
	return sim_run_paths(&c.o, (char *const *)paths->pdata, paths->len);
}

/* list-verbs: the verb table, one verb and its help a line each. */
int
sim_cmd_list_verbs(int argc, char **argv)
{
	const SimVerb *v;
	gsize n, i;

	if (argc > 1)
		return sim_cli_error(&sim_cli_main, NULL, "list-verbs: "
		    "unexpected argument '%s'", argv[1]);
	v = sim_verbs(&n);
	for (i = 0; i < n; i++)
		printf("%s %s\n    %s\n", v[i].name, v[i].usage, v[i].help);
	return SIM_EXIT_OK;
}
