/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * mutator.c - the structure-aware mutator of the scenario target (see
 * mutator.h).  The scenario language is a statement a line (a "thread"
 * block is a "thread" line, statements and an "end" line), so a light
 * line and token splitter round-trips every input exactly, whatever its
 * bytes, where the parser would not (it drops comments and layout).
 * Tokens are runs of bytes other than blanks.
 */
#include <string.h>

#include "mutator.h"
#include "core/profiles.h"
#include "core/verbs.h"
#include "lang/lex.h"
#include "lang/words.h"

/* splitmix64: a small generator, deterministic from the seed. */
typedef struct {
	guint64	s;
} Rng;

static guint64
rng_next(Rng *r)
{
	guint64 z = (r->s += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static guint
rng_below(Rng *r, guint n)
{
	return n == 0 ? 0 : (guint)(rng_next(r) % n);
}

/* Numbers at the edges: of the types, the sizes and the model's caps. */
static const char *const numbers[] = {
	"0", "1", "-1", "2", "3", "4", "7", "8", "15", "16", "31", "32",
	"63", "64", "127", "128", "255", "256", "512", "1023", "1024",
	"1025", "4095", "4096", "65535", "65536", "1048576", "134217727",
	"2147483647", "2147483648", "-2147483648", "4294967295",
	"4294967296", "0x7fffffff", "0xffffffff", "9223372036854775807",
	"-9223372036854775808", "18446744073709551615",
	"18446744073709551616",
};

static const char *const ports[] = {
	"0", "1", "80", "1023", "1024", "8080", "32768", "65535", "65536",
};

static const char *const hosts[] = {
	"127.0.0.1", "127.0.0.2", "0.0.0.0", "[::1]", "[::]",
	"[::ffff:127.0.0.1]",
};

/* The KIND argument of `socket` (verbs.c's help of the verb). */
static const char *const sock_kinds[] = {
	"tcp4", "tcp6", "udp4", "udp6", "udplite4", "udplite6", "raw4",
	"raw6", "unix-stream", "unix-dgram", "netlink",
};

/* The kinds of words a word is replaced within. */
enum {
	K_VERB, K_KEY, K_ERRNO, K_PROFILE, K_MAPTYPE, K_SOCKKIND, K_N
};

static GPtrArray *words[K_N];		/* of const char * */
static GHashTable *kind_of;		/* word -> kind + 1 */

static void
add_word(guint k, const char *w)
{
	if (g_hash_table_contains(kind_of, w))
		return;
	g_ptr_array_add(words[k], (gpointer)w);
	g_hash_table_insert(kind_of, (gpointer)w, GUINT_TO_POINTER(k + 1));
}

/* Once per process: the word tables, from the simulator's own tables.
 * They live as long as the process (like those tables). */
static void
words_init(void)
{
	const SimVerb *v;
	const char **profs;
	gsize n, i, j;
	guint32 t;
	int e;

	if (kind_of != NULL)
		return;
	kind_of = g_hash_table_new(g_str_hash, g_str_equal);
	for (i = 0; i < K_N; i++)
		words[i] = g_ptr_array_new();
	v = sim_verbs(&n);
	for (i = 0; i < n; i++) {
		add_word(K_VERB, v[i].name);
		for (j = 0; v[i].keys != NULL && v[i].keys[j] != NULL; j++)
			add_word(K_KEY, v[i].keys[j]);
	}
	for (e = 1; e < 1024; e++) {
		const char *name = sim_errno_name(e);

		if (name != NULL) {
			g_autofree char *w = g_strdup_printf("-%s", name);

			add_word(K_ERRNO, g_intern_string(w));
		}
	}
	profs = sim_profile_names();
	for (i = 0; profs[i] != NULL; i++)
		add_word(K_PROFILE, profs[i]);
	g_free(profs);
	for (t = 0; t < 64; t++)
		if (strcmp(sim_map_type_name(t), "?") != 0)
			add_word(K_MAPTYPE, sim_map_type_name(t));
	for (i = 0; i < G_N_ELEMENTS(sock_kinds); i++)
		add_word(K_SOCKKIND, sock_kinds[i]);
}

static const char *
pick(Rng *r, const char *const *a, gsize n)
{
	return a[rng_below(r, (guint)n)];
}

static const char *
pick_word(Rng *r, guint k)
{
	return words[k]->pdata[rng_below(r, words[k]->len)];
}

/* Whether s is a number of the language: [-]digits or [-]0x hex. */
static gboolean
is_number(const char *s)
{
	gboolean hex = FALSE;

	if (*s == '-')
		s++;
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X') && s[2] != '\0') {
		s += 2;
		hex = TRUE;
	}
	if (*s == '\0')
		return FALSE;
	for (; *s != '\0'; s++)
		if (hex ? !g_ascii_isxdigit(*s) : !g_ascii_isdigit(*s))
			return FALSE;
	return TRUE;
}

static gboolean
is_name(const char *s)
{
	if (!g_ascii_isalpha(*s) && *s != '_')
		return FALSE;
	for (; *s != '\0'; s++)
		if (!g_ascii_isalnum(*s) && *s != '_' && *s != '-' && *s != '.')
			return FALSE;
	return TRUE;
}

/* The spans of the tokens of line (at most G_N_ELEMENTS). */
typedef struct {
	gsize	start, len;
} Span;

static guint
tokens(const GString *line, Span *sp, guint max)
{
	guint n = 0;
	gsize i = 0;

	while (i < line->len && n < max) {
		while (i < line->len && (line->str[i] == ' ' ||
		    line->str[i] == '\t' || line->str[i] == '\r'))
			i++;
		if (i >= line->len)
			break;
		sp[n].start = i;
		while (i < line->len && line->str[i] != ' ' &&
		    line->str[i] != '\t' && line->str[i] != '\r')
			i++;
		sp[n].len = i - sp[n].start;
		n++;
	}
	return n;
}

/* The verb of a line: its first token, after a "PROC:" label. */
static const SimVerb *
line_verb(const GString *line)
{
	Span sp[2];
	guint n = tokens(line, sp, 2), k = 0;
	g_autofree char *w = NULL;

	if (n > 0 && line->str[sp[0].start + sp[0].len - 1] == ':')
		k = 1;
	if (k >= n)
		return NULL;
	w = g_strndup(line->str + sp[k].start, sp[k].len);
	return sim_verb_find(w);
}

/* A name the input defines, and its class: the first word of the
 * statement where it first appears ("socket", "map", "proc", ...). */
typedef struct {
	char	*name;
	char	*cls;
} Name;

static void
name_free(gpointer p)
{
	Name *n = p;

	g_free(n->name);
	g_free(n->cls);
	g_free(n);
}

static void
add_name(GPtrArray *names, GHashTable *seen, char *name, char *cls)
{
	Name *n;

	if (!is_name(name) || g_hash_table_contains(kind_of, name) ||
	    g_hash_table_contains(seen, name)) {
		g_free(name);
		g_free(cls);
		return;
	}
	n = g_new(Name, 1);
	n->name = name;
	n->cls = cls;
	g_hash_table_add(seen, name);
	g_ptr_array_add(names, n);
}

/*
 * The names an input defines: the first argument of every statement (a
 * socket, map, program, process, namespace or thread name) and every
 * "PROC:" label.  An array of Name.
 */
static GPtrArray *
names_of(GPtrArray *lines)
{
	GPtrArray *names = g_ptr_array_new_with_free_func(name_free);
	g_autoptr(GHashTable) seen = g_hash_table_new(g_str_hash,
	    g_str_equal);
	guint i;

	for (i = 0; i < lines->len; i++) {
		const GString *l = lines->pdata[i];
		Span sp[3];
		guint n = tokens(l, sp, 3), k = 0;

		if (n > 0 && l->str[sp[0].start + sp[0].len - 1] == ':') {
			add_name(names, seen, g_strndup(l->str + sp[0].start,
			    sp[0].len - 1), g_strdup("proc"));
			k = 1;
		}
		if (k + 1 < n)
			add_name(names, seen, g_strndup(l->str +
			    sp[k + 1].start, sp[k + 1].len), g_strndup(l->str +
			    sp[k].start, sp[k].len));
	}
	return names;
}

/*
 * Another name for the name tok: seven times in eight one of its class,
 * else any; NULL when tok is not a name of names.
 */
static const char *
other_name(Rng *r, GPtrArray *names, const char *tok)
{
	const Name *me = NULL;
	guint i, same = 0, k;

	for (i = 0; i < names->len && me == NULL; i++)
		if (strcmp(((Name *)names->pdata[i])->name, tok) == 0)
			me = names->pdata[i];
	if (me == NULL)
		return NULL;
	if (rng_below(r, 8) == 0)
		return ((Name *)names->pdata[rng_below(r, names->len)])->name;
	for (i = 0; i < names->len; i++)
		same += strcmp(((Name *)names->pdata[i])->cls, me->cls) == 0;
	k = rng_below(r, same);
	for (i = 0; i < names->len; i++)
		if (strcmp(((Name *)names->pdata[i])->cls, me->cls) == 0 &&
		    k-- == 0)
			return ((Name *)names->pdata[i])->name;
	return NULL;
}

/*
 * Another token of the same kind as tok, or NULL when tok is of no kind
 * the mutator knows.  verb is the line's verb (NULL: none).  g_free().
 */
static char *
replace_token(Rng *r, const char *tok, const SimVerb *verb,
    GPtrArray *names)
{
	const char *eq = strchr(tok, '=');
	const char *colon = strrchr(tok, ':');
	gpointer k;

	if (tok[0] == '@' && g_hash_table_lookup(kind_of, tok + 1) != NULL)
		return g_strconcat("@", pick_word(r, K_PROFILE), NULL);
	if (eq != NULL && eq > tok) {
		g_autofree char *key = g_strndup(tok, (gsize)(eq - tok));
		g_autofree char *val = NULL;

		if (rng_below(r, 3) == 0) {
			const char *nk = pick_word(r, K_KEY);
			gsize nkeys = 0;

			while (verb != NULL && verb->keys != NULL &&
			    verb->keys[nkeys] != NULL)
				nkeys++;
			if (nkeys > 0)
				nk = verb->keys[rng_below(r, (guint)nkeys)];
			return g_strconcat(nk, eq, NULL);
		}
		val = replace_token(r, eq + 1, NULL, names);
		if (val == NULL)
			val = g_strdup(pick(r, numbers, G_N_ELEMENTS(numbers)));
		return g_strconcat(key, "=", val, NULL);
	}
	if (is_number(tok))
		return g_strdup(pick(r, numbers, G_N_ELEMENTS(numbers)));
	if (colon != NULL && colon > tok && is_number(colon + 1)) {
		/* HOST:PORT */
		if (rng_below(r, 2) == 0)
			return g_strdup_printf("%.*s:%s", (int)(colon - tok),
			    tok, pick(r, ports, G_N_ELEMENTS(ports)));
		return g_strconcat(pick(r, hosts, G_N_ELEMENTS(hosts)), colon,
		    NULL);
	}
	if (colon != NULL && colon[1] == '\0' && names->len > 0) {
		g_autofree char *lab = g_strndup(tok, (gsize)(colon - tok));
		const char *o = other_name(r, names, lab);

		return o != NULL ? g_strconcat(o, ":", NULL) : NULL;
	}
	k = g_hash_table_lookup(kind_of, tok);
	if (k != NULL) {
		guint kind = GPOINTER_TO_UINT(k) - 1;

		if (kind == K_ERRNO && rng_below(r, 8) == 0)
			return g_strdup(rng_below(r, 2) ? "ok" : "0");
		return g_strdup(pick_word(r, kind));
	}
	if (names->len > 0) {
		const char *o = other_name(r, names, tok);

		if (o != NULL)
			return g_strdup(o);
	}
	if (strcmp(tok, "ok") == 0)
		return g_strdup(pick_word(r, K_ERRNO));
	return NULL;
}

/*
 * Another verb that takes nargs positional arguments (the tokens after
 * the verb before a "=" or "@" and not key=value), or NULL.
 */
static const char *
other_verb(Rng *r, guint nargs)
{
	const SimVerb *v;
	gsize n, i, start;

	v = sim_verbs(&n);
	start = rng_below(r, (guint)n);
	for (i = 0; i < n; i++) {
		const SimVerb *c = &v[(start + i) % n];

		if (c->min_args <= nargs && nargs <= c->max_args)
			return c->name;
	}
	return NULL;
}

/* The positional arguments after the verb's token vi. */
static guint
count_args(const GString *line, const Span *sp, guint n, guint vi)
{
	guint i, a = 0;

	for (i = vi + 1; i < n; i++) {
		const char *t = line->str + sp[i].start;

		if (t[0] == '=' || t[0] == '@' || t[0] == '#')
			break;
		if (memchr(t, '=', sp[i].len) == NULL)
			a++;
	}
	return a;
}

/* Replace one token of line by another of its kind; FALSE: none. */
static gboolean
mutate_token(Rng *r, GString *line, GPtrArray *names)
{
	Span sp[64];
	guint n = tokens(line, sp, G_N_ELEMENTS(sp)), tries, vi;
	const SimVerb *verb;

	if (n == 0 || line->str[sp[0].start] == '#')
		return FALSE;
	verb = line_verb(line);
	vi = line->str[sp[0].start + sp[0].len - 1] == ':' ? 1 : 0;
	for (tries = 0; tries < 4; tries++) {
		guint ti = rng_below(r, n);
		const Span *s = &sp[ti];
		g_autofree char *tok = g_strndup(line->str + s->start, s->len);
		g_autofree char *rep = NULL;

		/* a NUL in a token: not a word of the language */
		if (strlen(tok) != s->len)
			continue;
		if (ti == vi && verb != NULL && rng_below(r, 4) != 0)
			continue;	/* a verb, rarely */
		if (ti == vi && verb != NULL) {
			/* a verb of the same arity (its keys may not fit) */
			const char *v = other_verb(r,
			    count_args(line, sp, n, vi));

			rep = g_strdup(v);
		} else {
			rep = replace_token(r, tok, verb, names);
		}
		if (rep == NULL || strcmp(rep, tok) == 0)
			continue;
		g_string_erase(line, (gssize)s->start, (gssize)s->len);
		g_string_insert(line, (gssize)s->start, rep);
		return TRUE;
	}
	return FALSE;
}

static GPtrArray *
split_lines(const uint8_t *data, size_t size)
{
	GPtrArray *lines = g_ptr_array_new();
	size_t pos = 0;

	while (pos < size) {
		const uint8_t *nl = memchr(data + pos, '\n', size - pos);
		size_t end = nl != NULL ? (size_t)(nl - data) : size;

		g_ptr_array_add(lines, g_string_new_len(
		    (const char *)data + pos, (gssize)(end - pos)));
		pos = end + 1;
	}
	return lines;
}

static void
free_lines(GPtrArray *lines)
{
	guint i;

	for (i = 0; i < lines->len; i++)
		g_string_free(lines->pdata[i], TRUE);
	g_ptr_array_free(lines, TRUE);
}

static GString *
join_lines(GPtrArray *lines)
{
	GString *out = g_string_new(NULL);
	guint i;

	for (i = 0; i < lines->len; i++) {
		const GString *l = lines->pdata[i];

		g_string_append_len(out, l->str, (gssize)l->len);
		g_string_append_c(out, '\n');
	}
	return out;
}

/*
 * Whether l is a comment, a blank line or a "profile" line, which the
 * statement operations leave where they are (a profile line must come
 * first and only once; moving it only makes a parse error).
 */
static gboolean
is_comment(const GString *l)
{
	gsize i = 0;

	while (i < l->len && (l->str[i] == ' ' || l->str[i] == '\t'))
		i++;
	return i == l->len || l->str[i] == '#' ||
	    (l->len - i >= 8 && memcmp(l->str + i, "profile ", 8) == 0);
}

static GString *
line_copy(const GString *l)
{
	return g_string_new_len(l->str, (gssize)l->len);
}

/* The index of the first line after a "profile" line (0: none). */
static guint
first_statement(GPtrArray *lines)
{
	guint i;

	for (i = 0; i < lines->len; i++) {
		const GString *l = lines->pdata[i];

		if (l->len >= 8 && memcmp(l->str, "profile ", 8) == 0)
			return i + 1;
	}
	return 0;
}

/*
 * A copy of l; when l defines a name (its first argument is a name whose
 * class is l's first word, "socket a tcp4"), the copy defines a new one
 * ("socket a_ tcp4"), so that it is not a redefinition.
 */
static GString *
renamed_copy(const GString *l, GPtrArray *names)
{
	GString *c = line_copy(l);
	Span sp[2];
	g_autofree char *w0 = NULL, *w1 = NULL;
	guint i;

	if (tokens(l, sp, 2) < 2)
		return c;
	w0 = g_strndup(l->str + sp[0].start, sp[0].len);
	w1 = g_strndup(l->str + sp[1].start, sp[1].len);
	for (i = 0; i < names->len; i++) {
		const Name *nm = names->pdata[i];

		if (strcmp(nm->name, w1) == 0 && strcmp(nm->cls, w0) == 0) {
			g_string_insert_c(c, (gssize)(sp[1].start + sp[1].len),
			    '_');
			break;
		}
	}
	return c;
}

/* One statement-level mutation of lines; FALSE when it did nothing. */
static gboolean
mutate_once(Rng *r, GPtrArray *lines, GPtrArray *names)
{
	guint n = lines->len, floor = first_statement(lines), i, j, o;
	GString *l;
	char *eq;

	if (n == 0 || floor >= n)
		return FALSE;
	/* statements, rather than comments and blank lines; places after
	 * the profile line */
	i = floor + rng_below(r, n - floor);
	j = floor + rng_below(r, n - floor);
	for (o = 0; o < 4 && is_comment(lines->pdata[i]); o++)
		i = floor + rng_below(r, n - floor);
	l = lines->pdata[i];
	switch (rng_below(r, 16)) {
	case 0:
	case 1:		/* delete a statement */
		if (n < 2)
			return FALSE;
		g_string_free(l, TRUE);
		g_ptr_array_remove_index(lines, i);
		return TRUE;
	case 2:
	case 3:		/* duplicate a statement, anywhere after it */
		g_ptr_array_insert(lines, (gint)(i + 1 + rng_below(r, n - i)),
		    renamed_copy(l, names));
		return TRUE;
	case 4:		/* swap two statements */
		if (i == j)
			return FALSE;
		lines->pdata[i] = lines->pdata[j];
		lines->pdata[j] = l;
		return TRUE;
	case 5:		/* move a statement */
		if (i == j)
			return FALSE;
		g_ptr_array_remove_index(lines, i);
		g_ptr_array_insert(lines, (gint)j, l);
		return TRUE;
	case 6:		/* drop an expectation, or expect an errno */
		eq = g_strstr_len(l->str, (gssize)l->len, " = ");
		if (eq != NULL)
			g_string_truncate(l, (gsize)(eq - l->str));
		else if (l->len > 0 && l->str[0] != '#')
			g_string_append_printf(l, " = %s",
			    pick_word(r, K_ERRNO));
		else
			return FALSE;
		return TRUE;
	default:	/* a token replaced by another of its kind */
		for (j = 0; j < 4; j++) {
			if (mutate_token(r, lines->pdata[i], names))
				return TRUE;
			i = rng_below(r, n);
		}
		return FALSE;
	}
}

/* Copy out into data when it fits max_size. */
static size_t
put(GString *out, uint8_t *data, size_t max_size)
{
	size_t len = out->len;

	if (len > max_size || len == 0) {
		g_string_free(out, TRUE);
		return 0;
	}
	memcpy(data, out->str, len);
	g_string_free(out, TRUE);
	return len;
}

/*
 * Mutate data[0..size) in place (at most max_size bytes) with one
 * statement-level mutation (one time in four, two to four); one time in
 * FUZZ_BYTES_ONE_IN, or when no statement mutation applies or the result would not fit, with bytes
 * instead (NULL: leave data as it is).  Returns the new size.
 * Deterministic from seed (and the byte mutator).
 */
size_t
fuzz_mutate(uint8_t *data, size_t size, size_t max_size, unsigned int seed,
    FuzzByteMutator bytes)
{
	Rng r = { seed };
	GPtrArray *lines, *names;
	gboolean changed = FALSE;
	guint ops, o;
	size_t len = 0;

	words_init();
	if (size > 0 && rng_below(&r, FUZZ_BYTES_ONE_IN) != 0) {
		lines = split_lines(data, size);
		names = names_of(lines);
		ops = rng_below(&r, 4) == 0 ? 2 + rng_below(&r, 3) : 1;
		for (o = 0; o < ops; o++)
			changed |= mutate_once(&r, lines, names);
		if (changed)
			len = put(join_lines(lines), data, max_size);
		g_ptr_array_free(names, TRUE);
		free_lines(lines);
		if (len > 0)
			return len;
	}
	return bytes != NULL ? bytes(data, size, max_size) : size;
}

/*
 * Splice one to three consecutive statements of data2 into data1, at a
 * random place, inserted or replacing one; the result in out (at most
 * max_out_size bytes).  Returns its size, 0 when there is nothing to
 * splice or it would not fit.  Deterministic from seed.
 */
size_t
fuzz_cross_over(const uint8_t *data1, size_t size1, const uint8_t *data2,
    size_t size2, uint8_t *out, size_t max_out_size, unsigned int seed)
{
	Rng r = { seed };
	GPtrArray *l1, *l2;
	guint k, from, at, i;
	size_t len = 0;

	words_init();
	l1 = split_lines(data1, size1);
	l2 = split_lines(data2, size2);
	if (l2->len > 0) {
		k = 1 + rng_below(&r, 3);
		from = rng_below(&r, l2->len);
		at = rng_below(&r, l1->len + 1);
		if (at < l1->len && rng_below(&r, 4) == 0) {
			g_string_free(l1->pdata[at], TRUE);
			g_ptr_array_remove_index(l1, at);
		}
		for (i = 0; i < k && from + i < l2->len; i++)
			g_ptr_array_insert(l1, (gint)(at + i),
			    line_copy(l2->pdata[from + i]));
		len = put(join_lines(l1), out, max_out_size);
	}
	free_lines(l1);
	free_lines(l2);
	return len;
}
