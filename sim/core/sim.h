/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * sim.h - internal interface of reuseport-sim: the executor (exec.c), the
 * verb table (verbs.c) and the trace sink (trace.c).  The parser has its
 * own header (scenario.h), the backends theirs (backend.h).
 *
 * A run has two passes over a parsed scenario, both driven by exec.c and
 * both calling the same verb handlers:
 *
 *	check	no backend; every statement is validated (verb, arguments,
 *		names defined before use, expectation forms, profiles), and
 *		every error of the file is collected;
 *	run	once per profile, on a fresh backend; each statement runs,
 *		its result is compared with the expectation for the profile,
 *		the result contracts (I14, I16) and the invariants are
 *		checked, and failures are collected with the state involved.
 *
 * Handlers are columns of argument helpers that validate in both passes
 * and then stop when checking (sim_checking()), so the check pass knows
 * exactly what the run will accept.
 *
 * Ownership: a SimExec belongs to exec.c and lives for one pass; SimObj
 * and variables live in its tables; tokens and statements belong to the
 * scenario, which outlives every pass over it.
 */
#ifndef SIM_SIM_H
#define SIM_SIM_H

#include <stdio.h>

#include <glib.h>

#include "core/backend.h"
#include "lang/scenario.h"

G_BEGIN_DECLS

#ifdef PACKAGE_VERSION
#define SIM_VERSION	PACKAGE_VERSION
#else
#define SIM_VERSION	"0.1.0"
#endif

#define SIM_ERROR (sim_error_quark())
GQuark sim_error_quark(void);

enum {
	SIM_ERROR_INPUT,	/* bad scenario or command line: exit 2 */
	SIM_ERROR_FAIL,		/* a step went wrong at run time: exit 1 */
};

/* Exit statuses of reuseport-sim. */
enum {
	SIM_EXIT_OK = 0,
	SIM_EXIT_FAIL = 1,
	SIM_EXIT_USAGE = 2,
};

/* ---------------------------------------------------------------------
 * Names
 */

/* What a scenario name stands for. */
typedef enum {
	SIM_OBJ_SOCK = 1 << 0,
	SIM_OBJ_MAP = 1 << 1,
	SIM_OBJ_PROG = 1 << 2,
	SIM_OBJ_PROC = 1 << 3,
	SIM_OBJ_NETNS = 1 << 4,
} SimObjKind;

#define SIM_OBJ_FILE	(SIM_OBJ_SOCK | SIM_OBJ_MAP | SIM_OBJ_PROG)

/*
 * A name and, once its creating call succeeded, what it is bound to.
 * Sockets, maps and programs share one namespace (they are all fds);
 * processes and namespaces have one each.  "init" is predefined as
 * process 0 and namespace 0.
 */
typedef struct SimObj SimObj;
struct SimObj {
	char		*name;
	SimObjKind	 kind;
	const SimToken	*def;		/* defining token; NULL for init */
	gboolean	 bound;		/* the creating call succeeded */
	unsigned	 proc;		/* files: the process holding fd */
	int		 fd;		/* files: -1 when none (closed, child) */
	unsigned	 id;		/* backend id; procs, netns: their id */
	uint32_t	 map_type;	/* maps: as created */
	uint32_t	 value_size;
	unsigned	 netns;		/* procs: their namespace */
};

/* ---------------------------------------------------------------------
 * Values and expectations
 */

typedef enum {
	SIM_V_NONE,		/* success without a value */
	SIM_V_NUM,		/* num */
	SIM_V_COOKIE,		/* num: a socket cookie (0 = not generated) */
	SIM_V_SOCK,		/* id, 0 = none */
	SIM_V_MAP,		/* id */
	SIM_V_GROUP,		/* id, 0 = none */
	SIM_V_SLOT,		/* id (map) and key */
	SIM_V_WORD,		/* word, static */
	SIM_V_DELIVERY,		/* d */
} SimValueKind;

typedef struct SimValue SimValue;
struct SimValue {
	SimValueKind		kind;
	guint64			num;
	unsigned		id;
	guint32			key;
	const char		*word;
	struct rp_delivery	d;
	gboolean		hash_chosen;	/* send gave hash=N */
};

/* Expectation forms a result accepts, besides `any`. */
enum {
	SIM_X_STATUS = 1 << 0,	/* 0, ok, -ERRNO, ERRNO */
	SIM_X_NUM = 1 << 1,	/* N compared with the value */
	SIM_X_VAR = 1 << 2,	/* $x */
	SIM_X_COOKIE = 1 << 3,	/* cookie(S) */
	SIM_X_MAPREF = 1 << 4,	/* map(M) */
	SIM_X_SOCK = 1 << 5,	/* S: that socket */
	SIM_X_GROUPOF = 1 << 6,	/* S: the group of S */
	SIM_X_MEMBER = 1 << 7,	/* member(S) */
	SIM_X_SLOT = 1 << 8,	/* M:K */
};

