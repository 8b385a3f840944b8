/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * check_parse.c - tests of the scenario lexer and parser (sim/lex.c,
 * sim/parse.c) and of sim/suggest.c.
 *
 * Most cases are tables run with tcase_add_loop_test(): a source text and
 * the expected result, rendered as a string (see dump_token() and
 * dump_stmt() for the notation) or as the exact error text.  Included
 * files come from an in-memory table through mem_include(); the on-disk
 * cases use tests/parse-data/ (found through $top_srcdir or $srcdir) and a
 * temporary directory.  The fuzz case feeds random buffers and only checks
 * that the parser returns properly (run it under valgrind or ASan).
 */
#define _GNU_SOURCE		/* strerrorname_np() */

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <glib.h>
#include <glib/gstdio.h>

#include "lang/scenario.h"
#include "lang/suggest.h"
#include "testutil.h"

/* ----------------------------------------------------------------------
 * rendering
 */

/*
 * Append tok: W(text) I(-5) E(-17) S(bytes, \xHH for the unprintable and
 * '\') V(name) K(key=VALUE) EQ AT(name), each prefixed by "col:" when
 * with_col.
 */
static void
dump_token(GString *s, const SimToken *tok, gboolean with_col)
{
	gsize i;

	if (with_col)
		g_string_append_printf(s, "%u:", tok->col);
	switch (tok->kind) {
	case SIM_TOK_WORD:
		g_string_append_printf(s, "W(%s)", tok->text);
		break;
	case SIM_TOK_INT:
		g_string_append_printf(s, "I(%s%" G_GUINT64_FORMAT ")",
		    tok->neg ? "-" : "", tok->mag);
		break;
	case SIM_TOK_ERRNO:
		g_string_append_printf(s, "E(%s%d)", tok->neg ? "-" : "",
		    tok->errnum);
		break;
	case SIM_TOK_STRING:
		g_string_append(s, "S(");
		for (i = 0; i < tok->len; i++) {
			guchar c = (guchar)tok->bytes[i];

			if (c >= 0x20 && c < 0x7f && c != '\\')
				g_string_append_c(s, (char)c);
			else
				g_string_append_printf(s, "\\x%02x", c);
		}
		ck_assert_int_eq(tok->bytes[tok->len], '\0');
		g_string_append_c(s, ')');
		break;
	case SIM_TOK_VAR:
		g_string_append_printf(s, "V(%s)", tok->name);
		break;
	case SIM_TOK_KV:
		g_string_append_printf(s, "K(%s=", tok->name);
		dump_token(s, tok->value, with_col);
		g_string_append_c(s, ')');
		break;
	case SIM_TOK_EQ:
		g_string_append(s, "EQ");
		break;
	case SIM_TOK_AT:
		g_string_append_printf(s, "AT(%s)", tok->name);
		break;
	}
}

static void
dump_tokens(GString *s, const GPtrArray *toks, gboolean with_col)
{
	guint i;

	for (i = 0; i < toks->len; i++) {
		g_string_append_c(s, ' ');
		dump_token(s, toks->pdata[i], with_col);
	}
}

/*
 * Append st as "[file:line:col ][thread|][label: ]verb ARGS[ = EXPECT]
 * [ @profile: TOKENS]...".
 */
static void
dump_stmt(GString *s, const SimStmt *st, gboolean with_pos)
{
	guint i;

	if (with_pos)
		g_string_append_printf(s, "%s:%u:%u ", st->file, st->line,
		    st->col);
	if (st->thread != NULL)
		g_string_append_printf(s, "%s|", st->thread);
	if (st->label != NULL)
		g_string_append_printf(s, "%s: ", st->label);
	g_string_append(s, st->verb);
	dump_tokens(s, st->args, FALSE);
	if (st->expect != NULL) {
		ck_assert_uint_gt(st->expect->len, 0);
		g_string_append(s, " =");
		dump_tokens(s, st->expect, FALSE);
	}
	for (i = 0; i < st->overrides->len; i++) {
		const SimOverride *ov = st->overrides->pdata[i];

		ck_assert_uint_gt(ov->tokens->len, 0);
		g_string_append_printf(s, " @%s:", ov->profile);
		dump_tokens(s, ov->tokens, FALSE);
	}
}

/* The statements of sc, one a line. */
static char *
dump_stmts(const SimScenario *sc, gboolean with_pos)
{
	GString *s = g_string_new(NULL);
	guint i;

	for (i = 0; i < sc->stmts->len; i++) {
		if (i > 0)
			g_string_append_c(s, '\n');
		dump_stmt(s, sc->stmts->pdata[i], with_pos);
	}
	return g_string_free(s, FALSE);
}

static char *
join_strv(const GPtrArray *a)
{
	GString *s = g_string_new(NULL);
	guint i;

	for (i = 0; i < a->len; i++)
		g_string_append_printf(s, "%s%s", i > 0 ? " " : "",
		    (char *)a->pdata[i]);
	return g_string_free(s, FALSE);
}

/* ----------------------------------------------------------------------
 * in-memory include files
 */

typedef struct {
	const char	*path;
	const char	*text;	/* NULL: fail, setting no error */
} MemFile;

/* A SimIncludeFunc over a MemFile array ended by a NULL path. */
static gboolean
mem_include(const char *path, char **contents, gsize *len, gpointer ud,
    GError **error)
{
	const MemFile *f;

	for (f = ud; f != NULL && f->path != NULL; f++) {
		if (strcmp(f->path, path) != 0)
			continue;
		if (f->text == NULL)
			return FALSE;
		*contents = g_strdup(f->text);
		*len = strlen(f->text);
		return TRUE;
	}
	g_set_error_literal(error, G_FILE_ERROR, G_FILE_ERROR_NOENT,
	    g_strerror(ENOENT));
	return FALSE;
}

/*
 * Parse src as name with files for includes; return the positioned dump,
 * or "ERROR(code): message".
 */
static char *
parse_dump(const char *name, const char *src, gssize len,
    const MemFile *files, gboolean with_pos)
{
	g_autoptr(SimScenario) sc = NULL;
	g_autoptr(GError) err = NULL;

	sc = sim_parse_buffer(name, src, len < 0 ? strlen(src) : (gsize)len,
	    files != NULL ? mem_include : NULL, (gpointer)files, &err);
	if (sc == NULL) {
		ck_assert_ptr_nonnull(err);
		ck_assert(err->domain == SIM_PARSE_ERROR);
		return g_strdup_printf("ERROR(%d): %s", err->code,
		    err->message);
	}
	ck_assert_ptr_null(err);
	return dump_stmts(sc, with_pos);
}

/* ----------------------------------------------------------------------
 * parse/lex: sim_lex_line()
 */

static const struct lex_case {
	const char	*line;
	const char	*want;		/* tokens with columns */
	const char	*comment;	/* NULL: none */
} lex_cases[] = {
	{ "socket a tcp6", " 1:W(socket) 8:W(a) 10:W(tcp6)", NULL },
	{ "bind a [::1]:0 = 0",
	  " 1:W(bind) 6:W(a) 8:W([::1]:0) 16:EQ 18:I(0)", NULL },
	{ ":8080 127.0.0.1:80 cookie(a) 4.19 - (a b)",
	  " 1:W(:8080) 7:W(127.0.0.1:80) 20:W(cookie(a)) 30:W(4.19)"
	  " 35:W(-) 37:W((a) 40:W(b))", NULL },
	/* INT */
	{ "0 -0 007 0x0 0XfF 0xDEADbeef 9223372036854775807",
	  " 1:I(0) 3:I(0) 6:I(7) 10:I(0) 14:I(255) 19:I(3735928559)"
	  " 30:I(9223372036854775807)", NULL },
	{ "18446744073709551615 0xffffffffffffffff",
	  " 1:I(18446744073709551615) 22:I(18446744073709551615)", NULL },
	{ "-9223372036854775808 -0x8000000000000000 -1",
	  " 1:I(-9223372036854775808) 22:I(-9223372036854775808) 42:I(-1)",
	  NULL },
	{ "0x 0xg 1a -x +5 1e3 --1 0x-1 99999999999999999999x",
	  " 1:W(0x) 4:W(0xg) 8:W(1a) 11:W(-x) 14:W(+5) 17:W(1e3)"
	  " 21:W(--1) 25:W(0x-1) 30:W(99999999999999999999x)", NULL },
	/* ERRNO */
	{ "-EPERM EPERM -EWOULDBLOCK -ENOTSUPP ENOIOCTLCMD -EBADCOOKIE",
	  " 1:E(-1) 8:E(1) 14:E(-11) 27:E(-524) 37:E(515) 49:E(-523)",
	  NULL },
	{ "-ERESTART_RESTARTBLOCK EHWPOISON E2BIG -ENOTSUP",
	  " 1:E(-516) 24:E(133) 34:E(7) 40:E(-95)", NULL },
	{ "EFOO E -E Eperm -Eperm E_",
	  " 1:W(EFOO) 6:W(E) 8:W(-E) 11:W(Eperm) 17:W(-Eperm) 24:W(E_)",
	  NULL },
	/* STRING */
	{ "\"\" \"a b\" \"#no comment\" \"\xc3\xa9\"",
	  " 1:S() 4:S(a b) 10:S(#no comment) 24:S(\\xc3\\xa9)", NULL },
	{ "\"\\\\\\\"\\n\\t\\0\\x41\\xfF\"",
	  " 1:S(\\x5c\"\\x0a\\x09\\x00A\\xff)", NULL },
	/* VAR, KV */
	{ "$c $_x1 $A a$b user@host",
	  " 1:V(c) 4:V(_x1) 9:V(A) 12:W(a$b) 16:W(user@host)", NULL },
	{ "key=4 v=-EPERM name=\"my map\" v=$c a.b-c_d=0x10 k=[::1]:0",
	  " 1:K(key=5:I(4)) 7:K(v=9:E(-1)) 16:K(name=21:S(my map))"
	  " 30:K(v=32:V(c)) 35:K(a.b-c_d=43:I(16)) 48:K(k=50:W([::1]:0))",
	  NULL },
	{ "k=a:b k=E k=-5", " 1:K(k=3:W(a:b)) 7:K(k=9:W(E)) 11:K(k=13:I(-5))",
	  NULL },
	/* EQ, AT */
	{ "=0 @4.19=-EPERM @6.18 = x",
	  " 1:EQ 2:I(0) 4:AT(4.19) 9:EQ 10:E(-1) 17:AT(6.18) 23:EQ 25:W(x)",
	  NULL },
	{ "==@a+b_c-1.2", " 1:EQ 2:EQ 3:AT(a+b_c-1.2)", NULL },
	/* comparison operators: words when blank-separated */
	{ "== != <= >= < > =x", " 1:W(==) 4:W(!=) 7:W(<=) 10:W(>=) 13:W(<) "
	  "15:W(>) 17:EQ 18:W(x)", NULL },
	/* blanks and comments */
	{ "", "", NULL },
	{ "\t a \t", " 3:W(a)", NULL },
	{ "a#b c", " 1:W(a)", "b c" },
	{ "\"x#y\" # z ", " 1:S(x#y)", " z " },
	{ "# only", "", " only" },
	{ "#", "", "" },
	{ "h\xc3\xa9llo \xe2\x82\xac", " 1:W(h\xc3\xa9llo) 8:W(\xe2\x82\xac)",
	  NULL },
};

