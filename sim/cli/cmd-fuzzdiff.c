/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * cmd-fuzzdiff.c - `reuseport-sim fuzz-diff`: random scenarios on the
 * model and on a kernel, compared step by step, each new failure shrunk
 * (tools/fuzzdiff.c); and `reuseport-sim gen`, which writes one random
 * scenario (tools/gen.c).
 *
 * Exit status of fuzz-diff: 0 no unexplained divergence and no broken
 * invariant, 1 otherwise, 2 bad command line or manifest.  gen: 0, or 2.
 */
#include <errno.h>
#include <string.h>

#include <glib/gstdio.h>

#include "backend/model.h"
#include "cli/cmd-fuzzdiff.h"
#include "cli/json.h"
#include "cli/kernels.h"
#include "cli/matrix.h"
#include "cli/options.h"
#include "cli/report.h"
#include "core/error.h"
#include "core/profiles.h"
#include "lang/print.h"
#include "tools/gen.h"
#ifdef HAVE_KERNEL_BACKEND
#include "backend/kernel.h"
#endif

/* ---------------------------------------------------------------------
 * Writing
 */

typedef struct {
	const SimFuzzOptions	*o;
	const SimFuzzOut	*w;
	guint			 n;		/* TAP test points */
} Writer;

/* Save a minimal scenario as DIR/seed-N.scn (-2, -3 ... when taken);
 * the path (g_free()), or NULL with the reason on stderr. */
static char *
save(const char *dir, const SimFuzzFinding *fd)
{
	g_autoptr(GError) e = NULL;
	guint k;

	if (g_mkdir_with_parents(dir, 0755) != 0) {
		fprintf(stderr, "reuseport-sim: fuzz-diff: %s: %s\n", dir,
		    g_strerror(errno));
		return NULL;
	}
	for (k = 1; k < 1000; k++) {
		g_autofree char *base = k == 1 ? g_strdup_printf("seed-%"
		    G_GUINT64_FORMAT ".scn", fd->seed) : g_strdup_printf(
		    "seed-%" G_GUINT64_FORMAT "-%u.scn", fd->seed, k);
		g_autofree char *path = g_build_filename(dir, base, NULL);

		if (g_file_test(path, G_FILE_TEST_EXISTS))
			continue;
		if (!g_file_set_contents(path, fd->minimal, -1, &e)) {
			fprintf(stderr, "reuseport-sim: fuzz-diff: %s\n",
			    e->message);
			return NULL;
		}
		return g_steal_pointer(&path);
	}
	return NULL;
}

static void
finding_text(Writer *wr, const SimFuzzFinding *fd, const char *path)
{
	const char *pre = wr->w->format == SIM_FORMAT_TAP ? "# " : "    ";
	g_autofree char *p2 = g_strdup_printf("%s    | ", pre);
	FILE *out = wr->w->out;

	fprintf(out, "%snew: %s: shrunk from %u to %u statements in %u "
	    "tests%s; failed again in %u of %u runs%s%s\n", pre,
	    fd->signature, fd->units_before, fd->units_after, fd->tests,
	    fd->budget_out ? " (budget spent)" : "", fd->reproduced,
	    fd->reruns, path != NULL ? "; saved " : "", path != NULL ? path :
	    "");
	sim_put_lines(out, p2, fd->minimal);
}

static void
finding_json(Writer *wr, const SimFuzzFinding *fd, const char *path)
{
	JsonBuilder *b = sim_json_begin("finding", "fuzz-diff");

	sim_json_str(b, "file", fd->name);
	sim_json_uint(b, "seed", fd->seed);
	sim_json_str(b, "signature", fd->signature);
	sim_json_str(b, "what", fd->what);
	sim_json_uint(b, "statements", fd->units_before);
	sim_json_uint(b, "shrunk_to", fd->units_after);
	sim_json_uint(b, "tests", fd->tests);
	sim_json_bool(b, "budget_out", fd->budget_out);
	sim_json_uint(b, "reproduced", fd->reproduced);
	sim_json_uint(b, "runs", fd->reruns);
	sim_json_str(b, "saved", path);
	sim_json_lines(b, "scenario", fd->minimal);
	sim_json_end(b, wr->w->out);
}

