/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * verbs.c - the verb table of the scenario language and one handler per
 * verb (docs/scenario-language.md), in the manner of packetdrill.
 *
 * A handler is a column of argument helpers followed by one backend
 * call:
 *
 *	if (!arg_sock(x, st, 0, &s, error) ||
 *	    !arg_addr(x, st, 1, &sa, &port_of, error))
 *		return FALSE;
 *	if (sim_checking(x))
 *		return TRUE;
 *	return status(r, x->ops->bind(x->be, proc_id(x), fd_of(x, s), &sa));
 *
 * The helpers validate a token and convert it; names are resolved
 * through the pass's name table (names.h).  In the check pass a handler
 * stops before the backend call, so everything a run would reject as
 * input is rejected before anything runs.  A new verb is one handler plus one row of the table at
 * the end of this file; the row says everything about the verb (verbs.h).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "core/bpfobj.h"
#include "core/cbpfasm.h"
#include "core/contract.h"
#include "core/error.h"
#include "core/pass-int.h"
#include "core/plant.h"
#include "core/profiles.h"
#include "core/expect.h"
#include "core/verbs.h"
#include "lang/suggest.h"
#include "lang/words.h"

/* ---------------------------------------------------------------------
 * Expectation shapes
 */

/* Every property of a freed socket or map reads "freed". */
static const char *const w_delivery[] = { "dropped", "refused", NULL };
static const char *const w_freed[] = { "freed", NULL };
static const char *const w_slot[] = { "empty", "freed", NULL };
static const char *const w_group[] = { "none", "freed", NULL };
static const char *const w_none[] = { "none", "freed", NULL };
static const char *const w_pos[] = { "closed", "none", "freed", NULL };
static const char *const w_inmap[] = { "no", "freed", NULL };
static const char *const w_yesno[] = { "yes", "no", "freed", NULL };
static const char *const w_owner[] = { "none", "stale", "psock", "foreign",
	"freed", NULL };
static const char *const w_state[] = { "listen", "close", "established",
	"syn_recv", "syn_sent", "new_syn_recv", "time_wait", "fin_wait2",
	"close_wait", "freed", NULL };

static const SimExpShape shape_status = { SIM_X_STATUS, NULL };
static const SimExpShape shape_value = { SIM_X_STATUS | SIM_X_NUM |
	SIM_X_VAR | SIM_X_COOKIE | SIM_X_MAPREF, NULL };
static const SimExpShape shape_send = { SIM_X_STATUS | SIM_X_SOCK |
	SIM_X_MEMBER, w_delivery };
static const SimExpShape shape_counted = { SIM_X_COUNTS, NULL };
static const SimExpShape shape_p_slot = { SIM_X_SOCK | SIM_X_MAPREF |
	SIM_X_VAR, w_slot };
static const SimExpShape shape_p_num = { SIM_X_NUM | SIM_X_VAR, w_freed };
static const SimExpShape shape_p_gnum = { SIM_X_NUM | SIM_X_VAR, w_none };
static const SimExpShape shape_p_cookie = { SIM_X_NUM | SIM_X_VAR |
	SIM_X_COOKIE, w_freed };
static const SimExpShape shape_p_inmap = { SIM_X_SLOT, w_inmap };
static const SimExpShape shape_p_group = { SIM_X_GROUPOF, w_group };
static const SimExpShape shape_p_pos = { SIM_X_NUM | SIM_X_VAR, w_pos };
static const SimExpShape shape_p_state = { 0, w_state };
static const SimExpShape shape_p_yesno = { 0, w_yesno };
static const SimExpShape shape_p_owner = { SIM_X_SLOT, w_owner };

/* ---------------------------------------------------------------------
 * Argument access
 */

/* The i-th positional (not key=value) argument of st, or NULL. */
static const SimToken *
pos_arg(const SimStmt *st, guint i)
{
	guint k;

	for (k = 0; k < st->args->len; k++) {
		const SimToken *t = st->args->pdata[k];

		if (t->kind == SIM_TOK_KV)
			continue;
		if (i-- == 0)
			return t;
	}
	return NULL;
}

/* The value of key=value argument key of st, or NULL. */
static const SimToken *
kv_arg(const SimStmt *st, const char *key)
{
	guint k;

	for (k = 0; k < st->args->len; k++) {
		const SimToken *t = st->args->pdata[k];

		if (t->kind == SIM_TOK_KV && strcmp(t->name, key) == 0)
			return t->value;
	}
	return NULL;
}

/* The current process id. */
static unsigned
proc_id(const SimExec *x)
{
	return x->proc->id;
}

/* The fd of o in the current process, -1 when it has none. */
static int
fd_of(const SimExec *x, const SimObj *o)
{
	return o != NULL ? sim_obj_fd(x, o) : -1;
}

/*
 * The named file the fd of o stands for now.  A closed name still sends
 * its old fd number (as a program holding a stale number would), and
 * that number may be another file's by now, created after the close:
 * what the call reaches is that file, not o.  o itself when it is open,
 * or when no open name holds its number.
 */
static const SimObj *
fd_holder(const SimExec *x, const SimObj *o)
{
	const GPtrArray *order = sim_names_order(x->names);
	int fd = fd_of(x, o);
	guint i;

	if (!o->closed || fd < 0)
		return o;
	for (i = 0; i < order->len; i++) {
		const SimObj *h = order->pdata[i];

		if ((h->kind & SIM_OBJ_FILE) != 0 && sim_obj_fd(x, h) == fd &&
		    !h->closed)
			return h;
	}
	return o;
}

/* Record a status-only result: ret < 0 is an errno, >= 0 success. */
static gboolean
status(SimResult *r, int ret)
{
	r->err = ret < 0 ? ret : 0;
	return TRUE;
}

/* A value result: ret < 0 is an errno, else v (of kind) is the value. */
static gboolean
value(SimResult *r, int ret, SimValueKind kind, guint64 num)
{
	r->err = ret < 0 ? ret : 0;
	if (ret >= 0) {
		r->v.kind = kind;
		r->v.num = num;
		r->v.id = (unsigned)num;
	}
	return TRUE;
}

/* ---------------------------------------------------------------------
 * Numbers and words
 */

/*
 * Convert tok, an INT in lo..hi, to *out; what names the argument in
 * messages ("a key").  Cannot fail otherwise.
 */
static gboolean
tok_range(const SimToken *tok, const char *what, gint64 lo, guint64 hi,
    gint64 *out, GError **error)
{
	guint64 u;
	gint64 s;

	if (tok->kind != SIM_TOK_INT) {
		g_autofree char *d = sim_token_describe(tok);

		sim_tok_error(error, tok, "expected %s (%" G_GINT64_FORMAT "..%"
		    G_GUINT64_FORMAT "), got %s", what, lo, hi, d);
		return FALSE;
	}
	if (!tok->neg && sim_token_get_u64(tok, &u) && u <= hi &&
	    (lo >= 0 || u <= (guint64)G_MAXINT64)) {
		*out = (gint64)u;
		return TRUE;
	}
	if (tok->neg && sim_token_get_s64(tok, &s) && s >= lo) {
		*out = s;
		return TRUE;
	}
	sim_tok_error(error, tok, "number out of range for %s "
	    "(%" G_GINT64_FORMAT
	    "..%" G_GUINT64_FORMAT ")", what, lo, hi);
	return FALSE;
}

static gboolean
tok_u32(const SimToken *tok, const char *what, guint32 *out, GError **error)
{
	gint64 v;

	if (!tok_range(tok, what, 0, G_MAXUINT32, &v, error))
		return FALSE;
	*out = (guint32)v;
	return TRUE;
}

static gboolean
tok_s32(const SimToken *tok, const char *what, gint32 *out, GError **error)
{
	gint64 v;

	if (!tok_range(tok, what, G_MININT32, G_MAXINT32, &v, error))
		return FALSE;
	*out = (gint32)v;
	return TRUE;
}

/* A u64; with neg_ok, -N is accepted as its two's complement. */
static gboolean
tok_u64(const SimToken *tok, const char *what, gboolean neg_ok,
    guint64 *out, GError **error)
{
	gint64 s;

	if (tok->kind == SIM_TOK_INT && !tok->neg) {
		*out = tok->mag;
		return TRUE;
	}
	if (!tok_range(tok, what, neg_ok ? G_MININT64 : 0, G_MAXUINT64, &s,
	    error))
		return FALSE;
	*out = (guint64)s;
	return TRUE;
}

static gboolean
arg_u32(SimExec *x, const SimStmt *st, guint i, const char *what,
    guint32 *out, GError **error)
{
	(void)x;
	return tok_u32(pos_arg(st, i), what, out, error);
}

/*
 * A map key: a number, or, resolved when the step runs, a $variable bound
 * to a number or a cookie, or cookie(S) (a cookie-keyed map).  The
 * backends take 32-bit keys (zero-extended to the map's key size, so an
 * 8-byte key holds the number); a larger value is an error at the token.
 */
static gboolean
arg_key(SimExec *x, const SimStmt *st, guint i, guint32 *out,
    GError **error)
{
	const SimToken *t = pos_arg(st, i);
	const char *w = t != NULL ? sim_token_word(t) : NULL;
	guint64 v = 0;

	if (t == NULL || (t->kind != SIM_TOK_VAR &&
	    (w == NULL || !g_str_has_prefix(w, "cookie("))))
		return tok_u32(t, "a key", out, error);
	if (!sim_expect_operand(x, t, sim_checking(x), &v, error))
		return FALSE;
	if (v > G_MAXUINT32) {
		sim_tok_error(error, t, "key %s is %" G_GUINT64_FORMAT ", above "
		    "the 32-bit keys a scenario can give", t->text, v);
		return FALSE;
	}
	*out = (guint32)v;
	return TRUE;
}

/* Optional key=value number: *out keeps its default when absent. */
static gboolean
kv_u32(const SimStmt *st, const char *key, const char *what, guint32 *out,
    GError **error)
{
	const SimToken *v = kv_arg(st, key);

	return v == NULL || tok_u32(v, what, out, error);
}

static gboolean
kv_u64(const SimStmt *st, const char *key, const char *what, guint64 *out,
    GError **error)
{
	const SimToken *v = kv_arg(st, key);

	return v == NULL || tok_u64(v, what, FALSE, out, error);
}

/*
 * Match the WORD tok against names[0..n) and store the index; else an
 * error naming what, with the nearest name or the whole list.
 */
static gboolean
tok_choice(const SimToken *tok, const char *what, const char *const *names,
    gsize n, guint *idx, GError **error)
{
	const char *w = sim_token_word(tok), *hint;
	g_autoptr(GString) all = g_string_new(NULL);
	gsize i;

	for (i = 0; w != NULL && i < n; i++) {
		if (strcmp(w, names[i]) == 0) {
			*idx = (guint)i;
			return TRUE;
		}
	}
	hint = w != NULL ? sim_suggest(w, names, n) : NULL;
	if (hint != NULL) {
		sim_tok_error(error, tok, "unknown %s '%s', did you mean '%s'?",
		    what, tok->text, hint);
		return FALSE;
	}
	/* names[] need not be NULL-terminated: no g_strjoinv() */
	for (i = 0; i < n; i++)
		g_string_append_printf(all, "%s%s", i > 0 ? " " : "",
		    names[i]);
	sim_tok_error(error, tok, "unknown %s '%s' (one of: %s)", what,
	    tok->text, all->str);
	return FALSE;
}

/* tok_choice() over a NULL-terminated list */
static gboolean
tok_word(const SimToken *tok, const char *what, const char *const *names,
    guint *idx, GError **error)
{
	return tok_choice(tok, what, names, g_strv_length((char **)names), idx,
	    error);
}

/* The keyword kw (as, to, from) at positional argument i. */
static gboolean
arg_keyword(const SimStmt *st, guint i, const char *kw, GError **error)
{
	const SimToken *t = pos_arg(st, i);
	const char *w = sim_token_word(t);

	if (w != NULL && strcmp(w, kw) == 0)
		return TRUE;
	sim_tok_error(error, t, "expected '%s', got '%s'", kw, t->text);
	return FALSE;
}

/* ---------------------------------------------------------------------
 * Names
 */

/* Define positional argument i as a new name of kind. */
static gboolean
arg_new(SimExec *x, const SimStmt *st, guint i, SimObjKind kind,
    SimObj **out, GError **error)
{
	*out = sim_names_define(x->names, kind, pos_arg(st, i), error);
	return *out != NULL;
}

static gboolean
arg_obj(SimExec *x, const SimStmt *st, guint i, SimObjKind kinds,
    SimObj **out, GError **error)
{
	return sim_names_resolve(x->names, pos_arg(st, i), kinds, out, error);
}

/*
 * An fd argument: any socket, map or program name, since passing the
 * wrong kind of fd is itself something scenarios test (the kernel answers
 * -EINVAL, -ENOTSOCK, -EBADF ...).  "sock" and "map" say what the verb
 * is meant for.
 */
static gboolean
arg_sock(SimExec *x, const SimStmt *st, guint i, SimObj **out,
    GError **error)
{
	return arg_obj(x, st, i, SIM_OBJ_FILE, out, error);
}

static gboolean
arg_map(SimExec *x, const SimStmt *st, guint i, SimObj **out, GError **error)
{
	return arg_obj(x, st, i, SIM_OBJ_FILE, out, error);
}

