/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * check_explain.c - tests of reuseport-sim explain in process: the
 * recorder on the executor's step hooks (sim/tools/record.c), the
 * narration (sim/tools/explain.c, explain-why.c, the SPEC.md table
 * spec-rules.c), the DOT pictures (render-dot.c) and the HTML page
 * (render-html.c).
 *
 * The command line, the golden narrations and pictures, the tutorial and
 * the page in a browser are tested by tests/explain.sh, tests/tutorial.sh
 * and tests/html.sh; these cases run the same code under valgrind and the
 * sanitizers, and pin the facts the narration must state.
 */
#include <string.h>

#include <check.h>
#include <glib.h>

#include "backend/model.h"
#include "core/bpfdis.h"
#include "core/exec.h"
#include "core/run.h"
#include "lang/print.h"
#include "tools/explain-why.h"
#include "tools/explain.h"
#include "tools/render-dot.h"
#include "tools/render-html.h"
#include "testutil.h"

static const char udp_pair[] =
    "socket a udp4\n"
    "setsockopt a reuseport 1\n"
    "bind a 127.0.0.1:9100\n"
    "socket b udp4\n"
    "setsockopt b reuseport 1\n"
    "bind b 127.0.0.1:9100\n";

/* What a run of a scenario produced: per step its narration and DOT. */
typedef struct {
	GPtrArray	*text;		/* char * */
	GPtrArray	*dot;		/* char * */
	char		*html;
	gboolean	 passed;
} Out;

static void
out_done(SimRecord *rec, SimExec *x, void *ud)
{
	Out *o = ud;
	SimNames *nm = sim_exec_names(x);
	g_autoptr(GString) page = g_string_new(NULL);
	g_autoptr(GPtrArray) svgs = g_ptr_array_new_with_free_func(g_free);
	guint i;

	for (i = 0; i < rec->steps->len; i++) {
		GString *t = g_string_new(NULL), *d = g_string_new(NULL);

		sim_explain_step(rec, i, nm, t);
		sim_render_dot(rec, i, nm, d);
		g_ptr_array_add(o->text, g_string_free(t, FALSE));
		g_ptr_array_add(o->dot, g_string_free(d, FALSE));
		g_ptr_array_add(svgs, g_strdup_printf("<svg><title>step%u"
		    "</title></svg>\n", i + 1));
	}
	sim_render_html(rec, (char **)svgs->pdata,
	    (char **)o->text->pdata, nm, page);
	o->html = g_strdup(page->str);
}

static void
out_clear(Out *o)
{
	g_ptr_array_unref(o->text);
	g_ptr_array_unref(o->dot);
	g_free(o->html);
}

/* Run src (valid) under profile with a recorder; fill o. */
static void
record_file(const char *file, const char *src, const char *profile, Out *o)
{
	g_autoptr(GError) err = NULL;
	g_autoptr(SimScenario) sc = sim_parse_buffer(file, src, strlen(src),
	    NULL, NULL, &err);
	g_autoptr(GPtrArray) errors = g_ptr_array_new_with_free_func(g_free);
	g_autoptr(SimRecord) rec = NULL;
	SimExecOptions xo = { .ops = &sim_backend_model, .keep_going = TRUE };
	SimReport rep = { 0 };

	ck_assert_msg(sc != NULL, "parse: %s", err != NULL ? err->message : "");
	ck_assert_msg(sim_check_scenario(sc, errors), "check: %s",
	    errors->len > 0 ? (char *)errors->pdata[0] : "");
	memset(o, 0, sizeof(*o));
	o->text = g_ptr_array_new_with_free_func(g_free);
	o->dot = g_ptr_array_new_with_free_func(g_free);
	rec = sim_record_new(sc, profile);
	rec->done = out_done;
	rec->done_ud = o;
	xo.hooks = &rec->hooks;
	sim_run_scenario(sc, profile, &xo, &rep);
	o->passed = rep.passed;
	sim_report_clear(&rep);
	/* every statement is a step, but a schedule, which is followed */
	ck_assert_uint_eq(o->text->len, sc->stmts->len -
	    (strstr(src, "\nschedule ") != NULL ? 1 : 0));
}

static void
record(const char *src, const char *profile, Out *o)
{
	record_file("t.scn", src, profile, o);
}

