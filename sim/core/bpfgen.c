/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * bpfgen.c - run-time generation of the BPF programs a policy describes
 * (see bpfgen.h).  A tiny assembler with forward labels emits eBPF; the
 * classic selector is three instructions.  Pinned to the Linux 6.18 ABI:
 * struct sk_reuseport_md with sk and migrating_sk (5.14+), helpers
 * sk_select_reuseport (82), skb_load_bytes (26), get_socket_cookie (46,
 * bpf_get_socket_ptr_cookie_proto for SK_REUSEPORT) and map_lookup_elem
 * (1, from bpf_base_func_proto).
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "core/bpfgen.h"

/*
 * The instruction encodings of the BPF ABI (uapi linux/bpf_common.h,
 * linux/bpf.h, linux/filter.h), spelt out so that this file builds
 * without the kernel's headers and both backends can use it: the model
 * runs what it emits in its interpreters, the live kernel loads it.
 */
/* classes */
#define BPF_LD		0x00
#define BPF_LDX		0x01
#define BPF_ST		0x02
#define BPF_STX		0x03
#define BPF_ALU		0x04
#define BPF_JMP		0x05
#define BPF_RET		0x06
#define BPF_JMP32	0x06	/* eBPF's class 6 (classic: RET) */
#define BPF_ALU64	0x07
/* sizes and modes */
#define BPF_W		0x00
#define BPF_H		0x08
#define BPF_B		0x10
#define BPF_DW		0x18
#define BPF_IMM		0x00
#define BPF_ABS		0x20
#define BPF_MEM		0x60
/* operations */
#define BPF_ADD		0x00
#define BPF_LSH		0x60
#define BPF_RSH		0x70
#define BPF_MOD		0x90
#define BPF_MOV		0xb0
#define BPF_END		0xd0
#define BPF_JA		0x00
#define BPF_JEQ		0x10
#define BPF_JNE		0x50
#define BPF_CALL	0x80
#define BPF_EXIT	0x90
/* sources */
#define BPF_K		0x00
#define BPF_X		0x08
#define BPF_A		0x10	/* classic RET: the accumulator */
#define BPF_TO_LE	0x00
#define BPF_TO_BE	0x08
#define BPF_PSEUDO_MAP_FD	1
/* helpers */
#define BPF_FUNC_map_lookup_elem	1
#define BPF_FUNC_skb_load_bytes		26
#define BPF_FUNC_get_socket_cookie	46
#define BPF_FUNC_sk_select_reuseport	82
/* struct __sk_buff: hash */
#define SKB_HASH_OFF	68
#define BPF_STMT(c_, k_) ((struct rp_sock_filter){ .code = (uint16_t)(c_), \
	.jt = 0, .jf = 0, .k = (uint32_t)(k_) })

/* ---------------------------------------------------------------------
 * The assembler
 */

enum {
	R0, R1, R2, R3, R4, R5, R6, R7, R8, R9, R10
};

#define NLABELS	8

typedef struct {
	GArray	*out;			/* struct rp_insn */
	guint	 base;			/* first instruction of this program */
	int	 label[NLABELS];	/* instruction index, -1 = not placed */
	gboolean used[NLABELS];		/* some jump goes there */
	GArray	*fix;			/* (insn index, label) pairs */
} Asm;

typedef struct {
	guint	insn;
	int	label;
} Fixup;

static void
asm_init(Asm *a, GArray *out)
{
	a->out = out;
	a->base = out->len;
	for (int i = 0; i < NLABELS; i++) {
		a->label[i] = -1;
		a->used[i] = FALSE;
	}
	a->fix = g_array_new(FALSE, FALSE, sizeof(Fixup));
}

/* Resolve the jumps; every label used must have been placed. */
static void
asm_finish(Asm *a)
{
	for (guint i = 0; i < a->fix->len; i++) {
		Fixup *f = &g_array_index(a->fix, Fixup, i);
		struct rp_insn *in = &g_array_index(a->out, struct rp_insn,
		    f->insn);

		g_assert(a->label[f->label] >= 0);
		in->off = (int16_t)(a->label[f->label] - (int)f->insn - 1);
	}
	g_array_unref(a->fix);
	a->fix = NULL;
}

