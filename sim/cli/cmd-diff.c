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

		if (!sim_diff_entry_unused(d, i))
			continue;	/* pattern entries never are */
		where = e->line != 0 ? g_strdup_printf("%s:%u", e->file,
		    e->line) : g_strdup_printf("%s:*", e->file);
		n++;
		msg = g_strdup_printf("%s:%u:%u: unused manifest entry %s: no "
		    "divergence there (%s)", sim_manifest_name(m), e->mline,
		    e->mcol, where, e->reason);
		sim_write_diff_unused(w, msg);
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
 * broken one stops everything: SIM_EXIT_USAGE), each run on o->a and
 * o->b under o->profile and compared.  Return the exit status.
 */
int
sim_diff_paths(const SimDiffOptions *o, char *const *paths, gsize n)
{
	g_autoptr(GPtrArray) inputs = NULL;
	g_autoptr(SimDiff) d = NULL;
	g_autofree char *bad = NULL;
	char *sel[2] = { (char *)o->profile, NULL };
	SimWriter w = { o->format, o->out, 0, 0, 0, 0 };
	SimDiffCounts c = { 0 };
	guint i;

	g_return_val_if_fail(o != NULL && o->a != NULL && o->b != NULL &&
	    o->profile != NULL && o->out != NULL && o->err != NULL,
	    SIM_EXIT_USAGE);
	bad = sim_profile_unknown(o->profile);
	if (bad != NULL) {
		fprintf(o->err, "reuseport-sim: %s\n", bad);
		return SIM_EXIT_USAGE;
	}
	inputs = sim_inputs_load(paths, n, o->err);
	if (inputs == NULL)
		return SIM_EXIT_USAGE;
	d = sim_diff_new(o->a, o->b, o->manifest);
	sim_diff_set_release(d, o->release);
	for (i = 0; i < inputs->len; i++) {
		const SimInput *in = inputs->pdata[i];
		g_autoptr(GPtrArray) profs = sim_scenario_profiles(in->sc, sel);
		SimDiffResult r = { 0 };

		if (profs->len == 0) {
			sim_write_skip(&w, in->name, o->profile, NULL,
			    "no selected profile");
		} else {
			sim_diff_scenario(d, in->sc, o->profile, &r);
			count(&c, &r);
			sim_write_diff(&w, in->name, o->profile, &r,
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
	{ "--profile", TRUE, O_PROFILE },
	{ "--format", TRUE, O_FORMAT },
	{ "--manifest", TRUE, O_MANIFEST },
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
		return sim_cli_format(&sim_cli_main, v, formats, &c->o.format);
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
	st = sim_options_parse(&sim_cli_main, diff_options,
	    G_N_ELEMENTS(diff_options), diff_option, argc, argv, paths,
	    "diff: no FILE or DIR given", &c);
	if (st != SIM_CLI_GO_ON)
		return st;
	if (strcmp(c.profile, "auto") == 0) {
		g_autoptr(GError) e = NULL;

		c.profile = sim_profile_auto(&e);
		if (c.profile == NULL)
			return sim_cli_error(&sim_cli_main, NULL, "%s",
			    e->message);
	}
	c.o.profile = c.profile;
#ifdef HAVE_KERNEL_BACKEND
	c.o.b = &sim_backend_kernel;
#else
	fputs("reuseport-sim: diff needs the kernel backend: configure "
	    "--enable-kernel-backend (libbpf)\n", stderr);
	return SIM_EXIT_USAGE;
#endif
	if (c.manifest != NULL) {
		g_autoptr(GPtrArray) errors = g_ptr_array_new_with_free_func(
		    g_free);

		manifest = sim_manifest_load(c.manifest, errors);
		if (manifest == NULL) {
			for (guint k = 0; k < errors->len; k++)
				fprintf(stderr, "%s\n",
				    (char *)errors->pdata[k]);
			return SIM_EXIT_USAGE;
		}
	}
	c.o.manifest = manifest;
	/* the kernel compared is the running one */
	if (uname(&u) == 0)
		c.o.release = u.release;
	return sim_diff_paths(&c.o, (char *const *)paths->pdata, paths->len);
}
