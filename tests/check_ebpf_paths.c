/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * check_ebpf_paths.c - the interpreter (model/ebpf.c) over every
 * instruction class against every kind of operand a register can hold:
 * nothing, a number, zero, the context, the stack, the packet and its end,
 * a map, a map value, a socket.  Every program runs twice, without and
 * with a BPF observer; the observer sends every instruction through the
 * general path, so the fast cases must give the same verdict, socket and
 * fault message.  Where docs/SPEC.md says what must happen (R-EBPF-2,
 * R-EBPF-5, R-EBPF-6, R-EBPF-7, R-EBPF-10, R-EBPF-11) the test checks
 * that rule at that instruction; elsewhere the two paths must agree.
 * Then every offset and width of the contexts (R-CTX-5, R-CTX-6,
 * R-CTX-8), the instructions with reserved fields (R-EBPF-2), and the
 * argument checks of every helper (R-EBPF-17).
 */
#include <errno.h>
#include <string.h>

#include <check.h>
#include <glib.h>

#include "bpfasm.h"
#include "rp-int.h"
#include "testutil.h"

#define PORT	42000

/* ---------------------------------------------------------------------
 * The fixture: a UDP group of two, maps of each kind, one program at a
 * time
 */

struct fx {
	struct rp_state	*st;
	const struct rp_profile *prof;
	int		 fds[2];
	int		 sockarray;
	int		 arr;		/* ARRAY, 4 entries of 8 bytes */
	int		 pcpu;		/* PERCPU_ARRAY */
	int		 hash;		/* HASH, 4-byte keys */
	int		 outer;		/* ARRAY_OF_MAPS holding sockarray */
	int		 ro, wo;	/* RDONLY_PROG, WRONLY_PROG arrays (5.2+) */
	int		 sockhash;	/* with them */
};

static void
fx_init(struct fx *f, int row, int family)
{
	memset(f, 0, sizeof(*f));
	f->st = tu_state_row(row);
	f->prof = tu_prof(row);
	f->sockarray = tu_sockarray(f->st, 0, 8, 4);
	for (int i = 0; i < 2; i++) {
		f->fds[i] = tu_reuse_sock(f->st, 0, family, RP_SOCK_DGRAM, 1,
		    PORT);
		ck_assert_int_eq(rp_map_update(f->st, 0, f->sockarray,
		    (uint32_t)i, (uint64_t)f->fds[i], RP_BPF_ANY), 0);
	}
	f->arr = tu_map(f->st, 0, RP_MAP_ARRAY, 8, 4, 0, -1);
	f->pcpu = tu_map(f->st, 0, RP_MAP_PERCPU_ARRAY, 8, 2, 0, -1);
	f->hash = tu_map(f->st, 0, RP_MAP_HASH, 8, 4, 0, -1);
	f->outer = tu_map(f->st, 0, RP_MAP_ARRAY_OF_MAPS, 4, 1, 0,
	    f->sockarray);
	ck_assert_int_eq(rp_map_update(f->st, 0, f->outer, 0,
	    (uint64_t)f->sockarray, RP_BPF_ANY), 0);
	f->ro = f->wo = f->sockhash = -1;
	if (f->prof->allowed_map_flags & RP_BPF_F_RDONLY_PROG) {
		f->ro = tu_map(f->st, 0, RP_MAP_ARRAY, 8, 1,
		    RP_BPF_F_RDONLY_PROG, -1);
		f->wo = tu_map(f->st, 0, RP_MAP_ARRAY, 8, 1,
		    RP_BPF_F_WRONLY_PROG, -1);
		f->sockhash = tu_map(f->st, 0, RP_MAP_SOCKHASH, 8, 4, 0, -1);
	}
}

/*
 * The switches a sweep's programs read, as bits (md->sk: the kind K_SOCK
 * and the context's size): a sweep runs once for each combination of them
 * that the profile table has (tu_nkinds(), tu_kind_row()).
 */
static unsigned
alu_key(const struct rp_profile *p)
{
	return (unsigned)p->expected_attach | (unsigned)p->bpf_cpuv4 << 1;
}

static unsigned
jmp_key(const struct rp_profile *p)
{
	return (unsigned)p->expected_attach | (unsigned)p->bpf_jmp32 << 1;
}

static unsigned
mem_key(const struct rp_profile *p)
{
	return (unsigned)p->expected_attach | (unsigned)p->bpf_atomics << 1 |
	    (unsigned)p->bpf_cpuv4 << 2;
}

static unsigned
ctx_key(const struct rp_profile *p)
{
	return (unsigned)p->expected_attach |
	    (unsigned)p->bpf_ctx_narrow_any << 1;
}

static unsigned	/* what decode_cases[] and the reserved fields read */
decode_key(const struct rp_profile *p)
{
	return (unsigned)p->bpf_jmp32 | (unsigned)p->bpf_atomics << 1 |
	    (unsigned)p->bpf_cpuv4 << 2;
}

static unsigned	/* a kernel version's build variants (rows of one
		 * bpf_version) differ in socket-layer switches only */
version_key(const struct rp_profile *p)
{
	return p->bpf_version;
}

static unsigned	/* the __sk_buff checks (model/skb.c) read no switch */
skb_key(const struct rp_profile *p)
{
	(void)p;
	return 0;
}

/* Where a case applies: the profile switch it is about. */
enum need {
	ALL,
	CPUV4,		/* bpf_cpuv4 (6.6) */
	NO_CPUV4,
	JMP32,		/* bpf_jmp32 (5.1) */
	ATOMICS,	/* bpf_atomics (5.12) */
	NO_ATOMICS,
	MD_SK,		/* expected_attach: md->sk, socket cookie (5.14) */
	SOCKMAP_UPD,	/* bpf_sockmap_update (5.10) and the fixture's
			 * sockhash */
	SOCKHASH,	/* the fixture's sockhash and RDONLY_PROG map */
	PERCPU_LOOKUP,	/* bpf_map_lookup_percpu_elem (5.19) */
};

static bool
applies(const struct fx *f, enum need n)
{
	const struct rp_profile *p = f->prof;

	switch (n) {
	case ALL:		return true;
	case CPUV4:		return p->bpf_cpuv4;
	case NO_CPUV4:		return !p->bpf_cpuv4;
	case JMP32:		return p->bpf_jmp32;
	case ATOMICS:		return p->bpf_atomics;
	case NO_ATOMICS:	return !p->bpf_atomics;
	case MD_SK:		return p->expected_attach;
	case SOCKMAP_UPD:	return p->bpf_sockmap_update &&
				    f->sockhash >= 0;
	case SOCKHASH:		return f->sockhash >= 0;
	case PERCPU_LOOKUP:	return p->bpf_version >= RP_KVER(5, 19);
	}
	return false;
}

static void
fx_done(struct fx *f)
{
	tu_state_done(f->st);
}

struct outcome {
	int		 load;		/* the load's result (< 0: refused) */
	struct rp_delivery d;
	char		*why;		/* the violation, or NULL */
};

static void
outcome_clear(struct outcome *o)
{
	g_free(o->why);
	memset(o, 0, sizeof(*o));
}

static void
ignore_event(void *ud, const struct rp_bpf_event *ev)
{
	(void)ud;
	(void)ev;
}

static const struct rp_bpf_observer observe_all = {
	.event = ignore_event, .want_insns = true,
};

/* The maps a program writes start each run as they were. */
static void
fx_reset(struct fx *f)
{
	static const uint8_t zero[8] = { 0 };

	for (uint32_t k = 0; k < 4; k++)
		ck_assert_int_eq(rp_map_update_elem(f->st, 0, f->arr, &k, zero,
		    RP_BPF_ANY), 0);
}

