/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * rp-int.h - internal structures and prototypes of the model.  Only files
 * under model/ (and white-box unit tests) include this header.
 *
 * Naming follows the kernel: num_socks, max_socks, num_closed_socks,
 * reuseport_id, sk_user_data (here: owner), sk_reuseport_cb (here: reuse).
 * A "_locked" suffix means "the caller holds the lock the kernel's __foo
 * variant assumes".
 */
#ifndef RP_INT_H
#define RP_INT_H

#include "rp.h"

#define RP_EPERM	1
#define RP_NPROC_MAX	4096
#define RP_NCPU_MAX	256
#define RP_COOKIE_BATCH	4096
#define RP_PAGE_SIZE	4096
#define RP_MAP_HDR	256	/* sizeof(struct reuseport_array) header, modelled */
#define RP_LOOPBACK_IFINDEX 1	/* lo, the one device of every namespace */
/* tb->fastreuseport */
enum { RP_FASTREUSEPORT_NONE, RP_FASTREUSEPORT_ANY, RP_FASTREUSEPORT_STRICT };

/*
 * Marks a boundary for coverage maps (cf. SQLite testcase()).  In a
 * coverage build (--enable-code-coverage defines RP_COVERAGE) the
 * condition is a branch of its own, counted by gcov like any other, and
 * `make coverage` lists the sites where one way was never taken (the
 * boundary was never reached, or never left).  Elsewhere it is nothing.
 */
#ifdef RP_COVERAGE
static volatile unsigned rp_testcase_reached G_GNUC_UNUSED;
#define RP_TESTCASE(x)	do { if (x) rp_testcase_reached++; } while (0)
#else
#define RP_TESTCASE(x)	do { } while (0)
#endif

/* ---------------------------------------------------------------------
 * Profiles: every version difference is a switch here.
 */
enum rp_cookie_gen {
	RP_COOKIE_PER_NETNS,	/* 4.19-5.2: net->cookie_gen, 1, 2, 3 ... */
	RP_COOKIE_PERCPU,	/* 5.10+: per-CPU batches of 4096 */
};

/* SO_ATTACH_REUSEPORT_* on a TCP socket whose listening was stopped by
 * shutdown() or connect(AF_UNSPEC) (tcp_disconnect()): a build variant. */
enum rp_attach_shutdown {
	RP_ATTACH_SHUTDOWN_RESURRECT,	/* unhashed: a new group (Debian's) */
	RP_ATTACH_SHUTDOWN_EINVAL,	/* refused (a 6.18.44 build, measured) */
};

/* A UDP bind's walk of the port's sockets (udp_lib_lport_inuse()): which
 * sharer ends it at once: a build variant. */
enum rp_udp_bind_walk {
	RP_UDP_BIND_FIRST_SHARER,	/* the first that can share (Debian's) */
	RP_UDP_BIND_EXACT_SHARER,	/* only one at the binder's very
					 * address (a 6.18.44 build, measured) */
};

/* A TCP socket that was a client becoming a listener, and a stopped
 * listener becoming a client: a build variant. */
enum rp_role_change {
	RP_ROLE_CHANGE_ALLOWED,		/* Debian's */
	RP_ROLE_CHANGE_EINVAL,		/* listen() after a SYN, connect()
					 * after listening stopped: -EINVAL
					 * (a 6.18.44 build, measured) */
};

/* Where kernel.unprivileged_bpf_disabled stops a caller without the
 * capability, and which capability passes. */
enum rp_unpriv_gate {
	RP_UNPRIV_GATE_ALL_SYS_ADMIN,	/* 4.19: every command at bpf() entry;
					 * CAP_SYS_ADMIN passes */
	RP_UNPRIV_GATE_ALL_BPF,		/* 5.8 .. 5.18 (Debian 5.10): every
					 * command at entry; CAP_BPF or
					 * CAP_SYS_ADMIN passes */
	RP_UNPRIV_GATE_CREATE_ENTRY,	/* 5.19 .. 6.4 (Debian 6.1): only
					 * MAP_CREATE and PROG_LOAD, at entry;
					 * CAP_BPF or CAP_SYS_ADMIN passes */
	RP_UNPRIV_GATE_CREATE_CENTRAL,	/* 6.5+: in map_create() and
					 * bpf_prog_load(), after the attribute
					 * checks; CAP_BPF or CAP_SYS_ADMIN */
};

/* Which sockets stay in their sockmaps when unhashed (R-SMAP-6). */
enum rp_smap_unhash {
	RP_SMAP_UNHASH_DROP,	/* 4.19: the unhash hook takes every one out */
	RP_SMAP_UNHASH_KEEP_TCP, /* 5.10 (measured): TCP sockets stay, a UDP
				 * socket leaves */
	RP_SMAP_UNHASH_KEEP,	/* 6.1+ (measured): no hook, all stay */
};

/* BPF_MAP_FREEZE's checks (the command exists from 5.2). */
enum rp_freeze_rule {
	RP_FREEZE_CAPABLE,	/* 5.10, 6.1 (measured): frozen -> -EBUSY,
				 * then -EPERM without CAP_BPF/CAP_SYS_ADMIN */
	RP_FREEZE_WRITABLE_FD,	/* 6.12+ (measured): -EPERM without write
				 * permission on the fd (a frozen map has none) */
};

enum rp_cap_rule {
	RP_CAPRULE_SYS_ADMIN_ALLOC,	/* 4.19-5.7: CAP_SYS_ADMIN in map_alloc */
	RP_CAPRULE_BPF_ALLOC,		/* 5.8-6.4: bpf_capable() in map_alloc */
	RP_CAPRULE_BPF_CENTRAL,		/* 6.5+: CAP_BPF in map_create */
};

/* A kernel version as major * 100 + minor (4.19 is 419, 6.1 is 601): the
 * helper sets of a profile (helpers.c), compared with the version that
 * added or changed a helper. */
#define RP_KVER(major, minor)	((major) * 100 + (minor))

