/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * fiber.c - coroutines (fiber.h): asymmetric, a fiber runs until it
 * yields back to the code that resumed it.
 *
 * A fiber has a stack of its own, mapped with a guard page below it so an
 * overflow faults instead of writing over the heap.  The switch saves the
 * callee-saved registers and the floating-point control words on the old
 * stack, stores the stack pointer and loads the other one (x86-64, System
 * V ABI: rbx, rbp, r12-r15, MXCSR, the x87 control word).  A new stack is
 * laid out as if the switch had saved it at the entry of a trampoline,
 * which calls sim_fiber_entry() with the fiber in r12.  On other machines
 * swapcontext() does the same, at the price of a sigprocmask() system
 * call per switch.
 *
 * AddressSanitizer keeps shadow state per stack: every switch tells it
 * the stack it goes to (start) and learns the one it came from (finish);
 * a fiber that ends says so by passing no fake-stack slot.  valgrind
 * learns every stack from VALGRIND_STACK_REGISTER, or it would take the
 * switch for a huge stack-pointer change.
 */
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "core/fiber.h"

#if defined(__x86_64__) && defined(__ELF__)
#define FIBER_ASM 1
#else
#include <ucontext.h>
#endif

#if defined(__SANITIZE_ADDRESS__)
#define FIBER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define FIBER_ASAN 1
#endif
#endif

#ifdef FIBER_ASAN
#include <sanitizer/common_interface_defs.h>
#endif

#if defined(__has_include)
#if __has_include(<valgrind/valgrind.h>)
#include <valgrind/valgrind.h>
#define FIBER_VALGRIND 1
#endif
#endif

/* Room for the executor, the model and GLib's printf under ASan, whose
 * frames are several times larger; only the pages touched are used. */
#define FIBER_STACK	(1024u * 1024u)

struct SimFiber {
	SimFiberFn	 fn;
	void		*arg;
	char		*map;		/* guard page, then the stack */
	size_t		 map_len;
	char		*stack;		/* lowest address of the stack */
	size_t		 stack_len;
	gboolean	 running;
	gboolean	 finished;
	SimFiber	*resumer;	/* the fiber that resumed it, or NULL */
#ifdef FIBER_ASM
	void		*sp;		/* saved while switched out */
	void		*resumer_sp;
#else
	ucontext_t	 ctx;
	ucontext_t	 resumer_ctx;
#endif
#ifdef FIBER_ASAN
	void		*fake_stack;
	const void	*resumer_bottom;
	size_t		 resumer_size;
#endif
#ifdef FIBER_VALGRIND
	unsigned	 vg_id;
#endif
};

/* The fiber running on this OS thread, NULL on the thread's own stack. */
static __thread SimFiber *current;

#ifdef FIBER_ASM
/* void sim_fiber_switch_regs(void **save_sp, void *load_sp) */
void sim_fiber_switch_regs(void **save_sp, void *load_sp);
void sim_fiber_trampoline(void);
__asm__(
    ".pushsection .text\n"
    ".p2align 4\n"
    ".type sim_fiber_switch_regs, @function\n"
    "sim_fiber_switch_regs:\n"
    "	pushq %rbp\n"
    "	pushq %rbx\n"
    "	pushq %r12\n"
    "	pushq %r13\n"
    "	pushq %r14\n"
    "	pushq %r15\n"
    "	subq $8, %rsp\n"
    "	stmxcsr (%rsp)\n"
    "	fnstcw 4(%rsp)\n"
    "	movq %rsp, (%rdi)\n"
    "	movq %rsi, %rsp\n"
    "	ldmxcsr (%rsp)\n"
    "	fldcw 4(%rsp)\n"
    "	addq $8, %rsp\n"
    "	popq %r15\n"
    "	popq %r14\n"
    "	popq %r13\n"
    "	popq %r12\n"
    "	popq %rbx\n"
    "	popq %rbp\n"
    "	ret\n"
    ".size sim_fiber_switch_regs, .-sim_fiber_switch_regs\n"
    ".p2align 4\n"
    ".type sim_fiber_trampoline, @function\n"
    "sim_fiber_trampoline:\n"
    "	movq %r12, %rdi\n"
    "	call sim_fiber_entry@PLT\n"
    "	ud2\n"
    ".size sim_fiber_trampoline, .-sim_fiber_trampoline\n"
    ".popsection\n");
#endif

void sim_fiber_entry(SimFiber *f);

/* Leave the running fiber for its resumer; dying: it never comes back. */
static void
switch_out(SimFiber *f, gboolean dying)
{
#ifdef FIBER_ASAN
	__sanitizer_start_switch_fiber(dying ? NULL : &f->fake_stack,
	    f->resumer_bottom, f->resumer_size);
#else
	(void)dying;
#endif
	current = f->resumer;
#ifdef FIBER_ASM
	sim_fiber_switch_regs(&f->sp, f->resumer_sp);
#else
	swapcontext(&f->ctx, &f->resumer_ctx);
#endif
	/* resumed again */
#ifdef FIBER_ASAN
	__sanitizer_finish_switch_fiber(f->fake_stack, &f->resumer_bottom,
	    &f->resumer_size);
#endif
}

