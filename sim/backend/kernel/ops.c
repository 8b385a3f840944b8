/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * ops.c - the live-kernel backend: every backend operation is
 * the real syscall, made by a thread that plays the simulated process, in
 * a private network namespace of the running kernel (pinned: Linux 6.18).
 *
 * Shape (docs/kernel-backend.md has the whole story):
 * - one backend = one fresh network namespace made with
 *   unshare(CLONE_NEWNET) (lo up); netns_new() makes more;
 * - each namespace has a root worker thread living in it (traffic,
 *   sysctls); each simulated process is a worker thread of its own that
 *   joined its namespace with setns() and has its own uid and capability
 *   sets (raw setresuid/capset act on the calling thread only);
 * - every operation runs on the worker of its process (a request/response
 *   handoff); the fd table is the real process's, so each simulated
 *   process keeps a table from scenario fds (lowest free >= 3, as the
 *   model) to real fds;
 * - programs are generated from their policy (core/bpfgen.c) and instrumented
 *   with a statistics map, so a send knows whether an SK_REUSEPORT program
 *   ran, its verdict and the helper's result;
 * - traffic is real loopback traffic: UDP datagrams and TCP Fast Open
 *   SYNs carrying the payload, from client sockets of the namespace's root
 *   worker; the receiver is found by peeking (UDP) or by the accept-queue
 *   length of each listener (TCP_INFO tcpi_unacked).
 *
 * Threading: the executor calls the ops from one thread; the tables of
 * this file are only touched by that thread.  Workers only run the job
 * they are handed.
 */
#include "backend/kernel/kernel-int.h"
#include "backend/kernel/tables.h"
#include "backend/kernel/traffic.h"
#include "backend/kernel/worker.h"
#include "core/bpfgen.h"
#include "core/error.h"
#include "core/profiles.h"

/* core/bpfgen.c emits the model's instruction types, laid out as the
 * kernel's (rp.h) */
G_STATIC_ASSERT(sizeof(struct rp_insn) == sizeof(struct bpf_insn));
G_STATIC_ASSERT(sizeof(struct rp_sock_filter) == sizeof(struct sock_filter));

/* ---------------------------------------------------------------------
 * Jobs: what a worker runs.  One generic argument block.
 */
typedef struct {
	SimBackend	*b;
	int		 fd, fd2;
	int		 i1, i2, i3;
	uint64_t	 u1;
	const void	*in;
	void		*out;
	socklen_t	 len;
	/* BPF jobs (libbpf): the map's key and value buffers, flags, the
	 * libbpf options struct, what to create or load */
	const void	*key;
	void		*value;
	uint64_t	 flags;
	const void	*opts;
	const struct rp_map_attr *map_attr;
	const GArray	*insns;
	union bpf_attr	*attr;		/* raw BPF_MAP_CREATE only */
} KbJob;

/* Run fn on p's worker. */
static int
on_proc(KbProc *p, KbFn fn, KbJob *j)
{
	return kb_worker_run(p->w, fn, j);
}

/*
 * Run fn as process proc on the real fd behind its fd (j->fd): the shape
 * of every call on one descriptor.  -ESRCH when there is no process proc.
 */
static int
on_fd(SimBackend *b, unsigned proc, int fd, KbFn fn, KbJob *j)
{
	KbProc *p = kb_proc_get(b, proc);

	if (p == NULL)
		return -ESRCH;
	j->fd = kb_fd_xlate(p, fd);
	return on_proc(p, fn, j);
}

static int
ret_errno(int r)
{
	return r < 0 ? -errno : r;
}

static int
j_socket(void *arg)
{
	KbJob *j = arg;

	return ret_errno(socket(j->i1, j->i2 | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    j->i3));
}

static int
j_setsockopt(void *arg)
{
	KbJob *j = arg;

	return ret_errno(setsockopt(j->fd, j->i1, j->i2, j->in, j->len));
}

static int
j_getsockopt(void *arg)
{
	KbJob *j = arg;
	socklen_t len = j->len;

	return ret_errno(getsockopt(j->fd, j->i1, j->i2, j->out, &len));
}

static int
j_bind(void *arg)
{
	KbJob *j = arg;

	return ret_errno(bind(j->fd, j->in, j->len));
}

static int
j_listen(void *arg)
{
	KbJob *j = arg;

	return ret_errno(listen(j->fd, j->i1));
}

/* A blocking connect() of a non-blocking socket, with a bounded wait. */
static int
connect_wait(int fd, const struct sockaddr *sa, socklen_t len, int ms)
{
	struct pollfd pfd = { .fd = fd, .events = POLLOUT };
	gint64 deadline = g_get_monotonic_time() + (gint64)ms * 1000;
	int err = 0, left = ms;
	socklen_t elen = sizeof(err);

	if (connect(fd, sa, len) == 0)
		return 0;
	if (errno != EINPROGRESS)
		return -errno;
	for (;;) {
		if (left <= 0 || poll(&pfd, 1, left) == 0) {
			/* a blocking connect() would go on retransmitting its
			 * SYN for minutes, then close (tcp_write_timeout() ->
			 * tcp_done()) and disconnect: abort the attempt the
			 * same way now */
			struct sockaddr unspec = { .sa_family = AF_UNSPEC };

			(void)connect(fd, &unspec, sizeof(unspec));
			return -ETIMEDOUT;
		}
		if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &elen) != 0)
			return -errno;
		if (err != 0) {
			/* a refused non-blocking connect leaves the socket
			 * SS_CONNECTING; calling connect() again takes the
			 * path a blocking one takes (__inet_stream_connect():
			 * TCP_CLOSE -> sock_error, SS_UNCONNECTED), so that
			 * listen() and connect() behave afterwards as after a
			 * blocking connect */
			(void)connect(fd, sa, len);
			return -err;
		}
		/* a non-blocking socket stays SS_CONNECTING until connect()
		 * is called again: finish, so that the next connect() is
		 * EISCONN as after a blocking one */
		if (connect(fd, sa, len) == 0 || errno == EISCONN)
			return 0;
		if (errno != EALREADY)
			return -errno;
		/* tcp_poll() says EPOLLHUP for a socket shut down both ways
		 * before it connected, while its SYN is still out: poll()
		 * returns at once.  Wait on, looking again every 10 ms, as
		 * a blocking connect() would (found by fuzz-diff, host seed
		 * 23000225) */
		g_usleep(10000);
		left = (int)((deadline - g_get_monotonic_time()) / 1000);
	}
}

static int
j_connect(void *arg)
{
	KbJob *j = arg;

	return connect_wait(j->fd, j->in, j->len, KB_CONNECT_MS);
}

/*
 * A TCP end that has sent its FIN waits until the FIN is acknowledged:
 * FIN_WAIT1 -> FIN_WAIT2, CLOSING -> TIME_WAIT, LAST_ACK -> CLOSE.  The
 * peer acknowledges the FIN when it processes it (tcp_fin(), in
 * tcp_rcv_state_process()), so by then the peer is CLOSE_WAIT, or in
 * TIME_WAIT when it had sent its own FIN first.  On loopback this
 * normally happens before shutdown() returns; on a loaded machine, and
 * under TCG, the softirq can run later, and the next statement would see
 * the peer still FIN_WAIT2 (shutdown(SHUT_RD) 0 instead of -ENOTCONN).
 * Bounded: a FIN nobody acknowledges is left as it is after
 * KB_CONNECT_MS.
 */
static void
fin_acked_wait(int fd)
{
	for (int waited = 0; waited < KB_CONNECT_MS; waited++) {
		struct tcp_info ti;
		socklen_t len = sizeof(ti);

		if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &len) != 0)
			return;			/* not TCP */
		if (ti.tcpi_state != TCP_FIN_WAIT1 &&
		    ti.tcpi_state != TCP_CLOSING &&
		    ti.tcpi_state != TCP_LAST_ACK)
			return;
		(void)poll(NULL, 0, 1);
	}
}

static int
j_shutdown(void *arg)
{
	KbJob *j = arg;
	int ret = ret_errno(shutdown(j->fd, j->i1));

	if (ret == 0 && (j->i1 == SHUT_WR || j->i1 == SHUT_RDWR))
		fin_acked_wait(j->fd);
	return ret;
}

static int
j_accept(void *arg)
{
	KbJob *j = arg;

	return ret_errno(accept4(j->fd, NULL, NULL,
	    SOCK_NONBLOCK | SOCK_CLOEXEC));
}

static int
j_getsockname(void *arg)
{
	KbJob *j = arg;
	socklen_t len = sizeof(struct sockaddr_storage);

	return ret_errno(getsockname(j->fd, j->out, &len));
}

/*
 * The bpf() commands, each through libbpf as a program would make it.
 * Every job answers the fd or 0, or -errno.
 */
static int
j_map_create(void *arg)
{
	KbJob *j = arg;
	const struct rp_map_attr *a = j->map_attr;

	return kb_libbpf(bpf_map_create(a->map_type, a->name, a->key_size,
	    a->value_size, a->max_entries, j->opts));
}