struct rp_profile {
	const char	*name;
	bool	lazy_group_id;		/* id allocated on first map insert, min 1 */
	bool	user_data_tags;		/* NOCOPY|BPF tags: detach only own words */
	enum rp_cookie_gen cookie_gen;
	bool	cookie_single_cas;	/* 6.2+: one CAS, then re-read */
	enum rp_cap_rule cap_rule;
	enum rp_unpriv_gate unpriv_gate; /* kernel.unprivileged_bpf_disabled */
	long	unpriv_default;		/* default kernel.unprivileged_bpf_disabled */
	bool	memlock_rlimit;		/* RLIMIT_MEMLOCK charge (EPERM) */
	int	oversize_errno;		/* size >= U32_MAX - PAGE_SIZE */
	uint32_t allowed_map_flags;
	bool	store_rdwr_flags;	/* map_flags keep RDONLY/WRONLY */
	bool	name_allows_dot;
	bool	attr_flags_check;	/* lookup attr->flags / BPF_F_LOCK checks */
	bool	has_freeze;
	bool	has_lookup_and_delete;	/* command exists (4.20+) */
	bool	has_batch;		/* batch commands exist (5.6+) */
	bool	btf_value_checked;	/* value-only BTF -> EINVAL */
	bool	create_extra_attrs;	/* map_extra / vmlinux id checks exist */
	bool	inner_max_entries_eq;	/* inner map equality compares max_entries */
	bool	sockmap_select;		/* helper accepts SOCKMAP/SOCKHASH */
	bool	sockmap_rejects_sockarray; /* PSOCK tag: EBUSY (6.0+) */
	bool	helper_enoent_id0;	/* 4.19: reuseport_id 0 -> ENOENT */
	bool	migration;		/* 5.14+: closed section, migration */
	bool	has_conns;		/* 5.4+: connected UDP skipped */
	bool	detach_bpf_opt;		/* SO_DETACH_REUSEPORT_BPF (5.3+) */
	bool	incoming_cpu;		/* 6.1+: prefer sk_incoming_cpu */
	bool	expected_attach;	/* 5.14+: SELECT / SELECT_OR_MIGRATE */
	bool	prog_cap_bpf;		/* 5.8+: CAP_BPF loads SK_REUSEPORT */
	bool	map_free_sync_rcu;	/* 4.19-5.8: synchronize_rcu() in free */
	bool	bind_conflict_closed_ok; /* 5.14+: bind ok if group only closed */
	bool	detach_prog_enoent_closed; /* 5.14+ SO_DETACH on closed group */
	bool	memlock_usage_exact;	/* 6.4+: header + 8 * entries */
	bool	reuseport_inet_only;	/* 6.9+: SO_REUSEPORT on inet only */
	bool	mptcp_subflow_einval;	/* 6.12 (measured): a connected MPTCP
					 * socket refuses first-subflow options */
	bool	udp_connect_leaves_group; /* 6.18 (measured): any UDP connect */
	bool	udp_disconnect_unhash4;	/* 7.2 (measured): AF_UNSPEC takes a
					 * UDP socket off the 4-tuple hash */
	bool	lo_subnet_broadcast;	/* until 5.10 (measured): 127.0.0.0
					 * is one of lo's broadcast routes */
	bool	bpf_token;		/* 6.9+: BPF_F_TOKEN_FD names a token fd */
	bool	sockmap_unix;		/* 5.15+: AF_UNIX in sockmap/sockhash */
	enum rp_smap_unhash sockmap_keeps_unhashed; /* who stays in a
					 * sockmap when unhashed */
	bool	outer_batch;		/* 6.1 (measured): outer maps have
					 * batch lookups */
	int	somaxconn;		/* net.core.somaxconn default */
	bool	bind_fast_strict;	/* 6.12+ (measured): the fast paths
					 * compare addresses, no fastreuse */
	bool	attach_unhashed_strict;	/* 6.x: unhashed needs SO_REUSEPORT */
	int	ipproto_max;		/* IPPROTO_MAX: 256, 5.6+ 263 */
	bool	mptcp;			/* 5.6+: IPPROTO_MPTCP can be built */
	enum rp_attach_shutdown attach_shutdown_listener; /* build variant */
	enum rp_udp_bind_walk udp_bind_walk;	/* build variant */
	enum rp_role_change tcp_role_change;	/* build variant */
	enum rp_freeze_rule freeze_rule;
	bool	migrate_req_sysctl;	/* net.ipv4.tcp_migrate_req exists */
	bool	lookup_flags_after_perm; /* 6.19+: all lookup flags checked
					 * after the fd and permission */
	bool	udplite;		/* IPPROTO_UDPLITE exists (until 7.0) */
	uint16_t cbpf_optmem_insns;	/* longest classic program the default
					 * net.core.optmem_max admits */
	/* programs made of instructions (ebpf.c, helpers.c, cbpf.c) */
	uint16_t bpf_version;		/* helper sets: RP_KVER() of the kernel */
	bool	bpf_jmp32;		/* 5.1+: the BPF_JMP32 class */
	bool	bpf_loops;		/* 5.3+: backward jumps (bounded loops) */
	bool	bpf_atomics;		/* 5.12+: and/or/xor, fetch, xchg, cmpxchg */
	bool	bpf_cpuv4;		/* 6.6+: sdiv/smod, movsx, ldsx, bswap, gotol */
	bool	bpf_map_value_ld;	/* 5.2+: LD_IMM64 BPF_PSEUDO_MAP_VALUE */
	uint32_t bpf_insn_limit;	/* insn_cnt limit with CAP_BPF (else 4096) */
	bool	bpf_ctx_narrow_any;	/* narrow ctx loads anywhere in a field */
	bool	bpf_stack_jit;		/* combined stack: round to 16 (JIT) vs 32 */
	bool	bpf_load_bytes_int_max;	/* skb_load_bytes offset <= INT_MAX, else 0xffff */
	bool	bpf_sockmap_update;	/* 5.10+: programs update SOCKMAP/SOCKHASH */
};

/* ---------------------------------------------------------------------
 * Objects
 */
#define RP_BPF_NCPUS	RP_NCPU_MAX	/* possible CPUs of per-CPU maps */

enum rp_file_kind {
	RP_FILE_SOCK,
	RP_FILE_MAP,
	RP_FILE_PROG,
};

/* struct file: shared by dup()ed and passed fds. */
struct rp_file {
	unsigned		refs;		/* fd table entries + in-flight calls */
	enum rp_file_kind	kind;
	bool			can_read, can_write;
	union {
		struct rp_sock	*sk;
		struct rp_map	*map;
		struct rp_prog	*prog;
	} u;
};

/* The ephemeral range: ports 32768 .. 60999. */
#define RP_EPH_LOW	32768u
#define RP_EPH_PORTS	28232u
#define RP_EPH_WORDS	((RP_EPH_PORTS + 63) / 64)
#define RP_EPH_SUMMARY	((RP_EPH_WORDS + 63) / 64)

/*
 * Which ephemeral ports of one (netns, protocol) have a bind bucket: one
 * bit a port, and one summary bit a word that is all ones, so finding
 * the first free port from the cursor reads a few words (sock.c).
 */
