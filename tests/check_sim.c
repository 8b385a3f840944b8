/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * check_sim.c - tests of the scenario executor (sim/core/: exec.c,
 * verbs.c, expect.c, trace.c ...), the model backend
 * (sim/backend/model.c) and the reuseport-sim command (sim/cli/).
 *
 * Most cases run small scenarios given as strings through the check pass
 * (sim_check_scenario()) and the run (sim_run_scenario()) in process, and
 * compare the exact messages.  Files under tests/sim-data/ (found through
 * $top_srcdir or $srcdir) exercise sim_run_paths(): directories, output
 * formats, exit statuses, and the rule that a broken file stops
 * everything before anything runs.  The golden traces of
 * scenarios/golden/ are compared with the trace of a fresh run.
 *
 * Two planted-fault backends prove that the result contracts fire: one
 * returns a wrong cookie from lookups (I14), one reports deliveries to the
 * wrong socket (I16).  The command-line cases spawn $SIM (the built
 * reuseport-sim) and are skipped without it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include <check.h>
#include <glib.h>
#include <glib/gstdio.h>

#include "backend/model.h"
#include "cli/cmd-run.h"
#include "cli/json.h"
#include "core/error.h"
#include "core/exec.h"
#include "core/profiles.h"
#include "core/run.h"
#include "core/verbs.h"
#include "testutil.h"

/* ----------------------------------------------------------------------
 * helpers
 */

static SimScenario *
parse(const char *src)
{
	g_autoptr(GError) err = NULL;
	SimScenario *sc = sim_parse_buffer("t.scn", src, strlen(src), NULL,
	    NULL, &err);

	ck_assert_msg(sc != NULL, "parse: %s", err != NULL ? err->message : "");
	return sc;
}

/* The check-pass errors of src, joined by '\n' ("" when none). */
static char *
check_errors(const char *src)
{
	g_autoptr(SimScenario) sc = parse(src);
	g_autoptr(GPtrArray) errors = g_ptr_array_new_with_free_func(g_free);
	gboolean ok = sim_check_scenario(sc, errors);

	ck_assert(ok == (errors->len == 0));
	g_ptr_array_add(errors, NULL);
	return g_strjoinv("\n", (char **)errors->pdata);
}

/* Check src (which must be valid) and run it under profile; the messages
 * joined by '\n' go to *msgs, the trace to *trace when asked for. */
static gboolean
run_with(const char *src, const char *profile, const SimBackendOps *ops,
    SimTraceLevel level, gboolean keep_going, char **msgs, char **trace)
{
	g_autoptr(SimScenario) sc = parse(src);
	g_autofree char *errs = check_errors(src);
	SimExecOptions o = { 0 };
	SimReport rep = { 0 };
	gboolean passed;

	ck_assert_msg(*errs == '\0', "check: %s", errs);
	o.ops = ops != NULL ? ops : &sim_backend_model;
	o.trace = level;
	o.keep_going = keep_going;
	sim_run_scenario(sc, profile, &o, &rep);
	passed = rep.passed;
	if (msgs != NULL) {
		g_ptr_array_add(rep.messages, NULL);
		*msgs = g_strjoinv("\n", (char **)rep.messages->pdata);
		g_ptr_array_set_size(rep.messages, rep.messages->len - 1);
	}
	if (trace != NULL)
		*trace = rep.trace != NULL ? g_strdup(rep.trace->str) : NULL;
	sim_report_clear(&rep);
	return passed;
}

static gboolean
run(const char *src, const char *profile, char **msgs)
{
	return run_with(src, profile, NULL, SIM_TRACE_OFF, FALSE, msgs, NULL);
}

/* Assert src passes under every profile. */
static void
assert_passes(const char *src)
{
	const struct rp_profile *p;
	gsize i;

	for (i = 0; (p = rp_profile_nth(i)) != NULL; i++) {
		g_autofree char *msgs = NULL;

		ck_assert_msg(run(src, rp_profile_name(p), &msgs),
		    "[%s] %s", rp_profile_name(p), msgs);
	}
}

/* The directory tests/NAME of the source tree. */
static char *
src_dir(const char *name)
{
	const char *envs[] = { "top_srcdir", "srcdir" };
	const char *subs[] = { "tests", "." };
	g_autofree char *rel = g_build_filename("tests", name, NULL);
	gsize i, j;

	for (i = 0; i < G_N_ELEMENTS(envs); i++) {
		const char *d = g_getenv(envs[i]);

		for (j = 0; d != NULL && j < G_N_ELEMENTS(subs); j++) {
			char *p = g_build_filename(d, subs[j], name, NULL);

			if (g_file_test(p, G_FILE_TEST_IS_DIR))
				return p;
			g_free(p);
		}
	}
	if (g_file_test(rel, G_FILE_TEST_IS_DIR))
		return g_steal_pointer(&rel);
	if (g_file_test(name, G_FILE_TEST_IS_DIR))
		return g_strdup(name);
	ck_abort_msg("tests/%s not found: set top_srcdir", name);
	return NULL;
}

/* The result of sim_run_paths() on paths: status, stdout and stderr. */
static TuRun
run_paths(SimRunOptions o, char *const *paths, gsize n)
{
	TuRun pr = { 0 };
	size_t olen = 0, elen = 0;

	o.out = open_memstream(&pr.out, &olen);
	o.err = open_memstream(&pr.err, &elen);
	ck_assert(o.out != NULL && o.err != NULL);
	pr.status = sim_run_paths(&o, paths, n);
	fclose(o.out);
	fclose(o.err);
	return pr;
}

/* The two sockets of a UDP group, for the scenarios below. */
#define PAIR TU_UDP4_PAIR

/* ----------------------------------------------------------------------
 * sim/check: every error class, with its exact position
 */

/* A counted send from socket a's port, repeat= to follow. */
#define CSEND	"socket a udp4\nsend udp 127.0.0.1:a from 127.0.0.1:1 repeat="

