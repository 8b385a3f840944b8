/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * check_check.c - white-box tests of the invariant checker (model/check.c).
 *
 * One fixture, built through the public API in both profiles, holds a
 * little of everything rp_check() walks: a reuseport group of three TCP
 * listeners with an SK_REUSEPORT program, single-member TCP and UDP
 * groups, two sockarrays, a sockmap and a sockhash holding a connected
 * client, an array-of-maps and a hash-of-maps, cookies in two
 * namespaces, a socket with a foreign owner, the accepted child of a
 * sockarray member (4.19: a stale owner copy) and, in 6.18, a listener
 * shut down into the closed section.  rp_check() must accept it.
 *
 * The corruption table then breaks one field per row and expects, per
 * profile, the invariant id the message starts with (or a pass where the
 * profile allows the state).  Every write goes through POKE(), which
 * records the old bytes, so the state is restored exactly before
 * rp_state_free() tears it down; rp_check() must pass again by then.
 */
#include <errno.h>
#include <string.h>

#include <check.h>
#include <glib.h>

#include "rp-int.h"
#include "testutil.h"

/* Unregistered objects: what a dangling pointer would point at. */
static struct rp_sock fake_sock;
static struct rp_group fake_group;
static struct rp_map fake_map;
static struct rp_prog fake_prog;
static struct rp_bucket fake_bucket;

struct fix {
	struct rp_state	*st;
	GArray		*pokes;		/* struct tu_poke, undone in reverse */
	int		fa, fb, fa3, fc, fe, fu, fcl, fn1, fx, fz;
	int		fm1, fm2, fsm, fsh, fout, fhout, fprog;
	struct rp_sock	*a, *b, *a3, *c, *e, *u, *cl, *child, *n1, *x, *z;
	struct rp_map	*m1, *m2, *sm, *sh, *out, *hout;
	struct rp_group	*g1, *g2, *g3, *g4;
	struct rp_prog	*prog;
};

/* ----------------------------------------------------------------------
 * Recorded writes
 */

/* Slot i of an array map, in place (its page must exist: slots.c). */
#define SLOT(m, i)							\
	((m)->u.slots.pages[(i) / RP_SLOT_PAGE]->slot[(i) % RP_SLOT_PAGE])

/* A recorded write of f's state (tu_poke()), undone by unpoke_all(). */
#define POKE(f, lv, val)	TU_POKE((f)->st, (f)->pokes, lv, val)
#define unpoke_all(f)		tu_unpoke_all((f)->st, (f)->pokes)

/* ----------------------------------------------------------------------
 * Fixture
 */

static struct rp_sock *
sock_of(struct fix *f, unsigned proc, int fd)
{
	unsigned id = rp_fd_sock(f->st, proc, fd);

	ck_assert_uint_ne(id, 0);
	return f->st->socks->pdata[id];
}

static struct rp_map *
map_of(struct fix *f, int fd)
{
	unsigned id = rp_fd_map(f->st, 0, fd);

	ck_assert_uint_ne(id, 0);
	return f->st->maps->pdata[id];
}

/* A SO_REUSEPORT socket of process 0 bound to 127.0.0.1:port. */
static int
bound(struct fix *f, int type, int protocol, uint16_t port)
{
	struct rp_sockaddr sa = tu_addr(RP_AF_INET, 1, port);
	int fd = rp_socket(f->st, 0, RP_AF_INET, type, protocol);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(rp_setsockopt_int(f->st, 0, fd, RP_SO_REUSEPORT, 1),
	    0);
	ck_assert_int_eq(rp_bind(f->st, 0, fd, &sa), 0);
	return fd;
}

static int
listener(struct fix *f, uint16_t port)
{
	int fd = bound(f, RP_SOCK_STREAM, RP_IPPROTO_TCP, port);

	ck_assert_int_eq(rp_listen(f->st, 0, fd, 16), 0);
	return fd;
}

#define map_new(f, type, vs, max, inner_fd) \
	tu_map((f)->st, 0, (type), (vs), (max), 0, (inner_fd))

static void
map_put(struct fix *f, int mapfd, uint32_t key, int fd)
{
	int err = rp_map_update(f->st, 0, mapfd, key, (uint64_t)fd,
	    RP_BPF_ANY);

	ck_assert_msg(err == 0, "update map fd %d key %u: %d", mapfd, key, err);
}

/* Both checkers pass (tu_check_both() compares them). */
static void
assert_valid(struct rp_state *st, const char *what)
{
	g_autoptr(GError) err = NULL;
	gboolean ok = tu_check_both(st, &err);

	ck_assert_msg(ok, "%s: %s", what, err != NULL ? err->message : "?");
	ck_assert_ptr_null(err);
}

/*
 * Build the fixture in profile prof.  Objects are created in the same
 * order in both profiles, so their ids agree; the 6.18-only closed-section
 * listener comes last.
 */