static void
case_text(Writer *wr, const SimFuzzCase *c)
{
	gboolean tap = wr->w->format == SIM_FORMAT_TAP;
	const char *pre = tap ? "# " : "    ";
	const SimDiffResult *r = c->r;
	FILE *out = wr->w->out;
	const char *verdict = r->skip != NULL ? "SKIP" : c->failed ? "FAIL" :
	    "PASS";
	guint i;

	wr->n++;
	if (!c->failed && wr->w->quiet && r->skip == NULL)
		return;
	if (tap && r->skip != NULL)
		fprintf(out, "ok %u - %s [%s] # SKIP %s\n", wr->n, c->name,
		    wr->o->profile, r->skip);
	else if (tap)
		fprintf(out, "%s %u - %s [%s] (%u steps compared, %u not)\n",
		    c->failed ? "not ok" : "ok", wr->n, c->name, wr->o->profile,
		    r->compared, r->uncompared);
	else if (r->skip != NULL)
		fprintf(out, "SKIP %s [%s] (%s)\n", c->name, wr->o->profile,
		    r->skip);
	else
		fprintf(out, "%s %s [%s] (%u steps compared, %u not)\n",
		    verdict, c->name, wr->o->profile, r->compared,
		    r->uncompared);
	for (i = 0; r->divergences != NULL && i < r->divergences->len; i++) {
		const SimDivergence *d = r->divergences->pdata[i];
		g_autofree char *text = sim_stmt_text(d->st, SIM_PRINT_CALL);

		fprintf(out, "%s%s:%u:%u: %s: %s\n", pre, d->st->file,
		    d->st->line, d->st->col, d->entry >= 0 ?
		    "known divergence" : sim_fuzz_root(r, i) ?
		    "divergence" : "divergence after a known one", text);
		fprintf(out, "%s    %-8s %s\n", pre, wr->o->a->name, d->a);
		fprintf(out, "%s    %-8s %s\n", pre, wr->o->b->name, d->b);
		if (d->entry >= 0)
			fprintf(out, "%s    because  %s\n", pre,
			    sim_manifest_entry(wr->o->manifest,
			    (guint)d->entry)->reason);
	}
	for (i = 0; r->violations != NULL && i < r->violations->len; i++)
		fprintf(out, "%s%s (on the %s)\n", pre,
		    (char *)r->violations->pdata[i], wr->o->a->name);
}

static void
case_json(Writer *wr, const SimFuzzCase *c)
{
	const SimDiffResult *r = c->r;
	JsonBuilder *b;
	guint i;

	if (!c->failed && wr->w->quiet && r->skip == NULL)
		return;
	b = sim_json_begin("result", "fuzz-diff");
	sim_json_str(b, "file", c->name);
	sim_json_str(b, "profile", wr->o->profile);
	sim_json_str(b, "result", r->skip != NULL ? "skip" : c->failed ?
	    "fail" : "pass");
	sim_json_uint(b, "seed", c->seed);
	if (r->skip != NULL) {
		sim_json_str(b, "reason", r->skip);
		sim_json_strings(b, "notes", NULL);	/* as diff's skip */
		sim_json_end(b, wr->w->out);
		return;
	}
	sim_json_uint(b, "steps", c->steps);
	sim_json_uint(b, "compared", r->compared);
	sim_json_uint(b, "not_compared", r->uncompared);
	sim_json_uint(b, "chance", r->chance);
	json_builder_set_member_name(b, "divergences");
	json_builder_begin_array(b);
	for (i = 0; i < r->divergences->len; i++) {
		sim_json_divergence(b, r->divergences->pdata[i],
		    wr->o->manifest, wr->o->a->name, wr->o->b->name);
		sim_json_bool(b, "root", sim_fuzz_root(r, i));
		json_builder_end_object(b);
	}
	json_builder_end_array(b);
	sim_json_strings(b, "violations", r->violations);
	sim_json_end(b, wr->w->out);
}

static void
on_case(void *ud, const SimFuzzCase *c)
{
	Writer *wr = ud;
	guint i;

	if (wr->w->format == SIM_FORMAT_JSON)
		case_json(wr, c);
	else
		case_text(wr, c);
	for (i = 0; i < c->found->len; i++) {
		const SimFuzzFinding *fd = c->found->pdata[i];
		g_autofree char *path = wr->w->save != NULL ?
		    save(wr->w->save, fd) : NULL;

		if (wr->w->format == SIM_FORMAT_JSON)
			finding_json(wr, fd, path);
		else
			finding_text(wr, fd, path);
	}
	fflush(wr->w->out);
}

