/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * bpfdis.c - an eBPF disassembler for explain (bpfdis.h).  One table
 * gives the text of every operation (ALU, jump condition, atomic, access
 * size); the printer only places registers and operands around it.
 */
#include "core/bpfdis.h"

/* the size field as an index: 0 W, 1 H, 2 B, 3 DW (the encoding: rp.h) */
#define SIZE_IDX(c)	(RP_BPF_SIZE(c) >> 3)

/* The table: one row per operation, by kind and opcode bits. */
typedef enum { T_ALU, T_JMP, T_ATOMIC, T_SIZE } TKind;

static const struct {
	TKind		 kind;
	guint32		 op;
	const char	*text;		/* T_ALU: "+=" (off 1: signed "s/=") */
	const char	*alt;		/* T_ALU: with off != 0; T_SIZE: signed */
} ops[] = {
	{ T_ALU, 0x00, "+=", NULL },	{ T_ALU, 0x10, "-=", NULL },
	{ T_ALU, 0x20, "*=", NULL },	{ T_ALU, 0x30, "/=", "s/=" },
	{ T_ALU, 0x40, "|=", NULL },	{ T_ALU, 0x50, "&=", NULL },
	{ T_ALU, 0x60, "<<=", NULL },	{ T_ALU, 0x70, ">>=", NULL },
	{ T_ALU, 0x80, "= -", NULL },	{ T_ALU, 0x90, "%=", "s%=" },
	{ T_ALU, 0xa0, "^=", NULL },	{ T_ALU, 0xb0, "=", NULL },
	{ T_ALU, 0xc0, "s>>=", NULL },	{ T_ALU, 0xd0, "be", "le" },
	{ T_JMP, 0x10, "==", NULL },	{ T_JMP, 0x20, ">", NULL },
	{ T_JMP, 0x30, ">=", NULL },	{ T_JMP, 0x40, "&", NULL },
	{ T_JMP, 0x50, "!=", NULL },	{ T_JMP, 0x60, "s>", NULL },
	{ T_JMP, 0x70, "s>=", NULL },	{ T_JMP, 0xa0, "<", NULL },
	{ T_JMP, 0xb0, "<=", NULL },	{ T_JMP, 0xc0, "s<", NULL },
	{ T_JMP, 0xd0, "s<=", NULL },
	{ T_ATOMIC, 0x00, "add", NULL },	{ T_ATOMIC, 0x40, "or", NULL },
	{ T_ATOMIC, 0x50, "and", NULL },	{ T_ATOMIC, 0xa0, "xor", NULL },
	{ T_ATOMIC, 0xe0, "xchg", NULL },	{ T_ATOMIC, 0xf0, "cmpxchg",
	    NULL },
	{ T_SIZE, 0, "u32", "s32" },	{ T_SIZE, 1, "u16", "s16" },
	{ T_SIZE, 2, "u8", "s8" },	{ T_SIZE, 3, "u64", "s64" },
};

static const char *
row(TKind kind, guint32 op, gboolean alt)
{
	for (guint i = 0; i < G_N_ELEMENTS(ops); i++)
		if (ops[i].kind == kind && ops[i].op == op)
			return alt && ops[i].alt != NULL ? ops[i].alt :
			    ops[i].text;
	return NULL;
}

/* "(r1 +16)" */
static void
mem(GString *o, guint8 code, gboolean sx, guint reg, gint16 off)
{
	g_string_append_printf(o, "*(%s *)(r%u %+d)", row(T_SIZE, SIZE_IDX(code),
	    sx), reg, off);
}

