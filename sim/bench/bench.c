/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * bench.c - reuseport-bench: throughput and memory of the model's hot
 * operations.  Prints operations per second for sockarray update, lookup,
 * delete, close-with-detach and selection (hash fallback and an
 * SK_REUSEPORT program), and the bytes one slot and one socket cost.
 * Figures go to docs/performance.md; nothing here asserts a speed.
 *
 * With the kernel backend built, -k N also runs the map mix with N
 * listeners through bpf() on the live kernel and through the model, and
 * prints both rates and their ratio (kernel.c; root).
 *
 * Usage: reuseport-bench [-n SOCKETS] [-p PACKETS] [-k LISTENERS]
 *                        [--profile P]
 *        reuseport-bench --explore FILE...   (explore.c)
 *        reuseport-bench --scale [--full] [-m SLOTS] [--profile P]
 *                                            (scale.c)
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/bench.h"
#include "bench/util.h"
#include "rp.h"
#ifdef HAVE_KERNEL_BACKEND
#include "bench/kernel.h"
#include "cli/kernels.h"
#endif

#define GROUP_MAX	RP_MAX_SOCKS_CAP

static double
now(void)
{
	return (double)g_get_monotonic_time() / 1e6;
}

static void
report(const char *what, unsigned long n, double secs)
{
	printf("%-28s %10lu ops %9.3f s %14.0f ops/s\n", what, n, secs,
	    secs > 0 ? (double)n / secs : 0.0);
}

static void
die(const char *what, int err)
{
	fprintf(stderr, "reuseport-bench: %s: %s\n", what, g_strerror(-err));
	exit(1);
}

/* n listening TCP sockets in groups of at most 32768 (one port each). */
static int *
make_listeners(struct rp_state *st, unsigned n)
{
	int *fds = g_new(int, n);

	for (unsigned i = 0; i < n; i++) {
		struct rp_sockaddr sa = bench_lo4((uint16_t)(20000 +
		    i / GROUP_MAX));
		int fd = rp_socket(st, 0, RP_AF_INET, RP_SOCK_STREAM, 0);
		int err;

		if (fd < 0)
			die("socket", fd);
		rp_setsockopt_int(st, 0, fd, RP_SO_REUSEPORT, 1);
		if ((err = rp_bind(st, 0, fd, &sa)) != 0)
			die("bind", err);
		if ((err = rp_listen(st, 0, fd, 128)) != 0)
			die("listen", err);
		fds[i] = fd;
	}
	return fds;
}

static void
bench_map_ops(const struct rp_profile *prof, unsigned n)
{
	struct rp_state *st = rp_state_new(prof);
	struct rp_map_attr a;
	size_t h0, h1, h2, h3;
	int *fds, m, err;
	uint64_t v;
	double t;

	rp_proc_set_memlock(st, 0, UINT64_MAX);
	h0 = bench_heap_used();
	fds = make_listeners(st, n);
	h1 = bench_heap_used();
	rp_map_attr_init(&a, RP_MAP_REUSEPORT_SOCKARRAY, 8, n);
	m = rp_map_create(st, 0, &a);
	if (m < 0)
		die("map create", m);
	h2 = bench_heap_used();
	printf("memory: %.1f bytes per listening socket (incl. group and "
	    "bucket share), %.2f bytes per slot of the empty map\n",
	    (double)(h1 - h0) / n, (double)(h2 - h1) / n);

	t = now();
	for (unsigned i = 0; i < n; i++)
		if ((err = rp_map_update(st, 0, m, i, (uint64_t)fds[i],
		    RP_BPF_NOEXIST)) != 0)
			die("update", err);
	report("update (noexist)", n, now() - t);
	h3 = bench_heap_used();	/* the slot pages (model/slots.c) */
	printf("memory: %.2f bytes per slot of the full map\n",
	    (double)(h3 - h2) / n);
	t = now();
	for (unsigned i = 0; i < n; i++)
		if ((err = rp_map_lookup(st, 0, m, i, &v, 0)) != 0)
			die("lookup", err);
	report("lookup (cookie)", n, now() - t);
	t = now();
	for (unsigned i = 0; i < n; i++)
		if ((err = rp_map_delete(st, 0, m, i)) != 0)
			die("delete", err);
	report("delete", n, now() - t);
	for (unsigned i = 0; i < n; i++)
		rp_map_update(st, 0, m, i, (uint64_t)fds[i], RP_BPF_ANY);
	t = now();
	for (unsigned i = n; i-- > 0;)
		if ((err = rp_close(st, 0, fds[i])) != 0)
			die("close", err);
	report("close with detach", n, now() - t);
	g_free(fds);
	rp_state_free(st);
}

