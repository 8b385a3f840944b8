/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * cmd-explain.c - `reuseport-sim explain`: runs each scenario through the
 * model with a recorder (tools/record.h) as its step hooks, whatever the
 * scenario holds (a counterexample of explore, with its `schedule`, is
 * recorded like any run), then narrates every step (tools/explain.c) and
 * draws it (--dot, --svg, --html: tools/render-dot.c, render-html.c).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "backend/model.h"
#include "cli/cmd-explain.h"
#include "cli/options.h"
#include "core/error.h"
#include "core/exec.h"
#include "core/inputs.h"
#include "core/profiles.h"
#include "core/run.h"
#include "tools/explain-why.h"
#include "tools/explain.h"
#include "tools/render-dot.h"
#include "tools/render-html.h"

typedef struct {
	FILE		*out;
	const char	*dot_dir, *svg_dir, *html_dir;
	GArray		*steps;		/* guint, 1-based; NULL: all */
	gboolean	 quiet;		/* --no-text */
	SimCheckMode	 check;		/* --check */
	gboolean	 io_failed;
	char		*base;		/* file names: BASE-PROFILE-NN */
} ExplainOpts;

static gboolean
step_chosen(const ExplainOpts *o, guint i)
{
	guint k;

	if (o->steps == NULL)
		return TRUE;
	for (k = 0; k < o->steps->len; k++)
		if (g_array_index(o->steps, guint, k) == i + 1)
			return TRUE;
	return FALSE;
}

static gboolean
write_file(ExplainOpts *o, const char *dir, const char *name,
    const char *text)
{
	g_autofree char *path = g_build_filename(dir, name, NULL);
	g_autoptr(GError) e = NULL;

	if (g_mkdir_with_parents(dir, 0777) != 0 ||
	    !g_file_set_contents(path, text, -1, &e)) {
		sim_cli_fail("cannot write %s: %s", path,
		    e != NULL ? e->message : g_strerror(errno));
		o->io_failed = TRUE;
		return FALSE;
	}
	return TRUE;
}

static void
explain_done(SimRecord *rec, SimExec *x, void *ud)
{
	ExplainOpts *o = ud;
	SimNames *nm = sim_exec_names(x);
	g_autoptr(GPtrArray) svgs = g_ptr_array_new_with_free_func(g_free);
	g_autoptr(GPtrArray) texts = g_ptr_array_new_with_free_func(g_free);
	guint n = rec->steps->len, i, width = n >= 100 ? 3 : 2;

	if (!o->quiet)
		fprintf(o->out, "explain %s [%s]\n", rec->sc->path,
		    rec->profile);
	for (i = 0; i < n; i++) {
		GString *t = g_string_new(NULL);
		g_autoptr(GString) dot = NULL;
		g_autofree char *name = NULL;
		char *svg = NULL;

		sim_explain_step(rec, i, nm, t);
		if (!o->quiet && step_chosen(o, i))
			fprintf(o->out, "\n%s", t->str);
		g_ptr_array_add(texts, g_string_free(t, FALSE));
		if (o->dot_dir == NULL && o->svg_dir == NULL &&
		    o->html_dir == NULL)
			continue;
		if (!step_chosen(o, i) && o->html_dir == NULL) {
			g_ptr_array_add(svgs, NULL);
			continue;
		}
		dot = g_string_new(NULL);
		sim_render_dot(rec, i, nm, dot);
		name = g_strdup_printf("%s-%s-%0*u", o->base, rec->profile,
		    (int)width, i + 1);
		if (o->dot_dir != NULL && step_chosen(o, i)) {
			g_autofree char *f = g_strconcat(name, ".dot", NULL);

			write_file(o, o->dot_dir, f, dot->str);
		}
		if (o->svg_dir != NULL || o->html_dir != NULL) {
			g_autoptr(GError) e = NULL;

			svg = sim_render_svg(dot->str, &e);
			if (svg == NULL) {
				sim_cli_fail("%s", e->message);
				o->io_failed = TRUE;
			}
		}
		if (svg != NULL && o->svg_dir != NULL && step_chosen(o, i)) {
			g_autofree char *f = g_strconcat(name, ".svg", NULL);

			write_file(o, o->svg_dir, f, svg);
		}
		g_ptr_array_add(svgs, svg);
	}
	if (o->html_dir != NULL && svgs->len == n && !o->io_failed) {
		g_autoptr(GString) page = g_string_new(NULL);
		g_autofree char *f = g_strdup_printf("%s-%s.html", o->base,
		    rec->profile);

		sim_render_html(rec, (char **)svgs->pdata,
		    (char **)texts->pdata, nm, page);
		write_file(o, o->html_dir, f, page->str);
	}
}

