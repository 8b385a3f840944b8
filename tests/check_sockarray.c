/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * check_sockarray.c - unit tests of BPF_MAP_TYPE_REUSEPORT_SOCKARRAY:
 * model/sockarray.c and its syscall layer in model/map.c (create, lookup,
 * update, delete, get_next_key, freeze and the unsupported commands, map
 * free), the program-load checks about this map (R-PRG-1, R-PRG-2), the
 * selftest table of docs/kernel-semantics.md §11.1 (test_maps.c
 * test_reuseport_array()) and a map of a million entries.
 *
 * Most cases are tables run over every case under every row of the
 * model's profile table (TU_BY_PROFILE).  A case names itself
 * ("sockarray/update/noexist-occupied"), a set-up function and what it
 * expects (struct expect): the docs/SPEC.md rules it pins and the result.
 * Where a switch of struct rp_profile changes the result, the case names
 * the switch (a predicate of the row) and what the rows that have it
 * expect (ON(switch, ...)); no case names a row.  For a failing case the
 * first rule named must be the one the model reports as deciding
 * (RP_EV_RULE with that errno), unless it is marked quiet (the fd lookup of
 * the syscall layer reports no rule).  Every case ends with the invariant
 * checker.
 *
 * Races (R-UPD-7, R-DEL-3, R-FREE-3) are driven through the scheduling
 * hook: at a chosen scheduling point a second simulated thread runs one
 * whole operation, then the first thread continues.
 */
#include <errno.h>
#include <limits.h>
#include <string.h>

#include "testutil.h"
#include "rp-int.h"

#define ENOTSUPP	RP_ENOTSUPP
#define U64_M1		UINT64_MAX	/* 64-bit -1 */
#define U32_M1		UINT64_C(0xffffffff)	/* 32-bit -1 */

/* ---------------------------------------------------------------------
 * Fixture: one state, an observer keeping every event, a race hook.
 */
struct fx;
typedef void (*race_fn)(struct fx *);

struct fx {
	struct rp_state	*st;
	const struct rp_profile *prof;	/* the profile row */
	GArray		*ev;		/* struct rp_event, in order */
	/* race hook: at the first `race_at` (on socket race_obj, 0 = any)
	 * thread 1 runs race(fx) */
	race_fn		race;
	enum rp_sched_point race_at;
	unsigned	race_obj;
	bool		raced;
	/* arguments of the racing operation */
	unsigned	r_proc;
	int		r_map, r_fd;
	uint32_t	r_key;
	uint64_t	r_flags;
	int		r_ret;
};

static void
fx_sched(void *ud, enum rp_sched_point pt, unsigned obj)
{
	struct fx *fx = ud;
	unsigned tid;

	ck_assert_msg(pt != RP_SP_BLOCKED, "race: thread %u blocked on a "
	    "lock (the racing step would deadlock)", rp_state_thread(fx->st));
	if (fx->race == NULL || fx->raced || pt != fx->race_at ||
	    (fx->race_obj != 0 && obj != fx->race_obj))
		return;
	fx->raced = true;
	tid = rp_state_thread(fx->st);
	rp_state_set_thread(fx->st, tid + 1);
	fx->race(fx);
	rp_state_set_thread(fx->st, tid);
}

/* A fixture on profile row prof (a test looping over every row). */
static void
fx_init_of(struct fx *fx, const struct rp_profile *prof)
{
	memset(fx, 0, sizeof(*fx));
	fx->prof = prof;
	fx->st = tu_state_of(prof);
	fx->ev = tu_record(fx->st);
	/* keep accidental huge allocations cheap (R-CRE-6d) */
	fx->st->kmem_limit = UINT64_C(256) << 20;
}

/* A fixture on row `row` of the profile table. */
static void
fx_init(struct fx *fx, int row)
{
	fx_init_of(fx, tu_prof(row));
}

static void
fx_fini(struct fx *fx)
{
	tu_state_done(fx->st);
	g_array_unref(fx->ev);
}

/* Arm the race hook: at the next `at` (on socket obj) run fn on thread 1. */
static void
fx_race(struct fx *fx, enum rp_sched_point at, unsigned obj, race_fn fn)
{
	fx->race = fn;
	fx->race_at = at;
	fx->race_obj = obj;
	fx->raced = false;
	rp_state_set_sched(fx->st, fx_sched, fx);
}

static void
fx_race_off(struct fx *fx)
{
	ck_assert_msg(fx->raced, "the race point was never reached");
	rp_state_set_sched(fx->st, NULL, NULL);
	fx->race = NULL;
}

/* Forget the events recorded so far. */
static void
fx_clear(struct fx *fx)
{
	g_array_set_size(fx->ev, 0);
}

/*
 * The recorded events of the kinds in `kinds` (terminated by -1) as
 * "name(sock)" words, for order checks.  Caller frees.
 */
static char *
fx_trace(const struct fx *fx, const int *kinds)
{
	GString *s = g_string_new(NULL);

	for (guint i = 0; i < fx->ev->len; i++) {
		const struct rp_event *e = &g_array_index(fx->ev,
		    struct rp_event, i);

		for (const int *k = kinds; *k >= 0; k++) {
			if ((int)e->kind != *k)
				continue;
			if (s->len > 0)
				g_string_append_c(s, ' ');
			g_string_append(s, rp_event_kind_name(e->kind));
			if (e->sock != 0)
				g_string_append_printf(s, "(%u)", e->sock);
		}
	}
	return g_string_free(s, FALSE);
}

/* ---------------------------------------------------------------------
 * Helpers
 */

/* The first id of a rule list ("R-UPD-6a R-INV-15" -> "R-UPD-6a"). */
static char *
first_rule(const char *rules)
{
	const char *sp = strchr(rules, ' ');

	return sp ? g_strndup(rules, (gsize)(sp - rules)) : g_strdup(rules);
}

/* Check that the model reported the row's deciding rule for err. */
static void
assert_rule(const struct fx *fx, const char *name, const char *rules,
    int err)
{
	char *r = first_rule(rules);

	ck_assert_msg(tu_saw_rule(fx->ev, r, err), "%s [%s]: model did not "
	    "report %s deciding %d", name, fx->prof->name, r, err);
	g_free(r);
}

/* ---------------------------------------------------------------------
 * What a case expects, and the switches that change it
 */

/* A case's result: 0 (an fd, or success), -errno, or TU_NA (the case does
 * not apply); rule: the docs/SPEC.md rules, the deciding one first; quiet:
 * the deciding check reports no rule. */
struct expect {
	const char	*rule;
	int		 want;
	bool		 quiet;
};
#define E(rule, want)		{ (rule), (want), false }
#define QUIET(rule, want)	{ (rule), (want), true }
/* want: the row's oversize errno (switch oversize_errno) */
#define WANT_OVERSIZE		(INT_MIN + 1)

/* What the rows where the switch `when` holds expect instead. */
struct alt {
	bool		(*when)(const struct rp_profile *);
	struct expect	 e;
};
#define ON(when, e)	{ (when), e }
#define SAME		{ NULL, E(NULL, 0) }

/* What a case of expectation e, alternative on, expects under prof. */
static struct expect
expect_of(const struct rp_profile *prof, const struct expect *e,
    const struct alt *on)
{
	struct expect x = on->when != NULL && on->when(prof) ? on->e : *e;

	if (x.want == WANT_OVERSIZE)
		x.want = -prof->oversize_errno;
	return x;
}

/* Check ret against e; on a failure, the deciding rule too. */
static void
assert_expect(const struct fx *fx, const char *name, const struct expect *e,
    int ret)
{
	ck_assert_msg(ret == e->want, "%s [%s]: want %d, got %d (%s)", name,
	    fx->prof->name, e->want, ret, e->rule);
	if (ret < 0 && !e->quiet)
		assert_rule(fx, name, e->rule, ret);
}

/* The switches (rp-int.h) the cases name. */
static bool	/* 6.5+: the sysctl gate inside map create (R-CRE-6a) */
gate_central(const struct rp_profile *p)
{
	return p->unpriv_gate == RP_UNPRIV_GATE_CREATE_CENTRAL;
}

static bool	/* 5.19+: the sysctl gates only MAP_CREATE and PROG_LOAD */
gate_create_only(const struct rp_profile *p)
{
	return p->unpriv_gate == RP_UNPRIV_GATE_CREATE_ENTRY ||
	    p->unpriv_gate == RP_UNPRIV_GATE_CREATE_CENTRAL;
}

static bool	/* 5.8 .. 6.4 as Debian builds them: the default sysctl (2)
		 * stops a process without caps at bpf() entry (R-CRE-0) */
entry_gate(const struct rp_profile *p)
{
	return p->unpriv_default != 0 && !gate_central(p);
}

static bool	/* 5.8+: CAP_BPF passes the sysctl gate */
gate_takes_cap_bpf(const struct rp_profile *p)
{
	return p->unpriv_gate != RP_UNPRIV_GATE_ALL_SYS_ADMIN;
}

static bool	/* 5.8+: CAP_BPF creates a sockarray */
cap_bpf_creates(const struct rp_profile *p)
{
	return p->cap_rule != RP_CAPRULE_SYS_ADMIN_ALLOC;
}

static bool	/* btf_vmlinux_value_type_id and map_extra are checked */
extra_attrs(const struct rp_profile *p)
{
	return p->create_extra_attrs;
}

static bool	/* BPF_F_RDONLY_PROG / WRONLY_PROG are allowed */
prog_flags(const struct rp_profile *p)
{
	return (p->allowed_map_flags & RP_BPF_F_RDONLY_PROG) != 0;
}

static bool	/* 5.11+: memcg accounting, no RLIMIT_MEMLOCK charge */
memcg(const struct rp_profile *p)
{
	return !p->memlock_rlimit;
}

static bool
dot_names(const struct rp_profile *p)
{
	return p->name_allows_dot;
}

static bool	/* a value-only BTF is checked (R-CRE-8) */
btf_checked(const struct rp_profile *p)
{
	return p->btf_value_checked;
}

static bool	/* lookup flags: BPF_F_LOCK known, checked after the fd */
flags_checked(const struct rp_profile *p)
{
	return p->attr_flags_check;
}

static bool	/* 6.19+: every lookup flag checked after the fd */
flags_after_perm(const struct rp_profile *p)
{
	return p->lookup_flags_after_perm;
}

static bool
freeze(const struct rp_profile *p)
{
	return p->has_freeze;
}

static bool	/* IPPROTO_UDPLITE is gone (7.0) */
no_udplite(const struct rp_profile *p)
{
	return !p->udplite;
}

static bool	/* any UDP connect() leaves the group (R-DET-10) */
connect_leaves(const struct rp_profile *p)
{
	return p->udp_connect_leaves_group;
}

static bool	/* 5.8+: sk_user_data tags name the owner (R-UPD-6g) */
tags(const struct rp_profile *p)
{
	return p->user_data_tags;
}

#define map_new(fx, proc, vs, n, flags) \
	tu_map((fx)->st, (proc), RP_MAP_REUSEPORT_SOCKARRAY, (vs), (n), \
	    (flags), -1)

/* A member: SO_REUSEPORT socket bound to loopback:0 (TCP listening). */
static int
member(struct fx *fx, int family, int type)
{
	return tu_reuse_sock(fx->st, 0, family, type, 1, 0);
}

/* A socket of any kind, nothing else done to it. */
static int
raw_sock(struct fx *fx, unsigned proc, int family, int type, int protocol)
{
	int fd = rp_socket(fx->st, proc, family, type, protocol);

	ck_assert_msg(fd >= 0, "socket(%d, %d, %d): %d", family, type,
	    protocol, fd);
	return fd;
}

#define sock_id(fx, proc, fd)	tu_sock_id((fx)->st, (proc), (fd))
#define sinfo(fx, id)		tu_sock_info((fx)->st, (id))
#define minfo(fx, proc, fd)	tu_map_info((fx)->st, (proc), (fd))

static uint64_t
cookie_of(struct fx *fx, unsigned proc, int fd)
{
	uint64_t c = 0;

	ck_assert_int_eq(rp_getsockopt_cookie(fx->st, proc, fd, &c), 0);
	return c;
}

/* Accept one connection on listener lfd (loopback). */
static int
accept_child(struct fx *fx, int lfd)
{
	struct rp_sockaddr sa;
	int cl, c;

	ck_assert_int_eq(rp_getsockname(fx->st, 0, lfd, &sa), 0);
	if (sa.addr.family == RP_AF_INET)
		sa = tu_addr(RP_AF_INET, 1, sa.port);
	else
		sa = tu_addr(RP_AF_INET6, 1, sa.port);
	cl = raw_sock(fx, 0, sa.addr.family, RP_SOCK_STREAM, 0);
	ck_assert_int_eq(rp_connect(fx->st, 0, cl, &sa), 0);
	c = rp_accept(fx->st, 0, lfd);
	ck_assert_int_ge(c, 0);
	return c;
}

static int
unpriv_proc(struct fx *fx, uint64_t caps)
{
	int p = rp_proc_new(fx->st, 0, 1000, caps);

	ck_assert_int_gt(p, 0);
	return p;
}

static int
load_select_prog(struct fx *fx, int map, bool bad_helper)
{
	struct rp_prog_attr pa = { .prog_type = RP_PROG_SK_REUSEPORT,
	    .map_fd = map };

	pa.policy.key_src = RP_KEY_CONST;
	pa.policy.bad_helper = bad_helper;
	return rp_prog_load(fx->st, 0, &pa);
}

/* slot key of map (fd in proc 0) holds socket fd (proc 0), owner agrees */
static void
assert_in_slot(struct fx *fx, int map, uint32_t key, int fd)
{
	tu_assert_in_slot(fx->st, 0, map, key, sock_id(fx, 0, fd));
}

/* socket fd is in no map, still hashed and in a group */
static void
assert_released(struct fx *fx, int fd, unsigned group)
{
	struct rp_sock_info in = sinfo(fx, sock_id(fx, 0, fd));

	ck_assert_int_eq(in.owner, RP_OWNER_NONE);
	ck_assert(in.hashed);
	ck_assert(!in.closed);
	ck_assert_uint_ne(in.group, 0);
	if (group != 0)
		ck_assert_uint_eq(in.group, group);
}

/* ---------------------------------------------------------------------
 * sockarray/create
 */

struct create_case {
	const char	*name;
	/* adjust attr and state; returns the calling process */
	unsigned	(*setup)(struct fx *, struct rp_map_attr *);
	struct expect	 e;		/* want 0: an fd */
	struct alt	 on;
};


static unsigned
c_plain(struct fx *fx, struct rp_map_attr *a)
{
	(void)fx;
	(void)a;
	return 0;
}

/* kernel.unprivileged_bpf_disabled set (1 where the row's default is 0,
 * else the default 2), no caps */
static unsigned
c_gate(struct fx *fx, struct rp_map_attr *a)
{
	(void)a;
	if (fx->prof->unpriv_default == 0)
		ck_assert_int_eq(rp_sysctl_set(fx->st, 0,
		    "kernel.unprivileged_bpf_disabled", 1), 0);
	return (unsigned)unpriv_proc(fx, 0);
}

static unsigned
c_gate_tail(struct fx *fx, struct rp_map_attr *a)
{
	a->tail_nonzero = true;
	return c_gate(fx, a);
}

static unsigned
c_gate_sys_admin(struct fx *fx, struct rp_map_attr *a)
{
	c_gate(fx, a);
	return (unsigned)unpriv_proc(fx, RP_CAP_SYS_ADMIN);
}

static unsigned
c_gate_cap_bpf(struct fx *fx, struct rp_map_attr *a)
{
	c_gate(fx, a);
	return (unsigned)unpriv_proc(fx, RP_CAP_BPF);
}

/* sysctl 0 in both: only the per-type capability decides */
static unsigned
c_sysctl0_nocaps(struct fx *fx, struct rp_map_attr *a)
{
	(void)a;
	ck_assert_int_eq(rp_sysctl_set(fx->st, 0,
	    "kernel.unprivileged_bpf_disabled", 0), 0);
	return (unsigned)unpriv_proc(fx, 0);
}

static unsigned
c_tail(struct fx *fx, struct rp_map_attr *a)
{
	(void)fx;
	a->tail_nonzero = true;
	return 0;
}

static unsigned
c_vmlinux_id(struct fx *fx, struct rp_map_attr *a)
{
	(void)fx;
	a->btf_vmlinux_value_type_id = 1;
	return 0;
}

static unsigned
c_map_extra(struct fx *fx, struct rp_map_attr *a)
{
	(void)fx;
	a->map_extra = 1;
	return 0;
}

static unsigned
c_btf_key_only(struct fx *fx, struct rp_map_attr *a)
{
	(void)fx;
	a->btf_key_type_id = 1;
	return 0;
}

static unsigned
c_vmlinux_and_extra(struct fx *fx, struct rp_map_attr *a)
{
	(void)fx;
	a->btf_vmlinux_value_type_id = 1;
	a->map_extra = 1;
	return 0;
}

static unsigned
c_extra_and_rdwr(struct fx *fx, struct rp_map_attr *a)
{
	(void)fx;
	a->map_extra = 1;
	a->map_flags = RP_BPF_F_RDONLY | RP_BPF_F_WRONLY;
	return 0;
}

static unsigned
c_rdwr(struct fx *fx, struct rp_map_attr *a)
{
	(void)fx;
	a->map_flags = RP_BPF_F_RDONLY | RP_BPF_F_WRONLY;
	return 0;
}

static unsigned
c_rdwr_nocaps(struct fx *fx, struct rp_map_attr *a)
{
	a->map_flags = RP_BPF_F_RDONLY | RP_BPF_F_WRONLY;
	return (unsigned)unpriv_proc(fx, 0);
}

static unsigned
c_numa_bad(struct fx *fx, struct rp_map_attr *a)
{
	(void)fx;
	a->map_flags = RP_BPF_F_NUMA_NODE;
	a->numa_node = 1;
	return 0;
}

static unsigned
c_numa_0(struct fx *fx, struct rp_map_attr *a)
{
	(void)fx;
	a->map_flags = RP_BPF_F_NUMA_NODE;
	a->numa_node = 0;
	return 0;
}

static unsigned
c_numa_ignored(struct fx *fx, struct rp_map_attr *a)
{
	(void)fx;
	a->numa_node = 5;
	return 0;
}

static unsigned
c_type_1(struct fx *fx, struct rp_map_attr *a)
{
	(void)fx;
	a->map_type = 3;	/* BPF_MAP_TYPE_PROG_ARRAY: not in the model */
	return 0;
}

static unsigned
c_type_0(struct fx *fx, struct rp_map_attr *a)
{
	(void)fx;
	a->map_type = 0;
	return 0;
}

static unsigned
c_type_99(struct fx *fx, struct rp_map_attr *a)
{
	(void)fx;
	a->map_type = 99;
	return 0;
}

static unsigned
c_type_sockmap(struct fx *fx, struct rp_map_attr *a)
{
	(void)fx;
	a->map_type = RP_MAP_SOCKMAP;
	return 0;
}

static unsigned
c_type_sockhash(struct fx *fx, struct rp_map_attr *a)
{
	(void)fx;
	a->map_type = RP_MAP_SOCKHASH;
	return 0;
}

static unsigned
c_type_numa_bad(struct fx *fx, struct rp_map_attr *a)
{
	c_numa_bad(fx, a);
	a->map_type = 99;
	return 0;
}

static unsigned
c_vs_0(struct fx *fx, struct rp_map_attr *a)
{
	(void)fx;
	a->value_size = 0;
	return 0;
}

static unsigned
c_vs_2(struct fx *fx, struct rp_map_attr *a)
{
	(void)fx;
	a->value_size = 2;
	return 0;
}

static unsigned
c_vs_16(struct fx *fx, struct rp_map_attr *a)
{
	(void)fx;
	a->value_size = 16;
	return 0;
}

static unsigned
c_vs_16_max0(struct fx *fx, struct rp_map_attr *a)
{
	(void)fx;
	a->value_size = 16;
	a->max_entries = 0;
	a->map_flags = RP_BPF_F_NO_PREALLOC;
	return 0;
}

static unsigned
c_vs_16_nocaps(struct fx *fx, struct rp_map_attr *a)
{
	a->value_size = 16;
	return (unsigned)unpriv_proc(fx, 0);
}

