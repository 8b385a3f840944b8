/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * check_group.c - unit tests of model/group.c: SO_REUSEPORT groups.
 * Creation and joining (the TCP and UDP join predicates), positions in
 * socks[] and swap-with-last removal, freeing and id reuse (lazy ids from
 * 1 with switch lazy_group_id, else ids from creation from 0), growth 128
 * -> 32768 and the capacity limit, bind_inany, has_conns, the closed
 * section (switch migration) and
 * resurrection, attaching and detaching selector programs, and the
 * incoming-CPU count.
 *
 * One TCase per operation ("group/<operation>"); every case runs under
 * every row of the model's profile table, a case about one value of a
 * switch only on the rows that have it (TU_UNLESS), and names the
 * docs/SPEC.md rules it pins.  A few cases are white-box (rp-int.h): the
 * -EBUSY join and the
 * join from a socket's own group that no public call reaches, and the
 * incoming-CPU counter.
 *
 * The growth cases build 32768 members; set RP_TEST_SKIP_BIG=1 (for
 * example under valgrind) to stop them at 1024 members and skip the
 * capacity-limit checks.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <glib.h>

#include "rp-int.h"
#include "testutil.h"

#define PORT		40000
#define UID_OTHER	1000

/* ---------------------------------------------------------------------
 * Helpers
 */


static bool
skip_big(void)
{
	const char *v = getenv("RP_TEST_SKIP_BIG");

	return v != NULL && *v != '\0' && strcmp(v, "0") != 0;
}

static struct rp_sock_info
sinfo_fd(struct rp_state *st, int fd)
{
	struct rp_sock_info in;

	ck_assert_int_eq(rp_sock_info(st, rp_fd_sock(st, 0, fd), &in), 0);
	return in;
}

static unsigned
group_of(struct rp_state *st, int fd)
{
	return sinfo_fd(st, fd).group;
}

#define ginfo(st, group)	tu_group_info((st), (group))

static bool
group_gone(struct rp_state *st, unsigned group)
{
	struct rp_group_info gi;

	return rp_group_info(st, group, &gi) == -ENOENT;
}

/*
 * Assert without Check's per-assertion bookkeeping (in CK_FORK=no mode each
 * passing ck_assert writes a record to a file, which dominates loops of
 * 32768 joins): fails through ck_abort_msg() only when cond is false.
 */
#define REQUIRE(cond, ...) \
	do { \
		if (!(cond)) \
			ck_abort_msg(__VA_ARGS__); \
	} while (0)

/* member() for the big loops: IPv4 loopback or wildcard, REQUIRE only. */
static int
quiet_member(struct rp_state *st, int type, int which, uint16_t port)
{
	struct rp_sockaddr sa = tu_addr(RP_AF_INET, which, port);
	int fd = rp_socket(st, 0, RP_AF_INET, type, 0), err;

	REQUIRE(fd >= 3, "socket() = %d", fd);
	err = rp_setsockopt_int(st, 0, fd, RP_SO_REUSEPORT, 1);
	REQUIRE(err == 0, "SO_REUSEPORT = %d", err);
	err = rp_bind(st, 0, fd, &sa);
	REQUIRE(err == 0, "bind() = %d", err);
	if (type == RP_SOCK_STREAM) {
		err = rp_listen(st, 0, fd, 1);
		REQUIRE(err == 0, "listen() = %d", err);
	}
	return fd;
}

/* rp_group_info() and rp_sock_info() for the big loops. */
static struct rp_group_info
quiet_ginfo(struct rp_state *st, unsigned group)
{
	struct rp_group_info gi;
	int err = rp_group_info(st, group, &gi);

	REQUIRE(err == 0, "rp_group_info(%u) = %d", group, err);
	return gi;
}

static unsigned
quiet_group_of(struct rp_state *st, int fd)
{
	struct rp_sock_info in;
	int err = rp_sock_info(st, rp_fd_sock(st, 0, fd), &in);

	REQUIRE(err == 0, "rp_sock_info(fd %d) = %d", fd, err);
	return in.group;
}

/* A member bound to fam/which:port (which: 0 wildcard, 1 loopback,
 * 2 = 127.0.0.2), TCP listening or UDP bound, in process 0. */
static int
member(struct rp_state *st, int fam, int type, int which, uint16_t port)
{
	struct rp_sockaddr sa = tu_addr(fam, which != 0, port);
	int fd = rp_socket(st, 0, fam, type, 0);

	if (which == 2)
		sa.addr.a[3] = 2;
	ck_assert_int_ge(fd, 3);
	ck_assert_int_eq(rp_setsockopt_int(st, 0, fd, RP_SO_REUSEPORT, 1), 0);
	ck_assert_int_eq(rp_bind(st, 0, fd, &sa), 0);
	if (type == RP_SOCK_STREAM)
		ck_assert_int_eq(rp_listen(st, 0, fd, 1), 0);
	return fd;
}

/* Check that socks[] of group g is exactly the sockets of fds (listening
 * section, in order) and that each knows its position. */
static void
assert_members(struct rp_state *st, unsigned g, const int *fds, unsigned n)
{
	struct rp_group_info gi = ginfo(st, g);

	ck_assert_uint_eq(gi.num_socks, n);
	for (unsigned i = 0; i < n; i++) {
		struct rp_sock_info in = sinfo_fd(st, fds[i]);

		ck_assert_msg(rp_group_sock_at(st, g, i) == in.id,
		    "socks[%u] = %u, want socket %u", i,
		    rp_group_sock_at(st, g, i), in.id);
		ck_assert_uint_eq(in.group, g);
		ck_assert_int_eq(in.group_pos, (int)i);
		ck_assert(!in.group_closed);
	}
	ck_assert_uint_eq(rp_group_sock_at(st, g, n), 0);
}

/* An SK_REUSEPORT program in process 0; eat = expected_attach_type. */
static int
sk_reuseport_prog(struct rp_state *st, uint32_t eat)
{
	struct rp_prog_attr pa = { .prog_type = RP_PROG_SK_REUSEPORT,
	    .expected_attach_type = eat, .map_fd = -1,
	    .policy = { .migrate_only = st->prof->expected_attach,
	    .always_pass = !st->prof->expected_attach } };
	int fd = rp_prog_load(st, 0, &pa);

	ck_assert_int_ge(fd, 3);
	return fd;
}

static struct rp_group *
group_ptr(struct rp_state *st, unsigned g)
{
	ck_assert_uint_lt(g, st->groups->len);
	ck_assert_ptr_nonnull(st->groups->pdata[g]);
	return st->groups->pdata[g];
}

static struct rp_sock *
sock_ptr(struct rp_state *st, int fd)
{
	return st->socks->pdata[rp_fd_sock(st, 0, fd)];
}

/* ---------------------------------------------------------------------
 * group/alloc
 */

/* R-GRP-1 R-GRP-7 R-GRP-8 R-GRP-11: a first member gets a new group of
 * capacity 128, at socks[0], bind_inany iff wildcard-bound, no program;
 * switch lazy_group_id: id 0 (none yet), else the lowest free id, 0.
 * Index: profile, TCP/UDP, loopback/wildcard. */
TU_LOOP(alloc_new, "group/alloc", 4 * TU_EVERY_PROFILE)
{
	int prof = TU_ROW_OF(_i), type = TU_CASE_OF(_i) % 2 ? RP_SOCK_DGRAM :
	    RP_SOCK_STREAM, which = TU_CASE_OF(_i) / 2;
	struct rp_state *st = tu_state_row(prof);
	int fd = member(st, RP_AF_INET, type, which, PORT);
	struct rp_sock_info in = sinfo_fd(st, fd);
	struct rp_group_info gi = ginfo(st, in.group);

	ck_assert_int_eq(in.group_pos, 0);
	ck_assert_uint_eq(gi.max_socks, RP_INIT_SOCKS);
	ck_assert_uint_eq(gi.num_socks, 1);
	ck_assert_uint_eq(gi.num_closed_socks, 0);
	ck_assert(gi.bind_inany == (which == 0));
	ck_assert(!gi.has_conns);
	ck_assert_uint_eq(gi.prog, 0);
	ck_assert(gi.has_id == !tu_prof(prof)->lazy_group_id);
	ck_assert_uint_eq(gi.reuseport_id, 0);
	tu_state_done(st);
}
END_TEST

/* R-GRP-2 R-ATT-4: a socket with a group from SO_ATTACH_REUSEPORT_CBPF
 * (bind_inany 0) that binds the wildcard and listens keeps that group;
 * bind_inany becomes 1. */
TU_LOOP(alloc_existing, "group/alloc", TU_EVERY_PROFILE)
{
	struct rp_state *st = tu_state_row(_i);
	struct rp_sockaddr sa = tu_addr(RP_AF_INET6, 0, PORT);
	struct rp_cbpf cb = { .k = 0 };
	int fd = rp_socket(st, 0, RP_AF_INET6, RP_SOCK_STREAM, 0);
	unsigned g;

	ck_assert_int_eq(rp_setsockopt_int(st, 0, fd, RP_SO_REUSEPORT, 1), 0);
	ck_assert_int_eq(rp_attach_cbpf(st, 0, fd, &cb), 0);
	g = group_of(st, fd);
	ck_assert_uint_ne(g, 0);
	ck_assert(!ginfo(st, g).bind_inany);
	ck_assert(!sinfo_fd(st, fd).hashed);
	ck_assert_int_eq(rp_bind(st, 0, fd, &sa), 0);
	ck_assert_int_eq(rp_listen(st, 0, fd, 1), 0);
	ck_assert_uint_eq(group_of(st, fd), g);
	ck_assert(ginfo(st, g).bind_inany);
	ck_assert_uint_eq(ginfo(st, g).num_socks, 1);
	ck_assert(ginfo(st, g).prog_is_cbpf);
	tu_state_done(st);
}
END_TEST

/* ---------------------------------------------------------------------
 * group/join
 */

struct join_side {
	int	family;
	int	which;		/* 0 wildcard, 1 loopback, 2 127.0.0.2 */
	bool	v6only;
	int	dev;		/* SO_BINDTOIFINDEX, 0 = none */
	int	port_off;
};

