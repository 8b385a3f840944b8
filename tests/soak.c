/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * soak.c - the model against a naive reference, on the generator's random
 * scenarios (issue 15 section 2).
 *
 *   tests/soak [--seed S] [--steps N] [--length L] [--profile P]
 *       [--check step|full|off] [--max-shrink N] [--save DIR] [--quiet]
 *       [--ref-fault shift|keep-slot]
 *
 * For every profile (rp_profile_nth(), or the one --profile names) it runs
 * N statements of random scenarios (case k: sim_gen_scenario() of seed
 * S+k, L statements) on the model, with the invariants checked after every
 * step (--check), and beside it a naive reference of the group and
 * sockarray bookkeeping written here with arrays and linear scans, sharing
 * no code with model/.  After every statement the two are compared:
 *
 *   - every group's listening section, position by position, its closed
 *     section as a set, its reuseport id (R-GRP-1, R-GRP-3, R-GRP-9,
 *     R-GRP-10, R-DET-6);
 *   - every socket's group, position and closed flag;
 *   - every reuseport array's occupied slots and its count of them, and
 *     every socket's owner word where it names a reuseport array slot
 *     (R-UPD-9, R-DEL-3, R-DET-1, R-DET-3, R-FREE-2);
 *   - the results of update, delete and lookup on a reuseport array where
 *     the reference can tell them: -E2BIG past the end (R-UPD-2, R-DEL-1),
 *     -EEXIST/-ENOENT from the flags (R-UPD-6a, R-UPD-6b), -ENOENT for an
 *     empty slot (R-DEL-2, R-LKP-3c), 0 only for a socket in a group that
 *     owns no slot (R-UPD-6f, R-UPD-6g).
 *
 * What the reference takes from the model as given, and does not judge:
 * which group a socket joins and when it leaves one (the events
 * GROUP_NEW, GROUP_ADD, GROUP_DEL, GROUP_CLOSE: the address rules belong
 * to the corpus and to fuzz-diff against the kernel), ids of objects, and
 * whether a map operation failed for a reason the reference does not model
 * (fd permissions, frozen maps, attribute tails).  From those it computes
 * positions itself (append, swap the last listening member into a hole),
 * which slot a detach or a free empties, and which owner words they clear.
 *
 * A difference is shrunk (sim/tools/shrink.h) to the smallest scenario
 * that still shows it and printed (--save DIR writes it).  --ref-fault
 * plants a fault in the reference, so that tests/soak.sh can show that
 * the comparison fails when the two disagree.
 *
 * Exit status: 0 no difference and no violation, 1 otherwise, 2 usage.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib.h>

#include "rp.h"

#include "backend/model.h"
#include "core/exec.h"
#include "core/run.h"
#include "tools/diff.h"
#include "lang/scenario.h"
#include "tools/gen.h"
#include "tools/shrink.h"

enum ref_fault {
	FAULT_NONE,
	FAULT_SHIFT,		/* members leave by shifting, not swapping */
	FAULT_KEEP_SLOT,	/* detach leaves the slot occupied */
};

/* ---------------------------------------------------------------------
 * The reference: arrays indexed by the model's ids, linear scans.
 */

struct rsock {
	gboolean	 known;
	unsigned	 group;		/* 0 = none */
	gboolean	 closed;	/* in its group's closed section */
	unsigned	 omap;		/* owner word: reuseport array, 0 = none */
	uint32_t	 oidx;
};

struct rgroup {
	gboolean	 live;
	gboolean	 has_id;
	uint32_t	 rid;
	GArray		*active;	/* unsigned: listening section, in order */
	GArray		*closed;	/* unsigned: closed section, any order */
};

struct rmap {
	gboolean	 sockarray;	/* live reuseport array */
	uint32_t	 max;
	GArray		*slot;		/* unsigned socket id, 0 = empty */
};

typedef struct Ref Ref;
struct Ref {
	enum ref_fault	 fault;
	uint32_t	 id_min;	/* lowest group id: 4.19 1, else 0 */
	GArray		*socks;		/* struct rsock, by id */
	GArray		*groups;	/* struct rgroup, by id */
	GArray		*maps;		/* struct rmap, by id */
	GString		*diff;		/* the first difference, or empty */
};

/* What the reference followed, over a whole soak (the summary). */
static struct {
	guint64	joins, leaves, closes, inserts, deletes, detaches, frees;
} followed;

static Ref *cur;			/* the run in progress (one at a time) */

static void
ref_init(Ref *r, enum ref_fault fault, const char *profile)
{
	memset(r, 0, sizeof(*r));
	r->fault = fault;
	/* R-GRP-1, R-GRP-11: 4.19 allocates ids lazily, from 1 */
	r->id_min = g_str_has_prefix(profile, "4.") ? 1 : 0;
	r->socks = g_array_new(FALSE, TRUE, sizeof(struct rsock));
	r->groups = g_array_new(FALSE, TRUE, sizeof(struct rgroup));
	r->maps = g_array_new(FALSE, TRUE, sizeof(struct rmap));
	r->diff = g_string_new(NULL);
}

static void
ref_clear(Ref *r)
{
	for (guint i = 0; i < r->groups->len; i++) {
		struct rgroup *g = &g_array_index(r->groups, struct rgroup, i);

		if (g->active != NULL)
			g_array_free(g->active, TRUE);
		if (g->closed != NULL)
			g_array_free(g->closed, TRUE);
	}
	for (guint i = 0; i < r->maps->len; i++) {
		struct rmap *m = &g_array_index(r->maps, struct rmap, i);

		if (m->slot != NULL)
			g_array_free(m->slot, TRUE);
	}
	g_array_free(r->socks, TRUE);
	g_array_free(r->groups, TRUE);
	g_array_free(r->maps, TRUE);
	g_string_free(r->diff, TRUE);
}