TU_LOOP(test_lex, "parse/lex", G_N_ELEMENTS(lex_cases))
{
	const struct lex_case *c = &lex_cases[_i];
	g_autoptr(GPtrArray) toks = NULL;
	g_autoptr(GError) err = NULL;
	g_autoptr(GString) s = g_string_new(NULL);
	g_autofree char *comment = NULL;
	guint i;

	toks = sim_lex_line("t.scn", 7, c->line, strlen(c->line), &comment,
	    &err);
	ck_assert_msg(toks != NULL, "%s: %s", c->line, err->message);
	dump_tokens(s, toks, TRUE);
	ck_assert_str_eq(s->str, c->want);
	if (c->comment == NULL)
		ck_assert_ptr_null(comment);
	else
		ck_assert_str_eq(comment, c->comment);
	for (i = 0; i < toks->len; i++) {
		const SimToken *t = toks->pdata[i];

		ck_assert_str_eq(t->file, "t.scn");
		ck_assert_uint_eq(t->line, 7);
	}
}
END_TEST

/* The comment pointer is optional and the text need not end in NUL. */
TU_CASE(test_lex_buffer, "parse/lex")
{
	const char buf[] = "a b\"c";
	g_autoptr(GPtrArray) toks = NULL;
	g_autoptr(GError) err = NULL;

	toks = sim_lex_line("f", 1, buf, 3, NULL, &err);
	ck_assert_ptr_nonnull(toks);
	ck_assert_uint_eq(toks->len, 2);
	ck_assert_str_eq(((SimToken *)toks->pdata[1])->text, "b");
	g_clear_pointer(&toks, g_ptr_array_unref);
	toks = sim_lex_line("f", 1, NULL, 0, NULL, &err);
	ck_assert_ptr_nonnull(toks);
	ck_assert_uint_eq(toks->len, 0);
}
END_TEST

/* ----------------------------------------------------------------------
 * parse/tokens: statements
 */

static const struct stmt_case {
	const char	*src;
	const char	*want;
} stmt_cases[] = {
	{ "socket a tcp6", "socket W(a) W(tcp6)" },
	{ "bind a [::1]:0 = 0", "bind W(a) W([::1]:0) = I(0)" },
	{ "update m 3 b noexist = -EEXIST",
	  "update W(m) I(3) W(b) W(noexist) = E(-17)" },
	{ "lookup m 3 = cookie(a) @4.19 = -EPERM @6.18 = 0x10",
	  "lookup W(m) I(3) = W(cookie(a)) @4.19: E(-1) @6.18: I(16)" },
	{ "lookup m 3 @4.19 -EPERM", "lookup W(m) I(3) @4.19: E(-1)" },
	{ "lookup m 3 @4.19=-EPERM @6.18=1 2",
	  "lookup W(m) I(3) @4.19: E(-1) @6.18: I(1) I(2)" },
	{ "update m key=4 value=8 name=\"my map\" flags=0x10",
	  "update W(m) K(key=I(4)) K(value=I(8)) K(name=S(my map))"
	  " K(flags=I(16))" },
	{ "send udp 127.0.0.1:5000 from 127.0.0.2:4000 payload=\"\\x01\\x00\""
	  " = delivered a",
	  "send W(udp) W(127.0.0.1:5000) W(from) W(127.0.0.2:4000)"
	  " K(payload=S(\\x01\\x00)) = W(delivered) W(a)" },
	{ "lookup m 3 = $c        # binds variable c",
	  "lookup W(m) I(3) = V(c)" },
	{ "old: close a", "old: close W(a)" },
	{ "A_1-x: B.c", "A_1-x: B.c" },
	{ "a:b", "ERROR(0): t.scn:1:1: expected a verb, got word 'a:b'" },
	{ "close", "close" },
	{ "x =0", "x = I(0)" },
	{ "x = a = b", "ERROR(0): t.scn:1:7: unexpected '='" },
	{ "  indented\targs  ", "indented W(args)" },
	{ "crlf a\r", "crlf W(a)" },
	{ "# c1\n\n  # c2\na\n\nb # c3\n", "a\nb" },
	{ "", "" },
	{ "\n\n\n", "" },
};

TU_LOOP(test_stmt, "parse/tokens", G_N_ELEMENTS(stmt_cases))
{
	const struct stmt_case *c = &stmt_cases[_i];
	g_autofree char *got = parse_dump("t.scn", c->src, -1, NULL, FALSE);

	ck_assert_str_eq(got, c->want);
}
END_TEST

/* Positions of statements, verbs, tokens and overrides. */
TU_CASE(test_positions, "parse/tokens")
{
	const char *src = "\n  old: lookup m k=\"v\" = 1 @4.19 -EPERM\n"
	    "\tx\n";
	g_autoptr(SimScenario) sc = NULL;
	g_autoptr(GError) err = NULL;
	const SimStmt *st;
	const SimToken *t;
	const SimOverride *ov;

	sc = sim_parse_buffer("dir/p.scn", src, strlen(src), NULL, NULL,
	    &err);
	ck_assert_ptr_nonnull(sc);
	ck_assert_uint_eq(sc->stmts->len, 2);
	st = sc->stmts->pdata[0];
	ck_assert_str_eq(st->file, "dir/p.scn");
	ck_assert_uint_eq(st->line, 2);
	ck_assert_uint_eq(st->col, 3);
	ck_assert_uint_eq(st->verb_col, 8);
	ck_assert_str_eq(st->label, "old");
	ck_assert_str_eq(st->verb, "lookup");
	t = st->args->pdata[1];
	ck_assert_int_eq(t->kind, SIM_TOK_KV);
	ck_assert_uint_eq(t->line, 2);
	ck_assert_uint_eq(t->col, 17);
	ck_assert_str_eq(t->text, "k=\"v\"");
	ck_assert_uint_eq(t->value->col, 19);
	ck_assert_str_eq(t->value->text, "\"v\"");
	t = st->expect->pdata[0];
	ck_assert_uint_eq(t->col, 25);
	ov = st->overrides->pdata[0];
	ck_assert_str_eq(ov->file, "dir/p.scn");
	ck_assert_uint_eq(ov->line, 2);
	ck_assert_uint_eq(ov->col, 27);
	t = ov->tokens->pdata[0];
	ck_assert_uint_eq(t->col, 33);
	ck_assert_str_eq(t->text, "-EPERM");
	st = sc->stmts->pdata[1];
	ck_assert_uint_eq(st->line, 3);
	ck_assert_uint_eq(st->col, 2);
	ck_assert_uint_eq(st->verb_col, 2);
	ck_assert_ptr_null(st->label);
	ck_assert_ptr_null(st->expect);
	ck_assert_uint_eq(st->args->len, 0);
	ck_assert_uint_eq(st->overrides->len, 0);
	ck_assert_str_eq(sc->path, "dir/p.scn");
	ck_assert_uint_eq(sc->files->len, 1);
	ck_assert_str_eq(sc->files->pdata[0], "dir/p.scn");
}
END_TEST

/* ----------------------------------------------------------------------
 * parse/header
 */

static const struct header_case {
	const char	*src;
	const char	*title;
	const char	*rules;
	const char	*kernel;
} header_cases[] = {
	{ "# map/x.scn: title.\n"
	  "# Kernel: kernel/bpf/reuseport_array.c f()\n"
	  "# Rules: R-UPD-6a R-UPD-9\n"
	  "#Rules:\tR-1  R-UPD-9 R-2\n"
	  "\n"
	  "#   Kernel:   net/core/sock_reuseport.c g()  \n"
	  "# more text\n"
	  "a\n"
	  "# Rules: R-LATE\n"
	  "# Kernel: late\n",
	  "map/x.scn: title.", "R-UPD-6a R-UPD-9 R-1 R-2",
	  "kernel/bpf/reuseport_array.c f()\nnet/core/sock_reuseport.c g()" },
	{ "# Rules: A\n# title?\n", NULL, "A", NULL },
	{ "#\n# title?\n", NULL, "", NULL },
	{ "  #   spaced title  \n", "spaced title", "", NULL },
	{ "a # Rules: X\n# t\n", NULL, "", NULL },
	{ "profile 4.19\n# T\n# Rules: X\nx\n# Rules: Y\n", "T", "X", NULL },
	{ "thread A\n# T\nend\n", NULL, "", NULL },
	{ "# Rules:\n# Kernel:\n", NULL, "", "" },
	{ "", NULL, "", NULL },
};

TU_LOOP(test_header, "parse/header", G_N_ELEMENTS(header_cases))
{
	const struct header_case *c = &header_cases[_i];
	g_autoptr(SimScenario) sc = NULL;
	g_autoptr(GError) err = NULL;
	g_autofree char *rules = NULL;

	sc = sim_parse_buffer("t.scn", c->src, strlen(c->src), NULL, NULL,
	    &err);
	ck_assert_msg(sc != NULL, "%s", err->message);
	if (c->title == NULL)
		ck_assert_ptr_null(sc->title);
	else
		ck_assert_str_eq(sc->title, c->title);
	rules = join_strv(sc->rules);
	ck_assert_str_eq(rules, c->rules);
	if (c->kernel == NULL)
		ck_assert_ptr_null(sc->kernel);
	else
		ck_assert_str_eq(sc->kernel, c->kernel);
}
END_TEST

