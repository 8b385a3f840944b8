/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * valmap.c - the plain value maps programs keep their own state in:
 * BPF_MAP_TYPE_ARRAY and PERCPU_ARRAY (kernel/bpf/arraymap.c), HASH and
 * PERCPU_HASH (kernel/bpf/hashtab.c), as small as the programs of this
 * model need them: create checks, lookup, update, delete and next key,
 * from the syscall and from a program (helpers.c).
 *
 * A value is value_size bytes stored in round_up(value_size, 8) bytes.  A
 * per-CPU map keeps one copy per possible CPU (RP_BPF_NCPUS); a program
 * sees the copy of the state's CPU, the syscall all of them.  Arrays hold
 * max_entries values from creation, zeroed; a hash holds at most
 * max_entries elements.  Replacing a hash element or deleting it frees
 * the old element after a grace period (rp_call_rcu()), so a program that
 * still points into it reads the old value, as in the kernel; arrays and
 * per-CPU hashes update in place.
 *
 * LRU_HASH (kernel/bpf/hashtab.c over bpf_lru_list.c) is a HASH whose
 * update of a new key into a full map evicts an element instead of
 * failing with -E2BIG (R-VMAP-6).  The kernel's LRU is approximate (an
 * active and an inactive list, per-CPU free lists, a reference bit set
 * by lookups; with BPF_F_NO_COMMON_LRU one LRU per CPU) and may evict
 * before the map is full; THE MODEL'S CHOICE is exact: it evicts the
 * element least recently updated or looked up by a program, and only
 * when max_entries elements are there.  A scenario must not depend on
 * which element goes, only on the map's size staying bounded.
 *
 * RINGBUF (kernel/bpf/ringbuf.c) holds no values: programs write records
 * (R-RB-1 .. R-RB-4, below), counted and dropped; nothing consumes them.
 *
 * Not modelled: BPF_F_LOCK values, LRU_PERCPU_HASH, BPF_F_ZERO_SEED,
 * mmap()able arrays, and
 * the 4.19 memlock charge of these maps (they are charged as a
 * sockarray of the same max_entries, see docs/model.md).
 *
 * Every write reports RP_EV_SLOT_SET or RP_EV_SLOT_CLEAR with the first
 * four key bytes as idx, so an observer (the explorer's footprints) sees
 * the change.
 */
#include <errno.h>
#include <string.h>

#include "rp-int.h"

#define KMALLOC_MAX	(UINT64_C(1) << 22)	/* x86-64, 4 KiB pages */
#define PCPU_MIN_UNIT	(32u * 1024)		/* PCPU_MIN_UNIT_SIZE */
#define NUMA_NO_NODE	(-1)

struct rp_vkey {
	uint32_t	 len;
	const uint8_t	*p;
};

struct rp_velem {
	struct rp_vkey	 k;		/* points at key[] below */
	uint8_t		*val;		/* elem bytes, or RP_BPF_NCPUS * elem */
	size_t		 val_len;	/* bytes at val */
	uint64_t	 used;		/* LRU: stamp of the last use */
	uint8_t		 key[];
};

struct rp_vmap {
	uint32_t	  elem;		/* round_up(value_size, 8) */
	bool		  percpu;
	bool		  hash;
	uint8_t		 *data;		/* ARRAY: max_entries * elem */
	uint8_t		**cpu;		/* PERCPU_ARRAY: per CPU, lazily */
	GHashTable	 *tab;		/* HASH: struct rp_vkey * -> rp_velem */
	uint64_t	  charged;	/* bytes counted in st->kmem_used */
	bool		  lru;		/* LRU_HASH: evicts when full */
	bool		  ringbuf;	/* RINGBUF: records, no values */
	uint64_t	  rb_prod;	/* RINGBUF: bytes produced (the
					 * producer position; nothing
					 * consumes: consumer position 0) */
	uint64_t	  rb_records;	/* RINGBUF: records submitted */
	uint64_t	  rb_discarded;	/* RINGBUF: records discarded */
	GPtrArray	 *rb_pending;	/* RINGBUF: struct rp_rbrec *,
					 * reserved, not yet committed */
	uint64_t	  tick;		/* LRU: the last use stamp given */
};

bool
rp_vmap_type(uint32_t type)
{
	return type == RP_MAP_ARRAY || type == RP_MAP_PERCPU_ARRAY ||
	    type == RP_MAP_HASH || type == RP_MAP_PERCPU_HASH ||
	    type == RP_MAP_LRU_HASH || type == RP_MAP_RINGBUF;
}

/* A record reserved in a ring buffer and not yet submitted or discarded:
 * the bytes the program writes. */
struct rp_rbrec {
	uint32_t	 size;
	uint8_t		 data[];
};

static void
rbrecs_free(GPtrArray *a)
{
	if (a != NULL)
		g_ptr_array_unref(a);
}

static guint
vkey_hash(gconstpointer p)
{
	const struct rp_vkey *k = p;
	guint h = 2166136261u;

	for (uint32_t i = 0; i < k->len; i++)
		h = (h ^ k->p[i]) * 16777619u;
	return h;
}

static gboolean
vkey_equal(gconstpointer a, gconstpointer b)
{
	const struct rp_vkey *x = a, *y = b;

	return x->len == y->len && memcmp(x->p, y->p, x->len) == 0;
}

static uint32_t
key_idx(const struct rp_map *m, const uint8_t *key)
{
	uint32_t v = 0;

	memcpy(&v, key, MIN(m->key_size, 4u));
	return v;
}

static void
emit_write(struct rp_state *st, const struct rp_map *m, const uint8_t *key,
    bool set)
{
	rp_emit(st, &(struct rp_event){ .kind = set ? RP_EV_SLOT_SET :
	    RP_EV_SLOT_CLEAR, .map = m->id, .idx = key_idx(m, key) });
}

/*
 * The per-type map_alloc_check() of the value maps: array_map_alloc_check()
 * and htab_map_alloc_check(); 0, -EINVAL or -E2BIG.
 */
int
rp_vmap_alloc_check(struct rp_state *st, const struct rp_map_attr *a)
{
	if (a->map_type == RP_MAP_RINGBUF) {
		/* KERNEL: ringbuf_map_alloc(): only BPF_F_NUMA_NODE
		 * (RINGBUF_CREATE_FLAG_MASK); no key, no value; the size a
		 * power of 2 and a multiple of the page */
		if ((a->map_flags & ~RP_BPF_F_NUMA_NODE) != 0 ||
		    a->key_size != 0 || a->value_size != 0 ||
		    a->max_entries == 0 ||
		    (a->max_entries & (a->max_entries - 1)) != 0 ||
		    a->max_entries % RP_PAGE_SIZE != 0)
			return rp_rule(st, "R-RB-1", -EINVAL);
		return 0;
	}
	bool percpu = a->map_type == RP_MAP_PERCPU_ARRAY ||
	    a->map_type == RP_MAP_PERCPU_HASH;
	bool lru = a->map_type == RP_MAP_LRU_HASH;
	bool hash = a->map_type == RP_MAP_HASH ||
	    a->map_type == RP_MAP_PERCPU_HASH || lru;
	int numa = (a->map_flags & RP_BPF_F_NUMA_NODE) ? (int)a->numa_node :
	    NUMA_NO_NODE;
	uint32_t allowed = RP_BPF_F_NUMA_NODE | RP_BPF_F_RDONLY |
	    RP_BPF_F_WRONLY;

	if (st->prof->bpf_version >= RP_KVER(5, 2))	/* *_PROG flags: 5.2 */
		allowed |= RP_BPF_F_RDONLY_PROG | RP_BPF_F_WRONLY_PROG;
	if (hash)
		allowed |= RP_BPF_F_NO_PREALLOC;
	/* KERNEL: htab_map_alloc_check(): BPF_F_NO_COMMON_LRU only on an
	 * LRU hash (-EINVAL elsewhere, with the unknown flags) */
	if (lru)
		allowed |= RP_BPF_F_NO_COMMON_LRU;
	/* KERNEL: array_map_alloc_check(): BPF_F_MMAPABLE (5.5) on a plain
	 * ARRAY, what libbpf asks for its global data maps */
	if (a->map_type == RP_MAP_ARRAY && st->prof->bpf_version >=
	    RP_KVER(5, 5))
		allowed |= RP_BPF_F_MMAPABLE;
	/* KERNEL: array_map_alloc_check(): BPF_F_INNER_MAP (5.10) on a plain
	 * ARRAY, an inner map whose max_entries may differ from the
	 * template's (found by fuzz-diff, seed 4000199 on 6.18) */
	if (a->map_type == RP_MAP_ARRAY && st->prof->bpf_version >=
	    RP_KVER(5, 10))
		allowed |= RP_BPF_F_INNER_MAP;
	/* KERNEL: array_map_alloc_check(), htab_map_alloc_check() */
	if ((a->map_flags & ~allowed) != 0 ||
	    ((a->map_flags & RP_BPF_F_RDONLY_PROG) &&
	    (a->map_flags & RP_BPF_F_WRONLY_PROG)))
		return rp_rule(st, "R-VMAP-1", -EINVAL);
	/* KERNEL: htab_map_alloc_check(): an LRU hash is preallocated
	 * only: BPF_F_NO_PREALLOC is -ENOTSUPP */
	if (lru && (a->map_flags & RP_BPF_F_NO_PREALLOC))
		return rp_rule(st, "R-VMAP-6", -RP_ENOTSUPP);
	if (percpu && numa != NUMA_NO_NODE)
		return rp_rule(st, "R-VMAP-1", -EINVAL);
	if (a->max_entries == 0 || a->value_size == 0 ||
	    (hash ? a->key_size == 0 : a->key_size != 4))
		return rp_rule(st, "R-VMAP-1", -EINVAL);
	if ((uint64_t)a->key_size + a->value_size >= KMALLOC_MAX ||
	    (percpu && ((uint64_t)a->value_size + 7) / 8 * 8 > PCPU_MIN_UNIT))
		return rp_rule(st, "R-VMAP-1", -E2BIG);
	return 0;
}

/* Allocate the values of a checked map; 0 or -ENOMEM. */
int
rp_vmap_alloc(struct rp_state *st, struct rp_map *m)
{
	struct rp_vmap *v = g_new0(struct rp_vmap, 1);
	uint64_t bytes;

	v->elem = (m->value_size + 7) / 8 * 8;
	v->percpu = m->type == RP_MAP_PERCPU_ARRAY ||
	    m->type == RP_MAP_PERCPU_HASH;
	v->lru = m->type == RP_MAP_LRU_HASH;
	v->ringbuf = m->type == RP_MAP_RINGBUF;
	v->hash = m->type == RP_MAP_HASH || m->type == RP_MAP_PERCPU_HASH ||
	    v->lru;
	bytes = v->hash || v->percpu ? 8 * (uint64_t)m->max_entries :
	    (uint64_t)v->elem * m->max_entries;
	if (v->ringbuf)
		bytes = m->max_entries;	/* the data pages */
	if (bytes > st->kmem_limit - st->kmem_used) {
		g_free(v);
		return rp_rule(st, "R-CRE-6d", -ENOMEM);
	}
	if (v->ringbuf) {
		v->rb_pending = g_ptr_array_new_with_free_func(g_free);
	} else if (v->hash) {
		v->tab = g_hash_table_new(vkey_hash, vkey_equal);
	} else if (v->percpu) {
		v->cpu = g_new0(uint8_t *, RP_BPF_NCPUS);
	} else {
		v->data = g_try_malloc0(bytes);
		if (v->data == NULL) {	/* LCOV_EXCL_START */
			g_free(v);
			return rp_rule(st, "R-CRE-6d", -ENOMEM);
		}			/* LCOV_EXCL_STOP */
	}
	v->charged = bytes;
	st->kmem_used += bytes;
	m->u.v = v;
	return 0;
}

static void
velem_free(struct rp_state *st, void *obj)
{
	(void)st;
	g_free(((struct rp_velem *)obj)->val);
	g_free(obj);
}

/* The values of v as memory, without accounting. */
void
rp_vmap_destroy(struct rp_vmap *v)
{
	if (v == NULL)
		return;
	if (v->tab != NULL) {
		GHashTableIter it;
		gpointer e;

		g_hash_table_iter_init(&it, v->tab);
		while (g_hash_table_iter_next(&it, NULL, &e))
			velem_free(NULL, e);
		g_hash_table_unref(v->tab);
	}
	if (v->cpu != NULL) {
		for (unsigned c = 0; c < RP_BPF_NCPUS; c++)
			g_free(v->cpu[c]);
		g_free(v->cpu);
	}
	rbrecs_free(v->rb_pending);
	g_free(v->data);
	g_free(v);
}

void
rp_vmap_free(struct rp_state *st, struct rp_map *m)
{
	st->kmem_used -= m->u.v->charged;
	rp_vmap_destroy(m->u.v);
	m->u.v = NULL;
}

/* ---------------------------------------------------------------------
 * Copies, for rp_state_clone() (clone.c): no accounting, the copy's
 * kmem_used is the original's.
 */

static struct rp_velem *
velem_copy(const struct rp_velem *o, uint32_t key_size)
{
	struct rp_velem *e = g_malloc(sizeof(*e) + key_size);

	memcpy(e, o, sizeof(*e) + key_size);
	e->k.p = e->key;
	e->val = g_memdup2(o->val, o->val_len);
	return e;
}

/* A deep copy of the values of the value map m. */
struct rp_vmap *
rp_vmap_copy(const struct rp_map *m)
{
	const struct rp_vmap *o = m->u.v;
	struct rp_vmap *v;

	if (o == NULL)
		return NULL;
	v = g_memdup2(o, sizeof(*v));
	if (o->rb_pending != NULL) {
		v->rb_pending = g_ptr_array_new_with_free_func(g_free);
		for (guint i = 0; i < o->rb_pending->len; i++) {
			const struct rp_rbrec *r = o->rb_pending->pdata[i];

			g_ptr_array_add(v->rb_pending, g_memdup2(r,
			    sizeof(*r) + r->size));
		}
	}
	if (o->tab != NULL) {
		GHashTableIter it;
		gpointer e;

		v->tab = g_hash_table_new(vkey_hash, vkey_equal);
		g_hash_table_iter_init(&it, o->tab);
		while (g_hash_table_iter_next(&it, NULL, &e)) {
			struct rp_velem *n = velem_copy(e, m->key_size);

			g_hash_table_insert(v->tab, &n->k, n);
		}
	}
	if (o->cpu != NULL) {
		v->cpu = g_new0(uint8_t *, RP_BPF_NCPUS);
		for (unsigned c = 0; c < RP_BPF_NCPUS; c++)
			if (o->cpu[c] != NULL)
				v->cpu[c] = g_memdup2(o->cpu[c],
				    (gsize)o->elem * m->max_entries);
	}
	if (o->data != NULL)
		v->data = g_memdup2(o->data, (gsize)o->elem * m->max_entries);
	return v;
}

/* Is p a replaced or deleted hash element waiting for its grace period? */
bool
rp_vmap_pending_elem(const struct rp_pending *p)
{
	return p->fn == velem_free;
}

/* A copy of such an element (its key is k.len bytes). */
void *
rp_vmap_elem_copy(const void *obj)
{
	const struct rp_velem *o = obj;

	return velem_copy(o, o->k.len);
}

void
rp_vmap_elem_free(void *obj)
{
	velem_free(NULL, obj);
}

/* The value block of CPU cpu of a per-CPU array, allocated on first use
 * when alloc (else NULL: all zero). */
static uint8_t *
cpu_block(struct rp_map *m, unsigned cpu, bool alloc)
{
	struct rp_vmap *v = m->u.v;

	if (v->cpu[cpu] == NULL && alloc)
		v->cpu[cpu] = g_malloc0((size_t)v->elem * m->max_entries);
	return v->cpu[cpu];
}

static struct rp_velem *
hash_find(const struct rp_map *m, const uint8_t *key)
{
	struct rp_vkey k = { m->key_size, key };

	return g_hash_table_lookup(m->u.v->tab, &k);
}

/*
 * The value a program sees for key (bpf_map_lookup_elem()): this CPU's
 * copy for per-CPU maps (cpu < RP_BPF_NCPUS), NULL when there is none.
 * The pointer stays valid until the end of the caller's RCU read-side
 * section.
 */
uint8_t *
rp_vmap_lookup(struct rp_state *st, struct rp_map *m, const uint8_t *key,
    unsigned cpu)
{
	struct rp_vmap *v = m->u.v;
	struct rp_velem *e;
	uint32_t idx;

	(void)st;
	if (!v->hash) {
		memcpy(&idx, key, 4);
		if (idx >= m->max_entries)
			return NULL;
		if (!v->percpu)
			return v->data + (size_t)idx * v->elem;
		return cpu_block(m, cpu, true) + (size_t)idx * v->elem;
	}
	e = hash_find(m, key);
	if (e == NULL)
		return NULL;
	/* KERNEL: htab_lru_map_lookup_elem(): bpf_lru_node_set_ref() */
	if (v->lru)
		e->used = ++v->tick;
	return v->percpu ? e->val + (size_t)cpu * v->elem : e->val;
}

/*
 * The key of the element whose value starts at value (a program's map
 * value pointer), as the first four key bytes RP_EV_SLOT_SET reports:
 * an array's index is the value's offset over the element size (per-CPU:
 * within the CPU's block), a hash's is its element's key.  False when
 * value is in no live element (one replaced or deleted while the program
 * held it).  A scan: called only when someone observes the events.
 */
bool
rp_vmap_key_of(const struct rp_map *m, const uint8_t *value, uint32_t *idx)
{
	const struct rp_vmap *v = m->u.v;
	size_t span = (size_t)v->elem * m->max_entries;
	GHashTableIter it;
	gpointer p;

	if (v->data != NULL && value >= v->data && value < v->data + span) {
		*idx = (uint32_t)((size_t)(value - v->data) / v->elem);
		return true;
	}
	for (unsigned c = 0; v->cpu != NULL && c < RP_BPF_NCPUS; c++)
		if (v->cpu[c] != NULL && value >= v->cpu[c] &&
		    value < v->cpu[c] + span) {
			*idx = (uint32_t)((size_t)(value - v->cpu[c]) /
			    v->elem);
			return true;
		}
	if (v->tab == NULL)
		return false;
	g_hash_table_iter_init(&it, v->tab);
	while (g_hash_table_iter_next(&it, NULL, &p)) {
		const struct rp_velem *e = p;

		if (value >= e->val && value < e->val + e->val_len) {
			*idx = key_idx(m, e->key);
			return true;
		}
	}
	return false;
}

/* FNV-1a over n bytes, from h. */
static uint64_t
bytes_hash(uint64_t h, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * UINT64_C(0x100000001b3);
	return h;
}

/*
 * The contents of m's values, for the explorer's digests (digest.c):
 * the array's bytes, each CPU's copy, or the sum over the entries of a
 * hash of key and value (independent of the table's order).
 */
uint64_t
rp_vmap_digest(const struct rp_map *m)
{
	const struct rp_vmap *v = m->u.v;
	uint64_t h = UINT64_C(0xcbf29ce484222325), sum = 0;
	size_t per = (size_t)v->elem * (v->percpu ? RP_BPF_NCPUS : 1);

	if (v->ringbuf)
		h = bytes_hash(h ^ v->rb_prod ^ (v->rb_records << 32) ^
		    (v->rb_discarded << 48), (const uint8_t *)"rb", 2);
	if (v->data != NULL)
		h = bytes_hash(h, v->data, (size_t)v->elem * m->max_entries);
	for (unsigned c = 0; v->cpu != NULL && c < RP_BPF_NCPUS; c++)
		if (v->cpu[c] != NULL)
			h = bytes_hash(h ^ c, v->cpu[c],
			    (size_t)v->elem * m->max_entries);
	if (v->tab != NULL) {
		GHashTableIter it;
		gpointer e;

		g_hash_table_iter_init(&it, v->tab);
		while (g_hash_table_iter_next(&it, NULL, &e)) {
			const struct rp_velem *ve = e;

			sum += bytes_hash(bytes_hash(h, ve->k.p, ve->k.len),
			    ve->val, per);
		}
	}
	return h ^ sum;
}

static struct rp_velem *
velem_new(const struct rp_map *m)
{
	const struct rp_vmap *v = m->u.v;
	struct rp_velem *e = g_malloc0(sizeof(*e) + m->key_size);

	e->val_len = (size_t)v->elem * (v->percpu ? RP_BPF_NCPUS : 1);
	e->val = g_malloc0(e->val_len);
	return e;
}

/*
 * Write value into the element: a program writes one CPU's copy (cpu),
 * the syscall (cpu < 0) every CPU's from a value of RP_BPF_NCPUS copies;
 * a new per-CPU element written by a program has the other copies zeroed.
 */
static void
value_write(const struct rp_map *m, uint8_t *dst_all, const uint8_t *value,
    int cpu)
{
	const struct rp_vmap *v = m->u.v;

	if (!v->percpu) {
		memcpy(dst_all, value, m->value_size);
		return;
	}
	if (cpu >= 0) {
		memcpy(dst_all + (size_t)cpu * v->elem, value, m->value_size);
		return;
	}
	for (unsigned c = 0; c < RP_BPF_NCPUS; c++)
		memcpy(dst_all + (size_t)c * v->elem, value + (size_t)c * v->elem,
		    m->value_size);
}

/* KERNEL: array_map_update_elem(), bpf_percpu_array_update() */
static int
array_update(struct rp_state *st, struct rp_map *m, const uint8_t *key,
    const uint8_t *value, uint64_t flags, int cpu)
{
	struct rp_vmap *v = m->u.v;
	uint32_t idx;

	memcpy(&idx, key, 4);
	if ((flags & ~(uint64_t)RP_BPF_F_LOCK) > RP_BPF_EXIST)
		return rp_rule(st, "R-VMAP-2", -EINVAL);
	if (idx >= m->max_entries)
		return rp_rule(st, "R-VMAP-2", -E2BIG);
	if ((flags & ~(uint64_t)RP_BPF_F_LOCK) == RP_BPF_NOEXIST)
		return rp_rule(st, "R-VMAP-2", -EEXIST);
	if (flags & RP_BPF_F_LOCK)
		return rp_rule(st, "R-VMAP-2", -EINVAL);	/* no spin lock */
	if (!v->percpu) {
		memcpy(v->data + (size_t)idx * v->elem, value, m->value_size);
	} else if (cpu >= 0) {
		memcpy(cpu_block(m, (unsigned)cpu, true) + (size_t)idx * v->elem,
		    value, m->value_size);
	} else {
		for (unsigned c = 0; c < RP_BPF_NCPUS; c++) {
			const uint8_t *src = value + (size_t)c * v->elem;
			bool zero = true;

			for (uint32_t i = 0; i < m->value_size && zero; i++)
				zero = src[i] == 0;
			if (zero && cpu_block(m, c, false) == NULL)
				continue;	/* stays all zero */
			memcpy(cpu_block(m, c, true) + (size_t)idx * v->elem,
			    src, m->value_size);
		}
	}
	emit_write(st, m, key, true);
	return rp_rule(st, "R-VMAP-2", 0);
}

/*
 * Make room in a full LRU hash: KERNEL: htab_lru_map_update_elem() ->
 * prealloc_lru_pop() -> bpf_lru_pop_free() shrinks the LRU lists and
 * htab_lru_map_delete_node() unlinks the victim.  The model's choice of
 * victim: the least recently used element (smallest stamp; see the head
 * of this file).  The victim is freed after a grace period like a
 * deleted element, so a program holding its value still reads it.
 */
static void
lru_evict(struct rp_state *st, struct rp_map *m)
{
	struct rp_vmap *v = m->u.v;
	struct rp_velem *victim = NULL;
	GHashTableIter it;
	gpointer p;

	g_hash_table_iter_init(&it, v->tab);
	while (g_hash_table_iter_next(&it, NULL, &p)) {
		struct rp_velem *e = p;

		if (victim == NULL || e->used < victim->used)
			victim = e;
	}
	g_assert(victim != NULL);	/* LCOV_EXCL_BR_LINE: full, max >= 1 */
	g_hash_table_remove(v->tab, &victim->k);
	m->used--;
	emit_write(st, m, victim->key, false);
	rp_rule(st, "R-VMAP-6", 0);
	rp_call_rcu(st, velem_free, victim);
}

/* KERNEL: htab_map_update_elem(), htab_percpu_map_update_elem(),
 * htab_lru_map_update_elem() */
static int
hash_update(struct rp_state *st, struct rp_map *m, const uint8_t *key,
    const uint8_t *value, uint64_t flags, int cpu)
{
	struct rp_vmap *v = m->u.v;
	struct rp_velem *old, *e;

	if ((flags & ~(uint64_t)RP_BPF_F_LOCK) > RP_BPF_EXIST)
		return rp_rule(st, "R-VMAP-3", -EINVAL);
	if (flags & RP_BPF_F_LOCK)
		return rp_rule(st, "R-VMAP-3", -EINVAL);	/* no spin lock */
	old = hash_find(m, key);
	/* KERNEL: check_flags() */
	if (old != NULL && flags == RP_BPF_NOEXIST)
		return rp_rule(st, "R-VMAP-3", -EEXIST);
	if (old == NULL && flags == RP_BPF_EXIST)
		return rp_rule(st, "R-VMAP-3", -ENOENT);
	if (old != NULL && v->percpu) {
		/* per-CPU values are updated in place */
		value_write(m, old->val, value, cpu);
		emit_write(st, m, key, true);
		return rp_rule(st, "R-VMAP-3", 0);
	}
	if (old == NULL && g_hash_table_size(v->tab) >= m->max_entries &&
	    !v->lru)
		return rp_rule(st, "R-VMAP-3", -E2BIG);
	if (old == NULL && g_hash_table_size(v->tab) >= m->max_entries)
		lru_evict(st, m);
	e = velem_new(m);
	if (v->lru)
		e->used = ++v->tick;
	memcpy(e->key, key, m->key_size);
	e->k.len = m->key_size;
	e->k.p = e->key;
	value_write(m, e->val, value, cpu);
	if (old != NULL) {
		g_hash_table_remove(v->tab, &old->k);
		rp_call_rcu(st, velem_free, old);	/* readers keep the old value */
	} else {
		m->used++;
	}
	g_hash_table_insert(v->tab, &e->k, e);
	emit_write(st, m, key, true);
	return rp_rule(st, "R-VMAP-3", 0);
}

/*
 * Update key with value: from a program (cpu >= 0: one CPU's copy of a
 * per-CPU map) or from the syscall (cpu < 0: every copy).
 */
int
rp_vmap_update(struct rp_state *st, struct rp_map *m, const uint8_t *key,
    const uint8_t *value, uint64_t flags, int cpu)
{
	/* KERNEL: ringbuf_map_update_elem(): -ENOTSUPP */
	if (m->u.v->ringbuf)
		return rp_rule(st, "R-RB-1", -RP_ENOTSUPP);
	if (m->u.v->hash)
		return hash_update(st, m, key, value, flags, cpu);
	return array_update(st, m, key, value, flags, cpu);
}

/* KERNEL: array_map_delete_elem() (-EINVAL), htab_map_delete_elem() */
int
rp_vmap_delete(struct rp_state *st, struct rp_map *m, const uint8_t *key)
{
	struct rp_vmap *v = m->u.v;
	struct rp_velem *e;

	if (v->ringbuf)	/* KERNEL: ringbuf_map_delete_elem() */
		return rp_rule(st, "R-RB-1", -RP_ENOTSUPP);
	if (!v->hash)
		return rp_rule(st, "R-VMAP-4", -EINVAL);
	e = hash_find(m, key);
	if (e == NULL)
		return rp_rule(st, "R-VMAP-4", -ENOENT);
	g_hash_table_remove(v->tab, &e->k);
	m->used--;
	rp_call_rcu(st, velem_free, e);
	emit_write(st, m, key, false);
	return rp_rule(st, "R-VMAP-4", 0);
}

/* Syscall lookup: every CPU's copy for per-CPU maps; 0 or -ENOENT. */
int
rp_vmap_lookup_sys(struct rp_state *st, struct rp_map *m, const uint8_t *key,
    uint8_t *value)
{
	struct rp_vmap *v = m->u.v;
	uint32_t idx;

	if (v->ringbuf)	/* KERNEL: ringbuf_map_lookup_elem() */
		return rp_rule(st, "R-RB-1", -RP_ENOTSUPP);
	if (v->hash) {
		struct rp_velem *e = hash_find(m, key);

		if (e == NULL)
			return rp_rule(st, "R-VMAP-5", -ENOENT);
		if (v->percpu)
			for (unsigned c = 0; c < RP_BPF_NCPUS; c++)
				memcpy(value + (size_t)c * v->elem,
				    e->val + (size_t)c * v->elem, v->elem);
		else
			memcpy(value, e->val, m->value_size);
		return rp_rule(st, "R-VMAP-5", 0);
	}
	memcpy(&idx, key, 4);
	if (idx >= m->max_entries)
		return rp_rule(st, "R-VMAP-5", -ENOENT);
	if (!v->percpu) {
		memcpy(value, v->data + (size_t)idx * v->elem, m->value_size);
		return rp_rule(st, "R-VMAP-5", 0);
	}
	for (unsigned c = 0; c < RP_BPF_NCPUS; c++) {
		const uint8_t *b = cpu_block(m, c, false);

		if (b != NULL)
			memcpy(value + (size_t)c * v->elem,
			    b + (size_t)idx * v->elem, v->elem);
		else
			memset(value + (size_t)c * v->elem, 0, v->elem);
	}
	return rp_rule(st, "R-VMAP-5", 0);
}

/*
 * get_next_key.  Arrays as array_map_get_next_key(); hashes restart from
 * the first key when key is NULL or absent (htab_map_get_next_key()), in
 * the model's order: ascending bytes (the kernel's is its bucket order).
 */
int
rp_vmap_next_key(struct rp_state *st, struct rp_map *m, const uint8_t *key,
    uint8_t *next)
{
	struct rp_vmap *v = m->u.v;
	GHashTableIter it;
	gpointer e;
	const uint8_t *best = NULL;
	uint32_t idx;

	if (v->ringbuf)	/* KERNEL: ringbuf_map_get_next_key() */
		return rp_rule(st, "R-RB-1", -RP_ENOTSUPP);
	if (!v->hash) {
		idx = UINT32_MAX;
		if (key != NULL)
			memcpy(&idx, key, 4);
		if (key == NULL || idx >= m->max_entries)
			idx = 0;	/* KERNEL: restart at 0 */
		else if (idx == m->max_entries - 1)
			return rp_rule(st, "R-NXT-3", -ENOENT);
		else
			idx++;
		memcpy(next, &idx, 4);
		return 0;
	}
	if (key != NULL && hash_find(m, key) == NULL)
		key = NULL;	/* KERNEL: restart from the first element */
	g_hash_table_iter_init(&it, v->tab);
	while (g_hash_table_iter_next(&it, NULL, &e)) {
		const uint8_t *k = ((struct rp_velem *)e)->key;

		if (key != NULL && memcmp(k, key, m->key_size) <= 0)
			continue;
		if (best == NULL || memcmp(k, best, m->key_size) < 0)
			best = k;
	}
	if (best == NULL)
		return -ENOENT;
	memcpy(next, best, m->key_size);
	return 0;
}

/* ---------------------------------------------------------------------
 * Ring buffers (kernel/bpf/ringbuf.c), for programs: a record takes
 * round_up(size + 8, 8) bytes (BPF_RINGBUF_HDR_SZ) from the moment it is
 * reserved; nothing consumes (user space reading the ring is not
 * modelled), so the ring fills up exactly as a kernel ring nobody reads,
 * and a full ring refuses.  Records are counted, their bytes dropped.
 */

#define RB_HDR		8
#define RB_MAX_RECORD	(UINT32_MAX / 4)	/* RINGBUF_MAX_RECORD_SZ */

/* Room for a record of size bytes: its length, or 0 when there is none.
 * KERNEL: __bpf_ringbuf_reserve(): the record no bigger than the data
 * area, and the producer no more than mask (size - 1) bytes ahead of the
 * consumer (here always at 0). */
static uint64_t
rb_room(const struct rp_map *m, uint64_t size)
{
	const struct rp_vmap *v = m->u.v;
	uint64_t len = (size + RB_HDR + 7) / 8 * 8;

	if (size > RB_MAX_RECORD || len > m->max_entries ||
	    v->rb_prod + len > (uint64_t)m->max_entries - 1)
		return 0;
	return len;
}

/* bpf_ringbuf_output(): 0, or -EAGAIN when the ring is full. */
int
rp_ringbuf_output(struct rp_state *st, struct rp_map *m, uint64_t size)
{
	struct rp_vmap *v = m->u.v;
	uint64_t len = rb_room(m, size);

	if (len == 0)
		return rp_rule(st, "R-RB-2", -EAGAIN);
	v->rb_prod += len;
	v->rb_records++;
	rp_emit(st, &(struct rp_event){ .kind = RP_EV_SLOT_SET, .map = m->id,
	    .idx = (uint32_t)v->rb_records });
	return rp_rule(st, "R-RB-2", 0);
}

/* bpf_ringbuf_reserve(): the record's bytes (zeroed), or NULL when the
 * ring is full.  They stay valid until submitted or discarded, or the
 * map is freed. */
uint8_t *
rp_ringbuf_reserve(struct rp_state *st, struct rp_map *m, uint32_t size)
{
	struct rp_vmap *v = m->u.v;
	uint64_t len = rb_room(m, size);
	struct rp_rbrec *r;

	if (len == 0) {
		rp_rule(st, "R-RB-3", -EAGAIN);
		return NULL;
	}
	v->rb_prod += len;
	r = g_malloc0(sizeof(*r) + size);
	r->size = size;
	g_ptr_array_add(v->rb_pending, r);
	rp_rule(st, "R-RB-3", 0);
	return r->data;
}

/* bpf_ringbuf_submit() (discard false) and bpf_ringbuf_discard(): false
 * when data is no reserved record of m.  A discarded record keeps its
 * place in the ring until a consumer passes it (never, here). */
bool
rp_ringbuf_commit(struct rp_state *st, struct rp_map *m, const uint8_t *data,
    bool discard)
{
	struct rp_vmap *v = m->u.v;

	for (guint i = 0; i < v->rb_pending->len; i++) {
		struct rp_rbrec *r = v->rb_pending->pdata[i];

		if (r->data != data)
			continue;
		if (discard)
			v->rb_discarded++;
		else
			v->rb_records++;
		/* the program's pointer dies with the call (the verifier
		 * releases the reference), so the bytes go now */
		g_ptr_array_remove_index(v->rb_pending, i);
		if (!discard)
			rp_emit(st, &(struct rp_event){ .kind = RP_EV_SLOT_SET,
			    .map = m->id, .idx = (uint32_t)v->rb_records });
		rp_rule(st, "R-RB-3", 0);
		return true;
	}
	return false;
}

/* bpf_ringbuf_query(): BPF_RB_AVAIL_DATA (0), BPF_RB_RING_SIZE (1),
 * BPF_RB_CONS_POS (2), BPF_RB_PROD_POS (3); 0 for other flags. */
uint64_t
rp_ringbuf_query(struct rp_state *st, const struct rp_map *m, uint64_t flags)
{
	const struct rp_vmap *v = m->u.v;

	rp_rule(st, "R-RB-4", 0);
	switch (flags) {
	case 0:
		return v->rb_prod;	/* producer - consumer (0) */
	case 1:
		return m->max_entries;
	case 2:
		return 0;
	case 3:
		return v->rb_prod;
	default:
		return 0;
	}
}

/* Records submitted and discarded so far, for tests and reports. */
void
rp_ringbuf_counts(const struct rp_map *m, uint64_t *records,
    uint64_t *discarded, uint64_t *bytes)
{
	const struct rp_vmap *v = m->u.v;

	*records = v->rb_records;
	*discarded = v->rb_discarded;
	*bytes = v->rb_prod;
}

unsigned
rp_possible_cpus(void)
{
	return RP_BPF_NCPUS;
}
