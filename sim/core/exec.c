/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * exec.c - the scenario executor (exec.h): the check pass over a whole
 * scenario, and one statement at a time of a run under one profile,
 * with its expectation, result contracts, invariants, failure reports and
 * hooks.  The verb handlers are verbs.c's; expectations expect.c's;
 * failure descriptions describe.c's.
 */
#include <errno.h>
#include <string.h>

#include "core/describe.h"
#include "core/error.h"
#include "core/exec.h"
#include "core/expect.h"
#include "core/pass-int.h"
#include "core/profiles.h"
#include "core/verbs.h"
#include "lang/expand.h"
#include "lang/suggest.h"
#include "lang/words.h"

/* The context of one thread of statements (sched.c). */
struct SimExecCtx {
	const SimStmt	*stmt;
	SimObj		*proc;
	GPtrArray	*step_msgs;	/* char * */
	GPtrArray	*results;	/* char * */
	GArray		*events;	/* rp_event, held for the hooks */
	GPtrArray	*bpf_held;	/* hooks->bpf_event's, or NULL */
};

/* ---------------------------------------------------------------------
 * Passes
 */

static void
value_free(gpointer p)
{
	g_free(p);
}

static SimExec *
exec_new(const SimScenario *sc, gboolean checking)
{
	SimExec *x = g_new0(SimExec, 1);

	x->sc = sc;
	x->checking = checking;
	x->names = sim_names_new();
	x->vars = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
	    value_free);
	x->main_msgs = g_ptr_array_new_with_free_func(g_free);
	x->step_msgs = x->main_msgs;
	x->unsure = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
	    g_free);
	x->notes = g_ptr_array_new_with_free_func(g_free);
	x->proc = sim_names_find(x->names, SIM_NS_PROC, "init");
	return x;
}