/* RAW: bpf(BPF_MAP_CREATE) as the scenario spelled it, for what libbpf
 * would refuse to send (see kb_map_create()). */
static int
j_map_create_raw(void *arg)
{
	KbJob *j = arg;

	return kb_sys_bpf(BPF_MAP_CREATE, j->attr);
}

static int
j_map_lookup(void *arg)
{
	KbJob *j = arg;

	return kb_libbpf(bpf_map_lookup_elem_flags(j->fd, j->key, j->value,
	    j->flags));
}

static int
j_map_update(void *arg)
{
	KbJob *j = arg;

	return kb_libbpf(bpf_map_update_elem(j->fd, j->key, j->value,
	    j->flags));
}

static int
j_map_delete(void *arg)
{
	KbJob *j = arg;

	return kb_libbpf(bpf_map_delete_elem(j->fd, j->key));
}

/* j->key NULL: the first key. */
static int
j_map_next_key(void *arg)
{
	KbJob *j = arg;

	return kb_libbpf(bpf_map_get_next_key(j->fd, j->key, j->value));
}

static int
j_map_freeze(void *arg)
{
	KbJob *j = arg;

	return kb_libbpf(bpf_map_freeze(j->fd));
}

static int
j_map_lookup_and_delete(void *arg)
{
	KbJob *j = arg;

	return kb_libbpf(bpf_map_lookup_and_delete_elem(j->fd, j->key,
	    j->value));
}

/* BPF_OBJ_GET_INFO_BY_FD: j->out of j->len bytes. */
static int
j_obj_get_info(void *arg)
{
	KbJob *j = arg;
	uint32_t len = (uint32_t)j->len;

	return kb_libbpf(bpf_obj_get_info_by_fd(j->fd, j->out, &len));
}

/* One element from the start: j->out is the out_batch buffer. */
static int
j_map_lookup_batch(void *arg)
{
	KbJob *j = arg;
	uint32_t count = 1;

	return kb_libbpf(bpf_map_lookup_batch(j->fd, NULL, j->out,
	    (void *)j->key, j->value, &count, NULL));
}

static int
j_prog_load(void *arg)
{
	KbJob *j = arg;

	return kb_libbpf(bpf_prog_load((enum bpf_prog_type)j->i1, "rp_sim",
	    "GPL", (const struct bpf_insn *)(const void *)j->insns->data,
	    j->insns->len, j->opts));
}

static int
j_caps(void *arg)
{
	KbJob *j = arg;

	return kb_caps_set(j->u1);
}

/* sysctl j->in := j->i1 (path under /proc/sys), from the namespace. */
static int
j_sysctl(void *arg)
{
	KbJob *j = arg;
	int fd = open(j->in, O_WRONLY | O_CLOEXEC), err;

	if (fd < 0)
		return -errno;
	err = kb_sysctl_write_fd(fd, (long)j->i1);
	close(fd);
	return err;
}

/* ---------------------------------------------------------------------
 * open / close
 */

static void
kb_close(SimBackend *b)
{
	if (b == NULL)
		return;
	/* every fd first: sockets, maps and programs go, then the threads
	 * leave their namespaces and the namespaces vanish */
	if (b->procs != NULL)
		for (guint i = 0; i < b->procs->len; i++)
			kb_proc_close_fds(b->procs->pdata[i]);
	if (b->prog_list != NULL)
		for (guint i = 0; i < b->prog_list->len; i++) {
			KbProg *pr = b->prog_list->pdata[i];

			if (pr->stats_fd >= 0)
				close(pr->stats_fd);
			if (pr->migrate_fd >= 0)
				close(pr->migrate_fd);
			pr->stats_fd = pr->migrate_fd = -1;
		}
	if (b->procs != NULL)
		g_ptr_array_unref(b->procs);
	if (b->netns != NULL)
		g_ptr_array_unref(b->netns);
	if (b->progs != NULL)
		g_hash_table_unref(b->progs);
	if (b->prog_list != NULL)
		g_ptr_array_unref(b->prog_list);
	if (b->socks != NULL)
		g_hash_table_unref(b->socks);
	if (b->maps != NULL)
		g_hash_table_unref(b->maps);
	if (b->arrays != NULL)
		g_hash_table_unref(b->arrays);
	if (b->outers != NULL)
		g_hash_table_unref(b->outers);
	g_free(b->last_error);
	g_free(b);
}

/* A new namespace with its root worker; its id, or -errno. */
static int
netns_add(SimBackend *b, char **what)
{
	KbNetns *ns;
	KbWorker *w;
	int err = 0;

	if (b->netns->len >= KB_MAX_NETNS) {
		*what = g_strdup("too many namespaces");
		return -ENOSPC;
	}
	w = kb_worker_new(-1, FALSE, 0, 0, b->cpu, &err, what);
	if (w == NULL)
		return err;
	ns = g_new0(KbNetns, 1);
	ns->id = b->netns->len;
	ns->w = w;
	ns->nsfd = w->new_nsfd;
	ns->tfo_fd = w->tfo_fd;
	ns->clients = g_array_new(FALSE, FALSE, sizeof(int));
	ns->pending = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
	    NULL);
	g_ptr_array_add(b->netns, ns);
	return (int)ns->id;
}

/* A new simulated process; its id, or -errno. */
static int
proc_add(SimBackend *b, unsigned netns, gboolean set_creds, uint32_t uid,
    uint64_t caps, char **what)
{
	KbNetns *ns = kb_netns_get(b, netns);
	KbProc *p;
	KbWorker *w;
	int err = 0, none = -1;

	if (ns == NULL)
		return -ENOENT;
	if (b->procs->len >= KB_MAX_PROCS)
		return -ENOSPC;
	w = kb_worker_new(ns->nsfd, set_creds, uid, caps, b->cpu, &err, what);
	if (w == NULL)
		return err;
	p = g_new0(KbProc, 1);
	p->id = b->procs->len;
	p->netns = netns;
	p->uid = uid;
	p->caps = caps;
	p->w = w;
	p->fds = g_array_new(FALSE, FALSE, sizeof(int));
	for (int i = 0; i < KB_FIRST_FD; i++)
		g_array_append_val(p->fds, none);
	g_ptr_array_add(b->procs, p);
	return (int)p->id;
}

static void
prog_free(gpointer data)
{
	KbProg *pr = data;

	if (pr->stats_fd >= 0)
		close(pr->stats_fd);
	if (pr->migrate_fd >= 0)
		close(pr->migrate_fd);
	g_free(pr);
}

/*
 * Is profile one the running kernel can stand for?  Its own "major.minor",
 * the profile --profile auto picks for it (the nearest at or below its
 * version, rp_profile_for_release()), so a 6.19 kernel runs the 6.18
 * profile, and any build variant of that row (6.18+attach-einval): which
 * variant this build is, `reuseport-sim calibrate` measures.
 */
static gboolean
profile_ok(const char *profile, char **running)
{
	struct utsname u;
	unsigned major = 0, minor = 0;
	const struct rp_profile *nearest = NULL;
	const char *plus;

	if (uname(&u) != 0 || sscanf(u.release, "%u.%u", &major, &minor) != 2) {
		*running = g_strdup("unknown");
	} else {
		*running = g_strdup_printf("%u.%u", major, minor);
		nearest = rp_profile_for_release(u.release);
	}
	if (profile == NULL || strcmp(profile, *running) == 0)
		return TRUE;
	if (nearest == NULL)
		return FALSE;
	plus = strchr(profile, '+');
	if (plus != NULL && rp_profile_find(profile) != NULL)
		return strncmp(profile, rp_profile_name(nearest),
		    (gsize)(plus - profile)) == 0 &&
		    rp_profile_name(nearest)[plus - profile] == '\0';
	return strcmp(profile, rp_profile_name(nearest)) == 0;
}

#define KB_NEEDS "kernel backend needs CAP_SYS_ADMIN and CAP_BPF (run as root)"

