/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * inputs.c - the scenarios a command is given (inputs.h): files, and the
 * *.scn files below directories, each parsed and checked before anything
 * runs.
 */
#include <string.h>

#include "core/error.h"
#include "core/exec.h"
#include "core/inputs.h"

static void
input_free(gpointer p)
{
	SimInput *in = p;

	g_free(in->path);
	sim_scenario_free(in->sc);
	g_free(in);
}

static void
input_add(GPtrArray *inputs, const char *path, gboolean named)
{
	SimInput *in = g_new0(SimInput, 1);

	in->path = g_strdup(path);
	in->named = named;
	g_ptr_array_add(inputs, in);
}

static gint
str_cmp(gconstpointer a, gconstpointer b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Add the *.scn files below dir (as given, so that every path is the
 * user's and two directories never give the same one), sorted by name
 * at each level; hidden entries are skipped.  FALSE after an error. */
static gboolean
collect_dir(const char *dir, GPtrArray *inputs, GPtrArray *errors)
{
	g_autoptr(GError) e = NULL;
	g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
	gboolean ok = TRUE;
	const char *n;
	GDir *d;
	guint i;

	d = g_dir_open(dir, 0, &e);
	if (d == NULL) {
		g_ptr_array_add(errors, sim_diag_new(NULL, 0, 0, e->message));
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

		if (g_file_test(full, G_FILE_TEST_IS_DIR))
			ok = collect_dir(full, inputs, errors) && ok;
		else if (g_str_has_suffix(name, ".scn"))
			input_add(inputs, full, FALSE);
	}
	return ok;
}

/* Parse and check every input; add every error to errors.  FALSE on
 * any. */
static gboolean
load_inputs(GPtrArray *inputs, GPtrArray *errors)
{
	g_autoptr(GPtrArray) found = g_ptr_array_new_with_free_func(g_free);
	gboolean ok = TRUE;
	guint i, j;

	for (i = 0; i < inputs->len; i++) {
		SimInput *in = inputs->pdata[i];
		g_autoptr(GError) e = NULL;

		in->sc = sim_parse_file(in->path, &e);
		if (in->sc == NULL) {
			sim_diags_add_text(errors, e->message);
			ok = FALSE;
			continue;
		}
		g_ptr_array_set_size(found, 0);
		if (sim_check_scenario(in->sc, found))
			continue;
		for (j = 0; j < found->len; j++)
			sim_diags_add_text(errors, found->pdata[j]);
		ok = FALSE;
	}
	return ok;
}

/*
 * The scenarios of paths as `run` finds them (files, and *.scn files
 * below directories, sorted), each parsed and checked: a GPtrArray of
 * SimInput, or NULL after adding every error to errors (SimDiag; exit
 * status 2).
 */
GPtrArray *
sim_inputs_load(char *const *paths, gsize n, GPtrArray *errors)
{
	g_autoptr(GPtrArray) inputs = g_ptr_array_new_with_free_func(
	    input_free);
	gboolean ok = TRUE;
	gsize i;

	for (i = 0; i < n; i++) {
		if (g_file_test(paths[i], G_FILE_TEST_IS_DIR)) {
			ok = collect_dir(paths[i], inputs, errors) && ok;
		} else if (g_file_test(paths[i], G_FILE_TEST_EXISTS)) {
			input_add(inputs, paths[i], TRUE);
		} else {
			g_ptr_array_add(errors, sim_diag_new(paths[i], 0, 0,
			    "no such file or directory"));
			ok = FALSE;
		}
	}
	if (!ok || !load_inputs(inputs, errors))
		return NULL;
	return g_steal_pointer(&inputs);
}
