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

#include "core/exec.h"
#include "core/run.h"
#include "lang/lex.h"
#include "lang/print.h"
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
	g_free(e->pattern);
	g_free(e->kernel);
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
	va_list ap;

	va_start(ap, fmt);
	g_ptr_array_add(errors, sim_place_vtext(name, line, col, fmt, ap));
	va_end(ap);
}

/* The manifest file being read. */
static const char *
cur_file(const SimManifest *m)
{
	return m->files->pdata[m->files->len - 1];
}

/* Is there an entry like e already?  Say where. */
static gboolean
duplicate(SimManifest *m, const Entry *e, const char *where, guint line,
    guint col, GPtrArray *errors)
{
	guint i;

	for (i = 0; i < m->entries->len; i++) {
		const Entry *o = m->entries->pdata[i];

		if (e->pattern != NULL ? g_strcmp0(o->pattern, e->pattern) != 0 :
		    o->pattern != NULL || strcmp(o->file, e->file) != 0 ||
		    o->line != e->line)
			continue;
		merror(errors, e->mfile, line, col, "'%s' is already listed "
		    "at %s:%u:%u", where, o->mfile, o->mline, o->mcol);
		return TRUE;
	}
	return FALSE;
}

/* The reason after an entry's where (sp), with "maybe" taken off into e;
 * NULL (with the error said) when there is none. */
static const char *
entry_reason(SimManifest *m, Entry *e, const char *text, const char *sp,
    const char *where, guint line, guint col, GPtrArray *errors)
{
	const char *reason = sp + strspn(sp, " \t");

	if (strncmp(reason, "maybe", 5) == 0 && (reason[5] == ' ' ||
	    reason[5] == '\t' || reason[5] == '\0')) {
		e->maybe = TRUE;
		sp = reason + 5;
		reason = sp + strspn(sp, " \t");
	}
	if (strncmp(reason, "kernel=", 7) == 0) {
		gsize n = strcspn(reason + 7, " \t");

		if (n == 0) {
			merror(errors, cur_file(m), line, col + (guint)(reason -
			    text), "kernel= needs a release pattern");
			return NULL;
		}
		e->kernel = g_strndup(reason + 7, n);
		sp = reason + 7 + n;
		reason = sp + strspn(sp, " \t");
	}
	if (*reason == '\0') {
		merror(errors, cur_file(m), line, col + (guint)(sp - text),
		    "entry '%s' needs a reason", where);
		return NULL;
	}
	return reason;
}

/*
 * Add e, an entry read at line:col of the current file, to m with the
 * reason after rest (text is the line, where the entry's first word as
 * written); an entry without a reason or like one before is freed, with
 * an error appended to errors.
 */
static void
entry_add(SimManifest *m, Entry *e, const char *text, const char *rest,
    const char *where, guint line, guint col, GPtrArray *errors)
{
	const char *reason;

	e->mline = line;
	e->mcol = col;
	e->mfile = cur_file(m);
	reason = entry_reason(m, e, text, rest, where, line, col, errors);
	if (reason == NULL || duplicate(m, e, where, line, col, errors)) {
		entry_free(e);
		return;
	}
	e->reason = g_strchomp(g_strdup(reason));
	g_ptr_array_add(m->entries, e);
}

/* "PATTERN" REASON, at column col. */
static void
parse_pattern(SimManifest *m, const char *text, guint line, guint col,
    GPtrArray *errors)
{
	const char *end = strchr(text + 1, '"');
	g_autofree char *where = NULL;
	Entry *e;

	if (end == NULL) {
		merror(errors, cur_file(m), line, col, "a pattern entry needs "
		    "its closing '\"'");
		return;
	}
	if (end == text + 1) {
		merror(errors, cur_file(m), line, col, "empty pattern");
		return;
	}
	where = g_strndup(text, (gsize)(end + 1 - text));
	e = g_new0(Entry, 1);
	e->pattern = g_strndup(text + 1, (gsize)(end - text - 1));
	entry_add(m, e, text, end + 1, where, line, col, errors);
}

