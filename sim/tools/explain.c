/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * explain.c - `reuseport-sim explain`: runs a scenario through the model
 * with the executor's step hooks, records every step (its result, the
 * model's events, a snapshot of the state after it) and narrates it in
 * the kernel's terms: the rules that decided, in the order the model
 * applied them, with the kernel function each models (docs/SPEC.md),
 * the earlier checks a failing one comes after, the locks held when it
 * ran, why the result is what it is (explain-why.c, filled from the
 * state), and what the step changed.  --dot, --svg and --html draw the
 * same steps (render-dot.c, render-html.c).
 *
 * The narration is a stable text, tested against golden files
 * (tests/explain-data); it never prints model ids, addresses or cookie
 * values, only scenario names (a cookie is c(NAME), as in the trace).
 */
#include <errno.h>
#include <string.h>

#include "tools/explain.h"
#include "lang/suggest.h"

/* ---------------------------------------------------------------------
 * Snapshots
 */

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

const SimSnapSock *
sim_snap_sock(const SimSnap *s, unsigned id)
{
	guint i;

	for (i = 0; id != 0 && i < s->socks->len; i++)
		if (g_array_index(s->socks, SimSnapSock, i).id == id)
			return &g_array_index(s->socks, SimSnapSock, i);
	return NULL;
}

const SimSnapGroup *
sim_snap_group(const SimSnap *s, unsigned id)
{
	guint i;

	for (i = 0; id != 0 && i < s->groups->len; i++)
		if (g_array_index(s->groups, SimSnapGroup, i).id == id)
			return &g_array_index(s->groups, SimSnapGroup, i);
	return NULL;
}

const SimSnapMap *
sim_snap_map(const SimSnap *s, unsigned id)
{
	guint i;

	for (i = 0; id != 0 && i < s->maps->len; i++)
		if (g_array_index(s->maps, SimSnapMap, i).id == id)
			return &g_array_index(s->maps, SimSnapMap, i);
	return NULL;
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

/* Most keys scanned for occupants: as in the executor's descriptions. */
#define SNAP_MAX_KEYS	4096u

/* The state the backend's model-only queries show now. */
static SimSnap *
snap_take(SimRecord *rec, SimExec *x)
{
	SimSnap *s = snap_new();
	guint i;

	if (x->insp == NULL)
		return s;
	for (i = 0; i < rec->sock_ids->len; i++) {
		unsigned id = g_array_index(rec->sock_ids, unsigned, i);
		struct rp_sock_info in;
		SimSnapSock ss = { 0 };

		if (x->insp->sock_info(x->be, id, &in) != 0)
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

		if (x->insp->group_info(x->be, id, &gi) != 0)
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

		if (x->insp->map_info(x->be, id, &mi) != 0)
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
			SimSnapSlot sl = { k, x->insp->map_slot(x->be, id, k) };

			if (sl.occ != 0)
				g_array_append_val(sm.slots, sl);
		}
		g_array_append_val(s->maps, sm);
	}
	return s;
}

/* ---------------------------------------------------------------------
 * Recording a run
 */

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
event_clear(gpointer p)
{
	struct rp_event *ev = p;

	g_free((char *)ev->rule);
	g_free((char *)ev->what);
}

static GArray *
events_new(void)
{
	GArray *a = g_array_new(FALSE, TRUE, sizeof(struct rp_event));

	g_array_set_clear_func(a, event_clear);
	return a;
}

static void
rec_event(void *ud, const struct rp_event *ev)
{
	SimRecord *rec = ud;
	struct rp_event e = *ev;

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
	e.rule = g_strdup(ev->rule);
	e.what = g_strdup(ev->what);
	g_array_append_val(rec->pending, e);
}

static const struct rp_observer rec_observer = {
	.event = rec_event,
};

static void
steprec_free(gpointer p)
{
	SimStepRec *s = p;

	g_free(s->result);
	if (s->failures != NULL)
		g_ptr_array_unref(s->failures);
	g_array_unref(s->events);
	snap_free(s->snap);
	g_free(s);
}

static void
rec_step(void *ud, SimExec *x, guint index, const SimStmt *st,
    const SimResult *r, const GPtrArray *failures, guint first)
{
	SimRecord *rec = ud;
	SimStepRec *s = g_new0(SimStepRec, 1);
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
	rec->pending = events_new();
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
	rec->pending = events_new();
	rec->sock_ids = g_array_new(FALSE, FALSE, sizeof(unsigned));
	rec->group_ids = g_array_new(FALSE, FALSE, sizeof(unsigned));
	rec->map_ids = g_array_new(FALSE, FALSE, sizeof(unsigned));
	rec->empty = snap_new();
	rec->hooks.observer = &rec_observer;
	rec->hooks.step = rec_step;
	rec->hooks.done = rec_done;
	rec->hooks.ud = rec;
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

/* ---------------------------------------------------------------------
 * Names
 */

struct SimNames {
	SimExec		*x;
	GHashTable	*socks;		/* id -> "child#N" */
	GHashTable	*progs;		/* id -> "cbpf#N" */
	GHashTable	*other;		/* "map#N", "#N": key string -> itself */
};

SimNames *
sim_names_new(SimExec *x)
{
	SimNames *n = g_new0(SimNames, 1);

	n->x = x;
	n->socks = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL,
	    g_free);
	n->progs = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL,
	    g_free);
	n->other = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
	    NULL);
	return n;
}

void
sim_names_free(SimNames *n)
{
	if (n == NULL)
		return;
	g_hash_table_unref(n->socks);
	g_hash_table_unref(n->progs);
	g_hash_table_unref(n->other);
	g_free(n);
}

static const char *
names_intern(SimNames *n, char *s)
{
	const char *old = g_hash_table_lookup(n->other, s);

	if (old != NULL) {
		g_free(s);
		return old;
	}
	g_hash_table_insert(n->other, s, s);
	return s;
}

static const char *
names_numbered(GHashTable *t, unsigned id, const char *prefix)
{
	const char *s = g_hash_table_lookup(t, GUINT_TO_POINTER(id));

	if (s == NULL) {
		char *v = g_strdup_printf("%s#%u", prefix,
		    g_hash_table_size(t) + 1);

		g_hash_table_insert(t, GUINT_TO_POINTER(id), v);
		s = v;
	}
	return s;
}

/* Sockets no statement names are child#1, child#2 ... in the order they
 * are first asked for (the narration and the pictures ask in step order). */
const char *
sim_names_sock(SimNames *n, unsigned id)
{
	const char *s;

	if (id == 0)
		return "none";
	s = sim_name_of(n->x, SIM_OBJ_SOCK, id);
	return s != NULL ? s : names_numbered(n->socks, id, "child");
}