/* Header comments of included files, and after an include, are ignored. */
TU_CASE(test_header_include, "parse/header")
{
	static const MemFile files[] = {
		{ "x.inc", "# inc title\n# Rules: INC\n# Kernel: inc\n" },
		{ NULL, NULL },
	};
	const char *src = "include \"x.inc\"\n# not a title\n";
	g_autoptr(SimScenario) sc = NULL;

	sc = sim_parse_buffer("t.scn", src, strlen(src), mem_include,
	    (gpointer)files, NULL);
	ck_assert_ptr_nonnull(sc);
	ck_assert_ptr_null(sc->title);
	ck_assert_uint_eq(sc->rules->len, 0);
	ck_assert_ptr_null(sc->kernel);
}
END_TEST

/* ----------------------------------------------------------------------
 * parse/errors: every message with its position
 */

static const struct error_case {
	const char	*src;
	gssize		 len;	/* -1: strlen(src) */
	const char	*want;	/* "ERROR(code): messages" */
} error_cases[] = {
	/* lexer */
	{ "a \"abc", -1, "ERROR(0): t.scn:1:3: unterminated string" },
	{ "a \"abc\\", -1, "ERROR(0): t.scn:1:3: unterminated string" },
	{ "a \"abc\\\"", -1, "ERROR(0): t.scn:1:3: unterminated string" },
	{ "a \"\\q\"", -1, "ERROR(0): t.scn:1:4: invalid escape '\\q'" },
	{ "a \"x\\\xc3\xa9\"", -1,
	  "ERROR(0): t.scn:1:5: invalid escape '\\\xc3\xa9'" },
	{ "a \"\\x4\"", -1, "ERROR(0): t.scn:1:4: invalid escape '\\x': "
	  "expected two hex digits" },
	{ "a \"\\xg0\"", -1, "ERROR(0): t.scn:1:4: invalid escape '\\x': "
	  "expected two hex digits" },
	{ "a \"\\x", -1, "ERROR(0): t.scn:1:4: invalid escape '\\x': "
	  "expected two hex digits" },
	{ "a \"x\"y", -1, "ERROR(0): t.scn:1:6: missing space after string" },
	{ "a \"x\"\"y\"", -1,
	  "ERROR(0): t.scn:1:6: missing space after string" },
	{ "a k=\"x\"y", -1,
	  "ERROR(0): t.scn:1:8: missing space after string" },
	{ "a b\"c\"", -1,
	  "ERROR(0): t.scn:1:4: unexpected '\"' inside a word" },
	{ "a k=b\"c\"", -1,
	  "ERROR(0): t.scn:1:6: unexpected '\"' inside a word" },
	{ "a k==1", -1, "ERROR(0): t.scn:1:5: unexpected '=' in value of 'k'" },
	{ "a k=b=c", -1,
	  "ERROR(0): t.scn:1:6: unexpected '=' in value of 'k'" },
	{ "a k=@x", -1, "ERROR(0): t.scn:1:5: unexpected '@' in value of 'k'" },
	{ "a @ 1", -1, "ERROR(0): t.scn:1:3: missing profile name after '@'" },
	{ "a @=1", -1, "ERROR(0): t.scn:1:3: missing profile name after '@'" },
	{ "a @a/b 1", -1, "ERROR(0): t.scn:1:3: invalid profile name 'a/b'" },
	{ "a $1", -1, "ERROR(0): t.scn:1:3: invalid variable name '$1'" },
	{ "a $", -1, "ERROR(0): t.scn:1:3: invalid variable name '$'" },
	{ "a $a-b", -1, "ERROR(0): t.scn:1:3: invalid variable name '$a-b'" },
	{ "a k=$", -1, "ERROR(0): t.scn:1:5: invalid variable name '$'" },
	{ "a -x=1", -1, "ERROR(0): t.scn:1:3: invalid key '-x'" },
	{ "a [::1]=1", -1, "ERROR(0): t.scn:1:3: invalid key '[::1]'" },
	{ "a k= 1", -1, "ERROR(0): t.scn:1:3: missing value after 'k='" },
	{ "a k=", -1, "ERROR(0): t.scn:1:3: missing value after 'k='" },
	{ "a k=#c", -1, "ERROR(0): t.scn:1:3: missing value after 'k='" },
	{ "a 18446744073709551616", -1,
	  "ERROR(0): t.scn:1:3: number too large" },
	{ "a 0x10000000000000000", -1,
	  "ERROR(0): t.scn:1:3: number too large" },
	{ "a -9223372036854775809", -1,
	  "ERROR(0): t.scn:1:3: number too large" },
	{ "a -0x8000000000000001", -1,
	  "ERROR(0): t.scn:1:3: number too large" },
	{ "a 99999999999999999999999999999999999999", -1,
	  "ERROR(0): t.scn:1:3: number too large" },
	{ "a k=18446744073709551616", -1,
	  "ERROR(0): t.scn:1:5: number too large" },
	{ "a -EPERX", -1, "ERROR(0): t.scn:1:3: unknown errno 'EPERX', "
	  "did you mean 'EPERM'?" },
	{ "a = -EXEIST", -1, "ERROR(0): t.scn:1:5: unknown errno 'EXEIST', "
	  "did you mean 'EEXIST'?" },
	{ "a -ENOTSUPPP", -1, "ERROR(0): t.scn:1:3: unknown errno "
	  "'ENOTSUPPP', did you mean 'ENOTSUPP'?" },
	{ "a -EZZZZZZZZZZ", -1,
	  "ERROR(0): t.scn:1:3: unknown errno 'EZZZZZZZZZZ'" },
	{ "a\x01" "b", -1, "ERROR(0): t.scn:1:2: control character 0x01" },
	{ "a\x7f", -1, "ERROR(0): t.scn:1:2: control character 0x7f" },
	{ "a\rb", -1, "ERROR(0): t.scn:1:2: control character 0x0d" },
	{ "a \"\x1b\"", -1, "ERROR(0): t.scn:1:4: control character 0x1b" },
	{ "a b\0c", 5, "ERROR(0): t.scn:1:4: NUL byte" },
	{ "ok\n\0", 4, "ERROR(0): t.scn:2:1: NUL byte" },
	{ "# comment \0", 11, "ERROR(0): t.scn:1:11: NUL byte" },
	{ "a \xc3\x28", -1, "ERROR(0): t.scn:1:3: invalid UTF-8" },
	{ "a \xed\xa0\x80", -1, "ERROR(0): t.scn:1:3: invalid UTF-8" },
	{ "a \xe2\x82", -1, "ERROR(0): t.scn:1:3: invalid UTF-8" },
	{ "# caf\xc3\xa9 \xff", -1, "ERROR(0): t.scn:1:9: invalid UTF-8" },
	{ "\"\xc0\xaf\"", -1, "ERROR(0): t.scn:1:2: invalid UTF-8" },
	/* profile */
	{ "profile 4.19\nprofile 6.18", -1,
	  "ERROR(0): t.scn:2:1: duplicate profile line" },
	{ "a\nprofile 4.19", -1,
	  "ERROR(0): t.scn:2:1: profile line after the first statement" },
	{ "thread A\nend\nprofile 4.19", -1,
	  "ERROR(0): t.scn:3:1: profile line after the first statement" },
	{ "profile", -1, "ERROR(0): t.scn:1:1: profile line without names" },
	{ "profile # x", -1,
	  "ERROR(0): t.scn:1:1: profile line without names" },
	{ "profile 4.19 \"x\"", -1,
	  "ERROR(0): t.scn:1:14: invalid profile name: string \"x\"" },
	{ "profile a/b", -1,
	  "ERROR(0): t.scn:1:9: invalid profile name: word 'a/b'" },
	{ "profile a=1", -1,
	  "ERROR(0): t.scn:1:9: invalid profile name: key=value a=1" },
	{ "profile x = 1", -1,
	  "ERROR(0): t.scn:1:11: invalid profile name: '='" },
	{ "profile EPERM", -1,
	  "ERROR(0): t.scn:1:9: invalid profile name: errno EPERM" },
	{ "profile 4.19 4.19", -1,
	  "ERROR(0): t.scn:1:14: duplicate profile '4.19'" },
	/* include, without an include function */
	{ "include", -1,
	  "ERROR(0): t.scn:1:1: include needs one string argument" },
	{ "include x.inc", -1,
	  "ERROR(0): t.scn:1:1: include needs one string argument" },
	{ "include \"a\" \"b\"", -1,
	  "ERROR(0): t.scn:1:13: include parameters are NAME=VALUE (NAME "
	  "[A-Za-z_][A-Za-z0-9_]*), got string \"b\"" },
	{ "include \"\"", -1, "ERROR(0): t.scn:1:9: empty include path" },
	{ "include \"a\\0b\"", -1,
	  "ERROR(0): t.scn:1:9: include path contains a NUL byte" },
	{ "  include \"x.inc\"", -1, "ERROR(1): t.scn:1:3: cannot include "
	  "'x.inc': includes are disabled" },
	/* thread */
	{ "thread", -1, "ERROR(0): t.scn:1:1: thread needs one name" },
	{ "thread 1\nend", -1, "ERROR(0): t.scn:1:1: thread needs one name\n"
	  "t.scn:2:1: end without thread" },
	{ "thread a b", -1, "ERROR(0): t.scn:1:1: thread needs one name" },
	{ "thread a:", -1, "ERROR(0): t.scn:1:1: thread needs one name" },
	{ "thread \"a\"", -1, "ERROR(0): t.scn:1:1: thread needs one name" },
	{ "thread A\n thread B\nend", -1, "ERROR(0): t.scn:2:2: nested "
	  "thread block (thread 'A' opened at t.scn:1:1)" },
	{ "x\n  thread A\na", -1,
	  "ERROR(0): t.scn:2:3: unterminated thread block 'A'" },
	{ "end", -1, "ERROR(0): t.scn:1:1: end without thread" },
	{ "thread A\nend x", -1, "ERROR(0): t.scn:2:5: end takes no arguments\n"
	  "t.scn:1:1: unterminated thread block 'A'" },
	/* statements */
	{ "old:", -1, "ERROR(0): t.scn:1:1: label 'old' without a statement" },
	{ "old: # c", -1,
	  "ERROR(0): t.scn:1:1: label 'old' without a statement" },
	{ "old: include \"x\"", -1,
	  "ERROR(0): t.scn:1:6: 'include' cannot have a label" },
	{ "x: end", -1, "ERROR(0): t.scn:1:4: 'end' cannot have a label" },
	{ "x: thread A", -1,
	  "ERROR(0): t.scn:1:4: 'thread' cannot have a label" },
	{ "x: profile 1", -1,
	  "ERROR(0): t.scn:1:4: 'profile' cannot have a label" },
	{ "x: y: z", -1,
	  "ERROR(0): t.scn:1:4: expected a verb, got word 'y:'" },
	{ "3 a", -1, "ERROR(0): t.scn:1:1: expected a verb, got number 3" },
	{ "= 0", -1, "ERROR(0): t.scn:1:1: expected a verb, got '='" },
	{ "a: = 0", -1, "ERROR(0): t.scn:1:4: expected a verb, got '='" },
	{ "\"s\" a", -1,
	  "ERROR(0): t.scn:1:1: expected a verb, got string \"s\"" },
	{ "cookie(a) x", -1,
	  "ERROR(0): t.scn:1:1: expected a verb, got word 'cookie(a)'" },
	{ "k=v x", -1,
	  "ERROR(0): t.scn:1:1: expected a verb, got key=value k=v" },
	{ "@4.19 x", -1,
	  "ERROR(0): t.scn:1:1: expected a verb, got override @4.19" },
	{ "$v x", -1, "ERROR(0): t.scn:1:1: expected a verb, got variable $v" },
	{ "-EPERM", -1,
	  "ERROR(0): t.scn:1:1: expected a verb, got errno -EPERM" },
	{ "a b =", -1, "ERROR(0): t.scn:1:5: empty expectation after '='" },
	{ "a b = # c", -1, "ERROR(0): t.scn:1:5: empty expectation after '='" },
	{ "a = = 1", -1, "ERROR(0): t.scn:1:3: empty expectation after '='" },
	{ "a = @4.19 1", -1,
	  "ERROR(0): t.scn:1:3: empty expectation after '='" },
	{ "a = 1 = 2", -1, "ERROR(0): t.scn:1:7: unexpected '='" },
	{ "a @4.19", -1, "ERROR(0): t.scn:1:3: empty expectation for '@4.19'" },
	{ "a @4.19 =", -1,
	  "ERROR(0): t.scn:1:3: empty expectation for '@4.19'" },
	{ "a @4.19 @6.18 1", -1,
	  "ERROR(0): t.scn:1:3: empty expectation for '@4.19'" },
	{ "a @4.19 = 1 = 2", -1, "ERROR(0): t.scn:1:13: unexpected '='" },
	{ "a @4.19 1 @4.19 2", -1, "ERROR(0): t.scn:1:11: duplicate override "
	  "for profile '4.19'" },
	{ "profile 4.19 6.18\na @6.81 1", -1, "ERROR(0): t.scn:2:3: unknown "
	  "profile '6.81', did you mean '6.18'?" },
	{ "profile 4.19 6.18\na = 0 @4.19 1 @5.4.0 1", -1, "ERROR(0): "
	  "t.scn:2:15: unknown profile '5.4.0' (profiles: 4.19 6.18)" },
	/* one error per line, every bad line, in order */
	{ "a =\nb\nc \"\nd\n  e @x", -1,
	  "ERROR(0): t.scn:1:3: empty expectation after '='\n"
	  "t.scn:3:3: unterminated string\n"
	  "t.scn:5:5: empty expectation for '@x'" },
	{ "a = -EFOO \"", -1, "ERROR(0): t.scn:1:5: unknown errno 'EFOO'" },
	/* the code is the first error's */
	{ "a \"\n" "include \"x\"", -1, "ERROR(0): t.scn:1:3: unterminated "
	  "string\nt.scn:2:1: cannot include 'x': includes are disabled" },
	{ "include \"x\"\na \"", -1, "ERROR(1): t.scn:1:1: cannot include "
	  "'x': includes are disabled\nt.scn:2:3: unterminated string" },
};

