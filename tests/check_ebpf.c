/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * check_ebpf.c - unit tests of model/ebpf.c, model/helpers.c,
 * model/valmap.c and model/skb.c: programs made of eBPF instructions.
 *
 * Pure computation runs through rp_prog_test_run() of a SOCKET_FILTER
 * program (r0 in full, 64 bits); what an SK_REUSEPORT program sees and
 * does runs through rp_send() to a group with the program attached.  The
 * tables are per instruction class, with the boundaries: shifts by
 * 31/32/63/64, division and modulo by 0, INT_MIN / -1, JMP32 signedness,
 * the old values atomics fetch, stack bounds, the call depth.  Each row
 * names its SPEC rules.  A row that expects a fault checks that the
 * violation names the rule and the instruction.
 *
 * Loop indexes select the profile (index % TU_NPROFILES) and a table row.
 */
#include <errno.h>
#include <string.h>

#include <check.h>
#include <glib.h>

#include "bpfasm.h"
#include "testutil.h"

#define PORT	41000
#define P419	1u
#define P618	2u
#define PALL	(P419 | P618)

/* ---------------------------------------------------------------------
 * Running a program
 */

struct result {
	uint64_t	r0;
	uint64_t	insns;
	bool		fault;
	char		*why;		/* the violation, or NULL */
};

static void
result_clear(struct result *r)
{
	g_free(r->why);
	memset(r, 0, sizeof(*r));
}

/* Load n instructions of type in process proc; the fd or -errno. */
static int
load_as(struct rp_state *st, unsigned proc, uint32_t type,
    const struct rp_insn *p, size_t n)
{
	struct rp_prog_insns_attr a = { .prog_type = type, .insns = p,
	    .insn_cnt = (uint32_t)n };

	return rp_prog_load_insns(st, proc, &a);
}

static int
load(struct rp_state *st, uint32_t type, const struct rp_insn *p, size_t n)
{
	return load_as(st, 0, type, p, n);
}

/* Test-run p (a socket filter) on a 64-byte frame. */
static void
run_on(struct rp_state *st, const struct rp_insn *p, size_t n,
    struct result *r)
{
	static const uint8_t frame[64] = { [12] = 0x08, [14] = 0xaa,
	    [15] = 0xbb, [16] = 0xcc, [17] = 0xdd };
	struct rp_bpf_run_result out;
	int fd = load(st, RP_PROG_SOCKET_FILTER, p, n);

	memset(r, 0, sizeof(*r));
	ck_assert_msg(fd >= 3, "load: %d", fd);
	ck_assert_int_eq(rp_prog_test_run(st, 0, fd, frame, sizeof(frame),
	    &out), 0);
	r->r0 = out.retval;
	r->insns = out.insns;
	r->fault = out.fault;
	r->why = rp_state_take_violation(st);
	ck_assert_msg(r->fault == (r->why != NULL), "fault %d but violation "
	    "%s", r->fault, r->why != NULL ? r->why : "(none)");
	ck_assert_int_eq(rp_close(st, 0, fd), 0);
}

static void
run(int prof, const struct rp_insn *p, size_t n, struct result *r)
{
	struct rp_state *st = rp_state_new(tu_profile(prof));

	run_on(st, p, n, r);
	tu_assert_invariants(st);
	rp_state_free(st);
}

#define RUN(prof, r, ...) do {						\
	const struct rp_insn p_[] = { __VA_ARGS__ };			\
	run((prof), p_, G_N_ELEMENTS(p_), (r));				\
} while (0)

/* The fault names rule and "insn pc". */
static void
assert_fault(const struct result *r, const char *rule, int pc)
{
	g_autofree char *at = g_strdup_printf("at insn %d", pc);
	const char *hit;

	ck_assert_msg(r->fault, "expected a fault (%s at %d), got r0 %#"
	    G_GINT64_MODIFIER "x", rule, pc, r->r0);
	ck_assert_msg(g_str_has_prefix(r->why, rule), "fault %s, want %s",
	    r->why, rule);
	hit = strstr(r->why, at);
	ck_assert_msg(hit != NULL && !g_ascii_isdigit(hit[strlen(at)]),
	    "fault %s, want %s", r->why, at);
	/* every register is in the message */
	ck_assert_msg(strstr(r->why, " r0=") != NULL &&
	    strstr(r->why, " r10=fp") != NULL, "registers missing: %s",
	    r->why);
}

static void
assert_r0(const struct result *r, uint64_t want)
{
	ck_assert_msg(!r->fault, "fault: %s", r->why);
	ck_assert_msg(r->r0 == want, "r0 %#" G_GINT64_MODIFIER "x, want %#"
	    G_GINT64_MODIFIER "x", r->r0, want);
}

/* ---------------------------------------------------------------------
 * ebpf/alu: r0 = dst; r1 = src; <op>; exit
 */

#define FAULT	UINT64_C(0xfa17fa17fa17fa17)	/* "expect a fault" */

struct alu_case {
	const char	*name;
	const char	*rules;
	unsigned	 profiles;
	uint64_t	 dst, src;
	struct rp_insn	 op;
	uint64_t	 want;		/* FAULT: a fault of rules' first rule */
};

#define LLMIN	UINT64_C(0x8000000000000000)
#define SDIV(cls, s)	BI((cls) | BA_DIV | 0x08, 0, 1, 1, 0)
#define SMOD(cls, s)	BI((cls) | BA_MOD | 0x08, 0, 1, 1, 0)

