/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * check_cookie.c - unit tests of model/cookie.c: socket cookies
 * (sock_gen_cookie()).  A cookie is generated lazily by getsockopt(SO_COOKIE)
 * or by a syscall lookup that finds the socket in a reuseport array, never
 * changes afterwards, and comes from a per-netns counter in 4.19 and from
 * the global per-CPU batch generator (COOKIE_LOCAL_BATCH 4096) in 6.18.
 *
 * Values are compared only where docs/SPEC.md fixes them (R-COOK-3: the
 * first cookie of a 4.19 netns is 1; R-COOK-4: one CPU counts 1, 2, 3 and
 * a CPU that takes a fresh batch continues from base + 1).
 */
#include <errno.h>
#include <string.h>

#include "testutil.h"
#include "rp-int.h"


/* ---------------------------------------------------------------------
 * Fixture: a state of one profile with an observer counting cookie events.
 */
struct fx {
	struct rp_state	*st;
	int		p;
	unsigned	ncookie;	/* RP_EV_COOKIE events */
	uint64_t	last_cookie;
	unsigned	last_sock;
};

static void
fx_event(void *ud, const struct rp_event *ev)
{
	struct fx *fx = ud;

	if (ev->kind != RP_EV_COOKIE)
		return;
	fx->ncookie++;
	fx->last_cookie = ev->val;
	fx->last_sock = ev->sock;
}

static const struct rp_observer fx_obs = { .event = fx_event };

static void
fx_init(struct fx *fx, int p)
{
	memset(fx, 0, sizeof(*fx));
	fx->p = p;
	fx->st = tu_state_new(p);
	rp_state_set_observer(fx->st, &fx_obs, fx);
}

static void
fx_fini(struct fx *fx)
{
	tu_assert_invariants(fx->st);
	rp_state_free(fx->st);
}

/* The cookie field of socket fd, without generating one. */
static uint64_t
peek_cookie(struct rp_state *st, unsigned proc, int fd)
{
	struct rp_sock_info in;

	ck_assert_int_eq(rp_sock_info(st, rp_fd_sock(st, proc, fd), &in), 0);
	return in.cookie;
}

/* getsockopt(SO_COOKIE) on fd; must succeed. */
static uint64_t
so_cookie(struct rp_state *st, unsigned proc, int fd)
{
	uint64_t c = 0;

	ck_assert_int_eq(rp_getsockopt_cookie(st, proc, fd, &c), 0);
	ck_assert_uint_ne(c, 0);
	return c;
}

/* A fresh unbound TCP socket of proc. */
static int
plain_sock(struct rp_state *st, unsigned proc)
{
	int fd = rp_socket(st, proc, RP_AF_INET, RP_SOCK_STREAM, 0);

	ck_assert_int_ge(fd, 0);
	return fd;
}

/* ---------------------------------------------------------------------
 * cookie/gen
 */

/*
 * R-COOK-1 R-SOCK-10 R-SOCK-3: no cookie before it is asked for (creating,
 * setsockopt, bind, listen, inserting into a map generate none); the first
 * SO_COOKIE generates one, later ones return it without a new event.
 */
TU_NAMED(gen_lazy, "cookie/gen/lazy", "cookie/gen", TU_NPROFILES)
{
	struct fx fx;
	int fd, map;
	uint64_t c;

	fx_init(&fx, _i);
	fd = rp_socket(fx.st, 0, RP_AF_INET6, RP_SOCK_STREAM, 0);
	ck_assert_int_ge(fd, 0);
	ck_assert_uint_eq(peek_cookie(fx.st, 0, fd), 0);
	ck_assert_int_eq(rp_setsockopt_int(fx.st, 0, fd, RP_SO_REUSEPORT, 1),
	    0);
	ck_assert_int_eq(rp_listen(fx.st, 0, fd, 1), 0);
	map = tu_sockarray(fx.st, 0, 8, 4);
	ck_assert_int_eq(rp_map_update(fx.st, 0, map, 2, (uint64_t)fd,
	    RP_BPF_ANY), 0);
	ck_assert_uint_eq(peek_cookie(fx.st, 0, fd), 0);
	ck_assert_uint_eq(fx.ncookie, 0);

	c = so_cookie(fx.st, 0, fd);
	ck_assert_uint_eq(fx.ncookie, 1);
	ck_assert_uint_eq(fx.last_cookie, c);
	ck_assert_uint_eq(fx.last_sock, rp_fd_sock(fx.st, 0, fd));
	ck_assert_uint_eq(peek_cookie(fx.st, 0, fd), c);
	/* asked again: the same value, nothing generated */
	ck_assert_uint_eq(so_cookie(fx.st, 0, fd), c);
	ck_assert_uint_eq(fx.ncookie, 1);
	tu_assert_invariants(fx.st);
	fx_fini(&fx);
}
END_TEST

