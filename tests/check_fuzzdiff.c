/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * check_fuzzdiff.c - random differential testing without a kernel: the
 * generator (sim/tools/gen.c), the shrinker (sim/tools/shrink.c), the
 * comparison's chance and root flags (sim/tools/diff.c) and fuzz-diff
 * itself (sim/tools/fuzzdiff.c, sim/cli/cmd-fuzzdiff.c), against fake
 * backends that diverge from the model where a test plants it, as
 * tests/check_kdiff.c does:
 *
 *	freeze	the model, but every BPF_MAP_FREEZE fails with -EPERM and
 *		there are no model-only queries (like a kernel);
 *	flip	the model, but every packet hashes to the other end of the
 *		hash space from the one the scenario names;
 *	nosock	the model, but socket() fails with -EMFILE;
 *	bad	the model itself as the reference, whose checker reports a
 *		planted invariant violation once a map was frozen.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "backend/model.h"
#include "cli/cmd-fuzzdiff.h"
#include "core/error.h"
#include "core/exec.h"
#include "core/run.h"
#include "tools/diff.h"
#include "tools/fuzzdiff.h"
#include "tools/gen.h"
#include "tools/shrink.h"
#include "simutil.h"
#include "testutil.h"

/* ----------------------------------------------------------------------
 * Fake backends
 */

static SimBackendOps
fake_freeze(void)
{
	SimBackendOps ops = tu_fake_backend();

	ops.map_freeze = tu_freeze_eperm;
	return ops;
}

static int
send_flipped(SimBackend *b, unsigned netns, const struct rp_packet *pkt,
    struct rp_delivery *out)
{
	struct rp_packet p = *pkt;

	p.hash = pkt->has_hash && pkt->hash < 0x80000000u ? 0xffffffffu : 0;
	p.has_hash = TRUE;
	return sim_backend_model.send(b, netns, &p, out);
}

static SimBackendOps
fake_flip(void)
{
	SimBackendOps ops = tu_fake_backend();

	ops.send = send_flipped;
	return ops;
}

static int
socket_emfile(SimBackend *b, unsigned proc, int family, int type,
    int protocol)
{
	(void)b;
	(void)proc;
	(void)family;
	(void)type;
	(void)protocol;
	return -EMFILE;
}

static SimBackendOps
fake_nosock(void)
{
	SimBackendOps ops = tu_fake_backend();

	ops.socket = socket_emfile;
	return ops;
}

/* walk: the first key of a map is the model's second (another order) */
static int
next_key_second(SimBackend *b, unsigned proc, int fd, const uint32_t *key,
    uint32_t *next)
{
	uint32_t first;
	int ret;

	if (key != NULL)
		return sim_backend_model.map_next_key(b, proc, fd, key, next);
	ret = sim_backend_model.map_next_key(b, proc, fd, NULL, &first);
	if (ret != 0)
		return ret;
	return sim_backend_model.map_next_key(b, proc, fd, &first, next);
}

static SimBackendOps
fake_walk(void)
{
	SimBackendOps ops = tu_fake_backend();

	ops.map_next_key = next_key_second;
	return ops;
}

/* twice: freeze is -EPERM (the manifest will know) and SO_COOKIE
 * -ENOPROTOOPT (it will not) */
static int
cookie_enoprotoopt(SimBackend *b, unsigned proc, int fd, uint64_t *cookie)
{
	(void)b;
	(void)proc;
	(void)fd;
	(void)cookie;
	return -ENOPROTOOPT;
}

static SimBackendOps
fake_twice(void)
{
	SimBackendOps ops = fake_freeze();

	ops.get_cookie = cookie_enoprotoopt;
	return ops;
}

/* bad: a frozen map "breaks I3" from then on, until the next open() */
static gboolean bad_frozen;
static SimInspectOps bad_inspect;

static SimBackend *
bad_open(const char *profile, GError **error)
{
	bad_frozen = FALSE;
	return sim_backend_model.open(profile, error);
}

static int
bad_freeze(SimBackend *b, unsigned proc, int fd)
{
	int ret = sim_backend_model.map_freeze(b, proc, fd);

	bad_frozen |= ret == 0;
	return ret;
}

static gboolean
bad_check(SimBackend *b, SimCheckMode mode, GError **error)
{
	if (bad_frozen) {
		g_set_error(error, RP_CHECK_ERROR, 3, "I3 planted: a map was "
		    "frozen");
		return FALSE;
	}
	return sim_backend_model.inspect->check(b, mode, error);
}

static SimBackendOps
fake_bad(void)
{
	SimBackendOps ops = sim_backend_model;

	bad_inspect = *sim_backend_model.inspect;
	bad_inspect.check = bad_check;
	ops.name = "model";
	ops.open = bad_open;
	ops.map_freeze = bad_freeze;
	ops.inspect = &bad_inspect;
	return ops;
}

