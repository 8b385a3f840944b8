/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * scenario.h - the scenario language of reuseport-sim: statements and the
 * parsed scenario (parse.c; tokens are lex.h's).
 *
 * A scenario is a line-oriented text file in the spirit of packetdrill:
 *
 *	# map/update-noexist-occupied.scn: NOEXIST on an occupied slot fails.
 *	# Kernel: kernel/bpf/reuseport_array.c reuseport_array_update_check()
 *	# Rules: R-UPD-6a R-UPD-9
 *	profile 4.19 6.18
 *	include "../common/pair.inc"
 *	update m 3 b noexist = -EEXIST
 *	lookup m 3 = cookie(a) @4.19 = -EPERM @6.18 = 0x10
 *	old: close a
 *	thread A
 *	  close a
 *	end
 *
 * Loops and parameters (expand.c) make a tree: `repeat ... {` ... `}` and
 * `include "f.inc" KEY=VALUE...` are scope nodes whose body holds
 * statement templates ($i, s$i, $(8000+i)) and nested scopes.
 * SimScenario.body is that tree; SimScenario.stmts is it expanded, every
 * template instantiated, when that is at most SIM_MAX_STMTS statements
 * (else stmts is empty, expanded says how many there are, and only a
 * SimExpand walks them, one at a time).  A scenario without either has
 * the same statements in both.
 *
 * The parser is generic: it knows the directives profile, include, thread
 * and end, and turns every other line into a SimStmt of typed tokens
 * ([label:] verb args... [= expect...] [@profile [=] expect...]...).  Verbs
 * are validated later by the verb table.  Every token, statement and error
 * carries file, line and column (1-based; columns count bytes); errors read
 * "file:line:col: message", except "file: message" for a top file that
 * cannot be read or is too large.
 *
 * Ownership: a SimScenario owns everything reachable from it (statements,
 * tokens, strings, file names), and all of it lives until
 * sim_scenario_free(); nothing returned by the accessors is to be freed.
 *
 * Lists of names (rules, threads, files) are in order of first appearance
 * without repeats; "# Kernel:" lines are joined by '\n'.
 */
#ifndef SIM_SCENARIO_H
#define SIM_SCENARIO_H

#include <glib.h>

#include "lang/lex.h"

G_BEGIN_DECLS

typedef struct SimOverride SimOverride;
struct SimOverride {
	char		*profile;	/* the name after '@' */
	const char	*file;		/* where the '@' is */
	guint		 line;
	guint		 col;
	GPtrArray	*tokens;	/* SimToken *, never empty */
};

typedef struct SimScope SimScope;

typedef struct SimStmt SimStmt;
struct SimStmt {
	const char	*file;
	guint		 line;
	guint		 col;		/* label, else verb */
	guint		 verb_col;
	char		*label;		/* label w/o ":", or NULL */
	char		*verb;
	GPtrArray	*args;		/* SimToken *, maybe empty */
	GPtrArray	*expect;	/* SimToken * after '=', or NULL */
	GPtrArray	*overrides;	/* SimOverride *, maybe empty */
	const char	*thread;	/* its thread block, or NULL */
	guint		 index;		/* in SimScenario.stmts, 0-based */
	SimScope	*scope;		/* a scope node (verb "repeat" or
					 * "include"), or NULL */
	gboolean	 templ;		/* a template: tokens hold $ refs */
};

/* One parameter of an include: $name stands for value's text. */
typedef struct SimParam SimParam;
struct SimParam {
	char		*name;
	SimToken	*value;
};

typedef enum {
	SIM_SCOPE_REPEAT,	/* repeat N [as i] { ... } / repeat i in A..B */
	SIM_SCOPE_INCLUDE,	/* include "path" key=value ... */
} SimScopeKind;

struct SimScope {
	SimScopeKind	 kind;
	char		*counter;	/* repeat: NAME, or NULL */
	SimToken	*count;		/* repeat N: N (a template maybe) */
	SimToken	*range;		/* repeat NAME in A..B: "A..B" */
	SimToken	*step;		/* step S, or NULL */
	SimToken	*path;		/* include: the path as written */
	GPtrArray	*params;	/* include: SimParam * */
	GPtrArray	*body;		/* SimStmt *: templates and scopes */
};

typedef struct SimScenario SimScenario;
struct SimScenario {
	char		*path;		/* name given to the parser */
	char		*title;		/* header line 1, or NULL */
	GPtrArray	*rules;		/* char *: "# Rules:" ids */
	char		*kernel;	/* "# Kernel:" lines, or NULL */
	GPtrArray	*profiles;	/* char *; empty: all profiles */
	GPtrArray	*stmts;		/* SimStmt *, in file order, expanded
					 * (empty when expanded is more than
					 * SIM_MAX_STMTS) */
	GPtrArray	*body;		/* SimStmt *: the tree, as written */
	guint64		 expanded;	/* statements once expanded */
	GPtrArray	*instances;	/* owns the instances in stmts */
	GPtrArray	*threads;	/* char *: thread names */
	GPtrArray	*files;		/* char *: path, included */
};

/*
 * Read the file at path (already resolved against the including file's
 * directory and cleaned of "." and ".." components) into a newly allocated
 * *contents of *len bytes, to be g_free()d by the caller.  Return FALSE
 * with error set when it cannot be read; the message is quoted after
 * "cannot include 'PATH': ".  May return more than SIM_MAX_FILE_SIZE
 * bytes, which the parser then refuses.
 */
typedef gboolean (*SimIncludeFunc)(const char *path, char **contents,
    gsize *len, gpointer user_data, GError **error);

/* parse.c */
SimScenario	*sim_parse_file(const char *path, GError **error);
SimScenario	*sim_parse_buffer(const char *name, const char *buf,
		    gsize len, SimIncludeFunc inc, gpointer user_data,
		    GError **error);
gboolean	 sim_include_file(const char *path, char **contents, gsize *len,
		    gpointer user_data, GError **error);
void		 sim_scenario_free(SimScenario *sc);
gboolean	 sim_profile_covers(const char *row, const char *name);
const GPtrArray	*sim_stmt_expect_for(const SimStmt *st,
		    const char *profile);
gboolean	 sim_scenario_big(const SimScenario *sc);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(SimScenario, sim_scenario_free)

G_END_DECLS

#endif /* SIM_SCENARIO_H */
