/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * profile.c - behaviour profiles.  One row per modelled kernel; every
 * version difference of docs/SPEC.md is one named switch of struct
 * rp_profile (rp-int.h).  Adding a profile is adding a row here.
 *
 * The oldest row, 4.19, names every switch.  Every other row is the row
 * it follows (its base) plus the assignments of its own delta function,
 * so that each row states its difference once: a value set in a delta is
 * a behaviour change between the base's version and the row's (the
 * "Switches by version and variant" table of docs/SPEC.md gives each with
 * the version that changed it), or, in a variant row, the build
 * difference its name lists.  tests/check_profile.c holds the resulting
 * value of every switch of every row.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "rp-int.h"

/* Linux v4.19 as released (Oct 2018). */
static const struct rp_profile row_4_19 = {
	.name = "4.19",
	.lazy_group_id = true,
	.user_data_tags = false,
	.cookie_gen = RP_COOKIE_PER_NETNS,
	.cookie_single_cas = false,
	.cap_rule = RP_CAPRULE_SYS_ADMIN_ALLOC,
	.unpriv_gate = RP_UNPRIV_GATE_ALL_SYS_ADMIN,
	.unpriv_default = 0,
	.memlock_rlimit = true,
	.oversize_errno = ENOMEM,
	.allowed_map_flags = RP_BPF_F_NUMA_NODE | RP_BPF_F_RDONLY |
	    RP_BPF_F_WRONLY,
	.store_rdwr_flags = true,
	.name_allows_dot = false,
	.attr_flags_check = false,
	.has_freeze = false,
	.has_lookup_and_delete = false,
	.has_batch = false,
	.btf_value_checked = false,
	.create_extra_attrs = false,
	.inner_max_entries_eq = true,
	.sockmap_select = false,
	.sockmap_rejects_sockarray = false,
	.helper_enoent_id0 = true,
	.migration = false,
	.has_conns = false,
	.detach_bpf_opt = false,
	.incoming_cpu = false,
	.expected_attach = false,
	.prog_cap_bpf = false,
	.map_free_sync_rcu = true,
	.bind_conflict_closed_ok = false,
	.detach_prog_enoent_closed = false,
	.memlock_usage_exact = false,
	.reuseport_inet_only = false,
	.udp_connect_leaves_group = false,
	.udp_disconnect_unhash4 = false,
	.lo_subnet_broadcast = true,
	.bpf_token = false,
	.sockmap_unix = false,
	.sockmap_keeps_unhashed = RP_SMAP_UNHASH_DROP,
	.outer_batch = false,
	.somaxconn = 128,
	.bind_fast_strict = false,
	.attach_unhashed_strict = false,
	.bpf_version = 419,
	.bpf_jmp32 = false,
	.bpf_loops = false,
	.bpf_atomics = false,
	.bpf_cpuv4 = false,
	.bpf_map_value_ld = false,
	.bpf_insn_limit = 4096,
	.bpf_ctx_narrow_any = false,
	.bpf_stack_jit = false,
	.bpf_load_bytes_int_max = false,
	.bpf_sockmap_update = false,
	.ipproto_max = 256,
	.mptcp = false,
	.attach_shutdown_listener = RP_ATTACH_SHUTDOWN_RESURRECT,
	.udp_bind_walk = RP_UDP_BIND_FIRST_SHARER,
	.tcp_role_change = RP_ROLE_CHANGE_ALLOWED,
	.freeze_rule = RP_FREEZE_CAPABLE,	/* no BPF_MAP_FREEZE (has_freeze) */
	.migrate_req_sysctl = false,
	.lookup_flags_after_perm = false,
	.udplite = true,
	.cbpf_optmem_insns = 2549,	/* optmem_max 20480; 5.10's, assumed */
};

/*
 * The long-term kernels of Debian 11, 12 and 13 as Debian ships them (the
 * latest stable of each line, with its backports), checked against those
 * kernels booted under qemu (docs/kernel-vm.md).
 */