static const struct alu_case alu_cases[] = {
	/* R-EBPF-2: 64-bit wrap, 32-bit zero extension */
	{ "add64/wrap", "R-EBPF-2", PALL, UINT64_MAX, 1,
	    ALU64_REG(BA_ADD, 0, 1), 0 },
	{ "sub64/wrap", "R-EBPF-2", PALL, 0, 1, ALU64_REG(BA_SUB, 0, 1),
	    UINT64_MAX },
	{ "mul64/wrap", "R-EBPF-2", PALL, UINT64_C(1) << 32, UINT64_C(1) << 32,
	    ALU64_REG(BA_MUL, 0, 1), 0 },
	{ "or-and-xor", "R-EBPF-2", PALL, 0xf0f0, 0x0ff0,
	    ALU64_REG(BA_XOR, 0, 1), 0xff00 },
	{ "neg64", "R-EBPF-2", PALL, 1, 0, ALU64_IMM(BA_NEG, 0, 0),
	    UINT64_MAX },
	{ "mov64/imm-sign-extends", "R-EBPF-2", PALL, 0, 0, MOV64_IMM(0, -1),
	    UINT64_MAX },
	{ "mov32/imm-zero-extends", "R-EBPF-2", PALL, 0, 0, MOV32_IMM(0, -1),
	    0xffffffffu },
	{ "mov32/reg-truncates", "R-EBPF-2", PALL, 0,
	    UINT64_C(0xdeadbeefcafebabe), MOV32_REG(0, 1), 0xcafebabeu },
	{ "add32/zero-extends", "R-EBPF-2", PALL, UINT64_MAX, 1,
	    ALU32_REG(BA_ADD, 0, 1), 0 },
	{ "add32/drops-high", "R-EBPF-2", PALL, UINT64_C(0x100000005), 1,
	    ALU32_REG(BA_ADD, 0, 1), 6 },
	{ "neg32", "R-EBPF-2", PALL, UINT64_C(0x100000001), 0,
	    ALU32_IMM(BA_NEG, 0, 0), 0xffffffffu },
	{ "add64/k-sign-extends", "R-EBPF-2", PALL, 1, 0,
	    ALU64_IMM(BA_ADD, 0, -2), UINT64_MAX },
	{ "reserved/src-in-k", "R-EBPF-2", PALL, 1, 0,
	    BI(0x07 | BA_ADD, 0, 1, 0, 1), FAULT },
	{ "reserved/off", "R-EBPF-2", PALL, 1, 0,
	    BI(0x07 | BA_ADD, 0, 0, 3, 1), FAULT },
	{ "unknown-op", "R-EBPF-2", PALL, 1, 0, BI(0x07 | 0xe0, 0, 0, 0, 1),
	    FAULT },
	{ "register-11", "R-EBPF-2", PALL, 1, 0, BI(0xb7, 11, 0, 0, 1),
	    FAULT },
	{ "write-r10", "R-EBPF-10", PALL, 1, 0, MOV64_IMM(10, 0), FAULT },
	/* R-EBPF-3: division and modulo */
	{ "div64", "R-EBPF-3", PALL, 7, 2, ALU64_REG(BA_DIV, 0, 1), 3 },
	{ "div64/by-reg-0", "R-EBPF-3", PALL, 7, 0, ALU64_REG(BA_DIV, 0, 1),
	    0 },
	{ "mod64/by-reg-0", "R-EBPF-3", PALL, 7, 0, ALU64_REG(BA_MOD, 0, 1),
	    7 },
	{ "div64/k-minus-1-unsigned", "R-EBPF-3", PALL, UINT64_MAX, 0,
	    ALU64_IMM(BA_DIV, 0, -1), 1 },
	{ "div64/k-0", "R-EBPF-3", PALL, 7, 0, ALU64_IMM(BA_DIV, 0, 0), FAULT },
	{ "mod64/k-0", "R-EBPF-3", PALL, 7, 0, ALU64_IMM(BA_MOD, 0, 0), FAULT },
	{ "div32/by-reg-0", "R-EBPF-3", PALL, UINT64_C(0x500000007),
	    UINT64_C(0x100000000), ALU32_REG(BA_DIV, 0, 1), 0 },
	{ "mod32/by-reg-0-zero-extends", "R-EBPF-3", PALL,
	    UINT64_C(0xaaaaaaaa00000007), 0, ALU32_REG(BA_MOD, 0, 1), 7 },
	{ "div32/k-minus-1", "R-EBPF-3", PALL, 0xfffffffeu, 0,
	    ALU32_IMM(BA_DIV, 0, -1), 0 },
	{ "mod32/k-3", "R-EBPF-3", PALL, UINT64_C(0xffffffff0000000a), 0,
	    ALU32_IMM(BA_MOD, 0, 3), 1 },
	/* R-EBPF-3 R-EBPF-11: signed division (cpu v4, 6.18) */
	{ "sdiv64/min-by-minus-1", "R-EBPF-3 R-EBPF-11", P618, LLMIN,
	    UINT64_MAX, SDIV(0x07, 1), LLMIN },
	{ "sdiv64/by-0", "R-EBPF-3 R-EBPF-11", P618, 5, 0, SDIV(0x07, 1), 0 },
	{ "sdiv64/truncates", "R-EBPF-3 R-EBPF-11", P618, (uint64_t)-7, 2,
	    SDIV(0x07, 1), (uint64_t)-3 },
	{ "smod64/sign-of-dividend", "R-EBPF-3 R-EBPF-11", P618,
	    (uint64_t)-7, 2, SMOD(0x07, 1), (uint64_t)-1 },
	{ "smod64/min-by-minus-1", "R-EBPF-3 R-EBPF-11", P618, LLMIN,
	    UINT64_MAX, SMOD(0x07, 1), 0 },
	{ "smod64/by-0", "R-EBPF-3 R-EBPF-11", P618, 5, 0, SMOD(0x07, 1), 5 },
	{ "sdiv32/min-by-minus-1", "R-EBPF-3 R-EBPF-11", P618, 0x80000000u,
	    0xffffffffu, SDIV(0x04, 1), 0x80000000u },
	{ "smod32/negative", "R-EBPF-3 R-EBPF-11", P618, 0xfffffff9u, 2,
	    SMOD(0x04, 1), 0xffffffffu },
	{ "smod32/by-0-zero-extends", "R-EBPF-3 R-EBPF-11", P618,
	    UINT64_C(0x1234567800000009), 0, SMOD(0x04, 1), 9 },
	{ "sdiv64/k-minus-1", "R-EBPF-3 R-EBPF-11", P618, LLMIN, 0,
	    BI(0x07 | BA_DIV, 0, 0, 1, -1), LLMIN },
	{ "sdiv/4.19", "R-EBPF-11", P419, 5, 1, SDIV(0x07, 1), FAULT },
	/* R-EBPF-4: shifts */
	{ "lsh64/reg-63", "R-EBPF-4", PALL, 1, 63, ALU64_REG(BA_LSH, 0, 1),
	    LLMIN },
	{ "lsh64/reg-64-masked", "R-EBPF-4", PALL, 1, 64,
	    ALU64_REG(BA_LSH, 0, 1), 1 },
	{ "lsh64/reg-65-masked", "R-EBPF-4", PALL, 1, 65,
	    ALU64_REG(BA_LSH, 0, 1), 2 },
	{ "rsh64/reg-64-masked", "R-EBPF-4", PALL, LLMIN, 64,
	    ALU64_REG(BA_RSH, 0, 1), LLMIN },
	{ "arsh64/reg-63", "R-EBPF-4", PALL, LLMIN, 63,
	    ALU64_REG(BA_ARSH, 0, 1), UINT64_MAX },
	{ "arsh64/k-63", "R-EBPF-4", PALL, LLMIN, 0, ALU64_IMM(BA_ARSH, 0, 63),
	    UINT64_MAX },
	{ "lsh64/k-64", "R-EBPF-4", PALL, 1, 0, ALU64_IMM(BA_LSH, 0, 64),
	    FAULT },
	{ "lsh32/reg-31", "R-EBPF-4", PALL, 1, 31, ALU32_REG(BA_LSH, 0, 1),
	    0x80000000u },
	{ "lsh32/reg-32-masked", "R-EBPF-4", PALL, 1, 32,
	    ALU32_REG(BA_LSH, 0, 1), 1 },
	{ "rsh32/truncates-first", "R-EBPF-4", PALL,
	    UINT64_C(0xffffffff80000000), 31, ALU32_REG(BA_RSH, 0, 1), 1 },
	{ "arsh32/zero-extends", "R-EBPF-4", PALL, 0x80000000u, 31,
	    ALU32_REG(BA_ARSH, 0, 1), 0xffffffffu },
	{ "lsh32/k-32", "R-EBPF-4", PALL, 1, 0, ALU32_IMM(BA_LSH, 0, 32),
	    FAULT },
	{ "lsh32/k-31", "R-EBPF-4", PALL, 1, 0, ALU32_IMM(BA_LSH, 0, 31),
	    0x80000000u },
	/* R-EBPF-5: byte swaps */
	{ "be16", "R-EBPF-5", PALL, UINT64_C(0x123456789abcdef0), 0,
	    BI(0xd4 | 0x08, 0, 0, 0, 16), 0xf0de },
	{ "be32", "R-EBPF-5", PALL, UINT64_C(0x123456789abcdef0), 0,
	    BI(0xd4 | 0x08, 0, 0, 0, 32), 0xf0debc9au },
	{ "be64", "R-EBPF-5", PALL, UINT64_C(0x123456789abcdef0), 0,
	    BI(0xd4 | 0x08, 0, 0, 0, 64), UINT64_C(0xf0debc9a78563412) },
	{ "le16-truncates", "R-EBPF-5", PALL, UINT64_C(0x123456789abcdef0), 0,
	    BI(0xd4, 0, 0, 0, 16), 0xdef0 },
	{ "le32-truncates", "R-EBPF-5", PALL, UINT64_C(0x123456789abcdef0), 0,
	    BI(0xd4, 0, 0, 0, 32), 0x9abcdef0u },
	{ "le64", "R-EBPF-5", PALL, UINT64_C(0x123456789abcdef0), 0,
	    BI(0xd4, 0, 0, 0, 64), UINT64_C(0x123456789abcdef0) },
	{ "end-width-8", "R-EBPF-5", PALL, 1, 0, BI(0xd4, 0, 0, 0, 8), FAULT },
	{ "bswap16", "R-EBPF-5 R-EBPF-11", P618, UINT64_C(0x123456789abcdef0),
	    0, BI(0xd7, 0, 0, 0, 16), 0xf0de },
	{ "bswap64", "R-EBPF-5 R-EBPF-11", P618, UINT64_C(0x0102030405060708),
	    0, BI(0xd7, 0, 0, 0, 64), UINT64_C(0x0807060504030201) },
	{ "bswap/4.19", "R-EBPF-11", P419, 1, 0, BI(0xd7, 0, 0, 0, 16),
	    FAULT },
	/* R-EBPF-11: movsx */
	{ "movsx64/8", "R-EBPF-11", P618, 0, 0x80, BI(0xbf, 0, 1, 8, 0),
	    UINT64_C(0xffffffffffffff80) },
	{ "movsx64/16", "R-EBPF-11", P618, 0, 0x18000, BI(0xbf, 0, 1, 16, 0),
	    UINT64_C(0xffffffffffff8000) },
	{ "movsx64/32", "R-EBPF-11", P618, 0, 0x80000000u,
	    BI(0xbf, 0, 1, 32, 0), UINT64_C(0xffffffff80000000) },
	{ "movsx32/8", "R-EBPF-11", P618, 0, 0x80, BI(0xbc, 0, 1, 8, 0),
	    0xffffff80u },
	{ "movsx32/32", "R-EBPF-2", P618, 0, 1, BI(0xbc, 0, 1, 32, 0), FAULT },
	{ "movsx/4.19", "R-EBPF-11", P419, 0, 0x80, BI(0xbf, 0, 1, 8, 0),
	    FAULT },
};