static void
exec_free(SimExec *x)
{
	if (x == NULL)
		return;
	sim_names_free(x->names);
	g_hash_table_unref(x->vars);
	g_ptr_array_unref(x->main_msgs);
	g_hash_table_unref(x->unsure);
	g_ptr_array_unref(x->notes);
	if (x->main_bpf != NULL)
		g_ptr_array_unref(x->main_bpf);
	g_free(x->rest);
	sim_trace_free(x->trace);
	g_free(x);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC(SimExec, exec_free)

/* Set x->proc from the label of st ("init" without one). */
static gboolean
stmt_proc(SimExec *x, const SimStmt *st, GError **error)
{
	SimToken t = { 0 };

	x->proc = sim_names_find(x->names, SIM_NS_PROC, "init");
	if (st->label == NULL)
		return TRUE;
	t.kind = SIM_TOK_WORD;
	t.text = st->label;
	t.file = st->file;
	t.line = st->line;
	t.col = st->col;
	return sim_names_resolve(x->names, &t, SIM_OBJ_PROC, &x->proc,
	    error);
}

/* The verb of st, or an error suggesting the nearest one. */
static const SimVerb *
stmt_verb(const SimStmt *st, GError **error)
{
	const SimVerb *v = sim_verb_find(st->verb), *tab;
	g_autofree const char **names = NULL;
	const char *hint;
	gsize n, i;

	if (v != NULL)
		return v;
	tab = sim_verbs(&n);
	names = g_new(const char *, n);
	for (i = 0; i < n; i++)
		names[i] = tab[i].name;
	hint = sim_suggest(st->verb, names, n);
	if (hint != NULL)
		sim_set_error_at(error, SIM_ERROR_INPUT, st->file, st->line,
		    st->verb_col, "unknown verb '%s', did you mean '%s'?",
		    st->verb, hint);
	else
		sim_set_error_at(error, SIM_ERROR_INPUT, st->file, st->line,
		    st->verb_col, "unknown verb '%s' (reuseport-sim "
		    "list-verbs lists them)", st->verb);
	return NULL;
}

/* Argument count and key=value keys of st against its verb's row. */
static gboolean
check_args(const SimVerb *v, const SimStmt *st, GError **error)
{
	g_autoptr(GHashTable) keys = g_hash_table_new(g_str_hash, g_str_equal);
	gboolean binding = FALSE;
	guint i, npos = 0;

	for (i = 0; i < st->args->len; i++) {
		const SimToken *t = st->args->pdata[i];
		const char *hint;

		/* prog P object=F reuse MAP=M ...: the object's map names,
		 * checked by the verb against the object */
		if (t->kind != SIM_TOK_KV && strcmp(v->name, "prog") == 0 &&
		    g_strcmp0(sim_token_word(t), "reuse") == 0)
			binding = TRUE;
		else if (binding && t->kind == SIM_TOK_KV)
			continue;
		if (t->kind != SIM_TOK_KV) {
			if (++npos > v->max_args) {
				sim_tok_error(error, t, "too many arguments "
				    "for "
				    "'%s' (usage: %s %s)", v->name, v->name,
				    v->usage);
				return FALSE;
			}
			continue;
		}
		if (v->keys == NULL || !g_strv_contains(v->keys, t->name)) {
			hint = v->keys != NULL ? sim_suggest(t->name, v->keys,
			    g_strv_length((char **)v->keys)) : NULL;
			if (hint != NULL)
				sim_tok_error(error, t, "unknown key '%s' for "
				    "'%s', did you mean '%s'?", t->name,
				    v->name, hint);
			else
				sim_tok_error(error, t, "unknown key '%s' for "
				    "'%s' (usage: %s %s)", t->name, v->name,
				    v->name, v->usage);
			return FALSE;
		}
		if (!g_hash_table_add(keys, t->name)) {
			sim_tok_error(error, t, "duplicate key '%s'", t->name);
			return FALSE;
		}
	}
	if (npos < v->min_args) {
		sim_set_error_at(error, SIM_ERROR_INPUT, st->file, st->line,
		    st->verb_col, "too few arguments for '%s' (usage: %s %s)",
		    v->name, v->name, v->usage);
		return FALSE;
	}
	return TRUE;
}

/* Check one statement; FALSE with its first error. */
static gboolean
check_stmt(SimExec *x, const SimStmt *st, GError **error)
{
	SimResult r = { 0 };
	const SimVerb *v;

	x->stmt = st;
	if (!stmt_proc(x, st, error))
		return FALSE;
	v = stmt_verb(st, error);
	if (v == NULL || !check_args(v, st, error))
		return FALSE;
	r.shape = v->shape;
	if (!v->fn(x, st, &r, error))
		return FALSE;
	return sim_expect_check(x, st, r.shape, error);
}

/*
 * Find where profile name is written in the profile line of sc's file, for
 * a message: the parser keeps no position for it.  Falls back to 1:1.
 */
static void
profile_pos(const SimScenario *sc, const char *name, guint *line, guint *col)
{
	g_autofree char *buf = NULL;
	g_auto(GStrv) lines = NULL;
	guint i, j;

	*line = *col = 1;
	if (!g_file_get_contents(sc->path, &buf, NULL, NULL))
		return;
	lines = g_strsplit(buf, "\n", -1);
	for (i = 0; lines[i] != NULL; i++) {
		g_autoptr(GPtrArray) toks = sim_lex_line(sc->path, i + 1,
		    lines[i], strlen(lines[i]), NULL, NULL);
		const char *w;

		if (toks == NULL || toks->len == 0)
			continue;
		w = sim_token_word(toks->pdata[0]);
		if (w == NULL || strcmp(w, "profile") != 0)
			continue;
		for (j = 1; j < toks->len; j++) {
			const SimToken *t = toks->pdata[j];

			if (strcmp(t->text, name) == 0) {
				*line = t->line;
				*col = t->col;
				return;
			}
		}
	}
}

/* Every profile sc declares must exist in the model. */
static void
check_profiles(const SimScenario *sc, GPtrArray *errors)
{
	guint i, line, col;

	for (i = 0; i < sc->profiles->len; i++) {
		const char *p = sc->profiles->pdata[i];
		g_autofree char *msg = sim_profile_unknown(p);

		if (msg == NULL)
			continue;
		profile_pos(sc, p, &line, &col);
		g_ptr_array_add(errors, g_strdup_printf("%s:%u:%u: %s",
		    sc->path, line, col, msg));
	}
}

/*
 * The check pass: validate every statement of sc (verb, arguments, names
 * defined before use, expectations and overrides) and its profiles.
 * Append each error, "file:line:col: message", to errors (at most one
 * per statement) and return TRUE when there was none.
 */
gboolean
sim_check_scenario(const SimScenario *sc, GPtrArray *errors)
{
	g_autoptr(SimExec) x = NULL;
	g_autoptr(GHashTable) seen = g_hash_table_new_full(g_str_hash,
	    g_str_equal, g_free, NULL);
	g_autoptr(SimExpand) e = NULL;
	g_autoptr(GError) xerr = NULL;
	const SimStmt *st;
	guint i = 0, before;

	g_return_val_if_fail(sc != NULL && errors != NULL, FALSE);
	before = errors->len;
	check_profiles(sc, errors);
	x = exec_new(sc, TRUE);
	if (sim_scenario_big(sc))
		e = sim_expand_new(sc->body);
	while ((st = e != NULL ? sim_expand_next(e, &xerr) : i <
	    sc->stmts->len ? sc->stmts->pdata[i++] : NULL) != NULL) {
		g_autoptr(GError) err = NULL;

		if (check_stmt(x, st, &err))
			continue;
		/* a template's error once, not once per iteration */
		if (!g_hash_table_add(seen, g_strdup(err->message)))
			continue;
		if (errors->len - before >= SIM_MAX_ERRORS) {
			g_ptr_array_add(errors, g_strdup_printf("%s:%u:%u: "
			    "too many errors", st->file, st->line, st->col));
			break;
		}
		g_ptr_array_add(errors, g_strdup(err->message));
	}
	if (xerr != NULL)
		g_ptr_array_add(errors, g_strdup(xerr->message));
	return errors->len == before;
}

/* The socket whose cookie is c, asked without side effects where the
 * backend can (the model), else through the fds of named sockets. */
static const char *
cookie_name(SimExec *x, guint64 c)
{
	const GPtrArray *order = sim_names_order(x->names);
	guint i;

	const SimObj *found = NULL;

	if (x->insp != NULL)
		return sim_cookie_owner(x, c);
	for (i = 0; i < order->len && found == NULL; i++) {
		const SimObj *o = order->pdata[i];
		uint64_t k = 0;

		if (o->kind == SIM_OBJ_SOCK && sim_obj_open_fd(o) >= 0 &&
		    x->ops->get_cookie(x->be, o->proc, o->fd, &k) == 0 &&
		    k == c)
			found = o;
	}
	/* the first name of that socket, as sim_cookie_owner() says it (a
	 * child named by send ... as has no fd, but comes first) */
	for (i = 0; found != NULL && i < order->len; i++) {
		const SimObj *o = order->pdata[i];

		if (o->kind == SIM_OBJ_SOCK && o->bound && o->id == found->id)
			return o->name;
	}
	return NULL;
}

/* r in words that do not depend on the backend (for diff). */
static char *
step_result(SimExec *x, const SimResult *r)
{
	const SimValue *v = &r->v;
	const char *n;

	if (r->err != 0)
		return sim_err_string(r->err);
	switch (v->kind) {
	case SIM_V_COOKIE:
		if (v->num == 0)
			return g_strdup("0");
		n = cookie_name(x, v->num);
		return n != NULL ? g_strdup_printf("c(%s)", n) :
		    g_strdup("a cookie of no named socket");
	case SIM_V_GROUP:
		return g_strdup(v->id != 0 ? "a group" : "none");
	default:
		break;
	}
	return sim_value_render(x, v);
}

/* Counted traffic for diff: each receiver by name, what the hash did. */
static void
step_shares(SimExec *x, const SimCounts *c, SimStep *sp)
{
	guint i;

	sp->shares = g_ptr_array_new_with_free_func(sim_count_share_free);
	sp->hashed = c->hashed;
	sp->progs = c->progs;
	sp->exact = c->exact;
	for (i = 0; i < c->nsock; i++) {
		SimCountShare *cs = g_new0(SimCountShare, 1);

		cs->name = g_strdup(sim_names_sock(x->names, c->s[i].sock));
		cs->n = c->s[i].n;
		cs->fixed = c->s[i].n - c->s[i].hashed;
		cs->share = c->exact ? c->s[i].share : 0;
		g_ptr_array_add(sp->shares, cs);
	}
}

/* The backend cannot carry st out (r->err is SIM_CANNOT or
 * SIM_CANNOT_REST): say why once, and skip what depends on it. */
static void
cannot(SimExec *x, const SimStmt *st, SimResult *r)
{
	const char *why = x->ops->why != NULL ? x->ops->why(x->be) : NULL;
	g_autofree char *w = g_strdup_printf("the %s backend cannot do "
	    "'%s'%s%s", x->ops->name, st->verb, why != NULL ? ": " : "",
	    why != NULL ? why : "");

	r->skipped = TRUE;
	if (r->err == SIM_CANNOT_REST) {
		x->rest = g_strdup_printf("%s:%u:%u: %s; the rest of the "
		    "scenario depends on it", st->file, st->line,
		    st->verb_col, w);
		return;
	}
	sim_pass_note(x, st, w);
	sim_pass_unsure_args(x, st, w);
}

/*
 * The invariants and the lock discipline after a step: as the options
 * say (--check), or the whole state after a `check` statement.
 */
static gboolean
invariants(SimExec *x, GError **error)
{
	SimCheckMode mode = x->check_now ? SIM_CHECK_FULL : x->opts.check;

	x->check_now = FALSE;
	return x->insp->check(x->be, mode, error);
}

/*
 * Run one statement and check everything about it.  Append the failures
 * to msgs; return FALSE when there was one.
 */
static gboolean
run_stmt(SimExec *x, const SimStmt *st, GPtrArray *msgs, SimResult *rout)
{
	g_autoptr(GError) err = NULL;
	const GPtrArray *exp = sim_stmt_expect_for(st, x->profile);
	SimResult r = { 0 };
	const SimVerb *v;
	const char *why = NULL;
	guint before = msgs->len, i;
	SimMatch m = SIM_MATCH;

	x->stmt = st;
	g_ptr_array_set_size(x->step_msgs, 0);
	if (!stmt_proc(x, st, &err) || (v = stmt_verb(st, &err)) == NULL) {
		g_ptr_array_add(msgs, g_strdup(err->message));
		return FALSE;	/* LCOV_EXCL_LINE: the check pass saw it */
	}
	sim_trace_step(x->trace, st);
	r.shape = v->shape;
	if (!v->fn(x, st, &r, &err)) {
		m = SIM_MATCH_ERROR;
	} else if (r.err == SIM_CANNOT || r.err == SIM_CANNOT_REST) {
		cannot(x, st, &r);
	} else if ((why = sim_pass_unsure_in(x, st, exp)) != NULL) {
		/* depends on something the backend could not do */
		r.skipped = TRUE;
		sim_pass_unsure_args(x, st, why);
	} else if (r.skipped && x->insp == NULL) {
		g_autofree char *w = g_strdup_printf("%s: the backend has no "
		    "internal state to look at", st->verb);

		sim_pass_note(x, st, w);
	} else if (r.skipped) {
		sim_pass_note(x, st, "skipped by the backend");
	} else if (exp != NULL && r.v.kind == SIM_V_COUNTS) {
		gboolean unsure;

		m = sim_expect_counts(x, &r, exp, &unsure, &err);
		if (unsure)
			sim_pass_note(x, st, SIM_WHY_COUNTS);
	} else if (exp != NULL) {
		/* alternatives: the first that matches wins */
		for (i = 0; i < exp->len; i += 2) {
			m = sim_expect_match(x, &r, exp->pdata[i], &err);
			if (m != SIM_MISMATCH)
				break;
		}
	} else if (!sim_result_ok(&r)) {
		m = SIM_MISMATCH;
	}
	if (m == SIM_MATCH_ERROR) {
		GString *s = g_string_new(err->message);

		sim_describe_involved(x, st, exp, NULL, s);
		g_ptr_array_add(msgs, g_string_free(s, FALSE));
	} else if (m == SIM_MISMATCH) {
		const SimToken *t = exp != NULL ? exp->pdata[0] : NULL;
		g_autofree char *want = t != NULL ? sim_expect_render(x, t) :
		    g_strdup(r.v.kind == SIM_V_DELIVERY ? "delivery" :
		    "success");

		for (i = 1; exp != NULL && r.v.kind == SIM_V_COUNTS &&
		    i < exp->len; i++) {
			char *all = g_strdup_printf("%s %s", want,
			    ((const SimToken *)exp->pdata[i])->text);

			g_free(want);
			want = all;
		}
		for (i = 2; exp != NULL && r.v.kind != SIM_V_COUNTS &&
		    i < exp->len; i += 2) {
			g_autofree char *alt = sim_expect_render(x,
			    exp->pdata[i]);
			char *both = g_strdup_printf("%s or %s", want, alt);

			g_free(want);
			want = both;
		}
		g_autofree char *got = sim_result_render(x, &r);
		GString *s = g_string_new(NULL);

		g_string_printf(s, "%s:%u:%u: expected %s, got %s", st->file,
		    st->line, t != NULL ? t->col : st->verb_col, want, got);
		sim_describe_involved(x, st, exp, &r, s);
		g_ptr_array_add(msgs, g_string_free(s, FALSE));
	}
	for (i = 0; i < x->step_msgs->len; i++) {
		GString *s = g_string_new(x->step_msgs->pdata[i]);

		sim_describe_involved(x, st, exp, &r, s);
		g_ptr_array_add(msgs, g_string_free(s, FALSE));
	}
	if (x->results != NULL)
		g_ptr_array_add(x->results, m == SIM_MATCH_ERROR ?
		    g_strdup("error") : sim_result_render(x, &r));
	if (x->steps != NULL) {
		SimStep *sp = g_new0(SimStep, 1);

		sp->st = st;
		sp->ok = msgs->len == before;
		if (m == SIM_MATCH_ERROR)
			sp->why = g_strdup(err->message);
		else if (r.skipped)
			sp->why = g_strdup(x->rest != NULL ? x->rest :
			    why != NULL ? why : "not checked by the backend");
		else
			sp->result = step_result(x, &r);
		sp->by_hash = (r.v.kind == SIM_V_DELIVERY && r.err == 0 &&
		    r.v.d.outcome == RP_DELIVERED &&
		    r.v.d.how == RP_HOW_HASH) || (r.v.kind == SIM_V_COUNTS &&
		    r.v.counts.hashed != 0);
		sp->how = r.v.kind == SIM_V_DELIVERY && r.err == 0 &&
		    r.v.d.outcome == RP_DELIVERED ? (int)r.v.d.how : -1;
		sp->after_hash_n = sp->why != NULL && strcmp(sp->why,
		    SIM_WHY_HASH_N) == 0;
		if (r.v.kind == SIM_V_COUNTS && sp->result != NULL)
			step_shares(x, &r.v.counts, sp);
		g_ptr_array_add(x->steps, sp);
	}
	g_clear_error(&err);
	if (rout != NULL)
		*rout = r;
	if (x->concurrent)
		return msgs->len == before;	/* the scheduler checks */
	if (x->insp != NULL && !invariants(x, &err)) {
		GString *s = g_string_new(NULL);

		g_string_printf(s, "%s:%u:%u: invariant violated: %s",
		    st->file, st->line, st->verb_col, err->message);
		sim_describe_ids(x, err->message, s);
		g_ptr_array_add(msgs, g_string_free(s, FALSE));
	}
	if (r.v.kind == SIM_V_DELIVERY && r.v.hash_chosen && x->insp == NULL)
		sim_pass_note(x, st, "hash=N: the backend cannot choose the "
		    "packet "
		    "hash: any member of the expected socket's group is "
		    "accepted");
	return msgs->len == before;
}

/* ---------------------------------------------------------------------
 * Events: every one goes to the name table (group names), the trace sink
 * and the live observer as it happens; the hooks' observer gets a
 * statement's events before its step hook, held meanwhile when threads
 * run (so the events of two statements never mix)
 */

static void
tee_event(void *ud, const struct rp_event *ev)
{
	SimExec *x = ud;
	const SimStepHooks *h = x->opts.hooks;

	sim_names_event(x->names, ev);
	sim_trace_observer()->event(x->trace, ev);
	if (x->opts.observer != NULL)
		x->opts.observer->event(x->opts.observer_ud, ev);
	if (h == NULL || h->observer == NULL || x->muted)
		return;
	if (x->events != NULL) {
		sim_events_add(x->events, ev);
		return;
	}
	h->observer->event(h->ud, ev);
}

static const struct rp_observer tee_observer = {
	.event = tee_event,
};

/* A program's event: to the hooks, with the running statement's array. */
static void
tee_bpf_event(void *ud, const struct rp_bpf_event *ev)
{
	SimExec *x = ud;
	const SimStepHooks *h = x->opts.hooks;

	if (!x->muted && x->bpf_held != NULL)
		h->bpf_event(h->ud, x->bpf_held, ev);
}

/* Hand the events held for the current statement to the hooks. */
static void
flush_events(SimExec *x)
{
	const SimStepHooks *h = x->opts.hooks;
	guint i;

	if (x->events == NULL)
		return;
	for (i = 0; i < x->events->len; i++)
		h->observer->event(h->ud, &g_array_index(x->events,
		    struct rp_event, i));
	g_array_set_size(x->events, 0);
}

/* ---------------------------------------------------------------------
 * The executor's API
 */

/*
 * A run of sc under profile as o says, with nothing run yet; the steps
 * of report (when set) collect each statement's SimStep.  NULL and error
 * when the backend cannot be opened.
 */
SimExec *
sim_exec_open(const SimScenario *sc, const char *profile,
    const SimExecOptions *o, SimReport *report, GError **error)
{
	g_autoptr(SimExec) x = NULL;

	g_return_val_if_fail(sc != NULL && profile != NULL && o != NULL &&
	    o->ops != NULL, NULL);
	x = exec_new(sc, FALSE);
	x->profile = profile;
	x->opts = *o;
	x->ops = o->ops;
	x->trace = sim_trace_new(o->trace);
	x->steps = report != NULL ? report->steps : NULL;
	x->be = x->ops->open(profile, error);
	if (x->be == NULL)
		return NULL;
	x->insp = x->ops->inspect;
	if (x->insp != NULL)
		x->insp->set_observer(x->be, &tee_observer, x);
	/* programs' events, for a hook that wants them (explain) */
	if (o->hooks != NULL && o->hooks->bpf_event != NULL &&
	    x->insp != NULL && x->insp->model != NULL) {
		x->main_bpf = g_ptr_array_new_with_free_func(
		    o->hooks->bpf_free);
		x->bpf_held = x->main_bpf;
		x->bpf_obs.event = tee_bpf_event;
		x->bpf_obs.want_insns = o->hooks->bpf_insns;
		rp_state_set_bpf_observer(x->insp->model(x->be), &x->bpf_obs,
		    x);
	}
	/* calibrated build options; a profile without the option (MPTCP
	 * before 5.6) keeps its own */
	if (o->kconfig_mptcp != 0 && x->ops->kconfig != NULL)
		(void)x->ops->kconfig(x->be, RP_KCONFIG_MPTCP,
		    o->kconfig_mptcp == 1);
	if (o->plant != 0 && x->insp != NULL && x->insp->model != NULL)
		rp_state_plant(x->insp->model(x->be), o->plant);
	return g_steal_pointer(&x);
}

/*
 * Run st and check it; append its failures to msgs and return FALSE when
 * there was one.  The step hook sees the statement afterwards.
 */
gboolean
sim_exec_stmt(SimExec *x, const SimStmt *st, GPtrArray *msgs)
{
	const SimStepHooks *h = x->opts.hooks;
	guint before = msgs->len;
	SimResult r = { 0 };
	gboolean ok;

	ok = run_stmt(x, st, msgs, &r);
	if (h == NULL || x->muted)
		return ok;
	if (h->observer != NULL)
		flush_events(x);
	if (h->step != NULL)
		h->step(h->ud, x, st->index, st, &r, ok ? NULL : msgs, before);
	return ok;
}

/* Did a step the backend cannot do stop the run (SIM_CANNOT_REST)? */
gboolean
sim_exec_stopped(const SimExec *x)
{
	return x->rest != NULL;
}

/* "file:line:col: invariant violated: ..." with the objects involved, or
 * NULL when the invariants hold. */
char *
sim_exec_check(SimExec *x, const SimStmt *st)
{
	g_autoptr(GError) err = NULL;
	GString *s;

	if (x->insp == NULL || invariants(x, &err))
		return NULL;
	s = g_string_new(NULL);
	if (st != NULL)
		g_string_printf(s, "%s:%u:%u: ", st->file, st->line,
		    st->verb_col);
	g_string_append_printf(s, "invariant violated: %s", err->message);
	sim_describe_ids(x, err->message, s);
	return g_string_free(s, FALSE);
}

/*
 * The whole state once more at the end of a run that passed, when the
 * steps were checked incrementally: rp_check_step() must have found
 * anything rp_check() finds, so a failure here is a bug of either
 * checker, reported as the last statement's.
 */
static void
end_check(SimExec *x, SimReport *report)
{
	g_autoptr(GError) err = NULL;
	GString *s;

	if (x->insp == NULL || x->opts.check != SIM_CHECK_STEP)
		return;
	if (x->insp->check(x->be, SIM_CHECK_FULL, &err))
		return;
	s = g_string_new(NULL);
	if (x->stmt != NULL)
		g_string_printf(s, "%s:%u:%u: ", x->stmt->file, x->stmt->line,
		    x->stmt->verb_col);
	g_string_append_printf(s, "invariant violated (the full check at "
	    "the end of the scenario): %s", err->message);
	sim_describe_ids(x, err->message, s);
	g_ptr_array_add(report->messages, g_string_free(s, FALSE));
	report->passed = FALSE;
}

/*
 * The end of a run: what the backend could not do goes to report (the
 * reason to skip when nothing failed before, else a note), the done hook
 * runs, and the trace is formatted.
 */
void
sim_exec_finish(SimExec *x, SimReport *report)
{
	const SimStepHooks *h = x->opts.hooks;

	if (report->passed && !x->muted)
		end_check(x, report);
	if (x->rest != NULL && report->passed) {
		report->skip = g_strdup(x->rest);	/* nothing failed before */
		report->passed = FALSE;
	} else if (x->rest != NULL) {
		g_ptr_array_add(x->notes, g_strdup_printf("not run: %s",
		    x->rest));
	}
	report->notes = g_ptr_array_ref(x->notes);
	if (h != NULL && h->done != NULL)
		h->done(h->ud, x);
	if (x->opts.trace != SIM_TRACE_OFF) {
		const char *top = x->sc->files->len > 0 ?
		    x->sc->files->pdata[0] : NULL;

		report->trace = g_string_new(NULL);
		sim_trace_format(x->trace, x->names, top, report->trace);
	}
}

void
sim_exec_close(SimExec *x)
{
	if (x == NULL)
		return;
	if (x->be != NULL) {
		if (x->main_bpf != NULL)
			rp_state_set_bpf_observer(x->insp->model(x->be), NULL,
			    NULL);
		x->ops->close(x->be);
	}
	exec_free(x);
}

/* What the hooks made of the running statement's programs
 * (SimStepHooks.bpf_event), for its step hook to take; NULL when there is
 * no such hook. */
GPtrArray *
sim_exec_bpf_held(SimExec *x)
{
	return x->bpf_held;
}

/* The name table of the pass. */
SimNames *
sim_exec_names(SimExec *x)
{
	return x->names;
}

const SimScenario *
sim_exec_scenario(const SimExec *x)
{
	return x->sc;
}

/* The model-only queries of the backend and the backend itself (*be), or
 * NULL when it has none. */
const SimInspectOps *
sim_exec_inspect(const SimExec *x, SimBackend **be)
{
	*be = x->be;
	return x->insp;
}

/* The result r of the current step in scenario words: -EBUSY, c(a), m:3,
 * dropped.  g_free(). */
char *
sim_result_render(const SimExec *x, const SimResult *r)
{
	if (r->err != 0)
		return sim_err_string(r->err);
	return sim_value_render(x, &r->v);
}

/* ---------------------------------------------------------------------
 * Threads: one context each, switched by the scheduler (one runs at a
 * time, so the pass is shared)
 */

SimExecCtx *
sim_exec_ctx_new(SimExec *x)
{
	SimExecCtx *c = g_new0(SimExecCtx, 1);

	c->proc = sim_names_find(x->names, SIM_NS_PROC, "init");
	c->step_msgs = g_ptr_array_new_with_free_func(g_free);
	c->results = g_ptr_array_new_with_free_func(g_free);
	if (x->opts.hooks != NULL && x->opts.hooks->observer != NULL)
		c->events = sim_events_new();
	if (x->main_bpf != NULL)
		c->bpf_held = g_ptr_array_new_with_free_func(
		    x->opts.hooks->bpf_free);
	return c;
}

void
sim_exec_ctx_free(SimExecCtx *c)
{
	if (c == NULL)
		return;
	g_ptr_array_unref(c->step_msgs);
	g_ptr_array_unref(c->results);
	if (c->events != NULL)
		g_array_unref(c->events);
	if (c->bpf_held != NULL)
		g_ptr_array_unref(c->bpf_held);
	g_free(c);
}

/* Make c the context of the statements that run next; NULL: the one
 * outside threads. */
void
sim_exec_ctx_enter(SimExec *x, SimExecCtx *c)
{
	if (c == NULL) {
		x->step_msgs = x->main_msgs;
		x->results = NULL;
		x->events = NULL;
		x->bpf_held = x->main_bpf;
		return;
	}
	x->stmt = c->stmt;
	x->proc = c->proc;
	x->step_msgs = c->step_msgs;
	x->results = c->results;
	x->events = c->events;
	x->bpf_held = c->bpf_held;
	if (c->stmt != NULL)
		sim_trace_step(x->trace, c->stmt);	/* events' line */
}

/* Save into c where its thread stands. */
void
sim_exec_ctx_leave(SimExec *x, SimExecCtx *c)
{
	c->stmt = x->stmt;
	c->proc = x->proc;
}

/* The results of c's statements, rendered, in order. */
const GPtrArray *
sim_exec_ctx_results(const SimExecCtx *c)
{
	return c->results;
}

/* Threads run concurrently (or no longer): the invariants are checked by
 * the scheduler, and contracts that another thread may break are off. */
void
sim_exec_set_concurrent(SimExec *x, gboolean on)
{
	x->concurrent = on;
}

/* Do threads run now?  Then a statement's hook may run while another
 * thread is inside an operation. */
gboolean
sim_exec_concurrent(const SimExec *x)
{
	return x->concurrent;
}

/* The statements from now on run, but are neither hooked nor recorded
 * (on), or are again (off; the steps are not recorded any more): threads
 * left to finish after the run has failed, or before a snapshot is
 * restored. */
void
sim_exec_set_muted(SimExec *x, gboolean on)
{
	x->muted = on;
	x->steps = NULL;
}

/* ---------------------------------------------------------------------
 * Snapshots, for an explorer that comes back to a state (sched.c)
 */

struct SimExecSnap {
	SimNamesMark	 names;		/* where the live names' log was */
	GHashTable	*vars;
	GHashTable	*unsure;
	GPtrArray	*notes;
	char		*rest;
};

static GHashTable *
strtab_copy(GHashTable *t, GCopyFunc copy_value,
    GDestroyNotify free_value)
{
	GHashTable *c = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
	    free_value);
	GHashTableIter it;
	gpointer k, v;

	g_hash_table_iter_init(&it, t);
	while (g_hash_table_iter_next(&it, &k, &v))
		g_hash_table_insert(c, g_strdup(k), copy_value(v, NULL));
	return c;
}