/*
 * R-LKP-3d R-COOK-1 R-SOCK-10: a syscall lookup that finds a socket without
 * a cookie generates it; SO_COOKIE afterwards returns the same value.
 */
TU_NAMED(gen_lookup, "cookie/gen/lookup", "cookie/gen", TU_NPROFILES)
{
	struct fx fx;
	int a, b, map;
	uint64_t v = 0, v2 = 0;

	fx_init(&fx, _i);
	a = tu_reuse_sock(fx.st, 0, RP_AF_INET, RP_SOCK_STREAM, 1, 0);
	b = tu_reuse_sock(fx.st, 0, RP_AF_INET, RP_SOCK_DGRAM, 1, 0);
	map = tu_sockarray(fx.st, 0, 8, 2);
	ck_assert_int_eq(rp_map_update(fx.st, 0, map, 0, (uint64_t)a,
	    RP_BPF_ANY), 0);
	ck_assert_uint_eq(peek_cookie(fx.st, 0, a), 0);
	ck_assert_int_eq(rp_map_lookup(fx.st, 0, map, 0, &v, 0), 0);
	ck_assert_uint_ne(v, 0);
	ck_assert_uint_eq(fx.ncookie, 1);
	ck_assert_uint_eq(peek_cookie(fx.st, 0, a), v);
	ck_assert_uint_eq(so_cookie(fx.st, 0, a), v);
	/* the lookup reads the socket's cookie each time */
	ck_assert_int_eq(rp_map_lookup(fx.st, 0, map, 0, &v2, 0), 0);
	ck_assert_uint_eq(v2, v);
	ck_assert_uint_eq(fx.ncookie, 1);
	/* R-LKP-3d: after a replacement, the new occupant's (new) cookie */
	ck_assert_int_eq(rp_map_update(fx.st, 0, map, 0, (uint64_t)b,
	    RP_BPF_EXIST), 0);
	ck_assert_int_eq(rp_map_lookup(fx.st, 0, map, 0, &v2, 0), 0);
	ck_assert_uint_ne(v2, v);
	ck_assert_uint_eq(v2, so_cookie(fx.st, 0, b));
	ck_assert_uint_eq(fx.ncookie, 2);
	tu_assert_invariants(fx.st);
	fx_fini(&fx);
}
END_TEST

/*
 * R-COOK-1 R-DET-9 R-FREE-2: a cookie survives everything that happens to
 * its socket short of being freed: delete, re-insert, replacement, other
 * members joining and leaving, map free.
 */
TU_NAMED(gen_stable, "cookie/gen/stable", "cookie/gen", TU_NPROFILES)
{
	struct fx fx;
	int a, b, c, map, map2;
	uint64_t ca, v = 0;
	uint16_t port;

	fx_init(&fx, _i);
	a = tu_reuse_sock(fx.st, 0, RP_AF_INET6, RP_SOCK_STREAM, 1, 0);
	port = tu_port(fx.st, 0, a);
	ca = so_cookie(fx.st, 0, a);
	map = tu_sockarray(fx.st, 0, 8, 4);
	ck_assert_int_eq(rp_map_update(fx.st, 0, map, 1, (uint64_t)a,
	    RP_BPF_NOEXIST), 0);
	b = tu_reuse_sock(fx.st, 0, RP_AF_INET6, RP_SOCK_STREAM, 1, port);
	c = tu_reuse_sock(fx.st, 0, RP_AF_INET6, RP_SOCK_STREAM, 1, port);
	ck_assert_int_eq(rp_close(fx.st, 0, b), 0);
	ck_assert_int_eq(rp_map_lookup(fx.st, 0, map, 1, &v, 0), 0);
	ck_assert_uint_eq(v, ca);
	ck_assert_int_eq(rp_map_delete(fx.st, 0, map, 1), 0);
	ck_assert_int_eq(rp_map_update(fx.st, 0, map, 3, (uint64_t)a,
	    RP_BPF_ANY), 0);
	ck_assert_int_eq(rp_map_lookup(fx.st, 0, map, 3, &v, 0), 0);
	ck_assert_uint_eq(v, ca);
	ck_assert_int_eq(rp_map_update(fx.st, 0, map, 3, (uint64_t)c,
	    RP_BPF_EXIST), 0);
	ck_assert_int_eq(rp_close(fx.st, 0, map), 0);
	map2 = tu_sockarray(fx.st, 0, 8, 1);
	ck_assert_int_eq(rp_map_update(fx.st, 0, map2, 0, (uint64_t)a,
	    RP_BPF_ANY), 0);
	ck_assert_int_eq(rp_map_lookup(fx.st, 0, map2, 0, &v, 0), 0);
	ck_assert_uint_eq(v, ca);
	ck_assert_uint_eq(so_cookie(fx.st, 0, a), ca);
	ck_assert_uint_eq(peek_cookie(fx.st, 0, a), ca);
	tu_assert_invariants(fx.st);
	fx_fini(&fx);
}
END_TEST

