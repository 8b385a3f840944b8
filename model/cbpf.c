/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * cbpf.c - classic BPF for SO_ATTACH_REUSEPORT_CBPF: the checks of
 * sk_reuseport_attach_filter() (__get_filter(), bpf_check_classic(),
 * chk_code_allowed(), check_load_and_stores() in net/core/filter.c) and
 * an interpreter with the semantics the kernel gives a classic program
 * once bpf_convert_filter() has turned it into eBPF: A and X start at 0,
 * a load outside the packet or a division by X == 0 returns 0, shifts by
 * X use X & 31, ancillary loads read the skb.  Same in 4.19 and 6.18.
 *
 * The packet is the skb after reuseport_select_sock() pulled hdr_len
 * bytes (skb.c): the UDP payload, the TCP payload after the options
 * (R-CBPF-3).  The return value is an index into socks[] (R-SEL-3).
 * Conversion limits (a converted program larger than optmem_max gives
 * -ENOMEM) are not modelled.
 */
#include <errno.h>
#include <string.h>

#include "rp-int.h"

/* classic opcodes (include/uapi/linux/filter.h; the encoding: rp.h) */
#define RVAL(c)		((c) & 0x18)	/* BPF_K 0x00, BPF_X 0x08, BPF_A 0x10 */
#define MISCOP(c)	((c) & 0xf8)	/* BPF_TAX 0x00, BPF_TXA 0x80 */

#define MEMWORDS	16		/* BPF_MEMWORDS */
#define MAXINSNS	4096		/* BPF_MAXINSNS */

/* ancillary loads: k = SKF_AD_OFF + what */
#define SKF_AD_OFF		(-0x1000)
#define SKF_AD_PROTOCOL		0
#define SKF_AD_PKTTYPE		4
#define SKF_AD_IFINDEX		8
#define SKF_AD_NLATTR		12
#define SKF_AD_NLATTR_NEST	16
#define SKF_AD_MARK		20
#define SKF_AD_QUEUE		24
#define SKF_AD_HATYPE		28
#define SKF_AD_RXHASH		32
#define SKF_AD_CPU		36
#define SKF_AD_ALU_XOR_X	40
#define SKF_AD_VLAN_TAG		44
#define SKF_AD_VLAN_TAG_PRESENT	48
#define SKF_AD_PAY_OFFSET	52
#define SKF_AD_RANDOM		56
#define SKF_AD_VLAN_TPID	60
#define SKF_AD_MAX		64
#define ARPHRD_LOOPBACK		772

/* chk_code_allowed(): the classic opcodes the kernel knows */
static bool
code_allowed(uint16_t code)
{
	static const uint16_t ok[] = {
		0x04, 0x0c, 0x14, 0x1c, 0x24, 0x2c, 0x34, 0x3c,	/* add..div */
		0x94, 0x9c, 0x54, 0x5c, 0x44, 0x4c, 0xa4, 0xac,	/* mod, and, or, xor */
		0x64, 0x6c, 0x74, 0x7c, 0x84,			/* lsh, rsh, neg */
		0x20, 0x28, 0x30, 0x80, 0x40, 0x48, 0x50,	/* ld abs, len, ind */
		0x00, 0x60,					/* ld imm, mem */
		0x81, 0xb1, 0x01, 0x61,				/* ldx len, msh, imm, mem */
		0x02, 0x03,					/* st, stx */
		0x07, 0x87,					/* tax, txa */
		0x06, 0x16,					/* ret k, ret a */
		0x05, 0x15, 0x1d, 0x35, 0x3d, 0x25, 0x2d,	/* ja, jeq, jge, jgt */
		0x45, 0x4d,					/* jset */
	};

	for (size_t i = 0; i < G_N_ELEMENTS(ok); i++)
		if (ok[i] == code)
			return true;
	return false;
}

static bool
is_cond_jump(uint16_t code)
{
	return RP_BPF_CLASS(code) == RP_BPF_JMP && RP_BPF_OP(code) != 0x00;
}

static bool
is_ancillary(uint32_t k)
{
	int64_t off = (int64_t)(int32_t)k - SKF_AD_OFF;

	return off >= 0 && off < SKF_AD_MAX && off % 4 == 0;
}

/*
 * check_load_and_stores(): every scratch word M[k] a load reads is stored
 * on every path that reaches it.  0 or -EINVAL.
 */
