/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * fuzz-manifest.c - libFuzzer target of the manifest parser
 * (sim_manifest_parse() in sim/tools/diff.c: the file of intended
 * differences that diff, check-kernel and fuzz-diff read).  Any input is
 * parsed as one manifest.  What it checks: the parser returns, without a
 * crash, a leak, a hang or a sanitizer report; exactly one of manifest
 * and errors comes back; every error is "fuzz.manifest:LINE:COL: ..."
 * with LINE and COL from 1; and every entry kept is whole: a file or a
 * pattern (not both), a reason, the line and column it was read at.
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "tools/diff.h"

#define MANIFEST_NAME	"fuzz.manifest"

/* Whether msg starts with MANIFEST_NAME ":LINE:COL: ", both from 1. */
static gboolean
located(const char *msg)
{
	const char *p = msg + strlen(MANIFEST_NAME);
	char *end;
	int i;

	if (!g_str_has_prefix(msg, MANIFEST_NAME ":"))
		return FALSE;
	for (i = 0; i < 2; i++) {
		if (*p != ':' || !g_ascii_isdigit(p[1]))
			return FALSE;
		if (strtoul(p + 1, &end, 10) == 0)
			return FALSE;
		p = end;
	}
	return strncmp(p, ": ", 2) == 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	g_autoptr(GPtrArray) errors = g_ptr_array_new_with_free_func(g_free);
	g_autoptr(SimManifest) m = sim_manifest_parse(MANIFEST_NAME,
	    (const char *)data, size, errors);
	guint i;

	fuzz_debug("manifest", errors->len > 0 ? errors->pdata[0] : "ok");
	g_assert((m == NULL) == (errors->len > 0));
	for (i = 0; i < errors->len; i++)
		if (!located(errors->pdata[i]))
			g_error("error without a place: %s",
			    (const char *)errors->pdata[i]);
	for (i = 0; m != NULL && i < sim_manifest_size(m); i++) {
		const SimManifestEntry *e = sim_manifest_entry(m, i);

		g_assert((e->file == NULL) != (e->pattern == NULL));
		g_assert(e->pattern == NULL || e->line == 0);
		g_assert(e->reason != NULL && e->reason[0] != '\0');
		g_assert(e->mline >= 1 && e->mcol >= 1);
		g_assert(g_strcmp0(e->mfile, MANIFEST_NAME) == 0);
	}
	return 0;
}
