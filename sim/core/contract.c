/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * contract.c - the result contracts the verb handlers report through
 * (contract.h): I14 for syscall lookups and I16 for deliveries, checked
 * against the backend's model-only view when it has one.
 */
#include <errno.h>

#include "core/contract.h"
#include "core/pass-int.h"

/*
 * I14: a syscall lookup on a sockarray (or sockmap/sockhash) with 4-byte
 * values returns ENOSPC whatever the key; with 8-byte values ENOENT or
 * exactly the occupant's cookie.  Results of checks that come first
 * (fd, flags, permissions: other errnos) are not lookups of the slot, and
 * a name closed already says nothing of the file its number reaches.
 */
void
sim_contract_lookup(SimExec *x, const SimObj *m, guint32 key, int err,
    guint64 value)
{
	const char *occ_name;
	struct rp_sock_info in;
	unsigned occ;

	/* a closed name's fd number may be another file's by now */
	if (!m->bound || m->closed || (m->map_type != RP_MAP_REUSEPORT_SOCKARRAY &&
	    m->map_type != RP_MAP_SOCKMAP && m->map_type != RP_MAP_SOCKHASH))
		return;
	if (err != 0 && err != -ENOENT && err != -ENOSPC)
		return;
	if (m->value_size == 4) {
		if (err != -ENOSPC)
			sim_pass_fail(x, "I14 lookup: map '%s' has 4-byte "
			    "values, "
			    "but the lookup of key %u returned %s instead of "
			    "-ENOSPC", m->name, key, err == 0 ? "a value" :
			    "-ENOENT");
		return;
	}
	if (err == -ENOSPC) {
		sim_pass_fail(x, "I14 lookup: map '%s' has %u-byte values, "
		    "but the "
		    "lookup of key %u returned -ENOSPC", m->name,
		    m->value_size, key);
		return;
	}
	/* under explore another thread may have changed the slot since */
	if (x->insp == NULL || x->concurrent)
		return;
	occ = x->insp->map_slot(x->be, m->id, key);
	occ_name = sim_names_sock(x->names, occ);
	if (err == -ENOENT && occ != 0)
		sim_pass_fail(x, "I14 lookup: key %u of '%s' returned "
		    "-ENOENT, but "
		    "the slot holds %s", key, m->name, occ_name);
	else if (err == 0 && occ == 0)
		sim_pass_fail(x, "I14 lookup: key %u of '%s' returned "
		    "%" G_GUINT64_FORMAT
		    ", but the slot is empty", key, m->name, value);
	else if (err == 0 && (x->insp->sock_info(x->be, occ, &in) != 0 ||
	    in.cookie != value))
		sim_pass_fail(x, "I14 lookup: key %u of '%s' returned %"
		    G_GUINT64_FORMAT ", not the cookie of the occupant %s",
		    key, m->name, value, occ_name);
}

/*
 * I16: a delivery goes to exactly one socket, a live member of the
 * receiving group (when a group selected), never a closed socket.
 */
void
sim_contract_send(SimExec *x, const struct rp_delivery *d)
{
	const char *name, *gn;
	struct rp_sock_info in;

	/* under explore the group may have changed since the selection:
	 * the model checks the chosen socket inside its RCU section */
	if (d->outcome != RP_DELIVERED || x->insp == NULL || x->concurrent)
		return;
	name = sim_names_sock(x->names, d->sock);
	if (d->sock == 0 || x->insp->sock_info(x->be, d->sock, &in) != 0) {
		sim_pass_fail(x, "I16 selection: delivered to %s, which does "
		    "not "
		    "exist", name);
		return;
	}
	if (in.closed) {
		sim_pass_fail(x, "I16 selection: delivered to %s, a closed "
		    "socket",
		    name);
		return;
	}
	if (d->group == 0)
		return;
	gn = sim_names_group(x->names, d->group);
	if (in.group != d->group)
		sim_pass_fail(x, "I16 selection: delivered to %s, which is "
		    "not a "
		    "member of the receiving group %s", name, gn);
	else if (in.group_closed)
		sim_pass_fail(x, "I16 selection: delivered to %s, in the "
		    "closed "
		    "section of group %s", name, gn);
}