static SimBackend *
kb_open(const char *profile, GError **error)
{
	g_autofree char *running = NULL;
	g_autofree char *what = NULL;
	SimBackend *b;
	int err, fd;

	if (!profile_ok(profile, &running)) {
		g_set_error(error, SIM_KERNEL_ERROR, SIM_KERNEL_ERROR_PROFILE,
		    "the live kernel is %s: profile '%s' cannot be had",
		    running, profile);
		return NULL;
	}
	if (geteuid() != 0) {
		g_set_error(error, SIM_KERNEL_ERROR, SIM_KERNEL_ERROR_PERMISSION,
		    KB_NEEDS ": not root");
		return NULL;
	}
	/*
	 * bpf() itself: a one-slot sockarray.  This is also the process's
	 * first libbpf call, made as root: libbpf probes the kernel here
	 * (object names, memcg accounting of BPF memory) and keeps the
	 * answers for the process, so no worker that dropped its
	 * capabilities probes first and makes libbpf think names are not
	 * supported.  On a kernel without memcg accounting (before 5.11)
	 * libbpf raises RLIMIT_MEMLOCK to infinity here, as it does in every
	 * program that uses it.
	 */
	fd = kb_libbpf(bpf_map_create(BPF_MAP_TYPE_REUSEPORT_SOCKARRAY,
	    "rp_sim_probe", 4, 8, 1, NULL));
	if (fd < 0) {
		g_set_error(error, SIM_KERNEL_ERROR, fd == -EPERM || fd == -EACCES ?
		    SIM_KERNEL_ERROR_PERMISSION : SIM_KERNEL_ERROR_FAILED,
		    KB_NEEDS ": bpf: %s", g_strerror(-fd));
		return NULL;
	}
	close(fd);

	b = g_new0(SimBackend, 1);
	b->netns = g_ptr_array_new_with_free_func(kb_netns_free);
	b->procs = g_ptr_array_new_with_free_func(kb_proc_free);
	b->socks = g_hash_table_new_full(g_int64_hash, g_int64_equal, NULL,
	    g_free);
	b->maps = g_hash_table_new(g_direct_hash, g_direct_equal);
	b->arrays = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL,
	    (GDestroyNotify)g_array_unref);
	b->outers = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL,
	    (GDestroyNotify)g_array_unref);
	b->progs = g_hash_table_new(g_direct_hash, g_direct_equal);
	b->prog_list = g_ptr_array_new_with_free_func(prog_free);
	b->cpu = -1;
	if (sched_getaffinity(0, sizeof(b->allowed), &b->allowed) != 0)
		CPU_ZERO(&b->allowed);
	/* the model's CPU is 0 until `cpu N`: pin every worker there */
	for (int c = 0; c < CPU_SETSIZE && b->cpu < 0; c++)
		if (CPU_ISSET(c, &b->allowed))
			b->cpu = c;

	err = netns_add(b, &what);
	if (err < 0) {
		g_set_error(error, SIM_KERNEL_ERROR, err == -EPERM ?
		    SIM_KERNEL_ERROR_PERMISSION : SIM_KERNEL_ERROR_FAILED,
		    KB_NEEDS ": %s: %s", what, g_strerror(-err));
		kb_close(b);
		return NULL;
	}
	g_clear_pointer(&what, g_free);
	/* process 0: root with every capability, in namespace 0 */
	err = proc_add(b, 0, FALSE, 0, 0, &what);
	if (err < 0) {
		g_set_error(error, SIM_KERNEL_ERROR, err == -EPERM ?
		    SIM_KERNEL_ERROR_PERMISSION : SIM_KERNEL_ERROR_FAILED,
		    KB_NEEDS ": %s: %s", what ? what : "process 0",
		    g_strerror(-err));
		kb_close(b);
		return NULL;
	}
	return b;
}

/* ---------------------------------------------------------------------
 * ids
 */

static unsigned
kb_sock_id(SimBackend *b, unsigned proc, int fd)
{
	KbProc *p = kb_proc_get(b, proc);
	KbSock *s;

	if (p == NULL)
		return 0;
	s = kb_sock_register(b, kb_fd_real(p, fd), p->netns, 0);
	return s != NULL ? s->id : 0;
}

static unsigned
kb_map_id(SimBackend *b, unsigned proc, int fd)
{
	KbProc *p = kb_proc_get(b, proc);
	struct bpf_map_info info;
	int real;

	if (p == NULL)
		return 0;
	real = kb_fd_real(p, fd);
	if (kb_fd_kind(real) != KB_KIND_MAP || kb_map_info(real, &info) != 0)
		return 0;
	return kb_map_id_of_kid(b, info.id);
}

static unsigned
kb_prog_id(SimBackend *b, unsigned proc, int fd)
{
	KbProc *p = kb_proc_get(b, proc);
	KbProg *pr;
	struct bpf_prog_info info;
	int real;

	if (p == NULL)
		return 0;
	real = kb_fd_real(p, fd);
	pr = kb_prog_of_fd(b, real);
	if (pr != NULL)
		return pr->id;
	/* a program this backend did not load (cannot happen today) */
	if (kb_fd_kind(real) != KB_KIND_PROG || kb_prog_info(real, &info) != 0)
		return 0;
	pr = g_new0(KbProg, 1);
	pr->id = ++b->next_prog;
	pr->kid = info.id;
	pr->type = info.type;
	pr->stats_fd = pr->migrate_fd = -1;
	g_ptr_array_add(b->prog_list, pr);
	g_hash_table_insert(b->progs, GUINT_TO_POINTER(pr->kid), pr);
	return pr->id;
}

/* ---------------------------------------------------------------------
 * Namespaces, processes, system settings
 */

static int
kb_netns_new(SimBackend *b)
{
	g_autofree char *what = NULL;
	int err = netns_add(b, &what);

	if (err < 0)
		kb_note(b, "netns: %s: %s", what, g_strerror(-err));
	return err;
}

static int
kb_proc_new(SimBackend *b, unsigned netns, uint32_t uid, uint64_t caps)
{
	g_autofree char *what = NULL;
	int err = proc_add(b, netns, TRUE, uid, caps, &what);

	if (err < 0 && what != NULL)
		kb_note(b, "proc: %s: %s", what, g_strerror(-err));
	return err;
}

static int
kb_proc_set_caps(SimBackend *b, unsigned proc, uint64_t caps)
{
	KbProc *p = kb_proc_get(b, proc);
	KbJob j = { .b = b, .u1 = caps };
	int err;

	if (p == NULL)
		return -ESRCH;
	err = on_proc(p, j_caps, &j);
	if (err == 0)
		p->caps = caps;
	return err;
}

/*
 * RLIMIT_MEMLOCK is per process (not per thread) and 6.18 charges BPF
 * maps to the memory cgroup, never to the rlimit (5.11+): nothing the
 * kernel would look at.  Accepted and ignored.
 */
static int
kb_proc_set_memlock(SimBackend *b, unsigned proc, uint64_t bytes)
{
	KbProc *p = kb_proc_get(b, proc);

	if (p == NULL)
		return -ESRCH;
	p->memlock = bytes;
	p->memlock_set = TRUE;
	return 0;
}

/*
 * Run a bpf() job that allocates (map create, program load) on p's
 * worker under p's RLIMIT_MEMLOCK.  The limit is the process's, shared by
 * every worker thread, so it is set for the call and put back after: the
 * executor runs one operation at a time.  Kernels that charge BPF memory
 * to RLIMIT_MEMLOCK (before 5.11: the locked_vm of the caller's user, R-CRE-6c)
 * see the scenario's limit; later ones never look at it.
 */
static int
on_proc_memlock(KbProc *p, KbFn fn, KbJob *j)
{
	struct rlimit old, lim;
	int r;

	/* a limit of 0 is a limit (found by fuzz-diff: `rlimit P memlock 0`
	 * was the process's own, unlimited in a VM) */
	if (!p->memlock_set || getrlimit(RLIMIT_MEMLOCK, &old) != 0)
		return on_proc(p, fn, j);
	lim = old;
	lim.rlim_cur = (rlim_t)p->memlock;
	if (lim.rlim_max != RLIM_INFINITY && lim.rlim_cur > lim.rlim_max)
		lim.rlim_cur = lim.rlim_max;
	if (setrlimit(RLIMIT_MEMLOCK, &lim) != 0)
		return on_proc(p, fn, j);	/* LCOV_EXCL_LINE */
	r = on_proc(p, fn, j);
	(void)setrlimit(RLIMIT_MEMLOCK, &old);
	return r;
}

static int
kb_sysctl_set(SimBackend *b, unsigned netns, const char *key, long val)
{
	KbNetns *ns = kb_netns_get(b, netns);
	g_autofree char *path = NULL;
	KbJob j = { .b = b };

	g_return_val_if_fail(key != NULL, -EINVAL);
	if (ns == NULL)
		return -ENOENT;
	if (strcmp(key, "kernel.unprivileged_bpf_disabled") == 0) {
		g_autofree char *cur = NULL;

		long now;

		if (!g_file_get_contents("/proc/sys/kernel/"
		    "unprivileged_bpf_disabled", &cur, NULL, NULL))
			return -EPERM;
		now = strtol(cur, NULL, 10);
		if (now == val)
			return 0;	/* already so: nothing to change */
		/*
		 * Machine-global: never changed.  1 and 2 differ only in
		 * whether the sysctl can be written back (bpf() itself tests
		 * it for non-zero: map_create(), bpf_prog_load()), so asking
		 * for the other non-zero value costs only this step's check.
		 * Asking for 0 on a machine with 1 or 2 (or the reverse)
		 * changes what every later bpf() call of an unprivileged
		 * process does: the rest depends on it.
		 */
		kb_note(b, "sysctl %s %ld: machine-global, %ld on this "
		    "machine, and the kernel backend never changes it", key,
		    val, now);
		return (now != 0) == (val != 0) ? SIM_CANNOT :
		    SIM_CANNOT_REST;
	}
	if (!g_str_has_prefix(key, "net.") || strstr(key, "..") != NULL ||
	    strchr(key, '/') != NULL) {
		kb_note(b, "%s: only per-namespace net.* settings are changed",
		    key);
		return -EPERM;
	}
	path = g_strconcat("/proc/sys/", key, NULL);
	g_strdelimit(path + strlen("/proc/sys/"), ".", '/');
	j.in = path;
	if (val < INT_MIN || val > INT_MAX)
		return -EINVAL;
	j.i1 = (int)val;
	/* /proc/sys/net is the namespace of the thread that opens it */
	return kb_worker_run(ns->w, j_sysctl, &j);
}