static const struct join_case {
	const char		*rules;
	struct join_side	a, b;
	bool			same;
} join_cases[] = {
	{ "R-GRP-5 R-GRP-6", { RP_AF_INET, 1, false, 0, 0 },
	    { RP_AF_INET, 1, false, 0, 0 }, true },
	{ "R-GRP-5 R-GRP-6", { RP_AF_INET6, 0, false, 0, 0 },
	    { RP_AF_INET6, 0, false, 0, 0 }, true },
	{ "R-GRP-5 R-GRP-6", { RP_AF_INET, 1, false, 0, 0 },
	    { RP_AF_INET, 2, false, 0, 0 }, false },
	{ "R-GRP-5 R-GRP-6", { RP_AF_INET, 0, false, 0, 0 },
	    { RP_AF_INET, 1, false, 0, 0 }, false },
	{ "R-GRP-5 R-GRP-6", { RP_AF_INET6, 0, false, 0, 0 },
	    { RP_AF_INET, 0, false, 0, 0 }, false },
	/* IPV6_V6ONLY: a join key at the wildcard only (measured) */
	{ "R-GRP-5 R-GRP-6", { RP_AF_INET6, 1, true, 0, 0 },
	    { RP_AF_INET6, 1, false, 0, 0 }, true },
	{ "R-GRP-5 R-GRP-6", { RP_AF_INET6, 0, true, 0, 0 },
	    { RP_AF_INET6, 0, false, 0, 0 }, false },
	{ "R-GRP-5 R-GRP-6", { RP_AF_INET6, 1, true, 0, 0 },
	    { RP_AF_INET6, 1, true, 0, 0 }, true },
	{ "R-GRP-5 R-GRP-6", { RP_AF_INET, 1, false, 1, 0 },
	    { RP_AF_INET, 1, false, 0, 0 }, false },
	{ "R-GRP-5 R-GRP-6", { RP_AF_INET, 1, false, 1, 0 },
	    { RP_AF_INET, 1, false, 1, 0 }, true },
	{ "R-GRP-5 R-GRP-6", { RP_AF_INET, 1, false, 0, 0 },
	    { RP_AF_INET, 1, false, 0, 1 }, false },
};

static int
join_side(struct rp_state *st, int type, const struct join_side *s)
{
	struct rp_sockaddr sa = tu_addr(s->family, s->which != 0,
	    (uint16_t)(PORT + s->port_off));
	int fd = rp_socket(st, 0, s->family, type, 0);

	if (s->which == 2)
		sa.addr.a[3] = 2;
	ck_assert_int_eq(rp_setsockopt_int(st, 0, fd, RP_SO_REUSEPORT, 1), 0);
	if (s->v6only)
		ck_assert_int_eq(rp_setsockopt_int(st, 0, fd, RP_IPV6_V6ONLY,
		    1), 0);
	if (s->dev != 0)
		ck_assert_int_eq(rp_setsockopt_int(st, 0, fd,
		    RP_SO_BINDTOIFINDEX, s->dev), 0);
	ck_assert_int_eq(rp_bind(st, 0, fd, &sa), 0);
	if (type == RP_SOCK_STREAM)
		ck_assert_int_eq(rp_listen(st, 0, fd, 1), 0);
	return fd;
}

/* Each row runs for TCP (R-GRP-5) and UDP (R-GRP-6) under both profiles;
 * R-INV-10: the invariant checker agrees after every join. */
TU_LOOP(join_predicate, "group/join", 2 * TU_BY_PROFILE(join_cases))
{
	int row = TU_CASE_OF(_i) / 2, type = TU_CASE_OF(_i) % 2 ?
	    RP_SOCK_DGRAM : RP_SOCK_STREAM;
	const struct join_case *c = &join_cases[row];
	struct rp_state *st = tu_state_row(TU_ROW_OF(_i));
	int a = join_side(st, type, &c->a);
	int b = join_side(st, type, &c->b);
	unsigned ga = group_of(st, a), gb = group_of(st, b);

	ck_assert_uint_ne(ga, 0);
	ck_assert_uint_ne(gb, 0);
	ck_assert_msg((ga == gb) == c->same, "%s row %d (%s): groups %u, %u",
	    c->rules, row, type == RP_SOCK_STREAM ? "tcp" : "udp", ga, gb);
	if (c->same) {
		ck_assert_uint_eq(ginfo(st, ga).num_socks, 2);
		ck_assert_int_eq(sinfo_fd(st, b).group_pos, 1);
	}
	tu_state_done(st);
}
END_TEST

/* R-GRP-7: a TCP socket joins at listen(), not at bind(); a listener
 * without SO_REUSEPORT has no group; joining appends (R-GRP-3). */
TU_LOOP(join_tcp_at_listen, "group/join", TU_EVERY_PROFILE)
{
	struct rp_state *st = tu_state_row(_i);
	struct rp_sockaddr sa = tu_addr(RP_AF_INET, 1, PORT);
	int a = member(st, RP_AF_INET, RP_SOCK_STREAM, 1, PORT);
	int b = rp_socket(st, 0, RP_AF_INET, RP_SOCK_STREAM, 0);
	int c = rp_socket(st, 0, RP_AF_INET, RP_SOCK_STREAM, 0);
	int fds[2] = { a, b };

	ck_assert_int_eq(rp_setsockopt_int(st, 0, b, RP_SO_REUSEPORT, 1), 0);
	ck_assert_int_eq(rp_bind(st, 0, b, &sa), 0);
	ck_assert_uint_eq(group_of(st, b), 0);
	ck_assert_uint_eq(ginfo(st, group_of(st, a)).num_socks, 1);
	ck_assert_int_eq(rp_listen(st, 0, b, 1), 0);
	assert_members(st, group_of(st, a), fds, 2);
	sa.port = PORT + 1;
	ck_assert_int_eq(rp_bind(st, 0, c, &sa), 0);
	ck_assert_int_eq(rp_listen(st, 0, c, 1), 0);
	ck_assert_uint_eq(group_of(st, c), 0);
	tu_state_done(st);
}
END_TEST

/* R-GRP-8: a UDP socket joins at bind; SO_REUSEPORT set after bind does
 * not put it in a group. */
TU_LOOP(join_udp_at_bind, "group/join", TU_EVERY_PROFILE)
{
	struct rp_state *st = tu_state_row(_i);
	struct rp_sockaddr sa = tu_addr(RP_AF_INET, 1, PORT + 1);
	int a = member(st, RP_AF_INET, RP_SOCK_DGRAM, 1, PORT);
	int b = member(st, RP_AF_INET, RP_SOCK_DGRAM, 1, PORT);
	int c = rp_socket(st, 0, RP_AF_INET, RP_SOCK_DGRAM, 0);
	int fds[2] = { a, b };

	assert_members(st, group_of(st, a), fds, 2);
	ck_assert_int_eq(rp_bind(st, 0, c, &sa), 0);
	ck_assert_int_eq(rp_setsockopt_int(st, 0, c, RP_SO_REUSEPORT, 1), 0);
	ck_assert(sinfo_fd(st, c).hashed);
	ck_assert_uint_eq(group_of(st, c), 0);
	tu_state_done(st);
}
END_TEST

/* R-GRP-3 R-GRP-10: a socket whose own single-member group came from
 * SO_ATTACH_REUSEPORT_CBPF joins another group at listen(); its old group
 * is freed with its program (and, without lazy_group_id, its id goes
 * back). */
TU_LOOP(join_own_group_freed, "group/join", TU_EVERY_PROFILE)
{
	struct rp_state *st = tu_state_row(_i);
	struct rp_sockaddr sa = tu_addr(RP_AF_INET, 1, PORT);
	struct rp_cbpf cb = { .k = 1 };
	int b = rp_socket(st, 0, RP_AF_INET, RP_SOCK_STREAM, 0);
	int a, c, fds[2];
	unsigned h, g, prog;
	uint32_t hid;

	ck_assert_int_eq(rp_setsockopt_int(st, 0, b, RP_SO_REUSEPORT, 1), 0);
	ck_assert_int_eq(rp_attach_cbpf(st, 0, b, &cb), 0);
	h = group_of(st, b);
	prog = ginfo(st, h).prog;
	hid = ginfo(st, h).reuseport_id;
	ck_assert_uint_ne(prog, 0);
	ck_assert_int_eq(rp_bind(st, 0, b, &sa), 0);
	/* a listens first: b is not listening, so a gets a group of its own */
	a = member(st, RP_AF_INET, RP_SOCK_STREAM, 1, PORT);
	g = group_of(st, a);
	ck_assert_uint_ne(g, h);
	/* live kernel (both profiles): b already has a group, so listen()
	 * re-checks the port (R-BIND-2) and refuses: h keeps b and its prog */
	ck_assert_int_eq(rp_listen(st, 0, b, 1), -EADDRINUSE);
	ck_assert_uint_eq(group_of(st, b), h);
	ck_assert_uint_eq(ginfo(st, h).prog, prog);
	(void)c;
	(void)fds;
	(void)hid;
	tu_state_done(st);
}
END_TEST

/* R-GRP-4 (white-box: no socket call re-joins a hashed member): a member
 * of a group with num_socks != 1 cannot join another group: -EBUSY and
 * nothing changes. */
TU_LOOP(join_busy, "group/join", TU_EVERY_PROFILE)
{
	struct rp_state *st = tu_state_row(_i);
	int a = member(st, RP_AF_INET, RP_SOCK_STREAM, 1, PORT);
	int b = member(st, RP_AF_INET, RP_SOCK_STREAM, 1, PORT);
	int c = member(st, RP_AF_INET, RP_SOCK_STREAM, 1, PORT + 1);
	unsigned ga = group_of(st, a), gc = group_of(st, c);
	int fds[2] = { a, b };

	ck_assert_int_eq(rp_group_add(st, sock_ptr(st, a), sock_ptr(st, c)),
	    -EBUSY);
	rp_state_quiesce(st);
	assert_members(st, ga, fds, 2);
	assert_members(st, gc, &c, 1);
	tu_state_done(st);
}
END_TEST

/* R-GRP-3 (white-box: in both profiles listen() refuses a socket with its
 * own group while the port is held, R-BIND-2, so no socket call reaches
 * it): a socket whose own single-member group holds a program joins
 * another group; its old group is freed with the program (and, without
 * switch lazy_group_id, the id, which the next new group reuses). */
TU_LOOP(join_own_group_freed_wb, "group/join", TU_EVERY_PROFILE)
{
	struct rp_state *st = tu_state_row(_i);
	struct rp_cbpf cb = { .k = 0 };
	int a = member(st, RP_AF_INET, RP_SOCK_STREAM, 1, PORT);
	int b = rp_socket(st, 0, RP_AF_INET, RP_SOCK_STREAM, 0);
	unsigned g = group_of(st, a), h, prog;
	uint32_t hid;
	int want[2] = { a, b }, c;

	ck_assert_int_eq(rp_setsockopt_int(st, 0, b, RP_SO_REUSEPORT, 1), 0);
	ck_assert_int_eq(rp_attach_cbpf(st, 0, b, &cb), 0);
	h = group_of(st, b);
	ck_assert_uint_ne(h, g);
	prog = ginfo(st, h).prog;
	hid = ginfo(st, h).reuseport_id;
	ck_assert_int_eq(rp_group_add(st, sock_ptr(st, b), sock_ptr(st, a)),
	    0);
	rp_state_quiesce(st);
	assert_members(st, g, want, 2);
	ck_assert(group_gone(st, h));
	ck_assert_ptr_null(st->progs->pdata[prog]);
	ck_assert_uint_eq(ginfo(st, g).prog, 0);
	if (!tu_prof(_i)->lazy_group_id) {
		c = member(st, RP_AF_INET, RP_SOCK_STREAM, 1, PORT + 1);
		ck_assert_uint_eq(ginfo(st, group_of(st, c)).reuseport_id, hid);
	}
	ck_assert_int_eq(rp_close(st, 0, b), 0);
	tu_state_done(st);
}
END_TEST

