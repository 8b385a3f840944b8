/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * print.h - statements printed back as scenario text (print.c): the one
 * printer of the narration, the counterexamples and the diff reports.
 */
#ifndef SIM_LANG_PRINT_H
#define SIM_LANG_PRINT_H

#include <glib.h>

#include "lang/scenario.h"

G_BEGIN_DECLS

/* The parts of a statement to print. */
typedef enum {
	SIM_PRINT_CALL = 0,		/* [label: ]verb args */
	SIM_PRINT_EXPECT = 1 << 0,	/* and [= expect] [@p = expect]... */
} SimPrintParts;

void	 sim_stmt_print(const SimStmt *st, SimPrintParts parts,
	    const char *profile, GString *out);
char	*sim_stmt_text(const SimStmt *st, SimPrintParts parts);
void	 sim_tree_print(const SimStmt *st, guint indent, const char *profile,
	    GString *out);

G_END_DECLS

#endif /* SIM_LANG_PRINT_H */
