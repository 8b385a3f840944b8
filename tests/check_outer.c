/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * check_outer.c - unit tests of model/outer.c: BPF_MAP_TYPE_ARRAY_OF_MAPS
 * and BPF_MAP_TYPE_HASH_OF_MAPS whose inner maps are reuseport arrays
 * (docs/SPEC.md R-MIM): creation with an inner template, storing inner
 * maps (template equality per profile: max_entries compared in 4.19 only,
 * stored map_flags in both), lookup, delete, the hold a slot has on its
 * inner map (replacing or deleting the last holder frees the inner map,
 * whose sockets stay in their groups), freeing the outer map, and programs
 * that select through an outer map.
 *
 * Tables run over cases x the rows of the model's profile table
 * (TU_BY_PROFILE), expectations per switch (struct tu_expect, testutil.h);
 * TU_NA marks a case that does not apply to a row.
 * For a failing row the model must report the row's first rule as the
 * deciding one.
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

#define sockarray(fx, vs, n, flags) \
	tu_map((fx)->st, 0, RP_MAP_REUSEPORT_SOCKARRAY, (vs), (n), (flags), -1)

static int
outer(struct tu_fx *fx, uint32_t type, uint32_t n, int inner_fd)
{
	struct rp_map_attr a;
	int fd;

	rp_map_attr_init(&a, type, 4, n);
	a.inner_map_fd = inner_fd;
	fd = rp_map_create(fx->st, 0, &a);
	ck_assert_msg(fd >= 0, "outer map: %d", fd);
	return fd;
}

static unsigned
map_id(struct tu_fx *fx, int fd)
{
	unsigned id = rp_fd_map(fx->st, 0, fd);

	ck_assert_uint_ne(id, 0);
	return id;
}

static bool
map_alive(struct tu_fx *fx, unsigned id)
{
	struct rp_map_info mi;

	return rp_map_info(fx->st, id, &mi) == 0;
}

static unsigned
map_refs(struct tu_fx *fx, unsigned id)
{
	struct rp_map_info mi;

	ck_assert_int_eq(rp_map_info(fx->st, id, &mi), 0);
	return mi.refs;
}

static int
member(struct tu_fx *fx, int family, int type)
{
	return tu_reuse_sock(fx->st, 0, family, type, 1, 0);
}

static struct rp_sock_info
sinfo_fd(struct tu_fx *fx, int fd)
{
	struct rp_sock_info in;

	ck_assert_int_eq(rp_sock_info(fx->st, rp_fd_sock(fx->st, 0, fd),
	    &in), 0);
	return in;
}

/* ---------------------------------------------------------------------
 * outer/create
 */

struct create_case {
	const char	*name;
	struct tu_expect e;
	uint32_t	type;
	/* adjusts the attributes; returns the calling process */
	int		(*setup)(struct tu_fx *, struct rp_map_attr *);
	struct tu_alt	on[2];
};

/* The switches (rp-int.h) the cases name. */
static bool	/* 5.10+: the template's max_entries is not compared */
any_max_entries(const struct rp_profile *p)
{
	return !p->inner_max_entries_eq;
}

static bool	/* 5.2+: stored map_flags drop RDONLY/WRONLY */
no_rdwr_flags(const struct rp_profile *p)
{
	return !p->store_rdwr_flags;
}

static bool	/* 5.2+: BPF_F_RDONLY_PROG / WRONLY_PROG exist */
prog_flags(const struct rp_profile *p)
{
	return (p->allowed_map_flags & RP_BPF_F_RDONLY_PROG) != 0;
}

static bool
has_freeze(const struct rp_profile *p)
{
	return p->has_freeze;
}

static bool	/* 6.5+: the sysctl gate inside map create (R-CRE-6a) */
gate_central(const struct rp_profile *p)
{
	return p->unpriv_gate == RP_UNPRIV_GATE_CREATE_CENTRAL;
}

static bool	/* the default sysctl stops a process without caps at
		 * bpf() entry (R-CRE-0) */
entry_gate(const struct rp_profile *p)
{
	return p->unpriv_default != 0 && !gate_central(p);
}

static int
c_ok(struct tu_fx *fx, struct rp_map_attr *a)
{
	a->inner_map_fd = sockarray(fx, 8, 4, 0);
	return 0;
}

static int
c_ok_value4(struct tu_fx *fx, struct rp_map_attr *a)
{
	a->inner_map_fd = sockarray(fx, 4, 32, 0);
	return 0;
}

static int
c_inner_closed(struct tu_fx *fx, struct rp_map_attr *a)
{
	(void)fx;
	a->inner_map_fd = 99;
	return 0;
}

static int
c_inner_none(struct tu_fx *fx, struct rp_map_attr *a)
{
	(void)fx;
	a->inner_map_fd = -1;
	return 0;
}

static int
c_inner_socket(struct tu_fx *fx, struct rp_map_attr *a)
{
	a->inner_map_fd = member(fx, RP_AF_INET, RP_SOCK_STREAM);
	return 0;
}

static int
c_inner_outer(struct tu_fx *fx, struct rp_map_attr *a)
{
	a->inner_map_fd = outer(fx, RP_MAP_ARRAY_OF_MAPS, 1,
	    sockarray(fx, 8, 4, 0));
	return 0;
}

static int
c_value8(struct tu_fx *fx, struct rp_map_attr *a)
{
	c_ok(fx, a);
	a->value_size = 8;
	return 0;
}

static int
c_key8(struct tu_fx *fx, struct rp_map_attr *a)
{
	c_ok(fx, a);
	a->key_size = 8;
	return 0;
}

/* unprivileged: 4.19's sysctl default 0 lets anyone create an outer map;
 * 6.18's default 2 needs CAP_BPF */
static int
c_unpriv(struct tu_fx *fx, struct rp_map_attr *a)
{
	int p;

	c_ok(fx, a);
	p = rp_proc_new(fx->st, 0, 1000, 0);
	ck_assert_int_gt(p, 0);
	a->inner_map_fd = rp_fd_pass(fx->st, 0, a->inner_map_fd, (unsigned)p);
	return p;
}

