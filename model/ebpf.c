/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * ebpf.c - programs made of eBPF instructions: what BPF_PROG_LOAD keeps
 * of them (the map references of LD_IMM64, resolve_pseudo_ldimm64() in
 * kernel/bpf/verifier.c) and an interpreter with the kernel's semantics
 * (___bpf_prog_run() in kernel/bpf/core.c, plus the rewrites the
 * verifier applies before a program runs: division by zero, sdiv/smod by
 * -1, narrow context loads, LD_ABS).  Profiles 4.19 and 6.18.
 *
 * The model does not verify.  A register holds a scalar or a pointer
 * written as (kind, object, offset) - context, stack frame, map value,
 * packet, packet end, map, socket - so no program can forge a host
 * address, and every access is checked against its object.  Where the
 * verifier would have refused the program (an access out of bounds or
 * of the wrong kind, an uninitialised register or stack byte, a helper
 * or context field the profile lacks, a constant division by zero, a
 * loop in 4.19, too many instructions run), the run stops with a fault:
 * a violation naming the rule, the instruction and every register
 * (R-EBPF-13), never a crash.  The packet then gets what it gets from a
 * group without a program (the kernel would have refused to load it).
 *
 * A run executes inside the caller's RCU read-side section; helpers that
 * touch shared state are decision points for the interleaving explorer
 * (helpers.c).  A run allocates nothing but its stack frames, which come
 * from a per-state pool, and the packet when the program reads it.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "rp-int.h"

/* instruction fields by short names (the encoding: rp.h) */
#define CLS(c)		RP_BPF_CLASS(c)
#define C_LD		RP_BPF_LD
#define C_LDX		RP_BPF_LDX
#define C_ST		RP_BPF_ST
#define C_STX		RP_BPF_STX
#define C_ALU		RP_BPF_ALU
#define C_JMP		RP_BPF_JMP
#define C_JMP32		RP_BPF_JMP32
#define C_ALU64		RP_BPF_ALU64
#define SIZE(c)		RP_BPF_SIZE(c)
#define S_W		RP_BPF_W
#define S_H		RP_BPF_H
#define S_B		RP_BPF_B
#define S_DW		RP_BPF_DW
#define MODE(c)		RP_BPF_MODE(c)
#define M_IMM		RP_BPF_IMM
#define M_ABS		RP_BPF_ABS
#define M_IND		RP_BPF_IND
#define M_MEM		RP_BPF_MEM
#define M_MEMSX		RP_BPF_MEMSX
#define M_ATOMIC	RP_BPF_ATOMIC
#define OP(c)		RP_BPF_OP(c)
#define SRC_X(c)	RP_BPF_SRC(c)

enum { A_ADD = 0x00, A_SUB = 0x10, A_MUL = 0x20, A_DIV = 0x30, A_OR = 0x40,
	A_AND = 0x50, A_LSH = 0x60, A_RSH = 0x70, A_NEG = 0x80, A_MOD = 0x90,
	A_XOR = 0xa0, A_MOV = 0xb0, A_ARSH = 0xc0, A_END = 0xd0 };
enum { J_JA = 0x00, J_JEQ = 0x10, J_JGT = 0x20, J_JGE = 0x30, J_JSET = 0x40,
	J_JNE = 0x50, J_JSGT = 0x60, J_JSGE = 0x70, J_CALL = 0x80,
	J_EXIT = 0x90, J_JLT = 0xa0, J_JLE = 0xb0, J_JSLT = 0xc0,
	J_JSLE = 0xd0 };
#define AT_FETCH	0x01
#define AT_XCHG		(0xe0 | AT_FETCH)
#define AT_CMPXCHG	(0xf0 | AT_FETCH)

#define PSEUDO_MAP_FD		1
#define PSEUDO_MAP_VALUE	2
#define PSEUDO_CALL		1
#define MAX_USED_MAPS		64
#define SOCK_FILTER		RP_PROG_SOCKET_FILTER
#define REUSEPORT		RP_PROG_SK_REUSEPORT

/* ---------------------------------------------------------------------
 * Why an instruction cannot run, found at load (it faults when reached)
 */
enum bad {
	B_OK,
	B_OPCODE,	/* no such instruction */
	B_ISA,		/* not in this profile's kernel */
	B_RESERVED,	/* a reserved field is not zero */
	B_REGNO,	/* a register above r10 */
	B_FP_WRITE,	/* writes r10 */
	B_JUMP,		/* jumps outside the program */
	B_BACKEDGE,	/* 4.19: a backward jump */
	B_DIV0,		/* divides by the constant 0 */
	B_SHIFT,	/* shifts by a constant >= the width */
	B_END,		/* byte swap of a width other than 16, 32, 64 */
	B_LDABS,	/* LD_ABS/LD_IND outside a socket filter */
	B_PSEUDO,	/* a kfunc call */
	B_LDIMM_TAIL,	/* the second half of an LD_IMM64 */
	B_PAST_END,	/* one past the last instruction */
};

static const char *const bad_text[] = {
	[B_OPCODE] = "unknown opcode",
	[B_ISA] = "an instruction this profile's kernel does not have",
	[B_RESERVED] = "a reserved field is not zero",
	[B_REGNO] = "a register number above r10",
	[B_FP_WRITE] = "r10, the frame pointer, is read only",
	[B_JUMP] = "the jump leaves the program",
	[B_BACKEDGE] = "a backward jump (4.19 refuses loops)",
	[B_DIV0] = "division by the constant zero",
	[B_SHIFT] = "a shift by a constant of the register's width or more",
	[B_END] = "a byte swap of a width other than 16, 32 or 64",
	[B_LDABS] = "LD_ABS/LD_IND exist only for socket filters",
	[B_PSEUDO] = "kfunc calls are not modelled",
	[B_LDIMM_TAIL] = "the second half of an LD_IMM64",
	[B_PAST_END] = "the program runs past its last instruction",
};

static const char *const bad_rule[] = {
	[B_OPCODE] = "R-EBPF-2",
	[B_ISA] = "R-EBPF-11",
	[B_RESERVED] = "R-EBPF-2",
	[B_REGNO] = "R-EBPF-2",
	[B_FP_WRITE] = "R-EBPF-10",
	[B_JUMP] = "R-EBPF-6",
	[B_BACKEDGE] = "R-EBPF-14",
	[B_DIV0] = "R-EBPF-3",
	[B_SHIFT] = "R-EBPF-4",
	[B_END] = "R-EBPF-5",
	[B_LDABS] = "R-EBPF-16",
	[B_PSEUDO] = "R-EBPF-9",
	[B_LDIMM_TAIL] = "R-EBPF-15",
	[B_PAST_END] = "R-EBPF-6",
};

/*
 * The fast cases of the interpreter: each instruction the decoder found
 * valid is decoded once more into a struct rp_bpf_op, whose code f lets
 * the loop dispatch once; each case handles scalars, the stack and the
 * packet, and leaves the other pointers, the rare forms and every fault
 * to the general path (F_GENERAL, or a case giving up).
 */
enum fast {
	F_GENERAL,
	F_ADD64, F_SUB64, F_AND64, F_OR64, F_XOR64, F_LSH64, F_RSH64, F_MOV64,
	F_OTHER64,	/* mul, div, mod, arsh: alu(.., 64, ..) */
	F_ADD32, F_SUB32, F_AND32, F_OR32, F_XOR32, F_LSH32, F_RSH32, F_MOV32,
	F_OTHER32,	/* the same at 32 bits: alu(.., 32, ..) */
	F_JA, F_JEQ, F_JNE, F_JGT, F_JGE, F_JLT, F_JLE, F_JSGT, F_JSGE,
	F_JSLT, F_JSLE, F_JSET,
	F_JMP32,	/* any JMP32 condition: cond() */
	F_CALL,		/* a helper */
	F_EXIT,
	F_LDIMM,	/* LD_IMM64 of a number */
	F_LDMAP,	/* LD_IMM64 of a map (BPF_PSEUDO_MAP_FD) */
	/* loads and stores of 1, 2, 4, 8 bytes (BPF_MEM) */
	F_LDX1, F_LDX2, F_LDX4, F_LDX8, F_ST1, F_ST2, F_ST4, F_ST8,
};

/* bit 7 of a fast code: the source is a register (BPF_X) */
#define F_X	0x80

struct rp_bpf_op {
	uint8_t		f;	/* enum fast, | F_X */
	uint8_t		dst;
	uint8_t		src;
	uint8_t		op;	/* OP() of the code (F_OTHER*, F_JMP32) */
	bool		sign;	/* sdiv, smod */
	int16_t		off;
	uint64_t	imm;	/* sign-extended */
};

/* log2 of a load's or store's width: 0 for a byte ... 3 for 8 bytes */
static unsigned
mem_log2(uint8_t code)
{
	switch (SIZE(code)) {
	case S_B:  return 0;
	case S_H:  return 1;
	case S_W:  return 2;
	default:   return 3;	/* S_DW */
	}
}

/* The fast code of a valid instruction. */
static uint8_t
fast_code(const struct rp_insn *in)
{
	static const uint8_t alu[16] = {
		[A_ADD >> 4] = F_ADD64, [A_SUB >> 4] = F_SUB64,
		[A_AND >> 4] = F_AND64, [A_OR >> 4] = F_OR64,
		[A_XOR >> 4] = F_XOR64, [A_LSH >> 4] = F_LSH64,
		[A_RSH >> 4] = F_RSH64, [A_MOV >> 4] = F_MOV64,
		[A_MUL >> 4] = F_OTHER64, [A_DIV >> 4] = F_OTHER64,
		[A_MOD >> 4] = F_OTHER64, [A_ARSH >> 4] = F_OTHER64,
	};
	static const uint8_t jmp[16] = {
		[J_JEQ >> 4] = F_JEQ, [J_JNE >> 4] = F_JNE,
		[J_JGT >> 4] = F_JGT, [J_JGE >> 4] = F_JGE,
		[J_JLT >> 4] = F_JLT, [J_JLE >> 4] = F_JLE,
		[J_JSGT >> 4] = F_JSGT, [J_JSGE >> 4] = F_JSGE,
		[J_JSLT >> 4] = F_JSLT, [J_JSLE >> 4] = F_JSLE,
		[J_JSET >> 4] = F_JSET,
	};
	uint8_t f, x = SRC_X(in->code) ? F_X : 0;

	switch (CLS(in->code)) {
	case C_ALU64:
	case C_ALU:
		f = alu[OP(in->code) >> 4];
		/* movsx (off 8, 16, 32), the byte swaps, neg: general;
		 * off 1 is sdiv or smod */
		if (f == 0 || (in->off != 0 && f != F_OTHER64))
			return F_GENERAL;
		if (CLS(in->code) == C_ALU)
			f += F_ADD32 - F_ADD64;
		return f | x;
	case C_JMP:
		if (OP(in->code) == J_JA)
			return F_JA;
		if (OP(in->code) == J_CALL)
			return in->src_reg == 0 ? F_CALL : F_GENERAL;
		if (OP(in->code) == J_EXIT)
			return F_EXIT;
		f = jmp[OP(in->code) >> 4];
		return f == 0 ? F_GENERAL : f | x;
	case C_JMP32:
		f = jmp[OP(in->code) >> 4];
		return f == 0 ? F_GENERAL : F_JMP32 | x;
	case C_LDX:
		if (MODE(in->code) != M_MEM)
			return F_GENERAL;	/* sign-extending loads */
		return (uint8_t)(F_LDX1 + mem_log2(in->code));
	case C_ST:
		return (uint8_t)(F_ST1 + mem_log2(in->code));
	case C_STX:
		if (MODE(in->code) != M_MEM)
			return F_GENERAL;	/* atomics */
		return (uint8_t)((F_ST1 + mem_log2(in->code)) | F_X);
	default:
		return F_GENERAL;
	}
}

static void
fast_decode(const struct rp_insn *in, struct rp_bpf_op *o)
{
	o->f = fast_code(in);
	o->dst = in->dst_reg;
	o->src = in->src_reg;
	o->op = OP(in->code);
	o->sign = in->off == 1;
	o->off = in->off;
	o->imm = (uint64_t)(int64_t)in->imm;
}