static SimScenario *
parse(const char *name, const char *src)
{
	g_autoptr(GError) e = NULL;
	g_autoptr(GPtrArray) errors = g_ptr_array_new_with_free_func(g_free);
	SimScenario *sc = sim_parse_buffer(name, src, strlen(src), NULL, NULL,
	    &e);

	ck_assert_msg(sc != NULL, "%s: %s", name, e != NULL ? e->message :
	    "?");
	ck_assert_msg(sim_check_scenario(sc, errors), "%s: %s", name,
	    errors->len > 0 ? (char *)errors->pdata[0] : "?");
	return sc;
}

static char *
gen(guint64 seed, guint steps, guint flags)
{
	SimGenOptions o = { seed, steps, "6.18", NULL, flags };

	return sim_gen_scenario(&o);
}

/* The statements of text (lines that are neither comments, blank nor
 * the profile line). */
static guint
statements(const char *text)
{
	g_auto(GStrv) l = g_strsplit(text, "\n", -1);
	guint i, n = 0;

	for (i = 0; l[i] != NULL; i++)
		if (l[i][0] != '\0' && l[i][0] != '#' &&
		    !g_str_has_prefix(l[i], "profile "))
			n++;
	return n;
}

/* ----------------------------------------------------------------------
 * The generator
 */

/* The same options give the same text; another seed another one. */
TU_NAMED(gen_deterministic, "fuzzdiff/gen/deterministic", "fuzzdiff", 0)
{
	guint64 seed;

	for (seed = 0; seed < 50; seed++) {
		g_autofree char *a = gen(seed, 80, 0);
		g_autofree char *b = gen(seed, 80, 0);
		g_autofree char *k = gen(seed, 80, SIM_GEN_KERNEL);
		g_autofree char *k2 = gen(seed, 80, SIM_GEN_KERNEL);
		g_autofree char *c = gen(seed + 1, 80, 0);

		ck_assert_str_eq(a, b);
		ck_assert_str_eq(k, k2);
		ck_assert_str_ne(a, c);
	}
}

/* The header names the seed and how to write it again; the count of
 * statements is the one asked for. */
TU_NAMED(gen_header, "fuzzdiff/gen/header", "fuzzdiff", 0)
{
	g_autofree char *t = gen(7, 40, SIM_GEN_KERNEL);
	SimGenOptions o = { 7, 1, NULL, "x/y.scn: a title", 0 };
	g_autofree char *one = sim_gen_scenario(&o);
	guint n;

	ck_assert(g_str_has_prefix(t, "# seed-7.scn: a random scenario\n"
	    "# Seed: 7, 40 steps, kernel steps only (reuseport-sim gen "
	    "--seed 7 --steps 40 --kernel-steps)\nprofile 6.18\n"));
	ck_assert_uint_eq(statements(t), 40);
	ck_assert(g_str_has_prefix(one, "# x/y.scn: a title\n# Seed: 7, 1 "
	    "steps (reuseport-sim gen --seed 7 --steps 1)\n"));
	ck_assert_uint_eq(statements(one), 1);
	for (n = 1; n < 30; n++) {
		g_autofree char *s = gen(n, n, 0);

		ck_assert_uint_eq(statements(s), n);
	}
}

/* What the generator writes, over 300 scenarios of each kind. */
static const char *const kernel_never[] = { "owner ", "ack-requests",
	"synack-timer", "conn=request", " hash=",
	"kernel.unprivileged_bpf_disabled", "\ncpu 1 ", NULL };
static const char *const everywhere[] = { "socket ", "setsockopt ",
	"reuseport 1", "reuseaddr 1", "reuseaddr 0", "v6only", "incoming_cpu",
	"bindtoifindex", "bind ",
	":0 ", "listen ", "connect ", "unspec", "shutdown ", "accept ",
	"close ", "dup ", "pass ", "cookie ", "map ", "sockarray",
	"sockmap", "sockhash", "array_of_maps", "hash_of_maps", " array ",
	"entries=1 ", "entries=65536", "value=4", "flags=", "update ",
	" noexist", " exist", " lock", "lookup ", "flags=4", "delete ",
	"next-key ", "lookup-and-delete ", "lookup-batch ", "freeze ",
	"prog ", "type=socket_filter", "attach=select", "attach=migrate",
	"key=const:", "key=payload:", "key=hash", "key=migrate",
	"on-error=pass", " drop", " migrate-only", " bad-helper", "outer=",
	"attach ", "cbpf", "prog p", "detach ", "migrate-key ", "send udp",
	"send tcp", "payload=", "conn=established", "conn=fastopen", " as k",
	"sysctl net.ipv4.tcp_migrate_req", "proc ", "netns ", "caps ",
	"rlimit ", "cpu 0", "uid=1000", "udp6", "tcp6", "udplite",
	"proto=262", "[::ffff:127.0.0.1]", "0.0.0.0:", "[::]:", "u1: ",
	NULL };
static const char *const model_only[] = { "owner ", "ack-requests",
	"synack-timer", "conn=request", " hash=",
	"kernel.unprivileged_bpf_disabled", NULL };

