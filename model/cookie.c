/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * cookie.c - socket cookies (sock_gen_cookie(), net/core/sock_diag.c and
 * include/linux/cookie.h).  A cookie is generated the first time anyone asks
 * for it and never changes afterwards.
 *
 * 4.19: one 64-bit counter per network namespace (net->cookie_gen), so each
 * namespace counts 1, 2, 3 ... on its own.  5.10+ (and the 6.18 profile):
 * gen_cookie_next() with per-CPU batches of COOKIE_LOCAL_BATCH (4096) taken
 * from a shared forward counter; the CPU is the state's simulated CPU.  The
 * nested (interrupt) path that counts down from 2^64-1 is not reachable in
 * the model, which has no interrupts.
 */
#include "rp-int.h"

/* gen_cookie_next(): the next value for the current simulated CPU. */
static uint64_t
gen_cookie_next_percpu(struct rp_state *st)
{
	uint64_t *last = &st->cookie_last[st->cpu];

	/* KERNEL: gen_cookie_next(): a fresh batch when last % 4096 == 0 */
	if (*last % RP_COOKIE_BATCH == 0) {
		RP_TESTCASE(*last != 0);
		st->cookie_fwd += RP_COOKIE_BATCH;
		*last = st->cookie_fwd - RP_COOKIE_BATCH;
	}
	return ++*last;
}

static uint64_t
gen_cookie_next(struct rp_state *st, struct rp_sock *sk)
{
	if (st->prof->cookie_gen == RP_COOKIE_PER_NETNS)
		return ++sk->net->cookie_gen;
	return gen_cookie_next_percpu(st);
}

/*
 * __sock_gen_cookie(): sk's cookie, generating it on first use.  The
 * compare-and-swap of the kernel cannot lose in a model without
 * preemption between read and swap, so one generation suffices in every
 * profile (R-COOK-2).  Cannot fail.
 */
uint64_t
rp_sock_gen_cookie(struct rp_state *st, struct rp_sock *sk)
{
	rp_read_sock(st, sk);
	rp_read(st, RP_OBJ_KEY(RP_OC_GLOBAL, 0));
	if (sk->cookie != 0)
		return sk->cookie;
	sk->cookie = gen_cookie_next(st, sk);
	rp_emit(st, &(struct rp_event){ .kind = RP_EV_COOKIE, .sock = sk->id,
	    .val = sk->cookie });
	return sk->cookie;
}
