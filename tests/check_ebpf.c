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
 * Loop indexes select a row of the model's profile table (TU_ROW_OF) and
 * a table case (TU_CASE_OF); what a case expects follows the row's
 * switches (struct rp_profile), not its name.
 */
#include <errno.h>
#include <string.h>

#include <check.h>
#include <glib.h>

#include "bpfasm.h"
#include "testutil.h"
#include "rp-int.h"

#define PORT	41000
/* The rows a case of the alu, jmp and atomic tables runs on: those with
 * its table's switch (bpf_cpuv4, bpf_jmp32, bpf_atomics), those without
 * it, or all. */
#define HAS	1u
#define LACKS	2u
#define EACH	(HAS | LACKS)

/* HAS or LACKS: whether row prof has switch sw. */
static unsigned
rows_of(int prof, bool (*sw)(const struct rp_profile *))
{
	return sw(tu_prof(prof)) ? HAS : LACKS;
}

static bool	/* cpu v4: sdiv, smod, bswap, movsx, gotol */
cpuv4(const struct rp_profile *p)
{
	return p->bpf_cpuv4;
}

static bool
jmp32(const struct rp_profile *p)
{
	return p->bpf_jmp32;
}

static bool	/* 5.12+: the fetch, and, or, xor, xchg, cmpxchg atomics */
atomics(const struct rp_profile *p)
{
	return p->bpf_atomics;
}

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
ignore_event(void *ud, const struct rp_bpf_event *ev)
{
	(void)ud;
	(void)ev;
}

/*
 * Run p twice: as is, and with a BPF observer, which sends every
 * instruction through the interpreter's general path; the fast cases
 * (model/ebpf.c) must give the same result, fault and message.
 */
static void
run(int prof, const struct rp_insn *p, size_t n, struct result *r)
{
	static const struct rp_bpf_observer obs = { .event = ignore_event,
	    .want_insns = true };
	struct rp_state *st = tu_state_row(prof);
	struct result g;

	run_on(st, p, n, r);
	tu_state_done(st);

	st = tu_state_row(prof);
	rp_state_set_bpf_observer(st, &obs, NULL);
	run_on(st, p, n, &g);
	rp_state_free(st);
	ck_assert_msg(g.r0 == r->r0 && g.insns == r->insns &&
	    g.fault == r->fault && g_strcmp0(g.why, r->why) == 0,
	    "the fast path gives r0 %#" G_GINT64_MODIFIER "x after %"
	    G_GUINT64_FORMAT " insns (%s), the general path r0 %#"
	    G_GINT64_MODIFIER "x after %" G_GUINT64_FORMAT " (%s)", r->r0,
	    r->insns, r->why != NULL ? r->why : "no fault", g.r0, g.insns,
	    g.why != NULL ? g.why : "no fault");
	result_clear(&g);
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
	{ "add64/wrap", "R-EBPF-2", EACH, UINT64_MAX, 1,
	    ALU64_REG(BA_ADD, 0, 1), 0 },
	{ "sub64/wrap", "R-EBPF-2", EACH, 0, 1, ALU64_REG(BA_SUB, 0, 1),
	    UINT64_MAX },
	{ "mul64/wrap", "R-EBPF-2", EACH, UINT64_C(1) << 32, UINT64_C(1) << 32,
	    ALU64_REG(BA_MUL, 0, 1), 0 },
	{ "or-and-xor", "R-EBPF-2", EACH, 0xf0f0, 0x0ff0,
	    ALU64_REG(BA_XOR, 0, 1), 0xff00 },
	{ "neg64", "R-EBPF-2", EACH, 1, 0, ALU64_IMM(BA_NEG, 0, 0),
	    UINT64_MAX },
	{ "mov64/imm-sign-extends", "R-EBPF-2", EACH, 0, 0, MOV64_IMM(0, -1),
	    UINT64_MAX },
	{ "mov32/imm-zero-extends", "R-EBPF-2", EACH, 0, 0, MOV32_IMM(0, -1),
	    0xffffffffu },
	{ "mov32/reg-truncates", "R-EBPF-2", EACH, 0,
	    UINT64_C(0xdeadbeefcafebabe), MOV32_REG(0, 1), 0xcafebabeu },
	{ "add32/zero-extends", "R-EBPF-2", EACH, UINT64_MAX, 1,
	    ALU32_REG(BA_ADD, 0, 1), 0 },
	{ "add32/drops-high", "R-EBPF-2", EACH, UINT64_C(0x100000005), 1,
	    ALU32_REG(BA_ADD, 0, 1), 6 },
	{ "neg32", "R-EBPF-2", EACH, UINT64_C(0x100000001), 0,
	    ALU32_IMM(BA_NEG, 0, 0), 0xffffffffu },
	{ "add64/k-sign-extends", "R-EBPF-2", EACH, 1, 0,
	    ALU64_IMM(BA_ADD, 0, -2), UINT64_MAX },
	{ "sub32/zero-extends", "R-EBPF-2", EACH, 0, 1,
	    ALU32_REG(BA_SUB, 0, 1), 0xffffffffu },
	{ "sub32/k-zero-extends", "R-EBPF-2", EACH, 0, 0,
	    ALU32_IMM(BA_SUB, 0, 1), 0xffffffffu },
	{ "and32/drops-high", "R-EBPF-2", EACH, UINT64_MAX, UINT64_MAX,
	    ALU32_REG(BA_AND, 0, 1), 0xffffffffu },
	{ "or32/k-drops-high", "R-EBPF-2", EACH, UINT64_C(0x100000000), 0,
	    ALU32_IMM(BA_OR, 0, 1), 1 },
	{ "xor32/zero-extends", "R-EBPF-2", EACH, 0, UINT64_MAX,
	    ALU32_REG(BA_XOR, 0, 1), 0xffffffffu },
	{ "mul32/drops-high", "R-EBPF-2", EACH, 0x10000, 0x10000,
	    ALU32_REG(BA_MUL, 0, 1), 0 },
	{ "and64/k-sign-extends", "R-EBPF-2", EACH, UINT64_MAX, 0,
	    ALU64_IMM(BA_AND, 0, -2), UINT64_MAX - 1 },
	{ "or64/k", "R-EBPF-2", EACH, UINT64_C(0x100000000), 0,
	    ALU64_IMM(BA_OR, 0, 1), UINT64_C(0x100000001) },
	{ "sub64/k", "R-EBPF-2", EACH, 0, 0, ALU64_IMM(BA_SUB, 0, 1),
	    UINT64_MAX },
	{ "rsh64/k", "R-EBPF-4", EACH, LLMIN, 0, ALU64_IMM(BA_RSH, 0, 63), 1 },
	{ "rsh32/k-truncates-first", "R-EBPF-4", EACH,
	    UINT64_C(0xffffffff80000000), 0, ALU32_IMM(BA_RSH, 0, 31), 1 },
	{ "reserved/src-in-k", "R-EBPF-2", EACH, 1, 0,
	    BI(0x07 | BA_ADD, 0, 1, 0, 1), FAULT },
	{ "reserved/off", "R-EBPF-2", EACH, 1, 0,
	    BI(0x07 | BA_ADD, 0, 0, 3, 1), FAULT },
	{ "unknown-op", "R-EBPF-2", EACH, 1, 0, BI(0x07 | 0xe0, 0, 0, 0, 1),
	    FAULT },
	{ "register-11", "R-EBPF-2", EACH, 1, 0, BI(0xb7, 11, 0, 0, 1),
	    FAULT },
	{ "write-r10", "R-EBPF-10", EACH, 1, 0, MOV64_IMM(10, 0), FAULT },
	/* R-EBPF-3: division and modulo */
	{ "div64", "R-EBPF-3", EACH, 7, 2, ALU64_REG(BA_DIV, 0, 1), 3 },
	{ "div64/by-reg-0", "R-EBPF-3", EACH, 7, 0, ALU64_REG(BA_DIV, 0, 1),
	    0 },
	{ "mod64/by-reg-0", "R-EBPF-3", EACH, 7, 0, ALU64_REG(BA_MOD, 0, 1),
	    7 },
	{ "div64/k-minus-1-unsigned", "R-EBPF-3", EACH, UINT64_MAX, 0,
	    ALU64_IMM(BA_DIV, 0, -1), 1 },
	{ "div64/k-0", "R-EBPF-3", EACH, 7, 0, ALU64_IMM(BA_DIV, 0, 0), FAULT },
	{ "mod64/k-0", "R-EBPF-3", EACH, 7, 0, ALU64_IMM(BA_MOD, 0, 0), FAULT },
	{ "div32/by-reg-0", "R-EBPF-3", EACH, UINT64_C(0x500000007),
	    UINT64_C(0x100000000), ALU32_REG(BA_DIV, 0, 1), 0 },
	{ "mod32/by-reg-0-zero-extends", "R-EBPF-3", EACH,
	    UINT64_C(0xaaaaaaaa00000007), 0, ALU32_REG(BA_MOD, 0, 1), 7 },
	{ "div32/k-minus-1", "R-EBPF-3", EACH, 0xfffffffeu, 0,
	    ALU32_IMM(BA_DIV, 0, -1), 0 },
	{ "mod32/k-3", "R-EBPF-3", EACH, UINT64_C(0xffffffff0000000a), 0,
	    ALU32_IMM(BA_MOD, 0, 3), 1 },
	/* R-EBPF-3 R-EBPF-11: signed division (cpu v4, 6.18) */
	{ "sdiv64/min-by-minus-1", "R-EBPF-3 R-EBPF-11", HAS, LLMIN,
	    UINT64_MAX, SDIV(0x07, 1), LLMIN },
	{ "sdiv64/by-0", "R-EBPF-3 R-EBPF-11", HAS, 5, 0, SDIV(0x07, 1), 0 },
	{ "sdiv64/truncates", "R-EBPF-3 R-EBPF-11", HAS, (uint64_t)-7, 2,
	    SDIV(0x07, 1), (uint64_t)-3 },
	{ "smod64/sign-of-dividend", "R-EBPF-3 R-EBPF-11", HAS,
	    (uint64_t)-7, 2, SMOD(0x07, 1), (uint64_t)-1 },
	{ "smod64/min-by-minus-1", "R-EBPF-3 R-EBPF-11", HAS, LLMIN,
	    UINT64_MAX, SMOD(0x07, 1), 0 },
	{ "smod64/by-0", "R-EBPF-3 R-EBPF-11", HAS, 5, 0, SMOD(0x07, 1), 5 },
	{ "sdiv32/min-by-minus-1", "R-EBPF-3 R-EBPF-11", HAS, 0x80000000u,
	    0xffffffffu, SDIV(0x04, 1), 0x80000000u },
	{ "smod32/negative", "R-EBPF-3 R-EBPF-11", HAS, 0xfffffff9u, 2,
	    SMOD(0x04, 1), 0xffffffffu },
	{ "smod32/by-0-zero-extends", "R-EBPF-3 R-EBPF-11", HAS,
	    UINT64_C(0x1234567800000009), 0, SMOD(0x04, 1), 9 },
	{ "sdiv64/k-minus-1", "R-EBPF-3 R-EBPF-11", HAS, LLMIN, 0,
	    BI(0x07 | BA_DIV, 0, 0, 1, -1), LLMIN },
	{ "sdiv/4.19", "R-EBPF-11", LACKS, 5, 1, SDIV(0x07, 1), FAULT },
	/* R-EBPF-4: shifts */
	{ "lsh64/reg-63", "R-EBPF-4", EACH, 1, 63, ALU64_REG(BA_LSH, 0, 1),
	    LLMIN },
	{ "lsh64/reg-64-masked", "R-EBPF-4", EACH, 1, 64,
	    ALU64_REG(BA_LSH, 0, 1), 1 },
	{ "lsh64/reg-65-masked", "R-EBPF-4", EACH, 1, 65,
	    ALU64_REG(BA_LSH, 0, 1), 2 },
	{ "rsh64/reg-64-masked", "R-EBPF-4", EACH, LLMIN, 64,
	    ALU64_REG(BA_RSH, 0, 1), LLMIN },
	{ "arsh64/reg-63", "R-EBPF-4", EACH, LLMIN, 63,
	    ALU64_REG(BA_ARSH, 0, 1), UINT64_MAX },
	{ "arsh64/k-63", "R-EBPF-4", EACH, LLMIN, 0, ALU64_IMM(BA_ARSH, 0, 63),
	    UINT64_MAX },
	{ "lsh64/k-64", "R-EBPF-4", EACH, 1, 0, ALU64_IMM(BA_LSH, 0, 64),
	    FAULT },
	{ "lsh32/reg-31", "R-EBPF-4", EACH, 1, 31, ALU32_REG(BA_LSH, 0, 1),
	    0x80000000u },
	{ "lsh32/drops-high", "R-EBPF-4", EACH, 0x80000001u, 1,
	    ALU32_REG(BA_LSH, 0, 1), 2 },
	{ "lsh32/reg-32-masked", "R-EBPF-4", EACH, 1, 32,
	    ALU32_REG(BA_LSH, 0, 1), 1 },
	{ "rsh32/truncates-first", "R-EBPF-4", EACH,
	    UINT64_C(0xffffffff80000000), 31, ALU32_REG(BA_RSH, 0, 1), 1 },
	{ "arsh32/zero-extends", "R-EBPF-4", EACH, 0x80000000u, 31,
	    ALU32_REG(BA_ARSH, 0, 1), 0xffffffffu },
	{ "lsh32/k-32", "R-EBPF-4", EACH, 1, 0, ALU32_IMM(BA_LSH, 0, 32),
	    FAULT },
	{ "lsh32/k-31", "R-EBPF-4", EACH, 1, 0, ALU32_IMM(BA_LSH, 0, 31),
	    0x80000000u },
	/* R-EBPF-5: byte swaps */
	{ "be16", "R-EBPF-5", EACH, UINT64_C(0x123456789abcdef0), 0,
	    BI(0xd4 | 0x08, 0, 0, 0, 16), 0xf0de },
	{ "be32", "R-EBPF-5", EACH, UINT64_C(0x123456789abcdef0), 0,
	    BI(0xd4 | 0x08, 0, 0, 0, 32), 0xf0debc9au },
	{ "be64", "R-EBPF-5", EACH, UINT64_C(0x123456789abcdef0), 0,
	    BI(0xd4 | 0x08, 0, 0, 0, 64), UINT64_C(0xf0debc9a78563412) },
	{ "le16-truncates", "R-EBPF-5", EACH, UINT64_C(0x123456789abcdef0), 0,
	    BI(0xd4, 0, 0, 0, 16), 0xdef0 },
	{ "le32-truncates", "R-EBPF-5", EACH, UINT64_C(0x123456789abcdef0), 0,
	    BI(0xd4, 0, 0, 0, 32), 0x9abcdef0u },
	{ "le64", "R-EBPF-5", EACH, UINT64_C(0x123456789abcdef0), 0,
	    BI(0xd4, 0, 0, 0, 64), UINT64_C(0x123456789abcdef0) },
	{ "end-width-8", "R-EBPF-5", EACH, 1, 0, BI(0xd4, 0, 0, 0, 8), FAULT },
	{ "bswap16", "R-EBPF-5 R-EBPF-11", HAS, UINT64_C(0x123456789abcdef0),
	    0, BI(0xd7, 0, 0, 0, 16), 0xf0de },
	{ "bswap64", "R-EBPF-5 R-EBPF-11", HAS, UINT64_C(0x0102030405060708),
	    0, BI(0xd7, 0, 0, 0, 64), UINT64_C(0x0807060504030201) },
	{ "bswap/4.19", "R-EBPF-11", LACKS, 1, 0, BI(0xd7, 0, 0, 0, 16),
	    FAULT },
	/* R-EBPF-11: movsx */
	{ "movsx64/8", "R-EBPF-11", HAS, 0, 0x80, BI(0xbf, 0, 1, 8, 0),
	    UINT64_C(0xffffffffffffff80) },
	{ "movsx64/16", "R-EBPF-11", HAS, 0, 0x18000, BI(0xbf, 0, 1, 16, 0),
	    UINT64_C(0xffffffffffff8000) },
	{ "movsx64/32", "R-EBPF-11", HAS, 0, 0x80000000u,
	    BI(0xbf, 0, 1, 32, 0), UINT64_C(0xffffffff80000000) },
	{ "movsx32/8", "R-EBPF-11", HAS, 0, 0x80, BI(0xbc, 0, 1, 8, 0),
	    0xffffff80u },
	{ "movsx32/32", "R-EBPF-2", HAS, 0, 1, BI(0xbc, 0, 1, 32, 0), FAULT },
	{ "movsx/4.19", "R-EBPF-11", LACKS, 0, 0x80, BI(0xbf, 0, 1, 8, 0),
	    FAULT },
};