START_TEST(alu)
{
	const struct alu_case *c = &alu_cases[_i / TU_NPROFILES];
	int prof = _i % TU_NPROFILES;
	struct result r;
	g_auto(GStrv) rules = g_strsplit(c->rules, " ", -1);

	if (!(c->profiles & (1u << prof)))
		return;
	RUN(prof, &r, LD64(0, c->dst), LD64(1, c->src), c->op, EXIT);
	if (c->want == FAULT)
		assert_fault(&r, rules[0], 4);
	else
		assert_r0(&r, c->want);
	result_clear(&r);
}
END_TEST

/* ---------------------------------------------------------------------
 * ebpf/jmp: r1 = a; r2 = b; r0 = 0; if (r1 op r2) r0 = 1
 */

struct jmp_case {
	const char	*name;
	const char	*rules;
	unsigned	 profiles;
	uint64_t	 a, b;
	uint8_t		 code;		/* JMP or JMP32 | op, X */
	int		 taken;		/* -1: a fault */
};

static const struct jmp_case jmp_cases[] = {
	{ "jsgt64/positive", "R-EBPF-6", PALL, 0x80000000u, 0, 0x0d | BJ_JSGT,
	    1 },
	{ "jsgt32/negative", "R-EBPF-6 R-EBPF-11", P618, 0x80000000u, 0,
	    0x0e | BJ_JSGT, 0 },
	{ "jgt64/high-bits", "R-EBPF-6", PALL, UINT64_C(0x100000000), 1,
	    0x0d | BJ_JGT, 1 },
	{ "jgt32/high-bits-dropped", "R-EBPF-6 R-EBPF-11", P618,
	    UINT64_C(0x100000000), 1, 0x0e | BJ_JGT, 0 },
	{ "jslt64", "R-EBPF-6", PALL, UINT64_MAX, 0, 0x0d | BJ_JSLT, 1 },
	{ "jlt64/unsigned", "R-EBPF-6", PALL, UINT64_MAX, 0, 0x0d | BJ_JLT, 0 },
	{ "jsle32/int-min", "R-EBPF-6 R-EBPF-11", P618, 0x80000000u,
	    0x7fffffffu, 0x0e | BJ_JSLE, 1 },
	{ "jsge64", "R-EBPF-6", PALL, 5, 5, 0x0d | BJ_JSGE, 1 },
	{ "jge64", "R-EBPF-6", PALL, 4, 5, 0x0d | BJ_JGE, 0 },
	{ "jle64", "R-EBPF-6", PALL, 5, 5, 0x0d | BJ_JLE, 1 },
	{ "jset64/high", "R-EBPF-6", PALL, UINT64_C(0x100000000),
	    UINT64_C(0x100000000), 0x0d | BJ_JSET, 1 },
	{ "jset32/high-dropped", "R-EBPF-6 R-EBPF-11", P618,
	    UINT64_C(0x100000000), UINT64_C(0x100000000), 0x0e | BJ_JSET, 0 },
	{ "jeq32/low-equal", "R-EBPF-6 R-EBPF-11", P618,
	    UINT64_C(0xffffffff00000005), 5, 0x0e | BJ_JEQ, 1 },
	{ "jeq64/low-equal", "R-EBPF-6", PALL, UINT64_C(0xffffffff00000005), 5,
	    0x0d | BJ_JEQ, 0 },
	{ "jne64", "R-EBPF-6", PALL, 1, 2, 0x0d | BJ_JNE, 1 },
	{ "jmp32/4.19", "R-EBPF-11", P419, 1, 1, 0x0e | BJ_JEQ, -1 },
};