TU_NAMED(gen_breadth, "fuzzdiff/gen/breadth", "fuzzdiff", 0)
{
	GString *all = g_string_new(NULL), *kall = g_string_new(NULL);
	guint64 seed;
	guint i;

	for (seed = 0; seed < 300; seed++) {
		g_autofree char *t = gen(seed, 80, 0);
		g_autofree char *k = gen(seed, 80, SIM_GEN_KERNEL);

		g_string_append(all, t);
		g_string_append(kall, k);
	}
	for (i = 0; kernel_never[i] != NULL; i++)
		ck_assert_msg(strstr(kall->str, kernel_never[i]) == NULL,
		    "kernel steps only, yet '%s'", kernel_never[i]);
	for (i = 0; everywhere[i] != NULL; i++)
		ck_assert_msg(strstr(kall->str, everywhere[i]) != NULL,
		    "300 kernel scenarios without '%s'", everywhere[i]);
	for (i = 0; model_only[i] != NULL; i++)
		ck_assert_msg(strstr(all->str, model_only[i]) != NULL,
		    "300 scenarios without '%s'", model_only[i]);
	g_string_free(all, TRUE);
	g_string_free(kall, TRUE);
}

/*
 * Every scenario parses, passes the check pass, runs on the model under
 * every profile with a result for every statement, and breaks no
 * invariant; and most steps succeed (they do something).
 */
TU_NAMED(gen_valid, "fuzzdiff/gen/valid", "fuzzdiff", 0)
{
	static const char *const profiles[] = { "4.19", "5.10", "6.1",
		"6.12", "6.18", "7.2" };
	guint ok = 0, steps = 0;
	guint64 seed;
	guint p, i;

	for (seed = 0; seed < 100; seed++) {
		for (p = 0; p < 2 * G_N_ELEMENTS(profiles); p++) {
			SimGenOptions o = { seed, 80,
			    profiles[p / 2], NULL, p % 2 ? SIM_GEN_KERNEL : 0 };
			g_autofree char *t = sim_gen_scenario(&o);
			g_autoptr(SimScenario) sc = parse("g.scn", t);
			SimExecOptions xo = { .ops = &sim_backend_model,
			    .keep_going = TRUE };
			SimReport rep = { 0 };

			rep.steps = sim_steps_new();
			sim_run_scenario(sc, profiles[p / 2], &xo, &rep);
			ck_assert_uint_eq(rep.steps->len, 80);
			for (i = 0; rep.messages != NULL &&
			    i < rep.messages->len; i++)
				ck_assert_msg(!sim_diff_is_violation(
				    rep.messages->pdata[i]), "seed %"
				    G_GUINT64_FORMAT " [%s]: %s\n%s",
				    o.seed, profiles[p / 2],
				    (char *)rep.messages->pdata[i], t);
			for (i = 0; i < rep.steps->len; i++) {
				const SimStep *s = rep.steps->pdata[i];

				steps++;
				ok += s->result != NULL && s->result[0] != '-';
			}
			sim_report_clear(&rep);
		}
	}
	ck_assert_msg(ok * 100 >= steps * 60, "only %u of %u steps "
	    "succeeded", ok, steps);
}

/*
 * The names the executor looks up while it runs (a cookie, the port of
 * ADDR:NAME) stand for something then: no scenario of 200 seeds, kernel
 * steps or not, stops on the model with "has no port to use" or "cannot
 * get the cookie" (9% of them did before the generator knew which
 * sockets surely exist).
 */
TU_NAMED(gen_lookups, "fuzzdiff/gen/lookups", "fuzzdiff", 0)
{
	guint64 seed;
	guint i, k;

	for (seed = 0; seed < 200; seed++) {
		for (k = 0; k < 2; k++) {
			SimGenOptions o = { seed, 60, "6.18", NULL,
			    k ? SIM_GEN_KERNEL : 0 };
			g_autofree char *t = sim_gen_scenario(&o);
			g_autoptr(SimScenario) sc = parse("g.scn", t);
			SimExecOptions xo = { .ops = &sim_backend_model,
			    .keep_going = TRUE };
			SimReport rep = { 0 };

			rep.steps = sim_steps_new();
			sim_run_scenario(sc, "6.18", &xo, &rep);
			for (i = 0; rep.messages != NULL &&
			    i < rep.messages->len; i++) {
				const char *m = rep.messages->pdata[i];

				ck_assert_msg(strstr(m, "has no port to use") ==
				    NULL && strstr(m, "cannot get the cookie")
				    == NULL, "seed %" G_GUINT64_FORMAT "%s: %s\n%s",
				    seed, k ? " (kernel steps)" : "", m, t);
			}
			sim_report_clear(&rep);
		}
	}
}

/* ----------------------------------------------------------------------
 * The shrinker
 */

typedef struct {
	const char *const *need;	/* lines that must all be there */
	guint calls;
} Need;

