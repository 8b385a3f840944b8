/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * exec.c - the scenario executor: the check pass, the run of a scenario
 * under one profile against a backend, expectations, result contracts,
 * failure reports, and the `run` command over files and directories.
 *
 * A scenario is checked as a whole before anything runs (sim.h): a
 * broken file is reported with every error found and nothing is run.  A
 * run executes the statements in file order (thread blocks one after
 * another), and after each one
 *
 *	1. compares the result with the expectation for the profile
 *	   (sim_stmt_expect_for()),
 *	2. checks the result contracts I14 (lookup) and I16 (selection),
 *	   which handlers report through sim_contract_*(),
 *	3. checks the invariants (the backend's inspect->check()),
 *
 * and a failure stops the scenario unless keep_going.  Each failure is
 * "file:line:col: what" followed by indented lines describing the state
 * of the objects involved.
 */
#include <errno.h>
#include <string.h>

#include "tools/explore.h"
#include "core/sim.h"
#include "lang/suggest.h"

G_DEFINE_QUARK(sim-error-quark, sim_error)

/* Words with a meaning in expectations where a socket name is one too:
 * they cannot name sockets. */
static const char *const reserved_words[] = {
	"any", "ok", "empty", "none", "no", "yes", "dropped", "refused",
	"closed", "freed", NULL,
};

/* Longest map scanned when a failure lists slot occupants. */
#define DESCRIBE_MAX_KEYS	4096u
#define DESCRIBE_MAX_SLOTS	16u

/* ---------------------------------------------------------------------
 * Errors
 */

/* Set *error to "file:line:col: message" in SIM_ERROR with code. */
void
sim_set_error_at(GError **error, int code, const char *file, guint line,
    guint col, const char *fmt, ...)
{
	g_autofree char *msg = NULL;
	va_list ap;

	va_start(ap, fmt);
	msg = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	g_set_error(error, SIM_ERROR, code, "%s:%u:%u: %s", file, line, col,
	    msg);
}

#define tok_error(error, tok, ...) \
	sim_set_error_at((error), SIM_ERROR_INPUT, (tok)->file, (tok)->line, \
	    (tok)->col, __VA_ARGS__)

/* Is this pass the check pass (no backend)? */
gboolean
sim_checking(const SimExec *x)
{
	return x->checking;
}

/* Record a failure of the current step, at its verb. */
static void G_GNUC_PRINTF(2, 3)
step_fail(SimExec *x, const char *fmt, ...)
{
	g_autofree char *msg = NULL;
	const SimStmt *st = x->stmt;
	va_list ap;

	va_start(ap, fmt);
	msg = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	g_ptr_array_add(x->step_msgs, g_strdup_printf("%s:%u:%u: %s",
	    st->file, st->line, st->verb_col, msg));
}

/* ---------------------------------------------------------------------
 * Names
 */

static gboolean
is_reserved(const char *name)
{
	return g_strv_contains(reserved_words, name);
}

/* [A-Za-z_][A-Za-z0-9_.-]*: the shape of object names. */
static gboolean
is_name(const char *s)
{
	if (!g_ascii_isalpha(*s) && *s != '_')
		return FALSE;
	for (s++; *s != '\0'; s++)
		if (!g_ascii_isalnum(*s) && *s != '_' && *s != '.' &&
		    *s != '-')
			return FALSE;
	return TRUE;
}

const char *
sim_obj_kind_name(SimObjKind kinds)
{
	switch ((int)kinds) {
	case SIM_OBJ_SOCK:
		return "a socket";
	case SIM_OBJ_MAP:
		return "a map";
	case SIM_OBJ_PROG:
		return "a program";
	case SIM_OBJ_PROC:
		return "a process";
	case SIM_OBJ_NETNS:
		return "a network namespace";
	case SIM_OBJ_SOCK | SIM_OBJ_MAP:
		return "a socket or a map";
	default:
		return "a socket, map or program";
	}
}

static SimNamespace
ns_of(SimObjKind kinds)
{
	if (kinds & SIM_OBJ_PROC)
		return SIM_NS_PROC;
	if (kinds & SIM_OBJ_NETNS)
		return SIM_NS_NETNS;
	return SIM_NS_FILE;
}

/* by_id[] index of a file kind, -1 for others. */
static int
id_table(SimObjKind kind)
{
	switch ((int)kind) {
	case SIM_OBJ_SOCK:
		return 0;
	case SIM_OBJ_MAP:
		return 1;
	case SIM_OBJ_PROG:
		return 2;
	default:
		return -1;
	}
}

static void
obj_free(SimObj *o)
{
	g_free(o->name);
	g_free(o);
}

static SimObj *
obj_new(SimExec *x, const char *name, SimObjKind kind, const SimToken *def)
{
	SimObj *o = g_new0(SimObj, 1);

	o->name = g_strdup(name);
	o->kind = kind;
	o->def = def;
	o->fd = -1;
	g_hash_table_insert(x->names[ns_of(kind)], o->name, o);
	g_ptr_array_add(x->order, o);
	return o;
}

SimObj *
sim_obj_find(SimExec *x, SimNamespace ns, const char *name)
{
	g_return_val_if_fail(ns < SIM_NS_COUNT && name != NULL, NULL);
	return g_hash_table_lookup(x->names[ns], name);
}

/*
 * Define tok, a WORD, as a new name of kind: it must have the shape of a
 * name, not be reserved and not be defined in its namespace yet.  The
 * object starts unbound.  Return it, or NULL with error set.
 */
SimObj *
sim_obj_define(SimExec *x, SimObjKind kind, const SimToken *tok,
    GError **error)
{
	const char *w = sim_token_word(tok);
	SimObj *old;

	if (w == NULL || !is_name(w)) {
		g_autofree char *d = sim_token_describe(tok);

		tok_error(error, tok, "expected a new name for %s, got %s",
		    sim_obj_kind_name(kind), d);
		return NULL;
	}
	/* socket names compete with keywords in expectations (= empty) */
	if ((kind & SIM_OBJ_SOCK) && is_reserved(w)) {
		tok_error(error, tok, "'%s' is a reserved word and cannot "
		    "name %s", w, sim_obj_kind_name(kind));
		return NULL;
	}
	old = sim_obj_find(x, ns_of(kind), w);
	if (old != NULL && old->def == NULL) {
		tok_error(error, tok, "'%s' is predefined", w);
		return NULL;
	}
	if (old != NULL) {
		tok_error(error, tok, "'%s' is already defined at %s:%u:%u",
		    w, old->def->file, old->def->line, old->def->col);
		return NULL;
	}
	return obj_new(x, w, kind, tok);
}

/*
 * Resolve tok, a name defined earlier, to an object of one of kinds.  The
 * error for an unknown name suggests the nearest defined one.
 */
gboolean
sim_tok_obj(SimExec *x, const SimToken *tok, SimObjKind kinds, SimObj **out,
    GError **error)
{
	const char *w = sim_token_word(tok), *hint;
	SimNamespace ns = ns_of(kinds);
	g_autofree const char **keys = NULL;
	guint n = 0;
	SimObj *o;

	if (w == NULL) {
		g_autofree char *d = sim_token_describe(tok);

		tok_error(error, tok, "expected %s name, got %s",
		    sim_obj_kind_name(kinds), d);
		return FALSE;
	}
	o = sim_obj_find(x, ns, w);
	if (o == NULL) {
		keys = (const char **)g_hash_table_get_keys_as_array(
		    x->names[ns], &n);
		hint = sim_suggest(w, keys, n);
		if (hint != NULL)
			tok_error(error, tok, "unknown name '%s' (expected %s),"
			    " did you mean '%s'?", w, sim_obj_kind_name(kinds),
			    hint);
		else
			tok_error(error, tok, "unknown name '%s' (expected %s "
			    "defined before use)", w, sim_obj_kind_name(kinds));
		return FALSE;
	}
	if ((o->kind & kinds) == 0) {
		tok_error(error, tok, "'%s' is %s, expected %s", w,
		    sim_obj_kind_name(o->kind), sim_obj_kind_name(kinds));
		return FALSE;
	}
	*out = o;
	return TRUE;
}

static void
index_id(SimExec *x, SimObj *o)
{
	int t = id_table(o->kind);

	/* the first name bound to an object is its name in messages */
	if (t >= 0 && o->id != 0 &&
	    !g_hash_table_contains(x->by_id[t], GUINT_TO_POINTER(o->id)))
		g_hash_table_insert(x->by_id[t], GUINT_TO_POINTER(o->id), o);
}

/* Bind o to fd of process proc, and to the backend id behind it. */
void
sim_obj_bind_fd(SimExec *x, SimObj *o, unsigned proc, int fd)
{
	o->bound = TRUE;
	o->proc = proc;
	o->fd = fd;
	switch ((int)o->kind) {
	case SIM_OBJ_SOCK:
		o->id = x->ops->sock_id(x->be, proc, fd);
		break;
	case SIM_OBJ_MAP:
		o->id = x->ops->map_id(x->be, proc, fd);
		break;
	case SIM_OBJ_PROG:
		o->id = x->ops->prog_id(x->be, proc, fd);
		break;
	default:
		g_assert_not_reached();	/* only files have fds */
	}
	index_id(x, o);
}

/* Bind o to an id without an fd: a process, a namespace, a TCP child. */
void
sim_obj_bind_id(SimExec *x, SimObj *o, unsigned id)
{
	o->bound = TRUE;
	o->id = id;
	o->fd = -1;
	index_id(x, o);
}

/* The fd o stands for in the current process: -1 when it has none. */
int
sim_obj_fd(const SimExec *x, const SimObj *o)
{
	if ((o->kind & SIM_OBJ_FILE) == 0 || !o->bound || o->fd < 0 ||
	    o->proc != x->proc->id)
		return -1;
	return o->fd;
}

/* The scenario name of a socket, map or program id, or NULL. */
const char *
sim_name_of(const SimExec *x, SimObjKind kind, unsigned id)
{
	int t = id_table(kind);
	const SimObj *o;

	g_return_val_if_fail(t >= 0, NULL);
	o = g_hash_table_lookup(x->by_id[t], GUINT_TO_POINTER(id));
	return o != NULL ? o->name : NULL;
}

/* "a", or "socket 7" for an unnamed one. */
static char *
sock_label(const SimExec *x, unsigned id)
{
	const char *n = sim_name_of(x, SIM_OBJ_SOCK, id);

	return n != NULL ? g_strdup(n) : g_strdup_printf("socket %u", id);
}

static char *
map_label(const SimExec *x, unsigned id)
{
	const char *n = sim_name_of(x, SIM_OBJ_MAP, id);

	return n != NULL ? g_strdup(n) : g_strdup_printf("map %u", id);
}

static char *
group_label(const SimExec *x, unsigned id)
{
	const char *n = sim_trace_group_name(x->trace, id);

	return n != NULL ? g_strdup(n) : g_strdup_printf("#%u", id);
}

/*
 * The cookie of socket o, generated if needed: read from the model when
 * already there, else asked through o's own fd (getsockopt(SO_COOKIE)
 * in the process holding it).  FALSE with error when neither works.
 */
gboolean
sim_cookie_of(SimExec *x, const SimObj *o, guint64 *cookie, GError **error)
{
	const SimStmt *st = x->stmt;
	struct rp_sock_info in;
	uint64_t c = 0;

	if (o->bound && x->insp != NULL &&
	    x->insp->sock_info(x->be, o->id, &in) == 0 && in.cookie != 0) {
		*cookie = in.cookie;
		return TRUE;
	}
	if (o->bound && o->fd >= 0 &&
	    x->ops->get_cookie(x->be, o->proc, o->fd, &c) == 0) {
		*cookie = c;
		return TRUE;
	}
	sim_set_error_at(error, SIM_ERROR_FAIL, st->file, st->line,
	    st->verb_col, "cannot get the cookie of '%s': %s", o->name,
	    !o->bound ? "it was never created" :
	    "it has none and no open fd to ask for one");
	return FALSE;
}

/* The local port of socket o (for ADDR:NAME). */
gboolean
sim_port_of(SimExec *x, const SimObj *o, guint16 *port, GError **error)
{
	const SimStmt *st = x->stmt;
	struct rp_sockaddr sa = { 0 };
	struct rp_sock_info in;

	if (o->bound && o->fd >= 0 &&
	    x->ops->getsockname(x->be, o->proc, o->fd, &sa) == 0 &&
	    sa.port != 0) {
		*port = sa.port;
		return TRUE;
	}
	if (o->bound && x->insp != NULL &&
	    x->insp->sock_info(x->be, o->id, &in) == 0 && in.local.port != 0) {
		*port = in.local.port;
		return TRUE;
	}
	sim_set_error_at(error, SIM_ERROR_FAIL, st->file, st->line,
	    st->verb_col, "socket '%s' has no port to use", o->name);
	return FALSE;
}

/* ---------------------------------------------------------------------
 * Values
 */

/* The name of the socket whose cookie is c, in definition order. */
static const char *
cookie_owner(const SimExec *x, guint64 c)
{
	struct rp_sock_info in;
	guint i;

	for (i = 0; c != 0 && x->insp != NULL && i < x->order->len; i++) {
		const SimObj *o = x->order->pdata[i];

		if (o->kind == SIM_OBJ_SOCK && o->bound &&
		    x->insp->sock_info(x->be, o->id, &in) == 0 &&
		    in.cookie == c)
			return o->name;
	}
	return NULL;
}

/* Render v in scenario words: c(a), map(in), m:3, g1, dropped.  g_free(). */
static char *
value_render(const SimExec *x, const SimValue *v)
{
	const char *n;

	switch (v->kind) {
	case SIM_V_NONE:
		return g_strdup("0");
	case SIM_V_NUM:
		return g_strdup_printf("%" G_GUINT64_FORMAT, v->num);
	case SIM_V_COOKIE:
		if (v->num == 0)
			return g_strdup("0");
		n = cookie_owner(x, v->num);
		if (n != NULL)
			return g_strdup_printf("c(%s)", n);
		return g_strdup_printf("cookie %" G_GUINT64_FORMAT
		    " (of no named socket)", v->num);
	case SIM_V_SOCK:
		return v->id == 0 ? g_strdup("none") : sock_label(x, v->id);
	case SIM_V_MAP: {
		g_autofree char *m = map_label(x, v->id);

		return g_strdup_printf("map(%s)", m);
	}
	case SIM_V_GROUP: {
		g_autofree char *g = group_label(x, v->id);

		return g_strdup_printf("group %s", g);
	}
	case SIM_V_SLOT: {
		g_autofree char *m = map_label(x, v->id);

		return g_strdup_printf("%s:%u", m, v->key);
	}
	case SIM_V_WORD:
		return g_strdup(v->word);
	case SIM_V_DELIVERY:
		if (v->d.outcome == RP_DROPPED)
			return g_strdup("dropped");
		if (v->d.outcome == RP_NO_SOCKET)
			return g_strdup("refused");
		return sock_label(x, v->d.sock);
	}
	return g_strdup("?");	/* LCOV_EXCL_LINE */
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
	case SIM_V_SLOT:
		return a->id == b->id && a->key == b->key;
	case SIM_V_DELIVERY:
		return a->d.outcome == b->d.outcome && a->d.sock == b->d.sock;
	default:
		return a->id == b->id;
	}
}

