/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * check_mutator.c - tests of the scenario target's structure-aware
 * mutator (tests/fuzz/mutator.c), without libFuzzer.  Every other
 * scenario of scenarios/ is mutated under several seeds: most results must still
 * parse, clearly more than after a random byte flip, and a good share
 * must pass the check pass too (statements that make sense, which is
 * what the mutator is for).  Each kind of mutation must be seen, the
 * result must fit max_size, and the same seed must give the same bytes.
 */
#include <stdio.h>
#include <string.h>

#include "testutil.h"
#include "core/exec.h"
#include "lang/scenario.h"
#include "mutator.h"

#ifndef FUZZ_SCENARIOS_DIR
#error "FUZZ_SCENARIOS_DIR must name the scenarios directory"
#endif

#define SEEDS		3u	/* mutations of each scenario */
#define EVERY		2u	/* of the scenarios (valgrind's time) */
#define MAX_GROWTH	4096u	/* bytes a mutation may add */

/* The byte mutator: flips one byte, chosen by a counter (deterministic). */
static guint flips;

static size_t
flip_byte(uint8_t *data, size_t size, size_t max_size G_GNUC_UNUSED)
{
	if (size > 0)
		data[(flips++ * 2654435761u) % size] ^= 0x5a;
	return size;
}

/* The *.scn files below dir, sorted. */
static void
collect(const char *dir, GPtrArray *files)
{
	g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
	const char *name;

	ck_assert_ptr_nonnull(d);
	while ((name = g_dir_read_name(d)) != NULL) {
		g_autofree char *p = g_build_filename(dir, name, NULL);

		if (g_file_test(p, G_FILE_TEST_IS_DIR))
			collect(p, files);
		else if (g_str_has_suffix(name, ".scn"))
			g_ptr_array_add(files, g_steal_pointer(&p));
	}
}

