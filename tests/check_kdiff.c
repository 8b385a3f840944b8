/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * check_kdiff.c - tests of what the kernel backend work added to the
 * runner, without a kernel: steps a backend cannot do (SIM_CANNOT,
 * SIM_CANNOT_REST) and their notes, `reuseport-sim diff` (sim/tools/diff.c,
 * sim/cli/cmd-diff.c)
 * with its manifest, and `--profile auto` from a fake release string.
 *
 * The backend under test is the model with a few operations replaced
 * (fake_ops()): it cannot set a foreign owner (SIM_CANNOT), cannot hold
 * requests (SIM_CANNOT_REST), answers every freeze with -EPERM (a
 * divergence for diff), and has no model-only queries, like a kernel.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "backend/model.h"
#include "cli/cmd-diff.h"
#include "core/error.h"
#include "core/exec.h"
#include "core/profiles.h"
#include "core/run.h"
#include "tools/diff.h"
#include "simutil.h"
#include "testutil.h"

static int
fake_cannot(SimBackend *b, unsigned proc, int fd)
{
	(void)b;
	(void)proc;
	(void)fd;
	return SIM_CANNOT;
}

static int
fake_rest(SimBackend *b, unsigned netns)
{
	(void)b;
	(void)netns;
	return SIM_CANNOT_REST;
}

static const char *
fake_why(SimBackend *b)
{
	(void)b;
	return "the fake has no such thing";
}

static SimBackendOps
fake_ops(void)
{
	SimBackendOps ops = tu_fake_backend();

	ops.set_foreign_owner = fake_cannot;
	ops.requests_ack = fake_rest;
	ops.map_freeze = tu_freeze_eperm;
	ops.why = fake_why;
	return ops;
}

static SimScenario *
parse(const char *src)
{
	g_autoptr(GError) e = NULL;
	g_autoptr(GPtrArray) errors = g_ptr_array_new_with_free_func(g_free);
	SimScenario *sc = sim_parse_buffer("t.scn", src, strlen(src), NULL,
	    NULL, &e);

	ck_assert_msg(sc != NULL, "%s", e != NULL ? e->message : "?");
	ck_assert_msg(sim_check_scenario(sc, errors), "%s",
	    errors->len > 0 ? (char *)errors->pdata[0] : "?");
	return sc;
}

/* Run src on ops under 6.18; the joined messages and notes. */
static void
run_fake(const char *src, const SimBackendOps *ops, SimReport *rep)
{
	g_autoptr(SimScenario) sc = parse(src);

	SimExecOptions o = { .ops = ops };

	sim_run_scenario(sc, "6.18", &o, rep);
	/* the report refers to the scenario's statements only through
	 * steps, which are not asked for here */
}

static char *
joined(GPtrArray *a)
{
	GString *s = g_string_new(NULL);
	guint i;

	for (i = 0; a != NULL && i < a->len; i++)
		g_string_append_printf(s, "%s%s", i > 0 ? "\n" : "",
		    (char *)a->pdata[i]);
	return g_string_free(s, FALSE);
}

#define PAIR TU_UDP4_PAIR "map m sockarray entries=4\n"

/* ----------------------------------------------------------------------
 * SIM_CANNOT: that check only, said once; what depends on it is skipped
 */

TU_CASE(cannot_step, "sim/cannot")
{
	SimBackendOps ops = fake_ops();
	SimReport rep = { 0 };
	g_autofree char *notes = NULL, *msgs = NULL;

	/* on the model the foreign owner makes update fail with EBUSY; the
	 * fake could not make a foreign, so update a is not checked, and
	 * neither is anything naming a (or m, which a reached) later */
	run_fake(PAIR
	    "owner a foreign\n"
	    "update m 0 a = -EBUSY\n"
	    "lookup m 0 = -ENOENT\n"
	    "owner b foreign\n"
	    "update m 1 b = -EBUSY\n"
	    "expect b owner = foreign\n"
	    "socket c udp4\n"
	    "bind c 127.0.0.1:7001 = ok\n", &ops, &rep);
	msgs = joined(rep.messages);
	notes = joined(rep.notes);
	ck_assert_msg(rep.passed, "%s", msgs);
	ck_assert_ptr_null(rep.skip);
	/* said once; the expect names b, which depends on it: no note */
	ck_assert_str_eq(notes,
	    "t.scn:8:1: not checked: the fake backend cannot do 'owner': "
	    "the fake has no such thing");
	sim_report_clear(&rep);

	/* a step naming none of them is still checked */
	run_fake(PAIR
	    "owner a foreign\n"
	    "socket c udp4\n"
	    "expect c state = close\n"
	    "expect c state = close\n"
	    "bind c 127.0.0.1:7001 = -EINVAL\n", &ops, &rep);
	ck_assert(!rep.passed);
	msgs = (g_free(msgs), joined(rep.messages));
	ck_assert_msg(g_str_has_prefix(msgs, "t.scn:12:25: expected -EINVAL, "
	    "got 0"), "%s", msgs);
	notes = (g_free(notes), joined(rep.notes));
	ck_assert_str_eq(notes,
	    "t.scn:8:1: not checked: the fake backend cannot do 'owner': "
	    "the fake has no such thing\n"
	    "t.scn:10:1: not checked: expect: the backend has no internal "
	    "state to look at");
	sim_report_clear(&rep);
}
END_TEST