static const struct {
	const char	*src;
	const char	*want;
} check_cases[] = {
	/* unknown verb, with and without a suggestion */
	{ "updat m 0 a\n",
	    "t.scn:1:1: unknown verb 'updat', did you mean 'update'?" },
	{ "frobnicate x\n",
	    "t.scn:1:1: unknown verb 'frobnicate' (reuseport-sim list-verbs "
	    "lists them)" },
	/* names: before definition, suggestion, duplicate, reserved */
	{ "bind a 127.0.0.1:0\n",
	    "t.scn:1:6: unknown name 'a' (expected a socket, map or program "
	    "defined before use)" },
	{ "socket sa udp4\nbind sb 127.0.0.1:0\n",
	    "t.scn:2:6: unknown name 'sb' (expected a socket, map or program),"
	    " did you mean 'sa'?" },
	{ "socket a udp4\nsocket a tcp4\n",
	    "t.scn:2:8: 'a' is already defined at t.scn:1:8" },
	{ "socket empty udp4\n",
	    "t.scn:1:8: 'empty' is a reserved word and cannot name a socket" },
	{ "proc init\n", "t.scn:1:6: 'init' is predefined" },
	{ "p: socket a udp4\n",
	    "t.scn:1:1: unknown name 'p' (expected a process defined before "
	    "use)" },
	{ "socket a udp4\nexpect a slot 0 = empty\n",
	    "t.scn:2:8: 'a' is a socket, expected a map" },
	/* argument counts and keys */
	{ "bind\n", "t.scn:1:1: too few arguments for 'bind' (usage: bind S "
	    "ADDR:PORT)" },
	{ "socket a udp4 extra\n", "t.scn:1:15: too many arguments for "
	    "'socket' (usage: socket NAME KIND [proto=P])" },
	{ "map m sockarray valu=8\n",
	    "t.scn:1:17: unknown key 'valu' for 'map', did you mean 'value'?" },
	{ "map m sockarray value=8 value=4\n",
	    "t.scn:1:25: duplicate key 'value'" },
	/* words and numbers */
	{ "socket a tcp5\n",
	    "t.scn:1:10: unknown socket kind 'tcp5', did you mean 'tcp4'?" },
	{ "map m sockarray\nlookup m 4294967296\n",
	    "t.scn:2:10: number out of range for a key (0..4294967295)" },
	{ "map m sockarray\nlookup m x\n",
	    "t.scn:2:10: expected a key (0..4294967295), got word 'x'" },
	{ "socket a udp4\nbind a 127.0.0.1\n",
	    "t.scn:2:8: expected ADDR:PORT (127.0.0.1:80, [::1]:80), got "
	    "'127.0.0.1'" },
	{ "socket a udp4\nbind a ::1:80\n",
	    "t.scn:2:8: bad IPv4 address '::1' (IPv6 addresses go in "
	    "brackets: [::1]:80)" },
	{ "socket a udp4\nbind a 127.0.0.1:99999\n",
	    "t.scn:2:8: bad port '99999' (0..65535 or a socket name)" },
	{ "prog p key=const\n",
	    "t.scn:1:12: bad key spec 'const' (const:N, payload:OFF:WIDTH[:be|le]"
	    ", hash[:MOD] or migrate)" },
	{ "proc p caps=net_admn\n",
	    "t.scn:1:13: unknown capability 'net_admn', did you mean "
	    "'net_admin'?" },
	/* expectations */
	{ "socket a udp4 = cookie(a)\n",
	    "t.scn:1:17: word 'cookie(a)' is not an expectation here (expected "
	    "0, ok, -ERRNO, any)" },
	{ "socket a udp4\ncookie a = cookie(zz)\n",
	    "t.scn:2:19: unknown name 'zz' (expected a socket defined before "
	    "use)" },
	{ "socket a udp4\nexpect a state = lisen\n",
	    "t.scn:2:18: unknown expectation 'lisen', did you mean 'listen'?" },
	{ "socket a udp4\nexpect a state\n",
	    "t.scn:2:1: 'expect' needs an expectation for profile 4.19 "
	    "(= VALUE)" },
	{ "socket a udp4\nexpect a state @4.19 = close\n",
	    "t.scn:2:1: 'expect' needs an expectation for profile 5.10 "
	    "(= VALUE)" },
	{ "profile 6.18\nsocket a udp4\nexpect a state @6.18 = close\n",
	    "" },
	{ "socket a udp4 = 0 1\n",
	    "t.scn:1:19: one expectation token expected, got more "
	    "(alternatives are written A | B)" },
	{ "socket a udp4 = 0 |\n",
	    "t.scn:1:19: '|' needs an expectation on each side" },
	{ "socket a udp4 = | 0\n",
	    "t.scn:1:17: '|' needs an expectation on each side" },
	{ "socket a udp4 = 0 | bogus-word\n",
	    "t.scn:1:21: word 'bogus-word' is not an expectation here "
	    "(expected 0, ok, -ERRNO, any)" },
	{ "socket a udp4 @3.2 = 0\n", "t.scn:1:15: unknown profile '3.2'" },
	{ "socket a udp4\nsend udp 127.0.0.1:a from 127.0.0.1:1 = memb(a)\n",
	    "t.scn:2:41: word 'memb(a)' is not an expectation here (expected "
	    "0, ok, -ERRNO, a socket name, member(S), dropped, refused, any)" },
	/* counted traffic */
	{ CSEND "0\n",
	    "t.scn:2:46: repeat=0: from 1 to 10000 packets" },
	{ CSEND "5 hash=3\n",
	    "t.scn:2:46: repeat=N varies the source port: it cannot take "
	    "hash=N" },
	{ CSEND "5 = some to a\n",
	    "t.scn:2:50: 'some' is not an expectation of counted traffic "
	    "(expected none to S..., all to S..., each of S... at least K, "
	    "S=K, dropped=K, refused=K, failed=K; or any alone)" },
	{ CSEND "5 = none to\n",
	    "t.scn:2:50: 'none to' needs socket names" },
	{ CSEND "5 = none a\n",
	    "t.scn:2:55: expected 'to' after 'none'" },
	{ CSEND "5 = each of a at 3\n",
	    "t.scn:2:60: expected 'at least K' after 'each of' and its "
	    "sockets" },
	{ CSEND "5 = each of a at least -1\n",
	    "t.scn:2:69: expected a packet count, got '-1'" },
	{ CSEND "5 = a=x\n",
	    "t.scn:2:52: expected a packet count, got 'x'" },
	{ CSEND "5 = all to a zz\n",
	    "t.scn:2:59: unknown name 'zz' (expected a socket defined before "
	    "use)" },
	{ CSEND "5 = zz=3\n",
	    "t.scn:2:50: unknown name 'zz' (expected a socket defined before "
	    "use)" },
	{ CSEND "5 as c\n",
	    "t.scn:2:46: repeat=N counts packets: it cannot name one child "
	    "('as')" },
	{ CSEND "5 = a=5 none to a any\n",
	    "t.scn:2:64: 'any' is not an expectation of counted traffic "
	    "(expected none to S..., all to S..., each of S... at least K, "
	    "S=K, dropped=K, refused=K, failed=K; or any alone)" },
	{ CSEND "5 = a=5 dropped=0 refused=0 failed=0 each of a at least 5\n",
	    "" },
	{ CSEND "5 = any\n", "" },
	{ CSEND "5\n", "" },
	/* profiles */
	{ "profile 4.19 6.17\n",
	    "t.scn:1:1: unknown profile '6.17' (the model has PROFILES), "
	    "did you mean '6.1'?" },
};

/* "PROFILES" in a wanted message: the model's profile table, "A, B and C". */
static char *
with_profiles(const char *want)
{
	g_autoptr(GString) list = g_string_new(NULL);
	g_auto(GStrv) parts = g_strsplit(want, "PROFILES", -1);
	size_t n = 0;

	while (rp_profile_nth(n) != NULL)
		n++;
	for (size_t i = 0; i < n; i++)
		g_string_append_printf(list, "%s%s", i == 0 ? "" :
		    i + 1 == n ? " and " : ", ",
		    rp_profile_name(rp_profile_nth(i)));
	return g_strjoinv(list->str, parts);
}

TU_LOOP(check_error, "sim/check", G_N_ELEMENTS(check_cases))
{
	g_autofree char *got = check_errors(check_cases[_i].src);
	g_autofree char *want = with_profiles(check_cases[_i].want);

	ck_assert_str_eq(got, want);
}
END_TEST

/* All errors of a file in one pass; a failed definition still defines. */
TU_CASE(check_all_errors, "sim/check")
{
	g_autofree char *got = check_errors(
	    "socket a udp4\n"
	    "bnd a 127.0.0.1:0\n"
	    "socket b udp5\n"
	    "bind b 127.0.0.1:0\n"
	    "dup zz as c\n"
	    "close c\n"
	    "update m 0 a\n");

	ck_assert_str_eq(got,
	    "t.scn:2:1: unknown verb 'bnd', did you mean 'bind'?\n"
	    "t.scn:3:10: unknown socket kind 'udp5', did you mean 'udp4'?\n"
	    "t.scn:5:5: unknown name 'zz' (expected a socket, map or program "
	    "defined before use)\n"
	    "t.scn:7:8: unknown name 'm' (expected a socket, map or program),"
	    " did you mean 'b'?");
}
END_TEST

/* Every verb of the language reference has a row, and only those. */
TU_CASE(check_verb_table, "sim/check")
{
	static const char *const want[] = { "netns", "proc", "caps", "sysctl",
	    "rlimit", "cpu", "socket", "setsockopt", "bind", "listen",
	    "connect", "shutdown", "accept", "close", "dup", "pass", "cookie",
	    "owner", "attach", "detach", "map", "update", "lookup", "delete",
	    "next-key", "freeze", "lookup-and-delete", "lookup-batch", "map-info",
	    "prog", "migrate-key", "send", "ack-requests", "synack-timer",
	    "settle", "kconfig", "expect", "check", "plant", "schedule" };
	const SimVerb *v;
	gsize n, i;

	v = sim_verbs(&n);
	ck_assert_uint_eq(n, G_N_ELEMENTS(want));
	for (i = 0; i < n; i++) {
		ck_assert_str_eq(v[i].name, want[i]);
		ck_assert_ptr_eq(sim_verb_find(want[i]), &v[i]);
		ck_assert(v[i].min_args <= v[i].max_args);
		ck_assert(v[i].fn != NULL && v[i].usage != NULL &&
		    v[i].help != NULL);
		/* every row says whether it only reads: no default */
		ck_assert_msg(v[i].access == SIM_VERB_READS ||
		    v[i].access == SIM_VERB_WRITES, "verb %s: access %d",
		    v[i].name, (int)v[i].access);
		ck_assert(sim_verb_reads_only(v[i].name) ==
		    (v[i].access == SIM_VERB_READS));
	}
	ck_assert_ptr_null(sim_verb_find("explain"));
}
END_TEST

/* ----------------------------------------------------------------------
 * sim/expect: expectations pass and fail with exact messages
 */

TU_CASE(expect_forms_pass, "sim/expect")
{
	assert_passes(PAIR
	    "map m sockarray entries=4\n"
	    "update m 0 a\n"
	    "update m 0 b noexist = -EEXIST\n"
	    "update m 0 b noexist = EEXIST\n"
	    "update m 0 b noexist = -17\n"
	    "update m 9 b = any\n"
	    "update m 1 b = ok\n"
	    "update m 2 b = -EBUSY @4.19 = -EBUSY @6.18 -EBUSY\n"
	    "lookup m 0 = cookie(a)\n"
	    "lookup m 0 = ok\n"
	    "lookup m 3 = -ENOENT\n"
	    "next-key m 1 = 2\n"
	    "expect m slot 0 = a\n"
	    "expect m slot 2 = empty\n"
	    "expect a in-map = m:0\n"
	    "expect b group = a\n"
	    "expect b pos = 1\n"
	    "expect a group-size = 2\n"
	    "send udp 127.0.0.1:7000 from 127.0.0.1:1 = member(a)\n"
	    "send udp 127.0.0.1:7000 from 127.0.0.1:1\n"
	    "send udp 127.0.0.1:7001 from 127.0.0.1:1 = refused\n"
	    "close a\n"
	    "expect a closed = freed\n"
	    "expect a state = freed\n");
}
END_TEST

