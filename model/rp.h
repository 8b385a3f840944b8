/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * rp.h - public interface of reuseport-model, a userspace reference model of
 * Linux SO_REUSEPORT groups and BPF_MAP_TYPE_REUSEPORT_SOCKARRAY.
 *
 * The model holds one simulated kernel (struct rp_state): network
 * namespaces, processes with fd tables, sockets, reuseport groups
 * (reuse->socks[]), BPF maps and programs.  Every syscall-like call returns
 * what the kernel returns: a non-negative value on success or a negative
 * errno (RP_ENOTSUPP is the kernel-internal 524).  Behaviour that differs
 * between kernel versions is chosen by a profile (rp_profile_find()).
 *
 * Objects are opaque.  Sockets, groups and maps are named by small positive
 * ids that stay valid after the object is freed (queries then return
 * -ENOENT); processes and namespaces by ids as well.  The model does no I/O.
 */
#ifndef RP_H
#define RP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <glib.h>

G_BEGIN_DECLS

#define RP_ENOTSUPP		524	/* kernel-internal ENOTSUPP */

/* Socket families, types and protocols: Linux numbering. */
enum {
	RP_AF_UNSPEC = 0,
	RP_AF_UNIX = 1,
	RP_AF_INET = 2,
	RP_AF_INET6 = 10,
	RP_AF_NETLINK = 16,
};
enum {
	RP_SOCK_STREAM = 1,
	RP_SOCK_DGRAM = 2,
	RP_SOCK_RAW = 3,
};
enum {
	RP_IPPROTO_IP = 0,
	RP_IPPROTO_ICMP = 1,
	RP_IPPROTO_TCP = 6,
	RP_IPPROTO_UDP = 17,
	RP_IPPROTO_UDPLITE = 136,
	RP_IPPROTO_RAW = 255,
	RP_IPPROTO_MPTCP = 262,		/* 5.6+, with CONFIG_MPTCP */
};

/* TCP states as in include/net/tcp_states.h. */
enum rp_tcp_state {
	RP_TCP_ESTABLISHED = 1,
	RP_TCP_SYN_SENT = 2,
	RP_TCP_SYN_RECV = 3,
	RP_TCP_FIN_WAIT2 = 5,		/* sent its FIN, the peer has not */
	RP_TCP_TIME_WAIT = 6,		/* closed first: holds its port */
	RP_TCP_CLOSE = 7,
	RP_TCP_CLOSE_WAIT = 8,		/* got the peer's FIN, sent none */
	RP_TCP_LISTEN = 10,
	RP_TCP_NEW_SYN_RECV = 12,
};

/* Socket options understood by rp_setsockopt_int(). */
enum rp_sockopt {
	RP_SO_REUSEADDR = 2,
	RP_SO_REUSEPORT = 15,
	RP_SO_INCOMING_CPU = 49,
	RP_SO_BINDTOIFINDEX = 62,
	RP_IPV6_V6ONLY = 26,
};

/* shutdown() */
enum { RP_SHUT_RD = 0, RP_SHUT_WR = 1, RP_SHUT_RDWR = 2 };

/* Capabilities, as bits of a mask (1 << CAP_x). */
#define RP_CAP_NET_ADMIN	(UINT64_C(1) << 12)
#define RP_CAP_NET_RAW		(UINT64_C(1) << 13)
#define RP_CAP_SYS_ADMIN	(UINT64_C(1) << 21)
#define RP_CAP_PERFMON		(UINT64_C(1) << 38)	/* not in RP_CAP_ALL */
#define RP_CAP_BPF		(UINT64_C(1) << 39)
#define RP_CAP_ALL		(RP_CAP_NET_ADMIN | RP_CAP_NET_RAW | \
				 RP_CAP_SYS_ADMIN | RP_CAP_BPF)

/* BPF map types the model implements (uapi numbering). */
enum rp_map_type {
	RP_MAP_HASH = 1,		/* value maps (valmap.c), for programs */
	RP_MAP_ARRAY = 2,
	RP_MAP_PERCPU_HASH = 5,
	RP_MAP_PERCPU_ARRAY = 6,
	RP_MAP_LRU_HASH = 9,		/* a value map that evicts (valmap.c) */
	RP_MAP_ARRAY_OF_MAPS = 12,
	RP_MAP_HASH_OF_MAPS = 13,
	RP_MAP_SOCKMAP = 15,
	RP_MAP_SOCKHASH = 18,
	RP_MAP_REUSEPORT_SOCKARRAY = 20,
	RP_MAP_RINGBUF = 27,		/* records counted, not consumed (valmap.c) */
};

/* Update flags and map_flags (uapi numbering). */
#define RP_BPF_ANY		0
#define RP_BPF_NOEXIST		1
#define RP_BPF_EXIST		2
#define RP_BPF_F_LOCK		4

#define RP_BPF_F_NO_PREALLOC	(1U << 0)
#define RP_BPF_F_NO_COMMON_LRU	(1U << 1)
#define RP_BPF_F_NUMA_NODE	(1U << 2)
#define RP_BPF_F_RDONLY		(1U << 3)
#define RP_BPF_F_WRONLY		(1U << 4)
#define RP_BPF_F_RDONLY_PROG	(1U << 7)
#define RP_BPF_F_WRONLY_PROG	(1U << 8)
#define RP_BPF_F_MMAPABLE	(1U << 10)
#define RP_BPF_F_PRESERVE_ELEMS	(1U << 11)
#define RP_BPF_F_INNER_MAP	(1U << 12)
#define RP_BPF_F_TOKEN_FD	(1U << 16)

