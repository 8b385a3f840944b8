/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * parse.c - the scenario parser: source files to a SimScenario of generic
 * statements (scenario.h).
 *
 * The parser splits a buffer into lines, has lex.c tokenize each line and
 * handles the directives itself:
 *
 *	profile NAME...	once, in the top file, before any other line:
 *			the profiles the scenario runs under
 *	include "PATH"	inline PATH, relative to the including file's
 *			directory, read through a SimIncludeFunc
 *	thread NAME	statements up to "end" carry the thread name;
 *	end		blocks neither nest nor span files
 *	repeat ... {	a loop, up to a line "}" (expand.h): repeat N {,
 *			repeat N as i {, repeat i in A..B [step S] {;
 *			loops nest, not across files or thread blocks
 *	include "PATH" KEY=VALUE...	inline PATH with parameters: $KEY
 *			stands for VALUE in it
 *
 * Every other non-blank line becomes a SimStmt.  The comment lines of the
 * top file before its first statement or directive other than profile
 * form the header: the first is the title, "# Rules: ID..." lines give
 * rule ids and "# Kernel: ..." lines kernel notes.  A "#
 * SPDX-License-Identifier: ..." line is skipped there.
 *
 * Errors do not stop the parse: each bad line is reported (one error per
 * line) and skipped, up to SIM_MAX_ERRORS.  A broken limit other than the
 * line length, file size and include depth stops it at once.  The only
 * recursion is through include, at most SIM_MAX_INCLUDE_DEPTH deep.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "lang/expand.h"
#include "lang/name.h"
#include "lang/scenario.h"
#include "lang/suggest.h"

/* An open repeat or include with parameters. */
typedef struct {
	SimStmt		*node;		/* its scope node */
	const void	*frame;		/* the file it was opened in */
	GPtrArray	*outer;		/* the body it sits in */
} Open;

/* One file being parsed; frames link the include chain. */
typedef struct Frame Frame;
struct Frame {
	const char	*file;	/* display name, owned by sc */
	const char	*key;	/* cleaned path, for cycle detection */
	const Frame	*parent;
	guint		 depth;	/* 0 for the top file */
};

typedef struct {
	SimScenario	*sc;
	SimIncludeFunc	 inc;
	gpointer	 inc_data;
	GPtrArray	*errors;	/* char *: "file:line:col: message" */
	int		 code;		/* of the first error */
	gboolean	 stop;		/* stop reading: a fatal limit */
	GHashTable	*files;		/* set of sc->files */
	GHashTable	*threads;	/* set of sc->threads */
	GHashTable	*rules;		/* set of sc->rules */
	GHashTable	*profiles;	/* set of sc->profiles */
	GString		*kernel;	/* "# Kernel:" notes, or NULL */
	gboolean	 in_header;	/* no other line than comments yet */
	guint		 n_header;	/* header comment lines seen */
	gboolean	 started;	/* a statement or directive was seen */
	gboolean	 have_profile;
	guint		 n_includes;
	gsize		 total_input;
	/* the open thread block, if thread != NULL */
	const char	*thread;
	const Frame	*thread_frame;
	guint		 thread_line;
	guint		 thread_col;
	guint		 thread_scopes;	/* scopes open when it began */
	/* loops and parameters */
	GPtrArray	*body;		/* where statements go */
	GArray		*open;		/* Open: the scopes, innermost last */
	GHashTable	*closed;	/* counter -> "file:line:col" */
	GArray		*refs;		/* SimRef, scratch */
	guint		 n_stmts;	/* templates and scopes */
	gboolean	 has_scopes;
} Parser;

static void parse_file(Parser *, const Frame *, const char *, const char *,
    const char *, gsize);

/* ----------------------------------------------------------------------
 * freeing
 */

G_DEFINE_AUTOPTR_CLEANUP_FUNC(SimOverride, sim_override_free)

static void
stmt_free(SimStmt *st)
{
	sim_stmt_free(st);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC(SimStmt, stmt_free)

/* Free sc and everything it owns.  NULL is accepted. */
void
sim_scenario_free(SimScenario *sc)
{
	if (sc == NULL)
		return;
	g_free(sc->path);
	g_free(sc->title);
	g_ptr_array_unref(sc->rules);
	g_free(sc->kernel);
	g_ptr_array_unref(sc->profiles);
	g_clear_pointer(&sc->stmts, g_ptr_array_unref);
	g_ptr_array_unref(sc->body);
	g_clear_pointer(&sc->instances, g_ptr_array_unref);
	g_ptr_array_unref(sc->threads);
	g_ptr_array_unref(sc->files);
	g_free(sc);
}

static SimScenario *
scenario_new(const char *path)
{
	SimScenario *sc = g_new0(SimScenario, 1);

	sc->path = g_strdup(path);
	sc->rules = g_ptr_array_new_with_free_func(g_free);
	sc->profiles = g_ptr_array_new_with_free_func(g_free);
	sc->body = g_ptr_array_new_with_free_func((GDestroyNotify)stmt_free);
	sc->threads = g_ptr_array_new_with_free_func(g_free);
	sc->files = g_ptr_array_new_with_free_func(g_free);
	return sc;
}

/* Is sc too large to hold expanded (its stmts empty, walked one
 * statement at a time with a SimExpand)? */
gboolean
sim_scenario_big(const SimScenario *sc)
{
	return sc->expanded > sc->stmts->len;
}

/*
 * Does profile row cover what name says?  A row BASE+A+B... (a build
 * that combines the variants A, B, ...) covers BASE, and every BASE+X...
 * whose variants it has all; any name covers itself.
 */
gboolean
sim_profile_covers(const char *row, const char *name)
{
	g_auto(GStrv) r = NULL;
	g_auto(GStrv) n = NULL;

	g_return_val_if_fail(row != NULL && name != NULL, FALSE);
	if (strcmp(row, name) == 0)
		return TRUE;
	r = g_strsplit(row, "+", -1);
	n = g_strsplit(name, "+", -1);
	if (strcmp(r[0], n[0]) != 0)
		return FALSE;
	for (guint i = 1; n[i] != NULL; i++)
		if (!g_strv_contains((const char *const *)r + 1, n[i]))
			return FALSE;
	return TRUE;
}

/*
 * Return the expectation of st under profile: the override for profile if
 * st has one, else (for a build variant BASE+WHAT...) the first override
 * for a variant row it covers (BASE+WHAT, sim_profile_covers()), else the
 * one for BASE, else the default expectation, else NULL.  profile may be
 * NULL for the default.
 */
const GPtrArray *
sim_stmt_expect_for(const SimStmt *st, const char *profile)
{
	const char *plus = profile != NULL ? strchr(profile, '+') : NULL;
	const GPtrArray *base = NULL, *variant = NULL;
	guint i;

	g_return_val_if_fail(st != NULL, NULL);
	for (i = 0; profile != NULL && i < st->overrides->len; i++) {
		const SimOverride *ov = st->overrides->pdata[i];

		if (strcmp(ov->profile, profile) == 0)
			return ov->tokens;
		if (plus == NULL || !sim_profile_covers(profile, ov->profile))
			continue;
		if (strchr(ov->profile, '+') == NULL)
			base = ov->tokens;
		else if (variant == NULL)
			variant = ov->tokens;
	}
	return variant != NULL ? variant : base != NULL ? base : st->expect;
}

/* ----------------------------------------------------------------------
 * errors
 */

/*
 * Record msg (owned, "file:line:col: ...", the position being
 * file:line:col) unless the parse was stopped.  The error after the
 * SIM_MAX_ERRORS-th becomes "too many errors" and stops the parse.
 */
static void
add_message(Parser *p, int code, char *msg, const char *file, guint line,
    guint col)
{
	if (p->stop) {
		g_free(msg);
		return;
	}
	if (p->errors->len == 0)
		p->code = code;
	if (p->errors->len >= SIM_MAX_ERRORS) {
		g_free(msg);
		msg = g_strdup_printf("%s:%u:%u: too many errors", file, line,
		    col);
		p->stop = TRUE;
	}
	g_ptr_array_add(p->errors, msg);
}

static void G_GNUC_PRINTF(6, 7)
add_error(Parser *p, int code, const char *file, guint line, guint col,
    const char *fmt, ...)
{
	char *text;
	va_list ap;

	va_start(ap, fmt);
	text = sim_place_vtext(file, line, col, fmt, ap);
	va_end(ap);
	add_message(p, code, text, file, line, col);
}

/* The i-th token of toks. */
static inline const SimToken *
tok_at(const GPtrArray *toks, guint i)
{
	g_assert(i < toks->len);
	return toks->pdata[i];
}

#define tok_error(p, tok, ...) \
	add_error((p), SIM_PARSE_ERROR_SYNTAX, (tok)->file, (tok)->line, \
	    (tok)->col, __VA_ARGS__)

/* Record a lexer error for line of file, formatted by lex.c. */
static void
add_lex_error(Parser *p, const char *file, guint line, GError *err)
{
	g_autofree char *prefix = g_strdup_printf("%s:%u:", file, line);
	guint col = 1;

	/* the message starts with prefix and the column */
	if (g_str_has_prefix(err->message, prefix))
		col = (guint)strtoul(err->message + strlen(prefix), NULL, 10);
	add_message(p, err->code, g_strdup(err->message), file, line, col);
}

/* ----------------------------------------------------------------------
 * helpers
 */

static gboolean
is_directive(const char *w)
{
	return strcmp(w, "profile") == 0 || strcmp(w, "include") == 0 ||
	    strcmp(w, "thread") == 0 || strcmp(w, "end") == 0 ||
	    strcmp(w, "repeat") == 0 || strcmp(w, "}") == 0;
}

/* Return the copy of s kept in array, adding it (and to set) if new. */
static const char *
intern(GHashTable *set, GPtrArray *array, const char *s)
{
	char *copy = g_hash_table_lookup(set, s);

	if (copy == NULL) {
		copy = g_strdup(s);
		g_ptr_array_add(array, copy);
		g_hash_table_add(set, copy);
	}
	return copy;
}

/*
 * Return path with empty and "." components removed and ".." applied
 * lexically ("a/../b" is "b"; symbolic links are not looked at).
 */
static char *
path_clean(const char *path)
{
	g_auto(GStrv) parts = g_strsplit(path, "/", -1);
	g_autoptr(GPtrArray) out = g_ptr_array_new();
	gboolean abs = path[0] == '/';
	g_autofree char *joined = NULL;
	guint i;

	for (i = 0; parts[i] != NULL; i++) {
		const char *c = parts[i];

		if (*c == '\0' || strcmp(c, ".") == 0)
			continue;
		if (strcmp(c, "..") == 0 && out->len > 0 &&
		    strcmp(out->pdata[out->len - 1], "..") != 0) {
			g_ptr_array_set_size(out, out->len - 1);
			continue;
		}
		if (strcmp(c, "..") == 0 && abs)
			continue;	/* "/.." is "/" */
		g_ptr_array_add(out, (char *)c);
	}
	g_ptr_array_add(out, NULL);
	joined = g_strjoinv("/", (char **)out->pdata);
	if (abs)
		return g_strconcat("/", joined, NULL);
	return *joined == '\0' ? g_strdup(".") : g_steal_pointer(&joined);
}

/* ----------------------------------------------------------------------
 * header comments
 */

static void
header_comment(Parser *p, const char *comment, gboolean first)
{
	g_autofree char *text = g_strstrip(g_strdup(comment));
	g_auto(GStrv) ids = NULL;
	guint i;

	if (g_str_has_prefix(text, "Rules:")) {
		ids = g_strsplit_set(text + strlen("Rules:"), " \t", -1);
		for (i = 0; ids[i] != NULL; i++)
			if (*ids[i] != '\0')
				intern(p->rules, p->sc->rules, ids[i]);
	} else if (g_str_has_prefix(text, "Kernel:")) {
		if (p->kernel == NULL)
			p->kernel = g_string_new(NULL);
		else
			g_string_append_c(p->kernel, '\n');
		g_string_append(p->kernel,
		    g_strchug(text + strlen("Kernel:")));
	} else if (first && *text != '\0') {
		p->sc->title = g_steal_pointer(&text);
	}
}

/* ----------------------------------------------------------------------
 * directives
 */

static void
parse_profile(Parser *p, const Frame *fr, GPtrArray *toks)
{
	const SimToken *kw = toks->pdata[0];
	g_autoptr(GHashTable) seen = NULL;
	guint i;

	if (fr->depth > 0) {
		tok_error(p, kw, "profile line in an included file");
		return;
	}
	if (p->have_profile) {
		tok_error(p, kw, "duplicate profile line");
		return;
	}
	if (p->started) {
		tok_error(p, kw, "profile line after the first statement");
		return;
	}
	if (toks->len < 2) {
		tok_error(p, kw, "profile line without names");
		return;
	}
	seen = g_hash_table_new(g_str_hash, g_str_equal);
	for (i = 1; i < toks->len; i++) {
		const SimToken *t = toks->pdata[i];

		if ((t->kind != SIM_TOK_WORD && t->kind != SIM_TOK_INT) ||
		    !sim_name_valid_str(SIM_NAME_PROFILE, t->text)) {
			g_autofree char *d = sim_token_describe(t);

			tok_error(p, t, "invalid profile name: %s", d);
			return;
		}
		if (!g_hash_table_add(seen, t->text)) {
			tok_error(p, t, "duplicate profile '%s'", t->text);
			return;
		}
	}
	for (i = 1; i < toks->len; i++) {
		const SimToken *t = toks->pdata[i];

		intern(p->profiles, p->sc->profiles, t->text);
	}
	p->have_profile = TRUE;
}

static void
parse_thread(Parser *p, const Frame *fr, GPtrArray *toks)
{
	const SimToken *kw = toks->pdata[0];
	const char *name = toks->len == 2 ? sim_token_word(tok_at(toks, 1)) :
	    NULL;

	if (name == NULL || !sim_name_valid_str(SIM_NAME_OBJECT, name)) {
		tok_error(p, kw, "thread needs one name");
		return;
	}
	if (p->thread != NULL) {
		tok_error(p, kw, "nested thread block (thread '%s' opened at "
		    "%s:%u:%u)", p->thread, p->thread_frame->file,
		    p->thread_line, p->thread_col);
		return;
	}
	if (p->open->len > 0) {
		const SimStmt *o = g_array_index(p->open, Open,
		    p->open->len - 1).node;

		tok_error(p, kw, "thread block inside %s (opened at %s:%u:%u)",
		    o->verb, o->file, o->line, o->col);
		return;
	}
	p->thread = intern(p->threads, p->sc->threads, name);
	p->thread_scopes = p->open->len;
	p->thread_frame = fr;
	p->thread_line = kw->line;
	p->thread_col = kw->col;
}

static void
parse_end(Parser *p, const Frame *fr, GPtrArray *toks)
{
	const SimToken *kw = toks->pdata[0];

	if (toks->len != 1) {
		tok_error(p, tok_at(toks, 1), "end takes no arguments");
		return;
	}
	if (p->thread == NULL) {
		tok_error(p, kw, "end without thread");
		return;
	}
	if (p->thread_frame != fr) {
		tok_error(p, kw, "end without thread in this file (thread "
		    "'%s' opened at %s:%u:%u)", p->thread,
		    p->thread_frame->file, p->thread_line, p->thread_col);
		return;
	}
	if (p->open->len > p->thread_scopes) {
		const SimStmt *o = g_array_index(p->open, Open,
		    p->open->len - 1).node;

		tok_error(p, kw, "end of thread '%s' inside %s (opened at "
		    "%s:%u:%u)", p->thread, o->verb, o->file, o->line, o->col);
		return;
	}
	p->thread = NULL;
	p->thread_frame = NULL;
}

/* Return "top -> ... -> fr -> path", the include chain of a cycle. */
static char *
include_chain(const Frame *fr, const char *path)
{
	g_autoptr(GPtrArray) names = g_ptr_array_new();
	GString *s = g_string_new(NULL);
	guint i;

	for (; fr != NULL; fr = fr->parent)
		g_ptr_array_add(names, (char *)fr->file);
	for (i = names->len; i > 0; i--)
		g_string_append_printf(s, "%s -> ",
		    (const char *)names->pdata[i - 1]);
	g_string_append(s, path);
	return g_string_free(s, FALSE);
}

/*
 * Read the file named by the include at kw and parse it in place.  Errors
 * are reported at kw.
 */
static void
do_include(Parser *p, const Frame *fr, const SimToken *kw, const char *arg)
{
	g_autofree char *dir = NULL, *joined = NULL, *path = NULL;
	g_autofree char *contents = NULL;
	g_autoptr(GError) err = NULL;
	const Frame *f;
	gsize len = 0;

	if (g_path_is_absolute(arg)) {
		path = path_clean(arg);
	} else {
		dir = g_path_get_dirname(fr->file);
		joined = g_build_filename(dir, arg, NULL);
		path = path_clean(joined);
	}
	for (f = fr; f != NULL; f = f->parent) {
		if (strcmp(f->key, path) == 0) {
			g_autofree char *chain = include_chain(fr, path);

			tok_error(p, kw, "include cycle: %s", chain);
			return;
		}
	}
	if (fr->depth >= SIM_MAX_INCLUDE_DEPTH) {
		add_error(p, SIM_PARSE_ERROR_LIMIT, kw->file, kw->line,
		    kw->col, "include depth limit (%u) exceeded",
		    SIM_MAX_INCLUDE_DEPTH);
		return;
	}
	if (p->n_includes >= SIM_MAX_INCLUDES) {
		add_error(p, SIM_PARSE_ERROR_LIMIT, kw->file, kw->line,
		    kw->col, "too many includes (max %u)", SIM_MAX_INCLUDES);
		p->stop = TRUE;
		return;
	}
	p->n_includes++;
	if (p->inc == NULL) {
		add_error(p, SIM_PARSE_ERROR_IO, kw->file, kw->line, kw->col,
		    "cannot include '%s': includes are disabled", path);
		return;
	}
	if (!p->inc(path, &contents, &len, p->inc_data, &err)) {
		add_error(p, SIM_PARSE_ERROR_IO, kw->file, kw->line, kw->col,
		    "cannot include '%s': %s", path,
		    err != NULL ? err->message : "unknown error");
		return;
	}
	if (contents == NULL)
		len = 0;
	if (len > SIM_MAX_FILE_SIZE) {
		add_error(p, SIM_PARSE_ERROR_LIMIT, kw->file, kw->line,
		    kw->col, "cannot include '%s': file too large (more "
		    "than %u bytes)", path, SIM_MAX_FILE_SIZE);
		return;
	}
	if (len > SIM_MAX_TOTAL_INPUT - p->total_input) {
		add_error(p, SIM_PARSE_ERROR_LIMIT, kw->file, kw->line,
		    kw->col, "too much input (more than %u bytes in all "
		    "files)", SIM_MAX_TOTAL_INPUT);
		p->stop = TRUE;
		return;
	}
	p->total_input += len;
	parse_file(p, fr, intern(p->files, p->sc->files, path), path,
	    contents, len);
}

/* ----------------------------------------------------------------------
 * loops and parameters
 */

static const SimScope *
open_scope(const Parser *p, guint i)
{
	return g_array_index(p->open, Open, i).node->scope;
}

/* Is name a counter or parameter of an open scope? */
static gboolean
bound_here(const Parser *p, const char *name)
{
	for (guint i = 0; i < p->open->len; i++) {
		const SimScope *s = open_scope(p, i);

		if (s->counter != NULL && strcmp(s->counter, name) == 0)
			return TRUE;
		for (guint j = 0; s->params != NULL && j < s->params->len;
		    j++)
			if (strcmp(((const SimParam *)
			    s->params->pdata[j])->name, name) == 0)
				return TRUE;
	}
	return FALSE;
}

/*
 * Check the references in text (of tok): each must name a counter or
 * parameter in scope, except a whole `$name`, a scenario variable, which
 * must not be the counter of a loop closed before.  Return TRUE when
 * text refers to something in scope; report a bad reference (once).
 */
static gboolean
check_refs(Parser *p, const SimToken *tok, const char *text, gboolean *bad)
{
	g_autofree char *why = NULL;
	gboolean templ = FALSE;

	if (*bad || strchr(text, '$') == NULL)
		return FALSE;
	sim_refs_clear(p->refs);
	if (!sim_expand_refs(text, p->refs, &why)) {
		tok_error(p, tok, "%s", why);
		*bad = TRUE;
		return FALSE;
	}
	for (guint i = 0; i < p->refs->len; i++) {
		const SimRef *r = &g_array_index(p->refs, SimRef, i);
		const char *where = g_hash_table_lookup(p->closed, r->name);

		if (bound_here(p, r->name)) {
			templ = TRUE;
			continue;
		}
		if (where != NULL) {
			tok_error(p, tok, "'%s' used outside its %s", r->name,
			    where);
			*bad = TRUE;
			return FALSE;
		}
		if (!r->whole) {
			tok_error(p, tok, "'%s' names no counter or parameter "
			    "here", r->name);
			*bad = TRUE;
			return FALSE;
		}
	}
	return templ;
}

static gboolean
check_tokens(Parser *p, const GPtrArray *toks, gboolean *bad)
{
	gboolean templ = FALSE;

	for (guint i = 0; toks != NULL && i < toks->len; i++) {
		const SimToken *t = toks->pdata[i];

		templ |= check_refs(p, t, t->text, bad);
	}
	return templ;
}

/* A new scope node at kw, appended where statements go now, and entered:
 * statements go into its body until it closes. */
static SimScope *
scope_open(Parser *p, const Frame *fr, const SimToken *kw, SimScopeKind kind)
{
	SimStmt *node = g_new0(SimStmt, 1);
	SimScope *s = g_new0(SimScope, 1);
	Open o;

	s->kind = kind;
	s->body = g_ptr_array_new_with_free_func((GDestroyNotify)stmt_free);
	node->file = fr->file;
	node->line = kw->line;
	node->col = kw->col;
	node->verb_col = kw->col;
	node->verb = g_strdup(kind == SIM_SCOPE_REPEAT ? "repeat" :
	    "include");
	node->args = g_ptr_array_new_with_free_func(
	    (GDestroyNotify)sim_token_free);
	node->overrides = g_ptr_array_new_with_free_func(
	    (GDestroyNotify)sim_override_free);
	node->thread = p->thread;
	node->scope = s;
	g_ptr_array_add(p->body, node);
	p->n_stmts++;
	p->has_scopes = TRUE;
	o.node = node;
	o.frame = fr;
	o.outer = p->body;
	g_array_append_val(p->open, o);
	p->body = s->body;
	return s;
}

/* Leave the innermost scope; its counter or parameters are out of scope
 * from here on. */
static void
scope_close(Parser *p)
{
	Open o = g_array_index(p->open, Open, p->open->len - 1);
	const SimScope *s = o.node->scope;
	g_autofree char *where = g_strdup_printf("%s (%s:%u:%u)",
	    s->kind == SIM_SCOPE_REPEAT ? "loop" : "include",
	    o.node->file, o.node->line, o.node->col);

	if (s->counter != NULL)
		g_hash_table_replace(p->closed, g_strdup(s->counter),
		    g_strdup(where));
	for (guint j = 0; s->params != NULL && j < s->params->len; j++)
		g_hash_table_replace(p->closed, g_strdup(((const SimParam *)
		    s->params->pdata[j])->name), g_strdup(where));
	p->body = o.outer;
	g_array_set_size(p->open, p->open->len - 1);
}

static gboolean
scope_room(Parser *p, const SimToken *kw)
{
	if (p->open->len >= SIM_MAX_SCOPE_DEPTH) {
		add_error(p, SIM_PARSE_ERROR_LIMIT, kw->file, kw->line,
		    kw->col, "repeat and include nested deeper than %u",
		    SIM_MAX_SCOPE_DEPTH);
		return FALSE;
	}
	if (p->n_stmts >= SIM_MAX_STMTS) {
		add_error(p, SIM_PARSE_ERROR_LIMIT, kw->file, kw->line,
		    kw->col, "too many statements (max %u)", SIM_MAX_STMTS);
		p->stop = TRUE;
		return FALSE;
	}
	return TRUE;
}

static gboolean
is_word(const SimToken *t, const char *w)
{
	return t->kind == SIM_TOK_WORD && strcmp(t->text, w) == 0;
}

/* A count, range end or step: a number, or a template of one. */
static gboolean
number_shaped(const SimToken *t)
{
	return (t->kind == SIM_TOK_INT && !t->neg) || (t->kind ==
	    SIM_TOK_WORD && t->text[0] == '$') || t->kind == SIM_TOK_VAR;
}

/*
 *	repeat N {
 *	repeat N as NAME {
 *	repeat NAME in FROM..TO [step S] {
 */
static void
parse_repeat(Parser *p, const Frame *fr, GPtrArray *toks)
{
	const SimToken *kw = toks->pdata[0];
	const SimToken *count = NULL, *range = NULL, *step = NULL, *name = NULL;
	guint n = toks->len;
	gboolean bad = FALSE;
	SimScope *s;

	if (n < 3 || !is_word(tok_at(toks, n - 1), "{")) {
		tok_error(p, kw, "repeat needs '{' at the end of its line");
		return;
	}
	if (n == 3) {
		count = toks->pdata[1];
	} else if (n == 5 && is_word(tok_at(toks, 2), "as")) {
		count = toks->pdata[1];
		name = toks->pdata[3];
	} else if ((n == 5 || (n == 7 && is_word(tok_at(toks, 4), "step"))) &&
	    is_word(tok_at(toks, 2), "in")) {
		name = toks->pdata[1];
		range = toks->pdata[3];
		step = n == 7 ? toks->pdata[5] : NULL;
	} else {
		tok_error(p, kw, "expected 'repeat N {', 'repeat N as NAME {' "
		    "or 'repeat NAME in FROM..TO [step S] {'");
		return;
	}
	if (count != NULL && !number_shaped(count)) {
		g_autofree char *d = sim_token_describe(count);

		tok_error(p, count, "repeat count: expected a number, got %s",
		    d);
		return;
	}
	if (step != NULL && !number_shaped(step)) {
		g_autofree char *d = sim_token_describe(step);

		tok_error(p, step, "step: expected a number, got %s", d);
		return;
	}
	if (range != NULL && range->kind != SIM_TOK_WORD) {
		g_autofree char *d = sim_token_describe(range);

		tok_error(p, range, "expected a range FROM..TO, got %s", d);
		return;
	}
	if (name != NULL && (name->kind != SIM_TOK_WORD ||
	    !sim_name_valid_str(SIM_NAME_VAR, name->text))) {
		tok_error(p, name, "a counter is named [A-Za-z_][A-Za-z0-9_]*");
		return;
	}
	if (name != NULL && bound_here(p, name->text)) {
		tok_error(p, name, "counter '%s' hides another of the same "
		    "name", name->text);
		return;
	}
	check_refs(p, count != NULL ? count : range, count != NULL ?
	    count->text : range->text, &bad);
	if (step != NULL)
		check_refs(p, step, step->text, &bad);
	if (bad || !scope_room(p, kw))
		return;
	s = scope_open(p, fr, kw, SIM_SCOPE_REPEAT);
	s->counter = name != NULL ? g_strdup(name->text) : NULL;
	s->count = sim_token_dup(count);
	s->range = sim_token_dup(range);
	s->step = sim_token_dup(step);
	if (count != NULL && count->kind == SIM_TOK_INT &&
	    count->mag > SIM_MAX_REPEAT)
		add_error(p, SIM_PARSE_ERROR_LIMIT, count->file, count->line,
		    count->col, "repeat count %" G_GUINT64_FORMAT " is more "
		    "than %u", count->mag, SIM_MAX_REPEAT);
}

/* "}": the end of the innermost repeat, in the file that opened it. */
static void
parse_close(Parser *p, const Frame *fr, GPtrArray *toks)
{
	const SimToken *kw = toks->pdata[0];

	if (toks->len != 1) {
		tok_error(p, tok_at(toks, 1), "'}' stands alone on its line");
		return;
	}
	if (p->open->len == 0 || g_array_index(p->open, Open,
	    p->open->len - 1).frame != fr ||
	    open_scope(p, p->open->len - 1)->kind != SIM_SCOPE_REPEAT) {
		tok_error(p, kw, "'}' without repeat%s", p->open->len > 0 ?
		    " in this file" : "");
		return;
	}
	if (p->thread != NULL && p->open->len <= p->thread_scopes) {
		tok_error(p, kw, "'}' inside thread '%s', of a repeat opened "
		    "before it", p->thread);
		return;
	}
	scope_close(p);
}

/* KEY=VALUE parameters of an include, from toks[2]; NULL after an error. */
static GPtrArray *
include_params(Parser *p, GPtrArray *toks)
{
	g_autoptr(GPtrArray) params = g_ptr_array_new();
	gboolean bad = FALSE;

	for (guint i = 2; i < toks->len; i++) {
		const SimToken *t = toks->pdata[i];
		SimParam *prm;

		if (t->kind != SIM_TOK_KV || !sim_name_valid_str(SIM_NAME_VAR,
		    t->name)) {
			g_autofree char *d = sim_token_describe(t);

			tok_error(p, t, "include parameters are NAME=VALUE "
			    "(NAME [A-Za-z_][A-Za-z0-9_]*), got %s", d);
			goto fail;
		}
		for (guint j = 0; j < params->len; j++)
			if (strcmp(((SimParam *)params->pdata[j])->name,
			    t->name) == 0) {
				tok_error(p, t, "duplicate parameter '%s'",
				    t->name);
				goto fail;
			}
		check_refs(p, t->value, t->value->text, &bad);
		if (bad)
			goto fail;
		prm = g_new0(SimParam, 1);
		prm->name = g_strdup(t->name);
		prm->value = sim_token_dup(t->value);
		g_ptr_array_add(params, prm);
	}
	return g_steal_pointer(&params);

fail:
	for (guint j = 0; j < params->len; j++) {
		SimParam *prm = params->pdata[j];

		g_free(prm->name);
		sim_token_free(prm->value);
		g_free(prm);
	}
	return NULL;
}

static void
parse_include(Parser *p, const Frame *fr, GPtrArray *toks)
{
	const SimToken *kw = toks->pdata[0], *arg;
	GPtrArray *params = NULL;
	SimScope *s;

	if (toks->len < 2 || tok_at(toks, 1)->kind != SIM_TOK_STRING) {
		tok_error(p, kw, "include needs one string argument");
		return;
	}
	arg = toks->pdata[1];
	if (arg->len == 0) {
		tok_error(p, arg, "empty include path");
		return;
	}
	if (memchr(arg->bytes, '\0', arg->len) != NULL) {
		tok_error(p, arg, "include path contains a NUL byte");
		return;
	}
	if (toks->len == 2) {
		do_include(p, fr, kw, arg->bytes);
		return;
	}
	params = include_params(p, toks);
	if (params == NULL || !scope_room(p, kw)) {
		if (params != NULL)
			g_ptr_array_unref(params);
		return;
	}
	s = scope_open(p, fr, kw, SIM_SCOPE_INCLUDE);
	s->path = sim_token_dup(arg);
	s->params = params;
	do_include(p, fr, kw, arg->bytes);
	/* the included file closed what it opened (parse_file) */
	scope_close(p);
}

/* ----------------------------------------------------------------------
 * statements
 */

/* Move toks[*i] onward into a new array, up to an EQ or AT token. */
static GPtrArray *
take_until_eq_at(GPtrArray *toks, guint *i)
{
	GPtrArray *out = g_ptr_array_new_with_free_func(
	    (GDestroyNotify)sim_token_free);

	for (; *i < toks->len; (*i)++) {
		SimToken *t = toks->pdata[*i];

		if (t->kind == SIM_TOK_EQ || t->kind == SIM_TOK_AT)
			break;
		g_ptr_array_add(out, g_steal_pointer(&toks->pdata[*i]));
	}
	return out;
}

/* Is the override at of st valid: a known profile, not seen before? */
static gboolean
check_override(Parser *p, const SimStmt *st, const SimToken *at)
{
	const char *hint;
	guint i;

	for (i = 0; i < st->overrides->len; i++) {
		const SimOverride *ov = st->overrides->pdata[i];

		if (strcmp(ov->profile, at->name) == 0) {
			tok_error(p, at, "duplicate override for profile '%s'",
			    at->name);
			return FALSE;
		}
	}
	if (!p->have_profile || g_hash_table_contains(p->profiles, at->name))
		return TRUE;
	hint = sim_suggest(at->name,
	    (const char *const *)p->sc->profiles->pdata,
	    p->sc->profiles->len);
	if (hint != NULL) {
		tok_error(p, at, "unknown profile '%s', did you mean '%s'?",
		    at->name, hint);
	} else {
		g_autofree char *all = NULL;

		g_ptr_array_add(p->sc->profiles, NULL);
		all = g_strjoinv(" ", (char **)p->sc->profiles->pdata);
		g_ptr_array_set_size(p->sc->profiles,
		    p->sc->profiles->len - 1);
		tok_error(p, at, "unknown profile '%s' (profiles: %s)",
		    at->name, all);
	}
	return FALSE;
}

/*
 * Parse the expectation and overrides of st from toks[i], an EQ or AT
 * token, to the end.  Return FALSE after reporting the first problem.
 */
static gboolean
parse_expect(Parser *p, SimStmt *st, GPtrArray *toks, guint i)
{
	const SimToken *t = toks->pdata[i];

	if (t->kind == SIM_TOK_EQ) {
		i++;
		st->expect = take_until_eq_at(toks, &i);
		if (st->expect->len == 0) {
			tok_error(p, t, "empty expectation after '='");
			return FALSE;
		}
		if (i < toks->len && tok_at(toks, i)->kind == SIM_TOK_EQ) {
			tok_error(p, tok_at(toks, i), "unexpected '='");
			return FALSE;
		}
	}
	/* here: @PROFILE [=] TOKENS... */
	while (i < toks->len) {
		g_autoptr(SimOverride) ov = NULL;
		const SimToken *at = toks->pdata[i++];

		g_assert(at->kind == SIM_TOK_AT);
		if (!check_override(p, st, at))
			return FALSE;
		if (i < toks->len && tok_at(toks, i)->kind == SIM_TOK_EQ)
			i++;
		ov = g_new0(SimOverride, 1);
		ov->profile = g_strdup(at->name);
		ov->file = at->file;
		ov->line = at->line;
		ov->col = at->col;
		ov->tokens = take_until_eq_at(toks, &i);
		if (ov->tokens->len == 0) {
			tok_error(p, at, "empty expectation for '@%s'",
			    at->name);
			return FALSE;
		}
		if (i < toks->len && tok_at(toks, i)->kind == SIM_TOK_EQ) {
			tok_error(p, tok_at(toks, i), "unexpected '='");
			return FALSE;
		}
		g_ptr_array_add(st->overrides, g_steal_pointer(&ov));
	}
	return TRUE;
}

static void
parse_stmt(Parser *p, const Frame *fr, GPtrArray *toks)
{
	g_autoptr(SimStmt) st = NULL;
	const SimToken *first = toks->pdata[0], *verb;
	const char *w = sim_token_word(first);
	gsize n = w != NULL ? strlen(w) : 0;
	guint i = 0;

	st = g_new0(SimStmt, 1);
	st->file = fr->file;
	st->line = first->line;
	st->col = first->col;
	st->thread = p->thread;
	if (n >= 2 && w[n - 1] == ':' &&
	    (sim_name_valid(SIM_NAME_OBJECT, w, n - 1) ||
	    memchr(w, '$', n - 1) != NULL)) {
		st->label = g_strndup(w, n - 1);
		if (toks->len == 1) {
			tok_error(p, first, "label '%s' without a statement",
			    st->label);
			return;
		}
		i = 1;
	}
	verb = toks->pdata[i];
	w = sim_token_word(verb);
	if (w == NULL || !sim_name_valid_str(SIM_NAME_OBJECT, w)) {
		g_autofree char *d = sim_token_describe(verb);

		tok_error(p, verb, "expected a verb, got %s", d);
		return;
	}
	if (is_directive(w)) {
		tok_error(p, verb, "'%s' cannot have a label", w);
		return;
	}
	if (p->n_stmts >= SIM_MAX_STMTS) {
		add_error(p, SIM_PARSE_ERROR_LIMIT, verb->file, verb->line,
		    verb->col, "too many statements (max %u)", SIM_MAX_STMTS);
		p->stop = TRUE;
		return;
	}
	st->verb = g_strdup(w);
	st->verb_col = verb->col;
	i++;
	st->args = take_until_eq_at(toks, &i);
	st->overrides = g_ptr_array_new_with_free_func(
	    (GDestroyNotify)sim_override_free);
	if (i < toks->len && !parse_expect(p, st, toks, i))
		return;
	{
		gboolean bad = FALSE;

		st->templ = check_tokens(p, st->args, &bad);
		st->templ |= check_tokens(p, st->expect, &bad);
		for (guint j = 0; j < st->overrides->len; j++)
			st->templ |= check_tokens(p, ((const SimOverride *)
			    st->overrides->pdata[j])->tokens, &bad);
		if (st->label != NULL)
			st->templ |= check_refs(p, first, st->label, &bad);
		if (bad)
			return;
	}
	st->index = p->body->len;
	g_ptr_array_add(p->body, g_steal_pointer(&st));
	p->n_stmts++;
}

/* ----------------------------------------------------------------------
 * lines and files
 */

static void
parse_line(Parser *p, const Frame *fr, guint lineno, const char *text,
    gsize len)
{
	g_autoptr(GError) err = NULL;
	g_autoptr(GPtrArray) toks = NULL;
	g_autofree char *comment = NULL;
	const char *w;

	toks = sim_lex_line(fr->file, lineno, text, len, &comment, &err);
	if (toks == NULL) {
		add_lex_error(p, fr->file, lineno, err);
		p->in_header = FALSE;
		return;
	}
	if (toks->len == 0) {
		/* the SPDX licence line is not part of the header */
		if (comment != NULL && p->in_header && fr->depth == 0 &&
		    !g_str_has_prefix(g_strchug(comment),
		    "SPDX-License-Identifier:")) {
			header_comment(p, comment, p->n_header++ == 0);
		}
		return;
	}
	w = sim_token_word(toks->pdata[0]);
	if (w != NULL && strcmp(w, "profile") == 0) {
		parse_profile(p, fr, toks);
		return;
	}
	if (fr->depth == 0)
		p->in_header = FALSE;
	p->started = TRUE;
	if (w == NULL || !is_directive(w))
		parse_stmt(p, fr, toks);
	else if (strcmp(w, "include") == 0)
		parse_include(p, fr, toks);
	else if (strcmp(w, "thread") == 0)
		parse_thread(p, fr, toks);
	else if (strcmp(w, "repeat") == 0)
		parse_repeat(p, fr, toks);
	else if (strcmp(w, "}") == 0)
		parse_close(p, fr, toks);
	else
		parse_end(p, fr, toks);
}

/*
 * Parse buf, the contents of file (display name; key is the cleaned path
 * used to detect cycles), included from parent or the top file when parent
 * is NULL.
 */
static void
parse_file(Parser *p, const Frame *parent, const char *file, const char *key,
    const char *buf, gsize len)
{
	Frame fr = { file, key, parent, 0 };
	guint lineno = 1;
	gsize off = 0;

	if (parent != NULL)
		fr.depth = parent->depth + 1;
	while (off < len && !p->stop) {
		const char *nl = memchr(buf + off, '\n', len - off);
		gsize end = nl != NULL ? (gsize)(nl - buf) : len;
		gsize llen = end - off;

		if (llen > 0 && buf[end - 1] == '\r')
			llen--;		/* CRLF */
		parse_line(p, &fr, lineno, buf + off, llen);
		off = end + 1;
		lineno++;
	}
	while (p->open->len > 0 && g_array_index(p->open, Open,
	    p->open->len - 1).frame == &fr) {
		const SimStmt *o = g_array_index(p->open, Open,
		    p->open->len - 1).node;

		if (o->scope->kind == SIM_SCOPE_REPEAT)
			add_error(p, SIM_PARSE_ERROR_SYNTAX, file, o->line,
			    o->col, "unterminated repeat (no '}')");
		scope_close(p);
	}
	if (p->thread != NULL && p->thread_frame == &fr) {
		add_error(p, SIM_PARSE_ERROR_SYNTAX, file, p->thread_line,
		    p->thread_col, "unterminated thread block '%s'",
		    p->thread);
		p->thread = NULL;
		p->thread_frame = NULL;
	}
}

/*
 * The statements of the tree, every loop and include with parameters
 * expanded (sc->stmts), when they are at most SIM_MAX_STMTS; else their
 * count only (sc->expanded), for a run that expands them one at a time.
 * An expansion that fails (a count that is not a number, a division by
 * zero) or that passes SIM_MAX_EXPANDED is a parse error.
 */
static void
expand_all(Parser *p)
{
	SimScenario *sc = p->sc;
	g_autoptr(GError) err = NULL;
	g_autoptr(SimExpand) e = NULL;
	const SimStmt *st;

	if (!p->has_scopes) {
		sc->stmts = g_ptr_array_ref(sc->body);
		sc->expanded = sc->body->len;
		return;
	}
	sc->stmts = g_ptr_array_new();
	sc->instances = g_ptr_array_new_with_free_func(
	    (GDestroyNotify)stmt_free);
	if (!sim_expand_count(sc->body, SIM_MAX_EXPANDED, &sc->expanded,
	    &err)) {
		add_message(p, err->code, g_strdup(err->message), "", 0, 0);
		return;
	}
	if (sc->expanded > SIM_MAX_STMTS)
		return;		/* walked one at a time (SimExpand) */
	e = sim_expand_new(sc->body);
	while ((st = sim_expand_next(e, &err)) != NULL) {
		SimStmt *inst = sim_expand_steal(e);

		if (inst != NULL)
			g_ptr_array_add(sc->instances, inst);
		else
			inst = (SimStmt *)st;	/* the tree's own */
		inst->index = sc->stmts->len;
		g_ptr_array_add(sc->stmts, inst);
	}
	if (err != NULL)
		add_message(p, err->code, g_strdup(err->message), "", 0, 0);
}

/* ----------------------------------------------------------------------
 * entry points
 */

/*
 * Parse the scenario held in buf[0..len) (no NUL terminator needed) and
 * called name in messages, reading included files through inc (NULL: an
 * include is an error).  Nothing else touches the file system, so this is
 * the fuzzing entry point.  Return a new scenario, or NULL with error set
 * to every message found, joined by '\n', and to the code of the first.
 * A buffer over SIM_MAX_FILE_SIZE is refused as "name: file too large".
 */
SimScenario *
sim_parse_buffer(const char *name, const char *buf, gsize len,
    SimIncludeFunc inc, gpointer user_data, GError **error)
{
	g_autoptr(SimScenario) sc = NULL;
	g_autofree char *key = NULL;
	Parser p = { 0 };
	SimScenario *ret = NULL;

	g_return_val_if_fail(name != NULL, NULL);
	g_return_val_if_fail(buf != NULL || len == 0, NULL);
	g_return_val_if_fail(error == NULL || *error == NULL, NULL);

	if (len > SIM_MAX_FILE_SIZE) {
		g_set_error(error, SIM_PARSE_ERROR, SIM_PARSE_ERROR_LIMIT,
		    "%s: file too large (more than %u bytes)", name,
		    SIM_MAX_FILE_SIZE);
		return NULL;
	}
	sc = scenario_new(name);
	p.sc = sc;
	p.inc = inc;
	p.inc_data = user_data;
	p.errors = g_ptr_array_new_with_free_func(g_free);
	p.files = g_hash_table_new(g_str_hash, g_str_equal);
	p.threads = g_hash_table_new(g_str_hash, g_str_equal);
	p.rules = g_hash_table_new(g_str_hash, g_str_equal);
	p.profiles = g_hash_table_new(g_str_hash, g_str_equal);
	p.in_header = TRUE;
	p.total_input = len;
	p.body = sc->body;
	p.open = g_array_new(FALSE, FALSE, sizeof(Open));
	p.closed = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
	    g_free);
	p.refs = g_array_new(FALSE, FALSE, sizeof(SimRef));

	key = path_clean(name);
	parse_file(&p, NULL, intern(p.files, sc->files, name), key,
	    buf != NULL ? buf : "", len);

	if (p.kernel != NULL)
		sc->kernel = g_string_free(g_steal_pointer(&p.kernel), FALSE);
	if (p.errors->len == 0)
		expand_all(&p);
	if (p.errors->len == 0) {
		ret = g_steal_pointer(&sc);
	} else {
		g_autofree char *all = NULL;

		g_ptr_array_add(p.errors, NULL);
		all = g_strjoinv("\n", (char **)p.errors->pdata);
		g_set_error_literal(error, SIM_PARSE_ERROR, p.code, all);
	}
	g_ptr_array_unref(p.errors);
	g_hash_table_unref(p.files);
	g_hash_table_unref(p.threads);
	g_hash_table_unref(p.rules);
	g_hash_table_unref(p.profiles);
	g_array_unref(p.open);
	g_hash_table_unref(p.closed);
	sim_refs_clear(p.refs);
	g_array_unref(p.refs);
	return ret;
}

/*
 * A SimIncludeFunc reading path from disk.  Only regular files are read,
 * and no more than SIM_MAX_FILE_SIZE + 1 bytes of them, so that
 * include "/dev/zero" or a FIFO cannot hang the parser.  user_data is
 * ignored.
 */
gboolean
sim_include_file(const char *path, char **contents, gsize *len,
    gpointer user_data G_GNUC_UNUSED, GError **error)
{
	g_autofree char *buf = NULL;
	gsize cap, n = 0;
	struct stat st;
	int fd, e;

	g_return_val_if_fail(path != NULL, FALSE);
	g_return_val_if_fail(contents != NULL && len != NULL, FALSE);

	fd = g_open(path, O_RDONLY | O_NOCTTY | O_NONBLOCK | O_CLOEXEC, 0);
	if (fd < 0) {
		e = errno;
		goto out_errno;
	}
	if (fstat(fd, &st) < 0) {
		e = errno;		/* LCOV_EXCL_LINE */
		goto out_close;		/* LCOV_EXCL_LINE */
	}
	if (S_ISDIR(st.st_mode)) {
		e = EISDIR;
		goto out_close;
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		g_set_error_literal(error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
		    "not a regular file");
		return FALSE;
	}
	cap = MIN((gsize)st.st_size, (gsize)SIM_MAX_FILE_SIZE) + 1;
	buf = g_malloc(cap + 1);
	for (;;) {
		gssize r;

		if (n == cap) {
			if (cap > SIM_MAX_FILE_SIZE)
				break;	/* one byte too many is enough */
			cap = MIN(cap * 2, (gsize)SIM_MAX_FILE_SIZE + 1);
			buf = g_realloc(buf, cap + 1);
		}
		r = read(fd, buf + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;	/* LCOV_EXCL_LINE */
		if (r < 0) {
			e = errno;
			goto out_close;
		}
		if (r == 0)
			break;
		n += (gsize)r;
	}
	close(fd);
	buf[n] = '\0';
	*contents = g_steal_pointer(&buf);
	*len = n;
	return TRUE;

out_close:
	close(fd);
out_errno:
	g_set_error_literal(error, G_FILE_ERROR, g_file_error_from_errno(e),
	    g_strerror(e));
	return FALSE;
}

/*
 * Parse the scenario file at path, reading includes from disk.  Return a
 * new scenario, or NULL with error set as by sim_parse_buffer(); a file
 * that cannot be read gives SIM_PARSE_ERROR_IO "path: reason".
 */
SimScenario *
sim_parse_file(const char *path, GError **error)
{
	g_autofree char *buf = NULL;
	g_autoptr(GError) err = NULL;
	gsize len;

	g_return_val_if_fail(path != NULL, NULL);
	g_return_val_if_fail(error == NULL || *error == NULL, NULL);

	if (!sim_include_file(path, &buf, &len, NULL, &err)) {
		g_set_error(error, SIM_PARSE_ERROR, SIM_PARSE_ERROR_IO,
		    "%s: %s", path, err->message);
		return NULL;
	}
	return sim_parse_buffer(path, buf, len, sim_include_file, NULL, error);
}