/*
 * Linux 5.10 (Debian 11 bullseye, 5.10.2xx): 4.19 and these changes.
 * Measured there as 4.19 has them: attach_unhashed_strict false,
 * freeze_rule RP_FREEZE_CAPABLE, cbpf_optmem_insns 2549 (2550 is
 * -ENOMEM).
 */
static void
delta_5_10(struct rp_profile *p)
{
	p->name = "5.10";
	p->lazy_group_id = false;		/* 5.7: id at group creation */
	p->user_data_tags = true;		/* 5.8 */
	p->cookie_gen = RP_COOKIE_PERCPU;	/* 5.10 */
	p->cap_rule = RP_CAPRULE_BPF_ALLOC;	/* 5.8 CAP_BPF */
	p->unpriv_gate = RP_UNPRIV_GATE_ALL_BPF;	/* measured */
	p->unpriv_default = 2;	/* Debian: BPF_UNPRIV_DEFAULT_OFF */
	/* memlock_rlimit stays: until 5.10 */
	p->oversize_errno = E2BIG;	/* 5.3-5.10: bpf_map_charge_init() */
	p->allowed_map_flags |= RP_BPF_F_RDONLY_PROG | RP_BPF_F_WRONLY_PROG;
	p->store_rdwr_flags = false;
	p->name_allows_dot = true;
	p->attr_flags_check = true;
	p->has_freeze = true;
	p->has_lookup_and_delete = true;
	p->has_batch = true;
	p->btf_value_checked = true;
	/* map_extra (5.16) is attr tail here: the same -EINVAL at the
	 * same point */
	p->create_extra_attrs = true;
	p->inner_max_entries_eq = false;	/* 5.10 */
	p->sockmap_select = true;		/* 5.7 */
	p->helper_enoent_id0 = false;	/* 5.7 */
	p->has_conns = true;
	p->detach_bpf_opt = true;
	p->prog_cap_bpf = true;
	p->map_free_sync_rcu = false;	/* 5.9 */
	p->sockmap_keeps_unhashed = RP_SMAP_UNHASH_KEEP_TCP;
	/* 5.4: SOMAXCONN 4096 (scenarios/group/accept-queue-full.scn) */
	p->somaxconn = 4096;
	/* measured: the knob, no migration (5.14) */
	p->migrate_req_sysctl = true;
	p->ipproto_max = 263;		/* 5.6+: IPPROTO_MPTCP 262 */
	p->mptcp = true;
	p->bpf_version = 510;
	p->bpf_jmp32 = true;
	p->bpf_loops = true;
	p->bpf_map_value_ld = true;
	p->bpf_insn_limit = 1000000;	/* BPF_COMPLEXITY_LIMIT_INSNS */
	p->bpf_ctx_narrow_any = true;
	p->bpf_load_bytes_int_max = true;
	p->bpf_sockmap_update = true;
}

/* Linux 6.1 (Debian 12 bookworm, 6.1.1xx): 5.10 and these changes. */
static void
delta_6_1(struct rp_profile *p)
{
	p->name = "6.1";
	/* the subnet's own address is no longer a broadcast (measured:
	 * connect() to 127.0.0.0 is -EACCES for UDP in 5.10.262, 0 in
	 * 6.1.192; group/connect-route.scn) */
	p->lo_subnet_broadcast = false;
	p->unpriv_gate = RP_UNPRIV_GATE_CREATE_ENTRY;	/* 5.19 .. 6.4 */
	p->memlock_rlimit = false;	/* 5.11: memcg */
	p->oversize_errno = ENOMEM;
	p->sockmap_rejects_sockarray = true;	/* 6.0 */
	p->migration = true;		/* 5.14 */
	p->incoming_cpu = true;		/* 6.1 */
	p->expected_attach = true;	/* 5.14 */
	p->bind_conflict_closed_ok = true;
	p->detach_prog_enoent_closed = true;
	p->reuseport_inet_only = true;	/* 6.9; in 6.1.y (measured) */
	/* 5.15 (measured on 6.18: scenarios/map/sockmap-unix.scn) */
	p->sockmap_unix = true;
	/* measured on 6.18 (scenarios/map/sockmap-unhash.scn) */
	p->sockmap_keeps_unhashed = RP_SMAP_UNHASH_KEEP;
	p->outer_batch = true;
	p->attach_unhashed_strict = true;
	p->cbpf_optmem_insns = 2547;	/* measured: 2548 is -ENOMEM */
	p->bpf_version = 601;
	p->bpf_atomics = true;		/* 5.12 */
}

