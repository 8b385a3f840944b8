/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * backend.h - what the scenario executor runs statements against.
 *
 * A backend is an ops table (cf. packetdrill's packetdrill_interface):
 * every operation a verb performs goes through it, so one scenario can run
 * against the model (backend/model.c) and against the live kernel
 * (backend/kernel/, built with --enable-kernel-backend).  The vocabulary
 * is the model's public one (rp.h): Linux numbering for families, types,
 * protocols, flags and errnos, and the plain structs rp_sockaddr,
 * rp_map_attr, rp_prog_attr, rp_cbpf, rp_packet and rp_delivery, which a
 * kernel backend can translate into real syscalls.
 *
 * Conventions shared by every operation:
 * - processes and namespaces are small ids handed out by proc_new() and
 *   netns_new(); process 0 and namespace 0 ("init") exist from open();
 * - fds are per process, as returned by the calls that create them;
 * - results are what the kernel returns: >= 0 on success, a negative
 *   errno on failure (524 is the kernel-internal ENOTSUPP);
 * - objects behind fds have backend ids (sock_id(), map_id(), prog_id()),
 *   non-zero, never reused while the backend is open; a delivery names
 *   sockets by the same ids;
 * - SIM_CANNOT and SIM_CANNOT_REST, below every errno, say that the
 *   backend cannot carry the operation out at all (a CPU the machine
 *   lacks, a request held in NEW_SYN_RECV on a real kernel); why() then
 *   says why.  The executor skips the check of that step (SIM_CANNOT) or
 *   the rest of the scenario (SIM_CANNOT_REST), and says so once.
 *
 * Model-only queries (internal state, chosen groups and positions,
 * invariants, the event observer) form a separate, optional group: a
 * backend without them leaves `inspect` NULL, and the executor then skips
 * `expect` statements and the checks that need internal state.
 *
 * Ownership: a SimBackend belongs to whoever opened it and is released by
 * close(); nothing an operation returns needs freeing.
 */
#ifndef SIM_CORE_BACKEND_H
#define SIM_CORE_BACKEND_H

#include <glib.h>

#include "rp.h"
#include "core/bpfobj.h"

G_BEGIN_DECLS

/* One open backend instance: one simulated (or real) machine. */
typedef struct SimBackend SimBackend;

/*
 * How much of the invariants I1-I13 a check after a step looks at
 * (reuseport-sim --check).  The lock discipline (I12, I13 as the model
 * records them) is checked in every mode.
 */
typedef enum {
	SIM_CHECK_STEP,	/* what changed since the last check: rp_check_step() */
	SIM_CHECK_FULL,	/* the whole state: rp_check() */
	SIM_CHECK_OFF,	/* none (for measuring the model alone) */
} SimCheckMode;

/* Model-only queries; every member is required when the group exists. */
typedef struct SimInspectOps SimInspectOps;
struct SimInspectOps {
	/* Invariants (as mode says) and lock discipline after a step: FALSE
	 * with error set to the first violation found.  Either mode finds
	 * the same violations with the same message (rp.h). */
	gboolean (*check)(SimBackend *b, SimCheckMode mode, GError **error);
	/* Install obs (NULL: none); events are reported to obs->event(ud). */
	void	(*set_observer)(SimBackend *b, const struct rp_observer *obs,
		    void *ud);
	int	(*sock_info)(SimBackend *b, unsigned sock,
		    struct rp_sock_info *out);
	int	(*group_info)(SimBackend *b, unsigned group,
		    struct rp_group_info *out);
	int	(*map_info)(SimBackend *b, unsigned map,
		    struct rp_map_info *out);
	/* Occupant of slot key: socket id, inner map id for outer maps, or
	 * 0 when empty. */
	unsigned (*map_slot)(SimBackend *b, unsigned map, uint32_t key);
	/* The model state itself: for the deterministic scheduler (its
	 * scheduling hook, threads and lock checks) and planted bugs. */
	struct rp_state *(*model)(SimBackend *b);
};

/* The operation has no equivalent on this backend: only the check of the
 * step is skipped, and the objects it names are not checked afterwards. */
#define SIM_CANNOT	(-0x10001)
/* As SIM_CANNOT, but what follows depends on it: the rest of the
 * scenario is skipped. */
#define SIM_CANNOT_REST	(-0x10002)

typedef struct SimBackendOps SimBackendOps;
struct SimBackendOps {
	const char	*name;
	/* A fresh machine behaving like the named profile ("4.19", "6.18");
	 * NULL with error set when it cannot be had. */
	SimBackend	*(*open)(const char *profile, GError **error);
	void		 (*close)(SimBackend *b);

	/* backend ids of the objects behind fds; 0 when fd holds none */
	unsigned (*sock_id)(SimBackend *b, unsigned proc, int fd);
	unsigned (*map_id)(SimBackend *b, unsigned proc, int fd);
	unsigned (*prog_id)(SimBackend *b, unsigned proc, int fd);

	/* namespaces, processes, system settings */
	int	(*netns_new)(SimBackend *b);
	int	(*proc_new)(SimBackend *b, unsigned netns, uint32_t uid,
		    uint64_t caps);
	int	(*proc_set_caps)(SimBackend *b, unsigned proc, uint64_t caps);
	int	(*proc_set_memlock)(SimBackend *b, unsigned proc,
		    uint64_t bytes);
	int	(*sysctl_set)(SimBackend *b, unsigned netns, const char *key,
		    long val);
	int	(*set_cpu)(SimBackend *b, unsigned cpu);

	/* fds */
	int	(*dup)(SimBackend *b, unsigned proc, int fd);
	int	(*pass)(SimBackend *b, unsigned from, int fd, unsigned to);
	int	(*close_fd)(SimBackend *b, unsigned proc, int fd);

	/* sockets */
	int	(*socket)(SimBackend *b, unsigned proc, int family, int type,
		    int protocol);
	int	(*setsockopt)(SimBackend *b, unsigned proc, int fd,
		    enum rp_sockopt opt, int val);
	int	(*bind)(SimBackend *b, unsigned proc, int fd,
		    const struct rp_sockaddr *sa);
	int	(*listen)(SimBackend *b, unsigned proc, int fd, int backlog);
	int	(*connect)(SimBackend *b, unsigned proc, int fd,
		    const struct rp_sockaddr *sa);
	int	(*shutdown)(SimBackend *b, unsigned proc, int fd, int how);
	int	(*accept)(SimBackend *b, unsigned proc, int fd);
	int	(*get_cookie)(SimBackend *b, unsigned proc, int fd,
		    uint64_t *cookie);
	int	(*getsockname)(SimBackend *b, unsigned proc, int fd,
		    struct rp_sockaddr *sa);
	int	(*set_foreign_owner)(SimBackend *b, unsigned proc, int fd);
	int	(*attach_cbpf)(SimBackend *b, unsigned proc, int fd,
		    const struct rp_cbpf *cbpf);
	/* SO_ATTACH_REUSEPORT_CBPF with len classic instructions */
	int	(*attach_cbpf_insns)(SimBackend *b, unsigned proc, int fd,
		    const struct rp_sock_filter *insns, unsigned len);
	int	(*attach_ebpf)(SimBackend *b, unsigned proc, int fd,
		    int progfd);
	int	(*detach_bpf)(SimBackend *b, unsigned proc, int fd);

	/* BPF maps */
	int	(*map_create)(SimBackend *b, unsigned proc,
		    const struct rp_map_attr *attr);
	int	(*map_lookup)(SimBackend *b, unsigned proc, int fd,
		    uint32_t key, uint64_t *value, uint64_t flags);
	int	(*map_update)(SimBackend *b, unsigned proc, int fd,
		    uint32_t key, uint64_t value, uint64_t flags);
	int	(*map_delete)(SimBackend *b, unsigned proc, int fd,
		    uint32_t key);
	int	(*map_next_key)(SimBackend *b, unsigned proc, int fd,
		    const uint32_t *key, uint32_t *next);
	int	(*map_freeze)(SimBackend *b, unsigned proc, int fd);
	int	(*map_lookup_and_delete)(SimBackend *b, unsigned proc, int fd,
		    uint32_t key, uint64_t *value);
	int	(*map_lookup_batch)(SimBackend *b, unsigned proc, int fd);
	/* BPF_OBJ_GET_INFO_BY_FD: 0 and *out for a map (out->id a backend
	 * id, out->name NUL-terminated; the other members 0), 1 for a
	 * program, or an errno. */
	int	(*map_get_info)(SimBackend *b, unsigned proc, int fd,
		    struct rp_map_info *out);

	/* programs */
	int	(*prog_load)(SimBackend *b, unsigned proc,
		    const struct rp_prog_attr *attr);
	int	(*prog_migrate_set)(SimBackend *b, unsigned proc, int progfd,
		    uint64_t cookie, uint32_t key);
	/* The program of a compiled object (core/bpfobj.h): the maps it
	 * defines are created in index order, except map i when reuse[i]
	 * >= 0 (an fd of proc bound instead), then the program is loaded.
	 * map_fds[i] receives the fd of map i in proc (reuse[i] for a bound
	 * one).  Returns the program fd, or -errno with no fd left open. */
	int	(*prog_load_object)(SimBackend *b, unsigned proc,
		    const SimBpfObj *obj, const int *reuse, int *map_fds);

	/* traffic */
	int	(*send)(SimBackend *b, unsigned netns,
		    const struct rp_packet *pkt, struct rp_delivery *out);
	int	(*requests_ack)(SimBackend *b, unsigned netns);
	int	(*requests_timer)(SimBackend *b, unsigned netns);

	/* Wait for the frees the kernel defers (bpf_map_free_deferred()):
	 * >= 0 when they all ran; NULL: the backend cannot (SIM_CANNOT). */
	int	(*settle)(SimBackend *b);
	/* A kernel build option (rp_kconfig) as the scenario needs it: 0,
	 * or SIM_CANNOT_REST when the backend cannot be built so (the live
	 * kernel's build differs; why() says so); NULL: SIM_CANNOT. */
	int	(*kconfig)(SimBackend *b, int option, gboolean on);

	/* model-only queries, or NULL */
	const SimInspectOps *inspect;

	/* Why the last operation returned SIM_CANNOT or SIM_CANNOT_REST
	 * (or another diagnostic), or NULL; NULL when the backend never
	 * says. */
	const char *(*why)(SimBackend *b);
};

G_END_DECLS

#endif /* SIM_CORE_BACKEND_H */
