/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * check_lock.c - unit tests of model/lock.c: reuseport_lock, the
 * per-socket callback lock and RCU, with their lockdep-style checks
 * (violations recorded for rp_state_take_violation() and reported by
 * rp_check() as I12/I13), and the scheduling hook: the points an update, a
 * delete, a detach and a map free pass through, in the kernel's order.
 *
 * White-box: the lock primitives are internal (rp-int.h).  One TCase per
 * operation ("lock/<operation>"); loop index = profile.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <check.h>
#include <glib.h>

#include "rp-int.h"
#include "testutil.h"

#define PORT	40000

/* ---------------------------------------------------------------------
 * Helpers
 */

/* The recorded violation (must exist), freed by the caller. */
static char *
take_violation(struct rp_state *st)
{
	char *v = rp_state_take_violation(st);

	ck_assert_msg(v != NULL, "no violation recorded");
	return v;
}

static void
assert_no_violation(struct rp_state *st)
{
	char *v = rp_state_take_violation(st);

	ck_assert_msg(v == NULL, "unexpected violation: %s", v);
}

/* The invariant code rp_check() reports (0 when it passes). */
static int
check_code(const struct rp_state *st, char **msg)
{
	GError *err = NULL;
	int code = 0;

	if (!rp_check(st, &err)) {
		code = err->code;
		if (msg != NULL)
			*msg = g_strdup(err->message);
	}
	g_clear_error(&err);
	return code;
}

static enum rp_owner_kind
sinfo_owner(struct rp_state *st, unsigned sock)
{
	struct rp_sock_info in;

	ck_assert_int_eq(rp_sock_info(st, sock, &in), 0);
	return in.owner;
}

static struct rp_sock *
sock_of(struct rp_state *st, int fd)
{
	return st->socks->pdata[rp_fd_sock(st, 0, fd)];
}

/* A new reuseport TCP listener at PORT, as the model's socket. */
static struct rp_sock *
listener(struct rp_state *st)
{
	return sock_of(st, tu_reuse_sock(st, 0, RP_AF_INET, RP_SOCK_STREAM, 1,
	    PORT));
}

/* A new TCP socket, not bound, as the model's socket. */
static struct rp_sock *
new_sock(struct rp_state *st)
{
	int fd = rp_socket(st, 0, RP_AF_INET, RP_SOCK_STREAM, 0);

	ck_assert_int_ge(fd, 0);
	return sock_of(st, fd);
}

/* Check that the recorded violation names clause (I12, I13) and, unless
 * NULL, contains text; it is taken and freed. */
static void
expect_violation(struct rp_state *st, const char *clause, const char *text)
{
	g_autofree char *v = take_violation(st);

	ck_assert_msg(strstr(v, clause) != NULL, "want %s, got %s", clause, v);
	ck_assert_msg(text == NULL || strstr(v, text) != NULL,
	    "want '%s' in %s", text, v);
}

/* Run op (rp_lock, rp_rcu_read_unlock, ...) as thread tid, then go back
 * to thread 0. */
static void
as_thread(struct rp_state *st, unsigned tid, void (*op)(struct rp_state *))
{
	rp_state_set_thread(st, tid);
	op(st);
	rp_state_set_thread(st, 0);
}

/* As as_thread(), for sk's callback lock (rp_cb_lock, rp_cb_unlock). */
static void
as_thread_cb(struct rp_state *st, unsigned tid,
    void (*op)(struct rp_state *, struct rp_sock *), struct rp_sock *sk)
{
	rp_state_set_thread(st, tid);
	op(st, sk);
	rp_state_set_thread(st, 0);
}

/* Update slot idx of map with the socket of fd, as process 0. */
static int
update(struct rp_state *st, int map, uint32_t idx, int fd, uint64_t flags)
{
	return rp_map_update(st, 0, map, idx, (uint64_t)fd, flags);
}

/* A recorded scheduling point. */
struct point {
	enum rp_sched_point	pt;
	unsigned		obj;
};

struct trace {
	GArray		*pts;
	unsigned	sa, sb;		/* printed as "a" and "b" */
};

static void
record_point(void *ud, enum rp_sched_point pt, unsigned obj)
{
	struct trace *t = ud;
	struct point p = { pt, obj };

	g_array_append_val(t->pts, p);
}

/* "lock cb_lock:a cb_unlock:a unlock" */
static char *
trace_str(const struct trace *t)
{
	GString *s = g_string_new(NULL);

	for (guint i = 0; i < t->pts->len; i++) {
		const struct point *p = &g_array_index(t->pts, struct point, i);

		if (s->len > 0)
			g_string_append_c(s, ' ');
		g_string_append(s, rp_sched_point_name(p->pt));
		if (p->pt != RP_SP_CB_LOCK && p->pt != RP_SP_CB_UNLOCK)
			continue;
		if (p->obj == t->sa || p->obj == t->sb)
			g_string_append(s, p->obj == t->sa ? ":a" : ":b");
		else
			g_string_append_printf(s, ":%u", p->obj);
	}
	return g_string_free(s, FALSE);
}

