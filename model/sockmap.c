/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * sockmap.c - just enough of BPF_MAP_TYPE_SOCKMAP and SOCKHASH
 * (net/core/sock_map.c) for reuseport selection (5.7+) and for the errors
 * their inserts give: a socket joins through a psock, whose owner word
 * (sk_user_data) makes a later sockarray insert fail with -EBUSY and, since
 * 6.0, makes a sockmap insert of a sockarray member fail with -EBUSY too.
 * A socket may sit in several sockmap slots; unhash and close remove it
 * from all of them.
 */
#include <errno.h>

#include "rp-int.h"

#define S32_MAX		INT32_C(0x7fffffff)

int
rp_sockmap_alloc(struct rp_state *st, struct rp_map *m)
{
	if (m->type == RP_MAP_SOCKHASH) {
		m->u.hash = g_hash_table_new(g_direct_hash, g_direct_equal);
		return 0;
	}
	if (8 * (uint64_t)m->max_entries > st->kmem_limit - st->kmem_used)
		return rp_rule(st, "R-CRE-6d", -ENOMEM);
	if (!rp_slots_init(&m->u.slots, m->max_entries))
		return -ENOMEM;	/* LCOV_EXCL_LINE */
	st->kmem_used += 8 * (uint64_t)m->max_entries;
	return 0;
}

struct rp_sock *
rp_sockmap_lookup_sk(struct rp_state *st, struct rp_map *m, uint32_t key)
{
	(void)st;
	if (m->type == RP_MAP_SOCKHASH)
		return g_hash_table_lookup(m->u.hash, GUINT_TO_POINTER(key));
	return key < m->max_entries ? rp_map_sock(m, key) : NULL;
}

/* sock_map_lookup_sys(): the cookie, ENOSPC for 4-byte values. */
int
rp_sockmap_lookup(struct rp_state *st, struct rp_map *m, uint32_t key,
    uint64_t *value)
{
	struct rp_sock *sk;

	if (m->value_size != 8)
		return rp_rule(st, "R-SMAP-5", -ENOSPC);
	sk = rp_sockmap_lookup_sk(st, m, key);
	if (sk == NULL)
		return -ENOENT;
	*value = rp_sock_gen_cookie(st, sk);
	return 0;
}

/* Take or share the psock: the owner word becomes PSOCK. */
static int
psock_link(struct rp_state *st, struct rp_sock *sk)
{
	int err = 0;

	rp_cb_lock(st, sk);
	if (sk->owner.kind == RP_OWNER_PSOCK) {
		sk->psock_refs++;
	} else if (sk->owner.kind != RP_OWNER_NONE) {
		/* KERNEL: sk_psock_init(): sk_user_data taken -> -EBUSY */
		err = rp_rule(st, "R-SMAP-4", -EBUSY);
	} else {
		rp_owner_set(st, sk, RP_OWNER_PSOCK, NULL, 0);
		sk->psock_refs = 1;
	}
	rp_cb_unlock(st, sk);
	return err;
}

static void
psock_unlink(struct rp_state *st, struct rp_sock *sk)
{
	g_assert(sk->psock_refs > 0);	/* LCOV_EXCL_BR_LINE */
	if (--sk->psock_refs > 0)
		return;
	rp_cb_lock(st, sk);
	if (sk->owner.kind == RP_OWNER_PSOCK)
		rp_owner_set(st, sk, RP_OWNER_NONE, NULL, 0);
	rp_cb_unlock(st, sk);
}

static void
slot_write(struct rp_state *st, struct rp_map *m, uint32_t key,
    struct rp_sock *sk)
{
	if (m->type == RP_MAP_SOCKHASH) {
		if (sk != NULL)
			g_hash_table_insert(m->u.hash, GUINT_TO_POINTER(key), sk);
		else
			g_hash_table_remove(m->u.hash, GUINT_TO_POINTER(key));
	} else {
		rp_slots_set(&m->u.slots, key, sk);
	}
	if (sk != NULL)
		rp_emit(st, &(struct rp_event){ .kind = RP_EV_SLOT_SET,
		    .map = m->id, .idx = key, .sock = sk->id });
	else
		rp_emit(st, &(struct rp_event){ .kind = RP_EV_SLOT_CLEAR,
		    .map = m->id, .idx = key });
}

/* sock_map_update_elem() from the syscall */
int
rp_sockmap_update(struct rp_state *st, struct rp_proc *p, struct rp_map *m,
    uint32_t key, uint64_t value, uint64_t flags)
{
	struct rp_file *f;
	uint64_t ufd = m->value_size == 8 ? value : (uint32_t)value;
	int err;

	if (ufd > (uint64_t)S32_MAX)
		return rp_rule(st, "R-SMAP-2", -EINVAL);
	f = rp_fd_get(st, p, (int)ufd);
	if (f == NULL)
		return -EBADF;
	if (f->kind != RP_FILE_SOCK) {
		rp_file_put(st, f);
		return -ENOTSOCK;
	}
	err = rp_sockmap_update_sk(st, m, key, f->u.sk, flags);
	rp_file_put(st, f);
	return err;
}

/*
 * Put sk at key: the part of the update after the fd, shared by the
 * syscall and by a program's bpf_map_update_elem() (sock_map_update_elem()
 * of the BPF side, 5.10+).  The caller holds sk.
 */
int
rp_sockmap_update_sk(struct rp_state *st, struct rp_map *m, uint32_t key,
    struct rp_sock *sk, uint64_t flags)
{
	struct rp_sock *osk;
	bool allowed;
	int err;