/* key=NAME of kinds; *out stays NULL when absent. */
static gboolean
kv_obj(SimExec *x, const SimStmt *st, const char *key, SimObjKind kinds,
    SimObj **out, GError **error)
{
	const SimToken *v = kv_arg(st, key);

	*out = NULL;
	return v == NULL || sim_names_resolve(x->names, v, kinds, out, error);
}

/* netns=NS, else the namespace of the current process. */
static gboolean
kv_netns(SimExec *x, const SimStmt *st, unsigned *netns, GError **error)
{
	SimObj *ns;

	if (!kv_obj(x, st, "netns", SIM_OBJ_NETNS, &ns, error))
		return FALSE;
	*netns = ns != NULL ? ns->id : x->proc->netns;
	return TRUE;
}

/* ---------------------------------------------------------------------
 * Capabilities and addresses
 */

static const struct {
	const char	*name;
	guint64		 bit;
} cap_names[] = {
	{ "net_admin", RP_CAP_NET_ADMIN },
	{ "net_raw", RP_CAP_NET_RAW },
	{ "sys_admin", RP_CAP_SYS_ADMIN },
	{ "bpf", RP_CAP_BPF },
};

/* "all", "none" or a comma list of capability names. */
static gboolean
tok_caps(const SimToken *tok, guint64 *caps, GError **error)
{
	const char *w = sim_token_word(tok);
	const char *names[G_N_ELEMENTS(cap_names)];
	g_auto(GStrv) parts = NULL;
	guint i, j;

	if (w == NULL) {
		sim_tok_error(error, tok, "expected a capability list (all, "
		    "none "
		    "or net_admin,net_raw,sys_admin,bpf), got '%s'", tok->text);
		return FALSE;
	}
	if (strcmp(w, "all") == 0) {
		*caps = RP_CAP_ALL;
		return TRUE;
	}
	*caps = 0;
	if (strcmp(w, "none") == 0)
		return TRUE;
	for (i = 0; i < G_N_ELEMENTS(cap_names); i++)
		names[i] = cap_names[i].name;
	parts = g_strsplit(w, ",", -1);
	for (i = 0; parts[i] != NULL; i++) {
		for (j = 0; j < G_N_ELEMENTS(cap_names); j++)
			if (strcmp(parts[i], names[j]) == 0)
				break;
		if (j == G_N_ELEMENTS(cap_names)) {
			const char *hint = sim_suggest(parts[i], names,
			    G_N_ELEMENTS(names));

			if (hint != NULL)
				sim_tok_error(error, tok, "unknown capability "
				    "'%s', did you mean '%s'?", parts[i], hint);
			else
				sim_tok_error(error, tok, "unknown capability "
				    "'%s' (all, none or a comma list of "
				    "net_admin,net_raw,sys_admin,bpf)",
				    parts[i]);
			return FALSE;
		}
		*caps |= cap_names[j].bit;
	}
	return TRUE;
}

/*
 * Parse tok, ADDR:PORT, into *sa: 127.0.0.1:80, [::1]:80, 0.0.0.0:0,
 * [::]:0.  PORT is a number or a socket name: then *port_of is that
 * socket and the port is filled in at run time (sim_port_of()).
 */
static gboolean
tok_addr(SimExec *x, const SimToken *tok, struct rp_sockaddr *sa,
    SimObj **port_of, GError **error)
{
	const char *w = sim_token_word(tok), *colon, *port;
	g_autofree char *host = NULL;
	guint64 p;
	char *end;

	memset(sa, 0, sizeof(*sa));
	*port_of = NULL;
	if (w == NULL)
		goto bad;
	if (w[0] == '[') {
		const char *rb = strchr(w, ']');

		if (rb == NULL || rb[1] != ':')
			goto bad;
		host = g_strndup(w + 1, (gsize)(rb - w - 1));
		port = rb + 2;
		sa->addr.family = RP_AF_INET6;
		if (inet_pton(AF_INET6, host, sa->addr.a) != 1) {
			sim_tok_error(error, tok, "bad IPv6 address "
			    "'%s'", host);
			return FALSE;
		}
	} else {
		colon = strrchr(w, ':');
		if (colon == NULL)
			goto bad;
		host = g_strndup(w, (gsize)(colon - w));
		port = colon + 1;
		sa->addr.family = RP_AF_INET;
		if (inet_pton(AF_INET, host, sa->addr.a) != 1) {
			sim_tok_error(error, tok, "bad IPv4 address '%s' (IPv6 "
			    "addresses go in brackets: [::1]:80)", host);
			return FALSE;
		}
	}
	if (*port == '\0')
		goto bad;
	if (g_ascii_isdigit(*port)) {
		p = g_ascii_strtoull(port, &end, 10);
		if (*end != '\0' || p > 65535) {
			sim_tok_error(error, tok, "bad port '%s' (0..65535 or "
			    "a "
			    "socket name)", port);
			return FALSE;
		}
		sa->port = (guint16)p;
		return TRUE;
	}
	*port_of = sim_names_find(x->names, SIM_NS_FILE, port);
	if (*port_of == NULL || (*port_of)->kind != SIM_OBJ_SOCK) {
		sim_tok_error(error, tok, "bad port '%s' (0..65535 or the "
		    "name of "
		    "a socket defined before use)", port);
		return FALSE;
	}
	return TRUE;
bad:
	sim_tok_error(error, tok, "expected ADDR:PORT (127.0.0.1:80, "
	    "[::1]:80), "
	    "got '%s'", tok->text);
	return FALSE;
}

static gboolean
arg_addr(SimExec *x, const SimStmt *st, guint i, struct rp_sockaddr *sa,
    SimObj **port_of, GError **error)
{
	return tok_addr(x, pos_arg(st, i), sa, port_of, error);
}

/* At run time: fill in the port of an address whose PORT was a name. */
static gboolean
resolve_port(SimExec *x, struct rp_sockaddr *sa, const SimObj *port_of,
    GError **error)
{
	return port_of == NULL || sim_port_of(x, port_of, &sa->port, error);
}

/* ---------------------------------------------------------------------
 * Processes, namespaces, system settings
 */

static gboolean
verb_netns(SimExec *x, const SimStmt *st, SimResult *r, GError **error)
{
	SimObj *ns;
	int ret;

	if (!arg_new(x, st, 0, SIM_OBJ_NETNS, &ns, error))
		return FALSE;
	if (sim_checking(x))
		return TRUE;
	ret = x->ops->netns_new(x->be);
	if (ret >= 0)
		sim_names_bind(x->names, ns, ns->proc, -1, (unsigned)ret);
	return status(r, ret);
}

static gboolean
verb_proc(SimExec *x, const SimStmt *st, SimResult *r, GError **error)
{
	const SimToken *caps_tok = kv_arg(st, "caps");
	guint64 caps = RP_CAP_ALL;
	SimObj *p, *ns;
	guint32 uid = 0;
	int ret;

	if (!arg_new(x, st, 0, SIM_OBJ_PROC, &p, error) ||
	    !kv_obj(x, st, "netns", SIM_OBJ_NETNS, &ns, error) ||
	    !kv_u32(st, "uid", "a uid", &uid, error) ||
	    (caps_tok != NULL && !tok_caps(caps_tok, &caps, error)))
		return FALSE;
	if (sim_checking(x))
		return TRUE;
	ret = x->ops->proc_new(x->be, ns != NULL ? ns->id : 0, uid, caps);
	if (ret >= 0) {
		sim_names_bind(x->names, p, p->proc, -1, (unsigned)ret);
		p->netns = ns != NULL ? ns->id : 0;
	}
	return status(r, ret);
}

static gboolean
verb_caps(SimExec *x, const SimStmt *st, SimResult *r, GError **error)
{
	guint64 caps;
	SimObj *p;

	if (!arg_obj(x, st, 0, SIM_OBJ_PROC, &p, error) ||
	    !tok_caps(pos_arg(st, 1), &caps, error))
		return FALSE;
	if (sim_checking(x))
		return TRUE;
	return status(r, x->ops->proc_set_caps(x->be, p->id, caps));
}

static const char *const sysctl_keys[] = {
	"net.ipv4.tcp_migrate_req",
	"kernel.unprivileged_bpf_disabled",
	NULL,
};

static gboolean
verb_sysctl(SimExec *x, const SimStmt *st, SimResult *r, GError **error)
{
	unsigned netns;
	gint64 val;
	guint key;

	if (!tok_word(pos_arg(st, 0), "sysctl", sysctl_keys, &key, error) ||
	    !tok_range(pos_arg(st, 1), "a sysctl value", G_MINLONG,
	    G_MAXLONG, &val, error) ||
	    !kv_netns(x, st, &netns, error))
		return FALSE;
	if (sim_checking(x))
		return TRUE;
	return status(r, x->ops->sysctl_set(x->be, netns, sysctl_keys[key],
	    (long)val));
}

static gboolean
verb_rlimit(SimExec *x, const SimStmt *st, SimResult *r, GError **error)
{
	static const char *const res[] = { "memlock", NULL };
	const SimToken *t = pos_arg(st, 2);
	const char *w = sim_token_word(t);
	guint64 bytes = G_MAXUINT64;
	guint which;
	SimObj *p;

	if (!arg_obj(x, st, 0, SIM_OBJ_PROC, &p, error) ||
	    !tok_word(pos_arg(st, 1), "resource", res, &which, error))
		return FALSE;
	if ((w == NULL || strcmp(w, "unlimited") != 0) &&
	    !tok_u64(t, "a byte count or 'unlimited'", FALSE, &bytes, error))
		return FALSE;
	if (sim_checking(x))
		return TRUE;
	return status(r, x->ops->proc_set_memlock(x->be, p->id, bytes));
}

static gboolean
verb_cpu(SimExec *x, const SimStmt *st, SimResult *r, GError **error)
{
	guint32 cpu;

	if (!arg_u32(x, st, 0, "a CPU number", &cpu, error))
		return FALSE;
	if (sim_checking(x))
		return TRUE;
	return status(r, x->ops->set_cpu(x->be, cpu));
}

/* ---------------------------------------------------------------------
 * Sockets
 */

static const struct {
	const char	*name;
	int		 family, type, protocol;
} sock_kinds[] = {
	{ "tcp4", RP_AF_INET, RP_SOCK_STREAM, 0 },
	{ "tcp6", RP_AF_INET6, RP_SOCK_STREAM, 0 },
	{ "udp4", RP_AF_INET, RP_SOCK_DGRAM, 0 },
	{ "udp6", RP_AF_INET6, RP_SOCK_DGRAM, 0 },
	{ "udplite4", RP_AF_INET, RP_SOCK_DGRAM, RP_IPPROTO_UDPLITE },
	{ "udplite6", RP_AF_INET6, RP_SOCK_DGRAM, RP_IPPROTO_UDPLITE },
	{ "raw4", RP_AF_INET, RP_SOCK_RAW, RP_IPPROTO_RAW },
	{ "raw6", RP_AF_INET6, RP_SOCK_RAW, RP_IPPROTO_RAW },
	{ "unix-stream", RP_AF_UNIX, RP_SOCK_STREAM, 0 },
	{ "unix-dgram", RP_AF_UNIX, RP_SOCK_DGRAM, 0 },
	{ "netlink", RP_AF_NETLINK, RP_SOCK_RAW, 0 },
};

static const struct {
	const char	*name;
	int		 protocol;
} proto_names[] = {
	{ "ip", RP_IPPROTO_IP },
	{ "icmp", RP_IPPROTO_ICMP },
	{ "tcp", RP_IPPROTO_TCP },
	{ "udp", RP_IPPROTO_UDP },
	{ "udplite", RP_IPPROTO_UDPLITE },
	{ "raw", RP_IPPROTO_RAW },
};

/* proto=P: a protocol name or number. */
static gboolean
tok_proto(const SimToken *tok, int *proto, GError **error)
{
	const char *names[G_N_ELEMENTS(proto_names)];
	gint32 n;
	guint i;

	if (tok->kind == SIM_TOK_INT) {
		if (!tok_s32(tok, "a protocol", &n, error))
			return FALSE;
		*proto = n;
		return TRUE;
	}
	for (i = 0; i < G_N_ELEMENTS(proto_names); i++)
		names[i] = proto_names[i].name;
	if (!tok_choice(tok, "protocol", names, G_N_ELEMENTS(names), &i,
	    error))
		return FALSE;
	*proto = proto_names[i].protocol;
	return TRUE;
}

static gboolean
verb_socket(SimExec *x, const SimStmt *st, SimResult *r, GError **error)
{
	const char *names[G_N_ELEMENTS(sock_kinds)];
	const SimToken *pt = kv_arg(st, "proto");
	SimObj *s;
	guint k;
	int proto, fd;

	for (k = 0; k < G_N_ELEMENTS(sock_kinds); k++)
		names[k] = sock_kinds[k].name;
	if (!arg_new(x, st, 0, SIM_OBJ_SOCK, &s, error) ||
	    !tok_choice(pos_arg(st, 1), "socket kind", names,
	    G_N_ELEMENTS(names), &k, error))
		return FALSE;
	proto = sock_kinds[k].protocol;
	if (pt != NULL && !tok_proto(pt, &proto, error))
		return FALSE;
	if (sim_checking(x))
		return TRUE;
	fd = x->ops->socket(x->be, proc_id(x), sock_kinds[k].family,
	    sock_kinds[k].type, proto);
	if (fd >= 0)
		sim_obj_bind_fd(x, s, proc_id(x), fd);
	return status(r, fd);
}

