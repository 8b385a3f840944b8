/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * main.c - reuseport-sim, the scenario runner of reuseport-model: parses
 * the command line and hands over to the executor (exec.c).
 *
 * Commands are rows of a table, so a later one (diff, explore, explain)
 * is one function and one row.  Exit status: 0 all passed, 1 a scenario
 * failed, 2 bad input or command line.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "tools/diff.h"
#include "tools/explore.h"
#include "tools/explain.h"
#include "core/sim.h"
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

static const char usage_text[] =
    "usage: reuseport-sim run [--profile P|all|auto] [--format text|tap|json]\n"
    "                         [--trace[=all]] [--keep-going] [--backend B]\n"
    "                         FILE|DIR...\n"
    "       reuseport-sim explore [--profile P] [--preemptions N|unbounded]\n"
    "                         [--no-reduction] [--max-schedules N]\n"
    "                         [--plant BUG[,BUG]] [--format text|json]\n"
    "                         [--save FILE] [--quiet] FILE|DIR...\n"
    "       reuseport-sim diff [--profile P|auto] [--format text|tap|json]\n"
    "                          [--manifest FILE] FILE|DIR...\n"
    "       reuseport-sim explain [--profile P] [--steps LIST] [--dot DIR]\n"
    "                             [--svg DIR] [--html DIR] FILE...\n"
    "       reuseport-sim list-verbs\n"
    "       reuseport-sim --help | --version\n";

static const char help_text[] =
    "Run scenarios against the reuseport model (SO_REUSEPORT groups and\n"
    "BPF_MAP_TYPE_REUSEPORT_SOCKARRAY).\n"
    "\n"
    "Commands:\n"
    "  run FILE|DIR...    run scenarios; directories are searched for\n"
    "                     *.scn files.  Every file is checked first; a\n"
    "                     broken one stops everything with exit status 2.\n"
    "  explore FILE|DIR.. run every interleaving of a scenario's thread\n"
    "                     blocks at the model's lock and RCU points and\n"
    "                     at each statement start; a directory explores\n"
    "                     the scenarios in it that have threads\n"
    "  diff FILE|DIR...   run each scenario on the model and on the live\n"
    "                     kernel (needs the kernel backend and root) and\n"
    "                     compare them step by step; a divergence not in\n"
    "                     the manifest fails, so does an unused entry\n"
    "  explain FILE...    narrate scenarios step by step (the rules that\n"
    "                     decided, locks, why), and draw the state after\n"
    "                     each step (--dot, --svg, --html); see\n"
    "                     reuseport-sim explain --help\n"
    "  list-verbs         list the verbs of the scenario language\n"
    "\n"
    "Options of run:\n"
    "  --profile P[,P]    run only under these profiles (all: every one;\n"
    "                     auto: the one nearest the running kernel, at or\n"
    "                     below its version); a scenario runs under each\n"
    "                     selected profile it declares\n"
    "  --format F         text (default), tap or json (one object a line)\n"
    "  --trace[=all]      print the model's events with scenario names;\n"
    "                     =all adds lock, callback lock and RCU events\n"
    "  --keep-going       do not stop a scenario at its first failure\n"
    "  --backend B        model (default), or kernel when built with\n"
    "                     --enable-kernel-backend; a profile the backend\n"
    "                     cannot run is skipped, expect statements too;\n"
    "                     a step it cannot do is not checked (a note says\n"
    "                     why, once per scenario)\n"
    "\n"
    "Options of diff:\n"
    "  --profile P        the model profile to compare with (default auto)\n"
    "  --format F         text (default), tap or json\n"
    "  --manifest FILE    the intended differences: lines 'FILE:LINE\n"
    "                     REASON' or 'FILE:* REASON' (e.g.\n"
    "                     scenarios/kernel-differences.manifest)\n"
    "\n"
    "Options of explore:\n"
    "  --profile P[,P]    explore only under these profiles\n"
    "  --preemptions N    at most N preemptions per schedule (default 2),\n"
    "                     or unbounded\n"
    "  --no-reduction     no sleep sets: every schedule within the bound\n"
    "  --max-schedules N  stop after N schedules (default 1000000); an\n"
    "                     incomplete search fails\n"
    "  --plant BUG[,BUG]  plant known bugs in the model: update-no-recheck,\n"
    "                     detach-slot-unlocked, free-no-cb-lock,\n"
    "                     detach-foreign\n"
    "  --save FILE        write the counterexample scenario to FILE\n"
    "  --quiet            no counterexample text on stdout\n"
    "\n"
    "Exit status: 0 all passed, 1 a scenario failed, 2 bad input.\n"
    "See reuseport-sim(1) and docs/scenario-language.md.\n";