/* Check the points recorded since the last call against want, then
 * forget them. */
static void
assert_trace(struct trace *t, const char *want)
{
	g_autofree char *got = trace_str(t);

	ck_assert_msg(strcmp(got, want) == 0, "points\n  got  '%s'\n  want '%s'",
	    got, want);
	g_array_set_size(t->pts, 0);
}

/* A state with a tracing hook installed; map = 4-slot sockarray. */
struct lfx {
	struct rp_state	*st;
	struct trace	t;
	int		map;
	int		a, b;		/* listeners at PORT */
	unsigned	sa, sb;		/* their socket ids */
};

static void
lfx_init(struct lfx *f, int prof)
{
	f->st = tu_state_row(prof);
	f->t.pts = g_array_new(FALSE, TRUE, sizeof(struct point));
	f->map = tu_sockarray(f->st, 0, 8, 4);
	f->a = tu_reuse_sock(f->st, 0, RP_AF_INET, RP_SOCK_STREAM, 1, PORT);
	f->b = tu_reuse_sock(f->st, 0, RP_AF_INET, RP_SOCK_STREAM, 1, PORT);
	f->sa = rp_fd_sock(f->st, 0, f->a);
	f->sb = rp_fd_sock(f->st, 0, f->b);
	f->t.sa = f->sa;
	f->t.sb = f->sb;
	rp_state_set_sched(f->st, record_point, &f->t);
}

static void
lfx_done(struct lfx *f)
{
	rp_state_set_sched(f->st, NULL, NULL);
	assert_no_violation(f->st);
	tu_state_done(f->st);
	g_array_unref(f->t.pts);
}

/* ---------------------------------------------------------------------
 * lock/order
 */

/* R-INV-12: reuseport_lock then a callback lock is the kernel's order: no
 * violation, and both are seen as held until released. */
TU_LOOP(order_ok, "lock/order", TU_EVERY_PROFILE)
{
	struct rp_state *st = tu_state_row(_i);
	struct rp_sock *sk = listener(st);

	rp_lock(st);
	ck_assert(rp_lock_held(st));
	rp_cb_lock(st, sk);
	ck_assert(rp_cb_lock_held(st, sk));
	rp_cb_unlock(st, sk);
	ck_assert(!rp_cb_lock_held(st, sk));
	rp_unlock(st);
	ck_assert(!rp_lock_held(st));
	assert_no_violation(st);
	tu_state_done(st);
}
END_TEST

/* R-INV-12: taking reuseport_lock while holding a callback lock inverts
 * the order: recorded as I12, reported by rp_check() until taken. */
TU_LOOP(order_inverted, "lock/order", TU_EVERY_PROFILE)
{
	struct rp_state *st = tu_state_row(_i);
	struct rp_sock *sk = listener(st);
	g_autofree char *msg = NULL;

	rp_cb_lock(st, sk);
	rp_lock(st);
	rp_unlock(st);
	rp_cb_unlock(st, sk);
	ck_assert_int_eq(check_code(st, &msg), 12);
	ck_assert_ptr_nonnull(strstr(msg, "I12"));
	expect_violation(st, "I12", "reuseport_lock");
	ck_assert_ptr_null(rp_state_take_violation(st));
	tu_state_done(st);
}
END_TEST

/* R-INV-12: releasing what is not held, twice or never taken. */
TU_LOOP(unlock_not_held, "lock/order", TU_EVERY_PROFILE)
{
	struct rp_state *st = tu_state_row(_i);
	struct rp_sock *sk = listener(st);

	rp_lock(st);
	rp_unlock(st);
	rp_unlock(st);
	expect_violation(st, "I12", "does not hold");
	rp_cb_unlock(st, sk);
	expect_violation(st, "I12", "callback lock");
	/* another thread's lock */
	as_thread(st, 1, rp_lock);
	rp_unlock(st);
	expect_violation(st, "I12", NULL);
	/* the lock was cleared by the bad release */
	as_thread(st, 1, rp_unlock);
	g_free(rp_state_take_violation(st));
	tu_state_done(st);
}
END_TEST

/* R-INV-12: without a scheduler, taking a held lock can only be a
 * self-deadlock or a leaked lock: recorded as I12 (both lock kinds). */
