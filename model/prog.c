/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * prog.c - programs as data: BPF_PROG_LOAD of SK_REUSEPORT and
 * SOCKET_FILTER programs built from a policy, the verifier's map/helper
 * compatibility check (check_map_func_compatibility()), and the socket
 * options that attach them to a group: SO_ATTACH_REUSEPORT_CBPF,
 * SO_ATTACH_REUSEPORT_EBPF (sk_reuseport_attach_filter/bpf(),
 * net/core/filter.c) and SO_DETACH_REUSEPORT_BPF.
 */
#include <errno.h>
#include <string.h>

#include "rp-int.h"

void
rp_prog_get(struct rp_prog *prog)
{
	prog->refs++;
}

static void
prog_free(struct rp_state *st, struct rp_prog *prog)
{
	rp_dirty_prog(st, prog);
	st->progs->pdata[prog->id] = NULL;
	/* KERNEL: __bpf_prog_put_rcu(): bpf_prog_uncharge_memlock() */
	if (prog->memlock != 0)
		rp_memlock_add(st, prog->charged_uid, prog->memlock, -1);
	if (prog->map != NULL)
		rp_map_put(st, prog->map);
	if (prog->migrate != NULL)
		g_hash_table_unref(prog->migrate);
	rp_bpf_code_free(st, prog->code);
	if (prog->ccode != NULL) {
		g_free(prog->ccode->insns);
		g_free(prog->ccode);
	}
	g_free(prog);
}

/* Drop a reference; the last one frees the program and its map reference. */
void
rp_prog_put(struct rp_state *st, struct rp_prog *prog)
{
	g_assert(prog->refs > 0);	/* LCOV_EXCL_BR_LINE */
	if (--prog->refs == 0)
		prog_free(st, prog);
}

struct rp_prog *
rp_prog_new(struct rp_state *st, enum rp_prog_kind kind)
{
	struct rp_prog *prog = g_new0(struct rp_prog, 1);

	prog->id = st->progs->len;
	prog->kind = kind;
	prog->refs = 1;
	g_ptr_array_add(st->progs, prog);
	return prog;
}

/*
 * What BPF_PROG_LOAD charges to RLIMIT_MEMLOCK until 5.10 (memlock_rlimit):
 * the program's allocation, its header and 8 bytes an instruction, in whole
 * pages (R-PRG-8).  A policy program is the few dozen instructions
 * core/bpfgen.c writes: one page.
 */
#define RP_PROG_HDR	72	/* sizeof(struct bpf_prog) before insns[], modelled */
#define RP_POLICY_INSNS	128	/* at most, for any policy */

static uint64_t
prog_charge_bytes(const struct rp_prog_insns_attr *ia)
{
	return RP_PROG_HDR + 8 * (uint64_t)(ia != NULL ? ia->insn_cnt :
	    RP_POLICY_INSNS);
}

/* Charge a new program's pages to p's user (the limit was checked in
 * prog_load()); given back in prog_free(). */
static void
prog_charge(struct rp_state *st, const struct rp_proc *p,
    struct rp_prog *prog, const struct rp_prog_insns_attr *ia)
{
	if (!st->prof->memlock_rlimit)
		return;
	prog->charged_uid = p->uid;
	prog->memlock = prog_charge_bytes(ia);
	rp_memlock_add(st, p->uid, prog->memlock, 1);
}

/* bpf_prog_get(): the program behind fd with a new reference. */
struct rp_prog *
rp_prog_from_fd(struct rp_state *st, struct rp_proc *p, int fd, int *err)
{
	struct rp_file *f = rp_fd_get(st, p, fd);
	struct rp_prog *prog;

	if (f == NULL) {
		*err = -EBADF;
		return NULL;
	}
	if (f->kind != RP_FILE_PROG) {
		rp_file_put(st, f);
		*err = -EINVAL;
		return NULL;
	}
	prog = f->u.prog;
	rp_prog_get(prog);
	rp_file_put(st, f);
	return prog;
}

/* The verifier: may this map be passed to bpf_sk_select_reuseport()? */
static bool
select_map_ok(const struct rp_state *st, uint32_t type)
{
	if (type == RP_MAP_REUSEPORT_SOCKARRAY)
		return true;
	return st->prof->sockmap_select &&
	    (type == RP_MAP_SOCKMAP || type == RP_MAP_SOCKHASH);
}

/*
 * The verifier: may a program call bpf_map_lookup_elem() on a map of
 * this type?  check_map_func_compatibility() lists the helpers each map
 * type takes: a REUSEPORT_SOCKARRAY only bpf_sk_select_reuseport(), a
 * ring buffer only the ringbuf helpers, a SOCKMAP or SOCKHASH a lookup
 * from 5.7 (with the selection from them, sockmap_select); value maps
 * every map helper.
 */
