/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * outer.c - BPF_MAP_TYPE_ARRAY_OF_MAPS and BPF_MAP_TYPE_HASH_OF_MAPS whose
 * inner maps are reuseport arrays (kernel/bpf/arraymap.c, hashtab.c,
 * map_in_map.c).  The outer map keeps a template of the inner map given at
 * creation; an inner map may join only if it matches the template
 * (bpf_map_meta_equal(): 4.19 also compares max_entries).  A slot holds a
 * reference on its inner map, so replacing or deleting the last reference
 * frees the inner map (and empties its slots).
 */
#include <errno.h>

#include "rp-int.h"

/* bpf_map_meta_alloc(): copy the template from inner_map_fd. */
int
rp_outer_alloc(struct rp_state *st, struct rp_proc *p, struct rp_map *m,
    const struct rp_map_attr *a)
{
	struct rp_file *f = rp_fd_get(st, p, a->inner_map_fd);
	struct rp_map *in;

	if (f == NULL)
		return rp_rule(st, "R-MIM-1", -EBADF);
	if (f->kind != RP_FILE_MAP) {
		rp_file_put(st, f);
		return rp_rule(st, "R-MIM-1", -EINVAL);
	}
	in = f->u.map;
	if (in->type == RP_MAP_ARRAY_OF_MAPS || in->type == RP_MAP_HASH_OF_MAPS) {
		rp_file_put(st, f);
		return rp_rule(st, "R-MIM-1", -EINVAL);
	}
	m->inner_type = in->type;
	m->inner_key_size = in->key_size;
	m->inner_value_size = in->value_size;
	m->inner_max_entries = in->max_entries;
	m->inner_map_flags = in->map_flags;
	rp_file_put(st, f);
	if (m->type == RP_MAP_ARRAY_OF_MAPS) {
		uint64_t bytes = 8 * (uint64_t)m->max_entries;

		if (bytes > st->kmem_limit - st->kmem_used)
			return rp_rule(st, "R-CRE-6d", -ENOMEM);
		if (!rp_slots_init(&m->u.slots, m->max_entries))
			return -ENOMEM;	/* LCOV_EXCL_LINE */
		st->kmem_used += bytes;
	} else {
		m->u.hash = g_hash_table_new(g_direct_hash, g_direct_equal);
	}
	return rp_rule(st, "R-MIM-1", 0);
}

/* The inner map at key, or NULL (what a program's outer lookup returns). */
struct rp_map *
rp_outer_lookup_map(struct rp_state *st, struct rp_map *m, uint32_t key)
{
	(void)st;
	if (m->type == RP_MAP_ARRAY_OF_MAPS)
		return key < m->max_entries ? rp_map_inner(m, key) : NULL;
	return g_hash_table_lookup(m->u.hash, GUINT_TO_POINTER(key));
}

/* Syscall lookup of an outer map returns the inner map's id. */
int
rp_outer_lookup(struct rp_state *st, struct rp_map *m, uint32_t key,
    uint64_t *value)
{
	struct rp_map *in = rp_outer_lookup_map(st, m, key);

	if (in == NULL)
		return rp_rule(st, "R-MIM-5", -ENOENT);
	*value = in->id;
	return rp_rule(st, "R-MIM-5", 0);
}

/* Put in at key (NULL = delete); returns the previous inner map. */
static struct rp_map *
outer_xchg(struct rp_state *st, struct rp_map *m, uint32_t key,
    struct rp_map *in)
{
	struct rp_map *old;

	if (m->type == RP_MAP_ARRAY_OF_MAPS) {
		old = rp_map_inner(m, key);
		rp_slots_set(&m->u.slots, key, in);
	} else {
		old = g_hash_table_lookup(m->u.hash, GUINT_TO_POINTER(key));
		if (in != NULL)
			g_hash_table_insert(m->u.hash, GUINT_TO_POINTER(key), in);
		else
			g_hash_table_remove(m->u.hash, GUINT_TO_POINTER(key));
	}
	if (old == NULL && in != NULL)
		m->used++;
	else if (old != NULL && in == NULL)
		m->used--;
	if (in != NULL)
		rp_emit(st, &(struct rp_event){ .kind = RP_EV_SLOT_SET,
		    .map = m->id, .idx = key, .map2 = in->id });
	else
		rp_emit(st, &(struct rp_event){ .kind = RP_EV_SLOT_CLEAR,
		    .map = m->id, .idx = key });
	return old;
}