static const struct create_case create_cases[] = {
	{ "outer/create/array", TU_E("R-MIM-1", 0), RP_MAP_ARRAY_OF_MAPS, c_ok,
	    { TU_SAME } },
	{ "outer/create/hash", TU_E("R-MIM-1", 0), RP_MAP_HASH_OF_MAPS, c_ok,
	    { TU_SAME } },
	{ "outer/create/array-value4-template", TU_E("R-MIM-1", 0),
	    RP_MAP_ARRAY_OF_MAPS, c_ok_value4, { TU_SAME } },
	{ "outer/create/inner-fd-closed", TU_E("R-MIM-1", -EBADF), RP_MAP_ARRAY_OF_MAPS,
	    c_inner_closed, { TU_SAME } },
	{ "outer/create/inner-fd-none", TU_E("R-MIM-1", -EBADF), RP_MAP_HASH_OF_MAPS,
	    c_inner_none, { TU_SAME } },
	{ "outer/create/inner-fd-socket", TU_E("R-MIM-1", -EINVAL), RP_MAP_ARRAY_OF_MAPS,
	    c_inner_socket, { TU_SAME } },
	{ "outer/create/inner-is-outer", TU_E("R-MIM-1", -EINVAL), RP_MAP_ARRAY_OF_MAPS,
	    c_inner_outer, { TU_SAME } },
	{ "outer/create/array-value8", TU_E("R-MIM-1", -EINVAL), RP_MAP_ARRAY_OF_MAPS,
	    c_value8, { TU_SAME } },
	{ "outer/create/hash-value8", TU_E("R-MIM-1", -EINVAL), RP_MAP_HASH_OF_MAPS,
	    c_value8, { TU_SAME } },
	{ "outer/create/array-key8", TU_E("R-MIM-1", -EINVAL), RP_MAP_ARRAY_OF_MAPS,
	    c_key8, { TU_SAME } },
	/* R-MIM-1 requires key_size 4 only for the array kind */
	{ "outer/create/hash-key8", TU_E("R-MIM-1", 0), RP_MAP_HASH_OF_MAPS,
	    c_key8, { TU_SAME } },
	{ "outer/create/unprivileged", TU_E("R-CRE-0", 0),
	    RP_MAP_ARRAY_OF_MAPS, c_unpriv,
	    { TU_ON(gate_central, TU_E("R-CRE-6a", -EPERM)),
	    TU_ON(entry_gate, TU_E("R-CRE-0", -EPERM)) } },
};

TU_NAMED(create_table, "outer/create/table", "outer/create",
    TU_BY_PROFILE(create_cases))
{
	const struct create_case *c = &create_cases[TU_CASE_OF(_i)];
	const struct rp_profile *prof = tu_prof(TU_ROW_OF(_i));
	struct tu_expect x = tu_expect_of(prof, &c->e, c->on,
	    G_N_ELEMENTS(c->on));
	struct rp_map_attr a;
	struct tu_fx fx;
	int proc, ret;

	TU_UNLESS(x.want != TU_NA);
	tu_fx_init(&fx, TU_ROW_OF(_i));
	rp_map_attr_init(&a, c->type, 4, 4);
	proc = c->setup(&fx, &a);
	g_array_set_size(fx.ev, 0);
	ret = rp_map_create(fx.st, (unsigned)proc, &a);
	if (x.want == 0) {
		struct rp_map_info mi;

		ck_assert_msg(ret >= 0, "%s [%s]: want an fd, got %d (%s)",
		    c->name, prof->name, ret, x.rule);
		ck_assert_int_eq(rp_map_info(fx.st, rp_fd_map(fx.st,
		    (unsigned)proc, ret), &mi), 0);
		ck_assert_uint_eq(mi.type, c->type);
		ck_assert_uint_eq(mi.used, 0);
	} else {
		ck_assert_msg(ret == x.want, "%s [%s]: want %d, got %d "
		    "(%s)", c->name, prof->name, x.want, ret, x.rule);
		ck_assert_msg(tu_saw_rule(fx.ev, x.rule, ret), "%s [%s]: "
		    "model did not report %s", c->name, prof->name, x.rule);
	}
	tu_fx_fini(&fx);
}
END_TEST

/* R-MIM-1 R-FREE-1: the template is a copy; closing the template map
 * after creating the outer map frees it and the outer map still works. */
TU_NAMED(create_template_copy, "outer/create/template-copy", "outer/create", TU_EVERY_PROFILE)
{
	struct tu_fx fx;
	int t, o, in;
	unsigned tid;
	uint64_t v = 0;

	tu_fx_init(&fx, _i);
	t = sockarray(&fx, 8, 4, 0);
	tid = map_id(&fx, t);
	o = outer(&fx, RP_MAP_ARRAY_OF_MAPS, 2, t);
	ck_assert_uint_eq(map_refs(&fx, tid), 1);	/* no hold */
	ck_assert_int_eq(rp_close(fx.st, 0, t), 0);
	ck_assert(!map_alive(&fx, tid));
	in = sockarray(&fx, 8, 4, 0);
	ck_assert_int_eq(rp_map_update(fx.st, 0, o, 1, (uint64_t)in, 0), 0);
	ck_assert_int_eq(rp_map_lookup(fx.st, 0, o, 1, &v, 0), 0);
	ck_assert_uint_eq(v, map_id(&fx, in));
	tu_fx_fini(&fx);
}
END_TEST

/* ---------------------------------------------------------------------
 * outer/update
 */

struct op {
	int		outer;
	uint32_t	key;
	uint64_t	value;		/* inner map fd */
	uint64_t	flags;
};

struct op_case {
	const char	*name;
	struct tu_expect e;
	uint32_t	type;		/* outer map type */
	void		(*setup)(struct tu_fx *, struct op *);
	struct tu_alt	on[2];
};

/* The default: an outer map of 4 slots over an 8-byte, 4-entry template,
 * and a matching inner map as the value. */
static void
op_default(struct tu_fx *fx, struct op *op, uint32_t type)
{
	memset(op, 0, sizeof(*op));
	op->outer = outer(fx, type, 4, sockarray(fx, 8, 4, 0));
	op->value = (uint64_t)sockarray(fx, 8, 4, 0);
}