static unsigned
c_vs_4(struct fx *fx, struct rp_map_attr *a)
{
	(void)fx;
	a->value_size = 4;
	return 0;
}

static unsigned
c_max_0(struct fx *fx, struct rp_map_attr *a)
{
	(void)fx;
	a->max_entries = 0;
	return 0;
}

static unsigned
c_key_8(struct fx *fx, struct rp_map_attr *a)
{
	(void)fx;
	a->key_size = 8;
	return 0;
}

static unsigned
c_key_0(struct fx *fx, struct rp_map_attr *a)
{
	(void)fx;
	a->key_size = 0;
	return 0;
}

static unsigned
c_max_0_nocaps(struct fx *fx, struct rp_map_attr *a)
{
	a->max_entries = 0;
	return (unsigned)unpriv_proc(fx, 0);
}

static unsigned
c_max_1(struct fx *fx, struct rp_map_attr *a)
{
	(void)fx;
	a->max_entries = 1;
	return 0;
}

#define FLAG_SETUP(fn, flags)						\
	static unsigned							\
	fn(struct fx *fx, struct rp_map_attr *a)			\
	{								\
		(void)fx;						\
		a->map_flags = (flags);					\
		return 0;						\
	}

FLAG_SETUP(c_f_no_prealloc, RP_BPF_F_NO_PREALLOC)
FLAG_SETUP(c_f_rdonly_prog, RP_BPF_F_RDONLY_PROG)
FLAG_SETUP(c_f_wronly_prog, RP_BPF_F_WRONLY_PROG)
FLAG_SETUP(c_f_both_prog, RP_BPF_F_RDONLY_PROG | RP_BPF_F_WRONLY_PROG)
FLAG_SETUP(c_f_mmapable, RP_BPF_F_MMAPABLE)
FLAG_SETUP(c_f_inner_map, RP_BPF_F_INNER_MAP)
FLAG_SETUP(c_f_preserve, RP_BPF_F_PRESERVE_ELEMS)
FLAG_SETUP(c_f_bit20, 1U << 20)
FLAG_SETUP(c_f_rdonly, RP_BPF_F_RDONLY)
FLAG_SETUP(c_f_wronly, RP_BPF_F_WRONLY)
FLAG_SETUP(c_f_numa_rdonly, RP_BPF_F_NUMA_NODE | RP_BPF_F_RDONLY)

static unsigned
c_f_no_prealloc_nocaps(struct fx *fx, struct rp_map_attr *a)
{
	a->map_flags = RP_BPF_F_NO_PREALLOC;
	return (unsigned)unpriv_proc(fx, 0);
}

static unsigned
c_nocaps(struct fx *fx, struct rp_map_attr *a)
{
	(void)a;
	return (unsigned)unpriv_proc(fx, 0);
}

static unsigned
c_net_caps(struct fx *fx, struct rp_map_attr *a)
{
	(void)a;
	return (unsigned)unpriv_proc(fx, RP_CAP_NET_ADMIN | RP_CAP_NET_RAW);
}

static unsigned
c_cap_bpf(struct fx *fx, struct rp_map_attr *a)
{
	(void)a;
	return (unsigned)unpriv_proc(fx, RP_CAP_BPF);
}

static unsigned
c_sys_admin(struct fx *fx, struct rp_map_attr *a)
{
	(void)a;
	return (unsigned)unpriv_proc(fx, RP_CAP_SYS_ADMIN);
}

static unsigned
c_nocaps_badname(struct fx *fx, struct rp_map_attr *a)
{
	strcpy(a->name, "bad-name");
	return (unsigned)unpriv_proc(fx, 0);
}

/* R-CRE-6b: RP_ARRAY_HDR + 8 x max_entries >= U32_MAX - PAGE_SIZE from
 * here on, i.e. 536870368 with the 256-byte header */
#define OVERSIZE_MIN	\
	((UINT64_C(0xffffffff) - RP_PAGE_SIZE - RP_MAP_HDR + 7) / 8)
G_STATIC_ASSERT(OVERSIZE_MIN == 536870368);

static unsigned
c_oversize(struct fx *fx, struct rp_map_attr *a)
{
	(void)fx;
	a->max_entries = (uint32_t)OVERSIZE_MIN;
	return 0;
}

static unsigned
c_below_oversize(struct fx *fx, struct rp_map_attr *a)
{
	(void)fx;
	a->max_entries = (uint32_t)OVERSIZE_MIN - 1;
	return 0;
}

static unsigned
c_u32max(struct fx *fx, struct rp_map_attr *a)
{
	(void)fx;
	a->max_entries = UINT32_MAX;
	return 0;
}

static unsigned
c_oversize_nocaps(struct fx *fx, struct rp_map_attr *a)
{
	a->max_entries = (uint32_t)OVERSIZE_MIN;
	return (unsigned)unpriv_proc(fx, 0);
}

static unsigned
c_oversize_memlock0(struct fx *fx, struct rp_map_attr *a)
{
	a->max_entries = (uint32_t)OVERSIZE_MIN;
	ck_assert_int_eq(rp_proc_set_memlock(fx->st, 0, 0), 0);
	return 0;
}

static unsigned
c_memlock0(struct fx *fx, struct rp_map_attr *a)
{
	(void)a;
	ck_assert_int_eq(rp_proc_set_memlock(fx->st, 0, 0), 0);
	return 0;
}

/* 4 entries: 256 + 32 bytes = one page */
static unsigned
c_memlock_one_page(struct fx *fx, struct rp_map_attr *a)
{
	(void)a;
	ck_assert_int_eq(rp_proc_set_memlock(fx->st, 0, RP_PAGE_SIZE), 0);
	return 0;
}

static unsigned
c_memlock_below_page(struct fx *fx, struct rp_map_attr *a)
{
	(void)a;
	ck_assert_int_eq(rp_proc_set_memlock(fx->st, 0, RP_PAGE_SIZE - 1),
	    0);
	return 0;
}

/* 2 pages needed (4096 - 256) / 8 + 1 entries */
static unsigned
c_memlock_two_pages(struct fx *fx, struct rp_map_attr *a)
{
	a->max_entries = (RP_PAGE_SIZE - RP_MAP_HDR) / 8 + 1;
	ck_assert_int_eq(rp_proc_set_memlock(fx->st, 0, RP_PAGE_SIZE), 0);
	return 0;
}

static unsigned
c_kmem_tiny(struct fx *fx, struct rp_map_attr *a)
{
	(void)a;
	fx->st->kmem_limit = 16;	/* 4 slots need 32 bytes */
	return 0;
}

static unsigned
c_kmem_tiny_memlock0(struct fx *fx, struct rp_map_attr *a)
{
	c_kmem_tiny(fx, a);
	return c_memlock0(fx, a);
}

static unsigned
c_kmem_tiny_badname(struct fx *fx, struct rp_map_attr *a)
{
	strcpy(a->name, "bad name");
	return c_kmem_tiny(fx, a);
}

#define NAME_SETUP(fn, str)						\
	static unsigned							\
	fn(struct fx *fx, struct rp_map_attr *a)			\
	{								\
		(void)fx;						\
		memcpy(a->name, str, sizeof(str));			\
		return 0;						\
	}

NAME_SETUP(c_name_dash, "bad-name")
NAME_SETUP(c_name_space, "a b")
NAME_SETUP(c_name_dot, "reuse.v2")
NAME_SETUP(c_name_ok, "ok_Name_9")
NAME_SETUP(c_name_empty, "")
NAME_SETUP(c_name_15, "abcdefghijklmno")
NAME_SETUP(c_name_high, "caf\xc3\xa9")
NAME_SETUP(c_name_slash, "a/b")

/* 16 characters: no NUL within the kernel's 16 bytes */
static unsigned
c_name_16(struct fx *fx, struct rp_map_attr *a)
{
	(void)fx;
	memcpy(a->name, "abcdefghijklmnop", 16);
	a->name[16] = '\0';
	return 0;
}

static unsigned
c_name_bad_memlock0(struct fx *fx, struct rp_map_attr *a)
{
	strcpy(a->name, "bad-name");
	return c_memlock0(fx, a);
}

static unsigned
c_btf_value_closed_fd(struct fx *fx, struct rp_map_attr *a)
{
	(void)fx;
	a->btf_key_type_id = 1;
	a->btf_value_type_id = 2;
	a->btf_fd = 99;
	return 0;
}

static unsigned
c_btf_value_not_btf(struct fx *fx, struct rp_map_attr *a)
{
	a->btf_key_type_id = 1;
	a->btf_value_type_id = 2;
	a->btf_fd = (uint32_t)raw_sock(fx, 0, RP_AF_INET, RP_SOCK_DGRAM, 0);
	return 0;
}

static unsigned
c_btf_value_only(struct fx *fx, struct rp_map_attr *a)
{
	a->btf_value_type_id = 2;
	a->btf_fd = (uint32_t)raw_sock(fx, 0, RP_AF_INET, RP_SOCK_DGRAM, 0);
	return 0;
}

static unsigned
c_btf_badname(struct fx *fx, struct rp_map_attr *a)
{
	strcpy(a->name, "x-y");
	return c_btf_value_closed_fd(fx, a);
}

static const struct create_case create_cases[] = {
	/* R-CRE-0: 4.19 gate at bpf() entry; 6.18 gate in map create */
	{ "sockarray/create/gate/unpriv-disabled", c_gate,
	    E("R-CRE-0", -EPERM), ON(gate_central, E("R-CRE-6a", -EPERM)) },
	{ "sockarray/create/gate/beats-tail", c_gate_tail,
	    E("R-CRE-0", -EPERM), ON(gate_central, E("R-CRE-1", -EINVAL)) },
	{ "sockarray/create/gate/sys-admin-passes", c_gate_sys_admin,
	    E("R-CRE-0 R-CRE-6a", 0), SAME },
	{ "sockarray/create/gate/cap-bpf", c_gate_cap_bpf,
	    E("R-CRE-0", -EPERM), ON(gate_takes_cap_bpf, E("R-CRE-6a", 0)) },
	{ "sockarray/create/gate/off-attr-first", c_vs_16_nocaps,
	    E("R-CRE-5a R-CRE-0 R-CRE-6a", -EINVAL),
	    ON(entry_gate, E("R-CRE-0", -EPERM)) },
	/* R-CRE-1 (4.19: the 5.x fields are tail) */
	{ "sockarray/create/tail", c_tail,
	    E("R-CRE-1", -EINVAL), SAME },
	{ "sockarray/create/tail/vmlinux-value-type-id", c_vmlinux_id,
	    E("R-CRE-1", -EINVAL), ON(extra_attrs, E("R-CRE-2", -EINVAL)) },
	{ "sockarray/create/tail/map-extra", c_map_extra,
	    E("R-CRE-1", -EINVAL), ON(extra_attrs, E("R-CRE-3", -EINVAL)) },
	/* R-CRE-2 R-CRE-3 R-CRE-8 */
	{ "sockarray/create/btf/key-without-value", c_btf_key_only,
	    E("R-CRE-8", 0), ON(extra_attrs, E("R-CRE-2", -EINVAL)) },
	{ "sockarray/create/btf/vmlinux-beats-extra", c_vmlinux_and_extra,
	    E("R-CRE-1", -EINVAL), ON(extra_attrs, E("R-CRE-2", -EINVAL)) },
	{ "sockarray/create/map-extra-beats-rdwr", c_extra_and_rdwr,
	    E("R-CRE-1", -EINVAL), ON(extra_attrs, E("R-CRE-3", -EINVAL)) },
	/* R-CRE-4a R-CRE-4b R-CRE-4c R-CRE-4d */
	{ "sockarray/create/flags/rdonly-wronly", c_rdwr,
	    E("R-CRE-4a", -EINVAL), SAME },
	{ "sockarray/create/flags/rdonly-wronly-beats-caps", c_rdwr_nocaps,
	    E("R-CRE-4a", -EINVAL), ON(entry_gate, E("R-CRE-0", -EPERM)) },
	{ "sockarray/create/numa/bad-node", c_numa_bad,
	    E("R-CRE-4b", -EINVAL), SAME },
	{ "sockarray/create/numa/node-0", c_numa_0,
	    E("R-CRE-4b", 0), SAME },
	{ "sockarray/create/numa/ignored-without-flag", c_numa_ignored,
	    E("R-CRE-4b", 0), SAME },
	{ "sockarray/create/type/prog-array", c_type_1,
	    E("R-CRE-4d", -EINVAL), SAME },
	{ "sockarray/create/type/zero", c_type_0,
	    E("R-CRE-4c", -EINVAL), SAME },
	{ "sockarray/create/type/99", c_type_99,
	    E("R-CRE-4c", -EINVAL), SAME },
	{ "sockarray/create/type/numa-first", c_type_numa_bad,
	    E("R-CRE-4b R-CRE-4c", -EINVAL), SAME },
	/* R-SMAP-1: SOCKMAP (4.14) and SOCKHASH (4.18) exist in both */
	{ "sockarray/create/type/sockmap", c_type_sockmap,
	    E("R-SMAP-1", 0), SAME },
	{ "sockarray/create/type/sockhash", c_type_sockhash,
	    E("R-SMAP-1", 0), SAME },
	/* R-CRE-5a */
	{ "sockarray/create/value-size/0", c_vs_0,
	    E("R-CRE-5a", -EINVAL), SAME },
	{ "sockarray/create/value-size/2", c_vs_2,
	    E("R-CRE-5a", -EINVAL), SAME },
	{ "sockarray/create/value-size/16", c_vs_16,
	    E("R-CRE-5a", -EINVAL), SAME },
	{ "sockarray/create/value-size/first", c_vs_16_max0,
	    E("R-CRE-5a R-CRE-5b", -EINVAL), SAME },
	{ "sockarray/create/value-size/beats-caps", c_vs_16_nocaps,
	    E("R-CRE-5a R-CRE-6a", -EINVAL),
	    ON(entry_gate, E("R-CRE-0", -EPERM)) },
	{ "sockarray/create/value-size/4", c_vs_4,
	    E("R-CRE-5a R-CRE-9", 0), SAME },
	/* R-CRE-5b */
	{ "sockarray/create/max-entries/0", c_max_0,
	    E("R-CRE-5b", -EINVAL), SAME },
	{ "sockarray/create/max-entries/1", c_max_1,
	    E("R-CRE-5b", 0), SAME },
	{ "sockarray/create/key-size/8", c_key_8,
	    E("R-CRE-5b", -EINVAL), SAME },
	{ "sockarray/create/key-size/0", c_key_0,
	    E("R-CRE-5b", -EINVAL), SAME },
	{ "sockarray/create/max-entries/beats-caps", c_max_0_nocaps,
	    E("R-CRE-5b R-CRE-6a", -EINVAL),
	    ON(entry_gate, E("R-CRE-0", -EPERM)) },
	/* R-CRE-5c */
	{ "sockarray/create/flags/no-prealloc", c_f_no_prealloc,
	    E("R-CRE-5c", -EINVAL), SAME },
	{ "sockarray/create/flags/rdonly-prog", c_f_rdonly_prog,
	    E("R-CRE-5c", -EINVAL), ON(prog_flags, E("R-CRE-5c", 0)) },
	{ "sockarray/create/flags/wronly-prog", c_f_wronly_prog,
	    E("R-CRE-5c", -EINVAL), ON(prog_flags, E("R-CRE-5c", 0)) },
	{ "sockarray/create/flags/both-prog", c_f_both_prog,
	    E("R-CRE-5c", -EINVAL), SAME },
	{ "sockarray/create/flags/mmapable", c_f_mmapable,
	    E("R-CRE-5c", -EINVAL), SAME },
	{ "sockarray/create/flags/inner-map", c_f_inner_map,
	    E("R-CRE-5c", -EINVAL), SAME },
	{ "sockarray/create/flags/preserve-elems", c_f_preserve,
	    E("R-CRE-5c", -EINVAL), SAME },
	{ "sockarray/create/flags/bit-20", c_f_bit20,
	    E("R-CRE-5c", -EINVAL), SAME },
	{ "sockarray/create/flags/rdonly", c_f_rdonly,
	    E("R-CRE-5c R-CRE-9", 0), SAME },
	{ "sockarray/create/flags/wronly", c_f_wronly,
	    E("R-CRE-5c R-CRE-9", 0), SAME },
	{ "sockarray/create/flags/numa-rdonly", c_f_numa_rdonly,
	    E("R-CRE-5c", 0), SAME },
	{ "sockarray/create/flags/beats-caps", c_f_no_prealloc_nocaps,
	    E("R-CRE-5c R-CRE-6a", -EINVAL),
	    ON(entry_gate, E("R-CRE-0", -EPERM)) },
	/* R-CRE-6a */
	{ "sockarray/create/caps/none", c_nocaps,
	    E("R-CRE-6a", -EPERM), ON(entry_gate, E("R-CRE-0", -EPERM)) },
	{ "sockarray/create/caps/net-only", c_net_caps,
	    E("R-CRE-6a", -EPERM), ON(entry_gate, E("R-CRE-0", -EPERM)) },
	{ "sockarray/create/caps/cap-bpf", c_cap_bpf,
	    E("R-CRE-6a", -EPERM), ON(cap_bpf_creates, E("R-CRE-6a", 0)) },
	{ "sockarray/create/caps/sys-admin", c_sys_admin,
	    E("R-CRE-6a", 0), SAME },
	{ "sockarray/create/caps/sysctl-0", c_sysctl0_nocaps,
	    E("R-CRE-6a", -EPERM), SAME },
	{ "sockarray/create/caps/beats-name", c_nocaps_badname,
	    E("R-CRE-6a R-CRE-7", -EPERM),
	    ON(entry_gate, E("R-CRE-0", -EPERM)) },
	{ "sockarray/create/caps/beats-oversize", c_oversize_nocaps,
	    E("R-CRE-6a", -EPERM), ON(entry_gate, E("R-CRE-0", -EPERM)) },
	/* R-CRE-6b: the 4.19 threshold; 6.18 only fails the allocation */
	{ "sockarray/create/oversize/threshold", c_oversize,
	    E("R-CRE-6b", WANT_OVERSIZE), ON(memcg, E("R-CRE-6d", -ENOMEM)) },
	{ "sockarray/create/oversize/below-threshold", c_below_oversize,
	    E("R-CRE-6c R-CRE-6b", -EPERM), ON(memcg, E("R-CRE-6d", -ENOMEM)) },
	{ "sockarray/create/oversize/u32-max", c_u32max,
	    E("R-CRE-6b", WANT_OVERSIZE), ON(memcg, E("R-CRE-6d", -ENOMEM)) },
	{ "sockarray/create/oversize/beats-memlock", c_oversize_memlock0,
	    E("R-CRE-6b R-CRE-6c", WANT_OVERSIZE),
	    ON(memcg, E("R-CRE-6d", -ENOMEM)) },
	/* R-CRE-6c */
	{ "sockarray/create/memlock/zero", c_memlock0,
	    E("R-CRE-6c", -EPERM), ON(memcg, E("R-CRE-6c", 0)) },
	{ "sockarray/create/memlock/one-page", c_memlock_one_page,
	    E("R-CRE-6c", 0), SAME },
	{ "sockarray/create/memlock/below-one-page", c_memlock_below_page,
	    E("R-CRE-6c", -EPERM), ON(memcg, E("R-CRE-6c", 0)) },
	{ "sockarray/create/memlock/two-pages", c_memlock_two_pages,
	    E("R-CRE-6c", -EPERM), ON(memcg, E("R-CRE-6c", 0)) },
	/* R-CRE-6d */
	{ "sockarray/create/alloc-fails", c_kmem_tiny,
	    E("R-CRE-6d", -ENOMEM), SAME },
	{ "sockarray/create/alloc-fails/after-memlock", c_kmem_tiny_memlock0,
	    E("R-CRE-6c R-CRE-6d", -EPERM), ON(memcg, E("R-CRE-6d", -ENOMEM)) },
	{ "sockarray/create/alloc-fails/beats-name", c_kmem_tiny_badname,
	    E("R-CRE-6d R-CRE-7", -ENOMEM), SAME },
	/* R-CRE-7 */
	{ "sockarray/create/name/dash", c_name_dash,
	    E("R-CRE-7", -EINVAL), SAME },
	{ "sockarray/create/name/space", c_name_space,
	    E("R-CRE-7", -EINVAL), SAME },
	{ "sockarray/create/name/slash", c_name_slash,
	    E("R-CRE-7", -EINVAL), SAME },
	{ "sockarray/create/name/non-ascii", c_name_high,
	    E("R-CRE-7", -EINVAL), SAME },
	{ "sockarray/create/name/dot", c_name_dot,
	    E("R-CRE-7", -EINVAL), ON(dot_names, E("R-CRE-7", 0)) },
	{ "sockarray/create/name/ok", c_name_ok,
	    E("R-CRE-7", 0), SAME },
	{ "sockarray/create/name/empty", c_name_empty,
	    E("R-CRE-7", 0), SAME },
	{ "sockarray/create/name/15-chars", c_name_15,
	    E("R-CRE-7", 0), SAME },
	{ "sockarray/create/name/16-chars-no-nul", c_name_16,
	    E("R-CRE-7", -EINVAL), SAME },
	{ "sockarray/create/name/after-memlock", c_name_bad_memlock0,
	    E("R-CRE-6c R-CRE-7", -EPERM), ON(memcg, E("R-CRE-7", -EINVAL)) },
	/* R-CRE-8 */
	{ "sockarray/create/btf/closed-fd", c_btf_value_closed_fd,
	    E("R-CRE-8", 0), ON(btf_checked, E("R-CRE-8", -EBADF)) },
	{ "sockarray/create/btf/not-btf", c_btf_value_not_btf,
	    E("R-CRE-8", 0), ON(btf_checked, E("R-CRE-8", -EINVAL)) },
	{ "sockarray/create/btf/value-only", c_btf_value_only,
	    E("R-CRE-8", 0), ON(btf_checked, E("R-CRE-8", -EINVAL)) },
	{ "sockarray/create/btf/after-name", c_btf_badname,
	    E("R-CRE-7 R-CRE-8", -EINVAL), SAME },
	/* R-CRE-9 */
	{ "sockarray/create/ok", c_plain,
	    E("R-CRE-9", 0), SAME },
};