static int
str_cmp(gconstpointer a, gconstpointer b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static GPtrArray *
scenario_files(void)
{
	GPtrArray *files = g_ptr_array_new_with_free_func(g_free);

	collect(FUZZ_SCENARIOS_DIR, files);
	g_ptr_array_sort(files, str_cmp);
	ck_assert_uint_gt(files->len, 50);
	return files;
}

/* MUT_DEBUG=1 in the environment: print why structured mutations fail. */
static gboolean debug;

/* 0: does not parse, 1: parses, 2: parses and passes the check pass. */
static int
grade(const char *path, const uint8_t *data, size_t len)
{
	g_autoptr(GError) err = NULL;
	g_autoptr(SimScenario) sc = sim_parse_buffer(path,
	    (const char *)data, len, sim_include_file, NULL, &err);
	g_autoptr(GPtrArray) errors = NULL;

	if (sc == NULL) {
		if (debug)
			fprintf(stderr, "PARSE %s\n", err->message);
		return 0;
	}
	errors = g_ptr_array_new_with_free_func(g_free);
	if (sim_check_scenario(sc, errors))
		return 2;
	if (debug && errors->len > 0)
		fprintf(stderr, "CHK %s\n", (char *)errors->pdata[0]);
	return 1;
}

/* Counts over every scenario and SEEDS seeds. */
typedef struct {
	guint	total, changed, parsed, checked, originals_checked;
} Tally;

static void
tally(gboolean structured, Tally *t)
{
	g_autoptr(GPtrArray) files = scenario_files();
	guint i, seed;

	memset(t, 0, sizeof(*t));
	debug = structured && g_getenv("MUT_DEBUG") != NULL;
	flips = 0;
	for (i = 0; i < files->len; i += EVERY) {
		g_autofree char *text = NULL;
		gsize len;

		ck_assert(g_file_get_contents(files->pdata[i], &text, &len,
		    NULL));
		if (structured && grade(files->pdata[i], (uint8_t *)text,
		    len) == 2)
			t->originals_checked++;
		for (seed = 1; seed <= SEEDS; seed++) {
			g_autofree uint8_t *buf = g_malloc(len + MAX_GROWTH);
			size_t n;

			memcpy(buf, text, len);
			n = structured ? fuzz_mutate(buf, len,
			    len + MAX_GROWTH, seed * 7919u + i, flip_byte) :
			    flip_byte(buf, len, len + MAX_GROWTH);
			ck_assert_uint_le(n, len + MAX_GROWTH);
			t->total++;
			if (n != len || memcmp(buf, text, len) != 0)
				t->changed++;
			switch (grade(files->pdata[i], buf, n)) {
			case 2:
				t->checked++;
				/* fall through */
			case 1:
				t->parsed++;
				break;
			default:
				break;
			}
		}
	}
}

/*
 * Mutated scenarios mostly parse, more often than after one flipped
 * byte, and many pass the check pass: the mutator writes statements.
 */
TU_CASE(parse_share, "mutator/share")
{
	Tally s, b;

	tally(TRUE, &s);
	tally(FALSE, &b);
	fprintf(stderr, "# structured: %u mutations, %u changed, %u parse, "
	    "%u check (originals checking: %u)\n", s.total, s.changed,
	    s.parsed, s.checked, s.originals_checked);
	fprintf(stderr, "# one byte flipped: %u mutations, %u parse, "
	    "%u check\n", b.total, b.parsed, b.checked);
	ck_assert_uint_ge(s.changed * 100, s.total * 95);
	ck_assert_uint_ge(s.parsed * 100, s.total * 75);
	ck_assert_uint_ge(s.checked * 100, s.total * 40);
	ck_assert_uint_gt(s.parsed, b.parsed);
	ck_assert_uint_gt(s.checked, b.checked);
}
END_TEST

static const char base[] =
	"# a comment\n"
	"socket a tcp4\n"
	"socket b tcp6\n"
	"setsockopt a reuseport 1\n"
	"bind a 127.0.0.1:8080\n"
	"map m sockarray entries=4\n"
	"update m 0 a = -EINVAL\n";

static guint
count_lines(const uint8_t *d, size_t n)
{
	guint c = 0;
	size_t i;

	for (i = 0; i < n; i++)
		c += d[i] == '\n';
	return c;
}

static gboolean
has(const uint8_t *d, size_t n, const char *s)
{
	g_autofree char *z = g_strndup((const char *)d, n);

	return strstr(z, s) != NULL;
}

/* Every kind of mutation shows up over 2000 seeds (thresholds at about
 * half the counts seen). */
TU_CASE(kinds, "mutator/kinds")
{
	const size_t len = sizeof(base) - 1;
	guint seed, fewer = 0, more = 0, name = 0, number = 0, errnum = 0,
	    verb = 0, kind = 0, port = 0, key = 0, noexp = 0, bytes = 0;

	for (seed = 0; seed < 2000; seed++) {
		uint8_t buf[1024];
		size_t n;
		guint lines;

		memcpy(buf, base, len);
		flips = 0;
		n = fuzz_mutate(buf, len, sizeof(buf), seed, flip_byte);
		lines = count_lines(buf, n);
		fewer += lines < 7;
		more += lines > 7;
		/* a name the input defines, in another statement's place */
		name += has(buf, n, "setsockopt b ") || has(buf, n,
		    "bind b ") || has(buf, n, "update m 0 b");
		number += has(buf, n, " 4294967295") || has(buf, n,
		    "=65536") || has(buf, n, " -1\n");
		errnum += has(buf, n, "= -E") && !has(buf, n, "= -EINVAL");
		verb += !has(buf, n, "setsockopt a") && !has(buf, n,
		    "setsockopt b") && lines == 7;
		kind += has(buf, n, "udp4") || has(buf, n, "raw6");
		port += has(buf, n, ":65535") || has(buf, n, "[::1]:8080");
		key += !has(buf, n, "entries=") && lines == 7;
		noexp += !has(buf, n, " = ");
		bytes += flips > 0;	/* left to the byte mutator */
	}
	fprintf(stderr, "# kinds: fewer %u more %u name %u number %u errno %u "
	    "verb %u kind %u port %u key %u noexp %u bytes %u\n", fewer,
	    more, name, number, errnum, verb, kind, port, key, noexp, bytes);
	ck_assert_uint_gt(fewer, 120);
	ck_assert_uint_gt(more, 120);
	ck_assert_uint_gt(name, 8);
	ck_assert_uint_gt(number, 5);
	ck_assert_uint_gt(errnum, 40);
	ck_assert_uint_gt(verb, 15);
	ck_assert_uint_gt(kind, 30);
	ck_assert_uint_gt(port, 10);
	ck_assert_uint_gt(key, 15);
	ck_assert_uint_gt(noexp, 40);
	ck_assert_uint_gt(bytes, 150);
}
END_TEST

/* The same seed gives the same bytes; different seeds differ. */
TU_CASE(deterministic, "mutator/seed")
{
	const size_t len = sizeof(base) - 1;
	guint seed, differ = 0;

	for (seed = 0; seed < 200; seed++) {
		uint8_t a[1024], b[1024], c[1024];
		size_t na, nb, nc;

		memcpy(a, base, len);
		memcpy(b, base, len);
		memcpy(c, base, len);
		flips = 0;
		na = fuzz_mutate(a, len, sizeof(a), seed, flip_byte);
		flips = 0;
		nb = fuzz_mutate(b, len, sizeof(b), seed, flip_byte);
		flips = 0;
		nc = fuzz_mutate(c, len, sizeof(c), seed + 1, flip_byte);
		ck_assert_uint_eq(na, nb);
		ck_assert_mem_eq(a, b, na);
		differ += na != nc || memcmp(a, c, na) != 0;
	}
	ck_assert_uint_gt(differ, 180);
}
END_TEST

/* A result never passes max_size; with no room to grow, it does not. */
TU_CASE(max_size, "mutator/size")
{
	const size_t len = sizeof(base) - 1;
	guint seed;

	for (seed = 0; seed < 500; seed++) {
		uint8_t buf[sizeof(base)];
		size_t n;

		memcpy(buf, base, len);
		n = fuzz_mutate(buf, len, len, seed, flip_byte);
		ck_assert_uint_le(n, len);
		n = fuzz_mutate(buf, n, n, seed, NULL);
		ck_assert_uint_le(n, len);
	}
	/* nothing to mutate but bytes; an empty input stays empty */
	ck_assert_uint_eq(fuzz_mutate((uint8_t *)"", 0, 0, 1, NULL), 0);
}
END_TEST

/* The cross-over keeps the first input and adds statements of the second. */
TU_CASE(cross_over, "mutator/cross")
{
	static const char other[] = "close a\nsend b x\nlisten a 5\n";
	const size_t len = sizeof(base) - 1;
	guint seed, spliced = 0;

	for (seed = 0; seed < 300; seed++) {
		uint8_t out[1024];
		size_t n = fuzz_cross_over((const uint8_t *)base, len,
		    (const uint8_t *)other, sizeof(other) - 1, out,
		    sizeof(out), seed);
		guint lines;

		ck_assert_uint_gt(n, 0);
		lines = count_lines(out, n);
		ck_assert_uint_ge(lines, 7);
		ck_assert_uint_le(lines, 10);
		spliced += has(out, n, "close a\n") || has(out, n,
		    "send b x\n") || has(out, n, "listen a 5\n");
		/* no room: nothing */
		ck_assert_uint_eq(fuzz_cross_over((const uint8_t *)base, len,
		    (const uint8_t *)other, sizeof(other) - 1, out, 64,
		    seed), 0);
	}
	ck_assert_uint_eq(spliced, 300);
	{
		uint8_t out[sizeof(base)];

		ck_assert_uint_eq(fuzz_cross_over((const uint8_t *)base, len,
		    (const uint8_t *)"", 0, out, sizeof(out), 1), 0);
	}
}
END_TEST

TU_TCASE("mutator/share", 120, NULL, NULL);

TU_MAIN("fuzz_mutator")
