/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * testutil.c - shared helpers of the Check suites.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rp-int.h"
#include "testutil.h"

/*
 * Run s with CK_ENV verbosity; Check prints its own summary line
 * ("100%: Checks: N, Failures: F, Errors: E"), which the TAP driver copies
 * into the log.  Returns the number of failures, or 0 under the TAP driver
 * (CK_TAP_LOG_FILE_NAME set), where every failure already shows as a FAIL
 * line and a non-zero exit would count it twice.
 */
int
tu_run_suite(Suite *s)
{
	SRunner *sr = srunner_create(s);
	int failed;

	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	if (getenv("CK_TAP_LOG_FILE_NAME") != NULL)
		return 0;
	return failed;
}

/* ---------------------------------------------------------------------
 * The registry of tests (TU_CASE ...) and TCases (TU_TCASE), filled by
 * constructors before main().
 */

typedef struct {
	const char	*name;
	int		 timeout;
	void		(*setup)(void);
	void		(*teardown)(void);
	TCase		*tc;
} TuTcase;

typedef struct {
	const char	*tcase;
	const TTest	*test;
	int		 loops;
} TuReg;

static GArray *tu_tcases;	/* TuTcase, in first-seen order */
static GArray *tu_tests;	/* TuReg, in registration order */

static TuTcase *
tcase_of(const char *name)
{
	TuTcase t = { name, 0, NULL, NULL, NULL };

	if (tu_tcases == NULL)
		tu_tcases = g_array_new(FALSE, FALSE, sizeof(TuTcase));
	for (guint i = 0; i < tu_tcases->len; i++)
		if (strcmp(g_array_index(tu_tcases, TuTcase, i).name,
		    name) == 0)
			return &g_array_index(tu_tcases, TuTcase, i);
	g_array_append_val(tu_tcases, t);
	return &g_array_index(tu_tcases, TuTcase, tu_tcases->len - 1);
}

void
tu_register(const char *tcase, const TTest *test, int loops)
{
	TuReg r = { tcase, test, loops };

	tcase_of(tcase);
	if (tu_tests == NULL)
		tu_tests = g_array_new(FALSE, FALSE, sizeof(TuReg));
	g_array_append_val(tu_tests, r);
}

void
tu_register_tcase(const char *tcase, int timeout, void (*setup)(void),
    void (*teardown)(void))
{
	TuTcase *t = tcase_of(tcase);

	t->timeout = timeout;
	t->setup = setup;
	t->teardown = teardown;
}

/* Build the suite of every registered test and run it; the failures. */
int
tu_main(const char *suite)
{
	Suite *s = suite_create(suite);

	for (guint i = 0; tu_tcases != NULL && i < tu_tcases->len; i++) {
		TuTcase *t = &g_array_index(tu_tcases, TuTcase, i);

		t->tc = tcase_create(t->name);
		if (t->timeout > 0)
			tcase_set_timeout(t->tc, t->timeout);
		if (t->setup != NULL || t->teardown != NULL)
			tcase_add_checked_fixture(t->tc, t->setup,
			    t->teardown);
		suite_add_tcase(s, t->tc);
	}
	for (guint i = 0; tu_tests != NULL && i < tu_tests->len; i++) {
		const TuReg *r = &g_array_index(tu_tests, TuReg, i);
		TCase *tc = tcase_of(r->tcase)->tc;

		if (r->loops > 0)
			tcase_add_loop_test(tc, r->test, 0, r->loops);
		else
			tcase_add_test(tc, r->test);
	}
	return tu_run_suite(s);
}

int
tu_nprofiles(void)
{
	int n = 0;

	while (rp_profile_nth((size_t)n) != NULL)
		n++;
	return n;
}

int
tu_row(const char *name)
{
	const struct rp_profile *want = rp_profile_find(name);

	g_assert(want != NULL);
	for (int i = 0; i < tu_nprofiles(); i++)
		if (rp_profile_nth((size_t)i) == want)
			return i;
	g_assert_not_reached();
}

