/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * expand.c - loops and parameters (expand.h): what $i, ${i} and
 * $(8000+i) stand for, statement templates instantiated, and the walk of
 * the tree of `repeat` and parameterised `include` scopes.
 *
 * A reference is one of
 *
 *	$NAME		the value of counter or parameter NAME ([A-Za-z_]
 *			[A-Za-z0-9_]*, the longest run); a whole token $NAME
 *			that names neither is a scenario variable
 *	${NAME}		the same, where a name character follows
 *	$(EXPR)		integer arithmetic: + - * / % and parentheses over
 *			decimal or 0x numbers and names (with or without
 *			$), 64-bit signed, no blanks
 *
 * Substitution works on a token's text and lexes the result again, so
 * s$i is a name, $(8000+i) a number and hash=$(i*4) a key=value; the
 * result must still be one token of the same shape.  Errors carry the
 * template token's file:line:col.
 *
 * Nothing here recurses on input deeper than SIM_MAX_SCOPE_DEPTH (scopes)
 * or EXPR_DEPTH (parentheses).
 */
#include <string.h>

#include "lang/expand.h"
#include "lang/lex.h"
#include "lang/name.h"

#define EXPR_DEPTH	32

/* ---------------------------------------------------------------------
 * Freeing
 */

/* Free an override and its tokens (the parser's and the expander's). */
void
sim_override_free(SimOverride *ov)
{
	if (ov == NULL)
		return;
	g_free(ov->profile);
	g_clear_pointer(&ov->tokens, g_ptr_array_unref);
	g_free(ov);
}

void
sim_scope_free(SimScope *s)
{
	if (s == NULL)
		return;
	g_free(s->counter);
	sim_token_free(s->count);
	sim_token_free(s->range);
	sim_token_free(s->step);
	sim_token_free(s->path);
	if (s->params != NULL) {
		for (guint i = 0; i < s->params->len; i++) {
			SimParam *p = s->params->pdata[i];

			g_free(p->name);
			sim_token_free(p->value);
			g_free(p);
		}
		g_ptr_array_unref(s->params);
	}
	g_clear_pointer(&s->body, g_ptr_array_unref);
	g_free(s);
}

/* Free st and everything it owns (its scope too).  NULL is accepted. */
void
sim_stmt_free(SimStmt *st)
{
	if (st == NULL)
		return;
	g_free(st->label);
	g_free(st->verb);
	g_clear_pointer(&st->args, g_ptr_array_unref);
	g_clear_pointer(&st->expect, g_ptr_array_unref);
	g_clear_pointer(&st->overrides, g_ptr_array_unref);
	sim_scope_free(st->scope);
	g_free(st);
}

/* ---------------------------------------------------------------------
 * References
 */

static gboolean
name_start(char c)
{
	return g_ascii_isalpha(c) || c == '_';
}

static gboolean
name_char(char c)
{
	return g_ascii_isalnum(c) || c == '_';
}

/* Just past the ')' matching the '(' at s[i], or 0 when unbalanced. */
static gsize
paren_end(const char *s, gsize i)
{
	guint depth = 0;

	for (; s[i] != '\0'; i++) {
		if (s[i] == '(')
			depth++;
		else if (s[i] == ')' && --depth == 0)
			return i + 1;
	}
	return 0;
}

void
sim_refs_clear(GArray *refs)
{
	for (guint i = 0; i < refs->len; i++)
		g_free(g_array_index(refs, SimRef, i).name);
	g_array_set_size(refs, 0);
}

static void
ref_add(GArray *refs, const char *s, gsize n, gboolean whole)
{
	SimRef r = { g_strndup(s, n), whole };

	g_array_append_val(refs, r);
}

/*
 * Append to refs (SimRef) every name text refers to, and return TRUE; or
 * FALSE with *why (g_free()) when a reference is malformed.  Text without
 * a '$' refers to nothing.
 */
