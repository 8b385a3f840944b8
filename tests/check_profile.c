/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * check_profile.c - unit tests of model/profile.c: the behaviour profiles
 * (4.19, 5.10, 6.1, 6.12, 6.18, the 6.18+attach-einval build variant, the
 * row of these machines' build, 7.2), their lookup by name, order and
 * kernel release, and the value of every switch of struct rp_profile
 * (rp-int.h) against the "Profile switches" table of docs/SPEC.md.  The
 * switches are checked white-box, one table row per switch; each row
 * names the SPEC rules that switch decides.  profile.c builds each row
 * from the row it follows plus a delta; this table is the resulting
 * value of every switch of every row, so a delta on the wrong base or
 * with a wrong value fails here.  Behaviour behind the switches is
 * tested in the suites of the files that use them.
 */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "rp-int.h"

/* ---------------------------------------------------------------------
 * profile/find
 */

/* The "Profiles" section of docs/SPEC.md, in table order. */
#define NPROF	8
static const char *const profile_names[NPROF] = {
	"4.19", "5.10", "6.1", "6.12", "6.18", "6.18+attach-einval",
	"6.18+attach-einval+role-einval+udp-bind-walk", "7.2",
};
enum { P419, P510, P61, P612, P618, P618E, P618FC, P72 };

/* Every profile is found by its name, at its place in the table.
 * R-CRE-0 R-UPD-8 (every rule is per profile; these two differ most) */
TU_NAMED(find_by_name, "profile/find/by-name", "profile/find", NPROF)
{
	const struct rp_profile *p = rp_profile_find(profile_names[_i]);

	ck_assert_ptr_nonnull(p);
	ck_assert_str_eq(rp_profile_name(p), profile_names[_i]);
	ck_assert_ptr_eq(rp_profile_nth((size_t)_i), p);
	/* the public name and the table agree */
	ck_assert_str_eq(p->name, profile_names[_i]);
}
END_TEST

/* Exactly these profiles: nth(NPROF) is the end; no other name resolves. */
TU_NAMED(find_unknown, "profile/find/unknown", "profile/find", 0)
{
	static const char *const bad[] = {
		"", "4", "4.1", "4.19.0", "4.19 ", " 4.19", "6.18.1", "5.1",
		"6.1.0", "cur", "CUR", "6.17", "4.20", "6.13", "7.1", "7",
		"6.18+", "6.18+einval", "6.18+attach-EINVAL",
	};

	ck_assert_ptr_null(rp_profile_nth(NPROF));
	ck_assert_ptr_null(rp_profile_nth((size_t)-1));
	for (size_t i = 0; i < NPROF; i++)
		for (size_t j = i + 1; j < NPROF; j++)
			ck_assert_ptr_ne(rp_profile_nth(i), rp_profile_nth(j));
	for (size_t i = 0; i < G_N_ELEMENTS(bad); i++)
		ck_assert_msg(rp_profile_find(bad[i]) == NULL,
		    "profile \"%s\" should not exist", bad[i]);
}
END_TEST

/* A state runs with the profile it was created with. */
TU_NAMED(find_state, "profile/find/state", "profile/find", NPROF)
{
	const struct rp_profile *p = rp_profile_nth((size_t)_i);
	struct rp_state *st = rp_state_new(p);

	ck_assert_ptr_eq(rp_state_profile(st), p);
	/* R-CRE-0: the sysctl starts at the profile's default */
	ck_assert_int_eq(st->unpriv_bpf_disabled, _i == P419 ? 0 : 2);
	tu_state_done(st);
}
END_TEST

/*
 * rp_profile_for_release() (what --profile auto picks): the nearest
 * profile at or below the release's N.M, by number; never a variant row.
 */
static const struct {
	const char	*release;
	const char	*want;		/* NULL: none */
} releases[] = {
	{ "4.19.0", "4.19" },
	{ "4.19.325-cip", "4.19" },
	{ "5.4.0-150-generic", "4.19" },
	{ "5.10.0-46-cloud-amd64", "5.10" },
	{ "5.15.0", "5.10" },
	{ "6.0.19", "5.10" },
	{ "6.1.0-57-cloud-amd64", "6.1" },
	{ "6.9.1", "6.1" },		/* 9 < 12: numbers, not strings */
	{ "6.11", "6.1" },
	{ "6.12.118+deb13-cloud-amd64", "6.12" },
	{ "6.17.3", "6.12" },
	{ "6.18.44-fc-v1272", "6.18" },	/* never the +attach-einval variant */
	{ "6.19.14+deb13-cloud-amd64", "6.18" },
	{ "7.1.13", "6.18" },
	{ "7.2.13+deb14-cloud-amd64", "7.2" },
	{ "10.0", "7.2" },
	{ "4.18.20", NULL },
	{ "3.10.0-1160.el7.x86_64", NULL },
	{ "", NULL },
	{ "linux", NULL },
	{ "6", NULL },
	{ "6.", NULL },
	{ ".6.1", NULL },
};

TU_NAMED(for_release, "profile/find/for-release", "profile/find", (int)G_N_ELEMENTS(releases))
{
	const struct rp_profile *p =
	    rp_profile_for_release(releases[_i].release);

	if (releases[_i].want == NULL)
		ck_assert_msg(p == NULL, "'%s' gave %s", releases[_i].release,
		    p != NULL ? p->name : "");
	else
		ck_assert_msg(p != NULL && strcmp(p->name,
		    releases[_i].want) == 0, "'%s' gave %s, not %s",
		    releases[_i].release, p != NULL ? p->name : "NULL",
		    releases[_i].want);
}
END_TEST

/*
 * Calibration picks a row by the switches measured: the plain row when it
 * has them, else the variant of its version, else none; a value left
 * unknown (-1) matches anything.
 */
TU_CASE(variant_pick, "profile/find")
{
	const struct rp_profile *b618 = rp_profile_find("6.18");
	const struct rp_profile *v618 = rp_profile_find("6.18+attach-einval");
	const struct rp_profile *b72 = rp_profile_find("7.2");
	int resurrect[RP_SWITCH_COUNT] = { 0 };
	int einval[RP_SWITCH_COUNT] = { 1 };
	int unknown[RP_SWITCH_COUNT] = { -1 };

	ck_assert_str_eq(rp_switch_name(RP_SWITCH_ATTACH_SHUTDOWN_LISTENER),
	    "attach_shutdown_listener");
	ck_assert_str_eq(rp_switch_value_name(
	    RP_SWITCH_ATTACH_SHUTDOWN_LISTENER, 0), "resurrect");
	ck_assert_str_eq(rp_switch_value_name(
	    RP_SWITCH_ATTACH_SHUTDOWN_LISTENER, 1), "einval");
	ck_assert_ptr_null(rp_switch_value_name(
	    RP_SWITCH_ATTACH_SHUTDOWN_LISTENER, 2));
	ck_assert_ptr_null(rp_switch_value_name(
	    RP_SWITCH_ATTACH_SHUTDOWN_LISTENER, -1));
	ck_assert_int_eq(rp_profile_switch(b618,
	    RP_SWITCH_ATTACH_SHUTDOWN_LISTENER), 0);
	ck_assert_int_eq(rp_profile_switch(v618,
	    RP_SWITCH_ATTACH_SHUTDOWN_LISTENER), 1);
	ck_assert_ptr_eq(rp_profile_variant(b618, resurrect), b618);
	ck_assert_ptr_eq(rp_profile_variant(b618, einval), v618);
	ck_assert_ptr_eq(rp_profile_variant(v618, resurrect), b618);
	ck_assert_ptr_eq(rp_profile_variant(b618, unknown), b618);
	/* no 7.2 build refuses the attach in the model: none */
	ck_assert_ptr_eq(rp_profile_variant(b72, resurrect), b72);
	ck_assert_ptr_null(rp_profile_variant(b72, einval));
}
END_TEST

/* ---------------------------------------------------------------------
 * profile/switches: one row per switch of struct rp_profile
 */

struct switch_case {
	const char	*name;		/* "profile/switches/<spec switch>" */
	size_t		off;		/* field of struct rp_profile */
	size_t		size;
	long long	want[NPROF];	/* in profile_names[] order */
	const char	*rules;		/* the SPEC rules this switch decides */
};

#define F(field)	offsetof(struct rp_profile, field), \
			sizeof(((struct rp_profile *)0)->field)

#define FLAGS_419	(RP_BPF_F_NUMA_NODE | RP_BPF_F_RDONLY | RP_BPF_F_WRONLY)
#define FLAGS_618	(FLAGS_419 | RP_BPF_F_RDONLY_PROG | \
			 RP_BPF_F_WRONLY_PROG)
