/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * outcome.c - what one schedule of a scenario's threads comes to, in
 * words both explorer engines share (outcome.h): the end state as a
 * canonical string, and a failing schedule as a replayable scenario.
 */
#include <string.h>

#include "core/plant.h"
#include "lang/print.h"
#include "lang/words.h"
#include "tools/outcome.h"

/*
 * The end state, as a canonical string: every thread's results, then
 * every named socket (state, group position, owner word) and map (slots),
 * in definition order.  Cookie values and group ids are left out: no
 * scenario may depend on their order (I11), and they follow it.
 */
char *
sim_end_digest(SimSched *sc, SimExec *x)
{
	GString *s = g_string_new(NULL);
	SimNames *nm = sim_exec_names(x);
	const GPtrArray *order = sim_names_order(nm);
	struct rp_state *st = sim_sched_model(sc);
	guint nw = sim_sched_threads(sc);

	for (guint i = 0; i < nw; i++) {
		const GPtrArray *res = sim_sched_thread_results(sc, i);

		g_string_append_printf(s, "%s:", sim_sched_thread_name(sc, i));
		for (guint j = 0; j < res->len; j++)
			g_string_append_printf(s, " %s",
			    (const char *)res->pdata[j]);
		g_string_append_c(s, '\n');
	}
	for (guint i = 0; i < order->len; i++) {
		const SimObj *o = order->pdata[i];
		struct rp_sock_info si;
		struct rp_map_info mi;

		if (!o->bound)
			continue;
		if (o->kind == SIM_OBJ_SOCK &&
		    rp_sock_info(st, o->id, &si) == 0) {
			g_string_append_printf(s, "%s: %s%s%s pos %d%s",
			    o->name, sim_state_name(si.state),
			    si.closed ? " closed" : "",
			    si.hashed ? " hashed" : "", si.group_pos,
			    si.group_closed ? " (closed section)" : "");
			if (si.owner == RP_OWNER_SLOT)
				g_string_append_printf(s, " in %s:%u",
				    sim_names_of(nm, SIM_OBJ_MAP, si.owner_map),
				    si.owner_idx);
			else if (si.owner != RP_OWNER_NONE)
				g_string_append_printf(s, " owner %d",
				    (int)si.owner);
			g_string_append_printf(s, "%s\n", si.cookie != 0 ?
			    " cookie" : "");
		} else if (o->kind == SIM_OBJ_SOCK) {
			g_string_append_printf(s, "%s: freed\n", o->name);
		} else if (o->kind == SIM_OBJ_MAP &&
		    rp_map_info(st, o->id, &mi) == 0) {
			guint32 n = MIN(mi.max_entries, 256u);

			g_string_append_printf(s, "%s: refs %u used %u%s:",
			    o->name, mi.refs, mi.used, mi.frozen ?
			    " frozen" : "");
			for (guint32 k = 0; k < n; k++) {
				unsigned occ = rp_map_slot(st, o->id, k);

				if (occ != 0)
					g_string_append_printf(s, " %u=%u", k,
					    occ);
			}
			g_string_append_c(s, '\n');
		} else if (o->kind == SIM_OBJ_MAP) {
			g_string_append_printf(s, "%s: freed\n", o->name);
		}
	}
	return g_string_free(s, FALSE);
}

/* "schedule T1 T2 T1 ...": the thread of every step of the last run. */
static void
schedule_line(SimSched *s, GString *out)
{
	g_string_append(out, "schedule");
	for (guint j = 0; j < sim_sched_steps(s); j++)
		for (guint n = sim_sched_step_decisions(s, j); n > 0; n--)
			g_string_append_printf(out, " %s",
			    sim_sched_thread_name(s,
			    sim_sched_step_thread(s, j)));
	g_string_append_c(out, '\n');
}

/*
 * The run s failed with why: append to out a complete scenario that
 * replays it (sc's statements, a `schedule` statement naming the thread
 * of every step), headed by what broke and the threads flattened in the
 * failing order as comments.
 */
void
sim_counterexample(const SimScenario *sc, const char *profile,
    unsigned plant, SimSched *s, const char *why, GString *out)
{
	gboolean in_thread = FALSE;

	g_string_append_printf(out, "# counterexample: %s under profile %s, "
	    "found by reuseport-sim explore\n", sc->path, profile);
	g_string_append(out, "# Broken: ");
	for (const char *p = why; *p != '\0'; p++) {
		g_string_append_c(out, *p);
		if (*p == '\n')
			g_string_append(out, "#   ");
	}
	g_string_append(out, "\n# The threads, flattened in the failing "
	    "order (a step runs from one decision point to the next):\n");
	g_string_append(out, sim_sched_flat(s));
	g_string_append_printf(out, "profile %s\n", profile);
	if (plant != 0) {
		g_autofree char *bugs = sim_plant_describe(plant);

		g_string_append_printf(out, "plant %s\n", bugs);
	}
	/* the tree, as written: loops stay loops */
	for (guint i = 0; i < sc->body->len; i++) {
		const SimStmt *st = sc->body->pdata[i];

		if (strcmp(st->verb, "schedule") == 0)
			continue;
		if (st->thread == NULL && in_thread) {
			g_string_append(out, "end\n");
			in_thread = FALSE;
			schedule_line(s, out);
		}
		if (st->thread != NULL && (!in_thread || i == 0 ||
		    g_strcmp0(((const SimStmt *)
		    sc->body->pdata[i - 1])->thread, st->thread) != 0)) {
			if (in_thread)
				g_string_append(out, "end\n");
			g_string_append_printf(out, "thread %s\n", st->thread);
			in_thread = TRUE;
		}
		sim_tree_print(st, in_thread ? 1 : 0, profile, out);
	}
	if (in_thread) {
		g_string_append(out, "end\n");
		schedule_line(s, out);
	}
}