gboolean
sim_expand_refs(const char *text, GArray *refs, char **why)
{
	gsize n = strlen(text);

	for (gsize i = 0; i < n; i++) {
		gsize j, end;

		if (text[i] != '$')
			continue;
		if (text[i + 1] == '(') {
			end = paren_end(text, i + 1);
			if (end == 0) {
				*why = g_strdup_printf("unbalanced '$(' in "
				    "'%s'", text);
				return FALSE;
			}
			for (j = i + 2; j < end - 1; j++) {
				gsize k = j;

				if (!name_start(text[j]))
					continue;
				while (k < end - 1 && name_char(text[k]))
					k++;
				/* 0x1f: the x is not a name */
				if (j == 0 || !g_ascii_isdigit(text[j - 1]))
					ref_add(refs, text + j, k - j, FALSE);
				j = k - 1;
			}
			i = end - 1;
		} else if (text[i + 1] == '{') {
			for (j = i + 2; name_char(text[j]); j++)
				;
			if (text[j] != '}' || j == i + 2 ||
			    !name_start(text[i + 2])) {
				*why = g_strdup_printf("'${' needs a name and "
				    "'}' in '%s'", text);
				return FALSE;
			}
			ref_add(refs, text + i + 2, j - i - 2, FALSE);
			i = j;
		} else if (name_start(text[i + 1])) {
			for (j = i + 1; name_char(text[j]); j++)
				;
			ref_add(refs, text + i + 1, j - i - 1, i == 0 &&
			    j == n);
			i = j - 1;
		} else {
			*why = g_strdup_printf("a '$' without a name in '%s'",
			    text);
			return FALSE;
		}
	}
	return TRUE;
}

static const char *
env_find(const SimEnv *env, const char *name, gsize n)
{
	for (; env != NULL; env = env->up)
		if (strlen(env->name) == n && strncmp(env->name, name, n) == 0)
			return env->text;
	return NULL;
}

static void G_GNUC_PRINTF(3, 4)
tok_fail(GError **error, const SimToken *at, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	sim_place_verror(error, SIM_PARSE_ERROR, SIM_PARSE_ERROR_SYNTAX,
	    at->file, at->line, at->col, fmt, ap);
	va_end(ap);
}

/* ---------------------------------------------------------------------
 * Arithmetic
 */

typedef struct {
	const char	*s;
	gsize		 i, n;
	const SimEnv	*env;
	const SimToken	*at;
	GError		**error;
	guint		 depth;
} Ev;

static gboolean ev_sum(Ev *e, gint64 *v);

/* A decimal or 0x number, with an optional '-', into *v. */
static gboolean
parse_number(const char *s, gsize n, gint64 *v)
{
	g_autofree char *c = g_strndup(s, n);
	guint64 mag;
	gboolean neg = n > 0 && s[0] == '-';
	const char *p = c + neg;

	if (*p == '\0')
		return FALSE;
	if (g_str_has_prefix(p, "0x") || g_str_has_prefix(p, "0X")) {
		if (!g_ascii_string_to_unsigned(p + 2, 16, 0, G_MAXINT64, &mag,
		    NULL))
			return FALSE;
	} else if (!g_ascii_string_to_unsigned(p, 10, 0, G_MAXINT64, &mag,
	    NULL)) {
		return FALSE;
	}
	*v = neg ? -(gint64)mag : (gint64)mag;
	return TRUE;
}

static gboolean
ev_atom(Ev *e, gint64 *v)
{
	gsize j;

	if (e->i < e->n && e->s[e->i] == '(') {
		if (++e->depth > EXPR_DEPTH) {
			tok_fail(e->error, e->at, "$(...) nested too deep");
			return FALSE;
		}
		e->i++;
		if (!ev_sum(e, v))
			return FALSE;
		if (e->i >= e->n || e->s[e->i] != ')') {
			tok_fail(e->error, e->at, "missing ')' in $(%.*s)",
			    (int)e->n, e->s);
			return FALSE;
		}
		e->i++;
		e->depth--;
		return TRUE;
	}
	if (e->i < e->n && e->s[e->i] == '$')
		e->i++;
	j = e->i;
	if (j < e->n && name_start(e->s[j])) {
		const char *val;

		while (j < e->n && name_char(e->s[j]))
			j++;
		val = env_find(e->env, e->s + e->i, j - e->i);
		if (val == NULL) {
			tok_fail(e->error, e->at, "unknown counter or "
			    "parameter '%.*s' in $(%.*s)", (int)(j - e->i),
			    e->s + e->i, (int)e->n, e->s);
			return FALSE;
		}
		if (!parse_number(val, strlen(val), v)) {
			tok_fail(e->error, e->at, "'%.*s' is '%s', not a "
			    "number, in $(%.*s)", (int)(j - e->i), e->s + e->i,
			    val, (int)e->n, e->s);
			return FALSE;
		}
		e->i = j;
		return TRUE;
	}
	while (j < e->n && g_ascii_isxdigit(e->s[j]))
		j++;
	if (j < e->n && (e->s[j] == 'x' || e->s[j] == 'X'))
		for (j++; j < e->n && g_ascii_isxdigit(e->s[j]); j++)
			;
	if (j == e->i || !parse_number(e->s + e->i, j - e->i, v)) {
		tok_fail(e->error, e->at, "expected a number or a name at "
		    "'%.*s' in $(%.*s)", (int)(e->n - e->i), e->s + e->i,
		    (int)e->n, e->s);
		return FALSE;
	}
	e->i = j;
	return TRUE;
}