static void
send_once(struct fx *f, struct outcome *o)
{
	static const uint8_t pay[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	struct rp_packet pkt = { .protocol = RP_IPPROTO_UDP, .payload = pay,
	    .len = sizeof(pay), .has_hash = true, .hash = 1 };
	struct rp_sock_info si;
	int family;

	ck_assert_int_eq(rp_sock_info(f->st, rp_fd_sock(f->st, 0, f->fds[0]),
	    &si), 0);
	family = si.family;
	pkt.src = tu_addr(family, 1, 5555);
	pkt.dst = tu_addr(family, 1, PORT);
	fx_reset(f);
	memset(&o->d, 0, sizeof(o->d));
	ck_assert_int_eq(rp_send(f->st, 0, &pkt, &o->d), 0);
	o->why = rp_state_take_violation(f->st);
	ck_assert_msg(o->d.prog_fault == (o->why != NULL), "fault %d, "
	    "violation %s", o->d.prog_fault, o->why != NULL ? o->why : "none");
}

/*
 * Load p as the group's SK_REUSEPORT program and send one datagram,
 * then again with an observer; the two must agree.  The first outcome
 * is returned.
 */
static void
run_prog(struct fx *f, const struct rp_insn *p, size_t n, struct outcome *o)
{
	struct rp_prog_insns_attr a = { .prog_type = RP_PROG_SK_REUSEPORT,
	    .insns = p, .insn_cnt = (uint32_t)n };
	struct outcome g;
	int fd;

	memset(o, 0, sizeof(*o));
	memset(&g, 0, sizeof(g));
	fd = rp_prog_load_insns(f->st, 0, &a);
	o->load = fd < 0 ? fd : 0;
	if (fd < 0)
		return;
	ck_assert_int_eq(rp_attach_ebpf(f->st, 0, f->fds[0], fd), 0);
	ck_assert_int_eq(rp_close(f->st, 0, fd), 0);
	send_once(f, o);
	rp_state_set_bpf_observer(f->st, &observe_all, NULL);
	send_once(f, &g);
	rp_state_set_bpf_observer(f->st, NULL, NULL);
	ck_assert_msg(g_strcmp0(o->why, g.why) == 0 &&
	    o->d.outcome == g.d.outcome && o->d.sock == g.d.sock &&
	    o->d.prog_ret == g.d.prog_ret && o->d.helper_err == g.d.helper_err,
	    "fast path: outcome %d sock %u ret %d (%s); general path: outcome "
	    "%d sock %u ret %d (%s)", o->d.outcome, o->d.sock, o->d.prog_ret,
	    o->why != NULL ? o->why : "no fault", g.d.outcome, g.d.sock,
	    g.d.prog_ret, g.why != NULL ? g.why : "no fault");
	outcome_clear(&g);
}

/* rule NULL: no fault; "?": anything (the paths agree); else a fault of
 * rule at instruction pc. */
static void
expect(const struct outcome *o, const char *rule, int pc, const char *what)
{
	g_autofree char *at = NULL;
	const char *hit;

	ck_assert_msg(o->load == 0, "%s: load %d", what, o->load);
	if (rule != NULL && strcmp(rule, "?") == 0)
		return;
	if (rule == NULL) {
		ck_assert_msg(o->why == NULL, "%s: unexpected fault %s", what,
		    o->why);
		return;
	}
	ck_assert_msg(o->why != NULL && g_str_has_prefix(o->why, rule),
	    "%s: want %s, got %s", what, rule, o->why != NULL ? o->why :
	    "no fault");
	at = g_strdup_printf("at insn %d", pc);
	hit = strstr(o->why, at);
	ck_assert_msg(hit != NULL && !g_ascii_isdigit(hit[strlen(at)]),
	    "%s: %s, want %s", what, o->why, at);
}

/* ---------------------------------------------------------------------
 * Operand kinds
 */

enum kind { K_NONE, K_SCALAR, K_ZERO, K_CTX, K_STACK, K_PKT, K_PKT_END,
	K_MAP, K_MAPVAL, K_SOCK, NKINDS };

static const char *const kind_name[] = { "none", "scalar", "zero", "ctx",
	"stack", "pkt", "pkt_end", "map", "map_value", "sock" };

static bool
is_ptr(enum kind k)
{
	return k != K_NONE && k != K_SCALAR && k != K_ZERO;
}

static bool
pktish(enum kind k)
{
	return k == K_PKT || k == K_PKT_END;
}

/* same_object() of model/ebpf.c for two registers set up as a and b */
static bool
same_object(enum kind a, enum kind b)
{
	return a == b && (a == K_STACK || a == K_MAPVAL || a == K_PKT ||
	    a == K_CTX);
}

/*
 * Instructions that leave kind k in register reg; r6 holds the context,
 * fp-16..fp-1 are written first.  Returns how many.
 */
static size_t
setup(const struct fx *f, enum kind k, unsigned reg, struct rp_insn *p)
{
	size_t n = 0;

	switch (k) {
	case K_NONE:
		break;
	case K_SCALAR:
		p[n++] = MOV64_IMM(reg, 5);
		break;
	case K_ZERO:
		p[n++] = MOV64_IMM(reg, 0);
		break;
	case K_CTX:
		p[n++] = MOV64_REG(reg, 6);
		break;
	case K_STACK:
		p[n++] = MOV64_REG(reg, 10);
		p[n++] = ALU64_IMM(BA_ADD, reg, -8);
		break;
	case K_PKT:
		p[n++] = LDX(BS_DW, reg, 6, 0);
		break;
	case K_PKT_END:
		p[n++] = LDX(BS_DW, reg, 6, 8);
		break;
	case K_MAP:
		p[n++] = BI(0x18, reg, 1, 0, f->arr);
		p[n++] = BI(0x00, 0, 0, 0, 0);
		break;
	case K_MAPVAL:
		p[n++] = ST(BS_W, 10, -20, 0);
		p[n++] = BI(0x18, 1, 1, 0, f->arr);
		p[n++] = BI(0x00, 0, 0, 0, 0);
		p[n++] = MOV64_REG(2, 10);
		p[n++] = ALU64_IMM(BA_ADD, 2, -20);
		p[n++] = CALL(1);
		p[n++] = MOV64_REG(reg, 0);
		break;
	default:	/* K_SOCK (md->sk, 5.14) */
		p[n++] = LDX(BS_DW, reg, 6, 40);
		break;
	}
	return n;
}

/* r6 = ctx; the stack's first 16 bytes written; kinds a into r7, b into
 * r8.  Returns how many. */
static size_t
prologue(const struct fx *f, enum kind a, enum kind b, struct rp_insn *p)
{
	size_t n = 0;

	p[n++] = MOV64_REG(6, 1);
	p[n++] = ST(BS_DW, 10, -8, 7);
	p[n++] = ST(BS_DW, 10, -16, 7);
	n += setup(f, a, 7, p + n);
	n += setup(f, b, 8, p + n);
	return n;
}

static bool
kind_ok(const struct rp_profile *prof, enum kind k)
{
	return k != K_SOCK || prof->expected_attach;	/* md->sk: 5.14 */
}

/* ---------------------------------------------------------------------
 * ebpf_paths/alu: every operation, both widths, K and X, every kind
 */

/* What docs/SPEC.md says r7 = r7 op (imm 3 | r8) does (NULL: no fault). */
static const char *
alu_rule(const struct rp_profile *prof, bool is64, unsigned op, bool x, enum kind d, enum kind s)
{
	bool dp = is_ptr(d), sp = x && is_ptr(s);

	if (op == 0xe0 || op == 0xf0)
		return "R-EBPF-2";			/* no such op */
	if (op == BA_NEG && x)
		return "R-EBPF-2";
	if (op == BA_END && is64 && x)
		return "R-EBPF-2";
	if (op == BA_END && is64 && !prof->bpf_cpuv4)
		return "R-EBPF-11";			/* bswap: 6.6 */
	if (op == BA_MOV) {
		if (!x)
			return NULL;
		if (s == K_NONE)
			return "R-EBPF-10";
		return sp && !is64 ? "R-EBPF-7" : NULL;
	}
	if (op == BA_NEG || op == BA_END)	/* END's X: to big-endian */
		return d == K_NONE ? "R-EBPF-10" : dp ? "R-EBPF-7" : NULL;
	if (x && s == K_NONE)
		return "R-EBPF-10";
	if (d == K_NONE)
		return "R-EBPF-10";
	if (!dp && !sp)
		return NULL;
	if (!is64)
		return "R-EBPF-7";			/* 32-bit on a pointer */
	if (op == BA_SUB && dp && sp)
		return (pktish(d) && pktish(s)) || same_object(d, s) ? NULL :
		    "R-EBPF-7";
	if (op != BA_ADD && op != BA_SUB)
		return "R-EBPF-7";
	if (!dp)
		return op == BA_SUB ? "R-EBPF-7" : NULL;	/* scalar +- ptr */
	if (sp)
		return "R-EBPF-7";			/* ptr + ptr */
	if (d == K_PKT_END || d == K_MAP || d == K_SOCK)
		return "R-EBPF-7";
	return NULL;
}

TU_LOOP(alu, "ebpf_paths", 2 * tu_nkinds(alu_key))
{
	bool is64 = _i % 2;
	const struct rp_profile *prof;
	struct fx f;

	fx_init(&f, tu_kind_row(_i / 2, alu_key), RP_AF_INET);
	prof = f.prof;
	for (unsigned op = 0; op <= 0xf0; op += 0x10) {
		for (int d = 0; d < NKINDS; d++) {
			for (int s = -1; s < NKINDS; s++) {
				struct rp_insn p[40];
				struct outcome o;
				bool x = s >= 0;
				size_t n;
				int pc;
				g_autofree char *what = NULL;

				if (!kind_ok(prof, d) || (x && !kind_ok(prof, s)))
					continue;
				n = prologue(&f, d, x ? s : K_NONE, p);
				pc = (int)n;
				p[n++] = BI((is64 ? 0x07 : 0x04) | op |
				    (x ? 0x08 : 0), 7, x && op != BA_END ? 8 :
				    0, 0, op == BA_END ? 32 : x ||
				    op == BA_NEG ? 0 : 3);
				p[n++] = MOV64_IMM(0, RP_SK_PASS);
				p[n++] = EXIT;
				what = g_strdup_printf("alu%d op %#x %s %s %s",
				    is64 ? 64 : 32, op, kind_name[d], x ? "x" : "k",
				    x ? kind_name[s] : "");
				run_prog(&f, p, n, &o);
				expect(&o, alu_rule(prof, is64, op, x, d,
				    x ? s : K_SCALAR), pc, what);
				outcome_clear(&o);
			}
		}
	}
	fx_done(&f);
}
END_TEST

/* ---------------------------------------------------------------------
 * ebpf_paths/jmp: every condition, JMP and JMP32, K (0) and X
 */

static const char *
jmp_rule(const struct rp_profile *prof, bool j32, unsigned op, bool x, enum kind a, enum kind b)
{
	if (j32 && !prof->bpf_jmp32)
		return "R-EBPF-11";
	if (a == K_NONE || (x && b == K_NONE))
		return "R-EBPF-10";
	if (!x)
		b = K_ZERO;
	if (!is_ptr(a) && !is_ptr(b))
		return NULL;
	if (j32)
		return "R-EBPF-6";
	if ((op == BJ_JEQ || op == BJ_JNE) && (a == K_ZERO || b == K_ZERO))
		return NULL;			/* a pointer is not NULL */
	if (op != BJ_JSET && ((pktish(a) && pktish(b)) || same_object(a, b)))
		return NULL;
	return "R-EBPF-6";
}

TU_LOOP(jmp, "ebpf_paths", 2 * tu_nkinds(jmp_key))
{
	static const unsigned ops[] = { BJ_JEQ, BJ_JGT, BJ_JGE, BJ_JSET,
	    BJ_JNE, BJ_JSGT, BJ_JSGE, BJ_JLT, BJ_JLE, BJ_JSLT, BJ_JSLE };
	bool j32 = _i % 2;
	const struct rp_profile *prof;
	struct fx f;

	fx_init(&f, tu_kind_row(_i / 2, jmp_key), RP_AF_INET);
	prof = f.prof;
	for (size_t i = 0; i < G_N_ELEMENTS(ops); i++) {
		for (int a = 0; a < NKINDS; a++) {
			for (int b = -1; b < NKINDS; b++) {
				struct rp_insn p[40];
				struct outcome o;
				bool x = b >= 0;
				size_t n;
				int pc;
				g_autofree char *what = NULL;

				if (!kind_ok(prof, a) || (x && !kind_ok(prof, b)))
					continue;
				n = prologue(&f, a, x ? b : K_NONE, p);
				p[n++] = MOV64_IMM(0, RP_SK_PASS);
				pc = (int)n;
				p[n++] = BI((j32 ? 0x06 : 0x05) | ops[i] |
				    (x ? 0x08 : 0), 7, x ? 8 : 0, 1, 0);
				p[n++] = MOV64_IMM(0, RP_SK_DROP);
				p[n++] = EXIT;
				what = g_strdup_printf("jmp%s %#x %s %s %s",
				    j32 ? "32" : "", ops[i], kind_name[a],
				    x ? "x" : "k", x ? kind_name[b] : "");
				run_prog(&f, p, n, &o);
				expect(&o, jmp_rule(prof, j32, ops[i], x, a,
				    x ? b : K_ZERO), pc, what);
				outcome_clear(&o);
			}
		}
	}
	fx_done(&f);
}
END_TEST

/* ---------------------------------------------------------------------
 * ebpf_paths/mem: loads and stores of every width through every kind
 */

static const uint8_t widths[] = { BS_B, BS_H, BS_W, BS_DW };

static unsigned
width_bytes(uint8_t sz)
{
	return sz == BS_B ? 1 : sz == BS_H ? 2 : sz == BS_W ? 4 : 8;
}

/*
 * A load (store: !load) of size bytes at r7 + off, r7 of kind k, the
 * value a scalar; NULL: no fault; "?": not checked here (contexts,
 * sockets: below).  The stack pointer is fp-8 with fp-16..fp-1 written;
 * the packet has 16 bytes (UDP header, payload); a map value 8.
 */
static const char *
mem_rule(enum kind k, bool load, unsigned size, int off)
{
	switch (k) {
	case K_NONE:
		return "R-EBPF-10";
	case K_SCALAR:
	case K_ZERO:
	case K_MAP:
	case K_PKT_END:
		return "R-EBPF-7";
	case K_STACK: {
		int a = off - 8;	/* from fp */

		if (a < -512 || a > -(int)size || a % (int)size != 0)
			return "R-EBPF-10";
		if (load && a < -16)
			return "R-EBPF-10";	/* never written */
		return NULL;
	}
	case K_MAPVAL:
		return off < 0 || off + (int)size > 8 ? "R-EBPF-7" : NULL;
	case K_PKT:
		if (!load)
			return "R-EBPF-7";
		return off < 0 || off + (int)size > 16 ? "R-EBPF-7" : NULL;
	default:
		return "?";
	}
}

TU_LOOP(mem, "ebpf_paths", tu_nkinds(mem_key))
{
	static const int offs[] = { 0, 1, 4, 6, 8, 12, -8, -600 };
	const struct rp_profile *prof;
	struct fx f;

	fx_init(&f, tu_kind_row(_i, mem_key), RP_AF_INET);
	prof = f.prof;
	for (int k = 0; k < NKINDS; k++) {
		if (!kind_ok(prof, k))
			continue;
		for (size_t w = 0; w < G_N_ELEMENTS(widths); w++) {
			unsigned size = width_bytes(widths[w]);

			for (size_t i = 0; i < G_N_ELEMENTS(offs); i++) {
				for (int form = 0; form < 3; form++) {
					struct rp_insn p[40];
					struct outcome o;
					size_t n = prologue(&f, k, K_SCALAR, p);
					int pc = (int)n;
					g_autofree char *what = NULL;

					/* LDX, ST, STX of a scalar */
					p[n++] = form == 0 ?
					    LDX(widths[w], 9, 7, offs[i]) :
					    form == 1 ?
					    ST(widths[w], 7, offs[i], 0x55) :
					    STX(widths[w], 7, 8, offs[i]);
					p[n++] = MOV64_IMM(0, RP_SK_PASS);
					p[n++] = EXIT;
					what = g_strdup_printf("%s%u %s%+d",
					    form == 0 ? "ldx" : form == 1 ?
					    "st" : "stx", size, kind_name[k],
					    offs[i]);
					run_prog(&f, p, n, &o);
					expect(&o, k == K_CTX && form != 0 ?
					    "R-CTX-6" : mem_rule(k, form == 0,
					    size, offs[i]), pc, what);
					outcome_clear(&o);
				}
			}
		}
	}
	fx_done(&f);
}
END_TEST

/* A store of a pointer (kind v) and loads back; sign-extending loads;
 * atomics: the paths agree, and the rules that are simple hold. */
TU_LOOP(mem_more, "ebpf_paths", tu_nkinds(mem_key))
{
	static const int offs[] = { 0, 4, -8, 8 };
	const struct rp_profile *prof;
	struct fx f;

	fx_init(&f, tu_kind_row(_i, mem_key), RP_AF_INET);
	prof = f.prof;
	for (int k = 0; k < NKINDS; k++) {
		if (!kind_ok(prof, k))
			continue;
		for (int v = 0; v < NKINDS; v++) {
			if (!kind_ok(prof, v))
				continue;
			for (size_t w = 0; w < G_N_ELEMENTS(widths); w++) {
				for (size_t i = 0; i < G_N_ELEMENTS(offs);
				    i++) {
					struct rp_insn p[48];
					struct outcome o;
					size_t n = prologue(&f, k, v, p);
					int pc = (int)n;
					const char *rule = "?";

					p[n++] = STX(widths[w], 7, 8, offs[i]);
					/* read it back whole */
					p[n++] = LDX(BS_DW, 9, 7, offs[i]);
					p[n++] = MOV64_IMM(0, RP_SK_PASS);
					p[n++] = EXIT;
					run_prog(&f, p, n, &o);
					if (k == K_NONE || v == K_NONE)
						rule = "R-EBPF-10";
					else if (k == K_STACK && is_ptr(v) &&
					    widths[w] != BS_DW)
						rule = "R-EBPF-10";	/* part */
					else if (k == K_STACK && offs[i] == 0 &&
					    widths[w] == BS_DW)
						rule = NULL;	/* spill, fill */
					expect(&o, rule, pc, "stx kinds");
					outcome_clear(&o);
				}
			}
			/* atomics (before 5.12: add only) and cpu v4's ldsx */
			for (int op = 0; op < 7; op++) {
				static const int ops[] = { BA_ADD, BA_OR,
				    BA_AND | BT_FETCH, BA_XOR, BT_XCHG,
				    BT_CMPXCHG, 0x0f };
				struct rp_insn p[48];
				struct outcome o;
				size_t n = prologue(&f, k, v, p);

				p[n++] = MOV64_IMM(0, 0);
				p[n++] = ATOMIC(op & 1 ? BS_W : BS_DW, 7, 8, 0,
				    ops[op]);
				if (prof->bpf_cpuv4)
					p[n++] = LDSX(op & 1 ? BS_H : BS_B, 9,
					    7, op & 2 ? -4 : 0);
				p[n++] = MOV64_IMM(0, RP_SK_PASS);
				p[n++] = EXIT;
				run_prog(&f, p, n, &o);
				if (k == K_STACK && v == K_SCALAR &&
				    (op == 0 || prof->bpf_atomics) && op != 6)
					expect(&o, NULL, 0, "atomic");
				outcome_clear(&o);
			}
		}
	}
	fx_done(&f);
}
END_TEST

/* ---------------------------------------------------------------------
 * ebpf_paths/ctx: every offset and width of sk_reuseport_md and of
 * bpf_sock, loads and stores, both families
 */

TU_LOOP(ctx_sweep, "ebpf_paths", 2 * tu_nkinds(ctx_key))
{
	int family = _i % 2 ? RP_AF_INET6 : RP_AF_INET;
	struct fx f;

	fx_init(&f, tu_kind_row(_i / 2, ctx_key), family);
	for (int off = -4; off < 88; off++) {
		for (size_t w = 0; w < G_N_ELEMENTS(widths); w++) {
			for (int base = 0; base < 3; base++) {
				struct rp_insn p[16];
				struct outcome o;
				size_t n = 0;
				int pc;

				if (base > 0 && !f.prof->expected_attach)
					continue;
				p[n++] = MOV64_REG(6, 1);
				p[n++] = MOV64_REG(7, 1);
				if (base == 1) {	/* ctx->sk */
					p[n++] = LDX(BS_DW, 7, 6, 40);
				} else if (base == 2) {	/* a store */
					p[n++] = MOV64_IMM(8, 1);
				}
				pc = (int)n;
				p[n++] = base == 2 ? STX(widths[w], 7, 8, off) :
				    LDX(widths[w], 9, 7, off);
				p[n++] = MOV64_IMM(0, RP_SK_PASS);
				p[n++] = EXIT;
				run_prog(&f, p, n, &o);
				if (base == 2)
					expect(&o, "R-CTX-6", pc, "ctx store");
				else if (off < 0 || off % (int)width_bytes(
				    widths[w]) != 0)
					expect(&o, base == 1 ? "R-CTX-5" :
					    "R-CTX-6", pc, "ctx misaligned");
				else
					expect(&o, "?", pc, "ctx");
				outcome_clear(&o);
			}
		}
	}
	fx_done(&f);
}
END_TEST

/* __sk_buff of a socket filter: test runs, both paths. */
static void
filter_run(struct rp_state *st, int fd, struct rp_bpf_run_result *out,
    char **why)
{
	static const uint8_t frame[64] = { [12] = 0x08, [14] = 0x45 };
	struct rp_bpf_run_result g;
	g_autofree char *gw = NULL;

	ck_assert_int_eq(rp_prog_test_run(st, 0, fd, frame, sizeof(frame),
	    out), 0);
	*why = rp_state_take_violation(st);
	rp_state_set_bpf_observer(st, &observe_all, NULL);
	ck_assert_int_eq(rp_prog_test_run(st, 0, fd, frame, sizeof(frame),
	    &g), 0);
	gw = rp_state_take_violation(st);
	rp_state_set_bpf_observer(st, NULL, NULL);
	ck_assert_msg(g.retval == out->retval && g.fault == out->fault &&
	    g.insns == out->insns && g_strcmp0(gw, *why) == 0,
	    "fast %s, general %s", *why != NULL ? *why : "ok",
	    gw != NULL ? gw : "ok");
}

TU_LOOP(skb_sweep, "ebpf_paths", tu_nkinds(skb_key))
{
	struct rp_state *st = tu_state_row(tu_kind_row(_i, skb_key));

	for (int off = -4; off < 196; off++) {
		for (size_t w = 0; w < G_N_ELEMENTS(widths); w++) {
			for (int store = 0; store < 2; store++) {
				const struct rp_insn p[] = {
					MOV64_IMM(8, 0x11223344),
					store ? STX(widths[w], 1, 8, off) :
					    LDX(widths[w], 0, 1, off),
					store ? LDX(widths[w], 0, 1, off) :
					    MOV64_IMM(8, 0),
					MOV64_IMM(0, 0),
					EXIT,
				};
				struct rp_prog_insns_attr a = {
					.prog_type = RP_PROG_SOCKET_FILTER,
					.insns = p, .insn_cnt = 5 };
				struct rp_bpf_run_result out;
				g_autofree char *why = NULL;
				int fd = rp_prog_load_insns(st, 0, &a);

				ck_assert_int_ge(fd, 3);
				filter_run(st, fd, &out, &why);
				if (off < 0 || off % (int)width_bytes(widths[w]))
					ck_assert_msg(why != NULL &&
					    g_str_has_prefix(why, "R-CTX-8"),
					    "%d: %s", off, why);
				if (store && off >= 48 && off +
				    (int)width_bytes(widths[w]) <= 68 &&
				    off % (int)width_bytes(widths[w]) == 0)
					ck_assert_msg(why == NULL, "cb[] %d: %s",
					    off, why);
				ck_assert_int_eq(rp_close(st, 0, fd), 0);
			}
		}
	}
	tu_state_done(st);
}
END_TEST

/* ---------------------------------------------------------------------
 * ebpf_paths/decode: reserved fields and unknown forms (R-EBPF-2,
 * R-EBPF-9, R-EBPF-10, R-EBPF-11, R-EBPF-16)
 */

struct decode_case {
	const char	*name;
	enum need	 on;
	struct rp_insn	 in;
	const char	*rule;
};

static const struct decode_case decode_cases[] = {
	{ "neg/x", ALL, BI(0x8f, 0, 1, 0, 0), "R-EBPF-2" },
	{ "neg/off", ALL, BI(0x87, 0, 0, 1, 0), "R-EBPF-2" },
	{ "neg/imm", ALL, BI(0x87, 0, 0, 0, 1), "R-EBPF-2" },
	{ "end64/x", ALL, BI(0xdf, 0, 0, 0, 16), "R-EBPF-2" },
	{ "end/src", ALL, BI(0xd4, 0, 1, 0, 16), "R-EBPF-2" },
	{ "end/off", ALL, BI(0xd4, 0, 0, 1, 16), "R-EBPF-2" },
	{ "alu/src-reg-11", ALL, BI(0x0f, 0, 11, 0, 0), "R-EBPF-2" },
	{ "mov/x-imm", ALL, BI(0xbf, 0, 1, 0, 1), "R-EBPF-2" },
	{ "movsx/off-7", CPUV4, BI(0xbf, 0, 1, 7, 0), "R-EBPF-2" },
	{ "movsx32/off-32", CPUV4, BI(0xbc, 0, 1, 32, 0), "R-EBPF-2" },
	{ "mod/off-2", CPUV4, BI(0x97, 0, 0, 2, 3), "R-EBPF-2" },
	{ "smod/no-cpuv4", NO_CPUV4, BI(0x97, 0, 0, 1, 3), "R-EBPF-11" },
	{ "ja/x", ALL, BI(0x0d, 0, 0, 0, 0), "R-EBPF-2" },
	{ "ja/src", ALL, BI(0x05, 0, 1, 0, 0), "R-EBPF-2" },
	{ "ja/dst", ALL, BI(0x05, 1, 0, 0, 0), "R-EBPF-2" },
	{ "ja/imm", ALL, BI(0x05, 0, 0, 0, 1), "R-EBPF-2" },
	{ "gotol/off", CPUV4, BI(0x06, 0, 0, 1, 0), "R-EBPF-2" },
	{ "gotol/no-cpuv4", NO_CPUV4, BI(0x06, 0, 0, 0, 0), "R-EBPF-11" },
	{ "call/j32", JMP32, BI(0x86, 0, 0, 0, 7), "R-EBPF-2" },
	{ "call/x", ALL, BI(0x8d, 0, 0, 0, 7), "R-EBPF-2" },
	{ "call/off", ALL, BI(0x85, 0, 0, 1, 7), "R-EBPF-2" },
	{ "call/dst", ALL, BI(0x85, 1, 0, 0, 7), "R-EBPF-2" },
	{ "call/kfunc", ALL, BI(0x85, 0, 2, 0, 7), "R-EBPF-9" },
	{ "call/src-3", ALL, BI(0x85, 0, 3, 0, 7), "R-EBPF-2" },
	{ "exit/j32", JMP32, BI(0x96, 0, 0, 0, 0), "R-EBPF-2" },
	{ "exit/x", ALL, BI(0x9d, 0, 0, 0, 0), "R-EBPF-2" },
	{ "exit/src", ALL, BI(0x95, 0, 1, 0, 0), "R-EBPF-2" },
	{ "exit/dst", ALL, BI(0x95, 1, 0, 0, 0), "R-EBPF-2" },
	{ "exit/off", ALL, BI(0x95, 0, 0, 1, 0), "R-EBPF-2" },
	{ "exit/imm", ALL, BI(0x95, 0, 0, 0, 1), "R-EBPF-2" },
	{ "jmp/op-e", ALL, BI(0xe5, 0, 0, 0, 0), "R-EBPF-2" },
	{ "jmp32/op-f", JMP32, BI(0xf6, 0, 0, 0, 0), "R-EBPF-2" },
	{ "jeq/x-imm", ALL, BI(0x1d, 0, 1, 0, 1), "R-EBPF-2" },
	{ "jeq/k-src", ALL, BI(0x15, 0, 1, 0, 1), "R-EBPF-2" },
	{ "ldabs/dw", ALL, BI(0x38, 0, 0, 0, 0), "R-EBPF-2" },
	{ "ld/mode-mem", ALL, BI(0x60, 0, 0, 0, 0), "R-EBPF-2" },
	{ "ld/imm-w", ALL, BI(0x00, 0, 0, 0, 0), "R-EBPF-2" },
	{ "ldabs/dst", ALL, BI(0x20, 1, 0, 0, 0), "R-EBPF-2" },
	{ "ldabs/off", ALL, BI(0x20, 0, 0, 1, 0), "R-EBPF-2" },
	{ "ldabs/src", ALL, BI(0x20, 0, 1, 0, 0), "R-EBPF-2" },
	{ "ldabs/reuseport", ALL, BI(0x20, 0, 0, 0, 0), "R-EBPF-16" },
	{ "ldx/mode", ALL, BI(0x21, 0, 1, 0, 0), "R-EBPF-2" },
	{ "ldsx/dw", CPUV4, BI(0x99, 0, 1, 0, 0), "R-EBPF-2" },
	{ "ldsx/no-cpuv4", NO_CPUV4, BI(0x91, 0, 1, 0, 0), "R-EBPF-11" },
	{ "ldx/imm", ALL, BI(0x61, 0, 1, 0, 1), "R-EBPF-2" },
	{ "ldx/r10", ALL, BI(0x61, 10, 1, 0, 0), "R-EBPF-10" },
	{ "st/mode", ALL, BI(0x22, 10, 0, -8, 0), "R-EBPF-2" },
	{ "st/src", ALL, BI(0x62, 10, 1, -8, 0), "R-EBPF-2" },
	{ "stx/imm", ALL, BI(0x63, 10, 1, -8, 1), "R-EBPF-2" },
	{ "stx/mode", ALL, BI(0x43, 10, 1, -8, 0), "R-EBPF-2" },
	{ "atomic/b", ALL, BI(0xd3, 10, 1, -8, 0), "R-EBPF-2" },
	{ "atomic/or-no-atomics", NO_ATOMICS, BI(0xdb, 10, 1, -8, 0x40), "R-EBPF-2" },
	{ "atomic/bad-op", ATOMICS, BI(0xdb, 10, 1, -8, 0x10), "R-EBPF-2" },
};

TU_LOOP(decode, "ebpf_paths", (int)G_N_ELEMENTS(decode_cases) *
    tu_nkinds(decode_key))
{
	int nk = tu_nkinds(decode_key);
	const struct decode_case *c = &decode_cases[_i / nk];
	struct fx f;
	struct outcome o;
	struct rp_insn p[] = { MOV64_IMM(0, RP_SK_PASS), MOV64_IMM(1, 0),
	    c->in, EXIT };

	fx_init(&f, tu_kind_row(_i % nk, decode_key), RP_AF_INET);
	if (!applies(&f, c->on)) {
		fx_done(&f);
		return;
	}
	run_prog(&f, p, G_N_ELEMENTS(p), &o);
	expect(&o, c->rule, 2, c->name);
	outcome_clear(&o);
	fx_done(&f);
}
END_TEST

/* LD_IMM64: reserved fields, registers, the map limit (R-EBPF-1) */
TU_LOOP(ldimm, "ebpf_paths", tu_nkinds(version_key))
{
	struct fx f;
	struct outcome o;
	g_autofree struct rp_insn *many = g_new0(struct rp_insn, 2 * 65 + 2);
	int maps[65];

	fx_init(&f, tu_kind_row(_i, version_key), RP_AF_INET);
	ck_assert_int_eq(rp_proc_set_memlock(f.st, 0, UINT64_C(1) << 30), 0);
	{
		/* second half with a register, an offset, a code */
		const struct rp_insn bad[][4] = {
			{ BI(0x18, 0, 0, 0, 1), BI(0x00, 1, 0, 0, 0),
			    MOV64_IMM(0, 1), EXIT },
			{ BI(0x18, 0, 0, 0, 1), BI(0x00, 0, 0, 1, 0),
			    MOV64_IMM(0, 1), EXIT },
			{ BI(0x18, 0, 0, 0, 1), BI(0x00, 0, 1, 0, 0),
			    MOV64_IMM(0, 1), EXIT },
			{ BI(0x18, 0, 0, 0, 1), BI(0x07, 0, 0, 0, 0),
			    MOV64_IMM(0, 1), EXIT },
			{ MOV64_IMM(0, 1), EXIT, BI(0x18, 0, 0, 0, 1),
			    BI(0x18, 0, 0, 0, 1) },
		};

		for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
			run_prog(&f, bad[i], 4, &o);
			ck_assert_int_eq(o.load, -EINVAL);
			outcome_clear(&o);
		}
	}
	{
		/* dst r10, r11 */
		const struct rp_insn r10[] = { MOV64_IMM(0, 1),
		    BI(0x18, 10, 0, 0, 1), BI(0x00, 0, 0, 0, 0), EXIT };
		const struct rp_insn r11[] = { MOV64_IMM(0, 1),
		    BI(0x18, 11, 0, 0, 1), BI(0x00, 0, 0, 0, 0), EXIT };
		const struct rp_insn num[] = { LD64(0, 1), EXIT };

		run_prog(&f, r10, 4, &o);
		expect(&o, "R-EBPF-10", 1, "ldimm r10");
		outcome_clear(&o);
		run_prog(&f, r11, 4, &o);
		expect(&o, "R-EBPF-2", 1, "ldimm r11");
		outcome_clear(&o);
		run_prog(&f, num, 3, &o);
		expect(&o, NULL, 0, "ldimm");
		ck_assert_int_eq(o.d.prog_ret, 1);
		outcome_clear(&o);
	}
	/* 65 maps: -E2BIG */
	for (int i = 0; i < 65; i++) {
		maps[i] = tu_map(f.st, 0, RP_MAP_ARRAY, 8, 1, 0, -1);
		many[2 * i] = BI(0x18, 1, 1, 0, maps[i]);
		many[2 * i + 1] = BI(0x00, 0, 0, 0, 0);
	}
	many[130] = MOV64_IMM(0, 1);
	many[131] = EXIT;
	run_prog(&f, many, 132, &o);
	ck_assert_int_eq(o.load, -E2BIG);
	outcome_clear(&o);
	run_prog(&f, many + 2, 130, &o);	/* 64: fine */
	expect(&o, NULL, 0, "64 maps");
	outcome_clear(&o);
	fx_done(&f);
}
END_TEST

