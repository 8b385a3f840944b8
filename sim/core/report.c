/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * report.c - freeing what a SimReport holds (report.h).
 */
#include "core/report.h"

void
sim_count_share_free(gpointer p)
{
	SimCountShare *cs = p;

	g_free(cs->name);
	g_free(cs);
}

static void
step_free(gpointer p)
{
	SimStep *s = p;

	if (s->shares != NULL)
		g_ptr_array_unref(s->shares);
	g_free(s->result);
	g_free(s->why);
	g_free(s);
}

/* An array for SimReport.steps. */
GPtrArray *
sim_steps_new(void)
{
	return g_ptr_array_new_with_free_func(step_free);
}

/* Free what report holds and reset it. */
void
sim_report_clear(SimReport *report)
{
	g_clear_pointer(&report->messages, g_ptr_array_unref);
	g_clear_pointer(&report->skip, g_free);
	g_clear_pointer(&report->notes, g_ptr_array_unref);
	g_clear_pointer(&report->steps, g_ptr_array_unref);
	if (report->trace != NULL)
		g_string_free(report->trace, TRUE);
	report->trace = NULL;
	report->passed = FALSE;
}