TU_CASE(expect_mismatch, "sim/expect")
{
	g_autofree char *msgs = NULL;

	ck_assert(!run(PAIR
	    "map m sockarray entries=4\n"
	    "update m 0 a\n"
	    "update m 0 b noexist\n"
	    "update m 1 b\n", "6.18", &msgs));
	/* the step stops the scenario: line 10 never ran */
	ck_assert_str_eq(msgs,
	    "t.scn:9:1: expected success, got -EEXIST\n"
	    "  m: sockarray, 1 of 4 slots used: 0=a\n"
	    "  b: close, group g1 pos 1 (2 listening, 0 closed)");
}
END_TEST

/* Alternatives: A | B passes when either matches, and says both when
 * neither does. */
TU_CASE(expect_alternatives, "sim/expect")
{
	g_autofree char *msgs = NULL;

	assert_passes(PAIR
	    "map m sockarray entries=4\n"
	    "update m 0 a noexist = ok | EEXIST\n"
	    "update m 0 b noexist = ok | EEXIST\n"
	    "expect m slot 0 = b | a\n");
	ck_assert(!run(PAIR
	    "map m sockarray entries=4\n"
	    "update m 9 a = ok | EEXIST | EBUSY\n", "6.18", &msgs));
	ck_assert_str_eq(msgs,
	    "t.scn:8:16: expected ok or EEXIST or EBUSY, got -E2BIG\n"
	    "  m: sockarray, 0 of 4 slots used\n"
	    "  a: close, group g1 pos 0 (2 listening, 0 closed)");
}
END_TEST

TU_CASE(expect_mismatch_value, "sim/expect")
{
	g_autofree char *msgs = NULL;

	ck_assert(!run(PAIR
	    "map m sockarray entries=4\n"
	    "update m 0 a\n"
	    "lookup m 0 = cookie(b)\n", "4.19", &msgs));
	ck_assert_str_eq(msgs,
	    "t.scn:9:14: expected cookie(b), got c(a)\n"
	    "  m: sockarray, 1 of 4 slots used: 0=a\n"
	    "  b: close, group g1 pos 1 (2 listening, 0 closed), cookie c(b)");
}
END_TEST

/* Counted traffic: each clause holds, and fails when it does not. */
TU_CASE(expect_counted, "sim/expect")
{
	g_autofree char *msgs = NULL, *m2 = NULL, *m3 = NULL;
	guint a = 0, b = 0;
	const char *got;

	/* the model's hash spreads them over both members, 200 each
	 * about, and its exact shares are one half each */
	assert_passes(PAIR
	    "send udp 127.0.0.1:7000 from 127.0.0.2:30000 repeat=400 = "
	    "all to a b each of a b at least 100 dropped=0 refused=0\n"
	    "close b\n"
	    "send udp 127.0.0.1:7000 from 127.0.0.2:30000 repeat=30 = "
	    "a=30 none to b all to a\n"
	    "send udp 127.0.0.1:7999 from 127.0.0.2:30000 repeat=3 = "
	    "refused=3 none to a\n");
	ck_assert(!run(PAIR
	    "send udp 127.0.0.1:7000 from 127.0.0.2:30000 repeat=400 = "
	    "none to b\n", "6.18", &msgs));
	got = strstr(msgs, "t.scn:7:59: expected none to b, got a=");
	ck_assert_msg(got == msgs, "%s", msgs);
	ck_assert_int_eq(sscanf(got, "t.scn:7:59: expected none to b, got "
	    "a=%u b=%u", &a, &b), 2);
	ck_assert_uint_eq(a + b, 400);
	ck_assert_uint_ge(a, 100);
	ck_assert_uint_ge(b, 100);
	/* all to, at least, S=K each fail on their own */
	ck_assert(!run(PAIR
	    "send udp 127.0.0.1:7000 from 127.0.0.2:30000 repeat=400 = "
	    "each of a b at least 300\n", "6.18", &m2));
	ck_assert_msg(g_str_has_prefix(m2, "t.scn:7:59: expected each of a b "
	    "at least 300, got a="), "%s", m2);
	ck_assert(!run(PAIR
	    "close b\n"
	    "send udp 127.0.0.1:7000 from 127.0.0.2:30000 repeat=30 = "
	    "a=29\n", "6.18", &m3));
	ck_assert_str_eq(m3, "t.scn:8:58: expected a=29, got a=30");
	g_clear_pointer(&m3, g_free);
	ck_assert(!run(PAIR
	    "close b\n"
	    "send udp 127.0.0.1:7000 from 127.0.0.2:30000 repeat=30 = "
	    "all to b\n", "6.18", &m3));
	ck_assert_str_eq(m3, "t.scn:8:58: expected all to b, got a=30\n"
	    "  b: freed");
	g_clear_pointer(&m3, g_free);
	/* source ports past 65535 */
	ck_assert(!run(PAIR
	    "send udp 127.0.0.1:7000 from 127.0.0.2:65000 repeat=1000\n",
	    "6.18", &m3));
	ck_assert_str_eq(m3, "t.scn:7:53: repeat=1000: source ports "
	    "65000..65999 run past 65535");
}
END_TEST

TU_CASE(expect_mismatch_send, "sim/expect")
{
	g_autofree char *msgs = NULL;

	ck_assert(!run(PAIR
	    "attach a cbpf k=1\n"
	    "send udp 127.0.0.1:7000 from 127.0.0.1:1 = a\n", "6.18", &msgs));
	ck_assert_str_eq(msgs,
	    "t.scn:8:44: expected a, got b\n"
	    "  a: close, group g1 pos 0 (2 listening, 0 closed)\n"
	    "  b: close, group g1 pos 1 (2 listening, 0 closed)");
}
END_TEST

TU_CASE(expect_keep_going, "sim/expect")
{
	g_autofree char *one = NULL, *all = NULL;
	const char *src =
	    "socket a udp4\n"
	    "bind a 127.0.0.1:7000 = -EINVAL\n"
	    "expect a state = listen\n"
	    "expect a hashed = yes\n";

	ck_assert(!run_with(src, "6.18", NULL, SIM_TRACE_OFF, FALSE, &one,
	    NULL));
	ck_assert_str_eq(one, "t.scn:2:25: expected -EINVAL, got 0\n"
	    "  a: close, no group");
	ck_assert(!run_with(src, "6.18", NULL, SIM_TRACE_OFF, TRUE, &all,
	    NULL));
	ck_assert_str_eq(all, "t.scn:2:25: expected -EINVAL, got 0\n"
	    "  a: close, no group\n"
	    "t.scn:3:18: expected listen, got close\n"
	    "  a: close, no group");
}
END_TEST

/* ----------------------------------------------------------------------
 * sim/profile: overrides
 */

TU_CASE(profile_overrides, "sim/profile")
{
	g_autofree char *m419 = NULL, *m618 = NULL;
	const char *src =
	    "socket a tcp4\n"
	    "detach a = -EINVAL @4.19 = -ENOPROTOOPT\n"
	    "lookup-batch a = -EINVAL @6.18 = -EBADF\n";

	/* 4.19 has no batch command (-EINVAL) and no SO_DETACH option */
	ck_assert_msg(run(src, "4.19", &m419), "%s", m419);
	ck_assert(!run(src, "6.18", &m618));
	ck_assert_str_eq(m618, "t.scn:3:34: expected -EBADF, got -EINVAL\n"
	    "  a: close, no group");
}
END_TEST

TU_CASE(profile_selection, "sim/profile")
{
	g_autoptr(SimScenario) all = parse("socket a udp4\n");
	g_autoptr(SimScenario) one = parse("profile 6.18\nsocket a udp4\n");
	char *sel419[] = { (char *)"4.19", NULL };
	g_autoptr(GPtrArray) p1 = sim_scenario_profiles(all, NULL);
	g_autoptr(GPtrArray) p2 = sim_scenario_profiles(one, NULL);
	g_autoptr(GPtrArray) p3 = sim_scenario_profiles(one, sel419);

	/* no profile line: every profile of the model, in table order */
	ck_assert_ptr_nonnull(rp_profile_nth(p1->len - 1));
	ck_assert_ptr_null(rp_profile_nth(p1->len));
	for (guint i = 0; i < p1->len; i++)
		ck_assert_str_eq(p1->pdata[i], rp_profile_name(
		    rp_profile_nth(i)));
	ck_assert_str_eq(p1->pdata[0], "4.19");
	ck_assert_uint_eq(p2->len, 1);
	ck_assert_str_eq(p2->pdata[0], "6.18");
	ck_assert_uint_eq(p3->len, 0);
}
END_TEST