bool
tu_first_of_kind(int row, unsigned (*key)(const struct rp_profile *))
{
	unsigned k = key(tu_prof(row));

	for (int i = 0; i < row; i++)
		if (key(tu_prof(i)) == k)
			return false;
	return true;
}

int
tu_nkinds(unsigned (*key)(const struct rp_profile *))
{
	int n = 0;

	for (int i = 0; i < tu_nprofiles(); i++)
		n += tu_first_of_kind(i, key);
	return n;
}

int
tu_kind_row(int k, unsigned (*key)(const struct rp_profile *))
{
	for (int i = 0; i < tu_nprofiles(); i++)
		if (tu_first_of_kind(i, key) && k-- == 0)
			return i;
	g_assert_not_reached();
}

const struct rp_profile *
tu_prof(int i)
{
	const struct rp_profile *p = i >= 0 ? rp_profile_nth((size_t)i) : NULL;

	g_assert(p != NULL);
	return p;
}

/* ---------------------------------------------------------------------
 * Events
 */

static void
record_event(void *ud, const struct rp_event *ev)
{
	g_array_append_val((GArray *)ud, *ev);
}

static const struct rp_observer record_obs = { .event = record_event };

GArray *
tu_record(struct rp_state *st)
{
	GArray *ev = g_array_new(FALSE, FALSE, sizeof(struct rp_event));

	rp_state_set_observer(st, &record_obs, ev);
	return ev;
}

bool
tu_saw_rule(const GArray *ev, const char *rule, int err)
{
	size_t n = strcspn(rule, " ");

	for (guint i = 0; i < ev->len; i++) {
		const struct rp_event *e = &g_array_index(ev, struct rp_event,
		    i);

		if (e->kind == RP_EV_RULE && e->rule != NULL &&
		    strlen(e->rule) == n && strncmp(e->rule, rule, n) == 0 &&
		    (err == TU_ANY || e->err == err))
			return true;
	}
	return false;
}

unsigned
tu_count(const GArray *ev, enum rp_event_kind k, unsigned sock)
{
	unsigned n = 0;

	for (guint i = 0; i < ev->len; i++) {
		const struct rp_event *e = &g_array_index(ev, struct rp_event,
		    i);

		if (e->kind == k && (sock == 0 || e->sock == sock))
			n++;
	}
	return n;
}

struct rp_state *
tu_state_of(const struct rp_profile *prof)
{
	struct rp_state *st = rp_state_new(prof);

	ck_assert_ptr_nonnull(st);
	return st;
}

void
tu_state_done(struct rp_state *st)
{
	tu_assert_invariants(st);
	rp_state_free(st);
}

struct rp_state *
tu_state_row(int i)
{
	return tu_state_of(tu_prof(i));
}

struct tu_expect
tu_expect_of(const struct rp_profile *prof, const struct tu_expect *e,
    const struct tu_alt *on, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (on[i].when != NULL && on[i].when(prof))
			return on[i].e;
	return *e;
}

void
tu_fx_init(struct tu_fx *fx, int row)
{
	memset(fx, 0, sizeof(*fx));
	fx->prof = tu_prof(row);
	fx->st = tu_state_of(fx->prof);
	fx->ev = tu_record(fx->st);
}

void
tu_fx_fini(struct tu_fx *fx)
{
	tu_state_done(fx->st);
	g_array_unref(fx->ev);
}

void
tu_fx_clear(struct tu_fx *fx)
{
	g_array_set_size(fx->ev, 0);
}

struct rp_sockaddr
tu_addr(int family, int loopback, uint16_t port)
{
	struct rp_sockaddr sa = { .addr = { .family = (uint16_t)family },
	    .port = port };

	if (loopback && family == RP_AF_INET) {
		sa.addr.a[0] = 127;
		sa.addr.a[3] = 1;
	} else if (loopback) {
		sa.addr.a[15] = 1;
	}
	return sa;
}

