/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * check_diff.c - a differential test of the map and group code, after
 * SQLite's sqlite3BitvecBuiltinTest(): a seeded random sequence of
 * operations runs against the model and against a naive reference written
 * here with plain arrays (slots[] of socket handles, one owner per socket,
 * groups as lists with swap-with-last removal, a lowest-free id
 * allocator), and the two are compared after every step: the errno, every
 * slot's occupant, every socket's owner word, group position, group size
 * and group id, the socket a datagram reaches, and rp_check().
 *
 * Operations: create a TCP listener, a UDP socket, a bound-only TCP socket
 * or an unbound one on one of three ports; close; shutdown and listen
 * again; update (random map, key, flags and value: live sockets, a bad fd,
 * a map fd, an out-of-range value); delete; lookup; send; free and
 * recreate a map.  Both profiles; the reference follows docs/SPEC.md:
 * R-UPD-1..R-UPD-10 (order of update errors), R-DEL-1..R-DEL-3,
 * R-LKP-3a..R-LKP-3d, R-GRP-3, R-GRP-9, R-GRP-10, R-GRP-11, R-UPD-8,
 * R-DET-3, R-DET-4, R-DET-5, R-FREE-2, R-SEL-4, R-SEL-5, R-INV-1, R-INV-2,
 * R-INV-7, R-INV-15.
 *
 * A planted fault proves the comparator works: a reference that ignores
 * BPF_NOEXIST, or removes group members by shifting instead of swapping,
 * must be caught within the run.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <check.h>
#include <glib.h>

#include "rp.h"
#include "testutil.h"
#include "rp-int.h"

#define RSOCKS		48	/* socket handles */
#define RLIVE		36	/* live sockets at most */
#define RGROUPS		16
#define RPORTS		3
#define RIDS		256
#define BASE_PORT	41000
#define BAD_FD		5000
#define STEPS		3000

enum fault {
	FAULT_NONE,
	FAULT_IGNORE_NOEXIST,	/* BPF_NOEXIST treated as BPF_ANY */
	FAULT_SHIFT_REMOVE,	/* members leave by shifting, not swapping */
};

/* ---------------------------------------------------------------------
 * The reference
 */

enum rkind {
	RK_FREE,		/* handle unused */
	RK_UNBOUND,		/* socket() + SO_REUSEPORT */
	RK_BOUND,		/* TCP bound, never listened */
	RK_LISTEN,		/* TCP listener (member) */
	RK_SHUT,		/* TCP listener after shutdown(SHUT_RDWR) */
	RK_UDP,			/* bound UDP (member) */
};

struct rsock {
	enum rkind	kind;
	int		fd;
	unsigned	id;		/* model socket id */
	int		port;		/* index into the ports */
	int		group;		/* reference group, -1 = none */
	int		pos;
	int		omap, oidx;	/* owner word: map and slot, -1 = none */
};

struct rgroup {
	bool		live;
	bool		udp;
	int		port;
	int		n;
	int		members[RSOCKS];
	bool		has_id;
	uint32_t	id;
};

struct rmap {
	int		fd;
	uint32_t	value_size, max;
	int		slot[8];	/* socket handle, -1 = empty */
};

struct ref {
	struct rp_state	*st;
	bool		lazy_id;	/* the profile's lazy_group_id */
	enum fault	fault;
	GRand		*rand;
	struct rsock	s[RSOCKS];
	struct rgroup	g[RGROUPS];
	struct rmap	m[2];
	bool		ida[RIDS];
	int		step;
	char		op[160];	/* the current operation, for messages */
};

static uint32_t
ida_alloc(struct ref *r, uint32_t min)
{
	for (uint32_t i = min; i < RIDS; i++) {
		if (!r->ida[i]) {
			r->ida[i] = true;
			return i;
		}
	}
	g_assert_not_reached();
}

static int
group_find(struct ref *r, bool udp, int port)
{
	for (int i = 0; i < RGROUPS; i++)
		if (r->g[i].live && r->g[i].udp == udp && r->g[i].port == port)
			return i;
	return -1;
}