/* ---------------------------------------------------------------------
 * group/detach
 */

/* R-GRP-9 R-DET-9: a leaving member is replaced by the last listening
 * entry; the others keep their positions, slots and owner words.
 * Index: profile, TCP/UDP. */
TU_LOOP(detach_swap_with_last, "group/detach", 2 * TU_EVERY_PROFILE)
{
	int type = TU_CASE_OF(_i) ? RP_SOCK_DGRAM : RP_SOCK_STREAM;
	struct rp_state *st = tu_state_row(TU_ROW_OF(_i));
	int map = tu_sockarray(st, 0, 8, 8);
	unsigned mid = rp_fd_map(st, 0, map), g;
	int fds[5], want[5];

	for (int i = 0; i < 5; i++) {
		fds[i] = member(st, RP_AF_INET6, type, 1, PORT);
		ck_assert_int_eq(rp_map_update(st, 0, map, (uint32_t)i,
		    (uint64_t)fds[i], RP_BPF_ANY), 0);
	}
	g = group_of(st, fds[0]);
	assert_members(st, g, fds, 5);
	/* [a b c d e] - b = [a e c d] */
	ck_assert_int_eq(rp_close(st, 0, fds[1]), 0);
	want[0] = fds[0];
	want[1] = fds[4];
	want[2] = fds[2];
	want[3] = fds[3];
	assert_members(st, g, want, 4);
	ck_assert_uint_eq(rp_map_slot(st, mid, 1), 0);
	ck_assert_uint_eq(rp_map_slot(st, mid, 4), rp_fd_sock(st, 0, fds[4]));
	ck_assert_int_eq(sinfo_fd(st, fds[4]).owner, RP_OWNER_SLOT);
	ck_assert_uint_eq(sinfo_fd(st, fds[4]).owner_idx, 4);
	tu_assert_invariants(st);
	/* the last entry leaves: nobody moves */
	ck_assert_int_eq(rp_close(st, 0, fds[3]), 0);
	assert_members(st, g, want, 3);
	/* the first entry leaves: the last (c) moves to 0 */
	ck_assert_int_eq(rp_close(st, 0, fds[0]), 0);
	want[0] = fds[2];
	assert_members(st, g, want, 2);
	tu_state_done(st);
}
END_TEST

/* R-GRP-10 R-GRP-11: the last member leaving frees the group with its
 * program; without switch lazy_group_id its id returns (the next group
 * reuses it). */
TU_LOOP(detach_last_socket, "group/detach", TU_EVERY_PROFILE)
{
	struct rp_state *st = tu_state_row(_i);
	struct rp_cbpf cb = { .k = 0 };
	int a = member(st, RP_AF_INET, RP_SOCK_STREAM, 1, PORT);
	int b = member(st, RP_AF_INET, RP_SOCK_STREAM, 1, PORT + 1);
	unsigned ga = group_of(st, a), prog;
	uint32_t id = ginfo(st, ga).reuseport_id;
	int c;

	ck_assert_int_eq(rp_attach_cbpf(st, 0, a, &cb), 0);
	prog = ginfo(st, ga).prog;
	ck_assert_int_eq(rp_close(st, 0, a), 0);
	ck_assert(group_gone(st, ga));
	ck_assert_ptr_null(st->progs->pdata[prog]);
	ck_assert(!group_gone(st, group_of(st, b)));
	c = member(st, RP_AF_INET, RP_SOCK_STREAM, 1, PORT + 2);
	if (!tu_prof(_i)->lazy_group_id) {
		ck_assert_uint_eq(id, 0);
		ck_assert_uint_eq(ginfo(st, group_of(st, c)).reuseport_id, id);
	}
	tu_state_done(st);
}
END_TEST

/* ---------------------------------------------------------------------
 * group/id
 */

/* R-GRP-11 R-GRP-1 R-UPD-8: lazy_group_id: 0 until a member enters a
 * reuseport array, then the lowest free id >= 1; stable across growth,
 * removal from the map and members leaving; a freed id is reused. */
TU_LOOP(id_lazy_419, "group/id", TU_EVERY_PROFILE)
{
	TU_UNLESS(tu_prof(_i)->lazy_group_id);
	struct rp_state *st = tu_state_row(_i);
	int map = tu_sockarray(st, 0, 4, 8);
	int a = member(st, RP_AF_INET, RP_SOCK_STREAM, 1, PORT);
	int b = member(st, RP_AF_INET, RP_SOCK_STREAM, 1, PORT + 1);
	int c = member(st, RP_AF_INET, RP_SOCK_STREAM, 1, PORT + 2);
	int a2, more[200];
	unsigned ga;

	ck_assert(!ginfo(st, group_of(st, a)).has_id);
	ck_assert_uint_eq(ginfo(st, group_of(st, a)).reuseport_id, 0);
	ck_assert_int_eq(rp_map_update(st, 0, map, 0, (uint64_t)b,
	    RP_BPF_ANY), 0);
	ck_assert_uint_eq(ginfo(st, group_of(st, b)).reuseport_id, 1);
	ck_assert_int_eq(rp_map_update(st, 0, map, 1, (uint64_t)a,
	    RP_BPF_ANY), 0);
	ck_assert_uint_eq(ginfo(st, group_of(st, a)).reuseport_id, 2);
	ck_assert_uint_eq(ginfo(st, group_of(st, c)).reuseport_id, 0);
	/* out of the map, a second member, growth: the id stays */
	ck_assert_int_eq(rp_map_delete(st, 0, map, 1), 0);
	a2 = member(st, RP_AF_INET, RP_SOCK_STREAM, 1, PORT);
	for (int i = 0; i < 200; i++)
		more[i] = member(st, RP_AF_INET, RP_SOCK_STREAM, 1, PORT);
	ga = group_of(st, a);
	ck_assert_uint_eq(ginfo(st, ga).max_socks, 256);
	ck_assert_uint_eq(ginfo(st, ga).reuseport_id, 2);
	ck_assert_int_eq(rp_close(st, 0, a), 0);
	ck_assert_uint_eq(ginfo(st, group_of(st, a2)).reuseport_id, 2);
	tu_assert_invariants(st);
	/* b's group freed: id 1 is the lowest free one for c's group */
	ck_assert_int_eq(rp_close(st, 0, b), 0);
	ck_assert_int_eq(rp_map_update(st, 0, map, 2, (uint64_t)c,
	    RP_BPF_ANY), 0);
	ck_assert_uint_eq(ginfo(st, group_of(st, c)).reuseport_id, 1);
	for (int i = 199; i >= 0; i--)
		rp_close(st, 0, more[i]);
	tu_state_done(st);
}
END_TEST

/* R-GRP-11 R-GRP-1 R-GRP-10: other ids come at creation, lowest free from
 * 0; freed ids are reused lowest first. */
TU_LOOP(id_from_creation_618, "group/id", TU_EVERY_PROFILE)
{
	TU_UNLESS(!tu_prof(_i)->lazy_group_id);
	struct rp_state *st = tu_state_row(_i);
	int fds[5], x, y, z;

	for (int i = 0; i < 5; i++) {
		fds[i] = member(st, RP_AF_INET, RP_SOCK_DGRAM, 1,
		    (uint16_t)(PORT + i));
		ck_assert(ginfo(st, group_of(st, fds[i])).has_id);
		ck_assert_uint_eq(ginfo(st, group_of(st, fds[i])).reuseport_id,
		    (uint32_t)i);
	}
	ck_assert_int_eq(rp_close(st, 0, fds[3]), 0);
	ck_assert_int_eq(rp_close(st, 0, fds[1]), 0);
	x = member(st, RP_AF_INET, RP_SOCK_STREAM, 1, PORT + 10);
	y = member(st, RP_AF_INET, RP_SOCK_STREAM, 1, PORT + 11);
	z = member(st, RP_AF_INET, RP_SOCK_STREAM, 1, PORT + 12);
	ck_assert_uint_eq(ginfo(st, group_of(st, x)).reuseport_id, 1);
	ck_assert_uint_eq(ginfo(st, group_of(st, y)).reuseport_id, 3);
	ck_assert_uint_eq(ginfo(st, group_of(st, z)).reuseport_id, 5);
	tu_state_done(st);
}
END_TEST

/* ---------------------------------------------------------------------
 * group/grow
 */

/*
 * R-GROW-1 R-GROW-3 R-SOCK-4: 32768 members in one group.  Capacity
 * doubles 128 -> 256 -> ... -> 32768 exactly when a join finds the group
 * full; members keep their positions, and the id, program, bind_inany and
 * slots carry over (has_conns: see has_conns).  The 32769th join fails:
 * TCP listen() -ENOMEM, UDP bind() -EADDRINUSE and unbound.
 * Index: profile, TCP (wildcard, cbpf) / UDP (loopback).
 */