/* Linux 6.12 (Debian 13 trixie, 6.12.1xx): 6.1 and these changes. */
static void
delta_6_12(struct rp_profile *p)
{
	p->name = "6.12";
	p->cookie_single_cas = true;	/* 6.2 */
	p->cap_rule = RP_CAPRULE_BPF_CENTRAL;	/* 6.5 */
	p->unpriv_gate = RP_UNPRIV_GATE_CREATE_CENTRAL;	/* 6.5 */
	p->memlock_usage_exact = true;	/* 6.4 */
	p->bpf_token = true;		/* 6.9 */
	/* measured on 6.12 and 6.18, not on 5.10 and 6.1
	 * (scenarios/group/bind-fast-path.scn) */
	p->bind_fast_strict = true;
	p->freeze_rule = RP_FREEZE_WRITABLE_FD;	/* measured */
	/* measured: 6.1.192 takes the options, 6.12.118 refuses
	 * (scenarios/group/mptcp-connected-options.scn) */
	p->mptcp_subflow_einval = true;
	/* optmem_max 131072: BPF_MAXINSNS */
	p->cbpf_optmem_insns = 4096;
	p->bpf_version = 612;
	p->bpf_cpuv4 = true;		/* 6.6 */
	p->bpf_stack_jit = true;	/* 6.9 */
}

/*
 * Linux 6.18, the kernel on our machines ([CUR] of docs/kernel-semantics.md):
 * 6.12 and these changes.  attach_shutdown_listener stays
 * RP_ATTACH_SHUTDOWN_RESURRECT: Debian's 6.18.15 and 7.2.13 resurrect;
 * these machines' 6.18.44 build refuses (EINVAL), the variant rows below
 * (group/resurrect-attach*.scn).
 */
static void
delta_6_18(struct rp_profile *p)
{
	p->name = "6.18";
	/* measured on the live 6.18 kernel
	 * (scenarios/detach/udp-connect-bound.scn): a UDP member bound to
	 * a specific address leaves its group on connect(), as a
	 * wildcard-bound one does through the rehash */
	p->udp_connect_leaves_group = true;
	p->bpf_version = 618;
}

/*
 * A build variant of 6.18: the 6.18 row with attach_shutdown_listener set
 * to its other alternative, as measured on these machines' 6.18.44 build.
 * Variant rows are named BASE+WHAT; --profile auto and
 * rp_profile_for_release() never pick them.
 */
static void
delta_6_18_attach_einval(struct rp_profile *p)
{
	p->name = "6.18+attach-einval";
	p->attach_shutdown_listener = RP_ATTACH_SHUTDOWN_EINVAL;
}

/*
 * The build of these machines, 6.18.44-fc, as calibrate measures it: the
 * 6.18 row with three switches at their other alternative
 * (attach_shutdown_listener, tcp_role_change, udp_bind_walk), built on
 * the row of the first.  The name lists the variants it combines; a
 * scenario's `@6.18+attach-einval` override applies to it too
 * (docs/scenario-language.md).
 */
static void
delta_6_18_fc(struct rp_profile *p)
{
	p->name = "6.18+attach-einval+role-einval+udp-bind-walk";
	p->udp_bind_walk = RP_UDP_BIND_EXACT_SHARER;
	p->tcp_role_change = RP_ROLE_CHANGE_EINVAL;
}

/* Linux 7.2 (Debian sid, 7.2.13): 6.18 and the changes of 6.19 to 7.2. */
static void
delta_7_2(struct rp_profile *p)
{
	p->name = "7.2";
	p->lookup_flags_after_perm = true;	/* 6.19 */
	p->udplite = false;		/* 7.1 */
	/* measured on 7.2.13, not on the 6.18.44 build of these machines:
	 * a disconnected UDP socket's next connect() leaves its group
	 * again (group/udp-connect-hash4.scn) */
	p->udp_disconnect_unhash4 = true;
	p->bpf_version = 702;
}

