/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * helpers.c - the BPF helpers an instruction program may call, per
 * profile and program type: what sk_reuseport_func_proto(),
 * sk_filter_func_proto() and bpf_base_func_proto() offer (net/core/filter.c,
 * kernel/bpf/helpers.c; v4.19.0 and 6.18), with the kernel's semantics
 * and the verifier's argument rules as faults.
 *
 * A helper the program type or profile does not offer, or one that needs
 * a capability the loader lacked, is a fault (R-EBPF-17): the verifier
 * would have refused the program.  A helper offered by the kernel but not
 * modelled is a fault too, saying so.  A call clobbers r1-r5 and sets
 * r0.  Helpers that touch shared state (maps, sockets) first pass a
 * decision point of the interleaving explorer (RP_SP_BPF_HELPER), so a
 * run can be interleaved with an update or a close (R-EBPF-18).
 */
#include <errno.h>
#include <string.h>

#include "rp-int.h"

#define P_REUSEPORT	(1u << 0)	/* offered to SK_REUSEPORT */
#define P_FILTER	(1u << 1)	/* offered to SOCKET_FILTER */
#define P_BOTH		(P_REUSEPORT | P_FILTER)
/* since, until: the kernel versions (RP_KVER()) that added the helper to
 * the program type's set and that took it out (or changed its entry); 0: always,
 * never.  Versions are upstream's, from the source history. */
#define V(a, b)		RP_KVER(a, b)
#define ALWAYS		0, 0
#define SINCE(a, b)	V(a, b), 0

#define BPF_HDR_START_MAC	0
#define BPF_HDR_START_NET	1
#define OVERFLOWUID		65534
#define S32_MAX			INT32_C(0x7fffffff)

typedef bool (*helper_fn)(struct rp_bpf_run *);

struct rp_bpf_helper {
	int32_t		 id;
	const char	*name;
	unsigned	 progs;		/* P_* */
	uint16_t	 since;		/* first version offering it, 0: all */
	uint16_t	 until;		/* first version not offering this entry, 0: none */
	uint64_t	 cap;		/* loader capability needed (any bit), 0: none */
	uint8_t		 nargs;		/* r1..r<nargs> must be written */
	bool		 shared;	/* touches shared state: a decision point */
	helper_fn	 fn;		/* NULL: offered, not modelled */
	const char	*rule;		/* the SPEC rule of the helper */
};

/* ---------------------------------------------------------------------
 * Arguments
 */

static bool
arg_ctx(struct rp_bpf_run *run, unsigned n)
{
	const struct rp_breg *r = &run->r[n];

	if (r->t == RP_BPF_REG_CTX && r->v == 0)
		return true;
	return rp_bpf_fault(run, "R-EBPF-17", "r%u must be the context", n);
}

static bool
arg_scalar(struct rp_bpf_run *run, unsigned n, uint64_t *v)
{
	const struct rp_breg *r = &run->r[n];

	if (r->t == RP_BPF_REG_SCALAR) {
		*v = r->v;
		return true;
	}
	return rp_bpf_fault(run, "R-EBPF-17", "r%u must be a number (%s)", n,
	    r->t == RP_BPF_REG_NONE ? "never written" : "it is a pointer");
}

static bool
arg_map(struct rp_bpf_run *run, unsigned n, struct rp_map **m)
{
	const struct rp_breg *r = &run->r[n];

	if (r->t == RP_BPF_REG_MAP && r->v == 0) {
		*m = r->obj;
		return true;
	}
	return rp_bpf_fault(run, "R-EBPF-17", "r%u must be a map pointer", n);
}

/* ARG_CONST_SIZE: a size the verifier could bound, above zero. */
static bool
arg_size(struct rp_bpf_run *run, unsigned n, uint32_t *size)
{
	uint64_t v = 0;

	if (!arg_scalar(run, n, &v))
		return false;
	if (v == 0 || v > RP_BPF_STACK * 64)
		return rp_bpf_fault(run, "R-EBPF-17", "r%u: invalid size %"
		    G_GUINT64_FORMAT, n, v);
	*size = (uint32_t)v;
	return true;
}

static bool
ret(struct rp_bpf_run *run, uint64_t v)
{
	struct rp_breg *r0 = &run->r[0];

	r0->t = RP_BPF_REG_SCALAR;
	r0->v = v;
	r0->obj = NULL;
	return true;
}

static bool
ret_err(struct rp_bpf_run *run, int err)
{
	return ret(run, (uint64_t)(int64_t)err);
}

static void
map_event(struct rp_bpf_run *run, enum rp_bpf_event_kind kind,
    const struct rp_map *m, const uint8_t *key, uint32_t key_size,
    bool found, int err)
{
	if (run->trace)
		rp_bpf_emit(run, &(struct rp_bpf_event){ .kind = kind,
		    .map = m->id, .key = key, .key_size = key_size,
		    .taken = found, .err = err });
}

/* A read and what it found: a value map's element, a slot's socket or an
 * outer slot's inner map (for explain). */
static void
read_event(struct rp_bpf_run *run, const struct rp_map *m,
    const uint8_t *key, const uint8_t *value, const struct rp_sock *sk,
    const struct rp_map *inner, int err)
{
	if (run->trace)
		rp_bpf_emit(run, &(struct rp_bpf_event){ .kind =
		    RP_BPF_EV_MAP_READ, .map = m->id, .key = key,
		    .key_size = m->key_size, .taken = value != NULL ||
		    sk != NULL || inner != NULL, .err = err, .value = value,
		    .value_size = value != NULL ? m->value_size : 0,
		    .sock = sk != NULL ? sk->id : 0,
		    .val = inner != NULL ? inner->id : 0 });
}

