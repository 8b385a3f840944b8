/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * explain-prog.c - the programs of a step, told by explain: for each run
 * the instructions taken (index and text, long straight runs and repeated
 * loops shortened), every helper call with r1-r5 and its result in r0,
 * the map slots it read or wrote, the verdict and the member that got the
 * packet, all in the scenario's names.  The recorder (record.c) collects
 * them from the model's program observer; the instruction text is
 * core/bpfdis.c's (eBPF) and core/cbpfasm.c's (classic).
 */
#include <string.h>

#include "core/bpfdis.h"
#include "core/cbpfasm.h"
#include "lang/words.h"
#include "tools/explain.h"

/* A straight run longer than this shows its head, its tail and its
 * helper calls only. */
#define SPAN_SHOW	16
#define SPAN_HEAD	6
#define SPAN_TAIL	4
/* Loops: a block of up to LOOP_MAX_PERIOD straight runs that repeats at
 * least LOOP_MIN times is shown once. */
#define LOOP_MAX_PERIOD	8
#define LOOP_MIN	3
/* Rows of the HTML page's instruction stepping, per run. */
#define ROWS_MAX	2000

/* "fp-8", "ctx", "map p.socks", "7": a register in scenario words. */
static void
reg_words(GString *o, const struct rp_bpf_reg *r, SimNames *nm)
{
	gint64 v = (gint64)r->val;

	switch (r->kind) {
	case RP_BPF_REG_NONE:
		g_string_append_c(o, '?');
		break;
	case RP_BPF_REG_SCALAR:
		if (v >= -4096 && v <= 65535)
			g_string_append_printf(o, "%" G_GINT64_FORMAT, v);
		else
			g_string_append_printf(o, "%#" G_GINT64_MODIFIER "x",
			    r->val);
		break;
	case RP_BPF_REG_CTX:
		g_string_append(o, "ctx");
		if (v != 0)
			g_string_append_printf(o, "%+" G_GINT64_FORMAT, v);
		break;
	case RP_BPF_REG_STACK:
		g_string_append(o, "fp");
		if (r->obj != 0)
			g_string_append_printf(o, "%u", r->obj);
		g_string_append_printf(o, "%+" G_GINT64_FORMAT, v);
		break;
	case RP_BPF_REG_MAP_VALUE:
		g_string_append_printf(o, "value of %s%+" G_GINT64_FORMAT,
		    sim_names_map(nm, r->obj), v);
		break;
	case RP_BPF_REG_PKT:
		g_string_append_printf(o, "pkt%+" G_GINT64_FORMAT, v);
		break;
	case RP_BPF_REG_PKT_END:
		g_string_append(o, "pkt_end");
		break;
	case RP_BPF_REG_MAP:
		g_string_append_printf(o, "map %s", sim_names_map(nm, r->obj));
		break;
	case RP_BPF_REG_SOCK:
		g_string_append_printf(o, "socket %s", sim_names_sock(nm,
		    r->obj));
		break;
	}
}

/* A key or value: a number when it is 1, 2, 4 or 8 bytes (little
 * endian), else its bytes in hex (the first 32). */
static void
bytes_words(GString *o, GBytes *b)
{
	gsize n;
	const guint8 *p = g_bytes_get_data(b, &n);
	guint64 v = 0;

	if (n == 1 || n == 2 || n == 4 || n == 8) {
		for (gsize i = n; i-- > 0;)
			v = v << 8 | p[i];
		g_string_append_printf(o, "%" G_GUINT64_FORMAT, v);
		return;
	}
	for (gsize i = 0; i < MIN(n, 32u); i++)
		g_string_append_printf(o, "%s%02x", i > 0 ? " " : "", p[i]);
	if (n > 32)
		g_string_append_printf(o, " ... (%" G_GSIZE_FORMAT " bytes)", n);
}