START_TEST(jmp)
{
	const struct jmp_case *c = &jmp_cases[_i / TU_NPROFILES];
	int prof = _i % TU_NPROFILES;
	g_auto(GStrv) rules = g_strsplit(c->rules, " ", -1);
	struct result r;

	if (!(c->profiles & (1u << prof)))
		return;
	RUN(prof, &r, LD64(1, c->a), LD64(2, c->b), MOV64_IMM(0, 0),
	    BI(c->code, 1, 2, 1, 0), EXIT, MOV64_IMM(0, 1), EXIT);
	if (c->taken < 0)
		assert_fault(&r, rules[0], 5);
	else
		assert_r0(&r, (uint64_t)c->taken);
	result_clear(&r);
}
END_TEST

/* R-EBPF-6: an immediate is sign-extended; gotol (6.18) uses imm; a jump
 * out of the program and running off its end fault */
START_TEST(jmp_edges)
{
	int prof = _i;
	struct result r;

	RUN(prof, &r, MOV64_IMM(1, 0), MOV64_IMM(0, 0),
	    JMP_IMM(BJ_JSGT, 1, -1, 1), EXIT, MOV64_IMM(0, 1), EXIT);
	assert_r0(&r, 1);
	result_clear(&r);
	RUN(prof, &r, MOV64_IMM(0, 0), JA(5), EXIT);
	assert_fault(&r, "R-EBPF-6", 1);
	result_clear(&r);
	RUN(prof, &r, MOV64_IMM(0, 0), JMP_IMM(BJ_JEQ, 0, 1, 0));
	assert_fault(&r, "R-EBPF-6", 1);
	result_clear(&r);
	RUN(prof, &r, MOV64_IMM(0, 0), MOV64_IMM(0, 1));
	assert_fault(&r, "R-EBPF-6", 2);	/* runs past the end */
	result_clear(&r);
	if (prof == 1) {
		RUN(prof, &r, MOV64_IMM(0, 7), BI(0x06, 0, 0, 0, 1), EXIT,
		    MOV64_IMM(0, 9), EXIT);
		assert_r0(&r, 9);
		result_clear(&r);
	}
}
END_TEST

/* R-EBPF-14 R-EBPF-12: a loop; 4.19 refuses the back-edge, 6.18 runs it
 * until it ends or the budget does */
