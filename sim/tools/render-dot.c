/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * render-dot.c - pictures of the model's state after a step, as Graphviz
 * DOT (reuseport-sim explain --dot), and their SVG through `dot -Tsvg`
 * (--svg, --html).
 *
 * One picture, left to right:
 *
 *	maps (slots as cells)  ->  sockets  <-  groups (socks[] as cells)
 *
 * - a group shows its name, reuseport_id and program, then socks[]: the
 *   listening section socks[0..num_socks) and, in 6.18, the closed
 *   section at the tail; an arrow from each cell to its socket;
 * - a map shows its name, type and value size, then its slots (all of
 *   them up to 16 entries; beyond, the occupied ones with "..." for the
 *   gaps); an arrow from each occupied slot to its socket, or for an
 *   outer map to its inner map;
 * - a socket shows its name, state, process (when not init), cookie once
 *   generated (c(NAME), never the number) and accept queue; a dashed
 *   arrow from the socket back to the slot its owner word names;
 * - what the step changed is highlighted (yellow fill, red outline, bold
 *   red arrows), and what it freed is drawn once more, dashed, as
 *   "(freed)";
 * - in a step that returned an error, the sockets, the map and the slot
 *   its statement names are purple: the state the failing check looked
 *   at (for EBUSY, the socket and the owner word that names its slot).
 *
 * The text depends only on the scenario and the profile: objects are
 * written in id order with scenario names, so it is stable and tested
 * against golden files (tests/dot-data).
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "core/error.h"
#include "lang/print.h"
#include "lang/words.h"
#include "tools/markup.h"
#include "tools/render-dot.h"

#define HI_FILL		"#ffd966"
#define HI_LINE		"#c0392b"
#define GROUP_FILL	"#dbe9f6"
#define MAP_FILL	"#e2f0d9"
#define OUTER_FILL	"#fce4d6"
#define EMPTY_FONT	"#999999"
#define CLOSED_FILL	"#e6e6e6"
#define OWNER_LINE	"#b35900"
#define INV_FILL	"#ead7f7"	/* what a failing check looked at */
#define INV_LINE	"#7b3fa0"

/* Maps with at most this many entries show every slot. */
#define ALL_SLOTS_MAX	16u

typedef struct {
	const SimRecord	*rec;
	const SimSnap	*before, *after;
	SimNames	*nm;
	GString		*out;
	/* a step that returned an error: the objects its statement names */
	GArray		*inv_socks;	/* unsigned */
	unsigned	 inv_map;
	gboolean	 inv_has_key;
	guint32		 inv_key;
} Dot;

static gboolean
inv_sock(const Dot *d, unsigned id)
{
	guint i;

	for (i = 0; d->inv_socks != NULL && i < d->inv_socks->len; i++)
		if (g_array_index(d->inv_socks, unsigned, i) == id)
			return TRUE;
	return FALSE;
}

static gboolean
inv_slot(const Dot *d, unsigned map, guint32 key)
{
	return d->inv_map == map && d->inv_has_key && d->inv_key == key;
}

/* For a step that returned an error, note the sockets and the map slot
 * its statement names: the state the failing check looked at. */
static void
inv_collect(Dot *d, const SimStepRec *s)
{
	guint k;

	if (s->err == 0)
		return;
	d->inv_socks = g_array_new(FALSE, FALSE, sizeof(unsigned));
	for (k = 0; k < s->st->args->len; k++) {
		const SimToken *t = s->st->args->pdata[k];
		const char *w = sim_token_word(t);
		guint64 v;
		unsigned id;

		if (k == 1 && d->inv_map != 0 && t->kind == SIM_TOK_INT &&
		    sim_token_get_u64(t, &v) && v <= G_MAXUINT32) {
			d->inv_has_key = TRUE;
			d->inv_key = (guint32)v;
		}
		if (w == NULL)
			continue;
		if ((id = sim_names_lookup(d->nm, w, SIM_OBJ_SOCK)) != 0)
			g_array_append_val(d->inv_socks, id);
		else if (k == 0 &&
		    (id = sim_names_lookup(d->nm, w, SIM_OBJ_MAP)) != 0)
			d->inv_map = id;
	}
}