/* ---------------------------------------------------------------------
 * ebpf_paths/helper_args: each helper's argument checks (R-EBPF-17 and
 * the rules the helpers name)
 */

struct hcase {
	const char	*name;
	enum need	 on;
	const char	*rule;		/* NULL: no fault */
	struct rp_insn	 p[24];
	size_t		 n;
};

TU_LOOP(helper_args, "ebpf_paths", tu_nkinds(version_key))
{
	struct fx f;
	struct outcome o;

	fx_init(&f, tu_kind_row(_i, version_key), RP_AF_INET);
	{
/* r = fp + off: a pointer into the stack */
#define FP_PTR(r, off)	MOV64_REG(r, 10), ALU64_IMM(BA_ADD, r, off)
#define H(name, on, rule, ...) { name, on, rule, { __VA_ARGS__ },	\
	G_N_ELEMENTS(((struct rp_insn[]){ __VA_ARGS__ })) }
		const struct hcase cases[] = {
			/* bpf_skb_load_bytes(ctx, off, to, len) */
			H("load_bytes/ctx", ALL, "R-EBPF-17", MOV64_IMM(1, 1),
			    MOV64_IMM(2, 0), FP_PTR(3, -8), MOV64_IMM(4, 4),
			    CALL(26), EXIT),
			H("load_bytes/off-ptr", ALL, "R-EBPF-17",
			    MOV64_REG(2, 10), FP_PTR(3, -8), MOV64_IMM(4, 4),
			    CALL(26), EXIT),
			H("load_bytes/len-0", ALL, "R-EBPF-17", MOV64_IMM(2, 0),
			    FP_PTR(3, -8), MOV64_IMM(4, 0), CALL(26), EXIT),
			H("load_bytes/len-ptr", ALL, "R-EBPF-17",
			    MOV64_IMM(2, 0), FP_PTR(3, -8), MOV64_REG(4, 10),
			    CALL(26), EXIT),
			H("load_bytes/to-scalar", ALL, "R-EBPF-7",
			    MOV64_IMM(2, 0), MOV64_IMM(3, 8), MOV64_IMM(4, 4),
			    CALL(26), EXIT),
			/* bpf_skb_load_bytes_relative(ctx, off, to, len,
			 * start) */
			H("load_bytes_rel/start-ptr", ALL, "R-EBPF-17",
			    MOV64_IMM(2, 0), FP_PTR(3, -8), MOV64_IMM(4, 4),
			    MOV64_REG(5, 10), CALL(68), EXIT),
			H("load_bytes_rel/len-0", ALL, "R-EBPF-17",
			    MOV64_IMM(2, 0), FP_PTR(3, -8), MOV64_IMM(4, 0),
			    MOV64_IMM(5, 0), CALL(68), EXIT),
			H("load_bytes_rel/to-map", ALL, "R-EBPF-7",
			    MOV64_IMM(2, 0), LD_MAP(3, f.arr), MOV64_IMM(4, 4),
			    MOV64_IMM(5, 0), CALL(68), EXIT),
			H("load_bytes_rel/ok-mac", ALL, NULL, MOV64_IMM(2, 0),
			    FP_PTR(3, -8), MOV64_IMM(4, 4), MOV64_IMM(5, 0),
			    CALL(68), MOV64_IMM(0, 1), EXIT),
			H("load_bytes_rel/start-2", ALL, NULL, MOV64_IMM(2, 0),
			    FP_PTR(3, -8), MOV64_IMM(4, 4), MOV64_IMM(5, 2),
			    CALL(68), MOV64_IMM(0, 1), EXIT),
			H("load_bytes_rel/off-big", ALL, NULL,
			    MOV64_IMM(2, 0x10000), FP_PTR(3, -8),
			    MOV64_IMM(4, 4), MOV64_IMM(5, 1), CALL(68),
			    MOV64_IMM(0, 1), EXIT),
			/* map helpers */
			H("lookup/map-scalar", ALL, "R-EBPF-17",
			    MOV64_IMM(1, 1), FP_PTR(2, -8), CALL(1), EXIT),
			H("lookup/key-scalar", ALL, "R-EBPF-7",
			    LD_MAP(1, f.arr), MOV64_IMM(2, 8), CALL(1), EXIT),
			H("lookup/sockhash", SOCKHASH, "R-PRG-1",
			    LD_MAP(1, f.sockhash), FP_PTR(2, -8), CALL(1),
			    EXIT),
			H("update/sockarray", ALL, "R-PRG-1",
			    LD_MAP(1, f.sockarray), FP_PTR(2, -8),
			    FP_PTR(3, -16), MOV64_IMM(4, 0), CALL(2), EXIT),
			H("update/outer", ALL, "R-HLP-8", LD_MAP(1, f.outer),
			    FP_PTR(2, -8), FP_PTR(3, -16), MOV64_IMM(4, 0),
			    CALL(2), EXIT),
			H("update/rdonly", SOCKHASH, "R-HLP-8", LD_MAP(1, f.ro),
			    FP_PTR(2, -8), FP_PTR(3, -16), MOV64_IMM(4, 0),
			    CALL(2), EXIT),
			H("update/key-scalar", ALL, "R-EBPF-7",
			    LD_MAP(1, f.arr), MOV64_IMM(2, 0), FP_PTR(3, -16),
			    MOV64_IMM(4, 0), CALL(2), EXIT),
			H("update/value-scalar", ALL, "R-EBPF-7",
			    LD_MAP(1, f.arr), FP_PTR(2, -8), MOV64_IMM(3, 0),
			    MOV64_IMM(4, 0), CALL(2), EXIT),
			H("update/flags-ptr", ALL, "R-EBPF-17",
			    LD_MAP(1, f.arr), FP_PTR(2, -8), FP_PTR(3, -16),
			    MOV64_REG(4, 10), CALL(2), EXIT),
			H("update/sockhash-not-sock", SOCKMAP_UPD, "R-HLP-11",
			    LD_MAP(1, f.sockhash), FP_PTR(2, -8),
			    FP_PTR(3, -16), MOV64_IMM(4, 0), CALL(2), EXIT),
			H("update/pcpu", ALL, NULL, LD_MAP(1, f.pcpu),
			    ST(BS_W, 10, -4, 1), FP_PTR(2, -4), FP_PTR(3, -16),
			    MOV64_IMM(4, 0), CALL(2), MOV64_IMM(0, 1), EXIT),
			H("delete/map-scalar", ALL, "R-EBPF-17",
			    MOV64_IMM(1, 0), FP_PTR(2, -8), CALL(3), EXIT),
			H("delete/key-scalar", ALL, "R-EBPF-7",
			    LD_MAP(1, f.hash), MOV64_IMM(2, 0), CALL(3), EXIT),
			H("delete/sockhash", SOCKMAP_UPD, NULL,
			    LD_MAP(1, f.sockhash), ST(BS_W, 10, -4, 3),
			    FP_PTR(2, -4), CALL(3), MOV64_IMM(0, 1), EXIT),
			H("lookup_percpu/not-percpu", PERCPU_LOOKUP, "R-HLP-7",
			    LD_MAP(1, f.arr), FP_PTR(2, -8), MOV64_IMM(3, 0),
			    CALL(195), EXIT),
			H("lookup_percpu/map-scalar", PERCPU_LOOKUP,
			    "R-EBPF-17", MOV64_IMM(1, 0), FP_PTR(2, -8),
			    MOV64_IMM(3, 0), CALL(195), EXIT),
			H("lookup_percpu/cpu-ptr", PERCPU_LOOKUP, "R-EBPF-17",
			    LD_MAP(1, f.pcpu), ST(BS_W, 10, -4, 0),
			    FP_PTR(2, -4), MOV64_REG(3, 10), CALL(195), EXIT),
			H("lookup_percpu/cpu-big", PERCPU_LOOKUP, NULL,
			    LD_MAP(1, f.pcpu), ST(BS_W, 10, -4, 0),
			    FP_PTR(2, -4), MOV64_IMM(3, 100000), CALL(195),
			    MOV64_IMM(0, 1), EXIT),
			/* bpf_sk_select_reuseport(ctx, map, key, flags) */
			H("select/map-scalar", ALL, "R-EBPF-17",
			    MOV64_IMM(2, 0), FP_PTR(3, -8), MOV64_IMM(4, 0),
			    CALL(82), EXIT),
			H("select/hash-map", ALL, "R-PRG-2", LD_MAP(2, f.hash),
			    FP_PTR(3, -8), MOV64_IMM(4, 0), CALL(82), EXIT),
			H("select/key-scalar", ALL, "R-EBPF-7",
			    LD_MAP(2, f.sockarray), MOV64_IMM(3, 0),
			    MOV64_IMM(4, 0), CALL(82), EXIT),
			H("select/flags-ptr", ALL, "R-EBPF-17",
			    LD_MAP(2, f.sockarray), FP_PTR(3, -8),
			    MOV64_REG(4, 10), CALL(82), EXIT),
			H("select/twice", ALL, NULL, ST(BS_W, 10, -4, 0),
			    LD_MAP(2, f.sockarray), FP_PTR(3, -4),
			    MOV64_IMM(4, 0), CALL(82), MOV64_REG(1, 6),
			    ST(BS_W, 10, -4, 1), LD_MAP(2, f.sockarray),
			    FP_PTR(3, -4), MOV64_IMM(4, 0), CALL(82),
			    MOV64_IMM(0, 1), EXIT),
			/* bpf_get_socket_cookie(ctx | sk) */
			H("cookie/sock", MD_SK, NULL, LDX(BS_DW, 1, 1, 40),
			    CALL(46), MOV64_IMM(0, 1), EXIT),
			H("cookie/scalar", MD_SK, "R-HLP-14", MOV64_IMM(1, 5),
			    CALL(46), EXIT),
			H("cookie/null", MD_SK, NULL, MOV64_IMM(1, 0), CALL(46),
			    MOV64_IMM(0, 1), EXIT),
			/* bpf_trace_printk(fmt, size, ...) */
			H("printk/size-ptr", ALL, "R-EBPF-17", FP_PTR(1, -8),
			    MOV64_REG(2, 10), MOV64_IMM(3, 0), MOV64_IMM(4, 0),
			    MOV64_IMM(5, 0), CALL(6), EXIT),
			H("printk/fmt-scalar", ALL, "R-EBPF-7", MOV64_IMM(1, 8),
			    MOV64_IMM(2, 8), MOV64_IMM(3, 0), MOV64_IMM(4, 0),
			    MOV64_IMM(5, 0), CALL(6), EXIT),
		};
#undef H
#undef FP_PTR

		for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
			struct rp_insn p[32];
			size_t n = 0;

			if (!applies(&f, cases[i].on))
				continue;
			p[n++] = MOV64_REG(6, 1);
			p[n++] = ST(BS_DW, 10, -8, 0);
			p[n++] = ST(BS_DW, 10, -16, 0);
			memcpy(p + n, cases[i].p, cases[i].n * sizeof(*p));
			n += cases[i].n;
			/* r1 = ctx unless the case sets it */
			{
				bool sets_r1 = false;

				for (size_t j = 0; j < cases[i].n; j++)
					if (cases[i].p[j].dst_reg == 1 &&
					    cases[i].p[j].code != 0x85)
						sets_r1 = true;
				if (!sets_r1) {
					memmove(p + 4, p + 3, (n - 3) *
					    sizeof(*p));
					p[3] = MOV64_REG(1, 6);
					n++;
				}
			}
			run_prog(&f, p, n, &o);
			if (cases[i].rule == NULL ||
			    strcmp(cases[i].rule, "?") != 0)
				ck_assert_msg(cases[i].rule == NULL ?
				    o.why == NULL : o.why != NULL &&
				    g_str_has_prefix(o.why, cases[i].rule),
				    "%s: want %s, got %s", cases[i].name,
				    cases[i].rule != NULL ? cases[i].rule :
				    "no fault", o.why != NULL ? o.why :
				    "no fault");
			outcome_clear(&o);
		}
	}
	fx_done(&f);
}
END_TEST