TU_NAMED(create_table, "sockarray/create/table", "sockarray/create",
    TU_BY_PROFILE(create_cases))
{
	const struct create_case *c = &create_cases[TU_CASE_OF(_i)];
	const struct rp_profile *prof = tu_prof(TU_ROW_OF(_i));
	struct expect e = expect_of(prof, &c->e, &c->on);
	struct rp_map_attr a;
	struct fx fx;
	unsigned proc;
	int ret;

	TU_UNLESS(e.want != TU_NA);
	fx_init_of(&fx, prof);
	rp_map_attr_init(&a, RP_MAP_REUSEPORT_SOCKARRAY, 8, 4);
	proc = c->setup(&fx, &a);
	fx_clear(&fx);
	ret = rp_map_create(fx.st, proc, &a);
	if (e.want == 0) {
		struct rp_map_info mi;

		ck_assert_msg(ret >= 0, "%s [%s]: want an fd, got %d (%s)",
		    c->name, prof->name, ret, e.rule);
		mi = minfo(&fx, proc, ret);
		ck_assert_uint_eq(mi.type, a.map_type);
		ck_assert_uint_eq(mi.max_entries, a.max_entries);
		ck_assert_uint_eq(mi.value_size, a.value_size);
		ck_assert_uint_eq(mi.used, 0);
		ck_assert_uint_eq(mi.refs, 1);
	} else
		assert_expect(&fx, c->name, &e, ret);
	fx_fini(&fx);
}
END_TEST

/*
 * R-CRE-9 R-CRE-10: the fd is the lowest free one; its access mode follows
 * RDONLY/WRONLY; rows with switch store_rdwr_flags store those flags,
 * the others drop them; other flags are stored as given (RDONLY_PROG where
 * allowed_map_flags admits it).
 */
TU_NAMED(create_stored, "sockarray/create/stored", "sockarray/create", TU_EVERY_PROFILE)
{
	struct fx fx;
	int a, b, m, ro, wo, numa;
	uint64_t v;

	fx_init_of(&fx, tu_prof(_i));
	a = raw_sock(&fx, 0, RP_AF_INET, RP_SOCK_STREAM, 0);
	b = raw_sock(&fx, 0, RP_AF_INET, RP_SOCK_STREAM, 0);
	ck_assert_int_eq(rp_close(fx.st, 0, a), 0);
	m = map_new(&fx, 0, 8, 4, 0);
	ck_assert_int_eq(m, a);			/* lowest free fd */
	ck_assert_int_eq(map_new(&fx, 0, 8, 4, 0), b + 1);
	ro = map_new(&fx, 0, 8, 4, RP_BPF_F_RDONLY);
	wo = map_new(&fx, 0, 8, 4, RP_BPF_F_WRONLY);
	numa = map_new(&fx, 0, 4, 4, RP_BPF_F_NUMA_NODE);
	ck_assert_uint_eq(minfo(&fx, 0, m).map_flags, 0);
	ck_assert_uint_eq(minfo(&fx, 0, ro).map_flags,
	    fx.prof->store_rdwr_flags ? RP_BPF_F_RDONLY : 0);
	ck_assert_uint_eq(minfo(&fx, 0, wo).map_flags,
	    fx.prof->store_rdwr_flags ? RP_BPF_F_WRONLY : 0);
	ck_assert_uint_eq(minfo(&fx, 0, numa).map_flags, RP_BPF_F_NUMA_NODE);
	ck_assert_uint_eq(minfo(&fx, 0, numa).value_size, 4);
	ck_assert_uint_eq(minfo(&fx, 0, numa).key_size, 4);
	ck_assert(!minfo(&fx, 0, m).frozen);
	if (fx.prof->allowed_map_flags & RP_BPF_F_RDONLY_PROG) {
		int rp = map_new(&fx, 0, 8, 4, RP_BPF_F_RDONLY_PROG);

		ck_assert_uint_eq(minfo(&fx, 0, rp).map_flags,
		    RP_BPF_F_RDONLY_PROG);
	}
	/* access modes: the RDONLY fd reads, the WRONLY fd writes */
	ck_assert_int_eq(rp_map_lookup(fx.st, 0, ro, 0, &v, 0), -ENOENT);
	ck_assert_int_eq(rp_map_delete(fx.st, 0, ro, 0), -EPERM);
	ck_assert_int_eq(rp_map_lookup(fx.st, 0, wo, 0, &v, 0), -EPERM);
	ck_assert_int_eq(rp_map_delete(fx.st, 0, wo, 0), -ENOENT);
	/* every slot starts EMPTY */
	for (uint32_t k = 0; k < 4; k++) {
		ck_assert_int_eq(rp_map_lookup(fx.st, 0, m, k, &v, 0),
		    -ENOENT);
		ck_assert_uint_eq(rp_map_slot(fx.st, rp_fd_map(fx.st, 0, m),
		    k), 0);
	}
	fx_fini(&fx);
}
END_TEST

/*
 * R-CRE-6c R-FREE-4: rows with switch memlock_rlimit (until 5.10) charge
 * pages to the creating user (shared by every process of that uid,
 * checked against the caller's limit), return them at free, and charge
 * nothing for a create that failed.  The others have no RLIMIT_MEMLOCK
 * accounting at all.
 */
TU_NAMED(create_memlock, "sockarray/create/memlock", "sockarray/create", TU_EVERY_PROFILE)
{
	struct fx fx;
	struct rp_map_attr a;
	int pa, pb, pc, m[6], n;

	fx_init_of(&fx, tu_prof(_i));
	pa = unpriv_proc(&fx, RP_CAP_SYS_ADMIN | RP_CAP_BPF);
	pb = unpriv_proc(&fx, RP_CAP_SYS_ADMIN | RP_CAP_BPF);	/* uid 1000 */
	pc = rp_proc_new(fx.st, 0, 1001, RP_CAP_SYS_ADMIN | RP_CAP_BPF);
	ck_assert_int_gt(pc, 0);
	/* 1000 entries: 256 + 8000 bytes = 3 pages; limit 16 pages */
	for (int i = 0; i < 3; i++)
		ck_assert_int_eq(rp_proc_set_memlock(fx.st, (unsigned)(i == 0 ?
		    pa : i == 1 ? pb : pc), 16 * RP_PAGE_SIZE), 0);
	for (n = 0; n < 5; n++)
		m[n] = map_new(&fx, (unsigned)pa, 8, 1000, 0);	/* 15 pages */
	rp_map_attr_init(&a, RP_MAP_REUSEPORT_SOCKARRAY, 8, 1000);
	m[5] = rp_map_create(fx.st, (unsigned)pa, &a);
	if (fx.prof->memlock_rlimit) {
		ck_assert_int_eq(m[5], -EPERM);
		/* the same user from another process: same charge */
		ck_assert_int_eq(rp_map_create(fx.st, (unsigned)pb, &a),
		    -EPERM);
		/* another user: its own account */
		ck_assert_int_ge(rp_map_create(fx.st, (unsigned)pc, &a), 0);
		/* a one-page map still fits (15 + 1 = 16 pages) */
		rp_map_attr_init(&a, RP_MAP_REUSEPORT_SOCKARRAY, 8, 4);
		ck_assert_int_ge(rp_map_create(fx.st, (unsigned)pb, &a), 0);
		ck_assert_int_eq(rp_map_create(fx.st, (unsigned)pb, &a),
		    -EPERM);
		/* R-FREE-4: closing a map returns its 3 pages, when the
		 * deferred free runs (R-FREE-5) */
		ck_assert_int_eq(rp_close(fx.st, (unsigned)pa, m[0]), 0);
		rp_state_settle(fx.st);
		/* a create that fails on its name charges nothing */
		rp_map_attr_init(&a, RP_MAP_REUSEPORT_SOCKARRAY, 8, 1000);
		strcpy(a.name, "no-good");
		ck_assert_int_eq(rp_map_create(fx.st, (unsigned)pa, &a),
		    -EINVAL);
		a.name[0] = '\0';
		m[0] = rp_map_create(fx.st, (unsigned)pa, &a);
		ck_assert_int_ge(m[0], 0);
		ck_assert_int_eq(rp_map_create(fx.st, (unsigned)pa, &a),
		    -EPERM);
	} else {
		ck_assert_int_ge(m[5], 0);
		ck_assert_int_eq(rp_proc_set_memlock(fx.st, (unsigned)pb, 0),
		    0);
		for (n = 0; n < 20; n++)
			ck_assert_int_ge(rp_map_create(fx.st, (unsigned)pb,
			    &a), 0);
	}
	fx_fini(&fx);
}
END_TEST

/*
 * R-CRE-0: where the sysctl gate sits at bpf() entry for every command
 * (switch unpriv_gate RP_UNPRIV_GATE_ALL_SYS_ADMIN, _ALL_BPF) it stops
 * every command of a process without the capability, even on an fd it
 * holds; where it gates only creation fd-based commands work for any
 * process holding the fd.  Socket calls are not affected.
 */
TU_NAMED(create_gate_commands, "sockarray/create/gate/commands", "sockarray/create", TU_EVERY_PROFILE)
{
	const struct rp_profile *prof = tu_prof(_i);
	bool gate_all = prof->unpriv_gate == RP_UNPRIV_GATE_ALL_SYS_ADMIN ||
	    prof->unpriv_gate == RP_UNPRIV_GATE_ALL_BPF;
	struct fx fx;
	int m, a, pu, mu, au;
	uint64_t v = 0;
	uint32_t k = 0, next;
	int want;

	fx_init_of(&fx, prof);
	m = map_new(&fx, 0, 8, 4, 0);
	a = member(&fx, RP_AF_INET, RP_SOCK_STREAM);
	ck_assert_int_eq(rp_map_update(fx.st, 0, m, 0, (uint64_t)a, 0), 0);
	pu = unpriv_proc(&fx, 0);
	mu = rp_fd_pass(fx.st, 0, m, (unsigned)pu);
	au = rp_fd_pass(fx.st, 0, a, (unsigned)pu);
	ck_assert_int_ge(mu, 0);
	ck_assert_int_ge(au, 0);
	if (prof->unpriv_default == 0)
		ck_assert_int_eq(rp_sysctl_set(fx.st, 0,
		    "kernel.unprivileged_bpf_disabled", 1), 0);
	want = gate_all ? -EPERM : 0;
	ck_assert_int_eq(rp_map_lookup(fx.st, (unsigned)pu, mu, 0, &v, 0),
	    want);
	ck_assert_int_eq(rp_map_get_next_key(fx.st, (unsigned)pu, mu, &k,
	    &next), want);
	ck_assert_int_eq(rp_map_delete(fx.st, (unsigned)pu, mu, 0), want);
	ck_assert_int_eq(rp_map_update(fx.st, (unsigned)pu, mu, 1,
	    (uint64_t)au, 0), want);
	/* the socket side is untouched by the gate */
	ck_assert_uint_ne(cookie_of(&fx, (unsigned)pu, au), 0);
	/* root still passes */
	ck_assert_int_eq(rp_map_lookup(fx.st, 0, m, 1, &v, 0),
	    gate_all ? -ENOENT : 0);
	fx_fini(&fx);
}
END_TEST

/* ---------------------------------------------------------------------
 * sockarray/lookup
 */

struct op {
	unsigned	proc;
	int		map;
	uint32_t	key;
	uint64_t	value;
	uint64_t	flags;
	int		sock;	/* lookup: whose cookie; update: inserted; -1 */
};

struct op_case {
	const char	*name;
	void		(*setup)(struct fx *, struct op *);
	struct expect	 e;
	struct alt	 on;
};

/* Default operation: root on a fresh 8-byte map of 4 entries, key 0. */
static void
op_default(struct fx *fx, struct op *op)
{
	memset(op, 0, sizeof(*op));
	op->map = map_new(fx, 0, 8, 4, 0);
	op->sock = -1;
}

/*
 * Loop i of a table of op cases (TU_BY_PROFILE): what its case expects
 * under its row (*e) and, where the case applies to the row, the fixture
 * and the operation set up (its events forgotten).  Returns the case, or
 * NULL where it does not apply.
 */
static const struct op_case *
op_begin(const struct op_case *cases, int i, struct fx *fx, struct op *op,
    struct expect *e)
{
	const struct op_case *c = &cases[TU_CASE_OF(i)];
	const struct rp_profile *prof = tu_prof(TU_ROW_OF(i));

	*e = expect_of(prof, &c->e, &c->on);
	if (e->want == TU_NA)
		return NULL;
	fx_init_of(fx, prof);
	op_default(fx, op);
	c->setup(fx, op);
	return c;
}

static void
occupy(struct fx *fx, int map, uint32_t key, int fd)
{
	ck_assert_int_eq(rp_map_update(fx->st, 0, map, key, (uint64_t)fd,
	    RP_BPF_ANY), 0);
}

static void
l_map_closed(struct fx *fx, struct op *op)
{
	(void)fx;
	op->map = 99;
}

static void
l_map_not_map(struct fx *fx, struct op *op)
{
	op->map = member(fx, RP_AF_INET, RP_SOCK_STREAM);
}

static void
l_flags_lock(struct fx *fx, struct op *op)
{
	occupy(fx, op->map, 0, member(fx, RP_AF_INET, RP_SOCK_STREAM));
	op->flags = RP_BPF_F_LOCK;
}

static void
l_flags_lock_bad_fd(struct fx *fx, struct op *op)
{
	(void)fx;
	op->map = 99;
	op->flags = RP_BPF_F_LOCK;
}

static void
l_flags_other_bad_fd(struct fx *fx, struct op *op)
{
	(void)fx;
	op->map = 99;
	op->flags = 1;
}

static void
l_flags_high(struct fx *fx, struct op *op)
{
	(void)fx;
	op->flags = UINT64_C(1) << 40;
}

static void
l_flags_lock_wronly(struct fx *fx, struct op *op)
{
	op->map = map_new(fx, 0, 8, 4, RP_BPF_F_WRONLY);
	op->flags = RP_BPF_F_LOCK;
}

static void
l_wronly(struct fx *fx, struct op *op)
{
	op->map = map_new(fx, 0, 8, 4, RP_BPF_F_WRONLY);
}

static void
l_wronly_value4(struct fx *fx, struct op *op)
{
	op->map = map_new(fx, 0, 4, 4, RP_BPF_F_WRONLY);
	op->key = 9;
}

/* an occupied slot seen through a read-only second map fd */
/* a read-only fd reads (its map can only ever be empty via syscalls) */
static void
l_rdonly(struct fx *fx, struct op *op)
{
	op->map = map_new(fx, 0, 8, 4, RP_BPF_F_RDONLY);
	op->key = 2;
}

static void
l_frozen(struct fx *fx, struct op *op)
{
	int a = member(fx, RP_AF_INET, RP_SOCK_STREAM);

	occupy(fx, op->map, 1, a);
	ck_assert_int_eq(rp_map_freeze(fx->st, 0, op->map), 0);
	op->key = 1;
	op->sock = a;
}

static void
l_v4_empty(struct fx *fx, struct op *op)
{
	op->map = map_new(fx, 0, 4, 4, 0);
}

static void
l_v4_oor(struct fx *fx, struct op *op)
{
	op->map = map_new(fx, 0, 4, 4, 0);
	op->key = 4;
}

static void
l_v4_occupied(struct fx *fx, struct op *op)
{
	op->map = map_new(fx, 0, 4, 4, 0);
	occupy(fx, op->map, 0, member(fx, RP_AF_INET, RP_SOCK_STREAM));
}

static void
l_oor(struct fx *fx, struct op *op)
{
	(void)fx;
	op->key = 4;
}

static void
l_oor_max(struct fx *fx, struct op *op)
{
	(void)fx;
	op->key = UINT32_MAX;
}

static void
l_empty(struct fx *fx, struct op *op)
{
	occupy(fx, op->map, 0, member(fx, RP_AF_INET, RP_SOCK_STREAM));
	op->key = 3;
}

static void
l_occupied(struct fx *fx, struct op *op)
{
	int a = member(fx, RP_AF_INET, RP_SOCK_STREAM);

	occupy(fx, op->map, 3, a);
	op->key = 3;
	op->sock = a;
}

static void
l_occupied_udp6(struct fx *fx, struct op *op)
{
	int a = member(fx, RP_AF_INET6, RP_SOCK_DGRAM);

	(void)cookie_of(fx, 0, a);	/* generated before: the same value */
	occupy(fx, op->map, 0, a);
	op->sock = a;
}

/* R-CRE-0: 6.18 has no gate on lookup */
static void
l_unpriv_passed_fd(struct fx *fx, struct op *op)
{
	int a = member(fx, RP_AF_INET, RP_SOCK_STREAM);
	int pu = unpriv_proc(fx, 0);

	occupy(fx, op->map, 0, a);
	op->sock = a;
	op->map = rp_fd_pass(fx->st, 0, op->map, (unsigned)pu);
	op->proc = (unsigned)pu;
	if (fx->prof->unpriv_default == 0)
		ck_assert_int_eq(rp_sysctl_set(fx->st, 0,
		    "kernel.unprivileged_bpf_disabled", 1), 0);
}