TU_LOOP(self_deadlock, "lock/order", TU_EVERY_PROFILE)
{
	struct rp_state *st = tu_state_row(_i);
	struct rp_sock *sk = listener(st);

	rp_lock(st);
	rp_lock(st);
	rp_unlock(st);
	expect_violation(st, "I12", "self-deadlock");
	rp_cb_lock(st, sk);
	rp_cb_lock(st, sk);
	rp_cb_unlock(st, sk);
	expect_violation(st, "I12", "sk_callback_lock");
	/* cb_held counted twice; the second unlock balances it */
	rp_cb_unlock(st, sk);
	g_free(rp_state_take_violation(st));
	tu_state_done(st);
}
END_TEST

/* R-INV-12: only the first violation of a step is kept. */
TU_LOOP(first_violation_kept, "lock/order", TU_EVERY_PROFILE)
{
	struct rp_state *st = tu_state_row(_i);
	g_autofree char *v = NULL;

	rp_unlock(st);
	rp_rcu_read_unlock(st);
	v = take_violation(st);
	ck_assert_ptr_nonnull(strstr(v, "I12"));
	ck_assert_ptr_null(strstr(v, "I13"));
	ck_assert_ptr_null(rp_state_take_violation(st));
	rp_state_free(st);
}
END_TEST

/* R-INV-12: the owner word is written only under the socket's callback
 * lock (detach.c checks each write). */
TU_LOOP(owner_write_unlocked, "lock/order", TU_EVERY_PROFILE)
{
	struct rp_state *st = tu_state_row(_i);
	struct rp_sock *sk = listener(st);

	rp_owner_set(st, sk, RP_OWNER_NONE, NULL, 0);
	expect_violation(st, "I12", "owner word");
	rp_cb_lock(st, sk);
	rp_owner_set(st, sk, RP_OWNER_NONE, NULL, 0);
	rp_cb_unlock(st, sk);
	assert_no_violation(st);
	tu_state_done(st);
}
END_TEST

/* R-INV-12: a lock held at the end of a step is reported by rp_check()
 * (no lock is held between syscalls), by thread and by socket. */
TU_LOOP(held_between_steps, "lock/order", TU_EVERY_PROFILE)
{
	struct rp_state *st = tu_state_row(_i);
	struct rp_sock *sk = listener(st);
	g_autofree char *m1 = NULL, *m2 = NULL, *m3 = NULL;

	rp_lock(st);
	ck_assert_int_eq(check_code(st, &m1), 12);
	ck_assert_ptr_nonnull(strstr(m1, "reuseport_lock"));
	rp_unlock(st);
	rp_cb_lock(st, sk);
	ck_assert_int_eq(check_code(st, &m2), 12);
	ck_assert_ptr_nonnull(strstr(m2, "callback lock"));
	rp_cb_unlock(st, sk);
	rp_rcu_read_lock(st);
	ck_assert_int_eq(check_code(st, &m3), 13);
	ck_assert_ptr_nonnull(strstr(m3, "I13"));
	rp_rcu_read_unlock(st);
	assert_no_violation(st);
	tu_state_done(st);
}
END_TEST

/* ---------------------------------------------------------------------
 * lock/rcu
 */

/* R-INV-13: synchronize_rcu() inside a read-side section deadlocks in the
 * kernel: recorded as I13, and no grace period passes. */
TU_LOOP(rcu_sync_inside_reader, "lock/rcu", TU_EVERY_PROFILE)
{
	struct rp_state *st = tu_state_row(_i);

	rp_rcu_read_lock(st);
	ck_assert(rp_rcu_read_held(st));
	rp_synchronize_rcu(st);
	rp_rcu_read_unlock(st);
	/* reported as the caller's own section, not as another reader */
	expect_violation(st, "I13", "calls synchronize_rcu() inside");
	ck_assert(rp_rcu_idle(st));
	tu_state_done(st);
}
END_TEST

/* R-RACE-1: rp_sched_locks_free() says whether every lock is free: no
 * when any thread holds reuseport_lock or a callback lock. */
TU_LOOP(sched_locks_free, "lock/asserts", TU_EVERY_PROFILE)
{
	struct rp_state *st = tu_state_row(_i);
	struct rp_sock *sk = new_sock(st);

	ck_assert(rp_sched_locks_free(st));
	as_thread_cb(st, 2, rp_cb_lock, sk);
	ck_assert(!rp_sched_locks_free(st));
	as_thread_cb(st, 2, rp_cb_unlock, sk);
	as_thread(st, 2, rp_lock);
	ck_assert(!rp_sched_locks_free(st));
	as_thread(st, 2, rp_unlock);
	ck_assert(rp_sched_locks_free(st));
	assert_no_violation(st);
	rp_state_free(st);
}
END_TEST