static bool
prog_lookup_ok(const struct rp_state *st, uint32_t type)
{
	switch (type) {
	case RP_MAP_REUSEPORT_SOCKARRAY:
	case RP_MAP_RINGBUF:
		return false;
	case RP_MAP_SOCKMAP:
	case RP_MAP_SOCKHASH:
		return st->prof->sockmap_select;
	default:
		return true;
	}
}

static int
verify_policy(struct rp_state *st, const struct rp_prog_attr *attr,
    struct rp_map *m)
{
	const struct rp_policy *pol = &attr->policy;
	uint32_t type;

	/* KERNEL: 4.19's context has no sk/migrating_sk and no
	 * bpf_get_socket_cookie(): the verifier refuses the access */
	if (!st->prof->expected_attach &&
	    (pol->key_src == RP_KEY_MIGRATE || pol->migrate_only))
		return rp_rule(st, "R-CTX-5", -EACCES);
	if (m == NULL)
		return pol->always_drop || pol->always_pass ||
		    pol->migrate_only ? 0 :
		    rp_rule(st, "R-PRG-2", -EACCES);
	if (pol->via_outer) {
		if (m->type != RP_MAP_ARRAY_OF_MAPS &&
		    m->type != RP_MAP_HASH_OF_MAPS)
			/* KERNEL: a lookup the map refuses is
			 * check_map_func_compatibility()'s -EINVAL; one it
			 * takes yields a value or a socket, which
			 * check_func_arg() refuses as the helper's map
			 * argument: -EACCES (measured on 5.10 and 6.18) */
			return rp_rule(st, "R-PRG-3", prog_lookup_ok(st,
			    m->type) ? -EACCES : -EINVAL);
		type = m->inner_type;
	} else {
		type = m->type;
	}
	/* KERNEL: check_map_func_compatibility(): a sockarray goes only to
	 * bpf_sk_select_reuseport() */
	if (pol->bad_helper)
		return rp_rule(st, "R-PRG-1", -EINVAL);
	if (!select_map_ok(st, type))
		return rp_rule(st, "R-PRG-2", -EINVAL);
	if (pol->key_src == RP_KEY_PAYLOAD &&
	    (pol->width != 1 && pol->width != 2 && pol->width != 4))
		return -EINVAL;
	return 0;
}

/* The rest of BPF_PROG_LOAD for an instruction program (R-EBPF-1). */
static int
load_insns(struct rp_state *st, struct rp_proc *p,
    const struct rp_prog_insns_attr *ia, uint32_t eat)
{
	struct rp_bpf_code *code = NULL;
	struct rp_prog *prog;
	int err;

	err = rp_bpf_load(st, p, ia->prog_type, ia->insns, ia->insn_cnt, &code);
	if (err != 0)
		return err;
	prog = rp_prog_new(st, ia->prog_type == RP_PROG_SK_REUSEPORT ?
	    RP_PROGK_SK_REUSEPORT : RP_PROGK_CBPF);
	prog->expected_attach_type = eat;
	prog->code = code;
	prog_charge(st, p, prog, ia);
	err = rp_fd_install(p, rp_file_new(RP_FILE_PROG, prog));
	if (err < 0)
		rp_prog_put(st, prog);	/* LCOV_EXCL_LINE */
	if (err >= 0)
		rp_rule(st, "R-EBPF-1", 0);
	return err;
}

/*
 * BPF_PROG_LOAD of a policy (ia NULL) or of instructions (ia; attr then
 * gives only the type and the expected attach type).
 */
