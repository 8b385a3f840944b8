/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * lock.c - the global reuseport_lock, per-socket sk_callback_lock and RCU,
 * with lockdep-style ownership checks.  Every acquire, release, read-side
 * section and grace period passes through the scheduling hook, so an
 * interleaving explorer can switch threads exactly where the kernel can.
 *
 * Lock order (net/core/sock_reuseport.c, kernel/bpf/reuseport_array.c):
 * reuseport_lock, then sk_callback_lock.  A thread never holds a lock
 * between two operations.
 */
#include "rp-int.h"

static void
sched(struct rp_state *st, enum rp_sched_point pt, unsigned obj)
{
	if (st->sched != NULL)
		st->sched(st->sched_ud, pt, obj);
}

/* A fine point: what follows taking a lock, entering a read-side
 * section or waiting for a grace period is a step of its own. */
static void
sched_fine(struct rp_state *st, enum rp_sched_point pt, unsigned obj)
{
	if (st->sched != NULL && st->sched_fine)
		st->sched(st->sched_ud, pt, obj);
}

/* A decision point without a lock (RP_SP_BPF_HELPER, helpers.c). */
void
rp_sched_point(struct rp_state *st, enum rp_sched_point pt, unsigned obj)
{
	sched(st, pt, obj);
}

const char *
rp_sched_point_name(enum rp_sched_point pt)
{
	switch (pt) {
	case RP_SP_LOCK:	return "lock";
	case RP_SP_UNLOCK:	return "unlock";
	case RP_SP_CB_LOCK:	return "cb_lock";
	case RP_SP_CB_UNLOCK:	return "cb_unlock";
	case RP_SP_RCU_LOCK:	return "rcu_lock";
	case RP_SP_RCU_UNLOCK:	return "rcu_unlock";
	case RP_SP_SYNC_RCU:	return "sync_rcu";
	case RP_SP_BLOCKED:	return "blocked";
	case RP_SP_BUCKET:	return "bucket";
	case RP_SP_BPF_HELPER:	return "bpf_helper";
	case RP_SP_ACQUIRED:	return "acquired";
	case RP_SP_RCU_ENTERED:	return "rcu_entered";
	case RP_SP_SYNCED:	return "synced";
	}
	return "?";	/* LCOV_EXCL_LINE */
}

static struct rp_thread *
self(struct rp_state *st)
{
	return &st->threads[st->tid];
}

/*
 * Wait until *holder is free.  Sequentially a held lock can only be ours or
 * leaked, which is a violation; under an explorer the thread yields.
 */
static void
wait_free(struct rp_state *st, unsigned *holder, const char *what,
    unsigned obj)
{
	while (*holder != 0) {
		if (*holder == st->tid + 1 || st->sched == NULL) {
			rp_violation(st, "I12: thread %u takes %s held by "
			    "thread %u (self-deadlock or leaked lock)",
			    st->tid, what, *holder - 1);
			return;
		}
		sched(st, RP_SP_BLOCKED, obj);
	}
}

/* spin_lock_bh(&reuseport_lock) */
void
rp_lock(struct rp_state *st)
{
	struct rp_thread *t = self(st);

	sched(st, RP_SP_LOCK, 0);
	if (t->cb_held > 0)
		rp_violation(st, "I12: thread %u takes reuseport_lock while "
		    "holding a callback lock (order is reuseport_lock, then "
		    "sk_callback_lock)", st->tid);
	wait_free(st, &st->reuseport_holder, "reuseport_lock", 0);
	st->reuseport_holder = st->tid + 1;
	t->holds_reuseport = true;
	rp_emit(st, &(struct rp_event){ .kind = RP_EV_LOCK, .idx = st->tid });
	sched_fine(st, RP_SP_ACQUIRED, 0);
}

void
rp_unlock(struct rp_state *st)
{
	struct rp_thread *t = self(st);

	if (st->reuseport_holder != st->tid + 1)
		rp_violation(st, "I12: thread %u releases reuseport_lock it "
		    "does not hold", st->tid);
	st->reuseport_holder = 0;
	t->holds_reuseport = false;
	rp_emit(st, &(struct rp_event){ .kind = RP_EV_UNLOCK, .idx = st->tid });
	sched(st, RP_SP_UNLOCK, 0);
}