static void
fix_init(struct fix *f, const char *prof)
{
	struct rp_sockaddr sa = tu_addr(RP_AF_INET, 1, 8081);
	struct rp_prog_attr pa = { .prog_type = RP_PROG_SK_REUSEPORT };
	uint64_t cookie;
	int p1;

	memset(f, 0, sizeof(*f));
	f->st = rp_state_new(rp_profile_find(prof));
	ck_assert_ptr_nonnull(f->st);
	f->pokes = tu_pokes_new();

	f->fa = listener(f, 8080);
	f->fb = listener(f, 8080);
	f->fa3 = listener(f, 8080);
	f->fc = listener(f, 8081);
	f->fe = listener(f, 8082);
	f->fu = bound(f, RP_SOCK_DGRAM, RP_IPPROTO_UDP, 9090);
	ck_assert_int_eq(rp_set_foreign_owner(f->st, 0, f->fe), 0);

	f->fm1 = map_new(f, RP_MAP_REUSEPORT_SOCKARRAY, 8, 4, -1);
	f->fm2 = map_new(f, RP_MAP_REUSEPORT_SOCKARRAY, 8, 2, -1);
	map_put(f, f->fm1, 0, f->fa);
	map_put(f, f->fm1, 1, f->fb);
	map_put(f, f->fm1, 3, f->fu);
	map_put(f, f->fm2, 0, f->fc);

	/* a client of c: its child is c's accept queue (4.19: stale copy) */
	f->fcl = rp_socket(f->st, 0, RP_AF_INET, RP_SOCK_STREAM,
	    RP_IPPROTO_TCP);
	ck_assert_int_ge(f->fcl, 0);
	ck_assert_int_eq(rp_connect(f->st, 0, f->fcl, &sa), 0);
	f->fsm = map_new(f, RP_MAP_SOCKMAP, 8, 4, -1);
	f->fsh = map_new(f, RP_MAP_SOCKHASH, 8, 8, -1);
	map_put(f, f->fsm, 0, f->fcl);
	map_put(f, f->fsh, 7, f->fcl);

	ck_assert_int_eq(rp_getsockopt_cookie(f->st, 0, f->fa, &cookie), 0);
	ck_assert_int_eq(rp_getsockopt_cookie(f->st, 0, f->fb, &cookie), 0);
	ck_assert_int_eq(rp_getsockopt_cookie(f->st, 0, f->fcl, &cookie), 0);
	p1 = rp_proc_new(f->st, (unsigned)rp_netns_new(f->st), 0, RP_CAP_ALL);
	ck_assert_int_gt(p1, 0);
	f->fn1 = rp_socket(f->st, (unsigned)p1, RP_AF_INET, RP_SOCK_STREAM,
	    RP_IPPROTO_TCP);
	ck_assert_int_eq(rp_getsockopt_cookie(f->st, (unsigned)p1, f->fn1,
	    &cookie), 0);
	/* bound without SO_REUSEPORT: a bucket member in no group */
	f->fx = rp_socket(f->st, 0, RP_AF_INET, RP_SOCK_STREAM,
	    RP_IPPROTO_TCP);
	ck_assert_int_eq(rp_bind(f->st, 0, f->fx, &(struct rp_sockaddr){
	    .addr = tu_addr(RP_AF_INET, 1, 0).addr, .port = 7070 }), 0);

	f->fout = map_new(f, RP_MAP_ARRAY_OF_MAPS, 4, 2, f->fm1);
	f->fhout = map_new(f, RP_MAP_HASH_OF_MAPS, 4, 8, f->fm1);
	map_put(f, f->fout, 0, f->fm1);
	map_put(f, f->fhout, 5, f->fm1);

	pa.map_fd = f->fm1;
	pa.policy.key_src = RP_KEY_CONST;
	f->fprog = rp_prog_load(f->st, 0, &pa);
	ck_assert_int_ge(f->fprog, 0);
	ck_assert_int_eq(rp_attach_ebpf(f->st, 0, f->fa, f->fprog), 0);

	if (f->st->prof->migration) {
		f->fz = listener(f, 8080);
		ck_assert_int_eq(rp_sysctl_set(f->st, 0,
		    "net.ipv4.tcp_migrate_req", 1), 0);
		ck_assert_int_eq(rp_shutdown(f->st, 0, f->fz, RP_SHUT_RDWR), 0);
		f->z = sock_of(f, 0, f->fz);
	}

	f->a = sock_of(f, 0, f->fa);
	f->b = sock_of(f, 0, f->fb);
	f->a3 = sock_of(f, 0, f->fa3);
	f->c = sock_of(f, 0, f->fc);
	f->e = sock_of(f, 0, f->fe);
	f->u = sock_of(f, 0, f->fu);
	f->cl = sock_of(f, 0, f->fcl);
	f->n1 = sock_of(f, (unsigned)p1, f->fn1);
	f->x = sock_of(f, 0, f->fx);
	f->child = g_queue_peek_head(&f->c->accept_q);
	ck_assert_ptr_nonnull(f->child);
	f->m1 = map_of(f, f->fm1);
	f->m2 = map_of(f, f->fm2);
	f->sm = map_of(f, f->fsm);
	f->sh = map_of(f, f->fsh);
	f->out = map_of(f, f->fout);
	f->hout = map_of(f, f->fhout);
	f->g1 = f->a->reuse;
	f->g2 = f->c->reuse;
	f->g3 = f->e->reuse;
	f->g4 = f->u->reuse;
	f->prog = f->st->progs->pdata[rp_fd_prog(f->st, 0, f->fprog)];
	assert_valid(f->st, prof);
}

static void
fix_fini(struct fix *f)
{
	unpoke_all(f);
	assert_valid(f->st, "restored");
	rp_state_free(f->st);
	g_array_unref(f->pokes);
}

/* ----------------------------------------------------------------------
 * Corruptions, one field (or one consistent edit) each
 */

/* I1 */
static void
c_owner_idx(struct fix *f)
{
	POKE(f, f->a->owner.idx, 2);
}

static void
c_owner_none(struct fix *f)
{
	POKE(f, f->a->owner.kind, RP_OWNER_NONE);
}

static void
c_slot_cleared(struct fix *f)
{
	POKE(f, SLOT(f->m1, 1), NULL);
	POKE(f, f->m1->used, f->m1->used - 1);
}

static void
c_used(struct fix *f)
{
	POKE(f, f->m1->used, f->m1->used + 1);
}

static void
c_owner_range(struct fix *f)
{
	POKE(f, f->a3->owner.kind, RP_OWNER_SLOT);
	POKE(f, f->a3->owner.map, f->m1);
	POKE(f, f->a3->owner.idx, 99);
}

static void
c_owner_wrong_type(struct fix *f)
{
	POKE(f, f->a3->owner.kind, RP_OWNER_SLOT);
	POKE(f, f->a3->owner.map, f->sm);
	POKE(f, f->a3->owner.idx, 0);
}

/* 4.19 already has it (accepted child); 6.18's NOCOPY forbids it */
static void
c_stale(struct fix *f)
{
	POKE(f, f->child->owner.kind, RP_OWNER_STALE);
	POKE(f, f->child->owner.map, f->m2);
	POKE(f, f->child->owner.idx, 0);
}

/* I2 */
static void
c_two_slots(struct fix *f)
{
	POKE(f, SLOT(f->m2, 1), f->a);
	POKE(f, f->m2->used, f->m2->used + 1);
}

/* I3 */
static void
c_unhashed(struct fix *f)
{
	POKE(f, f->a->hashed, false);
}

static void
c_closed(struct fix *f)
{
	POKE(f, f->b->closed, true);
}

static void
c_not_rcu_free(struct fix *f)
{
	POKE(f, f->b->rcu_free, false);
}

static void
c_udplite(struct fix *f)
{
	POKE(f, f->u->protocol, RP_IPPROTO_UDPLITE);
}

static void
c_raw_type(struct fix *f)
{
	POKE(f, f->u->type, RP_SOCK_RAW);
}

