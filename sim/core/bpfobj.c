/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * bpfobj.c - a compiled BPF object opened with libbpf, its chosen program
 * relocated without a kernel (see bpfobj.h).  libbpf 1.x: the relocation
 * runs inside bpf_object__load() of an object switched to loader
 * generation, which records the bpf() calls instead of making them.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <glib/gstdio.h>

#include "core/bpfobj.h"
#include "lang/name.h"

#ifdef HAVE_KERNEL_BACKEND
#include <bpf/libbpf.h>
#endif

/* An object file larger than this is refused before libbpf reads it. */
#define BPFOBJ_MAX_SIZE	(16u << 20)

static GQuark
bpfobj_quark(void)
{
	return g_quark_from_static_string("sim-bpfobj");
}

static G_GNUC_UNUSED void	/* used only with libbpf */
map_free(gpointer p)
{
	SimBpfObjMap *m = p;

	g_free(m->name);
	g_free(m->init);
	g_free(m);
}

void
sim_bpfobj_free(SimBpfObj *obj)
{
	if (obj == NULL)
		return;
	g_free(obj->path);
	g_free(obj->prog);
	if (obj->insns != NULL)
		g_array_unref(obj->insns);
	if (obj->maps != NULL)
		g_ptr_array_unref(obj->maps);
	g_free(obj);
}

int
sim_bpfobj_map_index(const SimBpfObj *obj, const char *name)
{
	g_return_val_if_fail(obj != NULL && name != NULL, -1);
	for (guint i = 0; i < obj->maps->len; i++) {
		const SimBpfObjMap *m = obj->maps->pdata[i];

		if (strcmp(m->name, name) == 0)
			return (int)i;
	}
	return -1;
}

#ifdef HAVE_KERNEL_BACKEND

/* libbpf's last complaint, for the error message (one open at a time:
 * the executor is single-threaded). */
static GString *bpfobj_log;

static int G_GNUC_PRINTF(2, 0)
bpfobj_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (level == LIBBPF_DEBUG || bpfobj_log == NULL)
		return 0;
	g_string_truncate(bpfobj_log, 0);
	g_string_append_vprintf(bpfobj_log, fmt, ap);
	if (g_str_has_prefix(bpfobj_log->str, "libbpf: "))
		g_string_erase(bpfobj_log, 0, strlen("libbpf: "));
	while (bpfobj_log->len > 0 &&
	    bpfobj_log->str[bpfobj_log->len - 1] == '\n')
		g_string_truncate(bpfobj_log, bpfobj_log->len - 1);
	return 0;
}

static void
set_error(GError **error, const char *name, const char *what, int err)
{
	char msg[128];

	/* libbpf's own codes (LIBBPF_ERRNO__FORMAT ...) and errnos */
	if (libbpf_strerror(err, msg, sizeof(msg)) != 0)
		g_strlcpy(msg, g_strerror(err < 0 ? -err : err), sizeof(msg));
	if (bpfobj_log != NULL && bpfobj_log->len > 0)
		g_set_error(error, bpfobj_quark(), 0, "%s: %s (%s; libbpf "
		    "said: %s)", name, what, msg, bpfobj_log->str);
	else
		g_set_error(error, bpfobj_quark(), 0, "%s: %s (%s)", name,
		    what, msg);
}

/* The scenario suffix of a map: its name, or for a map libbpf makes of a
 * data section ("t.rodata", ".rodata.str1.1") the section's part. */
static char *
map_suffix(const struct bpf_map *map)
{
	const char *n = bpf_map__name(map), *dot;

	if (bpf_map__is_internal(map) && (dot = strchr(n, '.')) != NULL)
		return g_strdup(dot + 1);
	return g_strdup(n);
}