static void G_GNUC_PRINTF(2, 3)
differ(Ref *r, const char *fmt, ...)
{
	va_list ap;

	if (r->diff->len > 0)
		return;		/* the first one counts */
	va_start(ap, fmt);
	g_string_append_vprintf(r->diff, fmt, ap);
	va_end(ap);
}

static struct rsock *
rsock(Ref *r, unsigned id)
{
	if (id >= r->socks->len)
		g_array_set_size(r->socks, id + 1);
	return &g_array_index(r->socks, struct rsock, id);
}

static struct rgroup *
rgroup(Ref *r, unsigned id)
{
	struct rgroup *g;

	if (id >= r->groups->len)
		g_array_set_size(r->groups, id + 1);
	g = &g_array_index(r->groups, struct rgroup, id);
	if (g->active == NULL) {
		g->active = g_array_new(FALSE, FALSE, sizeof(unsigned));
		g->closed = g_array_new(FALSE, FALSE, sizeof(unsigned));
	}
	return g;
}

static struct rmap *
rmap(Ref *r, unsigned id)
{
	if (id >= r->maps->len)
		g_array_set_size(r->maps, id + 1);
	return &g_array_index(r->maps, struct rmap, id);
}

/* Index of sock in a, or -1: a linear scan. */
static int
find(const GArray *a, unsigned sock)
{
	for (guint i = 0; i < a->len; i++)
		if (g_array_index(a, unsigned, i) == sock)
			return (int)i;
	return -1;
}

/* Empty the slot sock owns, if it owns one, and its owner word. */
static void
ref_detach(Ref *r, unsigned sock)
{
	struct rsock *s = rsock(r, sock);
	struct rmap *m;

	if (s->omap == 0)
		return;
	followed.detaches++;
	m = rmap(r, s->omap);
	if (m->sockarray && s->oidx < m->slot->len &&
	    g_array_index(m->slot, unsigned, s->oidx) == sock &&
	    r->fault != FAULT_KEEP_SLOT)
		g_array_index(m->slot, unsigned, s->oidx) = 0;
	s->omap = 0;
	s->oidx = 0;
}

/* A member leaves the listening section: the last one fills the hole. */
static void
remove_active(Ref *r, struct rgroup *g, int pos)
{
	guint last = g->active->len - 1;

	if (r->fault == FAULT_SHIFT) {
		g_array_remove_index(g->active, (guint)pos);
		return;
	}
	g_array_index(g->active, unsigned, pos) =
	    g_array_index(g->active, unsigned, last);
	g_array_set_size(g->active, last);
}

/* Does leaving group g detach (R-DET-3: 4.19 only with an id)? */
static gboolean
detaches(const struct rgroup *g)
{
	return g->has_id;
}

static void
ref_event(void *ud, const struct rp_event *ev)
{
	Ref *r = ud;
	struct rsock *s;
	struct rgroup *g;
	struct rmap *m;
	int pos;

	switch (ev->kind) {
	case RP_EV_SOCK_NEW:
		s = rsock(r, ev->sock);
		memset(s, 0, sizeof(*s));
		s->known = TRUE;
		break;
	case RP_EV_SOCK_FREE:
		s = rsock(r, ev->sock);
		if (s->group != 0)
			differ(r, "socket %u freed while in group %u of the "
			    "reference", ev->sock, s->group);
		if (s->omap != 0)
			differ(r, "socket %u freed while it owns slot %u of "
			    "map %u in the reference", ev->sock, s->oidx,
			    s->omap);
		s->known = FALSE;
		break;
	case RP_EV_GROUP_ID:
		/* R-GRP-11: the lowest id no live group holds */
		for (uint32_t want = r->id_min;; want++) {
			gboolean taken = FALSE;

			for (guint i = 0; i < r->groups->len && !taken; i++) {
				struct rgroup *o = &g_array_index(r->groups,
				    struct rgroup, i);

				taken = o->live && o->has_id && o->rid == want;
			}
			if (taken)
				continue;
			if (ev->val != want)
				differ(r, "group %u gets id %" G_GUINT64_FORMAT
				    ", the reference %u", ev->group, ev->val,
				    want);
			break;
		}
		g = rgroup(r, ev->group);
		g->has_id = TRUE;
		g->rid = (uint32_t)ev->val;
		break;
	case RP_EV_GROUP_NEW:
		g = rgroup(r, ev->group);
		if (g->live)
			differ(r, "group %u created twice", ev->group);
		g->live = TRUE;
		/* the first member arrives with GROUP_ADD (or, on a
		 * resurrect into a new group, after it leaves the old) */
		break;
	case RP_EV_GROUP_ADD:
		g = rgroup(r, ev->group);
		s = rsock(r, ev->sock);
		if (s->group != 0 && s->group != ev->group)
			differ(r, "socket %u joins group %u while the "
			    "reference has it in group %u", ev->sock,
			    ev->group, s->group);
		/* R-GRP-3: appended at the end of the listening section */
		if (ev->idx != g->active->len)
			differ(r, "socket %u joins group %u at position %u, "
			    "the reference appends it at %u", ev->sock,
			    ev->group, ev->idx, g->active->len);
		g_array_append_val(g->active, ev->sock);
		followed.joins++;
		s->group = ev->group;
		s->closed = FALSE;
		break;
	case RP_EV_GROUP_DEL:
		g = rgroup(r, ev->group);
		s = rsock(r, ev->sock);
		if (s->group != ev->group) {
			differ(r, "socket %u leaves group %u, which the "
			    "reference has it in %u", ev->sock, ev->group,
			    s->group);
			break;
		}
		if (s->closed) {
			pos = find(g->closed, ev->sock);
			if (pos >= 0)
				g_array_remove_index_fast(g->closed,
				    (guint)pos);
		} else {
			pos = find(g->active, ev->sock);
			if (pos < 0) {
				differ(r, "socket %u not in group %u of the "
				    "reference", ev->sock, ev->group);
				break;
			}
			if ((guint)pos != ev->idx)
				differ(r, "socket %u leaves group %u from "
				    "position %u, the reference has it at "
				    "%d", ev->sock, ev->group, ev->idx, pos);
			remove_active(r, g, pos);
			followed.leaves++;
			/* R-DET-1, R-DET-3 (and R-DET-4, R-DET-5, R-DET-8
			 * decide when): leaving the group empties the slot */
			if (detaches(g))
				ref_detach(r, ev->sock);
		}
		s->group = 0;
		s->closed = FALSE;
		break;
	case RP_EV_GROUP_CLOSE:
		/* R-DET-6: listening section -> closed section, slot left */
		g = rgroup(r, ev->group);
		s = rsock(r, ev->sock);
		pos = find(g->active, ev->sock);
		if (pos >= 0) {
			remove_active(r, g, pos);
			followed.closes++;
			if (detaches(g))
				ref_detach(r, ev->sock);
		}
		if (find(g->closed, ev->sock) < 0)
			g_array_append_val(g->closed, ev->sock);
		s->group = ev->group;
		s->closed = TRUE;
		break;
	case RP_EV_GROUP_FREE:
		g = rgroup(r, ev->group);
		if (g->active->len + g->closed->len != 0)
			differ(r, "group %u freed with %u members in the "
			    "reference", ev->group,
			    g->active->len + g->closed->len);
		g->live = FALSE;
		g->has_id = FALSE;
		break;
	case RP_EV_MAP_FREE:
		/* R-FREE-2: every occupied slot emptied, owner words
		 * cleared, the sockets left alone */
		m = rmap(r, ev->map);
		if (!m->sockarray)
			break;
		followed.frees++;
		for (guint k = 0; k < m->slot->len; k++) {
			unsigned sk = g_array_index(m->slot, unsigned, k);

			if (sk == 0)
				continue;
			s = rsock(r, sk);
			if (s->omap == ev->map && s->oidx == k)
				s->omap = s->oidx = 0;
		}
		g_array_free(m->slot, TRUE);
		m->slot = NULL;
		m->sockarray = FALSE;
		break;
	default:
		break;
	}
}

