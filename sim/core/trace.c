/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * trace.c - the trace sink: a read-only observer of the model (struct
 * rp_observer) that records every event of a run with the scenario line
 * that caused it, and prints them with scenario names instead of ids.
 *
 * One event is one line, the scenario line first:
 *
 *	7 group_add group=g1 sock=b pos=1
 *	9 cookie sock=a cookie=c(a)
 *	pair.inc:3 slot_set map=m idx=0 sock=a
 *
 * Events are formatted when the run is over, so a socket named later in
 * the scenario (accept ... as c) has that name from its first event on.
 * Groups are named g1, g2 ... in order of first appearance, and keep their
 * name when the model grows them into a new object; sockets no statement
 * names (children, requests) are child#1, child#2 ..., classic programs
 * cbpf#1 ...; cookies print as c(NAME), never as numbers.  Lock, callback
 * lock and RCU events are recorded only at SIM_TRACE_ALL.
 *
 * The sink keeps the group names even when not recording, for failure
 * messages.  It never calls into the model.
 */
#include <string.h>

#include "core/sim.h"

/* One recorded event and the statement position it belongs to. */
typedef struct {
	struct rp_event	 ev;
	char		*rule;		/* copies of ev.rule and ev.what */
	char		*what;
	const char	*file;		/* NULL: before the first statement */
	guint		 line;
} TraceRec;

struct SimTrace {
	SimTraceLevel	 level;
	GArray		*recs;		/* TraceRec */
	GHashTable	*groups;	/* group id -> "gN" */
	guint		 n_groups;
	const char	*file;		/* position of the current statement */
	guint		 line;
};

static void
rec_clear(gpointer p)
{
	TraceRec *r = p;

	g_free(r->rule);
	g_free(r->what);
}

/* A new sink recording at level (SIM_TRACE_OFF: group names only). */
SimTrace *
sim_trace_new(SimTraceLevel level)
{
	SimTrace *tr = g_new0(SimTrace, 1);

	tr->level = level;
	tr->recs = g_array_new(FALSE, TRUE, sizeof(TraceRec));
	g_array_set_clear_func(tr->recs, rec_clear);
	tr->groups = g_hash_table_new_full(g_direct_hash, g_direct_equal,
	    NULL, g_free);
	return tr;
}

void
sim_trace_free(SimTrace *tr)
{
	if (tr == NULL)
		return;
	g_array_unref(tr->recs);
	g_hash_table_unref(tr->groups);
	g_free(tr);
}

/* Events from now on belong to statement st.  st must outlive tr. */
void
sim_trace_step(SimTrace *tr, const SimStmt *st)
{
	g_return_if_fail(tr != NULL && st != NULL);
	tr->file = st->file;
	tr->line = st->line;
}

/* The name of group id ("g1"), or NULL when no event showed it yet. */
const char *
sim_trace_group_name(const SimTrace *tr, unsigned group)
{
	g_return_val_if_fail(tr != NULL, NULL);
	return g_hash_table_lookup(tr->groups, GUINT_TO_POINTER(group));
}

static gboolean
is_lock_event(enum rp_event_kind k)
{
	switch (k) {
	case RP_EV_LOCK:
	case RP_EV_UNLOCK:
	case RP_EV_CB_LOCK:
	case RP_EV_CB_UNLOCK:
	case RP_EV_RCU_LOCK:
	case RP_EV_RCU_UNLOCK:
	case RP_EV_RCU_SYNC:
		return TRUE;
	default:
		return FALSE;
	}
}

/* Name the group of ev at its first appearance; a grown group keeps its
 * name (RP_EV_GROUP_GROW: idx is the old group's id). */
static void
note_group(SimTrace *tr, const struct rp_event *ev)
{
	gpointer key = GUINT_TO_POINTER(ev->group);
	const char *old;

	if (ev->group == 0 || g_hash_table_contains(tr->groups, key))
		return;
	old = ev->kind == RP_EV_GROUP_GROW ? g_hash_table_lookup(tr->groups,
	    GUINT_TO_POINTER(ev->idx)) : NULL;
	if (old != NULL)
		g_hash_table_insert(tr->groups, key, g_strdup(old));
	else
		g_hash_table_insert(tr->groups, key,
		    g_strdup_printf("g%u", ++tr->n_groups));
}