/* "3,5-7" -> 3 5 6 7.  FALSE when malformed. */
static gboolean
parse_steps(const char *s, GArray *out)
{
	g_auto(GStrv) parts = g_strsplit(s, ",", -1);
	guint i;

	for (i = 0; parts[i] != NULL; i++) {
		guint64 a, b;
		char *end;

		if (!g_ascii_isdigit(parts[i][0]))
			return FALSE;
		a = g_ascii_strtoull(parts[i], &end, 10);
		b = a;
		if (*end == '-') {
			if (!g_ascii_isdigit(end[1]))
				return FALSE;
			b = g_ascii_strtoull(end + 1, &end, 10);
		}
		if (*end != '\0' || a == 0 || b < a || b - a > 100000 ||
		    b > G_MAXUINT)
			return FALSE;
		for (; a <= b; a++) {
			guint v = (guint)a;

			g_array_append_val(out, v);
		}
	}
	return TRUE;
}

/* "story-tcp6" from "scenarios/handover/story-tcp6.scn". */
static char *
file_base(const char *path)
{
	g_autofree char *b = g_path_get_basename(path);

	if (g_str_has_suffix(b, ".scn"))
		b[strlen(b) - 4] = '\0';
	return g_strdup(b);
}

static int
list_rules(void)
{
	const SimWhy *t;
	gsize n, i;

	t = sim_why_table(&n);
	for (i = 0; i < n; i++)
		printf("%s%s\n", t[i].id, sim_spec_rule(t[i].id) != NULL ? "" :
		    " (not in docs/SPEC.md)");
	return SIM_EXIT_OK;
}

/* ---------------------------------------------------------------------
 * The command line
 */

typedef struct {
	ExplainOpts	 o;
	GPtrArray	*profiles;	/* char * */
	GArray		*steps;		/* guint */
	gboolean	 have_steps;
} ExplainCmd;

enum { O_PROFILE, O_STEPS, O_DOT, O_SVG, O_HTML, O_NO_TEXT, O_RULES,
	O_CHECK };

static const SimOption explain_options[] = {
	{ "--profile", "P[,P]", O_PROFILE,
	    "only these profiles (default: every profile the\n"
	    "scenario declares)", sim_cli_profile_choices },
	{ "--steps", "LIST", O_STEPS,
	    "only these steps, 1-based as numbered in the\n"
	    "narration: 3,5-7 (pictures and text)", NULL },
	{ "--dot", "DIR", O_DOT,
	    "write the state after each step as Graphviz DOT:\n"
	    "DIR/NAME-PROFILE-NN.dot", NULL },
	{ "--svg", "DIR", O_SVG,
	    "the same rendered by dot -Tsvg:\n"
	    "DIR/NAME-PROFILE-NN.svg", NULL },
	{ "--html", "DIR", O_HTML,
	    "one self-contained page per scenario and profile,\n"
	    "DIR/NAME-PROFILE.html: the scenario beside the\n"
	    "picture of the current step; arrow keys, j/k or a\n"
	    "click on a line step through it; #step=N in the\n"
	    "address opens step N", NULL },
	{ "--no-text", NULL, O_NO_TEXT,
	    "no narration on standard output", NULL },
	{ "--rules", NULL, O_RULES,
	    "list the rules that have a narration, one a line", NULL },
	SIM_OPTION_CHECK(O_CHECK),
};

const SimCommand sim_cmd_explain_def = {
	"explain", "FILE...",
	"narrate scenarios step by step (the rules that\n"
	"decided, locks, why), and draw the state after\n"
	"each step (--dot, --svg, --html)",
	"Narrate scenarios step by step in the kernel's terms: the rules of\n"
	"the specification that decided each result, in order, the kernel\n"
	"function each models, the checks a failing one comes after, the\n"
	"locks held, why the result is what it is, and what the step changed.",
	explain_options, G_N_ELEMENTS(explain_options),
	"--svg and --html need Graphviz's dot.  Exit status: 0 every scenario\n"
	"ran as expected, 1 one failed (it is narrated all the same), 2 bad\n"
	"input.",
	sim_cmd_explain, FALSE,
};

static int
explain_option(void *ud, int id, const char *opt, const char *v)
{
	ExplainCmd *c = ud;
	const char **dir[] = { &c->o.dot_dir, &c->o.svg_dir, &c->o.html_dir };

	switch (id) {
	case O_PROFILE:
		return sim_cli_profiles(&sim_cmd_explain_def, v,
		    SIM_PROFILES_CHECKED, c->profiles, NULL, NULL, NULL);
	case O_STEPS:
		if (!parse_steps(v, c->steps))
			return sim_cli_error(&sim_cmd_explain_def, NULL, "bad step "
			    "list '%s' (expected N or N-M, comma-separated, "
			    "from 1)", v);
		c->have_steps = TRUE;
		break;
	case O_DOT:
	case O_SVG:
	case O_HTML:
		if (*v == '\0')
			return sim_cli_error(&sim_cmd_explain_def, NULL, "option "
			    "'%s' needs a directory", opt);
		*dir[id - O_DOT] = v;
		break;
	case O_NO_TEXT:
		c->o.quiet = TRUE;
		break;
	case O_CHECK:
		return sim_cli_check(&sim_cmd_explain_def, v, &c->o.check);
	default:
		return list_rules();
	}
	return SIM_CLI_GO_ON;
}