static void
summary(Writer *wr, const SimFuzz *f)
{
	const SimFuzzCounts *n = sim_fuzz_counts(f);
	const GPtrArray *fs = sim_fuzz_findings(f);
	const SimManifest *m = wr->o->manifest;
	FILE *out = wr->w->out;
	g_autofree char *line = g_strdup_printf("fuzz-diff: %u cases (%u "
	    "passed, %u failed, %u skipped), %u steps: %u compared, %u not "
	    "(%u left to chance); divergences: %u known, %u unexplained, "
	    "%u after a known one; %u violations; %u distinct failures",
	    n->cases, n->cases - n->failed - n->skipped, n->failed,
	    n->skipped, n->steps, n->compared, n->uncompared, n->chance,
	    n->known, n->unexplained, n->following, n->violations, fs->len);
	guint i;

	if (wr->w->format == SIM_FORMAT_JSON) {
		JsonBuilder *b = sim_json_begin("summary", "fuzz-diff");

		sim_json_uint(b, "passed", n->cases - n->failed - n->skipped);
		sim_json_uint(b, "failed", n->failed);
		sim_json_uint(b, "skipped", n->skipped);
		sim_json_uint(b, "errors", 0);
		sim_json_uint(b, "status", n->failed > 0 ? 1 : 0);
		sim_json_uint(b, "seed", wr->o->seed);
		sim_json_str(b, "profile", wr->o->profile);
		sim_json_str(b, "kernel", wr->o->kernel);
		sim_json_uint(b, "cases", n->cases);
		sim_json_uint(b, "steps", n->steps);
		sim_json_uint(b, "compared", n->compared);
		sim_json_uint(b, "not_compared", n->uncompared);
		sim_json_uint(b, "chance", n->chance);
		sim_json_uint(b, "known", n->known);
		sim_json_uint(b, "unexplained", n->unexplained);
		sim_json_uint(b, "following", n->following);
		sim_json_uint(b, "violations", n->violations);
		json_builder_set_member_name(b, "distinct");
		json_builder_begin_array(b);
		for (i = 0; i < fs->len; i++) {
			const SimFuzzFinding *fd = fs->pdata[i];

			json_builder_begin_object(b);
			sim_json_str(b, "signature", fd->signature);
			sim_json_uint(b, "cases", fd->cases);
			sim_json_str(b, "first", fd->name);
			json_builder_end_object(b);
		}
		json_builder_end_array(b);
		sim_json_end(b, out);
		return;
	}
	if (wr->w->format == SIM_FORMAT_TAP)
		fprintf(out, "1..%u\n# %s\n", wr->n, line);
	else
		fprintf(out, "%s\n", line);
	for (i = 0; i < fs->len; i++) {
		const SimFuzzFinding *fd = fs->pdata[i];

		fprintf(out, "%s  %s (%u case%s, first %s)\n",
		    wr->w->format == SIM_FORMAT_TAP ? "#" : "", fd->signature,
		    fd->cases, fd->cases == 1 ? "" : "s", fd->name);
	}
	for (i = 0; i < sim_manifest_size(m); i++) {
		const SimManifestEntry *e = sim_manifest_entry(m, i);
		guint uses = sim_diff_entry_uses(sim_fuzz_diff(f), i);

		if (e->pattern == NULL || uses == 0)
			continue;
		fprintf(out, "%s  known \"%s\": %u (%s)\n",
		    wr->w->format == SIM_FORMAT_TAP ? "#" : "", e->pattern,
		    uses, e->reason);
	}
}

/*
 * Run fuzz-diff with o, writing as w says.  Return the exit status:
 * SIM_EXIT_FAIL when a case failed, else SIM_EXIT_OK.
 */
