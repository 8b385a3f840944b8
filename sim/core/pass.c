/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * pass.c - what the verb handlers, expectations and contracts share about
 * the pass they run in (pass-int.h): failures of the current step, notes
 * on what the backend cannot do, names whose later checks are skipped,
 * fds and cookies of named objects, and results in the scenario's words.
 */
#include <string.h>

#include "core/error.h"
#include "core/pass-int.h"
#include "lang/words.h"

/* Is this pass the check pass (no backend)? */
gboolean
sim_checking(const SimExec *x)
{
	return x->checking;
}

/* Record a failure of the current step, at its verb. */
void
sim_pass_fail(SimExec *x, const char *fmt, ...)
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
 * Objects
 */

/* Bind o to fd of process proc, and to the backend id behind it. */
void
sim_obj_bind_fd(SimExec *x, SimObj *o, unsigned proc, int fd)
{
	unsigned id;

	switch ((int)o->kind) {
	case SIM_OBJ_SOCK:
		id = x->ops->sock_id(x->be, proc, fd);
		break;
	case SIM_OBJ_MAP:
		id = x->ops->map_id(x->be, proc, fd);
		break;
	case SIM_OBJ_PROG:
		id = x->ops->prog_id(x->be, proc, fd);
		break;
	default:
		g_assert_not_reached();	/* only files have fds */
	}
	sim_names_bind(x->names, o, proc, fd, id);
}

/*
 * The fd number o stands for in the current process, as the program
 * holds it: after `close` still the same number (which may be free, or
 * another file's by now).  -1 when it has none in this process.
 */
int
sim_obj_fd(const SimExec *x, const SimObj *o)
{
	if ((o->kind & SIM_OBJ_FILE) == 0 || !o->bound || o->fd < 0 ||
	    o->proc != x->proc->id)
		return -1;
	return o->fd;
}

/* The fd through which o itself can be asked (its process's), -1 once
 * closed: the number may be another file's by now. */
int
sim_obj_open_fd(const SimObj *o)
{
	return o->bound && !o->closed ? o->fd : -1;
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
	if (sim_obj_open_fd(o) >= 0 &&
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

	if (sim_obj_open_fd(o) >= 0 &&
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

/*
 * The name of the live socket whose cookie is c, in definition order:
 * found through the cookie index of the name table (O(1)), unless two
 * sockets had c (cookies of two namespaces), when every name is asked.
 */
const char *
sim_cookie_owner(const SimExec *x, guint64 c)
{
	const GPtrArray *order = sim_names_order(x->names);
	struct rp_sock_info in;
	unsigned id;
	guint i;

	if (c == 0 || x->insp == NULL)
		return NULL;
	id = sim_names_cookie_sock(x->names, c);
	if (id == 0)
		return NULL;
	if (id != SIM_NAMES_MANY)
		return x->insp->sock_info(x->be, id, &in) == 0 &&
		    in.cookie == c ? sim_names_of(x->names, SIM_OBJ_SOCK, id) :
		    NULL;
	for (i = 0; i < order->len; i++) {
		const SimObj *o = order->pdata[i];

		if (o->kind == SIM_OBJ_SOCK && o->bound &&
		    x->insp->sock_info(x->be, o->id, &in) == 0 &&
		    in.cookie == c)
			return o->name;
	}
	return NULL;
}

static gint
cmp_str(gconstpointer a, gconstpointer b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Counted traffic: "a=60 b=40 dropped=0 ...", receivers by name, then
 * the outcomes that happened; "none" when nothing happened. */
static char *
counts_render(const SimExec *x, const SimCounts *c)
{
	g_autoptr(GPtrArray) parts = g_ptr_array_new_with_free_func(g_free);
	GString *s = g_string_new(NULL);
	guint i;

	for (i = 0; i < c->nsock; i++)
		if (c->s[i].n != 0)
			g_ptr_array_add(parts, g_strdup_printf("%s=%u",
			    sim_names_sock(x->names, c->s[i].sock),
			    c->s[i].n));
	g_ptr_array_sort(parts, cmp_str);
	if (c->dropped != 0)
		g_ptr_array_add(parts, g_strdup_printf("dropped=%u",
		    c->dropped));
	if (c->refused != 0)
		g_ptr_array_add(parts, g_strdup_printf("refused=%u",
		    c->refused));
	if (c->failed != 0)
		g_ptr_array_add(parts, g_strdup_printf("failed=%u",
		    c->failed));
	for (i = 0; i < parts->len; i++)
		g_string_append_printf(s, "%s%s", i > 0 ? " " : "",
		    (const char *)parts->pdata[i]);
	if (s->len == 0)
		g_string_append(s, "none");
	return g_string_free(s, FALSE);
}

/* Render v in scenario words: c(a), map(in), m:3, g1, dropped.  g_free(). */
char *
sim_value_render(const SimExec *x, const SimValue *v)
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
		n = sim_cookie_owner(x, v->num);
		if (n != NULL)
			return g_strdup_printf("c(%s)", n);
		return g_strdup_printf("cookie %" G_GUINT64_FORMAT
		    " (of no named socket)", v->num);
	case SIM_V_SOCK:
		return g_strdup(sim_names_sock(x->names, v->id));
	case SIM_V_MAP:
		return g_strdup_printf("map(%s)", sim_names_map(x->names,
		    v->id));
	case SIM_V_GROUP:
		return g_strdup_printf("group %s", sim_names_group(x->names,
		    v->id));
	case SIM_V_SLOT:
		return g_strdup_printf("%s:%u", sim_names_map(x->names, v->id),
		    v->key);
	case SIM_V_WORD:
		return g_strdup(v->word);
	case SIM_V_TRUTH:
		return g_strdup(v->num != 0 ? "yes" : "no");
	case SIM_V_DELIVERY:
		if (v->d.outcome == RP_DROPPED)
			return g_strdup("dropped");
		if (v->d.outcome == RP_NO_SOCKET)
			return g_strdup("refused");
		return g_strdup(sim_names_sock(x->names, v->d.sock));
	case SIM_V_COUNTS:
		return counts_render(x, &v->counts);
	}
	return g_strdup("?");	/* LCOV_EXCL_LINE */
}

/* ---------------------------------------------------------------------
 * What the backend cannot do: notes said once per run, and the names
 * whose later checks are skipped because they depend on it
 */

/* Add "file:line:col: not checked: why" unless why was said already. */
void
sim_pass_note(SimExec *x, const SimStmt *st, const char *why)
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
const char *
sim_pass_unsure_in(SimExec *x, const SimStmt *st, const GPtrArray *exp)
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
void
sim_pass_unsure_add(SimExec *x, const char *name, const char *why)
{
	if (name == NULL ||
	    sim_names_find(x->names, SIM_NS_FILE, name) == NULL ||
	    g_hash_table_contains(x->unsure, name))
		return;
	g_hash_table_insert(x->unsure, g_strdup(name), g_strdup(why));
}

/* Mark every socket, map and program st names in its arguments. */
void
sim_pass_unsure_args(SimExec *x, const SimStmt *st, const char *why)
{
	guint i, j;

	for (i = 0; i < st->args->len; i++) {
		const char *w = tok_word_or_value(st->args->pdata[i]);
		g_auto(GStrv) parts = NULL;

		if (w == NULL)
			continue;
		parts = g_strsplit_set(w, ":()[],", -1);
		for (j = 0; parts[j] != NULL; j++)
			sim_pass_unsure_add(x, parts[j], why);
	}
}
