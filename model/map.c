/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * map.c - the bpf() syscall layer for maps: BPF_MAP_CREATE (map_create(),
 * find_and_alloc_map(), the per-type alloc checks, capability and memlock
 * rules per profile), BPF_MAP_{LOOKUP,UPDATE,DELETE}_ELEM,
 * BPF_MAP_GET_NEXT_KEY, BPF_MAP_FREEZE, the unsupported commands, and the
 * map reference count whose last drop frees the map (kernel/bpf/syscall.c).
 * Type-specific work lives in sockarray.c, outer.c and sockmap.c.
 */
#include <errno.h>
#include <string.h>

#include "rp-int.h"

#define U32_MAX		UINT32_C(0xffffffff)

void
rp_map_attr_init(struct rp_map_attr *a, uint32_t type, uint32_t value_size,
    uint32_t max_entries)
{
	memset(a, 0, sizeof(*a));
	a->map_type = type;
	a->key_size = 4;
	a->value_size = value_size;
	a->max_entries = max_entries;
	a->inner_map_fd = -1;
}

static bool
type_known(uint32_t type)
{
	return type == RP_MAP_REUSEPORT_SOCKARRAY || type == RP_MAP_SOCKMAP ||
	    type == RP_MAP_SOCKHASH || type == RP_MAP_ARRAY_OF_MAPS ||
	    type == RP_MAP_HASH_OF_MAPS || rp_vmap_type(type);
}

/*
 * Every map type of the uapi enum up to BPF_MAP_TYPE_ARENA, with the
 * upstream version whose find_and_alloc_map() (the bpf_map_types[] of
 * include/linux/bpf_types.h) first knows it.  A type also needs its
 * kernel config (XSKMAP: CONFIG_XDP_SOCKETS, INODE_STORAGE:
 * CONFIG_BPF_LSM ...); the model takes the version alone.
 */
static const struct {
	const char	*name;
	uint16_t	 since;		/* RP_KVER(); 0: every profile */
} map_types[] = {
	[1] = { "hash", 0 },
	[2] = { "array", 0 },
	[3] = { "prog_array", 0 },		/* 4.2 */
	[4] = { "perf_event_array", 0 },	/* 4.3 */
	[5] = { "percpu_hash", 0 },		/* 4.6 */
	[6] = { "percpu_array", 0 },
	[7] = { "stack_trace", 0 },
	[8] = { "cgroup_array", 0 },		/* 4.8 */
	[9] = { "lru_hash", 0 },		/* 4.10 */
	[10] = { "lru_percpu_hash", 0 },
	[11] = { "lpm_trie", 0 },		/* 4.11 */
	[12] = { "array_of_maps", 0 },		/* 4.12 */
	[13] = { "hash_of_maps", 0 },
	[14] = { "devmap", 0 },			/* 4.14 */
	[15] = { "sockmap", 0 },
	[16] = { "cpumap", 0 },			/* 4.15 */
	[17] = { "xskmap", 0 },			/* 4.18 */
	[18] = { "sockhash", 0 },
	[19] = { "cgroup_storage", 0 },		/* 4.19 */
	[20] = { "reuseport_sockarray", 0 },
	[21] = { "percpu_cgroup_storage", RP_KVER(4, 20) },
	[22] = { "queue", RP_KVER(4, 20) },
	[23] = { "stack", RP_KVER(4, 20) },
	[24] = { "sk_storage", RP_KVER(5, 2) },
	[25] = { "devmap_hash", RP_KVER(5, 4) },
	[26] = { "struct_ops", RP_KVER(5, 6) },
	[27] = { "ringbuf", RP_KVER(5, 8) },	/* modelled: R-RB-1 */
	[28] = { "inode_storage", RP_KVER(5, 10) },
	[29] = { "task_storage", RP_KVER(5, 11) },
	[30] = { "bloom_filter", RP_KVER(5, 16) },
	[31] = { "user_ringbuf", RP_KVER(6, 1) },
	[32] = { "cgrp_storage", RP_KVER(6, 2) },
	[33] = { "arena", RP_KVER(6, 9) },
};

const char *
rp_map_type_name(uint32_t type)
{
	return type < G_N_ELEMENTS(map_types) ? map_types[type].name : NULL;
}

enum rp_map_type_status
rp_map_type_status(const struct rp_profile *prof, uint32_t type)
{
	g_return_val_if_fail(prof != NULL, RP_MAP_TYPE_KERNEL_LACKS);
	/* KERNEL: find_and_alloc_map(): past the table, or no ops */
	if (rp_map_type_name(type) == NULL ||
	    prof->bpf_version < map_types[type].since)
		return RP_MAP_TYPE_KERNEL_LACKS;
	/* the model's ring buffer is as old as the kernel's */
	return type_known(type) ? RP_MAP_TYPE_MODELLED :
	    RP_MAP_TYPE_NOT_MODELLED;
}

/* BPF_F_ZERO_SEED: a hash table's seed is 0 (5.0+). */
#define HTAB_F_ZERO_SEED	(1U << 6)

