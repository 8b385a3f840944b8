/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * check_ebpf_kernel.c - the model's eBPF arithmetic against the live
 * kernel's.  Random straight-line programs of ALU, ALU64, JMP and JMP32
 * instructions (forward jumps only, so every program ends) are loaded as
 * BPF_PROG_TYPE_SOCKET_FILTER both into the kernel (bpf(2)) and into the
 * model (profile 6.18), run with BPF_PROG_TEST_RUN on the same frame, and
 * their results compared.  Each program first fills r0-r9 with random
 * 64-bit constants and finally folds all ten registers, high halves
 * included, into the 32 bits a test run returns, so a difference in any
 * register shows.  A table of boundary programs (shifts by 31/32/63/64,
 * division and modulo by 0, INT_MIN / -1, JMP32 signedness, byte swaps)
 * runs the same way.  R-EBPF-2 R-EBPF-3 R-EBPF-4 R-EBPF-5 R-EBPF-6
 * R-EBPF-11 R-EBPF-19.
 *
 * It compares with the host kernel, so it runs under make check-kernel
 * only; without root, or where bpf(2) refuses, it is skipped.  A program
 * the kernel's verifier refuses fails the test with the verifier's log:
 * the generator only makes programs a privileged 6.x kernel accepts.
 * RP_EBPF_KERNEL_SEED and RP_EBPF_KERNEL_PROGS override the seed (1) and
 * the number of random programs (2000).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>

#include <linux/bpf.h>

#include "bpfasm.h"
#include "testutil.h"

#define BODY_MAX	48

static char vlog[65536];

/* bpf(BPF_PROG_LOAD) of a socket filter: the fd, or -errno with the
 * verifier's log in vlog. */
static int
kernel_load(const struct rp_insn *p, size_t n)
{
	union bpf_attr a;
	int fd;

	memset(&a, 0, sizeof(a));
	a.prog_type = BPF_PROG_TYPE_SOCKET_FILTER;
	a.insns = (uint64_t)(uintptr_t)p;
	a.insn_cnt = (uint32_t)n;
	a.license = (uint64_t)(uintptr_t)"GPL";
	a.log_buf = (uint64_t)(uintptr_t)vlog;
	a.log_size = sizeof(vlog);
	a.log_level = 1;
	vlog[0] = '\0';
	fd = (int)syscall(__NR_bpf, BPF_PROG_LOAD, &a, sizeof(a));
	return fd < 0 ? -errno : fd;
}

static int
kernel_run(int fd, uint32_t *retval)
{
	static uint8_t frame[64] = { [12] = 0x08 };
	uint8_t back[sizeof(frame)];
	union bpf_attr a;

	memset(&a, 0, sizeof(a));
	a.test.prog_fd = (uint32_t)fd;
	a.test.data_in = (uint64_t)(uintptr_t)frame;
	a.test.data_size_in = sizeof(frame);
	/* the packet comes back here (valgrind checks data_out even when
	 * it is NULL) */
	a.test.data_out = (uint64_t)(uintptr_t)back;
	a.test.data_size_out = sizeof(back);
	a.test.repeat = 1;
	if (syscall(__NR_bpf, BPF_PROG_TEST_RUN, &a, sizeof(a)) < 0)
		return -errno;
	*retval = a.test.retval;
	return 0;
}

/* The model's answer for p (6.18), low 32 bits. */
static uint32_t
model_run(const struct rp_insn *p, size_t n)
{
	static uint8_t frame[64] = { [12] = 0x08 };
	struct rp_state *st = rp_state_new(rp_profile_find("6.18"));
	struct rp_prog_insns_attr a = { .prog_type = RP_PROG_SOCKET_FILTER,
	    .insns = p, .insn_cnt = (uint32_t)n };
	struct rp_bpf_run_result out;
	int fd = rp_prog_load_insns(st, 0, &a);
	g_autofree char *why = NULL;

	ck_assert_msg(fd >= 3, "model load: %d", fd);
	ck_assert_int_eq(rp_prog_test_run(st, 0, fd, frame, sizeof(frame),
	    &out), 0);
	why = rp_state_take_violation(st);
	ck_assert_msg(!out.fault, "the model faulted: %s", why);
	rp_state_free(st);
	return (uint32_t)out.retval;
}