/* one value from 4.19 on, another from 5.10 on (and so on) */
#define FROM_510(a, b)	{ a, b, b, b, b, b, b, b }
#define FROM_61(a, b)	{ a, a, b, b, b, b, b, b }
#define FROM_612(a, b)	{ a, a, a, b, b, b, b, b }
#define FROM_618(a, b)	{ a, a, a, a, b, b, b, b }
#define FROM_72(a, b)	{ a, a, a, a, a, a, a, b }

/*
 * Expected values: the "Switches by version and variant" and "What each
 * switch means" tables of docs/SPEC.md (the model's
 * field name where it differs from the SPEC switch name is in the row name),
 * and for the model-only switches the docs/kernel-semantics.md section cited.
 */
static const struct switch_case switch_cases[] = {
	/* R-UPD-8 R-GRP-1 R-GRP-10 R-GRP-11 R-DET-3 R-HLP-3a */
	{ "profile/switches/lazy_group_id", F(lazy_group_id), FROM_510(1, 0),
	    "R-UPD-8 R-GRP-1 R-GRP-10 R-GRP-11 R-DET-3 R-HLP-3a" },
	/* R-UPD-9 R-DET-2 R-SOCK-7 R-SMAP-4 */
	{ "profile/switches/user_data_tags", F(user_data_tags), FROM_510(0, 1),
	    "R-UPD-9 R-DET-2 R-SOCK-7 R-SMAP-4" },
	/* R-COOK-3 R-COOK-4 R-NS-2 */
	{ "profile/switches/cookie_gen", F(cookie_gen),
	    FROM_510(RP_COOKIE_PER_NETNS, RP_COOKIE_PERCPU),
	    "R-COOK-3 R-COOK-4 R-NS-2" },
	/* R-COOK-5 (SPEC: cookie_cas) */
	{ "profile/switches/cookie_cas", F(cookie_single_cas), FROM_612(0, 1),
	    "R-COOK-5" },
	/* R-CRE-6a (SPEC: create_cap) */
	{ "profile/switches/create_cap", F(cap_rule),
	    { RP_CAPRULE_SYS_ADMIN_ALLOC, RP_CAPRULE_BPF_ALLOC,
	    RP_CAPRULE_BPF_ALLOC, RP_CAPRULE_BPF_CENTRAL,
	    RP_CAPRULE_BPF_CENTRAL, RP_CAPRULE_BPF_CENTRAL,
	    RP_CAPRULE_BPF_CENTRAL, RP_CAPRULE_BPF_CENTRAL }, "R-CRE-6a" },
	/* R-CRE-0 R-CRE-6a R-PRG-4 (SPEC: unpriv_bpf_disabled_gate) */
	{ "profile/switches/unpriv_bpf_disabled_gate", F(unpriv_gate),
	    { RP_UNPRIV_GATE_ALL_SYS_ADMIN, RP_UNPRIV_GATE_ALL_BPF,
	    RP_UNPRIV_GATE_CREATE_ENTRY, RP_UNPRIV_GATE_CREATE_CENTRAL,
	    RP_UNPRIV_GATE_CREATE_CENTRAL, RP_UNPRIV_GATE_CREATE_CENTRAL,
	    RP_UNPRIV_GATE_CREATE_CENTRAL, RP_UNPRIV_GATE_CREATE_CENTRAL },
	    "R-CRE-0 R-CRE-6a R-PRG-4" },
	/* R-CRE-0 (SPEC: unpriv_bpf_disabled_default) */
	{ "profile/switches/unpriv_bpf_disabled_default", F(unpriv_default),
	    FROM_510(0, 2), "R-CRE-0" },
	/* R-CRE-6c R-FREE-4 (SPEC: memlock) */
	{ "profile/switches/memlock", F(memlock_rlimit), FROM_61(1, 0),
	    "R-CRE-6c R-FREE-4" },
	/* R-CRE-5c (SPEC: map_flags_allowed) */
	{ "profile/switches/map_flags_allowed", F(allowed_map_flags),
	    FROM_510(FLAGS_419, FLAGS_618), "R-CRE-5c" },
	/* R-CRE-10 R-MIM-4 (SPEC: stored_flags_keep_rdwr) */
	{ "profile/switches/stored_flags_keep_rdwr", F(store_rdwr_flags),
	    FROM_510(1, 0), "R-CRE-10 R-MIM-4" },
	/* R-CRE-7 (SPEC: map_name_dot) */
	{ "profile/switches/map_name_dot", F(name_allows_dot), FROM_510(0, 1),
	    "R-CRE-7" },
	/* R-CRE-6b R-CRE-6d: the errno at the size threshold (4.19
	 * -ENOMEM, 5.10 -E2BIG); 6.1+ have no threshold, only allocation
	 * failure, which is -ENOMEM */
	{ "profile/switches/oversize_errno", F(oversize_errno),
	    { ENOMEM, E2BIG, ENOMEM, ENOMEM, ENOMEM, ENOMEM, ENOMEM, ENOMEM },
	    "R-CRE-6b R-CRE-6d" },
	/* R-CRE-2 R-CRE-8 (SPEC: btf_ids) */
	{ "profile/switches/btf_ids", F(btf_value_checked), FROM_510(0, 1),
	    "R-CRE-2 R-CRE-8" },
	/* R-CRE-1 R-CRE-2 R-CRE-3 */
	{ "profile/switches/create_extra_attrs", F(create_extra_attrs),
	    FROM_510(0, 1), "R-CRE-1 R-CRE-2 R-CRE-3" },
	/* R-MIM-2 R-MIM-3 (SPEC: inner_map_eq_max_entries) */
	{ "profile/switches/inner_map_eq_max_entries", F(inner_max_entries_eq),
	    FROM_510(1, 0), "R-MIM-2 R-MIM-3" },
	/* R-PRG-2 R-HLP-1 R-HLP-2b R-SMAP-1 R-SMAP-5 */
	{ "profile/switches/sockmap_select", F(sockmap_select), FROM_510(0, 1),
	    "R-PRG-2 R-HLP-1 R-HLP-2b R-SMAP-1 R-SMAP-5" },
	/* R-DET-4 R-DET-6 R-DET-7 R-GROW-2 R-BIND-2 R-RES-1 R-RES-4
	 * R-MIG-1 R-MIG-8 R-ATT-8 */
	{ "profile/switches/migration", F(migration), FROM_61(0, 1),
	    "R-DET-4 R-DET-6 R-DET-7 R-GROW-2 R-BIND-2 R-RES-1 R-RES-4 "
	    "R-MIG-1 R-MIG-8 R-ATT-8" },
	/* R-CONN-1 R-CONN-2 R-SEL-4 R-SEL-5 */
	{ "profile/switches/has_conns", F(has_conns), FROM_510(0, 1),
	    "R-CONN-1 R-CONN-2 R-SEL-4 R-SEL-5" },
	/* R-ATT-6 R-ATT-10 (SPEC: so_detach_reuseport_bpf) */
	{ "profile/switches/so_detach_reuseport_bpf", F(detach_bpf_opt),
	    FROM_510(0, 1), "R-ATT-6 R-ATT-10" },
	/* R-SEL-6 */
	{ "profile/switches/incoming_cpu", F(incoming_cpu), FROM_61(0, 1),
	    "R-SEL-6" },
	/* R-LKP-1a (SPEC: lookup_flags) */
	{ "profile/switches/lookup_flags", F(attr_flags_check), FROM_510(0, 1),
	    "R-LKP-1a" },
	/* R-CMD-3 R-UPD-0b R-DEL-0 (SPEC: map_freeze) */
	{ "profile/switches/map_freeze", F(has_freeze), FROM_510(0, 1),
	    "R-CMD-3 R-UPD-0b R-DEL-0" },
	/* R-CMD-1 (SPEC: lookup_and_delete_batch, first half) */
	{ "profile/switches/lookup_and_delete_batch/lookup_and_delete",
	    F(has_lookup_and_delete), FROM_510(0, 1), "R-CMD-1" },
	/* R-CMD-2 (SPEC: lookup_and_delete_batch, second half) */
	{ "profile/switches/lookup_and_delete_batch/batch", F(has_batch),
	    FROM_510(0, 1), "R-CMD-2" },
	/* R-PRG-5 (SPEC: expected_attach_type) */
	{ "profile/switches/expected_attach_type", F(expected_attach),
	    FROM_61(0, 1), "R-PRG-5" },
	/* R-HLP-3a (SPEC: helper_id0_enoent) */
	{ "profile/switches/helper_id0_enoent", F(helper_enoent_id0),
	    FROM_510(1, 0), "R-HLP-3a" },
	/* R-PRG-4 (SPEC: prog_load_cap) */
	{ "profile/switches/prog_load_cap", F(prog_cap_bpf), FROM_510(0, 1),
	    "R-PRG-4" },
	/* R-BIND-2 (SPEC: bind_conflict_group) */
	{ "profile/switches/bind_conflict_group", F(bind_conflict_closed_ok),
	    FROM_61(0, 1), "R-BIND-2" },
	/* R-SOCK-12: measured, 6.1 takes them, 6.12 refuses */
	{ "profile/switches/mptcp_subflow_einval", F(mptcp_subflow_einval),
	    FROM_612(0, 1), "R-SOCK-12" },
	/* R-SOCK-3: 6.9, in 6.1.y (measured) */
	{ "profile/switches/reuseport_inet_only", F(reuseport_inet_only),
	    FROM_61(0, 1), "R-SOCK-3" },
	/* R-DET-10 R-DET-8 R-CONN-1: 6.18 (measured) any connecting UDP
	 * member leaves its group */
	{ "profile/switches/udp_connect_leaves_group",
	    F(udp_connect_leaves_group), FROM_618(0, 1), "R-DET-10 R-DET-8" },
	/* R-DET-10: 7.2 (measured), not the 6.18.44 build */
	{ "profile/switches/udp_disconnect_unhash4",
	    F(udp_disconnect_unhash4), FROM_72(0, 1), "R-DET-10" },
	/* R-SOCK-13: measured in 5.10.262, not in 6.1.192 */
	{ "profile/switches/lo_subnet_broadcast", F(lo_subnet_broadcast),
	    FROM_61(1, 0), "R-SOCK-13" },
	/* R-ATT-4: 6.1+ refuse an unhashed socket without SO_REUSEPORT */
	{ "profile/switches/attach_unhashed_strict",
	    F(attach_unhashed_strict), FROM_61(0, 1), "R-ATT-4" },
	/* R-SOCK-1 R-SOCK-12: IPPROTO_MAX 256, 263 from 5.6 (MPTCP) */
	{ "profile/switches/ipproto_max", F(ipproto_max), FROM_510(256, 263),
	    "R-SOCK-1 R-SOCK-12" },
	/* R-SOCK-12: IPPROTO_MPTCP exists from 5.6 (CONFIG_MPTCP is a
	 * state option, rp_state_set_kconfig()) */
	{ "profile/switches/mptcp", F(mptcp), FROM_510(0, 1), "R-SOCK-12" },
	/* R-ATT-4: the build variant */
	{ "profile/switches/attach_shutdown_listener",
	    F(attach_shutdown_listener),
	    { RP_ATTACH_SHUTDOWN_RESURRECT, RP_ATTACH_SHUTDOWN_RESURRECT,
	    RP_ATTACH_SHUTDOWN_RESURRECT, RP_ATTACH_SHUTDOWN_RESURRECT,
	    RP_ATTACH_SHUTDOWN_RESURRECT, RP_ATTACH_SHUTDOWN_EINVAL,
	    RP_ATTACH_SHUTDOWN_EINVAL, RP_ATTACH_SHUTDOWN_RESURRECT },
	    "R-ATT-4" },
	/* R-BIND-9: the build variant udp_bind_walk */
	{ "profile/switches/udp_bind_walk", F(udp_bind_walk),
	    { 0, 0, 0, 0, 0, 0, RP_UDP_BIND_EXACT_SHARER, 0 }, "R-BIND-9" },
	/* R-SOCK-18: the build variant tcp_role_change */
	{ "profile/switches/tcp_role_change", F(tcp_role_change),
	    { 0, 0, 0, 0, 0, 0, RP_ROLE_CHANGE_EINVAL, 0 }, "R-SOCK-18" },
	/* R-CMD-3 */
	{ "profile/switches/freeze_rule", F(freeze_rule),
	    FROM_612(RP_FREEZE_CAPABLE, RP_FREEZE_WRITABLE_FD), "R-CMD-3" },
	/* R-MIG-6: Debian's 5.10 has the knob without migration */
	{ "profile/switches/migrate_req_sysctl", F(migrate_req_sysctl),
	    FROM_510(0, 1), "R-MIG-6" },
	/* R-LKP-1a: 6.19 */
	{ "profile/switches/lookup_flags_after_perm",
	    F(lookup_flags_after_perm), FROM_72(0, 1), "R-LKP-1a" },
	/* R-SOCK-1: UDP-Lite removed in 7.1 */
	{ "profile/switches/udplite", F(udplite), FROM_72(1, 0), "R-SOCK-1" },
	/* R-ATT-1: net.core.optmem_max 20480 until 6.1, 131072 by 6.12 */
	{ "profile/switches/cbpf_optmem_insns", F(cbpf_optmem_insns),
	    { 2549, 2549, 2547, 4096, 4096, 4096, 4096, 4096 }, "R-ATT-1" },
	/* R-SMAP-3: AF_UNIX in sockmaps, 5.13+ (dgram), 5.15+ (stream) */
	{ "profile/switches/sockmap_unix", F(sockmap_unix), FROM_61(0, 1),
	    "R-SMAP-3" },
	/* R-SMAP-6: no sockmap unhash hook (measured) */
	{ "profile/switches/sockmap_keeps_unhashed",
	    F(sockmap_keeps_unhashed), { RP_SMAP_UNHASH_DROP, RP_SMAP_UNHASH_KEEP_TCP, RP_SMAP_UNHASH_KEEP, RP_SMAP_UNHASH_KEEP, RP_SMAP_UNHASH_KEEP, RP_SMAP_UNHASH_KEEP, RP_SMAP_UNHASH_KEEP, RP_SMAP_UNHASH_KEEP },
	    "R-SMAP-6" },
	/* R-CMD-4: outer-map batch lookups, measured on 5.10 and 6.1 */
	{ "profile/switches/outer_batch", F(outer_batch), FROM_61(0, 1),
	    "R-CMD-4" },
	/* R-CRE-11: BPF_F_TOKEN_FD, 6.9 */
	{ "profile/switches/bpf_token", F(bpf_token), FROM_612(0, 1),
	    "R-CRE-11" },
	/* R-BIND-9: the strict fast paths, measured on 6.12 and 6.18 */
	{ "profile/switches/bind_fast_strict", F(bind_fast_strict),
	    FROM_612(0, 1), "R-BIND-9" },
	/* R-SOCK-16: SOMAXCONN 128, 4096 from 5.4 */
	{ "profile/switches/somaxconn", F(somaxconn), FROM_510(128, 4096),
	    "R-SOCK-16" },
	/* Model-only switches (not in the SPEC table).
	 * R-SMAP-4: 6.0+ PSOCK tag, docs/kernel-semantics.md §4.1 */
	{ "profile/switches/model/sockmap_rejects_sockarray",
	    F(sockmap_rejects_sockarray), FROM_61(0, 1), "R-SMAP-4" },
	/* R-FREE-2: synchronize_rcu() in free until 5.8, §6.2 */
	{ "profile/switches/model/map_free_sync_rcu", F(map_free_sync_rcu),
	    FROM_510(1, 0), "R-FREE-2" },
	/* R-ATT-8: 5.14+, §7.6 */
	{ "profile/switches/model/detach_prog_enoent_closed",
	    F(detach_prog_enoent_closed), FROM_61(0, 1), "R-ATT-8" },
	/* R-CRE-6c: fdinfo memlock 6.4+, §2.3 (fdinfo itself not modelled) */
	{ "profile/switches/model/memlock_usage_exact", F(memlock_usage_exact),
	    FROM_612(0, 1), "R-CRE-6c" },
	/* Programs made of instructions (SPEC: the bpf_* switches) */
	{ "profile/switches/bpf_helpers", F(bpf_version),
	    { 419, 510, 601, 612, 618, 618, 618, 702 }, "R-EBPF-17 R-PRG-7" },
	{ "profile/switches/bpf_jmp32", F(bpf_jmp32), FROM_510(0, 1),
	    "R-EBPF-11" },
	{ "profile/switches/bpf_loops", F(bpf_loops), FROM_510(0, 1),
	    "R-EBPF-14" },
	{ "profile/switches/bpf_atomics", F(bpf_atomics), FROM_61(0, 1),
	    "R-EBPF-8" },
	{ "profile/switches/bpf_cpuv4", F(bpf_cpuv4), FROM_612(0, 1),
	    "R-EBPF-11" },
	{ "profile/switches/bpf_map_value_ld", F(bpf_map_value_ld),
	    FROM_510(0, 1), "R-EBPF-15" },
	{ "profile/switches/bpf_insn_limit", F(bpf_insn_limit),
	    FROM_510(4096, 1000000), "R-EBPF-1" },
	{ "profile/switches/bpf_ctx_narrow_any", F(bpf_ctx_narrow_any),
	    FROM_510(0, 1), "R-CTX-6" },
	{ "profile/switches/bpf_stack_jit", F(bpf_stack_jit), FROM_612(0, 1),
	    "R-EBPF-9" },
	{ "profile/switches/bpf_load_bytes_int_max",
	    F(bpf_load_bytes_int_max), FROM_510(0, 1), "R-HLP-12" },
	{ "profile/switches/bpf_sockmap_update", F(bpf_sockmap_update),
	    FROM_510(0, 1), "R-HLP-11" },
};