/* Each line of s escaped, joined by <br/>. */
static void
esc_lines(GString *o, const char *s)
{
	g_auto(GStrv) lines = g_strsplit(s, "\n", -1);
	guint i;

	for (i = 0; lines[i] != NULL; i++) {
		if (i > 0)
			g_string_append(o, "<br/>");
		sim_markup_append(o, lines[i]);
	}
}

/* Append s escaped for a quoted DOT string. */
static void
qesc(GString *o, const char *s)
{
	for (; *s != '\0'; s++) {
		if (*s == '\n') {
			g_string_append(o, "\\l");	/* a left-justified line */
			continue;
		}
		if (*s == '"' || *s == '\\')
			g_string_append_c(o, '\\');
		g_string_append_c(o, *s);
	}
}

/* Is socket id drawn: in a group, a slot or with an owner word, or named
 * by the scenario? */
static gboolean
sock_drawn(const Dot *d, const SimSnap *s, const SimSnapSock *ss)
{
	guint i, k;

	(void)d;
	if (ss->group != 0 || ss->owner != RP_OWNER_NONE)
		return TRUE;
	for (i = 0; i < s->maps->len; i++) {
		const SimSnapMap *m = &g_array_index(s->maps, SimSnapMap, i);

		if (sim_snap_is_outer(m))
			continue;
		for (k = 0; k < m->slots->len; k++)
			if (g_array_index(m->slots, SimSnapSlot, k).occ ==
			    ss->id)
				return TRUE;
	}
	return FALSE;
}

static gboolean
sock_named(const Dot *d, unsigned id)
{
	const char *n = sim_names_sock(d->nm, id);

	return strncmp(n, "child#", 6) != 0;
}

/* Accepted children and requests are left out unless they take part
 * (a stale owner word): their listener shows its accept queue. */
static gboolean
sock_visible(const Dot *d, const SimSnap *s, const SimSnapSock *ss)
{
	if (sock_drawn(d, s, ss))
		return TRUE;
	if (ss->protocol == RP_IPPROTO_TCP && (ss->state == RP_TCP_ESTABLISHED ||
	    ss->state == RP_TCP_SYN_RECV || ss->state == RP_TCP_NEW_SYN_RECV))
		return FALSE;
	return ss->parent == 0 && sock_named(d, ss->id);
}

static gboolean
sock_changed(const SimSnapSock *a, const SimSnapSock *b)
{
	return b == NULL || a->state != b->state || a->closed != b->closed ||
	    a->hashed != b->hashed || a->cookie != b->cookie ||
	    a->group != b->group || a->pos != b->pos ||
	    a->group_closed != b->group_closed || a->owner != b->owner ||
	    a->owner_map != b->owner_map || a->owner_idx != b->owner_idx ||
	    a->accept_queue != b->accept_queue;
}

static const char *
state_word(const SimSnapSock *ss)
{
	if (ss->protocol == RP_IPPROTO_UDP || ss->protocol ==
	    RP_IPPROTO_UDPLITE)
		return ss->state == RP_TCP_ESTABLISHED ? "udp, connected" :
		    ss->hashed ? "udp, bound" : "udp";
	if (ss->protocol == RP_IPPROTO_TCP)
		return sim_state_name(ss->state);
	return "raw";
}

