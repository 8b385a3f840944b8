/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * diff.c - the comparison behind `reuseport-sim diff`: run a scenario on
 * two backends (the model, then the live kernel), compare their results
 * step by step, and explain the divergences with a manifest (diff.h).
 *
 * Each scenario runs on both backends with keep-going, collecting one
 * SimStep per statement (exec.c renders results in names, never in ids,
 * ports or cookie values, so the two runs compare).  A step is compared
 * when both backends checked it; one the kernel could not do (SIM_CANNOT,
 * expect, the rest after SIM_CANNOT_REST) is counted as not compared.
 */
#include <string.h>

#include "core/run.h"
#include "tools/diff.h"

/* ---------------------------------------------------------------------
 * The manifest
 */

typedef SimManifestEntry Entry;

struct SimManifest {
	char		*name;
	GPtrArray	*entries;	/* Entry * */
	GPtrArray	*files;		/* char *: every file read */
};

static void
entry_free(gpointer p)
{
	Entry *e = p;

	g_free(e->file);
	g_free(e->reason);
	g_free(e);
}

void
sim_manifest_free(SimManifest *m)
{
	if (m == NULL)
		return;
	g_free(m->name);
	g_ptr_array_unref(m->entries);
	g_ptr_array_unref(m->files);
	g_free(m);
}

guint
sim_manifest_size(const SimManifest *m)
{
	return m != NULL ? m->entries->len : 0;
}

/* Entry i of m. */
const SimManifestEntry *
sim_manifest_entry(const SimManifest *m, guint i)
{
	g_return_val_if_fail(i < sim_manifest_size(m), NULL);
	return m->entries->pdata[i];
}

/* The name m was loaded as, for messages. */
const char *
sim_manifest_name(const SimManifest *m)
{
	return m->name;
}

static void G_GNUC_PRINTF(5, 6)
merror(GPtrArray *errors, const char *name, guint line, guint col,
    const char *fmt, ...)
{
	g_autofree char *msg = NULL;
	va_list ap;

	va_start(ap, fmt);
	msg = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	g_ptr_array_add(errors, g_strdup_printf("%s:%u:%u: %s", name, line,
	    col, msg));
}

/* The manifest file being read. */
static const char *
cur_file(const SimManifest *m)
{
	return m->files->pdata[m->files->len - 1];
}

/* Parse one non-blank, non-comment line (text, at column col). */
static void
parse_entry(SimManifest *m, const char *text, guint line, guint col,
    GPtrArray *errors)
{
	const char *sp = text + strcspn(text, " \t");
	const char *colon, *reason;
	g_autofree char *where = g_strndup(text, (gsize)(sp - text));
	Entry *e;
	guint i;

	colon = strrchr(where, ':');
	if (colon == NULL || colon == where) {
		merror(errors, cur_file(m), line, col, "expected FILE:LINE or "
		    "FILE:* then a reason, got '%s'", where);
		return;
	}
	e = g_new0(Entry, 1);
	e->file = g_strndup(where, (gsize)(colon - where));
	e->mline = line;
	e->mcol = col;
	e->mfile = m->files->pdata[m->files->len - 1];
	if (strcmp(colon + 1, "*") != 0) {
		guint64 v = 0;
		const char *d = colon + 1;

		if (*d == '\0' || strspn(d, "0123456789") != strlen(d) ||
		    !g_ascii_string_to_unsigned(d, 10, 1, G_MAXUINT, &v,
		    NULL)) {
			merror(errors, cur_file(m), line,
			    col + (guint)(d - where), "expected a line number "
			    "(1 or more) or '*' after ':', got '%s'", d);
			entry_free(e);
			return;
		}
		e->line = (guint)v;
	}
	reason = sp + strspn(sp, " \t");
	if (strncmp(reason, "maybe", 5) == 0 && (reason[5] == ' ' ||
	    reason[5] == '\t' || reason[5] == '\0')) {
		e->maybe = TRUE;
		sp = reason + 5;
		reason = sp + strspn(sp, " \t");
	}
	if (*reason == '\0') {
		merror(errors, cur_file(m), line, col + (guint)(sp - text),
		    "entry '%s' needs a reason", where);
		entry_free(e);
		return;
	}
	e->reason = g_strchomp(g_strdup(reason));
	for (i = 0; i < m->entries->len; i++) {
		const Entry *o = m->entries->pdata[i];

		if (strcmp(o->file, e->file) == 0 && o->line == e->line) {
			merror(errors, e->mfile, line, col, "'%s' is already "
			    "listed at %s:%u:%u", where, o->mfile, o->mline,
			    o->mcol);
			entry_free(e);
			return;
		}
	}
	g_ptr_array_add(m->entries, e);
}

