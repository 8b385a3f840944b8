/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * shrink.h - the smallest scenario that still fails the same way
 * (shrink.c): delta debugging over the statements of a scenario's text,
 * then simpler arguments.
 *
 * The shrinker knows nothing of backends: it hands candidate texts to a
 * test that says whether a candidate still shows the failure (the same
 * divergence, the same violation).  A candidate that does not parse, or
 * names something no earlier statement defines, is the test's to refuse
 * (it costs no backend run there).  Comment lines, blank lines and the
 * `profile` line are kept as they are; every other line is a unit.
 *
 * Ownership: the returned text belongs to the caller (g_free()).
 */
#ifndef SIM_TOOLS_SHRINK_H
#define SIM_TOOLS_SHRINK_H

#include <glib.h>

G_BEGIN_DECLS

/* Does text still fail the way the original did? */
typedef gboolean (*SimShrinkTest)(const char *text, gpointer ud);

typedef struct SimShrinkStats SimShrinkStats;
struct SimShrinkStats {
	guint	tests;		/* calls of the test */
	guint	units_before, units_after;	/* statements */
	gboolean budget_out;	/* stopped at max_tests */
};

char	*sim_shrink(const char *text, SimShrinkTest test, gpointer ud,
	    guint max_tests, SimShrinkStats *stats);

G_END_DECLS

#endif /* SIM_TOOLS_SHRINK_H */
