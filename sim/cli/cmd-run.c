/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * cmd-run.c - `reuseport-sim run`: files and directories in, one result
 * per scenario and profile out; and `reuseport-sim list-verbs`.
 */
#include <stdio.h>
#include <string.h>

#include "backend/model.h"
#include "cli/budget.h"
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

/* Every selected profile must exist in the model: else add the errors
 * to errors. */
static gboolean
check_selected(char *const *selected, GPtrArray *errors)
{
	gboolean ok = TRUE;
	guint i;

	for (i = 0; selected != NULL && selected[i] != NULL; i++) {
		g_autofree char *msg = sim_profile_unknown(selected[i]);

		if (msg == NULL)
			continue;
		g_ptr_array_add(errors, sim_diag_new(NULL, 0, 0, msg));
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
 * the input is bad (nothing is run then; the errors go to stderr and, as
 * TAP or JSON, to out).
 */
int
sim_run_paths(const SimRunOptions *opts, char *const *paths, gsize n)
{
	g_autoptr(GPtrArray) inputs = NULL;
	g_autoptr(GPtrArray) errors = sim_diags_new();
	SimExecOptions xo = { 0 };
	SimWriter w;
	guint total = 0, i, j;

	g_return_val_if_fail(opts != NULL && opts->out != NULL &&
	    opts->err != NULL, SIM_EXIT_USAGE);
	sim_writer_init(&w, opts->format, opts->out, opts->err, "run");
	if (check_selected(opts->profiles, errors))
		inputs = sim_inputs_load(paths, n, errors);
	if (inputs == NULL)
		return sim_write_input_errors(&w, errors);
	xo.ops = opts->backend != NULL ? opts->backend : &sim_backend_model;
	xo.trace = opts->trace;
	xo.keep_going = opts->keep_going;
	xo.kconfig_mptcp = opts->kconfig_mptcp;
	xo.check = opts->check;
	for (i = 0; i < inputs->len; i++) {
		const SimInput *in = inputs->pdata[i];
		g_autoptr(GPtrArray) profs = sim_scenario_profiles(in->sc,
		    opts->profiles);

		total += MAX(profs->len, 1);
	}
	sim_write_begin(&w, total);
	if (opts->release != NULL)
		sim_write_kernel(&w, opts->release, opts->profiles != NULL &&
		    opts->profiles[0] != NULL ? opts->profiles[0] : "(each "
		    "declared)", opts->note);
	for (i = 0; i < inputs->len; i++) {
		const SimInput *in = inputs->pdata[i];
		g_autoptr(GPtrArray) profs = sim_scenario_profiles(in->sc,
		    opts->profiles);

		if (profs->len == 0)
			sim_write_skip(&w, in->path, NULL, NULL,
			    "no selected profile");
		for (j = 0; j < profs->len; j++) {
			SimReport rep = { 0 };

			sim_budget_at(in->path, profs->pdata[j]);
			sim_run_scenario(in->sc, profs->pdata[j], &xo, &rep);
			sim_write_run(&w, in->path, profs->pdata[j], &rep);
			sim_report_clear(&rep);
		}
		fflush(opts->out);
	}
	sim_budget_at(NULL, NULL);
	sim_write_run_summary(&w);
	return w.failed > 0 ? SIM_EXIT_FAIL : SIM_EXIT_OK;
}

/* ---------------------------------------------------------------------
 * The command line
 */

typedef struct {
	SimRunOptions	 o;
	SimBudget	 budget;	/* --timeout, --max-memory */
	GPtrArray	*profiles;	/* char * */
	gboolean	 all;
	const char	*profile, *kernels;
} RunCmd;

enum { O_PROFILE, O_FORMAT, O_TRACE, O_TRACE_ALL, O_KEEP_GOING, O_BACKEND,
	O_KERNEL, O_CHECK, O_TIMEOUT, O_MAX_MEMORY };

/* The backends --backend chooses from (SimChoicesFn). */
static const char *const *
backend_names(gsize *n)
{
	static const char *names[G_N_ELEMENTS(backends) + 1];

	for (gsize k = 0; k < G_N_ELEMENTS(backends); k++)
		names[k] = backends[k]->name;
	*n = G_N_ELEMENTS(backends);
	return names;
}

static const SimOption run_options[] = {
	{ "--profile", "P[,P]|all|auto", O_PROFILE,
	    "run only under these profiles (all: every one;\n"
	    "auto: the one nearest the running kernel, at or\n"
	    "below its version, calibrated with the kernel\n"
	    "backend: see calibrate); a scenario runs under\n"
	    "each selected profile it declares",
	    sim_cli_profile_choices },
	SIM_OPTION_FORMAT(O_FORMAT, " (one\n"
	    "object a line)"),
	{ "--trace", NULL, O_TRACE,
	    "print the model's events with scenario names", NULL },
	{ "--trace=all", NULL, O_TRACE_ALL,
	    "the same with lock, callback lock and RCU events", NULL },
	{ "--keep-going", NULL, O_KEEP_GOING,
	    "do not stop a scenario at its first failure", NULL },
	{ "--backend", "B", O_BACKEND,
	    "model (default), or kernel when built with the\n"
	    "kernel backend; a profile the backend cannot run\n"
	    "is skipped, expect statements too; a step it\n"
	    "cannot do is not checked (a note says why, once\n"
	    "per scenario)", backend_names },
	{ "--kernel", "K[,K]", O_KERNEL,
	    "the kernel backend on K: host (the running\n"
	    "kernel), vm:5.10, vm:6.1, vm:6.12, vm:7.2 (a\n"
	    "Debian kernel under qemu, downloaded once) or\n"
	    "vm:PATH-TO-VMLINUZ", NULL },
	SIM_OPTION_CHECK(O_CHECK),
	{ "--timeout", "SECONDS", O_TIMEOUT,
	    "stop the run after SECONDS (default 3600; 0:\n"
	    "never) with exit status 3, naming the scenario\n"
	    "and profile it was running", NULL },
	{ "--max-memory", "SIZE", O_MAX_MEMORY,
	    "stop the run with exit status 3 when it holds\n"
	    "more than SIZE bytes (K, M, G: powers of 1024)\n"
	    "resident (default: half the machine's memory;\n"
	    "0: no limit)", NULL },
};

const SimCommand sim_cmd_run_def = {
	"run", "FILE|DIR...",
	"run scenarios; directories are searched for *.scn\n"
	"files.  Every file is checked first; a broken one\n"
	"stops everything with exit status 2",
	"Run scenarios: each file, and every *.scn file below each directory\n"
	"(in name order), under every selected profile it declares.  Every\n"
	"file is parsed and checked before anything runs.",
	run_options, G_N_ELEMENTS(run_options),
	"Exit status: 0 all passed, 1 a scenario failed, 2 bad input, 3 the\n"
	"time or memory budget ran out (--timeout, --max-memory), 77 the\n"
	"kernel asked for cannot be had (no qemu, no package, no boot).",
	sim_cmd_run, FALSE,
};

/* --backend B: one of backends[]. */
static int
set_backend(RunCmd *c, const char *v)
{
	gsize n;
	const char *const *names = backend_names(&n);

	for (gsize k = 0; k < n; k++)
		if (strcmp(v, names[k]) == 0)
			c->o.backend = backends[k];
	if (c->o.backend == NULL)
		return sim_cli_error(&sim_cmd_run_def, sim_suggest(v, names,
		    n), "unknown backend '%s'", v);
	return SIM_CLI_GO_ON;
}

static int
run_option(void *ud, int id, const char *opt, const char *v)
{
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
		return sim_cli_format(&sim_cmd_run_def, v, sim_cli_formats,
		    &c->o.format);
	case O_TRACE:
		c->o.trace = SIM_TRACE_ON;
		break;
	case O_TRACE_ALL:
		c->o.trace = SIM_TRACE_ALL;
		break;
	case O_KEEP_GOING:
		c->o.keep_going = TRUE;
		break;
	case O_CHECK:
		return sim_cli_check(&sim_cmd_run_def, v, &c->o.check);
	case O_TIMEOUT:
		if (!sim_budget_parse_seconds(v, &c->budget.timeout))
			return sim_cli_error(&sim_cmd_run_def, NULL, "--timeout "
			    "wants a whole number of seconds (at most a "
			    "year), not '%s'", v);
		break;
	case O_MAX_MEMORY:
		if (!sim_budget_parse_size(v, &c->budget.max_memory))
			return sim_cli_error(&sim_cmd_run_def, NULL,
			    "--max-memory wants a size (N, NK, NM or NG), "
			    "not '%s'", v);
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
	c.budget.timeout = SIM_BUDGET_TIMEOUT;
	c.budget.max_memory = sim_budget_default_memory();
	st = sim_options_parse(&sim_cmd_run_def, run_option, argc, argv,
	    paths, TRUE, &c);
	if (st != SIM_CLI_GO_ON)
		return st;
	if (c.kernels != NULL) {
		/* --kernel K: the kernel backend, on K */
		kernels = sim_kernel_targets_parse(c.kernels, &e);
		if (kernels == NULL)
			return sim_cli_error(&sim_cmd_run_def, NULL, "%s",
			    e->message);
		if (c.o.backend != NULL && c.o.backend != backends[
		    G_N_ELEMENTS(backends) - 1])
			return sim_cli_error(&sim_cmd_run_def, NULL, "--kernel "
			    "runs the kernel backend: --backend %s does not "
			    "go with it", c.o.backend->name);
#ifndef HAVE_KERNEL_BACKEND
		return sim_cli_error(&sim_cmd_run_def, NULL, "--kernel needs "
		    "the kernel backend: configure --enable-kernel-backend "
		    "(libbpf)");
#endif
		c.o.backend = backends[G_N_ELEMENTS(backends) - 1];
		if (kernels->len > 1 || ((SimKernelTarget *)
		    kernels->pdata[0])->vm != NULL) {
			g_autoptr(GPtrArray) errors = sim_diags_new();
			g_autoptr(GPtrArray) ins = sim_inputs_load(
			    (char *const *)paths->pdata, paths->len, errors);
			g_autoptr(GPtrArray) adds = NULL;
			int worst = SIM_EXIT_OK;

			if (ins == NULL) {
				SimWriter w;

				sim_writer_init(&w, c.o.format, stdout,
				    stderr, "run");
				return sim_write_input_errors(&w, errors);
			}
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

		st = sim_cli_profiles(&sim_cmd_run_def, c.profile, kernel ?
		    SIM_PROFILES_RUN_KERNEL : SIM_PROFILES_RUN, profiles,
		    &c.all, note, &kconfig);
		if (st != SIM_CLI_GO_ON)
			return st;
	}
	if (!c.all)
		c.o.profiles = sim_cli_selected(profiles);
	if (c.o.backend != NULL && c.o.backend != &sim_backend_model) {
		release = sim_kernel_release();
		c.o.release = release;
		c.o.note = note->len > 0 ? note->str : NULL;
	}
	c.o.kconfig_mptcp = kconfig;
	c.budget.tap = c.o.format == SIM_FORMAT_TAP;
	c.budget.out = c.o.out;
	sim_budget_start(&c.budget);
	st = sim_run_paths(&c.o, (char *const *)paths->pdata, paths->len);
	sim_budget_stop();
	return st;
}

/* ---------------------------------------------------------------------
 * list-verbs, list-profiles
 */

/* list-verbs: the verb table, one verb and its help a line each. */
int
sim_cmd_list_verbs(int argc, char **argv)
{
	const SimVerb *v;
	gsize n, i;
	int st = sim_options_none(&sim_cmd_list_verbs_def, argc, argv);

	if (st != SIM_CLI_GO_ON)
		return st;
	v = sim_verbs(&n);
	for (i = 0; i < n; i++)
		printf("%s %s\n    %s\n", v[i].name, v[i].usage, v[i].help);
	return SIM_EXIT_OK;
}

const SimCommand sim_cmd_list_verbs_def = {
	"list-verbs", NULL, "list the verbs of the scenario language",
	"The verbs of the scenario language, each with its arguments and\n"
	"what it models.", NULL, 0, NULL, sim_cmd_list_verbs, FALSE,
};

/* list-profiles: the model's profiles, one a line. */
int
sim_cmd_list_profiles(int argc, char **argv)
{
	const char *const *names;
	gsize n;
	int st = sim_options_none(&sim_cmd_list_profiles_def, argc, argv);

	if (st != SIM_CLI_GO_ON)
		return st;
	names = sim_cli_profile_choices(&n);
	for (gsize i = 0; i < n; i++)
		puts(names[i]);
	return SIM_EXIT_OK;
}

const SimCommand sim_cmd_list_profiles_def = {
	"list-profiles", NULL, "list the model's profiles (kernel versions)",
	"The profiles of the model, one a line: the kernel versions whose\n"
	"behaviour it knows (--profile).", NULL, 0, NULL,
	sim_cmd_list_profiles, FALSE,
};