/* R-GRP-1 R-GRP-3: h joins the group of its (protocol, port) or a new one. */
static void
ref_join(struct ref *r, int h)
{
	struct rsock *s = &r->s[h];
	bool udp = s->kind == RK_UDP;
	int gi = group_find(r, udp, s->port);
	struct rgroup *g;

	if (gi < 0) {
		for (gi = 0; r->g[gi].live; gi++)
			g_assert(gi + 1 < RGROUPS);
		g = &r->g[gi];
		memset(g, 0, sizeof(*g));
		g->live = true;
		g->udp = udp;
		g->port = s->port;
		if (!r->lazy_id) {		/* R-GRP-11: ids from creation */
			g->has_id = true;
			g->id = ida_alloc(r, 0);
		}
	}
	g = &r->g[gi];
	s->group = gi;
	s->pos = g->n;
	g->members[g->n++] = h;
}

static void
ref_owner_clear(struct ref *r, int h)
{
	r->s[h].omap = -1;
	r->s[h].oidx = -1;
}

/* R-DET-1: h leaves its slot, if it has one. */
static void
ref_detach_map(struct ref *r, int h)
{
	struct rsock *s = &r->s[h];

	if (s->omap < 0)
		return;
	g_assert(r->m[s->omap].slot[s->oidx] == h);
	r->m[s->omap].slot[s->oidx] = -1;
	ref_owner_clear(r, h);
}

/* R-GRP-9 R-GRP-10 R-DET-3: h leaves its group (and its slot). */
static void
ref_leave(struct ref *r, int h)
{
	struct rsock *s = &r->s[h];
	struct rgroup *g;
	int last;

	if (s->group < 0)
		return;
	g = &r->g[s->group];
	/* a slot implies an id, so 4.19's "only with an id" changes nothing */
	if (!r->lazy_id || g->id != 0)
		ref_detach_map(r, h);
	last = g->n - 1;
	if (r->fault == FAULT_SHIFT_REMOVE) {
		for (int i = s->pos; i < last; i++) {
			g->members[i] = g->members[i + 1];
			r->s[g->members[i]].pos = i;
		}
	} else if (s->pos != last) {
		g->members[s->pos] = g->members[last];
		r->s[g->members[s->pos]].pos = s->pos;
	}
	g->n--;
	s->group = -1;
	s->pos = -1;
	if (g->n == 0) {
		if (g->has_id)
			r->ida[g->id] = false;
		g->live = false;
	}
}

static bool
ref_eligible(const struct rsock *s)
{
	return s->kind == RK_LISTEN || s->kind == RK_UDP;
}

/* The reference's BPF_MAP_UPDATE_ELEM on a sockarray (R-UPD-1..R-UPD-10). */
static int
ref_update(struct ref *r, int mi, uint32_t key, uint64_t value,
    uint64_t flags, int h)
{
	struct rmap *m = &r->m[mi];
	struct rsock *s;
	int osk;

	if (flags > RP_BPF_EXIST)
		return -EINVAL;			/* R-UPD-1 */
	if (key >= m->max)
		return -E2BIG;			/* R-UPD-2 */
	if (m->value_size == 8 && value > 0x7fffffff)
		return -EINVAL;			/* R-UPD-3a */
	if (h == -1)
		return -EBADF;			/* R-UPD-4 */
	if (h == -2)
		return -ENOTSOCK;
	s = &r->s[h];
	osk = m->slot[key];
	if (osk >= 0 && flags == RP_BPF_NOEXIST &&
	    r->fault != FAULT_IGNORE_NOEXIST)
		return -EEXIST;			/* R-UPD-6a */
	if (osk < 0 && flags == RP_BPF_EXIST)
		return -ENOENT;			/* R-UPD-6b */
	if (!ref_eligible(s))
		return -EINVAL;			/* R-UPD-6f */
	if (s->omap >= 0)
		return -EBUSY;			/* R-UPD-6g */
	if (r->lazy_id && !r->g[s->group].has_id) {	/* R-UPD-8 */
		r->g[s->group].has_id = true;
		r->g[s->group].id = ida_alloc(r, 1);
	}
	m->slot[key] = h;			/* R-UPD-9 */
	s->omap = mi;
	s->oidx = (int)key;
	if (osk >= 0)
		ref_owner_clear(r, osk);	/* R-UPD-10 */
	return 0;
}