static int
prog_load(struct rp_state *st, unsigned proc, const struct rp_prog_attr *attr,
    const struct rp_prog_insns_attr *ia)
{
	struct rp_proc *p = rp_proc_get(st, proc);
	struct rp_map *m = NULL;
	struct rp_file *mf = NULL;
	struct rp_prog *prog;
	uint32_t eat;
	int err;

	if (p == NULL)
		return -ESRCH;
	/* KERNEL: __sys_bpf(), as in rp_map_create() */
	if (st->prof->unpriv_gate != RP_UNPRIV_GATE_CREATE_CENTRAL &&
	    st->unpriv_bpf_disabled && !rp_capable(p, rp_unpriv_caps(st->prof)))
		return rp_rule(st, "R-CRE-0", -EPERM);
	if (ia != NULL) {
		bool bpf_cap = rp_capable(p, RP_CAP_BPF | RP_CAP_SYS_ADMIN);
		uint32_t limit = 4096;	/* BPF_MAXINSNS */

		/* KERNEL: bpf_prog_load(): 6.5+ checks the sysctl here,
		 * then the count (BPF_COMPLEXITY_LIMIT_INSNS with CAP_BPF),
		 * before the program type's capability; before 6.5 the
		 * sysctl was checked at bpf() entry (above) */
		if (st->prof->unpriv_gate == RP_UNPRIV_GATE_CREATE_CENTRAL &&
		    st->unpriv_bpf_disabled && !bpf_cap)
			return rp_rule(st, "R-PRG-4", -EPERM);
		if (st->prof->bpf_insn_limit > limit && bpf_cap)
			limit = st->prof->bpf_insn_limit;
		if (ia->insn_cnt == 0 || ia->insn_cnt > limit)
			return rp_rule(st, "R-EBPF-1", -E2BIG);
	}
	if (attr->prog_type != RP_PROG_SK_REUSEPORT &&
	    attr->prog_type != RP_PROG_SOCKET_FILTER)
		return -EINVAL;
	/* KERNEL: SK_REUSEPORT needs CAP_SYS_ADMIN (4.19) / CAP_BPF (5.8+) */
	if (attr->prog_type == RP_PROG_SK_REUSEPORT) {
		uint64_t need = st->prof->prog_cap_bpf ?
		    RP_CAP_BPF | RP_CAP_SYS_ADMIN : RP_CAP_SYS_ADMIN;

		if (!rp_capable(p, need))
			return rp_rule(st, "R-PRG-4", -EPERM);
	} else if (st->unpriv_bpf_disabled &&
	    !rp_capable(p, RP_CAP_BPF | RP_CAP_SYS_ADMIN)) {
		return rp_rule(st, "R-PRG-4", -EPERM);
	}
	/* KERNEL: bpf_prog_load_fixup_attach_type() and
	 * bpf_prog_load_check_attach() (5.14+) */
	eat = attr->expected_attach_type;
	if (attr->prog_type == RP_PROG_SK_REUSEPORT && st->prof->expected_attach) {
		if (eat == 0)
			eat = RP_ATTACH_SK_REUSEPORT_SELECT;
		if (eat != RP_ATTACH_SK_REUSEPORT_SELECT &&
		    eat != RP_ATTACH_SK_REUSEPORT_SELECT_OR_MIGRATE)
			return rp_rule(st, "R-PRG-5", -EINVAL);
	} else if (!st->prof->expected_attach) {
		eat = 0;
	}
	/* KERNEL: bpf_prog_load(): until 5.10, bpf_prog_charge_memlock()
	 * after the attach-type checks, before the map fds and the verifier
	 * (R-PRG-8); the charge is taken when the program is made, below:
	 * nothing in between can fail for another reason and keep it */
	if (st->prof->memlock_rlimit &&
	    rp_memlock_over(st, p, prog_charge_bytes(ia)))
		return rp_rule(st, "R-PRG-8", -EPERM);
	if (ia != NULL)
		return load_insns(st, p, ia, eat);
	if (attr->map_fd >= 0) {
		mf = rp_fd_get(st, p, attr->map_fd);
		if (mf == NULL)
			return -EBADF;
		if (mf->kind != RP_FILE_MAP) {
			rp_file_put(st, mf);
			return -EINVAL;
		}
		m = mf->u.map;
	}
	if (attr->prog_type == RP_PROG_SOCKET_FILTER && m != NULL) {
		/* KERNEL: bpf_sk_select_reuseport() is not offered to
		 * SOCKET_FILTER programs */
		rp_file_put(st, mf);
		return rp_rule(st, "R-PRG-6", -EINVAL);
	}
	if (attr->prog_type == RP_PROG_SK_REUSEPORT) {
		err = verify_policy(st, attr, m);
		if (err != 0) {
			if (mf != NULL)
				rp_file_put(st, mf);
			return err;
		}
	}
	prog = rp_prog_new(st, attr->prog_type == RP_PROG_SK_REUSEPORT ?
	    RP_PROGK_SK_REUSEPORT : RP_PROGK_CBPF);
	prog->expected_attach_type = eat;
	prog->pol = attr->policy;
	prog_charge(st, p, prog, NULL);
	if (prog->kind == RP_PROGK_CBPF) {
		/* a SOCKET_FILTER eBPF program returns an index, like cBPF */
		prog->cbpf.payload_index = attr->policy.key_src ==
		    RP_KEY_PAYLOAD;
		prog->cbpf.k = attr->policy.key_const;
		prog->cbpf.off = attr->policy.off;
		prog->cbpf.mod = attr->policy.hash_mod;
	}
	if (m != NULL && prog->kind == RP_PROGK_SK_REUSEPORT) {
		prog->map = m;
		m->refs++;	/* used_maps */
	}
	if (mf != NULL)
		rp_file_put(st, mf);
	err = rp_fd_install(p, rp_file_new(RP_FILE_PROG, prog));
	if (err < 0)
		rp_prog_put(st, prog);	/* LCOV_EXCL_LINE */
	return err;
}