TU_LOOP(grow_to_limit, "group/grow", 2 * TU_EVERY_PROFILE)
{
	int prof = TU_ROW_OF(_i);
	bool udp = TU_CASE_OF(_i);
	int type = udp ? RP_SOCK_DGRAM : RP_SOCK_STREAM;
	unsigned n = skip_big() ? 1024 : RP_MAX_SOCKS_CAP;
	struct rp_state *st = tu_state_row(prof);
	struct rp_cbpf cb = { .k = 0 };
	int map = tu_sockarray(st, 0, 8, 4);
	int *fds = g_new(int, n + 1);
	unsigned g, prog = 0, first;
	uint32_t id;
	struct rp_group_info gi;

	fds[0] = member(st, RP_AF_INET, type, udp ? 1 : 0, PORT);
	ck_assert_int_eq(rp_map_update(st, 0, map, 0, (uint64_t)fds[0],
	    RP_BPF_ANY), 0);
	first = rp_fd_sock(st, 0, fds[0]);
	id = ginfo(st, group_of(st, fds[0])).reuseport_id;
	if (!udp) {
		ck_assert_int_eq(rp_attach_cbpf(st, 0, fds[0], &cb), 0);
		prog = ginfo(st, group_of(st, fds[0])).prog;
	}
	for (unsigned i = 1; i < n; i++) {
		unsigned max_before, gg;

		max_before = quiet_ginfo(st, quiet_group_of(st, fds[0])).max_socks;
		fds[i] = quiet_member(st, type, udp ? 1 : 0, PORT);
		gg = quiet_group_of(st, fds[i]);
		gi = quiet_ginfo(st, gg);
		/* doubles exactly when the join found it full */
		REQUIRE(gi.max_socks == (i == max_before ? 2 * max_before :
		    max_before), "join %u: max_socks %u (was %u)", i,
		    gi.max_socks, max_before);
		REQUIRE(rp_group_sock_at(st, gg, i) == rp_fd_sock(st, 0, fds[i]),
		    "join %u: not appended", i);
		if (i != max_before)
			continue;
		/* at each doubling: everything carried over */
		ck_assert_uint_eq(gi.reuseport_id, id);
		ck_assert(gi.bind_inany == !udp);
		ck_assert_uint_eq(gi.prog, prog);
		ck_assert_uint_eq(rp_group_sock_at(st, gg, 0), first);
		ck_assert_uint_eq(rp_group_sock_at(st, gg, i - 1),
		    rp_fd_sock(st, 0, fds[i - 1]));
		ck_assert_uint_eq(rp_map_slot(st, rp_fd_map(st, 0, map), 0),
		    first);
		ck_assert_int_eq(sinfo_fd(st, fds[0]).owner, RP_OWNER_SLOT);
	}
	g = group_of(st, fds[0]);
	gi = ginfo(st, g);
	ck_assert_uint_eq(gi.num_socks, n);
	ck_assert_uint_eq(gi.max_socks, n);
	ck_assert_int_eq(sinfo_fd(st, fds[n - 1]).group_pos, (int)n - 1);
	tu_assert_invariants(st);
	if (n == RP_MAX_SOCKS_CAP) {
		struct rp_sockaddr sa = tu_addr(RP_AF_INET, udp, PORT);
		int x = rp_socket(st, 0, RP_AF_INET, type, 0);
		struct rp_sock_info in;

		ck_assert_int_eq(rp_setsockopt_int(st, 0, x, RP_SO_REUSEPORT,
		    1), 0);
		if (udp) {
			ck_assert_int_eq(rp_bind(st, 0, x, &sa), -EADDRINUSE);
		} else {
			ck_assert_int_eq(rp_bind(st, 0, x, &sa), 0);
			ck_assert_int_eq(rp_listen(st, 0, x, 1), -ENOMEM);
		}
		in = sinfo_fd(st, x);
		ck_assert(!in.hashed);
		ck_assert_uint_eq(in.group, 0);
		ck_assert_int_eq(in.state, RP_TCP_CLOSE);
		if (udp)
			ck_assert_uint_eq(in.local.port, 0);
		gi = ginfo(st, g);
		ck_assert_uint_eq(gi.num_socks, RP_MAX_SOCKS_CAP);
		ck_assert_uint_eq(gi.max_socks, RP_MAX_SOCKS_CAP);
		tu_assert_invariants(st);
		fds[n++] = x;
	}
	/* oldest first: socks[0] leaves each time (swap-with-last) */
	for (unsigned i = 0; i < n; i++)
		REQUIRE(rp_close(st, 0, fds[i]) == 0, "close %u", i);
	ck_assert(group_gone(st, g));
	g_free(fds);
	tu_state_done(st);
}
END_TEST

/*
 * R-GRP-10 R-GROW-1 R-INV-13: what readers reach without a reference is
 * freed only after a grace period.  While a reader on another thread (on
 * another CPU) is inside a read-side section, a growth (the old array),
 * closing the only member of a group (the group, a SOCK_RCU_FREE socket)
 * and closing a listener free nothing; everything goes once the reader
 * has left, and no violation is recorded on the way.
 */
TU_LOOP(grace_under_reader, "group/rcu", TU_EVERY_PROFILE)
{
	struct rp_state *st = tu_state_row(_i);
	g_autoptr(GArray) ev = tu_record(st);
	int fds[RP_INIT_SOCKS + 1], lone;
	unsigned lone_sock, first_sock;
	char *v;

	for (int i = 0; i < RP_INIT_SOCKS; i++)
		fds[i] = member(st, RP_AF_INET, RP_SOCK_STREAM, 1, PORT);
	first_sock = rp_fd_sock(st, 0, fds[0]);
	lone = member(st, RP_AF_INET, RP_SOCK_DGRAM, 1, PORT + 1);
	lone_sock = rp_fd_sock(st, 0, lone);
	rp_state_set_thread(st, 3);
	rp_rcu_read_lock(st);
	rp_state_set_thread(st, 0);
	fds[RP_INIT_SOCKS] = member(st, RP_AF_INET, RP_SOCK_STREAM, 1, PORT);
	ck_assert_uint_eq(ginfo(st, group_of(st, fds[0])).max_socks,
	    2 * RP_INIT_SOCKS);
	ck_assert_int_eq(rp_close(st, 0, lone), 0);
	ck_assert_int_eq(rp_close(st, 0, fds[0]), 0);
	v = rp_state_take_violation(st);
	ck_assert_msg(v == NULL, "under a reader: %s", v);
	ck_assert_uint_eq(tu_count(ev, RP_EV_SOCK_FREE, lone_sock), 0);
	ck_assert_uint_eq(tu_count(ev, RP_EV_SOCK_FREE, first_sock), 0);
	rp_state_set_thread(st, 3);
	rp_rcu_read_unlock(st);
	rp_state_set_thread(st, 0);
	rp_state_quiesce(st);
	v = rp_state_take_violation(st);
	ck_assert_msg(v == NULL, "after the reader: %s", v);
	ck_assert_uint_eq(tu_count(ev, RP_EV_SOCK_FREE, lone_sock), 1);
	ck_assert_uint_eq(tu_count(ev, RP_EV_SOCK_FREE, first_sock), 1);
	tu_state_done(st);
}
END_TEST

/* R-GROW-2 R-DET-6 (migration): a full 32768 group with a closed-section
 * socket evicts it (group pointer cleared) and the join succeeds. */
TU_LOOP(grow_evict_closed, "group/grow", TU_EVERY_PROFILE)
{
	TU_UNLESS(tu_prof(_i)->migration);
	struct rp_state *st = tu_state_row(_i);
	unsigned n = RP_MAX_SOCKS_CAP;
	int *fds = g_new(int, n + 1);
	struct rp_group_info gi;
	struct rp_sock_info in;
	unsigned g;

	if (skip_big()) {
		g_free(fds);
		rp_state_free(st);
		return;
	}
	ck_assert_int_eq(rp_sysctl_set(st, 0, "net.ipv4.tcp_migrate_req", 1),
	    0);
	for (unsigned i = 0; i < n; i++)
		fds[i] = quiet_member(st, RP_SOCK_STREAM, 1, PORT);
	g = group_of(st, fds[0]);
	ck_assert_int_eq(rp_shutdown(st, 0, fds[n - 1], RP_SHUT_RDWR), 0);
	in = sinfo_fd(st, fds[n - 1]);
	ck_assert(in.group_closed);
	ck_assert_int_eq(in.group_pos, (int)n - 1);
	gi = ginfo(st, g);
	ck_assert_uint_eq(gi.num_socks, n - 1);
	ck_assert_uint_eq(gi.num_closed_socks, 1);
	/* num_socks + num_closed_socks == max_socks == 32768: the join
	 * evicts the closed socket instead of growing */
	fds[n] = member(st, RP_AF_INET, RP_SOCK_STREAM, 1, PORT);
	in = sinfo_fd(st, fds[n - 1]);
	ck_assert_uint_eq(in.group, 0);
	ck_assert(!in.hashed);
	gi = ginfo(st, g);
	ck_assert_uint_eq(gi.num_socks, n);
	ck_assert_uint_eq(gi.num_closed_socks, 0);
	ck_assert_uint_eq(gi.max_socks, n);
	ck_assert_int_eq(sinfo_fd(st, fds[n]).group_pos, (int)n - 1);
	tu_assert_invariants(st);
	ck_assert_int_eq(rp_close(st, 0, fds[n]), 0);
	for (unsigned i = n; i-- > 0;)
		REQUIRE(rp_close(st, 0, fds[i]) == 0, "close %u", i);
	g_free(fds);
	tu_state_done(st);
}
END_TEST

/* R-GROW-1 (migration): a group full with closed-section sockets doubles and
 * the closed section moves to the new tail: socks[127] -> socks[255],
 * socks[126] -> socks[254]; the joiner lands at num_socks. */
TU_LOOP(grow_moves_closed_section, "group/grow", TU_EVERY_PROFILE)
{
	TU_UNLESS(tu_prof(_i)->migration);
	struct rp_state *st = tu_state_row(_i);
	int fds[RP_INIT_SOCKS + 1];
	struct rp_group_info gi;
	struct rp_sock_info in;
	unsigned g;

	ck_assert_int_eq(rp_sysctl_set(st, 0, "net.ipv4.tcp_migrate_req", 1),
	    0);
	for (int i = 0; i < RP_INIT_SOCKS; i++)
		fds[i] = quiet_member(st, RP_SOCK_STREAM, 1, PORT);
	g = group_of(st, fds[0]);
	ck_assert_int_eq(rp_shutdown(st, 0, fds[0], RP_SHUT_RDWR), 0);
	ck_assert_int_eq(rp_shutdown(st, 0, fds[1], RP_SHUT_RDWR), 0);
	gi = ginfo(st, g);
	ck_assert_uint_eq(gi.num_socks + gi.num_closed_socks, gi.max_socks);
	fds[RP_INIT_SOCKS] = member(st, RP_AF_INET, RP_SOCK_STREAM, 1, PORT);
	g = group_of(st, fds[2]);
	gi = ginfo(st, g);
	ck_assert_uint_eq(gi.max_socks, 2 * RP_INIT_SOCKS);
	ck_assert_uint_eq(gi.num_socks, RP_INIT_SOCKS - 1);
	ck_assert_uint_eq(gi.num_closed_socks, 2);
	in = sinfo_fd(st, fds[0]);
	ck_assert_uint_eq(in.group, g);
	ck_assert(in.group_closed);
	ck_assert_int_eq(in.group_pos, 2 * RP_INIT_SOCKS - 1);
	in = sinfo_fd(st, fds[1]);
	ck_assert_uint_eq(in.group, g);
	ck_assert_int_eq(in.group_pos, 2 * RP_INIT_SOCKS - 2);
	ck_assert_uint_eq(rp_group_sock_at(st, g, RP_INIT_SOCKS - 1), 0);
	ck_assert_int_eq(sinfo_fd(st, fds[RP_INIT_SOCKS]).group_pos,
	    RP_INIT_SOCKS - 2);
	tu_assert_invariants(st);
	/* the moved closed sockets still leave at destruction */
	ck_assert_int_eq(rp_close(st, 0, fds[0]), 0);
	ck_assert_uint_eq(ginfo(st, g).num_closed_socks, 1);
	tu_state_done(st);
}
END_TEST

/*
 * I3 R-DET-11 R-DET-12 (migration; white-box): the eligibility predicate
 * both checkers share (rp_sock_ineligible()) at the section boundary.  In
 * a full group the first closed-section socket sits at socks[num_socks]:
 * hashed again by hand but neither listening nor connected, it is not
 * eligible; a listening one is.
 */
