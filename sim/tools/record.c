/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * record.c - recording a run through the executor's step hooks
 * (record.h): every step's result, events and a snapshot of the state.
 */
#include <string.h>

#include "core/exec.h"
#include "core/trace.h"
#include "tools/record.h"

/* Most keys scanned for occupants: as in the executor's descriptions. */
#define SNAP_MAX_KEYS	4096u

static SimSnap *
snap_new(void)
{
	SimSnap *s = g_new0(SimSnap, 1);

	s->socks = g_array_new(FALSE, TRUE, sizeof(SimSnapSock));
	s->groups = g_array_new(FALSE, TRUE, sizeof(SimSnapGroup));
	s->maps = g_array_new(FALSE, TRUE, sizeof(SimSnapMap));
	return s;
}

static void
snap_free(SimSnap *s)
{
	guint i;

	if (s == NULL)
		return;
	for (i = 0; i < s->maps->len; i++)
		g_array_unref(g_array_index(s->maps, SimSnapMap, i).slots);
	g_array_unref(s->socks);
	g_array_unref(s->groups);
	g_array_unref(s->maps);
	g_free(s);
}

/* The element of a (of elements of size, each starting with its
 * unsigned id) whose id is id, or NULL. */
static gconstpointer
by_id(const GArray *a, gsize size, unsigned id)
{
	guint i;

	for (i = 0; id != 0 && i < a->len; i++) {
		gconstpointer e = a->data + (gsize)i * size;

		if (*(const unsigned *)e == id)
			return e;
	}
	return NULL;
}

G_STATIC_ASSERT(G_STRUCT_OFFSET(SimSnapSock, id) == 0);
G_STATIC_ASSERT(G_STRUCT_OFFSET(SimSnapGroup, id) == 0);
G_STATIC_ASSERT(G_STRUCT_OFFSET(SimSnapMap, id) == 0);

const SimSnapSock *
sim_snap_sock(const SimSnap *s, unsigned id)
{
	return by_id(s->socks, sizeof(SimSnapSock), id);
}

const SimSnapGroup *
sim_snap_group(const SimSnap *s, unsigned id)
{
	return by_id(s->groups, sizeof(SimSnapGroup), id);
}

const SimSnapMap *
sim_snap_map(const SimSnap *s, unsigned id)
{
	return by_id(s->maps, sizeof(SimSnapMap), id);
}

/* Occupant of slot key of m, 0 when empty. */
unsigned
sim_snap_slot(const SimSnapMap *m, guint32 key)
{
	guint i;

	for (i = 0; m != NULL && i < m->slots->len; i++)
		if (g_array_index(m->slots, SimSnapSlot, i).key == key)
			return g_array_index(m->slots, SimSnapSlot, i).occ;
	return 0;
}

gboolean
sim_snap_is_outer(const SimSnapMap *m)
{
	return m->type == RP_MAP_ARRAY_OF_MAPS ||
	    m->type == RP_MAP_HASH_OF_MAPS;
}

/* The state the backend's model-only queries show now. */
static SimSnap *
snap_take(SimRecord *rec, SimExec *x)
{
	SimSnap *s = snap_new();
	SimBackend *be;
	const SimInspectOps *insp = sim_exec_inspect(x, &be);
	guint i;

	if (insp == NULL)
		return s;
	for (i = 0; i < rec->sock_ids->len; i++) {
		unsigned id = g_array_index(rec->sock_ids, unsigned, i);
		struct rp_sock_info in;
		SimSnapSock ss = { 0 };

		if (insp->sock_info(be, id, &in) != 0)
			continue;
		ss.id = id;
		ss.family = in.family;
		ss.type = in.type;
		ss.protocol = in.protocol;
		ss.state = in.state;
		ss.closed = in.closed;
		ss.hashed = in.hashed;
		ss.cookie = in.cookie != 0;
		ss.port = in.local.port;
		ss.group = in.group;
		ss.pos = in.group_pos;
		ss.group_closed = in.group_closed;
		ss.owner = in.owner;
		ss.owner_map = in.owner_map;
		ss.owner_idx = in.owner_idx;
		ss.accept_queue = in.accept_queue;
		ss.parent = in.parent;
		g_array_append_val(s->socks, ss);
	}
	for (i = 0; i < rec->group_ids->len; i++) {
		unsigned id = g_array_index(rec->group_ids, unsigned, i);
		struct rp_group_info gi;
		SimSnapGroup sg = { 0 };

		if (insp->group_info(be, id, &gi) != 0)
			continue;
		sg.id = id;
		sg.reuseport_id = gi.reuseport_id;
		sg.has_id = gi.has_id;
		sg.num = gi.num_socks;
		sg.nclosed = gi.num_closed_socks;
		sg.max = gi.max_socks;
		sg.prog = gi.prog;
		sg.cbpf = gi.prog_is_cbpf;
		g_array_append_val(s->groups, sg);
	}
	for (i = 0; i < rec->map_ids->len; i++) {
		unsigned id = g_array_index(rec->map_ids, unsigned, i);
		struct rp_map_info mi;
		SimSnapMap sm = { 0 };
		guint32 k;

		if (insp->map_info(be, id, &mi) != 0)
			continue;
		sm.id = id;
		sm.type = mi.type;
		sm.value_size = mi.value_size;
		sm.max_entries = mi.max_entries;
		sm.used = mi.used;
		sm.frozen = mi.frozen;
		sm.slots = g_array_new(FALSE, TRUE, sizeof(SimSnapSlot));
		for (k = 0; k < MIN(mi.max_entries, SNAP_MAX_KEYS) &&
		    sm.slots->len < mi.used; k++) {
			SimSnapSlot sl = { k, insp->map_slot(be, id, k) };

			if (sl.occ != 0)
				g_array_append_val(sm.slots, sl);
		}
		g_array_append_val(s->maps, sm);
	}
	return s;
}

