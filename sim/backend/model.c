/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * model.c - the model backend: every backend operation is the
 * model call of the same name (rp.h), on one struct rp_state per open
 * backend.  It has the model-only query group as well.
 */
#include <errno.h>
#include <string.h>

#include "backend/model.h"
#include "core/error.h"

/* RP_NCPU_MAX of model/rp-int.h: rp.h does not say how many CPUs exist. */
#define MODEL_NCPU	256u

struct SimBackend {
	struct rp_state	*st;
};

/* A fresh model state for profile; NULL and error when it is unknown. */
static SimBackend *
model_open(const char *profile, GError **error)
{
	const struct rp_profile *prof = rp_profile_find(profile);
	SimBackend *b;

	if (prof == NULL) {
		g_set_error(error, SIM_ERROR, SIM_ERROR_INPUT,
		    "the model has no profile '%s'", profile);
		return NULL;
	}
	b = g_new0(SimBackend, 1);
	b->st = rp_state_new(prof);
	return b;
}

static void
model_close(SimBackend *b)
{
	if (b == NULL)
		return;
	rp_state_free(b->st);
	g_free(b);
}

static unsigned
model_sock_id(SimBackend *b, unsigned proc, int fd)
{
	return rp_fd_sock(b->st, proc, fd);
}

static unsigned
model_map_id(SimBackend *b, unsigned proc, int fd)
{
	return rp_fd_map(b->st, proc, fd);
}

static unsigned
model_prog_id(SimBackend *b, unsigned proc, int fd)
{
	return rp_fd_prog(b->st, proc, fd);
}

static int
model_netns_new(SimBackend *b)
{
	return rp_netns_new(b->st);
}

static int
model_proc_new(SimBackend *b, unsigned netns, uint32_t uid, uint64_t caps)
{
	return rp_proc_new(b->st, netns, uid, caps);
}

static int
model_proc_set_caps(SimBackend *b, unsigned proc, uint64_t caps)
{
	return rp_proc_set_caps(b->st, proc, caps);
}

static int
model_proc_set_memlock(SimBackend *b, unsigned proc, uint64_t bytes)
{
	return rp_proc_set_memlock(b->st, proc, bytes);
}

static int
model_sysctl_set(SimBackend *b, unsigned netns, const char *key, long val)
{
	return rp_sysctl_set(b->st, netns, key, val);
}

static int
model_set_cpu(SimBackend *b, unsigned cpu)
{
	if (cpu >= MODEL_NCPU)
		return -EINVAL;
	rp_state_set_cpu(b->st, cpu);
	return 0;
}

static int
model_dup(SimBackend *b, unsigned proc, int fd)
{
	return rp_fd_dup(b->st, proc, fd);
}

static int
model_pass(SimBackend *b, unsigned from, int fd, unsigned to)
{
	return rp_fd_pass(b->st, from, fd, to);
}

static int
model_close_fd(SimBackend *b, unsigned proc, int fd)
{
	return rp_close(b->st, proc, fd);
}

static int
model_socket(SimBackend *b, unsigned proc, int family, int type, int protocol)
{
	return rp_socket(b->st, proc, family, type, protocol);
}

static int
model_setsockopt(SimBackend *b, unsigned proc, int fd, enum rp_sockopt opt,
    int val)
{
	return rp_setsockopt_int(b->st, proc, fd, opt, val);
}

static int
model_bind(SimBackend *b, unsigned proc, int fd, const struct rp_sockaddr *sa)
{
	return rp_bind(b->st, proc, fd, sa);
}

static int
model_listen(SimBackend *b, unsigned proc, int fd, int backlog)
{
	return rp_listen(b->st, proc, fd, backlog);
}

static int
model_connect(SimBackend *b, unsigned proc, int fd,
    const struct rp_sockaddr *sa)
{
	return rp_connect(b->st, proc, fd, sa);
}

static int
model_shutdown(SimBackend *b, unsigned proc, int fd, int how)
{
	return rp_shutdown(b->st, proc, fd, how);
}

static int
model_accept(SimBackend *b, unsigned proc, int fd)
{
	return rp_accept(b->st, proc, fd);
}