TU_LOOP(closed_eligible_boundary, "group/closed", TU_EVERY_PROFILE)
{
	TU_UNLESS(tu_prof(_i)->migration);
	struct rp_state *st = tu_state_row(_i);
	int fds[RP_INIT_SOCKS];
	struct rp_group_info gi;
	struct rp_sock *sk;
	enum rp_tcp_state state;

	ck_assert_int_eq(rp_sysctl_set(st, 0, "net.ipv4.tcp_migrate_req", 1),
	    0);
	for (int i = 0; i < RP_INIT_SOCKS; i++)
		fds[i] = quiet_member(st, RP_SOCK_STREAM, 1, PORT);
	ck_assert_int_eq(rp_shutdown(st, 0, fds[0], RP_SHUT_RDWR), 0);
	sk = sock_ptr(st, fds[0]);
	gi = ginfo(st, group_of(st, fds[0]));
	ck_assert_uint_eq(gi.num_socks + gi.num_closed_socks, gi.max_socks);
	ck_assert_uint_eq(sk->reuse_pos, gi.num_socks);
	ck_assert_int_eq(rp_sock_ineligible(sk), RP_INELIG_UNHASHED);
	sk->hashed = true;
	ck_assert_int_eq(rp_sock_ineligible(sk), RP_INELIG_CLOSED_SECTION);
	state = sk->state;
	sk->state = RP_TCP_LISTEN;
	ck_assert_int_eq(rp_sock_ineligible(sk), RP_ELIGIBLE);
	sk->state = state;
	sk->hashed = false;
	tu_state_done(st);
}
END_TEST

/* ---------------------------------------------------------------------
 * group/has-conns
 */

/*
 * R-CONN-1 R-DET-10 R-DET-8 R-GROW-1: a UDP member bound to a specific
 * address connect()s.  The group's has_conns becomes 1 with switch
 * has_conns (5.4+), and stays set across growth and members leaving; the
 * socket stays in its group and slot, or, with switch
 * udp_connect_leaves_group (measured on a 6.18 kernel), leaves both.  A
 * wildcard-bound member that connect()s is rehashed out of its group and
 * slot on every row.
 */
TU_LOOP(has_conns, "group/has-conns", TU_EVERY_PROFILE)
{
	struct rp_state *st = tu_state_row(_i);
	struct rp_sockaddr peer = tu_addr(RP_AF_INET, 1, 5555);
	int map = tu_sockarray(st, 0, 8, 4);
	unsigned mid = rp_fd_map(st, 0, map);
	int a = member(st, RP_AF_INET, RP_SOCK_DGRAM, 1, PORT);
	int b = member(st, RP_AF_INET, RP_SOCK_DGRAM, 1, PORT);
	int w = member(st, RP_AF_INET, RP_SOCK_DGRAM, 0, PORT + 1);
	int w2 = member(st, RP_AF_INET, RP_SOCK_DGRAM, 0, PORT + 1);
	unsigned g = group_of(st, a), gw = group_of(st, w);
	int more[200];

	ck_assert_int_eq(rp_map_update(st, 0, map, 0, (uint64_t)a,
	    RP_BPF_ANY), 0);
	ck_assert_int_eq(rp_map_update(st, 0, map, 1, (uint64_t)w,
	    RP_BPF_ANY), 0);
	ck_assert_int_eq(rp_connect(st, 0, a, &peer), 0);
	ck_assert(sinfo_fd(st, a).hashed);
	ck_assert(ginfo(st, g).has_conns == tu_prof(_i)->has_conns);
	if (tu_prof(_i)->udp_connect_leaves_group) {
		ck_assert_uint_eq(group_of(st, a), 0);
		ck_assert_uint_eq(rp_map_slot(st, mid, 0), 0);
		ck_assert_int_eq(sinfo_fd(st, a).owner, RP_OWNER_NONE);
		ck_assert_uint_eq(ginfo(st, g).num_socks, 1);
	} else {
		ck_assert_uint_eq(group_of(st, a), g);
		ck_assert_uint_eq(rp_map_slot(st, mid, 0),
		    rp_fd_sock(st, 0, a));
	}
	/* sticky: growth to 256 and members leaving keep it */
	for (int i = 0; i < 200; i++)
		more[i] = member(st, RP_AF_INET, RP_SOCK_DGRAM, 1, PORT);
	g = group_of(st, b);
	ck_assert_uint_eq(ginfo(st, g).max_socks, 256);
	ck_assert(ginfo(st, g).has_conns == tu_prof(_i)->has_conns);
	for (int i = 199; i >= 0; i--)
		ck_assert_int_eq(rp_close(st, 0, more[i]), 0);
	ck_assert_int_eq(rp_close(st, 0, a), 0);
	ck_assert(ginfo(st, g).has_conns == tu_prof(_i)->has_conns);
	ck_assert_uint_eq(group_of(st, b), g);
	/* wildcard member: rehash out of group and map */
	ck_assert_int_eq(rp_connect(st, 0, w, &peer), 0);
	ck_assert_uint_eq(group_of(st, w), 0);
	ck_assert(sinfo_fd(st, w).hashed);
	ck_assert_uint_eq(rp_map_slot(st, mid, 1), 0);
	ck_assert_int_eq(sinfo_fd(st, w).owner, RP_OWNER_NONE);
	ck_assert_uint_eq(group_of(st, w2), gw);
	ck_assert_uint_eq(ginfo(st, gw).num_socks, 1);
	ck_assert(!ginfo(st, gw).has_conns);
	tu_state_done(st);
}
END_TEST

/* ---------------------------------------------------------------------
 * group/closed and group/resurrect (the closed section, switch migration)
 */

enum { STOP_SYSCTL, STOP_MIGRATE_PROG, STOP_SELECT_PROG, STOP_CBPF,
	STOP_NONE, STOP_UDP, STOP_NCASES };

/* R-MIG-6 R-DET-6 R-DET-4 R-DET-5: which stop-listen goes to the closed
 * section (switch migration: sysctl or a SELECT_OR_MIGRATE program) and
 * which simply leaves the group (everything without it, UDP always).
 * The closed socket
 * leaves its slot, sits at max_socks - 1 and keeps its group pointer. */
TU_LOOP(closed_stop_listen, "group/closed", STOP_NCASES * TU_EVERY_PROFILE)
{
	int how = TU_CASE_OF(_i);
	const struct rp_profile *prof = tu_prof(TU_ROW_OF(_i));
	struct rp_state *st = tu_state_of(prof);
	int type = how == STOP_UDP ? RP_SOCK_DGRAM : RP_SOCK_STREAM;
	int map = tu_sockarray(st, 0, 8, 4);
	int a = member(st, RP_AF_INET, type, 1, PORT);
	int b = member(st, RP_AF_INET, type, 1, PORT);
	unsigned g = group_of(st, a);
	bool closed = prof->migration && (how == STOP_SYSCTL ||
	    how == STOP_MIGRATE_PROG);
	struct rp_cbpf cb = { .k = 0 };
	struct rp_sock_info in;
	int prog = -1;

	if (how == STOP_SYSCTL || how == STOP_UDP)
		ck_assert_int_eq(rp_sysctl_set(st, 0,
		    "net.ipv4.tcp_migrate_req", 1),
		    prof->migrate_req_sysctl ? 0 : -ENOENT);
	if (how == STOP_MIGRATE_PROG || how == STOP_SELECT_PROG) {
		prog = sk_reuseport_prog(st, how == STOP_MIGRATE_PROG ?
		    RP_ATTACH_SK_REUSEPORT_SELECT_OR_MIGRATE :
		    RP_ATTACH_SK_REUSEPORT_SELECT);
		ck_assert_int_eq(rp_attach_ebpf(st, 0, b, prog), 0);
	}
	if (how == STOP_CBPF)
		ck_assert_int_eq(rp_attach_cbpf(st, 0, b, &cb), 0);
	ck_assert_int_eq(rp_map_update(st, 0, map, 0, (uint64_t)a,
	    RP_BPF_ANY), 0);
	if (type == RP_SOCK_STREAM)
		ck_assert_int_eq(rp_shutdown(st, 0, a, RP_SHUT_RDWR), 0);
	else
		ck_assert_int_eq(rp_close(st, 0, a), 0);
	tu_assert_invariants(st);
	ck_assert_uint_eq(rp_map_slot(st, rp_fd_map(st, 0, map), 0), 0);
	ck_assert_uint_eq(ginfo(st, g).num_socks, 1);
	ck_assert_uint_eq(ginfo(st, g).num_closed_socks, closed ? 1 : 0);
	if (type == RP_SOCK_DGRAM) {
		rp_state_free(st);
		return;
	}
	in = sinfo_fd(st, a);
	ck_assert_int_eq(in.owner, RP_OWNER_NONE);
	ck_assert(!in.hashed);
	if (closed) {
		ck_assert_uint_eq(in.group, g);
		ck_assert(in.group_closed);
		ck_assert_int_eq(in.group_pos, RP_INIT_SOCKS - 1);
		ck_assert_uint_eq(rp_group_sock_at(st, g, RP_INIT_SOCKS - 1),
		    in.id);
	} else {
		ck_assert_uint_eq(in.group, 0);
	}
	/* the last fd: a closed-section socket leaves at destruction */
	ck_assert_int_eq(rp_close(st, 0, a), 0);
	ck_assert_uint_eq(ginfo(st, g).num_closed_socks, 0);
	ck_assert_uint_eq(ginfo(st, g).num_socks, 1);
	tu_state_done(st);
}
END_TEST

/* R-GRP-9 R-DET-7 (migration): the closed section removes by the mirror image
 * of swap-with-last: the first closed entry moves into the hole. */
TU_LOOP(closed_mirror_swap, "group/closed", TU_EVERY_PROFILE)
{
	TU_UNLESS(tu_prof(_i)->migration);
	struct rp_state *st = tu_state_row(_i);
	int fds[4];
	unsigned g;
	const int top = RP_INIT_SOCKS - 1;

	ck_assert_int_eq(rp_sysctl_set(st, 0, "net.ipv4.tcp_migrate_req", 1),
	    0);
	for (int i = 0; i < 4; i++)
		fds[i] = member(st, RP_AF_INET, RP_SOCK_STREAM, 1, PORT);
	g = group_of(st, fds[0]);
	for (int i = 0; i < 3; i++)
		ck_assert_int_eq(rp_shutdown(st, 0, fds[i], RP_SHUT_RDWR), 0);
	/* closed section [125 126 127] = [c b a] */
	ck_assert_int_eq(sinfo_fd(st, fds[0]).group_pos, top);
	ck_assert_int_eq(sinfo_fd(st, fds[1]).group_pos, top - 1);
	ck_assert_int_eq(sinfo_fd(st, fds[2]).group_pos, top - 2);
	ck_assert_uint_eq(ginfo(st, g).num_closed_socks, 3);
	/* a (at 127) is destroyed: c (first closed, 125) moves to 127 */
	ck_assert_int_eq(rp_close(st, 0, fds[0]), 0);
	ck_assert_int_eq(sinfo_fd(st, fds[2]).group_pos, top);
	ck_assert_int_eq(sinfo_fd(st, fds[1]).group_pos, top - 1);
	ck_assert_uint_eq(rp_group_sock_at(st, g, top - 2), 0);
	ck_assert_uint_eq(ginfo(st, g).num_closed_socks, 2);
	tu_state_done(st);
}
END_TEST

/* R-RES-1 (migration): a closed-section socket that listens again while its
 * group has a listening member moves back to the end of the listening
 * section: same group, id and program, not back in the map. */