/* R-INV-12: a callback lock held by another thread is not ours: writing
 * the owner word under it is a violation. */
TU_LOOP(cb_lock_other_thread, "lock/asserts", TU_EVERY_PROFILE)
{
	struct rp_state *st = tu_state_row(_i);
	struct rp_sock *sk = new_sock(st);

	as_thread_cb(st, 2, rp_cb_lock, sk);
	ck_assert(!rp_cb_lock_held(st, sk));
	rp_owner_set(st, sk, RP_OWNER_NONE, NULL, 0);
	expect_violation(st, "I12", "without its callback lock");
	as_thread_cb(st, 2, rp_cb_unlock, sk);
	rp_state_free(st);
}
END_TEST

/*
 * R-RACE-1: a join holds its chosen member sk2 (the bucket lock of
 * __inet_hash() / udp_lib_get_port(), rp_join_pin()) until sk2's group has
 * the new member.  Every path that takes sk2 out of its group waits for
 * that: unhash on close, a UDP connect() that rehashes a wildcard-bound
 * socket (udp_lib_rehash(), R-DET-8) and, where the profile has it, the
 * connect() that leaves the group (udp_lib_hash4(), R-DET-10).  Without
 * a scheduler nothing can release the pin, so the wait reports a leaked
 * bucket lock: the test sees each path wait.  Over every profile row.
 */
enum join_path { JOIN_CLOSE, JOIN_REHASH, JOIN_CONNECT, JOIN_NPATHS };

TU_LOOP(join_pin_waits, "lock/join-pin", JOIN_NPATHS)
{
	const struct rp_profile *prof;
	size_t i;

	for (i = 0; (prof = rp_profile_nth(i)) != NULL; i++) {
		struct rp_state *st = rp_state_new(prof);
		struct rp_sockaddr peer = tu_addr(RP_AF_INET, 1, PORT + 1);
		int a = tu_reuse_sock(st, 0, RP_AF_INET, RP_SOCK_DGRAM,
		    _i != JOIN_REHASH, PORT);
		bool waits = _i != JOIN_CONNECT ||
		    st->prof->udp_connect_leaves_group;
		struct rp_sock *sk = sock_of(st, a);
		g_autofree char *v = NULL;

		ck_assert_ptr_nonnull(sk->reuse);
		rp_join_pin(st, sk);
		if (_i == JOIN_CLOSE)
			ck_assert_int_eq(rp_close(st, 0, a), 0);
		else
			ck_assert_int_eq(rp_connect(st, 0, a, &peer), 0);
		v = rp_state_take_violation(st);
		if (waits) {
			ck_assert_msg(v != NULL && strstr(v, "while a join "
			    "still holds it") != NULL, "%s, path %d: %s",
			    rp_profile_name(prof), _i, v != NULL ? v : "no wait");
		} else {
			ck_assert_msg(v == NULL, "%s: %s",
			    rp_profile_name(prof), v);
			ck_assert_ptr_nonnull(sk->reuse);
		}
		if (_i != JOIN_CLOSE)	/* else sk is gone */
			rp_join_unpin(st, sk);
		rp_state_free(st);
	}
}
END_TEST

/* R-INV-12, R-INV-13: the checks built into protected writes, reads and
 * frees (rp_lock_assert_held(), rp_rcu_assert_reader(),
 * rp_rcu_assert_grace()): silent when the lock or section is there, a
 * violation naming the object otherwise. */
TU_LOOP(lock_asserts, "lock/asserts", TU_EVERY_PROFILE)
{
	struct rp_state *st = tu_state_row(_i);

	rp_lock(st);
	rp_lock_assert_held(st, "a group's program");
	rp_unlock(st);
	rp_rcu_read_lock(st);
	rp_rcu_assert_reader(st, "a sockarray slot");
	rp_rcu_read_unlock(st);
	rp_rcu_assert_grace(st, "a group");
	assert_no_violation(st);

	rp_lock_assert_held(st, "a group's program");
	expect_violation(st, "I12", "a group's program without "
	    "reuseport_lock");
	/* another thread's lock is not ours */
	as_thread(st, 1, rp_lock);
	rp_lock_assert_held(st, "a sockarray slot");
	expect_violation(st, "I12", "a sockarray slot");
	as_thread(st, 1, rp_unlock);

	rp_rcu_assert_reader(st, "a sockarray slot");
	expect_violation(st, "I13", "outside an RCU read-side section");

	/* a reader on another thread: no grace period yet */
	as_thread(st, 3, rp_rcu_read_lock);
	rp_rcu_assert_grace(st, "a group");
	expect_violation(st, "I13", "a group is freed while a reader");
	as_thread(st, 3, rp_rcu_read_unlock);
	tu_state_done(st);
}
END_TEST