/* "read p.socks[1] = socket b" */
static void
access_words(GString *o, const SimBpfAccess *a, SimNames *nm)
{
	g_autofree char *err = sim_err_string(a->err);

	g_string_append_printf(o, "%s %s[", a->write ? "wrote" : "read",
	    sim_names_map(nm, a->map));
	bytes_words(o, a->key);
	g_string_append_c(o, ']');
	if (a->write) {
		g_string_append_printf(o, ": %s", a->err == 0 ? "done" : err);
		return;
	}
	if (a->sock != 0)
		g_string_append_printf(o, " = socket %s", sim_names_sock(nm,
		    a->sock));
	else if (a->inner != 0)
		g_string_append_printf(o, " = map %s", sim_names_map(nm,
		    a->inner));
	else if (a->value != NULL) {
		g_string_append(o, " = ");
		bytes_words(o, a->value);
	} else if (a->err != 0)
		g_string_append_printf(o, ": %s", err);
	else
		g_string_append(o, ": empty");
}

/* "r1=ctx r2=map p.socks r3=fp-8 r4=0 r5=? -> r0=0", then the map slots
 * the call read, each on its own line with prefix. */
static void
call_words(GString *o, const SimBpfCall *c, SimNames *nm, const char *prefix)
{
	for (guint i = 1; i <= 5; i++) {
		g_string_append_printf(o, "%sr%u=", i > 1 ? " " : "", i);
		reg_words(o, &c->args[i], nm);
	}
	g_string_append(o, " -> ");
	if (c->returned) {
		g_string_append(o, "r0=");
		reg_words(o, &c->r0, nm);
		if (c->r0.kind == RP_BPF_REG_SCALAR &&
		    (gint64)c->r0.val < 0 && (gint64)c->r0.val >= -4095) {
			g_autofree char *e = sim_err_string((int)(gint64)
			    c->r0.val);

			g_string_append_printf(o, " (%s)", e);
		}
	} else {
		g_string_append(o, "no return: the program faulted");
	}
	for (guint i = 0; i < c->access->len; i++) {
		g_string_append_printf(o, "\n%s", prefix);
		access_words(o, c->access->pdata[i], nm);
	}
	if (c->printed != NULL)
		g_string_append_printf(o, "\n%sprinted: %s", prefix, c->printed);
}

/* ---------------------------------------------------------------------
 * The path
 */

typedef struct {
	const SimBpfRun	*run;
	SimNames	*nm;
	GString		*out;
	guint		 call;		/* the next call record to show */
} Walk;

static const struct rp_insn *
ebpf_insns(const SimBpfRun *r)
{
	return r->insns != NULL && !r->classic ? g_bytes_get_data(r->insns,
	    NULL) : NULL;
}

/* Is pc a helper call (its record is the next call)? */
static gboolean
is_helper_call(const SimBpfRun *r, guint32 pc)
{
	const struct rp_insn *in = ebpf_insns(r);

	return in != NULL && pc < r->len && in[pc].code == 0x85 &&
	    in[pc].src_reg == 0;
}

/* Instruction pc as text. */
static void
insn_text(const SimBpfRun *r, guint32 pc, SimNames *nm, GString *o)
{
	if (r->insns == NULL || pc >= r->len) {
		g_string_append(o, "(past the end)");
		return;
	}
	if (r->classic) {
		const struct rp_sock_filter *f = g_bytes_get_data(r->insns,
		    NULL);

		sim_cbpf_disasm(&f[pc], pc, o);
		return;
	}
	sim_bpf_disasm(ebpf_insns(r), r->len, pc, r->maps != NULL &&
	    r->maps[pc] != 0 ? sim_names_map(nm, r->maps[pc]) : NULL, o);
}

/* The instructions of a span, in order (the upper halves of LD_IMM64
 * skipped), into pcs. */
