/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * testutil.h - helpers shared by the Check suites: running a suite with
 * its summary line in the log, and small model set-up shortcuts.
 */
#ifndef TESTUTIL_H
#define TESTUTIL_H

#include <check.h>

#include "rp.h"

/* Run s (CK_ENV verbosity), print Check's summary line; returns failures. */
int	tu_run_suite(Suite *s);

/* One profile per loop index: 0 = "4.19", 1 = "6.18". */
const struct rp_profile *tu_profile(int i);
#define TU_NPROFILES	2

/* rp_sockaddr for "127.0.0.1"/"::1" (or the wildcard) and a port. */
struct rp_sockaddr tu_addr(int family, int loopback, uint16_t port);

/* A SO_REUSEPORT socket of type (RP_SOCK_STREAM/DGRAM) bound to addr:port
 * (port 0: ephemeral) and, for TCP, listening.  Returns its fd. */
int	tu_reuse_sock(struct rp_state *st, unsigned proc, int family, int type,
	    int loopback, uint16_t port);
/* The bound port of fd. */
uint16_t tu_port(struct rp_state *st, unsigned proc, int fd);
/* A sockarray of value_size vs and n entries in process proc. */
int	tu_sockarray(struct rp_state *st, unsigned proc, uint32_t vs,
	    uint32_t n);
/* Asserts rp_check() passes, printing its message otherwise; checks
 * rp_check_step() as tu_check_both() does on the way. */
void	tu_assert_invariants(const struct rp_state *st);
/* rp_check_step() and rp_check() on st: asserts the same verdict and
 * message, no false alarm, and (on a pass) an incremental record equal
 * to a fresh one.  Returns the verdict; *error gets rp_check()'s. */
gboolean tu_check_both(struct rp_state *st, GError **error);
/* White-box, for tests that write model memory directly: tells the
 * incremental checker that len bytes at addr changed from old to new,
 * as the model's own writes do (rp-int.h): the object holding addr is
 * marked and, for a pointer, the objects it stopped and started
 * pointing at.  Nothing before the first rp_check_step(). */
void	tu_mark_write(struct rp_state *st, const void *addr, size_t len,
	    const void *old, const void *new);

#endif /* TESTUTIL_H */
