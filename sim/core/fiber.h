/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * fiber.h - coroutines for the scheduler (fiber.c): a function that runs
 * on a stack of its own and hands control back and forth with the
 * fiber that resumed it, without the operating system.
 *
 * The scheduler runs each thread block of a scenario on a fiber: only one
 * runs at a time, so the model stays single-threaded, and a switch costs
 * a few nanoseconds (a handful of saved registers) instead of a wake-up
 * of an OS thread.  On x86-64 the switch is a few lines of assembly;
 * elsewhere it is <ucontext.h>.  Under AddressSanitizer every
 * switch is announced (__sanitizer_start_switch_fiber()), and under
 * valgrind every stack is registered (VALGRIND_STACK_REGISTER), so both
 * follow the stacks.
 *
 * Ownership: sim_fiber_new() returns a fiber the caller frees with
 * sim_fiber_free(); a fiber may be freed whether its function returned or
 * not, but whatever the frames left on its stack own is then lost, so
 * callers let a fiber finish first (sched.c drains its threads).
 */
#ifndef SIM_CORE_FIBER_H
#define SIM_CORE_FIBER_H

#include <glib.h>

G_BEGIN_DECLS

typedef struct SimFiber SimFiber;

typedef void (*SimFiberFn)(void *arg);

SimFiber	*sim_fiber_new(SimFiberFn fn, void *arg);
void		 sim_fiber_free(SimFiber *f);
void		 sim_fiber_resume(SimFiber *f);
void		 sim_fiber_yield(void);
gboolean	 sim_fiber_finished(const SimFiber *f);
const char	*sim_fiber_switcher(void);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(SimFiber, sim_fiber_free)

G_END_DECLS

#endif /* SIM_CORE_FIBER_H */
