/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * options.c - the command line of reuseport-sim from its tables
 * (options.h): parsing, usage and help texts, errors, completion words.
 *
 * Errors follow the GNU conventions: every message on stderr begins with
 * "reuseport-sim: ", and a usage error is that one line followed by
 * "Try 'reuseport-sim [COMMAND ]--help' for more information.".
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "rp.h"

#include "cli/kernels.h"
#include "cli/options.h"
#include "core/error.h"
#include "core/profiles.h"
#include "lang/suggest.h"

#define PROG		"reuseport-sim"
#ifndef PACKAGE_VERSION
#define PACKAGE_VERSION	"0.1.0"
#endif
#ifndef SIM_DOCDIR
#define SIM_DOCDIR	"docs"
#endif
#define HELP_COL	22	/* where option help starts */
#define WIDTH		78

/* ---------------------------------------------------------------------
 * Messages
 */

/* "reuseport-sim: [CMD: ]MESSAGE[, did you mean 'HINT'?]" and the Try
 * line on stderr.  Returns SIM_EXIT_USAGE. */
int
sim_cli_error(const SimCommand *cmd, const char *hint, const char *fmt,
    ...)
{
	va_list ap;

	fputs(PROG ": ", stderr);
	if (cmd != NULL)
		fprintf(stderr, "%s: ", cmd->name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	if (hint != NULL)
		fprintf(stderr, ", did you mean '%s'?", hint);
	fprintf(stderr, "\nTry '" PROG "%s%s --help' for more information.\n",
	    cmd != NULL ? " " : "", cmd != NULL ? cmd->name : "");
	return SIM_EXIT_USAGE;
}

/* "reuseport-sim: MESSAGE" on stderr: an error that is not the command
 * line's. */
void
sim_cli_fail(const char *fmt, ...)
{
	va_list ap;

	fputs(PROG ": ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* ---------------------------------------------------------------------
 * Help
 */

/* "--name ARG" of an option. */
static char *
option_spelling(const SimOption *o)
{
	return o->arg != NULL ? g_strdup_printf("%s %s", o->name, o->arg) :
	    g_strdup(o->name);
}

/* Append word to the usage text s, wrapping at WIDTH with indent. */
static void
usage_word(GString *s, gsize *col, gsize indent, const char *word)
{
	gsize len = strlen(word);

	if (*col + 1 + len > WIDTH && *col > indent) {
		g_string_append_printf(s, "\n%*s", (int)indent, "");
		*col = indent;
	} else {
		g_string_append_c(s, ' ');
		(*col)++;
	}
	g_string_append(s, word);
	*col += len;
}

/* "LEAD reuseport-sim CMD [OPT]... ARGS\n", wrapped. */
static void
usage_line(GString *s, const char *lead, const SimCommand *cmd)
{
	gsize start = s->len, col, indent;

	g_string_append_printf(s, "%s" PROG " %s", lead, cmd->name);
	col = s->len - start;
	indent = strlen(lead) + strlen(PROG) + 1 + strlen(cmd->name) + 1;
	for (gsize i = 0; i < cmd->nopts; i++) {
		g_autofree char *sp = option_spelling(&cmd->opts[i]);
		g_autofree char *w = g_strdup_printf("[%s]", sp);

		usage_word(s, &col, indent, w);
	}
	if (cmd->args != NULL)
		usage_word(s, &col, indent, cmd->args);
	g_string_append_c(s, '\n');
}

/* "  NAME   HELP" with HELP's lines from HELP_COL. */
static void
help_row(GString *s, const char *name, const char *help)
{
	g_auto(GStrv) lines = g_strsplit(help, "\n", -1);

	g_string_append_printf(s, "  %s", name);
	if (strlen(name) + 2 >= HELP_COL)
		g_string_append_printf(s, "\n%*s", HELP_COL, "");
	else
		g_string_append_printf(s, "%*s", (int)(HELP_COL - 2 -
		    strlen(name)), "");
	for (guint i = 0; lines[i] != NULL; i++) {
		if (i > 0)
			g_string_append_printf(s, "%*s", HELP_COL, "");
		g_string_append_printf(s, "%s\n", lines[i]);
	}
}

/* ", "-joined choices of o, or NULL. */
static char *
choices_text(const SimOption *o)
{
	const char *const *c;
	gsize n;

	if (o->choices == NULL)
		return NULL;
	c = o->choices(&n);
	return g_strjoinv(", ", (char **)c);
}

/* COMMAND --help: its usage, what it does, its options (from the
 * table), on stdout. */
int
sim_cli_help(const SimCommand *cmd)
{
	g_autoptr(GString) s = g_string_new(NULL);

	usage_line(s, "usage: ", cmd);
	if (cmd->help != NULL)
		g_string_append_printf(s, "\n%s\n", cmd->help);
	g_string_append(s, "\nOptions:\n");
	for (gsize i = 0; i < cmd->nopts; i++) {
		const SimOption *o = &cmd->opts[i];
		g_autofree char *sp = option_spelling(o);
		g_autofree char *ch = choices_text(o);
		g_autofree char *h = ch != NULL ? g_strdup_printf("%s\n(values: %s)",
		    o->help, ch) : g_strdup(o->help);

		help_row(s, sp, h);
	}
	help_row(s, "-h, --help", "this text");
	if (cmd->more != NULL)
		g_string_append_printf(s, "\n%s\n", cmd->more);
	fputs(s->str, stdout);
	return SIM_EXIT_OK;
}

/* reuseport-sim --help: every command's usage, what each does. */
int
sim_cli_main_help(const SimCommand *const *cmds, gsize n)
{
	g_autoptr(GString) s = g_string_new(NULL);
	gboolean first = TRUE;

	for (gsize i = 0; i < n; i++) {
		if (cmds[i]->hidden)
			continue;
		usage_line(s, first ? "usage: " : "       ", cmds[i]);
		first = FALSE;
	}
	g_string_append(s, "       " PROG " -h|--help | -V|--version\n"
	    "\nRun scenarios against the reuseport model (SO_REUSEPORT groups "
	    "and\nBPF_MAP_TYPE_REUSEPORT_SOCKARRAY), the live kernel, or both."
	    "\n\nCommands:\n");
	for (gsize i = 0; i < n; i++) {
		g_autofree char *name = NULL;

		if (cmds[i]->hidden)
			continue;
		name = g_strdup_printf("%s%s%s", cmds[i]->name,
		    cmds[i]->args != NULL ? " " : "", cmds[i]->args != NULL ?
		    cmds[i]->args : "");
		help_row(s, name, cmds[i]->summary);
	}
	g_string_append(s, "\nOptions:\n");
	help_row(s, "-h, --help", "this text (COMMAND --help: a command's "
	    "options)");
	help_row(s, "-V, --version", "the version and the licence");
	g_string_append(s, "\nExit status: 0 all passed, 1 a scenario failed, "
	    "2 bad input or command\nline.  See " PROG "(1) and the "
	    "scenario language in\n" SIM_DOCDIR "/scenario-language.md.\n");
	fputs(s->str, stdout);
	return SIM_EXIT_OK;
}

/* --version, -V */
int
sim_cli_version(void)
{
	printf(PROG " (reuseport-model) " PACKAGE_VERSION "\n"
	    "License: LGPL-2.1 OR BSD-2-Clause (the GNU LGPL 2.1 or the BSD "
	    "2-Clause licence,\nat your choice).  There is NO WARRANTY, to "
	    "the extent permitted by law.\n");
	return SIM_EXIT_OK;
}

/* ---------------------------------------------------------------------
 * Parsing
 */

/* The row of opts that a names, with *value set for an option with a
 * value ("--name=V" or "--name V"); NULL when none matches. */
static const SimOption *
find_option(const SimCommand *cmd, const char *a, const char **eq)
{
	gsize i, len;

	*eq = NULL;
	for (i = 0; i < cmd->nopts; i++) {
		const SimOption *o = &cmd->opts[i];

		len = strlen(o->name);
		if (strncmp(a, o->name, len) != 0)
			continue;
		if (a[len] == '\0')
			return o;
		if (o->arg != NULL && a[len] == '=') {
			*eq = a + len + 1;
			return o;
		}
	}
	return NULL;
}

/* An unknown option: say so with the nearest known one. */
static int
unknown_option(const SimCommand *cmd, const char *a)
{
	g_autofree const char **names = g_new0(const char *, cmd->nopts + 2);
	g_autofree char *opt = g_strndup(a, strcspn(a, "="));
	gsize i, k = 0;

	for (i = 0; i < cmd->nopts; i++)
		if (strchr(cmd->opts[i].name, '=') == NULL)
			names[k++] = cmd->opts[i].name;
	names[k++] = "--help";
	return sim_cli_error(cmd, sim_suggest(opt, names, k),
	    "unknown option '%s'", a);
}

/*
 * Parse argv[1..argc) against cmd's options: paths (anything not
 * starting with '-', a lone "-", everything after "--") go to paths,
 * options to fn with ud and their row's id.  No path at all is a usage
 * error when paths_needed.  Returns SIM_CLI_GO_ON when the whole line
 * was read, else the exit status to stop with: --help printed (0), a
 * handler's, or a usage error (2).
 */
int
sim_options_parse(const SimCommand *cmd, SimOptFn fn, int argc, char **argv,
    GPtrArray *paths, gboolean paths_needed, void *ud)
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
			return sim_cli_help(cmd);
		o = find_option(cmd, a, &value);
		if (o == NULL)
			return unknown_option(cmd, a);
		if (o->arg != NULL && value == NULL) {
			if (i + 1 >= argc)
				return sim_cli_error(cmd, NULL, "option '%s' "
				    "needs a value", a);
			value = argv[++i];
		}
		st = fn(ud, o->id, a, value);
		if (st != SIM_CLI_GO_ON)
			return st;
	}
	if (paths->len == 0 && paths_needed)
		return sim_cli_error(cmd, NULL, "no %s given", cmd->args);
	if (paths->len > 0 && cmd->args == NULL)
		return sim_cli_error(cmd, NULL, "unexpected argument '%s'",
		    (char *)paths->pdata[0]);
	return SIM_CLI_GO_ON;
}

static int
no_option(void *ud, int id, const char *opt, const char *value)
{
	(void)ud, (void)id, (void)opt, (void)value;
	return SIM_CLI_GO_ON;	/* LCOV_EXCL_LINE: a table without rows */
}

/* The command line of a command with neither options nor arguments:
 * SIM_CLI_GO_ON, or the exit status to stop with. */
int
sim_options_none(const SimCommand *cmd, int argc, char **argv)
{
	g_autoptr(GPtrArray) none = g_ptr_array_new();

	return sim_options_parse(cmd, no_option, argc, argv, none, FALSE,
	    NULL);
}

/* The formats of SIM_OPTION_FORMAT, for sim_cli_format(). */
const char *const sim_cli_formats[] = { "text", "tap", "json", NULL };

/* --format: one of allowed (text, tap, json) into *format. */
int
sim_cli_format(const SimCommand *cmd, const char *value,
    const char *const *allowed, SimFormat *format)
{
	if (!g_strv_contains(allowed, value)) {
		g_autofree char *list = g_strjoinv(", ", (char **)allowed);
		char *last = strrchr(list, ',');

		/* "text, tap or json" */
		if (last != NULL) {
			g_autofree char *head = g_strndup(list,
			    (gsize)(last - list));

			return sim_cli_error(cmd, NULL, "unknown format '%s' "
			    "(%s or%s)", value, head, last + 1);
		}
		return sim_cli_error(cmd, NULL, "unknown format '%s' (%s)",
		    value, list);
	}
	*format = strcmp(value, "tap") == 0 ? SIM_FORMAT_TAP :
	    strcmp(value, "json") == 0 ? SIM_FORMAT_JSON : SIM_FORMAT_TEXT;
	return SIM_CLI_GO_ON;
}

/* --check step|full|off (SIM_OPTION_CHECK) into *mode. */
int
sim_cli_check(const SimCommand *cmd, const char *value, SimCheckMode *mode)
{
	static const char *const modes[] = { "step", "full", "off", NULL };
	static const SimCheckMode is[] = { SIM_CHECK_STEP, SIM_CHECK_FULL,
		SIM_CHECK_OFF };

	for (guint i = 0; modes[i] != NULL; i++) {
		if (strcmp(value, modes[i]) == 0) {
			*mode = is[i];
			return SIM_CLI_GO_ON;
		}
	}
	return sim_cli_error(cmd, sim_suggest(value, modes, 3), "--check: "
	    "unknown mode '%s' (step, full or off)", value);
}

/*
 * --profile P[,P]: each profile into out (g_strdup()); each must be a
 * profile of the model.  Run: also "all", which sets *all, and "auto",
 * the profile nearest the running kernel.
 */
int
sim_cli_profiles(const SimCommand *cmd, const char *value,
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
				return sim_cli_error(cmd, NULL, "%s",
				    e->message);
		} else if ((bad = sim_profile_unknown(p)) != NULL) {
			return sim_cli_error(cmd, NULL, "%s", bad);
		}
		g_ptr_array_add(out, g_strdup(p));
	}
	return SIM_CLI_GO_ON;
}

