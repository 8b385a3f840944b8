/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * check_state.c - unit tests of model/state.c and the edges of the public
 * API: namespaces and processes and their limits, the two sysctls, the fd
 * table (dup, passing, close, calls on a wrong kind of fd), the read-only
 * queries for ids that do not name a live object, the names of events and
 * scheduling points, and calls with a NULL argument (a GLib critical and
 * an error return, never a crash).
 *
 * One TCase per area ("state/<area>"); every case runs under both
 * profiles (the loop index) and names the docs/SPEC.md rules it pins, or
 * says which contract of rp.h it checks where no rule applies.
 */
#include <errno.h>
#include <string.h>

#include <check.h>
#include <glib.h>

#include "rp-int.h"
#include "testutil.h"

#define PORT	40000

/* ---------------------------------------------------------------------
 * state/netns-proc
 */

/* R-NS-4 (rp.h: processes live in a namespace that exists): a process in
 * an unknown netns is -ENOENT; caps and memlock of an unknown process are
 * -ESRCH; every socket or map call naming an unknown process is -ESRCH. */
TU_LOOP(proc_unknown, "state/netns-proc", TU_EVERY_PROFILE)
{
	struct rp_state *st = tu_state_of(tu_prof(_i));
	struct rp_sockaddr sa = tu_addr(RP_AF_INET, 1, PORT);
	struct rp_map_attr a;
	struct rp_prog_attr pa = { .prog_type = RP_PROG_SK_REUSEPORT,
	    .map_fd = -1 };
	struct rp_cbpf cb = { .k = 0 };
	uint64_t v;
	uint32_t next;

	ck_assert_int_eq(rp_proc_new(st, 7, 0, RP_CAP_ALL), -ENOENT);
	ck_assert_int_eq(rp_proc_set_caps(st, 9, 0), -ESRCH);
	ck_assert_int_eq(rp_proc_set_memlock(st, 9, 0), -ESRCH);
	ck_assert_int_eq(rp_socket(st, 9, RP_AF_INET, RP_SOCK_STREAM, 0),
	    -ESRCH);
	ck_assert_int_eq(rp_setsockopt_int(st, 9, 3, RP_SO_REUSEPORT, 1),
	    -ESRCH);
	ck_assert_int_eq(rp_bind(st, 9, 3, &sa), -ESRCH);
	ck_assert_int_eq(rp_listen(st, 9, 3, 1), -ESRCH);
	ck_assert_int_eq(rp_connect(st, 9, 3, &sa), -ESRCH);
	ck_assert_int_eq(rp_shutdown(st, 9, 3, RP_SHUT_RDWR), -ESRCH);
	ck_assert_int_eq(rp_accept(st, 9, 3), -ESRCH);
	ck_assert_int_eq(rp_getsockname(st, 9, 3, &sa), -ESRCH);
	ck_assert_int_eq(rp_attach_cbpf(st, 9, 3, &cb), -ESRCH);
	ck_assert_int_eq(rp_attach_ebpf(st, 9, 3, 4), -ESRCH);
	ck_assert_int_eq(rp_detach_bpf(st, 9, 3), -ESRCH);
	rp_map_attr_init(&a, RP_MAP_REUSEPORT_SOCKARRAY, 8, 4);
	ck_assert_int_eq(rp_map_create(st, 9, &a), -ESRCH);
	ck_assert_int_eq(rp_map_lookup(st, 9, 3, 0, &v, 0), -ESRCH);
	ck_assert_int_eq(rp_map_update(st, 9, 3, 0, 3, 0), -ESRCH);
	ck_assert_int_eq(rp_map_get_next_key(st, 9, 3, NULL, &next), -ESRCH);
	ck_assert_int_eq(rp_prog_load(st, 9, &pa), -ESRCH);
	ck_assert_int_eq(rp_prog_migrate_set(st, 9, 3, 1, 0), -ESRCH);
	ck_assert_int_eq(rp_fd_dup(st, 9, 3), -ESRCH);
	ck_assert_int_eq(rp_fd_pass(st, 9, 3, 0), -ESRCH);
	ck_assert_int_eq(rp_fd_pass(st, 0, 3, 9), -ESRCH);
	ck_assert_int_eq(rp_close(st, 9, 3), -ESRCH);
	ck_assert_uint_eq(rp_fd_sock(st, 9, 3), 0);
	tu_state_done(st);
}
END_TEST

