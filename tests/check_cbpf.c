/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * check_cbpf.c - unit tests of model/cbpf.c: classic BPF programs given
 * as instruction lists to SO_ATTACH_REUSEPORT_CBPF (rp_attach_cbpf_insns()):
 * the checks at attach with their errno, and the semantics of every
 * instruction class when a packet is selected.
 *
 * A run table row computes A and ends with "jeq #want, ret 1, ret 2": the
 * packet reaching member 1 of the group says A was right, member 2 that
 * it was not (and member 0 that the program returned 0).  Every test runs
 * under every profile of the model's table (TU_BY_PROFILE: the row of the
 * table and the profile); what differs follows the profile's switches.
 */
#include <errno.h>
#include <string.h>

#include <check.h>
#include <glib.h>

#include "bpfasm.h"
#include "rp-int.h"
#include "testutil.h"

#define PORT	42000
#define NMEMB	4
#define AD(n)	((uint32_t)(C_SKF_AD_OFF + (n)))
#define NET(n)	((uint32_t)(-0x100000 + (n)))
#define LL(n)	((uint32_t)(-0x200000 + (n)))

/* BPF_JEQ etc. of classic jumps (the same bits as eBPF's) */
#define CJ_JEQ	0x10
#define CJ_JGT	0x20
#define CJ_JGE	0x30
#define CJ_JSET	0x40

struct cfx {
	struct rp_state	*st;
	const struct rp_profile *prof;
	int		 fds[NMEMB];
	unsigned	 ids[NMEMB];
	int		 type;
};

static void
cfx_init(struct cfx *f, int row, int type)
{
	memset(f, 0, sizeof(*f));
	f->prof = tu_prof(row);
	f->st = tu_state_of(f->prof);
	f->type = type;
	for (int i = 0; i < NMEMB; i++) {
		f->fds[i] = tu_reuse_sock(f->st, 0, RP_AF_INET, type, 1, PORT);
		f->ids[i] = rp_fd_sock(f->st, 0, f->fds[i]);
	}
}

static void
cfx_done(struct cfx *f)
{
	tu_state_done(f->st);
}

static void
cfx_send(struct cfx *f, const uint8_t *pay, size_t len, uint32_t hash,
    struct rp_delivery *d)
{
	tu_send4(f->st, f->type, 6000, PORT, pay, len, hash, d);
}

/* The member index that received d, or -1. */
static int
member(const struct cfx *f, const struct rp_delivery *d)
{
	for (int i = 0; i < NMEMB; i++)
		if (f->ids[i] == d->sock)
			return i;
	return -1;
}

/* ---------------------------------------------------------------------
 * cbpf/attach: R-CBPF-1 R-CBPF-2
 */

struct attach_case {
	const char		*name;
	const char		*rule;
	struct rp_sock_filter	 insns[6];
	unsigned		 len;
	int			 want;
};