static void
sock_node(Dot *d, const SimSnapSock *ss, gboolean hi, gboolean ghost)
{
	GString *o = d->out;
	const char *proc = sim_names_sock_proc(d->nm, ss->id);
	const char *name = sim_names_sock(d->nm, ss->id);

	gboolean inv = !hi && !ghost && inv_sock(d, ss->id);

	g_string_append_printf(o, "  s%u [shape=box, style=\"rounded,filled%s"
	    "\", fillcolor=\"%s\", color=\"%s\", penwidth=%s, label=<<b>", ss->id,
	    ghost || ss->closed ? ",dashed" : "", hi ? HI_FILL : inv ?
	    INV_FILL : ghost || ss->closed ? CLOSED_FILL : "#ffffff", hi ?
	    HI_LINE : inv ? INV_LINE : "#333333", hi || inv ? "2" : "1");
	sim_markup_append(o, name);
	g_string_append(o, "</b>");
	if (proc != NULL) {
		g_string_append(o, " <font point-size=\"9\">[");
		sim_markup_append(o, proc);
		g_string_append(o, "]</font>");
	}
	if (ghost) {
		g_string_append(o, "<br/>(freed)>];\n");
		return;
	}
	g_string_append_printf(o, "<br/>%s%s", state_word(ss),
	    ss->closed ? ", fd closed" : "");
	if (ss->cookie) {
		g_string_append(o, "<br/>cookie c(");
		sim_markup_append(o, name);
		g_string_append(o, ")");
	}
	if (ss->accept_queue > 0)
		g_string_append_printf(o, "<br/>accept queue %u",
		    ss->accept_queue);
	if (ss->owner == RP_OWNER_PSOCK)
		g_string_append(o, "<br/>owner: psock");
	else if (ss->owner == RP_OWNER_FOREIGN)
		g_string_append(o, "<br/>owner: foreign");
	g_string_append(o, ">];\n");
}

/* The socket at position pos of group id in snapshot s (0: none). */
static unsigned
member_at(const SimSnap *s, unsigned group, int pos, gboolean closed)
{
	guint i;

	for (i = 0; s != NULL && i < s->socks->len; i++) {
		const SimSnapSock *ss = &g_array_index(s->socks, SimSnapSock,
		    i);

		if (ss->group == group && ss->pos == pos &&
		    ss->group_closed == closed)
			return ss->id;
	}
	return 0;
}

/* hi: changed by the step; inv (when not hi): looked at by the failing
 * check */
static void
cell_inv(GString *o, const char *port, gboolean hi, gboolean inv,
    const char *fill, const char *text, gboolean dim)
{
	g_string_append(o, "<td");
	if (port != NULL)
		g_string_append_printf(o, " port=\"%s\"", port);
	if (hi)
		g_string_append_printf(o, " bgcolor=\"%s\" color=\"%s\"",
		    HI_FILL, HI_LINE);
	else if (inv)
		g_string_append_printf(o, " bgcolor=\"%s\" color=\"%s\"",
		    INV_FILL, INV_LINE);
	else if (fill != NULL)
		g_string_append_printf(o, " bgcolor=\"%s\"", fill);
	g_string_append(o, ">");
	if (dim)
		g_string_append_printf(o, "<font color=\"%s\">", EMPTY_FONT);
	sim_markup_append(o, text);
	if (dim)
		g_string_append(o, "</font>");
	g_string_append(o, "</td>");
}

static void
cell(GString *o, const char *port, gboolean hi, const char *fill,
    const char *text, gboolean dim)
{
	cell_inv(o, port, hi, FALSE, fill, text, dim);
}