static gboolean
has_all(const char *text, gpointer ud)
{
	Need *n = ud;
	guint i;

	n->calls++;
	for (i = 0; n->need[i] != NULL; i++)
		if (strstr(text, n->need[i]) == NULL)
			return FALSE;
	return TRUE;
}

/* ddmin keeps exactly the two lines that matter, and the header. */
TU_NAMED(shrink_ddmin, "fuzzdiff/shrink/ddmin", "fuzzdiff", 0)
{
	static const char *const need[] = { "socket s7 udp4 = any\n",
		"socket s19 udp4 = any\n", NULL };
	GString *t = g_string_new("# title\n# Seed: 1\nprofile 6.18\n");
	SimShrinkStats st = { 0 };
	Need n = { need, 0 };
	g_autofree char *min = NULL;
	guint i;

	for (i = 0; i < 40; i++)
		g_string_append_printf(t, "socket s%u udp4 = any\n", i);
	min = sim_shrink(t->str, has_all, &n, 1000, &st);
	ck_assert_str_eq(min, "# title\n# Seed: 1\nprofile 6.18\n"
	    "socket s7 udp4 = any\nsocket s19 udp4 = any\n");
	ck_assert_uint_eq(st.units_before, 40);
	ck_assert_uint_eq(st.units_after, 2);
	ck_assert_uint_eq(st.tests, n.calls);
	ck_assert(!st.budget_out);
	/* each text is tried once */
	ck_assert_uint_lt(n.calls, 200);
	g_string_free(t, TRUE);
}

/* The budget stops it, with a text that still fails. */
TU_NAMED(shrink_budget, "fuzzdiff/shrink/budget", "fuzzdiff", 0)
{
	static const char *const need[] = { "s3 ", "s33 ", NULL };
	GString *t = g_string_new(NULL);
	SimShrinkStats st = { 0 };
	Need n = { need, 0 };
	g_autofree char *min = NULL;
	guint i;

	for (i = 0; i < 40; i++)
		g_string_append_printf(t, "socket s%u udp4 = any\n", i);
	min = sim_shrink(t->str, has_all, &n, 5, &st);
	ck_assert(st.budget_out);
	ck_assert_uint_eq(st.tests, 5);
	ck_assert_uint_eq(n.calls, 5);
	ck_assert(has_all(min, &n));
	g_string_free(t, TRUE);
}

/* Options go one by one, a label goes, large numbers become small, a
 * definition goes with the statements that name it. */
TU_NAMED(shrink_simplify, "fuzzdiff/shrink/simplify", "fuzzdiff", 0)
{
	static const char *const need[] = { "map m1 sockarray", "freeze m1",
		NULL };
	Need n = { need, 0 };
	g_autofree char *min = sim_shrink(
	    "profile 6.18\n"
	    "proc u1 = any\n"
	    "u1: map m1 sockarray entries=65536 name=\"fuzz\" = any\n"
	    "map m2 sockmap = any\n"
	    "update m2 0 m2 = any\n"
	    "lookup m2 0 = any\n"
	    "u1: freeze m1 = any\n", has_all, &n, 1000, NULL);

	ck_assert_str_eq(min, "profile 6.18\nmap m1 sockarray = any\n"
	    "freeze m1 = any\n");
}

/* ----------------------------------------------------------------------
 * The comparison's flags
 */

/* The scenario of the last compare(): its divergences point into it. */
static SimScenario *compared;

/* Compare src between the model and ops with flags; the result, valid
 * until compare_clear(). */
static void
compare(const char *src, const SimBackendOps *ops, guint flags,
    SimDiffResult *r)
{
	g_autoptr(SimDiff) d = sim_diff_new(&sim_backend_model, ops, NULL);

	g_clear_pointer(&compared, sim_scenario_free);
	compared = parse("c.scn", src);
	sim_diff_set_flags(d, flags);
	sim_diff_scenario(d, compared, "6.18", r);
}

/* Done with a compare() result: it and its scenario go. */
static void
compare_clear(SimDiffResult *r)
{
	sim_diff_result_clear(r);
	g_clear_pointer(&compared, sim_scenario_free);
}

#define TCP_PAIR \
	"socket a tcp4 = any\n" \
	"setsockopt a reuseport 1 = any\n" \
	"bind a 127.0.0.1:7000 = any\n" \
	"listen a = any\n" \
	"socket b tcp4 = any\n" \
	"setsockopt b reuseport 1 = any\n" \
	"bind b 127.0.0.1:7000 = any\n" \
	"listen b = any\n"

/*
 * The fake's hash picks the other listener: the delivery compares as
 * delivered, but the accepts that follow differ, unless SIM_DIFF_CHANCE
 * leaves the group's members to chance.  A program keyed by the hash
 * is chance too; a constant key is not.
 */
