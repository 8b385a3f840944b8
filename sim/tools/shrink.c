/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * shrink.c - delta debugging of a failing scenario (shrink.h).
 *
 * Three passes, repeated while one of them makes progress:
 *
 *  1. ddmin over the statements (Zeller and Hildebrandt, "Simplifying
 *     and Isolating Failure-Inducing Input", 2002): cut the statements
 *     into n chunks, keep the first complement that still fails (n
 *     shrinks by one), else double n, until n is the number of
 *     statements;
 *  2. each statement together with every later one that names what it
 *     defines (a map, its updates and lookups go in one step, which
 *     ddmin reaches only by luck); a process with its labels, so that
 *     its statements run in init;
 *  3. simpler arguments: each key=value option dropped, an `as CHILD`
 *     tail dropped, a process label dropped, a large number replaced by
 *     a small one.
 *
 * Every candidate text goes to the test once: answers are remembered by
 * text.  The test is never called more than max_tests times.
 */
#include <string.h>

#include "tools/shrink.h"

typedef struct {
	GPtrArray	*fixed;		/* char *: header lines, in place */
	GPtrArray	*lines;		/* char *: every line, NULL = unit */
	SimShrinkTest	 test;
	gpointer	 ud;
	guint		 max_tests;
	SimShrinkStats	*stats;
	GHashTable	*seen;		/* text -> GINT_TO_POINTER(1 + fails) */
} Shrink;

/* Is line a unit (a statement), not a comment, blank or profile line? */
static gboolean
is_unit(const char *line)
{
	const char *p = line + strspn(line, " \t");

	return *p != '\0' && *p != '#' && strncmp(p, "profile ", 8) != 0 &&
	    strcmp(p, "profile") != 0;
}

/* The text of the fixed lines with units (char *) in their places: the
 * units go where the original ones were, in order; fewer units leave the
 * later places empty. */
static char *
text_of(const Shrink *s, GPtrArray *units)
{
	GString *t = g_string_new(NULL);
	guint i, u = 0;

	for (i = 0; i < s->lines->len; i++) {
		const char *l = s->lines->pdata[i];

		if (l != NULL) {
			g_string_append_printf(t, "%s\n", l);
			continue;
		}
		/* the header stays on top; units fill the first places */
		if (u < units->len)
			g_string_append_printf(t, "%s\n",
			    (char *)units->pdata[u++]);
	}
	return g_string_free(t, FALSE);
}

/* Does the candidate still fail?  Each text is tested once. */
static gboolean
fails(Shrink *s, GPtrArray *units)
{
	g_autofree char *t = text_of(s, units);
	gpointer v;
	gboolean f;

	if (g_hash_table_lookup_extended(s->seen, t, NULL, &v))
		return GPOINTER_TO_INT(v) == 2;
	if (s->stats->tests >= s->max_tests) {
		s->stats->budget_out = TRUE;
		return FALSE;
	}
	s->stats->tests++;
	f = s->test(t, s->ud);
	g_hash_table_insert(s->seen, g_steal_pointer(&t),
	    GINT_TO_POINTER(f ? 2 : 1));
	return f;
}

/* units without [from, to). */
static GPtrArray *
without(GPtrArray *units, guint from, guint to)
{
	GPtrArray *c = g_ptr_array_new();
	guint i;

	for (i = 0; i < units->len; i++)
		if (i < from || i >= to)
			g_ptr_array_add(c, units->pdata[i]);
	return c;
}

/* Pass 1: ddmin over the complements.  Returns TRUE on progress; *units
 * is replaced by the smaller list. */
static gboolean
ddmin(Shrink *s, GPtrArray **units)
{
	gboolean progress = FALSE;
	guint n = 2;

	while ((*units)->len >= 2 && !s->stats->budget_out) {
		guint len = (*units)->len, i;
		gboolean cut = FALSE;

		n = MIN(n, len);
		for (i = 0; i < n; i++) {
			guint from = len * i / n, to = len * (i + 1) / n;
			GPtrArray *c = without(*units, from, to);

			if (fails(s, c)) {
				g_ptr_array_unref(*units);
				*units = c;
				n = MAX(n - 1, 2);
				cut = progress = TRUE;
				break;
			}
			g_ptr_array_unref(c);
		}
		if (cut)
			continue;
		if (n >= len)
			break;
		n = MIN(n * 2, len);
	}
	return progress;
}

/* The name a statement defines, or NULL: the word after the verb of
 * socket, map, prog, proc, netns; the word after "as" anywhere. */
static char *
defined_name(const char *line)
{
	static const char *const defs[] = { "socket", "map", "prog", "proc",
		"netns", NULL };
	g_auto(GStrv) w = g_strsplit_set(line, " \t", -1);
	guint i = 0, j;

	if (w[0] != NULL && g_str_has_suffix(w[0], ":"))
		i = 1;
	if (w[i] == NULL)
		return NULL;
	if (g_strv_contains(defs, w[i]) && w[i + 1] != NULL)
		return g_strdup(w[i + 1]);
	for (j = i; w[j] != NULL; j++)
		if (strcmp(w[j], "as") == 0 && w[j + 1] != NULL)
			return g_strdup(w[j + 1]);
	return NULL;
}

/* Does line name name (as a word, a label, a key's value or the port of
 * an address)? */
static gboolean
names(const char *line, const char *name)
{
	gsize n = strlen(name);
	const char *p;

	for (p = strstr(line, name); p != NULL; p = strstr(p + 1, name)) {
		char before = p == line ? ' ' : p[-1];
		char after = p[n];

		if ((before == ' ' || before == '=' || before == ':' ||
		    before == '\t' || before == '(') &&
		    (after == ' ' || after == '\0' || after == ':' ||
		    after == '\t' || after == ')' || after == ','))
			return TRUE;
	}
	return FALSE;
}

/* Is line "proc NAME ..."? */
static gboolean
is_proc(const char *line)
{
	return g_str_has_prefix(line, "proc ");
}

/* Pass 2: each statement with everything that names what it defines;
 * a process goes with its labels instead (its statements run in init). */
static gboolean
drop_with_users(Shrink *s, GPtrArray **units, GPtrArray *owned)
{
	gboolean progress = FALSE;
	guint i = 0;

	while (i < (*units)->len && !s->stats->budget_out) {
		g_autofree char *def = defined_name((*units)->pdata[i]);
		g_autofree char *label = def != NULL ? g_strdup_printf("%s: ",
		    def) : NULL;
		gboolean proc = def != NULL && is_proc((*units)->pdata[i]);
		GPtrArray *c = g_ptr_array_new();
		guint j;

		for (j = 0; j < (*units)->len; j++) {
			const char *l = (*units)->pdata[j];

			if (proc && j > i && g_str_has_prefix(l, label)) {
				char *un = g_strdup(l + strlen(label));

				g_ptr_array_add(owned, un);
				g_ptr_array_add(c, un);
				continue;
			}
			if (j == i || (def != NULL && !proc && j > i &&
			    names(l, def)))
				continue;
			g_ptr_array_add(c, (gpointer)l);
		}
		if ((proc || c->len + 1 < (*units)->len) && fails(s, c)) {
			g_ptr_array_unref(*units);
			*units = c;
			progress = TRUE;
			continue;
		}
		g_ptr_array_unref(c);
		i++;
	}
	return progress;
}

/* Simpler versions of one statement, most radical first. */
static GPtrArray *
variants(const char *line)
{
	GPtrArray *v = g_ptr_array_new_with_free_func(g_free);
	g_auto(GStrv) w = g_strsplit(line, " ", -1);
	guint n = g_strv_length(w), i, j;

	/* without the process label */
	if (n > 1 && g_str_has_suffix(w[0], ":"))
		g_ptr_array_add(v, g_strjoinv(" ", w + 1));
	for (i = 1; i < n; i++) {
		GString *t;

		if (strcmp(w[i], "=") == 0)
			break;		/* the expectation stays */
		/* without a key=value option, or without "as NAME" */
		if (strchr(w[i], '=') != NULL || (strcmp(w[i], "as") == 0 &&
		    i + 2 <= n && strcmp(w[0], "send") == 0)) {
			guint skip = strchr(w[i], '=') != NULL ? 1 : 2;

			t = g_string_new(NULL);
			for (j = 0; j < n; j++) {
				if (j >= i && j < i + skip)
					continue;
				g_string_append_printf(t, "%s%s",
				    t->len > 0 ? " " : "", w[j]);
			}
			g_ptr_array_add(v, g_string_free(t, FALSE));
		}
		/* a large number made small */
		{
			const char *eq = strchr(w[i], '=');
			const char *num = eq != NULL ? eq + 1 : w[i];
			guint64 val;

			if (!g_ascii_isdigit(num[0]) || strspn(num,
			    "0123456789abcdefxABCDEFX") != strlen(num))
				continue;
			val = g_ascii_strtoull(num, NULL, 0);
			if (val > 4) {
				g_autofree char *old = w[i];

				w[i] = g_strdup_printf("%.*s4",
				    (int)(num - old), old);
				g_ptr_array_add(v, g_strjoinv(" ", w));
				g_free(w[i]);
				w[i] = g_steal_pointer(&old);
			}
		}
	}
	return v;
}

/* Pass 3: simpler arguments, statement by statement. */
static gboolean
simplify(Shrink *s, GPtrArray **units, GPtrArray *owned)
{
	gboolean progress = FALSE;
	guint i, k;

	for (i = 0; i < (*units)->len && !s->stats->budget_out; i++) {
		g_autoptr(GPtrArray) v = variants((*units)->pdata[i]);

		for (k = 0; k < v->len; k++) {
			GPtrArray *c = without(*units, 0, 0);

			c->pdata[i] = v->pdata[k];
			if (fails(s, c)) {
				char *keep = g_steal_pointer(&v->pdata[k]);

				g_ptr_array_add(owned, keep);
				c->pdata[i] = keep;
				g_ptr_array_unref(*units);
				*units = c;
				progress = TRUE;
				/* the new line may simplify further */
				g_ptr_array_unref(v);
				v = variants(keep);
				k = (guint)-1;
				continue;
			}
			g_ptr_array_unref(c);
		}
	}
	return progress;
}

/*
 * The smallest text that still fails test, from text (which must fail
 * it).  At most max_tests calls of test; stats says how many and what
 * became of the statements.  Cannot fail: at worst the text comes back
 * unchanged.
 */
char *
sim_shrink(const char *text, SimShrinkTest test, gpointer ud,
    guint max_tests, SimShrinkStats *stats)
{
	g_auto(GStrv) all = NULL;
	g_autoptr(GPtrArray) owned = g_ptr_array_new_with_free_func(g_free);
	GPtrArray *units = g_ptr_array_new();
	SimShrinkStats dummy = { 0 };
	Shrink s = { 0 };
	char *out;
	guint i, n;
	gboolean more = TRUE;
	guint round;

	g_return_val_if_fail(text != NULL && test != NULL, NULL);
	s.stats = stats != NULL ? stats : &dummy;
	memset(s.stats, 0, sizeof(*s.stats));
	s.test = test;
	s.ud = ud;
	s.max_tests = max_tests;
	s.lines = g_ptr_array_new();
	s.seen = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	all = g_strsplit(text, "\n", -1);
	n = g_strv_length(all);
	if (n > 0 && all[n - 1][0] == '\0')
		n--;		/* the last newline */
	for (i = 0; i < n; i++) {
		if (is_unit(all[i])) {
			g_ptr_array_add(units, all[i]);
			g_ptr_array_add(s.lines, NULL);
		} else {
			g_ptr_array_add(s.lines, all[i]);
		}
	}
	s.stats->units_before = units->len;
	for (round = 0; more && round < 4 && !s.stats->budget_out; round++) {
		more = ddmin(&s, &units);
		more |= drop_with_users(&s, &units, owned);
		more |= simplify(&s, &units, owned);
	}
	s.stats->units_after = units->len;
	out = text_of(&s, units);
	g_ptr_array_unref(units);
	g_ptr_array_unref(s.lines);
	g_hash_table_unref(s.seen);
	return out;
}