/* Program types and expected attach types (uapi numbering). */
#define RP_PROG_SOCKET_FILTER	1
#define RP_PROG_SK_REUSEPORT	21
#define RP_ATTACH_SK_REUSEPORT_SELECT		39
#define RP_ATTACH_SK_REUSEPORT_SELECT_OR_MIGRATE	40

#define RP_SK_DROP		0
#define RP_SK_PASS		1

#define RP_INIT_SOCKS		128
#define RP_MAX_SOCKS_CAP	32768

struct rp_state;
struct rp_profile;

/* An IPv4 address is in a[0..3]; family is RP_AF_INET or RP_AF_INET6. */
struct rp_addr {
	uint16_t	family;
	uint8_t		a[16];
};

struct rp_sockaddr {
	struct rp_addr	addr;
	uint16_t	port;
};

/* ---------------------------------------------------------------------
 * Profiles
 */
const struct rp_profile	*rp_profile_find(const char *name);
const char		*rp_profile_name(const struct rp_profile *);
const struct rp_profile	*rp_profile_nth(size_t n);	/* NULL past the end */
/* The profile nearest at or below a kernel release ("6.1.0-57-cloud-amd64",
 * "6.19.3"): the highest N.M not above its first two numbers.  NULL when
 * the release has no N.M or is older than every profile. */
const struct rp_profile	*rp_profile_for_release(const char *release);
/*
 * Build variants: behaviours that differ between builds of one version
 * (docs/SPEC.md, "Switches by version and variant").  A variant row is
 * named BASE+WHAT and is never picked by version; calibration measures
 * each switch on a live kernel and picks the row of the same N.M whose
 * switches all match (the plain row first).
 */
enum rp_variant_switch {
	RP_SWITCH_ATTACH_SHUTDOWN_LISTENER,	/* 0 resurrect, 1 einval */
	RP_SWITCH_UDP_BIND_WALK,	/* 0 first-sharer, 1 exact-sharer */
	RP_SWITCH_TCP_ROLE_CHANGE,	/* 0 allowed, 1 einval */
	RP_SWITCH_COUNT
};
const char	*rp_switch_name(enum rp_variant_switch);
/* The name of alternative v of switch sw ("resurrect"), NULL past the
 * last. */
const char	*rp_switch_value_name(enum rp_variant_switch sw, int v);
int		 rp_profile_switch(const struct rp_profile *,
		    enum rp_variant_switch);
/* The row of base's N.M whose switches equal values[] (RP_SWITCH_COUNT
 * of them), or NULL when the model has none. */
const struct rp_profile	*rp_profile_variant(const struct rp_profile *base,
		    const int *values);

/* ---------------------------------------------------------------------
 * Observer: every state change is reported as one event.  Names of the
 * objects involved are ids; rule is the docs/SPEC.md rule that decided an
 * RP_EV_RULE event.  Sinks must not call back into the model except for
 * the read-only queries below.
 */
enum rp_event_kind {
	RP_EV_SOCK_NEW,		/* sock, val = family<<16|type<<8|protocol */
	RP_EV_SOCK_STATE,	/* sock, val = new TCP state */
	RP_EV_SOCK_HASH,	/* sock */
	RP_EV_SOCK_UNHASH,	/* sock */
	RP_EV_SOCK_FREE,	/* sock */
	RP_EV_OWNER_SET,	/* sock, map, idx: owner word -> map slot */
	RP_EV_OWNER_CLEAR,	/* sock */
	RP_EV_OWNER_FOREIGN,	/* sock, what: foreign owner (psock) set */
	RP_EV_SLOT_SET,		/* map, idx, sock (or map2 for outer maps);
				 * sockarray: sock2 = the socket replaced */
	RP_EV_SLOT_CLEAR,	/* map, idx; sockarray: sock = the one it held */
	RP_EV_GROUP_NEW,	/* group, sock */
	RP_EV_GROUP_ID,		/* group, val = reuseport_id */
	RP_EV_GROUP_ADD,	/* group, sock, idx = position */
	RP_EV_GROUP_DEL,	/* group, sock, idx = old position */
	RP_EV_GROUP_MOVE,	/* group, sock, idx = from, idx2 = to */
	RP_EV_GROUP_CLOSE,	/* group, sock, idx = closed-section position */
	RP_EV_GROUP_GROW,	/* group, val = new max_socks */
	RP_EV_GROUP_PROG,	/* group, val = prog id (0 = none) */
	RP_EV_GROUP_FREE,	/* group */
	RP_EV_COOKIE,		/* sock, val = cookie */
	RP_EV_LOCK,		/* reuseport_lock taken (thread in idx) */
	RP_EV_UNLOCK,
	RP_EV_CB_LOCK,		/* sock's callback lock taken */
	RP_EV_CB_UNLOCK,
	RP_EV_RCU_LOCK,
	RP_EV_RCU_UNLOCK,
	RP_EV_RCU_SYNC,
	RP_EV_MAP_NEW,		/* map, val = type */
	RP_EV_MAP_FREE,		/* map */
	RP_EV_PROG_RUN,		/* group, sock = ctx sk, val = verdict, err = helper */
	RP_EV_SELECT,		/* group, sock = chosen (0 = none), what = how */
	RP_EV_MIGRATE,		/* sock = child, sock2 = new listener (0 = dropped) */
	RP_EV_RULE,		/* rule, err: a check decided the result */
	RP_EV_KNOWN_DEFECT,	/* what: a historical kernel bug the profile reproduces */
};

