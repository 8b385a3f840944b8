/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * sock.c - sockets and the socket calls that change reuseport membership:
 * socket(), setsockopt(), bind() with its conflict rules and the port
 * bucket (inet_csk_get_port(), udp_lib_get_port()), listen() and the TCP
 * join (inet_hash(), inet_reuseport_add_sock()), UDP join at bind
 * (udp_reuseport_add_sock()), connect() and disconnect, shutdown(),
 * accept(), close() (tcp_close(), udp_lib_unhash(), sk_destruct()), and the
 * listener lookup that delivers traffic (inet_lhash2_lookup(),
 * udp4_lib_lookup2()).
 */
#include <errno.h>
#include <string.h>

#include "rp-int.h"

static bool
sk_is_inet(const struct rp_sock *sk)
{
	return sk->family == RP_AF_INET || sk->family == RP_AF_INET6;
}

bool
rp_addr_any(const struct rp_addr *a)
{
	static const uint8_t zero[16];

	return memcmp(a->a, zero, a->family == RP_AF_INET ? 4 : 16) == 0;
}

bool
rp_addr_eq(const struct rp_addr *x, const struct rp_addr *y)
{
	return x->family == y->family &&
	    memcmp(x->a, y->a, x->family == RP_AF_INET ? 4 : 16) == 0;
}

/* The IPv4 address a names: itself, or the v4 of a v4-mapped IPv6
 * address (::ffff:a.b.c.d).  FALSE when it is a plain IPv6 address. */
static bool
addr_v4(const struct rp_addr *a, struct rp_addr *v4)
{
	static const uint8_t mapped[12] = { [10] = 0xff, [11] = 0xff };
	struct rp_addr r = { .family = RP_AF_INET };

	if (a->family == RP_AF_INET) {
		*v4 = *a;
		return true;
	}
	if (memcmp(a->a, mapped, sizeof(mapped)) != 0)
		return false;
	memcpy(r.a, a->a + 12, 4);
	*v4 = r;	/* v4 may be a */
	return true;
}

/* sk back at the wildcard address of its own family (inet_reset_saddr()). */
static void
reset_saddr(struct rp_sock *sk)
{
	memset(&sk->rcv_saddr, 0, sizeof(sk->rcv_saddr));
	sk->rcv_saddr.family = (uint16_t)sk->family;
}

/*
 * sk's local address and port as getsockname() says them.  An IPv6
 * socket bound to a v4-mapped address (or a child of a dual-stack
 * listener) keeps its IPv4 address in rcv_saddr, as the kernel keeps
 * inet_rcv_saddr, for lookups and conflicts; it is shown mapped.
 */
void
rp_sock_local(const struct rp_sock *sk, struct rp_sockaddr *sa)
{
	sa->addr = sk->rcv_saddr;
	sa->port = sk->num;
	if (sk->family == RP_AF_INET6 && sk->rcv_saddr.family == RP_AF_INET) {
		memset(&sa->addr, 0, sizeof(sa->addr));
		sa->addr.family = RP_AF_INET6;
		sa->addr.a[10] = sa->addr.a[11] = 0xff;
		memcpy(sa->addr.a + 12, sk->rcv_saddr.a, 4);
	}
}

static bool
addr_is_local(const struct rp_addr *a)
{
	static const uint8_t v6lo[16] = { [15] = 1 };

	if (rp_addr_any(a))
		return true;
	if (a->family == RP_AF_INET)
		return a->a[0] == 127;
	return memcmp(a->a, v6lo, 16) == 0;
}

static bool
v4_is(const struct rp_addr *a, uint8_t b0, uint8_t b1, uint8_t b2, uint8_t b3)
{
	return a->a[0] == b0 && a->a[1] == b1 && a->a[2] == b2 && a->a[3] == b3;
}

/* KERNEL: fib_add_ifaddr(): an IPv4 address that is one of lo's
 * broadcast routes: 127.255.255.255, and in 5.10 the subnet's own
 * address 127.0.0.0 too (lo_subnet_broadcast) */
static bool
lo_broadcast(const struct rp_state *st, const struct rp_addr *a)
{
	return a->family == RP_AF_INET && (v4_is(a, 127, 255, 255, 255) ||
	    (st->prof->lo_subnet_broadcast && v4_is(a, 127, 0, 0, 0)));
}

/* An IPv4 multicast group (224.0.0.0/4). */
static bool
v4_multicast(const struct rp_addr *a)
{
	return a->family == RP_AF_INET && a->a[0] >= 224 && a->a[0] <= 239;
}

/* An IPv6 multicast address, and whether it needs a scope id: a
 * link-local unicast (fe80::/10) or an interface- or link-local
 * multicast one (__ipv6_addr_needs_scope_id()). */
static bool
v6_multicast(const struct rp_addr *a)
{
	return a->family == RP_AF_INET6 && a->a[0] == 0xff;
}

static bool
v6_needs_scope(const struct rp_addr *a)
{
	if (a->family != RP_AF_INET6)
		return false;
	if (a->a[0] == 0xfe && (a->a[1] & 0xc0) == 0x80)
		return true;
	return v6_multicast(a) && ((a->a[1] & 0x0f) == 1 ||
	    (a->a[1] & 0x0f) == 2);
}

/*
 * An address a socket may bind but not send from (inet_bind(),
 * raw_bind(): inet_addr_valid_or_nonlocal() takes a broadcast or a
 * multicast address as well as a local one, and leaves inet_saddr 0, "use
 * device"; __inet6_bind() and rawv6_bind() set no np->saddr for a
 * multicast one): lo's broadcast addresses, the limited broadcast, an
 * IPv4 or IPv6 multicast group, also v4-mapped.  Such a socket's traffic
 * leaves from its route's source (measured on 6.18: a UDP datagram
 * arrives from 127.0.0.1, and a TCP connect() rebinds the socket there;
 * found by fuzz-diff on the host, where the kernel backend had waited
 * for a datagram from 127.255.255.255).
 */
static bool
no_source(const struct rp_state *st, const struct rp_addr *a)
{
	struct rp_addr v4;

	if (v6_multicast(a))
		return true;
	if (rp_addr_any(a) || !addr_v4(a, &v4))
		return false;
	return lo_broadcast(st, &v4) || v4_is(&v4, 255, 255, 255, 255) ||
	    v4_multicast(&v4);
}

/*
 * KERNEL (measured on 6.18, TCP and UDP alike): an IPv6 socket bound to
 * a v4-mapped broadcast or multicast address (v4, as IPv4), which leaves
 * it no IPv4 source, has no IPv4 route: -ENETUNREACH for a broadcast,
 * -EINVAL for a multicast one; 0 for any other address (R-BIND-12).
 */
static int
mapped_no_source(struct rp_state *st, const struct rp_addr *v4)
{
	if (v4->family != RP_AF_INET || !no_source(st, v4))
		return 0;
	return rp_rule(st, "R-BIND-12", v4_multicast(v4) ? -EINVAL :
	    -ENETUNREACH);
}

/* ---------------------------------------------------------------------
 * Sockets and file lookup
 */

struct rp_sock *
rp_sock_alloc(struct rp_state *st, struct rp_netns *net, int family, int type,
    int protocol, uint32_t uid)
{
	struct rp_sock *sk = g_new0(struct rp_sock, 1);

	sk->id = st->socks->len;
	sk->net = net;
	sk->family = family;
	sk->type = type;
	sk->protocol = protocol;
	sk->state = RP_TCP_CLOSE;
	sk->uid = uid;
	sk->incoming_cpu = -1;
	sk->rcv_saddr.family = (uint16_t)family;
	g_queue_init(&sk->accept_q);
	g_queue_init(&sk->requests);
	g_ptr_array_add(st->socks, sk);
	rp_emit(st, &(struct rp_event){ .kind = RP_EV_SOCK_NEW, .sock = sk->id,
	    .val = (uint64_t)family << 16 | (uint64_t)type << 8 |
	    (uint64_t)protocol });
	return sk;
}

/* The socket behind fd with a file reference held in *fp, or NULL and
 * *err (-ESRCH, -EBADF, -ENOTSOCK), as sockfd_lookup(). */
struct rp_sock *
rp_sock_get(struct rp_state *st, unsigned proc, int fd, struct rp_file **fp,
    int *err)
{
	struct rp_proc *p = rp_proc_get(st, proc);
	struct rp_file *f = rp_fd_get(st, p, fd);

	if (f == NULL) {
		*err = p == NULL ? -ESRCH : -EBADF;
		return NULL;
	}
	if (f->kind != RP_FILE_SOCK) {
		rp_file_put(st, f);
		*err = -ENOTSOCK;
		return NULL;
	}
	*fp = f;
	return f->u.sk;
}

/* Drop the call's file reference and end the step. */
static int
sock_done(struct rp_state *st, struct rp_file *f, int ret)
{
	rp_file_put(st, f);
	rp_state_quiesce(st);
	return ret;
}

int
rp_socket(struct rp_state *st, unsigned proc, int family, int type,
    int protocol)
{
	struct rp_proc *p = rp_proc_get(st, proc);
	struct rp_sock *sk;
	bool mptcp = false;
	int fd;

	if (p == NULL)
		return -ESRCH;
	/* KERNEL: __sock_create(): family range, then type range */
	if (family < 0 || family >= 46)
		return rp_rule(st, "R-SOCK-1", -EAFNOSUPPORT);
	type &= 0xf;	/* SOCK_NONBLOCK / SOCK_CLOEXEC are flags */
	if (type > 10)
		return rp_rule(st, "R-SOCK-1", -EINVAL);
	switch (family) {
	case RP_AF_INET:
	case RP_AF_INET6:
		/* KERNEL: inet_create(), inet6_create(): the protocol range
		 * first (IPPROTO_MAX: 256, 263 from 5.6) */
		if (protocol < 0 || protocol >= st->prof->ipproto_max)
			return rp_rule(st, "R-SOCK-1", -EINVAL);
		/* KERNEL: then the protosw of the type, then the protocol */
		if (type == RP_SOCK_STREAM) {
			/* KERNEL: mptcp_proto_init(): an IPPROTO_MPTCP protosw
			 * in SOCK_STREAM when CONFIG_MPTCP is built in */
			mptcp = protocol == RP_IPPROTO_MPTCP && st->kconfig_mptcp;
			if (protocol != 0 && protocol != RP_IPPROTO_TCP && !mptcp)
				return rp_rule(st, "R-SOCK-1", -EPROTONOSUPPORT);
			protocol = RP_IPPROTO_TCP;
		} else if (type == RP_SOCK_DGRAM) {
			if (protocol == 0)
				protocol = RP_IPPROTO_UDP;
			/* KERNEL: UDP-Lite is gone in 7.1 (d6e0f04bf22d) */
			if (protocol != RP_IPPROTO_UDP &&
			    (protocol != RP_IPPROTO_UDPLITE ||
			    !st->prof->udplite) &&
			    protocol != RP_IPPROTO_ICMP)
				return rp_rule(st, "R-SOCK-1", -EPROTONOSUPPORT);
		} else if (type == RP_SOCK_RAW) {
			/* KERNEL: the raw protosw takes any protocol in range */
			if (protocol == 0)
				return rp_rule(st, "R-SOCK-1", -EPROTONOSUPPORT);
			if (!rp_capable(p, RP_CAP_NET_RAW))
				return rp_rule(st, "R-SOCK-2", -EPERM);
		} else {
			return rp_rule(st, "R-SOCK-1", -ESOCKTNOSUPPORT);
		}
		break;
	case RP_AF_UNIX:
		/* KERNEL: unix_create(): protocol 0 or PF_UNIX; SOCK_RAW
		 * quietly becomes SOCK_DGRAM; SEQPACKET (5) exists */
		if (protocol != 0 && protocol != RP_AF_UNIX)
			return rp_rule(st, "R-SOCK-1", -EPROTONOSUPPORT);
		if (type == RP_SOCK_RAW)
			type = RP_SOCK_DGRAM;
		if (type != RP_SOCK_STREAM && type != RP_SOCK_DGRAM && type != 5)
			return rp_rule(st, "R-SOCK-1", -ESOCKTNOSUPPORT);
		protocol = 0;
		break;
	case RP_AF_NETLINK:
		if (type != RP_SOCK_DGRAM && type != RP_SOCK_RAW)
			return rp_rule(st, "R-SOCK-1", -ESOCKTNOSUPPORT);
		if (protocol < 0 || protocol >= 32)
			return rp_rule(st, "R-SOCK-1", -EPROTONOSUPPORT);
		break;
	default:
		return rp_rule(st, "R-SOCK-1", -EAFNOSUPPORT);
	}
	sk = rp_sock_alloc(st, p->net, family, type, protocol, p->uid);
	sk->mptcp = mptcp;
	fd = rp_fd_install(p, rp_file_new(RP_FILE_SOCK, sk));
	return fd;
}

int
rp_setsockopt_int(struct rp_state *st, unsigned proc, int fd,
    enum rp_sockopt opt, int val)
{
	struct rp_file *f = NULL;
	struct rp_sock *sk;
	int err = 0;

	sk = rp_sock_get(st, proc, fd, &f, &err);
	if (sk == NULL)
		return err;
	/* KERNEL: mptcp_setsockopt_sol_socket(), mptcp_setsockopt_v6():
	 * the options an MPTCP socket passes to its first subflow need that
	 * subflow, which __mptcp_nmpc_sk() gives only in TCP_CLOSE or
	 * TCP_LISTEN: connected, they are -EINVAL (measured on 6.12, 6.18
	 * and 7.2; 6.1 still gives them to the subflow: the switch
	 * mptcp_subflow_einval; SO_INCOMING_CPU goes to every subflow and
	 * works; found by fuzz-diff on the host, seed 16001587) */
	if (sk->mptcp && st->prof->mptcp_subflow_einval &&
	    opt != RP_SO_INCOMING_CPU &&
	    sk->state != RP_TCP_CLOSE && sk->state != RP_TCP_LISTEN)
		return sock_done(st, f, rp_rule(st, "R-SOCK-12", -EINVAL));
	switch (opt) {
	case RP_SO_REUSEPORT:
		/* KERNEL: sk_setsockopt(): 6.9+ inet sockets only */
		if (st->prof->reuseport_inet_only && !sk_is_inet(sk) && val) {
			err = rp_rule(st, "R-SOCK-3", -EOPNOTSUPP);
			break;
		}
		sk->reuseport = val != 0;
		break;
	case RP_SO_REUSEADDR:
		/* KERNEL: sk_setsockopt(): any socket */
		sk->reuseaddr = val != 0;
		break;
	case RP_SO_INCOMING_CPU:
		rp_dirty_sock(st, sk);
		rp_group_incoming_cpu_update(st, sk, val);
		break;
	case RP_IPV6_V6ONLY:
		/* KERNEL: an IPPROTO_IPV6 option: AF_UNIX sockets have no
		 * setsockopt of their own (-EOPNOTSUPP), netlink and IPv4
		 * ones know no such level (-ENOPROTOOPT) */
		if (sk->family != RP_AF_INET6) {
			err = rp_rule(st, "R-SOCK-15", sk->family == RP_AF_UNIX ?
			    -EOPNOTSUPP : -ENOPROTOOPT);
			break;
		}
		/* KERNEL: do_ipv6_setsockopt(): refused once inet_num is set,
		 * by bind() or, for a raw socket, its protocol */
		if (sk->num != 0 || sk->type == RP_SOCK_RAW) {
			err = rp_rule(st, "R-SOCK-15", -EINVAL);
			break;
		}
		rp_dirty_sock(st, sk);
		sk->ipv6only = val != 0;
		break;
	case RP_SO_BINDTOIFINDEX:
		/* KERNEL: sock_bindtoindex_locked(): changing a device already
		 * set needs CAP_NET_RAW; a negative index is refused; any
		 * other is taken, a device that does not exist too */
		if (sk->bound_dev_if != 0 &&
		    !rp_capable(rp_proc_get(st, proc), RP_CAP_NET_RAW)) {
			err = rp_rule(st, "R-SOCK-13", -EPERM);
			break;
		}
		if (val < 0) {
			err = -EINVAL;
			break;
		}
		rp_dirty_sock(st, sk);
		sk->bound_dev_if = val;
		/* KERNEL: then sk_prot->rehash(): udp_lib_rehash() takes a
		 * hashed UDP socket out of its reuseport group, whatever the
		 * new hash; TCP has no rehash and stays */
		if (sk->type == RP_SOCK_DGRAM && sk_is_inet(sk) && sk->hashed &&
		    sk->reuse != NULL) {
			rp_rule(st, "R-DET-8", 0);
			rp_group_detach_sock(st, sk);
		}
		break;
	default:
		err = -ENOPROTOOPT;
		break;
	}
	return sock_done(st, f, err);
}