static gboolean
verb_setsockopt(SimExec *x, const SimStmt *st, SimResult *r, GError **error)
{
	static const char *const opts[] = { "reuseport", "incoming_cpu",
	    "v6only", "bindtoifindex", "reuseaddr", NULL };
	static const enum rp_sockopt vals[] = { RP_SO_REUSEPORT,
	    RP_SO_INCOMING_CPU, RP_IPV6_V6ONLY, RP_SO_BINDTOIFINDEX,
	    RP_SO_REUSEADDR };
	SimObj *s;
	gint32 v;
	guint opt;

	if (!arg_sock(x, st, 0, &s, error) ||
	    !tok_word(pos_arg(st, 1), "socket option", opts, &opt, error) ||
	    !tok_s32(pos_arg(st, 2), "an option value", &v, error))
		return FALSE;
	if (sim_checking(x))
		return TRUE;
	return status(r, x->ops->setsockopt(x->be, proc_id(x), fd_of(x, s),
	    vals[opt], v));
}

static gboolean
verb_bind(SimExec *x, const SimStmt *st, SimResult *r, GError **error)
{
	struct rp_sockaddr sa;
	SimObj *s, *port_of;

	if (!arg_sock(x, st, 0, &s, error) ||
	    !arg_addr(x, st, 1, &sa, &port_of, error))
		return FALSE;
	if (sim_checking(x))
		return TRUE;
	if (!resolve_port(x, &sa, port_of, error))
		return FALSE;
	return status(r, x->ops->bind(x->be, proc_id(x), fd_of(x, s), &sa));
}

static gboolean
verb_listen(SimExec *x, const SimStmt *st, SimResult *r, GError **error)
{
	const SimToken *bt = pos_arg(st, 1);
	gint32 backlog = 128;
	SimObj *s;

	if (!arg_sock(x, st, 0, &s, error) ||
	    (bt != NULL && !tok_s32(bt, "a backlog", &backlog, error)))
		return FALSE;
	if (sim_checking(x))
		return TRUE;
	return status(r, x->ops->listen(x->be, proc_id(x), fd_of(x, s),
	    backlog));
}

static gboolean
verb_connect(SimExec *x, const SimStmt *st, SimResult *r, GError **error)
{
	const char *w = sim_token_word(pos_arg(st, 1));
	struct rp_sockaddr sa = { 0 };
	SimObj *s, *port_of = NULL;

	if (!arg_sock(x, st, 0, &s, error))
		return FALSE;
	if ((w == NULL || strcmp(w, "unspec") != 0) &&
	    !arg_addr(x, st, 1, &sa, &port_of, error))
		return FALSE;
	if (sim_checking(x))
		return TRUE;
	if (!resolve_port(x, &sa, port_of, error))
		return FALSE;
	return status(r, x->ops->connect(x->be, proc_id(x), fd_of(x, s),
	    &sa));
}

static gboolean
verb_shutdown(SimExec *x, const SimStmt *st, SimResult *r, GError **error)
{
	static const char *const hows[] = { "rd", "wr", "rdwr", NULL };
	SimObj *s;
	guint how;

	if (!arg_sock(x, st, 0, &s, error) ||
	    !tok_word(pos_arg(st, 1), "shutdown mode", hows, &how, error))
		return FALSE;
	if (sim_checking(x))
		return TRUE;
	/* RP_SHUT_RD, _WR, _RDWR are 0, 1, 2: the table order */
	return status(r, x->ops->shutdown(x->be, proc_id(x), fd_of(x, s),
	    (int)how));
}

static gboolean
verb_accept(SimExec *x, const SimStmt *st, SimResult *r, GError **error)
{
	SimObj *s, *c;
	int fd;

	if (!arg_new(x, st, 2, SIM_OBJ_SOCK, &c, error) ||
	    !arg_sock(x, st, 0, &s, error) ||
	    !arg_keyword(st, 1, "as", error))
		return FALSE;
	if (sim_checking(x))
		return TRUE;
	fd = x->ops->accept(x->be, proc_id(x), fd_of(x, s));
	if (fd >= 0)
		sim_obj_bind_fd(x, c, proc_id(x), fd);
	return status(r, fd);
}

static gboolean
verb_cookie(SimExec *x, const SimStmt *st, SimResult *r, GError **error)
{
	guint64 cookie = 0;
	SimObj *s;
	int ret;

	if (!arg_sock(x, st, 0, &s, error))
		return FALSE;
	if (sim_checking(x))
		return TRUE;
	ret = x->ops->get_cookie(x->be, proc_id(x), fd_of(x, s), &cookie);
	return value(r, ret, SIM_V_COOKIE, cookie);
}

static gboolean
verb_owner(SimExec *x, const SimStmt *st, SimResult *r, GError **error)
{
	static const char *const owners[] = { "foreign", NULL };
	SimObj *s;
	guint which;

	if (!arg_sock(x, st, 0, &s, error) ||
	    !tok_word(pos_arg(st, 1), "owner", owners, &which, error))
		return FALSE;
	if (sim_checking(x))
		return TRUE;
	return status(r, x->ops->set_foreign_owner(x->be, proc_id(x),
	    fd_of(x, s)));
}

/* ---------------------------------------------------------------------
 * Files: close, dup, pass
 */

static gboolean
verb_close(SimExec *x, const SimStmt *st, SimResult *r, GError **error)
{
	SimObj *o;
	int fd, ret;

	if (!arg_obj(x, st, 0, SIM_OBJ_FILE, &o, error))
		return FALSE;
	if (sim_checking(x))
		return TRUE;
	fd = fd_of(x, o);
	ret = x->ops->close_fd(x->be, proc_id(x), fd);
	/* every name standing for fd keeps the number, as a program's
	 * variable does: a later use is the kernel's EBADF, or reaches what
	 * the lowest-free-fd rule (alloc_fd()) puts at that number next */
	if (ret == 0)
		sim_names_closed(x->names, proc_id(x), fd);
	return status(r, ret);
}

/*
 * Bind n, a copy of o made by dup or pass, to fd of proc.  When o was
 * closed already, its number reached whatever file the lowest-free-fd
 * rule put there since, so n is not the map o was: it is the map of the
 * name that holds the number now (fd_holder()), or, when no open name
 * does, keeps no map type or value size, and the lookup contract (I14)
 * leaves it alone.  (Found by the soak: `close m1`, `map m2 sockhash
 * value=4`, `dup m1 as d2`, and a lookup through d2 was judged by m1's
 * 8-byte values.)
 */
static void
bind_copy(SimExec *x, SimObj *n, const SimObj *o, unsigned proc, int fd)
{
	const SimObj *h = o != NULL && o->closed ? fd_holder(x, o) : NULL;

	if (h != NULL) {
		gboolean map = h != o && h->kind == SIM_OBJ_MAP;

		n->map_type = map ? h->map_type : 0;
		n->value_size = map ? h->value_size : 0;
	}
	sim_obj_bind_fd(x, n, proc, fd);
}

/* Define the new name at i as the same kind of object as o (or as any
 * file when o is unknown, to keep later statements quiet). */
static gboolean
arg_new_like(SimExec *x, const SimStmt *st, guint i, const SimObj *o,
    SimObj **out, GError **error)
{
	if (!arg_new(x, st, i, o != NULL ? o->kind : SIM_OBJ_FILE, out,
	    error))
		return FALSE;
	if (o != NULL) {
		(*out)->map_type = o->map_type;		/* the same map */
		(*out)->value_size = o->value_size;
	}
	return TRUE;
}

static gboolean
verb_dup(SimExec *x, const SimStmt *st, SimResult *r, GError **error)
{
	g_autoptr(GError) err = NULL;
	SimObj *o = NULL, *n;
	int fd;

	if (!arg_obj(x, st, 0, SIM_OBJ_FILE, &o, &err))
		o = NULL;
	if (!arg_new_like(x, st, 2, o, &n, error))
		return FALSE;
	if (err != NULL) {
		g_propagate_error(error, g_steal_pointer(&err));
		return FALSE;
	}
	if (!arg_keyword(st, 1, "as", error))
		return FALSE;
	if (sim_checking(x))
		return TRUE;
	fd = x->ops->dup(x->be, proc_id(x), fd_of(x, o));
	if (fd >= 0)
		bind_copy(x, n, o, proc_id(x), fd);
	return status(r, fd);
}

static gboolean
verb_pass(SimExec *x, const SimStmt *st, SimResult *r, GError **error)
{
	g_autoptr(GError) err = NULL;
	SimObj *o = NULL, *p, *n;
	int fd;

	if (!arg_obj(x, st, 0, SIM_OBJ_FILE, &o, &err))
		o = NULL;
	if (!arg_new_like(x, st, 4, o, &n, error))
		return FALSE;
	if (err != NULL) {
		g_propagate_error(error, g_steal_pointer(&err));
		return FALSE;
	}
	if (!arg_keyword(st, 1, "to", error) ||
	    !arg_obj(x, st, 2, SIM_OBJ_PROC, &p, error) ||
	    !arg_keyword(st, 3, "as", error))
		return FALSE;
	if (sim_checking(x))
		return TRUE;
	fd = x->ops->pass(x->be, proc_id(x), fd_of(x, o), p->id);
	if (fd >= 0)
		bind_copy(x, n, o, p->id, fd);
	return status(r, fd);
}

/* ---------------------------------------------------------------------
 * Programs attached to groups
 */

static gboolean
verb_attach(SimExec *x, const SimStmt *st, SimResult *r, GError **error)
{
	static const char *const how[] = { "cbpf", "prog", NULL };
	struct rp_cbpf cbpf = { 0 };
	const SimToken *t3 = pos_arg(st, 2), *t;
	g_autoptr(GArray) code = NULL;
	SimObj *s, *p = NULL;
	guint which;

	if (!arg_sock(x, st, 0, &s, error) ||
	    !tok_word(pos_arg(st, 1), "attach kind", how, &which, error))
		return FALSE;
	if (which == 1) {
		if (t3 == NULL) {
			sim_tok_error(error, pos_arg(st, 1), "usage: attach S "
			    "prog P");
			return FALSE;
		}
		if (st->args->len != 3) {
			sim_tok_error(error, pos_arg(st, 1), "'attach S prog "
			    "P' "
			    "takes no key=value arguments");
			return FALSE;
		}
		if (!arg_obj(x, st, 2, SIM_OBJ_FILE, &p, error))
			return FALSE;
	} else if ((t = kv_arg(st, "code")) != NULL) {
		/* attach S cbpf code="...": a classic program as text */
		g_autoptr(GError) err = NULL;

		if (t->kind != SIM_TOK_STRING) {
			sim_tok_error(error, t, "code= takes a string of "
			    "classic BPF instructions");
			return FALSE;
		}
		if (st->args->len != 3) {
			sim_tok_error(error, t, "'attach S cbpf code=\"...\"' "
			    "takes nothing else");
			return FALSE;
		}
		if ((code = sim_cbpf_assemble(t->bytes, &err)) == NULL) {
			sim_tok_error(error, t, "code=: %s", err->message);
			return FALSE;
		}
	} else {
		static const char *const cb[] = { "payload", NULL };
		guint dummy;

		if (t3 != NULL && !tok_word(t3, "cbpf selector", cb, &dummy,
		    error))
			return FALSE;
		cbpf.payload_index = t3 != NULL;
		if (!kv_u32(st, "k", "an index", &cbpf.k, error) ||
		    !kv_u32(st, "off", "an offset", &cbpf.off, error) ||
		    !kv_u32(st, "mod", "a modulus", &cbpf.mod, error) ||
		    !kv_u32(st, "insns", "an instruction count",
		    &cbpf.insn_count, error))
			return FALSE;
		/* insns=0 asks for an empty program; absent means 4 */
		cbpf.empty = kv_arg(st, "insns") != NULL &&
		    cbpf.insn_count == 0;
	}
	if (sim_checking(x))
		return TRUE;
	if (p != NULL)
		return status(r, x->ops->attach_ebpf(x->be, proc_id(x),
		    fd_of(x, s), fd_of(x, p)));
	if (code != NULL)
		return status(r, x->ops->attach_cbpf_insns(x->be, proc_id(x),
		    fd_of(x, s), (const struct rp_sock_filter *)(void *)
		    code->data, code->len));
	return status(r, x->ops->attach_cbpf(x->be, proc_id(x), fd_of(x, s),
	    &cbpf));
}

static gboolean
verb_detach(SimExec *x, const SimStmt *st, SimResult *r, GError **error)
{
	SimObj *s;

	if (!arg_sock(x, st, 0, &s, error))
		return FALSE;
	if (sim_checking(x))
		return TRUE;
	return status(r, x->ops->detach_bpf(x->be, proc_id(x), fd_of(x, s)));
}

/* A decimal or 0x-hex number of a key spec field. */
static gboolean
spec_num(const char *s, guint32 *out)
{
	gboolean hex = s[0] == '0' && (s[1] == 'x' || s[1] == 'X');
	guint64 v;
	char *end;

	if (!g_ascii_isxdigit(s[hex ? 2 : 0]))
		return FALSE;
	v = g_ascii_strtoull(s + (hex ? 2 : 0), &end, hex ? 16 : 10);
	if (*end != '\0' || v > G_MAXUINT32)
		return FALSE;
	*out = (guint32)v;
	return TRUE;
}

