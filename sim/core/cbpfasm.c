/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * cbpfasm.c - a classic BPF assembler for scenario text (see cbpfasm.h).
 * Two passes: the statements and their labels, then the encoding with
 * every label known.
 */
#include <string.h>

#include "core/cbpfasm.h"

/* struct sock_filter codes (uapi linux/filter.h) */
#define SKF_AD_OFF	(-0x1000)

typedef enum {
	OPD_NONE, OPD_IMM, OPD_EXT, OPD_LEN, OPD_MEM, OPD_ABS, OPD_IND,
	OPD_MSH, OPD_X, OPD_A,
} OpdKind;

typedef struct {
	OpdKind		kind;
	guint32		k;
} Opd;

typedef struct {
	char		*text;		/* the instruction as written */
	char		*label;		/* NULL: none */
	char		*mnem;
	GPtrArray	*ops;		/* char *, spaces removed */
} Stmt;

static const struct {
	const char	*name;
	guint32		 off;
} ext_names[] = {
	{ "proto", 0 }, { "type", 4 }, { "ifidx", 8 }, { "nla", 12 },
	{ "nlan", 16 }, { "mark", 20 }, { "queue", 24 }, { "hatype", 28 },
	{ "rxhash", 32 }, { "hash", 32 }, { "cpu", 36 }, { "vlan_tci", 44 },
	{ "vlan_avail", 48 }, { "poff", 52 }, { "rand", 56 },
	{ "vlan_tpid", 60 },
};

static const struct {
	const char	*name;
	guint8		 op;
} alu_names[] = {
	{ "add", 0x00 }, { "sub", 0x10 }, { "mul", 0x20 }, { "div", 0x30 },
	{ "or", 0x40 }, { "and", 0x50 }, { "lsh", 0x60 }, { "rsh", 0x70 },
	{ "mod", 0x90 }, { "xor", 0xa0 },
};

/* conditional jumps; swap: the condition's negation (targets swapped) */
static const struct {
	const char	*name;
	guint8		 op;
	gboolean	 swap;
} jumps[] = {
	{ "jeq", 0x10, FALSE }, { "jneq", 0x10, TRUE },
	{ "jne", 0x10, TRUE }, { "jgt", 0x20, FALSE },
	{ "jle", 0x20, TRUE }, { "jge", 0x30, FALSE },
	{ "jlt", 0x30, TRUE }, { "jset", 0x40, FALSE },
};

static void
stmt_free(gpointer p)
{
	Stmt *s = p;

	g_free(s->text);
	g_free(s->label);
	g_free(s->mnem);
	g_ptr_array_unref(s->ops);
	g_free(s);
}

static GQuark
cbpfasm_quark(void)
{
	return g_quark_from_static_string("sim-cbpfasm");
}

/* A whole number (C syntax, optionally negative) in 32 bits. */
static gboolean
parse_num(const char *s, guint32 *out)
{
	gboolean neg = s[0] == '-';
	guint64 v;
	char *end;

	if (neg)
		s++;
	if (!g_ascii_isdigit(s[0]))
		return FALSE;
	v = g_ascii_strtoull(s, &end, 0);
	if (*end != '\0' || v > G_MAXUINT32)
		return FALSE;
	*out = neg ? (guint32)-(gint64)v : (guint32)v;
	return TRUE;
}

/* "[" N "]" inside s from prefix on, N into *k; rest must be suffix. */
static gboolean
bracketed(const char *s, const char *prefix, const char *suffix, guint32 *k)
{
	gsize pl = strlen(prefix), sl = strlen(suffix), n = strlen(s);
	g_autofree char *mid = NULL;

	if (n < pl + sl || strncmp(s, prefix, pl) != 0 ||
	    strcmp(s + n - sl, suffix) != 0)
		return FALSE;
	mid = g_strndup(s + pl, n - pl - sl);
	return parse_num(mid, k);
}

