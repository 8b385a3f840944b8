/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * options.h - the command line of reuseport-sim (options.c): each command
 * is a row (SimCommand) with a table of options (SimOption), and
 * everything else is said here once from those tables: parsing (--name=V
 * and --name V, --, -, -h/--help, a missing value, an unknown option with
 * the nearest known one), the usage and help texts, usage errors (one
 * line and "Try 'reuseport-sim CMD --help'"), and the words the shell
 * completion offers (reuseport-sim complete).
 */
#ifndef SIM_CLI_OPTIONS_H
#define SIM_CLI_OPTIONS_H

#include <glib.h>

#include "cli/report.h"
#include "core/backend.h"

G_BEGIN_DECLS

/* What an option's handler returns to let the parse go on; any other
 * value is the exit status to stop with (after printing). */
#define SIM_CLI_GO_ON	(-1)

/* The names an option's value may take, beyond the literal words of its
 * arg (for the help text and the completion): *n of them, then NULL. */
typedef const char *const *(*SimChoicesFn)(gsize *n);

typedef struct SimOption SimOption;
struct SimOption {
	const char	*name;		/* "--profile"; a flag may hold '=' */
	const char	*arg;		/* the value: "text|tap|json", "N",
					 * "FILE"; NULL for a flag.  Lower-
					 * case words are literal values */
	int		 id;		/* what the command's handler gets */
	const char	*help;		/* what it does; '\n' breaks lines */
	SimChoicesFn	 choices;	/* more values (profiles ...), or NULL */
};

/* The command's handler of option id (as written: opt) with its value
 * (NULL for a flag). */
typedef int (*SimOptFn)(void *ud, int id, const char *opt,
    const char *value);

typedef struct SimCommand SimCommand;
struct SimCommand {
	const char	*name;		/* "run" */
	const char	*args;		/* "FILE|DIR...", or NULL: none */
	const char	*summary;	/* one line for reuseport-sim --help */
	const char	*help;		/* before the options, or NULL */
	const SimOption	*opts;
	gsize		 nopts;
	const char	*more;		/* after the options, or NULL */
	int		(*run)(int argc, char **argv);
	gboolean	 hidden;	/* not listed (complete) */
};

/*
 * --format text|tap|json, the row of every command that writes all three
 * (sim_cli_formats); tail follows "JSON" in the help.
 */
#define SIM_OPTION_FORMAT(id, tail) \
	{ "--format", "text|tap|json", (id), \
	    "text (default), TAP version 13, or JSON" tail, NULL }

/*
 * --check step|full|off, the same row in every command that runs
 * scenarios (run, diff, explore, explain); sim_cli_check() reads it.
 */
#define SIM_OPTION_CHECK(id) \
	{ "--check", "step|full|off", (id), \
	    "the invariants after each step. step (default):\n" \
	    "where the step changed the state, and the whole\n" \
	    "state at the end; full: the whole state after\n" \
	    "every step; off: none (a `check` statement\n" \
	    "still checks)", NULL }

/* How --profile P[,P] is read. */
typedef enum {
	SIM_PROFILES_CHECKED,	/* each a profile of the model */
	SIM_PROFILES_RUN,	/* also all and auto */
	SIM_PROFILES_RUN_KERNEL, /* as RUN, auto calibrated on the running
				 * kernel (kernels.c) */
} SimProfilesMode;

int	 sim_options_parse(const SimCommand *cmd, SimOptFn fn, int argc,
	    char **argv, GPtrArray *paths, gboolean paths_needed, void *ud);
int	 sim_cli_error(const SimCommand *cmd, const char *hint,
	    const char *fmt, ...) G_GNUC_PRINTF(3, 4);
void	 sim_cli_fail(const char *fmt, ...) G_GNUC_PRINTF(1, 2);
int	 sim_cli_help(const SimCommand *cmd);
int	 sim_cli_main_help(const SimCommand *const *cmds, gsize n);
int	 sim_cli_version(void);
int	 sim_cli_complete(const SimCommand *const *cmds, gsize n, int argc,
	    char **argv);
extern const char *const sim_cli_formats[];

int	 sim_cli_format(const SimCommand *cmd, const char *value,
	    const char *const *allowed, SimFormat *format);
int	 sim_cli_check(const SimCommand *cmd, const char *value,
	    SimCheckMode *mode);
int	 sim_cli_profiles(const SimCommand *cmd, const char *value,
	    SimProfilesMode mode, GPtrArray *out, gboolean *all,
	    GString *note, int *kconfig);
char	**sim_cli_list(const char *value);
char	**sim_cli_selected(GPtrArray *profiles);
int	 sim_options_none(const SimCommand *cmd, int argc, char **argv);
const char *const *sim_cli_profile_choices(gsize *n);

G_END_DECLS

#endif /* SIM_CLI_OPTIONS_H */
