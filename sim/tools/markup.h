/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * markup.h - text in HTML and in Graphviz's HTML-like labels (markup.c):
 * the one escaping of the pictures and the page.
 */
#ifndef SIM_TOOLS_MARKUP_H
#define SIM_TOOLS_MARKUP_H

#include <glib.h>

G_BEGIN_DECLS

void	 sim_markup_append(GString *out, const char *text);

G_END_DECLS

#endif /* SIM_TOOLS_MARKUP_H */