TU_LOOP(resurrect_same_group, "group/resurrect", TU_EVERY_PROFILE)
{
	TU_UNLESS(tu_prof(_i)->migration);
	struct rp_state *st = tu_state_row(_i);
	struct rp_cbpf cb = { .k = 0 };
	int map = tu_sockarray(st, 0, 8, 4);
	int a = member(st, RP_AF_INET, RP_SOCK_STREAM, 1, PORT);
	int b = member(st, RP_AF_INET, RP_SOCK_STREAM, 1, PORT);
	int c = member(st, RP_AF_INET, RP_SOCK_STREAM, 1, PORT);
	unsigned g = group_of(st, a), prog;
	uint32_t id = ginfo(st, g).reuseport_id;
	int want[3] = { c, b, a };

	ck_assert_int_eq(rp_sysctl_set(st, 0, "net.ipv4.tcp_migrate_req", 1),
	    0);
	ck_assert_int_eq(rp_attach_cbpf(st, 0, b, &cb), 0);
	prog = ginfo(st, g).prog;
	ck_assert_int_eq(rp_map_update(st, 0, map, 0, (uint64_t)a,
	    RP_BPF_ANY), 0);
	ck_assert_int_eq(rp_shutdown(st, 0, a, RP_SHUT_RDWR), 0);
	ck_assert(sinfo_fd(st, a).group_closed);
	ck_assert_int_eq(rp_listen(st, 0, a, 1), 0);
	assert_members(st, g, want, 3);
	ck_assert_uint_eq(ginfo(st, g).num_closed_socks, 0);
	ck_assert_uint_eq(ginfo(st, g).reuseport_id, id);
	ck_assert_uint_eq(ginfo(st, g).prog, prog);
	ck_assert_int_eq(sinfo_fd(st, a).owner, RP_OWNER_NONE);
	ck_assert_uint_eq(rp_map_slot(st, rp_fd_map(st, 0, map), 0), 0);
	tu_state_done(st);
}
END_TEST

/* R-RES-2 R-GRP-10 (migration): a closed-section socket alone in its group
 * listens again with nobody to join: a brand-new group with a fresh id
 * and no program; the old group is freed. */
TU_LOOP(resurrect_new_group, "group/resurrect", TU_EVERY_PROFILE)
{
	TU_UNLESS(tu_prof(_i)->migration);
	struct rp_state *st = tu_state_row(_i);
	struct rp_cbpf cb = { .k = 0 };
	int x = member(st, RP_AF_INET, RP_SOCK_STREAM, 1, PORT + 1);
	int a = member(st, RP_AF_INET, RP_SOCK_STREAM, 1, PORT);
	int b = member(st, RP_AF_INET, RP_SOCK_STREAM, 1, PORT);
	unsigned g = group_of(st, a), g2;

	(void)x;
	ck_assert_uint_eq(ginfo(st, g).reuseport_id, 1);
	ck_assert_int_eq(rp_sysctl_set(st, 0, "net.ipv4.tcp_migrate_req", 1),
	    0);
	ck_assert_int_eq(rp_attach_cbpf(st, 0, a, &cb), 0);
	ck_assert_int_eq(rp_shutdown(st, 0, a, RP_SHUT_RDWR), 0);
	/* b's last close: it passes through the closed section and leaves */
	ck_assert_int_eq(rp_close(st, 0, b), 0);
	ck_assert_uint_eq(ginfo(st, g).num_socks, 0);
	ck_assert_uint_eq(ginfo(st, g).num_closed_socks, 1);
	ck_assert_int_eq(rp_listen(st, 0, a, 1), 0);
	g2 = group_of(st, a);
	ck_assert_uint_ne(g2, g);
	ck_assert(group_gone(st, g));
	ck_assert_uint_eq(ginfo(st, g2).num_socks, 1);
	ck_assert_uint_eq(ginfo(st, g2).prog, 0);
	/* g's id 1 was returned before g2 took the lowest free one */
	ck_assert(ginfo(st, g2).has_id);
	ck_assert_uint_eq(sinfo_fd(st, a).group_pos, 0);
	tu_state_done(st);
}
END_TEST

/* R-RES-2 R-ATT-4 R-ATT-5 (migration): SO_ATTACH_REUSEPORT_CBPF on an unhashed
 * closed-section socket moves it to a new group, which gets the new
 * program; the old group keeps its members and program. */
TU_LOOP(resurrect_by_attach, "group/resurrect", TU_EVERY_PROFILE)
{
	TU_UNLESS(tu_prof(_i)->migration && tu_prof(_i)->
	    attach_shutdown_listener == RP_ATTACH_SHUTDOWN_RESURRECT);
	struct rp_state *st = tu_state_row(_i);
	struct rp_cbpf cb1 = { .k = 1 }, cb2 = { .k = 2 };
	int a = member(st, RP_AF_INET, RP_SOCK_STREAM, 1, PORT);
	int b = member(st, RP_AF_INET, RP_SOCK_STREAM, 1, PORT);
	unsigned g = group_of(st, a), p1, g2;

	ck_assert_int_eq(rp_sysctl_set(st, 0, "net.ipv4.tcp_migrate_req", 1),
	    0);
	ck_assert_int_eq(rp_attach_cbpf(st, 0, b, &cb1), 0);
	p1 = ginfo(st, g).prog;
	ck_assert_int_eq(rp_shutdown(st, 0, a, RP_SHUT_RDWR), 0);
	ck_assert_int_eq(rp_attach_cbpf(st, 0, a, &cb2), 0);
	g2 = group_of(st, a);
	ck_assert_uint_ne(g2, g);
	ck_assert_uint_ne(ginfo(st, g2).prog, 0);
	ck_assert_uint_ne(ginfo(st, g2).prog, p1);
	ck_assert_uint_eq(ginfo(st, g).prog, p1);
	ck_assert_uint_eq(ginfo(st, g).num_closed_socks, 0);
	ck_assert_uint_eq(ginfo(st, g).num_socks, 1);
	ck_assert_uint_eq(group_of(st, b), g);
	tu_state_done(st);
}
END_TEST

/* R-RES-3 R-GRP-10 (migration): a closed-section socket whose listen() finds a
 * listener of a different group at its address (its own group's other
 * members are gone; a newcomer made a new group) moves into that group;
 * the old group is freed. */
TU_LOOP(resurrect_other_group, "group/resurrect", TU_EVERY_PROFILE)
{
	TU_UNLESS(tu_prof(_i)->migration);
	struct rp_state *st = tu_state_row(_i);
	int a = member(st, RP_AF_INET, RP_SOCK_STREAM, 1, PORT);
	int b = member(st, RP_AF_INET, RP_SOCK_STREAM, 1, PORT);
	unsigned g = group_of(st, a), h;
	int c, want[2];

	ck_assert_int_eq(rp_sysctl_set(st, 0, "net.ipv4.tcp_migrate_req", 1),
	    0);
	ck_assert_int_eq(rp_shutdown(st, 0, a, RP_SHUT_RDWR), 0);
	ck_assert_int_eq(rp_close(st, 0, b), 0);
	c = member(st, RP_AF_INET, RP_SOCK_STREAM, 1, PORT);
	h = group_of(st, c);
	ck_assert_uint_ne(h, g);
	ck_assert_int_eq(rp_listen(st, 0, a, 1), 0);
	want[0] = c;
	want[1] = a;
	assert_members(st, h, want, 2);
	ck_assert(group_gone(st, g));
	tu_state_done(st);
}
END_TEST

/* R-RES-3 R-GROW-1 (migration): the other group is full: the resurrecting
 * socket's listen() doubles it first and lands at socks[128]. */
TU_LOOP(resurrect_other_group_full, "group/resurrect", TU_EVERY_PROFILE)
{
	TU_UNLESS(tu_prof(_i)->migration);
	struct rp_state *st = tu_state_row(_i);
	int a = member(st, RP_AF_INET, RP_SOCK_STREAM, 1, PORT);
	int b = member(st, RP_AF_INET, RP_SOCK_STREAM, 1, PORT);
	int c[RP_INIT_SOCKS];
	unsigned g = group_of(st, a), h;

	ck_assert_int_eq(rp_sysctl_set(st, 0, "net.ipv4.tcp_migrate_req", 1),
	    0);
	ck_assert_int_eq(rp_shutdown(st, 0, a, RP_SHUT_RDWR), 0);
	ck_assert_int_eq(rp_close(st, 0, b), 0);
	for (int i = 0; i < RP_INIT_SOCKS; i++)
		c[i] = quiet_member(st, RP_SOCK_STREAM, 1, PORT);
	h = group_of(st, c[0]);
	ck_assert_uint_ne(h, g);
	ck_assert_uint_eq(ginfo(st, h).num_socks, RP_INIT_SOCKS);
	ck_assert_uint_eq(ginfo(st, h).max_socks, RP_INIT_SOCKS);
	ck_assert_int_eq(rp_listen(st, 0, a, 1), 0);
	h = group_of(st, c[0]);
	ck_assert_uint_eq(ginfo(st, h).max_socks, 2 * RP_INIT_SOCKS);
	ck_assert_uint_eq(ginfo(st, h).num_socks, RP_INIT_SOCKS + 1);
	ck_assert_uint_eq(group_of(st, a), h);
	ck_assert_int_eq(sinfo_fd(st, a).group_pos, RP_INIT_SOCKS);
	ck_assert(!sinfo_fd(st, a).group_closed);
	ck_assert(group_gone(st, g));
	tu_state_done(st);
}
END_TEST

/* R-RES-4 R-DET-4 (without switch migration): a shut-down listener has
 * left its group; it listens again like a new listener: it joins at the
 * end, or gets a new group when it is alone. */
TU_LOOP(resurrect_419, "group/resurrect", TU_EVERY_PROFILE)
{
	TU_UNLESS(!tu_prof(_i)->migration);
	struct rp_state *st = tu_state_row(_i);
	int a = member(st, RP_AF_INET, RP_SOCK_STREAM, 1, PORT);
	int b = member(st, RP_AF_INET, RP_SOCK_STREAM, 1, PORT);
	int c = member(st, RP_AF_INET, RP_SOCK_STREAM, 1, PORT + 1);
	unsigned g = group_of(st, a), gc = group_of(st, c);
	int want[2] = { b, a };

	ck_assert_int_eq(rp_shutdown(st, 0, a, RP_SHUT_RDWR), 0);
	ck_assert_uint_eq(group_of(st, a), 0);
	ck_assert_uint_eq(ginfo(st, g).num_closed_socks, 0);
	ck_assert_int_eq(rp_listen(st, 0, a, 1), 0);
	assert_members(st, g, want, 2);
	ck_assert_int_eq(rp_shutdown(st, 0, c, RP_SHUT_RDWR), 0);
	ck_assert(group_gone(st, gc));
	ck_assert_int_eq(rp_listen(st, 0, c, 1), 0);
	ck_assert_uint_ne(group_of(st, c), 0);
	/* a new group: no id yet under switch lazy_group_id */
	ck_assert(ginfo(st, group_of(st, c)).has_id ==
	    !tu_prof(_i)->lazy_group_id);
	tu_state_done(st);
}
END_TEST