struct rp_event {
	enum rp_event_kind	kind;
	unsigned		sock;
	unsigned		sock2;
	unsigned		map;
	unsigned		map2;
	unsigned		group;
	uint32_t		idx;
	uint32_t		idx2;
	uint64_t		val;
	int			err;
	const char		*rule;
	const char		*what;
};

struct rp_observer {
	void	(*event)(void *ud, const struct rp_event *ev);
};

const char	*rp_event_kind_name(enum rp_event_kind);

/*
 * Scheduling hook: called at every lock acquire (before), lock release
 * (after), RCU read-side enter/exit and grace period.  A no-op unless an
 * explorer installs one.  obj is the socket id for callback locks and
 * the bucket wait.
 */
enum rp_sched_point {
	RP_SP_LOCK,
	RP_SP_UNLOCK,
	RP_SP_CB_LOCK,
	RP_SP_CB_UNLOCK,
	RP_SP_RCU_LOCK,
	RP_SP_RCU_UNLOCK,
	RP_SP_SYNC_RCU,
	RP_SP_BLOCKED,		/* the current thread waits for a lock */
	RP_SP_BUCKET,		/* an unhash waits for a join holding the
				 * bucket lock on socket obj */
	/*
	 * A BPF helper that reads or writes shared state (a map operation,
	 * bpf_sk_select_reuseport()) is a decision point of its own, taken
	 * before the helper runs, with no lock: obj is the helper id.  It
	 * can always run.
	 */
	RP_SP_BPF_HELPER,
	/* fine points, only with rp_state_set_sched_fine(): right after
	 * taking a lock (obj as for its taking), entering a read-side
	 * section, and the wait of a grace period */
	RP_SP_ACQUIRED,
	RP_SP_RCU_ENTERED,
	RP_SP_SYNCED,
};
typedef void (*rp_sched_fn)(void *ud, enum rp_sched_point pt, unsigned obj);
const char	*rp_sched_point_name(enum rp_sched_point);
/* Threads an explorer may run: RP_NTHREADS, thread 0 included. */
unsigned	 rp_sched_max_threads(void);
/*
 * Whether thread tid, stopped at point pt (obj as the hook gave it), can
 * go on without waiting: the lock it is about to take is free (or its
 * own: it then runs into the self-deadlock report), or, at a grace
 * period, no other thread is inside a read-side section.
 */
bool		 rp_sched_can_run(const struct rp_state *, unsigned tid,
		    enum rp_sched_point pt, unsigned obj);
/* No thread holds reuseport_lock or any callback lock. */
bool		 rp_sched_locks_free(const struct rp_state *);

/* ---------------------------------------------------------------------
 * State, namespaces, processes, fds
 */
struct rp_state	*rp_state_new(const struct rp_profile *);
void		 rp_state_free(struct rp_state *);
const struct rp_profile *rp_state_profile(const struct rp_state *);
void		 rp_state_set_observer(struct rp_state *,
		    const struct rp_observer *, void *ud);
void		 rp_state_set_sched(struct rp_state *, rp_sched_fn, void *ud);
/* Also call the hook at the fine points (after a lock is taken, a
 * read-side section entered, a grace period waited for), so that taking
 * a lock is a step of its own. */
void		 rp_state_set_sched_fine(struct rp_state *, bool on);
void		 rp_state_set_cpu(struct rp_state *, unsigned cpu);
unsigned	 rp_state_cpu(const struct rp_state *);
void		 rp_state_set_thread(struct rp_state *, unsigned tid);
unsigned	 rp_state_thread(const struct rp_state *);
/*
 * Kernel build options a profile leaves open (CONFIG_*).  A new state
 * has each one its profile's version offers; turning one on that the
 * version lacks is -EINVAL.
 */
enum rp_kconfig {
	RP_KCONFIG_MPTCP,	/* IPPROTO_MPTCP sockets (5.6+; the Debian 5.10
				 * cloud kernel is built without) */
};
int		 rp_state_set_kconfig(struct rp_state *, enum rp_kconfig,
		    bool on);
bool		 rp_state_kconfig(const struct rp_state *, enum rp_kconfig);
/* Runs every deferred map free (the kernel's workqueue,
 * bpf_map_free_deferred()): a map whose last reference went away is only
 * freed here, and until then its sockets keep their owner word.  Returns
 * how many maps were freed. */
unsigned	 rp_state_settle(struct rp_state *);
/* Ends the current step: runs pending RCU callbacks if no reader is active. */
void		 rp_state_quiesce(struct rp_state *);
/* A lock-discipline violation recorded since the last call, or NULL. */
char		*rp_state_take_violation(struct rp_state *);
/*
 * What programs see of the machine: the seed of bpf_get_prandom_u32()
 * (and the classic SKF_AD_RANDOM), the clock of bpf_ktime_get_ns() in
 * nanoseconds (it moves only when set), and the instruction budget of one
 * program run (default 1,000,000; a run that exceeds it faults).  The CPU
 * is rp_state_set_cpu()'s.
 */
void		 rp_state_set_seed(struct rp_state *, uint64_t seed);
void		 rp_state_set_clock(struct rp_state *, uint64_t ns);
uint64_t	 rp_state_clock(const struct rp_state *);
void		 rp_state_set_insn_budget(struct rp_state *, uint64_t insns);
/* CPUs a per-CPU map has a copy for (syscall values hold one per CPU). */
unsigned	 rp_possible_cpus(void);

/* Namespace 0 and process 0 (uid 0, all capabilities, in ns 0) exist. */
int	rp_netns_new(struct rp_state *);
int	rp_proc_new(struct rp_state *, unsigned netns, uint32_t uid,
	    uint64_t caps);
