/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * expect.c - expectations (expect.h): the check pass validates each
 * expectation against the forms the statement's verb accepts; the run
 * compares a result with the expectation for the profile, binds $vars,
 * and renders an expectation for a failure message.
 */
#include <string.h>

#include "core/error.h"
#include "core/expect.h"
#include "core/pass-int.h"
#include "core/profiles.h"
#include "core/report.h"
#include "lang/suggest.h"

/* A WORD token for the name inside t at offset off: for positions. */
static SimToken
sub_token(const SimToken *t, char *text, gsize off)
{
	SimToken s = *t;

	s.kind = SIM_TOK_WORD;
	s.text = text;
	s.col = t->col + (guint)off;
	return s;
}

/* Resolve "prefix(NAME)" of t to an object of kinds. */
static gboolean
inner_obj(SimExec *x, const SimToken *t, const char *prefix,
    SimObjKind kinds, SimObj **out, GError **error)
{
	g_autofree char *name = sim_word_inner(t->text, prefix);
	SimToken s = sub_token(t, name, strlen(prefix));

	return sim_names_resolve(x->names, &s, kinds, out, error);
}

/* Split "M:K" into its map and key. */
static gboolean
slot_ref(SimExec *x, const SimToken *t, SimObj **map, guint32 *key,
    GError **error)
{
	const char *colon = strchr(t->text, ':');
	g_autofree char *name = g_strndup(t->text, (gsize)(colon - t->text));
	SimToken s = sub_token(t, name, 0);
	guint64 k;
	char *end;

	if (!sim_names_resolve(x->names, &s, SIM_OBJ_MAP, map, error))
		return FALSE;
	k = g_ascii_strtoull(colon + 1, &end, 10);
	if (!g_ascii_isdigit(colon[1]) || *end != '\0' || k > G_MAXUINT32) {
		sim_tok_error(error, t, "bad slot '%s' (expected MAP:KEY)",
		    t->text);
		return FALSE;
	}
	*key = (guint32)k;
	return TRUE;
}

/* The forms an expectation may take, each with how a message names it. */
static const struct {
	guint		 forms;		/* any of these SIM_X_* */
	const char	*text;
} form_texts[] = {
	{ SIM_X_STATUS, "0, ok, -ERRNO" },
	{ SIM_X_NUM, "N" },
	{ SIM_X_VAR, "$var" },
	{ SIM_X_COOKIE, "cookie(S)" },
	{ SIM_X_MAPREF, "map(M)" },
	{ SIM_X_SOCK | SIM_X_GROUPOF, "a socket name" },
	{ SIM_X_MEMBER, "member(S)" },
	{ SIM_X_SLOT, "M:K" },
	{ SIM_X_STRING, "\"TEXT\"" },
};

/* "0, ok, -ERRNO, N, $var, ... or any": what shape accepts. */
static char *
shape_describe(const SimExpShape *sh)
{
	GString *s = g_string_new(NULL);
	guint i;

	for (i = 0; i < G_N_ELEMENTS(form_texts); i++)
		if (sh->forms & form_texts[i].forms)
			g_string_append_printf(s, "%s, ", form_texts[i].text);
	for (i = 0; sh->words != NULL && sh->words[i] != NULL; i++)
		g_string_append_printf(s, "%s, ", sh->words[i]);
	g_string_append(s, "any");
	return g_string_free(s, FALSE);
}

static gboolean
bad_form(const SimExpShape *sh, const SimToken *t, GError **error)
{
	g_autofree char *d = sim_token_describe(t);
	g_autofree char *forms = shape_describe(sh);

	sim_tok_error(error, t, "%s is not an expectation here (expected "
	    "%s)", d,
	    forms);
	return FALSE;
}

