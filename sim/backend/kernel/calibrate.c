/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * calibrate.c - measuring which build of its version the running kernel
 * is (backend/kernel.h, sim_kernel_calibrate()): one probe per build
 * variant switch of the model (rp_variant_switch) and per kernel build
 * option it knows (rp_kconfig), each in a private network namespace of
 * its own thread, on loopback, nothing changed outside it.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <sched.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <linux/filter.h>

#include "backend/kernel.h"

#ifndef SO_ATTACH_REUSEPORT_CBPF
#define SO_ATTACH_REUSEPORT_CBPF 51
#endif
#ifndef IPPROTO_MPTCP
#define IPPROTO_MPTCP 262
#endif

/*
 * attach_shutdown_listener: a TCP listener on [::1] with SO_REUSEPORT,
 * stopped by shutdown(SHUT_RDWR), then SO_ATTACH_REUSEPORT_CBPF `ret #0`
 * (the probe of docs/SPEC.md).  0: resurrect (a group of its own), 1:
 * einval, -1 with *why when the probe itself failed.
 */
static int
probe_attach_shutdown(char **why)
{
	/* KERNEL: reuseport_attach_prog() on an unhashed listener */
	struct sock_filter ret0 = BPF_STMT(BPF_RET | BPF_K, 0);
	struct sock_fprog prog;
	struct sockaddr_in6 sa = { .sin6_family = AF_INET6 };
	int one = 1, fd, r, v = -1;

	memset(&prog, 0, sizeof(prog));	/* the padding after len too */
	prog.len = 1;
	prog.filter = &ret0;
	sa.sin6_addr = in6addr_loopback;
	sa.sin6_port = htons(8007);
	fd = socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		*why = g_strdup_printf("socket: %s", g_strerror(errno));
		return -1;
	}
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one)) != 0 ||
	    bind(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0 ||
	    listen(fd, 8) != 0 || shutdown(fd, SHUT_RDWR) != 0) {
		*why = g_strdup_printf("listener: %s", g_strerror(errno));
		close(fd);
		return -1;
	}
	r = setsockopt(fd, SOL_SOCKET, SO_ATTACH_REUSEPORT_CBPF, &prog,
	    sizeof(prog));
	if (r == 0) {
		v = 0;
		*why = g_strdup("SO_ATTACH_REUSEPORT_CBPF on a listener after "
		    "shutdown(): 0");
	} else if (errno == EINVAL) {
		v = 1;
		*why = g_strdup("SO_ATTACH_REUSEPORT_CBPF on a listener after "
		    "shutdown(): -EINVAL");
	} else {
		*why = g_strdup_printf("SO_ATTACH_REUSEPORT_CBPF on a listener "
		    "after shutdown(): %s, neither 0 nor EINVAL",
		    g_strerror(errno));
	}
	close(fd);
	return v;
}

static int
bound_socket(int type, const char *addr, uint16_t port, bool reuseport)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	int one = 1, fd = socket(AF_INET, type | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -errno;
	sa.sin_port = htons(port);
	inet_pton(AF_INET, addr, &sa.sin_addr);
	if ((reuseport && setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one,
	    sizeof(one)) != 0) ||
	    bind(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		int err = -errno;

		close(fd);
		return err;
	}
	return fd;
}

/*
 * udp_bind_walk: on 127.0.0.1:8008 (udp4), a socket at 127.0.0.2 without
 * SO_REUSEPORT, a newer one at 127.0.0.1 with it, then a binder of
 * 0.0.0.0 with it (docs/SPEC.md).  0: first-sharer (the sharer at
 * 127.0.0.1 admits it), 1: exact-sharer (-EADDRINUSE: the walk went on to
 * the first), -1 with *why.
 */
static int
probe_udp_bind_walk(char **why)
{
	/* KERNEL: udp_lib_lport_inuse(), which sharer ends the walk */
	int a, b, c, v = -1;

	a = bound_socket(SOCK_DGRAM, "127.0.0.2", 8008, false);
	b = a >= 0 ? bound_socket(SOCK_DGRAM, "127.0.0.1", 8008, true) : a;
	if (a < 0 || b < 0) {
		*why = g_strdup_printf("udp sockets: %s", g_strerror(-(a < 0 ?
		    a : b)));
		if (a >= 0)
			close(a);
		return -1;
	}
	c = bound_socket(SOCK_DGRAM, "0.0.0.0", 8008, true);
	if (c >= 0) {
		v = 0;
		*why = g_strdup("a UDP bind of 0.0.0.0 past a sharer at "
		    "127.0.0.1 and a refuser at 127.0.0.2: 0");
		close(c);
	} else if (c == -EADDRINUSE) {
		v = 1;
		*why = g_strdup("a UDP bind of 0.0.0.0 past a sharer at "
		    "127.0.0.1 and a refuser at 127.0.0.2: -EADDRINUSE");
	} else {
		*why = g_strdup_printf("a UDP bind of 0.0.0.0 past a sharer: "
		    "%s, neither 0 nor EADDRINUSE", g_strerror(-c));
	}
	close(a);
	close(b);
	return v;
}

/*
 * tcp_role_change: a tcp4 socket refused by 127.0.0.1:8011 (nothing
 * listens), then listen(); and a listener on 127.0.0.1:8012 stopped by
 * shutdown(SHUT_RDWR), then connect() to 127.0.0.1:8011.  0: allowed
 * (listen 0, connect -ECONNREFUSED), 1: einval (-EINVAL both), -1 with
 * *why (the two disagree, or another answer).
 */
