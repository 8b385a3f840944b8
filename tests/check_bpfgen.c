/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * check_bpfgen.c - the eBPF the kernel backend loads for a policy
 * (sim/core/bpfgen.c) run by the model's interpreter, against
 * the model's policy path, on the same packets: what a scenario's program
 * shorthand means must not depend on which of the two runs it.  This is
 * the ground for running the shorthand as instructions on the model too
 * (issue 13, part 2, item 2).
 *
 * Two states of one profile are built alike: a group of four UDP members
 * at 127.0.0.1:PORT, an 8-slot sockarray with members 0, 1 and 3 in
 * slots 0, 1 and 3 (slot 2 and 4-7 empty), an outer ARRAY_OF_MAPS with
 * the sockarray in slot 1, and the generator's statistics ARRAY.  One
 * attaches the policy program (rp_prog_load()), the other the generated
 * instructions (rp_prog_load_insns()); each packet (payload of 0 to 8
 * seeded random bytes, a random hash) must reach the same member with the
 * same outcome and the same helper result in both, and the generated run
 * must not fault.  R-PRG-1 R-HLP-4 R-SEL-2 R-EBPF-18
 */
#include <errno.h>
#include <string.h>

#include <check.h>
#include <glib.h>

#include "rp-int.h"
#include "testutil.h"
#include "core/bpfgen.h"

#define PORT	46100
#define NPKT	64

G_STATIC_ASSERT(sizeof(struct rp_insn) == 8);

struct gfx {
	struct rp_state	*st;
	int		 fds[4];
	int		 map;		/* sockarray, 8 slots */
	int		 outer;		/* ARRAY_OF_MAPS: slot 1 = map */
	int		 stats;		/* the generator's statistics */
};

static void
gfx_init(struct gfx *f, const struct rp_profile *pr)
{
	struct rp_map_attr a;

	memset(f, 0, sizeof(*f));
	f->st = rp_state_new(pr);
	f->map = tu_sockarray(f->st, 0, 8, 4);
	for (int i = 0; i < 4; i++) {
		f->fds[i] = tu_reuse_sock(f->st, 0, RP_AF_INET, RP_SOCK_DGRAM,
		    1, PORT);
		if (i != 2)
			ck_assert_int_eq(rp_map_update(f->st, 0, f->map,
			    (uint32_t)i, (uint64_t)f->fds[i], RP_BPF_ANY), 0);
	}
	rp_map_attr_init(&a, RP_MAP_ARRAY_OF_MAPS, 4, 4);
	a.inner_map_fd = f->map;
	f->outer = rp_map_create(f->st, 0, &a);
	ck_assert_int_ge(f->outer, 3);
	ck_assert_int_eq(rp_map_update(f->st, 0, f->outer, 1,
	    (uint64_t)f->map, RP_BPF_ANY), 0);
	rp_map_attr_init(&a, RP_MAP_ARRAY, sizeof(struct bpfgen_stats), 1);
	f->stats = rp_map_create(f->st, 0, &a);
	ck_assert_int_ge(f->stats, 3);
}

/* The policies: every key source but migration, the verdict switches,
 * selection through the outer map. */
static const struct rp_policy policies[] = {
	{ .key_src = RP_KEY_CONST, .key_const = 0 },
	{ .key_src = RP_KEY_CONST, .key_const = 3 },
	{ .key_src = RP_KEY_CONST, .key_const = 2 },		/* empty slot */
	{ .key_src = RP_KEY_CONST, .key_const = 2, .pass_on_error = true },
	{ .key_src = RP_KEY_CONST, .key_const = 100 },		/* past the end */
	{ .key_src = RP_KEY_CONST, .key_const = 100, .pass_on_error = true },
	{ .key_src = RP_KEY_PAYLOAD, .off = 0, .width = 1 },
	{ .key_src = RP_KEY_PAYLOAD, .off = 1, .width = 1, .hash_mod = 4,
	    .pass_on_error = true },
	{ .key_src = RP_KEY_PAYLOAD, .off = 0, .width = 2, .big_endian = true,
	    .hash_mod = 4 },
	{ .key_src = RP_KEY_PAYLOAD, .off = 2, .width = 2, .hash_mod = 8,
	    .pass_on_error = true },
	{ .key_src = RP_KEY_PAYLOAD, .off = 0, .width = 4, .hash_mod = 4 },
	{ .key_src = RP_KEY_PAYLOAD, .off = 4, .width = 4, .big_endian = true,
	    .hash_mod = 3, .pass_on_error = true },
	{ .key_src = RP_KEY_PAYLOAD, .off = 7, .width = 2, .hash_mod = 4 },
	{ .key_src = RP_KEY_HASH },
	{ .key_src = RP_KEY_HASH, .hash_mod = 4 },
	{ .key_src = RP_KEY_HASH, .hash_mod = 8, .pass_on_error = true },
	{ .key_src = RP_KEY_HASH, .hash_mod = 2, .via_outer = true,
	    .outer_key = 1 },
	{ .key_src = RP_KEY_CONST, .key_const = 1, .via_outer = true,
	    .outer_key = 3, .pass_on_error = true },	/* empty outer slot */
	{ .key_src = RP_KEY_CONST, .always_drop = true },
	{ .key_src = RP_KEY_CONST, .key_const = 1, .always_pass = true },
};