static bool
jump_ok(uint32_t len, uint32_t pc, int64_t off)
{
	int64_t t = (int64_t)pc + 1 + off;

	return t >= 0 && t < (int64_t)len;
}

/* ALU and ALU64 */
static enum bad
decode_alu(const struct rp_profile *prof, const struct rp_insn *in)
{
	bool is64 = CLS(in->code) == C_ALU64, x = SRC_X(in->code);
	unsigned op = OP(in->code);

	if (op > A_END)
		return B_OPCODE;
	if (op == A_NEG) {
		if (x || in->src_reg != 0 || in->off != 0 || in->imm != 0)
			return x ? B_OPCODE : B_RESERVED;
	} else if (op == A_END) {
		if (is64 && x)
			return B_OPCODE;	/* no ALU64|END|TO_BE */
		if (is64 && !prof->bpf_cpuv4)
			return B_ISA;		/* bswap: 6.6 */
		if (in->src_reg != 0 || in->off != 0)
			return B_RESERVED;
		if (in->imm != 16 && in->imm != 32 && in->imm != 64)
			return B_END;
	} else if (op == A_MOV && x) {
		if (in->imm != 0)
			return B_RESERVED;
		if (in->off != 0) {
			if (in->off != 8 && in->off != 16 &&
			    !(is64 && in->off == 32))
				return B_RESERVED;
			if (!prof->bpf_cpuv4)
				return B_ISA;	/* movsx: 6.6 */
		}
	} else {
		if (x ? in->imm != 0 : in->src_reg != 0)
			return B_RESERVED;
		if (in->off != 0) {
			if (in->off != 1 || (op != A_DIV && op != A_MOD))
				return B_RESERVED;
			if (!prof->bpf_cpuv4)
				return B_ISA;	/* sdiv, smod: 6.6 */
		}
		if (!x && (op == A_DIV || op == A_MOD) && in->imm == 0)
			return B_DIV0;
		if (!x && (op == A_LSH || op == A_RSH || op == A_ARSH) &&
		    (uint32_t)in->imm >= (is64 ? 64u : 32u))
			return B_SHIFT;
	}
	if (in->dst_reg == 10)
		return B_FP_WRITE;
	return B_OK;
}

/* JMP and JMP32 */
static enum bad
decode_jmp(const struct rp_profile *prof, const struct rp_insn *in,
    uint32_t pc, uint32_t len)
{
	bool j32 = CLS(in->code) == C_JMP32, x = SRC_X(in->code);
	unsigned op = OP(in->code);
	int64_t off = in->off;

	if (j32 && !prof->bpf_jmp32)
		return B_ISA;		/* JMP32: 5.1 */
	switch (op) {
	case J_JA:
		if (x || in->src_reg != 0 || in->dst_reg != 0)
			return B_RESERVED;
		if (j32) {		/* gotol: 6.6 */
			if (!prof->bpf_cpuv4)
				return B_ISA;
			if (in->off != 0)
				return B_RESERVED;
			off = in->imm;
		} else if (in->imm != 0) {
			return B_RESERVED;
		}
		break;
	case J_CALL:
		if (j32 || x)
			return B_OPCODE;
		if (in->off != 0 || in->dst_reg != 0)
			return B_RESERVED;
		if (in->src_reg == PSEUDO_CALL) {
			off = in->imm;
			break;
		}
		if (in->src_reg != 0)
			return in->src_reg == 2 ? B_PSEUDO : B_RESERVED;
		return B_OK;
	case J_EXIT:
		if (j32 || x)
			return B_OPCODE;
		if (in->src_reg != 0 || in->dst_reg != 0 || in->off != 0 ||
		    in->imm != 0)
			return B_RESERVED;
		return B_OK;
	case 0xe0:
	case 0xf0:
		return B_OPCODE;
	default:
		if (x ? in->imm != 0 : in->src_reg != 0)
			return B_RESERVED;
		break;
	}
	if (!jump_ok(len, pc, off))
		return B_JUMP;
	if (!prof->bpf_loops && off < 0)
		return B_BACKEDGE;	/* check_cfg(): back-edge (4.19) */
	return B_OK;
}

static enum bad
decode_mem(const struct rp_profile *prof, const struct rp_insn *in,
    uint32_t prog_type)
{
	unsigned mode = MODE(in->code), size = SIZE(in->code);

	switch (CLS(in->code)) {
	case C_LD:
		if (mode == M_IMM)
			return size == S_DW ? B_OK : B_OPCODE;
		if ((mode != M_ABS && mode != M_IND) || size == S_DW)
			return B_OPCODE;
		if (in->dst_reg != 0 || in->off != 0 ||
		    (mode == M_ABS && in->src_reg != 0))
			return B_RESERVED;
		if (prog_type != SOCK_FILTER)
			return B_LDABS;
		return B_OK;
	case C_LDX:
		if (mode == M_MEMSX) {
			if (size == S_DW)
				return B_OPCODE;
			if (!prof->bpf_cpuv4)
				return B_ISA;	/* ldsx: 6.6 */
		} else if (mode != M_MEM) {
			return B_OPCODE;
		}
		if (in->imm != 0)
			return B_RESERVED;
		return in->dst_reg == 10 ? B_FP_WRITE : B_OK;
	case C_ST:
		if (mode != M_MEM)
			return B_OPCODE;
		return in->src_reg != 0 ? B_RESERVED : B_OK;
	default:	/* C_STX */
		if (mode == M_MEM)
			return in->imm != 0 ? B_RESERVED : B_OK;
		if (mode != M_ATOMIC)
			return B_OPCODE;
		if (size != S_W && size != S_DW)
			return B_OPCODE;
		if (!prof->bpf_atomics)	/* 4.19: BPF_XADD only */
			return in->imm == A_ADD ? B_OK : B_RESERVED;
		switch (in->imm) {
		case A_ADD: case A_OR: case A_AND: case A_XOR:
		case A_ADD | AT_FETCH: case A_OR | AT_FETCH:
		case A_AND | AT_FETCH: case A_XOR | AT_FETCH:
		case AT_XCHG: case AT_CMPXCHG:
			return B_OK;
		default:
			return B_RESERVED;
		}
	}
}

static enum bad
decode(const struct rp_profile *prof, const struct rp_insn *insns,
    uint32_t len, uint32_t pc, uint32_t prog_type)
{
	const struct rp_insn *in = &insns[pc];

	if (in->dst_reg > 10 || in->src_reg > 10)
		return in->code == (C_LD | M_IMM | S_DW) ? B_OK : B_REGNO;
	switch (CLS(in->code)) {
	case C_ALU:
	case C_ALU64:
		return decode_alu(prof, in);
	case C_JMP:
	case C_JMP32:
		return decode_jmp(prof, in, pc, len);
	default:
		return decode_mem(prof, in, prog_type);
	}
}

/* ---------------------------------------------------------------------
 * Loading
 */

void
rp_bpf_code_free(struct rp_state *st, struct rp_bpf_code *code)
{
	if (code == NULL)
		return;
	for (guint i = 0; i < code->used_maps->len; i++)
		rp_map_put(st, code->used_maps->pdata[i]);
	rp_bpf_code_destroy(code);
}

/*
 * A copy of code for rp_state_clone() (clone.c), which redirects its map
 * pointers (ld_map[], used_maps) to the copies of the maps afterwards;
 * no reference is taken here, the copies' refs are the originals'.
 */
struct rp_bpf_code *
rp_bpf_code_copy(const struct rp_bpf_code *o)
{
	struct rp_bpf_code *c = g_memdup2(o, sizeof(*c));
	gsize n = o->len;

	c->insns = g_memdup2(o->insns, n * sizeof(*o->insns));
	c->bad = g_memdup2(o->bad, n + 1);
	c->helper = g_memdup2(o->helper, n * sizeof(*o->helper));
	c->op = g_memdup2(o->op, (n + 1) * sizeof(*o->op));
	c->ld_map = g_memdup2(o->ld_map, n * sizeof(*o->ld_map));
	c->ld_off = g_memdup2(o->ld_off, n * sizeof(*o->ld_off));
	c->used_maps = g_ptr_array_copy(o->used_maps, NULL, NULL);
	return c;
}

/* Free a copy's memory without dropping map references (clone.c). */
void
rp_bpf_code_destroy(struct rp_bpf_code *code)
{
	if (code == NULL)
		return;
	g_ptr_array_unref(code->used_maps);
	g_free(code->insns);
	g_free(code->bad);
	g_free(code->op);
	g_free(code->helper);
	g_free(code->ld_map);
	g_free(code->ld_off);
	g_free(code);
}

/* resolve_pseudo_ldimm64() for the LD_IMM64 at pc; 0 or -errno. */
static int
resolve_ldimm64(struct rp_state *st, struct rp_proc *p,
    struct rp_bpf_code *code, uint32_t pc)
{
	const struct rp_insn *in = &code->insns[pc], *nx = in + 1;
	struct rp_file *f;
	struct rp_map *m;
	guint i;

	/* KERNEL: resolve_pseudo_ldimm64(): "invalid bpf_ld_imm64 insn" */
	if (pc + 1 >= code->len || nx->code != 0 || nx->dst_reg != 0 ||
	    nx->src_reg != 0 || nx->off != 0)
		return rp_rule(st, "R-EBPF-1", -EINVAL);
	if (in->src_reg == 0)
		return 0;	/* a plain 64-bit constant */
	if (!(in->src_reg == PSEUDO_MAP_FD && nx->imm == 0) &&
	    !(in->src_reg == PSEUDO_MAP_VALUE && st->prof->bpf_map_value_ld))
		return rp_rule(st, "R-EBPF-1", -EINVAL);  /* "unrecognized" */
	f = rp_fd_get(st, p, in->imm);
	if (f == NULL)
		return rp_rule(st, "R-EBPF-1", -EBADF);
	if (f->kind != RP_FILE_MAP) {
		rp_file_put(st, f);
		return rp_rule(st, "R-EBPF-1", -EINVAL);
	}
	m = f->u.map;
	rp_file_put(st, f);
	if (in->src_reg == PSEUDO_MAP_VALUE) {
		/* KERNEL: array_map_direct_value_addr() */
		if (m->type != RP_MAP_ARRAY)
			return rp_rule(st, "R-EBPF-15", -EINVAL);
		if (m->max_entries != 1)
			return rp_rule(st, "R-EBPF-15", -RP_ENOTSUPP);
		if ((uint32_t)nx->imm >= m->value_size)
			return rp_rule(st, "R-EBPF-15", -EINVAL);
		code->ld_off[pc] = (uint32_t)nx->imm;
	}
	code->ld_map[pc] = m;
	for (i = 0; i < code->used_maps->len; i++)
		if (code->used_maps->pdata[i] == m)
			return 0;
	if (code->used_maps->len >= MAX_USED_MAPS)
		return rp_rule(st, "R-EBPF-1", -E2BIG);
	m->refs++;	/* used_maps */
	g_ptr_array_add(code->used_maps, m);
	return 0;
}

/*
 * What BPF_PROG_LOAD keeps of n instructions (R-EBPF-1): a copy,
 * the maps of LD_IMM64 (a reference on each), the loader's capabilities
 * and, per instruction, whether it can run at all.  The caller checked
 * the instruction count.  0 with *codep, or -errno.
 */
