/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * cmd-diff.h - `reuseport-sim diff` (cmd-diff.c).
 */
#ifndef SIM_CLI_CMD_DIFF_H
#define SIM_CLI_CMD_DIFF_H

#include <stdio.h>

#include <glib.h>

#include "cli/options.h"
#include "cli/report.h"
#include "core/backend.h"
#include "tools/diff.h"

G_BEGIN_DECLS

typedef struct SimDiffOptions SimDiffOptions;
struct SimDiffOptions {
	const SimBackendOps	*a;		/* the reference: the model */
	const SimBackendOps	*b;		/* compared with it: a kernel */
	const char		*profile;	/* a model profile name */
	const SimManifest	*manifest;	/* or NULL: none known */
	SimFormat		 format;
	SimCheckMode		 check;		/* --check */
	FILE			*out;		/* results, and input errors as
						 * TAP or JSON */
	FILE			*err;		/* input errors as text */
	/* b's kernel: its exact release (uname -r), which also picks the
	 * manifest's kernel= entries, and calibration, printed first; NULL:
	 * not printed */
	const char		*release;
	const char		*note;
	int			 kconfig_mptcp;	/* calibrated: 0, 1 y, 2 n */
};

int	 sim_diff_paths(const SimDiffOptions *o, char *const *paths,
	    gsize n);
int	 sim_cmd_diff(int argc, char **argv);

extern const SimCommand sim_cmd_diff_def;

G_END_DECLS

#endif /* SIM_CLI_CMD_DIFF_H */