/* Parse one non-blank, non-comment line (text, at column col). */
static void
parse_entry(SimManifest *m, const char *text, guint line, guint col,
    GPtrArray *errors)
{
	const char *sp = text + strcspn(text, " \t");
	const char *colon;
	g_autofree char *where = NULL;
	Entry *e;

	if (text[0] == '"') {
		parse_pattern(m, text, line, col, errors);
		return;
	}
	where = g_strndup(text, (gsize)(sp - text));
	colon = strrchr(where, ':');
	if (colon == NULL || colon == where) {
		merror(errors, cur_file(m), line, col, "expected FILE:LINE or "
		    "FILE:* then a reason, got '%s'", where);
		return;
	}
	e = g_new0(Entry, 1);
	e->file = g_strndup(where, (gsize)(colon - where));
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
	entry_add(m, e, text, sp, where, line, col, errors);
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

/* Does e apply to the kernel of this release (kernel=GLOB)? */
static gboolean
entry_applies(const Entry *e, const char *release)
{
	return e->kernel == NULL || (release != NULL &&
	    g_pattern_match_simple(e->kernel, release));
}

/*
 * "CALL => A vs B": the statement without its process label and the two
 * results, the line a pattern entry is matched against.
 */
char *
sim_divergence_subject(const SimStmt *st, const char *a, const char *b)
{
	g_autofree char *call = sim_stmt_text(st, SIM_PRINT_CALL);
	const char *c = call;

	if (st->label != NULL)
		c += strlen(st->label) + 2;	/* "LABEL: " */
	return g_strdup_printf("%s => %s vs %s", c, a, b);
}

/* The index of the entry explaining the divergence a/b at statement st,
 * or -1: the line's entry, else the file's '*', else the first pattern
 * that matches. */
static int
manifest_find(const SimManifest *m, const char *release, const SimStmt *st,
    const char *a, const char *b)
{
	g_autofree char *subject = NULL;
	int star = -1;
	guint i;

	for (i = 0; m != NULL && i < m->entries->len; i++) {
		const Entry *e = m->entries->pdata[i];

		if (e->pattern != NULL || !file_matches(e->file, st->file) ||
		    !entry_applies(e, release))
			continue;
		if (e->line == st->line)
			return (int)i;
		if (e->line == 0 && star < 0)
			star = (int)i;
	}
	if (star >= 0)
		return star;
	for (i = 0; m != NULL && i < m->entries->len; i++) {
		const Entry *e = m->entries->pdata[i];

		if (e->pattern == NULL || !entry_applies(e, release))
			continue;
		if (subject == NULL)
			subject = sim_divergence_subject(st, a, b);
		if (g_pattern_match_simple(e->pattern, subject))
			return (int)i;
	}
	return -1;
}

/* ---------------------------------------------------------------------
 * Comparing
 */

struct SimDiff {
	const SimBackendOps	*a, *b;
	int			 kconfig_mptcp;	/* SimExecOptions' */
	const SimManifest	*manifest;
	guint			 flags;		/* SimDiffFlags */
	char			*release;	/* of b's kernel, or NULL */
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

/* How later scenarios are compared (SimDiffFlags). */
void
sim_diff_set_flags(SimDiff *d, guint flags)
{
	g_return_if_fail(d != NULL);
	g_return_if_fail((flags & SIM_DIFF_CHANCE) == 0 ||
	    d->a->inspect != NULL);
	d->flags = flags;
}

/* The release of b's kernel ("6.18.44-fc-v1272", as uname -r says it),
 * for entries limited to some kernels (kernel=GLOB); NULL: none. */
void
sim_diff_set_release(SimDiff *d, const char *release)
{
	g_return_if_fail(d != NULL);
	g_free(d->release);
	d->release = g_strdup(release);
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
	g_free(d->release);
	g_free(d->used);
	g_free(d->relevant);
	g_free(d);
}

void
sim_diff_result_clear(SimDiffResult *r)
{
	g_clear_pointer(&r->skip, g_free);
	g_clear_pointer(&r->divergences, g_ptr_array_unref);
	g_clear_pointer(&r->violations, g_ptr_array_unref);
	g_clear_pointer(&r->counted, g_ptr_array_unref);
	r->compared = r->uncompared = r->chance = r->after_hash_n = 0;
}

/* Is result an outcome of traffic (delivered somewhere, dropped,
 * refused), not an errno? */
static gboolean
outcome(const SimStep *s)
{
	return s->st != NULL && strcmp(s->st->verb, "send") == 0 &&
	    s->result[0] != '-';
}

/* Is s a delivery to some socket? */
static gboolean
delivered(const SimStep *s)
{
	return outcome(s) && strcmp(s->result, "dropped") != 0 &&
	    strcmp(s->result, "refused") != 0;
}

/* ---------------------------------------------------------------------
 * Chance (SIM_DIFF_CHANCE): the steps where the reference's hash chose
 */

typedef struct {
	const SimScenario	*sc;
	GArray			*hashed;	/* groups that chose by hash */
	GArray			*ran;		/* groups that ran a program */
	GHashTable		*steps;		/* SimStmt * -> GPtrArray of
						 * names (char *) */
	GHashTable		*unordered;	/* SimStmt *: a walk of a hash
						 * map of two keys or more */
	GHashTable		*alias;		/* file name -> "KIND:ID": names
						 * of one object (dup, pass) */
	gboolean		 chance;	/* SIM_DIFF_CHANCE, else only
						 * the aliases are wanted */
} Chance;

static void
chance_event(void *ud, const struct rp_event *ev)
{
	Chance *c = ud;

	if (ev->kind == RP_EV_SELECT && ev->what != NULL &&
	    strcmp(ev->what, "hash") == 0)
		g_array_append_val(c->hashed, ev->group);
	else if (ev->kind == RP_EV_PROG_RUN)
		g_array_append_val(c->ran, ev->group);
}

/* Does the program called name (a `prog` statement of sc) compute its
 * key from the packet's hash, with more than one outcome? */
static gboolean
prog_hashes(const SimScenario *sc, const char *name)
{
	guint i, j;

	for (i = 0; name != NULL && i < sc->stmts->len; i++) {
		const SimStmt *st = sc->stmts->pdata[i];
		const SimToken *t;

		if (strcmp(st->verb, "prog") != 0 || st->args->len == 0 ||
		    strcmp(((SimToken *)st->args->pdata[0])->text, name) != 0)
			continue;
		for (j = 1; j < st->args->len; j++) {
			t = st->args->pdata[j];
			if (t->kind == SIM_TOK_KV && strcmp(t->name, "key") == 0 &&
			    g_str_has_prefix(t->value->text, "hash") &&
			    strcmp(t->value->text, "hash:1") != 0)
				return TRUE;
		}
		return FALSE;
	}
	return FALSE;
}

/* The names a statement mentions: its words, the values of its options
 * and the socket named as the port of an address.  Added to out. */
static void
stmt_names(const SimStmt *st, GPtrArray *out)
{
	guint i;

	for (i = 0; i < st->args->len; i++) {
		const SimToken *t = st->args->pdata[i];
		const char *w = t->kind == SIM_TOK_KV ? t->value->text : t->text;
		const char *colon = strrchr(w, ':');

		if (t->kind != SIM_TOK_WORD && t->kind != SIM_TOK_KV)
			continue;
		g_ptr_array_add(out, g_strdup(colon != NULL ? colon + 1 : w));
	}
}

static gboolean
in_groups(const GArray *groups, unsigned g)
{
	guint i;

	for (i = 0; g != 0 && i < groups->len; i++)
		if (g_array_index(groups, unsigned, i) == g)
			return TRUE;
	return FALSE;
}

/*
 * Is st a next-key of a SOCKHASH or HASH_OF_MAPS, or a lookup-batch of a
 * HASH_OF_MAPS, that holds two keys or more?  Their order is the
 * kernel's hash of the key, seeded at random for each map, so which key
 * comes next, and whether the first bucket holds two (-ENOSPC for a
 * batch of one), is chance too.
 */
static gboolean
hash_walk(const SimStmt *st, SimNames *nm, const SimInspectOps *in,
    SimBackend *be)
{
	struct rp_map_info mi;
	unsigned id;

	gboolean batch = strcmp(st->verb, "lookup-batch") == 0;

	if ((!batch && strcmp(st->verb, "next-key") != 0) ||
	    st->args->len == 0)
		return FALSE;
	id = sim_names_lookup(nm, ((SimToken *)st->args->pdata[0])->text,
	    SIM_OBJ_MAP);
	return id != 0 && in->map_info(be, id, &mi) == 0 &&
	    (mi.type == RP_MAP_HASH_OF_MAPS ||
	    (!batch && mi.type == RP_MAP_SOCKHASH)) && mi.used >= 2;
}

/* After each statement of the reference run: was the hash's choice
 * among two or more sockets?  Then record the names it may have moved. */
static void
chance_step(void *ud, SimExec *x, guint index, const SimStmt *st,
    const SimResult *r, const GPtrArray *failures, guint first)
{
	Chance *c = ud;
	g_autoptr(GArray) chosen = g_array_new(FALSE, FALSE,
	    sizeof(unsigned));
	SimNames *nm = sim_exec_names(x);
	SimBackend *be = NULL;
	const SimInspectOps *in = sim_exec_inspect(x, &be);
	const GPtrArray *order;
	GPtrArray *names;
	struct rp_group_info gi;
	struct rp_sock_info si;
	guint i;

	(void)index;
	(void)r;
	(void)failures;
	(void)first;
	if (!c->chance) {
		g_array_set_size(c->hashed, 0);
		g_array_set_size(c->ran, 0);
		return;
	}
	for (i = 0; in != NULL && i < c->hashed->len; i++) {
		unsigned g = g_array_index(c->hashed, unsigned, i);

		if (in->group_info(be, g, &gi) == 0 && gi.num_socks >= 2)
			g_array_append_val(chosen, g);
	}
	for (i = 0; in != NULL && i < c->ran->len; i++) {
		unsigned g = g_array_index(c->ran, unsigned, i);

		if (in->group_info(be, g, &gi) == 0 && gi.prog != 0 &&
		    prog_hashes(c->sc, sim_names_prog(nm, gi.prog)))
			g_array_append_val(chosen, g);
	}
	g_array_set_size(c->hashed, 0);
	g_array_set_size(c->ran, 0);
	if (in != NULL && hash_walk(st, nm, in, be))
		g_hash_table_add(c->unordered, (gpointer)st);
	if (chosen->len == 0)
		return;
	names = g_ptr_array_new_with_free_func(g_free);
	stmt_names(st, names);
	order = sim_names_order(nm);
	for (i = 0; i < order->len; i++) {
		const SimObj *o = order->pdata[i];
		unsigned g = 0;

		if (o->kind != SIM_OBJ_SOCK || !o->bound ||
		    in->sock_info(be, o->id, &si) != 0)
			continue;
		g = si.group;
		if (si.parent != 0 && in->sock_info(be, si.parent, &si) == 0)
			g = si.group;	/* a child: its listener's */
		if (in_groups(chosen, g))
			g_ptr_array_add(names, g_strdup(o->name));
	}
	g_hash_table_replace(c->steps, (gpointer)st, names);
}

/* At the end of the reference run: which names stand for one object. */
static void
chance_done(void *ud, SimExec *x)
{
	Chance *c = ud;
	const GPtrArray *order = sim_names_order(sim_exec_names(x));
	guint i;

	for (i = 0; i < order->len; i++) {
		const SimObj *o = order->pdata[i];

		if ((o->kind & SIM_OBJ_FILE) != 0 && o->bound)
			g_hash_table_replace(c->alias, g_strdup(o->name),
			    g_strdup_printf("%d:%u", (int)o->kind, o->id));
	}
}

/* Does st name something in tainted? */
static gboolean
touches(const SimStmt *st, GHashTable *tainted)
{
	g_autoptr(GPtrArray) n = g_ptr_array_new_with_free_func(g_free);
	guint i;

	stmt_names(st, n);
	for (i = 0; i < n->len; i++)
		if (g_hash_table_contains(tainted, n->pdata[i]))
			return TRUE;
	return FALSE;
}

/* Add names to tainted, and every other name of the same objects
 * (alias: NULL, or from chance_done()). */
static void
taint(GHashTable *tainted, const GPtrArray *names, GHashTable *alias)
{
	GHashTableIter it;
	gpointer k, v;
	guint i;

	for (i = 0; names != NULL && i < names->len; i++) {
		const char *obj = alias != NULL ?
		    g_hash_table_lookup(alias, names->pdata[i]) : NULL;

		g_hash_table_add(tainted, g_strdup(names->pdata[i]));
		if (obj == NULL)
			continue;
		g_hash_table_iter_init(&it, alias);
		while (g_hash_table_iter_next(&it, &k, &v))
			if (strcmp(v, obj) == 0)
				g_hash_table_add(tainted, g_strdup(k));
	}
}

/* ---------------------------------------------------------------------
 * Comparing
 */

/* A result a walk of a hash map may give by chance: a key (a number),
 * the end (-ENOENT), or -ENOSPC from a batch. */
static gboolean
key_or_batch(const char *result)
{
	return result[0] != '-' || strcmp(result, "-ENOSPC") == 0 ||
	    strcmp(result, "-ENOENT") == 0;
}

/* Does st expect one of several results under profile (`= ok |
 * -EBUSY`): a step the scenario says is left to chance? */
static gboolean
alternatives(const SimStmt *st, const char *profile)
{
	const GPtrArray *exp = sim_stmt_expect_for(st, profile);

	return exp != NULL && exp->len > 2;
}

/* ---------------------------------------------------------------------
 * Counted traffic (send ... repeat=N)
 */

static int
cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The count of outcome key ("dropped") in a rendered count, 0 if absent. */
static guint64
outcome_count(const char *result, const char *key)
{
	gsize kl = strlen(key);
	const char *p;

	for (p = result; (p = strstr(p, key)) != NULL; p += kl)
		if ((p == result || p[-1] == ' ') && p[kl] == '=')
			return g_ascii_strtoull(p + kl + 1, NULL, 10);
	return 0;
}

static const SimCountShare *
share_of(const GPtrArray *shares, const char *name)
{
	guint i;

	for (i = 0; i < shares->len; i++) {
		const SimCountShare *cs = shares->pdata[i];

		if (strcmp(cs->name, name) == 0)
			return cs;
	}
	return NULL;
}

/* May a program of sc read the packet's hash: a policy keyed by it
 * (key=hash:N, N > 1) or a compiled object (object=), which may? */
static gboolean
may_read_hash(const SimScenario *sc)
{
	guint i, j;

	for (i = 0; i < sc->stmts->len; i++) {
		const SimStmt *st = sc->stmts->pdata[i];

		if (strcmp(st->verb, "prog") != 0)
			continue;
		for (j = 1; j < st->args->len; j++) {
			const SimToken *t = st->args->pdata[j];

			if (t->kind == SIM_TOK_KV && (strcmp(t->name,
			    "object") == 0 || (strcmp(t->name, "key") == 0 &&
			    g_str_has_prefix(t->value->text, "hash") &&
			    strcmp(t->value->text, "hash:1") != 0)))
				return TRUE;
		}
	}
	return FALSE;
}

/* The names of a rendered count ("a=3 dropped=2": a, dropped), sorted
 * and joined by spaces.  g_free(). */
static char *
support_of(const char *result)
{
	g_auto(GStrv) parts = g_strsplit(result, " ", -1);
	guint i;

	for (i = 0; parts[i] != NULL; i++) {
		char *eq = strchr(parts[i], '=');

		if (eq != NULL)
			*eq = '\0';
	}
	qsort(parts, g_strv_length(parts), sizeof(char *), cmp_names);
	return g_strjoinv(" ", parts);
}

/* Did the same receivers and outcomes get packets in a and b? */
static gboolean
same_support(const char *a, const char *b)
{
	g_autofree char *sa = support_of(a);
	g_autofree char *sb = support_of(b);

	return strcmp(sa, sb) == 0;
}

/* Is socket name's count in b what a's distribution allows? */
static gboolean
count_fits(const SimStep *a, const SimStep *b, const char *name)
{
	const SimCountShare *ca = share_of(a->shares, name);
	const SimCountShare *cb = share_of(b->shares, name);
	double p = ca != NULL ? ca->share : 0;
	double mean = (ca != NULL ? ca->fixed : 0) + a->hashed * p;
	double var = a->hashed * p * (1 - p);
	double dev = (cb != NULL ? cb->n : 0) - mean;

	dev = (dev < 0 ? -dev : dev) - 0.5;
	/* |count - mean| <= 5 sd + 0.5, squared (no libm) */
	return dev <= 0 || dev * dev <= 25 * var;
}

/*
 * Do counted traffic a (the reference) and b agree?  *rule says under
 * which rule: exact when no packet of a was decided by the hash or by a
 * program that may read it (proghash); with such a program, the same
 * receivers and outcomes (support); else,
 * with a's exact distribution, each socket's count in b within five
 * standard deviations of its mean (the binomial of the hash's packets
 * with the socket's share, plus the packets no hash decided); else only
 * the dropped, refused and failed counts.
 */
static gboolean
counts_agree(const SimStep *a, const SimStep *b, gboolean proghash,
    char **rule)
{
	static const char *const outs[] = { "dropped", "refused", "failed" };
	gboolean ok = TRUE;
	guint i;

	if (a->hashed == 0 && !proghash) {
		*rule = g_strdup("exact rule (the hash decided no packet): "
		    "every count equal");
		return strcmp(a->result, b->result) == 0;
	}
	for (i = 0; i < G_N_ELEMENTS(outs); i++)
		if (outcome_count(a->result, outs[i]) !=
		    outcome_count(b->result, outs[i]))
			ok = FALSE;
	if (proghash) {
		*rule = g_strdup("support rule (a program that may read the "
		    "packet's hash chose): the same receivers and outcomes, "
		    "each with at least one packet");
		return same_support(a->result, b->result);
	}
	if (!a->exact) {
		*rule = g_strdup_printf("outcomes rule (the hash decided %u "
		    "packets, their distribution unknown to the model): "
		    "dropped, refused and failed counts equal", a->hashed);
		return ok;
	}
	*rule = g_strdup_printf("statistical rule (the hash decided %u "
	    "packets; the model's exact shares): each socket's count within "
	    "5 standard deviations of its mean, dropped, refused and failed "
	    "counts equal", a->hashed);
	for (i = 0; ok && i < a->shares->len; i++)
		ok = count_fits(a, b, ((const SimCountShare *)
		    a->shares->pdata[i])->name);
	for (i = 0; ok && i < b->shares->len; i++)
		ok = count_fits(a, b, ((const SimCountShare *)
		    b->shares->pdata[i])->name);
	return ok;
}

/* Compare the steps of two runs under profile; the divergences go to
 * out.  c holds what the reference run's hooks saw (empty tables:
 * nothing). */
static void
compare_steps(SimDiff *d, const SimScenario *sc, const GPtrArray *as,
    const GPtrArray *bs, const char *profile, const Chance *c,
    SimDiffResult *out)
{
	g_autoptr(GHashTable) bsteps = g_hash_table_new(g_direct_hash,
	    g_direct_equal);
	g_autoptr(GHashTable) tainted = g_hash_table_new_full(g_str_hash,
	    g_str_equal, g_free, NULL);
	guint i;

	for (i = 0; i < bs->len; i++) {
		const SimStep *s = bs->pdata[i];

		g_hash_table_insert(bsteps, (gpointer)s->st, (gpointer)s);
	}
	for (i = 0; i < as->len; i++) {
		const SimStep *sa = as->pdata[i];
		const SimStep *sb = g_hash_table_lookup(bsteps, sa->st);
		const GPtrArray *moved = c->steps != NULL ?
		    g_hash_table_lookup(c->steps, sa->st) : NULL;
		SimDivergence *dv;

		if (sb == NULL || sa->result == NULL || sb->result == NULL) {
			out->uncompared++;
			if ((sb != NULL && sb->after_hash_n) ||
			    sa->after_hash_n)
				out->after_hash_n++;
			continue;
		}
		if (g_hash_table_size(tainted) > 0 &&
		    touches(sa->st, tainted)) {
			g_autoptr(GPtrArray) n = g_ptr_array_new_with_free_func(
			    g_free);

			stmt_names(sa->st, n);
			taint(tainted, n, c->alias);
			/* and what this step's own hash may have moved: a send
			 * left to chance can still choose among members (found
			 * by fuzz-diff, host seed 10001025) */
			taint(tainted, moved, c->alias);
			out->uncompared++;
			out->chance++;
			continue;
		}
		taint(tainted, moved, c->alias);
		out->compared++;
		if (sa->shares != NULL && sb->shares != NULL) {
			g_autofree char *rule = NULL;
			gboolean held = counts_agree(sa, sb, sa->progs > 0 &&
			    may_read_hash(sc), &rule);

			g_ptr_array_add(out->counted, g_strdup_printf(
			    "%s:%u:%u: counted traffic, %s: %s", sa->st->file,
			    sa->st->line, sa->st->col, rule, held ? "held" :
			    "broken"));
			if (held)
				continue;
			goto diverge;
		}
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
		/* a program keyed by the hash: any outcome */
		if (moved != NULL && outcome(sa) && outcome(sb))
			continue;
		/* a key of a hash map's walk: any key; its batch: one key,
		 * or a first bucket of two */
		if (c->unordered != NULL &&
		    g_hash_table_contains(c->unordered, sa->st) &&
		    key_or_batch(sa->result) && key_or_batch(sb->result))
			continue;
diverge:
		dv = g_new0(SimDivergence, 1);
		dv->st = sa->st;
		dv->a = g_strdup(sa->result);
		dv->b = g_strdup(sb->result);
		dv->entry = manifest_find(d->manifest, d->release, sa->st,
		    dv->a, dv->b);
		if (dv->entry >= 0)
			d->used[dv->entry]++;
		g_ptr_array_add(out->divergences, dv);
		if ((d->flags & SIM_DIFF_ROOTS) != 0) {
			g_autoptr(GPtrArray) n = g_ptr_array_new_with_free_func(
			    g_free);

			stmt_names(sa->st, n);
			taint(tainted, n, c->alias);
		}
	}
}

/* Is msg (a failure message of a run, "file:line:col: ...") an invariant
 * or a result contract that broke, rather than an expectation? */
gboolean
sim_diff_is_violation(const char *msg)
{
	const char *p = msg;
	guint colons;

	for (colons = 0; colons < 3 && p != NULL; colons++) {
		p = strchr(p, ':');
		if (p != NULL)
			p++;
	}
	if (p == NULL)
		return FALSE;
	p += strspn(p, " ");
	return g_str_has_prefix(p, "invariant violated: ") ||
	    g_str_has_prefix(p, "I14 ") || g_str_has_prefix(p, "I16 ");
}

/*
 * Run sc on both backends under profile, with keep-going, and compare.
 * out (zeroed or cleared) gets why it could not be compared (skip), or
 * the divergences and the counts of steps compared and not, and the
 * reference's violations of its own invariants.
 */
void
sim_diff_scenario(SimDiff *d, const SimScenario *sc, const char *profile,
    SimDiffResult *out)
{
	SimExecOptions oa = { .ops = d->a, .keep_going = TRUE,
	    .kconfig_mptcp = d->kconfig_mptcp, .check = d->check };
	SimExecOptions ob = { .ops = d->b, .keep_going = TRUE,
	    .kconfig_mptcp = d->kconfig_mptcp, .check = d->check };
	struct rp_observer obs = { chance_event };
	Chance c = { 0 };
	SimStepHooks hooks = { .observer = &obs, .step = chance_step,
	    .done = chance_done, .ud = &c };
	SimReport ra = { 0 }, rb = { 0 };
	guint i, j;

	out->divergences = g_ptr_array_new_with_free_func(divergence_free);
	out->violations = g_ptr_array_new_with_free_func(g_free);
	out->counted = g_ptr_array_new_with_free_func(g_free);
	ra.steps = sim_steps_new();
	rb.steps = sim_steps_new();
	if ((d->flags & (SIM_DIFF_CHANCE | SIM_DIFF_ROOTS)) != 0 &&
	    d->a->inspect != NULL) {
		c.sc = sc;
		c.chance = (d->flags & SIM_DIFF_CHANCE) != 0;
		c.alias = g_hash_table_new_full(g_str_hash, g_str_equal,
		    g_free, g_free);
		c.hashed = g_array_new(FALSE, FALSE, sizeof(unsigned));
		c.ran = g_array_new(FALSE, FALSE, sizeof(unsigned));
		c.steps = g_hash_table_new_full(g_direct_hash, g_direct_equal,
		    NULL, (GDestroyNotify)g_ptr_array_unref);
		c.unordered = g_hash_table_new(g_direct_hash, g_direct_equal);
		oa.hooks = &hooks;
	}
	sim_run_scenario(sc, profile, &oa, &ra);
	for (i = 0; ra.messages != NULL && i < ra.messages->len; i++) {
		const char *m = ra.messages->pdata[i];

		if (sim_diff_is_violation(m))
			g_ptr_array_add(out->violations, g_strndup(m,
			    strcspn(m, "\n")));
	}
	sim_run_scenario(sc, profile, &ob, &rb);
	if (ra.steps->len == 0 || rb.steps->len == 0) {
		const SimReport *r = ra.steps->len == 0 ? &ra : &rb;

		out->skip = g_strdup(r->skip != NULL ? r->skip :
		    "no statement ran");
		goto out;
	}
	compare_steps(d, sc, ra.steps, rb.steps, profile, &c, out);
	/* a backend that stopped before anything compared (a kernel built
	 * without what the scenario's `kconfig` needs): skipped, with why */
	if (out->compared == 0 && (ra.skip != NULL || rb.skip != NULL)) {
		out->skip = g_strdup(ra.skip != NULL ? ra.skip : rb.skip);
		g_ptr_array_set_size(out->divergences, 0);
		out->uncompared = out->chance = out->after_hash_n = 0;
		goto out;
	}
	/* the manifest entries of these files had their chance */
	for (i = 0; i < sim_manifest_size(d->manifest); i++) {
		const Entry *e = d->manifest->entries->pdata[i];

		for (j = 0; e->file != NULL && j < sc->files->len; j++)
			if (file_matches(e->file, sc->files->pdata[j]))
				d->relevant[i] = TRUE;
	}
out:
	if (c.steps != NULL) {
		g_array_unref(c.hashed);
		g_array_unref(c.ran);
		g_hash_table_unref(c.steps);
		g_hash_table_unref(c.unordered);
		g_hash_table_unref(c.alias);
	}
	sim_report_clear(&ra);
	sim_report_clear(&rb);
}

/* Is entry i of the manifest unused: its files were compared, no
 * divergence used it, and it is neither a "maybe" nor a pattern? */
gboolean
sim_diff_entry_unused(const SimDiff *d, guint i)
{
	const Entry *e = sim_manifest_entry(d->manifest, i);

	return d->used[i] == 0 && d->relevant[i] && !e->maybe &&
	    e->pattern == NULL && entry_applies(e, d->release);
}

/* How many divergences entry i of the manifest explained so far. */
guint
sim_diff_entry_uses(const SimDiff *d, guint i)
{
	g_return_val_if_fail(i < sim_manifest_size(d->manifest), 0);
	return d->used[i];
}