int
rp_bpf_load(struct rp_state *st, struct rp_proc *p, uint32_t prog_type,
    const struct rp_insn *insns, uint32_t n, struct rp_bpf_code **codep)
{
	struct rp_bpf_code *code = g_new0(struct rp_bpf_code, 1);
	int err;

	code->len = n;
	code->prog_type = prog_type;
	code->insns = g_memdup2(insns, (gsize)n * sizeof(struct rp_insn));
	code->bad = g_malloc0(n + 1);
	code->bad[n] = B_PAST_END;
	code->helper = g_new0(const struct rp_bpf_helper *, n);
	/* op[n]: F_GENERAL, see bad[n] */
	code->op = g_new0(struct rp_bpf_op, n + 1);
	code->ld_map = g_new0(struct rp_map *, n);
	code->ld_off = g_new0(uint32_t, n);
	code->used_maps = g_ptr_array_new();
	code->caps = p->caps;
	for (uint32_t pc = 0; pc < n; pc++) {
		if (code->insns[pc].code != (C_LD | M_IMM | S_DW)) {
			code->bad[pc] = (uint8_t)decode(st->prof, code->insns,
			    n, pc, prog_type);
			if (code->insns[pc].code == (C_JMP | J_CALL) &&
			    code->insns[pc].src_reg == 0)
				code->helper[pc] = rp_bpf_helper_find(st->prof,
				    prog_type, code->insns[pc].imm);
			if (code->bad[pc] == B_OK)
				fast_decode(&code->insns[pc], &code->op[pc]);
			continue;
		}
		err = resolve_ldimm64(st, p, code, pc);
		if (err != 0) {
			rp_bpf_code_free(st, code);
			return err;
		}
		code->bad[pc] = code->insns[pc].dst_reg > 10 ? B_REGNO :
		    code->insns[pc].dst_reg == 10 ? B_FP_WRITE : B_OK;
		if (code->bad[pc] == B_OK && (code->ld_map[pc] == NULL ||
		    code->insns[pc].src_reg == PSEUDO_MAP_FD)) {
			struct rp_bpf_op *o = &code->op[pc];

			o->f = code->ld_map[pc] == NULL ? F_LDIMM : F_LDMAP;
			o->dst = code->insns[pc].dst_reg;
			o->imm = (uint32_t)code->insns[pc].imm |
			    (uint64_t)(uint32_t)code->insns[pc + 1].imm << 32;
		}
		code->bad[++pc] = B_LDIMM_TAIL;
	}
	*codep = code;
	return 0;
}

/* ---------------------------------------------------------------------
 * Faults and tracing
 */

void
rp_bpf_reg_view(const struct rp_breg *r, struct rp_bpf_reg *out)
{
	out->kind = (enum rp_bpf_reg_kind)r->t;
	out->val = r->v;
	switch (r->t) {
	case RP_BPF_REG_STACK:
		out->obj = r->frame;
		break;
	case RP_BPF_REG_MAP_VALUE:
		out->obj = r->map->id;
		break;
	case RP_BPF_REG_MAP:
		out->obj = ((const struct rp_map *)r->obj)->id;
		break;
	case RP_BPF_REG_SOCK:
		out->obj = ((const struct rp_sock *)r->obj)->id;
		break;
	default:
		out->obj = 0;
		break;
	}
}

/* "r3=map_value(m4)+8" and so on: a register as a fault shows it. */
static void
reg_text(GString *s, unsigned n, const struct rp_breg *r)
{
	struct rp_bpf_reg v;

	rp_bpf_reg_view(r, &v);
	g_string_append_printf(s, " r%u=", n);
	switch (v.kind) {
	case RP_BPF_REG_NONE:
		g_string_append(s, "?");
		break;
	case RP_BPF_REG_SCALAR:
		g_string_append_printf(s, "%#" G_GINT64_MODIFIER "x", v.val);
		break;
	case RP_BPF_REG_CTX:
		g_string_append_printf(s, "ctx%+" G_GINT64_MODIFIER "d",
		    (int64_t)v.val);
		break;
	case RP_BPF_REG_STACK:
		g_string_append_printf(s, "fp%u%+" G_GINT64_MODIFIER "d", v.obj,
		    (int64_t)v.val);
		break;
	case RP_BPF_REG_MAP_VALUE:
		g_string_append_printf(s, "map_value(map %u)%+" G_GINT64_MODIFIER
		    "d", v.obj, (int64_t)v.val);
		break;
	case RP_BPF_REG_PKT:
		g_string_append_printf(s, "pkt%+" G_GINT64_MODIFIER "d",
		    (int64_t)v.val);
		break;
	case RP_BPF_REG_PKT_END:
		g_string_append(s, "pkt_end");
		break;
	case RP_BPF_REG_MAP:
		g_string_append_printf(s, "map %u", v.obj);
		break;
	case RP_BPF_REG_SOCK:
		g_string_append_printf(s, "sock %u", v.obj);
		break;
	}
}

/* Hand ev (of program prog at instruction pc) to the program observer,
 * when one is set.  Cannot fail. */
void
rp_bpf_note(const struct rp_state *st, unsigned prog, uint32_t pc,
    struct rp_bpf_event *ev)
{
	if (st->bpf_obs == NULL || st->bpf_obs->event == NULL)
		return;
	ev->prog = prog;
	ev->pc = pc;
	st->bpf_obs->event(st->bpf_obs_ud, ev);
}

void
rp_bpf_emit(struct rp_bpf_run *run, struct rp_bpf_event *ev)
{
	rp_bpf_note(run->st, run->prog != NULL ? run->prog->id : 0, run->pc,
	    ev);
}

/* The START event: the instructions, with the map id of each LD_IMM64
 * (so that an observer can name them).  Only with an observer. */
static G_GNUC_NO_INLINE void
start_event(struct rp_bpf_run *run)
{
	const struct rp_bpf_code *code = run->code;
	g_autofree unsigned *maps = g_new0(unsigned, code->len);

	for (uint32_t i = 0; i < code->len; i++)
		if (code->ld_map[i] != NULL)
			maps[i] = code->ld_map[i]->id;
	rp_bpf_emit(run, &(struct rp_bpf_event){ .kind = RP_BPF_EV_START,
	    .val = code->prog_type, .count = code->len, .insns = code->insns,
	    .maps = maps });
}

static void
emit_regs(struct rp_bpf_run *run, struct rp_bpf_event *ev)
{
	struct rp_bpf_reg regs[11];

	for (unsigned i = 0; i < 11; i++)
		rp_bpf_reg_view(&run->r[i], &regs[i]);
	ev->regs = regs;
	rp_bpf_emit(run, ev);
}

/*
 * Stop the run: a violation naming rule, the program, the instruction
 * and every register.  Returns false, for "return rp_bpf_fault(...)".
 */
bool
rp_bpf_fault(struct rp_bpf_run *run, const char *rule, const char *fmt, ...)
{
	const struct rp_insn *in = run->code != NULL && run->pc <
	    run->code->len ? &run->code->insns[run->pc] : NULL;
	g_autoptr(GString) s = g_string_new(NULL);
	g_autofree char *what = NULL;
	va_list ap;

	va_start(ap, fmt);
	what = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	g_string_append_printf(s, "%s: program %u faulted at insn %u", rule,
	    run->prog != NULL ? run->prog->id : 0, run->pc);
	if (in != NULL)
		g_string_append_printf(s, " (code %#04x dst r%u src r%u off %d "
		    "imm %d)", in->code, in->dst_reg, in->src_reg, in->off,
		    in->imm);
	g_string_append_printf(s, ": %s;", what);
	for (unsigned i = 0; i < 11; i++)
		reg_text(s, i, &run->r[i]);
	run->fault = true;
	rp_rule(run->st, rule, -EFAULT);
	if (run->trace)
		emit_regs(run, &(struct rp_bpf_event){ .kind = RP_BPF_EV_FAULT,
		    .text = s->str, .rule = rule });
	rp_violation(run->st, "%s", s->str);
	return false;
}

/* ---------------------------------------------------------------------
 * Registers
 */

static inline void
set_scalar(struct rp_breg *r, uint64_t v)
{
	r->t = RP_BPF_REG_SCALAR;
	r->v = v;
	r->obj = NULL;
}

/* The register must have been written (check_reg_arg(): "!read_ok"). */
static inline bool
readable(struct rp_bpf_run *run, unsigned n)
{
	if (G_LIKELY(run->r[n].t != RP_BPF_REG_NONE))
		return true;
	return rp_bpf_fault(run, "R-EBPF-10", "r%u is read before it is "
	    "written", n);
}

static inline bool
scalar(struct rp_bpf_run *run, unsigned n, const char *what)
{
	if (!readable(run, n))
		return false;
	if (G_LIKELY(run->r[n].t == RP_BPF_REG_SCALAR))
		return true;
	return rp_bpf_fault(run, "R-EBPF-7", "%s on r%u, a pointer", what, n);
}

/* ---------------------------------------------------------------------
 * ALU
 */

static uint64_t	pkt_off(struct rp_bpf_run *, const struct rp_breg *);

static uint64_t
bswap(uint64_t v, int bits)
{
	switch (bits) {
	case 16:
		return GUINT16_SWAP_LE_BE((uint16_t)v);
	case 32:
		return GUINT32_SWAP_LE_BE((uint32_t)v);
	default:
		return GUINT64_SWAP_LE_BE(v);
	}
}

/*
 * dst op= src on scalars of `bits' bits, 64 or 32 (op not MOV, END, NEG).
 * The arithmetic rules are written once for both widths: a 32-bit
 * operation sees only the low halves of d and s, and its result is
 * zero-extended (R-EBPF-2). Cannot fail.
 */
static uint64_t
alu(unsigned op, bool sign, unsigned bits, uint64_t d, uint64_t s)
{
	uint64_t mask = bits == 64 ? UINT64_MAX : UINT32_MAX;
	unsigned sh;
	int64_t sd, ss;

	d &= mask;
	s &= mask;
	sh = (unsigned)(s & (bits - 1));	/* KERNEL: shifts are masked */
	/* the operands as signed numbers of their width */
	sd = bits == 64 ? (int64_t)d : (int64_t)(int32_t)(uint32_t)d;
	ss = bits == 64 ? (int64_t)s : (int64_t)(int32_t)(uint32_t)s;
	switch (op) {
	case A_ADD:	return (d + s) & mask;
	case A_SUB:	return (d - s) & mask;
	case A_MUL:	return (d * s) & mask;
	case A_OR:	return d | s;
	case A_AND:	return d & s;
	case A_XOR:	return d ^ s;
	case A_LSH:	return (d << sh) & mask;
	case A_RSH:	return d >> sh;
	case A_ARSH:	return (uint64_t)(sd >> sh) & mask;
	case A_DIV:
		/* KERNEL: do_misc_fixups(): x / 0 = 0; sdiv x / -1 = -x */
		if (s == 0)
			return 0;
		if (!sign)
			return d / s;
		if (ss == -1)
			return ((uint64_t)0 - d) & mask;
		return (uint64_t)(sd / ss) & mask;
	default:	/* A_MOD */
		/* KERNEL: x % 0 = x; smod x % -1 = 0 */
		if (s == 0)
			return d;
		if (!sign)
			return d % s;
		if (ss == -1)
			return 0;
		return (uint64_t)(sd % ss) & mask;
	}
}

static bool
same_object(const struct rp_breg *a, const struct rp_breg *b)
{
	if (a->t != b->t)
		return false;
	switch (a->t) {
	case RP_BPF_REG_STACK:
		return a->obj == b->obj && a->size == b->size;
	case RP_BPF_REG_MAP_VALUE:
		return a->obj == b->obj;
	default:
		return a->t == RP_BPF_REG_PKT || a->t == RP_BPF_REG_CTX;
	}
}

/* Pointer arithmetic: ptr += scalar, ptr -= scalar, ptr - ptr. */
static bool
alu_ptr(struct rp_bpf_run *run, const struct rp_insn *in,
    struct rp_breg *d, const struct rp_breg *s)
{
	unsigned op = OP(in->code);
	struct rp_breg t;

