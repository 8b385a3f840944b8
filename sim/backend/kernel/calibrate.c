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
#include <netinet/in.h>
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