static gboolean
ev_unary(Ev *e, gint64 *v)
{
	if (e->i < e->n && e->s[e->i] == '-') {
		e->i++;
		if (++e->depth > EXPR_DEPTH) {
			tok_fail(e->error, e->at, "$(...) nested too deep");
			return FALSE;
		}
		if (!ev_unary(e, v))
			return FALSE;
		e->depth--;
		if (*v == G_MININT64) {
			tok_fail(e->error, e->at, "overflow in $(%.*s)",
			    (int)e->n, e->s);
			return FALSE;
		}
		*v = -*v;
		return TRUE;
	}
	return ev_atom(e, v);
}

static gboolean
ev_product(Ev *e, gint64 *v)
{
	if (!ev_unary(e, v))
		return FALSE;
	while (e->i < e->n && strchr("*/%", e->s[e->i]) != NULL) {
		char op = e->s[e->i++];
		gint64 r;

		if (!ev_unary(e, &r))
			return FALSE;
		if (op != '*' && r == 0) {
			tok_fail(e->error, e->at, "division by zero in "
			    "$(%.*s)", (int)e->n, e->s);
			return FALSE;
		}
		if ((op == '*' && __builtin_mul_overflow(*v, r, v)) ||
		    (op != '*' && *v == G_MININT64 && r == -1)) {
			tok_fail(e->error, e->at, "overflow in $(%.*s)",
			    (int)e->n, e->s);
			return FALSE;
		}
		if (op == '/')
			*v /= r;
		else if (op == '%')
			*v %= r;
	}
	return TRUE;
}

static gboolean
ev_sum(Ev *e, gint64 *v)
{
	if (!ev_product(e, v))
		return FALSE;
	while (e->i < e->n && (e->s[e->i] == '+' || e->s[e->i] == '-')) {
		char op = e->s[e->i++];
		gint64 r;
		gboolean over;

		if (!ev_product(e, &r))
			return FALSE;
		over = op == '+' ? __builtin_add_overflow(*v, r, v) :
		    __builtin_sub_overflow(*v, r, v);
		if (over) {
			tok_fail(e->error, e->at, "overflow in $(%.*s)",
			    (int)e->n, e->s);
			return FALSE;
		}
	}
	return TRUE;
}

/* The value of the expression s[0..n) under env. */
static gboolean
eval(const char *s, gsize n, const SimEnv *env, const SimToken *at,
    gint64 *v, GError **error)
{
	Ev e = { s, 0, n, env, at, error, 0 };

	if (!ev_sum(&e, v))
		return FALSE;
	if (e.i != n) {
		tok_fail(error, at, "unexpected '%.*s' in $(%.*s)",
		    (int)(n - e.i), s + e.i, (int)n, s);
		return FALSE;
	}
	return TRUE;
}

/*
 * text with every reference bound in env replaced (a whole-token $NAME
 * that env does not bind is left alone: a scenario variable).  NULL with
 * error at `at` when a reference is malformed or unbound, or an
 * expression fails.  g_free().
 */
