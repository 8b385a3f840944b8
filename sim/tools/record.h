/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * record.h - a run recorded step by step for `explain` (record.c): for
 * every statement its result, the events it caused and a snapshot of the
 * model's state after it (groups with socks[], maps with their slots,
 * sockets with owner words and cookies).  A recorder is a set of the
 * executor's step hooks (core/hooks.h): hand rec->hooks to whoever runs
 * the scenario, and any run is recorded, one that follows a `schedule`
 * statement too.  Objects are kept as backend ids and named when the run
 * is over (core/names.h), so a socket named later (accept ... as c) has
 * that name everywhere.
 *
 * Ownership: a SimRecord owns its steps, events and snapshots.
 */
#ifndef SIM_TOOLS_RECORD_H
#define SIM_TOOLS_RECORD_H

#include <glib.h>

#include "rp.h"

#include "core/hooks.h"
#include "lang/scenario.h"

G_BEGIN_DECLS

/* ---------------------------------------------------------------------
 * Snapshots of the state after a step
 */
typedef struct SimSnapSock SimSnapSock;
struct SimSnapSock {
	unsigned	id;
	int		family, type, protocol, state;
	gboolean	closed, hashed, cookie;
	guint16		port;
	unsigned	group;
	int		pos;		/* -1: none */
	gboolean	group_closed;
	int		owner;		/* enum rp_owner_kind */
	unsigned	owner_map;
	guint32		owner_idx;
	unsigned	accept_queue;
	unsigned	parent;
};

typedef struct SimSnapGroup SimSnapGroup;
struct SimSnapGroup {
	unsigned	id;
	guint32		reuseport_id;
	gboolean	has_id;
	unsigned	num, nclosed, max;
	unsigned	prog;
	gboolean	cbpf;
};

typedef struct SimSnapSlot SimSnapSlot;
struct SimSnapSlot {
	guint32		key;
	unsigned	occ;		/* socket, or inner map of outer maps */
};

typedef struct SimSnapMap SimSnapMap;
struct SimSnapMap {
	unsigned	id;
	guint32		type, value_size, max_entries;
	unsigned	used;
	gboolean	frozen;
	GArray		*slots;		/* SimSnapSlot, occupied, by key */
};

typedef struct SimSnap SimSnap;
struct SimSnap {
	GArray		*socks;		/* SimSnapSock, live, by id */
	GArray		*groups;	/* SimSnapGroup, live, by id */
	GArray		*maps;		/* SimSnapMap, live, by id */
};

const SimSnapSock  *sim_snap_sock(const SimSnap *s, unsigned id);
const SimSnapGroup *sim_snap_group(const SimSnap *s, unsigned id);
const SimSnapMap   *sim_snap_map(const SimSnap *s, unsigned id);
unsigned	    sim_snap_slot(const SimSnapMap *m, guint32 key);
gboolean	    sim_snap_is_outer(const SimSnapMap *m);

/* ---------------------------------------------------------------------
 * A recorded run
 */
typedef struct SimStepRec SimStepRec;
struct SimStepRec {
	guint		 index;		/* statement index, 0-based */
	const SimStmt	*st;
	int		 err;
	char		*result;	/* rendered: 0, -EBUSY, c(a), b */
	gboolean	 failed;
	GPtrArray	*failures;	/* char * */
	GArray		*events;	/* struct rp_event (rule, what copied) */
	SimSnap		*snap;		/* after the step */
};

typedef struct SimRecord SimRecord;
struct SimRecord {
	const SimScenario *sc;
	const char	*profile;
	GPtrArray	*steps;		/* SimStepRec * */
	GArray		*pending;	/* events of the running step */
	GArray		*sock_ids, *group_ids, *map_ids;	/* seen, sorted */
	SimSnap		*empty;		/* the state before the first step */
	void		(*done)(SimRecord *rec, SimExec *x, void *ud);
	void		*done_ud;
	SimStepHooks	 hooks;		/* hand these to the run */
};

SimRecord	*sim_record_new(const SimScenario *sc, const char *profile);
void		 sim_record_free(SimRecord *rec);
const SimSnap	*sim_record_before(const SimRecord *rec, guint step);
gboolean	 sim_record_failed(const SimRecord *rec);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(SimRecord, sim_record_free)

G_END_DECLS

#endif /* SIM_TOOLS_RECORD_H */
