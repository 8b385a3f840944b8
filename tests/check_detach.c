/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * check_detach.c - unit tests of model/detach.c and its callers: how a
 * socket leaves its reuseport-array slot (bpf_sk_reuseport_detach()) when
 * it is unhashed, closed, disconnected or rehashed (docs/SPEC.md R-DET),
 * the 5.14+ stop-listen path with migration enabled (closed section, no
 * re-insertion on re-listen), what happens to owner words that belong to
 * other subsystems (5.8+: untouched; 4.19: cleared and reported as the
 * known defect through the observer), and fd lifetime (dup, passing).
 *
 * The unhash paths are one table run under every row of the model's
 * profile table (TU_BY_PROFILE), expectations per switch.
 */
#include <errno.h>
#include <limits.h>
#include <string.h>

#include "testutil.h"
#include "rp-int.h"


/* ---------------------------------------------------------------------
 * Fixture
 */

/* ---------------------------------------------------------------------
 * Helpers
 */

#define sockarray(fx, n) \
	tu_map((fx)->st, 0, RP_MAP_REUSEPORT_SOCKARRAY, 8, (n), 0, -1)

#define sid(fx, proc, fd)	tu_sock_id((fx)->st, (proc), (fd))
#define sinfo(fx, id)		tu_sock_info((fx)->st, (id))
#define ginfo(fx, g)		tu_group_info((fx)->st, (g))

static void
insert(struct tu_fx *fx, int map, uint32_t key, int fd)
{
	ck_assert_int_eq(rp_map_update(fx->st, 0, map, key, (uint64_t)fd,
	    RP_BPF_NOEXIST), 0);
}

/* slot key of map holds socket id, and its owner word says so */
#define assert_member(fx, map, key, id) \
	tu_assert_in_slot((fx)->st, 0, (map), (key), (id))

static bool
sock_gone(struct tu_fx *fx, unsigned id)
{
	struct rp_sock_info in;

	return rp_sock_info(fx->st, id, &in) != 0 || in.closed;
}

/* A second SO_REUSEPORT socket in fd's group (same address and port). */
static int
join(struct tu_fx *fx, int fd, int family, int type)
{
	struct rp_sockaddr sa;
	int n;

	ck_assert_int_eq(rp_getsockname(fx->st, 0, fd, &sa), 0);
	n = tu_reuse_sock(fx->st, 0, family, type,
	    !rp_addr_any(&sa.addr) ? 1 : 0, sa.port);
	ck_assert_uint_eq(sinfo(fx, sid(fx, 0, n)).group,
	    sinfo(fx, sid(fx, 0, fd)).group);
	return n;
}

static int
load_prog(struct tu_fx *fx, int map, uint32_t eat)
{
	struct rp_prog_attr pa = { .prog_type = RP_PROG_SK_REUSEPORT,
	    .expected_attach_type = eat, .map_fd = map };
	int fd;

	pa.policy.key_src = RP_KEY_CONST;
	fd = rp_prog_load(fx->st, 0, &pa);
	ck_assert_msg(fd >= 0, "prog load: %d", fd);
	return fd;
}

/* ---------------------------------------------------------------------
 * detach/unhash: every path of R-DET-4, R-DET-5, R-DET-8, R-DET-10 and
 * the events of R-DET-9 that keep the slot.
 */

struct env {
	struct tu_fx	fx;
	int		map;
	int		fd;		/* the member under test, in slot 1 */
	int		mate;		/* a member of its group, slot 2 */
	int		family, type;
};

enum result {
	LEAVES_BOTH,	/* slot and group, socket unhashed or closed */
	LEAVES_REHASH,	/* slot and group, socket stays hashed (R-DET-8) */
	STAYS,		/* slot, group and hash unchanged */
	NA_ROW,
};

struct unhash_case {
	const char	*name;
	struct tu_expect e;		/* want: enum result */
	int		family, type;
	bool		wildcard;	/* bound to the wildcard address */
	bool		fixed_port;	/* port given explicitly */
	void		(*op)(struct env *);
	struct tu_alt	on;
};

static void
op_close(struct env *e)
{
	ck_assert_int_eq(rp_close(e->fx.st, 0, e->fd), 0);
}

static void
op_shut_rd(struct env *e)
{
	ck_assert_int_eq(rp_shutdown(e->fx.st, 0, e->fd, RP_SHUT_RD), 0);
}

static void
op_shut_rdwr(struct env *e)
{
	ck_assert_int_eq(rp_shutdown(e->fx.st, 0, e->fd, RP_SHUT_RDWR), 0);
}

static void
op_shut_wr(struct env *e)
{
	ck_assert_int_eq(rp_shutdown(e->fx.st, 0, e->fd, RP_SHUT_WR), 0);
}

static void
op_unspec(struct env *e)
{
	struct rp_sockaddr sa = { .addr = { .family = RP_AF_UNSPEC } };

	ck_assert_int_eq(rp_connect(e->fx.st, 0, e->fd, &sa), 0);
}

static void
op_connect(struct env *e)
{
	struct rp_sockaddr peer = tu_addr(e->family, 1, 9999);

	ck_assert_int_eq(rp_connect(e->fx.st, 0, e->fd, &peer), 0);
}

static void
op_listen_again(struct env *e)
{
	ck_assert_int_eq(rp_listen(e->fx.st, 0, e->fd, 64), 0);
}

static void
op_mate_leaves(struct env *e)
{
	ck_assert_int_eq(rp_close(e->fx.st, 0, e->mate), 0);
}

static void
op_others_join(struct env *e)
{
	/* 130 more members: the group grows from 128 to 256 (R-GROW-1) */
	for (int i = 0; i < 130; i++)
		(void)join(&e->fx, e->fd, e->family, e->type);
	ck_assert_uint_eq(ginfo(&e->fx, sinfo(&e->fx, sid(&e->fx, 0,
	    e->fd)).group).max_socks, 256);
}

