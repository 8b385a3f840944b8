/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * contract.h - result contracts of lookups and deliveries (contract.c);
 * a broken contract is a failure of the current step.
 */
#ifndef SIM_CORE_CONTRACT_H
#define SIM_CORE_CONTRACT_H

#include <glib.h>

#include "rp.h"

#include "core/hooks.h"
#include "core/names.h"

G_BEGIN_DECLS

void	 sim_contract_lookup(SimExec *x, const SimObj *map, guint32 key,
	    int err, guint64 value);
void	 sim_contract_send(SimExec *x, const struct rp_delivery *d);

G_END_DECLS

#endif /* SIM_CORE_CONTRACT_H */