int	rp_proc_set_caps(struct rp_state *, unsigned proc, uint64_t caps);
int	rp_proc_set_memlock(struct rp_state *, unsigned proc, uint64_t bytes);
/* sysctl: "net.ipv4.tcp_migrate_req" (per netns), "kernel.unprivileged_bpf_disabled". */
int	rp_sysctl_set(struct rp_state *, unsigned netns, const char *name,
	    long val);

int	rp_fd_dup(struct rp_state *, unsigned proc, int fd);
int	rp_fd_pass(struct rp_state *, unsigned from, int fd, unsigned to);
int	rp_close(struct rp_state *, unsigned proc, int fd);

/* ---------------------------------------------------------------------
 * Socket calls
 */
int	rp_socket(struct rp_state *, unsigned proc, int family, int type,
	    int protocol);
int	rp_setsockopt_int(struct rp_state *, unsigned proc, int fd,
	    enum rp_sockopt opt, int val);
int	rp_bind(struct rp_state *, unsigned proc, int fd,
	    const struct rp_sockaddr *);
int	rp_listen(struct rp_state *, unsigned proc, int fd, int backlog);
/* UDP: sets the peer (autobinds); TCP: a client connection to a listener
 * of the same namespace; family RP_AF_UNSPEC disconnects. */
int	rp_connect(struct rp_state *, unsigned proc, int fd,
	    const struct rp_sockaddr *);
int	rp_shutdown(struct rp_state *, unsigned proc, int fd, int how);
int	rp_accept(struct rp_state *, unsigned proc, int fd);
int	rp_getsockopt_cookie(struct rp_state *, unsigned proc, int fd,
	    uint64_t *cookie);
int	rp_getsockname(struct rp_state *, unsigned proc, int fd,
	    struct rp_sockaddr *);
/* Models another sk_user_data user (an l2tp/encap tunnel) taking the
 * socket: -EBUSY when the owner word is already taken. */
int	rp_set_foreign_owner(struct rp_state *, unsigned proc, int fd);

/* Classic BPF selectors: "return k" or "return payload[off..off+4) mod n". */
struct rp_cbpf {
	bool		payload_index;
	uint32_t	k;		/* constant index when !payload_index */
	uint32_t	off;
	uint32_t	mod;		/* 0 = no modulo */
	uint32_t	insn_count;	/* for the optlen/optmem checks; 0 = 4 */
	bool		empty;		/* no instructions at all (-EINVAL) */
};
int	rp_attach_cbpf(struct rp_state *, unsigned proc, int fd,
	    const struct rp_cbpf *);
int	rp_attach_ebpf(struct rp_state *, unsigned proc, int fd, int progfd);
int	rp_detach_bpf(struct rp_state *, unsigned proc, int fd);

/* ---------------------------------------------------------------------
 * BPF maps
 */
struct rp_map_attr {
	uint32_t	map_type;
	uint32_t	key_size;
	uint32_t	value_size;
	uint32_t	max_entries;
	uint32_t	map_flags;
	int		inner_map_fd;	/* for outer maps; -1 = none */
	uint32_t	numa_node;
	char		name[17];	/* kernel: 16 bytes; [16] models a missing NUL */
	uint64_t	map_extra;
	uint32_t	btf_fd;
	uint32_t	btf_key_type_id;
	uint32_t	btf_value_type_id;
	uint32_t	btf_vmlinux_value_type_id;
	bool		tail_nonzero;	/* unused attr bytes not zero */
};
void	rp_map_attr_init(struct rp_map_attr *, uint32_t type,
	    uint32_t value_size, uint32_t max_entries);

int	rp_map_create(struct rp_state *, unsigned proc,
	    const struct rp_map_attr *);

/*
 * What the model makes of a map type under a profile (R-CRE-4c, R-CRE-4d):
 * the profile's kernel lacks it (a create returns -EINVAL, as that kernel
 * does), the model implements it, or the kernel has it and the model does
 * not (a create returns -EINVAL too, which that kernel would not: a caller
 * that wants to tell the two apart asks here first).
 */
enum rp_map_type_status {
	RP_MAP_TYPE_KERNEL_LACKS = 0,
	RP_MAP_TYPE_MODELLED,
	RP_MAP_TYPE_NOT_MODELLED,
};
enum rp_map_type_status rp_map_type_status(const struct rp_profile *,
	    uint32_t type);
/* The uapi name of a map type without BPF_MAP_TYPE_ ("lru_hash"), or
 * NULL when no kernel the model knows has it. */
const char *rp_map_type_name(uint32_t type);
/* Keys are 32-bit; *value receives value_size bytes as an integer. */
int	rp_map_lookup(struct rp_state *, unsigned proc, int fd, uint32_t key,
	    uint64_t *value, uint64_t flags);
int	rp_map_update(struct rp_state *, unsigned proc, int fd, uint32_t key,
	    uint64_t value, uint64_t flags);
int	rp_map_delete(struct rp_state *, unsigned proc, int fd, uint32_t key);
int	rp_map_get_next_key(struct rp_state *, unsigned proc, int fd,
	    const uint32_t *key, uint32_t *next);
int	rp_map_freeze(struct rp_state *, unsigned proc, int fd);
int	rp_map_lookup_and_delete(struct rp_state *, unsigned proc, int fd,
	    uint32_t key, uint64_t *value);
int	rp_map_lookup_batch(struct rp_state *, unsigned proc, int fd);
struct rp_map_info;
/* BPF_OBJ_GET_INFO_BY_FD on fd: 0 and *out for a map, 1 (out untouched)
 * for a program, whose info the kernel gives instead (R-CMD-5). */