char *
sim_expand_text(const char *text, const SimEnv *env, const SimToken *at,
    GError **error)
{
	GString *out = g_string_new(NULL);
	gsize n = strlen(text);

	for (gsize i = 0; i < n; i++) {
		gsize j, end;
		const char *val;
		gint64 v;

		if (text[i] != '$') {
			g_string_append_c(out, text[i]);
			continue;
		}
		if (text[i + 1] == '(') {
			end = paren_end(text, i + 1);
			if (end == 0) {
				tok_fail(error, at, "unbalanced '$(' in '%s'",
				    text);
				goto fail;
			}
			if (!eval(text + i + 2, end - i - 3, env, at, &v,
			    error))
				goto fail;
			g_string_append_printf(out, "%" G_GINT64_FORMAT, v);
			i = end - 1;
			continue;
		}
		if (text[i + 1] == '{') {
			for (j = i + 2; name_char(text[j]); j++)
				;
			val = text[j] == '}' ? env_find(env, text + i + 2,
			    j - i - 2) : NULL;
			if (val == NULL) {
				tok_fail(error, at, "'%.*s' names no counter "
				    "or parameter here", (int)(j - i + 1),
				    text + i);
				goto fail;
			}
			g_string_append(out, val);
			i = j;
			continue;
		}
		for (j = i + 1; name_char(text[j]); j++)
			;
		val = j > i + 1 && name_start(text[i + 1]) ?
		    env_find(env, text + i + 1, j - i - 1) : NULL;
		if (val == NULL && !(i == 0 && j == n && j > i + 1)) {
			tok_fail(error, at, "'%.*s' names no counter or "
			    "parameter here", (int)(j - i), text + i);
			goto fail;
		}
		if (val == NULL)
			g_string_append_len(out, text + i, (gssize)(j - i));
		else
			g_string_append(out, val);
		i = j - 1;
	}
	return g_string_free(out, FALSE);

fail:
	g_string_free(out, TRUE);
	return NULL;
}

/* ---------------------------------------------------------------------
 * Templates
 */

/* tok under env: a copy, substituted and lexed again when it refers to
 * anything; NULL with error when the result is not one token of its
 * shape. */
static SimToken *
token_expand(const SimToken *tok, const SimEnv *env, GError **error)
{
	g_autofree char *text = NULL;
	g_autoptr(GPtrArray) toks = NULL;
	g_autoptr(GError) err = NULL;
	SimToken *t;

	if (strchr(tok->text, '$') == NULL)
		return sim_token_dup(tok);
	text = sim_expand_text(tok->text, env, tok, error);
	if (text == NULL)
		return NULL;
	if (strcmp(text, tok->text) == 0)
		return sim_token_dup(tok);
	toks = sim_lex_line(tok->file, tok->line, text, strlen(text), NULL,
	    &err);
	if (toks == NULL || toks->len != 1) {
		/* the lexer's reason, without its position in text */
		const char *why = err != NULL ? err->message : NULL;

		for (int i = 0; why != NULL && i < 3; i++)
			why = strchr(why, ':') != NULL ? strchr(why, ':') + 1 :
			    why;
		tok_fail(error, tok, "'%s' expands to '%s', which is not one "
		    "token%s%s%s", tok->text, text, why != NULL ? " (" : "",
		    why != NULL ? g_strchug((char *)why) : "", why != NULL ?
		    ")" : "");
		return NULL;
	}
	t = g_ptr_array_steal_index(toks, 0);
	if (t->kind == SIM_TOK_EQ || t->kind == SIM_TOK_AT ||
	    (tok->kind == SIM_TOK_KV) != (t->kind == SIM_TOK_KV) ||
	    (t->kind == SIM_TOK_KV && strcmp(t->name, tok->name) != 0)) {
		tok_fail(error, tok, "'%s' expands to '%s', which is a %s",
		    tok->text, text, sim_token_kind_name(t->kind));
		sim_token_free(t);
		return NULL;
	}
	t->col = tok->col;
	if (t->value != NULL && tok->value != NULL)
		t->value->col = tok->value->col;
	return t;
}

static GPtrArray *
tokens_expand(const GPtrArray *in, const SimEnv *env, GError **error)
{
	GPtrArray *out;

	if (in == NULL)
		return NULL;
	out = g_ptr_array_new_full(in->len, (GDestroyNotify)sim_token_free);
	for (guint i = 0; i < in->len; i++) {
		SimToken *t = token_expand(in->pdata[i], env, error);

		if (t == NULL) {
			g_ptr_array_unref(out);
			return NULL;
		}
		g_ptr_array_add(out, t);
	}
	return out;
}

/*
 * The statement template t instantiated under env: a new statement with
 * every reference replaced, at t's place in the source.  NULL with error
 * (file:line:col of the token) when an expansion fails.
 */