static void
trace_event(void *ud, const struct rp_event *ev)
{
	SimTrace *tr = ud;
	TraceRec r = { 0 };

	note_group(tr, ev);
	if (tr->level == SIM_TRACE_OFF ||
	    (is_lock_event(ev->kind) && tr->level != SIM_TRACE_ALL))
		return;
	r.ev = *ev;
	r.rule = g_strdup(ev->rule);
	r.what = g_strdup(ev->what);
	r.ev.rule = r.rule;
	r.ev.what = r.what;
	r.file = tr->file;
	r.line = tr->line;
	g_array_append_val(tr->recs, r);
}

static const struct rp_observer trace_observer = {
	.event = trace_event,
};

/* The observer to install with a SimTrace as its user data. */
const struct rp_observer *
sim_trace_observer(void)
{
	return &trace_observer;
}

/* ---------------------------------------------------------------------
 * Formatting
 */

/* Names of objects no statement names, given in order of appearance. */
typedef struct {
	const SimTrace	*tr;
	const SimExec	*x;
	GHashTable	*socks;		/* id -> "child#N" */
	GHashTable	*progs;		/* id -> "cbpf#N" */
	GString		*out;
} Fmt;

static const char *
fmt_sock(Fmt *f, unsigned id)
{
	const char *n;

	if (id == 0)
		return "none";
	n = sim_name_of(f->x, SIM_OBJ_SOCK, id);
	if (n != NULL)
		return n;
	n = g_hash_table_lookup(f->socks, GUINT_TO_POINTER(id));
	if (n == NULL) {
		char *s = g_strdup_printf("child#%u",
		    g_hash_table_size(f->socks) + 1);

		g_hash_table_insert(f->socks, GUINT_TO_POINTER(id), s);
		n = s;
	}
	return n;
}

static const char *
fmt_prog(Fmt *f, unsigned id)
{
	const char *n;

	if (id == 0)
		return "none";
	n = sim_name_of(f->x, SIM_OBJ_PROG, id);
	if (n != NULL)
		return n;
	n = g_hash_table_lookup(f->progs, GUINT_TO_POINTER(id));
	if (n == NULL) {
		char *s = g_strdup_printf("cbpf#%u",
		    g_hash_table_size(f->progs) + 1);

		g_hash_table_insert(f->progs, GUINT_TO_POINTER(id), s);
		n = s;
	}
	return n;
}

static void
fmt_map(Fmt *f, const char *key, unsigned id)
{
	const char *n = sim_name_of(f->x, SIM_OBJ_MAP, id);

	if (n != NULL)
		g_string_append_printf(f->out, " %s=%s", key, n);
	else
		g_string_append_printf(f->out, " %s=map#%u", key, id);
}

static void
fmt_group(Fmt *f, unsigned id)
{
	const char *n = sim_trace_group_name(f->tr, id);

	if (n != NULL)
		g_string_append_printf(f->out, " group=%s", n);
	else
		g_string_append_printf(f->out, " group=#%u", id);
}

static void
fmt_err(Fmt *f, const char *key, int err)
{
	g_autofree char *s = sim_err_string(err);

	g_string_append_printf(f->out, " %s=%s", key, s);
}

/* "family=inet6 type=stream proto=tcp" from family<<16|type<<8|protocol */
static void
fmt_sock_kind(Fmt *f, guint64 val)
{
	int family = (int)(val >> 16), type = (int)(val >> 8 & 0xff);
	int proto = (int)(val & 0xff);
	static const char *const types[] = { "0", "stream", "dgram", "raw" };

	const char *fn = sim_family_name(family), *pn = sim_proto_name(proto);

	if (fn != NULL)
		g_string_append_printf(f->out, " family=%s", fn);
	else
		g_string_append_printf(f->out, " family=%d", family);
	if (type >= 0 && type < (int)G_N_ELEMENTS(types))
		g_string_append_printf(f->out, " type=%s", types[type]);
	else
		g_string_append_printf(f->out, " type=%d", type);
	if (pn != NULL)
		g_string_append_printf(f->out, " proto=%s", pn);
	else
		g_string_append_printf(f->out, " proto=%d", proto);
}

