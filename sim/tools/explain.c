/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * explain.c - the narration of `reuseport-sim explain`: a recorded step
 * (record.h: its result, the model's events, a snapshot of the state
 * after it) told in the kernel's terms: the rules that decided, in the
 * order the model applied them, with the kernel function each models
 * (docs/SPEC.md), the earlier checks a failing one comes after, the locks
 * held when it ran, why the result is what it is (explain-why.c, filled
 * from the state), and what the step changed.  The pictures of the same
 * steps are render-dot.c's and render-html.c's.
 *
 * The narration is a stable text, tested against golden files
 * (tests/explain-data); it never prints model ids, addresses or cookie
 * values, only scenario names (a cookie is c(NAME), as in the trace).
 */
#include <string.h>

#include "core/verbs.h"
#include "lang/print.h"
#include "lang/words.h"
#include "tools/explain-why.h"
#include "tools/explain.h"
#include "tools/spec-rules.h"

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
	o = sim_names_find(nm, SIM_NS_FILE, w);
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

/* A field that is a number when known: n, else the words unknown. */
static void
put_num_or(GString *out, gboolean known, guint n, const char *unknown)
{
	if (known)
		g_string_append_printf(out, "%u", n);
	else
		g_string_append(out, unknown);
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
			put_num_or(out, c->has_key, c->key, "the key");
		} else if (strcmp(f, "V") == 0) {
			g_string_append(out, c->value != 0 ?
			    sim_names_map(c->nm, c->value) : "the map");
		} else if (strcmp(f, "VS") == 0) {
			put_num_or(out, m != NULL, m != NULL ? m->value_size :
			    0, "its");
		} else if (strcmp(f, "N") == 0) {
			put_num_or(out, m != NULL, m != NULL ? m->max_entries :
			    0, "max_entries");
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

/* A name of words.h, or "?" for a number without one. */
static const char *
known(const char *name)
{
	return name != NULL ? name : "?";
}

/* One state change in words, or FALSE when e is no change. */
static gboolean
change_words(const struct rp_event *e, SimNames *nm, GString *o)
{
	const char *s = e->sock != 0 ? sim_names_sock(nm, e->sock) : "none";

	switch (e->kind) {
	case RP_EV_SOCK_NEW:
		g_string_append_printf(o, "socket %s created (%s %s %s)", s,
		    known(sim_family_name((int)(e->val >> 16))),
		    known(sim_socktype_name((int)(e->val >> 8 & 0xff))),
		    known(sim_proto_name((int)(e->val & 0xff))));
		return TRUE;
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
		else if (e->sock != 0)
			g_string_append_printf(o, "%s slot %u now holds %s",
			    sim_names_map(nm, e->map), e->idx, s);
		else	/* a value map's element (R-EBPF-20) */
			g_string_append_printf(o, "%s[%u] is written",
			    sim_names_map(nm, e->map), e->idx);
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

/* The kernel functions of the rules of step s, or of its verb. */
static void
append_kernel(const SimStepRec *s, GString *out)
{
	g_autoptr(GPtrArray) seen = g_ptr_array_new();
	const SimVerb *verb = sim_verb_find(s->st->verb);
	const char *vk = verb != NULL ? verb->kernel : NULL;
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
	g_autofree char *text = sim_stmt_text(s->st, SIM_PRINT_EXPECT);
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
	sim_explain_progs(s, nm, out);
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