typedef struct SimExpShape SimExpShape;
struct SimExpShape {
	guint			forms;	/* SIM_X_* */
	const char *const	*words;	/* keywords, NULL-terminated, or NULL */
};

/* What a handler reports about one executed statement. */
typedef struct SimResult SimResult;
struct SimResult {
	int			 err;	/* 0 or a negative errno */
	SimValue		 v;	/* the value on success */
	const SimExpShape	*shape;	/* accepted forms: the verb's default */
	gboolean		 skipped; /* the backend cannot tell: no check */
};

/* ---------------------------------------------------------------------
 * The executor state of one pass
 */

typedef enum {
	SIM_NS_FILE,		/* sockets, maps, programs */
	SIM_NS_PROC,
	SIM_NS_NETNS,
	SIM_NS_COUNT,
} SimNamespace;

typedef enum {
	SIM_TRACE_OFF,
	SIM_TRACE_ON,		/* state changes */
	SIM_TRACE_ALL,		/* and lock, callback lock and RCU events */
} SimTraceLevel;

typedef struct SimTrace SimTrace;

typedef struct SimExec SimExec;
struct SimExec {
	const SimScenario	*sc;
	const char		*profile;	/* NULL while checking */
	gboolean		 checking;
	const SimBackendOps	*ops;		/* NULL while checking */
	SimBackend		*be;
	const SimInspectOps	*insp;		/* NULL: no model-only queries */
	GHashTable		*names[SIM_NS_COUNT];	/* name -> SimObj */
	GHashTable		*by_id[3];	/* sock, map, prog id -> SimObj */
	GHashTable		*vars;		/* name -> SimValue */
	GPtrArray		*order;		/* SimObj, in definition order */
	const SimStmt		*stmt;		/* the statement being run */
	SimObj			*proc;		/* its process */
	SimTrace		*trace;
	GPtrArray		*step_msgs;	/* char *: failures of the step */
	/* explore.c: threads run concurrently; the explorer checks the
	 * invariants at its own points, not after each statement */
	gboolean		 concurrent;
	GPtrArray		*results;	/* char *: each result, or NULL */
	/* what the backend could not do (SIM_CANNOT, hash=N, expect) */
	GHashTable		*unsure;	/* name -> why: not checked */
	GPtrArray		*notes;		/* char *: said once each */
	char			*rest;		/* SIM_CANNOT_REST: why */
	GPtrArray		*steps;		/* SimStep *, or NULL */
	const struct SimStepHooks *hooks;	/* NULL: none */
};

/* ---------------------------------------------------------------------
 * Verbs
 */

typedef gboolean (*SimVerbFn)(SimExec *x, const SimStmt *st, SimResult *r,
    GError **error);

/*
 * One row of the verb table.  Positional arguments are the tokens that
 * are not key=value; keys lists the key=value keys the verb accepts.  A
 * handler returns FALSE with error set when an argument is bad (checking)
 * or the step cannot be carried out (running); otherwise it fills r.
 */
typedef struct SimVerb SimVerb;
struct SimVerb {
	const char		*name;
	guint			 min_args, max_args;
	const char *const	*keys;
	SimVerbFn		 fn;
	const SimExpShape	*shape;
	const char		*usage;		/* the arguments */
	const char		*help;
};

/* ---------------------------------------------------------------------
 * Running files
 */

typedef enum {
	SIM_FORMAT_TEXT,
	SIM_FORMAT_TAP,
	SIM_FORMAT_JSON,
} SimFormat;

typedef struct SimRunOptions SimRunOptions;
struct SimRunOptions {
	const SimBackendOps	*backend;	/* NULL: the model */
	char			**profiles;	/* selected; NULL = all */
	SimFormat		 format;
	SimTraceLevel		 trace;
	gboolean		 keep_going;
	FILE			*out;		/* results and traces */
	FILE			*err;		/* input errors */
};

/*
 * One statement as run, for `diff`: its result in backend-neutral words
 * (names, not ids or cookie values), or NULL with why when the backend
 * could not tell.
 */
typedef struct SimStep SimStep;
struct SimStep {
	const SimStmt	*st;
	char		*result;	/* "-EBUSY", "0", "c(a)", "a", ... */
	char		*why;		/* result NULL: why not */
	gboolean	 ok;		/* met its expectation */
	gboolean	 by_hash;	/* a delivery the hash decided: only
					 * its outcome compares */
};

/* The outcome of one scenario under one profile. */
typedef struct SimReport SimReport;
struct SimReport {
	gboolean	 passed;
	char		*skip;		/* why it did not run (backend), or NULL */
	GPtrArray	*messages;	/* char *: a failure, then state lines */
	GString		*trace;		/* formatted events; NULL: none */
	GPtrArray	*notes;		/* char *: checks the backend skipped */
	GPtrArray	*steps;		/* SimStep *; set it (see
					 * sim_steps_new()) to have them */
};

