/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * gen.h - random, valid scenarios (gen.c): the generator behind
 * `reuseport-sim fuzz-diff` (the model against a live kernel) and the
 * soak (the model against a naive reference): one generator, two uses.
 *
 * A scenario is a pure function of its options: the same seed, step
 * count, profile and flags give the same text, byte for byte, on every
 * machine (the generator has its own PRNG, splitmix64).  The text is a
 * scenario anyone can read and re-run: a header naming the seed, an
 * optional `profile` line, then one statement a line, each `= any`, so
 * that a run records every result and fails only on an invariant, a
 * result contract or a bad input (which the generator never writes:
 * every name is defined before it is used, every argument is in the
 * language).
 *
 * The generator keeps a shadow of what it asked for (sockets and the
 * process holding each, which were given SO_REUSEPORT, bound to which
 * port, listening, connected; maps and their sizes; programs), never of
 * what the backend answered, and uses it to write steps that mostly do
 * something: operations on names that exist in the process that holds
 * them, ports from a small shared pool so that groups form and binds
 * collide, keys inside the map, values of the right kind, traffic to
 * ports where something is bound.  Now and then it writes the odd step
 * on purpose (another process's name, a key past the end, a map where a
 * socket belongs), so error paths are compared too.
 *
 * Ownership: the returned text belongs to the caller (g_free()).
 */
#ifndef SIM_TOOLS_GEN_H
#define SIM_TOOLS_GEN_H

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
	/* only steps a live kernel backend can carry out and compare: no
	 * `owner S foreign`, no request sockets held in NEW_SYN_RECV
	 * (`conn=request`, ack-requests, synack-timer), no CPU above 0, no
	 * kernel.unprivileged_bpf_disabled, no `hash=N` */
	SIM_GEN_KERNEL = 1 << 0,
} SimGenFlags;

typedef struct SimGenOptions SimGenOptions;
struct SimGenOptions {
	guint64		 seed;
	guint		 steps;		/* statements, at least 1 */
	const char	*profile;	/* the `profile` line, or NULL */
	const char	*title;		/* header line 1, or NULL */
	guint		 flags;		/* SimGenFlags */
};

char	*sim_gen_scenario(const SimGenOptions *o);

G_END_DECLS

#endif /* SIM_TOOLS_GEN_H */
