/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * check_clone.c - copies of a whole state (model/clone.c) and the object
 * digests (model/digest.c), which the dpor explorer rests on.
 *
 *	clone/corpus	every scenario of the corpus, under every profile it
 *			declares, runs once plainly and once with the model
 *			replaced after every statement by a copy of itself
 *			(after the 400th, every 97th: scenarios/limits/ hold
 *			thousands of sockets)
 *			(the old objects freed, so a pointer the copy left
 *			behind is a use after free under ASan and valgrind):
 *			the same result and the same trace, event for event;
 *			and before each replacement the copy's object digests
 *			equal the original's
 *	clone/...	planted-bug graveyards, RCU-pending frees, restore
 *			keeps the hooks, discard frees without events; value
 *			maps and instruction programs
 *	digest/...	equal states have equal digests; a change to an
 *			object changes its digest and no other's
 */
#include <errno.h>
#include <string.h>

#include "rp-int.h"

#include "backend/model.h"
#include "core/error.h"
#include "core/exec.h"
#include "core/inputs.h"
#include "core/profiles.h"
#include "core/run.h"
#include "testutil.h"

/* ---------------------------------------------------------------------
 * Digests as a sorted list
 */

typedef struct {
	guint64	key;
	guint64	h;
} Obj;

static void
collect(void *ud, uint64_t key, uint64_t h)
{
	Obj o = { key, h };

	g_array_append_val((GArray *)ud, o);
}

static gint
obj_cmp(gconstpointer a, gconstpointer b)
{
	const Obj *x = a, *y = b;

	return x->key < y->key ? -1 : x->key > y->key;
}

static GArray *
digests(const struct rp_state *st)
{
	GArray *a = g_array_new(FALSE, FALSE, sizeof(Obj));

	rp_state_digest_objects(st, collect, a);
	g_array_sort(a, obj_cmp);
	return a;
}

/* The keys whose digest differs between a and b, as a string. */
static char *
differing(const GArray *a, const GArray *b)
{
	GString *s = g_string_new(NULL);
	guint i = 0, j = 0;

	while (i < a->len || j < b->len) {
		const Obj *x = i < a->len ? &g_array_index(a, Obj, i) : NULL;
		const Obj *y = j < b->len ? &g_array_index(b, Obj, j) : NULL;

		if (x != NULL && y != NULL && x->key == y->key) {
			if (x->h != y->h)
				g_string_append_printf(s, " %" G_GINT64_MODIFIER
				    "x", x->key);
			i++;
			j++;
		} else if (y == NULL || (x != NULL && x->key < y->key)) {
			g_string_append_printf(s, " -%" G_GINT64_MODIFIER "x",
			    x->key);
			i++;
		} else {
			g_string_append_printf(s, " +%" G_GINT64_MODIFIER "x",
			    y->key);
			j++;
		}
	}
	return g_string_free(s, FALSE);
}

static void
assert_same_digests(const struct rp_state *a, const struct rp_state *b,
    const char *where)
{
	g_autoptr(GArray) da = digests(a);
	g_autoptr(GArray) db = digests(b);
	g_autofree char *diff = differing(da, db);

	ck_assert_msg(*diff == '\0', "%s: objects differ:%s", where, diff);
}

/* ---------------------------------------------------------------------
 * The corpus, with the model replaced after every statement
 */

typedef struct {
	const char	*name;
	guint		 replaced;
} Swap;

static void
swap_step(void *ud, SimExec *x, guint index, const SimStmt *st,
    const SimResult *r, const GPtrArray *failures, guint first)
{
	Swap *sw = ud;
	SimBackend *be;
	const SimInspectOps *insp = sim_exec_inspect(x, &be);
	struct rp_state *live = insp->model(be);
	struct rp_state *copy;
	g_autofree char *where = NULL;

	(void)r;
	(void)failures;
	(void)first;
	if (index >= 400 && index % 97 != 0)
		return;
	/* a state is copied between two operations only: while threads
	 * run, another may be inside one (a pinned schedule) */
	if (sim_exec_concurrent(x))
		return;
	copy = rp_state_clone(live);
	where = g_strdup_printf("%s:%u", sw->name, st->line);
	assert_same_digests(live, copy, where);
	rp_state_restore(live, copy);
	rp_state_discard(copy);
	sw->replaced++;
}