const char *
sim_names_map(SimNames *n, unsigned id)
{
	const char *s = sim_name_of(n->x, SIM_OBJ_MAP, id);

	return s != NULL ? s : names_intern(n, g_strdup_printf("map#%u", id));
}

const char *
sim_names_group(SimNames *n, unsigned id)
{
	const char *s = sim_trace_group_name(n->x->trace, id);

	return s != NULL ? s : names_intern(n, g_strdup_printf("#%u", id));
}

const char *
sim_names_prog(SimNames *n, unsigned id)
{
	const char *s;

	if (id == 0)
		return "none";
	s = sim_name_of(n->x, SIM_OBJ_PROG, id);
	return s != NULL ? s : names_numbered(n->progs, id, "cbpf");
}

unsigned
sim_names_lookup(SimNames *n, const char *name, SimObjKind kind)
{
	const SimObj *o = sim_obj_find(n->x, SIM_NS_FILE, name);

	return o != NULL && o->kind == kind && o->bound ? o->id : 0;
}

const char *
sim_names_sock_proc(SimNames *n, unsigned id)
{
	const SimObj *o = g_hash_table_lookup(n->x->by_id[0],
	    GUINT_TO_POINTER(id));
	guint i;

	if (o == NULL || o->proc == 0)
		return NULL;
	for (i = 0; i < n->x->order->len; i++) {
		const SimObj *p = n->x->order->pdata[i];

		if (p->kind == SIM_OBJ_PROC && p->bound && p->id == o->proc)
			return p->name;
	}
	return NULL;
}

/* The statement as written: "old: update m 0 a = -EBUSY @4.19 = 0". */
char *
sim_stmt_text(const SimStmt *st)
{
	GString *s = g_string_new(NULL);
	guint i, j;

	if (st->label != NULL)
		g_string_append_printf(s, "%s: ", st->label);
	g_string_append(s, st->verb);
	for (i = 0; i < st->args->len; i++)
		g_string_append_printf(s, " %s",
		    ((const SimToken *)st->args->pdata[i])->text);
	if (st->expect != NULL) {
		g_string_append(s, " =");
		for (i = 0; i < st->expect->len; i++)
			g_string_append_printf(s, " %s",
			    ((const SimToken *)st->expect->pdata[i])->text);
	}
	for (i = 0; i < st->overrides->len; i++) {
		const SimOverride *ov = st->overrides->pdata[i];

		g_string_append_printf(s, " @%s =", ov->profile);
		for (j = 0; j < ov->tokens->len; j++)
			g_string_append_printf(s, " %s",
			    ((const SimToken *)ov->tokens->pdata[j])->text);
	}
	return g_string_free(s, FALSE);
}

/* ---------------------------------------------------------------------
 * Rules
 */

const SimSpecRule *
sim_spec_rule(const char *id)
{
	gsize i;

	for (i = 0; id != NULL && i < sim_spec_n_rules; i++)
		if (strcmp(sim_spec_rules[i].id, id) == 0)
			return &sim_spec_rules[i];
	return NULL;
}

static const char *
why_of(const char *id, int err)
{
	const SimWhy *t;
	gsize n, i;

	t = sim_why_table(&n);
	for (i = 0; id != NULL && i < n; i++) {
		if (strcmp(t[i].id, id) != 0)
			continue;
		if (err != 0)
			return t[i].fail != NULL ? t[i].fail : t[i].ok;
		return t[i].ok != NULL ? t[i].ok : t[i].fail;
	}
	return NULL;
}

/* The rule id at p ("R-UPD-6a..."). g_free(). */
static char *
rule_id_at(const char *p)
{
	gsize len;

	for (len = 2; g_ascii_isalnum(p[len]) || (p[len] == '-' &&
	    g_ascii_isalnum(p[len + 1])); len++)
		;
	return g_strndup(p, len);
}

/*
 * The check a rule comes after, from its SPEC.md text: the first
 * "After R-X" (or "after R-X"), "follows R-X".  NULL when the text
 * names none.  g_free().
 */
static char *
rule_after(const SimSpecRule *r)
{
	static const char *const marks[] = { "After R-", "after R-",
	    "After the lock-free R-" };
	const char *p = NULL, *best = NULL;
	gsize i, len;

	for (i = 0; i < G_N_ELEMENTS(marks); i++) {
		p = strstr(r->text, marks[i]);
		if (p != NULL && (best == NULL || p < best))
			best = p + strlen(marks[i]) - 2;
	}
	if (best == NULL)
		return NULL;
	for (len = 2; g_ascii_isalnum(best[len]) || (best[len] == '-' &&
	    g_ascii_isalnum(best[len + 1])); len++)
		;
	/* a range "R-A..R-B": the check comes after its last rule */
	if (strncmp(best + len, "..R-", 4) == 0)
		return rule_id_at(best + len + 2);
	return g_strndup(best, len);
}

/* The last rule (in SPEC.md order) whose text says "before ID": the
 * check just ahead of a rule that names none itself.  g_free(). */
static char *
rule_before(const char *id)
{
	g_autofree char *pat = g_strdup_printf("before %s", id);
	const char *found = NULL;
	gsize i, n = strlen(pat);

	for (i = 0; i < sim_spec_n_rules; i++) {
		const char *p = strstr(sim_spec_rules[i].text, pat);

		if (p != NULL && !g_ascii_isalnum(p[n]) &&
		    strcmp(sim_spec_rules[i].id, id) != 0)
			found = sim_spec_rules[i].id;
	}
	return g_strdup(found);
}

/* The chain of earlier checks of rule r, first check first. */
static void
append_earlier(const SimSpecRule *r, GString *out)
{
	g_autoptr(GPtrArray) chain = g_ptr_array_new_with_free_func(g_free);
	const SimSpecRule *cur = r;
	gint i;

	while (cur != NULL && chain->len < 16) {
		char *a = rule_after(cur);

		if (a == NULL)
			a = rule_before(cur->id);
		if (a == NULL || strcmp(a, cur->id) == 0 ||
		    g_ptr_array_find_with_equal_func(chain, a, g_str_equal,
		    NULL)) {
			g_free(a);
			break;
		}
		g_ptr_array_add(chain, a);
		cur = sim_spec_rule(a);
	}
	if (chain->len == 0)
		return;
	g_string_append(out, "      after (docs/SPEC.md order):");
	for (i = (gint)chain->len - 1; i >= 0; i--)
		g_string_append_printf(out, " %s", (char *)chain->pdata[i]);
	g_string_append(out, " (these passed)\n");
}

/* ---------------------------------------------------------------------
 * Narration
 */

/* What is needed to fill a "why" text: the step, its state before and
 * after, the objects its statement names. */
