/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * check_profile.c - unit tests of model/profile.c: the two behaviour
 * profiles, their lookup by name and order, and the value of every switch
 * of struct rp_profile (rp-int.h) against the "Profile switches" table of
 * docs/SPEC.md.  The switches are checked white-box, one table row per
 * switch; each row names the SPEC rules that switch decides.  Behaviour
 * behind the switches is tested in the suites of the files that use them.
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

static const char *const profile_names[TU_NPROFILES] = { "4.19", "6.18" };

/* Profiles section of SPEC.md: exactly "4.19" and "6.18", in that order.
 * R-CRE-0 R-UPD-8 (every rule is per profile; these two differ most) */
TU_TEST(find_by_name, "profile/find/by-name")
{
	const struct rp_profile *p = rp_profile_find(profile_names[_i]);

	ck_assert_ptr_nonnull(p);
	ck_assert_str_eq(rp_profile_name(p), profile_names[_i]);
	ck_assert_ptr_eq(rp_profile_nth((size_t)_i), p);
	ck_assert_ptr_eq(tu_profile(_i), p);
	/* the public name and the table agree */
	ck_assert_str_eq(p->name, profile_names[_i]);
}
END_TEST

/* Exactly two profiles: nth(2) is the end; no other name resolves. */
TU_TEST(find_unknown, "profile/find/unknown")
{
	static const char *const bad[] = {
		"", "4", "4.1", "4.19.0", "4.19 ", " 4.19", "6.1", "6.18.1",
		"5.10", "cur", "CUR", "6.17", "4.20",
	};

	ck_assert_ptr_null(rp_profile_nth(TU_NPROFILES));
	ck_assert_ptr_null(rp_profile_nth((size_t)-1));
	ck_assert_ptr_ne(rp_profile_nth(0), rp_profile_nth(1));
	for (size_t i = 0; i < G_N_ELEMENTS(bad); i++)
		ck_assert_msg(rp_profile_find(bad[i]) == NULL,
		    "profile \"%s\" should not exist", bad[i]);
}
END_TEST

/* A state runs with the profile it was created with. */
TU_TEST(find_state, "profile/find/state")
{
	const struct rp_profile *p = tu_profile(_i);
	struct rp_state *st = rp_state_new(p);

	ck_assert_ptr_eq(rp_state_profile(st), p);
	/* R-CRE-0: the sysctl starts at the profile's default */
	ck_assert_int_eq(st->unpriv_bpf_disabled, _i == 0 ? 0 : 2);
	tu_assert_invariants(st);
	rp_state_free(st);
}
END_TEST

/* ---------------------------------------------------------------------
 * profile/switches: one row per switch of struct rp_profile
 */

struct switch_case {
	const char	*name;		/* "profile/switches/<spec switch>" */
	size_t		off;		/* field of struct rp_profile */
	size_t		size;
	long long	want[TU_NPROFILES];	/* 4.19, 6.18 */
	const char	*rules;		/* the SPEC rules this switch decides */
};

#define F(field)	offsetof(struct rp_profile, field), \
			sizeof(((struct rp_profile *)0)->field)

#define FLAGS_419	(RP_BPF_F_NUMA_NODE | RP_BPF_F_RDONLY | RP_BPF_F_WRONLY)
#define FLAGS_618	(FLAGS_419 | RP_BPF_F_RDONLY_PROG | \
			 RP_BPF_F_WRONLY_PROG)

/*
 * Expected values: the "Profile switches" table of docs/SPEC.md (the model's
 * field name where it differs from the SPEC switch name is in the row name),
 * and for the model-only switches the docs/kernel-semantics.md section cited.
 */