/* ----------------------------------------------------------------------
 * sim/vars and sim/cookie
 */

TU_CASE(vars_bind_compare, "sim/vars")
{
	g_autofree char *msgs = NULL;

	assert_passes(PAIR
	    "map m sockarray entries=2\n"
	    "update m 0 a\n"
	    "lookup m 0 = $c\n"
	    "cookie a = $c\n"
	    "expect a cookie = $c\n"
	    "expect a group-id = $g\n"
	    "expect b group-id = $g\n");
	ck_assert(!run(PAIR
	    "map m sockarray entries=2\n"
	    "update m 0 a\n"
	    "cookie a = $c\n"
	    "update m 0 b\n"
	    "lookup m 0 = $c\n", "6.18", &msgs));
	ck_assert_str_eq(msgs,
	    "t.scn:11:14: expected $c (c(a)), got c(b)\n"
	    "  m: sockarray, 1 of 2 slots used: 0=b");
}
END_TEST

TU_CASE(vars_never_match_errors, "sim/vars")
{
	g_autofree char *msgs = NULL;

	ck_assert(!run("map m sockarray\nlookup m 0 = $c\n", "6.18", &msgs));
	ck_assert_str_eq(msgs, "t.scn:2:14: expected $c, got -ENOENT\n"
	    "  m: sockarray, 0 of 4 slots used");
}
END_TEST

/* cookie(S) through S's own process, and fds that are per process. */
TU_CASE(cookie_other_process, "sim/cookie")
{
	assert_passes(
	    "proc p\n"
	    "p: socket a udp4\n"
	    "p: setsockopt a reuseport 1\n"
	    "p: bind a 127.0.0.1:7000\n"
	    "map m sockarray entries=2\n"
	    /* a is p's fd: in init it is -1, so EBADF ... */
	    "update m 0 a = -EINVAL\n"
	    "map m4 sockarray value=4 entries=2\n"
	    "update m4 0 a = -EBADF\n"
	    /* ... until it is passed */
	    "p: pass a to init as a0\n"
	    "update m 0 a0\n"
	    "lookup m 0 = cookie(a)\n"
	    "p: close a\n"
	    "lookup m 0 = cookie(a)\n"
	    "close a0\n"
	    "lookup m 0 = -ENOENT\n");
}
END_TEST

TU_CASE(cookie_unavailable, "sim/cookie")
{
	g_autofree char *msgs = NULL;

	ck_assert(!run("socket a udp4\nclose a\nsocket b udp4\n"
	    "cookie b = cookie(a)\n", "6.18", &msgs));
	ck_assert_str_eq(msgs, "t.scn:4:1: cannot get the cookie of 'a': it "
	    "has none and no open fd to ask for one\n"
	    "  b: close, no group, cookie c(b)\n"
	    "  a: freed");
}
END_TEST

/* ----------------------------------------------------------------------
 * sim/contract: planted faults prove I14 and I16 fire
 */

static int
bad_lookup(SimBackend *b, unsigned proc, int fd, uint32_t key,
    uint64_t *value, uint64_t flags)
{
	int ret = sim_backend_model.map_lookup(b, proc, fd, key, value,
	    flags);

	if (ret == 0)
		(*value)++;		/* the planted fault */
	return ret;
}

static int
bad_send(SimBackend *b, unsigned netns, const struct rp_packet *pkt,
    struct rp_delivery *out)
{
	int ret = sim_backend_model.send(b, netns, pkt, out);

	if (ret == 0 && out->outcome == RP_DELIVERED)
		out->sock = 1;		/* the planted fault: socket a */
	return ret;
}

TU_CASE(contract_i14, "sim/contract")
{
	SimBackendOps ops = sim_backend_model;
	g_autofree char *msgs = NULL;

	ops.map_lookup = bad_lookup;
	ck_assert(!run_with(PAIR
	    "map m sockarray entries=2\n"
	    "update m 0 a\n"
	    "lookup m 0 = any\n", "6.18", &ops, SIM_TRACE_OFF, FALSE, &msgs,
	    NULL));
	ck_assert(g_str_has_prefix(msgs, "t.scn:9:1: I14 lookup: key 0 of "
	    "'m' returned "));
	ck_assert_msg(strstr(msgs, ", not the cookie of the occupant a\n")
	    != NULL, "%s", msgs);
}
END_TEST

TU_CASE(contract_i16, "sim/contract")
{
	SimBackendOps ops = sim_backend_model;
	g_autofree char *msgs = NULL;

	ops.send = bad_send;
	ck_assert(!run_with(PAIR
	    "close a\n"
	    "send udp 127.0.0.1:7000 from 127.0.0.1:1 = any\n", "6.18", &ops,
	    SIM_TRACE_OFF, FALSE, &msgs, NULL));
	ck_assert_str_eq(msgs, "t.scn:8:1: I16 selection: delivered to a, "
	    "which does not exist\n"
	    "  a: freed");
}
END_TEST

/* Without the model-only group, expect is skipped, not failed. */
TU_CASE(backend_without_inspect, "sim/contract")
{
	SimBackendOps ops = sim_backend_model;
	g_autofree char *msgs = NULL;

	ops.inspect = NULL;
	ck_assert_msg(run_with("socket a udp4\nexpect a state = listen\n"
	    "bind a 127.0.0.1:0\n", "6.18", &ops, SIM_TRACE_OFF, FALSE, &msgs,
	    NULL), "%s", msgs);
	g_clear_pointer(&msgs, g_free);
	/* member(S) falls back to "bound to the same address" (I10) */
	ck_assert_msg(run_with(PAIR
	    "socket c udp4\n"
	    "bind c 127.0.0.2:7000\n"
	    "attach a cbpf k=1\n"
	    "send udp 127.0.0.1:7000 from 127.0.0.1:1 = member(a)\n",
	    "6.18", &ops, SIM_TRACE_OFF, FALSE, &msgs, NULL), "%s", msgs);
	g_clear_pointer(&msgs, g_free);
	ck_assert(!run_with(PAIR
	    "socket c udp4\n"
	    "bind c 127.0.0.2:7000\n"
	    "attach a cbpf k=1\n"
	    "send udp 127.0.0.1:7000 from 127.0.0.1:1 = member(c)\n",
	    "6.18", &ops, SIM_TRACE_OFF, FALSE, &msgs, NULL));
	ck_assert_str_eq(msgs, "t.scn:10:44: expected member(c), got b");
}
END_TEST

/* ----------------------------------------------------------------------
 * sim/checkmode: --check step|full|off and the `check` statement reach
 * the backend's check as they say, and the end of a run is checked whole
 */

static GString *spy_log;	/* one letter per check: s, f, o */
static gboolean spy_fail_full;	/* the full check finds a planted I99 */

static gboolean
spy_check(SimBackend *b, SimCheckMode mode, GError **error)
{
	g_string_append_c(spy_log, mode == SIM_CHECK_STEP ? 's' :
	    mode == SIM_CHECK_FULL ? 'f' : 'o');
	if (spy_fail_full && mode == SIM_CHECK_FULL) {
		g_set_error(error, RP_CHECK_ERROR, 99, "I99 planted: socket 1");
		return FALSE;
	}
	return sim_backend_model.inspect->check(b, mode, error);
}

/* Run src under 6.18 with --check mode on the spying backend (or the
 * model itself when spy is FALSE); *log gets the checks, *msgs the
 * messages and notes. */
static gboolean
run_check_mode(const char *src, SimCheckMode mode, gboolean spy,
    char **log, char **msgs)
{
	g_autoptr(SimScenario) sc = parse(src);
	g_autofree char *errs = check_errors(src);
	SimBackendOps ops = sim_backend_model;
	SimInspectOps insp = *sim_backend_model.inspect;
	SimExecOptions o = { 0 };
	SimReport rep = { 0 };
	GString *m = g_string_new(NULL);
	gboolean passed;

	ck_assert_msg(*errs == '\0', "check: %s", errs);
	insp.check = spy_check;
	if (spy)
		ops.inspect = &insp;
	o.ops = &ops;
	o.check = mode;
	spy_log = g_string_new(NULL);
	sim_run_scenario(sc, "6.18", &o, &rep);
	passed = rep.passed;
	for (guint i = 0; i < rep.messages->len; i++)
		g_string_append_printf(m, "%s\n", (char *)rep.messages->pdata[i]);
	for (guint i = 0; rep.notes != NULL && i < rep.notes->len; i++)
		g_string_append_printf(m, "note %s\n",
		    (char *)rep.notes->pdata[i]);
	*msgs = g_string_free(m, FALSE);
	*log = g_string_free(spy_log, FALSE);
	spy_log = NULL;
	sim_report_clear(&rep);
	return passed;
}

#define THREE	"socket a udp4\nbind a 127.0.0.1:0\nclose a\n"