/* The per-type map_alloc_check() callbacks; 0 or -EINVAL. */
static int
alloc_check(struct rp_state *st, const struct rp_map_attr *a)
{
	const struct rp_profile *prof = st->prof;

	if (rp_vmap_type(a->map_type))
		return rp_vmap_alloc_check(st, a);
	switch (a->map_type) {	/* LCOV_EXCL_BR_LINE */
	case RP_MAP_REUSEPORT_SOCKARRAY:
		/* KERNEL: reuseport_array_alloc_check(): value size first */
		if (a->value_size != 4 && a->value_size != 8)
			return rp_rule(st, "R-CRE-5a", -EINVAL);
		/* KERNEL: array_map_alloc_check() */
		if (a->max_entries == 0 || a->key_size != 4)
			return rp_rule(st, "R-CRE-5b", -EINVAL);
		if ((a->map_flags & ~prof->allowed_map_flags) != 0)
			return rp_rule(st, "R-CRE-5c", -EINVAL);
		if ((a->map_flags & RP_BPF_F_RDONLY_PROG) &&
		    (a->map_flags & RP_BPF_F_WRONLY_PROG))
			return rp_rule(st, "R-CRE-5c", -EINVAL);
		return 0;
	case RP_MAP_SOCKMAP:
	case RP_MAP_SOCKHASH:
		/* a SOCKHASH key may be any size (the model's keys are the
		 * first 32 bits) */
		if (a->max_entries == 0 || a->key_size == 0 ||
		    (a->map_type == RP_MAP_SOCKMAP && a->key_size != 4) ||
		    (a->value_size != 4 && a->value_size != 8) ||
		    (a->map_flags & ~(RP_BPF_F_NUMA_NODE | RP_BPF_F_RDONLY |
		    RP_BPF_F_WRONLY)) != 0)
			return rp_rule(st, "R-SMAP-1", -EINVAL);
		return 0;
	case RP_MAP_ARRAY_OF_MAPS:
	case RP_MAP_HASH_OF_MAPS:
		if (a->max_entries == 0 || a->key_size == 0 ||
		    (a->map_type == RP_MAP_ARRAY_OF_MAPS && a->key_size != 4) ||
		    a->value_size != 4 ||
		    (a->map_flags & ~(RP_BPF_F_NUMA_NODE | RP_BPF_F_RDONLY |
		    RP_BPF_F_WRONLY | (a->map_type == RP_MAP_HASH_OF_MAPS ?
		    RP_BPF_F_NO_PREALLOC | (prof->allowed_map_flags &
		    (RP_BPF_F_RDONLY_PROG | RP_BPF_F_WRONLY_PROG)) |
		    ((prof->allowed_map_flags & RP_BPF_F_RDONLY_PROG) ?
		    HTAB_F_ZERO_SEED : 0) : 0))) != 0)
			return rp_rule(st, "R-MIM-1", -EINVAL);
		/* KERNEL: htab_map_alloc_check() takes the program access
		 * flags (5.2+, one at a time) and BPF_F_ZERO_SEED (5.0+; the
		 * profiles with the first have the second); an array of maps
		 * takes neither */
		if ((a->map_flags & RP_BPF_F_RDONLY_PROG) &&
		    (a->map_flags & RP_BPF_F_WRONLY_PROG))
			return rp_rule(st, "R-MIM-1", -EINVAL);
		return 0;
	default:	/* LCOV_EXCL_LINE */
		g_assert_not_reached();	/* LCOV_EXCL_LINE */
	}
}

/*
 * What map_create() does between the map type's attribute checks and its
 * capability checks: 6.9+ takes a token from attr->map_token_fd when
 * BPF_F_TOKEN_FD is set, and the language leaves that fd 0, which holds no
 * BPF token: -EINVAL (R-CRE-11); then 6.5+ has the sysctl gate (R-CRE-6a).
 * 0 when both pass.
 */
static int
create_token(struct rp_state *st, const struct rp_proc *p,
    const struct rp_map_attr *a)
{
	/* KERNEL: map_create(): bpf_token_get_from_fd() */
	if (st->prof->bpf_token && (a->map_flags & RP_BPF_F_TOKEN_FD))
		return rp_rule(st, "R-CRE-11", -EINVAL);
	/* KERNEL: 6.5+ map_create(): sysctl + per-type capability after the
	 * attribute checks; 4.19 .. 6.4: in map_alloc (also after them) */
	if (st->prof->unpriv_gate == RP_UNPRIV_GATE_CREATE_CENTRAL &&
	    st->unpriv_bpf_disabled &&
	    !rp_capable(p, RP_CAP_BPF | RP_CAP_SYS_ADMIN))
		return rp_rule(st, "R-CRE-6a", -EPERM);
	return 0;
}

/* Capability for creating this type; 0 or -EPERM. */
static int
create_capable(struct rp_state *st, const struct rp_proc *p, uint32_t type)
{
	uint64_t need;

	switch (type) {
	case RP_MAP_REUSEPORT_SOCKARRAY:
	case RP_MAP_LRU_HASH:	/* KERNEL: htab_map_alloc_check() (lru), and
				 * 6.5+ map_create(): CAP_BPF */
		switch (st->prof->cap_rule) {
		case RP_CAPRULE_SYS_ADMIN_ALLOC:
			need = RP_CAP_SYS_ADMIN;
			break;
		default:
			need = RP_CAP_BPF | RP_CAP_SYS_ADMIN;
			break;
		}
		break;
	case RP_MAP_SOCKMAP:
	case RP_MAP_SOCKHASH:
		/* KERNEL: bpf_token_capable(CAP_NET_ADMIN) also takes
		 * CAP_SYS_ADMIN (6.x); 4.19 sock_map_alloc(): NET_ADMIN */
		need = RP_CAP_NET_ADMIN;
		if (st->prof->cap_rule == RP_CAPRULE_BPF_CENTRAL)
			need |= RP_CAP_SYS_ADMIN;
		if (!rp_capable(p, need))
			return rp_rule(st, "R-SMAP-1", -EPERM);
		return 0;
	default:
		return 0;	/* map-in-map: unprivileged types */
	}
	if (!rp_capable(p, need))
		return rp_rule(st, "R-CRE-6a", -EPERM);
	return 0;
}

/* Map name: alnum and '_' (and '.' in 6.x), NUL within 16 bytes. */
static bool
name_ok(const struct rp_state *st, const char *name)
{
	for (int i = 0; i < 16; i++) {
		char c = name[i];

		if (c == '\0')
			return true;
		if (!g_ascii_isalnum(c) && c != '_' &&
		    !(c == '.' && st->prof->name_allows_dot))
			return false;
	}
	return false;	/* no NUL in 16 bytes */
}