int	rp_map_get_info(struct rp_state *, unsigned proc, int fd,
	    struct rp_map_info *out);
/*
 * The same commands with keys and values as bytes, as bpf(2) takes them:
 * key_size bytes of key, value_size bytes of value (per-CPU maps:
 * rp_possible_cpus() copies of round_up(value_size, 8) bytes).  For the
 * socket maps and outer maps a value is a 4- or 8-byte integer as in the
 * functions above.  key NULL in next_key starts at the first key.
 */
int	rp_map_lookup_elem(struct rp_state *, unsigned proc, int fd,
	    const void *key, void *value, uint64_t flags);
int	rp_map_update_elem(struct rp_state *, unsigned proc, int fd,
	    const void *key, const void *value, uint64_t flags);
int	rp_map_delete_elem(struct rp_state *, unsigned proc, int fd,
	    const void *key);
int	rp_map_next_key(struct rp_state *, unsigned proc, int fd,
	    const void *key, void *next);
/* Does fd name a value map with an 8-byte key and a value of at most 8
 * bytes (not per-CPU)?  A pure query, for drivers that give such keys and
 * values as integers through the byte API. */
bool	rp_map_fd_key8(struct rp_state *, unsigned proc, int fd);

/* ---------------------------------------------------------------------
 * Programs: data, not bytecode.  A policy says where the key comes from,
 * which map it selects from and what to do on a helper error.
 */
enum rp_key_src {
	RP_KEY_CONST,		/* key = key_const */
	RP_KEY_PAYLOAD,		/* key = payload bytes [off, off+width) */
	RP_KEY_HASH,		/* key = ctx->hash % hash_mod (or hash) */
	RP_KEY_MIGRATE,		/* key = migrate table[cookie of ctx->sk] */
};

struct rp_policy {
	enum rp_key_src	key_src;
	uint32_t	key_const;
	uint32_t	off;
	uint32_t	width;		/* 1, 2 or 4 */
	bool		big_endian;
	uint32_t	hash_mod;
	bool		via_outer;	/* map_fd is an outer map: use slot outer_key */
	uint32_t	outer_key;
	bool		pass_on_error;	/* helper error: SK_PASS (hash) vs SK_DROP */
	bool		always_drop;	/* return SK_DROP without selecting */
	bool		always_pass;	/* return SK_PASS without selecting */
	bool		migrate_only;	/* migrate variant: normal packets pass unselected */
	bool		bad_helper;	/* uses bpf_map_lookup_elem on the map: verifier rejects */
};

/*
 * The instruction encoding of both sets (uapi linux/bpf_common.h and
 * linux/bpf.h), for struct rp_insn and struct rp_sock_filter: the class
 * in the low three bits; for loads and stores the size and the mode, for
 * arithmetic and jumps the source and the operation.
 */
#define RP_BPF_CLASS(c)	((c) & 0x07)
#define RP_BPF_LD	0x00
#define RP_BPF_LDX	0x01
#define RP_BPF_ST	0x02
#define RP_BPF_STX	0x03
#define RP_BPF_ALU	0x04
#define RP_BPF_JMP	0x05
#define RP_BPF_RET	0x06		/* classic */
#define RP_BPF_MISC	0x07		/* classic */
#define RP_BPF_JMP32	0x06		/* extended */
#define RP_BPF_ALU64	0x07		/* extended */
#define RP_BPF_SIZE(c)	((c) & 0x18)
#define RP_BPF_W	0x00
#define RP_BPF_H	0x08
#define RP_BPF_B	0x10
#define RP_BPF_DW	0x18		/* extended */
#define RP_BPF_MODE(c)	((c) & 0xe0)
#define RP_BPF_IMM	0x00
#define RP_BPF_ABS	0x20
#define RP_BPF_IND	0x40
#define RP_BPF_MEM	0x60
#define RP_BPF_LEN	0x80		/* classic */
#define RP_BPF_MSH	0xa0		/* classic */
#define RP_BPF_MEMSX	0x80		/* extended: sign-extending loads */
#define RP_BPF_ATOMIC	0xc0		/* extended */
#define RP_BPF_OP(c)	((c) & 0xf0)
#define RP_BPF_SRC(c)	((c) & 0x08)
#define RP_BPF_K	0x00
#define RP_BPF_X	0x08
#define RP_BPF_A	0x10		/* classic: RET's operand */

/* One eBPF instruction, laid out as struct bpf_insn (uapi linux/bpf.h). */
struct rp_insn {
	uint8_t		code;
	uint8_t		dst_reg:4;
	uint8_t		src_reg:4;
	int16_t		off;
	int32_t		imm;
};

/* One classic BPF instruction, laid out as struct sock_filter. */
struct rp_sock_filter {
	uint16_t	code;
	uint8_t		jt;
	uint8_t		jf;
	uint32_t	k;
};

struct rp_prog_attr {
	uint32_t	prog_type;
	uint32_t	expected_attach_type;
	int		map_fd;		/* map the policy selects from; -1 = none */
	struct rp_policy policy;
};
int	rp_prog_load(struct rp_state *, unsigned proc,
	    const struct rp_prog_attr *);

/*
 * A program made of instructions: insn_cnt struct rp_insn as
 * bpf(BPF_PROG_LOAD) takes them after libbpf's relocation, maps named by
 * LD_IMM64 with src_reg BPF_PSEUDO_MAP_FD (1) and the map's fd (in
 * process proc) in imm, or BPF_PSEUDO_MAP_VALUE (2).  Instruction
 * programs are not verified: the model checks what loading needs
 * (R-EBPF-1) and faults at run time where the verifier would have
 * refused the program (R-EBPF-13).  Returns a program fd or -errno.
 */