SimStmt *
sim_expand_stmt(const SimStmt *t, const SimEnv *env, GError **error)
{
	SimStmt *st = g_new0(SimStmt, 1);

	g_return_val_if_fail(t->scope == NULL, NULL);
	st->file = t->file;
	st->line = t->line;
	st->col = t->col;
	st->verb_col = t->verb_col;
	st->verb = g_strdup(t->verb);
	st->thread = t->thread;
	st->index = t->index;
	st->overrides = g_ptr_array_new_with_free_func(
	    (GDestroyNotify)sim_override_free);
	if (t->label != NULL) {
		SimToken at = { .file = t->file, .line = t->line,
		    .col = t->col };

		st->label = sim_expand_text(t->label, env, &at, error);
		if (st->label == NULL)
			goto fail;
	}
	st->args = tokens_expand(t->args, env, error);
	if (st->args == NULL)
		goto fail;
	if (t->expect != NULL) {
		st->expect = tokens_expand(t->expect, env, error);
		if (st->expect == NULL)
			goto fail;
	}
	for (guint i = 0; i < t->overrides->len; i++) {
		const SimOverride *ov = t->overrides->pdata[i];
		SimOverride *o = g_memdup2(ov, sizeof(*ov));

		o->profile = g_strdup(ov->profile);
		o->tokens = tokens_expand(ov->tokens, env, error);
		g_ptr_array_add(st->overrides, o);
		if (o->tokens == NULL)
			goto fail;
	}
	return st;

fail:
	sim_stmt_free(st);
	return NULL;
}

/* ---------------------------------------------------------------------
 * Ranges
 */

static gboolean
int_of(const SimToken *tok, const char *text, const SimEnv *env,
    gint64 *v, GError **error)
{
	g_autofree char *x = sim_expand_text(text, env, tok, error);

	if (x == NULL)
		return FALSE;
	if (!parse_number(x, strlen(x), v)) {
		tok_fail(error, tok, "'%s' is not a number%s%s%s", text,
		    strcmp(x, text) != 0 ? " (it is '" : "",
		    strcmp(x, text) != 0 ? x : "",
		    strcmp(x, text) != 0 ? "')" : "");
		return FALSE;
	}
	return TRUE;
}

/*
 * The values a repeat's counter takes under env: from, from + step, ...,
 * up to to (to < from: none).  FALSE with error when the count or range
 * is not a number, the step is not positive, or there are more than
 * SIM_MAX_REPEAT values.
 */
gboolean
sim_expand_range(const SimScope *s, const SimEnv *env, gint64 *from,
    gint64 *to, gint64 *step, GError **error)
{
	guint64 iters;

	*step = 1;
	if (s->count != NULL) {
		gint64 n;

		if (!int_of(s->count, s->count->text, env, &n, error))
			return FALSE;
		if (n < 0) {
			tok_fail(error, s->count, "repeat count %" G_GINT64_FORMAT
			    " is negative", n);
			return FALSE;
		}
		if ((guint64)n > SIM_MAX_REPEAT) {
			g_set_error(error, SIM_PARSE_ERROR,
			    SIM_PARSE_ERROR_LIMIT, "%s:%u:%u: repeat count %"
			    G_GINT64_FORMAT " is more than %u",
			    s->count->file, s->count->line, s->count->col, n,
			    SIM_MAX_REPEAT);
			return FALSE;
		}
		*from = 0;
		*to = n - 1;
		return TRUE;
	} else {
		const char *r = s->range->text;
		const char *dots = strstr(r, "..");
		g_autofree char *a = NULL;

		/* the ".." outside any $(...) */
		while (dots != NULL) {
			gsize depth = 0;

			for (const char *p = r; p < dots; p++)
				depth += *p == '(' ? 1 : *p == ')' ? -1 : 0;
			if (depth == 0)
				break;
			dots = strstr(dots + 2, "..");
		}
		if (dots == NULL || dots == r || dots[2] == '\0') {
			tok_fail(error, s->range, "expected a range FROM..TO, "
			    "got '%s'", r);
			return FALSE;
		}
		a = g_strndup(r, (gsize)(dots - r));
		if (!int_of(s->range, a, env, from, error) ||
		    !int_of(s->range, dots + 2, env, to, error))
			return FALSE;
	}
	if (s->step != NULL) {
		if (!int_of(s->step, s->step->text, env, step, error))
			return FALSE;
		if (*step < 1) {
			tok_fail(error, s->step, "step %" G_GINT64_FORMAT " is "
			    "not positive", *step);
			return FALSE;
		}
	}
	if (*to < *from)
		return TRUE;
	iters = ((guint64)*to - (guint64)*from) / (guint64)*step + 1;
	if (iters > SIM_MAX_REPEAT) {
		g_set_error(error, SIM_PARSE_ERROR, SIM_PARSE_ERROR_LIMIT,
		    "%s:%u:%u: repeat range %" G_GINT64_FORMAT "..%"
		    G_GINT64_FORMAT " has more than %u values", s->range->file,
		    s->range->line, s->range->col, *from, *to,
		    SIM_MAX_REPEAT);
		return FALSE;
	}
	return TRUE;
}