#define has(hay, needle) \
	ck_assert_msg(strstr((const char *)(hay), (needle)) != NULL, \
	    "'%s' not found in:\n%.1500s", (needle), (const char *)(hay))
#define hasnt(hay, needle) \
	ck_assert_msg(strstr((const char *)(hay), (needle)) == NULL, \
	    "'%s' found in:\n%.1500s", (needle), (const char *)(hay))

/* R-UPD-6g: the EBUSY step names the rule, the checks before it, the
 * slot the socket owns, and changes nothing; in every profile. */
TU_LOOP(explain_ebusy, "explain", TU_EVERY_PROFILE)
{
	g_autofree char *src = g_strconcat(udp_pair,
	    "map m sockarray value=8 entries=4\n"
	    "update m 3 b\n"
	    "update m 3 b = -EBUSY\n"
	    "update m 0 b = -EBUSY\n", NULL);
	const char *t;
	Out o;

	record(src, rp_profile_name(tu_prof(_i)), &o);
	ck_assert(o.passed);
	t = o.text->pdata[8];
	has(t, "step 9, line 9: update m 3 b = -EBUSY\n");
	has(t, "  result: -EBUSY, as expected\n");
	has(t, "    R-UPD-6g socket must not be owned already: -EBUSY\n");
	has(t, "      models: reuseport_array_update_check() "
	    "(kernel/bpf/reuseport_array.c)\n");
	has(t, "      after (docs/SPEC.md order): R-UPD-0a R-UPD-0b R-UPD-1 "
	    "R-UPD-2 R-UPD-3a R-UPD-4 R-UPD-6a R-UPD-6b R-UPD-6c R-UPD-6d "
	    "R-UPD-6e R-UPD-6f (these passed)\n");
	has(t, "      held when reported: no lock\n");
	has(t, "why: socket b already owns map m slot 3;");
	has(t, "  changes: none\n");
	has(o.text->pdata[9], "why: socket b already owns map m slot 3;");
	/* the picture marks what the check looked at: b, its owner word,
	 * m and slot 3; nothing is highlighted as changed */
	t = o.dot->pdata[8];
	has(t, "\\lpurple: what the check that returned the error looked "
	    "at\\l\"];");
	has(t, "s2 [shape=box, style=\"rounded,filled\", fillcolor=\"#ead7f7\", "
	    "color=\"#7b3fa0\", penwidth=2,");
	has(t, "<td port=\"k3\" bgcolor=\"#ead7f7\" color=\"#7b3fa0\">3</td>");
	has(t, "s2 -> m1:k3:e [style=dashed, constraint=false, "
	    "color=\"#7b3fa0\", label=\"owner\"");
	hasnt(t, "#ffd966");
	hasnt(o.dot->pdata[7], "purple");
	/* the successful insert before it: locks in order, then the change */
	t = o.text->pdata[7];
	has(t, "  locks taken, in order: reuseport_lock, b's "
	    "sk_callback_lock\n");
	has(t, "      held when reported: reuseport_lock, b's "
	    "sk_callback_lock\n");
	has(t, "    b's owner word (sk_user_data) now names m slot 3\n"
	    "    m slot 3 now holds b\n");
	out_clear(&o);
}
END_TEST

/* R-LKP-3a: ENOSPC is explained by the value size; R-LKP-3d by the
 * occupant, whose cookie is generated by the lookup. */
TU_LOOP(explain_lookup, "explain", TU_EVERY_PROFILE)
{
	g_autofree char *src = g_strconcat(udp_pair,
	    "map small sockarray value=4 entries=2\n"
	    "update small 0 a\n"
	    "lookup small 0 = -ENOSPC\n"
	    "map big sockarray value=8 entries=2\n"
	    "update big 1 b\n"
	    "lookup big 1 = cookie(b)\n", NULL);
	Out o;

	record(src, rp_profile_name(tu_prof(_i)), &o);
	ck_assert(o.passed);
	has(o.text->pdata[8], "why: small stores 4-byte values, so a lookup "
	    "cannot return the 8-byte cookie: -ENOSPC, whatever slot 0 "
	    "holds.\n");
	has(o.text->pdata[11], "why: big slot 1 holds b, and the lookup "
	    "returns its cookie");
	has(o.text->pdata[11], "    b's cookie is generated: c(b)\n");
	/* from then on the picture shows it */
	has(o.dot->pdata[11], "<br/>cookie c(b)");
	hasnt(o.dot->pdata[10], "cookie c(b)");
	out_clear(&o);
}
END_TEST

