/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * report.c - results of run, diff and explore as text, TAP or JSON
 * (report.h).
 */
#include <string.h>

#include "cli/json.h"
#include "cli/report.h"
#include "lang/print.h"

/* Write the lines of text, each after prefix. */
static void
put_lines(FILE *out, const char *prefix, const char *text)
{
	g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
	guint i;

	for (i = 0; lines[i] != NULL; i++) {
		if (lines[i][0] == '\0' && lines[i + 1] == NULL)
			break;		/* the trailing newline */
		fprintf(out, "%s%s\n", prefix, lines[i]);
	}
}

/* The notes of a result (checks the backend skipped), one a line. */
static void
put_notes(FILE *out, const char *prefix, const GPtrArray *notes)
{
	guint i;

	for (i = 0; notes != NULL && i < notes->len; i++)
		fprintf(out, "%s%s\n", prefix, (char *)notes->pdata[i]);
}

/* {"type":"result","file":NAME,"profile":P|null,"result":VERDICT */
static void
json_result(FILE *out, const char *name, const char *profile,
    const char *verdict)
{
	fputs("{\"type\":\"result\",\"file\":", out);
	sim_json_string(out, name);
	fputs(",\"profile\":", out);
	if (profile != NULL)
		sim_json_string(out, profile);
	else
		fputs("null", out);
	fprintf(out, ",\"result\":\"%s\"", verdict);
}

/* A failure as {"error":"FIRST LINE","state":["LINE",...]}: the state
 * lines lose their indentation. */
static void
json_failure(FILE *out, gboolean comma, const char *msg)
{
	const char *nl = strchr(msg, '\n');
	g_autofree char *first = g_strndup(msg, nl != NULL ?
	    (gsize)(nl - msg) : strlen(msg));
	g_auto(GStrv) lines = g_strsplit(nl != NULL ? nl + 1 : "", "\n", -1);
	guint i;

	fputs(comma ? ",{\"error\":" : "{\"error\":", out);
	sim_json_string(out, first);
	fputs(",\"state\":[", out);
	for (i = 0; nl != NULL && lines[i] != NULL; i++) {
		if (i > 0)
			fputc(',', out);
		sim_json_string(out, g_strchug(lines[i]));
	}
	fputs("]}", out);
}

/* ,"notes":[...] when there are any. */
static void
json_notes(FILE *out, const GPtrArray *notes)
{
	guint i;

	if (notes == NULL || notes->len == 0)
		return;
	fputs(",\"notes\":[", out);
	for (i = 0; i < notes->len; i++) {
		if (i > 0)
			fputc(',', out);
		sim_json_string(out, notes->pdata[i]);
	}
	fputc(']', out);
}

/*
 * A scenario that did not run: no selected profile (profile NULL), or
 * the backend could not run it (why, with the notes of the attempt).
 */
void
sim_write_skip(SimWriter *w, const char *name, const char *profile,
    const GPtrArray *notes, const char *why)
{
	FILE *out = w->out;

	w->n++;
	w->skipped++;
	switch (w->format) {
	case SIM_FORMAT_TEXT:
		if (profile == NULL)
			fprintf(out, "SKIP %s (%s)\n", name, why);
		else
			fprintf(out, "SKIP %s [%s] (%s)\n", name, profile, why);
		put_notes(out, "    note: ", notes);
		break;
	case SIM_FORMAT_TAP:
		if (profile == NULL)
			fprintf(out, "ok %u - %s # SKIP %s\n", w->n, name, why);
		else
			fprintf(out, "ok %u - %s [%s] # SKIP %s\n", w->n, name,
			    profile, why);
		put_notes(out, "# note: ", notes);
		break;
	case SIM_FORMAT_JSON:
		json_result(out, name, profile, "skip");
		json_notes(out, notes);
		fputs(",\"reason\":", out);
		sim_json_string(out, why);
		fputs("}\n", out);
		break;
	}
}

/* ---------------------------------------------------------------------
 * run
 */

/* One scenario under one profile, as it ran (rep->skip: it did not). */
void
sim_write_run(SimWriter *w, const char *name, const char *profile,
    const SimReport *rep)
{
	FILE *out = w->out;
	guint i;

	if (rep->skip != NULL) {
		sim_write_skip(w, name, profile, rep->notes, rep->skip);
		return;
	}
	w->n++;
	if (rep->passed)
		w->passed++;
	else
		w->failed++;
	switch (w->format) {
	case SIM_FORMAT_TEXT:
		if (rep->trace != NULL)
			put_lines(out, "", rep->trace->str);
		fprintf(out, "%s %s [%s]\n", rep->passed ? "PASS" : "FAIL",
		    name, profile);
		for (i = 0; i < rep->messages->len; i++)
			put_lines(out, "    ", rep->messages->pdata[i]);
		put_notes(out, "    note: ", rep->notes);
		break;
	case SIM_FORMAT_TAP:
		if (rep->trace != NULL)
			put_lines(out, "# ", rep->trace->str);
		fprintf(out, "%s %u - %s [%s]\n", rep->passed ? "ok" :
		    "not ok", w->n, name, profile);
		for (i = 0; i < rep->messages->len; i++)
			put_lines(out, "# ", rep->messages->pdata[i]);
		put_notes(out, "# note: ", rep->notes);
		break;
	case SIM_FORMAT_JSON:
		json_result(out, name, profile, rep->passed ? "pass" : "fail");
		json_notes(out, rep->notes);
		fputs(",\"failures\":[", out);
		for (i = 0; i < rep->messages->len; i++)
			json_failure(out, i > 0, rep->messages->pdata[i]);
		fputc(']', out);
		if (rep->trace != NULL)
			sim_json_lines(out, "trace", rep->trace->str);
		fputs("}\n", out);
		break;
	}
}