TU_NAMED(diff_chance, "fuzzdiff/diff/chance", "fuzzdiff", 0)
{
	static const char src[] = TCP_PAIR
	    "send tcp 127.0.0.1:7000 from 127.0.0.1:40000 hash=0 as k = any\n"
	    "accept a as c = any\n"
	    "accept b as d = any\n"
	    "socket e udp4 = any\n"
	    "cookie e = any\n";
	SimBackendOps ops = fake_flip();
	SimDiffResult r = { 0 };

	compare(src, &ops, 0, &r);
	ck_assert_uint_eq(r.divergences->len, 2);
	ck_assert_uint_eq(r.chance, 0);
	compare_clear(&r);

	compare(src, &ops, SIM_DIFF_CHANCE, &r);
	ck_assert_uint_eq(r.divergences->len, 0);
	ck_assert_uint_eq(r.chance, 2);		/* the accepts */
	ck_assert_uint_eq(r.compared, 11);	/* e is still compared */
	compare_clear(&r);

	/* one listener: the hash chose nothing */
	compare("socket a tcp4 = any\nbind a 127.0.0.1:7000 = any\n"
	    "listen a = any\n"
	    "send tcp 127.0.0.1:7000 from 127.0.0.1:40000 hash=0 = any\n"
	    "accept a as c = any\n", &ops, SIM_DIFF_CHANCE, &r);
	ck_assert_uint_eq(r.chance, 0);
	ck_assert_uint_eq(r.divergences->len, 0);
	compare_clear(&r);
}

/*
 * A send whose own words are already left to chance (the port, named by
 * an earlier send the hash decided) still moves what its hash chose: the
 * accepts after it are chance too (found by fuzz-diff, host seed
 * 10001025: the accepts were compared).
 */
TU_NAMED(diff_chance_touched, "fuzzdiff/diff/chance-touched", "fuzzdiff", 0)
{
	static const char src[] =
	    "socket u udp4 = any\n"
	    "setsockopt u reuseport 1 = any\n"
	    "bind u 127.0.0.1:7000 = any\n"
	    "socket v udp4 = any\n"
	    "setsockopt v reuseport 1 = any\n"
	    "bind v 127.0.0.1:7000 = any\n"
	    TCP_PAIR
	    "send udp 127.0.0.1:7000 from 127.0.0.1:40001 hash=0 = any\n"
	    "send tcp 127.0.0.1:7000 from 127.0.0.1:40000 hash=0 = any\n"
	    "accept a as c = any\n"
	    "accept b as d = any\n";
	SimBackendOps ops = fake_flip();
	SimDiffResult r = { 0 };

	compare(src, &ops, SIM_DIFF_CHANCE, &r);
	ck_assert_uint_eq(r.divergences->len, 0);
	ck_assert_uint_ge(r.chance, 3);		/* the TCP send, the accepts */
	compare_clear(&r);
}

TU_NAMED(diff_chance_prog, "fuzzdiff/diff/chance-prog", "fuzzdiff", 0)
{
	static const char fmt[] = TCP_PAIR
	    "map m sockarray entries=2 = any\n"
	    "update m 0 a = any\n"
	    "update m 1 b = any\n"
	    "prog p map=m key=%s = any\n"
	    "attach a prog p = any\n"
	    "send tcp 127.0.0.1:7000 from 127.0.0.1:40000 hash=0 = any\n"
	    "accept a as c = any\n"
	    "accept b as d = any\n";
	SimBackendOps ops = fake_flip();
	SimDiffResult r = { 0 };
	g_autofree char *hashed = g_strdup_printf(fmt, "hash:2");
	g_autofree char *fixed = g_strdup_printf(fmt, "const:1");

	compare(hashed, &ops, 0, &r);
	ck_assert_uint_ge(r.divergences->len, 1);
	compare_clear(&r);
	compare(hashed, &ops, SIM_DIFF_CHANCE, &r);
	ck_assert_uint_eq(r.divergences->len, 0);
	ck_assert_uint_eq(r.chance, 2);
	compare_clear(&r);
	compare(fixed, &ops, SIM_DIFF_CHANCE, &r);
	ck_assert_uint_eq(r.divergences->len, 0);
	ck_assert_uint_eq(r.chance, 0);
	compare_clear(&r);
}

/* The first key of a sockhash of two keys is chance; of one key, not;
 * nor of a sockmap (an array). */
TU_NAMED(diff_chance_walk, "fuzzdiff/diff/chance-walk", "fuzzdiff", 0)
{
	static const char src[] =
	    "socket a tcp4 = any\n"
	    "listen a = any\n"
	    "map h sockhash = any\n"
	    "update h 7 a = any\n"
	    "next-key h = any\n"
	    "update h 3 a = any\n"
	    "next-key h = any\n"
	    "map s sockmap = any\n"
	    "update s 1 a = any\n"
	    "update s 2 a = any\n"
	    "next-key s = any\n";
	SimBackendOps ops = fake_walk();
	SimDiffResult r = { 0 };

	compare(src, &ops, 0, &r);
	ck_assert_uint_eq(r.divergences->len, 3);
	compare_clear(&r);
	compare(src, &ops, SIM_DIFF_CHANCE, &r);
	ck_assert_uint_eq(r.divergences->len, 2);
	ck_assert_uint_eq(((SimDivergence *)r.divergences->pdata[0])->st->line,
	    5);
	ck_assert_uint_eq(((SimDivergence *)r.divergences->pdata[1])->st->line,
	    11);
	compare_clear(&r);
}