/* A listener on loopback with one accepted child; returns the child's fd. */
static int
accept_one(struct rp_state *st, unsigned proc, int lfd)
{
	struct rp_sockaddr dst = tu_addr(RP_AF_INET, 1, tu_port(st, proc, lfd));
	int cl = rp_socket(st, proc, RP_AF_INET, RP_SOCK_STREAM, 0);
	int child;

	ck_assert_int_ge(cl, 0);
	ck_assert_int_eq(rp_connect(st, proc, cl, &dst), 0);
	child = rp_accept(st, proc, lfd);
	ck_assert_int_ge(child, 0);
	return child;
}

/*
 * R-COOK-2 R-SOCK-6: an accepted child starts with cookie 0 even when its
 * listener has one, and gets its own value when asked.
 */
TU_NAMED(gen_child, "cookie/gen/child", "cookie/gen", TU_NPROFILES)
{
	struct fx fx;
	int l, child, map;
	uint64_t cl, cc;

	fx_init(&fx, _i);
	l = tu_reuse_sock(fx.st, 0, RP_AF_INET, RP_SOCK_STREAM, 1, 0);
	map = tu_sockarray(fx.st, 0, 8, 1);
	ck_assert_int_eq(rp_map_update(fx.st, 0, map, 0, (uint64_t)l,
	    RP_BPF_ANY), 0);
	cl = so_cookie(fx.st, 0, l);
	child = accept_one(fx.st, 0, l);
	ck_assert_uint_eq(peek_cookie(fx.st, 0, child), 0);
	cc = so_cookie(fx.st, 0, child);
	ck_assert_uint_ne(cc, cl);
	ck_assert_uint_eq(so_cookie(fx.st, 0, l), cl);
	/* the slot still reports the listener's cookie, not the child's */
	{
		uint64_t v = 0;

		ck_assert_int_eq(rp_map_lookup(fx.st, 0, map, 0, &v, 0), 0);
		ck_assert_uint_eq(v, cl);
	}
	tu_assert_invariants(fx.st);
	fx_fini(&fx);
}
END_TEST

/*
 * R-COOK-3 R-NS-2: 4.19 counts per network namespace.  The first cookie of
 * each namespace is 1, so two sockets of different namespaces can share a
 * cookie; values follow the order of the requests, not of the sockets.
 */
TU_NAMED(gen_netns_419, "cookie/gen/per-netns", "cookie/gen", 0)
{
	struct fx fx;
	int ns1, p1, a, b, x, y;

	fx_init(&fx, TU_P_419);
	ns1 = rp_netns_new(fx.st);
	ck_assert_int_gt(ns1, 0);
	p1 = rp_proc_new(fx.st, (unsigned)ns1, 0, RP_CAP_ALL);
	ck_assert_int_gt(p1, 0);
	a = plain_sock(fx.st, 0);
	b = plain_sock(fx.st, 0);
	x = plain_sock(fx.st, (unsigned)p1);
	y = plain_sock(fx.st, (unsigned)p1);
	ck_assert_uint_eq(so_cookie(fx.st, 0, b), 1);	/* asked first */
	ck_assert_uint_eq(so_cookie(fx.st, (unsigned)p1, y), 1);
	ck_assert_uint_eq(so_cookie(fx.st, (unsigned)p1, x), 2);
	ck_assert_uint_eq(so_cookie(fx.st, 0, a), 2);
	/* the simulated CPU plays no part in 4.19 */
	rp_state_set_cpu(fx.st, 3);
	ck_assert_uint_eq(so_cookie(fx.st, 0, plain_sock(fx.st, 0)), 3);
	rp_state_set_cpu(fx.st, 0);
	ck_assert_uint_eq(so_cookie(fx.st, 0, plain_sock(fx.st, 0)), 4);
	/* equal cookies in two namespaces are valid state (R-INV-11) */
	tu_assert_invariants(fx.st);
	fx_fini(&fx);
}
END_TEST

/*
 * R-COOK-3: the counter never goes back: a socket freed with cookie n
 * does not give n to the next socket.
 */