static uint64_t
memlock_used(struct rp_state *st, uint32_t uid)
{
	gpointer v = g_hash_table_lookup(st->memlock_used,
	    GUINT_TO_POINTER(uid));

	return (uint64_t)GPOINTER_TO_SIZE(v);
}

static void
memlock_charge(struct rp_state *st, uint32_t uid, int64_t delta)
{
	uint64_t v = memlock_used(st, uid) + (uint64_t)delta;

	g_hash_table_insert(st->memlock_used, GUINT_TO_POINTER(uid),
	    GSIZE_TO_POINTER((gsize)v));
}

/*
 * Would charging bytes (whole pages) to p's user pass p's RLIMIT_MEMLOCK?
 * KERNEL: __bpf_prog_charge() (until 5.10): the user's locked_vm plus the
 * pages must not exceed the limit in pages.
 */
bool
rp_memlock_over(struct rp_state *st, const struct rp_proc *p, uint64_t bytes)
{
	uint64_t pages = (bytes + RP_PAGE_SIZE - 1) / RP_PAGE_SIZE;

	return memlock_used(st, p->uid) / RP_PAGE_SIZE + pages >
	    p->memlock_limit / RP_PAGE_SIZE;
}

/* Charge (sign +1) or give back (-1) bytes, in whole pages, to uid. */
void
rp_memlock_add(struct rp_state *st, uint32_t uid, uint64_t bytes, int sign)
{
	uint64_t pages = (bytes + RP_PAGE_SIZE - 1) / RP_PAGE_SIZE;

	memlock_charge(st, uid, sign * (int64_t)(pages * RP_PAGE_SIZE));
}

/*
 * map_alloc for the 4.19 rlimit profile: size limit, then the RLIMIT_MEMLOCK
 * precharge (pages against the user's locked_vm).
 */
static int
alloc_size_check(struct rp_state *st, const struct rp_proc *p,
    const struct rp_map_attr *a, uint64_t *pages)
{
	uint64_t size = RP_MAP_HDR + 8 * (uint64_t)a->max_entries;

	if (size >= U32_MAX - RP_PAGE_SIZE) {
		if (st->prof->memlock_rlimit)
			return rp_rule(st, "R-CRE-6b", -st->prof->oversize_errno);
	}
	*pages = (size + RP_PAGE_SIZE - 1) / RP_PAGE_SIZE;
	if (st->prof->memlock_rlimit &&
	    memlock_used(st, p->uid) / RP_PAGE_SIZE + *pages >
	    p->memlock_limit / RP_PAGE_SIZE)
		return rp_rule(st, "R-CRE-6c", -EPERM);
	return 0;
}

static struct rp_map *
map_new(struct rp_state *st, const struct rp_map_attr *a)
{
	struct rp_map *m = g_new0(struct rp_map, 1);

	m->id = st->maps->len;
	m->type = a->map_type;
	m->key_size = a->key_size;
	m->value_size = a->value_size;
	m->max_entries = a->max_entries;
	m->map_flags = st->prof->store_rdwr_flags ? a->map_flags :
	    a->map_flags & ~(RP_BPF_F_RDONLY | RP_BPF_F_WRONLY);
	memcpy(m->name, a->name, sizeof(m->name));
	m->refs = 1;
	g_ptr_array_add(st->maps, m);
	return m;
}

/* Type-specific allocation: 0 or -ENOMEM (or the outer map errors). */
static int
type_alloc(struct rp_state *st, struct rp_proc *p, struct rp_map *m,
    const struct rp_map_attr *a)
{
	switch (m->type) {
	case RP_MAP_REUSEPORT_SOCKARRAY:
		return rp_sockarray_alloc(st, m);
	case RP_MAP_SOCKMAP:
	case RP_MAP_SOCKHASH:
		return rp_sockmap_alloc(st, m);
	case RP_MAP_ARRAY_OF_MAPS:
	case RP_MAP_HASH_OF_MAPS:
		return rp_outer_alloc(st, p, m, a);
	default:
		return rp_vmap_alloc(st, m);
	}
}

/* Free a map whose last reference is gone (bpf_map_free_deferred()). */
static void
map_free(struct rp_state *st, struct rp_map *m)
{
	switch (m->type) {
	case RP_MAP_REUSEPORT_SOCKARRAY:
		rp_sockarray_free(st, m);
		break;
	case RP_MAP_SOCKMAP:
	case RP_MAP_SOCKHASH:
		rp_sockmap_free(st, m);
		break;
	case RP_MAP_ARRAY_OF_MAPS:
	case RP_MAP_HASH_OF_MAPS:
		rp_outer_free(st, m);
		break;
	default:
		rp_vmap_free(st, m);
		break;
	}
	if (st->prof->memlock_rlimit)
		memlock_charge(st, m->charged_uid, -(int64_t)m->memlock);
	st->maps->pdata[m->id] = NULL;
	rp_emit(st, &(struct rp_event){ .kind = RP_EV_MAP_FREE, .map = m->id });
	if (m->type == RP_MAP_REUSEPORT_SOCKARRAY)
		g_ptr_array_add(st->graveyard, m);	/* see rp_sockarray_free() */
	else
		g_free(m);
}

/*
 * Drop one map reference (bpf_map_put()).  The last one takes the map's
 * id away and leaves the free to a workqueue: the map is freed by
 * rp_state_settle(), and meanwhile its sockets keep their owner word.
 */
void
rp_map_put(struct rp_state *st, struct rp_map *m)
{
	g_assert(m->refs > 0);	/* LCOV_EXCL_BR_LINE */
	if (--m->refs == 0) {
		/* KERNEL: bpf_map_put(): bpf_map_free_id(), then
		 * bpf_map_free_in_work() -> bpf_map_free_deferred() */
		m->dying = true;
		g_ptr_array_add(st->map_free_pending, m);
	}
}

/*
 * Run every deferred map free (bpf_map_free_deferred()), those a free
 * itself defers too (an outer map's inner maps).  Returns how many maps
 * were freed.
 */