/*
 * The rows in version order, the order in which tools list and run them
 * (rp_profile_nth()); a variant follows its base.  A row's base comes
 * before it.
 */
enum {
	ROW_4_19, ROW_5_10, ROW_6_1, ROW_6_12, ROW_6_18,
	ROW_6_18_ATTACH_EINVAL, ROW_6_18_FC, ROW_7_2, NROWS
};

static const struct {
	int	base;			/* -1: row_4_19 itself */
	void	(*delta)(struct rp_profile *);
} row_defs[NROWS] = {
	[ROW_4_19] = { -1, NULL },
	[ROW_5_10] = { ROW_4_19, delta_5_10 },
	[ROW_6_1] = { ROW_5_10, delta_6_1 },
	[ROW_6_12] = { ROW_6_1, delta_6_12 },
	[ROW_6_18] = { ROW_6_12, delta_6_18 },
	[ROW_6_18_ATTACH_EINVAL] = { ROW_6_18, delta_6_18_attach_einval },
	[ROW_6_18_FC] = { ROW_6_18_ATTACH_EINVAL, delta_6_18_fc },
	[ROW_7_2] = { ROW_6_18, delta_7_2 },
};

/* The rows, built once at first use (thread-safe) and never changed
 * after: row n, or NULL past the end. */
static const struct rp_profile *
row(size_t n)
{
	static struct rp_profile rows[NROWS];
	static gsize built;

	if (g_once_init_enter(&built)) {
		for (size_t i = 0; i < NROWS; i++) {
			int b = row_defs[i].base;

			g_assert(b < (int)i);
			rows[i] = b < 0 ? row_4_19 : rows[b];
			if (row_defs[i].delta != NULL)
				row_defs[i].delta(&rows[i]);
		}
		g_once_init_leave(&built, 1);
	}
	return n < NROWS ? &rows[n] : NULL;
}

/* The profile called name, or NULL.  Cannot fail otherwise. */
const struct rp_profile *
rp_profile_find(const char *name)
{
	g_return_val_if_fail(name != NULL, NULL);
	for (size_t i = 0; i < NROWS; i++)
		if (strcmp(row(i)->name, name) == 0)
			return row(i);
	return NULL;
}

const char *
rp_profile_name(const struct rp_profile *p)
{
	g_return_val_if_fail(p != NULL, NULL);
	return p->name;
}

/* The n-th profile in table order, NULL past the end. */
const struct rp_profile *
rp_profile_nth(size_t n)
{
	return row(n);
}

/* Reads "N.M" at the start of s into *ma, *mi and sets *end after it.
 * FALSE when s does not start with N.M. */
static bool
major_minor(const char *s, unsigned long *ma, unsigned long *mi,
    const char **endp)
{
	char *end;

	if (*s < '0' || *s > '9')
		return false;
	*ma = strtoul(s, &end, 10);
	if (*end != '.' || end[1] < '0' || end[1] > '9')
		return false;
	*mi = strtoul(end + 1, &end, 10);
	*endp = end;
	return true;
}

/*
 * The profile nearest at or below a kernel release (what --profile auto
 * picks): the highest N.M not above the release's first two numbers,
 * compared as numbers (6.9 is below 6.18); variant rows are not
 * candidates.  NULL when release does not start with N.M or is older than
 * every profile.  Cannot fail otherwise.
 */
const struct rp_profile *
rp_profile_for_release(const char *release)
{
	const struct rp_profile *best = NULL;
	unsigned long ma, mi, bma = 0, bmi = 0;

	const char *end;

	g_return_val_if_fail(release != NULL, NULL);
	if (!major_minor(release, &ma, &mi, &end))
		return NULL;
	for (size_t i = 0; i < NROWS; i++) {
		unsigned long pma, pmi;

		/* variant rows (BASE+WHAT) are never picked by version */
		if (!major_minor(row(i)->name, &pma, &pmi, &end) ||
		    *end != '\0')
			continue;
		if (pma > ma || (pma == ma && pmi > mi))
			continue;
		if (best == NULL || pma > bma || (pma == bma && pmi > bmi)) {
			best = row(i);
			bma = pma;
			bmi = pmi;
		}
	}
	return best;
}