static int
kb_set_cpu(SimBackend *b, unsigned cpu)
{
	if (cpu >= CPU_SETSIZE || !CPU_ISSET((int)cpu, &b->allowed)) {
		kb_note(b, "cpu %u: not one of the %d CPUs this machine "
		    "gives the process", cpu, CPU_COUNT(&b->allowed));
		return SIM_CANNOT;
	}
	b->cpu = (int)cpu;
	for (guint i = 0; i < b->netns->len; i++) {
		KbNetns *ns = b->netns->pdata[i];
		int err = kb_pin(ns->w->tid, b->cpu);

		if (err != 0)
			return err;
	}
	for (guint i = 0; i < b->procs->len; i++) {
		KbProc *p = b->procs->pdata[i];
		int err = kb_pin(p->w->tid, b->cpu);

		if (err != 0)
			return err;
	}
	return 0;
}

/* ---------------------------------------------------------------------
 * fds
 */

/* SCM_RIGHTS gives the receiver the same struct file: so does dup(). */
static int
kb_pass(SimBackend *b, unsigned from, int fd, unsigned to)
{
	KbProc *p = kb_proc_get(b, from), *q = kb_proc_get(b, to);
	int real, nfd;

	if (p == NULL || q == NULL)
		return -ESRCH;
	real = kb_fd_real(p, fd);
	if (real < 0)
		return -EBADF;
	nfd = fcntl(real, F_DUPFD_CLOEXEC, 0);
	if (nfd < 0)
		return -errno;
	return kb_fd_install(q, nfd);
}

/* dup(): a pass to the same process. */
static int
kb_dup(SimBackend *b, unsigned proc, int fd)
{
	return kb_pass(b, proc, fd, proc);
}

static int
kb_close_fd(SimBackend *b, unsigned proc, int fd)
{
	KbProc *p = kb_proc_get(b, proc);
	int real;

	if (p == NULL)
		return -ESRCH;
	real = kb_fd_real(p, fd);
	if (real < 0)
		return -EBADF;
	g_array_index(p->fds, int, fd) = -1;
	if (close(real) != 0)
		return -errno;
	return 0;
}

/*
 * settle: wait for the frees the kernel defers.  A sockarray whose last
 * reference went away is freed from a workqueue (bpf_map_put() ->
 * bpf_map_free_deferred() -> reuseport_array_free()); until then its
 * sockets keep their owner word and another map refuses them with EBUSY.
 * For every sockarray the scenario filled that is gone (its id no longer
 * found), each of its sockets that no live sockarray of the scenario
 * holds is probed: an update into a private one-slot sockarray (deleted
 * again at once, which clears the owner word synchronously) until it is
 * no longer EBUSY, for up to KB_SETTLE_MS.  Nothing is retried anywhere
 * else: a scenario that needs the free says `settle`.
 */
#define KB_SETTLE_MS	2000

/* Is the map of kernel id kid still there? */
static gboolean
map_alive(uint32_t kid)
{
	int fd = kb_libbpf(bpf_map_get_fd_by_id(kid));

	if (fd >= 0)
		close(fd);
	return fd >= 0 || fd != -ENOENT;
}

/* A real fd of the socket with inode ino in some process, or -1. */
static int
sock_fd(SimBackend *b, guint64 ino)
{
	for (guint i = 0; i < b->procs->len; i++) {
		const KbProc *p = b->procs->pdata[i];

		for (guint j = 0; j < p->fds->len; j++) {
			int fd = g_array_index(p->fds, int, j);
			struct stat stb;

			if (fd >= 0 && fstat(fd, &stb) == 0 &&
			    S_ISSOCK(stb.st_mode) && (guint64)stb.st_ino == ino)
				return fd;
		}
	}
	return -1;
}

/* Does a scenario fd, or a live outer map the scenario filled, hold the
 * map of kernel id kid? */
static gboolean
map_held(SimBackend *b, uint32_t kid)
{
	GHashTableIter it;
	gpointer k, v;

	for (guint i = 0; i < b->procs->len; i++) {
		const KbProc *p = b->procs->pdata[i];

		for (guint j = 0; j < p->fds->len; j++) {
			int fd = g_array_index(p->fds, int, j);
			struct bpf_map_info info;

			if (fd >= 0 && fd != KB_CLOSED_FD &&
			    kb_fd_kind(fd) == KB_KIND_MAP &&
			    kb_map_info(fd, &info) == 0 && info.id == kid)
				return TRUE;
		}
	}
	g_hash_table_iter_init(&it, b->outers);
	while (g_hash_table_iter_next(&it, &k, &v)) {
		const GArray *inner = v;

		for (guint i = 0; i < inner->len; i++)
			if (g_array_index(inner, uint32_t, i) == kid &&
			    map_alive(GPOINTER_TO_UINT(k)))
				return TRUE;
	}
	return FALSE;
}

/*
 * An outer map that is gone drops its inner maps from the workqueue that
 * frees it: wait, up to KB_SETTLE_MS, until each inner map it held that
 * nothing of the scenario holds any more is gone too (a program may
 * still hold one: then the wait ends at the limit and the inner map
 * stays, as it does in the model).
 */
static void
settle_outers(SimBackend *b)
{
	g_autoptr(GArray) gone = g_array_new(FALSE, FALSE, sizeof(uint32_t));
	gint64 until = g_get_monotonic_time() + KB_SETTLE_MS * 1000;
	GHashTableIter it;
	gpointer k, v;

	g_hash_table_iter_init(&it, b->outers);
	while (g_hash_table_iter_next(&it, &k, &v)) {
		uint32_t kid = GPOINTER_TO_UINT(k);

		if (!map_alive(kid))
			g_array_append_val(gone, kid);
	}
	for (guint g = 0; g < gone->len; g++) {
		uint32_t okid = g_array_index(gone, uint32_t, g);
		g_autoptr(GArray) inner = NULL;

		g_hash_table_steal_extended(b->outers, GUINT_TO_POINTER(okid),
		    NULL, (gpointer *)&inner);
		for (guint i = 0; i < inner->len; i++) {
			uint32_t kid = g_array_index(inner, uint32_t, i);

			if (map_held(b, kid))
				continue;
			while (map_alive(kid) &&
			    g_get_monotonic_time() <= until)
				g_usleep(500);
		}
	}
}

/* Remember that the map behind real fd mfd went into outer map kid. */
static void
outer_note(SimBackend *b, uint32_t kid, int mfd)
{
	GArray *inner = g_hash_table_lookup(b->outers, GUINT_TO_POINTER(kid));
	struct bpf_map_info info;

	if (mfd < 0 || mfd == KB_CLOSED_FD || kb_fd_kind(mfd) != KB_KIND_MAP ||
	    kb_map_info(mfd, &info) != 0)
		return;
	if (inner == NULL) {
		inner = g_array_new(FALSE, FALSE, sizeof(uint32_t));
		g_hash_table_insert(b->outers, GUINT_TO_POINTER(kid), inner);
	}
	for (guint i = 0; i < inner->len; i++)
		if (g_array_index(inner, uint32_t, i) == info.id)
			return;
	g_array_append_val(inner, info.id);
}

/* Probe fd until its owner word is gone: 0, or -ETIMEDOUT. */
static int
wait_owner_clear(int scratch, int fd)
{
	gint64 until = g_get_monotonic_time() + KB_SETTLE_MS * 1000;
	uint32_t key = 0;
	uint64_t val = (uint64_t)fd;
	int err;

	for (;;) {
		err = kb_libbpf(bpf_map_update_elem(scratch, &key, &val,
		    BPF_ANY));
		if (err == 0) {
			(void)kb_libbpf(bpf_map_delete_elem(scratch, &key));
			return 0;
		}
		if (err != -EBUSY)
			return 0;	/* not a question of an owner word */
		if (g_get_monotonic_time() > until)
			return -ETIMEDOUT;
		g_usleep(500);
	}
}