/* Parse text (named name in messages) into m; FALSE when an error was
 * appended to errors ("name:line:col: message"). */
static gboolean
parse_into(SimManifest *m, const char *name, const char *text, gsize len,
    GPtrArray *errors)
{
	guint before = errors->len, line = 0;
	const char *p = text, *end = text + len;

	g_ptr_array_add(m->files, g_strdup(name));
	while (p < end) {
		const char *nl = memchr(p, '\n', (gsize)(end - p));
		gsize n = nl != NULL ? (gsize)(nl - p) : (gsize)(end - p);
		g_autofree char *l = g_strndup(p, n);
		char *hash;
		gsize lead;

		line++;
		p += n + (nl != NULL);
		if (strlen(l) != n) {
			merror(errors, name, line, (guint)strlen(l) + 1,
			    "NUL byte in the manifest");
			continue;
		}
		if ((hash = strchr(l, '#')) != NULL)
			*hash = '\0';
		g_strchomp(l);
		lead = strspn(l, " \t");
		if (l[lead] == '\0')
			continue;
		parse_entry(m, l + lead, line, (guint)lead + 1, errors);
	}
	return errors->len == before;
}

/*
 * Parse the manifest text (named name in messages).  Every error is
 * appended to errors as "name:line:col: message"; NULL when there was one.
 */
SimManifest *
sim_manifest_parse(const char *name, const char *text, gsize len,
    GPtrArray *errors)
{
	g_autoptr(SimManifest) m = g_new0(SimManifest, 1);

	m->name = g_strdup(name);
	m->entries = g_ptr_array_new_with_free_func(entry_free);
	m->files = g_ptr_array_new_with_free_func(g_free);
	if (!parse_into(m, name, text, len, errors))
		return NULL;
	return g_steal_pointer(&m);
}

/* Read the manifest at path into m too (an entry listed in both is an
 * error); FALSE with the errors appended. */
gboolean
sim_manifest_append(SimManifest *m, const char *path, GPtrArray *errors)
{
	g_autoptr(GError) e = NULL;
	g_autofree char *text = NULL;
	gsize len = 0;

	if (!g_file_get_contents(path, &text, &len, &e)) {
		g_ptr_array_add(errors, g_strdup_printf("%s: %s", path,
		    e->message));
		return FALSE;
	}
	return parse_into(m, path, text, len, errors);
}

SimManifest *
sim_manifest_load(const char *path, GPtrArray *errors)
{
	g_autoptr(GError) e = NULL;
	g_autofree char *text = NULL;
	gsize len = 0;

	if (!g_file_get_contents(path, &text, &len, &e)) {
		g_ptr_array_add(errors, g_strdup_printf("%s: %s", path,
		    e->message));
		return NULL;
	}
	return sim_manifest_parse(path, text, len, errors);
}

/* Does the manifest's file name f name file (equal, or its tail at a
 * '/')? */
static gboolean
file_matches(const char *f, const char *file)
{
	gsize fl = strlen(f), l = strlen(file);

	if (strcmp(f, file) == 0)
		return TRUE;
	return l > fl && file[l - fl - 1] == '/' &&
	    strcmp(file + l - fl, f) == 0;
}

