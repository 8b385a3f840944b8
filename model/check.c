/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * check.c - the invariant checker.  rp_check() walks one snapshot of a
 * struct rp_state and verifies every invariant of docs/invariants.md
 * (I1-I16) that a snapshot can show, for the 4.19 and 6.18 profiles.
 *
 * What a snapshot cannot show is checked elsewhere:
 * - I6 (deleting a slot or freeing a map never closes, unhashes or
 *   regroups a socket; only the last close detaches) compares two states:
 *   the unit tests and the scenarios cover it.
 * - I11 "non-zero and never changes" and I9 "non-zero and stable" are
 *   properties of a sequence of states; here only uniqueness and the
 *   0 / non-0 rules.
 * - I12 "every write happens with its lock held" and I13 "no reader sees
 *   reused memory" are checked at the write by lock.c and detach.c, which
 *   record the first offence in st->violation; here we report that record
 *   and check that no lock and no read-side section outlives a step.
 * - I14-I16 are contracts on syscall results: the simulator checks each
 *   result as it is returned.
 *
 * A pointer is followed only once it is known to be live: the tables of
 * live sockets, groups, maps, programs and bind buckets are collected
 * first, so a dangling pointer is reported, never read.  Memory of a map
 * is released at once (map.c), of a group or socket after a grace period.
 *
 * Every message reads "<id> <clause>: <objects and what is wrong>" with
 * model ids (socket 5, group 4, map 3 slot 2).  Messages are stable: tests
 * compare substrings.  Checks run in a fixed order, objects in id order,
 * hash tables only in an order-independent way, so with several
 * violations the same one is always reported.  The whole walk is
 * O(total size): objects, slots, socks[] capacity and bucket entries.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "rp-int.h"

G_DEFINE_QUARK(rp-check-error-quark, rp_check_error)

/* The clause each message starts with; the error code is the number. */
enum inv {
	INV_I1 = 1,
	INV_I2,
	INV_I3,
	INV_I4,
	INV_I5,
	INV_I6,
	INV_I7,
	INV_I8,
	INV_I9,
	INV_I10,
	INV_I11,
	INV_I12,
	INV_I13,
	INV_BUCKET,	/* I7 applied to the bind buckets */
};

static const struct {
	int		code;
	const char	*clause;
} clauses[] = {
	[INV_I1] = { 1, "I1 slot <-> owner" },
	[INV_I2] = { 2, "I2 single membership" },
	[INV_I3] = { 3, "I3 eligible occupants" },
	[INV_I4] = { 4, "I4 foreign owners" },
	[INV_I5] = { 5, "I5 no dangling after free" },
	[INV_I6] = { 6, "I6 map independence of fds" },
	[INV_I7] = { 7, "I7 group membership" },
	[INV_I8] = { 8, "I8 group sizes" },
	[INV_I9] = { 9, "I9 group ids" },
	[INV_I10] = { 10, "I10 join rules" },
	[INV_I11] = { 11, "I11 cookies" },
	[INV_I12] = { 12, "I12 lock discipline" },
	[INV_I13] = { 13, "I13 RCU" },
	[INV_BUCKET] = { 7, "I7 (bind bucket)" },
};

/* One run of rp_check(): the live-object tables and per-socket tallies. */
struct check {
	const struct rp_state	*st;
	const struct rp_profile	*prof;
	GError			**error;
	/* sets of the registered objects: pointer -> itself */
	GHashTable		*socks;
	GHashTable		*groups;
	GHashTable		*maps;
	GHashTable		*progs;
	GHashTable		*buckets;	/* the values of st->buckets */
	const struct rp_map	**slot_map;	/* sock id -> first sockarray */
	uint32_t		*slot_idx;	/* sock id -> its slot there */
	unsigned		*psock_count;	/* sock id -> sockmap entries */
};

/* A buffer for the name of one object in a message. */
struct name {
	char	s[96];
};

static gboolean	fail(struct check *, enum inv, const char *, ...)
		    G_GNUC_PRINTF(3, 4);

/* Set the error for a violation of inv; returns FALSE for the caller. */
static gboolean
fail(struct check *c, enum inv inv, const char *fmt, ...)
{
	g_autofree char *msg = NULL;
	va_list ap;

	va_start(ap, fmt);
	msg = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	g_set_error(c->error, RP_CHECK_ERROR, clauses[inv].code, "%s: %s",
	    clauses[inv].clause, msg);
	return FALSE;
}

/* ---------------------------------------------------------------------
 * Liveness and names.  None of these reads through an unknown pointer.
 */

static bool
sock_known(const struct check *c, const struct rp_sock *sk)
{
	return g_hash_table_contains(c->socks, sk);
}

static bool
map_live(const struct check *c, const struct rp_map *m)
{
	return g_hash_table_contains(c->maps, m) && !m->dead;
}

static const char *
sock_name(const struct check *c, const struct rp_sock *sk, struct name *n)
{
	if (sk == NULL)
		return "nothing";
	if (!sock_known(c, sk))
		return "a freed socket";
	g_snprintf(n->s, sizeof(n->s), "socket %u", sk->id);
	return n->s;
}

static const char *
group_name(const struct check *c, const struct rp_group *g, struct name *n)
{
	if (g == NULL)
		return "NULL";
	if (!g_hash_table_contains(c->groups, g))
		return "a freed group";
	g_snprintf(n->s, sizeof(n->s), "group %u", g->id);
	return n->s;
}

static const char *
map_name(const struct check *c, const struct rp_map *m, struct name *n)
{
	if (m == NULL)
		return "no map";
	if (!g_hash_table_contains(c->maps, m))
		return "a freed map";
	g_snprintf(n->s, sizeof(n->s), m->dead ? "map %u (freed)" : "map %u",
	    m->id);
	return n->s;
}

/* What an owner word says, e.g. "map 3 slot 1" or "a psock". */
static const char *
owner_name(const struct check *c, const struct rp_owner *o, struct name *n)
{
	struct name mn;

	switch (o->kind) {	/* LCOV_EXCL_BR_LINE */
	case RP_OWNER_NONE:
		return "nothing";
	case RP_OWNER_SLOT:
		g_snprintf(n->s, sizeof(n->s), "%s slot %u",
		    map_name(c, o->map, &mn), o->idx);
		return n->s;
	case RP_OWNER_STALE:
		g_snprintf(n->s, sizeof(n->s), "a stale copy of %s slot %u",
		    map_name(c, o->map, &mn), o->idx);
		return n->s;
	case RP_OWNER_PSOCK:
		return "a psock";
	case RP_OWNER_FOREIGN:
		return "a foreign owner";
	}
	return "an unknown owner";	/* LCOV_EXCL_LINE */
}