unsigned
rp_state_settle(struct rp_state *st)
{
	unsigned n = 0;

	g_return_val_if_fail(st != NULL, 0);
	while (st->map_free_pending->len > 0) {
		struct rp_map *m = g_ptr_array_steal_index(
		    st->map_free_pending, 0);

		m->dead = true;
		map_free(st, m);
		n++;
	}
	return n;
}

int
rp_map_create(struct rp_state *st, unsigned proc, const struct rp_map_attr *a)
{
	struct rp_proc *p = rp_proc_get(st, proc);
	const struct rp_profile *prof = st->prof;
	struct rp_map_attr ac;
	struct rp_map *m;
	struct rp_file *f;
	uint64_t pages = 0;
	int err, fd;

	g_return_val_if_fail(a != NULL, -EFAULT);
	if (p == NULL)
		return -ESRCH;
	/* KERNEL: __sys_bpf(): until 6.4 the sysctl is checked at entry */
	if (prof->unpriv_gate != RP_UNPRIV_GATE_CREATE_CENTRAL &&
	    st->unpriv_bpf_disabled && !rp_capable(p, rp_unpriv_caps(prof)))
		return rp_rule(st, "R-CRE-0", -EPERM);
	/* 4.19's union bpf_attr ends before btf_vmlinux_value_type_id and
	 * map_extra: non-zero there is unused tail */
	if (a->tail_nonzero || (!prof->create_extra_attrs &&
	    (a->map_extra != 0 || a->btf_vmlinux_value_type_id != 0)))
		return rp_rule(st, "R-CRE-1", -EINVAL);
	if (prof->create_extra_attrs) {
		if (a->btf_vmlinux_value_type_id != 0 ||
		    (a->btf_key_type_id != 0 && a->btf_value_type_id == 0))
			return rp_rule(st, "R-CRE-2", -EINVAL);
		if (a->map_extra != 0)
			return rp_rule(st, "R-CRE-3", -EINVAL);
	}
	if ((a->map_flags & RP_BPF_F_RDONLY) && (a->map_flags & RP_BPF_F_WRONLY))
		return rp_rule(st, "R-CRE-4a", -EINVAL);
	if ((a->map_flags & RP_BPF_F_NUMA_NODE) && a->numa_node != 0)
		return rp_rule(st, "R-CRE-4b", -EINVAL);
	/* R-CRE-4d: a type the kernel has and the model does not is
	 * -EINVAL here as well; rp_map_type_status() tells them apart */
	if (rp_map_type_status(prof, a->map_type) != RP_MAP_TYPE_MODELLED)
		return rp_rule(st, rp_map_type_status(prof, a->map_type) ==
		    RP_MAP_TYPE_KERNEL_LACKS ? "R-CRE-4c" : "R-CRE-4d",
		    -EINVAL);
	/* KERNEL: 6.9+ map_create() takes BPF_F_TOKEN_FD out of the flags
	 * before the map type sees them */
	ac = *a;
	if (prof->bpf_token)
		ac.map_flags &= ~RP_BPF_F_TOKEN_FD;
	/* KERNEL: sock_map_alloc() has no alloc_check: the token, the
	 * sysctl and the capability come before its attribute checks */
	if (a->map_type == RP_MAP_SOCKMAP || a->map_type == RP_MAP_SOCKHASH) {
		err = create_token(st, p, a);
		if (err != 0)
			return err;
		err = create_capable(st, p, a->map_type);
		if (err != 0)
			return err;
	}
	/* KERNEL: htab_map_alloc_check() until 6.4: an LRU hash asks for
	 * the capability before any attribute check */
	if (a->map_type == RP_MAP_LRU_HASH &&
	    prof->cap_rule != RP_CAPRULE_BPF_CENTRAL) {
		err = create_capable(st, p, a->map_type);
		if (err != 0)
			return err;
	}
	err = alloc_check(st, &ac);
	if (err != 0)
		return err;
	err = create_token(st, p, a);
	if (err != 0)
		return err;
	err = create_capable(st, p, a->map_type);
	if (err != 0)
		return err;
	err = alloc_size_check(st, p, a, &pages);
	if (err != 0)
		return err;
	m = map_new(st, a);
	err = type_alloc(st, p, m, a);
	if (err != 0) {
		st->maps->pdata[m->id] = NULL;
		g_free(m);
		return err;
	}
	m->charged_uid = p->uid;
	if (prof->memlock_rlimit)
		m->memlock = pages * RP_PAGE_SIZE;
	else
		m->memlock = RP_MAP_HDR + 8 * (uint64_t)a->max_entries;
	if (!name_ok(st, a->name)) {
		err = rp_rule(st, "R-CRE-7", -EINVAL);
		goto out_free;
	}
	if (prof->btf_value_checked && a->btf_value_type_id != 0) {
		/* no BTF objects in the model: the fd is never a BTF */
		struct rp_file *bf = rp_fd_get(st, p, (int)a->btf_fd);

		err = rp_rule(st, "R-CRE-8", bf == NULL ? -EBADF : -EINVAL);
		if (bf != NULL)
			rp_file_put(st, bf);
		goto out_free;
	}
	if (prof->memlock_rlimit)
		memlock_charge(st, p->uid, (int64_t)m->memlock);
	rp_emit(st, &(struct rp_event){ .kind = RP_EV_MAP_NEW, .map = m->id,
	    .val = m->type });
	f = rp_file_new(RP_FILE_MAP, m);
	f->can_read = !(a->map_flags & RP_BPF_F_WRONLY);
	f->can_write = !(a->map_flags & RP_BPF_F_RDONLY);
	fd = rp_fd_install(p, f);
	if (fd < 0)
		rp_file_put(st, f);	/* LCOV_EXCL_LINE */
	rp_rule(st, "R-CRE-9", 0);
	return fd;
out_free:
	m->memlock = prof->memlock_rlimit ? 0 : m->memlock;
	rp_map_put(st, m);
	return err;
}

