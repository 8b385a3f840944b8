/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * bench-ebpf.c - reuseport-bench-ebpf: selections per second through the
 * program interpreters (model/ebpf.c, model/cbpf.c) beside the policy
 * program and the hash in the same run.  The eBPF program is a typical
 * 30-instruction SK_REUSEPORT selector: it checks ctx->len and the packet
 * bounds, loads a 4-byte key from the UDP payload with
 * bpf_skb_load_bytes(), takes it modulo the group size, selects with
 * bpf_sk_select_reuseport() and passes.  The policy program does the same
 * (a payload key, the helper).  Figures go to docs/performance.md;
 * nothing here asserts a speed.
 *
 * Usage: reuseport-bench-ebpf [-p PACKETS] [-m MEMBERS] [--profile P]
 *        [--only hash|policy|ebpf|classic]
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "bench/util.h"
#include "rp.h"

#define PORT	30000

#define BI(c, d, s, o, i) ((struct rp_insn){ .code = (uint8_t)(c),	\
	.dst_reg = (uint8_t)(d), .src_reg = (uint8_t)(s),		\
	.off = (int16_t)(o), .imm = (int32_t)(i) })

enum { SEL_HASH, SEL_POLICY, SEL_EBPF, SEL_CBPF };

#define ROUNDS	200

static double
now(void)
{
	return (double)g_get_monotonic_time() / 1e6;
}

static void
die(const char *what, int err)
{
	fprintf(stderr, "reuseport-bench-ebpf: %s: %s\n", what,
	    g_strerror(-err));
	exit(1);
}

/* The 30-instruction selector; map is the sockarray's fd. */
static size_t
ebpf_selector(struct rp_insn *p, int map, unsigned members)
{
	size_t n = 0;

	p[n++] = BI(0xbf, 6, 1, 0, 0);		/* r6 = ctx */
	p[n++] = BI(0x61, 2, 6, 16, 0);		/* r2 = ctx->len */
	p[n++] = BI(0xa5, 2, 0, 27, 12);	/* if r2 < 12 goto drop */
	p[n++] = BI(0x79, 3, 6, 0, 0);		/* r3 = ctx->data */
	p[n++] = BI(0x79, 4, 6, 8, 0);		/* r4 = ctx->data_end */
	p[n++] = BI(0xbf, 5, 3, 0, 0);		/* r5 = r3 */
	p[n++] = BI(0x07, 5, 0, 0, 8);		/* r5 += 8 */
	p[n++] = BI(0x2d, 5, 4, 22, 0);		/* if r5 > r4 goto drop */
	p[n++] = BI(0x69, 2, 3, 2, 0);		/* r2 = udp->dest */
	p[n++] = BI(0x55, 2, 0, 20, 0x3075);	/* if r2 != htons(PORT) drop */
	p[n++] = BI(0xbf, 1, 6, 0, 0);		/* r1 = ctx */
	p[n++] = BI(0xb7, 2, 0, 0, 8);		/* r2 = 8 */
	p[n++] = BI(0xbf, 3, 10, 0, 0);		/* r3 = fp */
	p[n++] = BI(0x07, 3, 0, 0, -8);		/* r3 -= 8 */
	p[n++] = BI(0xb7, 4, 0, 0, 4);		/* r4 = 4 */
	p[n++] = BI(0x85, 0, 0, 0, 26);		/* skb_load_bytes */
	p[n++] = BI(0x55, 0, 0, 13, 0);		/* if r0 != 0 goto drop */
	p[n++] = BI(0x61, 7, 10, -8, 0);	/* r7 = key */
	p[n++] = BI(0x94, 7, 0, 0, (int32_t)members);	/* w7 %= members */
	p[n++] = BI(0x63, 10, 7, -12, 0);	/* *(u32 *)(fp - 12) = r7 */
	p[n++] = BI(0xbf, 1, 6, 0, 0);		/* r1 = ctx */
	p[n++] = BI(0x18, 2, 1, 0, map);	/* r2 = map */
	p[n++] = BI(0x00, 0, 0, 0, 0);
	p[n++] = BI(0xbf, 3, 10, 0, 0);		/* r3 = fp - 12 */
	p[n++] = BI(0x07, 3, 0, 0, -12);
	p[n++] = BI(0xb7, 4, 0, 0, 0);		/* r4 = 0 */
	p[n++] = BI(0x85, 0, 0, 0, 82);		/* sk_select_reuseport */
	p[n++] = BI(0x55, 0, 0, 2, 0);		/* if r0 != 0 goto drop */
	p[n++] = BI(0xb7, 0, 0, 0, 1);		/* r0 = SK_PASS */
	p[n++] = BI(0x95, 0, 0, 0, 0);		/* exit */
	p[n++] = BI(0xb7, 0, 0, 0, 0);		/* drop: r0 = SK_DROP */
	p[n++] = BI(0x95, 0, 0, 0, 0);
	return n;
}

