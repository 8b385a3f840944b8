/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * describe.c - failure descriptions (describe.h): after "file:line:col:
 * what", one indented line for each socket and map the failing statement
 * names, in the backend's model-only view ("a: listen, group g1 pos 0 (2
 * listening, 0 closed), in m:0, cookie c(a)"), and the scenario names of
 * the model ids an invariant message uses ("socket 5= a").
 */
#include <stdlib.h>
#include <string.h>

#include "core/describe.h"
#include "core/pass-int.h"
#include "lang/words.h"

/* Longest map scanned when a failure lists slot occupants. */
#define DESCRIBE_MAX_KEYS	4096u
#define DESCRIBE_MAX_SLOTS	16u

/* "a: listen, group g1 pos 0 (2 listening, 0 closed), in m:0, c(a)" */
static void
describe_sock(SimExec *x, unsigned id, GString *out)
{
	const char *name = sim_names_sock(x->names, id);
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
		const char *gn = sim_names_group(x->names, in.group);

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
		const char *m = sim_names_map(x->names, in.owner_map);

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
	const char *name = sim_names_map(x->names, id);
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
		const char *o;

		if (occ == 0)
			continue;
		o = mi.type == RP_MAP_ARRAY_OF_MAPS ||
		    mi.type == RP_MAP_HASH_OF_MAPS ?
		    sim_names_map(x->names, occ) :
		    sim_names_sock(x->names, occ);
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
		name = sim_word_inner(w, prefixes[i]);
	colon = strchr(w, ':');
	if (name == NULL && colon != NULL && w[0] != '[')
		name = g_strndup(w, (gsize)(colon - w));
	o = sim_names_find(x->names, SIM_NS_FILE, name != NULL ? name : w);
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
void
sim_describe_involved(SimExec *x, const SimStmt *st, const GPtrArray *exp,
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
void
sim_describe_ids(SimExec *x, const char *msg, GString *out)
{
	static const char *const words[] = { "socket ", "map ", "group " };
	static const SimObjKind kinds[] = { SIM_OBJ_SOCK, SIM_OBJ_MAP,
	    SIM_OBJ_GROUP };
	g_autoptr(GHashTable) done = g_hash_table_new_full(g_str_hash,
	    g_str_equal, g_free, NULL);
	const char *p;
	guint i;

	for (p = msg; *p != '\0'; p++) {
		for (i = 0; i < G_N_ELEMENTS(words); i++) {
			gsize wl = strlen(words[i]);
			g_autofree char *key = NULL;
			const char *name;
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
			name = sim_names_of(x->names, kinds[i], id);
			if (name != NULL)
				g_string_append_printf(out, "\n  %s= %s", key,
				    name);
			g_hash_table_add(done, g_steal_pointer(&key));
		}
	}
}