/* key=SPEC of a program: const:N, payload:OFF:WIDTH[:be|le], hash[:MOD],
 * migrate. */
static gboolean
tok_keyspec(const SimToken *tok, struct rp_policy *pol, GError **error)
{
	const char *w = sim_token_word(tok);
	g_auto(GStrv) f = g_strsplit(w != NULL ? w : "", ":", -1);
	guint n = g_strv_length(f);

	if (n == 2 && strcmp(f[0], "const") == 0 &&
	    spec_num(f[1], &pol->key_const)) {
		pol->key_src = RP_KEY_CONST;
	} else if ((n == 3 || n == 4) && strcmp(f[0], "payload") == 0 &&
	    spec_num(f[1], &pol->off) && spec_num(f[2], &pol->width) &&
	    (n == 3 || strcmp(f[3], "be") == 0 || strcmp(f[3], "le") == 0)) {
		pol->key_src = RP_KEY_PAYLOAD;
		pol->big_endian = n == 3 || strcmp(f[3], "be") == 0;
	} else if ((n == 1 || (n == 2 && spec_num(f[1], &pol->hash_mod))) &&
	    strcmp(f[0], "hash") == 0) {
		pol->key_src = RP_KEY_HASH;
	} else if (n == 1 && strcmp(f[0], "migrate") == 0) {
		pol->key_src = RP_KEY_MIGRATE;
	} else {
		sim_tok_error(error, tok, "bad key spec '%s' (const:N, "
		    "payload:OFF:WIDTH[:be|le], hash[:MOD] or migrate)",
		    tok->text);
		return FALSE;
	}
	return TRUE;
}

/* type=, attach=: a name from names (values in vals) or a number. */
static gboolean
kv_enum(const SimStmt *st, const char *key, const char *const *names,
    const guint32 *vals, guint32 *out, GError **error)
{
	const SimToken *v = kv_arg(st, key);
	guint i;

	if (v == NULL)
		return TRUE;
	if (v->kind == SIM_TOK_INT)
		return tok_u32(v, key, out, error);
	if (!tok_word(v, key, names, &i, error))
		return FALSE;
	*out = vals[i];
	return TRUE;
}

/* object=FILE: a path relative to the directory of the file that names
 * it, as include's. */
static char *
object_path(const SimToken *t)
{
	const char *w = t->kind == SIM_TOK_STRING ? t->bytes :
	    sim_token_word(t);
	g_autofree char *dir = NULL;

	if (w == NULL || w[0] == '\0')
		return NULL;
	if (g_path_is_absolute(w) || t->file == NULL)
		return g_strdup(w);
	dir = g_path_get_dirname(t->file);
	return g_build_filename(dir, w, NULL);
}

/* The names the object's maps take: P.MAP, listed for messages. */
static char *
object_map_list(const SimBpfObj *obj)
{
	GString *s = g_string_new(NULL);

	for (guint i = 0; i < obj->maps->len; i++)
		g_string_append_printf(s, "%s%s", i > 0 ? " " : "",
		    ((const SimBpfObjMap *)obj->maps->pdata[i])->name);
	if (s->len == 0)
		g_string_append(s, "none");
	return g_string_free(s, FALSE);
}

/*
 * R-CRE-4d: a map the object defines of a type that the kernel of one of
 * the scenario's profiles has and the model does not implement is an
 * input error, found when the scenario is checked (so on every backend:
 * the scenario is one for the model and the kernel alike).  A type the
 * profile's kernel lacks is left to the create, which fails with that
 * kernel's errno.
 */
static gboolean
object_types_modelled(SimExec *x, const SimStmt *st, const SimBpfObj *obj,
    const int *reuse, GError **error)
{
	g_autoptr(GPtrArray) profs = sim_scenario_profiles(x->sc, NULL);

	for (guint k = 0; k < obj->maps->len; k++) {
		const SimBpfObjMap *om = obj->maps->pdata[k];
		uint32_t t = om->attr.map_type;

		if (reuse[k] >= 0)
			continue;
		for (guint i = 0; i < profs->len; i++) {
			const struct rp_profile *prof = rp_profile_find(
			    profs->pdata[i]);

			if (prof == NULL || rp_map_type_status(prof, t) !=
			    RP_MAP_TYPE_NOT_MODELLED)
				continue;
			sim_set_error_at(error, SIM_ERROR_INPUT, st->file,
			    st->line, st->verb_col, "map '%s' of %s: map type "
			    "%u (%s) is not modelled (the %s kernel has it, "
			    "the model does not)", om->name, obj->path, t,
			    rp_map_type_name(t), rp_profile_name(prof));
			return FALSE;
		}
	}
	return TRUE;
}

/*
 * prog P object=FILE [program=NAME|SECTION] [reuse MAP=M ...]: the
 * program of a compiled object (core/bpfobj.h).  The object is opened
 * when the scenario is checked, so a bad file is an input error at the
 * object= token; the maps it defines become files P.MAP, except those
 * bound to scenario maps with reuse.
 */
static gboolean
verb_prog_object(SimExec *x, const SimStmt *st, SimObj *p, SimResult *r,
    GError **error)
{
	const SimToken *ot = kv_arg(st, "object"), *pt = kv_arg(st,
	    "program");
	g_autoptr(SimBpfObj) obj = NULL;
	g_autoptr(GError) err = NULL;
	g_autofree char *path = object_path(ot);
	g_autofree int *reuse = NULL, *fds = NULL;
	g_autofree SimObj **mobj = NULL;
	gboolean binding = FALSE;
	guint k, n;
	int fd;

	if (path == NULL) {
		sim_tok_error(error, ot, "object= needs a file name");
		return FALSE;
	}
	for (k = 0; k < st->args->len; k++) {
		const SimToken *t = st->args->pdata[k];

		if (t->kind == SIM_TOK_KV && strcmp(t->name, "object") != 0 &&
		    strcmp(t->name, "program") != 0 && !binding) {
			sim_tok_error(error, t, "%s= does not go with object= "
			    "(prog P object=FILE [program=NAME] [reuse MAP=M "
			    "...])", t->name);
			return FALSE;
		}
		if (t->kind != SIM_TOK_KV && k > 0 && (binding ||
		    g_strcmp0(sim_token_word(t), "reuse") != 0)) {
			sim_tok_error(error, t, "unexpected %s (prog P "
			    "object=FILE [program=NAME] [reuse MAP=M ...])",
			    t->text);
			return FALSE;
		}
		if (t->kind != SIM_TOK_KV && k > 0)
			binding = TRUE;
	}
	obj = sim_bpfobj_open(path, pt == NULL ? NULL : pt->kind ==
	    SIM_TOK_STRING ? pt->bytes : sim_token_word(pt), &err);
	if (obj == NULL) {
		sim_tok_error(error, ot, "%s", err->message);
		return FALSE;
	}
	n = obj->maps->len;
	reuse = g_new(int, n + 1);
	fds = g_new(int, n + 1);
	mobj = g_new0(SimObj *, n + 1);
	for (k = 0; k < n; k++)
		reuse[k] = -1;
	binding = FALSE;
	for (k = 0; k < st->args->len; k++) {
		const SimToken *t = st->args->pdata[k];
		SimObj *m;
		int i;

		if (t->kind != SIM_TOK_KV && k > 0)
			binding = TRUE;
		if (!binding || t->kind != SIM_TOK_KV)
			continue;
		if ((i = sim_bpfobj_map_index(obj, t->name)) < 0) {
			g_autofree char *l = object_map_list(obj);

			sim_tok_error(error, t, "the object has no map '%s' "
			    "(its maps: %s)", t->name, l);
			return FALSE;
		}
		if (mobj[i] != NULL) {
			sim_tok_error(error, t, "map '%s' is bound twice",
			    t->name);
			return FALSE;
		}
		if (!sim_names_resolve(x->names, t->value, SIM_OBJ_FILE, &m,
		    error))
			return FALSE;
		mobj[i] = m;
		reuse[i] = sim_checking(x) ? 0 : fd_of(x, m);
	}
	for (k = 0; k < n; k++) {
		const SimBpfObjMap *om = obj->maps->pdata[k];
		g_autofree char *name = NULL;

		if (mobj[k] != NULL)
			continue;
		if (om->outer) {
			sim_tok_error(error, ot, "map '%s' of the object is a "
			    "map of maps: bind it to a scenario map with "
			    "reuse %s=M", om->name, om->name);
			return FALSE;
		}
		name = g_strdup_printf("%s.%s", p->name, om->name);
		mobj[k] = sim_names_define_str(x->names, SIM_OBJ_MAP, name,
		    ot, error);
		if (mobj[k] == NULL)
			return FALSE;
		mobj[k]->map_type = om->attr.map_type;
		mobj[k]->value_size = om->attr.value_size;
		reuse[k] = -1;
	}
	if (sim_checking(x))
		return object_types_modelled(x, st, obj, reuse, error);
	fd = x->ops->prog_load_object(x->be, proc_id(x), obj, reuse, fds);
	/* R-OBJ-3: only the kernel verifies */
	if (fd >= 0 && strcmp(x->ops->name, "kernel") != 0)
		g_ptr_array_add(x->notes, g_strdup_printf("%s:%u:%u: not "
		    "verified: program %s of %s runs as compiled (diff or "
		    "--backend kernel has the kernel's verifier judge it)",
		    st->file, st->line, st->verb_col, obj->prog, obj->path));
	if (fd >= 0) {
		sim_obj_bind_fd(x, p, proc_id(x), fd);
		for (k = 0; k < n; k++)
			if (reuse[k] < 0)
				sim_obj_bind_fd(x, mobj[k], proc_id(x), fds[k]);
	}
	return status(r, fd);
}

static gboolean
verb_prog(SimExec *x, const SimStmt *st, SimResult *r, GError **error)
{
	static const char *const types[] = { "sk_reuseport", "socket_filter",
	    NULL };
	static const guint32 type_vals[] = { RP_PROG_SK_REUSEPORT,
	    RP_PROG_SOCKET_FILTER };
	static const char *const attaches[] = { "select", "migrate", NULL };
	static const guint32 attach_vals[] = { RP_ATTACH_SK_REUSEPORT_SELECT,
	    RP_ATTACH_SK_REUSEPORT_SELECT_OR_MIGRATE };
	static const char *const onerr[] = { "drop", "pass", NULL };
	static const char *const flags[] = { "drop", "migrate-only",
	    "bad-helper", NULL };
	struct rp_prog_attr a = { RP_PROG_SK_REUSEPORT, 0, -1, { 0 } };
	const SimToken *t;
	SimObj *p, *m;
	guint i, which;
	int fd;

	if (!arg_new(x, st, 0, SIM_OBJ_PROG, &p, error))
		return FALSE;
	if (kv_arg(st, "object") != NULL)
		return verb_prog_object(x, st, p, r, error);
	if ((t = kv_arg(st, "program")) != NULL) {
		sim_tok_error(error, t, "program= names a program of an "
		    "object=");
		return FALSE;
	}
	if (!kv_enum(st, "type", types, type_vals, &a.prog_type, error) ||
	    !kv_enum(st, "attach", attaches, attach_vals,
	    &a.expected_attach_type, error) ||
	    !kv_obj(x, st, "map", SIM_OBJ_FILE, &m, error))
		return FALSE;
	if ((t = kv_arg(st, "key")) != NULL && !tok_keyspec(t, &a.policy,
	    error))
		return FALSE;
	if ((t = kv_arg(st, "outer")) != NULL) {
		if (!tok_u32(t, "an outer key", &a.policy.outer_key, error))
			return FALSE;
		a.policy.via_outer = TRUE;
	}
	if ((t = kv_arg(st, "on-error")) != NULL) {
		if (!tok_word(t, "on-error action", onerr, &which, error))
			return FALSE;
		a.policy.pass_on_error = which == 1;
	}
	for (i = 1; (t = pos_arg(st, i)) != NULL; i++) {
		if (!tok_word(t, "program flag", flags, &which, error))
			return FALSE;
		if (which == 0)
			a.policy.always_drop = TRUE;
		else if (which == 1)
			a.policy.migrate_only = TRUE;
		else
			a.policy.bad_helper = TRUE;
	}
	if (sim_checking(x))
		return TRUE;
	a.map_fd = m != NULL ? fd_of(x, m) : -1;
	fd = x->ops->prog_load(x->be, proc_id(x), &a);
	if (fd >= 0)
		sim_obj_bind_fd(x, p, proc_id(x), fd);
	return status(r, fd);
}

static gboolean
verb_migrate_key(SimExec *x, const SimStmt *st, SimResult *r,
    GError **error)
{
	guint64 cookie;
	guint32 key;
	SimObj *p, *s;

	if (!arg_obj(x, st, 0, SIM_OBJ_FILE, &p, error) ||
	    !arg_obj(x, st, 1, SIM_OBJ_SOCK, &s, error) ||
	    !arg_u32(x, st, 2, "a key", &key, error))
		return FALSE;
	if (sim_checking(x))
		return TRUE;
	if (!sim_cookie_of(x, s, &cookie, error))
		return FALSE;
	return status(r, x->ops->prog_migrate_set(x->be, proc_id(x),
	    fd_of(x, p), cookie, key));
}

/* ---------------------------------------------------------------------
 * Maps
 */