struct rp_portmap {
	int		protocol;
	uint64_t	used[RP_EPH_WORDS];	/* bits past the range are 1 */
	uint64_t	full[RP_EPH_SUMMARY];	/* words past the end are 1 */
};

struct rp_netns {
	unsigned	id;
	uint64_t	cookie_gen;		/* 4.19: per-netns cookie counter */
	long		tcp_migrate_req;
	uint16_t	next_port;		/* ephemeral port cursor (netns
						 * 0's serves them all) */
	GPtrArray	*portmaps;		/* struct rp_portmap, by protocol */
};

struct rp_proc {
	unsigned		id;
	struct rp_netns		*net;
	uint32_t		uid;
	uint64_t		caps;
	uint64_t		memlock_limit;	/* RLIMIT_MEMLOCK, bytes */
	GPtrArray		*fds;		/* fd -> struct rp_file * or NULL */
	unsigned		fd_hint;	/* no free fd below this (next_fd) */
};

struct rp_owner {
	enum rp_owner_kind	kind;
	struct rp_map		*map;		/* SLOT (STALE: may dangle) */
	unsigned		map_id;		/* id of map, safe to print */
	uint32_t		idx;
};

struct rp_sock {
	unsigned		id;
	struct rp_netns		*net;
	int			family, type, protocol;
	int			state;		/* RP_TCP_* */
	uint32_t		uid;
	bool			reuseport;
	bool			reuseaddr;	/* SO_REUSEADDR: sk_reuse */
	bool			hashed;
	bool			rcu_free;	/* SOCK_RCU_FREE */
	bool			ipv6only;
	bool			closed;		/* file released */
	bool			dead;		/* freed (RCU deferred) */
	bool			foreign_owned;	/* a foreign user took sk_user_data */
	bool			mptcp;		/* an MPTCP socket: the fd's view;
						 * ports and groups are its first
						 * subflow's, a TCP socket's */
	bool			bind_port_lock;	/* port given explicitly */
	bool			bind_addr_lock;	/* address given explicitly */
	bool			syn_sent;	/* TCP: connect() sent a SYN once
						 * (RP_ROLE_CHANGE_EINVAL) */
	bool			listen_stopped;	/* tcp_disconnect() of a listener,
						 * not listening again since */
	bool			raw_unhashed;	/* a raw socket that connect()
						 * with AF_UNSPEC took off the raw
						 * hash (R-SOCK-17) */
	bool			raw_src;	/* a raw socket has an IPv4
						 * source address (inet_saddr:
						 * bound or connected) */
	bool			hashed4;	/* UDP, 6.13+: on the 4-tuple
						 * hash since its first connect()
						 * (udp_hashed4(), R-DET-10) */
	int			bound_dev_if;
	int			incoming_cpu;	/* -1 = unset */
	struct rp_addr		rcv_saddr;
	uint16_t		num;		/* local port, host order */
	uint16_t		sport;		/* inet_sport: getsockname()'s
						 * port, kept when num goes */
	struct rp_sockaddr	peer;		/* connected peer (port 0 = none) */
	struct rp_owner		owner;		/* sk_user_data */
	struct rp_group		*reuse;		/* sk_reuseport_cb */
	unsigned		reuse_pos;	/* index in reuse->socks[] */
	struct rp_bucket	*bucket;	/* port binding, NULL = unbound */
	unsigned		bound_pos;	/* index in bucket->bound */
	bool			listed;		/* in bucket's listening chain */
	struct rp_sock		*listen_prev;	/* chain neighbours, NULL at */
	struct rp_sock		*listen_next;	/* the head / the tail */
	int64_t			listen_seq;	/* place in chain order */
	bool			join_hidden;	/* UDP/IPv6 rehashed by connect() */
	bool			unhashing;	/* inside sock_unhash(): what the
						 * bucket lock hides from a join */
	unsigned		join_pins;	/* threads joining sk's group
						 * under the bucket lock */
	uint32_t		hash;		/* child/request: flow hash */
	unsigned		conn_peer;	/* TCP: the other end's id, 0 = a
						 * client outside the model */
	int			backlog;	/* listener: sk_max_ack_backlog */
	bool			ss_connected;	/* TCP: socket->state SS_CONNECTED:
						 * a connect() or accept() made it,
						 * only connect(AF_UNSPEC) unmakes it */
	uint8_t			shutdown;	/* RP_SHUT_* + 1 bits, as
						 * sk_shutdown: set even when
						 * shutdown() said -ENOTCONN */
	bool			fin_sent;	/* TCP: our FIN went out */
	bool			shut_early;	/* TCP: SHUT_WR before its
						 * connect(), no FIN sent */
	bool			active_close;	/* ... before the peer's */
	uint64_t		cookie;		/* sk_cookie, 0 = none */
	unsigned		cb_holder;	/* callback lock holder tid+1, 0 = free */
	struct rp_sock		*parent;	/* child: the listener it queues on */
	GQueue			accept_q;	/* children (struct rp_sock *) */
	GQueue			requests;	/* request socks (struct rp_sock *) */
	unsigned		psock_refs;	/* sockmap/sockhash memberships */
	uint8_t			*data;		/* first payload of a child */
	size_t			data_len;
	bool			rx_unread;	/* TCP: that payload sits in
						 * its receive queue (no
						 * recv in the language) */
};

/*
 * Sockets holding one (netns, protocol, port): the bind bucket.  The
 * lookup candidates form a doubly-linked chain in the kernel's order:
 * a socket hashed at the head takes listen_seq --head_seq, one hashed at
 * the tail tail_seq++, so listen_seq strictly increases from head to tail
 * (the head entries newest first, then the tail entries oldest first).
 * A socket leaves the chain in O(1) and a walk from the head is linear.
 */
struct rp_bucket {
	unsigned		netns;
	int			protocol;
	uint16_t		port;
	GPtrArray		*bound;		/* every socket holding the port */
	struct rp_sock		*listen_head;	/* lookup candidates, in */
	struct rp_sock		*listen_tail;	/* chain order */
	unsigned		nlisten;	/* sockets in the chain */
	int64_t			head_seq;	/* listen_seq of the last head */
	int64_t			tail_seq;	/* ... of the next tail entry */
	/* TCP's fast paths (tb->fastreuse, tb->fastreuseport, set by
	 * inet_csk_update_fastreuse()): the first owner's SO_REUSEADDR and
	 * SO_REUSEPORT, narrowed by later owners, never widened */
	bool			fastreuse;
	int			fastreuseport;	/* RP_FASTREUSEPORT_* */
	uint32_t		fastuid;
	int			fast_family;	/* the socket recorded for the */
	struct rp_addr		fast_addr;	/* strict fast path */
	bool			fast_ipv6only;
};

