/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * check_slots.c - unit tests of model/slots.c, the two-level slot table
 * of the array maps.  Random gets, sets and walks are compared with a
 * plain flat array (the reference), for sizes around the page size and
 * at the top of the index range; pages must be freed when they empty.
 */
#include <string.h>

#include "testutil.h"
#include "rp-int.h"

/* Sizes: inside one page, page edges, several pages. */
static const uint32_t sizes[] = {
	1, 2, RP_SLOT_PAGE - 1, RP_SLOT_PAGE, RP_SLOT_PAGE + 1,
	3 * RP_SLOT_PAGE + 17,
};

/* The reference walk: first non-NULL at or after i, else n. */
static uint32_t
ref_next(void *const *ref, uint32_t n, uint32_t i)
{
	while (i < n && ref[i] == NULL)
		i++;
	return i;
}

static uint32_t
pages_in_use(const struct rp_slots *s)
{
	uint32_t used = 0;

	for (uint32_t p = 0; p < s->npages; p++)
		if (s->pages[p] != NULL)
			used++;
	return used;
}

static void
check_same(const struct rp_slots *s, void *const *ref, uint32_t n)
{
	uint32_t i, j;

	for (i = 0; i < n; i++)
		ck_assert_ptr_eq(rp_slots_get(s, i), ref[i]);
	/* a full walk visits exactly the occupied slots, in order */
	j = ref_next(ref, n, 0);
	for (i = rp_slots_next(s, 0); i < n; i = rp_slots_next(s, i + 1)) {
		ck_assert_uint_eq(i, j);
		j = ref_next(ref, n, j + 1);
	}
	ck_assert_uint_eq(i, n);
	ck_assert_uint_eq(j, n);
	/* from every start */
	for (i = 0; i <= n; i++)
		ck_assert_uint_eq(rp_slots_next(s, i), ref_next(ref, n, i));
	/* an empty page is freed */
	for (uint32_t p = 0; p < s->npages; p++) {
		uint32_t fill = 0;

		for (i = p * RP_SLOT_PAGE; i < n && i < (p + 1) * RP_SLOT_PAGE;
		    i++)
			fill += ref[i] != NULL;
		ck_assert_uint_eq(s->pages[p] != NULL, fill > 0);
		if (fill > 0)
			ck_assert_uint_eq(s->pages[p]->fill, fill);
	}
}

TU_LOOP(random_vs_flat, "slots/table", G_N_ELEMENTS(sizes))
{
	uint32_t n = sizes[_i];
	g_autofree void **ref = g_new0(void *, n);
	g_autoptr(GRand) r = g_rand_new_with_seed(1000 + (guint32)_i);
	struct rp_slots s = { 0 };
	static int dummy[8];

	ck_assert(rp_slots_init(&s, n));
	ck_assert_uint_eq(s.npages, (n + RP_SLOT_PAGE - 1) / RP_SLOT_PAGE);
	check_same(&s, ref, n);
	for (int round = 0; round < 2000; round++) {
		uint32_t i = g_rand_int_range(r, 0, (gint32)n), edge;
		void *p;

		/* half of them at the edges of pages, where mistakes live */
		if (g_rand_boolean(r)) {
			edge = g_rand_boolean(r) ? 0 : RP_SLOT_PAGE - 1;
			i = MIN(n - 1, (i / RP_SLOT_PAGE) * RP_SLOT_PAGE +
			    edge);
		}
		p = g_rand_int_range(r, 0, 3) == 0 ? NULL :
		    &dummy[g_rand_int_range(r, 0, 8)];

		rp_slots_set(&s, i, p);
		ref[i] = p;
		if (round % 97 == 0)
			check_same(&s, ref, n);
	}
	check_same(&s, ref, n);
	/* empty everything: no page is left */
	for (uint32_t i = 0; i < n; i++) {
		rp_slots_set(&s, i, NULL);
		ref[i] = NULL;
	}
	check_same(&s, ref, n);
	ck_assert_uint_eq(pages_in_use(&s), 0);
	rp_slots_clear(&s);
	ck_assert_ptr_null(s.pages);
}
END_TEST

/* The largest index: the walk must end, not wrap around to slot 0. */
TU_CASE(top_of_range, "slots/table")
{
	struct rp_slots s = { 0 };
	static int a, b;
	const uint32_t n = UINT32_MAX;

	ck_assert(rp_slots_init(&s, n));
	ck_assert_uint_eq(rp_slots_next(&s, 0), n);
	rp_slots_set(&s, 0, &a);
	rp_slots_set(&s, n - 1, &b);
	ck_assert_ptr_eq(rp_slots_get(&s, n - 1), &b);
	ck_assert_uint_eq(rp_slots_next(&s, 1), n - 1);
	ck_assert_uint_eq(rp_slots_next(&s, n - 1), n - 1);
	ck_assert_uint_eq(rp_slots_next(&s, n), n);
	rp_slots_set(&s, n - 1, NULL);
	ck_assert_uint_eq(rp_slots_next(&s, 1), n);
	ck_assert_uint_eq(rp_slots_next(&s, n - 5), n);
	ck_assert_uint_eq(pages_in_use(&s), 1);
	rp_slots_clear(&s);
}
END_TEST

/* A page is allocated by the first write, not by reads or NULL writes. */
TU_CASE(lazy_pages, "slots/table")
{
	struct rp_slots s = { 0 };
	static int a;

	ck_assert(rp_slots_init(&s, 100 * RP_SLOT_PAGE));
	ck_assert_ptr_null(rp_slots_get(&s, 5 * RP_SLOT_PAGE));
	rp_slots_set(&s, 7 * RP_SLOT_PAGE + 3, NULL);
	ck_assert_uint_eq(pages_in_use(&s), 0);
	rp_slots_set(&s, 7 * RP_SLOT_PAGE + 3, &a);
	rp_slots_set(&s, 7 * RP_SLOT_PAGE + 3, &a);	/* same: fill stays */
	ck_assert_uint_eq(pages_in_use(&s), 1);
	ck_assert_uint_eq(s.pages[7]->fill, 1);
	rp_slots_set(&s, 7 * RP_SLOT_PAGE + 3, NULL);
	ck_assert_uint_eq(pages_in_use(&s), 0);
	rp_slots_clear(&s);
}
END_TEST


TU_MAIN("slots")
