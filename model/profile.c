/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * profile.c - behaviour profiles.  One row per modelled kernel; every
 * version difference of docs/SPEC.md is one named switch of struct
 * rp_profile (rp-int.h).  Adding a profile is adding a row here.
 */
#include <errno.h>
#include <string.h>

#include "rp-int.h"

/* Linux v4.19 as released (Oct 2018). */
const struct rp_profile rp_profile_4_19 = {
	.name = "4.19",
	.lazy_group_id = true,
	.user_data_tags = false,
	.cookie_gen = RP_COOKIE_PER_NETNS,
	.cookie_single_cas = false,
	.cap_rule = RP_CAPRULE_SYS_ADMIN_ALLOC,
	.unpriv_check_at_entry = true,
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
	.sockmap_unix = false,
	.sockmap_keeps_unhashed = false,
	.somaxconn = 128,
	.bind_fast_strict = false,
	.attach_unhashed_strict = false,
	.ipproto_max = 256,
	.mptcp = false,
};

/* Linux 6.18, the kernel on our machines ([CUR] of docs/kernel-semantics.md). */
const struct rp_profile rp_profile_6_18 = {
	.name = "6.18",
	.lazy_group_id = false,
	.user_data_tags = true,
	.cookie_gen = RP_COOKIE_PERCPU,
	.cookie_single_cas = true,
	.cap_rule = RP_CAPRULE_BPF_CENTRAL,
	.unpriv_check_at_entry = false,
	.unpriv_default = 2,
	.memlock_rlimit = false,
	.oversize_errno = ENOMEM,
	.allowed_map_flags = RP_BPF_F_NUMA_NODE | RP_BPF_F_RDONLY |
	    RP_BPF_F_WRONLY | RP_BPF_F_RDONLY_PROG | RP_BPF_F_WRONLY_PROG,
	.store_rdwr_flags = false,
	.name_allows_dot = true,
	.attr_flags_check = true,
	.has_freeze = true,
	.has_lookup_and_delete = true,
	.has_batch = true,
	.btf_value_checked = true,
	.create_extra_attrs = true,
	.inner_max_entries_eq = false,
	.sockmap_select = true,
	.sockmap_rejects_sockarray = true,
	.helper_enoent_id0 = false,
	.migration = true,
	.has_conns = true,
	.detach_bpf_opt = true,
	.incoming_cpu = true,
	.expected_attach = true,
	.prog_cap_bpf = true,
	.map_free_sync_rcu = false,
	.bind_conflict_closed_ok = true,
	.detach_prog_enoent_closed = true,
	.memlock_usage_exact = true,
	.reuseport_inet_only = true,
	/* measured on the live 6.18 kernel (scenarios/detach/udp-connect-bound.scn):
	 * a UDP member bound to a specific address leaves its group on
	 * connect(), as a wildcard-bound one does through the rehash */
	.udp_connect_leaves_group = true,
	/* measured (scenarios/map/sockmap-unix.scn) */
	.sockmap_unix = true,
	/* measured (scenarios/map/sockmap-unhash.scn) */
	.sockmap_keeps_unhashed = true,
	/* 5.4+: SOMAXCONN 4096 (scenarios/group/accept-queue-full.scn) */
	.somaxconn = 4096,
	/* measured on 6.12 and 6.18, not on 5.10 and 6.1
	 * (scenarios/group/bind-fast-path.scn) */
	.bind_fast_strict = true,
	.attach_unhashed_strict = true,
	.ipproto_max = 263,
	.mptcp = true,
};

static const struct rp_profile *const profiles[] = {
	&rp_profile_4_19,
	&rp_profile_6_18,
};

/* The profile called name, or NULL.  Cannot fail otherwise. */
const struct rp_profile *
rp_profile_find(const char *name)
{
	g_return_val_if_fail(name != NULL, NULL);
	for (size_t i = 0; i < G_N_ELEMENTS(profiles); i++)
		if (strcmp(profiles[i]->name, name) == 0)
			return profiles[i];
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
	return n < G_N_ELEMENTS(profiles) ? profiles[n] : NULL;
}