static const struct switch_case switch_cases[] = {
	/* R-UPD-8 R-GRP-1 R-GRP-10 R-GRP-11 R-DET-3 R-HLP-3a */
	{ "profile/switches/lazy_group_id", F(lazy_group_id), { 1, 0 },
	    "R-UPD-8 R-GRP-1 R-GRP-10 R-GRP-11 R-DET-3 R-HLP-3a" },
	/* R-UPD-9 R-DET-2 R-SOCK-7 R-SMAP-4 */
	{ "profile/switches/user_data_tags", F(user_data_tags), { 0, 1 },
	    "R-UPD-9 R-DET-2 R-SOCK-7 R-SMAP-4" },
	/* R-COOK-3 R-COOK-4 R-NS-2 */
	{ "profile/switches/cookie_gen", F(cookie_gen),
	    { RP_COOKIE_PER_NETNS, RP_COOKIE_PERCPU },
	    "R-COOK-3 R-COOK-4 R-NS-2" },
	/* R-COOK-5 (SPEC: cookie_cas) */
	{ "profile/switches/cookie_cas", F(cookie_single_cas), { 0, 1 },
	    "R-COOK-5" },
	/* R-CRE-6a (SPEC: create_cap) */
	{ "profile/switches/create_cap", F(cap_rule),
	    { RP_CAPRULE_SYS_ADMIN_ALLOC, RP_CAPRULE_BPF_CENTRAL },
	    "R-CRE-6a" },
	/* R-CRE-0 R-CRE-6a R-PRG-4 (SPEC: unpriv_bpf_disabled_gate) */
	{ "profile/switches/unpriv_bpf_disabled_gate",
	    F(unpriv_check_at_entry), { 1, 0 }, "R-CRE-0 R-CRE-6a R-PRG-4" },
	/* R-CRE-0 (SPEC: unpriv_bpf_disabled_default) */
	{ "profile/switches/unpriv_bpf_disabled_default", F(unpriv_default),
	    { 0, 2 }, "R-CRE-0" },
	/* R-CRE-6c R-FREE-4 (SPEC: memlock) */
	{ "profile/switches/memlock", F(memlock_rlimit), { 1, 0 },
	    "R-CRE-6c R-FREE-4" },
	/* R-CRE-5c (SPEC: map_flags_allowed) */
	{ "profile/switches/map_flags_allowed", F(allowed_map_flags),
	    { FLAGS_419, FLAGS_618 }, "R-CRE-5c" },
	/* R-CRE-10 R-MIM-4 (SPEC: stored_flags_keep_rdwr) */
	{ "profile/switches/stored_flags_keep_rdwr", F(store_rdwr_flags),
	    { 1, 0 }, "R-CRE-10 R-MIM-4" },
	/* R-CRE-7 (SPEC: map_name_dot) */
	{ "profile/switches/map_name_dot", F(name_allows_dot), { 0, 1 },
	    "R-CRE-7" },
	/* R-CRE-6b R-CRE-6d: 4.19 threshold errno; 6.18 only allocation
	 * failure, which is -ENOMEM too */
	{ "profile/switches/oversize_errno", F(oversize_errno),
	    { ENOMEM, ENOMEM }, "R-CRE-6b R-CRE-6d" },
	/* R-CRE-2 R-CRE-8 (SPEC: btf_ids) */
	{ "profile/switches/btf_ids", F(btf_value_checked), { 0, 1 },
	    "R-CRE-2 R-CRE-8" },
	/* R-CRE-1 R-CRE-2 R-CRE-3 */
	{ "profile/switches/create_extra_attrs", F(create_extra_attrs),
	    { 0, 1 }, "R-CRE-1 R-CRE-2 R-CRE-3" },
	/* R-MIM-2 R-MIM-3 (SPEC: inner_map_eq_max_entries) */
	{ "profile/switches/inner_map_eq_max_entries", F(inner_max_entries_eq),
	    { 1, 0 }, "R-MIM-2 R-MIM-3" },
	/* R-PRG-2 R-HLP-1 R-HLP-2b R-SMAP-1 R-SMAP-5 */
	{ "profile/switches/sockmap_select", F(sockmap_select), { 0, 1 },
	    "R-PRG-2 R-HLP-1 R-HLP-2b R-SMAP-1 R-SMAP-5" },
	/* R-DET-4 R-DET-6 R-DET-7 R-GROW-2 R-BIND-2 R-RES-1 R-RES-4
	 * R-MIG-1 R-MIG-8 R-ATT-8 */
	{ "profile/switches/migration", F(migration), { 0, 1 },
	    "R-DET-4 R-DET-6 R-DET-7 R-GROW-2 R-BIND-2 R-RES-1 R-RES-4 "
	    "R-MIG-1 R-MIG-8 R-ATT-8" },
	/* R-CONN-1 R-CONN-2 R-SEL-4 R-SEL-5 */
	{ "profile/switches/has_conns", F(has_conns), { 0, 1 },
	    "R-CONN-1 R-CONN-2 R-SEL-4 R-SEL-5" },
	/* R-ATT-6 R-ATT-10 (SPEC: so_detach_reuseport_bpf) */
	{ "profile/switches/so_detach_reuseport_bpf", F(detach_bpf_opt),
	    { 0, 1 }, "R-ATT-6 R-ATT-10" },
	/* R-SEL-6 */
	{ "profile/switches/incoming_cpu", F(incoming_cpu), { 0, 1 },
	    "R-SEL-6" },
	/* R-LKP-1a (SPEC: lookup_flags) */
	{ "profile/switches/lookup_flags", F(attr_flags_check), { 0, 1 },
	    "R-LKP-1a" },
	/* R-CMD-3 R-UPD-0b R-DEL-0 (SPEC: map_freeze) */
	{ "profile/switches/map_freeze", F(has_freeze), { 0, 1 },
	    "R-CMD-3 R-UPD-0b R-DEL-0" },
	/* R-CMD-1 (SPEC: lookup_and_delete_batch, first half) */
	{ "profile/switches/lookup_and_delete_batch/lookup_and_delete",
	    F(has_lookup_and_delete), { 0, 1 }, "R-CMD-1" },
	/* R-CMD-2 (SPEC: lookup_and_delete_batch, second half) */
	{ "profile/switches/lookup_and_delete_batch/batch", F(has_batch),
	    { 0, 1 }, "R-CMD-2" },
	/* R-PRG-5 (SPEC: expected_attach_type) */
	{ "profile/switches/expected_attach_type", F(expected_attach),
	    { 0, 1 }, "R-PRG-5" },
	/* R-HLP-3a (SPEC: helper_id0_enoent) */
	{ "profile/switches/helper_id0_enoent", F(helper_enoent_id0),
	    { 1, 0 }, "R-HLP-3a" },
	/* R-PRG-4 (SPEC: prog_load_cap) */
	{ "profile/switches/prog_load_cap", F(prog_cap_bpf), { 0, 1 },
	    "R-PRG-4" },
	/* R-BIND-2 (SPEC: bind_conflict_group) */
	{ "profile/switches/bind_conflict_group", F(bind_conflict_closed_ok),
	    { 0, 1 }, "R-BIND-2" },
	/* R-SOCK-3 */
	{ "profile/switches/reuseport_inet_only", F(reuseport_inet_only),
	    { 0, 1 }, "R-SOCK-3" },
	/* R-DET-10 R-DET-8 R-CONN-1: 6.18 (measured) any connecting UDP
	 * member leaves its group */
	{ "profile/switches/udp_connect_leaves_group",
	    F(udp_connect_leaves_group), { 0, 1 }, "R-DET-10 R-DET-8" },
	/* R-ATT-4: 6.x refuses an unhashed socket without SO_REUSEPORT */
	{ "profile/switches/attach_unhashed_strict",
	    F(attach_unhashed_strict), { 0, 1 }, "R-ATT-4" },
	/* R-SOCK-1 R-SOCK-12: IPPROTO_MAX 256, 263 from 5.6 (MPTCP) */
	{ "profile/switches/ipproto_max", F(ipproto_max), { 256, 263 },
	    "R-SOCK-1 R-SOCK-12" },
	/* R-SOCK-12: IPPROTO_MPTCP exists from 5.6 (CONFIG_MPTCP is a
	 * state option, rp_state_set_kconfig()) */
	{ "profile/switches/mptcp", F(mptcp), { 0, 1 }, "R-SOCK-12" },
	/* R-SMAP-3: AF_UNIX in sockmaps, 5.13+ (dgram), 5.15+ (stream) */
	{ "profile/switches/sockmap_unix", F(sockmap_unix), { 0, 1 },
	    "R-SMAP-3" },
	/* R-SMAP-6: no sockmap unhash hook in 6.18 (measured) */
	{ "profile/switches/sockmap_keeps_unhashed",
	    F(sockmap_keeps_unhashed), { 0, 1 }, "R-SMAP-6" },
	/* R-BIND-9: the strict fast paths, measured on 6.12 and 6.18 */
	{ "profile/switches/bind_fast_strict", F(bind_fast_strict), { 0, 1 },
	    "R-BIND-9" },
	/* R-SOCK-16: SOMAXCONN 128, 4096 from 5.4 */
	{ "profile/switches/somaxconn", F(somaxconn), { 128, 4096 },
	    "R-SOCK-16" },
	/* Model-only switches (not in the SPEC table).
	 * R-SMAP-4: 6.0+ PSOCK tag, docs/kernel-semantics.md §4.1 */
	{ "profile/switches/model/sockmap_rejects_sockarray",
	    F(sockmap_rejects_sockarray), { 0, 1 }, "R-SMAP-4" },
	/* R-FREE-2: synchronize_rcu() in free until 5.8, §6.2 */
	{ "profile/switches/model/map_free_sync_rcu", F(map_free_sync_rcu),
	    { 1, 0 }, "R-FREE-2" },
	/* R-ATT-8: 5.14+, §7.6 */
	{ "profile/switches/model/detach_prog_enoent_closed",
	    F(detach_prog_enoent_closed), { 0, 1 }, "R-ATT-8" },
	/* R-CRE-6c: fdinfo memlock 6.4+, §2.3 (fdinfo itself not modelled) */
	{ "profile/switches/model/memlock_usage_exact", F(memlock_usage_exact),
	    { 0, 1 }, "R-CRE-6c" },
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

/* Loop index = row * 2 + profile. */
TU_TEST(switches, "profile/switches")
{
	const struct switch_case *c = &switch_cases[_i / TU_NPROFILES];
	int p = _i % TU_NPROFILES;
	long long got = switch_value(tu_profile(p), c);

	ck_assert_msg(got == c->want[p], "%s [%s]: switch is %lld, SPEC "
	    "table says %lld (rules %s)", c->name, profile_names[p], got,
	    c->want[p], c->rules);
}
END_TEST

/* Every switch differs between the two profiles except oversize_errno,
 * whose 6.18 value only names the allocation-failure errno. */
TU_TEST(switches_differ, "profile/switches/differ")
{
	for (size_t i = 0; i < G_N_ELEMENTS(switch_cases); i++) {
		const struct switch_case *c = &switch_cases[i];
		bool same = c->want[0] == c->want[1];

		ck_assert_msg(same == (c->off == offsetof(struct rp_profile,
		    oversize_errno)), "%s: table row inconsistent", c->name);
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
TU_TEST(switches_complete, "profile/switches/complete")
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
TU_TEST(switches_no_hidden, "profile/switches/no-hidden")
{
	const struct rp_profile *p = tu_profile(_i);
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

/* The set-up helpers' loop index maps to the profile of the same index. */
TU_TEST(nth_matches_tu, "profile/find/nth")
{
	for (int i = 0; i < TU_NPROFILES; i++)
		ck_assert_ptr_eq(rp_profile_nth((size_t)i), tu_profile(i));
}
END_TEST

static Suite *
profile_suite(void)
{
	Suite *s = suite_create("profile");
	TCase *tc;

	tc = tcase_create("profile/find");
	tcase_add_loop_test(tc, find_by_name, 0, TU_NPROFILES);
	tcase_add_test(tc, find_unknown);
	tcase_add_loop_test(tc, find_state, 0, TU_NPROFILES);
	tcase_add_test(tc, nth_matches_tu);
	suite_add_tcase(s, tc);

	tc = tcase_create("profile/switches");
	tcase_add_loop_test(tc, switches, 0,
	    (int)G_N_ELEMENTS(switch_cases) * TU_NPROFILES);
	tcase_add_test(tc, switches_differ);
	tcase_add_test(tc, switches_complete);
	tcase_add_loop_test(tc, switches_no_hidden, 0, TU_NPROFILES);
	suite_add_tcase(s, tc);
	return s;
}

TU_MAIN(profile_suite)