/* Check pass: is t a well-formed expectation of shape sh? */
static gboolean
check_expect_tok(SimExec *x, const SimExpShape *sh, const SimToken *t,
    GError **error)
{
	const char *w = sim_token_word(t);
	guint f = sh->forms;
	SimObj *o;
	guint32 key;

	if (w != NULL && strcmp(w, "any") == 0)
		return TRUE;
	switch (t->kind) {
	case SIM_TOK_ERRNO:
		return (f & SIM_X_STATUS) || bad_form(sh, t, error);
	case SIM_TOK_INT:
		if (t->neg && t->mag > G_MAXINT32)
			return bad_form(sh, t, error);
		if (t->neg || !(f & SIM_X_NUM))
			return ((f & SIM_X_STATUS) && (t->neg ||
			    t->mag == 0)) || bad_form(sh, t, error);
		return TRUE;
	case SIM_TOK_VAR:
		return (f & SIM_X_VAR) || bad_form(sh, t, error);
	case SIM_TOK_STRING:
		return (f & SIM_X_STRING) || bad_form(sh, t, error);
	case SIM_TOK_WORD:
		break;
	default:
		return bad_form(sh, t, error);
	}
	if (strcmp(w, "ok") == 0)
		return (f & SIM_X_STATUS) || bad_form(sh, t, error);
	if (sh->words != NULL && g_strv_contains(sh->words, w))
		return TRUE;
	if (g_str_has_prefix(w, "cookie("))
		return ((f & SIM_X_COOKIE) || bad_form(sh, t, error)) &&
		    inner_obj(x, t, "cookie(", SIM_OBJ_SOCK, &o, error);
	if (g_str_has_prefix(w, "map("))
		return ((f & SIM_X_MAPREF) || bad_form(sh, t, error)) &&
		    inner_obj(x, t, "map(", SIM_OBJ_MAP, &o, error);
	if (g_str_has_prefix(w, "member("))
		return ((f & SIM_X_MEMBER) || bad_form(sh, t, error)) &&
		    inner_obj(x, t, "member(", SIM_OBJ_SOCK, &o, error);
	if (strchr(w, ':') != NULL)
		return ((f & SIM_X_SLOT) || bad_form(sh, t, error)) &&
		    slot_ref(x, t, &o, &key, error);
	if (strchr(w, '(') != NULL || !(f & (SIM_X_SOCK | SIM_X_GROUPOF))) {
		const char *hint = sh->words != NULL ?
		    sim_suggest(w, (const char *const *)sh->words,
		    g_strv_length((char **)sh->words)) : NULL;

		if (hint != NULL) {
			sim_tok_error(error, t, "unknown expectation '%s', "
			    "did you "
			    "mean '%s'?", w, hint);
			return FALSE;
		}
		return bad_form(sh, t, error);
	}
	return sim_names_resolve(x->names, t, SIM_OBJ_SOCK, &o, error);
}

/* ---------------------------------------------------------------------
 * Counted traffic (send ... repeat=N): none to S..., all to S..., each of
 * S... at least K, S=K, dropped=K, refused=K, failed=K
 */

static gboolean
is_word(const SimToken *t, const char *w)
{
	const char *tw = sim_token_word(t);

	return tw != NULL && strcmp(tw, w) == 0;
}

/* A word that starts a clause, not a socket name. */
static gboolean
clause_word(const SimToken *t)
{
	return t->kind != SIM_TOK_WORD || is_word(t, "none") ||
	    is_word(t, "all") || is_word(t, "each") || is_word(t, "at") ||
	    is_word(t, "any");
}

/* The packets socket o received (*hashed: of them, by the hash). */
static guint32
counted(const SimCounts *c, const SimObj *o, guint32 *hashed)
{
	guint i;

	*hashed = 0;
	for (i = 0; o->bound && o->id != 0 && i < c->nsock; i++)
		if (c->s[i].sock == o->id) {
			*hashed = c->s[i].hashed;
			return c->s[i].n;
		}
	return 0;
}