/* SIM_CANNOT_REST: the rest is skipped, the scenario too if nothing
 * failed before; a failure before stays a failure, with a note. */
TU_CASE(cannot_rest, "sim/cannot")
{
	SimBackendOps ops = fake_ops();
	SimReport rep = { 0 };
	g_autofree char *notes = NULL;

	run_fake(PAIR
	    "ack-requests = 0\n"
	    "bind a 127.0.0.1:9 = ok\n", &ops, &rep);
	ck_assert(!rep.passed);
	ck_assert_uint_eq(rep.messages->len, 0);
	ck_assert_str_eq(rep.skip, "t.scn:8:1: the fake backend cannot do "
	    "'ack-requests': the fake has no such thing; the rest of the "
	    "scenario depends on it");
	sim_report_clear(&rep);

	run_fake(PAIR
	    "socket c udp4\n"
	    "bind c 127.0.0.1:7001 = -EINVAL\n"
	    "ack-requests = 0\n", &ops, &rep);
	ck_assert(!rep.passed);
	ck_assert_ptr_null(rep.skip);
	ck_assert_uint_eq(rep.messages->len, 1);
	sim_report_clear(&rep);

	/* keep-going: the failure, then the rest is not run */
	{
		g_autoptr(SimScenario) sc = parse(PAIR
		    "socket c udp4\n"
		    "bind c 127.0.0.1:7001 = -EINVAL\n"
		    "ack-requests = 0\n"
		    "bind c 127.0.0.1:7002 = -EINVAL\n");

		SimExecOptions o = { .ops = &ops, .keep_going = TRUE };

		sim_run_scenario(sc, "6.18", &o, &rep);
		ck_assert(!rep.passed);
		ck_assert_ptr_null(rep.skip);
		ck_assert_uint_eq(rep.messages->len, 1);
		notes = joined(rep.notes);
		ck_assert_str_eq(notes, "not run: t.scn:10:1: the fake backend "
		    "cannot do 'ack-requests': the fake has no such thing; "
		    "the rest of the scenario depends on it");
		sim_report_clear(&rep);
	}
}
END_TEST

/* The model itself never says "cannot": no notes on the corpus shapes. */
TU_CASE(model_no_notes, "sim/cannot")
{
	SimReport rep = { 0 };

	run_fake(PAIR "owner a foreign\nupdate m 0 a = -EBUSY\n"
	    "expect a owner = foreign\n", &sim_backend_model, &rep);
	ck_assert(rep.passed);
	ck_assert_uint_eq(rep.notes->len, 0);
	sim_report_clear(&rep);
}
END_TEST

/* ----------------------------------------------------------------------
 * The manifest
 */

static SimManifest *
manifest(const char *text, char **errs)
{
	g_autoptr(GPtrArray) errors = g_ptr_array_new_with_free_func(g_free);
	SimManifest *m = sim_manifest_parse("k.manifest", text, strlen(text),
	    errors);

	*errs = joined(errors);
	return m;
}

TU_CASE(manifest_parse, "sim/manifest")
{
	g_autofree char *errs = NULL;
	g_autoptr(SimManifest) m = manifest(
	    "# comment\n"
	    "\n"
	    "  map/freeze.scn:3 freeze twice: EPERM  # trailing comment\n"
	    "x.scn:*\tevery step\n"
	    "y.scn:12 maybe by chance\n"
	    "\"socket * proto=262 => -EPROTONOSUPPORT vs 0\" MPTCP\n"
	    "\"freeze *\" maybe a pattern may say maybe\n"
	    "z.scn:3 maybe kernel=6.18.44-fc-* a build variant\n", &errs);

	ck_assert_str_eq(errs, "");
	ck_assert_ptr_nonnull(m);
	ck_assert_uint_eq(sim_manifest_size(m), 6);
	ck_assert_str_eq(sim_manifest_entry(m, 5)->kernel, "6.18.44-fc-*");
	ck_assert_str_eq(sim_manifest_entry(m, 5)->reason, "a build variant");
	ck_assert(sim_manifest_entry(m, 5)->maybe);
	ck_assert_ptr_null(sim_manifest_entry(m, 4)->kernel);
	ck_assert_ptr_null(sim_manifest_entry(m, 3)->file);
	ck_assert_str_eq(sim_manifest_entry(m, 3)->pattern,
	    "socket * proto=262 => -EPROTONOSUPPORT vs 0");
	ck_assert_str_eq(sim_manifest_entry(m, 3)->reason, "MPTCP");
	ck_assert(!sim_manifest_entry(m, 3)->maybe);
	ck_assert_str_eq(sim_manifest_entry(m, 4)->pattern, "freeze *");
	ck_assert(sim_manifest_entry(m, 4)->maybe);
}
END_TEST