#undef F

/* Reads a switch of any integer width as a signed value. */
static long long
switch_value(const struct rp_profile *p, const struct switch_case *c)
{
	const unsigned char *base = (const unsigned char *)p + c->off;

	switch (c->size) {
	case 1: {
		uint8_t v;

		memcpy(&v, base, 1);
		return v;
	}
	case 2: {
		uint16_t v;

		memcpy(&v, base, 2);
		return v;
	}
	case 4: {
		int32_t v;

		memcpy(&v, base, 4);
		return v;
	}
	case 8: {
		int64_t v;

		memcpy(&v, base, 8);
		return v;
	}
	default:
		ck_abort_msg("%s: unexpected field size %zu", c->name, c->size);
		return 0;
	}
}

/* Loop index = row * NPROF + profile. */
TU_NAMED(switches, "profile/switches", "profile/switches", (int)G_N_ELEMENTS(switch_cases) * NPROF)
{
	const struct switch_case *c = &switch_cases[_i / NPROF];
	int p = _i % NPROF;
	long long got = switch_value(rp_profile_nth((size_t)p), c);

	ck_assert_msg(got == c->want[p], "%s [%s]: switch is %lld, SPEC "
	    "table says %lld (rules %s)", c->name, profile_names[p], got,
	    c->want[p], c->rules);
}
END_TEST