static gboolean
count_tok(const SimToken *t, guint32 *out, GError **error)
{
	if (t == NULL || t->kind != SIM_TOK_INT || t->neg ||
	    t->mag > G_MAXUINT32) {
		if (t != NULL)
			sim_tok_error(error, t, "expected a packet count, got "
			    "'%s'", t->text);
		return FALSE;
	}
	*out = (guint32)t->mag;
	return TRUE;
}

/* S=K, dropped=K, refused=K or failed=K.  c NULL: the check pass. */
static gboolean
count_kv(SimExec *x, const SimCounts *c, const SimToken *t, gboolean *ok,
    gboolean *unsure, GError **error)
{
	static const char *const outcomes[] = { "dropped", "refused",
	    "failed", NULL };
	SimToken s = sub_token(t, t->name, 0);
	guint32 want, got, hashed = 0;
	SimObj *o;

	if (!count_tok(t->value, &want, error))
		return FALSE;
	if (g_strv_contains(outcomes, t->name)) {
		if (c != NULL)
			got = t->name[0] == 'd' ? c->dropped : t->name[0] ==
			    'r' ? c->refused : c->failed;
		else
			got = want;
	} else if (!sim_names_resolve(x->names, &s, SIM_OBJ_SOCK, &o,
	    error)) {
		return FALSE;
	} else {
		got = c != NULL ? counted(c, o, &hashed) : want;
	}
	/* a backend that cannot choose the hash (the kernel): how many
	 * of a group's packets each member gets is its own hash's say */
	if (hashed != 0 && x->insp == NULL)
		*unsure = TRUE;
	else if (got != want)
		*ok = FALSE;
	return TRUE;
}

/*
 * Check (r NULL) or evaluate the counted expectation toks against r.
 * *unsure: a per-socket count was not checked (see count_kv()).
 */
SimMatch
sim_expect_counts(SimExec *x, const SimResult *r, const GPtrArray *toks,
    gboolean *unsure, GError **error)
{
	const SimCounts *c = r != NULL ? &r->v.counts : NULL;
	gboolean ok = TRUE;
	guint i = 0;

	*unsure = FALSE;
	if (toks->len == 1 && is_word(toks->pdata[0], "any"))
		return SIM_MATCH;
	while (i < toks->len) {
		const SimToken *t = toks->pdata[i], *at = t;
		const char *prep;
		guint32 sum = 0, least = G_MAXUINT32, k, got, hashed;
		guint listed = 0;
		SimObj *o;

		if (t->kind == SIM_TOK_KV) {
			if (!count_kv(x, c, t, &ok, unsure, error))
				return SIM_MATCH_ERROR;
			i++;
			continue;
		}
		if (!is_word(t, "none") && !is_word(t, "all") &&
		    !is_word(t, "each")) {
			sim_tok_error(error, t, "'%s' is not an expectation of "
			    "counted traffic (expected none to S..., all to "
			    "S..., each of S... at least K, S=K, dropped=K, "
			    "refused=K, failed=K; or any alone)", t->text);
			return SIM_MATCH_ERROR;
		}
		prep = is_word(t, "each") ? "of" : "to";
		if (++i >= toks->len || !is_word(toks->pdata[i], prep)) {
			const SimToken *bad = i < toks->len ? toks->pdata[i] :
			    t;

			sim_tok_error(error, bad, "expected '%s' after '%s'",
			    prep, t->text);
			return SIM_MATCH_ERROR;
		}
		for (i++; i < toks->len && !clause_word(toks->pdata[i]);
		    i++) {
			if (!sim_names_resolve(x->names, toks->pdata[i],
			    SIM_OBJ_SOCK, &o, error))
				return SIM_MATCH_ERROR;
			got = c != NULL ? counted(c, o, &hashed) : 0;
			sum += got;
			least = MIN(least, got);
			listed++;
		}
		if (listed == 0) {
			sim_tok_error(error, at, "'%s %s' needs socket names",
			    at->text, prep);
			return SIM_MATCH_ERROR;
		}
		if (is_word(at, "each")) {
			if (i + 2 >= toks->len || !is_word(toks->pdata[i],
			    "at") || !is_word(toks->pdata[i + 1], "least")) {
				const SimToken *bad = i < toks->len ?
				    toks->pdata[i] : at;

				sim_tok_error(error, bad, "expected 'at least "
				    "K' after 'each of' and its sockets");
				return SIM_MATCH_ERROR;
			}
			if (!count_tok(toks->pdata[i + 2], &k, error))
				return SIM_MATCH_ERROR;
			i += 3;
			if (c != NULL && least < k)
				ok = FALSE;
		} else if (is_word(at, "none")) {
			if (c != NULL && sum != 0)
				ok = FALSE;
		} else if (c != NULL && sum != c->sent) {
			ok = FALSE;
		}
	}
	return ok ? SIM_MATCH : SIM_MISMATCH;
}