struct bench {
	struct rp_state	*st;
	int		 kind;
	unsigned	 members;
	uint8_t		 payload[8];
	struct rp_packet pkt;
	unsigned long	 sent;
	double		 secs;
};

/* A group of members UDP sockets with program kind. */
static void
bench_init(struct bench *b, const struct rp_profile *prof, int kind,
    unsigned members)
{
	struct rp_state *st = rp_state_new(prof);
	struct rp_map_attr a;
	int m, err, fd0 = -1;

	memset(b, 0, sizeof(*b));
	b->st = st;
	b->kind = kind;
	b->members = members;
	rp_map_attr_init(&a, RP_MAP_REUSEPORT_SOCKARRAY, 8, members);
	m = rp_map_create(st, 0, &a);
	if (m < 0)
		die("map create", m);
	for (unsigned i = 0; i < members; i++) {
		struct rp_sockaddr sa = bench_lo4(PORT);
		int fd = rp_socket(st, 0, RP_AF_INET, RP_SOCK_DGRAM, 0);

		rp_setsockopt_int(st, 0, fd, RP_SO_REUSEPORT, 1);
		if ((err = rp_bind(st, 0, fd, &sa)) != 0)
			die("bind", err);
		if ((err = rp_map_update(st, 0, m, i, (uint64_t)fd,
		    RP_BPF_ANY)) != 0)
			die("update", err);
		if (i == 0)
			fd0 = fd;
	}
	if (kind == SEL_POLICY) {
		struct rp_prog_attr pa = { .prog_type = RP_PROG_SK_REUSEPORT,
		    .map_fd = m, .policy = { .key_src = RP_KEY_PAYLOAD,
		    .off = 0, .width = 4 } };
		int p = rp_prog_load(st, 0, &pa);

		if (p < 0 || (err = rp_attach_ebpf(st, 0, fd0, p)) != 0)
			die("policy", p < 0 ? p : err);
	} else if (kind == SEL_EBPF) {
		struct rp_insn prog[40];
		struct rp_prog_insns_attr ia = { .prog_type =
		    RP_PROG_SK_REUSEPORT, .insns = prog };
		int p;

		ia.insn_cnt = (uint32_t)ebpf_selector(prog, m, members);
		p = rp_prog_load_insns(st, 0, &ia);
		if (p < 0 || (err = rp_attach_ebpf(st, 0, fd0, p)) != 0)
			die("ebpf", p < 0 ? p : err);
	} else if (kind == SEL_CBPF) {
		/* A = payload[0..4), A %= members, return A */
		const struct rp_sock_filter f[] = {
			{ 0x20, 0, 0, 0 },		/* ld [0] */
			{ 0x94, 0, 0, members },	/* mod #members */
			{ 0x16, 0, 0, 0 },		/* ret a */
		};

		if ((err = rp_attach_cbpf_insns(st, 0, fd0, f, 3)) != 0)
			die("cbpf", err);
	}
	b->pkt.protocol = RP_IPPROTO_UDP;
	b->pkt.has_hash = true;
	b->pkt.src = bench_lo4(40000);
	b->pkt.dst = bench_lo4(PORT);
	b->pkt.payload = b->payload;
	b->pkt.len = sizeof(b->payload);
}

