/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * state.c - the simulated kernel as a whole: namespaces, processes and
 * their fd tables, struct file reference counting, the observer, deferred
 * (RCU) frees and the read-only queries of rp.h.
 */
#include <errno.h>
#include <stdarg.h>
#include <string.h>

#include "rp-int.h"

/* ---------------------------------------------------------------------
 * Observer
 */

/* Hand ev to the observer, if any.  Cannot fail. */
void
rp_emit(struct rp_state *st, const struct rp_event *ev)
{
	/* the checker's marks: lock and RCU events only flag their thread;
	 * rules, runs and selections write nothing */
	if (st->chk != NULL) {
		if (RP_CHK_THREAD_EVENTS & (UINT64_C(1) << ev->kind))
			st->chk_threads |= 1u << st->tid;
		else if (!(RP_CHK_QUIET_EVENTS & (UINT64_C(1) << ev->kind)))
			rp_chk_event(st, ev);
	}
	if (st->obs != NULL && st->obs->event != NULL)
		st->obs->event(st->obs_ud, ev);
}

/* Report that check `rule` decided the result err; returns err. */
int
rp_rule(struct rp_state *st, const char *rule, int err)
{
	rp_emit(st, &(struct rp_event){ .kind = RP_EV_RULE, .rule = rule,
	    .err = err });
	return err;
}

/* Report a historical kernel defect reproduced by the profile. */
void
rp_known_defect(struct rp_state *st, const char *what, unsigned sock)
{
	rp_emit(st, &(struct rp_event){ .kind = RP_EV_KNOWN_DEFECT,
	    .what = what, .sock = sock });
}

/* Record a lock-discipline violation (kept until taken). */
void
rp_violation(struct rp_state *st, const char *fmt, ...)
{
	va_list ap;

	if (st->violation != NULL)
		return;		/* keep the first */
	va_start(ap, fmt);
	st->violation = g_strdup_vprintf(fmt, ap);
	va_end(ap);
}

char *
rp_state_take_violation(struct rp_state *st)
{
	char *v;

	g_return_val_if_fail(st != NULL, NULL);
	v = st->violation;
	st->violation = NULL;
	return v;
}

const char *
rp_event_kind_name(enum rp_event_kind k)
{
	static const char *const names[] = {
		[RP_EV_SOCK_NEW] = "sock_new",
		[RP_EV_SOCK_STATE] = "sock_state",
		[RP_EV_SOCK_HASH] = "sock_hash",
		[RP_EV_SOCK_UNHASH] = "sock_unhash",
		[RP_EV_SOCK_FREE] = "sock_free",
		[RP_EV_OWNER_SET] = "owner_set",
		[RP_EV_OWNER_CLEAR] = "owner_clear",
		[RP_EV_OWNER_FOREIGN] = "owner_foreign",
		[RP_EV_SLOT_SET] = "slot_set",
		[RP_EV_SLOT_CLEAR] = "slot_clear",
		[RP_EV_GROUP_NEW] = "group_new",
		[RP_EV_GROUP_ID] = "group_id",
		[RP_EV_GROUP_ADD] = "group_add",
		[RP_EV_GROUP_DEL] = "group_del",
		[RP_EV_GROUP_MOVE] = "group_move",
		[RP_EV_GROUP_CLOSE] = "group_close",
		[RP_EV_GROUP_GROW] = "group_grow",
		[RP_EV_GROUP_PROG] = "group_prog",
		[RP_EV_GROUP_FREE] = "group_free",
		[RP_EV_COOKIE] = "cookie",
		[RP_EV_LOCK] = "lock",
		[RP_EV_UNLOCK] = "unlock",
		[RP_EV_CB_LOCK] = "cb_lock",
		[RP_EV_CB_UNLOCK] = "cb_unlock",
		[RP_EV_RCU_LOCK] = "rcu_lock",
		[RP_EV_RCU_UNLOCK] = "rcu_unlock",
		[RP_EV_RCU_SYNC] = "rcu_sync",
		[RP_EV_MAP_NEW] = "map_new",
		[RP_EV_MAP_FREE] = "map_free",
		[RP_EV_PROG_RUN] = "prog_run",
		[RP_EV_SELECT] = "select",
		[RP_EV_MIGRATE] = "migrate",
		[RP_EV_RULE] = "rule",
		[RP_EV_KNOWN_DEFECT] = "known_defect",
	};

	if ((size_t)k < G_N_ELEMENTS(names) && names[k] != NULL)
		return names[k];
	return "?";	/* LCOV_EXCL_LINE */
}