static void
c_unix(struct fix *f)
{
	POKE(f, f->u->family, RP_AF_UNIX);
}

/* 6.18: the closed-section listener z put back into a slot */
static void
c_closed_section(struct fix *f)
{
	if (f->z == NULL)
		return;
	POKE(f, SLOT(f->m1, 2), f->z);
	POKE(f, f->m1->used, f->m1->used + 1);
	POKE(f, f->z->owner.kind, RP_OWNER_SLOT);
	POKE(f, f->z->owner.map, f->m1);
	POKE(f, f->z->owner.idx, 2);
	POKE(f, f->z->hashed, true);
	POKE(f, f->z->closed, false);
}

/* I4 */
static void
c_psock_in_slot(struct fix *f)
{
	POKE(f, f->a->owner.kind, RP_OWNER_PSOCK);
}

static void
c_foreign_in_slot(struct fix *f)
{
	POKE(f, SLOT(f->m2, 1), f->e);
	POKE(f, f->m2->used, f->m2->used + 1);
}

/* 4.19 bpf_sk_reuseport_detach() clears psock words: known defect */
static void
c_psock_cleared(struct fix *f)
{
	POKE(f, f->cl->owner.kind, RP_OWNER_NONE);
}

static void
c_psock_refs(struct fix *f)
{
	POKE(f, f->cl->psock_refs, 3);
}

static void
c_psock_word_alone(struct fix *f)
{
	POKE(f, f->a3->owner.kind, RP_OWNER_PSOCK);
}

/* I5 */
static void
c_owner_freed_map(struct fix *f)
{
	POKE(f, f->a3->owner.kind, RP_OWNER_SLOT);
	POKE(f, f->a3->owner.map, &fake_map);
	POKE(f, f->a3->owner.idx, 0);
}

static void
c_owner_dead_map(struct fix *f)
{
	POKE(f, f->m2->dead, true);
}

/* I7 */
static void
c_group_ptr(struct fix *f)
{
	POKE(f, f->b->reuse, f->g2);
}

static void
c_reuse_pos(struct fix *f)
{
	POKE(f, f->b->reuse_pos, 2);
}

static void
c_listed_twice(struct fix *f)
{
	POKE(f, f->g1->socks[2], f->b);
}

static void
c_gap(struct fix *f)
{
	POKE(f, f->g1->socks[5], f->a);
}

static void
c_section_hole(struct fix *f)
{
	POKE(f, f->g1->socks[1], NULL);
}

static void
c_not_listed(struct fix *f)
{
	POKE(f, f->cl->reuse, f->g2);
	POKE(f, f->cl->reuse_pos, 0);
}

static void
c_outside_sections(struct fix *f)
{
	POKE(f, f->cl->reuse, f->g2);
	POKE(f, f->cl->reuse_pos, 9);
}

static void
c_freed_group(struct fix *f)
{
	POKE(f, f->cl->reuse, &fake_group);
}

static void
c_incoming_cpu(struct fix *f)
{
	POKE(f, f->g1->incoming_cpu, 1);
}

/* I8 */
static void
c_overfull(struct fix *f)
{
	POKE(f, f->g1->num_closed_socks, 126);
}

static void
c_max_not_pow2(struct fix *f)
{
	POKE(f, f->g1->max_socks, 192);
}

static void
c_max_small(struct fix *f)
{
	POKE(f, f->g1->max_socks, 64);
}

static void
c_empty_group(struct fix *f)
{
	POKE(f, f->g4->num_socks, 0);
}

/* 4.19 has no closed section; in 6.18 socks[127] must then be filled */
static void
c_closed_count(struct fix *f)
{
	POKE(f, f->g2->num_closed_socks, 1);
}

/* I9 */
static void
c_dup_id(struct fix *f)
{
	POKE(f, f->g2->reuseport_id, f->g1->reuseport_id);
}

static void
c_no_has_id(struct fix *f)
{
	POKE(f, f->g2->has_id, false);
}

/* a sockarray member's group without an id */
static void
c_no_id(struct fix *f)
{
	POKE(f, f->g2->has_id, false);
	POKE(f, f->g2->reuseport_id, 0);
}

/* 4.19: id 0 is "unassigned", so has_id with id 0 is inconsistent */
static void
c_id_zero(struct fix *f)
{
	POKE(f, f->g3->has_id, true);
	POKE(f, f->g3->reuseport_id, 0);
}

/* I10 */
static void
c_uid(struct fix *f)
{
	POKE(f, f->b->uid, 1000);
}

static void
c_port(struct fix *f)
{
	POKE(f, f->a3->num, 8081);
}

static void
c_addr(struct fix *f)
{
	POKE(f, f->a3->rcv_saddr.a[3], 2);
}

static void
c_dev(struct fix *f)
{
	POKE(f, f->b->bound_dev_if, 3);
}

static void
c_v6only(struct fix *f)
{
	static const uint8_t any[16];

	/* at the wildcard, where IPV6_V6ONLY is a join key */
	POKE(f, f->a->rcv_saddr.a[0], any[0]);
	POKE(f, f->a->rcv_saddr.a[3], any[3]);
	POKE(f, f->b->rcv_saddr.a[0], any[0]);
	POKE(f, f->b->rcv_saddr.a[3], any[3]);
	POKE(f, f->b->ipv6only, true);
}

/* at one address IPV6_V6ONLY is no join key (R-GRP-5) */
static void
c_v6only_addr(struct fix *f)
{
	POKE(f, f->b->ipv6only, true);
}

static void
c_netns(struct fix *f)
{
	POKE(f, f->b->net, f->n1->net);
}

static void
c_family(struct fix *f)
{
	POKE(f, f->b->family, RP_AF_INET6);
}

/* I11 */
static void
c_dup_cookie(struct fix *f)
{
	POKE(f, f->b->cookie, f->a->cookie);
}

/* equal cookies in two namespaces: fine in 4.19 only */
static void
c_cross_netns_cookie(struct fix *f)
{
	POKE(f, f->n1->cookie, f->b->cookie);
}

/* I12 */
static void
c_lock_held(struct fix *f)
{
	POKE(f, f->st->reuseport_holder, 1);
}

static void
c_thread_lock(struct fix *f)
{
	POKE(f, f->st->threads[4].holds_reuseport, true);
}

static void
c_cb_held(struct fix *f)
{
	POKE(f, f->b->cb_holder, 3);
}