/* Print "reuseport-sim: MESSAGE[, did you mean 'HINT'?]" and the usage. */
static int G_GNUC_PRINTF(2, 3)
usage_error(const char *hint, const char *fmt, ...)
{
	va_list ap;

	fputs("reuseport-sim: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	if (hint != NULL)
		fprintf(stderr, ", did you mean '%s'?", hint);
	fputc('\n', stderr);
	fputs(usage_text, stderr);
	return SIM_EXIT_USAGE;
}

/*
 * The value of option name at argv[*i]: "--name=V" or "--name V".  NULL
 * when argv[*i] is not that option; *missing when it lacks its value.
 */
static const char *
opt_value(char **argv, int argc, int *i, const char *name,
    gboolean *missing)
{
	gsize n = strlen(name);
	const char *a = argv[*i];

	*missing = FALSE;
	if (strncmp(a, name, n) != 0)
		return NULL;
	if (a[n] == '=')
		return a + n + 1;
	if (a[n] != '\0')
		return NULL;
	if (*i + 1 >= argc) {
		*missing = TRUE;
		return NULL;
	}
	return argv[++*i];
}

/* --help: the usage and the help text on stdout. */
static int
print_help(void)
{
	fputs(usage_text, stdout);
	fputs("\n", stdout);
	fputs(help_text, stdout);
	return SIM_EXIT_OK;
}

/* a: an option not in opts (NULL-terminated); suggest the nearest. */
static int
unknown_option(const char *a, const char *const *opts)
{
	g_autofree char *opt = g_strndup(a, strcspn(a, "="));

	return usage_error(sim_suggest(opt, opts,
	    g_strv_length((char **)opts)), "unknown option '%s'", a);
}

static int
cmd_run(int argc, char **argv)
{
	static const char *const opts[] = { "--profile", "--format",
	    "--trace", "--keep-going", "--backend", "--help", NULL };
	const char *bnames[G_N_ELEMENTS(backends)];
	static const char *const formats[] = { "text", "tap", "json", NULL };
	g_autoptr(GPtrArray) paths = g_ptr_array_new();
	g_autoptr(GPtrArray) profiles = g_ptr_array_new_with_free_func(
	    g_free);
	SimRunOptions o = { 0 };
	gboolean all = FALSE, missing, dashdash = FALSE;
	const char *v;
	int i;

	o.out = stdout;
	o.err = stderr;
	for (i = 0; i < (int)G_N_ELEMENTS(backends); i++)
		bnames[i] = backends[i]->name;
	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (dashdash || a[0] != '-' || a[1] == '\0') {
			g_ptr_array_add(paths, argv[i]);
		} else if (strcmp(a, "--") == 0) {
			dashdash = TRUE;
		} else if ((v = opt_value(argv, argc, &i, "--profile",
		    &missing)) != NULL || missing) {
			g_auto(GStrv) parts = NULL;

			if (missing)
				return usage_error(NULL, "option '%s' needs a "
				    "value", a);
			parts = g_strsplit(v, ",", -1);
			for (guint k = 0; parts[k] != NULL; k++) {
				if (strcmp(parts[k], "all") == 0)
					all = TRUE;
				else if (strcmp(parts[k], "auto") == 0) {
					g_autoptr(GError) e = NULL;
					const char *p = sim_profile_auto(&e);

					if (p == NULL)
						return usage_error(NULL, "%s",
						    e->message);
					g_ptr_array_add(profiles, g_strdup(p));
				} else
					g_ptr_array_add(profiles,
					    g_strdup(parts[k]));
			}
		} else if ((v = opt_value(argv, argc, &i, "--format",
		    &missing)) != NULL || missing) {
			if (missing)
				return usage_error(NULL, "option '%s' needs a "
				    "value", a);
			if (!g_strv_contains(formats, v))
				return usage_error(NULL, "unknown format '%s' "
				    "(text, tap or json)", v);
			o.format = strcmp(v, "tap") == 0 ? SIM_FORMAT_TAP :
			    strcmp(v, "json") == 0 ? SIM_FORMAT_JSON :
			    SIM_FORMAT_TEXT;
		} else if ((v = opt_value(argv, argc, &i, "--backend",
		    &missing)) != NULL || missing) {
			guint k;

			if (missing)
				return usage_error(NULL, "option '%s' needs a "
				    "value", a);
			for (k = 0; k < G_N_ELEMENTS(backends); k++)
				if (strcmp(v, bnames[k]) == 0)
					o.backend = backends[k];
			if (o.backend == NULL)
				return usage_error(sim_suggest(v, bnames,
				    G_N_ELEMENTS(bnames)), "unknown backend "
				    "'%s'", v);
		} else if (strcmp(a, "--trace") == 0) {
			o.trace = SIM_TRACE_ON;
		} else if (strcmp(a, "--trace=all") == 0) {
			o.trace = SIM_TRACE_ALL;
		} else if (strcmp(a, "--keep-going") == 0) {
			o.keep_going = TRUE;
		} else if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			return print_help();
		} else {
			return unknown_option(a, opts);
		}
	}
	if (paths->len == 0)
		return usage_error(NULL, "run: no FILE or DIR given");
	if (!all && profiles->len > 0) {
		g_ptr_array_add(profiles, NULL);
		o.profiles = (char **)profiles->pdata;
	}
	return sim_run_paths(&o, (char *const *)paths->pdata, paths->len);
}

