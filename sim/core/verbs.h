/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * verbs.h - the verb table of the scenario language (verbs.c).  One row
 * says everything about a verb: its arguments, its handler, the results
 * it accepts, whether it only reads, the kernel entry point it stands for
 * and its help.  Rows are written with SIM_VERB(), which takes every field
 * in order: a row that forgets one does not compile.
 */
#ifndef SIM_CORE_VERBS_H
#define SIM_CORE_VERBS_H

#include <glib.h>

#include "core/hooks.h"
#include "core/result.h"
#include "lang/scenario.h"

G_BEGIN_DECLS

typedef gboolean (*SimVerbFn)(SimExec *x, const SimStmt *st, SimResult *r,
    GError **error);

/* What a verb does to the state; there is no default. */
typedef enum {
	SIM_VERB_READS = 1,	/* only reads: two reads may commute */
	SIM_VERB_WRITES,	/* may change state */
} SimVerbAccess;

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
	SimVerbAccess		 access;
	const char		*kernel;	/* syscall; NULL: none */
	const char		*usage;		/* the arguments */
	const char		*help;
};

#define SIM_VERB(name, min_args, max_args, keys, fn, shape, access, kernel, \
    usage, help) \
	{ (name), (min_args), (max_args), (keys), (fn), (shape), (access), \
	  (kernel), (usage), (help) }

const SimVerb	*sim_verb_find(const char *name);
const SimVerb	*sim_verbs(gsize *n);
gboolean	 sim_verb_reads_only(const char *name);

G_END_DECLS

#endif /* SIM_CORE_VERBS_H */