/*
 * Every switch changes between two neighbouring rows somewhere (a switch
 * with one value everywhere is dead), and a variant row differs from its
 * base in the switches its name lists: one, and the three of the row of
 * these machines' build.
 */
TU_NAMED(switches_differ, "profile/switches/differ", "profile/switches", 0)
{
	for (size_t i = 0; i < G_N_ELEMENTS(switch_cases); i++) {
		const struct switch_case *c = &switch_cases[i];
		bool changes = false;

		for (int p = 1; p < NPROF; p++)
			changes |= c->want[p] != c->want[p - 1];
		ck_assert_msg(changes, "%s: the same in every profile",
		    c->name);
	}
	{
		int n = 0;

		for (size_t i = 0; i < G_N_ELEMENTS(switch_cases); i++)
			n += switch_cases[i].want[P618E] !=
			    switch_cases[i].want[P618];
		ck_assert_int_eq(n, 1);
		/* the build of these machines: three */
		n = 0;
		for (size_t i = 0; i < G_N_ELEMENTS(switch_cases); i++)
			n += switch_cases[i].want[P618FC] !=
			    switch_cases[i].want[P618];
		ck_assert_int_eq(n, 3);
	}
}
END_TEST

/* Orders table rows by field offset (for the layout walk). */
static int
by_offset(const void *a, const void *b)
{
	const struct switch_case *x = *(const struct switch_case *const *)a;
	const struct switch_case *y = *(const struct switch_case *const *)b;

	return x->off < y->off ? -1 : x->off > y->off;
}