static gboolean
operand(const char *s, Opd *o)
{
	guint i;

	o->k = 0;
	if (strcmp(s, "#len") == 0 || strcmp(s, "len") == 0) {
		o->kind = OPD_LEN;
		return TRUE;
	}
	if (strcmp(s, "x") == 0 || strcmp(s, "%x") == 0) {
		o->kind = OPD_X;
		return TRUE;
	}
	if (strcmp(s, "a") == 0 || strcmp(s, "%a") == 0) {
		o->kind = OPD_A;
		return TRUE;
	}
	if (s[0] == '#') {
		for (i = 0; i < G_N_ELEMENTS(ext_names); i++) {
			if (strcmp(s + 1, ext_names[i].name) == 0) {
				o->kind = OPD_EXT;
				o->k = (guint32)(SKF_AD_OFF +
				    (int)ext_names[i].off);
				return TRUE;
			}
		}
		o->kind = OPD_IMM;
		return parse_num(s + 1, &o->k);
	}
	if (bracketed(s, "M[", "]", &o->k)) {
		o->kind = OPD_MEM;
		return TRUE;
	}
	if (strcmp(s, "[x]") == 0) {
		o->kind = OPD_IND;
		return TRUE;
	}
	if (bracketed(s, "[x+", "]", &o->k)) {
		o->kind = OPD_IND;
		return TRUE;
	}
	if (bracketed(s, "4*([", "]&0xf)", &o->k)) {
		o->kind = OPD_MSH;
		return TRUE;
	}
	if (bracketed(s, "[", "]", &o->k)) {
		o->kind = OPD_ABS;
		return TRUE;
	}
	return FALSE;
}

/* Split text into statements: label, mnemonic, operands. */
static GPtrArray *
split(const char *text, GError **error)
{
	g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func(stmt_free);
	g_auto(GStrv) lines = g_strsplit_set(text, ";\n", -1);

	for (guint i = 0; lines[i] != NULL; i++) {
		char *l = g_strstrip(lines[i]), *colon, *sp;
		Stmt *s;

		if (*l == '\0')
			continue;
		s = g_new0(Stmt, 1);
		s->text = g_strdup(l);
		s->ops = g_ptr_array_new_with_free_func(g_free);
		g_ptr_array_add(out, s);
		/* "L:" - a label is a name before the first ':' */
		colon = strchr(l, ':');
		if (colon != NULL) {
			s->label = g_strstrip(g_strndup(l, (gsize)(colon - l)));
			l = g_strstrip(colon + 1);
			for (const char *c = s->label; *c != '\0'; c++) {
				if (!g_ascii_isalnum(*c) && *c != '_') {
					g_set_error(error, cbpfasm_quark(), 0,
					    "instruction %u (%s): bad label "
					    "'%s'", out->len, s->text,
					    s->label);
					return NULL;
				}
			}
			if (*s->label == '\0' || *l == '\0') {
				g_set_error(error, cbpfasm_quark(), 0,
				    "instruction %u (%s): a label needs a "
				    "name and an instruction", out->len,
				    s->text);
				return NULL;
			}
		}
		sp = l;
		while (*sp != '\0' && !g_ascii_isspace(*sp))
			sp++;
		s->mnem = g_ascii_strdown(l, sp - l);
		if (*sp != '\0') {
			g_auto(GStrv) ops = g_strsplit(sp, ",", -1);

			for (guint k = 0; ops[k] != NULL; k++) {
				GString *o = g_string_new(NULL);

				for (const char *c = ops[k]; *c != '\0'; c++)
					if (!g_ascii_isspace(*c))
						g_string_append_c(o, *c);
				g_ptr_array_add(s->ops, g_string_free(o,
				    FALSE));
			}
		}
	}
	if (out->len == 0) {
		g_set_error(error, cbpfasm_quark(), 0, "no instructions");
		return NULL;
	}
	return g_steal_pointer(&out);
}

/* A jump target at i: a label or a number, as an offset from i + 1. */
static gboolean
target(GPtrArray *stmts, guint i, const char *t, guint32 max, guint32 *off,
    const char **why)
{
	guint j;

	if (parse_num(t, off)) {
		if (*off > max) {
			*why = "offset out of range";
			return FALSE;
		}
		return TRUE;
	}
	for (j = 0; j < stmts->len; j++) {
		const Stmt *s = stmts->pdata[j];

		if (s->label != NULL && strcmp(s->label, t) == 0)
			break;
	}
	if (j == stmts->len) {
		*why = "unknown label";
		return FALSE;
	}
	if (j <= i || j - i - 1 > max) {
		*why = j <= i ? "classic BPF jumps go forward only" :
		    "label out of range";
		return FALSE;
	}
	*off = j - i - 1;
	return TRUE;
}