TU_LOOP(alu, "ebpf/alu", TU_BY_PROFILE(alu_cases))
{
	const struct alu_case *c = &alu_cases[TU_CASE_OF(_i)];
	int prof = TU_ROW_OF(_i);
	struct result r;
	g_auto(GStrv) rules = g_strsplit(c->rules, " ", -1);

	TU_UNLESS(c->profiles & rows_of(prof, cpuv4));
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
	{ "jsgt64/positive", "R-EBPF-6", EACH, 0x80000000u, 0, 0x0d | BJ_JSGT,
	    1 },
	{ "jsgt32/negative", "R-EBPF-6 R-EBPF-11", HAS, 0x80000000u, 0,
	    0x0e | BJ_JSGT, 0 },
	{ "jgt64/high-bits", "R-EBPF-6", EACH, UINT64_C(0x100000000), 1,
	    0x0d | BJ_JGT, 1 },
	{ "jgt32/high-bits-dropped", "R-EBPF-6 R-EBPF-11", HAS,
	    UINT64_C(0x100000000), 1, 0x0e | BJ_JGT, 0 },
	{ "jslt64", "R-EBPF-6", EACH, UINT64_MAX, 0, 0x0d | BJ_JSLT, 1 },
	{ "jsle64/negative", "R-EBPF-6", EACH, UINT64_MAX, 0, 0x0d | BJ_JSLE,
	    1 },
	{ "jsgt64/negative", "R-EBPF-6", EACH, UINT64_MAX, 0, 0x0d | BJ_JSGT,
	    0 },
	{ "jsge64/negative", "R-EBPF-6", EACH, UINT64_MAX, 0, 0x0d | BJ_JSGE,
	    0 },
	{ "jlt64/unsigned", "R-EBPF-6", EACH, UINT64_MAX, 0, 0x0d | BJ_JLT, 0 },
	{ "jsle32/int-min", "R-EBPF-6 R-EBPF-11", HAS, 0x80000000u,
	    0x7fffffffu, 0x0e | BJ_JSLE, 1 },
	{ "jsge64", "R-EBPF-6", EACH, 5, 5, 0x0d | BJ_JSGE, 1 },
	{ "jge64", "R-EBPF-6", EACH, 4, 5, 0x0d | BJ_JGE, 0 },
	{ "jle64", "R-EBPF-6", EACH, 5, 5, 0x0d | BJ_JLE, 1 },
	{ "jset64/high", "R-EBPF-6", EACH, UINT64_C(0x100000000),
	    UINT64_C(0x100000000), 0x0d | BJ_JSET, 1 },
	{ "jset32/high-dropped", "R-EBPF-6 R-EBPF-11", HAS,
	    UINT64_C(0x100000000), UINT64_C(0x100000000), 0x0e | BJ_JSET, 0 },
	{ "jeq32/low-equal", "R-EBPF-6 R-EBPF-11", HAS,
	    UINT64_C(0xffffffff00000005), 5, 0x0e | BJ_JEQ, 1 },
	{ "jeq64/low-equal", "R-EBPF-6", EACH, UINT64_C(0xffffffff00000005), 5,
	    0x0d | BJ_JEQ, 0 },
	{ "jne64", "R-EBPF-6", EACH, 1, 2, 0x0d | BJ_JNE, 1 },
	{ "jmp32/4.19", "R-EBPF-11", LACKS, 1, 1, 0x0e | BJ_JEQ, -1 },
};

TU_LOOP(jmp, "ebpf/jmp", TU_BY_PROFILE(jmp_cases))
{
	const struct jmp_case *c = &jmp_cases[TU_CASE_OF(_i)];
	int prof = TU_ROW_OF(_i);
	g_auto(GStrv) rules = g_strsplit(c->rules, " ", -1);
	struct result r;

	TU_UNLESS(c->profiles & rows_of(prof, jmp32));
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
TU_LOOP(jmp_edges, "ebpf/jmp", TU_EVERY_PROFILE)
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
	if (tu_prof(prof)->bpf_cpuv4) {	/* gotol */
		RUN(prof, &r, MOV64_IMM(0, 7), BI(0x06, 0, 0, 0, 1), EXIT,
		    MOV64_IMM(0, 9), EXIT);
		assert_r0(&r, 9);
		result_clear(&r);
	}
}
END_TEST

/* R-EBPF-14 R-EBPF-12: a loop; without switch bpf_loops the back-edge is
 * refused, with it the loop runs until it ends or the budget does */