static const char *const map_types[] = { "sockarray", "sockmap", "sockhash",
	"array_of_maps", "hash_of_maps", "array", NULL };
static const guint32 map_type_vals[] = { RP_MAP_REUSEPORT_SOCKARRAY,
	RP_MAP_SOCKMAP, RP_MAP_SOCKHASH, RP_MAP_ARRAY_OF_MAPS,
	RP_MAP_HASH_OF_MAPS, RP_MAP_ARRAY };

static const struct {
	const char	*name;
	guint32		 bit;
} map_flag_names[] = {
	{ "no_prealloc", RP_BPF_F_NO_PREALLOC },
	{ "numa", RP_BPF_F_NUMA_NODE },
	{ "rdonly", RP_BPF_F_RDONLY },
	{ "wronly", RP_BPF_F_WRONLY },
	{ "rdonly_prog", RP_BPF_F_RDONLY_PROG },
	{ "wronly_prog", RP_BPF_F_WRONLY_PROG },
	{ "mmapable", RP_BPF_F_MMAPABLE },
	{ "preserve_elems", RP_BPF_F_PRESERVE_ELEMS },
	{ "inner_map", RP_BPF_F_INNER_MAP },
};

/* flags=F: a number or a comma list of map flag names. */
static gboolean
tok_map_flags(const SimToken *tok, guint32 *flags, GError **error)
{
	const char *names[G_N_ELEMENTS(map_flag_names)];
	g_auto(GStrv) parts = NULL;
	guint i, j;

	if (tok->kind == SIM_TOK_INT)
		return tok_u32(tok, "map flags", flags, error);
	if (sim_token_word(tok) == NULL)
		return tok_u32(tok, "map flags", flags, error);
	for (i = 0; i < G_N_ELEMENTS(map_flag_names); i++)
		names[i] = map_flag_names[i].name;
	parts = g_strsplit(tok->text, ",", -1);
	*flags = 0;
	for (i = 0; parts[i] != NULL; i++) {
		for (j = 0; j < G_N_ELEMENTS(names); j++)
			if (strcmp(parts[i], names[j]) == 0)
				break;
		if (j == G_N_ELEMENTS(names)) {
			const char *hint = sim_suggest(parts[i], names,
			    G_N_ELEMENTS(names));

			if (hint != NULL)
				sim_tok_error(error, tok, "unknown map flag "
				    "'%s', "
				    "did you mean '%s'?", parts[i], hint);
			else
				sim_tok_error(error, tok, "unknown map flag "
				    "'%s'",
				    parts[i]);
			return FALSE;
		}
		*flags |= map_flag_names[j].bit;
	}
	return TRUE;
}

static gboolean
verb_map(SimExec *x, const SimStmt *st, SimResult *r, GError **error)
{
	static const char *const tails[] = { "tail", NULL };
	const SimToken *t;
	struct rp_map_attr a;
	SimObj *m, *inner;
	guint type, which;
	int fd;

	if (!arg_new(x, st, 0, SIM_OBJ_MAP, &m, error) ||
	    !tok_word(pos_arg(st, 1), "map type", map_types, &type, error))
		return FALSE;
	rp_map_attr_init(&a, map_type_vals[type], map_type_vals[type] ==
	    RP_MAP_ARRAY_OF_MAPS || map_type_vals[type] ==
	    RP_MAP_HASH_OF_MAPS ? 4 : 8, 4);
	if (!kv_u32(st, "key", "a key size", &a.key_size, error) ||
	    !kv_u32(st, "value", "a value size", &a.value_size, error) ||
	    !kv_u32(st, "entries", "max_entries", &a.max_entries, error) ||
	    !kv_u32(st, "numa", "a NUMA node", &a.numa_node, error) ||
	    !kv_u64(st, "extra", "map_extra", &a.map_extra, error) ||
	    !kv_u32(st, "btf_fd", "a BTF fd", &a.btf_fd, error) ||
	    !kv_u32(st, "btf_key", "a BTF type id", &a.btf_key_type_id,
	    error) ||
	    !kv_u32(st, "btf_value", "a BTF type id", &a.btf_value_type_id,
	    error) ||
	    !kv_u32(st, "btf_vmlinux", "a BTF type id",
	    &a.btf_vmlinux_value_type_id, error) ||
	    !kv_obj(x, st, "inner", SIM_OBJ_FILE, &inner, error))
		return FALSE;
	if ((t = kv_arg(st, "flags")) != NULL &&
	    !tok_map_flags(t, &a.map_flags, error))
		return FALSE;
	if ((t = kv_arg(st, "name")) != NULL) {
		if (t->kind != SIM_TOK_STRING || t->len > 16) {
			sim_tok_error(error, t, "expected a map name: a string "
			    "of at most 16 bytes");
			return FALSE;
		}
		memcpy(a.name, t->bytes, t->len);
	}
	if ((t = pos_arg(st, 2)) != NULL) {
		if (!tok_word(t, "map option", tails, &which, error))
			return FALSE;
		a.tail_nonzero = TRUE;
	}
	if (sim_checking(x))
		return TRUE;
	a.inner_map_fd = inner != NULL ? fd_of(x, inner) : -1;
	fd = x->ops->map_create(x->be, proc_id(x), &a);
	m->map_type = a.map_type;
	m->value_size = a.value_size;
	if (fd >= 0)
		sim_obj_bind_fd(x, m, proc_id(x), fd);
	return status(r, fd);
}

/*
 * VALUE of update: a socket or map name (its fd in the current process,
 * -1 when it has none), or a number (-1 is 2^64-1).
 */
static gboolean
arg_update_value(SimExec *x, const SimStmt *st, guint i, SimObj **obj,
    guint64 *val, GError **error)
{
	const SimToken *t = pos_arg(st, i);

	*obj = NULL;
	if (t->kind == SIM_TOK_INT)
		return tok_u64(t, "a map value", TRUE, val, error);
	return sim_names_resolve(x->names, t, SIM_OBJ_FILE, obj, error);
}

static gboolean
arg_update_flags(const SimStmt *st, guint i, guint64 *flags, GError **error)
{
	static const char *const names[] = { "any", "noexist", "exist",
	    "lock", NULL };
	static const guint64 vals[] = { RP_BPF_ANY, RP_BPF_NOEXIST,
	    RP_BPF_EXIST, RP_BPF_F_LOCK };
	const SimToken *t = pos_arg(st, i);
	guint which;

	*flags = RP_BPF_ANY;
	if (t == NULL)
		return TRUE;
	if (t->kind == SIM_TOK_INT)
		return tok_u64(t, "update flags", FALSE, flags, error);
	if (!tok_word(t, "update flag", names, &which, error))
		return FALSE;
	*flags = vals[which];
	return TRUE;
}

static gboolean
verb_update(SimExec *x, const SimStmt *st, SimResult *r, GError **error)
{
	guint64 val = 0, flags;
	SimObj *m, *vo;
	guint32 key;

	if (!arg_map(x, st, 0, &m, error) ||
	    !arg_key(x, st, 1, &key, error) ||
	    !arg_update_value(x, st, 2, &vo, &val, error) ||
	    !arg_update_flags(st, 3, &flags, error))
		return FALSE;
	if (sim_checking(x))
		return TRUE;
	if (vo != NULL)
		val = (guint64)(gint64)fd_of(x, vo);
	return status(r, x->ops->map_update(x->be, proc_id(x), fd_of(x, m),
	    key, val, flags));
}

/* The kind of value a lookup through m's fd yields: inner maps, cookies,
 * or the number an array holds (from the map the fd reaches now). */
static SimValueKind
lookup_kind(const SimExec *x, const SimObj *m)
{
	const SimObj *h = fd_holder(x, m);

	/* a socket or program gives an errno */
	if (h->kind != SIM_OBJ_MAP || h->map_type == RP_MAP_ARRAY)
		return SIM_V_NUM;
	return h->map_type == RP_MAP_ARRAY_OF_MAPS ||
	    h->map_type == RP_MAP_HASH_OF_MAPS ? SIM_V_MAP : SIM_V_COOKIE;
}

static gboolean
verb_lookup(SimExec *x, const SimStmt *st, SimResult *r, GError **error)
{
	guint64 val = 0, flags = 0;
	guint32 key;
	SimObj *m;
	int ret;

	if (!arg_map(x, st, 0, &m, error) ||
	    !arg_key(x, st, 1, &key, error) ||
	    !kv_u64(st, "flags", "lookup flags", &flags, error))
		return FALSE;
	if (sim_checking(x))
		return TRUE;
	ret = x->ops->map_lookup(x->be, proc_id(x), fd_of(x, m), key, &val,
	    flags);
	sim_contract_lookup(x, m, key, ret, val);
	return value(r, ret, lookup_kind(x, m), val);
}

static gboolean
verb_delete(SimExec *x, const SimStmt *st, SimResult *r, GError **error)
{
	guint32 key;
	SimObj *m;

	if (!arg_map(x, st, 0, &m, error) ||
	    !arg_key(x, st, 1, &key, error))
		return FALSE;
	if (sim_checking(x))
		return TRUE;
	return status(r, x->ops->map_delete(x->be, proc_id(x), fd_of(x, m),
	    key));
}

static gboolean
verb_next_key(SimExec *x, const SimStmt *st, SimResult *r, GError **error)
{
	guint32 key = 0, next = 0;
	gboolean has_key = pos_arg(st, 1) != NULL;
	SimObj *m;
	int ret;

	if (!arg_map(x, st, 0, &m, error) ||
	    (has_key && !arg_u32(x, st, 1, "a key", &key, error)))
		return FALSE;
	if (sim_checking(x))
		return TRUE;
	ret = x->ops->map_next_key(x->be, proc_id(x), fd_of(x, m),
	    has_key ? &key : NULL, &next);
	return value(r, ret, SIM_V_NUM, next);
}

/*
 * The backend operation at offset op of SimBackendOps (OP(name)).  Read
 * only when running: while checking there is no backend (x->ops NULL).
 */
#define OP(name)	offsetof(SimBackendOps, name)
#define OP_AT(x, type, op) \
	(*(const type *)(const void *)((const char *)(x)->ops + (op)))

typedef int (*MapCall)(SimBackend *b, unsigned proc, int fd);
typedef int (*NetnsCall)(SimBackend *b, unsigned netns);

/* A verb on a whole map (its one argument) that answers a status. */
static gboolean
map_call(SimExec *x, const SimStmt *st, SimResult *r, GError **error,
    size_t op)
{
	SimObj *m;

	if (!arg_map(x, st, 0, &m, error))
		return FALSE;
	if (sim_checking(x))
		return TRUE;
	return status(r, OP_AT(x, MapCall, op)(x->be, proc_id(x),
	    fd_of(x, m)));
}

static gboolean
verb_freeze(SimExec *x, const SimStmt *st, SimResult *r, GError **error)
{
	return map_call(x, st, r, error, OP(map_freeze));
}

static gboolean
verb_lookup_and_delete(SimExec *x, const SimStmt *st, SimResult *r,
    GError **error)
{
	guint64 val = 0;
	guint32 key;
	SimObj *m;
	int ret;

	if (!arg_map(x, st, 0, &m, error) ||
	    !arg_u32(x, st, 1, "a key", &key, error))
		return FALSE;
	if (sim_checking(x))
		return TRUE;
	ret = x->ops->map_lookup_and_delete(x->be, proc_id(x), fd_of(x, m),
	    key, &val);
	return value(r, ret, lookup_kind(x, m), val);
}

static gboolean
verb_lookup_batch(SimExec *x, const SimStmt *st, SimResult *r,
    GError **error)
{
	return map_call(x, st, r, error, OP(map_lookup_batch));
}

static void
word(SimValue *v, const char *w)
{
	v->kind = SIM_V_WORD;
	v->word = w;
}

static void
num(SimValue *v, guint64 n)
{
	v->kind = SIM_V_NUM;
	v->num = n;
}

/* map-info fields, in the order of their shapes and of struct
 * bpf_map_info */
static const char *const mi_fields[] = { "type", "id", "key", "value",
	"entries", "flags", "name", NULL };
static const char *const w_mi_type[] = { "sockarray", "sockmap",
	"sockhash", "array_of_maps", "hash_of_maps", "array", "program",
	NULL };
static const char *const w_mi_program[] = { "program", NULL };
static const SimExpShape shape_mi_type = { SIM_X_STATUS | SIM_X_NUM |
	SIM_X_VAR, w_mi_type };
static const SimExpShape shape_mi_id = { SIM_X_STATUS | SIM_X_MAPREF |
	SIM_X_VAR, w_mi_program };
static const SimExpShape shape_mi_num = { SIM_X_STATUS | SIM_X_NUM |
	SIM_X_VAR, w_mi_program };
static const SimExpShape shape_mi_name = { SIM_X_STATUS | SIM_X_STRING |
	SIM_X_VAR, w_mi_program };
static const SimExpShape *const mi_shapes[] = { &shape_mi_type,
	&shape_mi_id, &shape_mi_num, &shape_mi_num, &shape_mi_num,
	&shape_mi_num, &shape_mi_name };

