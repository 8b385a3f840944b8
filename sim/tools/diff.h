/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * diff.h - `reuseport-sim diff`: every scenario on two backends (the
 * model and the live kernel), compared step by step, with a manifest of
 * the intended differences; and `--profile auto`, the model profile
 * nearest a kernel release.
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
 * that was compared but that no divergence used is reported as unused and
 * fails too (except a "maybe" one), so the manifest cannot rot.
 *
 * Ownership: SimManifest belongs to the caller (sim_manifest_free()).
 */
#ifndef SIM_DIFF_H
#define SIM_DIFF_H

#include <stdio.h>

#include <glib.h>

#include "core/sim.h"

G_BEGIN_DECLS

typedef struct SimManifest SimManifest;

typedef struct SimDiffOptions SimDiffOptions;
struct SimDiffOptions {
	const SimBackendOps	*a;		/* the reference: the model */
	const SimBackendOps	*b;		/* compared with it: a kernel */
	const char		*profile;	/* a model profile name */
	const SimManifest	*manifest;	/* or NULL: none known */
	SimFormat		 format;
	FILE			*out;
	FILE			*err;
};

SimManifest	*sim_manifest_parse(const char *name, const char *text,
		    gsize len, GPtrArray *errors);
SimManifest	*sim_manifest_load(const char *path, GPtrArray *errors);
void		 sim_manifest_free(SimManifest *m);
guint		 sim_manifest_size(const SimManifest *m);

int		 sim_diff_paths(const SimDiffOptions *o, char *const *paths,
		    gsize n);

const char	*sim_profile_for_release(const char *release,
		    GError **error);
const char	*sim_profile_auto(GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(SimManifest, sim_manifest_free)

G_END_DECLS

#endif /* SIM_DIFF_H */