TU_CASE(check_modes, "sim/checkmode")
{
	static const struct {
		SimCheckMode	mode;
		const char	*src, *log;
	} cases[] = {
		/* step: each step incrementally, the whole state at the end */
		{ SIM_CHECK_STEP, THREE, "sssf" },
		/* full: every step whole, nothing more at the end */
		{ SIM_CHECK_FULL, THREE, "fff" },
		/* off: only the lock discipline */
		{ SIM_CHECK_OFF, THREE, "ooo" },
		/* `check`: that step whole, whatever the mode */
		{ SIM_CHECK_STEP, "socket a udp4\ncheck\nclose a\n", "sfsf" },
		{ SIM_CHECK_OFF, "socket a udp4\ncheck\nclose a\n", "ofo" },
	};

	for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autofree char *log = NULL, *msgs = NULL;

		spy_fail_full = FALSE;
		ck_assert_msg(run_check_mode(cases[i].src, cases[i].mode, TRUE,
		    &log, &msgs), "case %u: %s", i, msgs);
		ck_assert_msg(strcmp(log, cases[i].log) == 0, "case %u: checks "
		    "%s, want %s", i, log, cases[i].log);
	}
}
END_TEST

/* A violation only the full check sees (a blind incremental checker):
 * step mode reports it at the end, full mode at the first step, off
 * mode not at all, a `check` statement where it stands. */
TU_CASE(check_end_full, "sim/checkmode")
{
	g_autofree char *log = NULL, *msgs = NULL;

	spy_fail_full = TRUE;
	ck_assert(!run_check_mode(THREE, SIM_CHECK_STEP, TRUE, &log, &msgs));
	ck_assert_str_eq(msgs, "t.scn:3:1: invariant violated (the full check "
	    "at the end of the scenario): I99 planted: socket 1\n"
	    "  socket 1= a\n");
	g_clear_pointer(&log, g_free);
	g_clear_pointer(&msgs, g_free);
	ck_assert(!run_check_mode(THREE, SIM_CHECK_FULL, TRUE, &log, &msgs));
	ck_assert_str_eq(log, "f");
	ck_assert(g_str_has_prefix(msgs, "t.scn:1:1: invariant violated: I99 "
	    "planted: socket 1\n"));
	g_clear_pointer(&log, g_free);
	g_clear_pointer(&msgs, g_free);
	ck_assert(run_check_mode(THREE, SIM_CHECK_OFF, TRUE, &log, &msgs));
	g_clear_pointer(&log, g_free);
	g_clear_pointer(&msgs, g_free);
	ck_assert(!run_check_mode("socket a udp4\nbind a 127.0.0.1:0\ncheck\n"
	    "close a\n", SIM_CHECK_OFF, TRUE, &log, &msgs));
	ck_assert_str_eq(log, "oof");
	ck_assert(g_str_has_prefix(msgs, "t.scn:3:1: invariant violated: I99 "));
	spy_fail_full = FALSE;
}
END_TEST

/* The real checkers on a real violation (a planted detach that clears a
 * foreign owner word, I4): the same message at the same step in step and
 * full mode; off finds it only through `check`. */
TU_CASE(check_modes_agree, "sim/checkmode")
{
	static const char src[] = "plant detach-foreign\n"
	    "socket a tcp6\nsetsockopt a reuseport 1\nbind a [::1]:8001\n"
	    "listen a\n"
	    "socket b tcp6\nsetsockopt b reuseport 1\nbind b [::1]:8001\n"
	    "listen b\n"
	    "map m sockarray value=8 entries=4\nupdate m 0 a\n"
	    "owner b foreign\nshutdown b rd\nclose a\n";
	static const char want[] = "t.scn:13:1: invariant violated: I4 "
	    "foreign owners: socket 2's foreign owner word was overwritten: "
	    "it now says nothing\n  socket 2= b\n";
	g_autofree char *log = NULL, *msgs = NULL;
	g_autofree char *with_check = g_strconcat(src, "check\n", NULL);

	ck_assert(!run_check_mode(src, SIM_CHECK_STEP, FALSE, &log, &msgs));
	ck_assert_str_eq(msgs, want);
	g_clear_pointer(&msgs, g_free);
	g_clear_pointer(&log, g_free);
	ck_assert(!run_check_mode(src, SIM_CHECK_FULL, FALSE, &log, &msgs));
	ck_assert_str_eq(msgs, want);
	g_clear_pointer(&msgs, g_free);
	g_clear_pointer(&log, g_free);
	ck_assert_msg(run_check_mode(src, SIM_CHECK_OFF, FALSE, &log, &msgs),
	    "%s", msgs);
	g_clear_pointer(&msgs, g_free);
	g_clear_pointer(&log, g_free);
	ck_assert(!run_check_mode(with_check, SIM_CHECK_OFF, FALSE, &log,
	    &msgs));
	ck_assert(g_str_has_prefix(msgs, "t.scn:15:1: invariant violated: I4 "
	    "foreign owners: socket 2's"));
}
END_TEST

/* The model backend runs rp_check_step() in step mode, and only there. */
static void
stats_done(void *ud, SimExec *x)
{
	SimBackend *be;
	const SimInspectOps *insp = sim_exec_inspect(x, &be);

	rp_check_stats(insp->model(be), ud);
}

TU_CASE(check_step_is_incremental, "sim/checkmode")
{
	g_autoptr(SimScenario) sc = parse(THREE "check\n");
	static const SimCheckMode modes[] = { SIM_CHECK_STEP, SIM_CHECK_FULL,
		SIM_CHECK_OFF };

	for (guint i = 0; i < G_N_ELEMENTS(modes); i++) {
		struct rp_check_stats stats = { 0 };
		SimStepHooks h = { .done = stats_done, .ud = &stats };
		SimExecOptions o = { .ops = &sim_backend_model,
			.check = modes[i], .hooks = &h };
		SimReport rep = { 0 };

		sim_run_scenario(sc, "6.18", &o, &rep);
		ck_assert(rep.passed);
		/* step: the three statements but not `check` (full) */
		ck_assert_uint_eq(stats.steps, modes[i] == SIM_CHECK_STEP ?
		    3 : 0);
		sim_report_clear(&rep);
	}
}
END_TEST

/* `check` on a backend without internal state: skipped, one note. */
TU_CASE(check_without_inspect, "sim/checkmode")
{
	SimBackendOps ops = sim_backend_model;
	g_autofree char *msgs = NULL;

	ops.inspect = NULL;
	ck_assert_msg(run_with("socket a udp4\ncheck\ncheck\n", "6.18", &ops,
	    SIM_TRACE_OFF, FALSE, &msgs, NULL), "%s", msgs);
}
END_TEST

/* ----------------------------------------------------------------------
 * sim/names: the indexes that keep every step O(1) in the number of names
 */

static SimObj *
names_file(SimNames *n, const char *name, SimToken *t)
{
	g_autoptr(GError) err = NULL;
	SimObj *o;

	t->kind = SIM_TOK_WORD;
	t->text = (char *)name;
	t->file = "t.scn";
	t->line = 1;
	t->col = 1;
	o = sim_names_define(n, SIM_OBJ_SOCK, t, &err);
	ck_assert_msg(o != NULL, "%s", err != NULL ? err->message : "");
	return o;
}

TU_CASE(names_closed_index, "sim/names")
{
	g_autoptr(SimNames) n = sim_names_new();
	SimToken ta = { 0 }, tb = { 0 }, tc = { 0 }, td = { 0 };
	SimObj *a = names_file(n, "a", &ta), *b = names_file(n, "b", &tb);
	SimObj *c = names_file(n, "c", &tc), *d = names_file(n, "d", &td);

	sim_names_bind(n, a, 0, 3, 1);
	sim_names_bind(n, b, 0, 3, 1);	/* a dup'ed name of the same fd */
	sim_names_bind(n, d, 1, 3, 2);	/* fd 3 of another process */
	sim_names_closed(n, 0, 3);
	ck_assert(a->closed && b->closed && !d->closed);
	ck_assert_int_eq(a->fd, 3);	/* the number is kept */
	sim_names_bind(n, c, 0, 3, 3);	/* the lowest free fd again */
	ck_assert(!c->closed);
	sim_names_closed(n, 0, 3);
	ck_assert(c->closed && !d->closed);
	sim_names_closed(n, 0, 4);	/* nothing there */
	sim_names_closed(n, 1, 3);
	ck_assert(d->closed);
}
END_TEST

TU_CASE(names_cookie_index, "sim/names")
{
	g_autoptr(SimNames) n = sim_names_new();
	struct rp_event ev = { .kind = RP_EV_COOKIE };

	ck_assert_uint_eq(sim_names_cookie_sock(n, 7), 0);
	ev.sock = 4;
	ev.val = 7;
	sim_names_event(n, &ev);
	sim_names_event(n, &ev);	/* the same socket again */
	ck_assert_uint_eq(sim_names_cookie_sock(n, 7), 4);
	ev.sock = 5;			/* another socket with that cookie */
	sim_names_event(n, &ev);
	ck_assert_uint_eq(sim_names_cookie_sock(n, 7), SIM_NAMES_MANY);
	ev.val = 0;			/* not a cookie */
	sim_names_event(n, &ev);
	ck_assert_uint_eq(sim_names_cookie_sock(n, 0), 0);
}
END_TEST

