/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * fuzzdiff.c - random differential testing (fuzzdiff.h): generate,
 * compare, shrink, say.
 */
#include <string.h>

#include "core/exec.h"
#include "core/run.h"
#include "lang/print.h"
#include "tools/fuzzdiff.h"
#include "tools/gen.h"
#include "tools/shrink.h"

struct SimFuzz {
	SimFuzzOptions	 o;
	SimDiff		*diff;		/* the cases' comparison */
	GPtrArray	*findings;	/* SimFuzzFinding * */
	SimFuzzCounts	 counts;
};

static void
finding_free(gpointer p)
{
	SimFuzzFinding *f = p;

	g_free(f->signature);
	g_free(f->name);
	g_free(f->what);
	g_free(f->minimal);
	g_free(f);
}

SimFuzz *
sim_fuzz_new(const SimFuzzOptions *o)
{
	SimFuzz *f;

	g_return_val_if_fail(o != NULL && o->a != NULL && o->b != NULL &&
	    o->a->inspect != NULL && o->profile != NULL && o->length > 0,
	    NULL);
	f = g_new0(SimFuzz, 1);
	f->o = *o;
	f->diff = sim_diff_new(o->a, o->b, o->manifest);
	sim_diff_set_flags(f->diff, SIM_DIFF_CHANCE | SIM_DIFF_ROOTS);
	sim_diff_set_release(f->diff, o->release);
	sim_diff_set_kconfig(f->diff, o->kconfig_mptcp);
	f->findings = g_ptr_array_new_with_free_func(finding_free);
	return f;
}

void
sim_fuzz_free(SimFuzz *f)
{
	if (f == NULL)
		return;
	sim_diff_free(f->diff);
	g_ptr_array_unref(f->findings);
	g_free(f);
}

const SimFuzzCounts *
sim_fuzz_counts(const SimFuzz *f)
{
	return &f->counts;
}

const GPtrArray *
sim_fuzz_findings(const SimFuzz *f)
{
	return f->findings;
}

/* The comparison of the cases, for its manifest counts. */
const SimDiff *
sim_fuzz_diff(const SimFuzz *f)
{
	return f->diff;
}

/* "fuzzdiff/seed-N.scn" (g_free()). */
char *
sim_fuzz_case_name(guint64 seed)
{
	return g_strdup_printf("fuzzdiff/seed-%" G_GUINT64_FORMAT ".scn",
	    seed);
}

/* text parsed and checked as name, or NULL (a candidate the shrinker
 * made that names what it no longer defines). */
static SimScenario *
parse_text(const char *name, const char *text)
{
	g_autoptr(GPtrArray) errors = g_ptr_array_new_with_free_func(g_free);
	g_autoptr(SimScenario) sc = sim_parse_buffer(name, text, strlen(text),
	    NULL, NULL, NULL);

	if (sc == NULL || !sim_check_scenario(sc, errors))
		return NULL;
	return g_steal_pointer(&sc);
}

/* ---------------------------------------------------------------------
 * Signatures
 */

static char *
divergence_signature(const SimDivergence *d)
{
	return g_strdup_printf("%s: %s vs %s", d->st->verb, d->a, d->b);
}

/* "violation: I3" from "file:l:c: invariant violated: I3: ..." or
 * "file:l:c: I14 lookup: ...". */
static char *
violation_signature(const char *msg)
{
	const char *p = strstr(msg, ": invariant violated: ");
	gsize n;

	if (p != NULL)
		p += strlen(": invariant violated: ");
	else if ((p = strstr(msg, ": I1")) != NULL)
		p += 2;
	else
		p = msg;
	n = strcspn(p, ": ");
	return g_strdup_printf("violation: %.*s", (int)n, p);
}

/* Is divergence i of r unexplained and before any known one (in
 * statement order)?  One after a known divergence may follow from it
 * (the two sides' states differ from there on): it is counted, not
 * failed or shrunk. */
gboolean
sim_fuzz_root(const SimDiffResult *r, guint i)
{
	guint k;

	if (((const SimDivergence *)r->divergences->pdata[i])->entry >= 0)
		return FALSE;
	for (k = 0; k < i; k++)
		if (((const SimDivergence *)r->divergences->pdata[k])->entry >=
		    0)
			return FALSE;
	return TRUE;
}