static const struct op_case lookup_cases[] = {
	{ "sockarray/lookup/map-fd/closed", l_map_closed,
	    QUIET("R-LKP-1b", -EBADF), SAME },
	{ "sockarray/lookup/map-fd/not-a-map", l_map_not_map,
	    QUIET("R-LKP-1b", -EINVAL), SAME },
	{ "sockarray/lookup/flags/f-lock", l_flags_lock,
	    E("R-LKP-1a", -EINVAL), SAME },
	{ "sockarray/lookup/flags/f-lock-bad-fd", l_flags_lock_bad_fd,
	    QUIET("R-LKP-1a", -EINVAL),
	    ON(flags_checked, QUIET("R-LKP-1b", -EBADF)) },
	{ "sockarray/lookup/flags/other-bad-fd", l_flags_other_bad_fd,
	    E("R-LKP-1a", -EINVAL),
	    ON(flags_after_perm, QUIET("R-LKP-1b", -EBADF)) },
	{ "sockarray/lookup/flags/high-bit", l_flags_high,
	    E("R-LKP-1a", -EINVAL), SAME },
	{ "sockarray/lookup/flags/f-lock-wronly", l_flags_lock_wronly,
	    E("R-LKP-1a", -EINVAL), ON(flags_checked, E("R-LKP-1c", -EPERM)) },
	{ "sockarray/lookup/wronly", l_wronly,
	    E("R-LKP-1c", -EPERM), SAME },
	{ "sockarray/lookup/wronly-beats-enospc", l_wronly_value4,
	    E("R-LKP-1c R-LKP-3a", -EPERM), SAME },
	{ "sockarray/lookup/rdonly", l_rdonly,
	    E("R-LKP-3c R-LKP-1c", -ENOENT), SAME },
	{ "sockarray/lookup/frozen", l_frozen,
	    E("R-LKP-1c R-CMD-3", TU_NA), ON(freeze, E("R-LKP-1c R-CMD-3", 0)) },
	{ "sockarray/lookup/value4/empty", l_v4_empty,
	    E("R-LKP-3a R-INV-14", -ENOSPC), SAME },
	{ "sockarray/lookup/value4/out-of-range", l_v4_oor,
	    E("R-LKP-3a", -ENOSPC), SAME },
	{ "sockarray/lookup/value4/occupied", l_v4_occupied,
	    E("R-LKP-3a", -ENOSPC), SAME },
	{ "sockarray/lookup/out-of-range", l_oor,
	    E("R-LKP-3b", -ENOENT), SAME },
	{ "sockarray/lookup/out-of-range/u32-max", l_oor_max,
	    E("R-LKP-3b", -ENOENT), SAME },
	{ "sockarray/lookup/empty", l_empty,
	    E("R-LKP-3c", -ENOENT), SAME },
	{ "sockarray/lookup/occupied", l_occupied,
	    E("R-LKP-3d R-INV-14", 0), SAME },
	{ "sockarray/lookup/occupied-cookie-first", l_occupied_udp6,
	    E("R-LKP-3d R-SOCK-10", 0), SAME },
	{ "sockarray/lookup/unpriv-holder", l_unpriv_passed_fd,
	    E("R-CRE-0", -EPERM), ON(gate_create_only, E("R-CRE-0", 0)) },
};

TU_NAMED(lookup_table, "sockarray/lookup/table", "sockarray/lookup",
    TU_BY_PROFILE(lookup_cases))
{
	const struct op_case *c;
	struct expect e;
	struct fx fx;
	struct op op;
	uint64_t v = 0x5a5a5a5a5a5a5a5aULL;
	int ret;

	c = op_begin(lookup_cases, _i, &fx, &op, &e);
	TU_UNLESS(c != NULL);
	fx_clear(&fx);
	ret = rp_map_lookup(fx.st, op.proc, op.map, op.key, &v, op.flags);
	assert_expect(&fx, c->name, &e, ret);
	if (ret == 0) {
		ck_assert_int_ge(op.sock, 0);
		ck_assert_msg(v == cookie_of(&fx, 0, op.sock),
		    "%s [%s]: lookup gave %" G_GUINT64_FORMAT ", not the "
		    "occupant's cookie", c->name, fx.prof->name, v);
	} else
		ck_assert_msg(v == 0x5a5a5a5a5a5a5a5aULL, "%s: value written "
		    "on error", c->name);
	fx_fini(&fx);
}
END_TEST

/* ---------------------------------------------------------------------
 * sockarray/update
 */

static void
u_member(struct fx *fx, struct op *op)
{
	op->sock = member(fx, RP_AF_INET, RP_SOCK_STREAM);
	op->value = (uint64_t)op->sock;
}

static void
u_map_closed(struct fx *fx, struct op *op)
{
	u_member(fx, op);
	op->map = 99;
}

static void
u_map_not_map(struct fx *fx, struct op *op)
{
	u_member(fx, op);
	op->map = op->sock;
}

static void
u_map_rdonly(struct fx *fx, struct op *op)
{
	u_member(fx, op);
	op->map = map_new(fx, 0, 8, 4, RP_BPF_F_RDONLY);
}

static void
u_map_rdonly_beats_all(struct fx *fx, struct op *op)
{
	op->map = map_new(fx, 0, 8, 4, RP_BPF_F_RDONLY);
	op->flags = 7;
	op->key = 9;
	op->value = U64_M1;
}

static void
u_frozen(struct fx *fx, struct op *op)
{
	u_member(fx, op);
	ck_assert_int_eq(rp_map_freeze(fx->st, 0, op->map), 0);
}

static void
u_flags_3(struct fx *fx, struct op *op)
{
	u_member(fx, op);
	op->flags = 3;
}

static void
u_flags_lock(struct fx *fx, struct op *op)
{
	u_member(fx, op);
	op->flags = RP_BPF_F_LOCK;
}

static void
u_flags_beats_index(struct fx *fx, struct op *op)
{
	(void)fx;
	op->flags = 3;
	op->key = 4;
	op->value = U64_M1;
}

static void
u_flags_high(struct fx *fx, struct op *op)
{
	u_member(fx, op);
	op->flags = UINT64_C(1) << 32;
}

static void
u_key_max(struct fx *fx, struct op *op)
{
	u_member(fx, op);
	op->key = 4;
}

static void
u_key_u32max(struct fx *fx, struct op *op)
{
	u_member(fx, op);
	op->key = UINT32_MAX;
}

static void
u_key_beats_value(struct fx *fx, struct op *op)
{
	(void)fx;
	op->key = 4;
	op->value = U64_M1;
}

static void
u_key_beats_ebadf(struct fx *fx, struct op *op)
{
	(void)fx;
	op->key = 4;
	op->value = 99;
}

static void
u_v64_m1(struct fx *fx, struct op *op)
{
	(void)fx;
	op->value = U64_M1;
}

static void
u_v64_s32max1(struct fx *fx, struct op *op)
{
	(void)fx;
	op->value = UINT64_C(0x80000000);
}

static void
u_v64_high_bits(struct fx *fx, struct op *op)
{
	u_member(fx, op);
	op->value |= UINT64_C(1) << 32;
	op->sock = -1;
}

static void
u_v64_s32max(struct fx *fx, struct op *op)
{
	(void)fx;
	op->value = UINT64_C(0x7fffffff);
}

static void
u_v32_m1(struct fx *fx, struct op *op)
{
	op->map = map_new(fx, 0, 4, 4, 0);
	op->value = U32_M1;
}

static void
u_v32_intmin(struct fx *fx, struct op *op)
{
	op->map = map_new(fx, 0, 4, 4, 0);
	op->value = UINT64_C(0x80000000);
}

/* the sign bit over a member's fd: the kernel reads the 4 bytes as a
 * signed int, a negative fd (-EBADF), not the member (kills the mutant
 * update-fd-4byte-sign, which masks the sign bit off) */
static void
u_v32_sign_fd(struct fx *fx, struct op *op)
{
	op->map = map_new(fx, 0, 4, 4, 0);
	u_member(fx, op);
	op->value |= UINT64_C(0x80000000);
	op->sock = -1;
}

static void
u_v32_ok(struct fx *fx, struct op *op)
{
	op->map = map_new(fx, 0, 4, 4, 0);
	u_member(fx, op);
}

static void
u_fd_closed(struct fx *fx, struct op *op)
{
	(void)fx;
	op->value = 99;
}

static void
u_fd_was_closed(struct fx *fx, struct op *op)
{
	int a = member(fx, RP_AF_INET, RP_SOCK_STREAM);

	ck_assert_int_eq(rp_close(fx->st, 0, a), 0);
	op->value = (uint64_t)a;
}

static void
u_fd_map(struct fx *fx, struct op *op)
{
	(void)fx;
	op->value = (uint64_t)op->map;
}

static void
u_fd_prog(struct fx *fx, struct op *op)
{
	int prog = load_select_prog(fx, op->map, false);

	ck_assert_int_ge(prog, 0);
	op->value = (uint64_t)prog;
}

/* an fd number that is a socket only in another process */
static void
u_fd_other_proc(struct fx *fx, struct op *op)
{
	int p1 = unpriv_proc(fx, RP_CAP_ALL), fd = -1;

	for (int i = 0; i < 8; i++)
		fd = tu_reuse_sock(fx->st, (unsigned)p1, RP_AF_INET,
		    RP_SOCK_STREAM, 1, 0);
	ck_assert_uint_eq(rp_fd_sock(fx->st, 0, fd), 0);
	op->value = (uint64_t)fd;
}

static void
u_enotsock_beats_eexist(struct fx *fx, struct op *op)
{
	occupy(fx, op->map, 0, member(fx, RP_AF_INET, RP_SOCK_STREAM));
	op->flags = RP_BPF_NOEXIST;
	op->value = (uint64_t)op->map;
}

static void
u_noexist_occupied(struct fx *fx, struct op *op)
{
	occupy(fx, op->map, 0, member(fx, RP_AF_INET, RP_SOCK_STREAM));
	u_member(fx, op);
	op->flags = RP_BPF_NOEXIST;
}

static void
u_noexist_occupied_raw(struct fx *fx, struct op *op)
{
	occupy(fx, op->map, 0, member(fx, RP_AF_INET, RP_SOCK_STREAM));
	op->value = (uint64_t)raw_sock(fx, 0, RP_AF_INET6, RP_SOCK_RAW,
	    RP_IPPROTO_RAW);
	op->flags = RP_BPF_NOEXIST;
}

static void
u_noexist_occupied_unbound(struct fx *fx, struct op *op)
{
	occupy(fx, op->map, 0, member(fx, RP_AF_INET, RP_SOCK_STREAM));
	op->value = (uint64_t)raw_sock(fx, 0, RP_AF_INET, RP_SOCK_STREAM, 0);
	op->flags = RP_BPF_NOEXIST;
}

static void
u_noexist_occupied_self(struct fx *fx, struct op *op)
{
	u_member(fx, op);
	occupy(fx, op->map, 0, op->sock);
	op->flags = RP_BPF_NOEXIST;
	op->sock = -1;
}

static void
u_exist_empty(struct fx *fx, struct op *op)
{
	u_member(fx, op);
	op->flags = RP_BPF_EXIST;
}

static void
u_exist_empty_raw(struct fx *fx, struct op *op)
{
	op->value = (uint64_t)raw_sock(fx, 0, RP_AF_INET6, RP_SOCK_RAW,
	    RP_IPPROTO_UDP);
	op->flags = RP_BPF_EXIST;
}

static void
u_exist_empty_owned(struct fx *fx, struct op *op)
{
	u_member(fx, op);
	occupy(fx, op->map, 1, op->sock);
	op->flags = RP_BPF_EXIST;
	op->sock = -1;
}

#define SOCK_SETUP(fn, fam, type, proto)				\
	static void							\
	fn(struct fx *fx, struct op *op)				\
	{								\
		op->value = (uint64_t)raw_sock(fx, 0, fam, type, proto);\
	}

SOCK_SETUP(u_proto_raw, RP_AF_INET, RP_SOCK_RAW, RP_IPPROTO_RAW)
SOCK_SETUP(u_proto_udplite, RP_AF_INET6, RP_SOCK_DGRAM, RP_IPPROTO_UDPLITE)
SOCK_SETUP(u_proto_icmp, RP_AF_INET, RP_SOCK_DGRAM, RP_IPPROTO_ICMP)
SOCK_SETUP(u_proto_unix, RP_AF_UNIX, RP_SOCK_STREAM, 0)
SOCK_SETUP(u_family_netlink_udp, RP_AF_NETLINK, RP_SOCK_DGRAM, RP_IPPROTO_UDP)
SOCK_SETUP(u_family_netlink_tcp, RP_AF_NETLINK, RP_SOCK_RAW, RP_IPPROTO_TCP)
SOCK_SETUP(u_type_raw_udp, RP_AF_INET6, RP_SOCK_RAW, RP_IPPROTO_UDP)
SOCK_SETUP(u_type_raw_tcp, RP_AF_INET, RP_SOCK_RAW, RP_IPPROTO_TCP)

static int
reuse_unbound(struct fx *fx, int family, int type)
{
	int fd = raw_sock(fx, 0, family, type, 0);

	ck_assert_int_eq(rp_setsockopt_int(fx->st, 0, fd, RP_SO_REUSEPORT, 1),
	    0);
	return fd;
}

static void
u_tcp_unbound(struct fx *fx, struct op *op)
{
	op->value = (uint64_t)reuse_unbound(fx, RP_AF_INET6, RP_SOCK_STREAM);
}

static void
u_tcp_bound(struct fx *fx, struct op *op)
{
	int fd = reuse_unbound(fx, RP_AF_INET6, RP_SOCK_STREAM);
	struct rp_sockaddr sa = tu_addr(RP_AF_INET6, 0, 0);

	ck_assert_int_eq(rp_bind(fx->st, 0, fd, &sa), 0);
	op->value = (uint64_t)fd;
}

static void
u_tcp_listen_no_reuseport(struct fx *fx, struct op *op)
{
	int fd = raw_sock(fx, 0, RP_AF_INET, RP_SOCK_STREAM, 0);

	ck_assert_int_eq(rp_listen(fx->st, 0, fd, 1), 0);
	op->value = (uint64_t)fd;
}

static void
u_tcp_reuseport_after_listen(struct fx *fx, struct op *op)
{
	int fd = raw_sock(fx, 0, RP_AF_INET, RP_SOCK_STREAM, 0);

	ck_assert_int_eq(rp_listen(fx->st, 0, fd, 1), 0);
	ck_assert_int_eq(rp_setsockopt_int(fx->st, 0, fd, RP_SO_REUSEPORT, 1),
	    0);
	op->value = (uint64_t)fd;
}

static void
u_tcp_child(struct fx *fx, struct op *op)
{
	op->value = (uint64_t)accept_child(fx,
	    member(fx, RP_AF_INET, RP_SOCK_STREAM));
}

static void
u_tcp_client(struct fx *fx, struct op *op)
{
	int l = member(fx, RP_AF_INET6, RP_SOCK_STREAM);
	struct rp_sockaddr sa = tu_addr(RP_AF_INET6, 1, tu_port(fx->st, 0, l));
	int cl = reuse_unbound(fx, RP_AF_INET6, RP_SOCK_STREAM);

	ck_assert_int_eq(rp_connect(fx->st, 0, cl, &sa), 0);
	op->value = (uint64_t)cl;
}

static void
u_tcp_shutdown(struct fx *fx, struct op *op)
{
	int l = member(fx, RP_AF_INET, RP_SOCK_STREAM);

	ck_assert_int_eq(rp_shutdown(fx->st, 0, l, RP_SHUT_RDWR), 0);
	op->value = (uint64_t)l;
}

static void
u_tcp_attached_unhashed(struct fx *fx, struct op *op)
{
	int fd = reuse_unbound(fx, RP_AF_INET, RP_SOCK_STREAM);
	struct rp_cbpf prog = { .k = 0 };

	ck_assert_int_eq(rp_attach_cbpf(fx->st, 0, fd, &prog), 0);
	ck_assert_uint_ne(sinfo(fx, sock_id(fx, 0, fd)).group, 0);
	op->value = (uint64_t)fd;
}

static void
u_udp_unbound(struct fx *fx, struct op *op)
{
	op->value = (uint64_t)reuse_unbound(fx, RP_AF_INET, RP_SOCK_DGRAM);
}

static void
u_udp_no_reuseport(struct fx *fx, struct op *op)
{
	int fd = raw_sock(fx, 0, RP_AF_INET, RP_SOCK_DGRAM, 0);
	struct rp_sockaddr sa = tu_addr(RP_AF_INET, 1, 0);

	ck_assert_int_eq(rp_bind(fx->st, 0, fd, &sa), 0);
	op->value = (uint64_t)fd;
}

static void
u_udp_reuseport_after_bind(struct fx *fx, struct op *op)
{
	int fd = raw_sock(fx, 0, RP_AF_INET6, RP_SOCK_DGRAM, 0);
	struct rp_sockaddr sa = tu_addr(RP_AF_INET6, 1, 0);

	ck_assert_int_eq(rp_bind(fx->st, 0, fd, &sa), 0);
	ck_assert_int_eq(rp_setsockopt_int(fx->st, 0, fd, RP_SO_REUSEPORT, 1),
	    0);
	op->value = (uint64_t)fd;
}

/* R-DET-8: a wildcard-bound member that connects leaves its group */
static void
u_udp_connected_wildcard(struct fx *fx, struct op *op)
{
	int fd = tu_reuse_sock(fx->st, 0, RP_AF_INET, RP_SOCK_DGRAM, 0, 0);
	struct rp_sockaddr peer = tu_addr(RP_AF_INET, 1, 9999);

	ck_assert_int_eq(rp_connect(fx->st, 0, fd, &peer), 0);
	op->value = (uint64_t)fd;
}

static void
u_eligible_beats_busy(struct fx *fx, struct op *op)
{
	int fd = reuse_unbound(fx, RP_AF_INET, RP_SOCK_STREAM);

	ck_assert_int_eq(rp_set_foreign_owner(fx->st, 0, fd), 0);
	op->value = (uint64_t)fd;
}

#define OK_SETUP(fn, fam, type, lo)					\
	static void							\
	fn(struct fx *fx, struct op *op)				\
	{								\
		op->sock = tu_reuse_sock(fx->st, 0, fam, type, lo, 0);	\
		op->value = (uint64_t)op->sock;				\
		op->key = 3;						\
	}

OK_SETUP(u_ok_tcp4, RP_AF_INET, RP_SOCK_STREAM, 1)
OK_SETUP(u_ok_tcp6, RP_AF_INET6, RP_SOCK_STREAM, 1)
OK_SETUP(u_ok_udp4, RP_AF_INET, RP_SOCK_DGRAM, 1)
OK_SETUP(u_ok_udp6, RP_AF_INET6, RP_SOCK_DGRAM, 1)
OK_SETUP(u_ok_tcp_any, RP_AF_INET, RP_SOCK_STREAM, 0)
OK_SETUP(u_ok_udp6_any, RP_AF_INET6, RP_SOCK_DGRAM, 0)

/* listen() autobinds an unbound TCP socket (R-SOCK-4) */
static void
u_ok_tcp_autobind(struct fx *fx, struct op *op)
{
	op->sock = reuse_unbound(fx, RP_AF_INET6, RP_SOCK_STREAM);
	ck_assert_int_eq(rp_listen(fx->st, 0, op->sock, 1), 0);
	op->value = (uint64_t)op->sock;
}

/* R-DET-8 R-DET-10: a member bound to a specific address that connects
 * stays in its group in 4.19 and leaves it in 6.18 */
static void
u_ok_udp_connected_bound(struct fx *fx, struct op *op)
{
	struct rp_sockaddr peer = tu_addr(RP_AF_INET, 1, 9999);

	op->sock = member(fx, RP_AF_INET, RP_SOCK_DGRAM);
	ck_assert_int_eq(rp_connect(fx->st, 0, op->sock, &peer), 0);
	op->value = (uint64_t)op->sock;
}

static void
u_ok_exist_replace(struct fx *fx, struct op *op)
{
	occupy(fx, op->map, 1, member(fx, RP_AF_INET, RP_SOCK_DGRAM));
	u_member(fx, op);
	op->key = 1;
	op->flags = RP_BPF_EXIST;
}

static void
u_ok_noexist_empty(struct fx *fx, struct op *op)
{
	occupy(fx, op->map, 1, member(fx, RP_AF_INET, RP_SOCK_DGRAM));
	u_member(fx, op);
	op->key = 2;
	op->flags = RP_BPF_NOEXIST;
}

static void
u_busy_same_slot(struct fx *fx, struct op *op)
{
	u_member(fx, op);
	occupy(fx, op->map, 3, op->sock);
	op->key = 3;
	op->sock = -1;
}

static void
u_busy_other_slot(struct fx *fx, struct op *op)
{
	u_member(fx, op);
	occupy(fx, op->map, 3, op->sock);
	op->sock = -1;
}

static void
u_busy_exist_same_slot(struct fx *fx, struct op *op)
{
	u_busy_same_slot(fx, op);
	op->flags = RP_BPF_EXIST;
}

static void
u_busy_noexist_empty(struct fx *fx, struct op *op)
{
	u_busy_other_slot(fx, op);
	op->flags = RP_BPF_NOEXIST;
}