static int
model_get_cookie(SimBackend *b, unsigned proc, int fd, uint64_t *cookie)
{
	return rp_getsockopt_cookie(b->st, proc, fd, cookie);
}

static int
model_getsockname(SimBackend *b, unsigned proc, int fd,
    struct rp_sockaddr *sa)
{
	return rp_getsockname(b->st, proc, fd, sa);
}

static int
model_set_foreign_owner(SimBackend *b, unsigned proc, int fd)
{
	return rp_set_foreign_owner(b->st, proc, fd);
}

static int
model_attach_cbpf(SimBackend *b, unsigned proc, int fd,
    const struct rp_cbpf *cbpf)
{
	return rp_attach_cbpf(b->st, proc, fd, cbpf);
}

static int
model_attach_cbpf_insns(SimBackend *b, unsigned proc, int fd,
    const struct rp_sock_filter *insns, unsigned len)
{
	return rp_attach_cbpf_insns(b->st, proc, fd, insns, len);
}

static int
model_attach_ebpf(SimBackend *b, unsigned proc, int fd, int progfd)
{
	return rp_attach_ebpf(b->st, proc, fd, progfd);
}

static int
model_detach_bpf(SimBackend *b, unsigned proc, int fd)
{
	return rp_detach_bpf(b->st, proc, fd);
}

static int
model_map_create(SimBackend *b, unsigned proc, const struct rp_map_attr *a)
{
	return rp_map_create(b->st, proc, a);
}

/*
 * A value map with an 8-byte key (keyed by socket cookie) takes the
 * scenario's 32-bit key zero-extended, through the byte API, as the kernel
 * backend fills its key buffer; every other map the integer API.
 */
static int
model_map_lookup(SimBackend *b, unsigned proc, int fd, uint32_t key,
    uint64_t *value, uint64_t flags)
{
	uint64_t k = key;

	if (rp_map_fd_key8(b->st, proc, fd)) {
		*value = 0;
		return rp_map_lookup_elem(b->st, proc, fd, &k, value, flags);
	}
	return rp_map_lookup(b->st, proc, fd, key, value, flags);
}

static int
model_map_update(SimBackend *b, unsigned proc, int fd, uint32_t key,
    uint64_t value, uint64_t flags)
{
	uint64_t k = key;

	if (rp_map_fd_key8(b->st, proc, fd))
		return rp_map_update_elem(b->st, proc, fd, &k, &value, flags);
	return rp_map_update(b->st, proc, fd, key, value, flags);
}

static int
model_map_delete(SimBackend *b, unsigned proc, int fd, uint32_t key)
{
	uint64_t k = key;

	if (rp_map_fd_key8(b->st, proc, fd))
		return rp_map_delete_elem(b->st, proc, fd, &k);
	return rp_map_delete(b->st, proc, fd, key);
}

static int
model_map_next_key(SimBackend *b, unsigned proc, int fd, const uint32_t *key,
    uint32_t *next)
{
	return rp_map_get_next_key(b->st, proc, fd, key, next);
}

static int
model_map_freeze(SimBackend *b, unsigned proc, int fd)
{
	return rp_map_freeze(b->st, proc, fd);
}

static int
model_map_lookup_and_delete(SimBackend *b, unsigned proc, int fd,
    uint32_t key, uint64_t *value)
{
	return rp_map_lookup_and_delete(b->st, proc, fd, key, value);
}

static int
model_map_get_info(SimBackend *b, unsigned proc, int fd,
    struct rp_map_info *out)
{
	struct rp_map_info in;
	int ret = rp_map_get_info(b->st, proc, fd, &in);

	/* only what the kernel says too */
	memset(out, 0, sizeof(*out));
	if (ret == 0) {
		out->id = in.id;
		out->type = in.type;
		out->key_size = in.key_size;
		out->value_size = in.value_size;
		out->max_entries = in.max_entries;
		out->map_flags = in.map_flags;
		memcpy(out->name, in.name, sizeof(out->name));
	}
	return ret;
}

