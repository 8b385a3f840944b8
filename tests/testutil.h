/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * testutil.h - what the Check suites share: running a suite with its
 * summary line in the log, hierarchical test names, loops over the
 * model's profile table with expectations per switch, a fixture that
 * records the model's events, and small model set-up shortcuts.
 */
#ifndef TESTUTIL_H
#define TESTUTIL_H

#include <limits.h>
#include <stdbool.h>

#include <check.h>
#include <glib.h>

#include "rp.h"

/* Run s (CK_ENV verbosity), print Check's summary line; returns failures. */
int	tu_run_suite(Suite *s);

/*
 * Tests register themselves where they are defined: TU_CASE(fn, "TCASE")
 * runs once, TU_LOOP(fn, "TCASE", N) with _i from 0 to N - 1, and
 * TU_NAMED(fn, "NAME", "TCASE", N) gives the test a hierarchical name
 * ("detach/unhash/table"; N 0: once).  Each is followed by the test's
 * body in braces, as START_TEST.  TU_TCASE("TCASE", TIMEOUT, SETUP,
 * TEARDOWN) gives a TCase a timeout (seconds, 0: Check's default) and a
 * checked fixture (NULL: none).  TU_MAIN("SUITE") is the program's main():
 * every test registered, in the order of the file, its TCases in the
 * order they first appear.
 */
void	tu_register(const char *tcase, const TTest *test, int loops);
void	tu_register_tcase(const char *tcase, int timeout, void (*setup)(void),
	    void (*teardown)(void));
int	tu_main(const char *suite);