/* ---------------------------------------------------------------------
 * State
 */

/* A namespace and its port maps (the netns table's free function, also
 * of a clone's, model/clone.c). */
void
rp_netns_free(gpointer p)
{
	struct rp_netns *net = p;

	g_ptr_array_unref(net->portmaps);
	g_free(net);
}

static struct rp_netns *
netns_new(struct rp_state *st)
{
	struct rp_netns *net = g_new0(struct rp_netns, 1);

	net->id = st->netns->len;
	net->next_port = RP_EPH_LOW;
	net->portmaps = g_ptr_array_new_with_free_func(g_free);
	g_ptr_array_add(st->netns, net);
	return net;
}

/* A new simulated kernel with namespace 0 and process 0 (root, all caps). */
struct rp_state *
rp_state_new(const struct rp_profile *prof)
{
	struct rp_state *st;

	g_return_val_if_fail(prof != NULL, NULL);
	st = g_new0(struct rp_state, 1);
	st->prof = prof;
	st->netns = g_ptr_array_new_with_free_func(rp_netns_free);
	st->procs = g_ptr_array_new();
	st->socks = g_ptr_array_new();
	st->groups = g_ptr_array_new();
	st->maps = g_ptr_array_new();
	st->progs = g_ptr_array_new();
	st->rcu_pending = g_ptr_array_new();
	st->graveyard = g_ptr_array_new();
	st->map_free_pending = g_ptr_array_new();
	st->sock_graveyard = g_ptr_array_new();
	st->memlock_used = g_hash_table_new(g_direct_hash, g_direct_equal);
	/* id 0 is "none" for sockets, groups, maps and programs */
	g_ptr_array_add(st->socks, NULL);
	g_ptr_array_add(st->groups, NULL);
	g_ptr_array_add(st->maps, NULL);
	g_ptr_array_add(st->progs, NULL);
	rp_ida_init(&st->ida);
	st->unpriv_bpf_disabled = prof->unpriv_default;
	st->kconfig_mptcp = prof->mptcp;
	/* The kernel's vmalloc refuses more than the machine's RAM (24 GiB
	 * here: max_entries 0xffffffff gives ENOMEM, 600M entries succeed).
	 * The model stops at 1 GiB of slot arrays (134M slots), so that no
	 * scenario can exhaust the host; docs/model.md lists the divergence. */
	st->kmem_limit = UINT64_C(1) << 30;
	netns_new(st);
	rp_proc_new(st, 0, 0, RP_CAP_ALL);
	return st;
}

/* Defer fn(obj) to the end of the next grace period (call_rcu()). */
void
rp_call_rcu(struct rp_state *st, void (*fn)(struct rp_state *, void *),
    void *obj)
{
	struct rp_pending *p = g_new(struct rp_pending, 1);

	p->fn = fn;
	p->obj = obj;
	g_ptr_array_add(st->rcu_pending, p);
}

/* Run every pending RCU callback.  The caller knows no reader is active. */
static void
rcu_run_pending(struct rp_state *st)
{
	while (st->rcu_pending->len > 0) {
		g_autoptr(GPtrArray) batch = st->rcu_pending;

		st->rcu_pending = g_ptr_array_new();
		for (guint i = 0; i < batch->len; i++) {
			struct rp_pending *p = batch->pdata[i];

			p->fn(st, p->obj);
			g_free(p);
		}
	}
}

void
rp_state_quiesce(struct rp_state *st)
{
	g_return_if_fail(st != NULL);
	rp_read(st, RP_OBJ_KEY(RP_OC_LOCKS, 0));	/* every reader */
	rp_read(st, RP_OBJ_KEY(RP_OC_GLOBAL, 0));
	if (rp_rcu_idle(st))
		rcu_run_pending(st);
}

/* A grace period: pending callbacks run (readers were checked by lock.c). */
void
rp_rcu_grace_period(struct rp_state *st)
{
	rcu_run_pending(st);
}