START_TEST(loops)
{
	int prof = _i;
	struct rp_state *st = rp_state_new(tu_profile(prof));
	struct result r;
	const struct rp_insn counted[] = { MOV64_IMM(0, 0), MOV64_IMM(1, 10),
	    ALU64_IMM(BA_ADD, 0, 3), ALU64_IMM(BA_SUB, 1, 1),
	    JMP_IMM(BJ_JNE, 1, 0, -3), EXIT };
	const struct rp_insn forever[] = { MOV64_IMM(0, 0), JA(-1), EXIT };

	run_on(st, counted, G_N_ELEMENTS(counted), &r);
	if (prof == 0) {
		assert_fault(&r, "R-EBPF-14", 4);
	} else {
		assert_r0(&r, 30);
		ck_assert_uint_eq(r.insns, 2 + 10 * 3 + 1);
	}
	result_clear(&r);
	rp_state_set_insn_budget(st, 1000);
	run_on(st, forever, G_N_ELEMENTS(forever), &r);
	if (prof == 0) {
		assert_fault(&r, "R-EBPF-14", 1);
	} else {
		assert_fault(&r, "R-EBPF-12", 1);
		ck_assert_uint_eq(r.insns, 1001);
	}
	result_clear(&r);
	/* the default budget is 1,000,000 instructions */
	rp_state_set_insn_budget(st, 0);
	run_on(st, forever, G_N_ELEMENTS(forever), &r);
	if (prof == 1) {
		assert_fault(&r, "R-EBPF-12", 1);
		ck_assert_uint_eq(r.insns, 1000001);
	}
	result_clear(&r);
	rp_state_free(st);
}
END_TEST

/* ---------------------------------------------------------------------
 * ebpf/mem: the stack, registers, pointers
 */

/* R-EBPF-7 R-EBPF-10: every width stores and loads back, zero-extended */
START_TEST(stack_widths)
{
	struct result r;

	RUN(_i, &r, LD64(1, 0x1122334455667788), STX(BS_DW, 10, 1, -8),
	    LDX(BS_B, 0, 10, -8), LDX(BS_H, 2, 10, -8),
	    ALU64_REG(BA_ADD, 0, 2), LDX(BS_W, 2, 10, -4),
	    ALU64_REG(BA_ADD, 0, 2), EXIT);
	assert_r0(&r, 0x88 + 0x7788 + 0x11223344);
	result_clear(&r);
	RUN(_i, &r, ST(BS_W, 10, -512, -1), LDX(BS_W, 0, 10, -512), EXIT);
	assert_r0(&r, 0xffffffffu);
	result_clear(&r);
	RUN(_i, &r, ST(BS_DW, 10, -16, -1), LDX(BS_DW, 0, 10, -16), EXIT);
	assert_r0(&r, UINT64_MAX);
	result_clear(&r);
}
END_TEST

/* R-EBPF-10: stack bounds, alignment, uninitialised bytes */
START_TEST(stack_faults)
{
	struct result r;

	RUN(_i, &r, ST(BS_B, 10, -513, 1), MOV64_IMM(0, 0), EXIT);
	assert_fault(&r, "R-EBPF-10", 0);
	result_clear(&r);
	RUN(_i, &r, ST(BS_B, 10, 0, 1), MOV64_IMM(0, 0), EXIT);
	assert_fault(&r, "R-EBPF-10", 0);
	result_clear(&r);
	RUN(_i, &r, ST(BS_W, 10, -6, 1), MOV64_IMM(0, 0), EXIT);
	assert_fault(&r, "R-EBPF-10", 0);
	result_clear(&r);
	RUN(_i, &r, ST(BS_W, 10, -8, 1), LDX(BS_DW, 0, 10, -8), EXIT);
	assert_fault(&r, "R-EBPF-10", 1);
	result_clear(&r);
	/* a register never written, r1-r5 after a call */
	RUN(_i, &r, MOV64_REG(0, 7), EXIT);
	assert_fault(&r, "R-EBPF-10", 0);
	result_clear(&r);
	RUN(_i, &r, CALL(7), MOV64_REG(0, 1), EXIT);
	assert_fault(&r, "R-EBPF-10", 1);
	result_clear(&r);
	/* r0 unwritten at exit */
	RUN(_i, &r, EXIT);
	assert_fault(&r, "R-EBPF-13", 0);
	result_clear(&r);
}
END_TEST

/* R-EBPF-10: a pointer spilled with an aligned 8-byte store comes back
 * whole; part of it cannot be read; a pointer cannot go elsewhere */
START_TEST(spill)
{
	struct result r;

	RUN(_i, &r, MOV64_REG(2, 10), ALU64_IMM(BA_ADD, 2, -16),
	    STX(BS_DW, 10, 2, -8), ST(BS_DW, 10, -16, 42),
	    LDX(BS_DW, 3, 10, -8), LDX(BS_DW, 0, 3, 0), EXIT);
	assert_r0(&r, 42);
	result_clear(&r);
	RUN(_i, &r, STX(BS_DW, 10, 10, -8), LDX(BS_W, 0, 10, -8), EXIT);
	assert_fault(&r, "R-EBPF-10", 1);
	result_clear(&r);
	RUN(_i, &r, STX(BS_W, 10, 10, -8), MOV64_IMM(0, 0), EXIT);
	assert_fault(&r, "R-EBPF-10", 0);
	result_clear(&r);
	/* overwriting part of a spill leaves plain bytes */
	RUN(_i, &r, STX(BS_DW, 10, 10, -8), ST(BS_W, 10, -8, 5),
	    LDX(BS_W, 0, 10, -8), EXIT);
	assert_r0(&r, 5);
	result_clear(&r);
}
END_TEST