#define TU_NAMED(fn, name, tcase, loops)				\
	static void fn##_fn(int _i CK_ATTRIBUTE_UNUSED);		\
	static const TTest fn##_ttest = { name, fn##_fn, __FILE__,	\
	    __LINE__ };							\
	static void fn##_reg(void) __attribute__((constructor));	\
	static void fn##_reg(void)					\
	{								\
		tu_register((tcase), &fn##_ttest, (loops));		\
	}								\
	static void fn##_fn(int _i CK_ATTRIBUTE_UNUSED)
#define TU_CASE(fn, tcase)	TU_NAMED(fn, #fn, tcase, 0)
#define TU_LOOP(fn, tcase, loops) TU_NAMED(fn, #fn, tcase, loops)

#define TU_TCASE(tcase, timeout, setup, teardown)			\
	static void G_PASTE(tu_tcase_, __LINE__)(void)			\
	    __attribute__((constructor));				\
	static void G_PASTE(tu_tcase_, __LINE__)(void)			\
	{								\
		tu_register_tcase((tcase), (timeout), (setup),		\
		    (teardown));					\
	}

#define TU_MAIN(suite)							\
	int								\
	main(void)							\
	{								\
		return tu_main(suite) != 0;				\
	}

/*
 * Every profile: the model's own table (rp_profile_nth()), one loop index
 * a row.  TU_NAMED(fn, NAME, TCASE, TU_EVERY_PROFILE) runs the test once
 * per row with _i the row; tu_prof(_i) is the row.  Expectations are
 * written per switch of the row (struct rp_profile, rp-int.h), never per
 * row name, so that a new row needs no test edit.  A test about one value
 * of a switch returns early on the rows that have another (TU_UNLESS).
 */
int	tu_nprofiles(void);
#define TU_EVERY_PROFILE	tu_nprofiles()
/* Row i of the table (asserted to exist). */
const struct rp_profile *tu_prof(int i);
/* The row of the profile named name (asserted to exist): only for a file
 * whose tests are still written for one measured row (check_sockmap). */
int	tu_row(const char *name);
/* A new state of profile prof (never NULL). */
struct rp_state *tu_state_of(const struct rp_profile *prof);
/* A new state of row i of the table (tu_state_of(tu_prof(i))). */
struct rp_state *tu_state_row(int i);
/* The end of a test's state: asserts the invariants (tu_assert_invariants())
 * and frees it. */
void	tu_state_done(struct rp_state *st);
/* A table t of cases run under every profile: TU_BY_PROFILE(t) loops,
 * loop _i is case TU_CASE_OF(_i) of t under row TU_ROW_OF(_i). */
#define TU_BY_PROFILE(t)	((int)G_N_ELEMENTS(t) * tu_nprofiles())
#define TU_CASE_OF(i)		((i) / tu_nprofiles())
#define TU_ROW_OF(i)		((i) % tu_nprofiles())
/* The test is about rows where cond holds: done on the others. */
#define TU_UNLESS(cond)	do { if (!(cond)) return; } while (0)
/* Is row the first of the table with its key?  A sweep whose outcome
 * depends only on some switches runs once for each combination of them
 * the table has: TU_UNLESS(tu_first_of_kind(row, key)), key giving those
 * switches as bits. */
bool	tu_first_of_kind(int row, unsigned (*key)(const struct rp_profile *));
/* The same as loops: how many kinds of row the table has by key, and the
 * row of kind k (the first row of it), so that TU_LOOP(fn, TCASE,
 * tu_nkinds(key)) runs once a kind and forks no test for the others. */
int	tu_nkinds(unsigned (*key)(const struct rp_profile *));
int	tu_kind_row(int k, unsigned (*key)(const struct rp_profile *));

/* A result that does not apply to a row (tables of results). */
#define TU_NA		INT_MIN

/*
 * An expectation per switch: what a case expects (a docs/SPEC.md rule or
 * rules, the deciding one first, and a result: 0, -errno, TU_NA), and
 * alternatives: what the rows where the switch `when` holds expect
 * instead (the first that holds; TU_SAME: none).
 */
struct tu_expect {
	const char	*rule;
	int		 want;
};
struct tu_alt {
	bool		(*when)(const struct rp_profile *);
	struct tu_expect e;
};
#define TU_E(rule, want)	{ (rule), (want) }
#define TU_ON(when, e)		{ (when), e }
#define TU_SAME			{ NULL, TU_E(NULL, 0) }
/* What expectation e with the n alternatives on says for prof. */
struct tu_expect tu_expect_of(const struct rp_profile *prof,
	    const struct tu_expect *e, const struct tu_alt *on, size_t n);

/* The events a state reports (struct rp_event), in order. */
GArray	*tu_record(struct rp_state *st);
/* Did ev hold rule (an id, or "ID words...": the first word counts)
 * deciding err (TU_ANY: any result)? */
#define TU_ANY	INT_MIN
bool	tu_saw_rule(const GArray *ev, const char *rule, int err);
/* Events of kind k in ev (on socket sock, 0 = any). */
unsigned tu_count(const GArray *ev, enum rp_event_kind k, unsigned sock);

/* Scenario text: the two sockets of a UDP group (a, b). */
#define TU_UDP4_PAIR \
	"socket a udp4\n" \
	"setsockopt a reuseport 1\n" \
	"bind a 127.0.0.1:7000\n" \
	"socket b udp4\n" \
	"setsockopt b reuseport 1\n" \
	"bind b 127.0.0.1:a\n"

/* What a command wrote (its two streams) and returned. */
typedef struct {
	int	 status;
	char	*out;
	char	*err;
} TuRun;
void	tu_run_clear(TuRun *r);

/* A state of row `row` of the profile table recording its events; fini
 * checks the invariants and frees. */
struct tu_fx {
	struct rp_state	*st;
	const struct rp_profile *prof;	/* tu_prof(row) */
	GArray		*ev;		/* struct rp_event */
};
void	tu_fx_init(struct tu_fx *fx, int row);
void	tu_fx_fini(struct tu_fx *fx);
void	tu_fx_clear(struct tu_fx *fx);

/* rp_sockaddr for "127.0.0.1"/"::1" (or the wildcard) and a port. */
struct rp_sockaddr tu_addr(int family, int loopback, uint16_t port);

/* A SO_REUSEPORT socket of type (RP_SOCK_STREAM/DGRAM) bound to addr:port
 * (port 0: ephemeral) and, for TCP, listening.  Returns its fd. */
int	tu_reuse_sock(struct rp_state *st, unsigned proc, int family, int type,
	    int loopback, uint16_t port);
/* One datagram (type RP_SOCK_DGRAM) or SYN over IPv4 loopback from port
 * sport to dport, with payload and hash; asserts that it is sent. */
void	tu_send4(struct rp_state *st, int type, uint16_t sport, uint16_t dport,
	    const void *payload, size_t len, uint32_t hash,
	    struct rp_delivery *d);
/* The bound port of fd. */
uint16_t tu_port(struct rp_state *st, unsigned proc, int fd);
/* A sockarray of value_size vs and n entries in process proc. */
int	tu_sockarray(struct rp_state *st, unsigned proc, uint32_t vs,
	    uint32_t n);
/* rp_map_create() in process proc of a map of type, key_size ks,
 * value_size vs, n entries and map_flags flags: the fd or -errno. */
int	tu_map_create(struct rp_state *st, unsigned proc, uint32_t type,
	    uint32_t ks, uint32_t vs, uint32_t n, uint32_t flags);
/* A map of type, value_size vs, n entries, map_flags flags and (outer
 * maps; else -1) inner map inner_fd in process proc; asserts it is made. */
int	tu_map(struct rp_state *st, unsigned proc, uint32_t type, uint32_t vs,
	    uint32_t n, uint32_t flags, int inner_fd);
/* What the model says of an object (asserted to exist): the socket id
 * behind fd, a socket, a group, the map behind fd. */
unsigned tu_sock_id(struct rp_state *st, unsigned proc, int fd);
struct rp_sock_info tu_sock_info(struct rp_state *st, unsigned id);
struct rp_group_info tu_group_info(struct rp_state *st, unsigned group);
struct rp_map_info tu_map_info(struct rp_state *st, unsigned proc, int fd);
/* Slot key of the map behind fd map (process proc) holds socket id, and
 * the socket's owner word says so. */
void	tu_assert_in_slot(struct rp_state *st, unsigned proc, int map,
	    uint32_t key, unsigned id);
/* Asserts rp_check() passes, printing its message otherwise; checks
 * rp_check_step() as tu_check_both() does on the way. */
void	tu_assert_invariants(const struct rp_state *st);
/* rp_check_step() and rp_check() on st: asserts the same verdict and
 * message, no false alarm, and (on a pass) an incremental record equal
 * to a fresh one.  Returns the verdict; *error gets rp_check()'s. */
gboolean tu_check_both(struct rp_state *st, GError **error);
/* White-box, for tests that write model memory directly: tells the
 * incremental checker that len bytes at addr changed from old to new,
 * as the model's own writes do (rp-int.h): the object holding addr is
 * marked and, for a pointer, the objects it stopped and started
 * pointing at.  Nothing before the first rp_check_step(). */
void	tu_mark_write(struct rp_state *st, const void *addr, size_t len,
	    const void *old, const void *new);


/*
 * White-box recorded writes, undone exactly (check_check, check_step):
 * tu_poke() writes len (at most 32) bytes val at addr as the model's own
 * writes do (tu_mark_write()), and records the old bytes in pokes (a
 * GArray of struct tu_poke, tu_pokes_new()); TU_POKE() writes a value
 * into an lvalue.  A write made another way is recorded with its own
 * undo (g_array_append_val() of a struct tu_poke with undo set: undone
 * by undo(st, addr, key)).  tu_unpoke_all() undoes every write, the last
 * first.
 */
struct tu_poke {
	void		*addr;
	size_t		 len;
	uint8_t		 old[32];
	void		(*undo)(struct rp_state *st, void *addr, uint32_t key);
	uint32_t	 key;
};
GArray	*tu_pokes_new(void);
void	tu_poke(struct rp_state *st, GArray *pokes, void *addr,
	    const void *val, size_t len);
#define TU_POKE(st, pokes, lv, val) do {				\
	__typeof__(lv) tu_poke_v_ = (val);				\
	tu_poke((st), (pokes), &(lv), &tu_poke_v_, sizeof(tu_poke_v_)); \
} while (0)
void	tu_unpoke_all(struct rp_state *st, GArray *pokes);

#endif /* TESTUTIL_H */