static void
span_pcs(const SimBpfRun *r, const SimBpfSpan *sp, GArray *pcs)
{
	const struct rp_insn *in = ebpf_insns(r);

	g_array_set_size(pcs, 0);
	for (guint32 pc = sp->from; pc <= sp->to; pc++) {
		g_array_append_val(pcs, pc);
		if (in != NULL && pc < r->len && in[pc].code == 0x18)
			pc++;
	}
}

static void
line(Walk *w, guint32 pc)
{
	g_string_append_printf(w->out, "      %5u: ", pc);
	insn_text(w->run, pc, w->nm, w->out);
	g_string_append_c(w->out, '\n');
	if (is_helper_call(w->run, pc) && w->call < w->run->calls->len) {
		const SimBpfCall *c = w->run->calls->pdata[w->call];

		if (c->pc == pc) {
			g_string_append(w->out, "             ");
			call_words(w->out, c, w->nm, "             ");
			g_string_append_c(w->out, '\n');
			w->call++;
		}
	}
}

/* Is the instruction at i of pcs one a shortened run shows: a helper
 * call, or the one after it (which usually tests its result)? */
static gboolean
keep(const SimBpfRun *r, const GArray *pcs, guint i)
{
	return is_helper_call(r, g_array_index(pcs, guint32, i)) || (i > 0 &&
	    is_helper_call(r, g_array_index(pcs, guint32, i - 1)));
}

/* One straight run: all of it, or its head, tail, helper calls and what
 * follows each (a gap of fewer than three instructions is shown all the
 * same). */
static void
span_lines(Walk *w, const SimBpfSpan *sp, GArray *pcs)
{
	guint n, i, j;

	span_pcs(w->run, sp, pcs);
	n = pcs->len;
	for (i = 0; i < n;) {
		/* the gap of hidden instructions from i, if any */
		for (j = i; n > SPAN_SHOW && j >= SPAN_HEAD && j < n -
		    SPAN_TAIL && !keep(w->run, pcs, j); j++)
			;
		if (j - i >= 3) {
			g_string_append_printf(w->out, "             ... %u "
			    "more instructions\n", j - i);
			i = j;
			continue;
		}
		line(w, g_array_index(pcs, guint32, i));
		i++;
	}
}

/* How many times the block of period spans at i repeats from i. */
static guint
repeats(const GArray *path, guint i, guint period)
{
	guint r = 1;

	while (i + (r + 1) * period <= path->len) {
		for (guint k = 0; k < period; k++) {
			const SimBpfSpan *a = &g_array_index(path, SimBpfSpan,
			    i + k), *b = &g_array_index(path, SimBpfSpan, i +
			    r * period + k);

			if (a->from != b->from || a->to != b->to)
				return r;
		}
		r++;
	}
	return r;
}

static void
path_lines(Walk *w)
{
	const GArray *path = w->run->path;
	g_autoptr(GArray) pcs = g_array_new(FALSE, FALSE, sizeof(guint32));
	guint i = 0;

	while (i < path->len) {
		guint period = 0, reps = 0;

		for (guint p = 1; p <= LOOP_MAX_PERIOD && i + p <= path->len;
		    p++) {
			guint r = repeats(path, i, p);

			if (r >= LOOP_MIN) {
				period = p;
				reps = r;
				break;
			}
		}
		if (period == 0) {
			span_lines(w, &g_array_index(path, SimBpfSpan, i), pcs);
			i++;
			continue;
		}
		/* a loop: the first time round in full, then the count */
		{
			guint insns = 0, calls = 0;
			guint32 lo = G_MAXUINT32, hi = 0;

			for (guint k = 0; k < period; k++) {
				const SimBpfSpan *sp = &g_array_index(path,
				    SimBpfSpan, i + k);

				span_lines(w, sp, pcs);
				span_pcs(w->run, sp, pcs);
				insns += pcs->len;
				for (guint j = 0; j < pcs->len; j++)
					calls += is_helper_call(w->run,
					    g_array_index(pcs, guint32, j));
				lo = MIN(lo, sp->from);
				hi = MAX(hi, sp->to);
			}
			g_string_append_printf(w->out, "             ... "
			    "instructions %u-%u again, %u more times (%u "
			    "instructions", lo, hi, reps - 1, insns *
			    (reps - 1));
			if (calls > 0)
				g_string_append_printf(w->out, ", %u helper "
				    "calls not shown", calls * (reps - 1));
			g_string_append(w->out, ")\n");
			w->call += calls * (reps - 1);
			i += period * reps;
		}
	}
	if (w->run->path_cut)
		g_string_append_printf(w->out, "             ... (the path "
		    "shown stops after %u straight runs)\n", SIM_BPF_MAX_SPANS);
}

