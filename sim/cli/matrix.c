/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * matrix.c - diff on several kernels (matrix.h).
 *
 * Each kernel runs `reuseport-sim diff --kernel host --format tap` with
 * the same scenarios and manifests (kernels.c: this program again on the
 * host, reuseport-sim inside a VM), one after another.  A VM kernel also
 * reads the manifests beside each one given that hold what every VM
 * kernel lacks and what that kernel lacks: for DIR/NAME.manifest,
 * DIR/NAME.vm.manifest and DIR/NAME.vm-N.M.manifest (N.M the vm: name),
 * when they exist.  The TAP each kernel prints is read back: a test point
 * per scenario (ok, not ok, # SKIP), its "known divergence" comments, the
 * "# kernel RELEASE: profile P" line and the unused manifest entries.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <string.h>

#include "cli/json.h"
#include "cli/kernels.h"
#include "cli/matrix.h"
#include "core/error.h"

typedef enum {
	CELL_NONE,		/* the kernel did not report the scenario */
	CELL_AGREE,
	CELL_KNOWN,
	CELL_UNEXPLAINED,
	CELL_SKIPPED,
} Cell;

static const char *const cell_words[] = {
	"-", "agree", "known", "UNEXPLAINED", "skipped",
};

static const char *const cell_json[] = {
	"none", "agree", "known", "unexplained", "skipped",
};

/* What one kernel said. */
typedef struct {
	const SimKernelTarget	*k;
	char			*release, *profile, *note;
	char			*error;		/* no run at all: why */
	int			 status;
	GHashTable		*cells;		/* name -> Cell */
	GHashTable		*why;		/* name -> skip reason */
	GPtrArray		*extra;		/* char *: unused entries... */
	GString			*detail;	/* the unexplained ones' lines */
	guint			 counts[5];
	/* its "# diff: " summary: steps compared, not, after hash=N */
	guint			 compared, uncompared, after_hash_n;
} Column;

static void
column_clear(Column *c)
{
	g_free(c->release);
	g_free(c->profile);
	g_free(c->note);
	g_free(c->error);
	g_clear_pointer(&c->cells, g_hash_table_unref);
	g_clear_pointer(&c->why, g_hash_table_unref);
	g_clear_pointer(&c->extra, g_ptr_array_unref);
	if (c->detail != NULL)
		g_string_free(c->detail, TRUE);
}

/* The manifests a VM kernel reads beside m (see above), added to out
 * (g_free()). */
void
sim_matrix_vm_manifests(const char *m, const SimKernelTarget *k,
    GPtrArray *out)
{
	gsize l = strlen(m);
	g_autofree char *stem = NULL;
	g_autofree char *all = NULL;
	g_autofree char *one = NULL;

	if (k->vm == NULL || !g_str_has_suffix(m, ".manifest"))
		return;
	stem = g_strndup(m, l - strlen(".manifest"));
	all = g_strdup_printf("%s.vm.manifest", stem);
	one = g_strdup_printf("%s.vm-%s.manifest", stem, k->vm);
	if (g_file_test(all, G_FILE_TEST_IS_REGULAR))
		g_ptr_array_add(out, g_steal_pointer(&all));
	if (strchr(k->vm, '/') == NULL &&
	    g_file_test(one, G_FILE_TEST_IS_REGULAR))
		g_ptr_array_add(out, g_steal_pointer(&one));
}

/* The guest's command line for k (format: "tap", or NULL to keep the
 * one given), and what to pack into its initramfs (adds). */
static char **
guest_argv(const SimMatrixOptions *o, const SimKernelTarget *k,
    const char *format, GPtrArray *adds)
{
	g_auto(GStrv) base = sim_kernel_guest_argv(o->argc, o->argv);
	g_autoptr(GPtrArray) extra = g_ptr_array_new_with_free_func(g_free);
	GPtrArray *a = g_ptr_array_new();
	guint i;

	for (i = 0; i < o->manifests->len; i++)
		sim_matrix_vm_manifests(o->manifests->pdata[i], k, extra);
	for (i = 0; base[i] != NULL; i++) {
		g_ptr_array_add(a, g_strdup(base[i]));
		if (i != 2)	/* after "diff --kernel host" */
			continue;
		if (format != NULL) {
			g_ptr_array_add(a, g_strdup("--format"));
			g_ptr_array_add(a, g_strdup(format));
		}
		for (guint j = 0; j < extra->len; j++) {
			g_ptr_array_add(a, g_strdup("--manifest"));
			g_ptr_array_add(a, g_strdup(extra->pdata[j]));
		}
	}
	g_ptr_array_add(a, NULL);
	for (i = 0; i < o->paths->len; i++)
		g_ptr_array_add(adds, g_strdup(o->paths->pdata[i]));
	sim_kernel_add_inputs(adds, o->inputs);
	for (i = 0; i < o->manifests->len; i++)
		g_ptr_array_add(adds, g_strdup(o->manifests->pdata[i]));
	for (i = 0; i < extra->len; i++)
		g_ptr_array_add(adds, g_strdup(extra->pdata[i]));
	return (char **)g_ptr_array_free(a, FALSE);
}

/* `diff --kernel vm:X`: the whole diff in that kernel, its output as it
 * is.  The exit status. */
int
sim_matrix_one(const SimMatrixOptions *o)
{
	const SimKernelTarget *k = o->kernels->pdata[0];
	g_autoptr(GPtrArray) adds = g_ptr_array_new_with_free_func(g_free);
	g_auto(GStrv) argv = guest_argv(o, k, NULL, adds);
	g_autoptr(GError) e = NULL;
	int st;

	fflush(o->out);
	st = sim_kernel_exec(k, argv, adds, NULL, &e);
	if (e != NULL) {
		fprintf(stderr, "reuseport-sim: %s\n", e->message);
		return st == SIM_EXIT_NO_KERNEL ? st : SIM_EXIT_USAGE;
	}
	return st;
}

/* "ok 3 - NAME [P] (...)", "not ok 3 - NAME [P] ...", "ok 3 - NAME [P] #
 * SKIP why": the scenario's name into *name, the rest after it. */
static gboolean
tap_point(const char *line, gboolean *ok, char **name, const char **rest)
{
	const char *p = line;
	const char *end;

	*ok = g_str_has_prefix(p, "ok ");
	if (!*ok && !g_str_has_prefix(p, "not ok "))
		return FALSE;
	p = strstr(p, " - ");
	if (p == NULL)
		return FALSE;
	p += 3;
	end = p + strcspn(p, " ");
	*name = g_strndup(p, (gsize)(end - p));
	*rest = end;
	return TRUE;
}

/* Read one kernel's TAP into c. */
static void
column_read(Column *c, const char *tap)
{
	g_auto(GStrv) lines = g_strsplit(tap, "\n", -1);
	g_autofree char *last = NULL;
	gboolean failing = FALSE;	/* in the lines of a "not ok" */

	for (guint i = 0; lines[i] != NULL; i++) {
		const char *l = lines[i], *rest;
		g_autofree char *name = NULL;
		gboolean ok;

		if (g_str_has_prefix(l, "# diff: ")) {
			const char *p = strstr(l, " skipped; ");

			if (p != NULL)
				(void)sscanf(p, " skipped; %u steps compared, "
				    "%u not (%u after", &c->compared,
				    &c->uncompared, &c->after_hash_n);
		}
		if (failing && g_str_has_prefix(l, "# ") &&
		    !g_str_has_prefix(l, "# kernel ") &&
		    !g_str_has_prefix(l, "# diff: ")) {
			g_string_append_printf(c->detail, "    %s\n", l + 2);
			continue;
		}
		failing = FALSE;

		if (g_str_has_prefix(l, "# kernel ")) {
			const char *colon = strstr(l, ": profile ");
			const char *p, *sp;

			if (colon == NULL)
				continue;
			g_free(c->release);
			c->release = g_strndup(l + 9, (gsize)(colon - l - 9));
			p = colon + strlen(": profile ");
			sp = p + strcspn(p, " ");
			g_free(c->profile);
			c->profile = g_strndup(p, (gsize)(sp - p));
			if (sp[0] == ' ' && sp[1] == '(') {
				g_free(c->note);
				c->note = g_strndup(sp + 2, strlen(sp + 2) -
				    (g_str_has_suffix(sp, ")") ? 1 : 0));
			}
			continue;
		}
		if (g_str_has_prefix(l, "# ") && last != NULL &&
		    strstr(l, ": known divergence: ") != NULL) {
			if (GPOINTER_TO_INT(g_hash_table_lookup(c->cells,
			    last)) == CELL_AGREE)
				g_hash_table_insert(c->cells, g_strdup(last),
				    GINT_TO_POINTER(CELL_KNOWN));
			continue;
		}
		if (!tap_point(l, &ok, &name, &rest))
			continue;
		if (strstr(rest, "unused manifest entry") != NULL ||
		    strstr(l, ": unused manifest entry ") != NULL) {
			g_ptr_array_add(c->extra, g_strdup(strstr(l, " - ") +
			    3));
			continue;
		}
		if (ok && strstr(rest, " # SKIP ") != NULL) {
			g_hash_table_insert(c->cells, g_strdup(name),
			    GINT_TO_POINTER(CELL_SKIPPED));
			g_hash_table_insert(c->why, g_strdup(name), g_strdup(
			    strstr(rest, " # SKIP ") + 8));
		} else {
			g_hash_table_insert(c->cells, g_strdup(name),
			    GINT_TO_POINTER(ok ? CELL_AGREE :
			    CELL_UNEXPLAINED));
			if (!ok) {
				failing = TRUE;
				g_string_append_printf(c->detail, "%s %s\n",
				    c->k->name, l + strlen("not ok "));
			}
		}
		g_free(last);
		last = g_strdup(name);
	}
}

/* Every scenario name any kernel reported, in the order first seen. */
static void
names_add(GPtrArray *names, GHashTable *seen, const char *tap)
{
	g_auto(GStrv) lines = g_strsplit(tap, "\n", -1);

	for (guint i = 0; lines[i] != NULL; i++) {
		g_autofree char *name = NULL;
		const char *rest;
		gboolean ok;

		if (!tap_point(lines[i], &ok, &name, &rest) ||
		    strstr(lines[i], ": unused manifest entry ") != NULL ||
		    g_hash_table_contains(seen, name))
			continue;
		g_hash_table_add(seen, g_strdup(name));
		g_ptr_array_add(names, g_steal_pointer(&name));
	}
}

/* Lines of text, each as a TAP comment in TAP. */
static void
put_detail(const SimMatrixOptions *o, const char *text)
{
	g_auto(GStrv) lines = g_strsplit(text, "\n", -1);

	for (guint i = 0; lines[i] != NULL; i++)
		if (lines[i][0] != '\0')
			fprintf(o->out, "%s%s\n", o->format == SIM_FORMAT_TAP ?
			    "# " : "", lines[i]);
}

static void
put_header(const SimMatrixOptions *o, const Column *cols, guint n)
{
	JsonBuilder *b;

	for (guint i = 0; i < n; i++) {
		const Column *c = &cols[i];

		switch (o->format) {
		case SIM_FORMAT_TEXT:
		case SIM_FORMAT_TAP:
			if (c->error != NULL)
				fprintf(o->out, "%skernel %s: skipped: %s\n",
				    o->format == SIM_FORMAT_TAP ? "# " : "",
				    c->k->name, c->error);
			else
				fprintf(o->out, "%skernel %s: %s, profile "
				    "%s%s%s%s\n", o->format == SIM_FORMAT_TAP ?
				    "# " : "", c->k->name, c->release != NULL ?
				    c->release : "unknown", c->profile != NULL ?
				    c->profile : "unknown", c->note != NULL ?
				    " (" : "", c->note != NULL ? c->note : "",
				    c->note != NULL ? ")" : "");
			break;
		case SIM_FORMAT_JSON:
			b = sim_json_begin("kernel", "diff");
			sim_json_str(b, "kernel", c->k->name);
			sim_json_str(b, "release", c->release);
			sim_json_str(b, "profile", c->profile);
			sim_json_str(b, "note", c->error != NULL ? c->error :
			    c->note);
			sim_json_str(b, "status", c->error != NULL ?
			    "skipped" : "ran");
			sim_json_end(b, o->out);
			break;
		}
	}
}

/* `diff --kernel K,K...`: the exit status (1 when any kernel has an
 * unexplained divergence or an unused manifest entry). */
int
sim_matrix_run(const SimMatrixOptions *o)
{
	guint n = o->kernels->len, i, j, width = 8, point = 0;
	g_autofree Column *cols = g_new0(Column, n);
	g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
	g_autoptr(GHashTable) seen = g_hash_table_new_full(g_str_hash,
	    g_str_equal, g_free, NULL);
	gboolean bad = FALSE;
	Column total = { 0 };
	guint unused = 0;
	JsonBuilder *b;

	if (o->format == SIM_FORMAT_TAP)
		fputs("TAP version 13\n", o->out);
	for (i = 0; i < n; i++) {
		Column *c = &cols[i];
		g_autoptr(GPtrArray) adds = g_ptr_array_new_with_free_func(
		    g_free);
		g_autoptr(GError) e = NULL;
		g_autofree char *tap = NULL;
		g_auto(GStrv) argv = NULL;

		c->k = o->kernels->pdata[i];
		c->cells = g_hash_table_new_full(g_str_hash, g_str_equal,
		    g_free, NULL);
		c->why = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
		    g_free);
		c->extra = g_ptr_array_new_with_free_func(g_free);
		c->detail = g_string_new(NULL);
		argv = guest_argv(o, c->k, "tap", adds);
		c->status = sim_kernel_exec(c->k, argv, adds, &tap, &e);
		if (e != NULL) {
			c->error = g_strdup(e->message);
			continue;
		}
		if (c->status != 0 && c->status != 1) {
			c->error = g_strdup_printf("diff exited with status "
			    "%d", c->status);
			bad = TRUE;
		}
		column_read(c, tap);
		names_add(names, seen, tap);
	}
	for (i = 0; i < names->len; i++)
		width = MAX(width, (guint)strlen(names->pdata[i]));
	put_header(o, cols, n);
	if (o->format == SIM_FORMAT_TEXT) {
		fprintf(o->out, "%-*s", (int)width, "scenario");
		for (j = 0; j < n; j++)
			fprintf(o->out, " %-11s", cols[j].k->name);
		fputc('\n', o->out);
	}
	for (i = 0; i < names->len; i++) {
		const char *name = names->pdata[i];

		if (o->format == SIM_FORMAT_TEXT)
			fprintf(o->out, "%-*s", (int)width, name);
		for (j = 0; j < n; j++) {
			Column *c = &cols[j];
			Cell cell = c->error != NULL ? CELL_SKIPPED :
			    (Cell)GPOINTER_TO_INT(g_hash_table_lookup(
			    c->cells, name));
			const char *why = c->error != NULL ? c->error :
			    g_hash_table_lookup(c->why, name);

			c->counts[cell]++;
			bad |= cell == CELL_UNEXPLAINED;
			switch (o->format) {
			case SIM_FORMAT_TEXT:
				fprintf(o->out, " %-11s", cell_words[cell]);
				break;
			case SIM_FORMAT_TAP:
				fprintf(o->out, "%s %u - %s %s: %s%s%s\n",
				    cell == CELL_UNEXPLAINED ? "not ok" :
				    "ok", ++point, c->k->name, name,
				    cell_json[cell], cell == CELL_SKIPPED ?
				    " # SKIP " : "", cell == CELL_SKIPPED ?
				    (why != NULL ? why : "skipped") : "");
				break;
			case SIM_FORMAT_JSON:
				b = sim_json_begin("cell", "diff");
				sim_json_str(b, "file", name);
				sim_json_str(b, "kernel", c->k->name);
				sim_json_str(b, "result", cell_json[cell]);
				if (why != NULL && cell == CELL_SKIPPED)
					sim_json_str(b, "reason", why);
				sim_json_end(b, o->out);
				break;
			}
		}
		if (o->format == SIM_FORMAT_TEXT)
			fputc('\n', o->out);
	}
	/* what each unexplained divergence was, as its kernel said it */
	for (j = 0; j < n && o->format != SIM_FORMAT_JSON; j++) {
		const Column *c = &cols[j];

		if (c->detail->len > 0)
			put_detail(o, c->detail->str);
	}
	for (j = 0; j < n; j++) {
		Column *c = &cols[j];

		for (i = 0; i < c->extra->len; i++) {
			bad = TRUE;
			if (o->format == SIM_FORMAT_JSON) {
				g_autoptr(SimDiag) at = sim_diag_new(NULL, 0,
				    0, c->extra->pdata[i]);

				b = sim_json_begin("unused", "diff");
				sim_json_place(b, at);
				sim_json_str(b, "kernel", c->k->name);
				sim_json_end(b, o->out);
			} else if (o->format == SIM_FORMAT_TAP) {
				fprintf(o->out, "not ok %u - %s %s\n",
				    ++point, c->k->name,
				    (char *)c->extra->pdata[i]);
			} else {
				fprintf(o->out, "FAIL %s: %s\n", c->k->name,
				    (char *)c->extra->pdata[i]);
			}
		}
	}
	for (j = 0; j < n; j++) {
		const Column *c = &cols[j];

		switch (o->format) {
		case SIM_FORMAT_TEXT:
		case SIM_FORMAT_TAP:
			fprintf(o->out, "%smatrix %s: %u agree, %u known, %u "
			    "unexplained, %u skipped\n", o->format ==
			    SIM_FORMAT_TAP ? "# " : "", c->k->name,
			    c->counts[CELL_AGREE], c->counts[CELL_KNOWN],
			    c->counts[CELL_UNEXPLAINED],
			    c->counts[CELL_SKIPPED] + c->counts[CELL_NONE]);
			break;
		case SIM_FORMAT_JSON:
			b = sim_json_begin("matrix", "diff");
			sim_json_str(b, "kernel", c->k->name);
			sim_json_uint(b, "agree", c->counts[CELL_AGREE]);
			sim_json_uint(b, "known", c->counts[CELL_KNOWN]);
			sim_json_uint(b, "unexplained",
			    c->counts[CELL_UNEXPLAINED]);
			sim_json_uint(b, "skipped", c->counts[CELL_SKIPPED] +
			    c->counts[CELL_NONE]);
			sim_json_end(b, o->out);
			break;
		}
		for (i = 0; i < G_N_ELEMENTS(total.counts); i++)
			total.counts[i] += c->counts[i];
		total.compared += c->compared;
		total.uncompared += c->uncompared;
		total.after_hash_n += c->after_hash_n;
		unused += c->extra->len;
	}
	if (o->format == SIM_FORMAT_TAP)
		fprintf(o->out, "1..%u\n", point);
	if (o->format == SIM_FORMAT_JSON) {
		/* the cells of every kernel: agree and known passed */
		b = sim_json_begin("summary", "diff");
		sim_json_uint(b, "passed", total.counts[CELL_AGREE] +
		    total.counts[CELL_KNOWN]);
		sim_json_uint(b, "failed", total.counts[CELL_UNEXPLAINED]);
		sim_json_uint(b, "skipped", total.counts[CELL_SKIPPED] +
		    total.counts[CELL_NONE]);
		sim_json_uint(b, "errors", 0);
		sim_json_uint(b, "status", bad ? SIM_EXIT_FAIL : SIM_EXIT_OK);
		sim_json_uint(b, "compared", total.compared);
		sim_json_uint(b, "not_compared", total.uncompared);
		sim_json_uint(b, "after_hash_n", total.after_hash_n);
		sim_json_uint(b, "known", total.counts[CELL_KNOWN]);
		sim_json_uint(b, "unexplained",
		    total.counts[CELL_UNEXPLAINED]);
		sim_json_uint(b, "unused", unused);
		sim_json_end(b, o->out);
	}
	for (j = 0; j < n; j++)
		column_clear(&cols[j]);
	return bad ? SIM_EXIT_FAIL : SIM_EXIT_OK;
}