/* R-INV-13: leaving a section that was never entered; a grace period
 * wanted while another thread still reads (no scheduler to wait on). */
TU_LOOP(rcu_unbalanced, "lock/rcu", TU_EVERY_PROFILE)
{
	struct rp_state *st = tu_state_row(_i);

	rp_rcu_read_unlock(st);
	expect_violation(st, "I13", NULL);
	as_thread(st, 2, rp_rcu_read_lock);
	ck_assert(!rp_rcu_read_held(st));
	ck_assert(!rp_rcu_idle(st));
	rp_synchronize_rcu(st);
	expect_violation(st, "I13", NULL);
	as_thread(st, 2, rp_rcu_read_unlock);
	ck_assert(rp_rcu_idle(st));
	tu_state_done(st);
}
END_TEST

static void
count_cb(struct rp_state *st, void *obj)
{
	(void)st;
	(*(int *)obj)++;
}

/* R-INV-13 R-GRP-10: deferred frees wait for every reader: a callback
 * queued while a reader is inside runs only once no thread reads. */
TU_LOOP(rcu_deferred, "lock/rcu", TU_EVERY_PROFILE)
{
	struct rp_state *st = tu_state_row(_i);
	int ran = 0;

	as_thread(st, 3, rp_rcu_read_lock);
	rp_call_rcu(st, count_cb, &ran);
	rp_state_quiesce(st);
	ck_assert_int_eq(ran, 0);
	as_thread(st, 3, rp_rcu_read_unlock);
	rp_state_quiesce(st);
	ck_assert_int_eq(ran, 1);
	/* synchronize_rcu() is a grace period too */
	rp_call_rcu(st, count_cb, &ran);
	rp_synchronize_rcu(st);
	ck_assert_int_eq(ran, 2);
	assert_no_violation(st);
	rp_state_free(st);
}
END_TEST

/* ---------------------------------------------------------------------
 * lock/sched: the points of the model's operations
 */

/* R-UPD-7 R-UPD-9 R-UPD-10 R-INV-12: an update takes reuseport_lock, then
 * the new socket's callback lock (publish), releases it, and for a
 * replacement takes and releases the old occupant's callback lock, all
 * before releasing reuseport_lock.  A failing pre-check takes nothing. */
TU_LOOP(sched_update, "lock/sched", TU_EVERY_PROFILE)
{
	struct lfx f;

	lfx_init(&f, _i);
	ck_assert_int_eq(update(f.st, f.map, 0, f.a, RP_BPF_ANY), 0);
	assert_trace(&f.t, "lock cb_lock:a cb_unlock:a unlock");
	ck_assert_int_eq(update(f.st, f.map, 0, f.b, RP_BPF_EXIST), 0);
	assert_trace(&f.t, "lock cb_lock:b cb_unlock:b cb_lock:a cb_unlock:a "
	    "unlock");
	ck_assert_int_eq(update(f.st, f.map, 0, f.a, RP_BPF_NOEXIST), -EEXIST);
	assert_trace(&f.t, "");
	lfx_done(&f);
}
END_TEST

/* R-DET-1 R-DET-4 R-INV-12: delete and detach (a member closing) empty
 * the slot under reuseport_lock and the socket's callback lock. */
TU_LOOP(sched_delete_detach, "lock/sched", TU_EVERY_PROFILE)
{
	struct lfx f;

	lfx_init(&f, _i);
	ck_assert_int_eq(update(f.st, f.map, 1, f.a, RP_BPF_ANY), 0);
	ck_assert_int_eq(update(f.st, f.map, 2, f.b, RP_BPF_ANY), 0);
	g_array_set_size(f.t.pts, 0);
	ck_assert_int_eq(rp_map_delete(f.st, 0, f.map, 1), 0);
	assert_trace(&f.t, "lock cb_lock:a cb_unlock:a unlock");
	ck_assert_int_eq(rp_map_delete(f.st, 0, f.map, 1), -ENOENT);
	assert_trace(&f.t, "");
	/* b's last close: detach inside reuseport_detach_sock(); with
	 * migration (5.14+) the kernel first takes and drops the lock in
	 * reuseport_stop_listen_sock() to see that migration is off */
	ck_assert_int_eq(rp_close(f.st, 0, f.b), 0);
	assert_trace(&f.t, tu_prof(_i)->migration ?
	    "lock unlock lock cb_lock:b cb_unlock:b unlock" :
	    "lock cb_lock:b cb_unlock:b unlock");
	lfx_done(&f);
}
END_TEST