static void
dump(const struct rp_insn *p, size_t n, GString *s)
{
	for (size_t i = 0; i < n; i++)
		g_string_append_printf(s, "  %3zu: %02x %u %u %6d %d\n", i,
		    p[i].code, p[i].dst_reg, p[i].src_reg, p[i].off, p[i].imm);
}

/* Both answers for p must agree. */
static void
compare(const struct rp_insn *p, size_t n, const char *what)
{
	uint32_t k = 0, m;
	int fd = kernel_load(p, n);
	g_autoptr(GString) s = g_string_new(NULL);

	if (fd < 0) {
		dump(p, n, s);
		ck_abort_msg("%s: the kernel refused the program (%s):\n%s%s",
		    what, g_strerror(-fd), vlog, s->str);
	}
	ck_assert_int_eq(kernel_run(fd, &k), 0);
	close(fd);
	m = model_run(p, n);
	if (k != m) {
		dump(p, n, s);
		ck_abort_msg("%s: kernel %#x, model %#x\n%s", what, k, m,
		    s->str);
	}
}

/* ---------------------------------------------------------------------
 * Random programs
 */

static const uint8_t alu_ops[] = { BA_ADD, BA_SUB, BA_MUL, BA_DIV, BA_OR,
    BA_AND, BA_LSH, BA_RSH, BA_NEG, BA_MOD, BA_XOR, BA_MOV, BA_ARSH, BA_END };
static const uint8_t jmp_ops[] = { BJ_JEQ, BJ_JGT, BJ_JGE, BJ_JSET, BJ_JNE,
    BJ_JSGT, BJ_JSGE, BJ_JLT, BJ_JLE, BJ_JSLT, BJ_JSLE };

/* A 32-bit immediate biased to the boundaries. */
static int32_t
rnd_imm(GRand *r)
{
	static const int32_t edge[] = { 0, 1, -1, 2, 7, 8, 15, 16, 31, 32, 63,
	    64, 0x7fffffff, INT32_MIN, 0xff, 0xffff, -2 };

	if (g_rand_int_range(r, 0, 3) == 0)
		return (int32_t)g_rand_int(r);
	return edge[g_rand_int_range(r, 0, G_N_ELEMENTS(edge))];
}

static uint64_t
rnd_u64(GRand *r)
{
	static const uint64_t edge[] = { 0, 1, UINT64_MAX, 0x8000000000000000u,
	    0x7fffffffffffffffu, 0x80000000u, 0x7fffffffu, 0xffffffffu,
	    0x100000000u, 63, 64, 32, 31 };

	if (g_rand_int_range(r, 0, 2) == 0)
		return (uint64_t)g_rand_int(r) << 32 | g_rand_int(r);
	return edge[g_rand_int_range(r, 0, G_N_ELEMENTS(edge))];
}

/* One ALU or ALU64 instruction a 6.18 verifier accepts. */
static struct rp_insn
rnd_alu(GRand *r)
{
	bool is64 = g_rand_boolean(r), x = g_rand_boolean(r);
	uint8_t op = alu_ops[g_rand_int_range(r, 0, G_N_ELEMENTS(alu_ops))];
	uint8_t cls = is64 ? 0x07 : 0x04;
	unsigned d = (unsigned)g_rand_int_range(r, 0, 10);
	unsigned s = (unsigned)g_rand_int_range(r, 0, 10);
	int32_t imm = rnd_imm(r);
	int16_t off = 0;

	switch (op) {
	case BA_NEG:
		return BI(cls | op, d, 0, 0, 0);
	case BA_END: {
		static const int32_t w[] = { 16, 32, 64 };
		int k = g_rand_int_range(r, 0, 3);

		if (is64)	/* bswap (cpu v4) */
			return BI(0xd7, d, 0, 0, w[k]);
		return BI(0xd4 | (x ? 0x08 : 0), d, 0, 0, w[k]);
	}
	case BA_MOV:
		if (x && g_rand_int_range(r, 0, 3) == 0)	/* movsx */
			off = is64 ? (int16_t)(8 << g_rand_int_range(r, 0, 3)) :
			    (int16_t)(8 << g_rand_int_range(r, 0, 2));
		break;
	case BA_DIV:
	case BA_MOD:
		if (g_rand_boolean(r))
			off = 1;	/* sdiv, smod (cpu v4) */
		if (!x && imm == 0)
			imm = 3;	/* the verifier refuses / 0 */
		break;
	case BA_LSH:
	case BA_RSH:
	case BA_ARSH:
		if (!x)
			imm = (int32_t)((uint32_t)imm % (is64 ? 64u : 32u));
		break;
	default:
		break;
	}
	if (x)
		return BI(cls | op | 0x08, d, s, off, 0);
	return BI(cls | op, d, 0, off, imm);
}