static const struct {
	const char *text, *want;
} manifest_bad[] = {
	{ "x.scn:0 r\n", "k.manifest:1:7: expected a line number (1 or more) "
	    "or '*' after ':', got '0'" },
	{ "  foo bar\n", "k.manifest:1:3: expected FILE:LINE or FILE:* then "
	    "a reason, got 'foo'" },
	{ ":3 r\n", "k.manifest:1:1: expected FILE:LINE or FILE:* then a "
	    "reason, got ':3'" },
	{ "x.scn:3x r\n", "k.manifest:1:7: expected a line number (1 or "
	    "more) or '*' after ':', got '3x'" },
	{ "x.scn:99999999999 r\n", "k.manifest:1:7: expected a line number "
	    "(1 or more) or '*' after ':', got '99999999999'" },
	{ "\nx.scn:3\n", "k.manifest:2:8: entry 'x.scn:3' needs a reason" },
	{ "x.scn:3 maybe\n", "k.manifest:1:14: entry 'x.scn:3' needs a "
	    "reason" },
	{ "x.scn:* a\n x.scn:* b\n", "k.manifest:2:2: 'x.scn:*' is already "
	    "listed at k.manifest:1:1" },
	{ "x.scn:1 a\0b\n", "k.manifest:1:10: NUL byte in the manifest" },
	{ "  \"freeze * reason\n", "k.manifest:1:3: a pattern entry needs its "
	    "closing '\"'" },
	{ "\"\" reason\n", "k.manifest:1:1: empty pattern" },
	{ "\"freeze *\"\n", "k.manifest:1:11: entry '\"freeze *\"' needs a "
	    "reason" },
	{ "\"a*\" one\n\"a*\" two\n", "k.manifest:2:1: '\"a*\"' is already "
	    "listed at k.manifest:1:1" },
	{ "x.scn:3 kernel= why\n", "k.manifest:1:9: kernel= needs a release "
	    "pattern" },
	{ "x.scn:3 kernel=6.1*\n", "k.manifest:1:20: entry 'x.scn:3' needs a "
	    "reason" },
};

TU_LOOP(manifest_errors, "sim/manifest", G_N_ELEMENTS(manifest_bad))
{
	g_autoptr(GPtrArray) errors = g_ptr_array_new_with_free_func(g_free);
	const char *text = manifest_bad[_i].text;
	gsize len = strlen(text);
	g_autoptr(SimManifest) m = NULL;

	if (strstr(manifest_bad[_i].want, "NUL") != NULL)
		len += 1 + strlen(text + len + 1);
	m = sim_manifest_parse("k.manifest", text, len, errors);
	ck_assert_ptr_null(m);
	ck_assert_uint_ge(errors->len, 1);
	ck_assert_str_eq(errors->pdata[0], manifest_bad[_i].want);
}
END_TEST

TU_CASE(manifest_missing, "sim/manifest")
{
	g_autoptr(GPtrArray) errors = g_ptr_array_new_with_free_func(g_free);

	ck_assert_ptr_null(sim_manifest_load("/nonexistent/k.manifest",
	    errors));
	ck_assert_uint_eq(errors->len, 1);
	ck_assert(g_str_has_prefix(errors->pdata[0],
	    "/nonexistent/k.manifest: "));
}
END_TEST

/* ----------------------------------------------------------------------
 * diff: the model against the fake, step by step
 */

static char *tmpdir;

/* A scenario file in tmpdir; returns its path. */
static char *
scn_file(const char *name, const char *src)
{
	char *p = g_build_filename(tmpdir, name, NULL);

	ck_assert(g_file_set_contents(p, src, -1, NULL));
	return p;
}

static const char *diff_release;	/* the fake's "uname -r" */
static TuRun diff_on(const char *path, const char *mtext, SimFormat format,
    const SimBackendOps *ops);

static TuRun
diff(const char *path, const char *mtext, SimFormat format)
{
	SimBackendOps ops = fake_ops();

	return diff_on(path, mtext, format, &ops);
}

/* diff of the model against ops. */
static TuRun
diff_on(const char *path, const char *mtext, SimFormat format,
    const SimBackendOps *ops)
{
	g_autoptr(SimManifest) m = NULL;
	SimDiffOptions o = { 0 };
	TuRun r = { 0 };
	size_t ol = 0, el = 0;
	char *paths[] = { (char *)path };

	if (mtext != NULL) {
		g_autofree char *errs = NULL;

		m = manifest(mtext, &errs);
		ck_assert_msg(m != NULL, "%s", errs);
	}
	o.a = &sim_backend_model;
	o.b = ops;
	o.profile = "6.18";
	o.manifest = m;
	o.release = diff_release;
	o.format = format;
	o.out = open_memstream(&r.out, &ol);
	o.err = open_memstream(&r.err, &el);
	r.status = sim_diff_paths(&o, paths, 1);
	fclose(o.out);
	fclose(o.err);
	return r;
}

#define FREEZE \
	"map m sockarray entries=4\n" \
	"freeze m = any\n" \
	"socket a udp4\n" \
	"bind a 127.0.0.1:7000\n" \
	"owner a foreign\n" \
	"expect a owner = foreign\n"