/* R-FREE-2 R-FREE-3 R-INV-12 R-INV-13: freeing the map takes no
 * reuseport_lock: inside one read-side section it takes each occupant's
 * callback lock in slot order (4.19: after a synchronize_rcu()). */
TU_LOOP(sched_map_free, "lock/sched", TU_EVERY_PROFILE)
{
	struct lfx f;

	lfx_init(&f, _i);
	ck_assert_int_eq(update(f.st, f.map, 3, f.a, RP_BPF_ANY), 0);
	ck_assert_int_eq(update(f.st, f.map, 1, f.b, RP_BPF_ANY), 0);
	g_array_set_size(f.t.pts, 0);
	ck_assert_int_eq(rp_close(f.st, 0, f.map), 0);
	ck_assert_uint_eq(rp_state_settle(f.st), 1);	/* R-FREE-5 */
	assert_trace(&f.t, tu_prof(_i)->map_free_sync_rcu ?
	    "sync_rcu rcu_lock cb_lock:b cb_unlock:b cb_lock:a cb_unlock:a "
	    "rcu_unlock" :
	    "rcu_lock cb_lock:b cb_unlock:b cb_lock:a cb_unlock:a rcu_unlock");
	ck_assert_int_eq(sinfo_owner(f.st, f.sa), RP_OWNER_NONE);
	lfx_done(&f);
}
END_TEST

/* R-INV-13 R-SEL-3: a packet's selection runs inside one read-side
 * section and takes no lock. */
TU_LOOP(sched_select, "lock/sched", TU_EVERY_PROFILE)
{
	struct rp_packet pkt = { .protocol = RP_IPPROTO_TCP,
	    .src = tu_addr(RP_AF_INET, 1, 50000),
	    .dst = tu_addr(RP_AF_INET, 1, PORT) };
	struct rp_delivery d;
	struct lfx f;

	lfx_init(&f, _i);
	ck_assert_int_eq(rp_send(f.st, 0, &pkt, &d), 0);
	ck_assert_int_eq(d.outcome, RP_DELIVERED);
	assert_trace(&f.t, "rcu_lock rcu_unlock");
	lfx_done(&f);
}
END_TEST

/*
 * An explorer-style hook for a detach racing with a map free: right after
 * the detaching thread releases the socket's callback lock, thread 1
 * closes the map's last fd, which frees the map (map free takes no
 * reuseport_lock, only each occupant's callback lock).
 */
struct racer {
	struct rp_state	*st;
	unsigned	sock;		/* the detaching socket */
	int		map;		/* fd of the map to free */
	int		fired;
};

static void
free_map_after_cb_unlock(void *ud, enum rp_sched_point pt, unsigned obj)
{
	struct racer *r = ud;
	unsigned me;

	if (pt != RP_SP_CB_UNLOCK || obj != r->sock || r->fired++ > 0)
		return;
	me = rp_state_thread(r->st);
	rp_state_set_thread(r->st, 1);
	ck_assert_int_eq(rp_close(r->st, 0, r->map), 0);
	rp_state_settle(r->st);		/* the deferred free, right here */
	rp_state_set_thread(r->st, me);
}

/*
 * R-DET-1 R-FREE-3 R-INV-5: the slot is emptied inside the callback lock,
 * so a map free that runs as soon as the lock is released finds nothing
 * of the detaching socket and no violation follows.  With the planted
 * fault RP_PLANT_DETACH_SLOT_UNLOCKED (the slot written after the lock is
 * dropped) the same interleaving lets the detach write a slot of the
 * freed map, which the model reports as an I5 violation.
 * Index: profile * 2 + planted.
 */
TU_LOOP(sched_detach_race, "lock/sched", 2 * TU_EVERY_PROFILE)
{
	int prof = _i / 2;
	bool planted = _i % 2;
	struct rp_state *st = tu_state_row(prof);
	int map = tu_sockarray(st, 0, 8, 4);
	int a = tu_reuse_sock(st, 0, RP_AF_INET, RP_SOCK_STREAM, 1, PORT);
	int b = tu_reuse_sock(st, 0, RP_AF_INET, RP_SOCK_STREAM, 1, PORT);
	struct racer r = { .st = st, .sock = rp_fd_sock(st, 0, b),
	    .map = map };
	char *v;

	ck_assert_int_eq(update(st, map, 1, b, RP_BPF_ANY), 0);
	if (planted)
		rp_state_plant(st, RP_PLANT_DETACH_SLOT_UNLOCKED);
	rp_state_set_sched(st, free_map_after_cb_unlock, &r);
	ck_assert_int_eq(rp_close(st, 0, b), 0);
	rp_state_set_sched(st, NULL, NULL);
	/* planted: the map free still found b in slot 1 and took its
	 * callback lock (a second unlock point of b) */
	ck_assert_int_eq(r.fired, planted ? 2 : 1);
	ck_assert_uint_eq(rp_fd_map(st, 0, map), 0);
	v = rp_state_take_violation(st);
	if (planted) {
		ck_assert_msg(v != NULL && g_str_has_prefix(v, "I5: detach of "
		    "socket"), "want an I5 violation, got %s", v);
	} else {
		ck_assert_msg(v == NULL, "unexpected violation: %s", v);
		tu_assert_invariants(st);
	}
	g_free(v);
	(void)a;
	rp_state_free(st);
}
END_TEST

