/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * inputs.h - the scenario files of a command line (inputs.c).
 */
#ifndef SIM_CORE_INPUTS_H
#define SIM_CORE_INPUTS_H

#include <glib.h>

#include "lang/scenario.h"

G_BEGIN_DECLS

/* One scenario file: where it is, as the user gave it, and what it
 * holds. */
typedef struct SimInput SimInput;
struct SimInput {
	char		*path;		/* as given, or DIR as given + the
					 * path below it: opened and shown */
	gboolean	 named;		/* named itself on the command line */
	SimScenario	*sc;
};

GPtrArray	*sim_inputs_load(char *const *paths, gsize n,
		    GPtrArray *errors);

G_END_DECLS

#endif /* SIM_CORE_INPUTS_H */