static void
op_prog_attach_detach(struct env *e)
{
	struct rp_cbpf c = { .k = 0 };
	int prog = load_prog(&e->fx, e->map, 0);

	ck_assert_int_eq(rp_attach_ebpf(e->fx.st, 0, e->mate, prog), 0);
	ck_assert_int_eq(rp_attach_cbpf(e->fx.st, 0, e->fd, &c), 0);
	if (e->fx.prof->detach_bpf_opt)	/* SO_DETACH_REUSEPORT_BPF */
		ck_assert_int_eq(rp_detach_bpf(e->fx.st, 0, e->mate), 0);
	ck_assert_int_eq(rp_close(e->fx.st, 0, prog), 0);
}

static void
op_other_slot(struct env *e)
{
	int x = tu_reuse_sock(e->fx.st, 0, e->family, e->type, 1, 0);

	ck_assert_int_eq(rp_map_delete(e->fx.st, 0, e->map, 2), 0);
	ck_assert_int_eq(rp_map_update(e->fx.st, 0, e->map, 2, (uint64_t)x,
	    RP_BPF_ANY), 0);
	ck_assert_int_eq(rp_map_update(e->fx.st, 0, e->map, 2,
	    (uint64_t)e->mate, RP_BPF_EXIST), 0);
}

static void
op_dup_close(struct env *e)
{
	int d = rp_fd_dup(e->fx.st, 0, e->fd);

	ck_assert_int_ge(d, 0);
	ck_assert_int_eq(rp_close(e->fx.st, 0, e->fd), 0);
	e->fd = d;
}

#define T4	RP_AF_INET, RP_SOCK_STREAM
#define T6	RP_AF_INET6, RP_SOCK_STREAM
#define U4	RP_AF_INET, RP_SOCK_DGRAM
#define U6	RP_AF_INET6, RP_SOCK_DGRAM

static bool	/* 6.18 (measured): a connect() on any UDP socket rehashes */
udp_connect_leaves(const struct rp_profile *p)
{
	return p->udp_connect_leaves_group;
}

static const struct unhash_case unhash_cases[] = {
	/* R-DET-4: a TCP listener (no migration) */
	{ "detach/unhash/tcp-close", TU_E("R-DET-4 R-SOCK-8", LEAVES_BOTH), T4, false, false,
	    op_close, TU_SAME },
	{ "detach/unhash/tcp6-close-wildcard", TU_E("R-DET-4", LEAVES_BOTH), T6, true,
	    false, op_close, TU_SAME },
	{ "detach/unhash/tcp-shutdown-rd", TU_E("R-DET-4 R-SOCK-5", LEAVES_BOTH), T4, false,
	    false, op_shut_rd, TU_SAME },
	{ "detach/unhash/tcp-shutdown-rdwr", TU_E("R-DET-4 R-SOCK-5", LEAVES_BOTH), T6,
	    false, false, op_shut_rdwr, TU_SAME },
	{ "detach/unhash/tcp-connect-unspec", TU_E("R-DET-4 R-SOCK-5", LEAVES_BOTH), T4,
	    false, true, op_unspec, TU_SAME },
	/* R-DET-5: UDP */
	{ "detach/unhash/udp-close", TU_E("R-DET-5", LEAVES_BOTH), U4, false, false,
	    op_close, TU_SAME },
	{ "detach/unhash/udp6-close-wildcard", TU_E("R-DET-5", LEAVES_BOTH), U6, true, false,
	    op_close, TU_SAME },
	{ "detach/unhash/udp-unspec-autoport", TU_E("R-DET-5", LEAVES_BOTH), U6, false,
	    false, op_unspec, TU_SAME },
	{ "detach/unhash/udp-unspec-fixed-port", TU_E("R-DET-5", STAYS), U4, false,
	    true, op_unspec, TU_SAME },
	/* R-DET-8 R-DET-10: UDP connect */
	{ "detach/unhash/udp-connect-wildcard", TU_E("R-DET-8", LEAVES_REHASH), U4, true,
	    false, op_connect, TU_SAME },
	{ "detach/unhash/udp6-connect-wildcard", TU_E("R-DET-8", LEAVES_REHASH), U6, true,
	    true, op_connect, TU_SAME },
	{ "detach/unhash/udp-connect-bound-address",
	    TU_E("R-DET-8 R-CONN-1", STAYS), U4, false, false, op_connect,
	    TU_ON(udp_connect_leaves, TU_E("R-DET-10", LEAVES_REHASH)) },
	/* R-DET-9: nothing changes the slot */
	{ "detach/keep/tcp-shutdown-wr", TU_E("R-DET-9 R-SOCK-5", STAYS), T4, false,
	    false, op_shut_wr, TU_SAME },
	{ "detach/keep/tcp-listen-again", TU_E("R-DET-9 R-GRP-7", STAYS), T6, false,
	    false, op_listen_again, TU_SAME },
	{ "detach/keep/mate-leaves", TU_E("R-DET-9", STAYS), T4, false, false,
	    op_mate_leaves, TU_SAME },
	{ "detach/keep/udp-mate-leaves", TU_E("R-DET-9", STAYS), U6, false, false,
	    op_mate_leaves, TU_SAME },
	{ "detach/keep/group-grows", TU_E("R-DET-9 R-GROW-1", STAYS), T4, false, false,
	    op_others_join, TU_SAME },
	{ "detach/keep/udp-group-grows", TU_E("R-DET-9 R-GROW-1", STAYS), U4, false,
	    false, op_others_join, TU_SAME },
	{ "detach/keep/prog-attach-detach", TU_E("R-DET-9 R-ATT-5", STAYS), T4, false,
	    false, op_prog_attach_detach, TU_SAME },
	{ "detach/keep/other-slot", TU_E("R-DET-9", STAYS), U4, false, false,
	    op_other_slot, TU_SAME },
	{ "detach/keep/close-dup", TU_E("R-DET-9 R-SOCK-8 R-INV-6", STAYS), T6, false,
	    false, op_dup_close, TU_SAME },
};