int
sim_fuzz_diff_run(const SimFuzzOptions *o, const SimFuzzOut *w)
{
	g_autoptr(SimFuzz) f = sim_fuzz_new(o);
	Writer wr = { o, w, 0 };

	g_return_val_if_fail(f != NULL && w != NULL && w->out != NULL,
	    SIM_EXIT_USAGE);
	if (w->format == SIM_FORMAT_TAP)
		fputs("TAP version 13\n", w->out);
	if (o->release != NULL) {
		SimWriter kw;

		/* as diff says it: the release, the row, what calibrated */
		sim_writer_init(&kw, w->format, w->out, stderr, "fuzz-diff");
		sim_write_kernel(&kw, o->release, o->profile, o->note);
	}
	if (w->format != SIM_FORMAT_JSON)
		fprintf(w->out, "%sfuzz-diff: seed %" G_GUINT64_FORMAT ", %u "
		    "steps in cases of %u, profile %s, %s %s\n", w->format ==
		    SIM_FORMAT_TAP ? "# " : "", o->seed,
		    o->steps, o->length, o->profile, o->b->name,
		    o->kernel != NULL ? o->kernel : "");
	sim_fuzz_run(f, on_case, &wr);
	summary(&wr, f);
	return sim_fuzz_counts(f)->failed > 0 ? SIM_EXIT_FAIL : SIM_EXIT_OK;
}

/* ---------------------------------------------------------------------
 * The command lines
 */

typedef struct {
	SimFuzzOptions	 o;
	SimFuzzOut	 w;
	GPtrArray	*manifests;	/* const char *, as given */
	const char	*kernel;
	gboolean	 kernel_steps;
	const SimCommand *cmd;
} FuzzCmd;

enum { O_SEED, O_STEPS, O_LENGTH, O_PROFILE, O_MANIFEST, O_SAVE,
	O_SHRINK, O_REPRO, O_QUIET, O_FORMAT, O_KERNEL, O_KSTEPS };

static const SimOption fuzz_options[] = {
	{ "--kernel", "host|vm:NAME|vm:PATH", O_KERNEL,
	    "the kernel to compare with: host, the running\n"
	    "one (the default; needs root and the kernel\n"
	    "backend), or one booted under qemu\n"
	    "(sim/vm/reuseport-vm), where the whole command\n"
	    "runs with --kernel host", NULL },
	{ "--seed", "S", O_SEED,
	    "the first case's seed (default 1); case k is\n"
	    "generated from seed S+k", NULL },
	{ "--steps", "N", O_STEPS, "statements in all (default 1000)", NULL },
	{ "--length", "L", O_LENGTH, "statements per case (default 60)",
	    NULL },
	{ "--profile", "P|auto", O_PROFILE,
	    "the model profile (default auto: the running\n"
	    "kernel's)", sim_cli_profile_choices },
	{ "--manifest", "FILE", O_MANIFEST,
	    "the known differences (pattern entries\n"
	    "\"CALL => MODEL vs KERNEL\" match random steps);\n"
	    "more than one may be given.  A VM kernel also\n"
	    "reads NAME.vm.manifest and NAME.vm-N.M.manifest\n"
	    "beside NAME.manifest, as diff does", NULL },
	{ "--save", "DIR", O_SAVE,
	    "write each minimal scenario to DIR/seed-N.scn", NULL },
	{ "--max-shrink", "N", O_SHRINK,
	    "candidate runs per shrink (default 400; 0: do\n"
	    "not shrink)", NULL },
	{ "--repro", "N", O_REPRO,
	    "runs of each minimal scenario (default 3)", NULL },
	{ "--quiet", NULL, O_QUIET, "no line for a case that passed", NULL },
	SIM_OPTION_FORMAT(O_FORMAT, " (one\n"
	    "object a line)"),
};

const SimCommand sim_cmd_fuzz_diff_def = {
	"fuzz-diff", NULL,
	"random valid scenarios on the model and on a\n"
	"kernel, compared step by step; each new failure\n"
	"shrunk to a minimal scenario",
	"Random, valid scenarios (the generator of `gen`) run on the model and\n"
	"on a kernel and compared step by step, as `diff` does; each new kind\n"
	"of failure (a divergence the manifest does not explain, or an\n"
	"invariant the model broke) is shrunk to a minimal scenario by delta\n"
	"debugging.",
	fuzz_options, G_N_ELEMENTS(fuzz_options),
	"Exit status: 0 no unexplained divergence, 1 divergences or\n"
	"violations found, 2 bad input.  See docs/fuzz-diff.md.",
	sim_cmd_fuzz_diff, FALSE,
};

static const SimOption gen_options[] = {
	{ "--seed", "S", O_SEED, "the seed (default 1)", NULL },
	{ "--steps", "N", O_STEPS, "statements (default 60)", NULL },
	{ "--profile", "P", O_PROFILE,
	    "write a `profile P` line (default: none)",
	    sim_cli_profile_choices },
	{ "--kernel-steps", NULL, O_KSTEPS,
	    "only steps a kernel can do, as fuzz-diff\n"
	    "generates them", NULL },
};

