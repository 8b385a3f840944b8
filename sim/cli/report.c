/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * report.c - results of run, diff and explore as text, TAP or JSON
 * (report.h).
 *
 * TAP is version 13: "TAP version 13" first, one test point per
 * scenario and profile, the plan before them (run) or after them (diff),
 * diagnostics as "# " lines.  Bad input is "1..0" and "Bail out!" with
 * the first error's file:line:col.
 *
 * JSON is one object a line, each with "type" and "command": "result"
 * per scenario and profile, "error" per input error, "unused" per unused
 * manifest entry, and always a final "summary" (docs/output-formats.md
 * has the schema, tests/json-schema.sh checks every command against it).
 */
#include <string.h>

#include "cli/json.h"
#include "cli/report.h"
#include "lang/print.h"

void
sim_writer_init(SimWriter *w, SimFormat format, FILE *out, FILE *err,
    const char *command)
{
	memset(w, 0, sizeof(*w));
	w->format = format;
	w->out = out;
	w->err = err;
	w->command = command;
}

/* Before the first result: TAP's version line, and its plan when plan
 * is not 0 (G_MAXUINT: the plan comes at the end). */
void
sim_write_begin(SimWriter *w, guint plan)
{
	if (w->format != SIM_FORMAT_TAP)
		return;
	fputs("TAP version 13\n", w->out);
	if (plan != G_MAXUINT)
		fprintf(w->out, "1..%u\n", plan);
}

/* {"type":"summary",...,"status":S}, open for more members. */
static JsonBuilder *
json_summary(const SimWriter *w, guint errors, int status)
{
	JsonBuilder *b = sim_json_begin("summary", w->command);

	sim_json_uint(b, "passed", w->passed);
	sim_json_uint(b, "failed", w->failed);
	sim_json_uint(b, "skipped", w->skipped);
	sim_json_uint(b, "errors", errors);
	sim_json_uint(b, "status", (guint)status);
	return b;
}

/*
 * The input was bad, nothing ran: the errors (SimDiag) on w->err, and on
 * stdout as TAP (the version, "1..0", each error as a diagnostic, then
 * "Bail out!" with the first) or JSON ("error" records and the summary).
 * Returns SIM_EXIT_USAGE.
 */
int
sim_write_input_errors(SimWriter *w, const GPtrArray *diags)
{
	g_autofree char *first = NULL;

	for (guint i = 0; i < diags->len; i++) {
		g_autofree char *t = sim_diag_text(diags->pdata[i]);

		fprintf(w->err, "reuseport-sim: %s\n", t);
	}
	switch (w->format) {
	case SIM_FORMAT_TEXT:
		break;
	case SIM_FORMAT_TAP:
		sim_write_begin(w, 0);
		for (guint i = 0; i < diags->len; i++) {
			g_autofree char *t = sim_diag_text(diags->pdata[i]);
			g_auto(GStrv) lines = g_strsplit(t, "\n", -1);

			for (guint k = 0; lines[k] != NULL; k++)
				fprintf(w->out, "# %s\n", lines[k]);
			if (first == NULL)
				first = g_strdup(lines[0]);
		}
		fprintf(w->out, "Bail out! %s%s\n", first != NULL ? first :
		    "bad input", diags->len > 1 ? " (and more, above)" : "");
		break;
	case SIM_FORMAT_JSON:
		for (guint i = 0; i < diags->len; i++) {
			JsonBuilder *b = sim_json_begin("error", w->command);

			sim_json_place(b, diags->pdata[i]);
			sim_json_end(b, w->out);
		}
		sim_json_end(json_summary(w, diags->len, 2), w->out);
		break;
	}
	fflush(w->out);
	return 2;
}

/* Write the lines of text, each after prefix (a trailing newline ends the
 * last line, it does not make an empty one). */
void
sim_put_lines(FILE *out, const char *prefix, const char *text)
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

/* {"type":"result","command":C,"file":NAME,"profile":P|null,
 * "result":VERDICT, ...}: open for more members. */