/* diff: the model against the live kernel, step by step (diff.c). */
static int
cmd_diff(int argc, char **argv)
{
	static const char *const opts[] = { "--profile", "--format",
	    "--manifest", "--help", NULL };
	static const char *const formats[] = { "text", "tap", "json", NULL };
	g_autoptr(GPtrArray) paths = g_ptr_array_new();
	g_autoptr(SimManifest) manifest = NULL;
	SimDiffOptions o = { 0 };
	const char *profile = "auto", *mpath = NULL, *v;
	gboolean missing, dashdash = FALSE;
	int i;

	o.out = stdout;
	o.err = stderr;
	o.a = &sim_backend_model;
	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (dashdash || a[0] != '-' || a[1] == '\0') {
			g_ptr_array_add(paths, argv[i]);
		} else if (strcmp(a, "--") == 0) {
			dashdash = TRUE;
		} else if ((v = opt_value(argv, argc, &i, "--profile",
		    &missing)) != NULL || missing) {
			if (missing)
				return usage_error(NULL, "option '%s' needs a "
				    "value", a);
			profile = v;
		} else if ((v = opt_value(argv, argc, &i, "--manifest",
		    &missing)) != NULL || missing) {
			if (missing)
				return usage_error(NULL, "option '%s' needs a "
				    "value", a);
			mpath = v;
		} else if ((v = opt_value(argv, argc, &i, "--format",
		    &missing)) != NULL || missing) {
			if (missing)
				return usage_error(NULL, "option '%s' needs a "
				    "value", a);
			if (!g_strv_contains(formats, v))
				return usage_error(NULL, "unknown format '%s' "
				    "(text, tap or json)", v);
			o.format = strcmp(v, "tap") == 0 ? SIM_FORMAT_TAP :
			    strcmp(v, "json") == 0 ? SIM_FORMAT_JSON :
			    SIM_FORMAT_TEXT;
		} else if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			return print_help();
		} else {
			return unknown_option(a, opts);
		}
	}
	if (paths->len == 0)
		return usage_error(NULL, "diff: no FILE or DIR given");
	if (strcmp(profile, "auto") == 0) {
		g_autoptr(GError) e = NULL;

		profile = sim_profile_auto(&e);
		if (profile == NULL)
			return usage_error(NULL, "%s", e->message);
	}
	o.profile = profile;