int
rp_set_foreign_owner(struct rp_state *st, unsigned proc, int fd)
{
	struct rp_file *f = NULL;
	struct rp_sock *sk;
	int err = 0;

	sk = rp_sock_get(st, proc, fd, &f, &err);
	if (sk == NULL)
		return err;
	rp_cb_lock(st, sk);
	if (sk->owner.kind != RP_OWNER_NONE)
		err = -EBUSY;
	else
		rp_owner_set(st, sk, RP_OWNER_FOREIGN, NULL, 0);
	sk->foreign_owned = err == 0 || sk->foreign_owned;
	rp_cb_unlock(st, sk);
	return sock_done(st, f, err);
}

int
rp_getsockopt_cookie(struct rp_state *st, unsigned proc, int fd,
    uint64_t *cookie)
{
	struct rp_file *f = NULL;
	struct rp_sock *sk;
	int err = 0;

	g_return_val_if_fail(cookie != NULL, -EFAULT);
	sk = rp_sock_get(st, proc, fd, &f, &err);
	if (sk == NULL)
		return err;
	/* KERNEL: sk_getsockopt(SO_COOKIE): sock_gen_cookie() */
	*cookie = rp_sock_gen_cookie(st, sk);
	return sock_done(st, f, rp_rule(st, "R-COOK-1", 0));
}

int
rp_getsockname(struct rp_state *st, unsigned proc, int fd,
    struct rp_sockaddr *sa)
{
	struct rp_file *f = NULL;
	struct rp_sock *sk;
	int err = 0;

	g_return_val_if_fail(sa != NULL, -EFAULT);
	sk = rp_sock_get(st, proc, fd, &f, &err);
	if (sk == NULL)
		return err;
	rp_sock_local(sk, sa);
	/* KERNEL: inet_getname() reports inet_sport, which a port given
	 * back by a reset keeps (inet_put_port() clears inet_num only) */
	if (sa->port == 0 && sk->protocol == RP_IPPROTO_TCP)
		sa->port = sk->sport;
	return sock_done(st, f, 0);
}

/* ---------------------------------------------------------------------
 * Port buckets
 */

static guint
bucket_key_hash(gconstpointer k)
{
	const struct rp_bucket *b = k;

	return (b->netns * 131u + (guint)b->protocol) * 65537u + b->port;
}

static gboolean
bucket_key_eq(gconstpointer x, gconstpointer y)
{
	const struct rp_bucket *a = x, *b = y;

	return a->netns == b->netns && a->protocol == b->protocol &&
	    a->port == b->port;
}

static void
bucket_free(gpointer p)
{
	struct rp_bucket *b = p;

	g_ptr_array_unref(b->bound);
	g_free(b);
}

/* ---------------------------------------------------------------------
 * Ephemeral ports: which ports of the range have a bucket
 */

/* The port map of (net, protocol); created on first use when make. */
static struct rp_portmap *
portmap(struct rp_netns *net, int protocol, bool make)
{
	struct rp_portmap *pm;

	for (guint i = 0; i < net->portmaps->len; i++) {
		pm = net->portmaps->pdata[i];
		if (pm->protocol == protocol)
			return pm;
	}
	if (!make)
		return NULL;
	pm = g_new0(struct rp_portmap, 1);
	pm->protocol = protocol;
	/* bits past the last port and words past the last word read as
	 * used, so the search never returns them */
	pm->used[RP_EPH_WORDS - 1] = ~UINT64_C(0) << (RP_EPH_PORTS % 64);
	pm->full[RP_EPH_SUMMARY - 1] = ~UINT64_C(0) << (RP_EPH_WORDS % 64);
	g_ptr_array_add(net->portmaps, pm);
	return pm;
}

/* A bucket for port appeared (used) or went away (!used). */
static void
portmap_mark(struct rp_netns *net, int protocol, uint16_t port, bool used)
{
	unsigned off = (unsigned)port - RP_EPH_LOW, w = off / 64;
	struct rp_portmap *pm;

	if (port < RP_EPH_LOW || off >= RP_EPH_PORTS)
		return;
	pm = portmap(net, protocol, true);
	if (used)
		pm->used[w] |= UINT64_C(1) << (off % 64);
	else
		pm->used[w] &= ~(UINT64_C(1) << (off % 64));
	if (pm->used[w] == ~UINT64_C(0))
		pm->full[w / 64] |= UINT64_C(1) << (w % 64);
	else
		pm->full[w / 64] &= ~(UINT64_C(1) << (w % 64));
}

/* The first free offset in [from, RP_EPH_PORTS), or -1: reads the word
 * of from, then the summary, then one word.  O(1). */
static int
portmap_first_free(const struct rp_portmap *pm, unsigned from)
{
	unsigned w = from / 64, s, next;
	uint64_t bits = ~pm->used[w] & (~UINT64_C(0) << (from % 64));

	if (bits != 0)
		return (int)(w * 64 + (unsigned)__builtin_ctzll(bits));
	next = w + 1;
	for (s = next / 64; s < RP_EPH_SUMMARY; s++) {
		uint64_t cand = ~pm->full[s];

		if (s == next / 64)
			cand &= ~UINT64_C(0) << (next % 64);
		if (cand != 0) {
			w = s * 64 + (unsigned)__builtin_ctzll(cand);
			return (int)(w * 64 +
			    (unsigned)__builtin_ctzll(~pm->used[w]));
		}
	}
	return -1;
}

static struct rp_bucket *
bucket_find(struct rp_state *st, unsigned netns, int protocol, uint16_t port)
{
	struct rp_bucket key = { .netns = netns, .protocol = protocol,
	    .port = port };

	if (st->buckets == NULL)
		return NULL;
	return g_hash_table_lookup(st->buckets, &key);
}

/* The bind bucket of (netns, protocol, port), or NULL. */
struct rp_bucket *
rp_bucket_lookup(const struct rp_state *st, unsigned netns, int protocol,
    uint16_t port)
{
	return bucket_find((struct rp_state *)st, netns, protocol, port);
}

/* The table of bind buckets: (netns, protocol, port) -> bucket, which
 * the table owns. */
GHashTable *
rp_bucket_table_new(void)
{
	return g_hash_table_new_full(bucket_key_hash, bucket_key_eq, NULL,
	    bucket_free);
}

static struct rp_bucket *
bucket_get(struct rp_state *st, unsigned netns, int protocol, uint16_t port)
{
	struct rp_bucket *b = bucket_find(st, netns, protocol, port);

	if (b != NULL)
		return b;
	if (st->buckets == NULL)
		st->buckets = rp_bucket_table_new();
	b = g_new0(struct rp_bucket, 1);
	b->netns = netns;
	b->protocol = protocol;
	b->port = port;
	b->bound = g_ptr_array_new();
	g_hash_table_insert(st->buckets, b, b);
	portmap_mark(st->netns->pdata[netns], protocol, port, true);
	return b;
}

static void
bucket_add(struct rp_state *st, struct rp_sock *sk, uint16_t port)
{
	struct rp_bucket *b = bucket_get(st, sk->net->id, sk->protocol, port);

	rp_dirty_sock(st, sk);
	sk->bucket = b;
	sk->num = port;
	sk->sport = port;
	sk->bound_pos = b->bound->len;
	g_ptr_array_add(b->bound, sk);
}

/* Remove bound entry pos of arr by swapping the last one in. */
static void
bound_del(struct rp_state *st, GPtrArray *arr, unsigned pos)
{
	struct rp_sock *last = arr->pdata[arr->len - 1];

	rp_dirty_sock(st, last);
	arr->pdata[pos] = last;
	last->bound_pos = pos;
	g_ptr_array_set_size(arr, arr->len - 1);
}

/* Unlink sk from its bucket's listening chain (hlist_del_rcu(), as
 * __inet_unhash() and udp_lib_unhash() do): O(1), and the others keep
 * their order. */
static void
listen_del(struct rp_state *st, struct rp_sock *sk)
{
	struct rp_bucket *b = sk->bucket;

	rp_dirty_sock(st, sk->listen_prev);
	rp_dirty_sock(st, sk->listen_next);
	if (sk->listen_prev != NULL)
		sk->listen_prev->listen_next = sk->listen_next;
	else
		b->listen_head = sk->listen_next;
	if (sk->listen_next != NULL)
		sk->listen_next->listen_prev = sk->listen_prev;
	else
		b->listen_tail = sk->listen_prev;
	sk->listen_prev = sk->listen_next = NULL;
	sk->listed = false;
	b->nlisten--;
}

static void
bucket_del(struct rp_state *st, struct rp_sock *sk)
{
	struct rp_bucket *b = sk->bucket;

	/* every caller has unhashed sk (sock_unhash()) or never hashed it */
	if (b == NULL)
		return;
	rp_dirty_sock(st, sk);
	bound_del(st, b->bound, sk->bound_pos);
	sk->bucket = NULL;
	if (b->bound->len == 0) {
		portmap_mark(sk->net, b->protocol, b->port, false);
		g_hash_table_remove(st->buckets, b);
	}
}

/* Hash sk for lookups (listening TCP, bound UDP). */
static void
sock_hash(struct rp_state *st, struct rp_sock *sk)
{
	struct rp_bucket *b = sk->bucket;

	/* LCOV_EXCL_BR_START */
	g_assert(b != NULL && !sk->listed);
	/* LCOV_EXCL_BR_STOP */
	/* KERNEL: __inet_hash(), udp_lib_get_port(): an IPv6 socket with
	 * SO_REUSEPORT goes to the tail of the chain, any other to the head
	 * (decided now: setting SO_REUSEPORT later does not move it) */
	if (sk->family == RP_AF_INET6 && sk->reuseport) {
		sk->listen_seq = b->tail_seq++;
		rp_dirty_sock(st, b->listen_tail);
		sk->listen_prev = b->listen_tail;
		sk->listen_next = NULL;
		if (b->listen_tail != NULL)
			b->listen_tail->listen_next = sk;
		else
			b->listen_head = sk;
		b->listen_tail = sk;
	} else {
		sk->listen_seq = --b->head_seq;
		rp_dirty_sock(st, b->listen_head);
		sk->listen_next = b->listen_head;
		sk->listen_prev = NULL;
		if (b->listen_head != NULL)
			b->listen_head->listen_prev = sk;
		else
			b->listen_tail = sk;
		b->listen_head = sk;
	}
	b->nlisten++;
	sk->listed = true;
	sk->hashed = true;
	/* KERNEL: listeners and bound UDP sockets are SOCK_RCU_FREE */
	sk->rcu_free = true;
	rp_emit(st, &(struct rp_event){ .kind = RP_EV_SOCK_HASH,
	    .sock = sk->id });
}

/* The addresses a socket covers in one family: none, all, or one (in
 * *one). */
enum { COVER_NONE, COVER_ANY, COVER_ONE };

static int
cover(const struct rp_sock *sk, int family, struct rp_addr *one)
{
	const struct rp_addr *a = &sk->rcv_saddr;

	*one = *a;
	if (family == RP_AF_INET) {
		/* a v4 socket; a dual-stack v6 wildcard; v4-mapped */
		if (a->family == RP_AF_INET)
			return rp_addr_any(a) ? COVER_ANY : COVER_ONE;
		if (rp_addr_any(a))
			return sk->ipv6only ? COVER_NONE : COVER_ANY;
		/* KERNEL (measured): an IPv6 socket whose address came from
		 * connect() or a listener (not bind()) has LOOPBACK4_IPV6 as
		 * its IPv4 address, which an IPv4 wildcard binder meets */
		if (sk->bind_addr_lock || sk->ipv6only)
			return COVER_NONE;
		memset(one, 0, sizeof(*one));
		one->family = RP_AF_INET;
		one->a[0] = 127;
		one->a[3] = 6;
		return COVER_ONE;
	}
	if (sk->family != RP_AF_INET6 || a->family != RP_AF_INET6)
		return COVER_NONE;	/* IPv4, or v4-mapped */
	return rp_addr_any(a) ? COVER_ANY : COVER_ONE;
}

/*
 * Address ranges of a and b overlap (inet_rcv_saddr_equal() with
 * wildcards): in IPv4, which dual-stack v6 wildcards and v4-mapped
 * addresses belong to, or in IPv6.
 */
static bool
addr_overlap(const struct rp_sock *a, const struct rp_sock *b)
{
	for (int family = RP_AF_INET; ; family = RP_AF_INET6) {
		struct rp_addr oa, ob;
		int ca = cover(a, family, &oa), cb = cover(b, family, &ob);

		if (ca == COVER_ANY && cb != COVER_NONE)
			return true;
		if (cb == COVER_ANY && ca != COVER_NONE)
			return true;
		if (ca == COVER_ONE && cb == COVER_ONE && rp_addr_eq(&oa, &ob))
			return true;
		if (family == RP_AF_INET6)
			return false;
	}
}

/* sk may share the port with sk2 (both SO_REUSEPORT, same uid, ...). */
static bool
reuse_ok(const struct rp_state *st, const struct rp_sock *sk,
    const struct rp_sock *sk2)
{
	/* KERNEL: inet_bind_conflict(): a TIME_WAIT holder's uid is not
	 * compared */
	if (!sk->reuseport || !sk2->reuseport ||
	    (sk->uid != sk2->uid && sk2->state != RP_TCP_TIME_WAIT))
		return false;
	/* KERNEL: a socket that already has a group conflicts (5.14+:
	 * unless that group holds only closed sockets) */
	if (sk->reuse == NULL)
		return true;
	return st->prof->bind_conflict_closed_ok &&
	    sk->reuse->num_closed_socks > 0;
}

/* Do the devices of sk and sk2 overlap (either unbound, or the same)? */
static bool
dev_overlap(const struct rp_sock *sk, const struct rp_sock *sk2)
{
	return sk->bound_dev_if == 0 || sk2->bound_dev_if == 0 ||
	    sk->bound_dev_if == sk2->bound_dev_if;
}

/*
 * The IPv4 address of sk as the kernel keeps it (inet_rcv_saddr): an
 * IPv4 socket's, a v4-mapped IPv6 socket's IPv4 address, 0 for an IPv6
 * wildcard, and LOOPBACK4_IPV6 (127.0.0.6) for any other IPv6 address.
 */