static gpointer
value_copy(gconstpointer v, gpointer unused G_GNUC_UNUSED)
{
	return g_memdup2(v, sizeof(SimValue));
}

static gpointer
string_copy(gconstpointer v, gpointer unused G_GNUC_UNUSED)
{
	return g_strdup(v);
}

static GPtrArray *
strings_copy(const GPtrArray *a)
{
	GPtrArray *c = g_ptr_array_new_full(a->len, g_free);

	for (guint i = 0; i < a->len; i++)
		g_ptr_array_add(c, g_strdup(a->pdata[i]));
	return c;
}

/*
 * What the pass knows between two statements: names and their bindings,
 * variables, what the backend could not do.  No statement may be running
 * (the threads' contexts are the scheduler's to save).
 */
SimExecSnap *
sim_exec_snapshot(SimExec *x)
{
	SimExecSnap *s = g_new0(SimExecSnap, 1);

	sim_names_mark(x->names, &s->names);
	s->vars = strtab_copy(x->vars, value_copy, value_free);
	s->unsure = strtab_copy(x->unsure, string_copy, g_free);
	s->notes = strings_copy(x->notes);
	s->rest = g_strdup(x->rest);
	return s;
}

/* Make x know what it knew at s; the current statement and process of
 * the pass go back to none and init.  The names come back by undoing
 * their changes since s (sim_names_rewind(): O(the changes), where a
 * copy was one allocation a name), so snapshots are restored in stack
 * order: restoring s forgets every snapshot taken after it (an explorer's
 * depth-first search does). */