/*
 * The map behind fd with its file reference held in *filep, or NULL and
 * *err (-EBADF, or -EINVAL for a non-map fd; 4.19 also -EPERM from the
 * unprivileged_bpf_disabled entry check).
 */
struct rp_map *
rp_map_get(struct rp_state *st, unsigned proc, int fd, struct rp_file **filep,
    int *err)
{
	struct rp_proc *p = rp_proc_get(st, proc);
	struct rp_file *f;

	if (p == NULL) {
		*err = -ESRCH;
		return NULL;
	}
	/* KERNEL: __sys_bpf(): until 5.18 every command is gated */
	if ((st->prof->unpriv_gate == RP_UNPRIV_GATE_ALL_SYS_ADMIN ||
	    st->prof->unpriv_gate == RP_UNPRIV_GATE_ALL_BPF) &&
	    st->unpriv_bpf_disabled &&
	    !rp_capable(p, rp_unpriv_caps(st->prof))) {
		*err = rp_rule(st, "R-CRE-0", -EPERM);
		return NULL;
	}
	f = rp_fd_get(st, p, fd);
	if (f == NULL) {
		*err = -EBADF;
		return NULL;
	}
	if (f->kind != RP_FILE_MAP) {
		rp_file_put(st, f);
		*err = -EINVAL;
		return NULL;
	}
	*filep = f;
	return f->u.map;
}

static int
map_done(struct rp_state *st, struct rp_file *f, int ret)
{
	rp_file_put(st, f);
	rp_state_quiesce(st);
	return ret;
}

static bool
can_write(const struct rp_map *m, const struct rp_file *f)
{
	return f->can_write && !m->frozen;
}

/*
 * As rp_map_get(), for an update or a delete: also NULL, with *err set
 * and the file put, when fd may not write the map.  KERNEL:
 * map_update_elem(), map_delete_elem(): no FMODE_CAN_WRITE in
 * map_get_sys_perms() -> -EPERM; a frozen map has none (R-CMD-3), else
 * the fd's mode is the operation's rule.
 */
static struct rp_map *
map_get_write(struct rp_state *st, unsigned proc, int fd,
    struct rp_file **filep, const char *rule, int *err)
{
	struct rp_map *m = rp_map_get(st, proc, fd, filep, err);

	if (m != NULL && !can_write(m, *filep)) {
		*err = map_done(st, *filep, rp_rule(st, m->frozen ? "R-CMD-3" :
		    rule, -EPERM));
		return NULL;
	}
	return m;
}

/*
 * The integer API on a value map (below); anything else is the byte API
 * further down.
 */
static bool
vmap_key4(const struct rp_map *m)
{
	return m->key_size == 4;
}

/*
 * The integer interface to a value map (the scenario language's `update M
 * KEY NUMBER` and `lookup`): a key of 4 bytes, and a value that is the
 * number's little-endian bytes, cut to value_size or padded with zeros;
 * a lookup gives the value's first 8 bytes.  Per-CPU maps, whose syscall
 * value is one copy per CPU, are not offered.
 */
static bool
vmap_int_ok(const struct rp_map *m)
{
	return vmap_key4(m) &&
	    m->type != RP_MAP_PERCPU_ARRAY && m->type != RP_MAP_PERCPU_HASH;
}

static int
vmap_lookup_int(struct rp_state *st, struct rp_map *m, uint32_t key,
    uint64_t *value)
{
	uint8_t *buf;
	int err;

	if (!vmap_int_ok(m))
		return -EINVAL;
	buf = g_malloc0(MAX(m->value_size, 8));
	err = rp_vmap_lookup_sys(st, m, (const uint8_t *)&key, buf);
	if (err == 0) {
		*value = 0;
		memcpy(value, buf, MIN(m->value_size, 8));
	}
	g_free(buf);
	return err;
}

static int
vmap_update_int(struct rp_state *st, struct rp_map *m, uint32_t key,
    uint64_t value, uint64_t flags)
{
	uint8_t *buf;
	int err;

	if (!vmap_int_ok(m))
		return -EINVAL;
	buf = g_malloc0(MAX(m->value_size, 8));
	memcpy(buf, &value, MIN(m->value_size, 8));
	err = rp_vmap_update(st, m, (const uint8_t *)&key, buf, flags, -1);
	g_free(buf);
	return err;
}

int
rp_map_lookup(struct rp_state *st, unsigned proc, int fd, uint32_t key,
    uint64_t *value, uint64_t flags)
{
	struct rp_file *f = NULL;
	struct rp_map *m;
	int err = 0;

	g_return_val_if_fail(value != NULL, -EFAULT);
	/* KERNEL: 4.19 has no lookup flags: a non-zero value is attr tail */
	if (!st->prof->attr_flags_check && flags != 0)
		return rp_rule(st, "R-LKP-1a", -EINVAL);
	/* KERNEL: map_lookup_elem(): until 6.18 unknown flags fail before
	 * the fd; 6.19+ bpf_map_check_op_flags() checks all of them after
	 * the fd and permission checks */
	if (!st->prof->lookup_flags_after_perm &&
	    (flags & ~(uint64_t)RP_BPF_F_LOCK))
		return rp_rule(st, "R-LKP-1a", -EINVAL);
	m = rp_map_get(st, proc, fd, &f, &err);
	if (m == NULL)
		return err;
	if (!f->can_read)
		return map_done(st, f, rp_rule(st, "R-LKP-1c", -EPERM));
	if (flags != 0)
		return map_done(st, f, rp_rule(st, "R-LKP-1a", -EINVAL));
	switch (m->type) {
	case RP_MAP_REUSEPORT_SOCKARRAY:
		err = rp_sockarray_lookup(st, m, key, value);
		break;
	case RP_MAP_SOCKMAP:
	case RP_MAP_SOCKHASH:
		err = rp_sockmap_lookup(st, m, key, value);
		break;
	case RP_MAP_ARRAY_OF_MAPS:
	case RP_MAP_HASH_OF_MAPS:
		err = rp_outer_lookup(st, m, key, value);
		break;
	default:
		err = vmap_lookup_int(st, m, key, value);
		break;
	}
	return map_done(st, f, err);
}