TU_CASE(diff_divergence, "sim/diff")
{
	g_autofree char *p = scn_file("f.scn", FREEZE);
	g_autofree char *want = NULL;
	TuRun r = diff(p, NULL, SIM_FORMAT_TEXT);

	ck_assert_int_eq(r.status, SIM_EXIT_FAIL);
	want = g_strdup_printf(
	    "FAIL %s [6.18] (4 steps compared, 2 not)\n"
	    "    %s:2:1: divergence: freeze m\n"
	    "        model    0\n"
	    "        fake     -EPERM\n"
	    "diff: 0 passed, 1 failed, 0 skipped; 4 steps compared, 2 not (0 "
	    "after a hash=N send landed on another member); "
	    "divergences: 0 known, 1 unexplained; 0 unused manifest "
	    "entries\n", p, p);
	ck_assert_str_eq(r.out, want);
	ck_assert_str_eq(r.err, "");
	tu_run_clear(&r);
}
END_TEST

TU_CASE(diff_known, "sim/diff")
{
	g_autofree char *p = scn_file("f.scn", FREEZE);
	g_autofree char *want = NULL;
	TuRun r = diff(p, "f.scn:2 the fake refuses freezing\n",
	    SIM_FORMAT_TEXT);

	ck_assert_int_eq(r.status, SIM_EXIT_OK);
	want = g_strdup_printf(
	    "PASS %s [6.18] (4 steps compared, 2 not)\n"
	    "    %s:2:1: known divergence: freeze m\n"
	    "        model    0\n"
	    "        fake     -EPERM\n"
	    "        because  the fake refuses freezing (k.manifest:1)\n"
	    "diff: 1 passed, 0 failed, 0 skipped; 4 steps compared, 2 not (0 "
	    "after a hash=N send landed on another member); "
	    "divergences: 1 known, 0 unexplained; 0 unused manifest "
	    "entries\n", p, p);
	ck_assert_str_eq(r.out, want);
	tu_run_clear(&r);

	/* FILE:* covers the file; a wrong line does not */
	r = diff(p, "f.scn:* the fake\n", SIM_FORMAT_TEXT);
	ck_assert_int_eq(r.status, SIM_EXIT_OK);
	tu_run_clear(&r);
	r = diff(p, "f.scn:3 the fake\n", SIM_FORMAT_TEXT);
	ck_assert_int_eq(r.status, SIM_EXIT_FAIL);
	tu_run_clear(&r);

	/* a pattern over "CALL => A vs B", in any file; a line entry of
	 * the file wins over it; an unused pattern is never reported */
	r = diff(p, "\"freeze m => 0 vs -EPERM\" the fake refuses\n",
	    SIM_FORMAT_TEXT);
	ck_assert_int_eq(r.status, SIM_EXIT_OK);
	ck_assert_ptr_nonnull(strstr(r.out, "because  the fake refuses "
	    "(k.manifest:1)"));
	tu_run_clear(&r);
	r = diff(p, "\"freeze * => * vs -EPERM\" pattern\nf.scn:2 line\n",
	    SIM_FORMAT_TEXT);
	ck_assert_int_eq(r.status, SIM_EXIT_OK);
	ck_assert_ptr_nonnull(strstr(r.out, "because  line (k.manifest:2)"));
	tu_run_clear(&r);
	r = diff(p, "\"freeze m => 0 vs -EBUSY\" another errno\n",
	    SIM_FORMAT_TEXT);
	ck_assert_int_eq(r.status, SIM_EXIT_FAIL);
	ck_assert_ptr_null(strstr(r.out, "unused manifest entry "));
	tu_run_clear(&r);

	/* kernel=GLOB: only where the release matches; never unused
	 * elsewhere */
	diff_release = "6.18.44-fc-v1272";
	r = diff(p, "f.scn:2 kernel=6.18.44-fc-* a variant\n",
	    SIM_FORMAT_TEXT);
	ck_assert_int_eq(r.status, SIM_EXIT_OK);
	tu_run_clear(&r);
	diff_release = "6.18.15+deb13-cloud-amd64";
	r = diff(p, "f.scn:2 kernel=6.18.44-fc-* a variant\n",
	    SIM_FORMAT_TEXT);
	ck_assert_int_eq(r.status, SIM_EXIT_FAIL);
	ck_assert_ptr_nonnull(strstr(r.out, "divergences: 0 known, 1 "
	    "unexplained; 0 unused"));
	tu_run_clear(&r);
	r = diff(p, "f.scn:3 kernel=6.18.44-fc-* not here\n"
	    "\"freeze * => * vs -EPERM\" any kernel\n", SIM_FORMAT_TEXT);
	ck_assert_int_eq(r.status, SIM_EXIT_OK);
	diff_release = NULL;
	tu_run_clear(&r);
	/* the file name must end at a '/' */
	r = diff(p, "x/f.scn:2 the fake\n", SIM_FORMAT_TEXT);
	ck_assert_int_eq(r.status, SIM_EXIT_FAIL);
	tu_run_clear(&r);
}
END_TEST