TU_NAMED(gen_no_reuse_419, "cookie/gen/no-reuse", "cookie/gen", TU_NPROFILES)
{
	struct fx fx;
	int a;

	fx_init(&fx, _i);
	a = plain_sock(fx.st, 0);
	ck_assert_uint_eq(so_cookie(fx.st, 0, a), 1);	/* R-COOK-3, R-COOK-4 */
	ck_assert_int_eq(rp_close(fx.st, 0, a), 0);
	a = plain_sock(fx.st, 0);
	ck_assert_uint_eq(so_cookie(fx.st, 0, a), 2);
	fx_fini(&fx);
}
END_TEST

/*
 * R-COOK-4 R-NS-2: 6.18 per-CPU batches from one global counter.  CPU 0
 * takes [1..4096], CPU 1 asking next gets 4097, CPU 2 then 8193; each CPU
 * continues in its batch; a namespace makes no difference.
 */
TU_NAMED(gen_percpu_618, "cookie/gen/per-cpu", "cookie/gen", 0)
{
	struct fx fx;
	int ns1, p1;

	fx_init(&fx, TU_P_618);
	ns1 = rp_netns_new(fx.st);
	p1 = rp_proc_new(fx.st, (unsigned)ns1, 0, RP_CAP_ALL);
	ck_assert_int_gt(p1, 0);
	ck_assert_uint_eq(so_cookie(fx.st, 0, plain_sock(fx.st, 0)), 1);
	ck_assert_uint_eq(so_cookie(fx.st, 0, plain_sock(fx.st, 0)), 2);
	rp_state_set_cpu(fx.st, 1);
	ck_assert_uint_eq(rp_state_cpu(fx.st), 1);
	ck_assert_uint_eq(so_cookie(fx.st, 0, plain_sock(fx.st, 0)), 4096 + 1);
	/* another namespace on the same CPU continues the same batch */
	ck_assert_uint_eq(so_cookie(fx.st, (unsigned)p1,
	    plain_sock(fx.st, (unsigned)p1)), 4096 + 2);
	rp_state_set_cpu(fx.st, 0);
	ck_assert_uint_eq(so_cookie(fx.st, (unsigned)p1,
	    plain_sock(fx.st, (unsigned)p1)), 3);
	rp_state_set_cpu(fx.st, 2);
	ck_assert_uint_eq(so_cookie(fx.st, 0, plain_sock(fx.st, 0)),
	    2 * 4096 + 1);
	rp_state_set_cpu(fx.st, 1);
	ck_assert_uint_eq(so_cookie(fx.st, 0, plain_sock(fx.st, 0)), 4096 + 3);
	rp_state_set_cpu(fx.st, RP_NCPU_MAX - 1);
	ck_assert_uint_eq(so_cookie(fx.st, 0, plain_sock(fx.st, 0)),
	    3 * 4096 + 1);
	tu_assert_invariants(fx.st);
	fx_fini(&fx);
}
END_TEST

/*
 * R-COOK-4: a CPU that used up its batch takes the next free one.  CPU 0
 * takes [1..4096], CPU 1 [4097..8192]; CPU 0's 4097th cookie is 8193.
 * On a single CPU the refill is seamless: 4096 is followed by 4097 when no
 * other CPU took a batch in between.
 */
TU_NAMED(gen_batch_refill_618, "cookie/gen/batch-refill", "cookie/gen", 0)
{
	struct fx fx;
	uint64_t want;

	fx_init(&fx, TU_P_618);
	ck_assert_uint_eq(so_cookie(fx.st, 0, plain_sock(fx.st, 0)), 1);
	rp_state_set_cpu(fx.st, 1);
	ck_assert_uint_eq(so_cookie(fx.st, 0, plain_sock(fx.st, 0)), 4097);
	rp_state_set_cpu(fx.st, 0);
	for (want = 2; want <= 4096; want++) {
		int fd = plain_sock(fx.st, 0);

		ck_assert_uint_eq(so_cookie(fx.st, 0, fd), want);
		ck_assert_int_eq(rp_close(fx.st, 0, fd), 0);
	}
	ck_assert_uint_eq(so_cookie(fx.st, 0, plain_sock(fx.st, 0)), 8193);
	ck_assert_uint_eq(so_cookie(fx.st, 0, plain_sock(fx.st, 0)), 8194);
	rp_state_set_cpu(fx.st, 1);
	ck_assert_uint_eq(so_cookie(fx.st, 0, plain_sock(fx.st, 0)), 4098);
	tu_assert_invariants(fx.st);
	fx_fini(&fx);
}
END_TEST