static gboolean
take_maps(SimBpfObj *obj, struct bpf_object *o, GError **error)
{
	struct bpf_map *map;

	bpf_object__for_each_map(map, o) {
		SimBpfObjMap *m = g_new0(SimBpfObjMap, 1);
		const void *init;
		size_t size = 0;

		g_ptr_array_add(obj->maps, m);
		m->name = map_suffix(map);
		if (!sim_name_valid_str(SIM_NAME_OBJECT, m->name)) {
			g_set_error(error, bpfobj_quark(), 0, "%s: map '%s' "
			    "has a name the scenario cannot use", obj->path,
			    bpf_map__name(map));
			return FALSE;
		}
		rp_map_attr_init(&m->attr, bpf_map__type(map),
		    bpf_map__value_size(map), bpf_map__max_entries(map));
		m->attr.key_size = bpf_map__key_size(map);
		m->attr.map_flags = bpf_map__map_flags(map);
		m->attr.numa_node = bpf_map__numa_node(map);
		m->attr.map_extra = bpf_map__map_extra(map);
		g_strlcpy(m->attr.name, bpf_map__name(map),
		    sizeof(m->attr.name) - 1);
		m->outer = bpf_map__inner_map(map) != NULL;
		if (bpf_map__is_internal(map)) {
			init = bpf_map__initial_value(map, &size);
			if (init != NULL && size > 0) {
				m->init = g_memdup2(init, size);
				m->init_size = size;
			}
			/* libbpf: .rodata and .kconfig are frozen */
			m->freeze = (m->attr.map_flags & RP_BPF_F_RDONLY_PROG) != 0;
		}
	}
	return TRUE;
}

/* The program called (or in the section) program; NULL: the only one. */
static struct bpf_program *
find_prog(SimBpfObj *obj, struct bpf_object *o, const char *program,
    GError **error)
{
	struct bpf_program *p, *found = NULL;
	g_autoptr(GString) names = g_string_new(NULL);
	guint n = 0;

	bpf_object__for_each_program(p, o) {
		g_string_append_printf(names, "%s%s (section %s)",
		    n++ > 0 ? ", " : "", bpf_program__name(p),
		    bpf_program__section_name(p));
		if (program == NULL || strcmp(program,
		    bpf_program__name(p)) == 0 || strcmp(program,
		    bpf_program__section_name(p)) == 0) {
			if (found != NULL) {
				g_set_error(error, bpfobj_quark(), 0, "%s: more "
				    "than one program%s%s%s: name one with "
				    "program= (%s ...)", obj->path,
				    program != NULL ? " in section '" : "",
				    program != NULL ? program : "",
				    program != NULL ? "'" : "",
				    bpf_program__name(found));
				return NULL;
			}
			found = p;
		}
	}
	if (found == NULL && n == 0)
		g_set_error(error, bpfobj_quark(), 0, "%s: no program in the "
		    "object", obj->path);
	else if (found == NULL)
		g_set_error(error, bpfobj_quark(), 0, "%s: no program '%s'; "
		    "the object has %s", obj->path, program, names->str);
	return found;
}

static SimBpfObj *
open_object(struct bpf_object *o, SimBpfObj *obj, const char *program,
    GError **error)
{
	LIBBPF_OPTS(gen_loader_opts, gen);
	struct bpf_program *p, *q;
	const struct bpf_insn *in;
	size_t cnt;
	int err;

	if ((p = find_prog(obj, o, program, error)) == NULL)
		return NULL;
	obj->prog = g_strdup(bpf_program__name(p));
	obj->prog_type = bpf_program__type(p);
	obj->expected_attach_type = bpf_program__expected_attach_type(p);
	/* libbpf: a section name it has no SEC_DEF for gives the program
	 * no type (BPF_PROG_TYPE_UNSPEC); the loaders of such objects (the
	 * kernel's select_reuseport selftest) set it by hand */
	if (obj->prog_type == 0) {
		g_set_error(error, bpfobj_quark(), 0, "%s: program '%s' is "
		    "in section '%s', a name libbpf does not know, so it has "
		    "no program type: put it in SEC(\"sk_reuseport\") or "
		    "SEC(\"sk_reuseport/migrate\") (its code need not "
		    "change)", obj->path, obj->prog,
		    bpf_program__section_name(p));
		return NULL;
	}
	if (obj->prog_type != RP_PROG_SK_REUSEPORT &&
	    obj->prog_type != RP_PROG_SOCKET_FILTER) {
		g_set_error(error, bpfobj_quark(), 0, "%s: program '%s' "
		    "(section %s) is of type %u: reuseport-sim runs "
		    "sk_reuseport and socket filter programs", obj->path,
		    obj->prog, bpf_program__section_name(p), obj->prog_type);
		return NULL;
	}
	bpf_object__for_each_program(q, o)
		(void)bpf_program__set_autoload(q, q == p);
	if (!take_maps(obj, o, error))
		return NULL;
	/* relocation without a kernel: a loader is generated, not run */
	if ((err = bpf_object__gen_loader(o, &gen)) != 0 ||
	    (err = bpf_object__load(o)) != 0) {
		set_error(error, obj->path, "cannot relocate the program", err);
		return NULL;
	}
	in = bpf_program__insns(p);
	cnt = bpf_program__insn_cnt(p);
	if (in == NULL || cnt == 0) {
		g_set_error(error, bpfobj_quark(), 0, "%s: program '%s' has "
		    "no instructions", obj->path, obj->prog);
		return NULL;
	}
	G_STATIC_ASSERT(sizeof(struct rp_insn) == sizeof(struct bpf_insn));
	g_array_append_vals(obj->insns, in, (guint)cnt);
	return obj;
}

