/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * explain.h - the teaching side of reuseport-sim: the narration of a
 * recorded run (explain.c), step by step in the kernel's terms, with the
 * "why" texts of explain-why.c and the rules of docs/SPEC.md
 * (spec-rules.h).  The pictures of the same steps are render-dot.h's and
 * render-html.h's; `reuseport-sim explain` (cli/cmd-explain.c) runs a
 * scenario with a recorder (record.h) and hands each step to them.
 */
#ifndef SIM_TOOLS_EXPLAIN_H
#define SIM_TOOLS_EXPLAIN_H

#include <glib.h>

#include "core/names.h"
#include "tools/record.h"
#include "tools/spec-rules.h"

G_BEGIN_DECLS

const SimSpecRule *sim_spec_rule(const char *id);
void		 sim_explain_step(const SimRecord *rec, guint i, SimNames *nm,
		    GString *out);

/* explain-prog.c: the programs that ran in a step */
void		 sim_explain_progs(const SimStepRec *s, SimNames *nm,
		    GString *out);

/* One instruction a program executed, for the HTML page's stepping: run
 * (1-based, in the step), pc (G_MAXUINT32: a row saying how many more
 * were left out), its text, and for a helper call r1-r5, the result and
 * the map slots it read (or NULL). */
typedef struct SimProgRow SimProgRow;
struct SimProgRow {
	guint		 run;
	guint32		 pc;
	char		*text;
	char		*detail;
};
GPtrArray	*sim_explain_prog_rows(const SimStepRec *s, SimNames *nm);

G_END_DECLS

#endif /* SIM_TOOLS_EXPLAIN_H */