	if (CLS(in->code) != C_ALU64)
		return rp_bpf_fault(run, "R-EBPF-7", "32-bit arithmetic on a "
		    "pointer");
	if (op == A_SUB && d->t != RP_BPF_REG_SCALAR &&
	    s->t != RP_BPF_REG_SCALAR) {
		bool pd = d->t == RP_BPF_REG_PKT || d->t == RP_BPF_REG_PKT_END;
		bool ps = s->t == RP_BPF_REG_PKT || s->t == RP_BPF_REG_PKT_END;

		/* KERNEL: adjust_reg_min_max_vals(): a privileged program
		 * may subtract pointers; the model knows the difference only
		 * within one object (the packet and its end are one) */
		if (pd && ps) {
			set_scalar(d, pkt_off(run, d) - pkt_off(run, s));
			return true;
		}
		if (!same_object(d, s))
			return rp_bpf_fault(run, "R-EBPF-7", "subtracting "
			    "pointers to different objects");
		set_scalar(d, d->v - s->v);
		return true;
	}
	if (op != A_ADD && op != A_SUB)
		return rp_bpf_fault(run, "R-EBPF-7", "an operation other than "
		    "add or sub on a pointer");
	if (d->t == RP_BPF_REG_SCALAR) {
		if (op == A_SUB)
			return rp_bpf_fault(run, "R-EBPF-7", "scalar minus "
			    "pointer");
		t = *s;
		t.v += d->v;
		*d = t;
		return true;
	}
	if (s->t != RP_BPF_REG_SCALAR)
		return rp_bpf_fault(run, "R-EBPF-7", "adding two pointers");
	if (d->t == RP_BPF_REG_PKT_END || d->t == RP_BPF_REG_MAP ||
	    d->t == RP_BPF_REG_SOCK)
		return rp_bpf_fault(run, "R-EBPF-7", "arithmetic on a pointer "
		    "to %s", d->t == RP_BPF_REG_PKT_END ? "the packet end" :
		    d->t == RP_BPF_REG_MAP ? "a map" : "a socket");
	d->v = op == A_ADD ? d->v + s->v : d->v - s->v;
	return true;
}

static bool
exec_alu(struct rp_bpf_run *run, const struct rp_insn *in)
{
	bool is64 = CLS(in->code) == C_ALU64;
	unsigned op = OP(in->code);
	struct rp_breg *d = &run->r[in->dst_reg];
	struct rp_breg src;
	uint64_t s;

	/* KERNEL: check_alu_op(): END reads only dst (its X bit says "to
	 * big-endian", src_reg is 0 and unread) */
	if (SRC_X(in->code) && op != A_END) {
		if (!readable(run, in->src_reg))
			return false;
		src = run->r[in->src_reg];
	} else {
		set_scalar(&src, is64 ? (uint64_t)(int64_t)in->imm :
		    (uint32_t)in->imm);
	}
	if (op == A_MOV) {
		if (src.t != RP_BPF_REG_SCALAR) {
			if (!is64 || in->off != 0)
				return rp_bpf_fault(run, "R-EBPF-7", "partial "
				    "copy of a pointer");
			*d = src;
			return true;
		}
		s = src.v;
		if (in->off != 0) {	/* movsx (cpu v4) */
			s = in->off == 8 ? (uint64_t)(int64_t)(int8_t)s :
			    in->off == 16 ? (uint64_t)(int64_t)(int16_t)s :
			    (uint64_t)(int64_t)(int32_t)s;
		}
		set_scalar(d, is64 ? s : (uint32_t)s);
		return true;
	}
	if (op != A_END && op != A_NEG && (d->t != RP_BPF_REG_SCALAR ||
	    src.t != RP_BPF_REG_SCALAR)) {
		if (!readable(run, in->dst_reg))
			return false;
		return alu_ptr(run, in, d, &src);
	}
	if (!scalar(run, in->dst_reg, op == A_END ? "a byte swap" :
	    op == A_NEG ? "a negation" : "arithmetic"))
		return false;
	s = src.v;
	switch (op) {
	case A_NEG:
		d->v = is64 ? (uint64_t)0 - d->v : (uint32_t)(0 - (uint32_t)d->v);
		return true;
	case A_END:
		/* KERNEL: to_le is a truncation on a little-endian host;
		 * to_be and 6.6's ALU64 bswap swap */
		if (is64 || SRC_X(in->code))
			d->v = bswap(d->v, in->imm);
		else if (in->imm == 16)
			d->v = (uint16_t)d->v;
		else if (in->imm == 32)
			d->v = (uint32_t)d->v;
		return true;
	default:
		d->v = alu(op, in->off == 1, is64 ? 64 : 32, d->v, s);
		return true;
	}
}

/* ---------------------------------------------------------------------
 * Conditional jumps
 */

static bool
cond(unsigned op, bool j32, uint64_t a, uint64_t b)
{
	if (j32) {
		a = (uint32_t)a;
		b = (uint32_t)b;
	}
	switch (op) {
	case J_JEQ:	return a == b;
	case J_JNE:	return a != b;
	case J_JGT:	return a > b;
	case J_JGE:	return a >= b;
	case J_JLT:	return a < b;
	case J_JLE:	return a <= b;
	case J_JSET:	return (a & b) != 0;
	default:
		break;
	}
	if (j32) {
		int32_t x = (int32_t)a, y = (int32_t)b;

		switch (op) {
		case J_JSGT:	return x > y;
		case J_JSGE:	return x >= y;
		case J_JSLT:	return x < y;
		default:	return x <= y;	/* J_JSLE */
		}
	} else {
		int64_t x = (int64_t)a, y = (int64_t)b;

		switch (op) {
		case J_JSGT:	return x > y;
		case J_JSGE:	return x >= y;
		case J_JSLT:	return x < y;
		default:	return x <= y;
		}
	}
}

/* A packet pointer's offset from skb->data (data_end: the length). */
static uint64_t
pkt_off(struct rp_bpf_run *run, const struct rp_breg *r)
{
	const struct rp_skb *skb;

	if (r->t == RP_BPF_REG_PKT)
		return r->v;
	skb = rp_bpf_skb(run);
	return skb->len - skb->data;
}

/*
 * Compare dst with src when a pointer is involved: a pointer against 0
 * (a NULL check), packet pointers against each other or the packet end,
 * two pointers into one object.  Anything else depends on an address the
 * model does not have.
 */
static bool
cond_ptr(struct rp_bpf_run *run, unsigned op, bool j32,
    const struct rp_breg *a, const struct rp_breg *b, bool *taken)
{
	bool pa = a->t == RP_BPF_REG_PKT || a->t == RP_BPF_REG_PKT_END;
	bool pb = b->t == RP_BPF_REG_PKT || b->t == RP_BPF_REG_PKT_END;

	if (j32)
		return rp_bpf_fault(run, "R-EBPF-6", "a 32-bit comparison of "
		    "a pointer");
	if ((op == J_JEQ || op == J_JNE) &&
	    ((a->t == RP_BPF_REG_SCALAR && a->v == 0) ||
	    (b->t == RP_BPF_REG_SCALAR && b->v == 0))) {
		*taken = op == J_JNE;	/* a pointer is never NULL */
		return true;
	}
	if (pa && pb && op != J_JSET) {
		*taken = cond(op, false, pkt_off(run, a), pkt_off(run, b));
		return true;
	}
	if (same_object(a, b) && op != J_JSET && a->t != RP_BPF_REG_SCALAR) {
		*taken = cond(op, false, a->v, b->v);
		return true;
	}
	return rp_bpf_fault(run, "R-EBPF-6", "a comparison of a pointer whose "
	    "result depends on a kernel address");
}

/* ---------------------------------------------------------------------
 * Memory: the stack
 */

/* A pointer's offset plus off, wrapping as the machine does (no
 * signed overflow). */
static inline int64_t
addr(uint64_t v, int64_t off)
{
	return (int64_t)(v + (uint64_t)off);
}

static bool
stack_frame(struct rp_bpf_run *run, const struct rp_breg *r,
    struct rp_bpf_frame **fp)
{
	struct rp_bpf_frame *f = r->obj;

	if (r->frame >= run->nframes || run->frame[r->frame] != f ||
	    f->gen != r->size)
		return rp_bpf_fault(run, "R-EBPF-9", "a pointer into the stack "
		    "of a function that has returned");
	*fp = f;
	return true;
}

static bool
stack_depth(struct rp_bpf_run *run, struct rp_bpf_frame *f, uint32_t depth)
{
	uint32_t total = 0;

	if (depth <= f->depth)
		return true;
	f->depth = depth;
	/* KERNEL: check_max_stack_depth(): every frame's depth rounded up
	 * (to 16 when jitted, else to 32, at least 1), at most 512 */
	for (unsigned i = 0; i < run->nframes; i++) {
		uint32_t d = run->frame[i]->depth;

		total += run->st->prof->bpf_stack_jit ? (d + 15) / 16 * 16 :
		    (MAX(d, 1u) + 31) / 32 * 32;
	}
	if (total > RP_BPF_STACK)
		return rp_bpf_fault(run, "R-EBPF-9", "the combined stack of "
		    "%u calls is %u bytes, more than 512", run->nframes, total);
	return true;
}

/* The frame and byte index of [r + off, +size) on the stack. */
static bool
stack_slot(struct rp_bpf_run *run, const struct rp_breg *r, int64_t off,
    uint32_t size, struct rp_bpf_frame **fp, uint32_t *at)
{
	int64_t a = addr(r->v, off);

	if (!stack_frame(run, r, fp))
		return false;
	if (a < -RP_BPF_STACK || a > -(int64_t)size)
		return rp_bpf_fault(run, "R-EBPF-10", "stack access at fp%+"
		    G_GINT64_MODIFIER "d, %u bytes, outside the 512-byte frame",
		    a, size);
	*at = (uint32_t)(a + RP_BPF_STACK);
	return stack_depth(run, *fp, (uint32_t)-a);
}

/* The bits [lo, lo + n) of a 64-bit word (n <= 64 - lo). */
static inline uint64_t
bits(uint32_t lo, uint32_t n)
{
	return (n >= 64 ? UINT64_MAX : (UINT64_C(1) << n) - 1) << lo;
}

/* Bytes [at, at + size) of the frame, at most 64 at a time. */
static bool
stack_inited(const struct rp_bpf_frame *f, uint32_t at, uint32_t size)
{
	while (size > 0) {
		uint32_t lo = at % 64, n = MIN(size, 64 - lo);
		uint64_t m = bits(lo, n);

		if ((f->init[at / 64] & m) != m)
			return false;
		at += n;
		size -= n;
	}
	return true;
}

/* The 8-byte slots bytes [at, at + size) touch, as a mask. */
static inline uint64_t
slots(uint32_t at, uint32_t size)
{
	return bits(at / 8, (at + size - 1) / 8 - at / 8 + 1);
}

static void
stack_mark(struct rp_bpf_frame *f, uint32_t at, uint32_t size)
{
	f->spilled &= ~slots(at, size);
	while (size > 0) {
		uint32_t lo = at % 64, n = MIN(size, 64 - lo);

		f->init[at / 64] |= bits(lo, n);
		at += n;
		size -= n;
	}
}

static bool
spilled_in(const struct rp_bpf_frame *f, uint32_t at, uint32_t size)
{
	return (f->spilled & slots(at, size)) != 0;
}

/*
 * The frame and byte index of the stack bytes [r + off, +size) when
 * every check of the general path passes: a live frame, inside it,
 * aligned, and either within the depth already reached or in the only
 * frame (whose depth, at most 512, cannot overflow the combined stack).
 * NULL: the general path decides (and may fault).
 */
static inline struct rp_bpf_frame *
stack_fast(const struct rp_bpf_run *run, const struct rp_breg *r,
    int64_t off, uint32_t size, bool align, uint32_t *at)
{
	struct rp_bpf_frame *f = r->obj;
	int64_t a = addr(r->v, off);

	if (r->frame >= run->nframes || run->frame[r->frame] != f ||
	    f->gen != r->size || a < -RP_BPF_STACK ||
	    a > -(int64_t)size || (align && (a & (int64_t)(size - 1)) != 0))
		return NULL;
	if ((uint32_t)-a > f->depth) {
		if (run->nframes != 1)
			return NULL;
		f->depth = (uint32_t)-a;
	}
	*at = (uint32_t)(a + RP_BPF_STACK);
	return f;
}

/* ---------------------------------------------------------------------
 * Memory: bytes a helper reads or writes, or a load/store of a scalar
 */

/*
 * Host bytes of [r + off, +size) in the object r points into, checked:
 * in bounds, of a kind that may be read (or written), initialised for a
 * read, not part of a spilled pointer.  A write marks the stack bytes
 * written.  NULL after a fault.
 */