#ifdef HAVE_KERNEL_BACKEND
	o.b = &sim_backend_kernel;
#else
	fputs("reuseport-sim: diff needs the kernel backend: configure "
	    "--enable-kernel-backend (libbpf)\n", stderr);
	return SIM_EXIT_USAGE;
#endif
	if (mpath != NULL) {
		g_autoptr(GPtrArray) errors = g_ptr_array_new_with_free_func(
		    g_free);

		manifest = sim_manifest_load(mpath, errors);
		if (manifest == NULL) {
			for (guint k = 0; k < errors->len; k++)
				fprintf(stderr, "%s\n",
				    (char *)errors->pdata[k]);
			return SIM_EXIT_USAGE;
		}
	}
	o.manifest = manifest;
	return sim_diff_paths(&o, (char *const *)paths->pdata, paths->len);
}

static int
cmd_list_verbs(int argc, char **argv)
{
	const SimVerb *v;
	gsize n, i;

	if (argc > 1)
		return usage_error(NULL, "list-verbs: unexpected argument "
		    "'%s'", argv[1]);
	v = sim_verbs(&n);
	for (i = 0; i < n; i++)
		printf("%s %s\n    %s\n", v[i].name, v[i].usage, v[i].help);
	return SIM_EXIT_OK;
}