TU_LOOP(loops, "ebpf/jmp", TU_EVERY_PROFILE)
{
	int prof = _i;
	bool loops = tu_prof(prof)->bpf_loops;
	struct rp_state *st = tu_state_row(prof);
	struct result r;
	const struct rp_insn counted[] = { MOV64_IMM(0, 0), MOV64_IMM(1, 10),
	    ALU64_IMM(BA_ADD, 0, 3), ALU64_IMM(BA_SUB, 1, 1),
	    JMP_IMM(BJ_JNE, 1, 0, -3), EXIT };
	const struct rp_insn forever[] = { MOV64_IMM(0, 0), JA(-1), EXIT };

	run_on(st, counted, G_N_ELEMENTS(counted), &r);
	if (!loops) {
		assert_fault(&r, "R-EBPF-14", 4);
	} else {
		assert_r0(&r, 30);
		ck_assert_uint_eq(r.insns, 2 + 10 * 3 + 1);
	}
	result_clear(&r);
	rp_state_set_insn_budget(st, 1000);
	run_on(st, forever, G_N_ELEMENTS(forever), &r);
	if (!loops) {
		assert_fault(&r, "R-EBPF-14", 1);
	} else {
		assert_fault(&r, "R-EBPF-12", 1);
		ck_assert_uint_eq(r.insns, 1001);
	}
	result_clear(&r);
	/* the default budget is 1,000,000 instructions */
	rp_state_set_insn_budget(st, 0);
	run_on(st, forever, G_N_ELEMENTS(forever), &r);
	if (loops) {
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
TU_LOOP(stack_widths, "ebpf/mem", TU_EVERY_PROFILE)
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
TU_LOOP(stack_faults, "ebpf/mem", TU_EVERY_PROFILE)
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
TU_LOOP(spill, "ebpf/mem", TU_EVERY_PROFILE)
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
TU_LOOP(pointers, "ebpf/mem", TU_EVERY_PROFILE)
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
	{ "xadd/w", EACH, BS_W, BA_ADD, 0x10, 5, 0, 5, 0, 0x15 },
	{ "xadd/dw", EACH, BS_DW, BA_ADD, UINT64_MAX, 2, 0, 2, 0, 1 },
	{ "add/w-wraps-32", EACH, BS_W, BA_ADD, 0xffffffffu, 2, 0, 2, 0, 1 },
	{ "fetch-add/dw", HAS, BS_DW, BA_ADD | BT_FETCH, 0x10, 5, 0, 0x10, 0,
	    0x15 },
	{ "fetch-or/w", HAS, BS_W, BA_OR | BT_FETCH, 0xf0, 0x0f, 0, 0xf0, 0,
	    0xff },
	{ "fetch-and/dw", HAS, BS_DW, BA_AND | BT_FETCH, 0xff, 0x0f, 0, 0xff,
	    0, 0x0f },
	{ "fetch-xor/w-zero-extends", HAS, BS_W, BA_XOR | BT_FETCH,
	    0xffffffffu, UINT64_C(0xffffffff00000001), 0, 0xffffffffu, 0,
	    0xfffffffeu },
	{ "and/no-fetch", HAS, BS_DW, BA_AND, 0xff, 0x0f, 0, 0x0f, 0, 0x0f },
	{ "xchg/dw", HAS, BS_DW, BT_XCHG, 7, 9, 0, 7, 0, 9 },
	{ "cmpxchg/equal", HAS, BS_DW, BT_CMPXCHG, 7, 9, 7, 9, 7, 9 },
	{ "cmpxchg/differs", HAS, BS_DW, BT_CMPXCHG, 7, 9, 8, 9, 7, 7 },
	{ "cmpxchg/w-compares-32", HAS, BS_W, BT_CMPXCHG, 7, 9,
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

TU_LOOP(atomic_values, "ebpf/atomic", TU_BY_PROFILE(atomic_cases))
{
	const struct atomic_case *c = &atomic_cases[TU_CASE_OF(_i)];
	int prof = TU_ROW_OF(_i);
	bool fault;

	if (!(c->profiles & rows_of(prof, atomics))) {
		/* without the switch only the add: the rest is a reserved
		 * imm */
		atomic_probe(prof, c, 0, &fault);
		ck_assert_msg(fault, "%s ran in %s", c->name,
		    tu_prof(prof)->name);
		return;
	}
	ck_assert_uint_eq(atomic_probe(prof, c, 1, &fault), c->want_src);
	ck_assert(!fault);
	ck_assert_uint_eq(atomic_probe(prof, c, 0, &fault), c->want_r0);
	ck_assert_uint_eq(atomic_probe(prof, c, 3, &fault), c->want_mem);
}
END_TEST

/* R-EBPF-8: atomics only on the stack and map values */
TU_LOOP(atomic_faults, "ebpf/atomic", TU_EVERY_PROFILE)
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
TU_LOOP(call_basic, "ebpf/call", TU_EVERY_PROFILE)
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

TU_LOOP(call_depth, "ebpf/call", TU_EVERY_PROFILE)
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
TU_LOOP(call_stack_size, "ebpf/call", TU_EVERY_PROFILE)
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
	return tu_map_create(st, 0, type, ks, vs, n, 0);
}

/*
 * The instruction-set switches of docs/SPEC.md (bpf_jmp32, bpf_loops,
 * bpf_atomics, bpf_cpuv4, bpf_map_value_ld, bpf_insn_limit,
 * bpf_stack_jit, bpf_sockmap_update) under every row of the profile
 * table: a program each switch decides, run as a socket filter; where the
 * row's switch is on (sw_on()) it runs (r0 = want), elsewhere it faults
 * with rule (or, for a load, fails with -err).
 * R-EBPF-11 R-EBPF-14 R-EBPF-8 R-EBPF-15 R-EBPF-1 R-EBPF-9 R-HLP-11
 */
enum { SW_JMP32, SW_LOOPS, SW_ATOMICS, SW_CPUV4, SW_MAP_VALUE, SW_LIMIT,
	SW_STACK, SW_SOCKMAP, SW_N };
static const struct {
	const char	*name;
	const char	*rule;	/* the fault where not ok */
	int		 err;	/* or the load's error */
	uint64_t	 want;	/* r0 where ok */
} sw_rows[SW_N] = {
	[SW_JMP32] = { "bpf_jmp32 (5.1)", "R-EBPF-11", 0, 1 },
	[SW_LOOPS] = { "bpf_loops (5.3)", "R-EBPF-14", 0, 30 },
	/* before 5.12 BPF_XADD's imm is a reserved field */
	[SW_ATOMICS] = { "bpf_atomics (5.12)", "R-EBPF-2", 0, 5 },
	[SW_CPUV4] = { "bpf_cpuv4 (6.6)", "R-EBPF-11", 0, (uint64_t)-3 },
	[SW_MAP_VALUE] = { "bpf_map_value_ld (5.2)", NULL, -EINVAL, 0 },
	[SW_LIMIT] = { "bpf_insn_limit (5.2)", NULL, -E2BIG, 4095 },
	[SW_STACK] = { "bpf_stack_jit (6.9)", "R-EBPF-9", 0, 5 },
	[SW_SOCKMAP] = { "bpf_sockmap_update (5.10)", "R-PRG-1", 0, 0 },
};

/* Is switch row of sw_rows[] on in profile p? */
static bool
sw_on(int row, const struct rp_profile *p)
{
	switch (row) {
	case SW_JMP32:		return p->bpf_jmp32;
	case SW_LOOPS:		return p->bpf_loops;
	case SW_ATOMICS:	return p->bpf_atomics;
	case SW_CPUV4:		return p->bpf_cpuv4;
	case SW_MAP_VALUE:	return p->bpf_map_value_ld;
	case SW_LIMIT:		return p->bpf_insn_limit > 4096;
	case SW_STACK:		return p->bpf_stack_jit;
	default:		return p->bpf_sockmap_update;
	}
}

TU_NAMED(switches_by_profile, "ebpf/switches/by-profile", "ebpf/load",
    SW_N * TU_EVERY_PROFILE)
{
	int row = TU_CASE_OF(_i);
	const struct rp_profile *pr = tu_prof(TU_ROW_OF(_i));
	struct rp_state *st = tu_state_of(pr);
	int arr = value_map(st, RP_MAP_ARRAY, 4, 8, 1);
	g_autofree struct rp_insn *p = g_new0(struct rp_insn, 4097);
	const bool ok = sw_on(row, pr);
	struct rp_map_attr a;
	struct result r;
	size_t n = 0;
	int fd;

#define EMIT(...) do {							\
	const struct rp_insn e_[] = { __VA_ARGS__ };			\
	memcpy(p + n, e_, sizeof(e_));					\
	n += G_N_ELEMENTS(e_);						\
} while (0)
	switch (row) {
	case SW_JMP32:
		EMIT(MOV64_IMM(0, 1), JMP32_IMM(BJ_JEQ, 0, 1, 1),
		    MOV64_IMM(0, 2), EXIT);
		break;
	case SW_LOOPS:
		EMIT(MOV64_IMM(0, 0), MOV64_IMM(1, 10),
		    ALU64_IMM(BA_ADD, 0, 3), ALU64_IMM(BA_SUB, 1, 1),
		    JMP_IMM(BJ_JNE, 1, 0, -3), EXIT);
		break;
	case SW_ATOMICS:	/* fetch-add: r1 gets the old 5 */
		EMIT(ST(BS_DW, 10, -8, 5), MOV64_IMM(1, 3),
		    ATOMIC(BS_DW, 10, 1, -8, 0x01), MOV64_REG(0, 1), EXIT);
		break;
	case SW_CPUV4:		/* sdiv -7 / 2 */
		EMIT(MOV64_IMM(0, -7), BI(0x07 | BA_DIV, 0, 0, 1, 2), EXIT);
		break;
	case SW_MAP_VALUE:
		EMIT(LD_MAP_VALUE(1, arr, 0), LDX(BS_DW, 0, 1, 0), EXIT);
		break;
	case SW_LIMIT:
		for (int i = 0; i < 4096; i++)
			p[n++] = MOV64_IMM(0, i);
		EMIT(EXIT);
		break;
	case SW_STACK:		/* 8 + 496: 520 rounded by 16, 544 by 32 */
		EMIT(ST(BS_DW, 10, -8, 0), CALL_SUB(1), EXIT,
		    ST(BS_DW, 10, -496, 0), MOV64_IMM(0, 5), EXIT);
		break;
	default:		/* SW_SOCKMAP: a stack value, not a socket */
		rp_map_attr_init(&a, RP_MAP_SOCKMAP, 8, 2);
		fd = rp_map_create(st, 0, &a);
		ck_assert_int_ge(fd, 3);
		EMIT(ST(BS_W, 10, -4, 0), LD_MAP(1, fd), MOV64_REG(2, 10),
		    ALU64_IMM(BA_ADD, 2, -4), MOV64_REG(3, 10),
		    ALU64_IMM(BA_ADD, 3, -4), MOV64_IMM(4, 0), CALL(2),
		    MOV64_IMM(0, 0), EXIT);
		break;
	}
#undef EMIT
	if (sw_rows[row].err != 0) {
		fd = load(st, RP_PROG_SOCKET_FILTER, p, n);
		ck_assert_msg((fd >= 3) == ok && (ok || fd == sw_rows[row].err),
		    "%s in %s: load gives %d", sw_rows[row].name,
		    rp_profile_name(pr), fd);
		if (ok) {
			ck_assert_int_eq(rp_close(st, 0, fd), 0);
			run_on(st, p, n, &r);
			assert_r0(&r, sw_rows[row].want);
			result_clear(&r);
		}
	} else {
		run_on(st, p, n, &r);
		if (row == SW_SOCKMAP) {
			/* 5.10+: the map passes; the value is refused */
			ck_assert_msg(r.fault && g_str_has_prefix(r.why,
			    "R-PRG-1") == !ok, "%s in %s: %s",
			    sw_rows[row].name, rp_profile_name(pr), r.why);
		} else if (ok) {
			ck_assert_msg(!r.fault && r.r0 == sw_rows[row].want,
			    "%s in %s: %s, r0 %" G_GINT64_MODIFIER "d",
			    sw_rows[row].name, rp_profile_name(pr), r.why,
			    (int64_t)r.r0);
		} else {
			ck_assert_msg(r.fault && g_str_has_prefix(r.why,
			    sw_rows[row].rule), "%s in %s: %s",
			    sw_rows[row].name, rp_profile_name(pr), r.why);
		}
		result_clear(&r);
	}
	tu_state_done(st);
}
END_TEST

/* R-EBPF-1: the instruction count, LD_IMM64 and its maps */
TU_LOOP(load_checks, "ebpf/load", TU_EVERY_PROFILE)
{
	struct rp_state *st = tu_state_row(_i);
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
	ck_assert_int_eq(fd < 0 ? fd : 0,
	    tu_prof(_i)->bpf_insn_limit < 4097 ? -E2BIG : 0);
	/* without CAP_BPF, 6.18 allows 4096 (a SOCKET_FILTER loads);
	 * R-PRG-4: unprivileged_bpf_disabled (2 in 6.18) is checked first */
	ck_assert_int_eq(rp_proc_new(st, 0, 1000, 0), 1);
	ck_assert_int_eq(load_as(st, 1, RP_PROG_SOCKET_FILTER, big, 4097),
	    tu_prof(_i)->unpriv_default == 0 ? -E2BIG : -EPERM);
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
	tu_state_done(st);
}
END_TEST

/* ---------------------------------------------------------------------
 * SK_REUSEPORT programs through rp_send(): a fixture with a group of n
 * UDP (or TCP) members at 127.0.0.1:PORT, member i in slot i of a
 * 4-slot sockarray, and an 8-entry ARRAY "out" (8-byte values) the
 * programs write what they saw into.
 */

struct rfx {
	struct rp_state	*st;
	int		 type;
	int		 fds[4];
	unsigned	 ids[4];
	int		 n;
	int		 map;		/* sockarray */
	int		 out;		/* ARRAY of 8 u64 */
	int		 prog;
};

/* As rfx_init() in profile pr. */
static void
rfx_init_with(struct rfx *f, const struct rp_profile *pr, int type, int n)
{
	memset(f, 0, sizeof(*f));
	f->st = tu_state_of(pr);
	f->type = type;
	f->n = n;
	f->map = tu_sockarray(f->st, 0, 8, 4);
	f->out = value_map(f->st, RP_MAP_ARRAY, 4, 8, 8);
	ck_assert_int_ge(f->out, 3);
	for (int i = 0; i < n; i++) {
		f->fds[i] = tu_reuse_sock(f->st, 0, RP_AF_INET, type, 1, PORT);
		f->ids[i] = rp_fd_sock(f->st, 0, f->fds[i]);
		ck_assert_int_eq(rp_map_update(f->st, 0, f->map, (uint32_t)i,
		    (uint64_t)f->fds[i], RP_BPF_ANY), 0);
	}
}

/* Does row prof offer bpf_get_socket_cookie() to SK_REUSEPORT (helper
 * set bpf_version 5.14+, with ctx->sk)? */
static bool
cookie_helper(int prof)
{
	return tu_prof(prof)->bpf_version >= RP_KVER(5, 14);
}

static void
rfx_init(struct rfx *f, int prof, int type, int n)
{
	rfx_init_with(f, tu_prof(prof), type, n);
}

static void
rfx_done(struct rfx *f)
{
	tu_state_done(f->st);
}

/* Load p as an SK_REUSEPORT program and attach it to the group; the
 * load's result when it fails. */
static int
rfx_attach(struct rfx *f, const struct rp_insn *p, size_t n, uint32_t eat)
{
	struct rp_prog_insns_attr a = { .prog_type = RP_PROG_SK_REUSEPORT,
	    .expected_attach_type = eat, .insns = p,
	    .insn_cnt = (uint32_t)n };
	int fd = rp_prog_load_insns(f->st, 0, &a);

	if (fd < 0)
		return fd;
	ck_assert_int_eq(rp_attach_ebpf(f->st, 0, f->fds[0], fd), 0);
	f->prog = fd;
	return 0;
}

#define ATTACH(f, ...) do {						\
	const struct rp_insn p_[] = { __VA_ARGS__ };			\
	ck_assert_int_eq(rfx_attach((f), p_, G_N_ELEMENTS(p_), 0), 0);	\
} while (0)

/* One datagram (or SYN) with payload, hash given. */
static void
rfx_send(struct rfx *f, const void *payload, size_t len, uint32_t hash,
    struct rp_delivery *d)
{
	tu_send4(f->st, f->type, 5555, PORT, payload, len, hash, d);
}

static uint64_t
out_get(struct rfx *f, uint32_t k)
{
	uint64_t v = 0;

	ck_assert_int_eq(rp_map_lookup(f->st, 0, f->out, k, &v, 0), 0);
	return v;
}

/* out[k] = r<reg> (reg one of r6-r9); 9 instructions, r0-r5 clobbered */
#define OUT(f, k, reg)							\
	ST(BS_W, 10, -4, k), LD_MAP(1, (f)->out), MOV64_REG(2, 10),	\
	ALU64_IMM(BA_ADD, 2, -4), CALL(1), JMP_IMM(BJ_JEQ, 0, 0, 1),	\
	STX(BS_DW, 0, reg, 0)

/* R-CTX-1 R-CTX-2 R-CTX-3 R-CTX-4 R-CTX-7 R-RUN-1: what the fields hold,
 * UDP and TCP */
TU_LOOP(ctx_fields, "ebpf/ctx", 2 * TU_EVERY_PROFILE)
{
	int type = TU_CASE_OF(_i) ? RP_SOCK_STREAM : RP_SOCK_DGRAM;
	struct rfx f;
	struct rp_delivery d;
	static const uint8_t pay[5] = { 1, 2, 3, 4, 5 };

	rfx_init(&f, TU_ROW_OF(_i), type, 2);
	ATTACH(&f, MOV64_REG(9, 1),
	    LDX(BS_W, 6, 9, 16), OUT(&f, 0, 6),		/* len */
	    LDX(BS_W, 6, 9, 20), OUT(&f, 1, 6),		/* eth_protocol */
	    LDX(BS_W, 6, 9, 24), OUT(&f, 2, 6),		/* ip_protocol */
	    LDX(BS_W, 6, 9, 28), OUT(&f, 3, 6),		/* bind_inany */
	    LDX(BS_W, 6, 9, 32), OUT(&f, 4, 6),		/* hash */
	    LDX(BS_DW, 6, 9, 0), LDX(BS_DW, 7, 9, 8),
	    ALU64_REG(BA_SUB, 7, 6), OUT(&f, 5, 7),	/* data_end - data */
	    LDX(BS_DW, 6, 9, 0), LDX(BS_B, 6, 6, 2),
	    OUT(&f, 6, 6),			/* dport, its first byte */
	    MOV64_IMM(0, RP_SK_PASS), EXIT);
	rfx_send(&f, pay, type == RP_SOCK_DGRAM ? 5 : 0, 0x12345678, &d);
	ck_assert_msg(!d.prog_fault, "%s", rp_state_take_violation(f.st));
	ck_assert_int_eq(d.outcome, RP_DELIVERED);
	ck_assert_int_eq(d.prog_ret, RP_SK_PASS);
	ck_assert(!d.prog_fault);
	ck_assert_uint_eq(out_get(&f, 0), type == RP_SOCK_DGRAM ? 13 : 40);
	ck_assert_uint_eq(out_get(&f, 1), 0x0008);	/* htons(ETH_P_IP) */
	ck_assert_uint_eq(out_get(&f, 2), type == RP_SOCK_DGRAM ? 17 : 6);
	ck_assert_uint_eq(out_get(&f, 3), 0);
	ck_assert_uint_eq(out_get(&f, 4), 0x12345678);
	ck_assert_uint_eq(out_get(&f, 5), out_get(&f, 0));
	ck_assert_uint_eq(out_get(&f, 6), PORT >> 8);	/* big-endian */
	rfx_done(&f);
}
END_TEST