static void
random_program(GRand *r, struct rp_insn *p, size_t *np)
{
	size_t n = 0, body;

	for (unsigned i = 0; i < 10; i++) {
		uint64_t v = rnd_u64(r);
		struct rp_insn ld[] = { LD64(i, v) };

		p[n++] = ld[0];
		p[n++] = ld[1];
	}
	body = (size_t)g_rand_int_range(r, 1, BODY_MAX);
	for (size_t i = 0; i < body; i++) {
		size_t left = body - i - 1;

		if (left > 0 && g_rand_int_range(r, 0, 5) == 0) {
			uint8_t op = jmp_ops[g_rand_int_range(r, 0,
			    G_N_ELEMENTS(jmp_ops))];
			uint8_t cls = g_rand_boolean(r) ? 0x05 : 0x06;
			int16_t off = (int16_t)g_rand_int_range(r, 0,
			    (gint32)MIN(left, 8u) + 1);
			unsigned d = (unsigned)g_rand_int_range(r, 0, 10);

			if (g_rand_boolean(r))
				p[n++] = BI(cls | op | 0x08, d,
				    g_rand_int_range(r, 0, 10), off, 0);
			else
				p[n++] = BI(cls | op, d, 0, off, rnd_imm(r));
		} else {
			p[n++] = rnd_alu(r);
		}
	}
	/* fold r0-r9, high halves too, into the low 32 bits of r0 */
	for (unsigned i = 1; i < 10; i++) {
		p[n++] = ALU64_IMM(BA_MUL, 0, 0x9e3779b1);
		p[n++] = ALU64_REG(BA_XOR, 0, i);
	}
	p[n++] = MOV64_REG(1, 0);
	p[n++] = ALU64_IMM(BA_RSH, 1, 32);
	p[n++] = ALU64_REG(BA_XOR, 0, 1);
	p[n++] = EXIT;
	*np = n;
}

static unsigned
env_uint(const char *name, unsigned dflt)
{
	const char *v = g_getenv(name);

	return v != NULL && atoi(v) > 0 ? (unsigned)atoi(v) : dflt;
}

#define BATCHES	20

TU_LOOP(random_programs, "ebpf-kernel/compare", BATCHES)
{
	unsigned seed = env_uint("RP_EBPF_KERNEL_SEED", 1);
	unsigned total = env_uint("RP_EBPF_KERNEL_PROGS", 2000);
	unsigned per = (total + BATCHES - 1) / BATCHES;
	GRand *r = g_rand_new_with_seed(seed * 1000 + (unsigned)_i);
	struct rp_insn p[20 + BODY_MAX + 32];

	for (unsigned i = 0; i < per; i++) {
		g_autofree char *what = g_strdup_printf("seed %u batch %d "
		    "program %u", seed, _i, i);
		size_t n;

		random_program(r, p, &n);
		compare(p, n, what);
	}
	g_rand_free(r);
}
END_TEST

/* ---------------------------------------------------------------------
 * Boundaries: r0 = a, r1 = b, one instruction, fold
 */

struct edge {
	uint64_t	a, b;
	struct rp_insn	op;
};

#define LLMIN	UINT64_C(0x8000000000000000)