static JsonBuilder *
json_result(const SimWriter *w, const char *name, const char *profile,
    const char *verdict)
{
	JsonBuilder *b = sim_json_begin("result", w->command);

	sim_json_str(b, "file", name);
	sim_json_str(b, "profile", profile);
	sim_json_str(b, "result", verdict);
	return b;
}

/* "failures": each message as {file, line, column, message, state}: the
 * first line is the place and what went wrong, the rest the state
 * involved (indentation dropped). */
static void
json_failures(JsonBuilder *b, const GPtrArray *messages)
{
	json_builder_set_member_name(b, "failures");
	json_builder_begin_array(b);
	for (guint i = 0; messages != NULL && i < messages->len; i++) {
		g_autoptr(GPtrArray) d = sim_diags_new();
		const char *msg = messages->pdata[i];
		const char *nl = strchr(msg, '\n');
		g_autofree char *head = g_strndup(msg, nl != NULL ?
		    (gsize)(nl - msg) : strlen(msg));
		g_auto(GStrv) state = g_strsplit(nl != NULL ? nl + 1 : "",
		    "\n", -1);

		sim_diags_add_text(d, head);
		json_builder_begin_object(b);
		sim_json_place(b, d->pdata[0]);
		json_builder_set_member_name(b, "state");
		json_builder_begin_array(b);
		for (guint k = 0; nl != NULL && state[k] != NULL; k++)
			if (state[k][0] != '\0')
				json_builder_add_string_value(b,
				    g_strchug(state[k]));
		json_builder_end_array(b);
		json_builder_end_object(b);
	}
	json_builder_end_array(b);
}

/*
 * The kernel a report is about: its exact release, the profile it runs
 * under and what calibration said (note, or NULL).  Text "kernel
 * RELEASE: profile P (NOTE)", TAP the same as a comment, JSON
 * {"type":"kernel","release":R,"profile":P,"note":N}.
 */
void
sim_write_kernel(SimWriter *w, const char *release, const char *profile,
    const char *note)
{
	FILE *out = w->out;
	JsonBuilder *b;

	switch (w->format) {
	case SIM_FORMAT_TEXT:
	case SIM_FORMAT_TAP:
		fprintf(out, "%skernel %s: profile %s%s%s%s\n", w->format ==
		    SIM_FORMAT_TAP ? "# " : "", release, profile, note !=
		    NULL ? " (" : "", note != NULL ? note : "", note != NULL ?
		    ")" : "");
		break;
	case SIM_FORMAT_JSON:
		b = sim_json_begin("kernel", w->command);
		sim_json_str(b, "release", release);
		sim_json_str(b, "profile", profile);
		sim_json_str(b, "note", note);
		sim_json_end(b, out);
		break;
	}
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
	JsonBuilder *b;

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
		b = json_result(w, name, profile, "skip");
		sim_json_strings(b, "notes", notes);
		sim_json_str(b, "reason", why);
		sim_json_end(b, out);
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
	JsonBuilder *b;
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
			sim_put_lines(out, "", rep->trace->str);
		fprintf(out, "%s %s [%s]\n", rep->passed ? "PASS" : "FAIL",
		    name, profile);
		for (i = 0; i < rep->messages->len; i++)
			sim_put_lines(out, "    ", rep->messages->pdata[i]);
		put_notes(out, "    note: ", rep->notes);
		break;
	case SIM_FORMAT_TAP:
		if (rep->trace != NULL)
			sim_put_lines(out, "# ", rep->trace->str);
		fprintf(out, "%s %u - %s [%s]\n", rep->passed ? "ok" :
		    "not ok", w->n, name, profile);
		for (i = 0; i < rep->messages->len; i++)
			sim_put_lines(out, "# ", rep->messages->pdata[i]);
		put_notes(out, "# note: ", rep->notes);
		break;
	case SIM_FORMAT_JSON:
		b = json_result(w, name, profile, rep->passed ? "pass" :
		    "fail");
		sim_json_strings(b, "notes", rep->notes);
		json_failures(b, rep->messages);
		if (rep->trace != NULL)
			sim_json_lines(b, "trace", rep->trace->str);
		sim_json_end(b, out);
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
		sim_json_end(json_summary(w, 0, w->failed > 0 ? 1 : 0), out);
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

	g_autofree char *hn = r->after_hash_n == 0 ? g_strdup("") :
	    g_strdup_printf(", %u of them after hash=N", r->after_hash_n);

	if (tap)
		fprintf(out, "%s %u - %s [%s] (%u steps compared, %u not%s)\n",
		    ok ? "ok" : "not ok", w->n, name, profile, r->compared,
		    r->uncompared, hn);
	else
		fprintf(out, "%s %s [%s] (%u steps compared, %u not%s)\n",
		    ok ? "PASS" : "FAIL", name, profile, r->compared,
		    r->uncompared, hn);
	for (i = 0; r->counted != NULL && i < r->counted->len; i++)
		fprintf(out, "%s%s\n", pre, (const char *)r->counted->pdata[i]);
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
			    e->reason, e->mfile, e->mline);
		}
	}
}