/* R-CTX-3: bind_inany is the group's bit */
TU_LOOP(ctx_bind_inany, "ebpf/ctx", TU_EVERY_PROFILE)
{
	struct rp_state *st = tu_state_row(_i);
	int fd = tu_reuse_sock(st, 0, RP_AF_INET6, RP_SOCK_DGRAM, 0, PORT);
	int out = value_map(st, RP_MAP_ARRAY, 4, 8, 1);
	struct rfx f = { .st = st, .out = out };
	const struct rp_insn p[] = { MOV64_REG(9, 1), LDX(BS_W, 6, 9, 28),
	    OUT(&f, 0, 6), LDX(BS_W, 6, 9, 20), ST(BS_W, 10, -4, 0),
	    MOV64_IMM(0, RP_SK_PASS), EXIT };
	struct rp_packet pkt = { .protocol = RP_IPPROTO_UDP };
	struct rp_delivery d;
	uint64_t v = 0;

	f.fds[0] = fd;
	ck_assert_int_eq(rfx_attach(&f, p, G_N_ELEMENTS(p), 0), 0);
	pkt.src = tu_addr(RP_AF_INET6, 1, 5555);
	pkt.dst = tu_addr(RP_AF_INET6, 1, PORT);
	ck_assert_int_eq(rp_send(st, 0, &pkt, &d), 0);
	ck_assert_int_eq(d.outcome, RP_DELIVERED);
	ck_assert_int_eq(rp_map_lookup(st, 0, out, 0, &v, 0), 0);
	ck_assert_uint_eq(v, 1);
	rp_state_free(st);
}
END_TEST

/* R-CTX-6: narrow loads.  want: the value, or FAULT; a load that starts
 * inside a field faults without switch bpf_ctx_narrow_any (4.19). */
struct narrow_case {
	int		 off, size;
	uint64_t	 want;
};

/* UDP, 5-byte payload: len 13 (0x0d), ip_protocol 17, bind_inany 0 */
static const struct narrow_case narrow_cases[] = {
	{ 16, 1, 13 },
	{ 16, 2, 13 },
	{ 17, 1, 0 },
	{ 18, 2, 0 },
	{ 20, 1, FAULT },		/* eth_protocol: >= 2 bytes */
	{ 20, 2, 0x0008 },
	{ 22, 2, 0x0008 },		/* the whole 16-bit field */
	{ 24, 1, 17 },
	{ 25, 1, 0 },
	{ 26, 2, 17 },		/* the whole 16-bit field */
	{ 28, 1, 0 },
	{ 29, 1, 0 },
	{ 32, 2, FAULT },		/* hash: exactly 4 */
	{ 32, 8, FAULT },
	{ 0, 4, FAULT },		/* data: exactly 8 */
	{ 36, 4, FAULT },		/* padding */
	{ 56, 8, FAULT },
	{ -8, 8, FAULT },
	{ 17, 2, FAULT },		/* misaligned */
};

TU_LOOP(ctx_narrow, "ebpf/ctx", TU_BY_PROFILE(narrow_cases))
{
	const struct narrow_case *c = &narrow_cases[TU_CASE_OF(_i)];
	int prof = TU_ROW_OF(_i);
	uint8_t sz = c->size == 1 ? BS_B : c->size == 2 ? BS_H :
	    c->size == 4 ? BS_W : BS_DW;
	static const uint8_t pay[5] = { 1, 2, 3, 4, 5 };
	struct rp_delivery d;
	struct rfx f;
	uint64_t want;
	char *why;

	rfx_init(&f, prof, RP_SOCK_DGRAM, 2);
	ATTACH(&f, MOV64_REG(9, 1), LDX(sz, 6, 9, c->off), OUT(&f, 0, 6),
	    MOV64_IMM(0, RP_SK_PASS), EXIT);
	ck_assert_int_eq(rp_map_update(f.st, 0, f.out, 0, 0xdead, RP_BPF_ANY),
	    0);
	rfx_send(&f, pay, sizeof(pay), 1, &d);
	why = rp_state_take_violation(f.st);
	want = !tu_prof(prof)->bpf_ctx_narrow_any && (c->off & 3) != 0 ?
	    FAULT : c->want;
	if (want == FAULT) {
		/* R-EBPF-13: the fault leaves the packet to the hash */
		ck_assert_msg(why != NULL && g_str_has_prefix(why, "R-CTX-6"),
		    "off %d size %d: %s", c->off, c->size, why);
		ck_assert(d.prog_fault);
		ck_assert_int_eq(d.how, RP_HOW_HASH);
		ck_assert_int_eq(d.outcome, RP_DELIVERED);
		ck_assert_uint_eq(out_get(&f, 0), 0xdead);
	} else {
		ck_assert_msg(why == NULL, "off %d size %d: %s", c->off,
		    c->size, why);
		ck_assert_uint_eq(out_get(&f, 0), want);
	}
	g_free(why);
	rfx_done(&f);
}
END_TEST

/* R-CTX-5 R-CTX-6: sk and migrating_sk (switch expected_attach, 5.14+),
 * a read-only context */
TU_LOOP(ctx_sock, "ebpf/ctx", TU_EVERY_PROFILE)
{
	int prof = _i;
	static const uint8_t pay[1] = { 0 };
	struct rp_delivery d;
	struct rp_sock_info si;
	struct rfx f;
	char *why;

	rfx_init(&f, prof, RP_SOCK_DGRAM, 2);
	ATTACH(&f, MOV64_REG(9, 1), LDX(BS_DW, 8, 9, 40),
	    LDX(BS_W, 6, 8, 4), OUT(&f, 0, 6),		/* family */
	    LDX(BS_W, 6, 8, 12), OUT(&f, 1, 6),		/* protocol */
	    LDX(BS_W, 6, 8, 44), OUT(&f, 2, 6),		/* src_port */
	    LDX(BS_W, 6, 8, 24), OUT(&f, 3, 6),		/* src_ip4 */
	    LDX(BS_DW, 6, 9, 48), OUT(&f, 4, 6),	/* migrating_sk */
	    MOV64_IMM(0, RP_SK_PASS), EXIT);
	rfx_send(&f, pay, 1, 1, &d);
	why = rp_state_take_violation(f.st);
	if (!tu_prof(prof)->expected_attach) {
		ck_assert_msg(why != NULL && g_str_has_prefix(why, "R-CTX-5"),
		    "%s", why);
	} else {
		ck_assert_msg(why == NULL, "%s", why);
		ck_assert_uint_eq(out_get(&f, 0), RP_AF_INET);
		ck_assert_uint_eq(out_get(&f, 1), RP_IPPROTO_UDP);
		ck_assert_uint_eq(out_get(&f, 2), PORT);
		ck_assert_uint_eq(out_get(&f, 3), 0x0100007f);
		ck_assert_uint_eq(out_get(&f, 4), 0);	/* NULL */
		ck_assert_int_eq(rp_sock_info(f.st, d.sock, &si), 0);
	}
	g_free(why);
	rfx_done(&f);

	/* a store into the context */
	rfx_init(&f, prof, RP_SOCK_DGRAM, 1);
	ATTACH(&f, ST(BS_W, 1, 32, 0), MOV64_IMM(0, RP_SK_PASS), EXIT);
	rfx_send(&f, pay, 1, 1, &d);
	why = rp_state_take_violation(f.st);
	ck_assert_msg(why != NULL && g_str_has_prefix(why, "R-CTX-6"), "%s",
	    why);
	g_free(why);
	rfx_done(&f);
}
END_TEST

/*
 * R-CTX-5 R-CTX-6: the context fields by profile: sk and migrating_sk
 * with switch expected_attach (5.14), narrow loads inside a field with
 * bpf_ctx_narrow_any (5.2), ip_protocol a 16-bit field from 5.6.
 */
TU_NAMED(ctx_by_profile, "ebpf/ctx/by-profile", "ebpf/ctx",
    TU_EVERY_PROFILE)
{
	static const uint8_t pay[1] = { 0 };
	const struct rp_profile *pr = tu_prof(_i);
	struct rp_delivery d;
	struct rfx f;
	char *why;

	rfx_init_with(&f, pr, RP_SOCK_DGRAM, 1);
	ATTACH(&f, LDX(BS_DW, 2, 1, 40), LDX(BS_DW, 3, 1, 48),
	    MOV64_IMM(0, RP_SK_PASS), EXIT);
	rfx_send(&f, pay, 1, 1, &d);
	why = rp_state_take_violation(f.st);
	ck_assert_msg((why == NULL) == pr->expected_attach, "%s: %s",
	    rp_profile_name(pr), why);
	g_free(why);
	rfx_done(&f);
	/* ip_protocol's second byte: 4.19 refuses a load inside a field;
	 * later the 16-bit sk_protocol's high byte, 0 */
	rfx_init_with(&f, pr, RP_SOCK_DGRAM, 1);
	ATTACH(&f, MOV64_REG(9, 1), LDX(BS_B, 6, 9, 25), OUT(&f, 0, 6),
	    LDX(BS_H, 6, 9, 24), OUT(&f, 1, 6), MOV64_IMM(0, RP_SK_PASS),
	    EXIT);
	rfx_send(&f, pay, 1, 1, &d);
	why = rp_state_take_violation(f.st);
	ck_assert_msg((why == NULL) == pr->bpf_ctx_narrow_any, "%s: %s",
	    rp_profile_name(pr), why);
	if (pr->bpf_ctx_narrow_any) {
		ck_assert_uint_eq(out_get(&f, 0), 0);
		ck_assert_uint_eq(out_get(&f, 1), RP_IPPROTO_UDP);
	}
	g_free(why);
	rfx_done(&f);
}
END_TEST

/* ---------------------------------------------------------------------
 * ebpf/helpers
 */

/* key = r6; r7 = bpf_sk_select_reuseport(ctx, map, &key, 0) */
#define SELECT(f, key)							\
	ST(BS_W, 10, -8, key), MOV64_REG(1, 9), LD_MAP(2, (f)->map),	\
	MOV64_REG(3, 10), ALU64_IMM(BA_ADD, 3, -8), MOV64_IMM(4, 0),	\
	CALL(82), MOV64_REG(7, 0)

/* R-HLP-4 R-HLP-1 R-HLP-6 R-RUN-1 R-RUN-2: the helper from instructions,
 * the verdict, several calls in one run */
TU_LOOP(select_helper, "ebpf/helpers", TU_EVERY_PROFILE)
{
	static const uint8_t pay[1] = { 0 };
	struct rp_delivery d;
	struct rfx f;

	rfx_init(&f, _i, RP_SOCK_DGRAM, 3);
	/* select 1, then 3 (empty: -ENOENT), pass: member 1 */
	ATTACH(&f, MOV64_REG(9, 1), SELECT(&f, 1), SELECT(&f, 3),
	    OUT(&f, 0, 7), MOV64_IMM(0, RP_SK_PASS), EXIT);
	rfx_send(&f, pay, 1, 0, &d);
	ck_assert_int_eq(d.outcome, RP_DELIVERED);
	ck_assert_int_eq(d.how, RP_HOW_PROG);
	ck_assert_uint_eq(d.sock, f.ids[1]);
	ck_assert_int_eq(d.helper_err, -ENOENT);
	ck_assert_uint_eq(out_get(&f, 0), (uint64_t)-ENOENT);
	rfx_done(&f);

	/* select 1, then 2: the last success wins */
	rfx_init(&f, _i, RP_SOCK_DGRAM, 3);
	ATTACH(&f, MOV64_REG(9, 1), SELECT(&f, 1), SELECT(&f, 2),
	    MOV64_IMM(0, RP_SK_PASS), EXIT);
	rfx_send(&f, pay, 1, 0, &d);
	ck_assert_uint_eq(d.sock, f.ids[2]);
	ck_assert_int_eq(d.helper_err, 0);
	rfx_done(&f);

	/* selected but SK_DROP, or any verdict other than 1: dropped */
	for (int verdict = 0; verdict <= 2; verdict += 2) {
		rfx_init(&f, _i, RP_SOCK_DGRAM, 3);
		ATTACH(&f, MOV64_REG(9, 1), SELECT(&f, 1),
		    MOV64_IMM(0, verdict), EXIT);
		rfx_send(&f, pay, 1, 0, &d);
		ck_assert_int_eq(d.outcome, RP_DROPPED);
		ck_assert_int_eq(d.prog_ret, verdict);
		rfx_done(&f);
	}
	/* SK_PASS without a selection: the hash decides */
	rfx_init(&f, _i, RP_SOCK_DGRAM, 3);
	ATTACH(&f, MOV64_IMM(0, RP_SK_PASS), EXIT);
	rfx_send(&f, pay, 1, 0xc0000000u, &d);
	ck_assert_int_eq(d.outcome, RP_DELIVERED);
	ck_assert_int_eq(d.how, RP_HOW_HASH);
	ck_assert_uint_eq(d.sock, f.ids[2]);	/* (0xc0000000 * 3) >> 32 */
	rfx_done(&f);
}
END_TEST

/* Run a one-off program on the fixture and return the violation. */
static char *
rfx_fault(struct rfx *f, const struct rp_insn *p, size_t n,
    struct rp_delivery *d)
{
	static const uint8_t pay[4] = { 0 };

	ck_assert_int_eq(rfx_attach(f, p, n, 0), 0);
	rfx_send(f, pay, sizeof(pay), 0, d);
	return rp_state_take_violation(f->st);
}

#define FAULTS(f, d, why, ...) do {					\
	const struct rp_insn p_[] = { __VA_ARGS__ };			\
	(why) = rfx_fault((f), p_, G_N_ELEMENTS(p_), (d));		\
} while (0)

