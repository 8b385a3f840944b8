/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * check_expand.c - loops and parameters of the scenario language
 * (sim/lang/expand.c and the parser's repeat / include KEY=VALUE):
 *
 *	expand/forms	repeat N, repeat N as i, repeat i in A..B step S,
 *			nesting, $i ${i} $(expr) in names, numbers, key=value,
 *			expectations, labels and strings
 *	expand/include	include with parameters, parameters built from a
 *			counter, an include inside a loop
 *	expand/errors	every error with its file:line:col: a loop of
 *			10^12, a counter outside its loop, an unknown name,
 *			a bad expression, a division by zero, nesting
 *	expand/big	more than SIM_MAX_STMTS statements: counted, walked
 *			one at a time, never held
 *	expand/print	the tree printed back parses to the same statements
 */
#include <string.h>

#include "lang/expand.h"
#include "lang/print.h"
#include "lang/scenario.h"
#include "testutil.h"

typedef struct {
	const char	*path;
	const char	*text;
} MemFile;

static gboolean
mem_include(const char *path, char **contents, gsize *len, gpointer ud,
    GError **error)
{
	for (const MemFile *f = ud; f->path != NULL; f++)
		if (strcmp(f->path, path) == 0) {
			*contents = g_strdup(f->text);
			*len = strlen(f->text);
			return TRUE;
		}
	g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_NOENT, "no such file");
	return FALSE;
}

static const MemFile no_files[] = { { NULL, NULL } };

/* The scenario of src (files for includes), or NULL with *msg. */
static SimScenario *
parse(const char *src, const MemFile *files, char **msg)
{
	g_autoptr(GError) err = NULL;
	SimScenario *sc = sim_parse_buffer("t.scn", src, strlen(src),
	    mem_include, (gpointer)files, &err);

	*msg = err != NULL ? g_strdup(err->message) : NULL;
	return sc;
}

/* The expanded statements, one printed a line. */
static char *
flat(const SimScenario *sc)
{
	GString *s = g_string_new(NULL);

	for (guint i = 0; i < sc->stmts->len; i++) {
		const SimStmt *st = sc->stmts->pdata[i];

		ck_assert_uint_eq(st->index, i);
		sim_stmt_print(st, SIM_PRINT_EXPECT, NULL, s);
		g_string_append_c(s, '\n');
	}
	return g_string_free(s, FALSE);
}

static void
assert_expands(const char *src, const MemFile *files, const char *want)
{
	g_autofree char *msg = NULL, *got = NULL;
	g_autoptr(SimScenario) sc = parse(src, files, &msg);

	ck_assert_msg(sc != NULL, "%s\n--> %s", src, msg);
	got = flat(sc);
	ck_assert_msg(strcmp(got, want) == 0, "%s\n--> got\n%swant\n%s", src,
	    got, want);
	ck_assert_uint_eq(sc->expanded, sc->stmts->len);
}

TU_NAMED(t_forms, "expand/forms", "expand", 0)
{
	assert_expands("repeat 3 {\n  cpu 0\n}\n", no_files,
	    "cpu 0\ncpu 0\ncpu 0\n");
	assert_expands("repeat 3 as i {\n  socket s$i udp4\n}\n", no_files,
	    "socket s0 udp4\nsocket s1 udp4\nsocket s2 udp4\n");
	assert_expands("repeat i in 128..512 step 128 {\n"
	    "  expect s group-max = $i\n}\n", no_files,
	    "expect s group-max = 128\nexpect s group-max = 256\n"
	    "expect s group-max = 384\nexpect s group-max = 512\n");
	assert_expands("repeat i in 5..4 {\n  cpu $i\n}\ncpu 9\n", no_files,
	    "cpu 9\n");
	/* nesting, arithmetic, ${}, key=value, labels, strings */
	assert_expands("repeat 2 as g {\n repeat j in 1..2 {\n"
	    "  p${g}x: bind s${g}_$j 127.0.0.1:$(8000+g*10+j) = ok\n"
	    "  send udp 127.0.0.1:$(8000+g) from 127.0.0.1:1 hash=$(j*0x10)"
	    " payload=\"$g-$j\" = s$(g-1+j)\n }\n}\n", no_files,
	    "p0x: bind s0_1 127.0.0.1:8001 = ok\n"
	    "send udp 127.0.0.1:8000 from 127.0.0.1:1 hash=16 payload=\"0-1\""
	    " = s0\n"
	    "p0x: bind s0_2 127.0.0.1:8002 = ok\n"
	    "send udp 127.0.0.1:8000 from 127.0.0.1:1 hash=32 payload=\"0-2\""
	    " = s1\n"
	    "p1x: bind s1_1 127.0.0.1:8011 = ok\n"
	    "send udp 127.0.0.1:8001 from 127.0.0.1:1 hash=16 payload=\"1-1\""
	    " = s1\n"
	    "p1x: bind s1_2 127.0.0.1:8012 = ok\n"
	    "send udp 127.0.0.1:8001 from 127.0.0.1:1 hash=32 payload=\"1-2\""
	    " = s2\n");
	/* a count from an outer counter; precedence, unary minus, % */
	assert_expands("repeat 3 as i {\n  repeat $i as j {\n"
	    "    cpu $(-(i*j)+2*3%4-1)\n  }\n}\n", no_files,
	    "cpu 1\ncpu 1\ncpu -1\n");
	/* a scenario variable is not a counter */
	assert_expands("repeat 2 as i {\n  cookie s$i = $c\n}\n", no_files,
	    "cookie s0 = $c\ncookie s1 = $c\n");
}

