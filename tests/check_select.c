/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * check_select.c - unit tests of model/select.c and model/prog.c:
 * reuseport selection (the hash fallback, 6.18's walk past connected
 * sockets and its incoming-CPU preference, classic and SOCKET_FILTER index
 * programs), SK_REUSEPORT programs and bpf_sk_select_reuseport() with
 * every errno, what the program sees (R-CTX, observed through the
 * observer's RP_EV_PROG_RUN and struct rp_delivery), program load
 * (capabilities, expected_attach_type, the verifier's map checks), and
 * 6.18 migration of children and requests of a closing listener.
 *
 * One TCase per operation ("select/<operation>").  Loop indexes select a
 * row of the model's profile table (TU_ROW_OF) and a table case or
 * variant (TU_CASE_OF); what a case expects follows the row's switches
 * (struct rp_profile), and a case about one value of a switch runs on the
 * rows that have it (TU_UNLESS).  White-box
 * cases (rp-int.h) reach states no socket call produces: an occupant
 * without a group (R-HLP-2a), an established member in the listening
 * section (the 6.18 walk, R-SEL-5), a group with only closed sockets
 * (R-SEL-2).
 */
#include <errno.h>
#include <string.h>

#include <check.h>
#include <glib.h>

#include "rp-int.h"
#include "testutil.h"

#define PORT		40000
#define NMAX		8

/* ---------------------------------------------------------------------
 * Fixture: a group of n members at 127.0.0.1:PORT (or ::1), member i in
 * slot i of an 8-slot sockarray when in_map, and an event recorder.
 */

struct fx {
	struct rp_state		*st;
	int			prof;
	int			type, family;
	int			fds[NMAX];
	unsigned		ids[NMAX];
	int			n;
	int			map;		/* sockarray fd, 8 slots */
	GArray			*evs;		/* PROG_RUN, SELECT, MIGRATE */
};

static void
rec_event(void *ud, const struct rp_event *ev)
{
	struct fx *f = ud;

	if (ev->kind == RP_EV_PROG_RUN || ev->kind == RP_EV_SELECT ||
	    ev->kind == RP_EV_MIGRATE)
		g_array_append_val(f->evs, *ev);
}

static const struct rp_observer recorder = { rec_event };

/* The switches (rp-int.h) the tables name. */
static bool	/* 5.7+: reuseport_id 0 is a group's id: -EBADFD, not -ENOENT */
id0_badfd(const struct rp_profile *p)
{
	return !p->helper_enoent_id0;
}

static bool	/* 5.8+: CAP_BPF loads SK_REUSEPORT */
prog_cap_bpf(const struct rp_profile *p)
{
	return p->prog_cap_bpf;
}

static bool	/* 5.14+: expected_attach_type is checked */
expected_attach(const struct rp_profile *p)
{
	return p->expected_attach;
}

static bool	/* 5.7+: the helper takes SOCKMAP/SOCKHASH */
sockmap_select(const struct rp_profile *p)
{
	return p->sockmap_select;
}

/* What case fields want, sw, want_sw expect under prof. */
#define WANT_OF(c, prof) \
	((c)->sw != NULL && (c)->sw(prof) ? (c)->want_sw : (c)->want)

static int
new_member(struct rp_state *st, unsigned proc, int family, int type,
    uint16_t port)
{
	struct rp_sockaddr sa = tu_addr(family, 1, port);
	int fd = rp_socket(st, proc, family, type, 0);

	ck_assert_int_ge(fd, 3);
	ck_assert_int_eq(rp_setsockopt_int(st, proc, fd, RP_SO_REUSEPORT, 1),
	    0);
	ck_assert_int_eq(rp_bind(st, proc, fd, &sa), 0);
	if (type == RP_SOCK_STREAM)
		ck_assert_int_eq(rp_listen(st, proc, fd, 128), 0);
	return fd;
}

static void
fx_init(struct fx *f, int prof, int type, int family, int n, bool in_map)
{
	memset(f, 0, sizeof(*f));
	f->st = tu_state_row(prof);
	f->prof = prof;
	f->type = type;
	f->family = family;
	f->n = n;
	f->evs = g_array_new(FALSE, TRUE, sizeof(struct rp_event));
	rp_state_set_observer(f->st, &recorder, f);
	f->map = tu_sockarray(f->st, 0, 8, 8);
	for (int i = 0; i < n; i++) {
		f->fds[i] = new_member(f->st, 0, family, type, PORT);
		f->ids[i] = rp_fd_sock(f->st, 0, f->fds[i]);
		if (in_map)
			ck_assert_int_eq(rp_map_update(f->st, 0, f->map,
			    (uint32_t)i, (uint64_t)f->fds[i], RP_BPF_ANY), 0);
	}
}

static void
fx_done(struct fx *f)
{
	tu_state_done(f->st);
	g_array_unref(f->evs);
}

static unsigned
group_of_id(struct rp_state *st, unsigned sock)
{
	struct rp_sock_info in;

	ck_assert_int_eq(rp_sock_info(st, sock, &in), 0);
	return in.group;
}

static unsigned
fx_group(struct fx *f)
{
	return group_of_id(f->st, f->ids[0]);
}

/* reciprocal_scale(), as R-SEL-4 states it */
static unsigned
scale(uint32_t hash, unsigned n)
{
	return (unsigned)(((uint64_t)hash * n) >> 32);
}

/* Send one packet to the fixture's port; proto from the fixture type. */
static struct rp_delivery
fx_send_from(struct fx *f, uint16_t sport, uint32_t hash,
    const uint8_t *payload, size_t len, enum rp_conn_kind conn)
{
	struct rp_packet pkt = {
		.protocol = f->type == RP_SOCK_STREAM ? RP_IPPROTO_TCP :
		    RP_IPPROTO_UDP,
		.src = tu_addr(f->family, 1, sport),
		.dst = tu_addr(f->family, 1, PORT),
		.payload = payload, .len = len,
		.has_hash = true, .hash = hash, .conn = conn,
	};
	struct rp_delivery d;

	ck_assert_int_eq(rp_send(f->st, 0, &pkt, &d), 0);
	return d;
}

static struct rp_delivery
fx_send(struct fx *f, uint32_t hash)
{
	return fx_send_from(f, 50000, hash, NULL, 0, RP_CONN_ESTABLISHED);
}

/* The last recorded event of kind k (asserts there is one). */
static struct rp_event
last_event(struct fx *f, enum rp_event_kind k)
{
	for (guint i = f->evs->len; i-- > 0;) {
		struct rp_event ev = g_array_index(f->evs, struct rp_event, i);

		if (ev.kind == k)
			return ev;
	}
	ck_abort_msg("no %s event", rp_event_kind_name(k));
	return (struct rp_event){ 0 };
}

static unsigned
count_events(struct fx *f, enum rp_event_kind k)
{
	unsigned n = 0;

	for (guint i = 0; i < f->evs->len; i++)
		if (g_array_index(f->evs, struct rp_event, i).kind == k)
			n++;
	return n;
}

/* Load a program in process 0; returns rp_prog_load()'s result. */
static int
load_prog(struct rp_state *st, uint32_t type, uint32_t eat, int map_fd,
    const struct rp_policy *pol)
{
	struct rp_prog_attr pa = { .prog_type = type,
	    .expected_attach_type = eat, .map_fd = map_fd, .policy = *pol };

	return rp_prog_load(st, 0, &pa);
}

/* Load an SK_REUSEPORT program on the fixture's map and attach it. */
static int
fx_attach(struct fx *f, uint32_t eat, int map_fd,
    const struct rp_policy *pol)
{
	int pfd = load_prog(f->st, RP_PROG_SK_REUSEPORT, eat, map_fd, pol);

	ck_assert_int_ge(pfd, 3);
	ck_assert_int_eq(rp_attach_ebpf(f->st, 0, f->fds[0], pfd), 0);
	return pfd;
}

/* ---------------------------------------------------------------------
 * select/hash
 */

static const uint32_t hashes[] = {
	0, 1, 0x12345678, 0x55555555, 0x55555556, 0x7fffffff, 0x80000000,
	0xaaaaaaab, 0xdeadbeef, 0xfffffffe, 0xffffffff,
};

/* R-SEL-3 R-SEL-4 R-SEL-5 R-CTX-4: without a program the member is
 * socks[(hash * n) >> 32] for every group size; the delivery reports the
 * hash it used.  Index: profile, TCP/UDP, IPv4/IPv6. */
TU_LOOP(hash_fallback, "select/hash", 4 * TU_EVERY_PROFILE)
{
	int type = TU_CASE_OF(_i) % 2 ? RP_SOCK_DGRAM : RP_SOCK_STREAM;
	int family = TU_CASE_OF(_i) / 2 ? RP_AF_INET6 : RP_AF_INET;
	struct fx f;

	fx_init(&f, TU_ROW_OF(_i), type, family, 0, false);
	for (int n = 1; n <= 7; n++) {
		unsigned g;

		f.fds[n - 1] = new_member(f.st, 0, family, type, PORT);
		f.ids[n - 1] = rp_fd_sock(f.st, 0, f.fds[n - 1]);
		f.n = n;
		g = fx_group(&f);
		for (size_t h = 0; h < G_N_ELEMENTS(hashes); h++) {
			struct rp_delivery d = fx_send(&f, hashes[h]);
			unsigned want = rp_group_sock_at(f.st, g,
			    scale(hashes[h], (unsigned)n));

			ck_assert_int_eq(d.outcome, RP_DELIVERED);
			ck_assert_int_eq(d.how, RP_HOW_HASH);
			ck_assert_msg(d.sock == want, "n %d hash %#x: socket "
			    "%u, want %u", n, hashes[h], d.sock, want);
			ck_assert_uint_eq(d.hash, hashes[h]);
			ck_assert_uint_eq(d.group, g);
			ck_assert_int_eq(d.prog_ret, -1);
		}
	}
	fx_done(&f);
}
END_TEST

/* R-SEL-1: a listener without a group receives the packet itself. */
TU_LOOP(no_group, "select/hash", TU_EVERY_PROFILE)
{
	struct fx f;
	struct rp_sockaddr sa = tu_addr(RP_AF_INET, 1, PORT);
	struct rp_delivery d;
	int fd;

	fx_init(&f, _i, RP_SOCK_STREAM, RP_AF_INET, 0, false);
	fd = rp_socket(f.st, 0, RP_AF_INET, RP_SOCK_STREAM, 0);
	ck_assert_int_eq(rp_bind(f.st, 0, fd, &sa), 0);
	ck_assert_int_eq(rp_listen(f.st, 0, fd, 1), 0);
	d = fx_send(&f, 0x9999);
	ck_assert_int_eq(d.outcome, RP_DELIVERED);
	ck_assert_int_eq(d.how, RP_HOW_NONE);
	ck_assert_uint_eq(d.group, 0);
	ck_assert_uint_eq(d.sock, rp_fd_sock(f.st, 0, fd));
	fx_done(&f);
}
END_TEST

/* R-SEL-2 (white-box, 6.18): selection in a group whose only socket is in
 * the closed section returns nothing and drops nothing. */
TU_LOOP(closed_only_group, "select/hash", TU_EVERY_PROFILE)
{
	TU_UNLESS(tu_prof(_i)->migration);
	struct fx f;
	struct rp_packet pkt = { .protocol = RP_IPPROTO_TCP,
	    .src = tu_addr(RP_AF_INET, 1, 50000),
	    .dst = tu_addr(RP_AF_INET, 1, PORT) };
	struct rp_select_ctx ctx = { .pkt = &pkt, .hash = 7 };
	struct rp_sock *sk;
	bool dropped = true;

	fx_init(&f, _i, RP_SOCK_STREAM, RP_AF_INET, 1, false);
	ck_assert_int_eq(rp_sysctl_set(f.st, 0, "net.ipv4.tcp_migrate_req", 1),
	    0);
	ck_assert_int_eq(rp_shutdown(f.st, 0, f.fds[0], RP_SHUT_RDWR), 0);
	ctx.sk = f.st->socks->pdata[f.ids[0]];
	ck_assert_ptr_nonnull(ctx.sk->reuse);
	ck_assert_uint_eq(ctx.sk->reuse->num_socks, 0);
	rp_rcu_read_lock(f.st);
	sk = rp_reuseport_select(f.st, &ctx, &dropped);
	rp_rcu_read_unlock(f.st);
	rp_state_quiesce(f.st);
	ck_assert_ptr_null(sk);
	ck_assert(!dropped);
	fx_done(&f);
}
END_TEST

/* R-SEL-8: a packet to 127.0.0.1 goes to the group bound to exactly that
 * address, not to the wildcard group on the same port; a packet to
 * another address goes to the wildcard group. */
TU_LOOP(exact_over_wildcard, "select/hash", TU_EVERY_PROFILE)
{
	struct fx f;
	struct rp_sockaddr wa = tu_addr(RP_AF_INET, 0, PORT);
	struct rp_packet pkt = { .protocol = RP_IPPROTO_UDP,
	    .src = tu_addr(RP_AF_INET, 1, 50000),
	    .dst = tu_addr(RP_AF_INET, 1, PORT) };
	struct rp_delivery d;
	unsigned gw;
	int w;

	/* wildcard first, so bind order does not favour the exact group */
	fx_init(&f, _i, RP_SOCK_DGRAM, RP_AF_INET, 0, false);
	w = rp_socket(f.st, 0, RP_AF_INET, RP_SOCK_DGRAM, 0);
	ck_assert_int_eq(rp_setsockopt_int(f.st, 0, w, RP_SO_REUSEPORT, 1), 0);
	ck_assert_int_eq(rp_bind(f.st, 0, w, &wa), 0);
	gw = group_of_id(f.st, rp_fd_sock(f.st, 0, w));
	for (int i = 0; i < 3; i++) {
		f.fds[i] = new_member(f.st, 0, RP_AF_INET, RP_SOCK_DGRAM, PORT);
		f.ids[i] = rp_fd_sock(f.st, 0, f.fds[i]);
	}
	f.n = 3;
	for (size_t h = 0; h < G_N_ELEMENTS(hashes); h++) {
		pkt.has_hash = true;
		pkt.hash = hashes[h];
		pkt.dst.addr.a[3] = 1;
		ck_assert_int_eq(rp_send(f.st, 0, &pkt, &d), 0);
		ck_assert_uint_eq(d.group, fx_group(&f));
		pkt.dst.addr.a[3] = 2;
		ck_assert_int_eq(rp_send(f.st, 0, &pkt, &d), 0);
		ck_assert_uint_eq(d.group, gw);
		ck_assert_uint_eq(d.sock, rp_fd_sock(f.st, 0, w));
	}
	fx_done(&f);
}
END_TEST

/* ---------------------------------------------------------------------
 * select/connected
 */

/*
 * R-SEL-4 R-CONN-1 R-CONN-2 R-DET-10: UDP group [a b c d] on 127.0.0.1;
 * b connects to 127.0.0.1:5555.  Without switch has_conns (4.19): b stays
 * at index 1 and is picked by the hash whatever the source; a datagram
 * from b's peer hashing to c goes to c (the reuseport result is final).
 * With it, a datagram from b's peer reaches b by its exact 4-tuple; with
 * udp_connect_leaves_group (6.18) b leaves the group ([a d c]) and others
 * are selected among [a d c], without it the walk passes b.
 */
TU_LOOP(connected_udp, "select/connected", TU_EVERY_PROFILE)
{
	struct fx f;
	struct rp_sockaddr peer = tu_addr(RP_AF_INET, 1, 5555);
	uint32_t h1 = 0x50000000, h2 = 0x90000000;	/* n 4: 1 and 2 */
	struct rp_delivery d;
	unsigned g;
	bool leaves;

	fx_init(&f, _i, RP_SOCK_DGRAM, RP_AF_INET, 4, false);
	g = fx_group(&f);
	ck_assert_int_eq(rp_connect(f.st, 0, f.fds[1], &peer), 0);
	if (!tu_prof(_i)->has_conns) {
		d = fx_send_from(&f, 6666, h1, NULL, 0, RP_CONN_ESTABLISHED);
		ck_assert_uint_eq(d.sock, f.ids[1]);
		d = fx_send_from(&f, 5555, h2, NULL, 0, RP_CONN_ESTABLISHED);
		ck_assert_uint_eq(d.sock, f.ids[2]);
		fx_done(&f);
		return;
	}
	leaves = tu_prof(_i)->udp_connect_leaves_group;
	if (leaves)
		ck_assert_uint_eq(rp_group_sock_at(f.st, g, 1), f.ids[3]);
	for (size_t h = 0; h < G_N_ELEMENTS(hashes); h++) {
		d = fx_send_from(&f, 5555, hashes[h], NULL, 0,
		    RP_CONN_ESTABLISHED);
		ck_assert_uint_eq(d.sock, f.ids[1]);
		d = fx_send_from(&f, 6666, hashes[h], NULL, 0,
		    RP_CONN_ESTABLISHED);
		if (leaves)
			ck_assert_uint_eq(d.sock, rp_group_sock_at(f.st, g,
			    scale(hashes[h], 3)));
		else {
			/* b stays: the walk passes it for another peer */
			ck_assert_uint_ne(d.sock, f.ids[1]);
			ck_assert_uint_eq(group_of_id(f.st, d.sock), g);
		}
	}
	fx_done(&f);
}
END_TEST

/*
 * R-SEL-5 R-SEL-4 (white-box: 6.18 moves a connecting UDP member out of
 * its group, so an ESTABLISHED listening-section member is made by hand):
 * 6.18 walks on from the hash index past established members, cyclically,
 * and with every member established the lookup's own socket stands; 4.19
 * takes the hash index whatever the state.
 */
TU_LOOP(walk_skips_established, "select/connected", TU_EVERY_PROFILE)
{
	struct fx f;
	struct rp_group *g;
	struct rp_delivery d;
	uint32_t at0 = 0x10000000, at2 = 0xa0000000;	/* n 4: 0 and 2 */

	fx_init(&f, _i, RP_SOCK_DGRAM, RP_AF_INET, 4, false);
	g = f.st->groups->pdata[fx_group(&f)];
	/* not the chain's head (socks[3], the newest IPv4 member): an
	 * established socket runs no selection itself (lookup_reuseport()) */
	g->socks[0]->state = RP_TCP_ESTABLISHED;
	g->socks[2]->state = RP_TCP_ESTABLISHED;
	d = fx_send(&f, at0);
	ck_assert_uint_eq(d.sock, tu_prof(_i)->has_conns ? g->socks[1]->id :
	    g->socks[0]->id);
	d = fx_send(&f, at2);
	ck_assert_uint_eq(d.sock, tu_prof(_i)->has_conns ? g->socks[3]->id :
	    g->socks[2]->id);
	if (tu_prof(_i)->has_conns) {
		for (int i = 0; i < 4; i++)
			g->socks[i]->state = RP_TCP_ESTABLISHED;
		d = fx_send(&f, at2);
		/* nothing selected: the lookup's own socket (any member) */
		ck_assert_int_eq(d.outcome, RP_DELIVERED);
		ck_assert_uint_eq(group_of_id(f.st, d.sock), g->id);
	}
	for (int i = 0; i < 4; i++)
		g->socks[i]->state = RP_TCP_CLOSE;
	fx_done(&f);
}
END_TEST

/* ---------------------------------------------------------------------
 * select/incoming-cpu
 */

/* R-SEL-6 R-SEL-4: member 2 sets SO_INCOMING_CPU 3.  6.18 on CPU 3: the
 * walk from any index ends at member 2; on CPU 1: the first member
 * passed; with the count back at 0 the hash index.  4.19: always the hash
 * index. */
TU_LOOP(incoming_cpu, "select/incoming-cpu", TU_EVERY_PROFILE)
{
	struct fx f;
	uint32_t at0 = 0x10000000, at3 = 0xf0000000;	/* n 4: 0 and 3 */
	struct rp_delivery d;
	unsigned g;

	fx_init(&f, _i, RP_SOCK_STREAM, RP_AF_INET, 4, false);
	g = fx_group(&f);
	ck_assert_int_eq(rp_setsockopt_int(f.st, 0, f.fds[2],
	    RP_SO_INCOMING_CPU, 3), 0);
	rp_state_set_cpu(f.st, 3);
	d = fx_send(&f, at0);
	ck_assert_uint_eq(d.sock, tu_prof(_i)->incoming_cpu ? f.ids[2] :
	    f.ids[0]);
	d = fx_send(&f, at3);
	ck_assert_uint_eq(d.sock, tu_prof(_i)->incoming_cpu ? f.ids[2] :
	    f.ids[3]);
	rp_state_set_cpu(f.st, 1);
	d = fx_send(&f, at3);
	ck_assert_uint_eq(d.sock, f.ids[3]);
	d = fx_send(&f, at0);
	ck_assert_uint_eq(d.sock, f.ids[0]);
	/* clear it again: count 0, CPU 3 does not matter */
	ck_assert_int_eq(rp_setsockopt_int(f.st, 0, f.fds[2],
	    RP_SO_INCOMING_CPU, -1), 0);
	rp_state_set_cpu(f.st, 3);
	d = fx_send(&f, at0);
	ck_assert_uint_eq(d.sock, f.ids[0]);
	ck_assert_uint_eq(d.group, g);
	fx_done(&f);
}
END_TEST

/* ---------------------------------------------------------------------
 * select/index-prog (classic BPF and SOCKET_FILTER)
 */

static const struct cbpf_case {
	const char	*rules;
	struct rp_cbpf	cb;
	uint8_t		payload[4];
	size_t		len;
	int		want;		/* index, -1 = hash fallback */
} cbpf_cases[] = {
	{ "R-SEL-3 R-ATT-1", { .k = 0 }, { 0 }, 0, 0 },
	{ "R-SEL-3 R-ATT-1", { .k = 3 }, { 0 }, 0, 3 },
	{ "R-SEL-3 R-ATT-1", { .k = 4 }, { 0 }, 0, -1 },
	{ "R-SEL-3 R-ATT-1", { .k = 0xffffffff }, { 0 }, 0, -1 },
	{ "R-SEL-3", { .payload_index = true, .off = 0, .mod = 4 },
	    { 0, 0, 0, 6 }, 4, 2 },
	{ "R-SEL-3", { .payload_index = true, .off = 0, .mod = 4 },
	    { 0, 0, 1, 3 }, 4, 3 },		/* 259 mod 4 */
	{ "R-SEL-3", { .payload_index = true, .off = 0, .mod = 0 },
	    { 0, 0, 0, 1 }, 4, 1 },
	{ "R-SEL-3", { .payload_index = true, .off = 0, .mod = 0 },
	    { 0, 0, 0, 9 }, 4, -1 },
	{ "R-SEL-3", { .payload_index = true, .off = 0, .mod = 8 },
	    { 0, 0, 0, 6 }, 4, -1 },		/* 6 >= n */
	/* a load past the end makes a classic program return 0 */
	{ "R-SEL-3", { .payload_index = true, .off = 2, .mod = 4 },
	    { 0, 0, 0, 3 }, 4, 0 },
};

/* Index: profile, TCP/UDP, row. */
TU_LOOP(cbpf_index, "select/index-prog", 2 * TU_BY_PROFILE(cbpf_cases))
{
	const struct cbpf_case *c = &cbpf_cases[TU_CASE_OF(_i) / 2];
	int type = TU_CASE_OF(_i) % 2 ? RP_SOCK_DGRAM : RP_SOCK_STREAM;
	uint32_t hash = 0xc0000000;			/* n 4: index 3 */
	struct rp_delivery d;
	struct fx f;
	unsigned g;

	fx_init(&f, TU_ROW_OF(_i), type, RP_AF_INET, 4, false);
	g = fx_group(&f);
	ck_assert_int_eq(rp_attach_cbpf(f.st, 0, f.fds[1], &c->cb), 0);
	d = fx_send_from(&f, 50000, hash, c->payload, c->len,
	    RP_CONN_ESTABLISHED);
	ck_assert_int_eq(d.outcome, RP_DELIVERED);
	ck_assert_int_eq(d.prog_ret, -1);
	if (c->want < 0) {
		ck_assert_int_eq(d.how, RP_HOW_HASH);
		ck_assert_uint_eq(d.sock, rp_group_sock_at(f.st, g, 3));
	} else {
		ck_assert_int_eq(d.how, RP_HOW_CBPF);
		ck_assert_uint_eq(d.sock, f.ids[c->want]);
	}
	ck_assert_uint_eq(count_events(&f, RP_EV_PROG_RUN), 0);
	fx_done(&f);
}
END_TEST

/* R-SEL-3 R-ATT-2: an extended SOCKET_FILTER program is an index program
 * too: it returns an index and never runs as an SK_REUSEPORT program (no
 * helper, no RP_EV_PROG_RUN). */
TU_LOOP(socket_filter_index, "select/index-prog", TU_EVERY_PROFILE)
{
	struct rp_policy pol = { .key_src = RP_KEY_CONST, .key_const = 2 };
	struct rp_delivery d;
	struct fx f;
	int pfd;

	fx_init(&f, _i, RP_SOCK_DGRAM, RP_AF_INET6, 4, true);
	pfd = load_prog(f.st, RP_PROG_SOCKET_FILTER, 0, -1, &pol);
	ck_assert_int_ge(pfd, 3);
	ck_assert_int_eq(rp_attach_ebpf(f.st, 0, f.fds[3], pfd), 0);
	d = fx_send(&f, 0);
	ck_assert_int_eq(d.how, RP_HOW_CBPF);
	ck_assert_uint_eq(d.sock, f.ids[2]);
	ck_assert_int_eq(d.prog_ret, -1);
	ck_assert_uint_eq(count_events(&f, RP_EV_PROG_RUN), 0);
	fx_done(&f);
}
END_TEST

/* ---------------------------------------------------------------------
 * select/prog (SK_REUSEPORT policies)
 */

enum pol_map {
	PM_ARRAY,		/* the fixture's sockarray */
	PM_NONE,		/* no map (always-drop programs) */
	PM_OUTER,		/* ARRAY_OF_MAPS, slot 0 = the sockarray */
	PM_OUTER_HASH,		/* HASH_OF_MAPS, key 7 = the sockarray */
	PM_OUTER_EMPTY,		/* ARRAY_OF_MAPS with slot 0 empty */
};

#define PAYLOAD_MAX	8

static const struct pol_case {
	const char	*rules;
	struct rp_policy pol;
	enum pol_map	map;
	uint8_t		payload[PAYLOAD_MAX];
	size_t		len;
	uint32_t	hash;		/* (hash * 4) >> 32 = 0 in every row */
	int		want;		/* member index, -1 = dropped */
} pol_cases[] = {
	{ "R-RUN-1 R-HLP-4", { .key_src = RP_KEY_CONST, .key_const = 2 },
	    PM_ARRAY, { 0 }, 0, 7, 2 },
	{ "R-RUN-1 R-HLP-4 R-CTX-1", { .key_src = RP_KEY_PAYLOAD, .off = 1,
	    .width = 1 }, PM_ARRAY, { 9, 3 }, 2, 7, 3 },
	{ "R-RUN-1 R-HLP-4 R-CTX-1", { .key_src = RP_KEY_PAYLOAD, .off = 0,
	    .width = 2, .big_endian = true }, PM_ARRAY, { 0, 1 }, 2, 7, 1 },
	{ "R-RUN-1 R-HLP-4 R-CTX-1", { .key_src = RP_KEY_PAYLOAD, .off = 0,
	    .width = 2 }, PM_ARRAY, { 2, 0 }, 2, 7, 2 },
	/* the same bytes little endian are key 256: -ENOENT, drop */
	{ "R-RUN-2 R-HLP-1 R-CTX-1", { .key_src = RP_KEY_PAYLOAD, .off = 0,
	    .width = 2 }, PM_ARRAY, { 0, 1 }, 2, 7, -1 },
	{ "R-RUN-1 R-HLP-4 R-CTX-1", { .key_src = RP_KEY_PAYLOAD, .off = 4,
	    .width = 4, .big_endian = true }, PM_ARRAY,
	    { 9, 9, 9, 9, 0, 0, 0, 3 }, 8, 7, 3 },
	{ "R-RUN-1 R-HLP-4 R-CTX-1", { .key_src = RP_KEY_PAYLOAD, .off = 0,
	    .width = 4 }, PM_ARRAY, { 1, 0, 0, 0 }, 4, 7, 1 },
	/* data_end - data == len: a byte past the end is not there */
	{ "R-RUN-2 R-CTX-1", { .key_src = RP_KEY_PAYLOAD, .off = 4,
	    .width = 1, .pass_on_error = true }, PM_ARRAY, { 1, 1, 1, 1 }, 4,
	    7, -1 },
	{ "R-RUN-1 R-HLP-4 R-CTX-1", { .key_src = RP_KEY_PAYLOAD, .off = 3,
	    .width = 1 }, PM_ARRAY, { 9, 9, 9, 2 }, 4, 7, 2 },
	{ "R-RUN-1 R-HLP-4 R-CTX-4", { .key_src = RP_KEY_HASH,
	    .hash_mod = 4 }, PM_ARRAY, { 0 }, 0, 0x10000001, 1 },
	{ "R-RUN-1 R-HLP-4 R-CTX-4", { .key_src = RP_KEY_HASH }, PM_ARRAY,
	    { 0 }, 0, 3, 3 },
	{ "R-RUN-1 R-PRG-3 R-MIM-5", { .key_src = RP_KEY_CONST,
	    .key_const = 1, .via_outer = true }, PM_OUTER, { 0 }, 0, 7, 1 },
	{ "R-RUN-1 R-PRG-3 R-MIM-5", { .key_src = RP_KEY_CONST,
	    .key_const = 3, .via_outer = true, .outer_key = 7 },
	    PM_OUTER_HASH, { 0 }, 0, 7, 3 },
	{ "R-RUN-2 R-MIM-5 R-SEL-7", { .key_src = RP_KEY_CONST,
	    .key_const = 1, .via_outer = true, .pass_on_error = true },
	    PM_OUTER_EMPTY, { 0 }, 0, 7, -1 },
	{ "R-RUN-2 R-SEL-7", { .always_drop = true }, PM_NONE, { 0 }, 0, 7,
	    -1 },
	{ "R-RUN-2 R-SEL-7", { .always_drop = true, .key_src = RP_KEY_CONST,
	    .key_const = 1 }, PM_ARRAY, { 0 }, 0, 7, -1 },
};

/* The outer map for PM_OUTER*: an ARRAY_OF_MAPS (or HASH_OF_MAPS) whose
 * template and (unless empty) slot are the fixture's sockarray. */
static int
outer_map(struct fx *f, uint32_t type, bool fill, uint32_t key)
{
	struct rp_map_attr a;
	int fd;

	rp_map_attr_init(&a, type, 4, 8);
	a.inner_map_fd = f->map;
	fd = rp_map_create(f->st, 0, &a);
	ck_assert_int_ge(fd, 3);
	if (fill)
		ck_assert_int_eq(rp_map_update(f->st, 0, fd, key,
		    (uint64_t)f->map, RP_BPF_ANY), 0);
	return fd;
}

/* Index: profile, TCP/UDP, row. */
TU_LOOP(prog_policy, "select/prog", 2 * TU_BY_PROFILE(pol_cases))
{
	int row = TU_CASE_OF(_i) / 2;
	const struct pol_case *c = &pol_cases[row];
	int type = TU_CASE_OF(_i) % 2 ? RP_SOCK_DGRAM : RP_SOCK_STREAM;
	int map_fd = -1;
	struct rp_delivery d;
	struct rp_event ev;
	struct fx f;

	fx_init(&f, TU_ROW_OF(_i), type, RP_AF_INET, 4, true);
	switch (c->map) {
	case PM_ARRAY:
		map_fd = f.map;
		break;
	case PM_NONE:
		break;
	case PM_OUTER:
	case PM_OUTER_EMPTY:
		map_fd = outer_map(&f, RP_MAP_ARRAY_OF_MAPS,
		    c->map == PM_OUTER, 0);
		break;
	case PM_OUTER_HASH:
		map_fd = outer_map(&f, RP_MAP_HASH_OF_MAPS, true, 7);
		break;
	}
	fx_attach(&f, 0, map_fd, &c->pol);
	d = fx_send_from(&f, 50000, c->hash, c->payload, c->len,
	    RP_CONN_ESTABLISHED);
	ev = last_event(&f, RP_EV_PROG_RUN);
	if (c->want < 0) {
		ck_assert_msg(d.outcome == RP_DROPPED, "%s row %d: outcome "
		    "%d socket %u, want a drop", c->rules, row, d.outcome,
		    d.sock);
		ck_assert_int_eq(d.prog_ret, RP_SK_DROP);
		ck_assert_uint_eq(ev.val, RP_SK_DROP);
		ck_assert_uint_eq(d.child, 0);
	} else {
		ck_assert_msg(d.outcome == RP_DELIVERED && d.sock ==
		    f.ids[c->want], "%s row %d: outcome %d socket %u, want "
		    "member %d (%u)", c->rules, row, d.outcome, d.sock,
		    c->want, f.ids[c->want]);
		ck_assert_int_eq(d.how, RP_HOW_PROG);
		ck_assert_int_eq(d.prog_ret, RP_SK_PASS);
		ck_assert_int_eq(d.helper_err, 0);
		ck_assert_uint_eq(ev.val, RP_SK_PASS);
		ck_assert_uint_eq(ev.sock2, f.ids[c->want]);
	}
	/* R-CTX-5: the ctx socket is a member of the receiving group */
	ck_assert_uint_eq(ev.group, fx_group(&f));
	ck_assert_uint_eq(group_of_id(f.st, ev.sock), fx_group(&f));
	fx_done(&f);
}
END_TEST

/* R-RUN-1 R-HLP-1: each run starts with no selection: after a run
 * that selected member 2, a run whose helper call fails (pass on error)
 * falls back to the hash, not to member 2. */
TU_LOOP(run_starts_unselected, "select/prog", TU_EVERY_PROFILE)
{
	struct rp_policy pol = { .key_src = RP_KEY_PAYLOAD, .off = 0,
	    .width = 1, .pass_on_error = true };
	static const uint8_t two[1] = { 2 }, six[1] = { 6 };
	struct rp_delivery d;
	struct fx f;

	fx_init(&f, _i, RP_SOCK_DGRAM, RP_AF_INET, 4, true);
	fx_attach(&f, 0, f.map, &pol);
	d = fx_send_from(&f, 50000, 0, two, 1, RP_CONN_ESTABLISHED);
	ck_assert_uint_eq(d.sock, f.ids[2]);
	ck_assert_int_eq(d.how, RP_HOW_PROG);
	d = fx_send_from(&f, 50000, 0, six, 1, RP_CONN_ESTABLISHED);
	ck_assert_int_eq(d.helper_err, -ENOENT);
	ck_assert_int_eq(d.prog_ret, RP_SK_PASS);
	ck_assert_int_eq(d.how, RP_HOW_HASH);
	ck_assert_uint_eq(d.sock, f.ids[0]);
	fx_done(&f);
}
END_TEST

/* R-SEL-7 R-RUN-2: a dropping program refuses a TCP connect()
 * (-ECONNREFUSED, no child queued) and discards a UDP datagram. */
TU_LOOP(drop_refuses, "select/prog", TU_EVERY_PROFILE)
{
	struct rp_policy pol = { .always_drop = true };
	struct rp_sockaddr sa = tu_addr(RP_AF_INET, 1, PORT);
	struct rp_sock_info in;
	struct fx f, u;
	int c;

	fx_init(&f, _i, RP_SOCK_STREAM, RP_AF_INET, 2, false);
	fx_attach(&f, 0, -1, &pol);
	c = rp_socket(f.st, 0, RP_AF_INET, RP_SOCK_STREAM, 0);
	ck_assert_int_eq(rp_connect(f.st, 0, c, &sa), -ECONNREFUSED);
	for (int i = 0; i < 2; i++) {
		ck_assert_int_eq(rp_sock_info(f.st, f.ids[i], &in), 0);
		ck_assert_uint_eq(in.accept_queue, 0);
	}
	fx_done(&f);
	fx_init(&u, _i, RP_SOCK_DGRAM, RP_AF_INET, 2, false);
	fx_attach(&u, 0, -1, &pol);
	ck_assert_int_eq(fx_send(&u, 0).outcome, RP_DROPPED);
	fx_done(&u);
}
END_TEST

/* ---------------------------------------------------------------------
 * select/helper: bpf_sk_select_reuseport() errors
 */

enum hlp_setup {
	HLP_EMPTY,		/* key 5: empty slot */
	HLP_RANGE,		/* key 8 of 8 */
	HLP_CLOSED,		/* the occupant closed (slot emptied) */
	HLP_NO_GROUP,		/* white-box: occupant without a group */
	HLP_ID0,		/* receiving group never in an array */
	HLP_PROTO,		/* a UDP occupant */
	HLP_FAMILY,		/* an IPv6 TCP occupant */
	HLP_PROTO_FAMILY,	/* an IPv6 UDP occupant */
	HLP_GROUP,		/* another port */
	HLP_NETNS,		/* the same port in another netns */
	HLP_SELF,		/* the ctx socket itself */
	HLP_SOCKMAP_NOGROUP,	/* 6.18: a sockmap socket without a group */
	HLP_SOCKMAP_MEMBER,	/* 6.18: a sockmap member of the group */
	HLP_SOCKHASH_MISSING,	/* 6.18: key absent from a sockhash */
};

static const struct hlp_case {
	const char	*rules;
	enum hlp_setup	setup;
	int		want;		/* 0: loads, succeeds */
	/* on the rows where switch sw holds: want_sw */
	bool		(*sw)(const struct rp_profile *);
	int		want_sw;
} hlp_cases[] = {
	{ "R-HLP-1", HLP_EMPTY, -ENOENT, NULL, 0 },
	{ "R-HLP-1", HLP_RANGE, -ENOENT, NULL, 0 },
	{ "R-HLP-1 R-DET-4", HLP_CLOSED, -ENOENT, NULL, 0 },
	{ "R-HLP-2a", HLP_NO_GROUP, -ENOENT, NULL, 0 },
	{ "R-HLP-3a R-HLP-3d", HLP_ID0, -ENOENT, id0_badfd, -EBADFD },
	{ "R-HLP-3b", HLP_PROTO, -EPROTOTYPE, NULL, 0 },
	{ "R-HLP-3c", HLP_FAMILY, -EAFNOSUPPORT, NULL, 0 },
	{ "R-HLP-3b R-HLP-3c", HLP_PROTO_FAMILY, -EPROTOTYPE, NULL, 0 },
	{ "R-HLP-3d", HLP_GROUP, -EBADFD, NULL, 0 },
	{ "R-HLP-3d R-NS-3", HLP_NETNS, -EBADFD, NULL, 0 },
	{ "R-HLP-4", HLP_SELF, 0, NULL, 0 },
	{ "R-HLP-2b R-PRG-2", HLP_SOCKMAP_NOGROUP, -EINVAL, NULL, 0 },
	{ "R-HLP-4 R-PRG-2", HLP_SOCKMAP_MEMBER, 0, NULL, 0 },
	{ "R-HLP-1 R-PRG-2", HLP_SOCKHASH_MISSING, -ENOENT, NULL, 0 },
};

/* A sockmap (or sockhash) holding fd at key 0; returns its fd. */
static int
sockmap_with(struct fx *f, uint32_t type, int fd)
{
	struct rp_map_attr a;
	int m;

	rp_map_attr_init(&a, type, 8, 4);
	m = rp_map_create(f->st, 0, &a);
	ck_assert_int_ge(m, 3);
	if (fd >= 0)
		ck_assert_int_eq(rp_map_update(f->st, 0, m, 0, (uint64_t)fd,
		    RP_BPF_ANY), 0);
	return m;
}

/*
 * The receiving group is [a0 a1] (TCP, 127.0.0.1:PORT) with a0 in slot 1
 * (so that it has an id in 4.19, except for HLP_ID0); the program selects
 * key 0 (5, 8 for the range cases), where the setup puts the socket under
 * test.  Index: profile, pass_on_error, row.  Drop on error: RP_DROPPED;
 * pass on error: the hash fallback (member 0 for hash 0).
 */
TU_LOOP(helper_errors, "select/helper", 2 * TU_BY_PROFILE(hlp_cases))
{
	int row = TU_CASE_OF(_i) / 2, prof = TU_ROW_OF(_i);
	bool pass = TU_CASE_OF(_i) % 2;
	const struct hlp_case *c = &hlp_cases[row];
	struct rp_policy pol = { .key_src = RP_KEY_CONST, .key_const = 0,
	    .pass_on_error = pass };
	int want = WANT_OF(c, tu_prof(prof)), map_fd, other = -1;
	struct rp_sock *victim = NULL;
	struct rp_group *saved = NULL;
	struct rp_delivery d;
	struct rp_event ev;
	struct fx f;

	/* without switch sockmap_select not selectable (R-PRG-2 test) */
	TU_UNLESS(tu_prof(prof)->sockmap_select ||
	    c->setup < HLP_SOCKMAP_NOGROUP);
	fx_init(&f, prof, RP_SOCK_STREAM, RP_AF_INET, 2, false);
	map_fd = f.map;
	if (c->setup != HLP_ID0)
		ck_assert_int_eq(rp_map_update(f.st, 0, f.map, 1,
		    (uint64_t)f.fds[0], RP_BPF_ANY), 0);
	switch (c->setup) {
	case HLP_EMPTY:
		pol.key_const = 5;
		break;
	case HLP_RANGE:
		pol.key_const = 8;
		break;
	case HLP_SELF:
		pol.key_const = 1;
		break;
	case HLP_CLOSED:
		other = new_member(f.st, 0, RP_AF_INET, RP_SOCK_STREAM, PORT);
		break;
	case HLP_NO_GROUP:
	case HLP_ID0:
	case HLP_GROUP:
		other = new_member(f.st, 0, RP_AF_INET, RP_SOCK_STREAM,
		    PORT + 1);
		break;
	case HLP_PROTO:
		other = new_member(f.st, 0, RP_AF_INET, RP_SOCK_DGRAM, PORT);
		break;
	case HLP_FAMILY:
		other = new_member(f.st, 0, RP_AF_INET6, RP_SOCK_STREAM, PORT);
		break;
	case HLP_PROTO_FAMILY:
		other = new_member(f.st, 0, RP_AF_INET6, RP_SOCK_DGRAM, PORT);
		break;
	case HLP_NETNS: {
		int ns = rp_netns_new(f.st);
		int q = rp_proc_new(f.st, (unsigned)ns, 0, RP_CAP_ALL);
		int qfd = new_member(f.st, (unsigned)q, RP_AF_INET,
		    RP_SOCK_STREAM, PORT);

		other = rp_fd_pass(f.st, (unsigned)q, qfd, 0);
		break;
	}
	case HLP_SOCKMAP_NOGROUP: {
		struct rp_sockaddr sa = tu_addr(RP_AF_INET, 1, PORT + 2);

		other = rp_socket(f.st, 0, RP_AF_INET, RP_SOCK_DGRAM, 0);
		ck_assert_int_eq(rp_bind(f.st, 0, other, &sa), 0);
		map_fd = sockmap_with(&f, RP_MAP_SOCKMAP, other);
		other = -1;
		break;
	}
	case HLP_SOCKMAP_MEMBER:
		map_fd = sockmap_with(&f, RP_MAP_SOCKMAP, f.fds[1]);
		break;
	case HLP_SOCKHASH_MISSING:
		map_fd = sockmap_with(&f, RP_MAP_SOCKHASH, -1);
		break;
	}
	if (other >= 0)
		ck_assert_int_eq(rp_map_update(f.st, 0, f.map, 0,
		    (uint64_t)other, RP_BPF_ANY), 0);
	if (c->setup == HLP_CLOSED) {
		ck_assert_int_eq(rp_close(f.st, 0, other), 0);
		ck_assert_uint_eq(rp_map_slot(f.st, rp_fd_map(f.st, 0, f.map),
		    0), 0);
	}
	if (c->setup == HLP_NO_GROUP) {
		victim = f.st->socks->pdata[rp_fd_sock(f.st, 0, other)];
		saved = victim->reuse;
		victim->reuse = NULL;
	}
	fx_attach(&f, 0, map_fd, &pol);
	d = fx_send(&f, 0);
	if (victim != NULL)
		victim->reuse = saved;
	ev = last_event(&f, RP_EV_PROG_RUN);
	ck_assert_msg(d.helper_err == want && ev.err == want, "%s row %d "
	    "(%s): helper %d, want %d", c->rules, row, tu_prof(prof)->name,
	    d.helper_err, want);
	if (want == 0) {
		ck_assert_int_eq(d.outcome, RP_DELIVERED);
		ck_assert_int_eq(d.how, RP_HOW_PROG);
		ck_assert_uint_eq(d.sock, c->setup == HLP_SELF ? f.ids[0] :
		    f.ids[1]);
	} else if (pass) {
		/* R-RUN-1: SK_PASS without a selection: hash, member 0 */
		ck_assert_int_eq(d.outcome, RP_DELIVERED);
		ck_assert_int_eq(d.prog_ret, RP_SK_PASS);
		ck_assert_int_eq(d.how, RP_HOW_HASH);
		ck_assert_uint_eq(d.sock, rp_group_sock_at(f.st, fx_group(&f),
		    0));
	} else {
		/* R-RUN-2 R-SEL-7 */
		ck_assert_int_eq(d.outcome, RP_DROPPED);
		ck_assert_int_eq(d.prog_ret, RP_SK_DROP);
	}
	fx_done(&f);
}
END_TEST

/* ---------------------------------------------------------------------
 * select/load: capabilities, expected_attach_type, verifier
 */

static const struct cap_case {
	const char	*rules;
	uint64_t	caps;
	long		unpriv;		/* kernel.unprivileged_bpf_disabled, -1 = default */
	uint32_t	eat;
	int		want;		/* 0: loads, succeeds */
	/* on the rows where switch sw holds: want_sw */
	bool		(*sw)(const struct rp_profile *);
	int		want_sw;
} cap_cases[] = {
	{ "R-PRG-4", 0, -1, 0, -EPERM, NULL, 0 },
	{ "R-PRG-4", RP_CAP_NET_ADMIN, -1, 0, -EPERM, NULL, 0 },
	{ "R-PRG-4", RP_CAP_BPF, -1, 0, -EPERM, prog_cap_bpf, 0 },
	{ "R-PRG-4", RP_CAP_SYS_ADMIN, -1, 0, 0, NULL, 0 },
	{ "R-PRG-4", RP_CAP_BPF | RP_CAP_NET_ADMIN, 0, 0,
	    -EPERM, prog_cap_bpf, 0 },
	{ "R-PRG-4", RP_CAP_SYS_ADMIN, 1, 0, 0, NULL, 0 },
	{ "R-PRG-4", RP_CAP_BPF, 1, 0, -EPERM, prog_cap_bpf, 0 },
	/* R-PRG-4 comes before R-PRG-5.  MODEL BUG (6.18): prog.c checks
	 * expected_attach_type first and returns -EINVAL */
	{ "R-PRG-4 R-PRG-5", 0, -1, 77, -EPERM, NULL, 0 },
	{ "R-PRG-5", RP_CAP_ALL, -1, RP_ATTACH_SK_REUSEPORT_SELECT, 0, NULL, 0 },
	{ "R-PRG-5", RP_CAP_ALL, -1,
	    RP_ATTACH_SK_REUSEPORT_SELECT_OR_MIGRATE,
	    0, NULL, 0 },
	{ "R-PRG-5", RP_CAP_ALL, -1, 38, 0, expected_attach, -EINVAL },
	{ "R-PRG-5", RP_CAP_ALL, -1, 41, 0, expected_attach, -EINVAL },
	{ "R-PRG-5", RP_CAP_ALL, -1, 1000, 0, expected_attach, -EINVAL },
};

TU_LOOP(load_caps, "select/load", TU_BY_PROFILE(cap_cases))
{
	const struct cap_case *c = &cap_cases[TU_CASE_OF(_i)];
	const struct rp_profile *prof = tu_prof(TU_ROW_OF(_i));
	struct rp_state *st = tu_state_of(prof);
	int p = rp_proc_new(st, 0, 1000, c->caps);
	struct rp_prog_attr pa = { .prog_type = RP_PROG_SK_REUSEPORT,
	    .expected_attach_type = c->eat, .map_fd = -1,
	    .policy = { .always_drop = true } };
	int want = WANT_OF(c, prof), ret;

	if (c->unpriv >= 0)
		ck_assert_int_eq(rp_sysctl_set(st, 0,
		    "kernel.unprivileged_bpf_disabled", c->unpriv), 0);
	ret = rp_prog_load(st, (unsigned)p, &pa);
	if (want == 0)
		ck_assert_msg(ret >= 3, "%s row %d: load = %d, want an fd",
		    c->rules, TU_CASE_OF(_i), ret);
	else
		ck_assert_msg(ret == want, "%s row %d: load = %d, want %d",
		    c->rules, TU_CASE_OF(_i), ret, want);
	tu_state_done(st);
}
END_TEST

/* R-PRG-5 R-MIG-6: 6.18 rewrites expected_attach_type 0 to SELECT, which
 * does not enable migration; 4.19 ignores the type entirely, so even
 * SELECT_OR_MIGRATE does not (R-MIG-8: the child is dropped). */
TU_LOOP(load_eat_effect, "select/load", TU_EVERY_PROFILE)
{
	/* 4.19 has no migrating_sk to read: a plain SK_PASS program */
	struct rp_policy pol = { .migrate_only = tu_prof(_i)->expected_attach,
	    .always_pass = !tu_prof(_i)->expected_attach };
	uint32_t eat = tu_prof(_i)->expected_attach ? 0 :
	    RP_ATTACH_SK_REUSEPORT_SELECT_OR_MIGRATE;
	struct rp_sock_info in;
	struct rp_delivery d;
	struct fx f;

	fx_init(&f, _i, RP_SOCK_STREAM, RP_AF_INET, 2, false);
	fx_attach(&f, eat, -1, &pol);
	d = fx_send(&f, 0);
	ck_assert_uint_eq(d.sock, f.ids[0]);
	ck_assert_int_eq(rp_shutdown(f.st, 0, f.fds[0], RP_SHUT_RDWR), 0);
	ck_assert_int_eq(rp_sock_info(f.st, f.ids[0], &in), 0);
	ck_assert_uint_eq(in.group, 0);
	ck_assert_int_eq(rp_sock_info(f.st, d.child, &in), -ENOENT);
	ck_assert_uint_eq(last_event(&f, RP_EV_MIGRATE).sock2, 0);
	fx_done(&f);
}
END_TEST

enum ver_setup {
	VER_ARRAY,		/* the sockarray */
	VER_ARRAY_BAD_HELPER,	/* bpf_map_lookup_elem on it */
	VER_SOCKMAP,
	VER_SOCKHASH,
	VER_SOCKMAP_BAD_HELPER,	/* map lookup on a sockmap: fine in 6.18 */
	VER_OUTER_DIRECT,	/* an outer map passed to the helper */
	VER_OUTER,		/* through an ARRAY_OF_MAPS of sockarrays */
	VER_OUTER_HASH,		/* through a HASH_OF_MAPS */
	VER_OUTER_NOT_OUTER,	/* via_outer on a sockarray */
	VER_OUTER_SOCKMAP,	/* through an outer map of sockmaps */
	VER_NO_MAP,		/* a selecting program without a map */
	VER_NO_MAP_DROP,	/* an always-drop program needs none */
	VER_FILTER_MAP,		/* a SOCKET_FILTER selecting from the array */
	VER_FILTER,		/* a SOCKET_FILTER index program */
};

static const struct ver_case {
	const char	*rules;
	enum ver_setup	setup;
	int		want;		/* 0: loads, succeeds */
	/* on the rows where switch sw holds: want_sw */
	bool		(*sw)(const struct rp_profile *);
	int		want_sw;
} ver_cases[] = {
	{ "R-PRG-2", VER_ARRAY, 0, NULL, 0 },
	{ "R-PRG-1", VER_ARRAY_BAD_HELPER, -EINVAL, NULL, 0 },
	{ "R-PRG-2", VER_SOCKMAP, -EINVAL, sockmap_select, 0 },
	{ "R-PRG-2", VER_SOCKHASH, -EINVAL, sockmap_select, 0 },
	/* live 6.18: "Unreleased reference" for a sockmap lookup too */
	{ "R-PRG-1 R-PRG-7", VER_SOCKMAP_BAD_HELPER, -EINVAL, NULL, 0 },
	{ "R-PRG-2", VER_OUTER_DIRECT, -EINVAL, NULL, 0 },
	{ "R-PRG-3 R-PRG-7", VER_OUTER, 0, NULL, 0 },
	{ "R-PRG-3", VER_OUTER_HASH, 0, NULL, 0 },
	{ "R-PRG-3", VER_OUTER_NOT_OUTER, -EINVAL, NULL, 0 },
	{ "R-PRG-3 R-PRG-2", VER_OUTER_SOCKMAP, -EINVAL, sockmap_select, 0 },
	/* live 6.18: a helper call without a map is -EACCES */
	{ "R-PRG-2", VER_NO_MAP, -EACCES, NULL, 0 },
	{ "R-RUN-2", VER_NO_MAP_DROP, 0, NULL, 0 },
	{ "R-PRG-6", VER_FILTER_MAP, -EINVAL, NULL, 0 },
	{ "R-PRG-6 R-SEL-3", VER_FILTER, 0, NULL, 0 },
};

TU_LOOP(load_verifier, "select/load", TU_BY_PROFILE(ver_cases))
{
	const struct ver_case *c = &ver_cases[TU_CASE_OF(_i)];
	const struct rp_profile *prof = tu_prof(TU_ROW_OF(_i));
	struct rp_state *st = tu_state_of(prof);
	struct rp_policy pol = { .key_src = RP_KEY_CONST };
	int want = WANT_OF(c, prof), map_fd = -1, ret;
	int arr = tu_sockarray(st, 0, 8, 4);
	struct rp_map_attr a;

	switch (c->setup) {
	case VER_ARRAY:
		map_fd = arr;
		break;
	case VER_ARRAY_BAD_HELPER:
		map_fd = arr;
		pol.bad_helper = true;
		break;
	case VER_SOCKMAP_BAD_HELPER:
		pol.bad_helper = true;
		/* FALLTHROUGH */
	case VER_SOCKMAP:
	case VER_SOCKHASH:
		rp_map_attr_init(&a, c->setup == VER_SOCKHASH ?
		    RP_MAP_SOCKHASH : RP_MAP_SOCKMAP, 8, 4);
		map_fd = rp_map_create(st, 0, &a);
		ck_assert_int_ge(map_fd, 3);
		break;
	case VER_OUTER_DIRECT:
	case VER_OUTER:
	case VER_OUTER_HASH:
		map_fd = tu_map(st, 0, c->setup == VER_OUTER_HASH ?
		    RP_MAP_HASH_OF_MAPS : RP_MAP_ARRAY_OF_MAPS, 4, 2, 0, arr);
		pol.via_outer = c->setup != VER_OUTER_DIRECT;
		break;
	case VER_OUTER_NOT_OUTER:
		map_fd = arr;
		pol.via_outer = true;
		break;
	case VER_OUTER_SOCKMAP:
		map_fd = tu_map(st, 0, RP_MAP_ARRAY_OF_MAPS, 4, 2, 0,
		    tu_map(st, 0, RP_MAP_SOCKMAP, 8, 4, 0, -1));
		pol.via_outer = true;
		break;
	case VER_NO_MAP:
		break;
	case VER_NO_MAP_DROP:
		pol.always_drop = true;
		break;
	case VER_FILTER_MAP:
		map_fd = arr;
		break;
	case VER_FILTER:
		break;
	}
	ret = load_prog(st, c->setup >= VER_FILTER_MAP ?
	    RP_PROG_SOCKET_FILTER : RP_PROG_SK_REUSEPORT, 0, map_fd, &pol);
	if (want == 0)
		ck_assert_msg(ret >= 3, "%s row %d: load = %d, want an fd",
		    c->rules, TU_CASE_OF(_i), ret);
	else
		ck_assert_msg(ret == want, "%s row %d: load = %d, want %d",
		    c->rules, TU_CASE_OF(_i), ret, want);
	tu_state_done(st);
}
END_TEST

/*
 * R-CTX-5 R-PRG-7: 4.19's context has no sk and no migrating_sk, and 4.19
 * offers no bpf_get_socket_cookie to SK_REUSEPORT programs.  A migrate
 * program (migrating_sk NULL -> pass; key = table[cookie(ctx->sk)]) reads
 * both fields and calls the helper, so it fails to load in 4.19: -EACCES
 * for the context read (R-CTX-5) or -EINVAL for the helper (R-PRG-7),
 * whichever the verifier meets first.  A program that only tests
 * migrating_sk fails with -EACCES.  6.18 loads both.
 *
 * MODEL BUG: prog.c loads both in 4.19 (no profile check on RP_KEY_MIGRATE
 * or migrate_only).
 */
TU_LOOP(load_ctx_fields, "select/load", TU_EVERY_PROFILE)
{
	struct rp_state *st = tu_state_row(_i);
	int arr = tu_sockarray(st, 0, 8, 4);
	struct rp_policy mig = { .key_src = RP_KEY_MIGRATE,
	    .migrate_only = true };
	struct rp_policy only = { .migrate_only = true };
	int r1 = load_prog(st, RP_PROG_SK_REUSEPORT,
	    RP_ATTACH_SK_REUSEPORT_SELECT_OR_MIGRATE, arr, &mig);
	int r2 = load_prog(st, RP_PROG_SK_REUSEPORT,
	    RP_ATTACH_SK_REUSEPORT_SELECT_OR_MIGRATE, -1, &only);

	if (tu_prof(_i)->expected_attach) {
		ck_assert_int_ge(r1, 3);
		ck_assert_int_ge(r2, 3);
	} else {
		ck_assert_msg(r1 == -EACCES || r1 == -EINVAL, "4.19 migrate "
		    "program (ctx->sk, bpf_get_socket_cookie) loads: %d", r1);
		ck_assert_msg(r2 == -EACCES, "4.19 program reading "
		    "ctx->migrating_sk loads: %d", r2);
	}
	tu_state_done(st);
}
END_TEST

/* ---------------------------------------------------------------------
 * select/ctx
 */

/* R-CTX-2 R-CTX-3 R-CTX-4 R-CTX-5: what the program is run with, as far
 * as the model shows it: the ctx socket (RP_EV_PROG_RUN .sock) is a member
 * of the receiving group with the packet's family (eth_protocol) and
 * protocol (ip_protocol); the hash is the packet's (hash key, hash_mod 0);
 * for ordinary packets migrating_sk is NULL (a migrate-only program
 * passes without selecting).  bind_inany and the numeric eth_protocol are
 * not exposed by the model.  Index: profile, TCP/UDP, IPv4/IPv6. */
TU_LOOP(ctx_values, "select/ctx", 4 * TU_EVERY_PROFILE)
{
	int type = TU_CASE_OF(_i) % 2 ? RP_SOCK_DGRAM : RP_SOCK_STREAM;
	int family = TU_CASE_OF(_i) / 2 ? RP_AF_INET6 : RP_AF_INET;
	struct rp_policy pol = { .key_src = RP_KEY_HASH };
	struct rp_sock_info in;
	struct rp_delivery d;
	struct rp_event ev;
	struct fx f;
	int pfd;

	fx_init(&f, TU_ROW_OF(_i), type, family, 4, true);
	pfd = fx_attach(&f, 0, f.map, &pol);
	for (uint32_t h = 0; h < 4; h++) {
		d = fx_send(&f, h);
		ev = last_event(&f, RP_EV_PROG_RUN);
		ck_assert_uint_eq(d.sock, f.ids[h]);
		ck_assert_uint_eq(d.hash, h);
		ck_assert_int_eq(rp_sock_info(f.st, ev.sock, &in), 0);
		ck_assert_uint_eq(in.group, fx_group(&f));
		ck_assert_int_eq(in.family, family);
		ck_assert_int_eq(in.protocol, type == RP_SOCK_STREAM ?
		    RP_IPPROTO_TCP : RP_IPPROTO_UDP);
	}
	ck_assert_int_eq(rp_close(f.st, 0, pfd), 0);
	if (tu_prof(f.prof)->expected_attach) {
		struct rp_policy only = { .migrate_only = true };

		fx_attach(&f, RP_ATTACH_SK_REUSEPORT_SELECT_OR_MIGRATE, -1,
		    &only);
		d = fx_send(&f, 0xc0000000);
		ck_assert_int_eq(d.prog_ret, RP_SK_PASS);
		ck_assert_int_eq(d.how, RP_HOW_HASH);
		ck_assert_uint_eq(d.sock, f.ids[3]);
		ck_assert_uint_eq(last_event(&f, RP_EV_PROG_RUN).sock2, 0);
	}
	fx_done(&f);
}
END_TEST

/* R-CTX-3 R-GRP-1: bind_inany of a run is the receiving group's bit: the
 * group RP_EV_PROG_RUN names is a wildcard group (1) or a loopback group
 * (0).  (The model keeps the bit in the group; the ctx field is not
 * materialised, so this pins its source.) */
TU_LOOP(ctx_bind_inany, "select/ctx", TU_EVERY_PROFILE)
{
	struct rp_policy pol = { .key_src = RP_KEY_CONST, .key_const = 0,
	    .pass_on_error = true };
	struct rp_cbpf none = { .k = 99 };
	struct rp_group_info gi;
	struct fx f;
	int w, pfd;

	fx_init(&f, _i, RP_SOCK_DGRAM, RP_AF_INET, 1, true);
	pfd = fx_attach(&f, 0, f.map, &pol);
	fx_send(&f, 0);
	ck_assert_int_eq(rp_group_info(f.st, last_event(&f,
	    RP_EV_PROG_RUN).group, &gi), 0);
	ck_assert(!gi.bind_inany);
	/* the loopback group leaves; a wildcard group takes the port */
	ck_assert_int_eq(rp_attach_cbpf(f.st, 0, f.fds[0], &none), 0);
	ck_assert_int_eq(rp_close(f.st, 0, f.fds[0]), 0);
	w = rp_socket(f.st, 0, RP_AF_INET, RP_SOCK_DGRAM, 0);
	ck_assert_int_eq(rp_setsockopt_int(f.st, 0, w, RP_SO_REUSEPORT, 1), 0);
	{
		struct rp_sockaddr wa = tu_addr(RP_AF_INET, 0, PORT);

		ck_assert_int_eq(rp_bind(f.st, 0, w, &wa), 0);
	}
	ck_assert_int_eq(rp_attach_ebpf(f.st, 0, w, pfd), 0);
	g_array_set_size(f.evs, 0);
	fx_send(&f, 0);
	ck_assert_int_eq(rp_group_info(f.st, last_event(&f,
	    RP_EV_PROG_RUN).group, &gi), 0);
	ck_assert(gi.bind_inany);
	fx_done(&f);
}
END_TEST

/* ---------------------------------------------------------------------
 * select/migrate (6.18; 4.19 drops)
 */

/* Queue a child (or request) of kind conn on member idx of a fresh 3-
 * member fixture, using a hash that selects idx among 3; returns its id. */
static unsigned
child_on(struct fx *f, uint32_t hash, enum rp_conn_kind conn, uint16_t sport)
{
	struct rp_delivery d = fx_send_from(f, sport, hash, NULL, 0, conn);

	ck_assert_int_eq(d.outcome, RP_DELIVERED);
	ck_assert_uint_ne(d.child, 0);
	return d.child;
}

/* The ids accept() returns on fd, until -EAGAIN; returns the count. */
static unsigned
accept_all(struct fx *f, int fd, unsigned *ids, unsigned max)
{
	unsigned n = 0;
	int c;

	while ((c = rp_accept(f->st, 0, fd)) >= 0) {
		struct rp_sock_info in;

		ck_assert_uint_lt(n, max);
		ids[n++] = rp_fd_sock(f->st, 0, c);
		ck_assert_int_eq(rp_sock_info(f->st, ids[n - 1], &in), 0);
		ck_assert_int_eq(in.state, RP_TCP_ESTABLISHED);
		ck_assert_uint_eq(in.parent, 0);
	}
	ck_assert_int_eq(c, -EAGAIN);
	return n;
}

/*
 * R-MIG-3 R-MIG-6 R-MIG-7 R-DET-6 R-CTX-4: tcp_migrate_req 1, group
 * [x a y]; two ESTABLISHED children of a with hashes 0x60000000 and
 * 0xa0000000 (both index 1 of 3).  shutdown(a): a goes to the closed
 * section, the group is [x y], and each child moves by its own hash:
 * 0x60000000 -> index 0 (x), 0xa0000000 -> index 1 (y).
 */
TU_LOOP(migrate_sysctl_hash, "select/migrate", TU_EVERY_PROFILE)
{
	TU_UNLESS(tu_prof(_i)->migration);
	struct fx f;
	unsigned c1, c2, got[4];
	struct rp_sock_info in;

	fx_init(&f, _i, RP_SOCK_STREAM, RP_AF_INET, 3, true);
	ck_assert_int_eq(rp_sysctl_set(f.st, 0, "net.ipv4.tcp_migrate_req", 1),
	    0);
	c1 = child_on(&f, 0x60000000, RP_CONN_ESTABLISHED, 50001);
	c2 = child_on(&f, 0xa0000000, RP_CONN_FASTOPEN, 50002);
	ck_assert_int_eq(rp_sock_info(f.st, f.ids[1], &in), 0);
	ck_assert_uint_eq(in.accept_queue, 2);
	ck_assert_int_eq(rp_shutdown(f.st, 0, f.fds[1], RP_SHUT_RDWR), 0);
	ck_assert_int_eq(rp_sock_info(f.st, f.ids[1], &in), 0);
	ck_assert(in.group_closed);
	ck_assert_uint_eq(in.accept_queue, 0);
	ck_assert_uint_eq(rp_map_slot(f.st, rp_fd_map(f.st, 0, f.map), 1), 0);
	ck_assert_uint_eq(count_events(&f, RP_EV_MIGRATE), 2);
	ck_assert_uint_eq(accept_all(&f, f.fds[0], got, 4), 1);
	ck_assert_uint_eq(got[0], c1);
	ck_assert_uint_eq(accept_all(&f, f.fds[2], got, 4), 1);
	ck_assert_uint_eq(got[0], c2);
	fx_done(&f);
}
END_TEST

/*
 * R-MIG-4 R-MIG-6 R-MIG-7 R-CTX-5 R-DET-6: a SELECT_OR_MIGRATE program
 * (the selftest's: migrating_sk NULL -> pass; key = table[cookie of
 * ctx->sk]) with table[cookie(a)] = 2: shutdown(a) migrates its
 * ESTABLISHED and fastopen children to slot 2 (y); the program ran with
 * ctx->sk = a.  Without the sysctl.
 */
TU_LOOP(migrate_prog, "select/migrate", TU_EVERY_PROFILE)
{
	TU_UNLESS(tu_prof(_i)->migration);
	struct rp_policy pol = { .key_src = RP_KEY_MIGRATE,
	    .migrate_only = true, .pass_on_error = true };
	unsigned got[4];
	uint64_t cookie;
	struct rp_event ev;
	struct fx f;
	int pfd;

	fx_init(&f, _i, RP_SOCK_STREAM, RP_AF_INET, 3, true);
	pfd = fx_attach(&f, RP_ATTACH_SK_REUSEPORT_SELECT_OR_MIGRATE, f.map,
	    &pol);
	ck_assert_int_eq(rp_getsockopt_cookie(f.st, 0, f.fds[0], &cookie), 0);
	ck_assert_int_eq(rp_prog_migrate_set(f.st, 0, pfd, cookie, 2), 0);
	/* ordinary packets: migrating_sk NULL, hash */
	child_on(&f, 0x10000000, RP_CONN_ESTABLISHED, 50001);
	child_on(&f, 0x20000000, RP_CONN_FASTOPEN, 50002);
	ev = last_event(&f, RP_EV_PROG_RUN);
	ck_assert_uint_eq(ev.val, RP_SK_PASS);
	ck_assert_uint_eq(ev.sock2, 0);
	g_array_set_size(f.evs, 0);
	ck_assert_int_eq(rp_shutdown(f.st, 0, f.fds[0], RP_SHUT_RDWR), 0);
	ck_assert_uint_eq(count_events(&f, RP_EV_PROG_RUN), 2);
	ev = last_event(&f, RP_EV_PROG_RUN);
	ck_assert_uint_eq(ev.sock, f.ids[0]);
	ck_assert_uint_eq(ev.sock2, f.ids[2]);
	ck_assert_int_eq(ev.err, 0);
	ck_assert_uint_eq(accept_all(&f, f.fds[2], got, 4), 2);
	ck_assert_uint_eq(accept_all(&f, f.fds[1], got, 4), 0);
	fx_done(&f);
}
END_TEST

/* R-MIG-4 R-HLP-1: the migrate key names an empty slot: the helper fails,
 * the program passes without a selection, and the child migrates by hash
 * among the listening members (the selftest's step 6). */
TU_LOOP(migrate_prog_empty_slot, "select/migrate", TU_EVERY_PROFILE)
{
	TU_UNLESS(tu_prof(_i)->migration);
	struct rp_policy pol = { .key_src = RP_KEY_MIGRATE,
	    .migrate_only = true, .pass_on_error = true };
	unsigned got[4], c;
	uint64_t cookie;
	struct fx f;
	int pfd;

	fx_init(&f, _i, RP_SOCK_STREAM, RP_AF_INET, 3, true);
	pfd = fx_attach(&f, RP_ATTACH_SK_REUSEPORT_SELECT_OR_MIGRATE, f.map,
	    &pol);
	ck_assert_int_eq(rp_getsockopt_cookie(f.st, 0, f.fds[0], &cookie), 0);
	ck_assert_int_eq(rp_prog_migrate_set(f.st, 0, pfd, cookie, 6), 0);
	c = child_on(&f, 0x10000000, RP_CONN_ESTABLISHED, 50001);
	ck_assert_int_eq(rp_shutdown(f.st, 0, f.fds[0], RP_SHUT_RDWR), 0);
	ck_assert_int_eq(last_event(&f, RP_EV_PROG_RUN).err, -ENOENT);
	/* group [y x]: hash 0x10000000 of 2 -> index 0 = y */
	ck_assert_uint_eq(accept_all(&f, f.fds[2], got, 4), 1);
	ck_assert_uint_eq(got[0], c);
	fx_done(&f);
}
END_TEST

/*
 * R-MIG-1 R-MIG-2 R-MIG-4 R-MIG-8: migration fails, and the child is
 * dropped (freed, RP_EV_MIGRATE to nobody), when the program drops (its
 * table lacks the cookie), when no listening member is left, and when
 * neither the sysctl nor a SELECT_OR_MIGRATE program enables it (then the
 * listener simply leaves its group).  4.19 drops always.
 */
enum { MIGF_PROG_DROP, MIGF_NO_LISTENER, MIGF_DISABLED, MIGF_419,
	MIGF_NCASES };

TU_LOOP(migrate_failures, "select/migrate", MIGF_NCASES * TU_EVERY_PROFILE)
{
	int how = TU_CASE_OF(_i);
	int prof = TU_ROW_OF(_i);
	/* MIGF_419: a row without switch migration; the others: with it */
	TU_UNLESS((how == MIGF_419) == !tu_prof(prof)->migration);
	struct rp_policy pol = { .key_src = RP_KEY_MIGRATE,
	    .migrate_only = true };
	struct rp_sock_info in;
	unsigned c, req;
	struct fx f;

	fx_init(&f, prof, RP_SOCK_STREAM, RP_AF_INET,
	    how == MIGF_NO_LISTENER ? 1 : 2, false);
	if (how == MIGF_PROG_DROP)
		fx_attach(&f, RP_ATTACH_SK_REUSEPORT_SELECT_OR_MIGRATE, f.map,
		    &pol);
	if (how == MIGF_NO_LISTENER)
		ck_assert_int_eq(rp_sysctl_set(f.st, 0,
		    "net.ipv4.tcp_migrate_req", 1), 0);
	c = child_on(&f, 0, RP_CONN_ESTABLISHED, 50001);
	req = child_on(&f, 0, RP_CONN_REQUEST, 50002);
	ck_assert_int_eq(rp_shutdown(f.st, 0, f.fds[0], RP_SHUT_RDWR), 0);
	ck_assert_int_eq(rp_sock_info(f.st, c, &in), -ENOENT);
	ck_assert_uint_eq(last_event(&f, RP_EV_MIGRATE).sock, c);
	ck_assert_uint_eq(last_event(&f, RP_EV_MIGRATE).sock2, 0);
	ck_assert_int_eq(rp_sock_info(f.st, f.ids[0], &in), 0);
	ck_assert(in.group_closed == (how == MIGF_PROG_DROP ||
	    how == MIGF_NO_LISTENER));
	if (how == MIGF_PROG_DROP)
		ck_assert_uint_eq(last_event(&f, RP_EV_PROG_RUN).val,
		    RP_SK_DROP);
	/* the pending request dies at its final ACK */
	ck_assert_int_eq(rp_requests_ack(f.st, 0), 0);
	ck_assert_int_eq(rp_sock_info(f.st, req, &in), -ENOENT);
	ck_assert_uint_eq(last_event(&f, RP_EV_MIGRATE).sock, req);
	ck_assert_uint_eq(last_event(&f, RP_EV_MIGRATE).sock2, 0);
	if (f.n > 1) {
		ck_assert_int_eq(rp_sock_info(f.st, f.ids[1], &in), 0);
		ck_assert_uint_eq(in.accept_queue, 0);
	}
	fx_done(&f);
}
END_TEST

/*
 * R-MIG-7 R-MIG-3 R-CTX-1: requests (TCP_NEW_SYN_RECV) of a shut-down
 * listener migrate when their SYN+ACK timer fires (they stay requests on
 * the new listener until the final ACK) or when the final ACK arrives
 * (straight onto the new listener's accept queue).  Sysctl migration.
 */
TU_LOOP(migrate_requests, "select/migrate", 2 * TU_EVERY_PROFILE)
{
	TU_UNLESS(tu_prof(TU_ROW_OF(_i))->migration);
	bool timer = TU_CASE_OF(_i) == 0;
	struct rp_sock_info in;
	unsigned req, got[4];
	struct fx f;

	fx_init(&f, TU_ROW_OF(_i), RP_SOCK_STREAM, RP_AF_INET, 2, false);
	ck_assert_int_eq(rp_sysctl_set(f.st, 0, "net.ipv4.tcp_migrate_req", 1),
	    0);
	req = child_on(&f, 0, RP_CONN_REQUEST, 50001);
	ck_assert_int_eq(rp_sock_info(f.st, req, &in), 0);
	ck_assert_int_eq(in.state, RP_TCP_NEW_SYN_RECV);
	ck_assert_uint_eq(in.parent, f.ids[0]);
	/* a live listener's request waits on the timer */
	ck_assert_int_eq(rp_requests_timer(f.st, 0), 0);
	ck_assert_int_eq(rp_shutdown(f.st, 0, f.fds[0], RP_SHUT_RDWR), 0);
	ck_assert_int_eq(rp_sock_info(f.st, req, &in), 0);
	ck_assert_uint_eq(in.parent, f.ids[0]);
	if (timer) {
		ck_assert_int_eq(rp_requests_timer(f.st, 0), 1);
		ck_assert_int_eq(rp_sock_info(f.st, req, &in), 0);
		ck_assert_int_eq(in.state, RP_TCP_NEW_SYN_RECV);
		ck_assert_uint_eq(in.parent, f.ids[1]);
		ck_assert_uint_eq(last_event(&f, RP_EV_MIGRATE).sock2,
		    f.ids[1]);
		ck_assert_uint_eq(accept_all(&f, f.fds[1], got, 4), 0);
	}
	ck_assert_int_ge(rp_requests_ack(f.st, 0), 1);
	ck_assert_uint_eq(accept_all(&f, f.fds[1], got, 4), 1);
	ck_assert_uint_eq(got[0], req);
	fx_done(&f);
}
END_TEST

/*
 * R-CTX-1 R-MIG-4 R-MIG-8: a migration run at the SYN+ACK timer has no
 * packet: len 0, so a program reading payload byte 0 finds nothing and
 * drops (the request dies); at the final ACK there is a segment, the same
 * program reads a key and the request migrates.  Index: timer, ACK.
 */
TU_LOOP(migrate_ctx_len, "select/migrate", 2 * TU_EVERY_PROFILE)
{
	TU_UNLESS(tu_prof(TU_ROW_OF(_i))->migration);
	bool timer = TU_CASE_OF(_i) == 0;
	struct rp_policy pol = { .key_src = RP_KEY_PAYLOAD, .off = 0,
	    .width = 1, .pass_on_error = true };
	static const uint8_t key0[1] = { 0 };
	struct rp_sock_info in;
	struct rp_delivery d;
	struct rp_event ev;
	unsigned req;
	struct fx f;

	fx_init(&f, TU_ROW_OF(_i), RP_SOCK_STREAM, RP_AF_INET, 3, true);
	fx_attach(&f, RP_ATTACH_SK_REUSEPORT_SELECT_OR_MIGRATE, f.map, &pol);
	d = fx_send_from(&f, 50001, 0, key0, 1, RP_CONN_REQUEST);
	ck_assert_int_eq(d.outcome, RP_DELIVERED);
	ck_assert_uint_eq(d.sock, f.ids[0]);
	req = d.child;
	ck_assert_int_eq(rp_shutdown(f.st, 0, f.fds[0], RP_SHUT_RDWR), 0);
	/* slot 0 (now empty) gets member 1 */
	ck_assert_int_eq(rp_map_delete(f.st, 0, f.map, 1), 0);
	ck_assert_int_eq(rp_map_update(f.st, 0, f.map, 0, (uint64_t)f.fds[1],
	    RP_BPF_NOEXIST), 0);
	g_array_set_size(f.evs, 0);
	if (timer) {
		ck_assert_int_eq(rp_requests_timer(f.st, 0), 0);
		ev = last_event(&f, RP_EV_PROG_RUN);
		ck_assert_uint_eq(ev.val, RP_SK_DROP);
		ck_assert_uint_eq(ev.sock, f.ids[0]);
		ck_assert_int_eq(rp_sock_info(f.st, req, &in), -ENOENT);
	} else {
		ck_assert_int_ge(rp_requests_ack(f.st, 0), 1);
		ev = last_event(&f, RP_EV_PROG_RUN);
		ck_assert_uint_eq(ev.val, RP_SK_PASS);
		ck_assert_uint_eq(ev.sock, f.ids[0]);
		ck_assert_int_eq(rp_sock_info(f.st, req, &in), 0);
		ck_assert_int_eq(in.state, RP_TCP_ESTABLISHED);
		ck_assert(in.parent == f.ids[1] || in.parent == f.ids[2]);
	}
	fx_done(&f);
}
END_TEST

/*
 * R-MIG-5 R-MIG-4 R-MIG-8 (white-box: no socket call leaves a dying socket
 * in the listening section): the migrate program selects a member that is
 * no longer listening (as if being destroyed): the migration fails and
 * the request is dropped; with the member listening it migrates there.
 * Index: dying, alive.
 */
TU_LOOP(migrate_target_dead, "select/migrate", 2 * TU_EVERY_PROFILE)
{
	TU_UNLESS(tu_prof(TU_ROW_OF(_i))->migration);
	bool dead = TU_CASE_OF(_i) == 0;
	struct rp_policy pol = { .key_src = RP_KEY_CONST, .key_const = 1,
	    .migrate_only = true };
	struct rp_sock_info in;
	struct rp_sock *target;
	unsigned req;
	struct fx f;

	fx_init(&f, TU_ROW_OF(_i), RP_SOCK_STREAM, RP_AF_INET, 2, true);
	fx_attach(&f, RP_ATTACH_SK_REUSEPORT_SELECT_OR_MIGRATE, f.map, &pol);
	req = child_on(&f, 0, RP_CONN_REQUEST, 50001);
	ck_assert_int_eq(rp_sock_info(f.st, req, &in), 0);
	ck_assert_uint_eq(in.parent, f.ids[0]);
	ck_assert_int_eq(rp_shutdown(f.st, 0, f.fds[0], RP_SHUT_RDWR), 0);
	target = f.st->socks->pdata[f.ids[1]];
	if (dead)
		target->state = RP_TCP_CLOSE;
	ck_assert_int_eq(rp_requests_timer(f.st, 0), dead ? 0 : 1);
	target->state = RP_TCP_LISTEN;
	ck_assert_uint_eq(last_event(&f, RP_EV_PROG_RUN).sock2, f.ids[1]);
	if (dead) {
		ck_assert_int_eq(rp_sock_info(f.st, req, &in), -ENOENT);
		ck_assert_uint_eq(last_event(&f, RP_EV_MIGRATE).sock2, 0);
	} else {
		ck_assert_int_eq(rp_sock_info(f.st, req, &in), 0);
		ck_assert_uint_eq(in.parent, f.ids[1]);
	}
	fx_done(&f);
}
END_TEST

/* ---------------------------------------------------------------------
 * Suite
 */


/* R-SEL-3 R-MIG-6 (6.18): a classic program's index is checked against
 * num_socks, the listening section: in a full group whose last slot holds
 * a closed-section socket, index num_socks falls back to the hash and
 * never reaches the closed socket. */
TU_LOOP(cbpf_index_closed_edge, "select/cbpf", TU_EVERY_PROFILE)
{
	TU_UNLESS(tu_prof(_i)->migration);
	struct rp_state *st = tu_state_row(_i);
	struct rp_cbpf cb = { .k = RP_INIT_SOCKS - 1 };
	int fds[RP_INIT_SOCKS];
	unsigned closed;

	for (int i = 0; i < RP_INIT_SOCKS; i++)
		fds[i] = tu_reuse_sock(st, 0, RP_AF_INET, RP_SOCK_STREAM, 1,
		    PORT);
	ck_assert_int_eq(rp_sysctl_set(st, 0, "net.ipv4.tcp_migrate_req", 1),
	    0);
	ck_assert_int_eq(rp_attach_cbpf(st, 0, fds[0], &cb), 0);
	/* the last listener moves to socks[127], the closed section */
	ck_assert_int_eq(rp_shutdown(st, 0, fds[RP_INIT_SOCKS - 1],
	    RP_SHUT_RDWR), 0);
	closed = rp_fd_sock(st, 0, fds[RP_INIT_SOCKS - 1]);
	for (uint32_t h = 0; h < 8; h++) {
		struct rp_packet pkt = { .protocol = RP_IPPROTO_TCP,
		    .src = tu_addr(RP_AF_INET, 1, (uint16_t)(50000 + h)),
		    .dst = tu_addr(RP_AF_INET, 1, PORT),
		    .has_hash = true, .hash = h * 0x20000000u,
		    .conn = RP_CONN_ESTABLISHED };
		struct rp_delivery d;

		ck_assert_int_eq(rp_send(st, 0, &pkt, &d), 0);
		ck_assert_int_eq(d.outcome, RP_DELIVERED);
		ck_assert_uint_ne(d.sock, closed);
		ck_assert_int_eq(d.how, RP_HOW_HASH);
	}
	tu_state_done(st);
}
END_TEST

/* R-PRG-1 R-CTX-1: the verifier takes payload loads of 1, 2 or 4 bytes
 * (BPF_B, BPF_H, BPF_W) and nothing else: widths 0, 3, 5 and 8 are
 * -EINVAL. */
TU_LOOP(verify_load_width, "select/verify", TU_EVERY_PROFILE)
{
	struct rp_state *st = tu_state_row(_i);
	int map = tu_sockarray(st, 0, 8, 4);
	static const struct { uint32_t width; int ok; } w[] = {
		{ 0, 0 }, { 1, 1 }, { 2, 1 }, { 3, 0 }, { 4, 1 }, { 5, 0 },
		{ 8, 0 },
	};

	for (size_t i = 0; i < G_N_ELEMENTS(w); i++) {
		struct rp_prog_attr pa = { .prog_type = RP_PROG_SK_REUSEPORT,
		    .map_fd = map, .policy = { .key_src = RP_KEY_PAYLOAD,
		    .width = w[i].width } };
		int fd = rp_prog_load(st, 0, &pa);

		if (w[i].ok) {
			ck_assert_msg(fd >= 0, "width %u: %d", w[i].width, fd);
			ck_assert_int_eq(rp_close(st, 0, fd), 0);
		} else {
			ck_assert_msg(fd == -EINVAL, "width %u: %d", w[i].width,
			    fd);
		}
	}
	tu_state_done(st);
}
END_TEST

TU_MAIN("select")