static void
group_node(Dot *d, const SimSnapGroup *g, gboolean ghost)
{
	const SimSnapGroup *b = sim_snap_group(d->before, g->id);
	GString *o = d->out;
	g_autoptr(GString) head = g_string_new(NULL);
	gboolean hi_head = !ghost && (b == NULL || b->has_id != g->has_id ||
	    b->reuseport_id != g->reuseport_id || b->prog != g->prog ||
	    b->num != g->num || b->nclosed != g->nclosed || b->max != g->max);
	unsigned p;

	g_string_append_printf(head, "group %s", sim_names_group(d->nm,
	    g->id));
	if (ghost) {
		g_string_append(head, " (freed)");
	} else {
		if (g->has_id)
			g_string_append_printf(head, "\nid %u",
			    g->reuseport_id);
		else
			g_string_append(head, "\nid 0 (none yet)");
		if (g->prog != 0)
			g_string_append_printf(head, ", prog %s",
			    sim_names_prog(d->nm, g->prog));
		g_string_append_printf(head, "\n%u of %u socks used",
		    g->num + g->nclosed, g->max);
	}
	g_string_append_printf(o, "  g%u [shape=plain, label=<<table "
	    "border=\"0\" cellborder=\"1\" cellspacing=\"0\" "
	    "cellpadding=\"3\"><tr><td", g->id);
	if (hi_head)
		g_string_append_printf(o, " bgcolor=\"%s\" color=\"%s\"",
		    HI_FILL, HI_LINE);
	else
		g_string_append_printf(o, " bgcolor=\"%s\"", ghost ?
		    CLOSED_FILL : GROUP_FILL);
	g_string_append(o, "><b>");
	esc_lines(o, head->str);
	g_string_append(o, "</b></td></tr>");
	if (ghost || g->num == 0) {
		g_string_append(o, "<tr>");
		cell(o, NULL, FALSE, NULL, "socks[] empty", TRUE);
		g_string_append(o, "</tr>");
	}
	for (p = 0; !ghost && p < g->num; p++) {
		g_autofree char *port = g_strdup_printf("p%u", p);
		g_autofree char *t = g_strdup_printf("socks[%u]", p);
		unsigned now = member_at(d->after, g->id, (int)p, FALSE);
		unsigned was = member_at(d->before, g->id, (int)p, FALSE);

		g_string_append(o, "<tr>");
		cell(o, port, now != was, NULL, t, FALSE);
		g_string_append(o, "</tr>");
	}
	if (!ghost && g->nclosed > 0) {
		g_string_append(o, "<tr>");
		cell(o, NULL, FALSE, CLOSED_FILL, "closed section", TRUE);
		g_string_append(o, "</tr>");
		for (p = g->max - g->nclosed; p < g->max; p++) {
			g_autofree char *port = g_strdup_printf("c%u", p);
			g_autofree char *t = g_strdup_printf("socks[%u]", p);
			unsigned now = member_at(d->after, g->id, (int)p, TRUE);
			unsigned was = member_at(d->before, g->id, (int)p,
			    TRUE);

			g_string_append(o, "<tr>");
			cell(o, port, now != was, CLOSED_FILL, t, FALSE);
			g_string_append(o, "</tr>");
		}
	}
	g_string_append(o, "</table>>];\n");
}