/* ---------------------------------------------------------------------
 * Comparing
 */

/* NULL when the model agrees with the reference, else a message. */
static char *
compare(struct ref *r)
{
	GError *err = NULL;

	if (!rp_check(r->st, &err)) {
		char *msg = g_strdup_printf("invariant: %s", err->message);

		g_error_free(err);
		return msg;
	}
	for (int mi = 0; mi < 2; mi++) {
		unsigned mid = rp_fd_map(r->st, 0, r->m[mi].fd);

		for (uint32_t k = 0; k < r->m[mi].max; k++) {
			int h = r->m[mi].slot[k];
			unsigned want = h >= 0 ? r->s[h].id : 0;
			unsigned got = rp_map_slot(r->st, mid, k);

			if (got != want)
				return g_strdup_printf("map %d slot %u: "
				    "socket %u, reference %u", mi, k, got,
				    want);
		}
	}
	for (int h = 0; h < RSOCKS; h++) {
		const struct rsock *s = &r->s[h];
		struct rp_sock_info in;
		struct rp_group_info gi;
		const struct rgroup *g;

		if (s->kind == RK_FREE)
			continue;
		if (rp_sock_info(r->st, s->id, &in) != 0)
			return g_strdup_printf("socket %u is gone", s->id);
		if (s->omap < 0 ? in.owner != RP_OWNER_NONE :
		    (in.owner != RP_OWNER_SLOT || in.owner_map !=
		    rp_fd_map(r->st, 0, r->m[s->omap].fd) ||
		    in.owner_idx != (uint32_t)s->oidx))
			return g_strdup_printf("socket %u: owner %d map %u "
			    "idx %u, reference map %d idx %d", s->id,
			    in.owner, in.owner_map, in.owner_idx, s->omap,
			    s->oidx);
		if (in.group_pos != s->pos)
			return g_strdup_printf("socket %u: group position "
			    "%d, reference %d", s->id, in.group_pos, s->pos);
		if ((in.group != 0) != (s->group >= 0))
			return g_strdup_printf("socket %u: group %u, "
			    "reference %d", s->id, in.group, s->group);
		if (s->group < 0)
			continue;
		g = &r->g[s->group];
		if (rp_group_info(r->st, in.group, &gi) != 0)
			return g_strdup_printf("socket %u: group %u gone",
			    s->id, in.group);
		if (gi.num_socks != (unsigned)g->n)
			return g_strdup_printf("socket %u: group size %u, "
			    "reference %d", s->id, gi.num_socks, g->n);
		if (gi.has_id != g->has_id || gi.reuseport_id != g->id)
			return g_strdup_printf("socket %u: group id %u (%d), "
			    "reference %u (%d)", s->id, gi.reuseport_id,
			    gi.has_id, g->id, g->has_id);
		/* same group object as the first member */
		if (rp_group_sock_at(r->st, in.group, 0) !=
		    r->s[g->members[0]].id)
			return g_strdup_printf("socket %u: socks[0] of its "
			    "group is %u, reference %u", s->id,
			    rp_group_sock_at(r->st, in.group, 0),
			    r->s[g->members[0]].id);
	}
	return NULL;
}

/* ---------------------------------------------------------------------
 * Operations: each runs on the model and the reference and returns a
 * message when the results differ.
 */