int
rp_prog_load(struct rp_state *st, unsigned proc,
    const struct rp_prog_attr *attr)
{
	g_return_val_if_fail(attr != NULL, -EFAULT);
	return prog_load(st, proc, attr, NULL);
}

int
rp_prog_load_insns(struct rp_state *st, unsigned proc,
    const struct rp_prog_insns_attr *ia)
{
	struct rp_prog_attr attr;

	g_return_val_if_fail(ia != NULL && (ia->insns != NULL ||
	    ia->insn_cnt == 0), -EFAULT);
	memset(&attr, 0, sizeof(attr));
	attr.prog_type = ia->prog_type;
	attr.expected_attach_type = ia->expected_attach_type;
	attr.map_fd = -1;
	return prog_load(st, proc, &attr, ia);
}

int
rp_prog_migrate_set(struct rp_state *st, unsigned proc, int progfd,
    uint64_t cookie, uint32_t key)
{
	struct rp_proc *p = rp_proc_get(st, proc);
	struct rp_prog *prog;
	int err = 0;

	if (p == NULL)
		return -ESRCH;
	prog = rp_prog_from_fd(st, p, progfd, &err);
	if (prog == NULL)
		return err;
	if (prog->migrate == NULL)
		prog->migrate = g_hash_table_new_full(g_int64_hash,
		    g_int64_equal, g_free, NULL);
	g_hash_table_insert(prog->migrate, g_memdup2(&cookie, sizeof(cookie)),
	    GUINT_TO_POINTER(key));
	rp_prog_put(st, prog);
	return 0;
}

/* How an attach makes its program: a new reference, or NULL with *err
 * set and its rule recorded. */
typedef struct rp_prog *(*attach_make_fn)(struct rp_state *st,
    unsigned proc, const struct rp_sock *sk, const void *arg, int *err);

/*
 * SO_ATTACH_REUSEPORT_CBPF (the shorthand or instructions) and _EBPF on
 * fd, what they share: the socket, make()'s program of arg, and its
 * attach to the socket's group; the program is put back when the attach
 * fails.
 */
static int
attach(struct rp_state *st, unsigned proc, int fd, attach_make_fn make,
    const void *arg)
{
	struct rp_file *f = NULL;
	struct rp_sock *sk;
	struct rp_prog *prog;
	int err = 0;

	sk = rp_sock_get(st, proc, fd, &f, &err);
	if (sk == NULL)
		return err;
	/* KERNEL: mptcp_setsockopt_sol_socket(): not an option MPTCP takes
	 * (R-SOCK-12) */
	if (sk->mptcp) {
		err = rp_rule(st, "R-SOCK-12", -EOPNOTSUPP);
		goto out;
	}
	prog = make(st, proc, sk, arg, &err);
	if (prog == NULL)
		goto out;
	err = rp_group_attach_prog(st, sk, prog);
	if (err != 0)
		rp_prog_put(st, prog);
out:
	rp_file_put(st, f);
	rp_state_quiesce(st);
	return err;
}

/* A new classic program of n instructions, or NULL with *err set when
 * it is too large for the profile. */
static struct rp_prog *
cbpf_new(struct rp_state *st, unsigned n, int *err)
{
	/* KERNEL: sk_reuseport_attach_filter(): bpf_prog_size() of the
	 * converted program must fit net.core.optmem_max (20480 until 6.1,
	 * 131072 by 6.12).  The model takes the classic length for the
	 * converted one (the conversion adds a prologue and expands some
	 * instructions: an approximation) */
	if (n > st->prof->cbpf_optmem_insns) {
		*err = rp_rule(st, "R-ATT-1", -ENOMEM);
		return NULL;
	}
	return rp_prog_new(st, RP_PROGK_CBPF);
}

/* sk_reuseport_attach_filter(): the program of the classic shorthand
 * arg (struct rp_cbpf). */
