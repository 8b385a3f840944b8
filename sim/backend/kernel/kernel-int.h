/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * kernel-int.h - the live-kernel backend's own types, private to
 * backend/kernel/: the worker threads that play processes and namespaces,
 * the fd tables of processes, the objects behind fds, and the backend.
 * See ops.c for the shape of the whole.
 */
#ifndef SIM_BACKEND_KERNEL_KERNEL_INT_H
#define SIM_BACKEND_KERNEL_KERNEL_INT_H

#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>

#include <linux/bpf.h>
#include <linux/capability.h>
#include <linux/filter.h>

/* libbpf >= 1.0 (configure): its calls return the fd or -errno */
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "backend/kernel.h"

#ifndef SO_DETACH_REUSEPORT_BPF
#define SO_DETACH_REUSEPORT_BPF	68
#endif

/* An fd number no process has open (above any fd table): EBADF. */
#define KB_CLOSED_FD	0x7ffffff0
/* Scenario fds start here, as the model's (0-2 are stdio). */
#define KB_FIRST_FD	3
/* Upper bounds on threads a scenario can make. */
#define KB_MAX_PROCS	256
#define KB_MAX_NETNS	64
/* net.ipv4.tcp_fastopen: client (1) + no cookie (4) + server (2) +
 * server without cookie (0x200) + server without TCP_FASTOPEN (0x400). */
#define KB_TFO_ON	0x607
/* client only: the server ignores SYN data and completes a plain 3WHS */
#define KB_TFO_CLIENT	0x005
/* bounded waits, milliseconds */
#define KB_CONNECT_MS	2000
#define KB_ACCEPTQ_MS	1000
#define KB_UDP_MS	100

enum { KB_KIND_NONE = -1, KB_KIND_OTHER, KB_KIND_SOCK, KB_KIND_MAP,
	KB_KIND_PROG };

typedef int (*KbFn)(void *arg);

/* A thread that runs the jobs of one simulated process or namespace. */
typedef struct {
	GThread		*thread;
	GMutex		 lock;
	GCond		 cond;
	KbFn		 fn;		/* the pending job */
	void		*arg;
	int		 ret;
	gboolean	 pending, quit, started;
	pid_t		 tid;
	/* start-up parameters and results */
	int		 join_fd;	/* namespace to join; -1: unshare one */
	gboolean	 set_creds;
	uint32_t	 uid;
	uint64_t	 caps;
	int		 cpu;		/* pin here; -1: no */
	int		 start_err;
	char		*start_what;	/* the call that failed */
	int		 new_nsfd;	/* unshare: the namespace made */
	int		 tfo_fd;	/* unshare: its tcp_fastopen sysctl */
} KbWorker;

typedef struct {
	unsigned	 id;
	int		 nsfd;
	int		 tfo_fd;	/* /proc/sys/net/ipv4/tcp_fastopen */
	KbWorker	*w;		/* root, every capability */
	GArray		*clients;	/* int: TCP clients, open until close() */
	GHashTable	*pending;	/* peer key -> child id before accept() */
} KbNetns;

typedef struct {
	unsigned	 id;
	unsigned	 netns;
	uint32_t	 uid;
	uint64_t	 caps;
	KbWorker	*w;
	GArray		*fds;		/* int: real fd per scenario fd, -1 free */
	uint64_t	 memlock;	/* rlimit P memlock N (0 included) */
	gboolean	 memlock_set;	/* FALSE: the process's own */
} KbProc;

typedef struct {
	guint64		 ino;		/* hash key: sockfs inode number */
	unsigned	 id;
	unsigned	 netns;
	int		 family, type, protocol;
} KbSock;

typedef struct {
	unsigned	 id;
	uint32_t	 kid;		/* kernel prog id */
	uint32_t	 type;
	int		 stats_fd;	/* struct bpfgen_stats ARRAY, or -1 */
	int		 migrate_fd;	/* cookie -> key HASH, or -1 */
	uint64_t	 runs;		/* snapshot before a send */
} KbProg;

struct SimBackend {
	GPtrArray	*netns;		/* KbNetns * */
	GPtrArray	*procs;		/* KbProc * */
	GHashTable	*socks;		/* &ino -> KbSock * (owned) */
	GHashTable	*maps;		/* kernel map id -> backend id */
	GHashTable	*progs;		/* kernel prog id -> KbProg * */
	GPtrArray	*prog_list;	/* KbProg * in load order (owned) */
	unsigned	 next_sock, next_map, next_prog;
	int		 cpu;		/* every worker is pinned here */
	cpu_set_t	 allowed;	/* CPUs of the process at open() */
	char		*last_error;
	/* kernel id of a sockarray, sockmap or sockhash -> GArray of
	 * guint64 sockfs inodes updated into it: what settle() waits for
	 * when the map is gone */
	GHashTable	*arrays;
	/* kernel id of an outer map -> GArray of uint32_t kernel ids of the
	 * inner maps updated into it: a gone outer map releases them from
	 * the same workqueue */
	GHashTable	*outers;
};

#endif /* SIM_BACKEND_KERNEL_KERNEL_INT_H */