/* ---------------------------------------------------------------------
 * Walking the tree
 */

typedef struct {
	const GPtrArray	*body;
	guint		 i;
	const SimScope	*scope;		/* NULL: the top */
	gint64		 v, to, step;	/* repeat */
	SimEnv		*env;		/* this frame's bindings, or NULL */
	guint		 nenv;
	char		**texts;	/* their values, owned */
	const SimEnv	*outer;		/* bindings of the frames above */
} Frame;

struct SimExpand {
	GArray		*frames;	/* Frame */
	SimStmt		*cur;		/* the last instance returned */
	guint		 index;
};

static const SimEnv *
frame_env(const Frame *f)
{
	return f->nenv > 0 ? &f->env[f->nenv - 1] : f->outer;
}

static void
frame_clear(Frame *f)
{
	for (guint i = 0; i < f->nenv; i++)
		g_free(f->texts[i]);
	g_free(f->texts);
	g_free(f->env);
}

/* Enter scope s under env: a new frame, or FALSE (error set) or, for a
 * repeat of no values, TRUE with *none. */
static gboolean
frame_push(SimExpand *e, const SimScope *s, const SimEnv *env,
    gboolean *none, GError **error)
{
	Frame f = { 0 };

	*none = FALSE;
	if (e->frames->len > SIM_MAX_SCOPE_DEPTH) {
		g_set_error(error, SIM_PARSE_ERROR, SIM_PARSE_ERROR_LIMIT,
		    "scopes nested deeper than %u", SIM_MAX_SCOPE_DEPTH);
		return FALSE;	/* LCOV_EXCL_LINE: the parser stops sooner */
	}
	f.body = s->body;
	f.scope = s;
	f.outer = env;
	if (s->kind == SIM_SCOPE_REPEAT) {
		if (!sim_expand_range(s, env, &f.v, &f.to, &f.step, error))
			return FALSE;
		if (f.to < f.v) {
			*none = TRUE;
			return TRUE;
		}
		if (s->counter != NULL) {
			f.nenv = 1;
			f.env = g_new0(SimEnv, 1);
			f.texts = g_new0(char *, 1);
			f.texts[0] = g_strdup_printf("%" G_GINT64_FORMAT, f.v);
			f.env[0] = (SimEnv){ s->counter, f.texts[0], env };
		}
	} else {
		guint n = s->params->len;

		f.env = g_new0(SimEnv, MAX(n, 1u));
		f.texts = g_new0(char *, MAX(n, 1u));
		for (guint i = 0; i < n; i++) {
			const SimParam *p = s->params->pdata[i];

			/* values are read in the scope around the include */
			f.texts[i] = sim_expand_text(p->value->text, env,
			    p->value, error);
			if (f.texts[i] == NULL) {
				f.nenv = i;
				frame_clear(&f);
				return FALSE;
			}
			f.env[i] = (SimEnv){ p->name, f.texts[i],
			    i > 0 ? &f.env[i - 1] : env };
			f.nenv = i + 1;
		}
	}
	g_array_append_val(e->frames, f);
	return TRUE;
}

/* A walk of body (SimScenario.body) one statement at a time. */
SimExpand *
sim_expand_new(const GPtrArray *body)
{
	SimExpand *e = g_new0(SimExpand, 1);
	Frame top = { 0 };

	e->frames = g_array_new(FALSE, FALSE, sizeof(Frame));
	top.body = body;
	g_array_append_val(e->frames, top);
	return e;
}

void
sim_expand_free(SimExpand *e)
{
	if (e == NULL)
		return;
	for (guint i = 0; i < e->frames->len; i++)
		frame_clear(&g_array_index(e->frames, Frame, i));
	g_array_unref(e->frames);
	sim_stmt_free(e->cur);
	g_free(e);
}