/* Every signature r shows, in order (g_ptr_array_unref()). */
static GPtrArray *
signatures(const SimDiffResult *r)
{
	GPtrArray *s = g_ptr_array_new_with_free_func(g_free);
	guint i;

	for (i = 0; r->divergences != NULL && i < r->divergences->len; i++) {
		const SimDivergence *d = r->divergences->pdata[i];

		if (sim_fuzz_root(r, i))
			g_ptr_array_add(s, divergence_signature(d));
	}
	for (i = 0; r->violations != NULL && i < r->violations->len; i++)
		g_ptr_array_add(s, violation_signature(r->violations->pdata[i]));
	return s;
}

static gboolean
has_signature(const SimDiffResult *r, const char *sig)
{
	g_autoptr(GPtrArray) s = signatures(r);
	guint i;

	for (i = 0; i < s->len; i++)
		if (strcmp(s->pdata[i], sig) == 0)
			return TRUE;
	return FALSE;
}

/* ---------------------------------------------------------------------
 * Shrinking
 */

typedef struct {
	SimFuzz		*f;
	const char	*name;
	const char	*sig;
	gboolean	 violation;	/* on the reference alone */
} Target;

/* Does the reference alone break the invariant of signature sig? */
static gboolean
reference_violates(SimFuzz *f, const SimScenario *sc, const char *sig)
{
	SimExecOptions o = { .ops = f->o.a, .keep_going = TRUE };
	SimReport rep = { 0 };
	gboolean hit = FALSE;
	guint i;

	sim_run_scenario(sc, f->o.profile, &o, &rep);
	for (i = 0; rep.messages != NULL && i < rep.messages->len && !hit;
	    i++) {
		const char *m = rep.messages->pdata[i];
		g_autofree char *s = violation_signature(m);

		hit = sim_diff_is_violation(m) && strcmp(s, sig) == 0;
	}
	sim_report_clear(&rep);
	return hit;
}

/* Does text show the failure sig?  (The shrinker's test.) */
static gboolean
still_fails(const char *text, gpointer ud)
{
	Target *t = ud;
	g_autoptr(SimScenario) sc = parse_text(t->name, text);
	g_autoptr(SimDiff) d = NULL;
	SimDiffResult r = { 0 };
	gboolean hit;

	if (sc == NULL)
		return FALSE;
	if (t->violation)
		return reference_violates(t->f, sc, t->sig);
	d = sim_diff_new(t->f->o.a, t->f->o.b, t->f->o.manifest);
	sim_diff_set_flags(d, SIM_DIFF_CHANCE | SIM_DIFF_ROOTS);
	sim_diff_set_release(d, t->f->o.release);
	sim_diff_set_kconfig(d, t->f->o.kconfig_mptcp);
	sim_diff_scenario(d, sc, t->f->o.profile, &r);
	hit = r.skip == NULL && has_signature(&r, t->sig);
	sim_diff_result_clear(&r);
	return hit;
}

/* ---------------------------------------------------------------------
 * The minimal scenario as a regression scenario
 */

/* b's result as an expectation token. */
static char *
expectation(const SimStep *s)
{
	const char *r = s->result;
	gsize n = strlen(r);

	if (r[0] == '-' || strspn(r, "0123456789") == n)
		return g_strdup(r);
	if (g_str_has_prefix(r, "c(") && r[n - 1] == ')')
		return g_strdup_printf("cookie(%s", r + 2);
	if (g_str_has_prefix(r, "map(") && r[n - 1] == ')')
		return g_strdup(r);
	if (strcmp(s->st->verb, "send") == 0 && strchr(r, '#') == NULL &&
	    strchr(r, ' ') == NULL) {
		if (strcmp(r, "dropped") == 0 || strcmp(r, "refused") == 0)
			return g_strdup(r);
		return s->by_hash ? g_strdup_printf("member(%s)", r) :
		    g_strdup(r);
	}
	return g_strdup("any");
}

/*
 * The text of the minimal scenario to save: header lines for what was
 * found, then the statements with b's answers as expectations (where b
 * gave one: `= any` stays elsewhere).
 */