static const char *
proto_name(int protocol, struct name *n)
{
	if (protocol == RP_IPPROTO_TCP)
		return "tcp";
	if (protocol == RP_IPPROTO_UDP)
		return "udp";
	g_snprintf(n->s, sizeof(n->s), "protocol %d", protocol);
	return n->s;
}

static const char *
addr_name(const struct rp_addr *a, struct name *n)
{
	GString *s;

	if (a->family == RP_AF_INET) {
		g_snprintf(n->s, sizeof(n->s), "%u.%u.%u.%u", a->a[0], a->a[1],
		    a->a[2], a->a[3]);
		return n->s;
	}
	s = g_string_new(NULL);
	g_string_append_printf(s, "family %u ", a->family);
	for (unsigned i = 0; i < 16; i += 2)
		g_string_append_printf(s, "%s%02x%02x", i > 0 ? ":" : "",
		    a->a[i], a->a[i + 1]);
	g_strlcpy(n->s, s->str, sizeof(n->s));
	g_string_free(s, TRUE);
	return n->s;
}

/* Bound addresses compared exactly: family, then 4 or 16 bytes. */
static bool
addr_same(const struct rp_addr *x, const struct rp_addr *y)
{
	return x->family == y->family &&
	    memcmp(x->a, y->a, x->family == RP_AF_INET ? 4 : 16) == 0;
}

/* The wildcard address of its family. */
static bool
addr_wild(const struct rp_addr *a)
{
	static const uint8_t zero[16];

	return memcmp(a->a, zero, a->family == RP_AF_INET ? 4 : 16) == 0;
}

/* pos is inside the listening or the closed section of g (rp-int.h);
 * both checkers ask it. */
bool
rp_group_in_section(const struct rp_group *g, unsigned pos)
{
	return pos < g->num_socks ||
	    (pos < g->max_socks &&
	    pos >= (unsigned)(g->max_socks - g->num_closed_socks));
}

/* ---------------------------------------------------------------------
 * I12, I13: what a step leaves behind in the lock and RCU state.
 */

/* A violation recorded during the step, reported verbatim. */
static gboolean
check_violation(struct check *c)
{
	const char *v = c->st->violation;
	int code = 12;

	if (v == NULL)
		return TRUE;
	/* the record starts with its own id: "I12: ..." or "I13: ..." */
	if (v[0] == 'I' && g_ascii_isdigit(v[1]))
		code = (int)g_ascii_strtoll(v + 1, NULL, 10);
	g_set_error_literal(c->error, RP_CHECK_ERROR, code, v);
	return FALSE;
}

/* No lock and no read-side section is held between steps. */
static gboolean
check_locks(struct check *c)
{
	const struct rp_state *st = c->st;

	if (st->reuseport_holder != 0)
		return fail(c, INV_I12, "reuseport_lock is held by thread %u "
		    "between steps (no lock is held between syscalls)",
		    st->reuseport_holder - 1);
	for (unsigned t = 0; t < RP_NTHREADS; t++) {
		const struct rp_thread *th = &st->threads[t];

		if (th->holds_reuseport)
			return fail(c, INV_I12, "thread %u believes it holds "
			    "reuseport_lock between steps", t);
		if (th->cb_held != 0)
			return fail(c, INV_I12, "thread %u holds %u callback "
			    "locks between steps", t, th->cb_held);
		if (th->rcu_depth != 0)
			return fail(c, INV_I13, "thread %u is inside %u RCU "
			    "read-side sections between steps (a selection "
			    "runs entirely inside one section)", t,
			    th->rcu_depth);
	}
	for (guint i = 1; i < st->socks->len; i++) {
		const struct rp_sock *sk = st->socks->pdata[i];

		if (sk != NULL && sk->cb_holder != 0)
			return fail(c, INV_I12, "the callback lock of socket "
			    "%u is held by thread %u between steps", sk->id,
			    sk->cb_holder - 1);
	}
	return TRUE;
}

/* ---------------------------------------------------------------------
 * Object tables
 */

static void
add_bucket(gpointer key, gpointer value, gpointer ud)
{
	(void)key;
	g_hash_table_add(ud, value);
}

/*
 * Collect the live objects.  Entry i of each table is object i or NULL;
 * a registered group is never dead (group.c unregisters at release).
 */
static gboolean
collect(struct check *c)
{
	const struct rp_state *st = c->st;

	for (guint i = 1; i < st->socks->len; i++) {
		const struct rp_sock *sk = st->socks->pdata[i];

		if (sk == NULL)
			continue;
		if (sk->id != i)
			return fail(c, INV_I13, "socket table entry %u holds "
			    "socket %u", i, sk->id);
		g_hash_table_add(c->socks, (gpointer)sk);
	}
	for (guint i = 1; i < st->groups->len; i++) {
		const struct rp_group *g = st->groups->pdata[i];

		if (g == NULL)
			continue;
		if (g->id != i)
			return fail(c, INV_I13, "group table entry %u holds "
			    "group %u", i, g->id);
		if (g->dead)
			return fail(c, INV_I13, "group %u is freed (dead) but "
			    "still registered", g->id);
		g_hash_table_add(c->groups, (gpointer)g);
	}
	for (guint i = 1; i < st->maps->len; i++) {
		const struct rp_map *m = st->maps->pdata[i];

		if (m == NULL)
			continue;
		if (m->id != i)
			return fail(c, INV_I13, "map table entry %u holds "
			    "map %u", i, m->id);
		g_hash_table_add(c->maps, (gpointer)m);
	}
	for (guint i = 1; i < st->progs->len; i++) {
		const struct rp_prog *p = st->progs->pdata[i];

		if (p == NULL)
			continue;
		if (p->id != i)
			return fail(c, INV_I13, "program table entry %u holds "
			    "program %u", i, p->id);
		g_hash_table_add(c->progs, (gpointer)p);
	}
	if (st->buckets != NULL)
		g_hash_table_foreach(st->buckets, add_bucket, c->buckets);
	return TRUE;
}

/* ---------------------------------------------------------------------
 * I7-I10: groups
 */

