/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * cmd-run.h - `reuseport-sim run` and `list-verbs` (cmd-run.c).
 */
#ifndef SIM_CLI_CMD_RUN_H
#define SIM_CLI_CMD_RUN_H

#include <stdio.h>

#include <glib.h>

#include "cli/options.h"
#include "cli/report.h"
#include "core/backend.h"
#include "core/trace.h"

G_BEGIN_DECLS

typedef struct SimRunOptions SimRunOptions;
struct SimRunOptions {
	const SimBackendOps	*backend;	/* NULL: the model */
	char			**profiles;	/* selected; NULL = all */
	SimFormat		 format;
	SimTraceLevel		 trace;
	gboolean		 keep_going;
	SimCheckMode		 check;		/* --check */
	FILE			*out;		/* results, traces, and input
						 * errors as TAP or JSON */
	FILE			*err;		/* input errors as text */
	/* the kernel's exact release and calibration, printed first;
	 * NULL: not printed (the model) */
	const char		*release;
	const char		*note;
	int			 kconfig_mptcp;	/* calibrated: 0, 1 y, 2 n */
};

int	 sim_run_paths(const SimRunOptions *opts, char *const *paths,
	    gsize n);
int	 sim_cmd_run(int argc, char **argv);
int	 sim_cmd_list_verbs(int argc, char **argv);
int	 sim_cmd_list_profiles(int argc, char **argv);

extern const SimCommand sim_cmd_run_def;
extern const SimCommand sim_cmd_list_verbs_def;
extern const SimCommand sim_cmd_list_profiles_def;

G_END_DECLS

#endif /* SIM_CLI_CMD_RUN_H */
