/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * explain.h - the teaching side of reuseport-sim: `reuseport-sim explain`
 * narrates a scenario step by step (explain.c, with the "why" texts of
 * explain-why.c and the rules of docs/SPEC.md in spec-rules.c, generated
 * at build time), and draws the state after each step as Graphviz DOT
 * (render-dot.c), SVG (dot -Tsvg) and one self-contained HTML page per
 * scenario and profile (render-html.c).
 *
 * A run is recorded through the executor's step hooks (SimStepHooks): a
 * SimRecord keeps, for every statement, its result, the events it caused
 * and a snapshot of the model's state after it (groups with socks[],
 * maps with their slots, sockets with owner words and cookies).  Objects
 * are kept as backend ids and named only when the run is over (SimNames),
 * so a socket named later (accept ... as c) has that name everywhere, as
 * in the trace.
 *
 * Ownership: a SimRecord owns its steps, events and snapshots; strings
 * returned by SimNames live as long as the SimNames.
 */
#ifndef SIM_EXPLAIN_H
#define SIM_EXPLAIN_H

#include <stdio.h>

#include <glib.h>

#include "core/sim.h"

G_BEGIN_DECLS

/* One rule of docs/SPEC.md (spec-rules.c, generated). */
typedef struct SimSpecRule SimSpecRule;
struct SimSpecRule {
	const char	*id;
	const char	*title;
	const char	*models;	/* the kernel function(s) */
	const char	*profiles;
	const char	*text;
};
extern const SimSpecRule sim_spec_rules[];
extern const gsize sim_spec_n_rules;

/* The "why" texts of one rule (explain-why.c): ok when the rule let the
 * step succeed, fail when it decided an error; either may be NULL (the
 * other serves).  {S} {M} {K} ... are filled from the step. */
typedef struct SimWhy SimWhy;
struct SimWhy {
	const char	*id;
	const char	*ok;
	const char	*fail;
};
const SimWhy	*sim_why_table(gsize *n);
const SimSpecRule *sim_spec_rule(const char *id);

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
	SimStepHooks	 hooks;
};

SimRecord	*sim_record_new(const SimScenario *sc, const char *profile);
void		 sim_record_free(SimRecord *rec);
const SimSnap	*sim_record_before(const SimRecord *rec, guint step);

/* Scenario names of the objects of a finished run. */
typedef struct SimNames SimNames;
SimNames	*sim_names_new(SimExec *x);
void		 sim_names_free(SimNames *n);
const char	*sim_names_sock(SimNames *n, unsigned id);
const char	*sim_names_map(SimNames *n, unsigned id);
const char	*sim_names_group(SimNames *n, unsigned id);
const char	*sim_names_prog(SimNames *n, unsigned id);
/* The id of the bound socket or map called name, 0 when none. */
unsigned	 sim_names_lookup(SimNames *n, const char *name, SimObjKind kind);
/* The process holding socket id's fd when it is not init, else NULL. */
const char	*sim_names_sock_proc(SimNames *n, unsigned id);

/* "step 3, line 12: update m 0 a" source text of a statement. g_free(). */
char		*sim_stmt_text(const SimStmt *st);

/* explain.c: narrate step i of rec to out. */
void		 sim_explain_step(const SimRecord *rec, guint i, SimNames *nm,
		    GString *out);
int		 sim_explain_main(int argc, char **argv);

/* render-dot.c: the DOT picture of the state after step i. */
void		 sim_render_dot(const SimRecord *rec, guint i, SimNames *nm,
		    GString *out);
/* dot -Tsvg of dot: the <svg> element, or NULL with error set. */
char		*sim_render_svg(const char *dot, GError **error);
gboolean	 sim_have_dot(void);

/* render-html.c: the page of a recorded run; svgs[i] is the picture of
 * step i, explains[i] its narration. */
void		 sim_render_html(const SimRecord *rec, SimNames *nm,
		    char **svgs, char **explains, GString *out);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(SimRecord, sim_record_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(SimNames, sim_names_free)

G_END_DECLS

#endif /* SIM_EXPLAIN_H */
