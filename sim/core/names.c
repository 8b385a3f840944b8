/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * names.c - the name table of one pass over a scenario (names.h): names
 * defined by statements, what each is bound to, and every backend id
 * turned back into the scenario's words.
 */
#include <string.h>

#include "core/error.h"
#include "core/names.h"
#include "lang/name.h"
#include "lang/suggest.h"

/* Words with a meaning in expectations where a socket name is one too:
 * they cannot name sockets. */
static const char *const reserved_words[] = {
	"any", "ok", "empty", "none", "no", "yes", "dropped", "refused",
	"closed", "freed", NULL,
};

struct SimNames {
	GHashTable	*names[SIM_NS_COUNT];	/* name -> SimObj */
	GHashTable	*by_id[3];	/* sock, map, prog id -> SimObj */
	GPtrArray	*order;		/* SimObj, in definition order */
	GHashTable	*groups;	/* group id -> "gN" */
	guint		 n_groups;
	GHashTable	*children;	/* unnamed sock id -> "child#N" */
	GHashTable	*cbpfs;		/* unnamed prog id -> "cbpf#N" */
	GHashTable	*other;		/* "map#N", "#N": interned */
	/* indexes, so that no step scans every name */
	GHashTable	*open_fds;	/* proc<<32|fd -> GPtrArray of the open
					 * file names at that fd number */
	GHashTable	*cookies;	/* cookie -> socket id (SIM_NAMES_MANY:
					 * more than one socket had it) */
	GHashTable	*procs;		/* process id -> its SimObj */
	guint64		 gen;		/* changes so far (sim_names_gen()) */
	/* sim_names_digest() at gen digest_gen, when digest_ok */
	guint64		 digest, digest_gen;
	gboolean	 digest_ok;
	/* the undo log (sim_names_mark()): every change since the first
	 * mark, oldest first; NULL until then */
	GArray		*log;		/* Undo */
	guint64		 base;		/* serial of the log's start */
};

/*
 * One change of a SimNames, with what undoes it.  Each entry has a
 * serial number unique in the process, so that a mark (position, serial
 * of the entry before it) tells whether the log still holds the changes
 * up to it: entries are only appended, and removed from the end.
 */
typedef enum {
	UNDO_NEW,	/* o was defined (obj_new()) */
	UNDO_BIND,	/* o was bound: saved holds its fields before */
	UNDO_CLOSED,	/* key's open names (fds) were closed */
	UNDO_STRING,	/* key s was added to table t (other, children,
			 * cbpfs, groups) */
	UNDO_COOKIE,	/* cookie key's socket was old (0: none) */
} UndoKind;

typedef struct {
	UndoKind	 kind;
	guint64		 serial;
	SimObj		*o;
	SimObj		 saved;		/* BIND: *o before */
	gboolean	 by_id;		/* BIND: o entered by_id[] */
	SimObj		*old_proc;	/* BIND of a process: procs[] before */
	gboolean	 fd_new;	/* BIND: o's fd got a new index entry */
	gint64		*fd_key;	/* CLOSED: the index entry taken out */
	GPtrArray	*fds;
	GHashTable	*t;		/* STRING */
	gpointer	 key;
	guint		 n_groups;	/* STRING: n->n_groups before */
	gint64		 ikey;		/* BIND: o's fd index key; COOKIE */
	unsigned	 old_sock;	/* COOKIE */
} Undo;

/* Serial numbers of log entries and log starts, process-wide. */
static guint64
undo_serial(void)
{
	static guint64 next;

	return __atomic_add_fetch(&next, 1, __ATOMIC_RELAXED);
}

/* A new entry of kind at the end of n's log, or NULL when n keeps none. */
static Undo *
undo_push(SimNames *n, UndoKind kind)
{
	Undo *u;

	if (n->log == NULL)
		return NULL;
	g_array_set_size(n->log, n->log->len + 1);
	u = &g_array_index(n->log, Undo, n->log->len - 1);
	memset(u, 0, sizeof(*u));
	u->kind = kind;
	u->serial = undo_serial();
	return u;
}



static void
obj_free(SimObj *o)
{
	g_free(o->name);
	g_free(o);
}

static SimObj *
obj_new(SimNames *n, const char *name, SimObjKind kind, const SimToken *def);

