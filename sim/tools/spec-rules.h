/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * spec-rules.h - the rules of docs/SPEC.md as a table, generated at build
 * time by spec-rules.awk into spec-rules.c, so explain quotes the SPEC.md
 * it was built from.
 */
#ifndef SIM_TOOLS_SPEC_RULES_H
#define SIM_TOOLS_SPEC_RULES_H

#include <glib.h>

G_BEGIN_DECLS

/* One rule of docs/SPEC.md. */
typedef struct SimSpecRule SimSpecRule;
struct SimSpecRule {
	const char	*id;
	const char	*title;
	const char	*models;	/* the kernel function(s) */
	const char	*profiles;
	const char	*text;
};
extern const SimSpecRule sim_spec_rules[];
extern const gsize sim_spec_n_rules;

G_END_DECLS

#endif /* SIM_TOOLS_SPEC_RULES_H */