TU_LOOP(test_error, "parse/errors", G_N_ELEMENTS(error_cases))
{
	const struct error_case *c = &error_cases[_i];
	g_autofree char *got = parse_dump("t.scn", c->src, c->len, NULL,
	    FALSE);

	ck_assert_str_eq(got, c->want);
}
END_TEST

/* A parse error does not disturb a GError-less caller or later parses. */
TU_CASE(test_error_null, "parse/errors")
{
	SimScenario *sc = sim_parse_buffer("t.scn", "a =", 3, NULL, NULL,
	    NULL);

	ck_assert_ptr_null(sc);
	sc = sim_parse_buffer("t.scn", "a = 1", 5, NULL, NULL, NULL);
	ck_assert_ptr_nonnull(sc);
	sim_scenario_free(sc);
	sim_scenario_free(NULL);
}
END_TEST

/* ----------------------------------------------------------------------
 * parse/include
 */

static const struct include_case {
	const char	*name;
	const char	*src;
	MemFile		 files[5];
	const char	*want;	/* dump with positions, or an error */
} include_cases[] = {
	/* relative to the including file's directory, cleaned */
	{ "map/t.scn", "a\ninclude \"../common/x.inc\"\nb",
	  { { "common/x.inc", "x 1\n  y\n" } },
	  "map/t.scn:1:1 a\ncommon/x.inc:1:1 x I(1)\ncommon/x.inc:2:3 y\n"
	  "map/t.scn:3:1 b" },
	{ "t.scn", "include \"./x.inc\"", { { "x.inc", "x" } },
	  "x.inc:1:1 x" },
	{ "d/t.scn", "include \"sub/a.inc\"",
	  { { "d/sub/a.inc", "include \"b.inc\"\na" },
	    { "d/sub/b.inc", "include \"../../c.inc\"\nb" },
	    { "c.inc", "c" } },
	  "c.inc:1:1 c\nd/sub/b.inc:2:1 b\nd/sub/a.inc:2:1 a" },
	{ "/abs/t.scn", "include \"x.inc\"\ninclude \"/other/./y.inc\"",
	  { { "/abs/x.inc", "x" }, { "/other/y.inc", "y" } },
	  "/abs/x.inc:1:1 x\n/other/y.inc:1:1 y" },
	{ "t.scn", "include \"a//b/../../../up.inc\"",
	  { { "../up.inc", "u" } }, "../up.inc:1:1 u" },
	{ "/t.scn", "include \"../../r.inc\"", { { "/r.inc", "r" } },
	  "/r.inc:1:1 r" },
	/* a diamond is not a cycle */
	{ "t.scn", "include \"a.inc\"\ninclude \"b.inc\"",
	  { { "a.inc", "include \"c.inc\"" }, { "b.inc", "include \"c.inc\"" },
	    { "c.inc", "c" } },
	  "c.inc:1:1 c\nc.inc:1:1 c" },
	/* included statements keep the thread of the include line */
	{ "t.scn", "thread A\ninclude \"x.inc\"\nend\ninclude \"x.inc\"",
	  { { "x.inc", "x\ny" } },
	  "x.inc:1:1 A|x\nx.inc:2:1 A|y\nx.inc:1:1 x\nx.inc:2:1 y" },
	{ "t.scn", "include \"x.inc\"\nz", { { "x.inc", "thread B\nx\nend" } },
	  "x.inc:2:1 B|x\nt.scn:2:1 z" },
	/* cycles */
	{ "t.scn", "a\n include \"t.scn\"", { { NULL, NULL } },
	  "ERROR(0): t.scn:2:2: include cycle: t.scn -> t.scn" },
	{ "./t.scn", "include \"t.scn\"", { { NULL, NULL } },
	  "ERROR(0): ./t.scn:1:1: include cycle: ./t.scn -> t.scn" },
	{ "t.scn", "include \"a.inc\"\nafter",
	  { { "a.inc", "include \"b.inc\"" },
	    { "b.inc", "b\ninclude \"sub/../a.inc\"\nb2" } },
	  "ERROR(0): b.inc:2:1: include cycle: t.scn -> a.inc -> b.inc -> "
	  "a.inc" },
	{ "t.scn", "include \"a.inc\"",
	  { { "a.inc", "include \"b.inc\"" },
	    { "b.inc", "include \"./a.inc\"" } },
	  "ERROR(0): b.inc:1:1: include cycle: t.scn -> a.inc -> b.inc -> "
	  "a.inc" },
	/* missing and failing files */
	{ "t.scn", "a\ninclude \"nope.inc\"\nb \"", { { NULL, NULL } },
	  "ERROR(1): t.scn:2:1: cannot include 'nope.inc': "
	  "No such file or directory\nt.scn:3:3: unterminated string" },
	{ "t.scn", "include \"silent.inc\"", { { "silent.inc", NULL } },
	  "ERROR(1): t.scn:1:1: cannot include 'silent.inc': unknown error" },
	/* errors inside included files carry their own positions */
	{ "t.scn", "a\ninclude \"x.inc\"\nb =",
	  { { "x.inc", "ok\n  x =\n\"" } },
	  "ERROR(0): x.inc:2:5: empty expectation after '='\n"
	  "x.inc:3:1: unterminated string\n"
	  "t.scn:3:3: empty expectation after '='" },
	{ "t.scn", "include \"x.inc\"", { { "x.inc", "# t\nprofile 4.19" } },
	  "ERROR(0): x.inc:2:1: profile line in an included file" },
	{ "t.scn", "profile 4.19\ninclude \"x.inc\"",
	  { { "x.inc", "a @4.19 1\nb @4.91 1" } },
	  "ERROR(0): x.inc:2:3: unknown profile '4.91', "
	  "did you mean '4.19'?" },
	{ "t.scn", "include \"x.inc\"", { { "x.inc", "thread A\nx" } },
	  "ERROR(0): x.inc:1:1: unterminated thread block 'A'" },
	{ "t.scn", "thread A\ninclude \"x.inc\"\nend",
	  { { "x.inc", "end" } },
	  "ERROR(0): x.inc:1:1: end without thread in this file "
	  "(thread 'A' opened at t.scn:1:1)" },
	{ "t.scn", "thread A\ninclude \"x.inc\"\nend",
	  { { "x.inc", "thread B\nend" } },
	  "ERROR(0): x.inc:1:1: nested thread block "
	  "(thread 'A' opened at t.scn:1:1)\nx.inc:2:1: end without thread "
	  "in this file (thread 'A' opened at t.scn:1:1)" },
	{ "t.scn", "include \"x.inc\"\nend", { { "x.inc", "thread B" } },
	  "ERROR(0): x.inc:1:1: unterminated thread block 'B'\n"
	  "t.scn:2:1: end without thread" },
};