static int
kb_settle(SimBackend *b)
{
	g_autoptr(GHashTable) held = g_hash_table_new_full(g_int64_hash,
	    g_int64_equal, g_free, NULL);
	g_autoptr(GArray) gone = g_array_new(FALSE, FALSE, sizeof(uint32_t));
	GHashTableIter it;
	gpointer k, v;
	int scratch, err = 0;

	settle_outers(b);
	g_hash_table_iter_init(&it, b->arrays);
	while (g_hash_table_iter_next(&it, &k, &v)) {
		uint32_t kid = GPOINTER_TO_UINT(k);
		GArray *inos = v;

		if (!map_alive(kid)) {
			g_array_append_val(gone, kid);
			continue;
		}
		for (guint i = 0; i < inos->len; i++)
			g_hash_table_add(held, g_memdup2(&g_array_index(inos,
			    guint64, i), sizeof(guint64)));
	}
	if (gone->len == 0)
		return 0;
	scratch = kb_libbpf(bpf_map_create(BPF_MAP_TYPE_REUSEPORT_SOCKARRAY,
	    NULL, 4, 8, 1, NULL));
	if (scratch < 0)
		return scratch;
	for (guint g = 0; g < gone->len && err == 0; g++) {
		GArray *inos = g_hash_table_lookup(b->arrays, GUINT_TO_POINTER(
		    g_array_index(gone, uint32_t, g)));

		for (guint i = 0; i < inos->len && err == 0; i++) {
			guint64 ino = g_array_index(inos, guint64, i);
			int fd;

			if (g_hash_table_contains(held, &ino) ||
			    (fd = sock_fd(b, ino)) < 0)
				continue;
			err = wait_owner_clear(scratch, fd);
		}
	}
	/* the scratch map is empty: its own deferred free changes nothing */
	close(scratch);
	for (guint g = 0; g < gone->len; g++)
		g_hash_table_remove(b->arrays, GUINT_TO_POINTER(
		    g_array_index(gone, uint32_t, g)));
	if (err != 0)
		kb_note(b, "settle: a socket of a freed sockarray still "
		    "had its owner word after %d ms", KB_SETTLE_MS);
	return err;
}

/* Remember that the socket behind real fd sfd went into sockarray kid. */
static void
array_note(SimBackend *b, uint32_t kid, int sfd)
{
	GArray *inos = g_hash_table_lookup(b->arrays, GUINT_TO_POINTER(kid));
	struct stat stb;
	guint64 ino;

	if (sfd < 0 || fstat(sfd, &stb) != 0 || !S_ISSOCK(stb.st_mode))
		return;
	ino = (guint64)stb.st_ino;
	if (inos == NULL) {
		inos = g_array_new(FALSE, FALSE, sizeof(guint64));
		g_hash_table_insert(b->arrays, GUINT_TO_POINTER(kid), inos);
	}
	for (guint i = 0; i < inos->len; i++)
		if (g_array_index(inos, guint64, i) == ino)
			return;
	g_array_append_val(inos, ino);
}

/* kconfig: the live build is what it is; a scenario that needs another
 * is skipped from here on. */
static int
kb_kconfig(SimBackend *b, int option, gboolean on)
{
	gboolean has;

	if (option != RP_KCONFIG_MPTCP)
		return -EINVAL;
	has = sim_kernel_has_mptcp();
	if (has == on)
		return 0;
	kb_note(b, "this kernel is built %s CONFIG_MPTCP; the scenario "
	    "needs mptcp %s", has ? "with" : "without", on ? "y" : "n");
	return SIM_CANNOT_REST;
}

/*
 * The size of the running kernel's union bpf_attr, at most this build's:
 * a bpf() call whose bytes past the kernel's union are not zero is
 * -E2BIG (bpf_check_uarg_tail_zero()), so the largest size whose last
 * byte set is not -E2BIG.  5.10's union is shorter than the 6.1 headers'
 * this is built with; 6.18's is longer.  Measured once.
 */
static gsize
kernel_attr_size(void)
{
	static gsize size;

	if (size == 0) {
		union bpf_attr attr;

		size = sizeof(attr);
		for (gsize n = sizeof(attr); n > 64; n--) {
			long r;

			memset(&attr, 0, sizeof(attr));
			((uint8_t *)&attr)[n - 1] = 1;
			r = syscall(__NR_bpf, BPF_MAP_CREATE, &attr, n);
			if (r >= 0)
				close((int)r);	/* LCOV_EXCL_LINE */
			if (r >= 0 || errno != E2BIG) {
				size = n;
				break;
			}
		}
	}
	return size;
}

/* ---------------------------------------------------------------------
 * Sockets
 */

static int
kb_socket(SimBackend *b, unsigned proc, int family, int type, int protocol)
{
	KbProc *p = kb_proc_get(b, proc);
	KbJob j = { .b = b, .i1 = family, .i2 = type, .i3 = protocol };
	int fd;

	if (p == NULL)
		return -ESRCH;
	fd = on_proc(p, j_socket, &j);
	if (fd < 0)
		return fd;
	kb_sock_register(b, fd, p->netns, 0);
	return kb_fd_install(p, fd);
}

/* The vocabulary's socket options as the kernel's level and name. */
static const struct {
	enum rp_sockopt	opt;
	int		level, name;
} kb_sockopts[] = {
	{ RP_SO_REUSEADDR,	SOL_SOCKET,	SO_REUSEADDR },
	{ RP_SO_REUSEPORT,	SOL_SOCKET,	SO_REUSEPORT },
	{ RP_SO_INCOMING_CPU,	SOL_SOCKET,	SO_INCOMING_CPU },
	{ RP_SO_BINDTOIFINDEX,	SOL_SOCKET,	SO_BINDTOIFINDEX },
	{ RP_IPV6_V6ONLY,	SOL_IPV6,	IPV6_V6ONLY },
};

static int
kb_setsockopt(SimBackend *b, unsigned proc, int fd, enum rp_sockopt opt,
    int val)
{
	KbProc *p = kb_proc_get(b, proc);
	KbJob j = { .b = b, .in = &val, .len = sizeof(val) };
	int type = 0, r;
	gsize i;

	if (p == NULL)
		return -ESRCH;
	j.fd = kb_fd_xlate(p, fd);
	for (i = 0; i < G_N_ELEMENTS(kb_sockopts); i++) {
		if (kb_sockopts[i].opt == opt) {
			j.i1 = kb_sockopts[i].level;
			j.i2 = kb_sockopts[i].name;
			return on_proc(p, j_setsockopt, &j);
		}
	}
	/* not an option of the vocabulary: the fd errors first */
	j.i1 = SOL_SOCKET;
	j.i2 = SO_TYPE;
	j.out = &type;
	j.len = sizeof(type);
	r = on_proc(p, j_getsockopt, &j);
	return r < 0 ? r : -ENOPROTOOPT;
}

/* Run fn (j_bind, j_connect) as process proc on its fd with the address
 * sa in the kernel's form. */
static int
on_fd_addr(SimBackend *b, unsigned proc, int fd, KbFn fn,
    const struct rp_sockaddr *sa)
{
	struct sockaddr_storage ss;
	KbJob j = { .b = b, .in = &ss };

	g_return_val_if_fail(sa != NULL, -EFAULT);
	j.len = kb_to_sockaddr(sa, &ss);
	return on_fd(b, proc, fd, fn, &j);
}

static int
kb_bind(SimBackend *b, unsigned proc, int fd, const struct rp_sockaddr *sa)
{
	return on_fd_addr(b, proc, fd, j_bind, sa);
}

static int
kb_listen(SimBackend *b, unsigned proc, int fd, int backlog)
{
	KbJob j = { .b = b, .i1 = backlog };

	return on_fd(b, proc, fd, j_listen, &j);
}

static int
kb_connect(SimBackend *b, unsigned proc, int fd, const struct rp_sockaddr *sa)
{
	/*
	 * A destination off loopback goes to the kernel too: every worker
	 * is in a namespace of its own (worker_setup(): unshare() or a
	 * namespace netns_new() made so), where loopback is the only
	 * device up, so the route lookup has no route to it and connect()
	 * fails before anything is sent (R-SOCK-13), as the model says.
	 * What it does first (a UDP socket's autobind) is the kernel's to
	 * show, which a refusal here would hide.
	 */
	return on_fd_addr(b, proc, fd, j_connect, sa);
}

static int
kb_shutdown(SimBackend *b, unsigned proc, int fd, int how)
{
	KbJob j = { .b = b, .i1 = how };

	return on_fd(b, proc, fd, j_shutdown, &j);
}

/*
 * accept(): the child gets the id its delivery announced (found by its
 * peer address, which is the client's), or a new one.
 */
static int
kb_accept(SimBackend *b, unsigned proc, int fd)
{
	KbProc *p = kb_proc_get(b, proc);
	KbJob j = { .b = b };
	struct sockaddr_storage peer;
	socklen_t len = sizeof(peer);
	unsigned id = 0, netns;
	KbSock *lsk;
	int cfd;

	if (p == NULL)
		return -ESRCH;
	j.fd = kb_fd_xlate(p, fd);
	cfd = on_proc(p, j_accept, &j);
	if (cfd < 0)
		return cfd;
	lsk = kb_sock_register(b, j.fd, p->netns, 0);
	netns = lsk != NULL ? lsk->netns : p->netns;
	if (getpeername(cfd, (struct sockaddr *)&peer, &len) == 0) {
		g_autofree char *key = kb_peer_key(&peer);
		KbNetns *ns = kb_netns_get(b, netns);
		gpointer v;

		if (ns != NULL && g_hash_table_lookup_extended(ns->pending,
		    key, NULL, &v)) {
			id = GPOINTER_TO_UINT(v);
			g_hash_table_remove(ns->pending, key);
		}
	}
	kb_sock_register(b, cfd, netns, id);
	return kb_fd_install(p, cfd);
}