/* R-COOK-4: one CPU alone counts 1, 2, ... across the batch boundary. */
TU_NAMED(gen_batch_single_cpu_618, "cookie/gen/batch-single-cpu", "cookie/gen", 0)
{
	struct fx fx;

	fx_init(&fx, TU_P_618);
	for (uint64_t want = 1; want <= 4096 + 2; want++) {
		int fd = plain_sock(fx.st, 0);

		ck_assert_uint_eq(so_cookie(fx.st, 0, fd), want);
		ck_assert_int_eq(rp_close(fx.st, 0, fd), 0);
	}
	fx_fini(&fx);
}
END_TEST

/*
 * R-COOK-5: the model has no scheduling point inside cookie generation,
 * so two requests for one socket (a lookup and SO_COOKIE, in either order)
 * never race: both get the one value and no value is burnt (the next
 * socket gets the next number).
 */
TU_NAMED(gen_no_gap, "cookie/gen/no-gap", "cookie/gen", TU_NPROFILES)
{
	struct fx fx;
	int a, b, map;
	uint64_t v = 0, c;

	fx_init(&fx, _i);
	a = tu_reuse_sock(fx.st, 0, RP_AF_INET, RP_SOCK_DGRAM, 1, 0);
	map = tu_sockarray(fx.st, 0, 8, 1);
	ck_assert_int_eq(rp_map_update(fx.st, 0, map, 0, (uint64_t)a, 0), 0);
	ck_assert_int_eq(rp_map_lookup(fx.st, 0, map, 0, &v, 0), 0);
	c = so_cookie(fx.st, 0, a);
	ck_assert_uint_eq(v, c);
	ck_assert_uint_eq(c, 1);
	b = plain_sock(fx.st, 0);
	ck_assert_uint_eq(so_cookie(fx.st, 0, b), 2);
	ck_assert_uint_eq(fx.ncookie, 2);
	fx_fini(&fx);
}
END_TEST

/*
 * R-COOK-1 R-NS-2 R-INV-11: many sockets over two namespaces (and, in
 * 6.18, several CPUs): all cookies non-zero, distinct per namespace in
 * 4.19 and distinct overall in 6.18.
 */
TU_NAMED(gen_unique, "cookie/gen/unique", "cookie/gen", TU_NPROFILES)
{
	struct fx fx;
	enum { N = 300 };
	uint64_t cookie[N];
	unsigned ns[N];
	int ns1, p1;

	fx_init(&fx, _i);
	ns1 = rp_netns_new(fx.st);
	p1 = rp_proc_new(fx.st, (unsigned)ns1, 0, RP_CAP_ALL);
	ck_assert_int_gt(p1, 0);
	for (int i = 0; i < N; i++) {
		unsigned proc = i % 2 ? (unsigned)p1 : 0;

		rp_state_set_cpu(fx.st, (unsigned)(i % 5));
		ns[i] = proc == 0 ? 0 : (unsigned)ns1;
		cookie[i] = so_cookie(fx.st, proc, plain_sock(fx.st, proc));
	}
	for (int i = 0; i < N; i++)
		for (int j = 0; j < i; j++) {
			if (fx.p == TU_P_419 && ns[i] != ns[j])
				continue;
			ck_assert_msg(cookie[i] != cookie[j], "sockets %d and "
			    "%d share cookie %" G_GUINT64_FORMAT, j, i,
			    cookie[i]);
		}
	if (fx.p == TU_P_419)	/* both namespaces count 1 .. N/2 */
		ck_assert_uint_eq(cookie[0], cookie[1]);
	tu_assert_invariants(fx.st);
	fx_fini(&fx);
}
END_TEST

/* R-COOK-1: getsockopt(SO_COOKIE) on a bad fd or a non-socket fails. */
TU_NAMED(gen_bad_fd, "cookie/gen/bad-fd", "cookie/gen", TU_NPROFILES)
{
	struct fx fx;
	uint64_t c = 7;
	int map;

	fx_init(&fx, _i);
	map = tu_sockarray(fx.st, 0, 8, 1);
	ck_assert_int_eq(rp_getsockopt_cookie(fx.st, 0, 99, &c), -EBADF);
	ck_assert_int_eq(rp_getsockopt_cookie(fx.st, 0, -1, &c), -EBADF);
	ck_assert_int_eq(rp_getsockopt_cookie(fx.st, 0, map, &c), -ENOTSOCK);
	ck_assert_uint_eq(c, 7);
	ck_assert_uint_eq(fx.ncookie, 0);
	fx_fini(&fx);
}
END_TEST


TU_MAIN("cookie")