static const struct rp_observer ref_observer = { ref_event };

/* ---------------------------------------------------------------------
 * The model backend, wrapped: the reference follows the map calls.
 */

static SimBackendOps wrapped;

static int
w_map_create(SimBackend *b, unsigned proc, const struct rp_map_attr *a)
{
	int fd = sim_backend_model.map_create(b, proc, a);

	if (fd >= 0 && a->map_type == RP_MAP_REUSEPORT_SOCKARRAY) {
		struct rmap *m = rmap(cur, wrapped.map_id(b, proc, fd));

		m->sockarray = TRUE;
		m->max = a->max_entries;
		m->slot = g_array_new(FALSE, TRUE, sizeof(unsigned));
		g_array_set_size(m->slot, MIN(a->max_entries, 1U << 20));
	}
	return fd;
}

/* The reference's reuseport array behind fd, or NULL. */
static struct rmap *
sockarray_of(SimBackend *b, unsigned proc, int fd, unsigned *id)
{
	unsigned mid = wrapped.map_id(b, proc, fd);
	struct rmap *m;

	if (mid == 0 || mid >= cur->maps->len)
		return NULL;
	m = rmap(cur, mid);
	if (!m->sockarray)
		return NULL;
	*id = mid;
	return m;
}

/* Errors of the syscall layer the reference does not model (R-UPD-0a,
 * R-UPD-0b, R-LKP-1a..R-LKP-1c): fds, permissions, frozen maps, flags. */
static gboolean
syscall_layer(int ret)
{
	return ret == -EBADF || ret == -EINVAL || ret == -EPERM ||
	    ret == -EFAULT || ret == -EOPNOTSUPP || ret == -RP_ENOTSUPP;
}

static int
w_map_update(SimBackend *b, unsigned proc, int fd, uint32_t key,
    uint64_t value, uint64_t flags)
{
	unsigned mid = 0, sid, old = 0;
	struct rmap *m = sockarray_of(b, proc, fd, &mid);
	int ret;

	if (m == NULL)
		return sim_backend_model.map_update(b, proc, fd, key, value,
		    flags);
	sid = value <= G_MAXINT ? wrapped.sock_id(b, proc, (int)value) : 0;
	if (key < m->max)
		old = g_array_index(m->slot, unsigned, key);
	ret = sim_backend_model.map_update(b, proc, fd, key, value, flags);
	if (ret == -E2BIG && key < m->max)
		differ(cur, "update key %u of map %u (%u entries): -E2BIG",
		    key, mid, m->max);
	if (ret == 0 && key >= m->max)
		differ(cur, "update key %u of map %u (%u entries) succeeded",
		    key, mid, m->max);
	if (ret == -EEXIST && (old == 0 || (flags & 3) != RP_BPF_NOEXIST))
		differ(cur, "update key %u of map %u: -EEXIST, the reference "
		    "slot holds %u (flags %" G_GUINT64_FORMAT ")", key, mid,
		    old, flags);
	if (ret == -ENOENT && (old != 0 || (flags & 3) != RP_BPF_EXIST))
		differ(cur, "update key %u of map %u: -ENOENT, the reference "
		    "slot holds %u (flags %" G_GUINT64_FORMAT ")", key, mid,
		    old, flags);
	if (ret != 0 || key >= m->max)
		return ret;
	{
		struct rsock *s = rsock(cur, sid);

		if (sid == 0 || s->group == 0)
			differ(cur, "update key %u of map %u with socket %u, "
			    "in no group of the reference, succeeded", key,
			    mid, sid);
		else if (s->omap != 0 && !(s->omap == mid && s->oidx == key))
			differ(cur, "update key %u of map %u with socket %u, "
			    "which owns slot %u of map %u in the reference, "
			    "succeeded", key, mid, sid, s->oidx, s->omap);
		if ((flags & 3) == RP_BPF_NOEXIST && old != 0)
			differ(cur, "update NOEXIST key %u of map %u over "
			    "socket %u succeeded", key, mid, old);
		if ((flags & 3) == RP_BPF_EXIST && old == 0)
			differ(cur, "update EXIST key %u of map %u, empty in "
			    "the reference, succeeded", key, mid);
		/* R-UPD-9: the old occupant's owner word is cleared, the
		 * new one's names the slot */
		if (old != 0 && old != sid) {
			struct rsock *o = rsock(cur, old);

			o->omap = o->oidx = 0;
		}
		g_array_index(m->slot, unsigned, key) = sid;
		followed.inserts++;
		s = rsock(cur, sid);
		s->omap = mid;
		s->oidx = key;
	}
	return ret;
}

