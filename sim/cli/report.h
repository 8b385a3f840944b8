/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * report.h - the report writers of run, diff and explore (report.c): one
 * result per scenario and profile, then a summary, as text, TAP or JSON
 * (one object a line, docs/output-formats.md).  TAP is version 13 and
 * stays TAP on bad input (Bail out!).  JSON goes through json.h.
 */
#ifndef SIM_CLI_REPORT_H
#define SIM_CLI_REPORT_H

#include <stdio.h>

#include <glib.h>
#include <json-glib/json-glib.h>

#include "core/error.h"
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
	FILE		*err;		/* input errors as text */
	const char	*command;	/* "run", "diff", "explore" */
	guint		 n;		/* results written (TAP test points) */
	guint		 passed, failed, skipped;
};

/* The counts of a diff beyond the writer's. */
typedef struct SimDiffCounts SimDiffCounts;
struct SimDiffCounts {
	guint	known, unexplained, compared, uncompared, unused;
	guint	after_hash_n;	/* not checked after a hash=N send */
};

void	 sim_writer_init(SimWriter *w, SimFormat format, FILE *out,
	    FILE *err, const char *command);
void	 sim_write_begin(SimWriter *w, guint plan);
int	 sim_write_input_errors(SimWriter *w, const GPtrArray *diags);
void	 sim_json_divergence(JsonBuilder *b, const SimDivergence *d,
	    const SimManifest *m, const char *aname, const char *bname);
SimManifest *sim_load_manifests(const GPtrArray *files, SimFormat format,
	    const char *command, int *st);
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
void	 sim_write_diff_unused(SimWriter *w, const SimDiag *d);
void	 sim_write_diff_summary(SimWriter *w, const SimDiffCounts *c);
void	 sim_write_explore(SimWriter *w, const SimExploreOptions *o,
	    const char *name, const char *profile, const SimExploreStats *s);
void	 sim_write_explore_summary(SimWriter *w, int status);
void	 sim_put_lines(FILE *out, const char *prefix, const char *text);

G_END_DECLS

#endif /* SIM_CLI_REPORT_H */
