/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * tables.c - namespaces, processes, fd tables and the objects behind
 * fds of the live-kernel backend (tables.h).
 */
#include "backend/kernel/kernel-int.h"
#include "backend/kernel/tables.h"
#include "backend/kernel/worker.h"

G_DEFINE_QUARK(sim-kernel-error-quark, sim_kernel_error)

/* A note for sim_backend_kernel_last_error() (and the debug log). */
void G_GNUC_PRINTF(2, 3)
kb_note(SimBackend *b, const char *fmt, ...)
{
	va_list ap;

	g_free(b->last_error);
	va_start(ap, fmt);
	b->last_error = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	g_debug("kernel backend: %s", b->last_error);
}

const char *
sim_backend_kernel_last_error(SimBackend *b)
{
	g_return_val_if_fail(b != NULL, NULL);
	return b->last_error;
}

/*
 * The result of a libbpf call as the backend speaks it: the fd or 0, or
 * -errno.  libbpf 1.x returns -errno itself and sets errno too; reading
 * errno keeps the answer right whatever libbpf's mode.
 */
int
kb_libbpf(int r)
{
	return r < 0 ? -errno : r;
}

/*
 * bpf() itself, for the few requests libbpf would not send as asked (a
 * map name of 16 bytes without NUL, attribute bytes past the last field):
 * everything else goes through libbpf.
 */
int
kb_sys_bpf(int cmd, union bpf_attr *attr)
{
	long r = syscall(__NR_bpf, cmd, attr, sizeof(*attr));

	return r < 0 ? -errno : (int)r;
}

int64_t
kb_now_ms(void)
{
	return g_get_monotonic_time() / 1000;
}

/* ---------------------------------------------------------------------
 * Namespaces, processes, fd tables
 */

KbNetns *
kb_netns_get(SimBackend *b, unsigned id)
{
	return id < b->netns->len ? b->netns->pdata[id] : NULL;
}

KbProc *
kb_proc_get(SimBackend *b, unsigned id)
{
	return id < b->procs->len ? b->procs->pdata[id] : NULL;
}

void
kb_netns_free(gpointer data)
{
	KbNetns *ns = data;

	for (guint i = 0; i < ns->clients->len; i++)
		close(g_array_index(ns->clients, int, i));
	g_array_unref(ns->clients);
	g_hash_table_unref(ns->pending);
	kb_worker_free(ns->w);	/* closes nsfd and tfo_fd: they are its */
	g_free(ns);
}

void
kb_proc_close_fds(KbProc *p)
{
	for (guint i = 0; i < p->fds->len; i++) {
		int fd = g_array_index(p->fds, int, i);

		if (fd >= 0)
			close(fd);
		g_array_index(p->fds, int, i) = -1;
	}
}

void
kb_proc_free(gpointer data)
{
	KbProc *p = data;

	kb_proc_close_fds(p);
	g_array_unref(p->fds);
	kb_worker_free(p->w);
	g_free(p);
}

/* The real fd behind scenario fd sfd of p, or -1. */
int
kb_fd_real(const KbProc *p, int sfd)
{
	if (sfd < 0 || (guint)sfd >= p->fds->len)
		return -1;
	return g_array_index(p->fds, int, sfd);
}

/*
 * The fd to hand the kernel for scenario fd sfd: its real fd, a negative
 * value unchanged, or an fd number no process has open (EBADF).
 */
int
kb_fd_xlate(const KbProc *p, int sfd)
{
	int fd;

	if (sfd < 0)
		return sfd;
	fd = kb_fd_real(p, sfd);
	return fd >= 0 ? fd : KB_CLOSED_FD;
}

/* Install real fd at p's lowest free scenario fd (>= 3). */
int
kb_fd_install(KbProc *p, int real)
{
	for (guint i = KB_FIRST_FD; i < p->fds->len; i++) {
		if (g_array_index(p->fds, int, i) < 0) {
			g_array_index(p->fds, int, i) = real;
			return (int)i;
		}
	}
	g_array_append_val(p->fds, real);
	return (int)p->fds->len - 1;
}

/* What a real fd is: socket, BPF map, BPF program, something else. */
int
kb_fd_kind(int fd)
{
	char path[64], buf[64];
	ssize_t n;

	if (fd < 0)
		return KB_KIND_NONE;
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	n = readlink(path, buf, sizeof(buf) - 1);
	if (n < 0)
		return KB_KIND_NONE;
	buf[n] = '\0';
	if (g_str_has_prefix(buf, "socket:"))
		return KB_KIND_SOCK;
	if (strcmp(buf, "anon_inode:bpf-map") == 0)
		return KB_KIND_MAP;
	if (strcmp(buf, "anon_inode:bpf-prog") == 0)
		return KB_KIND_PROG;
	return KB_KIND_OTHER;
}

/* BPF_OBJ_GET_INFO_BY_FD of fd into info (len bytes, zeroed first). */
static int
obj_info(int fd, void *info, uint32_t len)
{
	memset(info, 0, len);
	return kb_libbpf(bpf_obj_get_info_by_fd(fd, info, &len));
}

int
kb_map_info(int fd, struct bpf_map_info *info)
{
	return obj_info(fd, info, sizeof(*info));
}