/* True when the current thread holds reuseport_lock (for asserts). */
bool
rp_lock_held(const struct rp_state *st)
{
	return st->reuseport_holder == st->tid + 1;
}

/*
 * Lock checks built into the writes they protect (lockdep_assert_held()
 * style).  A lock skipped around a write that changes nothing visible in
 * one thread still shows here: the writer asks for the lock it needs.
 */

/*
 * I12: the current thread holds reuseport_lock, which `what` needs (a
 * group's flags, counts and program, a map's slots; the kernel's
 * reuseport_lock in net/core/sock_reuseport.c and
 * kernel/bpf/reuseport_array.c).  Records a violation otherwise.
 */
void
rp_lock_assert_held(struct rp_state *st, const char *what)
{
	if (!rp_lock_held(st))
		rp_violation(st, "I12: thread %u writes %s without "
		    "reuseport_lock", st->tid, what);
}

/*
 * I13: the current thread is inside an RCU read-side section, which a
 * reader of `what` needs: the objects it reads (SOCK_RCU_FREE sockets,
 * groups) are freed only after a grace period, never under a reader.
 */
void
rp_rcu_assert_reader(struct rp_state *st, const char *what)
{
	if (!rp_rcu_read_held(st))
		rp_violation(st, "I13: thread %u reads %s outside an RCU "
		    "read-side section", st->tid, what);
}

/*
 * I13: no thread is inside a read-side section: `what`, which readers
 * reach without a reference, is being freed, which call_rcu() and
 * synchronize_rcu() do only after a grace period.
 */
void
rp_rcu_assert_grace(struct rp_state *st, const char *what)
{
	if (!rp_rcu_idle(st))
		rp_violation(st, "I13: %s is freed while a reader may still "
		    "hold it (no grace period)", what);
}

/* write_lock_bh(&sk->sk_callback_lock) */
void
rp_cb_lock(struct rp_state *st, struct rp_sock *sk)
{
	sched(st, RP_SP_CB_LOCK, sk->id);
	wait_free(st, &sk->cb_holder, "sk_callback_lock", sk->id);
	sk->cb_holder = st->tid + 1;
	self(st)->cb_held++;
	rp_emit(st, &(struct rp_event){ .kind = RP_EV_CB_LOCK, .sock = sk->id,
	    .idx = st->tid });
	sched_fine(st, RP_SP_ACQUIRED, sk->id);
}

void
rp_cb_unlock(struct rp_state *st, struct rp_sock *sk)
{
	struct rp_thread *t = self(st);

	if (sk->cb_holder != st->tid + 1)
		rp_violation(st, "I12: thread %u releases the callback lock of "
		    "socket %u it does not hold", st->tid, sk->id);
	sk->cb_holder = 0;
	if (t->cb_held > 0)
		t->cb_held--;
	rp_emit(st, &(struct rp_event){ .kind = RP_EV_CB_UNLOCK,
	    .sock = sk->id, .idx = st->tid });
	sched(st, RP_SP_CB_UNLOCK, sk->id);
}

bool
rp_cb_lock_held(const struct rp_state *st, const struct rp_sock *sk)
{
	return sk->cb_holder == st->tid + 1;
}

/*
 * The listening bucket's lock (ilb2->lock, the UDP hslot lock) as far as
 * the model needs it: __inet_hash() and udp_lib_get_port() choose a join
 * candidate and join its group under it, and inet_unhash() and
 * udp_lib_unhash() take it before the candidate may leave.  The joiner
 * pins its candidate; an unhash of a pinned socket waits for the pin.
 * Sequentially a pin never outlives the join.
 */
void
rp_join_pin(struct rp_state *st, struct rp_sock *sk)
{
	(void)st;
	sk->join_pins++;
}

void
rp_join_unpin(struct rp_state *st, struct rp_sock *sk)
{
	(void)st;
	if (sk->join_pins > 0)
		sk->join_pins--;
}

void
rp_join_pin_wait(struct rp_state *st, struct rp_sock *sk)
{
	if (sk->join_pins == 0)
		return;
	sched(st, RP_SP_BUCKET, sk->id);
	while (sk->join_pins != 0) {
		if (st->sched == NULL) {
			rp_violation(st, "I12: socket %u leaves its bucket or "
			    "group while a join still holds it (a leaked bucket "
			    "lock)",
			    sk->id);
			return;
		}
		sched(st, RP_SP_BLOCKED, sk->id);
	}
}