static void
proc_free(struct rp_proc *p)
{
	g_ptr_array_unref(p->fds);
	g_free(p);
}

/*
 * Tear everything down: every process closes its fds (so sockets detach
 * and maps free as in the kernel), then deferred frees run.
 */
void
rp_state_free(struct rp_state *st)
{
	if (st == NULL)
		return;
	g_clear_pointer(&st->chk, rp_chk_free);
	st->obs = NULL;
	st->sched = NULL;
	for (guint i = 0; i < st->procs->len; i++) {
		struct rp_proc *p = st->procs->pdata[i];

		for (guint fd = 0; fd < p->fds->len; fd++)
			if (p->fds->pdata[fd] != NULL)
				rp_close(st, p->id, (int)fd);
	}
	rp_state_settle(st);
	/* children still queued on listeners that never were closed */
	for (guint i = 1; i < st->socks->len; i++) {
		struct rp_sock *sk = st->socks->pdata[i];

		if (sk != NULL && !sk->dead)
			rp_sock_release(st, sk);
	}
	rp_state_settle(st);
	rcu_run_pending(st);
	g_ptr_array_unref(st->map_free_pending);
	for (guint i = 1; i < st->socks->len; i++)
		if (st->socks->pdata[i] != NULL)
			rp_sock_free_rcu(st, st->socks->pdata[i]);	/* LCOV_EXCL_LINE */
	g_ptr_array_unref(st->rcu_pending);
	for (guint i = 0; i < st->graveyard->len; i++) {
		struct rp_map *m = st->graveyard->pdata[i];

		rp_slots_clear(&m->u.slots);
		g_free(m);
	}
	g_ptr_array_unref(st->graveyard);
	for (guint i = 0; i < st->sock_graveyard->len; i++) {
		struct rp_sock *sk = st->sock_graveyard->pdata[i];

		g_free(sk->data);
		g_free(sk);
	}
	g_ptr_array_unref(st->sock_graveyard);
	rp_bpf_state_free(st);
	for (guint i = 0; i < st->procs->len; i++)
		proc_free(st->procs->pdata[i]);
	g_ptr_array_unref(st->procs);
	g_ptr_array_unref(st->socks);
	g_ptr_array_unref(st->groups);
	g_ptr_array_unref(st->maps);
	g_ptr_array_unref(st->progs);
	g_ptr_array_unref(st->netns);
	g_hash_table_unref(st->memlock_used);
	if (st->buckets != NULL)
		g_hash_table_unref(st->buckets);
	rp_ida_destroy(&st->ida);
	g_free(st->violation);
	g_free(st);
}

void
rp_state_plant(struct rp_state *st, unsigned bugs)
{
	g_return_if_fail(st != NULL);
	st->plant = bugs;
}

const struct rp_profile *
rp_state_profile(const struct rp_state *st)
{
	return st->prof;
}

void
rp_state_set_observer(struct rp_state *st, const struct rp_observer *obs,
    void *ud)
{
	st->obs = obs;
	st->obs_ud = ud;
}

void
rp_state_set_sched(struct rp_state *st, rp_sched_fn fn, void *ud)
{
	st->sched = fn;
	st->sched_ud = ud;
}

void
rp_state_set_sched_fine(struct rp_state *st, bool on)
{
	g_return_if_fail(st != NULL);
	st->sched_fine = on;
}

/* Set a build option; -EINVAL for one the profile's version lacks. */
int
rp_state_set_kconfig(struct rp_state *st, enum rp_kconfig opt, bool on)
{
	g_return_val_if_fail(st != NULL, -EINVAL);
	switch (opt) {
	case RP_KCONFIG_MPTCP:
		if (on && !st->prof->mptcp)
			return -EINVAL;
		st->kconfig_mptcp = on;
		return 0;
	default:
		g_return_val_if_reached(-EINVAL);
	}
}

bool
rp_state_kconfig(const struct rp_state *st, enum rp_kconfig opt)
{
	g_return_val_if_fail(st != NULL, false);
	switch (opt) {
	case RP_KCONFIG_MPTCP:
		return st->kconfig_mptcp;
	default:
		g_return_val_if_reached(false);
	}
}

