/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * options.c - parsing a command line against a table of options
 * (options.h).
 */
#include <string.h>

#include "cli/kernels.h"
#include "cli/options.h"
#include "core/error.h"
#include "core/profiles.h"
#include "lang/suggest.h"

/* The row of opts that a names, with *value set for an option with a
 * value ("--name=V" or "--name V"); NULL when none matches. */
static const SimOption *
find_option(const SimOption *opts, gsize n, const char *a, const char **eq)
{
	gsize i, len;

	*eq = NULL;
	for (i = 0; i < n; i++) {
		len = strlen(opts[i].name);
		if (strncmp(a, opts[i].name, len) != 0)
			continue;
		if (a[len] == '\0')
			return &opts[i];
		if (opts[i].value && a[len] == '=') {
			*eq = a + len + 1;
			return &opts[i];
		}
	}
	return NULL;
}

/* An unknown option: say so with the nearest known one. */
static int
unknown_option(const SimCliText *t, const SimOption *opts, gsize n,
    const char *a)
{
	g_autofree const char **names = g_new0(const char *, n + 2);
	g_autofree char *opt = g_strndup(a, strcspn(a, "="));
	gsize i, k = 0;

	for (i = 0; i < n; i++)
		if (strchr(opts[i].name, '=') == NULL)
			names[k++] = opts[i].name;
	names[k++] = "--help";
	return sim_cli_error(t, sim_suggest(opt, names, k),
	    "unknown option '%s'", a);
}

/*
 * Parse argv[1..argc) against opts: paths (anything not starting with
 * '-', a lone "-", everything after "--") go to paths, options to fn
 * with ud and their row's id.  No path at all is the usage error
 * no_paths (NULL: paths are optional).  Returns SIM_CLI_GO_ON when the
 * whole line was read, else the exit status to stop with: --help printed
 * (0), a handler's, or a usage error (2).
 */
int
sim_options_parse(const SimCliText *t, const SimOption *opts, gsize n,
    SimOptFn fn, int argc, char **argv, GPtrArray *paths,
    const char *no_paths, void *ud)
{
	gboolean dashdash = FALSE;
	int i;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i], *value;
		const SimOption *o;
		int st;

		if (dashdash || a[0] != '-' || a[1] == '\0') {
			g_ptr_array_add(paths, argv[i]);
			continue;
		}
		if (strcmp(a, "--") == 0) {
			dashdash = TRUE;
			continue;
		}
		if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0)
			return sim_cli_help(t);
		o = find_option(opts, n, a, &value);
		if (o == NULL)
			return unknown_option(t, opts, n, a);
		if (o->value && value == NULL) {
			if (i + 1 >= argc)
				return sim_cli_error(t, NULL, "option '%s' "
				    "needs a value", a);
			value = argv[++i];
		}
		st = fn(ud, o->id, a, value);
		if (st != SIM_CLI_GO_ON)
			return st;
	}
	if (paths->len == 0 && no_paths != NULL)
		return sim_cli_error(t, NULL, "%s", no_paths);
	return SIM_CLI_GO_ON;
}

/* --format: one of allowed (text, tap, json) into *format. */
int
sim_cli_format(const SimCliText *t, const char *value,
    const char *const *allowed, SimFormat *format)
{
	if (!g_strv_contains(allowed, value)) {
		g_autofree char *list = g_strjoinv(", ", (char **)allowed);
		char *last = strrchr(list, ',');

		/* "text, tap or json" */
		if (last != NULL) {
			g_autofree char *head = g_strndup(list,
			    (gsize)(last - list));

			return sim_cli_error(t, NULL, "unknown format '%s' "
			    "(%s or%s)", value, head, last + 1);
		}
		return sim_cli_error(t, NULL, "unknown format '%s' (%s)",
		    value, list);
	}
	*format = strcmp(value, "tap") == 0 ? SIM_FORMAT_TAP :
	    strcmp(value, "json") == 0 ? SIM_FORMAT_JSON : SIM_FORMAT_TEXT;
	return SIM_CLI_GO_ON;
}

/*
 * --profile P[,P]: each profile into out (g_strdup()).  Checked: each
 * must be a profile of the model.  Run: "all" sets *all, "auto" is the
 * profile nearest the running kernel, and the names are checked when
 * the command runs.
 */
int
sim_cli_profiles(const SimCliText *t, const char *value,
    SimProfilesMode mode, GPtrArray *out, gboolean *all, GString *note,
    int *kconfig)
{
	g_auto(GStrv) parts = sim_cli_list(value);

	for (guint k = 0; parts[k] != NULL; k++) {
		const char *p = parts[k];
		g_autoptr(GError) e = NULL;
		g_autofree char *bad = NULL;

		if (mode != SIM_PROFILES_CHECKED && strcmp(p, "all") == 0) {
			*all = TRUE;
			continue;
		}
		if (mode != SIM_PROFILES_CHECKED && strcmp(p, "auto") == 0) {
			p = mode == SIM_PROFILES_RUN_KERNEL ?
			    sim_kernel_auto_profile(note, kconfig, &e) :
			    sim_profile_auto(&e);
			if (p == NULL)
				return sim_cli_error(t, NULL, "%s", e->message);
		} else if (mode == SIM_PROFILES_CHECKED &&
		    (bad = sim_profile_unknown(p)) != NULL) {
			return sim_cli_error(t, NULL, "%s", bad);
		}
		g_ptr_array_add(out, g_strdup(p));
	}
	return SIM_CLI_GO_ON;
}

/* "a,b,c" -> { "a", "b", "c", NULL }.  g_strfreev(). */
char **
sim_cli_list(const char *value)
{
	return g_strsplit(value, ",", -1);
}