static char *
regression_text(SimFuzz *f, const SimFuzzFinding *fd, const char *text)
{
	g_autoptr(SimScenario) sc = parse_text(fd->name, text);
	g_autoptr(GHashTable) by_line = g_hash_table_new(g_direct_hash,
	    g_direct_equal);
	g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
	SimExecOptions o = { .ops = f->o.b, .keep_going = TRUE };
	SimReport rep = { 0 };
	GString *out = g_string_new(NULL);
	guint i;

	g_string_append_printf(out, "# %s: %s (found by fuzz-diff)\n",
	    fd->name, fd->signature);
	if (sc != NULL) {
		rep.steps = sim_steps_new();
		sim_run_scenario(sc, f->o.profile, &o, &rep);
		for (i = 0; i < rep.steps->len; i++) {
			const SimStep *s = rep.steps->pdata[i];

			if (s->result != NULL)
				g_hash_table_insert(by_line,
				    GUINT_TO_POINTER(s->st->line), (gpointer)s);
		}
	}
	for (i = 0; lines[i] != NULL; i++) {
		const SimStep *s = g_hash_table_lookup(by_line,
		    GUINT_TO_POINTER(i + 1));
		const char *l = lines[i];

		if (i == 0 && l[0] == '#')
			continue;	/* the generator's title */
		if (i == 1 && l[0] == '#') {
			g_string_append_printf(out, "%s\n", l);
			if (f->o.found_by != NULL)
				g_string_append_printf(out, "# Found by: %s\n",
				    f->o.found_by);
			if (f->o.kernel != NULL)
				g_string_append_printf(out, "# Kernel "
				    "release: %s\n", f->o.kernel);
			g_string_append_printf(out, "# Shrunk from %u to %u "
			    "statements in %u tests; failed again in %u of "
			    "%u runs\n", fd->units_before, fd->units_after,
			    fd->tests, fd->reproduced, fd->reruns);
			g_string_append_printf(out, "# Expectations: %s's "
			    "answers\n", f->o.b->name);
			continue;
		}
		if (s != NULL && g_str_has_suffix(l, " = any")) {
			g_autofree char *e = expectation(s);

			g_string_append_printf(out, "%.*s = %s\n",
			    (int)(strlen(l) - strlen(" = any")), l, e);
		} else if (l[0] != '\0' || lines[i + 1] != NULL) {
			g_string_append_printf(out, "%s\n", l);
		}
	}
	sim_report_clear(&rep);
	return g_string_free(out, FALSE);
}

/* Shrink the failure sig of case c (text) into a new finding. */
static SimFuzzFinding *
shrink_case(SimFuzz *f, const SimFuzzCase *c, const char *sig,
    const char *what)
{
	SimFuzzFinding *fd = g_new0(SimFuzzFinding, 1);
	Target t = { f, c->name, sig, g_str_has_prefix(sig, "violation: ") };
	g_autofree char *min = NULL;
	SimShrinkStats st = { 0 };
	guint i;

	fd->signature = g_strdup(sig);
	fd->name = g_strdup(c->name);
	fd->seed = c->seed;
	fd->what = g_strdup(what);
	fd->cases = 1;
	if (f->o.max_shrink > 0) {
		min = sim_shrink(c->text, still_fails, &t, f->o.max_shrink,
		    &st);
	} else {
		min = g_strdup(c->text);
		st.units_before = st.units_after = c->steps;
	}
	fd->units_before = st.units_before;
	fd->units_after = st.units_after;
	fd->tests = st.tests;
	fd->budget_out = st.budget_out;
	fd->reruns = f->o.repro;
	for (i = 0; i < f->o.repro; i++)
		fd->reproduced += still_fails(min, &t);
	fd->minimal = regression_text(f, fd, min);
	return fd;
}

/* What a case's first failure of signature sig is, in lines. */
static char *
describe(const SimFuzz *f, const SimDiffResult *r, const char *sig)
{
	guint i;

	for (i = 0; i < r->divergences->len; i++) {
		const SimDivergence *d = r->divergences->pdata[i];
		g_autofree char *s = divergence_signature(d);
		g_autofree char *call = NULL;

		if (d->entry >= 0 || strcmp(s, sig) != 0)
			continue;
		call = sim_stmt_text(d->st, SIM_PRINT_CALL);
		return g_strdup_printf("%s:%u:%u: divergence: %s\n%-8s %s\n"
		    "%-8s %s", d->st->file, d->st->line, d->st->col, call,
		    f->o.a->name, d->a, f->o.b->name, d->b);
	}
	for (i = 0; i < r->violations->len; i++) {
		g_autofree char *s = violation_signature(r->violations->pdata[i]);

		if (strcmp(s, sig) == 0)
			return g_strdup_printf("%s (on the %s)",
			    (char *)r->violations->pdata[i], f->o.a->name);
	}
	return g_strdup(sig);
}

