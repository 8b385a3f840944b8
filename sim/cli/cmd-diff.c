/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * cmd-diff.c - `reuseport-sim diff`: every scenario on the model and on
 * the live kernel, compared step by step (tools/diff.c), one result per
 * scenario and a summary.
 *
 * Exit status: 0 no unexplained divergence and no unused manifest entry,
 * 1 otherwise, 2 bad input (scenarios, manifest, command line).
 */
#include <string.h>
#include <sys/utsname.h>

#include "backend/model.h"
#include "cli/cmd-diff.h"
#include "cli/kernels.h"
#include "cli/matrix.h"
#include "cli/options.h"
#include "core/error.h"
#include "core/inputs.h"
#include "core/profiles.h"
#ifdef HAVE_KERNEL_BACKEND
#include "backend/kernel.h"
#endif

/* Report the entries of compared files that no divergence used. */
static guint
put_unused(SimWriter *w, const SimDiff *d, const SimManifest *m)
{
	guint i, n = 0;

	for (i = 0; i < sim_manifest_size(m); i++) {
		const SimManifestEntry *e = sim_manifest_entry(m, i);
		g_autofree char *where = NULL;
		g_autofree char *msg = NULL;
		g_autoptr(SimDiag) at = NULL;

		if (!sim_diff_entry_unused(d, i))
			continue;	/* pattern entries never are */
		where = e->line != 0 ? g_strdup_printf("%s:%u", e->file,
		    e->line) : g_strdup_printf("%s:*", e->file);
		n++;
		msg = g_strdup_printf("unused manifest entry %s: no divergence "
		    "there (%s)", where, e->reason);
		at = sim_diag_new(e->mfile, e->mline, e->mcol, msg);
		sim_write_diff_unused(w, at);
	}
	return n;
}

static void
count(SimDiffCounts *c, const SimDiffResult *r)
{
	guint i;

	if (r->skip != NULL)
		return;
	for (i = 0; i < r->divergences->len; i++) {
		if (((const SimDivergence *)
		    r->divergences->pdata[i])->entry >= 0)
			c->known++;
		else
			c->unexplained++;
	}
	c->compared += r->compared;
	c->uncompared += r->uncompared;
	c->after_hash_n += r->after_hash_n;
}

/*
 * The diff command: the scenarios of paths, parsed and checked first (a
 * broken one stops everything: SIM_EXIT_USAGE, the errors on stderr and,
 * as TAP or JSON, on o->out), each run on o->a and o->b under o->profile
 * and compared.  Return the exit status.
 */
int
sim_diff_paths(const SimDiffOptions *o, char *const *paths, gsize n)
{
	g_autoptr(GPtrArray) inputs = NULL;
	g_autoptr(GPtrArray) errors = sim_diags_new();
	g_autoptr(SimDiff) d = NULL;
	g_autofree char *bad = NULL;
	char *sel[2] = { (char *)o->profile, NULL };
	SimDiffCounts c = { 0 };
	SimWriter w;
	guint i;

	g_return_val_if_fail(o != NULL && o->a != NULL && o->b != NULL &&
	    o->profile != NULL && o->out != NULL && o->err != NULL,
	    SIM_EXIT_USAGE);
	sim_writer_init(&w, o->format, o->out, o->err, "diff");
	bad = sim_profile_unknown(o->profile);
	if (bad != NULL)
		g_ptr_array_add(errors, sim_diag_new(NULL, 0, 0, bad));
	else
		inputs = sim_inputs_load(paths, n, errors);
	if (inputs == NULL)
		return sim_write_input_errors(&w, errors);
	sim_write_begin(&w, G_MAXUINT);
	if (o->release != NULL)
		sim_write_kernel(&w, o->release, o->profile, o->note);
	d = sim_diff_new(o->a, o->b, o->manifest);
	sim_diff_set_release(d, o->release);
	sim_diff_set_kconfig(d, o->kconfig_mptcp);
	sim_diff_set_check(d, o->check);
	for (i = 0; i < inputs->len; i++) {
		const SimInput *in = inputs->pdata[i];
		g_autoptr(GPtrArray) profs = sim_scenario_profiles(in->sc, sel);
		SimDiffResult r = { 0 };

		if (profs->len == 0) {
			sim_write_skip(&w, in->path, o->profile, NULL,
			    "no selected profile");
		} else {
			sim_diff_scenario(d, in->sc, o->profile, &r);
			count(&c, &r);
			sim_write_diff(&w, in->path, o->profile, &r,
			    o->manifest, o->a->name, o->b->name);
			sim_diff_result_clear(&r);
		}
		fflush(o->out);
	}
	c.unused = put_unused(&w, d, o->manifest);
	sim_write_diff_summary(&w, &c);
	return w.failed > 0 || c.unused > 0 ? SIM_EXIT_FAIL : SIM_EXIT_OK;
}

/* ---------------------------------------------------------------------
 * The command line
 */

typedef struct {
	SimDiffOptions	 o;
	const char	*profile, *kernels;
	GPtrArray	*manifests;	/* const char * */
} DiffCmd;

enum { O_PROFILE, O_FORMAT, O_MANIFEST, O_KERNEL, O_CHECK };