/* Encode statement i into *f; a static why on error. */
static gboolean
encode(GPtrArray *stmts, guint i, struct rp_sock_filter *f, const char **why)
{
	const Stmt *s = stmts->pdata[i];
	const char *m = s->mnem;
	const guint nops = s->ops->len;
	Opd o = { OPD_NONE, 0 };
	guint32 t1 = 0, t2 = 0;
	guint a;

	memset(f, 0, sizeof(*f));
	*why = "bad operand";
	if (nops > 0 && strcmp(m, "ja") != 0 && strcmp(m, "jmp") != 0 &&
	    !operand(s->ops->pdata[0], &o))
		return FALSE;
	f->k = o.k;
	if (strcmp(m, "ld") == 0 || strcmp(m, "ldi") == 0 ||
	    strcmp(m, "ldh") == 0 || strcmp(m, "ldb") == 0) {
		guint8 sz = m[2] == 'h' ? RP_BPF_H : m[2] == 'b' ? RP_BPF_B : RP_BPF_W;

		if (nops != 1)
			return FALSE;
		if (strcmp(m, "ldi") == 0 && o.kind != OPD_IMM)
			return FALSE;
		if (sz != RP_BPF_W && o.kind != OPD_ABS && o.kind != OPD_IND)
			return FALSE;
		switch (o.kind) {
		case OPD_IMM:	f->code = RP_BPF_LD | RP_BPF_IMM; return TRUE;
		case OPD_LEN:	f->code = RP_BPF_LD | RP_BPF_W | RP_BPF_LEN; return TRUE;
		case OPD_MEM:	f->code = RP_BPF_LD | RP_BPF_MEM; return TRUE;
		case OPD_EXT:
		case OPD_ABS:	f->code = RP_BPF_LD | sz | RP_BPF_ABS; return TRUE;
		case OPD_IND:	f->code = RP_BPF_LD | sz | RP_BPF_IND; return TRUE;
		default:	return FALSE;
		}
	}
	if (strcmp(m, "ldx") == 0 || strcmp(m, "ldxi") == 0 ||
	    strcmp(m, "ldxb") == 0) {
		if (nops != 1 || (strcmp(m, "ldxi") == 0 && o.kind !=
		    OPD_IMM) || (strcmp(m, "ldxb") == 0 && o.kind != OPD_MSH))
			return FALSE;
		switch (o.kind) {
		case OPD_IMM:	f->code = RP_BPF_LDX | RP_BPF_IMM; return TRUE;
		case OPD_LEN:	f->code = RP_BPF_LDX | RP_BPF_W | RP_BPF_LEN; return TRUE;
		case OPD_MEM:	f->code = RP_BPF_LDX | RP_BPF_MEM; return TRUE;
		case OPD_MSH:	f->code = RP_BPF_LDX | RP_BPF_B | RP_BPF_MSH; return TRUE;
		default:	return FALSE;
		}
	}
	if (strcmp(m, "st") == 0 || strcmp(m, "stx") == 0) {
		f->code = m[2] == 'x' ? RP_BPF_STX : RP_BPF_ST;
		return nops == 1 && o.kind == OPD_MEM;
	}
	for (a = 0; a < G_N_ELEMENTS(alu_names); a++) {
		if (strcmp(m, alu_names[a].name) != 0)
			continue;
		if (nops != 1 || (o.kind != OPD_IMM && o.kind != OPD_X))
			return FALSE;
		f->code = RP_BPF_ALU | alu_names[a].op | (o.kind == OPD_X ? RP_BPF_X :
		    0);
		return TRUE;
	}
	if (strcmp(m, "neg") == 0 || strcmp(m, "tax") == 0 ||
	    strcmp(m, "txa") == 0) {
		f->code = m[0] == 'n' ? RP_BPF_ALU | 0x80 : m[1] == 'a' ? RP_BPF_MISC :
		    RP_BPF_MISC | 0x80;
		*why = "takes no operand";
		return nops == 0;
	}
	if (strcmp(m, "ret") == 0) {
		if (nops != 1 || (o.kind != OPD_IMM && o.kind != OPD_A))
			return FALSE;
		f->code = RP_BPF_RET | (o.kind == OPD_A ? RP_BPF_A : 0);
		return TRUE;
	}
	if (strcmp(m, "ja") == 0 || strcmp(m, "jmp") == 0) {
		f->code = RP_BPF_JMP;
		*why = "takes one target";
		return nops == 1 && target(stmts, i, s->ops->pdata[0],
		    G_MAXUINT32, &f->k, why);
	}
	{
		for (a = 0; a < G_N_ELEMENTS(jumps); a++) {
			if (strcmp(m, jumps[a].name) != 0)
				continue;
			if ((nops != 2 && nops != 3) || (o.kind != OPD_IMM &&
			    o.kind != OPD_X))
				return FALSE;
			if (!target(stmts, i, s->ops->pdata[1], 255, &t1, why) ||
			    (nops == 3 && !target(stmts, i, s->ops->pdata[2],
			    255, &t2, why)))
				return FALSE;
			f->code = RP_BPF_JMP | jumps[a].op | (o.kind == OPD_X ?
			    RP_BPF_X : 0);
			f->jt = (guint8)(jumps[a].swap ? t2 : t1);
			f->jf = (guint8)(jumps[a].swap ? t1 : t2);
			return TRUE;
		}
	}
	*why = "unknown instruction";
	return FALSE;
}