/* rp.h: the model holds at most 4096 namespaces and 4096 processes; one
 * more is -ENOSPC and changes nothing. */
TU_LOOP(proc_limits, "state/netns-proc", TU_EVERY_PROFILE)
{
	struct rp_state *st = tu_state_of(tu_prof(_i));
	int n, last = 0;

	while ((n = rp_netns_new(st)) > 0)
		last = n;
	ck_assert_int_eq(n, -ENOSPC);
	ck_assert_int_eq(last, 4095);
	while ((n = rp_proc_new(st, 4095, 0, 0)) > 0)
		last = n;
	ck_assert_int_eq(n, -ENOSPC);
	ck_assert_int_eq(last, 4095);
	/* the last process works, in the last namespace */
	n = rp_socket(st, 4095, RP_AF_INET, RP_SOCK_DGRAM, 0);
	ck_assert_int_eq(n, 3);
	tu_state_done(st);
}
END_TEST

/* ---------------------------------------------------------------------
 * state/sysctl
 */

/* R-NS-3 R-MIG-6: net.ipv4.tcp_migrate_req exists only where the profile
 * says so (switch migrate_req_sysctl), per netns, 0 or 1;
 * kernel.unprivileged_bpf_disabled is 0..2 and 1 cannot be cleared again
 * (-EPERM); other names and unknown namespaces -ENOENT. */
TU_LOOP(sysctl_values, "state/sysctl", TU_EVERY_PROFILE)
{
	struct rp_state *st = tu_state_of(tu_prof(_i));
	const char *mig = "net.ipv4.tcp_migrate_req";
	const char *unpriv = "kernel.unprivileged_bpf_disabled";

	ck_assert_int_eq(rp_sysctl_set(st, 0, "net.core.somaxconn", 1),
	    -ENOENT);
	ck_assert_int_eq(rp_sysctl_set(st, 5, unpriv, 0), -ENOENT);
	if (tu_prof(_i)->migrate_req_sysctl) {
		ck_assert_int_eq(rp_sysctl_set(st, 0, mig, 2), -EINVAL);
		ck_assert_int_eq(rp_sysctl_set(st, 0, mig, -1), -EINVAL);
		ck_assert_int_eq(rp_sysctl_set(st, 0, mig, 1), 0);
	} else {
		ck_assert_int_eq(rp_sysctl_set(st, 0, mig, 1), -ENOENT);
	}
	ck_assert_int_eq(rp_sysctl_set(st, 0, unpriv, 3), -EINVAL);
	ck_assert_int_eq(rp_sysctl_set(st, 0, unpriv, -1), -EINVAL);
	ck_assert_int_eq(rp_sysctl_set(st, 0, unpriv, 2), 0);
	ck_assert_int_eq(rp_sysctl_set(st, 0, unpriv, 0), 0);
	ck_assert_int_eq(rp_sysctl_set(st, 0, unpriv, 1), 0);
	ck_assert_int_eq(rp_sysctl_set(st, 0, unpriv, 0), -EPERM);
	ck_assert_int_eq(rp_sysctl_set(st, 0, unpriv, 2), -EPERM);
	ck_assert_int_eq(rp_sysctl_set(st, 0, unpriv, 1), 0);
	rp_state_free(st);
}
END_TEST

/* ---------------------------------------------------------------------
 * state/fd
 */

/* R-SOCK-8 R-SOCK-9: dup, pass and close of fds that are not open are
 * -EBADF; a closed fd number is handed out again (lowest free first). */
