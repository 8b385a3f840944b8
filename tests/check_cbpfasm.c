/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * check_cbpfasm.c - classic BPF written as text (sim/core/cbpfasm.c,
 * `attach S cbpf code="..."`): every mnemonic and addressing mode against
 * its struct sock_filter code (uapi linux/filter.h), labels and offsets,
 * each syntax error, and scenarios that attach such programs on the model
 * (R-CBPF-1 and the ancillary CPU load of R-CBPF-3 through the language).
 */
#include <string.h>

#include <check.h>
#include <glib.h>

#include "backend/model.h"
#include "core/cbpfasm.h"
#include "core/exec.h"
#include "core/run.h"
#include "testutil.h"

#define AD(n)	((guint32)(-0x1000 + (n)))	/* SKF_AD_OFF + n */

static const struct {
	const char	*text;
	guint16		 code;
	guint8		 jt, jf;
	guint32		 k;
} one[] = {
	{ "ld #5", 0x00, 0, 0, 5 },
	{ "ldi #-1", 0x00, 0, 0, 0xffffffff },
	{ "ld len", 0x80, 0, 0, 0 },
	{ "ld #len", 0x80, 0, 0, 0 },
	{ "ld M[3]", 0x60, 0, 0, 3 },
	{ "ld [4]", 0x20, 0, 0, 4 },
	{ "ldh [2]", 0x28, 0, 0, 2 },
	{ "ldb [0x10]", 0x30, 0, 0, 16 },
	{ "ld [x + 4]", 0x40, 0, 0, 4 },
	{ "ldh [x+2]", 0x48, 0, 0, 2 },
	{ "ldb [x]", 0x50, 0, 0, 0 },
	{ "ld #cpu", 0x20, 0, 0, AD(36) },
	{ "ld #rxhash", 0x20, 0, 0, AD(32) },
	{ "ld #hash", 0x20, 0, 0, AD(32) },
	{ "ld #queue", 0x20, 0, 0, AD(24) },
	{ "ld #proto", 0x20, 0, 0, AD(0) },
	{ "ld #rand", 0x20, 0, 0, AD(56) },
	{ "ld #vlan_tpid", 0x20, 0, 0, AD(60) },
	{ "ldx #7", 0x01, 0, 0, 7 },
	{ "ldxi #7", 0x01, 0, 0, 7 },
	{ "ldx len", 0x81, 0, 0, 0 },
	{ "ldx M[15]", 0x61, 0, 0, 15 },
	{ "ldxb 4*([14]&0xf)", 0xb1, 0, 0, 14 },
	{ "st M[1]", 0x02, 0, 0, 1 },
	{ "stx M[2]", 0x03, 0, 0, 2 },
	{ "add #1", 0x04, 0, 0, 1 },
	{ "sub x", 0x1c, 0, 0, 0 },
	{ "mul #3", 0x24, 0, 0, 3 },
	{ "div x", 0x3c, 0, 0, 0 },
	{ "or #1", 0x44, 0, 0, 1 },
	{ "and %x", 0x5c, 0, 0, 0 },
	{ "lsh #2", 0x64, 0, 0, 2 },
	{ "rsh x", 0x7c, 0, 0, 0 },
	{ "neg", 0x84, 0, 0, 0 },
	{ "mod #4", 0x94, 0, 0, 4 },
	{ "xor x", 0xac, 0, 0, 0 },
	{ "tax", 0x07, 0, 0, 0 },
	{ "TXA", 0x87, 0, 0, 0 },
	{ "ret #0", 0x06, 0, 0, 0 },
	{ "ret a", 0x16, 0, 0, 0 },
	{ "ret %a", 0x16, 0, 0, 0 },
	{ "ja 0", 0x05, 0, 0, 0 },
	{ "jeq #1, 0, 0", 0x15, 0, 0, 1 },
	{ "jeq x, 0", 0x1d, 0, 0, 0 },
};

/* Each instruction alone (jumps of offset 0), as its code. */
TU_LOOP(encode_one, "cbpfasm/encode", G_N_ELEMENTS(one))
{
	g_autoptr(GError) err = NULL;
	g_autoptr(GArray) a = sim_cbpf_assemble(one[_i].text, &err);
	const struct rp_sock_filter *f;

	ck_assert_msg(a != NULL, "%s: %s", one[_i].text, err->message);
	ck_assert_uint_eq(a->len, 1);
	f = &g_array_index(a, struct rp_sock_filter, 0);
	ck_assert_msg(f->code == one[_i].code && f->jt == one[_i].jt &&
	    f->jf == one[_i].jf && f->k == one[_i].k,
	    "%s: got %#x %u %u %#x", one[_i].text, f->code, f->jt, f->jf,
	    f->k);
}