static int
kb_get_cookie(SimBackend *b, unsigned proc, int fd, uint64_t *cookie)
{
	uint64_t c = 0;
	KbJob j = { .b = b, .i1 = SOL_SOCKET, .i2 = SO_COOKIE, .out = &c,
	    .len = sizeof(c) };
	int err;

	g_return_val_if_fail(cookie != NULL, -EFAULT);
	err = on_fd(b, proc, fd, j_getsockopt, &j);
	if (err == 0)
		*cookie = c;
	return err < 0 ? err : 0;
}

static int
kb_getsockname(SimBackend *b, unsigned proc, int fd, struct rp_sockaddr *sa)
{
	struct sockaddr_storage ss;
	KbJob j = { .b = b, .out = &ss };
	int err;

	g_return_val_if_fail(sa != NULL, -EFAULT);
	memset(&ss, 0, sizeof(ss));
	err = on_fd(b, proc, fd, j_getsockname, &j);
	if (err == 0)
		kb_from_sockaddr(&ss, sa);
	return err < 0 ? err : 0;
}

/* No kernel equivalent without an l2tp/encap tunnel socket. */
static int
kb_set_foreign_owner(SimBackend *b, unsigned proc, int fd)
{
	(void)fd;
	if (kb_proc_get(b, proc) == NULL)
		return -ESRCH;
	kb_note(b, "owner foreign: no faithful kernel equivalent (it "
	    "would take an l2tp/encap tunnel socket)");
	return SIM_CANNOT;
}

static int
kb_attach_cbpf(SimBackend *b, unsigned proc, int fd,
    const struct rp_cbpf *cbpf)
{
	g_autoptr(GArray) insns = g_array_new(FALSE, FALSE,
	    sizeof(struct rp_sock_filter));
	struct sock_fprog fprog;
	KbJob j = { .b = b, .i1 = SOL_SOCKET, .i2 = SO_ATTACH_REUSEPORT_CBPF,
	    .in = &fprog, .len = sizeof(fprog) };

	g_return_val_if_fail(cbpf != NULL, -EFAULT);
	bpfgen_cbpf(cbpf, insns);
	memset(&fprog, 0, sizeof(fprog));	/* padding after len */
	fprog.len = (unsigned short)insns->len;
	fprog.filter = (struct sock_filter *)(void *)insns->data;
	return on_fd(b, proc, fd, j_setsockopt, &j);
}

static int
kb_attach_cbpf_insns(SimBackend *b, unsigned proc, int fd,
    const struct rp_sock_filter *insns, unsigned len)
{
	KbProc *p = kb_proc_get(b, proc);
	struct sock_fprog fprog;
	KbJob j = { .b = b, .i1 = SOL_SOCKET, .i2 = SO_ATTACH_REUSEPORT_CBPF,
	    .in = &fprog, .len = sizeof(fprog) };

	if (p == NULL)
		return -ESRCH;
	memset(&fprog, 0, sizeof(fprog));	/* padding after len */
	fprog.len = (unsigned short)len;
	fprog.filter = (struct sock_filter *)(void *)insns;
	j.fd = kb_fd_xlate(p, fd);
	return on_proc(p, j_setsockopt, &j);
}

static int
kb_attach_ebpf(SimBackend *b, unsigned proc, int fd, int progfd)
{
	KbProc *p = kb_proc_get(b, proc);
	int pfd;
	KbJob j = { .b = b, .i1 = SOL_SOCKET, .i2 = SO_ATTACH_REUSEPORT_EBPF,
	    .in = &pfd, .len = sizeof(pfd) };

	if (p == NULL)
		return -ESRCH;
	pfd = kb_fd_xlate(p, progfd);
	j.fd = kb_fd_xlate(p, fd);
	return on_proc(p, j_setsockopt, &j);
}

static int
kb_detach_bpf(SimBackend *b, unsigned proc, int fd)
{
	int zero = 0;
	KbJob j = { .b = b, .i1 = SOL_SOCKET, .i2 = SO_DETACH_REUSEPORT_BPF,
	    .in = &zero, .len = sizeof(zero) };

	return on_fd(b, proc, fd, j_setsockopt, &j);
}

/* ---------------------------------------------------------------------
 * BPF maps
 */

/* Is a map of this type an outer map (its values are inner maps)? */
static bool
map_is_outer(uint32_t type)
{
	return type == BPF_MAP_TYPE_ARRAY_OF_MAPS ||
	    type == BPF_MAP_TYPE_HASH_OF_MAPS;
}

/* Does a map of this type hold sockets? */
static bool
map_holds_socks(uint32_t type)
{
	return type == BPF_MAP_TYPE_REUSEPORT_SOCKARRAY ||
	    type == BPF_MAP_TYPE_SOCKMAP || type == BPF_MAP_TYPE_SOCKHASH;
}

static int
kb_map_create(SimBackend *b, unsigned proc, const struct rp_map_attr *a)
{
	KbProc *p = kb_proc_get(b, proc);
	LIBBPF_OPTS(bpf_map_create_opts, opts);
	union bpf_attr attr;
	KbJob j = { .b = b, .map_attr = a, .opts = &opts, .attr = &attr };
	struct bpf_map_info info;
	int fd;

	g_return_val_if_fail(a != NULL, -EFAULT);
	if (p == NULL)
		return -ESRCH;
	opts.map_flags = a->map_flags;
	if (map_is_outer(a->map_type))
		opts.inner_map_fd = (uint32_t)kb_fd_xlate(p, a->inner_map_fd);
	opts.numa_node = a->numa_node;
	opts.btf_fd = (uint32_t)kb_fd_xlate(p, (int)a->btf_fd);
	opts.btf_key_type_id = a->btf_key_type_id;
	opts.btf_value_type_id = a->btf_value_type_id;
	opts.btf_vmlinux_value_type_id = a->btf_vmlinux_value_type_id;
	opts.map_extra = a->map_extra;
	if (memchr(a->name, '\0', sizeof(attr.map_name)) != NULL &&
	    !a->tail_nonzero) {
		fd = on_proc_memlock(p, j_map_create, &j);
	} else {
		/* RAW: libbpf cuts a name to 15 bytes and a NUL, and sends
		 * no byte past the last field: the kernel's two EINVALs
		 * (a name of 16 bytes without NUL, CHECK_ATTR()) need the
		 * attributes as the scenario spelled them */
		memset(&attr, 0, sizeof(attr));
		attr.map_type = a->map_type;
		attr.key_size = a->key_size;
		attr.value_size = a->value_size;
		attr.max_entries = a->max_entries;
		attr.map_flags = opts.map_flags;
		attr.inner_map_fd = opts.inner_map_fd;
		attr.numa_node = opts.numa_node;
		memcpy(attr.map_name, a->name, sizeof(attr.map_name));
		attr.btf_fd = opts.btf_fd;
		attr.btf_key_type_id = opts.btf_key_type_id;
		attr.btf_value_type_id = opts.btf_value_type_id;
		attr.btf_vmlinux_value_type_id = opts.btf_vmlinux_value_type_id;
		attr.map_extra = opts.map_extra;
		/* past every BPF_MAP_CREATE field, inside the running
		 * kernel's union bpf_attr (R-CRE-1): its last byte */
		if (a->tail_nonzero)
			((uint8_t *)&attr)[kernel_attr_size() - 1] = 1;
		fd = on_proc_memlock(p, j_map_create_raw, &j);
	}
	if (fd < 0)
		return fd;
	if (kb_map_info(fd, &info) == 0)
		kb_map_id_of_kid(b, info.id);
	return kb_fd_install(p, fd);
}

/* Key and value sizes of the map behind real fd (defaults when not a map,
 * so the kernel gives its own error). */
static void
map_sizes(int fd, struct bpf_map_info *info)
{
	if (fd < 0 || fd == KB_CLOSED_FD || kb_fd_kind(fd) != KB_KIND_MAP ||
	    kb_map_info(fd, info) != 0) {
		memset(info, 0, sizeof(*info));
		info->key_size = 4;
		info->value_size = 8;
	}
}

/* A zeroed buffer of at least 8 bytes and n. */
static void *
buf_new(uint32_t n)
{
	return g_malloc0(MAX(n, 8u));
}

/* The integer in a value buffer of a 4- or 8-byte value map (the
 * scenario's values are integers, as rp_map_lookup() gives them). */
static uint64_t
value_get(const uint8_t *v, uint32_t value_size)
{
	uint32_t v32;
	uint64_t v64;

	if (value_size == 4) {
		memcpy(&v32, v, 4);
		return v32;
	}
	memcpy(&v64, v, 8);
	return v64;
}

/* Store x in a value buffer as value_get() reads it. */
static void
value_put(uint8_t *v, uint32_t value_size, uint64_t x)
{
	uint32_t x32 = (uint32_t)x;

	if (value_size == 4)
		memcpy(v, &x32, 4);
	else
		memcpy(v, &x, 8);
}

/*
 * The set-up of every call on one element: the process proc (NULL: there
 * is none), j->fd, the map's sizes, and zeroed buffers of the map's key
 * size (*k, holding key and made j->key when key is not NULL) and, when v
 * is not NULL, of its value size (*v, made j->value).
 */