/* The capability that passes the kernel.unprivileged_bpf_disabled gate. */
uint64_t
rp_unpriv_caps(const struct rp_profile *p)
{
	return p->unpriv_gate == RP_UNPRIV_GATE_ALL_SYS_ADMIN ?
	    RP_CAP_SYS_ADMIN : RP_CAP_BPF | RP_CAP_SYS_ADMIN;
}

/* ---------------------------------------------------------------------
 * Build variants
 */

const char *
rp_switch_name(enum rp_variant_switch sw)
{
	switch (sw) {
	case RP_SWITCH_ATTACH_SHUTDOWN_LISTENER:
		return "attach_shutdown_listener";
	case RP_SWITCH_UDP_BIND_WALK:
		return "udp_bind_walk";
	case RP_SWITCH_TCP_ROLE_CHANGE:
		return "tcp_role_change";
	default:
		g_return_val_if_reached(NULL);	/* LCOV_EXCL_LINE */
	}
}

const char *
rp_switch_value_name(enum rp_variant_switch sw, int v)
{
	static const char *const attach[] = { "resurrect", "einval" };
	static const char *const walk[] = { "first-sharer", "exact-sharer" };
	static const char *const role[] = { "allowed", "einval" };

	switch (sw) {
	case RP_SWITCH_ATTACH_SHUTDOWN_LISTENER:
		return v >= 0 && v < (int)G_N_ELEMENTS(attach) ? attach[v] :
		    NULL;
	case RP_SWITCH_UDP_BIND_WALK:
		return v >= 0 && v < (int)G_N_ELEMENTS(walk) ? walk[v] : NULL;
	case RP_SWITCH_TCP_ROLE_CHANGE:
		return v >= 0 && v < (int)G_N_ELEMENTS(role) ? role[v] : NULL;
	default:
		g_return_val_if_reached(NULL);	/* LCOV_EXCL_LINE */
	}
}

int
rp_profile_switch(const struct rp_profile *p, enum rp_variant_switch sw)
{
	g_return_val_if_fail(p != NULL, -1);
	switch (sw) {
	case RP_SWITCH_ATTACH_SHUTDOWN_LISTENER:
		return p->attach_shutdown_listener ==
		    RP_ATTACH_SHUTDOWN_EINVAL ? 1 : 0;
	case RP_SWITCH_UDP_BIND_WALK:
		return p->udp_bind_walk == RP_UDP_BIND_EXACT_SHARER ? 1 : 0;
	case RP_SWITCH_TCP_ROLE_CHANGE:
		return p->tcp_role_change == RP_ROLE_CHANGE_EINVAL ? 1 : 0;
	default:
		g_return_val_if_reached(-1);	/* LCOV_EXCL_LINE */
	}
}

/* Do a and b name the same N.M? */
static bool
same_version(const char *a, const char *b)
{
	unsigned long ama, ami, bma, bmi;
	const char *end;

	return major_minor(a, &ama, &ami, &end) &&
	    major_minor(b, &bma, &bmi, &end) && ama == bma && ami == bmi;
}

/*
 * The row of base's version whose every switch has the value measured
 * (values[sw]; a negative value matches anything): base itself when it
 * matches, else the first variant row of that version that does; NULL
 * when the model has no such row.
 */
const struct rp_profile *
rp_profile_variant(const struct rp_profile *base, const int *values)
{
	g_return_val_if_fail(base != NULL && values != NULL, NULL);
	for (int pass = 0; pass < 2; pass++) {
		for (size_t i = 0; i < NROWS; i++) {
			const struct rp_profile *p = pass == 0 ? base : row(i);
			bool all = true;

			if (!same_version(p->name, base->name))
				continue;
			for (int sw = 0; sw < RP_SWITCH_COUNT; sw++)
				if (values[sw] >= 0 && rp_profile_switch(p,
				    (enum rp_variant_switch)sw) != values[sw])
					all = false;
			if (all)
				return p;
			if (pass == 0)
				break;
		}
	}
	return NULL;
}