static void
u_plain(struct tu_fx *fx, struct op *op)
{
	(void)fx;
	(void)op;
}

static void
u_noexist(struct tu_fx *fx, struct op *op)
{
	(void)fx;
	op->flags = RP_BPF_NOEXIST;
}

static void
u_exist(struct tu_fx *fx, struct op *op)
{
	(void)fx;
	op->flags = RP_BPF_EXIST;
}

static void
u_flags3(struct tu_fx *fx, struct op *op)
{
	(void)fx;
	op->flags = 3;
}

static void
u_key_oor(struct tu_fx *fx, struct op *op)
{
	(void)fx;
	op->key = 4;
}

static void
u_flags_beat_key(struct tu_fx *fx, struct op *op)
{
	(void)fx;
	op->key = 4;
	op->flags = RP_BPF_NOEXIST;
	op->value = 99;
}

static void
u_key_beats_fd(struct tu_fx *fx, struct op *op)
{
	(void)fx;
	op->key = 4;
	op->value = 99;
}

static void
u_fd_closed(struct tu_fx *fx, struct op *op)
{
	(void)fx;
	op->value = 99;
}

static void
u_fd_minus_one(struct tu_fx *fx, struct op *op)
{
	(void)fx;
	op->value = UINT64_C(0xffffffff);
}

static void
u_fd_socket(struct tu_fx *fx, struct op *op)
{
	op->value = (uint64_t)member(fx, RP_AF_INET, RP_SOCK_STREAM);
}

static void
u_value_size(struct tu_fx *fx, struct op *op)
{
	op->value = (uint64_t)sockarray(fx, 4, 4, 0);
}

static void
u_max_entries(struct tu_fx *fx, struct op *op)
{
	op->value = (uint64_t)sockarray(fx, 8, 64, 0);
}

static void
u_rdonly_inner(struct tu_fx *fx, struct op *op)
{
	op->value = (uint64_t)sockarray(fx, 8, 4, RP_BPF_F_RDONLY);
}

static void
u_wronly_inner(struct tu_fx *fx, struct op *op)
{
	op->value = (uint64_t)sockarray(fx, 8, 4, RP_BPF_F_WRONLY);
}

static void
u_rdonly_prog_inner(struct tu_fx *fx, struct op *op)
{
	op->value = (uint64_t)sockarray(fx, 8, 4, RP_BPF_F_RDONLY_PROG);
}

static void
u_numa_inner(struct tu_fx *fx, struct op *op)
{
	op->value = (uint64_t)sockarray(fx, 8, 4, RP_BPF_F_NUMA_NODE);
}

/* a template created RDONLY: in 4.19 its stored flags say RDONLY */
static void
u_rdonly_template(struct tu_fx *fx, struct op *op)
{
	op->outer = outer(fx, RP_MAP_ARRAY_OF_MAPS, 4,
	    sockarray(fx, 8, 4, RP_BPF_F_RDONLY));
	op->value = (uint64_t)sockarray(fx, 8, 4, RP_BPF_F_RDONLY);
}

static void
u_sockmap_inner(struct tu_fx *fx, struct op *op)
{
	struct rp_map_attr a;
	int fd;

	rp_map_attr_init(&a, RP_MAP_SOCKMAP, 8, 4);
	fd = rp_map_create(fx->st, 0, &a);
	ck_assert_int_ge(fd, 0);
	op->value = (uint64_t)fd;
}

static void
u_outer_inner(struct tu_fx *fx, struct op *op)
{
	op->value = (uint64_t)outer(fx, RP_MAP_ARRAY_OF_MAPS, 4,
	    sockarray(fx, 8, 4, 0));
}

static void
u_rdonly_outer(struct tu_fx *fx, struct op *op)
{
	struct rp_map_attr a;

	rp_map_attr_init(&a, RP_MAP_ARRAY_OF_MAPS, 4, 4);
	a.inner_map_fd = (int)op->value;
	a.map_flags = RP_BPF_F_RDONLY;
	op->outer = rp_map_create(fx->st, 0, &a);
	ck_assert_int_ge(op->outer, 0);
}

static void
u_frozen_outer(struct tu_fx *fx, struct op *op)
{
	ck_assert_int_eq(rp_map_freeze(fx->st, 0, op->outer), 0);
}

static void
u_present(struct tu_fx *fx, struct op *op)
{
	ck_assert_int_eq(rp_map_update(fx->st, 0, op->outer, op->key,
	    (uint64_t)sockarray(fx, 8, 4, 0), RP_BPF_ANY), 0);
}

static void
u_present_noexist(struct tu_fx *fx, struct op *op)
{
	u_present(fx, op);
	op->flags = RP_BPF_NOEXIST;
}

static void
u_present_exist(struct tu_fx *fx, struct op *op)
{
	u_present(fx, op);
	op->flags = RP_BPF_EXIST;
}

static void
u_hash_big_key(struct tu_fx *fx, struct op *op)
{
	(void)fx;
	op->key = 0xfffffff0u;	/* any key: the hash kind has no index */
}