/* The whole open, in this process. */
static SimBpfObj *
open_here(const void *buf, gsize len, const char *name, const char *program,
    GError **error)
{
	g_autoptr(SimBpfObj) obj = g_new0(SimBpfObj, 1);
	LIBBPF_OPTS(bpf_object_open_opts, opts, .object_name = "obj");
	struct bpf_object *o;
	libbpf_print_fn_t old;
	SimBpfObj *ret = NULL;
	int err;

	g_return_val_if_fail(buf != NULL && name != NULL, NULL);
	obj->path = g_strdup(name);
	obj->insns = g_array_new(FALSE, FALSE, sizeof(struct rp_insn));
	obj->maps = g_ptr_array_new_with_free_func(map_free);
	bpfobj_log = g_string_new(NULL);
	old = libbpf_set_print(bpfobj_print);
	o = bpf_object__open_mem(buf, len, &opts);
	if ((err = libbpf_get_error(o)) != 0) {
		set_error(error, name, "not a BPF object libbpf can open", err);
		o = NULL;
	} else {
		ret = open_object(o, obj, program, error);
	}
	bpf_object__close(o);
	(void)libbpf_set_print(old);
	g_string_free(bpfobj_log, TRUE);
	bpfobj_log = NULL;
	return ret != NULL ? g_steal_pointer(&obj) : NULL;
}

/*
 * libbpf 1.1's ELF reader trusts the file (a corrupted section header
 * can crash it), so the object is opened in a child process that sends
 * the result back through a pipe: a crash, a hang (OPEN_TIMEOUT_MS) or
 * a runaway allocation (OPEN_MEMORY) of libbpf becomes an error message.
 * The reply: u32 1 and the object, or u32 0 and the message.
 */
#define OPEN_TIMEOUT_MS	10000
#define OPEN_MEMORY	((rlim_t)1 << 30)
#define OPEN_REPLY_MAX	(64u << 20)

static void
put_u32(GByteArray *out, guint32 v)
{
	g_byte_array_append(out, (const guint8 *)&v, sizeof(v));
}

static void
put_blob(GByteArray *out, const void *p, guint32 len)
{
	put_u32(out, len);
	if (len > 0)
		g_byte_array_append(out, p, len);
}

static void
serialize(GByteArray *out, const SimBpfObj *obj, const GError *err)
{
	guint i;

	put_u32(out, obj != NULL);
	if (obj == NULL) {
		put_blob(out, err->message, (guint32)strlen(err->message));
		return;
	}
	put_blob(out, obj->prog, (guint32)strlen(obj->prog));
	put_u32(out, obj->prog_type);
	put_u32(out, obj->expected_attach_type);
	put_blob(out, obj->insns->data, obj->insns->len *
	    (guint32)sizeof(struct rp_insn));
	put_u32(out, obj->maps->len);
	for (i = 0; i < obj->maps->len; i++) {
		const SimBpfObjMap *m = obj->maps->pdata[i];

		put_blob(out, m->name, (guint32)strlen(m->name));
		put_blob(out, &m->attr, sizeof(m->attr));
		put_blob(out, m->init, (guint32)m->init_size);
		put_u32(out, (guint32)m->freeze | (guint32)m->outer << 1);
	}
}

typedef struct {
	const guint8	*p;
	gsize		 left;
} Reader;

static gboolean
get_u32(Reader *r, guint32 *v)
{
	if (r->left < sizeof(*v))
		return FALSE;
	memcpy(v, r->p, sizeof(*v));
	r->p += sizeof(*v);
	r->left -= sizeof(*v);
	return TRUE;
}