/* Everything a SimNames answers, as text: read from a copy, since asking
 * for an unnamed object's name numbers it. */
static char *
names_dump(const SimNames *n)
{
	g_autoptr(SimNames) c = sim_names_clone(n);
	GString *g = g_string_new(NULL);
	const GPtrArray *order = sim_names_order(c);
	struct rp_event ev = { .kind = RP_EV_GROUP_NEW, .group = 99 };

	g_string_append_printf(g, "digest %" G_GINT64_MODIFIER "x\n",
	    sim_names_digest(c));
	for (guint i = 0; i < order->len; i++) {
		const SimObj *o = order->pdata[i];

		g_string_append_printf(g, "%s k%d b%d p%u fd%d c%d id%u t%u "
		    "v%u ns%u\n", o->name, o->kind, o->bound, o->proc, o->fd,
		    o->closed, o->id, o->map_type, o->value_size, o->netns);
	}
	for (unsigned id = 0; id < 8; id++) {
		const char *proc = sim_names_sock_proc(c, id);

		g_string_append_printf(g, "%u: %s", id, sim_names_sock(c, id));
		g_string_append_printf(g, " %s", sim_names_map(c, id));
		g_string_append_printf(g, " %s", sim_names_group(c, id));
		g_string_append_printf(g, " %s", sim_names_prog(c, id));
		g_string_append_printf(g, " %s %u\n", proc != NULL ? proc : "-",
		    sim_names_cookie_sock(c, id));
	}
	sim_names_event(c, &ev);	/* the next group's number */
	g_string_append_printf(g, "next %s\n", sim_names_group(c, 99));
	for (unsigned p = 0; p < 3; p++)
		for (int fd = 0; fd < 5; fd++) {
			sim_names_closed(c, p, fd);	/* who was open there */
			for (guint i = 0; i < order->len; i++)
				if (((const SimObj *)order->pdata[i])->closed)
					g_string_append_printf(g, "%u", i);
			g_string_append_c(g, ' ');
		}
	return g_string_free(g, FALSE);
}

/* One random change of n through its interface; names from *k. */
static void
names_random_op(SimNames *n, GRand *r, guint *k, GPtrArray *toks)
{
	const GPtrArray *order = sim_names_order(n);
	struct rp_event ev = { 0 };
	SimObj *o;

	switch (g_rand_int_range(r, 0, 8)) {
	case 0: {
		SimToken *t = g_new0(SimToken, 1);
		g_autoptr(GError) err = NULL;
		SimObjKind kinds[] = { SIM_OBJ_SOCK, SIM_OBJ_MAP,
		    SIM_OBJ_PROG, SIM_OBJ_PROC };

		t->kind = SIM_TOK_WORD;
		t->text = g_strdup_printf("o%u", ++*k);
		t->file = "t.scn";
		t->line = *k;
		t->col = 1;
		g_ptr_array_add(toks, t);
		o = sim_names_define(n, kinds[g_rand_int_range(r, 0, 4)], t,
		    &err);
		ck_assert_msg(o != NULL, "%s", err != NULL ? err->message :
		    "");
		o->map_type = *k;	/* as verbs.c does */
		break;
	}
	case 1:
	case 2:
		o = order->pdata[g_rand_int_range(r, 0, (gint32)order->len)];
		if (o->bound)
			break;
		sim_names_bind(n, o, g_rand_int_range(r, 0, 3),
		    g_rand_int_range(r, -1, 5), g_rand_int_range(r, 0, 8));
		o->netns = g_rand_int_range(r, 0, 3);
		break;
	case 3:
		sim_names_closed(n, g_rand_int_range(r, 0, 3),
		    g_rand_int_range(r, 0, 5));
		break;
	case 4:
		ev.kind = RP_EV_COOKIE;
		ev.sock = g_rand_int_range(r, 1, 5);
		ev.val = g_rand_int_range(r, 0, 8);
		sim_names_event(n, &ev);
		break;
	case 5:
		ev.kind = g_rand_boolean(r) ? RP_EV_GROUP_GROW :
		    RP_EV_GROUP_ADD;
		ev.group = g_rand_int_range(r, 0, 8);
		ev.idx = g_rand_int_range(r, 0, 8);
		sim_names_event(n, &ev);
		break;
	case 6:
		(void)sim_names_sock(n, g_rand_int_range(r, 0, 8));
		(void)sim_names_prog(n, g_rand_int_range(r, 0, 8));
		break;
	default:
		(void)sim_names_map(n, g_rand_int_range(r, 0, 8));
		(void)sim_names_group(n, g_rand_int_range(r, 0, 8));
		break;
	}
}

static void
token_free(gpointer p)
{
	SimToken *t = p;

	g_free(t->text);
	g_free(t);
}

/* Up to max - 1 random changes of n. */
static void
names_random_ops(SimNames *n, GRand *r, gint32 max, guint *k,
    GPtrArray *toks)
{
	for (gint32 i = g_rand_int_range(r, 0, max); i > 0; i--)
		names_random_op(n, r, k, toks);
}

/* Rewind n to m, where it answered want. */
static void
names_rewind_to(SimNames *n, const SimNamesMark *m, const char *want,
    guint32 seed)
{
	g_autofree char *now = NULL;

	ck_assert(sim_names_rewind(n, m));
	now = names_dump(n);
	ck_assert_msg(strcmp(now, want) == 0, "seed %u:\n%s\nvs\n%s", seed,
	    now, want);
}

/*
 * A rewind to a mark gives the names exactly as they were there (every
 * answer and the digest), in stack order, over random changes; a mark a
 * rewind forgot, or another table's, is refused.
 */
TU_CASE(names_rewind_random, "sim/names")
{
	for (guint32 seed = 1; seed <= 300; seed++) {
		g_autoptr(GRand) r = g_rand_new_with_seed(seed);
		g_autoptr(GPtrArray) toks = g_ptr_array_new_with_free_func(
		    token_free);
		g_autoptr(SimNames) n = sim_names_new();
		g_autoptr(SimNames) other = sim_names_new();
		g_autofree char *d1 = NULL, *d2 = NULL;
		SimNamesMark m1, m2, mo;
		guint k = 0;

		names_random_ops(n, r, 10, &k, toks);
		sim_names_mark(n, &m1);
		d1 = names_dump(n);
		names_random_ops(n, r, 15, &k, toks);
		sim_names_mark(n, &m2);
		d2 = names_dump(n);
		names_random_ops(n, r, 15, &k, toks);
		names_rewind_to(n, &m2, d2, seed);
		names_random_ops(n, r, 15, &k, toks);
		names_rewind_to(n, &m1, d1, seed);
		names_rewind_to(n, &m1, d1, seed);	/* again: no change */
		names_random_op(n, r, &k, toks);
		names_random_op(n, r, &k, toks);
		/* m2 was forgotten by the rewind to m1 (unless nothing was
		 * logged between them); other's mark is not n's */
		if (m2.pos > m1.pos)
			ck_assert(!sim_names_rewind(n, &m2));
		sim_names_mark(other, &mo);
		ck_assert(!sim_names_rewind(n, &mo));
	}
}
END_TEST

static SimBackend *
refusing_open(const char *profile, GError **error)
{
	g_set_error(error, SIM_ERROR, SIM_ERROR_FAIL, "no %s here", profile);
	return NULL;
}

/* A backend that cannot run a profile: the run is skipped, with why. */
TU_CASE(backend_cannot_open, "sim/contract")
{
	g_autofree char *dir = src_dir("sim-data");
	g_autofree char *file = g_build_filename(dir, "pass", "only-619.scn",
	    NULL);
	SimBackendOps ops = sim_backend_model;
	SimRunOptions o = { .backend = &ops };
	g_autofree char *want = NULL;
	TuRun pr;

	ops.name = "refusing";
	ops.open = refusing_open;
	pr = run_paths(o, &file, 1);
	ck_assert_int_eq(pr.status, SIM_EXIT_OK);
	want = g_strdup_printf("SKIP %s [6.18] (refusing backend: no 6.18 "
	    "here)\nscenarios: 0 passed, 0 failed, 1 skipped\n", file);
	ck_assert_str_eq(pr.out, want);
	tu_run_clear(&pr);
}
END_TEST

/* ----------------------------------------------------------------------
 * sim/trace
 */

