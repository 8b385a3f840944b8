/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * fuzzdiff.h - random differential testing (fuzzdiff.c): random
 * scenarios (gen.h) run on two backends and compared step by step
 * (diff.h), each new failure shrunk to a minimal scenario (shrink.h).
 *
 * A run is a sequence of cases.  Case k (from 0) is the scenario
 * sim_gen_scenario() writes from seed + k, with `length` statements (the
 * last case fewer, so that the cases add up to `steps`); it is named
 * fuzzdiff/seed-N.scn after its own seed N, and `reuseport-sim gen
 * --seed N --steps LEN --kernel-steps` writes it again.  Each case runs
 * on a (the reference, the model) and b (a kernel) under one profile,
 * with SIM_DIFF_CHANCE, and fails when a divergence is not explained by
 * the manifest or when the reference broke one of its own invariants.
 *
 * A divergence the manifest does not explain that comes after one it
 * does, in the same case, is counted as following it (the two sides'
 * states may differ from there on, through ports or fds no name shows),
 * not failed (sim_fuzz_root()).
 *
 * A failure has a signature: "VERB: A vs B" for a divergence (the verb
 * and the two results), "violation: TAG" for a broken invariant or
 * contract (I3, I14 ...).  The first case showing a signature is shrunk:
 * the candidate still fails when it shows a failure of the same
 * signature (a divergence: on both backends; a violation: on the
 * reference alone).  The minimal scenario is run again `repro` times on
 * both backends to say how reliably it fails (the kernel's hash is its
 * own), and its expectations are filled in with b's answers (a delivery
 * the hash decided expects `member(S)`), so that once the model is fixed
 * it is a regression scenario as it stands.  Later cases of the same
 * signature are counted, not shrunk again.
 *
 * Ownership: the caller owns the SimFuzz and what it hands out is valid
 * during the callback only, except through sim_fuzz_findings() (until
 * sim_fuzz_free()).
 */
#ifndef SIM_TOOLS_FUZZDIFF_H
#define SIM_TOOLS_FUZZDIFF_H

#include <glib.h>

#include "core/backend.h"
#include "tools/diff.h"

G_BEGIN_DECLS

typedef struct SimFuzzOptions SimFuzzOptions;
struct SimFuzzOptions {
	const SimBackendOps	*a;		/* the reference: the model */
	const SimBackendOps	*b;		/* a kernel */
	const SimManifest	*manifest;	/* or NULL */
	const char		*profile;	/* a model profile name */
	guint64			 seed;
	guint			 steps;		/* statements in all */
	guint			 length;	/* statements per case */
	guint			 max_shrink;	/* tests per shrink; 0: none */
	guint			 repro;		/* reruns of a minimal case */
	const char		*found_by;	/* the command, for headers */
	const char		*kernel;	/* b's kernel, for headers */
	const char		*release;	/* b's uname -r, for kernel=
						 * entries of the manifest */
	int			 kconfig_mptcp;	/* sim_diff_set_kconfig(): 0
						 * not measured */
	const char		*note;		/* what calibration said, or
						 * NULL */
};

/* One distinct failure, shrunk. */
typedef struct SimFuzzFinding SimFuzzFinding;
struct SimFuzzFinding {
	char		*signature;
	char		*name;		/* fuzzdiff/seed-N.scn */
	guint64		 seed;		/* of the case that showed it */
	char		*what;		/* where and what, several lines */
	char		*minimal;	/* the shrunk scenario's text */
	guint		 units_before, units_after, tests;
	gboolean	 budget_out;	/* the shrink stopped at max_shrink */
	guint		 reproduced, reruns;
	guint		 cases;		/* cases that showed it */
};

/* One case as compared. */
typedef struct SimFuzzCase SimFuzzCase;
struct SimFuzzCase {
	guint			 index;
	guint64			 seed;
	const char		*name;		/* fuzzdiff/seed-N.scn */
	const char		*text;		/* the scenario */
	guint			 steps;		/* its statements */
	const SimDiffResult	*r;
	gboolean		 failed;	/* unexplained or violated */
	const GPtrArray		*found;		/* SimFuzzFinding *: the
						 * failures it showed first,
						 * shrunk */
};

/* Counts over a run. */
typedef struct SimFuzzCounts SimFuzzCounts;
struct SimFuzzCounts {
	guint	cases, failed, skipped;
	guint	steps, compared, uncompared, chance;
	guint	known, unexplained, violations;
	guint	following;	/* unexplained, after a known one */
};

typedef struct SimFuzz SimFuzz;

/* Called after each case. */
typedef void (*SimFuzzCaseFn)(void *ud, const SimFuzzCase *c);

SimFuzz		*sim_fuzz_new(const SimFuzzOptions *o);
void		 sim_fuzz_free(SimFuzz *f);
void		 sim_fuzz_run(SimFuzz *f, SimFuzzCaseFn fn, void *ud);
const SimFuzzCounts *sim_fuzz_counts(const SimFuzz *f);
const GPtrArray	*sim_fuzz_findings(const SimFuzz *f);
const SimDiff	*sim_fuzz_diff(const SimFuzz *f);

char		*sim_fuzz_case_name(guint64 seed);
gboolean	 sim_fuzz_root(const SimDiffResult *r, guint i);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(SimFuzz, sim_fuzz_free)

G_END_DECLS

#endif /* SIM_TOOLS_FUZZDIFF_H */