/* A member of family/type bound to loopback or the wildcard. */
static int
make_member(struct tu_fx *fx, int family, int type, bool wildcard,
    bool fixed_port)
{
	static uint16_t next_port = 20000;

	return tu_reuse_sock(fx->st, 0, family, type, wildcard ? 0 : 1,
	    fixed_port ? next_port++ : 0);
}

TU_NAMED(unhash_table, "detach/unhash/table", "detach/unhash",
    TU_BY_PROFILE(unhash_cases))
{
	const struct unhash_case *c = &unhash_cases[TU_CASE_OF(_i)];
	const struct rp_profile *prof = tu_prof(TU_ROW_OF(_i));
	struct tu_expect x = tu_expect_of(prof, &c->e, &c->on, 1);
	struct env e;
	unsigned id, mate, g;
	uint32_t rid;
	struct rp_sock_info in;
	uint64_t cookie;

	TU_UNLESS(x.want != NA_ROW);
	memset(&e, 0, sizeof(e));
	tu_fx_init(&e.fx, TU_ROW_OF(_i));
	e.family = c->family;
	e.type = c->type;
	e.map = sockarray(&e.fx, 4);
	e.fd = make_member(&e.fx, c->family, c->type, c->wildcard,
	    c->fixed_port);
	e.mate = join(&e.fx, e.fd, c->family, c->type);
	insert(&e.fx, e.map, 1, e.fd);
	insert(&e.fx, e.map, 2, e.mate);
	id = sid(&e.fx, 0, e.fd);
	mate = sid(&e.fx, 0, e.mate);
	g = sinfo(&e.fx, id).group;
	rid = ginfo(&e.fx, g).reuseport_id;
	cookie = sinfo(&e.fx, id).cookie;
	tu_fx_clear(&e.fx);
	c->op(&e);
	tu_assert_invariants(e.fx.st);
	switch ((enum result)x.want) {
	case LEAVES_BOTH:
	case LEAVES_REHASH:
		ck_assert_msg(rp_map_slot(e.fx.st, rp_fd_map(e.fx.st, 0,
		    e.map), 1) == 0, "%s [%s]: slot still occupied (%s)",
		    c->name, prof->name, x.rule);
		ck_assert(tu_saw_rule(e.fx.ev, "R-DET-1", TU_ANY));
		ck_assert_uint_eq(tu_count(e.fx.ev, RP_EV_SLOT_CLEAR, id), 1);
		if (x.want == LEAVES_REHASH) {
			in = sinfo(&e.fx, id);
			ck_assert(in.hashed && !in.closed);
			ck_assert_int_eq(in.owner, RP_OWNER_NONE);
			ck_assert_uint_eq(in.group, 0);
		} else if (!sock_gone(&e.fx, id)) {
			in = sinfo(&e.fx, id);
			ck_assert(!in.hashed);
			ck_assert_int_eq(in.owner, RP_OWNER_NONE);
			ck_assert_uint_eq(in.group, 0);
		}
		/* the mate keeps its slot and its group */
		assert_member(&e.fx, e.map, 2, mate);
		ck_assert_uint_eq(sinfo(&e.fx, mate).group, g);
		ck_assert_uint_eq(ginfo(&e.fx, g).num_socks, 1);
		break;
	case STAYS:
		assert_member(&e.fx, e.map, 1, id);
		in = sinfo(&e.fx, id);
		/* growth replaces the group object (a new model id) but
		 * keeps its reuseport_id (R-GROW-1) */
		ck_assert_msg(in.group != 0 && in.hashed &&
		    ginfo(&e.fx, in.group).reuseport_id == rid, "%s [%s]: "
		    "left its group (%s)", c->name, prof->name, x.rule);
		if (c->op != op_mate_leaves)
			ck_assert_uint_eq(sinfo(&e.fx, mate).group, in.group);
		ck_assert_uint_eq(in.cookie, cookie);
		ck_assert_uint_eq(tu_count(e.fx.ev, RP_EV_SLOT_CLEAR, id), 0);
		ck_assert_uint_eq(tu_count(e.fx.ev, RP_EV_OWNER_CLEAR, id), 0);
		break;
	case NA_ROW:
		break;
	}
	tu_fx_fini(&e.fx);
}
END_TEST

/*
 * R-DET-1 R-INV-12: detach clears the owner word and then the slot inside
 * the socket's callback lock, with the reuseport lock held, before the
 * socket leaves socks[].
 */
TU_NAMED(unhash_order, "detach/unhash/order", "detach/unhash", TU_EVERY_PROFILE)
{
	static const int kinds[] = {
		RP_EV_LOCK, RP_EV_UNLOCK, RP_EV_CB_LOCK, RP_EV_CB_UNLOCK,
		RP_EV_OWNER_CLEAR, RP_EV_SLOT_CLEAR, RP_EV_GROUP_DEL, -1
	};
	struct tu_fx fx;
	int map, a;
	unsigned id;
	GString *s = g_string_new(NULL);
	char *want;

	tu_fx_init(&fx, _i);
	map = sockarray(&fx, 2);
	a = tu_reuse_sock(fx.st, 0, RP_AF_INET, RP_SOCK_STREAM, 1, 0);
	insert(&fx, map, 0, a);
	id = sid(&fx, 0, a);
	tu_fx_clear(&fx);
	ck_assert_int_eq(rp_close(fx.st, 0, a), 0);
	for (guint i = 0; i < fx.ev->len; i++) {
		const struct rp_event *e = &g_array_index(fx.ev,
		    struct rp_event, i);

		for (const int *k = kinds; *k >= 0; k++)
			if ((int)e->kind == *k)
				g_string_append_printf(s, "%s%s",
				    s->len ? " " : "",
				    rp_event_kind_name(e->kind));
	}
	want = g_strdup("lock cb_lock owner_clear slot_clear cb_unlock "
	    "group_del unlock");
	ck_assert_msg(strstr(s->str, want) != NULL, "events: %s", s->str);
	ck_assert_uint_eq(tu_count(fx.ev, RP_EV_SLOT_CLEAR, id), 1);
	g_free(want);
	g_string_free(s, TRUE);
	tu_fx_fini(&fx);
}
END_TEST