uint8_t *
rp_bpf_mem(struct rp_bpf_run *run, const struct rp_breg *r, int64_t off,
    uint32_t size, bool write, const char *what)
{
	struct rp_bpf_frame *f;
	const struct rp_skb *skb;
	uint32_t at;
	int64_t a = addr(r->v, off);

	switch (r->t) {
	case RP_BPF_REG_STACK:
		/* the quick case: bytes within one word of init[] */
		if ((f = stack_fast(run, r, off, size, false, &at)) != NULL &&
		    at % 64 + size <= 64) {
			uint64_t m = bits(at % 64, size), sl = slots(at, size);

			if (write) {
				f->spilled &= ~sl;
				f->init[at / 64] |= m;
				return f->mem + at;
			}
			if ((f->spilled & sl) == 0 &&
			    (f->init[at / 64] & m) == m)
				return f->mem + at;
		}
		if (!stack_slot(run, r, off, size, &f, &at))
			return NULL;
		if (spilled_in(f, at, size) && !write) {
			rp_bpf_fault(run, "R-EBPF-10", "%s reads part of a "
			    "pointer spilled to the stack", what);
			return NULL;
		}
		if (write) {
			stack_mark(f, at, size);
		} else if (!stack_inited(f, at, size)) {
			rp_bpf_fault(run, "R-EBPF-10", "%s reads stack bytes "
			    "at fp%+" G_GINT64_MODIFIER "d never written", what,
			    a);
			return NULL;
		}
		return f->mem + at;
	case RP_BPF_REG_MAP_VALUE:
		if (a < 0 || (uint64_t)a + size > r->size) {
			rp_bpf_fault(run, "R-EBPF-7", "%s at offset %"
			    G_GINT64_MODIFIER "d, %u bytes, of a %u-byte value "
			    "of map %u", what, a, size, r->size, r->map->id);
			return NULL;
		}
		if ((write && (r->map->map_flags & RP_BPF_F_RDONLY_PROG)) ||
		    (!write && (r->map->map_flags & RP_BPF_F_WRONLY_PROG))) {
			rp_bpf_fault(run, "R-EBPF-7", "%s %s map %u, created "
			    "%s for programs", what, write ? "writes" : "reads",
			    r->map->id, write ? "read-only" : "write-only");
			return NULL;
		}
		return (uint8_t *)r->obj + a;
	case RP_BPF_REG_PKT:
		skb = rp_bpf_skb(run);
		if (write) {
			rp_bpf_fault(run, "R-EBPF-7", "%s writes into the "
			    "packet", what);
			return NULL;
		}
		if (a < 0 || (uint64_t)a + size > skb->len - skb->data) {
			rp_bpf_fault(run, "R-EBPF-7", "%s at packet offset %"
			    G_GINT64_MODIFIER "d, %u bytes, past data_end "
			    "(%zu)", what, a, size, skb->len - skb->data);
			return NULL;
		}
		return skb->buf + skb->data + a;
	case RP_BPF_REG_NONE:
		readable(run, 0);	/* LCOV_EXCL_LINE: callers check */
		return NULL;		/* LCOV_EXCL_LINE */
	default:
		rp_bpf_fault(run, "R-EBPF-7", "%s through %s", what,
		    r->t == RP_BPF_REG_SCALAR ? (r->v == 0 ? "a NULL pointer" :
		    "a scalar") : r->t == RP_BPF_REG_CTX ? "the context" :
		    r->t == RP_BPF_REG_PKT_END ? "the packet end" :
		    r->t == RP_BPF_REG_MAP ? "a map pointer" :
		    "a socket pointer");
		return NULL;
	}
}

static uint64_t
get_le(const uint8_t *p, uint32_t size)
{
	uint64_t v = 0;

	memcpy(&v, p, size);	/* little-endian host (x86-64) */
	return v;
}

/* ---------------------------------------------------------------------
 * Memory: the contexts
 */

/* struct sk_reuseport_md (docs/kernel-semantics.md §8.4) */
#define MD_DATA		0
#define MD_DATA_END	8
#define MD_LEN		16
#define MD_ETH_PROTOCOL	20
#define MD_IP_PROTOCOL	24
#define MD_BIND_INANY	28
#define MD_HASH		32
#define MD_SK		40
#define MD_MIGRATING_SK	48

const struct rp_skb *
rp_bpf_skb(struct rp_bpf_run *run)
{
	if (!run->skb_built) {
		/* an SK_REUSEPORT program reads from skb->data on, and
		 * the headers only through rp_bpf_skb_headers() */
		rp_skb_build(run->st, &run->skb, run->pkt, run->raw_l4,
		    run->prog_type == REUSEPORT);
		if (run->prog_type == SOCK_FILTER)
			run->skb.data = rp_skb_payload(&run->skb);
		run->skb_built = true;
	}
	return &run->skb;
}

/* The skb with its Ethernet and IP headers written. */
const struct rp_skb *
rp_bpf_skb_headers(struct rp_bpf_run *run)
{
	rp_bpf_skb(run);
	rp_skb_headers(&run->skb, NULL);
	return &run->skb;
}

/* A socket pointer; common: only struct sock_common's fields
 * (PTR_TO_SOCK_COMMON, migrating_sk).  NULL is the scalar 0. */
static void
set_sock(struct rp_breg *d, struct rp_sock *sk, bool common)
{
	if (sk == NULL) {
		set_scalar(d, 0);
		return;
	}
	d->t = RP_BPF_REG_SOCK;
	d->obj = sk;
	d->v = 0;
	d->frame = common;
}

/*
 * A load from struct sk_reuseport_md (sk_reuseport_is_valid_access(),
 * sk_reuseport_convert_ctx_access(), and the verifier's narrow-load
 * rewrite in convert_ctx_accesses()).  R-CTX-6.
 */
static bool
ctx_reuseport(struct rp_bpf_run *run, int64_t off, uint32_t size,
    struct rp_breg *d)
{
	const struct rp_profile *prof = run->st->prof;
	int64_t ctx_size = prof->expected_attach ? 56 : 40;
	uint64_t full;
	uint32_t target, start;

	if (!prof->expected_attach && (off == MD_SK || off == MD_MIGRATING_SK))
		return rp_bpf_fault(run, "R-CTX-5", "the context has no sk or "
		    "migrating_sk before 5.14 (offset %" G_GINT64_MODIFIER "d)",
		    off);
	if (off < 0 || off >= ctx_size || off % size != 0)
		return rp_bpf_fault(run, "R-CTX-6", "context access at offset %"
		    G_GINT64_MODIFIER "d, %u bytes", off, size);
	switch (off) {
	case MD_DATA:
	case MD_DATA_END:
		if (size != 8)
			break;
		d->t = off == MD_DATA ? RP_BPF_REG_PKT : RP_BPF_REG_PKT_END;
		d->v = 0;
		d->obj = NULL;
		return true;
	case MD_HASH:
		if (size != 4)
			break;
		set_scalar(d, run->hash);
		return true;
	case MD_SK:
	case MD_MIGRATING_SK:
		if (size != 8)
			break;
		set_sock(d, off == MD_SK ? run->sctx->sk :
		    run->sctx->migrating, off == MD_MIGRATING_SK);
		return true;
	default:
		goto narrow;
	}
	return rp_bpf_fault(run, "R-CTX-6", "context field at offset %"
	    G_GINT64_MODIFIER "d read with %u bytes", off, size);
narrow:
	start = (uint32_t)off & ~3u;
	/* 4.19 matches the narrow fields only at their first byte */
	if (start < MD_LEN || start > MD_BIND_INANY ||
	    (!prof->bpf_ctx_narrow_any && off != start) ||
	    (off & 3) + size > 4 ||
	    (start == MD_ETH_PROTOCOL && size < 2))
		return rp_bpf_fault(run, "R-CTX-6", "context access at offset %"
		    G_GINT64_MODIFIER "d, %u bytes", off, size);
	switch (start) {
	case MD_LEN:
		full = rp_bpf_skb(run)->len - rp_bpf_skb(run)->data;
		target = 4;
		break;
	case MD_ETH_PROTOCOL:
		/* skb->protocol, a __be16, loaded as stored */
		full = GUINT16_SWAP_LE_BE(rp_bpf_skb(run)->proto);
		target = 2;
		break;
	case MD_IP_PROTOCOL:
		full = (uint32_t)run->sctx->sk->protocol;
		/* sk_protocol: 8 bits in a bitfield, a u16 from 5.6 */
		target = prof->bpf_version >= RP_KVER(5, 6) ? 2 : 1;
		break;
	default:	/* MD_BIND_INANY */
		full = run->bind_inany;
		target = 1;	/* a bool in sk_reuseport_kern */
		break;
	}
	/* KERNEL: convert_ctx_accesses(): shift and mask only when the
	 * load is narrower than the field and than the target */
	if (size < 4 && size < target)
		full = (full >> ((off & 3) * 8)) & ((UINT64_C(1) << (size * 8)) -
		    1);
	set_scalar(d, full);
	return true;
}

/* struct __sk_buff, the fields a socket filter may use (R-CTX-8) */
static bool
ctx_skb_value(struct rp_bpf_run *run, uint32_t start, uint64_t *v)
{
	const struct rp_skb *skb;

	switch (start) {
	case 0:		/* len */
		skb = rp_bpf_skb(run);
		*v = skb->len - skb->data;
		return true;
	case 16:	/* protocol, as stored */
		*v = GUINT16_SWAP_LE_BE(rp_bpf_skb(run)->proto);
		return true;
	case 36:	/* ingress_ifindex */
	case 40:	/* ifindex: lo */
		*v = 1;
		return true;
	case 68:	/* hash */
		*v = run->hash;
		return true;
	case 4:		/* pkt_type: PACKET_HOST */
	case 8:		/* mark */
	case 12:	/* queue_mapping */
	case 20:	/* vlan_present */
	case 24:	/* vlan_tci */
	case 28:	/* vlan_proto */
	case 32:	/* priority */
	case 44:	/* tc_index */
	case 84:	/* napi_id */
	case 164:	/* gso_segs */
	case 176:	/* gso_size */
		*v = 0;
		return true;
	default:
		return false;
	}
}

static bool
ctx_skb(struct rp_bpf_run *run, int64_t off, uint32_t size, bool write,
    struct rp_breg *d, uint64_t src)
{
	uint32_t start = (uint32_t)off & ~3u;
	uint64_t v;

	if (off < 0 || off >= 192 || off % size != 0)
		return rp_bpf_fault(run, "R-CTX-8", "context access at offset %"
		    G_GINT64_MODIFIER "d, %u bytes", off, size);
	if (off >= 48 && off + size <= 68) {	/* cb[0..4] */
		if (write)
			memcpy(run->cb + (off - 48), &src, size);
		else
			set_scalar(d, get_le(run->cb + (off - 48), size));
		return true;
	}
	if (write)
		return rp_bpf_fault(run, "R-CTX-8", "a socket filter writes "
		    "only cb[]");
	if (off == 168) {	/* sk: NULL during the lookup */
		if (size != 8)
			return rp_bpf_fault(run, "R-CTX-8", "__sk_buff.sk read "
			    "with %u bytes", size);
		set_scalar(d, 0);
		return true;
	}
	if (size == 8 || !ctx_skb_value(run, start, &v))
		return rp_bpf_fault(run, "R-CTX-8", "__sk_buff field at offset "
		    "%" G_GINT64_MODIFIER "d, %u bytes: refused to socket "
		    "filters or not modelled", off, size);
	set_scalar(d, (v >> ((off & 3) * 8)) & (size == 4 ? UINT32_MAX :
	    (UINT64_C(1) << (size * 8)) - 1));
	return true;
}

/* struct bpf_sock through ctx->sk / migrating_sk (bpf_sock_is_valid_access(),
 * bpf_sock_convert_ctx_access()).  R-CTX-5. */