static KbProc *
map_job(SimBackend *b, unsigned proc, int fd, const uint32_t *key, KbJob *j,
    struct bpf_map_info *info, uint8_t **k, uint8_t **v)
{
	KbProc *p = kb_proc_get(b, proc);

	if (p == NULL)
		return NULL;
	j->fd = kb_fd_xlate(p, fd);
	map_sizes(j->fd, info);
	*k = buf_new(info->key_size);
	if (key != NULL) {
		memcpy(*k, key, sizeof(*key));
		j->key = *k;
	}
	if (v != NULL) {
		*v = buf_new(info->value_size);
		j->value = *v;
	}
	return p;
}

static int
kb_map_lookup(SimBackend *b, unsigned proc, int fd, uint32_t key,
    uint64_t *value, uint64_t flags)
{
	KbProc *p;
	struct bpf_map_info info;
	KbJob j = { .b = b, .flags = flags };
	g_autofree uint8_t *k = NULL, *v = NULL;
	int err;

	g_return_val_if_fail(value != NULL, -EFAULT);
	p = map_job(b, proc, fd, &key, &j, &info, &k, &v);
	if (p == NULL)
		return -ESRCH;
	err = on_proc(p, j_map_lookup, &j);
	if (err < 0)
		return err;
	*value = value_get(v, info.value_size);
	/* outer maps answer the inner map's kernel id: name it ours */
	if (map_is_outer(info.type))
		*value = kb_map_id_of_kid(b, (uint32_t)*value);
	return 0;
}

/*
 * A value for the kernel: fds (sockets, inner maps) are the scenario fds
 * of the caller and become real fds; a value that is no fd of the caller
 * becomes a closed fd (EBADF); a negative 32-bit value or a 64-bit value
 * above S32_MAX goes through unchanged (EBADF / EINVAL in the kernel).
 */
static uint64_t
value_xlate(const KbProc *p, uint64_t v, uint32_t value_size)
{
	if (value_size == 4) {
		if ((int32_t)(uint32_t)v < 0)
			return v;
		v = (uint32_t)v;
	} else if (v > INT32_MAX) {
		return v;
	}
	return (uint64_t)kb_fd_xlate(p, (int)v);
}

/* Does a map of this type take fds as values (sockets, inner maps)? */
static bool
map_holds_fds(uint32_t type)
{
	return map_holds_socks(type) || map_is_outer(type);
}

static int
kb_map_update(SimBackend *b, unsigned proc, int fd, uint32_t key,
    uint64_t value, uint64_t flags)
{
	KbProc *p;
	struct bpf_map_info info;
	KbJob j = { .b = b, .flags = flags };
	g_autofree uint8_t *k = NULL, *v = NULL;
	uint64_t x;
	int err;

	p = map_job(b, proc, fd, &key, &j, &info, &k, &v);
	if (p == NULL)
		return -ESRCH;
	/* a value map (array, hash) holds the number itself, not an fd */
	x = map_holds_fds(info.type) ? value_xlate(p, value, info.value_size) :
	    value;
	value_put(v, info.value_size, x);
	err = on_proc(p, j_map_update, &j);
	if (err == 0 && map_holds_socks(info.type))
		array_note(b, info.id, (int)x);
	if (err == 0 && map_is_outer(info.type))
		outer_note(b, info.id, (int)x);
	return err;
}

static int
kb_map_delete(SimBackend *b, unsigned proc, int fd, uint32_t key)
{
	KbProc *p;
	struct bpf_map_info info;
	KbJob j = { .b = b };
	g_autofree uint8_t *k = NULL;

	p = map_job(b, proc, fd, &key, &j, &info, &k, NULL);
	if (p == NULL)
		return -ESRCH;
	return on_proc(p, j_map_delete, &j);
}

static int
kb_map_next_key(SimBackend *b, unsigned proc, int fd, const uint32_t *key,
    uint32_t *next)
{
	KbProc *p;
	struct bpf_map_info info;
	KbJob j = { .b = b };
	g_autofree uint8_t *k = NULL, *n = NULL;
	int err;

	g_return_val_if_fail(next != NULL, -EFAULT);
	p = map_job(b, proc, fd, key, &j, &info, &k, NULL);
	if (p == NULL)
		return -ESRCH;
	n = buf_new(info.key_size);	/* the next key, not a value */
	j.value = n;
	err = on_proc(p, j_map_next_key, &j);
	if (err == 0)
		memcpy(next, n, sizeof(*next));
	return err;
}

static int
kb_map_freeze(SimBackend *b, unsigned proc, int fd)
{
	KbJob j = { .b = b };

	return on_fd(b, proc, fd, j_map_freeze, &j);
}

static int
kb_map_lookup_and_delete(SimBackend *b, unsigned proc, int fd, uint32_t key,
    uint64_t *value)
{
	KbProc *p;
	struct bpf_map_info info;
	KbJob j = { .b = b };
	g_autofree uint8_t *k = NULL, *v = NULL;
	int err;

	g_return_val_if_fail(value != NULL, -EFAULT);
	p = map_job(b, proc, fd, &key, &j, &info, &k, &v);
	if (p == NULL)
		return -ESRCH;
	err = on_proc(p, j_map_lookup_and_delete, &j);
	if (err == 0)
		*value = value_get(v, info.value_size);
	return err;
}

static int
kb_map_lookup_batch(SimBackend *b, unsigned proc, int fd)
{
	KbProc *p;
	struct bpf_map_info info;
	KbJob j = { .b = b };
	g_autofree uint8_t *out = NULL, *k = NULL, *v = NULL;

	p = map_job(b, proc, fd, NULL, &j, &info, &k, &v);
	if (p == NULL)
		return -ESRCH;
	out = buf_new(info.key_size);
	j.out = out;
	j.key = k;	/* the batch's first key: zero */
	return on_proc(p, j_map_lookup_batch, &j);
}

/* BPF_OBJ_GET_INFO_BY_FD as the process; a map's kernel id becomes the
 * backend's id. */
static int
kb_map_get_info(SimBackend *b, unsigned proc, int fd,
    struct rp_map_info *out)
{
	KbProc *p = kb_proc_get(b, proc);
	struct bpf_map_info info;
	KbJob j = { .b = b };
	int err;

	memset(out, 0, sizeof(*out));
	if (p == NULL)
		return -ESRCH;
	j.fd = kb_fd_xlate(p, fd);
	/* a program's info is shorter: the buffer is big enough for both */
	memset(&info, 0, sizeof(info));
	j.out = &info;
	j.len = sizeof(info);
	err = on_proc(p, j_obj_get_info, &j);
	if (err < 0)
		return err;
	if (kb_fd_kind(j.fd) != KB_KIND_MAP)
		return 1;	/* a program (or a BTF or link object) */
	out->id = kb_map_id_of_kid(b, info.id);
	out->type = info.type;
	out->key_size = info.key_size;
	out->value_size = info.value_size;
	out->max_entries = info.max_entries;
	out->map_flags = info.map_flags;
	memcpy(out->name, info.name, sizeof(out->name));
	out->name[sizeof(out->name) - 1] = '\0';
	return 0;
}

/* ---------------------------------------------------------------------
 * Programs
 */

/* A map made by the backend itself (root, main thread). */
static int
aux_map(uint32_t type, uint32_t key_size, uint32_t value_size,
    uint32_t max_entries, const char *name)
{
	return kb_libbpf(bpf_map_create((enum bpf_map_type)type, name,
	    key_size, value_size, max_entries, NULL));
}

/*
 * BPF_PROG_LOAD on p's worker; on failure the verifier log is noted.
 * libbpf loads without a log first and, when that fails, once more with
 * log level 1 into the buffer (the answer is the second load's).
 */
static int
prog_load_insns(SimBackend *b, KbProc *p, uint32_t type, uint32_t eat,
    const GArray *insns)
{
	const gsize size = 1 << 20;
	g_autofree char *log = g_malloc0(size);
	LIBBPF_OPTS(bpf_prog_load_opts, opts,
	    .expected_attach_type = (enum bpf_attach_type)eat,
	    .log_buf = log, .log_size = (uint32_t)size);
	KbJob j = { .b = b, .i1 = (int)type, .insns = insns, .opts = &opts };
	int fd;

	fd = on_proc_memlock(p, j_prog_load, &j);
	if (fd < 0 && log[0] != '\0') {
		size_t n = strnlen(log, size);
		const char *tail = log + (n > 2048 ? n - 2048 : 0);

		kb_note(b, "prog load: %s; verifier: %s", g_strerror(-fd),
		    tail);
	}
	return fd;
}