static struct rp_addr
v4_view(const struct rp_sock *sk)
{
	struct rp_addr a = { .family = RP_AF_INET };

	if (sk->rcv_saddr.family == RP_AF_INET)
		return sk->rcv_saddr;
	if (!rp_addr_any(&sk->rcv_saddr)) {
		a.a[0] = 127;
		a.a[3] = 6;
	}
	return a;
}

/*
 * ipv4_rcv_saddr_equal() and ipv6_rcv_saddr_equal() as
 * sk_reuseport_match() asks them: does the address recorded in b (its
 * wildcard matching anything of its family) equal sk's?
 */
static bool
fast_addr_match(const struct rp_bucket *b, const struct rp_sock *sk)
{
	struct rp_addr s4 = v4_view(sk), f4;
	bool f_mapped, s_mapped;

	if (b->fast_family == RP_AF_INET) {
		if (sk->ipv6only)
			return false;
		return rp_addr_eq(&b->fast_addr, &s4) ||
		    rp_addr_any(&b->fast_addr);
	}
	/* an IPv6 recorded socket; an IPv4 sk counts as v4-mapped */
	f_mapped = b->fast_addr.family == RP_AF_INET;
	s_mapped = sk->family == RP_AF_INET || sk->rcv_saddr.family ==
	    RP_AF_INET;
	if (f_mapped && s_mapped) {
		f4 = b->fast_addr;
		return !sk->ipv6only && (rp_addr_eq(&f4, &s4) ||
		    rp_addr_any(&f4));
	}
	if (!f_mapped && rp_addr_any(&b->fast_addr))
		return !(b->fast_ipv6only && s_mapped);
	return !f_mapped && !s_mapped && rp_addr_eq(&b->fast_addr,
	    &sk->rcv_saddr);
}

/*
 * sk_reuseport_match(): does b's fast path let sk share the port
 * without looking at its owners?  (tb->fastreuseport, TCP only.)
 */
static bool
fast_reuseport_match(const struct rp_state *st, const struct rp_bucket *b,
    const struct rp_sock *sk)
{
	if (b->fastreuseport == RP_FASTREUSEPORT_NONE || !sk->reuseport ||
	    sk->reuse != NULL || b->fastuid != sk->uid)
		return false;
	/* KERNEL: ANY matches any address; measured on 6.12 and 6.18 (not
	 * on 5.10 and 6.1), the address recorded is compared for ANY too */
	if (b->fastreuseport == RP_FASTREUSEPORT_ANY &&
	    !st->prof->bind_fast_strict)
		return true;
	return fast_addr_match(b, sk);
}

/* Record sk as the socket b's strict fast path compares with. */
static void
fast_record(struct rp_bucket *b, const struct rp_sock *sk)
{
	b->fastuid = sk->uid;
	b->fast_family = sk->family;
	b->fast_addr = sk->rcv_saddr;
	b->fast_ipv6only = sk->ipv6only;
}

/*
 * inet_csk_update_fastreuse(): after sk took b's port (bind, or listen()
 * checking it again), with reuse (SO_REUSEADDR of a socket not about to
 * listen); empty: b had no owner before.  The fast paths are set by the
 * first owner and only ever narrowed by later ones: a socket that clears
 * SO_REUSEPORT or SO_REUSEADDR afterwards does not narrow them.
 */
static void
fast_update(const struct rp_state *st, struct rp_bucket *b,
    const struct rp_sock *sk, bool reuse, bool empty)
{
	if (empty) {
		b->fastreuse = reuse;
		b->fastreuseport = RP_FASTREUSEPORT_NONE;
		if (sk->reuseport) {
			b->fastreuseport = RP_FASTREUSEPORT_ANY;
			fast_record(b, sk);
		}
		return;
	}
	if (!reuse)
		b->fastreuse = false;
	if (!sk->reuseport) {
		b->fastreuseport = RP_FASTREUSEPORT_NONE;
	} else if (!fast_reuseport_match(st, b, sk)) {
		b->fastreuseport = RP_FASTREUSEPORT_STRICT;
		fast_record(b, sk);
	}
}

/*
 * inet_csk_bind_conflict() with the fast paths of inet_csk_get_port():
 * may TCP socket sk take the port of bucket b (at bind(), or at listen()
 * for a bound one)?  sk->rcv_saddr and bound_dev_if are set.  Two owners
 * of overlapping addresses and devices conflict unless both have
 * SO_REUSEADDR and the other does not listen, or both have SO_REUSEPORT
 * (R-BIND-1, the same user unless the other is in TIME_WAIT, R-BIND-2).
 */
static bool
tcp_conflict(const struct rp_state *st, const struct rp_sock *sk,
    const struct rp_bucket *b, bool listening)
{
	bool reuse = sk->reuseaddr && !listening;

	/* KERNEL: tb->fastreuse lets SO_REUSEADDR binders in as the
	 * SO_REUSEPORT fast path does; measured on 6.12 and 6.18 (not on
	 * 5.10 and 6.1), SO_REUSEADDR is looked at on every owner */
	if (!st->prof->bind_fast_strict && b->fastreuse && reuse)
		return false;
	if (fast_reuseport_match(st, b, sk))
		return false;
	for (guint i = 0; i < b->bound->len; i++) {
		const struct rp_sock *sk2 = b->bound->pdata[i];

		if (sk2 == sk || !dev_overlap(sk, sk2) ||
		    !addr_overlap(sk, sk2))
			continue;
		/* KERNEL: inet_bind_conflict(), relax: SO_REUSEADDR on both
		 * and the other not listening */
		if (sk->reuseaddr && sk2->reuseaddr &&
		    sk2->state != RP_TCP_LISTEN) {
			rp_rule((struct rp_state *)st, "R-BIND-8", 0);
			continue;
		}
		if (!reuse_ok(st, sk, sk2))
			return true;
	}
	return false;
}

/*
 * udp_lib_lport_inuse(): may UDP socket sk take the port of bucket b?
 * The port's sockets are looked at in their chain order (R-SEL-9), and
 * the first whose address and device overlap sk's, unless both have
 * SO_REUSEADDR, decides alone: both with SO_REUSEPORT and the same user,
 * sk without a group, and the port is shared, whatever the others are
 * (measured on Debian's 5.10 to 7.2).  Build variant udp_bind_walk
 * exact-sharer (these machines' 6.18.44): only a sharer bound to sk's very
 * address decides; the walk goes on past one that shares through a
 * wildcard (R-BIND-9, group/udp-bind-walk.scn).
 */
static bool
udp_conflict(const struct rp_state *st, const struct rp_sock *sk,
    const struct rp_bucket *b)
{
	for (const struct rp_sock *sk2 = b->listen_head; sk2 != NULL;
	    sk2 = sk2->listen_next) {
		if (sk2 == sk || (sk->reuseaddr && sk2->reuseaddr) ||
		    !dev_overlap(sk, sk2) || !addr_overlap(sk, sk2))
			continue;
		if (sk->reuseport && sk2->reuseport && sk->reuse == NULL &&
		    sk->uid == sk2->uid) {
			/* KERNEL (measured, a 6.18.44 build: udp_bind_walk
			 * exact-sharer): only a sharer at sk's very address
			 * and with sk's SO_REUSEADDR ends the walk; one
			 * through a wildcard, or with the other SO_REUSEADDR
			 * setting, is passed (found by fuzz-diff on the host,
			 * seed 12000840, then a table of 9 cases) */
			if (st->prof->udp_bind_walk == RP_UDP_BIND_EXACT_SHARER &&
			    (sk2->family != sk->family ||
			    !rp_addr_eq(&sk2->rcv_saddr, &sk->rcv_saddr) ||
			    sk2->reuseaddr != sk->reuseaddr))
				continue;
			return false;
		}
		return true;
	}
	return false;
}

/*
 * The first port at or after the cursor, cyclically, that no socket of
 * sk's protocol holds in sk's namespace.  One cursor serves every
 * namespace (netns 0's): the kernel's choice is random
 * (inet_csk_find_open_port(), __inet_hash_connect()), so two sockets of
 * different namespaces rarely get the same number, and a scenario that
 * sends to one's port from the other must not reach the other by chance.
 * Which ports are held is the port map of (sk's namespace, protocol), so
 * the search is O(1): a word of the map, its summary, one more word
 * (twice when the search wraps).
 */
static int
ephemeral_port(struct rp_state *st, struct rp_sock *sk)
{
	struct rp_netns *shared = st->netns->pdata[0];
	struct rp_portmap *pm = portmap(sk->net, sk->protocol, true);
	unsigned cur = (unsigned)shared->next_port - RP_EPH_LOW;
	int off;

	/* KERNEL: inet_csk_find_open_port() prefers an unused port */
	off = portmap_first_free(pm, cur);
	if (off < 0)
		off = portmap_first_free(pm, 0);
	if (off < 0)
		return -EADDRINUSE;
	shared->next_port = (uint16_t)(off + 1 == (int)RP_EPH_PORTS ?
	    RP_EPH_LOW : RP_EPH_LOW + (unsigned)off + 1);
	return (int)(RP_EPH_LOW + (unsigned)off);
}

/*
 * The join candidate of sk in its bucket, the first match in chain order
 * (inet_reuseport_add_sock(), udp_reuseport_add_sock()).  The candidate
 * needs SO_REUSEPORT now, not a group: one hashed before it set the option,
 * or a UDP socket that left its group by connect(), gets a group built
 * around it (rp_group_add()).
 */
static struct rp_sock *
join_candidate(struct rp_sock *sk)
{
	for (struct rp_sock *sk2 = sk->bucket->listen_head; sk2 != NULL;
	    sk2 = sk2->listen_next) {
		/* KERNEL (measured on 6.18): IPV6_V6ONLY must agree only
		 * at the wildcard, where it decides which traffic reaches
		 * the socket; at one address it does not matter */
		if (sk2 != sk && sk2->family == sk->family &&
		    (sk2->ipv6only == sk->ipv6only ||
		    !rp_addr_any(&sk->rcv_saddr)) &&
		    sk2->bound_dev_if == sk->bound_dev_if &&
		    sk2->reuseport && sk2->uid == sk->uid &&
		    !sk2->join_hidden && !sk2->unhashing &&
		    rp_addr_eq(&sk2->rcv_saddr, &sk->rcv_saddr))
			return sk2;
	}
	return NULL;
}

/* Join or create sk's group at hash time (TCP listen, UDP bind). */
static int
reuseport_hash(struct rp_state *st, struct rp_sock *sk)
{
	struct rp_sock *sk2;
	bool inany = rp_addr_any(&sk->rcv_saddr);

	int ret = RP_GROUP_ADD_AGAIN;

	if (!sk->reuseport)
		return 0;
	/* KERNEL: __inet_hash(): candidate and join under ilb2->lock */
	while (ret == RP_GROUP_ADD_AGAIN) {
		sk2 = join_candidate(sk);
		if (sk2 == NULL)
			return rp_group_alloc(st, sk, inany);
		rp_rule(st, sk->protocol == RP_IPPROTO_TCP ? "R-GRP-5" :
		    "R-GRP-6", 0);
		/* KERNEL: __inet_hash(): sk2 cannot be unhashed (nor freed)
		 * while ilb2->lock is held for the join */
		rp_join_pin(st, sk2);
		ret = rp_group_add(st, sk, sk2);
		rp_join_unpin(st, sk2);
	}
	return ret;
}

/* Take a port for sk (get_port(), listening: from listen()); UDP also
 * hashes and joins a group. */
static int
get_port(struct rp_state *st, struct rp_sock *sk, uint16_t port,
    bool listening)
{
	struct rp_bucket *b;
	bool empty;
	int ret;

	if (port == 0) {
		ret = ephemeral_port(st, sk);
		if (ret < 0)
			return ret;	/* all 28,232 ports held */
		port = (uint16_t)ret;
	} else {
		b = bucket_find(st, sk->net->id, sk->protocol, port);
		if (b != NULL && (sk->protocol == RP_IPPROTO_TCP ?
		    tcp_conflict(st, sk, b, listening) :
		    udp_conflict(st, sk, b)))
			return rp_rule(st, "R-BIND-1", -EADDRINUSE);
	}
	empty = bucket_find(st, sk->net->id, sk->protocol, port) == NULL;
	bucket_add(st, sk, port);
	if (sk->protocol == RP_IPPROTO_TCP)
		fast_update(st, sk->bucket, sk, sk->reuseaddr && !listening,
		    empty);
	if (sk->type == RP_SOCK_DGRAM) {
		/* KERNEL: udp_lib_get_port(): join at bind, then hash */
		ret = reuseport_hash(st, sk);
		if (ret != 0) {
			bucket_del(st, sk);
			sk->num = 0;
			return -EADDRINUSE;
		}
		sock_hash(st, sk);
	}
	return 0;
}

/* Is sk bound to a device the namespace does not have (only lo is)? */
static bool
no_device(const struct rp_sock *sk)
{
	return sk->bound_dev_if != 0 && sk->bound_dev_if != RP_LOOPBACK_IFINDEX;
}

/*
 * bind() of a raw socket (raw_bind(), rawv6_bind()): an address only, no
 * port, again and again.  raw_bind() reads an IPv4 address wherever the
 * sockaddr has one, so an IPv6 one reads as its flow label, 0, the
 * wildcard; rawv6_bind() finds an IPv4 sockaddr too short and refuses a
 * v4-mapped address.  Raw sockets have no port and no group.
 */
static int
raw_bind(struct rp_state *st, struct rp_sock *sk, const struct rp_sockaddr *sa)
{
	struct rp_addr v4;

	/* KERNEL: raw_bind() and rawv6_bind() refuse a connected socket
	 * (sk_state not TCP_CLOSE): IPv4 first, IPv6 after the sockaddr's
	 * family and a v4-mapped address (found by fuzz-diff, host seed
	 * 18000185's table) */
	if (sk->family == RP_AF_INET && sk->state != RP_TCP_CLOSE)
		return rp_rule(st, "R-SOCK-17", -EINVAL);
	if (sk->family == RP_AF_INET) {
		if (sa->addr.family == RP_AF_INET && !addr_is_local(&sa->addr) &&
		    !no_source(st, &sa->addr))
			return rp_rule(st, "R-SOCK-17", -EADDRNOTAVAIL);
		rp_dirty_sock(st, sk);
		/* KERNEL: raw_bind(): a broadcast or multicast address is
		 * no source (inet_saddr 0, R-BIND-12) */
		sk->raw_src = sa->addr.family == RP_AF_INET &&
		    !rp_addr_any(&sa->addr) && !no_source(st, &sa->addr);
		return rp_rule(st, "R-SOCK-17", 0);
	}
	if (sa->addr.family != RP_AF_INET6)
		return rp_rule(st, "R-SOCK-17", -EINVAL);
	if (!rp_addr_any(&sa->addr) && addr_v4(&sa->addr, &v4))
		return rp_rule(st, "R-SOCK-17", -EADDRNOTAVAIL);
	if (sk->state != RP_TCP_CLOSE)
		return rp_rule(st, "R-SOCK-17", -EINVAL);
	if (!rp_addr_any(&sa->addr) && no_device(sk))
		return rp_rule(st, "R-SOCK-13", -ENODEV);
	if (v6_needs_scope(&sa->addr) && sk->bound_dev_if == 0)
		return rp_rule(st, "R-BIND-12", -EINVAL);
	if (!addr_is_local(&sa->addr) && !v6_multicast(&sa->addr))
		return rp_rule(st, "R-SOCK-17", -EADDRNOTAVAIL);
	/* KERNEL: rawv6_bind(): an IPv6 address has the IPv4 source
	 * LOOPBACK4_IPV6, which a v4-mapped connect() then routes from */
	rp_dirty_sock(st, sk);
	sk->raw_src = !rp_addr_any(&sa->addr);
	return rp_rule(st, "R-SOCK-17", 0);
}