void
rp_state_set_cpu(struct rp_state *st, unsigned cpu)
{
	g_return_if_fail(cpu < RP_NCPU_MAX);
	st->cpu = cpu;
}

unsigned
rp_state_cpu(const struct rp_state *st)
{
	return st->cpu;
}

void
rp_state_set_thread(struct rp_state *st, unsigned tid)
{
	g_return_if_fail(tid < RP_NTHREADS);
	st->tid = tid;
}

unsigned
rp_state_thread(const struct rp_state *st)
{
	return st->tid;
}

/* ---------------------------------------------------------------------
 * Namespaces and processes
 */

int
rp_netns_new(struct rp_state *st)
{
	if (st->netns->len >= RP_NPROC_MAX)
		return -ENOSPC;
	return (int)netns_new(st)->id;
}

int
rp_proc_new(struct rp_state *st, unsigned netns, uint32_t uid, uint64_t caps)
{
	struct rp_proc *p;

	if (netns >= st->netns->len)
		return -ENOENT;
	if (st->procs->len >= RP_NPROC_MAX)
		return -ENOSPC;
	p = g_new0(struct rp_proc, 1);
	p->id = st->procs->len;
	p->net = st->netns->pdata[netns];
	p->uid = uid;
	p->caps = caps;
	p->memlock_limit = 64 * 1024;	/* the classic 64 KiB default */
	p->fds = g_ptr_array_new();
	/* fds 0-2 are stdio: not modelled, never handed out */
	for (int i = 0; i < 3; i++)
		g_ptr_array_add(p->fds, NULL);
	g_ptr_array_add(st->procs, p);
	return (int)p->id;
}

struct rp_proc *
rp_proc_get(struct rp_state *st, unsigned proc)
{
	return proc < st->procs->len ? st->procs->pdata[proc] : NULL;
}

int
rp_proc_set_caps(struct rp_state *st, unsigned proc, uint64_t caps)
{
	struct rp_proc *p = rp_proc_get(st, proc);

	if (p == NULL)
		return -ESRCH;
	p->caps = caps;
	return 0;
}

int
rp_proc_set_memlock(struct rp_state *st, unsigned proc, uint64_t bytes)
{
	struct rp_proc *p = rp_proc_get(st, proc);

	if (p == NULL)
		return -ESRCH;
	p->memlock_limit = bytes;
	return 0;
}

bool
rp_capable(const struct rp_proc *p, uint64_t cap)
{
	return (p->caps & cap) != 0;
}

int
rp_sysctl_set(struct rp_state *st, unsigned netns, const char *name, long val)
{
	g_return_val_if_fail(name != NULL, -EINVAL);
	if (netns >= st->netns->len)
		return -ENOENT;
	if (strcmp(name, "net.ipv4.tcp_migrate_req") == 0) {
		/* no such sysctl before 5.14; Debian's 5.10 has the knob
		 * but no migration (measured) */
		if (!st->prof->migrate_req_sysctl)
			return -ENOENT;
		if (val < 0 || val > 1)
			return -EINVAL;
		((struct rp_netns *)st->netns->pdata[netns])->tcp_migrate_req = val;
		return 0;
	}
	if (strcmp(name, "kernel.unprivileged_bpf_disabled") == 0) {
		if (val < 0 || val > 2)
			return -EINVAL;
		/* 1 is sticky: it cannot be cleared again */
		if (st->unpriv_bpf_disabled == 1 && val != 1)
			return -EPERM;
		st->unpriv_bpf_disabled = val;
		return 0;
	}
	return -ENOENT;
}

/* ---------------------------------------------------------------------
 * Files and fds
 */

struct rp_file *
rp_file_new(enum rp_file_kind kind, void *obj)
{
	struct rp_file *f = g_new0(struct rp_file, 1);

	f->refs = 1;
	f->kind = kind;
	f->can_read = f->can_write = true;
	switch (kind) {	/* LCOV_EXCL_BR_LINE */
	case RP_FILE_SOCK:
		f->u.sk = obj;
		break;
	case RP_FILE_MAP:
		f->u.map = obj;
		break;
	case RP_FILE_PROG:
		f->u.prog = obj;
		break;
	}
	return f;
}

