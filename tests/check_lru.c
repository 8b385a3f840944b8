/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * check_lru.c - map types beyond the first set (docs/SPEC.md R-CRE-4c,
 * R-CRE-4d, R-VMAP-6): which types a profile's kernel lacks and which
 * the model does not implement, and BPF_MAP_TYPE_LRU_HASH (model/valmap.c):
 * its create checks, and an update of a new key into a full map that
 * evicts the element least recently used (the model's choice) where a
 * plain hash fails with -E2BIG.
 */
#include <errno.h>
#include <string.h>

#include "testutil.h"
#include "rp-int.h"

static int
lru_new(struct rp_state *st, unsigned proc, uint32_t type, uint32_t max,
    uint32_t flags)
{
	struct rp_map_attr a;

	rp_map_attr_init(&a, type, 8, max);
	a.key_size = 4;
	a.map_flags = flags;
	return rp_map_create(st, proc, &a);
}

static int
put(struct rp_state *st, int fd, uint32_t k, uint64_t v)
{
	return rp_map_update_elem(st, 0, fd, &k, &v, 0);
}

static bool
has(struct rp_state *st, int fd, uint32_t k)
{
	uint64_t v = 0;

	return rp_map_lookup_elem(st, 0, fd, &k, &v, 0) == 0 && v == k * 10;
}

/* R-CRE-4c, R-CRE-4d: per profile, a type the kernel lacks, one it has
 * that the model implements, one it has that the model does not. */
TU_LOOP(type_status, "lru/types", TU_EVERY_PROFILE)
{
	const struct rp_profile *prof = tu_prof(_i);
	struct rp_state *st = tu_state_row(_i);
	bool has_ringbuf = prof->bpf_version >= RP_KVER(5, 8);

	ck_assert_int_eq(rp_map_type_status(prof, RP_MAP_LRU_HASH),
	    RP_MAP_TYPE_MODELLED);
	ck_assert_int_eq(rp_map_type_status(prof, 27), has_ringbuf ?
	    RP_MAP_TYPE_NOT_MODELLED : RP_MAP_TYPE_KERNEL_LACKS);
	ck_assert_int_eq(rp_map_type_status(prof, 11), RP_MAP_TYPE_NOT_MODELLED);
	ck_assert_int_eq(rp_map_type_status(prof, 0), RP_MAP_TYPE_KERNEL_LACKS);
	ck_assert_int_eq(rp_map_type_status(prof, 99), RP_MAP_TYPE_KERNEL_LACKS);
	ck_assert_str_eq(rp_map_type_name(27), "ringbuf");
	ck_assert_str_eq(rp_map_type_name(RP_MAP_LRU_HASH), "lru_hash");
	ck_assert_ptr_null(rp_map_type_name(99));
	/* both refuse with -EINVAL in the library */
	ck_assert_int_eq(lru_new(st, 0, 11, 4, RP_BPF_F_NO_PREALLOC), -EINVAL);
	ck_assert_int_eq(lru_new(st, 0, 99, 4, 0), -EINVAL);
	tu_state_done(st);
}

/* R-VMAP-6: the create checks of an LRU hash. */
TU_LOOP(lru_create, "lru/create", TU_EVERY_PROFILE)
{
	struct rp_state *st = tu_state_row(_i);
	int unpriv = rp_proc_new(st, 0, 1000, 0);

	/* unprivileged bpf() allowed: the capability alone decides */
	ck_assert_int_eq(rp_sysctl_set(st, 0, "kernel.unprivileged_bpf_disabled",
	    0), 0);

	ck_assert_int_ge(lru_new(st, 0, RP_MAP_LRU_HASH, 4, 0), 0);
	ck_assert_int_ge(lru_new(st, 0, RP_MAP_LRU_HASH, 4,
	    RP_BPF_F_NO_COMMON_LRU), 0);
	/* KERNEL: htab_map_alloc_check(): preallocated only */
	ck_assert_int_eq(lru_new(st, 0, RP_MAP_LRU_HASH, 4,
	    RP_BPF_F_NO_PREALLOC), -RP_ENOTSUPP);
	/* the LRU flag on a plain hash: an unknown flag */
	ck_assert_int_eq(lru_new(st, 0, RP_MAP_HASH, 4,
	    RP_BPF_F_NO_COMMON_LRU), -EINVAL);
	ck_assert_int_eq(lru_new(st, 0, RP_MAP_LRU_HASH, 0, 0), -EINVAL);
	/* CAP_SYS_ADMIN (4.19), CAP_BPF (later), as a sockarray */
	ck_assert_int_ge(unpriv, 0);
	ck_assert_int_eq(lru_new(st, (unsigned)unpriv, RP_MAP_LRU_HASH, 4, 0),
	    -EPERM);
	ck_assert_int_ge(lru_new(st, (unsigned)unpriv, RP_MAP_HASH, 4, 0), 0);
	tu_state_done(st);
}

/* R-VMAP-6: a full LRU hash evicts the least recently updated element;
 * a full plain hash refuses. */
TU_LOOP(lru_evicts, "lru/evict", TU_EVERY_PROFILE)
{
	struct rp_state *st = tu_state_row(_i);
	int lru = lru_new(st, 0, RP_MAP_LRU_HASH, 2, 0);
	int hash = lru_new(st, 0, RP_MAP_HASH, 2, 0);

	ck_assert_int_ge(lru, 0);
	ck_assert_int_ge(hash, 0);
	ck_assert_int_eq(put(st, lru, 1, 10), 0);
	ck_assert_int_eq(put(st, lru, 2, 20), 0);
	ck_assert_int_eq(put(st, lru, 3, 30), 0);
	ck_assert(!has(st, lru, 1));
	ck_assert(has(st, lru, 2) && has(st, lru, 3));
	/* replacing a present key evicts nothing */
	ck_assert_int_eq(put(st, lru, 2, 20), 0);
	ck_assert(has(st, lru, 2) && has(st, lru, 3));
	/* the flags still hold: NOEXIST on a present key */
	{
		uint32_t k = 3;
		uint64_t v = 30;

		ck_assert_int_eq(rp_map_update_elem(st, 0, lru, &k, &v,
		    RP_BPF_NOEXIST), -EEXIST);
	}
	ck_assert_int_eq(put(st, hash, 1, 10), 0);
	ck_assert_int_eq(put(st, hash, 2, 20), 0);
	ck_assert_int_eq(put(st, hash, 3, 30), -E2BIG);
	tu_state_done(st);
}

/* R-VMAP-6: a program's lookup counts as a use: the element it read
 * stays, the other goes. */
TU_LOOP(lru_lookup_uses, "lru/evict", TU_EVERY_PROFILE)
{
	struct rp_state *st = tu_state_row(_i);
	int fd = lru_new(st, 0, RP_MAP_LRU_HASH, 2, 0);
	struct rp_file *f = NULL;
	struct rp_map *m;
	uint32_t k = 1;
	int err = 0;

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(put(st, fd, 1, 10), 0);
	ck_assert_int_eq(put(st, fd, 2, 20), 0);
	m = rp_map_get(st, 0, fd, &f, &err);
	ck_assert_ptr_nonnull(m);
	/* as bpf_map_lookup_elem() from a program */
	ck_assert_ptr_nonnull(rp_vmap_lookup(st, m, (const uint8_t *)&k, 0));
	rp_file_put(st, f);
	ck_assert_int_eq(put(st, fd, 3, 30), 0);
	ck_assert(has(st, fd, 1) && has(st, fd, 3));
	ck_assert(!has(st, fd, 2));
	tu_state_done(st);
}

TU_MAIN("lru")
