/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * detach.c - the detach notification from a reuseport group to the
 * sockarray: bpf_sk_reuseport_detach() (kernel/bpf/reuseport_array.c) and
 * the socket owner word it clears (sk_user_data).
 *
 * 4.19 trusts any non-NULL sk_user_data to be a slot pointer (the bug fixed
 * in 5.8 by c9a368f1c0fb): a foreign owner word is cleared too, which the
 * model reports as a known defect.  5.8+ only touches words tagged
 * SK_USER_DATA_BPF, i.e. our RP_OWNER_SLOT.
 */
#include "rp-int.h"

/*
 * Write sk's owner word.  The caller must hold sk's callback lock (I12);
 * map free is the one writer that holds nothing else.
 */
void
rp_owner_set(struct rp_state *st, struct rp_sock *sk, enum rp_owner_kind kind,
    struct rp_map *map, uint32_t idx)
{
	if (!rp_cb_lock_held(st, sk))
		rp_violation(st, "I12: owner word of socket %u written without "
		    "its callback lock", sk->id);
	sk->owner.kind = kind;
	sk->owner.map = map;
	sk->owner.map_id = map != NULL ? map->id : 0;
	sk->owner.idx = idx;
	if (kind == RP_OWNER_NONE)
		rp_emit(st, &(struct rp_event){ .kind = RP_EV_OWNER_CLEAR,
		    .sock = sk->id });
	else if (kind == RP_OWNER_SLOT)
		rp_emit(st, &(struct rp_event){ .kind = RP_EV_OWNER_SET,
		    .sock = sk->id, .map = map->id, .idx = idx });
	else
		rp_emit(st, &(struct rp_event){ .kind = RP_EV_OWNER_FOREIGN,
		    .sock = sk->id, .what = kind == RP_OWNER_PSOCK ? "psock" :
		    kind == RP_OWNER_STALE ? "stale-copy" : "foreign" });
}

/* Empty slot idx of m, which held sk (the kernel's RCU_INIT_POINTER). */
static void
slot_clear(struct rp_state *st, struct rp_map *m, uint32_t idx,
    struct rp_sock *sk)
{
	if (m->array_freed) {
		rp_violation(st, "I5: detach of socket %u writes slot %u of "
		    "freed map %u", sk->id, idx, m->id);
		return;
	}
	if (rp_map_sock(m, idx) != sk) {
		/* someone emptied it meanwhile (a racing writer) */
		rp_violation(st, "I1: detach of socket %u finds map %u slot %u "
		    "holding socket %u", sk->id, m->id, idx,
		    rp_map_sock(m, idx) != NULL ? rp_map_sock(m, idx)->id : 0);
		return;
	}
	rp_slots_set(&m->u.slots, idx, NULL);
	m->used--;
	rp_emit(st, &(struct rp_event){ .kind = RP_EV_SLOT_CLEAR,
	    .map = m->id, .idx = idx, .sock = sk->id });
}

/*
 * bpf_sk_reuseport_detach(): sk is leaving its group; empty its slot.
 * The caller must hold reuseport_lock.  The slot is cleared inside the
 * callback lock, which is what makes the lock-free map free safe.
 */
void
rp_bpf_sk_reuseport_detach(struct rp_state *st, struct rp_sock *sk)
{
	struct rp_map *m;
	uint32_t idx;

	g_assert(rp_lock_held(st));	/* LCOV_EXCL_BR_LINE */
	rp_cb_lock(st, sk);
	switch (sk->owner.kind) {	/* LCOV_EXCL_BR_LINE */
	case RP_OWNER_NONE:
		rp_rule(st, "R-DET-1", 0);
		break;
	case RP_OWNER_SLOT:
		m = sk->owner.map;
		idx = sk->owner.idx;
		rp_owner_set(st, sk, RP_OWNER_NONE, NULL, 0);
		if (st->plant & RP_PLANT_DETACH_SLOT_UNLOCKED) {
			/* planted bug: the slot write escapes the lock */
			rp_cb_unlock(st, sk);
			slot_clear(st, m, idx, sk);
			rp_rule(st, "R-DET-1", 0);
			return;
		}
		slot_clear(st, m, idx, sk);
		rp_rule(st, "R-DET-1", 0);
		break;
	case RP_OWNER_STALE:
	case RP_OWNER_PSOCK:
	case RP_OWNER_FOREIGN:
		if (st->prof->user_data_tags &&
		    !(st->plant & RP_PLANT_DETACH_FOREIGN)) {
			/* KERNEL: 5.8+ only SK_USER_DATA_BPF words are ours */
			rp_rule(st, "R-DET-2", 0);
			break;
		}
		/* KERNEL: 4.19 treats any sk_user_data as a slot pointer */
		rp_known_defect(st, "4.19 bpf_sk_reuseport_detach() clears a "
		    "foreign sk_user_data (fixed in 5.8 by c9a368f1c0fb)",
		    sk->id);
		rp_owner_set(st, sk, RP_OWNER_NONE, NULL, 0);
		rp_rule(st, "R-DET-2", 0);
		break;
	}
	rp_cb_unlock(st, sk);
}