/* I8 for one group; run before its socks[] is walked. */
static gboolean
check_group_sizes(struct check *c, const struct rp_group *g)
{
	unsigned n = g->num_socks, nc = g->num_closed_socks, max = g->max_socks;

	if (max < RP_INIT_SOCKS || max > RP_MAX_SOCKS_CAP ||
	    (max & (max - 1)) != 0)
		return fail(c, INV_I8, "group %u: max_socks is 128 times a "
		    "power of two and at most 32768 fails (max_socks %u)",
		    g->id, max);
	if (n + nc > max)
		return fail(c, INV_I8, "group %u: num_socks + num_closed_socks "
		    "<= max_socks fails (%u + %u > %u)", g->id, n, nc, max);
	if (n + nc == 0)
		return fail(c, INV_I8, "group %u has no member but is not "
		    "freed (a group with no member is freed in the same step)",
		    g->id);
	if (nc > 0 && !c->prof->migration)
		return fail(c, INV_I8, "group %u has %u closed sockets but "
		    "profile %s has no closed section", g->id, nc,
		    c->prof->name);
	return TRUE;
}

/* One socks[] entry of a section: a live member pointing back at pos. */
static gboolean
check_group_entry(struct check *c, const struct rp_group *g, unsigned pos)
{
	const struct rp_sock *sk = g->socks[pos];
	struct name n;

	if (sk == NULL)
		return fail(c, INV_I7, "group %u socks[%u] is empty inside "
		    "the %s section (num_socks %u, num_closed_socks %u)",
		    g->id, pos, pos < g->num_socks ? "listening" : "closed",
		    g->num_socks, g->num_closed_socks);
	if (!sock_known(c, sk))
		return fail(c, INV_I13, "group %u socks[%u] points to a freed "
		    "socket", g->id, pos);
	if (sk->dead)
		return fail(c, INV_I13, "group %u socks[%u] is socket %u, "
		    "which is dead (freed)", g->id, pos, sk->id);
	if (sk->reuse != g)
		return fail(c, INV_I7, "group %u socks[%u] is socket %u whose "
		    "group pointer is %s", g->id, pos, sk->id,
		    group_name(c, sk->reuse, &n));
	if (sk->reuse_pos != pos) {
		if (rp_group_in_section(g, sk->reuse_pos) &&
		    g->socks[sk->reuse_pos] == sk)
			return fail(c, INV_I7, "socket %u is listed twice in "
			    "group %u (socks[%u] and socks[%u])", sk->id,
			    g->id, MIN(pos, sk->reuse_pos),
			    MAX(pos, sk->reuse_pos));
		return fail(c, INV_I7, "group %u socks[%u] is socket %u whose "
		    "reuse_pos is %u", g->id, pos, sk->id, sk->reuse_pos);
	}
	return TRUE;
}

/* I7 and I13 for socks[] of g: both sections full, the gap empty. */
static gboolean
check_group_members(struct check *c, const struct rp_group *g)
{
	unsigned cpu = 0;
	struct name n;

	for (unsigned pos = 0; pos < g->max_socks; pos++) {
		const struct rp_sock *sk = g->socks[pos];

		if (rp_group_in_section(g, pos)) {
			if (!check_group_entry(c, g, pos))
				return FALSE;
			if (pos < g->num_socks && sk->incoming_cpu >= 0)
				cpu++;
		} else if (sk != NULL) {
			return fail(c, INV_I7, "group %u socks[%u] lies "
			    "between the listening and closed sections but "
			    "holds %s", g->id, pos, sock_name(c, sk, &n));
		}
	}
	/* KERNEL: 6.1+ reuseport_update_incoming_cpu(): listening members */
	if (c->prof->incoming_cpu && cpu != g->incoming_cpu)
		return fail(c, INV_I7, "group %u counts %u listening members "
		    "with SO_INCOMING_CPU (incoming_cpu) but %u are listed",
		    g->id, g->incoming_cpu, cpu);
	if (g->prog != NULL && !g_hash_table_contains(c->progs, g->prog))
		return fail(c, INV_I13, "group %u's program is a freed program",
		    g->id);
	return TRUE;
}

/*
 * I10: the listening section agrees with socks[0] on every join key that
 * cannot change afterwards; IPV6_V6ONLY is one only at the wildcard.  The bound device is a join key too, but
 * SO_BINDTOIFINDEX may change it on a TCP member, which stays in its
 * group (TCP has no rehash; udp_lib_rehash() takes a UDP member out).
 */
static gboolean
check_group_join(struct check *c, const struct rp_group *g)
{
	const struct rp_sock *a = g->socks[0];
	struct name x, y;

	for (unsigned pos = 1; pos < g->num_socks; pos++) {
		const struct rp_sock *b = g->socks[pos];
		const char *what = NULL;
		char va[128], vb[128];

		if (b->net != a->net) {
			what = "netns";
			g_snprintf(va, sizeof(va), "%u", a->net->id);
			g_snprintf(vb, sizeof(vb), "%u", b->net->id);
		} else if (b->family != a->family) {
			what = "family";
			g_snprintf(va, sizeof(va), "%d", a->family);
			g_snprintf(vb, sizeof(vb), "%d", b->family);
		} else if (b->protocol != a->protocol) {
			what = "protocol";
			g_strlcpy(va, proto_name(a->protocol, &x), sizeof(va));
			g_strlcpy(vb, proto_name(b->protocol, &y), sizeof(vb));
		} else if (b->num != a->num) {
			what = "port";
			g_snprintf(va, sizeof(va), "%u", a->num);
			g_snprintf(vb, sizeof(vb), "%u", b->num);
		} else if (!addr_same(&b->rcv_saddr, &a->rcv_saddr)) {
			what = "bound address";
			g_strlcpy(va, addr_name(&a->rcv_saddr, &x), sizeof(va));
			g_strlcpy(vb, addr_name(&b->rcv_saddr, &y), sizeof(vb));
		} else if (b->ipv6only != a->ipv6only &&
		    addr_wild(&a->rcv_saddr)) {
			what = "ipv6only";
			g_snprintf(va, sizeof(va), "%d", a->ipv6only);
			g_snprintf(vb, sizeof(vb), "%d", b->ipv6only);
		} else if (b->uid != a->uid) {
			what = "uid";
			g_snprintf(va, sizeof(va), "%u", a->uid);
			g_snprintf(vb, sizeof(vb), "%u", b->uid);
		}
		if (what != NULL)
			return fail(c, INV_I10, "group %u socks[0] (socket %u) "
			    "and socks[%u] (socket %u) differ in %s (%s vs %s)",
			    g->id, a->id, pos, b->id, what, va, vb);
	}
	return TRUE;
}