/*
 * bpf_fd_array_map_update_elem() / bpf_fd_htab_map_update_elem(): value is
 * an inner map fd.  One update switches every program that selects through
 * this slot to the new inner map (the hot-handover of the seed's story).
 */
int
rp_outer_update(struct rp_state *st, struct rp_proc *p, struct rp_map *m,
    uint32_t key, uint64_t value, uint64_t flags)
{
	struct rp_file *f;
	struct rp_map *in, *old;
	bool present;

	/* KERNEL: bpf_fd_array_map_update_elem(): BPF_ANY only, then index */
	if (m->type == RP_MAP_ARRAY_OF_MAPS) {
		if (flags != RP_BPF_ANY)
			return rp_rule(st, "R-MIM-6", -EINVAL);
		if (key >= m->max_entries)
			return rp_rule(st, "R-MIM-6", -E2BIG);
	}
	/* KERNEL: bpf_map_fd_get_ptr(): the fd and the template check */
	f = rp_fd_get(st, p, (int)(int32_t)(uint32_t)value);
	if (f == NULL)
		return rp_rule(st, "R-MIM-6", -EBADF);
	if (f->kind != RP_FILE_MAP) {
		rp_file_put(st, f);
		return rp_rule(st, "R-MIM-6", -EINVAL);
	}
	in = f->u.map;
	if (!rp_map_meta_equal(st, m, in)) {
		rp_file_put(st, f);
		return rp_rule(st, st->prof->inner_max_entries_eq ?
		    "R-MIM-2" : "R-MIM-3", -EINVAL);
	}
	if (m->type == RP_MAP_HASH_OF_MAPS) {
		/* KERNEL: htab_map_update_elem() after the fd lookup */
		present = g_hash_table_contains(m->u.hash,
		    GUINT_TO_POINTER(key));
		if (flags > RP_BPF_EXIST) {
			rp_file_put(st, f);
			return rp_rule(st, "R-MIM-6", -EINVAL);
		}
		if (present && flags == RP_BPF_NOEXIST) {
			rp_file_put(st, f);
			return rp_rule(st, "R-MIM-6", -EEXIST);
		}
		if (!present && flags == RP_BPF_EXIST) {
			rp_file_put(st, f);
			return rp_rule(st, "R-MIM-6", -ENOENT);
		}
		if (!present && m->used >= m->max_entries) {
			rp_file_put(st, f);
			return rp_rule(st, "R-MIM-6", -E2BIG);
		}
	}
	in->refs++;
	rp_file_put(st, f);
	old = outer_xchg(st, m, key, in);
	if (old != NULL)
		rp_map_put(st, old);
	return rp_rule(st, "R-MIM-6", 0);
}

int
rp_outer_delete(struct rp_state *st, struct rp_map *m, uint32_t key)
{
	struct rp_map *old;

	if (m->type == RP_MAP_ARRAY_OF_MAPS && key >= m->max_entries)
		return rp_rule(st, "R-MIM-7", -E2BIG);
	if (rp_outer_lookup_map(st, m, key) == NULL)
		return rp_rule(st, "R-MIM-7", -ENOENT);
	old = outer_xchg(st, m, key, NULL);
	rp_map_put(st, old);
	return rp_rule(st, "R-MIM-7", 0);
}

void
rp_outer_free(struct rp_state *st, struct rp_map *m)
{
	if (m->type == RP_MAP_ARRAY_OF_MAPS) {
		for (uint32_t i = rp_slots_next(&m->u.slots, 0);
		    i < m->max_entries; i = rp_slots_next(&m->u.slots, i + 1))
			rp_map_put(st, outer_xchg(st, m, i, NULL));
		st->kmem_used -= 8 * (uint64_t)m->max_entries;
		rp_slots_clear(&m->u.slots);
	} else {
		GHashTableIter it;
		gpointer k, v;
		g_autoptr(GPtrArray) inner = g_ptr_array_new();

		g_hash_table_iter_init(&it, m->u.hash);
		while (g_hash_table_iter_next(&it, &k, &v))
			g_ptr_array_add(inner, v);
		g_hash_table_remove_all(m->u.hash);
		for (guint i = 0; i < inner->len; i++)
			rp_map_put(st, inner->pdata[i]);
		g_hash_table_unref(m->u.hash);
	}
}