static bool
sockarray_refused(struct rp_bpf_run *run, const struct rp_map *m,
    const char *fn)
{
	return rp_bpf_fault(run, "R-PRG-1", "map %u (type %u) passed to "
	    "bpf_%s: the verifier refuses it", m->id, m->type, fn);
}

/* ---------------------------------------------------------------------
 * Maps
 */

/* r0 = a pointer to the value v of m, or NULL */
static bool
ret_value(struct rp_bpf_run *run, struct rp_map *m, uint8_t *v)
{
	struct rp_breg *r0 = &run->r[0];

	if (v == NULL)
		return ret(run, 0);
	r0->t = RP_BPF_REG_MAP_VALUE;
	r0->obj = v;
	r0->map = m;
	r0->size = m->value_size;
	r0->v = 0;
	return true;
}

static void
put_map_cb(struct rp_state *st, void *obj)
{
	rp_map_put(st, obj);
}

/* bpf_map_lookup_elem(map, key) (R-HLP-7). */
static bool
h_map_lookup(struct rp_bpf_run *run)
{
	struct rp_state *st = run->st;
	struct rp_map *m = NULL, *in;
	const uint8_t *key;
	uint32_t k = 0;
	uint8_t *v;

	if (!arg_map(run, 1, &m))
		return false;
	if (m->type == RP_MAP_REUSEPORT_SOCKARRAY || m->type == RP_MAP_SOCKMAP ||
	    m->type == RP_MAP_SOCKHASH || m->type == RP_MAP_RINGBUF)
		return sockarray_refused(run, m, "map_lookup_elem");
	key = rp_bpf_mem(run, &run->r[2], 0, m->key_size, false, "the key");
	if (key == NULL)
		return false;
	if (rp_vmap_type(m->type)) {
		v = rp_vmap_lookup(st, m, key, st->cpu);
		read_event(run, m, key, v, NULL, NULL, 0);
		rp_rule(st, "R-HLP-7", v != NULL ? 0 : -ENOENT);
		return ret_value(run, m, v);
	}
	/* ARRAY_OF_MAPS, HASH_OF_MAPS: the inner map, kept alive until a
	 * grace period after this read (the kernel frees inner maps after
	 * one) */
	memcpy(&k, key, MIN(m->key_size, 4u));
	in = rp_outer_lookup_map(st, m, k);
	read_event(run, m, key, NULL, NULL, in, 0);
	rp_rule(st, "R-MIM-5", in != NULL ? 0 : -ENOENT);
	if (in == NULL)
		return ret(run, 0);
	in->refs++;
	rp_call_rcu(st, put_map_cb, in);
	run->r[0].t = RP_BPF_REG_MAP;
	run->r[0].obj = in;
	run->r[0].v = 0;
	return true;
}

/* bpf_map_lookup_percpu_elem(map, key, cpu) (6.18; R-HLP-7). */
static bool
h_map_lookup_percpu(struct rp_bpf_run *run)
{
	struct rp_map *m = NULL;
	const uint8_t *key;
	uint64_t cpu = 0;
	uint8_t *v = NULL;

	if (!arg_map(run, 1, &m))
		return false;
	if (m->type != RP_MAP_PERCPU_ARRAY && m->type != RP_MAP_PERCPU_HASH)
		return rp_bpf_fault(run, "R-HLP-7", "bpf_map_lookup_percpu_elem "
		    "on map %u, not a per-CPU map", m->id);
	key = rp_bpf_mem(run, &run->r[2], 0, m->key_size, false, "the key");
	if (key == NULL || !arg_scalar(run, 3, &cpu))
		return false;
	if (cpu < RP_BPF_NCPUS)	/* KERNEL: cpu >= nr_cpu_ids: NULL */
		v = rp_vmap_lookup(run->st, m, key, (unsigned)cpu);
	read_event(run, m, key, v, NULL, NULL, 0);
	return ret_value(run, m, v);
}

static bool
map_write_allowed(struct rp_bpf_run *run, const struct rp_map *m,
    const char *fn)
{
	/* KERNEL: check_map_func_compatibility(): a ring buffer only with
	 * the ringbuf helpers */
	if (m->type == RP_MAP_REUSEPORT_SOCKARRAY || m->type == RP_MAP_RINGBUF)
		return sockarray_refused(run, m, fn);
	if (m->type == RP_MAP_ARRAY_OF_MAPS || m->type == RP_MAP_HASH_OF_MAPS)
		return rp_bpf_fault(run, "R-HLP-8", "programs cannot change "
		    "map-in-map %u (only look it up)", m->id);
	if ((m->type == RP_MAP_SOCKMAP || m->type == RP_MAP_SOCKHASH) &&
	    !run->st->prof->bpf_sockmap_update)
		return sockarray_refused(run, m, fn);
	if (m->map_flags & RP_BPF_F_RDONLY_PROG)
		return rp_bpf_fault(run, "R-HLP-8", "map %u is read-only for "
		    "programs", m->id);
	return true;
}