static int
pick(struct ref *r, bool (*ok)(const struct rsock *))
{
	int cand[RSOCKS], n = 0;

	for (int h = 0; h < RSOCKS; h++)
		if (r->s[h].kind != RK_FREE && (ok == NULL || ok(&r->s[h])))
			cand[n++] = h;
	return n == 0 ? -1 : cand[g_rand_int_range(r->rand, 0, n)];
}

/* pick()'s socket for the operation verb, which r->op then names:
 * "VERB socket ID"; -1 when there is none. */
static int
pick_for(struct ref *r, bool (*ok)(const struct rsock *), const char *verb)
{
	int h = pick(r, ok);

	if (h >= 0)
		snprintf(r->op, sizeof(r->op), "%s socket %u", verb,
		    r->s[h].id);
	return h;
}

static int
live_count(const struct ref *r)
{
	int n = 0;

	for (int h = 0; h < RSOCKS; h++)
		n += r->s[h].kind != RK_FREE;
	return n;
}

static char *
mismatch(int got, int want)
{
	if (got == want)
		return NULL;
	return g_strdup_printf("result %d, reference %d", got, want);
}

static char *
op_new(struct ref *r)
{
	int h, port = g_rand_int_range(r->rand, 0, RPORTS), roll, fd, err;
	struct rp_sockaddr sa = tu_addr(RP_AF_INET, 1,
	    (uint16_t)(BASE_PORT + port));
	enum rkind kind;
	bool udp;

	for (h = 0; r->s[h].kind != RK_FREE; h++)
		g_assert(h + 1 < RSOCKS);
	roll = g_rand_int_range(r->rand, 0, 20);
	kind = roll < 9 ? RK_LISTEN : roll < 17 ? RK_UDP : roll < 19 ?
	    RK_BOUND : RK_UNBOUND;
	udp = kind == RK_UDP;
	snprintf(r->op, sizeof(r->op), "new %s port %d", kind == RK_LISTEN ?
	    "listener" : udp ? "udp" : kind == RK_BOUND ? "bound" : "unbound",
	    port);
	fd = rp_socket(r->st, 0, RP_AF_INET, udp ? RP_SOCK_DGRAM :
	    RP_SOCK_STREAM, 0);
	if (fd < 3)
		return g_strdup_printf("socket() = %d", fd);
	if ((err = rp_setsockopt_int(r->st, 0, fd, RP_SO_REUSEPORT, 1)) != 0)
		return g_strdup_printf("SO_REUSEPORT = %d", err);
	if (kind != RK_UNBOUND &&
	    (err = rp_bind(r->st, 0, fd, &sa)) != 0)
		return g_strdup_printf("bind() = %d", err);
	if (kind == RK_LISTEN && (err = rp_listen(r->st, 0, fd, 8)) != 0)
		return g_strdup_printf("listen() = %d", err);
	r->s[h] = (struct rsock){ .kind = kind, .fd = fd,
	    .id = rp_fd_sock(r->st, 0, fd), .port = port, .group = -1,
	    .pos = -1, .omap = -1, .oidx = -1 };
	if (kind == RK_LISTEN || kind == RK_UDP)
		ref_join(r, h);
	return NULL;
}

static char *
op_close(struct ref *r)
{
	int h = pick_for(r, NULL, "close");

	if (h < 0)
		return NULL;
	if (rp_close(r->st, 0, r->s[h].fd) != 0)
		return g_strdup("close() failed");
	ref_leave(r, h);		/* R-DET-4 R-DET-5 R-GRP-9 */
	r->s[h].kind = RK_FREE;
	return NULL;
}

static bool
is_listener(const struct rsock *s)
{
	return s->kind == RK_LISTEN;
}

static bool
can_listen(const struct rsock *s)
{
	return s->kind == RK_SHUT || s->kind == RK_BOUND;
}

static char *
op_shutdown(struct ref *r)
{
	int h = pick_for(r, is_listener, "shutdown");

	if (h < 0)
		return NULL;
	if (rp_shutdown(r->st, 0, r->s[h].fd, RP_SHUT_RDWR) != 0)
		return g_strdup("shutdown() failed");
	ref_leave(r, h);		/* R-DET-4, no migration */
	r->s[h].kind = RK_SHUT;
	return NULL;
}

