/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * budget.h - the time and memory budget of `reuseport-sim run`
 * (budget.c): --timeout and --max-memory.
 */
#ifndef SIM_CLI_BUDGET_H
#define SIM_CLI_BUDGET_H

#include <stdio.h>

#include <glib.h>

G_BEGIN_DECLS

/* The exit status of a run stopped by its budget. */
#define SIM_EXIT_BUDGET		3

/* The defaults: an hour; half the machine's memory. */
#define SIM_BUDGET_TIMEOUT	3600

typedef struct SimBudget SimBudget;
struct SimBudget {
	guint64		 timeout;	/* seconds; 0 = none */
	guint64		 max_memory;	/* bytes resident; 0 = none */
	gboolean	 tap;		/* a "Bail out!" line on out too */
	FILE		*out;
};

guint64	 sim_budget_default_memory(void);
gboolean sim_budget_parse_size(const char *s, guint64 *bytes);
gboolean sim_budget_parse_seconds(const char *s, guint64 *seconds);
void	 sim_budget_start(const SimBudget *b);
void	 sim_budget_at(const char *path, const char *profile);
void	 sim_budget_stop(void);

G_END_DECLS

#endif /* SIM_CLI_BUDGET_H */