/* I9: distinct ids; 4.19 lazily from 1, 5.7+ from creation. */
static gboolean
check_group_ids(struct check *c)
{
	const struct rp_state *st = c->st;
	g_autoptr(GHashTable) ids = g_hash_table_new(g_direct_hash, NULL);

	for (guint i = 1; i < st->groups->len; i++) {
		const struct rp_group *g = st->groups->pdata[i], *o;

		if (g == NULL)
			continue;
		if (c->prof->lazy_group_id &&
		    g->has_id != (g->reuseport_id != 0))
			return fail(c, INV_I9, "group %u has has_id %d but "
			    "reuseport_id %u (profile %s: the id is 0 exactly "
			    "until it is assigned, then at least 1)", g->id,
			    g->has_id, g->reuseport_id, c->prof->name);
		if (!c->prof->lazy_group_id && !g->has_id)
			return fail(c, INV_I9, "group %u has no reuseport_id "
			    "(profile %s: every group has an id from creation)",
			    g->id, c->prof->name);
		if (!g->has_id)
			continue;
		o = g_hash_table_lookup(ids, GUINT_TO_POINTER(g->reuseport_id));
		if (o != NULL)
			return fail(c, INV_I9, "groups %u and %u share "
			    "reuseport_id %u (live groups have pairwise "
			    "distinct ids)", o->id, g->id, g->reuseport_id);
		g_hash_table_insert(ids, GUINT_TO_POINTER(g->reuseport_id),
		    (gpointer)g);
	}
	return TRUE;
}

/* I7, I8, I10 and I13 for every live group, then I9 across them. */
static gboolean
check_groups(struct check *c)
{
	const struct rp_state *st = c->st;

	for (guint i = 1; i < st->groups->len; i++) {
		const struct rp_group *g = st->groups->pdata[i];

		if (g == NULL)
			continue;
		if (!check_group_sizes(c, g) || !check_group_members(c, g) ||
		    !check_group_join(c, g))
			return FALSE;
	}
	return check_group_ids(c);
}

/* I7, socket side: a live socket's group is live and lists it. */
static gboolean
check_sock_groups(struct check *c)
{
	const struct rp_state *st = c->st;
	struct name n;

	for (guint i = 1; i < st->socks->len; i++) {
		const struct rp_sock *sk = st->socks->pdata[i];
		const struct rp_group *g;
		unsigned pos;

		if (sk == NULL || sk->dead || sk->reuse == NULL)
			continue;
		g = sk->reuse;
		if (!g_hash_table_contains(c->groups, g))
			return fail(c, INV_I7, "socket %u's group pointer "
			    "refers to a freed group", sk->id);
		pos = sk->reuse_pos;
		if (!rp_group_in_section(g, pos))
			return fail(c, INV_I7, "socket %u's group pointer is "
			    "group %u at socks[%u], outside both sections "
			    "(num_socks %u, num_closed_socks %u, max_socks %u)",
			    sk->id, g->id, pos, g->num_socks,
			    g->num_closed_socks, g->max_socks);
		if (g->socks[pos] != sk)
			return fail(c, INV_I7, "socket %u's group pointer is "
			    "group %u at socks[%u], but group %u socks[%u] "
			    "holds %s", sk->id, g->id, pos, g->id, pos,
			    sock_name(c, g->socks[pos], &n));
	}
	return TRUE;
}

/* ---------------------------------------------------------------------
 * I1-I4, I9, I13: reuseport sockarrays
 */

/* First walk: every occupant is a live socket in no other slot (I2). */
static gboolean
check_sockarray_refs(struct check *c, const struct rp_map *m)
{
	for (uint32_t i = rp_slots_next(&m->u.slots, 0); i < m->max_entries;
	    i = rp_slots_next(&m->u.slots, i + 1)) {
		const struct rp_sock *sk = rp_map_sock(m, i);
		const struct rp_map *o;

		if (!sock_known(c, sk))
			return fail(c, INV_I13, "map %u slot %u points to a "
			    "freed socket", m->id, i);
		if (sk->dead)
			return fail(c, INV_I13, "map %u slot %u holds socket "
			    "%u, which is dead (freed)", m->id, i, sk->id);
		o = c->slot_map[sk->id];
		if (o != NULL)
			return fail(c, INV_I2, "socket %u occupies map %u "
			    "slot %u and map %u slot %u", sk->id, o->id,
			    c->slot_idx[sk->id], m->id, i);
		c->slot_map[sk->id] = m;
		c->slot_idx[sk->id] = i;
	}
	return TRUE;
}

/* I3: what keeps sk from being a sockarray occupant (rp-int.h); the
 * checker of every step (check-step.c) asks the same. */
enum rp_inelig
rp_sock_ineligible(const struct rp_sock *sk)
{
	if (sk->protocol != RP_IPPROTO_TCP && sk->protocol != RP_IPPROTO_UDP)
		return RP_INELIG_PROTOCOL;
	if (sk->family != RP_AF_INET && sk->family != RP_AF_INET6)
		return RP_INELIG_FAMILY;
	if (sk->type != RP_SOCK_STREAM && sk->type != RP_SOCK_DGRAM)
		return RP_INELIG_TYPE;
	if (!sk->hashed)
		return RP_INELIG_UNHASHED;
	if (!sk->rcu_free)
		return RP_INELIG_NOT_RCU_FREE;
	if (sk->reuse == NULL)
		return RP_INELIG_NO_GROUP;
	if (sk->closed)
		return RP_INELIG_CLOSED;
	/* a closed-section socket is eligible only hashed again: listening
	 * without SO_REUSEPORT (R-DET-11) or connected (R-DET-12) */
	if (sk->reuse_pos >= sk->reuse->num_socks &&
	    sk->state != RP_TCP_LISTEN && sk->state != RP_TCP_ESTABLISHED)
		return RP_INELIG_CLOSED_SECTION;
	return RP_ELIGIBLE;
}