static int
model_map_lookup_batch(SimBackend *b, unsigned proc, int fd)
{
	return rp_map_lookup_batch(b->st, proc, fd);
}

static int
model_prog_load(SimBackend *b, unsigned proc, const struct rp_prog_attr *a)
{
	return rp_prog_load(b->st, proc, a);
}

static int
model_prog_migrate_set(SimBackend *b, unsigned proc, int progfd,
    uint64_t cookie, uint32_t key)
{
	return rp_prog_migrate_set(b->st, proc, progfd, cookie, key);
}

/* Close the maps made for obj before a failed load. */
static void
object_maps_close(SimBackend *b, unsigned proc, const int *reuse,
    const int *map_fds, guint n)
{
	for (guint i = 0; i < n; i++)
		if (reuse[i] < 0 && map_fds[i] >= 0)
			(void)rp_close(b->st, proc, map_fds[i]);
}

/*
 * As libbpf's bpf_object__load(): the object's maps are created (a data
 * section's map gets its initial value, .rodata is frozen), the map
 * indexes of the relocated instructions become fds, the program is
 * loaded.  Not verified: rp_prog_load_insns() checks what loading needs.
 */
static int
model_prog_load_object(SimBackend *b, unsigned proc, const SimBpfObj *obj,
    const int *reuse, int *map_fds)
{
	g_autoptr(GArray) insns = g_array_copy(obj->insns);
	struct rp_prog_insns_attr a = { obj->prog_type,
	    obj->expected_attach_type, NULL, 0 };
	const guint n = obj->maps->len;
	static const uint32_t zero;
	int fd = 0;

	for (guint i = 0; i < n; i++)
		map_fds[i] = reuse[i];
	for (guint i = 0; i < n && fd >= 0; i++) {
		const SimBpfObjMap *m = obj->maps->pdata[i];

		if (reuse[i] >= 0)
			continue;
		if (m->outer) {
			fd = -EINVAL;	/* the verb asks for reuse first */
			break;
		}
		fd = rp_map_create(b->st, proc, &m->attr);
		if (fd < 0)
			break;
		map_fds[i] = fd;
		/* libbpf: bpf_object__populate_internal_map() */
		if (m->init != NULL && m->init_size == m->attr.value_size)
			fd = rp_map_update_elem(b->st, proc, fd, &zero, m->init,
			    0) < 0 ? -EINVAL : fd;
		if (fd >= 0 && m->freeze)
			fd = rp_map_freeze(b->st, proc, map_fds[i]) < 0 ?
			    -EINVAL : fd;
	}
	if (fd < 0) {
		object_maps_close(b, proc, reuse, map_fds, n);
		return fd;
	}
	for (guint i = 0; i < insns->len; i++) {
		struct rp_insn *in = &g_array_index(insns, struct rp_insn, i);
		guint idx;

		if (in->code != 0x18 || i + 1 >= insns->len)	/* LD_IMM64 */
			continue;
		if (in->src_reg == SIM_PSEUDO_MAP_IDX ||
		    in->src_reg == SIM_PSEUDO_MAP_IDX_VALUE) {
			idx = (guint)in->imm;
			/* an index past the maps: an fd no one has */
			in->imm = idx < n ? map_fds[idx] : -1;
			in->src_reg = in->src_reg == SIM_PSEUDO_MAP_IDX ? 1 : 2;
		}
		i++;
	}
	a.insns = (const struct rp_insn *)(void *)insns->data;
	a.insn_cnt = insns->len;
	fd = rp_prog_load_insns(b->st, proc, &a);
	if (fd < 0)
		object_maps_close(b, proc, reuse, map_fds, n);
	return fd;
}

static int
model_send(SimBackend *b, unsigned netns, const struct rp_packet *pkt,
    struct rp_delivery *out)
{
	return rp_send(b->st, netns, pkt, out);
}

static int
model_settle(SimBackend *b)
{
	return (int)rp_state_settle(b->st);
}

static int
model_kconfig(SimBackend *b, int option, gboolean on)
{
	return rp_state_set_kconfig(b->st, (enum rp_kconfig)option, on);
}