/* An entry no divergence used fails, unless "maybe" or its file was not
 * compared. */
TU_CASE(diff_unused, "sim/diff")
{
	g_autofree char *p = scn_file("g.scn", "socket a udp4\n");
	TuRun r = diff(p, "g.scn:1 nothing diverges here\n",
	    SIM_FORMAT_TEXT);

	ck_assert_int_eq(r.status, SIM_EXIT_FAIL);
	ck_assert_msg(strstr(r.out, "FAIL k.manifest:1:1: unused manifest "
	    "entry g.scn:1: no divergence there (nothing diverges here)\n")
	    != NULL, "%s", r.out);
	ck_assert_msg(strstr(r.out, "1 unused manifest entries\n") != NULL,
	    "%s", r.out);
	tu_run_clear(&r);
	r = diff(p, "g.scn:1 maybe nothing diverges here\n", SIM_FORMAT_TEXT);
	ck_assert_int_eq(r.status, SIM_EXIT_OK);
	tu_run_clear(&r);
	r = diff(p, "other.scn:1 another file\n", SIM_FORMAT_TEXT);
	ck_assert_int_eq(r.status, SIM_EXIT_OK);
	tu_run_clear(&r);
}
END_TEST

TU_CASE(diff_formats, "sim/diff")
{
	g_autofree char *p = scn_file("f.scn", FREEZE);
	g_autofree char *want = NULL;
	TuRun r = diff(p, "g.scn:* unused but not compared\n",
	    SIM_FORMAT_JSON);

	ck_assert_int_eq(r.status, SIM_EXIT_FAIL);
	want = g_strdup_printf("{\"type\":\"result\",\"command\":\"diff\","
	    "\"file\":\"%s\",\"profile\":\"6.18\",\"result\":\"fail\","
	    "\"compared\":4,\"not_compared\":2,\"after_hash_n\":0,"
	    "\"counted\":[],\"divergences\":[{\"file\":"
	    "\"%s\",\"line\":2,\"column\":1,\"message\":\"freeze m\","
	    "\"results\":{\"model\":\"0\",\"fake\":\"-EPERM\"},"
	    "\"known\":false}]}\n"
	    "{\"type\":\"summary\",\"command\":\"diff\",\"passed\":0,"
	    "\"failed\":1,\"skipped\":0,\"errors\":0,\"status\":1,"
	    "\"compared\":4,\"not_compared\":2,\"after_hash_n\":0,"
	    "\"known\":0,"
	    "\"unexplained\":1,\"unused\":0}\n", p, p);
	ck_assert_str_eq(r.out, want);
	tu_run_clear(&r);

	r = diff(p, NULL, SIM_FORMAT_TAP);
	ck_assert_int_eq(r.status, SIM_EXIT_FAIL);
	ck_assert_msg(g_str_has_prefix(r.out, "TAP version 13\nnot ok 1 - "),
	    "%s", r.out);
	ck_assert_msg(strstr(r.out, "\n1..1\n") != NULL, "%s", r.out);
	tu_run_clear(&r);
}
END_TEST

/* ----------------------------------------------------------------------
 * Planted divergences: a backend that is the model with one thing made
 * different must be caught, whatever kind of divergence it is (a
 * result, a delivery, a state seen later), and aliases of one socket are
 * one socket
 */

/* A delivery a classic program decided lands on the other member, and
 * the backend reports the hash, as the kernel backend does (it cannot
 * see a classic program run): the payload's last bit is flipped. */
static int
plant_send_cbpf(SimBackend *b, unsigned netns, const struct rp_packet *pkt,
    struct rp_delivery *out)
{
	struct rp_packet p = *pkt;
	g_autofree uint8_t *pl = g_memdup2(pkt->payload, pkt->len);
	int r;

	if (pkt->len > 0) {
		pl[pkt->len - 1] ^= 1;
		p.payload = pl;
	}
	r = sim_backend_model.send(b, netns, &p, out);
	if (r == 0 && out->outcome == RP_DELIVERED && out->how ==
	    RP_HOW_CBPF)
		out->how = RP_HOW_HASH;
	return r;
}

/* An eBPF program's choice made the other way (the payload again); the
 * backend knows a program decided. */
static int
plant_send_prog(SimBackend *b, unsigned netns, const struct rp_packet *pkt,
    struct rp_delivery *out)
{
	struct rp_packet p = *pkt;
	g_autofree uint8_t *pl = g_memdup2(pkt->payload, pkt->len);

	if (pkt->len > 0) {
		pl[pkt->len - 1] ^= 1;
		p.payload = pl;
	}
	return sim_backend_model.send(b, netns, &p, out);
}

/* hash=N is not honoured: the backend's own hash is the complement, so
 * of two members the other one gets it (as on a kernel, by chance). */
static int
plant_send_hash(SimBackend *b, unsigned netns, const struct rp_packet *pkt,
    struct rp_delivery *out)
{
	struct rp_packet p = *pkt;

	if (p.has_hash)
		p.hash = ~p.hash;
	return sim_backend_model.send(b, netns, &p, out);
}

