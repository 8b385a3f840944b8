/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * inputs.c - the scenarios a command is given (inputs.h): files, and the
 * *.scn files below directories, each parsed and checked before anything
 * runs.
 */
#include <stdio.h>
#include <string.h>

#include "core/exec.h"
#include "core/inputs.h"

static void
input_free(gpointer p)
{
	SimInput *in = p;

	g_free(in->path);
	g_free(in->name);
	sim_scenario_free(in->sc);
	g_free(in);
}

static void
input_add(GPtrArray *inputs, const char *path, const char *name)
{
	SimInput *in = g_new0(SimInput, 1);

	in->path = g_strdup(path);
	in->name = g_strdup(name);
	g_ptr_array_add(inputs, in);
}

static gint
str_cmp(gconstpointer a, gconstpointer b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Add the *.scn files below dir (shown as rel/...), sorted by name, at
 * each level; hidden entries are skipped.  FALSE after an error. */
static gboolean
collect_dir(const char *dir, const char *rel, GPtrArray *inputs, FILE *err)
{
	g_autoptr(GError) e = NULL;
	g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
	gboolean ok = TRUE;
	const char *n;
	GDir *d;
	guint i;

	d = g_dir_open(dir, 0, &e);
	if (d == NULL) {
		fprintf(err, "reuseport-sim: %s\n", e->message);
		return FALSE;
	}
	while ((n = g_dir_read_name(d)) != NULL)
		if (n[0] != '.')
			g_ptr_array_add(names, g_strdup(n));
	g_dir_close(d);
	g_ptr_array_sort(names, str_cmp);
	for (i = 0; i < names->len; i++) {
		const char *name = names->pdata[i];
		g_autofree char *full = g_build_filename(dir, name, NULL);
		g_autofree char *r = rel != NULL ?
		    g_build_filename(rel, name, NULL) : g_strdup(name);

		if (g_file_test(full, G_FILE_TEST_IS_DIR))
			ok = collect_dir(full, r, inputs, err) && ok;
		else if (g_str_has_suffix(name, ".scn"))
			input_add(inputs, full, r);
	}
	return ok;
}

/* Parse and check every input; print every error.  FALSE on any. */
static gboolean
load_inputs(GPtrArray *inputs, FILE *err)
{
	g_autoptr(GPtrArray) errors = g_ptr_array_new_with_free_func(g_free);
	gboolean ok = TRUE;
	guint i, j;

	for (i = 0; i < inputs->len; i++) {
		SimInput *in = inputs->pdata[i];
		g_autoptr(GError) e = NULL;

		in->sc = sim_parse_file(in->path, &e);
		if (in->sc == NULL) {
			fprintf(err, "%s\n", e->message);
			ok = FALSE;
			continue;
		}
		g_ptr_array_set_size(errors, 0);
		if (sim_check_scenario(in->sc, errors))
			continue;
		for (j = 0; j < errors->len; j++)
			fprintf(err, "%s\n", (char *)errors->pdata[j]);
		ok = FALSE;
	}
	return ok;
}

/*
 * The scenarios of paths as `run` finds them (files, and *.scn files
 * below directories, sorted), each parsed and checked: a GPtrArray of
 * SimInput, or NULL after printing every error to err (exit status 2).
 */
GPtrArray *
sim_inputs_load(char *const *paths, gsize n, FILE *err)
{
	g_autoptr(GPtrArray) inputs = g_ptr_array_new_with_free_func(
	    input_free);
	gboolean ok = TRUE;
	gsize i;

	for (i = 0; i < n; i++) {
		if (g_file_test(paths[i], G_FILE_TEST_IS_DIR)) {
			ok = collect_dir(paths[i], NULL, inputs, err) && ok;
		} else if (g_file_test(paths[i], G_FILE_TEST_EXISTS)) {
			input_add(inputs, paths[i], paths[i]);
		} else {
			fprintf(err, "reuseport-sim: %s: no such file or "
			    "directory\n", paths[i]);
			ok = FALSE;
		}
	}
	if (!ok || !load_inputs(inputs, err))
		return NULL;
	return g_steal_pointer(&inputs);
}