static bool
sock_load(struct rp_bpf_run *run, const struct rp_breg *r, int64_t off,
    uint32_t size, struct rp_breg *d)
{
	const struct rp_sock *sk = r->obj;
	int64_t a = addr(r->v, off);
	uint32_t start = (uint32_t)a & ~3u;
	bool v6 = sk->family == RP_AF_INET6;
	uint8_t b[4] = { 0 };
	uint64_t v = 0;

	if (a < 0 || a >= 80 || a % size != 0 || size == 8 ||
	    (r->frame && a >= 8 && a < 24))
		return rp_bpf_fault(run, "R-CTX-5", "socket field at offset %"
		    G_GINT64_MODIFIER "d, %u bytes%s", a, size, r->frame ?
		    " (migrating_sk has only struct sock_common's fields)" : "");
	switch (start) {
	case 0:  v = (uint32_t)sk->bound_dev_if; break;
	case 4:  v = (uint32_t)sk->family; break;
	case 8:  v = (uint32_t)sk->type; break;
	case 12: v = (uint32_t)sk->protocol; break;
	case 16: case 20: v = 0; break;		/* mark, priority */
	case 24:
		if (!v6)
			memcpy(b, sk->rcv_saddr.a, 4);
		v = get_le(b, 4);
		break;
	case 28: case 32: case 36: case 40:
		if (v6)
			memcpy(b, sk->rcv_saddr.a + (start - 28), 4);
		v = get_le(b, 4);
		break;
	case 44: v = sk->num; break;		/* host order */
	case 48: v = GUINT16_SWAP_LE_BE(sk->peer.port); break;
	case 52:
		if (!v6)
			memcpy(b, sk->peer.addr.a, 4);
		v = get_le(b, 4);
		break;
	case 56: case 60: case 64: case 68:
		if (v6)
			memcpy(b, sk->peer.addr.a + (start - 56), 4);
		v = get_le(b, 4);
		break;
	case 72: v = (uint32_t)sk->state; break;
	default: v = UINT32_MAX; break;		/* rx_queue_mapping: -1 */
	}
	set_scalar(d, (v >> ((a & 3) * 8)) & (size == 4 ? UINT32_MAX :
	    (UINT64_C(1) << (size * 8)) - 1));
	return true;
}

/* ---------------------------------------------------------------------
 * Loads, stores and atomics
 */

static bool
exec_ldx(struct rp_bpf_run *run, const struct rp_insn *in)
{
	static const uint8_t bytes[] = { [S_W >> 3] = 4, [S_H >> 3] = 2,
	    [S_B >> 3] = 1, [S_DW >> 3] = 8 };
	uint32_t size = bytes[SIZE(in->code) >> 3];
	struct rp_breg *d = &run->r[in->dst_reg];
	struct rp_breg src;
	struct rp_bpf_frame *f;
	uint8_t *p;
	uint32_t at;
	uint64_t v;

	if (!readable(run, in->src_reg))
		return false;
	src = run->r[in->src_reg];
	switch (src.t) {
	case RP_BPF_REG_CTX:
		if (run->prog_type == SOCK_FILTER)
			return ctx_skb(run, addr(src.v, in->off), size,
			    false, d, 0);
		return ctx_reuseport(run, addr(src.v, in->off), size, d);
	case RP_BPF_REG_SOCK:
		return sock_load(run, &src, in->off, size, d);
	case RP_BPF_REG_STACK:
		if (!stack_slot(run, &src, in->off, size, &f, &at))
			return false;
		if (at % size != 0)
			return rp_bpf_fault(run, "R-EBPF-10", "misaligned "
			    "stack access");
		if (size == 8 && (f->spilled & (UINT64_C(1) << (at / 8)))) {
			*d = f->spill[at / 8];	/* a spilled pointer */
			return true;
		}
		break;
	default:
		break;
	}
	p = rp_bpf_mem(run, &src, in->off, size, false, "a load");
	if (p == NULL)
		return false;
	v = get_le(p, size);
	if (MODE(in->code) == M_MEMSX)
		v = size == 1 ? (uint64_t)(int64_t)(int8_t)v : size == 2 ?
		    (uint64_t)(int64_t)(int16_t)v :
		    (uint64_t)(int64_t)(int32_t)v;
	set_scalar(d, v);
	return true;
}

/*
 * A store or atomic wrote into the map value dst points at: RP_EV_SLOT_SET
 * names the element written (R-EBPF-20), its key computed from the
 * value's place only when someone observes the events (the explorer's
 * footprints need only the map).  KERNEL: the write goes straight to the
 * element's memory (array_map_lookup_elem()'s or the htab element's).
 */
static void
value_written(struct rp_bpf_run *run, const struct rp_breg *dst)
{
	uint32_t idx = 0;

	/* a ring buffer record is the program's until it submits it
	 * (R-RB-3): nothing to report */
	if (dst->map->type == RP_MAP_RINGBUF)
		return;
	if (run->st->obs != NULL && rp_vmap_type(dst->map->type))
		(void)rp_vmap_key_of(dst->map, dst->obj, &idx);
	rp_emit(run->st, &(struct rp_event){ .kind = RP_EV_SLOT_SET,
	    .map = dst->map->id, .idx = idx });
}

static bool
exec_st(struct rp_bpf_run *run, const struct rp_insn *in)
{
	static const uint8_t bytes[] = { [S_W >> 3] = 4, [S_H >> 3] = 2,
	    [S_B >> 3] = 1, [S_DW >> 3] = 8 };
	uint32_t size = bytes[SIZE(in->code) >> 3];
	struct rp_breg dst;
	const struct rp_breg *val = NULL;
	struct rp_bpf_frame *f;
	uint64_t v;
	uint8_t *p;
	uint32_t at;

	if (!readable(run, in->dst_reg))
		return false;
	dst = run->r[in->dst_reg];
	if (CLS(in->code) == C_STX) {
		if (!readable(run, in->src_reg))
			return false;
		val = &run->r[in->src_reg];
		v = val->v;
	} else {
		v = (uint64_t)(int64_t)in->imm;
	}
	if (dst.t == RP_BPF_REG_CTX && run->prog_type == SOCK_FILTER &&
	    (val == NULL || val->t == RP_BPF_REG_SCALAR))
		return ctx_skb(run, addr(dst.v, in->off), size, true, NULL,
		    v);
	if (dst.t == RP_BPF_REG_CTX)
		return rp_bpf_fault(run, "R-CTX-6", "a store into the "
		    "read-only context");
	if (val != NULL && val->t != RP_BPF_REG_SCALAR) {
		/* only the stack holds pointers: an aligned 8-byte spill */
		if (dst.t != RP_BPF_REG_STACK || size != 8)
			return rp_bpf_fault(run, "R-EBPF-10", "a pointer "
			    "stored %s", dst.t != RP_BPF_REG_STACK ?
			    "outside the stack" : "in part");
		if (!stack_slot(run, &dst, in->off, 8, &f, &at))
			return false;
		if (at % 8 != 0)
			return rp_bpf_fault(run, "R-EBPF-10", "misaligned "
			    "stack access");
		stack_mark(f, at, 8);
		f->spill[at / 8] = *val;
		f->spilled |= UINT64_C(1) << (at / 8);
		return true;
	}
	if (dst.t == RP_BPF_REG_STACK) {
		if (!stack_slot(run, &dst, in->off, size, &f, &at))
			return false;
		if (at % size != 0)
			return rp_bpf_fault(run, "R-EBPF-10", "misaligned "
			    "stack access");
	}
	p = rp_bpf_mem(run, &dst, in->off, size, true, "a store");
	if (p == NULL)
		return false;
	memcpy(p, &v, size);
	if (dst.t == RP_BPF_REG_MAP_VALUE)
		value_written(run, &dst);
	return true;
}

static bool
exec_atomic(struct rp_bpf_run *run, const struct rp_insn *in)
{
	uint32_t size = SIZE(in->code) == S_DW ? 8 : 4;
	struct rp_breg dst;
	uint64_t old, s, nv, mask = size == 8 ? UINT64_MAX : UINT32_MAX;
	uint8_t *p;
	int op = in->imm;

	if (!readable(run, in->dst_reg) || !scalar(run, in->src_reg,
	    "an atomic operation"))
		return false;
	dst = run->r[in->dst_reg];
	if (dst.t != RP_BPF_REG_STACK && dst.t != RP_BPF_REG_MAP_VALUE)
		return rp_bpf_fault(run, "R-EBPF-8", "an atomic operation on "
		    "memory other than the stack or a map value");
	if (op == AT_CMPXCHG && !scalar(run, 0, "cmpxchg's expected value"))
		return false;
	p = rp_bpf_mem(run, &dst, in->off, size, false, "an atomic operation");
	if (p == NULL || rp_bpf_mem(run, &dst, in->off, size, true,
	    "an atomic operation") == NULL)
		return false;
	old = get_le(p, size);
	s = run->r[in->src_reg].v & mask;
	switch (op & ~AT_FETCH) {
	case A_ADD:	nv = old + s; break;
	case A_OR:	nv = old | s; break;
	case A_AND:	nv = old & s; break;
	case A_XOR:	nv = old ^ s; break;
	case AT_XCHG & ~AT_FETCH:
		nv = s;
		break;
	default:	/* cmpxchg */
		nv = (run->r[0].v & mask) == old ? s : old;
		break;
	}
	nv &= mask;
	memcpy(p, &nv, size);
	if (dst.t == RP_BPF_REG_MAP_VALUE)
		value_written(run, &dst);
	/* KERNEL: fetch variants return the old value in src (zero-extended
	 * for W); cmpxchg returns it in r0 */
	if (op == AT_CMPXCHG)
		set_scalar(&run->r[0], old);
	else if (op & AT_FETCH)
		set_scalar(&run->r[in->src_reg], old);
	return true;
}

/* LD_ABS / LD_IND of a socket filter (bpf_gen_ld_abs()): r0 = the bytes,
 * big-endian; a load outside the packet returns 0 from the function. */
static bool
exec_ldabs(struct rp_bpf_run *run, const struct rp_insn *in, bool *exit)
{
	unsigned size = SIZE(in->code) == S_W ? 4 : SIZE(in->code) == S_H ?
	    2 : 1;
	const struct rp_skb *skb;
	uint64_t off = (uint64_t)(int64_t)in->imm;
	uint32_t v;

	if (!readable(run, 6) || run->r[6].t != RP_BPF_REG_CTX ||
	    run->r[6].v != 0)
		return rp_bpf_fault(run, "R-EBPF-16", "LD_ABS/LD_IND needs the "
		    "context in r6");
	if (MODE(in->code) == M_IND) {
		if (!scalar(run, in->src_reg, "LD_IND's offset"))
			return false;
		off += run->r[in->src_reg].v;
	}
	skb = rp_bpf_skb(run);
	for (unsigned i = 1; i <= 5; i++)
		run->r[i].t = RP_BPF_REG_NONE;	/* a call clobbers r1-r5 */
	if (!rp_skb_load(skb, skb->data, (int32_t)(uint32_t)off, size, &v)) {
		set_scalar(&run->r[0], 0);
		*exit = true;
		return true;
	}
	set_scalar(&run->r[0], v);
	return true;
}

/* ---------------------------------------------------------------------
 * The interpreter
 */

static struct rp_bpf_frame *
frame_get(struct rp_state *st)
{
	struct rp_bpf_frame *f = st->bpf_frames;

	if (f != NULL) {
		st->bpf_frames = f->next;
	} else {
		f = g_new(struct rp_bpf_frame, 1);
		f->gen = 0;
	}
	memset(f->init, 0, sizeof(f->init));
	f->spilled = 0;
	f->depth = 0;
	return f;
}

static void
frame_put(struct rp_state *st, struct rp_bpf_frame *f)
{
	f->gen++;
	f->next = st->bpf_frames;
	st->bpf_frames = f;
}

void
rp_bpf_state_free(struct rp_state *st)
{
	while (st->bpf_frames != NULL) {
		struct rp_bpf_frame *f = st->bpf_frames;

		st->bpf_frames = f->next;
		g_free(f);
	}
}

static void
frame_reg(struct rp_bpf_run *run, unsigned i)
{
	struct rp_breg *r = &run->r[10];

	r->t = RP_BPF_REG_STACK;
	r->v = 0;
	r->obj = run->frame[i];
	r->frame = (uint16_t)i;
	r->size = run->frame[i]->gen;
}

/* A bpf-to-bpf call (BPF_PSEUDO_CALL): a new frame, r1-r5 passed. */
static bool
call_sub(struct rp_bpf_run *run, const struct rp_insn *in)
{
	struct rp_bpf_frame *f;

	if (run->nframes == RP_BPF_MAX_FRAMES)
		return rp_bpf_fault(run, "R-EBPF-9", "the call stack of %u "
		    "frames is too deep (8 at most)", run->nframes + 1);
	f = frame_get(run->st);
	run->frame[run->nframes] = f;
	f->ret_pc = run->pc + 1;
	memcpy(f->saved, &run->r[6], sizeof(f->saved));
	for (unsigned i = 6; i <= 9; i++)
		run->r[i].t = RP_BPF_REG_NONE;	/* the callee's r6-r9 */
	frame_reg(run, run->nframes++);
	run->pc = run->pc + 1 + (uint32_t)in->imm;
	return true;
}