static int
probe_role_change(char **why)
{
	/* KERNEL: inet_listen(), __inet_stream_connect() on a socket that
	 * was the other role */
	struct sockaddr_in to = { .sin_family = AF_INET };
	int s, l, rl, rc, v = -1;

	to.sin_port = htons(8011);
	to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	l = bound_socket(SOCK_STREAM, "127.0.0.1", 8012, false);
	if (s < 0 || l < 0 || listen(l, 8) != 0 ||
	    shutdown(l, SHUT_RDWR) != 0) {
		*why = g_strdup_printf("tcp sockets: %s", g_strerror(l < 0 ?
		    -l : errno));
		if (s >= 0)
			close(s);
		if (l >= 0)
			close(l);
		return -1;
	}
	rl = connect(s, (struct sockaddr *)&to, sizeof(to)) == 0 ? -EISCONN :
	    errno != ECONNREFUSED ? -errno : listen(s, 8) == 0 ? 0 : -errno;
	rc = connect(l, (struct sockaddr *)&to, sizeof(to)) == 0 ? 0 : -errno;
	if (rl == 0 && rc == -ECONNREFUSED)
		v = 0;
	else if (rl == -EINVAL && rc == -EINVAL)
		v = 1;
	*why = g_strdup_printf("listen() after a refused connect(): %s, "
	    "connect() after a listener's shutdown(): %s%s",
	    rl == 0 ? "0" : g_strerror(-rl), g_strerror(-rc), v < 0 ?
	    ", neither both allowed nor both EINVAL" : "");
	close(s);
	close(l);
	return v;
}

/* CONFIG_MPTCP: socket(AF_INET, SOCK_STREAM, IPPROTO_MPTCP).  1 built
 * in, 0 not, -1 with *why when the answer says neither. */
static int
probe_mptcp(char **why)
{
	/* KERNEL: inet_create(): no protocol 262 without CONFIG_MPTCP */
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, IPPROTO_MPTCP);

	if (fd >= 0) {
		close(fd);
		*why = g_strdup("socket(AF_INET, SOCK_STREAM, IPPROTO_MPTCP): "
		    "a socket");
		return 1;
	}
	if (errno == EPROTONOSUPPORT || errno == EINVAL) {
		*why = g_strdup_printf("socket(AF_INET, SOCK_STREAM, "
		    "IPPROTO_MPTCP): %s", g_strerror(errno));
		return 0;
	}
	*why = g_strdup_printf("socket(AF_INET, SOCK_STREAM, IPPROTO_MPTCP): "
	    "%s, neither a socket nor EPROTONOSUPPORT", g_strerror(errno));
	return -1;
}

/* Is the running kernel built with CONFIG_MPTCP?  (Any namespace: a
 * socket that is not bound or used touches nothing.) */
gboolean
sim_kernel_has_mptcp(void)
{
	g_autofree char *why = NULL;

	return probe_mptcp(&why) == 1;
}

typedef struct {
	SimKernelCalibration	*out;
	int			 err;		/* -errno of the set-up */
	const char		*what;
} Probe;

static gpointer
probe_thread(gpointer p)
{
	Probe *pr = p;
	SimKernelCalibration *c = pr->out;
	int err;

	/* a namespace of this thread only: the machine's stays as it was */
	if (unshare(CLONE_NEWNET) != 0) {
		pr->err = -errno;
		pr->what = "unshare";
		return NULL;
	}
	if ((err = sim_kernel_lo_up()) != 0) {
		pr->err = err;
		pr->what = "bringing lo up";
		return NULL;
	}
	c->switches[RP_SWITCH_ATTACH_SHUTDOWN_LISTENER] =
	    probe_attach_shutdown(&c->why[RP_SWITCH_ATTACH_SHUTDOWN_LISTENER]);
	c->switches[RP_SWITCH_UDP_BIND_WALK] =
	    probe_udp_bind_walk(&c->why[RP_SWITCH_UDP_BIND_WALK]);
	c->switches[RP_SWITCH_TCP_ROLE_CHANGE] =
	    probe_role_change(&c->why[RP_SWITCH_TCP_ROLE_CHANGE]);
	c->mptcp = probe_mptcp(&c->mptcp_why);
	return NULL;
}

/*
 * Measure the running kernel: its release, the value of every build
 * variant switch and build option.  FALSE with error in SIM_KERNEL_ERROR
 * (PERMISSION: not root, or no private namespace) when it cannot probe.
 * Clear out with sim_kernel_calibration_clear().
 */
gboolean
sim_kernel_calibrate(SimKernelCalibration *out, GError **error)
{
	struct utsname u;
	Probe pr = { .out = out };
	GThread *t;

	memset(out, 0, sizeof(*out));
	for (int i = 0; i < RP_SWITCH_COUNT; i++)
		out->switches[i] = -1;
	out->mptcp = -1;
	out->release = g_strdup(uname(&u) == 0 ? u.release : "unknown");
	if (geteuid() != 0) {
		g_set_error(error, SIM_KERNEL_ERROR,
		    SIM_KERNEL_ERROR_PERMISSION, "calibrate needs root (a "
		    "private network namespace): not root");
		return FALSE;
	}
	t = g_thread_new("calibrate", probe_thread, &pr);
	g_thread_join(t);
	if (pr.err != 0) {
		g_set_error(error, SIM_KERNEL_ERROR,
		    pr.err == -EPERM ? SIM_KERNEL_ERROR_PERMISSION :
		    SIM_KERNEL_ERROR_FAILED, "calibrate: %s: %s", pr.what,
		    g_strerror(-pr.err));
		return FALSE;
	}
	return TRUE;
}

void
sim_kernel_calibration_clear(SimKernelCalibration *c)
{
	g_clear_pointer(&c->release, g_free);
	g_clear_pointer(&c->mptcp_why, g_free);
	for (int i = 0; i < RP_SWITCH_COUNT; i++)
		g_clear_pointer(&c->why[i], g_free);
}