/* I3: why sk may not be a sockarray occupant, in words, or NULL. */
static const char *
ineligible(const struct rp_sock *sk, struct name *n)
{
	switch (rp_sock_ineligible(sk)) {
	case RP_ELIGIBLE:
		return NULL;
	case RP_INELIG_PROTOCOL:
		g_snprintf(n->s, sizeof(n->s), "neither TCP nor UDP "
		    "(protocol %d)", sk->protocol);
		break;
	case RP_INELIG_FAMILY:
		g_snprintf(n->s, sizeof(n->s), "neither AF_INET nor AF_INET6 "
		    "(family %d)", sk->family);
		break;
	case RP_INELIG_TYPE:
		g_snprintf(n->s, sizeof(n->s), "neither SOCK_STREAM nor "
		    "SOCK_DGRAM (type %d)", sk->type);
		break;
	case RP_INELIG_UNHASHED:
		return "not hashed";
	case RP_INELIG_NOT_RCU_FREE:
		return "not SOCK_RCU_FREE";
	case RP_INELIG_NO_GROUP:
		return "in no reuseport group";
	case RP_INELIG_CLOSED:
		return "closed";
	case RP_INELIG_CLOSED_SECTION:
		g_snprintf(n->s, sizeof(n->s), "in the closed section of "
		    "group %u (socks[%u])", sk->reuse->id, sk->reuse_pos);
		break;
	}
	return n->s;
}

/* Second walk: I4, I1, I3 and I9 per occupant, then the used count. */
static gboolean
check_sockarray_slots(struct check *c, const struct rp_map *m)
{
	unsigned used = 0;
	struct name n;

	for (uint32_t i = rp_slots_next(&m->u.slots, 0); i < m->max_entries;
	    i = rp_slots_next(&m->u.slots, i + 1)) {
		const struct rp_sock *sk = rp_map_sock(m, i);
		const struct rp_owner *o;
		const char *why;

		used++;
		o = &sk->owner;
		if (o->kind == RP_OWNER_PSOCK || o->kind == RP_OWNER_FOREIGN)
			return fail(c, INV_I4, "map %u slot %u holds socket %u "
			    "whose owner word belongs to %s (the sockarray "
			    "never takes a foreign owner's socket)", m->id, i,
			    sk->id, owner_name(c, o, &n));
		if (o->kind != RP_OWNER_SLOT || o->map != m || o->idx != i)
			return fail(c, INV_I1, "map %u slot %u holds socket %u "
			    "but socket %u's owner word says %s", m->id, i,
			    sk->id, sk->id, owner_name(c, o, &n));
		why = ineligible(sk, &n);
		if (why != NULL)
			return fail(c, INV_I3, "map %u slot %u holds socket "
			    "%u, which is %s", m->id, i, sk->id, why);
		if (!sk->reuse->has_id)
			return fail(c, INV_I9, "group %u has no reuseport_id "
			    "although its socket %u is in map %u slot %u",
			    sk->reuse->id, sk->id, m->id, i);
	}
	if (used != m->used)
		return fail(c, INV_I1, "map %u counts %u used slots but %u are "
		    "occupied", m->id, m->used, used);
	return TRUE;
}

/* ---------------------------------------------------------------------
 * I4, I13: sockmaps, sockhashes and map-in-map
 */

/* A sockmap/sockhash entry: live, and (5.8+ tags) owned by a psock. */
static int
sockmap_entry_problem(struct check *c, const struct rp_map *m, uint32_t key,
    const struct rp_sock *sk, bool report)
{
	struct name n;

	if (!sock_known(c, sk)) {
		if (report)
			fail(c, INV_I13, "map %u key %u points to a freed "
			    "socket", m->id, key);
		return INV_I13;
	}
	if (sk->dead) {
		if (report)
			fail(c, INV_I13, "map %u key %u holds socket %u, which "
			    "is dead (freed)", m->id, key, sk->id);
		return INV_I13;
	}
	/* 4.19 clears psock words by mistake (detach.c): known defect */
	if (c->prof->user_data_tags && sk->owner.kind != RP_OWNER_PSOCK) {
		if (report)
			fail(c, INV_I4, "map %u key %u holds socket %u whose "
			    "owner word says %s, not a psock", m->id, key,
			    sk->id, owner_name(c, &sk->owner, &n));
		return INV_I4;
	}
	return 0;
}

struct hash_walk {
	struct check		*c;
	const struct rp_map	*m;
	bool			bad;
	uint32_t		bad_key;	/* lowest key with a problem */
};

static void
sockhash_entry(gpointer key, gpointer value, gpointer ud)
{
	struct hash_walk *w = ud;
	uint32_t k = GPOINTER_TO_UINT(key);

	if (sockmap_entry_problem(w->c, w->m, k, value, false) != 0) {
		if (!w->bad || k < w->bad_key)
			w->bad_key = k;
		w->bad = true;
	} else {
		w->c->psock_count[((struct rp_sock *)value)->id]++;
	}
}

/* I4 and I13 for one SOCKMAP or SOCKHASH; tallies memberships. */
static gboolean
check_sockmap(struct check *c, const struct rp_map *m)
{
	struct hash_walk w = { .c = c, .m = m };

	if (m->type == RP_MAP_SOCKMAP) {
		for (uint32_t i = rp_slots_next(&m->u.slots, 0);
		    i < m->max_entries; i = rp_slots_next(&m->u.slots, i + 1)) {
			const struct rp_sock *sk = rp_map_sock(m, i);

			if (sockmap_entry_problem(c, m, i, sk, true) != 0)
				return FALSE;
			c->psock_count[sk->id]++;
		}
		return TRUE;
	}
	g_hash_table_foreach(m->u.hash, sockhash_entry, &w);
	if (w.bad) {
		sockmap_entry_problem(c, m, w.bad_key, g_hash_table_lookup(
		    m->u.hash, GUINT_TO_POINTER(w.bad_key)), true);
		return FALSE;
	}
	return TRUE;
}

static void
outer_entry(gpointer key, gpointer value, gpointer ud)
{
	struct hash_walk *w = ud;
	uint32_t k = GPOINTER_TO_UINT(key);

	if (!map_live(w->c, value) && (!w->bad || k < w->bad_key)) {
		w->bad_key = k;
		w->bad = true;
	}
}

/* I13 for one ARRAY_OF_MAPS or HASH_OF_MAPS: inner maps are live. */
static gboolean
check_outer(struct check *c, const struct rp_map *m)
{
	struct hash_walk w = { .c = c, .m = m };
	const struct rp_map *in = NULL;
	struct name n;

	if (m->type == RP_MAP_ARRAY_OF_MAPS) {
		for (uint32_t i = rp_slots_next(&m->u.slots, 0);
		    i < m->max_entries && !w.bad;
		    i = rp_slots_next(&m->u.slots, i + 1)) {
			in = rp_map_inner(m, i);
			w.bad = !map_live(c, in);
			w.bad_key = i;
		}
	} else {
		g_hash_table_foreach(m->u.hash, outer_entry, &w);
		if (w.bad)
			in = g_hash_table_lookup(m->u.hash,
			    GUINT_TO_POINTER(w.bad_key));
	}
	if (w.bad)
		return fail(c, INV_I13, "map %u slot %u points to %s", m->id,
		    w.bad_key, map_name(c, in, &n));
	return TRUE;
}

