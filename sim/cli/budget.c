/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * budget.c - the time and memory budget of `reuseport-sim run`.
 *
 * A scenario may ask for more than a machine has: 100,000,000 sockets
 * (the largest expansion the language allows), a program that loops
 * until its instruction budget, a kernel that never answers.  Such a run
 * is bounded here from outside the model: a watchdog thread wakes every
 * SIM_BUDGET_TICK_MS, and when the run has taken longer than --timeout
 * seconds, or its resident memory (/proc/self/statm) is above
 * --max-memory bytes, it names the scenario and profile being run on
 * stderr (and as a TAP "Bail out!" line), and ends the process with
 * SIM_EXIT_BUDGET.  The process ends at once (_exit): the model and the
 * kernel backend hold nothing the kernel does not free with the
 * process.  Nothing here changes what a run does within its budget.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/budget.h"

#define SIM_BUDGET_TICK_MS	20

static struct {
	GMutex		 lock;
	GCond		 cond;
	GThread		*thread;
	gboolean	 stop;
	SimBudget	 b;
	gint64		 start;		/* g_get_monotonic_time() */
	const char	*path, *profile; /* being run; the caller's */
} bw;

/* Half the machine's memory (sysconf), or 0 when unknown. */
guint64
sim_budget_default_memory(void)
{
	long pages = sysconf(_SC_PHYS_PAGES), size = sysconf(_SC_PAGESIZE);

	if (pages <= 0 || size <= 0)
		return 0;	/* LCOV_EXCL_LINE: Linux knows */
	return (guint64)pages * (guint64)size / 2;
}

/* Read N, NK, NM or NG (powers of 1024) into *bytes; FALSE when s is not
 * one or overflows. */
gboolean
sim_budget_parse_size(const char *s, guint64 *bytes)
{
	guint64 v, mul = 1;
	char *end = NULL;

	if (s == NULL || !g_ascii_isdigit(s[0]))
		return FALSE;
	errno = 0;
	v = g_ascii_strtoull(s, &end, 10);
	if (errno != 0)
		return FALSE;
	switch (*end) {
	case 'K': case 'k':
		mul = G_GUINT64_CONSTANT(1) << 10;
		end++;
		break;
	case 'M': case 'm':
		mul = G_GUINT64_CONSTANT(1) << 20;
		end++;
		break;
	case 'G': case 'g':
		mul = G_GUINT64_CONSTANT(1) << 30;
		end++;
		break;
	default:
		break;
	}
	if (*end != '\0' || (v != 0 && mul > G_MAXUINT64 / v))
		return FALSE;
	*bytes = v * mul;
	return TRUE;
}

/* Read a whole number of seconds, at most a year. */
gboolean
sim_budget_parse_seconds(const char *s, guint64 *seconds)
{
	guint64 v;
	char *end = NULL;

	if (s == NULL || !g_ascii_isdigit(s[0]))
		return FALSE;
	errno = 0;
	v = g_ascii_strtoull(s, &end, 10);
	if (errno != 0 || *end != '\0' || v > 366 * 24 * 3600)
		return FALSE;
	*seconds = v;
	return TRUE;
}

/* Resident bytes of this process, or 0 when /proc cannot say. */
static guint64
resident_bytes(void)
{
	char buf[128];
	unsigned long size = 0, rss = 0;
	FILE *f = fopen("/proc/self/statm", "re");

	if (f == NULL)
		return 0;	/* LCOV_EXCL_LINE: no /proc */
	if (fgets(buf, sizeof(buf), f) == NULL ||
	    sscanf(buf, "%lu %lu", &size, &rss) != 2)
		rss = 0;	/* LCOV_EXCL_LINE */
	fclose(f);
	return (guint64)rss * (guint64)sysconf(_SC_PAGESIZE);
}

/* Say which budget ran out, where, and end the process.  The caller
 * holds bw.lock. */
static G_NORETURN void
overrun(const char *what)
{
	const char *where = bw.path != NULL ? bw.path : "reading and checking the input";

	fflush(bw.b.out);
	if (bw.b.tap)
		fprintf(bw.b.out, "Bail out! %s%s%s%s: %s\n", where,
		    bw.profile != NULL ? " [" : "",
		    bw.profile != NULL ? bw.profile : "",
		    bw.profile != NULL ? "]" : "", what);
	fflush(bw.b.out);
	fprintf(stderr, "reuseport-sim: %s%s%s%s: %s\n", where,
	    bw.profile != NULL ? " [" : "", bw.profile != NULL ? bw.profile :
	    "", bw.profile != NULL ? "]" : "", what);
	fflush(stderr);
	_exit(SIM_EXIT_BUDGET);
}

static gpointer
watchdog(gpointer ud)
{
	(void)ud;
	g_mutex_lock(&bw.lock);
	while (!bw.stop) {
		gint64 now = g_get_monotonic_time();
		guint64 rss;

		if (bw.b.timeout != 0 && (guint64)(now - bw.start) >=
		    bw.b.timeout * G_USEC_PER_SEC) {
			char *msg = g_strdup_printf("time budget exceeded: "
			    "running for more than --timeout %"
			    G_GUINT64_FORMAT " seconds", bw.b.timeout);

			overrun(msg);
		}
		if (bw.b.max_memory != 0 &&
		    (rss = resident_bytes()) > bw.b.max_memory) {
			char *msg = g_strdup_printf("memory budget exceeded: "
			    "%" G_GUINT64_FORMAT " KiB resident, more than "
			    "--max-memory %" G_GUINT64_FORMAT " KiB",
			    rss >> 10, bw.b.max_memory >> 10);

			overrun(msg);
		}
		g_cond_wait_until(&bw.cond, &bw.lock, g_get_monotonic_time() +
		    SIM_BUDGET_TICK_MS * G_TIME_SPAN_MILLISECOND);
	}
	g_mutex_unlock(&bw.lock);
	return NULL;
}

/* Start the watchdog over b (copied).  Nothing to do when b sets no
 * budget.  At most one at a time. */
void
sim_budget_start(const SimBudget *b)
{
	g_return_if_fail(b != NULL && bw.thread == NULL);
	if (b->timeout == 0 && b->max_memory == 0)
		return;
	bw.b = *b;
	if (bw.b.out == NULL)
		bw.b.out = stdout;
	bw.stop = FALSE;
	bw.path = bw.profile = NULL;
	bw.start = g_get_monotonic_time();
	bw.thread = g_thread_new("budget", watchdog, NULL);
}

/* The scenario and profile now run (for the message); both stay the
 * caller's until the next call or sim_budget_stop(). */
void
sim_budget_at(const char *path, const char *profile)
{
	g_mutex_lock(&bw.lock);
	bw.path = path;
	bw.profile = profile;
	g_mutex_unlock(&bw.lock);
}

/* Stop the watchdog, if any. */
void
sim_budget_stop(void)
{
	if (bw.thread == NULL)
		return;
	g_mutex_lock(&bw.lock);
	bw.stop = TRUE;
	bw.path = bw.profile = NULL;
	g_cond_signal(&bw.cond);
	g_mutex_unlock(&bw.lock);
	g_thread_join(bw.thread);
	bw.thread = NULL;
}