void
sim_exec_restore(SimExec *x, const SimExecSnap *s)
{
	if (!sim_names_rewind(x->names, &s->names))
		g_critical("sim_exec_restore(): a snapshot restored out of "
		    "order (a later one was restored before it)");
	g_hash_table_unref(x->vars);
	x->vars = strtab_copy(s->vars, value_copy, value_free);
	g_hash_table_unref(x->unsure);
	x->unsure = strtab_copy(s->unsure, string_copy, g_free);
	g_ptr_array_unref(x->notes);
	x->notes = strings_copy(s->notes);
	g_free(x->rest);
	x->rest = g_strdup(s->rest);
	x->stmt = NULL;
	x->proc = sim_names_find(x->names, SIM_NS_PROC, "init");
	g_ptr_array_set_size(x->main_msgs, 0);
}

void
sim_exec_snap_free(SimExecSnap *s)
{
	if (s == NULL)
		return;
	g_hash_table_unref(s->vars);
	g_hash_table_unref(s->unsure);
	g_ptr_array_unref(s->notes);
	g_free(s->rest);
	g_free(s);
}

/*
 * A digest of the pass's own state: the names' bindings and the
 * variables (in no particular order), so that two runs that reach the
 * same model state with different bindings are told apart.
 */
guint64
sim_exec_digest(const SimExec *x)
{
	guint64 h = sim_names_digest(x->names), sum = 0;
	GHashTableIter it;
	gpointer k, v;

	g_hash_table_iter_init(&it, x->vars);
	while (g_hash_table_iter_next(&it, &k, &v)) {
		const SimValue *sv = v;
		guint64 e = g_str_hash(k);

		e = e * G_GUINT64_CONSTANT(0x9e3779b97f4a7c15) ^ sv->kind;
		e = e * G_GUINT64_CONSTANT(0xff51afd7ed558ccd) ^ sv->num;
		e = e * G_GUINT64_CONSTANT(0xc4ceb9fe1a85ec53) ^
		    ((guint64)sv->id << 32 | sv->key);
		e ^= sv->word != NULL ? g_str_hash(sv->word) : 0;
		e = e * G_GUINT64_CONSTANT(0xff51afd7ed558ccd) ^
		    ((guint64)sv->d.outcome << 40 | (guint64)sv->d.sock << 20 |
		    sv->d.child);
		sum += e ^ (e >> 29);
	}
	return h * G_GUINT64_CONSTANT(0x9e3779b97f4a7c15) + sum;
}