typedef struct {
	const SimRecord	*rec;
	const SimStepRec *step;
	const SimSnap	*before, *after;
	SimNames	*nm;
	unsigned	 sock;		/* {S}: the socket of the step */
	unsigned	 map;		/* {M} */
	gboolean	 has_key;
	guint32		 key;		/* {K} */
	unsigned	 value;		/* {V}: the map an outer update stores */
	unsigned	 sel;		/* {SEL}: what a program run selected */
	unsigned	 rgroup;	/* {RG}: the group a packet reached */
	int		 err;		/* {ERR}: the rule's result */
} WhyCtx;

static const SimObj *
arg_obj(SimNames *nm, const SimToken *t, SimObjKind kind)
{
	const char *w = sim_token_word(t);
	const SimObj *o;

	if (w == NULL)
		return NULL;
	o = sim_obj_find(nm->x, SIM_NS_FILE, w);
	return o != NULL && o->kind == kind && o->bound ? o : NULL;
}

static void
why_ctx_init(WhyCtx *c, const SimRecord *rec, guint i, SimNames *nm)
{
	const SimStepRec *s = rec->steps->pdata[i];
	const GPtrArray *args = s->st->args;
	guint k;

	memset(c, 0, sizeof(*c));
	c->rec = rec;
	c->step = s;
	c->before = sim_record_before(rec, i);
	c->after = s->snap;
	c->nm = nm;
	for (k = 0; k < args->len; k++) {
		const SimToken *t = args->pdata[k];
		const SimObj *o;
		guint64 v;

		if (c->map == 0 && (o = arg_obj(nm, t, SIM_OBJ_MAP)) != NULL) {
			if (k == 0)
				c->map = o->id;
			else
				c->value = o->id;
			continue;
		}
		if ((o = arg_obj(nm, t, SIM_OBJ_MAP)) != NULL && c->value == 0)
			c->value = o->id;
		if (c->sock == 0 && (o = arg_obj(nm, t, SIM_OBJ_SOCK)) != NULL)
			c->sock = o->id;
		if (k == 1 && c->map != 0 && t->kind == SIM_TOK_INT &&
		    sim_token_get_u64(t, &v) && v <= G_MAXUINT32) {
			c->has_key = TRUE;
			c->key = (guint32)v;
		}
	}
	/* a send: the socket that received it; a cookie: its socket */
	for (k = 0; k < s->events->len; k++) {
		const struct rp_event *e = &g_array_index(s->events,
		    struct rp_event, k);

		if (e->kind == RP_EV_PROG_RUN && c->rgroup == 0) {
			c->sel = e->sock2;
			c->rgroup = e->group;
		}
		if (e->kind == RP_EV_SELECT && c->rgroup == 0)
			c->rgroup = e->group;
		if (c->sock != 0)
			continue;
		if ((e->kind == RP_EV_SELECT || e->kind == RP_EV_COOKIE) &&
		    e->sock != 0)
			c->sock = e->sock;
		else if (e->kind == RP_EV_PROG_RUN)
			c->sock = e->sock;
	}
}

static const char *
owner_words(WhyCtx *c, const SimSnapSock *ss, GString *tmp)
{
	g_string_truncate(tmp, 0);
	if (ss == NULL)
		return "nothing";
	switch (ss->owner) {
	case RP_OWNER_NONE:
		return "nothing (its owner word is NULL)";
	case RP_OWNER_SLOT:
		g_string_printf(tmp, "map %s slot %u",
		    sim_names_map(c->nm, ss->owner_map), ss->owner_idx);
		return tmp->str;
	case RP_OWNER_STALE:
		g_string_printf(tmp, "a stale copy of its listener's owner "
		    "word (map %s slot %u)", sim_names_map(c->nm, ss->owner_map),
		    ss->owner_idx);
		return tmp->str;
	case RP_OWNER_PSOCK:
		return "a sockmap entry (a psock owns its sk_user_data)";
	default:
		return "another subsystem (a tunnel owns its sk_user_data)";
	}
}

/* Fill the {X} fields of template t. */
static void
why_fill(WhyCtx *c, const char *t, GString *out)
{
	g_autoptr(GString) tmp = g_string_new(NULL);
	const SimSnapSock *sb = sim_snap_sock(c->before, c->sock);
	const SimSnapSock *sa = sim_snap_sock(c->after, c->sock);
	const SimSnapMap *mb = sim_snap_map(c->before, c->map);
	const SimSnapMap *ma = sim_snap_map(c->after, c->map);
	const SimSnapMap *m = mb != NULL ? mb : ma;
	const char *p;

	for (p = t; *p != '\0'; p++) {
		const char *end;
		g_autofree char *f = NULL;

		if (*p != '{' || (end = strchr(p, '}')) == NULL) {
			g_string_append_c(out, *p);
			continue;
		}
		f = g_strndup(p + 1, (gsize)(end - p - 1));
		p = end;
		if (strcmp(f, "S") == 0) {
			g_string_append(out, c->sock != 0 ?
			    sim_names_sock(c->nm, c->sock) : "the socket");
		} else if (strcmp(f, "M") == 0) {
			g_string_append(out, c->map != 0 ?
			    sim_names_map(c->nm, c->map) : "the map");
		} else if (strcmp(f, "K") == 0) {
			if (c->has_key)
				g_string_append_printf(out, "%u", c->key);
			else
				g_string_append(out, "the key");
		} else if (strcmp(f, "V") == 0) {
			g_string_append(out, c->value != 0 ?
			    sim_names_map(c->nm, c->value) : "the map");
		} else if (strcmp(f, "VS") == 0) {
			if (m != NULL)
				g_string_append_printf(out, "%u",
				    m->value_size);
			else
				g_string_append(out, "its");
		} else if (strcmp(f, "N") == 0) {
			if (m != NULL)
				g_string_append_printf(out, "%u",
				    m->max_entries);
			else
				g_string_append(out, "max_entries");
		} else if (strcmp(f, "OWNER") == 0) {
			g_string_append(out, owner_words(c, sb != NULL ? sb :
			    sa, tmp));
		} else if (strcmp(f, "OCC") == 0 || strcmp(f, "NOW") == 0) {
			const SimSnapMap *mm = strcmp(f, "OCC") == 0 ? mb : ma;
			unsigned occ = c->has_key ? sim_snap_slot(mm, c->key) :
			    0;

			if (occ == 0)
				g_string_append(out, "nothing");
			else if (mm != NULL && sim_snap_is_outer(mm))
				g_string_append_printf(out, "map %s",
				    sim_names_map(c->nm, occ));
			else
				g_string_append(out,
				    sim_names_sock(c->nm, occ));
		} else if (strcmp(f, "G") == 0) {
			const SimSnapSock *ss = sa != NULL && sa->group != 0 ?
			    sa : sb;

			g_string_append(out, ss != NULL && ss->group != 0 ?
			    sim_names_group(c->nm, ss->group) : "its group");
		} else if (strcmp(f, "POS") == 0) {
			if (sa != NULL && sa->pos >= 0)
				g_string_append_printf(out, "%d", sa->pos);
			else
				g_string_append(out, "?");
		} else if (strcmp(f, "ERR") == 0) {
			g_autofree char *e = sim_err_string(c->err);

			g_string_append(out, e);
		} else if (strcmp(f, "SEL") == 0) {
			g_string_append(out, c->sel != 0 ?
			    sim_names_sock(c->nm, c->sel) : "the socket");
		} else if (strcmp(f, "PICK") == 0) {
			if (c->sel != 0)
				g_string_append_printf(out, "had selected %s, "
				    "which receives the packet",
				    sim_names_sock(c->nm, c->sel));
			else
				g_string_append(out, "had selected nothing, so "
				    "the hash fallback decides");
		} else if (strcmp(f, "RG") == 0) {
			g_string_append(out, c->rgroup != 0 ?
			    sim_names_group(c->nm, c->rgroup) :
			    "the receiving group");
		} else if (strcmp(f, "PROF") == 0) {
			g_string_append(out, c->rec->profile);
		} else {
			g_string_append_printf(out, "{%s}", f);
		}
	}
}

