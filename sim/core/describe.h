/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * describe.h - the state of the objects a failure involves (describe.c).
 */
#ifndef SIM_CORE_DESCRIBE_H
#define SIM_CORE_DESCRIBE_H

#include <glib.h>

#include "core/hooks.h"
#include "core/result.h"
#include "lang/scenario.h"

G_BEGIN_DECLS

void	 sim_describe_involved(SimExec *x, const SimStmt *st,
	    const GPtrArray *exp, const SimResult *r, GString *out);
void	 sim_describe_ids(SimExec *x, const char *msg, GString *out);

G_END_DECLS

#endif /* SIM_CORE_DESCRIBE_H */