/* The first frame of every fiber. */
void
sim_fiber_entry(SimFiber *f)
{
#ifdef FIBER_ASAN
	__sanitizer_finish_switch_fiber(NULL, &f->resumer_bottom,
	    &f->resumer_size);
#endif
	f->fn(f->arg);
	f->finished = TRUE;
	switch_out(f, TRUE);
	g_assert_not_reached();	/* LCOV_EXCL_LINE */
}

#ifndef FIBER_ASM
static __thread SimFiber *starting;

static void
fiber_start_uc(void)
{
	sim_fiber_entry(starting);
}
#endif

/* A fiber that will run fn(arg) when first resumed.  Aborts when no
 * stack can be mapped, as g_malloc() does when memory runs out. */
SimFiber *
sim_fiber_new(SimFiberFn fn, void *arg)
{
	SimFiber *f = g_new0(SimFiber, 1);
	size_t page = (size_t)sysconf(_SC_PAGESIZE);

	f->fn = fn;
	f->arg = arg;
	f->map_len = FIBER_STACK + page;
	f->map = mmap(NULL, f->map_len, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (f->map == MAP_FAILED)
		g_error("cannot map a fiber stack");	/* LCOV_EXCL_LINE */
	if (mprotect(f->map, page, PROT_NONE) != 0)
		g_error("cannot protect a fiber stack");	/* LCOV_EXCL_LINE */
	f->stack = f->map + page;
	f->stack_len = FIBER_STACK;
#ifdef FIBER_VALGRIND
	f->vg_id = VALGRIND_STACK_REGISTER(f->stack, f->stack + f->stack_len);
#endif
#ifdef FIBER_ASM
	{
		/* as sim_fiber_switch_regs() leaves a stack: control words, r15, r14,
		 * r13, r12 = f, rbx, rbp, return to the trampoline; rsp is
		 * 16-aligned after that return, as at a call */
		uintptr_t top = ((uintptr_t)(f->stack + f->stack_len)) &
		    ~(uintptr_t)15;
		uint64_t *sp = (uint64_t *)(top - 80);
		uint32_t mxcsr = 0x1f80;
		uint16_t fpucw = 0x037f;

		memset(sp, 0, 80);
		memcpy(&sp[0], &mxcsr, sizeof(mxcsr));
		memcpy((char *)&sp[0] + 4, &fpucw, sizeof(fpucw));
		sp[4] = (uint64_t)(uintptr_t)f;
		sp[7] = (uint64_t)(uintptr_t)sim_fiber_trampoline;
		f->sp = sp;
	}
#else
	if (getcontext(&f->ctx) != 0)
		g_error("getcontext failed");	/* LCOV_EXCL_LINE */
	f->ctx.uc_stack.ss_sp = f->stack;
	f->ctx.uc_stack.ss_size = f->stack_len;
	f->ctx.uc_link = NULL;
	makecontext(&f->ctx, fiber_start_uc, 0);
#endif
	return f;
}

/* Free f, which must not be running.  NULL is accepted. */
void
sim_fiber_free(SimFiber *f)
{
	if (f == NULL)
		return;
	g_return_if_fail(!f->running);
#ifdef FIBER_VALGRIND
	VALGRIND_STACK_DEREGISTER(f->vg_id);
#endif
	munmap(f->map, f->map_len);
	g_free(f);
}

/* Run f until it yields or its function returns.  f must not be running
 * or finished. */
void
sim_fiber_resume(SimFiber *f)
{
#ifdef FIBER_ASAN
	void *fake = NULL;
#endif

	g_return_if_fail(f != NULL && !f->running && !f->finished);
	f->resumer = current;
	f->running = TRUE;
	current = f;
#ifdef FIBER_ASAN
	__sanitizer_start_switch_fiber(&fake, f->stack, f->stack_len);
#endif
#ifdef FIBER_ASM
	sim_fiber_switch_regs(&f->resumer_sp, f->sp);
#else
	starting = f;
	swapcontext(&f->resumer_ctx, &f->ctx);
#endif
#ifdef FIBER_ASAN
	__sanitizer_finish_switch_fiber(fake, NULL, NULL);
#endif
	f->running = FALSE;
}

/* Hand control back to the resumer of the running fiber; returns when
 * it is resumed again.  Must be called on a fiber. */
void
sim_fiber_yield(void)
{
	SimFiber *f = current;

	g_return_if_fail(f != NULL);
	switch_out(f, FALSE);
}

/* Whether f's function has returned. */
gboolean
sim_fiber_finished(const SimFiber *f)
{
	return f->finished;
}

/* How fibers switch in this build, for the benchmark's report. */
const char *
sim_fiber_switcher(void)
{
#ifdef FIBER_ASM
	return "x86-64 register switch";
#else
	return "swapcontext()";
#endif
}
