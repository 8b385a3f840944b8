/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * render-dot.h - the state after a recorded step as a Graphviz DOT
 * picture (render-dot.c), and SVG through dot -Tsvg.
 */
#ifndef SIM_TOOLS_RENDER_DOT_H
#define SIM_TOOLS_RENDER_DOT_H

#include <glib.h>

#include "core/names.h"
#include "tools/record.h"

G_BEGIN_DECLS

void		 sim_render_dot(const SimRecord *rec, guint i, SimNames *nm,
		    GString *out);
char		*sim_render_svg(const char *dot, GError **error);
gboolean	 sim_have_dot(void);

G_END_DECLS

#endif /* SIM_TOOLS_RENDER_DOT_H */