static void
ids_add(GArray *ids, unsigned id)
{
	guint i;

	if (id == 0)
		return;
	for (i = 0; i < ids->len; i++) {
		unsigned v = g_array_index(ids, unsigned, i);

		if (v == id)
			return;
		if (v > id)
			break;
	}
	g_array_insert_val(ids, i, id);
}

static void
rec_event(void *ud, const struct rp_event *ev)
{
	SimRecord *rec = ud;

	switch (ev->kind) {
	case RP_EV_SOCK_NEW:
		ids_add(rec->sock_ids, ev->sock);
		break;
	case RP_EV_MAP_NEW:
		ids_add(rec->map_ids, ev->map);
		break;
	case RP_EV_MIGRATE:
		ids_add(rec->sock_ids, ev->sock);
		ids_add(rec->sock_ids, ev->sock2);
		break;
	default:
		break;
	}
	if (ev->group != 0)
		ids_add(rec->group_ids, ev->group);
	if (ev->sock != 0 && ev->kind != RP_EV_SELECT)
		ids_add(rec->sock_ids, ev->sock);
	sim_events_add(rec->pending, ev);
}

static const struct rp_observer rec_observer = {
	.event = rec_event,
};

/* ---------------------------------------------------------------------
 * Programs (the model's program observer, through the executor)
 */

static void
access_free(gpointer p)
{
	SimBpfAccess *a = p;

	g_bytes_unref(a->key);
	if (a->value != NULL)
		g_bytes_unref(a->value);
	g_free(a);
}

static void
call_free(gpointer p)
{
	SimBpfCall *c = p;

	g_free(c->name);
	g_ptr_array_unref(c->access);
	g_free(c->printed);
	g_free(c);
}

static void
bpfrun_free(gpointer p)
{
	SimBpfRun *r = p;

	if (r->insns != NULL)
		g_bytes_unref(r->insns);
	g_free(r->maps);
	g_array_unref(r->path);
	g_ptr_array_unref(r->calls);
	g_free(r->ends);
	g_free(r->fault);
	g_free(r->fault_rule);
	g_free(r->how);
	g_free(r);
}

static SimBpfRun *
bpfrun_new(GPtrArray *held, unsigned prog)
{
	SimBpfRun *r = g_new0(SimBpfRun, 1);

	r->prog = prog;
	r->path = g_array_new(FALSE, FALSE, sizeof(SimBpfSpan));
	r->calls = g_ptr_array_new_with_free_func(call_free);
	g_ptr_array_add(held, r);
	return r;
}

/* The run a new program run goes to: a new one, or the counter of those
 * over SIM_BPF_MAX_RUNS (NULL then). */
static SimBpfRun *
bpfrun_begin(GPtrArray *held, unsigned prog)
{
	SimBpfRun *last = held->len > 0 ? held->pdata[held->len - 1] : NULL;

	if (held->len < SIM_BPF_MAX_RUNS)
		return bpfrun_new(held, prog);
	if (last == NULL || !last->more) {
		last = bpfrun_new(held, prog);
		last->more = TRUE;
	}
	last->nmore++;
	last->awaiting = TRUE;
	return NULL;
}