static int
model_requests_ack(SimBackend *b, unsigned netns)
{
	return rp_requests_ack(b->st, netns);
}

static int
model_requests_timer(SimBackend *b, unsigned netns)
{
	return rp_requests_timer(b->st, netns);
}

/* ---------------------------------------------------------------------
 * Model-only queries
 */

/*
 * rp_check_step() or rp_check(), as mode says, then the lock-discipline
 * record of the step.  The record is taken (cleared) here, so each
 * violation is reported once.
 */
static gboolean
model_check(SimBackend *b, SimCheckMode mode, GError **error)
{
	g_autofree char *v = NULL;

	if (mode == SIM_CHECK_STEP && !rp_check_step(b->st, error))
		return FALSE;
	if (mode == SIM_CHECK_FULL && !rp_check(b->st, error))
		return FALSE;
	v = rp_state_take_violation(b->st);
	if (v != NULL) {
		g_set_error(error, RP_CHECK_ERROR, 12, "%s", v);
		return FALSE;
	}
	return TRUE;
}

static void
model_set_observer(SimBackend *b, const struct rp_observer *obs, void *ud)
{
	rp_state_set_observer(b->st, obs, ud);
}

static int
model_sock_info(SimBackend *b, unsigned sock, struct rp_sock_info *out)
{
	return rp_sock_info(b->st, sock, out);
}

static int
model_group_info(SimBackend *b, unsigned group, struct rp_group_info *out)
{
	return rp_group_info(b->st, group, out);
}

static int
model_map_info(SimBackend *b, unsigned map, struct rp_map_info *out)
{
	return rp_map_info(b->st, map, out);
}

static unsigned
model_map_slot(SimBackend *b, unsigned map, uint32_t key)
{
	return rp_map_slot(b->st, map, key);
}

static struct rp_state *
model_model(SimBackend *b)
{
	return b->st;
}

static const SimInspectOps model_inspect = {
	.check = model_check,
	.set_observer = model_set_observer,
	.sock_info = model_sock_info,
	.group_info = model_group_info,
	.map_info = model_map_info,
	.map_slot = model_map_slot,
	.model = model_model,
};

const SimBackendOps sim_backend_model = {
	.name = "model",
	.open = model_open,
	.close = model_close,
	.sock_id = model_sock_id,
	.map_id = model_map_id,
	.prog_id = model_prog_id,
	.netns_new = model_netns_new,
	.proc_new = model_proc_new,
	.proc_set_caps = model_proc_set_caps,
	.proc_set_memlock = model_proc_set_memlock,
	.sysctl_set = model_sysctl_set,
	.set_cpu = model_set_cpu,
	.dup = model_dup,
	.pass = model_pass,
	.close_fd = model_close_fd,
	.socket = model_socket,
	.setsockopt = model_setsockopt,
	.bind = model_bind,
	.listen = model_listen,
	.connect = model_connect,
	.shutdown = model_shutdown,
	.accept = model_accept,
	.get_cookie = model_get_cookie,
	.getsockname = model_getsockname,
	.set_foreign_owner = model_set_foreign_owner,
	.attach_cbpf = model_attach_cbpf,
	.attach_cbpf_insns = model_attach_cbpf_insns,
	.attach_ebpf = model_attach_ebpf,
	.detach_bpf = model_detach_bpf,
	.map_create = model_map_create,
	.map_lookup = model_map_lookup,
	.map_update = model_map_update,
	.map_delete = model_map_delete,
	.map_next_key = model_map_next_key,
	.map_freeze = model_map_freeze,
	.map_lookup_and_delete = model_map_lookup_and_delete,
	.map_lookup_batch = model_map_lookup_batch,
	.map_get_info = model_map_get_info,
	.prog_load = model_prog_load,
	.prog_migrate_set = model_prog_migrate_set,
	.prog_load_object = model_prog_load_object,
	.send = model_send,
	.requests_ack = model_requests_ack,
	.settle = model_settle,
	.kconfig = model_kconfig,
	.requests_timer = model_requests_timer,
	.inspect = &model_inspect,
};