/* Locks held at event number upto of the step, as words. */
static void
held_locks(const SimStepRec *s, guint upto, SimNames *nm, GString *out)
{
	int reuse = 0, rcu = 0;
	g_autoptr(GArray) cb = g_array_new(FALSE, FALSE, sizeof(unsigned));
	guint i, j;

	for (i = 0; i < upto; i++) {
		const struct rp_event *e = &g_array_index(s->events,
		    struct rp_event, i);

		switch (e->kind) {
		case RP_EV_LOCK:
			reuse++;
			break;
		case RP_EV_UNLOCK:
			reuse--;
			break;
		case RP_EV_RCU_LOCK:
			rcu++;
			break;
		case RP_EV_RCU_UNLOCK:
			rcu--;
			break;
		case RP_EV_CB_LOCK:
			g_array_append_val(cb, e->sock);
			break;
		case RP_EV_CB_UNLOCK:
			for (j = cb->len; j > 0; j--) {
				if (g_array_index(cb, unsigned, j - 1) ==
				    e->sock) {
					g_array_remove_index(cb, j - 1);
					break;
				}
			}
			break;
		default:
			break;
		}
	}
	if (reuse > 0)
		g_string_append(out, " reuseport_lock,");
	for (j = 0; j < cb->len; j++)
		g_string_append_printf(out, " %s's sk_callback_lock,",
		    sim_names_sock(nm, g_array_index(cb, unsigned, j)));
	if (rcu > 0)
		g_string_append(out, " rcu_read_lock,");
}

static const char *
family_word(int f)
{
	const char *n = sim_family_name(f);

	return n != NULL ? n : "?";
}

/* One state change in words, or FALSE when e is no change. */
static gboolean
change_words(const struct rp_event *e, SimNames *nm, GString *o)
{
	const char *s = e->sock != 0 ? sim_names_sock(nm, e->sock) : "none";

	switch (e->kind) {
	case RP_EV_SOCK_NEW: {
		static const char *const types[] = { "0", "stream", "dgram",
		    "raw" };
		int type = (int)(e->val >> 8 & 0xff);
		const char *pn = sim_proto_name((int)(e->val & 0xff));

		g_string_append_printf(o, "socket %s created (%s %s %s)", s,
		    family_word((int)(e->val >> 16)), type < 4 ? types[type] :
		    "?", pn != NULL ? pn : "?");
		return TRUE;
	}
	case RP_EV_SOCK_STATE:
		g_string_append_printf(o, "%s is now %s", s,
		    sim_state_name((int)e->val));
		return TRUE;
	case RP_EV_SOCK_HASH:
		g_string_append_printf(o, "%s is hashed: lookups can reach "
		    "it", s);
		return TRUE;
	case RP_EV_SOCK_UNHASH:
		g_string_append_printf(o, "%s is unhashed", s);
		return TRUE;
	case RP_EV_SOCK_FREE:
		g_string_append_printf(o, "%s is freed", s);
		return TRUE;
	case RP_EV_OWNER_SET:
		g_string_append_printf(o, "%s's owner word (sk_user_data) now "
		    "names %s slot %u", s, sim_names_map(nm, e->map), e->idx);
		return TRUE;
	case RP_EV_OWNER_CLEAR:
		g_string_append_printf(o, "%s's owner word is cleared", s);
		return TRUE;
	case RP_EV_OWNER_FOREIGN:
		g_string_append_printf(o, "%s's owner word is taken by %s", s,
		    e->what != NULL ? e->what : "another subsystem");
		return TRUE;
	case RP_EV_SLOT_SET:
		if (e->map2 != 0)
			g_string_append_printf(o, "%s slot %u now holds map %s",
			    sim_names_map(nm, e->map), e->idx,
			    sim_names_map(nm, e->map2));
		else
			g_string_append_printf(o, "%s slot %u now holds %s",
			    sim_names_map(nm, e->map), e->idx, s);
		return TRUE;
	case RP_EV_SLOT_CLEAR:
		if (e->map2 != 0)
			g_string_append_printf(o, "%s slot %u is emptied (it "
			    "held map %s)", sim_names_map(nm, e->map), e->idx,
			    sim_names_map(nm, e->map2));
		else if (e->sock != 0)
			g_string_append_printf(o, "%s slot %u is emptied (it "
			    "held %s)", sim_names_map(nm, e->map), e->idx, s);
		else
			g_string_append_printf(o, "%s slot %u is emptied",
			    sim_names_map(nm, e->map), e->idx);
		return TRUE;
	case RP_EV_GROUP_NEW:
		g_string_append_printf(o, "new group %s for %s",
		    sim_names_group(nm, e->group), s);
		return TRUE;
	case RP_EV_GROUP_ID:
		g_string_append_printf(o, "%s gets reuseport_id %" G_GUINT64_FORMAT,
		    sim_names_group(nm, e->group), e->val);
		return TRUE;
	case RP_EV_GROUP_ADD:
		g_string_append_printf(o, "%s joins %s at socks[%u]", s,
		    sim_names_group(nm, e->group), e->idx);
		return TRUE;
	case RP_EV_GROUP_DEL:
		g_string_append_printf(o, "%s leaves %s (it was socks[%u])", s,
		    sim_names_group(nm, e->group), e->idx);
		return TRUE;
	case RP_EV_GROUP_MOVE:
		g_string_append_printf(o, "%s moves from socks[%u] to "
		    "socks[%u] of %s (the last entry fills the hole)", s,
		    e->idx, e->idx2, sim_names_group(nm, e->group));
		return TRUE;
	case RP_EV_GROUP_CLOSE:
		g_string_append_printf(o, "%s goes to the closed section of %s "
		    "at socks[%u]", s, sim_names_group(nm, e->group), e->idx);
		return TRUE;
	case RP_EV_GROUP_GROW:
		g_string_append_printf(o, "%s grows to max_socks %"
		    G_GUINT64_FORMAT, sim_names_group(nm, e->group), e->val);
		return TRUE;
	case RP_EV_GROUP_PROG:
		g_string_append_printf(o, "the program of %s is now %s",
		    sim_names_group(nm, e->group),
		    sim_names_prog(nm, (unsigned)e->val));
		return TRUE;
	case RP_EV_GROUP_FREE:
		g_string_append_printf(o, "group %s is freed",
		    sim_names_group(nm, e->group));
		return TRUE;
	case RP_EV_COOKIE:
		g_string_append_printf(o, "%s's cookie is generated: c(%s)", s,
		    s);
		return TRUE;
	case RP_EV_MAP_NEW:
		g_string_append_printf(o, "map %s is created (%s)",
		    sim_names_map(nm, e->map), sim_map_type_name((guint32)e->val));
		return TRUE;
	case RP_EV_MAP_FREE:
		g_string_append_printf(o, "map %s is freed: its last holder is "
		    "gone", sim_names_map(nm, e->map));
		return TRUE;
	case RP_EV_PROG_RUN: {
		g_autofree char *h = sim_err_string(e->err);

		g_string_append_printf(o, "the program of %s runs with ctx sk "
		    "%s: verdict %s, last helper result %s, selected %s",
		    sim_names_group(nm, e->group), s, e->val == RP_SK_PASS ?
		    "SK_PASS" : "SK_DROP", h, sim_names_sock(nm, e->sock2));
		return TRUE;
	}
	case RP_EV_SELECT:
		if (e->sock == 0)
			g_string_append_printf(o, "%s selects no socket (%s)",
			    sim_names_group(nm, e->group), e->what != NULL ?
			    e->what : "?");
		else
			g_string_append_printf(o, "%s selects %s (%s)",
			    sim_names_group(nm, e->group), s, e->what != NULL ?
			    e->what : "?");
		return TRUE;
	case RP_EV_MIGRATE:
		if (e->sock2 != 0)
			g_string_append_printf(o, "%s migrates to %s", s,
			    sim_names_sock(nm, e->sock2));
		else
			g_string_append_printf(o, "%s is dropped: no listener "
			    "to migrate to", s);
		return TRUE;
	case RP_EV_KNOWN_DEFECT:
		g_string_append_printf(o, "known 4.19 defect reproduced: %s "
		    "(%s)", e->what != NULL ? e->what : "?", s);
		return TRUE;
	default:
		return FALSE;
	}
}

