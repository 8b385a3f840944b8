/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * replay.c - run a libFuzzer target without libFuzzer: main() feeds every
 * file of the given files and directories (recursively, sorted) to
 * LLVMFuzzerTestOneInput(), one TAP line per file.  With no argument it
 * replays the target's regression corpus,
 * $top_srcdir/tests/fuzz/regress/FUZZ_TARGET_NAME/, and its grown corpus,
 * $top_srcdir/tests/fuzz/corpus/FUZZ_TARGET_NAME/ when there is one,
 * which is what make check runs (also under ASan and valgrind in CI).
 *
 * A crash or a sanitizer report kills the program (the TAP driver then
 * reports an error); an input that runs longer than
 * 20 s x $CK_TIMEOUT_MULTIPLIER is killed by SIGALRM, which is how a
 * fixed hang stays fixed.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuzz.h"

#ifndef FUZZ_TARGET_NAME
#error "FUZZ_TARGET_NAME must name the target (parse, scenario)"
#endif

#define REPLAY_TIMEOUT	20u	/* seconds per input */

static const char *current;

static void collect(const char *path, GPtrArray *files);

static gint str_cmp(gconstpointer a, gconstpointer b);

/*
 * The grown corpus (100 to 2,200 inputs a target): all of it natively and under
 * ASan, every tenth input (in name order) under valgrind, which runs it
 * some 50 times slower and finds what ASan does not only in the code
 * the regression inputs already reach.  valgrind announces itself by
 * preloading its vgpreload libraries.
 */
static void
collect_grown(const char *dir, GPtrArray *files)
{
	const char *pre = g_getenv("LD_PRELOAD");
	g_autoptr(GPtrArray) grown = g_ptr_array_new_with_free_func(g_free);
	guint i;

	collect(dir, grown);
	g_ptr_array_sort(grown, str_cmp);
	for (i = 0; i < grown->len; i++)
		if (pre == NULL || strstr(pre, "vgpreload") == NULL ||
		    i % 10 == 0)
			g_ptr_array_add(files, g_strdup(grown->pdata[i]));
}

static void
on_alarm(int sig G_GNUC_UNUSED)
{
	static const char msg[] = "Bail out! timeout: ";

	/* only async-signal-safe calls here */
	if (write(STDOUT_FILENO, msg, sizeof(msg) - 1) < 0 ||
	    write(STDOUT_FILENO, current, strlen(current)) < 0 ||
	    write(STDOUT_FILENO, "\n", 1) < 0)
		_exit(3);
	_exit(2);
}

/* Add path, or the regular files below it when a directory, to files. */
static void
collect(const char *path, GPtrArray *files)
{
	g_autoptr(GDir) dir = NULL;
	const char *name;

	if (!g_file_test(path, G_FILE_TEST_IS_DIR)) {
		g_ptr_array_add(files, g_strdup(path));
		return;
	}
	dir = g_dir_open(path, 0, NULL);
	while (dir != NULL && (name = g_dir_read_name(dir)) != NULL) {
		g_autofree char *child = g_build_filename(path, name, NULL);

		if (name[0] != '.')
			collect(child, files);
	}
}

static int
str_cmp(gconstpointer a, gconstpointer b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int
main(int argc, char **argv)
{
	g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func(g_free);
	const char *mult = g_getenv("CK_TIMEOUT_MULTIPLIER");
	guint timeout = REPLAY_TIMEOUT, i;
	int n;

	LLVMFuzzerInitialize(&argc, &argv);
	if (mult != NULL && atoi(mult) > 0)
		timeout *= (guint)atoi(mult);
	if (argc > 1) {
		for (n = 1; n < argc; n++)
			collect(argv[n], files);
	} else {
		const char *top = g_getenv("top_srcdir");
		g_autofree char *dir = g_build_filename(top != NULL ? top :
		    ".", "tests", "fuzz", "regress", FUZZ_TARGET_NAME, NULL);
		g_autofree char *grown = g_build_filename(top != NULL ? top :
		    ".", "tests", "fuzz", "corpus", FUZZ_TARGET_NAME, NULL);

		if (!g_file_test(dir, G_FILE_TEST_IS_DIR)) {
			printf("Bail out! no directory %s\n", dir);
			return 1;
		}
		collect(dir, files);
		if (g_file_test(grown, G_FILE_TEST_IS_DIR))
			collect_grown(grown, files);
	}
	g_ptr_array_sort(files, str_cmp);
	signal(SIGALRM, on_alarm);

	printf("1..%u\n", files->len);
	for (i = 0; i < files->len; i++) {
		g_autofree char *data = NULL;
		g_autofree char *exact = NULL;
		g_autoptr(GError) err = NULL;
		gsize len;

		current = files->pdata[i];
		fflush(stdout);
		if (!g_file_get_contents(current, &data, &len, &err)) {
			printf("not ok %u - %s: %s\n", i + 1, current,
			    err->message);
			continue;
		}
		/* exactly len bytes, as libFuzzer passes them: no NUL after
		 * the input, so that ASan sees a read past its end */
		exact = g_memdup2(data, len);
		alarm(timeout);
		LLVMFuzzerTestOneInput((const uint8_t *)exact, len);
		alarm(0);
		g_clear_pointer(&exact, g_free);
		printf("ok %u - %s\n", i + 1, current);
	}
	return 0;
}
