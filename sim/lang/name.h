/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * name.h - what a name of the scenario language looks like (name.c): the
 * one definition the lexer, the parser and the executor's name table use.
 */
#ifndef SIM_LANG_NAME_H
#define SIM_LANG_NAME_H

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
	/* [A-Za-z_][A-Za-z0-9_.-]*: sockets, maps, programs, processes,
	 * namespaces, verbs, labels, threads and the keys of key=value */
	SIM_NAME_OBJECT,
	/* [A-Za-z_][A-Za-z0-9_]*: variables ($name) */
	SIM_NAME_VAR,
	/* [A-Za-z0-9_.+-]+: profiles (4.19, 6.18, after '@') */
	SIM_NAME_PROFILE,
} SimNameShape;

gboolean	 sim_name_valid(SimNameShape shape, const char *s, gsize n);
gboolean	 sim_name_valid_str(SimNameShape shape, const char *s);

G_END_DECLS

#endif /* SIM_LANG_NAME_H */