static char *
op_listen(struct ref *r)
{
	int h = pick_for(r, can_listen, "listen"), err;

	if (h < 0)
		return NULL;
	if ((err = rp_listen(r->st, 0, r->s[h].fd, 8)) != 0)
		return g_strdup_printf("listen() = %d", err);
	r->s[h].kind = RK_LISTEN;
	ref_join(r, h);			/* R-RES-4 / R-GRP-3 */
	return NULL;
}

static char *
op_update(struct ref *r)
{
	int mi = g_rand_int_range(r->rand, 0, 2), roll, h, want, got;
	struct rmap *m = &r->m[mi];
	uint32_t key = (uint32_t)g_rand_int_range(r->rand, 0,
	    (gint32)m->max + 2);
	uint64_t flags, value;

	roll = g_rand_int_range(r->rand, 0, 40);
	flags = roll < 13 ? RP_BPF_ANY : roll < 26 ? RP_BPF_NOEXIST :
	    roll < 38 ? RP_BPF_EXIST : roll == 38 ? 3 : RP_BPF_F_LOCK;
	roll = g_rand_int_range(r->rand, 0, 40);
	if (roll == 0) {
		h = -1;
		value = BAD_FD;
	} else if (roll == 1) {
		h = -2;
		value = (uint64_t)r->m[1 - mi].fd;
	} else if (roll == 2) {
		/* above S32_MAX: EINVAL for 8-byte values (before the fd
		 * is looked at); a 4-byte value is the signed fd -1: EBADF */
		h = -1;
		value = UINT64_C(0xffffffff);
	} else {
		h = pick(r, NULL);
		if (h < 0)
			return NULL;
		value = (uint64_t)r->s[h].fd;
	}
	snprintf(r->op, sizeof(r->op), "update map %d key %u value %#llx "
	    "(socket %u) flags %llu", mi, key, (unsigned long long)value,
	    h >= 0 ? r->s[h].id : 0, (unsigned long long)flags);
	got = rp_map_update(r->st, 0, m->fd, key, value, flags);
	want = ref_update(r, mi, key, value, flags, h);
	return mismatch(got, want);
}

static char *
op_delete(struct ref *r)
{
	int mi = g_rand_int_range(r->rand, 0, 2), want, got;
	struct rmap *m = &r->m[mi];
	uint32_t key = (uint32_t)g_rand_int_range(r->rand, 0,
	    (gint32)m->max + 2);

	snprintf(r->op, sizeof(r->op), "delete map %d key %u", mi, key);
	got = rp_map_delete(r->st, 0, m->fd, key);
	if (key >= m->max) {
		want = -E2BIG;			/* R-DEL-1 */
	} else if (m->slot[key] < 0) {
		want = -ENOENT;			/* R-DEL-2 */
	} else {
		ref_owner_clear(r, m->slot[key]);	/* R-DEL-3 */
		m->slot[key] = -1;
		want = 0;
	}
	return mismatch(got, want);
}

static char *
op_lookup(struct ref *r)
{
	int mi = g_rand_int_range(r->rand, 0, 2), want, got, h;
	struct rmap *m = &r->m[mi];
	uint32_t key = (uint32_t)g_rand_int_range(r->rand, 0,
	    (gint32)m->max + 2);
	uint64_t v = 0, cookie = 0;

	snprintf(r->op, sizeof(r->op), "lookup map %d key %u", mi, key);
	got = rp_map_lookup(r->st, 0, m->fd, key, &v, 0);
	h = key < m->max ? m->slot[key] : -1;
	if (m->value_size != 8)
		want = -ENOSPC;			/* R-LKP-3a */
	else if (h < 0)
		want = -ENOENT;			/* R-LKP-3b R-LKP-3c */
	else
		want = 0;			/* R-LKP-3d */
	if (got != want)
		return mismatch(got, want);
	if (want == 0) {
		if (rp_getsockopt_cookie(r->st, 0, r->s[h].fd, &cookie) != 0 ||
		    cookie != v)
			return g_strdup_printf("lookup value %#llx, cookie "
			    "%#llx", (unsigned long long)v,
			    (unsigned long long)cookie);
	}
	return NULL;
}