/*
 * R-SOCK-5 R-SOCK-4 R-DET-4: a listener whose port was chosen by the
 * kernel (bound to port 0) loses the port when it is disconnected, and
 * may listen() again: it autobinds a fresh port and gets a new group,
 * in no map.  (Guarded: the re-listen is attempted only once the port is
 * released, so a model that keeps it fails here instead of crashing.)
 */
TU_NAMED(unhash_relisten_autobound, "detach/unhash/relisten-autobound", "detach/unhash", TU_EVERY_PROFILE)
{
	struct tu_fx fx;
	int map, a, b;
	unsigned ida, g;
	struct rp_sockaddr sa;

	tu_fx_init(&fx, _i);
	map = sockarray(&fx, 2);
	a = tu_reuse_sock(fx.st, 0, RP_AF_INET, RP_SOCK_STREAM, 1, 0);
	b = join(&fx, a, RP_AF_INET, RP_SOCK_STREAM);
	ida = sid(&fx, 0, a);
	g = sinfo(&fx, ida).group;
	insert(&fx, map, 0, a);
	ck_assert_int_eq(rp_shutdown(fx.st, 0, a, RP_SHUT_RDWR), 0);
	ck_assert_uint_eq(rp_map_slot(fx.st, rp_fd_map(fx.st, 0, map), 0), 0);
	/* the port is given back (getsockname() still shows it: inet_sport
	 * outlives inet_num, as on the kernel) */
	ck_assert_int_eq(rp_getsockname(fx.st, 0, a, &sa), 0);
	ck_assert_uint_ne(sa.port, 0);
	ck_assert_msg(sinfo(&fx, ida).local.port == 0, "[%s] a disconnected "
	    "listener keeps its kernel-chosen port %u (R-SOCK-5)",
	    fx.prof->name, sinfo(&fx, ida).local.port);
	ck_assert_int_eq(rp_listen(fx.st, 0, a, 8), 0);
	ck_assert_uint_ne(tu_port(fx.st, 0, a), 0);
	ck_assert_uint_ne(tu_port(fx.st, 0, a), tu_port(fx.st, 0, b));
	ck_assert_uint_ne(sinfo(&fx, ida).group, 0);
	ck_assert_uint_ne(sinfo(&fx, ida).group, g);
	ck_assert_int_eq(sinfo(&fx, ida).owner, RP_OWNER_NONE);
	tu_fx_fini(&fx);
}
END_TEST

/* ---------------------------------------------------------------------
 * detach/migrate: 6.18 stop-listen with migration (R-DET-6, R-MIG-6)
 */

enum mig_via { VIA_SYSCTL, VIA_PROG_MIGRATE, VIA_PROG_SELECT, VIA_NONE };

struct mig_case {
	const char	*name;
	const char	*rule;
	enum mig_via	via;
	int		how;		/* RP_SHUT_*, -1: connect(AF_UNSPEC) */
	bool		closed_section;	/* the result with migration (5.14+) */
};

static const struct mig_case mig_cases[] = {
	{ "detach/migrate/sysctl-shutdown", "R-DET-6 R-MIG-6", VIA_SYSCTL,
	    RP_SHUT_RDWR, true },
	{ "detach/migrate/sysctl-shutdown-rd", "R-DET-6 R-MIG-6", VIA_SYSCTL,
	    RP_SHUT_RD, true },
	{ "detach/migrate/sysctl-unspec", "R-DET-6 R-MIG-6", VIA_SYSCTL, -1,
	    true },
	{ "detach/migrate/prog-shutdown", "R-DET-6 R-MIG-6",
	    VIA_PROG_MIGRATE, RP_SHUT_RDWR, true },
	{ "detach/migrate/select-prog-no-migration", "R-MIG-6 R-DET-4",
	    VIA_PROG_SELECT, RP_SHUT_RDWR, false },
	{ "detach/migrate/off", "R-MIG-6 R-DET-4", VIA_NONE, RP_SHUT_RDWR,
	    false },
};

/*
 * A listener in slot 0 stops listening with migration enabled (6.18): it
 * leaves the slot at once, moves to its group's closed section keeping
 * its group pointer; listen() again brings it back into the listening
 * section of the same group (R-RES-1) but not into the map; user space
 * may insert it again.  4.19 has neither the sysctl nor the closed
 * section: the socket leaves its group, and a new listen() joins the
 * mate's group like a new socket (R-RES-4).
 */
