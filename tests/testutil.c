/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * testutil.c - shared helpers of the Check suites.
 */
#include <stdio.h>
#include <stdlib.h>

#include "testutil.h"

/*
 * Run s with CK_ENV verbosity; Check prints its own summary line
 * ("100%: Checks: N, Failures: F, Errors: E"), which the TAP driver copies
 * into the log.  Returns the number of failures, or 0 under the TAP driver
 * (CK_TAP_LOG_FILE_NAME set), where every failure already shows as a FAIL
 * line and a non-zero exit would count it twice.
 */
int
tu_run_suite(Suite *s)
{
	SRunner *sr = srunner_create(s);
	int failed;

	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	if (getenv("CK_TAP_LOG_FILE_NAME") != NULL)
		return 0;
	return failed;
}

const struct rp_profile *
tu_profile(int i)
{
	return rp_profile_find(i == 0 ? "4.19" : "6.18");
}

struct rp_sockaddr
tu_addr(int family, int loopback, uint16_t port)
{
	struct rp_sockaddr sa = { .addr = { .family = (uint16_t)family },
	    .port = port };

	if (loopback && family == RP_AF_INET) {
		sa.addr.a[0] = 127;
		sa.addr.a[3] = 1;
	} else if (loopback) {
		sa.addr.a[15] = 1;
	}
	return sa;
}

int
tu_reuse_sock(struct rp_state *st, unsigned proc, int family, int type,
    int loopback, uint16_t port)
{
	struct rp_sockaddr sa = tu_addr(family, loopback, port);
	int fd = rp_socket(st, proc, family, type, 0);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(rp_setsockopt_int(st, proc, fd, RP_SO_REUSEPORT, 1), 0);
	ck_assert_int_eq(rp_bind(st, proc, fd, &sa), 0);
	if (type == RP_SOCK_STREAM)
		ck_assert_int_eq(rp_listen(st, proc, fd, 16), 0);
	return fd;
}

uint16_t
tu_port(struct rp_state *st, unsigned proc, int fd)
{
	struct rp_sockaddr sa;

	ck_assert_int_eq(rp_getsockname(st, proc, fd, &sa), 0);
	return sa.port;
}

int
tu_sockarray(struct rp_state *st, unsigned proc, uint32_t vs, uint32_t n)
{
	struct rp_map_attr a;
	int fd;

	rp_map_attr_init(&a, RP_MAP_REUSEPORT_SOCKARRAY, vs, n);
	fd = rp_map_create(st, proc, &a);
	ck_assert_int_ge(fd, 0);
	return fd;
}

void
tu_assert_invariants(const struct rp_state *st)
{
	GError *err = NULL;
	gboolean ok = rp_check(st, &err);

	ck_assert_msg(ok, "invariant broken: %s", err ? err->message : "?");
	g_clear_error(&err);
}
