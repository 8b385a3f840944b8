/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * tables.h - the kernel backend's tables (tables.c): namespaces,
 * processes and their scenario fds, the sockets, maps and programs behind
 * them, addresses, and the notes of the last operation.
 */
#ifndef SIM_BACKEND_KERNEL_TABLES_H
#define SIM_BACKEND_KERNEL_TABLES_H

#include "backend/kernel/kernel-int.h"

void		 kb_note(SimBackend *b, const char *fmt, ...)
		    G_GNUC_PRINTF(2, 3);
int		 kb_libbpf(int r);
int		 kb_sys_bpf(int cmd, union bpf_attr *attr);
int64_t		 kb_now_ms(void);

KbNetns		*kb_netns_get(SimBackend *b, unsigned id);
KbProc		*kb_proc_get(SimBackend *b, unsigned id);
void		 kb_netns_free(gpointer data);
void		 kb_proc_close_fds(KbProc *p);
void		 kb_proc_free(gpointer data);
int		 kb_fd_real(const KbProc *p, int sfd);
int		 kb_fd_xlate(const KbProc *p, int sfd);
int		 kb_fd_install(KbProc *p, int real);
int		 kb_fd_kind(int fd);
int		 kb_map_info(int fd, struct bpf_map_info *info);
int		 kb_prog_info(int fd, struct bpf_prog_info *info);
unsigned	 kb_map_id_of_kid(SimBackend *b, uint32_t kid);
KbSock		*kb_sock_register(SimBackend *b, int fd, unsigned netns,
		    unsigned id);
KbProg		*kb_prog_of_fd(SimBackend *b, int fd);

socklen_t	 kb_to_sockaddr(const struct rp_sockaddr *sa,
		    struct sockaddr_storage *ss);
void		 kb_from_sockaddr(const struct sockaddr_storage *ss,
		    struct rp_sockaddr *sa);
gboolean	 kb_addr_any(const struct rp_addr *a);
gboolean	 kb_addr_loopback(const struct rp_addr *a);
char		*kb_peer_key(const struct sockaddr_storage *ss);

#endif /* SIM_BACKEND_KERNEL_TABLES_H */