/* Every live map by type, in id order: sockarrays twice (I2 first). */
static gboolean
check_maps(struct check *c)
{
	const struct rp_state *st = c->st;

	for (guint i = 1; i < st->maps->len; i++) {
		const struct rp_map *m = st->maps->pdata[i];

		if (m != NULL && !m->dead &&
		    m->type == RP_MAP_REUSEPORT_SOCKARRAY &&
		    !check_sockarray_refs(c, m))
			return FALSE;
	}
	for (guint i = 1; i < st->maps->len; i++) {
		const struct rp_map *m = st->maps->pdata[i];
		gboolean ok = TRUE;

		if (m == NULL || m->dead)
			continue;	/* a dead map's arrays may be gone */
		switch (m->type) {	/* LCOV_EXCL_BR_LINE */
		case RP_MAP_REUSEPORT_SOCKARRAY:
			ok = check_sockarray_slots(c, m);
			break;
		case RP_MAP_SOCKMAP:
		case RP_MAP_SOCKHASH:
			ok = check_sockmap(c, m);
			break;
		case RP_MAP_ARRAY_OF_MAPS:
		case RP_MAP_HASH_OF_MAPS:
			ok = check_outer(c, m);
			break;
		default:	/* LCOV_EXCL_LINE */
			break;	/* LCOV_EXCL_LINE */
		}
		if (!ok)
			return FALSE;
	}
	return TRUE;
}

/* I13: a program's map is live (the program holds a reference). */
static gboolean
check_progs(struct check *c)
{
	const struct rp_state *st = c->st;
	struct name n;

	for (guint i = 1; i < st->progs->len; i++) {
		const struct rp_prog *p = st->progs->pdata[i];

		if (p != NULL && p->map != NULL && !map_live(c, p->map))
			return fail(c, INV_I13, "program %u references %s",
			    p->id, map_name(c, p->map, &n));
	}
	return TRUE;
}

/* ---------------------------------------------------------------------
 * I1, I4, I5: owner words, socket side
 */

/* A SLOT owner word names a live sockarray slot that holds sk. */
static gboolean
check_owner_slot(struct check *c, const struct rp_sock *sk)
{
	const struct rp_map *m = sk->owner.map;
	uint32_t idx = sk->owner.idx;
	struct name n;

	if (m == NULL)
		return fail(c, INV_I1, "socket %u's owner word says slot %u "
		    "of no map", sk->id, idx);
	if (!g_hash_table_contains(c->maps, m))
		return fail(c, INV_I5, "socket %u's owner word refers to slot "
		    "%u of a freed map", sk->id, idx);
	if (m->dead)
		return fail(c, INV_I5, "socket %u's owner word refers to "
		    "map %u slot %u, but map %u is freed", sk->id, m->id, idx,
		    m->id);
	if (m->type != RP_MAP_REUSEPORT_SOCKARRAY)
		return fail(c, INV_I1, "socket %u's owner word says map %u "
		    "slot %u, but map %u is not a reuseport sockarray "
		    "(type %u)", sk->id, m->id, idx, m->id, m->type);
	if (idx >= m->max_entries)
		return fail(c, INV_I1, "socket %u's owner word says map %u "
		    "slot %u, but map %u has %u slots", sk->id, m->id, idx,
		    m->id, m->max_entries);
	if (rp_map_sock(m, idx) != sk)
		return fail(c, INV_I1, "socket %u's owner word says map %u "
		    "slot %u, but that slot holds %s", sk->id, m->id, idx,
		    sock_name(c, rp_map_sock(m, idx), &n));
	return TRUE;
}

/* Owner word and psock count of every live socket. */
static gboolean
check_owners(struct check *c)
{
	const struct rp_state *st = c->st;
	bool tags = c->prof->user_data_tags;
	struct name n;

	for (guint i = 1; i < st->socks->len; i++) {
		const struct rp_sock *sk = st->socks->pdata[i];
		bool psock;

		if (sk == NULL || sk->dead)
			continue;
		if (sk->owner.kind == RP_OWNER_SLOT && !check_owner_slot(c, sk))
			return FALSE;
		/* KERNEL: 4.19 sk_clone_lock() copies sk_user_data (known
		 * defect, the copy is never used); 5.8+ NOCOPY forbids it */
		if (sk->owner.kind == RP_OWNER_STALE && tags)
			return fail(c, INV_I1, "socket %u's owner word is %s "
			    "(profile %s clears copied owner words: "
			    "SK_USER_DATA_NOCOPY)", sk->id,
			    owner_name(c, &sk->owner, &n), c->prof->name);
		if (c->psock_count[i] != sk->psock_refs)
			return fail(c, INV_I4, "socket %u has psock_refs %u "
			    "but is in %u sockmap/sockhash entries", sk->id,
			    sk->psock_refs, c->psock_count[i]);
		psock = sk->owner.kind == RP_OWNER_PSOCK;
		if (psock && sk->psock_refs == 0)
			return fail(c, INV_I4, "socket %u's owner word says a "
			    "psock but it is in no sockmap or sockhash",
			    sk->id);
		/* a foreign owner (l2tp, encap) never gives its word up;
		 * only 4.19's detach clears it (the known defect) */
		if (sk->foreign_owned && sk->owner.kind != RP_OWNER_FOREIGN &&
		    tags)
			return fail(c, INV_I4, "socket %u's foreign owner word "
			    "was overwritten: it now says %s", sk->id,
			    owner_name(c, &sk->owner, &n));
		/* a sockmap member without a psock word was reported by
		 * check_maps() (6.18; in 4.19 the detach may clear it, the
		 * known defect) */
	}
	return TRUE;
}

/* ---------------------------------------------------------------------
 * I11: cookies
 */

struct cookie_key {
	struct rp_cookie_key	k;		/* first: the hash key */
	unsigned		sock;
};

guint
rp_cookie_key_hash(gconstpointer p)
{
	const struct rp_cookie_key *k = p;

	return (guint)(k->cookie ^ (k->cookie >> 32)) * 31u + k->netns;
}

gboolean
rp_cookie_key_equal(gconstpointer x, gconstpointer y)
{
	const struct rp_cookie_key *a = x, *b = y;

	return a->cookie == b->cookie && a->netns == b->netns;
}