static const struct op_case update_cases[] = {
	/* ARRAY_OF_MAPS: R-MIM-6 order, then R-MIM-2/R-MIM-3/R-MIM-4 */
	{ "outer/update/array/ok", TU_E("R-MIM-6", 0), RP_MAP_ARRAY_OF_MAPS,
	    u_plain, { TU_SAME } },
	{ "outer/update/array/noexist", TU_E("R-MIM-6", -EINVAL), RP_MAP_ARRAY_OF_MAPS,
	    u_noexist, { TU_SAME } },
	{ "outer/update/array/exist", TU_E("R-MIM-6", -EINVAL), RP_MAP_ARRAY_OF_MAPS,
	    u_exist, { TU_SAME } },
	{ "outer/update/array/exist-present", TU_E("R-MIM-6", -EINVAL),
	    RP_MAP_ARRAY_OF_MAPS, u_present_exist, { TU_SAME } },
	{ "outer/update/array/index", TU_E("R-MIM-6", -E2BIG), RP_MAP_ARRAY_OF_MAPS,
	    u_key_oor, { TU_SAME } },
	{ "outer/update/array/flags-beat-index", TU_E("R-MIM-6", -EINVAL),
	    RP_MAP_ARRAY_OF_MAPS, u_flags_beat_key, { TU_SAME } },
	{ "outer/update/array/index-beats-fd", TU_E("R-MIM-6", -E2BIG),
	    RP_MAP_ARRAY_OF_MAPS, u_key_beats_fd, { TU_SAME } },
	{ "outer/update/array/fd-closed", TU_E("R-MIM-6", -EBADF), RP_MAP_ARRAY_OF_MAPS,
	    u_fd_closed, { TU_SAME } },
	{ "outer/update/array/fd-minus-one", TU_E("R-MIM-6", -EBADF),
	    RP_MAP_ARRAY_OF_MAPS, u_fd_minus_one, { TU_SAME } },
	{ "outer/update/array/fd-socket", TU_E("R-MIM-6", -EINVAL), RP_MAP_ARRAY_OF_MAPS,
	    u_fd_socket, { TU_SAME } },
	{ "outer/update/array/value-size", TU_E("R-MIM-2", -EINVAL),
	    RP_MAP_ARRAY_OF_MAPS, u_value_size, { TU_ON(any_max_entries, TU_E("R-MIM-3", -EINVAL)) } },
	{ "outer/update/array/max-entries", TU_E("R-MIM-2", -EINVAL),
	    RP_MAP_ARRAY_OF_MAPS, u_max_entries, { TU_ON(any_max_entries, TU_E("R-MIM-3", 0)) } },
	{ "outer/update/array/rdonly-inner", TU_E("R-MIM-2 R-MIM-4", -EINVAL), RP_MAP_ARRAY_OF_MAPS, u_rdonly_inner,
	    { TU_ON(no_rdwr_flags, TU_E("R-MIM-3 R-MIM-4", 0)) } },
	{ "outer/update/array/wronly-inner", TU_E("R-MIM-2 R-MIM-4", -EINVAL), RP_MAP_ARRAY_OF_MAPS, u_wronly_inner,
	    { TU_ON(no_rdwr_flags, TU_E("R-MIM-3 R-MIM-4", 0)) } },
	{ "outer/update/array/rdonly-template", TU_E("R-MIM-4 R-CRE-10", 0),
	    RP_MAP_ARRAY_OF_MAPS, u_rdonly_template, { TU_SAME } },
	{ "outer/update/array/rdonly-prog-inner", TU_E(NULL, TU_NA),
	    RP_MAP_ARRAY_OF_MAPS, u_rdonly_prog_inner,
	    { TU_ON(prog_flags, TU_E("R-MIM-3", -EINVAL)) } },
	{ "outer/update/array/numa-inner", TU_E("R-MIM-2", -EINVAL),
	    RP_MAP_ARRAY_OF_MAPS, u_numa_inner, { TU_ON(any_max_entries, TU_E("R-MIM-3", -EINVAL)) } },
	{ "outer/update/array/sockmap-inner", TU_E(NULL, TU_NA),
	    RP_MAP_ARRAY_OF_MAPS, u_sockmap_inner,
	    { TU_ON(any_max_entries, TU_E("R-MIM-3", -EINVAL)) } },
	{ "outer/update/array/outer-inner", TU_E("R-MIM-2", -EINVAL),
	    RP_MAP_ARRAY_OF_MAPS, u_outer_inner, { TU_ON(any_max_entries, TU_E("R-MIM-3", -EINVAL)) } },
	{ "outer/update/array/rdonly-outer", TU_E("R-UPD-0b", -EPERM),
	    RP_MAP_ARRAY_OF_MAPS, u_rdonly_outer, { TU_SAME } },
	{ "outer/update/array/frozen-outer", TU_E(NULL, TU_NA),
	    RP_MAP_ARRAY_OF_MAPS, u_frozen_outer,
	    { TU_ON(has_freeze, TU_E("R-CMD-3 R-UPD-0b", -EPERM)) } },
	/* HASH_OF_MAPS: keyed like a hash map (R-MIM-6) */
	{ "outer/update/hash/any", TU_E("R-MIM-6", 0), RP_MAP_HASH_OF_MAPS,
	    u_plain, { TU_SAME } },
	{ "outer/update/hash/any-big-key", TU_E("R-MIM-6", 0), RP_MAP_HASH_OF_MAPS,
	    u_hash_big_key, { TU_SAME } },
	{ "outer/update/hash/noexist-absent", TU_E("R-MIM-6", 0),
	    RP_MAP_HASH_OF_MAPS, u_noexist, { TU_SAME } },
	{ "outer/update/hash/noexist-present", TU_E("R-MIM-6", -EEXIST),
	    RP_MAP_HASH_OF_MAPS, u_present_noexist, { TU_SAME } },
	{ "outer/update/hash/exist-absent", TU_E("R-MIM-6", -ENOENT),
	    RP_MAP_HASH_OF_MAPS, u_exist, { TU_SAME } },
	{ "outer/update/hash/exist-present", TU_E("R-MIM-6", 0),
	    RP_MAP_HASH_OF_MAPS, u_present_exist, { TU_SAME } },
	{ "outer/update/hash/flags-3", TU_E("R-MIM-6", -EINVAL), RP_MAP_HASH_OF_MAPS,
	    u_flags3, { TU_SAME } },
	{ "outer/update/hash/fd-closed", TU_E("R-MIM-6", -EBADF), RP_MAP_HASH_OF_MAPS,
	    u_fd_closed, { TU_SAME } },
	{ "outer/update/hash/max-entries", TU_E("R-MIM-2", -EINVAL),
	    RP_MAP_HASH_OF_MAPS, u_max_entries, { TU_ON(any_max_entries, TU_E("R-MIM-3", 0)) } },
	{ "outer/update/hash/rdonly-inner", TU_E("R-MIM-2 R-MIM-4", -EINVAL), RP_MAP_HASH_OF_MAPS, u_rdonly_inner,
	    { TU_ON(no_rdwr_flags, TU_E("R-MIM-3 R-MIM-4", 0)) } },
};

