/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * scenario.h - the scenario language of reuseport-sim: tokens, statements
 * and the parsed scenario (lex.c, parse.c).
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

G_BEGIN_DECLS

/* Limits, each reported as SIM_PARSE_ERROR_LIMIT. */
#define SIM_MAX_FILE_SIZE	(4u << 20)	/* bytes in one file */
#define SIM_MAX_LINE		4096u	/* bytes in a line, no '\n' */
#define SIM_MAX_ERRORS		50u	/* then "too many errors" */
#define SIM_MAX_STMTS		1000000u	/* in all files */
#define SIM_MAX_INCLUDE_DEPTH	16u	/* includes below the top */
#define SIM_MAX_INCLUDES	10000u	/* include lines followed */
#define SIM_MAX_TOTAL_INPUT	(64u << 20)	/* bytes in all files */

typedef enum {
	SIM_TOK_WORD,	/* the rest: tcp6 [::1]:0 cookie(a) 4.19 */
	SIM_TOK_INT,	/* 42 -7 0x10: neg, mag */
	SIM_TOK_ERRNO,	/* -EEXIST or EEXIST: errnum, neg */
	SIM_TOK_STRING,	/* "a\x00b": bytes, len */
	SIM_TOK_VAR,	/* $name: name */
	SIM_TOK_KV,	/* key=value: name (the key), value */
	SIM_TOK_EQ,	/* a standalone '=' */
	SIM_TOK_AT,	/* @profile: name */
} SimTokenKind;

typedef struct SimToken SimToken;
struct SimToken {
	SimTokenKind	 kind;
	char		*text;	/* the source text of the token */
	const char	*file;
	guint		 line;
	guint		 col;
	gboolean	 neg;	/* INT < 0; ERRNO written -EFOO */
	guint64		 mag;	/* INT: magnitude, 0 .. 2^64-1 */
	int		 errnum;	/* ERRNO: value > 0 (EEXIST) */
	char		*bytes;	/* STRING: decoded, NUL-terminated */
	gsize		 len;	/* STRING: length before that NUL */
	char		*name;	/* VAR, AT: name w/o sigil; KV: key */
	SimToken	*value;	/* KV: WORD INT ERRNO STRING or VAR */
};

typedef struct SimOverride SimOverride;
struct SimOverride {
	char		*profile;	/* the name after '@' */
	const char	*file;		/* where the '@' is */
	guint		 line;
	guint		 col;
	GPtrArray	*tokens;	/* SimToken *, never empty */
};

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
};

typedef struct SimScenario SimScenario;
struct SimScenario {
	char		*path;		/* name given to the parser */
	char		*title;		/* header line 1, or NULL */
	GPtrArray	*rules;		/* char *: "# Rules:" ids */
	char		*kernel;	/* "# Kernel:" lines, or NULL */
	GPtrArray	*profiles;	/* char *; empty: all profiles */
	GPtrArray	*stmts;		/* SimStmt *, in file order */
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

#define SIM_PARSE_ERROR (sim_parse_error_quark())
GQuark sim_parse_error_quark(void);

/* GError codes: the code of the first error found. */
enum {
	SIM_PARSE_ERROR_SYNTAX,	/* bad input */
	SIM_PARSE_ERROR_IO,	/* a file could not be read */
	SIM_PARSE_ERROR_LIMIT,	/* one of the SIM_MAX_* limits */
};

/* parse.c */
SimScenario	*sim_parse_file(const char *path, GError **error);
SimScenario	*sim_parse_buffer(const char *name, const char *buf,
		    gsize len, SimIncludeFunc inc, gpointer user_data,
		    GError **error);
gboolean	 sim_include_file(const char *path, char **contents, gsize *len,
		    gpointer user_data, GError **error);
void		 sim_scenario_free(SimScenario *sc);
const GPtrArray	*sim_stmt_expect_for(const SimStmt *st,
		    const char *profile);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(SimScenario, sim_scenario_free)

/* lex.c */
GPtrArray	*sim_lex_line(const char *file, guint line, const char *text,
		    gsize len, char **comment, GError **error);
void		 sim_token_free(SimToken *tok);
const char	*sim_token_kind_name(SimTokenKind kind);
char		*sim_token_describe(const SimToken *tok);
const char	*sim_token_word(const SimToken *tok);
gboolean	 sim_token_get_u64(const SimToken *tok, guint64 *out);
gboolean	 sim_token_get_s64(const SimToken *tok, gint64 *out);
int		 sim_errno_from_name(const char *name);
const char	*sim_errno_name(int errnum);

G_END_DECLS

#endif /* SIM_SCENARIO_H */
