/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * bpfasm.h - struct rp_insn and struct rp_sock_filter constructors for the
 * tests, the fuzzer and the benchmark: the encodings of the kernel's
 * BPF_ALU64_IMM() and friends (include/uapi/linux/bpf.h, filter.h),
 * written as this project's own macros.
 */
#ifndef BPFASM_H
#define BPFASM_H

#include "rp.h"

/* ALU operations and jump conditions (bits 4-7 of the opcode) */
enum {
	BA_ADD = 0x00, BA_SUB = 0x10, BA_MUL = 0x20, BA_DIV = 0x30,
	BA_OR = 0x40, BA_AND = 0x50, BA_LSH = 0x60, BA_RSH = 0x70,
	BA_NEG = 0x80, BA_MOD = 0x90, BA_XOR = 0xa0, BA_MOV = 0xb0,
	BA_ARSH = 0xc0, BA_END = 0xd0,
};
enum {
	BJ_JA = 0x00, BJ_JEQ = 0x10, BJ_JGT = 0x20, BJ_JGE = 0x30,
	BJ_JSET = 0x40, BJ_JNE = 0x50, BJ_JSGT = 0x60, BJ_JSGE = 0x70,
	BJ_JLT = 0xa0, BJ_JLE = 0xb0, BJ_JSLT = 0xc0, BJ_JSLE = 0xd0,
};
/* sizes (bits 3-4) */
enum { BS_W = 0x00, BS_H = 0x08, BS_B = 0x10, BS_DW = 0x18 };
/* atomic operations (imm) */
enum { BT_FETCH = 0x01, BT_XCHG = 0xe1, BT_CMPXCHG = 0xf1 };

#define BI(c, d, s, o, i) ((struct rp_insn){ .code = (uint8_t)(c),	\
	.dst_reg = (uint8_t)(d), .src_reg = (uint8_t)(s),		\
	.off = (int16_t)(o), .imm = (int32_t)(i) })

#define ALU64_IMM(op, d, i)	BI(0x07 | (op), d, 0, 0, i)
#define ALU64_REG(op, d, s)	BI(0x0f | (op), d, s, 0, 0)
#define ALU32_IMM(op, d, i)	BI(0x04 | (op), d, 0, 0, i)
#define ALU32_REG(op, d, s)	BI(0x0c | (op), d, s, 0, 0)
#define MOV64_IMM(d, i)		ALU64_IMM(BA_MOV, d, i)
#define MOV64_REG(d, s)		ALU64_REG(BA_MOV, d, s)
#define MOV32_IMM(d, i)		ALU32_IMM(BA_MOV, d, i)
#define MOV32_REG(d, s)		ALU32_REG(BA_MOV, d, s)
/* two instructions */
#define LD64(d, v)							\
	BI(0x18, d, 0, 0, (uint32_t)(uint64_t)(v)),			\
	BI(0x00, 0, 0, 0, (uint32_t)((uint64_t)(v) >> 32))
#define LD_MAP(d, fd)	BI(0x18, d, 1, 0, fd), BI(0x00, 0, 0, 0, 0)
#define LD_MAP_VALUE(d, fd, off) BI(0x18, d, 2, 0, fd), BI(0x00, 0, 0, 0, off)
#define LDX(sz, d, s, o)	BI(0x61 | (sz), d, s, o, 0)
#define LDSX(sz, d, s, o)	BI(0x81 | (sz), d, s, o, 0)
#define STX(sz, d, s, o)	BI(0x63 | (sz), d, s, o, 0)
#define ST(sz, d, o, i)		BI(0x62 | (sz), d, 0, o, i)
#define ATOMIC(sz, d, s, o, op)	BI(0xc3 | (sz), d, s, o, op)
#define JMP_IMM(op, d, i, o)	BI(0x05 | (op), d, 0, o, i)
#define JMP_REG(op, d, s, o)	BI(0x0d | (op), d, s, o, 0)
#define JMP32_IMM(op, d, i, o)	BI(0x06 | (op), d, 0, o, i)
#define JMP32_REG(op, d, s, o)	BI(0x0e | (op), d, s, o, 0)
#define JA(o)			BI(0x05, 0, 0, o, 0)
#define CALL(id)		BI(0x85, 0, 0, 0, id)
#define CALL_SUB(rel)		BI(0x85, 0, 1, 0, rel)
#define EXIT			BI(0x95, 0, 0, 0, 0)
#define LD_ABS(sz, i)		BI(0x20 | (sz), 0, 0, 0, i)
#define LD_IND(sz, s, i)	BI(0x40 | (sz), 0, s, 0, i)

/* classic */
#define CF(c, t, f, kk) ((struct rp_sock_filter){ .code = (uint16_t)(c),	\
	.jt = (uint8_t)(t), .jf = (uint8_t)(f), .k = (uint32_t)(kk) })
#define C_STMT(c, kk)		CF(c, 0, 0, kk)
#define C_LD_ABS(sz, kk)	C_STMT(0x20 | (sz), kk)
#define C_LD_IND(sz, kk)	C_STMT(0x40 | (sz), kk)
#define C_LD_LEN		C_STMT(0x80, 0)
#define C_LD_IMM(kk)		C_STMT(0x00, kk)
#define C_LD_MEM(kk)		C_STMT(0x60, kk)
#define C_LDX_IMM(kk)		C_STMT(0x01, kk)
#define C_LDX_MEM(kk)		C_STMT(0x61, kk)
#define C_LDX_LEN		C_STMT(0x81, 0)
#define C_LDX_MSH(kk)		C_STMT(0xb1, kk)
#define C_ST(kk)		C_STMT(0x02, kk)
#define C_STX(kk)		C_STMT(0x03, kk)
#define C_ALU_K(op, kk)		C_STMT(0x04 | (op), kk)
#define C_ALU_X(op)		C_STMT(0x0c | (op), 0)
#define C_NEG			C_STMT(0x84, 0)
#define C_JA(kk)		C_STMT(0x05, kk)
#define C_JMP_K(op, kk, t, f)	CF(0x05 | (op), t, f, kk)
#define C_JMP_X(op, t, f)	CF(0x0d | (op), t, f, 0)
#define C_RET_K(kk)		C_STMT(0x06, kk)
#define C_RET_A			C_STMT(0x16, 0)
#define C_TAX			C_STMT(0x07, 0)
#define C_TXA			C_STMT(0x87, 0)
#define C_SKF_AD_OFF		(-0x1000)

#endif /* BPFASM_H */