static SimFuzzFinding *
find_finding(SimFuzz *f, const char *sig)
{
	guint i;

	for (i = 0; i < f->findings->len; i++) {
		SimFuzzFinding *fd = f->findings->pdata[i];

		if (strcmp(fd->signature, sig) == 0)
			return fd;
	}
	return NULL;
}

/* ---------------------------------------------------------------------
 * The run
 */

static void
count(SimFuzzCounts *n, const SimFuzzCase *c)
{
	const SimDiffResult *r = c->r;
	guint i;

	n->cases++;
	n->steps += c->steps;
	if (r->skip != NULL) {
		n->skipped++;
		return;
	}
	n->compared += r->compared;
	n->uncompared += r->uncompared;
	n->chance += r->chance;
	for (i = 0; i < r->divergences->len; i++) {
		if (((const SimDivergence *)r->divergences->pdata[i])->entry >=
		    0)
			n->known++;
		else if (sim_fuzz_root(r, i))
			n->unexplained++;
		else
			n->following++;
	}
	n->violations += r->violations->len;
	if (c->failed)
		n->failed++;
}

/* Generate, compare and report one case. */
static void
run_case(SimFuzz *f, guint index, guint len, SimFuzzCaseFn fn, void *ud)
{
	SimGenOptions go = { 0 };
	g_autofree char *name = NULL, *text = NULL;
	g_autoptr(SimScenario) sc = NULL;
	g_autoptr(GPtrArray) sigs = NULL;
	g_autoptr(GPtrArray) found = g_ptr_array_new();
	SimDiffResult r = { 0 };
	SimFuzzCase c = { 0 };
	guint i;

	c.index = index;
	c.seed = f->o.seed + index;
	name = sim_fuzz_case_name(c.seed);
	go.seed = c.seed;
	go.steps = len;
	go.profile = f->o.profile;
	go.flags = SIM_GEN_KERNEL;
	text = sim_gen_scenario(&go);
	c.name = name;
	c.text = text;
	c.steps = len;
	c.r = &r;
	sc = parse_text(name, text);
	if (sc == NULL) {
		/* the generator wrote bad input: its bug, said as one */
		r.divergences = g_ptr_array_new();
		r.violations = g_ptr_array_new_with_free_func(g_free);
		g_ptr_array_add(r.violations, g_strdup_printf("%s:1:1: "
		    "invariant violated: generator: the scenario does not "
		    "parse", name));
	} else {
		sim_diff_scenario(f->diff, sc, f->o.profile, &r);
	}
	sigs = signatures(&r);
	c.failed = r.skip == NULL && sigs->len > 0;
	for (i = 0; i < sigs->len; i++) {
		SimFuzzFinding *fd = find_finding(f, sigs->pdata[i]);
		g_autofree char *what = NULL;

		if (fd != NULL) {
			if (i == 0 || strcmp(sigs->pdata[i],
			    sigs->pdata[i - 1]) != 0)
				fd->cases++;
			continue;
		}
		what = describe(f, &r, sigs->pdata[i]);
		fd = shrink_case(f, &c, sigs->pdata[i], what);
		g_ptr_array_add(f->findings, fd);
		g_ptr_array_add(found, fd);
	}
	c.found = found;
	count(&f->counts, &c);
	if (fn != NULL)
		fn(ud, &c);
	sim_diff_result_clear(&r);
}

/*
 * Run the cases of f's options, calling fn after each.  Every new
 * failure is shrunk before fn hears of its case.
 */
void
sim_fuzz_run(SimFuzz *f, SimFuzzCaseFn fn, void *ud)
{
	guint done = 0, index = 0;

	while (done < f->o.steps) {
		guint len = MIN(f->o.length, f->o.steps - done);

		run_case(f, index++, len, fn, ud);
		done += len;
	}
}
