/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * check_fiber.c - the coroutines of the scheduler (sim/core/fiber.c):
 * resume and yield hand control back and forth in order, locals survive
 * a switch (callee-saved registers and the stack are the fiber's own),
 * floating point state too, a fiber ends, and many fibers interleave.
 */
#include <string.h>

#include "core/fiber.h"
#include "testutil.h"

typedef struct {
	GString	*log;
	int	 n;
} Ping;

static void
ping(void *arg)
{
	Ping *p = arg;
	volatile long keep = 12345;	/* lives on the fiber's stack */
	double x = 1.5;

	for (int i = 0; i < p->n; i++) {
		g_string_append_printf(p->log, "f%d ", i);
		x *= 2.0;
		sim_fiber_yield();
		ck_assert_int_eq(keep, 12345);
	}
	ck_assert(x == 1.5 * (1 << p->n));
	g_string_append(p->log, "end");
}

TU_NAMED(t_order, "fiber/order", "fiber", 0)
{
	Ping p = { g_string_new(NULL), 3 };
	g_autoptr(SimFiber) f = sim_fiber_new(ping, &p);

	for (int i = 0; !sim_fiber_finished(f); i++) {
		g_string_append_printf(p.log, "m%d ", i);
		sim_fiber_resume(f);
	}
	ck_assert_str_eq(p.log->str, "m0 f0 m1 f1 m2 f2 m3 end");
	g_string_free(p.log, TRUE);
}

/* Deep frames on a fiber's stack: recursion across switches. */
static int
depth(int n)
{
	char buf[256];

	memset(buf, n & 0xff, sizeof(buf));
	if (n == 0) {
		sim_fiber_yield();
		return buf[0];
	}
	return depth(n - 1) + (buf[17] == (char)(n & 0xff) ? 1 : 0);
}

static void
deep(void *arg)
{
	*(int *)arg = depth(500);
}

TU_NAMED(t_deep, "fiber/deep-stack", "fiber", 0)
{
	int r = -1;
	g_autoptr(SimFiber) f = sim_fiber_new(deep, &r);

	sim_fiber_resume(f);	/* down to the bottom, yields there */
	ck_assert_int_eq(r, -1);
	ck_assert(!sim_fiber_finished(f));
	sim_fiber_resume(f);
	ck_assert(sim_fiber_finished(f));
	ck_assert_int_eq(r, 500);
}

/* Ten fibers, round robin: each sees its own counter. */
typedef struct {
	int	id;
	int	steps;
	GArray	*trace;
} Many;

static void
many(void *arg)
{
	Many *m = arg;

	for (int i = 0; i < m->steps; i++) {
		int v = m->id * 100 + i;

		g_array_append_val(m->trace, v);
		sim_fiber_yield();
	}
}

TU_NAMED(t_many, "fiber/round-robin", "fiber", 0)
{
	g_autoptr(GArray) trace = g_array_new(FALSE, FALSE, sizeof(int));
	Many m[10];
	SimFiber *f[10];
	gboolean left = TRUE;

	for (int i = 0; i < 10; i++) {
		m[i] = (Many){ i, i + 1, trace };
		f[i] = sim_fiber_new(many, &m[i]);
	}
	while (left) {
		left = FALSE;
		for (int i = 0; i < 10; i++)
			if (!sim_fiber_finished(f[i])) {
				sim_fiber_resume(f[i]);
				left = TRUE;
			}
	}
	/* 1 + 2 + ... + 10 records, the first round 0, 100, ..., 900 */
	ck_assert_uint_eq(trace->len, 55);
	for (int i = 0; i < 10; i++)
		ck_assert_int_eq(g_array_index(trace, int, i), i * 100);
	ck_assert_int_eq(g_array_index(trace, int, 54), 909);
	for (int i = 0; i < 10; i++)
		sim_fiber_free(f[i]);
	ck_assert_str_ne(sim_fiber_switcher(), "");
}

/* A fiber freed before it ends (its frames own nothing). */
TU_NAMED(t_free_suspended, "fiber/free-suspended", "fiber", 0)
{
	Ping p = { g_string_new(NULL), 5 };
	SimFiber *f = sim_fiber_new(ping, &p);

	sim_fiber_resume(f);
	sim_fiber_resume(f);
	ck_assert(!sim_fiber_finished(f));
	sim_fiber_free(f);
	ck_assert_str_eq(p.log->str, "f0 f1 ");
	g_string_free(p.log, TRUE);
}

TU_MAIN("fiber")
