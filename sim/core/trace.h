/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * trace.h - the trace sink (trace.c): a read-only observer of the model
 * that records the events of a run with the scenario line that caused
 * each, and prints them in the scenario's names.
 */
#ifndef SIM_CORE_TRACE_H
#define SIM_CORE_TRACE_H

#include <glib.h>

#include "rp.h"

#include "core/names.h"
#include "lang/scenario.h"

G_BEGIN_DECLS

typedef enum {
	SIM_TRACE_OFF,
	SIM_TRACE_ON,		/* state changes */
	SIM_TRACE_ALL,		/* and lock, callback lock and RCU events */
} SimTraceLevel;

typedef struct SimTrace SimTrace;

SimTrace	*sim_trace_new(SimTraceLevel level);
void		 sim_trace_free(SimTrace *tr);
const struct rp_observer *sim_trace_observer(void);
void		 sim_trace_step(SimTrace *tr, const SimStmt *st);
void		 sim_trace_format(const SimTrace *tr, SimNames *nm,
		    const char *top, GString *out);
GArray		*sim_events_new(void);
void		 sim_events_add(GArray *a, const struct rp_event *ev);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(SimTrace, sim_trace_free)

G_END_DECLS

#endif /* SIM_CORE_TRACE_H */