TU_NAMED(update_table, "outer/update/table", "outer/update",
    TU_BY_PROFILE(update_cases))
{
	const struct op_case *c = &update_cases[TU_CASE_OF(_i)];
	const struct rp_profile *prof = tu_prof(TU_ROW_OF(_i));
	struct tu_expect x = tu_expect_of(prof, &c->e, c->on,
	    G_N_ELEMENTS(c->on));
	int ret;
	struct tu_fx fx;
	struct op op;
	unsigned om, in;
	struct rp_map_info before;

	TU_UNLESS(x.want != TU_NA);
	tu_fx_init(&fx, TU_ROW_OF(_i));
	op_default(&fx, &op, c->type);
	c->setup(&fx, &op);
	om = map_id(&fx, op.outer);
	in = rp_fd_map(fx.st, 0, (int)op.value);
	ck_assert_int_eq(rp_map_info(fx.st, om, &before), 0);
	g_array_set_size(fx.ev, 0);
	ret = rp_map_update(fx.st, 0, op.outer, op.key, op.value, op.flags);
	ck_assert_msg(ret == x.want, "%s [%s]: want %d, got %d (%s)",
	    c->name, prof->name, x.want, ret, x.rule);
	if (ret == 0) {
		uint64_t v = 0;

		ck_assert_uint_ne(in, 0);
		ck_assert_uint_eq(rp_map_slot(fx.st, om, op.key), in);
		/* the slot is a holder of the inner map (R-FREE-1) */
		ck_assert_uint_eq(map_refs(&fx, in), 2);
		ck_assert_int_eq(rp_map_lookup(fx.st, 0, op.outer, op.key, &v,
		    0), 0);
		ck_assert_uint_eq(v, in);
	} else {
		struct rp_map_info after;

		ck_assert_msg(tu_saw_rule(fx.ev, x.rule, ret), "%s [%s]: "
		    "model did not report %s", c->name, prof->name, x.rule);
		ck_assert_int_eq(rp_map_info(fx.st, om, &after), 0);
		ck_assert_uint_eq(after.used, before.used);
		if (in != 0)
			ck_assert_uint_eq(map_refs(&fx, in), 1);
	}
	tu_fx_fini(&fx);
}
END_TEST

/* ---------------------------------------------------------------------
 * outer/lookup and outer/delete
 */

/*
 * R-MIM-6 R-MIM-7: a syscall lookup of an outer slot gives the inner
 * map's id (the kernel's bpf_map_fd_sys_lookup_elem()); an empty or
 * out-of-range slot gives -ENOENT.
 */
TU_NAMED(lookup_ids, "outer/lookup/ids", "outer/lookup", TU_EVERY_PROFILE)
{
	struct tu_fx fx;
	int ao, ho, i1, i2;
	uint64_t v = 0;

	tu_fx_init(&fx, _i);
	ao = outer(&fx, RP_MAP_ARRAY_OF_MAPS, 2, sockarray(&fx, 8, 4, 0));
	ho = outer(&fx, RP_MAP_HASH_OF_MAPS, 2, sockarray(&fx, 8, 4, 0));
	i1 = sockarray(&fx, 8, 4, 0);
	i2 = sockarray(&fx, 8, 4, 0);
	ck_assert_int_eq(rp_map_lookup(fx.st, 0, ao, 0, &v, 0), -ENOENT);
	ck_assert_int_eq(rp_map_lookup(fx.st, 0, ao, 2, &v, 0), -ENOENT);
	ck_assert_int_eq(rp_map_lookup(fx.st, 0, ho, 7, &v, 0), -ENOENT);
	ck_assert_int_eq(rp_map_update(fx.st, 0, ao, 1, (uint64_t)i1, 0), 0);
	ck_assert_int_eq(rp_map_update(fx.st, 0, ho, 7, (uint64_t)i2, 0), 0);
	ck_assert_int_eq(rp_map_update(fx.st, 0, ho, 9, (uint64_t)i1, 0), 0);
	ck_assert_int_eq(rp_map_lookup(fx.st, 0, ao, 1, &v, 0), 0);
	ck_assert_uint_eq(v, map_id(&fx, i1));
	ck_assert_int_eq(rp_map_lookup(fx.st, 0, ho, 7, &v, 0), 0);
	ck_assert_uint_eq(v, map_id(&fx, i2));
	ck_assert_int_eq(rp_map_lookup(fx.st, 0, ho, 9, &v, 0), 0);
	ck_assert_uint_eq(v, map_id(&fx, i1));
	/* one inner map in two slots: three holders */
	ck_assert_uint_eq(map_refs(&fx, map_id(&fx, i1)), 3);
	ck_assert_int_eq(rp_map_lookup(fx.st, 0, ao, 0, &v, 0), -ENOENT);
	tu_fx_fini(&fx);
}
END_TEST

/* R-MIM-7: delete errors and success, for both kinds. */
TU_NAMED(delete_slots, "outer/delete/slots", "outer/delete", TU_EVERY_PROFILE)
{
	struct tu_fx fx;
	int ao, ho, in;
	unsigned iid;

	tu_fx_init(&fx, _i);
	ao = outer(&fx, RP_MAP_ARRAY_OF_MAPS, 2, sockarray(&fx, 8, 4, 0));
	ho = outer(&fx, RP_MAP_HASH_OF_MAPS, 2, sockarray(&fx, 8, 4, 0));
	in = sockarray(&fx, 8, 4, 0);
	iid = map_id(&fx, in);
	g_array_set_size(fx.ev, 0);
	ck_assert_int_eq(rp_map_delete(fx.st, 0, ao, 2), -E2BIG);
	ck_assert(tu_saw_rule(fx.ev, "R-MIM-7", -E2BIG));
	ck_assert_int_eq(rp_map_delete(fx.st, 0, ao, 1), -ENOENT);
	ck_assert(tu_saw_rule(fx.ev, "R-MIM-7", -ENOENT));
	ck_assert_int_eq(rp_map_delete(fx.st, 0, ho, 1234), -ENOENT);
	ck_assert_int_eq(rp_map_update(fx.st, 0, ao, 1, (uint64_t)in, 0), 0);
	ck_assert_int_eq(rp_map_update(fx.st, 0, ho, 1234, (uint64_t)in, 0),
	    0);
	ck_assert_uint_eq(map_refs(&fx, iid), 3);
	ck_assert_int_eq(rp_map_delete(fx.st, 0, ao, 1), 0);
	ck_assert_uint_eq(rp_map_slot(fx.st, map_id(&fx, ao), 1), 0);
	ck_assert_uint_eq(map_refs(&fx, iid), 2);
	ck_assert_int_eq(rp_map_delete(fx.st, 0, ho, 1234), 0);
	ck_assert_uint_eq(map_refs(&fx, iid), 1);
	ck_assert_int_eq(rp_map_delete(fx.st, 0, ho, 1234), -ENOENT);
	ck_assert(map_alive(&fx, iid));		/* the fd still holds it */
	tu_fx_fini(&fx);
}
END_TEST