int
rp_map_update(struct rp_state *st, unsigned proc, int fd, uint32_t key,
    uint64_t value, uint64_t flags)
{
	struct rp_file *f = NULL;
	struct rp_map *m;
	int err = 0;

	m = map_get_write(st, proc, fd, &f, "R-UPD-0b", &err);
	if (m == NULL)
		return err;
	if (st->prof->attr_flags_check && (flags & RP_BPF_F_LOCK))
		return map_done(st, f, rp_rule(st, "R-UPD-1", -EINVAL));
	switch (m->type) {
	case RP_MAP_REUSEPORT_SOCKARRAY:
		err = rp_sockarray_update(st, rp_proc_get(st, proc), m, key,
		    value, flags);
		break;
	case RP_MAP_SOCKMAP:
	case RP_MAP_SOCKHASH:
		err = rp_sockmap_update(st, rp_proc_get(st, proc), m, key,
		    value, flags);
		break;
	case RP_MAP_ARRAY_OF_MAPS:
	case RP_MAP_HASH_OF_MAPS:
		err = rp_outer_update(st, rp_proc_get(st, proc), m, key,
		    value, flags);
		break;
	default:
		err = vmap_update_int(st, m, key, value, flags);
		break;
	}
	return map_done(st, f, err);
}

int
rp_map_delete(struct rp_state *st, unsigned proc, int fd, uint32_t key)
{
	struct rp_file *f = NULL;
	struct rp_map *m;
	int err = 0;

	m = map_get_write(st, proc, fd, &f, "R-DEL-0", &err);
	if (m == NULL)
		return err;
	switch (m->type) {
	case RP_MAP_REUSEPORT_SOCKARRAY:
		err = rp_sockarray_delete(st, m, key);
		break;
	case RP_MAP_SOCKMAP:
	case RP_MAP_SOCKHASH:
		err = rp_sockmap_delete(st, m, key);
		break;
	case RP_MAP_ARRAY_OF_MAPS:
	case RP_MAP_HASH_OF_MAPS:
		err = rp_outer_delete(st, m, key);
		break;
	default:
		err = vmap_key4(m) ? rp_vmap_delete(st, m, (const uint8_t *)&key) :
		    -EINVAL;
		break;
	}
	return map_done(st, f, err);
}

/*
 * The key after *key in a hash map.  KERNEL: sock_hash_get_next_key() and
 * htab_map_get_next_key() walk in bucket order, and a NULL key or one not
 * in the map starts again from the first element (R-NXT-5).  The model's
 * order is ascending keys (the kernel's is unspecified to user space).
 */
static int
hash_next_key(struct rp_state *st, GHashTable *h, const uint32_t *key,
    uint32_t *next)
{
	GHashTableIter it;
	gpointer k;
	bool found = false;
	uint32_t best = 0;

	if (key != NULL && !g_hash_table_contains(h, GUINT_TO_POINTER(*key))) {
		rp_rule(st, "R-NXT-5", 0);
		key = NULL;
	}
	g_hash_table_iter_init(&it, h);
	while (g_hash_table_iter_next(&it, &k, NULL)) {
		uint32_t v = GPOINTER_TO_UINT(k);

		if (key != NULL && v <= *key)
			continue;
		if (!found || v < best) {
			best = v;
			found = true;
		}
	}
	if (!found)
		return -ENOENT;
	*next = best;
	return 0;
}

int
rp_map_get_next_key(struct rp_state *st, unsigned proc, int fd,
    const uint32_t *key, uint32_t *next)
{
	struct rp_file *f = NULL;
	struct rp_map *m;
	int err = 0;

	g_return_val_if_fail(next != NULL, -EFAULT);
	m = rp_map_get(st, proc, fd, &f, &err);
	if (m == NULL)
		return err;
	if (!f->can_read)
		return map_done(st, f, rp_rule(st, "R-NXT-1", -EPERM));
	if (rp_vmap_type(m->type))
		return map_done(st, f, !vmap_key4(m) ? -EINVAL :
		    rp_vmap_next_key(st, m, (const uint8_t *)key,
		    (uint8_t *)next));
	if (m->type == RP_MAP_SOCKHASH || m->type == RP_MAP_HASH_OF_MAPS)
		return map_done(st, f, hash_next_key(st, m->u.hash, key, next));
	/* KERNEL: array_map_get_next_key() / reuseport_array_get_next_key() */
	if (key == NULL || *key >= m->max_entries) {
		*next = 0;
		return map_done(st, f, rp_rule(st, "R-NXT-2", 0));
	}
	if (*key == m->max_entries - 1)
		return map_done(st, f, rp_rule(st, "R-NXT-3", -ENOENT));
	*next = *key + 1;
	return map_done(st, f, rp_rule(st, "R-NXT-4", 0));
}

int
rp_map_freeze(struct rp_state *st, unsigned proc, int fd)
{
	struct rp_file *f = NULL;
	struct rp_map *m;
	int err = 0;

	if (!st->prof->has_freeze)
		return rp_rule(st, "R-CMD-3", -EINVAL);	/* no such command */
	m = rp_map_get(st, proc, fd, &f, &err);
	if (m == NULL)
		return err;
	if (st->prof->freeze_rule == RP_FREEZE_CAPABLE) {
		/* KERNEL: map_freeze() (5.10, 6.1, measured): frozen ->
		 * -EBUSY, then bpf_capable(); the fd's mode is not looked at */
		if (m->frozen)
			return map_done(st, f, rp_rule(st, "R-CMD-3", -EBUSY));
		if (!rp_capable(rp_proc_get(st, proc),
		    RP_CAP_BPF | RP_CAP_SYS_ADMIN))
			return map_done(st, f, rp_rule(st, "R-CMD-3", -EPERM));
	} else if (!can_write(m, f)) {
		/* KERNEL: map_freeze() (6.12+, measured): a frozen map has
		 * lost write permission already, so a second freeze is
		 * -EPERM, not -EBUSY */
		return map_done(st, f, rp_rule(st, "R-CMD-3", -EPERM));
	}
	m->frozen = true;
	return map_done(st, f, rp_rule(st, "R-CMD-3", 0));
}