GArray *
sim_cbpf_assemble(const char *text, GError **error)
{
	g_autoptr(GPtrArray) stmts = NULL;
	g_autoptr(GArray) out = NULL;
	guint i, j;

	g_return_val_if_fail(text != NULL, NULL);
	if ((stmts = split(text, error)) == NULL)
		return NULL;
	for (i = 0; i < stmts->len; i++) {
		const Stmt *s = stmts->pdata[i];

		for (j = 0; s->label != NULL && j < i; j++) {
			const Stmt *p = stmts->pdata[j];

			if (p->label != NULL && strcmp(p->label, s->label) == 0) {
				g_set_error(error, cbpfasm_quark(), 0,
				    "instruction %u (%s): label '%s' is "
				    "defined twice", i + 1, s->text,
				    s->label);
				return NULL;
			}
		}
	}
	out = g_array_sized_new(FALSE, TRUE, sizeof(struct rp_sock_filter),
	    stmts->len);
	g_array_set_size(out, stmts->len);
	for (i = 0; i < stmts->len; i++) {
		const char *why = NULL;

		if (!encode(stmts, i, &g_array_index(out,
		    struct rp_sock_filter, i), &why)) {
			g_set_error(error, cbpfasm_quark(), 0,
			    "instruction %u (%s): %s", i + 1,
			    ((const Stmt *)stmts->pdata[i])->text, why);
			return NULL;
		}
	}
	return g_steal_pointer(&out);
}

/* ---------------------------------------------------------------------
 * The way back: one instruction as text, from the same tables
 */

/* The mnemonic of an ALU operation or a jump condition op, or NULL. */
static const char *
alu_name(guint8 op)
{
	for (guint i = 0; i < G_N_ELEMENTS(alu_names); i++)
		if (alu_names[i].op == op)
			return alu_names[i].name;
	return NULL;
}

static const char *
jump_name(guint8 op)
{
	for (guint i = 0; i < G_N_ELEMENTS(jumps); i++)
		if (jumps[i].op == op && !jumps[i].swap)
			return jumps[i].name;
	return NULL;
}

/* "#cpu" for an ancillary offset k, or NULL. */
static const char *
ext_name(guint32 k)
{
	for (guint i = 0; i < G_N_ELEMENTS(ext_names); i++)
		if ((guint32)(SKF_AD_OFF + (int)ext_names[i].off) == k)
			return ext_names[i].name;
	return NULL;
}

/* The operand of a load: mode and size from code, k. */
static gboolean
load_operand(GString *o, guint16 code, guint32 k)
{
	const char *ext;

	switch (code & 0xe0) {
	case RP_BPF_IMM:
		g_string_append_printf(o, "#%u", k);
		return (code & 0x18) == RP_BPF_W;
	case RP_BPF_LEN:
		g_string_append(o, "len");
		return (code & 0x18) == RP_BPF_W;
	case RP_BPF_MEM:
		g_string_append_printf(o, "M[%u]", k);
		return (code & 0x18) == RP_BPF_W && k < 16;
	case RP_BPF_ABS:
		if ((code & 0x18) == RP_BPF_W && (ext = ext_name(k)) != NULL)
			g_string_append_printf(o, "#%s", ext);
		else
			g_string_append_printf(o, "[%u]", k);
		return TRUE;
	case RP_BPF_IND:
		g_string_append_printf(o, "[x + %u]", k);
		return TRUE;
	case RP_BPF_MSH:
		g_string_append_printf(o, "4*([%u]&0xf)", k);
		return TRUE;
	default:
		return FALSE;
	}
}

