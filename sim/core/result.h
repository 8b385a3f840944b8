/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * result.h - what a statement returns, in the executor's terms: a value
 * of a kind (a number, a socket, a slot, a delivery ...), an errno, and
 * the expectation forms the statement's verb accepts.  Types only.
 */
#ifndef SIM_CORE_RESULT_H
#define SIM_CORE_RESULT_H

#include <glib.h>

#include "rp.h"

G_BEGIN_DECLS

typedef enum {
	SIM_V_NONE,		/* success without a value */
	SIM_V_NUM,		/* num */
	SIM_V_COOKIE,		/* num: a socket cookie (0 = not generated) */
	SIM_V_SOCK,		/* id, 0 = none */
	SIM_V_MAP,		/* id */
	SIM_V_GROUP,		/* id, 0 = none */
	SIM_V_SLOT,		/* id (map) and key */
	SIM_V_WORD,		/* word, static */
	SIM_V_DELIVERY,		/* d */
	SIM_V_TRUTH,		/* num: 1 yes, 0 no (a comparison) */
	SIM_V_COUNTS,		/* counts: where send repeat=N went */
} SimValueKind;

/* The most receiving sockets a counted send (send ... repeat=N) tells
 * apart; more is an error of the scenario. */
#define SIM_COUNT_SOCKS	16

/* Where the packets of `send ... repeat=N` went (verbs.c). */
typedef struct SimCounts SimCounts;
struct SimCounts {
	guint32		sent;		/* N */
	guint32		dropped;	/* a program's SK_DROP */
	guint32		refused;	/* nothing listening */
	guint32		failed;		/* the packet itself refused (-ERRNO) */
	guint32		hashed;		/* delivered where the hash decided */
	guint32		progs;		/* delivered where a program decided */
	unsigned	group;		/* the group of those, 0: several */
	gboolean	exact;		/* the model computed each share */
	guint		nsock;
	struct {
		unsigned	sock;	/* the receiver's id */
		guint32		n;	/* packets it received */
		guint32		hashed;	/* of them, the hash decided */
		double		share;	/* exact: of the hash's packets, the
					 * part that comes here (0..1) */
	} s[SIM_COUNT_SOCKS];
};

typedef struct SimValue SimValue;
struct SimValue {
	SimValueKind		kind;
	guint64			num;
	unsigned		id;
	guint32			key;
	const char		*word;
	struct rp_delivery	d;
	gboolean		hash_chosen;	/* send gave hash=N */
	SimCounts		counts;		/* SIM_V_COUNTS */
};

/* Expectation forms a result accepts, besides `any`. */
enum {
	SIM_X_STATUS = 1 << 0,	/* 0, ok, -ERRNO, ERRNO */
	SIM_X_NUM = 1 << 1,	/* N compared with the value */
	SIM_X_VAR = 1 << 2,	/* $x */
	SIM_X_COOKIE = 1 << 3,	/* cookie(S) */
	SIM_X_MAPREF = 1 << 4,	/* map(M) */
	SIM_X_SOCK = 1 << 5,	/* S: that socket */
	SIM_X_GROUPOF = 1 << 6,	/* S: the group of S */
	SIM_X_MEMBER = 1 << 7,	/* member(S) */
	SIM_X_SLOT = 1 << 8,	/* M:K */
	SIM_X_STRING = 1 << 9,	/* "text": a WORD value from sim_string_word() */
	SIM_X_COUNTS = 1 << 10,	/* none to S.., all to S.., each of S.. at
				 * least K, S=K.. (send repeat=N) */
};

typedef struct SimExpShape SimExpShape;
struct SimExpShape {
	guint			forms;	/* SIM_X_* */
	const char *const	*words;	/* keywords, NULL-terminated, or NULL */
};

/* What a handler reports about one executed statement. */
typedef struct SimResult SimResult;
struct SimResult {
	int			 err;	/* 0 or a negative errno */
	SimValue		 v;	/* the value on success */
	const SimExpShape	*shape;	/* accepted forms: the verb's default */
	gboolean		 skipped; /* the backend cannot tell: no check */
};

G_END_DECLS

#endif /* SIM_CORE_RESULT_H */
