/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * render-html.h - one self-contained HTML page of a recorded run
 * (render-html.c): the scenario beside the picture of each step.
 */
#ifndef SIM_TOOLS_RENDER_HTML_H
#define SIM_TOOLS_RENDER_HTML_H

#include <glib.h>

#include "core/names.h"
#include "tools/record.h"

G_BEGIN_DECLS

/* The page of rec: svgs[i] is the picture of step i, explains[i] its
 * narration; nm names the objects of the programs' instructions, which
 * the page steps through one by one. */
void		 sim_render_html(const SimRecord *rec, char **svgs,
		    char **explains, SimNames *nm, GString *out);

G_END_DECLS

#endif /* SIM_TOOLS_RENDER_HTML_H */