/* A failing expectation is narrated as such, and the run goes on. */
TU_CASE(explain_failure, "explain")
{
	Out o;

	record("map m sockarray value=8 entries=2\n"
	    "lookup m 0 = 0\n"
	    "lookup m 1 = -ENOENT\n", "6.18", &o);
	ck_assert(!o.passed);
	has(o.text->pdata[1], "  result: -ENOENT, NOT as expected\n");
	has(o.text->pdata[1], "  FAILED: t.scn:2:");
	has(o.text->pdata[2], "  result: -ENOENT, as expected\n");
	out_clear(&o);
}
END_TEST

/* Swap with last: after close a, c is socks[0]; the cell and the arrow
 * are highlighted, a is drawn once more as freed, slot 0 is emptied. */
/*
 * A scenario with a `schedule` (a counterexample of explore) is recorded
 * through the same hooks: each step narrates its own statement.  Here T1
 * takes reuseport_lock, then T2's lock-free lookup runs whole before T1
 * goes on: the lookup's step shows no reuseport_lock (T1's events are
 * held for T1's step), and T1's step shows it.
 */
TU_CASE(explain_schedule, "explain")
{
	Out o;

	record("profile 6.18\n"
	    "socket a udp4\n"
	    "setsockopt a reuseport 1\n"
	    "bind a 127.0.0.1:9100\n"
	    "map m sockarray value=8 entries=4\n"
	    "thread T1\n"
	    "  update m 0 a\n"
	    "end\n"
	    "thread T2\n"
	    "  lookup m 3 = -ENOENT\n"
	    "end\n"
	    "schedule T1 T1 T2 T2 T2\n", "6.18", &o);
	ck_assert(o.passed);
	has(o.text->pdata[4], "step 5, line 10: lookup m 3 = -ENOENT");
	has(o.text->pdata[4], "locks taken, in order: rcu_read_lock\n");
	hasnt(o.text->pdata[4], "reuseport_lock");
	has(o.text->pdata[5], "step 6, line 7: update m 0 a");
	has(o.text->pdata[5], "locks taken, in order: reuseport_lock, a's "
	    "sk_callback_lock");
	has(o.text->pdata[5], "m slot 0 now holds a");
	has(o.dot->pdata[5], "digraph");
	out_clear(&o);
}
END_TEST

TU_LOOP(dot_swap_with_last, "explain", TU_EVERY_PROFILE)
{
	Out o;
	const char *d;

	record("socket a tcp4\nsetsockopt a reuseport 1\n"
	    "bind a 127.0.0.1:9101\nlisten a\n"
	    "socket b tcp4\nsetsockopt b reuseport 1\n"
	    "bind b 127.0.0.1:9101\nlisten b\n"
	    "socket c tcp4\nsetsockopt c reuseport 1\n"
	    "bind c 127.0.0.1:9101\nlisten c\n"
	    "map m sockarray value=8 entries=4\n"
	    "update m 0 a\nupdate m 2 c\n"
	    "close a\n", rp_profile_name(tu_prof(_i)), &o);
	ck_assert(o.passed);
	d = o.dot->pdata[15];
	has(d, "digraph \"step16\" {\n");
	has(d, "label=\"step 16, line 16: close a  ->  0 [");
	has(d, "<td port=\"p0\" bgcolor=\"#ffd966\" color=\"#c0392b\">"
	    "socks[0]</td>");
	has(d, "<td port=\"p1\">socks[1]</td>");
	hasnt(d, "port=\"p2\"");
	has(d, "s3 -> g1:p0:w [dir=back, color=\"#c0392b\", penwidth=2.5];");
	has(d, "s2 -> g1:p1:w [dir=back, penwidth=1];");
	has(d, "<b>a</b><br/>(freed)>");
	has(d, "<td port=\"k0\" bgcolor=\"#ffd966\" color=\"#c0392b\">"
	    "<font color=\"#999999\">0  empty</font></td>");
	has(d, "m1:k2:e -> s3 [penwidth=1];");
	has(d, "s3 -> m1:k2:e [style=dashed, constraint=false, "
	    "color=\"#b35900\", label=\"owner\", penwidth=1];");
	/* nothing changed in a step that only looks */
	out_clear(&o);
}
END_TEST

