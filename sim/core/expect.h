/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * expect.h - expectations of statements (expect.c): "= -EBUSY",
 * "= cookie(a)", "= $c", "= m:3", "= a | b" and "@4.19 = ..." overrides.
 */
#ifndef SIM_CORE_EXPECT_H
#define SIM_CORE_EXPECT_H

#include <glib.h>

#include "core/hooks.h"
#include "core/result.h"
#include "lang/scenario.h"

G_BEGIN_DECLS

typedef enum {
	SIM_MATCH,
	SIM_MISMATCH,
	SIM_MATCH_ERROR,	/* could not be decided: error set */
} SimMatch;

gboolean	 sim_expect_check(SimExec *x, const SimStmt *st,
		    const SimExpShape *sh, GError **error);
SimMatch	 sim_expect_match(SimExec *x, const SimResult *r,
		    const SimToken *t, GError **error);
char		*sim_expect_render(const SimExec *x, const SimToken *t);
SimMatch	 sim_expect_counts(SimExec *x, const SimResult *r,
		    const GPtrArray *toks, gboolean *unsure, GError **error);
gboolean	 sim_result_ok(const SimResult *r);
const char	*sim_string_word(const char *bytes, gsize len);
gboolean	 sim_expect_operand(SimExec *x, const SimToken *t,
		    gboolean checking, guint64 *out, GError **error);

G_END_DECLS

#endif /* SIM_CORE_EXPECT_H */