/*
 * An explorer-style hook: when the current thread blocks on a lock or a
 * reader held by thread 1, run thread 1's release (as a scheduler
 * switching threads would), then switch back.  When not_yet is set, what
 * it points at must still be false then (nothing deferred ran early).
 */
struct blocker {
	struct rp_state	*st;
	void		(*release)(struct rp_state *);
	const bool	*not_yet;
	unsigned	blocked;
	bool		inside;
};

static void
release_on_block(void *ud, enum rp_sched_point pt, unsigned obj)
{
	struct blocker *b = ud;
	unsigned me;

	(void)obj;
	if (pt != RP_SP_BLOCKED || b->inside)
		return;
	b->blocked++;
	b->inside = true;
	ck_assert(b->not_yet == NULL || !*b->not_yet);
	me = rp_state_thread(b->st);
	rp_state_set_thread(b->st, 1);
	b->release(b->st);
	rp_state_set_thread(b->st, me);
	b->inside = false;
}

/* R-INV-12: under a scheduler a held lock makes the thread wait (a
 * BLOCKED point) instead of being a violation; it gets the lock once the
 * holder releases it. */
TU_LOOP(sched_blocked, "lock/sched", TU_EVERY_PROFILE)
{
	struct rp_state *st = tu_state_row(_i);
	struct blocker b = { .st = st, .release = rp_unlock };

	as_thread(st, 1, rp_lock);
	rp_state_set_sched(st, release_on_block, &b);
	rp_lock(st);
	ck_assert_uint_eq(b.blocked, 1);
	ck_assert(rp_lock_held(st));
	rp_unlock(st);
	rp_state_set_sched(st, NULL, NULL);
	assert_no_violation(st);
	tu_state_done(st);
}
END_TEST

static void
set_freed(struct rp_state *st, void *obj)
{
	(void)st;
	*(bool *)obj = true;
}

/* R-INV-13: under a scheduler synchronize_rcu() waits (a BLOCKED point)
 * for a reader of another thread instead of reporting it, and runs the
 * deferred frees only after that reader has left. */
TU_LOOP(sched_sync_waits_for_reader, "lock/sched", TU_EVERY_PROFILE)
{
	struct rp_state *st = tu_state_row(_i);
	bool freed = false;
	/* thread 1 leaves its read-side section when thread 0 waits in
	 * synchronize_rcu(); nothing deferred has run before that */
	struct blocker b = { .st = st, .release = rp_rcu_read_unlock,
	    .not_yet = &freed };

	as_thread(st, 1, rp_rcu_read_lock);
	rp_call_rcu(st, set_freed, &freed);
	rp_state_set_sched(st, release_on_block, &b);
	rp_synchronize_rcu(st);
	ck_assert_uint_eq(b.blocked, 1);
	ck_assert(freed);
	rp_state_set_sched(st, NULL, NULL);
	assert_no_violation(st);
	tu_state_done(st);
}
END_TEST

/* ---------------------------------------------------------------------
 * lock/public: no lock survives a public call
 */

/* Depth bookkeeping over a hook's points, plus the order rule. */
struct depth {
	int	lock, cb, rcu;
	bool	order_bad;
};

static void
track_depth(void *ud, enum rp_sched_point pt, unsigned obj)
{
	struct depth *d = ud;

	(void)obj;
	switch (pt) {
	case RP_SP_LOCK:
		if (d->cb > 0)
			d->order_bad = true;
		d->lock++;
		break;
	case RP_SP_UNLOCK:
		d->lock--;
		break;
	case RP_SP_CB_LOCK:
		d->cb++;
		break;
	case RP_SP_CB_UNLOCK:
		d->cb--;
		break;
	case RP_SP_RCU_LOCK:
		d->rcu++;
		break;
	case RP_SP_RCU_UNLOCK:
		d->rcu--;
		break;
	default:
		break;
	}
}