/* Run sc under profile, the model replaced by its copy after every
 * statement or not, and return the report (trace on). */
static void
run_one(const SimInput *in, const char *profile, Swap *sw, SimReport *rep)
{
	SimStepHooks hooks = { .step = swap_step, .ud = sw };
	SimExecOptions o = { 0 };

	o.ops = &sim_backend_model;
	o.trace = SIM_TRACE_ALL;
	if (sw != NULL)
		o.hooks = &hooks;
	sim_run_scenario(in->sc, profile, &o, rep);
}

static char *
joined(const GPtrArray *msgs)
{
	GString *s = g_string_new(NULL);

	for (guint i = 0; msgs != NULL && i < msgs->len; i++)
		g_string_append_printf(s, "%s\n", (const char *)msgs->pdata[i]);
	return g_string_free(s, FALSE);
}

static char *
corpus_dir(void)
{
	const char *top = g_getenv("top_srcdir");
	char *d = g_build_filename(top != NULL ? top : "..", "scenarios",
	    NULL);

	if (!g_file_test(d, G_FILE_TEST_IS_DIR)) {
		g_free(d);
		d = g_strdup("scenarios");
	}
	ck_assert_msg(g_file_test(d, G_FILE_TEST_IS_DIR), "scenarios/ not "
	    "found: set top_srcdir");
	return d;
}

TU_NAMED(t_corpus, "clone/corpus", "clone", 0)
{
	g_autofree char *dir = corpus_dir();
	char *paths[] = { dir };
	g_autoptr(GPtrArray) errors = sim_diags_new();
	g_autoptr(GPtrArray) inputs = sim_inputs_load(paths, 1, errors);
	guint runs = 0, replaced = 0;

	ck_assert_ptr_nonnull(inputs);
	ck_assert_uint_eq(errors->len, 0);
	for (guint i = 0; i < inputs->len; i++) {
		const SimInput *in = inputs->pdata[i];
		g_autoptr(GPtrArray) profs = sim_scenario_profiles(in->sc,
		    NULL);

		for (guint j = 0; j < profs->len; j++) {
			SimReport plain = { 0 }, swapped = { 0 };
			Swap sw = { in->path, 0 };
			g_autofree char *m1 = NULL, *m2 = NULL;

			run_one(in, profs->pdata[j], NULL, &plain);
			run_one(in, profs->pdata[j], &sw, &swapped);
			m1 = joined(plain.messages);
			m2 = joined(swapped.messages);
			ck_assert_msg(plain.passed == swapped.passed &&
			    strcmp(m1, m2) == 0, "%s [%s]: plain %s\n%s\n"
			    "copied %s\n%s", in->path,
			    (const char *)profs->pdata[j], plain.passed ?
			    "passed" : "failed", m1, swapped.passed ? "passed" :
			    "failed", m2);
			ck_assert_msg((plain.trace == NULL) ==
			    (swapped.trace == NULL) && (plain.trace == NULL ||
			    strcmp(plain.trace->str, swapped.trace->str) == 0),
			    "%s [%s]: the traces differ", in->path,
			    (const char *)profs->pdata[j]);
			runs++;
			replaced += sw.replaced;
			sim_report_clear(&plain);
			sim_report_clear(&swapped);
		}
	}
	/* the corpus is there, and most statements were replaced */
	ck_assert_uint_gt(runs, 300);
	ck_assert_uint_gt(replaced, 5000);
}

/* ---------------------------------------------------------------------
 * Pieces
 */

static int
listener(struct rp_state *st, uint16_t port)
{
	return tu_reuse_sock(st, 0, RP_AF_INET6, RP_SOCK_STREAM, 1, port);
}

/* A copy behaves as the original: the same calls, the same results and
 * digests, on objects of its own. */