/* A freed map is drawn once more with the slots it emptied; its sockets
 * live on without owner arrows. */
TU_CASE(dot_map_freed, "explain")
{
	g_autofree char *src = g_strconcat(udp_pair,
	    "map m sockarray value=8 entries=2\n"
	    "update m 0 a\nupdate m 1 b\n"
	    "close m\nsettle\n", NULL);
	Out o;
	const char *d;

	record(src, "6.18", &o);
	ck_assert(o.passed);
	/* the close takes the map's id away: it is drawn freed there, its
	 * slots as they were (R-FREE-5) */
	d = o.dot->pdata[9];
	has(d, "<b>map m (freed)</b>");
	has(d, ">0  held a</td>");
	has(d, ">1  held b</td>");
	/* settle runs the free: no owner word is left */
	d = o.dot->pdata[10];
	hasnt(d, "label=\"owner\"");
	has(d, "<b>a</b><br/>udp, bound>");
	has(o.text->pdata[10], "    R-FREE-2 free empties every slot and leaves "
	    "sockets alone: ok\n");
	out_clear(&o);
}
END_TEST

/* The handover: an outer slot's arrow to its inner map, process names on
 * sockets, and the switch highlighted. */
TU_CASE(dot_outer_map, "explain")
{
	Out o;
	const char *d;

	record("proc old caps=all\n"
	    "old: socket o1 udp4\nold: setsockopt o1 reuseport 1\n"
	    "old: bind o1 127.0.0.1:9102\n"
	    "old: map a1 sockarray value=8 entries=2\n"
	    "old: map a2 sockarray value=8 entries=2\n"
	    "old: map outer array_of_maps entries=1 inner=a1\n"
	    "old: update outer 0 a1\n"
	    "old: update outer 0 a2\n", "6.18", &o);
	ck_assert(o.passed);
	d = o.dot->pdata[8];
	has(d, "<b>outer map outer<br/>array_of_maps, value 4</b>");
	/* to the inner map's head cell, not its centre (a slot row) */
	has(d, "<tr><td port=\"t\" bgcolor=");
	has(d, "m3:k0:e -> m2:t:w [color=\"#7f6000\", color=\"#c0392b\", "
	    "penwidth=2.5];");
	hasnt(d, "-> m1");
	has(d, "<b>o1</b> <font point-size=\"9\">[old]</font>");
	has(o.text->pdata[8], "why: outer slot 0 now holds map a2 (it held map "
	    "a1);");
	out_clear(&o);
}
END_TEST

/* The page: every step a clickable line and a frame, only the first
 * shown, the script inline, nothing from elsewhere. */
TU_CASE(html_page, "explain")
{
	g_autofree char *src = g_strconcat(udp_pair,
	    "map m sockarray value=8 entries=2\n"
	    "update m 0 a\n", NULL);
	Out o;

	record(src, "6.18", &o);
	has(o.html, "<!DOCTYPE html>");
	has(o.html, "<li class=\"src step\" data-step=\"8\" "
	    "data-line=\"t.scn:8\">");
	has(o.html, "<div class=\"frame\" id=\"f1\" data-title=\"socket a "
	    "udp4 -&gt; 0\">\n<svg><title>step1</title></svg>");
	has(o.html, "<div class=\"frame\" id=\"f8\" data-title=\"update m 0 a "
	    "-&gt; 0\" hidden>");
	has(o.html, "<pre class=\"why\">step 8, line 8: update m 0 a\n");
	/* no picture draws a node here: the page opens on step 1 */
	has(o.html, "<section id=\"view\" data-start=\"1\">");
	has(o.html, "<script>\n(function () {");
	hasnt(o.html, "http");
	hasnt(o.html, "<script src");
	out_clear(&o);
}
END_TEST

/* The SPEC.md table is complete enough and every narration names a rule
 * of it; statement texts round-trip. */