/* Append to p[n..] the instructions that store the format fmt,
 * NUL-padded to words 8-byte words, on the stack from fp+off up, and
 * set a printk helper's first two arguments: r1 = fp+off, r2 = the size
 * with the NUL.  The new n is returned. */
static size_t
put_format(struct rp_insn *p, size_t n, const char *fmt, int words, int off)
{
	size_t len = strlen(fmt) + 1;
	uint8_t buf[32] = { 0 };

	g_assert(words <= 4 && len <= (size_t)words * 8);
	memcpy(buf, fmt, len);
	for (int w = 0; w < words; w++) {
		uint64_t v;

		memcpy(&v, buf + 8 * w, 8);
		p[n++] = BI(0x18, 1, 0, 0, (uint32_t)v);	/* LD_IMM64 */
		p[n++] = BI(0x00, 0, 0, 0, (uint32_t)(v >> 32));
		p[n++] = STX(BS_DW, 10, 1, off + 8 * w);
	}
	p[n++] = MOV64_REG(1, 10);
	p[n++] = ALU64_IMM(BA_ADD, 1, off);
	p[n++] = MOV64_IMM(2, (int32_t)len);
	return n;
}

/* bpf_trace_printk() formats (R-HLP-18) */
TU_LOOP(printk_formats, "ebpf_paths", tu_nkinds(version_key))
{
	static const struct {
		const char	*fmt;
		int		 nargs;		/* r3.. set to scalars */
		bool		 str;		/* r3 = a string on the stack */
		bool		 ok;
	} cases[] = {
		{ "100%%\n", 0, false, true },
		{ "%X %x\n", 2, false, true },
		{ "%c\n", 1, false, true },
		{ "%lc\n", 1, false, false },
		{ "%s\n", 0, true, true },
		{ "%ls\n", 0, true, false },
		{ "%s\n", 1, false, false },
		{ "%d %d %d %d\n", 3, false, false },
		{ "%lld %llx\n", 2, false, true },
		{ "%lllx\n", 1, false, false },
		{ "%p\n", 1, false, false },
		{ "%", 0, false, false },
	};
	struct fx f;

	fx_init(&f, tu_kind_row(_i, version_key), RP_AF_INET);
	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		struct rp_insn p[64];
		struct outcome o;
		size_t n = 0;

		p[n++] = MOV64_REG(6, 1);
		/* the format at fp-24, "hi" at fp-32 */
		n = put_format(p, n, cases[i].fmt, 3, -24);
		p[n++] = ST(BS_DW, 10, -32, 0x6968);
		for (int a = 3; a <= 5; a++)
			p[n++] = MOV64_IMM(a, 0);
		if (cases[i].str) {
			p[n++] = MOV64_REG(3, 10);
			p[n++] = ALU64_IMM(BA_ADD, 3, -32);
		}
		for (int a = 0; a < cases[i].nargs; a++)
			p[n++] = MOV64_IMM(3 + a, 65 + a);
		p[n++] = CALL(6);
		p[n++] = MOV64_IMM(0, 1);
		p[n++] = EXIT;
		run_prog(&f, p, n, &o);
		/* 4.19 offers it (CAP_SYS_ADMIN); a bad format is -EINVAL,
		 * not a fault */
		ck_assert_msg(o.why == NULL, "%s: %s", cases[i].fmt, o.why);
		outcome_clear(&o);
	}
	fx_done(&f);
}
END_TEST