/* The generator is for the profiles with ctx->sk and ctx->migrating_sk
 * (switch migration, 5.14+): its migration code reads migrating_sk. */

/* NPKT packets (seeded by seed) to both states: the same member,
 * outcome, helper result and verdict, and no fault in b. */
static void
same_deliveries(struct gfx *a, struct gfx *b, guint32 seed, const char *what)
{
	g_autoptr(GRand) rnd = g_rand_new_with_seed(seed);

	for (int k = 0; k < NPKT; k++) {
		uint8_t pay[8];
		size_t len = (size_t)g_rand_int_range(rnd, 0, 9);
		struct rp_packet pkt = { .protocol = RP_IPPROTO_UDP,
		    .src = tu_addr(RP_AF_INET, 1, (uint16_t)(20000 + k)),
		    .dst = tu_addr(RP_AF_INET, 1, PORT), .payload = pay,
		    .len = len, .has_hash = true, .hash = g_rand_int(rnd) };
		struct rp_delivery da, db;
		char *why;

		for (size_t j = 0; j < sizeof(pay); j++)
			pay[j] = (uint8_t)g_rand_int_range(rnd, 0, 256);
		ck_assert_int_eq(rp_send(a->st, 0, &pkt, &da), 0);
		ck_assert_int_eq(rp_send(b->st, 0, &pkt, &db), 0);
		why = rp_state_take_violation(b->st);
		ck_assert_msg(why == NULL && !db.prog_fault,
		    "%s, packet %d: the generated program faulted: %s", what,
		    k, why);
		ck_assert_msg(da.outcome == db.outcome && da.sock == db.sock &&
		    da.helper_err == db.helper_err && da.prog_ret ==
		    db.prog_ret, "%s, packet %d (%zu bytes, hash %#x): "
		    "shorthand outcome %d sock %u helper %d ret %d, "
		    "instructions outcome %d sock %u helper %d ret %d", what,
		    k, len, pkt.hash, da.outcome, da.sock, da.helper_err,
		    da.prog_ret, db.outcome, db.sock, db.helper_err,
		    db.prog_ret);
	}
}

/* Attaches program pfd (asserted loaded) to f's first member. */
static void
attach(struct gfx *f, int pfd)
{
	ck_assert_int_ge(pfd, 3);
	ck_assert_int_eq(rp_attach_ebpf(f->st, 0, f->fds[0], pfd), 0);
}

/* Loads the generated instructions code as a program of type and
 * attaches it to f's first member. */
static void
attach_insns(struct gfx *f, uint32_t type, const GArray *code)
{
	struct rp_prog_insns_attr ia = { .prog_type = type };

	ia.insns = (const struct rp_insn *)(const void *)code->data;
	ia.insn_cnt = code->len;
	attach(f, rp_prog_load_insns(f->st, 0, &ia));
}

/* Loop i of a table under every profile (TU_BY_PROFILE()): both states,
 * of row TU_ROW_OF(i). */
static void
pair_init(struct gfx *a, struct gfx *b, int i)
{
	gfx_init(a, tu_prof(TU_ROW_OF(i)));
	gfx_init(b, tu_prof(TU_ROW_OF(i)));
}

/* same_deliveries() for loop i, seeded by i, the case named "ROW, KIND
 * CASE" (KIND: which table); then the end of both states
 * (tu_state_done()). */
static void
same_and_done(struct gfx *a, struct gfx *b, int i, const char *kind)
{
	g_autofree char *what = g_strdup_printf("%s, %s %d",
	    rp_profile_name(tu_prof(TU_ROW_OF(i))), kind, TU_CASE_OF(i));

	same_deliveries(a, b, (guint32)i, what);
	tu_state_done(a->st);
	tu_state_done(b->st);
}