static void
path_add(SimBpfRun *r, guint32 pc)
{
	SimBpfSpan *last = r->path->len > 0 ? &g_array_index(r->path,
	    SimBpfSpan, r->path->len - 1) : NULL;
	const struct rp_insn *in = r->insns != NULL && !r->classic ?
	    g_bytes_get_data(r->insns, NULL) : NULL;

	r->executed++;
	/* straight on (over the upper half of an LD_IMM64 too) */
	if (last != NULL && (last->to + 1 == pc || (in != NULL &&
	    last->to + 2 == pc && last->to < r->len &&
	    in[last->to].code == 0x18))) {
		last->to = pc;
		return;
	}
	if (r->path->len >= SIM_BPF_MAX_SPANS) {
		r->path_cut = TRUE;
		return;
	}
	g_array_append_val(r->path, ((SimBpfSpan){ pc, pc }));
}

static void
bpf_access(SimBpfRun *r, const struct rp_bpf_event *ev)
{
	SimBpfCall *c = r->calls->len > 0 ? r->calls->pdata[r->calls->len -
	    1] : NULL;
	SimBpfAccess *a;

	if (c == NULL || c->returned)
		return;	/* always inside a helper call */
	a = g_new0(SimBpfAccess, 1);
	a->write = ev->kind == RP_BPF_EV_MAP_WRITE;
	a->map = ev->map;
	a->key = g_bytes_new(ev->key, ev->key_size);
	a->found = ev->taken;
	a->err = ev->err;
	if (ev->value != NULL)
		a->value = g_bytes_new(ev->value, ev->value_size);
	a->sock = ev->sock;
	a->inner = ev->kind == RP_BPF_EV_MAP_READ ? (unsigned)ev->val : 0;
	g_ptr_array_add(c->access, a);
}

static void
bpf_start(GPtrArray *held, const struct rp_bpf_event *ev)
{
	SimBpfRun *r = bpfrun_begin(held, ev->prog);
	gboolean classic = ev->name != NULL && strcmp(ev->name, "classic") ==
	    0;

	if (r == NULL)
		return;
	r->classic = classic;
	r->prog_type = (guint32)ev->val;
	r->len = (guint32)ev->count;
	if (ev->insns != NULL)
		r->insns = g_bytes_new(ev->insns, r->len * (classic ?
		    sizeof(struct rp_sock_filter) : sizeof(struct rp_insn)));
	if (ev->maps != NULL)
		r->maps = g_memdup2(ev->maps, r->len * sizeof(unsigned));
}

/* A policy's or a run's selection: the member that got the packet. */
static void
bpf_select(GPtrArray *held, const struct rp_bpf_event *ev)
{
	SimBpfRun *r = held->len > 0 ? held->pdata[held->len - 1] : NULL;

	if (r != NULL && r->more) {
		if (!r->awaiting)
			r->nmore++;	/* a policy's run */
		r->awaiting = FALSE;
		return;
	}
	if (r == NULL || r->chosen || r->prog != ev->prog || r->policy ||
	    (!r->exited && r->fault == NULL)) {
		/* no instructions ran for it: a policy */
		if ((r = bpfrun_begin(held, ev->prog)) == NULL) {
			r = held->pdata[held->len - 1];
			r->awaiting = FALSE;
			return;
		}
		r->policy = TRUE;
	}
	r->chosen = TRUE;
	r->sock = ev->sock;
	r->how = g_strdup(ev->text);
	r->verdict = (gint64)ev->val;
}

/* What the model's program observer reported, kept in held (the running
 * statement's array). */
static void
rec_bpf_event(void *ud, GPtrArray *held, const struct rp_bpf_event *ev)
{
	SimBpfRun *r = held->len > 0 ? held->pdata[held->len - 1] : NULL;
	SimBpfCall *c;

	(void)ud;
	if (ev->kind == RP_BPF_EV_START) {
		bpf_start(held, ev);
		return;
	}
	if (ev->kind == RP_BPF_EV_SELECT) {
		bpf_select(held, ev);
		return;
	}
	if (r == NULL || r->more || r->policy || r->exited || r->fault != NULL)
		return;
	switch (ev->kind) {
	case RP_BPF_EV_INSN:
		path_add(r, ev->pc);
		break;
	case RP_BPF_EV_CALL:
		c = g_new0(SimBpfCall, 1);
		c->pc = ev->pc;
		c->helper = ev->helper;
		c->name = g_strdup(ev->name);
		memcpy(c->args, ev->regs, sizeof(c->args));
		c->access = g_ptr_array_new_with_free_func(access_free);
		g_ptr_array_add(r->calls, c);
		break;
	case RP_BPF_EV_RET:
		if (r->calls->len == 0)
			break;
		c = r->calls->pdata[r->calls->len - 1];
		c->returned = TRUE;
		c->r0 = ev->regs[0];
		break;
	case RP_BPF_EV_MAP_READ:
	case RP_BPF_EV_MAP_WRITE:
		bpf_access(r, ev);
		break;
	case RP_BPF_EV_PRINTK:
		if (r->calls->len > 0) {
			c = r->calls->pdata[r->calls->len - 1];
			g_free(c->printed);
			c->printed = g_strdup(ev->text);
		}
		break;
	case RP_BPF_EV_EXIT:
		r->exited = TRUE;
		r->ret = ev->val;
		r->executed = ev->count;
		r->selected = ev->sock;
		r->ends = g_strdup(ev->text);
		if (r->classic && ev->regs != NULL) {
			r->a = (guint32)ev->regs[0].val;
			r->x = (guint32)ev->regs[1].val;
		}
		break;
	case RP_BPF_EV_FAULT:
		r->fault = g_strdup(ev->text);
		r->fault_rule = g_strdup(ev->rule);
		break;
	default:	/* BRANCH: the path says it */
		break;
	}
}