static void
u_busy_other_map(struct fx *fx, struct op *op)
{
	int m2 = map_new(fx, 0, 4, 16, 0);

	u_member(fx, op);
	occupy(fx, m2, 15, op->sock);
	op->sock = -1;
}

static void
u_busy_foreign(struct fx *fx, struct op *op)
{
	u_member(fx, op);
	ck_assert_int_eq(rp_set_foreign_owner(fx->st, 0, op->sock), 0);
	op->sock = -1;
}

static void
u_busy_sockmap(struct fx *fx, struct op *op)
{
	struct rp_map_attr a;
	int sm;

	rp_map_attr_init(&a, RP_MAP_SOCKMAP, 8, 4);
	sm = rp_map_create(fx->st, 0, &a);
	ck_assert_int_ge(sm, 0);
	u_member(fx, op);
	ck_assert_int_eq(rp_map_update(fx->st, 0, sm, 0, op->value, 0), 0);
	op->sock = -1;
}

/* R-SOCK-9: the same socket through an fd passed to another process */
static void
u_busy_passed_fd(struct fx *fx, struct op *op)
{
	int p1 = unpriv_proc(fx, RP_CAP_ALL);
	int m1, a1;

	u_member(fx, op);
	m1 = rp_fd_pass(fx->st, 0, op->map, (unsigned)p1);
	a1 = rp_fd_pass(fx->st, 0, op->sock, (unsigned)p1);
	ck_assert_int_eq(rp_map_update(fx->st, (unsigned)p1, m1, 2,
	    (uint64_t)a1, RP_BPF_NOEXIST), 0);
	assert_in_slot(fx, op->map, 2, op->sock);
	op->sock = -1;
}

static const struct op_case update_cases[] = {
	/* R-UPD-0a R-UPD-0b: the syscall layer */
	{ "sockarray/update/map-fd/closed", u_map_closed,
	    QUIET("R-UPD-0a", -EBADF), SAME },
	{ "sockarray/update/map-fd/not-a-map", u_map_not_map,
	    QUIET("R-UPD-0a", -EINVAL), SAME },
	{ "sockarray/update/map-fd/rdonly", u_map_rdonly,
	    E("R-UPD-0b", -EPERM), SAME },
	{ "sockarray/update/map-fd/rdonly-first", u_map_rdonly_beats_all,
	    E("R-UPD-0b R-INV-15", -EPERM), SAME },
	{ "sockarray/update/map-fd/frozen", u_frozen,
	    E("R-CMD-3 R-UPD-0b", TU_NA),
	    ON(freeze, E("R-CMD-3 R-UPD-0b", -EPERM)) },
	/* R-UPD-1 */
	{ "sockarray/update/flags/3", u_flags_3,
	    E("R-UPD-1", -EINVAL), SAME },
	{ "sockarray/update/flags/f-lock", u_flags_lock,
	    E("R-UPD-1", -EINVAL), SAME },
	{ "sockarray/update/flags/high-bit", u_flags_high,
	    E("R-UPD-1", -EINVAL), SAME },
	{ "sockarray/update/flags/beats-index", u_flags_beats_index,
	    E("R-UPD-1 R-UPD-2", -EINVAL), SAME },
	/* R-UPD-2 */
	{ "sockarray/update/index/max-entries", u_key_max,
	    E("R-UPD-2", -E2BIG), SAME },
	{ "sockarray/update/index/u32-max", u_key_u32max,
	    E("R-UPD-2", -E2BIG), SAME },
	{ "sockarray/update/index/beats-value", u_key_beats_value,
	    E("R-UPD-2 R-UPD-3a", -E2BIG), SAME },
	{ "sockarray/update/index/beats-ebadf", u_key_beats_ebadf,
	    E("R-UPD-2 R-UPD-4 R-INV-15", -E2BIG), SAME },
	/* R-UPD-3a */
	{ "sockarray/update/value64/minus-one", u_v64_m1,
	    E("R-UPD-3a", -EINVAL), SAME },
	{ "sockarray/update/value64/s32-max-plus-one", u_v64_s32max1,
	    E("R-UPD-3a", -EINVAL), SAME },
	{ "sockarray/update/value64/high-bits", u_v64_high_bits,
	    E("R-UPD-3a", -EINVAL), SAME },
	{ "sockarray/update/value64/s32-max", u_v64_s32max,
	    E("R-UPD-4 R-UPD-3a", -EBADF), SAME },
	/* R-UPD-3b */
	{ "sockarray/update/value32/minus-one", u_v32_m1,
	    E("R-UPD-4 R-UPD-3b", -EBADF), SAME },
	{ "sockarray/update/value32/int-min", u_v32_intmin,
	    E("R-UPD-4 R-UPD-3b", -EBADF), SAME },
	{ "sockarray/update/value32/sign-over-fd", u_v32_sign_fd,
	    E("R-UPD-4 R-UPD-3b", -EBADF), SAME },
	{ "sockarray/update/value32/fd", u_v32_ok,
	    E("R-UPD-3b R-UPD-9", 0), SAME },
	/* R-UPD-4 */
	{ "sockarray/update/fd/not-open", u_fd_closed,
	    E("R-UPD-4", -EBADF), SAME },
	{ "sockarray/update/fd/closed", u_fd_was_closed,
	    E("R-UPD-4", -EBADF), SAME },
	{ "sockarray/update/fd/map", u_fd_map,
	    E("R-UPD-4", -ENOTSOCK), SAME },
	{ "sockarray/update/fd/prog", u_fd_prog,
	    E("R-UPD-4", -ENOTSOCK), SAME },
	{ "sockarray/update/fd/other-process", u_fd_other_proc,
	    E("R-UPD-4 R-NS-4", -EBADF), SAME },
	{ "sockarray/update/fd/beats-eexist", u_enotsock_beats_eexist,
	    E("R-UPD-4 R-UPD-6a", -ENOTSOCK), SAME },
	/* R-UPD-6a */
	{ "sockarray/update/noexist-occupied", u_noexist_occupied,
	    E("R-UPD-6a", -EEXIST), SAME },
	{ "sockarray/update/noexist-occupied/raw-socket",
	    u_noexist_occupied_raw, E("R-UPD-6a R-UPD-6c R-INV-15", -EEXIST),
	    SAME },
	{ "sockarray/update/noexist-occupied/unbound",
	    u_noexist_occupied_unbound, E("R-UPD-6a R-UPD-6f", -EEXIST), SAME },
	{ "sockarray/update/noexist-occupied/self", u_noexist_occupied_self,
	    E("R-UPD-6a R-UPD-6g", -EEXIST), SAME },
	/* R-UPD-6b */
	{ "sockarray/update/exist-empty", u_exist_empty,
	    E("R-UPD-6b", -ENOENT), SAME },
	{ "sockarray/update/exist-empty/raw-socket", u_exist_empty_raw,
	    E("R-UPD-6b R-UPD-6e", -ENOENT), SAME },
	{ "sockarray/update/exist-empty/owned", u_exist_empty_owned,
	    E("R-UPD-6b R-UPD-6g", -ENOENT), SAME },
	/* R-UPD-6c R-UPD-6d R-UPD-6e */
	{ "sockarray/update/protocol/raw", u_proto_raw,
	    E("R-UPD-6c", -ENOTSUPP), SAME },
	{ "sockarray/update/protocol/udplite", u_proto_udplite,
	    E("R-UPD-6c", -ENOTSUPP), ON(no_udplite, E(NULL, TU_NA)) },
	{ "sockarray/update/protocol/icmp", u_proto_icmp,
	    E("R-UPD-6c", -ENOTSUPP), SAME },
	{ "sockarray/update/protocol/unix", u_proto_unix,
	    E("R-UPD-6c", -ENOTSUPP), SAME },
	{ "sockarray/update/family/netlink-udp", u_family_netlink_udp,
	    E("R-UPD-6d", -ENOTSUPP), SAME },
	{ "sockarray/update/family/netlink-tcp", u_family_netlink_tcp,
	    E("R-UPD-6d", -ENOTSUPP), SAME },
	{ "sockarray/update/type/raw-udp", u_type_raw_udp,
	    E("R-UPD-6e", -ENOTSUPP), SAME },
	{ "sockarray/update/type/raw-tcp", u_type_raw_tcp,
	    E("R-UPD-6e", -ENOTSUPP), SAME },
	/* R-UPD-6f R-UPD-12 */
	{ "sockarray/update/eligible/tcp-unbound", u_tcp_unbound,
	    E("R-UPD-6f R-UPD-12", -EINVAL), SAME },
	{ "sockarray/update/eligible/tcp-bound", u_tcp_bound,
	    E("R-UPD-6f R-UPD-12", -EINVAL), SAME },
	{ "sockarray/update/eligible/tcp-listen-no-reuseport",
	    u_tcp_listen_no_reuseport, E("R-UPD-6f R-UPD-12 R-GRP-7", -EINVAL),
	    SAME },
	{ "sockarray/update/eligible/tcp-reuseport-after-listen",
	    u_tcp_reuseport_after_listen, E("R-UPD-6f R-GRP-7", -EINVAL), SAME },
	{ "sockarray/update/eligible/tcp-child", u_tcp_child,
	    E("R-UPD-6f R-UPD-12 R-SOCK-6", -EINVAL), SAME },
	{ "sockarray/update/eligible/tcp-client", u_tcp_client,
	    E("R-UPD-6f", -EINVAL), SAME },
	{ "sockarray/update/eligible/tcp-shut-down", u_tcp_shutdown,
	    E("R-UPD-6f R-UPD-12", -EINVAL), SAME },
	{ "sockarray/update/eligible/tcp-attached-unhashed",
	    u_tcp_attached_unhashed, E("R-UPD-6f R-ATT-4", -EINVAL), SAME },
	{ "sockarray/update/eligible/udp-unbound", u_udp_unbound,
	    E("R-UPD-6f R-UPD-12", -EINVAL), SAME },
	{ "sockarray/update/eligible/udp-no-reuseport", u_udp_no_reuseport,
	    E("R-UPD-6f R-UPD-12", -EINVAL), SAME },
	{ "sockarray/update/eligible/udp-reuseport-after-bind",
	    u_udp_reuseport_after_bind, E("R-UPD-6f R-GRP-8", -EINVAL), SAME },
	{ "sockarray/update/eligible/udp-connected-wildcard",
	    u_udp_connected_wildcard, E("R-UPD-6f R-DET-8", -EINVAL), SAME },
	{ "sockarray/update/eligible/beats-ebusy", u_eligible_beats_busy,
	    E("R-UPD-6f R-UPD-6g", -EINVAL), SAME },
	/* success: R-UPD-9 R-UPD-12 */
	{ "sockarray/update/ok/tcp4", u_ok_tcp4,
	    E("R-UPD-9 R-UPD-12", 0), SAME },
	{ "sockarray/update/ok/tcp6", u_ok_tcp6,
	    E("R-UPD-9", 0), SAME },
	{ "sockarray/update/ok/udp4", u_ok_udp4,
	    E("R-UPD-9 R-UPD-12", 0), SAME },
	{ "sockarray/update/ok/udp6", u_ok_udp6,
	    E("R-UPD-9", 0), SAME },
	{ "sockarray/update/ok/tcp-wildcard", u_ok_tcp_any,
	    E("R-UPD-9", 0), SAME },
	{ "sockarray/update/ok/udp6-wildcard", u_ok_udp6_any,
	    E("R-UPD-9", 0), SAME },
	{ "sockarray/update/ok/tcp-autobound", u_ok_tcp_autobind,
	    E("R-UPD-12 R-SOCK-4", 0), SAME },
	{ "sockarray/update/udp-connected-bound-address",
	    u_ok_udp_connected_bound, E("R-DET-8 R-CONN-1", 0),
	    ON(connect_leaves, E("R-UPD-6f R-DET-10", -EINVAL)) },
	{ "sockarray/update/ok/exist-replace", u_ok_exist_replace,
	    E("R-UPD-6b R-UPD-10", 0), SAME },
	{ "sockarray/update/ok/noexist-empty", u_ok_noexist_empty,
	    E("R-UPD-6a", 0), SAME },
	/* R-UPD-6g */
	{ "sockarray/update/owned/same-slot", u_busy_same_slot,
	    E("R-UPD-6g", -EBUSY), SAME },
	{ "sockarray/update/owned/other-slot", u_busy_other_slot,
	    E("R-UPD-6g", -EBUSY), SAME },
	{ "sockarray/update/owned/exist-same-slot", u_busy_exist_same_slot,
	    E("R-UPD-6g", -EBUSY), SAME },
	{ "sockarray/update/owned/noexist-empty-slot", u_busy_noexist_empty,
	    E("R-UPD-6g", -EBUSY), SAME },
	{ "sockarray/update/owned/other-map", u_busy_other_map,
	    E("R-UPD-6g R-INV-2", -EBUSY), SAME },
	{ "sockarray/update/owned/foreign", u_busy_foreign,
	    E("R-UPD-6g", -EBUSY), SAME },
	{ "sockarray/update/owned/sockmap", u_busy_sockmap,
	    E("R-UPD-6g R-SMAP-4", TU_NA),
	    ON(tags, E("R-UPD-6g R-SMAP-4", -EBUSY)) },
	{ "sockarray/update/owned/passed-fd", u_busy_passed_fd,
	    E("R-UPD-6g R-SOCK-9", -EBUSY), SAME },
};

TU_NAMED(update_table, "sockarray/update/table", "sockarray/update",
    TU_BY_PROFILE(update_cases))
{
	const struct op_case *c;
	struct rp_map_info before, after;
	struct expect e;
	struct fx fx;
	struct op op;
	unsigned m;
	int ret;

	c = op_begin(update_cases, _i, &fx, &op, &e);
	TU_UNLESS(c != NULL);
	m = rp_fd_map(fx.st, op.proc, op.map);
	if (m != 0)
		ck_assert_int_eq(rp_map_info(fx.st, m, &before), 0);
	fx_clear(&fx);
	ret = rp_map_update(fx.st, op.proc, op.map, op.key, op.value,
	    op.flags);
	assert_expect(&fx, c->name, &e, ret);
	if (ret == 0) {
		ck_assert_int_ge(op.sock, 0);
		assert_in_slot(&fx, op.map, op.key, op.sock);
	} else {
		/* a failed update changes nothing */
		ck_assert_uint_eq(tu_count(fx.ev, RP_EV_SLOT_SET, 0), 0);
		ck_assert_uint_eq(tu_count(fx.ev, RP_EV_OWNER_SET, 0), 0);
		ck_assert_uint_eq(tu_count(fx.ev, RP_EV_OWNER_CLEAR, 0), 0);
		if (m != 0) {
			ck_assert_int_eq(rp_map_info(fx.st, m, &after), 0);
			ck_assert_uint_eq(after.used, before.used);
		}
	}
	fx_fini(&fx);
}
END_TEST

static const int lock_kinds[] = {
	RP_EV_LOCK, RP_EV_UNLOCK, RP_EV_CB_LOCK, RP_EV_CB_UNLOCK,
	RP_EV_OWNER_SET, RP_EV_OWNER_CLEAR, RP_EV_SLOT_SET, RP_EV_SLOT_CLEAR,
	RP_EV_GROUP_ID, -1
};

/*
 * R-UPD-9 R-UPD-8 R-INV-12: a successful insert takes the reuseport lock,
 * then the socket's callback lock, allocates the group id (switch
 * lazy_group_id: on the first insert), writes the owner word, then the
 * slot; the used count goes up by one.
 */
TU_NAMED(update_publish, "sockarray/update/publish", "sockarray/update", TU_EVERY_PROFILE)
{
	struct fx fx;
	int map, a;
	unsigned sa;
	char *tr, *want;

	fx_init_of(&fx, tu_prof(_i));
	map = map_new(&fx, 0, 8, 4, 0);
	a = member(&fx, RP_AF_INET6, RP_SOCK_STREAM);
	sa = sock_id(&fx, 0, a);
	fx_clear(&fx);
	ck_assert_int_eq(rp_map_update(fx.st, 0, map, 1, (uint64_t)a,
	    RP_BPF_NOEXIST), 0);
	tr = fx_trace(&fx, lock_kinds);
	want = g_strdup_printf("lock cb_lock(%u)%s owner_set(%u) slot_set(%u) "
	    "cb_unlock(%u) unlock", sa, fx.prof->lazy_group_id ? " group_id" :
	    "", sa,
	    sa, sa);
	ck_assert_str_eq(tr, want);
	g_free(tr);
	g_free(want);
	assert_in_slot(&fx, map, 1, a);
	ck_assert_uint_eq(minfo(&fx, 0, map).used, 1);
	ck_assert(tu_saw_rule(fx.ev, "R-UPD-9", 0));
	fx_fini(&fx);
}
END_TEST

/*
 * R-UPD-10 R-INV-12: a replacement (BPF_ANY and BPF_EXIST) publishes the
 * new socket, then clears the old one's owner word under the old one's own
 * callback lock; the old socket stays hashed, listening, in its group with
 * its cookie, and can be inserted again; used is unchanged.
 */
TU_NAMED(update_replace, "sockarray/update/replace", "sockarray/update", TU_EVERY_PROFILE)
{
	struct fx fx;
	int map, a, b, c;
	unsigned sa, sb, ga;
	uint64_t ca, v = 0;
	char *tr, *want;

	fx_init_of(&fx, tu_prof(_i));
	map = map_new(&fx, 0, 8, 4, 0);
	a = member(&fx, RP_AF_INET, RP_SOCK_STREAM);
	b = member(&fx, RP_AF_INET, RP_SOCK_STREAM);
	c = member(&fx, RP_AF_INET6, RP_SOCK_DGRAM);
	sa = sock_id(&fx, 0, a);
	sb = sock_id(&fx, 0, b);
	ga = sinfo(&fx, sa).group;
	ca = cookie_of(&fx, 0, a);
	occupy(&fx, map, 0, a);
	occupy(&fx, map, 0, b);			/* BPF_ANY warms b's id */
	occupy(&fx, map, 0, a);
	fx_clear(&fx);
	ck_assert_int_eq(rp_map_update(fx.st, 0, map, 0, (uint64_t)b,
	    RP_BPF_ANY), 0);
	tr = fx_trace(&fx, lock_kinds);
	want = g_strdup_printf("lock cb_lock(%u) owner_set(%u) slot_set(%u) "
	    "cb_unlock(%u) cb_lock(%u) owner_clear(%u) cb_unlock(%u) unlock",
	    sb, sb, sb, sb, sa, sa, sa);
	ck_assert_str_eq(tr, want);
	g_free(tr);
	g_free(want);
	ck_assert(tu_saw_rule(fx.ev, "R-UPD-10", 0));
	assert_in_slot(&fx, map, 0, b);
	assert_released(&fx, a, ga);
	ck_assert_int_eq(sinfo(&fx, sa).state, RP_TCP_LISTEN);
	ck_assert_uint_eq(sinfo(&fx, sa).cookie, ca);
	ck_assert_uint_eq(minfo(&fx, 0, map).used, 1);
	ck_assert_int_eq(rp_map_lookup(fx.st, 0, map, 0, &v, 0), 0);
	ck_assert_uint_eq(v, cookie_of(&fx, 0, b));
	/* BPF_EXIST replacement by a socket of another kind */
	ck_assert_int_eq(rp_map_update(fx.st, 0, map, 0, (uint64_t)c,
	    RP_BPF_EXIST), 0);
	assert_in_slot(&fx, map, 0, c);
	assert_released(&fx, b, 0);
	/* the released socket may go anywhere again */
	ck_assert_int_eq(rp_map_update(fx.st, 0, map, 3, (uint64_t)a,
	    RP_BPF_NOEXIST), 0);
	assert_in_slot(&fx, map, 3, a);
	ck_assert_uint_eq(minfo(&fx, 0, map).used, 2);
	fx_fini(&fx);
}
END_TEST

#define ginfo(fx, group)	tu_group_info((fx)->st, (group))

/*
 * R-UPD-8 R-GRP-1 R-GRP-11 R-INV-9: with switch lazy_group_id a group
 * gets its id (>= 1) at the first insertion of one of its members, and
 * keeps it through other members' insertions, delete, re-insertion and map
 * free; groups never inserted keep id 0.  Without it groups have ids from
 * creation (the first is 0) and insertion never changes them.
 */
