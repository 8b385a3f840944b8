/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * report.h - the report writers of run, diff and explore (report.c): one
 * result per scenario and profile, then a summary, as text, TAP or JSON
 * (one object a line).  JSON strings go through json.h.
 */
#ifndef SIM_CLI_REPORT_H
#define SIM_CLI_REPORT_H

#include <stdio.h>

#include <glib.h>

#include "core/report.h"
#include "tools/diff.h"
#include "tools/explore.h"

G_BEGIN_DECLS

typedef enum {
	SIM_FORMAT_TEXT,
	SIM_FORMAT_TAP,
	SIM_FORMAT_JSON,
} SimFormat;

/* Where results go, and the counts so far. */
typedef struct SimWriter SimWriter;
struct SimWriter {
	SimFormat	 format;
	FILE		*out;
	guint		 n;		/* results written (TAP test points) */
	guint		 passed, failed, skipped;
};

/* The counts of a diff beyond the writer's. */
typedef struct SimDiffCounts SimDiffCounts;
struct SimDiffCounts {
	guint	known, unexplained, compared, uncompared, unused;
	guint	after_hash_n;	/* not checked after a hash=N send */
};

void	 sim_write_kernel(SimWriter *w, const char *release,
	    const char *profile, const char *note);
void	 sim_write_skip(SimWriter *w, const char *name, const char *profile,
	    const GPtrArray *notes, const char *why);
void	 sim_write_run(SimWriter *w, const char *name, const char *profile,
	    const SimReport *rep);
void	 sim_write_run_summary(SimWriter *w);
void	 sim_write_diff(SimWriter *w, const char *name, const char *profile,
	    const SimDiffResult *r, const SimManifest *m, const char *aname,
	    const char *bname);
void	 sim_write_diff_unused(SimWriter *w, const char *msg);
void	 sim_write_diff_summary(SimWriter *w, const SimDiffCounts *c);
void	 sim_write_explore(SimWriter *w, const SimExploreOptions *o,
	    const char *name, const char *profile, const SimExploreStats *s);

G_END_DECLS

#endif /* SIM_CLI_REPORT_H */