static void
steprec_free(gpointer p)
{
	SimStepRec *s = p;

	g_free(s->result);
	if (s->failures != NULL)
		g_ptr_array_unref(s->failures);
	g_array_unref(s->events);
	snap_free(s->snap);
	g_ptr_array_unref(s->progs);
	g_free(s);
}

static void
rec_step(void *ud, SimExec *x, guint index, const SimStmt *st,
    const SimResult *r, const GPtrArray *failures, guint first)
{
	SimRecord *rec = ud;
	SimStepRec *s = g_new0(SimStepRec, 1);
	GPtrArray *held;
	guint i;

	s->index = index;
	s->st = st;
	s->err = r->err;
	s->result = r->skipped ? g_strdup("(not checked)") :
	    sim_result_render(x, r);
	s->failed = failures != NULL;
	s->failures = g_ptr_array_new_with_free_func(g_free);
	for (i = first; failures != NULL && i < failures->len; i++)
		g_ptr_array_add(s->failures, g_strdup(failures->pdata[i]));
	s->events = rec->pending;
	rec->pending = sim_events_new();
	s->progs = g_ptr_array_new_with_free_func(bpfrun_free);
	held = sim_exec_bpf_held(x);
	while (held != NULL && held->len > 0)
		g_ptr_array_add(s->progs, g_ptr_array_steal_index(held, 0));
	s->snap = snap_take(rec, x);
	g_ptr_array_add(rec->steps, s);
}

static void
rec_done(void *ud, SimExec *x)
{
	SimRecord *rec = ud;

	if (rec->done != NULL)
		rec->done(rec, x, rec->done_ud);
}

/* A recorder for one run of sc under profile: pass &rec->hooks to
 * sim_run_scenario_hooked(); rec->done, when set, runs at its end. */
SimRecord *
sim_record_new(const SimScenario *sc, const char *profile)
{
	SimRecord *rec = g_new0(SimRecord, 1);

	rec->sc = sc;
	rec->profile = profile;
	rec->steps = g_ptr_array_new_with_free_func(steprec_free);
	rec->pending = sim_events_new();
	rec->sock_ids = g_array_new(FALSE, FALSE, sizeof(unsigned));
	rec->group_ids = g_array_new(FALSE, FALSE, sizeof(unsigned));
	rec->map_ids = g_array_new(FALSE, FALSE, sizeof(unsigned));
	rec->empty = snap_new();
	rec->hooks.observer = &rec_observer;
	rec->hooks.step = rec_step;
	rec->hooks.done = rec_done;
	rec->hooks.ud = rec;
	rec->hooks.bpf_event = rec_bpf_event;
	rec->hooks.bpf_free = bpfrun_free;
	rec->hooks.bpf_insns = TRUE;
	return rec;
}

void
sim_record_free(SimRecord *rec)
{
	if (rec == NULL)
		return;
	g_ptr_array_unref(rec->steps);
	g_array_unref(rec->pending);
	g_array_unref(rec->sock_ids);
	g_array_unref(rec->group_ids);
	g_array_unref(rec->map_ids);
	snap_free(rec->empty);
	g_free(rec);
}

/* The state before step i. */
const SimSnap *
sim_record_before(const SimRecord *rec, guint i)
{
	const SimStepRec *s;

	if (i == 0)
		return rec->empty;
	s = rec->steps->pdata[i - 1];
	return s->snap;
}

/* Did a recorded step fail? */
gboolean
sim_record_failed(const SimRecord *rec)
{
	guint i;

	for (i = 0; i < rec->steps->len; i++)
		if (((const SimStepRec *)rec->steps->pdata[i])->failed)
			return TRUE;
	return FALSE;
}