TU_NAMED(migrate_table, "detach/migrate/table", "detach/migrate",
    TU_BY_PROFILE(mig_cases))
{
	const struct mig_case *c = &mig_cases[TU_CASE_OF(_i)];
	const struct rp_profile *prof = tu_prof(TU_ROW_OF(_i));
	bool closed = c->closed_section && prof->migration;
	struct tu_fx fx;
	int map, a, b, prog = -1;
	unsigned ida, idb, g;
	struct rp_sock_info in;

	tu_fx_init(&fx, TU_ROW_OF(_i));
	map = sockarray(&fx, 4);
	/* an explicit port, which a disconnected listener keeps (R-SOCK-5) */
	a = tu_reuse_sock(fx.st, 0, RP_AF_INET, RP_SOCK_STREAM, 1, 7000);
	b = join(&fx, a, RP_AF_INET, RP_SOCK_STREAM);
	ida = sid(&fx, 0, a);
	idb = sid(&fx, 0, b);
	g = sinfo(&fx, ida).group;
	insert(&fx, map, 0, a);
	insert(&fx, map, 1, b);
	switch (c->via) {
	case VIA_SYSCTL:
		ck_assert_int_eq(rp_sysctl_set(fx.st, 0,
		    "net.ipv4.tcp_migrate_req", 1),
		    prof->migrate_req_sysctl ? 0 : -ENOENT);
		break;
	case VIA_PROG_MIGRATE:
	case VIA_PROG_SELECT:
		prog = load_prog(&fx, map, c->via == VIA_PROG_MIGRATE ?
		    RP_ATTACH_SK_REUSEPORT_SELECT_OR_MIGRATE :
		    RP_ATTACH_SK_REUSEPORT_SELECT);
		ck_assert_int_eq(rp_attach_ebpf(fx.st, 0, b, prog), 0);
		break;
	case VIA_NONE:
		break;
	}
	tu_fx_clear(&fx);
	if (c->how >= 0) {
		ck_assert_int_eq(rp_shutdown(fx.st, 0, a, c->how), 0);
	} else {
		struct rp_sockaddr sa = { .addr = { .family = RP_AF_UNSPEC } };

		ck_assert_int_eq(rp_connect(fx.st, 0, a, &sa), 0);
	}
	tu_assert_invariants(fx.st);
	/* the slot is left in the same step either way (R-DET-4) */
	ck_assert_uint_eq(rp_map_slot(fx.st, rp_fd_map(fx.st, 0, map), 0), 0);
	in = sinfo(&fx, ida);
	ck_assert_int_eq(in.owner, RP_OWNER_NONE);
	ck_assert(!in.hashed);
	ck_assert_int_eq(in.state, RP_TCP_CLOSE);
	if (closed) {
		ck_assert(tu_saw_rule(fx.ev, "R-DET-6", TU_ANY));
		ck_assert_uint_eq(in.group, g);
		ck_assert(in.group_closed);
		ck_assert_uint_eq(ginfo(&fx, g).num_closed_socks, 1);
		ck_assert_uint_eq(ginfo(&fx, g).num_socks, 1);
	} else {
		ck_assert(!tu_saw_rule(fx.ev, "R-DET-6", TU_ANY));
		ck_assert_uint_eq(in.group, 0);
		ck_assert_uint_eq(ginfo(&fx, g).num_socks, 1);
		ck_assert_uint_eq(ginfo(&fx, g).num_closed_socks, 0);
	}
	assert_member(&fx, map, 1, idb);
	/* listen again: back in the group, not in the map */
	ck_assert_int_eq(rp_listen(fx.st, 0, a, 8), 0);
	tu_assert_invariants(fx.st);
	in = sinfo(&fx, ida);
	ck_assert_uint_eq(in.group, g);
	ck_assert(!in.group_closed);
	ck_assert_int_eq(in.owner, RP_OWNER_NONE);
	ck_assert_uint_eq(rp_map_slot(fx.st, rp_fd_map(fx.st, 0, map), 0), 0);
	ck_assert_uint_eq(ginfo(&fx, g).num_socks, 2);
	ck_assert_uint_eq(ginfo(&fx, g).num_closed_socks, 0);
	if (closed)
		ck_assert(tu_saw_rule(fx.ev, "R-RES-1", TU_ANY));
	insert(&fx, map, 0, a);
	if (prog >= 0)
		ck_assert_int_eq(rp_close(fx.st, 0, prog), 0);
	tu_fx_fini(&fx);
}
END_TEST

/*
 * R-DET-6 R-DET-7 R-MIG-6: with migration on, the last close of a
 * listener also leaves the slot at once; the socket sits in the closed
 * section only until it is destroyed, then leaves the group.  A UDP
 * member never takes the migration path (R-MIG-6).
 */
TU_NAMED(migrate_close, "detach/migrate/close", "detach/migrate",
    TU_EVERY_PROFILE)
{
	struct tu_fx fx;
	int map, a, b, u, u2;
	unsigned ida, g, gu;

	TU_UNLESS(tu_prof(_i)->migration);
	tu_fx_init(&fx, _i);
	ck_assert_int_eq(rp_sysctl_set(fx.st, 0, "net.ipv4.tcp_migrate_req",
	    1), 0);
	map = sockarray(&fx, 4);
	a = tu_reuse_sock(fx.st, 0, RP_AF_INET6, RP_SOCK_STREAM, 1, 0);
	b = join(&fx, a, RP_AF_INET6, RP_SOCK_STREAM);
	u = tu_reuse_sock(fx.st, 0, RP_AF_INET, RP_SOCK_DGRAM, 1, 0);
	u2 = join(&fx, u, RP_AF_INET, RP_SOCK_DGRAM);
	ida = sid(&fx, 0, a);
	g = sinfo(&fx, ida).group;
	gu = sinfo(&fx, sid(&fx, 0, u)).group;
	insert(&fx, map, 0, a);
	insert(&fx, map, 1, u);
	tu_fx_clear(&fx);
	ck_assert_int_eq(rp_close(fx.st, 0, a), 0);
	ck_assert(tu_saw_rule(fx.ev, "R-DET-6", TU_ANY));
	ck_assert(tu_saw_rule(fx.ev, "R-DET-7", TU_ANY));
	ck_assert_uint_eq(rp_map_slot(fx.st, rp_fd_map(fx.st, 0, map), 0), 0);
	ck_assert(sock_gone(&fx, ida));
	ck_assert_uint_eq(ginfo(&fx, g).num_socks, 1);
	ck_assert_uint_eq(ginfo(&fx, g).num_closed_socks, 0);
	tu_assert_invariants(fx.st);
	tu_fx_clear(&fx);
	ck_assert_int_eq(rp_close(fx.st, 0, u), 0);
	ck_assert(!tu_saw_rule(fx.ev, "R-DET-6", TU_ANY));
	ck_assert_uint_eq(rp_map_slot(fx.st, rp_fd_map(fx.st, 0, map), 1), 0);
	ck_assert_uint_eq(ginfo(&fx, gu).num_closed_socks, 0);
	ck_assert_uint_eq(ginfo(&fx, gu).num_socks, 1);
	(void)b;
	(void)u2;
	tu_fx_fini(&fx);
}
END_TEST