static int
kb_prog_load(SimBackend *b, unsigned proc, const struct rp_prog_attr *a)
{
	KbProc *p = kb_proc_get(b, proc);
	g_autoptr(GArray) insns = g_array_new(FALSE, FALSE,
	    sizeof(struct rp_insn));
	int stats = -1, migrate = -1, fd, err;
	struct bpf_prog_info info;
	KbProg *pr;

	g_return_val_if_fail(a != NULL, -EFAULT);
	if (p == NULL)
		return -ESRCH;
	if (a->prog_type == BPF_PROG_TYPE_SK_REUSEPORT ||
	    a->prog_type == BPF_PROG_TYPE_SOCKET_FILTER) {
		stats = aux_map(BPF_MAP_TYPE_ARRAY, 4,
		    sizeof(struct bpfgen_stats), 1, "rp_sim_stats");
		if (stats < 0) {
			kb_note(b, "statistics map: %s", g_strerror(-stats));
			return stats;
		}
	}
	if (a->prog_type == BPF_PROG_TYPE_SK_REUSEPORT) {
		migrate = aux_map(BPF_MAP_TYPE_HASH, 8, 4, 1024,
		    "rp_sim_migrate");
		if (migrate < 0) {
			kb_note(b, "migrate map: %s", g_strerror(-migrate));
			close(stats);
			return migrate;
		}
		err = bpfgen_sk_reuseport(&a->policy, a->map_fd < 0 ? -1 :
		    kb_fd_xlate(p, a->map_fd), migrate, stats, insns);
	} else if (a->prog_type == BPF_PROG_TYPE_SOCKET_FILTER) {
		err = bpfgen_socket_filter(&a->policy, a->map_fd < 0 ? -1 :
		    kb_fd_xlate(p, a->map_fd), stats, insns);
	} else {
		bpfgen_trivial(insns);
		err = 0;
	}
	if (err != 0) {
		kb_note(b, "prog load: the policy cannot be expressed");
		fd = err;
	} else {
		fd = prog_load_insns(b, p, a->prog_type,
		    a->expected_attach_type, insns);
	}
	if (fd < 0) {
		if (stats >= 0)
			close(stats);
		if (migrate >= 0)
			close(migrate);
		return fd;
	}
	pr = g_new0(KbProg, 1);
	pr->id = ++b->next_prog;
	pr->kid = kb_prog_info(fd, &info) == 0 ? info.id : 0;
	pr->type = a->prog_type;
	pr->stats_fd = stats;
	pr->migrate_fd = migrate;
	g_ptr_array_add(b->prog_list, pr);
	g_hash_table_insert(b->progs, GUINT_TO_POINTER(pr->kid), pr);
	return kb_fd_install(p, fd);
}

/* libbpf's complaints while an object loads (the verifier's log among
 * them), for the note of a refused program. */
static GString *object_log;

static int G_GNUC_PRINTF(2, 0)
object_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (level != LIBBPF_DEBUG && object_log != NULL &&
	    object_log->len < 64 * 1024)
		g_string_append_vprintf(object_log, fmt, ap);
	return 0;
}

static int
j_object_load(void *arg)
{
	KbJob *j = arg;

	return kb_libbpf(bpf_object__load(j->value));
}

/*
 * The object's program loaded through libbpf, as a user's loader would:
 * bpf_map__reuse_fd() for the bound maps, libbpf creates the others, the
 * kernel's verifier judges the program.  The fds libbpf opened are
 * duplicated into proc's table (maps in index order, then the program),
 * and the object closed.
 */
static int
kb_prog_load_object(SimBackend *b, unsigned proc, const SimBpfObj *obj,
    const int *reuse, int *map_fds)
{
	KbProc *p = kb_proc_get(b, proc);
	struct bpf_object *o;
	struct bpf_program *q, *prog = NULL;
	struct bpf_map *m;
	struct bpf_prog_info info;
	libbpf_print_fn_t old;
	KbJob j = { .b = b };
	KbProg *pr;
	guint i = 0;
	int fd, err;

	if (p == NULL)
		return -ESRCH;
	o = bpf_object__open_file(obj->path, NULL);
	if ((err = kb_libbpf(libbpf_get_error(o))) != 0) {
		kb_note(b, "object %s: libbpf cannot open it: %s", obj->path,
		    g_strerror(-err));
		return err;
	}
	bpf_object__for_each_program(q, o) {
		gboolean mine = strcmp(bpf_program__name(q), obj->prog) == 0;

		(void)bpf_program__set_autoload(q, mine);
		if (mine)
			prog = q;
	}
	bpf_object__for_each_map(m, o) {
		if (i < obj->maps->len && reuse[i] >= 0 &&
		    (err = bpf_map__reuse_fd(m, kb_fd_xlate(p, reuse[i]))) != 0)
			break;
		i++;
	}
	if (prog == NULL || i != obj->maps->len) {
		kb_note(b, "object %s: %s", obj->path, prog == NULL ?
		    "the program is gone" : "its maps changed");
		bpf_object__close(o);
		return prog == NULL || err == 0 ? -ENOENT : err;
	}
	object_log = g_string_new(NULL);
	old = libbpf_set_print(object_print);
	j.value = o;
	err = on_proc_memlock(p, j_object_load, &j);
	(void)libbpf_set_print(old);
	if (err < 0) {
		const char *t = object_log->str;

		if (object_log->len > 2048)
			t += object_log->len - 2048;
		kb_note(b, "object %s: program %s refused: %s; libbpf: %s",
		    obj->path, obj->prog, g_strerror(-err), t);
	}
	g_string_free(object_log, TRUE);
	object_log = NULL;
	if (err < 0) {
		bpf_object__close(o);
		return err;
	}
	i = 0;
	bpf_object__for_each_map(m, o) {
		struct bpf_map_info mi;
		int mfd;

		map_fds[i] = reuse[i];
		if (reuse[i] < 0) {
			mfd = fcntl(bpf_map__fd(m), F_DUPFD_CLOEXEC, 3);
			/* ids in creation order, as the model numbers them */
			if (kb_map_info(mfd, &mi) == 0)
				(void)kb_map_id_of_kid(b, mi.id);
			map_fds[i] = kb_fd_install(p, mfd);
		}
		i++;
	}
	fd = fcntl(bpf_program__fd(prog), F_DUPFD_CLOEXEC, 3);
	bpf_object__close(o);
	if (fd < 0)
		return -errno;	/* LCOV_EXCL_LINE */
	pr = g_new0(KbProg, 1);
	pr->id = ++b->next_prog;
	pr->kid = kb_prog_info(fd, &info) == 0 ? info.id : 0;
	pr->type = obj->prog_type;
	pr->stats_fd = pr->migrate_fd = -1;
	g_ptr_array_add(b->prog_list, pr);
	g_hash_table_insert(b->progs, GUINT_TO_POINTER(pr->kid), pr);
	return kb_fd_install(p, fd);
}

static int
kb_prog_migrate_set(SimBackend *b, unsigned proc, int progfd,
    uint64_t cookie, uint32_t key)
{
	KbProc *p = kb_proc_get(b, proc);
	KbProg *pr;
	int real;

	if (p == NULL)
		return -ESRCH;
	real = kb_fd_real(p, progfd);
	if (real < 0)
		return -EBADF;
	pr = kb_prog_of_fd(b, real);
	if (pr == NULL)
		return -EINVAL;
	if (pr->migrate_fd < 0)
		return 0;	/* the model keeps a table no one reads */
	return kb_libbpf(bpf_map_update_elem(pr->migrate_fd, &cookie, &key,
	    BPF_ANY));
}

const SimBackendOps sim_backend_kernel = {
	.name = "kernel",
	.open = kb_open,
	.close = kb_close,
	.sock_id = kb_sock_id,
	.map_id = kb_map_id,
	.prog_id = kb_prog_id,
	.netns_new = kb_netns_new,
	.proc_new = kb_proc_new,
	.proc_set_caps = kb_proc_set_caps,
	.proc_set_memlock = kb_proc_set_memlock,
	.sysctl_set = kb_sysctl_set,
	.set_cpu = kb_set_cpu,
	.dup = kb_dup,
	.pass = kb_pass,
	.close_fd = kb_close_fd,
	.socket = kb_socket,
	.setsockopt = kb_setsockopt,
	.bind = kb_bind,
	.listen = kb_listen,
	.connect = kb_connect,
	.shutdown = kb_shutdown,
	.accept = kb_accept,
	.get_cookie = kb_get_cookie,
	.getsockname = kb_getsockname,
	.set_foreign_owner = kb_set_foreign_owner,
	.attach_cbpf = kb_attach_cbpf,
	.attach_cbpf_insns = kb_attach_cbpf_insns,
	.attach_ebpf = kb_attach_ebpf,
	.detach_bpf = kb_detach_bpf,
	.map_create = kb_map_create,
	.map_lookup = kb_map_lookup,
	.map_update = kb_map_update,
	.map_delete = kb_map_delete,
	.map_next_key = kb_map_next_key,
	.map_freeze = kb_map_freeze,
	.map_lookup_and_delete = kb_map_lookup_and_delete,
	.map_lookup_batch = kb_map_lookup_batch,
	.map_get_info = kb_map_get_info,
	.prog_load = kb_prog_load,
	.prog_migrate_set = kb_prog_migrate_set,
	.prog_load_object = kb_prog_load_object,
	.send = kb_send,
	.requests_ack = kb_requests_ack,
	.settle = kb_settle,
	.kconfig = kb_kconfig,
	.requests_timer = kb_requests_timer,
	.inspect = NULL,
	.why = sim_backend_kernel_last_error,
};
