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
 * Programs that ran in a step, as the model's program observer told it
 * (struct rp_bpf_observer): the instructions taken, each helper call
 * with its registers and result, the map slots it read, the verdict and
 * the member that got the packet.  A step keeps the first
 * SIM_BPF_MAX_RUNS runs in full and counts the others.
 */
#define SIM_BPF_MAX_RUNS	4
#define SIM_BPF_MAX_SPANS	20000	/* straight runs kept of one path */

typedef struct SimBpfAccess SimBpfAccess;
struct SimBpfAccess {
	gboolean	 write;		/* an update or a delete */
	unsigned	 map;
	GBytes		*key;
	gboolean	 found;
	int		 err;
	GBytes		*value;		/* a value map's element, or NULL */
	unsigned	 sock;		/* a slot's socket, 0 none */
	unsigned	 inner;		/* an outer slot's inner map, 0 none */
};

typedef struct SimBpfCall SimBpfCall;
struct SimBpfCall {
	guint32		 pc;
	gint32		 helper;
	char		*name;
	struct rp_bpf_reg args[6];	/* r1-r5 at the call (0 unused) */
	gboolean	 returned;
	struct rp_bpf_reg r0;		/* its result */
	GPtrArray	*access;	/* SimBpfAccess * of the call */
	char		*printed;	/* bpf_trace_printk's text, or NULL */
};

typedef struct SimBpfSpan SimBpfSpan;
struct SimBpfSpan {
	guint32		 from, to;	/* instructions from..to, in order */
};

typedef struct SimBpfRun SimBpfRun;
struct SimBpfRun {
	unsigned	 prog;
	gboolean	 classic;	/* struct rp_sock_filter instructions */
	gboolean	 policy;	/* no instructions: a policy */
	guint32		 prog_type;
	guint32		 len;
	GBytes		*insns;		/* struct rp_insn or rp_sock_filter */
	unsigned	*maps;		/* eBPF: per insn an LD_IMM64's map */
	GArray		*path;		/* SimBpfSpan */
	gboolean	 path_cut;	/* more than SIM_BPF_MAX_SPANS */
	GPtrArray	*calls;		/* SimBpfCall * */
	gboolean	 exited;
	guint64		 ret;		/* r0 (classic: the index) */
	guint64		 executed;
	unsigned	 selected;	/* what bpf_sk_select_reuseport() kept */
	guint32		 a, x;		/* classic: A and X at the end */
	char		*ends;		/* classic: why it returned early */
	char		*fault;		/* the violation's text, or NULL */
	char		*fault_rule;
	gboolean	 chosen;	/* the selection is known: */
	unsigned	 sock;		/* the member (0: none) */
	char		*how;		/* "prog", "cbpf", "hash", "drop" */
	gint64		 verdict;	/* a policy's SK_PASS/SK_DROP */
	/* the runs after the first SIM_BPF_MAX_RUNS: counted only */
	gboolean	 more;
	guint		 nmore;
	gboolean	 awaiting;
};

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
	GPtrArray	*progs;		/* SimBpfRun *: programs that ran */
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