void
rp_rcu_read_lock(struct rp_state *st)
{
	sched(st, RP_SP_RCU_LOCK, 0);
	self(st)->rcu_depth++;
	rp_emit(st, &(struct rp_event){ .kind = RP_EV_RCU_LOCK,
	    .idx = st->tid });
	sched_fine(st, RP_SP_RCU_ENTERED, 0);
}

void
rp_rcu_read_unlock(struct rp_state *st)
{
	struct rp_thread *t = self(st);

	if (t->rcu_depth == 0) {
		rp_violation(st, "I13: thread %u leaves an RCU read-side "
		    "section it is not in", st->tid);
		return;
	}
	t->rcu_depth--;
	rp_emit(st, &(struct rp_event){ .kind = RP_EV_RCU_UNLOCK,
	    .idx = st->tid });
	sched(st, RP_SP_RCU_UNLOCK, 0);
}

bool
rp_rcu_read_held(const struct rp_state *st)
{
	return st->threads[st->tid].rcu_depth > 0;
}

/* No thread is inside a read-side section. */
bool
rp_rcu_idle(const struct rp_state *st)
{
	for (unsigned i = 0; i < RP_NTHREADS; i++)
		if (st->threads[i].rcu_depth > 0)
			return false;
	return true;
}

/*
 * synchronize_rcu(): wait for every reader, then run deferred frees.
 * Calling it from inside a read-side section deadlocks in the kernel.
 */
void
rp_synchronize_rcu(struct rp_state *st)
{
	sched(st, RP_SP_SYNC_RCU, 0);
	rp_read(st, RP_OBJ_KEY(RP_OC_LOCKS, 0));	/* every reader */
	if (rp_rcu_read_held(st)) {
		rp_violation(st, "I13: thread %u calls synchronize_rcu() inside "
		    "an RCU read-side section", st->tid);
		return;
	}
	while (!rp_rcu_idle(st)) {
		if (st->sched == NULL) {
			rp_violation(st, "I13: synchronize_rcu() with a reader "
			    "left inside a read-side section");
			return;
		}
		sched(st, RP_SP_BLOCKED, 0);
	}
	rp_emit(st, &(struct rp_event){ .kind = RP_EV_RCU_SYNC,
	    .idx = st->tid });
	sched_fine(st, RP_SP_SYNCED, 0);
	rp_rcu_grace_period(st);
}

/* ---------------------------------------------------------------------
 * Queries for an interleaving explorer
 */

unsigned
rp_sched_max_threads(void)
{
	return RP_NTHREADS;
}

bool
rp_sched_can_run(const struct rp_state *st, unsigned tid,
    enum rp_sched_point pt, unsigned obj)
{
	const struct rp_sock *sk;

	g_return_val_if_fail(tid < RP_NTHREADS, false);
	switch (pt) {
	case RP_SP_LOCK:
		return st->reuseport_holder == 0 ||
		    st->reuseport_holder == tid + 1;
	case RP_SP_CB_LOCK:
		sk = obj < st->socks->len ? st->socks->pdata[obj] : NULL;
		return sk == NULL || sk->cb_holder == 0 ||
		    sk->cb_holder == tid + 1;
	case RP_SP_BUCKET:
		sk = obj < st->socks->len ? st->socks->pdata[obj] : NULL;
		return sk == NULL || sk->join_pins == 0;
	case RP_SP_SYNC_RCU:
		for (unsigned i = 0; i < RP_NTHREADS; i++)
			if (i != tid && st->threads[i].rcu_depth > 0)
				return false;
		return true;
	case RP_SP_UNLOCK:
	case RP_SP_CB_UNLOCK:
	case RP_SP_RCU_LOCK:
	case RP_SP_RCU_UNLOCK:
	case RP_SP_BLOCKED:
	case RP_SP_BPF_HELPER:
	case RP_SP_ACQUIRED:
	case RP_SP_RCU_ENTERED:
	case RP_SP_SYNCED:
		break;
	}
	return true;
}

bool
rp_sched_locks_free(const struct rp_state *st)
{
	if (st->reuseport_holder != 0)
		return false;
	for (unsigned i = 0; i < RP_NTHREADS; i++)
		if (st->threads[i].cb_held > 0)
			return false;
	return true;
}