/* Forget c's results after the first n, and its pending failures; its
 * process goes back to init.  For a restored snapshot. */
void
sim_exec_ctx_rewind(SimExec *x, SimExecCtx *c, guint n)
{
	g_return_if_fail(n <= c->results->len);
	g_ptr_array_set_size(c->results, n);
	g_ptr_array_set_size(c->step_msgs, 0);
	if (c->events != NULL)
		g_array_set_size(c->events, 0);
	if (c->bpf_held != NULL)
		g_ptr_array_set_size(c->bpf_held, 0);
	c->stmt = NULL;
	c->proc = sim_names_find(x->names, SIM_NS_PROC, "init");
}

/* ---------------------------------------------------------------------
 * A plain run
 */

/*
 * Run a scenario too large to hold expanded (sim_scenario_big()), one
 * statement at a time: nothing may keep a statement after it ran (no
 * hooks, no steps; the trace keeps only its line).
 */
static void
run_big(SimExec *x, const SimScenario *sc, const SimExecOptions *o,
    SimReport *report)
{
	g_autoptr(SimExpand) e = NULL;
	g_autoptr(GError) err = NULL;
	const SimStmt *st;

	if (o->hooks != NULL || x->steps != NULL) {
		g_ptr_array_add(report->messages, g_strdup_printf("%s: expands "
		    "to %" G_GUINT64_FORMAT " statements; more than %u are "
		    "only run, not recorded", sc->path, sc->expanded,
		    SIM_MAX_STMTS));
		report->passed = FALSE;
		return;
	}
	e = sim_expand_new(sc->body);
	while (!sim_exec_stopped(x) && (st = sim_expand_next(e, &err)) !=
	    NULL) {
		if (sim_exec_stmt(x, st, report->messages))
			continue;
		report->passed = FALSE;
		if (!o->keep_going)
			return;
	}
	if (err != NULL) {
		/* LCOV_EXCL_START: the check pass expanded it already */
		g_ptr_array_add(report->messages, g_strdup(err->message));
		report->passed = FALSE;
		/* LCOV_EXCL_STOP */
	}
}