int
rp_bind(struct rp_state *st, unsigned proc, int fd, const struct rp_sockaddr *sa)
{
	struct rp_file *f = NULL;
	struct rp_sock *sk;
	struct rp_addr addr, old;
	bool old_v6only;
	int err = 0;

	g_return_val_if_fail(sa != NULL, -EFAULT);
	sk = rp_sock_get(st, proc, fd, &f, &err);
	if (sk == NULL)
		return err;
	if (sk_is_inet(sk) && sk->type == RP_SOCK_RAW)
		return sock_done(st, f, raw_bind(st, sk, sa));
	if (!sk_is_inet(sk) || sk->protocol == RP_IPPROTO_ICMP)
		return sock_done(st, f, -EINVAL);	/* not modelled */
	/* KERNEL: inet_bind(): -EAFNOSUPPORT; inet6_bind(): short addr */
	if (sa->addr.family != sk->family)
		return sock_done(st, f, sk->family == RP_AF_INET ?
		    -EAFNOSUPPORT : -EINVAL);
	/* KERNEL: __inet_bind() checks the address first, __inet6_bind()
	 * after the port and the state */
	if (sk->family == RP_AF_INET && !addr_is_local(&sa->addr) &&
	    !no_source(st, &sa->addr))
		return sock_done(st, f, -EADDRNOTAVAIL);
	if (sa->port != 0 && sa->port < 1024 && sk->uid != 0)
		return sock_done(st, f, -EACCES);
	if (sk->num != 0 || sk->state != RP_TCP_CLOSE)
		return sock_done(st, f, rp_rule(st, "R-BIND-3", -EINVAL));
	addr = sa->addr;
	if (sk->family == RP_AF_INET6 && !rp_addr_any(&addr) &&
	    addr_v4(&addr, &addr)) {
		/* KERNEL: __inet6_bind(): a v4-mapped address, as IPv4; a
		 * v6only socket cannot have one */
		if (sk->ipv6only)
			return sock_done(st, f, rp_rule(st, "R-BIND-7",
			    -EINVAL));
		rp_rule(st, "R-BIND-7", 0);
	}
	/* KERNEL: __inet6_bind(): a link-local address, or an interface-
	 * or link-scoped multicast group, needs a device (the language has
	 * no scope id); a TCP socket takes no multicast group (measured on
	 * 6.18: -EINVAL for both) */
	if (addr.family == RP_AF_INET6 && v6_needs_scope(&addr) &&
	    sk->bound_dev_if == 0)
		return sock_done(st, f, rp_rule(st, "R-BIND-12", -EINVAL));
	if (addr.family == RP_AF_INET6 && v6_multicast(&addr) &&
	    sk->protocol == RP_IPPROTO_TCP)
		return sock_done(st, f, rp_rule(st, "R-BIND-12", -EINVAL));
	/* KERNEL: __inet6_bind(): an address other than the wildcard
	 * needs the bound device to exist */
	if (sk->family == RP_AF_INET6 && !rp_addr_any(&sa->addr) &&
	    no_device(sk))
		return sock_done(st, f, rp_rule(st, "R-SOCK-13", -ENODEV));
	if (no_source(st, &addr))
		rp_rule(st, "R-BIND-12", 0);
	else if (!addr_is_local(&addr))
		return sock_done(st, f, -EADDRNOTAVAIL);
	rp_dirty_sock(st, sk);
	old = sk->rcv_saddr;
	old_v6only = sk->ipv6only;
	sk->rcv_saddr = addr;
	/* an address bound explicitly, in the conflict check too */
	sk->bind_addr_lock = !rp_addr_any(&sa->addr);
	/* KERNEL: __inet6_bind(): a plain IPv6 address other than the
	 * wildcard makes the socket IPv6-only before get_port(), and a
	 * failed get_port() gives the old flag back (R-BIND-10; reported
	 * where the flag refuses something, in rp_connect()) */
	if (sk->family == RP_AF_INET6 && !rp_addr_any(&sa->addr) &&
	    addr.family == RP_AF_INET6)
		sk->ipv6only = true;
	err = get_port(st, sk, sa->port, false);
	if (err != 0) {
		sk->rcv_saddr = old;
		sk->bind_addr_lock = false;
		sk->ipv6only = old_v6only;
		return sock_done(st, f, err);
	}
	sk->bind_port_lock = sa->port != 0;
	return sock_done(st, f, 0);
}

/* ---------------------------------------------------------------------
 * listen, unhash, children
 */

int
rp_listen(struct rp_state *st, unsigned proc, int fd, int backlog)
{
	struct rp_file *f = NULL;
	struct rp_sock *sk;
	int err = 0;

	sk = rp_sock_get(st, proc, fd, &f, &err);
	if (sk == NULL)
		return err;
	if (sk->type != RP_SOCK_STREAM)
		return sock_done(st, f, -EOPNOTSUPP);
	/* KERNEL: unix_listen(): no listen on an unbound socket, and the
	 * language binds no AF_UNIX socket (found by fuzz-diff in 6.1 and
	 * 6.12, seed 6000655) */
	if (!sk_is_inet(sk))
		return sock_done(st, f, rp_rule(st, "R-SOCK-15", -EINVAL));
	/* KERNEL: __sys_listen(): at most net.core.somaxconn (a negative
	 * backlog too, as unsigned) */
	if ((unsigned)backlog > (unsigned)st->prof->somaxconn)
		backlog = st->prof->somaxconn;
	if (sk->state == RP_TCP_LISTEN) {
		sk->backlog = backlog;		/* backlog change only */
		return sock_done(st, f, 0);
	}
	/* KERNEL: inet_listen(): sock->state must be SS_UNCONNECTED */
	if (sk->state != RP_TCP_CLOSE || sk->ss_connected)
		return sock_done(st, f, -EINVAL);
	/* KERNEL: inet_csk_listen_start(): autobind, then inet_hash() */
	if (sk->num == 0) {
		err = get_port(st, sk, 0, true);
		if (err != 0)
			return sock_done(st, f, err);
	} else if (tcp_conflict(st, sk, sk->bucket, true)) {
		/* KERNEL: inet_csk_get_port() checks the bound port again */
		return sock_done(st, f, rp_rule(st, "R-BIND-2", -EADDRINUSE));
	} else {
		fast_update(st, sk->bucket, sk, false, false);
	}
	/* KERNEL (measured, a 6.18.44 build: tcp_role_change einval): a
	 * socket that sent a SYN, whatever came of it, cannot listen; the
	 * port is looked at first (-EADDRINUSE), and one it took stays */
	if (sk->syn_sent && st->prof->tcp_role_change == RP_ROLE_CHANGE_EINVAL)
		return sock_done(st, f, rp_rule(st, "R-SOCK-18", -EINVAL));
	err = reuseport_hash(st, sk);
	if (err != 0)
		return sock_done(st, f, err);
	sk->backlog = backlog;
	rp_sock_set_state(st, sk, RP_TCP_LISTEN);
	sock_hash(st, sk);
	sk->listen_stopped = false;
	return sock_done(st, f, 0);
}

void
rp_sock_set_state(struct rp_state *st, struct rp_sock *sk, int state)
{
	sk->state = state;
	rp_emit(st, &(struct rp_event){ .kind = RP_EV_SOCK_STATE,
	    .sock = sk->id, .val = (uint64_t)state });
}

/*
 * Unhash sk (inet_unhash(), udp_lib_unhash()): a TCP listener stops
 * listening (5.14+: possibly into the closed section), UDP leaves its
 * group.  Both leave any sockarray slot on the way.
 */
static void
sock_unhash(struct rp_state *st, struct rp_sock *sk)
{
	if (!sk->hashed)
		return;
	/* KERNEL: inet_unhash(): waits for ilb2->lock held by a join */
	rp_join_pin_wait(st, sk);
	/*
	 * KERNEL: inet_unhash() and udp_lib_unhash() leave the group and the
	 * chain under the bucket lock (ilb2->lock, the hslot lock), which
	 * __inet_hash() and udp_lib_get_port() hold while they choose a join
	 * candidate and join it: a socket half way out is never a candidate.
	 * The model has no bucket lock; unhashing marks that section, and
	 * join_candidate() passes over it (a join that chose sk before gets
	 * RP_GROUP_ADD_AGAIN from rp_group_add() and chooses again).
	 */
	sk->unhashing = true;
	if (sk->reuse != NULL) {
		if (sk->protocol == RP_IPPROTO_TCP &&
		    sk->state == RP_TCP_LISTEN) {
			rp_rule(st, "R-DET-4", 0);
			rp_group_stop_listen(st, sk);
		} else {
			rp_rule(st, "R-DET-5", 0);
			rp_group_detach_sock(st, sk);
		}
	}
	if (sk->listed)
		listen_del(st, sk);
	sk->hashed = false;
	sk->hashed4 = false;	/* KERNEL: udp_lib_unhash(): udp_unhash4() */
	sk->unhashing = false;
	/* KERNEL: 6.1+ sockmaps have no unhash hook: a socket leaves its
	 * sockmaps when it is closed (sock_map_close()) or deleted; 5.10's
	 * UDP proto has the hook (sock_map_unhash()), its TCP one not */
	if (st->prof->sockmap_keeps_unhashed == RP_SMAP_UNHASH_DROP ||
	    (st->prof->sockmap_keeps_unhashed == RP_SMAP_UNHASH_KEEP_TCP &&
	    sk->protocol != RP_IPPROTO_TCP))
		rp_sockmap_unlink_sock(st, sk);
	rp_emit(st, &(struct rp_event){ .kind = RP_EV_SOCK_UNHASH,
	    .sock = sk->id });
}

static void	maybe_destroy(struct rp_state *, struct rp_sock *);

/* A child or request of a listener: sk_clone_lock() of the listener. */
static struct rp_sock *
child_new(struct rp_state *st, struct rp_sock *lsk,
    const struct rp_packet *pkt, int state, uint32_t hash)
{
	struct rp_sock *c = rp_sock_alloc(st, lsk->net, lsk->family, lsk->type,
	    lsk->protocol, lsk->uid);

	c->reuseport = lsk->reuseport;
	c->shutdown = lsk->shutdown;	/* sk_clone_lock() copies it */
	/* KERNEL (measured on 6.18): a child that inherits SEND_SHUTDOWN
	 * (its listener was shut down for writing before listen()) sends
	 * its FIN once the handshake is done: it is FIN_WAIT2, and a
	 * scenario client it was made for is CLOSE_WAIT (found by fuzz-diff
	 * on the host, seed 13000052) */
	if (state == RP_TCP_ESTABLISHED && (c->shutdown & (RP_SHUT_WR + 1))) {
		c->fin_sent = true;
		c->active_close = true;
	}
	c->bind_port_lock = lsk->bind_port_lock;	/* sk_userlocks */
	c->bind_addr_lock = lsk->bind_addr_lock;
	c->ipv6only = lsk->ipv6only;
	c->bound_dev_if = lsk->bound_dev_if;
	c->rcv_saddr = pkt->dst.addr;
	c->num = lsk->num;
	c->peer = pkt->src;
	c->hash = hash;
	c->state = state;
	c->hashed = state != RP_TCP_NEW_SYN_RECV;
	c->parent = lsk;
	/* KERNEL: tcp_v4_syn_recv_sock() -> __inet_inherit_port(): a full
	 * child holds the listener's port; a request holds nothing */
	if (state != RP_TCP_NEW_SYN_RECV)
		bucket_add(st, c, lsk->num);
	if (pkt->len > 0)
		c->data = g_memdup2(pkt->payload, pkt->len);
	c->data_len = pkt->len;
	/* KERNEL: tcp_data_queue(), tcp_fastopen_add_skb(): a full child's
	 * payload (after the handshake, or with a Fast Open SYN) waits in
	 * its receive queue; nothing in a scenario reads it (R-BIND-11) */
	c->rx_unread = pkt->len > 0 && state != RP_TCP_NEW_SYN_RECV;
	/* KERNEL: sk_clone_lock() copies sk_user_data; 5.8+ clears it
	 * when tagged SK_USER_DATA_NOCOPY (all sockarray owner words) */
	if (lsk->owner.kind == RP_OWNER_SLOT && !st->prof->user_data_tags) {
		rp_cb_lock(st, c);
		rp_owner_set(st, c, RP_OWNER_STALE, lsk->owner.map,
		    lsk->owner.idx);
		rp_cb_unlock(st, c);
		rp_rule(st, "R-SOCK-7", 0);
	}
	return c;
}

/* Queue child on listener for accept() (inet_csk_reqsk_queue_add()). */
void
rp_child_enqueue(struct rp_state *st, struct rp_sock *lsk,
    struct rp_sock *child)
{
	(void)st;
	child->parent = lsk;
	g_queue_push_tail(&lsk->accept_q, child);
}

/* The other end of TCP connection sk, NULL when it is outside the model
 * (the client of a send) or gone. */
static struct rp_sock *
conn_peer(struct rp_state *st, const struct rp_sock *sk)
{
	struct rp_sock *p;

	if (sk->conn_peer == 0)
		return NULL;
	p = st->socks->pdata[sk->conn_peer];
	return p != NULL && !p->dead ? p : NULL;
}

/*
 * sk's TCP state as the kernel says it: the model keeps a half-closed
 * connection as TCP_ESTABLISHED with flags, which are FIN_WAIT2 (its FIN
 * sent, on loopback ACKed at once) and CLOSE_WAIT (the peer's got).
 */
int
rp_sock_tcp_state(const struct rp_state *st, const struct rp_sock *sk)
{
	const struct rp_sock *p = sk->conn_peer != 0 ?
	    st->socks->pdata[sk->conn_peer] : NULL;

	if (sk->protocol != RP_IPPROTO_TCP || sk->state != RP_TCP_ESTABLISHED)
		return sk->state;
	if (p != NULL && p->dead)
		p = NULL;
	if (sk->fin_sent ||
	    ((sk->shutdown & (RP_SHUT_WR + 1)) && !sk->shut_early))
		return RP_TCP_FIN_WAIT2;
	if (p != NULL && p->fin_sent)
		return RP_TCP_CLOSE_WAIT;
	return RP_TCP_ESTABLISHED;
}

/*
 * Is sk TCP_ESTABLISHED in the kernel's sense: connected, and no FIN sent
 * or received yet (after one it is FIN_WAIT or CLOSE_WAIT, which the
 * model keeps as flags on an ESTABLISHED socket)?
 */
bool
rp_sock_tcp_established(struct rp_state *st, const struct rp_sock *sk)
{
	return rp_sock_tcp_state(st, sk) == RP_TCP_ESTABLISHED;
}

/*
 * The peer of sk gets a reset (tcp_reset(), tcp_timewait_state_process()):
 * an open peer goes to TCP_CLOSE and gives back a port it did not bind
 * explicitly; a peer in TIME_WAIT is killed (net.ipv4.tcp_rfc1337 0).
 */