/* Labels, swapped conditions, one-target jumps, separators. */
TU_CASE(encode_jumps, "cbpfasm/encode")
{
	static const struct rp_sock_filter want[] = {
		{ 0x20, 0, 0, 0 },	/* ld [0] */
		{ 0x15, 3, 0, 7 },	/* jeq #7, seven */
		{ 0x35, 0, 1, 9 },	/* jlt #9, low, 0 -> jge swapped */
		{ 0x05, 0, 0, 1 },	/* ja seven */
		{ 0x25, 0, 1, 2 },	/* low: jle #2, two -> jgt swapped */
		{ 0x06, 0, 0, 1 },	/* seven: ret #1 */
		{ 0x45, 0, 0, 8 },	/* two: jset #8, 0, 0 */
		{ 0x1d, 0, 1, 0 },	/* jne x, end */
		{ 0x94, 0, 0, 2 },	/* mod #2 */
		{ 0x16, 0, 0, 0 },	/* end: ret a */
	};
	g_autoptr(GError) err = NULL;
	g_autoptr(GArray) a = sim_cbpf_assemble(
	    "ld [0]; jeq #7, seven\n"
	    "  jlt #9, low, 0 ; ja seven\n"
	    "low: jle #2, two\n"
	    "seven: ret #1\n"
	    "two: jset #8, 0, 0; jne x, end; mod #2\n"
	    "end: ret a\n", &err);

	ck_assert_msg(a != NULL, "%s", err != NULL ? err->message : "");
	ck_assert_uint_eq(a->len, G_N_ELEMENTS(want));
	for (guint i = 0; i < a->len; i++) {
		const struct rp_sock_filter *f = &g_array_index(a,
		    struct rp_sock_filter, i);

		ck_assert_msg(f->code == want[i].code && f->jt == want[i].jt &&
		    f->jf == want[i].jf && f->k == want[i].k,
		    "insn %u: %#x %u %u %#x", i, f->code, f->jt, f->jf, f->k);
	}
}

static const struct {
	const char	*text;
	const char	*want;
} bad[] = {
	{ "", "no instructions" },
	{ " ; \n ", "no instructions" },
	{ "frob #1", "instruction 1 (frob #1): unknown instruction" },
	{ "ld #1; ld", "instruction 2 (ld): bad operand" },
	{ "ld #x1", "instruction 1 (ld #x1): bad operand" },
	{ "ldh #1", "bad operand" },
	{ "ldi [1]", "bad operand" },
	{ "ldxb [1]", "bad operand" },
	{ "st #1", "bad operand" },
	{ "add [1]", "bad operand" },
	{ "ret x", "bad operand" },
	{ "neg #1", "takes no operand" },
	{ "ja", "takes one target" },
	{ "ja nowhere", "unknown label" },
	{ "l: ret #0; jeq #1, l", "jumps go forward only" },
	{ "jeq #1, 256", "offset out of range" },
	{ "l: ret #0; l: ret #1", "label 'l' is defined twice" },
	{ "a-b: ret #0", "bad label 'a-b'" },
	{ "l:", "a label needs a name and an instruction" },
	{ "ld #99999999999", "bad operand" },
	{ "jeq #1", "bad operand" },
};

TU_LOOP(syntax_errors, "cbpfasm/errors", G_N_ELEMENTS(bad))
{
	g_autoptr(GError) err = NULL;
	g_autoptr(GArray) a = sim_cbpf_assemble(bad[_i].text, &err);

	ck_assert(a == NULL && err != NULL);
	ck_assert_msg(strstr(err->message, bad[_i].want) != NULL, "%s: %s",
	    bad[_i].text, err->message);
}

/* Scenario text on the model under 6.18: passes (or its messages). */
static gboolean
run_text(const char *src, char **msgs)
{
	g_autoptr(GError) err = NULL;
	g_autoptr(SimScenario) sc = sim_parse_buffer("t.scn", src,
	    strlen(src), NULL, NULL, &err);
	g_autoptr(GPtrArray) errors = g_ptr_array_new_with_free_func(g_free);
	SimExecOptions o = { 0 };
	SimReport rep = { 0 };
	gboolean passed;

	ck_assert_msg(sc != NULL, "%s", err != NULL ? err->message : "");
	if (!sim_check_scenario(sc, errors)) {
		g_ptr_array_add(errors, NULL);
		*msgs = g_strjoinv("\n", (char **)errors->pdata);
		return FALSE;
	}
	o.ops = &sim_backend_model;
	sim_run_scenario(sc, "6.18", &o, &rep);
	passed = rep.passed;
	g_ptr_array_add(rep.messages, NULL);
	*msgs = g_strjoinv("\n", (char **)rep.messages->pdata);
	g_ptr_array_set_size(rep.messages, rep.messages->len - 1);
	sim_report_clear(&rep);
	return passed;
}

/* R-CBPF-1, R-CBPF-3: a program by payload with a label, one by CPU,
 * one the kernel's checks refuse (-EINVAL at attach). */