/* R-EBPF-7: pointer arithmetic and what may be done with pointers */
START_TEST(pointers)
{
	struct result r;

	/* fp - fp is a number */
	RUN(_i, &r, MOV64_REG(1, 10), ALU64_IMM(BA_ADD, 1, -24),
	    MOV64_REG(0, 10), ALU64_REG(BA_SUB, 0, 1), EXIT);
	assert_r0(&r, 24);
	result_clear(&r);
	/* scalar + pointer is a pointer */
	RUN(_i, &r, MOV64_IMM(1, -8), ALU64_REG(BA_ADD, 1, 10),
	    ST(BS_DW, 1, 0, 3), LDX(BS_DW, 0, 10, -8), EXIT);
	assert_r0(&r, 3);
	result_clear(&r);
	RUN(_i, &r, MOV64_REG(1, 10), ALU64_IMM(BA_MUL, 1, 2),
	    MOV64_IMM(0, 0), EXIT);
	assert_fault(&r, "R-EBPF-7", 1);
	result_clear(&r);
	RUN(_i, &r, MOV64_REG(1, 10), ALU32_IMM(BA_ADD, 1, 2),
	    MOV64_IMM(0, 0), EXIT);
	assert_fault(&r, "R-EBPF-7", 1);
	result_clear(&r);
	RUN(_i, &r, MOV32_REG(1, 10), MOV64_IMM(0, 0), EXIT);
	assert_fault(&r, "R-EBPF-7", 0);
	result_clear(&r);
	/* a NULL pointer, a number */
	RUN(_i, &r, MOV64_IMM(1, 0), LDX(BS_W, 0, 1, 0), EXIT);
	assert_fault(&r, "R-EBPF-7", 1);
	result_clear(&r);
	/* returning a pointer */
	RUN(_i, &r, MOV64_REG(0, 10), EXIT);
	assert_fault(&r, "R-EBPF-13", 1);
	result_clear(&r);
	/* R-EBPF-6: a pointer compares with 0, not with a number */
	RUN(_i, &r, MOV64_REG(1, 10), MOV64_IMM(0, 1),
	    JMP_IMM(BJ_JNE, 1, 0, 1), MOV64_IMM(0, 2), EXIT);
	assert_r0(&r, 1);
	result_clear(&r);
	RUN(_i, &r, MOV64_REG(1, 10), MOV64_IMM(0, 1),
	    JMP_IMM(BJ_JGT, 1, 100, 1), MOV64_IMM(0, 2), EXIT);
	assert_fault(&r, "R-EBPF-6", 2);
	result_clear(&r);
}
END_TEST

/* ---------------------------------------------------------------------
 * ebpf/atomic
 */

/* R-EBPF-8: *(fp-8) = 0x10; <atomic with r1>; r0 = old value (fetch) +
 * 0x1000 * new memory value */
struct atomic_case {
	const char	*name;
	unsigned	 profiles;
	uint8_t		 size;
	int32_t		 op;
	uint64_t	 mem, src, r0;	/* r0 before (cmpxchg's expected) */
	uint64_t	 want_src, want_r0, want_mem;
};

static const struct atomic_case atomic_cases[] = {
	{ "xadd/w", PALL, BS_W, BA_ADD, 0x10, 5, 0, 5, 0, 0x15 },
	{ "xadd/dw", PALL, BS_DW, BA_ADD, UINT64_MAX, 2, 0, 2, 0, 1 },
	{ "add/w-wraps-32", PALL, BS_W, BA_ADD, 0xffffffffu, 2, 0, 2, 0, 1 },
	{ "fetch-add/dw", P618, BS_DW, BA_ADD | BT_FETCH, 0x10, 5, 0, 0x10, 0,
	    0x15 },
	{ "fetch-or/w", P618, BS_W, BA_OR | BT_FETCH, 0xf0, 0x0f, 0, 0xf0, 0,
	    0xff },
	{ "fetch-and/dw", P618, BS_DW, BA_AND | BT_FETCH, 0xff, 0x0f, 0, 0xff,
	    0, 0x0f },
	{ "fetch-xor/w-zero-extends", P618, BS_W, BA_XOR | BT_FETCH,
	    0xffffffffu, UINT64_C(0xffffffff00000001), 0, 0xffffffffu, 0,
	    0xfffffffeu },
	{ "and/no-fetch", P618, BS_DW, BA_AND, 0xff, 0x0f, 0, 0x0f, 0, 0x0f },
	{ "xchg/dw", P618, BS_DW, BT_XCHG, 7, 9, 0, 7, 0, 9 },
	{ "cmpxchg/equal", P618, BS_DW, BT_CMPXCHG, 7, 9, 7, 9, 7, 9 },
	{ "cmpxchg/differs", P618, BS_DW, BT_CMPXCHG, 7, 9, 8, 9, 7, 7 },
	{ "cmpxchg/w-compares-32", P618, BS_W, BT_CMPXCHG, 7, 9,
	    UINT64_C(0xffffffff00000007), 9, 7, 9 },
};

/* The atomic table, checked piece by piece: src, r0 and memory. */
static uint64_t
atomic_probe(int prof, const struct atomic_case *c, int what, bool *fault)
{
	struct result r;
	uint64_t v;

	/* what: 1 = the source register, 0 = r0, 3 = the memory */
	RUN(prof, &r, LD64(4, c->mem), STX(BS_DW, 10, 4, -8), LD64(1, c->src),
	    LD64(0, c->r0), ATOMIC(c->size, 10, 1, -8, c->op),
	    LDX(c->size, 3, 10, -8), MOV64_REG(5, what == 1 ? 1 : what == 3 ?
	    3 : 0), MOV64_REG(0, 5), EXIT);
	*fault = r.fault;
	v = r.r0;
	result_clear(&r);
	return v;
}

START_TEST(atomic_values)
{
	const struct atomic_case *c = &atomic_cases[_i / TU_NPROFILES];
	int prof = _i % TU_NPROFILES;
	bool fault;

	if (!(c->profiles & (1u << prof))) {
		/* 4.19 knows only the add: the rest is a reserved imm */
		atomic_probe(prof, c, 0, &fault);
		ck_assert_msg(fault, "%s ran in 4.19", c->name);
		return;
	}
	ck_assert_uint_eq(atomic_probe(prof, c, 1, &fault), c->want_src);
	ck_assert(!fault);
	ck_assert_uint_eq(atomic_probe(prof, c, 0, &fault), c->want_r0);
	ck_assert_uint_eq(atomic_probe(prof, c, 3, &fault), c->want_mem);
}
END_TEST