static void
expect_why(char *why, const char *rule)
{
	ck_assert_msg(why != NULL && g_str_has_prefix(why, rule),
	    "want %s, got %s", rule, why != NULL ? why : "no fault");
	g_free(why);
}

/*
 * R-EBPF-17 R-PRG-7: the helper sets of every row of the profile table
 * (switch bpf_version), by the upstream version that added each helper
 * to the program type: offered at load from that version on (ALL: in
 * every row, NEVER: in none).
 */
#define ALL	0
#define NEVER	UINT16_MAX
static const struct {
	int32_t		id;
	uint32_t	type;
	const char	*name;
	uint16_t	since;		/* RP_KVER() */
} by_profile[] = {
	{ 1, RP_PROG_SK_REUSEPORT, "map_lookup_elem", ALL },
	{ 82, RP_PROG_SK_REUSEPORT, "sk_select_reuseport", ALL },
	{ 82, RP_PROG_SOCKET_FILTER, "sk_select_reuseport", NEVER },
	{ 6, RP_PROG_SK_REUSEPORT, "trace_printk", ALL },
	{ 87, RP_PROG_SK_REUSEPORT, "map_push_elem (4.20)", RP_KVER(4, 20) },
	{ 93, RP_PROG_SK_REUSEPORT, "spin_lock (5.1)", RP_KVER(5, 1) },
	{ 118, RP_PROG_SK_REUSEPORT, "jiffies64 (5.5)", RP_KVER(5, 5) },
	{ 125, RP_PROG_SK_REUSEPORT, "ktime_get_boot_ns (5.8)", RP_KVER(5, 8) },
	{ 130, RP_PROG_SK_REUSEPORT, "ringbuf_output (5.8)", RP_KVER(5, 8) },
	{ 160, RP_PROG_SK_REUSEPORT, "ktime_get_coarse_ns (5.11)", RP_KVER(5, 11) },
	{ 164, RP_PROG_SK_REUSEPORT, "for_each_map_elem (5.13)", RP_KVER(5, 13) },
	{ 46, RP_PROG_SK_REUSEPORT, "get_socket_cookie (5.14)", RP_KVER(5, 14) },
	{ 46, RP_PROG_SOCKET_FILTER, "get_socket_cookie", ALL },
	{ 182, RP_PROG_SK_REUSEPORT, "strncmp (5.17)", RP_KVER(5, 17) },
	{ 181, RP_PROG_SK_REUSEPORT, "loop (5.17)", RP_KVER(5, 17) },
	{ 195, RP_PROG_SK_REUSEPORT, "map_lookup_percpu_elem (5.19)", RP_KVER(5, 19) },
	{ 208, RP_PROG_SK_REUSEPORT, "ktime_get_tai_ns (6.1)", RP_KVER(6, 1) },
	{ 14, RP_PROG_SK_REUSEPORT, "get_current_pid_tgid (6.10)", RP_KVER(6, 10) },
	{ 15, RP_PROG_SOCKET_FILTER, "get_current_uid_gid (6.10)", RP_KVER(6, 10) },
	{ 47, RP_PROG_SK_REUSEPORT, "get_socket_uid", NEVER },
	{ 9999, RP_PROG_SK_REUSEPORT, "unknown", NEVER },
};

TU_NAMED(helpers_by_profile, "ebpf/helpers/by-profile", "ebpf/helpers",
    TU_BY_PROFILE(by_profile))
{
	size_t row = (size_t)TU_CASE_OF(_i);
	const struct rp_profile *prof = tu_prof(TU_ROW_OF(_i));
	bool want = by_profile[row].since != NEVER &&
	    prof->bpf_version >= by_profile[row].since;

	ck_assert_msg((rp_bpf_helper_find(prof, by_profile[row].type,
	    by_profile[row].id) != NULL) == want,
	    "%s in %s (%s)", by_profile[row].name, rp_profile_name(prof),
	    by_profile[row].type == RP_PROG_SK_REUSEPORT ? "sk_reuseport" :
	    "socket filter");
}
END_TEST
#undef ALL
#undef NEVER

/* R-PRG-2 R-PRG-1 R-HLP-10 R-PRG-6 R-PRG-7 R-EBPF-17: what the verifier
 * would refuse, at run time */
TU_LOOP(helper_refused, "ebpf/helpers", TU_EVERY_PROFILE)
{
	struct rp_delivery d;
	struct rfx f;
	char *why;

	/* a value map to the select helper */
	rfx_init(&f, _i, RP_SOCK_DGRAM, 2);
	FAULTS(&f, &d, why, MOV64_REG(1, 1), LD_MAP(2, f.out),
	    ST(BS_W, 10, -4, 0), MOV64_REG(3, 10), ALU64_IMM(BA_ADD, 3, -4),
	    MOV64_IMM(4, 0), CALL(82), MOV64_IMM(0, 1), EXIT);
	expect_why(why, "R-PRG-2");
	ck_assert(d.prog_fault);
	ck_assert_int_eq(d.outcome, RP_DELIVERED);
	rfx_done(&f);
	/* the sockarray to map_lookup_elem */
	rfx_init(&f, _i, RP_SOCK_DGRAM, 2);
	FAULTS(&f, &d, why, LD_MAP(1, f.map), ST(BS_W, 10, -4, 0),
	    MOV64_REG(2, 10), ALU64_IMM(BA_ADD, 2, -4), CALL(1),
	    MOV64_IMM(0, 1), EXIT);
	expect_why(why, "R-PRG-1");
	rfx_done(&f);
	/* get_socket_cookie is offered to SK_REUSEPORT from 5.14 (helper
	 * set bpf_version), else R-PRG-7 */
	rfx_init(&f, _i, RP_SOCK_DGRAM, 2);
	FAULTS(&f, &d, why, LDX(BS_DW, 1, 1, cookie_helper(_i) ? 40 : 0),
	    CALL(46), MOV64_IMM(0, 1), EXIT);
	if (!cookie_helper(_i))
		expect_why(why, "R-PRG-7");	/* before the argument */
	else
		ck_assert_msg(why == NULL, "%s", why);
	rfx_done(&f);
	rfx_init(&f, _i, RP_SOCK_DGRAM, 2);
	FAULTS(&f, &d, why, MOV64_IMM(1, 0), CALL(46), MOV64_IMM(0, 1), EXIT);
	if (!cookie_helper(_i))
		expect_why(why, "R-PRG-7");
	else
		ck_assert_msg(why == NULL, "%s", why);	/* NULL: cookie 0 */
	rfx_done(&f);
	/* offered by the kernel, not modelled; unknown */
	rfx_init(&f, _i, RP_SOCK_DGRAM, 2);
	FAULTS(&f, &d, why, MOV64_REG(1, 1), LD_MAP(2, f.out), MOV64_IMM(3, 0),
	    CALL(12), MOV64_IMM(0, 1), EXIT);
	ck_assert(why != NULL && strstr(why, "not modelled") != NULL);
	expect_why(why, "R-EBPF-17");
	rfx_done(&f);
	rfx_init(&f, _i, RP_SOCK_DGRAM, 2);
	FAULTS(&f, &d, why, CALL(9999), MOV64_IMM(0, 1), EXIT);
	expect_why(why, "R-EBPF-17");
	rfx_done(&f);
	/* an argument never written */
	rfx_init(&f, _i, RP_SOCK_DGRAM, 2);
	FAULTS(&f, &d, why, LD_MAP(1, f.out), CALL(1), MOV64_IMM(0, 1), EXIT);
	expect_why(why, "R-EBPF-10");
	rfx_done(&f);
	/* LD_ABS is for socket filters */
	rfx_init(&f, _i, RP_SOCK_DGRAM, 2);
	FAULTS(&f, &d, why, MOV64_REG(6, 1), LD_ABS(BS_B, 0), EXIT);
	expect_why(why, "R-EBPF-16");
	rfx_done(&f);
}
END_TEST

/* R-PRG-6: a socket filter may not select */
TU_LOOP(filter_select_refused, "ebpf/helpers", TU_EVERY_PROFILE)
{
	struct rp_state *st = tu_state_row(_i);
	int map = tu_sockarray(st, 0, 8, 2);
	struct result r;
	const struct rp_insn p[] = { ST(BS_W, 10, -4, 0), LD_MAP(2, map),
	    MOV64_REG(3, 10), ALU64_IMM(BA_ADD, 3, -4), MOV64_IMM(4, 0),
	    CALL(82), EXIT };

	run_on(st, p, G_N_ELEMENTS(p), &r);
	assert_fault(&r, "R-PRG-6", 6);
	result_clear(&r);
	rp_state_free(st);
}
END_TEST

/* r0 = map_lookup(out2, key) -> r6; the helper sequences of value maps */
#define KEY(k)		ST(BS_W, 10, -4, k)
#define CALL_LOOKUP(m)							\
	LD_MAP(1, m), MOV64_REG(2, 10), ALU64_IMM(BA_ADD, 2, -4), CALL(1)
#define CALL_UPDATE(m, flags)						\
	LD_MAP(1, m), MOV64_REG(2, 10), ALU64_IMM(BA_ADD, 2, -4),	\
	MOV64_REG(3, 10), ALU64_IMM(BA_ADD, 3, -16),			\
	MOV64_IMM(4, flags), CALL(2)
#define CALL_DELETE(m)							\
	LD_MAP(1, m), MOV64_REG(2, 10), ALU64_IMM(BA_ADD, 2, -4), CALL(3)

/* R-HLP-7 R-HLP-8 R-HLP-9 R-VMAP-2 R-VMAP-4: arrays from a program */
TU_LOOP(helper_array, "ebpf/helpers", TU_EVERY_PROFILE)
{
	static const uint8_t pay[1] = { 0 };
	struct rp_delivery d;
	struct rfx f;
	uint64_t v;
	int arr;

	rfx_init(&f, _i, RP_SOCK_DGRAM, 1);
	arr = value_map(f.st, RP_MAP_ARRAY, 4, 8, 4);
	ck_assert_int_eq(rp_map_update(f.st, 0, arr, 2, 40, RP_BPF_ANY), 0);
	ATTACH(&f, MOV64_REG(9, 1),
	    /* r6 = arr[2] + 2, written back through the pointer */
	    KEY(2), CALL_LOOKUP(arr), JMP_IMM(BJ_JEQ, 0, 0, 3),
	    LDX(BS_DW, 6, 0, 0), ALU64_IMM(BA_ADD, 6, 2), STX(BS_DW, 0, 6, 0),
	    OUT(&f, 0, 6),
	    /* a key out of range: NULL */
	    KEY(4), CALL_LOOKUP(arr), MOV64_REG(6, 0), OUT(&f, 1, 6),
	    /* update key 4: -E2BIG; BPF_NOEXIST: -EEXIST; key 3: 0 */
	    ST(BS_DW, 10, -16, 77), KEY(4), CALL_UPDATE(arr, 0),
	    MOV64_REG(6, 0), OUT(&f, 2, 6),
	    KEY(3), CALL_UPDATE(arr, RP_BPF_NOEXIST), MOV64_REG(6, 0),
	    OUT(&f, 3, 6),
	    KEY(3), CALL_UPDATE(arr, RP_BPF_ANY), MOV64_REG(6, 0),
	    OUT(&f, 4, 6),
	    /* delete: -EINVAL */
	    KEY(3), CALL_DELETE(arr), MOV64_REG(6, 0), OUT(&f, 5, 6),
	    MOV64_IMM(0, RP_SK_PASS), EXIT);
	rfx_send(&f, pay, 1, 0, &d);
	ck_assert_msg(!d.prog_fault, "%s", rp_state_take_violation(f.st));
	ck_assert_uint_eq(out_get(&f, 0), 42);
	ck_assert_int_eq(rp_map_lookup(f.st, 0, arr, 2, &v, 0), 0);
	ck_assert_uint_eq(v, 42);
	ck_assert_uint_eq(out_get(&f, 1), 0);
	ck_assert_uint_eq(out_get(&f, 2), (uint64_t)-E2BIG);
	ck_assert_uint_eq(out_get(&f, 3), (uint64_t)-EEXIST);
	ck_assert_uint_eq(out_get(&f, 4), 0);
	ck_assert_int_eq(rp_map_lookup(f.st, 0, arr, 3, &v, 0), 0);
	ck_assert_uint_eq(v, 77);
	ck_assert_uint_eq(out_get(&f, 5), (uint64_t)-EINVAL);
	rfx_done(&f);
}
END_TEST

/* R-HLP-7 R-HLP-8 R-HLP-9 R-VMAP-3 R-VMAP-4: hashes from a program, an
 * element deleted under a pointer keeps its old value */