static const SimOption diff_options[] = {
	{ "--profile", "P|auto", O_PROFILE,
	    "the model profile to compare with (default auto;\n"
	    "on a kernel, auto is calibrated: see calibrate)",
	    sim_cli_profile_choices },
	SIM_OPTION_FORMAT(O_FORMAT, ""),
	{ "--manifest", "FILE", O_MANIFEST,
	    "the intended differences: lines 'FILE:LINE\n"
	    "REASON' or 'FILE:* REASON'; more than one may\n"
	    "be given.  A VM kernel also reads NAME.vm.manifest\n"
	    "and NAME.vm-N.M.manifest beside NAME.manifest\n"
	    "when they exist", NULL },
	{ "--kernel", "K[,K]", O_KERNEL,
	    "the kernels to compare with (default host): host,\n"
	    "vm:5.10, vm:6.1, vm:6.12, vm:7.2 (a Debian kernel\n"
	    "under qemu, downloaded once) or vm:PATH-TO-VMLINUZ;\n"
	    "one runs the diff there, several print scenario x\n"
	    "kernel: agree, known, UNEXPLAINED, skipped", NULL },
	SIM_OPTION_CHECK(O_CHECK),
};

const SimCommand sim_cmd_diff_def = {
	"diff", "FILE|DIR...",
	"run each scenario on the model and on a live\n"
	"kernel (needs the kernel backend and root) and\n"
	"compare them step by step; a divergence not in\n"
	"the manifest fails, so does an unused entry",
	"Run each scenario on the model and on a live kernel (the host's,\n"
	"or one booted under qemu: --kernel; needs the kernel backend and\n"
	"root) and compare them step by step.",
	diff_options, G_N_ELEMENTS(diff_options),
	"Exit status: 0 no unexplained divergence and no unused manifest\n"
	"entry, 1 otherwise, 2 bad input, 77 the kernel asked for cannot be\n"
	"had (no qemu, no package, no boot).",
	sim_cmd_diff, FALSE,
};

static int
diff_option(void *ud, int id, const char *opt, const char *v)
{
	DiffCmd *c = ud;

	(void)opt;
	switch (id) {
	case O_PROFILE:
		c->profile = v;
		break;
	case O_FORMAT:
		return sim_cli_format(&sim_cmd_diff_def, v, sim_cli_formats,
		    &c->o.format);
	case O_KERNEL:
		c->kernels = v;
		break;
	case O_CHECK:
		return sim_cli_check(&sim_cmd_diff_def, v, &c->o.check);
	default:
		g_ptr_array_add(c->manifests, (char *)v);
		break;
	}
	return SIM_CLI_GO_ON;
}

int
sim_cmd_diff(int argc, char **argv)
{
	g_autoptr(GPtrArray) paths = g_ptr_array_new();
	g_autoptr(GPtrArray) manifests = g_ptr_array_new();
	g_autoptr(GPtrArray) kernels = NULL;
	g_autoptr(SimManifest) manifest = NULL;
	g_autoptr(GString) note = g_string_new(NULL);
	g_autoptr(GError) e = NULL;
	g_autofree char *release = NULL;
	g_autoptr(GPtrArray) ins = NULL;
	g_autoptr(GPtrArray) errors = sim_diags_new();
	DiffCmd c = { 0 };
	int st;

	c.o.out = stdout;
	c.o.err = stderr;
	c.o.a = &sim_backend_model;
	c.profile = "auto";
	c.kernels = "host";
	c.manifests = manifests;
	st = sim_options_parse(&sim_cmd_diff_def, diff_option, argc, argv,
	    paths, TRUE, &c);
	if (st != SIM_CLI_GO_ON)
		return st;
	kernels = sim_kernel_targets_parse(c.kernels, &e);
	if (kernels == NULL)
		return sim_cli_error(&sim_cmd_diff_def, NULL, "%s",
		    e->message);
	if (kernels->len > 1 || ((SimKernelTarget *)
	    kernels->pdata[0])->vm != NULL) {
		SimMatrixOptions mo = { kernels, argc, argv, paths, manifests,
		    NULL, c.o.format, stdout };

		/* nothing runs before every input was read */
		manifest = sim_load_manifests(manifests, c.o.format, "diff",
		    &st);
		if (st != SIM_EXIT_OK)
			return st;
		if ((ins = sim_inputs_load((char *const *)paths->pdata,
		    paths->len, errors)) == NULL) {
			SimWriter w;

			sim_writer_init(&w, c.o.format, stdout, stderr, "diff");
			return sim_write_input_errors(&w, errors);
		}
		mo.inputs = ins;
		if (kernels->len == 1)
			return sim_matrix_one(&mo);
		return sim_matrix_run(&mo);
	}
	if (strcmp(c.profile, "auto") == 0) {
		c.profile = sim_kernel_auto_profile(note,
		    &c.o.kconfig_mptcp, &e);
		if (c.profile == NULL)
			return sim_cli_error(&sim_cmd_diff_def, NULL, "%s",
			    e->message);
	}
	c.o.profile = c.profile;
#ifdef HAVE_KERNEL_BACKEND
	c.o.b = &sim_backend_kernel;
#else
	sim_cli_fail("diff needs the kernel backend: configure "
	    "--enable-kernel-backend (libbpf)");
	return SIM_EXIT_USAGE;
#endif
	manifest = sim_load_manifests(manifests, c.o.format, "diff", &st);
	if (st != SIM_EXIT_OK)
		return st;
	c.o.manifest = manifest;
	/* the kernel compared is the running one (its release also picks
	 * the manifest's kernel= entries) */
	release = sim_kernel_release();
	c.o.release = release;
	c.o.note = note->len > 0 ? note->str : NULL;
	return sim_diff_paths(&c.o, (char *const *)paths->pdata, paths->len);
}