static void
c_thread_cb(struct fix *f)
{
	POKE(f, f->st->threads[2].cb_held, 1);
}

static void
c_violation12(struct fix *f)
{
	POKE(f, f->st->violation, (char *)"I12: owner word of socket 2 "
	    "written without its callback lock");
}

static void
c_violation13(struct fix *f)
{
	POKE(f, f->st->violation, (char *)"I13: thread 1 calls "
	    "synchronize_rcu() inside an RCU read-side section");
}

/* I13 */
static void
c_rcu_depth(struct fix *f)
{
	POKE(f, f->st->threads[1].rcu_depth, 1);
}

static void
c_slot_freed_sock(struct fix *f)
{
	POKE(f, SLOT(f->m1, 2), &fake_sock);
	POKE(f, f->m1->used, f->m1->used + 1);
}

static void
c_slot_dead_sock(struct fix *f)
{
	POKE(f, SLOT(f->m2, 1), f->n1);
	POKE(f, f->m2->used, f->m2->used + 1);
	POKE(f, f->n1->dead, true);
}

static void
c_member_dead(struct fix *f)
{
	POKE(f, f->a3->dead, true);
}

static void
c_member_freed(struct fix *f)
{
	POKE(f, f->g1->socks[2], &fake_sock);
}

static void
c_sockmap_freed(struct fix *f)
{
	POKE(f, SLOT(f->sm, 2), &fake_sock);
}

static void
c_sockhash_freed(struct fix *f)
{
	g_hash_table_insert(f->sh->u.hash, GUINT_TO_POINTER(9), &fake_sock);
	rp_chk_mark_slot(f->st->chk, f->sh->id, 9);
}

static void
u_sockhash_freed(struct fix *f)
{
	g_hash_table_remove(f->sh->u.hash, GUINT_TO_POINTER(9));
	rp_chk_mark_slot(f->st->chk, f->sh->id, 9);
}

static void
c_outer_freed(struct fix *f)
{
	POKE(f, SLOT(f->out, 1), &fake_map);
}

static void
c_houter_freed(struct fix *f)
{
	g_hash_table_insert(f->hout->u.hash, GUINT_TO_POINTER(6), &fake_map);
	rp_chk_mark_slot(f->st->chk, f->hout->id, 6);
}

static void
u_houter_freed(struct fix *f)
{
	g_hash_table_remove(f->hout->u.hash, GUINT_TO_POINTER(6));
	rp_chk_mark_slot(f->st->chk, f->hout->id, 6);
}

static void
c_prog_map(struct fix *f)
{
	POKE(f, f->prog->map, &fake_map);
}

static void
c_group_prog(struct fix *f)
{
	POKE(f, f->g1->prog, &fake_prog);
}

static void
c_group_dead(struct fix *f)
{
	POKE(f, f->g3->dead, true);
}

/* I7 (bind bucket) */
static void
c_bound_pos(struct fix *f)
{
	POKE(f, f->a->bound_pos, 5);
}

/* a chain head that no socket claims (port 7070 has no listener) */
static void
c_listen_unclaimed(struct fix *f)
{
	POKE(f, f->x->bucket->listen_head, f->x);
}

static void
c_listen_link(struct fix *f)
{
	POKE(f, f->a->listen_next, f->a3);
}

static void
c_listen_count(struct fix *f)
{
	POKE(f, f->a->bucket->nlisten, 4);
}

static void
c_listen_tail(struct fix *f)
{
	POKE(f, f->a->bucket->listen_tail, f->b);
}

static void
c_listen_empty_tail(struct fix *f)
{
	POKE(f, f->x->bucket->listen_tail, f->x);
}

static void
c_listen_freed(struct fix *f)
{
	POKE(f, f->a->listen_next, &fake_sock);
}

static void
c_bucket_key(struct fix *f)
{
	POKE(f, f->e->num, 8083);
}

static void
c_bucket_entry(struct fix *f)
{
	POKE(f, f->c->bucket->bound->pdata[0], (gpointer)f->b);
}

static void
c_bucket_dead(struct fix *f)
{
	POKE(f, f->x->dead, true);
}

static void
c_no_bucket(struct fix *f)
{
	POKE(f, f->n1->listed, true);
}

/* I13: an object table entry whose object has another id */
static void
c_sock_table(struct fix *f)
{
	POKE(f, f->b->id, 99);
}

static void
c_group_table(struct fix *f)
{
	POKE(f, f->g2->id, 98);
}

static void
c_map_table(struct fix *f)
{
	POKE(f, f->m2->id, 97);
}

static void
c_prog_table(struct fix *f)
{
	POKE(f, f->prog->id, 96);
}

/* I10: protocol (and its names) */
static void
c_protocol_udp(struct fix *f)
{
	POKE(f, f->a3->protocol, RP_IPPROTO_UDP);
}

static void
c_protocol_other(struct fix *f)
{
	POKE(f, f->a3->protocol, RP_IPPROTO_UDPLITE);
}

/* I10: an IPv6 group whose members differ in address */
static void
c_addr6(struct fix *f)
{
	POKE(f, f->a->family, RP_AF_INET6);
	POKE(f, f->a->rcv_saddr.family, RP_AF_INET6);
	POKE(f, f->b->family, RP_AF_INET6);
	POKE(f, f->b->rcv_saddr.family, RP_AF_INET6);
	POKE(f, f->b->rcv_saddr.a[15], 7);
}

/* I3: an occupant that lost its group */
static void
c_occupant_no_group(struct fix *f)
{
	POKE(f, f->u->reuse, NULL);
	POKE(f, f->st->groups->pdata[f->g4->id], NULL);
}

/* I1: a slot owner word without a map */
static void
c_owner_no_map(struct fix *f)
{
	POKE(f, f->a3->owner.kind, RP_OWNER_SLOT);
	POKE(f, f->a3->owner.map, NULL);
	POKE(f, f->a3->owner.idx, 0);
}

/* I13: a sockmap entry holding a dead socket */
static void
c_sockmap_dead(struct fix *f)
{
	POKE(f, SLOT(f->sm, 1), f->n1);
	POKE(f, f->sm->used, f->sm->used + 1);
	POKE(f, f->n1->dead, true);
}

/* I7 (bind bucket) */
static void
c_bucket_freed(struct fix *f)
{
	POKE(f, f->x->bucket, &fake_bucket);
}