/* Append instruction pc of a classic program to out, in the assembler's
 * syntax with absolute targets as labels Ln ("jeq #7, L4, L2"): with
 * "Ln: " before each line a listing assembles again. */
void
sim_cbpf_disasm(const struct rp_sock_filter *f, guint32 pc, GString *out)
{
	gsize len = out->len;
	const char *m;
	gboolean ok = FALSE;

	g_return_if_fail(f != NULL && out != NULL);
	switch (f->code & 0x07) {
	case RP_BPF_LD:
	case RP_BPF_LDX:
		if ((f->code & 0x07) == RP_BPF_LDX && (f->code & 0xe0) == RP_BPF_MSH) {
			g_string_append(out, "ldxb ");
			ok = (f->code & 0x18) == RP_BPF_B && load_operand(out,
			    f->code, f->k);
			break;
		}
		g_string_append(out, (f->code & 0x07) == RP_BPF_LDX ? "ldx " :
		    (f->code & 0x18) == RP_BPF_H ? "ldh " : (f->code & 0x18) ==
		    RP_BPF_B ? "ldb " : "ld ");
		ok = (f->code & 0xe0) != RP_BPF_MSH && load_operand(out, f->code,
		    f->k) && ((f->code & 0x07) == RP_BPF_LD || ((f->code & 0xe0) !=
		    RP_BPF_ABS && (f->code & 0xe0) != RP_BPF_IND));
		if ((f->code & 0x18) != RP_BPF_W && (f->code & 0xe0) != RP_BPF_ABS &&
		    (f->code & 0xe0) != RP_BPF_IND)
			ok = FALSE;
		break;
	case RP_BPF_ST:
	case RP_BPF_STX:
		g_string_append_printf(out, "%s M[%u]", (f->code & 0x07) ==
		    RP_BPF_ST ? "st" : "stx", f->k);
		ok = f->code == RP_BPF_ST || f->code == RP_BPF_STX;
		break;
	case RP_BPF_ALU:
		if ((f->code & 0xf0) == 0x80) {
			g_string_append(out, "neg");
			ok = TRUE;
		} else if ((m = alu_name(f->code & 0xf0)) != NULL) {
			if (f->code & RP_BPF_X)
				g_string_append_printf(out, "%s x", m);
			else
				g_string_append_printf(out, "%s #%u", m, f->k);
			ok = TRUE;
		}
		break;
	case RP_BPF_JMP:
		if ((f->code & 0xf0) == 0x00) {
			g_string_append_printf(out, "ja L%u", pc + 1 + f->k);
			ok = (f->code & RP_BPF_X) == 0;
		} else if ((m = jump_name(f->code & 0xf0)) != NULL) {
			if (f->code & RP_BPF_X)
				g_string_append_printf(out, "%s x", m);
			else
				g_string_append_printf(out, "%s #%u", m, f->k);
			g_string_append_printf(out, ", L%u, L%u", pc + 1 + f->jt,
			    pc + 1 + f->jf);
			ok = TRUE;
		}
		break;
	case RP_BPF_RET:
		if ((f->code & 0x18) == RP_BPF_A)
			g_string_append(out, "ret a");
		else
			g_string_append_printf(out, "ret #%u", f->k);
		ok = (f->code & 0x18) != RP_BPF_X;
		break;
	default:	/* RP_BPF_MISC */
		g_string_append(out, (f->code & 0xf8) == 0 ? "tax" : "txa");
		ok = (f->code & 0xf8) == 0 || (f->code & 0xf8) == 0x80;
		break;
	}
	if (!ok) {
		g_string_truncate(out, len);
		g_string_append_printf(out, ".insn %#06x jt %u jf %u k %#x",
		    f->code, f->jt, f->jf, f->k);
	}
}