static const struct edge edges[] = {
	{ 1, 31, ALU32_REG(BA_LSH, 0, 1) },
	{ 1, 32, ALU32_REG(BA_LSH, 0, 1) },
	{ 1, 63, ALU64_REG(BA_LSH, 0, 1) },
	{ 1, 64, ALU64_REG(BA_LSH, 0, 1) },
	{ LLMIN, 64, ALU64_REG(BA_ARSH, 0, 1) },
	{ 0x80000000u, 32, ALU32_REG(BA_ARSH, 0, 1) },
	{ 7, 0, ALU64_REG(BA_DIV, 0, 1) },
	{ 7, 0, ALU64_REG(BA_MOD, 0, 1) },
	{ UINT64_C(0xaaaaaaaa00000007), 0, ALU32_REG(BA_MOD, 0, 1) },
	{ UINT64_C(0xaaaaaaaa00000007), UINT64_C(0x100000000),
	    ALU32_REG(BA_DIV, 0, 1) },
	{ LLMIN, UINT64_MAX, BI(0x3f, 0, 1, 1, 0) },	/* sdiv64 */
	{ LLMIN, UINT64_MAX, BI(0x9f, 0, 1, 1, 0) },	/* smod64 */
	{ 0x80000000u, 0xffffffffu, BI(0x3c, 0, 1, 1, 0) },	/* sdiv32 */
	{ 0x80000000u, 0xffffffffu, BI(0x9c, 0, 1, 1, 0) },	/* smod32 */
	{ 5, 0, BI(0x3f, 0, 1, 1, 0) },
	{ UINT64_C(0x1234567800000009), 0, BI(0x9c, 0, 1, 1, 0) },
	{ LLMIN, 0, BI(0x37, 0, 0, 1, -1) },		/* sdiv64 k -1 */
	{ UINT64_MAX, 0, ALU64_IMM(BA_DIV, 0, -1) },
	{ UINT64_C(0x123456789abcdef0), 0, BI(0xdc, 0, 0, 0, 16) },
	{ UINT64_C(0x123456789abcdef0), 0, BI(0xd4, 0, 0, 0, 32) },
	{ UINT64_C(0x123456789abcdef0), 0, BI(0xd7, 0, 0, 0, 64) },
	{ 0, 0x80, BI(0xbf, 0, 1, 8, 0) },		/* movsx */
	{ 0, 0x8000, BI(0xbc, 0, 1, 16, 0) },
	{ 0x80000000u, 0, JMP32_IMM(BJ_JSGT, 0, 0, 1) },
	{ 0x80000000u, 0, JMP_IMM(BJ_JSGT, 0, 0, 1) },
	{ UINT64_C(0x100000000), 1, JMP32_REG(BJ_JGT, 0, 1, 1) },
	{ UINT64_C(0xffffffff00000005), 5, JMP32_REG(BJ_JEQ, 0, 1, 1) },
};

TU_LOOP(boundaries, "ebpf-kernel/compare", (int)G_N_ELEMENTS(edges))
{
	const struct edge *e = &edges[_i];
	/* the jump skips "r0 = 12345" */
	const struct rp_insn p[] = { LD64(0, e->a), LD64(1, e->b), e->op,
	    MOV64_IMM(0, 12345), MOV64_REG(1, 0), ALU64_IMM(BA_RSH, 1, 32),
	    ALU64_REG(BA_XOR, 0, 1), EXIT };
	g_autofree char *what = g_strdup_printf("boundary %d", _i);

	compare(p, G_N_ELEMENTS(p), what);
}
END_TEST

TU_TCASE("ebpf-kernel/compare", 120, NULL, NULL)

int
main(void)
{
	int fd;
	const struct rp_insn probe[] = { MOV64_IMM(0, 0), EXIT };

	fd = kernel_load(probe, 2);
	if (fd < 0 || getenv("RP_KERNEL_COMPARE") == NULL) {
		const char *why = fd < 0 ? g_strerror(-fd) :
		    "RP_KERNEL_COMPARE is not set (make check-kernel)";

		if (getenv("CK_TAP_LOG_FILE_NAME") != NULL) {
			printf("1..0 # SKIP %s\n", why);
			return 0;
		}
		printf("SKIP: %s\n", why);
		return 77;
	}
	close(fd);
	return tu_main("ebpf-kernel") != 0;
}