/* Check pass: the default expectation and every override of st. */
gboolean
sim_expect_check(SimExec *x, const SimStmt *st, const SimExpShape *sh,
    GError **error)
{
	guint i;

	if (sh == NULL)
		return TRUE;	/* the handler failed before knowing it */
	/* expect has no default: say what the state must be, per profile */
	if (st->expect == NULL && !(sh->forms & (SIM_X_STATUS |
	    SIM_X_COUNTS))) {
		g_autoptr(GPtrArray) profs = sim_scenario_profiles(x->sc, NULL);

		for (i = 0; i < profs->len; i++) {
			if (sim_stmt_expect_for(st, profs->pdata[i]) != NULL)
				continue;
			sim_set_error_at(error, SIM_ERROR_INPUT, st->file,
			    st->line, st->verb_col, "'%s' needs an expectation "
			    "for profile %s (= VALUE)", st->verb,
			    (const char *)profs->pdata[i]);
			return FALSE;
		}
	}
	for (i = 0; i <= st->overrides->len; i++) {
		const GPtrArray *toks;

		if (i < st->overrides->len) {
			const SimOverride *ov = st->overrides->pdata[i];

			if (rp_profile_find(ov->profile) == NULL) {
				sim_set_error_at(error, SIM_ERROR_INPUT,
				    ov->file, ov->line, ov->col, "unknown "
				    "profile '%s'", ov->profile);
				return FALSE;
			}
			toks = ov->tokens;
		} else {
			toks = st->expect;
		}
		if (toks == NULL)
			continue;
		if (sh->forms & SIM_X_COUNTS) {
			gboolean unsure;

			if (sim_expect_counts(x, NULL, toks, &unsure, error) ==
			    SIM_MATCH_ERROR)
				return FALSE;
			continue;
		}
		/* one value, or alternatives: A | B | C (concurrency) */
		for (guint j = 0; j < toks->len; j++) {
			const SimToken *t = toks->pdata[j];
			gboolean bar = sim_token_word(t) != NULL &&
			    strcmp(sim_token_word(t), "|") == 0;

			if (j % 2 == 1 && !bar) {
				sim_tok_error(error, t, "one expectation token "
				    "expected, got more (alternatives are "
				    "written A | B)");
				return FALSE;
			}
			if (j % 2 == 0 && bar) {
				sim_tok_error(error, t, "'|' needs an "
				    "expectation on each side");
				return FALSE;
			}
			if (j % 2 == 0 &&
			    !check_expect_tok(x, sh, t, error))
				return FALSE;
		}
		if (toks->len % 2 == 0) {
			sim_tok_error(error, (const SimToken *)toks->pdata[
			    toks->len - 1], "'|' needs an expectation on each "
			    "side");
			return FALSE;
		}
	}
	return TRUE;
}

/*
 * The word a text value is rendered as, and compared by: the text
 * quoted as the language writes strings ("web", "a\x00b").  Interned:
 * it lives as long as the program and needs no freeing.
 */