int
rp_map_lookup_and_delete(struct rp_state *st, unsigned proc, int fd,
    uint32_t key, uint64_t *value)
{
	struct rp_file *f = NULL;
	struct rp_map *m;
	int err = 0;

	(void)key;
	(void)value;
	if (!st->prof->has_lookup_and_delete)
		return rp_rule(st, "R-CMD-1", -EINVAL);	/* no such command */
	m = rp_map_get(st, proc, fd, &f, &err);
	if (m == NULL)
		return err;
	if (!f->can_read || !can_write(m, f))
		return map_done(st, f, -EPERM);
	return map_done(st, f, rp_rule(st, "R-CMD-1", -RP_ENOTSUPP));
}

int
rp_map_lookup_batch(struct rp_state *st, unsigned proc, int fd)
{
	struct rp_file *f = NULL;
	struct rp_map *m;
	int err = 0;

	if (!st->prof->has_batch)
		return rp_rule(st, "R-CMD-2", -EINVAL);	/* no such command */
	m = rp_map_get(st, proc, fd, &f, &err);
	if (m == NULL)
		return err;
	if (!f->can_read)
		return map_done(st, f, -EPERM);
	/*
	 * KERNEL: an outer map has the generic batch (array: each occupied
	 * slot in key order; hash: bucket by bucket), which the kernel
	 * backend asks from the start for one element: an array says 0
	 * once any slot is occupied, -ENOENT when it reaches the end with
	 * none; a hash says -ENOENT when the end follows the first bucket
	 * it copied (one key), else 0, or -ENOSPC when that bucket holds two
	 * keys, which its per-map random seed decides: the model says 0.
	 */
	/* KERNEL: a plain ARRAY has the generic batch wherever batches
	 * exist (5.6), outer maps or not, and every index exists: the
	 * first element is copied, 0 (found by fuzz-diff, seed 7000003 on
	 * 5.10) */
	if (m->type == RP_MAP_ARRAY)
		return map_done(st, f, rp_rule(st, "R-CMD-4", 0));
	/* KERNEL: 5.10's outer maps have no batch ops (measured) */
	if (!st->prof->outer_batch)
		return map_done(st, f, rp_rule(st, "R-CMD-2", -RP_ENOTSUPP));
	if (m->type == RP_MAP_ARRAY_OF_MAPS)
		return map_done(st, f, rp_rule(st, "R-CMD-4", m->used > 0 ? 0 :
		    -ENOENT));
	if (m->type == RP_MAP_HASH_OF_MAPS)
		return map_done(st, f, rp_rule(st, "R-CMD-4", m->used >= 2 ?
		    0 : -ENOENT));
	return map_done(st, f, rp_rule(st, "R-CMD-2", -RP_ENOTSUPP));
}

/*
 * Whether fd in proc names a value map with an 8-byte key (a map keyed by
 * socket cookie) and a value of at most 8 bytes, not per-CPU: the maps
 * whose keys and values a driver gives as integers through the byte API
 * (rp_map_update_elem() and its siblings), since the integer API takes
 * 4-byte keys.  A pure query: it records nothing and changes nothing.
 */
bool
rp_map_fd_key8(struct rp_state *st, unsigned proc, int fd)
{
	struct rp_proc *p = rp_proc_get(st, proc);
	const struct rp_file *f;
	const struct rp_map *m;

	if (p == NULL || fd < 0 || (guint)fd >= p->fds->len)
		return false;
	f = p->fds->pdata[fd];
	if (f == NULL || f->kind != RP_FILE_MAP)
		return false;
	m = f->u.map;
	return (m->type == RP_MAP_HASH || m->type == RP_MAP_ARRAY) &&
	    m->key_size == 8 && m->value_size <= 8;
}

/*
 * KERNEL: bpf_obj_get_info_by_fd(): no capability, only the entry check of
 * kernels before 5.19 (R-CRE-0); an fd that holds no file is -EBADFD, a map gives
 * bpf_map_get_info_by_fd()'s fields, a program its own info, anything
 * else -EINVAL.
 */
int
rp_map_get_info(struct rp_state *st, unsigned proc, int fd,
    struct rp_map_info *out)
{
	struct rp_proc *p = rp_proc_get(st, proc);
	struct rp_file *f;
	int ret;

	g_return_val_if_fail(out != NULL, -EFAULT);
	if (p == NULL)
		return -ESRCH;
	/* KERNEL: __sys_bpf(): until 5.18 every command is gated */
	if ((st->prof->unpriv_gate == RP_UNPRIV_GATE_ALL_SYS_ADMIN ||
	    st->prof->unpriv_gate == RP_UNPRIV_GATE_ALL_BPF) &&
	    st->unpriv_bpf_disabled &&
	    !rp_capable(p, rp_unpriv_caps(st->prof)))
		return rp_rule(st, "R-CRE-0", -EPERM);
	f = rp_fd_get(st, p, fd);
	if (f == NULL)
		return rp_rule(st, "R-CMD-5", -EBADFD);
	switch (f->kind) {
	case RP_FILE_MAP:
		ret = rp_map_info(st, f->u.map->id, out);
		break;
	case RP_FILE_PROG:
		ret = 1;
		break;
	default:
		ret = -EINVAL;
		break;
	}
	rp_file_put(st, f);
	rp_state_quiesce(st);
	return rp_rule(st, "R-CMD-5", ret);
}

/*
 * bpf_map_meta_equal(): may inner join an outer map built from this
 * template?  4.19 compares max_entries too (dropped in 5.10).
 */