static void
map_node(Dot *d, const SimSnapMap *m, gboolean ghost)
{
	const SimSnapMap *b = sim_snap_map(d->before, m->id);
	GString *o = d->out;
	g_autoptr(GString) head = g_string_new(NULL);
	g_autoptr(GString) row = g_string_new(NULL);
	gboolean outer = sim_snap_is_outer(m);
	gboolean hi_head = !ghost && (b == NULL || b->frozen != m->frozen);
	guint32 k, next = 0;
	unsigned cols = 0;
	guint i;

	g_string_append_printf(head, "%s %s", outer ? "outer map" : "map",
	    sim_names_map(d->nm, m->id));
	if (ghost)
		g_string_append(head, " (freed)");
	else
		g_string_append_printf(head, "\n%s, value %u%s",
		    sim_map_type_name(m->type), m->value_size,
		    m->frozen ? ", frozen" : "");
	if (ghost) {
		/* the slots it had: each occupant's owner word was cleared */
		for (i = 0; i < m->slots->len; i++) {
			const SimSnapSlot *sl = &g_array_index(m->slots,
			    SimSnapSlot, i);
			g_autofree char *t = g_strdup_printf("%u  held %s",
			    sl->key, outer ? sim_names_map(d->nm, sl->occ) :
			    sim_names_sock(d->nm, sl->occ));

			g_string_append(row, "<tr>");
			cell(row, NULL, TRUE, NULL, t, FALSE);
			g_string_append(row, "</tr>");
		}
		if (m->slots->len == 0) {
			g_string_append(row, "<tr>");
			cell(row, NULL, FALSE, NULL, "all slots were empty",
			    TRUE);
			g_string_append(row, "</tr>");
		}
		cols = 1;
	} else if (m->max_entries <= ALL_SLOTS_MAX) {
		for (k = 0; k < m->max_entries; k++) {
			g_autofree char *port = g_strdup_printf("k%u", k);
			unsigned now = sim_snap_slot(m, k);
			g_autofree char *t = g_strdup_printf(now == 0 ?
			    "%u  empty" : "%u", k);

			g_string_append(row, "<tr>");
			cell_inv(row, port, now != sim_snap_slot(b, k),
			    inv_slot(d, m->id, k), NULL, t, now == 0);
			g_string_append(row, "</tr>");
			cols++;
		}
	} else {
		for (i = 0; i <= m->slots->len; i++) {
			const SimSnapSlot *sl = i < m->slots->len ?
			    &g_array_index(m->slots, SimSnapSlot, i) : NULL;
			guint32 key = sl != NULL ? sl->key : m->max_entries;

			if (key > next) {
				g_string_append(row, "<tr>");
				cell(row, NULL, FALSE, NULL, "...", TRUE);
				g_string_append(row, "</tr>");
				cols++;
			}
			if (sl != NULL) {
				g_autofree char *port = g_strdup_printf("k%u",
				    key);
				g_autofree char *t = g_strdup_printf("%u",
				    key);

				g_string_append(row, "<tr>");
				cell_inv(row, port, sl->occ != sim_snap_slot(b,
				    key), inv_slot(d, m->id, key), NULL, t,
				    FALSE);
				g_string_append(row, "</tr>");
				cols++;
				next = key + 1;
			}
		}
		/* slots emptied by this step still get their cell */
	}
	(void)cols;
	/* the head cell is port t: arrows to the map itself end there */
	g_string_append_printf(o, "  m%u [shape=plain, label=<<table "
	    "border=\"0\" cellborder=\"1\" cellspacing=\"0\" cellpadding=\"3\">"
	    "<tr><td port=\"t\"", m->id);
	if (hi_head)
		g_string_append_printf(o, " bgcolor=\"%s\" color=\"%s\"",
		    HI_FILL, HI_LINE);
	else if (!ghost && d->inv_map == m->id)
		g_string_append_printf(o, " bgcolor=\"%s\" color=\"%s\"",
		    INV_FILL, INV_LINE);
	else
		g_string_append_printf(o, " bgcolor=\"%s\"", ghost ?
		    CLOSED_FILL : outer ? OUTER_FILL : MAP_FILL);
	g_string_append(o, "><b>");
	esc_lines(o, head->str);
	g_string_append_printf(o, "</b></td></tr>%s</table>>];\n", row->str);
}

static void
edge(Dot *d, const char *from, const char *to, gboolean hi,
    const char *attrs)
{
	g_string_append_printf(d->out, "  %s -> %s [%s%s%s];\n", from, to,
	    attrs, *attrs != '\0' ? ", " : "", hi ? "color=\"" HI_LINE "\", "
	    "penwidth=2.5" : "penwidth=1");
}