/* An update that says 0 and does nothing: only a later lookup shows. */
static int
plant_update(SimBackend *b, unsigned proc, int fd, uint32_t key,
    uint64_t value, uint64_t flags)
{
	(void)b;
	(void)proc;
	(void)fd;
	(void)key;
	(void)value;
	(void)flags;
	return 0;
}

typedef struct {
	const char	*name, *src;
	int		 plant;		/* 0 none, 1 cbpf, 2 prog, 3 update */
	const char	*line;		/* the divergence expected there */
} Planted;

#define CBPF_PAIR PAIR \
	"attach a cbpf payload off=0 mod=2\n"

static const Planted planted[] = {
	{ "delivery/cbpf", CBPF_PAIR
	    "send udp 127.0.0.1:7000 from 127.0.0.1:40000 payload=\"AAAB\"\n",
	    1, ":9:1: divergence: send udp" },
	{ "delivery/prog", PAIR
	    "map n sockarray entries=128\n"
	    "update n 65 a\n"
	    "update n 64 b\n"
	    "prog p type=sk_reuseport map=n key=payload:3:1\n"
	    "attach a prog p\n"
	    "send udp 127.0.0.1:7000 from 127.0.0.1:40000 payload=\"AAAA\"\n",
	    2, ":13:1: divergence: send udp" },
	{ "state/update", PAIR
	    "update m 0 a\n"
	    "lookup m 0\n",
	    3, ":9:1: divergence: lookup m 0" },
};

TU_LOOP(diff_planted, "sim/diff", G_N_ELEMENTS(planted))
{
	const Planted *t = &planted[_i];
	SimBackendOps ops = fake_ops();
	g_autofree char *p = scn_file("p.scn", t->src);
	TuRun r;

	if (t->plant == 1)
		ops.send = plant_send_cbpf;
	else if (t->plant == 2)
		ops.send = plant_send_prog;
	else
		ops.map_update = plant_update;
	r = diff_on(p, NULL, SIM_FORMAT_TEXT, &ops);
	ck_assert_msg(r.status == SIM_EXIT_FAIL, "%s: %s", t->name, r.out);
	ck_assert_msg(strstr(r.out, t->line) != NULL, "%s: %s", t->name,
	    r.out);
	ck_assert_msg(strstr(r.out, "1 unexplained") != NULL, "%s: %s",
	    t->name, r.out);
	tu_run_clear(&r);
	/* the same scenario on the unplanted fake: no divergence */
	r = diff(p, NULL, SIM_FORMAT_TEXT);
	ck_assert_msg(r.status == SIM_EXIT_OK, "%s: %s", t->name, r.out);
	tu_run_clear(&r);
}
END_TEST

/* One socket under two names is one socket: dup then close the first
 * name, an fd passed to another process, a child named by send ... as
 * and by accept ... as.  The fake finds cookies through fds, as the
 * kernel backend does. */
TU_CASE(diff_aliases, "sim/diff")
{
	g_autofree char *p = scn_file("alias.scn",
	    "socket a udp4\n"
	    "setsockopt a reuseport 1\n"
	    "bind a 127.0.0.1:7000\n"
	    "dup a as b\n"
	    "close a\n"
	    "send udp 127.0.0.1:7000 from 127.0.0.1:40000 = b\n"
	    "socket l tcp4\n"
	    "setsockopt l reuseport 1\n"
	    "bind l 127.0.0.1:7001\n"
	    "listen l\n"
	    "send tcp 127.0.0.1:7001 from 127.0.0.1:40001 as k1 = l\n"
	    "accept l as c2\n"
	    "cookie c2\n"
	    "proc q\n"
	    "pass c2 to q as d\n"
	    "close c2\n"
	    "q: cookie d\n"
	    "map m sockarray entries=4\n"
	    "update m 0 b\n"
	    "lookup m 0\n");
	TuRun r = diff(p, NULL, SIM_FORMAT_TEXT);

	ck_assert_msg(r.status == SIM_EXIT_OK, "%s", r.out);
	ck_assert_msg(strstr(r.out, "0 unexplained") != NULL, "%s", r.out);
	tu_run_clear(&r);
}
END_TEST

/* A hash=N send that lands on another member: the steps naming the
 * sockets involved are not checked afterwards, and the summary counts
 * them. */
TU_CASE(diff_after_hash_n, "sim/diff")
{
	SimBackendOps ops = fake_ops();
	g_autofree char *p = scn_file("h.scn", PAIR
	    "send udp 127.0.0.1:7000 from 127.0.0.1:40000 hash=0 = a\n"
	    "cookie a\n"
	    "cookie b\n"
	    "update m 0 a\n");
	TuRun r;

	ops.send = plant_send_hash;
	r = diff_on(p, NULL, SIM_FORMAT_TEXT, &ops);
	ck_assert_msg(r.status == SIM_EXIT_OK, "%s", r.out);
	ck_assert_msg(strstr(r.out, ", 3 of them after hash=N)\n") != NULL,
	    "%s", r.out);
	ck_assert_msg(strstr(r.out, "(3 after a hash=N send landed on "
	    "another member)") != NULL, "%s", r.out);
	tu_run_clear(&r);
	r = diff_on(p, NULL, SIM_FORMAT_JSON, &ops);
	ck_assert_msg(strstr(r.out, "\"after_hash_n\":3,") != NULL, "%s",
	    r.out);
	tu_run_clear(&r);
}
END_TEST