static struct rp_prog *
make_cbpf(struct rp_state *st, unsigned proc, const struct rp_sock *sk,
    const void *arg, int *err)
{
	const struct rp_cbpf *cbpf = arg;
	struct rp_prog *prog;
	unsigned insns;

	(void)proc;
	(void)sk;
	insns = cbpf->empty ? 0 : cbpf->insn_count != 0 ? cbpf->insn_count : 4;
	/* KERNEL: __get_filter()/bpf_check_classic(): 1..BPF_MAXINSNS */
	if (insns == 0 || insns > 4096) {
		*err = rp_rule(st, "R-ATT-1", -EINVAL);
		return NULL;
	}
	prog = cbpf_new(st, insns, err);
	if (prog != NULL)
		prog->cbpf = *cbpf;
	return prog;
}

/* SO_ATTACH_REUSEPORT_CBPF: sk_reuseport_attach_filter(). */
int
rp_attach_cbpf(struct rp_state *st, unsigned proc, int fd,
    const struct rp_cbpf *cbpf)
{
	g_return_val_if_fail(cbpf != NULL, -EFAULT);
	return attach(st, proc, fd, make_cbpf, cbpf);
}

/* The classic instructions of SO_ATTACH_REUSEPORT_CBPF. */
struct cbpf_insns {
	const struct rp_sock_filter *insns;
	unsigned	len;
};

/* sk_reuseport_attach_filter(): the program of classic instructions arg
 * (struct cbpf_insns). */
static struct rp_prog *
make_cbpf_insns(struct rp_state *st, unsigned proc, const struct rp_sock *sk,
    const void *arg, int *err)
{
	const struct cbpf_insns *c = arg;
	struct rp_prog *prog;

	(void)proc;
	(void)sk;
	*err = rp_cbpf_check(st, c->insns, c->len);
	if (*err != 0)
		return NULL;
	prog = cbpf_new(st, c->len, err);
	if (prog == NULL)
		return NULL;
	prog->ccode = g_new0(struct rp_cbpf_code, 1);
	prog->ccode->insns = g_memdup2(c->insns, (gsize)c->len *
	    sizeof(*c->insns));
	prog->ccode->len = c->len;
	prog->cbpf.insn_count = c->len;
	return prog;
}

/* SO_ATTACH_REUSEPORT_CBPF with instructions: sk_reuseport_attach_filter(). */
int
rp_attach_cbpf_insns(struct rp_state *st, unsigned proc, int fd,
    const struct rp_sock_filter *insns, unsigned len)
{
	const struct cbpf_insns c = { insns, len };

	return attach(st, proc, fd, make_cbpf_insns, &c);
}

/* sk_reuseport_attach_bpf(): the program behind fd *arg (an int), of a
 * type sk can run. */
static struct rp_prog *
make_ebpf(struct rp_state *st, unsigned proc, const struct rp_sock *sk,
    const void *arg, int *err)
{
	const int *progfd = arg;
	struct rp_prog *prog;

	prog = rp_prog_from_fd(st, rp_proc_get(st, proc), *progfd, err);
	if (prog == NULL) {
		rp_rule(st, "R-ATT-2", *err);
		return NULL;
	}
	if (prog->kind == RP_PROGK_SK_REUSEPORT &&
	    ((sk->type != RP_SOCK_STREAM && sk->type != RP_SOCK_DGRAM) ||
	    (sk->protocol != RP_IPPROTO_UDP && sk->protocol != RP_IPPROTO_TCP) ||
	    (sk->family != RP_AF_INET && sk->family != RP_AF_INET6))) {
		rp_prog_put(st, prog);
		*err = rp_rule(st, "R-ATT-3", -RP_ENOTSUPP);
		return NULL;
	}
	return prog;
}

/* SO_ATTACH_REUSEPORT_EBPF: sk_reuseport_attach_bpf(). */
int
rp_attach_ebpf(struct rp_state *st, unsigned proc, int fd, int progfd)
{
	return attach(st, proc, fd, make_ebpf, &progfd);
}

/* SO_DETACH_REUSEPORT_BPF (5.3+): ENOPROTOOPT before. */
int
rp_detach_bpf(struct rp_state *st, unsigned proc, int fd)
{
	struct rp_file *f = NULL;
	struct rp_sock *sk;
	int err = 0;

	sk = rp_sock_get(st, proc, fd, &f, &err);
	if (sk == NULL)
		return err;
	if (!st->prof->detach_bpf_opt)
		err = rp_rule(st, "R-ATT-6", -ENOPROTOOPT);
	else if (sk->mptcp)	/* as attach() */
		err = rp_rule(st, "R-SOCK-12", -EOPNOTSUPP);
	else
		err = rp_group_detach_prog(st, sk);
	rp_file_put(st, f);
	rp_state_quiesce(st);
	return err;
}
