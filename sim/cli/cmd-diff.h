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
	const char		*release;	/* b's kernel (uname -r) */
	SimFormat		 format;
	FILE			*out;		/* results, and input errors as
						 * TAP or JSON */
	FILE			*err;		/* input errors as text */
};

int	 sim_diff_paths(const SimDiffOptions *o, char *const *paths,
	    gsize n);
int	 sim_cmd_diff(int argc, char **argv);

extern const SimCommand sim_cmd_diff_def;

G_END_DECLS

#endif /* SIM_CLI_CMD_DIFF_H */