/* ---------------------------------------------------------------------
 * What the backend cannot do: notes said once per run, and the names
 * whose later checks are skipped because they depend on it
 */

/* Add "file:line:col: not checked: why" unless why was said already. */
static void
note_once(SimExec *x, const SimStmt *st, const char *why)
{
	guint i;

	for (i = 0; i < x->notes->len; i++) {
		const char *n = x->notes->pdata[i];
		const char *w = strstr(n, ": not checked: ");

		if (w != NULL && strcmp(w + strlen(": not checked: "), why) == 0)
			return;
	}
	g_ptr_array_add(x->notes, g_strdup_printf("%s:%u:%u: not checked: %s",
	    st->file, st->line, st->verb_col, why));
}

/* The why of the first unsure name inside word w ("127.0.0.1:a",
 * "cookie(a)", "m:3"), or NULL. */
static const char *
unsure_in_word(SimExec *x, const char *w)
{
	g_auto(GStrv) parts = NULL;
	const char *why = NULL;
	guint i;

	if (w == NULL || g_hash_table_size(x->unsure) == 0)
		return NULL;
	parts = g_strsplit_set(w, ":()[],", -1);
	for (i = 0; why == NULL && parts[i] != NULL; i++)
		why = g_hash_table_lookup(x->unsure, parts[i]);
	return why;
}

/* The word of t, or of its value when t is key=value. */
static const char *
tok_word_or_value(const SimToken *t)
{
	if (t->kind == SIM_TOK_KV && t->value != NULL)
		return sim_token_word(t->value);
	return sim_token_word(t);
}

/* Does st (arguments, or the expectation exp) name an unsure object?
 * Its why, or NULL. */
static const char *
unsure_in_stmt(SimExec *x, const SimStmt *st, const GPtrArray *exp)
{
	const char *why = NULL;
	guint i;

	for (i = 0; why == NULL && i < st->args->len; i++)
		why = unsure_in_word(x, tok_word_or_value(st->args->pdata[i]));
	for (i = 0; why == NULL && exp != NULL && i < exp->len; i++)
		why = unsure_in_word(x, tok_word_or_value(exp->pdata[i]));
	return why;
}

/* Mark name (when it names a socket, map or program) unsure. */
static void
unsure_add(SimExec *x, const char *name, const char *why)
{
	if (name == NULL || sim_obj_find(x, SIM_NS_FILE, name) == NULL ||
	    g_hash_table_contains(x->unsure, name))
		return;
	g_hash_table_insert(x->unsure, g_strdup(name), g_strdup(why));
}

/* Mark every socket, map and program st names in its arguments. */
static void
unsure_add_args(SimExec *x, const SimStmt *st, const char *why)
{
	guint i, j;

	for (i = 0; i < st->args->len; i++) {
		const char *w = tok_word_or_value(st->args->pdata[i]);
		g_auto(GStrv) parts = NULL;

		if (w == NULL)
			continue;
		parts = g_strsplit_set(w, ":()[],", -1);
		for (j = 0; parts[j] != NULL; j++)
			unsure_add(x, parts[j], why);
	}
}

/* ---------------------------------------------------------------------
 * Expectations
 */

/* The name inside "prefix(NAME)" of w, or NULL when w is not one. */
static char *
inner_name(const char *w, const char *prefix)
{
	gsize pl = strlen(prefix), wl = strlen(w);

	if (wl <= pl + 1 || strncmp(w, prefix, pl) != 0 || w[wl - 1] != ')')
		return NULL;
	return g_strndup(w + pl, wl - pl - 1);
}

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
	g_autofree char *name = inner_name(t->text, prefix);
	SimToken s = sub_token(t, name, strlen(prefix));

	return sim_tok_obj(x, &s, kinds, out, error);
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

	if (!sim_tok_obj(x, &s, SIM_OBJ_MAP, map, error))
		return FALSE;
	k = g_ascii_strtoull(colon + 1, &end, 10);
	if (!g_ascii_isdigit(colon[1]) || *end != '\0' || k > G_MAXUINT32) {
		tok_error(error, t, "bad slot '%s' (expected MAP:KEY)",
		    t->text);
		return FALSE;
	}
	*key = (guint32)k;
	return TRUE;
}