/* map-info M FIELD: one field of BPF_OBJ_GET_INFO_BY_FD on M's fd. */
static gboolean
verb_map_info(SimExec *x, const SimStmt *st, SimResult *r, GError **error)
{
	struct rp_map_info mi;
	const char *tn;
	guint field;
	SimObj *m;
	int ret;

	if (!tok_word(pos_arg(st, 1), "map-info field", mi_fields, &field,
	    error))
		return FALSE;
	r->shape = mi_shapes[field];
	if (!arg_map(x, st, 0, &m, error))
		return FALSE;
	if (sim_checking(x))
		return TRUE;
	ret = x->ops->map_get_info(x->be, proc_id(x), fd_of(x, m), &mi);
	if (ret < 0)
		return status(r, ret);
	r->err = 0;
	if (ret == 1) {		/* a program: the kernel gives its info */
		word(&r->v, "program");
		return TRUE;
	}
	switch (field) {
	case 0:
		tn = sim_map_type_name(mi.type);
		if (strcmp(tn, "?") != 0)
			word(&r->v, tn);
		else
			num(&r->v, mi.type);
		break;
	case 1:
		r->v.kind = SIM_V_MAP;
		r->v.id = mi.id;
		break;
	case 2:
		num(&r->v, mi.key_size);
		break;
	case 3:
		num(&r->v, mi.value_size);
		break;
	case 4:
		num(&r->v, mi.max_entries);
		break;
	case 5:
		num(&r->v, mi.map_flags);
		break;
	default:
		word(&r->v, sim_string_word(mi.name, strlen(mi.name)));
		break;
	}
	return TRUE;
}

/* ---------------------------------------------------------------------
 * Traffic
 */

/* The most packets one counted send sends. */
#define SEND_REPEAT_MAX	10000

/* The entry of c for socket sock, added when absent; NULL: c is full. */
static guint
count_entry(SimCounts *c, unsigned sock)
{
	guint i;

	for (i = 0; i < c->nsock && c->s[i].sock != sock; i++)
		;
	if (i == c->nsock) {
		if (c->nsock == SIM_COUNT_SOCKS)
			return G_MAXUINT;
		memset(&c->s[i], 0, sizeof(c->s[i]));
		c->s[i].sock = sock;
		c->nsock++;
	}
	return i;
}

/* Add one packet's outcome to c.  FALSE: more receivers than c holds. */
static gboolean
count_one(SimCounts *c, int ret, const struct rp_delivery *d)
{
	guint i;

	c->sent++;
	if (ret < 0) {
		c->failed++;
		return TRUE;
	}
	if (d->outcome == RP_DROPPED) {
		c->dropped++;
		return TRUE;
	}
	if (d->outcome == RP_NO_SOCKET) {
		c->refused++;
		return TRUE;
	}
	if ((i = count_entry(c, d->sock)) == G_MAXUINT)
		return FALSE;
	c->s[i].n++;
	if (d->how == RP_HOW_PROG || d->how == RP_HOW_CBPF)
		c->progs++;
	if (d->how == RP_HOW_HASH) {
		c->group = c->hashed == 0 || c->group == d->group ?
		    d->group : 0;
		c->s[i].hashed++;
		c->hashed++;
	}
	return TRUE;
}

/*
 * The exact distribution of the packets the hash decided (the model
 * only): the hash fallback starts its walk at member (hash * n) >> 32 of
 * the group's n (R-SEL-4, R-SEL-5: reciprocal_scale()), so each start
 * is taken by one n-th of the 2^32 hashes, to the rounding.  Each start
 * is tried on a copy of the state, with the smallest hash that picks it,
 * and its part goes to the socket that copy delivered to.  Not done (c
 * stays inexact) when the state cannot be copied, threads run, the
 * hash's packets went to several groups, or a copy is not decided by the
 * hash.
 */
static void
count_shares(SimExec *x, unsigned netns, struct rp_packet *pkt,
    SimCounts *c)
{
	struct rp_group_info gi;
	struct rp_delivery d;
	struct rp_state *rs, *cp;
	guint64 lo, hi, n;
	guint i, e;
	int ret;

	/* a copy is taken between two operations only: not while threads
	 * run, when another may be inside one */
	if (x->insp == NULL || x->insp->model == NULL || c->hashed == 0 ||
	    c->group == 0 || x->concurrent)
		return;
	rs = x->insp->model(x->be);
	if (rp_group_info(rs, c->group, &gi) != 0 ||
	    gi.num_socks == 0)
		return;
	n = gi.num_socks;
	for (i = 0; i < n; i++) {
		/* KERNEL: reuseport_select_sock_by_hash(): reciprocal_scale() */
		lo = (((guint64)i << 32) + n - 1) / n;
		hi = (((guint64)(i + 1) << 32) + n - 1) / n;
		if ((cp = rp_state_clone(rs)) == NULL)
			return;
		memset(&d, 0, sizeof(d));
		pkt->has_hash = TRUE;
		pkt->hash = (uint32_t)lo;
		ret = rp_send(cp, netns, pkt, &d);
		rp_state_discard(cp);
		if (ret < 0 || d.outcome != RP_DELIVERED ||
		    d.how != RP_HOW_HASH || d.group != c->group ||
		    (e = count_entry(c, d.sock)) == G_MAXUINT)
			return;
		c->s[e].share += (double)(hi - lo) / 4294967296.0;
	}
	c->exact = TRUE;
}

/*
 * send ... repeat=N: N packets from source ports P, P+1, ... P+N-1 (P the
 * source's port, 32768 when it is 0), each through the backend's receive
 * path as a single send is; the result counts where they went.
 */
static gboolean
send_counted(SimExec *x, const SimToken *rt, guint32 n,
    struct rp_packet *pkt, unsigned netns, SimResult *r, GError **error)
{
	struct rp_delivery d;
	guint32 i, base;
	int ret;

	r->v.kind = SIM_V_COUNTS;
	r->err = 0;
	memset(&r->v.counts, 0, sizeof(r->v.counts));
	base = pkt->src.port != 0 ? pkt->src.port : 32768;
	if (base + n - 1 > 65535) {
		sim_tok_error(error, rt, "repeat=%u: source ports %u..%u run "
		    "past 65535", n, base, base + n - 1);
		return FALSE;
	}
	for (i = 0; i < n; i++) {
		memset(&d, 0, sizeof(d));
		pkt->src.port = (uint16_t)(base + i);
		ret = x->ops->send(x->be, netns, pkt, &d);
		if (ret >= 0)
			sim_contract_send(x, &d);
		if (!count_one(&r->v.counts, ret, &d)) {
			sim_tok_error(error, rt, "repeat=%u: more than %u "
			    "sockets received packets; at most %u are counted",
			    n, SIM_COUNT_SOCKS, SIM_COUNT_SOCKS);
			return FALSE;
		}
	}
	pkt->has_hash = FALSE;
	count_shares(x, netns, pkt, &r->v.counts);
	return TRUE;
}

static gboolean
verb_send(SimExec *x, const SimStmt *st, SimResult *r, GError **error)
{
	static const char *const protos[] = { "udp", "tcp", NULL };
	static const char *const conns[] = { "established", "fastopen",
	    "request", NULL };
	struct rp_packet pkt = { 0 };
	const SimToken *t, *rt;
	SimObj *dport_of, *sport_of, *child = NULL;
	unsigned netns;
	guint32 n = 0;
	guint which;
	int ret;

	if (pos_arg(st, 4) != NULL && pos_arg(st, 5) == NULL) {
		sim_tok_error(error, pos_arg(st, 4), "expected 'as CHILD'");
		return FALSE;
	}
	if (pos_arg(st, 4) != NULL &&
	    (!arg_new(x, st, 5, SIM_OBJ_SOCK, &child, error) ||
	    !arg_keyword(st, 4, "as", error)))
		return FALSE;
	if (!tok_word(pos_arg(st, 0), "protocol", protos, &which, error) ||
	    !arg_addr(x, st, 1, &pkt.dst, &dport_of, error) ||
	    !arg_keyword(st, 2, "from", error) ||
	    !arg_addr(x, st, 3, &pkt.src, &sport_of, error) ||
	    !kv_netns(x, st, &netns, error))
		return FALSE;
	pkt.protocol = which == 0 ? RP_IPPROTO_UDP : RP_IPPROTO_TCP;
	if ((t = kv_arg(st, "payload")) != NULL) {
		if (t->kind != SIM_TOK_STRING) {
			sim_tok_error(error, t, "expected a string payload "
			    "(\"\\x01\\x00\\x00\\x00\")");
			return FALSE;
		}
		pkt.payload = (const uint8_t *)t->bytes;
		pkt.len = t->len;
	}
	if ((t = kv_arg(st, "hash")) != NULL) {
		if (!tok_u32(t, "a hash", &pkt.hash, error))
			return FALSE;
		pkt.has_hash = TRUE;
	}
	if ((t = kv_arg(st, "conn")) != NULL) {
		if (!tok_word(t, "connection kind", conns, &which, error))
			return FALSE;
		pkt.conn = which == 0 ? RP_CONN_ESTABLISHED : which == 1 ?
		    RP_CONN_FASTOPEN : RP_CONN_REQUEST;
	}
	if ((rt = kv_arg(st, "repeat")) != NULL) {
		if (child != NULL) {
			sim_tok_error(error, rt, "repeat=N counts packets: it "
			    "cannot name one child ('as')");
			return FALSE;
		}
		if (pkt.has_hash) {
			sim_tok_error(error, rt, "repeat=N varies the source "
			    "port: it cannot take hash=N");
			return FALSE;
		}
		r->shape = &shape_counted;
		if (!tok_u32(rt, "a packet count", &n, error))
			return FALSE;
		if (n == 0 || n > SEND_REPEAT_MAX) {
			sim_tok_error(error, rt, "repeat=%u: from 1 to %u "
			    "packets", n, SEND_REPEAT_MAX);
			return FALSE;
		}
	}
	if (sim_checking(x))
		return TRUE;
	if (!resolve_port(x, &pkt.dst, dport_of, error) ||
	    !resolve_port(x, &pkt.src, sport_of, error))
		return FALSE;
	if (rt != NULL)
		return send_counted(x, rt, n, &pkt, netns, r, error);
	r->v.kind = SIM_V_DELIVERY;
	r->v.hash_chosen = pkt.has_hash;
	ret = x->ops->send(x->be, netns, &pkt, &r->v.d);
	r->err = ret < 0 ? ret : 0;
	if (ret < 0)
		r->v.kind = SIM_V_NONE;
	else
		sim_contract_send(x, &r->v.d);
	if (ret >= 0 && child != NULL && r->v.d.outcome == RP_DELIVERED &&
	    r->v.d.child != 0)
		sim_names_bind(x->names, child, child->proc, -1,
		    r->v.d.child);
	return TRUE;
}

/* A verb on the request sockets of a namespace (netns=NAME) that answers
 * how many it handled. */
static gboolean
requests_call(SimExec *x, const SimStmt *st, SimResult *r, GError **error,
    size_t op)
{
	unsigned netns;
	int ret;

	if (!kv_netns(x, st, &netns, error))
		return FALSE;
	if (sim_checking(x))
		return TRUE;
	ret = OP_AT(x, NetnsCall, op)(x->be, netns);
	return value(r, ret, SIM_V_NUM, ret < 0 ? 0 : (guint64)ret);
}

static gboolean
verb_ack_requests(SimExec *x, const SimStmt *st, SimResult *r,
    GError **error)
{
	return requests_call(x, st, r, error, OP(requests_ack));
}

/* settle: wait for the deferred frees (bpf_map_free_deferred()). */
static gboolean
verb_settle(SimExec *x, const SimStmt *st, SimResult *r, GError **error)
{
	int ret;

	(void)st;
	(void)error;
	if (sim_checking(x))
		return TRUE;
	ret = x->ops->settle != NULL ? x->ops->settle(x->be) : SIM_CANNOT;
	/* how many were freed is the backend's business: only errors
	 * compare */
	return status(r, ret);
}

/* kconfig OPTION y|n: the kernel build the scenario needs. */
static gboolean
verb_kconfig(SimExec *x, const SimStmt *st, SimResult *r, GError **error)
{
	static const char *const options[] = { "mptcp", NULL };
	const SimToken *o = st->args->pdata[0], *v = st->args->pdata[1];
	const char *ow = sim_token_word(o), *vw = sim_token_word(v);
	int ret;

	if (ow == NULL || !g_strv_contains(options, ow)) {
		sim_tok_error(error, o, "unknown build option '%s' (known: mptcp)",
		    ow != NULL ? ow : "?");
		return FALSE;
	}
	if (vw == NULL || (strcmp(vw, "y") != 0 && strcmp(vw, "n") != 0)) {
		sim_tok_error(error, v, "expected y or n, got '%s'", vw != NULL ? vw :
		    "?");
		return FALSE;
	}
	if (sim_checking(x))
		return TRUE;
	ret = x->ops->kconfig != NULL ? x->ops->kconfig(x->be,
	    RP_KCONFIG_MPTCP, strcmp(vw, "y") == 0) : SIM_CANNOT;
	return status(r, ret);
}

static gboolean
verb_synack_timer(SimExec *x, const SimStmt *st, SimResult *r,
    GError **error)
{
	return requests_call(x, st, r, error, OP(requests_timer));
}

/* ---------------------------------------------------------------------
 * expect: model-only state assertions
 */

typedef void (*PropFn)(SimExec *x, const SimObj *o, guint32 key,
    SimValue *v);

/* Socket properties; a freed socket is "freed" whatever is asked. */
static gboolean
sock_info(SimExec *x, const SimObj *o, struct rp_sock_info *in, SimValue *v)
{
	if (x->insp->sock_info(x->be, o->id, in) == 0)
		return TRUE;
	word(v, "freed");
	return FALSE;
}