/* R-SEL-4 R-SEL-5: with no program and no connected member the datagram
 * (or SYN) reaches socks[(hash * n) >> 32] of the port's group. */
static char *
op_send(struct ref *r)
{
	int port = g_rand_int_range(r->rand, 0, RPORTS);
	bool udp = g_rand_boolean(r->rand);
	uint32_t hash = g_rand_int(r->rand);
	struct rp_packet pkt = { .protocol = udp ? RP_IPPROTO_UDP :
	    RP_IPPROTO_TCP, .src = tu_addr(RP_AF_INET, 1, 50000),
	    .dst = tu_addr(RP_AF_INET, 1, (uint16_t)(BASE_PORT + port)),
	    .has_hash = true, .hash = hash };
	int gi = group_find(r, udp, port);
	struct rp_delivery d;
	unsigned want = 0;

	snprintf(r->op, sizeof(r->op), "send %s port %d hash %#x",
	    udp ? "udp" : "tcp", port, hash);
	if (rp_send(r->st, 0, &pkt, &d) != 0)
		return g_strdup("rp_send() failed");
	if (gi >= 0) {
		const struct rgroup *g = &r->g[gi];

		want = r->s[g->members[((uint64_t)hash * (unsigned)g->n) >>
		    32]].id;
	}
	if ((want == 0) != (d.outcome == RP_NO_SOCKET) ||
	    (want != 0 && d.sock != want))
		return g_strdup_printf("delivered to %u (outcome %d), "
		    "reference %u", d.sock, d.outcome, want);
	return NULL;
}

static int
map_create(struct ref *r, int mi)
{
	struct rmap *m = &r->m[mi];

	m->fd = tu_sockarray(r->st, 0, m->value_size, m->max);
	for (uint32_t k = 0; k < 8; k++)
		m->slot[k] = -1;
	return m->fd;
}

/* R-FREE-2: the last fd of a map goes and its deferred free runs
 * (R-FREE-5): every occupant's owner word is cleared; the sockets stay in
 * their groups.  A new map takes its place. */
static char *
op_recreate(struct ref *r)
{
	int mi = g_rand_int_range(r->rand, 0, 2);
	struct rmap *m = &r->m[mi];

	snprintf(r->op, sizeof(r->op), "free and recreate map %d", mi);
	if (rp_close(r->st, 0, m->fd) != 0)
		return g_strdup("close(map) failed");
	rp_state_settle(r->st);		/* R-FREE-5: and its deferred free */
	for (uint32_t k = 0; k < m->max; k++)
		if (m->slot[k] >= 0)
			ref_owner_clear(r, m->slot[k]);
	map_create(r, mi);
	return NULL;
}

/* The mix of random steps: a roll of 0..99 below `below` (and above the
 * rows before) is the step op; a new socket only while fewer than RLIVE
 * live, else the next row's. */
static const struct {
	int	  below;
	char	*(*op)(struct ref *r);
} mix[] = {
	{ 14, op_new }, { 22, op_close }, { 26, op_shutdown },
	{ 30, op_listen }, { 65, op_update }, { 78, op_delete },
	{ 88, op_lookup }, { 98, op_send }, { 100, op_recreate },
};

/* One random step; NULL when model and reference agree. */
static char *
step(struct ref *r)
{
	int roll = g_rand_int_range(r->rand, 0, 100);

	for (size_t i = 0; i < G_N_ELEMENTS(mix); i++)
		if (roll < mix[i].below &&
		    (mix[i].op != op_new || live_count(r) < RLIVE))
			return mix[i].op(r);
	g_assert_not_reached();
}