TU_NAMED(t_copy_behaves, "clone/behaves", "clone", TU_EVERY_PROFILE)
{
	struct rp_state *a = tu_state_of(tu_prof(_i));
	struct rp_state *b;
	int m = tu_sockarray(a, 0, 8, 4);
	int s1 = listener(a, 8001), s2 = listener(a, 8001);

	ck_assert_int_eq(rp_map_update(a, 0, m, 0, (uint64_t)s1, 0), 0);
	b = rp_state_clone(a);
	assert_same_digests(a, b, "fresh copy");
	/* the copy's slot is its own: deleting there leaves a alone */
	ck_assert_int_eq(rp_map_delete(b, 0, m, 0), 0);
	ck_assert_uint_eq(rp_map_slot(a, rp_fd_map(a, 0, m), 0),
	    rp_fd_sock(a, 0, s1));
	ck_assert_uint_eq(rp_map_slot(b, rp_fd_map(b, 0, m), 0), 0);
	/* and the same call gives the same result on both */
	ck_assert_int_eq(rp_map_delete(a, 0, m, 0), 0);
	assert_same_digests(a, b, "after the same delete");
	ck_assert_int_eq(rp_map_update(a, 0, m, 1, (uint64_t)s2, 0),
	    rp_map_update(b, 0, m, 1, (uint64_t)s2, 0));
	ck_assert_int_eq(rp_close(a, 0, s2), rp_close(b, 0, s2));
	assert_same_digests(a, b, "after update and close");
	ck_assert(rp_check(a, NULL));
	ck_assert(rp_check(b, NULL));
	rp_state_free(a);
	rp_state_free(b);
}

static void
count_event(void *ud, const struct rp_event *ev)
{
	(void)ev;
	(*(guint *)ud)++;
}

static const struct rp_observer counter = { count_event };

/* Restoring keeps the observer; discarding reports nothing. */
TU_NAMED(t_restore_hooks, "clone/restore-keeps-hooks", "clone", TU_EVERY_PROFILE)
{
	struct rp_state *a = tu_state_of(tu_prof(_i));
	struct rp_state *snap;
	guint n = 0;
	int s;

	rp_state_set_observer(a, &counter, &n);
	snap = rp_state_clone(a);
	s = listener(a, 8002);
	ck_assert_uint_gt(n, 0);
	n = 0;
	rp_state_restore(a, snap);	/* back to no socket */
	ck_assert_uint_eq(n, 0);
	ck_assert_uint_eq(rp_fd_sock(a, 0, s), 0);
	s = listener(a, 8002);		/* still observed */
	ck_assert_uint_gt(n, 0);
	n = 0;
	rp_state_set_observer(snap, &counter, &n);
	rp_state_discard(snap);
	ck_assert_uint_eq(n, 0);
	rp_state_free(a);
}

/* A group grown while a reader may hold the old one waits for its grace
 * period: the copy keeps it and frees it later, as the original. */
TU_NAMED(t_rcu_pending, "clone/rcu-pending", "clone", TU_EVERY_PROFILE)
{
	struct rp_state *a = tu_state_of(tu_prof(_i));
	struct rp_state *b;
	int fds[RP_INIT_SOCKS + 1];

	for (int i = 0; i <= RP_INIT_SOCKS; i++)
		fds[i] = listener(a, 8003);
	rp_state_set_thread(a, 1);
	rp_rcu_read_lock(a);		/* keeps the old group pending */
	rp_state_set_thread(a, 0);
	ck_assert_int_eq(rp_close(a, 0, fds[0]), 0);
	b = rp_state_clone(a);
	assert_same_digests(a, b, "a reader inside a section");
	rp_state_set_thread(b, 1);
	rp_rcu_read_unlock(b);
	rp_state_set_thread(b, 0);
	rp_state_quiesce(b);
	rp_state_set_thread(a, 1);
	rp_rcu_read_unlock(a);
	rp_state_set_thread(a, 0);
	rp_state_quiesce(a);
	assert_same_digests(a, b, "after the grace period");
	ck_assert(rp_check(b, NULL));
	rp_state_free(a);
	rp_state_free(b);
}

/* With planted bugs freed sockets stay in a graveyard; the copy has its
 * own, and discarding either frees them. */
TU_NAMED(t_graveyard, "clone/graveyard", "clone", TU_EVERY_PROFILE)
{
	struct rp_state *a = tu_state_of(tu_prof(_i));
	struct rp_state *b;
	int m = tu_sockarray(a, 0, 8, 4);
	int s = listener(a, 8004);

	rp_state_plant(a, RP_PLANT_FREE_NO_CB_LOCK);
	ck_assert_int_eq(rp_map_update(a, 0, m, 2, (uint64_t)s, 0), 0);
	ck_assert_int_eq(rp_close(a, 0, s), 0);
	ck_assert_int_eq(rp_close(a, 0, m), 0);	/* a freed sockarray too */
	b = rp_state_clone(a);
	assert_same_digests(a, b, "graveyards");
	rp_state_discard(a);
	rp_state_discard(b);
}