/* "0, ok, -ERRNO, N, $var, ... or any": what shape accepts. */
static char *
shape_describe(const SimExpShape *sh)
{
	GString *s = g_string_new(NULL);
	guint i;

	if (sh->forms & SIM_X_STATUS)
		g_string_append(s, "0, ok, -ERRNO, ");
	if (sh->forms & SIM_X_NUM)
		g_string_append(s, "N, ");
	if (sh->forms & SIM_X_VAR)
		g_string_append(s, "$var, ");
	if (sh->forms & SIM_X_COOKIE)
		g_string_append(s, "cookie(S), ");
	if (sh->forms & SIM_X_MAPREF)
		g_string_append(s, "map(M), ");
	if (sh->forms & (SIM_X_SOCK | SIM_X_GROUPOF))
		g_string_append(s, "a socket name, ");
	if (sh->forms & SIM_X_MEMBER)
		g_string_append(s, "member(S), ");
	if (sh->forms & SIM_X_SLOT)
		g_string_append(s, "M:K, ");
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

	tok_error(error, t, "%s is not an expectation here (expected %s)", d,
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
			tok_error(error, t, "unknown expectation '%s', did you "
			    "mean '%s'?", w, hint);
			return FALSE;
		}
		return bad_form(sh, t, error);
	}
	return sim_tok_obj(x, t, SIM_OBJ_SOCK, &o, error);
}

/* Check pass: the default expectation and every override of st. */
static gboolean
check_expectations(SimExec *x, const SimStmt *st, const SimExpShape *sh,
    GError **error)
{
	guint i;

	if (sh == NULL)
		return TRUE;	/* the handler failed before knowing it */
	/* expect has no default: say what the state must be, per profile */
	if (st->expect == NULL && !(sh->forms & SIM_X_STATUS)) {
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
		/* one value, or alternatives: A | B | C (concurrency) */
		for (guint j = 0; j < toks->len; j++) {
			const SimToken *t = toks->pdata[j];
			gboolean bar = sim_token_word(t) != NULL &&
			    strcmp(sim_token_word(t), "|") == 0;

			if (j % 2 == 1 && !bar) {
				tok_error(error, t, "one expectation token "
				    "expected, got more (alternatives are "
				    "written A | B)");
				return FALSE;
			}
			if (j % 2 == 0 && bar) {
				tok_error(error, t, "'|' needs an "
				    "expectation on each side");
				return FALSE;
			}
			if (j % 2 == 0 &&
			    !check_expect_tok(x, sh, t, error))
				return FALSE;
		}
		if (toks->len % 2 == 0) {
			tok_error(error, (const SimToken *)toks->pdata[
			    toks->len - 1], "'|' needs an expectation on each "
			    "side");
			return FALSE;
		}
	}
	return TRUE;
}

typedef enum {
	MATCH,
	MISMATCH,
	MATCH_ERROR,
} Match;