TU_NAMED(t_include, "expand/include", "expand", 0)
{
	static const MemFile files[] = {
		{ "member.inc", "socket $name udp4\n"
		    "setsockopt $name reuseport 1\n"
		    "bind $name 127.0.0.1:$port\n" },
		{ "pair.inc", "repeat 2 as k {\n"
		    "  include \"member.inc\" name=${who}_$k port=$(port+k)\n"
		    "}\n" },
		{ NULL, NULL },
	};

	assert_expands("include \"member.inc\" name=a port=8000\n", files,
	    "socket a udp4\nsetsockopt a reuseport 1\n"
	    "bind a 127.0.0.1:8000\n");
	assert_expands("repeat 2 as i {\n"
	    "  include \"pair.inc\" who=g$i port=$(9000+i*100)\n}\n", files,
	    "socket g0_0 udp4\nsetsockopt g0_0 reuseport 1\n"
	    "bind g0_0 127.0.0.1:9000\n"
	    "socket g0_1 udp4\nsetsockopt g0_1 reuseport 1\n"
	    "bind g0_1 127.0.0.1:9001\n"
	    "socket g1_0 udp4\nsetsockopt g1_0 reuseport 1\n"
	    "bind g1_0 127.0.0.1:9100\n"
	    "socket g1_1 udp4\nsetsockopt g1_1 reuseport 1\n"
	    "bind g1_1 127.0.0.1:9101\n");
}

typedef struct {
	const char	*src;
	const char	*want;		/* the first error */
} BadCase;

static const BadCase bad_cases[] = {
	{ "repeat 1000000000000 as i {\n  cpu 0\n}\n",
	  "t.scn:1:8: repeat count 1000000000000 is more than 100000000" },
	{ "repeat 3 as i {\n  socket s$i udp4\n}\nclose s$i\n",
	  "t.scn:4:7: 'i' used outside its loop (t.scn:1:1)" },
	{ "repeat 3 as i {\n  cpu 0\n}\ncookie a = $i\n",
	  "t.scn:4:12: 'i' used outside its loop (t.scn:1:1)" },
	{ "repeat 3 as i {\n  socket s$k udp4\n}\n",
	  "t.scn:2:10: 'k' names no counter or parameter here" },
	{ "repeat 3 as i {\n  cpu $(i+j)\n}\n",
	  "t.scn:2:7: 'j' names no counter or parameter here" },
	{ "repeat 3 as i {\n  cpu $(i+\n}\n",
	  "t.scn:2:7: unbalanced '$(' in '$(i+'" },
	{ "repeat 3 as i {\n  cpu $(10/(i-1))\n}\n",
	  "t.scn:2:7: division by zero in $(10/(i-1))" },
	{ "repeat 2 as i {\n  cpu $(9223372036854775807+i)\n}\n",
	  "t.scn:2:7: overflow in $(9223372036854775807+i)" },
	{ "repeat 3 as i {\n  cpu $(i*)\n}\n",
	  "t.scn:2:7: expected a number or a name at '' in $(i*)" },
	{ "repeat 3 as i {\n  bind s$i a$(i) b\n}\n", NULL },
	{ "repeat 3 as i\n  cpu 0\n}\n",
	  "t.scn:1:1: repeat needs '{' at the end of its line" },
	{ "repeat x {\n}\n",
	  "t.scn:1:8: repeat count: expected a number, got word 'x'" },
	{ "repeat 2 as 1x {\n}\n",
	  "t.scn:1:13: a counter is named [A-Za-z_][A-Za-z0-9_]*" },
	{ "repeat 2 as i {\n repeat 2 as i {\n }\n}\n",
	  "t.scn:2:14: counter 'i' hides another of the same name" },
	{ "repeat i in 1-3 {\n}\n",
	  "t.scn:1:13: expected a range FROM..TO, got '1-3'" },
	{ "repeat i in 0..3 step 0 {\n  cpu 0\n}\n",
	  "t.scn:1:23: step 0 is not positive" },
	{ "repeat 3 as i {\n  cpu 0\n",
	  "t.scn:1:1: unterminated repeat (no '}')" },
	{ "cpu 0\n}\n", "t.scn:2:1: '}' without repeat" },
	{ "repeat 2 {\nthread T\n  cpu 0\nend\n}\n",
	  "t.scn:2:1: thread block inside repeat (opened at t.scn:1:1)" },
	{ "thread T\nrepeat 2 {\n  cpu 0\nend\n}\n",
	  "t.scn:4:1: end of thread 'T' inside repeat (opened at t.scn:2:1)" },
	{ "repeat 20000 as i {\n repeat 10000 {\n  cpu 0\n }\n}\n",
	  "t.scn:3:3: the scenario expands to more than 100000000 "
	  "statements" },
	{ "repeat 2 as i {\n  cpu $(i)=x\n}\n",
	  "t.scn:2:7: '$(i)=x' expands to '0=x', which is not one token "
	  "(invalid key '0')" },
	{ "repeat 2 as i {\n  cpu v=1 $(i)\n}\n", NULL },
	{ "repeat 2 as i {\n  cpu x$(i)=1\n}\n",
	  "t.scn:2:7: invalid key 'x$(i)'" },
	{ "repeat 2 as i {\n  cpu $(i)s\n}\n", NULL },
	{ "repeat 2 as i {\n  cpu $i $(i) \"$i\"\n}\n", NULL },
	{ "repeat 1 as i {\n  bind a b=$(i)=c\n}\n",
	  "t.scn:2:10: 'b=$(i)=c' expands to 'b=0=c', which is not one token "
	  "(unexpected '=' in value of 'b')" },
	{ "include \"x.inc\" 1=2\n",
	  "t.scn:1:17: invalid key '1'" },
	{ "include \"x.inc\" a=1 a=2\n",
	  "t.scn:1:21: duplicate parameter 'a'" },
};

