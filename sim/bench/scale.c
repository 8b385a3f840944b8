/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * scale.c - reuseport-bench's scale section: what one large group
 * and one large map cost, with invariant checking off, incremental
 * (rp_check_step()) and full (rp_check()) after every call.
 *
 * 1. A group of N TCP listeners, N = 4,096 and 32,768 (the kernel's cap):
 *    each member is created, given SO_REUSEPORT, bound, made to listen
 *    and put into a sockarray slot; then all are closed.  Each run is a
 *    fresh state; one line per (N, checking) with the build and teardown
 *    times, then the ratios the issue asks for: 32,768 against 4,096 (a
 *    linear cost gives 8) and incremental against off.  The full check
 *    after every call is quadratic; at 32,768 it takes minutes, so it
 *    only runs with --full.
 * 2. A sockarray of 1,000,000 slots filled with 1,000,000 UDP sockets
 *    (groups of 32,768 on 31 ports) and freed (closing its fd empties
 *    every slot), checking off and incremental: the time of each part
 *    and the heap it takes, per slot and per socket (mallinfo2()).
 *
 * Nothing here asserts a speed; the figures go to docs/performance.md.
 *
 * Usage: reuseport-bench --scale [--full] [--profile P] [-m SLOTS]
 *        reuseport-bench --scale -g N --checking off|incremental|full
 *
 * The second form builds and tears down one group of N once, nothing
 * else: a run to count instructions of, under callgrind, where CPU time
 * on a shared machine is too noisy.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench/bench.h"
#include "bench/util.h"
#include "rp.h"

enum checking {
	CHECK_OFF,
	CHECK_STEP,
	CHECK_FULL,
};

static const char *const checking_name[] = {
	[CHECK_OFF] = "off",
	[CHECK_STEP] = "incremental",
	[CHECK_FULL] = "full",
};

/* One run: its state and how it checks after each call. */
struct scale {
	struct rp_state	*st;
	enum checking	checking;
	unsigned long	calls;
};

/*
 * CPU time of the process: on a machine shared with other jobs, wall
 * time counts the time the scheduler gives them; CPU time does not (the
 * caches they pollute still count).  Each figure is also the best of a
 * few runs.
 */
static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
fail(const char *what, int err)
{
	fprintf(stderr, "reuseport-bench: %s: %s\n", what,
	    err < 0 ? g_strerror(-err) : "failed");
	exit(1);
}

/* After every model call: the invariants, as configured. */
static int
checked(struct scale *s, const char *what, int ret)
{
	g_autoptr(GError) err = NULL;
	gboolean ok = TRUE;

	if (ret < 0)
		fail(what, ret);
	s->calls++;
	if (s->checking == CHECK_STEP)
		ok = rp_check_step(s->st, &err);
	else if (s->checking == CHECK_FULL)
		ok = rp_check(s->st, &err);
	if (!ok) {
		fprintf(stderr, "reuseport-bench: after %s: %s\n", what,
		    err->message);
		exit(1);
	}
	return ret;
}

/* Build and tear down one n-member group; the two times in *build and
 * *teardown.  Returns the number of calls. */
static unsigned long
group_run(const struct rp_profile *prof, unsigned n, enum checking checking,
    double *build, double *teardown)
{
	struct scale s = { .st = rp_state_new(prof), .checking = checking };
	struct rp_sockaddr sa = bench_lo4(8320);
	struct rp_map_attr a;
	int *fds = g_new(int, n), m;
	double t;

	rp_proc_set_memlock(s.st, 0, UINT64_MAX);
	rp_map_attr_init(&a, RP_MAP_REUSEPORT_SOCKARRAY, 8, n);
	m = checked(&s, "map create", rp_map_create(s.st, 0, &a));
	t = now();
	for (unsigned i = 0; i < n; i++) {
		fds[i] = checked(&s, "socket", rp_socket(s.st, 0, RP_AF_INET,
		    RP_SOCK_STREAM, 0));
		checked(&s, "setsockopt", rp_setsockopt_int(s.st, 0, fds[i],
		    RP_SO_REUSEPORT, 1));
		checked(&s, "bind", rp_bind(s.st, 0, fds[i], &sa));
		checked(&s, "listen", rp_listen(s.st, 0, fds[i], 128));
		checked(&s, "update", rp_map_update(s.st, 0, m, i,
		    (uint64_t)fds[i], RP_BPF_NOEXIST));
	}
	*build = now() - t;
	t = now();
	for (unsigned i = 0; i < n; i++)
		checked(&s, "close", rp_close(s.st, 0, fds[i]));
	*teardown = now() - t;
	rp_state_free(s.st);
	g_free(fds);
	return s.calls;
}

static void
bench_group(const struct rp_profile *prof, bool full32k)
{
	static const unsigned sizes[] = { 4096, RP_MAX_SOCKS_CAP };
	double total[2][3] = { { 0 } };

	printf("\nscale: one group of N TCP listeners, each bound, listening "
	    "and in a sockarray slot, then all closed; checks after every "
	    "call; CPU seconds, best of 9 (4096) or 3 (32768) runs\n");
	printf("%-7s %-12s %9s %10s %10s %10s %12s\n", "N", "checking",
	    "calls", "build s", "teardown s", "total s", "us/member");
	for (unsigned si = 0; si < G_N_ELEMENTS(sizes); si++) {
		for (unsigned c = CHECK_OFF; c <= CHECK_FULL; c++) {
			double b, td;
			unsigned long calls;

			if (c == CHECK_FULL && sizes[si] > 4096 && !full32k) {
				printf("%-7u %-12s %9s   (quadratic: minutes; "
				    "--full runs it)\n", sizes[si],
				    checking_name[c], "-");
				continue;
			}
			/* the best of a few runs; one for the slow ones */
			b = td = 0;
			for (unsigned r = 0; r < (c == CHECK_FULL ? 1u :
			    sizes[si] > 4096 ? 3u : 9u); r++) {
				double b1, td1;

				calls = group_run(prof, sizes[si], c, &b1,
				    &td1);
				if (r == 0 || b1 + td1 < b + td) {
					b = b1;
					td = td1;
				}
			}
			total[si][c] = b + td;
			printf("%-7u %-12s %9lu %10.3f %10.3f %10.3f %12.2f\n",
			    sizes[si], checking_name[c], calls, b, td, b + td,
			    (b + td) * 1e6 / sizes[si]);
			fflush(stdout);
		}
	}
	printf("32768 / 4096 (8 when linear): off %.1f, incremental %.1f",
	    total[1][CHECK_OFF] / total[0][CHECK_OFF],
	    total[1][CHECK_STEP] / total[0][CHECK_STEP]);
	if (total[1][CHECK_FULL] > 0)
		printf(", full %.1f", total[1][CHECK_FULL] /
		    total[0][CHECK_FULL]);
	printf("\nincremental / off: %.2f at 4096, %.2f at 32768; full / off: "
	    "%.1f at 4096\n", total[0][CHECK_STEP] / total[0][CHECK_OFF],
	    total[1][CHECK_STEP] / total[1][CHECK_OFF],
	    total[0][CHECK_FULL] / total[0][CHECK_OFF]);
}

/* Fill an n-slot sockarray with n UDP members and free it. */
static void
map_run(const struct rp_profile *prof, unsigned n, enum checking checking)
{
	struct scale s = { .st = rp_state_new(prof), .checking = checking };
	struct rp_map_attr a;
	size_t h0, h1, h2, h3, h4;
	double t0, t1, t2, t3;
	int *fds = g_new(int, n), m;

	rp_proc_set_memlock(s.st, 0, UINT64_MAX);
	if (checking == CHECK_STEP)
		checked(&s, "start", 0);	/* the checker's record exists */
	h0 = bench_heap_used();
	t0 = now();
	rp_map_attr_init(&a, RP_MAP_REUSEPORT_SOCKARRAY, 8, n);
	m = checked(&s, "map create", rp_map_create(s.st, 0, &a));
	h1 = bench_heap_used();
	for (unsigned i = 0; i < n; i++) {
		struct rp_sockaddr sa = bench_lo4((uint16_t)(9000 + i /
		    RP_MAX_SOCKS_CAP));

		fds[i] = checked(&s, "socket", rp_socket(s.st, 0, RP_AF_INET,
		    RP_SOCK_DGRAM, 0));
		checked(&s, "setsockopt", rp_setsockopt_int(s.st, 0, fds[i],
		    RP_SO_REUSEPORT, 1));
		checked(&s, "bind", rp_bind(s.st, 0, fds[i], &sa));
	}
	h2 = bench_heap_used();
	t1 = now();
	for (unsigned i = 0; i < n; i++)
		checked(&s, "update", rp_map_update(s.st, 0, m, i,
		    (uint64_t)fds[i], RP_BPF_NOEXIST));
	h3 = bench_heap_used();
	t2 = now();
	checked(&s, "close map", rp_close(s.st, 0, m));
	t3 = now();
	h4 = bench_heap_used();
	printf("%-12s %8.2f %8.2f %8.2f %13.2f %12.1f %12.2f\n",
	    checking_name[checking], t1 - t0, t2 - t1, t3 - t2,
	    (double)(h3 - h2) / n, (double)(h2 - h1) / n,
	    ((double)h4 - (double)h2) / n);
	fflush(stdout);
	for (unsigned i = 0; i < n; i++)
		rp_close(s.st, 0, fds[i]);
	rp_state_free(s.st);
	g_free(fds);
	(void)h0;
}

static void
bench_map(const struct rp_profile *prof, unsigned n)
{
	printf("\nscale: a sockarray of %u slots filled with %u UDP sockets "
	    "(groups of 32768) and freed; heap from mallinfo2()\n", n, n);
	printf("%-12s %8s %8s %8s %13s %12s %12s\n", "checking", "make s",
	    "fill s", "free s", "B/slot fill", "B/socket", "B/slot after");
	map_run(prof, n, CHECK_OFF);
	map_run(prof, n, CHECK_STEP);
	printf("(B/slot fill: the heap the updates took, the slot pages and, "
	    "incrementally, the checker's record of each slot; B/socket: a "
	    "bound UDP member with its group and bucket share, and its record; "
	    "B/slot after: what the freed map leaves, per slot)\n");
}

int
bench_scale(int argc, char **argv)
{
	const struct rp_profile *prof = rp_profile_find("6.18");
	bool full32k = false;
	unsigned slots = 1000000, one = 0;
	int checking = -1;

	for (int i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--full") == 0)
			full32k = true;
		else if (strcmp(argv[i], "-m") == 0 && i + 1 < argc)
			slots = (unsigned)strtoul(argv[++i], NULL, 10);
		else if (strcmp(argv[i], "-g") == 0 && i + 1 < argc)
			one = (unsigned)strtoul(argv[++i], NULL, 10);
		else if (strcmp(argv[i], "--checking") == 0 && i + 1 < argc) {
			i++;
			for (int c = CHECK_OFF; c <= CHECK_FULL; c++)
				if (strcmp(argv[i], checking_name[c]) == 0)
					checking = c;
			if (checking < 0)
				goto usage;
		}
		else if (strcmp(argv[i], "--profile") == 0 && i + 1 < argc &&
		    rp_profile_find(argv[i + 1]) != NULL)
			prof = rp_profile_find(argv[++i]);
		else
			goto usage;
	}
	if ((one != 0) != (checking >= 0) || one > RP_MAX_SOCKS_CAP)
		goto usage;
	if (one != 0) {
		double b, td;

		group_run(prof, one, (enum checking)checking, &b, &td);
		printf("group of %u, checking %s: %.3f s\n", one,
		    checking_name[checking], b + td);
		return 0;
	}
	if (slots == 0 || slots > 1000000) {
		fprintf(stderr, "reuseport-bench: -m must be 1..1000000 (one "
		    "process's fds)\n");
		return 2;
	}
	printf("reuseport-bench --scale: profile %s\n", rp_profile_name(prof));
	bench_group(prof, full32k);
	bench_map(prof, slots);
	return 0;
usage:
	fprintf(stderr, "usage: reuseport-bench --scale [--full] [-m SLOTS] "
	    "[--profile P]\n"
	    "       reuseport-bench --scale -g N --checking "
	    "off|incremental|full [--profile P]\n");
	return 2;
}