TU_LOOP(helper_hash, "ebpf/helpers", TU_EVERY_PROFILE)
{
	static const uint8_t pay[1] = { 0 };
	struct rp_delivery d;
	struct rfx f;
	struct rp_map_info mi;
	uint64_t v;
	int h;

	rfx_init(&f, _i, RP_SOCK_DGRAM, 1);
	h = value_map(f.st, RP_MAP_HASH, 4, 8, 2);
	ATTACH(&f, MOV64_REG(9, 1), ST(BS_DW, 10, -16, 5),
	    KEY(7), CALL_UPDATE(h, RP_BPF_NOEXIST), MOV64_REG(6, 0),
	    OUT(&f, 0, 6),
	    KEY(7), CALL_UPDATE(h, RP_BPF_NOEXIST), MOV64_REG(6, 0),
	    OUT(&f, 1, 6),
	    KEY(8), CALL_UPDATE(h, RP_BPF_EXIST), MOV64_REG(6, 0),
	    OUT(&f, 2, 6),
	    KEY(8), CALL_UPDATE(h, RP_BPF_ANY), KEY(9),
	    CALL_UPDATE(h, RP_BPF_ANY), MOV64_REG(6, 0), OUT(&f, 3, 6),
	    /* r8 = &h[7]; delete 7; *r8 still reads 5 */
	    KEY(7), CALL_LOOKUP(h), MOV64_REG(8, 0), KEY(7), CALL_DELETE(h),
	    MOV64_REG(6, 0), OUT(&f, 4, 6), KEY(7), CALL_DELETE(h),
	    MOV64_REG(6, 0), OUT(&f, 5, 6),
	    JMP_IMM(BJ_JEQ, 8, 0, 1), LDX(BS_DW, 6, 8, 0), OUT(&f, 6, 6),
	    MOV64_IMM(0, RP_SK_PASS), EXIT);
	rfx_send(&f, pay, 1, 0, &d);
	ck_assert_msg(!d.prog_fault, "%s", rp_state_take_violation(f.st));
	ck_assert_uint_eq(out_get(&f, 0), 0);
	ck_assert_uint_eq(out_get(&f, 1), (uint64_t)-EEXIST);
	ck_assert_uint_eq(out_get(&f, 2), (uint64_t)-ENOENT);
	ck_assert_uint_eq(out_get(&f, 3), (uint64_t)-E2BIG);	/* full */
	ck_assert_uint_eq(out_get(&f, 4), 0);
	ck_assert_uint_eq(out_get(&f, 5), (uint64_t)-ENOENT);
	ck_assert_uint_eq(out_get(&f, 6), 5);
	ck_assert_int_eq(rp_map_info(f.st, rp_fd_map(f.st, 0, h), &mi), 0);
	ck_assert_uint_eq(mi.used, 1);
	ck_assert_int_eq(rp_map_lookup(f.st, 0, h, 8, &v, 0), 0);
	ck_assert_uint_eq(v, 5);
	rfx_done(&f);
}
END_TEST

/* R-HLP-7 R-HLP-8 R-VMAP-5: a per-CPU map: a program sees its CPU's
 * copy; the syscall sees them all; 6.18's lookup_percpu_elem */
TU_LOOP(helper_percpu, "ebpf/helpers", TU_EVERY_PROFILE)
{
	static const uint8_t pay[1] = { 0 };
	struct rp_delivery d;
	struct rfx f;
	unsigned ncpu = rp_possible_cpus();
	g_autofree uint64_t *all = g_new0(uint64_t, ncpu);
	uint32_t key = 0;
	int pc;

	rfx_init(&f, _i, RP_SOCK_DGRAM, 1);
	pc = value_map(f.st, RP_MAP_PERCPU_ARRAY, 4, 8, 1);
	ck_assert_int_ge(pc, 3);
	rp_state_set_cpu(f.st, 3);
	ATTACH(&f, MOV64_REG(9, 1), KEY(0), CALL_LOOKUP(pc),
	    JMP_IMM(BJ_JEQ, 0, 0, 1), ST(BS_DW, 0, 0, 33),
	    MOV64_IMM(0, RP_SK_PASS), EXIT);
	rfx_send(&f, pay, 1, 0, &d);
	ck_assert(!d.prog_fault);
	ck_assert_int_eq(rp_map_lookup_elem(f.st, 0, pc, &key, all, 0), 0);
	for (unsigned c = 0; c < ncpu; c++)
		ck_assert_uint_eq(all[c], c == 3 ? 33 : 0);
	/* the integer API refuses per-CPU maps */
	ck_assert_int_eq(rp_map_lookup(f.st, 0, pc, 0, all, 0), -EINVAL);
	if (tu_prof(_i)->bpf_version >= RP_KVER(5, 19)) {
		/* bpf_map_lookup_percpu_elem(map, key, cpu 3) */
		struct rfx g;

		rfx_init(&g, _i, RP_SOCK_DGRAM, 1);
		pc = value_map(g.st, RP_MAP_PERCPU_HASH, 4, 8, 4);
		all[5] = 12;
		ck_assert_int_eq(rp_map_update_elem(g.st, 0, pc, &key, all, 0),
		    0);
		ATTACH(&g, MOV64_REG(9, 1), KEY(0), LD_MAP(1, pc),
		    MOV64_REG(2, 10), ALU64_IMM(BA_ADD, 2, -4),
		    MOV64_IMM(3, 5), CALL(195), JMP_IMM(BJ_JEQ, 0, 0, 1),
		    LDX(BS_DW, 6, 0, 0), OUT(&g, 0, 6),
		    MOV64_IMM(0, RP_SK_PASS), EXIT);
		rfx_send(&g, pay, 1, 0, &d);
		ck_assert(!d.prog_fault);
		ck_assert_uint_eq(out_get(&g, 0), 12);
		rfx_done(&g);
	}
	rfx_done(&f);
}
END_TEST

/* R-HLP-7 R-MIM-5: select through the inner map of an ARRAY_OF_MAPS */
TU_LOOP(helper_outer, "ebpf/helpers", TU_EVERY_PROFILE)
{
	static const uint8_t pay[1] = { 0 };
	struct rp_delivery d;
	struct rp_map_attr a;
	struct rfx f;
	int outer;

	rfx_init(&f, _i, RP_SOCK_DGRAM, 3);
	rp_map_attr_init(&a, RP_MAP_ARRAY_OF_MAPS, 4, 1);
	a.inner_map_fd = f.map;
	outer = rp_map_create(f.st, 0, &a);
	ck_assert_int_ge(outer, 3);
	ck_assert_int_eq(rp_map_update(f.st, 0, outer, 0, (uint64_t)f.map,
	    RP_BPF_ANY), 0);
	ATTACH(&f, MOV64_REG(9, 1), KEY(0), CALL_LOOKUP(outer),
	    JMP_IMM(BJ_JNE, 0, 0, 2), MOV64_IMM(0, RP_SK_DROP), EXIT,
	    MOV64_REG(2, 0), ST(BS_W, 10, -8, 2), MOV64_REG(1, 9),
	    MOV64_REG(3, 10), ALU64_IMM(BA_ADD, 3, -8), MOV64_IMM(4, 0),
	    CALL(82), MOV64_IMM(0, RP_SK_PASS), EXIT);
	rfx_send(&f, pay, 1, 0, &d);
	ck_assert_msg(!d.prog_fault, "%s", rp_state_take_violation(f.st));
	ck_assert_uint_eq(d.sock, f.ids[2]);
	/* an empty outer slot: NULL, the program drops */
	ck_assert_int_eq(rp_map_delete(f.st, 0, outer, 0), 0);
	rfx_send(&f, pay, 1, 0, &d);
	ck_assert_int_eq(d.outcome, RP_DROPPED);
	rfx_done(&f);
}
END_TEST

/* R-HLP-12 R-HLP-13: loading packet bytes */
TU_LOOP(helper_load_bytes, "ebpf/helpers", TU_EVERY_PROFILE)
{
	static uint8_t pay[70000];
	struct rp_delivery d;
	struct rfx f;

	pay[0] = 0x11;
	pay[1] = 0x22;
	pay[0x10000 - 8] = 0x33;
	rfx_init(&f, _i, RP_SOCK_DGRAM, 1);
#define LOADB(off, len, out) ST(BS_DW, 10, -16, -1), MOV64_REG(1, 9),	\
	MOV64_IMM(2, off), MOV64_REG(3, 10), ALU64_IMM(BA_ADD, 3, -16),	\
	MOV64_IMM(4, len), CALL(26), MOV64_REG(7, 0), OUT(&f, out, 7),	\
	LDX(BS_DW, 6, 10, -16), OUT(&f, out + 1, 6)
#define LOADR(off, len, start, out) ST(BS_DW, 10, -16, -1),		\
	MOV64_REG(1, 9), MOV64_IMM(2, off), MOV64_REG(3, 10),		\
	ALU64_IMM(BA_ADD, 3, -16), MOV64_IMM(4, len), MOV64_IMM(5, start), \
	CALL(68), MOV64_REG(7, 0), OUT(&f, out, 7),			\
	LDX(BS_DW, 6, 10, -16), OUT(&f, out + 1, 6)
	ATTACH(&f, MOV64_REG(9, 1),
	    LOADB(8, 2, 0),		/* the payload after the UDP header */
	    LOADB(0x10000, 1, 2),	/* 4.19: offset above 0xffff */
	    LOADR(9, 1, 1, 4),		/* NET: the IP protocol byte */
	    LOADR(12, 2, 0, 6),		/* MAC: the EtherType */
	    MOV64_IMM(0, RP_SK_PASS), EXIT);
	rfx_send(&f, pay, sizeof(pay), 0, &d);
	ck_assert_msg(!d.prog_fault, "%s", rp_state_take_violation(f.st));
	ck_assert_uint_eq(out_get(&f, 0), 0);
	ck_assert_uint_eq(out_get(&f, 1) & 0xffff, 0x2211);
	ck_assert_uint_eq(out_get(&f, 1) >> 16, 0xffffffffffffu);
	if (!tu_prof(_i)->bpf_load_bytes_int_max) {
		ck_assert_uint_eq(out_get(&f, 2), (uint64_t)-EFAULT);
		ck_assert_uint_eq(out_get(&f, 3) & 0xff, 0);	/* zeroed */
	} else {
		ck_assert_uint_eq(out_get(&f, 2), 0);
		ck_assert_uint_eq(out_get(&f, 3) & 0xff, 0x33);
	}
	ck_assert_uint_eq(out_get(&f, 4), 0);
	ck_assert_uint_eq(out_get(&f, 5) & 0xff, RP_IPPROTO_UDP);
	ck_assert_uint_eq(out_get(&f, 6), 0);
	ck_assert_uint_eq(out_get(&f, 7) & 0xffff, 0x0008);
	rfx_done(&f);

	/* past the end, a bad start: -EFAULT and the buffer zeroed */
	rfx_init(&f, _i, RP_SOCK_DGRAM, 1);
	ATTACH(&f, MOV64_REG(9, 1), LOADB(10, 4, 0), LOADR(0, 2, 2, 2),
	    MOV64_IMM(0, RP_SK_PASS), EXIT);
	rfx_send(&f, pay, 4, 0, &d);
	ck_assert_uint_eq(out_get(&f, 0), (uint64_t)-EFAULT);
	ck_assert_uint_eq(out_get(&f, 1), 0xffffffff00000000u);
	ck_assert_uint_eq(out_get(&f, 2), (uint64_t)-EFAULT);
	ck_assert_uint_eq(out_get(&f, 3), 0xffffffffffff0000u);
	rfx_done(&f);
#undef LOADB
#undef LOADR
}
END_TEST

/* R-HLP-14 R-HLP-15 R-HLP-16 R-HLP-17: cookie, random, CPU, clock */
TU_LOOP(helper_machine, "ebpf/helpers", TU_EVERY_PROFILE)
{
	static const uint8_t pay[1] = { 0 };
	struct rp_delivery d;
	struct rp_sock_info si;
	uint64_t r1, r2;
	struct rfx f;

	rfx_init(&f, _i, RP_SOCK_DGRAM, 1);
	rp_state_set_cpu(f.st, 5);
	rp_state_set_clock(f.st, 123456789);
	ck_assert_uint_eq(rp_state_clock(f.st), 123456789);
	rp_state_set_seed(f.st, 42);
	ATTACH(&f, MOV64_REG(9, 1), CALL(8), MOV64_REG(6, 0), OUT(&f, 0, 6),
	    CALL(5), MOV64_REG(6, 0), OUT(&f, 1, 6),
	    CALL(7), MOV64_REG(6, 0), OUT(&f, 2, 6),
	    CALL(7), MOV64_REG(6, 0), OUT(&f, 3, 6),
	    MOV64_IMM(0, RP_SK_PASS), EXIT);
	rfx_send(&f, pay, 1, 0, &d);
	ck_assert_msg(!d.prog_fault, "%s", rp_state_take_violation(f.st));
	ck_assert_uint_eq(out_get(&f, 0), 5);
	ck_assert_uint_eq(out_get(&f, 1), 123456789);
	r1 = out_get(&f, 2);
	r2 = out_get(&f, 3);
	ck_assert_uint_le(r1, UINT32_MAX);
	ck_assert_uint_ne(r1, r2);
	/* the same seed gives the same values */
	rp_state_set_seed(f.st, 42);
	rfx_send(&f, pay, 1, 0, &d);
	ck_assert_uint_eq(out_get(&f, 2), r1);
	ck_assert_uint_eq(out_get(&f, 3), r2);
	rp_state_set_seed(f.st, 43);
	rfx_send(&f, pay, 1, 0, &d);
	ck_assert_uint_ne(out_get(&f, 2), r1);
	rfx_done(&f);

	if (cookie_helper(_i)) { /* the cookie of ctx->sk, generated now */
		rfx_init(&f, _i, RP_SOCK_DGRAM, 1);
		ATTACH(&f, MOV64_REG(9, 1), LDX(BS_DW, 1, 9, 40), CALL(46),
		    MOV64_REG(6, 0), OUT(&f, 0, 6), MOV64_IMM(0, RP_SK_PASS),
		    EXIT);
		ck_assert_int_eq(rp_sock_info(f.st, f.ids[0], &si), 0);
		ck_assert_uint_eq(si.cookie, 0);
		rfx_send(&f, pay, 1, 0, &d);
		ck_assert_int_eq(rp_sock_info(f.st, f.ids[0], &si), 0);
		ck_assert_uint_ne(si.cookie, 0);
		ck_assert_uint_eq(out_get(&f, 0), si.cookie);
		rfx_done(&f);
	}
}
END_TEST

/* ---------------------------------------------------------------------
 * ebpf/printk and the observer
 */

struct rec {
	GPtrArray	*kinds;		/* of enum rp_bpf_event_kind */
	GString		*text;
	GString		*names;
	unsigned	 insns;
};