static void
emit(Asm *a, uint8_t code, uint8_t dst, uint8_t src, int16_t off, int32_t imm)
{
	struct rp_insn in;

	memset(&in, 0, sizeof(in));
	in.code = code;
	in.dst_reg = dst & 0xf;
	in.src_reg = src & 0xf;
	in.off = off;
	in.imm = imm;
	g_array_append_val(a->out, in);
}

static void
place(Asm *a, int label)
{
	g_assert(label >= 0 && label < NLABELS && a->label[label] < 0);
	a->label[label] = (int)a->out->len;
}

/* A jump (code: BPF_JMP/BPF_JMP32 | op | BPF_K) to label. */
static void
jmp_imm(Asm *a, uint8_t code, uint8_t dst, int32_t imm, int label)
{
	Fixup f = { .insn = a->out->len, .label = label };

	a->used[label] = TRUE;
	emit(a, code, dst, 0, 0, imm);
	g_array_append_val(a->fix, f);
}

static void
jmp_always(Asm *a, int label)
{
	jmp_imm(a, BPF_JMP | BPF_JA, 0, 0, label);
}

static void
mov64_reg(Asm *a, uint8_t dst, uint8_t src)
{
	emit(a, BPF_ALU64 | BPF_MOV | BPF_X, dst, src, 0, 0);
}

static void
mov64_imm(Asm *a, uint8_t dst, int32_t imm)
{
	emit(a, BPF_ALU64 | BPF_MOV | BPF_K, dst, 0, 0, imm);
}

/* 32-bit move: the register gets imm zero-extended. */
static void
mov32_imm(Asm *a, uint8_t dst, uint32_t imm)
{
	emit(a, BPF_ALU | BPF_MOV | BPF_K, dst, 0, 0, (int32_t)imm);
}

static void
add64_imm(Asm *a, uint8_t dst, int32_t imm)
{
	emit(a, BPF_ALU64 | BPF_ADD | BPF_K, dst, 0, 0, imm);
}

static void
ldx(Asm *a, uint8_t size, uint8_t dst, uint8_t src, int16_t off)
{
	emit(a, BPF_LDX | size | BPF_MEM, dst, src, off, 0);
}

static void
stx(Asm *a, uint8_t size, uint8_t dst, uint8_t src, int16_t off)
{
	emit(a, BPF_STX | size | BPF_MEM, dst, src, off, 0);
}

static void
st_imm(Asm *a, uint8_t size, uint8_t dst, int16_t off, int32_t imm)
{
	emit(a, BPF_ST | size | BPF_MEM, dst, 0, off, imm);
}

static void
call(Asm *a, int32_t helper)
{
	emit(a, BPF_JMP | BPF_CALL, 0, 0, 0, helper);
}

static void
ld_map_fd(Asm *a, uint8_t dst, int fd)
{
	emit(a, BPF_LD | BPF_DW | BPF_IMM, dst, BPF_PSEUDO_MAP_FD, 0, fd);
	emit(a, 0, 0, 0, 0, 0);
}

/* ---------------------------------------------------------------------
 * Stack layout (offsets from r10; the verifier wants aligned accesses)
 */
#define FP_BYTES	(-8)	/* skb_load_bytes() buffer, 8 bytes */
#define FP_KEY		(-12)	/* u32 key for bpf_sk_select_reuseport() */
#define FP_OUTER	(-16)	/* u32 outer map key */
#define FP_COOKIE	(-24)	/* u64 migrate table key */
#define FP_STATS	(-28)	/* u32 statistics map key (0) */

enum {
	L_DROP, L_PASS, L_OUT, L_RET, L_HAVE_OFF, L_ERR,
};

/*
 * The statistics epilogue: stats[0] = { runs + 1, verdict (r7),
 * helper_err (r9), hash (loaded by hash_insn from ctx r6), selected (r8) },
 * then return r7.  hash_off < 0: store 0.
 */
