/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * worker.c - the worker threads of the live-kernel backend (worker.h).
 */
#include "backend/kernel/kernel-int.h"
#include "backend/kernel/worker.h"

/* Bring lo up in the calling thread's network namespace: 0 or -errno. */
int
sim_kernel_lo_up(void)
{
	struct ifreq ifr;
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), err = 0;

	if (s < 0)
		return -errno;
	memset(&ifr, 0, sizeof(ifr));
	g_strlcpy(ifr.ifr_name, "lo", sizeof(ifr.ifr_name));
	if (ioctl(s, SIOCGIFFLAGS, &ifr) != 0) {
		err = -errno;
	} else {
		ifr.ifr_flags |= IFF_UP;
		if (ioctl(s, SIOCSIFFLAGS, &ifr) != 0)
			err = -errno;
	}
	close(s);
	return err;
}

/* Write "val\n" to an open sysctl file. */
int
kb_sysctl_write_fd(int fd, long val)
{
	char buf[32];
	int n = snprintf(buf, sizeof(buf), "%ld\n", val);

	if (pwrite(fd, buf, (size_t)n, 0) < 0)
		return -errno;
	return 0;
}

/*
 * net.ipv4.ip_local_port_range of every namespace: the kernel picks an
 * ephemeral port at random in its range, the model the lowest free one
 * from 32768 up.  Scenarios name fixed client ports from 40000 up (send
 * ... from 127.0.0.1:46000); with the default 32768-60999 a server's
 * random port met one of them now and then (EADDRINUSE at the client's
 * bind).  Below 40000 it cannot.
 */
#define KB_PORT_RANGE	"32768 39999\n"

static int
port_range_set(void)
{
	int fd = open("/proc/sys/net/ipv4/ip_local_port_range",
	    O_WRONLY | O_CLOEXEC), err = 0;

	if (fd < 0)
		return -errno;
	if (write(fd, KB_PORT_RANGE, strlen(KB_PORT_RANGE)) < 0)
		err = -errno;
	close(fd);
	return err;
}

/* Pin the calling thread (tid 0) or thread tid to cpu. */
int
kb_pin(pid_t tid, int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return sched_setaffinity(tid, sizeof(set), &set) == 0 ? 0 : -errno;
}

/* Effective capabilities := caps (within the permitted set); this thread. */
int
kb_caps_set(uint64_t caps)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3, .pid = 0 };
	struct __user_cap_data_struct d[2];
	uint64_t perm, eff;

	if (syscall(SYS_capget, &hdr, d) != 0)
		return -errno;
	perm = d[0].permitted | (uint64_t)d[1].permitted << 32;
	eff = caps & perm;
	d[0].effective = (uint32_t)eff;
	d[1].effective = (uint32_t)(eff >> 32);
	d[0].inheritable = d[1].inheritable = 0;
	if (syscall(SYS_capset, &hdr, d) != 0)
		return -errno;
	return 0;
}

/*
 * Become uid with effective capabilities caps, in this thread only: the
 * permitted set is kept (PR_SET_KEEPCAPS) so caps can be raised again.
 */
static int
creds_set(uint32_t uid, uint64_t caps)
{
	if (uid != 0) {
		if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) != 0)
			return -errno;
		if (syscall(SYS_setresuid, uid, uid, uid) != 0)
			return -errno;
	}
	return kb_caps_set(caps);
}