TU_CASE(scenario_code, "cbpfasm/run")
{
	g_autofree char *msgs = NULL;

	ck_assert_msg(run_text(TU_UDP4_PAIR
	    "attach a cbpf code=\"ld [0]; jeq #7, seven; mod #2; ret a; "
	    "seven: ret #1\"\n"
	    "send udp 127.0.0.1:7000 from 127.0.0.1:6000 "
	    "payload=\"\\x00\\x00\\x00\\x07\" = b\n"
	    "send udp 127.0.0.1:7000 from 127.0.0.1:6000 "
	    "payload=\"\\x00\\x00\\x00\\x04\" = a\n"
	    "send udp 127.0.0.1:7000 from 127.0.0.1:6000 "
	    "payload=\"\\x00\\x00\\x00\\x03\" = b\n"
	    "attach a cbpf code=\"ld #cpu; ret a\"\n"
	    "cpu 1\n"
	    "send udp 127.0.0.1:7000 from 127.0.0.1:6000 = b\n"
	    "cpu 0\n"
	    "send udp 127.0.0.1:7000 from 127.0.0.1:6000 = a\n"
	    "attach a cbpf code=\"ld #1\" = -EINVAL\n"
	    "attach a cbpf code=\"ld M[1]; ret a\" = -EINVAL\n", &msgs),
	    "%s", msgs);
}

/* The assembler's errors at the code= token, exit 2 material. */
TU_CASE(scenario_code_errors, "cbpfasm/run")
{
	g_autofree char *m1 = NULL, *m2 = NULL, *m3 = NULL;

	ck_assert(!run_text("socket a udp4\nattach a cbpf code=\"frob\"\n",
	    &m1));
	ck_assert_str_eq(m1, "t.scn:2:20: code=: instruction 1 (frob): "
	    "unknown instruction");
	ck_assert(!run_text("socket a udp4\nattach a cbpf code=1\n", &m2));
	ck_assert_str_eq(m2, "t.scn:2:20: code= takes a string of classic "
	    "BPF instructions");
	ck_assert(!run_text("socket a udp4\nattach a cbpf k=1 "
	    "code=\"ret #0\"\n", &m3));
	ck_assert_str_eq(m3, "t.scn:2:24: 'attach S cbpf code=\"...\"' "
	    "takes nothing else");
}

/* The way back (sim_cbpf_disasm(), explain's classic listing, from the
 * assembler's own tables): every mnemonic and addressing mode prints as
 * written, and the listing with "Ln: " labels assembles to the same
 * instructions. */
TU_CASE(disasm_round_trip, "cbpfasm/disasm")
{
	static const char *const lines[] = {
	    "ld #7", "ld len", "ld M[3]", "ld [12]", "ldh [12]", "ldb [23]",
	    "ld [x + 4]", "ldh [x + 2]", "ldb [x + 1]", "ld #cpu",
	    "ld #rxhash", "ld #queue", "ld #rand", "ldx #4", "ldx len",
	    "ldx M[15]", "ldxb 4*([14]&0xf)", "st M[0]", "stx M[1]",
	    "add #1", "sub x", "mul #3", "div #2", "mod x", "and #255",
	    "or x", "xor #1", "lsh #2", "rsh x", "neg", "tax", "txa",
	    "jeq #7, L35, L36", "jgt x, L34, L35", "jge #1, L36, L35",
	    "jset #4, L36, L37", "ja L38", "ret a", "ret #0",
	};
	g_autoptr(GString) text = g_string_new(NULL);
	g_autoptr(GString) back = g_string_new(NULL);
	g_autoptr(GArray) a = NULL, b = NULL;
	g_autoptr(GError) err = NULL;
	const struct rp_sock_filter *f;

	for (guint i = 0; i < G_N_ELEMENTS(lines); i++)
		g_string_append_printf(text, "L%u: %s\n", i, lines[i]);
	a = sim_cbpf_assemble(text->str, &err);
	ck_assert_msg(a != NULL, "%s", err != NULL ? err->message : "");
	ck_assert_uint_eq(a->len, G_N_ELEMENTS(lines));
	f = (const struct rp_sock_filter *)(void *)a->data;
	for (guint i = 0; i < a->len; i++) {
		g_autoptr(GString) ln = g_string_new(NULL);

		sim_cbpf_disasm(&f[i], i, ln);
		ck_assert_str_eq(ln->str, lines[i]);
		g_string_append_printf(back, "L%u: %s\n", i, ln->str);
	}
	b = sim_cbpf_assemble(back->str, &err);
	ck_assert_msg(b != NULL, "%s", err != NULL ? err->message : "");
	ck_assert_uint_eq(b->len, a->len);
	ck_assert_int_eq(memcmp(a->data, b->data, a->len *
	    sizeof(struct rp_sock_filter)), 0);
}
END_TEST

/* A code the assembler has no mnemonic for prints as .insn. */
TU_CASE(disasm_unknown, "cbpfasm/disasm")
{
	static const struct rp_sock_filter odd[] = {
		{ 0x0e, 1, 2, 3 },	/* RET | X: not a classic return */
		{ 0xa0, 0, 0, 5 },	/* LD | MSH: only LDX has it */
	};
	g_autoptr(GString) t = g_string_new(NULL);

	sim_cbpf_disasm(&odd[0], 0, t);
	ck_assert_str_eq(t->str, ".insn 0x000e jt 1 jf 2 k 0x3");
	g_string_truncate(t, 0);
	sim_cbpf_disasm(&odd[1], 0, t);
	ck_assert_str_eq(t->str, ".insn 0x00a0 jt 0 jf 0 k 0x5");
}
END_TEST

TU_MAIN("cbpfasm")