/* R-HLP-18: bpf_trace_printk() declares two arguments, so libbpf's
 * bpf_printk("text"), which writes only r1 and r2, runs; a conversion
 * that prints a register never written is a fault */
TU_LOOP(printk_two_args, "ebpf_paths", TU_EVERY_PROFILE)
{
	static const struct {
		const char	*fmt;
		int		 written;	/* r3.. written */
		bool		 fault;
	} cases[] = {
		{ "text\n", 0, false },
		{ "%u\n", 1, false },
		{ "%u %u\n", 1, true },
		{ "%u\n", 0, true },
		{ "%s\n", 0, true },
	};
	struct fx f;

	fx_init(&f, _i, RP_AF_INET);
	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		struct rp_insn p[32];
		struct outcome o;
		size_t n = 0;

		n = put_format(p, n, cases[i].fmt, 1, -8);
		for (int a = 0; a < cases[i].written; a++)
			p[n++] = MOV64_IMM(3 + a, 7);
		p[n++] = CALL(6);
		p[n++] = MOV64_IMM(0, 1);
		p[n++] = EXIT;
		run_prog(&f, p, n, &o);
		if (cases[i].fault)
			ck_assert_msg(o.why != NULL && g_str_has_prefix(o.why,
			    "R-HLP-18") && strstr(o.why, "read before it is "
			    "written") != NULL, "%s: %s", cases[i].fmt,
			    o.why != NULL ? o.why : "no fault");
		else
			ck_assert_msg(o.why == NULL, "%s: %s", cases[i].fmt,
			    o.why);
		outcome_clear(&o);
	}
	fx_done(&f);
}
END_TEST