/* Draw the picture of the state after step i of rec. */
void
sim_render_dot(const SimRecord *rec, guint i, SimNames *nm, GString *out)
{
	const SimStepRec *s = rec->steps->pdata[i];
	g_autofree char *text = sim_stmt_text(s->st, SIM_PRINT_EXPECT);
	g_autoptr(GString) title = g_string_new(NULL);
	const char *top = rec->sc->files->len > 0 ? rec->sc->files->pdata[0] :
	    NULL;
	Dot d = { rec, sim_record_before(rec, i), s->snap, nm, out, NULL, 0,
	    FALSE, 0 };
	guint k, j;

	inv_collect(&d, s);

	if (top != NULL && strcmp(top, s->st->file) == 0) {
		g_string_printf(title, "step %u, line %u: ", i + 1,
		    s->st->line);
	} else {
		g_autofree char *b = g_path_get_basename(s->st->file);

		g_string_printf(title, "step %u, %s:%u: ", i + 1, b,
		    s->st->line);
	}
	g_string_append_printf(title, "%s  ->  %s [%s]", text, s->result,
	    rec->profile);
	if (d.inv_socks != NULL && (d.inv_socks->len > 0 || d.inv_map != 0))
		g_string_append(title, "\npurple: what the check that "
		    "returned the error looked at");
	g_string_append_printf(out, "digraph \"step%u\" {\n", i + 1);
	g_string_append(out, "  graph [rankdir=LR, fontname=\"Helvetica\", "
	    "fontsize=12, nodesep=0.25, ranksep=0.7, labelloc=t, "
	    "labeljust=l, label=\"");
	qesc(out, title->str);
	g_string_append(out, "\\l\"];\n");
	g_string_append(out, "  node [fontname=\"Helvetica\", fontsize=10];\n"
	    "  edge [fontname=\"Helvetica\", fontsize=9, arrowsize=0.7];\n");

	/* maps, then sockets, then groups; freed ones once more */
	for (k = 0; k < d.after->maps->len; k++)
		map_node(&d, &g_array_index(d.after->maps, SimSnapMap, k),
		    FALSE);
	for (k = 0; k < d.before->maps->len; k++) {
		const SimSnapMap *m = &g_array_index(d.before->maps,
		    SimSnapMap, k);

		if (sim_snap_map(d.after, m->id) == NULL)
			map_node(&d, m, TRUE);
	}
	for (k = 0; k < d.after->socks->len; k++) {
		const SimSnapSock *ss = &g_array_index(d.after->socks,
		    SimSnapSock, k);

		if (sock_visible(&d, d.after, ss))
			sock_node(&d, ss, sock_changed(ss, sim_snap_sock(
			    d.before, ss->id)), FALSE);
	}
	for (k = 0; k < d.before->socks->len; k++) {
		const SimSnapSock *ss = &g_array_index(d.before->socks,
		    SimSnapSock, k);

		if (sim_snap_sock(d.after, ss->id) == NULL &&
		    sock_visible(&d, d.before, ss))
			sock_node(&d, ss, FALSE, TRUE);
	}
	for (k = 0; k < d.after->groups->len; k++)
		group_node(&d, &g_array_index(d.after->groups, SimSnapGroup,
		    k), FALSE);
	for (k = 0; k < d.before->groups->len; k++) {
		const SimSnapGroup *g = &g_array_index(d.before->groups,
		    SimSnapGroup, k);

		if (sim_snap_group(d.after, g->id) == NULL)
			group_node(&d, g, TRUE);
	}

	/* slot -> occupant */
	for (k = 0; k < d.after->maps->len; k++) {
		const SimSnapMap *m = &g_array_index(d.after->maps, SimSnapMap,
		    k);
		const SimSnapMap *b = sim_snap_map(d.before, m->id);

		for (j = 0; j < m->slots->len; j++) {
			const SimSnapSlot *sl = &g_array_index(m->slots,
			    SimSnapSlot, j);
			g_autofree char *from = g_strdup_printf("m%u:k%u:e",
			    m->id, sl->key);
			g_autofree char *to = NULL;
			gboolean outer = sim_snap_is_outer(m);

			if (outer && sim_snap_map(d.after, sl->occ) == NULL)
				continue;
			if (!outer && sim_snap_sock(d.after, sl->occ) == NULL)
				continue;
			/* an inner map: at its head, not at a slot row (a
			 * plain node's arrow ends at its centre) */
			to = g_strdup_printf(outer ? "m%u:t:w" : "s%u",
			    sl->occ);
			edge(&d, from, to, sim_snap_slot(b, sl->key) !=
			    sl->occ, outer ? "color=\"#7f6000\"" : "");
		}
	}
	/* socks[pos] -> socket, drawn from the socket so groups sit right */
	for (k = 0; k < d.after->socks->len; k++) {
		const SimSnapSock *ss = &g_array_index(d.after->socks,
		    SimSnapSock, k);
		const SimSnapSock *b = sim_snap_sock(d.before, ss->id);
		g_autofree char *from = NULL, *to = NULL;

		if (ss->group == 0 || ss->pos < 0 ||
		    sim_snap_group(d.after, ss->group) == NULL)
			continue;
		from = g_strdup_printf("s%u", ss->id);
		to = g_strdup_printf("g%u:%c%d:w", ss->group,
		    ss->group_closed ? 'c' : 'p', ss->pos);
		edge(&d, from, to, b == NULL || b->group != ss->group ||
		    b->pos != ss->pos || b->group_closed != ss->group_closed,
		    ss->group_closed ? "dir=back, style=dashed" : "dir=back");
	}
	/* owner word -> slot */
	for (k = 0; k < d.after->socks->len; k++) {
		const SimSnapSock *ss = &g_array_index(d.after->socks,
		    SimSnapSock, k);
		const SimSnapSock *b = sim_snap_sock(d.before, ss->id);
		const SimSnapMap *m;
		g_autofree char *from = NULL, *to = NULL;

		if ((ss->owner != RP_OWNER_SLOT &&
		    ss->owner != RP_OWNER_STALE) ||
		    (m = sim_snap_map(d.after, ss->owner_map)) == NULL)
			continue;
		from = g_strdup_printf("s%u", ss->id);
		if (m->max_entries <= ALL_SLOTS_MAX ||
		    sim_snap_slot(m, ss->owner_idx) != 0)
			to = g_strdup_printf("m%u:k%u:e", m->id, ss->owner_idx);
		else
			to = g_strdup_printf("m%u:t:w", m->id);
		edge(&d, from, to, b == NULL || b->owner != ss->owner ||
		    b->owner_map != ss->owner_map ||
		    b->owner_idx != ss->owner_idx, inv_sock(&d, ss->id) ?
		    "style=dashed, constraint=false, color=\"" INV_LINE "\", "
		    "label=\"owner\", fontcolor=\"" INV_LINE "\"" :
		    ss->owner == RP_OWNER_STALE ?
		    "style=dotted, constraint=false, color=\"" OWNER_LINE "\", "
		    "label=\"stale owner\"" : "style=dashed, constraint=false, "
		    "color=\"" OWNER_LINE "\", label=\"owner\"");
	}
	g_string_append(out, "}\n");
	if (d.inv_socks != NULL)
		g_array_unref(d.inv_socks);
}