TU_LOOP(fd_table, "state/fd", TU_EVERY_PROFILE)
{
	struct rp_state *st = tu_state_of(tu_prof(_i));
	int p1 = rp_proc_new(st, 0, 0, RP_CAP_ALL);
	int a = rp_socket(st, 0, RP_AF_INET, RP_SOCK_DGRAM, 0);
	int b = rp_socket(st, 0, RP_AF_INET, RP_SOCK_DGRAM, 0);

	ck_assert_int_eq(a, 3);
	ck_assert_int_eq(b, 4);
	ck_assert_int_eq(rp_fd_dup(st, 0, 99), -EBADF);
	ck_assert_int_eq(rp_fd_dup(st, 0, -1), -EBADF);
	ck_assert_int_eq(rp_fd_pass(st, 0, 99, (unsigned)p1), -EBADF);
	ck_assert_int_eq(rp_close(st, 0, -1), -EBADF);
	ck_assert_int_eq(rp_close(st, 0, 99), -EBADF);
	ck_assert_int_eq(rp_close(st, 0, 1), -EBADF);	/* stdio: unused */
	ck_assert_int_eq(rp_close(st, 0, a), 0);
	ck_assert_int_eq(rp_close(st, 0, a), -EBADF);
	ck_assert_int_eq(rp_fd_dup(st, 0, b), a);	/* lowest free */
	ck_assert_int_eq(rp_fd_pass(st, 0, b, (unsigned)p1), 3);
	ck_assert_uint_eq(rp_fd_sock(st, (unsigned)p1, 3),
	    rp_fd_sock(st, 0, b));
	tu_state_done(st);
}
END_TEST

/* R-UPD-0a R-LKP-1b (map calls), rp.h (socket calls): an fd of the wrong
 * kind is -EINVAL for map commands and -ENOTSOCK for socket calls; the
 * fd queries return 0 for the other kinds. */
TU_LOOP(fd_wrong_kind, "state/fd", TU_EVERY_PROFILE)
{
	struct rp_state *st = tu_state_of(tu_prof(_i));
	struct rp_sockaddr sa = tu_addr(RP_AF_INET, 1, PORT);
	struct rp_cbpf cb = { .k = 0 };
	int map = tu_sockarray(st, 0, 8, 4);
	int sk = rp_socket(st, 0, RP_AF_INET, RP_SOCK_DGRAM, 0);
	uint64_t v;
	uint32_t next;

	ck_assert_int_eq(rp_map_lookup(st, 0, sk, 0, &v, 0), -EINVAL);
	ck_assert_int_eq(rp_map_update(st, 0, sk, 0, (uint64_t)sk, 0),
	    -EINVAL);
	ck_assert_int_eq(rp_map_delete(st, 0, sk, 0), -EINVAL);
	ck_assert_int_eq(rp_map_get_next_key(st, 0, sk, NULL, &next),
	    -EINVAL);
	ck_assert_int_eq(rp_map_lookup(st, 0, 77, 0, &v, 0), -EBADF);
	ck_assert_int_eq(rp_setsockopt_int(st, 0, map, RP_SO_REUSEPORT, 1),
	    -ENOTSOCK);
	ck_assert_int_eq(rp_bind(st, 0, map, &sa), -ENOTSOCK);
	ck_assert_int_eq(rp_listen(st, 0, map, 1), -ENOTSOCK);
	ck_assert_int_eq(rp_connect(st, 0, map, &sa), -ENOTSOCK);
	ck_assert_int_eq(rp_shutdown(st, 0, map, RP_SHUT_RD), -ENOTSOCK);
	ck_assert_int_eq(rp_accept(st, 0, map), -ENOTSOCK);
	ck_assert_int_eq(rp_getsockopt_cookie(st, 0, map, &v), -ENOTSOCK);
	ck_assert_int_eq(rp_getsockname(st, 0, map, &sa), -ENOTSOCK);
	ck_assert_int_eq(rp_set_foreign_owner(st, 0, map), -ENOTSOCK);
	ck_assert_int_eq(rp_attach_cbpf(st, 0, map, &cb), -ENOTSOCK);
	ck_assert_int_eq(rp_detach_bpf(st, 0, map), -ENOTSOCK);
	ck_assert_int_eq(rp_bind(st, 0, 77, &sa), -EBADF);
	ck_assert_uint_eq(rp_fd_sock(st, 0, map), 0);
	ck_assert_uint_eq(rp_fd_map(st, 0, sk), 0);
	ck_assert_uint_eq(rp_fd_prog(st, 0, sk), 0);
	ck_assert_uint_eq(rp_fd_sock(st, 0, -1), 0);
	ck_assert_uint_eq(rp_fd_sock(st, 0, 1000), 0);
	rp_state_free(st);
}
END_TEST