const char *
sim_string_word(const char *bytes, gsize len)
{
	g_autoptr(GString) q = g_string_new("\"");
	gsize i;

	for (i = 0; i < len; i++) {
		guchar c = (guchar)bytes[i];

		if (c == '"' || c == '\\')
			g_string_append_printf(q, "\\%c", c);
		else if (c >= 0x20 && c < 0x7f)
			g_string_append_c(q, (char)c);
		else
			g_string_append_printf(q, "\\x%02x", c);
	}
	g_string_append_c(q, '"');
	return g_intern_string(q->str);
}

/* Success: no errno, a send got delivered, a comparison holds. */
gboolean
sim_result_ok(const SimResult *r)
{
	return r->err == 0 && (r->v.kind != SIM_V_DELIVERY ||
	    r->v.d.outcome == RP_DELIVERED) && (r->v.kind != SIM_V_TRUTH ||
	    r->v.num != 0);
}

static gboolean
addr_eq(const struct rp_addr *a, const struct rp_addr *b)
{
	return a->family == b->family && memcmp(a->a, b->a,
	    a->family == RP_AF_INET ? 4 : 16) == 0;
}

/* The group id of socket o (0: none or unknown). */
static unsigned
group_of(SimExec *x, unsigned sock)
{
	struct rp_sock_info in;

	if (x->insp == NULL || sock == 0 ||
	    x->insp->sock_info(x->be, sock, &in) != 0)
		return 0;
	return in.group;
}

/* Does the value v stand for socket o (as an occupant, a receiver or,
 * for group values, a group o is in)? */
static gboolean
sock_matches(SimExec *x, const SimValue *v, const SimObj *o)
{
	if (!o->bound || o->id == 0)
		return FALSE;
	switch (v->kind) {
	case SIM_V_SOCK:
		return v->id == o->id;
	case SIM_V_DELIVERY:
		return v->d.outcome == RP_DELIVERED && v->d.sock == o->id;
	case SIM_V_GROUP:
		return v->id != 0 && group_of(x, o->id) == v->id;
	default:
		return FALSE;
	}
}

/* The bound address of socket id, through an open fd of any name it
 * has (a closed name may have been dup'ed or passed first). */
static gboolean
local_addr(SimExec *x, unsigned id, struct rp_sockaddr *sa)
{
	const GPtrArray *order = sim_names_order(x->names);
	guint i;

	for (i = 0; id != 0 && i < order->len; i++) {
		const SimObj *o = order->pdata[i];

		if (o->kind == SIM_OBJ_SOCK && o->id == id &&
		    sim_obj_open_fd(o) >= 0 &&
		    x->ops->getsockname(x->be, o->proc, o->fd, sa) == 0)
			return TRUE;
	}
	return FALSE;
}

/*
 * Is socket id in the group of o?  With model-only queries the group says
 * it; without (a kernel), members share family, address and port (I10).
 */
static gboolean
same_group(SimExec *x, unsigned id, const SimObj *o)
{
	struct rp_sockaddr a, b;

	if (!o->bound)
		return FALSE;
	if (x->insp != NULL)
		return group_of(x, o->id) != 0 &&
		    group_of(x, o->id) == group_of(x, id);
	return local_addr(x, id, &a) && local_addr(x, o->id, &b) &&
	    a.port == b.port && addr_eq(&a.addr, &b.addr);
}

static gboolean
word_matches(const SimValue *v, const char *w)
{
	if (v->kind == SIM_V_WORD)
		return strcmp(v->word, w) == 0;
	if (v->kind == SIM_V_TRUTH)
		return strcmp(w, v->num != 0 ? "yes" : "no") == 0;
	if (v->kind == SIM_V_DELIVERY)
		return (strcmp(w, "dropped") == 0 &&
		    v->d.outcome == RP_DROPPED) ||
		    (strcmp(w, "refused") == 0 &&
		    v->d.outcome == RP_NO_SOCKET);
	return FALSE;
}