static void
c_listen_order(struct fix *f)
{
	POKE(f, f->b->listen_seq, f->a->listen_seq);
}

/* two bound entries nobody claims: the lowest (port 7070) is named */
static void
c_bound_unclaimed(struct fix *f)
{
	POKE(f, f->cl->bucket, NULL);
	POKE(f, f->x->bucket, NULL);
}

/* Objects freed (gone from their table) while something still names
 * them: what a model that frees too early leaves behind. */
static void
c_sock_gone(struct fix *f)
{
	POKE(f, f->st->socks->pdata[f->a3->id], NULL);
}

static void
c_group_gone(struct fix *f)
{
	POKE(f, f->st->groups->pdata[f->g2->id], NULL);
}

static void
c_prog_gone(struct fix *f)
{
	POKE(f, f->st->progs->pdata[f->prog->id], NULL);
}

/* a chain head that has a previous socket */
static void
c_listen_head(struct fix *f)
{
	POKE(f, f->a->bucket->listen_head, f->b);
}

/* ----------------------------------------------------------------------
 * The table: want[] per profile (4.19, 6.18): the invariant number the
 * message must start with, or 0 when the profile allows the state.  sub[]
 * is a substring the message must contain (NULL: none checked).
 */

#define BOTH(n)		{ (n), (n) }

struct row {
	const char	*name;
	void		(*corrupt)(struct fix *);
	void		(*undo)(struct fix *);	/* for non-POKE edits */
	int		want[2];
	const char	*sub[2];
};