/* R-EBPF-8: atomics only on the stack and map values */
START_TEST(atomic_faults)
{
	struct result r;

	RUN(_i, &r, MOV64_IMM(1, 1), ATOMIC(BS_DW, 10, 1, -8, BA_ADD),
	    MOV64_IMM(0, 0), EXIT);
	assert_fault(&r, "R-EBPF-10", 1);	/* never written */
	result_clear(&r);
	RUN(_i, &r, MOV64_IMM(1, 1), ATOMIC(BS_DW, 1, 1, 0, BA_ADD),
	    MOV64_IMM(0, 0), EXIT);
	assert_fault(&r, "R-EBPF-8", 1);
	result_clear(&r);
	RUN(_i, &r, MOV64_IMM(1, 1), ATOMIC(BS_H, 10, 1, -8, BA_ADD),
	    MOV64_IMM(0, 0), EXIT);
	assert_fault(&r, "R-EBPF-2", 1);
	result_clear(&r);
}
END_TEST

/* ---------------------------------------------------------------------
 * ebpf/call: bpf-to-bpf calls
 */

/* R-EBPF-9: arguments in r1-r5, result in r0, r6-r9 kept, r10 new */
START_TEST(call_basic)
{
	struct result r;

	RUN(_i, &r, MOV64_IMM(6, 100), MOV64_IMM(1, 20), MOV64_IMM(2, 3),
	    ST(BS_DW, 10, -8, 1000), CALL_SUB(4),
	    ALU64_REG(BA_ADD, 0, 6), LDX(BS_DW, 1, 10, -8),
	    ALU64_REG(BA_ADD, 0, 1), EXIT,
	    /* sub: r0 = r1 * r2, its own stack, r6 clobbered */
	    ST(BS_DW, 10, -8, 7), MOV64_IMM(6, 0), MOV64_REG(0, 1),
	    ALU64_REG(BA_MUL, 0, 2), EXIT);
	/* the call is at 4, the function at 4 + 4 + 1 = 9 */
	assert_r0(&r, 60 + 100 + 1000);
	result_clear(&r);
	/* the callee's r6 is unwritten; the caller's r1 after the call too */
	RUN(_i, &r, MOV64_IMM(6, 1), CALL_SUB(1), EXIT, MOV64_REG(0, 6), EXIT);
	assert_fault(&r, "R-EBPF-10", 3);
	result_clear(&r);
	RUN(_i, &r, MOV64_IMM(1, 1), CALL_SUB(2), MOV64_REG(0, 1), EXIT,
	    MOV64_IMM(0, 0), EXIT);
	assert_fault(&r, "R-EBPF-10", 2);
	result_clear(&r);
	/* a pointer into the caller's stack works; one into a returned
	 * frame does not */
	RUN(_i, &r, MOV64_REG(1, 10), ALU64_IMM(BA_ADD, 1, -8),
	    CALL_SUB(3), LDX(BS_DW, 0, 10, -8), EXIT, EXIT,
	    ST(BS_DW, 1, 0, 77), MOV64_IMM(0, 0), EXIT);
	assert_r0(&r, 77);
	result_clear(&r);
	RUN(_i, &r, CALL_SUB(2), LDX(BS_DW, 0, 0, 0), EXIT,
	    MOV64_REG(0, 10), EXIT);
	assert_fault(&r, "R-EBPF-9", 4);
	result_clear(&r);
}
END_TEST

/* R-EBPF-9: eight frames at most; a ninth call faults.  A chain of
 * functions, each calling the next (forward, so 4.19 takes it too). */
static void
chain(int prof, int calls, struct result *r)
{
	struct rp_insn p[3 * 9 + 2];
	int n = 0;

	for (int i = 0; i < calls; i++) {
		p[n++] = CALL_SUB(1);	/* the next function, 3 on */
		p[n++] = EXIT;
		p[n++] = MOV64_IMM(0, -1);	/* never runs */
	}
	p[n++] = MOV64_IMM(0, 7);
	p[n++] = EXIT;
	run(prof, p, (size_t)n, r);
}

START_TEST(call_depth)
{
	struct result r;

	chain(_i, 7, &r);		/* 8 frames */
	assert_r0(&r, 7);
	result_clear(&r);
	chain(_i, 8, &r);		/* 9 frames */
	assert_fault(&r, "R-EBPF-9", 21);
	ck_assert(strstr(r.why, "9 frames") != NULL);
	result_clear(&r);
}
END_TEST

/* R-EBPF-9: the frames' stack depths together stay within 512 bytes */
START_TEST(call_stack_size)
{
	struct result r;

	/* main uses 256 bytes, the callee 256: fine; 264: too much */
	RUN(_i, &r, ST(BS_DW, 10, -256, 0), CALL_SUB(1), EXIT,
	    ST(BS_DW, 10, -256, 0), MOV64_IMM(0, 5), EXIT);
	assert_r0(&r, 5);
	result_clear(&r);
	RUN(_i, &r, ST(BS_DW, 10, -256, 0), CALL_SUB(1), EXIT,
	    ST(BS_DW, 10, -264, 0), MOV64_IMM(0, 5), EXIT);
	assert_fault(&r, "R-EBPF-9", 3);
	result_clear(&r);
}
END_TEST

/* ---------------------------------------------------------------------
 * ebpf/load
 */

static int
value_map(struct rp_state *st, uint32_t type, uint32_t ks, uint32_t vs,
    uint32_t n)
{
	struct rp_map_attr a;

	rp_map_attr_init(&a, type, vs, n);
	a.key_size = ks;
	return rp_map_create(st, 0, &a);
}

