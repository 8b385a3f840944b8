/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * cmd-explain.h - `reuseport-sim explain` (cmd-explain.c).
 */
#ifndef SIM_CLI_CMD_EXPLAIN_H
#define SIM_CLI_CMD_EXPLAIN_H

#include <glib.h>

#include "cli/options.h"

G_BEGIN_DECLS

int	 sim_cmd_explain(int argc, char **argv);

extern const SimCommand sim_cmd_explain_def;

G_END_DECLS

#endif /* SIM_CLI_CMD_EXPLAIN_H */
