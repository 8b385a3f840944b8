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
 * Objects are named by the run's name table (names.h): groups g1, g2 ...,
 * sockets no statement names child#1 ..., classic programs cbpf#1 ...;
 * cookies print as c(NAME), never as numbers.  Lock, callback lock and
 * RCU events are recorded only at SIM_TRACE_ALL.  The sink never calls
 * into the model.
 */
#include <string.h>

#include "core/trace.h"
#include "lang/words.h"

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
	return tr;
}

void
sim_trace_free(SimTrace *tr)
{
	if (tr == NULL)
		return;
	g_array_unref(tr->recs);
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

static void
trace_event(void *ud, const struct rp_event *ev)
{
	SimTrace *tr = ud;
	TraceRec r = { 0 };

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
 * Events kept for later: an array of struct rp_event owning copies of
 * their rule and what strings
 */

static void
event_clear(gpointer p)
{
	struct rp_event *ev = p;

	g_free((char *)ev->rule);
	g_free((char *)ev->what);
}

/* A new array of events (struct rp_event), freeing what it copied. */
GArray *
sim_events_new(void)
{
	GArray *a = g_array_new(FALSE, TRUE, sizeof(struct rp_event));

	g_array_set_clear_func(a, event_clear);
	return a;
}

/* Append a copy of ev, its strings too, to a (from sim_events_new()). */
void
sim_events_add(GArray *a, const struct rp_event *ev)
{
	struct rp_event copy = *ev;

	copy.rule = g_strdup(ev->rule);
	copy.what = g_strdup(ev->what);
	g_array_append_val(a, copy);
}

/* ---------------------------------------------------------------------
 * Formatting
 */

typedef struct {
	SimNames	*nm;
	GString		*out;
} Fmt;

static const char *
fmt_sock(Fmt *f, unsigned id)
{
	return sim_names_sock(f->nm, id);
}

static const char *
fmt_prog(Fmt *f, unsigned id)
{
	return sim_names_prog(f->nm, id);
}

static void
fmt_map(Fmt *f, const char *key, unsigned id)
{
	g_string_append_printf(f->out, " %s=%s", key, sim_names_map(f->nm, id));
}

static void
fmt_group(Fmt *f, unsigned id)
{
	g_string_append_printf(f->out, " group=%s", sim_names_group(f->nm, id));
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
	const char *fn = sim_family_name(family), *pn = sim_proto_name(proto);
	const char *tn = sim_socktype_name(type);

	if (fn != NULL)
		g_string_append_printf(f->out, " family=%s", fn);
	else
		g_string_append_printf(f->out, " family=%d", family);
	if (tn != NULL)
		g_string_append_printf(f->out, " type=%s", tn);
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
 * Append every recorded event to out, one line each, objects named by nm
 * (the run's table, still holding its names); lines of the top file of
 * the scenario (top, or NULL) are numbered alone, others FILE:LINE.
 */
void
sim_trace_format(const SimTrace *tr, SimNames *nm, const char *top,
    GString *out)
{
	Fmt f = { nm, out };
	guint i;

	g_return_if_fail(tr != NULL && nm != NULL && out != NULL);
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
}
