/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * options.h - the one command-line parser of reuseport-sim (options.c):
 * each command describes its options as a table of rows, and everything
 * else (--name=V and --name V, --, -, --help, a missing value, an unknown
 * option with the nearest known one) is said here once.
 */
#ifndef SIM_CLI_OPTIONS_H
#define SIM_CLI_OPTIONS_H

#include <glib.h>

#include "cli/report.h"
#include "cli/usage.h"

G_BEGIN_DECLS

/* What an option's handler returns to let the parse go on; any other
 * value is the exit status to stop with (after printing). */
#define SIM_CLI_GO_ON	(-1)

typedef struct SimOption SimOption;
struct SimOption {
	const char	*name;		/* "--profile"; a flag may hold '=' */
	gboolean	 value;		/* takes a value: --name=V, --name V */
	int		 id;		/* what the command's handler gets */
};

/* The command's handler of option id (as written: opt) with its value
 * (NULL for a flag). */
typedef int (*SimOptFn)(void *ud, int id, const char *opt,
    const char *value);

/* How --profile P[,P] is read. */
typedef enum {
	SIM_PROFILES_CHECKED,	/* each a profile of the model */
	SIM_PROFILES_RUN,	/* also all and auto; checked when run */
	SIM_PROFILES_RUN_KERNEL, /* as RUN, auto calibrated on the running
				 * kernel (kernels.c) */
} SimProfilesMode;

int	 sim_options_parse(const SimCliText *t, const SimOption *opts,
	    gsize n, SimOptFn fn, int argc, char **argv, GPtrArray *paths,
	    const char *no_paths, void *ud);
int	 sim_cli_format(const SimCliText *t, const char *value,
	    const char *const *allowed, SimFormat *format);
int	 sim_cli_profiles(const SimCliText *t, const char *value,
	    SimProfilesMode mode, GPtrArray *out, gboolean *all,
	    GString *note, int *kconfig);
char	**sim_cli_list(const char *value);

G_END_DECLS

#endif /* SIM_CLI_OPTIONS_H */