static void
reset_peer(struct rp_state *st, struct rp_sock *sk)
{
	struct rp_sock *p = conn_peer(st, sk);

	if (p == NULL)
		return;
	p->conn_peer = 0;
	/* KERNEL: __inet_lookup_established(): a peer bound to a device
	 * other than lo is not found for the reset, which comes in on lo
	 * (R-SOCK-13): it stays as it is */
	if (no_device(p)) {
		rp_rule(st, "R-SOCK-13", 0);
		return;
	}
	if (p->state == RP_TCP_TIME_WAIT) {
		rp_sock_destroy(st, p);
		return;
	}
	if (p->state == RP_TCP_CLOSE)
		return;
	/* KERNEL: tcp_done(): unhashed (a client with SO_REUSEPORT may then
	 * get a group from an attach, R-ATT-4) */
	if (p->state != RP_TCP_LISTEN)
		sock_unhash(st, p);
	rp_sock_set_state(st, p, RP_TCP_CLOSE);
	/* KERNEL: tcp_set_state(TCP_CLOSE): inet_put_port() unless
	 * SOCK_BINDPORT_LOCK (a child has its listener's) */
	if (!p->bind_port_lock) {
		bucket_del(st, p);
		p->num = 0;
	}
}

/* Reset and free a child or request nobody will accept. */
static void
child_drop(struct rp_state *st, struct rp_sock *c)
{
	rp_emit(st, &(struct rp_event){ .kind = RP_EV_MIGRATE, .sock = c->id });
	reset_peer(st, c);
	c->parent = NULL;
	c->closed = true;
	rp_sock_destroy(st, c);
}

/*
 * inet_csk_listen_stop(): the accept queue of a listener that stopped
 * listening migrates (5.14+, when its group allows it) or is reset.
 */
static void
listen_stop(struct rp_state *st, struct rp_sock *sk)
{
	struct rp_sock *c;

	while ((c = g_queue_pop_head(&sk->accept_q)) != NULL) {
		struct rp_sock *nsk = NULL;

		if (sk->reuse != NULL && rp_group_migrating(st, sk))
			nsk = rp_reuseport_migrate(st, sk, c, 0);
		if (nsk == NULL) {
			child_drop(st, c);
			continue;
		}
		rp_emit(st, &(struct rp_event){ .kind = RP_EV_MIGRATE,
		    .sock = c->id, .sock2 = nsk->id });
		rp_child_enqueue(st, nsk, c);
	}
}

/* tcp_disconnect() of a listener: unhash, then the accept queue. */
static void
tcp_listener_disconnect(struct rp_state *st, struct rp_sock *sk)
{
	sock_unhash(st, sk);
	rp_sock_set_state(st, sk, RP_TCP_CLOSE);
	listen_stop(st, sk);
	sk->listen_stopped = true;	/* see R-ATT-4 */
	/* KERNEL: tcp_disconnect(): inet_put_port() unless the port was
	 * bound explicitly; inet_reset_saddr() unless the address was */
	if (!sk->bind_port_lock) {
		bucket_del(st, sk);
		sk->num = 0;
	}
	if (!sk->bind_addr_lock)
		reset_saddr(sk);
}

/*
 * sk_destruct(): the socket is gone.  A group pointer still set (closed
 * section, or a group made by SO_ATTACH_REUSEPORT_* before hashing) is
 * dropped here.
 */
void
rp_sock_destroy(struct rp_state *st, struct rp_sock *sk)
{
	g_assert(!sk->dead);	/* LCOV_EXCL_BR_LINE */
	if (sk->reuse != NULL) {
		rp_rule(st, "R-DET-7", 0);
		rp_group_detach_sock(st, sk);
	}
	bucket_del(st, sk);
	rp_dirty_sock(st, sk);
	sk->dead = true;
	rp_sock_free_deferred(st, sk);
}

/* Destroy a released socket once no request refers to it any more. */
static void
maybe_destroy(struct rp_state *st, struct rp_sock *sk)
{
	if (sk->closed && !sk->dead && g_queue_is_empty(&sk->requests) &&
	    sk->state != RP_TCP_TIME_WAIT)
		rp_sock_destroy(st, sk);
}

/* A connected TCP socket: a client that connected, or a child. */
static bool
tcp_connected(const struct rp_sock *sk)
{
	return sk->protocol == RP_IPPROTO_TCP && sk->peer.port != 0 &&
	    (sk->state == RP_TCP_ESTABLISHED || sk->state == RP_TCP_SYN_RECV);
}

/*
 * tcp_done() of a socket that still has an fd: TCP_CLOSE, unhashed, a
 * port it did not bind explicitly given back (getsockname() keeps
 * showing it); connected for the socket layer still (R-SOCK-14).
 */
static void
tcp_done_open(struct rp_state *st, struct rp_sock *sk)
{
	sock_unhash(st, sk);
	rp_sock_set_state(st, sk, RP_TCP_CLOSE);
	sk->conn_peer = 0;
	if (!sk->bind_port_lock) {
		bucket_del(st, sk);
		sk->num = 0;
	}
}

/*
 * tcp_time_wait() of a socket that still has an fd (R-BIND-6): a
 * TIME_WAIT socket of its own takes over its 4-tuple and holds its port
 * for 60 s (the rest of the scenario here), with its SO_REUSEPORT,
 * SO_REUSEADDR and user; the socket itself is done (tcp_done_open()).
 */
static void
tw_enter(struct rp_state *st, struct rp_sock *sk)
{
	struct rp_sock *tw = rp_sock_alloc(st, sk->net, sk->family, sk->type,
	    sk->protocol, sk->uid);

	tw->reuseport = sk->reuseport;
	tw->reuseaddr = sk->reuseaddr;
	tw->ipv6only = sk->ipv6only;
	tw->bound_dev_if = sk->bound_dev_if;
	tw->bind_addr_lock = true;
	tw->bind_port_lock = true;
	tw->rcv_saddr = sk->rcv_saddr;
	tw->peer = sk->peer;
	tw->fin_sent = tw->active_close = true;
	tw->closed = true;		/* no file: a timewait sock */
	bucket_add(st, tw, sk->num);
	rp_rule(st, "R-BIND-6", 0);
	rp_sock_set_state(st, tw, RP_TCP_TIME_WAIT);
	tcp_done_open(st, sk);
}

/*
 * tcp_send_fin(): sk's FIN goes out (shutdown(SHUT_WR), or the close).
 * sk closes actively when the peer has sent no FIN yet: an open peer, or
 * the client of a send, which stays open.
 */
static void
tcp_fin(struct rp_state *st, struct rp_sock *sk)
{
	struct rp_sock *p = conn_peer(st, sk);

	if (sk->fin_sent)
		return;
	sk->fin_sent = true;
	/* KERNEL: a socket connected to itself gets its own FIN back: a
	 * simultaneous close (CLOSING, then TIME_WAIT, tcp_time_wait()) */
	if (sk->conn_peer == 0 && sk->ss_connected && sk->num != 0 &&
	    sk->peer.port == sk->num &&
	    rp_addr_eq(&sk->peer.addr, &sk->rcv_saddr)) {
		sk->active_close = true;
		/* ... unless it is bound to a device the namespace lacks
		 * since: the FIN has no route out (ip_queue_xmit()) and the
		 * socket stays in FIN_WAIT1, connected (measured on 6.18:
		 * shutdown(SHUT_RD) then succeeds, the port stays held;
		 * found by fuzz-diff on the host, seed 34001651) */
		if (no_device(sk)) {
			rp_rule(st, "R-SOCK-13", 0);
			return;
		}
		if (!sk->closed)
			tw_enter(st, sk);
		return;
	}
	sk->active_close = sk->conn_peer == 0 || (p != NULL && !p->fin_sent);
	if (sk->active_close || p == NULL)
		return;
	/* KERNEL: the second FIN of a connection (on loopback every ACK
	 * is at once): its sender's LAST_ACK ends in TCP_CLOSE, the first
	 * sender, in FIN_WAIT2, goes to TIME_WAIT (tcp_time_wait()) */
	if (!sk->closed)
		tcp_done_open(st, sk);
	if (!p->closed && p->state == RP_TCP_ESTABLISHED)
		tw_enter(st, p);
}

/* The last file reference is gone: close the socket (sock_close()). */
void
rp_sock_release(struct rp_state *st, struct rp_sock *sk)
{
	struct rp_sock *c;
	bool queued;

	g_assert(!sk->dead);	/* LCOV_EXCL_BR_LINE */
	rp_dirty_sock(st, sk);
	if (sk->state == RP_TCP_TIME_WAIT) {
		/* teardown: the TIME_WAIT timer (inet_twsk_kill()) */
		rp_sock_destroy(st, sk);
		return;
	}
	sk->closed = true;
	queued = sk->parent != NULL;
	if (queued) {
		/* an unaccepted child or request (teardown only) */
		struct rp_sock *lsk = sk->parent;

		sk->parent = NULL;
		if (sk->state == RP_TCP_NEW_SYN_RECV) {
			g_queue_remove(&lsk->requests, sk);
			maybe_destroy(st, lsk);
		} else {
			g_queue_remove(&lsk->accept_q, sk);
		}
	}
	if (sk->protocol == RP_IPPROTO_TCP && sk->state == RP_TCP_LISTEN) {
		tcp_listener_disconnect(st, sk);
	} else if (tcp_connected(sk) && !queued && sk->rx_unread) {
		/*
		 * KERNEL: tcp_close(): data left unread in the receive queue
		 * (data_was_unread) sends a reset, not a FIN
		 * (tcp_send_active_reset()), and the socket is TCP_CLOSE at
		 * once: no TIME_WAIT, so its port is free when it is freed.
		 * A FIN it already sent (shutdown(SHUT_WR)) changes nothing.
		 */
		rp_rule(st, "R-BIND-11", 0);
		sock_unhash(st, sk);
		reset_peer(st, sk);
		rp_sock_set_state(st, sk, RP_TCP_CLOSE);
	} else if (tcp_connected(sk) && !queued) {
		/*
		 * KERNEL: tcp_close(): the FIN goes out.  The end that sent
		 * the first FIN ends in TIME_WAIT (or an orphaned FIN_WAIT2
		 * turned into one, tcp_time_wait()) for 60 s, holding its
		 * port: the rest of the scenario here.  The other end's
		 * LAST_ACK is answered at once on loopback: it is gone.
		 */
		sock_unhash(st, sk);
		tcp_fin(st, sk);
		if (sk->active_close)
			rp_rule(st, "R-BIND-6", 0);
		rp_sock_set_state(st, sk, sk->active_close ?
		    RP_TCP_TIME_WAIT : RP_TCP_CLOSE);
	} else {
		sock_unhash(st, sk);
		if (sk->state != RP_TCP_CLOSE)
			rp_sock_set_state(st, sk, RP_TCP_CLOSE);
	}
	while ((c = g_queue_pop_head(&sk->accept_q)) != NULL)
		child_drop(st, c);	/* LCOV_EXCL_LINE */
	rp_sockmap_unlink_sock(st, sk);
	maybe_destroy(st, sk);
}

int
rp_shutdown(struct rp_state *st, unsigned proc, int fd, int how)
{
	struct rp_file *f = NULL;
	struct rp_sock *sk;
	int err = 0;

	sk = rp_sock_get(st, proc, fd, &f, &err);
	if (sk == NULL)
		return err;
	if (how < RP_SHUT_RD || how > RP_SHUT_RDWR)
		return sock_done(st, f, -EINVAL);
	/* KERNEL: netlink has no shutdown (sock_no_shutdown()); AF_UNIX
	 * sets the flags whatever the state (unix_shutdown()) */
	if (sk->family == RP_AF_NETLINK)
		return sock_done(st, f, rp_rule(st, "R-SOCK-15", -EOPNOTSUPP));
	if (sk->family == RP_AF_UNIX && sk->state != RP_TCP_LISTEN) {
		sk->shutdown |= (uint8_t)(how + 1);
		return sock_done(st, f, rp_rule(st, "R-SOCK-15", 0));
	}
	/* KERNEL: inet_shutdown() sets sk_shutdown in every state but
	 * TCP_LISTEN's, so the flags stay even on -ENOTCONN */
	if (sk->state != RP_TCP_LISTEN || !sk_is_inet(sk))
		sk->shutdown |= (uint8_t)(how + 1);
	/* KERNEL: inet_shutdown(): a listener disconnects on SHUT_RD(WR) */
	switch (sk->state) {
	case RP_TCP_LISTEN:
		if (how == RP_SHUT_WR)
			break;
		if (sk_is_inet(sk)) {
			tcp_listener_disconnect(st, sk);
			/* KERNEL: tcp_disconnect() clears sk_shutdown */
			sk->shutdown = 0;
		} else {
			sk->state = RP_TCP_CLOSE;
		}
		break;
	case RP_TCP_CLOSE:
		err = -ENOTCONN;
		break;
	default:
		/* KERNEL: inet_shutdown() -> tcp_shutdown(): SEND_SHUTDOWN
		 * sends the FIN */
		if (tcp_connected(sk) && how != RP_SHUT_RD)
			tcp_fin(st, sk);
		break;
	}
	return sock_done(st, f, err);
}

int
rp_accept(struct rp_state *st, unsigned proc, int fd)
{
	struct rp_file *f = NULL;
	struct rp_sock *sk, *c;
	int err = 0, nfd;

	sk = rp_sock_get(st, proc, fd, &f, &err);
	if (sk == NULL)
		return err;
	/* KERNEL: do_accept(): a datagram or raw socket's ops have
	 * sock_no_accept() */
	if (sk->type != RP_SOCK_STREAM)
		return sock_done(st, f, rp_rule(st, "R-SOCK-17",
		    -EOPNOTSUPP));
	if (sk->state != RP_TCP_LISTEN)
		return sock_done(st, f, -EINVAL);
	c = g_queue_pop_head(&sk->accept_q);
	if (c == NULL)
		return sock_done(st, f, -EAGAIN);
	rp_dirty_sock(st, c);
	c->parent = NULL;
	c->ss_connected = true;		/* KERNEL: inet_accept() */
	/* KERNEL: sock_graft(): the child takes the uid of the socket
	 * inode accept() made, the accepting process's, which a bind()
	 * conflict then compares (R-BIND-1; found by fuzz-diff on the
	 * host, seed 23001638: a listener passed to another user) */
	c->uid = rp_proc_get(st, proc)->uid;
	if (c->state == RP_TCP_SYN_RECV)
		rp_sock_set_state(st, c, RP_TCP_ESTABLISHED);
	nfd = rp_fd_install(rp_proc_get(st, proc),
	    rp_file_new(RP_FILE_SOCK, c));
	return sock_done(st, f, nfd);
}

/* ---------------------------------------------------------------------
 * connect
 */

/* Loopback source address of sk's family. */
static struct rp_addr
loopback(int family)
{
	struct rp_addr a = { .family = (uint16_t)family };

	if (family == RP_AF_INET) {
		a.a[0] = 127;
		a.a[3] = 1;
	} else {
		a.a[15] = 1;
	}
	return a;
}