static void
rec_bpf(void *ud, const struct rp_bpf_event *ev)
{
	struct rec *r = ud;

	if (ev->kind == RP_BPF_EV_INSN) {
		r->insns++;
		return;
	}
	g_ptr_array_add(r->kinds, GINT_TO_POINTER(ev->kind));
	if (ev->kind == RP_BPF_EV_PRINTK)
		g_string_append(r->text, ev->text);
	if (ev->kind == RP_BPF_EV_CALL) {
		g_string_append_printf(r->names, "%s(r1=%d) ", ev->name,
		    ev->regs[1].kind);
	}
}

static const struct rp_bpf_observer rec_obs = { rec_bpf, false };
static const struct rp_bpf_observer rec_obs_insns = { rec_bpf, true };

/* R-HLP-18: the text goes to the observer, r0 is its length */
TU_LOOP(printk, "ebpf/helpers", TU_EVERY_PROFILE)
{
	struct rp_state *st = tu_state_row(_i);
	struct rec rec = { g_ptr_array_new(), g_string_new(NULL),
	    g_string_new(NULL), 0 };
	struct result r;
	/* "v=%d u=%u x=%llx s=%s\0" on the stack at fp-32, "ab\0" at fp-40 */
	static const char fmt[] = "v=%d u=%u x=%llx";
	uint64_t w[3] = { 0 };
	const char *bad = "v=%p";
	uint64_t b = 0;

	memcpy(w, fmt, sizeof(fmt));
	memcpy(&b, bad, strlen(bad) + 1);
	rp_state_set_bpf_observer(st, &rec_obs, &rec);
	{
		const struct rp_insn p[] = { LD64(1, w[0]),
		    STX(BS_DW, 10, 1, -24), LD64(1, w[1]),
		    STX(BS_DW, 10, 1, -16), LD64(1, w[2]),
		    STX(BS_DW, 10, 1, -8), MOV64_REG(1, 10),
		    ALU64_IMM(BA_ADD, 1, -24), MOV64_IMM(2, sizeof(fmt)),
		    MOV64_IMM(3, -5), MOV64_IMM(4, -1), LD64(5, 0xabcdef012),
		    CALL(6), EXIT };

		run_on(st, p, G_N_ELEMENTS(p), &r);
	}
	assert_r0(&r, strlen("v=-5 u=4294967295 x=abcdef012"));
	ck_assert_str_eq(rec.text->str, "v=-5 u=4294967295 x=abcdef012");
	result_clear(&r);
	{
		const struct rp_insn p[] = { LD64(1, b), STX(BS_DW, 10, 1, -8),
		    MOV64_REG(1, 10), ALU64_IMM(BA_ADD, 1, -8),
		    MOV64_IMM(2, 8), MOV64_IMM(3, 0), MOV64_IMM(4, 0),
		    MOV64_IMM(5, 0), CALL(6), EXIT };

		run_on(st, p, G_N_ELEMENTS(p), &r);
	}
	assert_r0(&r, (uint64_t)-EINVAL);
	result_clear(&r);
	/* without CAP_SYS_ADMIN (4.19) or CAP_PERFMON (6.18): refused */
	ck_assert_int_eq(rp_proc_new(st, 0, 1000, RP_CAP_BPF), 1);
	ck_assert_int_eq(rp_sysctl_set(st, 0,
	    "kernel.unprivileged_bpf_disabled", 0), 0);
	{
		const struct rp_insn p[] = { ST(BS_DW, 10, -8, 0),
		    MOV64_REG(1, 10), ALU64_IMM(BA_ADD, 1, -8),
		    MOV64_IMM(2, 8), MOV64_IMM(3, 0), MOV64_IMM(4, 0),
		    MOV64_IMM(5, 0), CALL(6), EXIT };
		static const uint8_t frame[20];
		struct rp_bpf_run_result out;
		int fd = load_as(st, 1, RP_PROG_SOCKET_FILTER, p,
		    G_N_ELEMENTS(p));
		char *why;

		ck_assert_int_ge(fd, 3);
		ck_assert_int_eq(rp_prog_test_run(st, 1, fd, frame,
		    sizeof(frame), &out), 0);
		ck_assert(out.fault);
		why = rp_state_take_violation(st);
		expect_why(why, "R-EBPF-17");
	}
	g_ptr_array_unref(rec.kinds);
	g_string_free(rec.text, TRUE);
	g_string_free(rec.names, TRUE);
	rp_state_free(st);
}
END_TEST

/* R-EBPF-20: what an observer sees of a run; nothing without one */
TU_LOOP(observer, "ebpf/helpers", TU_EVERY_PROFILE)
{
	static const uint8_t pay[1] = { 0 };
	struct rec rec = { g_ptr_array_new(), g_string_new(NULL),
	    g_string_new(NULL), 0 };
	struct rp_delivery d;
	struct rfx f;
	bool seen[RP_BPF_EV_FAULT + 1] = { false };

	rfx_init(&f, _i, RP_SOCK_DGRAM, 2);
	ATTACH(&f, MOV64_REG(9, 1), SELECT(&f, 1), JMP_IMM(BJ_JNE, 7, 0, 1),
	    MOV64_IMM(0, RP_SK_PASS), EXIT);
	rfx_send(&f, pay, 1, 0, &d);		/* no observer: fine */
	rp_state_set_bpf_observer(f.st, &rec_obs_insns, &rec);
	rfx_send(&f, pay, 1, 0, &d);
	for (guint i = 0; i < rec.kinds->len; i++)
		seen[GPOINTER_TO_INT(rec.kinds->pdata[i])] = true;
	ck_assert(seen[RP_BPF_EV_START] && seen[RP_BPF_EV_CALL] &&
	    seen[RP_BPF_EV_RET] && seen[RP_BPF_EV_MAP_READ] &&
	    seen[RP_BPF_EV_BRANCH] && seen[RP_BPF_EV_EXIT]);
	ck_assert(!seen[RP_BPF_EV_FAULT]);
	ck_assert_str_eq(rec.names->str, "sk_select_reuseport(r1=2) ");
	/* mov, the 8 of SELECT (LD_IMM64 is one), jne, mov, exit */
	ck_assert_uint_eq(rec.insns, 1 + 8 + 1 + 2);
	ck_assert_str_eq(rp_bpf_event_kind_name(RP_BPF_EV_BRANCH),
	    "bpf_branch");
	ck_assert_str_eq(rp_bpf_helper_name(82), "sk_select_reuseport");
	ck_assert_str_eq(rp_bpf_helper_name(7777), "helper_7777");
	rp_state_set_bpf_observer(f.st, NULL, NULL);
	g_ptr_array_set_size(rec.kinds, 0);
	rfx_send(&f, pay, 1, 0, &d);
	ck_assert_uint_eq(rec.kinds->len, 0);
	g_ptr_array_unref(rec.kinds);
	g_string_free(rec.text, TRUE);
	g_string_free(rec.names, TRUE);
	rfx_done(&f);
}
END_TEST

/* R-EBPF-18: helpers that touch shared state are decision points */
struct sched_rec {
	unsigned	helpers;
	int		ids[8];
	unsigned	rcu_depth_ok;
	struct rp_state	*st;
};

static void
sched_rec_fn(void *ud, enum rp_sched_point pt, unsigned obj)
{
	struct sched_rec *r = ud;

	if (pt != RP_SP_BPF_HELPER)
		return;
	if (r->helpers < G_N_ELEMENTS(r->ids))
		r->ids[r->helpers] = (int)obj;
	r->helpers++;
}

TU_LOOP(sched_points, "ebpf/helpers", TU_EVERY_PROFILE)
{
	static const uint8_t pay[1] = { 0 };
	struct sched_rec sr = { 0 };
	struct rp_delivery d;
	struct rfx f;

	rfx_init(&f, _i, RP_SOCK_DGRAM, 2);
	ATTACH(&f, MOV64_REG(9, 1), CALL(7), KEY(0), CALL_LOOKUP(f.out),
	    SELECT(&f, 1), MOV64_IMM(0, RP_SK_PASS), EXIT);
	sr.st = f.st;
	rp_state_set_sched(f.st, sched_rec_fn, &sr);
	rfx_send(&f, pay, 1, 0, &d);
	rp_state_set_sched(f.st, NULL, NULL);
	ck_assert_uint_eq(sr.helpers, 2);	/* not get_prandom_u32 */
	ck_assert_int_eq(sr.ids[0], 1);
	ck_assert_int_eq(sr.ids[1], 82);
	ck_assert_str_eq(rp_sched_point_name(RP_SP_BPF_HELPER), "bpf_helper");
	ck_assert(rp_sched_can_run(f.st, 1, RP_SP_BPF_HELPER, 82));
	rfx_done(&f);
}
END_TEST

/* R-HLP-11: with switch bpf_sockmap_update programs put ctx->sk
 * (expected_attach) into a SOCKMAP; without it the helper refuses the map
 * (R-PRG-1).  A row with the switch and no ctx->sk (5.10) passes the map
 * and refuses a stack value for a socket. */
TU_LOOP(sockmap_update, "ebpf/helpers", TU_EVERY_PROFILE)
{
	bool sm_update = tu_prof(_i)->bpf_sockmap_update;
	bool has_sk = tu_prof(_i)->expected_attach;
	static const uint8_t pay[1] = { 0 };
	struct rp_delivery d;
	struct rp_map_attr a;
	struct rfx f;
	char *why;
	int sm;

	rfx_init(&f, _i, RP_SOCK_DGRAM, 1);
	/* out of the sockarray, so that a sockmap may take it (R-SMAP-4) */
	ck_assert_int_eq(rp_map_delete(f.st, 0, f.map, 0), 0);
	rp_map_attr_init(&a, RP_MAP_SOCKMAP, 8, 2);
	sm = rp_map_create(f.st, 0, &a);
	ck_assert_int_ge(sm, 3);
	ATTACH(&f, MOV64_REG(9, 1), KEY(1), !has_sk ? MOV64_REG(3, 10) :
	    LDX(BS_DW, 3, 9, 40),
	    LD_MAP(1, sm), MOV64_REG(2, 10), ALU64_IMM(BA_ADD, 2, -4),
	    MOV64_IMM(4, 0), CALL(2), MOV64_REG(6, 0), OUT(&f, 0, 6),
	    KEY(0), CALL_DELETE(sm), MOV64_REG(6, 0), OUT(&f, 1, 6),
	    MOV64_IMM(0, RP_SK_PASS), EXIT);
	rfx_send(&f, pay, 1, 0, &d);
	why = rp_state_take_violation(f.st);
	if (!sm_update) {
		expect_why(why, "R-PRG-1");
	} else if (!has_sk) {
		expect_why(why, "R-HLP-11");
	} else {
		ck_assert_msg(why == NULL, "%s", why);
		ck_assert_uint_eq(out_get(&f, 0), 0);
		ck_assert_uint_eq(rp_map_slot(f.st, rp_fd_map(f.st, 0, sm), 1),
		    f.ids[0]);
		ck_assert_uint_eq(out_get(&f, 1), (uint64_t)-EINVAL);
	}
	rfx_done(&f);
}
END_TEST

/* R-EBPF-13 R-MIG-2 R-MIG-3: a migrate program that faults leaves the
 * migration to the sysctl */
TU_LOOP(migrate_fault, "ebpf/helpers", 2 * TU_EVERY_PROFILE)
{
	TU_UNLESS(tu_prof(TU_ROW_OF(_i))->migration);
	struct rp_state *st = tu_state_row(TU_ROW_OF(_i));
	int sysctl = TU_CASE_OF(_i);
	int a = tu_reuse_sock(st, 0, RP_AF_INET, RP_SOCK_STREAM, 1, PORT);
	int b = tu_reuse_sock(st, 0, RP_AF_INET, RP_SOCK_STREAM, 1, PORT);
	int c = rp_socket(st, 0, RP_AF_INET, RP_SOCK_STREAM, 0);
	struct rp_sockaddr sa = tu_addr(RP_AF_INET, 1, PORT);
	const struct rp_insn p[] = { MOV64_IMM(0, 0), ALU64_IMM(BA_DIV, 0, 0),
	    EXIT };
	struct rp_prog_insns_attr pa = { .prog_type = RP_PROG_SK_REUSEPORT,
	    .expected_attach_type = RP_ATTACH_SK_REUSEPORT_SELECT_OR_MIGRATE,
	    .insns = p, .insn_cnt = 3 };
	struct rp_sock_info si;
	int pfd = rp_prog_load_insns(st, 0, &pa);
	char *why;

	ck_assert_int_ge(pfd, 3);
	ck_assert_int_eq(rp_attach_ebpf(st, 0, a, pfd), 0);
	ck_assert_int_eq(rp_sysctl_set(st, 0, "net.ipv4.tcp_migrate_req",
	    sysctl),
	    0);
	/* a connection to the listener a reaches; the program faults on
	 * the packet too: the hash delivers it */
	ck_assert_int_eq(rp_connect(st, 0, c, &sa), 0);
	why = rp_state_take_violation(st);
	expect_why(why, "R-EBPF-3");
	ck_assert_int_eq(rp_sock_info(st, rp_fd_sock(st, 0, a), &si), 0);
	if (si.accept_queue == 0) {
		/* the hash put the child on b: close b, migrate to a */
		int t = a;

		a = b;
		b = t;
	}
	ck_assert_int_eq(rp_close(st, 0, a), 0);
	why = rp_state_take_violation(st);
	expect_why(why, "R-EBPF-3");
	ck_assert_int_eq(rp_sock_info(st, rp_fd_sock(st, 0, b), &si), 0);
	ck_assert_uint_eq(si.accept_queue, sysctl == 1 ? 1 : 0);
	rp_state_free(st);
}
END_TEST

