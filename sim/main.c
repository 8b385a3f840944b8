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

#include "explain.h"
#include "sim.h"
#include "suggest.h"
#ifdef HAVE_KERNEL_BACKEND
#include "backend-kernel.h"
#endif

/* The backends --backend chooses from; the first is the default. */
static const SimBackendOps *const backends[] = {
	&sim_backend_model,
#ifdef HAVE_KERNEL_BACKEND
	&sim_backend_kernel,
#endif
};

static const char usage_text[] =
    "usage: reuseport-sim run [--profile P|all] [--format text|tap|json]\n"
    "                         [--trace[=all]] [--keep-going] [--backend B]\n"
    "                         FILE|DIR...\n"
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
    "  explain FILE...    narrate scenarios step by step (the rules that\n"
    "                     decided, locks, why), and draw the state after\n"
    "                     each step (--dot, --svg, --html); see\n"
    "                     reuseport-sim explain --help\n"
    "  list-verbs         list the verbs of the scenario language\n"
    "\n"
    "Options of run:\n"
    "  --profile P[,P]    run only under these profiles (all: every one);\n"
    "                     a scenario runs under each selected profile it\n"
    "                     declares\n"
    "  --format F         text (default), tap or json (one object a line)\n"
    "  --trace[=all]      print the model's events with scenario names;\n"
    "                     =all adds lock, callback lock and RCU events\n"
    "  --keep-going       do not stop a scenario at its first failure\n"
    "  --backend B        model (default), or kernel when built with\n"
    "                     --enable-kernel-backend; a profile the backend\n"
    "                     cannot run is skipped, expect statements too\n"
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
				else
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
			fputs(usage_text, stdout);
			fputs("\n", stdout);
			fputs(help_text, stdout);
			return SIM_EXIT_OK;
		} else {
			g_autofree char *opt = g_strndup(a, strcspn(a, "="));

			return usage_error(sim_suggest(opt, opts,
			    g_strv_length((char **)opts)), "unknown option '%s'",
			    a);
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

static const struct {
	const char	*name;
	int		(*fn)(int argc, char **argv);
} commands[] = {
	{ "run", cmd_run },
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
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		fputs(usage_text, stdout);
		fputs("\n", stdout);
		fputs(help_text, stdout);
		return SIM_EXIT_OK;
	}
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