/* A table with "init" as process 0 and namespace 0. */
SimNames *
sim_names_new(void)
{
	SimNames *n = g_new0(SimNames, 1);
	guint i;

	for (i = 0; i < SIM_NS_COUNT; i++)
		n->names[i] = g_hash_table_new_full(g_str_hash, g_str_equal,
		    NULL, (GDestroyNotify)obj_free);
	for (i = 0; i < G_N_ELEMENTS(n->by_id); i++)
		n->by_id[i] = g_hash_table_new(g_direct_hash, g_direct_equal);
	n->order = g_ptr_array_new();
	n->groups = g_hash_table_new_full(g_direct_hash, g_direct_equal,
	    NULL, g_free);
	n->children = g_hash_table_new_full(g_direct_hash, g_direct_equal,
	    NULL, g_free);
	n->cbpfs = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL,
	    g_free);
	n->other = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
	    NULL);
	n->open_fds = g_hash_table_new_full(g_int64_hash, g_int64_equal,
	    g_free, (GDestroyNotify)g_ptr_array_unref);
	n->cookies = g_hash_table_new_full(g_int64_hash, g_int64_equal,
	    g_free, NULL);
	n->procs = g_hash_table_new(g_direct_hash, g_direct_equal);
	obj_new(n, "init", SIM_OBJ_PROC, NULL)->bound = TRUE;
	obj_new(n, "init", SIM_OBJ_NETNS, NULL)->bound = TRUE;
	return n;
}

void
sim_names_free(SimNames *n)
{
	guint i;

	if (n == NULL)
		return;
	for (i = 0; n->log != NULL && i < n->log->len; i++) {
		Undo *u = &g_array_index(n->log, Undo, i);

		if (u->kind == UNDO_CLOSED) {
			g_free(u->fd_key);
			g_ptr_array_unref(u->fds);
		}
	}
	if (n->log != NULL)
		g_array_unref(n->log);
	for (i = 0; i < SIM_NS_COUNT; i++)
		g_hash_table_unref(n->names[i]);
	for (i = 0; i < G_N_ELEMENTS(n->by_id); i++)
		g_hash_table_unref(n->by_id[i]);
	g_ptr_array_unref(n->order);
	g_hash_table_unref(n->groups);
	g_hash_table_unref(n->children);
	g_hash_table_unref(n->cbpfs);
	g_hash_table_unref(n->other);
	g_hash_table_unref(n->open_fds);
	g_hash_table_unref(n->cookies);
	g_hash_table_unref(n->procs);
	g_free(n);
}

/* ---------------------------------------------------------------------
 * Scenario name -> object
 */

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

static SimObj *
obj_new(SimNames *n, const char *name, SimObjKind kind, const SimToken *def)
{
	SimObj *o = g_new0(SimObj, 1);
	Undo *u;

	o->name = g_strdup(name);
	o->kind = kind;
	if (def != NULL) {
		o->def_file = def->file;
		o->def_line = def->line;
		o->def_col = def->col;
	}
	o->fd = -1;
	n->gen++;
	g_hash_table_insert(n->names[ns_of(kind)], o->name, o);
	g_ptr_array_add(n->order, o);
	if ((u = undo_push(n, UNDO_NEW)) != NULL)
		u->o = o;
	return o;
}

SimObj *
sim_names_find(SimNames *n, SimNamespace ns, const char *name)
{
	g_return_val_if_fail(ns < SIM_NS_COUNT && name != NULL, NULL);
	return g_hash_table_lookup(n->names[ns], name);
}

/* The objects, in definition order (init first). */
const GPtrArray *
sim_names_order(const SimNames *n)
{
	return n->order;
}

/*
 * Define tok, a WORD, as a new name of kind: it must have the shape of a
 * name, not be reserved and not be defined in its namespace yet.  The
 * object starts unbound.  Return it, or NULL with error set.
 */
SimObj *
sim_names_define(SimNames *n, SimObjKind kind, const SimToken *tok,
    GError **error)
{
	const char *w = sim_token_word(tok);

	if (w == NULL || !sim_name_valid_str(SIM_NAME_OBJECT, w)) {
		g_autofree char *d = sim_token_describe(tok);

		sim_tok_error(error, tok, "expected a new name for %s, got %s",
		    sim_obj_kind_name(kind), d);
		return NULL;
	}
	return sim_names_define_str(n, kind, w, tok, error);
}

