/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * suggest.c - nearest-name suggestions for error messages, as in
 * "unknown verb 'updat', did you mean 'update'?".
 *
 * The distance is Damerau-Levenshtein in its optimal string alignment
 * form: insertions, deletions, substitutions and transpositions of two
 * adjacent bytes each cost 1, and no substring is edited twice.  Bytes are
 * compared as they are (case matters; a multi-byte UTF-8 character counts
 * as several bytes).
 */
#include <string.h>

#include "lang/suggest.h"

/*
 * Return the optimal string alignment distance between a and b.  Both must
 * be at most SIM_SUGGEST_MAX_LEN bytes long.  Cannot fail.
 */
gsize
sim_suggest_distance(const char *a, const char *b)
{
	gsize rows[3][SIM_SUGGEST_MAX_LEN + 1];
	gsize *prev2 = rows[0], *prev = rows[1], *cur = rows[2], *tmp;
	gsize la, lb, i, j;

	g_return_val_if_fail(a != NULL && b != NULL, 0);
	la = strlen(a);
	lb = strlen(b);
	g_return_val_if_fail(la <= SIM_SUGGEST_MAX_LEN, la);
	g_return_val_if_fail(lb <= SIM_SUGGEST_MAX_LEN, lb);

	for (j = 0; j <= lb; j++)
		prev[j] = j;
	for (i = 1; i <= la; i++) {
		cur[0] = i;
		for (j = 1; j <= lb; j++) {
			gsize cost = a[i - 1] != b[j - 1];
			gsize d = prev[j - 1] + cost;

			d = MIN(d, prev[j] + 1);
			d = MIN(d, cur[j - 1] + 1);
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] &&
			    a[i - 2] == b[j - 1])
				d = MIN(d, prev2[j - 2] + 1);
			cur[j] = d;
		}
		tmp = prev2;
		prev2 = prev;
		prev = cur;
		cur = tmp;
	}
	return prev[lb];
}

/*
 * Return the candidate nearest to word, or NULL when even the nearest one
 * is more than max(1, strlen(word) / 3) edits away.  Ties go to the
 * earlier candidate; an exact match is returned as is.  NULL entries and
 * candidates longer than SIM_SUGGEST_MAX_LEN are skipped, and a word longer
 * than that gets NULL.  The result points into candidates.  Cannot fail.
 */
const char *
sim_suggest(const char *word, const char *const *candidates, gsize n)
{
	const char *best = NULL;
	gsize wlen, limit, best_d = G_MAXSIZE, i;

	g_return_val_if_fail(word != NULL, NULL);
	g_return_val_if_fail(candidates != NULL || n == 0, NULL);

	wlen = strlen(word);
	if (wlen > SIM_SUGGEST_MAX_LEN)
		return NULL;
	limit = MAX(1, wlen / 3);
	for (i = 0; i < n; i++) {
		const char *c = candidates[i];
		gsize clen, d;

		if (c == NULL)
			continue;
		clen = strlen(c);
		if (clen > SIM_SUGGEST_MAX_LEN)
			continue;
		/* the distance is at least the difference in length */
		if ((clen > wlen ? clen - wlen : wlen - clen) > limit)
			continue;
		d = sim_suggest_distance(word, c);
		if (d <= limit && d < best_d) {
			best = c;
			best_d = d;
		}
	}
	return best;
}