TU_NAMED(policy_vs_insns, "bpfgen/policy-vs-insns", "bpfgen",
    TU_BY_PROFILE(policies))
{
	const struct rp_policy *pol = &policies[TU_CASE_OF(_i)];
	const struct rp_profile *pr = tu_prof(TU_ROW_OF(_i));
	g_autoptr(GArray) code = g_array_new(FALSE, TRUE, 8);
	struct rp_prog_attr pa = { .prog_type = RP_PROG_SK_REUSEPORT };
	struct gfx a, b;

	TU_UNLESS(pr->migration);
	pair_init(&a, &b, _i);
	pa.map_fd = pol->via_outer ? a.outer : a.map;
	pa.policy = *pol;
	attach(&a, rp_prog_load(a.st, 0, &pa));
	ck_assert_int_eq(bpfgen_sk_reuseport(pol, pol->via_outer ? b.outer :
	    b.map, -1, b.stats, code), 0);
	attach_insns(&b, RP_PROG_SK_REUSEPORT, code);
	same_and_done(&a, &b, _i, "policy");
}
END_TEST

/*
 * The classic shorthand (rp_attach_cbpf()) and the instructions
 * bpfgen_cbpf() makes of it (rp_attach_cbpf_insns()): "ret #k", or
 * "ld [off]; mod #n; ret a", padded with "ldx #0" to insn_count.
 * R-CBPF-2 R-CBPF-3 R-SEL-2
 */
static const struct rp_cbpf cbpfs[] = {
	{ .k = 0 }, { .k = 1 }, { .k = 3 }, { .k = 4 }, { .k = 1000 },
	{ .payload_index = true, .off = 0 },
	{ .payload_index = true, .off = 0, .mod = 4 },
	{ .payload_index = true, .off = 2, .mod = 3 },
	{ .payload_index = true, .off = 4, .mod = 7, .insn_count = 40 },
	{ .payload_index = true, .off = 6, .mod = 2 },
};

TU_NAMED(cbpf_vs_insns, "bpfgen/cbpf-vs-insns", "bpfgen",
    TU_BY_PROFILE(cbpfs))
{
	const struct rp_cbpf *c = &cbpfs[TU_CASE_OF(_i)];
	g_autoptr(GArray) code = g_array_new(FALSE, TRUE, 8);
	struct gfx a, b;

	G_STATIC_ASSERT(sizeof(struct rp_sock_filter) == 8);
	pair_init(&a, &b, _i);
	ck_assert_int_eq(rp_attach_cbpf(a.st, 0, a.fds[0], c), 0);
	bpfgen_cbpf(c, code);
	ck_assert_int_eq(rp_attach_cbpf_insns(b.st, 0, b.fds[0],
	    (const struct rp_sock_filter *)(const void *)code->data,
	    code->len), 0);
	same_and_done(&a, &b, _i, "classic");
}
END_TEST

/*
 * A SOCKET_FILTER program used as a selector: the model's policy
 * (rp_prog_load() of RP_PROG_SOCKET_FILTER) and bpfgen_socket_filter()'s
 * instructions.  R-PRG-6 R-CTX-8 R-SEL-2
 */
static const struct rp_policy filters[] = {
	{ .key_src = RP_KEY_CONST, .key_const = 0 },
	{ .key_src = RP_KEY_CONST, .key_const = 2 },
	{ .key_src = RP_KEY_CONST, .key_const = 9 },
	{ .key_src = RP_KEY_PAYLOAD, .off = 0, .width = 4 },
	{ .key_src = RP_KEY_PAYLOAD, .off = 0, .width = 4, .hash_mod = 4 },
	{ .key_src = RP_KEY_PAYLOAD, .off = 3, .width = 4, .hash_mod = 3 },
};

TU_NAMED(filter_vs_insns, "bpfgen/filter-vs-insns", "bpfgen",
    TU_BY_PROFILE(filters))
{
	const struct rp_policy *pol = &filters[TU_CASE_OF(_i)];
	g_autoptr(GArray) code = g_array_new(FALSE, TRUE, 8);
	struct rp_prog_attr pa = { .prog_type = RP_PROG_SOCKET_FILTER,
	    .map_fd = -1, .policy = *pol };
	struct gfx a, b;

	pair_init(&a, &b, _i);
	attach(&a, rp_prog_load(a.st, 0, &pa));
	ck_assert_int_eq(bpfgen_socket_filter(pol, -1, b.stats, code), 0);
	attach_insns(&b, RP_PROG_SOCKET_FILTER, code);
	same_and_done(&a, &b, _i, "filter");
}
END_TEST

TU_MAIN("bpfgen")
