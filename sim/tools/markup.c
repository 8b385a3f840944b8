/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * markup.c - escaping for HTML and Graphviz HTML-like labels (markup.h).
 */
#include "tools/markup.h"

/* Append text to out with & < > " ' escaped (g_markup_escape_text()). */
void
sim_markup_append(GString *out, const char *text)
{
	g_autofree char *e = g_markup_escape_text(text, -1);

	g_string_append(out, e);
}