/* ---------------------------------------------------------------------
 * group/attach (SO_ATTACH_REUSEPORT_*)
 */

enum att_sock {
	ATT_UNBOUND_REUSE,	/* unhashed, SO_REUSEPORT */
	ATT_UNBOUND,		/* unhashed, no SO_REUSEPORT */
	ATT_LISTENER,		/* hashed, in a group */
	ATT_LISTENER_NOREUSE,	/* hashed, no group */
	ATT_UDPLITE,		/* unhashed UDP-Lite, SO_REUSEPORT */
	ATT_UNIX,		/* AF_UNIX stream */
	ATT_RAW,		/* raw UDP, SO_REUSEPORT */
};

enum att_prog {
	ATT_CBPF,
	ATT_CBPF_TOO_LONG,	/* 4097 instructions */
	ATT_EBPF_REUSEPORT,	/* an SK_REUSEPORT program */
	ATT_EBPF_FILTER,	/* a SOCKET_FILTER program */
	ATT_EBPF_CLOSED_FD,
	ATT_EBPF_MAP_FD,
};

static const struct att_case {
	const char	*rules;
	enum att_sock	sock;
	enum att_prog	prog;
	int		want;
} att_cases[] = {
	{ "R-ATT-1", ATT_LISTENER, ATT_CBPF_TOO_LONG, -EINVAL },
	{ "R-ATT-1 R-ATT-5", ATT_LISTENER, ATT_CBPF, 0 },
	{ "R-ATT-2", ATT_LISTENER, ATT_EBPF_CLOSED_FD, -EBADF },
	{ "R-ATT-2", ATT_LISTENER, ATT_EBPF_MAP_FD, -EINVAL },
	{ "R-ATT-2 R-ATT-5", ATT_LISTENER, ATT_EBPF_REUSEPORT, 0 },
	{ "R-ATT-2 R-ATT-5", ATT_LISTENER, ATT_EBPF_FILTER, 0 },
	{ "R-ATT-3", ATT_UDPLITE, ATT_EBPF_REUSEPORT, -RP_ENOTSUPP },
	{ "R-ATT-3", ATT_UNIX, ATT_EBPF_REUSEPORT, -RP_ENOTSUPP },
	{ "R-ATT-3", ATT_RAW, ATT_EBPF_REUSEPORT, -RP_ENOTSUPP },
	/* R-ATT-3 precedes R-ATT-4: no group and no SO_REUSEPORT either */
	{ "R-ATT-3 R-ATT-4", ATT_UNIX, ATT_EBPF_REUSEPORT, -RP_ENOTSUPP },
	{ "R-ATT-4 R-GRP-1", ATT_UNBOUND_REUSE, ATT_CBPF, 0 },
	{ "R-ATT-4 R-GRP-1", ATT_UNBOUND_REUSE, ATT_EBPF_REUSEPORT, 0 },
	{ "R-ATT-4", ATT_UNBOUND, ATT_CBPF, -EINVAL },
	{ "R-ATT-4", ATT_LISTENER_NOREUSE, ATT_CBPF, -EINVAL },
	{ "R-ATT-4", ATT_LISTENER_NOREUSE, ATT_EBPF_REUSEPORT, -EINVAL },
};

static int
att_socket(struct rp_state *st, enum att_sock kind)
{
	int fd;

	switch (kind) {
	case ATT_LISTENER:
		return member(st, RP_AF_INET, RP_SOCK_STREAM, 1, PORT);
	case ATT_LISTENER_NOREUSE:
		fd = rp_socket(st, 0, RP_AF_INET, RP_SOCK_STREAM, 0);
		ck_assert_int_eq(rp_listen(st, 0, fd, 1), 0);
		return fd;
	case ATT_UDPLITE:
		fd = rp_socket(st, 0, RP_AF_INET, RP_SOCK_DGRAM,
		    RP_IPPROTO_UDPLITE);
		break;
	case ATT_UNIX:
		return rp_socket(st, 0, RP_AF_UNIX, RP_SOCK_STREAM, 0);
	case ATT_RAW:
		fd = rp_socket(st, 0, RP_AF_INET, RP_SOCK_RAW, RP_IPPROTO_UDP);
		break;
	case ATT_UNBOUND:
		return rp_socket(st, 0, RP_AF_INET6, RP_SOCK_DGRAM, 0);
	default:
		fd = rp_socket(st, 0, RP_AF_INET6, RP_SOCK_STREAM, 0);
		break;
	}
	ck_assert_int_ge(fd, 3);
	ck_assert_int_eq(rp_setsockopt_int(st, 0, fd, RP_SO_REUSEPORT, 1), 0);
	return fd;
}

TU_LOOP(attach_errors, "group/attach", TU_BY_PROFILE(att_cases))
{
	const struct att_case *c = &att_cases[TU_CASE_OF(_i)];
	const struct rp_profile *prof = tu_prof(TU_ROW_OF(_i));
	TU_UNLESS(c->sock != ATT_UDPLITE || prof->udplite);
	struct rp_state *st = tu_state_of(prof);
	int fd = att_socket(st, c->sock), want = c->want, ret, pfd;
	struct rp_prog_attr pa = { .prog_type = RP_PROG_SK_REUSEPORT,
	    .map_fd = -1, .policy = { .always_drop = true } };
	struct rp_cbpf cb = { .k = 0 };
	unsigned before = group_of(st, fd), pid = 0;

	switch (c->prog) {
	case ATT_CBPF:
	case ATT_CBPF_TOO_LONG:
		/* the longest program each admits: BPF_MAXINSNS, or less
		 * under the default net.core.optmem_max (switch
		 * cbpf_optmem_insns, R-ATT-1) */
		cb.insn_count = c->prog == ATT_CBPF_TOO_LONG ? 4097 :
		    MIN(4096, prof->cbpf_optmem_insns);
		ret = rp_attach_cbpf(st, 0, fd, &cb);
		break;
	case ATT_EBPF_FILTER:
		pa.prog_type = RP_PROG_SOCKET_FILTER;
		/* FALLTHROUGH */
	case ATT_EBPF_REUSEPORT:
		pfd = rp_prog_load(st, 0, &pa);
		ck_assert_int_ge(pfd, 3);
		pid = rp_fd_prog(st, 0, pfd);
		ret = rp_attach_ebpf(st, 0, fd, pfd);
		break;
	case ATT_EBPF_CLOSED_FD:
		ret = rp_attach_ebpf(st, 0, fd, 900);
		break;
	default:
		ret = rp_attach_ebpf(st, 0, fd, tu_sockarray(st, 0, 8, 1));
		break;
	}
	ck_assert_msg(ret == want, "%s row %d: attach = %d, want %d",
	    c->rules, TU_CASE_OF(_i), ret, want);
	if (ret == 0) {
		struct rp_group_info gi = ginfo(st, group_of(st, fd));

		ck_assert_uint_ne(gi.prog, 0);
		if (pid != 0)
			ck_assert_uint_eq(gi.prog, pid);
		ck_assert(gi.prog_is_cbpf == (c->prog != ATT_EBPF_REUSEPORT));
		if (c->sock == ATT_UNBOUND_REUSE) {
			ck_assert_uint_eq(gi.num_socks, 1);
			ck_assert(!gi.bind_inany);
			ck_assert(!sinfo_fd(st, fd).hashed);
		}
	} else {
		ck_assert_uint_eq(group_of(st, fd), before);
	}
	tu_state_done(st);
}
END_TEST

/* R-ATT-4: a refused SO_ATTACH_REUSEPORT_CBPF keeps no program: the one
 * it built is freed at once (the program table slot is empty again). */
TU_LOOP(attach_refused_frees, "group/attach", TU_EVERY_PROFILE)
{
	struct rp_state *st = tu_state_row(_i);
	struct rp_cbpf cb = { .k = 0 };
	int fd = rp_socket(st, 0, RP_AF_INET, RP_SOCK_STREAM, 0);
	guint before;

	ck_assert_int_ge(fd, 0);
	before = st->progs->len;
	/* unhashed, no SO_REUSEPORT, no group: -EINVAL on every profile */
	ck_assert_int_eq(rp_attach_cbpf(st, 0, fd, &cb), -EINVAL);
	ck_assert_uint_eq(st->progs->len, before + 1);
	ck_assert_ptr_null(st->progs->pdata[before]);
	tu_state_done(st);
}
END_TEST

/* R-ATT-3: SO_ATTACH_REUSEPORT_EBPF of an SK_REUSEPORT program wants an
 * inet socket: a netlink socket whose type and protocol numbers are those
 * of UDP (SOCK_DGRAM, 17) is refused by its family, -ENOTSUPP. */
TU_LOOP(attach_ebpf_family, "group/attach", TU_EVERY_PROFILE)
{
	struct rp_state *st = tu_state_row(_i);
	struct rp_prog_attr pa = { .prog_type = RP_PROG_SK_REUSEPORT,
	    .map_fd = -1, .policy = { .always_pass = true } };
	int fd = rp_socket(st, 0, RP_AF_NETLINK, RP_SOCK_DGRAM,
	    RP_IPPROTO_UDP);
	int prog = rp_prog_load(st, 0, &pa);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_ge(prog, 0);
	ck_assert_int_eq(rp_attach_ebpf(st, 0, fd, prog), -RP_ENOTSUPP);
	tu_state_done(st);
}
END_TEST

/* R-ATT-5 R-DET-9: a new program replaces the old one for the whole
 * group (closed-section sockets included), the old one is released, and
 * slots are unaffected; a never-hashed socket's group is freed with the
 * socket (R-DET-7). */
TU_LOOP(attach_replace, "group/attach", TU_EVERY_PROFILE)
{
	struct rp_state *st = tu_state_row(_i);
	struct rp_cbpf cb = { .k = 0 };
	int map = tu_sockarray(st, 0, 8, 4);
	int a = member(st, RP_AF_INET, RP_SOCK_STREAM, 1, PORT);
	int b = member(st, RP_AF_INET, RP_SOCK_STREAM, 1, PORT);
	int pfd = sk_reuseport_prog(st, 0), u;
	unsigned g = group_of(st, a), p1, ug;

	ck_assert_int_eq(rp_map_update(st, 0, map, 0, (uint64_t)b,
	    RP_BPF_ANY), 0);
	ck_assert_int_eq(rp_attach_cbpf(st, 0, a, &cb), 0);
	p1 = ginfo(st, g).prog;
	ck_assert_int_eq(rp_attach_ebpf(st, 0, b, pfd), 0);
	ck_assert_uint_eq(ginfo(st, g).prog, rp_fd_prog(st, 0, pfd));
	ck_assert_ptr_null(st->progs->pdata[p1]);
	ck_assert_uint_eq(rp_map_slot(st, rp_fd_map(st, 0, map), 0),
	    rp_fd_sock(st, 0, b));
	ck_assert_int_eq(sinfo_fd(st, b).owner, RP_OWNER_SLOT);
	/* a never-hashed socket with a group: freed at destruction */
	u = rp_socket(st, 0, RP_AF_INET, RP_SOCK_DGRAM, 0);
	ck_assert_int_eq(rp_setsockopt_int(st, 0, u, RP_SO_REUSEPORT, 1), 0);
	ck_assert_int_eq(rp_attach_cbpf(st, 0, u, &cb), 0);
	ug = group_of(st, u);
	ck_assert_int_eq(rp_close(st, 0, u), 0);
	ck_assert(group_gone(st, ug));
	tu_state_done(st);
}
END_TEST