/* ---------------------------------------------------------------------
 * detach/foreign: owner words of other subsystems (R-DET-2, R-DET-3)
 */

struct defect_log {
	unsigned	n;
	unsigned	sock;
	const char	*what;
};

/* An observer that only records RP_EV_KNOWN_DEFECT events. */
static void
defect_event(void *ud, const struct rp_event *ev)
{
	struct defect_log *log = ud;

	if (ev->kind != RP_EV_KNOWN_DEFECT)
		return;
	log->n++;
	log->sock = ev->sock;
	log->what = ev->what;
}

static const struct rp_observer defect_obs = { .event = defect_event };

/*
 * A group member whose owner word belongs to another user (an l2tp-like
 * encapsulation) is closed.  6.18 leaves that word alone.  4.19 clears
 * it when the group has an id (a member was inserted once) and the
 * observer receives the known-defect event; a group without an id is
 * never detached (R-DET-3), so nothing is written or reported.
 */
struct foreign_case {
	const char	*name;
	const char	*rule;		/* with user_data_tags (5.8+) */
	const char	*rule_untagged;	/* without (4.19) */
	bool		group_has_id;	/* a mate was inserted into a map */
	int		how;		/* RP_SHUT_* or -1: close() */
	int		type;
};

static const struct foreign_case foreign_cases[] = {
	{ "detach/foreign/tcp-close-group-with-id", "R-DET-2 R-INV-4",
	    "R-DET-2 R-INV-4", true, -1, RP_SOCK_STREAM },
	{ "detach/foreign/tcp-shutdown-group-with-id", "R-DET-2 R-INV-4",
	    "R-DET-2 R-INV-4", true, RP_SHUT_RDWR, RP_SOCK_STREAM },
	{ "detach/foreign/udp-close-group-with-id", "R-DET-2 R-INV-4",
	    "R-DET-2 R-INV-4", true, -1, RP_SOCK_DGRAM },
	{ "detach/foreign/tcp-shutdown-group-without-id", "R-DET-2",
	    "R-DET-3", false, RP_SHUT_RDWR, RP_SOCK_STREAM },
	{ "detach/foreign/udp-close-group-without-id", "R-DET-2",
	    "R-DET-3", false, -1, RP_SOCK_DGRAM },
};

TU_NAMED(foreign_table, "detach/foreign/table", "detach/foreign",
    TU_BY_PROFILE(foreign_cases))
{
	const struct foreign_case *c = &foreign_cases[TU_CASE_OF(_i)];
	const struct rp_profile *prof = tu_prof(TU_ROW_OF(_i));
	/* KERNEL: before 5.8 bpf_sk_reuseport_detach() takes any
	 * sk_user_data of a socket whose group has an id for a slot */
	bool defect = !prof->user_data_tags && c->group_has_id;
	const char *rule = prof->user_data_tags ? c->rule : c->rule_untagged;
	struct defect_log log = { 0 };
	struct rp_state *st = tu_state_of(prof);
	struct rp_map_attr a;
	int map, s, mate, d = -1;
	unsigned id;
	struct rp_sock_info in;

	rp_map_attr_init(&a, RP_MAP_REUSEPORT_SOCKARRAY, 8, 2);
	map = rp_map_create(st, 0, &a);
	ck_assert_int_ge(map, 0);
	s = tu_reuse_sock(st, 0, RP_AF_INET, c->type, 1, 0);
	mate = tu_reuse_sock(st, 0, RP_AF_INET, c->type, 1, tu_port(st, 0, s));
	id = rp_fd_sock(st, 0, s);
	if (c->group_has_id)
		ck_assert_int_eq(rp_map_update(st, 0, map, 0, (uint64_t)mate,
		    0), 0);
	ck_assert_int_eq(rp_set_foreign_owner(st, 0, s), 0);
	ck_assert_int_eq(rp_set_foreign_owner(st, 0, s), -EBUSY);
	/* a foreign-owned socket cannot enter a map (R-UPD-6g) */
	ck_assert_int_eq(rp_map_update(st, 0, map, 1, (uint64_t)s, 0),
	    -EBUSY);
	if (c->how < 0)
		d = rp_fd_dup(st, 0, s);	/* a second fd: see below */
	rp_state_set_observer(st, &defect_obs, &log);
	if (c->how < 0)
		ck_assert_int_eq(rp_close(st, 0, s), 0);
	else
		ck_assert_int_eq(rp_shutdown(st, 0, s, c->how), 0);
	if (c->how < 0) {
		/* closing one of two fds detached nothing yet */
		ck_assert_uint_eq(log.n, 0);
		ck_assert_int_eq(rp_sock_info(st, id, &in), 0);
		ck_assert_int_eq(in.owner, RP_OWNER_FOREIGN);
		ck_assert_int_eq(rp_close(st, 0, d), 0);
	}
	ck_assert_msg(log.n == (defect ? 1u : 0u), "%s [%s]: %u "
	    "known-defect events (%s)", c->name, prof->name, log.n, rule);
	if (defect) {
		ck_assert_uint_eq(log.sock, id);
		ck_assert_ptr_nonnull(log.what);
	}
	if (rp_sock_info(st, id, &in) == 0 && !in.closed)
		ck_assert_int_eq(in.owner, defect ? RP_OWNER_NONE :
		    RP_OWNER_FOREIGN);
	if (c->how >= 0) {
		ck_assert_int_eq(rp_sock_info(st, id, &in), 0);
		ck_assert_int_eq(in.owner, defect ? RP_OWNER_NONE :
		    RP_OWNER_FOREIGN);
	}
	/* the mate's slot is not touched by the foreign socket's detach */
	if (c->group_has_id)
		ck_assert_uint_eq(rp_map_slot(st, rp_fd_map(st, 0, map), 0),
		    rp_fd_sock(st, 0, mate));
	tu_state_done(st);
}
END_TEST