SimObj *
sim_names_define_str(SimNames *n, SimObjKind kind, const char *w,
    const SimToken *tok, GError **error)
{
	SimObj *old;

	if (!sim_name_valid_str(SIM_NAME_OBJECT, w)) {
		sim_tok_error(error, tok, "'%s' cannot name %s", w,
		    sim_obj_kind_name(kind));
		return NULL;
	}
	/* socket names compete with keywords in expectations (= empty) */
	if ((kind & SIM_OBJ_SOCK) && g_strv_contains(reserved_words, w)) {
		sim_tok_error(error, tok, "'%s' is a reserved word and cannot "
		    "name %s", w, sim_obj_kind_name(kind));
		return NULL;
	}
	old = sim_names_find(n, ns_of(kind), w);
	if (old != NULL && old->def_file == NULL) {
		sim_tok_error(error, tok, "'%s' is predefined", w);
		return NULL;
	}
	if (old != NULL) {
		sim_tok_error(error, tok, "'%s' is already defined at "
		    "%s:%u:%u", w, old->def_file, old->def_line,
		    old->def_col);
		return NULL;
	}
	return obj_new(n, w, kind, tok);
}

/*
 * Resolve tok, a name defined earlier, to an object of one of kinds.  The
 * error for an unknown name suggests the nearest defined one.
 */
gboolean
sim_names_resolve(SimNames *n, const SimToken *tok, SimObjKind kinds,
    SimObj **out, GError **error)
{
	const char *w = sim_token_word(tok), *hint;
	SimNamespace ns = ns_of(kinds);
	g_autofree const char **keys = NULL;
	guint nkeys = 0;
	SimObj *o;

	if (w == NULL) {
		g_autofree char *d = sim_token_describe(tok);

		sim_tok_error(error, tok, "expected %s name, got %s",
		    sim_obj_kind_name(kinds), d);
		return FALSE;
	}
	o = sim_names_find(n, ns, w);
	if (o == NULL) {
		keys = (const char **)g_hash_table_get_keys_as_array(
		    n->names[ns], &nkeys);
		hint = sim_suggest(w, keys, nkeys);
		if (hint != NULL)
			sim_tok_error(error, tok, "unknown name '%s' (expected "
			    "%s), did you mean '%s'?", w,
			    sim_obj_kind_name(kinds), hint);
		else
			sim_tok_error(error, tok, "unknown name '%s' (expected "
			    "%s defined before use)", w,
			    sim_obj_kind_name(kinds));
		return FALSE;
	}
	if ((o->kind & kinds) == 0) {
		sim_tok_error(error, tok, "'%s' is %s, expected %s", w,
		    sim_obj_kind_name(o->kind), sim_obj_kind_name(kinds));
		return FALSE;
	}
	*out = o;
	return TRUE;
}

/*
 * Bind o to fd of process proc (files; -1: no fd, a TCP child) and to
 * the backend id id.  The first name bound to an id is its name in
 * messages.
 */
void
sim_names_bind(SimNames *n, SimObj *o, unsigned proc, int fd, unsigned id)
{
	int t = id_table(o->kind);
	Undo *u;

	g_return_if_fail(!o->bound);	/* a name is bound once */
	n->gen++;
	if ((u = undo_push(n, UNDO_BIND)) != NULL) {
		u->o = o;
		u->saved = *o;
		u->ikey = ((gint64)proc << 32) | (guint32)fd;
	}
	o->bound = TRUE;
	o->proc = proc;
	o->fd = fd;
	o->closed = FALSE;
	o->id = id;
	if (t >= 0 && o->id != 0 &&
	    !g_hash_table_contains(n->by_id[t], GUINT_TO_POINTER(o->id))) {
		g_hash_table_insert(n->by_id[t], GUINT_TO_POINTER(o->id), o);
		if (u != NULL)
			u->by_id = TRUE;
	}
	if (o->kind == SIM_OBJ_PROC) {
		if (u != NULL)
			u->old_proc = g_hash_table_lookup(n->procs,
			    GUINT_TO_POINTER(id));
		g_hash_table_insert(n->procs, GUINT_TO_POINTER(id), o);
	}
	if ((o->kind & SIM_OBJ_FILE) != 0 && fd >= 0) {
		gint64 key = ((gint64)proc << 32) | (guint32)fd;
		GPtrArray *at = g_hash_table_lookup(n->open_fds, &key);

		if (at == NULL) {
			at = g_ptr_array_new();
			g_hash_table_insert(n->open_fds, g_memdup2(&key,
			    sizeof(key)), at);
			if (u != NULL)
				u->fd_new = TRUE;
		}
		g_ptr_array_add(at, o);
	}
}