static int
check_mem(const struct rp_sock_filter *f, unsigned len)
{
	g_autofree uint16_t *masks = g_new(uint16_t, len);
	uint16_t valid = 0;

	memset(masks, 0xff, len * sizeof(*masks));
	for (unsigned pc = 0; pc < len; pc++) {
		valid &= masks[pc];
		switch (f[pc].code) {
		case RP_BPF_ST:
		case RP_BPF_STX:
			valid |= (uint16_t)(1u << f[pc].k);
			break;
		case RP_BPF_LD | RP_BPF_MEM:
		case RP_BPF_LDX | RP_BPF_MEM:
			if (!(valid & (1u << f[pc].k)))
				return -EINVAL;
			break;
		case RP_BPF_JMP:	/* ja */
			masks[pc + 1 + f[pc].k] &= valid;
			valid = 0xffff;
			break;
		default:
			if (is_cond_jump(f[pc].code)) {
				masks[pc + 1 + f[pc].jt] &= valid;
				masks[pc + 1 + f[pc].jf] &= valid;
				valid = 0xffff;
			}
			break;
		}
	}
	return 0;
}

/*
 * bpf_check_classic() as sk_reuseport_attach_filter() applies it
 * (R-CBPF-1, R-CBPF-2): 0, or -EINVAL with the rule reported.
 */
int
rp_cbpf_check(struct rp_state *st, const struct rp_sock_filter *f,
    unsigned len)
{
	/* KERNEL: bpf_check_basics_ok(): 1..BPF_MAXINSNS */
	if (f == NULL || len == 0 || len > MAXINSNS)
		return rp_rule(st, "R-CBPF-1", -EINVAL);
	for (unsigned pc = 0; pc < len; pc++) {
		const struct rp_sock_filter *in = &f[pc];

		if (!code_allowed(in->code))
			return rp_rule(st, "R-CBPF-1", -EINVAL);
		switch (in->code) {
		case RP_BPF_ALU | 0x30:	/* div k */
		case RP_BPF_ALU | 0x90:	/* mod k */
			if (in->k == 0)
				return rp_rule(st, "R-CBPF-1", -EINVAL);
			break;
		case RP_BPF_ALU | 0x60:	/* lsh k */
		case RP_BPF_ALU | 0x70:	/* rsh k */
			if (in->k >= 32)
				return rp_rule(st, "R-CBPF-1", -EINVAL);
			break;
		case RP_BPF_LD | RP_BPF_MEM:
		case RP_BPF_LDX | RP_BPF_MEM:
		case RP_BPF_ST:
		case RP_BPF_STX:
			if (in->k >= MEMWORDS)
				return rp_rule(st, "R-CBPF-1", -EINVAL);
			break;
		case RP_BPF_JMP:	/* ja: k may not leave the program */
			if (in->k >= len - pc - 1)
				return rp_rule(st, "R-CBPF-1", -EINVAL);
			break;
		case RP_BPF_LD | RP_BPF_ABS | RP_BPF_W:
		case RP_BPF_LD | RP_BPF_ABS | RP_BPF_H:
		case RP_BPF_LD | RP_BPF_ABS | RP_BPF_B:
			/* an unknown ancillary operation */
			if (in->k >= (uint32_t)SKF_AD_OFF && !is_ancillary(in->k))
				return rp_rule(st, "R-CBPF-1", -EINVAL);
			break;
		default:
			if (is_cond_jump(in->code) &&
			    (pc + in->jt + 1 >= len || pc + in->jf + 1 >= len))
				return rp_rule(st, "R-CBPF-1", -EINVAL);
			break;
		}
	}
	/* the last instruction returns */
	if (f[len - 1].code != (RP_BPF_RET | 0x00) && f[len - 1].code != (RP_BPF_RET | 0x10))
		return rp_rule(st, "R-CBPF-1", -EINVAL);
	if (check_mem(f, len) != 0)
		return rp_rule(st, "R-CBPF-2", -EINVAL);
	return 0;
}

/* nla_find() over [at, end) of the payload: the offset of the first
 * attribute of type x, or 0. */
static uint32_t
nla_find(const struct rp_skb *skb, size_t base, size_t at, size_t end,
    uint32_t x)
{
	while (end >= at + 4) {
		uint16_t nlen, type;

		memcpy(&nlen, skb->buf + at, 2);	/* host order */
		memcpy(&type, skb->buf + at + 2, 2);
		if (nlen < 4 || nlen > end - at)
			return 0;
		if ((type & 0x3fff) == x)		/* NLA_TYPE_MASK */
			return (uint32_t)(at - base);
		at += (nlen + 3u) & ~3u;		/* NLA_ALIGN */
	}
	return 0;
}