/* Cookies are unique among live sockets (4.19: per netns). */
static gboolean
check_cookies(struct check *c)
{
	const struct rp_state *st = c->st;
	bool per_netns = c->prof->cookie_gen == RP_COOKIE_PER_NETNS;
	g_autofree struct cookie_key *keys =
	    g_new0(struct cookie_key, st->socks->len);
	g_autoptr(GHashTable) seen = g_hash_table_new(rp_cookie_key_hash,
	    rp_cookie_key_equal);

	for (guint i = 1; i < st->socks->len; i++) {
		const struct rp_sock *sk = st->socks->pdata[i];
		struct cookie_key *k = &keys[i];
		const struct cookie_key *o;

		if (sk == NULL || sk->dead || sk->cookie == 0)
			continue;
		k->k.cookie = sk->cookie;
		k->k.netns = per_netns ? sk->net->id : 0;
		k->sock = sk->id;
		o = g_hash_table_lookup(seen, k);
		if (o != NULL && per_netns)
			return fail(c, INV_I11, "sockets %u and %u in netns %u "
			    "share cookie %" G_GUINT64_FORMAT " (unique per "
			    "network namespace in profile %s)", o->sock,
			    sk->id, k->k.netns, k->k.cookie, c->prof->name);
		if (o != NULL)
			return fail(c, INV_I11, "sockets %u and %u share "
			    "cookie %" G_GUINT64_FORMAT " (unique among live "
			    "sockets)",
			    o->sock, sk->id, k->k.cookie);
		g_hash_table_add(seen, k);
	}
	return TRUE;
}

/* ---------------------------------------------------------------------
 * I7 (bind bucket): port buckets and their members, both ways
 */

static bool
bucket_before(const struct rp_bucket *x, unsigned xi,
    const struct rp_bucket *y, unsigned yi)
{
	if (x->netns != y->netns)
		return x->netns < y->netns;
	if (x->protocol != y->protocol)
		return x->protocol < y->protocol;
	if (x->port != y->port)
		return x->port < y->port;
	return xi < yi;
}

/* "bucket (netns 0, tcp port 8080)" */
static const char *
bucket_name(const struct rp_bucket *b, struct name *n)
{
	struct name p;

	g_snprintf(n->s, sizeof(n->s), "bucket (netns %u, %s port %u)",
	    b->netns, proto_name(b->protocol, &p), b->port);
	return n->s;
}

/* A bound entry that no socket claims, lowest (netns, proto, port, i). */
struct unclaimed {
	struct check		*c;
	const struct rp_bucket	*b;
	unsigned		pos;
};

static void
find_unclaimed(gpointer key, gpointer value, gpointer ud)
{
	struct unclaimed *u = ud;
	const struct rp_bucket *b = value;

	(void)key;
	for (guint i = 0; i < b->bound->len; i++) {
		const struct rp_sock *sk = b->bound->pdata[i];

		if (sock_known(u->c, sk) && sk->bucket == b &&
		    sk->bound_pos == i)
			continue;
		if (u->b == NULL || bucket_before(b, i, u->b, u->pos)) {
			u->b = b;
			u->pos = i;
		}
	}
}

static void
bucket_totals(gpointer key, gpointer value, gpointer ud)
{
	const struct rp_bucket *b = value;
	unsigned *tot = ud;

	(void)key;
	*tot += b->bound->len;
}

/* The totals disagree: name the lowest bound entry nobody claims. */
static gboolean
report_unclaimed(struct check *c, unsigned claims, unsigned entries)
{
	struct unclaimed u = { .c = c };
	struct name n, bn;

	if (c->st->buckets != NULL)
		g_hash_table_foreach(c->st->buckets, find_unclaimed, &u);
	/* cannot happen: the claims are distinct entries, so fewer claims
	 * than entries leave one unclaimed */
	/* LCOV_EXCL_START */
	if (u.b == NULL)
		return fail(c, INV_BUCKET, "%u sockets claim a bound entry but "
		    "the buckets hold %u", claims, entries);
	/* LCOV_EXCL_STOP */
	return fail(c, INV_BUCKET, "%s bound[%u] holds %s, which does not "
	    "point back at it", bucket_name(u.b, &bn), u.pos,
	    sock_name(c, u.b->bound->pdata[u.pos], &n));
}

/*
 * One link of sk in the listening chain of b: the previous (next)
 * socket links back to sk, lies in the same chain and comes earlier
 * (later) in chain order (listen_seq); without one, sk is the chain's
 * head (tail).
 */
static gboolean
check_listen_link(struct check *c, const struct rp_sock *sk,
    const struct rp_bucket *b, bool next)
{
	const struct rp_sock *o = next ? sk->listen_next : sk->listen_prev;
	const struct rp_sock *end = next ? b->listen_tail : b->listen_head;
	const char *dir = next ? "next" : "previous";
	struct name n, bn;

	if (o == NULL) {
		if (end == sk)
			return TRUE;
		return fail(c, INV_BUCKET, "socket %u has no %s socket in the "
		    "listening chain of %s, whose %s is %s", sk->id, dir,
		    bucket_name(b, &bn), next ? "tail" : "head",
		    sock_name(c, end, &n));
	}
	if (!sock_known(c, o))
		return fail(c, INV_BUCKET, "socket %u's %s socket in the "
		    "listening chain of %s is a freed socket", sk->id, dir,
		    bucket_name(b, &bn));
	if (o->bucket != b || !o->listed ||
	    (next ? o->listen_prev : o->listen_next) != sk)
		return fail(c, INV_BUCKET, "socket %u's %s socket in the "
		    "listening chain of %s is socket %u, which does not link "
		    "back to it", sk->id, dir, bucket_name(b, &bn), o->id);
	if (!next && o->listen_seq >= sk->listen_seq)
		return fail(c, INV_BUCKET, "socket %u follows socket %u in the "
		    "listening chain of %s out of chain order (listen_seq %"
		    G_GINT64_FORMAT " after %" G_GINT64_FORMAT ")", sk->id,
		    o->id, bucket_name(b, &bn), sk->listen_seq, o->listen_seq);
	return TRUE;
}