TU_LOOP(test_include, "parse/include", G_N_ELEMENTS(include_cases))
{
	const struct include_case *c = &include_cases[_i];
	g_autofree char *got = parse_dump(c->name, c->src, -1, c->files,
	    TRUE);

	ck_assert_str_eq(got, c->want);
}
END_TEST

/* The files list names each file once, in the order first read. */
TU_CASE(test_include_files, "parse/include")
{
	static const MemFile files[] = {
		{ "a.inc", "include \"c.inc\"" },
		{ "b.inc", "include \"c.inc\"" },
		{ "c.inc", "c" },
		{ NULL, NULL },
	};
	const char *src = "include \"b.inc\"\ninclude \"a.inc\"\n";
	g_autoptr(SimScenario) sc = NULL;
	g_autofree char *names = NULL;
	const SimStmt *s0, *s1;

	sc = sim_parse_buffer("t.scn", src, strlen(src), mem_include,
	    (gpointer)files, NULL);
	ck_assert_ptr_nonnull(sc);
	names = join_strv(sc->files);
	ck_assert_str_eq(names, "t.scn b.inc c.inc a.inc");
	s0 = sc->stmts->pdata[0];
	s1 = sc->stmts->pdata[1];
	ck_assert_ptr_eq(s0->file, s1->file);	/* one copy per file */
}
END_TEST

/* ----------------------------------------------------------------------
 * parse/disk: sim_parse_file() and sim_include_file()
 */

/* Return the path of tests/parse-data/ in the source tree. */
static char *
data_dir(void)
{
	const char *envs[] = { "top_srcdir", "srcdir" };
	const char *subs[] = { "tests/parse-data", "parse-data" };
	guint i, j;

	for (i = 0; i < G_N_ELEMENTS(envs); i++) {
		const char *d = g_getenv(envs[i]);

		for (j = 0; d != NULL && j < G_N_ELEMENTS(subs); j++) {
			char *p = g_build_filename(d, subs[j], NULL);

			if (g_file_test(p, G_FILE_TEST_IS_DIR))
				return p;
			g_free(p);
		}
	}
	for (j = 0; j < G_N_ELEMENTS(subs); j++)
		if (g_file_test(subs[j], G_FILE_TEST_IS_DIR))
			return g_strdup(subs[j]);
	ck_abort_msg("tests/parse-data not found: set top_srcdir");
	return NULL;
}

/* The brief's example scenario, read from disk with its include. */
TU_CASE(test_disk_example, "parse/include")
{
	g_autofree char *dir = data_dir();
	g_autofree char *path = g_build_filename(dir,
	    "map/update-noexist-occupied.scn", NULL);
	g_autofree char *got = NULL, *want = NULL, *s = NULL;
	g_autoptr(SimScenario) sc = NULL;
	g_autoptr(GError) err = NULL;
	const SimStmt *st;

	sc = sim_parse_file(path, &err);
	ck_assert_msg(sc != NULL, "%s", err != NULL ? err->message : "");
	ck_assert_str_eq(sc->path, path);
	ck_assert_str_eq(sc->title, "map/update-noexist-occupied.scn: "
	    "NOEXIST on an occupied slot fails.");
	ck_assert_str_eq(sc->kernel, "kernel/bpf/reuseport_array.c "
	    "reuseport_array_update_check()");
	s = join_strv(sc->rules);
	ck_assert_str_eq(s, "R-UPD-6a R-UPD-9");
	g_free(s);
	s = join_strv(sc->profiles);
	ck_assert_str_eq(s, "4.19 6.18");
	g_free(s);
	s = join_strv(sc->threads);
	ck_assert_str_eq(s, "A B");
	ck_assert_uint_eq(sc->files->len, 2);
	/* the include path is cleaned: compare the end only */
	ck_assert(g_str_has_suffix(sc->files->pdata[1],
	    "parse-data/common/pair.inc"));

	got = dump_stmts(sc, FALSE);
	want = g_strjoin("\n",
	    "map W(m) K(size=I(4)) = I(0)",
	    "socket W(b) W(tcp6)",
	    "socket W(a) W(tcp6)",
	    "setsockopt W(a) W(reuseport) I(1)",
	    "bind W(a) W([::1]:0) = I(0)",
	    "update W(m) I(3) W(a) W(noexist) = I(0)",
	    "update W(m) I(3) W(b) W(noexist) = E(-17)",
	    "lookup W(m) I(3) = W(cookie(a)) @4.19: E(-1) @6.18: I(16)",
	    "update W(m) K(key=I(4)) K(value=I(8)) K(name=S(my map))"
	    " K(flags=I(16))",
	    "send W(udp) W(127.0.0.1:5000) W(from) W(127.0.0.2:4000)"
	    " K(payload=S(\\x01\\x00)) = W(delivered) W(a)",
	    "lookup W(m) I(3) = V(c)",
	    "A|close W(a)",
	    "B|free W(m)",
	    NULL);
	st = sc->stmts->pdata[0];
	ck_assert_ptr_eq(st->file, sc->files->pdata[1]);
	ck_assert_uint_eq(st->line, 3);
	st = sc->stmts->pdata[2];
	ck_assert_str_eq(st->file, path);
	ck_assert_uint_eq(st->line, 7);
	st = sc->stmts->pdata[11];
	ck_assert_str_eq(st->thread, "A");
	ck_assert_uint_eq(st->line, 17);
	ck_assert_uint_eq(st->col, 3);
	ck_assert_str_eq(got, want);
}
END_TEST

/* A temporary directory, removed with rm_tree(). */
static char *
tmp_dir(void)
{
	g_autoptr(GError) err = NULL;
	char *dir = g_dir_make_tmp("check_parse-XXXXXX", &err);

	ck_assert_msg(dir != NULL, "%s", err != NULL ? err->message : "");
	return dir;
}

/* Write len bytes of data to dir/rel, making directories; return path. */
static char *
tmp_write(const char *dir, const char *rel, const char *data, gssize len)
{
	char *path = g_build_filename(dir, rel, NULL);
	g_autofree char *parent = g_path_get_dirname(path);
	g_autoptr(GError) err = NULL;

	ck_assert_int_eq(g_mkdir_with_parents(parent, 0700), 0);
	ck_assert_msg(g_file_set_contents(path, data, len, &err), "%s",
	    err != NULL ? err->message : "");
	return path;
}

/* Remove path and, for a directory, everything below it. */
static void
rm_tree(const char *path)
{
	GDir *d = g_dir_open(path, 0, NULL);
	const char *name;

	if (d != NULL) {
		while ((name = g_dir_read_name(d)) != NULL) {
			g_autofree char *sub = g_build_filename(path, name,
			    NULL);

			rm_tree(sub);
		}
		g_dir_close(d);
		g_rmdir(path);
	} else {
		g_unlink(path);
	}
}

/* Parse path from disk; return the dump or "ERROR(code): message". */
static char *
parse_file_dump(const char *path)
{
	g_autoptr(SimScenario) sc = NULL;
	g_autoptr(GError) err = NULL;

	sc = sim_parse_file(path, &err);
	if (sc == NULL) {
		ck_assert_ptr_nonnull(err);
		return g_strdup_printf("ERROR(%d): %s", err->code,
		    err->message);
	}
	return dump_stmts(sc, FALSE);
}

/* A buffer of exactly len bytes of comment lines. */
static char *
comment_lines(gsize len)
{
	char *buf = g_malloc(len + 1);
	gsize i;

	memset(buf, 'c', len);
	for (i = 0; i < len; i += 1000) {
		buf[i] = '#';
		if (i + 999 < len)
			buf[i + 999] = '\n';
	}
	buf[len] = '\0';
	return buf;
}

/* Check that parsing path from disk gives the printf-formatted want. */
static void G_GNUC_PRINTF(2, 3)
assert_file_dump(const char *path, const char *fmt, ...)
{
	g_autofree char *got = parse_file_dump(path);
	g_autofree char *want = NULL;
	va_list ap;

	va_start(ap, fmt);
	want = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	ck_assert_str_eq(got, want);
}

/* A top file that cannot be read. */
TU_CASE(test_disk_top, "parse/include")
{
	g_autofree char *dir = tmp_dir();
	g_autofree char *nope = g_build_filename(dir, "nope.scn", NULL);

	assert_file_dump(nope, "ERROR(1): %s: No such file or directory",
	    nope);
	assert_file_dump(dir, "ERROR(1): %s: Is a directory", dir);
	assert_file_dump("/dev/null",
	    "ERROR(1): /dev/null: not a regular file");
	rm_tree(dir);
}
END_TEST

/* Included files: missing, a directory, a device, too large, fine. */
TU_CASE(test_disk_include, "parse/include")
{
	g_autofree char *dir = tmp_dir();
	g_autofree char *data = comment_lines(SIM_MAX_FILE_SIZE + 1);
	g_autofree char *max = NULL, *big = NULL, *sub = NULL, *a = NULL;
	g_autofree char *b = NULL;

	/* 4 MiB is fine, one byte more is not */
	max = tmp_write(dir, "max.inc", data, SIM_MAX_FILE_SIZE);
	big = tmp_write(dir, "big.scn", data, SIM_MAX_FILE_SIZE + 1);
	assert_file_dump(max, "%s", "");
	assert_file_dump(big, "ERROR(2): %s: file too large (more than "
	    "4194304 bytes)", big);

	sub = g_build_filename(dir, "sub", NULL);
	ck_assert_int_eq(g_mkdir(sub, 0700), 0);
	a = tmp_write(dir, "d/a.scn",
	    "include \"../nope.inc\"\n"
	    "include \"../sub\"\n"
	    "include \"/dev/null\"\n"
	    "include \"../big.scn\"\n"
	    "include \"../max.inc\"\n"
	    "include \"b.inc\"\n", -1);
	b = tmp_write(dir, "d/b.inc", "x 1\r\n", -1);
	assert_file_dump(a, "ERROR(1): "
	    "%s:1:1: cannot include '%s/nope.inc': No such file or directory\n"
	    "%s:2:1: cannot include '%s/sub': Is a directory\n"
	    "%s:3:1: cannot include '/dev/null': not a regular file\n"
	    "%s:4:1: cannot include '%s/big.scn': file too large (more than "
	    "4194304 bytes)", a, dir, a, dir, a, a, dir);
	g_free(a);
	a = tmp_write(dir, "d/a.scn", "include \"../max.inc\"\n"
	    "include \"b.inc\"\n", -1);
	assert_file_dump(a, "x I(1)");
	rm_tree(dir);
}
END_TEST