/*
 * fd of process proc was closed: every name bound to that number there
 * is closed (it keeps the number, as a program's variable does).  O(the
 * names open at that number): a closed name leaves the index.
 */
void
sim_names_closed(SimNames *n, unsigned proc, int fd)
{
	gint64 key = ((gint64)proc << 32) | (guint32)fd;
	gpointer k, v;
	GPtrArray *at;
	Undo *u;

	n->gen++;
	if (!g_hash_table_steal_extended(n->open_fds, &key, &k, &v))
		return;
	at = v;
	/* an open name is not closed: bind opens, only this closes */
	for (guint i = 0; i < at->len; i++)
		((SimObj *)at->pdata[i])->closed = TRUE;
	if ((u = undo_push(n, UNDO_CLOSED)) != NULL) {
		u->fd_key = k;
		u->fds = at;
	} else {
		g_free(k);
		g_ptr_array_unref(at);
	}
}

/* ---------------------------------------------------------------------
 * Backend id -> scenario name
 */

/* The name of a socket, map or program id as a statement bound it, or
 * of a group as events showed it; NULL when it has none yet. */
const char *
sim_names_of(const SimNames *n, SimObjKind kind, unsigned id)
{
	int t = id_table(kind);
	const SimObj *o;

	if (kind == SIM_OBJ_GROUP)
		return g_hash_table_lookup(n->groups, GUINT_TO_POINTER(id));
	g_return_val_if_fail(t >= 0, NULL);
	o = g_hash_table_lookup(n->by_id[t], GUINT_TO_POINTER(id));
	return o != NULL ? o->name : NULL;
}

/* key was added to t (whose values or keys are strings). */
static void
undo_string(SimNames *n, GHashTable *t, gpointer key)
{
	Undo *u = undo_push(n, UNDO_STRING);

	if (u != NULL) {
		u->t = t;
		u->key = key;
		u->n_groups = n->n_groups;
	}
}

static const char *
intern(SimNames *n, char *s)
{
	const char *old = g_hash_table_lookup(n->other, s);

	if (old != NULL) {
		g_free(s);
		return old;
	}
	n->gen++;
	g_hash_table_insert(n->other, s, s);
	undo_string(n, n->other, s);
	return s;
}

static const char *
numbered(SimNames *n, GHashTable *t, unsigned id, const char *prefix)
{
	const char *s = g_hash_table_lookup(t, GUINT_TO_POINTER(id));

	if (s == NULL) {
		char *v = g_strdup_printf("%s#%u", prefix,
		    g_hash_table_size(t) + 1);

		n->gen++;
		g_hash_table_insert(t, GUINT_TO_POINTER(id), v);
		undo_string(n, t, GUINT_TO_POINTER(id));
		s = v;
	}
	return s;
}

/* The name of id (of kind), or PREFIX#N numbered in t; "none" for 0. */
static const char *
named(SimNames *n, SimObjKind kind, GHashTable *t, const char *prefix,
    unsigned id)
{
	const char *s;

	if (id == 0)
		return "none";
	s = sim_names_of(n, kind, id);
	return s != NULL ? s : numbered(n, t, id, prefix);
}

/* A socket: its name, child#N for one no statement names, "none" for 0. */
const char *
sim_names_sock(SimNames *n, unsigned id)
{
	return named(n, SIM_OBJ_SOCK, n->children, "child", id);
}

/* A map: its name, or map#ID. */
const char *
sim_names_map(SimNames *n, unsigned id)
{
	const char *s = sim_names_of(n, SIM_OBJ_MAP, id);

	return s != NULL ? s : intern(n, g_strdup_printf("map#%u", id));
}

