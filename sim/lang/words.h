/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * words.h - the scenario language's words for kernel numbers (words.c):
 * socket states, families, types, protocols, map types and errno values,
 * as the trace, the failure messages and the narration print them.
 */
#ifndef SIM_LANG_WORDS_H
#define SIM_LANG_WORDS_H

#include <glib.h>

G_BEGIN_DECLS

const char	*sim_state_name(int state);
const char	*sim_family_name(int family);
const char	*sim_socktype_name(int type);
const char	*sim_proto_name(int proto);
const char	*sim_map_type_name(guint32 type);
char		*sim_err_string(int err);

G_END_DECLS

#endif /* SIM_LANG_WORDS_H */