/* ---------------------------------------------------------------------
 * ebpf/filter: socket filters, LD_ABS, __sk_buff, test runs
 */

/* R-EBPF-16 R-EBPF-19 R-CTX-8: the frame of run_on() has payload
 * aa bb cc dd at 0 after the 14-byte Ethernet header (0x0800) */
TU_LOOP(ldabs, "ebpf/filter", TU_EVERY_PROFILE)
{
	struct result r;

	RUN(_i, &r, MOV64_REG(6, 1), LD_ABS(BS_W, 0), EXIT);
	assert_r0(&r, 0xaabbccdd);
	result_clear(&r);
	RUN(_i, &r, MOV64_REG(6, 1), MOV64_IMM(7, 1), LD_IND(BS_H, 7, 1),
	    EXIT);
	assert_r0(&r, 0xccdd);
	result_clear(&r);
	/* outside the packet: the function returns 0 */
	RUN(_i, &r, MOV64_REG(6, 1), LD_ABS(BS_B, 50), MOV64_IMM(0, 9), EXIT);
	assert_r0(&r, 0);
	result_clear(&r);
	/* SKF_LL_OFF + 12: the EtherType; SKF_NET_OFF + 0: the first byte */
	RUN(_i, &r, MOV64_REG(6, 1), LD_ABS(BS_H, -0x200000 + 12), EXIT);
	assert_r0(&r, 0x0800);
	result_clear(&r);
	RUN(_i, &r, MOV64_REG(6, 1), LD_ABS(BS_B, -0x100000), EXIT);
	assert_r0(&r, 0xaa);
	result_clear(&r);
	/* r1-r5 are gone afterwards; r6 must be the context */
	RUN(_i, &r, MOV64_REG(6, 1), LD_ABS(BS_B, 0), MOV64_REG(0, 1), EXIT);
	assert_fault(&r, "R-EBPF-10", 2);
	result_clear(&r);
	RUN(_i, &r, MOV64_IMM(6, 0), LD_ABS(BS_B, 0), EXIT);
	assert_fault(&r, "R-EBPF-16", 1);
	result_clear(&r);
	/* __sk_buff: len, protocol, cb[] */
	RUN(_i, &r, LDX(BS_W, 0, 1, 0), EXIT);
	assert_r0(&r, 50);
	result_clear(&r);
	RUN(_i, &r, LDX(BS_W, 0, 1, 16), EXIT);
	assert_r0(&r, 0x0008);
	result_clear(&r);
	RUN(_i, &r, ST(BS_W, 1, 52, 7), LDX(BS_W, 0, 1, 52), EXIT);
	assert_r0(&r, 7);
	result_clear(&r);
	RUN(_i, &r, ST(BS_W, 1, 8, 7), MOV64_IMM(0, 0), EXIT);
	assert_fault(&r, "R-CTX-8", 0);
	result_clear(&r);
	RUN(_i, &r, LDX(BS_W, 0, 1, 76), EXIT);	/* data: refused */
	assert_fault(&r, "R-CTX-8", 0);
	result_clear(&r);
}
END_TEST

/* R-EBPF-19: test runs refused */
TU_LOOP(test_run_errors, "ebpf/filter", TU_EVERY_PROFILE)
{
	struct rp_state *st = tu_state_row(_i);
	const struct rp_insn p[] = { MOV64_IMM(0, 0), EXIT };
	struct rp_bpf_run_result out;
	uint8_t frame[14] = { 0 };
	int rfd = load(st, RP_PROG_SK_REUSEPORT, p, 2);
	int sfd = load(st, RP_PROG_SOCKET_FILTER, p, 2);

	ck_assert_int_ge(rfd, 3);
	ck_assert_int_eq(rp_prog_test_run(st, 0, rfd, frame, 14, &out),
	    -RP_ENOTSUPP);
	ck_assert_int_eq(rp_prog_test_run(st, 0, sfd, frame, 13, &out),
	    -EINVAL);
	ck_assert_int_eq(rp_prog_test_run(st, 0, sfd, frame, 14, &out), 0);
	ck_assert(!out.fault);
	ck_assert_int_eq(rp_prog_test_run(st, 0, 99, frame, 14, &out),
	    -EBADF);
	rp_state_free(st);
}
END_TEST

/* R-EBPF-15: LD_IMM64 of a map value (6.18) */
TU_LOOP(map_value_ld, "ebpf/filter", TU_EVERY_PROFILE)
{
	struct rp_state *st = tu_state_row(_i);
	int one = value_map(st, RP_MAP_ARRAY, 4, 16, 1);
	int two = value_map(st, RP_MAP_ARRAY, 4, 16, 2);
	int hash = value_map(st, RP_MAP_HASH, 4, 16, 1);
	const struct rp_insn p[] = { LD_MAP_VALUE(1, one, 8),
	    LDX(BS_DW, 0, 1, 0), EXIT };
	struct rp_insn q[G_N_ELEMENTS(p)];
	uint32_t k = 0;
	uint64_t v[2] = { 1, 99 };
	struct result r;

	ck_assert_int_eq(rp_map_update_elem(st, 0, one, &k, v, 0), 0);
	if (!tu_prof(_i)->bpf_map_value_ld) {
		ck_assert_int_eq(load(st, 1, p, 4), -EINVAL);
		rp_state_free(st);
		return;
	}
	run_on(st, p, G_N_ELEMENTS(p), &r);
	assert_r0(&r, 99);
	result_clear(&r);
	memcpy(q, p, sizeof(q));
	q[0].imm = two;
	ck_assert_int_eq(load(st, 1, q, 4), -RP_ENOTSUPP);
	q[0].imm = hash;
	ck_assert_int_eq(load(st, 1, q, 4), -EINVAL);
	q[0].imm = one;
	q[1].imm = 16;
	ck_assert_int_eq(load(st, 1, q, 4), -EINVAL);
	/* reading past the value */
	q[1].imm = 12;
	run_on(st, q, G_N_ELEMENTS(q), &r);
	assert_fault(&r, "R-EBPF-7", 2);
	result_clear(&r);
	rp_state_free(st);
}
END_TEST

/* ---------------------------------------------------------------------
 * valmap: the syscall side of the value maps
 */

/* R-VMAP-1: create checks */
TU_LOOP(vmap_create, "ebpf/valmap", TU_EVERY_PROFILE)
{
	struct rp_state *st = tu_state_row(_i);
	struct rp_map_attr a;

	rp_map_attr_init(&a, RP_MAP_ARRAY, 8, 4);
	ck_assert_int_ge(rp_map_create(st, 0, &a), 3);
	a.key_size = 8;
	ck_assert_int_eq(rp_map_create(st, 0, &a), -EINVAL);
	rp_map_attr_init(&a, RP_MAP_ARRAY, 0, 4);
	ck_assert_int_eq(rp_map_create(st, 0, &a), -EINVAL);
	rp_map_attr_init(&a, RP_MAP_ARRAY, 8, 0);
	ck_assert_int_eq(rp_map_create(st, 0, &a), -EINVAL);
	rp_map_attr_init(&a, RP_MAP_ARRAY, 8, 4);
	a.map_flags = RP_BPF_F_NO_PREALLOC;
	ck_assert_int_eq(rp_map_create(st, 0, &a), -EINVAL);
	rp_map_attr_init(&a, RP_MAP_HASH, 8, 4);
	a.map_flags = RP_BPF_F_NO_PREALLOC;
	a.key_size = 12;
	ck_assert_int_ge(rp_map_create(st, 0, &a), 3);
	a.key_size = 0;
	ck_assert_int_eq(rp_map_create(st, 0, &a), -EINVAL);
	rp_map_attr_init(&a, RP_MAP_PERCPU_ARRAY, 8, 4);
	a.map_flags = RP_BPF_F_NUMA_NODE;
	ck_assert_int_eq(rp_map_create(st, 0, &a), -EINVAL);
	rp_map_attr_init(&a, RP_MAP_PERCPU_HASH, 32 * 1024 + 1, 4);
	ck_assert_int_eq(rp_map_create(st, 0, &a), -E2BIG);
	rp_map_attr_init(&a, RP_MAP_HASH, UINT32_C(1) << 22, 4);
	ck_assert_int_eq(rp_map_create(st, 0, &a), -E2BIG);
	rp_map_attr_init(&a, RP_MAP_ARRAY, 8, 4);
	a.map_flags = RP_BPF_F_RDONLY_PROG;
	ck_assert_int_eq(rp_map_create(st, 0, &a),
	    tu_prof(_i)->allowed_map_flags & RP_BPF_F_RDONLY_PROG ? 5 : -EINVAL);
	/* no capability needed */
	ck_assert_int_eq(rp_proc_new(st, 0, 1000, 0), 1);
	rp_map_attr_init(&a, RP_MAP_ARRAY, 8, 4);
	ck_assert_int_eq(rp_map_create(st, 1, &a),
	    tu_prof(_i)->unpriv_default == 0 ? 3 : -EPERM);
	tu_state_done(st);
}
END_TEST

/* R-VMAP-2 R-VMAP-4 R-VMAP-5 R-NXT-2 R-NXT-3 R-NXT-4: arrays */
TU_LOOP(vmap_array, "ebpf/valmap", TU_EVERY_PROFILE)
{
	struct rp_state *st = tu_state_row(_i);
	int m = value_map(st, RP_MAP_ARRAY, 4, 6, 3);
	uint8_t val[6] = { 1, 2, 3, 4, 5, 6 }, got[6];
	uint32_t k = 1, n;
	uint64_t v;

	ck_assert_int_eq(rp_map_update_elem(st, 0, m, &k, val, 3), -EINVAL);
	k = 3;
	ck_assert_int_eq(rp_map_update_elem(st, 0, m, &k, val, 0), -E2BIG);
	k = 1;
	ck_assert_int_eq(rp_map_update_elem(st, 0, m, &k, val,
	    RP_BPF_NOEXIST), -EEXIST);
	ck_assert_int_eq(rp_map_update_elem(st, 0, m, &k, val, RP_BPF_F_LOCK),
	    -EINVAL);
	ck_assert_int_eq(rp_map_update_elem(st, 0, m, &k, val, RP_BPF_EXIST),
	    0);
	ck_assert_int_eq(rp_map_lookup_elem(st, 0, m, &k, got, 0), 0);
	ck_assert_mem_eq(got, val, 6);
	ck_assert_int_eq(rp_map_lookup(st, 0, m, 1, &v, 0), 0);
	ck_assert_uint_eq(v, 0x060504030201u);
	k = 3;
	ck_assert_int_eq(rp_map_lookup_elem(st, 0, m, &k, got, 0), -ENOENT);
	ck_assert_int_eq(rp_map_delete_elem(st, 0, m, &k), -EINVAL);
	ck_assert_int_eq(rp_map_next_key(st, 0, m, NULL, &n), 0);
	ck_assert_uint_eq(n, 0);
	k = 1;
	ck_assert_int_eq(rp_map_next_key(st, 0, m, &k, &n), 0);
	ck_assert_uint_eq(n, 2);
	k = 2;
	ck_assert_int_eq(rp_map_next_key(st, 0, m, &k, &n), -ENOENT);
	rp_state_free(st);
}
END_TEST

/* R-VMAP-3 R-VMAP-4 R-NXT-5: hashes with 8-byte keys */
TU_LOOP(vmap_hash, "ebpf/valmap", TU_EVERY_PROFILE)
{
	struct rp_state *st = tu_state_row(_i);
	int m = value_map(st, RP_MAP_HASH, 8, 4, 2);
	uint64_t k1 = 0x0200000000000000u, k2 = 1, k3 = 5, n;
	uint32_t val = 7, got = 0;

	ck_assert_int_eq(rp_map_update_elem(st, 0, m, &k1, &val,
	    RP_BPF_EXIST), -ENOENT);
	ck_assert_int_eq(rp_map_update_elem(st, 0, m, &k1, &val,
	    RP_BPF_NOEXIST), 0);
	ck_assert_int_eq(rp_map_update_elem(st, 0, m, &k1, &val,
	    RP_BPF_NOEXIST), -EEXIST);
	ck_assert_int_eq(rp_map_update_elem(st, 0, m, &k2, &val, 0), 0);
	ck_assert_int_eq(rp_map_update_elem(st, 0, m, &k3, &val, 0), -E2BIG);
	val = 9;
	ck_assert_int_eq(rp_map_update_elem(st, 0, m, &k2, &val, 0), 0);
	ck_assert_int_eq(rp_map_lookup_elem(st, 0, m, &k2, &got, 0), 0);
	ck_assert_uint_eq(got, 9);
	/* ascending bytes: k2 (01 00 ...) before k1 (00 ... 02) */
	ck_assert_int_eq(rp_map_next_key(st, 0, m, NULL, &n), 0);
	ck_assert_uint_eq(n, k1);
	ck_assert_int_eq(rp_map_next_key(st, 0, m, &n, &n), 0);
	ck_assert_uint_eq(n, k2);
	ck_assert_int_eq(rp_map_next_key(st, 0, m, &n, &n), -ENOENT);
	ck_assert_int_eq(rp_map_next_key(st, 0, m, &k3, &n), 0);
	ck_assert_uint_eq(n, k1);	/* absent key: from the first */
	ck_assert_int_eq(rp_map_delete_elem(st, 0, m, &k3), -ENOENT);
	ck_assert_int_eq(rp_map_delete_elem(st, 0, m, &k1), 0);
	ck_assert_int_eq(rp_map_lookup_elem(st, 0, m, &k1, &got, 0), -ENOENT);
	/* the integer API wants 4-byte keys */
	ck_assert_int_eq(rp_map_delete(st, 0, m, 1), -EINVAL);
	tu_state_done(st);
}
END_TEST

TU_MAIN("ebpf")