/* The profiles --profile selected, NULL-terminated in profiles itself;
 * NULL when none was (then every profile is). */
char **
sim_cli_selected(GPtrArray *profiles)
{
	if (profiles->len == 0)
		return NULL;
	g_ptr_array_add(profiles, NULL);
	return (char **)profiles->pdata;
}

/* "a,b,c" -> { "a", "b", "c", NULL }.  g_strfreev(). */
char **
sim_cli_list(const char *value)
{
	return g_strsplit(value, ",", -1);
}

/* The model's profile names (SimChoicesFn). */
const char *const *
sim_cli_profile_choices(gsize *n)
{
	static const char **names;

	if (names == NULL)
		names = sim_profile_names();
	*n = g_strv_length((char **)names);
	return names;
}

/* ---------------------------------------------------------------------
 * Completion: reuseport-sim complete WORD... CURRENT prints the words
 * that may come at CURRENT, one a line, or __files__ when a file name
 * does (completion/reuseport-sim reads them).
 */

static const SimCommand *
find_command(const SimCommand *const *cmds, gsize n, const char *name)
{
	for (gsize i = 0; i < n; i++)
		if (strcmp(cmds[i]->name, name) == 0)
			return cmds[i];
	return NULL;
}

/* The values option o takes: its choices and the literal words of its
 * arg ("text|tap|json", "P[,P]|all|auto"); __files__ for FILE or DIR. */