/* SIM_DIFF_ROOTS: a socket() that fails on one side is one divergence,
 * not one for every later step naming the socket. */
TU_NAMED(diff_roots, "fuzzdiff/diff/roots", "fuzzdiff", 0)
{
	static const char src[] =
	    "map m sockarray = any\n"
	    "socket a udp4 = any\n"
	    "setsockopt a reuseport 1 = any\n"
	    "bind a 127.0.0.1:7000 = any\n"
	    "update m 0 a = any\n"
	    "lookup m 0 = any\n"
	    "map n sockarray = any\n"
	    "dup m as m2 = any\n"
	    "lookup m2 0 = any\n";
	SimBackendOps ops = fake_nosock();
	SimDiffResult r = { 0 };

	compare(src, &ops, 0, &r);
	ck_assert_uint_eq(r.divergences->len, 6);
	compare_clear(&r);
	compare(src, &ops, SIM_DIFF_ROOTS, &r);
	ck_assert_uint_eq(r.divergences->len, 1);
	ck_assert_str_eq(((SimDivergence *)r.divergences->pdata[0])->b,
	    "-EMFILE");
	/* a, then m through a, then m2, the same map as m */
	ck_assert_uint_eq(r.chance, 6);
	ck_assert_uint_eq(r.compared, 3);	/* map m, socket, map n */
	compare_clear(&r);
}

/* The reference's own violations are collected, first lines only. */
TU_NAMED(diff_violations, "fuzzdiff/diff/violations", "fuzzdiff", 0)
{
	SimBackendOps bad = fake_bad();
	g_autoptr(SimScenario) sc = parse("v.scn", "map m sockarray = any\n"
	    "freeze m = any\nlookup m 0 = any\n");
	g_autoptr(SimDiff) d = sim_diff_new(&bad, &sim_backend_model, NULL);
	SimDiffResult r = { 0 };

	sim_diff_scenario(d, sc, "6.18", &r);
	ck_assert_uint_eq(r.divergences->len, 0);
	ck_assert_uint_eq(r.violations->len, 2);
	ck_assert_str_eq(r.violations->pdata[0], "v.scn:2:1: invariant "
	    "violated: I3 planted: a map was frozen");
	sim_diff_result_clear(&r);
	ck_assert(sim_diff_is_violation("f.scn:1:2: I14 lookup: x"));
	ck_assert(sim_diff_is_violation("f.scn:1:2: I16 selection: x"));
	ck_assert(!sim_diff_is_violation("f.scn:1:2: expected 0, got 1"));
	ck_assert(!sim_diff_is_violation("no location"));
}

/* ----------------------------------------------------------------------
 * fuzz-diff
 */

static SimFuzzOptions
fuzz_options(const SimBackendOps *a, const SimBackendOps *b, guint64 seed,
    guint steps)
{
	SimFuzzOptions o = { 0 };

	o.a = a;
	o.b = b;
	o.profile = "6.18";
	o.seed = seed;
	o.steps = steps;
	o.length = 60;
	o.max_shrink = 400;
	o.repro = 2;
	o.found_by = "check_fuzzdiff";
	o.kernel = "a fake";
	return o;
}

/* A planted divergence (every freeze) is found, and shrunk to the map
 * and its freeze, with the fake's answers as expectations. */
TU_NAMED(fuzz_planted, "fuzzdiff/run/planted", "fuzzdiff", 0)
{
	SimBackendOps ops = fake_freeze();
	SimFuzzOptions o = fuzz_options(&sim_backend_model, &ops, 200, 1800);
	g_autoptr(SimFuzz) f = sim_fuzz_new(&o);
	const SimFuzzFinding *fd;
	const GPtrArray *all;
	guint i;

	sim_fuzz_run(f, NULL, NULL);
	all = sim_fuzz_findings(f);
	ck_assert_uint_ge(all->len, 1);
	for (i = 0; i < all->len; i++) {
		g_autoptr(SimScenario) sc = NULL;

		fd = all->pdata[i];
		ck_assert_msg(g_str_has_prefix(fd->signature, "freeze: ") &&
		    g_str_has_suffix(fd->signature, " vs -EPERM"), "%s",
		    fd->signature);
		ck_assert_uint_eq(fd->units_before, 60);
		ck_assert_msg(fd->units_after == 2, "%s", fd->minimal);
		ck_assert_uint_eq(fd->reproduced, 2);
		ck_assert_uint_eq(fd->reruns, 2);
		ck_assert(!fd->budget_out);
		ck_assert_msg(strstr(fd->minimal, " = -EPERM\n") != NULL,
		    "%s", fd->minimal);
		ck_assert(strstr(fd->minimal, "# Found by: check_fuzzdiff\n")
		    != NULL);
		ck_assert(strstr(fd->minimal, "\nprofile 6.18\n") != NULL);
		/* the saved scenario is a scenario */
		sc = parse(fd->name, fd->minimal);
		ck_assert_uint_eq(sc->stmts->len, 2);
		ck_assert_str_eq(((SimStmt *)sc->stmts->pdata[0])->verb,
		    "map");
		ck_assert_str_eq(((SimStmt *)sc->stmts->pdata[1])->verb,
		    "freeze");
	}
	ck_assert_uint_eq(sim_fuzz_counts(f)->steps, 1800);
	ck_assert_uint_eq(sim_fuzz_counts(f)->cases, 30);
	ck_assert_uint_ge(sim_fuzz_counts(f)->failed, all->len);
}