/* ---------------------------------------------------------------------
 * state/query
 */

/* rp.h: ids stay valid after the object is freed, queries then return
 * -ENOENT (or 0); id 0 and ids never handed out behave the same. */
TU_LOOP(query_unknown_ids, "state/query", TU_EVERY_PROFILE)
{
	struct rp_state *st = tu_state_of(tu_prof(_i));
	struct rp_sock_info si;
	struct rp_group_info gi;
	struct rp_map_info mi;
	int fd = tu_reuse_sock(st, 0, RP_AF_INET, RP_SOCK_DGRAM, 1, PORT);
	int map = tu_sockarray(st, 0, 8, 4);
	unsigned sid = rp_fd_sock(st, 0, fd), mid = rp_fd_map(st, 0, map);
	unsigned g;

	ck_assert_int_eq(rp_sock_info(st, sid, &si), 0);
	g = si.group;
	ck_assert_uint_ne(g, 0);
	ck_assert_int_eq(rp_sock_info(st, 0, &si), -ENOENT);
	ck_assert_int_eq(rp_sock_info(st, 1000, &si), -ENOENT);
	ck_assert_int_eq(rp_group_info(st, 0, &gi), -ENOENT);
	ck_assert_int_eq(rp_group_info(st, 1000, &gi), -ENOENT);
	ck_assert_int_eq(rp_map_info(st, 0, &mi), -ENOENT);
	ck_assert_int_eq(rp_map_info(st, 1000, &mi), -ENOENT);
	ck_assert_uint_eq(rp_group_sock_at(st, 0, 0), 0);
	ck_assert_uint_eq(rp_group_sock_at(st, 1000, 0), 0);
	ck_assert_uint_eq(rp_group_sock_at(st, g, 0), sid);
	ck_assert_uint_eq(rp_group_sock_at(st, g, 1), 0);
	ck_assert_uint_eq(rp_group_sock_at(st, g, 5000), 0);
	ck_assert_uint_eq(rp_map_slot(st, 0, 0), 0);
	ck_assert_uint_eq(rp_map_slot(st, 1000, 0), 0);
	ck_assert_uint_eq(rp_map_slot(st, mid, 4), 0);
	/* freed: the same ids now answer -ENOENT */
	ck_assert_int_eq(rp_close(st, 0, fd), 0);
	ck_assert_int_eq(rp_close(st, 0, map), 0);
	ck_assert_int_eq(rp_sock_info(st, sid, &si), -ENOENT);
	ck_assert_int_eq(rp_group_info(st, g, &gi), -ENOENT);
	ck_assert_uint_eq(rp_group_sock_at(st, g, 0), 0);
	ck_assert_int_eq(rp_map_info(st, mid, &mi), -ENOENT);
	ck_assert_uint_eq(rp_map_slot(st, mid, 0), 0);
	rp_state_free(st);
}
END_TEST

/* R-MIM-6: rp_map_slot() of an outer map names the inner map's id, and 0
 * for an empty or out-of-range key. */
