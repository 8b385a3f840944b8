/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * lex.h - the tokens of the scenario language (lex.c): one source line
 * in, a list of SimTokens out; the errno names; the error domain and
 * limits of the lexer and the parser.
 *
 * Every token carries file, line and column (1-based; columns count
 * bytes).  Ownership: a token list returned by sim_lex_line() owns its
 * tokens (g_ptr_array_unref() frees them).
 */
#ifndef SIM_LANG_LEX_H
#define SIM_LANG_LEX_H

#include <stdarg.h>

#include <glib.h>

G_BEGIN_DECLS

/* Limits, each reported as SIM_PARSE_ERROR_LIMIT. */
#define SIM_MAX_FILE_SIZE	(4u << 20)	/* bytes in one file */
#define SIM_MAX_LINE		4096u	/* bytes in a line, no '\n' */
#define SIM_MAX_ERRORS		50u	/* then "too many errors" */
#define SIM_MAX_STMTS		1000000u	/* in all files, and expanded
						 * for explore, diff, explain */
#define SIM_MAX_EXPANDED	100000000u	/* statements of a run, loops
						 * expanded */
#define SIM_MAX_REPEAT		100000000u	/* iterations of one repeat */
#define SIM_MAX_SCOPE_DEPTH	16u	/* repeats and includes with
					 * parameters inside each other */
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

#define SIM_PARSE_ERROR (sim_parse_error_quark())
GQuark sim_parse_error_quark(void);

/* GError codes: the code of the first error found. */
enum {
	SIM_PARSE_ERROR_SYNTAX,	/* bad input */
	SIM_PARSE_ERROR_IO,	/* a file could not be read */
	SIM_PARSE_ERROR_LIMIT,	/* one of the SIM_MAX_* limits */
};

/* lex.c */
GPtrArray	*sim_lex_line(const char *file, guint line, const char *text,
		    gsize len, char **comment, GError **error);
void		 sim_token_free(SimToken *tok);
SimToken	*sim_token_dup(const SimToken *tok);
const char	*sim_token_kind_name(SimTokenKind kind);
char		*sim_token_describe(const SimToken *tok);
const char	*sim_token_word(const SimToken *tok);
gboolean	 sim_token_get_u64(const SimToken *tok, guint64 *out);
gboolean	 sim_token_get_s64(const SimToken *tok, gint64 *out);
char		*sim_word_inner(const char *w, const char *prefix);
int		 sim_errno_from_name(const char *name);
const char	*sim_errno_name(int errnum);
char		*sim_place_vtext(const char *file, guint line, guint col,
		    const char *fmt, va_list ap) G_GNUC_PRINTF(4, 0);
void		 sim_place_verror(GError **error, GQuark domain, int code,
		    const char *file, guint line, guint col, const char *fmt,
		    va_list ap) G_GNUC_PRINTF(7, 0);

G_END_DECLS

#endif /* SIM_LANG_LEX_H */