/* ---------------------------------------------------------------------
 * group/detach-prog (SO_DETACH_REUSEPORT_BPF)
 */

/* R-ATT-6: without detach_bpf_opt the option is unknown: -ENOPROTOOPT,
 * program kept. */
TU_LOOP(detach_prog_419, "group/detach-prog", TU_EVERY_PROFILE)
{
	TU_UNLESS(!tu_prof(_i)->detach_bpf_opt);
	struct rp_state *st = tu_state_row(_i);
	struct rp_cbpf cb = { .k = 0 };
	int a = member(st, RP_AF_INET, RP_SOCK_STREAM, 1, PORT);
	int u = rp_socket(st, 0, RP_AF_INET, RP_SOCK_DGRAM, 0);

	ck_assert_int_eq(rp_attach_cbpf(st, 0, a, &cb), 0);
	ck_assert_int_eq(rp_detach_bpf(st, 0, a), -ENOPROTOOPT);
	ck_assert_uint_ne(ginfo(st, group_of(st, a)).prog, 0);
	ck_assert_int_eq(rp_detach_bpf(st, 0, u), -ENOPROTOOPT);
	tu_state_done(st);
}
END_TEST

/* R-ATT-7 R-ATT-8 R-ATT-9 R-ATT-10 R-SEL-3 (detach_bpf_opt): no group:
 * -ENOENT with SO_REUSEPORT, else -EINVAL; an unhashed socket of a group
 * with closed sockets: -ENOENT, program kept; success once (0), then
 * -ENOENT from any member; afterwards packets go by hash. */
TU_LOOP(detach_prog_618, "group/detach-prog", TU_EVERY_PROFILE)
{
	TU_UNLESS(tu_prof(_i)->detach_bpf_opt &&
	    tu_prof(_i)->migration);
	struct rp_state *st = tu_state_row(_i);
	struct rp_cbpf cb = { .k = 1 };
	int a = member(st, RP_AF_INET, RP_SOCK_STREAM, 1, PORT);
	int b = member(st, RP_AF_INET, RP_SOCK_STREAM, 1, PORT);
	int c = member(st, RP_AF_INET, RP_SOCK_STREAM, 1, PORT);
	int u = rp_socket(st, 0, RP_AF_INET, RP_SOCK_DGRAM, 0);
	int r = rp_socket(st, 0, RP_AF_INET, RP_SOCK_DGRAM, 0);
	struct rp_packet pkt = { .protocol = RP_IPPROTO_TCP,
	    .src = tu_addr(RP_AF_INET, 1, 50000),
	    .dst = tu_addr(RP_AF_INET, 1, PORT), .has_hash = true,
	    .hash = 0 };
	struct rp_delivery d;
	unsigned g = group_of(st, a);

	ck_assert_int_eq(rp_setsockopt_int(st, 0, r, RP_SO_REUSEPORT, 1), 0);
	ck_assert_int_eq(rp_detach_bpf(st, 0, u), -EINVAL);
	ck_assert_int_eq(rp_detach_bpf(st, 0, r), -ENOENT);
	ck_assert_int_eq(rp_attach_cbpf(st, 0, a, &cb), 0);
	ck_assert_int_eq(rp_send(st, 0, &pkt, &d), 0);
	ck_assert_int_eq(d.how, RP_HOW_CBPF);
	ck_assert_uint_eq(d.sock, rp_fd_sock(st, 0, b));
	/* closed section: a shut-down member cannot detach */
	ck_assert_int_eq(rp_sysctl_set(st, 0, "net.ipv4.tcp_migrate_req", 1),
	    0);
	ck_assert_int_eq(rp_shutdown(st, 0, c, RP_SHUT_RDWR), 0);
	ck_assert_int_eq(rp_detach_bpf(st, 0, c), -ENOENT);
	ck_assert_uint_ne(ginfo(st, g).prog, 0);
	ck_assert_int_eq(rp_detach_bpf(st, 0, b), 0);
	ck_assert_uint_eq(ginfo(st, g).prog, 0);
	ck_assert_int_eq(rp_detach_bpf(st, 0, a), -ENOENT);
	ck_assert_int_eq(rp_send(st, 0, &pkt, &d), 0);
	ck_assert_int_eq(d.how, RP_HOW_HASH);
	ck_assert_int_eq(d.prog_ret, -1);
	ck_assert_uint_eq(d.sock, rp_fd_sock(st, 0, a));
	tu_state_done(st);
}
END_TEST

/* ---------------------------------------------------------------------
 * group/incoming-cpu (white-box: the group's counter)
 */

/* Listening members with an incoming CPU set. */
static unsigned
count_cpu_members(struct rp_state *st, unsigned g)
{
	struct rp_group *grp = group_ptr(st, g);
	unsigned n = 0;

	for (unsigned i = 0; i < grp->num_socks; i++)
		if (grp->socks[i]->incoming_cpu >= 0)
			n++;
	return n;
}

static void
assert_cpu_count(struct rp_state *st, unsigned g, unsigned want)
{
	ck_assert_uint_eq(group_ptr(st, g)->incoming_cpu, want);
	ck_assert_uint_eq(count_cpu_members(st, g), want);
}

/* R-SEL-6 R-MIG-6 (incoming_cpu): only listening members are counted: a member
 * in the closed section that sets or clears SO_INCOMING_CPU leaves the
 * count alone (the checker recounts it after each step). */
TU_LOOP(incoming_cpu_closed, "group/incoming-cpu", TU_EVERY_PROFILE)
{
	TU_UNLESS(tu_prof(_i)->incoming_cpu &&
	    tu_prof(_i)->migration);
	struct rp_state *st = tu_state_row(_i);
	int a = member(st, RP_AF_INET, RP_SOCK_STREAM, 1, PORT);
	int b = member(st, RP_AF_INET, RP_SOCK_STREAM, 1, PORT);
	struct rp_sock_info in;

	ck_assert_int_eq(rp_sysctl_set(st, 0, "net.ipv4.tcp_migrate_req", 1),
	    0);
	ck_assert_int_eq(rp_shutdown(st, 0, b, RP_SHUT_RDWR), 0);
	ck_assert_int_eq(rp_sock_info(st, rp_fd_sock(st, 0, b), &in), 0);
	ck_assert(in.group_closed);
	ck_assert_int_eq(rp_setsockopt_int(st, 0, b, RP_SO_INCOMING_CPU, 1), 0);
	tu_assert_invariants(st);
	ck_assert_int_eq(rp_setsockopt_int(st, 0, a, RP_SO_INCOMING_CPU, 0), 0);
	tu_assert_invariants(st);
	ck_assert_int_eq(rp_setsockopt_int(st, 0, b, RP_SO_INCOMING_CPU, -1),
	    0);
	tu_state_done(st);
}
END_TEST

/* R-SEL-6 R-GROW-1 (incoming_cpu): the group counts its listening members with
 * SO_INCOMING_CPU set: at join, on set and clear, when a member leaves or
 * moves to the closed section, at resurrection, and across growth. */
TU_LOOP(incoming_cpu_count, "group/incoming-cpu", TU_EVERY_PROFILE)
{
	TU_UNLESS(tu_prof(_i)->incoming_cpu &&
	    tu_prof(_i)->migration);
	struct rp_state *st = tu_state_row(_i);
	struct rp_sockaddr sa = tu_addr(RP_AF_INET, 1, PORT);
	int x = rp_socket(st, 0, RP_AF_INET, RP_SOCK_STREAM, 0);
	int a, b, more[200];
	unsigned g;

	ck_assert_int_eq(rp_setsockopt_int(st, 0, x, RP_SO_REUSEPORT, 1), 0);
	ck_assert_int_eq(rp_setsockopt_int(st, 0, x, RP_SO_INCOMING_CPU, 2),
	    0);
	ck_assert_int_eq(rp_bind(st, 0, x, &sa), 0);
	ck_assert_int_eq(rp_listen(st, 0, x, 1), 0);
	g = group_of(st, x);
	assert_cpu_count(st, g, 1);
	a = member(st, RP_AF_INET, RP_SOCK_STREAM, 1, PORT);
	b = member(st, RP_AF_INET, RP_SOCK_STREAM, 1, PORT);
	assert_cpu_count(st, g, 1);
	ck_assert_int_eq(rp_setsockopt_int(st, 0, a, RP_SO_INCOMING_CPU, 0),
	    0);
	assert_cpu_count(st, g, 2);
	ck_assert_int_eq(rp_setsockopt_int(st, 0, a, RP_SO_INCOMING_CPU, 3),
	    0);
	assert_cpu_count(st, g, 2);
	ck_assert_int_eq(rp_setsockopt_int(st, 0, x, RP_SO_INCOMING_CPU, -1),
	    0);
	assert_cpu_count(st, g, 1);
	ck_assert_int_eq(rp_setsockopt_int(st, 0, b, RP_SO_INCOMING_CPU, 1),
	    0);
	assert_cpu_count(st, g, 2);
	for (int i = 0; i < 200; i++)
		more[i] = member(st, RP_AF_INET, RP_SOCK_STREAM, 1, PORT);
	g = group_of(st, a);
	ck_assert_uint_eq(ginfo(st, g).max_socks, 256);
	assert_cpu_count(st, g, 2);
	ck_assert_int_eq(rp_close(st, 0, b), 0);
	assert_cpu_count(st, g, 1);
	ck_assert_int_eq(rp_sysctl_set(st, 0, "net.ipv4.tcp_migrate_req", 1),
	    0);
	ck_assert_int_eq(rp_shutdown(st, 0, a, RP_SHUT_RDWR), 0);
	assert_cpu_count(st, g, 0);
	/* a closed-section socket is not counted, whatever it sets */
	ck_assert_int_eq(rp_setsockopt_int(st, 0, a, RP_SO_INCOMING_CPU, -1),
	    0);
	ck_assert_int_eq(rp_setsockopt_int(st, 0, a, RP_SO_INCOMING_CPU, 5),
	    0);
	assert_cpu_count(st, g, 0);
	ck_assert_int_eq(rp_listen(st, 0, a, 1), 0);
	assert_cpu_count(st, g, 1);
	/* clearing an unset value changes nothing */
	ck_assert_int_eq(rp_setsockopt_int(st, 0, x, RP_SO_INCOMING_CPU, -1),
	    0);
	assert_cpu_count(st, g, 1);
	for (int i = 199; i >= 0; i--)
		rp_close(st, 0, more[i]);
	assert_cpu_count(st, g, 1);
	tu_state_done(st);
}
END_TEST

/* ---------------------------------------------------------------------
 * Suite
 */

TU_TCASE("group/grow", 60, NULL, NULL)


TU_MAIN("group")