/* "  locks: reuseport_lock, a's sk_callback_lock, ..." in the order the
 * step took them (each once), or nothing when it took none. */
static void
append_locks(const SimStepRec *s, SimNames *nm, GString *out)
{
	g_autoptr(GPtrArray) seen = g_ptr_array_new_with_free_func(g_free);
	guint i;

	for (i = 0; i < s->events->len; i++) {
		const struct rp_event *e = &g_array_index(s->events,
		    struct rp_event, i);
		char *w = NULL;

		if (e->kind == RP_EV_LOCK)
			w = g_strdup("reuseport_lock");
		else if (e->kind == RP_EV_CB_LOCK)
			w = g_strdup_printf("%s's sk_callback_lock",
			    sim_names_sock(nm, e->sock));
		else if (e->kind == RP_EV_RCU_LOCK)
			w = g_strdup("rcu_read_lock");
		else if (e->kind == RP_EV_RCU_SYNC)
			w = g_strdup("synchronize_rcu (a grace period)");
		if (w == NULL)
			continue;
		if (g_ptr_array_find_with_equal_func(seen, w, g_str_equal,
		    NULL))
			g_free(w);
		else
			g_ptr_array_add(seen, w);
	}
	if (seen->len == 0)
		return;
	g_string_append(out, "  locks taken, in order:");
	for (i = 0; i < seen->len; i++)
		g_string_append_printf(out, "%s %s", i > 0 ? "," : "",
		    (char *)seen->pdata[i]);
	g_string_append_c(out, '\n');
}

/* The syscall or event a verb stands for, when no rule names a function. */
static const char *
verb_kernel(const char *verb)
{
	static const char *const tab[][2] = {
		{ "socket", "socket(2): __sys_socket()" },
		{ "setsockopt", "setsockopt(2): sock_setsockopt()" },
		{ "bind", "bind(2): inet_bind() / inet6_bind()" },
		{ "listen", "listen(2): inet_listen()" },
		{ "connect", "connect(2)" },
		{ "shutdown", "shutdown(2): inet_shutdown()" },
		{ "accept", "accept(2): inet_csk_accept()" },
		{ "close", "close(2): the last fput() releases the file" },
		{ "dup", "dup(2)" },
		{ "pass", "sendmsg(2) with SCM_RIGHTS" },
		{ "cookie", "getsockopt(SO_COOKIE): sock_gen_cookie()" },
		{ "attach", "setsockopt(SO_ATTACH_REUSEPORT_*): "
		    "reuseport_attach_prog()" },
		{ "detach", "setsockopt(SO_DETACH_REUSEPORT_BPF): "
		    "reuseport_detach_prog()" },
		{ "map", "bpf(BPF_MAP_CREATE): map_create()" },
		{ "update", "bpf(BPF_MAP_UPDATE_ELEM): map_update_elem()" },
		{ "lookup", "bpf(BPF_MAP_LOOKUP_ELEM): map_lookup_elem()" },
		{ "delete", "bpf(BPF_MAP_DELETE_ELEM): map_delete_elem()" },
		{ "prog", "bpf(BPF_PROG_LOAD): bpf_prog_load()" },
		{ "send", "the receive path: inet_lookup_listener() / "
		    "udp_lib_lookup(), reuseport_select_sock()" },
		{ "expect", "none: a look at the model's state" },
		{ "proc", "none: a new process of the scenario" },
		{ "netns", "none: a new network namespace" },
	};
	gsize i;

	for (i = 0; i < G_N_ELEMENTS(tab); i++)
		if (strcmp(tab[i][0], verb) == 0)
			return tab[i][1];
	return NULL;
}