/* The manifest explains it: nothing fails, the pattern counts its uses. */
TU_NAMED(fuzz_known, "fuzzdiff/run/known", "fuzzdiff", 0)
{
	SimBackendOps ops = fake_freeze();
	SimFuzzOptions o = fuzz_options(&sim_backend_model, &ops, 200, 1800);
	g_autoptr(GPtrArray) errors = g_ptr_array_new_with_free_func(g_free);
	static const char mtext[] = "\"freeze * => * vs -EPERM\" the fake\n";
	g_autoptr(SimManifest) m = sim_manifest_parse("k.manifest", mtext,
	    strlen(mtext), errors);
	g_autoptr(SimFuzz) f = NULL;

	o.manifest = m;
	f = sim_fuzz_new(&o);
	sim_fuzz_run(f, NULL, NULL);
	ck_assert_uint_eq(sim_fuzz_findings(f)->len, 0);
	ck_assert_uint_eq(sim_fuzz_counts(f)->failed, 0);
	ck_assert_uint_gt(sim_fuzz_counts(f)->known, 0);
	ck_assert_uint_eq(sim_diff_entry_uses(sim_fuzz_diff(f), 0),
	    sim_fuzz_counts(f)->known);
}

/* After a known divergence, an unexplained one is counted as following
 * it, not failed; before any, it fails and shrinks as ever. */
TU_NAMED(fuzz_following, "fuzzdiff/run/following", "fuzzdiff", 0)
{
	SimBackendOps ops = fake_twice();
	SimFuzzOptions o = fuzz_options(&sim_backend_model, &ops, 5, 6000);
	g_autoptr(GPtrArray) errors = g_ptr_array_new_with_free_func(g_free);
	static const char mtext[] = "\"freeze * => * vs -EPERM\" the fake\n";
	g_autoptr(SimManifest) m = sim_manifest_parse("k.manifest", mtext,
	    strlen(mtext), errors);
	g_autoptr(SimFuzz) f = NULL;
	const GPtrArray *all;
	guint i;

	o.manifest = m;
	f = sim_fuzz_new(&o);
	sim_fuzz_run(f, NULL, NULL);
	all = sim_fuzz_findings(f);
	ck_assert_uint_gt(sim_fuzz_counts(f)->following, 0);
	ck_assert_uint_gt(sim_fuzz_counts(f)->unexplained, 0);
	ck_assert_uint_ge(all->len, 1);
	for (i = 0; i < all->len; i++) {
		const SimFuzzFinding *fd = all->pdata[i];

		/* SO_COOKIE itself, or a lookup whose cookie the fake
		 * cannot name */
		ck_assert_msg(!g_str_has_prefix(fd->signature, "freeze: "),
		    "%s", fd->signature);
		ck_assert_msg(strstr(fd->minimal, "freeze") == NULL, "%s",
		    fd->minimal);
	}
}

/* A violation of the model's own invariant shrinks on the model alone. */
TU_NAMED(fuzz_violation, "fuzzdiff/run/violation", "fuzzdiff", 0)
{
	SimBackendOps bad = fake_bad();
	SimFuzzOptions o = fuzz_options(&bad, &sim_backend_model, 200, 1800);
	g_autoptr(SimFuzz) f = sim_fuzz_new(&o);
	const SimFuzzFinding *fd;

	sim_fuzz_run(f, NULL, NULL);
	ck_assert_uint_eq(sim_fuzz_findings(f)->len, 1);
	fd = sim_fuzz_findings(f)->pdata[0];
	ck_assert_str_eq(fd->signature, "violation: I3");
	ck_assert_msg(fd->units_after == 2, "%s", fd->minimal);
	ck_assert_uint_eq(fd->reproduced, 2);
	ck_assert_uint_gt(sim_fuzz_counts(f)->violations, 0);
}

