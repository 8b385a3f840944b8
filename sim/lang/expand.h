/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * expand.h - loops and parameters of the scenario language (expand.c):
 * references to counters and parameters in a token's text ($i, ${i},
 * $(8000+i)), statement templates instantiated under an environment, and
 * the walk of a scenario's tree of scopes, all at once (the expanded
 * statements of SimScenario.stmts) or one statement at a time.
 *
 * Ownership: sim_expand_stmt() returns a statement the caller frees with
 * sim_stmt_free(); a SimExpand owns the statement it returned last, until
 * the next call.
 */
#ifndef SIM_LANG_EXPAND_H
#define SIM_LANG_EXPAND_H

#include <glib.h>

#include "lang/scenario.h"

G_BEGIN_DECLS

/* The counters and parameters in scope, innermost first. */
typedef struct SimEnv SimEnv;
struct SimEnv {
	const char	*name;
	const char	*text;		/* its value */
	const SimEnv	*up;
};

/* One reference of a token's text, for the parser's checks. */
typedef struct {
	char		*name;		/* a name the reference uses */
	gboolean	 whole;		/* the token is `$name` and nothing else */
} SimRef;

gboolean	 sim_expand_refs(const char *text, GArray *refs, char **why);
void		 sim_refs_clear(GArray *refs);
char		*sim_expand_text(const char *text, const SimEnv *env,
		    const SimToken *at, GError **error);
gboolean	 sim_expand_range(const SimScope *s, const SimEnv *env,
		    gint64 *from, gint64 *to, gint64 *step, GError **error);
SimStmt		*sim_expand_stmt(const SimStmt *t, const SimEnv *env,
		    GError **error);
gboolean	 sim_expand_count(const GPtrArray *body, guint64 limit,
		    guint64 *n, GError **error);

void		 sim_stmt_free(SimStmt *st);
void		 sim_scope_free(SimScope *s);
void		 sim_override_free(SimOverride *ov);

typedef struct SimExpand SimExpand;
SimExpand	*sim_expand_new(const GPtrArray *body);
const SimStmt	*sim_expand_next(SimExpand *e, GError **error);
SimStmt		*sim_expand_steal(SimExpand *e);
void		 sim_expand_free(SimExpand *e);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(SimExpand, sim_expand_free)

G_END_DECLS

#endif /* SIM_LANG_EXPAND_H */