/*
 * One divergence of a diff as a JSON object, left open for the caller's
 * members: its place, the two backends' results, whether the manifest m
 * knows it and why.
 */
void
sim_json_divergence(JsonBuilder *b, const SimDivergence *d,
    const SimManifest *m, const char *aname, const char *bname)
{
	g_autofree char *text = sim_stmt_text(d->st, SIM_PRINT_CALL);
	g_autoptr(SimDiag) at = sim_diag_new(d->st->file, d->st->line,
	    d->st->col, text);

	json_builder_begin_object(b);
	sim_json_place(b, at);
	json_builder_set_member_name(b, "results");
	json_builder_begin_object(b);
	sim_json_str(b, aname, d->a);
	sim_json_str(b, bname, d->b);
	json_builder_end_object(b);
	sim_json_bool(b, "known", d->entry >= 0);
	if (d->entry >= 0)
		sim_json_str(b, "reason", sim_manifest_entry(m,
		    (guint)d->entry)->reason);
}

static void
diff_json(SimWriter *w, const char *name, const char *profile,
    const SimDiffResult *r, const SimManifest *m, const char *aname,
    const char *bname, gboolean ok)
{
	JsonBuilder *b = json_result(w, name, profile, ok ? "pass" : "fail");
	guint i;

	sim_json_uint(b, "compared", r->compared);
	sim_json_uint(b, "not_compared", r->uncompared);
	sim_json_uint(b, "after_hash_n", r->after_hash_n);
	json_builder_set_member_name(b, "counted");
	json_builder_begin_array(b);
	for (i = 0; r->counted != NULL && i < r->counted->len; i++)
		json_builder_add_string_value(b, r->counted->pdata[i]);
	json_builder_end_array(b);
	json_builder_set_member_name(b, "divergences");
	json_builder_begin_array(b);
	for (i = 0; i < r->divergences->len; i++) {
		sim_json_divergence(b, r->divergences->pdata[i], m, aname,
		    bname);
		json_builder_end_object(b);
	}
	json_builder_end_array(b);
	sim_json_end(b, w->out);
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

/* A manifest entry no divergence used: d is its place and what is
 * wrong. */
void
sim_write_diff_unused(SimWriter *w, const SimDiag *d)
{
	g_autofree char *msg = sim_diag_text(d);
	JsonBuilder *b;

	switch (w->format) {
	case SIM_FORMAT_TEXT:
		fprintf(w->out, "FAIL %s\n", msg);
		break;
	case SIM_FORMAT_TAP:
		fprintf(w->out, "not ok %u - %s\n", ++w->n, msg);
		break;
	case SIM_FORMAT_JSON:
		b = sim_json_begin("unused", w->command);
		sim_json_place(b, d);
		sim_json_end(b, w->out);
		break;
	}
}

void
sim_write_diff_summary(SimWriter *w, const SimDiffCounts *c)
{
	JsonBuilder *b;

	switch (w->format) {
	case SIM_FORMAT_TEXT:
		fprintf(w->out, "diff: %u passed, %u failed, %u skipped; "
		    "%u steps compared, %u not (%u after a hash=N send landed "
		    "on another member); divergences: %u known, %u "
		    "unexplained; %u unused manifest entries\n", w->passed,
		    w->failed, w->skipped, c->compared, c->uncompared,
		    c->after_hash_n, c->known, c->unexplained, c->unused);
		break;
	case SIM_FORMAT_TAP:
		fprintf(w->out, "1..%u\n# diff: %u passed, %u failed, %u "
		    "skipped; %u steps compared, %u not (%u after a hash=N "
		    "send landed on another member); divergences: %u known, "
		    "%u unexplained; %u unused manifest entries\n", w->n,
		    w->passed, w->failed, w->skipped, c->compared,
		    c->uncompared, c->after_hash_n, c->known, c->unexplained,
		    c->unused);
		break;
	case SIM_FORMAT_JSON:
		b = json_summary(w, 0, w->failed > 0 || c->unused > 0 ? 1 : 0);
		sim_json_uint(b, "compared", c->compared);
		sim_json_uint(b, "not_compared", c->uncompared);
		sim_json_uint(b, "after_hash_n", c->after_hash_n);
		sim_json_uint(b, "known", c->known);
		sim_json_uint(b, "unexplained", c->unexplained);
		sim_json_uint(b, "unused", c->unused);
		sim_json_end(b, w->out);
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
	JsonBuilder *b;

	w->n++;
	if (s->failed || !s->complete)
		w->failed++;
	else
		w->passed++;
	if (o->preemptions == SIM_EXPLORE_UNBOUNDED)
		g_strlcpy(bound, "unbounded", sizeof(bound));
	else
		g_snprintf(bound, sizeof(bound), "%u", o->preemptions);
	if (w->format == SIM_FORMAT_JSON) {
		b = json_result(w, name, profile, verdict);
		if (s->failed) {
			sim_json_str(b, "failure", s->failure);
			sim_json_str(b, "counterexample", s->counterexample);
		}
		sim_json_uint(b, "schedules", s->schedules);
		sim_json_uint(b, "pruned", s->pruned);
		sim_json_uint(b, "states", s->states);
		sim_json_uint(b, "end_states", s->end_states);
		sim_json_uint(b, "max_depth", s->max_depth);
		sim_json_str(b, "preemptions", bound);
		sim_json_bool(b, "reduction", !o->no_reduction);
		sim_json_uint(b, "milliseconds",
		    (guint64)(s->seconds * 1000.0 + 0.5));
		sim_json_str(b, "engine", engine);
		sim_json_uint(b, "distinct_states", s->distinct);
		sim_json_uint(b, "replayed", s->replayed);
		sim_json_uint(b, "restores", s->restores);
		sim_json_end(b, out);
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

/* The end of explore: JSON's summary (text has none). */
void
sim_write_explore_summary(SimWriter *w, int status)
{
	if (w->format == SIM_FORMAT_JSON)
		sim_json_end(json_summary(w, 0, status), w->out);
}

/*
 * The manifests of files (paths), read into one (NULL when there are
 * none); NULL with *st the exit status once their errors were written as
 * format asks, for command (diff, fuzz-diff).
 */
SimManifest *
sim_load_manifests(const GPtrArray *files, SimFormat format,
    const char *command, int *st)
{
	g_autoptr(GPtrArray) errors = g_ptr_array_new_with_free_func(g_free);
	g_autoptr(SimManifest) m = NULL;

	*st = SIM_EXIT_OK;
	if (files->len == 0)
		return NULL;
	m = sim_manifest_load(files->pdata[0], errors);
	for (guint i = 1; m != NULL && i < files->len; i++)
		sim_manifest_append(m, files->pdata[i], errors);
	if (m == NULL || errors->len > 0) {
		g_autoptr(GPtrArray) diags = sim_diags_new();
		SimWriter w;

		for (guint k = 0; k < errors->len; k++)
			sim_diags_add_text(diags, errors->pdata[k]);
		sim_writer_init(&w, format, stdout, stderr, command);
		*st = sim_write_input_errors(&w, diags);
		return NULL;
	}
	return g_steal_pointer(&m);
}