/* Install f at the lowest free fd >= 3; the table takes f's reference. */
int
rp_fd_install(struct rp_proc *p, struct rp_file *f)
{
	/* as the kernel's next_fd: every fd below fd_hint is taken */
	for (guint i = MAX(p->fd_hint, 3U); i < p->fds->len; i++) {
		if (p->fds->pdata[i] == NULL) {
			p->fds->pdata[i] = f;
			p->fd_hint = i + 1;
			return (int)i;
		}
	}
	if (p->fds->len >= 1024 * 1024)
		return -EMFILE;
	g_ptr_array_add(p->fds, f);
	p->fd_hint = p->fds->len;
	return (int)p->fds->len - 1;
}

/* The file behind fd with a new reference (fdget()), or NULL. */
struct rp_file *
rp_fd_get(struct rp_state *st, struct rp_proc *p, int fd)
{
	struct rp_file *f;

	if (p == NULL || fd < 0 || (guint)fd >= p->fds->len)
		return NULL;
	rp_read(st, RP_OBJ_KEY(RP_OC_PROC, p->id));
	f = p->fds->pdata[fd];
	if (f == NULL)
		return NULL;
	f->refs++;
	switch (f->kind) {	/* LCOV_EXCL_BR_LINE */
	case RP_FILE_SOCK:
		rp_read_sock(st, f->u.sk);
		break;
	case RP_FILE_MAP:
		rp_read_map(st, f->u.map);
		break;
	case RP_FILE_PROG:
		rp_read(st, RP_OBJ_KEY(RP_OC_PROG, f->u.prog->id));
		break;
	}
	return f;
}

/* Drop one reference; the last one releases the object (fput()). */
void
rp_file_put(struct rp_state *st, struct rp_file *f)
{
	g_assert(f->refs > 0);	/* LCOV_EXCL_BR_LINE */
	if (--f->refs > 0)
		return;
	switch (f->kind) {	/* LCOV_EXCL_BR_LINE */
	case RP_FILE_SOCK:
		rp_sock_release(st, f->u.sk);
		break;
	case RP_FILE_MAP:
		rp_map_put(st, f->u.map);
		break;
	case RP_FILE_PROG:
		rp_prog_put(st, f->u.prog);
		break;
	}
	g_free(f);
}

int
rp_fd_dup(struct rp_state *st, unsigned proc, int fd)
{
	struct rp_proc *p = rp_proc_get(st, proc);
	struct rp_file *f = rp_fd_get(st, p, fd);
	int nfd;

	if (f == NULL)
		return p == NULL ? -ESRCH : -EBADF;
	nfd = rp_fd_install(p, f);
	if (nfd < 0)
		rp_file_put(st, f);	/* LCOV_EXCL_LINE */
	return nfd;
}

/* SCM_RIGHTS: the same struct file gets a new fd in process `to`. */
int
rp_fd_pass(struct rp_state *st, unsigned from, int fd, unsigned to)
{
	struct rp_proc *p = rp_proc_get(st, from);
	struct rp_proc *q = rp_proc_get(st, to);
	struct rp_file *f;
	int nfd;

	if (p == NULL || q == NULL)
		return -ESRCH;
	f = rp_fd_get(st, p, fd);
	if (f == NULL)
		return -EBADF;
	nfd = rp_fd_install(q, f);
	if (nfd < 0)
		rp_file_put(st, f);	/* LCOV_EXCL_LINE */
	return nfd;
}

/* close(): drop the fd's reference; only the last one releases. */
int
rp_close(struct rp_state *st, unsigned proc, int fd)
{
	struct rp_proc *p = rp_proc_get(st, proc);
	struct rp_file *f;

	if (p == NULL)
		return -ESRCH;
	if (fd < 0 || (guint)fd >= p->fds->len || p->fds->pdata[fd] == NULL)
		return -EBADF;
	f = p->fds->pdata[fd];
	p->fds->pdata[fd] = NULL;
	if ((unsigned)fd < p->fd_hint)
		p->fd_hint = (unsigned)fd;
	rp_file_put(st, f);
	rp_state_quiesce(st);
	return 0;
}

/* ---------------------------------------------------------------------
 * Socket memory
 */