/* Success: no errno, and a send got delivered. */
static gboolean
status_ok(const SimResult *r)
{
	return r->err == 0 && (r->v.kind != SIM_V_DELIVERY ||
	    r->v.d.outcome == RP_DELIVERED);
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
	guint i;

	for (i = 0; id != 0 && i < x->order->len; i++) {
		const SimObj *o = x->order->pdata[i];

		if (o->kind == SIM_OBJ_SOCK && o->bound && o->id == id &&
		    o->fd >= 0 &&
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
	if (v->kind == SIM_V_DELIVERY)
		return (strcmp(w, "dropped") == 0 &&
		    v->d.outcome == RP_DROPPED) ||
		    (strcmp(w, "refused") == 0 &&
		    v->d.outcome == RP_NO_SOCKET);
	return FALSE;
}

/* Run pass: does result r meet expectation t (checked already)? */
static Match
match_tok(SimExec *x, const SimResult *r, const SimToken *t, GError **error)
{
	const char *w = sim_token_word(t);
	const SimValue *v = &r->v;
	SimValue *bound;
	guint64 c;
	guint32 key;
	SimObj *o;

	if (w != NULL && strcmp(w, "any") == 0)
		return MATCH;
	if (t->kind == SIM_TOK_ERRNO)
		return r->err == -t->errnum ? MATCH : MISMATCH;
	if (t->kind == SIM_TOK_INT && t->neg)
		return r->err == -(int)t->mag ? MATCH : MISMATCH;
	if ((w != NULL && strcmp(w, "ok") == 0) ||
	    (t->kind == SIM_TOK_INT && !(r->shape->forms & SIM_X_NUM)))
		return status_ok(r) ? MATCH : MISMATCH;
	if (r->err != 0)
		return MISMATCH;
	switch (t->kind) {
	case SIM_TOK_INT:
		return is_numeric(v) && v->num == t->mag ? MATCH : MISMATCH;
	case SIM_TOK_VAR:
		bound = g_hash_table_lookup(x->vars, t->name);
		if (bound != NULL)
			return value_equal(bound, v) ? MATCH : MISMATCH;
		if (v->kind == SIM_V_NONE)
			return MISMATCH;
		g_hash_table_insert(x->vars, g_strdup(t->name),
		    g_memdup2(v, sizeof(*v)));
		return MATCH;
	default:
		break;
	}
	if (r->shape->words != NULL && g_strv_contains(r->shape->words, w))
		return word_matches(v, w) ? MATCH : MISMATCH;
	if (g_str_has_prefix(w, "cookie(")) {
		if (!inner_obj(x, t, "cookie(", SIM_OBJ_SOCK, &o, error) ||
		    !sim_cookie_of(x, o, &c, error))
			return MATCH_ERROR;
		return is_numeric(v) && v->num == c ? MATCH : MISMATCH;
	}
	if (g_str_has_prefix(w, "map(")) {
		if (!inner_obj(x, t, "map(", SIM_OBJ_MAP, &o, error))
			return MATCH_ERROR;
		return o->bound && ((v->kind == SIM_V_MAP && v->id == o->id) ||
		    (is_numeric(v) && v->num == o->id)) ? MATCH : MISMATCH;
	}
	if (g_str_has_prefix(w, "member(")) {
		if (!inner_obj(x, t, "member(", SIM_OBJ_SOCK, &o, error))
			return MATCH_ERROR;
		if (v->kind != SIM_V_DELIVERY || v->d.outcome != RP_DELIVERED)
			return MISMATCH;
		return sock_matches(x, v, o) || same_group(x, v->d.sock, o) ?
		    MATCH : MISMATCH;
	}
	if (strchr(w, ':') != NULL) {
		if (!slot_ref(x, t, &o, &key, error))
			return MATCH_ERROR;
		return v->kind == SIM_V_SLOT && o->bound && v->id == o->id &&
		    v->key == key ? MATCH : MISMATCH;
	}
	if (!sim_tok_obj(x, t, SIM_OBJ_SOCK, &o, error))
		return MATCH_ERROR;
	/* a backend that cannot honour hash=N (the kernel) delivers by
	 * its own hash: any member of S's group is the same outcome */
	if (v->kind == SIM_V_DELIVERY && v->hash_chosen && x->insp == NULL &&
	    v->d.outcome == RP_DELIVERED) {
		static const char why[] = "hash=N: the backend cannot choose "
		    "the packet hash; its own hash chose another member, and "
		    "the sockets involved are not checked afterwards";

		if (sock_matches(x, v, o))
			return MATCH;
		if (!same_group(x, v->d.sock, o))
			return MISMATCH;
		unsure_add(x, o->name, why);
		unsure_add(x, sim_name_of(x, SIM_OBJ_SOCK, v->d.sock), why);
		unsure_add_args(x, x->stmt, why);
		note_once(x, x->stmt, why);
		return MATCH;
	}
	return sock_matches(x, v, o) ? MATCH : MISMATCH;
}

/* "cookie(a)", "$c (c(a))": the expectation as written, and what it is. */
static char *
expect_render(const SimExec *x, const SimToken *t)
{
	const SimValue *bound;
	g_autofree char *v = NULL;

	if (t->kind != SIM_TOK_VAR)
		return g_strdup(t->text);
	bound = g_hash_table_lookup(x->vars, t->name);
	if (bound == NULL)
		return g_strdup(t->text);
	v = value_render(x, bound);
	return g_strdup_printf("%s (%s)", t->text, v);
}

static char *
result_render(const SimExec *x, const SimResult *r)
{
	if (r->err != 0)
		return sim_err_string(r->err);
	return value_render(x, &r->v);
}

/* The result r of the current step in scenario words: -EBUSY, c(a), m:3,
 * dropped.  g_free(). */
char *
sim_result_render(const SimExec *x, const SimResult *r)
{
	return result_render(x, r);
}

/* ---------------------------------------------------------------------
 * State descriptions
 */

/* "a: listen, group g1 pos 0 (2 listening, 0 closed), in m:0, c(a)" */
static void
describe_sock(SimExec *x, unsigned id, GString *out)
{
	g_autofree char *name = sock_label(x, id);
	struct rp_sock_info in;
	struct rp_group_info g;

	g_string_append_printf(out, "\n  %s: ", name);
	if (x->insp->sock_info(x->be, id, &in) != 0) {
		g_string_append(out, "freed");
		return;
	}
	g_string_append(out, sim_state_name(in.state));
	if (in.closed)
		g_string_append(out, ", closed");
	if (!in.hashed && in.local.port != 0)
		g_string_append(out, ", bound, unhashed");
	if (in.group != 0 && x->insp->group_info(x->be, in.group, &g) == 0) {
		g_autofree char *gn = group_label(x, in.group);

		if (in.group_closed)
			g_string_append_printf(out, ", group %s closed "
			    "section pos %d", gn, in.group_pos);
		else
			g_string_append_printf(out, ", group %s pos %d", gn,
			    in.group_pos);
		g_string_append_printf(out, " (%u listening, %u closed)",
		    g.num_socks, g.num_closed_socks);
	} else {
		g_string_append(out, ", no group");
	}
	if (in.owner == RP_OWNER_SLOT) {
		g_autofree char *m = map_label(x, in.owner_map);

		g_string_append_printf(out, ", in %s:%u", m, in.owner_idx);
	} else if (in.owner != RP_OWNER_NONE) {
		g_string_append_printf(out, ", owner %s",
		    in.owner == RP_OWNER_STALE ? "stale" :
		    in.owner == RP_OWNER_PSOCK ? "psock" : "foreign");
	}
	if (in.cookie != 0)
		g_string_append_printf(out, ", cookie c(%s)", name);
}

/* "m: sockarray, 2 of 4 slots used: 0=a 3=b" */
static void
describe_map(SimExec *x, unsigned id, GString *out)
{
	g_autofree char *name = map_label(x, id);
	struct rp_map_info mi;
	guint32 k, shown = 0;

	g_string_append_printf(out, "\n  %s: ", name);
	if (x->insp->map_info(x->be, id, &mi) != 0) {
		g_string_append(out, "freed");
		return;
	}
	g_string_append_printf(out, "%s, %u of %u slots used",
	    sim_map_type_name(mi.type), mi.used, mi.max_entries);
	for (k = 0; k < MIN(mi.max_entries, DESCRIBE_MAX_KEYS) &&
	    shown < DESCRIBE_MAX_SLOTS; k++) {
		unsigned occ = x->insp->map_slot(x->be, id, k);
		g_autofree char *o = NULL;

		if (occ == 0)
			continue;
		o = mi.type == RP_MAP_ARRAY_OF_MAPS ||
		    mi.type == RP_MAP_HASH_OF_MAPS ? map_label(x, occ) :
		    sock_label(x, occ);
		g_string_append_printf(out, "%s %u=%s", shown == 0 ? ":" : "",
		    k, o);
		shown++;
	}
	if (shown < mi.used)
		g_string_append(out, " ...");
}

/* Add the object a word of a statement names, if any, to seen. */
static void
note_word(SimExec *x, const char *w, GPtrArray *seen)
{
	g_autofree char *name = NULL;
	const char *const prefixes[] = { "cookie(", "map(", "member(" };
	const char *colon;
	SimObj *o;
	guint i;

	for (i = 0; i < G_N_ELEMENTS(prefixes) && name == NULL; i++)
		name = inner_name(w, prefixes[i]);
	colon = strchr(w, ':');
	if (name == NULL && colon != NULL && w[0] != '[')
		name = g_strndup(w, (gsize)(colon - w));
	o = sim_obj_find(x, SIM_NS_FILE, name != NULL ? name : w);
	if (o != NULL && o->bound && (o->kind == SIM_OBJ_SOCK ||
	    o->kind == SIM_OBJ_MAP) && !g_ptr_array_find(seen, o, NULL))
		g_ptr_array_add(seen, o);
}

static void
note_tokens(SimExec *x, const GPtrArray *toks, GPtrArray *seen)
{
	guint i;

	for (i = 0; toks != NULL && i < toks->len; i++) {
		const SimToken *t = toks->pdata[i];

		if (t->kind == SIM_TOK_KV)
			t = t->value;
		if (t->kind == SIM_TOK_WORD)
			note_word(x, t->text, seen);
	}
}

/*
 * Append, one indented line each, the state of the sockets and maps st
 * and its expectation name, and of the socket in the result.  Nothing
 * without model-only queries.
 */
static void
describe_involved(SimExec *x, const SimStmt *st, const GPtrArray *exp,
    const SimResult *r, GString *out)
{
	g_autoptr(GPtrArray) seen = g_ptr_array_new();
	unsigned extra = 0;
	guint i;

	if (x->insp == NULL)
		return;
	note_tokens(x, st->args, seen);
	note_tokens(x, exp, seen);
	if (r != NULL && r->err == 0 && r->v.kind == SIM_V_SOCK)
		extra = r->v.id;
	if (r != NULL && r->err == 0 && r->v.kind == SIM_V_DELIVERY &&
	    r->v.d.outcome == RP_DELIVERED)
		extra = r->v.d.sock;
	for (i = 0; i < seen->len; i++) {
		const SimObj *o = seen->pdata[i];

		if (o->kind == SIM_OBJ_MAP)
			describe_map(x, o->id, out);
		else
			describe_sock(x, o->id, out);
		if (o->kind == SIM_OBJ_SOCK && o->id == extra)
			extra = 0;
	}
	if (extra != 0)
		describe_sock(x, extra, out);
}

/* Append "socket 5 = a" lines for the model ids a checker message uses. */
static void
describe_ids(SimExec *x, const char *msg, GString *out)
{
	static const char *const words[] = { "socket ", "map ", "group " };
	g_autoptr(GHashTable) done = g_hash_table_new_full(g_str_hash,
	    g_str_equal, g_free, NULL);
	const char *p;
	guint i;

	for (p = msg; *p != '\0'; p++) {
		for (i = 0; i < G_N_ELEMENTS(words); i++) {
			gsize wl = strlen(words[i]);
			g_autofree char *key = NULL, *name = NULL;
			unsigned id;
			char *end;

			if (strncmp(p, words[i], wl) != 0 ||
			    !g_ascii_isdigit(p[wl]) ||
			    (p > msg && g_ascii_isalpha(p[-1])))
				continue;
			id = (unsigned)strtoul(p + wl, &end, 10);
			key = g_strdup_printf("%s%u", words[i], id);
			if (g_hash_table_contains(done, key))
				continue;
			name = i == 0 ? g_strdup(sim_name_of(x, SIM_OBJ_SOCK,
			    id)) : i == 1 ? g_strdup(sim_name_of(x, SIM_OBJ_MAP,
			    id)) : g_strdup(sim_trace_group_name(x->trace, id));
			if (name != NULL)
				g_string_append_printf(out, "\n  %s= %s", key,
				    name);
			g_hash_table_add(done, g_steal_pointer(&key));
		}
	}
}

/* ---------------------------------------------------------------------
 * Result contracts
 */

/*
 * I14: a syscall lookup on a sockarray (or sockmap/sockhash) with 4-byte
 * values returns ENOSPC whatever the key; with 8-byte values ENOENT or
 * exactly the occupant's cookie.  Results of checks that come first
 * (fd, flags, permissions: other errnos) are not lookups of the slot.
 */
void
sim_contract_lookup(SimExec *x, const SimObj *m, guint32 key, int err,
    guint64 value)
{
	g_autofree char *occ_name = NULL;
	struct rp_sock_info in;
	unsigned occ;

	if (!m->bound || (m->map_type != RP_MAP_REUSEPORT_SOCKARRAY &&
	    m->map_type != RP_MAP_SOCKMAP && m->map_type != RP_MAP_SOCKHASH))
		return;
	if (err != 0 && err != -ENOENT && err != -ENOSPC)
		return;
	if (m->value_size == 4) {
		if (err != -ENOSPC)
			step_fail(x, "I14 lookup: map '%s' has 4-byte values, "
			    "but the lookup of key %u returned %s instead of "
			    "-ENOSPC", m->name, key, err == 0 ? "a value" :
			    "-ENOENT");
		return;
	}
	if (err == -ENOSPC) {
		step_fail(x, "I14 lookup: map '%s' has %u-byte values, but the "
		    "lookup of key %u returned -ENOSPC", m->name,
		    m->value_size, key);
		return;
	}
	/* under explore another thread may have changed the slot since */
	if (x->insp == NULL || x->concurrent)
		return;
	occ = x->insp->map_slot(x->be, m->id, key);
	occ_name = sock_label(x, occ);
	if (err == -ENOENT && occ != 0)
		step_fail(x, "I14 lookup: key %u of '%s' returned -ENOENT, but "
		    "the slot holds %s", key, m->name, occ_name);
	else if (err == 0 && occ == 0)
		step_fail(x, "I14 lookup: key %u of '%s' returned %" G_GUINT64_FORMAT
		    ", but the slot is empty", key, m->name, value);
	else if (err == 0 && (x->insp->sock_info(x->be, occ, &in) != 0 ||
	    in.cookie != value))
		step_fail(x, "I14 lookup: key %u of '%s' returned %"
		    G_GUINT64_FORMAT ", not the cookie of the occupant %s",
		    key, m->name, value, occ_name);
}

/*
 * I16: a delivery goes to exactly one socket, a live member of the
 * receiving group (when a group selected), never a closed socket.
 */
void
sim_contract_send(SimExec *x, const struct rp_delivery *d)
{
	g_autofree char *name = NULL, *gn = NULL;
	struct rp_sock_info in;

	/* under explore the group may have changed since the selection:
	 * the model checks the chosen socket inside its RCU section */
	if (d->outcome != RP_DELIVERED || x->insp == NULL || x->concurrent)
		return;
	name = sock_label(x, d->sock);
	if (d->sock == 0 || x->insp->sock_info(x->be, d->sock, &in) != 0) {
		step_fail(x, "I16 selection: delivered to %s, which does not "
		    "exist", name);
		return;
	}
	if (in.closed) {
		step_fail(x, "I16 selection: delivered to %s, a closed socket",
		    name);
		return;
	}
	if (d->group == 0)
		return;
	gn = group_label(x, d->group);
	if (in.group != d->group)
		step_fail(x, "I16 selection: delivered to %s, which is not a "
		    "member of the receiving group %s", name, gn);
	else if (in.group_closed)
		step_fail(x, "I16 selection: delivered to %s, in the closed "
		    "section of group %s", name, gn);
}

/* ---------------------------------------------------------------------
 * Passes
 */

static void
value_free(gpointer p)
{
	g_free(p);
}

static SimExec *
exec_new(const SimScenario *sc, gboolean checking)
{
	SimExec *x = g_new0(SimExec, 1);
	SimObj *init;
	guint i;

	x->sc = sc;
	x->checking = checking;
	for (i = 0; i < SIM_NS_COUNT; i++)
		x->names[i] = g_hash_table_new_full(g_str_hash, g_str_equal,
		    NULL, (GDestroyNotify)obj_free);
	for (i = 0; i < G_N_ELEMENTS(x->by_id); i++)
		x->by_id[i] = g_hash_table_new(g_direct_hash, g_direct_equal);
	x->vars = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
	    value_free);
	x->step_msgs = g_ptr_array_new_with_free_func(g_free);
	x->order = g_ptr_array_new();
	x->unsure = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
	    g_free);
	x->notes = g_ptr_array_new_with_free_func(g_free);
	init = obj_new(x, "init", SIM_OBJ_PROC, NULL);
	init->bound = TRUE;
	obj_new(x, "init", SIM_OBJ_NETNS, NULL)->bound = TRUE;
	x->proc = init;
	return x;
}