/*
 * Run sc, checked already, under profile as o says (no `schedule`: see
 * run.c), and fill report: passed, the failure messages, notes, and the
 * trace when o->trace is not SIM_TRACE_OFF.  A failure stops the run
 * unless o->keep_going.  When the backend cannot be opened, report->skip
 * says why and nothing runs.  report must be zeroed or cleared (its
 * steps may be set).
 */
void
sim_exec_run(const SimScenario *sc, const char *profile,
    const SimExecOptions *o, SimReport *report)
{
	g_autoptr(GError) err = NULL;
	SimExec *x;
	guint i;

	report->messages = g_ptr_array_new_with_free_func(g_free);
	report->passed = TRUE;
	x = sim_exec_open(sc, profile, o, report, &err);
	if (x == NULL) {
		/* not root, not this kernel: the backend cannot say */
		g_autofree char *self = g_strdup_printf("%s backend",
		    o->ops->name);

		report->skip = g_str_has_prefix(err->message, self) ?
		    g_strdup(err->message) : g_strdup_printf("%s: %s", self,
		    err->message);
		report->passed = FALSE;
		return;
	}
	if (sim_scenario_big(sc)) {
		run_big(x, sc, o, report);
	} else {
		for (i = 0; i < sc->stmts->len && !sim_exec_stopped(x); i++) {
			if (sim_exec_stmt(x, sc->stmts->pdata[i],
			    report->messages))
				continue;
			report->passed = FALSE;
			if (!o->keep_going)
				break;
		}
	}
	sim_exec_finish(x, report);
	sim_exec_close(x);
}