/* SKF_AD_NLATTR and SKF_AD_NLATTR_NEST (bpf_skb_get_nlattr{,_nest}()). */
static uint32_t
nlattr(const struct rp_skb *skb, size_t base, uint32_t a, uint32_t x,
    bool nest)
{
	size_t len = skb->len - base;
	uint16_t nlen;

	if (len < 4 || a > len - 4)
		return 0;
	if (!nest)
		return nla_find(skb, base, base + a, skb->len, x);
	memcpy(&nlen, skb->buf + base + a, 2);
	if (nlen > len - a || nlen < 4)
		return 0;
	return nla_find(skb, base, base + a + 4, base + a + nlen, x);
}

/*
 * An ancillary load (convert_bpf_extensions()): true with A's new value;
 * false when the model does not have the value (a fault).
 */
static bool
ancillary(struct rp_state *st, const struct rp_skb *skb, size_t base,
    uint32_t hash, uint32_t what, uint32_t *a, uint32_t x, const char **why)
{
	switch (what) {
	case SKF_AD_PROTOCOL:	*a = skb->proto; return true;	/* ntohs() */
	case SKF_AD_PKTTYPE:	*a = 0; return true;	/* PACKET_HOST */
	case SKF_AD_IFINDEX:	*a = 1; return true;	/* lo */
	case SKF_AD_HATYPE:	*a = ARPHRD_LOOPBACK; return true;
	case SKF_AD_MARK:	*a = 0; return true;
	case SKF_AD_QUEUE:	*a = 0; return true;
	case SKF_AD_RXHASH:	*a = hash; return true;
	case SKF_AD_CPU:	*a = st->cpu; return true;
	case SKF_AD_ALU_XOR_X:	*a ^= x; return true;
	case SKF_AD_VLAN_TAG:
	case SKF_AD_VLAN_TAG_PRESENT:
	case SKF_AD_VLAN_TPID:	*a = 0; return true;
	case SKF_AD_RANDOM:	*a = rp_bpf_prandom(st); return true;
	case SKF_AD_NLATTR:
	case SKF_AD_NLATTR_NEST:
		*a = nlattr(skb, base, *a, x, what == SKF_AD_NLATTR_NEST);
		return true;
	default:	/* SKF_AD_PAY_OFFSET: the flow dissector */
		*why = "SKF_AD_PAY_OFFSET (the flow dissector) is not modelled";
		return false;
	}
}

/* An event of a classic run for the program observer (explain), with A
 * in regs[0] and X in regs[1].  Only with an observer. */
static G_GNUC_NO_INLINE void
cbpf_event(struct rp_state *st, const struct rp_prog *prog, unsigned pc,
    struct rp_bpf_event *ev, uint32_t a, uint32_t x)
{
	struct rp_bpf_reg regs[11] = { { 0 } };

	regs[0] = (struct rp_bpf_reg){ RP_BPF_REG_SCALAR, a, 0 };
	regs[1] = (struct rp_bpf_reg){ RP_BPF_REG_SCALAR, x, 0 };
	ev->regs = regs;
	rp_bpf_note(st, prog->id, pc, ev);
}

/*
 * Run an attached classic program on ctx's packet: true with the
 * returned index; false after a fault (only what the model lacks).
 */
bool
rp_cbpf_run(struct rp_state *st, const struct rp_prog *prog,
    struct rp_select_ctx *ctx, uint32_t *ret)
{
	const struct rp_cbpf_code *c = prog->ccode;
	struct rp_skb skb;
	uint32_t a = 0, x = 0, mem[MEMWORDS] = { 0 }, v, src;
	const char *why = NULL, *ends = NULL;
	size_t base;
	unsigned pc = 0;
	uint64_t count = 0;
	bool ok = true;
	/* an observer of programs (explain) sees every instruction */
	bool trace = st->bpf_obs != NULL && st->bpf_obs->event != NULL,
	    want_insns = trace && st->bpf_obs->want_insns;

