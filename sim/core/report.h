/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * report.h - the outcome of one scenario under one profile (report.c):
 * passed or not, the failures, the notes on what the backend could not
 * check, the trace, and for `diff` each statement's result in
 * backend-neutral words.
 */
#ifndef SIM_CORE_REPORT_H
#define SIM_CORE_REPORT_H

#include <glib.h>

#include "lang/scenario.h"

G_BEGIN_DECLS

/*
 * One statement as run, for `diff`: its result in backend-neutral words
 * (names, not ids or cookie values), or NULL with why when the backend
 * could not tell.
 */
/* Counted traffic (send ... repeat=N): one receiver as a step saw it. */
typedef struct SimCountShare SimCountShare;
struct SimCountShare {
	char		*name;		/* the socket's name */
	guint32		 n;		/* packets it received */
	guint32		 fixed;		/* of them, not decided by the hash */
	double		 share;		/* exact: of the hash's packets, the
					 * part it gets */
};

typedef struct SimStep SimStep;
struct SimStep {
	const SimStmt	*st;
	char		*result;	/* "-EBUSY", "0", "c(a)", "a", ... */
	char		*why;		/* result NULL: why not */
	gboolean	 ok;		/* met its expectation */
	gboolean	 by_hash;	/* a delivery the hash decided: only
					 * its outcome compares */
	int		 how;		/* a delivery: rp_select_how, else
					 * -1 */
	gboolean	 after_hash_n;	/* not checked: a hash=N send landed
					 * on another member before */
	/* counted traffic: its receivers (SimCountShare *), else NULL */
	GPtrArray	*shares;
	guint32		 hashed;	/* packets the hash decided */
	guint32		 progs;		/* packets a program decided */
	gboolean	 exact;		/* shares computed (the model) */
};

/* Why a step naming a socket is not checked after a hash=N send landed
 * on another member than expected (a backend that cannot choose the
 * hash: the kernel). */
#define SIM_WHY_HASH_N	"hash=N: the backend cannot choose the packet " \
	"hash; its own hash chose another member, and the sockets " \
	"involved are not checked afterwards"

/* Why a per-socket count of counted traffic (send ... repeat=N) is not
 * checked on a backend that cannot choose the packet hash. */
#define SIM_WHY_COUNTS	"repeat=N: the backend cannot choose the packet " \
	"hash; how many packets each member of a group gets by the hash is " \
	"not checked (none to, all to and each of ... at least are)"

typedef struct SimReport SimReport;
struct SimReport {
	gboolean	 passed;
	char		*skip;		/* why it did not run (backend), or NULL */
	GPtrArray	*messages;	/* char *: a failure, then state lines */
	GString		*trace;		/* formatted events; NULL: none */
	GPtrArray	*notes;		/* char *: checks the backend skipped */
	GPtrArray	*steps;		/* SimStep *; set it (see
					 * sim_steps_new()) to have them */
};

void		 sim_report_clear(SimReport *report);
GPtrArray	*sim_steps_new(void);
void		 sim_count_share_free(gpointer p);

G_END_DECLS

#endif /* SIM_CORE_REPORT_H */
