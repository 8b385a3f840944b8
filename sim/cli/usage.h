/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * usage.h - what reuseport-sim says about its command line (usage.c):
 * the usage and help texts, and usage errors.
 */
#ifndef SIM_CLI_USAGE_H
#define SIM_CLI_USAGE_H

#include <glib.h>

G_BEGIN_DECLS

/* The texts of a command line: errors begin with prefix and are
 * followed by usage; --help prints usage, a blank line and help. */
typedef struct SimCliText SimCliText;
struct SimCliText {
	const char	*prefix;	/* "reuseport-sim: " */
	const char	*usage;
	const char	*help;
};

extern const SimCliText sim_cli_main;	/* run, explore, diff, list-verbs */
extern const SimCliText sim_cli_explain;

int	 sim_cli_error(const SimCliText *t, const char *hint, const char *fmt,
	    ...) G_GNUC_PRINTF(3, 4);
int	 sim_cli_help(const SimCliText *t);

G_END_DECLS

#endif /* SIM_CLI_USAGE_H */