/* The index of the entry explaining a divergence at file:line, or -1. */
static int
manifest_find(const SimManifest *m, const char *file, guint line)
{
	int star = -1;
	guint i;

	for (i = 0; m != NULL && i < m->entries->len; i++) {
		const Entry *e = m->entries->pdata[i];

		if (!file_matches(e->file, file))
			continue;
		if (e->line == line)
			return (int)i;
		if (e->line == 0 && star < 0)
			star = (int)i;
	}
	return star;
}

/* ---------------------------------------------------------------------
 * Comparing
 */

struct SimDiff {
	const SimBackendOps	*a, *b;
	int			 kconfig_mptcp;	/* SimExecOptions' */
	const SimManifest	*manifest;
	guint			*used;		/* per manifest entry */
	gboolean		*relevant;	/* its file was compared */
	SimCheckMode		 check;		/* on the model's side */
};

static void
divergence_free(gpointer p)
{
	SimDivergence *d = p;

	g_free(d->a);
	g_free(d->b);
	g_free(d);
}

/* A comparison of backend b with a (the reference), the divergences
 * explained by manifest (NULL: none known). */
SimDiff *
sim_diff_new(const SimBackendOps *a, const SimBackendOps *b,
    const SimManifest *manifest)
{
	SimDiff *d = g_new0(SimDiff, 1);

	d->a = a;
	d->b = b;
	d->manifest = manifest;
	d->used = g_new0(guint, sim_manifest_size(manifest) + 1);
	d->relevant = g_new0(gboolean, sim_manifest_size(manifest) + 1);
	return d;
}

/* The build options calibration measured, set on both backends (see
 * SimExecOptions.kconfig_mptcp). */
void
sim_diff_set_kconfig(SimDiff *d, int mptcp)
{
	d->kconfig_mptcp = mptcp;
}

/* How the invariants are checked where a backend has them (--check). */
void
sim_diff_set_check(SimDiff *d, SimCheckMode mode)
{
	d->check = mode;
}

void
sim_diff_free(SimDiff *d)
{
	if (d == NULL)
		return;
	g_free(d->used);
	g_free(d->relevant);
	g_free(d);
}

void
sim_diff_result_clear(SimDiffResult *r)
{
	g_clear_pointer(&r->skip, g_free);
	g_clear_pointer(&r->divergences, g_ptr_array_unref);
	r->compared = r->uncompared = r->after_hash_n = 0;
}

/* Is s a delivery to some socket? */
static gboolean
delivered(const SimStep *s)
{
	return s->st != NULL && strcmp(s->st->verb, "send") == 0 &&
	    s->result[0] != '-' && strcmp(s->result, "dropped") != 0 &&
	    strcmp(s->result, "refused") != 0;
}

/* Does st expect one of several results under profile (`= ok |
 * -EBUSY`): a step the scenario says is left to chance? */
static gboolean
alternatives(const SimStmt *st, const char *profile)
{
	const GPtrArray *exp = sim_stmt_expect_for(st, profile);

	return exp != NULL && exp->len > 2;
}

/* Compare the steps of two runs under profile; the divergences go to
 * out. */
