/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * cmd-explore.h - `reuseport-sim explore` (cmd-explore.c).
 */
#ifndef SIM_CLI_CMD_EXPLORE_H
#define SIM_CLI_CMD_EXPLORE_H

#include <glib.h>

#include "cli/options.h"

G_BEGIN_DECLS

int	 sim_cmd_explore(int argc, char **argv);

extern const SimCommand sim_cmd_explore_def;

G_END_DECLS

#endif /* SIM_CLI_CMD_EXPLORE_H */
