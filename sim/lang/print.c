/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * print.c - a statement as written: "old: update m 0 a = -EBUSY @4.19 = 0".
 * Tokens are printed as their source text, one blank apart, so the output
 * parses back to the same statement.
 */
#include <string.h>

#include "lang/print.h"

static void
print_tokens(const GPtrArray *toks, GString *out)
{
	guint i;

	for (i = 0; i < toks->len; i++)
		g_string_append_printf(out, " %s",
		    ((const SimToken *)toks->pdata[i])->text);
}

/*
 * Append st to out: its label, verb and arguments, and with
 * SIM_PRINT_EXPECT its expectation and overrides; profile, when not NULL,
 * keeps only the override of that profile (a scenario of one profile).
 */
void
sim_stmt_print(const SimStmt *st, SimPrintParts parts, const char *profile,
    GString *out)
{
	guint i;

	g_return_if_fail(st != NULL && out != NULL);
	if (st->label != NULL)
		g_string_append_printf(out, "%s: ", st->label);
	g_string_append(out, st->verb);
	print_tokens(st->args, out);
	if (!(parts & SIM_PRINT_EXPECT))
		return;
	if (st->expect != NULL) {
		g_string_append(out, " =");
		print_tokens(st->expect, out);
	}
	for (i = 0; i < st->overrides->len; i++) {
		const SimOverride *ov = st->overrides->pdata[i];

		if (profile != NULL && strcmp(ov->profile, profile) != 0)
			continue;
		g_string_append_printf(out, " @%s =", ov->profile);
		print_tokens(ov->tokens, out);
	}
}

/* sim_stmt_print() of every override into a new string.  g_free(). */
char *
sim_stmt_text(const SimStmt *st, SimPrintParts parts)
{
	GString *s = g_string_new(NULL);

	sim_stmt_print(st, parts, NULL, s);
	return g_string_free(s, FALSE);
}

/*
 * Append st, a statement of SimScenario.body, as written: a statement on
 * one line, a repeat as its header, its body indented by one more step
 * and "}", an include with parameters as its include line.  indent is
 * the indentation of st's line (two blanks a step); each line ends with
 * '\n'.
 */
void
sim_tree_print(const SimStmt *st, guint indent, const char *profile,
    GString *out)
{
	const SimScope *s = st->scope;

	for (guint i = 0; i < indent; i++)
		g_string_append(out, "  ");
	if (s == NULL) {
		sim_stmt_print(st, SIM_PRINT_EXPECT, profile, out);
		g_string_append_c(out, '\n');
		return;
	}
	if (s->kind == SIM_SCOPE_INCLUDE) {
		g_string_append_printf(out, "include %s", s->path->text);
		for (guint i = 0; i < s->params->len; i++) {
			const SimParam *p = s->params->pdata[i];

			g_string_append_printf(out, " %s=%s", p->name,
			    p->value->text);
		}
		g_string_append_c(out, '\n');
		return;
	}
	if (s->range != NULL)
		g_string_append_printf(out, "repeat %s in %s", s->counter,
		    s->range->text);
	else
		g_string_append_printf(out, "repeat %s", s->count->text);
	if (s->counter != NULL && s->range == NULL)
		g_string_append_printf(out, " as %s", s->counter);
	if (s->step != NULL)
		g_string_append_printf(out, " step %s", s->step->text);
	g_string_append(out, " {\n");
	for (guint i = 0; i < s->body->len; i++)
		sim_tree_print(s->body->pdata[i], indent + 1, profile, out);
	for (guint i = 0; i < indent; i++)
		g_string_append(out, "  ");
	g_string_append(out, "}\n");
}