bool
rp_map_meta_equal(const struct rp_state *st, const struct rp_map *outer,
    const struct rp_map *inner)
{
	return outer->inner_type == inner->type &&
	    outer->inner_key_size == inner->key_size &&
	    outer->inner_value_size == inner->value_size &&
	    outer->inner_map_flags == inner->map_flags &&
	    (!st->prof->inner_max_entries_eq ||
	    outer->inner_max_entries == inner->max_entries);
}

/* ---------------------------------------------------------------------
 * The byte API (rp.h): value maps take key and value as bytes; the other
 * types read a 4-byte key and a value of value_size (4 or 8) bytes.
 */

static uint32_t
key_u32(const void *key)
{
	uint32_t k;

	memcpy(&k, key, 4);
	return k;
}

static uint64_t
value_u64(const struct rp_map *m, const void *value)
{
	uint64_t v = 0;

	memcpy(&v, value, m->value_size == 8 ? 8 : 4);
	return v;
}

/* The map behind fd, without keeping the file (only to learn its type
 * and sizes; the operations below look it up again). */
static const struct rp_map *
peek_map(struct rp_state *st, unsigned proc, int fd)
{
	struct rp_proc *p = rp_proc_get(st, proc);

	if (p == NULL || fd < 0 || (guint)fd >= p->fds->len ||
	    p->fds->pdata[fd] == NULL)
		return NULL;
	if (((struct rp_file *)p->fds->pdata[fd])->kind != RP_FILE_MAP)
		return NULL;
	return ((struct rp_file *)p->fds->pdata[fd])->u.map;
}

int
rp_map_lookup_elem(struct rp_state *st, unsigned proc, int fd,
    const void *key, void *value, uint64_t flags)
{
	const struct rp_map *pm = peek_map(st, proc, fd);
	struct rp_file *f = NULL;
	struct rp_map *m;
	uint64_t v = 0;
	int err = 0;

	g_return_val_if_fail(key != NULL && value != NULL, -EFAULT);
	if (pm == NULL || !rp_vmap_type(pm->type)) {
		err = rp_map_lookup(st, proc, fd, key_u32(key), &v, flags);
		if (err == 0)
			memcpy(value, &v, pm != NULL && pm->value_size == 4 ?
			    4 : 8);
		return err;
	}
	/* the syscall checks of rp_map_lookup(), then the value map */
	if (!st->prof->attr_flags_check && flags != 0)
		return rp_rule(st, "R-LKP-1a", -EINVAL);
	if (flags & ~(uint64_t)RP_BPF_F_LOCK)
		return rp_rule(st, "R-LKP-1a", -EINVAL);
	m = rp_map_get(st, proc, fd, &f, &err);
	if (m == NULL)
		return err;	/* LCOV_EXCL_LINE: peek_map() saw it */
	if (!f->can_read)
		return map_done(st, f, rp_rule(st, "R-LKP-1c", -EPERM));
	if (flags & RP_BPF_F_LOCK)
		return map_done(st, f, rp_rule(st, "R-LKP-1a", -EINVAL));
	rp_rcu_read_lock(st);
	err = rp_vmap_lookup_sys(st, m, key, value);
	rp_rcu_read_unlock(st);
	return map_done(st, f, err);
}

int
rp_map_update_elem(struct rp_state *st, unsigned proc, int fd,
    const void *key, const void *value, uint64_t flags)
{
	const struct rp_map *pm = peek_map(st, proc, fd);
	struct rp_file *f = NULL;
	struct rp_map *m;
	int err = 0;

	g_return_val_if_fail(key != NULL && value != NULL, -EFAULT);
	if (pm == NULL || !rp_vmap_type(pm->type))
		return rp_map_update(st, proc, fd, key_u32(key),
		    pm != NULL ? value_u64(pm, value) : 0, flags);
	m = map_get_write(st, proc, fd, &f, "R-UPD-0b", &err);
	if (m == NULL)
		return err;
	if (st->prof->attr_flags_check && (flags & RP_BPF_F_LOCK))
		return map_done(st, f, rp_rule(st, "R-VMAP-2", -EINVAL));
	return map_done(st, f, rp_vmap_update(st, m, key, value, flags, -1));
}

int
rp_map_delete_elem(struct rp_state *st, unsigned proc, int fd,
    const void *key)
{
	const struct rp_map *pm = peek_map(st, proc, fd);
	struct rp_file *f = NULL;
	struct rp_map *m;
	int err = 0;

	g_return_val_if_fail(key != NULL, -EFAULT);
	if (pm == NULL || !rp_vmap_type(pm->type))
		return rp_map_delete(st, proc, fd, key_u32(key));
	m = map_get_write(st, proc, fd, &f, "R-DEL-0", &err);
	if (m == NULL)
		return err;
	return map_done(st, f, rp_vmap_delete(st, m, key));
}

int
rp_map_next_key(struct rp_state *st, unsigned proc, int fd, const void *key,
    void *next)
{
	const struct rp_map *pm = peek_map(st, proc, fd);
	struct rp_file *f = NULL;
	struct rp_map *m;
	uint32_t k, n = 0;
	int err = 0;

	g_return_val_if_fail(next != NULL, -EFAULT);
	if (pm == NULL || !rp_vmap_type(pm->type)) {
		if (key != NULL)
			k = key_u32(key);
		err = rp_map_get_next_key(st, proc, fd, key != NULL ? &k :
		    NULL, &n);
		if (err == 0)
			memcpy(next, &n, 4);
		return err;
	}
	m = rp_map_get(st, proc, fd, &f, &err);
	if (m == NULL)
		return err;	/* LCOV_EXCL_LINE: peek_map() saw it */
	if (!f->can_read)
		return map_done(st, f, rp_rule(st, "R-NXT-1", -EPERM));
	return map_done(st, f, rp_vmap_next_key(st, m, key, next));
}