TU_NAMED(t_errors, "expand/errors", "expand", 0)
{
	for (guint i = 0; i < G_N_ELEMENTS(bad_cases); i++) {
		const BadCase *c = &bad_cases[i];
		g_autofree char *msg = NULL;
		g_autoptr(SimScenario) sc = parse(c->src, no_files, &msg);
		g_auto(GStrv) lines = NULL;

		if (c->want == NULL) {
			/* a valid template: the verb decides later */
			ck_assert_msg(sc != NULL, "%s\n--> %s", c->src, msg);
			continue;
		}
		ck_assert_msg(sc == NULL, "parsed: %s", c->src);
		lines = g_strsplit(msg, "\n", -1);
		ck_assert_msg(strcmp(lines[0], c->want) == 0, "%s\n--> got "
		    "'%s'\n    want '%s'", c->src, lines[0], c->want);
	}
}

/* 1,100,000 statements: counted, not held, walked one at a time. */
TU_NAMED(t_big, "expand/big", "expand", 0)
{
	g_autofree char *msg = NULL;
	g_autoptr(SimScenario) sc = parse("cpu 1\nrepeat 1100 as i {\n"
	    "  repeat 1000 as j {\n    cpu $(j%256)\n  }\n}\ncpu 2\n",
	    no_files, &msg);
	g_autoptr(SimExpand) e = NULL;
	g_autoptr(GError) err = NULL;
	const SimStmt *st, *last = NULL;
	guint64 n = 0;

	ck_assert_msg(sc != NULL, "%s", msg);
	ck_assert_uint_eq(sc->expanded, 1100002);
	ck_assert_uint_eq(sc->stmts->len, 0);
	ck_assert(sim_scenario_big(sc));
	e = sim_expand_new(sc->body);
	while ((st = sim_expand_next(e, &err)) != NULL) {
		if (n == 1000)		/* i = 0, j = 999 */
			ck_assert_str_eq(((const SimToken *)
			    st->args->pdata[0])->text, "231");
		/* instances count the walk; the tree's own keep their place */
		if (n > 0 && n < 1100001)
			ck_assert_uint_eq(st->index, n);
		n++;
		last = st;
	}
	ck_assert_ptr_null(err);
	ck_assert_uint_eq(n, 1100002);
	ck_assert_ptr_nonnull(last);
}

/* What sim_tree_print() writes parses to the same statements. */
TU_NAMED(t_print, "expand/print", "expand", 0)
{
	static const MemFile files[] = {
		{ "m.inc", "socket $n udp4\n" },
		{ NULL, NULL },
	};
	const char *src = "repeat 2 as i {\n  repeat k in 1..7 step 3 {\n"
	    "    cpu $(i+k) = ok @6.18 = ok\n  }\n  include \"m.inc\" n=s$i\n}\n"
	    "repeat 1 {\n  cpu 3\n}\n";
	g_autofree char *msg = NULL, *msg2 = NULL, *a = NULL, *b = NULL;
	g_autoptr(SimScenario) sc = parse(src, files, &msg);
	g_autoptr(SimScenario) sc2 = NULL;
	GString *out = g_string_new(NULL);

	ck_assert_msg(sc != NULL, "%s", msg);
	for (guint i = 0; i < sc->body->len; i++)
		sim_tree_print(sc->body->pdata[i], 0, NULL, out);
	ck_assert_str_eq(out->str, src);
	sc2 = parse(out->str, files, &msg2);
	ck_assert_msg(sc2 != NULL, "%s", msg2);
	a = flat(sc);
	b = flat(sc2);
	ck_assert_str_eq(a, b);
	g_string_free(out, TRUE);
}

TU_TCASE("expand", 120, NULL, NULL)

TU_MAIN("expand")