static const struct attach_case attach_cases[] = {
	{ "ok", "R-CBPF-1", { C_RET_K(0) }, 1, 0 },
	{ "empty", "R-CBPF-1", { C_RET_K(0) }, 0, -EINVAL },
	{ "unknown-opcode", "R-CBPF-1", { C_STMT(0x0e, 0), C_RET_K(0) }, 2,
	    -EINVAL },
	{ "ret-x-unknown", "R-CBPF-1", { C_STMT(0x0e, 0) }, 1, -EINVAL },
	{ "high-opcode-bits", "R-CBPF-1", { C_STMT(0x106, 0) }, 1, -EINVAL },
	{ "div-k-0", "R-CBPF-1", { C_ALU_K(0x30, 0), C_RET_K(0) }, 2,
	    -EINVAL },
	{ "mod-k-0", "R-CBPF-1", { C_ALU_K(0x90, 0), C_RET_K(0) }, 2,
	    -EINVAL },
	{ "div-x-ok", "R-CBPF-1", { C_ALU_X(0x30), C_RET_K(0) }, 2, 0 },
	{ "lsh-k-32", "R-CBPF-1", { C_ALU_K(0x60, 32), C_RET_K(0) }, 2,
	    -EINVAL },
	{ "rsh-k-31", "R-CBPF-1", { C_ALU_K(0x70, 31), C_RET_K(0) }, 2, 0 },
	{ "mem-16", "R-CBPF-1", { C_ST(16), C_RET_K(0) }, 2, -EINVAL },
	{ "ja-out", "R-CBPF-1", { C_JA(1), C_RET_K(0) }, 2, -EINVAL },
	{ "ja-last", "R-CBPF-1", { C_JA(0), C_RET_K(0) }, 2, 0 },
	{ "jt-out", "R-CBPF-1", { C_JMP_K(CJ_JEQ, 0, 1, 0), C_RET_K(0) }, 2,
	    -EINVAL },
	{ "jf-out", "R-CBPF-1", { C_JMP_K(CJ_JEQ, 0, 0, 1), C_RET_K(0) }, 2,
	    -EINVAL },
	{ "not-ret-last", "R-CBPF-1", { C_RET_K(0), C_LD_IMM(1) }, 2,
	    -EINVAL },
	{ "ancillary-unknown", "R-CBPF-1", { C_LD_ABS(BS_W, AD(64)),
	    C_RET_K(0) }, 2, -EINVAL },
	{ "ancillary-cpu", "R-CBPF-1", { C_LD_ABS(BS_B, AD(36)), C_RET_A },
	    2, 0 },
	{ "net-offset-ok", "R-CBPF-1", { C_LD_ABS(BS_B, NET(9)), C_RET_A }, 2,
	    0 },
	{ "mem-unset", "R-CBPF-2", { C_LD_MEM(3), C_RET_A }, 2, -EINVAL },
	{ "mem-set", "R-CBPF-2", { C_ST(3), C_LDX_MEM(3), C_RET_A }, 3, 0 },
	{ "mem-set-on-one-path", "R-CBPF-2", { C_JMP_K(CJ_JEQ, 0, 0, 1),
	    C_ST(3), C_LD_MEM(3), C_RET_A }, 4, -EINVAL },
	{ "mem-set-on-both-paths", "R-CBPF-2", { C_JMP_K(CJ_JEQ, 0, 1, 0),
	    C_STX(3), C_ST(3), C_LD_MEM(3), C_RET_A }, 5, 0 },
	{ "mem-after-ja", "R-CBPF-2", { C_ST(2), C_JA(0), C_LD_MEM(2),
	    C_RET_A }, 4, 0 },
};

TU_LOOP(attach_checks, "cbpf/attach", TU_BY_PROFILE(attach_cases))
{
	const struct attach_case *c = &attach_cases[TU_CASE_OF(_i)];
	struct cfx f;
	struct rp_group_info gi;
	struct rp_sock_info si;

	cfx_init(&f, TU_ROW_OF(_i), RP_SOCK_DGRAM);
	ck_assert_msg(rp_attach_cbpf_insns(f.st, 0, f.fds[0], c->insns,
	    c->len) == c->want, "%s (%s)", c->name, c->rule);
	ck_assert_int_eq(rp_sock_info(f.st, f.ids[0], &si), 0);
	ck_assert_int_eq(rp_group_info(f.st, si.group, &gi), 0);
	ck_assert_msg((gi.prog != 0) == (c->want == 0), "%s", c->name);
	if (c->want == 0)
		ck_assert(gi.prog_is_cbpf);
	cfx_done(&f);
}
END_TEST

/* The result of attaching n instructions (n <= 4096): whether the filter
 * fits in the default net.core.optmem_max (switch cbpf_optmem_insns). */
static int
optmem_want(const struct cfx *f, int n)
{
	return n > f->prof->cbpf_optmem_insns ? -ENOMEM : 0;
}

/* R-CBPF-1 R-ATT-1: 4096 instructions at most, and no more than the
 * default net.core.optmem_max admits (cbpf_optmem_insns: 4.19 2549, 6.1
 * 2547); a bad fd; a socket without a group; an MPTCP socket (R-SOCK-12) */
