/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * profiles.c - selecting the model's profiles (profiles.h).
 */
#include <errno.h>
#include <stdio.h>
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

/* Does sc declare profile n?  A scenario that declares none declares
 * all. */
static gboolean
declares(const SimScenario *sc, const char *n)
{
	return sc->profiles->len == 0 || g_ptr_array_find_with_equal_func(
	    sc->profiles, n, g_str_equal, NULL);
}

/* Does sc declare a variant row BASE+WHAT that row n covers (a build
 * combining that variant with others)? */
static gboolean
declares_covered(const SimScenario *sc, const char *n)
{
	for (guint i = 0; i < sc->profiles->len; i++) {
		const char *d = sc->profiles->pdata[i];

		if (strchr(d, '+') != NULL && sim_profile_covers(n, d))
			return TRUE;
	}
	return FALSE;
}

/*
 * The profiles sc runs under, in the model's order: those it declares
 * (all when it declares none) that are also in selected (NULL: all).
 * A build variant BASE+WHAT that is selected by name (as --profile auto
 * selects the variant calibration measured) also runs the scenarios that
 * declare BASE: a variant is a build of that version, and what holds on
 * the version holds on it unless the scenario says otherwise with
 * `@BASE+WHAT` overrides (which it declares the variant for); a row that
 * combines variants (BASE+A+B) also runs those that declare BASE+A.  A
 * new array of static strings.
 */
GPtrArray *
sim_scenario_profiles(const SimScenario *sc, char *const *selected)
{
	GPtrArray *out = g_ptr_array_new();
	const struct rp_profile *p;
	gsize i;

	for (i = 0; (p = rp_profile_nth(i)) != NULL; i++) {
		const char *n = rp_profile_name(p);
		const char *plus = strchr(n, '+');

		if (selected != NULL &&
		    !g_strv_contains((const char *const *)selected, n))
			continue;
		if (!declares(sc, n)) {
			g_autofree char *base = plus != NULL ? g_strndup(n,
			    (gsize)(plus - n)) : NULL;

			if (base == NULL || selected == NULL ||
			    (!declares(sc, base) && !declares_covered(sc, n)))
				continue;
		}
		g_ptr_array_add(out, (char *)n);
	}
	return out;
}

/*
 * The model profile for a kernel release string (uname -r): the model's
 * rp_profile_for_release() decides (the one truth); this only words the
 * refusal.  NULL with error (SIM_ERROR_INPUT) when the release cannot be
 * read or is older than every profile.
 */
const char *
sim_profile_for_release(const char *release, GError **error)
{
	const struct rp_profile *p;
	guint ma = 0, mi = 0;

	g_return_val_if_fail(release != NULL, NULL);
	p = rp_profile_for_release(release);
	if (p != NULL)
		return rp_profile_name(p);
	if (sscanf(release, "%u.%u", &ma, &mi) != 2 ||
	    !g_ascii_isdigit(release[0]) ||
	    !g_ascii_isdigit(release[strcspn(release, ".") + 1]))
		g_set_error(error, SIM_ERROR, SIM_ERROR_INPUT, "--profile "
		    "auto: cannot read a version in the kernel release '%s'",
		    release);
	else
		g_set_error(error, SIM_ERROR, SIM_ERROR_INPUT, "--profile "
		    "auto: kernel %u.%u is older than every profile", ma, mi);
	return NULL;
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