/* __udp_disconnect() */
static int
udp_disconnect(struct rp_state *st, struct rp_sock *sk)
{
	sk->state = RP_TCP_CLOSE;
	/* KERNEL (7.2, measured; not the 6.18.44 build): off the 4-tuple
	 * hash, so the next connect() leaves a group again (R-DET-10) */
	if (st->prof->udp_disconnect_unhash4)
		sk->hashed4 = false;
	memset(&sk->peer, 0, sizeof(sk->peer));
	/* KERNEL: __udp_disconnect() forgets the bound device too */
	sk->bound_dev_if = 0;
	if (!sk->bind_addr_lock) {
		reset_saddr(sk);
		sk->join_hidden = false;	/* rehashed back */
		/* KERNEL: ... and rehashes a socket that keeps its port,
		 * which takes it out of its group (udp_lib_rehash()), even
		 * one that never connected */
		if (sk->bind_port_lock && sk->hashed && sk->reuse != NULL) {
			rp_rule(st, "R-DET-8", 0);
			rp_group_detach_sock(st, sk);
		}
	}
	if (!sk->bind_port_lock) {
		sock_unhash(st, sk);
		bucket_del(st, sk);
		sk->num = 0;
	}
	return 0;
}

/* ip4_datagram_connect() + udp rehash on a wildcard-bound socket. */
static int
udp_connect(struct rp_state *st, struct rp_sock *sk,
    const struct rp_sockaddr *sa)
{
	int err;

	if (sk->num == 0) {
		err = get_port(st, sk, 0, false);	/* inet_autobind() */
		if (err != 0)
			return err;	/* LCOV_EXCL_LINE */
	}
	if (rp_addr_any(&sk->rcv_saddr)) {
		/* KERNEL: rcv_saddr set from the route -> udp_lib_rehash(),
		 * which detaches from the reuseport group (an IPv6 socket
		 * connecting to IPv4 gets a v4-mapped one) */
		sk->rcv_saddr = loopback(sa->addr.family);
		/* KERNEL (measured on 6.18): an IPv6 socket rehashed here is
		 * found by no later udp_reuseport_add_sock() scan, whatever
		 * address the binder has; an IPv4 one is, by its new address */
		sk->join_hidden = sk->family == RP_AF_INET6;
		if (sk->reuse != NULL) {
			rp_rule(st, "R-DET-8", 0);
			/* KERNEL: udp_lib_rehash() detaches under the port's
			 * hslot->lock, which a join holds (udp_lib_get_port()) */
			rp_join_pin_wait(st, sk);
			rp_group_detach_sock(st, sk);
		}
	}
	sk->peer = *sa;
	sk->state = RP_TCP_ESTABLISHED;
	/* KERNEL: reuseport_has_conns_set() (5.4+) */
	if (st->prof->has_conns && sk->reuse != NULL) {
		rp_rule(st, "R-CONN-1", 0);
		rp_group_has_conns_set(st, sk);
	}
	/* 6.18, measured: the connected socket leaves its group (and map);
	 * a UDP-Lite one stays (measured: it has no 4-tuple hash).  Only
	 * the first connect() does: udp_lib_hash4() passes over a socket
	 * already on the 4-tuple hash, so a group built around it since
	 * keeps it through every later connect() and disconnect (found by
	 * fuzz-diff, host seed 18001203) */
	if (st->prof->udp_connect_leaves_group && sk->hashed &&
	    !sk->hashed4 && sk->protocol == RP_IPPROTO_UDP) {
		sk->hashed4 = true;
		if (sk->reuse == NULL)
			return 0;
		rp_rule(st, "R-DET-10", 0);
		/* KERNEL: udp_lib_hash4() detaches under the port's
		 * hslot->lock, which a join holds (udp_lib_get_port()) */
		rp_join_pin_wait(st, sk);
		rp_group_detach_sock(st, sk);
	}
	return 0;
}

/* The local address sk sends from: its bound address, or the route's
 * (loopback) for a wildcard. */
static struct rp_addr
source_addr(const struct rp_sock *sk)
{
	/* a TCP socket bound to a broadcast or multicast address had its
	 * route's source set by tcp_connect() (R-BIND-12) */
	return rp_addr_any(&sk->rcv_saddr) ? loopback(sk->rcv_saddr.family) :
	    sk->rcv_saddr;
}

/*
 * __inet_check_established(), __inet6_check_established(): the other TCP
 * socket of sk's port (a connected client bound to it, a child of a
 * listener on it, a TIME_WAIT socket) that already has the 4-tuple (src,
 * dst), or NULL.
 */
static struct rp_sock *
tuple_in_use(const struct rp_sock *sk, const struct rp_addr *src,
    const struct rp_sockaddr *dst)
{
	const GPtrArray *bound = sk->bucket->bound;

	for (guint i = 0; i < bound->len; i++) {
		struct rp_sock *sk2 = bound->pdata[i];
		struct rp_addr a2;

		if (sk2 == sk || sk2->peer.port == 0 ||
		    sk2->state == RP_TCP_LISTEN || sk2->state == RP_TCP_CLOSE)
			continue;
		a2 = source_addr(sk2);
		if (rp_addr_eq(&a2, src) && sk2->peer.port == dst->port &&
		    rp_addr_eq(&sk2->peer.addr, &dst->addr))
			return sk2;
	}
	return NULL;
}

/*
 * tcp_disconnect() of a connected socket: the peer gets a reset, the
 * socket goes back to TCP_CLOSE and keeps only what it bound explicitly.
 */
static void
tcp_disconnect(struct rp_state *st, struct rp_sock *sk)
{
	sock_unhash(st, sk);
	if (tcp_connected(sk))
		reset_peer(st, sk);
	rp_sock_set_state(st, sk, RP_TCP_CLOSE);
	memset(&sk->peer, 0, sizeof(sk->peer));
	sk->conn_peer = 0;
	sk->fin_sent = sk->active_close = false;
	if (!sk->bind_addr_lock)
		reset_saddr(sk);
	if (!sk->bind_port_lock) {
		bucket_del(st, sk);
		sk->num = 0;
	}
}

/* What a route connect() finds to a destination is. */
enum route_kind {
	ROUTE_LOCAL,		/* this host: lo's local route */
	ROUTE_BROADCAST,	/* lo's 127.255.255.255, or 255.255.255.255 */
	ROUTE_MULTICAST,	/* an IPv4 multicast group, through the device */
	ROUTE_ONLINK,		/* off this host, "on the link" of the device */
};

/*
 * The route lookup of connect() (ip_route_connect() ->
 * ip_route_output_key_hash_rcu() for IPv4, ip6_dst_lookup_flow() for
 * IPv6) to dst, in a namespace whose one device is loopback (R-SOCK-13).
 * IPv4: a socket bound to a device the namespace lacks gets -ENODEV;
 * lo's local routes cover 127.0.0.0/8 but its broadcast 127.255.255.255;
 * anything else has no route (-ENETUNREACH) unless the socket is bound
 * to a device, lo: the lookup then takes the limited broadcast and any
 * multicast group through it (a socket with a source address too), and
 * any other address as "on the link"
 * (the lookup's fallback when the tables have no route and a device was
 * given).  IPv6 has only ::1: anything else, or a missing device, is
 * -ENETUNREACH.  dst is the address after a v4-mapped one was turned
 * into IPv4, so a v6 socket connecting to one looks up as IPv4
 * (measured: -ENODEV for a missing device; found by the destination
 * table of fuzz-diff, host seed 18000185, scenarios/group/connect-route.scn).
 */
static int
route_lookup(struct rp_state *st, const struct rp_sock *sk,
    const struct rp_addr *dst, enum route_kind *kind)
{
	bool dev = sk->bound_dev_if != 0;

	*kind = ROUTE_LOCAL;
	if (dst->family == RP_AF_INET6) {
		if (no_device(sk) || !addr_is_local(dst))
			return rp_rule(st, "R-SOCK-13", -ENETUNREACH);
		return 0;
	}
	if (no_device(sk))
		return rp_rule(st, "R-SOCK-13", -ENODEV);
	if (lo_broadcast(st, dst) || v4_is(dst, 255, 255, 255, 255))
		*kind = ROUTE_BROADCAST;
	else if (v4_multicast(dst))
		*kind = ROUTE_MULTICAST;
	else if (!addr_is_local(dst))
		*kind = ROUTE_ONLINK;
	/* KERNEL: ip_route_output_key_hash_rcu(): a socket with a source
	 * address (bound to one, or given one by a connect()) sends a
	 * multicast or limited broadcast through that address's device, lo
	 * (found by fuzz-diff on the host, seed 21000390) */
	if (*kind != ROUTE_ONLINK && dst->a[0] != 127 &&
	    (sk->type == RP_SOCK_RAW ? sk->raw_src :
	    sk->rcv_saddr.family == RP_AF_INET && !rp_addr_any(&sk->rcv_saddr)))
		dev = true;
	/* ... and without either, only lo's routes: 127.0.0.0/8 and its
	 * broadcast */
	if (!dev && *kind != ROUTE_LOCAL && dst->a[0] != 127)
		return rp_rule(st, "R-SOCK-13", -ENETUNREACH);
	return 0;
}

/*
 * The route of a TCP connect() (tcp_v4_connect(), tcp_v6_connect()),
 * before the socket takes a port: IPv6 refuses a multicast destination
 * (-ENETUNREACH) and a link-local one from a socket bound to no device
 * (-EINVAL, no scope id in the language) before the lookup; a broadcast
 * or multicast route is -ENETUNREACH after it.  *onlink: the SYN leaves
 * through lo to an address off this host, and nothing answers.
 */
static int
tcp_route(struct rp_state *st, const struct rp_sock *sk,
    const struct rp_addr *dst, bool *onlink)
{
	enum route_kind kind;
	int err;

	*onlink = false;
	if (v6_multicast(dst))
		return rp_rule(st, "R-SOCK-13", -ENETUNREACH);
	if (v6_needs_scope(dst) && sk->bound_dev_if == 0)
		return rp_rule(st, "R-SOCK-13", -EINVAL);
	if ((err = route_lookup(st, sk, dst, &kind)) != 0)
		return err;
	if (kind == ROUTE_BROADCAST || kind == ROUTE_MULTICAST)
		return rp_rule(st, "R-SOCK-13", -ENETUNREACH);
	*onlink = kind == ROUTE_ONLINK;
	return 0;
}

/*
 * The route of a UDP or raw connect() (__ip4_datagram_connect(),
 * __ip6_datagram_connect()): IPv6 wants a scope for a link-local or
 * link-scoped multicast destination (-EINVAL from a socket bound to no
 * device), then the lookup; a broadcast route needs SO_BROADCAST, which
 * the language does not set: -EACCES.
 */
static int
dgram_route(struct rp_state *st, const struct rp_sock *sk,
    const struct rp_addr *dst)
{
	enum route_kind kind;
	int err;

	if (v6_needs_scope(dst) && sk->bound_dev_if == 0)
		return rp_rule(st, "R-SOCK-13", -EINVAL);
	if ((err = route_lookup(st, sk, dst, &kind)) != 0)
		return err;
	if (kind == ROUTE_BROADCAST)
		return rp_rule(st, "R-SOCK-13", -EACCES);
	return 0;
}

/*
 * A TCP connect() to the socket's own address and port: its SYN finds
 * the socket itself in the established hash before any listener, a
 * simultaneous open (tcp_rcv_synsent_state_process()) that connects the
 * socket to itself.  After shutdown(SHUT_WR) its own FIN closes it again
 * before connect() returns: -ECONNABORTED.
 */
static int
self_connect(struct rp_state *st, struct rp_sock *sk,
    const struct rp_sockaddr *sa)
{
	sk->rcv_saddr = sa->addr;
	if (sk->shutdown & (RP_SHUT_WR + 1)) {
		/* its own FIN: a simultaneous close, which leaves a TIME_WAIT
		 * socket holding the port (measured: listen() then says
		 * -EADDRINUSE) */
		sk->peer = *sa;
		tw_enter(st, sk);
		memset(&sk->peer, 0, sizeof(sk->peer));
		if (!sk->bind_addr_lock)
			reset_saddr(sk);
		/* KERNEL: the failed connect()'s tcp_disconnect() clears the
		 * shutdown flags (found by fuzz-diff in 6.1 and 6.12, seed
		 * 6000208) */
		sk->shutdown = 0;
		return rp_rule(st, "R-SOCK-14", -ECONNABORTED);
	}
	sk->peer = *sa;
	sk->conn_peer = 0;
	sk->fin_sent = sk->active_close = false;
	sk->hashed = true;
	sk->ss_connected = true;
	rp_sock_set_state(st, sk, RP_TCP_ESTABLISHED);
	return rp_rule(st, "R-SOCK-14", 0);
}

static int	send_pkt(struct rp_state *, unsigned, const struct rp_packet *,
		    struct rp_delivery *, bool *);

/* A TCP client connection: SYN through the listener lookup. */
static int
tcp_connect(struct rp_state *st, struct rp_sock *sk,
    const struct rp_sockaddr *sa)
{
	struct rp_packet pkt = { .protocol = RP_IPPROTO_TCP, .dst = *sa,
	    .conn = RP_CONN_ESTABLISHED };
	struct rp_delivery d;
	struct rp_sock *tw;
	bool silent = false, onlink;
	int err;

	/* rp_connect() said -EISCONN for a listener and for a socket
	 * SS_CONNECTED, which stays after a reset (only AF_UNSPEC clears
	 * it) */
	g_assert(sk->state != RP_TCP_LISTEN && !sk->ss_connected);
	err = tcp_route(st, sk, &sa->addr, &onlink);
	if (err != 0)
		return err;
	/* KERNEL: tcp_v4_connect(): a socket bound to a broadcast or
	 * multicast address has no inet_saddr, so it takes the route's
	 * source as its address too (inet_bhash2_update_saddr(); before 6.1
	 * sk_rcv_saddr_set()), and keeps it (measured on 6.18: getsockname()
	 * says 127.0.0.1 after the connect(), refused or not, and a bind to
	 * 127.0.0.1 and the port then conflicts; R-BIND-12) */
	if (sk->family == RP_AF_INET && no_source(st, &sk->rcv_saddr)) {
		rp_rule(st, "R-BIND-12", 0);
		sk->rcv_saddr = loopback(RP_AF_INET);
	}
	if (sk->num == 0) {
		/* KERNEL: tcp_v4_connect(): the route's source only when the
		 * socket has no address; one bound explicitly stays, though
		 * its port went back (a listener shut down, a refused
		 * connect(); found by fuzz-diff, seed 6000825 on 6.12) */
		if (!sk->bind_addr_lock)
			sk->rcv_saddr = loopback(sa->addr.family);
		err = get_port(st, sk, 0, false);
		if (err != 0)
			return err;	/* LCOV_EXCL_LINE */
	}
	if (rp_addr_any(&sk->rcv_saddr))
		sk->rcv_saddr.family = sa->addr.family;	/* its route's */
	pkt.src.addr = source_addr(sk);
	pkt.src.port = sk->num;
	/* KERNEL: inet_hash_connect(): a bound port shared with others
	 * (SO_REUSEPORT) is checked against the established hash, before
	 * the SYN leaves (R-SOCK-11) */
	if ((tw = tuple_in_use(sk, &pkt.src.addr, sa)) != NULL) {
		/* KERNEL: twsk_unique(), called without a twp for a port
		 * the socket had before connect(): a TIME_WAIT socket that
		 * saw timestamps (loopback: always) gives its 4-tuple up
		 * (found by fuzz-diff, seed 4030819) */
		if (tw->state != RP_TCP_TIME_WAIT)
			return rp_rule(st, "R-SOCK-11", -EADDRNOTAVAIL);
		rp_rule(st, "R-SOCK-11", 0);
		rp_sock_destroy(st, tw);
	}
	sk->syn_sent = true;	/* R-SOCK-18 */
	if (pkt.src.port == sa->port && rp_addr_eq(&pkt.src.addr, &sa->addr))
		return self_connect(st, sk, sa);
	if (onlink) {
		/* KERNEL: a SYN to an address off this host leaves through
		 * lo, comes back in and is dropped, no host having it: no
		 * answer (measured: -ETIMEDOUT, the port given back) */
		memset(&d, 0, sizeof(d));
		d.outcome = RP_NO_SOCKET;
		silent = true;
	} else if ((err = send_pkt(st, sk->net->id, &pkt, &d, &silent)) != 0) {
		return err;	/* LCOV_EXCL_LINE */
	}
	/* KERNEL: tcp_v4_connect(), tcp_v6_connect(): a wildcard-bound
	 * socket takes the route's source address as its own before the
	 * SYN */
	sk->rcv_saddr = pkt.src.addr;
	if (d.outcome != RP_DELIVERED) {
		/* KERNEL: tcp_reset() -> tcp_done(): tcp_set_state(TCP_CLOSE)
		 * gives back a port not bound explicitly; then the blocking
		 * __inet_stream_connect() fails through sock_error, whose
		 * tcp_disconnect() gives back an address not bound
		 * explicitly (measured: a refused wildcard-bound socket holds
		 * its port on every address again) */
		if (!sk->bind_port_lock) {
			bucket_del(st, sk);
			sk->num = 0;
		}
		if (!sk->bind_addr_lock)
			reset_saddr(sk);
		/* KERNEL: that tcp_disconnect() clears sk_shutdown too, so a
		 * SHUT_WR given before this connect() is forgotten (found by
		 * fuzz-diff on the host, seed 14000807) */
		sk->shutdown = 0;
		/* a SYN dropped without a reset: the client retransmits until
		 * its timer gives up (the kernel backend gives up sooner and
		 * aborts the attempt, which ends the same way) */
		return silent ? rp_rule(st, "R-SOCK-13", -ETIMEDOUT) :
		    -ECONNREFUSED;
	}
	sk->peer = *sa;
	sk->conn_peer = d.child;
	sk->fin_sent = sk->active_close = false;
	/* KERNEL: tcp_shutdown() sent no FIN in TCP_CLOSE, and nothing
	 * sends it once connected: TCP_ESTABLISHED with SEND_SHUTDOWN */
	sk->shut_early = (sk->shutdown & (RP_SHUT_WR + 1)) != 0;
	((struct rp_sock *)st->socks->pdata[d.child])->conn_peer = sk->id;
	sk->hashed = true;
	sk->ss_connected = true;
	rp_sock_set_state(st, sk, RP_TCP_ESTABLISHED);
	return 0;
}