	rp_skb_build(st, &skb, ctx->pkt, ctx->migrating != NULL, false);
	base = rp_skb_payload(&skb);
	*ret = 0;
	if (G_UNLIKELY(trace))
		cbpf_event(st, prog, 0, &(struct rp_bpf_event){ .kind =
		    RP_BPF_EV_START, .val = RP_PROG_SOCKET_FILTER, .count =
		    c->len, .insns = c->insns, .name = "classic" }, a, x);
	for (;;) {
		const struct rp_sock_filter *in = &c->insns[pc];

		count++;
		if (G_UNLIKELY(want_insns))
			cbpf_event(st, prog, pc, &(struct rp_bpf_event){
			    .kind = RP_BPF_EV_INSN }, a, x);
		src = RP_BPF_SRC(in->code) ? x : in->k;
		switch (RP_BPF_CLASS(in->code)) {
		case RP_BPF_RET:
			*ret = RVAL(in->code) == 0x10 ? a : in->k;
			goto out;
		case RP_BPF_LD:
		case RP_BPF_LDX:
			switch (RP_BPF_MODE(in->code)) {
			case RP_BPF_IMM:
				v = in->k;
				break;
			case RP_BPF_MEM:
				v = mem[in->k];
				break;
			case RP_BPF_LEN:
				v = (uint32_t)(skb.len - base);
				break;
			case RP_BPF_MSH:	/* X = 4 * (P[k] & 0xf) */
				if (!rp_skb_load(&skb, base, (int32_t)in->k, 1,
				    &v)) {
					ends = "a load outside the packet "
					    "returns 0";
					goto out;
				}
				v = (v & 0xf) << 2;
				break;
			default:	/* ABS, IND */
				if (RP_BPF_MODE(in->code) == RP_BPF_ABS &&
				    is_ancillary(in->k)) {
					if (!ancillary(st, &skb, base, ctx->hash,
					    in->k - (uint32_t)SKF_AD_OFF, &a, x,
					    &why)) {
						ok = false;
						goto out;
					}
					pc++;
					continue;
				}
				if (!rp_skb_load(&skb, base, (int32_t)(in->k +
				    (RP_BPF_MODE(in->code) == RP_BPF_IND ? x : 0)),
				    RP_BPF_SIZE(in->code) == RP_BPF_W ? 4 :
				    RP_BPF_SIZE(in->code) == RP_BPF_H ? 2 : 1, &v)) {
					ends = "a load outside the packet "
					    "returns 0";
					goto out;
				}
				break;
			}
			if (RP_BPF_CLASS(in->code) == RP_BPF_LD)
				a = v;
			else
				x = v;
			break;
		case RP_BPF_ST:
			mem[in->k] = a;
			break;
		case RP_BPF_STX:
			mem[in->k] = x;
			break;
		case RP_BPF_MISC:
			if (MISCOP(in->code) == 0x00)
				x = a;	/* tax */
			else
				a = x;	/* txa */
			break;
		case RP_BPF_ALU:
			switch (RP_BPF_OP(in->code)) {
			case 0x00: a += src; break;
			case 0x10: a -= src; break;
			case 0x20: a *= src; break;
			case 0x30:
			case 0x90:
				/* KERNEL: bpf_convert_filter(): division by
				 * X == 0 returns 0 from the program */
				if (src == 0) {
					ends = "a division by zero returns 0";
					goto out;
				}
				a = RP_BPF_OP(in->code) == 0x30 ? a / src : a % src;
				break;
			case 0x40: a |= src; break;
			case 0x50: a &= src; break;
			case 0xa0: a ^= src; break;
			case 0x60: a <<= src & 31; break;
			case 0x70: a >>= src & 31; break;
			default:   a = 0 - a; break;	/* neg */
			}
			break;
		default:	/* RP_BPF_JMP */
			if (RP_BPF_OP(in->code) == 0x00) {
				pc += 1 + in->k;
				continue;
			}
			switch (RP_BPF_OP(in->code)) {
			case 0x10: v = a == src; break;
			case 0x20: v = a > src; break;
			case 0x30: v = a >= src; break;
			default:   v = (a & src) != 0; break;	/* jset */
			}
			if (G_UNLIKELY(trace))
				cbpf_event(st, prog, pc, &(struct
				    rp_bpf_event){ .kind = RP_BPF_EV_BRANCH,
				    .taken = v != 0, .target = pc + 1u + (v ?
				    in->jt : in->jf) }, a, x);
			pc += 1 + (v ? in->jt : in->jf);
			continue;
		}
		pc++;
	}
out:
	rp_skb_free(&skb);
	if (!ok) {
		rp_rule(st, "R-CBPF-7", -EFAULT);
		if (G_UNLIKELY(trace))
			cbpf_event(st, prog, pc, &(struct rp_bpf_event){
			    .kind = RP_BPF_EV_FAULT, .text = why,
			    .rule = "R-CBPF-7" }, a, x);
		rp_violation(st, "R-CBPF-7: classic program %u at insn %u: %s; "
		    "A=%#x X=%#x", prog->id, pc, why, a, x);
	} else if (G_UNLIKELY(trace)) {
		cbpf_event(st, prog, pc, &(struct rp_bpf_event){ .kind =
		    RP_BPF_EV_EXIT, .val = *ret, .count = count, .text = ends },
		    a, x);
	}
	return ok;
}