static void
bench_select(const struct rp_profile *prof, unsigned members,
    unsigned long packets, bool with_prog)
{
	struct rp_state *st = rp_state_new(prof);
	struct rp_packet pkt = { .protocol = RP_IPPROTO_UDP, .has_hash = true };
	struct rp_delivery d;
	uint8_t payload[4] = { 0 };
	int m = -1, err;
	double t;

	if (with_prog) {
		struct rp_map_attr a;

		rp_map_attr_init(&a, RP_MAP_REUSEPORT_SOCKARRAY, 8, members);
		m = rp_map_create(st, 0, &a);
	}
	for (unsigned i = 0; i < members; i++) {
		struct rp_sockaddr sa = bench_lo4(30000);
		int fd = rp_socket(st, 0, RP_AF_INET, RP_SOCK_DGRAM, 0);

		rp_setsockopt_int(st, 0, fd, RP_SO_REUSEPORT, 1);
		if (with_prog && i == 0) {
			struct rp_prog_attr pa = { .prog_type =
			    RP_PROG_SK_REUSEPORT, .map_fd = m, .policy = {
			    .key_src = RP_KEY_PAYLOAD, .off = 0, .width = 4 } };
			int p = rp_prog_load(st, 0, &pa);

			if (p < 0)
				die("prog load", p);
			if ((err = rp_attach_ebpf(st, 0, fd, p)) != 0)
				die("attach", err);
			rp_close(st, 0, p);
		}
		if ((err = rp_bind(st, 0, fd, &sa)) != 0)
			die("bind", err);
		if (with_prog && (err = rp_map_update(st, 0, m, i,
		    (uint64_t)fd, RP_BPF_ANY)) != 0)
			die("update", err);
	}
	pkt.src = bench_lo4(40000);
	pkt.dst = bench_lo4(30000);
	pkt.payload = payload;
	pkt.len = sizeof(payload);
	t = now();
	for (unsigned long i = 0; i < packets; i++) {
		uint32_t key = (uint32_t)(i % members);

		memcpy(payload, &key, 4);
		pkt.hash = (uint32_t)(i * 2654435761u);
		if ((err = rp_send(st, 0, &pkt, &d)) != 0 ||
		    d.outcome != RP_DELIVERED)
			die("send", err != 0 ? err : -EIO);
	}
	report(with_prog ? "select (SK_REUSEPORT prog)" : "select (hash)",
	    packets, now() - t);
	rp_state_free(st);
}

#ifdef HAVE_KERNEL_BACKEND
/*
 * --kernel K: host runs here; vm:NAME or vm:PATH runs this program again
 * in that kernel under qemu (cli/kernels.c), with --kernel host; the
 * kernel's release is in the -k report.  77 when the VM cannot be had.
 */