void
sim_write_run_summary(SimWriter *w)
{
	FILE *out = w->out;

	switch (w->format) {
	case SIM_FORMAT_TEXT:
		fprintf(out, "scenarios: %u passed, %u failed, %u skipped\n",
		    w->passed, w->failed, w->skipped);
		break;
	case SIM_FORMAT_TAP:
		fprintf(out, "# scenarios: %u passed, %u failed, %u skipped\n",
		    w->passed, w->failed, w->skipped);
		break;
	case SIM_FORMAT_JSON:
		fprintf(out, "{\"type\":\"summary\",\"passed\":%u,"
		    "\"failed\":%u,\"skipped\":%u}\n", w->passed, w->failed,
		    w->skipped);
		break;
	}
}

/* ---------------------------------------------------------------------
 * diff
 */

static void
diff_text(SimWriter *w, const char *name, const char *profile,
    const SimDiffResult *r, const SimManifest *m, const char *aname,
    const char *bname, gboolean ok)
{
	gboolean tap = w->format == SIM_FORMAT_TAP;
	const char *pre = tap ? "# " : "    ";
	FILE *out = w->out;
	guint i;

	if (tap)
		fprintf(out, "%s %u - %s [%s] (%u steps compared, %u not)\n",
		    ok ? "ok" : "not ok", w->n, name, profile, r->compared,
		    r->uncompared);
	else
		fprintf(out, "%s %s [%s] (%u steps compared, %u not)\n",
		    ok ? "PASS" : "FAIL", name, profile, r->compared,
		    r->uncompared);
	for (i = 0; i < r->divergences->len; i++) {
		const SimDivergence *d = r->divergences->pdata[i];
		g_autofree char *text = sim_stmt_text(d->st, SIM_PRINT_CALL);

		fprintf(out, "%s%s:%u:%u: %s: %s\n", pre, d->st->file,
		    d->st->line, d->st->col, d->entry >= 0 ?
		    "known divergence" : "divergence", text);
		fprintf(out, "%s    %-8s %s\n", pre, aname, d->a);
		fprintf(out, "%s    %-8s %s\n", pre, bname, d->b);
		if (d->entry >= 0) {
			const SimManifestEntry *e = sim_manifest_entry(m,
			    (guint)d->entry);

			fprintf(out, "%s    because  %s (%s:%u)\n", pre,
			    e->reason, sim_manifest_name(m), e->mline);
		}
	}
}

static void
diff_json(SimWriter *w, const char *name, const char *profile,
    const SimDiffResult *r, const SimManifest *m, const char *aname,
    const char *bname, gboolean ok)
{
	FILE *out = w->out;
	guint i;

	json_result(out, name, profile, ok ? "pass" : "fail");
	fprintf(out, ",\"compared\":%u,\"not_compared\":%u,"
	    "\"divergences\":[", r->compared, r->uncompared);
	for (i = 0; i < r->divergences->len; i++) {
		const SimDivergence *d = r->divergences->pdata[i];
		g_autofree char *at = g_strdup_printf("%s:%u:%u", d->st->file,
		    d->st->line, d->st->col);
		g_autofree char *text = sim_stmt_text(d->st, SIM_PRINT_CALL);

		fputs(i > 0 ? ",{\"at\":" : "{\"at\":", out);
		sim_json_string(out, at);
		fputs(",\"step\":", out);
		sim_json_string(out, text);
		fprintf(out, ",\"%s\":", aname);
		sim_json_string(out, d->a);
		fprintf(out, ",\"%s\":", bname);
		sim_json_string(out, d->b);
		fprintf(out, ",\"known\":%s", d->entry >= 0 ? "true" :
		    "false");
		if (d->entry >= 0) {
			fputs(",\"reason\":", out);
			sim_json_string(out, sim_manifest_entry(m,
			    (guint)d->entry)->reason);
		}
		fputc('}', out);
	}
	fputs("]}\n", out);
}

/* One scenario compared under one profile (r->skip: it was not). */
void
sim_write_diff(SimWriter *w, const char *name, const char *profile,
    const SimDiffResult *r, const SimManifest *m, const char *aname,
    const char *bname)
{
	gboolean ok = TRUE;
	guint i;

	if (r->skip != NULL) {
		sim_write_skip(w, name, profile, NULL, r->skip);
		return;
	}
	for (i = 0; i < r->divergences->len; i++)
		if (((const SimDivergence *)
		    r->divergences->pdata[i])->entry < 0)
			ok = FALSE;
	w->n++;
	if (ok)
		w->passed++;
	else
		w->failed++;
	if (w->format == SIM_FORMAT_JSON)
		diff_json(w, name, profile, r, m, aname, bname, ok);
	else
		diff_text(w, name, profile, r, m, aname, bname, ok);
}