	/* KERNEL: sock_map_sk_is_suitable() and sock_map_sk_state_allowed();
	 * 4.19 took only established TCP */
	if (sk->protocol == RP_IPPROTO_TCP && sk->type == RP_SOCK_STREAM &&
	    !sk->mptcp &&
	    (sk->family == RP_AF_INET || sk->family == RP_AF_INET6))
		allowed = rp_sock_tcp_established(st, sk) ||
		    (st->prof->sockmap_select && sk->state == RP_TCP_LISTEN);
	else if (sk->protocol == RP_IPPROTO_UDP && st->prof->sockmap_select)
		allowed = sk->hashed;
	else if (sk->family == RP_AF_UNIX && st->prof->sockmap_unix)
		/* KERNEL: 5.15+: an AF_UNIX datagram socket in any state, a
		 * stream one once connected (which scenarios cannot do) */
		allowed = sk->type == RP_SOCK_DGRAM;
	else
		allowed = false;
	if (!allowed)
		return rp_rule(st, "R-SMAP-3", -EOPNOTSUPP);
	if (flags > RP_BPF_EXIST)
		return -EINVAL;
	if (m->type == RP_MAP_SOCKMAP && key >= m->max_entries)
		return -E2BIG;
	rp_lock(st);	/* stands for the map's own lock */
	err = psock_link(st, sk);
	if (err != 0)
		goto out_unlock;
	osk = rp_sockmap_lookup_sk(st, m, key);
	if ((osk != NULL && flags == RP_BPF_NOEXIST) ||
	    (osk == NULL && flags == RP_BPF_EXIST) ||
	    (m->type == RP_MAP_SOCKHASH && osk == NULL &&
	    m->used >= m->max_entries)) {
		err = osk != NULL ? -EEXIST : flags == RP_BPF_EXIST ?
		    -ENOENT : -E2BIG;
		psock_unlink(st, sk);
		goto out_unlock;
	}
	slot_write(st, m, key, sk);
	if (osk != NULL)
		psock_unlink(st, osk);
	else
		m->used++;
	err = 0;
out_unlock:
	rp_unlock(st);
	return err;
}

/* Remove slot key (sock_map_delete_elem(): -EINVAL when empty). */
static int
sockmap_del(struct rp_state *st, struct rp_map *m, uint32_t key)
{
	struct rp_sock *sk = rp_sockmap_lookup_sk(st, m, key);

	if (sk == NULL)
		return m->type == RP_MAP_SOCKMAP ? -EINVAL : -ENOENT;
	slot_write(st, m, key, NULL);
	m->used--;
	psock_unlink(st, sk);
	return 0;
}

int
rp_sockmap_delete(struct rp_state *st, struct rp_map *m, uint32_t key)
{
	int err;

	if (m->type == RP_MAP_SOCKMAP && key >= m->max_entries)
		return -EINVAL;
	rp_lock(st);
	err = sockmap_del(st, m, key);
	rp_unlock(st);
	return err;
}

/* Every (map, key) holding sk; used by unhash/close (sock_map_unhash()). */
void
rp_sockmap_unlink_sock(struct rp_state *st, struct rp_sock *sk)
{
	if (sk->psock_refs == 0)
		return;
	rp_lock(st);
	for (guint i = 1; i < st->maps->len && sk->psock_refs > 0; i++) {
		struct rp_map *m = st->maps->pdata[i];

		if (m == NULL || (m->type != RP_MAP_SOCKMAP &&
		    m->type != RP_MAP_SOCKHASH))
			continue;
		if (m->type == RP_MAP_SOCKMAP) {
			for (uint32_t k = rp_slots_next(&m->u.slots, 0);
			    k < m->max_entries;
			    k = rp_slots_next(&m->u.slots, k + 1))
				if (rp_map_sock(m, k) == sk)
					sockmap_del(st, m, k);
		} else {
			g_autoptr(GPtrArray) keys = g_ptr_array_new();
			GHashTableIter it;
			gpointer k, v;

			g_hash_table_iter_init(&it, m->u.hash);
			while (g_hash_table_iter_next(&it, &k, &v))
				if (v == sk)
					g_ptr_array_add(keys, k);
			for (guint j = 0; j < keys->len; j++)
				sockmap_del(st, m,
				    GPOINTER_TO_UINT(keys->pdata[j]));
		}
	}
	rp_unlock(st);
}

void
rp_sockmap_free(struct rp_state *st, struct rp_map *m)
{
	if (m->type == RP_MAP_SOCKMAP) {
		for (uint32_t k = rp_slots_next(&m->u.slots, 0);
		    k < m->max_entries; k = rp_slots_next(&m->u.slots, k + 1))
			sockmap_del(st, m, k);
		st->kmem_used -= 8 * (uint64_t)m->max_entries;
		rp_slots_clear(&m->u.slots);
	} else {
		g_autoptr(GPtrArray) keys = g_ptr_array_new();
		GHashTableIter it;
		gpointer k;

		g_hash_table_iter_init(&it, m->u.hash);
		while (g_hash_table_iter_next(&it, &k, NULL))
			g_ptr_array_add(keys, k);
		for (guint j = 0; j < keys->len; j++)
			sockmap_del(st, m, GPOINTER_TO_UINT(keys->pdata[j]));
		g_hash_table_unref(m->u.hash);
	}
}
