/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * diff.c - `reuseport-sim diff`: run each scenario on two backends (the
 * model, then the live kernel), compare their results step by step, and
 * explain the divergences with a manifest (diff.h); and `--profile auto`.
 *
 * Each scenario runs on both backends with keep-going, collecting one
 * SimStep per statement (exec.c renders results in names, never in ids,
 * ports or cookie values, so the two runs compare).  A step is compared
 * when both backends checked it; one the kernel could not do (SIM_CANNOT,
 * expect, the rest after SIM_CANNOT_REST) is counted as not compared.
 *
 * Exit status: 0 no unexplained divergence and no unused manifest entry,
 * 1 otherwise, 2 bad input (scenarios, manifest, command line).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#include "tools/diff.h"

/* ---------------------------------------------------------------------
 * The manifest
 */

typedef struct {
	char	*file;		/* as written */
	guint	 line;		/* 0: '*', every line */
	char	*reason;
	gboolean maybe;		/* may diverge: never reported unused */
	guint	 mline, mcol;	/* where the entry is */
} Entry;

struct SimManifest {
	char		*name;
	GPtrArray	*entries;	/* Entry * */
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
	g_free(m);
}

guint
sim_manifest_size(const SimManifest *m)
{
	return m != NULL ? m->entries->len : 0;
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
		merror(errors, m->name, line, col, "expected FILE:LINE or "
		    "FILE:* then a reason, got '%s'", where);
		return;
	}
	e = g_new0(Entry, 1);
	e->file = g_strndup(where, (gsize)(colon - where));
	e->mline = line;
	e->mcol = col;
	if (strcmp(colon + 1, "*") != 0) {
		guint64 v = 0;
		const char *d = colon + 1;

		if (*d == '\0' || strspn(d, "0123456789") != strlen(d) ||
		    !g_ascii_string_to_unsigned(d, 10, 1, G_MAXUINT, &v,
		    NULL)) {
			merror(errors, m->name, line,
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
		merror(errors, m->name, line, col + (guint)(sp - text),
		    "entry '%s' needs a reason", where);
		entry_free(e);
		return;
	}
	e->reason = g_strchomp(g_strdup(reason));
	for (i = 0; i < m->entries->len; i++) {
		const Entry *o = m->entries->pdata[i];

		if (strcmp(o->file, e->file) == 0 && o->line == e->line) {
			merror(errors, m->name, line, col, "'%s' is already "
			    "listed at %s:%u:%u", where, m->name, o->mline,
			    o->mcol);
			entry_free(e);
			return;
		}
	}
	g_ptr_array_add(m->entries, e);
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
	guint before = errors->len, line = 0;
	const char *p = text, *end = text + len;

	m->name = g_strdup(name);
	m->entries = g_ptr_array_new_with_free_func(entry_free);
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
	if (errors->len > before)
		return NULL;
	return g_steal_pointer(&m);
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
 * --profile auto
 */

/* "6.18.44-foo" -> 6, 18.  FALSE when it does not start so. */
static gboolean
version_of(const char *s, guint *major, guint *minor)
{
	char *end;
	unsigned long a, b;

	if (!g_ascii_isdigit(*s))
		return FALSE;
	a = strtoul(s, &end, 10);
	if (*end != '.' || !g_ascii_isdigit(end[1]))
		return FALSE;
	b = strtoul(end + 1, &end, 10);
	if (a > 1000 || b > 1000)
		return FALSE;
	*major = (guint)a;
	*minor = (guint)b;
	return TRUE;
}

/*
 * The model profile for a kernel release string (uname -r): the one with
 * the highest version at or below the release's major.minor.  NULL with
 * error (SIM_ERROR_INPUT) when the release cannot be read or is older
 * than every profile.
 */
const char *
sim_profile_for_release(const char *release, GError **error)
{
	const struct rp_profile *p;
	const char *best = NULL;
	guint ma, mi, bma = 0, bmi = 0, pma, pmi;
	gsize i;

	g_return_val_if_fail(release != NULL, NULL);
	if (!version_of(release, &ma, &mi)) {
		g_set_error(error, SIM_ERROR, SIM_ERROR_INPUT, "--profile "
		    "auto: cannot read a version in the kernel release '%s'",
		    release);
		return NULL;
	}
	for (i = 0; (p = rp_profile_nth(i)) != NULL; i++) {
		const char *n = rp_profile_name(p);

		if (!version_of(n, &pma, &pmi))
			continue;	/* LCOV_EXCL_LINE: all are N.M */
		if (pma > ma || (pma == ma && pmi > mi))
			continue;
		if (best == NULL || pma > bma || (pma == bma && pmi > bmi)) {
			best = n;
			bma = pma;
			bmi = pmi;
		}
	}
	if (best == NULL)
		g_set_error(error, SIM_ERROR, SIM_ERROR_INPUT, "--profile "
		    "auto: kernel %u.%u is older than every profile", ma, mi);
	return best;
}

/* The profile for the running kernel (uname(2)). */
const char *
sim_profile_auto(GError **error)
{
	struct utsname u;

	if (uname(&u) != 0) {
		g_set_error(error, SIM_ERROR, SIM_ERROR_INPUT, "--profile "
		    "auto: uname: %s", g_strerror(errno));	/* LCOV_EXCL_LINE */
		return NULL;	/* LCOV_EXCL_LINE */
	}
	return sim_profile_for_release(u.release, error);
}

/* ---------------------------------------------------------------------
 * Comparing
 */

typedef struct {
	const SimStmt	*st;
	char		*a, *b;		/* the two results */
	int		 entry;		/* manifest entry, or -1 */
} Divergence;

static void
divergence_free(gpointer p)
{
	Divergence *d = p;

	g_free(d->a);
	g_free(d->b);
	g_free(d);
}

/* The statement as written: "[label: ]verb args...". */
static char *
stmt_text(const SimStmt *st)
{
	GString *s = g_string_new(NULL);
	guint i;

	if (st->label != NULL)
		g_string_append_printf(s, "%s: ", st->label);
	g_string_append(s, st->verb);
	for (i = 0; i < st->args->len; i++) {
		const SimToken *t = st->args->pdata[i];

		g_string_append_printf(s, " %s", t->text);
	}
	return g_string_free(s, FALSE);
}

typedef struct {
	const SimDiffOptions	*o;
	guint			*used;		/* per manifest entry */
	gboolean		*relevant;	/* its file was compared */
	guint			 n;		/* TAP test points */
	guint			 passed, failed, skipped;
	guint			 known, unexplained, compared, uncompared;
} DiffOut;

static void json_str(FILE *out, const char *s);

static void
put_skip(DiffOut *w, const char *name, const char *profile, const char *why)
{
	FILE *out = w->o->out;

	w->n++;
	w->skipped++;
	switch (w->o->format) {
	case SIM_FORMAT_TEXT:
		fprintf(out, "SKIP %s [%s] (%s)\n", name, profile, why);
		break;
	case SIM_FORMAT_TAP:
		fprintf(out, "ok %u - %s [%s] # SKIP %s\n", w->n, name, profile,
		    why);
		break;
	case SIM_FORMAT_JSON:
		fputs("{\"type\":\"result\",\"file\":", out);
		json_str(out, name);
		fputs(",\"profile\":", out);
		json_str(out, profile);
		fputs(",\"result\":\"skip\",\"reason\":", out);
		json_str(out, why);
		fputs("}\n", out);
		break;
	}
}

static void
put_compared(DiffOut *w, const char *name, const char *profile,
    const GPtrArray *divs, guint compared, guint uncompared)
{
	const SimDiffOptions *o = w->o;
	const SimManifest *m = o->manifest;
	FILE *out = o->out;
	gboolean ok = TRUE;
	guint i;

	for (i = 0; i < divs->len; i++)
		if (((Divergence *)divs->pdata[i])->entry < 0)
			ok = FALSE;
	w->n++;
	if (ok)
		w->passed++;
	else
		w->failed++;
	switch (o->format) {
	case SIM_FORMAT_TEXT:
	case SIM_FORMAT_TAP: {
		gboolean tap = o->format == SIM_FORMAT_TAP;
		const char *pre = tap ? "# " : "    ";

		if (tap)
			fprintf(out, "%s %u - %s [%s] (%u steps compared, %u "
			    "not)\n", ok ? "ok" : "not ok", w->n, name,
			    profile, compared, uncompared);
		else
			fprintf(out, "%s %s [%s] (%u steps compared, %u not)\n",
			    ok ? "PASS" : "FAIL", name, profile, compared,
			    uncompared);
		for (i = 0; i < divs->len; i++) {
			const Divergence *d = divs->pdata[i];
			g_autofree char *text = stmt_text(d->st);

			fprintf(out, "%s%s:%u:%u: %s: %s\n", pre,
			    d->st->file, d->st->line, d->st->col,
			    d->entry >= 0 ? "known divergence" : "divergence",
			    text);
			fprintf(out, "%s    %-8s %s\n", pre, o->a->name, d->a);
			fprintf(out, "%s    %-8s %s\n", pre, o->b->name, d->b);
			if (d->entry >= 0) {
				const Entry *e = m->entries->pdata[d->entry];

				fprintf(out, "%s    because  %s (%s:%u)\n", pre,
				    e->reason, m->name, e->mline);
			}
		}
		break;
	}
	case SIM_FORMAT_JSON:
		fputs("{\"type\":\"result\",\"file\":", out);
		json_str(out, name);
		fputs(",\"profile\":", out);
		json_str(out, profile);
		fprintf(out, ",\"result\":\"%s\",\"compared\":%u,"
		    "\"not_compared\":%u,\"divergences\":[", ok ? "pass" :
		    "fail", compared, uncompared);
		for (i = 0; i < divs->len; i++) {
			const Divergence *d = divs->pdata[i];
			g_autofree char *at = g_strdup_printf("%s:%u:%u",
			    d->st->file, d->st->line, d->st->col);
			g_autofree char *text = stmt_text(d->st);

			fputs(i > 0 ? ",{\"at\":" : "{\"at\":", out);
			json_str(out, at);
			fputs(",\"step\":", out);
			json_str(out, text);
			fprintf(out, ",\"%s\":", o->a->name);
			json_str(out, d->a);
			fprintf(out, ",\"%s\":", o->b->name);
			json_str(out, d->b);
			fprintf(out, ",\"known\":%s", d->entry >= 0 ? "true" :
			    "false");
			if (d->entry >= 0) {
				fputs(",\"reason\":", out);
				json_str(out, ((const Entry *)
				    m->entries->pdata[d->entry])->reason);
			}
			fputc('}', out);
		}
		fputs("]}\n", out);
		break;
	}
}

/* Is s a delivery to some socket? */
static gboolean
delivered(const SimStep *s)
{
	return s->st != NULL && strcmp(s->st->verb, "send") == 0 &&
	    s->result[0] != '-' && strcmp(s->result, "dropped") != 0 &&
	    strcmp(s->result, "refused") != 0;
}

/* Run in on both backends under profile and compare. */
static void
diff_one(DiffOut *w, const SimInput *in, const char *profile)
{
	const SimDiffOptions *o = w->o;
	g_autoptr(GPtrArray) divs = g_ptr_array_new_with_free_func(
	    divergence_free);
	g_autoptr(GHashTable) bsteps = g_hash_table_new(g_direct_hash,
	    g_direct_equal);
	SimReport ra = { 0 }, rb = { 0 };
	guint i, j, compared = 0, uncompared = 0;

	ra.steps = sim_steps_new();
	rb.steps = sim_steps_new();
	sim_run_scenario(in->sc, profile, o->a, SIM_TRACE_OFF, TRUE, &ra);
	sim_run_scenario(in->sc, profile, o->b, SIM_TRACE_OFF, TRUE, &rb);
	if (ra.steps->len == 0 || rb.steps->len == 0) {
		const SimReport *r = ra.steps->len == 0 ? &ra : &rb;

		put_skip(w, in->name, profile, r->skip != NULL ? r->skip :
		    "no statement ran");
		goto out;
	}
	for (i = 0; i < rb.steps->len; i++) {
		const SimStep *s = rb.steps->pdata[i];

		g_hash_table_insert(bsteps, (gpointer)s->st, (gpointer)s);
	}
	for (i = 0; i < ra.steps->len; i++) {
		const SimStep *sa = ra.steps->pdata[i];
		const SimStep *sb = g_hash_table_lookup(bsteps, sa->st);
		Divergence *d;

		if (sb == NULL || sa->result == NULL || sb->result == NULL) {
			uncompared++;
			continue;
		}
		compared++;
		if (strcmp(sa->result, sb->result) == 0)
			continue;
		/* the member the hash chose: the kernel's hash is keyed by a
		 * boot-time secret, so only "delivered" compares */
		if ((sa->by_hash || sb->by_hash) && delivered(sa) &&
		    delivered(sb))
			continue;
		d = g_new0(Divergence, 1);
		d->st = sa->st;
		d->a = g_strdup(sa->result);
		d->b = g_strdup(sb->result);
		d->entry = manifest_find(o->manifest, sa->st->file,
		    sa->st->line);
		if (d->entry >= 0) {
			w->used[d->entry]++;
			w->known++;
		} else {
			w->unexplained++;
		}
		g_ptr_array_add(divs, d);
	}
	/* the manifest entries of these files had their chance */
	for (i = 0; i < sim_manifest_size(o->manifest); i++) {
		const Entry *e = o->manifest->entries->pdata[i];

		for (j = 0; j < in->sc->files->len; j++)
			if (file_matches(e->file, in->sc->files->pdata[j]))
				w->relevant[i] = TRUE;
	}
	w->compared += compared;
	w->uncompared += uncompared;
	put_compared(w, in->name, profile, divs, compared, uncompared);
out:
	sim_report_clear(&ra);
	sim_report_clear(&rb);
}

static void
json_str(FILE *out, const char *s)
{
	fputc('"', out);
	for (; *s != '\0'; s++) {
		guchar c = (guchar)*s;

		if (c == '"' || c == '\\')
			fprintf(out, "\\%c", c);
		else if (c == '\n')
			fputs("\\n", out);
		else if (c < 0x20)
			fprintf(out, "\\u%04x", c);
		else
			fputc(c, out);
	}
	fputc('"', out);
}

/* Report the entries of compared files that no divergence used. */
static guint
put_unused(DiffOut *w)
{
	const SimManifest *m = w->o->manifest;
	FILE *out = w->o->out;
	guint i, n = 0;

	for (i = 0; i < sim_manifest_size(m); i++) {
		const Entry *e = m->entries->pdata[i];
		g_autofree char *where = e->line != 0 ? g_strdup_printf(
		    "%s:%u", e->file, e->line) : g_strdup_printf("%s:*",
		    e->file);
		g_autofree char *msg = NULL;

		if (w->used[i] > 0 || !w->relevant[i] || e->maybe)
			continue;
		n++;
		msg = g_strdup_printf("%s:%u:%u: unused manifest entry %s: no "
		    "divergence there (%s)", m->name, e->mline, e->mcol, where,
		    e->reason);
		switch (w->o->format) {
		case SIM_FORMAT_TEXT:
			fprintf(out, "FAIL %s\n", msg);
			break;
		case SIM_FORMAT_TAP:
			fprintf(out, "not ok %u - %s\n", ++w->n, msg);
			break;
		case SIM_FORMAT_JSON:
			fputs("{\"type\":\"unused\",\"error\":", out);
			json_str(out, msg);
			fputs("}\n", out);
			break;
		}
	}
	return n;
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
	g_autofree guint *used = NULL;
	g_autofree gboolean *relevant = NULL;
	char *sel[2] = { (char *)o->profile, NULL };
	DiffOut w = { 0 };
	guint i, unused;

	g_return_val_if_fail(o != NULL && o->a != NULL && o->b != NULL &&
	    o->profile != NULL && o->out != NULL && o->err != NULL,
	    SIM_EXIT_USAGE);
	if (rp_profile_find(o->profile) == NULL) {
		fprintf(o->err, "reuseport-sim: unknown profile '%s'\n",
		    o->profile);
		return SIM_EXIT_USAGE;
	}
	inputs = sim_inputs_load(paths, n, o->err);
	if (inputs == NULL)
		return SIM_EXIT_USAGE;
	used = g_new0(guint, sim_manifest_size(o->manifest) + 1);
	relevant = g_new0(gboolean, sim_manifest_size(o->manifest) + 1);
	w.o = o;
	w.used = used;
	w.relevant = relevant;
	for (i = 0; i < inputs->len; i++) {
		const SimInput *in = inputs->pdata[i];
		g_autoptr(GPtrArray) profs = sim_scenario_profiles(in->sc, sel);

		if (profs->len == 0)
			put_skip(&w, in->name, o->profile, "no selected profile");
		else
			diff_one(&w, in, o->profile);
		fflush(o->out);
	}
	unused = put_unused(&w);
	switch (o->format) {
	case SIM_FORMAT_TEXT:
		fprintf(o->out, "diff: %u passed, %u failed, %u skipped; "
		    "%u steps compared, %u not; divergences: %u known, %u "
		    "unexplained; %u unused manifest entries\n", w.passed,
		    w.failed, w.skipped, w.compared, w.uncompared, w.known,
		    w.unexplained, unused);
		break;
	case SIM_FORMAT_TAP:
		fprintf(o->out, "1..%u\n# diff: %u passed, %u failed, %u "
		    "skipped; %u steps compared, %u not; divergences: %u "
		    "known, %u unexplained; %u unused manifest entries\n", w.n,
		    w.passed, w.failed, w.skipped, w.compared, w.uncompared,
		    w.known, w.unexplained, unused);
		break;
	case SIM_FORMAT_JSON:
		fprintf(o->out, "{\"type\":\"summary\",\"passed\":%u,"
		    "\"failed\":%u,\"skipped\":%u,\"compared\":%u,"
		    "\"not_compared\":%u,\"known\":%u,\"unexplained\":%u,"
		    "\"unused\":%u}\n", w.passed, w.failed, w.skipped,
		    w.compared, w.uncompared, w.known, w.unexplained, unused);
		break;
	}
	return w.failed > 0 || unused > 0 ? SIM_EXIT_FAIL : SIM_EXIT_OK;
}
