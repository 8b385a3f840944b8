/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * cmd-run.c - `reuseport-sim run`: files and directories in, one result
 * per scenario and profile out; and `reuseport-sim list-verbs`.
 */
#include <stdio.h>
#include <string.h>

#include "backend/model.h"
#include "cli/cmd-run.h"
#include "cli/kernels.h"
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
	xo.kconfig_mptcp = opts->kconfig_mptcp;
	for (i = 0; i < inputs->len; i++) {
		const SimInput *in = inputs->pdata[i];
		g_autoptr(GPtrArray) profs = sim_scenario_profiles(in->sc,
		    opts->profiles);

		total += MAX(profs->len, 1);
	}
	if (opts->format == SIM_FORMAT_TAP)
		fprintf(opts->out, "1..%u\n", total);
	if (opts->release != NULL)
		sim_write_kernel(&w, opts->release, opts->profiles != NULL &&
		    opts->profiles[0] != NULL ? opts->profiles[0] : "(each "
		    "declared)", opts->note);
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
	const char	*profile, *kernels;
} RunCmd;

enum { O_PROFILE, O_FORMAT, O_TRACE, O_TRACE_ALL, O_KEEP_GOING, O_BACKEND,
	O_KERNEL };

static const SimOption run_options[] = {
	{ "--profile", TRUE, O_PROFILE },
	{ "--format", TRUE, O_FORMAT },
	{ "--trace", FALSE, O_TRACE },
	{ "--trace=all", FALSE, O_TRACE_ALL },
	{ "--keep-going", FALSE, O_KEEP_GOING },
	{ "--backend", TRUE, O_BACKEND },
	{ "--kernel", TRUE, O_KERNEL },
};

/* --backend B: one of backends[]. */
static int
set_backend(RunCmd *c, const char *v)
{
	const char *names[G_N_ELEMENTS(backends)];
	guint k;

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
run_option(void *ud, int id, const char *opt, const char *v)
{
	static const char *const formats[] = { "text", "tap", "json", NULL };
	RunCmd *c = ud;

	(void)opt;
	switch (id) {
	case O_PROFILE:
		c->profile = v;		/* read when the backend is known */
		break;
	case O_KERNEL:
		c->kernels = v;
		break;
	case O_FORMAT:
		return sim_cli_format(&sim_cli_main, v, formats, &c->o.format);
	case O_TRACE:
		c->o.trace = SIM_TRACE_ON;
		break;
	case O_TRACE_ALL:
		c->o.trace = SIM_TRACE_ALL;
		break;
	case O_KEEP_GOING:
		c->o.keep_going = TRUE;
		break;
	default:
		return set_backend(c, v);
	}
	return SIM_CLI_GO_ON;
}

int
sim_cmd_run(int argc, char **argv)
{
	g_autoptr(GPtrArray) paths = g_ptr_array_new();
	g_autoptr(GPtrArray) profiles = g_ptr_array_new_with_free_func(
	    g_free);
	g_autoptr(GPtrArray) kernels = NULL;
	g_autoptr(GString) note = g_string_new(NULL);
	g_autoptr(GError) e = NULL;
	g_autofree char *release = NULL;
	RunCmd c = { 0 };
	int st, kconfig = 0;

	c.o.out = stdout;
	c.o.err = stderr;
	c.profiles = profiles;
	st = sim_options_parse(&sim_cli_main, run_options,
	    G_N_ELEMENTS(run_options), run_option, argc, argv, paths,
	    "run: no FILE or DIR given", &c);
	if (st != SIM_CLI_GO_ON)
		return st;
	if (c.kernels != NULL) {
		/* --kernel K: the kernel backend, on K */
		kernels = sim_kernel_targets_parse(c.kernels, &e);
		if (kernels == NULL)
			return sim_cli_error(&sim_cli_main, NULL, "%s",
			    e->message);
		if (c.o.backend != NULL && c.o.backend != backends[
		    G_N_ELEMENTS(backends) - 1])
			return sim_cli_error(&sim_cli_main, NULL, "--kernel "
			    "runs the kernel backend: --backend %s does not "
			    "go with it", c.o.backend->name);
#ifndef HAVE_KERNEL_BACKEND
		return sim_cli_error(&sim_cli_main, NULL, "--kernel needs "
		    "the kernel backend: configure --enable-kernel-backend "
		    "(libbpf)");
#endif
		c.o.backend = backends[G_N_ELEMENTS(backends) - 1];
		if (kernels->len > 1 || ((SimKernelTarget *)
		    kernels->pdata[0])->vm != NULL) {
			g_autoptr(GPtrArray) ins = sim_inputs_load(
			    (char *const *)paths->pdata, paths->len, stderr);
			int worst = SIM_EXIT_OK;

			g_autoptr(GPtrArray) adds = NULL;

			if (ins == NULL)
				return SIM_EXIT_USAGE;
			adds = g_ptr_array_new_with_free_func(g_free);
			for (guint k = 0; k < paths->len; k++)
				g_ptr_array_add(adds, g_strdup(paths->pdata[k]));
			sim_kernel_add_inputs(adds, ins);
			for (guint k = 0; k < kernels->len; k++) {
				st = sim_kernel_run_here(kernels->pdata[k],
				    argc, argv, adds);
				if (st > worst)
					worst = st;
			}
			return worst;
		}
	}
	if (c.profile != NULL) {
		gboolean kernel = c.o.backend != NULL &&
		    c.o.backend != &sim_backend_model;

		st = sim_cli_profiles(&sim_cli_main, c.profile, kernel ?
		    SIM_PROFILES_RUN_KERNEL : SIM_PROFILES_RUN, profiles,
		    &c.all, note, &kconfig);
		if (st != SIM_CLI_GO_ON)
			return st;
	}
	if (!c.all && profiles->len > 0) {
		g_ptr_array_add(profiles, NULL);
		c.o.profiles = (char **)profiles->pdata;
	}
	if (c.o.backend != NULL && c.o.backend != &sim_backend_model) {
		release = sim_kernel_release();
		c.o.release = release;
		c.o.note = note->len > 0 ? note->str : NULL;
	}
	c.o.kconfig_mptcp = kconfig;
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