static int
worker_setup(KbWorker *w)
{
	int err;

	w->tid = gettid();
	if (w->cpu >= 0 && (err = kb_pin(0, w->cpu)) != 0) {
		w->start_what = g_strdup("sched_setaffinity");
		return err;
	}
	if (w->join_fd < 0) {
		if (unshare(CLONE_NEWNET) != 0) {
			w->start_what = g_strdup("unshare");
			return -errno;
		}
		if ((err = sim_kernel_lo_up()) != 0) {
			w->start_what = g_strdup("bringing lo up");
			return err;
		}
		w->tfo_fd = open("/proc/sys/net/ipv4/tcp_fastopen",
		    O_RDWR | O_CLOEXEC);
		if (w->tfo_fd < 0 ||
		    (err = kb_sysctl_write_fd(w->tfo_fd, KB_TFO_ON)) != 0) {
			w->start_what = g_strdup("net.ipv4.tcp_fastopen");
			return w->tfo_fd < 0 ? -errno : err;
		}
		if ((err = port_range_set()) != 0) {
			w->start_what = g_strdup("net.ipv4.ip_local_port_range");
			return err;
		}
		w->new_nsfd = open("/proc/thread-self/ns/net",
		    O_RDONLY | O_CLOEXEC);
		if (w->new_nsfd < 0) {
			w->start_what = g_strdup("/proc/thread-self/ns/net");
			return -errno;
		}
	} else if (setns(w->join_fd, CLONE_NEWNET) != 0) {
		w->start_what = g_strdup("setns");
		return -errno;
	}
	if (w->set_creds && (err = creds_set(w->uid, w->caps)) != 0) {
		w->start_what = g_strdup("setresuid/capset");
		return err;
	}
	return 0;
}

static gpointer
worker_main(gpointer data)
{
	KbWorker *w = data;
	int err = worker_setup(w);

	g_mutex_lock(&w->lock);
	w->start_err = err;
	w->started = TRUE;
	g_cond_broadcast(&w->cond);
	while (err == 0) {
		KbFn fn;
		void *arg;
		int ret;

		while (!w->pending && !w->quit)
			g_cond_wait(&w->cond, &w->lock);
		if (!w->pending)
			break;
		fn = w->fn;
		arg = w->arg;
		g_mutex_unlock(&w->lock);
		ret = fn(arg);
		g_mutex_lock(&w->lock);
		w->ret = ret;
		w->pending = FALSE;
		g_cond_broadcast(&w->cond);
	}
	g_mutex_unlock(&w->lock);
	return NULL;
}

void
kb_worker_free(KbWorker *w)
{
	if (w == NULL)
		return;
	if (w->thread != NULL) {
		g_mutex_lock(&w->lock);
		w->quit = TRUE;
		g_cond_broadcast(&w->cond);
		g_mutex_unlock(&w->lock);
		g_thread_join(w->thread);
	}
	if (w->new_nsfd >= 0)
		close(w->new_nsfd);
	if (w->tfo_fd >= 0)
		close(w->tfo_fd);
	g_free(w->start_what);
	g_mutex_clear(&w->lock);
	g_cond_clear(&w->cond);
	g_free(w);
}

/*
 * Start a worker in namespace join_fd (-1: a new one) with uid/caps when
 * set_creds.  Returns it, or NULL with *err and *what set.
 */
KbWorker *
kb_worker_new(int join_fd, gboolean set_creds, uint32_t uid, uint64_t caps,
    int cpu, int *err, char **what)
{
	KbWorker *w = g_new0(KbWorker, 1);
	GError *gerr = NULL;

	g_mutex_init(&w->lock);
	g_cond_init(&w->cond);
	w->join_fd = join_fd;
	w->set_creds = set_creds;
	w->uid = uid;
	w->caps = caps;
	w->cpu = cpu;
	w->new_nsfd = w->tfo_fd = -1;
	w->thread = g_thread_try_new("kb-worker", worker_main, w, &gerr);
	if (w->thread == NULL) {
		*err = -EAGAIN;
		*what = g_strdup_printf("thread: %s", gerr->message);
		g_error_free(gerr);
		kb_worker_free(w);
		return NULL;
	}
	g_mutex_lock(&w->lock);
	while (!w->started)
		g_cond_wait(&w->cond, &w->lock);
	g_mutex_unlock(&w->lock);
	if (w->start_err != 0) {
		*err = w->start_err;
		*what = g_steal_pointer(&w->start_what);
		kb_worker_free(w);	/* the thread has returned already */
		return NULL;
	}
	return w;
}

/* Run fn(arg) on w and return its result. */
int
kb_worker_run(KbWorker *w, KbFn fn, void *arg)
{
	int ret;

	g_mutex_lock(&w->lock);
	w->fn = fn;
	w->arg = arg;
	w->pending = TRUE;
	g_cond_broadcast(&w->cond);
	while (w->pending)
		g_cond_wait(&w->cond, &w->lock);
	ret = w->ret;
	g_mutex_unlock(&w->lock);
	return ret;
}