TU_CASE(tables, "explain")
{
	const SimSpecRule *r = sim_spec_rule("R-UPD-6g");
	const SimWhy *w;
	gsize n, i;

	ck_assert_uint_gt(sim_spec_n_rules, 100);
	ck_assert_ptr_nonnull(r);
	ck_assert_str_eq(r->title, "socket must not be owned already");
	has(r->models, "reuseport_array_update_check()");
	ck_assert_ptr_null(sim_spec_rule("X-NOPE-1"));
	w = sim_why_table(&n);
	ck_assert_uint_gt(n, 100);
	for (i = 0; i < n; i++) {
		ck_assert_msg(sim_spec_rule(w[i].id) != NULL, "%s", w[i].id);
		ck_assert_msg(w[i].ok != NULL || w[i].fail != NULL, "%s",
		    w[i].id);
	}
}
END_TEST

TU_CASE(stmt_text, "explain")
{
	static const char src[] = "proc old\n"
	    "old: update m 0 a = -EBUSY @4.19 = 0\n";
	g_autoptr(GError) err = NULL;
	g_autoptr(SimScenario) sc = sim_parse_buffer("t.scn", src,
	    strlen(src), NULL, NULL, &err);
	g_autofree char *t = NULL;

	ck_assert_ptr_nonnull(sc);
	t = sim_stmt_text(sc->stmts->pdata[1], SIM_PRINT_EXPECT);
	ck_assert_str_eq(t, "old: update m 0 a = -EBUSY @4.19 = 0");
}
END_TEST

/* dot -Tsvg, when Graphviz is there: the <svg> element without the
 * prolog and the generator comments; a bad graph is an error. */
TU_CASE(svg, "explain")
{
	g_autoptr(GError) err = NULL;
	g_autofree char *s = NULL, *bad = NULL;

	if (!sim_have_dot())
		return;
	s = sim_render_svg("digraph \"step1\" { a -> b }\n", &err);
	ck_assert_msg(s != NULL, "%s", err != NULL ? err->message : "");
	ck_assert(g_str_has_prefix(s, "<svg"));
	hasnt(s, "<!--");
	hasnt(s, "<?xml");
	has(s, "<title>step1</title>");
	bad = sim_render_svg("digraph { a -> }\n", &err);
	ck_assert_ptr_null(bad);
	ck_assert_ptr_nonnull(err);
}
END_TEST

/* ---------------------------------------------------------------------
 * The programs a step ran (explain-prog.c)
 */

#ifdef HAVE_KERNEL_BACKEND
/* R-EBPF-20: a compiled object (object=): the path it took, the
 * registers at each helper call and the result, the slots it read, the
 * verdict and the member chosen; then the same program on an empty slot. */
TU_CASE(explain_prog_object, "explain")
{
	const char *top = g_getenv("top_srcdir");
	g_autofree char *file = g_build_filename(top != NULL ? top : "..",
	    "scenarios", "programs", "t.scn", NULL);
	g_autofree char *src = g_strconcat(udp_pair,
	    "prog p object=select.bpf.o program=select_worker\n"
	    "update p.socks 0 a\n"
	    "update p.socks 1 b\n"
	    "attach a prog p\n"
	    "send udp 127.0.0.1:9100 from 127.0.0.1:6200 payload=\"\\x01\" = b\n"
	    "delete p.socks 1\n"
	    "send udp 127.0.0.1:9100 from 127.0.0.1:6200 payload=\"\\x03\" = member(a)\n", NULL);
	const char *t;
	Out o;

	record_file(file, src, "6.18", &o);
	ck_assert(o.passed);
	t = o.text->pdata[10];
	has(t, "  program p ran: SK_REUSEPORT, 52 instructions, not verified");
	has(t, "    path, 40 instructions executed:\n");
	/* the path: the helper calls, the subprogram and back, the branch */
	has(t, "\n          8: call bpf_map_lookup_elem#1\n");
	has(t, "\n         17: call bpf_skb_load_bytes#26\n"
	    "             r1=ctx r2=8 r3=fp-9 r4=1 r5=? -> r0=0\n"
	    "         18: if r0 != 0 goto 39\n"
	    "         19: r1 = *(u8 *)(r10 -9)\n"
	    "         20: call 41\n"
	    "         41: r0 = r1\n"
	    "         42: r1 = map_value[p.rodata]+0 ll\n"
	    "         44: r1 = *(u32 *)(r1 +0)\n");
	has(t, "\n         51: exit\n         21: ");
	has(t, "\n         25: r2 = map[p.socks] ll\n         27: r4 = 0\n");
	/* registers at the call, its result, the slot it read */
	has(t, "\n         28: call bpf_sk_select_reuseport#82\n"
	    "             r1=ctx r2=map p.socks r3=fp-16 r4=0 r5=? -> r0=0\n"
	    "             read p.socks[1] = socket b\n"
	    "         29: if r0 == 0 goto 39\n"
	    "         39: r0 = 1\n"
	    "         40: exit\n");
	has(t, "             r1=map p.runs r2=fp-8 r3=? r4=? r5=? -> r0=value "
	    "of p.runs+0\n             read p.runs[0] = 0\n");
	has(t, "    verdict: SK_PASS (r0 = 1)\n"
	    "    selected by the program: b\n"
	    "    socket chosen: b (the program's selection)\n");
	hasnt(t, "         30: ");
	/* the slot is empty: -ENOENT, the count of failures, the hash */
	t = o.text->pdata[12];
	has(t, "             r1=ctx r2=map p.socks r3=fp-16 r4=0 r5=? -> "
	    "r0=-2 (-ENOENT)\n             read p.socks[1]: -ENOENT\n"
	    "         29: if r0 == 0 goto 39\n");
	has(t, "             read p.runs[1] = 0\n");
	has(t, "             read p.runs[0] = 1\n");
	has(t, "    selected by the program: none (no bpf_sk_select_reuseport() "
	    "succeeded)\n    socket chosen: ");
	has(t, " (by the hash: the program selected none)\n");
	out_clear(&o);
}
END_TEST
#endif /* HAVE_KERNEL_BACKEND */