TU_LOOP(attach_limits, "cbpf/attach", TU_EVERY_PROFILE)
{
	g_autofree struct rp_sock_filter *big = g_new0(struct rp_sock_filter,
	    4097);
	struct cfx f;
	int lone;

	cfx_init(&f, _i, RP_SOCK_DGRAM);
	for (int i = 0; i < 4097; i++)
		big[i] = C_LD_IMM(i);
	big[4095] = C_RET_A;
	ck_assert_int_eq(rp_attach_cbpf_insns(f.st, 0, f.fds[0], big, 4096),
	    optmem_want(&f, 4096));
	for (int n = 2547; n <= 2550; n++) {
		big[n - 1] = C_RET_A;
		ck_assert_int_eq(rp_attach_cbpf_insns(f.st, 0, f.fds[0], big,
		    n), optmem_want(&f, n));
	}
	big[f.prof->cbpf_optmem_insns - 1] = C_RET_A;	/* the longest */
	ck_assert_int_eq(rp_attach_cbpf_insns(f.st, 0, f.fds[0], big,
	    f.prof->cbpf_optmem_insns), 0);
	big[4096] = C_RET_A;
	ck_assert_int_eq(rp_attach_cbpf_insns(f.st, 0, f.fds[0], big, 4097),
	    -EINVAL);
	ck_assert_int_eq(rp_attach_cbpf_insns(f.st, 0, 99, big, 1), -EBADF);
	/* R-ATT-4: a bound socket without SO_REUSEPORT has no group */
	lone = rp_socket(f.st, 0, RP_AF_INET, RP_SOCK_DGRAM, 0);
	ck_assert_int_ge(lone, 3);
	{
		struct rp_sockaddr sa = tu_addr(RP_AF_INET, 1, PORT + 1);

		ck_assert_int_eq(rp_bind(f.st, 0, lone, &sa), 0);
	}
	ck_assert_int_eq(rp_attach_cbpf_insns(f.st, 0, lone, big + 4095, 1),
	    -EINVAL);
	/* R-SOCK-12: an MPTCP socket does not take the option (where MPTCP
	 * can be built: switch mptcp) */
	if (f.prof->mptcp) {
		lone = rp_socket(f.st, 0, RP_AF_INET, RP_SOCK_STREAM,
		    RP_IPPROTO_MPTCP);
		ck_assert_int_ge(lone, 3);
		ck_assert_int_eq(rp_attach_cbpf_insns(f.st, 0, lone,
		    big + 4095, 1), -EOPNOTSUPP);
	}
	cfx_done(&f);
}
END_TEST

/* ---------------------------------------------------------------------
 * cbpf/run
 */

#define MAXB	10

struct run_case {
	const char		*name;
	const char		*rules;
	int			 tcp;
	struct rp_sock_filter	 body[MAXB];	/* computes A */
	unsigned		 n;
	uint32_t		 want;		/* A */
};

/* payload: 45 02 03 04 05 06 07 08 (8 bytes) */
static const uint8_t payload[8] = { 0x45, 2, 3, 4, 5, 6, 7, 8 };