/* The final free of a socket; an RCU callback for SOCK_RCU_FREE ones. */
void
rp_sock_free_rcu(struct rp_state *st, void *obj)
{
	struct rp_sock *sk = obj;

	if (sk->rcu_free)
		rp_rcu_assert_grace(st, "a SOCK_RCU_FREE socket");
	rp_emit(st, &(struct rp_event){ .kind = RP_EV_SOCK_FREE,
	    .sock = sk->id });
	st->socks->pdata[sk->id] = NULL;
	if (st->plant != 0) {
		g_ptr_array_add(st->sock_graveyard, sk);
		return;
	}
	g_free(sk->data);
	g_free(sk);
}

/* Free sk's memory now or, for SOCK_RCU_FREE sockets, after a grace period. */
void
rp_sock_free_deferred(struct rp_state *st, struct rp_sock *sk)
{
	if (sk->rcu_free)
		rp_call_rcu(st, rp_sock_free_rcu, sk);
	else
		rp_sock_free_rcu(st, sk);
}

/* ---------------------------------------------------------------------
 * Queries
 */

/* The file behind fd of proc, for read-only queries; NULL when none. */
static const struct rp_file *
fd_file(const struct rp_state *st, unsigned proc, int fd)
{
	const struct rp_proc *p = proc < st->procs->len ?
	    st->procs->pdata[proc] : NULL;

	if (p == NULL || fd < 0 || (guint)fd >= p->fds->len)
		return NULL;
	rp_read(st, RP_OBJ_KEY(RP_OC_PROC, p->id));
	return p->fds->pdata[fd];
}

unsigned
rp_fd_sock(const struct rp_state *st, unsigned proc, int fd)
{
	const struct rp_file *f = fd_file(st, proc, fd);

	return f != NULL && f->kind == RP_FILE_SOCK ? f->u.sk->id : 0;
}

unsigned
rp_fd_map(const struct rp_state *st, unsigned proc, int fd)
{
	const struct rp_file *f = fd_file(st, proc, fd);

	return f != NULL && f->kind == RP_FILE_MAP ? f->u.map->id : 0;
}

unsigned
rp_fd_prog(const struct rp_state *st, unsigned proc, int fd)
{
	const struct rp_file *f = fd_file(st, proc, fd);

	return f != NULL && f->kind == RP_FILE_PROG ? f->u.prog->id : 0;
}

int
rp_sock_info(const struct rp_state *st, unsigned id, struct rp_sock_info *in)
{
	const struct rp_sock *sk;

	g_return_val_if_fail(in != NULL, -EINVAL);
	rp_read(st, RP_OBJ_KEY(RP_OC_SOCK, id));
	if (id == 0 || id >= st->socks->len || st->socks->pdata[id] == NULL)
		return -ENOENT;
	sk = st->socks->pdata[id];
	rp_read_sock(st, sk);
	memset(in, 0, sizeof(*in));
	in->id = sk->id;
	in->netns = sk->net->id;
	in->family = sk->family;
	in->type = sk->type;
	in->protocol = sk->mptcp ? RP_IPPROTO_MPTCP : sk->protocol;
	in->state = rp_sock_tcp_state(st, sk);
	in->closed = sk->closed;
	in->hashed = sk->hashed;
	in->rcu_free = sk->rcu_free;
	in->reuseport = sk->reuseport;
	in->ipv6only = sk->ipv6only;
	in->uid = sk->uid;
	rp_sock_local(sk, &in->local);
	in->cookie = sk->cookie;
	in->group = sk->reuse != NULL ? sk->reuse->id : 0;
	in->group_pos = sk->reuse != NULL ? (int)sk->reuse_pos : -1;
	in->group_closed = sk->reuse != NULL &&
	    sk->reuse_pos >= sk->reuse->num_socks;
	in->owner = sk->owner.kind;
	/* a 4.19 stale copy may name a freed map: use the saved id */
	in->owner_map = sk->owner.map_id;
	in->owner_idx = sk->owner.idx;
	in->accept_queue = g_queue_get_length((GQueue *)&sk->accept_q);
	in->parent = sk->parent != NULL ? sk->parent->id : 0;
	return 0;
}