struct rp_group {
	unsigned		id;		/* model object id */
	uint32_t		reuseport_id;
	bool			has_id;
	uint16_t		max_socks;	/* 128 .. 32768 */
	uint16_t		num_socks;
	uint16_t		num_closed_socks;
	bool			bind_inany;
	bool			has_conns;
	bool			dead;		/* freed, RCU deferred */
	unsigned		incoming_cpu;	/* members with incoming_cpu set */
	struct rp_prog		*prog;
	struct rp_sock		**socks;
	/* The words a member's detach left past the listening section
	 * (__reuseport_detach_sock() does not clear socks[num_socks]), kept
	 * only while a reader is inside an RCU section: one that read
	 * num_socks before the detach may still take them (R-RACE-13).
	 * NULL until then; not copied by rp_state_clone() (no reader is in
	 * flight between two operations) nor digested. */
	struct rp_sock		**stale;
};

/* The slots of an array map, a two-level table (slots.c). */
#define RP_SLOT_PAGE	1024u
struct rp_slot_page {
	uint32_t	 fill;			/* non-NULL slots */
	void		*slot[RP_SLOT_PAGE];
};
struct rp_slots {
	uint32_t		 n;		/* slots: max_entries */
	uint32_t		 npages;
	struct rp_slot_page	**pages;	/* NULL: all n slots empty */
};

struct rp_map {
	unsigned		id;
	uint32_t		type;
	uint32_t		key_size, value_size, max_entries, map_flags;
	char			name[17];
	unsigned		refs;		/* files, programs, outer slots */
	bool			frozen;
	bool			dead;
	bool			dying;		/* no reference, free pending */
	bool			array_freed;	/* slot memory gone (kernel) */
	uint64_t		memlock;	/* bytes charged */
	uint32_t		charged_uid;
	unsigned		used;		/* occupied slots / hash entries */
	/* outer maps: the inner template */
	uint32_t		inner_type, inner_key_size, inner_value_size;
	uint32_t		inner_max_entries, inner_map_flags;
	union {
		/* SOCKARRAY, SOCKMAP: struct rp_sock *; ARRAY_OF_MAPS:
		 * struct rp_map * (slots.c) */
		struct rp_slots	 slots;
		GHashTable	*hash;		/* SOCKHASH, HASH_OF_MAPS: key -> obj */
		struct rp_vmap	*v;		/* ARRAY, HASH and per-CPU (valmap.c) */
	} u;
};

/* Slot i of an array map: rp_map_sock() for SOCKARRAY and SOCKMAP,
 * rp_map_inner() for ARRAY_OF_MAPS.  i < m->max_entries. */
#define rp_map_sock(m, i)	((struct rp_sock *)rp_slots_get(&(m)->u.slots, (i)))
#define rp_map_inner(m, i)	((struct rp_map *)rp_slots_get(&(m)->u.slots, (i)))

enum rp_prog_kind {
	RP_PROGK_SK_REUSEPORT,
	RP_PROGK_CBPF,
};

/* An instruction program as loaded (ebpf.c). */
struct rp_bpf_op;

struct rp_bpf_code {
	struct rp_insn		*insns;
	uint32_t		 len;
	uint32_t		 prog_type;
	uint8_t			*bad;		/* per insn (and one past the end):
						 * why it cannot run (0: it can) */
	const struct rp_bpf_helper **helper;	/* per CALL insn: its helper */
	struct rp_bpf_op	*op;		/* per insn (and one past the end):
						 * its fast case (ebpf.c) */
	struct rp_map		**ld_map;	/* per insn: map of an LD_IMM64, or NULL */
	uint32_t		*ld_off;	/* per insn: BPF_PSEUDO_MAP_VALUE offset */
	GPtrArray		*used_maps;	/* the references the program holds */
	uint64_t		 caps;		/* the loader's capabilities */
};

/* A classic program as attached (cbpf.c). */
struct rp_cbpf_code {
	struct rp_sock_filter	*insns;
	uint32_t		 len;
};

struct rp_prog {
	unsigned		id;
	enum rp_prog_kind	kind;
	uint32_t		expected_attach_type;
	struct rp_policy	pol;
	struct rp_cbpf		cbpf;
	struct rp_map		*map;		/* referenced map (may be NULL) */
	GHashTable		*migrate;	/* cookie (uint64 *) -> key */
	unsigned		refs;		/* files + groups */
	struct rp_bpf_code	*code;		/* instructions (eBPF), or NULL */
	struct rp_cbpf_code	*ccode;		/* instructions (classic), or NULL */
	uint64_t		memlock;	/* bytes charged (memlock_rlimit) */
	uint32_t		charged_uid;
};

/* Per simulated thread: RCU nesting and held locks (lockdep). */
struct rp_thread {
	unsigned		rcu_depth;
	bool			holds_reuseport;
	unsigned		cb_held;	/* callback locks held */
};

#define RP_NTHREADS	16

struct rp_ida {
	uint32_t		next;		/* lowest never-used id */
	GArray			*freed;		/* min-heap of released ids */
};