/* R-HLP-18: bpf_trace_vprintk() (libbpf's bpf_printk() with more than
 * three arguments) takes its arguments from an array of u64: data_len a
 * multiple of 8, at most 12, a conversion for each; 5.16+ only */
TU_LOOP(vprintk_args, "ebpf_paths", TU_EVERY_PROFILE)
{
	static const struct {
		const char	*fmt;
		int32_t		 len;		/* data_len */
		int32_t		 want;		/* r0 */
	} cases[] = {
		{ "%u%u%u%u", 32, 4 },		/* "1234" */
		{ "%u %x", 16, 3 },		/* "1 2" */
		{ "none", 0, 4 },
		{ "%u%u%u%u", 24, -EINVAL },	/* a conversion too many */
		{ "%u", 12, -EINVAL },		/* not a multiple of 8 */
		{ "%u", 104, -EINVAL },		/* 13 arguments */
		{ "%s", 8, -EINVAL },		/* not modelled */
	};
	struct fx f;

	fx_init(&f, _i, RP_AF_INET);
	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		struct rp_insn p[48];
		struct outcome o;
		size_t n = 0;

		/* the format at fp-16, the arguments 1..13 at fp-120 */
		n = put_format(p, n, cases[i].fmt, 2, -16);
		for (int a = 0; a < 13; a++)
			p[n++] = ST(BS_DW, 10, -120 + 8 * a, a + 1);
		p[n++] = MOV64_REG(3, 10);
		p[n++] = ALU64_IMM(BA_ADD, 3, -120);
		p[n++] = MOV64_IMM(4, cases[i].len);
		p[n++] = CALL(177);
		p[n++] = JMP_IMM(BJ_JEQ, 0, cases[i].want, 2);
		p[n++] = MOV64_IMM(0, 0);
		p[n++] = EXIT;
		p[n++] = MOV64_IMM(0, 1);
		p[n++] = EXIT;
		ck_assert_uint_le(n, G_N_ELEMENTS(p));
		run_prog(&f, p, n, &o);
		if (f.prof->bpf_version < RP_KVER(5, 16)) {
			/* not offered before 5.16 */
			ck_assert_msg(o.why != NULL && strstr(o.why,
			    "bpf_trace_vprintk is not offered") != NULL,
			    "%s: %s", cases[i].fmt, o.why);
		} else {
			ck_assert_msg(o.why == NULL, "%s: %s", cases[i].fmt,
			    o.why);
			ck_assert_msg(o.d.prog_ret == 1, "%s: r0 is not %d",
			    cases[i].fmt, cases[i].want);
		}
		outcome_clear(&o);
	}
	fx_done(&f);
}
END_TEST