/* Parse and check every file first, as run does.  NULL after printing
 * the errors. */
static GPtrArray *
load_files(const GPtrArray *paths)
{
	g_autoptr(GPtrArray) errors = sim_diags_new();
	g_autoptr(GPtrArray) inputs = NULL;
	SimWriter w;

	for (guint k = 0; k < paths->len; k++) {
		const char *p = paths->pdata[k];

		if (g_file_test(p, G_FILE_TEST_IS_DIR))
			g_ptr_array_add(errors, sim_diag_new(p, 0, 0, "a "
			    "directory (explain takes scenario files)"));
	}
	if (errors->len == 0)
		inputs = sim_inputs_load((char *const *)paths->pdata,
		    paths->len, errors);
	if (inputs == NULL) {
		sim_writer_init(&w, SIM_FORMAT_TEXT, stdout, stderr,
		    "explain");
		sim_write_input_errors(&w, errors);
	}
	return g_steal_pointer(&inputs);
}

/*
 * Record and narrate sc under profile.  A failure no step owns (an
 * invariant the scheduler checked between two steps of a replayed
 * schedule) is printed before the verdict.  FALSE when it failed.
 */
static gboolean
explain_one(ExplainOpts *o, const SimScenario *sc, const char *profile)
{
	g_autoptr(SimRecord) rec = sim_record_new(sc, profile);
	SimExecOptions xo = { 0 };
	SimReport rep = { 0 };
	gboolean passed;
	guint i;

	rec->done = explain_done;
	rec->done_ud = o;
	xo.ops = &sim_backend_model;
	xo.keep_going = TRUE;
	xo.check = o->check;
	xo.hooks = &rec->hooks;
	sim_run_scenario(sc, profile, &xo, &rep);
	passed = rep.passed;
	if (!passed && !o->quiet && !sim_record_failed(rec))
		for (i = 0; rep.messages != NULL && i < rep.messages->len;
		    i++)
			fprintf(o->out, "\nFAILED: %s\n",
			    (char *)rep.messages->pdata[i]);
	if (!o->quiet)
		fprintf(o->out, "\n%s %s [%s]\n", passed ? "PASS" : "FAIL",
		    sc->path, profile);
	sim_report_clear(&rep);
	return passed;
}

int
sim_cmd_explain(int argc, char **argv)
{
	g_autoptr(GPtrArray) paths = g_ptr_array_new();
	g_autoptr(GPtrArray) profiles = g_ptr_array_new_with_free_func(g_free);
	g_autoptr(GArray) steps = g_array_new(FALSE, FALSE, sizeof(guint));
	g_autoptr(GPtrArray) scs = NULL;
	char **selected;
	ExplainCmd c = { 0 };
	int status = SIM_EXIT_OK, st;
	guint k, j;

	c.o.out = stdout;
	c.profiles = profiles;
	c.steps = steps;
	st = sim_options_parse(&sim_cmd_explain_def, explain_option, argc,
	    argv, paths, TRUE, &c);
	if (st != SIM_CLI_GO_ON)
		return st;
	if ((c.o.svg_dir != NULL || c.o.html_dir != NULL) && !sim_have_dot()) {
		sim_cli_fail("explain: --svg and --html need Graphviz's dot, "
		    "which is not installed (apt-get install graphviz)");
		return SIM_EXIT_USAGE;
	}
	if (c.have_steps)
		c.o.steps = steps;
	selected = sim_cli_selected(profiles);
	scs = load_files(paths);
	if (scs == NULL)
		return SIM_EXIT_USAGE;
	for (k = 0; k < scs->len; k++) {
		const SimScenario *sc = ((SimInput *)scs->pdata[k])->sc;
		g_autoptr(GPtrArray) profs = sim_scenario_profiles(sc,
		    selected);

		g_free(c.o.base);
		c.o.base = file_base(sc->path);
		if (profs->len == 0 && !c.o.quiet)
			fprintf(c.o.out, "explain %s: no selected profile\n",
			    sc->path);
		for (j = 0; j < profs->len; j++) {
			if (k > 0 || j > 0)
				fputc('\n', c.o.out);
			if (!explain_one(&c.o, sc, profs->pdata[j]))
				status = SIM_EXIT_FAIL;
		}
	}
	g_clear_pointer(&c.o.base, g_free);
	if (c.o.io_failed)
		return SIM_EXIT_USAGE;
	return status;
}