/* A blob of the reply: *out a copy with a NUL after it. */
static gboolean
get_blob(Reader *r, guint8 **out, guint32 *len)
{
	if (!get_u32(r, len) || *len > r->left)
		return FALSE;
	*out = g_malloc(*len + 1);
	memcpy(*out, r->p, *len);
	(*out)[*len] = '\0';
	r->p += *len;
	r->left -= *len;
	return TRUE;
}

static SimBpfObj *
deserialize(Reader *r, const char *name, GError **error)
{
	g_autoptr(SimBpfObj) obj = g_new0(SimBpfObj, 1);
	g_autofree guint8 *insns = NULL;
	guint32 ok, len, n, i, flags;
	guint8 *b;

	obj->path = g_strdup(name);
	obj->maps = g_ptr_array_new_with_free_func(map_free);
	if (!get_u32(r, &ok))
		goto bad;
	if (!ok) {
		if (!get_blob(r, &b, &len))
			goto bad;
		g_set_error(error, bpfobj_quark(), 0, "%s", (char *)b);
		g_free(b);
		return NULL;
	}
	if (!get_blob(r, &b, &len))
		goto bad;
	obj->prog = (char *)b;
	if (!get_u32(r, &obj->prog_type) ||
	    !get_u32(r, &obj->expected_attach_type) ||
	    !get_blob(r, &insns, &len) || len % sizeof(struct rp_insn) != 0)
		goto bad;
	obj->insns = g_array_new(FALSE, FALSE, sizeof(struct rp_insn));
	g_array_append_vals(obj->insns, insns, len / sizeof(struct rp_insn));
	if (!get_u32(r, &n))
		goto bad;
	for (i = 0; i < n; i++) {
		SimBpfObjMap *m = g_new0(SimBpfObjMap, 1);

		g_ptr_array_add(obj->maps, m);
		if (!get_blob(r, &b, &len))
			goto bad;
		m->name = (char *)b;
		if (!get_blob(r, &b, &len) || len != sizeof(m->attr)) {
			g_free(b);
			goto bad;
		}
		memcpy(&m->attr, b, sizeof(m->attr));
		g_free(b);
		if (!get_blob(r, &m->init, &len) || !get_u32(r, &flags))
			goto bad;
		m->init_size = len;
		if (len == 0)
			g_clear_pointer(&m->init, g_free);
		m->freeze = (flags & 1) != 0;
		m->outer = (flags & 2) != 0;
	}
	if (r->left == 0)
		return g_steal_pointer(&obj);
bad:
	g_set_error(error, bpfobj_quark(), 0, "%s: the reader of the "
	    "object answered garbage", name);	/* LCOV_EXCL_LINE */
	return NULL;
}

/* Child: open, reply, exit without running the parent's atexit work. */
static G_GNUC_NORETURN void
open_child(int wfd, const void *buf, gsize len, const char *name,
    const char *program)
{
	struct rlimit lim = { OPEN_MEMORY, OPEN_MEMORY }, core = { 0, 0 };
	g_autoptr(GError) err = NULL;
	g_autoptr(SimBpfObj) obj = NULL;
	g_autoptr(GByteArray) out = g_byte_array_new();
	gsize off = 0;

	/* ASan's shadow memory is address space: no limit there */
#ifndef __SANITIZE_ADDRESS__
	(void)setrlimit(RLIMIT_AS, &lim);
#else
	(void)lim;
#endif
	(void)setrlimit(RLIMIT_CORE, &core);	/* a crash is expected */
	obj = open_here(buf, len, name, program, &err);
	serialize(out, obj, err);
	while (off < out->len) {
		ssize_t w = write(wfd, out->data + off, out->len - off);

		if (w <= 0 && errno != EINTR)
			break;
		if (w > 0)
			off += (gsize)w;
	}
	_exit(0);
}

