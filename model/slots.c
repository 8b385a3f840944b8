/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * slots.c - the slot table of the array maps (REUSEPORT_SOCKARRAY,
 * SOCKMAP, ARRAY_OF_MAPS): max_entries pointers, as the kernel's
 * reuseport_array.ptrs[] / bpf_stab.sks[] / bpf_array.ptrs[].
 *
 * The kernel allocates the whole array at map creation (and charges it:
 * rp_sockarray_alloc() and friends still account 8 bytes a slot against
 * the kmem limit).  The model stores it as a two-level table instead:
 * a directory of max_entries / RP_SLOT_PAGE page pointers, and pages of
 * RP_SLOT_PAGE slots allocated on the first write and freed when their
 * last slot empties.  So a map of 100 million slots with two sockets
 * costs two pages, and walking its occupied slots (map free, the
 * invariant checker after every step) costs O(directory + occupied
 * pages), not O(max_entries): with a flat array, a scenario of a few
 * hundred steps on one such map took minutes (found by the fuzzer,
 * tests/fuzz/regress/scenario/huge-map-steps.scn).  Get and set stay O(1).
 */
#include "rp-int.h"

#define RP_SLOT_MASK	(RP_SLOT_PAGE - 1)

/*
 * Set up s with n empty slots (n > 0).  Return false when the directory
 * cannot be allocated.  Only the directory is allocated.
 */
bool
rp_slots_init(struct rp_slots *s, uint32_t n)
{
	g_assert(n > 0);
	s->n = n;
	s->npages = (uint32_t)(((uint64_t)n + RP_SLOT_MASK) / RP_SLOT_PAGE);
	s->pages = g_try_new0(struct rp_slot_page *, s->npages);
	return s->pages != NULL;
}

/* Free every page and the directory of s.  Cannot fail. */
void
rp_slots_clear(struct rp_slots *s)
{
	for (uint32_t i = 0; s->pages != NULL && i < s->npages; i++)
		g_free(s->pages[i]);
	g_free(s->pages);
	s->pages = NULL;
	s->npages = 0;
	s->n = 0;
}

/* The pointer in slot i (NULL: empty).  i < s->n. */
void *
rp_slots_get(const struct rp_slots *s, uint32_t i)
{
	const struct rp_slot_page *pg;

	g_assert(i < s->n);
	pg = s->pages[i / RP_SLOT_PAGE];
	return pg != NULL ? pg->slot[i & RP_SLOT_MASK] : NULL;
}

/* Store p (NULL: empty) in slot i.  i < s->n.  Cannot fail. */
void
rp_slots_set(struct rp_slots *s, uint32_t i, void *p)
{
	struct rp_slot_page **pgp, *pg;
	void **slot;

	g_assert(i < s->n);
	pgp = &s->pages[i / RP_SLOT_PAGE];
	if (*pgp == NULL) {
		if (p == NULL)
			return;
		*pgp = g_new0(struct rp_slot_page, 1);
	}
	pg = *pgp;
	slot = &pg->slot[i & RP_SLOT_MASK];
	if (*slot == NULL && p != NULL)
		pg->fill++;
	else if (*slot != NULL && p == NULL)
		pg->fill--;
	*slot = p;
	if (pg->fill == 0)
		g_clear_pointer(pgp, g_free);
}

/*
 * The first occupied slot at or after i, or s->n when there is none;
 * empty pages are skipped whole.  Walk the occupied slots in order with
 *	for (i = rp_slots_next(s, 0); i < s->n; i = rp_slots_next(s, i + 1))
 */
uint32_t
rp_slots_next(const struct rp_slots *s, uint32_t i)
{
	while (i < s->n) {
		const struct rp_slot_page *pg = s->pages[i / RP_SLOT_PAGE];
		uint32_t base = i & ~RP_SLOT_MASK;
		uint32_t end = MIN(s->n - base, RP_SLOT_PAGE);

		for (uint32_t j = i - base; pg != NULL && j < end; j++)
			if (pg->slot[j] != NULL)
				return base + j;
		i = base + end;		/* <= n: no overflow */
	}
	return s->n;
}