/* ---------------------------------------------------------------------
 * Verdicts
 */

static const char *
prog_type_name(guint32 t)
{
	return t == RP_PROG_SK_REUSEPORT ? "SK_REUSEPORT" :
	    t == RP_PROG_SOCKET_FILTER ? "SOCKET_FILTER" : "?";
}

/* "socket chosen: b (the program's selection)" */
static void
chosen_words(const SimBpfRun *r, SimNames *nm, GString *o)
{
	const char *how = r->how != NULL ? r->how : "";

	if (!r->chosen) {
		g_string_append(o, "    socket chosen: not a packet's "
		    "selection (a migration or a test run)\n");
		return;
	}
	if (strcmp(how, "drop") == 0) {
		g_string_append(o, "    socket chosen: none, the packet is "
		    "dropped\n");
		return;
	}
	g_string_append_printf(o, "    socket chosen: %s", r->sock != 0 ?
	    sim_names_sock(nm, r->sock) : "none");
	if (strcmp(how, "prog") == 0)
		g_string_append(o, " (the program's selection)\n");
	else if (strcmp(how, "cbpf") == 0 && r->policy)
		g_string_append(o, " (the index the program returned)\n");
	else if (strcmp(how, "cbpf") == 0)
		g_string_append_printf(o, " (socks[%" G_GUINT64_FORMAT "])\n",
		    r->ret);
	else if (r->fault != NULL)
		g_string_append(o, " (by the hash: a program that faults "
		    "leaves the packet to it)\n");
	else if (r->classic || r->prog_type == RP_PROG_SOCKET_FILTER)
		g_string_append(o, " (by the hash: the index is not below "
		    "the number of members)\n");
	else
		g_string_append(o, " (by the hash: the program selected "
		    "none)\n");
}

static void
verdict_words(const SimBpfRun *r, SimNames *nm, GString *o)
{
	if (r->fault != NULL) {
		g_string_append_printf(o, "    FAULT (%s): %s\n",
		    r->fault_rule != NULL ? r->fault_rule : "?", r->fault);
	} else if (r->policy) {
		if (r->verdict < 0)
			g_string_append(o, "    returned: an index into "
			    "socks[]\n");
		else
			g_string_append_printf(o, "    verdict: %s\n",
			    r->verdict == RP_SK_PASS ? "SK_PASS" : "SK_DROP");
	} else if (r->classic || r->prog_type == RP_PROG_SOCKET_FILTER) {
		g_string_append_printf(o, "    returned: %" G_GUINT64_FORMAT
		    " (an index into socks[]", r->ret);
		if (r->classic)
			g_string_append_printf(o, "; A = %u, X = %u", r->a,
			    r->x);
		if (r->ends != NULL)
			g_string_append_printf(o, "; %s", r->ends);
		g_string_append(o, ")\n");
	} else {
		g_string_append_printf(o, "    verdict: %s (r0 = %"
		    G_GUINT64_FORMAT ")\n", (guint32)r->ret == RP_SK_PASS ?
		    "SK_PASS" : (guint32)r->ret == RP_SK_DROP ? "SK_DROP" :
		    "not SK_PASS, so a drop", r->ret);
		g_string_append_printf(o, "    selected by the program: %s\n",
		    r->selected != 0 ? sim_names_sock(nm, r->selected) :
		    "none (no bpf_sk_select_reuseport() succeeded)");
	}
	chosen_words(r, nm, o);
}