/* The arguments of one event, after its kind name. */
static void
fmt_args(Fmt *f, const struct rp_event *e)
{
	GString *o = f->out;

	switch (e->kind) {
	case RP_EV_SOCK_NEW:
		g_string_append_printf(o, " sock=%s", fmt_sock(f, e->sock));
		fmt_sock_kind(f, e->val);
		break;
	case RP_EV_SOCK_STATE:
		g_string_append_printf(o, " sock=%s state=%s",
		    fmt_sock(f, e->sock), sim_state_name((int)e->val));
		break;
	case RP_EV_SOCK_HASH:
	case RP_EV_SOCK_UNHASH:
	case RP_EV_SOCK_FREE:
	case RP_EV_OWNER_CLEAR:
		g_string_append_printf(o, " sock=%s", fmt_sock(f, e->sock));
		break;
	case RP_EV_OWNER_SET:
		g_string_append_printf(o, " sock=%s", fmt_sock(f, e->sock));
		fmt_map(f, "map", e->map);
		g_string_append_printf(o, " idx=%u", e->idx);
		break;
	case RP_EV_OWNER_FOREIGN:
		g_string_append_printf(o, " sock=%s what=%s",
		    fmt_sock(f, e->sock), e->what != NULL ? e->what : "?");
		break;
	case RP_EV_SLOT_SET:
	case RP_EV_SLOT_CLEAR:
		fmt_map(f, "map", e->map);
		g_string_append_printf(o, " idx=%u", e->idx);
		if (e->map2 != 0)
			fmt_map(f, "inner", e->map2);
		if (e->sock != 0)
			g_string_append_printf(o, " sock=%s",
			    fmt_sock(f, e->sock));
		break;
	case RP_EV_GROUP_NEW:
		fmt_group(f, e->group);
		g_string_append_printf(o, " sock=%s", fmt_sock(f, e->sock));
		break;
	case RP_EV_GROUP_ID:
		fmt_group(f, e->group);
		g_string_append_printf(o, " id=%" G_GUINT64_FORMAT, e->val);
		break;
	case RP_EV_GROUP_ADD:
	case RP_EV_GROUP_DEL:
	case RP_EV_GROUP_CLOSE:
		fmt_group(f, e->group);
		g_string_append_printf(o, " sock=%s pos=%u",
		    fmt_sock(f, e->sock), e->idx);
		break;
	case RP_EV_GROUP_MOVE:
		fmt_group(f, e->group);
		g_string_append_printf(o, " sock=%s from=%u to=%u",
		    fmt_sock(f, e->sock), e->idx, e->idx2);
		break;
	case RP_EV_GROUP_GROW:
		fmt_group(f, e->group);
		g_string_append_printf(o, " max_socks=%" G_GUINT64_FORMAT,
		    e->val);
		break;
	case RP_EV_GROUP_PROG:
		fmt_group(f, e->group);
		g_string_append_printf(o, " prog=%s",
		    fmt_prog(f, (unsigned)e->val));
		break;
	case RP_EV_GROUP_FREE:
		fmt_group(f, e->group);
		break;
	case RP_EV_COOKIE:
		g_string_append_printf(o, " sock=%s cookie=c(%s)",
		    fmt_sock(f, e->sock), fmt_sock(f, e->sock));
		break;
	case RP_EV_CB_LOCK:
	case RP_EV_CB_UNLOCK:
		g_string_append_printf(o, " sock=%s", fmt_sock(f, e->sock));
		/* FALLTHROUGH */
	case RP_EV_LOCK:
	case RP_EV_UNLOCK:
	case RP_EV_RCU_LOCK:
	case RP_EV_RCU_UNLOCK:
	case RP_EV_RCU_SYNC:
		g_string_append_printf(o, " thread=%u", e->idx);
		break;
	case RP_EV_MAP_NEW:
		fmt_map(f, "map", e->map);
		g_string_append_printf(o, " type=%s",
		    sim_map_type_name((guint32)e->val));
		break;
	case RP_EV_MAP_FREE:
		fmt_map(f, "map", e->map);
		break;
	case RP_EV_PROG_RUN:
		fmt_group(f, e->group);
		g_string_append_printf(o, " sock=%s verdict=%s",
		    fmt_sock(f, e->sock), e->val == RP_SK_PASS ? "pass" :
		    e->val == RP_SK_DROP ? "drop" : "?");
		fmt_err(f, "helper", e->err);
		g_string_append_printf(o, " selected=%s",
		    fmt_sock(f, e->sock2));
		break;
	case RP_EV_SELECT:
		fmt_group(f, e->group);
		g_string_append_printf(o, " sock=%s how=%s",
		    fmt_sock(f, e->sock), e->what != NULL ? e->what : "?");
		break;
	case RP_EV_MIGRATE:
		g_string_append_printf(o, " sock=%s", fmt_sock(f, e->sock));
		g_string_append_printf(o, " to=%s", fmt_sock(f, e->sock2));
		break;
	case RP_EV_RULE:
		g_string_append_printf(o, " id=%s", e->rule != NULL ?
		    e->rule : "?");
		fmt_err(f, "err", e->err);
		break;
	case RP_EV_KNOWN_DEFECT:
		g_string_append_printf(o, " what=%s sock=%s", e->what != NULL ?
		    e->what : "?", fmt_sock(f, e->sock));
		break;
	}
}