static const struct row rows[] = {
	{ "check/I1/slot-owner-mismatch", c_owner_idx, NULL, BOTH(1),
	  { "I1 slot <-> owner: map 1 slot 0 holds socket 1 but socket 1's "
	    "owner word says map 1 slot 2" } },
	{ "check/I1/slot-owner-none", c_owner_none, NULL, BOTH(1),
	  { "map 1 slot 0 holds socket 1 but socket 1's owner word says "
	    "nothing" } },
	{ "check/I1/owner-slot-empty", c_slot_cleared, NULL, BOTH(1),
	  { "socket 2's owner word says map 1 slot 1, but that slot holds "
	    "nothing" } },
	{ "check/I1/used-count", c_used, NULL, BOTH(1),
	  { "map 1 counts 4 used slots but 3 are occupied" } },
	{ "check/I1/owner-out-of-range", c_owner_range, NULL, BOTH(1),
	  { "socket 3's owner word says map 1 slot 99, but map 1 has 4 "
	    "slots" } },
	{ "check/I1/owner-not-sockarray", c_owner_wrong_type, NULL, BOTH(1),
	  { "map 3 is not a reuseport sockarray" } },
	{ "check/I1/stale-copy", c_stale, NULL, { 0, 1 },
	  { NULL, "I1 slot <-> owner: socket 8's owner word is a stale copy "
	    "of map 2 slot 0" } },
	{ "check/I2/two-slots", c_two_slots, NULL, BOTH(2),
	  { "I2 single membership: socket 1 occupies map 1 slot 0 and map 2 "
	    "slot 1" } },
	{ "check/I3/not-hashed", c_unhashed, NULL, BOTH(3),
	  { "I3 eligible occupants: map 1 slot 0 holds socket 1, which is "
	    "not hashed" } },
	{ "check/I3/closed", c_closed, NULL, BOTH(3),
	  { "map 1 slot 1 holds socket 2, which is closed" } },
	{ "check/I3/not-rcu-free", c_not_rcu_free, NULL, BOTH(3),
	  { "map 1 slot 1 holds socket 2, which is not SOCK_RCU_FREE" } },
	{ "check/I3/protocol", c_udplite, NULL, BOTH(3),
	  { "map 1 slot 3 holds socket 6, which is neither TCP nor UDP "
	    "(protocol 136)" } },
	{ "check/I3/type", c_raw_type, NULL, BOTH(3),
	  { "neither SOCK_STREAM nor SOCK_DGRAM (type 3)" } },
	{ "check/I3/family", c_unix, NULL, BOTH(3),
	  { "neither AF_INET nor AF_INET6 (family 1)" } },
	{ "check/I3/closed-section", c_closed_section, NULL, { 0, 3 },
	  { NULL, "map 1 slot 2 holds socket 11, which is in the closed "
	    "section of group 1 (socks[127])" } },
	{ "check/I4/psock-in-slot", c_psock_in_slot, NULL, BOTH(4),
	  { "I4 foreign owners: map 1 slot 0 holds socket 1 whose owner word "
	    "belongs to a psock" } },
	{ "check/I4/foreign-in-slot", c_foreign_in_slot, NULL, BOTH(4),
	  { "map 2 slot 1 holds socket 5 whose owner word belongs to a "
	    "foreign owner" } },
	{ "check/I4/psock-word-cleared", c_psock_cleared, NULL, { 0, 4 },
	  { NULL, "I4 foreign owners: map 3 key 0 holds socket 7 whose owner "
	    "word says nothing, not a psock" } },
	{ "check/I4/psock-refs", c_psock_refs, NULL, BOTH(4),
	  { "socket 7 has psock_refs 3 but is in 2 sockmap/sockhash "
	    "entries" } },
	{ "check/I4/psock-word-without-map", c_psock_word_alone, NULL,
	  BOTH(4), { "I4 foreign owners: socket 3's owner word says a psock "
	    "but it is in no sockmap or sockhash" } },
	{ "check/I5/owner-freed-map", c_owner_freed_map, NULL, BOTH(5),
	  { "I5 no dangling after free: socket 3's owner word refers to slot "
	    "0 of a freed map" } },
	{ "check/I5/owner-dead-map", c_owner_dead_map, NULL, BOTH(5),
	  { "socket 4's owner word refers to map 2 slot 0, but map 2 is "
	    "freed" } },
	{ "check/I7/group-pointer", c_group_ptr, NULL, BOTH(7),
	  { "I7 group membership: group 1 socks[1] is socket 2 whose group "
	    "pointer is group 2" } },
	{ "check/I7/reuse-pos", c_reuse_pos, NULL, BOTH(7),
	  { "group 1 socks[1] is socket 2 whose reuse_pos is 2" } },
	{ "check/I7/listed-twice", c_listed_twice, NULL, BOTH(7),
	  { "socket 2 is listed twice in group 1 (socks[1] and socks[2])" } },
	{ "check/I7/gap-not-empty", c_gap, NULL, BOTH(7),
	  { "group 1 socks[5] lies between the listening and closed sections "
	    "but holds socket 1" } },
	{ "check/I7/hole-in-section", c_section_hole, NULL, BOTH(7),
	  { "group 1 socks[1] is empty inside the listening section" } },
	{ "check/I7/socket-not-listed", c_not_listed, NULL, BOTH(7),
	  { "socket 7's group pointer is group 2 at socks[0], but group 2 "
	    "socks[0] holds socket 4" } },
	{ "check/I7/outside-sections", c_outside_sections, NULL, BOTH(7),
	  { "socket 7's group pointer is group 2 at socks[9], outside both "
	    "sections" } },
	{ "check/I7/freed-group", c_freed_group, NULL, BOTH(7),
	  { "socket 7's group pointer refers to a freed group" } },
	{ "check/I7/incoming-cpu", c_incoming_cpu, NULL, { 0, 7 },
	  { NULL, "group 1 counts 1 listening members with SO_INCOMING_CPU "
	    "(incoming_cpu) but 0 are listed" } },
	{ "check/I8/overfull", c_overfull, NULL, BOTH(8),
	  { "I8 group sizes: group 1: num_socks + num_closed_socks <= "
	    "max_socks fails" } },
	{ "check/I8/max-not-power-of-two", c_max_not_pow2, NULL, BOTH(8),
	  { "max_socks is 128 times a power of two and at most 32768 fails "
	    "(max_socks 192)" } },
	{ "check/I8/max-too-small", c_max_small, NULL, BOTH(8),
	  { "(max_socks 64)" } },
	{ "check/I8/empty-group", c_empty_group, NULL, BOTH(8),
	  { "group 4 has no member but is not freed" } },
	{ "check/I8/closed-section", c_closed_count, NULL, { 8, 7 },
	  { "group 2 has 1 closed sockets but profile 4.19 has no closed "
	    "section", "group 2 socks[127] is empty inside the closed "
	    "section" } },
	{ "check/I9/duplicate-id", c_dup_id, NULL, BOTH(9),
	  { "I9 group ids: groups 1 and 2 share reuseport_id" } },
	{ "check/I9/has-id-cleared", c_no_has_id, NULL, BOTH(9),
	  { "group 2 has ", "group 2 has no reuseport_id (profile 6.18" } },
	{ "check/I9/member-without-id", c_no_id, NULL, BOTH(9),
	  { "group 2 has no reuseport_id although its socket 4 is in map 2 "
	    "slot 0", "group 2 has no reuseport_id (profile 6.18" } },
	{ "check/I9/id-zero", c_id_zero, NULL, BOTH(9),
	  { "group 3 has has_id 1 but reuseport_id 0", "groups 1 and 3 share "
	    "reuseport_id 0" } },
	{ "check/I10/uid", c_uid, NULL, BOTH(10),
	  { "I10 join rules: group 1 socks[0] (socket 1) and socks[1] "
	    "(socket 2) differ in uid (0 vs 1000)" } },
	{ "check/I10/port", c_port, NULL, BOTH(10),
	  { "differ in port (8080 vs 8081)" } },
	{ "check/I10/address", c_addr, NULL, BOTH(10),
	  { "differ in bound address (127.0.0.1 vs 127.0.0.2)" } },
	/* a member may change its device later (SO_BINDTOIFINDEX) */
	{ "check/I10/device", c_dev, NULL, BOTH(0), { NULL, NULL } },
	{ "check/I10/ipv6only", c_v6only, NULL, BOTH(10),
	  { "differ in ipv6only (0 vs 1)" } },
	{ "check/I10/ipv6only-address", c_v6only_addr, NULL, BOTH(0),
	  { NULL, NULL } },
	{ "check/I10/netns", c_netns, NULL, BOTH(10),
	  { "differ in netns (0 vs 1)" } },
	{ "check/I10/family", c_family, NULL, BOTH(10),
	  { "differ in family (2 vs 10)" } },
	{ "check/I11/duplicate-cookie", c_dup_cookie, NULL, BOTH(11),
	  { "I11 cookies: sockets 1 and 2 ", "I11 cookies: sockets 1 and 2 "
	    "share cookie" } },
	{ "check/I11/cross-netns", c_cross_netns_cookie, NULL, { 0, 11 },
	  { NULL, "sockets 2 and 9 share cookie" } },
	{ "check/I12/reuseport-lock", c_lock_held, NULL, BOTH(12),
	  { "I12 lock discipline: reuseport_lock is held by thread 0 between "
	    "steps" } },
	{ "check/I12/thread-lock", c_thread_lock, NULL, BOTH(12),
	  { "thread 4 believes it holds reuseport_lock" } },
	{ "check/I12/callback-lock", c_cb_held, NULL, BOTH(12),
	  { "the callback lock of socket 2 is held by thread 2 between "
	    "steps" } },
	{ "check/I12/thread-callback", c_thread_cb, NULL, BOTH(12),
	  { "thread 2 holds 1 callback locks between steps" } },
	{ "check/I12/recorded", c_violation12, NULL, BOTH(12),
	  { "I12: owner word of socket 2 written without its callback "
	    "lock" } },
	{ "check/I13/recorded", c_violation13, NULL, BOTH(13),
	  { "I13: thread 1 calls synchronize_rcu()" } },
	{ "check/I13/rcu-depth", c_rcu_depth, NULL, BOTH(13),
	  { "I13 RCU: thread 1 is inside 1 RCU read-side sections between "
	    "steps" } },
	{ "check/I13/slot-freed-socket", c_slot_freed_sock, NULL, BOTH(13),
	  { "map 1 slot 2 points to a freed socket" } },
	{ "check/I13/slot-dead-socket", c_slot_dead_sock, NULL, BOTH(13),
	  { "map 2 slot 1 holds socket 9, which is dead (freed)" } },
	{ "check/I13/member-dead", c_member_dead, NULL, BOTH(13),
	  { "group 1 socks[2] is socket 3, which is dead (freed)" } },
	{ "check/I13/member-freed", c_member_freed, NULL, BOTH(13),
	  { "group 1 socks[2] points to a freed socket" } },
	{ "check/I13/sockmap-freed", c_sockmap_freed, NULL, BOTH(13),
	  { "map 3 key 2 points to a freed socket" } },
	{ "check/I13/sockhash-freed", c_sockhash_freed, u_sockhash_freed,
	  BOTH(13), { "map 4 key 9 points to a freed socket" } },
	{ "check/I13/outer-freed", c_outer_freed, NULL, BOTH(13),
	  { "map 5 slot 1 points to a freed map" } },
	{ "check/I13/hash-outer-freed", c_houter_freed, u_houter_freed,
	  BOTH(13), { "map 6 slot 6 points to a freed map" } },
	{ "check/I13/prog-map", c_prog_map, NULL, BOTH(13),
	  { "program 1 references a freed map" } },
	{ "check/I13/group-prog", c_group_prog, NULL, BOTH(13),
	  { "group 1's program is a freed program" } },
	{ "check/I13/group-dead", c_group_dead, NULL, BOTH(13),
	  { "group 3 is freed (dead) but still registered" } },
	{ "check/bucket/bound-pos", c_bound_pos, NULL, BOTH(7),
	  { "I7 (bind bucket): socket 1 says bound[5] of bucket (netns 0, "
	    "tcp port 8080)" } },
	{ "check/bucket/listen-unclaimed", c_listen_unclaimed, NULL, BOTH(7),
	  { "I7 (bind bucket): bucket (netns 0, tcp port 7070) listen[0] "
	    "holds socket 10, which does not point back at it" } },
	{ "check/bucket/listen-link", c_listen_link, NULL, BOTH(7),
	  { "I7 (bind bucket): socket 1's next socket in the listening chain "
	    "of bucket (netns 0, tcp port 8080) is socket 3, which does not "
	    "link back to it" } },
	{ "check/bucket/listen-count", c_listen_count, NULL, BOTH(7),
	  { "bucket (netns 0, tcp port 8080) counts 4 sockets in its "
	    "listening chain but 3 are linked from its head" } },
	{ "check/bucket/listen-tail", c_listen_tail, NULL, BOTH(7),
	  { "socket 1 has no next socket in the listening chain of bucket "
	    "(netns 0, tcp port 8080), whose tail is socket 2" } },
	{ "check/bucket/listen-empty-tail", c_listen_empty_tail, NULL,
	  BOTH(7), { "bucket (netns 0, tcp port 7070)'s listening chain ends "
	    "at nothing but its tail is socket 10" } },
	{ "check/bucket/listen-freed", c_listen_freed, NULL, BOTH(7),
	  { "socket 1's next socket in the listening chain of bucket (netns "
	    "0, tcp port 8080) is a freed socket" } },
	{ "check/bucket/key", c_bucket_key, NULL, BOTH(7),
	  { "socket 5 (netns 0, tcp port 8083) is in bucket (netns 0, tcp "
	    "port 8082)" } },
	{ "check/bucket/entry", c_bucket_entry, NULL, BOTH(7),
	  { "socket 4 says bound[0] of bucket (netns 0, tcp port 8081)" } },
	{ "check/bucket/dead-member", c_bucket_dead, NULL, BOTH(7),
	  { "socket 10 is dead (freed) but still in bucket (netns 0, tcp "
	    "port 7070)" } },
	{ "check/bucket/listen-without-bucket", c_no_bucket, NULL, BOTH(7),
	  { "socket 9 is in a listening chain but has no bucket" } },
	{ "check/I13/socket-table", c_sock_table, NULL, BOTH(13),
	  { "I13 RCU: socket table entry 2 holds socket 99" } },
	{ "check/I13/group-table", c_group_table, NULL, BOTH(13),
	  { "group table entry 2 holds group 98" } },
	{ "check/I13/map-table", c_map_table, NULL, BOTH(13),
	  { "map table entry 2 holds map 97" } },
	{ "check/I13/prog-table", c_prog_table, NULL, BOTH(13),
	  { "program table entry 1 holds program 96" } },
	{ "check/I10/protocol", c_protocol_udp, NULL, BOTH(10),
	  { "differ in protocol (tcp vs udp)" } },
	{ "check/I10/protocol-other", c_protocol_other, NULL, BOTH(10),
	  { "differ in protocol (tcp vs protocol 136)" } },
	{ "check/I10/address6", c_addr6, NULL, BOTH(10),
	  { "differ in bound address (family 10 7f00:0001:0000:0000:0000:"
	    "0000:0000:0000 vs family 10 7f00:0001:0000:0000:0000:0000:0000:"
	    "0007)" } },
	{ "check/I3/no-group", c_occupant_no_group, NULL, BOTH(3),
	  { "map 1 slot 3 holds socket 6, which is in no reuseport group" } },
	{ "check/I1/owner-no-map", c_owner_no_map, NULL, BOTH(1),
	  { "socket 3's owner word says slot 0 of no map" } },
	{ "check/I13/sockmap-dead", c_sockmap_dead, NULL, BOTH(13),
	  { "map 3 key 1 holds socket 9, which is dead (freed)" } },
	{ "check/bucket/freed-bucket", c_bucket_freed, NULL, BOTH(7),
	  { "socket 10's bucket is a freed bucket" } },
	{ "check/bucket/listen-order", c_listen_order, NULL, BOTH(7),
	  { "socket 1 follows socket 2 in the listening chain of bucket "
	    "(netns 0, tcp port 8080) out of chain order (listen_seq -1 after "
	    "-1)" } },
	{ "check/I13/socket-gone", c_sock_gone, NULL, BOTH(13),
	  { "I13 RCU: group 1 socks[2] points to a freed socket" } },
	{ "check/I7/group-gone", c_group_gone, NULL, BOTH(7),
	  { "I7 group membership: socket 4's group pointer refers to a freed "
	    "group" } },
	{ "check/I13/prog-gone", c_prog_gone, NULL, BOTH(13),
	  { "I13 RCU: group 1's program is a freed program" } },
	{ "check/bucket/listen-head", c_listen_head, NULL, BOTH(7),
	  { "socket 3 has no previous socket in the listening chain of "
	    "bucket (netns 0, tcp port 8080), whose head is socket 2" } },
	{ "check/bucket/bound-unclaimed", c_bound_unclaimed, NULL, BOTH(7),
	  { "bucket (netns 0, tcp port 7070) bound[0] holds socket 10, which "
	    "does not point back at it" } },
};

