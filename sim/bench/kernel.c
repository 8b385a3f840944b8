/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * bench-kernel.c - the live-kernel part of reuseport-bench (built with
 * the kernel backend): the model's map operation mix (update with
 * BPF_NOEXIST, lookup, delete, close with detach) run through bpf() on
 * the running kernel (libbpf's wrappers, as a program would call them) and through the model, in one run, with both rates
 * and their ratio.
 *
 * The kernel side runs on its own thread in a private network namespace
 * (unshare(CLONE_NEWNET), lo brought up), on 127.0.0.1 only; it needs
 * root (CAP_SYS_ADMIN, CAP_BPF), and says why and is skipped otherwise.
 * Both sides make the same n TCP listeners first (groups of at most 32768
 * a port, as the model part of the bench does), outside the timing.
 * Each side runs the mix BENCH_ROUNDS times (new listeners each round)
 * and keeps each operation's best round, timed by the thread's CPU clock
 * (user and system time of the thread that runs it: the kernel's work
 * in bpf() and close() counts, another process's does not) and by the
 * wall clock.  Figures go to docs/performance.md; nothing here asserts a
 * speed.
 */
#define _GNU_SOURCE	/* unshare(), CLONE_NEWNET */
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/utsname.h>
#include <time.h>

#include <linux/bpf.h>
#include <bpf/bpf.h>

#include <glib.h>

#include "backend/kernel.h"
#include "bench/kernel.h"
#include "bench/util.h"

#define GROUP_MAX	32768u
#define BENCH_ROUNDS	5

enum { OP_UPDATE, OP_LOOKUP, OP_DELETE, OP_CLOSE, OP_N };

static const char *const op_names[OP_N] = {
	"update (noexist)", "lookup (cookie)", "delete", "close with detach",
};

typedef struct {
	unsigned	 n;
	double		 secs[OP_N];	/* best round, thread CPU time */
	double		 wall[OP_N];	/* best round, wall clock */
	char		*skip;		/* why the kernel side did not run */
} Mix;

/* A point in time: the thread's CPU clock and the wall clock. */
typedef struct {
	double	cpu;
	double	wall;
} Clock;

static Clock
now(void)
{
	struct timespec ts;
	Clock c;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	c.cpu = (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
	c.wall = (double)g_get_monotonic_time() / 1e6;
	return c;
}

/* Keep op's time since t when it is this run's best. */
static void
took(Mix *mx, int op, Clock t)
{
	Clock e = now();

	if (mx->secs[op] == 0 || e.cpu - t.cpu < mx->secs[op])
		mx->secs[op] = e.cpu - t.cpu;
	if (mx->wall[op] == 0 || e.wall - t.wall < mx->wall[op])
		mx->wall[op] = e.wall - t.wall;
}

/* A libbpf answer as -errno (libbpf 1.x returns it and sets errno). */
static int
lb(int r)
{
	return r < 0 ? -errno : r;
}

/* One round of the kernel side; FALSE with mx->skip on a failure. */
static gboolean
kernel_round(Mix *mx, int *fds)
{
	unsigned made = 0, i;
	uint64_t v;
	int map = -1, err = 0;
	Clock t;

	map = lb(bpf_map_create(BPF_MAP_TYPE_REUSEPORT_SOCKARRAY, "rp_bench",
	    4, 8, mx->n, NULL));
	if (map < 0) {
		mx->skip = g_strdup_printf("bpf_map_create(): %s (needs "
		    "CAP_BPF)", g_strerror(-map));
		return FALSE;
	}
	for (made = 0; made < mx->n; made++) {
		struct sockaddr_in sa = { .sin_family = AF_INET,
		    .sin_port = htons((uint16_t)(20000 + made / GROUP_MAX)),
		    .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
		int one = 1, s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

		if (s < 0 || setsockopt(s, SOL_SOCKET, SO_REUSEPORT, &one,
		    sizeof(one)) != 0 || bind(s, (struct sockaddr *)&sa,
		    sizeof(sa)) != 0 || listen(s, 128) != 0) {
			mx->skip = g_strdup_printf("listener %u: %s", made,
			    g_strerror(errno));
			if (s >= 0)
				close(s);
			goto out;
		}
		fds[made] = s;
	}
	t = now();
	for (i = 0; i < mx->n && err == 0; i++) {
		v = (uint64_t)fds[i];
		err = lb(bpf_map_update_elem(map, &i, &v, BPF_NOEXIST));
	}
	took(mx, OP_UPDATE, t);
	t = now();
	for (i = 0; i < mx->n && err == 0; i++)
		err = lb(bpf_map_lookup_elem(map, &i, &v));
	took(mx, OP_LOOKUP, t);
	t = now();
	for (i = 0; i < mx->n && err == 0; i++)
		err = lb(bpf_map_delete_elem(map, &i));
	took(mx, OP_DELETE, t);
	for (i = 0; i < mx->n && err == 0; i++) {
		v = (uint64_t)fds[i];
		err = lb(bpf_map_update_elem(map, &i, &v, BPF_ANY));
	}
	if (err != 0) {
		mx->skip = g_strdup_printf("libbpf: %s", g_strerror(-err));
		goto out;
	}
	t = now();
	for (i = mx->n; i-- > 0;)
		close(fds[i]);
	took(mx, OP_CLOSE, t);
	made = 0;
out:
	while (made-- > 0)
		close(fds[made]);
	close(map);
	return mx->skip == NULL;
}

/* The kernel side, on its own thread (its network namespace is its own). */
static gpointer
kernel_mix(gpointer data)
{
	Mix *mx = data;
	g_autofree int *fds = g_new(int, mx->n);
	int err;

	if (unshare(CLONE_NEWNET) != 0) {
		mx->skip = g_strdup_printf("unshare(CLONE_NEWNET): %s (needs "
		    "root)", g_strerror(errno));
		return NULL;
	}
	if ((err = sim_kernel_lo_up()) != 0) {
		mx->skip = g_strdup_printf("bringing lo up: %s",
		    g_strerror(-err));
		return NULL;
	}
	for (int r = 0; r < BENCH_ROUNDS; r++)
		if (!kernel_round(mx, fds))
			break;
	return NULL;
}

static void
die(const char *what, int err)
{
	fprintf(stderr, "reuseport-bench: %s: %s\n", what, g_strerror(-err));
	exit(1);
}

/* One round of the model side: the same listeners and the same four
 * loops. */
static void
model_round(const struct rp_profile *prof, Mix *mx)
{
	struct rp_state *st = rp_state_new(prof);
	g_autofree int *fds = g_new(int, mx->n);
	struct rp_map_attr a;
	unsigned i;
	uint64_t v;
	int m, err;
	Clock t;

	rp_proc_set_memlock(st, 0, UINT64_MAX);
	for (i = 0; i < mx->n; i++) {
		struct rp_sockaddr sa = bench_lo4((uint16_t)(20000 +
		    i / GROUP_MAX));

		fds[i] = rp_socket(st, 0, RP_AF_INET, RP_SOCK_STREAM, 0);
		if (fds[i] < 0)
			die("socket", fds[i]);
		rp_setsockopt_int(st, 0, fds[i], RP_SO_REUSEPORT, 1);
		if ((err = rp_bind(st, 0, fds[i], &sa)) != 0 ||
		    (err = rp_listen(st, 0, fds[i], 128)) != 0)
			die("listen", err);
	}
	rp_map_attr_init(&a, RP_MAP_REUSEPORT_SOCKARRAY, 8, mx->n);
	if ((m = rp_map_create(st, 0, &a)) < 0)
		die("map create", m);
	t = now();
	for (i = 0; i < mx->n; i++)
		if ((err = rp_map_update(st, 0, m, i, (uint64_t)fds[i],
		    RP_BPF_NOEXIST)) != 0)
			die("update", err);
	took(mx, OP_UPDATE, t);
	t = now();
	for (i = 0; i < mx->n; i++)
		if ((err = rp_map_lookup(st, 0, m, i, &v, 0)) != 0)
			die("lookup", err);
	took(mx, OP_LOOKUP, t);
	t = now();
	for (i = 0; i < mx->n; i++)
		if ((err = rp_map_delete(st, 0, m, i)) != 0)
			die("delete", err);
	took(mx, OP_DELETE, t);
	for (i = 0; i < mx->n; i++)
		rp_map_update(st, 0, m, i, (uint64_t)fds[i], RP_BPF_ANY);
	t = now();
	for (i = mx->n; i-- > 0;)
		if ((err = rp_close(st, 0, fds[i])) != 0)
			die("close", err);
	took(mx, OP_CLOSE, t);
	rp_state_free(st);
}

static void
model_mix(const struct rp_profile *prof, Mix *mx)
{
	for (int r = 0; r < BENCH_ROUNDS; r++)
		model_round(prof, mx);
}

static double
rate(unsigned n, double secs)
{
	return secs > 0 ? (double)n / secs : 0.0;
}

/*
 * Run the mix with n listeners on the live kernel and on the model
 * (profile prof) and print both rates and model/kernel.  Returns 0, or
 * 77 when the kernel side could not run (printed with why).
 */
int
bench_kernel(const struct rp_profile *prof, unsigned n)
{
	Mix k = { .n = n }, m = { .n = n };
	struct rlimit rl;
	struct utsname u;
	GThread *th;
	unsigned i;

	/* n listeners, the map, stdio: raise the fd limit when allowed */
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < n + 64) {
		rl.rlim_cur = n + 64;
		if (rl.rlim_max < rl.rlim_cur)
			rl.rlim_max = rl.rlim_cur;
		(void)setrlimit(RLIMIT_NOFILE, &rl);
	}
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < n + 64) {
		if (rl.rlim_cur < 128) {
			printf("kernel: skipped: RLIMIT_NOFILE is %lu\n",
			    (unsigned long)rl.rlim_cur);
			return 77;
		}
		printf("kernel: RLIMIT_NOFILE %lu cannot be raised (no "
		    "CAP_SYS_RESOURCE): %lu listeners, not %u\n",
		    (unsigned long)rl.rlim_cur,
		    (unsigned long)rl.rlim_cur - 64, n);
		n = (unsigned)rl.rlim_cur - 64;
		k.n = m.n = n;
	}
	if (uname(&u) != 0)
		g_strlcpy(u.release, "?", sizeof(u.release));
	th = g_thread_new("bench-kernel", kernel_mix, &k);
	g_thread_join(th);
	if (k.skip != NULL) {
		printf("kernel: skipped: %s\n", k.skip);
		g_free(k.skip);
		return 77;
	}
	model_mix(prof, &m);
	printf("live kernel %s (bpf(), private netns) vs model (profile %s), "
	    "%u listeners, best of %d rounds:\n", u.release,
	    rp_profile_name(prof), n, BENCH_ROUNDS);
	printf("%-20s %13s %13s %9s  %13s %13s %9s\n", "", "kernel ops/s",
	    "model ops/s", "ratio", "kernel (wall)", "model (wall)", "ratio");
	for (i = 0; i < OP_N; i++) {
		double kr = rate(n, k.secs[i]), mr = rate(n, m.secs[i]);
		double kw = rate(n, k.wall[i]), mw = rate(n, m.wall[i]);

		printf("%-20s %13.0f %13.0f %9.1f  %13.0f %13.0f %9.1f\n",
		    op_names[i], kr, mr, kr > 0 ? mr / kr : 0.0, kw, mw,
		    kw > 0 ? mw / kw : 0.0);
	}
	return 0;
}