TU_NAMED(update_group_id, "sockarray/update/group-id", "sockarray/update", TU_EVERY_PROFILE)
{
	struct fx fx;
	int map, a, b, c;
	unsigned ga, gc;
	uint32_t id;
	uint16_t port;

	fx_init_of(&fx, tu_prof(_i));
	map = map_new(&fx, 0, 8, 4, 0);
	a = member(&fx, RP_AF_INET, RP_SOCK_STREAM);
	port = tu_port(fx.st, 0, a);
	b = tu_reuse_sock(fx.st, 0, RP_AF_INET, RP_SOCK_STREAM, 1, port);
	c = member(&fx, RP_AF_INET, RP_SOCK_DGRAM);
	ga = sinfo(&fx, sock_id(&fx, 0, a)).group;
	gc = sinfo(&fx, sock_id(&fx, 0, c)).group;
	ck_assert_uint_eq(sinfo(&fx, sock_id(&fx, 0, b)).group, ga);
	ck_assert_uint_ne(ga, gc);
	if (fx.prof->lazy_group_id) {
		ck_assert(!ginfo(&fx, ga).has_id);
		ck_assert_uint_eq(ginfo(&fx, ga).reuseport_id, 0);
	} else {
		ck_assert(ginfo(&fx, ga).has_id);
		ck_assert_uint_eq(ginfo(&fx, ga).reuseport_id, 0);
		ck_assert_uint_eq(ginfo(&fx, gc).reuseport_id, 1);
	}
	occupy(&fx, map, 0, a);
	id = ginfo(&fx, ga).reuseport_id;
	ck_assert(ginfo(&fx, ga).has_id);
	if (fx.prof->lazy_group_id) {
		ck_assert_uint_ge(id, 1);
		ck_assert(tu_saw_rule(fx.ev, "R-UPD-8", 0));
		ck_assert_uint_eq(ginfo(&fx, gc).reuseport_id, 0);
	} else {
		ck_assert_uint_eq(id, 0);
	}
	occupy(&fx, map, 1, b);
	ck_assert_uint_eq(ginfo(&fx, ga).reuseport_id, id);
	ck_assert_int_eq(rp_map_delete(fx.st, 0, map, 0), 0);
	ck_assert_int_eq(rp_map_delete(fx.st, 0, map, 1), 0);
	ck_assert_uint_eq(ginfo(&fx, ga).reuseport_id, id);
	occupy(&fx, map, 2, c);
	ck_assert_uint_ne(ginfo(&fx, gc).reuseport_id, id);
	if (fx.prof->lazy_group_id)
		ck_assert_uint_ge(ginfo(&fx, gc).reuseport_id, 1);
	occupy(&fx, map, 3, b);
	ck_assert_uint_eq(ginfo(&fx, ga).reuseport_id, id);
	ck_assert_int_eq(rp_close(fx.st, 0, map), 0);
	ck_assert_uint_eq(ginfo(&fx, ga).reuseport_id, id);
	tu_assert_invariants(fx.st);
	fx_fini(&fx);
}
END_TEST

/*
 * R-UPD-11 R-NS-3: one array holds sockets of different groups, ports,
 * protocols, families, owners and network namespaces.
 */
TU_NAMED(update_mixed, "sockarray/update/mixed", "sockarray/update", TU_EVERY_PROFILE)
{
	struct fx fx;
	int map, ns1, p1, m1, x, y, k = 0;
	const int kinds[][2] = {
		{ RP_AF_INET, RP_SOCK_STREAM }, { RP_AF_INET6, RP_SOCK_STREAM },
		{ RP_AF_INET, RP_SOCK_DGRAM }, { RP_AF_INET6, RP_SOCK_DGRAM },
	};

	fx_init_of(&fx, tu_prof(_i));
	map = map_new(&fx, 0, 8, 16, 0);
	for (size_t i = 0; i < G_N_ELEMENTS(kinds); i++)
		occupy(&fx, map, (uint32_t)k++, member(&fx, kinds[i][0],
		    kinds[i][1]));
	/* another uid, another netns, through a passed map fd */
	ns1 = rp_netns_new(fx.st);
	p1 = rp_proc_new(fx.st, (unsigned)ns1, 4242, RP_CAP_ALL);
	ck_assert_int_gt(p1, 0);
	m1 = rp_fd_pass(fx.st, 0, map, (unsigned)p1);
	x = tu_reuse_sock(fx.st, (unsigned)p1, RP_AF_INET, RP_SOCK_STREAM, 1,
	    0);
	y = tu_reuse_sock(fx.st, (unsigned)p1, RP_AF_INET6, RP_SOCK_DGRAM, 0,
	    0);
	ck_assert_int_eq(rp_map_update(fx.st, (unsigned)p1, m1, (uint32_t)k++,
	    (uint64_t)x, 0), 0);
	ck_assert_int_eq(rp_map_update(fx.st, (unsigned)p1, m1, (uint32_t)k++,
	    (uint64_t)y, 0), 0);
	ck_assert_uint_eq(minfo(&fx, 0, map).used, (unsigned)k);
	ck_assert_uint_eq(sinfo(&fx, rp_fd_sock(fx.st, (unsigned)p1,
	    x)).netns, (unsigned)ns1);
	fx_fini(&fx);
}
END_TEST

/* Racing operations (run on thread 1 by fx_sched). */
static void
race_update(struct fx *fx)
{
	fx->r_ret = rp_map_update(fx->st, fx->r_proc, fx->r_map, fx->r_key,
	    (uint64_t)fx->r_fd, fx->r_flags);
}

static void
race_delete(struct fx *fx)
{
	fx->r_ret = rp_map_delete(fx->st, fx->r_proc, fx->r_map, fx->r_key);
}

static void
race_shutdown(struct fx *fx)
{
	fx->r_ret = rp_shutdown(fx->st, fx->r_proc, fx->r_fd, RP_SHUT_RDWR);
}

static void
race_close(struct fx *fx)
{
	fx->r_ret = rp_close(fx->st, fx->r_proc, fx->r_fd);
}

struct race_case {
	const char	*name;
	const char	*rule;		/* "R-UPD-7 <deciding rule>" */
	uint64_t	flags;		/* of the update under test */
	bool		occupied;	/* slot 0 occupied before */
	race_fn		race;		/* what thread 1 does ... */
	bool		race_on_self;	/* ... to the socket under test */
	uint32_t	race_key;	/* ... or to this slot */
	int		want;
	bool		plant_detects;	/* without the re-check: succeeds */
};

/*
 * R-UPD-7: update passes its lock-free pre-check, then, just before it
 * takes the reuseport lock, another thread changes the world; the checks
 * are repeated under the locks and their result is returned.
 */
static const struct race_case update_races[] = {
	/* another socket fills the empty slot: NOEXIST now fails */
	{ "sockarray/update/race/slot-filled", "R-UPD-7 R-UPD-6a",
	    RP_BPF_NOEXIST, false, race_update, false, 0, -EEXIST, true },
	/* the occupant is deleted: EXIST now fails */
	{ "sockarray/update/race/slot-emptied", "R-UPD-7 R-UPD-6b",
	    RP_BPF_EXIST, true, race_delete, false, 0, -ENOENT, true },
	/* the socket stops listening: no longer eligible (the planted
	 * fault would publish a socket without a group, which the model
	 * cannot represent, so it is not run planted) */
	{ "sockarray/update/race/socket-shut-down", "R-UPD-7 R-UPD-6f",
	    RP_BPF_ANY, false, race_shutdown, true, 0, -EINVAL, false },
	/* the socket is inserted elsewhere meanwhile */
	{ "sockarray/update/race/socket-inserted", "R-UPD-7 R-UPD-6g",
	    RP_BPF_ANY, false, race_update, true, 2, -EBUSY, true },
	/* its fd is closed: the update holds the file, so the insert
	 * succeeds, and the socket is released (and detached) when the
	 * update drops the file (R-SOCK-8) */
	{ "sockarray/update/race/fd-closed", "R-UPD-7 R-SOCK-8",
	    RP_BPF_ANY, false, race_close, true, 0, 0, false },
};

static void
run_update_race(int i, bool plant)
{
	const struct race_case *c = &update_races[TU_CASE_OF(i)];
	struct fx fx;
	int map, a, other, ret;
	unsigned ida;
	GError *err = NULL;
	char *v;

	fx_init(&fx, TU_ROW_OF(i));
	if (plant)
		rp_state_plant(fx.st, RP_PLANT_UPDATE_NO_RECHECK);
	map = map_new(&fx, 0, 8, 4, 0);
	a = member(&fx, RP_AF_INET, RP_SOCK_STREAM);
	other = member(&fx, RP_AF_INET, RP_SOCK_STREAM);
	ida = sock_id(&fx, 0, a);
	if (c->occupied)
		occupy(&fx, map, 0, other);
	fx.r_map = map;
	fx.r_key = c->race_key;
	fx.r_flags = RP_BPF_ANY;
	fx.r_fd = c->race_on_self ? a : other;
	fx_race(&fx, RP_SP_LOCK, 0, c->race);
	fx_clear(&fx);
	ret = rp_map_update(fx.st, 0, map, 0, (uint64_t)a, c->flags);
	fx_race_off(&fx);
	ck_assert_int_eq(fx.r_ret, 0);
	if (plant) {
		/* the stale pre-check decides, and the checker objects */
		ck_assert_msg(ret == 0, "%s: planted no-recheck should let the "
		    "update through, got %d", c->name, ret);
		ck_assert_msg(!rp_check(fx.st, &err), "%s: the checker missed "
		    "the planted bug", c->name);
		g_clear_error(&err);
		g_free(rp_state_take_violation(fx.st));
		rp_state_free(fx.st);
		g_array_unref(fx.ev);
		return;
	}
	ck_assert_msg(ret == c->want, "%s [%s]: want %d, got %d (%s)",
	    c->name, fx.prof->name, c->want, ret, c->rule);
	ck_assert(tu_saw_rule(fx.ev, "R-UPD-7", 0));
	if (ret != 0)
		assert_rule(&fx, c->name, c->rule + strlen("R-UPD-7 "), ret);
	if (c->race == race_close) {
		struct rp_sock_info in;

		ck_assert(rp_sock_info(fx.st, ida, &in) != 0 || in.closed);
		ck_assert_uint_eq(rp_map_slot(fx.st, rp_fd_map(fx.st, 0, map),
		    0), 0);
	}
	v = rp_state_take_violation(fx.st);
	ck_assert_msg(v == NULL, "%s: %s", c->name, v);
	fx_fini(&fx);
}

TU_NAMED(update_race, "sockarray/update/race", "sockarray/update",
    TU_BY_PROFILE(update_races))
{
	run_update_race(_i, false);
}
END_TEST

/* The planted fault (update trusts its lock-free check) makes the racing
 * cases succeed and leaves a state the checker rejects: the race test and
 * the checker both see the difference. */
TU_NAMED(update_race_planted, "sockarray/update/race/planted",
    "sockarray/update", TU_BY_PROFILE(update_races))
{
	TU_UNLESS(update_races[TU_CASE_OF(_i)].plant_detects);
	run_update_race(_i, true);
}
END_TEST

/* ---------------------------------------------------------------------
 * sockarray/delete
 */

static void
d_map_closed(struct fx *fx, struct op *op)
{
	(void)fx;
	op->map = 99;
}

static void
d_map_not_map(struct fx *fx, struct op *op)
{
	op->map = member(fx, RP_AF_INET, RP_SOCK_DGRAM);
}

static void
d_rdonly(struct fx *fx, struct op *op)
{
	op->map = map_new(fx, 0, 8, 4, RP_BPF_F_RDONLY);
}

static void
d_rdonly_beats_e2big(struct fx *fx, struct op *op)
{
	op->map = map_new(fx, 0, 8, 4, RP_BPF_F_RDONLY);
	op->key = 4;
}

static void
d_frozen(struct fx *fx, struct op *op)
{
	occupy(fx, op->map, 0, member(fx, RP_AF_INET, RP_SOCK_STREAM));
	ck_assert_int_eq(rp_map_freeze(fx->st, 0, op->map), 0);
}

static void
d_oor(struct fx *fx, struct op *op)
{
	(void)fx;
	op->key = 4;
}

static void
d_oor_value4(struct fx *fx, struct op *op)
{
	op->map = map_new(fx, 0, 4, 4, 0);
	op->key = UINT32_MAX;
}

static void
d_empty(struct fx *fx, struct op *op)
{
	occupy(fx, op->map, 0, member(fx, RP_AF_INET, RP_SOCK_STREAM));
	op->key = 1;
}

static void
d_occupied(struct fx *fx, struct op *op)
{
	op->sock = member(fx, RP_AF_INET6, RP_SOCK_STREAM);
	occupy(fx, op->map, 3, op->sock);
	op->key = 3;
}

static void
d_occupied_value4(struct fx *fx, struct op *op)
{
	op->map = map_new(fx, 0, 4, 4, 0);
	op->sock = member(fx, RP_AF_INET, RP_SOCK_DGRAM);
	occupy(fx, op->map, 0, op->sock);
}

static void
d_wronly(struct fx *fx, struct op *op)
{
	op->map = map_new(fx, 0, 8, 4, RP_BPF_F_WRONLY);
	op->sock = member(fx, RP_AF_INET, RP_SOCK_STREAM);
	ck_assert_int_eq(rp_map_update(fx->st, 0, op->map, 0,
	    (uint64_t)op->sock, 0), 0);
}

static const struct op_case delete_cases[] = {
	{ "sockarray/delete/map-fd/closed", d_map_closed,
	    QUIET("R-DEL-0", -EBADF), SAME },
	{ "sockarray/delete/map-fd/not-a-map", d_map_not_map,
	    QUIET("R-DEL-0", -EINVAL), SAME },
	{ "sockarray/delete/map-fd/rdonly", d_rdonly,
	    E("R-DEL-0", -EPERM), SAME },
	{ "sockarray/delete/map-fd/rdonly-first", d_rdonly_beats_e2big,
	    E("R-DEL-0 R-DEL-1", -EPERM), SAME },
	{ "sockarray/delete/map-fd/frozen", d_frozen,
	    E("R-CMD-3 R-DEL-0", TU_NA),
	    ON(freeze, E("R-CMD-3 R-DEL-0", -EPERM)) },
	{ "sockarray/delete/index/max-entries", d_oor,
	    E("R-DEL-1", -E2BIG), SAME },
	{ "sockarray/delete/index/value4-u32-max", d_oor_value4,
	    E("R-DEL-1", -E2BIG), SAME },
	{ "sockarray/delete/empty", d_empty,
	    E("R-DEL-2", -ENOENT), SAME },
	{ "sockarray/delete/occupied", d_occupied,
	    E("R-DEL-3", 0), SAME },
	{ "sockarray/delete/occupied-value4", d_occupied_value4,
	    E("R-DEL-3", 0), SAME },
	{ "sockarray/delete/wronly", d_wronly,
	    E("R-DEL-3 R-DEL-0", 0), SAME },
};

TU_NAMED(delete_table, "sockarray/delete/table", "sockarray/delete",
    TU_BY_PROFILE(delete_cases))
{
	const struct op_case *c;
	struct expect e;
	struct fx fx;
	struct op op;
	int ret;

	c = op_begin(delete_cases, _i, &fx, &op, &e);
	TU_UNLESS(c != NULL);
	fx_clear(&fx);
	ret = rp_map_delete(fx.st, op.proc, op.map, op.key);
	assert_expect(&fx, c->name, &e, ret);
	if (ret == 0) {
		unsigned m = rp_fd_map(fx.st, 0, op.map);

		ck_assert_uint_eq(rp_map_slot(fx.st, m, op.key), 0);
		assert_released(&fx, op.sock, 0);
		ck_assert(tu_saw_rule(fx.ev, "R-DEL-3", 0));
	} else if (!e.quiet)
		ck_assert_uint_eq(tu_count(fx.ev, RP_EV_SLOT_CLEAR, 0), 0);
	fx_fini(&fx);
}
END_TEST

/*
 * R-DEL-3 R-INV-6 R-DET-9: delete clears the owner word and the slot, and
 * nothing else: the socket keeps its state, hash, group (and id) and
 * cookie, and other slots are untouched.
 */
TU_NAMED(delete_keeps_socket, "sockarray/delete/keeps-socket", "sockarray/delete", TU_EVERY_PROFILE)
{
	struct fx fx;
	int map, a, b;
	unsigned sa;
	struct rp_sock_info before, after;
	struct rp_group_info gb;

	fx_init_of(&fx, tu_prof(_i));
	map = map_new(&fx, 0, 8, 4, 0);
	a = member(&fx, RP_AF_INET, RP_SOCK_STREAM);
	b = member(&fx, RP_AF_INET, RP_SOCK_DGRAM);
	occupy(&fx, map, 1, a);
	occupy(&fx, map, 2, b);
	sa = sock_id(&fx, 0, a);
	(void)cookie_of(&fx, 0, a);
	before = sinfo(&fx, sa);
	gb = ginfo(&fx, before.group);
	ck_assert_int_eq(rp_map_delete(fx.st, 0, map, 1), 0);
	after = sinfo(&fx, sa);
	ck_assert_int_eq(after.owner, RP_OWNER_NONE);
	ck_assert_int_eq(after.state, before.state);
	ck_assert(after.hashed && !after.closed);
	ck_assert_uint_eq(after.group, before.group);
	ck_assert_int_eq(after.group_pos, before.group_pos);
	ck_assert_uint_eq(after.cookie, before.cookie);
	ck_assert_uint_eq(ginfo(&fx, after.group).reuseport_id,
	    gb.reuseport_id);
	ck_assert_uint_eq(ginfo(&fx, after.group).num_socks, gb.num_socks);
	assert_in_slot(&fx, map, 2, b);
	ck_assert_uint_eq(minfo(&fx, 0, map).used, 1);
	/* and the slot takes the socket back */
	ck_assert_int_eq(rp_map_update(fx.st, 0, map, 1, (uint64_t)a,
	    RP_BPF_NOEXIST), 0);
	fx_fini(&fx);
}
END_TEST

/* R-DEL-3: the slot empties between the lock-free read and the lock. */
TU_NAMED(delete_race, "sockarray/delete/race", "sockarray/delete", TU_EVERY_PROFILE)
{
	struct fx fx;
	int map, a;

	fx_init_of(&fx, tu_prof(_i));
	map = map_new(&fx, 0, 8, 4, 0);
	a = member(&fx, RP_AF_INET, RP_SOCK_STREAM);
	occupy(&fx, map, 2, a);
	fx.r_map = map;
	fx.r_key = 2;
	fx_race(&fx, RP_SP_LOCK, 0, race_delete);
	fx_clear(&fx);
	ck_assert_int_eq(rp_map_delete(fx.st, 0, map, 2), -ENOENT);
	fx_race_off(&fx);
	ck_assert_int_eq(fx.r_ret, 0);
	ck_assert(tu_saw_rule(fx.ev, "R-DEL-2", -ENOENT));
	/* one clear only */
	ck_assert_uint_eq(tu_count(fx.ev, RP_EV_SLOT_CLEAR, 0), 1);
	assert_released(&fx, a, 0);
	fx_fini(&fx);
}
END_TEST

/* ---------------------------------------------------------------------
 * sockarray/next-key
 */

struct nxt_case {
	const char	*name;
	const char	*rule;
	uint32_t	max_entries;
	uint32_t	map_flags;
	bool		null_key;
	uint32_t	key;
	int		want;
	uint32_t	next;
};

static const struct nxt_case nxt_cases[] = {
	{ "sockarray/next-key/null", "R-NXT-2", 4, 0, true, 0, 0, 0 },
	{ "sockarray/next-key/max-entries", "R-NXT-2", 4, 0, false, 4, 0, 0 },
	{ "sockarray/next-key/u32-max", "R-NXT-2", 4, 0, false, UINT32_MAX, 0,
	    0 },
	{ "sockarray/next-key/last", "R-NXT-3", 4, 0, false, 3, -ENOENT, 0 },
	{ "sockarray/next-key/first", "R-NXT-4", 4, 0, false, 0, 0, 1 },
	{ "sockarray/next-key/occupied-next", "R-NXT-4", 4, 0, false, 1, 0,
	    2 },
	{ "sockarray/next-key/empty-next", "R-NXT-4", 4, 0, false, 2, 0, 3 },
	{ "sockarray/next-key/one-entry/null", "R-NXT-2", 1, 0, true, 0, 0,
	    0 },
	{ "sockarray/next-key/one-entry/last", "R-NXT-3", 1, 0, false, 0,
	    -ENOENT, 0 },
	{ "sockarray/next-key/wronly", "R-NXT-1", 4, RP_BPF_F_WRONLY, false,
	    0, -EPERM, 0 },
	{ "sockarray/next-key/wronly-null", "R-NXT-1", 4, RP_BPF_F_WRONLY,
	    true, 0, -EPERM, 0 },
	{ "sockarray/next-key/rdonly", "R-NXT-4", 4, RP_BPF_F_RDONLY, false,
	    1, 0, 2 },
};