static const char *const profiles[] = { "4.19", "6.18" };

/*
 * Row i / 2 in profile i % 2: the fixture passes, the corruption gives
 * the expected id (twice, with the same message), the undo passes.  The
 * incremental checker, which has recorded the fixture, agrees each time
 * (found through the marks the writes leave, rp_check_step()).
 */
TU_LOOP(test_corrupt, "check/corrupt", (int)(2 * G_N_ELEMENTS(rows)))
{
	const struct row *r = &rows[_i / 2];
	int p = _i % 2, want = r->want[p];
	const char *sub = r->sub[p] != NULL ? r->sub[p] : r->sub[0];
	g_autoptr(GError) err = NULL;
	g_autoptr(GError) err2 = NULL;
	g_autoptr(GError) err_step = NULL;
	g_autofree char *prefix = NULL;
	struct fix f;
	gboolean ok, step;

	fix_init(&f, profiles[p]);
	r->corrupt(&f);
	ok = rp_check(f.st, &err);
	step = rp_check_step(f.st, &err_step);
	ck_assert_msg(step == ok, "%s [%s]: rp_check_step() %s", r->name,
	    profiles[p], step ? "passes" : err_step->message);
	if (!ok)
		ck_assert_str_eq(err_step->message, err->message);
	if (want == 0) {
		ck_assert_msg(ok, "%s [%s]: expected to pass, got: %s", r->name,
		    profiles[p], err != NULL ? err->message : "?");
	} else {
		ck_assert_msg(!ok, "%s [%s]: expected I%d, passed", r->name,
		    profiles[p], want);
		ck_assert_msg(err->domain == RP_CHECK_ERROR &&
		    err->code == want, "%s [%s]: expected I%d, got code %d: %s",
		    r->name, profiles[p], want, err->code, err->message);
		prefix = g_strdup_printf("I%d", want);
		ck_assert_msg(g_str_has_prefix(err->message, prefix) &&
		    !g_ascii_isdigit(err->message[strlen(prefix)]),
		    "%s [%s]: message does not start with %s: %s", r->name,
		    profiles[p], prefix, err->message);
		ck_assert_msg(sub == NULL || strstr(err->message, sub) != NULL,
		    "%s [%s]: '%s' not in: %s", r->name, profiles[p], sub,
		    err->message);
		/* read-only and stable: the same verdict again */
		ck_assert(!rp_check(f.st, &err2));
		ck_assert_str_eq(err2->message, err->message);
	}
	if (r->undo != NULL)
		r->undo(&f);
	fix_fini(&f);
}
END_TEST

