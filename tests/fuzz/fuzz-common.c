/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * fuzz-common.c - the input format shared by the libFuzzer targets: one
 * fuzzer input split into in-memory files, and the SimIncludeFunc that
 * serves them (see fuzz.h for the format).
 */
#include <stdio.h>
#include <string.h>

#include "fuzz.h"

/* One in-memory file: a slice of the input, not a copy. */
typedef struct {
	const char	*data;
	gsize		 len;
} FuzzFile;

/* Set by fuzz_init(): the scenarios directory and FUZZ_DIR, clean. */
static char *scenarios_dir;
static char *fuzz_dir;
static char *fuzz_top;

struct FuzzInput {
	const char	*data;		/* the whole input */
	gsize		 top_len;	/* bytes of the top file */
	GHashTable	*files;		/* FUZZ_DIR/NAME -> FuzzFile */
};

/*
 * Once per process: GLib's slice allocator off (so that ASan and
 * valgrind see every block), and criticals and warnings fatal, so that a
 * failed g_return_if_fail() in sim/ or model/ is a crash the fuzzer
 * reports rather than a line on stderr.
 */
void
fuzz_init(void)
{
	g_setenv("G_SLICE", "always-malloc", TRUE);
	g_log_set_always_fatal(G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING);
	if (scenarios_dir == NULL) {
		scenarios_dir = g_canonicalize_filename(FUZZ_SCENARIOS_DIR,
		    NULL);
		fuzz_dir = g_build_filename(scenarios_dir, "fuzz", NULL);
		fuzz_top = g_build_filename(fuzz_dir, FUZZ_TOP_NAME, NULL);
	}
}

/*
 * With FUZZ_DEBUG set in the environment, print msg to stderr after
 * what: how to see what a reproducer does (docs/fuzzing.md).
 */
void
fuzz_debug(const char *what, const char *msg)
{
	static int on = -1;

	if (on < 0)
		on = g_getenv("FUZZ_DEBUG") != NULL;
	if (on)
		fprintf(stderr, "%s: %s\n", what, msg);
}

/* Return the offset of the next line of data[0..size) after pos. */
static gsize
next_line(const char *data, gsize size, gsize pos)
{
	const char *nl = memchr(data + pos, '\n', size - pos);

	return nl != NULL ? (gsize)(nl - data) + 1 : size;
}

/* Whether a "%% NAME" line starts at data[pos]. */
static gboolean
is_marker(const char *data, gsize size, gsize pos)
{
	return size - pos >= 3 && memcmp(data + pos, "%% ", 3) == 0;
}

/*
 * Split data[0..size) into the top file and the "%% NAME" files.  The
 * input must outlive the result; fuzz_init() must have run.  A repeated
 * NAME keeps its first file.
 * Cannot fail.
 */
FuzzInput *
fuzz_input_new(const uint8_t *data, size_t size)
{
	FuzzInput *in = g_new0(FuzzInput, 1);
	const char *d = (const char *)data;
	gsize pos = 0;

	in->data = d != NULL ? d : "";
	in->files = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
	    g_free);
	while (pos < size && !is_marker(d, size, pos))
		pos = next_line(d, size, pos);
	in->top_len = pos;
	while (pos < size) {
		gsize name = pos + 3, body = next_line(d, size, pos), end;
		gsize name_len = body - name;
		FuzzFile *f;
		char *key;

		if (name_len > 0 && d[body - 1] == '\n')
			name_len--;
		for (end = body; end < size && !is_marker(d, size, end);
		    end = next_line(d, size, end))
			;
		pos = end;
		/* a NUL in NAME ends the key, as it would end a path */
		key = g_strdup_printf("%s/%.*s", fuzz_dir, (int)name_len,
		    d + name);
		if (g_hash_table_contains(in->files, key)) {
			g_free(key);
			continue;
		}
		f = g_new0(FuzzFile, 1);
		f->data = d + body;
		f->len = end - body;
		g_hash_table_insert(in->files, key, f);
	}
	return in;
}

/* Free in.  NULL is accepted. */
void
fuzz_input_free(FuzzInput *in)
{
	if (in == NULL)
		return;
	g_hash_table_unref(in->files);
	g_free(in);
}

/*
 * The SimIncludeFunc of the targets: an in-memory file of the input, else
 * a file below the scenarios directory read by sim_include_file(), else
 * an error.  path is already clean (no "." or ".." components).
 */
static gboolean
fuzz_include(const char *path, char **contents, gsize *len,
    gpointer user_data, GError **error)
{
	FuzzInput *in = user_data;
	const FuzzFile *f = g_hash_table_lookup(in->files, path);

	if (f != NULL) {
		*contents = g_memdup2(f->data, f->len);
		*len = f->len;
		return TRUE;
	}
	if (g_str_has_prefix(path, scenarios_dir) &&
	    path[strlen(scenarios_dir)] == '/')
		return sim_include_file(path, contents, len, NULL, error);
	g_set_error_literal(error, G_FILE_ERROR, G_FILE_ERROR_NOENT,
	    "outside the scenarios directory (fuzzer)");
	return FALSE;
}

/* Parse the top file of in, as sim_parse_buffer() does. */
SimScenario *
fuzz_parse(FuzzInput *in, GError **error)
{
	return sim_parse_buffer(fuzz_top, in->data, in->top_len,
	    fuzz_include, in, error);
}

/* libFuzzer calls this once before the first input (so does replay.c). */
int
LLVMFuzzerInitialize(int *argc G_GNUC_UNUSED, char ***argv G_GNUC_UNUSED)
{
	fuzz_init();
	return 0;
}