struct rp_prog_insns_attr {
	uint32_t		 prog_type;	/* SK_REUSEPORT or SOCKET_FILTER */
	uint32_t		 expected_attach_type;
	const struct rp_insn	*insns;
	uint32_t		 insn_cnt;
};
int	rp_prog_load_insns(struct rp_state *, unsigned proc,
	    const struct rp_prog_insns_attr *);
/* Migrate table of an RP_KEY_MIGRATE program: cookie -> key. */
int	rp_prog_migrate_set(struct rp_state *, unsigned proc, int progfd,
	    uint64_t cookie, uint32_t key);

/* SO_ATTACH_REUSEPORT_CBPF with a classic program of len instructions
 * (struct sock_fprog): checked as sk_reuseport_attach_filter() does
 * (R-CBPF-1, R-CBPF-2), run as the kernel runs it (R-CBPF-3 and on). */
int	rp_attach_cbpf_insns(struct rp_state *, unsigned proc, int fd,
	    const struct rp_sock_filter *insns, unsigned len);

/*
 * BPF_PROG_TEST_RUN of a SOCKET_FILTER program on data, a frame that
 * starts with a 14-byte Ethernet header (the program sees what follows
 * it): -EINVAL when len < 14, -ENOTSUPP for an SK_REUSEPORT program
 * (it has no test_run), else 0 with the run's outcome in *out.
 */
struct rp_bpf_run_result {
	uint64_t	retval;		/* R0 at exit (the kernel reports 32 bits) */
	uint64_t	insns;		/* instructions executed */
	bool		fault;		/* stopped: rp_state_take_violation() says why */
};
int	rp_prog_test_run(struct rp_state *, unsigned proc, int progfd,
	    const void *data, size_t len, struct rp_bpf_run_result *out);

/*
 * Watching programs run (for explain): a second observer, set apart from
 * struct rp_observer, that receives what an instruction program does.
 * Nothing is computed for it while none is set.  Pointers in an event
 * are valid only during the callback.  Register values never show a host
 * address: a pointer is its kind, the object it points into (map, socket
 * or frame) and an offset.
 */
enum rp_bpf_event_kind {
	RP_BPF_EV_START,	/* prog, val = program type, count = instructions,
				 * insns (struct rp_insn[count]; classic:
				 * struct rp_sock_filter[count], name =
				 * "classic"), maps (eBPF: per instruction the
				 * map id of an LD_IMM64, 0 none) */
	RP_BPF_EV_INSN,		/* pc (only with want_insns) */
	RP_BPF_EV_BRANCH,	/* pc, target = next pc, taken */
	RP_BPF_EV_CALL,		/* pc, helper, name, regs (r1-r5 are the arguments) */
	RP_BPF_EV_RET,		/* pc, helper, name, val = r0, err = r0 as an int,
				 * regs (r0 is the result) */
	RP_BPF_EV_MAP_READ,	/* pc, map, key, key_size, taken = found; value,
				 * value_size (a value map's element), sock
				 * (the socket of a sockarray or sockmap slot),
				 * val = the inner map id of an outer map's */
	RP_BPF_EV_MAP_WRITE,	/* pc, map, key, key_size, err */
	RP_BPF_EV_PRINTK,	/* pc, text */
	RP_BPF_EV_EXIT,		/* pc, val = r0 (classic: A or k returned),
				 * count = instructions executed, sock = the
				 * socket the program selected (0 none) */
	RP_BPF_EV_SELECT,	/* after a group's program ran for a packet
				 * (instructions or a policy): prog, val =
				 * the SK_REUSEPORT verdict (-1: an index
				 * program, or a fault), sock = the member
				 * that receives it (0 none), text = "prog",
				 * "cbpf", "hash" or "drop" */
	RP_BPF_EV_FAULT,	/* pc, text, regs, rule (stays the last:
				 * observers size tables by it) */
};

enum rp_bpf_reg_kind {
	RP_BPF_REG_NONE,	/* never written: reading it is a fault */
	RP_BPF_REG_SCALAR,
	RP_BPF_REG_CTX,
	RP_BPF_REG_STACK,	/* obj = frame (0 = the main program's) */
	RP_BPF_REG_MAP_VALUE,	/* obj = map id */
	RP_BPF_REG_PKT,
	RP_BPF_REG_PKT_END,
	RP_BPF_REG_MAP,		/* obj = map id */
	RP_BPF_REG_SOCK,	/* obj = socket id */
};

struct rp_bpf_reg {
	enum rp_bpf_reg_kind	kind;
	uint64_t		val;	/* scalar value, or offset in the object */
	unsigned		obj;
};

struct rp_bpf_event {
	enum rp_bpf_event_kind	kind;
	unsigned		prog;
	uint32_t		pc;
	uint32_t		target;
	bool			taken;
	int32_t			helper;
	const char		*name;
	const struct rp_bpf_reg	*regs;	/* r0..r10, or NULL */
	uint64_t		val;
	unsigned		map;
	const uint8_t		*key;
	uint32_t		key_size;
	int			err;
	uint64_t		count;
	const char		*text;
	const char		*rule;
	const uint8_t		*value;
	uint32_t		value_size;
	unsigned		sock;
	const void		*insns;
	const unsigned		*maps;
};

struct rp_bpf_observer {
	void	(*event)(void *ud, const struct rp_bpf_event *ev);
	bool	want_insns;	/* also one RP_BPF_EV_INSN per instruction */
};

void	 rp_state_set_bpf_observer(struct rp_state *,
	    const struct rp_bpf_observer *, void *ud);
