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
 *	"PATTERN"  REASON	any step, in any file, whose divergence
 *				reads as PATTERN (below)
 *
 * Either kind may say kernel=GLOB (after "maybe", before the reason):
 * it then applies only where the compared kernel's release (uname -r)
 * matches GLOB, a build variant named as such, and is never unused
 * elsewhere.
 *
 * FILE is matched against the end of the statement's file name at a '/'
 * (so "map/freeze.scn" matches "scenarios/map/freeze.scn"; an included
 * file is named by itself).  A divergence matching an entry is known and
 * shown with the reason; any other divergence fails.  An entry for a file
 * that was compared but that no divergence used is unused and fails too
 * (except a "maybe" one), so the manifest cannot rot.
 *
 * A pattern entry explains a kind of divergence wherever it shows, which
 * is what random scenarios (fuzz-diff) need: they have no fixed lines.
 * PATTERN is a glob ('*' any run of characters, '?' one; no '"') matched
 * against the whole line "CALL => A vs B": the statement without its
 * process label, then the two results, e.g.
 *	"socket * proto=262 => -EPROTONOSUPPORT vs 0"
 * File entries are tried first.  A pattern entry is never reported
 * unused (a random run may not meet it); fuzz-diff counts its uses.
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
	char		*file;		/* as written; NULL for a pattern */
	char		*pattern;	/* "PATTERN" entries, else NULL */
	char		*kernel;	/* kernel=GLOB: the releases it is for */
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

/* The line a pattern entry is matched against (g_free()). */
char		*sim_divergence_subject(const SimStmt *st, const char *a,
		    const char *b);

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
	guint		 chance;	/* of uncompared: left to chance or
					 * following a divergence */
	/* char *: what the reference run reported against itself, an
	 * invariant or a result contract broken (the first line of each) */
	GPtrArray	*violations;
	guint		 after_hash_n;	/* of the uncompared: not checked
					 * after a hash=N send landed on
					 * another member */
	/* char *: "FILE:LINE:COL: counted traffic, RULE: held|broken", one
	 * per counted send (send ... repeat=N) compared */
	GPtrArray	*counted;
};

/*
 * How to compare.  SIM_DIFF_CHANCE: where the reference (the model) let
 * its hash choose among two or more sockets (a connection or datagram by
 * hash, a program keyed by the hash, a child migrated by hash), the
 * other backend's own hash may have chosen another: the step's result
 * still compares as "delivered", but the sockets involved (the group's
 * members, the statement's names) are not compared from there on, nor is
 * anything a later step names together with one of them.  Likewise the
 * key a next-key returns from a SOCKHASH or HASH_OF_MAPS of two keys or
 * more compares only as "a key" (the kernel walks them in the order of
 * a hash seeded at random for each map).  For scenarios
 * that do not pin placements (random ones); the reference must have
 * model-only queries.
 *
 * SIM_DIFF_ROOTS: after a divergence, the names its statement mentions
 * are not compared any more either (nor what a later step names with
 * them): what follows from one wrong answer (an fd that exists on one
 * side only) is not a divergence of its own, and a known divergence
 * explains its consequences.
 */
typedef enum {
	SIM_DIFF_CHANCE = 1 << 0,
	SIM_DIFF_ROOTS = 1 << 1,
} SimDiffFlags;

typedef struct SimDiff SimDiff;

SimDiff		*sim_diff_new(const SimBackendOps *a, const SimBackendOps *b,
		    const SimManifest *manifest);
void		 sim_diff_set_flags(SimDiff *d, guint flags);
void		 sim_diff_set_release(SimDiff *d, const char *release);
guint		 sim_diff_entry_uses(const SimDiff *d, guint i);
void		 sim_diff_set_check(SimDiff *d, SimCheckMode mode);
void		 sim_diff_free(SimDiff *d);
void		 sim_diff_set_kconfig(SimDiff *d, int mptcp);
void		 sim_diff_scenario(SimDiff *d, const SimScenario *sc,
		    const char *profile, SimDiffResult *out);
gboolean	 sim_diff_entry_unused(const SimDiff *d, guint i);
void		 sim_diff_result_clear(SimDiffResult *r);
gboolean	 sim_diff_is_violation(const char *msg);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(SimManifest, sim_manifest_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(SimDiff, sim_diff_free)

G_END_DECLS

#endif /* SIM_TOOLS_DIFF_H */