/* bpf_map_update_elem(map, key, value, flags) (R-HLP-8, R-HLP-11). */
static bool
h_map_update(struct rp_bpf_run *run)
{
	struct rp_state *st = run->st;
	struct rp_map *m = NULL;
	const uint8_t *key, *val;
	const struct rp_breg *vr = &run->r[3];
	uint64_t flags = 0;
	uint32_t k = 0;
	int err;

	if (!arg_map(run, 1, &m) || !map_write_allowed(run, m,
	    "map_update_elem"))
		return false;
	key = rp_bpf_mem(run, &run->r[2], 0, m->key_size, false, "the key");
	if (key == NULL || !arg_scalar(run, 4, &flags))
		return false;
	if (m->type == RP_MAP_SOCKMAP || m->type == RP_MAP_SOCKHASH) {
		/* KERNEL: the value is a socket (ARG_PTR_TO_BTF_ID_SOCK_COMMON),
		 * sock_map_update_elem(): not a full socket -EINVAL */
		struct rp_sock *sk = vr->t == RP_BPF_REG_SOCK ? vr->obj : NULL;

		if (vr->t != RP_BPF_REG_SOCK)
			return rp_bpf_fault(run, "R-HLP-11", "the value of a "
			    "sockmap update must be a socket pointer");
		memcpy(&k, key, 4);
		if (sk->state == RP_TCP_NEW_SYN_RECV)
			err = -EINVAL;
		else
			err = rp_sockmap_update_sk(st, m, k, sk, flags);
		rp_rule(st, "R-HLP-11", err);
	} else {
		val = rp_bpf_mem(run, vr, 0, m->value_size, false, "the value");
		if (val == NULL)
			return false;
		err = rp_vmap_update(st, m, key, val, flags, (int)st->cpu);
		rp_rule(st, "R-HLP-8", err);
	}
	map_event(run, RP_BPF_EV_MAP_WRITE, m, key, m->key_size, err == 0, err);
	return ret_err(run, err);
}

/* bpf_map_delete_elem(map, key) (R-HLP-9, R-HLP-11). */
static bool
h_map_delete(struct rp_bpf_run *run)
{
	struct rp_map *m = NULL;
	const uint8_t *key;
	uint32_t k = 0;
	int err;

	if (!arg_map(run, 1, &m) || !map_write_allowed(run, m,
	    "map_delete_elem"))
		return false;
	key = rp_bpf_mem(run, &run->r[2], 0, m->key_size, false, "the key");
	if (key == NULL)
		return false;
	if (m->type == RP_MAP_SOCKMAP || m->type == RP_MAP_SOCKHASH) {
		memcpy(&k, key, 4);
		err = rp_sockmap_delete(run->st, m, k);
		rp_rule(run->st, "R-HLP-11", err);
	} else {
		err = rp_vmap_delete(run->st, m, key);
		rp_rule(run->st, "R-HLP-9", err);
	}
	map_event(run, RP_BPF_EV_MAP_WRITE, m, key, m->key_size, err == 0, err);
	return ret_err(run, err);
}

/* ---------------------------------------------------------------------
 * Ring buffers (R-RB-2 .. R-RB-4; model/valmap.c keeps the ring)
 */

#define BPF_RB_NO_WAKEUP	1
#define BPF_RB_FORCE_WAKEUP	2

static bool
arg_ringbuf(struct rp_bpf_run *run, unsigned n, struct rp_map **m,
    const char *fn)
{
	if (!arg_map(run, n, m))
		return false;
	/* KERNEL: check_map_func_compatibility() */
	if ((*m)->type != RP_MAP_RINGBUF)
		return rp_bpf_fault(run, "R-RB-2", "bpf_%s on map %u (type "
		    "%u), not a ring buffer: the verifier refuses it", fn,
		    (*m)->id, (*m)->type);
	return true;
}

/* bpf_ringbuf_output(map, data, size, flags): 0, -EINVAL for unknown
 * flags, -EAGAIN when the ring is full.  KERNEL: bpf_ringbuf_output() */
static bool
h_ringbuf_output(struct rp_bpf_run *run)
{
	struct rp_map *m = NULL;
	uint64_t size = 0, flags = 0;

	if (!arg_ringbuf(run, 1, &m, "ringbuf_output") ||
	    !arg_scalar(run, 3, &size) || !arg_scalar(run, 4, &flags))
		return false;
	/* ARG_CONST_SIZE_OR_ZERO: the data readable for size bytes */
	if (size > 0 && rp_bpf_mem(run, &run->r[2], 0, (uint32_t)MIN(size,
	    UINT32_MAX), false, "the record") == NULL)
		return false;
	if (flags & ~(uint64_t)(BPF_RB_NO_WAKEUP | BPF_RB_FORCE_WAKEUP))
		return ret_err(run, rp_rule(run->st, "R-RB-2", -EINVAL));
	return ret_err(run, rp_ringbuf_output(run->st, m, size));
}

/* bpf_ringbuf_reserve(map, size, flags): a pointer to size writable
 * bytes, or NULL (flags not 0, a full ring).  KERNEL:
 * bpf_ringbuf_reserve() */
static bool
h_ringbuf_reserve(struct rp_bpf_run *run)
{
	struct rp_map *m = NULL;
	struct rp_breg *r0 = &run->r[0];
	uint64_t size = 0, flags = 0;
	uint8_t *p;

	if (!arg_ringbuf(run, 1, &m, "ringbuf_reserve") ||
	    !arg_scalar(run, 2, &size) || !arg_scalar(run, 3, &flags))
		return false;
	if (flags != 0 || size > UINT32_MAX) {
		rp_rule(run->st, "R-RB-3", -EINVAL);
		return ret(run, 0);
	}
	p = rp_ringbuf_reserve(run->st, m, (uint32_t)size);
	if (p == NULL)
		return ret(run, 0);
	/* ARG_CONST_ALLOC_SIZE_OR_ZERO: RET_PTR_TO_RINGBUF_MEM_OR_NULL,
	 * memory the program may read and write */
	r0->t = RP_BPF_REG_MAP_VALUE;
	r0->obj = p;
	r0->map = m;
	r0->size = (uint32_t)size;
	r0->v = 0;
	return true;
}

/* bpf_ringbuf_submit(data, flags), bpf_ringbuf_discard(data, flags):
 * data must be a record reserved and not yet released (the verifier's
 * reference tracking); r0 = 0.  KERNEL: bpf_ringbuf_commit() */