const char *rp_bpf_event_kind_name(enum rp_bpf_event_kind);
/* "sk_select_reuseport" for 82; "helper_N" for one the model cannot name. */
const char *rp_bpf_helper_name(int32_t id);

/* ---------------------------------------------------------------------
 * Traffic
 */
enum rp_conn_kind {
	RP_CONN_ESTABLISHED,	/* 3WHS completes at once */
	RP_CONN_FASTOPEN,	/* TFO child in SYN_RECV */
	RP_CONN_REQUEST,	/* request socket waits for the final ACK */
};

struct rp_packet {
	int			protocol;	/* RP_IPPROTO_TCP or _UDP */
	struct rp_sockaddr	src;
	struct rp_sockaddr	dst;
	const uint8_t		*payload;
	size_t			len;
	bool			has_hash;
	uint32_t		hash;
	enum rp_conn_kind	conn;
};

enum rp_outcome {
	RP_DELIVERED,		/* to sock (TCP: child queued on listener sock) */
	RP_DROPPED,		/* program verdict SK_DROP: client sees ECONNREFUSED */
	RP_NO_SOCKET,		/* nothing listening: RST / port unreachable */
};

enum rp_select_how {
	RP_HOW_NONE,		/* no group: the lookup's own socket */
	RP_HOW_PROG,		/* SK_REUSEPORT program selected */
	RP_HOW_HASH,		/* hash fallback */
	RP_HOW_CBPF,		/* classic/socket-filter index */
};

struct rp_delivery {
	enum rp_outcome		outcome;
	enum rp_select_how	how;
	unsigned		sock;		/* receiving (listening) socket id */
	unsigned		child;		/* TCP: child socket id */
	unsigned		group;
	uint32_t		hash;
	int			prog_ret;	/* -1 when no program ran */
	int			helper_err;	/* last bpf_sk_select_reuseport() result */
	bool			prog_fault;	/* the program faulted (R-EBPF-13) */
};

int	rp_send(struct rp_state *, unsigned netns, const struct rp_packet *,
	    struct rp_delivery *);
/* Pending TCP requests of a namespace: complete them (final ACK) or fire
 * their SYN+ACK retransmit timer (migration point for closed listeners). */
int	rp_requests_ack(struct rp_state *, unsigned netns);
int	rp_requests_timer(struct rp_state *, unsigned netns);

/* ---------------------------------------------------------------------
 * Queries (read-only; ids as reported by events)
 */
enum rp_owner_kind {
	RP_OWNER_NONE,
	RP_OWNER_SLOT,		/* a reuseport array slot */
	RP_OWNER_STALE,		/* 4.19: a child's copy of its parent's slot */
	RP_OWNER_PSOCK,		/* a sockmap/sockhash psock */
	RP_OWNER_FOREIGN,	/* another user (l2tp, encap, ...) */
};

struct rp_sock_info {
	unsigned	id;
	unsigned	netns;
	int		family, type, protocol;
	int		state;		/* RP_TCP_* (UDP: CLOSE or ESTABLISHED) */
	bool		closed;		/* file released */
	bool		hashed, rcu_free, reuseport, ipv6only;
	uint32_t	uid;
	struct rp_sockaddr local;
	uint64_t	cookie;		/* 0 = not generated */
	unsigned	group;		/* group id, 0 = none */
	int		group_pos;	/* index in socks[], -1 = none */
	bool		group_closed;	/* in the closed section */
	enum rp_owner_kind owner;
	unsigned	owner_map;
	uint32_t	owner_idx;
	unsigned	accept_queue;	/* children waiting for accept() */
	unsigned	parent;		/* listener of a child */
};
int	rp_sock_info(const struct rp_state *, unsigned sock,
	    struct rp_sock_info *);
unsigned rp_fd_sock(const struct rp_state *, unsigned proc, int fd);
unsigned rp_fd_map(const struct rp_state *, unsigned proc, int fd);
unsigned rp_fd_prog(const struct rp_state *, unsigned proc, int fd);

struct rp_group_info {
	unsigned	id;
	uint32_t	reuseport_id;
	bool		has_id;
	unsigned	num_socks, num_closed_socks, max_socks;
	bool		bind_inany, has_conns;
	unsigned	prog;		/* prog id, 0 = none */
	bool		prog_is_cbpf;
};
int	rp_group_info(const struct rp_state *, unsigned group,
	    struct rp_group_info *);
unsigned rp_group_sock_at(const struct rp_state *, unsigned group,
	    unsigned pos);

struct rp_map_info {
	unsigned	id;
	uint32_t	type, key_size, value_size, max_entries, map_flags;
	unsigned	refs;
	bool		frozen;
	uint64_t	memlock;
	unsigned	used;		/* occupied slots */
	char		name[16];	/* NUL-terminated */
};
int	rp_map_info(const struct rp_state *, unsigned map,
	    struct rp_map_info *);
/* Occupant of slot key: socket id (sockarray, sockmap, sockhash) or
 * inner map id (outer maps); 0 when empty. */
unsigned rp_map_slot(const struct rp_state *, unsigned map, uint32_t key);

/* ---------------------------------------------------------------------
 * Fault injection, for proving that checkers and the interleaving explorer
 * find real concurrency bugs.  Never set outside tests.
 */