static void
assert_quiet(struct rp_state *st, const struct depth *d, const char *what)
{
	char *v = rp_state_take_violation(st);

	ck_assert_msg(v == NULL, "%s: violation %s", what, v);
	ck_assert_msg(d->lock == 0 && d->cb == 0 && d->rcu == 0 &&
	    !d->order_bad, "%s: lock %d cb %d rcu %d order %d", what,
	    d->lock, d->cb, d->rcu, d->order_bad);
	ck_assert_msg(!rp_lock_held(st), "%s: reuseport_lock held", what);
	ck_assert_msg(rp_rcu_idle(st), "%s: RCU reader left", what);
	for (guint i = 1; i < st->socks->len; i++) {
		struct rp_sock *sk = st->socks->pdata[i];

		ck_assert_msg(sk == NULL || sk->cb_holder == 0,
		    "%s: callback lock of socket %u held", what, i);
	}
	tu_assert_invariants(st);
}

/*
 * R-INV-12 R-INV-13: after every public call of a scenario touching every
 * locking path (create, bind, listen, update, replace, lookup, delete,
 * attach, traffic, migration, detach, map free, teardown) no lock is
 * held, no reader is left, the hook saw balanced points and never
 * reuseport_lock taken under a callback lock.
 */
TU_LOOP(public_calls_release, "lock/public", TU_EVERY_PROFILE)
{
	struct rp_state *st = tu_state_row(_i);
	struct depth d = { 0 };
	struct rp_cbpf cb = { .k = 1 };
	struct rp_packet pkt = { .protocol = RP_IPPROTO_TCP,
	    .src = tu_addr(RP_AF_INET, 1, 50000),
	    .dst = tu_addr(RP_AF_INET, 1, PORT), .conn = RP_CONN_REQUEST };
	struct rp_delivery dl;
	int map, a, b, c, u;
	uint64_t v;

	rp_state_set_sched(st, track_depth, &d);
	map = tu_sockarray(st, 0, 8, 4);
	assert_quiet(st, &d, "map create");
	a = tu_reuse_sock(st, 0, RP_AF_INET, RP_SOCK_STREAM, 1, PORT);
	b = tu_reuse_sock(st, 0, RP_AF_INET, RP_SOCK_STREAM, 1, PORT);
	c = tu_reuse_sock(st, 0, RP_AF_INET, RP_SOCK_STREAM, 1, PORT);
	u = tu_reuse_sock(st, 0, RP_AF_INET6, RP_SOCK_DGRAM, 1, PORT);
	assert_quiet(st, &d, "listen/bind");
	ck_assert_int_eq(update(st, map, 0, a, RP_BPF_ANY), 0);
	ck_assert_int_eq(update(st, map, 0, b, RP_BPF_ANY), 0);
	ck_assert_int_eq(update(st, map, 1, b, RP_BPF_ANY), -EBUSY);
	ck_assert_int_eq(update(st, map, 2, u, RP_BPF_ANY), 0);
	ck_assert_int_eq(update(st, map, 3, c, RP_BPF_ANY), 0);
	assert_quiet(st, &d, "update");
	ck_assert_int_eq(rp_map_lookup(st, 0, map, 0, &v, 0), 0);
	ck_assert_int_eq(rp_map_delete(st, 0, map, 2), 0);
	assert_quiet(st, &d, "lookup/delete");
	ck_assert_int_eq(rp_attach_cbpf(st, 0, a, &cb), 0);
	ck_assert_int_eq(rp_send(st, 0, &pkt, &dl), 0);
	ck_assert_int_eq(dl.outcome, RP_DELIVERED);
	pkt.conn = RP_CONN_ESTABLISHED;
	ck_assert_int_eq(rp_send(st, 0, &pkt, &dl), 0);
	assert_quiet(st, &d, "attach/send");
	if (tu_prof(_i)->migrate_req_sysctl)
		ck_assert_int_eq(rp_sysctl_set(st, 0,
		    "net.ipv4.tcp_migrate_req", 1), 0);
	ck_assert_int_eq(rp_shutdown(st, 0, b, RP_SHUT_RDWR), 0);
	assert_quiet(st, &d, "shutdown (migration)");
	ck_assert_int_ge(rp_requests_timer(st, 0), 0);
	ck_assert_int_ge(rp_requests_ack(st, 0), 0);
	assert_quiet(st, &d, "requests");
	ck_assert_int_eq(rp_close(st, 0, c), 0);
	ck_assert_int_eq(rp_close(st, 0, b), 0);
	assert_quiet(st, &d, "close members");
	ck_assert_int_eq(update(st, map, 3, a, RP_BPF_ANY), 0);
	ck_assert_int_eq(rp_close(st, 0, map), 0);
	assert_quiet(st, &d, "map free");
	rp_state_free(st);
}
END_TEST

/* ---------------------------------------------------------------------
 * Suite
 */


TU_MAIN("lock")