struct rp_state {
	const struct rp_profile	*prof;
	GPtrArray		*netns;		/* id -> struct rp_netns */
	GPtrArray		*procs;		/* id -> struct rp_proc */
	GPtrArray		*socks;		/* id -> struct rp_sock, NULL once freed */
	GPtrArray		*groups;	/* id -> struct rp_group, NULL once freed */
	GPtrArray		*maps;		/* id -> struct rp_map, NULL once freed */
	GPtrArray		*progs;		/* id -> struct rp_prog, NULL once freed */
	GPtrArray		*rcu_pending;	/* objects waiting for a grace period */
	GHashTable		*memlock_used;	/* uid -> bytes (4.19 accounting) */
	GHashTable		*buckets;	/* (netns, proto, port) -> bucket */
	struct rp_ida		ida;
	long			unpriv_bpf_disabled;
	bool			kconfig_mptcp;	/* CONFIG_MPTCP */
	/* locks */
	unsigned		reuseport_holder;	/* tid+1, 0 = free */
	struct rp_thread	threads[RP_NTHREADS];
	unsigned		tid;
	char			*violation;
	/* cookies */
	uint64_t		cookie_fwd;		/* shared forward counter */
	uint64_t		cookie_rev;		/* nested (reverse) counter */
	uint64_t		cookie_last[RP_NCPU_MAX];
	unsigned		cpu;
	/* hooks */
	const struct rp_observer *obs;
	void			*obs_ud;
	rp_sched_fn		sched;
	void			*sched_ud;
	bool			sched_fine;	/* the fine points too */
	rp_access_fn		access;		/* reads, for footprints */
	void			*access_ud;
	/* memory limit for map allocations (models kvzalloc failure) */
	uint64_t		kmem_limit;
	uint64_t		kmem_used;
	/* freed sockarrays, kept so a late write is reported, not a crash */
	GPtrArray		*graveyard;
	/* maps whose last reference is gone, not freed yet: the kernel
	 * frees a map from a workqueue (bpf_map_free_deferred()), which
	 * rp_state_settle() stands for */
	GPtrArray		*map_free_pending;
	/* with planted bugs, freed sockets too: a planted bug can leave a
	 * slot pointing at a freed socket, which must not crash the tool */
	GPtrArray		*sock_graveyard;
	unsigned		plant;		/* enum rp_plant bits */
	/* the incremental checker (check-step.c), from its first use */
	struct rp_chk		*chk;
	uint32_t		chk_threads;	/* bit t: thread t's locks moved */
	/* what programs see (ebpf.c, helpers.c) */
	uint64_t		rng[2];		/* bpf_get_prandom_u32() state */
	uint64_t		clock_ns;	/* bpf_ktime_get_ns() */
	uint64_t		insn_budget;	/* per program run */
	const struct rp_bpf_observer *bpf_obs;
	void			*bpf_obs_ud;
	struct rp_bpf_frame	*bpf_frames;	/* free stack frames (ebpf.c) */
};

/* ---------------------------------------------------------------------
 * Prototypes, by file
 */

/* profile.c */
uint64_t rp_unpriv_caps(const struct rp_profile *);