/* Every packet the hash would decide goes to the member hash 0 picks:
 * a backend whose hash is broken (or a group of one that the model has
 * as two). */
static int
plant_send_hash0(SimBackend *b, unsigned netns, const struct rp_packet *pkt,
    struct rp_delivery *out)
{
	struct rp_packet p = *pkt;

	p.has_hash = TRUE;
	p.hash = 0;
	return sim_backend_model.send(b, netns, &p, out);
}

/* Counted traffic: the rule diff compares it under, and what breaks it. */
TU_CASE(diff_counted, "sim/diff")
{
	SimBackendOps ops = fake_ops();
	g_autofree char *p = scn_file("c.scn", TU_UDP4_PAIR
	    "send udp 127.0.0.1:7000 from 127.0.0.2:30000 repeat=400 = "
	    "all to a b\n");
	g_autofree char *one = scn_file("c1.scn",
	    "socket a udp4\n"
	    "bind a 127.0.0.1:7000\n"
	    "send udp 127.0.0.1:7000 from 127.0.0.2:30000 repeat=50 = a=50\n"
	    "send udp 127.0.0.1:7001 from 127.0.0.2:30000 repeat=5 = "
	    "refused=5\n");
	g_autofree char *ph = scn_file("ph.scn", PAIR
	    "update m 0 a\n"
	    "update m 1 b\n"
	    "prog p type=sk_reuseport map=m key=hash:2\n"
	    "attach a prog p\n"
	    "send udp 127.0.0.1:7000 from 127.0.0.2:30000 repeat=400\n");
	TuRun r;

	/* the fake's own flow hash spreads them as the model's shares say */
	r = diff_on(p, NULL, SIM_FORMAT_TEXT, &ops);
	ck_assert_msg(r.status == SIM_EXIT_OK, "%s", r.out);
	ck_assert_msg(strstr(r.out, "c.scn:7:1: counted traffic, statistical "
	    "rule (the hash decided 400 packets; the model's exact shares): "
	    "each socket's count within 5 standard deviations of its mean, "
	    "dropped, refused and failed counts equal: held\n") != NULL, "%s",
	    r.out);
	tu_run_clear(&r);
	/* all 400 to one member: 200 +- 25 is the rule */
	ops.send = plant_send_hash0;
	r = diff_on(p, NULL, SIM_FORMAT_TEXT, &ops);
	ck_assert_msg(r.status == SIM_EXIT_FAIL, "%s", r.out);
	ck_assert_msg(strstr(r.out, "counted traffic, statistical rule (the "
	    "hash decided 400 packets; the model's exact shares): each "
	    "socket's count within 5 standard deviations of its mean, "
	    "dropped, refused and failed counts equal: broken\n") != NULL,
	    "%s", r.out);
	ck_assert_msg(strstr(r.out, "        fake     a=400\n") != NULL, "%s",
	    r.out);
	tu_run_clear(&r);
	r = diff_on(p, NULL, SIM_FORMAT_JSON, &ops);
	ck_assert_msg(strstr(r.out, "c.scn:7:1: counted traffic, statistical "
	    "rule (the hash decided 400 packets; the model's exact shares): "
	    "each socket's count within 5 standard deviations of its mean, "
	    "dropped, refused and failed counts equal: broken\"],") != NULL,
	    "%s", r.out);
	tu_run_clear(&r);
	/* a program keyed by the hash: the other backend's hash is its own,
	 * only which receivers and outcomes got packets compares */
	ops = fake_ops();
	r = diff_on(ph, NULL, SIM_FORMAT_TEXT, &ops);
	ck_assert_msg(r.status == SIM_EXIT_OK, "%s", r.out);
	ck_assert_msg(strstr(r.out, "ph.scn:12:1: counted traffic, support "
	    "rule (a program that may read the packet's hash chose): the "
	    "same receivers and outcomes, each with at least one packet: "
	    "held\n") != NULL, "%s", r.out);
	tu_run_clear(&r);
	ops.send = plant_send_hash0;
	r = diff_on(ph, NULL, SIM_FORMAT_TEXT, &ops);
	ck_assert_msg(r.status == SIM_EXIT_FAIL, "%s", r.out);
	ck_assert_msg(strstr(r.out, "ph.scn:12:1: counted traffic, support "
	    "rule (a program that may read the packet's hash chose): the "
	    "same receivers and outcomes, each with at least one packet: "
	    "broken\n") != NULL, "%s", r.out);
	tu_run_clear(&r);
	/* no hash decided: every count is compared exactly */
	ops = fake_ops();
	r = diff_on(one, NULL, SIM_FORMAT_TEXT, &ops);
	ck_assert_msg(r.status == SIM_EXIT_OK, "%s", r.out);
	ck_assert_msg(strstr(r.out, "c1.scn:3:1: counted traffic, exact rule "
	    "(the hash decided no packet): every count equal: held\n") !=
	    NULL, "%s", r.out);
	ck_assert_msg(strstr(r.out, "c1.scn:4:1: counted traffic, exact rule "
	    "(the hash decided no packet): every count equal: held\n") !=
	    NULL, "%s", r.out);
	tu_run_clear(&r);
}
END_TEST