/* The kernel functions of the rules of step s, or of its verb. */
static void
append_kernel(const SimStepRec *s, GString *out)
{
	g_autoptr(GPtrArray) seen = g_ptr_array_new();
	const char *vk;
	guint i;

	for (i = 0; i < s->events->len; i++) {
		const struct rp_event *e = &g_array_index(s->events,
		    struct rp_event, i);
		const SimSpecRule *r;

		if (e->kind != RP_EV_RULE ||
		    (r = sim_spec_rule(e->rule)) == NULL ||
		    g_ptr_array_find_with_equal_func(seen, r->models,
		    g_str_equal, NULL))
			continue;
		g_ptr_array_add(seen, (char *)r->models);
	}
	vk = verb_kernel(s->st->verb);
	if (seen->len == 0 && vk == NULL)
		return;
	g_string_append(out, "  kernel:");
	if (vk != NULL)
		g_string_append_printf(out, " %s%s", vk, seen->len > 0 ? ";" :
		    "");
	for (i = 0; i < seen->len; i++)
		g_string_append_printf(out, "%s %s", i > 0 ? ";" : "",
		    (const char *)seen->pdata[i]);
	g_string_append_c(out, '\n');
}

/*
 * Narrate step i of rec:
 *
 *	step 9, line 14: update m 3 b = -EBUSY
 *	  result: -EBUSY, as expected
 *	  kernel: bpf(BPF_MAP_UPDATE_ELEM): ...; reuseport_array_update_check() ...
 *	  rules, in the order the model applied them:
 *	    R-UPD-6g socket must not be owned already: -EBUSY
 *	      after: R-UPD-0a ... R-UPD-6f (these passed)
 *	      held: nothing (a lock-free check)
 *	      why: socket b already owns map m slot 3.
 *	  changes: none
 */
void
sim_explain_step(const SimRecord *rec, guint i, SimNames *nm, GString *out)
{
	const SimStepRec *s = rec->steps->pdata[i];
	g_autofree char *text = sim_stmt_text(s->st);
	g_autofree char *base = g_path_get_basename(s->st->file);
	const char *top = rec->sc->files->len > 0 ? rec->sc->files->pdata[0] :
	    NULL;
	const GPtrArray *exp = sim_stmt_expect_for(s->st, rec->profile);
	gboolean any = FALSE;
	WhyCtx c;
	guint k;

	why_ctx_init(&c, rec, i, nm);
	if (top != NULL && strcmp(top, s->st->file) == 0)
		g_string_append_printf(out, "step %u, line %u: %s\n", i + 1,
		    s->st->line, text);
	else
		g_string_append_printf(out, "step %u, %s:%u: %s\n", i + 1,
		    base, s->st->line, text);
	g_string_append_printf(out, "  result: %s", s->result);
	if (s->failed)
		g_string_append(out, ", NOT as expected");
	else if (exp != NULL)
		g_string_append(out, ", as expected");
	g_string_append_c(out, '\n');
	append_kernel(s, out);
	append_locks(s, nm, out);
	for (k = 0; k < s->events->len; k++) {
		const struct rp_event *e = &g_array_index(s->events,
		    struct rp_event, k);
		const SimSpecRule *r;
		const char *why;
		g_autofree char *err = NULL;
		gsize len;

		if (e->kind != RP_EV_RULE)
			continue;
		if (!any)
			g_string_append(out, "  rules, in the order the model "
			    "applied them:\n");
		any = TRUE;
		r = sim_spec_rule(e->rule);
		err = sim_err_string(e->err);
		g_string_append_printf(out, "    %s %s: %s\n", e->rule,
		    r != NULL ? r->title : "(not in docs/SPEC.md)",
		    e->err == 0 ? "ok" : err);
		if (r != NULL)
			g_string_append_printf(out, "      models: %s\n",
			    r->models);
		if (r != NULL && e->err != 0)
			append_earlier(r, out);
		g_string_append(out, "      held when reported:");
		len = out->len;
		held_locks(s, k, nm, out);
		if (out->len == len)
			g_string_append(out, " no lock");
		else
			g_string_truncate(out, out->len - 1);	/* the last ',' */
		g_string_append_c(out, '\n');
		why = why_of(e->rule, e->err);
		g_string_append(out, "      why: ");
		if (why != NULL)
		{
			c.err = e->err;
			why_fill(&c, why, out);
		}
		else
			g_string_append(out, "(no narration for this rule)");
		g_string_append_c(out, '\n');
	}
	any = FALSE;
	for (k = 0; k < s->events->len; k++) {
		const struct rp_event *e = &g_array_index(s->events,
		    struct rp_event, k);
		gsize len = out->len;

		g_string_append(out, any ? "    " : "  changes:\n    ");
		if (change_words(e, nm, out)) {
			g_string_append_c(out, '\n');
			any = TRUE;
		} else {
			g_string_truncate(out, len);
		}
	}
	if (!any)
		g_string_append(out, "  changes: none\n");
	for (k = 0; k < s->failures->len; k++) {
		g_auto(GStrv) lines = g_strsplit(s->failures->pdata[k], "\n",
		    -1);
		guint j;

		for (j = 0; lines[j] != NULL; j++)
			g_string_append_printf(out, "  %s%s\n", j == 0 ?
			    "FAILED: " : "", lines[j]);
	}
}

/* ---------------------------------------------------------------------
 * The explain command
 */

typedef struct {
	FILE		*out;
	const char	*dot_dir, *svg_dir, *html_dir;
	GArray		*steps;		/* guint, 1-based; NULL: all */
	gboolean	 quiet;		/* --no-text */
	gboolean	 io_failed;
	char		*base;		/* file names: BASE-PROFILE-NN */
} ExplainOpts;

static gboolean
step_chosen(const ExplainOpts *o, guint i)
{
	guint k;

	if (o->steps == NULL)
		return TRUE;
	for (k = 0; k < o->steps->len; k++)
		if (g_array_index(o->steps, guint, k) == i + 1)
			return TRUE;
	return FALSE;
}

static gboolean
write_file(ExplainOpts *o, const char *dir, const char *name,
    const char *text)
{
	g_autofree char *path = g_build_filename(dir, name, NULL);
	g_autoptr(GError) e = NULL;

	if (g_mkdir_with_parents(dir, 0777) != 0 ||
	    !g_file_set_contents(path, text, -1, &e)) {
		fprintf(stderr, "reuseport-sim: cannot write %s: %s\n", path,
		    e != NULL ? e->message : g_strerror(errno));
		o->io_failed = TRUE;
		return FALSE;
	}
	return TRUE;
}

