/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * sockarray.c - BPF_MAP_TYPE_REUSEPORT_SOCKARRAY (kernel/bpf/reuseport_array.c,
 * commit 5dc4c4b7d4e8 and later): an array of max_entries slots, each empty
 * or holding one socket without a reference.  The socket's owner word
 * (sk_user_data) points back at its slot.
 *
 * Update follows the kernel's shape exactly: a lock-free pre-check, then
 * reuseport_lock and the new socket's callback lock, the same check again,
 * publish, and finally the replaced socket's owner word is cleared under
 * its own callback lock.  Map free takes no reuseport_lock (see
 * rp_sockarray_free()).
 */
#include <errno.h>

#include "rp-int.h"

#define S32_MAX		INT32_C(0x7fffffff)

/* Allocate the slot array: one pointer per slot, charged as the kernel's
 * flat array (the model's table is sparse, slots.c); 0 or -ENOMEM. */
int
rp_sockarray_alloc(struct rp_state *st, struct rp_map *m)
{
	uint64_t bytes = 8 * (uint64_t)m->max_entries;

	if (bytes > st->kmem_limit - st->kmem_used)
		return rp_rule(st, "R-CRE-6d", -ENOMEM);
	if (!rp_slots_init(&m->u.slots, m->max_entries))
		return rp_rule(st, "R-CRE-6d", -ENOMEM);	/* LCOV_EXCL_LINE */
	st->kmem_used += bytes;
	return 0;
}

/* The socket in slot key, NULL when out of range or empty (RCU reader). */
struct rp_sock *
rp_sockarray_lookup_sk(struct rp_state *st, struct rp_map *m, uint32_t key)
{
	rp_rcu_assert_reader(st, "a sockarray slot");
	if (key >= m->max_entries)
		return NULL;
	return rp_map_sock(m, key);
}

/* bpf_fd_reuseport_array_lookup_elem(): the occupant's cookie. */
int
rp_sockarray_lookup(struct rp_state *st, struct rp_map *m, uint32_t key,
    uint64_t *value)
{
	struct rp_sock *sk;
	int err = -ENOENT;

	/* KERNEL: value_size checked before the index */
	if (m->value_size != 8)
		return rp_rule(st, "R-LKP-3a", -ENOSPC);
	if (key >= m->max_entries)
		return rp_rule(st, "R-LKP-3b", -ENOENT);
	rp_rcu_read_lock(st);
	rp_read_map(st, m);
	sk = rp_sockarray_lookup_sk(st, m, key);
	rp_read_sock(st, sk);
	if (sk != NULL) {
		*value = rp_sock_gen_cookie(st, sk);
		err = 0;
	}
	rp_rcu_read_unlock(st);
	return rp_rule(st, err == 0 ? "R-LKP-3d" : "R-LKP-3c", err);
}

/*
 * reuseport_array_update_check(): may nsk go into a slot whose occupant is
 * osk?  The order of the checks is the errno order (I15).
 */
static int
update_check(struct rp_state *st, const struct rp_sock *nsk,
    const struct rp_sock *osk, const struct rp_group *reuse, uint64_t flags)
{
	if (osk != NULL && flags == RP_BPF_NOEXIST)
		return rp_rule(st, "R-UPD-6a", -EEXIST);
	if (osk == NULL && flags == RP_BPF_EXIST)
		return rp_rule(st, "R-UPD-6b", -ENOENT);
	/* an MPTCP socket's protocol is IPPROTO_MPTCP (its subflow's TCP) */
	if ((nsk->protocol != RP_IPPROTO_UDP &&
	    nsk->protocol != RP_IPPROTO_TCP) || nsk->mptcp)
		return rp_rule(st, "R-UPD-6c", -RP_ENOTSUPP);
	if (nsk->family != RP_AF_INET && nsk->family != RP_AF_INET6)
		return rp_rule(st, "R-UPD-6d", -RP_ENOTSUPP);
	if (nsk->type != RP_SOCK_STREAM && nsk->type != RP_SOCK_DGRAM)
		return rp_rule(st, "R-UPD-6e", -RP_ENOTSUPP);
	/* KERNEL: SOCK_RCU_FREE, hashed and in a group; covers "not listening" */
	if (!nsk->rcu_free || !nsk->hashed || reuse == NULL)
		return rp_rule(st, "R-UPD-6f", -EINVAL);
	if (nsk->owner.kind != RP_OWNER_NONE)
		return rp_rule(st, "R-UPD-6g", -EBUSY);
	return 0;
}