static bool
ringbuf_commit(struct rp_bpf_run *run, bool discard)
{
	const struct rp_breg *r1 = &run->r[1];
	uint64_t flags = 0;

	if (!arg_scalar(run, 2, &flags))
		return false;
	if (r1->t != RP_BPF_REG_MAP_VALUE || r1->v != 0 ||
	    r1->map->type != RP_MAP_RINGBUF ||
	    !rp_ringbuf_commit(run->st, r1->map, r1->obj, discard))
		return rp_bpf_fault(run, "R-RB-3", "bpf_ringbuf_%s: r1 is no "
		    "record reserved by this run and not yet released",
		    discard ? "discard" : "submit");
	return ret(run, 0);
}

static bool
h_ringbuf_submit(struct rp_bpf_run *run)
{
	return ringbuf_commit(run, false);
}

static bool
h_ringbuf_discard(struct rp_bpf_run *run)
{
	return ringbuf_commit(run, true);
}

/* bpf_ringbuf_query(map, flags).  KERNEL: bpf_ringbuf_query() */
static bool
h_ringbuf_query(struct rp_bpf_run *run)
{
	struct rp_map *m = NULL;
	uint64_t flags = 0;

	if (!arg_ringbuf(run, 1, &m, "ringbuf_query") ||
	    !arg_scalar(run, 2, &flags))
		return false;
	return ret(run, rp_ringbuf_query(run->st, m, flags));
}

/* ---------------------------------------------------------------------
 * Selection and the packet
 */

/* bpf_sk_select_reuseport(ctx, map, key, flags): select.c decides
 * (R-HLP-1..R-HLP-4); several calls: the last success wins (R-HLP-6). */
static bool
h_sk_select_reuseport(struct rp_bpf_run *run)
{
	struct rp_map *m = NULL;
	const uint8_t *key;
	struct rp_sock *sel = NULL;
	uint64_t flags = 0;
	uint32_t k = 0;
	int err;

	if (!arg_ctx(run, 1) || !arg_map(run, 2, &m))
		return false;
	if (m->type != RP_MAP_REUSEPORT_SOCKARRAY &&
	    !((m->type == RP_MAP_SOCKMAP || m->type == RP_MAP_SOCKHASH) &&
	    run->st->prof->sockmap_select))
		return rp_bpf_fault(run, "R-PRG-2", "map %u (type %u) passed to "
		    "bpf_sk_select_reuseport: the verifier refuses it", m->id,
		    m->type);
	key = rp_bpf_mem(run, &run->r[3], 0, m->key_size, false, "the key");
	if (key == NULL || !arg_scalar(run, 4, &flags))	/* flags: ignored */
		return false;
	memcpy(&k, key, MIN(m->key_size, 4u));
	err = rp_sk_select_reuseport(run->st, run->sctx, run->reuseport_id, m,
	    k, &sel);
	read_event(run, m, key, NULL, err == 0 ? sel : NULL, NULL, err);
	if (err == 0) {
		if (run->selected != NULL && run->selected != sel)
			rp_rule(run->st, "R-HLP-6", 0);
		run->selected = sel;
	} else if (run->selected != NULL) {
		rp_rule(run->st, "R-HLP-6", err);
	}
	run->helper_err = err;
	return ret_err(run, err);
}

/* The destination of a load_bytes helper, zeroed on failure. */
static int
load_fail(uint8_t *to, uint32_t len, const char *rule, struct rp_state *st)
{
	memset(to, 0, len);
	return rp_rule(st, rule, -EFAULT);
}

/* bpf_skb_load_bytes(ctx, offset, to, len) (R-HLP-12):
 * ____bpf_skb_load_bytes() on skb->data */
static bool
h_skb_load_bytes(struct rp_bpf_run *run)
{
	const struct rp_skb *skb;
	uint64_t off = 0;
	uint32_t len = 0, max;
	uint8_t *to;
	int err = 0;

	if (!arg_ctx(run, 1) || !arg_scalar(run, 2, &off) ||
	    !arg_size(run, 4, &len))
		return false;
	to = rp_bpf_mem(run, &run->r[3], 0, len, true, "the destination");
	if (to == NULL)
		return false;
	skb = rp_bpf_skb(run);
	max = run->st->prof->bpf_load_bytes_int_max ? (uint32_t)S32_MAX :
	    0xffff;
	off = (uint32_t)off;
	if (off > max || off + len > skb->len - skb->data)
		err = load_fail(to, len, "R-HLP-12", run->st);
	else
		memcpy(to, skb->buf + skb->data + off, len);
	if (err == 0)
		rp_rule(run->st, "R-HLP-12", 0);
	return ret_err(run, err);
}

/* bpf_skb_load_bytes_relative(ctx, offset, to, len, start) (R-HLP-13) */
static bool
h_skb_load_bytes_rel(struct rp_bpf_run *run)
{
	const struct rp_skb *skb;
	uint64_t off = 0, start = 0;
	uint32_t len = 0;
	size_t base;
	uint8_t *to;
	int err = 0;

	if (!arg_ctx(run, 1) || !arg_scalar(run, 2, &off) ||
	    !arg_size(run, 4, &len) || !arg_scalar(run, 5, &start))
		return false;
	to = rp_bpf_mem(run, &run->r[3], 0, len, true, "the destination");
	if (to == NULL)
		return false;
	skb = rp_bpf_skb_headers(run);
	off = (uint32_t)off;
	start = (uint32_t)start;
	base = start == BPF_HDR_START_NET ? skb->net : 0;
	/* KERNEL: offset > 0xffff, an unknown start, no MAC header: -EFAULT;
	 * 4.19 also refuses len > end - mac; then ptr + len <= end */
	if (off > 0xffff || start > BPF_HDR_START_NET ||
	    (start == BPF_HDR_START_MAC && !skb->has_mac) ||
	    base + off + len > skb->len)
		err = load_fail(to, len, "R-HLP-13", run->st);
	else
		memcpy(to, skb->buf + base + off, len);
	if (err == 0)
		rp_rule(run->st, "R-HLP-13", 0);
	return ret_err(run, err);
}