/* ---------------------------------------------------------------------
 * Digests
 */

/* Each change shows in the digest of the object it changed and nowhere
 * else. */
TU_NAMED(t_digest_local, "digest/one-object", "clone", TU_EVERY_PROFILE)
{
	struct rp_state *a = tu_state_of(tu_prof(_i));
	int m = tu_sockarray(a, 0, 8, 4);
	int s = listener(a, 8005);
	unsigned sid = rp_fd_sock(a, 0, s), mid = rp_fd_map(a, 0, m);
	g_autoptr(GArray) d0 = NULL, d1 = NULL, d2 = NULL;
	g_autofree char *x = NULL, *y = NULL, *want = NULL;
	uint64_t cookie;

	d0 = digests(a);
	ck_assert_int_eq(rp_setsockopt_int(a, 0, s, RP_SO_INCOMING_CPU, 3), 0);
	d1 = digests(a);
	x = differing(d0, d1);
	/* the socket, and its group where it counts incoming_cpu members
	 * (switch incoming_cpu) */
	want = g_strdup_printf(" %" G_GINT64_MODIFIER "x", RP_OBJ_KEY(
	    RP_OC_SOCK, sid));
	if (tu_prof(_i)->incoming_cpu) {
		char *w = g_strdup_printf("%s %" G_GINT64_MODIFIER "x", want,
		    RP_OBJ_KEY(RP_OC_GROUP, 1));

		g_free(want);
		want = w;
	}
	ck_assert_str_eq(x, want);
	ck_assert_int_eq(rp_map_lookup(a, 0, m, 0, &cookie, 0), -ENOENT);
	ck_assert_int_eq(rp_getsockopt_cookie(a, 0, s, &cookie), 0);
	d2 = digests(a);
	y = differing(d1, d2);
	/* the cookie: the socket and the generator's counters */
	g_free(want);
	want = g_strdup_printf(" %" G_GINT64_MODIFIER "x %" G_GINT64_MODIFIER
	    "x", RP_OBJ_KEY(RP_OC_GLOBAL, 0), RP_OBJ_KEY(RP_OC_SOCK, sid));
	ck_assert_str_eq(y, want);
	(void)mid;
	rp_state_free(a);
}

/* Two states built by the same calls in another order of unrelated
 * steps have the same digests; one more call makes them differ. */
TU_NAMED(t_digest_equal, "digest/equal-states", "clone", TU_EVERY_PROFILE)
{
	struct rp_state *a = tu_state_of(tu_prof(_i));
	struct rp_state *b = tu_state_of(tu_prof(_i));
	int ma = tu_sockarray(a, 0, 8, 4), mb = tu_sockarray(b, 0, 8, 4);
	int sa = listener(a, 8006), sb = listener(b, 8006);
	g_autoptr(GArray) da = NULL, db = NULL;
	g_autofree char *diff = NULL;

	ck_assert_int_eq(ma, mb);
	ck_assert_int_eq(sa, sb);
	assert_same_digests(a, b, "same calls");
	ck_assert_int_eq(rp_map_update(a, 0, ma, 1, (uint64_t)sa, 0), 0);
	da = digests(a);
	db = digests(b);
	diff = differing(da, db);
	ck_assert_str_ne(diff, "");
	rp_state_free(a);
	rp_state_free(b);
}

/*
 * Value maps and instruction programs are copied too: an ARRAY and a
 * HASH with values, a replaced and a deleted hash element still waiting
 * for their grace period, an eBPF program that names the hash map
 * (LD_IMM64 BPF_PSEUDO_MAP_FD) and a classic one.  The copy has the same
 * digests and values; writing into the original does not reach it (or
 * the other way round); each frees its own (ASan, valgrind); the copy's
 * program still holds its map after the original is gone.
 */