/* sim_include_file() on its own. */
TU_CASE(test_disk_read, "parse/include")
{
	g_autofree char *dir = tmp_dir();
	g_autofree char *data = comment_lines(SIM_MAX_FILE_SIZE + 100);
	g_autofree char *b = tmp_write(dir, "b.inc", "x 1\r\n", -1);
	g_autofree char *big = tmp_write(dir, "big", data, -1);
	g_autoptr(GError) err = NULL;
	char *contents = NULL;
	gsize len = 0;

	ck_assert(sim_include_file(b, &contents, &len, NULL, &err));
	ck_assert_uint_eq(len, 5);
	ck_assert_str_eq(contents, "x 1\r\n");
	g_free(contents);
	/* no more than one byte over the limit is read */
	ck_assert(sim_include_file(big, &contents, &len, NULL, &err));
	ck_assert_uint_eq(len, SIM_MAX_FILE_SIZE + 1);
	g_free(contents);
	ck_assert(!sim_include_file(dir, &contents, &len, NULL, &err));
	ck_assert(g_error_matches(err, G_FILE_ERROR, G_FILE_ERROR_ISDIR));
	g_clear_error(&err);
	ck_assert(!sim_include_file("/dev/zero", &contents, &len, NULL,
	    &err));
	ck_assert(g_error_matches(err, G_FILE_ERROR, G_FILE_ERROR_INVAL));
	/* st_size 0 but not empty: the buffer grows as it reads */
	ck_assert(sim_include_file("/proc/self/status", &contents, &len, NULL,
	    NULL));
	ck_assert_uint_gt(len, 100);
	ck_assert_uint_eq(strlen(contents), len);
	g_free(contents);
	rm_tree(dir);
}
END_TEST

/* ----------------------------------------------------------------------
 * parse/thread
 */

static const struct thread_case {
	const char	*src;
	const char	*want;
	const char	*threads;
} thread_cases[] = {
	{ "x\nthread A\n  close a\nend\nthread B\n  free m\nend\ny",
	  "x\nA|close W(a)\nB|free W(m)\ny", "A B" },
	{ "thread A\na\nend\nthread B\nend\nthread A\nb\nend",
	  "A|a\nA|b", "A B" },
	{ "thread A # c\n  old: close a = 0\nend # done\nx",
	  "A|old: close W(a) = I(0)\nx", "A" },
	{ "thread T_1\n\n# comment\n\tx\nend", "T_1|x", "T_1" },
	{ "thread A\nend", "", "A" },
	{ "a", "a", "" },
};

TU_LOOP(test_thread, "parse/thread", G_N_ELEMENTS(thread_cases))
{
	const struct thread_case *c = &thread_cases[_i];
	g_autoptr(SimScenario) sc = NULL;
	g_autoptr(GError) err = NULL;
	g_autofree char *got = NULL, *threads = NULL;

	sc = sim_parse_buffer("t.scn", c->src, strlen(c->src), NULL, NULL,
	    &err);
	ck_assert_msg(sc != NULL, "%s", err->message);
	got = dump_stmts(sc, FALSE);
	ck_assert_str_eq(got, c->want);
	threads = join_strv(sc->threads);
	ck_assert_str_eq(threads, c->threads);
}
END_TEST

/* A statement's thread points at the scenario's copy of the name. */
TU_CASE(test_thread_names, "parse/thread")
{
	const char *src = "thread A\na\nend\nthread A\nb\nend";
	g_autoptr(SimScenario) sc = sim_parse_buffer("t.scn", src,
	    strlen(src), NULL, NULL, NULL);
	const SimStmt *s0 = sc->stmts->pdata[0], *s1 = sc->stmts->pdata[1];

	ck_assert_ptr_eq(s0->thread, sc->threads->pdata[0]);
	ck_assert_ptr_eq(s1->thread, sc->threads->pdata[0]);
}
END_TEST

/* ----------------------------------------------------------------------
 * parse/overrides: sim_stmt_expect_for()
 */

static char *
dump_expect(const GPtrArray *toks)
{
	g_autoptr(GString) s = g_string_new(NULL);

	if (toks == NULL)
		return g_strdup("NULL");
	dump_tokens(s, toks, FALSE);
	return g_strdup(s->str + 1);
}

static const struct expect_case {
	guint		 stmt;
	const char	*profile;
	const char	*want;
} expect_cases[] = {
	{ 0, NULL, "W(cookie(a))" },
	{ 0, "4.19", "E(-1)" },
	{ 0, "6.18", "I(16)" },
	{ 0, "5.10", "W(cookie(a))" },
	{ 1, NULL, "NULL" },
	{ 1, "4.19", "I(1) I(2)" },
	{ 1, "6.18", "NULL" },
	{ 2, "4.19", "I(2)" },
	{ 2, NULL, "I(2)" },
	{ 3, NULL, "NULL" },
	{ 3, "6.18", "NULL" },
};

TU_LOOP(test_expect_for, "parse/overrides", G_N_ELEMENTS(expect_cases))
{
	const struct expect_case *c = &expect_cases[_i];
	const char *src = "profile 4.19 6.18 5.10\n"
	    "lookup m 3 = cookie(a) @4.19 = -EPERM @6.18 = 0x10\n"
	    "a @4.19 1 2\n"
	    "b = 2\n"
	    "c\n";
	g_autoptr(SimScenario) sc = NULL;
	g_autofree char *got = NULL;
	g_autofree char *profiles = NULL;

	sc = sim_parse_buffer("t.scn", src, strlen(src), NULL, NULL, NULL);
	ck_assert_ptr_nonnull(sc);
	profiles = join_strv(sc->profiles);
	ck_assert_str_eq(profiles, "4.19 6.18 5.10");
	got = dump_expect(sim_stmt_expect_for(sc->stmts->pdata[c->stmt],
	    c->profile));
	ck_assert_str_eq(got, c->want);
}
END_TEST

/* Without a profile line any override name is accepted. */
TU_CASE(test_override_any, "parse/overrides")
{
	g_autofree char *got = parse_dump("t.scn", "a @x 1 @4.19-rc1 2", -1,
	    NULL, FALSE);

	ck_assert_str_eq(got, "a @x: I(1) @4.19-rc1: I(2)");
}
END_TEST

/* ----------------------------------------------------------------------
 * parse/api: token accessors, errno names, suggestions
 */

static SimToken *
lex_one(const char *text)
{
	g_autoptr(GPtrArray) toks = sim_lex_line("t", 1, text, strlen(text),
	    NULL, NULL);

	ck_assert_ptr_nonnull(toks);
	ck_assert_uint_eq(toks->len, 1);
	return g_ptr_array_steal_index(toks, 0);
}

static const struct int_case {
	const char	*text;
	gboolean	 u_ok;
	guint64		 u;
	gboolean	 s_ok;
	gint64		 s;
} int_cases[] = {
	{ "0", TRUE, 0, TRUE, 0 },
	{ "-0", TRUE, 0, TRUE, 0 },
	{ "42", TRUE, 42, TRUE, 42 },
	{ "-42", FALSE, 0, TRUE, -42 },
	{ "9223372036854775807", TRUE, G_MAXINT64, TRUE, G_MAXINT64 },
	{ "9223372036854775808", TRUE, (guint64)G_MAXINT64 + 1, FALSE, 0 },
	{ "18446744073709551615", TRUE, G_MAXUINT64, FALSE, 0 },
	{ "-9223372036854775808", FALSE, 0, TRUE, G_MININT64 },
	{ "-9223372036854775807", FALSE, 0, TRUE, -G_MAXINT64 },
	{ "0x7fffffffffffffff", TRUE, G_MAXINT64, TRUE, G_MAXINT64 },
	{ "x", FALSE, 0, FALSE, 0 },
	{ "-EPERM", FALSE, 0, FALSE, 0 },
	{ "\"1\"", FALSE, 0, FALSE, 0 },
	{ "k=1", FALSE, 0, FALSE, 0 },
	{ "$v", FALSE, 0, FALSE, 0 },
};

TU_LOOP(test_token_int, "parse/tokens", G_N_ELEMENTS(int_cases))
{
	const struct int_case *c = &int_cases[_i];
	g_autoptr(GPtrArray) keep = g_ptr_array_new_with_free_func(
	    (GDestroyNotify)sim_token_free);
	SimToken *t = lex_one(c->text);
	guint64 u = 7;
	gint64 s = 7;

	g_ptr_array_add(keep, t);
	ck_assert_int_eq(sim_token_get_u64(t, &u), c->u_ok);
	ck_assert_uint_eq(u, c->u_ok ? c->u : 7);
	ck_assert_int_eq(sim_token_get_s64(t, &s), c->s_ok);
	ck_assert_int_eq(s, c->s_ok ? c->s : 7);
}
END_TEST

static const struct describe_case {
	const char	*text;
	SimTokenKind	 kind;
	const char	*want;
	const char	*word;
} describe_cases[] = {
	{ "tcp6", SIM_TOK_WORD, "word 'tcp6'", "tcp6" },
	{ "0x10", SIM_TOK_INT, "number 0x10", NULL },
	{ "-EPERM", SIM_TOK_ERRNO, "errno -EPERM", NULL },
	{ "\"a\\n\"", SIM_TOK_STRING, "string \"a\\n\"", NULL },
	{ "$c", SIM_TOK_VAR, "variable $c", NULL },
	{ "k=\"v\"", SIM_TOK_KV, "key=value k=\"v\"", NULL },
	{ "=", SIM_TOK_EQ, "'='", NULL },
	{ "@4.19", SIM_TOK_AT, "override @4.19", NULL },
};