/* One scenario file: where it is, how it is shown, what it holds. */
typedef struct SimInput SimInput;
struct SimInput {
	char		*path;		/* to open */
	char		*name;		/* to show: relative to its DIR */
	SimScenario	*sc;
};

/*
 * Per-step hooks of one run (explain.c and the renderers).  step() gets
 * the statement's index and result; failures is NULL when it passed,
 * else the report's messages, of which those from index first on are
 * the step's own.  done() runs once after the last step, while x still
 * holds its names.  The observer sees every event, lock events too.
 */
typedef struct SimStepHooks SimStepHooks;
struct SimStepHooks {
	const struct rp_observer *observer;
	void	(*step)(void *ud, SimExec *x, guint index, const SimStmt *st,
		    const SimResult *r, const GPtrArray *failures, guint first);
	void	(*done)(void *ud, SimExec *x);
	void	*ud;
};

/* exec.c */
gboolean	 sim_check_scenario(const SimScenario *sc, GPtrArray *errors);
GPtrArray	*sim_scenario_profiles(const SimScenario *sc,
		    char *const *selected);
void		 sim_run_scenario(const SimScenario *sc, const char *profile,
		    const SimBackendOps *ops, SimTraceLevel trace,
		    gboolean keep_going, SimReport *report);
void		 sim_run_scenario_hooked(const SimScenario *sc,
		    const char *profile, const SimBackendOps *ops,
		    SimTraceLevel trace, gboolean keep_going,
		    const SimStepHooks *hooks, SimReport *report);
char		*sim_result_render(const SimExec *x, const SimResult *r);
void		 sim_report_clear(SimReport *report);
GPtrArray	*sim_steps_new(void);
GPtrArray	*sim_inputs_load(char *const *paths, gsize n, FILE *err);
int		 sim_run_paths(const SimRunOptions *opts, char *const *paths,
		    gsize n);
gboolean	 sim_checking(const SimExec *x);
void		 sim_set_error_at(GError **error, int code, const char *file,
		    guint line, guint col, const char *fmt, ...)
		    G_GNUC_PRINTF(6, 7);
SimObj		*sim_obj_find(SimExec *x, SimNamespace ns, const char *name);
gboolean	 sim_tok_obj(SimExec *x, const SimToken *tok, SimObjKind kinds,
		    SimObj **out, GError **error);
const char	*sim_obj_kind_name(SimObjKind kinds);
SimObj		*sim_obj_define(SimExec *x, SimObjKind kind,
		    const SimToken *tok, GError **error);
void		 sim_obj_bind_fd(SimExec *x, SimObj *o, unsigned proc, int fd);
void		 sim_obj_bind_id(SimExec *x, SimObj *o, unsigned id);
int		 sim_obj_fd(const SimExec *x, const SimObj *o);
const char	*sim_name_of(const SimExec *x, SimObjKind kind, unsigned id);
gboolean	 sim_cookie_of(SimExec *x, const SimObj *o, guint64 *cookie,
		    GError **error);
gboolean	 sim_port_of(SimExec *x, const SimObj *o, guint16 *port,
		    GError **error);
void		 sim_contract_lookup(SimExec *x, const SimObj *map,
		    guint32 key, int err, guint64 value);
void		 sim_contract_send(SimExec *x, const struct rp_delivery *d);

SimExec		*sim_exec_open(const SimScenario *sc, const char *profile,
		    const SimBackendOps *ops, SimTraceLevel trace,
		    GError **error);
gboolean	 sim_exec_stmt(SimExec *x, const SimStmt *st, GPtrArray *msgs);
char		*sim_exec_check(SimExec *x, const SimStmt *st);
void		 sim_exec_trace(SimExec *x, GString *out);
void		 sim_exec_close(SimExec *x);
void		 sim_json_string(FILE *out, const char *s);

/* verbs.c */
const SimVerb	*sim_verb_find(const char *name);
const SimVerb	*sim_verbs(gsize *n);

/* trace.c */
SimTrace	*sim_trace_new(SimTraceLevel level);
void		 sim_trace_free(SimTrace *tr);
const struct rp_observer *sim_trace_observer(void);
void		 sim_trace_step(SimTrace *tr, const SimStmt *st);
const char	*sim_trace_group_name(const SimTrace *tr, unsigned group);
void		 sim_trace_format(const SimTrace *tr, const SimExec *x,
		    GString *out);
const char	*sim_state_name(int state);
const char	*sim_family_name(int family);
const char	*sim_proto_name(int proto);
const char	*sim_map_type_name(guint32 type);
char		*sim_err_string(int err);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(SimTrace, sim_trace_free)

G_END_DECLS

#endif /* SIM_SIM_H */