SimBpfObj *
sim_bpfobj_open_mem(const void *buf, gsize len, const char *name,
    const char *program, GError **error)
{
	g_autoptr(GByteArray) reply = g_byte_array_new();
	gint64 deadline = g_get_monotonic_time() + OPEN_TIMEOUT_MS * 1000;
	int fds[2], status = 0;
	gboolean timeout = FALSE;
	Reader r;
	pid_t pid;

	g_return_val_if_fail(buf != NULL && name != NULL, NULL);
	if (pipe(fds) != 0 || fcntl(fds[0], F_SETFD, FD_CLOEXEC) != 0 ||
	    fcntl(fds[1], F_SETFD, FD_CLOEXEC) != 0) {
		g_set_error(error, bpfobj_quark(), 0, "%s: pipe: %s", name,
		    g_strerror(errno));		/* LCOV_EXCL_LINE */
		return NULL;			/* LCOV_EXCL_LINE */
	}
	fflush(NULL);
	if ((pid = fork()) < 0) {
		close(fds[0]);			/* LCOV_EXCL_START */
		close(fds[1]);
		g_set_error(error, bpfobj_quark(), 0, "%s: fork: %s", name,
		    g_strerror(errno));
		return NULL;			/* LCOV_EXCL_STOP */
	}
	if (pid == 0) {
		close(fds[0]);
		open_child(fds[1], buf, len, name, program);
	}
	close(fds[1]);
	for (;;) {
		struct pollfd pfd = { fds[0], POLLIN, 0 };
		gint64 left = (deadline - g_get_monotonic_time()) / 1000;
		guint8 chunk[65536];
		ssize_t n;

		if (left <= 0 || poll(&pfd, 1, (int)left) == 0) {
			timeout = TRUE;
			(void)kill(pid, SIGKILL);
			break;
		}
		n = read(fds[0], chunk, sizeof(chunk));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		if (reply->len + (gsize)n > OPEN_REPLY_MAX) {
			(void)kill(pid, SIGKILL);	/* LCOV_EXCL_LINE */
			break;				/* LCOV_EXCL_LINE */
		}
		g_byte_array_append(reply, chunk, (guint)n);
	}
	close(fds[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (timeout) {
		g_set_error(error, bpfobj_quark(), 0, "%s: libbpf did not "
		    "finish reading the object in %d s", name,
		    OPEN_TIMEOUT_MS / 1000);
		return NULL;
	}
	if (WIFSIGNALED(status)) {
		g_set_error(error, bpfobj_quark(), 0, "%s: not a BPF object "
		    "libbpf can open (its reader died of signal %d: the ELF "
		    "is malformed)", name, WTERMSIG(status));
		return NULL;
	}
	if (reply->len == 0) {
		g_set_error(error, bpfobj_quark(), 0, "%s: the reader of the "
		    "object stopped without an answer (exit status %d)", name,
		    WIFEXITED(status) ? WEXITSTATUS(status) : -1);
		return NULL;
	}
	r.p = reply->data;
	r.left = reply->len;
	return deserialize(&r, name, error);
}

#else /* !HAVE_KERNEL_BACKEND */

SimBpfObj *
sim_bpfobj_open_mem(const void *buf, gsize len, const char *name,
    const char *program, GError **error)
{
	(void)buf;
	(void)len;
	(void)program;
	g_set_error(error, bpfobj_quark(), 0, "%s: this reuseport-sim was "
	    "built without libbpf, which object= needs", name);
	return NULL;
}

#endif /* HAVE_KERNEL_BACKEND */

SimBpfObj *
sim_bpfobj_open(const char *path, const char *program, GError **error)
{
	g_autofree char *buf = NULL;
	GStatBuf sb;
	gsize len;

	g_return_val_if_fail(path != NULL, NULL);
	if (g_stat(path, &sb) != 0) {
		g_set_error(error, bpfobj_quark(), 0, "%s: cannot read the "
		    "object (%s)", path, g_strerror(errno));
		return NULL;
	}
	if (!S_ISREG(sb.st_mode) || sb.st_size == 0 ||
	    (guint64)sb.st_size > BPFOBJ_MAX_SIZE) {
		g_set_error(error, bpfobj_quark(), 0, "%s: %s", path,
		    !S_ISREG(sb.st_mode) ? "not a regular file" :
		    sb.st_size == 0 ? "an empty file, not a BPF object" :
		    "larger than 16 MiB, not a BPF object of a program");
		return NULL;
	}
	if (!g_file_get_contents(path, &buf, &len, NULL)) {
		g_set_error(error, bpfobj_quark(), 0, "%s: cannot read the "
		    "object", path);	/* LCOV_EXCL_LINE: raced away */
		return NULL;			/* LCOV_EXCL_LINE */
	}
	return sim_bpfobj_open_mem(buf, len, path, program, error);
}