static void
exec_free(SimExec *x)
{
	guint i;

	if (x == NULL)
		return;
	for (i = 0; i < SIM_NS_COUNT; i++)
		g_hash_table_unref(x->names[i]);
	for (i = 0; i < G_N_ELEMENTS(x->by_id); i++)
		g_hash_table_unref(x->by_id[i]);
	g_hash_table_unref(x->vars);
	g_ptr_array_unref(x->step_msgs);
	g_ptr_array_unref(x->order);
	g_hash_table_unref(x->unsure);
	g_ptr_array_unref(x->notes);
	g_free(x->rest);
	sim_trace_free(x->trace);
	g_free(x);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC(SimExec, exec_free)

/* Set x->proc from the label of st ("init" without one). */
static gboolean
stmt_proc(SimExec *x, const SimStmt *st, GError **error)
{
	SimToken t = { 0 };

	x->proc = sim_obj_find(x, SIM_NS_PROC, "init");
	if (st->label == NULL)
		return TRUE;
	t.kind = SIM_TOK_WORD;
	t.text = st->label;
	t.file = st->file;
	t.line = st->line;
	t.col = st->col;
	return sim_tok_obj(x, &t, SIM_OBJ_PROC, &x->proc, error);
}

/* The verb of st, or an error suggesting the nearest one. */
static const SimVerb *
stmt_verb(const SimStmt *st, GError **error)
{
	const SimVerb *v = sim_verb_find(st->verb), *tab;
	g_autofree const char **names = NULL;
	const char *hint;
	gsize n, i;

	if (v != NULL)
		return v;
	tab = sim_verbs(&n);
	names = g_new(const char *, n);
	for (i = 0; i < n; i++)
		names[i] = tab[i].name;
	hint = sim_suggest(st->verb, names, n);
	if (hint != NULL)
		sim_set_error_at(error, SIM_ERROR_INPUT, st->file, st->line,
		    st->verb_col, "unknown verb '%s', did you mean '%s'?",
		    st->verb, hint);
	else
		sim_set_error_at(error, SIM_ERROR_INPUT, st->file, st->line,
		    st->verb_col, "unknown verb '%s' (reuseport-sim "
		    "list-verbs lists them)", st->verb);
	return NULL;
}

/* Argument count and key=value keys of st against its verb's row. */
static gboolean
check_args(const SimVerb *v, const SimStmt *st, GError **error)
{
	g_autoptr(GHashTable) keys = g_hash_table_new(g_str_hash, g_str_equal);
	guint i, npos = 0;

	for (i = 0; i < st->args->len; i++) {
		const SimToken *t = st->args->pdata[i];
		const char *hint;

		if (t->kind != SIM_TOK_KV) {
			if (++npos > v->max_args) {
				tok_error(error, t, "too many arguments for "
				    "'%s' (usage: %s %s)", v->name, v->name,
				    v->usage);
				return FALSE;
			}
			continue;
		}
		if (v->keys == NULL || !g_strv_contains(v->keys, t->name)) {
			hint = v->keys != NULL ? sim_suggest(t->name, v->keys,
			    g_strv_length((char **)v->keys)) : NULL;
			if (hint != NULL)
				tok_error(error, t, "unknown key '%s' for "
				    "'%s', did you mean '%s'?", t->name,
				    v->name, hint);
			else
				tok_error(error, t, "unknown key '%s' for "
				    "'%s' (usage: %s %s)", t->name, v->name,
				    v->name, v->usage);
			return FALSE;
		}
		if (!g_hash_table_add(keys, t->name)) {
			tok_error(error, t, "duplicate key '%s'", t->name);
			return FALSE;
		}
	}
	if (npos < v->min_args) {
		sim_set_error_at(error, SIM_ERROR_INPUT, st->file, st->line,
		    st->verb_col, "too few arguments for '%s' (usage: %s %s)",
		    v->name, v->name, v->usage);
		return FALSE;
	}
	return TRUE;
}

/* Check one statement; FALSE with its first error. */
static gboolean
check_stmt(SimExec *x, const SimStmt *st, GError **error)
{
	SimResult r = { 0 };
	const SimVerb *v;

	x->stmt = st;
	if (!stmt_proc(x, st, error))
		return FALSE;
	v = stmt_verb(st, error);
	if (v == NULL || !check_args(v, st, error))
		return FALSE;
	r.shape = v->shape;
	if (!v->fn(x, st, &r, error))
		return FALSE;
	return check_expectations(x, st, r.shape, error);
}

/*
 * Find where profile name is written in the profile line of sc's file, for
 * a message: the parser keeps no position for it.  Falls back to 1:1.
 */
static void
profile_pos(const SimScenario *sc, const char *name, guint *line, guint *col)
{
	g_autofree char *buf = NULL;
	g_auto(GStrv) lines = NULL;
	guint i, j;

	*line = *col = 1;
	if (!g_file_get_contents(sc->path, &buf, NULL, NULL))
		return;
	lines = g_strsplit(buf, "\n", -1);
	for (i = 0; lines[i] != NULL; i++) {
		g_autoptr(GPtrArray) toks = sim_lex_line(sc->path, i + 1,
		    lines[i], strlen(lines[i]), NULL, NULL);
		const char *w;

		if (toks == NULL || toks->len == 0)
			continue;
		w = sim_token_word(toks->pdata[0]);
		if (w == NULL || strcmp(w, "profile") != 0)
			continue;
		for (j = 1; j < toks->len; j++) {
			const SimToken *t = toks->pdata[j];

			if (strcmp(t->text, name) == 0) {
				*line = t->line;
				*col = t->col;
				return;
			}
		}
	}
}

/* The names of the model's profiles, NULL-terminated.  g_free(). */
static const char **
profile_names(void)
{
	GPtrArray *a = g_ptr_array_new();
	const struct rp_profile *p;
	gsize i;

	for (i = 0; (p = rp_profile_nth(i)) != NULL; i++)
		g_ptr_array_add(a, (char *)rp_profile_name(p));
	g_ptr_array_add(a, NULL);
	return (const char **)g_ptr_array_free(a, FALSE);
}

/* Every profile sc declares must exist in the model. */
static void
check_profiles(const SimScenario *sc, GPtrArray *errors)
{
	g_autofree const char **known = profile_names();
	guint i, line, col;

	for (i = 0; i < sc->profiles->len; i++) {
		const char *p = sc->profiles->pdata[i];
		const char *hint;

		if (rp_profile_find(p) != NULL)
			continue;
		profile_pos(sc, p, &line, &col);
		hint = sim_suggest(p, known, g_strv_length((char **)known));
		if (hint != NULL)
			g_ptr_array_add(errors, g_strdup_printf("%s:%u:%u: "
			    "unknown profile '%s', did you mean '%s'?",
			    sc->path, line, col, p, hint));
		else
			g_ptr_array_add(errors, g_strdup_printf("%s:%u:%u: "
			    "unknown profile '%s'", sc->path, line, col, p));
	}
}

/*
 * The check pass: validate every statement of sc (verb, arguments, names
 * defined before use, expectations and overrides) and its profiles.
 * Append each error, "file:line:col: message", to errors (at most one
 * per statement) and return TRUE when there was none.
 */
gboolean
sim_check_scenario(const SimScenario *sc, GPtrArray *errors)
{
	g_autoptr(SimExec) x = NULL;
	guint i, before;

	g_return_val_if_fail(sc != NULL && errors != NULL, FALSE);
	before = errors->len;
	check_profiles(sc, errors);
	x = exec_new(sc, TRUE);
	for (i = 0; i < sc->stmts->len; i++) {
		g_autoptr(GError) err = NULL;

		if (!check_stmt(x, sc->stmts->pdata[i], &err))
			g_ptr_array_add(errors, g_strdup(err->message));
	}
	return errors->len == before;
}

/*
 * The profiles sc runs under, in the model's order: those it declares
 * (all when it declares none) that are also in selected (NULL: all).
 * A new array of static strings.
 */
GPtrArray *
sim_scenario_profiles(const SimScenario *sc, char *const *selected)
{
	GPtrArray *out = g_ptr_array_new();
	const struct rp_profile *p;
	gsize i;

	for (i = 0; (p = rp_profile_nth(i)) != NULL; i++) {
		const char *n = rp_profile_name(p);

		if (sc->profiles->len > 0 && !g_ptr_array_find_with_equal_func(
		    sc->profiles, n, g_str_equal, NULL))
			continue;
		if (selected != NULL &&
		    !g_strv_contains((const char *const *)selected, n))
			continue;
		g_ptr_array_add(out, (char *)n);
	}
	return out;
}

/* The socket whose cookie is c, asked without side effects where the
 * backend can (the model), else through the fds of named sockets. */
static const char *
cookie_name(SimExec *x, guint64 c)
{
	guint i;

	if (x->insp != NULL)
		return cookie_owner(x, c);
	for (i = 0; i < x->order->len; i++) {
		const SimObj *o = x->order->pdata[i];
		uint64_t k = 0;

		if (o->kind == SIM_OBJ_SOCK && o->bound && o->fd >= 0 &&
		    x->ops->get_cookie(x->be, o->proc, o->fd, &k) == 0 &&
		    k == c)
			return o->name;
	}
	return NULL;
}

/* r in words that do not depend on the backend (for diff). */
static char *
step_result(SimExec *x, const SimResult *r)
{
	const SimValue *v = &r->v;
	const char *n;

	if (r->err != 0)
		return sim_err_string(r->err);
	switch (v->kind) {
	case SIM_V_COOKIE:
		if (v->num == 0)
			return g_strdup("0");
		n = cookie_name(x, v->num);
		return n != NULL ? g_strdup_printf("c(%s)", n) :
		    g_strdup("a cookie of no named socket");
	case SIM_V_GROUP:
		return g_strdup(v->id != 0 ? "a group" : "none");
	default:
		break;
	}
	return value_render(x, v);
}

static void
step_free(gpointer p)
{
	SimStep *s = p;

	g_free(s->result);
	g_free(s->why);
	g_free(s);
}

/* An array for SimReport.steps. */
GPtrArray *
sim_steps_new(void)
{
	return g_ptr_array_new_with_free_func(step_free);
}

/* The backend cannot carry st out (r->err is SIM_CANNOT or
 * SIM_CANNOT_REST): say why once, and skip what depends on it. */
static void
cannot(SimExec *x, const SimStmt *st, SimResult *r)
{
	const char *why = x->ops->why != NULL ? x->ops->why(x->be) : NULL;
	g_autofree char *w = g_strdup_printf("the %s backend cannot do "
	    "'%s'%s%s", x->ops->name, st->verb, why != NULL ? ": " : "",
	    why != NULL ? why : "");

	r->skipped = TRUE;
	if (r->err == SIM_CANNOT_REST) {
		x->rest = g_strdup_printf("%s:%u:%u: %s; the rest of the "
		    "scenario depends on it", st->file, st->line,
		    st->verb_col, w);
		return;
	}
	note_once(x, st, w);
	unsure_add_args(x, st, w);
}

/*
 * Run one statement and check everything about it.  Append the failures
 * to msgs; return FALSE when there was one.
 */
static gboolean
run_stmt(SimExec *x, const SimStmt *st, GPtrArray *msgs, SimResult *rout)
{
	g_autoptr(GError) err = NULL;
	const GPtrArray *exp = sim_stmt_expect_for(st, x->profile);
	SimResult r = { 0 };
	const SimVerb *v;
	const char *why = NULL;
	guint before = msgs->len, i;
	Match m = MATCH;

	x->stmt = st;
	g_ptr_array_set_size(x->step_msgs, 0);
	if (!stmt_proc(x, st, &err) || (v = stmt_verb(st, &err)) == NULL) {
		g_ptr_array_add(msgs, g_strdup(err->message));
		return FALSE;	/* LCOV_EXCL_LINE: the check pass saw it */
	}
	sim_trace_step(x->trace, st);
	r.shape = v->shape;
	if (!v->fn(x, st, &r, &err)) {
		m = MATCH_ERROR;
	} else if (r.err == SIM_CANNOT || r.err == SIM_CANNOT_REST) {
		cannot(x, st, &r);
	} else if ((why = unsure_in_stmt(x, st, exp)) != NULL) {
		/* depends on something the backend could not do */
		r.skipped = TRUE;
		unsure_add_args(x, st, why);
	} else if (r.skipped) {
		note_once(x, st, x->insp == NULL ? "expect: the backend has "
		    "no internal state to look at" : "skipped by the backend");
	} else if (exp != NULL) {
		/* alternatives: the first that matches wins */
		for (i = 0; i < exp->len; i += 2) {
			m = match_tok(x, &r, exp->pdata[i], &err);
			if (m != MISMATCH)
				break;
		}
	} else if (!status_ok(&r)) {
		m = MISMATCH;
	}
	if (m == MATCH_ERROR) {
		GString *s = g_string_new(err->message);

		describe_involved(x, st, exp, NULL, s);
		g_ptr_array_add(msgs, g_string_free(s, FALSE));
	} else if (m == MISMATCH) {
		const SimToken *t = exp != NULL ? exp->pdata[0] : NULL;
		g_autofree char *want = t != NULL ? expect_render(x, t) :
		    g_strdup(r.v.kind == SIM_V_DELIVERY ? "delivery" :
		    "success");

		for (i = 2; exp != NULL && i < exp->len; i += 2) {
			g_autofree char *alt = expect_render(x,
			    exp->pdata[i]);
			char *both = g_strdup_printf("%s or %s", want, alt);

			g_free(want);
			want = both;
		}
		g_autofree char *got = result_render(x, &r);
		GString *s = g_string_new(NULL);

		g_string_printf(s, "%s:%u:%u: expected %s, got %s", st->file,
		    st->line, t != NULL ? t->col : st->verb_col, want, got);
		describe_involved(x, st, exp, &r, s);
		g_ptr_array_add(msgs, g_string_free(s, FALSE));
	}
	for (i = 0; i < x->step_msgs->len; i++) {
		GString *s = g_string_new(x->step_msgs->pdata[i]);

		describe_involved(x, st, exp, &r, s);
		g_ptr_array_add(msgs, g_string_free(s, FALSE));
	}
	if (x->results != NULL)
		g_ptr_array_add(x->results, m == MATCH_ERROR ? g_strdup("error") :
		    result_render(x, &r));
	if (x->steps != NULL) {
		SimStep *sp = g_new0(SimStep, 1);

		sp->st = st;
		sp->ok = msgs->len == before;
		if (m == MATCH_ERROR)
			sp->why = g_strdup(err->message);
		else if (r.skipped)
			sp->why = g_strdup(x->rest != NULL ? x->rest :
			    why != NULL ? why : "not checked by the backend");
		else
			sp->result = step_result(x, &r);
		sp->by_hash = r.v.kind == SIM_V_DELIVERY && r.err == 0 &&
		    r.v.d.outcome == RP_DELIVERED &&
		    r.v.d.how == RP_HOW_HASH;
		g_ptr_array_add(x->steps, sp);
	}
	g_clear_error(&err);
	if (rout != NULL)
		*rout = r;
	if (x->concurrent)
		return msgs->len == before;	/* explore.c checks */
	if (x->insp != NULL && !x->insp->check(x->be, &err)) {
		GString *s = g_string_new(NULL);

		g_string_printf(s, "%s:%u:%u: invariant violated: %s",
		    st->file, st->line, st->verb_col, err->message);
		describe_ids(x, err->message, s);
		g_ptr_array_add(msgs, g_string_free(s, FALSE));
	}
	if (r.v.kind == SIM_V_DELIVERY && r.v.hash_chosen && x->insp == NULL)
		note_once(x, st, "hash=N: the backend cannot choose the packet "
		    "hash: any member of the expected socket's group is "
		    "accepted");
	return msgs->len == before;
}

/* Free what report holds and reset it. */
void
sim_report_clear(SimReport *report)
{
	g_clear_pointer(&report->messages, g_ptr_array_unref);
	g_clear_pointer(&report->skip, g_free);
	g_clear_pointer(&report->notes, g_ptr_array_unref);
	g_clear_pointer(&report->steps, g_ptr_array_unref);
	if (report->trace != NULL)
		g_string_free(report->trace, TRUE);
	report->trace = NULL;
	report->passed = FALSE;
}

/*
 * Run sc, already checked, under profile on a fresh instance of ops (the
 * model when NULL), and fill report: passed, the failure messages, and
 * the trace when trace is not SIM_TRACE_OFF.  A failure stops the run
 * unless keep_going.  When the backend cannot be opened, report->skip
 * says why and nothing runs.  report must be zeroed or cleared.
 */
void
sim_run_scenario(const SimScenario *sc, const char *profile,
    const SimBackendOps *ops, SimTraceLevel trace, gboolean keep_going,
    SimReport *report)
{
	sim_run_scenario_hooked(sc, profile, ops, trace, keep_going, NULL,
	    report);
}

/* The observer of a hooked run: the trace sink, then the hooks' one. */
static void
tee_event(void *ud, const struct rp_event *ev)
{
	SimExec *x = ud;

	sim_trace_observer()->event(x->trace, ev);
	x->hooks->observer->event(x->hooks->ud, ev);
}

static const struct rp_observer tee_observer = {
	.event = tee_event,
};

/*
 * sim_run_scenario() with per-step hooks (NULL: none): hooks->observer
 * sees every event of the run (lock events too), hooks->step is called
 * after each statement with its result and the failures it added, and
 * hooks->done once at the end, while x still holds its name tables.
 */
void
sim_run_scenario_hooked(const SimScenario *sc, const char *profile,
    const SimBackendOps *ops, SimTraceLevel trace, gboolean keep_going,
    const SimStepHooks *hooks, SimReport *report)
{
	g_autoptr(SimExec) x = NULL;
	g_autoptr(GError) err = NULL;
	guint i;

	g_return_if_fail(sc != NULL && profile != NULL && report != NULL);
	if (sim_explore_has_schedule(sc)) {
		/* threads interleaved as the schedule says */
		sim_explore_run_schedule(sc, profile, ops, trace, report);
		return;
	}
	report->messages = g_ptr_array_new_with_free_func(g_free);
	report->passed = TRUE;
	x = exec_new(sc, FALSE);
	x->profile = profile;
	x->ops = ops != NULL ? ops : &sim_backend_model;
	x->trace = sim_trace_new(trace);
	x->hooks = hooks;
	x->be = x->ops->open(profile, &err);
	if (x->be == NULL) {
		/* not root, not this kernel: the backend cannot say */
		g_autofree char *self = g_strdup_printf("%s backend",
		    x->ops->name);

		report->skip = g_str_has_prefix(err->message, self) ?
		    g_strdup(err->message) : g_strdup_printf("%s: %s", self,
		    err->message);
		report->passed = FALSE;
		return;
	}
	x->insp = x->ops->inspect;
	x->steps = report->steps;
	if (x->insp != NULL && hooks != NULL && hooks->observer != NULL)
		x->insp->set_observer(x->be, &tee_observer, x);
	else if (x->insp != NULL)
		x->insp->set_observer(x->be, sim_trace_observer(), x->trace);
	for (i = 0; i < sc->stmts->len && x->rest == NULL; i++) {
		guint before = report->messages->len;
		SimResult r = { 0 };
		gboolean ok;

		ok = run_stmt(x, sc->stmts->pdata[i], report->messages, &r);
		if (hooks != NULL && hooks->step != NULL)
			hooks->step(hooks->ud, x, i, sc->stmts->pdata[i], &r,
			    ok ? NULL : report->messages, before);
		if (ok)
			continue;
		report->passed = FALSE;
		if (!keep_going)
			break;
	}
	if (x->rest != NULL && report->passed) {
		report->skip = g_strdup(x->rest);	/* nothing failed before */
		report->passed = FALSE;
	}
	else if (x->rest != NULL)
		g_ptr_array_add(x->notes, g_strdup_printf("not run: %s",
		    x->rest));
	report->notes = g_ptr_array_ref(x->notes);
	if (hooks != NULL && hooks->done != NULL)
		hooks->done(hooks->ud, x);
	if (trace != SIM_TRACE_OFF) {
		report->trace = g_string_new(NULL);
		sim_trace_format(x->trace, x, report->trace);
	}
	x->ops->close(x->be);
}

/* ---------------------------------------------------------------------
 * The run command: files and directories in, one result per scenario
 * and profile out
 */

typedef SimInput Input;

static void
input_free(gpointer p)
{
	Input *in = p;

	g_free(in->path);
	g_free(in->name);
	sim_scenario_free(in->sc);
	g_free(in);
}

static void
input_add(GPtrArray *inputs, const char *path, const char *name)
{
	Input *in = g_new0(Input, 1);

	in->path = g_strdup(path);
	in->name = g_strdup(name);
	g_ptr_array_add(inputs, in);
}

static gint
str_cmp(gconstpointer a, gconstpointer b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Add the *.scn files below dir (shown as rel/...), sorted by name, at
 * each level; hidden entries are skipped.  FALSE after an error. */
static gboolean
collect_dir(const char *dir, const char *rel, GPtrArray *inputs, FILE *err)
{
	g_autoptr(GError) e = NULL;
	g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
	gboolean ok = TRUE;
	const char *n;
	GDir *d;
	guint i;

	d = g_dir_open(dir, 0, &e);
	if (d == NULL) {
		fprintf(err, "reuseport-sim: %s\n", e->message);
		return FALSE;
	}
	while ((n = g_dir_read_name(d)) != NULL)
		if (n[0] != '.')
			g_ptr_array_add(names, g_strdup(n));
	g_dir_close(d);
	g_ptr_array_sort(names, str_cmp);
	for (i = 0; i < names->len; i++) {
		const char *name = names->pdata[i];
		g_autofree char *full = g_build_filename(dir, name, NULL);
		g_autofree char *r = rel != NULL ?
		    g_build_filename(rel, name, NULL) : g_strdup(name);

		if (g_file_test(full, G_FILE_TEST_IS_DIR))
			ok = collect_dir(full, r, inputs, err) && ok;
		else if (g_str_has_suffix(name, ".scn"))
			input_add(inputs, full, r);
	}
	return ok;
}

/* Parse and check every input; print every error.  FALSE on any. */
static gboolean
load_inputs(GPtrArray *inputs, FILE *err)
{
	g_autoptr(GPtrArray) errors = g_ptr_array_new_with_free_func(g_free);
	gboolean ok = TRUE;
	guint i, j;

	for (i = 0; i < inputs->len; i++) {
		Input *in = inputs->pdata[i];
		g_autoptr(GError) e = NULL;

		in->sc = sim_parse_file(in->path, &e);
		if (in->sc == NULL) {
			fprintf(err, "%s\n", e->message);
			ok = FALSE;
			continue;
		}
		g_ptr_array_set_size(errors, 0);
		if (sim_check_scenario(in->sc, errors))
			continue;
		for (j = 0; j < errors->len; j++)
			fprintf(err, "%s\n", (char *)errors->pdata[j]);
		ok = FALSE;
	}
	return ok;
}

/* Write s as a JSON string. */
static void
json_string(FILE *out, const char *s)
{
	fputc('"', out);
	for (; *s != '\0'; s++) {
		guchar c = (guchar)*s;

		if (c == '"' || c == '\\')
			fprintf(out, "\\%c", c);
		else if (c == '\n')
			fputs("\\n", out);
		else if (c == '\t')
			fputs("\\t", out);
		else if (c < 0x20)
			fprintf(out, "\\u%04x", c);
		else
			fputc(c, out);
	}
	fputc('"', out);
}

/* Write the lines of text, each after prefix. */
static void
put_lines(FILE *out, const char *prefix, const char *text)
{
	g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
	guint i;

	for (i = 0; lines[i] != NULL; i++) {
		if (lines[i][0] == '\0' && lines[i + 1] == NULL)
			break;		/* the trailing newline */
		fprintf(out, "%s%s\n", prefix, lines[i]);
	}
}

static void
json_lines(FILE *out, const char *key, const char *text)
{
	g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
	guint i, n = 0;

	fprintf(out, ",\"%s\":[", key);
	for (i = 0; lines[i] != NULL; i++) {
		if (lines[i][0] == '\0' && lines[i + 1] == NULL)
			break;
		if (n++ > 0)
			fputc(',', out);
		json_string(out, lines[i]);
	}
	fputc(']', out);
}

/* A failure as {"error":"FIRST LINE","state":["LINE",...]}: the state
 * lines lose their indentation. */
static void
json_failure(FILE *out, gboolean comma, const char *msg)
{
	const char *nl = strchr(msg, '\n');
	g_autofree char *first = g_strndup(msg, nl != NULL ?
	    (gsize)(nl - msg) : strlen(msg));
	g_auto(GStrv) lines = g_strsplit(nl != NULL ? nl + 1 : "", "\n", -1);
	guint i;

	fputs(comma ? ",{\"error\":" : "{\"error\":", out);
	json_string(out, first);
	fputs(",\"state\":[", out);
	for (i = 0; nl != NULL && lines[i] != NULL; i++) {
		if (i > 0)
			fputc(',', out);
		json_string(out, g_strchug(lines[i]));
	}
	fputs("]}", out);
}

/* The notes of rep (checks the backend skipped), one a line. */
static void
put_notes(FILE *out, const char *prefix, const SimReport *rep)
{
	guint i;

	for (i = 0; rep->notes != NULL && i < rep->notes->len; i++)
		fprintf(out, "%s%s\n", prefix, (char *)rep->notes->pdata[i]);
}

/* The counts of one `run` and where its results go. */
typedef struct {
	const SimRunOptions	*o;
	guint			 n;	/* results written */
	guint			 passed, failed, skipped;
} Output;

/*
 * Write one result.  rep NULL: skipped, no selected profile; rep->skip:
 * skipped, the backend could not run it.
 */
static void
put_result(Output *w, const char *name, const char *profile,
    const SimReport *rep)
{
	FILE *out = w->o->out;
	const char *skip = rep == NULL ? "no selected profile" : rep->skip;
	const char *verdict = skip != NULL ? "skip" : rep->passed ? "pass" :
	    "fail";
	guint i;

	w->n++;
	if (skip != NULL)
		w->skipped++;
	else if (rep->passed)
		w->passed++;
	else
		w->failed++;
	switch (w->o->format) {
	case SIM_FORMAT_TEXT:
		if (rep == NULL) {
			fprintf(out, "SKIP %s (%s)\n", name, skip);
			return;
		}
		if (skip != NULL) {
			fprintf(out, "SKIP %s [%s] (%s)\n", name, profile, skip);
			put_notes(out, "    note: ", rep);
			return;
		}
		if (rep->trace != NULL)
			put_lines(out, "", rep->trace->str);
		fprintf(out, "%s %s [%s]\n", rep->passed ? "PASS" : "FAIL",
		    name, profile);
		for (i = 0; i < rep->messages->len; i++)
			put_lines(out, "    ", rep->messages->pdata[i]);
		put_notes(out, "    note: ", rep);
		break;
	case SIM_FORMAT_TAP:
		if (rep == NULL) {
			fprintf(out, "ok %u - %s # SKIP %s\n", w->n, name,
			    skip);
			return;
		}
		if (skip != NULL) {
			fprintf(out, "ok %u - %s [%s] # SKIP %s\n", w->n, name,
			    profile, skip);
			put_notes(out, "# note: ", rep);
			return;
		}
		if (rep->trace != NULL)
			put_lines(out, "# ", rep->trace->str);
		fprintf(out, "%s %u - %s [%s]\n", rep->passed ? "ok" :
		    "not ok", w->n, name, profile);
		for (i = 0; i < rep->messages->len; i++)
			put_lines(out, "# ", rep->messages->pdata[i]);
		put_notes(out, "# note: ", rep);
		break;
	case SIM_FORMAT_JSON:
		fputs("{\"type\":\"result\",\"file\":", out);
		json_string(out, name);
		fputs(",\"profile\":", out);
		if (profile != NULL)
			json_string(out, profile);
		else
			fputs("null", out);
		fprintf(out, ",\"result\":\"%s\"", verdict);
		if (rep != NULL && rep->notes != NULL &&
		    rep->notes->len > 0) {
			fputs(",\"notes\":[", out);
			for (i = 0; i < rep->notes->len; i++) {
				if (i > 0)
					fputc(',', out);
				json_string(out, rep->notes->pdata[i]);
			}
			fputc(']', out);
		}
		if (skip != NULL) {
			fputs(",\"reason\":", out);
			json_string(out, skip);
		} else {
			fputs(",\"failures\":[", out);
			for (i = 0; i < rep->messages->len; i++)
				json_failure(out, i > 0,
				    rep->messages->pdata[i]);
			fputc(']', out);
			if (rep->trace != NULL)
				json_lines(out, "trace", rep->trace->str);
		}
		fputs("}\n", out);
		break;
	}
}

static void
put_summary(Output *w)
{
	FILE *out = w->o->out;

	switch (w->o->format) {
	case SIM_FORMAT_TEXT:
		fprintf(out, "scenarios: %u passed, %u failed, %u skipped\n",
		    w->passed, w->failed, w->skipped);
		break;
	case SIM_FORMAT_TAP:
		fprintf(out, "# scenarios: %u passed, %u failed, %u skipped\n",
		    w->passed, w->failed, w->skipped);
		break;
	case SIM_FORMAT_JSON:
		fprintf(out, "{\"type\":\"summary\",\"passed\":%u,"
		    "\"failed\":%u,\"skipped\":%u}\n", w->passed, w->failed,
		    w->skipped);
		break;
	}
}

/* Every selected profile must exist in the model. */
static gboolean
check_selected(char *const *selected, FILE *err)
{
	g_autofree const char **known = profile_names();
	gboolean ok = TRUE;
	guint i;

	for (i = 0; selected != NULL && selected[i] != NULL; i++) {
		const char *hint;

		if (rp_profile_find(selected[i]) != NULL)
			continue;
		hint = sim_suggest(selected[i], known,
		    g_strv_length((char **)known));
		if (hint != NULL)
			fprintf(err, "reuseport-sim: unknown profile '%s', "
			    "did you mean '%s'?\n", selected[i], hint);
		else
			fprintf(err, "reuseport-sim: unknown profile '%s'\n",
			    selected[i]);
		ok = FALSE;
	}
	return ok;
}

/*
 * The run command: find the scenarios of paths (files, and *.scn files
 * below directories, sorted), parse and check all of them, and only then
 * run each under every selected profile it declares, writing one result
 * per scenario and profile and a summary.  Return the exit status:
 * SIM_EXIT_OK, SIM_EXIT_FAIL when a scenario failed, SIM_EXIT_USAGE when
 * the input is bad (nothing is run then).
 */
int
sim_run_paths(const SimRunOptions *opts, char *const *paths, gsize n)
{
	g_autoptr(GPtrArray) inputs = g_ptr_array_new_with_free_func(
	    input_free);
	Output w = { opts, 0, 0, 0, 0 };
	gboolean ok = TRUE;
	guint total = 0, i, j;

	g_return_val_if_fail(opts != NULL && opts->out != NULL &&
	    opts->err != NULL, SIM_EXIT_USAGE);
	if (!check_selected(opts->profiles, opts->err))
		return SIM_EXIT_USAGE;
	for (i = 0; i < n; i++) {
		if (g_file_test(paths[i], G_FILE_TEST_IS_DIR)) {
			ok = collect_dir(paths[i], NULL, inputs, opts->err) &&
			    ok;
		} else if (g_file_test(paths[i], G_FILE_TEST_EXISTS)) {
			input_add(inputs, paths[i], paths[i]);
		} else {
			fprintf(opts->err, "reuseport-sim: %s: no such file "
			    "or directory\n", paths[i]);
			ok = FALSE;
		}
	}
	if (!ok || !load_inputs(inputs, opts->err))
		return SIM_EXIT_USAGE;

	for (i = 0; i < inputs->len; i++) {
		const Input *in = inputs->pdata[i];
		g_autoptr(GPtrArray) profs = sim_scenario_profiles(in->sc,
		    opts->profiles);

		total += MAX(profs->len, 1);
	}
	if (opts->format == SIM_FORMAT_TAP)
		fprintf(opts->out, "1..%u\n", total);
	for (i = 0; i < inputs->len; i++) {
		const Input *in = inputs->pdata[i];
		g_autoptr(GPtrArray) profs = sim_scenario_profiles(in->sc,
		    opts->profiles);

		if (profs->len == 0)
			put_result(&w, in->name, NULL, NULL);
		for (j = 0; j < profs->len; j++) {
			SimReport rep = { 0 };

			sim_run_scenario(in->sc, profs->pdata[j],
			    opts->backend, opts->trace, opts->keep_going, &rep);
			put_result(&w, in->name, profs->pdata[j], &rep);
			sim_report_clear(&rep);
		}
		fflush(opts->out);
	}
	put_summary(&w);
	return w.failed > 0 ? SIM_EXIT_FAIL : SIM_EXIT_OK;
}

/* ---------------------------------------------------------------------
 * Entry points for the interleaving explorer (explore.c)
 */

/* A run of sc under profile on a fresh instance of ops (the model when
 * NULL), with nothing run yet; NULL and error when the backend cannot be
 * opened. */
SimExec *
sim_exec_open(const SimScenario *sc, const char *profile,
    const SimBackendOps *ops, SimTraceLevel trace, GError **error)
{
	SimExec *x = exec_new(sc, FALSE);

	x->profile = profile;
	x->ops = ops != NULL ? ops : &sim_backend_model;
	x->trace = sim_trace_new(trace);
	x->be = x->ops->open(profile, error);
	if (x->be == NULL) {
		exec_free(x);
		return NULL;
	}
	x->insp = x->ops->inspect;
	if (x->insp != NULL)
		x->insp->set_observer(x->be, sim_trace_observer(), x->trace);
	return x;
}

/* Run st and check it as sim_run_scenario() does; failures go to msgs. */
gboolean
sim_exec_stmt(SimExec *x, const SimStmt *st, GPtrArray *msgs)
{
	return run_stmt(x, st, msgs, NULL);
}

/* "file:line:col: invariant violated: ..." with the objects involved, or
 * NULL when the invariants hold. */
char *
sim_exec_check(SimExec *x, const SimStmt *st)
{
	g_autoptr(GError) err = NULL;
	GString *s;

	if (x->insp == NULL || x->insp->check(x->be, &err))
		return NULL;
	s = g_string_new(NULL);
	if (st != NULL)
		g_string_printf(s, "%s:%u:%u: ", st->file, st->line,
		    st->verb_col);
	g_string_append_printf(s, "invariant violated: %s", err->message);
	describe_ids(x, err->message, s);
	return g_string_free(s, FALSE);
}

/* Format the trace collected so far into out. */
void
sim_exec_trace(SimExec *x, GString *out)
{
	sim_trace_format(x->trace, x, out);
}

void
sim_exec_close(SimExec *x)
{
	if (x == NULL)
		return;
	if (x->be != NULL)
		x->ops->close(x->be);
	exec_free(x);
}

/* s as a JSON string, quoted and escaped, for other output writers. */
void
sim_json_string(FILE *out, const char *s)
{
	json_string(out, s);
}

/*
 * The scenarios of paths as `run` finds them (files, and *.scn files
 * below directories, sorted), each parsed and checked: a GPtrArray of
 * SimInput, or NULL after printing every error to err (exit status 2).
 */
GPtrArray *
sim_inputs_load(char *const *paths, gsize n, FILE *err)
{
	g_autoptr(GPtrArray) inputs = g_ptr_array_new_with_free_func(
	    input_free);
	gboolean ok = TRUE;
	gsize i;

	for (i = 0; i < n; i++) {
		if (g_file_test(paths[i], G_FILE_TEST_IS_DIR)) {
			ok = collect_dir(paths[i], NULL, inputs, err) && ok;
		} else if (g_file_test(paths[i], G_FILE_TEST_EXISTS)) {
			input_add(inputs, paths[i], paths[i]);
		} else {
			fprintf(err, "reuseport-sim: %s: no such file or "
			    "directory\n", paths[i]);
			ok = FALSE;
		}
	}
	if (!ok || !load_inputs(inputs, err))
		return NULL;
	return g_steal_pointer(&inputs);
}