/* A group: gN, or #ID for one no event showed. */
const char *
sim_names_group(SimNames *n, unsigned id)
{
	const char *s = sim_names_of(n, SIM_OBJ_GROUP, id);

	return s != NULL ? s : intern(n, g_strdup_printf("#%u", id));
}

/* A program: its name, cbpf#N for a classic one, "none" for 0. */
const char *
sim_names_prog(SimNames *n, unsigned id)
{
	return named(n, SIM_OBJ_PROG, n->cbpfs, "cbpf", id);
}

/* The id of the bound socket, map or program called name, 0 when none. */
unsigned
sim_names_lookup(SimNames *n, const char *name, SimObjKind kind)
{
	const SimObj *o = sim_names_find(n, SIM_NS_FILE, name);

	return o != NULL && o->kind == kind && o->bound ? o->id : 0;
}

/* The process holding socket id's fd when it is not init, else NULL. */
const char *
sim_names_sock_proc(SimNames *n, unsigned id)
{
	const SimObj *o = g_hash_table_lookup(n->by_id[0],
	    GUINT_TO_POINTER(id));
	const SimObj *p;

	if (o == NULL || o->proc == 0)
		return NULL;
	p = g_hash_table_lookup(n->procs, GUINT_TO_POINTER(o->proc));
	return p != NULL ? p->name : NULL;
}

/*
 * The socket whose cookie is c, as the events showed it generated: its
 * id, 0 when no socket had it, SIM_NAMES_MANY when more than one did (the
 * caller then asks each name).
 */
unsigned
sim_names_cookie_sock(const SimNames *n, guint64 c)
{
	gint64 key = (gint64)c;

	return GPOINTER_TO_UINT(g_hash_table_lookup(n->cookies, &key));
}

/*
 * Name the group of ev at its first appearance; a grown group keeps its
 * name (RP_EV_GROUP_GROW: idx is the old group's id).  Every event of a
 * run must come here, in order.
 */
void
sim_names_event(SimNames *n, const struct rp_event *ev)
{
	gpointer key = GUINT_TO_POINTER(ev->group);
	const char *old;

	if (ev->kind == RP_EV_COOKIE && ev->val != 0) {
		gint64 c = (gint64)ev->val;
		unsigned had = sim_names_cookie_sock(n, ev->val);

		if (had != ev->sock) {
			Undo *u = undo_push(n, UNDO_COOKIE);

			n->gen++;
			if (u != NULL) {
				u->ikey = c;
				u->old_sock = had;
			}
		}
		if (had == 0)
			g_hash_table_insert(n->cookies, g_memdup2(&c,
			    sizeof(c)), GUINT_TO_POINTER(ev->sock));
		else if (had != ev->sock)
			g_hash_table_insert(n->cookies, g_memdup2(&c,
			    sizeof(c)), GUINT_TO_POINTER(SIM_NAMES_MANY));
	}

	if (ev->group == 0 || g_hash_table_contains(n->groups, key))
		return;
	n->gen++;
	undo_string(n, n->groups, key);
	old = ev->kind == RP_EV_GROUP_GROW ? g_hash_table_lookup(n->groups,
	    GUINT_TO_POINTER(ev->idx)) : NULL;
	if (old != NULL)
		g_hash_table_insert(n->groups, key, g_strdup(old));
	else
		g_hash_table_insert(n->groups, key,
		    g_strdup_printf("g%u", ++n->n_groups));
}

/* ---------------------------------------------------------------------
 * Copies, for an explorer that comes back to a state
 */

static GHashTable *
strings_by_id_copy(GHashTable *t)
{
	GHashTable *c = g_hash_table_new_full(g_direct_hash, g_direct_equal,
	    NULL, g_free);
	GHashTableIter it;
	gpointer k, v;

	g_hash_table_iter_init(&it, t);
	while (g_hash_table_iter_next(&it, &k, &v))
		g_hash_table_insert(c, k, g_strdup(v));
	return c;
}

/*
 * A deep copy of n: new objects with the same names, bindings and numbering.
 * The objects of n and of the copy are distinct, so a pointer to one of
 * n's objects means nothing in the copy.  Cannot fail.
 */
