/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * check_lru.c - map types beyond the first set (docs/SPEC.md R-CRE-4c,
 * R-CRE-4d, R-VMAP-6): which types a profile's kernel lacks and which
 * the model does not implement, and BPF_MAP_TYPE_LRU_HASH (model/valmap.c):
 * its create checks, and an update of a new key into a full map that
 * evicts the element least recently used (the model's choice) where a
 * plain hash fails with -E2BIG; the socket-storage helpers no
 * program type here is offered (R-PRG-7).
 */
#include <errno.h>
#include <string.h>

#include "testutil.h"
#include "rp-int.h"

static int
lru_new(struct rp_state *st, unsigned proc, uint32_t type, uint32_t max,
    uint32_t flags)
{
	return tu_map_create(st, proc, type, 4, 8, max, flags);
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
	ck_assert_int_eq(rp_map_type_status(prof, RP_MAP_RINGBUF), has_ringbuf ?
	    RP_MAP_TYPE_MODELLED : RP_MAP_TYPE_KERNEL_LACKS);
	ck_assert_int_eq(rp_map_type_status(prof, 24), prof->bpf_version >=
	    RP_KVER(5, 2) ? RP_MAP_TYPE_NOT_MODELLED :
	    RP_MAP_TYPE_KERNEL_LACKS);
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

static int
rb_new(struct rp_state *st, uint32_t max, uint32_t key, uint32_t value,
    uint32_t flags)
{
	return tu_map_create(st, 0, RP_MAP_RINGBUF, key, value, max, flags);
}

/* R-RB-1: a ring buffer's create checks (5.8+; -EINVAL before, R-CRE-4c)
 * and its syscall element commands (-ENOTSUPP). */
TU_LOOP(ringbuf_create, "lru/ringbuf", TU_EVERY_PROFILE)
{
	const struct rp_profile *prof = tu_prof(_i);
	struct rp_state *st = tu_state_row(_i);
	uint8_t buf[8] = { 0 };
	int fd;

	if (prof->bpf_version < RP_KVER(5, 8)) {
		ck_assert_int_eq(rb_new(st, 4096, 0, 0, 0), -EINVAL);
		tu_state_done(st);
		return;
	}
	fd = rb_new(st, 4096, 0, 0, 0);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(rb_new(st, 6144, 0, 0, 0), -EINVAL);	/* not 2^n */
	ck_assert_int_eq(rb_new(st, 2048, 0, 0, 0), -EINVAL);	/* < page */
	ck_assert_int_eq(rb_new(st, 4096, 4, 0, 0), -EINVAL);
	ck_assert_int_eq(rb_new(st, 4096, 0, 8, 0), -EINVAL);
	ck_assert_int_eq(rb_new(st, 4096, 0, 0, RP_BPF_F_RDONLY), -EINVAL);
	ck_assert_int_eq(rp_map_lookup_elem(st, 0, fd, buf, buf, 0),
	    -RP_ENOTSUPP);
	ck_assert_int_eq(rp_map_update_elem(st, 0, fd, buf, buf, 0),
	    -RP_ENOTSUPP);
	ck_assert_int_eq(rp_map_delete_elem(st, 0, fd, buf), -RP_ENOTSUPP);
	tu_state_done(st);
}

/* R-RB-2 R-RB-3 R-RB-4: records take round_up(size + 8, 8) bytes from
 * their reservation; nothing consumes, so a ring of N bytes holds at most
 * N - 1; discarded records keep their place. */
TU_LOOP(ringbuf_fill, "lru/ringbuf", TU_EVERY_PROFILE)
{
	const struct rp_profile *prof = tu_prof(_i);
	struct rp_state *st;
	struct rp_file *f = NULL;
	struct rp_map *m;
	uint64_t recs, disc, bytes;
	uint8_t *r1, *r2;
	int fd, err = 0;

	TU_UNLESS(prof->bpf_version >= RP_KVER(5, 8));
	st = tu_state_row(_i);
	fd = rb_new(st, 4096, 0, 0, 0);
	ck_assert_int_ge(fd, 0);
	m = rp_map_get(st, 0, fd, &f, &err);
	ck_assert_ptr_nonnull(m);
	ck_assert_int_eq(rp_ringbuf_output(st, m, 8), 0);	/* 16 */
	r1 = rp_ringbuf_reserve(st, m, 2000);			/* 2008 */
	r2 = rp_ringbuf_reserve(st, m, 2000);			/* 2008 */
	ck_assert_ptr_nonnull(r1);
	ck_assert_ptr_nonnull(r2);
	ck_assert_uint_eq(rp_ringbuf_query(st, m, 3), 4032);
	ck_assert_uint_eq(rp_ringbuf_query(st, m, 1), 4096);
	ck_assert_uint_eq(rp_ringbuf_query(st, m, 2), 0);
	/* 4032 + 64 = 4096 > 4095: full */
	ck_assert_int_eq(rp_ringbuf_output(st, m, 56), -EAGAIN);
	ck_assert_int_eq(rp_ringbuf_output(st, m, 48), 0);	/* 4088 */
	ck_assert_ptr_null(rp_ringbuf_reserve(st, m, 0));	/* 8 more */
	ck_assert(rp_ringbuf_commit(st, m, r1, false));
	ck_assert(rp_ringbuf_commit(st, m, r2, true));
	ck_assert(!rp_ringbuf_commit(st, m, r2, false));	/* released */
	rp_ringbuf_counts(m, &recs, &disc, &bytes);
	ck_assert_uint_eq(recs, 3);
	ck_assert_uint_eq(disc, 1);
	ck_assert_uint_eq(bytes, 4088);
	/* a discard gives no room back: no consumer moves */
	ck_assert_int_eq(rp_ringbuf_output(st, m, 0), -EAGAIN);
	rp_file_put(st, f);
	tu_state_done(st);
}

/* R-PRG-7: bpf_sk_storage_get() and bpf_sk_storage_delete() are offered
 * to neither SK_REUSEPORT nor SOCKET_FILTER in any profile (the 6.18
 * verifier: "program of this type cannot use helper
 * bpf_sk_storage_get#107"); the model knows them by name, so a program
 * calling one faults as not offered, not as unknown. */
TU_LOOP(sk_storage_helpers, "lru/types", TU_EVERY_PROFILE)
{
	const struct rp_profile *prof = tu_prof(_i);

	ck_assert_str_eq(rp_bpf_helper_name(107), "sk_storage_get");
	ck_assert_str_eq(rp_bpf_helper_name(108), "sk_storage_delete");
	for (int32_t id = 107; id <= 108; id++) {
		ck_assert_ptr_null(rp_bpf_helper_find(prof,
		    RP_PROG_SK_REUSEPORT, id));
		ck_assert_ptr_null(rp_bpf_helper_find(prof,
		    RP_PROG_SOCKET_FILTER, id));
	}
}

TU_MAIN("lru")