TU_LOOP(test_token_describe, "parse/tokens", G_N_ELEMENTS(describe_cases))
{
	const struct describe_case *c = &describe_cases[_i];
	g_autoptr(GPtrArray) keep = g_ptr_array_new_with_free_func(
	    (GDestroyNotify)sim_token_free);
	SimToken *t = lex_one(c->text);
	g_autofree char *d = NULL;

	g_ptr_array_add(keep, t);
	ck_assert_int_eq(t->kind, c->kind);
	d = sim_token_describe(t);
	ck_assert_str_eq(d, c->want);
	if (c->word == NULL)
		ck_assert_ptr_null(sim_token_word(t));
	else
		ck_assert_str_eq(sim_token_word(t), c->word);
	ck_assert(g_str_has_prefix(c->want,
	    c->kind == SIM_TOK_EQ ? "'='" : sim_token_kind_name(c->kind)));
}
END_TEST

static const struct errno_case {
	const char	*name;
	int		 value;
	const char	*canonical;
} errno_cases[] = {
	{ "EPERM", 1, "EPERM" },
	{ "EEXIST", 17, "EEXIST" },
	{ "EAGAIN", 11, "EAGAIN" },
	{ "EWOULDBLOCK", 11, "EAGAIN" },
	{ "EDEADLOCK", 35, "EDEADLK" },
	{ "ENOTSUP", 95, "EOPNOTSUPP" },
	{ "EHWPOISON", 133, "EHWPOISON" },
	{ "ERESTARTSYS", 512, "ERESTARTSYS" },
	{ "ENOIOCTLCMD", 515, "ENOIOCTLCMD" },
	{ "EBADCOOKIE", 523, "EBADCOOKIE" },
	{ "ENOTSUPP", 524, "ENOTSUPP" },
	{ "ENOGRACE", 531, "ENOGRACE" },
	{ "EFOO", 0, NULL },
	{ "-EPERM", 0, NULL },
	{ "eperm", 0, NULL },
	{ "", 0, NULL },
};

TU_LOOP(test_errno, "parse/tokens", G_N_ELEMENTS(errno_cases))
{
	const struct errno_case *c = &errno_cases[_i];

	ck_assert_int_eq(sim_errno_from_name(c->name), c->value);
	if (c->value != 0)
		ck_assert_str_eq(sim_errno_name(c->value), c->canonical);
}
END_TEST

/* Every name glibc knows for 1..4095 is known, with the same value. */
TU_CASE(test_errno_libc, "parse/tokens")
{
	int e, n = 0;

	for (e = 1; e < 4096; e++) {
		const char *name = strerrorname_np(e);

		if (name == NULL) {
			if (e < 512)
				ck_assert_ptr_null(sim_errno_name(e));
			continue;
		}
		ck_assert_msg(sim_errno_from_name(name) == e, "%s", name);
		ck_assert_ptr_nonnull(sim_errno_name(e));
		n++;
	}
	ck_assert_int_ge(n, 130);
	ck_assert_ptr_null(sim_errno_name(0));
	ck_assert_ptr_null(sim_errno_name(-1));
	ck_assert_ptr_null(sim_errno_name(520));
	ck_assert_ptr_null(sim_errno_name(4096));
}
END_TEST

static const struct distance_case {
	const char	*a;
	const char	*b;
	gsize		 want;
} distance_cases[] = {
	{ "", "", 0 },
	{ "abc", "", 3 },
	{ "", "abc", 3 },
	{ "update", "update", 0 },
	{ "updat", "update", 1 },
	{ "udpate", "update", 1 },	/* transposition */
	{ "kitten", "sitting", 3 },
	{ "ca", "abc", 3 },		/* optimal string alignment, not 2 */
	{ "EPERX", "EPERM", 1 },
};

TU_LOOP(test_distance, "parse/suggest", G_N_ELEMENTS(distance_cases))
{
	const struct distance_case *c = &distance_cases[_i];

	ck_assert_uint_eq(sim_suggest_distance(c->a, c->b), c->want);
	ck_assert_uint_eq(sim_suggest_distance(c->b, c->a), c->want);
}
END_TEST

static const char *const verbs[] = {
	"socket", "bind", "update", "lookup", NULL, "close", "listen",
};

static const struct suggest_case {
	const char	*word;
	const char	*want;
} suggest_cases[] = {
	{ "updat", "update" },
	{ "udpate", "update" },
	{ "update", "update" },
	{ "lokup", "lookup" },
	{ "sockte", "socket" },
	{ "clos", "close" },
	{ "lsten", "listen" },
	{ "bnd", "bind" },		/* 3 bytes: one edit allowed */
	{ "bn", NULL },			/* two edits */
	{ "upd", NULL },		/* three edits, limit 1 */
	{ "xyz", NULL },
	{ "", NULL },
	{ "socket-", "socket" },
	{ "sockets__", "socket" },	/* 9 bytes: limit 3, distance 3 */
	{ "sockets___", NULL },		/* 10 bytes: distance 4 */
	{ "xockets__", NULL },
};

TU_LOOP(test_suggest, "parse/suggest", G_N_ELEMENTS(suggest_cases))
{
	const struct suggest_case *c = &suggest_cases[_i];
	const char *got = sim_suggest(c->word, verbs, G_N_ELEMENTS(verbs));

	if (c->want == NULL)
		ck_assert_msg(got == NULL, "%s -> %s", c->word, got);
	else
		ck_assert_str_eq(got, c->want);
}
END_TEST

TU_CASE(test_suggest_edges, "parse/suggest")
{
	const char *const ab[] = { "ab", "ba", "ax" };
	const char *const one[] = { "a" };
	g_autofree char *lw = g_strnfill(SIM_SUGGEST_MAX_LEN + 1, 'a');
	g_autofree char *lw2 = g_strnfill(SIM_SUGGEST_MAX_LEN, 'a');
	const char *const longs[] = { lw, lw2 };

	ck_assert_str_eq(sim_suggest("aa", ab, 3), "ab");	/* first */
	ck_assert_str_eq(sim_suggest("", one, 1), "a");
	ck_assert_ptr_null(sim_suggest("a", NULL, 0));
	ck_assert_ptr_null(sim_suggest(lw, longs, 2));	/* too long */
	ck_assert_str_eq(sim_suggest(lw2, longs, 2), lw2);
	ck_assert_str_eq(sim_suggest("sockets_", verbs, G_N_ELEMENTS(verbs)),
	    "socket");
}
END_TEST

/* ----------------------------------------------------------------------
 * parse/limits
 */

static char *
repeat(const char *s, guint n)
{
	GString *g = g_string_new(NULL);

	while (n-- > 0)
		g_string_append(g, s);
	return g_string_free(g, FALSE);
}

TU_CASE(test_long_lines, "parse/limits")
{
	g_autofree char *x4094 = g_strnfill(4094, 'x');
	g_autofree char *x4095 = g_strnfill(4095, 'x');
	g_autofree char *x99998 = g_strnfill(99998, 'x');
	g_autofree char *src = NULL, *got = NULL;
	g_autoptr(SimScenario) sc = NULL;
	g_autoptr(GError) err = NULL;
	const SimStmt *st;

	/* 4096 bytes, also with CRLF (no long strings in failure messages) */
	src = g_strdup_printf("a %s\r\n", x4094);
	sc = sim_parse_buffer("t.scn", src, strlen(src), NULL, NULL, &err);
	ck_assert_msg(sc != NULL, "%.200s", err->message);
	ck_assert_uint_eq(sc->stmts->len, 1);
	st = sc->stmts->pdata[0];
	ck_assert_uint_eq(st->args->len, 1);
	ck_assert(strcmp(((SimToken *)st->args->pdata[0])->text, x4094) == 0);
	g_free(src);

	/* 4097 bytes, reported once a line, other lines go on */
	src = g_strdup_printf("ok\na %s\nb =\n# %s\nc\n", x4095, x99998);
	got = parse_dump("t.scn", src, -1, NULL, FALSE);
	ck_assert_str_eq(got, "ERROR(2): "
	    "t.scn:2:4097: line too long (4097 bytes, max 4096)\n"
	    "t.scn:3:3: empty expectation after '='\n"
	    "t.scn:4:4097: line too long (100000 bytes, max 4096)");
}
END_TEST

TU_CASE(test_file_size, "parse/limits")
{
	g_autofree char *buf = comment_lines(SIM_MAX_FILE_SIZE + 1);
	g_autoptr(SimScenario) sc = NULL;
	g_autoptr(GError) err = NULL;

	sc = sim_parse_buffer("big.scn", buf, SIM_MAX_FILE_SIZE, NULL, NULL,
	    &err);
	ck_assert_ptr_nonnull(sc);
	g_clear_pointer(&sc, sim_scenario_free);
	sc = sim_parse_buffer("big.scn", buf, SIM_MAX_FILE_SIZE + 1, NULL,
	    NULL, &err);
	ck_assert_ptr_null(sc);
	ck_assert(g_error_matches(err, SIM_PARSE_ERROR,
	    SIM_PARSE_ERROR_LIMIT));
	ck_assert_str_eq(err->message,
	    "big.scn: file too large (more than 4194304 bytes)");
}
END_TEST

/* Serves "big.inc" as size bytes of comment lines, "e.inc" empty. */
static gboolean
big_include(const char *path, char **contents, gsize *len, gpointer ud,
    GError **error)
{
	gsize size = GPOINTER_TO_SIZE(ud);

	if (strcmp(path, "e.inc") == 0) {
		*contents = NULL;	/* allowed for empty files */
		*len = 0;
		return TRUE;
	}
	if (strcmp(path, "big.inc") != 0) {
		g_set_error_literal(error, G_FILE_ERROR, G_FILE_ERROR_NOENT,
		    "nope");
		return FALSE;
	}
	*contents = comment_lines(size);
	*len = size;
	return TRUE;
}

static char *
big_dump(const char *src, gsize size)
{
	g_autoptr(SimScenario) sc = NULL;
	g_autoptr(GError) err = NULL;

	sc = sim_parse_buffer("t.scn", src, strlen(src), big_include,
	    GSIZE_TO_POINTER(size), &err);
	if (sc == NULL)
		return g_strdup_printf("ERROR(%d): %s", err->code,
		    err->message);
	return dump_stmts(sc, FALSE);
}