static const struct run_case run_cases[] = {
	/* R-CBPF-3 R-CBPF-4: loads from the UDP payload */
	{ "ld-abs-w", "R-CBPF-4 R-CBPF-3", 0, { C_LD_ABS(BS_W, 0) }, 1,
	    0x45020304 },
	{ "ld-abs-h", "R-CBPF-4", 0, { C_LD_ABS(BS_H, 3) }, 1, 0x0405 },
	{ "ld-abs-b", "R-CBPF-4", 0, { C_LD_ABS(BS_B, 7) }, 1, 8 },
	{ "ld-ind", "R-CBPF-4", 0, { C_LDX_IMM(2), C_LD_IND(BS_H, 1) }, 2,
	    0x0405 },
	{ "ld-ind-wraps", "R-CBPF-4", 0, { C_LDX_IMM(0xffffffff),
	    C_LD_IND(BS_B, 2) }, 2, 2 },
	{ "ld-len", "R-CBPF-4", 0, { C_LD_LEN }, 1, 8 },
	{ "ldx-len", "R-CBPF-4", 0, { C_LDX_LEN, C_TXA }, 2, 8 },
	{ "ldx-msh", "R-CBPF-4", 0, { C_LD_IMM(9), C_LDX_MSH(0), C_TXA }, 3,
	    20 },
	{ "ldx-msh-keeps-a", "R-CBPF-4", 0, { C_LD_IMM(9), C_LDX_MSH(0) }, 2,
	    9 },
	{ "ld-imm", "R-CBPF-4", 0, { C_LD_IMM(0xdeadbeef) }, 1, 0xdeadbeef },
	{ "net-off-protocol", "R-CBPF-4", 0, { C_LD_ABS(BS_B, NET(9)) }, 1,
	    17 },
	{ "net-off-version", "R-CBPF-4", 0, { C_LD_ABS(BS_B, NET(0)) }, 1,
	    0x45 },
	{ "ll-off-ethertype", "R-CBPF-4", 0, { C_LD_ABS(BS_H, LL(12)) }, 1,
	    0x0800 },
	{ "udp-dport-via-net", "R-CBPF-4", 0, { C_LD_ABS(BS_H, NET(22)) }, 1,
	    PORT },
	/* R-CBPF-3: TCP: the payload after the 40-byte SYN header */
	{ "tcp-payload", "R-CBPF-3", 1, { C_LD_ABS(BS_B, 1) }, 1, 2 },
	{ "tcp-len", "R-CBPF-3", 1, { C_LD_LEN }, 1, 8 },
	{ "tcp-header-via-net", "R-CBPF-3", 1, { C_LD_ABS(BS_B, NET(20 + 12)) },
	    1, 0xa0 },
	/* R-CBPF-5: arithmetic */
	{ "add-wraps", "R-CBPF-5", 0, { C_LD_IMM(0xffffffff),
	    C_ALU_K(0x00, 2) }, 2, 1 },
	{ "sub-x", "R-CBPF-5", 0, { C_LDX_IMM(5), C_LD_IMM(3), C_ALU_X(0x10) },
	    3, 0xfffffffe },
	{ "mul", "R-CBPF-5", 0, { C_LD_IMM(0x10000), C_ALU_K(0x20, 0x10001) },
	    2, 0x10000 },
	{ "div-k", "R-CBPF-5", 0, { C_LD_IMM(7), C_ALU_K(0x30, 2) }, 2, 3 },
	{ "mod-x", "R-CBPF-5", 0, { C_LDX_IMM(3), C_LD_IMM(7), C_ALU_X(0x90) },
	    3, 1 },
	{ "and-or-xor", "R-CBPF-5", 0, { C_LD_IMM(0xf0), C_ALU_K(0x40, 0x0f),
	    C_ALU_K(0x50, 0x3c), C_ALU_K(0xa0, 0xff) }, 4, 0xc3 },
	{ "lsh-x-masked", "R-CBPF-5", 0, { C_LDX_IMM(48), C_LD_IMM(1),
	    C_ALU_X(0x60) }, 3, 0x10000 },
	{ "rsh-k", "R-CBPF-5", 0, { C_LD_IMM(0x80000000), C_ALU_K(0x70, 31) },
	    2, 1 },
	{ "neg", "R-CBPF-5", 0, { C_LD_IMM(1), C_NEG }, 2, 0xffffffff },
	{ "tax-txa", "R-CBPF-5", 0, { C_LD_IMM(6), C_TAX, C_LD_IMM(0),
	    C_TXA }, 4, 6 },
	/* R-CBPF-6: jumps; scratch memory (R-CBPF-2) */
	{ "jgt-taken", "R-CBPF-6", 0, { C_LD_IMM(5), C_JMP_K(CJ_JGT, 4, 0, 1),
	    C_LD_IMM(50) }, 3, 50 },
	{ "jgt-equal-not", "R-CBPF-6", 0, { C_LD_IMM(4),
	    C_JMP_K(CJ_JGT, 4, 0, 1), C_LD_IMM(50) }, 3, 4 },
	{ "jge-equal", "R-CBPF-6", 0, { C_LD_IMM(4), C_JMP_K(CJ_JGE, 4, 0, 1),
	    C_LD_IMM(50) }, 3, 50 },
	{ "jge-not", "R-CBPF-6", 0, { C_LD_IMM(3), C_JMP_K(CJ_JGE, 4, 0, 1),
	    C_LD_IMM(50) }, 3, 3 },
	{ "jset-x", "R-CBPF-6", 0, { C_LDX_IMM(4), C_LD_IMM(6),
	    C_JMP_X(CJ_JSET, 0, 1), C_LD_IMM(50) }, 4, 50 },
	{ "ja", "R-CBPF-6", 0, { C_LD_IMM(1), C_JA(1), C_LD_IMM(50) }, 3, 1 },
	{ "scratch", "R-CBPF-6 R-CBPF-2", 0, { C_LD_IMM(11), C_ST(15),
	    C_LD_IMM(0), C_LDX_MEM(15), C_TXA }, 5, 11 },
	{ "scratch-x", "R-CBPF-6 R-CBPF-2", 0, { C_LDX_IMM(12), C_STX(7),
	    C_LDX_IMM(0), C_LD_MEM(7) }, 4, 12 },
	/* R-CBPF-7: ancillary loads */
	{ "ad-protocol", "R-CBPF-7", 0, { C_LD_ABS(BS_H, AD(0)) }, 1,
	    0x0800 },
	{ "ad-pkttype", "R-CBPF-7", 0, { C_LD_IMM(9), C_LD_ABS(BS_W, AD(4)) },
	    2, 0 },
	{ "ad-ifindex", "R-CBPF-7", 0, { C_LD_ABS(BS_W, AD(8)) }, 1, 1 },
	{ "ad-mark", "R-CBPF-7", 0, { C_LD_IMM(9), C_LD_ABS(BS_W, AD(20)) }, 2,
	    0 },
	{ "ad-queue", "R-CBPF-7", 0, { C_LD_IMM(9), C_LD_ABS(BS_W, AD(24)) },
	    2, 0 },
	{ "ad-hatype", "R-CBPF-7", 0, { C_LD_ABS(BS_W, AD(28)) }, 1, 772 },
	{ "ad-rxhash", "R-CBPF-7", 0, { C_LD_ABS(BS_W, AD(32)) }, 1,
	    0xabcd1234 },
	{ "ad-cpu", "R-CBPF-7", 0, { C_LD_ABS(BS_B, AD(36)) }, 1, 7 },
	{ "ad-xor-x", "R-CBPF-7", 0, { C_LDX_IMM(0xff), C_LD_IMM(0x0f),
	    C_LD_ABS(BS_W, AD(40)) }, 3, 0xf0 },
	{ "ad-vlan", "R-CBPF-7", 0, { C_LD_IMM(9), C_LD_ABS(BS_W, AD(44)),
	    C_LD_ABS(BS_W, AD(48)), C_LD_ABS(BS_W, AD(60)) }, 4, 0 },
	{ "ad-nlattr", "R-CBPF-7", 0, { C_LDX_IMM(0x0605), C_LD_IMM(0),
	    C_LD_ABS(BS_W, AD(12)) }, 3, 4 },
	{ "ad-nlattr-absent", "R-CBPF-7", 0, { C_LDX_IMM(9), C_LD_IMM(0),
	    C_LD_ABS(BS_W, AD(12)) }, 3, 0 },
};