/* R-CBPF-8: classic instructions (code=): the path taken, what it
 * returned, the member; no program in a step that ran none. */
TU_CASE(explain_prog_cbpf, "explain")
{
	g_autofree char *src = g_strconcat(udp_pair,
	    "attach a cbpf code=\"ld [0]; jeq #7, seven; mod #2; ret a; "
	    "seven: ret #1\"\n"
	    "send udp 127.0.0.1:9100 from 127.0.0.1:6200 payload=\"\\x00\\x00\\x00\\x07\" = b\n"
	    "send udp 127.0.0.1:9100 from 127.0.0.1:6200 payload=\"\\x00\\x00\\x00\\x04\" = a\n"
	    "send udp 127.0.0.1:9100 from 127.0.0.1:6200 payload=\"\\x00\" = a\n", NULL);
	const char *t;
	Out o;

	record(src, "6.18", &o);
	ck_assert(o.passed);
	hasnt(o.text->pdata[6], "  program ");
	t = o.text->pdata[7];
	has(t, "  program cbpf#1 ran: classic BPF, 5 instructions, not "
	    "verified");
	has(t, "    path, 3 instructions executed:\n"
	    "          0: ld [0]\n"
	    "          1: jeq #7, L4, L2\n"
	    "          4: ret #1\n"
	    "    returned: 1 (an index into socks[]; A = 7, X = 0)\n"
	    "    socket chosen: b (socks[1])\n");
	t = o.text->pdata[8];
	has(t, "          1: jeq #7, L4, L2\n"
	    "          2: mod #2\n"
	    "          3: ret a\n"
	    "    returned: 0 (an index into socks[]; A = 0, X = 0)\n"
	    "    socket chosen: a (socks[0])\n");
	/* a word load past the one-byte payload returns 0 */
	t = o.text->pdata[9];
	has(t, "    path, 1 instructions executed:\n          0: ld [0]\n"
	    "    returned: 0 (an index into socks[]; A = 0, X = 0; a load "
	    "outside the packet returns 0)\n");
	out_clear(&o);
}
END_TEST

/* The shorthand the model runs as a policy: said so, with its verdict
 * (or its index) and the member. */
TU_CASE(explain_prog_policy, "explain")
{
	g_autofree char *src = g_strconcat(udp_pair,
	    "map m sockarray value=8 entries=2\n"
	    "update m 0 b\n"
	    "prog p type=sk_reuseport map=m key=const:0\n"
	    "attach a prog p\n"
	    "send udp 127.0.0.1:9100 from 127.0.0.1:6200 = b\n"
	    "attach a cbpf k=0\n"
	    "send udp 127.0.0.1:9100 from 127.0.0.1:6200 = a\n", NULL);
	Out o;

	record(src, "6.18", &o);
	ck_assert(o.passed);
	has(o.text->pdata[10], "  program p ran: a policy (the model "
	    "decides without instructions)\n    verdict: SK_PASS\n"
	    "    socket chosen: b (the program's selection)\n");
	has(o.text->pdata[12], " ran: a policy (the model decides without "
	    "instructions)\n    returned: an index into socks[]\n"
	    "    socket chosen: a (the index the program returned)\n");
	out_clear(&o);
}
END_TEST