/* bpf_get_socket_cookie(): SK_REUSEPORT's takes ctx->sk or migrating_sk
 * (or NULL: 0); a socket filter's the skb's socket, NULL during the
 * lookup (R-HLP-14). */
static bool
h_get_socket_cookie(struct rp_bpf_run *run)
{
	const struct rp_breg *r = &run->r[1];

	if (run->prog_type != RP_PROG_SK_REUSEPORT)
		return arg_ctx(run, 1) && ret(run, 0);
	if (r->t == RP_BPF_REG_SCALAR && r->v == 0)
		return ret(run, 0);
	if (r->t != RP_BPF_REG_SOCK || r->v != 0)
		return rp_bpf_fault(run, "R-HLP-14", "bpf_get_socket_cookie "
		    "needs ctx->sk or ctx->migrating_sk");
	rp_rule(run->st, "R-HLP-14", 0);
	return ret(run, rp_sock_gen_cookie(run->st, r->obj));
}

/* bpf_get_socket_uid(skb): skb->sk is NULL during the lookup (socket
 * filters only). */
static bool
h_get_socket_uid(struct rp_bpf_run *run)
{
	return arg_ctx(run, 1) && ret(run, OVERFLOWUID);
}

/* ---------------------------------------------------------------------
 * The machine: randomness, CPU, clock, trace
 */

/* splitmix64: the state's generator behind bpf_get_prandom_u32(). */
uint32_t
rp_bpf_prandom(struct rp_state *st)
{
	uint64_t z = (st->rng[0] += UINT64_C(0x9e3779b97f4a7c15));

	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return (uint32_t)((z ^ (z >> 31)) >> 32);
}

static bool
h_prandom(struct rp_bpf_run *run)
{
	rp_rule(run->st, "R-HLP-15", 0);
	return ret(run, rp_bpf_prandom(run->st));
}

static bool
h_cpu(struct rp_bpf_run *run)
{
	rp_rule(run->st, "R-HLP-16", 0);
	return ret(run, run->st->cpu);
}

static bool
h_numa(struct rp_bpf_run *run)
{
	return ret(run, 0);	/* a single-node machine (R-CRE-4b) */
}

static bool
h_ktime(struct rp_bpf_run *run)
{
	rp_rule(run->st, "R-HLP-17", 0);
	return ret(run, run->st->clock_ns);
}

/* One conversion of bpf_trace_printk()'s format; false: -EINVAL. */
static bool
printk_conv(struct rp_bpf_run *run, const char *fmt, size_t *i, size_t n,
    GString *out, const uint64_t *args, unsigned *nargs, unsigned max,
    bool regs)
{
	unsigned l = 0;
	uint64_t a;
	char c;

	(*i)++;
	if (*i < n && fmt[*i] == '%') {
		g_string_append_c(out, '%');
		return true;
	}
	while (*i < n && fmt[*i] == 'l' && l < 2) {
		l++;
		(*i)++;
	}
	/* KERNEL: bpf_bprintf_prepare(): at most the arguments given (3
	 * for bpf_trace_printk(), data_len / 8 for bpf_trace_vprintk()) */
	if (*i >= n || *nargs >= max)
		return false;
	c = fmt[*i];
	/* KERNEL: bpf_bprintf_prepare() reads an argument register only
	 * for a conversion; one the program never wrote holds whatever the
	 * kernel left there, a value the model cannot know */
	if (regs && run->r[3 + *nargs].t == RP_BPF_REG_NONE)
		return rp_bpf_fault(run, "R-HLP-18", "argument r%u of "
		    "bpf_trace_printk, which the format's conversion %u "
		    "prints, is read before it is written", 3 + *nargs,
		    *nargs + 1);
	a = args[(*nargs)++];
	if (l == 0 && c != 's' && c != 'c')
		a = c == 'd' || c == 'i' ? (uint64_t)(int64_t)(int32_t)a :
		    (uint32_t)a;
	switch (c) {
	case 'd':
	case 'i':
		g_string_append_printf(out, "%" G_GINT64_FORMAT, (int64_t)a);
		return true;
	case 'u':
		g_string_append_printf(out, "%" G_GUINT64_FORMAT, a);
		return true;
	case 'x':
		g_string_append_printf(out, "%" G_GINT64_MODIFIER "x", a);
		return true;
	case 'X':
		g_string_append_printf(out, "%" G_GINT64_MODIFIER "X", a);
		return true;
	case 'c':
		if (l != 0)
			return false;
		g_string_append_c(out, (char)a);
		return true;
	case 's': {
		/* a string in the program's own memory */
		const struct rp_breg *r = &run->r[2 + *nargs];
		const uint8_t *p;

		/* bpf_trace_vprintk()'s strings are addresses in its data
		 * array: not modelled (-EINVAL) */
		if (l != 0 || !regs || r->t == RP_BPF_REG_SCALAR)
			return false;
		for (int64_t k = 0; k < 1024; k++) {
			p = rp_bpf_mem(run, r, k, 1, false, "a %s argument");
			if (p == NULL)
				return false;
			if (*p == '\0')
				break;
			g_string_append_c(out, (char)*p);
		}
		return true;
	}
	default:
		return false;	/* %p and the rest: not modelled */
	}
}