static int
w_map_delete(SimBackend *b, unsigned proc, int fd, uint32_t key)
{
	unsigned mid = 0, old = 0;
	struct rmap *m = sockarray_of(b, proc, fd, &mid);
	int ret;

	if (m == NULL)
		return sim_backend_model.map_delete(b, proc, fd, key);
	if (key < m->max)
		old = g_array_index(m->slot, unsigned, key);
	ret = sim_backend_model.map_delete(b, proc, fd, key);
	/* R-DEL-0: the fd names a reuseport array of this process and
	 * delete has no attribute tail: only a read-only fd or (6.x) a
	 * frozen map fail before R-DEL-1 */
	if (ret == -EPERM)
		return ret;
	if (key >= m->max) {
		if (ret != -E2BIG)	/* R-DEL-1 */
			differ(cur, "delete key %u of map %u (%u entries): "
			    "%d, the reference -E2BIG", key, mid, m->max, ret);
		return ret;
	}
	if (old == 0 && ret != -ENOENT)	/* R-DEL-2 */
		differ(cur, "delete key %u of map %u, empty in the "
		    "reference: %d", key, mid, ret);
	if (old != 0 && ret != 0)	/* R-DEL-3 */
		differ(cur, "delete key %u of map %u, holding socket %u in "
		    "the reference: %d", key, mid, old, ret);
	if (ret == 0 && old != 0) {
		struct rsock *s = rsock(cur, old);

		g_array_index(m->slot, unsigned, key) = 0;
		s->omap = s->oidx = 0;
		followed.deletes++;
	}
	return ret;
}

static int
w_map_lookup(SimBackend *b, unsigned proc, int fd, uint32_t key,
    uint64_t *value, uint64_t flags)
{
	unsigned mid = 0, old = 0;
	struct rmap *m = sockarray_of(b, proc, fd, &mid);
	int ret = sim_backend_model.map_lookup(b, proc, fd, key, value, flags);

	if (m == NULL || syscall_layer(ret) || flags != 0)
		return ret;
	if (key < m->max)
		old = g_array_index(m->slot, unsigned, key);
	if (ret == 0 && old == 0)
		differ(cur, "lookup key %u of map %u, empty in the "
		    "reference, found something", key, mid);
	if (ret == -ENOENT && old != 0)
		differ(cur, "lookup key %u of map %u: -ENOENT, the reference "
		    "slot holds socket %u", key, mid, old);
	return ret;
}

/* ---------------------------------------------------------------------
 * The comparison after every statement
 */

static void
compare(Ref *r, struct rp_state *st)
{
	for (guint gid = 1; gid < r->groups->len; gid++) {
		struct rgroup *g = &g_array_index(r->groups, struct rgroup,
		    gid);
		struct rp_group_info gi;
		int ret;

		if (g->active == NULL)
			continue;
		ret = rp_group_info(st, gid, &gi);
		if (!g->live) {
			if (ret == 0)
				differ(r, "group %u lives in the model, not "
				    "in the reference", gid);
			continue;
		}
		if (ret != 0) {
			differ(r, "group %u lives in the reference, not in "
			    "the model", gid);
			continue;
		}
		if (gi.num_socks != g->active->len ||
		    gi.num_closed_socks != g->closed->len) {
			differ(r, "group %u: %u listening and %u closed, the "
			    "reference %u and %u", gid, gi.num_socks,
			    gi.num_closed_socks, g->active->len,
			    g->closed->len);
			continue;
		}
		if (gi.has_id != g->has_id ||
		    (g->has_id && gi.reuseport_id != g->rid))
			differ(r, "group %u: id %u (%s), the reference %u "
			    "(%s)", gid, gi.reuseport_id, gi.has_id ? "set" :
			    "none", g->rid, g->has_id ? "set" : "none");
		for (guint i = 0; i < g->active->len; i++) {
			unsigned want = g_array_index(g->active, unsigned, i);
			unsigned got = rp_group_sock_at(st, gid, i);

			if (got != want)
				differ(r, "group %u position %u: socket %u, "
				    "the reference %u", gid, i, got, want);
		}
	}
	for (guint sid = 1; sid < r->socks->len; sid++) {
		struct rsock *s = &g_array_index(r->socks, struct rsock, sid);
		struct rp_sock_info si;
		unsigned omap;
		uint32_t oidx;

		if (!s->known || rp_sock_info(st, sid, &si) != 0)
			continue;
		if (si.group != s->group || (s->group != 0 &&
		    si.group_closed != s->closed))
			differ(r, "socket %u: group %u%s, the reference %u%s",
			    sid, si.group, si.group_closed ? " (closed)" : "",
			    s->group, s->closed ? " (closed)" : "");
		else if (s->group != 0 && !s->closed) {
			struct rgroup *g = rgroup(r, s->group);
			int pos = find(g->active, sid);

			if (si.group_pos != pos)
				differ(r, "socket %u: position %d in group "
				    "%u, the reference %d", sid, si.group_pos,
				    s->group, pos);
		}
		omap = si.owner == RP_OWNER_SLOT ? si.owner_map : 0;
		oidx = si.owner == RP_OWNER_SLOT ? si.owner_idx : 0;
		if (omap != s->omap || oidx != s->oidx)
			differ(r, "socket %u: owner word map %u slot %u, the "
			    "reference map %u slot %u", sid, omap, oidx,
			    s->omap, s->oidx);
	}
	for (guint mid = 1; mid < r->maps->len; mid++) {
		struct rmap *m = &g_array_index(r->maps, struct rmap, mid);
		struct rp_map_info mi;
		unsigned used = 0;

		if (!m->sockarray)
			continue;
		for (guint k = 0; k < m->slot->len; k++) {
			unsigned want = g_array_index(m->slot, unsigned, k);

			if (want == 0)
				continue;
			used++;
			if (rp_map_slot(st, mid, k) != want)
				differ(r, "map %u slot %u: socket %u, the "
				    "reference %u", mid, k,
				    rp_map_slot(st, mid, k), want);
		}
		if (rp_map_info(st, mid, &mi) == 0 && mi.used != used)
			differ(r, "map %u: %u slots occupied, the reference "
			    "%u", mid, mi.used, used);
	}
}