/* One socket's bucket position: bound, and its links when listed. */
static gboolean
check_sock_bucket(struct check *c, const struct rp_sock *sk)
{
	const struct rp_bucket *b = sk->bucket;
	struct name n, bn;

	if (b == NULL) {
		if (sk->listed)
			return fail(c, INV_BUCKET, "socket %u is in a listening "
			    "chain but has no bucket", sk->id);
		return TRUE;
	}
	if (!g_hash_table_contains(c->buckets, b))
		return fail(c, INV_BUCKET, "socket %u's bucket is a freed "
		    "bucket", sk->id);
	if (sk->dead)
		return fail(c, INV_BUCKET, "socket %u is dead (freed) but "
		    "still in %s", sk->id, bucket_name(b, &bn));
	if (b->netns != sk->net->id || b->protocol != sk->protocol ||
	    b->port != sk->num)
		return fail(c, INV_BUCKET, "socket %u (netns %u, %s port %u) "
		    "is in %s", sk->id, sk->net->id,
		    proto_name(sk->protocol, &n), sk->num, bucket_name(b, &bn));
	if (sk->bound_pos >= b->bound->len ||
	    b->bound->pdata[sk->bound_pos] != sk)
		return fail(c, INV_BUCKET, "socket %u says bound[%u] of %s, "
		    "which has %u entries and does not hold it there", sk->id,
		    sk->bound_pos, bucket_name(b, &bn), b->bound->len);
	if (sk->listed && (!check_listen_link(c, sk, b, false) ||
	    !check_listen_link(c, sk, b, true)))
		return FALSE;
	return TRUE;
}

/* The first entry of a listening chain, walked from its head, that is
 * not a linked member of it; lowest (netns, proto, port, position). */
struct bad_chain {
	struct check		*c;
	const struct rp_bucket	*b;
	unsigned		pos;
	const struct rp_sock	*sk;	/* the entry; NULL: the end is wrong */
	const struct rp_sock	*last;	/* the last good entry */
};

static void
find_bad_chain(gpointer key, gpointer value, gpointer ud)
{
	struct bad_chain *w = ud;
	const struct rp_bucket *b = value;
	const struct rp_sock *sk = b->listen_head, *prev = NULL, *bad = NULL;
	unsigned i = 0;

	(void)key;
	/* at most nlisten + 1 steps: a cycle cannot hold the walk */
	for (; sk != NULL && i <= b->nlisten; prev = sk,
	    sk = sk->listen_next, i++) {
		if (!sock_known(w->c, sk) || sk->bucket != b || !sk->listed ||
		    sk->listen_prev != prev) {
			bad = sk;
			break;
		}
	}
	if (bad == NULL && sk == NULL && i == b->nlisten &&
	    prev == b->listen_tail)
		return;
	if (w->b == NULL || bucket_before(b, i, w->b, w->pos)) {
		w->b = b;
		w->pos = i;
		w->sk = bad;
		w->last = prev;
	}
}

/*
 * Socket side first (each claim is a distinct entry), then the bound
 * totals: when the number of claims equals the number of entries, every
 * entry is claimed.  Then every listening chain is walked from its head:
 * with the links checked from the socket side and listen_seq strictly
 * increasing along them, no listed socket can sit outside its chain, so
 * the walk finding exactly nlisten linked members is the whole check.
 */
static gboolean
check_buckets(struct check *c)
{
	const struct rp_state *st = c->st;
	struct bad_chain w = { .c = c };
	unsigned nbound = 0, tot = 0;
	struct name n, n2, bn;

	for (guint i = 1; i < st->socks->len; i++) {
		const struct rp_sock *sk = st->socks->pdata[i];

		if (sk == NULL)
			continue;
		if (!check_sock_bucket(c, sk))
			return FALSE;
		if (sk->bucket != NULL)
			nbound++;
	}
	if (st->buckets != NULL)
		g_hash_table_foreach(st->buckets, bucket_totals, &tot);
	if (nbound != tot)
		return report_unclaimed(c, nbound, tot);
	if (st->buckets != NULL)
		g_hash_table_foreach(st->buckets, find_bad_chain, &w);
	if (w.b == NULL)
		return TRUE;
	if (w.sk == NULL && w.pos != w.b->nlisten)
		return fail(c, INV_BUCKET, "%s counts %u sockets in its "
		    "listening chain but %s%u are linked from its head",
		    bucket_name(w.b, &bn), w.b->nlisten,
		    w.pos > w.b->nlisten ? "more than " : "", MIN(w.pos,
		    w.b->nlisten));
	if (w.sk == NULL)
		return fail(c, INV_BUCKET, "%s's listening chain ends at %s "
		    "but its tail is %s", bucket_name(w.b, &bn),
		    sock_name(c, w.last, &n), sock_name(c, w.b->listen_tail,
		    &n2));
	return fail(c, INV_BUCKET, "%s listen[%u] holds %s, which does not "
	    "point back at it", bucket_name(w.b, &bn), w.pos,
	    sock_name(c, w.sk, &n));
}

/* ---------------------------------------------------------------------
 * Entry point
 */

/*
 * Check every snapshot invariant of st.  Returns TRUE when all hold;
 * otherwise sets *error (RP_CHECK_ERROR, code = invariant number) for the
 * first violation found and returns FALSE.  Reads st only.
 */
gboolean
rp_check(const struct rp_state *st, GError **error)
{
	struct check c = { .st = st, .error = error };
	guint nsocks;
	gboolean ok;

	g_return_val_if_fail(st != NULL, FALSE);
	g_return_val_if_fail(error == NULL || *error == NULL, FALSE);
	c.prof = st->prof;
	nsocks = st->socks->len;
	c.socks = g_hash_table_new(g_direct_hash, NULL);
	c.groups = g_hash_table_new(g_direct_hash, NULL);
	c.maps = g_hash_table_new(g_direct_hash, NULL);
	c.progs = g_hash_table_new(g_direct_hash, NULL);
	c.buckets = g_hash_table_new(g_direct_hash, NULL);
	c.slot_map = g_new0(const struct rp_map *, nsocks);
	c.slot_idx = g_new0(uint32_t, nsocks);
	c.psock_count = g_new0(unsigned, nsocks);

	ok = check_violation(&c) &&
	    check_locks(&c) &&
	    collect(&c) &&
	    check_groups(&c) &&
	    check_sock_groups(&c) &&
	    check_maps(&c) &&
	    check_progs(&c) &&
	    check_owners(&c) &&
	    check_cookies(&c) &&
	    check_buckets(&c);

	g_hash_table_unref(c.socks);
	g_hash_table_unref(c.groups);
	g_hash_table_unref(c.maps);
	g_hash_table_unref(c.progs);
	g_hash_table_unref(c.buckets);
	g_free(c.slot_map);
	g_free(c.slot_idx);
	g_free(c.psock_count);
	return ok;
}