/* R-CRE-6d R-MIM-1: an ARRAY_OF_MAPS whose slot array exceeds the
 * model's allocation limit (1 GiB) is -ENOMEM; a HASH_OF_MAPS of the same
 * size allocates nothing up front and is created.  (4.19: with no
 * RLIMIT_MEMLOCK limit, else R-CRE-6c's -EPERM comes first.) */
TU_NAMED(create_alloc_fails, "outer/create/alloc-fails", "outer/create", TU_EVERY_PROFILE)
{
	struct tu_fx fx;
	struct rp_map_attr a;

	tu_fx_init(&fx, _i);
	ck_assert_int_eq(rp_proc_set_memlock(fx.st, 0, UINT64_MAX), 0);
	rp_map_attr_init(&a, RP_MAP_ARRAY_OF_MAPS, 4, 0x10000000);
	a.inner_map_fd = sockarray(&fx, 8, 4, 0);
	ck_assert_int_eq(rp_map_create(fx.st, 0, &a), -ENOMEM);
	ck_assert(tu_saw_rule(fx.ev, "R-CRE-6d", -ENOMEM));
	a.map_type = RP_MAP_HASH_OF_MAPS;
	ck_assert_int_ge(rp_map_create(fx.st, 0, &a), 0);
	tu_fx_fini(&fx);
}
END_TEST

/*
 * R-MIM-6 (a HASH_OF_MAPS keys entries like a hash map) R-NXT-1: a full
 * HASH_OF_MAPS refuses a new key with -E2BIG but replaces a present one;
 * get_next_key walks every present key once and ends with -ENOENT (on an
 * empty map at once), the array walk of R-NXT-2..R-NXT-4 being for
 * arrays only.
 */
TU_NAMED(hash_full_and_walk, "outer/update/hash-full-and-walk", "outer/delete", TU_EVERY_PROFILE)
{
	struct tu_fx fx;
	int ho, in, in2;
	uint32_t k, next;
	int n = 0, err;

	tu_fx_init(&fx, _i);
	ho = outer(&fx, RP_MAP_HASH_OF_MAPS, 2, sockarray(&fx, 8, 4, 0));
	in = sockarray(&fx, 8, 4, 0);
	in2 = sockarray(&fx, 8, 4, 0);
	ck_assert_int_eq(rp_map_get_next_key(fx.st, 0, ho, NULL, &next),
	    -ENOENT);
	ck_assert_int_eq(rp_map_update(fx.st, 0, ho, 70, (uint64_t)in, 0), 0);
	ck_assert_int_eq(rp_map_update(fx.st, 0, ho, 5, (uint64_t)in, 0), 0);
	g_array_set_size(fx.ev, 0);
	ck_assert_int_eq(rp_map_update(fx.st, 0, ho, 6, (uint64_t)in2, 0),
	    -E2BIG);
	ck_assert(tu_saw_rule(fx.ev, "R-MIM-6", -E2BIG));
	ck_assert_uint_eq(rp_map_slot(fx.st, map_id(&fx, ho), 6), 0);
	ck_assert_int_eq(rp_map_update(fx.st, 0, ho, 5, (uint64_t)in2,
	    RP_BPF_EXIST), 0);
	ck_assert_uint_eq(rp_map_slot(fx.st, map_id(&fx, ho), 5),
	    map_id(&fx, in2));
	for (err = rp_map_get_next_key(fx.st, 0, ho, NULL, &k); err == 0;
	    err = rp_map_get_next_key(fx.st, 0, ho, &k, &k)) {
		ck_assert(k == 5 || k == 70);
		ck_assert_int_le(++n, 2);
	}
	ck_assert_int_eq(err, -ENOENT);
	ck_assert_int_eq(n, 2);
	tu_fx_fini(&fx);
}
END_TEST

/* ---------------------------------------------------------------------
 * outer/hold: the slot as a holder of its inner map
 */

/*
 * R-FREE-1 R-FREE-2 R-MIM-6: an inner map whose only holder is the outer
 * slot is freed when the slot is replaced: its slots are emptied and its
 * sockets' owner words cleared, the sockets stay hashed, listening and in
 * their groups, and can join the new inner map.
 */
