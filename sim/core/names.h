/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * names.h - the names of a scenario and what they stand for (names.c):
 * the one table from scenario names to objects and from backend ids back
 * to names, which the executor, the failure messages, the trace and the
 * narration all use.
 *
 * Sockets, maps and programs share one namespace (they are all fds);
 * processes and namespaces have one each.  "init" is predefined as
 * process 0 and namespace 0.  A socket, map or program id is shown by the
 * first name bound to it; an object no statement names is numbered in the
 * order it is first asked for: child#1 (sockets), cbpf#1 (programs);
 * maps without a name are map#ID.  Groups are named g1, g2 ... in the
 * order the model's events first show them (sim_names_event()), and keep
 * their name when the model grows them into a new object.
 *
 * Ownership: the table owns its SimObjs and every string it returns; all
 * live until sim_names_free().
 */
#ifndef SIM_CORE_NAMES_H
#define SIM_CORE_NAMES_H

#include <glib.h>

#include "rp.h"

#include "lang/lex.h"

G_BEGIN_DECLS

/* What a scenario name stands for. */
typedef enum {
	SIM_OBJ_SOCK = 1 << 0,
	SIM_OBJ_MAP = 1 << 1,
	SIM_OBJ_PROG = 1 << 2,
	SIM_OBJ_PROC = 1 << 3,
	SIM_OBJ_NETNS = 1 << 4,
	SIM_OBJ_GROUP = 1 << 5,	/* no scenario name: g1, g2 ... by events */
} SimObjKind;

#define SIM_OBJ_FILE	(SIM_OBJ_SOCK | SIM_OBJ_MAP | SIM_OBJ_PROG)

typedef enum {
	SIM_NS_FILE,		/* sockets, maps, programs */
	SIM_NS_PROC,
	SIM_NS_NETNS,
	SIM_NS_COUNT,
} SimNamespace;

/* A name and, once its creating call succeeded, what it is bound to. */
typedef struct SimObj SimObj;
struct SimObj {
	char		*name;
	SimObjKind	 kind;
	const char	*def_file;	/* where it is defined; NULL for init
					 * (the defining token may be gone: a
					 * statement of a loop, expanded) */
	guint		 def_line;
	guint		 def_col;
	gboolean	 bound;		/* the creating call succeeded */
	unsigned	 proc;		/* files: the process holding fd */
	int		 fd;		/* files: -1 when none (a child) */
	gboolean	 closed;	/* files: closed by `close`; fd is the
					 * number the program still holds */
	unsigned	 id;		/* backend id; procs, netns: their id */
	uint32_t	 map_type;	/* maps: as created */
	uint32_t	 value_size;
	unsigned	 netns;		/* procs: their namespace */
};

typedef struct SimNames SimNames;

SimNames	*sim_names_new(void);
void		 sim_names_free(SimNames *n);

/* Scenario name -> object */
SimObj		*sim_names_find(SimNames *n, SimNamespace ns, const char *name);
SimObj		*sim_names_define(SimNames *n, SimObjKind kind,
		    const SimToken *tok, GError **error);
/* The same for a name made by a verb (P.MAP of prog object=), reported
 * at tok. */
SimObj		*sim_names_define_str(SimNames *n, SimObjKind kind,
		    const char *name, const SimToken *tok, GError **error);
gboolean	 sim_names_resolve(SimNames *n, const SimToken *tok,
		    SimObjKind kinds, SimObj **out, GError **error);
void		 sim_names_bind(SimNames *n, SimObj *o, unsigned proc, int fd,
		    unsigned id);
void		 sim_names_closed(SimNames *n, unsigned proc, int fd);
const GPtrArray	*sim_names_order(const SimNames *n);
const char	*sim_obj_kind_name(SimObjKind kinds);

/* Backend id -> scenario name */
const char	*sim_names_of(const SimNames *n, SimObjKind kind, unsigned id);
const char	*sim_names_sock(SimNames *n, unsigned id);
const char	*sim_names_map(SimNames *n, unsigned id);
const char	*sim_names_group(SimNames *n, unsigned id);
const char	*sim_names_prog(SimNames *n, unsigned id);
unsigned	 sim_names_lookup(SimNames *n, const char *name,
		    SimObjKind kind);
const char	*sim_names_sock_proc(SimNames *n, unsigned id);
#define SIM_NAMES_MANY	G_MAXUINT
unsigned	 sim_names_cookie_sock(const SimNames *n, guint64 c);
void		 sim_names_event(SimNames *n, const struct rp_event *ev);

/* Copies and digests.  A deep copy (no undo log, no marks): what a
 * rewind must give back, in the tests; an explorer uses marks. */
SimNames	*sim_names_clone(const SimNames *n);
guint64		 sim_names_digest(SimNames *n);
/* A number that every change of n through this interface (define, bind,
 * close, an event, a name made up for an unnamed object) increases.  A
 * caller that writes a SimObj's fields itself does so in the statement
 * that defined or bound it (verbs.c), so that a mark taken between
 * statements sees the change counted, and a rewind undoes it (a rewind
 * puts back every field of an object as before its bind, and drops an
 * object defined since the mark). */
guint64		 sim_names_gen(const SimNames *n);

/* Where a SimNames stood (sim_names_mark()), to come back there with
 * sim_names_rewind(): an undo log, not a copy.  A plain value. */
typedef struct {
	guint64		 pos;		/* the log's length then */
	guint64		 serial;	/* of the entry before pos */
	guint64		 digest;	/* sim_names_digest() then, */
	gboolean	 digest_ok;	/* when it was known */
} SimNamesMark;

void		 sim_names_mark(SimNames *n, SimNamesMark *m);
gboolean	 sim_names_rewind(SimNames *n, const SimNamesMark *m);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(SimNames, sim_names_free)

G_END_DECLS

#endif /* SIM_CORE_NAMES_H */