/*
 * An IPv6 socket and v4-mapped addresses (tcp_v6_connect(),
 * __ip6_datagram_connect(), R-BIND-7): a v4-mapped destination is an
 * IPv4 connect, refused (-ENETUNREACH) to a v6only socket or one bound
 * to a plain IPv6 address; a socket bound to a v4-mapped address can
 * reach only v4-mapped destinations, and *mapped_src says the kernel
 * refuses this one (-EAFNOSUPPORT) once it has a route to it.  The
 * unspecified destination [::] means this host: ::ffff:127.0.0.1 for a
 * socket bound to a v4-mapped address, ::1 for any other.  *out is the
 * destination to connect to.
 */
static int
connect_mapped(struct rp_state *st, const struct rp_sock *sk,
    const struct rp_sockaddr *sa, struct rp_sockaddr *out, bool *mapped_src)
{
	bool src_mapped = sk->rcv_saddr.family == RP_AF_INET;

	*out = *sa;
	*mapped_src = false;
	if (rp_addr_any(&sa->addr)) {
		/* KERNEL: tcp_v6_connect(), __ip6_datagram_connect(): "connect
		 * to self if not specified", the IPv4 loopback for a v4-mapped
		 * source (measured on 6.18: connect() then succeeds) */
		out->addr = loopback(src_mapped ? RP_AF_INET : RP_AF_INET6);
		return src_mapped ? rp_rule(st, "R-BIND-7", 0) : 0;
	}
	if (!addr_v4(&sa->addr, &out->addr)) {
		*out = *sa;
		*mapped_src = src_mapped;
		return 0;
	}
	if (sk->ipv6only || (!src_mapped && !rp_addr_any(&sk->rcv_saddr)))
		return rp_rule(st, "R-BIND-7", -ENETUNREACH);
	return 0;
}

int
rp_connect(struct rp_state *st, unsigned proc, int fd,
    const struct rp_sockaddr *sa)
{
	struct rp_file *f = NULL;
	struct rp_sock *sk;
	struct rp_sockaddr v4;
	int err = 0;

	g_return_val_if_fail(sa != NULL, -EFAULT);
	sk = rp_sock_get(st, proc, fd, &f, &err);
	if (sk == NULL)
		return err;
	if (sk_is_inet(sk) && sk->type == RP_SOCK_RAW &&
	    sa->addr.family == RP_AF_UNSPEC) {
		/* KERNEL: inet_dgram_connect(): AF_UNSPEC is the protocol's
		 * disconnect, __udp_disconnect() for raw sockets too: a raw
		 * socket never has SOCK_BINDPORT_LOCK, so it is unhashed,
		 * and SO_ATTACH_REUSEPORT_CBPF then treats it as any
		 * unhashed socket (found by fuzz-diff, host seed 9000165) */
		rp_dirty_sock(st, sk);
		sk->raw_unhashed = true;
		memset(&sk->peer, 0, sizeof(sk->peer));
		/* ... which closes it and forgets its device (found by
		 * fuzz-diff, host seed 18000185's table) */
		sk->state = RP_TCP_CLOSE;
		sk->bound_dev_if = 0;
		sk->raw_src = false;	/* inet_reset_saddr() */
		return sock_done(st, f, rp_rule(st, "R-SOCK-17", 0));
	}
	if (sk_is_inet(sk) && sk->type == RP_SOCK_RAW) {
		/* KERNEL: ip4_datagram_connect(),
		 * ip6_datagram_connect_v6_only(): a route is all a raw
		 * socket needs; another family is -EAFNOSUPPORT either way
		 * (measured: an IPv4 sockaddr to raw6 too) */
		struct rp_addr dst = sa->addr;

		if (sa->addr.family != sk->family)
			return sock_done(st, f, rp_rule(st, "R-SOCK-17",
			    -EAFNOSUPPORT));
		/* KERNEL: __ip6_datagram_connect(): a v4-mapped destination
		 * is an IPv4 connect */
		if (sk->family == RP_AF_INET6 && !rp_addr_any(&dst))
			(void)addr_v4(&sa->addr, &dst);
		if ((err = dgram_route(st, sk, &dst)) != 0)
			return sock_done(st, f, rp_rule(st, "R-SOCK-17", err));
		/* KERNEL: __ip4_datagram_connect(), __ip6_datagram_connect():
		 * TCP_ESTABLISHED, which shutdown() then takes and raw_bind()
		 * refuses (found by fuzz-diff, host seed 18000185) */
		rp_dirty_sock(st, sk);
		sk->state = RP_TCP_ESTABLISHED;
		/* ... with the route's source as its IPv4 one when it had
		 * none (an IPv6 route leaves it) */
		if (dst.family == RP_AF_INET)
			sk->raw_src = true;
		return sock_done(st, f, rp_rule(st, "R-SOCK-17", 0));
	}
	/* KERNEL: netlink_connect(), unix_dgram_connect(): AF_UNSPEC
	 * disconnects, whatever it was connected to (found by fuzz-diff,
	 * host seed 18000514); unix_stream_connect() wants AF_UNIX */
	if (sa->addr.family == RP_AF_UNSPEC && (sk->family == RP_AF_NETLINK ||
	    (sk->family == RP_AF_UNIX && sk->type == RP_SOCK_DGRAM)))
		return sock_done(st, f, rp_rule(st, "R-SOCK-15", 0));
	if (!sk_is_inet(sk) || sk->type == RP_SOCK_RAW)
		return sock_done(st, f, -EINVAL);	/* not modelled */
	/* connect and disconnect rewrite the local address (a join key) */
	rp_dirty_sock(st, sk);
	if (sa->addr.family == RP_AF_UNSPEC) {
		/* KERNEL: inet_stream_connect()/udp: AF_UNSPEC disconnects */
		if (sk->protocol == RP_IPPROTO_TCP) {
			if (sk->state == RP_TCP_LISTEN) {
				rp_rule(st, "R-SOCK-5", 0);
				tcp_listener_disconnect(st, sk);
			} else if (sk->state != RP_TCP_CLOSE) {
				tcp_disconnect(st, sk);
			}
			sk->ss_connected = false;
			return sock_done(st, f, 0);
		}
		return sock_done(st, f, udp_disconnect(st, sk));
	}
	/* KERNEL: __inet_stream_connect() looks at the socket's state
	 * before tcp_v4_connect() or tcp_v6_connect() look at the address */
	if (sk->protocol == RP_IPPROTO_TCP && sk->state == RP_TCP_LISTEN)
		return sock_done(st, f, -EISCONN);
	if (sk->protocol == RP_IPPROTO_TCP &&
	    (sk->state == RP_TCP_ESTABLISHED || sk->ss_connected))
		return sock_done(st, f, rp_rule(st, "R-SOCK-14", -EISCONN));
	/* KERNEL: inet_dgram_connect(): inet_autobind() before the
	 * protocol's connect() looks at the address, so a UDP socket keeps
	 * the port whatever the connect() says (found by fuzz-diff, seed
	 * 4030280) */
	if (sk->type == RP_SOCK_DGRAM && sk->num == 0) {
		err = get_port(st, sk, 0, false);
		if (err != 0)
			return sock_done(st, f, -EAGAIN);	/* LCOV_EXCL_LINE */
	}
	if (sa->addr.family != sk->family) {
		/* KERNEL (measured): an IPv4 address on an IPv6 socket is too
		 * short for TCP; UDP connects v4-mapped unless v6only */
		if (sk->family == RP_AF_INET6 && sk->protocol == RP_IPPROTO_TCP)
			return sock_done(st, f, -EINVAL);
		if (sk->family == RP_AF_INET)
			return sock_done(st, f, -EAFNOSUPPORT);
		/* KERNEL: __ip6_datagram_connect(): ipv6_only_sock(), set
		 * by the option or by a bind to a plain IPv6 address */
		if (sk->ipv6only)
			return sock_done(st, f, rp_rule(st, "R-BIND-10",
			    -EAFNOSUPPORT));
		/* ... as a v4-mapped one (found by fuzz-diff on the host,
		 * seed 37001545) */
		if (!rp_addr_any(&sa->addr) &&
		    (err = mapped_no_source(st, &sk->rcv_saddr)) != 0)
			return sock_done(st, f, err);
	} else if (sk->family == RP_AF_INET6) {
		bool mapped_src;

		err = connect_mapped(st, sk, sa, &v4, &mapped_src);
		if (err == 0 && !mapped_src && v4.addr.family == RP_AF_INET &&
		    !rp_addr_any(&sa->addr))
			err = mapped_no_source(st, &sk->rcv_saddr);
		/* KERNEL: ip6_dst_lookup_tail(): the route's error comes
		 * before the v4-mapped source's -EAFNOSUPPORT (found by
		 * fuzz-diff on the host, seed 12000353) */
		if (err == 0 && mapped_src) {
			bool onlink;

			err = sk->protocol == RP_IPPROTO_TCP ?
			    tcp_route(st, sk, &v4.addr, &onlink) :
			    dgram_route(st, sk, &v4.addr);
			if (err == 0)
				err = rp_rule(st, "R-BIND-7", -EAFNOSUPPORT);
		}
		if (err != 0)
			return sock_done(st, f, err);
		sa = &v4;
	}
	/* KERNEL: ip_route_output_key_hash_rcu(): the IPv4 destination
	 * 0.0.0.0 is the socket's own address, or 127.0.0.1 for a socket
	 * without one: connect() reaches this host (found by fuzz-diff on
	 * the host, seed 12000353's table; [::] is connect_mapped()'s) */
	if (sa->addr.family == RP_AF_INET && rp_addr_any(&sa->addr)) {
		v4 = *sa;
		v4.addr = sk->rcv_saddr.family == RP_AF_INET &&
		    !rp_addr_any(&sk->rcv_saddr) ? sk->rcv_saddr :
		    loopback(RP_AF_INET);
		sa = &v4;
	}
	/* KERNEL (measured, a 6.18.44 build: tcp_role_change einval): a
	 * socket whose listening shutdown() or connect(AF_UNSPEC) stopped
	 * cannot connect until it listens again; the address was looked at
	 * first (seed 4000460) */
	if (sk->protocol == RP_IPPROTO_TCP && sk->listen_stopped &&
	    st->prof->tcp_role_change == RP_ROLE_CHANGE_EINVAL) {
		/* ... and the route was looked up first: a socket bound to
		 * a device with no route gets -ENETUNREACH (found by
		 * fuzz-diff on the host, seed 17001334) */
		bool onlink;

		if ((err = tcp_route(st, sk, &sa->addr, &onlink)) == 0)
			err = rp_rule(st, "R-SOCK-18", -EINVAL);
	}
	else if (sk->protocol == RP_IPPROTO_TCP)
		err = tcp_connect(st, sk, sa);
	else if ((err = dgram_route(st, sk, &sa->addr)) == 0)
		err = udp_connect(st, sk, sa);
	return sock_done(st, f, err);
}

/* ---------------------------------------------------------------------
 * Lookup and delivery
 */

/* Score of a lookup candidate; -1 = no match (compute_score()). */
static int
score(const struct rp_sock *sk, const struct rp_packet *pkt, bool exact)
{
	int s;

	if (sk->family == RP_AF_INET6 && pkt->dst.addr.family == RP_AF_INET &&
	    sk->ipv6only)
		return -1;
	if (sk->family == RP_AF_INET && pkt->dst.addr.family == RP_AF_INET6)
		return -1;
	if (exact) {
		/* a v4-mapped IPv6 socket keeps its IPv4 address here */
		if (!rp_addr_eq(&sk->rcv_saddr, &pkt->dst.addr))
			return -1;
	} else if (!rp_addr_any(&sk->rcv_saddr)) {
		return -1;
	}
	/* KERNEL: compute_score(): a socket bound to a device takes only
	 * what arrives on it; traffic here arrives on loopback */
	if (sk->bound_dev_if != 0 && sk->bound_dev_if != RP_LOOPBACK_IFINDEX)
		return -1;
	s = sk->bound_dev_if ? 2 : 1;
	if (sk->family == pkt->dst.addr.family)
		s++;
	if (sk->protocol == RP_IPPROTO_UDP && sk->peer.port != 0) {
		if (!rp_addr_eq(&sk->peer.addr, &pkt->src.addr) ||
		    sk->peer.port != pkt->src.port)
			return -1;
		s += 8;
	}
	return s;
}

/*
 * The socket a packet to pkt->dst reaches, running reuseport selection on
 * the way (inet_lhash2_lookup(), udp4_lib_lookup2()): exact address
 * first, then the wildcard; in chain order, the first better-scoring
 * socket with a group selects, and is the program's ctx->sk.  The caller must be in an RCU read-side
 * section.  *dropped is set when the group's program said SK_DROP.
 */
