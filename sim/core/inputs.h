/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * inputs.h - the scenario files of a command line (inputs.c).
 */
#ifndef SIM_CORE_INPUTS_H
#define SIM_CORE_INPUTS_H

#include <stdio.h>

#include <glib.h>

#include "lang/scenario.h"

G_BEGIN_DECLS

/* One scenario file: where it is, how it is shown, what it holds. */
typedef struct SimInput SimInput;
struct SimInput {
	char		*path;		/* to open */
	char		*name;		/* to show: relative to its DIR */
	SimScenario	*sc;
};

GPtrArray	*sim_inputs_load(char *const *paths, gsize n, FILE *err);

G_END_DECLS

#endif /* SIM_CORE_INPUTS_H */