/* ---------------------------------------------------------------------
 * One case
 */

typedef struct Outcome Outcome;
struct Outcome {
	guint	 steps;		/* statements run */
	char	*diff;		/* the first difference, or NULL */
	char	*violation;	/* the first invariant or contract broken */
	char	*error;		/* the first other failure (a run-time input
				 * error the generator should not write) */
};

typedef struct Hook Hook;
struct Hook {
	Ref	*ref;
	guint	 steps;
	guint	 diff_at;	/* line of the first difference, 0 = none */
};

static void
on_step(void *ud, SimExec *x, guint index, const SimStmt *st,
    const SimResult *res, const GPtrArray *failures, guint first)
{
	Hook *h = ud;
	SimBackend *b = NULL;
	const SimInspectOps *in = sim_exec_inspect(x, &b);

	(void)index;
	(void)res;
	(void)failures;
	(void)first;
	h->steps++;
	if (h->ref->diff->len > 0) {
		if (h->diff_at == 0)	/* found by a map call of this step */
			h->diff_at = st->line;
		return;
	}
	compare(h->ref, in->model(b));
	if (h->ref->diff->len > 0)
		h->diff_at = st->line;
}

static SimCheckMode check_mode = SIM_CHECK_STEP;

static Outcome
run_text(const char *name, const char *text, const char *profile,
    enum ref_fault fault)
{
	g_autoptr(GPtrArray) errors = g_ptr_array_new_with_free_func(g_free);
	g_autoptr(SimScenario) sc = sim_parse_buffer(name, text, strlen(text),
	    NULL, NULL, NULL);
	Outcome out = { 0 };
	Ref ref;
	Hook h = { 0 };
	SimStepHooks hooks = { .step = on_step };
	SimExecOptions o = {
		.ops = &wrapped, .keep_going = TRUE, .check = check_mode,
		.observer = &ref_observer,
	};
	SimReport rep = { 0 };

	if (sc == NULL || !sim_check_scenario(sc, errors)) {
		out.error = g_strdup("input");	/* a shrink candidate */
		return out;
	}
	ref_init(&ref, fault, profile);
	cur = &ref;
	h.ref = &ref;
	hooks.ud = &h;
	o.hooks = &hooks;
	o.observer_ud = &ref;
	sim_run_scenario(sc, profile, &o, &rep);
	out.steps = h.steps;
	if (ref.diff->len > 0)
		out.diff = g_strdup_printf("%s:%u: %s", name, h.diff_at,
		    ref.diff->str);
	for (guint i = 0; rep.messages != NULL && i < rep.messages->len; i++) {
		const char *m = rep.messages->pdata[i];

		if (m[0] == ' ')
			continue;	/* a state line of the failure above */
		if (sim_diff_is_violation(m)) {
			if (out.violation == NULL)
				out.violation = g_strndup(m, strcspn(m, "\n"));
		} else if (out.error == NULL) {
			out.error = g_strndup(m, strcspn(m, "\n"));
		}
	}
	if (!rep.passed && out.violation == NULL && out.error == NULL)
		out.error = g_strdup(rep.skip != NULL ? rep.skip : "failed");
	sim_report_clear(&rep);
	cur = NULL;
	ref_clear(&ref);
	return out;
}

/* ---------------------------------------------------------------------
 * Each case in a child process (unless --no-fork), so that a model that
 * crashes (an assertion, a corrupted heap) is a finding like any other,
 * shrunk the same way, and not the end of the soak.
 */

static gboolean opt_no_fork;
static gboolean child_stderr_off;	/* while shrinking */

static void
put_str(GString *b, const char *str)
{
	guint32 n = str != NULL ? (guint32)strlen(str) : G_MAXUINT32;

	g_string_append_len(b, (const char *)&n, sizeof(n));
	if (str != NULL)
		g_string_append_len(b, str, n);
}

static char *
get_str(const char **p, const char *end)
{
	guint32 n;
	char *str;

	if ((gsize)(end - *p) < sizeof(n))
		return NULL;
	memcpy(&n, *p, sizeof(n));
	*p += sizeof(n);
	if (n == G_MAXUINT32 || (gsize)(end - *p) < n)
		return NULL;
	str = g_strndup(*p, n);
	*p += n;
	return str;
}

/* All len bytes at p written to fd (writing) or read from it, again
 * after EINTR: FALSE on an error or end of file. */
