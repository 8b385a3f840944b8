/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * profiles.c - selecting the model's profiles (profiles.h).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#include "rp.h"

#include "core/error.h"
#include "core/profiles.h"
#include "lang/suggest.h"

/* The names of the model's profiles, NULL-terminated.  g_free() the
 * array, not the names. */
const char **
sim_profile_names(void)
{
	GPtrArray *a = g_ptr_array_new();
	const struct rp_profile *p;
	gsize i;

	for (i = 0; (p = rp_profile_nth(i)) != NULL; i++)
		g_ptr_array_add(a, (char *)rp_profile_name(p));
	g_ptr_array_add(a, NULL);
	return (const char **)g_ptr_array_free(a, FALSE);
}

/* "unknown profile 'NAME' (the model has A, B and C)[, did you mean
 * 'P'?]" when the model has no profile name, else NULL.  g_free(). */
char *
sim_profile_unknown(const char *name)
{
	g_autofree const char **known = NULL;
	g_autofree char *list = NULL;
	const char *hint;
	guint n;

	if (rp_profile_find(name) != NULL)
		return NULL;
	known = sim_profile_names();
	n = g_strv_length((char **)known);
	hint = sim_suggest(name, known, n);
	if (n > 1) {
		g_autofree char *head = NULL;

		known[n - 1] = NULL;	/* the last is joined by "and" */
		head = g_strjoinv(", ", (char **)known);
		known[n - 1] = rp_profile_name(rp_profile_nth(n - 1));
		list = g_strdup_printf("%s and %s", head, known[n - 1]);
	} else {
		list = g_strdup(n == 1 ? known[0] : "none");
	}
	if (hint != NULL)
		return g_strdup_printf("unknown profile '%s' (the model has "
		    "%s), did you mean '%s'?", name, list, hint);
	return g_strdup_printf("unknown profile '%s' (the model has %s)",
	    name, list);
}

/*
 * The profiles sc runs under, in the model's order: those it declares
 * (all when it declares none) that are also in selected (NULL: all).
 * A new array of static strings.
 */
GPtrArray *
sim_scenario_profiles(const SimScenario *sc, char *const *selected)
{
	GPtrArray *out = g_ptr_array_new();
	const struct rp_profile *p;
	gsize i;

	for (i = 0; (p = rp_profile_nth(i)) != NULL; i++) {
		const char *n = rp_profile_name(p);

		if (sc->profiles->len > 0 && !g_ptr_array_find_with_equal_func(
		    sc->profiles, n, g_str_equal, NULL))
			continue;
		if (selected != NULL &&
		    !g_strv_contains((const char *const *)selected, n))
			continue;
		g_ptr_array_add(out, (char *)n);
	}
	return out;
}

/* "6.18.44-foo" -> 6, 18.  FALSE when it does not start so. */
static gboolean
version_of(const char *s, guint *major, guint *minor)
{
	char *end;
	unsigned long a, b;

	if (!g_ascii_isdigit(*s))
		return FALSE;
	a = strtoul(s, &end, 10);
	if (*end != '.' || !g_ascii_isdigit(end[1]))
		return FALSE;
	b = strtoul(end + 1, &end, 10);
	if (a > 1000 || b > 1000)
		return FALSE;
	*major = (guint)a;
	*minor = (guint)b;
	return TRUE;
}

/*
 * The model profile for a kernel release string (uname -r): the one with
 * the highest version at or below the release's major.minor.  NULL with
 * error (SIM_ERROR_INPUT) when the release cannot be read or is older
 * than every profile.
 */
const char *
sim_profile_for_release(const char *release, GError **error)
{
	const struct rp_profile *p;
	const char *best = NULL;
	guint ma, mi, bma = 0, bmi = 0, pma, pmi;
	gsize i;

	g_return_val_if_fail(release != NULL, NULL);
	if (!version_of(release, &ma, &mi)) {
		g_set_error(error, SIM_ERROR, SIM_ERROR_INPUT, "--profile "
		    "auto: cannot read a version in the kernel release '%s'",
		    release);
		return NULL;
	}
	for (i = 0; (p = rp_profile_nth(i)) != NULL; i++) {
		const char *n = rp_profile_name(p);

		if (!version_of(n, &pma, &pmi))
			continue;	/* LCOV_EXCL_LINE: all are N.M */
		if (pma > ma || (pma == ma && pmi > mi))
			continue;
		if (best == NULL || pma > bma || (pma == bma && pmi > bmi)) {
			best = n;
			bma = pma;
			bmi = pmi;
		}
	}
	if (best == NULL)
		g_set_error(error, SIM_ERROR, SIM_ERROR_INPUT, "--profile "
		    "auto: kernel %u.%u is older than every profile", ma, mi);
	return best;
}

/* The profile for the running kernel (uname(2)). */
const char *
sim_profile_auto(GError **error)
{
	struct utsname u;

	if (uname(&u) != 0) {
		g_set_error(error, SIM_ERROR, SIM_ERROR_INPUT, "--profile "
		    "auto: uname: %s", g_strerror(errno));	/* LCOV_EXCL_LINE */
		return NULL;	/* LCOV_EXCL_LINE */
	}
	return sim_profile_for_release(u.release, error);
}