static gboolean
is_numeric(const SimValue *v)
{
	return v->kind == SIM_V_NUM || v->kind == SIM_V_COOKIE;
}

static gboolean
value_equal(const SimValue *a, const SimValue *b)
{
	if (is_numeric(a) && is_numeric(b))
		return a->num == b->num;
	if (a->kind != b->kind)
		return FALSE;
	switch (a->kind) {
	case SIM_V_NONE:
		return TRUE;
	case SIM_V_WORD:
		return strcmp(a->word, b->word) == 0;
	case SIM_V_TRUTH:
		return (a->num != 0) == (b->num != 0);
	case SIM_V_SLOT:
		return a->id == b->id && a->key == b->key;
	case SIM_V_DELIVERY:
		return a->d.outcome == b->d.outcome && a->d.sock == b->d.sock;
	default:
		return a->id == b->id;
	}
}

/*
 * An operand of a comparison (expect X OP Y): cookie(S) (generated if
 * needed, as `= cookie(S)` is), $x bound to a number or a cookie, or N.
 * The check pass (checking) only checks its form.
 */
gboolean
sim_expect_operand(SimExec *x, const SimToken *t, gboolean checking,
    guint64 *out, GError **error)
{
	const char *w = sim_token_word(t);
	const SimValue *bound;
	SimObj *o;

	*out = 0;
	if (t->kind == SIM_TOK_INT && !t->neg) {
		*out = t->mag;
		return TRUE;
	}
	if (t->kind == SIM_TOK_VAR) {
		if (checking)
			return TRUE;
		bound = g_hash_table_lookup(x->vars, t->name);
		if (bound == NULL || !is_numeric(bound)) {
			sim_tok_error(error, t, "$%s %s", t->name, bound ==
			    NULL ? "is not bound yet" : "is not a number or "
			    "a cookie");
			return FALSE;
		}
		*out = bound->num;
		return TRUE;
	}
	if (w != NULL && g_str_has_prefix(w, "cookie(")) {
		if (!inner_obj(x, t, "cookie(", SIM_OBJ_SOCK, &o, error))
			return FALSE;
		return checking || sim_cookie_of(x, o, out, error);
	}
	sim_tok_error(error, t, "expected cookie(S), $var or a number to "
	    "compare, got '%s'", t->text);
	return FALSE;
}