static size_t
round_up(size_t v, size_t align)
{
	return (v + align - 1) / align * align;
}

/*
 * The table above covers every field of struct rp_profile: walking the
 * rows in offset order from the name pointer, each field must start
 * exactly where natural alignment puts the one after the previous, and
 * the struct must end right after the last.  A switch without a row
 * leaves a hole and fails here.
 */
TU_NAMED(switches_complete, "profile/switches/complete", "profile/switches", 0)
{
	const struct switch_case *rows[G_N_ELEMENTS(switch_cases)];
	size_t end = offsetof(struct rp_profile, name) +
	    sizeof(((struct rp_profile *)0)->name);

	for (size_t i = 0; i < G_N_ELEMENTS(switch_cases); i++)
		rows[i] = &switch_cases[i];
	qsort(rows, G_N_ELEMENTS(rows), sizeof(rows[0]), by_offset);
	for (size_t i = 0; i < G_N_ELEMENTS(rows); i++) {
		ck_assert_msg(rows[i]->off == round_up(end, rows[i]->size),
		    "a field of struct rp_profile between offsets %zu and "
		    "%zu (before %s) has no table row", end, rows[i]->off,
		    rows[i]->name);
		end = rows[i]->off + rows[i]->size;
	}
	ck_assert_msg(sizeof(struct rp_profile) == round_up(end, 8),
	    "struct rp_profile has fields after offset %zu without a table "
	    "row", end);
}
END_TEST