TU_LOOP(run_table, "cbpf/run", TU_BY_PROFILE(run_cases))
{
	const struct run_case *c = &run_cases[TU_CASE_OF(_i)];
	struct rp_sock_filter p[MAXB + 3];
	struct rp_delivery d;
	struct cfx f;
	/* nlattr rows read the payload as attributes: len 4, type 0x0605
	 * is not there, at 4: len 4 type 0x0605 ... so use a payload of
	 * 04 00 01 00 | 04 00 05 06: the second has type 0x0605 */
	static const uint8_t nl[8] = { 4, 0, 1, 0, 4, 0, 5, 6 };

	memcpy(p, c->body, c->n * sizeof(p[0]));
	p[c->n] = C_JMP_K(CJ_JEQ, c->want, 0, 1);
	p[c->n + 1] = C_RET_K(1);
	p[c->n + 2] = C_RET_K(2);
	cfx_init(&f, TU_ROW_OF(_i), c->tcp ? RP_SOCK_STREAM :
	    RP_SOCK_DGRAM);
	rp_state_set_cpu(f.st, 7);
	ck_assert_int_eq(rp_attach_cbpf_insns(f.st, 0, f.fds[0], p, c->n + 3),
	    0);
	cfx_send(&f, strncmp(c->name, "ad-nlattr", 9) == 0 ? nl : payload, 8,
	    0xabcd1234, &d);
	ck_assert_msg(rp_state_take_violation(f.st) == NULL, "%s", c->name);
	ck_assert_int_eq(d.outcome, RP_DELIVERED);
	ck_assert_int_eq(d.how, RP_HOW_CBPF);
	ck_assert_msg(member(&f, &d) == 1, "%s (%s): A was not %#x (member "
	    "%d)", c->name, c->rules, c->want, member(&f, &d));
	cfx_done(&f);
}
END_TEST