/* The group of socket o: TRUE with *g filled, else v says "none". */
static gboolean
sock_group(SimExec *x, const SimObj *o, struct rp_group_info *g, SimValue *v)
{
	struct rp_sock_info in;

	if (!sock_info(x, o, &in, v))
		return FALSE;
	if (in.group == 0 || x->insp->group_info(x->be, in.group, g) != 0) {
		word(v, "none");
		return FALSE;
	}
	return TRUE;
}

/* A property that is field `which` of a shared reader (the key unused). */
#define PROP_OF(fn, reader, which)					\
	static void							\
	fn(SimExec *x, const SimObj *o, guint32 key, SimValue *v)	\
	{								\
		(void)key;						\
		reader(x, o, (which), v);				\
	}

static void
p_slot(SimExec *x, const SimObj *o, guint32 key, SimValue *v)
{
	struct rp_map_info mi;
	unsigned occ;

	if (x->insp->map_info(x->be, o->id, &mi) != 0) {
		word(v, "freed");
		return;
	}
	occ = x->insp->map_slot(x->be, o->id, key);
	if (occ == 0) {
		word(v, "empty");
		return;
	}
	v->kind = mi.type == RP_MAP_ARRAY_OF_MAPS ||
	    mi.type == RP_MAP_HASH_OF_MAPS ? SIM_V_MAP : SIM_V_SOCK;
	v->id = occ;
}

static void
p_map_num(SimExec *x, const SimObj *o, int which, SimValue *v)
{
	struct rp_map_info mi;

	if (x->insp->map_info(x->be, o->id, &mi) != 0)
		word(v, "freed");
	else
		num(v, which == 0 ? mi.used : which == 1 ? mi.memlock :
		    mi.map_flags);
}

PROP_OF(p_used, p_map_num, 0)
PROP_OF(p_memlock, p_map_num, 1)
PROP_OF(p_flags, p_map_num, 2)

static void
p_group(SimExec *x, const SimObj *o, guint32 key, SimValue *v)
{
	struct rp_group_info g;

	(void)key;
	if (!sock_group(x, o, &g, v))
		return;
	v->kind = SIM_V_GROUP;
	v->id = g.id;
}

static void
p_group_num(SimExec *x, const SimObj *o, int which, SimValue *v)
{
	struct rp_group_info g;

	if (!sock_group(x, o, &g, v))
		return;
	switch (which) {
	case 0:
		num(v, g.num_socks);
		break;
	case 1:
		num(v, g.num_closed_socks);
		break;
	case 2:
		num(v, g.max_socks);
		break;
	default:
		num(v, g.reuseport_id);
		break;
	}
}

PROP_OF(p_group_size, p_group_num, 0)
PROP_OF(p_group_closed, p_group_num, 1)
PROP_OF(p_group_max, p_group_num, 2)
PROP_OF(p_group_id, p_group_num, 3)

/* Socket properties read from rp_sock_info, by which. */
enum {
	P_IN_MAP, P_POS, P_STATE, P_HASHED, P_ACCEPT_QUEUE, P_COOKIE,
	P_OWNER, P_CLOSED,
};

static void
p_sock_field(SimExec *x, const SimObj *o, int which, SimValue *v)
{
	struct rp_sock_info in;

	if (!sock_info(x, o, &in, v))
		return;
	switch (which) {
	case P_POS:
		if (in.group == 0)
			word(v, "none");
		else if (in.group_closed)
			word(v, "closed");
		else
			num(v, (guint64)in.group_pos);
		break;
	case P_STATE:
		word(v, sim_state_name(in.state));
		break;
	case P_HASHED:
		word(v, in.hashed ? "yes" : "no");
		break;
	case P_ACCEPT_QUEUE:
		num(v, in.accept_queue);
		break;
	case P_COOKIE:
		v->kind = SIM_V_COOKIE;
		v->num = in.cookie;
		break;
	case P_IN_MAP:
		if (in.owner != RP_OWNER_SLOT) {
			word(v, "no");
			break;
		}
		G_GNUC_FALLTHROUGH;	/* the slot, as owner says it */
	case P_OWNER:
		switch (in.owner) {
		case RP_OWNER_SLOT:
			v->kind = SIM_V_SLOT;
			v->id = in.owner_map;
			v->key = in.owner_idx;
			break;
		case RP_OWNER_STALE:
			word(v, "stale");
			break;
		case RP_OWNER_PSOCK:
			word(v, "psock");
			break;
		case RP_OWNER_FOREIGN:
			word(v, "foreign");
			break;
		default:
			word(v, "none");
			break;
		}
		break;
	default:
		word(v, in.closed ? "yes" : "no");
		break;
	}
}

PROP_OF(p_in_map, p_sock_field, P_IN_MAP)
PROP_OF(p_pos, p_sock_field, P_POS)
PROP_OF(p_state, p_sock_field, P_STATE)
PROP_OF(p_hashed, p_sock_field, P_HASHED)
PROP_OF(p_accept_queue, p_sock_field, P_ACCEPT_QUEUE)
PROP_OF(p_cookie, p_sock_field, P_COOKIE)
PROP_OF(p_owner, p_sock_field, P_OWNER)
PROP_OF(p_closed, p_sock_field, P_CLOSED)

static const struct {
	const char		*name;
	SimObjKind		 kind;
	gboolean		 has_key;	/* expect M slot K */
	const SimExpShape	*shape;
	PropFn			 fn;
} props[] = {
	{ "slot", SIM_OBJ_MAP, TRUE, &shape_p_slot, p_slot },
	{ "used", SIM_OBJ_MAP, FALSE, &shape_p_num, p_used },
	{ "memlock", SIM_OBJ_MAP, FALSE, &shape_p_num, p_memlock },
	{ "flags", SIM_OBJ_MAP, FALSE, &shape_p_num, p_flags },
	{ "in-map", SIM_OBJ_SOCK, FALSE, &shape_p_inmap, p_in_map },
	{ "group", SIM_OBJ_SOCK, FALSE, &shape_p_group, p_group },
	{ "group-size", SIM_OBJ_SOCK, FALSE, &shape_p_gnum, p_group_size },
	{ "group-closed", SIM_OBJ_SOCK, FALSE, &shape_p_gnum, p_group_closed },
	{ "group-max", SIM_OBJ_SOCK, FALSE, &shape_p_gnum, p_group_max },
	{ "group-id", SIM_OBJ_SOCK, FALSE, &shape_p_gnum, p_group_id },
	{ "pos", SIM_OBJ_SOCK, FALSE, &shape_p_pos, p_pos },
	{ "state", SIM_OBJ_SOCK, FALSE, &shape_p_state, p_state },
	{ "hashed", SIM_OBJ_SOCK, FALSE, &shape_p_yesno, p_hashed },
	{ "accept-queue", SIM_OBJ_SOCK, FALSE, &shape_p_num, p_accept_queue },
	{ "cookie", SIM_OBJ_SOCK, FALSE, &shape_p_cookie, p_cookie },
	{ "owner", SIM_OBJ_SOCK, FALSE, &shape_p_owner, p_owner },
	{ "closed", SIM_OBJ_SOCK, FALSE, &shape_p_yesno, p_closed },
};

/*
 * check: the invariants I1-I13 on the whole state after this step
 * (rp_check()), whatever --check says for the other steps.  Inside a
 * thread block, at the first point after it where no thread is inside a
 * statement (R-RACE-1).
 */
static gboolean
verb_check(SimExec *x, const SimStmt *st, SimResult *r, GError **error)
{
	(void)st, (void)error;
	if (sim_checking(x))
		return TRUE;
	if (x->insp == NULL) {
		r->skipped = TRUE;	/* the kernel's state is not ours */
		return TRUE;
	}
	x->check_now = TRUE;
	return status(r, 0);
}

/* plant BUG... : put known concurrency bugs into the model (explore.c) */
static gboolean
verb_plant(SimExec *x, const SimStmt *st, SimResult *r, GError **error)
{
	unsigned bits = 0, bit;
	struct rp_state *rs;

	for (guint i = 0; i < st->args->len; i++) {
		const SimToken *t = st->args->pdata[i];
		gsize n;
		const char *const *names = sim_plant_names(&n);

		if (!sim_plant_find(t->text, &bit)) {
			const char *hint = sim_suggest(t->text, names, n);

			sim_set_error_at(error, SIM_ERROR_INPUT, t->file,
			    t->line, t->col, "unknown bug '%s'%s%s%s", t->text,
			    hint != NULL ? ", did you mean '" : "",
			    hint != NULL ? hint : "", hint != NULL ? "'?" : "");
			return FALSE;
		}
		bits |= bit;
	}
	if (sim_checking(x))
		return TRUE;
	rs = x->insp != NULL && x->insp->model != NULL ?
	    x->insp->model(x->be) : NULL;
	if (rs == NULL) {
		r->skipped = TRUE;	/* the kernel has its own bugs */
		return TRUE;
	}
	rp_state_plant(rs, bits);
	return status(r, 0);
}

/*
 * schedule T... : the thread that runs at each decision point of the
 * interleaving explorer (explore.c), which consumes it; explore prints
 * counterexamples with one, and run follows it.
 */
static gboolean
verb_schedule(SimExec *x, const SimStmt *st, SimResult *r, GError **error)
{
	if (st->thread != NULL) {
		sim_set_error_at(error, SIM_ERROR_INPUT, st->file, st->line,
		    st->verb_col, "schedule belongs outside thread blocks");
		return FALSE;
	}
	for (guint i = 0; i < st->args->len; i++) {
		const SimToken *t = st->args->pdata[i];
		gboolean found = FALSE;

		for (guint j = 0; j < x->sc->threads->len; j++)
			if (strcmp(x->sc->threads->pdata[j], t->text) == 0)
				found = TRUE;
		if (!found) {
			const char *hint = sim_suggest(t->text,
			    (const char *const *)x->sc->threads->pdata,
			    x->sc->threads->len);

			sim_set_error_at(error, SIM_ERROR_INPUT, t->file,
			    t->line, t->col, "schedule: no thread '%s'%s%s%s",
			    t->text, hint != NULL ? ", did you mean '" : "",
			    hint != NULL ? hint : "", hint != NULL ? "'?" : "");
			return FALSE;
		}
	}
	for (guint i = 0; i < x->sc->stmts->len; i++) {
		const SimStmt *o = x->sc->stmts->pdata[i];

		if (o == st)
			break;
		if (strcmp(o->verb, "schedule") == 0) {
			sim_set_error_at(error, SIM_ERROR_INPUT, st->file,
			    st->line, st->verb_col, "a second schedule");
			return FALSE;
		}
	}
	if (sim_checking(x))
		return TRUE;
	return status(r, 0);	/* LCOV_EXCL_LINE: the explorer runs it */
}

/* expect X OP Y: comparison operators, and what each says of a < b */
static const char *const cmp_ops[] = { "<", "<=", "==", "!=", ">=", ">",
	NULL };
static const char *const w_cmp[] = { "yes", "no", NULL };
static const SimExpShape shape_cmp = { SIM_X_STATUS, w_cmp };

/*
 * expect X OP Y: compare two cookies (or numbers) by value, on every
 * backend: the result is yes or no, and without '=' it must be yes.
 */
static gboolean
verb_compare(SimExec *x, const SimStmt *st, guint op, SimResult *r,
    GError **error)
{
	const SimToken *yt = pos_arg(st, 2);
	guint64 a, b;
	gboolean holds;

	r->shape = &shape_cmp;
	if (yt == NULL) {
		sim_tok_error(error, pos_arg(st, 1), "usage: expect X %s Y "
		    "(cookie(S), $var or a number on each side)",
		    cmp_ops[op]);
		return FALSE;
	}
	if (!sim_expect_operand(x, pos_arg(st, 0), sim_checking(x), &a,
	    error) ||
	    !sim_expect_operand(x, yt, sim_checking(x), &b, error))
		return FALSE;
	if (sim_checking(x))
		return TRUE;
	switch (op) {
	case 0:
		holds = a < b;
		break;
	case 1:
		holds = a <= b;
		break;
	case 2:
		holds = a == b;
		break;
	case 3:
		holds = a != b;
		break;
	case 4:
		holds = a >= b;
		break;
	default:
		holds = a > b;
		break;
	}
	r->err = 0;
	r->v.kind = SIM_V_TRUTH;
	r->v.num = holds ? 1 : 0;
	r->v.id = r->v.num;
	return TRUE;
}