TU_NAMED(nxt_table, "sockarray/next-key/table", "sockarray/next-key",
    TU_BY_PROFILE(nxt_cases))
{
	const struct nxt_case *c = &nxt_cases[TU_CASE_OF(_i)];
	struct fx fx;
	int map, ret;
	uint32_t next = 0xdead;

	fx_init(&fx, TU_ROW_OF(_i));
	map = map_new(&fx, 0, 8, c->max_entries, c->map_flags);
	if (c->max_entries > 2 && !(c->map_flags & RP_BPF_F_RDONLY)) {
		/* occupancy is ignored: slot 2 occupied, 3 empty */
		occupy(&fx, map, 2, member(&fx, RP_AF_INET, RP_SOCK_STREAM));
	}
	fx_clear(&fx);
	ret = rp_map_get_next_key(fx.st, 0, map, c->null_key ? NULL : &c->key,
	    &next);
	ck_assert_msg(ret == c->want, "%s [%s]: want %d, got %d (%s)",
	    c->name, fx.prof->name, c->want, ret, c->rule);
	ck_assert_msg(tu_saw_rule(fx.ev, c->rule, ret), "%s: model did not "
	    "report %s", c->name, c->rule);
	if (ret == 0)
		ck_assert_uint_eq(next, c->next);
	else
		ck_assert_uint_eq(next, 0xdead);
	fx_fini(&fx);
}
END_TEST

/* R-NXT-1 R-NXT-2 R-NXT-3 R-NXT-4: a full walk visits every index once,
 * occupied or not; fd errors come first. */
TU_NAMED(nxt_walk, "sockarray/next-key/walk", "sockarray/next-key", TU_EVERY_PROFILE)
{
	struct fx fx;
	int map, n = 0;
	uint32_t k, next;
	const uint32_t *kp = NULL;

	fx_init_of(&fx, tu_prof(_i));
	map = map_new(&fx, 0, 4, 7, 0);
	occupy(&fx, map, 5, member(&fx, RP_AF_INET6, RP_SOCK_DGRAM));
	while (rp_map_get_next_key(fx.st, 0, map, kp, &next) == 0) {
		ck_assert_uint_eq(next, (uint32_t)n);
		k = next;
		kp = &k;
		n++;
		ck_assert_int_le(n, 7);
	}
	ck_assert_int_eq(n, 7);
	k = 0;
	ck_assert_int_eq(rp_map_get_next_key(fx.st, 0, 99, &k, &next),
	    -EBADF);
	ck_assert_int_eq(rp_map_get_next_key(fx.st, 0, member(&fx, RP_AF_INET,
	    RP_SOCK_STREAM), &k, &next), -EINVAL);
	fx_fini(&fx);
}
END_TEST

/* ---------------------------------------------------------------------
 * sockarray/commands: freeze, lookup-and-delete, batch
 */

/*
 * R-CMD-3 R-UPD-0b R-DEL-0 R-LKP-1c: where the command exists (switch
 * has_freeze) a map freezes once; under freeze_rule RP_FREEZE_WRITABLE_FD
 * only through a writable fd (a frozen map has lost write permission, so
 * a second freeze is -EPERM), under RP_FREEZE_CAPABLE a capable caller
 * freezes through any fd and a second freeze is -EBUSY.  Afterwards update
 * and delete fail through every fd, lookup, next-key and detach of a
 * closing member keep working.  Without the command: -EINVAL.
 */
TU_NAMED(cmd_freeze, "sockarray/commands/freeze", "sockarray/commands", TU_EVERY_PROFILE)
{
	const struct rp_profile *prof = tu_prof(_i);
	bool wr_fd = prof->freeze_rule == RP_FREEZE_WRITABLE_FD;
	struct fx fx;
	int map, dup, ro, a, b;
	uint64_t v = 0;
	uint32_t k = 0, next;
	unsigned m;

	fx_init_of(&fx, prof);
	map = map_new(&fx, 0, 8, 4, 0);
	a = member(&fx, RP_AF_INET, RP_SOCK_STREAM);
	b = member(&fx, RP_AF_INET, RP_SOCK_STREAM);
	occupy(&fx, map, 0, a);
	m = rp_fd_map(fx.st, 0, map);
	if (!prof->has_freeze) {
		ck_assert_int_eq(rp_map_freeze(fx.st, 0, map), -EINVAL);
		ck_assert(tu_saw_rule(fx.ev, "R-CMD-3", -EINVAL));
		ck_assert(!minfo(&fx, 0, map).frozen);
		occupy(&fx, map, 1, b);
		fx_fini(&fx);
		return;
	}
	ck_assert_int_eq(rp_map_freeze(fx.st, 0, 99), -EBADF);
	ro = map_new(&fx, 0, 8, 4, RP_BPF_F_RDONLY);
	ck_assert_int_eq(rp_map_freeze(fx.st, 0, ro), wr_fd ? -EPERM : 0);
	ck_assert(minfo(&fx, 0, ro).frozen == !wr_fd);
	dup = rp_fd_dup(fx.st, 0, map);
	ck_assert_int_eq(rp_map_freeze(fx.st, 0, map), 0);
	ck_assert(minfo(&fx, 0, map).frozen);
	/* live 6.12+: a frozen map has lost write permission first */
	ck_assert_int_eq(rp_map_freeze(fx.st, 0, dup), wr_fd ? -EPERM :
	    -EBUSY);
	ck_assert_int_eq(rp_map_update(fx.st, 0, dup, 1, (uint64_t)b, 0),
	    -EPERM);
	ck_assert_int_eq(rp_map_delete(fx.st, 0, dup, 0), -EPERM);
	ck_assert_int_eq(rp_map_delete(fx.st, 0, map, 0), -EPERM);
	ck_assert_int_eq(rp_map_lookup(fx.st, 0, dup, 0, &v, 0), 0);
	ck_assert_uint_eq(v, cookie_of(&fx, 0, a));
	ck_assert_int_eq(rp_map_get_next_key(fx.st, 0, map, &k, &next), 0);
	ck_assert_uint_eq(next, 1);
	/* a closing member still leaves its slot (R-DET-4) */
	ck_assert_int_eq(rp_close(fx.st, 0, a), 0);
	ck_assert_uint_eq(rp_map_slot(fx.st, m, 0), 0);
	ck_assert_int_eq(rp_map_lookup(fx.st, 0, map, 0, &v, 0), -ENOENT);
	fx_fini(&fx);
}
END_TEST

/*
 * R-CMD-1: without BPF_MAP_LOOKUP_AND_DELETE_ELEM (switch
 * has_lookup_and_delete) -EINVAL; with it the fd and read+write
 * permission are checked, then -ENOTSUPP.
 */
TU_NAMED(cmd_lookup_and_delete, "sockarray/commands/lookup-and-delete", "sockarray/commands", TU_EVERY_PROFILE)
{
	const struct rp_profile *prof = tu_prof(_i);
	struct fx fx;
	int map, ro, wo, a;
	uint64_t v = 0;

	fx_init_of(&fx, prof);
	map = map_new(&fx, 0, 8, 4, 0);
	ro = map_new(&fx, 0, 8, 4, RP_BPF_F_RDONLY);
	wo = map_new(&fx, 0, 8, 4, RP_BPF_F_WRONLY);
	a = member(&fx, RP_AF_INET, RP_SOCK_STREAM);
	occupy(&fx, map, 0, a);
	if (!prof->has_lookup_and_delete) {
		ck_assert_int_eq(rp_map_lookup_and_delete(fx.st, 0, map, 0,
		    &v), -EINVAL);
		ck_assert_int_eq(rp_map_lookup_and_delete(fx.st, 0, 99, 0,
		    &v), -EINVAL);
	} else {
		ck_assert_int_eq(rp_map_lookup_and_delete(fx.st, 0, 99, 0,
		    &v), -EBADF);
		ck_assert_int_eq(rp_map_lookup_and_delete(fx.st, 0, a, 0,
		    &v), -EINVAL);
		ck_assert_int_eq(rp_map_lookup_and_delete(fx.st, 0, ro, 0,
		    &v), -EPERM);
		ck_assert_int_eq(rp_map_lookup_and_delete(fx.st, 0, wo, 0,
		    &v), -EPERM);
		ck_assert_int_eq(rp_map_lookup_and_delete(fx.st, 0, map, 0,
		    &v), -ENOTSUPP);
	}
	ck_assert(tu_saw_rule(fx.ev, "R-CMD-1", prof->has_lookup_and_delete ?
	    -ENOTSUPP : -EINVAL));
	assert_in_slot(&fx, map, 0, a);		/* nothing deleted */
	ck_assert_uint_eq(v, 0);
	fx_fini(&fx);
}
END_TEST

/* R-CMD-2: batch commands: -EINVAL without them (switch has_batch),
 * -ENOTSUPP with them after the fd checks (bpf_map_do_batch(): a lookup
 * batch on a write-only fd is -EPERM first). */
TU_NAMED(cmd_batch, "sockarray/commands/batch", "sockarray/commands", TU_EVERY_PROFILE)
{
	const struct rp_profile *prof = tu_prof(_i);
	struct fx fx;
	int map, wo;

	fx_init_of(&fx, prof);
	map = map_new(&fx, 0, 8, 4, 0);
	wo = map_new(&fx, 0, 8, 4, RP_BPF_F_WRONLY);
	occupy(&fx, map, 0, member(&fx, RP_AF_INET, RP_SOCK_DGRAM));
	if (!prof->has_batch) {
		ck_assert_int_eq(rp_map_lookup_batch(fx.st, 0, map), -EINVAL);
	} else {
		ck_assert_int_eq(rp_map_lookup_batch(fx.st, 0, 99), -EBADF);
		ck_assert_int_eq(rp_map_lookup_batch(fx.st, 0, wo), -EPERM);
		ck_assert_int_eq(rp_map_lookup_batch(fx.st, 0, map),
		    -ENOTSUPP);
	}
	ck_assert(tu_saw_rule(fx.ev, "R-CMD-2", prof->has_batch ? -ENOTSUPP :
	    -EINVAL));
	ck_assert_uint_eq(minfo(&fx, 0, map).used, 1);
	fx_fini(&fx);
}
END_TEST

/* ---------------------------------------------------------------------
 * sockarray/prog: what programs may do with the map
 */

/*
 * R-PRG-1 R-PRG-2: an SK_REUSEPORT program may pass the array only to
 * bpf_sk_select_reuseport; any other helper use fails the load; a map the
 * helper does not take (an outer map passed directly) fails too.
 */
TU_NAMED(prog_map_access, "sockarray/prog/map-access", "sockarray/commands", TU_EVERY_PROFILE)
{
	struct fx fx;
	int map, outer, prog;
	struct rp_map_attr a;

	fx_init_of(&fx, tu_prof(_i));
	map = map_new(&fx, 0, 8, 4, 0);
	prog = load_select_prog(&fx, map, false);
	ck_assert_int_ge(prog, 0);
	/* the program holds the map (R-FREE-1) */
	ck_assert_uint_eq(minfo(&fx, 0, map).refs, 2);
	fx_clear(&fx);
	ck_assert_int_eq(load_select_prog(&fx, map, true), -EINVAL);
	ck_assert(tu_saw_rule(fx.ev, "R-PRG-1", -EINVAL));
	ck_assert_uint_eq(minfo(&fx, 0, map).refs, 2);
	rp_map_attr_init(&a, RP_MAP_ARRAY_OF_MAPS, 4, 1);
	a.inner_map_fd = map;
	outer = rp_map_create(fx.st, 0, &a);
	ck_assert_int_ge(outer, 0);
	fx_clear(&fx);
	ck_assert_int_eq(load_select_prog(&fx, outer, false), -EINVAL);
	ck_assert(tu_saw_rule(fx.ev, "R-PRG-2", -EINVAL));
	fx_fini(&fx);
}
END_TEST

/* ---------------------------------------------------------------------
 * sockarray/free
 */

/*
 * R-FREE-2 R-INV-5 R-INV-6: freeing the map empties every slot in index
 * order, clearing each owner word under that socket's callback lock and
 * without the reuseport lock; the sockets stay open, listening, hashed, in
 * their groups with ids and cookies, and can join another map.
 */
TU_NAMED(free_empties, "sockarray/free/empties", "sockarray/free", TU_EVERY_PROFILE)
{
	struct fx fx;
	int map, s[3], map2;
	unsigned id[3], m;
	struct rp_sock_info before[3];
	static const int kinds[] = {
		RP_EV_LOCK, RP_EV_SLOT_CLEAR, RP_EV_OWNER_CLEAR, RP_EV_MAP_FREE,
		-1
	};
	char *tr, *want;

	fx_init_of(&fx, tu_prof(_i));
	map = map_new(&fx, 0, 8, 8, 0);
	s[0] = member(&fx, RP_AF_INET, RP_SOCK_STREAM);
	s[1] = member(&fx, RP_AF_INET6, RP_SOCK_DGRAM);
	s[2] = member(&fx, RP_AF_INET, RP_SOCK_DGRAM);
	occupy(&fx, map, 6, s[0]);
	occupy(&fx, map, 1, s[1]);
	occupy(&fx, map, 4, s[2]);
	for (int i = 0; i < 3; i++) {
		id[i] = sock_id(&fx, 0, s[i]);
		(void)cookie_of(&fx, 0, s[i]);
		before[i] = sinfo(&fx, id[i]);
	}
	m = rp_fd_map(fx.st, 0, map);
	fx_clear(&fx);
	ck_assert_int_eq(rp_close(fx.st, 0, map), 0);
	rp_state_settle(fx.st);		/* R-FREE-5: the free runs here */
	/* slot order 1, 4, 6; owner word cleared before each slot */
	tr = fx_trace(&fx, kinds);
	want = g_strdup_printf("owner_clear(%u) slot_clear(%u) "
	    "owner_clear(%u) slot_clear(%u) owner_clear(%u) slot_clear(%u) "
	    "map_free", id[1], id[1], id[2], id[2], id[0], id[0]);
	ck_assert_str_eq(tr, want);
	g_free(tr);
	g_free(want);
	ck_assert(tu_saw_rule(fx.ev, "R-FREE-2", 0));
	/* R-FREE-2: no reuseport lock; rows with switch map_free_sync_rcu
	 * (4.19-5.8) also wait for a grace period */
	ck_assert_uint_eq(tu_count(fx.ev, RP_EV_RCU_SYNC, 0),
	    fx.prof->map_free_sync_rcu ? 1 : 0);
	{
		struct rp_map_info mi;

		ck_assert_int_eq(rp_map_info(fx.st, m, &mi), -ENOENT);
	}
	for (int i = 0; i < 3; i++) {
		struct rp_sock_info in = sinfo(&fx, id[i]);

		ck_assert_int_eq(in.owner, RP_OWNER_NONE);
		ck_assert(!in.closed && in.hashed);
		ck_assert_int_eq(in.state, before[i].state);
		ck_assert_uint_eq(in.group, before[i].group);
		ck_assert_uint_eq(in.cookie, before[i].cookie);
	}
	tu_assert_invariants(fx.st);
	map2 = map_new(&fx, 0, 8, 3, 0);
	for (int i = 0; i < 3; i++)
		ck_assert_int_eq(rp_map_update(fx.st, 0, map2, (uint32_t)i,
		    (uint64_t)s[i], RP_BPF_NOEXIST), 0);
	fx_fini(&fx);
}
END_TEST

/*
 * R-CRE-6d R-FREE-2: a freed map gives its slot memory back (once the
 * deferred free ran, R-FREE-5).  Maps that each take over half of the
 * allocation limit can be made one after the other as often as wanted,
 * but never two at once.
 */
TU_NAMED(free_uncharges, "sockarray/free/uncharges", "sockarray/free", TU_EVERY_PROFILE)
{
	struct fx fx;
	struct rp_map_attr a;
	uint32_t n;

	fx_init_of(&fx, tu_prof(_i));
	fx.st->kmem_limit = UINT64_C(1) << 20;
	/* 4.19 charges RLIMIT_MEMLOCK first: make it no obstacle */
	ck_assert_int_eq(rp_proc_set_memlock(fx.st, 0, UINT64_C(1) << 40), 0);
	n = (uint32_t)(fx.st->kmem_limit / 8 / 2 + 1);
	rp_map_attr_init(&a, RP_MAP_REUSEPORT_SOCKARRAY, 8, n);
	for (int round = 0; round < 3; round++) {
		int map = map_new(&fx, 0, 8, n, 0);

		ck_assert_int_eq(rp_map_create(fx.st, 0, &a), -ENOMEM);
		ck_assert_int_eq(rp_close(fx.st, 0, map), 0);
		rp_state_settle(fx.st);		/* R-FREE-5: the free runs here */
	}
	fx_fini(&fx);
}
END_TEST

/*
 * R-CRE-6d: the slot array is allocated when it fits what is left of the
 * allocation limit, exactly too: 4 slots take 32 bytes, so 32 bytes left
 * is enough and 31 is -ENOMEM (the boundary the mutant
 * sockarray-alloc-limit moves).
 */
TU_NAMED(create_kmem_exact, "sockarray/create/kmem-exact", "sockarray/create", TU_EVERY_PROFILE)
{
	struct fx fx;
	struct rp_map_attr a;
	int map;

	fx_init_of(&fx, tu_prof(_i));
	ck_assert_int_eq(rp_proc_set_memlock(fx.st, 0, UINT64_C(1) << 40), 0);
	rp_map_attr_init(&a, RP_MAP_REUSEPORT_SOCKARRAY, 8, 4);
	fx.st->kmem_limit = fx.st->kmem_used + 31;
	ck_assert_int_eq(rp_map_create(fx.st, 0, &a), -ENOMEM);
	fx.st->kmem_limit = fx.st->kmem_used + 32;
	map = rp_map_create(fx.st, 0, &a);
	ck_assert_int_ge(map, 0);
	ck_assert_uint_eq(fx.st->kmem_used + 0, fx.st->kmem_limit);
	ck_assert_int_eq(rp_close(fx.st, 0, map), 0);
	rp_state_settle(fx.st);
	fx_fini(&fx);
}
END_TEST

/*
 * R-FREE-1 R-SOCK-8 R-SOCK-9: a map lives while any holder is left:
 * duplicated fds, fds passed to other processes, programs using it.
 * Closing every fd while a program holds it frees nothing and the slots
 * stay occupied; the last holder frees it.
 */
TU_NAMED(free_holders, "sockarray/free/holders", "sockarray/free", TU_EVERY_PROFILE)
{
	struct fx fx;
	int map, dup, p1, m1, prog, a;
	unsigned m;
	struct rp_map_info mi;

	fx_init_of(&fx, tu_prof(_i));
	map = map_new(&fx, 0, 8, 4, 0);
	m = rp_fd_map(fx.st, 0, map);
	a = member(&fx, RP_AF_INET, RP_SOCK_STREAM);
	occupy(&fx, map, 0, a);
	dup = rp_fd_dup(fx.st, 0, map);
	p1 = unpriv_proc(&fx, RP_CAP_ALL);
	m1 = rp_fd_pass(fx.st, 0, map, (unsigned)p1);
	ck_assert_int_ge(m1, 0);
	prog = load_select_prog(&fx, map, false);
	ck_assert_int_ge(prog, 0);
	ck_assert_int_eq(rp_close(fx.st, 0, map), 0);
	ck_assert_int_eq(rp_close(fx.st, 0, dup), 0);
	ck_assert_int_eq(rp_close(fx.st, (unsigned)p1, m1), 0);
	/* only the program holds it now */
	ck_assert_int_eq(rp_map_info(fx.st, m, &mi), 0);
	ck_assert_uint_eq(mi.refs, 1);
	ck_assert_uint_eq(rp_map_slot(fx.st, m, 0), sock_id(&fx, 0, a));
	{
		struct rp_sock_info in = sinfo(&fx, sock_id(&fx, 0, a));

		ck_assert_int_eq(in.owner, RP_OWNER_SLOT);
		ck_assert_uint_eq(in.owner_map, m);
	}
	tu_assert_invariants(fx.st);
	/* the last holder goes: the map is freed and its slot emptied */
	ck_assert_int_eq(rp_close(fx.st, 0, prog), 0);
	ck_assert_int_eq(rp_map_info(fx.st, m, &mi), -ENOENT);
	ck_assert_uint_eq(rp_state_settle(fx.st), 1);	/* R-FREE-5 */
	assert_released(&fx, a, 0);
	fx_fini(&fx);
}
END_TEST