static int
bench_on_kernel(const char *kernel, int argc, char **argv)
{
	g_autoptr(GPtrArray) ks = NULL;
	g_autoptr(GPtrArray) args = g_ptr_array_new();
	g_autoptr(GError) e = NULL;
	const SimKernelTarget *k;
	int st;

	ks = sim_kernel_targets_parse(kernel, &e);
	if (ks == NULL || ks->len != 1) {
		fprintf(stderr, "reuseport-bench: %s\n", e != NULL ?
		    e->message : "--kernel: one kernel");
		return 2;
	}
	k = ks->pdata[0];
	if (k->vm == NULL)
		return -1;	/* the host: go on here */
	g_ptr_array_add(args, "--kernel");
	g_ptr_array_add(args, "host");
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--kernel") == 0) {
			i++;
			continue;
		}
		g_ptr_array_add(args, argv[i]);
	}
	g_ptr_array_add(args, NULL);
	fflush(stdout);
	st = sim_kernel_exec(k, (char **)args->pdata, NULL, NULL, &e);
	if (e != NULL) {
		fprintf(stderr, "reuseport-bench: %s\n", e->message);
		return st == SIM_EXIT_NO_KERNEL ? st : 2;
	}
	return st;
}
#else
/* Without the kernel backend there is no VM to run in. */
static int
bench_on_kernel(const char *kernel, int argc, char **argv)
{
	(void)argc;
	(void)argv;
	if (strcmp(kernel, "host") == 0)
		return -1;
	fprintf(stderr, "reuseport-bench: --kernel %s: built without the "
	    "kernel backend\n", kernel);
	return 2;
}
#endif

int
main(int argc, char **argv)
{
	unsigned n = 100000, members = 1024;
	unsigned long packets = 1000000;
	const char *pname = "6.18";
	const char *kernel = NULL;	/* --kernel K */
	unsigned long kn = 0;	/* -k: live-kernel listeners, 0: none */

	if (argc > 1 && strcmp(argv[1], "--explore") == 0)
		return bench_explore(argc - 2, argv + 2);
	if (argc > 1 && strcmp(argv[1], "--scale") == 0)
		return bench_scale(argc - 2, argv + 2);
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-n") == 0 && i + 1 < argc)
			n = (unsigned)strtoul(argv[++i], NULL, 10);
		else if (strcmp(argv[i], "-p") == 0 && i + 1 < argc)
			packets = strtoul(argv[++i], NULL, 10);
		else if (strcmp(argv[i], "--profile") == 0 && i + 1 < argc)
			pname = argv[++i];
		else if (strcmp(argv[i], "-k") == 0 && i + 1 < argc)
			kn = strtoul(argv[++i], NULL, 10);
		else if (strcmp(argv[i], "--kernel") == 0 && i + 1 < argc)
			kernel = argv[++i];
		else {
			fprintf(stderr, "usage: reuseport-bench [-n SOCKETS] "
			    "[-p PACKETS] [-k LISTENERS] [--profile P]\n"
			    "                       [--kernel host|vm:NAME|"
			    "vm:PATH]\n"
			    "       reuseport-bench --explore FILE...\n"
			    "       reuseport-bench --scale [--full] [-m SLOTS] "
			    "[--profile P]\n");
			return 2;
		}
	}
#ifndef HAVE_KERNEL_BACKEND
	if (kn != 0) {
		fprintf(stderr, "reuseport-bench: -k needs the kernel backend "
		    "(configure --enable-kernel-backend)\n");
		return 2;
	}
#endif
	if (kn > 1000000) {
		fprintf(stderr, "reuseport-bench: -k must be 0..1000000\n");
		return 2;
	}
	if (n == 0 || n > 10000000 || packets == 0) {
		fprintf(stderr, "reuseport-bench: -n must be 1..10000000 and "
		    "-p positive\n");
		return 2;
	}
	if (rp_profile_find(pname) == NULL) {
		fprintf(stderr, "reuseport-bench: unknown profile '%s'\n", pname);
		return 2;
	}
	if (kernel != NULL) {
		int st = bench_on_kernel(kernel, argc, argv);

		if (st >= 0)
			return st;
	}
	printf("reuseport-bench: profile %s, %u sockets, %u-member group, "
	    "%lu packets\n", pname, n, members, packets);
	bench_map_ops(rp_profile_find(pname), n);
	bench_select(rp_profile_find(pname), members, packets, false);
	bench_select(rp_profile_find(pname), members, packets, true);
#ifdef HAVE_KERNEL_BACKEND
	if (kn != 0)
		bench_kernel(rp_profile_find(pname), (unsigned)kn);
#endif
	return 0;
}