SimNames *
sim_names_clone(const SimNames *n)
{
	g_autoptr(GHashTable) to = g_hash_table_new(g_direct_hash,
	    g_direct_equal);
	SimNames *c = g_new0(SimNames, 1);
	GHashTableIter it;
	gpointer k, v;
	guint i;

	for (i = 0; i < SIM_NS_COUNT; i++)
		c->names[i] = g_hash_table_new_full(g_str_hash, g_str_equal,
		    NULL, (GDestroyNotify)obj_free);
	c->order = g_ptr_array_sized_new(n->order->len);
	for (i = 0; i < n->order->len; i++) {
		const SimObj *o = n->order->pdata[i];
		SimObj *d = g_memdup2(o, sizeof(*o));

		d->name = g_strdup(o->name);
		g_hash_table_insert(c->names[ns_of(d->kind)], d->name, d);
		g_ptr_array_add(c->order, d);
		g_hash_table_insert(to, (gpointer)o, d);
	}
	for (i = 0; i < G_N_ELEMENTS(n->by_id); i++) {
		c->by_id[i] = g_hash_table_new(g_direct_hash, g_direct_equal);
		g_hash_table_iter_init(&it, n->by_id[i]);
		while (g_hash_table_iter_next(&it, &k, &v))
			g_hash_table_insert(c->by_id[i], k,
			    g_hash_table_lookup(to, v));
	}
	c->groups = strings_by_id_copy(n->groups);
	c->n_groups = n->n_groups;
	c->children = strings_by_id_copy(n->children);
	c->cbpfs = strings_by_id_copy(n->cbpfs);
	c->other = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
	    NULL);
	g_hash_table_iter_init(&it, n->other);
	while (g_hash_table_iter_next(&it, &k, NULL)) {
		char *s = g_strdup(k);

		g_hash_table_insert(c->other, s, s);
	}
	/* the indexes, their objects redirected to the copies */
	c->open_fds = g_hash_table_new_full(g_int64_hash, g_int64_equal,
	    g_free, (GDestroyNotify)g_ptr_array_unref);
	g_hash_table_iter_init(&it, n->open_fds);
	while (g_hash_table_iter_next(&it, &k, &v)) {
		const GPtrArray *at = v;
		GPtrArray *cat = g_ptr_array_sized_new(at->len);

		for (i = 0; i < at->len; i++)
			g_ptr_array_add(cat, g_hash_table_lookup(to,
			    at->pdata[i]));
		g_hash_table_insert(c->open_fds, g_memdup2(k, sizeof(gint64)),
		    cat);
	}
	c->cookies = g_hash_table_new_full(g_int64_hash, g_int64_equal,
	    g_free, NULL);
	g_hash_table_iter_init(&it, n->cookies);
	while (g_hash_table_iter_next(&it, &k, &v))
		g_hash_table_insert(c->cookies, g_memdup2(k, sizeof(gint64)),
		    v);
	c->procs = g_hash_table_new(g_direct_hash, g_direct_equal);
	g_hash_table_iter_init(&it, n->procs);
	while (g_hash_table_iter_next(&it, &k, &v))
		g_hash_table_insert(c->procs, k, g_hash_table_lookup(to, v));
	return c;
}

guint64
sim_names_gen(const SimNames *n)
{
	return n->gen;
}

/* ---------------------------------------------------------------------
 * Marks and the undo log, for an explorer that comes back to a state
 * without a copy
 */

/*
 * Remember where n stands, for sim_names_rewind().  The first mark
 * starts n's undo log: from then on every change through this
 * interface is logged with what undoes it, until sim_names_free().
 */
void
sim_names_mark(SimNames *n, SimNamesMark *m)
{
	if (n->log == NULL) {
		n->log = g_array_new(FALSE, FALSE, sizeof(Undo));
		n->base = undo_serial();
	}
	m->pos = n->log->len;
	m->serial = m->pos > 0 ? g_array_index(n->log, Undo,
	    m->pos - 1).serial : n->base;
	m->digest_ok = n->digest_ok && n->digest_gen == n->gen;
	m->digest = n->digest;
}