static gboolean
alu(GString *o, const struct rp_insn *in)
{
	gboolean is64 = RP_BPF_CLASS(in->code) == RP_BPF_ALU64;
	char r = is64 ? 'r' : 'w';
	guint32 op = RP_BPF_OP(in->code);
	const char *t = row(T_ALU, op, in->off != 0);

	if (t == NULL)
		return FALSE;
	if (op == 0xd0) {	/* byte swaps: be16 r1, bswap32 r1 (ALU64) */
		g_string_append_printf(o, "r%u = %s%d r%u", in->dst_reg,
		    is64 ? "bswap" : RP_BPF_SRC(in->code) ? "be" : "le", in->imm,
		    in->dst_reg);
		return TRUE;
	}
	if (op == 0x80) {
		g_string_append_printf(o, "%c%u = -%c%u", r, in->dst_reg, r,
		    in->dst_reg);
		return TRUE;
	}
	g_string_append_printf(o, "%c%u %s ", r, in->dst_reg, t);
	if (op == 0xb0 && in->off != 0)	/* movsx */
		g_string_append_printf(o, "(s%d)", in->off);
	if (RP_BPF_SRC(in->code))
		g_string_append_printf(o, "%c%u", r, in->src_reg);
	else
		g_string_append_printf(o, "%d", in->imm);
	return TRUE;
}

static gboolean
jmp(GString *o, const struct rp_insn *in, guint32 pc)
{
	gboolean j32 = RP_BPF_CLASS(in->code) == RP_BPF_JMP32;
	guint32 op = RP_BPF_OP(in->code);
	const char *t;

	switch (op) {
	case 0x00:	/* JA; JMP32: gotol, the offset in imm */
		g_string_append_printf(o, "goto %d", (gint32)pc + 1 +
		    (j32 ? in->imm : in->off));
		return TRUE;
	case 0x80:
		if (j32)
			return FALSE;
		if (in->src_reg == 1)	/* BPF_PSEUDO_CALL */
			g_string_append_printf(o, "call %d", (gint32)pc + 1 +
			    in->imm);
		else
			g_string_append_printf(o, "call bpf_%s#%d",
			    rp_bpf_helper_name(in->imm), in->imm);
		return TRUE;
	case 0x90:
		if (j32)
			return FALSE;
		g_string_append(o, "exit");
		return TRUE;
	default:
		break;
	}
	if ((t = row(T_JMP, op, FALSE)) == NULL)
		return FALSE;
	g_string_append_printf(o, "if %c%u %s ", j32 ? 'w' : 'r', in->dst_reg,
	    t);
	if (RP_BPF_SRC(in->code))
		g_string_append_printf(o, "%c%u", j32 ? 'w' : 'r', in->src_reg);
	else
		g_string_append_printf(o, "%#x", (guint32)in->imm);
	g_string_append_printf(o, " goto %d", (gint32)pc + 1 + in->off);
	return TRUE;
}

static gboolean
atomic(GString *o, const struct rp_insn *in)
{
	gboolean fetch = (in->imm & 0x01) != 0;
	const char *t = row(T_ATOMIC, (guint32)in->imm & 0xf0, FALSE);
	const char *sz = row(T_SIZE, SIZE_IDX(in->code), FALSE);

	if (t == NULL || (in->imm & ~0xf1) != 0 || SIZE_IDX(in->code) == 1 ||
	    SIZE_IDX(in->code) == 2)
		return FALSE;
	if ((in->imm & 0xf0) == 0xf0) {
		g_string_append_printf(o, "r0 = cmpxchg((%s *)(r%u %+d), r0, "
		    "r%u)", sz, in->dst_reg, in->off, in->src_reg);
		return fetch;
	}
	if ((in->imm & 0xf0) == 0xe0) {
		g_string_append_printf(o, "r%u = xchg((%s *)(r%u %+d), r%u)",
		    in->src_reg, sz, in->dst_reg, in->off, in->src_reg);
		return fetch;
	}
	if (fetch)
		g_string_append_printf(o, "r%u = atomic_fetch_%s((%s *)(r%u "
		    "%+d), r%u)", in->src_reg, t, sz, in->dst_reg, in->off,
		    in->src_reg);
	else
		g_string_append_printf(o, "lock *(%s *)(r%u %+d) %s= r%u", sz,
		    in->dst_reg, in->off, (in->imm & 0xf0) == 0 ? "+" :
		    (in->imm & 0xf0) == 0x40 ? "|" : (in->imm & 0xf0) == 0x50 ?
		    "&" : "^", in->src_reg);
	return TRUE;
}