/* Both fixtures pass, and pass again after every teardown step. */
TU_LOOP(test_valid_lifecycle, "check/valid", 2)
{
	static const char *const what[] = { "close a", "close map 1",
	    "delete map 2 slot 0", "close client", "close b", "close prog",
	    "close c", "close z" };
	struct fix f;
	int fds[8];

	fix_init(&f, profiles[_i]);
	fds[0] = f.fa;
	fds[1] = f.fm1;
	fds[2] = -1;
	fds[3] = f.fcl;
	fds[4] = f.fb;
	fds[5] = f.fprog;
	fds[6] = f.fc;
	fds[7] = f.fz;
	for (unsigned i = 0; i < G_N_ELEMENTS(fds); i++) {
		if (i == 2)
			ck_assert_int_eq(rp_map_delete(f.st, 0, f.fm2, 0), 0);
		else if (fds[i] > 0)
			ck_assert_int_eq(rp_close(f.st, 0, fds[i]), 0);
		assert_valid(f.st, what[i]);
	}
	rp_state_free(f.st);
	g_array_unref(f.pokes);
}
END_TEST

/*
 * I6 and the "never changes" half of I11 compare two states, so they are
 * tested here and not in rp_check(): deleting a slot, freeing a map and
 * closing one of two fds leave the socket as it was, and its cookie too.
 */
TU_LOOP(test_transitions, "check/transitions", 2)
{
	struct rp_sock_info b0, b1, c0, c1;
	struct rp_map_info mi;
	uint64_t cookie, again;
	struct fix f;
	unsigned m2;
	int dup;

	fix_init(&f, profiles[_i]);
	m2 = f.m2->id;
	ck_assert_int_eq(rp_sock_info(f.st, f.b->id, &b0), 0);
	ck_assert_int_eq(rp_sock_info(f.st, f.c->id, &c0), 0);
	ck_assert_int_eq(rp_getsockopt_cookie(f.st, 0, f.fb, &cookie), 0);
	ck_assert_uint_ne(cookie, 0);

	ck_assert_int_eq(rp_map_delete(f.st, 0, f.fm1, 1), 0);	/* b's slot */
	ck_assert_int_eq(rp_close(f.st, 0, f.fm2), 0);	/* frees c's map */
	ck_assert_int_eq(rp_map_info(f.st, m2, &mi), -ENOENT);
	ck_assert_uint_eq(rp_state_settle(f.st), 1);	/* the deferred free */
	dup = rp_fd_dup(f.st, 0, f.fb);
	ck_assert_int_ge(dup, 0);
	ck_assert_int_eq(rp_close(f.st, 0, f.fb), 0);
	assert_valid(f.st, "after delete, map free and fd close");

	ck_assert_int_eq(rp_sock_info(f.st, f.b->id, &b1), 0);
	ck_assert_int_eq(rp_sock_info(f.st, f.c->id, &c1), 0);
	ck_assert(!b1.closed && b1.hashed && !c1.closed && c1.hashed);
	ck_assert_uint_eq(b1.group, b0.group);
	ck_assert_uint_eq(c1.group, c0.group);
	ck_assert_int_eq(b1.state, b0.state);
	ck_assert_int_eq(c1.state, c0.state);
	ck_assert_int_eq(b1.owner, RP_OWNER_NONE);
	ck_assert_int_eq(c1.owner, RP_OWNER_NONE);
	ck_assert_int_eq(rp_getsockopt_cookie(f.st, 0, dup, &again), 0);
	ck_assert_uint_eq(again, cookie);
	rp_state_free(f.st);
	g_array_unref(f.pokes);
}
END_TEST

/* The error quark and a NULL GError** are accepted. */
TU_LOOP(test_api, "check/valid", 2)
{
	struct fix f;

	fix_init(&f, profiles[_i]);
	ck_assert(rp_check(f.st, NULL));
	POKE(&f, f.a->owner.idx, 3);
	ck_assert(!rp_check(f.st, NULL));
	ck_assert_uint_ne(RP_CHECK_ERROR, 0);
	ck_assert_str_eq(g_quark_to_string(RP_CHECK_ERROR),
	    "rp-check-error-quark");
	fix_fini(&f);
}
END_TEST


TU_MAIN("check")
