/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * cmd-calibrate.h - `reuseport-sim calibrate` (cmd-calibrate.c).
 */
#ifndef SIM_CLI_CMD_CALIBRATE_H
#define SIM_CLI_CMD_CALIBRATE_H

#include <glib.h>

#include "cli/options.h"

G_BEGIN_DECLS

extern const SimCommand sim_cmd_calibrate_def;

int	 sim_cmd_calibrate(int argc, char **argv);

G_END_DECLS

#endif /* SIM_CLI_CMD_CALIBRATE_H */