/*
 * A field hidden in padding (a bool after the last row, say) escapes the
 * layout walk; but a switch is set in at least one profile, and padding
 * of the static profile objects is zero.  So every byte not covered by
 * the name or a table row must be zero in both profiles.
 */
TU_NAMED(switches_no_hidden, "profile/switches/no-hidden", "profile/switches", NPROF)
{
	const struct rp_profile *p = rp_profile_nth((size_t)_i);
	const unsigned char *b = (const unsigned char *)p;
	bool covered[sizeof(struct rp_profile)] = { false };

	for (size_t k = 0; k < sizeof(p->name); k++)
		covered[offsetof(struct rp_profile, name) + k] = true;
	for (size_t i = 0; i < G_N_ELEMENTS(switch_cases); i++)
		for (size_t k = 0; k < switch_cases[i].size; k++)
			covered[switch_cases[i].off + k] = true;
	for (size_t k = 0; k < sizeof(covered); k++)
		ck_assert_msg(covered[k] || b[k] == 0, "profile %s: byte %zu "
		    "is set but belongs to no switch of the table",
		    profile_names[_i], k);
}
END_TEST

/* The tests' loops over every profile (tests/testutil.c) are the model's
 * table: one loop index a row, in its order, and nothing past its end. */
TU_NAMED(tu_profiles, "profile/find/testutil", "profile/find", 0)
{
	int n = tu_nprofiles();

	ck_assert_int_ge(n, 2);
	for (int i = 0; i < n; i++) {
		ck_assert_ptr_eq(tu_prof(i), rp_profile_nth((size_t)i));
		ck_assert_int_eq(tu_row(rp_profile_name(tu_prof(i))), i);
	}
	ck_assert_ptr_null(rp_profile_nth((size_t)n));
}
END_TEST

TU_MAIN("profile")