/*
 * The message of bpf_trace_printk() and bpf_trace_vprintk() (R-HLP-18):
 * the format's n bytes with each conversion of at most max arguments (regs:
 * they are r3-r5, which a conversion may find never written), into the
 * trace; r0 its length, or -EINVAL for a conversion the kernel refuses.
 */
static bool
printk_out(struct rp_bpf_run *run, const char *fmt, size_t n,
    const uint64_t *args, unsigned max, bool regs)
{
	g_autoptr(GString) out = g_string_new(NULL);
	unsigned nargs = 0;

	for (size_t i = 0; i < n; i++) {
		if (fmt[i] != '%') {
			g_string_append_c(out, fmt[i]);
			continue;
		}
		if (run->fault)
			return false;
		if (!printk_conv(run, fmt, &i, n, out, args, &nargs, max,
		    regs)) {
			if (run->fault)
				return false;
			return ret_err(run, rp_rule(run->st, "R-HLP-18",
			    -EINVAL));
		}
	}
	if (run->trace)
		rp_bpf_emit(run, &(struct rp_bpf_event){ .kind =
		    RP_BPF_EV_PRINTK, .text = out->str });
	rp_rule(run->st, "R-HLP-18", 0);
	return ret(run, out->len);
}

/* bpf_trace_printk(fmt, fmt_size, a1, a2, a3) (R-HLP-18): the text goes
 * to the observer; r0 = its length, or -EINVAL for a bad format. */
static bool
h_trace_printk(struct rp_bpf_run *run)
{
	uint64_t args[3] = { run->r[3].v, run->r[4].v, run->r[5].v };
	const char *fmt;
	uint32_t size = 0;
	size_t n;

	if (!arg_size(run, 2, &size))
		return false;
	fmt = (const char *)rp_bpf_mem(run, &run->r[1], 0, size, false,
	    "the format");
	if (fmt == NULL)
		return false;
	/* KERNEL: bpf_trace_printk(): until 5.13 the last byte must be NUL;
	 * 5.13+ (bpf_bprintf_prepare()): a NUL within */
	n = strnlen(fmt, size);
	if (n == size || (run->st->prof->bpf_version < RP_KVER(5, 13) &&
	    fmt[size - 1] != '\0'))
		return ret_err(run, rp_rule(run->st, "R-HLP-18", -EINVAL));
	return printk_out(run, fmt, n, args, 3, true);
}

/* bpf_trace_vprintk(fmt, fmt_size, data, data_len) (R-HLP-18): libbpf's
 * bpf_printk() with more than three arguments; they come as an array of
 * u64 in program memory. */
static bool
h_trace_vprintk(struct rp_bpf_run *run)
{
	uint64_t args[12] = { 0 }, len = 0;
	const uint8_t *data;
	const char *fmt;
	uint32_t size = 0;
	size_t n;

	if (!arg_size(run, 2, &size) || !arg_scalar(run, 4, &len))
		return false;
	fmt = (const char *)rp_bpf_mem(run, &run->r[1], 0, size, false,
	    "the format");
	if (fmt == NULL)
		return false;
	/* KERNEL: bpf_trace_vprintk(): data_len a multiple of 8, at most
	 * MAX_BPRINTF_VARARGS (12) arguments, data given when it is not 0 */
	if ((len & 7) != 0 || len > sizeof(args) || (len > 0 &&
	    run->r[3].t == RP_BPF_REG_SCALAR && run->r[3].v == 0))
		return ret_err(run, rp_rule(run->st, "R-HLP-18", -EINVAL));
	if (len > 0) {
		data = rp_bpf_mem(run, &run->r[3], 0, (uint32_t)len, false,
		    "the arguments");
		if (data == NULL)
			return false;
		memcpy(args, data, (size_t)len);
	}
	/* KERNEL: bpf_bprintf_prepare(): a NUL within the format */
	n = strnlen(fmt, size);
	if (n == size)
		return ret_err(run, rp_rule(run->st, "R-HLP-18", -EINVAL));
	return printk_out(run, fmt, n, args, (unsigned)(len / 8), false);
}

/* ---------------------------------------------------------------------
 * The table
 */

#define CAP_PERF	(RP_CAP_PERFMON | RP_CAP_SYS_ADMIN)
#define CAP_BPF_	(RP_CAP_BPF | RP_CAP_SYS_ADMIN)