static struct rp_sock *
lookup(struct rp_state *st, struct rp_netns *net, const struct rp_packet *pkt,
    uint32_t hash, struct rp_delivery *out, bool *dropped)
{
	struct rp_bucket key = { .netns = net->id, .protocol = pkt->protocol,
	    .port = pkt->dst.port };
	struct rp_bucket *b = bucket_find(st, net->id, pkt->protocol,
	    pkt->dst.port);

	g_assert(rp_rcu_read_held(st));	/* LCOV_EXCL_BR_LINE */
	rp_read(st, RP_OBJ_KEY(RP_OC_BUCKET, rp_bucket_id(&key)));
	if (b == NULL)
		return NULL;
	for (int pass = 0; pass < 2; pass++) {
		struct rp_sock *result = NULL;
		int hiscore = 0;
		bool drop = false;	/* the best so far is SK_DROP */

		for (struct rp_sock *sk = b->listen_head; sk != NULL;
		    sk = sk->listen_next) {
			bool udp = pkt->protocol == RP_IPPROTO_UDP;
			int s;

			rp_read_sock(st, sk);
			if (pkt->protocol == RP_IPPROTO_TCP &&
			    sk->state != RP_TCP_LISTEN)
				continue;
			s = score(sk, pkt, pass == 0);
			if (s <= hiscore)
				continue;
			/* KERNEL: lookup_reuseport() (5.4+): a connected UDP
			 * socket is never a group's selector;
			 * inet_lookup_reuseport() selects only through a
			 * socket with SO_REUSEPORT set now (one that cleared
			 * it after joining delivers itself) */
			if (sk->reuseport && sk->reuse != NULL &&
			    !(udp && st->prof->has_conns &&
			    sk->state == RP_TCP_ESTABLISHED)) {
				struct rp_select_ctx ctx = { .pkt = pkt,
				    .hash = hash, .sk = sk, .out = out };
				bool conns = udp && st->prof->has_conns &&
				    sk->reuse->has_conns;
				struct rp_sock *r;

				r = rp_reuseport_select(st, &ctx, dropped);
				/* KERNEL: udp4_lib_lookup2(): with connected
				 * members the group's answer, SK_DROP too (an
				 * ERR_PTR), is only the best so far (R-CONN-2) */
				if (*dropped && !conns)
					return NULL;
				if (*dropped) {
					*dropped = false;
					drop = true;
					result = NULL;
					hiscore = s;
					continue;
				}
				if (r != NULL && !conns)
					return r;
				if (r != NULL) {
					result = r;
					hiscore = s;
					drop = false;
					continue;
				}
			} else if (drop || result != NULL) {
				/* a later, better socket: no group decided */
				out->how = RP_HOW_NONE;
				out->group = 0;
				out->prog_ret = -1;
			}
			result = sk;
			hiscore = s;
			drop = false;
		}
		if (drop) {
			*dropped = true;
			return NULL;
		}
		if (result != NULL)
			return result;
	}
	return NULL;
}

int
rp_send(struct rp_state *st, unsigned netns, const struct rp_packet *pkt,
    struct rp_delivery *out)
{
	bool silent;

	return send_pkt(st, netns, pkt, out, &silent);
}

/*
 * The bind() of a scenario's client to pkt->src, before anything else
 * (the kernel backend binds a client socket, then connects it): an
 * address that wants a device (the language has none), or a TCP one to
 * an IPv6 multicast group, is -EINVAL (R-BIND-12); an address this host
 * does not have, v4-mapped too, -EADDRNOTAVAIL (found by fuzz-diff on
 * the host, seed 36000050: a client bound to fe80::1).
 */
static int
client_bind(struct rp_state *st, const struct rp_packet *pkt)
{
	const struct rp_addr *a = &pkt->src.addr;
	struct rp_addr v4;

	if (v6_needs_scope(a) || (v6_multicast(a) &&
	    pkt->protocol == RP_IPPROTO_TCP))
		return rp_rule(st, "R-BIND-12", -EINVAL);
	if (!rp_addr_any(a) && addr_v4(a, &v4))
		a = &v4;
	if (!addr_is_local(a) && !no_source(st, a))
		return -EADDRNOTAVAIL;
	return 0;
}

/*
 * rp_send(), and *silent set when a TCP SYN was dropped without an
 * answer (a listener whose device has no route back, R-SOCK-13): the
 * client gets no reset and waits.
 */
static int
send_pkt(struct rp_state *st, unsigned netns, const struct rp_packet *pkt,
    struct rp_delivery *out, bool *silent)
{
	struct rp_netns *net;
	struct rp_sock *sk;
	bool dropped = false;
	uint32_t hash;
	struct rp_packet p4;
	int err;

	g_return_val_if_fail(pkt != NULL && out != NULL, -EFAULT);
	if (netns >= st->netns->len)
		return -ENOENT;
	if (pkt->protocol != RP_IPPROTO_TCP && pkt->protocol != RP_IPPROTO_UDP)
		return -EPROTONOSUPPORT;
	if ((err = client_bind(st, pkt)) != 0)
		return err;
	/* KERNEL: udpv6_sendmsg(), tcp_v6_connect(): an IPv6 client's
	 * datagram or SYN to a v4-mapped address is IPv4 (udp_sendmsg(),
	 * tcp_v4_connect()), from its v4-mapped or unspecified address; a
	 * v4-mapped source cannot reach a plain IPv6 destination
	 * (-EAFNOSUPPORT; measured on 6.18, scenarios/group/send-mapped.scn) */
	if (pkt->src.addr.family == RP_AF_INET6 &&
	    pkt->dst.addr.family == RP_AF_INET6) {
		struct rp_addr s4, d4;
		bool smapped = !rp_addr_any(&pkt->src.addr) &&
		    addr_v4(&pkt->src.addr, &s4);
		bool dmapped = !rp_addr_any(&pkt->dst.addr) &&
		    addr_v4(&pkt->dst.addr, &d4);

		if (smapped && !dmapped)
			return rp_rule(st, "R-BIND-7", -EAFNOSUPPORT);
		/* ... and a client bound to a plain IPv6 address has no
		 * IPv4 route (R-BIND-7, as connect_mapped()) */
		if (dmapped && !smapped && !rp_addr_any(&pkt->src.addr))
			return rp_rule(st, "R-BIND-7", -ENETUNREACH);
		/* ... nor one bound to a v4-mapped broadcast or multicast
		 * address (R-BIND-12, as rp_connect()) */
		if (dmapped && smapped &&
		    (err = mapped_no_source(st, &s4)) != 0)
			return err;
		if (dmapped) {
			p4 = *pkt;
			p4.dst.addr = d4;
			if (smapped) {
				p4.src.addr = s4;
			} else {
				memset(&p4.src.addr, 0, sizeof(p4.src.addr));
				p4.src.addr.family = RP_AF_INET;
			}
			pkt = &p4;
		}
	}
	if (pkt->src.addr.family != pkt->dst.addr.family ||
	    (pkt->dst.addr.family != RP_AF_INET &&
	    pkt->dst.addr.family != RP_AF_INET6))
		return -EAFNOSUPPORT;
	if (!addr_is_local(&pkt->dst.addr) || rp_addr_any(&pkt->dst.addr))
		return -ENETUNREACH;	/* loopback only */
	/* a client bound to a broadcast or multicast address sends from
	 * its route's source (R-BIND-12) */
	if (no_source(st, &pkt->src.addr)) {
		if (pkt != &p4)
			p4 = *pkt;
		p4.src.addr = loopback(p4.src.addr.family);
		pkt = &p4;
		rp_rule(st, "R-BIND-12", 0);
	}
	/* KERNEL: ip_route_output_key_hash_rcu(): a broadcast route: UDP's
	 * sendmsg() wants SO_BROADCAST, which a scenario's client lacks
	 * (-EACCES), TCP refuses it (-ENETUNREACH) (R-SOCK-13) */
	if (lo_broadcast(st, &pkt->dst.addr))
		return rp_rule(st, "R-SOCK-13", pkt->protocol ==
		    RP_IPPROTO_UDP ? -EACCES : -ENETUNREACH);
	net = st->netns->pdata[netns];
	rp_read(st, RP_OBJ_KEY(RP_OC_GLOBAL, 0));
	memset(out, 0, sizeof(*out));
	out->prog_ret = -1;
	hash = pkt->has_hash ? pkt->hash : rp_flow_hash(pkt);
	out->hash = hash;
	/*
	 * KERNEL: udp_rcv() and tcp_v4_rcv() look the socket up and deliver
	 * to it inside one RCU read-side section: a SOCK_RCU_FREE listener
	 * or unconnected UDP socket is used without a reference, so the
	 * section must cover everything that touches sk (a concurrent close
	 * frees it only after the section ends).
	 */
	rp_rcu_read_lock(st);
	sk = lookup(st, net, pkt, hash, out, &dropped);
	/* an SK_DROP is answered with a reset (tcp_v4_rcv(): no socket) */
	*silent = false;
	/* KERNEL: the hash (or a classic program's index) took a member that
	 * closed after reuseport_select_sock() read num_socks (R-RACE-13): UDP
	 * queues the datagram on the closing socket, which frees it with its
	 * queue (delivered, never read); a closed listener is TCP_CLOSE and
	 * tcp_rcv_state_process() discards the SYN without a reset */
	if (sk != NULL && sk->closed && (out->how == RP_HOW_HASH ||
	    out->how == RP_HOW_CBPF)) {
		rp_rule(st, "R-RACE-13", 0);
		if (pkt->protocol == RP_IPPROTO_TCP) {
			*silent = true;
			sk = NULL;
		}
	} else if (sk != NULL && sk->dead) {
		/* its free waits for this reader's section to end: only a
		 * socket that left before the lookup began may not be used */
		rp_violation(st, "I13: selection chose socket %u, which is "
		    "freed (a reader outside its RCU section)", sk->id);
	}
	/* KERNEL: tcp_conn_request(): the SYN+ACK needs a route from the
	 * listener's device (inet_csk_route_req()); a listener bound to a
	 * device other than loopback, chosen by its group, has none, and
	 * the SYN is dropped without a reset */
	if (sk != NULL && pkt->protocol == RP_IPPROTO_TCP &&
	    sk->bound_dev_if != 0 && sk->bound_dev_if != RP_LOOPBACK_IFINDEX) {
		rp_rule(st, "R-SOCK-13", 0);
		*silent = true;
		sk = NULL;
	}
	/* KERNEL: tcp_conn_request(): a full accept queue drops the SYN
	 * (sk_acceptq_is_full(): more children queued than the backlog) */
	if (sk != NULL && pkt->protocol == RP_IPPROTO_TCP &&
	    pkt->conn != RP_CONN_REQUEST &&
	    (int)g_queue_get_length(&sk->accept_q) > sk->backlog) {
		rp_rule(st, "R-SOCK-16", 0);
		*silent = true;
		sk = NULL;
	}
	if (dropped || sk == NULL) {
		rp_rcu_read_unlock(st);
		out->outcome = dropped ? RP_DROPPED : RP_NO_SOCKET;
		rp_state_quiesce(st);
		return 0;
	}
	/* the delivery below uses sk without a reference */
	rp_rcu_assert_reader(st, "the socket a lookup found");
	out->outcome = RP_DELIVERED;
	out->sock = sk->id;
	/* a connected UDP socket may win over the group's selection; a
	 * member without SO_REUSEPORT won by itself (no selection ran) */
	if (!sk->reuseport && out->group == 0) {
		out->how = RP_HOW_NONE;
	} else if (sk->reuse == NULL || sk->reuse->id != out->group) {
		out->group = sk->reuse != NULL ? sk->reuse->id : 0;
		if (sk->reuse == NULL)
			out->how = RP_HOW_NONE;
	}
	if (pkt->protocol == RP_IPPROTO_TCP) {
		struct rp_sock *c;

		if (pkt->conn == RP_CONN_REQUEST) {
			c = child_new(st, sk, pkt, RP_TCP_NEW_SYN_RECV, hash);
			c->parent = sk;
			g_queue_push_tail(&sk->requests, c);
		} else {
			c = child_new(st, sk, pkt, pkt->conn ==
			    RP_CONN_FASTOPEN ? RP_TCP_SYN_RECV :
			    RP_TCP_ESTABLISHED, hash);
			rp_child_enqueue(st, sk, c);
		}
		out->child = c->id;
		/* KERNEL (measured): a listener shut down both ways before
		 * listen() makes children that reset the first data sent
		 * after the handshake (Fast Open data came with the SYN):
		 * the client's send fails, the child stays queued */
		if (sk->shutdown == (RP_SHUT_RDWR + 1) && pkt->len > 0 &&
		    pkt->conn == RP_CONN_ESTABLISHED) {
			c->rx_unread = false;	/* refused, never queued */
			rp_rcu_read_unlock(st);
			rp_state_quiesce(st);
			return rp_rule(st, "R-SOCK-15", -EPIPE);
		}
	}
	rp_rcu_read_unlock(st);
	rp_state_quiesce(st);
	return 0;
}

/*
 * Requests of closed listeners migrate (5.14+) or die when their final ACK
 * arrives (ack) or their SYN+ACK timer fires (timer, len 0); requests of
 * live listeners complete on ACK and wait on timer.
 */
static int
requests_step(struct rp_state *st, unsigned netns, bool ack)
{
	g_autoptr(GPtrArray) todo = g_ptr_array_new();
	int n = 0;

	if (netns >= st->netns->len)
		return -ENOENT;
	for (guint i = 1; i < st->socks->len; i++) {
		struct rp_sock *req = st->socks->pdata[i];

		if (req != NULL && !req->dead &&
		    req->state == RP_TCP_NEW_SYN_RECV &&
		    req->net->id == netns)
			g_ptr_array_add(todo, req);
	}
	for (guint i = 0; i < todo->len; i++) {
		struct rp_sock *req = todo->pdata[i];
		struct rp_sock *lsk = req->parent, *nsk = lsk;

		if (lsk->state != RP_TCP_LISTEN) {
			nsk = NULL;
			if (st->prof->migration && lsk->reuse != NULL)
				nsk = rp_reuseport_migrate(st, lsk, req,
				    ack ? 20 : 0);
			g_queue_remove(&lsk->requests, req);
			if (nsk == NULL) {
				child_drop(st, req);	/* reports the drop */
				maybe_destroy(st, lsk);
				continue;
			}
			rp_emit(st, &(struct rp_event){ .kind = RP_EV_MIGRATE,
			    .sock = req->id, .sock2 = nsk->id });
			maybe_destroy(st, lsk);
			req->parent = nsk;
			g_queue_push_tail(&nsk->requests, req);
			if (!ack)
				n++;
		}
		if (!ack)
			continue;
		g_queue_remove(&nsk->requests, req);
		req->hashed = true;
		/* KERNEL: the full child is made now (__inet_inherit_port()) */
		bucket_add(st, req, nsk->num);
		rp_sock_set_state(st, req, RP_TCP_ESTABLISHED);
		rp_child_enqueue(st, nsk, req);
		n++;
	}
	rp_state_quiesce(st);
	return n;
}

int
rp_requests_ack(struct rp_state *st, unsigned netns)
{
	return requests_step(st, netns, true);
}

int
rp_requests_timer(struct rp_state *st, unsigned netns)
{
	return requests_step(st, netns, false);
}
