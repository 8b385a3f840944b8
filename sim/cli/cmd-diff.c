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
		at = sim_diag_new(sim_manifest_name(m), e->mline, e->mcol, msg);
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
	d = sim_diff_new(o->a, o->b, o->manifest);
	sim_diff_set_release(d, o->release);
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
	const char	*profile, *manifest;
} DiffCmd;

enum { O_PROFILE, O_FORMAT, O_MANIFEST };

static const SimOption diff_options[] = {
	{ "--profile", "P|auto", O_PROFILE,
	    "the model profile to compare with (default auto)",
	    sim_cli_profile_choices },
	{ "--format", "text|tap|json", O_FORMAT,
	    "text (default), TAP version 13, or JSON", NULL },
	{ "--manifest", "FILE", O_MANIFEST,
	    "the intended differences: lines 'FILE:LINE\n"
	    "REASON' or 'FILE:* REASON'", NULL },
};

const SimCommand sim_cmd_diff_def = {
	"diff", "FILE|DIR...",
	"run each scenario on the model and on the live\n"
	"kernel (needs the kernel backend and root) and\n"
	"compare them step by step; a divergence not in\n"
	"the manifest fails, so does an unused entry",
	"Run each scenario on the model and on the live kernel (needs the\n"
	"kernel backend and root) and compare them step by step.",
	diff_options, G_N_ELEMENTS(diff_options),
	"Exit status: 0 no unexplained divergence and no unused manifest\n"
	"entry, 1 otherwise, 2 bad input.",
	sim_cmd_diff, FALSE,
};

static int
diff_option(void *ud, int id, const char *opt, const char *v)
{
	static const char *const formats[] = { "text", "tap", "json", NULL };
	DiffCmd *c = ud;

	(void)opt;
	switch (id) {
	case O_PROFILE:
		c->profile = v;
		break;
	case O_FORMAT:
		return sim_cli_format(&sim_cmd_diff_def, v, formats,
		    &c->o.format);
	default:
		c->manifest = v;
		break;
	}
	return SIM_CLI_GO_ON;
}

int
sim_cmd_diff(int argc, char **argv)
{
	g_autoptr(GPtrArray) paths = g_ptr_array_new();
	g_autoptr(SimManifest) manifest = NULL;
	struct utsname u;
	DiffCmd c = { 0 };
	int st;

	c.o.out = stdout;
	c.o.err = stderr;
	c.o.a = &sim_backend_model;
	c.profile = "auto";
	st = sim_options_parse(&sim_cmd_diff_def, diff_option, argc, argv,
	    paths, TRUE, &c);
	if (st != SIM_CLI_GO_ON)
		return st;
	if (strcmp(c.profile, "auto") == 0) {
		g_autoptr(GError) e = NULL;

		c.profile = sim_profile_auto(&e);
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
	if (c.manifest != NULL) {
		g_autoptr(GPtrArray) errors = g_ptr_array_new_with_free_func(
		    g_free);

		manifest = sim_manifest_load(c.manifest, errors);
		if (manifest == NULL) {
			g_autoptr(GPtrArray) diags = sim_diags_new();
			SimWriter w;

			for (guint k = 0; k < errors->len; k++)
				sim_diags_add_text(diags, errors->pdata[k]);
			sim_writer_init(&w, c.o.format, stdout, stderr,
			    "diff");
			return sim_write_input_errors(&w, diags);
		}
	}
	c.o.manifest = manifest;
	/* the kernel compared is the running one */
	if (uname(&u) == 0)
		c.o.release = u.release;
	return sim_diff_paths(&c.o, (char *const *)paths->pdata, paths->len);
}
