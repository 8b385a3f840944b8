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
/* Asserts rp_check() passes, printing its message otherwise. */
void	tu_assert_invariants(const struct rp_state *st);

#endif /* TESTUTIL_H */