static gboolean
io_all(int fd, void *p, gsize len, gboolean writing)
{
	gsize off = 0;

	while (off < len) {
		ssize_t n = writing ? write(fd, (char *)p + off, len - off) :
		    read(fd, (char *)p + off, len - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return FALSE;
		off += (gsize)n;
	}
	return TRUE;
}

static gboolean
write_all(int fd, const GString *b)
{
	return io_all(fd, b->str, b->len, TRUE);
}

/* An outcome as bytes, and back (the counters of `followed` with it). */
static void
encode(GString *b, const Outcome *o)
{
	g_string_append_len(b, (const char *)&o->steps, sizeof(o->steps));
	g_string_append_len(b, (const char *)&followed, sizeof(followed));
	put_str(b, o->diff);
	put_str(b, o->violation);
	put_str(b, o->error);
}

static Outcome
decode(const char *p, gsize len)
{
	const char *end = p + len;
	Outcome out = { 0 };
	__typeof__(followed) f;

	if (len < sizeof(out.steps) + sizeof(f))
		return out;
	memcpy(&out.steps, p, sizeof(out.steps));
	p += sizeof(out.steps);
	memcpy(&f, p, sizeof(f));
	p += sizeof(f);
	followed.joins += f.joins;
	followed.leaves += f.leaves;
	followed.closes += f.closes;
	followed.inserts += f.inserts;
	followed.deletes += f.deletes;
	followed.detaches += f.detaches;
	followed.frees += f.frees;
	out.diff = get_str(&p, end);
	out.violation = get_str(&p, end);
	out.error = get_str(&p, end);
	return out;
}

static char *
crash_message(const char *name, int status)
{
	if (WIFSIGNALED(status))
		return g_strdup_printf("%s: crash: signal %d (%s)", name,
		    WTERMSIG(status), g_strsignal(WTERMSIG(status)));
	return g_strdup_printf("%s: crash: exit %d", name,
	    WIFEXITED(status) ? WEXITSTATUS(status) : -1);
}

/*
 * A child process that sends its outcomes through a pipe: the child gets
 * 0 and the pipe's write end in fds[1], the parent the child's pid and
 * the read end in fds[0] (the other end closed in each).  Exits 2 when
 * it cannot.
 */
static pid_t
fork_piped(int fds[2])
{
	pid_t pid;

	fflush(stdout);
	fflush(stderr);
	if (pipe(fds) != 0 || (pid = fork()) < 0) {
		perror("soak: fork");
		exit(2);
	}
	close(pid == 0 ? fds[0] : fds[1]);
	return pid;
}

/* In the child: the case run with counters from zero (its outcome in
 * *o), as encode()'s record in a new buffer. */
static GString *
run_encoded(const char *name, const char *text, const char *profile,
    enum ref_fault fault, Outcome *o)
{
	GString *b = g_string_new(NULL);

	memset(&followed, 0, sizeof(followed));
	*o = run_text(name, text, profile, fault);
	encode(b, o);
	return b;
}

/* The end of the child: its exit status (after EINTR, again). */
static int
wait_child(pid_t pid)
{
	int status = 0;

	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	return status;
}

/* One run in a child process (a shrink candidate). */
static Outcome
run_case(const char *name, const char *text, const char *profile,
    enum ref_fault fault)
{
	Outcome out = { 0 };
	GString *buf;
	int fds[2], status;
	pid_t pid;

	if (opt_no_fork)
		return run_text(name, text, profile, fault);
	pid = fork_piped(fds);
	if (pid == 0) {
		if (child_stderr_off && freopen("/dev/null", "w", stderr) ==
		    NULL)
			_exit(3);
		_exit(write_all(fds[1], run_encoded(name, text, profile,
		    fault, &out)) ? 0 : 3);
	}
	buf = g_string_new(NULL);
	for (;;) {
		char chunk[4096];
		ssize_t n = read(fds[0], chunk, sizeof(chunk));

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		g_string_append_len(buf, chunk, (gssize)n);
	}
	close(fds[0]);
	status = wait_child(pid);
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		out = decode(buf->str, buf->len);
	else
		out.violation = crash_message(name, status);
	g_string_free(buf, TRUE);
	return out;
}

static void
outcome_clear(Outcome *o)
{
	g_free(o->diff);
	g_free(o->violation);
	g_free(o->error);
}

/* The kind of a failure, kept while shrinking: the message without the
 * numbers that name objects, steps and positions. */
static char *
signature(const Outcome *o)
{
	const char *m = o->diff != NULL ? o->diff : o->violation;
	GString *s = g_string_new(o->diff != NULL ? "difference: " :
	    "violation: ");
	const char *p;

	if (m == NULL)
		return g_string_free(s, TRUE), NULL;
	p = strstr(m, ": ");
	p = p != NULL ? p + 2 : m;
	if (o->diff != NULL) {
		p = strstr(p, ": ");	/* after "name:line: " */
		p = p != NULL ? p + 2 : m;
	}
	for (; *p != '\0' && *p != '\n'; p++)
		if (!g_ascii_isdigit(*p))
			g_string_append_c(s, *p);
	return g_string_free(s, FALSE);
}

typedef struct Target Target;
struct Target {
	const char	*profile;
	enum ref_fault	 fault;
	const char	*sig;
};

static gboolean
still_fails(const char *text, gpointer ud)
{
	Target *t = ud;
	Outcome o = run_case("soak/candidate.scn", text, t->profile, t->fault);
	g_autofree char *sig = signature(&o);
	gboolean same = sig != NULL && strcmp(sig, t->sig) == 0;

	outcome_clear(&o);
	return same;
}

/* ---------------------------------------------------------------------
 * main
 */

static guint64 opt_seed = 1;
static guint64 opt_steps = 10000;
static guint opt_length = 60;
static char *opt_profile;
static char *opt_check;
static char *opt_fault;
static char *opt_save;
static guint opt_max_shrink = 400;
static gboolean opt_quiet;

static const GOptionEntry entries[] = {
	{ "seed", 0, 0, G_OPTION_ARG_INT64, &opt_seed, "first seed", "S" },
	{ "steps", 0, 0, G_OPTION_ARG_INT64, &opt_steps,
	  "statements per profile", "N" },
	{ "length", 0, 0, G_OPTION_ARG_INT, &opt_length,
	  "statements per case", "L" },
	{ "profile", 0, 0, G_OPTION_ARG_STRING, &opt_profile,
	  "one profile (default: every one)", "P" },
	{ "check", 0, 0, G_OPTION_ARG_STRING, &opt_check,
	  "invariants after each step: step (default), full or off (the "
	  "reference alone)", "MODE" },
	{ "ref-fault", 0, 0, G_OPTION_ARG_STRING, &opt_fault,
	  "plant a fault in the reference: shift or keep-slot", "F" },
	{ "save", 0, 0, G_OPTION_ARG_FILENAME, &opt_save,
	  "write each minimal scenario to DIR", "DIR" },
	{ "max-shrink", 0, 0, G_OPTION_ARG_INT, &opt_max_shrink,
	  "candidate runs per shrink", "N" },
	{ "no-fork", 0, 0, G_OPTION_ARG_NONE, &opt_no_fork,
	  "run the cases in this process (a crash ends the soak)", NULL },
	{ "quiet", 'q', 0, G_OPTION_ARG_NONE, &opt_quiet,
	  "only differences and the summary", NULL },
	{ NULL, 0, 0, 0, NULL, NULL, NULL },
};

static void
report_finding(const char *profile, guint64 seed, guint len, const Outcome *o,
    enum ref_fault fault)
{
	g_autofree char *sig = signature(o);
	g_autofree char *text = NULL, *min = NULL;
	SimGenOptions g = { .seed = seed, .steps = len, .profile = profile };
	Target t = { profile, fault, sig };
	SimShrinkStats stats = { 0 };

	text = sim_gen_scenario(&g);
	printf("FOUND profile %s seed %" G_GUINT64_FORMAT ": %s\n", profile,
	    seed, o->diff != NULL ? o->diff : o->violation);
	child_stderr_off = TRUE;
	min = sim_shrink(text, still_fails, &t, opt_max_shrink, &stats);
	child_stderr_off = FALSE;
	printf("  shrunk from %u to %u statements in %u runs%s:\n",
	    stats.units_before, stats.units_after, stats.tests,
	    stats.budget_out ? " (budget out)" : "");
	{
		g_auto(GStrv) lines = g_strsplit(min, "\n", -1);

		for (guint i = 0; lines[i] != NULL; i++)
			if (lines[i][0] != '\0')
				printf("    %s\n", lines[i]);
	}
	if (opt_save != NULL) {
		g_autofree char *base = g_strdup_printf("soak-%s-%"
		    G_GUINT64_FORMAT ".scn", profile, seed);
		g_autofree char *path = g_build_filename(opt_save, base, NULL);
		g_autoptr(GError) err = NULL;

		if (g_mkdir_with_parents(opt_save, 0755) != 0 ||
		    !g_file_set_contents(path, min, -1, &err))
			fprintf(stderr, "soak: cannot write %s\n", path);
		else
			printf("  saved as %s\n", path);
	}
}

/* ---------------------------------------------------------------------
 * The cases of one profile
 */

typedef struct Tally Tally;
struct Tally {
	const char	*profile;
	enum ref_fault	 fault;
	GHashTable	*seen;		/* signatures found */
	GHashTable	*seen_err;	/* run errors said */
	guint64		 done, cases, ndiff, nviol, nerr;
};

/* Statements of case k. */
static guint
case_len(guint64 k)
{
	return (guint)MIN((guint64)opt_length, opt_steps - k * opt_length);
}

static char *
case_text(const char *profile, guint64 k)
{
	SimGenOptions g = { .seed = opt_seed + k, .steps = case_len(k),
	    .profile = profile };

	return sim_gen_scenario(&g);
}

static char *
case_name(guint64 k)
{
	return g_strdup_printf("soak/seed-%" G_GUINT64_FORMAT ".scn",
	    opt_seed + k);
}

/* Count the outcome of case k, report a new kind of failure. */
static void
tally(Tally *t, guint64 k, Outcome *o)
{
	char *sig;

	t->done += case_len(k);
	t->cases++;
	if (o->error != NULL) {
		/* not the soak's to judge: said once a kind */
		const char *m = strstr(o->error, ": ");
		g_autofree char *kind = g_strdup(m != NULL ? m + 2 : o->error);

		t->nerr++;
		if (!opt_quiet && !g_hash_table_contains(t->seen_err, kind)) {
			printf("run error (generator) profile %s seed %"
			    G_GUINT64_FORMAT ": %s\n", t->profile,
			    opt_seed + k, o->error);
			g_hash_table_add(t->seen_err, g_steal_pointer(&kind));
		}
	}
	if (o->diff == NULL && o->violation == NULL)
		return;
	if (o->diff != NULL)
		t->ndiff++;
	else
		t->nviol++;
	sig = signature(o);
	if (g_hash_table_contains(t->seen, sig)) {
		g_free(sig);
		return;
	}
	g_hash_table_add(t->seen, sig);
	report_finding(t->profile, opt_seed + k, case_len(k), o, t->fault);
}

static guint64
run_in_process(Tally *t, guint64 k, guint64 ncases)
{
	for (; k < ncases; k++) {
		g_autofree char *text = case_text(t->profile, k);
		g_autofree char *name = case_name(k);
		Outcome o = run_text(name, text, t->profile, t->fault);

		tally(t, k, &o);
		outcome_clear(&o);
	}
	return k;
}

static gboolean
read_all(int fd, void *p, gsize len)
{
	return io_all(fd, p, len, FALSE);
}

/*
 * A worker process runs cases k.. and sends each outcome as it ends (a
 * length, then encode()'s record); when it dies inside a case, that case
 * is a crash and a new worker goes on after it.  Returns the next case.
 */
static guint64
run_worker(Tally *t, guint64 k, guint64 ncases)
{
	int fds[2], status;
	pid_t pid;
	guint64 next = k;

	pid = fork_piped(fds);
	if (pid == 0) {
		for (; k < ncases; k++) {
			g_autofree char *text = case_text(t->profile, k);
			g_autofree char *name = case_name(k);
			Outcome o;
			GString *b = run_encoded(name, text, t->profile,
			    t->fault, &o);
			guint32 n;

			n = (guint32)b->len;
			g_string_prepend_len(b, (const char *)&n, sizeof(n));
			if (!write_all(fds[1], b))
				_exit(3);
			g_string_free(b, TRUE);
			outcome_clear(&o);
		}
		_exit(0);
	}
	for (;;) {
		guint32 n;
		char *rec;
		Outcome o;

		if (!read_all(fds[0], &n, sizeof(n)))
			break;
		rec = g_malloc(n);
		if (!read_all(fds[0], rec, n)) {
			g_free(rec);
			break;
		}
		o = decode(rec, n);
		g_free(rec);
		tally(t, next, &o);
		outcome_clear(&o);
		next++;
	}
	close(fds[0]);
	status = wait_child(pid);
	if (next < ncases && !(WIFEXITED(status) &&
	    WEXITSTATUS(status) == 0)) {
		g_autofree char *name = case_name(next);
		Outcome o = { 0 };

		o.violation = crash_message(name, status);
		tally(t, next, &o);
		outcome_clear(&o);
		next++;
	}
	return next;
}

/* A word an option takes, and its value. */
struct word {
	const char	*word;		/* NULL: the option not given */
	int		 value;
};

/* The value of the option's word w in the n words (w NULL, the option
 * not given: the word dflt, and with dflt NULL the row whose word is
 * NULL); FALSE when no row has it. */
static gboolean
word_of(const char *w, const char *dflt, const struct word *words, size_t n,
    int *value)
{
	if (w == NULL)
		w = dflt;
	for (size_t i = 0; i < n; i++)
		if (g_strcmp0(words[i].word, w) == 0) {
			*value = words[i].value;
			return TRUE;
		}
	return FALSE;
}

int
main(int argc, char **argv)
{
	g_autoptr(GOptionContext) ctx = g_option_context_new(
	    "- the model against a naive reference on random scenarios");
	g_autoptr(GError) err = NULL;
	static const struct word checks[] = { { "step", SIM_CHECK_STEP },
	    { "full", SIM_CHECK_FULL }, { "off", SIM_CHECK_OFF } };
	static const struct word faults[] = { { NULL, FAULT_NONE },
	    { "shift", FAULT_SHIFT }, { "keep-slot", FAULT_KEEP_SLOT } };
	enum ref_fault fault = FAULT_NONE;
	int check, f;
	guint64 total_diff = 0, total_viol = 0;

	g_option_context_add_main_entries(ctx, entries, NULL);
	if (!g_option_context_parse(ctx, &argc, &argv, &err) || argc != 1) {
		fprintf(stderr, "soak: %s\n", err != NULL ? err->message :
		    "unexpected argument");
		return 2;
	}
	if (opt_length == 0 || opt_steps == 0) {
		fprintf(stderr, "soak: --steps and --length must be >= 1\n");
		return 2;
	}
	if (!word_of(opt_check, "step", checks, G_N_ELEMENTS(checks),
	    &check)) {
		fprintf(stderr, "soak: --check takes step, full or off\n");
		return 2;
	}
	check_mode = (SimCheckMode)check;
	if (!word_of(opt_fault, NULL, faults, G_N_ELEMENTS(faults), &f)) {
		fprintf(stderr, "soak: --ref-fault takes shift or keep-slot\n");
		return 2;
	}
	fault = (enum ref_fault)f;
	if (opt_profile != NULL && rp_profile_find(opt_profile) == NULL) {
		fprintf(stderr, "soak: no profile '%s'\n", opt_profile);
		return 2;
	}
	wrapped = sim_backend_model;
	wrapped.map_create = w_map_create;
	wrapped.map_update = w_map_update;
	wrapped.map_delete = w_map_delete;
	wrapped.map_lookup = w_map_lookup;

	for (size_t pi = 0; rp_profile_nth(pi) != NULL; pi++) {
		const char *profile = rp_profile_name(rp_profile_nth(pi));
		Tally t = { .profile = profile, .fault = fault };
		guint64 ncases = (opt_steps + opt_length - 1) / opt_length;
		gint64 t0 = g_get_monotonic_time();
		double secs;

		if (opt_profile != NULL && strcmp(opt_profile, profile) != 0)
			continue;
		t.seen = g_hash_table_new_full(g_str_hash, g_str_equal,
		    g_free, NULL);
		t.seen_err = g_hash_table_new_full(g_str_hash, g_str_equal,
		    g_free, NULL);
		for (guint64 k = 0; k < ncases;)
			k = opt_no_fork ? run_in_process(&t, k, ncases) :
			    run_worker(&t, k, ncases);
		g_hash_table_destroy(t.seen);
		g_hash_table_destroy(t.seen_err);
		secs = (double)(g_get_monotonic_time() - t0) / 1e6;
		printf("profile %-18s steps %" G_GUINT64_FORMAT " cases %"
		    G_GUINT64_FORMAT " differences %" G_GUINT64_FORMAT
		    " violations %" G_GUINT64_FORMAT " run-errors %"
		    G_GUINT64_FORMAT " (%.1f s, %.0f steps/s)\n", profile,
		    t.done, t.cases, t.ndiff, t.nviol, t.nerr, secs,
		    secs > 0 ? (double)t.done / secs : 0.0);
		fflush(stdout);
		total_diff += t.ndiff;
		total_viol += t.nviol;
	}
	g_free(opt_profile);
	g_free(opt_check);
	g_free(opt_fault);
	g_free(opt_save);
	printf("followed: %" G_GUINT64_FORMAT " joins, %" G_GUINT64_FORMAT
	    " leaves, %" G_GUINT64_FORMAT " closes, %" G_GUINT64_FORMAT
	    " inserts, %" G_GUINT64_FORMAT " deletes, %" G_GUINT64_FORMAT
	    " detaches, %" G_GUINT64_FORMAT " sockarray frees\n", followed.joins,
	    followed.leaves, followed.closes, followed.inserts, followed.deletes,
	    followed.detaches, followed.frees);
	printf("soak: %" G_GUINT64_FORMAT " differences, %" G_GUINT64_FORMAT
	    " violations\n", total_diff, total_viol);
	return total_diff + total_viol > 0 ? 1 : 0;
}