/*
 * Run steps random operations from seed under profile prof with the
 * reference variant fault.  Returns the first step at which model and
 * reference disagree (*why says how), or -1.
 */
static int
diff_run(int prof, guint32 seed, int steps, enum fault fault, char **why)
{
	struct ref *r = g_new0(struct ref, 1);
	int at = -1;

	*why = NULL;
	r->st = tu_state_row(prof);
	r->lazy_id = tu_prof(prof)->lazy_group_id;
	r->fault = fault;
	r->rand = g_rand_new_with_seed(seed);
	r->m[0].value_size = 8;
	r->m[0].max = 8;
	r->m[1].value_size = 4;
	r->m[1].max = 5;
	map_create(r, 0);
	map_create(r, 1);
	for (r->step = 0; r->step < steps; r->step++) {
		char *msg;

		r->op[0] = '\0';
		msg = step(r);
		if (msg == NULL)
			msg = compare(r);
		if (msg != NULL) {
			*why = g_strdup_printf("%s, step %d (%s): %s",
			    rp_profile_name(tu_prof(prof)), r->step,
			    r->op, msg);
			g_free(msg);
			at = r->step;
			break;
		}
	}
	g_rand_free(r->rand);
	rp_state_free(r->st);
	g_free(r);
	return at;
}

/* ---------------------------------------------------------------------
 * Tests
 */

/* The reference's one switch (struct ref): what runs every seed and
 * every planted fault, once for each of its values. */
static unsigned
ref_key(const struct rp_profile *p)
{
	return p->lazy_group_id;
}

static const guint32 seeds[] = { 1, 2, 3, 0x5eed, 20240501 };

/* The model agrees with the reference for STEPS steps.  Index: profile,
 * seed. */
TU_LOOP(diff_random, "diff/random", (int)G_N_ELEMENTS(seeds) * TU_EVERY_PROFILE)
{
	int prof = _i % TU_EVERY_PROFILE;
	int si = _i / TU_EVERY_PROFILE;
	guint32 seed = seeds[si];
	g_autofree char *why = NULL;
	int at;

	/* every seed on the first row of each kind the reference knows, one
	 * seed on each other row */
	TU_UNLESS(tu_first_of_kind(prof, ref_key) ||
	    si == prof % (int)G_N_ELEMENTS(seeds));
	at = diff_run(prof, seed, STEPS, FAULT_NONE, &why);

	ck_assert_msg(at < 0, "seed %u: %s", seed, why);
}
END_TEST

/* The planted faults: each reference variant is caught within the run,
 * for every seed and each kind of row the reference knows; the message
 * names what differed.  Index: kind, seed, fault. */
TU_LOOP(diff_planted_fault, "diff/planted-fault", 2 * (int)G_N_ELEMENTS(seeds) * tu_nkinds(ref_key))
{
	int nk = tu_nkinds(ref_key);
	int prof = tu_kind_row(_i % nk, ref_key);
	guint32 seed = seeds[(_i / nk) % G_N_ELEMENTS(seeds)];
	enum fault fault = _i / (nk * (int)G_N_ELEMENTS(seeds)) ?
	    FAULT_SHIFT_REMOVE : FAULT_IGNORE_NOEXIST;
	g_autofree char *why = NULL;
	int at = diff_run(prof, seed, STEPS, fault, &why);

	ck_assert_msg(at >= 0, "seed %u: planted fault %d not detected in %d "
	    "steps", seed, fault, STEPS);
	if (fault == FAULT_IGNORE_NOEXIST)
		ck_assert_msg(strstr(why, "flags 1") != NULL &&
		    strstr(why, "result -17, reference") != NULL, "%s", why);
	else
		ck_assert_msg(strstr(why, "group position") != NULL ||
		    strstr(why, "socks[0]") != NULL ||
		    strstr(why, "delivered") != NULL, "%s", why);
}
END_TEST

TU_TCASE("diff/random", 60, NULL, NULL)
TU_TCASE("diff/planted-fault", 60, NULL, NULL)


TU_MAIN("diff")