/* R-EBPF-1: the instruction count, LD_IMM64 and its maps */
START_TEST(load_checks)
{
	struct rp_state *st = rp_state_new(tu_profile(_i));
	const struct rp_insn ok[] = { MOV64_IMM(0, 0), EXIT };
	g_autofree struct rp_insn *big = g_new0(struct rp_insn, 4097);
	int sock = rp_socket(st, 0, RP_AF_INET, RP_SOCK_DGRAM, 0);
	int arr = value_map(st, RP_MAP_ARRAY, 4, 8, 1);
	struct rp_map_info mi;
	int fd;

	ck_assert_int_eq(load(st, RP_PROG_SK_REUSEPORT, ok, 0), -E2BIG);
	for (int i = 0; i < 4096; i++)
		big[i] = MOV64_IMM(0, i);
	big[4096] = EXIT;
	fd = load(st, RP_PROG_SK_REUSEPORT, big, 4097);
	ck_assert_int_eq(fd < 0 ? fd : 0, _i == 0 ? -E2BIG : 0);
	/* without CAP_BPF, 6.18 allows 4096 (a SOCKET_FILTER loads);
	 * R-PRG-4: unprivileged_bpf_disabled (2 in 6.18) is checked first */
	ck_assert_int_eq(rp_proc_new(st, 0, 1000, 0), 1);
	ck_assert_int_eq(load_as(st, 1, RP_PROG_SOCKET_FILTER, big, 4097),
	    _i == 0 ? -E2BIG : -EPERM);
	ck_assert_int_eq(rp_sysctl_set(st, 0, "kernel.unprivileged_bpf_disabled",
	    0), 0);
	ck_assert_int_eq(load_as(st, 1, RP_PROG_SOCKET_FILTER, big, 4097),
	    -E2BIG);
	/* 6.18: the count before the type's capability */
	ck_assert_int_eq(load_as(st, 1, RP_PROG_SK_REUSEPORT, big, 0),
	    -E2BIG);
	ck_assert_int_eq(load_as(st, 1, RP_PROG_SK_REUSEPORT, big + 4095, 2),
	    -EPERM);
	/* LD_IMM64 last, or with a bad second half */
	{
		const struct rp_insn last[] = { MOV64_IMM(0, 0),
		    BI(0x18, 0, 0, 0, 1) };
		const struct rp_insn tail[] = { BI(0x18, 0, 0, 0, 1),
		    BI(0x00, 1, 0, 0, 0), EXIT };
		const struct rp_insn badsrc[] = { BI(0x18, 0, 3, 0, arr),
		    BI(0x00, 0, 0, 0, 0), EXIT };
		const struct rp_insn nofd[] = { LD_MAP(1, 99), MOV64_IMM(0, 0),
		    EXIT };
		const struct rp_insn notmap[] = { LD_MAP(1, sock),
		    MOV64_IMM(0, 0), EXIT };
		const struct rp_insn imm2[] = { BI(0x18, 1, 1, 0, arr),
		    BI(0x00, 0, 0, 0, 4), MOV64_IMM(0, 0), EXIT };

		ck_assert_int_eq(load(st, 1, last, 2), -EINVAL);
		ck_assert_int_eq(load(st, 1, tail, 3), -EINVAL);
		ck_assert_int_eq(load(st, 1, badsrc, 3), -EINVAL);
		ck_assert_int_eq(load(st, 1, nofd, 3), -EBADF);
		ck_assert_int_eq(load(st, 1, notmap, 3), -EINVAL);
		ck_assert_int_eq(load(st, 1, imm2, 4), -EINVAL);
	}
	/* a program holds its maps: closing the fd leaves the map alive */
	{
		const struct rp_insn usemap[] = { LD_MAP(1, arr), LD_MAP(2, arr),
		    MOV64_IMM(0, 0), EXIT };
		unsigned id = rp_fd_map(st, 0, arr);
		int pfd = load(st, RP_PROG_SOCKET_FILTER, usemap, 6);

		ck_assert_int_ge(pfd, 3);
		ck_assert_int_eq(rp_map_info(st, id, &mi), 0);
		ck_assert_uint_eq(mi.refs, 2);	/* fd + program, once */
		ck_assert_int_eq(rp_close(st, 0, arr), 0);
		ck_assert_int_eq(rp_map_info(st, id, &mi), 0);
		ck_assert_int_eq(rp_close(st, 0, pfd), 0);
		ck_assert_int_eq(rp_map_info(st, id, &mi), -ENOENT);
	}
	tu_assert_invariants(st);
	rp_state_free(st);
}
END_TEST

/* ---------------------------------------------------------------------
 * Suite
 */

static Suite *
ebpf_suite(void)
{
	Suite *s = suite_create("ebpf");
	TCase *tc;

	tc = tcase_create("ebpf/alu");
	tcase_add_loop_test(tc, alu, 0, (int)G_N_ELEMENTS(alu_cases) *
	    TU_NPROFILES);
	suite_add_tcase(s, tc);

	tc = tcase_create("ebpf/jmp");
	tcase_add_loop_test(tc, jmp, 0, (int)G_N_ELEMENTS(jmp_cases) *
	    TU_NPROFILES);
	tcase_add_loop_test(tc, jmp_edges, 0, TU_NPROFILES);
	tcase_add_loop_test(tc, loops, 0, TU_NPROFILES);
	suite_add_tcase(s, tc);

	tc = tcase_create("ebpf/mem");
	tcase_add_loop_test(tc, stack_widths, 0, TU_NPROFILES);
	tcase_add_loop_test(tc, stack_faults, 0, TU_NPROFILES);
	tcase_add_loop_test(tc, spill, 0, TU_NPROFILES);
	tcase_add_loop_test(tc, pointers, 0, TU_NPROFILES);
	suite_add_tcase(s, tc);

	tc = tcase_create("ebpf/atomic");
	tcase_add_loop_test(tc, atomic_values, 0,
	    (int)G_N_ELEMENTS(atomic_cases) * TU_NPROFILES);
	tcase_add_loop_test(tc, atomic_faults, 0, TU_NPROFILES);
	suite_add_tcase(s, tc);

	tc = tcase_create("ebpf/call");
	tcase_add_loop_test(tc, call_basic, 0, TU_NPROFILES);
	tcase_add_loop_test(tc, call_depth, 0, TU_NPROFILES);
	tcase_add_loop_test(tc, call_stack_size, 0, TU_NPROFILES);
	suite_add_tcase(s, tc);

	tc = tcase_create("ebpf/load");
	tcase_add_loop_test(tc, load_checks, 0, TU_NPROFILES);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return tu_run_suite(ebpf_suite()) != 0;
}