/*
 * The next statement of the walk, or NULL at its end (error NULL) or when
 * an expansion failed (error set).  Statements outside every scope are
 * the tree's own; the others are instances, valid until the next call
 * (or kept with sim_expand_steal()).  An instance's index counts the
 * statements of the walk; the tree's own keep their index.
 */
const SimStmt *
sim_expand_next(SimExpand *e, GError **error)
{
	g_clear_pointer(&e->cur, sim_stmt_free);
	while (e->frames->len > 0) {
		Frame *f = &g_array_index(e->frames, Frame,
		    e->frames->len - 1);

		if (f->i < f->body->len) {
			const SimStmt *st = f->body->pdata[f->i++];
			gboolean none;

			if (st->scope != NULL) {
				if (!frame_push(e, st->scope, frame_env(f),
				    &none, error))
					return NULL;
				continue;
			}
			if (f->scope == NULL) {
				e->index++;
				return st;
			}
			e->cur = sim_expand_stmt(st, frame_env(f), error);
			if (e->cur == NULL)
				return NULL;
			e->cur->index = e->index++;
			return e->cur;
		}
		if (f->scope != NULL && f->scope->kind == SIM_SCOPE_REPEAT &&
		    (guint64)f->to - (guint64)f->v >= (guint64)f->step) {
			f->v += f->step;
			f->i = 0;
			if (f->nenv > 0) {
				g_free(f->texts[0]);
				f->texts[0] = g_strdup_printf("%"
				    G_GINT64_FORMAT, f->v);
				f->env[0].text = f->texts[0];
			}
			continue;
		}
		frame_clear(f);
		g_array_set_size(e->frames, e->frames->len - 1);
	}
	return NULL;
}

/* Take the instance sim_expand_next() returned last (NULL when that was
 * one of the tree's own statements). */
SimStmt *
sim_expand_steal(SimExpand *e)
{
	return g_steal_pointer(&e->cur);
}

/*
 * Count the statements body expands to into *n, evaluating every repeat's
 * range (a body without scopes is counted once per value).  FALSE with
 * error when a range fails or the count passes limit.
 */
static gboolean
count_body(const GPtrArray *body, const SimEnv *env, guint64 limit,
    guint64 *n, guint depth, GError **error)
{
	for (guint i = 0; i < body->len; i++) {
		const SimStmt *st = body->pdata[i];
		g_autoptr(SimExpand) e = NULL;
		Frame *f;
		gboolean none, nested = FALSE;
		guint64 once, before;

		if (st->scope == NULL) {
			(*n)++;
			goto check;
		}
		e = sim_expand_new(body);
		if (!frame_push(e, st->scope, env, &none, error))
			return FALSE;
		if (none)
			continue;
		f = &g_array_index(e->frames, Frame, 1);
		for (guint j = 0; j < st->scope->body->len; j++)
			if (((const SimStmt *)st->scope->body->pdata[j])->scope !=
			    NULL)
				nested = TRUE;
		before = *n;
		for (;;) {
			if (!count_body(st->scope->body, frame_env(f), limit,
			    n, depth + 1, error))
				return FALSE;
			if (st->scope->kind != SIM_SCOPE_REPEAT ||
			    (guint64)f->to - (guint64)f->v < (guint64)f->step)
				break;
			if (!nested) {
				/* the same count for every value */
				once = *n - before;
				*n += once * (((guint64)f->to - (guint64)f->v) /
				    (guint64)f->step);
				break;
			}
			f->v += f->step;
			if (f->nenv > 0) {
				g_free(f->texts[0]);
				f->texts[0] = g_strdup_printf("%"
				    G_GINT64_FORMAT, f->v);
				f->env[0].text = f->texts[0];
			}
			if (*n > limit)
				break;
		}
check:
		if (*n > limit) {
			g_set_error(error, SIM_PARSE_ERROR,
			    SIM_PARSE_ERROR_LIMIT, "%s:%u:%u: the scenario "
			    "expands to more than %" G_GUINT64_FORMAT
			    " statements", st->file, st->line, st->col, limit);
			return FALSE;
		}
	}
	(void)depth;
	return TRUE;
}

gboolean
sim_expand_count(const GPtrArray *body, guint64 limit, guint64 *n,
    GError **error)
{
	*n = 0;
	return count_body(body, NULL, limit, n, 0, error);
}