TU_NAMED(t_clone_values, "clone/value-maps-and-programs", "clone",
    TU_EVERY_PROFILE)
{
	struct rp_state *a = tu_state_of(tu_prof(_i)), *b;
	struct rp_map_attr at;
	uint32_t k = 7, v = 0, got = 0;
	uint64_t k8 = 3, v8 = 41, g8 = 0;
	int arr, hash, prog, sk;
	struct rp_insn insns[] = {
		/* r1 = map hash (two slots), r0 = 0, exit */
		{ .code = 0x18, .dst_reg = 1, .src_reg = 1 },
		{ 0 },
		{ .code = 0xb7, .dst_reg = 0, .imm = 0 },
		{ .code = 0x95 },
	};
	struct rp_prog_insns_attr pa = {
		.prog_type = RP_PROG_SK_REUSEPORT,
		.insns = insns, .insn_cnt = 4,
	};
	struct rp_sock_filter cb[] = { { .code = 0x06, .k = 0 } };
	g_autoptr(GArray) da = NULL;
	g_autoptr(GArray) db = NULL;
	g_autofree char *diff = NULL;

	rp_map_attr_init(&at, RP_MAP_ARRAY, 4, 4);
	arr = rp_map_create(a, 0, &at);
	ck_assert_int_ge(arr, 0);
	rp_map_attr_init(&at, RP_MAP_HASH, 8, 4);
	at.key_size = 8;
	at.value_size = 8;
	hash = rp_map_create(a, 0, &at);
	ck_assert_int_ge(hash, 0);
	v = 1234;
	ck_assert_int_eq(rp_map_update_elem(a, 0, arr, &(uint32_t){ 2 }, &v,
	    0), 0);
	ck_assert_int_eq(rp_map_update_elem(a, 0, hash, &k8, &v8, 0), 0);
	v8 = 42;	/* the first element waits for a grace period */
	ck_assert_int_eq(rp_map_update_elem(a, 0, hash, &k8, &v8, 0), 0);
	ck_assert_int_eq(rp_map_update_elem(a, 0, hash, &(uint64_t){ 9 },
	    &v8, 0), 0);
	ck_assert_int_eq(rp_map_delete_elem(a, 0, hash, &(uint64_t){ 9 }), 0);
	insns[0].imm = hash;
	prog = rp_prog_load_insns(a, 0, &pa);
	ck_assert_int_ge(prog, 0);
	sk = tu_reuse_sock(a, 0, RP_AF_INET, RP_SOCK_DGRAM, 1, 0);
	ck_assert_int_ge(sk, 0);
	ck_assert_int_eq(rp_attach_cbpf_insns(a, 0, sk, cb, 1), 0);

	b = rp_state_clone(a);
	ck_assert_ptr_nonnull(b);
	da = digests(a);
	db = digests(b);
	diff = differing(da, db);
	ck_assert_msg(*diff == '\0', "objects differ:%s", diff);
	/* the copy's values are its own */
	v = 99;
	ck_assert_int_eq(rp_map_update_elem(a, 0, arr, &(uint32_t){ 2 }, &v,
	    0), 0);
	ck_assert_int_eq(rp_map_lookup_elem(b, 0, arr, &(uint32_t){ 2 }, &got,
	    0), 0);
	ck_assert_uint_eq(got, 1234);
	ck_assert_int_eq(rp_map_lookup_elem(b, 0, hash, &k8, &g8, 0), 0);
	ck_assert_uint_eq(g8, 42);
	ck_assert_int_eq(rp_map_delete_elem(b, 0, hash, &k8), 0);
	ck_assert_int_eq(rp_map_lookup_elem(a, 0, hash, &k8, &g8, 0), 0);
	(void)k;
	/* the original goes; the copy's program keeps its map */
	rp_state_free(a);
	ck_assert_int_eq(rp_close(b, 0, hash), 0);
	ck_assert_int_eq(rp_map_update_elem(b, 0, hash, &k8, &v8, 0), -EBADF);
	rp_state_quiesce(b);
	ck_assert_uint_eq(rp_state_settle(b), 0);	/* the program holds it */
	ck_assert_int_eq(rp_close(b, 0, prog), 0);
	rp_state_quiesce(b);
	ck_assert_uint_eq(rp_state_settle(b), 1);
	rp_state_free(b);
}

TU_TCASE("clone", 600, NULL, NULL)

TU_MAIN("clone")