/* state.c */
struct rp_pending {			/* a callback waiting for RCU */
	void	(*fn)(struct rp_state *, void *);
	void	*obj;
};
void	 rp_emit(struct rp_state *, const struct rp_event *);
int	 rp_rule(struct rp_state *, const char *rule, int err);
void	 rp_known_defect(struct rp_state *, const char *what, unsigned sock);
struct rp_proc	*rp_proc_get(struct rp_state *, unsigned proc);
struct rp_file	*rp_fd_get(struct rp_state *, struct rp_proc *, int fd);
void	 rp_file_put(struct rp_state *, struct rp_file *);
int	 rp_fd_install(struct rp_proc *, struct rp_file *);
struct rp_file	*rp_file_new(enum rp_file_kind, void *obj);
bool	 rp_capable(const struct rp_proc *, uint64_t cap);
void	 rp_violation(struct rp_state *, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
void	 rp_call_rcu(struct rp_state *, void (*fn)(struct rp_state *, void *),
	    void *obj);
void	 rp_rcu_grace_period(struct rp_state *);
void	 rp_sock_free_deferred(struct rp_state *, struct rp_sock *);
void	 rp_netns_free(gpointer);
void	 rp_sock_free_rcu(struct rp_state *, void *sock);

/* lock.c */
void	 rp_sched_point(struct rp_state *, enum rp_sched_point, unsigned obj);
void	 rp_lock(struct rp_state *);
void	 rp_unlock(struct rp_state *);
bool	 rp_lock_held(const struct rp_state *);
void	 rp_cb_lock(struct rp_state *, struct rp_sock *);
void	 rp_join_pin(struct rp_state *, struct rp_sock *);
void	 rp_join_unpin(struct rp_state *, struct rp_sock *);
void	 rp_join_pin_wait(struct rp_state *, struct rp_sock *);
void	 rp_cb_unlock(struct rp_state *, struct rp_sock *);
bool	 rp_cb_lock_held(const struct rp_state *, const struct rp_sock *);
void	 rp_rcu_read_lock(struct rp_state *);
void	 rp_rcu_read_unlock(struct rp_state *);
bool	 rp_rcu_read_held(const struct rp_state *);
void	 rp_synchronize_rcu(struct rp_state *);
bool	 rp_rcu_idle(const struct rp_state *);
void	 rp_lock_assert_held(struct rp_state *, const char *what);
void	 rp_rcu_assert_reader(struct rp_state *, const char *what);
void	 rp_rcu_assert_grace(struct rp_state *, const char *what);

/* cookie.c */
uint64_t rp_sock_gen_cookie(struct rp_state *, struct rp_sock *);

/* sock.c */
struct rp_sock	*rp_sock_alloc(struct rp_state *, struct rp_netns *, int family,
		    int type, int protocol, uint32_t uid);
struct rp_sock	*rp_sock_get(struct rp_state *, unsigned proc, int fd,
		    struct rp_file **fp, int *err);
void	 rp_sock_release(struct rp_state *, struct rp_sock *);
void	 rp_sock_set_state(struct rp_state *, struct rp_sock *, int state);
void	 rp_sock_destroy(struct rp_state *, struct rp_sock *);
bool	 rp_addr_any(const struct rp_addr *);
bool	 rp_addr_eq(const struct rp_addr *, const struct rp_addr *);
void	 rp_sock_local(const struct rp_sock *, struct rp_sockaddr *);
bool	 rp_sock_tcp_established(struct rp_state *, const struct rp_sock *);
int	 rp_sock_tcp_state(const struct rp_state *, const struct rp_sock *);
void	 rp_owner_set(struct rp_state *, struct rp_sock *, enum rp_owner_kind,
	    struct rp_map *, uint32_t idx);
void	 rp_child_enqueue(struct rp_state *, struct rp_sock *listener,
	    struct rp_sock *child);
GHashTable	*rp_bucket_table_new(void);
struct rp_bucket *rp_bucket_lookup(const struct rp_state *, unsigned netns,
		    int protocol, uint16_t port);

/* group.c */
int	 rp_group_alloc(struct rp_state *, struct rp_sock *, bool bind_inany);
void	 rp_group_free_rcu(struct rp_state *, void *group);
int	 rp_group_add(struct rp_state *, struct rp_sock *, struct rp_sock *sk2);
#define RP_GROUP_ADD_AGAIN	1	/* sk2 left its group: choose again */
void	 rp_group_detach_sock(struct rp_state *, struct rp_sock *);
void	 rp_group_stop_listen(struct rp_state *, struct rp_sock *);
int	 rp_group_get_id(struct rp_state *, struct rp_group *);
int	 rp_group_attach_prog(struct rp_state *, struct rp_sock *,
	    struct rp_prog *);
int	 rp_group_detach_prog(struct rp_state *, struct rp_sock *);
void	 rp_group_has_conns_set(struct rp_state *, struct rp_sock *);
void	 rp_group_incoming_cpu_update(struct rp_state *, struct rp_sock *,
	    int val);
bool	 rp_group_migrating(const struct rp_state *, const struct rp_sock *);
void	 rp_ida_init(struct rp_ida *);
void	 rp_ida_destroy(struct rp_ida *);
uint32_t rp_ida_alloc(struct rp_ida *);
void	 rp_ida_free(struct rp_ida *, uint32_t id);

/* detach.c */
void	 rp_bpf_sk_reuseport_detach(struct rp_state *, struct rp_sock *);

/* map.c */
struct rp_map	*rp_map_get(struct rp_state *, unsigned proc, int fd,
		    struct rp_file **filep, int *err);
void	 rp_map_put(struct rp_state *, struct rp_map *);
bool	 rp_memlock_over(struct rp_state *, const struct rp_proc *,
	    uint64_t);
void	 rp_memlock_add(struct rp_state *, uint32_t, uint64_t, int);
bool	 rp_map_meta_equal(const struct rp_state *, const struct rp_map *outer,
	    const struct rp_map *inner);

/* slots.c */
bool	 rp_slots_init(struct rp_slots *, uint32_t n);
void	 rp_slots_clear(struct rp_slots *);
void	*rp_slots_get(const struct rp_slots *, uint32_t i);
void	 rp_slots_set(struct rp_slots *, uint32_t i, void *p);
uint32_t rp_slots_next(const struct rp_slots *, uint32_t i);

/* sockarray.c */
int	 rp_sockarray_alloc(struct rp_state *, struct rp_map *);
int	 rp_sockarray_lookup(struct rp_state *, struct rp_map *, uint32_t key,
	    uint64_t *value);
int	 rp_sockarray_update(struct rp_state *, struct rp_proc *,
	    struct rp_map *, uint32_t key, uint64_t value, uint64_t flags);
int	 rp_sockarray_delete(struct rp_state *, struct rp_map *, uint32_t key);
void	 rp_sockarray_free(struct rp_state *, struct rp_map *);
struct rp_sock	*rp_sockarray_lookup_sk(struct rp_state *, struct rp_map *,
		    uint32_t key);

/* outer.c */
int	 rp_outer_alloc(struct rp_state *, struct rp_proc *, struct rp_map *,
	    const struct rp_map_attr *);
int	 rp_outer_lookup(struct rp_state *, struct rp_map *, uint32_t key,
	    uint64_t *value);
int	 rp_outer_update(struct rp_state *, struct rp_proc *, struct rp_map *,
	    uint32_t key, uint64_t value, uint64_t flags);
int	 rp_outer_delete(struct rp_state *, struct rp_map *, uint32_t key);
void	 rp_outer_free(struct rp_state *, struct rp_map *);
struct rp_map	*rp_outer_lookup_map(struct rp_state *, struct rp_map *,
		    uint32_t key);

/* sockmap.c */
int	 rp_sockmap_alloc(struct rp_state *, struct rp_map *);
int	 rp_sockmap_lookup(struct rp_state *, struct rp_map *, uint32_t key,
	    uint64_t *value);
int	 rp_sockmap_update(struct rp_state *, struct rp_proc *, struct rp_map *,
	    uint32_t key, uint64_t value, uint64_t flags);
int	 rp_sockmap_delete(struct rp_state *, struct rp_map *, uint32_t key);
void	 rp_sockmap_free(struct rp_state *, struct rp_map *);
int	 rp_sockmap_update_sk(struct rp_state *, struct rp_map *, uint32_t key,
	    struct rp_sock *, uint64_t flags);
void	 rp_sockmap_unlink_sock(struct rp_state *, struct rp_sock *);
struct rp_sock	*rp_sockmap_lookup_sk(struct rp_state *, struct rp_map *,
		    uint32_t key);

/* prog.c */
struct rp_prog	*rp_prog_new(struct rp_state *, enum rp_prog_kind);
void	 rp_prog_get(struct rp_prog *);
void	 rp_prog_put(struct rp_state *, struct rp_prog *);
struct rp_prog	*rp_prog_from_fd(struct rp_state *, struct rp_proc *, int fd,
		    int *err);

/* select.c */
struct rp_select_ctx {
	const struct rp_packet	*pkt;		/* NULL: no skb */
	uint32_t		hash;
	struct rp_sock		*sk;		/* socket the lookup hit */
	struct rp_sock		*migrating;	/* 5.14+ migration, else NULL */
	struct rp_delivery	*out;		/* may be NULL */
};
struct rp_sock	*rp_reuseport_select(struct rp_state *, struct rp_select_ctx *,
		    bool *dropped);
int	 rp_sk_select_reuseport(struct rp_state *, struct rp_select_ctx *,
	    uint32_t ctx_id, struct rp_map *m, uint32_t key,
	    struct rp_sock **selected);
struct rp_sock	*rp_reuseport_migrate(struct rp_state *, struct rp_sock *sk,
		    struct rp_sock *child, int len);
uint32_t rp_flow_hash(const struct rp_packet *);

/* valmap.c */
struct rp_vmap;
bool	 rp_vmap_type(uint32_t type);
int	 rp_vmap_alloc_check(struct rp_state *, const struct rp_map_attr *);
int	 rp_vmap_alloc(struct rp_state *, struct rp_map *);
void	 rp_vmap_free(struct rp_state *, struct rp_map *);
void	 rp_vmap_destroy(struct rp_vmap *);
struct rp_vmap *rp_vmap_copy(const struct rp_map *);
struct rp_pending;
bool	 rp_vmap_pending_elem(const struct rp_pending *);
void	*rp_vmap_elem_copy(const void *);
void	 rp_vmap_elem_free(void *);
uint64_t rp_vmap_digest(const struct rp_map *);
int	 rp_ringbuf_output(struct rp_state *, struct rp_map *, uint64_t size);
uint8_t	*rp_ringbuf_reserve(struct rp_state *, struct rp_map *, uint32_t size);
bool	 rp_ringbuf_commit(struct rp_state *, struct rp_map *,
	    const uint8_t *data, bool discard);
uint64_t rp_ringbuf_query(struct rp_state *, const struct rp_map *,
	    uint64_t flags);
void	 rp_ringbuf_counts(const struct rp_map *, uint64_t *records,
	    uint64_t *discarded, uint64_t *bytes);
bool	 rp_vmap_key_of(const struct rp_map *, const uint8_t *value,
	    uint32_t *idx);
uint8_t	*rp_vmap_lookup(struct rp_state *, struct rp_map *, const uint8_t *key,
	    unsigned cpu);
int	 rp_vmap_update(struct rp_state *, struct rp_map *, const uint8_t *key,
	    const uint8_t *value, uint64_t flags, int cpu);
int	 rp_vmap_delete(struct rp_state *, struct rp_map *, const uint8_t *key);
int	 rp_vmap_lookup_sys(struct rp_state *, struct rp_map *,
	    const uint8_t *key, uint8_t *value);
int	 rp_vmap_next_key(struct rp_state *, struct rp_map *, const uint8_t *key,
	    uint8_t *next);

/* skb.c: the packet as programs see it */
struct rp_skb {
	uint8_t		*buf;		/* Ethernet header .. end of packet */
	size_t		 len;
	size_t		 net;		/* offset of the IP header */
	size_t		 l4;		/* of the TCP/UDP header */
	size_t		 data;		/* skb->data: l4, or the payload after a pull */
	uint16_t	 proto;		/* ETH_P_IP, ETH_P_IPV6 (host order) */
	bool		 has_mac;
	const struct rp_packet *pending; /* headers not written yet */
	uint8_t		 small[192];	/* buf when it fits */
};
void	 rp_skb_build(struct rp_state *, struct rp_skb *,
	    const struct rp_packet *, bool raw_l4, bool lazy);
void	 rp_skb_headers(struct rp_skb *, const struct rp_packet *);
void	 rp_skb_free(struct rp_skb *);
size_t	 rp_skb_payload(const struct rp_skb *);
bool	 rp_skb_load(const struct rp_skb *, size_t base, int32_t off,
	    unsigned size, uint32_t *val);

/* ebpf.c: the machine */
#define RP_BPF_MAX_FRAMES	8	/* MAX_CALL_FRAMES */
#define RP_BPF_STACK		512	/* MAX_BPF_STACK */
#define RP_BPF_INSN_BUDGET	1000000	/* default insn_budget */

/* A register: a scalar, or a pointer as (kind, object, offset). */
struct rp_breg {
	uint64_t	 v;		/* scalar, or offset into the object */
	void		*obj;		/* STACK: frame; MAP_VALUE: the value's
					 * bytes; MAP: map; SOCK: socket */
	struct rp_map	*map;		/* MAP_VALUE: its map */
	uint32_t	 size;		/* MAP_VALUE: bytes; STACK: generation */
	/* 16 bits, not 8: a store to a uint8_t may alias anything, and the
	 * interpreter would reload its state after every register write */
	uint16_t	 t;		/* enum rp_bpf_reg_kind */
	uint16_t	 frame;		/* STACK: frame number */
};

struct rp_bpf_frame {
	uint8_t		mem[RP_BPF_STACK];
	uint64_t	init[RP_BPF_STACK / 64];	/* bit per byte written */
	uint64_t	spilled;		/* bit per 8-byte slot with a pointer */
	struct rp_breg	spill[RP_BPF_STACK / 8];
	uint32_t	gen;			/* bumped when the frame is left */
	uint32_t	depth;			/* bytes below r10 touched */
	uint32_t	ret_pc;			/* the caller's next instruction */
	struct rp_breg	saved[4];		/* the caller's r6-r9 */
	struct rp_bpf_frame *next;		/* in the free list */
};

/* One program run. */
struct rp_bpf_run {
	struct rp_state		 *st;
	const struct rp_prog	 *prog;
	const struct rp_bpf_code *code;
	uint32_t		  prog_type;
	/* SK_REUSEPORT: the selection (select.c) */
	struct rp_select_ctx	 *sctx;
	uint32_t		  reuseport_id;
	bool			  bind_inany;
	struct rp_sock		 *selected;
	int			  helper_err;
	/* the packet, built on first use */
	const struct rp_packet	 *pkt;
	bool			  raw_l4;	/* pkt->payload is the L4 segment */
	bool			  skb_built;
	uint32_t		  hash;
	uint8_t			  cb[20];	/* __sk_buff cb[] */
	/* the machine */
	struct rp_breg		  r[11];
	struct rp_bpf_frame	 *frame[RP_BPF_MAX_FRAMES];
	unsigned		  nframes;
	uint32_t		  pc;
	uint64_t		  count;
	bool			  fault;
	bool			  trace;
	struct rp_skb		  skb;		/* last: not cleared per run */
};

int	 rp_bpf_load(struct rp_state *, struct rp_proc *, uint32_t prog_type,
	    const struct rp_insn *insns, uint32_t n, struct rp_bpf_code **codep);
void	 rp_bpf_code_free(struct rp_state *, struct rp_bpf_code *);
struct rp_bpf_code *rp_bpf_code_copy(const struct rp_bpf_code *);
void	 rp_bpf_code_destroy(struct rp_bpf_code *);
bool	 rp_bpf_fault(struct rp_bpf_run *, const char *rule, const char *fmt,
	    ...) G_GNUC_PRINTF(3, 4);
const struct rp_skb *rp_bpf_skb(struct rp_bpf_run *);
const struct rp_skb *rp_bpf_skb_headers(struct rp_bpf_run *);
uint8_t	*rp_bpf_mem(struct rp_bpf_run *, const struct rp_breg *, int64_t off,
	    uint32_t size, bool write, const char *what);
void	 rp_bpf_reg_view(const struct rp_breg *, struct rp_bpf_reg *);
void	 rp_bpf_emit(struct rp_bpf_run *, struct rp_bpf_event *);
void	 rp_bpf_note(const struct rp_state *, unsigned prog, uint32_t pc,
	    struct rp_bpf_event *);
int	 rp_bpf_run_reuseport(struct rp_state *, struct rp_select_ctx *,
	    struct rp_group *, struct rp_prog *, struct rp_sock **selected,
	    int *helper_err, bool *fault);
bool	 rp_bpf_run_filter(struct rp_state *, struct rp_select_ctx *,
	    struct rp_prog *, uint32_t *idx);
void	 rp_bpf_state_free(struct rp_state *);

/* helpers.c */
struct rp_bpf_helper;
const struct rp_bpf_helper *rp_bpf_helper_find(const struct rp_profile *,
	    uint32_t prog_type, int32_t id);
bool	 rp_bpf_call(struct rp_bpf_run *, int32_t id,
	    const struct rp_bpf_helper *);
uint32_t rp_bpf_prandom(struct rp_state *);

/* cbpf.c */
int	 rp_cbpf_check(struct rp_state *, const struct rp_sock_filter *,
	    unsigned len);
bool	 rp_cbpf_run(struct rp_state *, const struct rp_prog *,
	    struct rp_select_ctx *, uint32_t *ret);

/* check.c: the key of the cookie sets of both checkers (I11): a cookie
 * and the network namespace it is unique in (0 when cookies are global).
 * A record that carries more puts the key first. */
struct rp_cookie_key {
	uint64_t	cookie;
	unsigned	netns;
};
guint	 rp_cookie_key_hash(gconstpointer key);
gboolean rp_cookie_key_equal(gconstpointer a, gconstpointer b);
/* check.c: I3, what keeps a socket from being a sockarray occupant
 * (RP_ELIGIBLE: nothing), for both checkers; the first reason found, in
 * the order of the enum. */
enum rp_inelig {
	RP_ELIGIBLE = 0,
	RP_INELIG_PROTOCOL,	/* neither TCP nor UDP */
	RP_INELIG_FAMILY,	/* neither AF_INET nor AF_INET6 */
	RP_INELIG_TYPE,		/* neither SOCK_STREAM nor SOCK_DGRAM */
	RP_INELIG_UNHASHED,
	RP_INELIG_NOT_RCU_FREE,
	RP_INELIG_NO_GROUP,
	RP_INELIG_CLOSED,
	RP_INELIG_CLOSED_SECTION, /* closed section, not hashed again */
};
enum rp_inelig rp_sock_ineligible(const struct rp_sock *sk);
/* check.c: is pos inside the listening or the closed section of g? */
bool	 rp_group_in_section(const struct rp_group *g, unsigned pos);

/* digest.c */
uint64_t rp_bucket_id(const struct rp_bucket *);

/* Report a read of the object named by key to the access hook, if any.
 * Cannot fail. */
static inline void
rp_read(const struct rp_state *st, uint64_t key)
{
	if (st->access != NULL)
		st->access(st->access_ud, key);
}

/* A read of a socket: its group and its bind bucket with it. */
static inline void
rp_read_sock(const struct rp_state *st, const struct rp_sock *sk)
{
	if (st->access == NULL || sk == NULL)
		return;
	rp_read(st, RP_OBJ_KEY(RP_OC_SOCK, sk->id));
	if (sk->reuse != NULL)
		rp_read(st, RP_OBJ_KEY(RP_OC_GROUP, sk->reuse->id));
	if (sk->bucket != NULL)
		rp_read(st, RP_OBJ_KEY(RP_OC_BUCKET, rp_bucket_id(sk->bucket)));
}

/* A read of a group: its program with it. */
static inline void
rp_read_group(const struct rp_state *st, const struct rp_group *g)
{
	if (st->access == NULL || g == NULL)
		return;
	rp_read(st, RP_OBJ_KEY(RP_OC_GROUP, g->id));
	if (g->prog != NULL)
		rp_read(st, RP_OBJ_KEY(RP_OC_PROG, g->prog->id));
}

static inline void
rp_read_map(const struct rp_state *st, const struct rp_map *m)
{
	if (m != NULL)
		rp_read(st, RP_OBJ_KEY(RP_OC_MAP, m->id));
}

/*
 * check-step.c: the dirty set of the incremental checker.  Every write
 * of a field the invariants read marks what it changed: rp_emit() marks
 * the objects and places an event names (rp_chk_event()); a write that
 * emits no event calls rp_dirty_*() itself, for the object written and,
 * for a pointer, the object it stops and starts pointing at.  A call
 * that writes a field of its own socket with no event (bind(),
 * connect(), setsockopt()) marks the socket first.  All of them do
 * nothing until rp_check_step() first runs on the state.
 */
struct rp_chk;
/* Events that only move a thread's locks or RCU depth (rp_emit() flags
 * the thread in st->chk_threads) and events that write nothing. */
#define RP_CHK_THREAD_EVENTS						\
	((UINT64_C(1) << RP_EV_LOCK) | (UINT64_C(1) << RP_EV_UNLOCK) |	\
	(UINT64_C(1) << RP_EV_RCU_LOCK) | (UINT64_C(1) << RP_EV_RCU_UNLOCK) | \
	(UINT64_C(1) << RP_EV_RCU_SYNC))
#define RP_CHK_QUIET_EVENTS						\
	((UINT64_C(1) << RP_EV_RULE) | (UINT64_C(1) << RP_EV_PROG_RUN) |	\
	(UINT64_C(1) << RP_EV_SELECT) | (UINT64_C(1) << RP_EV_KNOWN_DEFECT))
void	 rp_chk_free(struct rp_chk *);
void	 rp_chk_event(struct rp_state *, const struct rp_event *);
void	 rp_chk_mark_sock(struct rp_chk *, unsigned id);
void	 rp_chk_mark_group(struct rp_chk *, unsigned id);
void	 rp_chk_mark_map(struct rp_chk *, unsigned id);
void	 rp_chk_mark_prog(struct rp_chk *, unsigned id);
void	 rp_chk_mark_slot(struct rp_chk *, unsigned map, uint32_t key);
void	 rp_chk_mark_pos(struct rp_chk *, unsigned group, uint32_t pos);
void	 rp_chk_mark_bucket(struct rp_chk *, unsigned netns, int protocol,
	    uint16_t port);
void	 rp_chk_mark_threads(struct rp_state *);
/* Tests only: faults planted in the checker itself, to prove that the
 * comparison with rp_check() notices a broken incremental checker. */
enum rp_chk_fault {
	RP_CHK_FAULT_SLOT_MARKS = 1 << 0,	/* slot events mark nothing */
	RP_CHK_FAULT_COOKIES = 1 << 1,		/* twin cookies not looked for */
	RP_CHK_FAULT_JOIN = 1 << 2,		/* I10 of a changed member skipped */
};
void	 rp_chk_set_fault(struct rp_state *, unsigned fault);
bool	 rp_chk_same_as_fresh(struct rp_state *, char **why);

static inline void
rp_dirty_sock(struct rp_state *st, const struct rp_sock *sk)
{
	if (st->chk != NULL && sk != NULL)
		rp_chk_mark_sock(st->chk, sk->id);
}

static inline void
rp_dirty_group(struct rp_state *st, const struct rp_group *g)
{
	if (st->chk != NULL && g != NULL)
		rp_chk_mark_group(st->chk, g->id);
}

static inline void
rp_dirty_prog(struct rp_state *st, const struct rp_prog *p)
{
	if (st->chk != NULL)
		rp_chk_mark_prog(st->chk, p->id);
}

#endif /* RP_INT_H */
