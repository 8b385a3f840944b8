/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * profiles.h - the model's behaviour profiles as the simulator selects
 * them (profiles.c): the profiles a scenario runs under, profile names
 * checked with a suggestion, and the profile nearest a kernel release
 * (--profile auto).  The list is the model's own (rp_profile_nth()).
 */
#ifndef SIM_CORE_PROFILES_H
#define SIM_CORE_PROFILES_H

#include <glib.h>

#include "lang/scenario.h"

G_BEGIN_DECLS

const char	**sim_profile_names(void);
char		*sim_profile_unknown(const char *name);
GPtrArray	*sim_scenario_profiles(const SimScenario *sc,
		    char *const *selected);
const char	*sim_profile_for_release(const char *release,
		    GError **error);
const char	*sim_profile_auto(GError **error);

G_END_DECLS

#endif /* SIM_CORE_PROFILES_H */