/*
 * R-FREE-3: a member closes while its map is being freed, between free
 * reading the slot and taking the member's callback lock.  Detach wins and
 * empties the slot; free then finds nothing more to do for it.  Also the
 * sequential order: after free, a member's close finds a NULL owner word.
 */
TU_NAMED(free_race_detach, "sockarray/free/race-detach", "sockarray/free", TU_EVERY_PROFILE)
{
	struct fx fx;
	int map, a, b;
	unsigned sa, sb;

	fx_init_of(&fx, tu_prof(_i));
	map = map_new(&fx, 0, 8, 4, 0);
	a = member(&fx, RP_AF_INET, RP_SOCK_STREAM);
	b = member(&fx, RP_AF_INET6, RP_SOCK_DGRAM);
	sa = sock_id(&fx, 0, a);
	sb = sock_id(&fx, 0, b);
	occupy(&fx, map, 0, a);
	occupy(&fx, map, 1, b);
	fx.r_fd = b;
	fx_race(&fx, RP_SP_CB_LOCK, sb, race_close);
	fx_clear(&fx);
	ck_assert_int_eq(rp_close(fx.st, 0, map), 0);
	rp_state_settle(fx.st);		/* R-FREE-5: the free runs here */
	fx_race_off(&fx);
	ck_assert_int_eq(fx.r_ret, 0);
	ck_assert_uint_eq(tu_count(fx.ev, RP_EV_SLOT_CLEAR, 0), 2);	/* one each */
	ck_assert(tu_saw_rule(fx.ev, "R-DET-1", 0));
	ck_assert(tu_saw_rule(fx.ev, "R-FREE-2", 0));
	{
		char *v = rp_state_take_violation(fx.st);

		ck_assert_msg(v == NULL, "%s", v);
	}
	tu_assert_invariants(fx.st);
	assert_released(&fx, a, 0);
	/* free first, then the close: detach finds nothing */
	fx_clear(&fx);
	ck_assert_int_eq(rp_close(fx.st, 0, a), 0);
	ck_assert_uint_eq(tu_count(fx.ev, RP_EV_SLOT_CLEAR, 0), 0);
	{
		struct rp_sock_info in;

		if (rp_sock_info(fx.st, sa, &in) == 0)
			ck_assert_int_eq(in.owner, RP_OWNER_NONE);
	}
	fx_fini(&fx);
}
END_TEST

/* R-FREE-2 R-INV-12: the planted fault (free writes owner words without
 * the callback lock) is caught by the lock checks. */
TU_NAMED(free_planted, "sockarray/free/planted", "sockarray/free", TU_EVERY_PROFILE)
{
	struct fx fx;
	GError *err = NULL;
	int map;

	fx_init_of(&fx, tu_prof(_i));
	map = map_new(&fx, 0, 8, 4, 0);
	occupy(&fx, map, 2, member(&fx, RP_AF_INET, RP_SOCK_STREAM));
	rp_state_plant(fx.st, RP_PLANT_FREE_NO_CB_LOCK);
	ck_assert_int_eq(rp_close(fx.st, 0, map), 0);
	rp_state_settle(fx.st);
	ck_assert(!rp_check(fx.st, &err));
	ck_assert_ptr_nonnull(strstr(err->message, "I12"));
	g_clear_error(&err);
	g_free(rp_state_take_violation(fx.st));
	rp_state_free(fx.st);
	g_array_unref(fx.ev);
}
END_TEST

/* ---------------------------------------------------------------------
 * sockarray/test-maps: docs/kernel-semantics.md §11.1, test_reuseport_array()
 *
 * The selftest is one sequence; case r replays it from the start up to
 * and including row r (rows 7-17 under both socket types), asserting
 * every row on the way.
 */

struct tmrun {
	struct fx	*fx;
	int		target;		/* stop after this row */
	int		type_i;		/* 0: SOCK_STREAM, 1: SOCK_DGRAM */
	int		map;
	int		idx;		/* fds_idx of the selftest */
	int		g[2];
	uint64_t	cookie[2];
	bool		done;
};

static bool
tm_at(struct tmrun *t, int row)
{
	if (row == t->target && (row < 7 || row > 17 || t->type_i == 1))
		t->done = true;
	return t->done;
}

#define TM_EQ(t, row, got, want)					\
	ck_assert_msg((got) == (want), "test_maps row %d (%s, type %d): " \
	    "got %d, want %d", row, (t)->fx->prof->name, (t)->type_i,	\
	    (int)(got), (int)(want))

/* prepare_reuseport_grp(): rows P1-P5 for n sockets of type. */
static void
tm_prepare(struct tmrun *t, int type, uint32_t vs, int n)
{
	struct rp_state *st = t->fx->st;
	uint16_t port = 0;

	for (int i = 0; i < n; i++) {
		int fd = raw_sock(t->fx, 0, RP_AF_INET6, type, 0);
		/* the selftest passes a 4-byte fd to a 4-byte map */
		uint64_t val = vs == 8 ? (uint64_t)fd : (uint64_t)(uint32_t)fd;
		struct rp_sockaddr sa;

		ck_assert_int_eq(rp_setsockopt_int(st, 0, fd, RP_SO_REUSEPORT,
		    1), 0);
		/* P1: unbound -> EINVAL (R-UPD-6f) */
		TM_EQ(t, 0, rp_map_update(st, 0, t->map, 0, val, RP_BPF_ANY),
		    -EINVAL);
		/* P2: bind [::]:0, then the first socket's port */
		sa = tu_addr(RP_AF_INET6, 0, port);
		TM_EQ(t, 0, rp_bind(st, 0, fd, &sa), 0);
		if (i == 0)
			port = tu_port(st, 0, fd);
		/* P3 (R-SOCK-10) */
		t->cookie[i] = cookie_of(t->fx, 0, fd);
		if (type == RP_SOCK_STREAM) {
			/* P4: bound, not listening -> EINVAL (R-UPD-12) */
			TM_EQ(t, 0, rp_map_update(st, 0, t->map, 0, val,
			    RP_BPF_ANY), -EINVAL);
			/* P5 */
			TM_EQ(t, 0, rp_listen(st, 0, fd, 0), 0);
		}
		t->g[i] = fd;
	}
	if (n == 2)
		ck_assert_uint_eq(
		    sinfo(t->fx, sock_id(t->fx, 0, t->g[0])).group,
		    sinfo(t->fx, sock_id(t->fx, 0, t->g[1])).group);
}

/* REUSEPORT_FD_IDX(err, last): flips on success */
static void
tm_flip(struct tmrun *t, int err)
{
	if (err == 0)
		t->idx = !t->idx;
}

static void
tm_run(struct fx *fx, int target)
{
	static const int types[2] = { RP_SOCK_STREAM, RP_SOCK_DGRAM };
	struct tmrun tt = { .fx = fx, .target = target }, *t = &tt;
	struct rp_state *st = fx->st;
	uint64_t v = 0;
	int err, fd64, raw;

	t->map = map_new(fx, 0, 8, 4, 0);			/* row 1 */
	if (tm_at(t, 1))
		return;
	TM_EQ(t, 2, rp_map_delete(st, 0, t->map, 4), -E2BIG);
	if (tm_at(t, 2))
		return;
	TM_EQ(t, 3, rp_map_update(st, 0, t->map, 4, U64_M1, RP_BPF_ANY),
	    -E2BIG);
	if (tm_at(t, 3))
		return;
	TM_EQ(t, 4, rp_map_lookup(st, 0, t->map, 4, &v, 0), -ENOENT);
	if (tm_at(t, 4))
		return;
	TM_EQ(t, 5, rp_map_lookup(st, 0, t->map, 3, &v, 0), -ENOENT);
	if (tm_at(t, 5))
		return;
	TM_EQ(t, 6, rp_map_delete(st, 0, t->map, 3), -ENOENT);
	if (tm_at(t, 6))
		return;
	for (t->type_i = 0; t->type_i < 2; t->type_i++) {
		tm_prepare(t, types[t->type_i], 8, 2);
		err = rp_map_update(st, 0, t->map, 3, (uint64_t)t->g[t->idx],
		    RP_BPF_EXIST);
		TM_EQ(t, 7, err, -ENOENT);
		if (tm_at(t, 7))
			return;
		err = rp_map_update(st, 0, t->map, 3, (uint64_t)t->g[t->idx],
		    RP_BPF_NOEXIST);
		TM_EQ(t, 8, err, 0);
		tm_flip(t, err);
		if (tm_at(t, 8))
			return;
		err = rp_map_update(st, 0, t->map, 3, (uint64_t)t->g[t->idx],
		    RP_BPF_EXIST);
		TM_EQ(t, 9, err, 0);
		/* the evicted socket's owner word is cleared */
		ck_assert_int_eq(sinfo(fx, sock_id(fx, 0,
		    t->g[!t->idx])).owner, RP_OWNER_NONE);
		tm_flip(t, err);
		if (tm_at(t, 9))
			return;
		err = rp_map_update(st, 0, t->map, 3, (uint64_t)t->g[t->idx],
		    RP_BPF_NOEXIST);
		TM_EQ(t, 10, err, -EEXIST);
		tm_flip(t, err);
		if (tm_at(t, 10))
			return;
		err = rp_map_update(st, 0, t->map, 3, (uint64_t)t->g[t->idx],
		    RP_BPF_ANY);
		TM_EQ(t, 11, err, 0);
		fd64 = t->g[t->idx];
		assert_in_slot(fx, t->map, 3, fd64);
		if (tm_at(t, 11))
			return;
		TM_EQ(t, 12, rp_map_update(st, 0, t->map, 3, (uint64_t)fd64,
		    RP_BPF_ANY), -EBUSY);
		if (tm_at(t, 12))
			return;
		TM_EQ(t, 13, rp_map_update(st, 0, t->map, 0, (uint64_t)fd64,
		    RP_BPF_ANY), -EBUSY);
		if (tm_at(t, 13))
			return;
		TM_EQ(t, 14, rp_map_delete(st, 0, t->map, 3), 0);
		if (tm_at(t, 14))
			return;
		TM_EQ(t, 15, rp_map_update(st, 0, t->map, 3, (uint64_t)fd64,
		    RP_BPF_NOEXIST), 0);
		if (tm_at(t, 15))
			return;
		TM_EQ(t, 16, rp_map_lookup(st, 0, t->map, 3, &v, 0), 0);
		ck_assert_msg(v == t->cookie[t->idx], "test_maps row 16: "
		    "lookup %" G_GUINT64_FORMAT " != SO_COOKIE %"
		    G_GUINT64_FORMAT, v, t->cookie[t->idx]);
		if (tm_at(t, 16))
			return;
		for (int f = 0; f < 2; f++)
			ck_assert_int_eq(rp_close(st, 0, t->g[f]), 0);
		TM_EQ(t, 17, rp_map_lookup(st, 0, t->map, 3, &v, 0), -ENOENT);
		if (tm_at(t, 17))
			return;
	}
	t->type_i = 2;
	raw = raw_sock(fx, 0, RP_AF_INET6, RP_SOCK_RAW, RP_IPPROTO_UDP);
	TM_EQ(t, 18, rp_map_update(st, 0, t->map, 3, (uint64_t)raw,
	    RP_BPF_NOEXIST), -ENOTSUPP);
	ck_assert_int_eq(rp_close(st, 0, raw), 0);
	if (tm_at(t, 18))
		return;
	ck_assert_int_eq(rp_close(st, 0, t->map), 0);
	t->map = map_new(fx, 0, 4, 4, 0);
	if (tm_at(t, 19))
		return;
	tm_prepare(t, RP_SOCK_STREAM, 4, 1);
	if (tm_at(t, 20))
		return;
	TM_EQ(t, 21, rp_map_update(st, 0, t->map, 3,
	    (uint64_t)(uint32_t)t->g[0], RP_BPF_NOEXIST), 0);
	if (tm_at(t, 21))
		return;
	TM_EQ(t, 22, rp_map_lookup(st, 0, t->map, 3, &v, 0), -ENOSPC);
	ck_assert_int_eq(rp_close(st, 0, t->g[0]), 0);
	ck_assert_int_eq(rp_close(st, 0, t->map), 0);
}

/* The rows of §11.1 and the rules each pins. */
static const struct {
	int		row;
	const char	*name;
	const char	*rules;
} tm_rows[] = {
	{ 1, "sockarray/test-maps/01-create", "R-CRE-9" },
	{ 2, "sockarray/test-maps/02-delete-out-of-range", "R-DEL-1" },
	{ 3, "sockarray/test-maps/03-update-out-of-range", "R-UPD-2" },
	{ 4, "sockarray/test-maps/04-lookup-out-of-range", "R-LKP-3b" },
	{ 5, "sockarray/test-maps/05-lookup-empty", "R-LKP-3c" },
	{ 6, "sockarray/test-maps/06-delete-empty", "R-DEL-2" },
	{ 7, "sockarray/test-maps/07-exist-empty", "R-UPD-6b R-UPD-12" },
	{ 8, "sockarray/test-maps/08-noexist-empty", "R-UPD-9" },
	{ 9, "sockarray/test-maps/09-exist-replace", "R-UPD-10" },
	{ 10, "sockarray/test-maps/10-noexist-occupied", "R-UPD-6a" },
	{ 11, "sockarray/test-maps/11-any-replace", "R-UPD-10" },
	{ 12, "sockarray/test-maps/12-same-sk-same-index", "R-UPD-6g" },
	{ 13, "sockarray/test-maps/13-same-sk-other-index", "R-UPD-6g" },
	{ 14, "sockarray/test-maps/14-delete", "R-DEL-3" },
	{ 15, "sockarray/test-maps/15-re-add-after-delete", "R-UPD-9" },
	{ 16, "sockarray/test-maps/16-lookup-cookie", "R-LKP-3d R-SOCK-10" },
	{ 17, "sockarray/test-maps/17-removed-by-close", "R-DET-4 R-DET-5" },
	{ 18, "sockarray/test-maps/18-raw-socket", "R-UPD-6e" },
	{ 19, "sockarray/test-maps/19-create-value4", "R-CRE-9 R-FREE-2" },
	{ 20, "sockarray/test-maps/20-prepare-value4", "R-UPD-12 R-UPD-3b" },
	{ 21, "sockarray/test-maps/21-update-fd32", "R-UPD-3b R-UPD-9" },
	{ 22, "sockarray/test-maps/22-lookup-value4", "R-LKP-3a" },
};

TU_NAMED(test_maps_row, "sockarray/test-maps/row", "sockarray/test-maps",
    TU_BY_PROFILE(tm_rows))
{
	int r = TU_CASE_OF(_i);
	struct fx fx;

	fx_init(&fx, TU_ROW_OF(_i));
	ck_assert_int_eq(tm_rows[r].row, r + 1);
	tm_run(&fx, tm_rows[r].row);
	fx_fini(&fx);
}
END_TEST

/* main() of test_maps runs every map test twice (map_flags 0, then
 * BPF_F_NO_PREALLOC, which this test ignores): the second run passes the
 * same way with cookies that keep advancing. R-COOK-1 R-COOK-3 R-COOK-4 */
TU_NAMED(test_maps_twice, "sockarray/test-maps/twice", "sockarray/test-maps", TU_EVERY_PROFILE)
{
	struct fx fx;

	fx_init_of(&fx, tu_prof(_i));
	tm_run(&fx, 99);
	tm_run(&fx, 99);
	fx_fini(&fx);
}
END_TEST

/* ---------------------------------------------------------------------
 * sockarray/large
 */

/*
 * R-CRE-6c R-CRE-9 R-NXT-3 R-LKP-3d R-FREE-2: a map of 1,000,000 entries
 * works end to end (rows with switch memlock_rlimit need RLIMIT_MEMLOCK
 * for its 1954 pages).
 */
TU_NAMED(large_million, "sockarray/large/million", "sockarray/large", TU_EVERY_PROFILE)
{
	enum { N = 1000000 };
	static const uint32_t keys[] = { 0, 1, N / 2, N - 2, N - 1 };
	struct fx fx;
	struct rp_map_attr a;
	int map, s[G_N_ELEMENTS(keys)];
	uint32_t k, next;
	uint64_t v;

	fx_init_of(&fx, tu_prof(_i));
	rp_map_attr_init(&a, RP_MAP_REUSEPORT_SOCKARRAY, 8, N);
	/* memlock_rlimit: 1954 pages are over the 64 KiB default limit */
	ck_assert_int_eq(rp_map_create(fx.st, 0, &a),
	    fx.prof->memlock_rlimit ? -EPERM : 3);
	if (!fx.prof->memlock_rlimit)
		ck_assert_int_eq(rp_close(fx.st, 0, 3), 0);
	ck_assert_int_eq(rp_proc_set_memlock(fx.st, 0, UINT64_C(16) << 20),
	    0);
	map = rp_map_create(fx.st, 0, &a);
	ck_assert_int_ge(map, 0);
	for (size_t i = 0; i < G_N_ELEMENTS(keys); i++) {
		s[i] = member(&fx, i % 2 ? RP_AF_INET6 : RP_AF_INET,
		    i % 3 ? RP_SOCK_STREAM : RP_SOCK_DGRAM);
		ck_assert_int_eq(rp_map_update(fx.st, 0, map, keys[i],
		    (uint64_t)s[i], RP_BPF_NOEXIST), 0);
	}
	ck_assert_int_eq(rp_map_update(fx.st, 0, map, N, (uint64_t)s[0], 0),
	    -E2BIG);
	for (size_t i = 0; i < G_N_ELEMENTS(keys); i++) {
		ck_assert_int_eq(rp_map_lookup(fx.st, 0, map, keys[i], &v, 0),
		    0);
		ck_assert_uint_eq(v, cookie_of(&fx, 0, s[i]));
	}
	ck_assert_int_eq(rp_map_lookup(fx.st, 0, map, N / 2 + 1, &v, 0),
	    -ENOENT);
	ck_assert_int_eq(rp_map_lookup(fx.st, 0, map, N, &v, 0), -ENOENT);
	k = N - 2;
	ck_assert_int_eq(rp_map_get_next_key(fx.st, 0, map, &k, &next), 0);
	ck_assert_uint_eq(next, N - 1);
	k = N - 1;
	ck_assert_int_eq(rp_map_get_next_key(fx.st, 0, map, &k, &next),
	    -ENOENT);
	k = N;
	ck_assert_int_eq(rp_map_get_next_key(fx.st, 0, map, &k, &next), 0);
	ck_assert_uint_eq(next, 0);
	ck_assert_int_eq(rp_map_delete(fx.st, 0, map, N - 1), 0);
	ck_assert_int_eq(rp_map_delete(fx.st, 0, map, N), -E2BIG);
	ck_assert_uint_eq(minfo(&fx, 0, map).used, G_N_ELEMENTS(keys) - 1);
	tu_assert_invariants(fx.st);
	ck_assert_int_eq(rp_close(fx.st, 0, map), 0);
	rp_state_settle(fx.st);		/* R-FREE-5 */
	for (size_t i = 0; i < G_N_ELEMENTS(keys); i++)
		assert_released(&fx, s[i], 0);
	fx_fini(&fx);
}
END_TEST

/* ---------------------------------------------------------------------
 * The suite
 */


TU_TCASE("sockarray/large", 60, NULL, NULL)


TU_MAIN("sockarray")