int
tu_reuse_sock(struct rp_state *st, unsigned proc, int family, int type,
    int loopback, uint16_t port)
{
	struct rp_sockaddr sa = tu_addr(family, loopback, port);
	int fd = rp_socket(st, proc, family, type, 0);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(rp_setsockopt_int(st, proc, fd, RP_SO_REUSEPORT, 1), 0);
	ck_assert_int_eq(rp_bind(st, proc, fd, &sa), 0);
	if (type == RP_SOCK_STREAM)
		ck_assert_int_eq(rp_listen(st, proc, fd, 16), 0);
	return fd;
}

void
tu_send4(struct rp_state *st, int type, uint16_t sport, uint16_t dport,
    const void *payload, size_t len, uint32_t hash, struct rp_delivery *d)
{
	struct rp_packet pkt = { .protocol = type == RP_SOCK_DGRAM ?
	    RP_IPPROTO_UDP : RP_IPPROTO_TCP, .payload = payload, .len = len,
	    .has_hash = true, .hash = hash };

	pkt.src = tu_addr(RP_AF_INET, 1, sport);
	pkt.dst = tu_addr(RP_AF_INET, 1, dport);
	ck_assert_int_eq(rp_send(st, 0, &pkt, d), 0);
}

uint16_t
tu_port(struct rp_state *st, unsigned proc, int fd)
{
	struct rp_sockaddr sa;

	ck_assert_int_eq(rp_getsockname(st, proc, fd, &sa), 0);
	return sa.port;
}

int
tu_sockarray(struct rp_state *st, unsigned proc, uint32_t vs, uint32_t n)
{
	return tu_map(st, proc, RP_MAP_REUSEPORT_SOCKARRAY, vs, n, 0, -1);
}

int
tu_map_create(struct rp_state *st, unsigned proc, uint32_t type, uint32_t ks,
    uint32_t vs, uint32_t n, uint32_t flags)
{
	struct rp_map_attr a;

	rp_map_attr_init(&a, type, vs, n);
	a.key_size = ks;
	a.map_flags = flags;
	return rp_map_create(st, proc, &a);
}

int
tu_map(struct rp_state *st, unsigned proc, uint32_t type, uint32_t vs,
    uint32_t n, uint32_t flags, int inner_fd)
{
	struct rp_map_attr a;
	int fd;

	rp_map_attr_init(&a, type, vs, n);
	a.map_flags = flags;
	a.inner_map_fd = inner_fd;
	fd = rp_map_create(st, proc, &a);
	ck_assert_msg(fd >= 0, "map type %u (value size %u, %u entries, "
	    "flags %#x): %d", type, vs, n, flags, fd);
	return fd;
}

unsigned
tu_sock_id(struct rp_state *st, unsigned proc, int fd)
{
	unsigned id = rp_fd_sock(st, proc, fd);

	ck_assert_msg(id != 0, "fd %d of process %u is no socket", fd, proc);
	return id;
}

struct rp_sock_info
tu_sock_info(struct rp_state *st, unsigned id)
{
	struct rp_sock_info in;

	ck_assert_int_eq(rp_sock_info(st, id, &in), 0);
	return in;
}

struct rp_group_info
tu_group_info(struct rp_state *st, unsigned group)
{
	struct rp_group_info gi;

	ck_assert_int_eq(rp_group_info(st, group, &gi), 0);
	return gi;
}

struct rp_map_info
tu_map_info(struct rp_state *st, unsigned proc, int fd)
{
	struct rp_map_info in;

	ck_assert_int_eq(rp_map_info(st, rp_fd_map(st, proc, fd), &in), 0);
	return in;
}

void
tu_assert_in_slot(struct rp_state *st, unsigned proc, int map, uint32_t key,
    unsigned id)
{
	unsigned m = rp_fd_map(st, proc, map);
	struct rp_sock_info in = tu_sock_info(st, id);

	ck_assert_uint_eq(rp_map_slot(st, m, key), id);
	ck_assert_int_eq(in.owner, RP_OWNER_SLOT);
	ck_assert_uint_eq(in.owner_map, m);
	ck_assert_uint_eq(in.owner_idx, key);
}