/* LD_ABS and LD_IND: r6 must be the context, LD_IND's register a
 * number (R-EBPF-16) */
TU_LOOP(ldabs_checks, "ebpf_paths", tu_nkinds(version_key))
{
	struct rp_state *st = tu_state_row(tu_kind_row(_i, version_key));
	static const struct {
		struct rp_insn	p[4];
		bool		fault;
	} cases[] = {
		{ { MOV64_IMM(6, 0), LD_ABS(BS_B, 0), EXIT }, true },
		{ { MOV64_REG(6, 1), MOV64_REG(2, 10), LD_IND(BS_H, 2, 0),
		    EXIT }, true },
		{ { MOV64_REG(6, 1), LD_IND(BS_W, 2, 0), EXIT }, true },
		{ { MOV64_REG(6, 1), MOV64_IMM(2, 1), LD_IND(BS_W, 2, 0),
		    EXIT }, false },
		{ { MOV64_REG(6, 1), ALU64_IMM(BA_ADD, 6, 4), LD_ABS(BS_B, 0),
		    EXIT }, true },
		/* helpers a socket filter has: numa node, uid, cookie */
		{ { CALL(42), MOV64_REG(1, 6), CALL(47), EXIT }, true },
		{ { MOV64_REG(6, 1), CALL(42), MOV64_REG(1, 6), CALL(47) },
		    false },
		{ { MOV64_REG(6, 1), CALL(46), MOV64_REG(1, 6), CALL(47) },
		    false },
	};

	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		struct rp_insn p[5];
		size_t n = 0;
		struct rp_prog_insns_attr a = {
			.prog_type = RP_PROG_SOCKET_FILTER, .insns = p };

		/* up to the EXIT, or the four and an EXIT */
		while (n < 4 && (n == 0 || p[n - 1].code != 0x95)) {
			p[n] = cases[i].p[n];
			n++;
		}
		if (p[n - 1].code != 0x95)
			p[n++] = EXIT;
		a.insn_cnt = (uint32_t)n;
		struct rp_bpf_run_result out;
		g_autofree char *why = NULL;
		int fd = rp_prog_load_insns(st, 0, &a);

		ck_assert_int_ge(fd, 3);
		filter_run(st, fd, &out, &why);
		ck_assert_msg(cases[i].fault == (why != NULL &&
		    g_str_has_prefix(why, "R-EBPF-")), "%zu: %s", i, why);
		ck_assert_int_eq(rp_close(st, 0, fd), 0);
	}
	tu_state_done(st);
}
END_TEST

/* ---------------------------------------------------------------------
 * ebpf_paths/vmap_api: the byte API on every kind of map, its errors,
 * per-CPU values from the syscall (R-VMAP-2..5, R-LKP-1a, R-LKP-1c,
 * R-UPD-0b, R-DEL-0, R-NXT-1, R-CMD-3)
 */