/* Run pass: does result r meet expectation t (checked already)? */
SimMatch
sim_expect_match(SimExec *x, const SimResult *r, const SimToken *t,
    GError **error)
{
	const char *w = sim_token_word(t);
	const SimValue *v = &r->v;
	SimValue *bound;
	guint64 c;
	guint32 key;
	SimObj *o;

	if (w != NULL && strcmp(w, "any") == 0)
		return SIM_MATCH;
	if (t->kind == SIM_TOK_ERRNO)
		return r->err == -t->errnum ? SIM_MATCH : SIM_MISMATCH;
	if (t->kind == SIM_TOK_INT && t->neg)
		return r->err == -(int)t->mag ? SIM_MATCH : SIM_MISMATCH;
	if ((w != NULL && strcmp(w, "ok") == 0) ||
	    (t->kind == SIM_TOK_INT && !(r->shape->forms & SIM_X_NUM)))
		return sim_result_ok(r) ? SIM_MATCH : SIM_MISMATCH;
	if (r->err != 0)
		return SIM_MISMATCH;
	switch (t->kind) {
	case SIM_TOK_INT:
		return is_numeric(v) && v->num == t->mag ? SIM_MATCH :
		    SIM_MISMATCH;
	case SIM_TOK_VAR:
		bound = g_hash_table_lookup(x->vars, t->name);
		if (bound != NULL)
			return value_equal(bound, v) ? SIM_MATCH : SIM_MISMATCH;
		if (v->kind == SIM_V_NONE)
			return SIM_MISMATCH;
		g_hash_table_insert(x->vars, g_strdup(t->name),
		    g_memdup2(v, sizeof(*v)));
		return SIM_MATCH;
	case SIM_TOK_STRING:
		return v->kind == SIM_V_WORD && strcmp(v->word,
		    sim_string_word(t->bytes, t->len)) == 0 ? SIM_MATCH :
		    SIM_MISMATCH;
	default:
		break;
	}
	if (r->shape->words != NULL && g_strv_contains(r->shape->words, w))
		return word_matches(v, w) ? SIM_MATCH : SIM_MISMATCH;
	if (g_str_has_prefix(w, "cookie(")) {
		if (!inner_obj(x, t, "cookie(", SIM_OBJ_SOCK, &o, error) ||
		    !sim_cookie_of(x, o, &c, error))
			return SIM_MATCH_ERROR;
		return is_numeric(v) && v->num == c ? SIM_MATCH : SIM_MISMATCH;
	}
	if (g_str_has_prefix(w, "map(")) {
		if (!inner_obj(x, t, "map(", SIM_OBJ_MAP, &o, error))
			return SIM_MATCH_ERROR;
		return o->bound && ((v->kind == SIM_V_MAP && v->id == o->id) ||
		    (is_numeric(v) && v->num == o->id)) ? SIM_MATCH :
		    SIM_MISMATCH;
	}
	if (g_str_has_prefix(w, "member(")) {
		if (!inner_obj(x, t, "member(", SIM_OBJ_SOCK, &o, error))
			return SIM_MATCH_ERROR;
		if (v->kind != SIM_V_DELIVERY || v->d.outcome != RP_DELIVERED)
			return SIM_MISMATCH;
		return sock_matches(x, v, o) || same_group(x, v->d.sock, o) ?
		    SIM_MATCH : SIM_MISMATCH;
	}
	if (strchr(w, ':') != NULL) {
		if (!slot_ref(x, t, &o, &key, error))
			return SIM_MATCH_ERROR;
		return v->kind == SIM_V_SLOT && o->bound && v->id == o->id &&
		    v->key == key ? SIM_MATCH : SIM_MISMATCH;
	}
	if (!sim_names_resolve(x->names, t, SIM_OBJ_SOCK, &o, error))
		return SIM_MATCH_ERROR;
	/* a backend that cannot honour hash=N (the kernel) delivers by
	 * its own hash: any member of S's group is the same outcome */
	if (v->kind == SIM_V_DELIVERY && v->hash_chosen && x->insp == NULL &&
	    v->d.outcome == RP_DELIVERED) {
		static const char why[] = SIM_WHY_HASH_N;

		if (sock_matches(x, v, o))
			return SIM_MATCH;
		if (!same_group(x, v->d.sock, o))
			return SIM_MISMATCH;
		sim_pass_unsure_add(x, o->name, why);
		sim_pass_unsure_add(x, sim_names_of(x->names, SIM_OBJ_SOCK,
		    v->d.sock), why);
		sim_pass_unsure_args(x, x->stmt, why);
		sim_pass_note(x, x->stmt, why);
		return SIM_MATCH;
	}
	return sock_matches(x, v, o) ? SIM_MATCH : SIM_MISMATCH;
}

/* "cookie(a)", "$c (c(a))": the expectation as written, and what it is. */
char *
sim_expect_render(const SimExec *x, const SimToken *t)
{
	const SimValue *bound;
	g_autofree char *v = NULL;

	if (t->kind != SIM_TOK_VAR)
		return g_strdup(t->text);
	bound = g_hash_table_lookup(x->vars, t->name);
	if (bound == NULL)
		return g_strdup(t->text);
	v = sim_value_render(x, bound);
	return g_strdup_printf("%s (%s)", t->text, v);
}