static gboolean
ld(GString *o, const struct rp_insn *insns, guint32 n, guint32 pc,
    const char *map)
{
	const struct rp_insn *in = &insns[pc];
	guint64 v;

	if (RP_BPF_MODE(in->code) == RP_BPF_ABS || RP_BPF_MODE(in->code) == RP_BPF_IND) {
		g_string_append_printf(o, "r0 = *(%s *)skb[", row(T_SIZE,
		    SIZE_IDX(in->code), FALSE));
		if (RP_BPF_MODE(in->code) == RP_BPF_IND)
			g_string_append_printf(o, "r%u + ", in->src_reg);
		g_string_append_printf(o, "%d]", in->imm);
		return TRUE;
	}
	if (in->code != 0x18 || pc + 1 >= n)
		return FALSE;
	v = (guint32)in->imm | (guint64)(guint32)insns[pc + 1].imm << 32;
	switch (in->src_reg) {
	case 1:		/* BPF_PSEUDO_MAP_FD */
		if (map != NULL)
			g_string_append_printf(o, "r%u = map[%s] ll",
			    in->dst_reg, map);
		else
			g_string_append_printf(o, "r%u = map[fd %d] ll",
			    in->dst_reg, in->imm);
		return TRUE;
	case 2:		/* BPF_PSEUDO_MAP_VALUE */
		if (map != NULL)
			g_string_append_printf(o, "r%u = map_value[%s]%+d ll",
			    in->dst_reg, map, insns[pc + 1].imm);
		else
			g_string_append_printf(o, "r%u = map_value[fd %d]%+d ll",
			    in->dst_reg, in->imm, insns[pc + 1].imm);
		return TRUE;
	case 0:
		g_string_append_printf(o, "r%u = %#" G_GINT64_MODIFIER "x ll",
		    in->dst_reg, v);
		return TRUE;
	default:
		return FALSE;
	}
}

/* Is pc the upper half of an LD_IMM64?  An upper half has opcode 0,
 * which no other instruction has, after a 0x18. */
static gboolean
upper_half(const struct rp_insn *insns, guint32 pc)
{
	return pc > 0 && insns[pc - 1].code == 0x18 && insns[pc].code == 0;
}

void
sim_bpf_disasm(const struct rp_insn *insns, guint32 n, guint32 pc,
    const char *map, GString *out)
{
	const struct rp_insn *in;
	gsize len = out->len;
	gboolean ok = FALSE;

	g_return_if_fail(insns != NULL && pc < n && out != NULL);
	in = &insns[pc];
	if (upper_half(insns, pc)) {
		g_string_append(out, "(ld_imm64 upper half)");
		return;
	}
	switch (RP_BPF_CLASS(in->code)) {
	case RP_BPF_ALU:
	case RP_BPF_ALU64:
		ok = alu(out, in);
		break;
	case RP_BPF_JMP:
	case RP_BPF_JMP32:
		ok = jmp(out, in, pc);
		break;
	case RP_BPF_LD:
		ok = ld(out, insns, n, pc, map);
		break;
	case RP_BPF_LDX:
		ok = RP_BPF_MODE(in->code) == RP_BPF_MEM || RP_BPF_MODE(in->code) == RP_BPF_MEMSX;
		if (ok) {
			g_string_append_printf(out, "r%u = ", in->dst_reg);
			mem(out, in->code, RP_BPF_MODE(in->code) == RP_BPF_MEMSX,
			    in->src_reg, in->off);
		}
		break;
	case RP_BPF_ST:
		ok = RP_BPF_MODE(in->code) == RP_BPF_MEM;
		if (ok) {
			mem(out, in->code, FALSE, in->dst_reg, in->off);
			g_string_append_printf(out, " = %d", in->imm);
		}
		break;
	default:	/* RP_BPF_STX */
		if (RP_BPF_MODE(in->code) == RP_BPF_ATOMIC) {
			ok = atomic(out, in);
			break;
		}
		ok = RP_BPF_MODE(in->code) == RP_BPF_MEM;
		if (ok) {
			mem(out, in->code, FALSE, in->dst_reg, in->off);
			g_string_append_printf(out, " = r%u", in->src_reg);
		}
		break;
	}
	if (!ok) {
		g_string_truncate(out, len);
		g_string_append_printf(out, ".insn %#04x dst r%u src r%u off %d "
		    "imm %d", in->code, in->dst_reg, in->src_reg, in->off,
		    in->imm);
	}
}