/* Publish nsk into slot idx (step 9); caller holds both locks. */
static void
slot_publish(struct rp_state *st, struct rp_map *m, uint32_t idx,
    struct rp_sock *nsk, struct rp_sock *osk)
{
	struct rp_sock *was;

	/* LCOV_EXCL_BR_START */
	g_assert(rp_lock_held(st) && rp_cb_lock_held(st, nsk));
	/* LCOV_EXCL_BR_STOP */
	was = rp_map_sock(m, idx);	/* osk, unless a bug */
	rp_owner_set(st, nsk, RP_OWNER_SLOT, m, idx);
	rp_slots_set(&m->u.slots, idx, nsk);
	if (osk == NULL)
		m->used++;
	rp_emit(st, &(struct rp_event){ .kind = RP_EV_SLOT_SET, .map = m->id,
	    .idx = idx, .sock = nsk->id, .sock2 = was != NULL ? was->id : 0 });
}

/* bpf_fd_reuseport_array_update_elem() */
int
rp_sockarray_update(struct rp_state *st, struct rp_proc *p, struct rp_map *m,
    uint32_t key, uint64_t value, uint64_t flags)
{
	struct rp_sock *nsk, *osk;
	struct rp_file *f;
	int fd, err;

	if (flags > RP_BPF_EXIST)
		return rp_rule(st, "R-UPD-1", -EINVAL);
	if (key >= m->max_entries)
		return rp_rule(st, "R-UPD-2", -E2BIG);
	if (m->value_size == 8) {
		if (value > (uint64_t)S32_MAX)
			return rp_rule(st, "R-UPD-3a", -EINVAL);
		fd = (int)value;
	} else {
		fd = (int32_t)(uint32_t)value;	/* signed 32-bit fd */
		rp_rule(st, "R-UPD-3b", 0);
	}
	/* KERNEL: sockfd_lookup(): -EBADF, -ENOTSOCK; holds the file */
	f = rp_fd_get(st, p, fd);
	if (f == NULL)
		return rp_rule(st, "R-UPD-4", -EBADF);
	if (f->kind != RP_FILE_SOCK) {
		rp_file_put(st, f);
		return rp_rule(st, "R-UPD-4", -ENOTSOCK);
	}
	nsk = f->u.sk;

	/* Quick checks before taking reuseport_lock */
	rp_read_map(st, m);
	rp_read_sock(st, rp_map_sock(m, key));
	err = update_check(st, nsk, rp_map_sock(m, key), nsk->reuse, flags);
	if (err != 0)
		goto out_put;

	osk = rp_map_sock(m, key);
	rp_lock(st);
	rp_cb_lock(st, nsk);
	/* the state may have changed: check again under the locks */
	if (!(st->plant & RP_PLANT_UPDATE_NO_RECHECK)) {
		rp_rule(st, "R-UPD-7", 0);
		osk = rp_map_sock(m, key);
		rp_read_sock(st, osk);
		err = update_check(st, nsk, osk, nsk->reuse, flags);
		if (err != 0)
			goto out_unlock;
	}
	if (st->prof->lazy_group_id && nsk->reuse != NULL) {
		err = rp_group_get_id(st, nsk->reuse);
		if (err != 0)
			goto out_unlock;	/* LCOV_EXCL_LINE */
	}
	slot_publish(st, m, key, nsk, osk);
	rp_cb_unlock(st, nsk);
	if (osk != NULL) {
		/* KERNEL: the replaced socket's owner word, under its lock */
		rp_cb_lock(st, osk);
		rp_owner_set(st, osk, RP_OWNER_NONE, NULL, 0);
		rp_cb_unlock(st, osk);
		rp_rule(st, "R-UPD-10", 0);
	}
	rp_unlock(st);
	rp_file_put(st, f);
	return rp_rule(st, "R-UPD-9", 0);

out_unlock:
	rp_cb_unlock(st, nsk);
	rp_unlock(st);
out_put:
	rp_file_put(st, f);
	return err;
}