/* A loop and a long straight run are shortened, and no helper call is
 * hidden: a hand-made run of "r0 = 0; loop: r0 += 1; call; if r0 < 50
 * goto loop; 20 x r1 += 1; exit". */
TU_CASE(explain_prog_shorten, "explain")
{
	struct rp_insn p[26] = {
		{ .code = 0xb7 }, { .code = 0x07, .imm = 1 },
		{ .code = 0x85, .imm = 7 },
		{ .code = 0xa5, .imm = 50, .off = -3 },
	};
	SimStepRec s = { 0 };
	SimBpfRun *r = g_new0(SimBpfRun, 1);
	g_autoptr(GString) t = g_string_new(NULL);
	g_autoptr(SimNames) nm = sim_names_new();
	g_autoptr(GPtrArray) rows = NULL;
	guint i;

	for (i = 4; i < 24; i++)
		p[i] = (struct rp_insn){ .code = 0x07, .dst_reg = 1, .imm = 1 };
	p[24] = (struct rp_insn){ .code = 0x95 };
	r->prog = 9;
	r->prog_type = RP_PROG_SK_REUSEPORT;
	r->len = 25;
	r->insns = g_bytes_new(p, sizeof(p));
	r->path = g_array_new(FALSE, FALSE, sizeof(SimBpfSpan));
	r->calls = g_ptr_array_new();
	g_array_append_val(r->path, ((SimBpfSpan){ 0, 3 }));
	for (i = 1; i < 50; i++)
		g_array_append_val(r->path, ((SimBpfSpan){ 1, 3 }));
	g_array_append_val(r->path, ((SimBpfSpan){ 4, 24 }));
	r->exited = TRUE;
	r->ret = RP_SK_PASS;
	r->executed = 1 + 50 * 3 + 21;
	s.progs = g_ptr_array_new();
	g_ptr_array_add(s.progs, r);
	sim_explain_progs(&s, nm, t);
	has(t->str, "    path, 172 instructions executed:\n"
	    "          0: r0 = 0\n"
	    "          1: r0 += 1\n"
	    "          2: call bpf_get_prandom_u32#7\n"
	    "          3: if r0 < 0x32 goto 1\n"
	    "          1: r0 += 1\n"
	    "          2: call bpf_get_prandom_u32#7\n"
	    "          3: if r0 < 0x32 goto 1\n"
	    "             ... instructions 1-3 again, 48 more times (144 "
	    "instructions, 48 helper calls not shown)\n"
	    "          4: r1 += 1\n");
	has(t->str, "          9: r1 += 1\n"
	    "             ... 11 more instructions\n"
	    "         21: r1 += 1\n");
	has(t->str, "\n          4: r1 += 1\n          5: r1 += 1\n");
	has(t->str, "         24: exit\n    verdict: SK_PASS (r0 = 1)\n");
	/* the page steps through every one of them */
	rows = sim_explain_prog_rows(&s, nm);
	ck_assert_uint_eq(rows->len, 172);
	ck_assert_uint_eq(((SimProgRow *)rows->pdata[171])->pc, 24);
	g_bytes_unref(r->insns);
	g_array_unref(r->path);
	g_ptr_array_unref(r->calls);
	g_free(r);
	g_ptr_array_unref(s.progs);
}
END_TEST

