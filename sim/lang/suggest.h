/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * suggest.h - "did you mean" for unknown names (suggest.c).
 */
#ifndef SIM_SUGGEST_H
#define SIM_SUGGEST_H

#include <glib.h>

G_BEGIN_DECLS

/* Words longer than this many bytes get no suggestion. */
#define SIM_SUGGEST_MAX_LEN	64u

gsize		 sim_suggest_distance(const char *a, const char *b);
const char	*sim_suggest(const char *word, const char *const *candidates,
		    gsize n);

G_END_DECLS

#endif /* SIM_SUGGEST_H */