int
rp_group_info(const struct rp_state *st, unsigned id, struct rp_group_info *in)
{
	const struct rp_group *g;

	g_return_val_if_fail(in != NULL, -EINVAL);
	rp_read(st, RP_OBJ_KEY(RP_OC_GROUP, id));
	if (id == 0 || id >= st->groups->len || st->groups->pdata[id] == NULL)
		return -ENOENT;
	g = st->groups->pdata[id];
	memset(in, 0, sizeof(*in));
	in->id = g->id;
	in->reuseport_id = g->reuseport_id;
	in->has_id = g->has_id;
	in->num_socks = g->num_socks;
	in->num_closed_socks = g->num_closed_socks;
	in->max_socks = g->max_socks;
	in->bind_inany = g->bind_inany;
	in->has_conns = g->has_conns;
	in->prog = g->prog != NULL ? g->prog->id : 0;
	in->prog_is_cbpf = g->prog != NULL && g->prog->kind == RP_PROGK_CBPF;
	return 0;
}

/* Socket id at socks[pos] (closed section included), 0 when none. */
unsigned
rp_group_sock_at(const struct rp_state *st, unsigned id, unsigned pos)
{
	const struct rp_group *g;

	rp_read(st, RP_OBJ_KEY(RP_OC_GROUP, id));
	if (id == 0 || id >= st->groups->len || st->groups->pdata[id] == NULL)
		return 0;
	g = st->groups->pdata[id];
	if (pos < g->num_socks ||
	    (pos >= (unsigned)(g->max_socks - g->num_closed_socks) &&
	    pos < g->max_socks))
		return g->socks[pos]->id;
	return 0;
}

int
rp_map_info(const struct rp_state *st, unsigned id, struct rp_map_info *in)
{
	const struct rp_map *m;

	g_return_val_if_fail(in != NULL, -EINVAL);
	rp_read(st, RP_OBJ_KEY(RP_OC_MAP, id));
	if (id == 0 || id >= st->maps->len || st->maps->pdata[id] == NULL)
		return -ENOENT;
	m = st->maps->pdata[id];
	/* KERNEL: bpf_map_put() releases the id at once; the free waits
	 * for rp_state_settle() */
	if (m->dying)
		return -ENOENT;
	memset(in, 0, sizeof(*in));
	in->id = m->id;
	in->type = m->type;
	in->key_size = m->key_size;
	in->value_size = m->value_size;
	in->max_entries = m->max_entries;
	in->map_flags = m->map_flags;
	in->refs = m->refs;
	in->frozen = m->frozen;
	in->memlock = m->memlock;
	in->used = m->used;
	memcpy(in->name, m->name, sizeof(in->name));
	in->name[sizeof(in->name) - 1] = '\0';
	return 0;
}

unsigned
rp_map_slot(const struct rp_state *st, unsigned id, uint32_t key)
{
	const struct rp_map *m;
	gpointer v;

	rp_read(st, RP_OBJ_KEY(RP_OC_MAP, id));
	if (id == 0 || id >= st->maps->len || st->maps->pdata[id] == NULL)
		return 0;
	m = st->maps->pdata[id];
	switch (m->type) {	/* LCOV_EXCL_BR_LINE */
	case RP_MAP_REUSEPORT_SOCKARRAY:
	case RP_MAP_SOCKMAP:
		if (key >= m->max_entries || rp_map_sock(m, key) == NULL)
			return 0;
		return rp_map_sock(m, key)->id;
	case RP_MAP_ARRAY_OF_MAPS:
		if (key >= m->max_entries || rp_map_inner(m, key) == NULL)
			return 0;
		return rp_map_inner(m, key)->id;
	case RP_MAP_SOCKHASH:
		v = g_hash_table_lookup(m->u.hash, GUINT_TO_POINTER(key));
		return v != NULL ? ((struct rp_sock *)v)->id : 0;
	case RP_MAP_HASH_OF_MAPS:
		v = g_hash_table_lookup(m->u.hash, GUINT_TO_POINTER(key));
		return v != NULL ? ((struct rp_map *)v)->id : 0;
	default:	/* LCOV_EXCL_LINE */
		return 0;	/* LCOV_EXCL_LINE */
	}
}