TU_LOOP(vmap_api, "ebpf_paths", tu_nkinds(version_key))
{
	const struct rp_profile *prof;
	struct fx f;
	unsigned ncpu = rp_possible_cpus();
	g_autofree uint8_t *all = g_malloc0((size_t)ncpu * 8);
	g_autofree uint8_t *back = g_malloc0((size_t)ncpu * 8);
	uint32_t k = 0, next = 0;
	uint64_t v = 0, w = 0;
	int wo, ro, h2;

	fx_init(&f, tu_kind_row(_i, version_key), RP_AF_INET);
	prof = f.prof;

	/* a sockarray through the byte API: the integer calls */
	ck_assert_int_eq(rp_map_lookup_elem(f.st, 0, f.sockarray, &k, &v, 0),
	    0);
	ck_assert_uint_ne(v, 0);			/* the cookie */
	k = 3;
	v = (uint64_t)tu_reuse_sock(f.st, 0, RP_AF_INET, RP_SOCK_DGRAM, 1,
	    PORT);
	ck_assert_int_eq(rp_map_update_elem(f.st, 0, f.sockarray, &k, &v,
	    RP_BPF_ANY), 0);
	ck_assert_int_eq(rp_map_next_key(f.st, 0, f.sockarray, NULL, &next),
	    0);
	ck_assert_uint_eq(next, 0);
	ck_assert_int_eq(rp_map_next_key(f.st, 0, f.sockarray, &k, &next),
	    -ENOENT);
	ck_assert_int_eq(rp_map_delete_elem(f.st, 0, f.sockarray, &k), 0);
	ck_assert_int_eq(rp_map_lookup_elem(f.st, 0, 99, &k, &v, 0), -EBADF);
	{
		int sa4 = tu_sockarray(f.st, 0, 4, 2);
		uint32_t v4 = (uint32_t)tu_reuse_sock(f.st, 0, RP_AF_INET,
		    RP_SOCK_DGRAM, 1, PORT);

		k = 0;
		ck_assert_int_eq(rp_map_update_elem(f.st, 0, sa4, &k, &v4,
		    RP_BPF_ANY), 0);
		v4 = 0;
		ck_assert_int_eq(rp_map_lookup_elem(f.st, 0, sa4, &k, &v4, 0),
		    -ENOSPC);		/* a cookie needs 8 bytes */
		ck_assert_int_eq(rp_map_lookup_elem(f.st, 0, f.outer, &k, &v4,
		    0), 0);		/* the inner map's id */
		ck_assert_uint_ne(v4, 0);
	}

	/* value maps: flags, permissions, frozen */
	k = 0;
	ck_assert_int_eq(rp_map_lookup_elem(f.st, 0, f.arr, &k, &v, 2),
	    -EINVAL);
	ck_assert_int_eq(rp_map_lookup_elem(f.st, 0, f.arr, &k, &v,
	    RP_BPF_F_LOCK), -EINVAL);
	ck_assert_int_eq(rp_map_update_elem(f.st, 0, f.arr, &k, &v,
	    RP_BPF_F_LOCK), -EINVAL);
	ck_assert_int_eq(rp_map_update_elem(f.st, 0, f.hash, &k, &v,
	    RP_BPF_F_LOCK), -EINVAL);
	ck_assert_int_eq(rp_map_update_elem(f.st, 0, f.hash, &k, &v, 7),
	    -EINVAL);
	wo = tu_map(f.st, 0, RP_MAP_HASH, 8, 2, RP_BPF_F_WRONLY, -1);
	ck_assert_int_eq(rp_map_lookup_elem(f.st, 0, wo, &k, &v, 0), -EPERM);
	ck_assert_int_eq(rp_map_next_key(f.st, 0, wo, NULL, &next), -EPERM);
	ro = tu_map(f.st, 0, RP_MAP_HASH, 8, 2, RP_BPF_F_RDONLY, -1);
	ck_assert_int_eq(rp_map_update_elem(f.st, 0, ro, &k, &v, 0), -EPERM);
	ck_assert_int_eq(rp_map_delete_elem(f.st, 0, ro, &k), -EPERM);
	ck_assert_int_eq(rp_map_update_elem(f.st, 0, f.hash, &k, &v, 0), 0);
	if (prof->has_freeze) {
		ck_assert_int_eq(rp_map_freeze(f.st, 0, f.hash), 0);
		ck_assert_int_eq(rp_map_update_elem(f.st, 0, f.hash, &k, &v, 0),
		    -EPERM);
		ck_assert_int_eq(rp_map_delete_elem(f.st, 0, f.hash, &k),
		    -EPERM);
	}

	/* the integer calls on value maps: 4-byte keys, at most 8-byte
	 * values, not per-CPU */
	ck_assert_int_eq(rp_map_update(f.st, 0, f.arr, 1, 42, RP_BPF_ANY), 0);
	ck_assert_int_eq(rp_map_lookup(f.st, 0, f.arr, 1, &w, 0), 0);
	ck_assert_uint_eq(w, 42);
	ck_assert_int_eq(rp_map_lookup(f.st, 0, f.pcpu, 0, &w, 0), -EINVAL);
	ck_assert_int_eq(rp_map_update(f.st, 0, f.pcpu, 0, 1, RP_BPF_ANY),
	    -EINVAL);
	{
		struct rp_map_attr a;

		rp_map_attr_init(&a, RP_MAP_HASH, 8, 2);
		a.key_size = 8;
		h2 = rp_map_create(f.st, 0, &a);
		ck_assert_int_ge(h2, 3);
	}
	ck_assert_int_eq(rp_map_delete(f.st, 0, h2, 0), -EINVAL);
	ck_assert_int_eq(rp_map_get_next_key(f.st, 0, h2, NULL, &next),
	    -EINVAL);
	ck_assert_int_eq(rp_map_get_next_key(f.st, 0, f.arr, NULL, &next), 0);

	/* per-CPU array from the syscall: every CPU's copy; CPUs left at
	 * zero stay zero */
	for (unsigned c = 0; c < ncpu; c += 3)
		all[(size_t)c * 8] = (uint8_t)(c + 1);
	k = 1;
	ck_assert_int_eq(rp_map_update_elem(f.st, 0, f.pcpu, &k, all,
	    RP_BPF_ANY), 0);
	ck_assert_int_eq(rp_map_lookup_elem(f.st, 0, f.pcpu, &k, back, 0), 0);
	ck_assert_int_eq(memcmp(all, back, (size_t)ncpu * 8), 0);
	ck_assert_int_eq(rp_map_update_elem(f.st, 0, f.pcpu, &k, all,
	    RP_BPF_NOEXIST), -EEXIST);
	k = 5;
	ck_assert_int_eq(rp_map_update_elem(f.st, 0, f.pcpu, &k, all,
	    RP_BPF_ANY), -E2BIG);

	/* per-CPU hash: a present key is updated in place */
	{
		int ph = tu_map(f.st, 0, RP_MAP_PERCPU_HASH, 4, 2, 0, -1);

		k = 9;
		ck_assert_int_eq(rp_map_update_elem(f.st, 0, ph, &k, all,
		    RP_BPF_ANY), 0);
		all[0] = 77;
		ck_assert_int_eq(rp_map_update_elem(f.st, 0, ph, &k, all,
		    RP_BPF_EXIST), 0);
		ck_assert_int_eq(rp_map_lookup_elem(f.st, 0, ph, &k, back, 0),
		    0);
		ck_assert_uint_eq(back[0], 77);
		ck_assert_uint_eq(back[3 * 8], 4);
	}
	fx_done(&f);
}
END_TEST

/* ---------------------------------------------------------------------
 * ebpf_paths/migrate_packet: a SELECT_OR_MIGRATE program reading the
 * packet while a request migrates (the L4 segment only, R-CTX-7), on
 * both paths
 */

static GString *
migrate_once(int row, bool observe)
{
	struct rp_state *st = tu_state_row(row);
	int a = tu_reuse_sock(st, 0, RP_AF_INET, RP_SOCK_STREAM, 1, PORT);
	int b = tu_reuse_sock(st, 0, RP_AF_INET, RP_SOCK_STREAM, 1, PORT);
	int c = rp_socket(st, 0, RP_AF_INET, RP_SOCK_STREAM, 0);
	struct rp_sockaddr sa = tu_addr(RP_AF_INET, 1, PORT);
	const struct rp_insn p[] = {
		MOV64_REG(6, 1),
		LDX(BS_W, 7, 6, 16),			/* len */
		LDX(BS_DW, 2, 6, 0),			/* data */
		LDX(BS_DW, 3, 6, 8),			/* data_end */
		MOV64_REG(4, 2),
		ALU64_IMM(BA_ADD, 4, 1),
		JMP_REG(BJ_JGT, 4, 3, 1),
		LDX(BS_B, 8, 2, 0),
		MOV64_REG(1, 6),			/* load_bytes_rel */
		MOV64_IMM(2, 0),
		MOV64_REG(3, 10),
		ALU64_IMM(BA_ADD, 3, -8),
		MOV64_IMM(4, 4),
		MOV64_IMM(5, 0),			/* from the MAC */
		CALL(68),
		MOV64_REG(1, 6),			/* load_bytes */
		MOV64_IMM(2, 0),
		MOV64_REG(3, 10),
		ALU64_IMM(BA_ADD, 3, -8),
		MOV64_IMM(4, 1),
		CALL(26),
		MOV64_IMM(0, RP_SK_PASS),
		EXIT,
	};
	struct rp_prog_insns_attr pa = { .prog_type = RP_PROG_SK_REUSEPORT,
	    .expected_attach_type = RP_ATTACH_SK_REUSEPORT_SELECT_OR_MIGRATE,
	    .insns = p, .insn_cnt = G_N_ELEMENTS(p) };
	struct rp_sock_info si;
	GString *t = g_string_new(NULL);
	int pfd = rp_prog_load_insns(st, 0, &pa);
	char *why;

	if (observe)
		rp_state_set_bpf_observer(st, &observe_all, NULL);
	ck_assert_int_ge(pfd, 3);
	ck_assert_int_eq(rp_attach_ebpf(st, 0, a, pfd), 0);
	ck_assert_int_eq(rp_sysctl_set(st, 0, "net.ipv4.tcp_migrate_req", 1),
	    0);
	ck_assert_int_eq(rp_connect(st, 0, c, &sa), 0);
	why = rp_state_take_violation(st);
	g_string_append_printf(t, "connect: %s\n", why != NULL ? why : "ok");
	g_free(why);
	ck_assert_int_eq(rp_sock_info(st, rp_fd_sock(st, 0, a), &si), 0);
	ck_assert_int_eq(rp_close(st, 0, si.accept_queue > 0 ? a : b), 0);
	why = rp_state_take_violation(st);
	g_string_append_printf(t, "close: %s\n", why != NULL ? why : "ok");
	g_free(why);
	ck_assert_int_eq(rp_sock_info(st, rp_fd_sock(st, 0,
	    si.accept_queue > 0 ? b : a), &si), 0);
	g_string_append_printf(t, "moved: %u\n", si.accept_queue);
	tu_state_done(st);
	return t;
}

TU_LOOP(migrate_packet, "ebpf_paths", TU_EVERY_PROFILE)
{
	g_autoptr(GString) fast = NULL;
	g_autoptr(GString) general = NULL;

	/* SELECT_OR_MIGRATE and request migration: 5.14 */
	TU_UNLESS(tu_prof(_i)->expected_attach && tu_prof(_i)->migration);
	fast = migrate_once(_i, false);
	general = migrate_once(_i, true);

	ck_assert_str_eq(fast->str, general->str);
	ck_assert_msg(strstr(fast->str, "moved: 1") != NULL, "%s", fast->str);
	ck_assert_msg(strstr(fast->str, "R-") == NULL, "%s", fast->str);
}
END_TEST

/* ---------------------------------------------------------------------
 * ebpf_paths/headers: the IP header an SK_REUSEPORT program asks for
 * (bpf_skb_load_bytes_relative() from the network header, R-HLP-13) is
 * there, IPv4 and IPv6
 */

TU_LOOP(headers, "ebpf_paths", 2 * tu_nkinds(version_key))
{
	bool v6 = _i % 2;
	struct fx f;
	struct outcome o;
	const struct rp_insn p[] = {
		MOV64_REG(6, 1),
		ST(BS_DW, 10, -8, 0),
		MOV64_IMM(2, v6 ? 6 : 9),		/* the protocol */
		MOV64_REG(3, 10),
		ALU64_IMM(BA_ADD, 3, -8),
		MOV64_IMM(4, 1),
		MOV64_IMM(5, 1),			/* BPF_HDR_START_NET */
		CALL(68),
		LDX(BS_B, 7, 10, -8),
		MOV64_IMM(0, RP_SK_DROP),
		JMP_IMM(BJ_JNE, 7, RP_IPPROTO_UDP, 1),
		MOV64_IMM(0, RP_SK_PASS),
		EXIT,
	};

	fx_init(&f, tu_kind_row(_i / 2, version_key),
	    v6 ? RP_AF_INET6 : RP_AF_INET);
	run_prog(&f, p, G_N_ELEMENTS(p), &o);
	expect(&o, NULL, 0, v6 ? "ipv6 header" : "ipv4 header");
	ck_assert_int_eq(o.d.prog_ret, RP_SK_PASS);
	outcome_clear(&o);
	fx_done(&f);
}
END_TEST

TU_TCASE("ebpf_paths", 120, NULL, NULL)
TU_MAIN("ebpf_paths")
