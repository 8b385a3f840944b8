/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * plant.h - the bugs rp_state_plant() can put into the model, by name
 * (plant.c): for the `plant` statement and `explore --plant`, which prove
 * that the explorer finds them.
 */
#ifndef SIM_CORE_PLANT_H
#define SIM_CORE_PLANT_H

#include <glib.h>

G_BEGIN_DECLS

gboolean	 sim_plant_find(const char *name, unsigned *bit);
const char *const *sim_plant_names(gsize *n);
char		*sim_plant_describe(unsigned bits);

G_END_DECLS

#endif /* SIM_CORE_PLANT_H */