static gboolean
verb_expect(SimExec *x, const SimStmt *st, SimResult *r, GError **error)
{
	const char *names[G_N_ELEMENTS(props)];
	const SimToken *kt = pos_arg(st, 2);
	const char *w1 = sim_token_word(pos_arg(st, 1));
	guint32 key = 0;
	SimObj *o;
	guint i;

	for (i = 0; w1 != NULL && cmp_ops[i] != NULL; i++)
		if (strcmp(w1, cmp_ops[i]) == 0)
			return verb_compare(x, st, i, r, error);
	for (i = 0; i < G_N_ELEMENTS(props); i++)
		names[i] = props[i].name;
	if (!tok_choice(pos_arg(st, 1), "property", names, G_N_ELEMENTS(names),
	    &i, error))
		return FALSE;
	r->shape = props[i].shape;
	if (!arg_obj(x, st, 0, props[i].kind, &o, error))
		return FALSE;
	if (props[i].has_key && kt == NULL) {
		sim_tok_error(error, pos_arg(st, 1), "usage: expect M slot K");
		return FALSE;
	}
	if (!props[i].has_key && kt != NULL) {
		sim_tok_error(error, kt, "property '%s' takes no key",
		    props[i].name);
		return FALSE;
	}
	if (kt != NULL && !tok_u32(kt, "a key", &key, error))
		return FALSE;
	if (sim_checking(x))
		return TRUE;
	if (x->insp == NULL) {
		r->skipped = TRUE;	/* the backend cannot look inside */
		return TRUE;
	}
	if (!o->bound) {
		sim_set_error_at(error, SIM_ERROR_FAIL, st->file, st->line,
		    st->verb_col, "'%s' was never created", o->name);
		return FALSE;
	}
	props[i].fn(x, o, key, &r->v);
	return TRUE;
}

/* ---------------------------------------------------------------------
 * The table
 */

static const char *const k_proc[] = { "netns", "uid", "caps", NULL };
static const char *const k_netns[] = { "netns", NULL };
static const char *const k_socket[] = { "proto", NULL };
static const char *const k_attach[] = { "k", "off", "mod", "insns", "code",
	NULL };
static const char *const k_map[] = { "key", "value", "entries", "flags",
	"inner", "name", "numa", "extra", "btf_key", "btf_value", "btf_fd",
	"btf_vmlinux", NULL };
static const char *const k_lookup[] = { "flags", NULL };
static const char *const k_prog[] = { "type", "attach", "map", "key",
	"outer", "on-error", "object", "program", NULL };
static const char *const k_send[] = { "payload", "hash", "conn", "netns",
	"repeat", NULL };

#define S	(&shape_status)
#define V	(&shape_value)
#define R	SIM_VERB_READS
#define W	SIM_VERB_WRITES

static const SimVerb verbs[] = {
	SIM_VERB("netns", 1, 1, NULL, verb_netns, S, W,
	    "none: a new network namespace",
	    "NAME",
	    "a new network namespace (lo only)"),
	SIM_VERB("proc", 1, 1, k_proc, verb_proc, S, W,
	    "none: a new process of the scenario",
	    "NAME [netns=NS] [uid=U] [caps=all|none|LIST]",
	    "a new process (default: namespace init, uid 0, all capabilities)"),
	SIM_VERB("caps", 2, 2, NULL, verb_caps, S, W,
	    NULL,
	    "PROC all|none|LIST",
	    "change a process's capabilities "
	    "(net_admin,net_raw,sys_admin,bpf)"),
	SIM_VERB("sysctl", 2, 2, k_netns, verb_sysctl, S, W,
	    NULL,
	    "KEY VALUE [netns=NS]",
	    "net.ipv4.tcp_migrate_req or kernel.unprivileged_bpf_disabled"),
	SIM_VERB("rlimit", 3, 3, NULL, verb_rlimit, S, W,
	    NULL,
	    "PROC memlock BYTES|unlimited", "RLIMIT_MEMLOCK of a process"),
	SIM_VERB("cpu", 1, 1, NULL, verb_cpu, S, W,
	    NULL,
	    "N",
	    "the simulated CPU of the following steps"),
	SIM_VERB("socket", 2, 2, k_socket, verb_socket, S, W,
	    "socket(2): __sys_socket()",
	    "NAME KIND [proto=P]",
	    "socket(); KIND tcp4 tcp6 udp4 udp6 udplite4 udplite6 raw4 raw6 "
	    "unix-stream unix-dgram netlink"),
	SIM_VERB("setsockopt", 3, 3, NULL, verb_setsockopt, S, W,
	    "setsockopt(2): sock_setsockopt()",
	    "S OPT VALUE",
	    "OPT reuseport, reuseaddr, incoming_cpu, v6only or "
	    "bindtoifindex"),
	SIM_VERB("bind", 2, 2, NULL, verb_bind, S, W,
	    "bind(2): inet_bind() / inet6_bind()",
	    "S ADDR:PORT",
	    "bind(); PORT a number or a socket name (its port)"),
	SIM_VERB("listen", 1, 2, NULL, verb_listen, S, W,
	    "listen(2): inet_listen()",
	    "S [BACKLOG]", "listen()"),
	SIM_VERB("connect", 2, 2, NULL, verb_connect, S, W,
	    "connect(2)",
	    "S ADDR:PORT|unspec",
	    "connect(); unspec disconnects"),
	SIM_VERB("shutdown", 2, 2, NULL, verb_shutdown, S, W,
	    "shutdown(2): inet_shutdown()",
	    "S rd|wr|rdwr",
	    "shutdown()"),
	SIM_VERB("accept", 3, 3, NULL, verb_accept, S, W,
	    "accept(2): inet_csk_accept()",
	    "S as CHILD",
	    "accept(); binds the child to CHILD"),
	SIM_VERB("close", 1, 1, NULL, verb_close, S, W,
	    "close(2): the last fput() releases the file",
	    "NAME",
	    "close() the fd of a socket, map or program"),
	SIM_VERB("dup", 3, 3, NULL, verb_dup, S, W,
	    "dup(2)",
	    "NAME as NAME2", "dup()"),
	SIM_VERB("pass", 5, 5, NULL, verb_pass, S, W,
	    "sendmsg(2) with SCM_RIGHTS",
	    "NAME to PROC as NAME2",
	    "pass an fd to another process (SCM_RIGHTS)"),
	SIM_VERB("cookie", 1, 1, NULL, verb_cookie, V, W,
	    "getsockopt(SO_COOKIE): sock_gen_cookie()",
	    "S",
	    "getsockopt(SO_COOKIE); = $c binds it"),
	SIM_VERB("owner", 2, 2, NULL, verb_owner, S, W,
	    NULL,
	    "S foreign",
	    "another sk_user_data user (l2tp, encap) takes the socket"),
	SIM_VERB("attach", 2, 3, k_attach, verb_attach, S, W,
	    "setsockopt(SO_ATTACH_REUSEPORT_*): "
	    "reuseport_attach_prog()",
	    "S cbpf [k=N] | S cbpf payload [off=O] [mod=N] | "
	    "S cbpf code=\"INSNS\" | S prog P",
	    "SO_ATTACH_REUSEPORT_CBPF (insns=N sets the length) or _EBPF"),
	SIM_VERB("detach", 1, 1, NULL, verb_detach, S, W,
	    "setsockopt(SO_DETACH_REUSEPORT_BPF): "
	    "reuseport_detach_prog()",
	    "S",
	    "SO_DETACH_REUSEPORT_BPF"),
	SIM_VERB("map", 2, 3, k_map, verb_map, S, W,
	    "bpf(BPF_MAP_CREATE): map_create()",
	    "NAME TYPE [key=4] [value=V] [entries=N] [flags=F] [inner=M] "
	    "[name=\"x\"] [numa=N] [extra=N] [btf_key=N] [btf_value=N] "
	    "[btf_fd=N] [btf_vmlinux=N] [tail]",
	    "BPF_MAP_CREATE; TYPE sockarray sockmap sockhash array_of_maps "
	    "hash_of_maps array"),
	SIM_VERB("update", 3, 4, NULL, verb_update, S, W,
	    "bpf(BPF_MAP_UPDATE_ELEM): map_update_elem()",
	    "M KEY VALUE [FLAGS]",
	    "BPF_MAP_UPDATE_ELEM; VALUE a socket or map name or a number; "
	    "FLAGS any noexist exist lock or a number"),
	SIM_VERB("lookup", 2, 2, k_lookup, verb_lookup, V, R,
	    "bpf(BPF_MAP_LOOKUP_ELEM): map_lookup_elem()",
	    "M KEY [flags=N]",
	    "BPF_MAP_LOOKUP_ELEM: = cookie(S), = map(M2) or an errno"),
	SIM_VERB("delete", 2, 2, NULL, verb_delete, S, W,
	    "bpf(BPF_MAP_DELETE_ELEM): map_delete_elem()",
	    "M KEY",
	    "BPF_MAP_DELETE_ELEM"),
	SIM_VERB("next-key", 1, 2, NULL, verb_next_key, V, R,
	    NULL,
	    "M [KEY]",
	    "BPF_MAP_GET_NEXT_KEY: = N the next key"),
	SIM_VERB("freeze", 1, 1, NULL, verb_freeze, S, W,
	    NULL,
	    "M", "BPF_MAP_FREEZE"),
	SIM_VERB("lookup-and-delete", 2, 2, NULL, verb_lookup_and_delete, V, W,
	    NULL,
	    "M KEY", "BPF_MAP_LOOKUP_AND_DELETE_ELEM"),
	SIM_VERB("lookup-batch", 1, 1, NULL, verb_lookup_batch, S, R,
	    NULL,
	    "M",
	    "BPF_MAP_LOOKUP_BATCH"),
	SIM_VERB("map-info", 2, 2, NULL, verb_map_info, NULL, R,
	    "bpf(BPF_OBJ_GET_INFO_BY_FD): bpf_map_get_info_by_fd()",
	    "M type|id|key|value|entries|flags|name",
	    "one field of the map's info: = sockmap, = map(M), = N, "
	    "= \"NAME\""),
	SIM_VERB("prog", 1, 4, k_prog, verb_prog, S, W,
	    "bpf(BPF_PROG_LOAD): bpf_prog_load()",
	    "NAME [type=sk_reuseport|socket_filter] [attach=select|migrate] "
	    "[map=M] [key=SPEC] [outer=K] [on-error=pass|drop] [drop] "
	    "[migrate-only] [bad-helper]",
	    "BPF_PROG_LOAD of a policy; SPEC const:N, payload:OFF:WIDTH[:be|le], "
	    "hash[:MOD] or migrate"),
	SIM_VERB("migrate-key", 3, 3, NULL, verb_migrate_key, S, W,
	    NULL,
	    "P S KEY",
	    "the migrate table of program P: cookie of S -> KEY"),
	SIM_VERB("send", 4, 6, k_send, verb_send, &shape_send, R,
	    "the receive path: inet_lookup_listener() / "
	    "udp_lib_lookup(), reuseport_select_sock()",
	    "udp|tcp DST from SRC [payload=\"...\"] [hash=N] "
	    "[conn=established|fastopen|request] [netns=NS] [repeat=N] "
	    "[as CHILD]",
	    "one datagram or connection: = S, = member(S), = dropped, "
	    "= refused; repeat=N counts N of them: = none to S..., "
	    "= all to S..., = each of S... at least K, = S=K..."),
	SIM_VERB("ack-requests", 0, 0, k_netns, verb_ack_requests, V, W,
	    NULL,
	    "[netns=NS]",
	    "the final ACK of every pending request; = N requests handled"),
	SIM_VERB("synack-timer", 0, 0, k_netns, verb_synack_timer, V, W,
	    NULL,
	    "[netns=NS]",
	    "the SYN+ACK timer of every pending request; = N handled"),
	SIM_VERB("settle", 0, 0, NULL, verb_settle, S, W,
	    "bpf_map_free_deferred(): the workqueue that frees maps",
	    "",
	    "wait until every map whose last reference went away is freed "
	    "(until then its sockets keep their owner word)"),
	SIM_VERB("kconfig", 2, 2, NULL, verb_kconfig, S, W,
	    NULL,
	    "OPTION y|n",
	    "the kernel build option the scenario needs (mptcp): the model "
	    "is built so; a kernel built otherwise skips the rest"),
	SIM_VERB("expect", 2, 3, NULL, verb_expect, NULL, R,
	    "none: a look at the model's state",
	    "OBJ PROPERTY [K] | X OP Y",
	    "a model-only state assertion (see the language reference), "
	    "or cookies compared: X and Y cookie(S), $var or N, OP < <= == "
	    "!= >= >"),
	SIM_VERB("check", 0, 0, NULL, verb_check, S, R,
	    "none: the model's invariants I1-I13",
	    "",
	    "model only: check the invariants on the whole state now "
	    "(rp_check())"),
	SIM_VERB("plant", 1, 4, NULL, verb_plant, S, W,
	    NULL,
	    "BUG...",
	    "model only: plant known bugs (update-no-recheck, "
	    "detach-slot-unlocked, free-no-cb-lock, detach-foreign)"),
	SIM_VERB("schedule", 1, 1000000, NULL, verb_schedule, S, W,
	    NULL,
	    "THREAD...",
	    "the thread to run at each decision point (explore's "
	    "counterexamples); run follows it"),
};

#undef S
#undef V
#undef R
#undef W

/* The row of the verb called name, or NULL. */
const SimVerb *
sim_verb_find(const char *name)
{
	gsize i;

	g_return_val_if_fail(name != NULL, NULL);
	for (i = 0; i < G_N_ELEMENTS(verbs); i++)
		if (strcmp(verbs[i].name, name) == 0)
			return &verbs[i];
	return NULL;
}

/* The whole table, in documentation order, *n rows. */
const SimVerb *
sim_verbs(gsize *n)
{
	*n = G_N_ELEMENTS(verbs);
	return verbs;
}

/* Does the verb called name only read (explore: its steps may commute
 * with other reads)?  Unknown verbs write. */
gboolean
sim_verb_reads_only(const char *name)
{
	const SimVerb *v = sim_verb_find(name);

	return v != NULL && v->access == SIM_VERB_READS;
}