TU_LOOP(query_outer_slots, "state/query", TU_EVERY_PROFILE)
{
	struct rp_state *st = tu_state_of(tu_prof(_i));
	int inner = tu_sockarray(st, 0, 8, 4);
	int out = tu_map(st, 0, RP_MAP_ARRAY_OF_MAPS, 4, 2, 0, inner);
	int hout = tu_map(st, 0, RP_MAP_HASH_OF_MAPS, 4, 2, 0, inner);
	unsigned oid, hid, iid = rp_fd_map(st, 0, inner);

	oid = rp_fd_map(st, 0, out);
	hid = rp_fd_map(st, 0, hout);
	ck_assert_int_eq(rp_map_update(st, 0, out, 1, (uint64_t)inner,
	    RP_BPF_ANY), 0);
	ck_assert_int_eq(rp_map_update(st, 0, hout, 9, (uint64_t)inner,
	    RP_BPF_ANY), 0);
	ck_assert_uint_eq(rp_map_slot(st, oid, 1), iid);
	ck_assert_uint_eq(rp_map_slot(st, oid, 0), 0);
	ck_assert_uint_eq(rp_map_slot(st, oid, 2), 0);
	ck_assert_uint_eq(rp_map_slot(st, hid, 9), iid);
	ck_assert_uint_eq(rp_map_slot(st, hid, 1), 0);
	tu_state_done(st);
}
END_TEST

/* rp.h: every event kind and scheduling point has a name; other values
 * are "?". */
TU_CASE(query_names, "state/query")
{
	ck_assert_str_eq(rp_event_kind_name(RP_EV_SOCK_NEW), "sock_new");
	ck_assert_str_eq(rp_event_kind_name(RP_EV_KNOWN_DEFECT),
	    "known_defect");
	ck_assert_str_eq(rp_event_kind_name((enum rp_event_kind)999), "?");
	ck_assert_str_eq(rp_sched_point_name(RP_SP_LOCK), "lock");
	ck_assert_str_eq(rp_sched_point_name(RP_SP_SYNC_RCU), "sync_rcu");
	ck_assert_str_eq(rp_sched_point_name(RP_SP_BUCKET), "bucket");
	ck_assert_str_eq(rp_sched_point_name(RP_SP_BLOCKED), "blocked");
	ck_assert_str_eq(rp_sched_point_name((enum rp_sched_point)99), "?");
	ck_assert_ptr_null(rp_profile_find("5.11"));
	ck_assert_ptr_null(rp_profile_nth(64));
}
END_TEST

/* ---------------------------------------------------------------------
 * state/null: a NULL argument is a programming error: GLib reports it
 * (a critical) and the call returns its error value without crashing.
 */

static unsigned criticals;

static void
count_log(const gchar *domain, GLogLevelFlags level, const gchar *msg,
    gpointer ud)
{
	(void)domain;
	(void)msg;
	(void)ud;
	if (level & G_LOG_LEVEL_CRITICAL)
		criticals++;
}

#define EXPECT_CRITICAL(expr) do {					\
	unsigned before_ = criticals;					\
	expr;								\
	ck_assert_msg(criticals == before_ + 1,				\
	    "no critical from: %s", #expr);				\
} while (0)