enum rp_plant {
	RP_PLANT_NONE = 0,
	RP_PLANT_UPDATE_NO_RECHECK = 1 << 0,	/* update trusts its lock-free check */
	RP_PLANT_DETACH_SLOT_UNLOCKED = 1 << 1,	/* detach clears the slot after
						 * dropping the callback lock */
	RP_PLANT_FREE_NO_CB_LOCK = 1 << 2,	/* map free writes owner words
						 * without the callback lock */
	RP_PLANT_DETACH_FOREIGN = 1 << 3,	/* pre-5.8 detach in any profile */
};
void	rp_state_plant(struct rp_state *, unsigned bugs);

/* ---------------------------------------------------------------------
 * Copies of a whole state (clone.c), for an explorer that comes back to
 * a branch point instead of replaying from the start.  No thread may be
 * inside an operation.  A clone has no observer, scheduling or access
 * hook; a restored state keeps its own.  Discarding frees the memory
 * without running the kernel's paths (no close, no event).
 */
struct rp_state	*rp_state_clone(const struct rp_state *);
void		 rp_state_restore(struct rp_state *dst,
		    const struct rp_state *src);
void		 rp_state_discard(struct rp_state *);
/* Can rp_state_clone() copy st?  Every state, between two operations,
 * can be copied: value maps and programs with instructions too (before
 * 0.2 these were refused).  Kept for callers written against 0.1. */
bool		 rp_state_can_clone(const struct rp_state *);

/* ---------------------------------------------------------------------
 * Footprints and digests (digest.c), for an interleaving explorer.  The
 * state is cut into objects named by keys: a class and an id.
 */
enum rp_obj_class {
	RP_OC_GLOBAL = 1,	/* namespaces, cookie counters, group ids,
				 * memlock and kmem, pending RCU callbacks */
	RP_OC_LOCKS,		/* lock holders and RCU readers */
	RP_OC_PROC,		/* a process and its fd table */
	RP_OC_SOCK,
	RP_OC_GROUP,
	RP_OC_MAP,
	RP_OC_PROG,
	RP_OC_BUCKET,		/* id: netns << 32 | protocol << 16 | port */
};
#define RP_OBJ_KEY(c, id)	(((uint64_t)(c) << 56) | (uint64_t)(id))
#define RP_OBJ_CLASS(key)	((unsigned)((uint64_t)(key) >> 56))
#define RP_OBJ_ID(key)		((uint64_t)(key) & ((UINT64_C(1) << 56) - 1))

/* fn(ud, key, digest) for every object: a 64-bit digest of all its
 * fields, pointers as ids.  Equal objects have equal digests. */
typedef void (*rp_digest_fn)(void *ud, uint64_t key, uint64_t digest);
void	rp_state_digest_objects(const struct rp_state *, rp_digest_fn,
	    void *ud);
/* The digest of the object named by key, 0 when there is none. */
uint64_t rp_state_digest_object(const struct rp_state *, uint64_t key);
/* The same digests, each socket's kept in cache (keyed by id, checked
 * against the socket's bytes and the ids it points to, so a cache serves
 * any state; NULL: none), computed again only for a socket that
 * changed. */
struct rp_digest_cache;
struct rp_digest_cache *rp_digest_cache_new(void);
void	rp_digest_cache_free(struct rp_digest_cache *);
void	rp_state_digest_objects_cached(const struct rp_state *,
	    struct rp_digest_cache *, rp_digest_fn, void *ud);
/* The mixer of those digests (splitmix64's finaliser), for a caller that
 * combines them: a bijection of 64-bit words in which every input bit
 * reaches every output bit.  Inline: an explorer calls it per object per
 * step. */
static inline uint64_t
rp_digest_mix(uint64_t x)
{
	x ^= x >> 30;
	x *= UINT64_C(0xbf58476d1ce4e5b9);
	x ^= x >> 27;
	x *= UINT64_C(0x94d049bb133111eb);
	x ^= x >> 31;
	return x;
}
/* fn(ud, key) for each object an operation reads, where it finds it (an
 * fd, a lookup, a query); writes show as changed digests. */
typedef void (*rp_access_fn)(void *ud, uint64_t key);
void	rp_state_set_access(struct rp_state *, rp_access_fn, void *ud);

/* ---------------------------------------------------------------------
 * Invariants I1-I16: FALSE with a message naming the invariant, the
 * objects involved and what is wrong.
 */
GQuark	rp_check_error_quark(void);
#define RP_CHECK_ERROR (rp_check_error_quark())
gboolean rp_check(const struct rp_state *, GError **error);

/*
 * The same invariants, checked incrementally: only on the sockets,
 * groups, maps, slots, socks[] positions, programs and bind buckets the
 * model changed since the previous rp_check_step() on this state (every
 * object at the first call, and at the call after one that failed).  On a
 * failure the report is rp_check()'s, word for word, so the two are
 * interchangeable in a driver; the cost of a passing call is the size of
 * what changed, not of the state.
 *
 * A driver calls rp_check_step() after each step, where rp_check() would
 * be too slow for large states, and rp_check() at the end of a run, on
 * demand, and after every step when asked for full checking.  Between
 * two calls the changes accumulate (an explorer may run several threads'
 * steps before it checks).  Like rp_check(), it leaves the lock-discipline
 * record (rp_state_take_violation()) in place.
 */
gboolean rp_check_step(struct rp_state *, GError **error);

/* What rp_check_step() did on a state so far. */
struct rp_check_stats {
	uint64_t	steps;		/* calls */
	uint64_t	rebuilds;	/* calls that checked the whole state */
	uint64_t	objects;	/* marked objects and places checked */
	uint64_t	alarms;		/* calls whose local checks failed */
	uint64_t	false_alarms;	/* ... and rp_check() passed: a bug */
};
void	rp_check_stats(const struct rp_state *, struct rp_check_stats *);

G_END_DECLS

#endif /* RP_H */