TU_CASE(trace_names, "sim/trace")
{
	g_autofree char *trace = NULL, *all = NULL;

	ck_assert(run_with(
	    "socket a tcp4\n"
	    "setsockopt a reuseport 1\n"
	    "bind a 127.0.0.1:7000\n"
	    "listen a\n"
	    "attach a cbpf k=0\n"
	    "send tcp 127.0.0.1:7000 from 127.0.0.1:1\n"
	    "cookie a\n", "6.18", NULL, SIM_TRACE_ON, FALSE, NULL, &trace));
	ck_assert_str_eq(trace,
	    "1 sock_new sock=a family=inet type=stream proto=tcp\n"
	    "4 group_id group=g1 id=0\n"
	    "4 group_new group=g1 sock=a\n"
	    "4 group_add group=g1 sock=a pos=0\n"
	    "4 rule id=R-GRP-1 err=0\n"
	    "4 sock_state sock=a state=listen\n"
	    "4 sock_hash sock=a\n"
	    "5 group_prog group=g1 prog=cbpf#1\n"
	    "5 rule id=R-ATT-5 err=0\n"
	    "6 rule id=R-SEL-3 err=0\n"
	    "6 select group=g1 sock=a how=cbpf\n"
	    "6 sock_new sock=child#1 family=inet type=stream proto=tcp\n"
	    "7 cookie sock=a cookie=c(a)\n"
	    "7 rule id=R-COOK-1 err=0\n");
	/* =all adds the lock and RCU events */
	ck_assert(run_with("socket a udp4\nsetsockopt a reuseport 1\n"
	    "bind a 127.0.0.1:0\n", "6.18",
	    NULL, SIM_TRACE_ALL, FALSE, NULL, &all));
	ck_assert_ptr_nonnull(strstr(all, " lock thread=0\n"));
	ck_assert_ptr_null(strstr(trace, " lock thread="));
}
END_TEST

/* The golden traces of scenarios/golden: a fresh run gives the file. */
TU_CASE(trace_golden, "sim/trace")
{
	g_autofree char *dir = src_dir("../scenarios/golden");
	g_autofree char *cwd = g_get_current_dir();
	g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
	SimRunOptions o = { .trace = SIM_TRACE_ON };
	const char *n;
	guint count = 0;

	ck_assert_ptr_nonnull(d);
	/* run from scenarios/ so that files show as golden/NAME.scn */
	ck_assert_int_eq(g_chdir(dir), 0);
	ck_assert_int_eq(g_chdir(".."), 0);
	while ((n = g_dir_read_name(d)) != NULL) {
		g_autofree char *scn = NULL, *want = NULL, *tr = NULL;
		g_autofree char *base = NULL;
		TuRun pr;

		if (!g_str_has_suffix(n, ".scn"))
			continue;
		base = g_strndup(n, strlen(n) - 4);
		scn = g_strdup_printf("golden/%s", n);
		tr = g_strdup_printf("golden/%s.trace", base);
		ck_assert_msg(g_file_get_contents(tr, &want, NULL, NULL),
		    "no golden trace %s", tr);
		pr = run_paths(o, &scn, 1);
		ck_assert_int_eq(pr.status, SIM_EXIT_OK);
		ck_assert_str_eq(pr.out, want);
		tu_run_clear(&pr);
		count++;
	}
	ck_assert_int_eq(g_chdir(cwd), 0);
	ck_assert_uint_ge(count, 2);
}
END_TEST

/* ----------------------------------------------------------------------
 * sim/run: files and directories, formats, exit statuses
 */

TU_CASE(paths_text, "sim/run")
{
	g_autofree char *dir = src_dir("sim-data");
	g_autofree char *pass = g_build_filename(dir, "pass", NULL);
	SimRunOptions o = { 0 };
	char *paths[] = { pass };
	TuRun pr = run_paths(o, paths, 1);
	g_autofree char *want = g_strdup_printf(
	    "PASS %s/map.scn [4.19]\n"
	    "PASS %s/map.scn [6.18]\n"
	    "PASS %s/only-619.scn [6.18]\n"
	    "scenarios: 3 passed, 0 failed, 0 skipped\n", pass, pass, pass);

	ck_assert_int_eq(pr.status, SIM_EXIT_OK);
	ck_assert_str_eq(pr.err, "");
	/* each file as the user gave its directory */
	ck_assert_str_eq(pr.out, want);
	tu_run_clear(&pr);
}
END_TEST

TU_CASE(paths_fail_tap, "sim/run")
{
	g_autofree char *dir = src_dir("sim-data");
	g_autofree char *fail = g_build_filename(dir, "fail", NULL);
	g_autofree char *pass = g_build_filename(dir, "pass", NULL);
	g_autofree char *want = NULL;
	SimRunOptions o = { .format = SIM_FORMAT_TAP };
	char *sel[] = { (char *)"4.19", NULL };
	char *paths[] = { fail, pass };
	TuRun pr;

	o.profiles = sel;
	pr = run_paths(o, paths, 2);
	ck_assert_int_eq(pr.status, SIM_EXIT_FAIL);
	want = g_strdup_printf(
	    "TAP version 13\n"
	    "1..3\n"
	    "not ok 1 - %s/wrong.scn [4.19]\n"
	    "# %s/wrong.scn:7:1: expected success, got -EEXIST\n"
	    "#   m: sockarray, 1 of 2 slots used: 0=a\n"
	    "#   b: close, group g1 pos 1 (2 listening, 0 closed)\n"
	    "ok 2 - %s/map.scn [4.19]\n"
	    "ok 3 - %s/only-619.scn # SKIP no selected profile\n"
	    "# scenarios: 1 passed, 1 failed, 1 skipped\n", fail, fail, pass,
	    pass);
	ck_assert_str_eq(pr.out, want);
	tu_run_clear(&pr);
}
END_TEST

/* The JSON strings of run, diff and explore (json-glib): quotes and
 * backslashes escaped, newline and tab short, other controls \u00XX,
 * UTF-8 copied, bytes that are not UTF-8 replaced (U+FFFD). */
TU_CASE(json_string, "sim/run")
{
	g_autofree char *q = sim_json_quote("a\"b\\c\nd\te\x01" "f\x1f"
	    "\xc3\xa9");
	g_autofree char *bad = sim_json_quote("x\xffy");

	ck_assert_str_eq(q, "\"a\\\"b\\\\c\\nd\\te\\u0001f\\u001f\xc3\xa9\"");
	ck_assert_str_eq(bad, "\"x\xef\xbf\xbdy\"");
}
END_TEST

TU_CASE(paths_json_failure, "sim/run")
{
	g_autofree char *dir = src_dir("sim-data");
	g_autofree char *file = g_build_filename(dir, "fail", "wrong.scn",
	    NULL);
	g_autofree char *want = NULL;
	SimRunOptions o = { .format = SIM_FORMAT_JSON };
	char *sel[] = { (char *)"6.18", NULL };
	TuRun pr;

	o.profiles = sel;
	pr = run_paths(o, &file, 1);
	ck_assert_int_eq(pr.status, SIM_EXIT_FAIL);
	want = g_strdup_printf("{\"type\":\"result\",\"command\":\"run\","
	    "\"file\":\"%s\",\"profile\":\"6.18\",\"result\":\"fail\","
	    "\"notes\":[],\"failures\":[{\"file\":\"%s\",\"line\":7,"
	    "\"column\":1,\"message\":\"expected success, got -EEXIST\","
	    "\"state\":[\"m: sockarray, 1 of 2 slots used: 0=a\","
	    "\"b: close, group g1 pos 1 (2 listening, 0 closed)\"]}]}\n"
	    "{\"type\":\"summary\",\"command\":\"run\",\"passed\":0,"
	    "\"failed\":1,\"skipped\":0,\"errors\":0,\"status\":1}\n",
	    file, file);
	ck_assert_str_eq(pr.out, want);
	tu_run_clear(&pr);
}
END_TEST

TU_CASE(paths_json, "sim/run")
{
	g_autofree char *dir = src_dir("sim-data");
	g_autofree char *file = g_build_filename(dir, "pass", "only-619.scn",
	    NULL);
	g_autofree char *want = NULL;
	SimRunOptions o = { .format = SIM_FORMAT_JSON };
	TuRun pr = run_paths(o, &file, 1);

	ck_assert_int_eq(pr.status, SIM_EXIT_OK);
	want = g_strdup_printf("{\"type\":\"result\",\"command\":\"run\","
	    "\"file\":\"%s\",\"profile\":\"6.18\",\"result\":\"pass\","
	    "\"notes\":[],\"failures\":[]}\n"
	    "{\"type\":\"summary\",\"command\":\"run\",\"passed\":1,"
	    "\"failed\":0,\"skipped\":0,\"errors\":0,\"status\":0}\n",
	    file);
	ck_assert_str_eq(pr.out, want);
	tu_run_clear(&pr);
}
END_TEST