static int
cmd_explore(int argc, char **argv)
{
	static const char *const opts[] = { "--profile", "--preemptions",
	    "--no-reduction", "--max-schedules", "--plant", "--format",
	    "--save", "--quiet", "--help", NULL };
	gsize nplants;
	const char *const *pnames = sim_plant_names(&nplants);
	g_autoptr(GPtrArray) paths = g_ptr_array_new();
	g_autoptr(GPtrArray) profiles = g_ptr_array_new_with_free_func(
	    g_free);
	SimExploreOptions o = { 0 };
	gboolean missing, dashdash = FALSE;
	const char *v;
	int i;

	o.out = stdout;
	o.err = stderr;
	o.preemptions = 2;
	o.max_schedules = 1000000;
	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (dashdash || a[0] != '-' || a[1] == '\0') {
			g_ptr_array_add(paths, argv[i]);
		} else if (strcmp(a, "--") == 0) {
			dashdash = TRUE;
		} else if ((v = opt_value(argv, argc, &i, "--profile",
		    &missing)) != NULL || missing) {
			g_auto(GStrv) parts = NULL;

			if (missing)
				return usage_error(NULL, "option '%s' needs a "
				    "value", a);
			parts = g_strsplit(v, ",", -1);
			for (guint k = 0; parts[k] != NULL; k++) {
				if (rp_profile_find(parts[k]) == NULL)
					return usage_error(NULL, "unknown "
					    "profile '%s'", parts[k]);
				g_ptr_array_add(profiles, g_strdup(parts[k]));
			}
		} else if ((v = opt_value(argv, argc, &i, "--preemptions",
		    &missing)) != NULL || missing) {
			guint64 n;

			if (missing)
				return usage_error(NULL, "option '%s' needs a "
				    "value", a);
			if (strcmp(v, "unbounded") == 0)
				o.preemptions = SIM_EXPLORE_UNBOUNDED;
			else if (g_ascii_string_to_unsigned(v, 10, 0, 1000, &n,
			    NULL))
				o.preemptions = (guint)n;
			else
				return usage_error(NULL, "--preemptions: '%s' "
				    "is not 0..1000 or unbounded", v);
		} else if ((v = opt_value(argv, argc, &i, "--max-schedules",
		    &missing)) != NULL || missing) {
			guint64 n;

			if (missing)
				return usage_error(NULL, "option '%s' needs a "
				    "value", a);
			if (!g_ascii_string_to_unsigned(v, 10, 1,
			    G_GUINT64_CONSTANT(1000000000000), &n, NULL))
				return usage_error(NULL, "--max-schedules: '%s' "
				    "is not 1..10^12", v);
			o.max_schedules = n;
		} else if ((v = opt_value(argv, argc, &i, "--plant",
		    &missing)) != NULL || missing) {
			g_auto(GStrv) parts = NULL;

			if (missing)
				return usage_error(NULL, "option '%s' needs a "
				    "value", a);
			parts = g_strsplit(v, ",", -1);
			for (guint k = 0; parts[k] != NULL; k++) {
				unsigned bit;

				if (!sim_plant_find(parts[k], &bit))
					return usage_error(sim_suggest(parts[k],
					    pnames, nplants),
					    "unknown bug '%s'", parts[k]);
				o.plant |= bit;
			}
		} else if ((v = opt_value(argv, argc, &i, "--format",
		    &missing)) != NULL || missing) {
			if (missing)
				return usage_error(NULL, "option '%s' needs a "
				    "value", a);
			if (strcmp(v, "text") == 0)
				o.format = SIM_FORMAT_TEXT;
			else if (strcmp(v, "json") == 0)
				o.format = SIM_FORMAT_JSON;
			else
				return usage_error(NULL, "unknown format '%s' "
				    "(text or json)", v);
		} else if ((v = opt_value(argv, argc, &i, "--save",
		    &missing)) != NULL || missing) {
			if (missing)
				return usage_error(NULL, "option '%s' needs a "
				    "value", a);
			o.save = v;
		} else if (strcmp(a, "--no-reduction") == 0) {
			o.no_reduction = TRUE;
		} else if (strcmp(a, "--quiet") == 0) {
			o.quiet = TRUE;
		} else if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			return print_help();
		} else {
			return unknown_option(a, opts);
		}
	}
	if (paths->len == 0)
		return usage_error(NULL, "explore: no FILE or DIR given");
	if (profiles->len > 0) {
		g_ptr_array_add(profiles, NULL);
		o.profiles = (char **)profiles->pdata;
	}
	return sim_explore_paths(&o, (char *const *)paths->pdata, paths->len);
}

static const struct {
	const char	*name;
	int		(*fn)(int argc, char **argv);
} commands[] = {
	{ "run", cmd_run },
	{ "explore", cmd_explore },
	{ "diff", cmd_diff },
	{ "list-verbs", cmd_list_verbs },
	{ "explain", sim_explain_main },
};

int
main(int argc, char **argv)
{
	const char *names[G_N_ELEMENTS(commands)];
	const char *const top_opts[] = { "--help", "--version" };
	gsize i;

	if (argc < 2) {
		fputs(usage_text, stderr);
		return SIM_EXIT_USAGE;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)
		return print_help();
	if (strcmp(argv[1], "--version") == 0) {
		printf("reuseport-sim %s\n", SIM_VERSION);
		return SIM_EXIT_OK;
	}
	if (argv[1][0] == '-')
		return usage_error(sim_suggest(argv[1], top_opts,
		    G_N_ELEMENTS(top_opts)), "unknown option '%s'", argv[1]);
	for (i = 0; i < G_N_ELEMENTS(commands); i++) {
		if (strcmp(argv[1], commands[i].name) == 0)
			return commands[i].fn(argc - 1, argv + 1);
		names[i] = commands[i].name;
	}
	return usage_error(sim_suggest(argv[1], names, G_N_ELEMENTS(names)),
	    "unknown command '%s'", argv[1]);
}