/*
 * The programs that ran in step s, after "  program ": each run's kind,
 * path, calls, verdict and the member chosen.  Nothing when none ran.
 */
void
sim_explain_progs(const SimStepRec *s, SimNames *nm, GString *out)
{
	for (guint i = 0; s->progs != NULL && i < s->progs->len; i++) {
		const SimBpfRun *r = s->progs->pdata[i];
		Walk w = { r, nm, out, 0 };

		if (r->more) {
			g_string_append_printf(out, "  and %u more program "
			    "runs in this step (not shown)\n", r->nmore);
			continue;
		}
		g_string_append_printf(out, "  program %s ran: ",
		    sim_names_prog(nm, r->prog));
		if (r->policy) {
			g_string_append(out, "a policy (the model decides "
			    "without instructions)\n");
		} else {
			g_string_append_printf(out, "%s, %u instructions, "
			    "not verified (the model runs what it is given)\n",
			    r->classic ? "classic BPF" : prog_type_name(
			    r->prog_type), r->len);
			g_string_append_printf(out, "    path, %" G_GUINT64_FORMAT
			    " instructions executed:\n", r->executed);
			path_lines(&w);
		}
		verdict_words(r, nm, out);
	}
}

/* ---------------------------------------------------------------------
 * Rows for the HTML page: every instruction executed, in order
 */

static void
row_free(gpointer p)
{
	SimProgRow *r = p;

	g_free(r->text);
	g_free(r->detail);
	g_free(r);
}

static void
row_add(GPtrArray *rows, guint run, guint32 pc, char *text, char *detail)
{
	SimProgRow *r = g_new0(SimProgRow, 1);

	r->run = run;
	r->pc = pc;
	r->text = text;
	r->detail = detail;
	g_ptr_array_add(rows, r);
}

/* The instructions the programs of step s executed, one row each (at
 * most ROWS_MAX a run, then one row saying how many more), with a helper
 * call's registers and result as its detail.  An empty array when no
 * program ran. */
GPtrArray *
sim_explain_prog_rows(const SimStepRec *s, SimNames *nm)
{
	GPtrArray *rows = g_ptr_array_new_with_free_func(row_free);
	g_autoptr(GArray) pcs = g_array_new(FALSE, FALSE, sizeof(guint32));

	for (guint i = 0; s->progs != NULL && i < s->progs->len; i++) {
		const SimBpfRun *r = s->progs->pdata[i];
		guint call = 0, n = 0;
		guint64 left;

		if (r->more || r->policy)
			continue;
		for (guint k = 0; k < r->path->len && n < ROWS_MAX; k++) {
			span_pcs(r, &g_array_index(r->path, SimBpfSpan, k),
			    pcs);
			for (guint j = 0; j < pcs->len && n < ROWS_MAX; j++) {
				guint32 pc = g_array_index(pcs, guint32, j);
				GString *t = g_string_new(NULL);
				char *detail = NULL;

				insn_text(r, pc, nm, t);
				if (is_helper_call(r, pc) && call <
				    r->calls->len && ((const SimBpfCall *)
				    r->calls->pdata[call])->pc == pc) {
					GString *d = g_string_new(NULL);

					call_words(d, r->calls->pdata[call], nm,
					    "");
					detail = g_string_free(d, FALSE);
					call++;
				}
				row_add(rows, i + 1, pc, g_string_free(t,
				    FALSE), detail);
				n++;
			}
		}
		left = r->executed > n ? r->executed - n : 0;
		if (left > 0)
			row_add(rows, i + 1, G_MAXUINT32, g_strdup_printf(
			    "... %" G_GUINT64_FORMAT " more instructions",
			    left), NULL);
	}
	return rows;
}