static void
emit_stats_and_return(Asm *a, int stats_fd, int hash_off)
{
	st_imm(a, BPF_W, R10, FP_STATS, 0);
	ld_map_fd(a, R1, stats_fd);
	mov64_reg(a, R2, R10);
	add64_imm(a, R2, FP_STATS);
	call(a, BPF_FUNC_map_lookup_elem);
	jmp_imm(a, BPF_JMP | BPF_JEQ | BPF_K, R0, 0, L_RET);
	ldx(a, BPF_DW, R1, R0, offsetof(struct bpfgen_stats, runs));
	add64_imm(a, R1, 1);
	stx(a, BPF_DW, R0, R1, offsetof(struct bpfgen_stats, runs));
	stx(a, BPF_DW, R0, R7, offsetof(struct bpfgen_stats, verdict));
	stx(a, BPF_DW, R0, R9, offsetof(struct bpfgen_stats, helper_err));
	if (hash_off >= 0)
		ldx(a, BPF_W, R1, R6, (int16_t)hash_off);
	else
		mov64_imm(a, R1, 0);
	stx(a, BPF_W, R0, R1, offsetof(struct bpfgen_stats, hash));
	stx(a, BPF_W, R0, R8, offsetof(struct bpfgen_stats, selected));
	place(a, L_RET);
	mov64_reg(a, R0, R7);
	emit(a, BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
}

/*
 * bpf_skb_load_bytes(ctx r6, off in r2, fp + FP_BYTES, width) and on
 * failure jump to fail.  The caller has set r2.
 */
static void
emit_load_bytes(Asm *a, uint32_t width, int fail)
{
	mov64_reg(a, R1, R6);
	mov64_reg(a, R3, R10);
	add64_imm(a, R3, FP_BYTES);
	mov64_imm(a, R4, (int32_t)width);
	call(a, BPF_FUNC_skb_load_bytes);
	jmp_imm(a, BPF_JMP | BPF_JNE | BPF_K, R0, 0, fail);
}

static uint8_t
size_of_width(uint32_t width)
{
	return width == 1 ? BPF_B : width == 2 ? BPF_H : BPF_W;
}

/* A payload offset as an immediate; beyond 2^31 no packet reaches it. */
static int32_t
off_imm(uint32_t off)
{
	return off > 0x7fffffffu ? 0x7fffffff : (int32_t)off;
}

/*
 * r2 = the map the policy selects from: the map itself, or the inner map
 * found in slot outer_key of the outer map (jump to L_DROP when the slot
 * is empty).  Clobbers r0-r5.
 */
static void
emit_map_to_r2(Asm *a, const struct rp_policy *pol, int map_fd)
{
	if (!pol->via_outer) {
		ld_map_fd(a, R2, map_fd);
		return;
	}
	st_imm(a, BPF_W, R10, FP_OUTER, (int32_t)pol->outer_key);
	ld_map_fd(a, R1, map_fd);
	mov64_reg(a, R2, R10);
	add64_imm(a, R2, FP_OUTER);
	call(a, BPF_FUNC_map_lookup_elem);
	jmp_imm(a, BPF_JMP | BPF_JEQ | BPF_K, R0, 0, L_DROP);
	mov64_reg(a, R2, R0);
}

/* r7 = the key of the policy, or jump to L_DROP (bad payload, no entry). */
static void
emit_key(Asm *a, const struct rp_policy *pol, int migrate_fd)
{
	switch (pol->key_src) {
	case RP_KEY_CONST:
		mov32_imm(a, R7, pol->key_const);
		break;
	case RP_KEY_HASH:
		ldx(a, BPF_W, R7, R6, BPFGEN_MD_HASH);
		if (pol->hash_mod != 0)
			emit(a, BPF_ALU | BPF_MOD | BPF_K, R7, 0, 0,
			    (int32_t)pol->hash_mod);
		break;
	case RP_KEY_PAYLOAD:
		/* the payload starts after the L4 header: 8 bytes for UDP,
		 * doff * 4 (byte 12, high nibble) for TCP */
		ldx(a, BPF_W, R2, R6, BPFGEN_MD_IP_PROTOCOL);
		mov64_imm(a, R3, 8);
		jmp_imm(a, BPF_JMP | BPF_JNE | BPF_K, R2, RP_IPPROTO_TCP,
		    L_HAVE_OFF);
		mov64_imm(a, R2, 12);
		emit_load_bytes(a, 1, L_DROP);
		ldx(a, BPF_B, R3, R10, FP_BYTES);
		emit(a, BPF_ALU64 | BPF_RSH | BPF_K, R3, 0, 0, 4);
		emit(a, BPF_ALU64 | BPF_LSH | BPF_K, R3, 0, 0, 2);
		place(a, L_HAVE_OFF);
		mov64_reg(a, R2, R3);
		add64_imm(a, R2, off_imm(pol->off));
		emit_load_bytes(a, pol->width, L_DROP);
		ldx(a, size_of_width(pol->width), R7, R10, FP_BYTES);
		if (pol->width > 1)
			emit(a, BPF_ALU | BPF_END |
			    (pol->big_endian ? BPF_TO_BE : BPF_TO_LE), R7, 0,
			    0, (int32_t)(pol->width * 8));
		break;
	case RP_KEY_MIGRATE:
		/* key = migrate table[bpf_get_socket_cookie(ctx->sk)] */
		ldx(a, BPF_DW, R1, R6, BPFGEN_MD_SK);
		call(a, BPF_FUNC_get_socket_cookie);
		stx(a, BPF_DW, R10, R0, FP_COOKIE);
		ld_map_fd(a, R1, migrate_fd);
		mov64_reg(a, R2, R10);
		add64_imm(a, R2, FP_COOKIE);
		call(a, BPF_FUNC_map_lookup_elem);
		jmp_imm(a, BPF_JMP | BPF_JEQ | BPF_K, R0, 0, L_DROP);
		ldx(a, BPF_W, R7, R0, 0);
		break;
	}
}

int
bpfgen_sk_reuseport(const struct rp_policy *pol, int map_fd, int migrate_fd,
    int stats_fd, GArray *out)
{
	Asm a;

	g_return_val_if_fail(pol != NULL && out != NULL, -EINVAL);
	if (pol->key_src == RP_KEY_PAYLOAD && pol->width != 1 &&
	    pol->width != 2 && pol->width != 4)
		return -EINVAL;
	asm_init(&a, out);
	mov64_reg(&a, R6, R1);
	mov64_imm(&a, R8, 0);
	mov64_imm(&a, R9, 0);
	if (pol->always_drop) {
		/* SK_DROP at run time; the rest stays reachable for the
		 * verifier (a 32-bit len is never 0xffffffff, and the
		 * verifier cannot know), so map checks still apply */
		ldx(&a, BPF_W, R2, R6, BPFGEN_MD_LEN);
		jmp_imm(&a, BPF_JMP32 | BPF_JNE | BPF_K, R2, -1, L_DROP);
	}
	if (pol->always_pass && map_fd < 0) {
		jmp_always(&a, L_PASS);		/* SK_PASS, nothing selected */
	} else if (pol->always_pass) {
		/* SK_PASS without selecting, as the model's policy run does
		 * (rp_policy.always_pass); the selection below stays
		 * reachable for the verifier, as for always_drop */
		ldx(&a, BPF_W, R2, R6, BPFGEN_MD_LEN);
		jmp_imm(&a, BPF_JMP32 | BPF_JNE | BPF_K, R2, -1, L_PASS);
	}
	if (pol->migrate_only) {
		/* a normal packet (migrating_sk NULL) passes unselected */
		ldx(&a, BPF_DW, R2, R6, BPFGEN_MD_MIGRATING_SK);
		jmp_imm(&a, BPF_JMP | BPF_JEQ | BPF_K, R2, 0, L_PASS);
	}
	emit_key(&a, pol, migrate_fd);
	stx(&a, BPF_W, R10, R7, FP_KEY);
	if (map_fd < 0 && (pol->always_drop || pol->migrate_only ||
	    pol->always_pass)) {
		jmp_always(&a, L_DROP);		/* nothing to select from */
	} else {
		if (map_fd >= 0 && pol->bad_helper) {
			/* bpf_map_lookup_elem() on the selection map: the
			 * verifier refuses a sockarray here (EINVAL) */
			emit_map_to_r2(&a, pol, map_fd);
			mov64_reg(&a, R1, R2);
			mov64_reg(&a, R2, R10);
			add64_imm(&a, R2, FP_KEY);
			call(&a, BPF_FUNC_map_lookup_elem);
		}
		if (map_fd >= 0)
			emit_map_to_r2(&a, pol, map_fd);
		else
			mov64_imm(&a, R2, 0);	/* no map: the verifier refuses */
		mov64_reg(&a, R1, R6);
		mov64_reg(&a, R3, R10);
		add64_imm(&a, R3, FP_KEY);
		mov64_imm(&a, R4, 0);
		call(&a, BPF_FUNC_sk_select_reuseport);
		mov64_reg(&a, R9, R0);
		jmp_imm(&a, BPF_JMP | BPF_JNE | BPF_K, R0, 0, L_ERR);
		mov64_imm(&a, R8, 1);
		jmp_always(&a, L_PASS);
		place(&a, L_ERR);
		jmp_always(&a, pol->pass_on_error ? L_PASS : L_DROP);
	}
	/* the verdicts; the code above never falls through to here, and a
	 * block nothing jumps to would be an "unreachable insn" */
	if (a.used[L_PASS]) {
		place(&a, L_PASS);
		mov64_imm(&a, R7, RP_SK_PASS);
		jmp_always(&a, L_OUT);
	}
	if (a.used[L_DROP]) {
		place(&a, L_DROP);
		mov64_imm(&a, R7, RP_SK_DROP);
	}
	place(&a, L_OUT);
	emit_stats_and_return(&a, stats_fd, BPFGEN_MD_HASH);
	asm_finish(&a);
	return 0;
}

int
bpfgen_socket_filter(const struct rp_policy *pol, int map_fd, int stats_fd,
    GArray *out)
{
	Asm a;

	g_return_val_if_fail(pol != NULL && out != NULL, -EINVAL);
	asm_init(&a, out);
	mov64_reg(&a, R6, R1);
	mov64_imm(&a, R8, 0);
	mov64_imm(&a, R9, 0);
	if (map_fd >= 0) {
		/* a filter that selects from a map calls the helper, which
		 * only SK_REUSEPORT programs get: the verifier refuses */
		st_imm(&a, BPF_W, R10, FP_KEY, (int32_t)pol->key_const);
		mov64_reg(&a, R1, R6);
		ld_map_fd(&a, R2, map_fd);
		mov64_reg(&a, R3, R10);
		add64_imm(&a, R3, FP_KEY);
		mov64_imm(&a, R4, 0);
		call(&a, BPF_FUNC_sk_select_reuseport);
	}
	if (pol->key_src == RP_KEY_PAYLOAD) {
		/* skb->data is at the payload: the L4 header was pulled */
		mov64_imm(&a, R7, 0);
		mov64_imm(&a, R2, off_imm(pol->off));
		emit_load_bytes(&a, 4, L_OUT);
		ldx(&a, BPF_W, R7, R10, FP_BYTES);
		emit(&a, BPF_ALU | BPF_END | BPF_TO_BE, R7, 0, 0, 32);
		if (pol->hash_mod != 0)
			emit(&a, BPF_ALU | BPF_MOD | BPF_K, R7, 0, 0,
			    (int32_t)pol->hash_mod);
	} else {
		mov32_imm(&a, R7, pol->key_const);
	}
	place(&a, L_OUT);
	emit_stats_and_return(&a, stats_fd, SKB_HASH_OFF);
	asm_finish(&a);
	return 0;
}

void
bpfgen_trivial(GArray *out)
{
	Asm a;

	asm_init(&a, out);
	mov64_imm(&a, R0, 0);
	emit(&a, BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
	asm_finish(&a);
}

void
bpfgen_cbpf(const struct rp_cbpf *cbpf, GArray *out)
{
	struct rp_sock_filter prog[3];
	guint n = 0, want;

	g_return_if_fail(cbpf != NULL && out != NULL);
	if (cbpf->payload_index) {
		prog[n++] = BPF_STMT(BPF_LD | BPF_W |
		    BPF_ABS, cbpf->off);
		if (cbpf->mod != 0)
			prog[n++] = BPF_STMT(BPF_ALU |
			    BPF_MOD | BPF_K, cbpf->mod);
		prog[n++] = BPF_STMT(BPF_RET | BPF_A, 0);
	} else {
		prog[n++] = BPF_STMT(BPF_RET | BPF_K,
		    cbpf->k);
	}
	if (cbpf->empty)
		return;		/* the kernel refuses an empty filter */
	want = cbpf->insn_count != 0 ? cbpf->insn_count : 4;
	if (want > 65535)
		want = 65535;
	for (guint i = n; i < want; i++) {
		struct rp_sock_filter pad = BPF_STMT(BPF_LDX | BPF_W | BPF_IMM, 0);

		g_array_append_val(out, pad);
	}
	g_array_append_vals(out, prog, n);
}