/* The eBPF disassembler: each row of its table. */
static const struct {
	struct rp_insn	in[2];
	const char	*text;
} dis_cases[] = {
	{ { { .code = 0x0f, .dst_reg = 1, .src_reg = 2 } }, "r1 += r2" },
	{ { { .code = 0x14, .dst_reg = 3, .imm = 4 } }, "w3 -= 4" },
	{ { { .code = 0x3f, .dst_reg = 1, .src_reg = 2, .off = 1 } },
	    "r1 s/= r2" },
	{ { { .code = 0xc7, .dst_reg = 1, .imm = 3 } }, "r1 s>>= 3" },
	{ { { .code = 0x87, .dst_reg = 4 } }, "r4 = -r4" },
	{ { { .code = 0xbf, .dst_reg = 1, .src_reg = 2, .off = 8 } },
	    "r1 = (s8)r2" },
	{ { { .code = 0xdc, .dst_reg = 1, .imm = 16 } }, "r1 = be16 r1" },
	{ { { .code = 0xd4, .dst_reg = 1, .imm = 32 } }, "r1 = le32 r1" },
	{ { { .code = 0x05, .off = 2 } }, "goto 3" },
	{ { { .code = 0x1d, .dst_reg = 1, .src_reg = 2, .off = -1 } },
	    "if r1 == r2 goto 0" },
	{ { { .code = 0xd6, .dst_reg = 1, .imm = -1, .off = 1 } },
	    "if w1 s<= 0xffffffff goto 2" },
	{ { { .code = 0x45, .dst_reg = 1, .imm = 4 } }, "if r1 & 0x4 goto 1" },
	{ { { .code = 0x85, .imm = 82 } },
	    "call bpf_sk_select_reuseport#82" },
	{ { { .code = 0x85, .src_reg = 1, .imm = 5 } }, "call 6" },
	{ { { .code = 0x95 } }, "exit" },
	{ { { .code = 0x18, .dst_reg = 2, .imm = 1 }, { .imm = 2 } },
	    "r2 = 0x200000001 ll" },
	{ { { .code = 0x18, .dst_reg = 1, .src_reg = 1, .imm = 5 }, { 0 } },
	    "r1 = map[fd 5] ll" },
	{ { { .code = 0x61, .dst_reg = 0, .src_reg = 1, .off = 16 } },
	    "r0 = *(u32 *)(r1 +16)" },
	{ { { .code = 0x91, .dst_reg = 0, .src_reg = 1, .off = -2 } },
	    "r0 = *(s8 *)(r1 -2)" },
	{ { { .code = 0x7a, .dst_reg = 10, .off = -8, .imm = 7 } },
	    "*(u64 *)(r10 -8) = 7" },
	{ { { .code = 0x6b, .dst_reg = 10, .src_reg = 3, .off = -2 } },
	    "*(u16 *)(r10 -2) = r3" },
	{ { { .code = 0xdb, .dst_reg = 1, .src_reg = 2, .imm = 0x00 } },
	    "lock *(u64 *)(r1 +0) += r2" },
	{ { { .code = 0xc3, .dst_reg = 1, .src_reg = 2, .imm = 0x51 } },
	    "r2 = atomic_fetch_and((u32 *)(r1 +0), r2)" },
	{ { { .code = 0xdb, .dst_reg = 1, .src_reg = 2, .imm = 0xe1 } },
	    "r2 = xchg((u64 *)(r1 +0), r2)" },
	{ { { .code = 0xdb, .dst_reg = 1, .src_reg = 2, .imm = 0xf1 } },
	    "r0 = cmpxchg((u64 *)(r1 +0), r0, r2)" },
	{ { { .code = 0x30, .imm = 12 } }, "r0 = *(u8 *)skb[12]" },
	{ { { .code = 0x48, .src_reg = 3, .imm = 2 } },
	    "r0 = *(u16 *)skb[r3 + 2]" },
	{ { { .code = 0xff, .dst_reg = 1 } },
	    ".insn 0xff dst r1 src r0 off 0 imm 0" },
};

TU_LOOP(disasm, "explain", G_N_ELEMENTS(dis_cases))
{
	g_autoptr(GString) t = g_string_new(NULL);

	sim_bpf_disasm(dis_cases[_i].in, 2, 0, NULL, t);
	ck_assert_str_eq(t->str, dis_cases[_i].text);
	g_string_truncate(t, 0);
	if (dis_cases[_i].in[0].code == 0x18 &&
	    dis_cases[_i].in[0].src_reg == 1) {
		sim_bpf_disasm(dis_cases[_i].in, 2, 1, NULL, t);
		ck_assert_str_eq(t->str, "(ld_imm64 upper half)");
		g_string_truncate(t, 0);
		sim_bpf_disasm(dis_cases[_i].in, 2, 0, "m", t);
		has(t->str, "[m]");
	}
}
END_TEST

TU_TCASE("explain", 60, NULL, NULL)


TU_MAIN("explain")
