/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * cmd-fuzzdiff.h - `reuseport-sim fuzz-diff` and `reuseport-sim gen`
 * (cmd-fuzzdiff.c).
 */
#ifndef SIM_CLI_CMD_FUZZDIFF_H
#define SIM_CLI_CMD_FUZZDIFF_H

#include <stdio.h>

#include <glib.h>

#include "cli/options.h"
#include "cli/report.h"
#include "tools/fuzzdiff.h"

G_BEGIN_DECLS

/* What fuzz-diff writes where. */
typedef struct SimFuzzOut SimFuzzOut;
struct SimFuzzOut {
	SimFormat	 format;
	FILE		*out;
	const char	*save;		/* directory for minimal cases, or NULL */
	gboolean	 quiet;		/* only failing cases and the summary */
};

int	 sim_fuzz_diff_run(const SimFuzzOptions *o, const SimFuzzOut *w);
int	 sim_cmd_fuzz_diff(int argc, char **argv);
int	 sim_cmd_gen(int argc, char **argv);

extern const SimCommand sim_cmd_fuzz_diff_def;
extern const SimCommand sim_cmd_gen_def;

G_END_DECLS

#endif /* SIM_CLI_CMD_FUZZDIFF_H */
