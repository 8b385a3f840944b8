/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * diff.h - the comparison behind `reuseport-sim diff` (diff.c): every
 * scenario on two backends (the model and the live kernel), compared step
 * by step, with a manifest of the intended differences.
 *
 * A manifest is a text file, one entry a line, '#' starts a comment:
 *
 *	FILE:LINE  REASON	one step (the line of a statement)
 *	FILE:*     REASON	every step of that file
 *	FILE:LINE  maybe REASON	a step that may or may not diverge (it
 *				depends on the kernel's own hash)
 *
 * FILE is matched against the end of the statement's file name at a '/'
 * (so "map/freeze.scn" matches "scenarios/map/freeze.scn"; an included
 * file is named by itself).  A divergence matching an entry is known and
 * shown with the reason; any other divergence fails.  An entry for a file
 * that was compared but that no divergence used is unused and fails too
 * (except a "maybe" one), so the manifest cannot rot.
 *
 * Ownership: SimManifest, SimDiff and what a SimDiffResult holds belong
 * to the caller (the _free() and _clear() functions).
 */
#ifndef SIM_TOOLS_DIFF_H
#define SIM_TOOLS_DIFF_H

#include <glib.h>

#include "core/backend.h"
#include "lang/scenario.h"

G_BEGIN_DECLS

typedef struct SimManifest SimManifest;

typedef struct SimManifestEntry SimManifestEntry;
struct SimManifestEntry {
	char		*file;		/* as written */
	guint		 line;		/* 0: '*', every line */
	char		*reason;
	gboolean	 maybe;		/* may diverge: never reported unused */
	guint		 mline, mcol;	/* where the entry is */
	const char	*mfile;		/* in which manifest file */
};

SimManifest	*sim_manifest_parse(const char *name, const char *text,
		    gsize len, GPtrArray *errors);
SimManifest	*sim_manifest_load(const char *path, GPtrArray *errors);
gboolean	 sim_manifest_append(SimManifest *m, const char *path,
		    GPtrArray *errors);
void		 sim_manifest_free(SimManifest *m);
guint		 sim_manifest_size(const SimManifest *m);
const SimManifestEntry *sim_manifest_entry(const SimManifest *m, guint i);
const char	*sim_manifest_name(const SimManifest *m);

/* One step whose results differ. */
typedef struct SimDivergence SimDivergence;
struct SimDivergence {
	const SimStmt	*st;
	char		*a, *b;		/* the two results */
	int		 entry;		/* manifest entry, or -1 */
};

/* One scenario compared under one profile. */
typedef struct SimDiffResult SimDiffResult;
struct SimDiffResult {
	char		*skip;		/* why it was not compared, or NULL */
	GPtrArray	*divergences;	/* SimDivergence * */
	guint		 compared, uncompared;	/* steps */
	guint		 after_hash_n;	/* of the uncompared: not checked
					 * after a hash=N send landed on
					 * another member */
};

typedef struct SimDiff SimDiff;

SimDiff		*sim_diff_new(const SimBackendOps *a, const SimBackendOps *b,
		    const SimManifest *manifest);
void		 sim_diff_set_check(SimDiff *d, SimCheckMode mode);
void		 sim_diff_free(SimDiff *d);
void		 sim_diff_set_kconfig(SimDiff *d, int mptcp);
void		 sim_diff_scenario(SimDiff *d, const SimScenario *sc,
		    const char *profile, SimDiffResult *out);
gboolean	 sim_diff_entry_unused(const SimDiff *d, guint i);
void		 sim_diff_result_clear(SimDiffResult *r);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(SimManifest, sim_manifest_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(SimDiff, sim_diff_free)

G_END_DECLS

#endif /* SIM_TOOLS_DIFF_H */