/* Undo the log's last entry. */
static void
undo_last(SimNames *n)
{
	Undo *u = &g_array_index(n->log, Undo, n->log->len - 1);
	SimObj *o = u->o;
	GPtrArray *at;
	int t;

	switch (u->kind) {
	case UNDO_NEW:
		g_assert(n->order->len > 0 &&
		    n->order->pdata[n->order->len - 1] == o);
		g_ptr_array_set_size(n->order, n->order->len - 1);
		g_hash_table_remove(n->names[ns_of(o->kind)], o->name);
		break;
	case UNDO_BIND:
		if ((o->kind & SIM_OBJ_FILE) != 0 && o->fd >= 0) {
			at = g_hash_table_lookup(n->open_fds, &u->ikey);
			g_assert(at != NULL && at->len > 0 &&
			    at->pdata[at->len - 1] == o);
			g_ptr_array_set_size(at, at->len - 1);
			if (u->fd_new)
				g_hash_table_remove(n->open_fds, &u->ikey);
		}
		if (o->kind == SIM_OBJ_PROC && u->old_proc != NULL)
			g_hash_table_insert(n->procs, GUINT_TO_POINTER(o->id),
			    u->old_proc);
		else if (o->kind == SIM_OBJ_PROC)
			g_hash_table_remove(n->procs, GUINT_TO_POINTER(o->id));
		t = id_table(o->kind);
		if (u->by_id)
			g_hash_table_remove(n->by_id[t],
			    GUINT_TO_POINTER(o->id));
		*o = u->saved;	/* and what the caller wrote since */
		break;
	case UNDO_CLOSED:
		for (guint i = 0; i < u->fds->len; i++)
			((SimObj *)u->fds->pdata[i])->closed = FALSE;
		g_hash_table_insert(n->open_fds, u->fd_key, u->fds);
		break;
	case UNDO_STRING:
		g_hash_table_remove(u->t, u->key);
		n->n_groups = u->n_groups;
		break;
	case UNDO_COOKIE:
		if (u->old_sock == 0)
			g_hash_table_remove(n->cookies, &u->ikey);
		else
			g_hash_table_insert(n->cookies, g_memdup2(&u->ikey,
			    sizeof(u->ikey)), GUINT_TO_POINTER(u->old_sock));
		break;
	default:
		g_assert_not_reached();
	}
	g_array_set_size(n->log, n->log->len - 1);
}

/*
 * Make n what it was at mark m, by undoing the changes logged since, in
 * reverse order: O(the changes), not O(the names).  Marks are rewound to
 * in stack order: a rewind forgets the changes after m, and with them
 * every later mark.  FALSE, n unchanged, when m is not on n's log (a
 * mark of another SimNames, or one a rewind to an earlier mark has
 * forgotten).  The strings n gave for what is undone are freed.
 */
gboolean
sim_names_rewind(SimNames *n, const SimNamesMark *m)
{
	if (n->log == NULL || m->pos > n->log->len ||
	    (m->pos > 0 ? g_array_index(n->log, Undo, m->pos - 1).serial :
	    n->base) != m->serial)
		return FALSE;
	if (n->log->len == m->pos)
		return TRUE;		/* nothing changed since */
	while (n->log->len > m->pos)
		undo_last(n);
	n->gen++;			/* never a number seen before */
	n->digest_ok = m->digest_ok;
	n->digest = m->digest;
	n->digest_gen = n->gen;
	return TRUE;
}

/*
 * A digest of what the names stand for: every name's binding (process,
 * fd, backend id) in definition order.  The numbering of unnamed objects
 * (child#N, g1) only words messages and is left out.
 */
guint64
sim_names_digest(SimNames *n)
{
	guint64 h = n->order->len;

	/* every change of a binding counts in gen: unchanged, the same */
	if (n->digest_ok && n->digest_gen == n->gen)
		return n->digest;
	for (guint i = 0; i < n->order->len; i++) {
		const SimObj *o = n->order->pdata[i];
		guint64 v[6] = { g_str_hash(o->name), (guint64)o->kind,
		    (guint64)o->bound, o->proc, (guint64)(gint64)o->fd,
		    (guint64)o->id << 32 | o->netns };

		for (guint j = 0; j < G_N_ELEMENTS(v); j++) {
			h ^= v[j] + G_GUINT64_CONSTANT(0x9e3779b97f4a7c15) +
			    (h << 6) + (h >> 2);
			h *= G_GUINT64_CONSTANT(0xff51afd7ed558ccd);
		}
	}
	n->digest = h;
	n->digest_gen = n->gen;
	n->digest_ok = TRUE;
	return h;
}