/* reuseport_array_delete_elem() */
int
rp_sockarray_delete(struct rp_state *st, struct rp_map *m, uint32_t key)
{
	struct rp_sock *sk;

	if (key >= m->max_entries)
		return rp_rule(st, "R-DEL-1", -E2BIG);
	rp_read_map(st, m);
	if (rp_map_sock(m, key) == NULL)
		return rp_rule(st, "R-DEL-2", -ENOENT);
	rp_lock(st);
	sk = rp_map_sock(m, key);
	rp_read_sock(st, sk);
	if (sk == NULL) {
		rp_unlock(st);
		return rp_rule(st, "R-DEL-2", -ENOENT);
	}
	rp_cb_lock(st, sk);
	rp_owner_set(st, sk, RP_OWNER_NONE, NULL, 0);
	rp_lock_assert_held(st, "a sockarray slot");
	rp_slots_set(&m->u.slots, key, NULL);
	m->used--;
	rp_emit(st, &(struct rp_event){ .kind = RP_EV_SLOT_CLEAR, .map = m->id,
	    .idx = key, .sock = sk->id });
	rp_cb_unlock(st, sk);
	rp_unlock(st);
	return rp_rule(st, "R-DEL-3", 0);
}

/*
 * reuseport_array_free(): the map is unreachable; empty every slot.
 *
 * No reuseport_lock here, on purpose.  The only other writer that can
 * still reach a slot is bpf_sk_reuseport_detach() (a member closing), and
 * it reaches the slot only through the socket's owner word, under the
 * socket's callback lock.  Free clears the owner word under that same lock
 * before it clears the slot, so whichever runs first wins and the other
 * finds nothing; the array memory outlives every owner word pointing at it.
 * The sockets themselves are SOCK_RCU_FREE and we read them inside an RCU
 * read-side section, so a member freed meanwhile is still valid memory.
 */
void
rp_sockarray_free(struct rp_state *st, struct rp_map *m)
{
	if (st->prof->map_free_sync_rcu)
		rp_synchronize_rcu(st);		/* 4.19-5.8, no visible effect */
	rp_rcu_read_lock(st);
	for (uint32_t i = rp_slots_next(&m->u.slots, 0); i < m->max_entries;
	    i = rp_slots_next(&m->u.slots, i + 1)) {
		struct rp_sock *sk = rp_map_sock(m, i);

		if (st->plant & RP_PLANT_FREE_NO_CB_LOCK) {
			rp_owner_set(st, sk, RP_OWNER_NONE, NULL, 0);
		} else {
			rp_cb_lock(st, sk);
			/* KERNEL: cleared unconditionally, as
			 * reuseport_array_free() */
			rp_owner_set(st, sk, RP_OWNER_NONE, NULL, 0);
			rp_cb_unlock(st, sk);
		}
		if (rp_map_sock(m, i) != NULL) {
			rp_slots_set(&m->u.slots, i, NULL);
			m->used--;
			rp_emit(st, &(struct rp_event){ .kind = RP_EV_SLOT_CLEAR,
			    .map = m->id, .idx = i, .sock = sk->id });
		}
	}
	rp_rcu_read_unlock(st);
	rp_rule(st, "R-FREE-2", 0);
	/* The kernel frees the array here.  The model keeps the (empty) slot
	 * array in the graveyard until rp_state_free(), so that a detach that
	 * still reaches it (a bug) is reported as I5 instead of crashing. */
	st->kmem_used -= 8 * (uint64_t)m->max_entries;
	m->array_freed = true;
}