static const struct rp_bpf_helper helpers[] = {
	/* bpf_base_func_proto(): everyone */
	{ 1, "map_lookup_elem", P_BOTH, ALWAYS, 0, 2, true, h_map_lookup, "R-HLP-7" },
	{ 2, "map_update_elem", P_BOTH, ALWAYS, 0, 4, true, h_map_update, "R-HLP-8" },
	{ 3, "map_delete_elem", P_BOTH, ALWAYS, 0, 2, true, h_map_delete, "R-HLP-9" },
	{ 7, "get_prandom_u32", P_BOTH, ALWAYS, 0, 0, false, h_prandom, "R-HLP-15" },
	{ 8, "get_smp_processor_id", P_BOTH, ALWAYS, 0, 0, false, h_cpu, "R-HLP-16" },
	{ 42, "get_numa_node_id", P_BOTH, ALWAYS, 0, 0, false, h_numa, "R-HLP-16" },
	{ 12, "tail_call", P_BOTH, ALWAYS, 0, 3, true, NULL, NULL },
	{ 5, "ktime_get_ns", P_BOTH, ALWAYS, 0, 0, false, h_ktime, "R-HLP-17" },
	/* trace_printk needs CAP_SYS_ADMIN until 5.8, CAP_PERFMON after */
	/* KERNEL: bpf_trace_printk_proto declares the format and its size
	 * only: r3-r5 are ARG_DONTCARE, which check_func_arg() does not
	 * read, so bpf_printk("text") (two arguments) loads */
	{ 6, "trace_printk", P_BOTH, 0, V(5, 8), RP_CAP_SYS_ADMIN, 2, false,
	    h_trace_printk, "R-HLP-18" },
	{ 6, "trace_printk", P_BOTH, SINCE(5, 8), CAP_PERF, 2, false,
	    h_trace_printk, "R-HLP-18" },
	/* KERNEL: bpf_base_func_proto(): bpf_trace_vprintk since 5.16,
	 * with CAP_PERFMON; four declared arguments */
	{ 177, "trace_vprintk", P_BOTH, SINCE(5, 16), CAP_PERF, 4, false,
	    h_trace_vprintk, "R-HLP-18" },
	/* later bpf_base_func_proto(), without a capability */
	{ 87, "map_push_elem", P_BOTH, SINCE(4, 20), 0, 3, true, NULL, NULL },
	{ 88, "map_pop_elem", P_BOTH, SINCE(4, 20), 0, 2, true, NULL, NULL },
	{ 89, "map_peek_elem", P_BOTH, SINCE(4, 20), 0, 2, true, NULL, NULL },
	{ 195, "map_lookup_percpu_elem", P_BOTH, SINCE(5, 19), 0, 3, true,
	    h_map_lookup_percpu, "R-HLP-7" },
	{ 125, "ktime_get_boot_ns", P_BOTH, SINCE(5, 8), 0, 0, false, h_ktime,
	    "R-HLP-17" },
	{ 208, "ktime_get_tai_ns", P_BOTH, SINCE(6, 1), 0, 0, false, h_ktime,
	    "R-HLP-17" },
	/* KERNEL: bpf_base_func_proto() (5.8), before its capability test */
	{ 130, "ringbuf_output", P_BOTH, SINCE(5, 8), 0, 4, true,
	    h_ringbuf_output, "R-RB-2" },
	{ 131, "ringbuf_reserve", P_BOTH, SINCE(5, 8), 0, 3, true,
	    h_ringbuf_reserve, "R-RB-3" },
	{ 132, "ringbuf_submit", P_BOTH, SINCE(5, 8), 0, 2, true,
	    h_ringbuf_submit, "R-RB-3" },
	{ 133, "ringbuf_discard", P_BOTH, SINCE(5, 8), 0, 2, true,
	    h_ringbuf_discard, "R-RB-3" },
	{ 134, "ringbuf_query", P_BOTH, SINCE(5, 8), 0, 2, false,
	    h_ringbuf_query, "R-RB-4" },
	/* KERNEL: bpf_sk_storage_get_proto, bpf_sk_storage_delete_proto
	 * (5.2) are in neither sk_reuseport_func_proto() nor
	 * sk_filter_func_proto() nor bpf_base_func_proto(): offered to
	 * neither type in any profile.  Measured on 6.18: "program of this
	 * type cannot use helper bpf_sk_storage_get#107" */
	{ 107, "sk_storage_get", 0, ALWAYS, 0, 4, true, NULL, NULL },
	{ 108, "sk_storage_delete", 0, ALWAYS, 0, 2, true, NULL, NULL },
	{ 182, "strncmp", P_BOTH, SINCE(5, 17), 0, 3, false, NULL, NULL },
	/* 6.10 (eb166e522c77) for pid_tgid; uid_gid assumed alike */
	{ 14, "get_current_pid_tgid", P_BOTH, SINCE(6, 10), 0, 0, false, NULL,
	    NULL },
	{ 15, "get_current_uid_gid", P_BOTH, SINCE(6, 10), 0, 0, false, NULL,
	    NULL },
	/* with CAP_BPF (5.8; CAP_SYS_ADMIN before, which has CAP_BPF's
	 * place in the model's capability test) */
	{ 93, "spin_lock", P_BOTH, SINCE(5, 1), CAP_BPF_, 1, true, NULL, NULL },
	{ 94, "spin_unlock", P_BOTH, SINCE(5, 1), CAP_BPF_, 1, true, NULL, NULL },
	{ 118, "jiffies64", P_BOTH, SINCE(5, 5), CAP_BPF_, 0, false, NULL, NULL },
	{ 164, "for_each_map_elem", P_BOTH, SINCE(5, 13), CAP_BPF_, 4, true,
	    NULL, NULL },
	{ 181, "loop", P_BOTH, SINCE(5, 17), CAP_BPF_, 4, false, NULL, NULL },
	/* sk_reuseport_func_proto() */
	{ 82, "sk_select_reuseport", P_REUSEPORT, ALWAYS, 0, 4, true,
	    h_sk_select_reuseport, "R-HLP-4" },
	{ 26, "skb_load_bytes", P_BOTH, ALWAYS, 0, 4, false, h_skb_load_bytes,
	    "R-HLP-12" },
	{ 68, "skb_load_bytes_relative", P_BOTH, ALWAYS, 0, 5, false,
	    h_skb_load_bytes_rel, "R-HLP-13" },
	/* 5.14, with ctx->sk (the socket migration series) */
	{ 46, "get_socket_cookie", P_REUSEPORT, SINCE(5, 14), 0, 1, true,
	    h_get_socket_cookie, "R-HLP-14" },
	/* 5.11 (d05512618056) */
	{ 160, "ktime_get_coarse_ns", P_BOTH, SINCE(5, 11), 0, 0, false,
	    h_ktime, "R-HLP-17" },
	/* sk_filter_func_proto() */
	{ 46, "get_socket_cookie", P_FILTER, ALWAYS, 0, 1, false,
	    h_get_socket_cookie, "R-HLP-14" },
	{ 47, "get_socket_uid", P_FILTER, ALWAYS, 0, 1, false, h_get_socket_uid,
	    NULL },
	{ 25, "perf_event_output", P_FILTER, ALWAYS, 0, 5, false, NULL, NULL },
};