/* R-CBPF-4 R-CBPF-5: a load outside the packet, a division by X == 0:
 * the program returns 0 */
TU_LOOP(returns_zero, "cbpf/run", TU_EVERY_PROFILE)
{
	static const struct rp_sock_filter bodies[][3] = {
		{ C_LD_ABS(BS_W, 6), C_RET_K(3), C_RET_K(3) },
		{ C_LDX_IMM(0), C_ALU_X(0x30), C_RET_K(3) },
		{ C_LDX_IMM(0), C_ALU_X(0x90), C_RET_K(3) },
		{ C_LDX_MSH(8), C_RET_K(3), C_RET_K(3) },
		{ C_LD_ABS(BS_B, LL(1000)), C_RET_K(3), C_RET_K(3) },
		{ C_LD_ABS(BS_B, 0x80000000u), C_RET_K(3), C_RET_K(3) },
	};
	struct rp_delivery d;
	struct cfx f;

	for (size_t i = 0; i < G_N_ELEMENTS(bodies); i++) {
		cfx_init(&f, _i, RP_SOCK_DGRAM);
		ck_assert_int_eq(rp_attach_cbpf_insns(f.st, 0, f.fds[0],
		    bodies[i], 3), 0);
		cfx_send(&f, payload, 8, 0, &d);
		ck_assert_msg(member(&f, &d) == 0, "body %zu: member %d", i,
		    member(&f, &d));
		cfx_done(&f);
	}
}
END_TEST

/* R-SEL-3 R-CBPF-6: an index beyond the group leaves the packet to the
 * hash; R-CBPF-7: pay_offset is not modelled, random is seeded */
TU_LOOP(index_and_faults, "cbpf/run", TU_EVERY_PROFILE)
{
	const struct rp_sock_filter big[] = { C_RET_K(NMEMB) };
	const struct rp_sock_filter pay[] = { C_LD_ABS(BS_W, AD(52)), C_RET_A };
	const struct rp_sock_filter rnd[] = { C_LD_ABS(BS_W, AD(56)),
	    C_ALU_K(0x50, 3), C_RET_A };
	struct rp_delivery d;
	struct cfx f;
	char *why;
	int first;

	cfx_init(&f, _i, RP_SOCK_DGRAM);
	ck_assert_int_eq(rp_attach_cbpf_insns(f.st, 0, f.fds[0], big, 1), 0);
	cfx_send(&f, payload, 8, 0xc0000000u, &d);
	ck_assert_int_eq(d.how, RP_HOW_HASH);
	ck_assert_int_eq(member(&f, &d), 3);
	ck_assert_int_eq(rp_attach_cbpf_insns(f.st, 0, f.fds[0], pay, 2), 0);
	cfx_send(&f, payload, 8, 0, &d);
	why = rp_state_take_violation(f.st);
	ck_assert_msg(why != NULL && g_str_has_prefix(why, "R-CBPF-7"), "%s",
	    why);
	ck_assert(d.prog_fault);
	ck_assert_int_eq(d.how, RP_HOW_HASH);
	g_free(why);
	ck_assert_int_eq(rp_attach_cbpf_insns(f.st, 0, f.fds[0], rnd, 3), 0);
	rp_state_set_seed(f.st, 1);
	cfx_send(&f, payload, 8, 0, &d);
	first = member(&f, &d);
	for (int i = 0; i < 5; i++) {
		rp_state_set_seed(f.st, 1);
		cfx_send(&f, payload, 8, 0, &d);
		ck_assert_int_eq(member(&f, &d), first);
	}
	cfx_done(&f);
}
END_TEST

TU_MAIN("cbpf")