static void
explain_done(SimRecord *rec, SimExec *x, void *ud)
{
	ExplainOpts *o = ud;
	g_autoptr(SimNames) nm = sim_names_new(x);
	g_autoptr(GPtrArray) svgs = g_ptr_array_new_with_free_func(g_free);
	g_autoptr(GPtrArray) texts = g_ptr_array_new_with_free_func(g_free);
	guint n = rec->steps->len, i, width = n >= 100 ? 3 : 2;

	if (!o->quiet)
		fprintf(o->out, "explain %s [%s]\n", rec->sc->path,
		    rec->profile);
	for (i = 0; i < n; i++) {
		GString *t = g_string_new(NULL);
		g_autoptr(GString) dot = NULL;
		g_autofree char *name = NULL;
		char *svg = NULL;

		sim_explain_step(rec, i, nm, t);
		if (!o->quiet && step_chosen(o, i))
			fprintf(o->out, "\n%s", t->str);
		g_ptr_array_add(texts, g_string_free(t, FALSE));
		if (o->dot_dir == NULL && o->svg_dir == NULL &&
		    o->html_dir == NULL)
			continue;
		if (!step_chosen(o, i) && o->html_dir == NULL) {
			g_ptr_array_add(svgs, NULL);
			continue;
		}
		dot = g_string_new(NULL);
		sim_render_dot(rec, i, nm, dot);
		name = g_strdup_printf("%s-%s-%0*u", o->base, rec->profile,
		    (int)width, i + 1);
		if (o->dot_dir != NULL && step_chosen(o, i)) {
			g_autofree char *f = g_strconcat(name, ".dot", NULL);

			write_file(o, o->dot_dir, f, dot->str);
		}
		if (o->svg_dir != NULL || o->html_dir != NULL) {
			g_autoptr(GError) e = NULL;

			svg = sim_render_svg(dot->str, &e);
			if (svg == NULL) {
				fprintf(stderr, "reuseport-sim: %s\n",
				    e->message);
				o->io_failed = TRUE;
			}
		}
		if (svg != NULL && o->svg_dir != NULL && step_chosen(o, i)) {
			g_autofree char *f = g_strconcat(name, ".svg", NULL);

			write_file(o, o->svg_dir, f, svg);
		}
		g_ptr_array_add(svgs, svg);
	}
	if (o->html_dir != NULL && svgs->len == n && !o->io_failed) {
		g_autoptr(GString) page = g_string_new(NULL);
		g_autofree char *f = g_strdup_printf("%s-%s.html", o->base,
		    rec->profile);

		sim_render_html(rec, nm, (char **)svgs->pdata,
		    (char **)texts->pdata, page);
		write_file(o, o->html_dir, f, page->str);
	}
}

static const char explain_usage[] =
    "usage: reuseport-sim explain [--profile P[,P]] [--steps LIST]\n"
    "                             [--dot DIR] [--svg DIR] [--html DIR]\n"
    "                             [--no-text] FILE...\n"
    "       reuseport-sim explain --rules\n";

static const char explain_help[] =
    "Narrate scenarios step by step in the kernel's terms: the rules of\n"
    "docs/SPEC.md that decided each result, in order, the kernel function\n"
    "each models, the checks a failing one comes after, the locks held,\n"
    "why the result is what it is, and what the step changed.\n"
    "\n"
    "  --profile P[,P]  only these profiles (default: every profile the\n"
    "                   scenario declares)\n"
    "  --steps LIST     only these steps, 1-based as numbered in the\n"
    "                   narration: 3,5-7 (pictures and text)\n"
    "  --dot DIR        write the state after each step as Graphviz DOT:\n"
    "                   DIR/NAME-PROFILE-NN.dot\n"
    "  --svg DIR        the same rendered by dot -Tsvg: DIR/NAME-PROFILE-NN.svg\n"
    "  --html DIR       one self-contained page per scenario and profile,\n"
    "                   DIR/NAME-PROFILE.html: the scenario beside the\n"
    "                   picture of the current step; arrow keys, j/k or a\n"
    "                   click on a line step through it\n"
    "  --no-text        no narration on standard output\n"
    "  --rules          list the rules that have a narration, one a line\n"
    "\n"
    "--svg and --html need Graphviz's dot.  Exit status: 0 every scenario\n"
    "ran as expected, 1 one failed (it is narrated all the same), 2 bad\n"
    "input.  See reuseport-sim(1) and docs/tutorial.md.\n";