const char *
rp_bpf_helper_name(int32_t id)
{
	static char buf[32];

	for (size_t i = 0; i < G_N_ELEMENTS(helpers); i++)
		if (helpers[i].id == id)
			return helpers[i].name;
	g_snprintf(buf, sizeof(buf), "helper_%d", id);
	return buf;
}

/* The entry for id as offered to a program of prog_type in profile prof,
 * or the first entry of that id (it is not offered), or NULL. */
static const struct rp_bpf_helper *
find(const struct rp_profile *prof, uint32_t prog_type, int32_t id,
    bool *offered)
{
	unsigned prog = prog_type == RP_PROG_SK_REUSEPORT ? P_REUSEPORT :
	    P_FILTER;
	unsigned ver = prof->bpf_version;
	const struct rp_bpf_helper *any = NULL;

	*offered = false;
	for (size_t i = 0; i < G_N_ELEMENTS(helpers); i++) {
		const struct rp_bpf_helper *h = &helpers[i];

		if (h->id != id)
			continue;
		if ((h->progs & prog) && ver >= h->since &&
		    (h->until == 0 || ver < h->until)) {
			*offered = true;
			return h;
		}
		if (any == NULL)
			any = h;
	}
	return any;
}

/* What a CALL of id resolves to at load (NULL: not offered; the call
 * then looks again and faults with the reason). */
const struct rp_bpf_helper *
rp_bpf_helper_find(const struct rp_profile *prof, uint32_t prog_type,
    int32_t id)
{
	bool offered;
	const struct rp_bpf_helper *h = find(prof, prog_type, id, &offered);

	return offered ? h : NULL;
}

/*
 * Call helper id (h: as resolved at load, or NULL) from the current
 * instruction: r0 gets its result and r1-r5 are clobbered.  False after
 * a fault.
 */
/* The CALL event (the registers) or the RET event (r0): apart, so that
 * a run without an observer does not pay for their frame. */
static G_GNUC_NO_INLINE void
call_event(struct rp_bpf_run *run, int32_t id, const struct rp_bpf_helper *h,
    enum rp_bpf_event_kind kind)
{
	struct rp_bpf_reg regs[11];

	if (kind == RP_BPF_EV_CALL) {
		for (unsigned i = 0; i < 11; i++)
			rp_bpf_reg_view(&run->r[i], &regs[i]);
		rp_bpf_emit(run, &(struct rp_bpf_event){ .kind = kind,
		    .helper = id, .name = h->name, .regs = regs,
		    .rule = h->rule });
		return;
	}
	for (unsigned i = 0; i < 11; i++)
		rp_bpf_reg_view(&run->r[i], &regs[i]);
	rp_bpf_emit(run, &(struct rp_bpf_event){ .kind = kind, .helper = id,
	    .name = h->name, .val = regs[0].val, .regs = regs,
	    .err = (int)(int64_t)regs[0].val, .rule = h->rule });
}

bool
rp_bpf_call(struct rp_bpf_run *run, int32_t id, const struct rp_bpf_helper *h)
{
	bool offered = h != NULL;

	if (h == NULL)
		h = find(run->st->prof, run->prog_type, id, &offered);

	if (h == NULL)
		return rp_bpf_fault(run, "R-EBPF-17", "helper %d: unknown to "
		    "the model", id);
	if (!offered) {
		/* R-PRG-6: the select helper is for SK_REUSEPORT only;
		 * R-PRG-7: what an SK_REUSEPORT program is offered */
		return rp_bpf_fault(run, id == 82 ? "R-PRG-6" :
		    run->prog_type == RP_PROG_SK_REUSEPORT ? "R-PRG-7" :
		    "R-EBPF-17", "bpf_%s is not offered to this program in "
		    "profile %s", h->name, run->st->prof->name);
	}
	if (h->cap != 0 && (run->code->caps & h->cap) == 0)
		return rp_bpf_fault(run, "R-EBPF-17", "bpf_%s needs a "
		    "capability the loader lacked", h->name);
	if (h->fn == NULL)
		return rp_bpf_fault(run, "R-EBPF-17", "bpf_%s is offered by the "
		    "kernel but not modelled", h->name);
	/* KERNEL: check_func_arg(): every declared argument is read */
	for (unsigned i = 1; i <= h->nargs; i++)
		if (run->r[i].t == RP_BPF_REG_NONE)
			return rp_bpf_fault(run, "R-EBPF-10", "argument r%u of "
			    "bpf_%s is read before it is written", i, h->name);
	if (run->trace)
		call_event(run, id, h, RP_BPF_EV_CALL);
	if (h->shared)
		rp_sched_point(run->st, RP_SP_BPF_HELPER, (unsigned)id);
	if (!h->fn(run))
		return false;
	for (unsigned i = 1; i <= 5; i++)
		run->r[i].t = RP_BPF_REG_NONE;
	if (run->trace)
		call_event(run, id, h, RP_BPF_EV_RET);
	return true;
}

/* ---------------------------------------------------------------------
 * State settings
 */

void
rp_state_set_seed(struct rp_state *st, uint64_t seed)
{
	g_return_if_fail(st != NULL);
	st->rng[0] = seed;
}

void
rp_state_set_clock(struct rp_state *st, uint64_t ns)
{
	g_return_if_fail(st != NULL);
	st->clock_ns = ns;
}

uint64_t
rp_state_clock(const struct rp_state *st)
{
	g_return_val_if_fail(st != NULL, 0);
	return st->clock_ns;
}