/* The command's writers: text, TAP, JSON; the exit status; --save. */
static TuRun
fuzz_cmd(const SimFuzzOptions *o, SimFormat format, gboolean quiet,
    const char *dir)
{
	SimFuzzOut w = { format, NULL, dir, quiet };
	TuRun r = { 0 };
	size_t n = 0;

	w.out = open_memstream(&r.out, &n);
	r.status = sim_fuzz_diff_run(o, &w);
	fclose(w.out);
	return r;
}

TU_NAMED(fuzz_formats, "fuzzdiff/run/formats", "fuzzdiff", 0)
{
	SimBackendOps ops = fake_freeze();
	SimFuzzOptions o = fuzz_options(&sim_backend_model, &ops, 200, 600);
	g_autofree char *dir = g_dir_make_tmp("check_fuzzdiff-XXXXXX", NULL);
	g_autofree char *saved = NULL;
	GDir *d;
	const char *n;
	TuRun r;

	r = fuzz_cmd(&o, SIM_FORMAT_TEXT, FALSE, dir);
	ck_assert_int_eq(r.status, SIM_EXIT_FAIL);
	ck_assert(g_str_has_prefix(r.out, "fuzz-diff: seed 200, 600 steps "
	    "in cases of 60, profile 6.18, fake a fake\nPASS "
	    "fuzzdiff/seed-200.scn [6.18] ("));
	ck_assert_ptr_nonnull(strstr(r.out, "    new: freeze: "));
	ck_assert_ptr_nonnull(strstr(r.out, "; failed again in 2 of 2 runs; "
	    "saved "));
	ck_assert_ptr_nonnull(strstr(r.out, "        | # Found by: "));
	ck_assert_ptr_nonnull(strstr(r.out, "\nfuzz-diff: 10 cases ("));
	tu_run_clear(&r);
	d = g_dir_open(dir, 0, NULL);
	while ((n = g_dir_read_name(d)) != NULL) {
		g_autofree char *p = g_build_filename(dir, n, NULL);

		ck_assert(g_str_has_prefix(n, "seed-2") &&
		    g_str_has_suffix(n, ".scn"));
		g_free(saved);
		ck_assert(g_file_get_contents(p, &saved, NULL, NULL));
		ck_assert(g_str_has_prefix(saved, "# fuzzdiff/seed-2"));
		g_unlink(p);
	}
	g_dir_close(d);
	g_rmdir(dir);
	ck_assert_ptr_nonnull(saved);

	r = fuzz_cmd(&o, SIM_FORMAT_TEXT, TRUE, NULL);
	ck_assert_ptr_null(strstr(r.out, "\nPASS "));
	tu_run_clear(&r);

	r = fuzz_cmd(&o, SIM_FORMAT_TAP, FALSE, NULL);
	ck_assert(g_str_has_prefix(r.out, "TAP version 13\n# fuzz-diff: "
	    "seed 200,"));
	ck_assert_ptr_nonnull(strstr(r.out, "\nok 1 - fuzzdiff/seed-200.scn "
	    "[6.18] ("));
	ck_assert_ptr_nonnull(strstr(r.out, "\nnot ok "));
	ck_assert_ptr_nonnull(strstr(r.out, "\n1..10\n# fuzz-diff: 10 "
	    "cases"));
	tu_run_clear(&r);

	r = fuzz_cmd(&o, SIM_FORMAT_JSON, FALSE, NULL);
	ck_assert(g_str_has_prefix(r.out, "{\"type\":\"result\","
	    "\"command\":\"fuzz-diff\",\"file\":\"fuzzdiff/seed-200.scn\","
	    "\"profile\":\"6.18\",\"result\":\"pass\",\"seed\":200,"));
	ck_assert_ptr_nonnull(strstr(r.out, "\n{\"type\":\"finding\","
	    "\"command\":\"fuzz-diff\","));
	ck_assert_ptr_nonnull(strstr(r.out, "\n{\"type\":\"summary\","
	    "\"command\":\"fuzz-diff\",\"passed\":"));
	ck_assert_ptr_nonnull(strstr(r.out, "\"status\":1,\"seed\":200,"
	    "\"profile\":\"6.18\","));
	tu_run_clear(&r);

	/* nothing diverges: exit 0 */
	o.b = &sim_backend_model;
	r = fuzz_cmd(&o, SIM_FORMAT_TEXT, TRUE, NULL);
	ck_assert_int_eq(r.status, SIM_EXIT_OK);
	ck_assert_ptr_nonnull(strstr(r.out, "(10 passed, 0 failed, 0 "
	    "skipped), 600 steps: "));
	tu_run_clear(&r);
}

/* Case k is the scenario gen writes from seed S+k. */
TU_NAMED(fuzz_cases, "fuzzdiff/run/cases", "fuzzdiff", 0)
{
	g_autofree char *n = sim_fuzz_case_name(42);

	ck_assert_str_eq(n, "fuzzdiff/seed-42.scn");
}

TU_TCASE("fuzzdiff", 120, NULL, NULL)

TU_MAIN("fuzzdiff")