TU_NAMED(hold_replace_frees, "outer/hold/replace-frees", "outer/hold", TU_EVERY_PROFILE)
{
	struct tu_fx fx;
	int o, i1, i2, a, b;
	unsigned id1, ga, gb;
	uint64_t v = 0;

	tu_fx_init(&fx, _i);
	o = outer(&fx, RP_MAP_ARRAY_OF_MAPS, 1, sockarray(&fx, 8, 4, 0));
	i1 = sockarray(&fx, 8, 4, 0);
	id1 = map_id(&fx, i1);
	a = member(&fx, RP_AF_INET, RP_SOCK_STREAM);
	b = member(&fx, RP_AF_INET6, RP_SOCK_DGRAM);
	ga = sinfo_fd(&fx, a).group;
	gb = sinfo_fd(&fx, b).group;
	ck_assert_int_eq(rp_map_update(fx.st, 0, i1, 0, (uint64_t)a, 0), 0);
	ck_assert_int_eq(rp_map_update(fx.st, 0, i1, 3, (uint64_t)b, 0), 0);
	ck_assert_int_eq(rp_map_update(fx.st, 0, o, 0, (uint64_t)i1, 0), 0);
	ck_assert_int_eq(rp_close(fx.st, 0, i1), 0);	/* slot: last holder */
	ck_assert(map_alive(&fx, id1));
	ck_assert_int_eq(sinfo_fd(&fx, a).owner, RP_OWNER_SLOT);
	tu_assert_invariants(fx.st);
	i2 = sockarray(&fx, 8, 4, 0);
	ck_assert_int_eq(rp_map_update(fx.st, 0, o, 0, (uint64_t)i2, 0), 0);
	ck_assert(!map_alive(&fx, id1));
	ck_assert_int_eq(sinfo_fd(&fx, a).owner, RP_OWNER_SLOT); /* pending */
	ck_assert_uint_eq(rp_state_settle(fx.st), 1);	/* R-FREE-5 */
	for (int k = 0; k < 2; k++) {
		struct rp_sock_info in = sinfo_fd(&fx, k ? b : a);

		ck_assert_int_eq(in.owner, RP_OWNER_NONE);
		ck_assert(in.hashed && !in.closed);
		ck_assert_uint_eq(in.group, k ? gb : ga);
	}
	ck_assert_int_eq(sinfo_fd(&fx, a).state, RP_TCP_LISTEN);
	tu_assert_invariants(fx.st);
	ck_assert_int_eq(rp_map_update(fx.st, 0, i2, 0, (uint64_t)a, 0), 0);
	ck_assert_int_eq(rp_map_lookup(fx.st, 0, o, 0, &v, 0), 0);
	ck_assert_uint_eq(v, map_id(&fx, i2));
	tu_fx_fini(&fx);
}
END_TEST

/* R-FREE-1 R-MIM-7: delete of the last holder frees the inner map too;
 * an inner map with another holder (an fd) survives the replacement. */
TU_NAMED(hold_delete_frees, "outer/hold/delete-frees", "outer/hold", TU_EVERY_PROFILE)
{
	struct tu_fx fx;
	int o, i1, i2, a;
	unsigned id1, id2;

	tu_fx_init(&fx, _i);
	o = outer(&fx, RP_MAP_HASH_OF_MAPS, 4, sockarray(&fx, 8, 4, 0));
	i1 = sockarray(&fx, 8, 4, 0);
	i2 = sockarray(&fx, 8, 4, 0);
	id1 = map_id(&fx, i1);
	id2 = map_id(&fx, i2);
	a = member(&fx, RP_AF_INET, RP_SOCK_DGRAM);
	ck_assert_int_eq(rp_map_update(fx.st, 0, i1, 1, (uint64_t)a, 0), 0);
	ck_assert_int_eq(rp_map_update(fx.st, 0, o, 5, (uint64_t)i1, 0), 0);
	ck_assert_int_eq(rp_map_update(fx.st, 0, o, 6, (uint64_t)i2, 0), 0);
	/* i2 keeps its fd: replacing its slot frees nothing */
	ck_assert_int_eq(rp_map_update(fx.st, 0, o, 6, (uint64_t)i1, 0), 0);
	ck_assert(map_alive(&fx, id2));
	ck_assert_uint_eq(map_refs(&fx, id2), 1);
	ck_assert_uint_eq(map_refs(&fx, id1), 3);
	ck_assert_int_eq(rp_close(fx.st, 0, i1), 0);
	ck_assert_int_eq(rp_map_delete(fx.st, 0, o, 5), 0);
	ck_assert(map_alive(&fx, id1));
	ck_assert_int_eq(sinfo_fd(&fx, a).owner, RP_OWNER_SLOT);
	ck_assert_int_eq(rp_map_delete(fx.st, 0, o, 6), 0);
	ck_assert(!map_alive(&fx, id1));
	rp_state_settle(fx.st);		/* R-FREE-5 */
	ck_assert_int_eq(sinfo_fd(&fx, a).owner, RP_OWNER_NONE);
	ck_assert(sinfo_fd(&fx, a).hashed);
	tu_fx_fini(&fx);
}
END_TEST

/*
 * R-FREE-1 R-FREE-2: freeing the outer map drops its slots' holds: inner
 * maps held only there are freed (their sockets released, still in their
 * groups), inner maps with fds survive; the same for both kinds.
 */
TU_NAMED(hold_outer_free, "outer/hold/outer-free", "outer/hold", TU_EVERY_PROFILE)
{
	static const uint32_t types[] = {
		RP_MAP_ARRAY_OF_MAPS, RP_MAP_HASH_OF_MAPS
	};

	for (size_t t = 0; t < G_N_ELEMENTS(types); t++) {
		struct tu_fx fx;
		int o, i1, i2, a, b;
		unsigned oid, id1, id2;

		tu_fx_init(&fx, _i);
		o = outer(&fx, types[t], 4, sockarray(&fx, 8, 2, 0));
		oid = map_id(&fx, o);
		i1 = sockarray(&fx, 8, 2, 0);
		i2 = sockarray(&fx, 8, 2, 0);
		id1 = map_id(&fx, i1);
		id2 = map_id(&fx, i2);
		a = member(&fx, RP_AF_INET, RP_SOCK_STREAM);
		b = member(&fx, RP_AF_INET, RP_SOCK_STREAM);
		ck_assert_int_eq(rp_map_update(fx.st, 0, i1, 0, (uint64_t)a,
		    0), 0);
		ck_assert_int_eq(rp_map_update(fx.st, 0, i2, 1, (uint64_t)b,
		    0), 0);
		ck_assert_int_eq(rp_map_update(fx.st, 0, o, 0, (uint64_t)i1,
		    0), 0);
		ck_assert_int_eq(rp_map_update(fx.st, 0, o, 3, (uint64_t)i1,
		    0), 0);
		ck_assert_int_eq(rp_map_update(fx.st, 0, o, 2, (uint64_t)i2,
		    0), 0);
		ck_assert_int_eq(rp_close(fx.st, 0, i1), 0);
		ck_assert_int_eq(rp_close(fx.st, 0, o), 0);
		ck_assert(!map_alive(&fx, oid));
		/* the outer map's free drops i1's holds: its own free is
		 * deferred in turn, and settle runs both (R-FREE-5) */
		ck_assert(map_alive(&fx, id1));
		ck_assert_uint_eq(rp_state_settle(fx.st), 2);
		ck_assert(!map_alive(&fx, id1));
		ck_assert(map_alive(&fx, id2));
		ck_assert_uint_eq(map_refs(&fx, id2), 1);
		ck_assert_int_eq(sinfo_fd(&fx, a).owner, RP_OWNER_NONE);
		ck_assert(sinfo_fd(&fx, a).hashed);
		ck_assert_uint_ne(sinfo_fd(&fx, a).group, 0);
		ck_assert_int_eq(sinfo_fd(&fx, b).owner, RP_OWNER_SLOT);
		tu_fx_fini(&fx);
	}
}
END_TEST