/* Is Graphviz's dot on PATH? */
gboolean
sim_have_dot(void)
{
	g_autofree char *p = g_find_program_in_path("dot");

	return p != NULL;
}

/*
 * Render dot with `dot -Tsvg` and return the <svg> element (the XML
 * prolog, doctype and generator comments dropped, so the result can be
 * inlined in HTML and does not vary with the Graphviz version's banner).
 */
char *
sim_render_svg(const char *dot, GError **error)
{
	g_autofree char *tmp = NULL, *out = NULL, *err = NULL;
	const char *start;
	GString *s;
	int fd, status = 0;
	char *argv[] = { (char *)"dot", (char *)"-Tsvg", NULL, NULL };

	fd = g_file_open_tmp("reuseport-sim-XXXXXX.dot", &tmp, error);
	if (fd < 0)
		return NULL;
	close(fd);
	if (!g_file_set_contents(tmp, dot, -1, error)) {
		g_unlink(tmp);
		return NULL;
	}
	argv[2] = tmp;
	if (!g_spawn_sync(NULL, argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL,
	    &out, &err, &status, error)) {
		g_unlink(tmp);
		return NULL;
	}
	g_unlink(tmp);
	if (!g_spawn_check_wait_status(status, NULL) || out == NULL ||
	    (start = strstr(out, "<svg")) == NULL) {
		g_set_error(error, SIM_ERROR, SIM_ERROR_INPUT, "dot -Tsvg "
		    "failed: %s", err != NULL && *err != '\0' ? err :
		    "no output");
		return NULL;
	}
	/* drop comments: "<!-- Generated by graphviz version ... -->" */
	s = g_string_new(NULL);
	while (*start != '\0') {
		const char *c = strstr(start, "<!--"), *e;

		if (c == NULL || (e = strstr(c, "-->")) == NULL) {
			g_string_append(s, start);
			break;
		}
		g_string_append_len(s, start, c - start);
		start = e + 3;
		if (*start == '\n')
			start++;
	}
	return g_string_free(s, FALSE);
}