/*
 * Append every recorded event to out, one line each, with the names of
 * x (the pass that ran the scenario, still holding its name tables).
 */
void
sim_trace_format(const SimTrace *tr, const SimExec *x, GString *out)
{
	const char *top = x->sc->files->len > 0 ? x->sc->files->pdata[0] :
	    NULL;
	Fmt f = { tr, x, NULL, NULL, out };
	guint i;

	g_return_if_fail(tr != NULL && x != NULL && out != NULL);
	f.socks = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL,
	    g_free);
	f.progs = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL,
	    g_free);
	for (i = 0; i < tr->recs->len; i++) {
		const TraceRec *r = &g_array_index(tr->recs, TraceRec, i);

		if (r->file == NULL) {
			g_string_append(out, "0");
		} else if (top != NULL && strcmp(r->file, top) == 0) {
			g_string_append_printf(out, "%u", r->line);
		} else {
			g_autofree char *base = g_path_get_basename(r->file);

			g_string_append_printf(out, "%s:%u", base, r->line);
		}
		g_string_append_printf(out, " %s", rp_event_kind_name(r->ev.kind));
		fmt_args(&f, &r->ev);
		g_string_append_c(out, '\n');
	}
	g_hash_table_unref(f.socks);
	g_hash_table_unref(f.progs);
}

/* ---------------------------------------------------------------------
 * Names of kernel numbers, shared with the executor's messages
 */

/* Scenario names of kernel numbers: "listen" for RP_TCP_LISTEN, "inet6",
 * "udp", "sockarray".  States without a name are "?"; families and
 * protocols without one are NULL (print the number). */
const char *
sim_state_name(int state)
{
	switch (state) {
	case RP_TCP_ESTABLISHED:
		return "established";
	case RP_TCP_SYN_SENT:
		return "syn_sent";
	case RP_TCP_SYN_RECV:
		return "syn_recv";
	case RP_TCP_CLOSE:
		return "close";
	case RP_TCP_LISTEN:
		return "listen";
	case RP_TCP_NEW_SYN_RECV:
		return "new_syn_recv";
	default:
		return "?";
	}
}

const char *
sim_family_name(int family)
{
	switch (family) {
	case RP_AF_UNSPEC:
		return "unspec";
	case RP_AF_UNIX:
		return "unix";
	case RP_AF_INET:
		return "inet";
	case RP_AF_INET6:
		return "inet6";
	case RP_AF_NETLINK:
		return "netlink";
	default:
		return NULL;
	}
}

const char *
sim_proto_name(int proto)
{
	switch (proto) {
	case RP_IPPROTO_IP:
		return "0";
	case RP_IPPROTO_ICMP:
		return "icmp";
	case RP_IPPROTO_TCP:
		return "tcp";
	case RP_IPPROTO_UDP:
		return "udp";
	case RP_IPPROTO_UDPLITE:
		return "udplite";
	case RP_IPPROTO_RAW:
		return "raw";
	default:
		return NULL;
	}
}

const char *
sim_map_type_name(guint32 type)
{
	switch (type) {
	case RP_MAP_REUSEPORT_SOCKARRAY:
		return "sockarray";
	case RP_MAP_SOCKMAP:
		return "sockmap";
	case RP_MAP_SOCKHASH:
		return "sockhash";
	case RP_MAP_ARRAY_OF_MAPS:
		return "array_of_maps";
	case RP_MAP_HASH_OF_MAPS:
		return "hash_of_maps";
	default:
		return "?";
	}
}

/* "0", "-EEXIST", or "-600" for a number without a name.  g_free() it. */
char *
sim_err_string(int err)
{
	const char *n = err < 0 ? sim_errno_name(-err) : NULL;

	if (err == 0)
		return g_strdup("0");
	if (n != NULL)
		return g_strdup_printf("-%s", n);
	return g_strdup_printf("%d", err);
}