const SimCommand sim_cmd_gen_def = {
	"gen", NULL,
	"write one random, valid scenario (fuzz-diff's\n"
	"generator) on standard output",
	"Write one random, valid scenario on standard output: the same seed,\n"
	"steps, profile and flags give the same text (sim/tools/gen.h).",
	gen_options, G_N_ELEMENTS(gen_options),
	"Exit status: 0, or 2 on a bad command line.",
	sim_cmd_gen, FALSE,
};

/* A number of an option, in [min, max]. */
static int
number(const SimCommand *cmd, const char *opt, const char *v, guint64 min,
    guint64 max, guint64 *out)
{
	g_autoptr(GError) e = NULL;

	if (!g_ascii_string_to_unsigned(v, 10, min, max, out, &e))
		return sim_cli_error(cmd, NULL, "%s: %s", opt, e->message);
	return SIM_CLI_GO_ON;
}

static int
fuzz_option(void *ud, int id, const char *opt, const char *v)
{
	FuzzCmd *c = ud;
	const SimCommand *t = c->cmd;
	guint64 n = 0;
	int st = SIM_CLI_GO_ON;

	switch (id) {
	case O_SEED:
		return number(t, opt, v, 0, G_MAXUINT64 / 2, &c->o.seed);
	case O_STEPS:
		st = number(t, opt, v, 1, G_MAXUINT32 / 2, &n);
		c->o.steps = (guint)n;
		break;
	case O_LENGTH:
		st = number(t, opt, v, 1, 100000, &n);
		c->o.length = (guint)n;
		break;
	case O_SHRINK:
		st = number(t, opt, v, 0, 1000000, &n);
		c->o.max_shrink = (guint)n;
		break;
	case O_REPRO:
		st = number(t, opt, v, 0, 1000, &n);
		c->o.repro = (guint)n;
		break;
	case O_PROFILE:
		c->o.profile = v;
		break;
	case O_MANIFEST:
		if (c->manifests != NULL)
			g_ptr_array_add(c->manifests, (char *)v);
		break;
	case O_SAVE:
		c->w.save = v;
		break;
	case O_QUIET:
		c->w.quiet = TRUE;
		break;
	case O_FORMAT:
		return sim_cli_format(t, v, sim_cli_formats, &c->w.format);
	case O_KERNEL:
		c->kernel = v;
		break;
	default:
		c->kernel_steps = TRUE;
		break;
	}
	return st;
}

/* The backend of the running kernel (--kernel host; a VM kernel runs
 * the whole command with --kernel host inside it). */
static int
kernel_backend(const SimBackendOps **ops)
{
#ifdef HAVE_KERNEL_BACKEND
	*ops = &sim_backend_kernel;
	return SIM_CLI_GO_ON;
#else
	(void)ops;
	sim_cli_fail("fuzz-diff needs the kernel backend: configure "
	    "--enable-kernel-backend (libbpf)");
	return SIM_EXIT_USAGE;
#endif
}

/*
 * fuzz-diff --kernel vm:X: the whole command in that kernel with --kernel
 * host (sim_kernel_run_here()), its manifests and the VM's own beside
 * them (NAME.vm.manifest, NAME.vm-N.M.manifest) packed into the guest.
 * Its report carries every minimal scenario in full.
 */
static int
in_vm(const SimKernelTarget *k, const GPtrArray *manifests, int argc,
    char **argv)
{
	g_autoptr(GPtrArray) adds = g_ptr_array_new_with_free_func(g_free);
	g_autoptr(GPtrArray) extra = g_ptr_array_new_with_free_func(g_free);
	g_autoptr(GPtrArray) a = g_ptr_array_new();

	for (guint i = 0; i < manifests->len; i++) {
		g_ptr_array_add(adds, g_strdup(manifests->pdata[i]));
		sim_matrix_vm_manifests(manifests->pdata[i], k, extra);
	}
	for (int i = 0; i < argc; i++)
		g_ptr_array_add(a, argv[i]);
	for (guint i = 0; i < extra->len; i++) {
		g_ptr_array_add(a, (char *)"--manifest");
		g_ptr_array_add(a, extra->pdata[i]);
		g_ptr_array_add(adds, g_strdup(extra->pdata[i]));
	}
	return sim_kernel_run_here(k, (int)a->len, (char **)a->pdata, adds);
}