/* A scenario without the profile, a bad scenario, an unknown profile. */
TU_CASE(diff_skip_and_errors, "sim/diff")
{
	g_autofree char *p = scn_file("old.scn", "profile 4.19\n"
	    "socket a udp4\n");
	g_autofree char *bad = scn_file("bad.scn", "frobnicate\n");
	g_autofree char *want = NULL;
	SimDiffOptions o = { 0 };
	TuRun r = diff(p, NULL, SIM_FORMAT_TEXT);
	size_t ol = 0, el = 0;

	ck_assert_int_eq(r.status, SIM_EXIT_OK);
	want = g_strdup_printf("SKIP %s [6.18] (no selected profile)\n", p);
	ck_assert_msg(g_str_has_prefix(r.out, want), "%s", r.out);
	tu_run_clear(&r);

	r = diff(bad, NULL, SIM_FORMAT_TEXT);
	ck_assert_int_eq(r.status, SIM_EXIT_USAGE);
	ck_assert_str_eq(r.out, "");
	ck_assert_msg(strstr(r.err, "bad.scn:1:1: ") != NULL, "%s", r.err);
	tu_run_clear(&r);

	o.a = o.b = &sim_backend_model;
	o.profile = "5.4";
	o.out = open_memstream(&r.out, &ol);
	o.err = open_memstream(&r.err, &el);
	ck_assert_int_eq(sim_diff_paths(&o, &p, 1), SIM_EXIT_USAGE);
	fclose(o.out);
	fclose(o.err);
	ck_assert_msg(g_str_has_prefix(r.err, "reuseport-sim: unknown profile "
	    "'5.4' (the model has "), "%s", r.err);
	tu_run_clear(&r);
}
END_TEST

/* ----------------------------------------------------------------------
 * --profile auto
 */

static const struct {
	const char *release, *want;
} releases[] = {
	{ "6.18.44-amd64", "6.18" },	/* never the 6.18+attach-einval variant */
	{ "6.18", "6.18" },
	{ "6.19.0-rc1", "6.18" },
	{ "7.0.0", "6.18" },
	{ "7.2.13+deb14-cloud-amd64", "7.2" },
	{ "6.9.1", "6.1" },	/* 9 < 12: numbers, not strings */
	{ "6.17.3", "6.12" },
	{ "5.10.0-35-cloud-amd64", "5.10" },
	{ "5.4.0", "4.19" },
	{ "4.19.0", "4.19" },
	{ "4.18.20", NULL },
	{ "3.10.0-1160.el7.x86_64", NULL },
	{ "linux", NULL },
	{ "6", NULL },
	{ "6.x", NULL },
	{ "", NULL },
};

TU_LOOP(profile_auto, "sim/profile-auto", G_N_ELEMENTS(releases))
{
	g_autoptr(GError) e = NULL;
	const char *got = sim_profile_for_release(releases[_i].release, &e);

	if (releases[_i].want == NULL) {
		ck_assert_msg(got == NULL, "%s: %s", releases[_i].release, got);
		ck_assert(g_error_matches(e, SIM_ERROR, SIM_ERROR_INPUT));
		ck_assert(g_str_has_prefix(e->message, "--profile auto: "));
	} else {
		ck_assert_msg(got != NULL, "%s: %s", releases[_i].release,
		    e->message);
		ck_assert_str_eq(got, releases[_i].want);
	}
}
END_TEST

TU_CASE(profile_auto_running, "sim/profile-auto")
{
	g_autoptr(GError) e = NULL;
	const char *got = sim_profile_auto(&e);

	/* whatever the machine, the answer is a profile or a clear no */
	ck_assert(got != NULL ? rp_profile_find(got) != NULL :
	    g_str_has_prefix(e->message, "--profile auto: "));
}
END_TEST

static void
setup_tmp(void)
{
	tmpdir = g_dir_make_tmp("check_kdiff-XXXXXX", NULL);
	ck_assert_ptr_nonnull(tmpdir);
}

static void
teardown_tmp(void)
{
	const char *n;
	GDir *d = g_dir_open(tmpdir, 0, NULL);

	while (d != NULL && (n = g_dir_read_name(d)) != NULL) {
		g_autofree char *p = g_build_filename(tmpdir, n, NULL);

		g_unlink(p);
	}
	if (d != NULL)
		g_dir_close(d);
	g_rmdir(tmpdir);
	g_clear_pointer(&tmpdir, g_free);
}

TU_TCASE("sim/diff", 0, setup_tmp, teardown_tmp)


TU_MAIN("kdiff")