/* A manifest entry no divergence used. */
void
sim_write_diff_unused(SimWriter *w, const char *msg)
{
	switch (w->format) {
	case SIM_FORMAT_TEXT:
		fprintf(w->out, "FAIL %s\n", msg);
		break;
	case SIM_FORMAT_TAP:
		fprintf(w->out, "not ok %u - %s\n", ++w->n, msg);
		break;
	case SIM_FORMAT_JSON:
		fputs("{\"type\":\"unused\",\"error\":", w->out);
		sim_json_string(w->out, msg);
		fputs("}\n", w->out);
		break;
	}
}

void
sim_write_diff_summary(SimWriter *w, const SimDiffCounts *c)
{
	switch (w->format) {
	case SIM_FORMAT_TEXT:
		fprintf(w->out, "diff: %u passed, %u failed, %u skipped; "
		    "%u steps compared, %u not; divergences: %u known, %u "
		    "unexplained; %u unused manifest entries\n", w->passed,
		    w->failed, w->skipped, c->compared, c->uncompared,
		    c->known, c->unexplained, c->unused);
		break;
	case SIM_FORMAT_TAP:
		fprintf(w->out, "1..%u\n# diff: %u passed, %u failed, %u "
		    "skipped; %u steps compared, %u not; divergences: %u "
		    "known, %u unexplained; %u unused manifest entries\n", w->n,
		    w->passed, w->failed, w->skipped, c->compared,
		    c->uncompared, c->known, c->unexplained, c->unused);
		break;
	case SIM_FORMAT_JSON:
		fprintf(w->out, "{\"type\":\"summary\",\"passed\":%u,"
		    "\"failed\":%u,\"skipped\":%u,\"compared\":%u,"
		    "\"not_compared\":%u,\"known\":%u,\"unexplained\":%u,"
		    "\"unused\":%u}\n", w->passed, w->failed, w->skipped,
		    c->compared, c->uncompared, c->known, c->unexplained,
		    c->unused);
		break;
	}
}

/* ---------------------------------------------------------------------
 * explore
 */

/* One scenario explored under one profile. */
void
sim_write_explore(SimWriter *w, const SimExploreOptions *o, const char *name,
    const char *profile, const SimExploreStats *s)
{
	FILE *out = w->out;
	const char *verdict = s->failed ? "fail" : s->complete ? "pass" :
	    "incomplete";
	const char *engine = o->engine == SIM_ENGINE_DPOR ? "dpor" : "replay";
	char bound[32];

	w->n++;
	if (o->preemptions == SIM_EXPLORE_UNBOUNDED)
		g_strlcpy(bound, "unbounded", sizeof(bound));
	else
		g_snprintf(bound, sizeof(bound), "%u", o->preemptions);
	if (w->format == SIM_FORMAT_JSON) {
		fputs("{\"scenario\":", out);
		sim_json_string(out, name);
		fputs(",\"profile\":", out);
		sim_json_string(out, profile);
		if (s->failed) {
			fputs(",\"failure\":", out);
			sim_json_string(out, s->failure);
			fputs(",\"counterexample\":", out);
			sim_json_string(out, s->counterexample);
		}
		fprintf(out, ",\"result\":\"%s\",\"schedules\":%"
		    G_GUINT64_FORMAT ",\"pruned\":%" G_GUINT64_FORMAT
		    ",\"states\":%" G_GUINT64_FORMAT ",\"end_states\":%u,"
		    "\"max_depth\":%u,\"preemptions\":\"%s\","
		    "\"reduction\":%s,\"seconds\":%.3f,\"engine\":\"%s\","
		    "\"distinct_states\":%" G_GUINT64_FORMAT ",\"replayed\":%"
		    G_GUINT64_FORMAT ",\"restores\":%" G_GUINT64_FORMAT "}\n",
		    verdict, s->schedules, s->pruned, s->states, s->end_states,
		    s->max_depth, bound, o->no_reduction ? "false" : "true",
		    s->seconds, engine, s->distinct, s->replayed, s->restores);
		return;
	}
	fprintf(out, "%s %s [%s]: %" G_GUINT64_FORMAT " schedules, %u "
	    "end states, %" G_GUINT64_FORMAT " pruned, %" G_GUINT64_FORMAT
	    " steps", s->failed ? "FAIL" : s->complete ? "PASS" : "INCOMPLETE",
	    name, profile, s->schedules, s->end_states, s->pruned, s->states);
	if (o->engine == SIM_ENGINE_DPOR)
		fprintf(out, ", %" G_GUINT64_FORMAT " states", s->distinct);
	fprintf(out, ", preemptions %s%s%s, %.3f s\n", bound,
	    o->no_reduction ? ", no reduction" : "", o->engine ==
	    SIM_ENGINE_REPLAY ? ", replay engine" : "", s->seconds);
}
