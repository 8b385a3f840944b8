/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * explain-why.h - the "why" texts of the narration (explain-why.c), one
 * row per rule of docs/SPEC.md the model reports.
 */
#ifndef SIM_TOOLS_EXPLAIN_WHY_H
#define SIM_TOOLS_EXPLAIN_WHY_H

#include <glib.h>

G_BEGIN_DECLS

/* The "why" texts of one rule: ok when the rule let the step succeed,
 * fail when it decided an error; either may be NULL (the other serves).
 * {S} {M} {K} ... are filled from the step. */
typedef struct SimWhy SimWhy;
struct SimWhy {
	const char	*id;
	const char	*ok;
	const char	*fail;
};

const SimWhy	*sim_why_table(gsize *n);

G_END_DECLS

#endif /* SIM_TOOLS_EXPLAIN_WHY_H */