TU_CASE(test_include_size, "parse/limits")
{
	g_autofree char *got = NULL, *src = NULL;

	got = big_dump("include \"big.inc\"\nx", SIM_MAX_FILE_SIZE);
	ck_assert_str_eq(got, "x");
	g_free(got);
	got = big_dump("include \"big.inc\"\nx =", SIM_MAX_FILE_SIZE + 1);
	ck_assert_str_eq(got, "ERROR(2): t.scn:1:1: cannot include "
	    "'big.inc': file too large (more than 4194304 bytes)\n"
	    "t.scn:2:3: empty expectation after '='");
	g_free(got);

	/* 64 MiB in all: the 16th 4 MiB include is too much; parse stops */
	src = repeat("include \"big.inc\"\n", 16);
	got = big_dump(src, SIM_MAX_FILE_SIZE);
	ck_assert_str_eq(got, "ERROR(2): t.scn:16:1: too much input (more "
	    "than 67108864 bytes in all files)");
}
END_TEST

/* Including more than SIM_MAX_INCLUDES files stops the parse. */
TU_CASE(test_include_count, "parse/limits")
{
	g_autofree char *inc = repeat("include \"e.inc\"\n",
	    SIM_MAX_INCLUDES + 1);
	g_autofree char *src = g_strconcat("x =\n", inc, "y =\n", NULL);
	g_autofree char *got = big_dump(src, 0);

	ck_assert_str_eq(got, "ERROR(0): t.scn:1:3: empty expectation after "
	    "'='\nt.scn:10002:1: too many includes (max 10000)");
}
END_TEST

/* f<k>.inc includes f<k+1>.inc up to f<last>.inc, which holds "x". */
static MemFile *
include_chain_files(guint last)
{
	MemFile *files = g_new0(MemFile, last + 2);
	guint k;

	for (k = 1; k <= last; k++) {
		files[k - 1].path = g_strdup_printf("f%u.inc", k);
		files[k - 1].text = k < last ?
		    g_strdup_printf("include \"f%u.inc\"", k + 1) :
		    g_strdup("x");
	}
	return files;
}

static void
include_chain_free(MemFile *files)
{
	MemFile *f;

	for (f = files; f->path != NULL; f++) {
		g_free((char *)f->path);
		g_free((char *)f->text);
	}
	g_free(files);
}

TU_CASE(test_include_depth, "parse/limits")
{
	MemFile *files = include_chain_files(SIM_MAX_INCLUDE_DEPTH);
	g_autofree char *got = parse_dump("t.scn", "include \"f1.inc\"", -1,
	    files, TRUE);

	/* the top file and 16 levels of includes */
	ck_assert_str_eq(got, "f16.inc:1:1 x");
	include_chain_free(files);
	g_free(got);

	files = include_chain_files(SIM_MAX_INCLUDE_DEPTH + 1);
	got = parse_dump("t.scn", "include \"f1.inc\"\nafter =", -1, files,
	    TRUE);
	ck_assert_str_eq(got, "ERROR(2): f16.inc:1:1: include depth limit "
	    "(16) exceeded\nt.scn:2:7: empty expectation after '='");
	include_chain_free(files);
}
END_TEST

/* 50 errors are reported, the 51st becomes "too many errors". */
TU_CASE(test_error_cap, "parse/limits")
{
	g_autofree char *src50 = repeat("a =\n", SIM_MAX_ERRORS);
	g_autofree char *src = g_strconcat(src50, "ok\n  b =\n c =\n", NULL);
	g_autofree char *got = NULL;
	g_auto(GStrv) lines = NULL;

	got = parse_dump("t.scn", src50, -1, NULL, FALSE);
	lines = g_strsplit(got, "\n", -1);
	ck_assert_uint_eq(g_strv_length(lines), SIM_MAX_ERRORS);
	ck_assert_str_eq(lines[49], "t.scn:50:3: empty expectation after '='");
	g_clear_pointer(&lines, g_strfreev);
	g_free(got);

	got = parse_dump("t.scn", src, -1, NULL, FALSE);
	lines = g_strsplit(got, "\n", -1);
	ck_assert_uint_eq(g_strv_length(lines), SIM_MAX_ERRORS + 1);
	ck_assert_str_eq(lines[0],
	    "ERROR(0): t.scn:1:3: empty expectation after '='");
	ck_assert_str_eq(lines[50], "t.scn:52:5: too many errors");
	g_clear_pointer(&lines, g_strfreev);
	g_free(got);

	/* the position of a lexer error too */
	g_free(src);
	src = g_strconcat(src50, "\n\n   \"", NULL);
	got = parse_dump("t.scn", src, -1, NULL, FALSE);
	ck_assert(g_str_has_suffix(got, "\nt.scn:53:4: too many errors"));
}
END_TEST

/* 1,000,000 statements, counted across includes, and not one more. */
TU_CASE(test_stmt_cap, "parse/limits")
{
	g_autofree char *body = repeat("a\n", 1000);
	g_autofree char *incs = repeat("include \"k.inc\"\n", 1000);
	g_autofree char *src = g_strconcat(incs, "x\ny =\n", NULL);
	MemFile files[] = { { "k.inc", body }, { NULL, NULL } };
	g_autoptr(SimScenario) sc = NULL;
	g_autoptr(GError) err = NULL;

	/* the error at line 1001 shows the 1,000,000 before were taken */
	sc = sim_parse_buffer("t.scn", src, strlen(src), mem_include, files,
	    &err);
	ck_assert_ptr_null(sc);
	ck_assert(g_error_matches(err, SIM_PARSE_ERROR,
	    SIM_PARSE_ERROR_LIMIT));
	ck_assert_str_eq(err->message,
	    "t.scn:1001:1: too many statements (max 1000000)");
}
END_TEST

/* ----------------------------------------------------------------------
 * parse/fuzz: random input must not crash, hang or leak
 */

static const char *const fuzz_frags[] = {
	"profile ", "include ", "thread ", "end", "\n", "\n", "\n", " ", " ",
	" ", "\t", "=", "= ", "@", "@4.19 ", "@6.18=", "$", "$c", "\"", "\\",
	"\\x", "\\x4", "\\0", "#", "# Rules: R-1\n", "# Kernel: k\n", "-E",
	"-EPERM", "EPERX", "-EPERX", "0x", "0xff", "-", "a", "k=", "k=\"",
	"4.19", "6.18", ":", "\"x.inc\"", "\"f.inc\"", "\"t.scn\"",
	"\"../x.inc\"", "\r", "\xc3", "\xa9", "\xff", "\xed\xa0\x80",
	"18446744073709551616", "18446744073709551615", "-9223372036854775808",
	"9", "cookie(a)", "old:", "old: ", "lookup m 3 = ", "[::1]:0",
	"thread A\n", "end\n", "include \"x.inc\"\n", "include \"f.inc\"\n",
	"profile 4.19 6.18\n",
};

/* A random buffer of fragments and bytes; *len its length. */
static char *
fuzz_buffer(GRand *r, gsize *len)
{
	GString *s = g_string_new(NULL);
	gint32 n = g_rand_int_range(r, 0, 120), i;

	for (i = 0; i < n; i++) {
		gint32 pick = g_rand_int_range(r, 0, 100);

		if (pick < 10) {
			g_string_append_c(s, (char)g_rand_int_range(r, 0, 256));
		} else if (pick == 10 && g_rand_int_range(r, 0, 20) == 0) {
			/* now and then a line over the limit */
			char *w = g_strnfill(SIM_MAX_LINE - 2 +
			    g_rand_int_range(r, 0, 5), 'w');

			g_string_append(s, w);
			g_free(w);
		} else {
			g_string_append(s, fuzz_frags[g_rand_int_range(r, 0,
			    G_N_ELEMENTS(fuzz_frags))]);
		}
	}
	*len = s->len;
	return g_string_free(s, FALSE);
}

/* Is line an error message of one of the fuzz files? */
static gboolean
fuzz_error_line(const char *line)
{
	static const char *const names[] = {
		"t.scn:", "x.inc:", "f.inc:", "../x.inc:", "../f.inc:",
	};
	guint i;

	for (i = 0; i < G_N_ELEMENTS(names); i++)
		if (g_str_has_prefix(line, names[i]))
			return TRUE;
	return FALSE;
}

/* Parse one random scenario; return whether it parsed. */
static gboolean
fuzz_one(GRand *r)
{
	g_autofree char *main_buf = NULL, *x = NULL, *f = NULL;
	g_autoptr(SimScenario) sc = NULL;
	g_autoptr(GError) err = NULL;
	g_auto(GStrv) lines = NULL;
	gsize len, xlen, flen, i;

	main_buf = fuzz_buffer(r, &len);
	x = fuzz_buffer(r, &xlen);
	f = fuzz_buffer(r, &flen);
	/* mem_include stops at the first NUL of an included file */
	const MemFile files[] = {
		{ "x.inc", x }, { "f.inc", f }, { "t.scn", main_buf },
		{ NULL, NULL },
	};

	sc = sim_parse_buffer("t.scn", main_buf, len, mem_include,
	    (gpointer)files, &err);
	ck_assert((sc == NULL) != (err == NULL));
	if (sc == NULL) {
		lines = g_strsplit(err->message, "\n", -1);
		ck_assert_uint_le(g_strv_length(lines), SIM_MAX_ERRORS + 1);
		for (i = 0; lines[i] != NULL; i++)
			ck_assert_msg(fuzz_error_line(lines[i]), "%.200s",
			    lines[i]);
		return FALSE;
	}
	for (i = 0; i < sc->stmts->len; i++) {
		const SimStmt *st = sc->stmts->pdata[i];

		ck_assert_uint_ge(st->line, 1);
		ck_assert_uint_ge(st->col, 1);
		ck_assert_uint_ge(st->verb_col, st->col);
		ck_assert(*st->verb != '\0');
		ck_assert(st->expect == NULL || st->expect->len > 0);
	}
	return TRUE;
}

TU_CASE(test_fuzz, "parse/fuzz")
{
	GRand *r = g_rand_new_with_seed(20251125);
	guint n, ok = 0;

	for (n = 0; n < 10000; n++)
		ok += fuzz_one(r);
	/* the generator is not so hostile that nothing parses */
	ck_assert_uint_gt(ok, 100);
	g_rand_free(r);
}
END_TEST

/* ----------------------------------------------------------------------
 * the suite
 */

TU_TCASE("parse/include", 60, NULL, NULL)
TU_TCASE("parse/limits", 120, NULL, NULL)
TU_TCASE("parse/fuzz", 120, NULL, NULL)


TU_MAIN("parse")