static void
complete_values(const SimOption *o, const char *prefix)
{
	g_auto(GStrv) words = g_strsplit(o->arg, "|", -1);

	if (strstr(o->arg, "FILE") != NULL || strstr(o->arg, "DIR") != NULL) {
		puts("__files__");
		return;
	}
	if (o->choices != NULL) {
		gsize n;
		const char *const *c = o->choices(&n);

		for (gsize i = 0; i < n; i++)
			printf("%s%s\n", prefix, c[i]);
	}
	for (guint i = 0; words[i] != NULL; i++) {
		const char *w = words[i];

		if (w[0] != '\0' && strspn(w, "abcdefghijklmnopqrstuvwxyz"
		    "0123456789.-") == strlen(w))
			printf("%s%s\n", prefix, w);
	}
}

int
sim_cli_complete(const SimCommand *const *cmds, gsize n, int argc,
    char **argv)
{
	const SimCommand *cmd;
	const SimOption *o;
	const char *cur, *prev, *value;

	if (argc < 2)
		return SIM_EXIT_OK;
	cur = argv[argc - 1];
	if (argc == 2) {
		for (gsize i = 0; i < n; i++)
			if (!cmds[i]->hidden)
				puts(cmds[i]->name);
		if (cur[0] == '-')
			puts("--help\n--version\n-h\n-V");
		return SIM_EXIT_OK;
	}
	cmd = find_command(cmds, n, argv[1]);
	if (cmd == NULL)
		return SIM_EXIT_OK;
	prev = argv[argc - 2];
	o = argc > 3 ? find_option(cmd, prev, &value) : NULL;
	if (o != NULL && o->arg != NULL && value == NULL) {
		complete_values(o, "");
		return SIM_EXIT_OK;
	}
	if (cur[0] == '-') {
		o = find_option(cmd, cur, &value);
		if (o != NULL && value != NULL) {
			g_autofree char *pre = g_strndup(cur, (gsize)(value -
			    cur));

			complete_values(o, pre);
			return SIM_EXIT_OK;
		}
		for (gsize i = 0; i < cmd->nopts; i++)
			puts(cmd->opts[i].name);
		puts("--help");
		return SIM_EXIT_OK;
	}
	if (cmd->args != NULL)
		puts("__files__");
	return SIM_EXIT_OK;
}