/* EXIT from a subprogram: back to the caller with r0. */
static bool
ret_sub(struct rp_bpf_run *run)
{
	struct rp_bpf_frame *f = run->frame[run->nframes - 1];

	if (!readable(run, 0))
		return false;
	if (run->r[0].t == RP_BPF_REG_STACK && run->r[0].obj == f)
		return rp_bpf_fault(run, "R-EBPF-9", "returning a pointer to "
		    "the callee's stack");
	run->nframes--;
	run->pc = f->ret_pc;
	memcpy(&run->r[6], f->saved, sizeof(f->saved));
	for (unsigned i = 1; i <= 5; i++)
		run->r[i].t = RP_BPF_REG_NONE;
	frame_put(run->st, f);
	run->frame[run->nframes] = NULL;
	frame_reg(run, run->nframes - 1);
	return true;
}

static bool
exec_jmp(struct rp_bpf_run *run, const struct rp_insn *in, bool *done)
{
	bool j32 = CLS(in->code) == C_JMP32, taken = false;
	unsigned op = OP(in->code);
	struct rp_breg b;
	const struct rp_breg *a;

	switch (op) {
	case J_JA:
		run->pc += 1 + (uint32_t)(j32 ? in->imm : in->off);
		return true;
	case J_CALL:
		if (in->src_reg == PSEUDO_CALL)
			return call_sub(run, in);
		if (!rp_bpf_call(run, in->imm, run->code->helper[run->pc]))
			return false;
		run->pc++;
		return true;
	case J_EXIT:
		if (run->nframes > 1)
			return ret_sub(run);
		*done = true;
		return true;
	default:
		break;
	}
	if (!readable(run, in->dst_reg))
		return false;
	a = &run->r[in->dst_reg];
	if (SRC_X(in->code)) {
		if (!readable(run, in->src_reg))
			return false;
		b = run->r[in->src_reg];
	} else {
		set_scalar(&b, (uint64_t)(int64_t)in->imm);
	}
	if (a->t == RP_BPF_REG_SCALAR && b.t == RP_BPF_REG_SCALAR)
		taken = cond(op, j32, a->v, b.v);
	else if (!cond_ptr(run, op, j32, a, &b, &taken))
		return false;
	if (run->trace)
		rp_bpf_emit(run, &(struct rp_bpf_event){ .kind =
		    RP_BPF_EV_BRANCH, .taken = taken, .target = run->pc + 1 +
		    (taken ? (uint32_t)in->off : 0) });
	run->pc += 1 + (taken ? (uint32_t)in->off : 0);
	return true;
}

/*
 * The fast cases: scalar arithmetic, moves and jumps, one dispatch.
 * True when done (pc advanced); false: the general path must run it
 * (a pointer or an unwritten register is involved, or a trace wants
 * the branch).
 */
/* size bytes at p, little-endian, size a constant after inlining */
static inline uint64_t
load_n(const uint8_t *p, uint32_t size)
{
	uint64_t v8;
	uint32_t v4;
	uint16_t v2;

	switch (size) {
	case 1:
		return *p;
	case 2:
		memcpy(&v2, p, 2);
		return v2;
	case 4:
		memcpy(&v4, p, 4);
		return v4;
	default:
		memcpy(&v8, p, 8);
		return v8;
	}
}

/*
 * The fast loads: from the stack and the packet, when they cannot
 * fault.  True when done.
 */
static G_ALWAYS_INLINE inline bool
fast_ldx(struct rp_bpf_run *run, struct rp_breg *d, const struct rp_breg *sr,
    int16_t off, uint32_t size)
{
	struct rp_bpf_frame *fr;
	const uint8_t *p;
	uint32_t at;
	uint64_t v, m;

	if (sr->t == RP_BPF_REG_STACK) {
		if ((fr = stack_fast(run, sr, off, size, true, &at)) == NULL)
			return false;
		if (fr->spilled & (UINT64_C(1) << (at / 8))) {
			if (size != 8)
				return false;
			*d = fr->spill[at / 8];	/* a pointer */
			return true;
		}
		m = bits(at % 64, size);
		if ((fr->init[at / 64] & m) != m)
			return false;
		p = fr->mem + at;
	} else if (sr->t == RP_BPF_REG_PKT) {
		const struct rp_skb *skb = rp_bpf_skb(run);
		int64_t a = addr(sr->v, off);

		if (a < 0 || (uint64_t)a + size > skb->len - skb->data)
			return false;
		p = skb->buf + skb->data + a;
	} else if (sr->t == RP_BPF_REG_CTX && run->prog_type == REUSEPORT) {
		/* the whole fields of sk_reuseport_md every kernel has
		 * (ctx_reuseport() for the rest) */
		int64_t a = addr(sr->v, off);

		if (size == 8 && (a == MD_DATA || a == MD_DATA_END)) {
			d->t = a == MD_DATA ? RP_BPF_REG_PKT :
			    RP_BPF_REG_PKT_END;
			d->v = 0;
			d->obj = NULL;
			return true;
		}
		if (size != 4 || (a != MD_LEN && a != MD_HASH))
			return false;
		if (a == MD_LEN) {
			const struct rp_skb *skb = rp_bpf_skb(run);

			v = skb->len - skb->data;
		} else {
			v = run->hash;
		}
		d->t = RP_BPF_REG_SCALAR;
		d->v = v;
		d->obj = NULL;
		return true;
	} else {
		return false;
	}
	v = load_n(p, size);
	d->t = RP_BPF_REG_SCALAR;
	d->v = v;
	d->obj = NULL;
	return true;
}

/* The fast stores: a scalar v to the stack. */
static G_ALWAYS_INLINE inline bool
fast_st(struct rp_bpf_run *run, const struct rp_breg *d, int16_t off,
    uint64_t v, uint32_t size)
{
	struct rp_bpf_frame *fr;
	uint32_t at;

	if (d->t != RP_BPF_REG_STACK ||
	    (fr = stack_fast(run, d, off, size, true, &at)) == NULL)
		return false;
	memcpy(fr->mem + at, &v, size);	/* little-endian host */
	fr->init[at / 64] |= bits(at % 64, size);
	fr->spilled &= ~(UINT64_C(1) << (at / 8));
	return true;
}

/* Kinds of pointer a scalar may be added to (alu_ptr()). */
#define PTR_ARITH	(1u << RP_BPF_REG_STACK | 1u << RP_BPF_REG_PKT |	\
	1u << RP_BPF_REG_MAP_VALUE | 1u << RP_BPF_REG_CTX)

/*
 * One instruction the general way, from run->pc: every check, every
 * event, every fault.  False after a fault; *done after the last EXIT.
 */
static bool
step(struct rp_bpf_run *run, uint64_t budget, bool want_insns, bool *done)
{
	const struct rp_bpf_code *code = run->code;
	const struct rp_insn *in;
	bool ok = true;

	/* jumps and calls were checked at load: only a fall past the end
	 * leaves the program, and bad[len] says so */
	if (G_UNLIKELY(code->bad[run->pc] != B_OK))
		return rp_bpf_fault(run, bad_rule[code->bad[run->pc]], "%s",
		    bad_text[code->bad[run->pc]]);
	in = &code->insns[run->pc];
	if (G_UNLIKELY(++run->count > budget))
		return rp_bpf_fault(run, "R-EBPF-12", "more than %"
		    G_GUINT64_FORMAT " instructions in one run", budget);
	if (G_UNLIKELY(want_insns))
		rp_bpf_emit(run, &(struct rp_bpf_event){ .kind =
		    RP_BPF_EV_INSN });
	switch (CLS(in->code)) {
	case C_ALU:
	case C_ALU64:
		ok = exec_alu(run, in);
		run->pc++;
		break;
	case C_JMP:
	case C_JMP32:
		ok = exec_jmp(run, in, done);
		break;
	case C_LDX:
		ok = exec_ldx(run, in);
		run->pc++;
		break;
	case C_ST:
		ok = exec_st(run, in);
		run->pc++;
		break;
	case C_STX:
		ok = MODE(in->code) == M_ATOMIC ? exec_atomic(run, in) :
		    exec_st(run, in);
		run->pc++;
		break;
	default:	/* C_LD */
		if (MODE(in->code) != M_IMM) {
			bool ex = false;

			ok = exec_ldabs(run, in, &ex);
			run->pc++;
			if (ok && ex) {
				if (run->nframes > 1)
					ok = ret_sub(run);
				else
					*done = true;
			}
			break;
		}
		if (code->ld_map[run->pc] == NULL) {
			set_scalar(&run->r[in->dst_reg], (uint32_t)in->imm |
			    (uint64_t)(uint32_t)in[1].imm << 32);
		} else if (in->src_reg == PSEUDO_MAP_FD) {
			struct rp_breg *d = &run->r[in->dst_reg];

			d->t = RP_BPF_REG_MAP;
			d->obj = code->ld_map[run->pc];
			d->v = 0;
		} else {
			struct rp_breg *d = &run->r[in->dst_reg];
			struct rp_map *m = code->ld_map[run->pc];
			uint32_t key0 = 0;

			d->t = RP_BPF_REG_MAP_VALUE;
			d->obj = rp_vmap_lookup(run->st, m,
			    (const uint8_t *)&key0, run->st->cpu);
			d->map = m;
			d->size = m->value_size;
			d->v = code->ld_off[run->pc];
		}
		run->pc += 2;
		break;
	}
	return ok;
}

/*
 * Run the program from instruction 0 with r1 = the context.  True with
 * the result in *r0 when it exits; false after a fault (recorded).
 */