/*
 * R-DET-2 R-INV-4 (user_data_tags, 5.8+): with the planted fault
 * RP_PLANT_DETACH_FOREIGN (the pre-5.8 detach) a shut-down listener with a
 * foreign owner word loses it, and the checker, which knows a 5.8+ kernel
 * never does that, reports I4 instead of a known defect.
 */
TU_NAMED(foreign_planted, "detach/foreign/planted", "detach/foreign",
    TU_EVERY_PROFILE)
{
	struct tu_fx fx;
	GError *err = NULL;
	int sa, l, mate;

	TU_UNLESS(tu_prof(_i)->user_data_tags);
	tu_fx_init(&fx, _i);
	sa = sockarray(&fx, 2);
	l = tu_reuse_sock(fx.st, 0, RP_AF_INET, RP_SOCK_STREAM, 1, 0);
	mate = join(&fx, l, RP_AF_INET, RP_SOCK_STREAM);
	insert(&fx, sa, 0, mate);
	ck_assert_int_eq(rp_set_foreign_owner(fx.st, 0, l), 0);
	rp_state_plant(fx.st, RP_PLANT_DETACH_FOREIGN);
	ck_assert_int_eq(rp_shutdown(fx.st, 0, l, RP_SHUT_RDWR), 0);
	ck_assert_int_eq(sinfo(&fx, sid(&fx, 0, l)).owner, RP_OWNER_NONE);
	ck_assert(!rp_check(fx.st, &err));
	ck_assert_msg(g_str_has_prefix(err->message, "I4 ") &&
	    strstr(err->message, "foreign owner word was overwritten") != NULL,
	    "%s", err->message);
	g_clear_error(&err);
	rp_state_free(fx.st);
	g_array_unref(fx.ev);
}
END_TEST

/*
 * R-DET-2 R-SMAP-4: a listener held by a sockmap (psock owner word) that
 * stops listening: detach leaves the psock word alone (user_data_tags,
 * 5.8+: no defect); the sockmap keeps the socket until it is closed
 * (sockmap_keeps_unhashed) or drops it on unhash.
 */
TU_NAMED(foreign_psock, "detach/foreign/psock", "detach/foreign",
    TU_EVERY_PROFILE)
{
	struct tu_fx fx;
	struct rp_map_attr a;
	int sm, sa, l, mate;
	unsigned id;

	TU_UNLESS(tu_prof(_i)->user_data_tags);
	tu_fx_init(&fx, _i);
	rp_map_attr_init(&a, RP_MAP_SOCKMAP, 8, 2);
	sm = rp_map_create(fx.st, 0, &a);
	ck_assert_int_ge(sm, 0);
	sa = sockarray(&fx, 2);
	l = tu_reuse_sock(fx.st, 0, RP_AF_INET, RP_SOCK_STREAM, 1, 0);
	mate = join(&fx, l, RP_AF_INET, RP_SOCK_STREAM);
	insert(&fx, sa, 0, mate);
	id = sid(&fx, 0, l);
	ck_assert_int_eq(rp_map_update(fx.st, 0, sm, 1, (uint64_t)l, 0), 0);
	ck_assert_int_eq(sinfo(&fx, id).owner, RP_OWNER_PSOCK);
	tu_fx_clear(&fx);
	ck_assert_int_eq(rp_shutdown(fx.st, 0, l, RP_SHUT_RDWR), 0);
	ck_assert(tu_saw_rule(fx.ev, "R-DET-2", TU_ANY));
	ck_assert_uint_eq(tu_count(fx.ev, RP_EV_KNOWN_DEFECT, 0), 0);
	/* R-SMAP-6: unhashed, l stays in the sockmap until it is closed */
	if (fx.prof->sockmap_keeps_unhashed != RP_SMAP_UNHASH_DROP)
		ck_assert_uint_ne(rp_map_slot(fx.st, rp_fd_map(fx.st, 0, sm),
		    1), 0);
	ck_assert_int_eq(rp_close(fx.st, 0, l), 0);
	ck_assert_uint_eq(rp_map_slot(fx.st, rp_fd_map(fx.st, 0, sm), 1), 0);
	assert_member(&fx, sa, 0, sid(&fx, 0, mate));
	tu_fx_fini(&fx);
}
END_TEST

/*
 * R-SOCK-7 R-INV-1: before 5.8 (user_data_tags) an accepted child of a
 * member carries a stale copy of the parent's owner word (5.8+: none).  The child is in no slot
 * and has no group: closing it leaves the parent's slot alone, and the
 * state stays valid for the checker.
 */
TU_NAMED(foreign_stale_child, "detach/foreign/stale-child", "detach/foreign", TU_EVERY_PROFILE)
{
	struct tu_fx fx;
	int map, l, cl, child;
	struct rp_sockaddr sa;
	unsigned lid, cid;
	struct rp_sock_info in;

	tu_fx_init(&fx, _i);
	map = sockarray(&fx, 4);
	l = tu_reuse_sock(fx.st, 0, RP_AF_INET, RP_SOCK_STREAM, 1, 0);
	insert(&fx, map, 2, l);
	lid = sid(&fx, 0, l);
	sa = tu_addr(RP_AF_INET, 1, tu_port(fx.st, 0, l));
	cl = rp_socket(fx.st, 0, RP_AF_INET, RP_SOCK_STREAM, 0);
	ck_assert_int_eq(rp_connect(fx.st, 0, cl, &sa), 0);
	child = rp_accept(fx.st, 0, l);
	ck_assert_int_ge(child, 0);
	cid = sid(&fx, 0, child);
	in = sinfo(&fx, cid);
	ck_assert_uint_eq(in.group, 0);
	if (!fx.prof->user_data_tags) {	/* no SK_USER_DATA_NOCOPY */
		ck_assert_int_eq(in.owner, RP_OWNER_STALE);
		ck_assert_uint_eq(in.owner_idx, 2);
	} else {
		ck_assert_int_eq(in.owner, RP_OWNER_NONE);
	}
	tu_assert_invariants(fx.st);
	tu_fx_clear(&fx);
	ck_assert_int_eq(rp_close(fx.st, 0, child), 0);
	ck_assert_uint_eq(tu_count(fx.ev, RP_EV_SLOT_CLEAR, 0), 0);
	assert_member(&fx, map, 2, lid);
	tu_fx_fini(&fx);
}
END_TEST

