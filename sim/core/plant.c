/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * plant.c - the plantable bugs of the model by name (plant.h).
 */
#include <string.h>

#include "rp.h"

#include "core/plant.h"

/* The names, and in the same order the bits, of the plantable bugs. */
static const char *const plant_names[] = {
	"update-no-recheck", "detach-slot-unlocked", "free-no-cb-lock",
	"detach-foreign", NULL,
};
static const unsigned plant_bits[] = {
	RP_PLANT_UPDATE_NO_RECHECK, RP_PLANT_DETACH_SLOT_UNLOCKED,
	RP_PLANT_FREE_NO_CB_LOCK, RP_PLANT_DETACH_FOREIGN,
};
G_STATIC_ASSERT(G_N_ELEMENTS(plant_names) == G_N_ELEMENTS(plant_bits) + 1);

gboolean
sim_plant_find(const char *name, unsigned *bit)
{
	for (guint i = 0; i < G_N_ELEMENTS(plant_bits); i++) {
		if (strcmp(plant_names[i], name) == 0) {
			*bit = plant_bits[i];
			return TRUE;
		}
	}
	return FALSE;
}

const char *const *
sim_plant_names(gsize *n)
{
	*n = G_N_ELEMENTS(plant_bits);
	return plant_names;
}

/* "update-no-recheck detach-foreign" for bits; "" for none. */
char *
sim_plant_describe(unsigned bits)
{
	GString *s = g_string_new(NULL);

	for (guint i = 0; i < G_N_ELEMENTS(plant_bits); i++)
		if (bits & plant_bits[i])
			g_string_append_printf(s, "%s%s", s->len > 0 ? " " : "",
			    plant_names[i]);
	return g_string_free(s, FALSE);
}