static bool
interpret(struct rp_bpf_run *run, uint64_t *r0)
{
	const struct rp_bpf_code *code = run->code;
	const struct rp_bpf_op *ops = code->op;
	struct rp_breg *const r = run->r;
	uint64_t budget = run->st->insn_budget != 0 ? run->st->insn_budget :
	    RP_BPF_INSN_BUDGET, count = 0;
	bool done = false, want_insns = run->trace &&
	    run->st->bpf_obs->want_insns;
	/* an observer sees every instruction the general way */
	bool fast = !run->trace;
	uint32_t pc = 0;

	r[1].t = RP_BPF_REG_CTX;	/* run_init() made the rest NONE */
	r[1].v = 0;
	r[1].obj = NULL;
	run->frame[0] = frame_get(run->st);
	run->nframes = 1;
	frame_reg(run, 0);
	run->pc = 0;
	if (run->trace)
		start_event(run);
	for (;;) {
		if (G_LIKELY(fast)) {
			const struct rp_bpf_op *o = &ops[pc];
			struct rp_breg *d = &r[o->dst];
			const struct rp_breg *s = &r[o->src];
			uint64_t a, b;

			if (G_UNLIKELY(count >= budget))
				goto general;	/* which faults */
/* d op= imm, or d op= s, on scalars */
#define ALU(F, E)							\
			case F:						\
				if (d->t != RP_BPF_REG_SCALAR)		\
					goto general;			\
				a = d->v;				\
				b = o->imm;				\
				d->v = (E);				\
				pc++;					\
				break;					\
			case F | F_X:					\
				if (d->t != RP_BPF_REG_SCALAR ||	\
				    s->t != RP_BPF_REG_SCALAR)		\
					goto general;			\
				a = d->v;				\
				b = s->v;				\
				d->v = (E);				\
				pc++;					\
				break;
/* if (d cond imm), if (d cond s), on scalars */
#define JMP(F, E)							\
			case F:						\
				if (d->t != RP_BPF_REG_SCALAR)		\
					goto general;			\
				a = d->v;				\
				b = o->imm;				\
				pc += 1 + ((E) ? (uint32_t)o->off : 0);	\
				break;					\
			case F | F_X:					\
				if (d->t != RP_BPF_REG_SCALAR ||	\
				    s->t != RP_BPF_REG_SCALAR)		\
					goto general;			\
				a = d->v;				\
				b = s->v;				\
				pc += 1 + ((E) ? (uint32_t)o->off : 0);	\
				break;
/* loads and stores of N bytes */
#define MEM(N)								\
			case F_LDX ## N:				\
				if (!fast_ldx(run, d, s, o->off, N))	\
					goto general;			\
				pc++;					\
				break;					\
			case F_ST ## N:					\
				if (!fast_st(run, d, o->off, o->imm, N)) \
					goto general;			\
				pc++;					\
				break;					\
			case F_ST ## N | F_X:				\
				if (s->t != RP_BPF_REG_SCALAR ||	\
				    !fast_st(run, d, o->off, s->v, N))	\
					goto general;			\
				pc++;					\
				break;
			switch (o->f) {
			case F_ADD64:
			case F_SUB64:
				/* a scalar, or a pointer moved (alu_ptr()) */
				if (d->t != RP_BPF_REG_SCALAR &&
				    !((PTR_ARITH >> d->t) & 1))
					goto general;
				d->v = o->f == F_ADD64 ? d->v + o->imm :
				    d->v - o->imm;
				pc++;
				break;
			case F_ADD64 | F_X:
			case F_SUB64 | F_X:
				if (s->t != RP_BPF_REG_SCALAR ||
				    (d->t != RP_BPF_REG_SCALAR &&
				    !((PTR_ARITH >> d->t) & 1)))
					goto general;
				d->v = o->f == (F_ADD64 | F_X) ? d->v + s->v :
				    d->v - s->v;
				pc++;
				break;
			ALU(F_AND64, a & b)
			ALU(F_OR64, a | b)
			ALU(F_XOR64, a ^ b)
			ALU(F_LSH64, a << (b & 63))
			ALU(F_RSH64, a >> (b & 63))
			ALU(F_OTHER64, alu(o->op, o->sign, 64, a, b))
			ALU(F_ADD32, (uint32_t)(a + b))
			ALU(F_SUB32, (uint32_t)(a - b))
			ALU(F_AND32, (uint32_t)(a & b))
			ALU(F_OR32, (uint32_t)(a | b))
			ALU(F_XOR32, (uint32_t)(a ^ b))
			ALU(F_LSH32, (uint32_t)a << (b & 31))
			ALU(F_RSH32, (uint32_t)a >> (b & 31))
			ALU(F_OTHER32, alu(o->op, o->sign, 32, a, b))
			case F_MOV64:
				d->t = RP_BPF_REG_SCALAR;
				d->v = o->imm;
				pc++;
				break;
			case F_MOV64 | F_X:
				if (s->t == RP_BPF_REG_SCALAR) {
					d->t = RP_BPF_REG_SCALAR;
					d->v = s->v;
				} else if (s->t != RP_BPF_REG_NONE) {
					*d = *s;	/* a pointer */
				} else {
					goto general;
				}
				pc++;
				break;
			case F_MOV32:
				d->t = RP_BPF_REG_SCALAR;
				d->v = (uint32_t)o->imm;
				pc++;
				break;
			case F_MOV32 | F_X:
				if (s->t != RP_BPF_REG_SCALAR)
					goto general;
				d->t = RP_BPF_REG_SCALAR;
				d->v = (uint32_t)s->v;
				pc++;
				break;
			case F_JA:
				pc += 1 + (uint32_t)o->off;
				break;
			JMP(F_JEQ, a == b)
			JMP(F_JNE, a != b)
			JMP(F_JGT, a > b)
			JMP(F_JGE, a >= b)
			JMP(F_JLT, a < b)
			JMP(F_JLE, a <= b)
			JMP(F_JSGT, (int64_t)a > (int64_t)b)
			JMP(F_JSGE, (int64_t)a >= (int64_t)b)
			JMP(F_JSLT, (int64_t)a < (int64_t)b)
			JMP(F_JSLE, (int64_t)a <= (int64_t)b)
			JMP(F_JSET, (a & b) != 0)
			JMP(F_JMP32, cond(o->op, true, a, b))
			MEM(1)
			MEM(2)
			MEM(4)
			MEM(8)
			case F_LDIMM:
				d->t = RP_BPF_REG_SCALAR;
				d->v = o->imm;
				d->obj = NULL;
				pc += 2;
				break;
			case F_LDMAP:
				d->t = RP_BPF_REG_MAP;
				d->obj = code->ld_map[pc];
				d->v = 0;
				pc += 2;
				break;
			case F_CALL:
				/* the helper may fault, at this instruction */
				run->pc = pc;
				run->count = count + 1;
				if (!rp_bpf_call(run, (int32_t)o->imm,
				    code->helper[pc]))
					goto out;
				pc++;
				break;
			case F_EXIT:
				if (run->nframes > 1)
					goto general;	/* ret_sub() */
				run->pc = pc;
				run->count = count + 1;
				goto out;
			default:
				goto general;
			}
#undef ALU
#undef JMP
#undef MEM
			count++;
			continue;
		}
general:
		run->pc = pc;
		run->count = count;
		if (!step(run, budget, want_insns, &done) || done)
			break;
		pc = run->pc;
		count = run->count;
	}
out:
	while (run->nframes > 0)
		frame_put(run->st, run->frame[--run->nframes]);
	if (run->fault)
		return false;
	if (run->r[0].t != RP_BPF_REG_SCALAR) {
		run->pc = run->pc < code->len ? run->pc : code->len - 1;
		return rp_bpf_fault(run, "R-EBPF-13", run->r[0].t ==
		    RP_BPF_REG_NONE ? "exit with r0 never written" :
		    "exit with a pointer in r0");
	}
	*r0 = run->r[0].v;
	if (run->trace)
		rp_bpf_emit(run, &(struct rp_bpf_event){ .kind = RP_BPF_EV_EXIT,
		    .val = *r0, .count = run->count, .sock = run->selected !=
		    NULL ? run->selected->id : 0 });
	return true;
}

static void
run_init(struct rp_bpf_run *run, struct rp_state *st, struct rp_prog *prog)
{
	/* everything but the skb starts at 0: the registers unwritten */
	G_STATIC_ASSERT(RP_BPF_REG_NONE == 0);
	memset(run, 0, offsetof(struct rp_bpf_run, skb));
	run->st = st;
	run->prog = prog;
	run->code = prog->code;
	run->prog_type = prog->code->prog_type;
	run->trace = st->bpf_obs != NULL && st->bpf_obs->event != NULL;
}

static void
run_done(struct rp_bpf_run *run)
{
	if (run->skb_built)
		rp_skb_free(&run->skb);
}

/*
 * bpf_run_sk_reuseport() with an instruction program: the verdict, the
 * selected socket and the last bpf_sk_select_reuseport() result (0 when
 * not called).  On a fault *fault is set and the verdict is meaningless.
 * The caller is in an RCU read-side section.
 */
int
rp_bpf_run_reuseport(struct rp_state *st, struct rp_select_ctx *ctx,
    struct rp_group *g, struct rp_prog *prog, struct rp_sock **selected,
    int *helper_err, bool *fault)
{
	struct rp_bpf_run run;
	uint64_t r0 = 0;
	bool ok;

	g_assert(rp_rcu_read_held(st));	/* LCOV_EXCL_BR_LINE */
	run_init(&run, st, prog);
	run.sctx = ctx;
	run.reuseport_id = g->reuseport_id;
	run.bind_inany = g->bind_inany;
	run.pkt = ctx->pkt;
	run.raw_l4 = ctx->migrating != NULL;
	run.hash = ctx->hash;
	ok = interpret(&run, &r0);
	run_done(&run);
	*fault = !ok;
	*selected = run.selected;
	*helper_err = run.helper_err;
	if (ok)
		rp_rule(st, "R-EBPF-13", 0);
	/* KERNEL: enum sk_action: only SK_PASS (1) passes; r0 is a u32 */
	return ok ? (int)(uint32_t)r0 : RP_SK_DROP;
}

/*
 * A SOCKET_FILTER (eBPF or classic) program of a group: the index it
 * returns (run_bpf_filter()).  False after a fault.
 */
bool
rp_bpf_run_filter(struct rp_state *st, struct rp_select_ctx *ctx,
    struct rp_prog *prog, uint32_t *idx)
{
	struct rp_bpf_run run;
	uint64_t r0 = 0;
	bool ok;

	if (prog->ccode != NULL)
		return rp_cbpf_run(st, prog, ctx, idx);
	run_init(&run, st, prog);
	run.sctx = ctx;
	run.pkt = ctx->pkt;
	run.hash = ctx->hash;
	ok = interpret(&run, &r0);
	run_done(&run);
	*idx = (uint32_t)r0;
	return ok;
}

int
rp_prog_test_run(struct rp_state *st, unsigned proc, int progfd,
    const void *data, size_t len, struct rp_bpf_run_result *out)
{
	struct rp_proc *p = rp_proc_get(st, proc);
	struct rp_packet pkt = { .protocol = RP_IPPROTO_UDP };
	struct rp_select_ctx sctx = { .pkt = &pkt };
	struct rp_prog *prog;
	struct rp_bpf_run run;
	uint64_t r0 = 0;
	int err = 0;

	g_return_val_if_fail(out != NULL && (data != NULL || len == 0),
	    -EFAULT);
	if (p == NULL)
		return -ESRCH;
	prog = rp_prog_from_fd(st, p, progfd, &err);
	if (prog == NULL)
		return err;
	/* KERNEL: bpf_prog_test_run(): no test_run for SK_REUSEPORT */
	if (prog->code == NULL || prog->code->prog_type != SOCK_FILTER) {
		rp_prog_put(st, prog);
		return -RP_ENOTSUPP;
	}
	if (len < 14) {		/* bpf_prog_test_run_skb(): ETH_HLEN */
		rp_prog_put(st, prog);
		return -EINVAL;
	}
	memset(out, 0, sizeof(*out));
	rp_rcu_read_lock(st);
	run_init(&run, st, prog);
	run.sctx = &sctx;
	run.pkt = &pkt;
	/* KERNEL: bpf_prog_test_run_skb(): the frame with its Ethernet
	 * header, skb->data after it (eth_type_trans()) */
	run.skb.buf = g_memdup2(data, len);
	run.skb.len = len;
	run.skb.has_mac = true;
	run.skb.pending = NULL;
	run.skb.net = run.skb.l4 = run.skb.data = 14;
	run.skb.proto = (uint16_t)(((const uint8_t *)data)[12] << 8 |
	    ((const uint8_t *)data)[13]);
	run.skb_built = true;
	out->fault = !interpret(&run, &r0);
	run_done(&run);
	rp_rcu_read_unlock(st);
	out->retval = r0;
	out->insns = run.count;
	rp_prog_put(st, prog);
	rp_state_quiesce(st);
	return 0;
}

void
rp_state_set_insn_budget(struct rp_state *st, uint64_t insns)
{
	g_return_if_fail(st != NULL);
	st->insn_budget = insns;
}

void
rp_state_set_bpf_observer(struct rp_state *st,
    const struct rp_bpf_observer *obs, void *ud)
{
	g_return_if_fail(st != NULL);
	st->bpf_obs = obs;
	st->bpf_obs_ud = ud;
}

const char *
rp_bpf_event_kind_name(enum rp_bpf_event_kind k)
{
	static const char *const names[] = {
		[RP_BPF_EV_START] = "bpf_start",
		[RP_BPF_EV_INSN] = "bpf_insn",
		[RP_BPF_EV_BRANCH] = "bpf_branch",
		[RP_BPF_EV_CALL] = "bpf_call",
		[RP_BPF_EV_RET] = "bpf_ret",
		[RP_BPF_EV_MAP_READ] = "bpf_map_read",
		[RP_BPF_EV_MAP_WRITE] = "bpf_map_write",
		[RP_BPF_EV_PRINTK] = "bpf_printk",
		[RP_BPF_EV_EXIT] = "bpf_exit",
		[RP_BPF_EV_FAULT] = "bpf_fault",
		[RP_BPF_EV_SELECT] = "bpf_select",
	};

	if ((size_t)k < G_N_ELEMENTS(names) && names[k] != NULL)
		return names[k];
	return "?";
}