static void
compare_steps(SimDiff *d, const GPtrArray *as, const GPtrArray *bs,
    const char *profile, SimDiffResult *out)
{
	g_autoptr(GHashTable) bsteps = g_hash_table_new(g_direct_hash,
	    g_direct_equal);
	guint i;

	for (i = 0; i < bs->len; i++) {
		const SimStep *s = bs->pdata[i];

		g_hash_table_insert(bsteps, (gpointer)s->st, (gpointer)s);
	}
	for (i = 0; i < as->len; i++) {
		const SimStep *sa = as->pdata[i];
		const SimStep *sb = g_hash_table_lookup(bsteps, sa->st);
		SimDivergence *dv;

		if (sb == NULL || sa->result == NULL || sb->result == NULL) {
			out->uncompared++;
			if ((sb != NULL && sb->after_hash_n) ||
			    sa->after_hash_n)
				out->after_hash_n++;
			continue;
		}
		out->compared++;
		if (strcmp(sa->result, sb->result) == 0)
			continue;
		/* the member the hash chose: the kernel's hash is keyed by a
		 * boot-time secret, so only "delivered" compares.  The
		 * reference (the model) says what decided: a delivery that a
		 * program, a classic program or a migration by program decided
		 * is compared socket by socket, whatever the other backend
		 * guessed (the kernel backend cannot see a classic program
		 * run, and reports the hash); so is one the other backend
		 * knows a program decided */
		if (sa->by_hash && sb->how != RP_HOW_PROG && delivered(sa) &&
		    delivered(sb))
			continue;
		/* the scenario lists the results chance may give (a transient
		 * -EBUSY before a deferred free): each side met one */
		if (sa->ok && sb->ok && alternatives(sa->st, profile))
			continue;
		dv = g_new0(SimDivergence, 1);
		dv->st = sa->st;
		dv->a = g_strdup(sa->result);
		dv->b = g_strdup(sb->result);
		dv->entry = manifest_find(d->manifest, sa->st->file,
		    sa->st->line);
		if (dv->entry >= 0)
			d->used[dv->entry]++;
		g_ptr_array_add(out->divergences, dv);
	}
}

/*
 * Run sc on both backends under profile, with keep-going, and compare.
 * out (zeroed or cleared) gets why it could not be compared (skip), or
 * the divergences and the counts of steps compared and not.
 */
void
sim_diff_scenario(SimDiff *d, const SimScenario *sc, const char *profile,
    SimDiffResult *out)
{
	SimExecOptions oa = { .ops = d->a, .keep_going = TRUE,
	    .kconfig_mptcp = d->kconfig_mptcp, .check = d->check };
	SimExecOptions ob = { .ops = d->b, .keep_going = TRUE,
	    .kconfig_mptcp = d->kconfig_mptcp, .check = d->check };
	SimReport ra = { 0 }, rb = { 0 };
	guint i, j;

	out->divergences = g_ptr_array_new_with_free_func(divergence_free);
	ra.steps = sim_steps_new();
	rb.steps = sim_steps_new();
	sim_run_scenario(sc, profile, &oa, &ra);
	sim_run_scenario(sc, profile, &ob, &rb);
	if (ra.steps->len == 0 || rb.steps->len == 0) {
		const SimReport *r = ra.steps->len == 0 ? &ra : &rb;

		out->skip = g_strdup(r->skip != NULL ? r->skip :
		    "no statement ran");
		goto out;
	}
	compare_steps(d, ra.steps, rb.steps, profile, out);
	/* a backend that stopped before anything compared (a kernel built
	 * without what the scenario's `kconfig` needs): skipped, with why */
	if (out->compared == 0 && (ra.skip != NULL || rb.skip != NULL)) {
		out->skip = g_strdup(ra.skip != NULL ? ra.skip : rb.skip);
		g_ptr_array_set_size(out->divergences, 0);
		out->uncompared = out->after_hash_n = 0;
		goto out;
	}
	/* the manifest entries of these files had their chance */
	for (i = 0; i < sim_manifest_size(d->manifest); i++) {
		const Entry *e = d->manifest->entries->pdata[i];

		for (j = 0; j < sc->files->len; j++)
			if (file_matches(e->file, sc->files->pdata[j]))
				d->relevant[i] = TRUE;
	}
out:
	sim_report_clear(&ra);
	sim_report_clear(&rb);
}

/* Is entry i of the manifest unused: its files were compared, no
 * divergence used it, and it is not a "maybe"? */
gboolean
sim_diff_entry_unused(const SimDiff *d, guint i)
{
	const Entry *e = sim_manifest_entry(d->manifest, i);

	return d->used[i] == 0 && d->relevant[i] && !e->maybe;
}