/* Send n more packets through b, timed. */
static void
bench_run(struct bench *b, unsigned long n)
{
	struct rp_delivery d;
	double t = now();
	int err;

	for (unsigned long i = b->sent; i < b->sent + n; i++) {
		uint32_t key = (uint32_t)(i % b->members);

		/* the policy and the eBPF program read a little-endian
		 * key, the classic one a big-endian one: all select member
		 * key */
		if (b->kind == SEL_CBPF)
			key = GUINT32_TO_BE(key);
		memcpy(b->payload, &key, 4);
		b->pkt.hash = (uint32_t)(i * 2654435761u);
		if ((err = rp_send(b->st, 0, &b->pkt, &d)) != 0 ||
		    d.outcome != RP_DELIVERED)
			die("send", err != 0 ? err : -EIO);
		if (b->kind != SEL_HASH && d.prog_fault)
			die("the program faulted", -EFAULT);
	}
	b->secs += now() - t;
	b->sent += n;
}

int
main(int argc, char **argv)
{
	unsigned long packets = 1000000;
	unsigned members = 1024;
	const char *pname = "6.18";
	static const char *const kinds[] = { "hash", "policy", "ebpf",
	    "classic" };
	int only = -1;
	static const char *const names[] = { "select (hash)",
	    "select (policy program)", "select (eBPF, 30 insns)",
	    "select (classic, 3 insns)" };
	struct bench b[SEL_CBPF + 1] = { { 0 } };

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-p") == 0 && i + 1 < argc)
			packets = strtoul(argv[++i], NULL, 10);
		else if (strcmp(argv[i], "-m") == 0 && i + 1 < argc)
			members = (unsigned)strtoul(argv[++i], NULL, 10);
		else if (strcmp(argv[i], "--profile") == 0 && i + 1 < argc)
			pname = argv[++i];
		else if (strcmp(argv[i], "--only") == 0 && i + 1 < argc) {
			i++;
			for (int k = SEL_HASH; k <= SEL_CBPF; k++)
				if (strcmp(argv[i], kinds[k]) == 0)
					only = k;
			if (only < 0) {
				fprintf(stderr, "reuseport-bench-ebpf: --only "
				    "hash, policy, ebpf or classic\n");
				return 2;
			}
		} else {
			fprintf(stderr, "usage: reuseport-bench-ebpf "
			    "[-p PACKETS] [-m MEMBERS] [--profile 4.19|6.18]\n"
			    "    [--only hash|policy|ebpf|classic]\n");
			return 2;
		}
	}
	if (packets == 0 || members == 0 || members > RP_MAX_SOCKS_CAP ||
	    rp_profile_find(pname) == NULL) {
		fprintf(stderr, "reuseport-bench-ebpf: -p must be positive, -m "
		    "1..32768, --profile 4.19 or 6.18\n");
		return 2;
	}
	printf("reuseport-bench-ebpf: profile %s, %u-member UDP group, %lu "
	    "packets\n", pname, members, packets);
	/* the kinds take turns, ROUNDS slices each, so that a change in
	 * the machine's load falls on all of them alike */
	for (int k = SEL_HASH; k <= SEL_CBPF; k++)
		if (only < 0 || only == k)
			bench_init(&b[k], rp_profile_find(pname), k, members);
	for (unsigned r = 0; r < ROUNDS; r++)
		for (int k = SEL_HASH; k <= SEL_CBPF; k++)
			if (b[k].st != NULL)
				bench_run(&b[k], packets / ROUNDS +
				    (r < packets % ROUNDS));
	for (int k = SEL_HASH; k <= SEL_CBPF; k++) {
		if (b[k].st == NULL)
			continue;
		printf("%-28s %10lu ops %9.3f s %14.0f ops/s\n", names[k],
		    b[k].sent, b[k].secs, b[k].secs > 0 ?
		    (double)b[k].sent / b[k].secs : 0.0);
		rp_state_free(b[k].st);
	}
	if (b[SEL_POLICY].st != NULL && b[SEL_EBPF].st != NULL &&
	    b[SEL_EBPF].secs > 0)
		printf("eBPF / policy rate: %.2f\n", b[SEL_POLICY].secs /
		    b[SEL_EBPF].secs);
	return 0;
}