/* ---------------------------------------------------------------------
 * outer/prog: selecting through an outer map
 */

static int
load_via_outer(struct tu_fx *fx, int map, uint32_t outer_key, uint32_t key,
    bool bad_helper)
{
	struct rp_prog_attr pa = { .prog_type = RP_PROG_SK_REUSEPORT,
	    .map_fd = map };

	pa.policy.key_src = RP_KEY_CONST;
	pa.policy.key_const = key;
	pa.policy.via_outer = true;
	pa.policy.outer_key = outer_key;
	pa.policy.bad_helper = bad_helper;
	return rp_prog_load(fx->st, 0, &pa);
}

/*
 * R-PRG-3 R-PRG-1 R-FREE-1: a program may select through an outer map
 * whose template is a reuseport array; misusing the inner array fails the
 * load; declaring selection through a map that is not an outer map fails
 * the load; a loaded program holds the outer map.
 */
TU_NAMED(prog_load, "outer/prog/load", "outer/prog", TU_EVERY_PROFILE)
{
	struct tu_fx fx;
	int o, sa, prog;
	unsigned oid;

	tu_fx_init(&fx, _i);
	o = outer(&fx, RP_MAP_ARRAY_OF_MAPS, 1, sockarray(&fx, 8, 4, 0));
	oid = map_id(&fx, o);
	sa = sockarray(&fx, 8, 4, 0);
	prog = load_via_outer(&fx, o, 0, 1, false);
	ck_assert_int_ge(prog, 0);
	ck_assert_uint_eq(map_refs(&fx, oid), 2);
	g_array_set_size(fx.ev, 0);
	ck_assert_int_eq(load_via_outer(&fx, o, 0, 1, true), -EINVAL);
	ck_assert(tu_saw_rule(fx.ev, "R-PRG-1", -EINVAL));
	g_array_set_size(fx.ev, 0);
	ck_assert_int_eq(load_via_outer(&fx, sa, 0, 1, false), -EINVAL);
	ck_assert(tu_saw_rule(fx.ev, "R-PRG-3", -EINVAL));
	ck_assert_int_eq(rp_close(fx.st, 0, o), 0);
	ck_assert(map_alive(&fx, oid));
	ck_assert_int_eq(rp_close(fx.st, 0, prog), 0);
	ck_assert(!map_alive(&fx, oid));
	tu_fx_fini(&fx);
}
END_TEST

/* A UDP packet from a fixed client to port on loopback. */
static struct rp_delivery
send_udp(struct tu_fx *fx, uint16_t port)
{
	struct rp_packet pkt = { .protocol = RP_IPPROTO_UDP,
	    .src = tu_addr(RP_AF_INET, 1, 40000),
	    .dst = tu_addr(RP_AF_INET, 1, port) };
	struct rp_delivery d;

	ck_assert_int_eq(rp_send(fx->st, 0, &pkt, &d), 0);
	return d;
}

/*
 * R-MIM-5 R-MIM-6 R-MIM-7: a program selects through outer slot 0: with
 * the slot empty it drops; with an inner array stored it selects that
 * array's slot; storing another inner array switches every later packet
 * at once; deleting the slot makes it drop again.
 */
TU_NAMED(prog_select, "outer/prog/select", "outer/prog", TU_EVERY_PROFILE)
{
	struct tu_fx fx;
	int o, i1, i2, a, b, prog;
	uint16_t port;
	struct rp_delivery d;

	tu_fx_init(&fx, _i);
	a = member(&fx, RP_AF_INET, RP_SOCK_DGRAM);
	port = tu_port(fx.st, 0, a);
	b = tu_reuse_sock(fx.st, 0, RP_AF_INET, RP_SOCK_DGRAM, 1, port);
	ck_assert_uint_eq(sinfo_fd(&fx, a).group, sinfo_fd(&fx, b).group);
	o = outer(&fx, RP_MAP_ARRAY_OF_MAPS, 1, sockarray(&fx, 8, 4, 0));
	i1 = sockarray(&fx, 8, 4, 0);
	i2 = sockarray(&fx, 8, 4, 0);
	ck_assert_int_eq(rp_map_update(fx.st, 0, i1, 1, (uint64_t)a, 0), 0);
	ck_assert_int_eq(rp_map_update(fx.st, 0, i2, 1, (uint64_t)b, 0), 0);
	prog = load_via_outer(&fx, o, 0, 1, false);
	ck_assert_int_ge(prog, 0);
	ck_assert_int_eq(rp_attach_ebpf(fx.st, 0, a, prog), 0);
	d = send_udp(&fx, port);
	ck_assert_int_eq(d.outcome, RP_DROPPED);
	ck_assert_int_eq(rp_map_update(fx.st, 0, o, 0, (uint64_t)i1, 0), 0);
	d = send_udp(&fx, port);
	ck_assert_int_eq(d.outcome, RP_DELIVERED);
	ck_assert_int_eq(d.how, RP_HOW_PROG);
	ck_assert_uint_eq(d.sock, rp_fd_sock(fx.st, 0, a));
	ck_assert_int_eq(rp_map_update(fx.st, 0, o, 0, (uint64_t)i2, 0), 0);
	d = send_udp(&fx, port);
	ck_assert_int_eq(d.outcome, RP_DELIVERED);
	ck_assert_uint_eq(d.sock, rp_fd_sock(fx.st, 0, b));
	ck_assert_int_eq(rp_map_delete(fx.st, 0, o, 0), 0);
	d = send_udp(&fx, port);
	ck_assert_int_eq(d.outcome, RP_DROPPED);
	tu_fx_fini(&fx);
}
END_TEST


TU_MAIN("outer")