/* "reuseport-sim fuzz-diff ..." as run, for the saved headers. */
static char *
command_line(const FuzzCmd *c)
{
	return g_strdup_printf("reuseport-sim fuzz-diff --kernel %s --seed %"
	    G_GUINT64_FORMAT " --steps %u --length %u --profile %s", c->kernel,
	    c->o.seed, c->o.steps, c->o.length, c->o.profile);
}

int
sim_cmd_fuzz_diff(int argc, char **argv)
{
	g_autoptr(GPtrArray) paths = g_ptr_array_new();
	g_autoptr(SimManifest) manifest = NULL;
	g_autofree char *found_by = NULL, *release = NULL, *kernel = NULL;
	g_autofree char *bad = NULL;
	g_autoptr(GPtrArray) manifests = g_ptr_array_new();
	g_autoptr(GPtrArray) kernels = NULL;
	g_autoptr(GString) note = g_string_new(NULL);
	g_autoptr(GError) e = NULL;
	const SimKernelTarget *k;
	FuzzCmd c = { 0 };
	int st;

	c.cmd = &sim_cmd_fuzz_diff_def;
	c.o.a = &sim_backend_model;
	c.o.seed = 1;
	c.o.steps = 1000;
	c.o.length = 60;
	c.o.max_shrink = 400;
	c.o.repro = 3;
	c.o.profile = "auto";
	c.kernel = "host";
	c.w.out = stdout;
	c.manifests = manifests;
	st = sim_options_parse(c.cmd, fuzz_option, argc, argv, paths, FALSE,
	    &c);
	if (st != SIM_CLI_GO_ON)
		return st;
	kernels = sim_kernel_targets_parse(c.kernel, &e);
	if (kernels == NULL)
		return sim_cli_error(c.cmd, "host", "%s", e->message);
	if (kernels->len != 1)
		return sim_cli_error(c.cmd, NULL, "--kernel %s: fuzz-diff "
		    "compares with one kernel at a time", c.kernel);
	if (strcmp(c.o.profile, "auto") != 0 &&
	    (bad = sim_profile_unknown(c.o.profile)) != NULL)
		return sim_cli_error(c.cmd, NULL, "%s", bad);
	manifest = sim_load_manifests(manifests, c.w.format, "fuzz-diff", &st);
	if (st != SIM_EXIT_OK)
		return st;
	k = kernels->pdata[0];
	if (k->vm != NULL)
		return in_vm(k, manifests, argc, argv);
	st = kernel_backend(&c.o.b);
	if (st != SIM_CLI_GO_ON)
		return st;
	if (strcmp(c.o.profile, "auto") == 0) {
		c.o.profile = sim_kernel_auto_profile(note,
		    &c.o.kconfig_mptcp, &e);
		if (c.o.profile == NULL)
			return sim_cli_error(c.cmd, NULL, "%s", e->message);
	}
	c.o.note = note->len > 0 ? note->str : NULL;
	c.o.manifest = manifest;
	found_by = command_line(&c);
	release = sim_kernel_release();
	kernel = g_strdup_printf("Linux %s", release);
	c.o.found_by = found_by;
	c.o.kernel = kernel;
	c.o.release = release;
	return sim_fuzz_diff_run(&c.o, &c.w);
}

int
sim_cmd_gen(int argc, char **argv)
{
	g_autoptr(GPtrArray) paths = g_ptr_array_new();
	g_autofree char *text = NULL, *bad = NULL;
	SimGenOptions go = { 0 };
	FuzzCmd c = { 0 };
	int st;

	c.cmd = &sim_cmd_gen_def;
	c.o.seed = 1;
	c.o.steps = 60;
	st = sim_options_parse(c.cmd, fuzz_option, argc, argv, paths, FALSE,
	    &c);
	if (st != SIM_CLI_GO_ON)
		return st;
	if (c.o.profile != NULL &&
	    (bad = sim_profile_unknown(c.o.profile)) != NULL)
		return sim_cli_error(c.cmd, NULL, "%s", bad);
	go.seed = c.o.seed;
	go.steps = c.o.steps;
	go.profile = c.o.profile;
	go.flags = c.kernel_steps ? SIM_GEN_KERNEL : 0;
	text = sim_gen_scenario(&go);
	fputs(text, stdout);
	return SIM_EXIT_OK;
}