static int G_GNUC_PRINTF(1, 2)
explain_usage_error(const char *fmt, ...)
{
	va_list ap;

	fputs("reuseport-sim: explain: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	fputs(explain_usage, stderr);
	return SIM_EXIT_USAGE;
}

/* "3,5-7" -> 3 5 6 7.  FALSE when malformed. */
static gboolean
parse_steps(const char *s, GArray *out)
{
	g_auto(GStrv) parts = g_strsplit(s, ",", -1);
	guint i;

	for (i = 0; parts[i] != NULL; i++) {
		guint64 a, b;
		char *end;

		if (!g_ascii_isdigit(parts[i][0]))
			return FALSE;
		a = g_ascii_strtoull(parts[i], &end, 10);
		b = a;
		if (*end == '-') {
			if (!g_ascii_isdigit(end[1]))
				return FALSE;
			b = g_ascii_strtoull(end + 1, &end, 10);
		}
		if (*end != '\0' || a == 0 || b < a || b - a > 100000 ||
		    b > G_MAXUINT)
			return FALSE;
		for (; a <= b; a++) {
			guint v = (guint)a;

			g_array_append_val(out, v);
		}
	}
	return TRUE;
}

/* "story-tcp6" from "scenarios/handover/story-tcp6.scn". */
static char *
file_base(const char *path)
{
	g_autofree char *b = g_path_get_basename(path);

	if (g_str_has_suffix(b, ".scn"))
		b[strlen(b) - 4] = '\0';
	return g_strdup(b);
}

static int
list_rules(void)
{
	const SimWhy *t;
	gsize n, i;

	t = sim_why_table(&n);
	for (i = 0; i < n; i++)
		printf("%s%s\n", t[i].id, sim_spec_rule(t[i].id) != NULL ? "" :
		    " (not in docs/SPEC.md)");
	return SIM_EXIT_OK;
}

static const char *
opt_arg(int argc, char **argv, int *i, const char *name, gboolean *missing)
{
	gsize n = strlen(name);
	const char *a = argv[*i];

	*missing = FALSE;
	if (strncmp(a, name, n) != 0)
		return NULL;
	if (a[n] == '=')
		return a + n + 1;
	if (a[n] != '\0')
		return NULL;
	if (*i + 1 >= argc) {
		*missing = TRUE;
		return NULL;
	}
	return argv[++*i];
}

int
sim_explain_main(int argc, char **argv)
{
	static const char *const opts[] = { "--profile", "--steps", "--dot",
	    "--svg", "--html", "--no-text", "--rules", "--help", NULL };
	g_autoptr(GPtrArray) paths = g_ptr_array_new();
	g_autoptr(GPtrArray) profiles = g_ptr_array_new_with_free_func(g_free);
	g_autoptr(GArray) steps = g_array_new(FALSE, FALSE, sizeof(guint));
	ExplainOpts o = { 0 };
	gboolean missing, dashdash = FALSE, have_steps = FALSE;
	int status = SIM_EXIT_OK, i;
	guint k, j;

	o.out = stdout;
	for (i = 1; i < argc; i++) {
		const char *a = argv[i], *v;
		const char **dst = NULL;

		if (dashdash || a[0] != '-' || a[1] == '\0') {
			g_ptr_array_add(paths, argv[i]);
			continue;
		}
		if (strcmp(a, "--") == 0) {
			dashdash = TRUE;
			continue;
		}
		if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			fputs(explain_usage, stdout);
			fputs("\n", stdout);
			fputs(explain_help, stdout);
			return SIM_EXIT_OK;
		}
		if (strcmp(a, "--rules") == 0)
			return list_rules();
		if (strcmp(a, "--no-text") == 0) {
			o.quiet = TRUE;
			continue;
		}
		if ((v = opt_arg(argc, argv, &i, "--profile", &missing)) !=
		    NULL && !missing) {
			g_auto(GStrv) parts = g_strsplit(v, ",", -1);

			for (k = 0; parts[k] != NULL; k++) {
				if (rp_profile_find(parts[k]) == NULL)
					return explain_usage_error("unknown "
					    "profile '%s'", parts[k]);
				g_ptr_array_add(profiles, g_strdup(parts[k]));
			}
			continue;
		}
		if (!missing && (v = opt_arg(argc, argv, &i, "--steps",
		    &missing)) != NULL) {
			if (!parse_steps(v, steps))
				return explain_usage_error("bad step list '%s' "
				    "(expected N or N-M, comma-separated, from "
				    "1)", v);
			have_steps = TRUE;
			continue;
		}
		if (!missing && (v = opt_arg(argc, argv, &i, "--dot",
		    &missing)) != NULL)
			dst = &o.dot_dir;
		else if (!missing && (v = opt_arg(argc, argv, &i, "--svg",
		    &missing)) != NULL)
			dst = &o.svg_dir;
		else if (!missing && (v = opt_arg(argc, argv, &i, "--html",
		    &missing)) != NULL)
			dst = &o.html_dir;
		if (missing)
			return explain_usage_error("option '%s' needs a value",
			    a);
		if (dst != NULL) {
			if (*v == '\0')
				return explain_usage_error("option '%s' needs "
				    "a directory", a);
			*dst = v;
			continue;
		}
		{
			g_autofree char *opt = g_strndup(a, strcspn(a, "="));
			const char *hint = sim_suggest(opt, opts,
			    g_strv_length((char **)opts));

			if (hint != NULL)
				return explain_usage_error("unknown option "
				    "'%s', did you mean '%s'?", a, hint);
			return explain_usage_error("unknown option '%s'", a);
		}
	}
	if (paths->len == 0)
		return explain_usage_error("no FILE given");
	if ((o.svg_dir != NULL || o.html_dir != NULL) && !sim_have_dot()) {
		fprintf(stderr, "reuseport-sim: explain: --svg and --html need "
		    "Graphviz's dot, which is not installed (apt-get install "
		    "graphviz)\n");
		return SIM_EXIT_USAGE;
	}
	if (have_steps)
		o.steps = steps;
	if (profiles->len > 0)
		g_ptr_array_add(profiles, NULL);
	/* parse and check every file first, as run does */
	{
		g_autoptr(GPtrArray) scs = g_ptr_array_new_with_free_func(
		    (GDestroyNotify)sim_scenario_free);
		g_autoptr(GPtrArray) errors = g_ptr_array_new_with_free_func(
		    g_free);
		gboolean bad = FALSE;

		for (k = 0; k < paths->len; k++) {
			g_autoptr(GError) e = NULL;
			const char *p = paths->pdata[k];
			SimScenario *sc;

			if (g_file_test(p, G_FILE_TEST_IS_DIR)) {
				fprintf(stderr, "reuseport-sim: explain: %s is "
				    "a directory (give scenario files)\n", p);
				return SIM_EXIT_USAGE;
			}
			sc = sim_parse_file(p, &e);
			if (sc == NULL) {
				fprintf(stderr, "%s\n", e->message);
				bad = TRUE;
				continue;
			}
			g_ptr_array_add(scs, sc);
			g_ptr_array_set_size(errors, 0);
			if (!sim_check_scenario(sc, errors)) {
				for (j = 0; j < errors->len; j++)
					fprintf(stderr, "%s\n",
					    (char *)errors->pdata[j]);
				bad = TRUE;
			}
		}
		if (bad)
			return SIM_EXIT_USAGE;
		for (k = 0; k < scs->len; k++) {
			const SimScenario *sc = scs->pdata[k];
			g_autoptr(GPtrArray) profs = sim_scenario_profiles(sc,
			    profiles->len > 0 ? (char **)profiles->pdata :
			    NULL);

			g_free(o.base);
			o.base = file_base(sc->path);
			if (profs->len == 0 && !o.quiet)
				fprintf(o.out, "explain %s: no selected "
				    "profile\n", sc->path);
			for (j = 0; j < profs->len; j++) {
				g_autoptr(SimRecord) rec = sim_record_new(sc,
				    profs->pdata[j]);
				SimReport rep = { 0 };

				rec->done = explain_done;
				rec->done_ud = &o;
				if (k > 0 || j > 0)
					fputc('\n', o.out);
				sim_run_scenario_hooked(sc, profs->pdata[j],
				    NULL, SIM_TRACE_OFF, TRUE, &rec->hooks,
				    &rep);
				if (!rep.passed) {
					if (!o.quiet)
						fprintf(o.out, "\nFAIL %s [%s]\n",
						    sc->path,
						    (char *)profs->pdata[j]);
					status = SIM_EXIT_FAIL;
				} else if (!o.quiet) {
					fprintf(o.out, "\nPASS %s [%s]\n",
					    sc->path, (char *)profs->pdata[j]);
				}
				sim_report_clear(&rep);
			}
		}
		g_clear_pointer(&o.base, g_free);
	}
	if (o.io_failed)
		return SIM_EXIT_USAGE;
	return status;
}