TU_LOOP(null_arguments, "state/null", TU_EVERY_PROFILE)
{
	struct rp_state *st = tu_state_of(tu_prof(_i));
	GLogFunc old = g_log_set_default_handler(count_log, NULL);
	GLogLevelFlags fatal = g_log_set_always_fatal(G_LOG_FATAL_MASK);
	int fd = rp_socket(st, 0, RP_AF_INET, RP_SOCK_DGRAM, 0);
	int map = tu_sockarray(st, 0, 8, 4);
	GError *err = g_error_new_literal(RP_CHECK_ERROR, 1, "already set");

	criticals = 0;
	EXPECT_CRITICAL(ck_assert_ptr_null(rp_state_new(NULL)));
	EXPECT_CRITICAL(ck_assert_ptr_null(rp_profile_find(NULL)));
	EXPECT_CRITICAL(ck_assert_ptr_null(rp_profile_name(NULL)));
	EXPECT_CRITICAL(ck_assert_ptr_null(rp_state_take_violation(NULL)));
	EXPECT_CRITICAL(rp_state_quiesce(NULL));
	EXPECT_CRITICAL(rp_state_plant(NULL, 0));
	EXPECT_CRITICAL(ck_assert_int_eq(rp_state_set_kconfig(NULL,
	    RP_KCONFIG_MPTCP, true), -EINVAL));
	EXPECT_CRITICAL(ck_assert(!rp_state_kconfig(NULL, RP_KCONFIG_MPTCP)));
	EXPECT_CRITICAL(ck_assert_int_eq(rp_state_set_kconfig(st,
	    (enum rp_kconfig)99, true), -EINVAL));
	EXPECT_CRITICAL(ck_assert(!rp_state_kconfig(st, (enum rp_kconfig)99)));
	EXPECT_CRITICAL(rp_state_set_cpu(st, 4096));
	ck_assert_uint_eq(rp_state_cpu(st), 0);
	EXPECT_CRITICAL(rp_state_set_thread(st, 16));
	ck_assert_uint_eq(rp_state_thread(st), 0);
	EXPECT_CRITICAL(ck_assert_int_eq(rp_sysctl_set(st, 0, NULL, 0),
	    -EINVAL));
	EXPECT_CRITICAL(ck_assert_int_eq(rp_sock_info(st, 1, NULL), -EINVAL));
	EXPECT_CRITICAL(ck_assert_int_eq(rp_group_info(st, 1, NULL), -EINVAL));
	EXPECT_CRITICAL(ck_assert_int_eq(rp_map_info(st, 1, NULL), -EINVAL));
	EXPECT_CRITICAL(ck_assert_int_eq(rp_getsockopt_cookie(st, 0, fd,
	    NULL), -EFAULT));
	EXPECT_CRITICAL(ck_assert_int_eq(rp_getsockname(st, 0, fd, NULL),
	    -EFAULT));
	EXPECT_CRITICAL(ck_assert_int_eq(rp_bind(st, 0, fd, NULL), -EFAULT));
	EXPECT_CRITICAL(ck_assert_int_eq(rp_connect(st, 0, fd, NULL),
	    -EFAULT));
	EXPECT_CRITICAL(ck_assert_int_eq(rp_attach_cbpf(st, 0, fd, NULL),
	    -EFAULT));
	EXPECT_CRITICAL(ck_assert_int_eq(rp_send(st, 0, NULL, NULL),
	    -EFAULT));
	EXPECT_CRITICAL(ck_assert_int_eq(rp_map_create(st, 0, NULL),
	    -EFAULT));
	EXPECT_CRITICAL(ck_assert_int_eq(rp_map_lookup(st, 0, map, 0, NULL,
	    0), -EFAULT));
	EXPECT_CRITICAL(ck_assert_int_eq(rp_map_get_next_key(st, 0, map,
	    NULL, NULL), -EFAULT));
	EXPECT_CRITICAL(ck_assert_int_eq(rp_prog_load(st, 0, NULL),
	    -EFAULT));
	EXPECT_CRITICAL(ck_assert(!rp_check(NULL, NULL)));
	EXPECT_CRITICAL(ck_assert(!rp_check(st, &err)));
	EXPECT_CRITICAL(ck_assert(!rp_check_step(NULL, NULL)));
	EXPECT_CRITICAL(ck_assert(!rp_check_step(st, &err)));
	EXPECT_CRITICAL(rp_check_stats(st, NULL));
	ck_assert_str_eq(err->message, "already set");
	g_error_free(err);
	/* rp_state_free(NULL) is a no-op, like free(NULL) */
	rp_state_free(NULL);
	ck_assert_uint_eq(criticals, 31);
	g_log_set_always_fatal(fatal);
	g_log_set_default_handler(old, NULL);
	tu_state_done(st);
}
END_TEST


TU_MAIN("state")