/* A broken file stops everything: exit 2, every error, nothing run. */
TU_CASE(paths_bad_input, "sim/run")
{
	g_autofree char *dir = src_dir("sim-data");
	g_autofree char *bad = g_build_filename(dir, "bad", NULL);
	g_autofree char *pass = g_build_filename(dir, "pass", NULL);
	g_autofree char *missing = g_build_filename(dir, "nope.scn", NULL);
	g_autofree char *want = NULL;
	SimRunOptions o = { 0 };
	char *paths[] = { pass, bad };
	char *paths2[] = { missing };
	char *sel[] = { (char *)"6.17", NULL };
	TuRun pr = run_paths(o, paths, 2);

	ck_assert_int_eq(pr.status, SIM_EXIT_USAGE);
	ck_assert_str_eq(pr.out, "");
	want = g_strdup_printf(
	    "reuseport-sim: %s/broken.scn:4:1: unknown verb 'bnd', did you "
	    "mean 'bind'?\n"
	    "reuseport-sim: %s/broken.scn:5:8: unknown name 'm' (expected a "
	    "socket, map or program), did you mean 'a'?\n", bad, bad);
	ck_assert_str_eq(pr.err, want);
	tu_run_clear(&pr);

	/* the same as TAP: still TAP, a Bail out! at the first error */
	o.format = SIM_FORMAT_TAP;
	pr = run_paths(o, paths, 2);
	ck_assert_int_eq(pr.status, SIM_EXIT_USAGE);
	g_free(want);
	want = g_strdup_printf("TAP version 13\n1..0\n"
	    "# %s/broken.scn:4:1: unknown verb 'bnd', did you mean 'bind'?\n"
	    "# %s/broken.scn:5:8: unknown name 'm' (expected a socket, map or "
	    "program), did you mean 'a'?\n"
	    "Bail out! %s/broken.scn:4:1: unknown verb 'bnd', did you mean "
	    "'bind'? (and more, above)\n", bad, bad, bad);
	ck_assert_str_eq(pr.out, want);
	tu_run_clear(&pr);

	/* and as JSON: an error object each, then the summary */
	o.format = SIM_FORMAT_JSON;
	pr = run_paths(o, paths, 2);
	ck_assert_int_eq(pr.status, SIM_EXIT_USAGE);
	g_free(want);
	want = g_strdup_printf("{\"type\":\"error\",\"command\":\"run\","
	    "\"file\":\"%s/broken.scn\",\"line\":4,\"column\":1,"
	    "\"message\":\"unknown verb 'bnd', did you mean 'bind'?\"}\n",
	    bad);
	ck_assert_msg(g_str_has_prefix(pr.out, want), "%s", pr.out);
	ck_assert_msg(strstr(pr.out, "\n{\"type\":\"summary\",\"command\":"
	    "\"run\",\"passed\":0,\"failed\":0,\"skipped\":0,\"errors\":2,"
	    "\"status\":2}\n") != NULL, "%s", pr.out);
	tu_run_clear(&pr);
	o.format = SIM_FORMAT_TEXT;

	pr = run_paths(o, paths2, 1);
	ck_assert_int_eq(pr.status, SIM_EXIT_USAGE);
	g_free(want);
	want = g_strdup_printf("reuseport-sim: %s: no such file or "
	    "directory\n", missing);
	ck_assert_str_eq(pr.err, want);
	tu_run_clear(&pr);

	o.profiles = sel;
	pr = run_paths(o, paths, 1);
	ck_assert_int_eq(pr.status, SIM_EXIT_USAGE);
	g_free(want);
	want = with_profiles("reuseport-sim: unknown profile '6.17' (the "
	    "model has PROFILES), did you mean '6.1'?\n");
	ck_assert_str_eq(pr.err, want);
	tu_run_clear(&pr);
}
END_TEST

TU_CASE(paths_parse_error, "sim/run")
{
	g_autofree char *tmp = g_dir_make_tmp("check_sim-XXXXXX", NULL);
	g_autofree char *f = g_build_filename(tmp, "x.scn", NULL);
	g_autofree char *want = NULL;
	SimRunOptions o = { 0 };
	TuRun pr;

	ck_assert(g_file_set_contents(f, "socket a udp4\ninclude \"no.inc\"\n"
	    "lookup m 0 = -EFOO\n", -1, NULL));
	pr = run_paths(o, &f, 1);
	ck_assert_int_eq(pr.status, SIM_EXIT_USAGE);
	want = g_strdup_printf("reuseport-sim: %s:2:1: cannot include "
	    "'%s/no.inc': No such file or directory\nreuseport-sim: %s:3:14: "
	    "unknown errno 'EFOO'\n", f, tmp, f);
	ck_assert_str_eq(pr.err, want);
	tu_run_clear(&pr);
	g_unlink(f);
	g_rmdir(tmp);
}
END_TEST

/* ----------------------------------------------------------------------
 * sim/cli: the command line, through the built binary ($SIM)
 */

/* Run $SIM with argv; FALSE when there is no $SIM to run. */
static gboolean
spawn_sim(const char *const *args, int *status, char **out, char **err)
{
	const char *sim = g_getenv("SIM");
	g_autoptr(GPtrArray) argv = g_ptr_array_new();
	g_autoptr(GError) e = NULL;
	int ws;

	if (sim == NULL || !g_file_test(sim, G_FILE_TEST_IS_EXECUTABLE))
		return FALSE;
	g_ptr_array_add(argv, (char *)sim);
	for (; *args != NULL; args++)
		g_ptr_array_add(argv, (char *)*args);
	g_ptr_array_add(argv, NULL);
	ck_assert_msg(g_spawn_sync(NULL, (char **)argv->pdata, NULL, 0, NULL,
	    NULL, out, err, &ws, &e), "%s", e != NULL ? e->message : "");
	ck_assert(WIFEXITED(ws));
	*status = WEXITSTATUS(ws);
	return TRUE;
}

static const struct {
	const char	*args[6];
	int		 status;
	const char	*out_has;	/* substring of stdout, or NULL */
	const char	*err_has;	/* substring of stderr, or NULL */
} cli_cases[] = {
	{ { "--version" }, 0, "reuseport-sim (reuseport-model) ", NULL },
	{ { "--version" }, 0, "License: LGPL-2.1 OR BSD-2-Clause", NULL },
	{ { "-V" }, 0, "reuseport-sim (reuseport-model) ", NULL },
	{ { "--help" }, 0, "usage: reuseport-sim run", NULL },
	{ { "run", "--help" }, 0, "--keep-going", NULL },
	{ { "run", "--help" }, 0, "(values: 4.19, ", NULL },
	{ { "list-verbs" }, 0, "send udp|tcp DST from SRC", NULL },
	{ { "list-profiles" }, 0, "6.18\n", NULL },
	/* a usage error: one line and where to look, not the usage */
	{ { NULL }, 2, NULL, "reuseport-sim: no command given\n"
	    "Try 'reuseport-sim --help' for more information.\n" },
	{ { "run", "--frmat" }, 2, NULL, "reuseport-sim: run: unknown option "
	    "'--frmat', did you mean '--format'?\nTry 'reuseport-sim run "
	    "--help' for more information.\n" },
	{ { "rnu" }, 2, NULL, "unknown command 'rnu', did you mean 'run'?" },
	{ { "explian", "x" }, 2, NULL,
	    "unknown command 'explian', did you mean 'explain'?" },
	{ { "--verison" }, 2, NULL, "did you mean '--version'?" },
	{ { "run" }, 2, NULL, "run: no FILE|DIR... given" },
	{ { "run", "--formt=tap", "x" }, 2, NULL,
	    "unknown option '--formt=tap', did you mean '--format'?" },
	{ { "run", "--format", "xml", "x" }, 2, NULL,
	    "unknown format 'xml' (text, tap or json)" },
	{ { "run", "--profile" }, 2, NULL, "option '--profile' needs a value" },
	{ { "run", "--profile", "5.4", "x" }, 2, NULL,
	    "reuseport-sim: run: unknown profile '5.4' (the model has 4.19" },
	{ { "list-verbs", "x" }, 2, NULL, "unexpected argument 'x'" },
	{ { "run", "--backend", "modle", "x" }, 2, NULL,
	    "unknown backend 'modle', did you mean 'model'?" },
};

TU_LOOP(cli, "sim/cli", G_N_ELEMENTS(cli_cases))
{
	g_autofree char *out = NULL, *err = NULL;
	int status;

	if (!spawn_sim(cli_cases[_i].args, &status, &out, &err))
		return;		/* no $SIM: skipped */
	ck_assert_int_eq(status, cli_cases[_i].status);
	if (cli_cases[_i].out_has != NULL)
		ck_assert_msg(strstr(out, cli_cases[_i].out_has) != NULL,
		    "stdout: %s", out);
	if (cli_cases[_i].err_has != NULL)
		ck_assert_msg(strstr(err, cli_cases[_i].err_has) != NULL,
		    "stderr: %s", err);
}
END_TEST

/* ----------------------------------------------------------------------
 * the suite
 */

TU_TCASE("sim/cli", 30, NULL, NULL)


TU_MAIN("sim")