int
kb_prog_info(int fd, struct bpf_prog_info *info)
{
	return obj_info(fd, info, sizeof(*info));
}

/* The backend id of kernel map kid (a new one the first time). */
unsigned
kb_map_id_of_kid(SimBackend *b, uint32_t kid)
{
	gpointer v = g_hash_table_lookup(b->maps, GUINT_TO_POINTER(kid));

	if (v == NULL) {
		v = GUINT_TO_POINTER(++b->next_map);
		g_hash_table_insert(b->maps, GUINT_TO_POINTER(kid), v);
	}
	return GPOINTER_TO_UINT(v);
}

/* The socket record of real fd (registered as a socket of netns, with
 * backend id `id` or a new one, the first time); NULL: not a socket. */
KbSock *
kb_sock_register(SimBackend *b, int fd, unsigned netns, unsigned id)
{
	struct stat stb;
	KbSock *s;
	socklen_t len;
	guint64 ino;

	if (fd < 0 || fstat(fd, &stb) != 0 || !S_ISSOCK(stb.st_mode))
		return NULL;
	ino = (guint64)stb.st_ino;
	s = g_hash_table_lookup(b->socks, &ino);
	if (s != NULL)
		return s;
	s = g_new0(KbSock, 1);
	s->ino = ino;
	s->id = id != 0 ? id : ++b->next_sock;
	s->netns = netns;
	len = sizeof(int);
	getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &s->family, &len);
	len = sizeof(int);
	getsockopt(fd, SOL_SOCKET, SO_TYPE, &s->type, &len);
	len = sizeof(int);
	getsockopt(fd, SOL_SOCKET, SO_PROTOCOL, &s->protocol, &len);
	g_hash_table_insert(b->socks, &s->ino, s);
	return s;
}

KbProg *
kb_prog_of_fd(SimBackend *b, int fd)
{
	struct bpf_prog_info info;

	if (kb_fd_kind(fd) != KB_KIND_PROG || kb_prog_info(fd, &info) != 0)
		return NULL;
	return g_hash_table_lookup(b->progs, GUINT_TO_POINTER(info.id));
}

/* ---------------------------------------------------------------------
 * Addresses
 */

socklen_t
kb_to_sockaddr(const struct rp_sockaddr *sa, struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (sa->addr.family == AF_INET) {
		struct sockaddr_in *in = (struct sockaddr_in *)ss;

		in->sin_family = AF_INET;
		in->sin_port = htons(sa->port);
		memcpy(&in->sin_addr, sa->addr.a, 4);
		return sizeof(*in);
	}
	if (sa->addr.family == AF_INET6) {
		struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;

		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons(sa->port);
		memcpy(&in6->sin6_addr, sa->addr.a, 16);
		return sizeof(*in6);
	}
	ss->ss_family = sa->addr.family;
	return sizeof(struct sockaddr);
}

void
kb_from_sockaddr(const struct sockaddr_storage *ss, struct rp_sockaddr *sa)
{
	memset(sa, 0, sizeof(*sa));
	sa->addr.family = ss->ss_family;
	if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *in = (const void *)ss;

		memcpy(sa->addr.a, &in->sin_addr, 4);
		sa->port = ntohs(in->sin_port);
	} else if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const void *)ss;

		memcpy(sa->addr.a, &in6->sin6_addr, 16);
		sa->port = ntohs(in6->sin6_port);
	}
}

gboolean
kb_addr_any(const struct rp_addr *a)
{
	size_t n = a->family == AF_INET ? 4 : 16;

	for (size_t i = 0; i < n; i++)
		if (a->a[i] != 0)
			return FALSE;
	return TRUE;
}

/* 127.0.0.0/8, ::1 or ::ffff:127.x.y.z */
gboolean
kb_addr_loopback(const struct rp_addr *a)
{
	static const uint8_t mapped[12] = { [10] = 0xff, [11] = 0xff };
	static const uint8_t one[16] = { [15] = 1 };

	if (a->family == AF_INET)
		return a->a[0] == 127;
	if (a->family == AF_INET6)
		return memcmp(a->a, one, 16) == 0 ||
		    (memcmp(a->a, mapped, 12) == 0 && a->a[12] == 127);
	return FALSE;
}

/* "addr port" with v4-mapped IPv6 written as IPv4: the key of a TCP
 * client as its server-side child sees it. */
char *
kb_peer_key(const struct sockaddr_storage *ss)
{
	static const uint8_t mapped[12] = { [10] = 0xff, [11] = 0xff };
	char buf[INET6_ADDRSTRLEN];

	if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *in = (const void *)ss;

		inet_ntop(AF_INET, &in->sin_addr, buf, sizeof(buf));
		return g_strdup_printf("%s %u", buf, ntohs(in->sin_port));
	}
	if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const void *)ss;

		if (memcmp(&in6->sin6_addr, mapped, 12) == 0)
			inet_ntop(AF_INET, (const uint8_t *)&in6->sin6_addr +
			    12, buf, sizeof(buf));
		else
			inet_ntop(AF_INET6, &in6->sin6_addr, buf, sizeof(buf));
		return g_strdup_printf("%s %u", buf, ntohs(in6->sin6_port));
	}
	return g_strdup("?");
}
