/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * check_sockmap.c - unit tests of model/sockmap.c: BPF_MAP_TYPE_SOCKMAP and
 * SOCKHASH as far as the model needs them (docs/SPEC.md R-SMAP): creation,
 * which sockets an insert accepts (-EOPNOTSUPP, not -ENOTSUPP, for the
 * others), the value checks, the owner-word conflicts with reuseport
 * arrays in both directions (-EBUSY), syscall lookup (-ENOSPC for 4-byte
 * values, else the cookie), and removal when a member is unhashed or
 * closed.
 *
 * SOCKMAP and SOCKHASH exist only in the 6.18 profile (R-CRE-4c; "Not
 * modelled" in SPEC.md), so every case here runs under 6.18; the 4.19
 * create is checked in check_sockarray.c (sockarray/create/type/sockmap).
 */
#include <errno.h>
#include <string.h>

#include "testutil.h"
#include "rp-int.h"


/* ---------------------------------------------------------------------
 * Fixture (6.18 only)
 */

#define map_new(fx, proc, type, vs, n) \
	tu_map((fx)->st, (proc), (type), (vs), (n), 0, -1)

static int
sock_new(struct tu_fx *fx, int family, int type, int protocol)
{
	int fd = rp_socket(fx->st, 0, family, type, protocol);

	ck_assert_int_ge(fd, 0);
	return fd;
}

static struct rp_sock_info
sinfo_fd(struct tu_fx *fx, int fd)
{
	struct rp_sock_info in;

	ck_assert_int_eq(rp_sock_info(fx->st, rp_fd_sock(fx->st, 0, fd),
	    &in), 0);
	return in;
}

static int
accept_child(struct tu_fx *fx, int lfd, int *client)
{
	struct rp_sockaddr sa = tu_addr(RP_AF_INET, 1, tu_port(fx->st, 0,
	    lfd));
	int cl = sock_new(fx, RP_AF_INET, RP_SOCK_STREAM, 0), c;

	ck_assert_int_eq(rp_connect(fx->st, 0, cl, &sa), 0);
	c = rp_accept(fx->st, 0, lfd);
	ck_assert_int_ge(c, 0);
	if (client != NULL)
		*client = cl;
	return c;
}

/* ---------------------------------------------------------------------
 * sockmap/create
 */

struct create_case {
	const char	*name;
	const char	*rule;
	uint32_t	type, key_size, value_size, max_entries, flags;
	uint64_t	caps;		/* of the caller (uid 1000) */
	long		sysctl;		/* kernel.unprivileged_bpf_disabled */
	int		want;		/* 0: an fd */
};

#define ALL	RP_CAP_ALL

static const struct create_case create_cases[] = {
	/* R-SMAP-1 */
	{ "sockmap/create/sockmap-value8", "R-SMAP-1", RP_MAP_SOCKMAP, 4, 8, 4,
	    0, ALL, 2, 0 },
	{ "sockmap/create/sockmap-value4", "R-SMAP-1", RP_MAP_SOCKMAP, 4, 4, 4,
	    0, ALL, 2, 0 },
	{ "sockmap/create/sockhash", "R-SMAP-1", RP_MAP_SOCKHASH, 4, 8, 4, 0,
	    ALL, 2, 0 },
	{ "sockmap/create/sockmap-key8", "R-SMAP-1", RP_MAP_SOCKMAP, 8, 8, 4,
	    0, ALL, 2, -EINVAL },
	{ "sockmap/create/sockhash-key8", "R-SMAP-1", RP_MAP_SOCKHASH, 8, 8,
	    4, 0, ALL, 2, 0 },
	{ "sockmap/create/sockhash-key0", "R-SMAP-1", RP_MAP_SOCKHASH, 0, 8,
	    4, 0, ALL, 2, -EINVAL },
	{ "sockmap/create/value-size-2", "R-SMAP-1", RP_MAP_SOCKMAP, 4, 2, 4,
	    0, ALL, 2, -EINVAL },
	{ "sockmap/create/value-size-16", "R-SMAP-1", RP_MAP_SOCKHASH, 4, 16,
	    4, 0, ALL, 2, -EINVAL },
	{ "sockmap/create/max-entries-0", "R-SMAP-1", RP_MAP_SOCKMAP, 4, 8, 0,
	    0, ALL, 2, -EINVAL },
	{ "sockmap/create/no-prealloc", "R-SMAP-1", RP_MAP_SOCKHASH, 4, 8, 4,
	    RP_BPF_F_NO_PREALLOC, ALL, 2, -EINVAL },
	{ "sockmap/create/rdonly-prog", "R-SMAP-1", RP_MAP_SOCKMAP, 4, 8, 4,
	    RP_BPF_F_RDONLY_PROG, ALL, 2, -EINVAL },
	{ "sockmap/create/numa-rdonly", "R-SMAP-1", RP_MAP_SOCKMAP, 4, 8, 4,
	    RP_BPF_F_NUMA_NODE | RP_BPF_F_RDONLY, ALL, 2, 0 },
	/* capability after the attribute checks */
	{ "sockmap/create/no-caps", "R-SMAP-1", RP_MAP_SOCKMAP, 4, 8, 4, 0, 0,
	    0, -EPERM },
	/* live 6.18: the capability comes before the attribute checks */
	{ "sockmap/create/no-caps-bad-value", "R-SMAP-1", RP_MAP_SOCKMAP, 4,
	    2, 4, 0, 0, 0, -EPERM },
	{ "sockmap/create/net-admin", "R-SMAP-1", RP_MAP_SOCKMAP, 4, 8, 4, 0,
	    RP_CAP_NET_ADMIN, 0, 0 },
	{ "sockmap/create/cap-bpf-only", "R-SMAP-1", RP_MAP_SOCKMAP, 4, 8, 4,
	    0, RP_CAP_BPF, 0, -EPERM },
	/* R-CRE-6d: a slot array beyond the model's allocation limit (1 GiB);
	 * a SOCKHASH has no slot array */
	{ "sockmap/create/alloc-fails", "R-CRE-6d", RP_MAP_SOCKMAP, 4, 8,
	    0x10000000, 0, ALL, 2, -ENOMEM },
	{ "sockmap/create/sockhash-huge", "R-SMAP-1", RP_MAP_SOCKHASH, 4, 8,
	    0x10000000, 0, ALL, 2, 0 },
	/* R-CRE-6a: the sysctl gate of map create comes first */
	{ "sockmap/create/net-admin-gated", "R-CRE-6a", RP_MAP_SOCKHASH, 4, 8,
	    4, 0, RP_CAP_NET_ADMIN, 2, -EPERM },
};

TU_NAMED(create_table, "sockmap/create/table", "sockmap/create", (int)G_N_ELEMENTS(create_cases))
{
	const struct create_case *c = &create_cases[_i];
	struct rp_map_attr a;
	struct tu_fx fx;
	int proc, ret;

	tu_fx_init(&fx, tu_row("6.18"));
	ck_assert_int_eq(rp_sysctl_set(fx.st, 0,
	    "kernel.unprivileged_bpf_disabled", c->sysctl), 0);
	proc = rp_proc_new(fx.st, 0, 1000, c->caps);
	ck_assert_int_gt(proc, 0);
	rp_map_attr_init(&a, c->type, c->value_size, c->max_entries);
	a.key_size = c->key_size;
	a.map_flags = c->flags;
	ret = rp_map_create(fx.st, (unsigned)proc, &a);
	if (c->want == 0) {
		ck_assert_msg(ret >= 0, "%s: want an fd, got %d (%s)",
		    c->name, ret, c->rule);
	} else {
		ck_assert_msg(ret == c->want, "%s: want %d, got %d (%s)",
		    c->name, c->want, ret, c->rule);
		ck_assert_msg(tu_saw_rule(fx.ev, c->rule, ret), "%s: model did "
		    "not report %s", c->name, c->rule);
	}
	tu_fx_fini(&fx);
}
END_TEST

/* ---------------------------------------------------------------------
 * sockmap/update
 */

struct op {
	int		map;
	uint32_t	key;
	uint64_t	value;
	int		sock;		/* the socket inserted on success */
};

struct update_case {
	const char	*name;
	const char	*rule;
	void		(*setup)(struct tu_fx *, struct op *);
	int		want;
};

static void
s_listener(struct tu_fx *fx, struct op *op)
{
	op->sock = tu_reuse_sock(fx->st, 0, RP_AF_INET, RP_SOCK_STREAM, 1, 0);
	op->value = (uint64_t)op->sock;
}

static void
s_listener_plain(struct tu_fx *fx, struct op *op)
{
	op->sock = sock_new(fx, RP_AF_INET6, RP_SOCK_STREAM, 0);
	ck_assert_int_eq(rp_listen(fx->st, 0, op->sock, 1), 0);
	op->value = (uint64_t)op->sock;
}

static void
s_child(struct tu_fx *fx, struct op *op)
{
	op->sock = accept_child(fx, tu_reuse_sock(fx->st, 0, RP_AF_INET,
	    RP_SOCK_STREAM, 1, 0), NULL);
	op->value = (uint64_t)op->sock;
}

static void
s_client(struct tu_fx *fx, struct op *op)
{
	int l = tu_reuse_sock(fx->st, 0, RP_AF_INET, RP_SOCK_STREAM, 1, 0);

	(void)accept_child(fx, l, &op->sock);
	op->value = (uint64_t)op->sock;
}

static void
s_udp(struct tu_fx *fx, struct op *op)
{
	op->sock = tu_reuse_sock(fx->st, 0, RP_AF_INET6, RP_SOCK_DGRAM, 1, 0);
	op->value = (uint64_t)op->sock;
}

static void
s_udp_plain(struct tu_fx *fx, struct op *op)
{
	struct rp_sockaddr sa = tu_addr(RP_AF_INET, 1, 0);

	op->sock = sock_new(fx, RP_AF_INET, RP_SOCK_DGRAM, 0);
	ck_assert_int_eq(rp_bind(fx->st, 0, op->sock, &sa), 0);
	op->value = (uint64_t)op->sock;
}

static void
s_value4(struct tu_fx *fx, struct op *op)
{
	op->map = map_new(fx, 0, RP_MAP_SOCKMAP, 4, 4);
	s_listener(fx, op);
}

static void
s_sockhash(struct tu_fx *fx, struct op *op)
{
	op->map = map_new(fx, 0, RP_MAP_SOCKHASH, 8, 4);
	op->key = 0x12345678;
	s_udp(fx, op);
}

static void
s_tcp_unbound(struct tu_fx *fx, struct op *op)
{
	op->value = (uint64_t)sock_new(fx, RP_AF_INET, RP_SOCK_STREAM, 0);
}

static void
s_tcp_bound(struct tu_fx *fx, struct op *op)
{
	int fd = sock_new(fx, RP_AF_INET, RP_SOCK_STREAM, 0);
	struct rp_sockaddr sa = tu_addr(RP_AF_INET, 1, 0);

	ck_assert_int_eq(rp_bind(fx->st, 0, fd, &sa), 0);
	op->value = (uint64_t)fd;
}

static void
s_tcp_shut_down(struct tu_fx *fx, struct op *op)
{
	int fd = tu_reuse_sock(fx->st, 0, RP_AF_INET, RP_SOCK_STREAM, 1, 0);

	ck_assert_int_eq(rp_shutdown(fx->st, 0, fd, RP_SHUT_RDWR), 0);
	op->value = (uint64_t)fd;
}

static void
s_udp_unbound(struct tu_fx *fx, struct op *op)
{
	op->value = (uint64_t)sock_new(fx, RP_AF_INET6, RP_SOCK_DGRAM, 0);
}

static void
s_raw(struct tu_fx *fx, struct op *op)
{
	op->value = (uint64_t)sock_new(fx, RP_AF_INET, RP_SOCK_RAW,
	    RP_IPPROTO_UDP);
}

static void
s_v64_m1(struct tu_fx *fx, struct op *op)
{
	(void)fx;
	op->value = UINT64_MAX;
}

static void
s_v64_s32max1(struct tu_fx *fx, struct op *op)
{
	s_listener(fx, op);
	op->value |= UINT64_C(0x80000000);
}

static void
s_int_max(struct tu_fx *fx, struct op *op)
{
	(void)fx;
	op->value = INT32_MAX;
}

static void
s_sockarray_member(struct tu_fx *fx, struct op *op)
{
	int sa = map_new(fx, 0, RP_MAP_REUSEPORT_SOCKARRAY, 8, 4);

	s_listener(fx, op);
	ck_assert_int_eq(rp_map_update(fx->st, 0, sa, 1, op->value, 0), 0);
	op->sock = -1;
}

static void
s_sockarray_member_udp(struct tu_fx *fx, struct op *op)
{
	int sa = map_new(fx, 0, RP_MAP_REUSEPORT_SOCKARRAY, 4, 4);

	s_udp(fx, op);
	ck_assert_int_eq(rp_map_update(fx->st, 0, sa, 3, op->value, 0), 0);
	op->sock = -1;
}

static void
s_udplite(struct tu_fx *fx, struct op *op)
{
	struct rp_sockaddr sa = tu_addr(RP_AF_INET, 1, 0);

	op->value = (uint64_t)sock_new(fx, RP_AF_INET, RP_SOCK_DGRAM,
	    RP_IPPROTO_UDPLITE);
	ck_assert_int_eq(rp_bind(fx->st, 0, (int)op->value, &sa), 0);
}

static const struct update_case update_cases[] = {
	/* R-SMAP-3: accepted sockets */
	{ "sockmap/update/tcp-listener", "R-SMAP-3", s_listener, 0 },
	{ "sockmap/update/tcp-listener-no-reuseport", "R-SMAP-3",
	    s_listener_plain, 0 },
	{ "sockmap/update/tcp-accepted", "R-SMAP-3", s_child, 0 },
	{ "sockmap/update/tcp-client", "R-SMAP-3", s_client, 0 },
	{ "sockmap/update/udp-bound", "R-SMAP-3", s_udp, 0 },
	{ "sockmap/update/udp-bound-no-reuseport", "R-SMAP-3", s_udp_plain,
	    0 },
	{ "sockmap/update/value4", "R-SMAP-3", s_value4, 0 },
	{ "sockmap/update/sockhash", "R-SMAP-3", s_sockhash, 0 },
	/* R-SMAP-3: -EOPNOTSUPP for the rest */
	{ "sockmap/update/tcp-unbound", "R-SMAP-3", s_tcp_unbound,
	    -EOPNOTSUPP },
	{ "sockmap/update/tcp-bound-not-listening", "R-SMAP-3", s_tcp_bound,
	    -EOPNOTSUPP },
	{ "sockmap/update/tcp-shut-down", "R-SMAP-3", s_tcp_shut_down,
	    -EOPNOTSUPP },
	{ "sockmap/update/udp-unbound", "R-SMAP-3", s_udp_unbound,
	    -EOPNOTSUPP },
	{ "sockmap/update/raw", "R-SMAP-3", s_raw, -EOPNOTSUPP },
	/* sock_map_sk_is_suitable(): UDP means IPPROTO_UDP, not UDP-Lite */
	{ "sockmap/update/udplite-bound", "R-SMAP-3", s_udplite,
	    -EOPNOTSUPP },
	/* R-SMAP-2 */
	{ "sockmap/update/value64-minus-one", "R-SMAP-2", s_v64_m1, -EINVAL },
	{ "sockmap/update/value64-above-s32-max", "R-SMAP-2", s_v64_s32max1,
	    -EINVAL },
	{ "sockmap/update/int-max-fd", "R-SMAP-2", s_int_max, -EBADF },
	/* R-SMAP-4 */
	{ "sockmap/update/sockarray-member", "R-SMAP-4", s_sockarray_member,
	    -EBUSY },
	{ "sockmap/update/sockarray-member-udp", "R-SMAP-4",
	    s_sockarray_member_udp, -EBUSY },
};

TU_NAMED(update_table, "sockmap/update/table", "sockmap/update", (int)G_N_ELEMENTS(update_cases))
{
	const struct update_case *c = &update_cases[_i];
	struct tu_fx fx;
	struct op op = { .sock = -1 };
	int ret;

	tu_fx_init(&fx, tu_row("6.18"));
	op.map = map_new(&fx, 0, RP_MAP_SOCKMAP, 8, 4);
	c->setup(&fx, &op);
	g_array_set_size(fx.ev, 0);
	ret = rp_map_update(fx.st, 0, op.map, op.key, op.value, RP_BPF_ANY);
	ck_assert_msg(ret == c->want, "%s: want %d, got %d (%s)", c->name,
	    c->want, ret, c->rule);
	if (ret == 0) {
		struct rp_sock_info in;

		ck_assert_int_ge(op.sock, 0);
		in = sinfo_fd(&fx, op.sock);
		ck_assert_uint_eq(rp_map_slot(fx.st, rp_fd_map(fx.st, 0,
		    op.map), op.key), in.id);
		ck_assert_int_eq(in.owner, RP_OWNER_PSOCK);
	} else if (c->want != -EBADF) {
		ck_assert_msg(tu_saw_rule(fx.ev, c->rule, ret), "%s: model did "
		    "not report %s", c->name, c->rule);
	}
	tu_fx_fini(&fx);
}
END_TEST

/*
 * R-SMAP-4 R-UPD-6g R-SMAP-3: a sockmap member (a listener, which a
 * reuseport array could otherwise take) cannot enter a reuseport array
 * (-EBUSY), and a reuseport array member cannot enter a sockmap; after
 * leaving the one, the socket can join the other.
 */
TU_NAMED(update_owner_conflicts, "sockmap/update/owner-conflicts", "sockmap/update", 0)
{
	struct tu_fx fx;
	int sm, sa, l;
	uint32_t k;

	tu_fx_init(&fx, tu_row("6.18"));
	sm = map_new(&fx, 0, RP_MAP_SOCKHASH, 8, 4);
	sa = map_new(&fx, 0, RP_MAP_REUSEPORT_SOCKARRAY, 8, 4);
	l = tu_reuse_sock(fx.st, 0, RP_AF_INET, RP_SOCK_STREAM, 1, 0);
	ck_assert_int_eq(rp_map_update(fx.st, 0, sm, 77, (uint64_t)l, 0), 0);
	g_array_set_size(fx.ev, 0);
	ck_assert_int_eq(rp_map_update(fx.st, 0, sa, 0, (uint64_t)l, 0),
	    -EBUSY);
	ck_assert(tu_saw_rule(fx.ev, "R-UPD-6g", -EBUSY));
	ck_assert_int_eq(sinfo_fd(&fx, l).owner, RP_OWNER_PSOCK);
	ck_assert_int_eq(rp_map_delete(fx.st, 0, sm, 77), 0);
	ck_assert_int_eq(sinfo_fd(&fx, l).owner, RP_OWNER_NONE);
	ck_assert_int_eq(rp_map_update(fx.st, 0, sa, 0, (uint64_t)l, 0), 0);
	ck_assert_int_eq(rp_map_update(fx.st, 0, sm, 78, (uint64_t)l, 0),
	    -EBUSY);
	ck_assert_int_eq(rp_map_delete(fx.st, 0, sa, 0), 0);
	ck_assert_int_eq(rp_map_update(fx.st, 0, sm, 78, (uint64_t)l, 0), 0);
	k = 78;
	ck_assert_uint_eq(rp_map_slot(fx.st, rp_fd_map(fx.st, 0, sm), k),
	    sinfo_fd(&fx, l).id);
	tu_fx_fini(&fx);
}
END_TEST

/*
 * R-SMAP-2 and the generic map update rules of sock_map_update_common()
 * and sock_hash_update_common() (no SPEC rule: the reuseport rules never
 * reach them): a value that is an fd but not a socket is -ENOTSOCK; flags
 * above BPF_EXIST -EINVAL; a SOCKMAP key past max_entries -E2BIG;
 * BPF_NOEXIST on an occupied key -EEXIST, BPF_EXIST on an empty one
 * -ENOENT; a full SOCKHASH refuses a new key (-E2BIG) but replaces an
 * existing one.  A failed update leaves the map and the socket's owner
 * word as they were.
 */
TU_NAMED(update_flags_and_keys, "sockmap/update/flags-and-keys", "sockmap/update", 0)
{
	static const uint32_t types[] = { RP_MAP_SOCKMAP, RP_MAP_SOCKHASH };

	for (size_t t = 0; t < G_N_ELEMENTS(types); t++) {
		struct tu_fx fx;
		int m, a, b, c;
		unsigned mid;

		tu_fx_init(&fx, tu_row("6.18"));
		m = map_new(&fx, 0, types[t], 8, 2);
		mid = rp_fd_map(fx.st, 0, m);
		a = tu_reuse_sock(fx.st, 0, RP_AF_INET, RP_SOCK_DGRAM, 1, 0);
		b = tu_reuse_sock(fx.st, 0, RP_AF_INET, RP_SOCK_DGRAM, 1, 0);
		c = tu_reuse_sock(fx.st, 0, RP_AF_INET, RP_SOCK_DGRAM, 1, 0);
		ck_assert_int_eq(rp_map_update(fx.st, 0, m, 0, (uint64_t)m, 0),
		    -ENOTSOCK);
		ck_assert_int_eq(rp_map_update(fx.st, 0, m, 0, (uint64_t)a, 3),
		    -EINVAL);
		ck_assert_int_eq(rp_map_update(fx.st, 0, m, 0, (uint64_t)a,
		    RP_BPF_EXIST), -ENOENT);
		ck_assert_int_eq(rp_map_update(fx.st, 0, m, 0, (uint64_t)a,
		    RP_BPF_NOEXIST), 0);
		ck_assert_int_eq(rp_map_update(fx.st, 0, m, 0, (uint64_t)b,
		    RP_BPF_NOEXIST), -EEXIST);
		ck_assert_int_eq(sinfo_fd(&fx, b).owner, RP_OWNER_NONE);
		ck_assert_int_eq(rp_map_update(fx.st, 0, m, 1, (uint64_t)b,
		    RP_BPF_ANY), 0);
		if (types[t] == RP_MAP_SOCKMAP) {
			ck_assert_int_eq(rp_map_update(fx.st, 0, m, 2,
			    (uint64_t)c, RP_BPF_ANY), -E2BIG);
		} else {
			ck_assert_int_eq(rp_map_update(fx.st, 0, m, 7,
			    (uint64_t)c, RP_BPF_ANY), -E2BIG);
		}
		ck_assert_int_eq(sinfo_fd(&fx, c).owner, RP_OWNER_NONE);
		/* replacing an occupant releases its psock */
		ck_assert_int_eq(rp_map_update(fx.st, 0, m, 1, (uint64_t)c,
		    RP_BPF_EXIST), 0);
		ck_assert_uint_eq(rp_map_slot(fx.st, mid, 1),
		    sinfo_fd(&fx, c).id);
		ck_assert_int_eq(sinfo_fd(&fx, b).owner, RP_OWNER_NONE);
		ck_assert_uint_eq(rp_map_slot(fx.st, mid, 0),
		    sinfo_fd(&fx, a).id);
		tu_fx_fini(&fx);
	}
}
END_TEST

/*
 * sock_map_delete_elem(), sock_hash_delete_elem() and the hash table's
 * get_next_key (no SPEC rule): deleting an empty SOCKMAP index or one past
 * max_entries is -EINVAL, a missing SOCKHASH key -ENOENT.  get_next_key
 * on a SOCKHASH visits every key once (from a NULL key) and then ends
 * with -ENOENT, also on an empty map.
 */
TU_NAMED(delete_and_next_key, "sockmap/delete/errors-and-walk", "sockmap/remove", 0)
{
	struct tu_fx fx;
	int sm, sh, a;
	uint32_t k, next, seen = 0;
	int n = 0, err;

	tu_fx_init(&fx, tu_row("6.18"));
	sm = map_new(&fx, 0, RP_MAP_SOCKMAP, 8, 4);
	sh = map_new(&fx, 0, RP_MAP_SOCKHASH, 8, 4);
	a = tu_reuse_sock(fx.st, 0, RP_AF_INET, RP_SOCK_DGRAM, 1, 0);
	ck_assert_int_eq(rp_map_delete(fx.st, 0, sm, 1), -EINVAL);
	ck_assert_int_eq(rp_map_delete(fx.st, 0, sm, 4), -EINVAL);
	ck_assert_int_eq(rp_map_delete(fx.st, 0, sh, 1), -ENOENT);
	ck_assert_int_eq(rp_map_get_next_key(fx.st, 0, sh, NULL, &next),
	    -ENOENT);
	ck_assert_int_eq(rp_map_update(fx.st, 0, sh, 30, (uint64_t)a, 0), 0);
	ck_assert_int_eq(rp_map_update(fx.st, 0, sh, 10, (uint64_t)a, 0), 0);
	ck_assert_int_eq(rp_map_update(fx.st, 0, sh, 20, (uint64_t)a, 0), 0);
	for (err = rp_map_get_next_key(fx.st, 0, sh, NULL, &k); err == 0;
	    err = rp_map_get_next_key(fx.st, 0, sh, &k, &k)) {
		ck_assert(k == 10 || k == 20 || k == 30);
		ck_assert_uint_eq(seen & (1U << (k / 10)), 0);
		seen |= 1U << (k / 10);
		ck_assert_int_le(++n, 3);
	}
	ck_assert_int_eq(err, -ENOENT);
	ck_assert_int_eq(n, 3);
	ck_assert_int_eq(rp_map_delete(fx.st, 0, sh, 20), 0);
	ck_assert_int_eq(rp_map_delete(fx.st, 0, sh, 20), -ENOENT);
	tu_fx_fini(&fx);
}
END_TEST

/* ---------------------------------------------------------------------
 * sockmap/lookup
 */

/*
 * R-SMAP-5 R-COOK-1: 4-byte values: -ENOSPC whatever the key and
 * occupancy; 8-byte values: -ENOENT for a missing key, else the cookie
 * (generated by the lookup).
 */
TU_NAMED(lookup_values, "sockmap/lookup/values", "sockmap/lookup", 0)
{
	static const uint32_t types[] = { RP_MAP_SOCKMAP, RP_MAP_SOCKHASH };

	for (size_t t = 0; t < G_N_ELEMENTS(types); t++) {
		struct tu_fx fx;
		int m4, m8, a;
		uint64_t v = 42;

		tu_fx_init(&fx, tu_row("6.18"));
		m4 = map_new(&fx, 0, types[t], 4, 4);
		m8 = map_new(&fx, 0, types[t], 8, 4);
		a = tu_reuse_sock(fx.st, 0, RP_AF_INET, RP_SOCK_DGRAM, 1, 0);
		ck_assert_int_eq(rp_map_lookup(fx.st, 0, m4, 0, &v, 0),
		    -ENOSPC);
		ck_assert_int_eq(rp_map_lookup(fx.st, 0, m4, 9, &v, 0),
		    -ENOSPC);
		ck_assert_int_eq(rp_map_update(fx.st, 0, m4, 1, (uint64_t)a,
		    0), 0);
		ck_assert_int_eq(rp_map_lookup(fx.st, 0, m4, 1, &v, 0),
		    -ENOSPC);
		ck_assert(tu_saw_rule(fx.ev, "R-SMAP-5", -ENOSPC));
		ck_assert_int_eq(rp_map_lookup(fx.st, 0, m8, 1, &v, 0),
		    -ENOENT);
		ck_assert_uint_eq(v, 42);
		ck_assert_int_eq(rp_map_update(fx.st, 0, m8, 1, (uint64_t)a,
		    0), 0);
		ck_assert_uint_eq(sinfo_fd(&fx, a).cookie, 0);
		ck_assert_int_eq(rp_map_lookup(fx.st, 0, m8, 1, &v, 0), 0);
		ck_assert_uint_ne(v, 0);
		ck_assert_uint_eq(sinfo_fd(&fx, a).cookie, v);
		ck_assert_int_eq(rp_map_lookup(fx.st, 0, m8, 2, &v, 0),
		    -ENOENT);
		tu_fx_fini(&fx);
	}
}
END_TEST

/* ---------------------------------------------------------------------
 * sockmap/remove
 */

/*
 * R-SOCK-8 R-SMAP-3 R-SMAP-6 R-DET-2: a member leaves every sockmap and
 * sockhash entry when it is closed (6.18: not when it is unhashed, a
 * listener shut down), and its psock owner word goes with the last
 * entry; reuseport-array detach on the way leaves the psock word alone.
 */
TU_NAMED(remove_on_close, "sockmap/remove/close", "sockmap/remove", 0)
{
	struct tu_fx fx;
	int sm, sh, l, u, c;
	unsigned smid, shid;

	tu_fx_init(&fx, tu_row("6.18"));
	sm = map_new(&fx, 0, RP_MAP_SOCKMAP, 8, 4);
	sh = map_new(&fx, 0, RP_MAP_SOCKHASH, 8, 8);
	smid = rp_fd_map(fx.st, 0, sm);
	shid = rp_fd_map(fx.st, 0, sh);
	l = tu_reuse_sock(fx.st, 0, RP_AF_INET, RP_SOCK_STREAM, 1, 0);
	u = tu_reuse_sock(fx.st, 0, RP_AF_INET6, RP_SOCK_DGRAM, 1, 0);
	c = accept_child(&fx, l, NULL);
	/* one socket in several entries of two maps */
	ck_assert_int_eq(rp_map_update(fx.st, 0, sm, 0, (uint64_t)l, 0), 0);
	ck_assert_int_eq(rp_map_update(fx.st, 0, sh, 100, (uint64_t)l, 0), 0);
	ck_assert_int_eq(rp_map_update(fx.st, 0, sh, 101, (uint64_t)l, 0), 0);
	ck_assert_int_eq(rp_map_update(fx.st, 0, sm, 1, (uint64_t)u, 0), 0);
	ck_assert_int_eq(rp_map_update(fx.st, 0, sm, 2, (uint64_t)c, 0), 0);
	tu_assert_invariants(fx.st);
	/* a shut-down listener is unhashed and stays in every entry */
	ck_assert_int_eq(rp_shutdown(fx.st, 0, l, RP_SHUT_RDWR), 0);
	ck_assert_uint_ne(rp_map_slot(fx.st, smid, 0), 0);
	ck_assert_uint_ne(rp_map_slot(fx.st, shid, 100), 0);
	ck_assert_uint_ne(rp_map_slot(fx.st, shid, 101), 0);
	ck_assert_int_eq(sinfo_fd(&fx, l).owner, RP_OWNER_PSOCK);
	tu_assert_invariants(fx.st);
	/* closed, it leaves every entry */
	ck_assert_int_eq(rp_close(fx.st, 0, l), 0);
	ck_assert_uint_eq(rp_map_slot(fx.st, smid, 0), 0);
	ck_assert_uint_eq(rp_map_slot(fx.st, shid, 100), 0);
	ck_assert_uint_eq(rp_map_slot(fx.st, shid, 101), 0);
	tu_assert_invariants(fx.st);
	/* closing the UDP member and the child */
	ck_assert_int_eq(rp_close(fx.st, 0, u), 0);
	ck_assert_uint_eq(rp_map_slot(fx.st, smid, 1), 0);
	ck_assert_uint_ne(rp_map_slot(fx.st, smid, 2), 0);
	ck_assert_int_eq(rp_close(fx.st, 0, c), 0);
	ck_assert_uint_eq(rp_map_slot(fx.st, smid, 2), 0);
	{
		uint64_t v;

		ck_assert_int_eq(rp_map_lookup(fx.st, 0, sm, 1, &v, 0),
		    -ENOENT);
	}
	tu_fx_fini(&fx);
}
END_TEST

/* R-SOCK-8: closing one of two fds of a sockmap member changes nothing;
 * freeing the sockmap releases the psock owner word. */
TU_NAMED(remove_dup_and_free, "sockmap/remove/dup-and-free", "sockmap/remove", 0)
{
	struct tu_fx fx;
	int sm, l, d, sa;

	tu_fx_init(&fx, tu_row("6.18"));
	sm = map_new(&fx, 0, RP_MAP_SOCKMAP, 8, 4);
	l = tu_reuse_sock(fx.st, 0, RP_AF_INET, RP_SOCK_STREAM, 1, 0);
	d = rp_fd_dup(fx.st, 0, l);
	ck_assert_int_eq(rp_map_update(fx.st, 0, sm, 3, (uint64_t)l, 0), 0);
	ck_assert_int_eq(rp_close(fx.st, 0, l), 0);
	ck_assert_uint_eq(rp_map_slot(fx.st, rp_fd_map(fx.st, 0, sm), 3),
	    rp_fd_sock(fx.st, 0, d));
	ck_assert_int_eq(rp_close(fx.st, 0, sm), 0);
	rp_state_settle(fx.st);		/* bpf_map_free_deferred() */
	ck_assert_int_eq(sinfo_fd(&fx, d).owner, RP_OWNER_NONE);
	/* and the socket may now go into a reuseport array */
	sa = map_new(&fx, 0, RP_MAP_REUSEPORT_SOCKARRAY, 8, 1);
	ck_assert_int_eq(rp_map_update(fx.st, 0, sa, 0, (uint64_t)d, 0), 0);
	tu_fx_fini(&fx);
}
END_TEST


/* R-SOCK-8: a socket in several slots of one sockmap leaves every one of
 * them when it is closed (sock_map_unhash() walks the psock's links, not
 * only the first). */
TU_NAMED(remove_close_two_slots, "sockmap/remove/close-two-slots",
    "sockmap/remove", 0)
{
	struct tu_fx fx;
	int sm, l;
	unsigned smid;

	tu_fx_init(&fx, tu_row("6.18"));
	sm = map_new(&fx, 0, RP_MAP_SOCKMAP, 8, 4);
	smid = rp_fd_map(fx.st, 0, sm);
	l = tu_reuse_sock(fx.st, 0, RP_AF_INET, RP_SOCK_STREAM, 1, 0);
	ck_assert_int_eq(rp_map_update(fx.st, 0, sm, 0, (uint64_t)l, 0), 0);
	ck_assert_int_eq(rp_map_update(fx.st, 0, sm, 1, (uint64_t)l, 0), 0);
	ck_assert_int_eq(rp_map_update(fx.st, 0, sm, 3, (uint64_t)l, 0), 0);
	tu_assert_invariants(fx.st);
	ck_assert_int_eq(rp_close(fx.st, 0, l), 0);
	ck_assert_uint_eq(rp_map_slot(fx.st, smid, 0), 0);
	ck_assert_uint_eq(rp_map_slot(fx.st, smid, 1), 0);
	ck_assert_uint_eq(rp_map_slot(fx.st, smid, 3), 0);
	tu_assert_invariants(fx.st);
	tu_fx_fini(&fx);
}
END_TEST

TU_MAIN("sockmap")