/* ---------------------------------------------------------------------
 * detach/fds: only the last close of a socket detaches
 */

/*
 * R-SOCK-8 R-SOCK-9 R-INV-6: a socket open through a dup()ed fd and an fd
 * passed to another process stays listening and in its slot until the
 * last of them is closed, in whichever process.
 */
TU_NAMED(fds_last_close, "detach/fds/last-close", "detach/fds", TU_EVERY_PROFILE)
{
	struct tu_fx fx;
	int map, a, d, p1, a1;
	unsigned id;
	uint64_t v = 0, cookie;

	tu_fx_init(&fx, _i);
	map = sockarray(&fx, 2);
	a = tu_reuse_sock(fx.st, 0, RP_AF_INET6, RP_SOCK_STREAM, 1, 0);
	insert(&fx, map, 1, a);
	id = sid(&fx, 0, a);
	ck_assert_int_eq(rp_getsockopt_cookie(fx.st, 0, a, &cookie), 0);
	d = rp_fd_dup(fx.st, 0, a);
	p1 = rp_proc_new(fx.st, 0, 0, RP_CAP_ALL);
	ck_assert_int_gt(p1, 0);
	a1 = rp_fd_pass(fx.st, 0, a, (unsigned)p1);
	ck_assert_int_ge(a1, 0);
	ck_assert_uint_eq(rp_fd_sock(fx.st, (unsigned)p1, a1), id);
	ck_assert_int_eq(rp_close(fx.st, 0, a), 0);
	assert_member(&fx, map, 1, id);
	ck_assert_int_eq(rp_close(fx.st, 0, d), 0);
	assert_member(&fx, map, 1, id);
	ck_assert_int_eq(sinfo(&fx, id).state, RP_TCP_LISTEN);
	tu_assert_invariants(fx.st);
	/* the other process still uses it: its SO_COOKIE is the same */
	{
		uint64_t c1 = 0;

		ck_assert_int_eq(rp_getsockopt_cookie(fx.st, (unsigned)p1, a1,
		    &c1), 0);
		ck_assert_uint_eq(c1, cookie);
	}
	ck_assert_int_eq(rp_map_lookup(fx.st, 0, map, 1, &v, 0), 0);
	ck_assert_uint_eq(v, cookie);
	/* re-inserting through the other process's fd: already there */
	ck_assert_int_eq(rp_close(fx.st, (unsigned)p1, a1), 0);
	ck_assert_uint_eq(rp_map_slot(fx.st, rp_fd_map(fx.st, 0, map), 1), 0);
	ck_assert(sock_gone(&fx, id));
	ck_assert_int_eq(rp_map_lookup(fx.st, 0, map, 1, &v, 0), -ENOENT);
	tu_fx_fini(&fx);
}
END_TEST

/* ---------------------------------------------------------------------
 * detach/destruct: R-DET-7
 */

/*
 * A socket that got a group from SO_ATTACH_REUSEPORT_CBPF before it was
 * hashed (never listening, or bound but not listening) leaves that group
 * when it is destroyed; the group is freed with it.
 */
TU_NAMED(destruct_group, "detach/destruct/group", "detach/destruct", TU_EVERY_PROFILE)
{
	struct tu_fx fx;
	int u, b;
	unsigned gu, gb;
	struct rp_cbpf c = { .k = 1 };
	struct rp_group_info gi;
	struct rp_sockaddr sa = tu_addr(RP_AF_INET, 1, 0);

	tu_fx_init(&fx, _i);
	u = rp_socket(fx.st, 0, RP_AF_INET, RP_SOCK_STREAM, 0);
	b = rp_socket(fx.st, 0, RP_AF_INET, RP_SOCK_STREAM, 0);
	for (int i = 0; i < 2; i++) {
		int fd = i ? b : u;

		ck_assert_int_eq(rp_setsockopt_int(fx.st, 0, fd,
		    RP_SO_REUSEPORT, 1), 0);
		ck_assert_int_eq(rp_attach_cbpf(fx.st, 0, fd, &c), 0);
	}
	ck_assert_int_eq(rp_bind(fx.st, 0, b, &sa), 0);
	gu = sinfo(&fx, sid(&fx, 0, u)).group;
	gb = sinfo(&fx, sid(&fx, 0, b)).group;
	ck_assert_uint_ne(gu, 0);
	ck_assert_uint_ne(gb, 0);
	ck_assert(!sinfo(&fx, sid(&fx, 0, b)).hashed);
	tu_assert_invariants(fx.st);
	tu_fx_clear(&fx);
	ck_assert_int_eq(rp_close(fx.st, 0, u), 0);
	ck_assert_int_eq(rp_close(fx.st, 0, b), 0);
	ck_assert(tu_saw_rule(fx.ev, "R-DET-7", TU_ANY));
	ck_assert_int_eq(rp_group_info(fx.st, gu, &gi), -ENOENT);
	ck_assert_int_eq(rp_group_info(fx.st, gb, &gi), -ENOENT);
	tu_fx_fini(&fx);
}
END_TEST


TU_MAIN("detach")