/*
 * Both checkers: the verdict and message of rp_check_step() must be
 * rp_check()'s, rp_check_step() must raise no false alarm, and after a
 * pass its record must equal a fresh one (no mark was missed).  The
 * state is written only in the checker's records.
 */
gboolean
tu_check_both(struct rp_state *st, GError **error)
{
	g_autoptr(GError) e_step = NULL;
	g_autoptr(GError) e_full = NULL;
	struct rp_check_stats cs;
	gboolean step = rp_check_step(st, &e_step);
	gboolean full = rp_check(st, &e_full);
	g_autofree char *why = NULL;

	ck_assert_msg(step == full, "rp_check_step() says %s, rp_check() %s",
	    step ? "pass" : e_step->message, full ? "pass" : e_full->message);
	if (!full)
		ck_assert_str_eq(e_step->message, e_full->message);
	rp_check_stats(st, &cs);
	ck_assert_msg(cs.false_alarms == 0, "rp_check_step() raised %"
	    G_GUINT64_FORMAT " false alarms", cs.false_alarms);
	if (full) {
		ck_assert_msg(rp_chk_same_as_fresh(st, &why), "the incremental "
		    "record differs from a fresh one: %s", why);
	}
	if (!full && error != NULL)
		*error = g_steal_pointer(&e_full);
	return full;
}

void
tu_assert_invariants(const struct rp_state *cst)
{
	/* the checkers' records are not the state: see rp_check_step() */
	struct rp_state *st = (struct rp_state *)cst;
	GError *err = NULL;
	gboolean ok = tu_check_both(st, &err);

	ck_assert_msg(ok, "invariant broken: %s", err ? err->message : "?");
	g_clear_error(&err);
}

/* Whether p is the address of a live object of the table. */
static unsigned
table_index(const GPtrArray *t, const void *p)
{
	for (guint i = 1; p != NULL && i < t->len; i++)
		if (t->pdata[i] == p)
			return i;
	return 0;
}

static bool
within(const void *addr, const void *base, size_t len)
{
	return (const char *)addr >= (const char *)base &&
	    (const char *)addr < (const char *)base + len;
}

/* The address of a map's slot: mark (map, key). */
static bool
mark_slot_at(struct rp_state *st, const struct rp_map *m, unsigned id,
    const void *addr)
{
	const struct rp_slots *sl = &m->u.slots;

	if (m->type == RP_MAP_SOCKHASH || m->type == RP_MAP_HASH_OF_MAPS ||
	    sl->pages == NULL)
		return false;
	for (uint32_t p = 0; p < sl->npages; p++) {
		const struct rp_slot_page *pg = sl->pages[p];

		if (pg != NULL && within(addr, pg->slot, sizeof(pg->slot))) {
			rp_chk_mark_slot(st->chk, id, p * RP_SLOT_PAGE +
			    (uint32_t)(((const char *)addr -
			    (const char *)pg->slot) / sizeof(void *)));
			return true;
		}
	}
	return false;
}

static void
mark_target(struct rp_state *st, const void *p)
{
	unsigned i;

	if ((i = table_index(st->socks, p)) != 0)
		rp_chk_mark_sock(st->chk, i);
	else if ((i = table_index(st->groups, p)) != 0)
		rp_chk_mark_group(st->chk, i);
	else if ((i = table_index(st->maps, p)) != 0)
		rp_chk_mark_map(st->chk, i);
	else if ((i = table_index(st->progs, p)) != 0)
		rp_chk_mark_prog(st->chk, i);
}

void
tu_mark_write(struct rp_state *st, const void *addr, size_t len,
    const void *old, const void *new)
{
	const struct {
		const GPtrArray	*a;
		void		(*mark)(struct rp_chk *, unsigned);
	} tables[] = {
		{ st->socks, rp_chk_mark_sock },
		{ st->groups, rp_chk_mark_group },
		{ st->maps, rp_chk_mark_map },
		{ st->progs, rp_chk_mark_prog },
	};
	GHashTableIter it;
	gpointer v;

	if (st->chk == NULL)
		return;
	/* the lock and thread records of the state */
	if (within(addr, st, sizeof(*st)))
		rp_chk_mark_threads(st);
	for (guint i = 1; i < st->socks->len; i++) {
		const struct rp_sock *sk = st->socks->pdata[i];

		if (sk != NULL && within(addr, sk, sizeof(*sk)))
			rp_chk_mark_sock(st->chk, i);
	}
	for (guint i = 1; i < st->groups->len; i++) {
		const struct rp_group *g = st->groups->pdata[i];

		if (g != NULL && within(addr, g, sizeof(*g)))
			rp_chk_mark_group(st->chk, i);
		if (g != NULL && within(addr, g->socks,
		    g->max_socks * sizeof(g->socks[0])))
			rp_chk_mark_pos(st->chk, i, (uint32_t)
			    ((struct rp_sock *const *)addr - g->socks));
	}
	for (guint i = 1; i < st->maps->len; i++) {
		const struct rp_map *m = st->maps->pdata[i];

		if (m != NULL && within(addr, m, sizeof(*m)))
			rp_chk_mark_map(st->chk, i);
		if (m != NULL && !m->dead)
			mark_slot_at(st, m, i, addr);
	}
	for (guint i = 1; i < st->progs->len; i++) {
		const struct rp_prog *p = st->progs->pdata[i];

		if (p != NULL && within(addr, p, sizeof(*p)))
			rp_chk_mark_prog(st->chk, i);
	}
	/* an entry of an object table: that id */
	for (size_t t = 0; t < G_N_ELEMENTS(tables); t++)
		if (within(addr, tables[t].a->pdata,
		    tables[t].a->len * sizeof(void *)))
			tables[t].mark(st->chk, (unsigned)((void *const *)addr -
			    tables[t].a->pdata));
	if (st->buckets != NULL) {
		g_hash_table_iter_init(&it, st->buckets);
		while (g_hash_table_iter_next(&it, NULL, &v)) {
			const struct rp_bucket *b = v;

			if (within(addr, b, sizeof(*b)) || within(addr,
			    b->bound->pdata, b->bound->len * sizeof(void *)))
				rp_chk_mark_bucket(st->chk, b->netns,
				    b->protocol, b->port);
		}
	}
	/* a pointer: what it stopped and started pointing at */
	if (len == sizeof(void *)) {
		const void *po, *pn;

		memcpy(&po, old, sizeof(po));
		memcpy(&pn, new, sizeof(pn));
		mark_target(st, po);
		mark_target(st, pn);
	}
}

void
tu_run_clear(TuRun *r)
{
	g_free(r->out);
	g_free(r->err);
}

GArray *
tu_pokes_new(void)
{
	return g_array_new(FALSE, FALSE, sizeof(struct tu_poke));
}

void
tu_poke(struct rp_state *st, GArray *pokes, void *addr, const void *val,
    size_t len)
{
	struct tu_poke p = { .addr = addr, .len = len };

	g_assert(len <= sizeof(p.old));
	memcpy(p.old, addr, len);
	g_array_append_val(pokes, p);
	memcpy(addr, val, len);
	tu_mark_write(st, addr, len, p.old, val);
}

void
tu_unpoke_all(struct rp_state *st, GArray *pokes)
{
	while (pokes->len > 0) {
		struct tu_poke *p = &g_array_index(pokes, struct tu_poke,
		    pokes->len - 1);
		uint8_t now[32];

		if (p->undo != NULL) {
			p->undo(st, p->addr, p->key);
		} else {
			memcpy(now, p->addr, p->len);
			memcpy(p->addr, p->old, p->len);
			tu_mark_write(st, p->addr, p->len, now, p->old);
		}
		g_array_set_size(pokes, pokes->len - 1);
	}
}
