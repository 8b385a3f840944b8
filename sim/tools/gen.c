/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * gen.c - random, valid scenarios (gen.h).
 *
 * One step is chosen at a time from a weighted table of actions; an
 * action looks at the shadow (what earlier steps asked for) and writes
 * one statement, or a few that belong together (a socket given
 * SO_REUSEPORT, bound to a pool port and listening: that is how groups
 * form), or declines when its preconditions do not hold (no map to
 * update yet), and another is drawn.  Every statement ends in `= any`.
 *
 * Everything random goes through one splitmix64 stream, so a scenario is
 * a function of its options alone; the generator reads no clock, no
 * environment and no backend.
 */
#include <string.h>

#include "tools/gen.h"

/* ---------------------------------------------------------------------
 * The random stream: splitmix64 (Steele, Lea, Flood 2014)
 */

typedef struct {
	guint64 s;
} Rng;

static guint64
rng_next(Rng *r)
{
	guint64 z;

	r->s += G_GUINT64_CONSTANT(0x9e3779b97f4a7c15);
	z = r->s;
	z = (z ^ (z >> 30)) * G_GUINT64_CONSTANT(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * G_GUINT64_CONSTANT(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

/* A number in [0, n); n > 0. */
static guint
rng_below(Rng *r, guint n)
{
	g_assert(n > 0);
	return (guint)(((rng_next(r) >> 32) * (guint64)n) >> 32);
}

/* TRUE with probability pct percent. */
static gboolean
rng_pct(Rng *r, guint pct)
{
	return rng_below(r, 100) < pct;
}

/* One of the n strings of v. */
#define PICK(r, v)	((v)[rng_below((r), G_N_ELEMENTS(v))])

/* ---------------------------------------------------------------------
 * The shadow
 */

typedef struct {
	const char	*name;
	guint		 family;	/* 4, 6, 0: neither */
	gboolean	 tcp, udp;
	guint		 weight;	/* of socket kinds */
} SockKind;

static const SockKind sock_kinds[] = {
	{ "tcp4", 4, TRUE, FALSE, 30 },
	{ "tcp6", 6, TRUE, FALSE, 20 },
	{ "udp4", 4, FALSE, TRUE, 24 },
	{ "udp6", 6, FALSE, TRUE, 16 },
	{ "udplite4", 4, FALSE, TRUE, 2 },
	{ "udplite6", 6, FALSE, TRUE, 1 },
	{ "raw4", 4, FALSE, FALSE, 1 },
	{ "raw6", 6, FALSE, FALSE, 1 },
	{ "unix-stream", 0, FALSE, FALSE, 1 },
	{ "unix-dgram", 0, FALSE, FALSE, 1 },
	{ "netlink", 0, FALSE, FALSE, 1 },
};

typedef enum {
	M_SOCKARRAY,
	M_SOCKMAP,
	M_SOCKHASH,
	M_ARRAY_OF_MAPS,
	M_HASH_OF_MAPS,
	M_ARRAY,		/* a plain value map: numbers */
} MapType;

static const char *const map_type_names[] = { "sockarray", "sockmap",
	"sockhash", "array_of_maps", "hash_of_maps", "array" };

typedef enum {
	O_SOCK,
	O_MAP,
	O_PROG,
} ObjKind;

/* One name of the scenario: a socket, a map or a program. */
typedef struct {
	char		*name;
	ObjKind		 kind;
	guint		 proc;		/* the process whose fd it names */
	gboolean	 closed;	/* closed through this name */
	gboolean	 nofd;		/* a TCP child named by send ... as */
	/* sockets */
	const SockKind	*sk;
	gboolean	 reuse, bound, listening, connected;
	gboolean	 v6only;
	gboolean	 mptcp;		/* IPPROTO_MPTCP: kept off the pool ports */
	guint		 port;		/* the pool port bound, 0: ephemeral */
	/* a name the executor looks up at run time (cookie(NAME), the
	 * socket of migrate-key, the port of ADDR:NAME) must stand for
	 * something then, or the run stops with an error: */
	gboolean	 sure;		/* its socket surely exists */
	gboolean	 port_sure;	/* it surely holds the port it was given */
	guint		 id;		/* the object: its dups and passes share it */
	/* maps */
	MapType		 mtype;
	guint		 entries;
	/* programs */
	gboolean	 migrate_key;	/* key=migrate */
} Obj;

typedef struct {
	char		*name;
	guint		 netns;		/* index in Gen.netns */
	gboolean	 uid1000;	/* not root */
} Proc;

typedef struct {
	Rng		 rng;
	Rng		 route_rng;	/* route_dest()'s own stream, so
					 * that it leaves rng's as it was */
	Rng		 src_rng;	/* no_source_addr()'s, as route_rng */
	guint		 flags;
	GString		*out;
	guint		 left;		/* statements still to write */
	GPtrArray	*objs;		/* Obj * */
	GPtrArray	*procs;		/* Proc *; [0] is init */
	GPtrArray	*netns;		/* char *; [0] is init */
	guint		 nsock, nmap, nprog, nchild, nproc, nnetns, ndup;
	guint		 client_port;	/* next source port of a send */
	guint		 ports[3];	/* the shared pool */
} Gen;

static void
obj_free(gpointer p)
{
	Obj *o = p;

	g_free(o->name);
	g_free(o);
}

static void
proc_free(gpointer p)
{
	Proc *pr = p;

	g_free(pr->name);
	g_free(pr);
}

static gboolean
kernel_only(const Gen *g)
{
	return (g->flags & SIM_GEN_KERNEL) != 0;
}

/* Write one statement, run in process proc, with `= any`. */
static void G_GNUC_PRINTF(3, 4)
emit(Gen *g, guint proc, const char *fmt, ...)
{
	va_list ap;

	g_assert(g->left > 0);
	if (proc != 0)
		g_string_append_printf(g->out, "%s: ",
		    ((Proc *)g->procs->pdata[proc])->name);
	va_start(ap, fmt);
	g_string_append_vprintf(g->out, fmt, ap);
	va_end(ap);
	g_string_append(g->out, " = any\n");
	g->left--;
}

/*
 * After a step that may drop a map's last reference (a close, a detach):
 * `settle`, so that both backends compare the state after the map's
 * deferred free (R-FREE-5) rather than racing the kernel's workqueue,
 * when a step is left for it.
 */
static void
settle(Gen *g)
{
	if (g->left > 0)
		emit(g, 0, "settle");
}

static Obj *
obj_new(Gen *g, ObjKind kind, char *name, guint proc)
{
	Obj *o = g_new0(Obj, 1);

	o->name = name;
	o->kind = kind;
	o->proc = proc;
	o->id = g->objs->len + 1;
	g_ptr_array_add(g->objs, o);
	return o;
}

/* s (through any of its names) may have given its port back. */
static void
port_unsure(Gen *g, const Obj *s)
{
	guint i;

	for (i = 0; i < g->objs->len; i++) {
		Obj *x = g->objs->pdata[i];

		if (x->id == s->id)
			x->port_sure = FALSE;
	}
}

/* A process for a new object: mostly init. */
static guint
pick_proc(Gen *g)
{
	if (g->procs->len == 1 || rng_pct(&g->rng, 70))
		return 0;
	return 1 + rng_below(&g->rng, g->procs->len - 1);
}

/* The process a step on o runs in: o's own, now and then another one (a
 * name used where it stands for no fd: -EBADF). */
static guint
use_proc(Gen *g, const Obj *o)
{
	if (g->procs->len > 1 && rng_pct(&g->rng, 3))
		return rng_below(&g->rng, g->procs->len);
	return o->proc;
}

typedef gboolean (*ObjFilter)(const Obj *o);

/* A random object that passes f (open ones nine times in ten), or NULL. */
static Obj *
pick_obj(Gen *g, ObjFilter f)
{
	g_autoptr(GPtrArray) open = g_ptr_array_new();
	g_autoptr(GPtrArray) all = g_ptr_array_new();
	guint i;

	for (i = 0; i < g->objs->len; i++) {
		Obj *o = g->objs->pdata[i];

		if (!f(o))
			continue;
		g_ptr_array_add(all, o);
		if (!o->closed && !o->nofd)
			g_ptr_array_add(open, o);
	}
	if (open->len > 0 && (all->len == open->len ||
	    rng_pct(&g->rng, 90)))
		return open->pdata[rng_below(&g->rng, open->len)];
	if (all->len > 0)
		return all->pdata[rng_below(&g->rng, all->len)];
	return NULL;
}

static gboolean
is_sock(const Obj *o)
{
	return o->kind == O_SOCK;
}

static gboolean
is_inet_sock(const Obj *o)
{
	return o->kind == O_SOCK && (o->sk->tcp || o->sk->udp);
}

static gboolean
is_tcp(const Obj *o)
{
	return o->kind == O_SOCK && o->sk->tcp;
}

static gboolean
is_bound(const Obj *o)
{
	return is_inet_sock(o) && o->bound && !o->closed;
}

/* A socket whose port can be named: bound, open, with an fd, and, when
 * the port is named by the socket's name, surely holding one. */
static gboolean
is_port_source(const Obj *o)
{
	return is_bound(o) && !o->nofd && !o->mptcp &&
	    (o->port != 0 || o->port_sure);
}

/* A socket whose cookie can be asked at run time. */
static gboolean
is_cookie_source(const Obj *o)
{
	return is_sock(o) && o->sure && !o->closed && !o->nofd;
}

static gboolean
is_unbound(const Obj *o)
{
	return is_inet_sock(o) && !o->bound && !o->closed && !o->nofd;
}

static gboolean
is_listener(const Obj *o)
{
	return is_tcp(o) && o->listening;
}

static gboolean
is_group_candidate(const Obj *o)
{
	return is_inet_sock(o) && o->reuse && o->bound;
}

static gboolean
is_map(const Obj *o)
{
	return o->kind == O_MAP;
}

static gboolean
is_sock_map(const Obj *o)
{
	return o->kind == O_MAP && o->mtype <= M_SOCKHASH;
}

static gboolean
is_sockarray(const Obj *o)
{
	return o->kind == O_MAP && o->mtype == M_SOCKARRAY;
}

static gboolean
is_outer(const Obj *o)
{
	return o->kind == O_MAP && (o->mtype == M_ARRAY_OF_MAPS ||
	    o->mtype == M_HASH_OF_MAPS);
}

static gboolean
is_prog(const Obj *o)
{
	return o->kind == O_PROG;
}

static gboolean
is_migrate_prog(const Obj *o)
{
	return o->kind == O_PROG && o->migrate_key;
}

static gboolean
is_any(const Obj *o)
{
	(void)o;
	return TRUE;
}

/* The loopback (or wildcard) address of a family, as written. */
static const char *
loop_addr(guint family)
{
	return family == 6 ? "[::1]" : "127.0.0.1";
}

/* An address a socket may bind but not send from (R-BIND-12):
 * broadcast, multicast, and IPv6's scoped ones, which want a device.
 * Drawn from a stream of its own (src_rng), 6% of the time, so that a
 * seed's other statements are those it gave before this was written;
 * NULL when not drawn. */
static const char *
no_source_addr(Gen *g, guint family)
{
	static const char *const v4[] = { "127.255.255.255", "224.0.0.1",
		"255.255.255.255", "127.0.0.0" };
	static const char *const v6[] = { "[ff05::2]", "[ff02::1]",
		"[fe80::1]", "[::ffff:127.255.255.255]", "[::ffff:224.0.0.1]" };

	if ((family != 4 && family != 6) || !rng_pct(&g->src_rng, 6))
		return NULL;
	return family == 6 ? PICK(&g->src_rng, v6) : PICK(&g->src_rng, v4);
}

/* An address to bind a socket of family to. */
static const char *
bind_addr(Gen *g, guint family)
{
	static const char *const v4[] = { "127.0.0.1", "127.0.0.1",
		"127.0.0.1", "127.0.0.1", "127.0.0.1", "0.0.0.0", "0.0.0.0",
		"0.0.0.0", "127.0.0.2" };
	static const char *const v6[] = { "[::1]", "[::1]", "[::1]",
		"[::1]", "[::]", "[::]", "[::]", "[::ffff:127.0.0.1]" };

	if (family == 6)
		return PICK(&g->rng, v6);
	if (family == 4)
		return PICK(&g->rng, v4);
	return rng_pct(&g->rng, 50) ? "127.0.0.1" : "[::1]";
}

/* The port of a bound socket o as written: its pool port, or its name
 * when it was bound to port 0 (the kernel picks another ephemeral port
 * than the model). */
static const char *
port_of(const Obj *o, char *buf, gsize n)
{
	if (o->port == 0)
		return o->name;
	g_snprintf(buf, n, "%u", o->port);
	return buf;
}

/* A port for s to bind: a pool port, 0, or the port of a bound socket.
 * Written into buf; *port is the pool port or 0. */
static const char *
port_word(Gen *g, const Obj *s, char *buf, gsize n, guint *port)
{
	guint r = rng_below(&g->rng, 100);
	Obj *o;

	*port = 0;
	if (s->mptcp) {
		/* the kernel backend cannot see an MPTCP listener's queue:
		 * traffic to one would read as refused */
		g_strlcpy(buf, "0", n);
		return buf;
	}
	if (r < 25 && (o = pick_obj(g, is_port_source)) != NULL &&
	    !o->closed) {
		*port = o->port;
		return port_of(o, buf, n);
	}
	if (r < 40) {
		g_strlcpy(buf, "0", n);
		return buf;
	}
	*port = PICK(&g->rng, g->ports);
	g_snprintf(buf, n, "%u", *port);
	return buf;
}

/* ---------------------------------------------------------------------
 * Actions: each writes one statement or a few, or returns FALSE
 */

static const SockKind *
pick_sock_kind(Gen *g)
{
	guint total = 0, r, i;

	for (i = 0; i < G_N_ELEMENTS(sock_kinds); i++)
		total += sock_kinds[i].weight;
	r = rng_below(&g->rng, total);
	for (i = 0; i < G_N_ELEMENTS(sock_kinds); i++) {
		if (r < sock_kinds[i].weight)
			break;
		r -= sock_kinds[i].weight;
	}
	return &sock_kinds[i];
}

static void
do_bind(Gen *g, Obj *s)
{
	char buf[16];
	guint num;
	const char *port = port_word(g, s, buf, sizeof(buf), &num);

	const char *addr = bind_addr(g, s->sk->family);
	const char *odd = no_source_addr(g, s->sk->family);
	guint proc = use_proc(g, s);

	if (odd != NULL)
		addr = odd;

	emit(g, proc, "bind %s %s:%s", s->name, addr, port);
	/* the first bind of a fresh socket, by its own process, to port 0
	 * of an address of its family (not a v4-mapped one, which a v6only
	 * socket refuses) cannot fail: it gets an ephemeral port no one
	 * holds */
	if (!s->bound)
		s->port_sure = num == 0 && strcmp(port, "0") == 0 && s->sure &&
		    proc == s->proc && !s->connected &&
		    strstr(addr, "ffff") == NULL && odd == NULL;
	if (!s->bound)
		s->port = num;
	s->bound = TRUE;
}

/* A socket, mostly an inet one given SO_REUSEPORT, bound to a pool
 * port and (TCP) listening: the statements that make groups. */
static gboolean
act_socket(Gen *g)
{
	const SockKind *k = pick_sock_kind(g);
	guint proc = pick_proc(g);
	Obj *s;

	s = obj_new(g, O_SOCK, g_strdup_printf("s%u", ++g->nsock), proc);
	s->sk = k;
	if (rng_pct(&g->rng, 2) && k->tcp) {
		emit(g, proc, "socket %s %s proto=262", s->name,
		    k->name);	/* IPPROTO_MPTCP */
		s->mptcp = TRUE;
	}
	else if (rng_pct(&g->rng, 2))
		emit(g, proc, "socket %s %s proto=%s", s->name, k->name,
		    k->tcp ? "tcp" : k->udp ? "udp" : "ip");
	else {
		emit(g, proc, "socket %s %s", s->name, k->name);
		/* every profile and process has these (UDP-Lite is gone in
		 * 7.1, raw sockets need CAP_NET_RAW) */
		s->sure = k->tcp || (k->udp && !strstr(k->name, "lite")) ||
		    k->family == 0;
	}
	if (g->left == 0 || !rng_pct(&g->rng, 85))
		return TRUE;
	if (k->family == 6 && rng_pct(&g->rng, 10)) {
		emit(g, proc, "setsockopt %s v6only 1", s->name);
		s->v6only = TRUE;
		if (g->left == 0)
			return TRUE;
	}
	if (rng_pct(&g->rng, 15)) {
		emit(g, proc, "setsockopt %s reuseaddr 1", s->name);
		if (g->left == 0)
			return TRUE;
	}
	if (rng_pct(&g->rng, 90)) {
		emit(g, proc, "setsockopt %s reuseport 1", s->name);
		s->reuse = TRUE;
	}
	if (g->left == 0 || !(k->tcp || k->udp) || !rng_pct(&g->rng, 85))
		return TRUE;
	do_bind(g, s);
	if (g->left == 0 || !k->tcp || !rng_pct(&g->rng, 80))
		return TRUE;
	emit(g, proc, "listen %s", s->name);
	s->listening = TRUE;
	return TRUE;
}

static gboolean
act_setsockopt(Gen *g)
{
	Obj *s = pick_obj(g, is_sock);
	guint r = rng_below(&g->rng, 100);

	if (s == NULL)
		return FALSE;
	if (r < 45) {
		gboolean on = rng_pct(&g->rng, 85);

		emit(g, use_proc(g, s), "setsockopt %s reuseport %d", s->name,
		    on);
		s->reuse = on;
	} else if (r < 57) {
		emit(g, use_proc(g, s), "setsockopt %s reuseaddr %d", s->name,
		    rng_pct(&g->rng, 75));
	} else if (r < 70) {
		emit(g, use_proc(g, s), "setsockopt %s incoming_cpu %d",
		    s->name, (int)rng_below(&g->rng, 3) - 1);
	} else if (r < 85) {
		emit(g, use_proc(g, s), "setsockopt %s v6only %d", s->name,
		    (int)rng_below(&g->rng, 2));
	} else {
		/* ifindex 1 is lo in a fresh namespace; 7 is no device */
		static const int ifx[] = { 1, 1, 0, 7 };

		emit(g, use_proc(g, s), "setsockopt %s bindtoifindex %d",
		    s->name, PICK(&g->rng, ifx));
	}
	return TRUE;
}

static gboolean
act_bind(Gen *g)
{
	Obj *s = pick_obj(g, rng_pct(&g->rng, 85) ? is_unbound : is_sock);

	if (s == NULL)
		return FALSE;
	do_bind(g, s);
	return TRUE;
}

static gboolean
act_listen(Gen *g)
{
	static const int backlogs[] = { 0, 1, 16, -1 };
	Obj *s = pick_obj(g, is_tcp);

	if (s == NULL)
		return FALSE;
	if (rng_pct(&g->rng, 15))
		emit(g, use_proc(g, s), "listen %s %d", s->name,
		    PICK(&g->rng, backlogs));
	else
		emit(g, use_proc(g, s), "listen %s", s->name);
	s->listening = TRUE;
	return TRUE;
}

/* The destination of traffic or a connect of family: a bound socket's
 * port by name, or a pool port.  Written into buf. */
static void
dest(Gen *g, guint family, char *buf, gsize n, Obj **target)
{
	char pb[16];
	Obj *t = pick_obj(g, is_port_source);
	const char *addr = loop_addr(family);

	*target = NULL;
	if (t != NULL && !t->closed && rng_pct(&g->rng, 75)) {
		*target = t;
		g_snprintf(buf, n, "%s:%s", addr, port_of(t, pb, sizeof(pb)));
		return;
	}
	g_snprintf(pb, sizeof(pb), "%u", PICK(&g->rng, g->ports));
	g_snprintf(buf, n, "%s:%s", addr, pb);
}

/* A connect() destination that tests the route (R-SOCK-13): off this
 * host, broadcast, multicast, link-local, the unspecified address.
 * Nothing leaves the namespace: it has no device up but lo.  Drawn
 * from a stream of its own: a seed's other statements are those it
 * gave before route_dest() was written. */
static const char *
route_dest(Gen *g, guint family)
{
	static const char *const v4[] = { "10.9.9.9:7", "127.255.255.255:7",
		"224.0.0.1:7", "255.255.255.255:7", "0.0.0.0:7", "127.0.0.0:7" };
	static const char *const v6[] = { "[2001:db8::1]:7", "[fe80::1]:7",
		"[ff02::1]:7", "[ff0e::1]:7", "[::ffff:10.9.9.9]:7",
		"[::ffff:127.255.255.255]:7", "[::]:7", "[::ffff:127.0.0.1]:7" };

	return family == 6 ? PICK(&g->route_rng, v6) :
	    PICK(&g->route_rng, v4);
}

static gboolean
act_connect(Gen *g)
{
	char buf[64], pb[16];
	Obj *s, *t;

	if (rng_pct(&g->rng, 50)) {
		/* a fresh TCP client of a listener */
		Obj *l = pick_obj(g, is_listener);
		guint fam = l != NULL ? l->sk->family :
		    rng_pct(&g->rng, 50) ? 4 : 6;
		guint proc = pick_proc(g);

		if (g->left < 2)
			return FALSE;
		s = obj_new(g, O_SOCK, g_strdup_printf("s%u", ++g->nsock),
		    proc);
		s->sk = &sock_kinds[fam == 6 ? 1 : 0];
		emit(g, proc, "socket %s %s", s->name, s->sk->name);
		s->sure = TRUE;
		if (l != NULL && is_port_source(l) && rng_pct(&g->rng, 80))
			g_snprintf(buf, sizeof(buf), "%s:%s",
			    loop_addr(fam), port_of(l, pb, sizeof(pb)));
		else
			dest(g, fam, buf, sizeof(buf), &t);
		emit(g, proc, "connect %s %s", s->name, buf);
		s->connected = TRUE;
		return TRUE;
	}
	s = pick_obj(g, is_inet_sock);
	if (s == NULL)
		return FALSE;
	if (s->sk->udp && rng_pct(&g->rng, 30)) {
		emit(g, use_proc(g, s), "connect %s unspec", s->name);
		s->connected = FALSE;
		port_unsure(g, s);
		return TRUE;
	}
	dest(g, s->sk->family, buf, sizeof(buf), &t);
	if (rng_pct(&g->route_rng, 12))
		g_strlcpy(buf, route_dest(g, s->sk->family), sizeof(buf));
	emit(g, use_proc(g, s), "connect %s %s", s->name, buf);
	s->connected = TRUE;
	port_unsure(g, s);	/* a refused connect() gives it back */
	return TRUE;
}

static gboolean
act_shutdown(Gen *g)
{
	static const char *const hows[] = { "rd", "wr", "rdwr", "rdwr" };
	Obj *s = pick_obj(g, is_sock);

	if (s == NULL)
		return FALSE;
	emit(g, use_proc(g, s), "shutdown %s %s", s->name,
	    PICK(&g->rng, hows));
	port_unsure(g, s);	/* a listener's goes back */
	return TRUE;
}

static gboolean
act_accept(Gen *g)
{
	Obj *l = pick_obj(g, is_listener), *c;

	if (l == NULL)
		return FALSE;
	c = obj_new(g, O_SOCK, g_strdup_printf("c%u", ++g->nchild), l->proc);
	c->sk = l->sk;
	c->bound = l->port != 0;	/* a child's port is its listener's */
	c->port = l->port;
	c->connected = TRUE;
	emit(g, use_proc(g, l), "accept %s as %s", l->name, c->name);
	return TRUE;
}

static gboolean
act_close(Gen *g)
{
	guint r = rng_below(&g->rng, 100);
	Obj *o = pick_obj(g, r < 70 ? is_sock : r < 90 ? is_map : is_any);

	guint proc;

	if (o == NULL)
		return FALSE;
	proc = use_proc(g, o);
	emit(g, proc, "close %s", o->name);
	if (o->closed || o->nofd || proc != o->proc) {
		/* the odd close: the fd number the name had may belong to
		 * anything of that process now, which is then closed */
		for (guint i = 0; i < g->objs->len; i++) {
			Obj *x = g->objs->pdata[i];

			if (x->proc == proc)
				x->sure = x->port_sure = FALSE;
		}
	}
	o->closed = TRUE;
	settle(g);
	return TRUE;
}

/* A copy of o under a new name, in process proc. */
static Obj *
obj_copy(Gen *g, const Obj *o, guint proc)
{
	Obj *n = obj_new(g, o->kind, g_strdup_printf("d%u", ++g->ndup), proc);
	char *name = n->name;

	*n = *o;
	n->name = name;
	n->proc = proc;
	n->closed = FALSE;
	return n;
}

static gboolean
act_dup(Gen *g)
{
	Obj *o = pick_obj(g, is_any), *n;
	guint proc;

	if (o == NULL || o->nofd)
		return FALSE;
	proc = use_proc(g, o);
	n = obj_copy(g, o, o->proc);
	emit(g, proc, "dup %s as %s", o->name, n->name);
	if (o->closed || proc != o->proc)
		n->sure = n->port_sure = FALSE;	/* another fd, or none */
	return TRUE;
}

static gboolean
act_pass(Gen *g)
{
	Obj *o = pick_obj(g, is_any), *n;
	guint to, proc;

	if (o == NULL || o->nofd || g->procs->len < 2)
		return FALSE;
	to = rng_below(&g->rng, g->procs->len);
	if (to == o->proc)
		to = (to + 1) % g->procs->len;
	proc = use_proc(g, o);
	n = obj_copy(g, o, to);
	emit(g, proc, "pass %s to %s as %s", o->name,
	    ((Proc *)g->procs->pdata[to])->name, n->name);
	if (o->closed || proc != o->proc)
		n->sure = n->port_sure = FALSE;	/* another fd, or none */
	return TRUE;
}

static gboolean
act_cookie(Gen *g)
{
	Obj *s = pick_obj(g, is_sock);

	if (s == NULL)
		return FALSE;
	/* now and then two open sockets' cookies compared: by identity
	 * only, since cookies asked on different CPUs have no order */
	if (is_cookie_source(s) && rng_pct(&g->rng, 30)) {
		Obj *t = pick_obj(g, is_cookie_source);

		if (t != NULL && is_cookie_source(t)) {
			emit(g, s->proc, "expect cookie(%s) %s cookie(%s)",
			    s->name, rng_pct(&g->rng, 50) ? "==" : "!=",
			    t->name);
			return TRUE;
		}
	}
	emit(g, use_proc(g, s), "cookie %s", s->name);
	return TRUE;
}

/* max_entries: 1 and large ones as well as the usual. */
static guint
map_entries(Gen *g)
{
	static const guint sizes[] = { 1, 1, 2, 2, 3, 4, 4, 4, 4, 8, 8, 16,
		64, 1024, 65536 };

	return PICK(&g->rng, sizes);
}

static gboolean
act_map(Gen *g)
{
	static const char *const flag_words[] = { "no_prealloc", "numa",
		"rdonly", "wronly", "rdonly_prog", "wronly_prog", "mmapable",
		"preserve_elems", "inner_map", "8", "0x10000" };
	static const guint mtw[] = { 0, 0, 0, 0, 0, 0, 1, 1, 2, 2, 3, 4, 5 };
	GString *a = g_string_new(NULL);
	guint proc = pick_proc(g), r;
	Obj *m, *inner = NULL;

	m = obj_new(g, O_MAP, g_strdup_printf("m%u", ++g->nmap), proc);
	m->mtype = (MapType)PICK(&g->rng, mtw);
	if (is_outer(m)) {
		inner = pick_obj(g, rng_pct(&g->rng, 80) ? is_sockarray :
		    is_map);
		if (inner == NULL) {
			m->mtype = M_SOCKARRAY;
		} else {
			g_string_append_printf(a, " inner=%s", inner->name);
			m->entries = 1 + rng_below(&g->rng, 4);
		}
	}
	if (m->entries == 0)
		m->entries = map_entries(g);
	if (m->entries != 4 || rng_pct(&g->rng, 30))
		g_string_append_printf(a, " entries=%u", m->entries);
	r = rng_below(&g->rng, 100);
	if (m->mtype <= M_SOCKHASH || m->mtype == M_ARRAY) {
		if (r < 20)
			g_string_append(a, " value=4");
		else if (r < 23)
			g_string_append_printf(a, " value=%u",
			    rng_pct(&g->rng, 50) ? 2 : 16);
		else if (r < 35)
			g_string_append(a, " value=8");
	} else if (r < 5) {
		g_string_append(a, " value=8");
	}
	if (rng_pct(&g->rng, 3))
		g_string_append_printf(a, " key=%u", rng_pct(&g->rng, 50) ?
		    8 : 2);
	if (rng_pct(&g->rng, 8))
		g_string_append_printf(a, " flags=%s",
		    PICK(&g->rng, flag_words));
	if (rng_pct(&g->rng, 5))
		g_string_append(a, " name=\"fuzz\"");
	emit(g, proc, "map %s %s%s", m->name, map_type_names[m->mtype],
	    a->str);
	g_string_free(a, TRUE);
	return TRUE;
}

/* A key of map m: mostly inside it. */
static guint
map_key(Gen *g, const Obj *m)
{
	guint r = rng_below(&g->rng, 100);

	if (r < 88)
		return rng_below(&g->rng, MAX(m->entries, 1));
	if (r < 95)
		return m->entries;	/* one past the end */
	return rng_pct(&g->rng, 50) ? 0xffffffffu : 1000000;
}

static gboolean
act_update(Gen *g)
{
	static const char *const flags[] = { "", "", " any", " any",
		" any", " noexist", " noexist", " exist", " exist", " lock",
		" 3", " 8" };
	static const char *const nums[] = { "-1", "0", "3", "0xffffffff" };
	Obj *m = pick_obj(g, is_map), *v = NULL;
	guint r = rng_below(&g->rng, 100);
	const char *val;

	if (m == NULL)
		return FALSE;
	if (m->mtype == M_ARRAY && r < 90) {
		/* an array holds numbers */
		emit(g, use_proc(g, m), "update %s %u %u%s", m->name,
		    map_key(g, m), rng_below(&g->rng, 1000),
		    PICK(&g->rng, flags));
		return TRUE;
	}
	if (r < 88)
		v = pick_obj(g, is_outer(m) ? is_map : is_sock);
	else if (r < 93)
		v = pick_obj(g, is_any);
	if (v != NULL && v->proc != m->proc && rng_pct(&g->rng, 80)) {
		/* a value held by the map's own process, if there is one */
		Obj *w = pick_obj(g, is_outer(m) ? is_map : is_sock);

		if (w != NULL && w->proc == m->proc)
			v = w;
	}
	val = v != NULL ? v->name : PICK(&g->rng, nums);
	emit(g, use_proc(g, m), "update %s %u %s%s", m->name, map_key(g, m),
	    val, PICK(&g->rng, flags));
	return TRUE;
}

static gboolean
act_lookup(Gen *g)
{
	Obj *m = pick_obj(g, is_map);
	guint r = rng_below(&g->rng, 100);

	if (m == NULL)
		return FALSE;
	if (r < 88)
		emit(g, use_proc(g, m), "lookup %s %u", m->name,
		    map_key(g, m));
	else
		emit(g, use_proc(g, m), "lookup %s %u flags=%u", m->name,
		    map_key(g, m), r < 95 ? 4 : r < 98 ? 1 : 8);
	return TRUE;
}

static gboolean
act_delete(Gen *g)
{
	Obj *m = pick_obj(g, is_map);

	if (m == NULL)
		return FALSE;
	emit(g, use_proc(g, m), "delete %s %u", m->name, map_key(g, m));
	return TRUE;
}

static gboolean
act_next_key(Gen *g)
{
	Obj *m = pick_obj(g, is_map);

	if (m == NULL)
		return FALSE;
	if (rng_pct(&g->rng, 30))
		emit(g, use_proc(g, m), "next-key %s", m->name);
	else
		emit(g, use_proc(g, m), "next-key %s %u", m->name,
		    map_key(g, m));
	return TRUE;
}

static gboolean
act_map_misc(Gen *g)
{
	Obj *m = pick_obj(g, is_map);
	guint r = rng_below(&g->rng, 100);
	static const char *const fields[] = { "type", "id", "key", "value",
		"entries", "flags", "name" };

	if (m == NULL)
		return FALSE;
	if (r < 40)
		emit(g, use_proc(g, m), "lookup-and-delete %s %u", m->name,
		    map_key(g, m));
	else if (r < 72)
		emit(g, use_proc(g, m), "lookup-batch %s", m->name);
	else if (r < 88)
		emit(g, use_proc(g, m), "map-info %s %s", m->name,
		    PICK(&g->rng, fields));
	else
		emit(g, use_proc(g, m), "freeze %s", m->name);
	return TRUE;
}

/* key=SPEC of a program selecting from a map of n entries. */
static void
prog_key(Gen *g, Obj *p, guint n, GString *a)
{
	guint r = rng_below(&g->rng, 100);

	if (r < 50) {
		g_string_append_printf(a, " key=const:%u",
		    rng_pct(&g->rng, 90) ? rng_below(&g->rng, MAX(n, 1)) : n);
	} else if (r < 65) {
		g_string_append_printf(a, " key=payload:0:4%s",
		    rng_pct(&g->rng, 50) ? ":le" : "");
	} else if (r < 70) {
		/* widths 1, 2, 4: a policy's key is a number the generated
		 * program converts; 3 bytes have no conversion there */
		g_string_append_printf(a, " key=payload:%u:%u",
		    rng_below(&g->rng, 6), 1u << rng_below(&g->rng, 3));
	} else if (r < 78) {
		g_string_append(a, " key=hash");
	} else if (r < 85) {
		g_string_append_printf(a, " key=hash:%u",
		    1 + rng_below(&g->rng, MAX(n, 1)));
	} else {
		g_string_append(a, " key=migrate");
		p->migrate_key = TRUE;
	}
}

static gboolean
act_prog(Gen *g)
{
	GString *a = g_string_new(NULL);
	guint proc = pick_proc(g), r;
	Obj *p, *m = NULL;

	p = obj_new(g, O_PROG, g_strdup_printf("p%u", ++g->nprog), proc);
	if (rng_pct(&g->rng, 8))
		g_string_append(a, " type=socket_filter");
	r = rng_below(&g->rng, 100);
	if (r < 30)
		g_string_append(a, " attach=select");
	else if (r < 50)
		g_string_append(a, " attach=migrate");
	r = rng_below(&g->rng, 100);
	if (r < 62)
		m = pick_obj(g, is_sockarray);
	else if (r < 77)
		m = pick_obj(g, is_outer);
	else if (r < 87)
		m = pick_obj(g, is_sock_map);
	if (m != NULL) {
		if (m->proc != proc && rng_pct(&g->rng, 90))
			p->proc = proc = m->proc;
		g_string_append_printf(a, " map=%s", m->name);
		if (is_outer(m))
			g_string_append_printf(a, " outer=%u",
			    rng_below(&g->rng, m->entries + 1));
	}
	prog_key(g, p, m != NULL && !is_outer(m) ? m->entries : 4, a);
	if (rng_pct(&g->rng, 30))
		g_string_append(a, " on-error=pass");
	r = rng_below(&g->rng, 100);
	if (r < 5)
		g_string_append(a, " drop");
	else if (r < 13)
		g_string_append(a, " migrate-only");
	else if (r < 16)
		g_string_append(a, " bad-helper");
	emit(g, proc, "prog %s%s", p->name, a->str);
	g_string_free(a, TRUE);
	return TRUE;
}

static gboolean
act_attach(Gen *g)
{
	static const guint insns[] = { 0, 1, 4096, 4097 };
	Obj *s = pick_obj(g, rng_pct(&g->rng, 85) ? is_group_candidate :
	    is_sock);
	guint r = rng_below(&g->rng, 100);
	Obj *p;

	if (s == NULL)
		return FALSE;
	if (r < 65 && (p = pick_obj(g, is_prog)) != NULL) {
		emit(g, use_proc(g, s), "attach %s prog %s", s->name, p->name);
		return TRUE;
	}
	r = rng_below(&g->rng, 100);
	if (r < 35)
		emit(g, use_proc(g, s), "attach %s cbpf", s->name);
	else if (r < 65)
		emit(g, use_proc(g, s), "attach %s cbpf k=%u", s->name,
		    rng_below(&g->rng, 4));
	else if (r < 90)
		emit(g, use_proc(g, s), "attach %s cbpf payload off=0 mod=%u",
		    s->name, 1 + rng_below(&g->rng, 3));
	else
		emit(g, use_proc(g, s), "attach %s cbpf insns=%u", s->name,
		    PICK(&g->rng, insns));
	return TRUE;
}

static gboolean
act_detach(Gen *g)
{
	Obj *s = pick_obj(g, is_group_candidate);

	if (s == NULL)
		s = pick_obj(g, is_sock);
	if (s == NULL)
		return FALSE;
	emit(g, use_proc(g, s), "detach %s", s->name);
	settle(g);
	return TRUE;
}

static gboolean
act_migrate_key(Gen *g)
{
	Obj *p = pick_obj(g, is_migrate_prog), *s = pick_obj(g, is_listener);

	/* the statement asks the socket's cookie */
	if (p == NULL || s == NULL || !is_cookie_source(s))
		return FALSE;
	emit(g, p->proc, "migrate-key %s %s %u", p->name, s->name,
	    rng_below(&g->rng, 4));
	return TRUE;
}

static gboolean
act_send(Gen *g)
{
	char dst[64];
	GString *a = g_string_new(NULL);
	const char *src;
	Obj *t;
	gboolean tcp;
	guint fam = rng_pct(&g->rng, 55) ? 4 : 6;

	dest(g, fam, dst, sizeof(dst), &t);
	if (t != NULL) {
		char pb[16];

		fam = t->sk->family;
		g_snprintf(dst, sizeof(dst), "%s:%s", loop_addr(fam),
		    port_of(t, pb, sizeof(pb)));
		tcp = t->sk->tcp;
		if (rng_pct(&g->rng, 5))
			tcp = !tcp;
	} else {
		tcp = rng_pct(&g->rng, 50);
	}
	if (rng_pct(&g->rng, 40))
		g_string_append_printf(a, " payload=\"\\x%02x\\x00\\x00\\x00\"",
		    rng_below(&g->rng, 5));
	if (!kernel_only(g) && rng_pct(&g->rng, 30))
		g_string_append_printf(a, " hash=%u",
		    (guint)(rng_next(&g->rng) & 0xffffffffu));
	if (tcp) {
		guint r = rng_below(&g->rng, 100);

		if (r < 15)
			g_string_append(a, " conn=established");
		else if (r < 30)
			g_string_append(a, " conn=fastopen");
		else if (r < 35 && !kernel_only(g))
			g_string_append(a, " conn=request");
	}
	if (t != NULL) {
		const Proc *pr = g->procs->pdata[t->proc];

		if (pr->netns != 0)
			g_string_append_printf(a, " netns=%s",
			    (char *)g->netns->pdata[pr->netns]);
	}
	if (tcp && rng_pct(&g->rng, 25)) {
		Obj *k = obj_new(g, O_SOCK, g_strdup_printf("k%u",
		    ++g->nchild), 0);

		k->sk = &sock_kinds[fam == 6 ? 1 : 0];
		k->nofd = TRUE;
		k->connected = TRUE;
		g_string_append_printf(a, " as %s", k->name);
	}
	src = no_source_addr(g, fam);
	emit(g, 0, "send %s %s from %s:%u%s", tcp ? "tcp" : "udp", dst,
	    src != NULL ? src : loop_addr(fam), g->client_port++, a->str);
	g_string_free(a, TRUE);
	return TRUE;
}

static gboolean
act_sysctl(Gen *g)
{
	if (!kernel_only(g) && rng_pct(&g->rng, 15)) {
		emit(g, 0, "sysctl kernel.unprivileged_bpf_disabled %u",
		    rng_below(&g->rng, 3));
		return TRUE;
	}
	if (g->netns->len > 1 && rng_pct(&g->rng, 30))
		emit(g, 0, "sysctl net.ipv4.tcp_migrate_req %u netns=%s",
		    rng_below(&g->rng, 2), (char *)g->netns->pdata[1]);
	else
		emit(g, 0, "sysctl net.ipv4.tcp_migrate_req %u",
		    rng_pct(&g->rng, 75) ? 1 : 0);
	return TRUE;
}

static gboolean
act_proc(Gen *g)
{
	static const char *const caps[] = { "none", "net_admin", "bpf",
		"sys_admin", "net_admin,bpf", "all" };
	GString *a = g_string_new(NULL);
	Proc *p;

	if (g->procs->len >= 4)
		return FALSE;
	p = g_new0(Proc, 1);
	p->name = g_strdup_printf("u%u", ++g->nproc);
	if (g->netns->len > 1 && rng_pct(&g->rng, 50)) {
		p->netns = 1;
		g_string_append_printf(a, " netns=%s",
		    (char *)g->netns->pdata[1]);
	}
	if (rng_pct(&g->rng, 35)) {
		g_string_append(a, " uid=1000");
		p->uid1000 = TRUE;
	}
	if (rng_pct(&g->rng, 35))
		g_string_append_printf(a, " caps=%s", PICK(&g->rng, caps));
	emit(g, 0, "proc %s%s", p->name, a->str);
	g_ptr_array_add(g->procs, p);
	g_string_free(a, TRUE);
	return TRUE;
}

static gboolean
act_netns(Gen *g)
{
	char *n;

	if (g->netns->len >= 2)
		return FALSE;
	n = g_strdup_printf("n%u", ++g->nnetns);
	emit(g, 0, "netns %s", n);
	g_ptr_array_add(g->netns, n);
	return TRUE;
}

static gboolean
act_caps(Gen *g)
{
	static const char *const caps[] = { "none", "net_admin", "bpf",
		"all", "net_raw" };

	if (g->procs->len < 2)
		return FALSE;
	emit(g, 0, "caps %s %s", ((Proc *)g->procs->pdata[1 +
	    rng_below(&g->rng, g->procs->len - 1)])->name,
	    PICK(&g->rng, caps));
	return TRUE;
}

static gboolean
act_cpu(Gen *g)
{
	if (kernel_only(g))
		emit(g, 0, "cpu 0");
	else
		emit(g, 0, "cpu %u", rng_pct(&g->rng, 80) ?
		    rng_below(&g->rng, 2) : rng_below(&g->rng, 300));
	return TRUE;
}

static gboolean
act_rlimit(Gen *g)
{
	static const guint bytes[] = { 0, 4096, 65536 };
	guint p = rng_below(&g->rng, g->procs->len);

	/* Kernels before 5.11 charge BPF memory to the locked pages of the
	 * caller's user, which for root also hold the kernel backend's own
	 * maps: a limit is compared exactly only for another uid */
	if (kernel_only(g)) {
		guint i, n = 0;

		for (i = 0; i < g->procs->len; i++)
			n += ((Proc *)g->procs->pdata[i])->uid1000;
		if (n == 0)
			return FALSE;
		n = rng_below(&g->rng, n);
		for (p = 0; !((Proc *)g->procs->pdata[p])->uid1000 || n-- > 0;
		    p++)
			;
	}

	if (rng_pct(&g->rng, 50))
		emit(g, 0, "rlimit %s memlock unlimited",
		    ((Proc *)g->procs->pdata[p])->name);
	else
		emit(g, 0, "rlimit %s memlock %u",
		    ((Proc *)g->procs->pdata[p])->name,
		    PICK(&g->rng, bytes));
	return TRUE;
}

/* Model-only steps: what a kernel backend cannot carry out. */
static gboolean
act_model_only(Gen *g)
{
	guint r = rng_below(&g->rng, 100);
	Obj *s;

	if (kernel_only(g))
		return FALSE;
	if (r < 40 && (s = pick_obj(g, is_sock)) != NULL) {
		emit(g, use_proc(g, s), "owner %s foreign", s->name);
		return TRUE;
	}
	if (r < 70) {
		emit(g, 0, "ack-requests");
		return TRUE;
	}
	emit(g, 0, "synack-timer");
	return TRUE;
}

typedef struct {
	gboolean	(*fn)(Gen *g);
	guint		 weight;
} Action;

static const Action actions[] = {
	{ act_socket, 16 },
	{ act_setsockopt, 4 },
	{ act_bind, 4 },
	{ act_listen, 3 },
	{ act_connect, 4 },
	{ act_shutdown, 2 },
	{ act_accept, 4 },
	{ act_close, 5 },
	{ act_dup, 2 },
	{ act_pass, 2 },
	{ act_cookie, 2 },
	{ act_map, 5 },
	{ act_update, 12 },
	{ act_lookup, 5 },
	{ act_delete, 3 },
	{ act_next_key, 3 },
	{ act_map_misc, 2 },
	{ act_prog, 4 },
	{ act_attach, 5 },
	{ act_detach, 1 },
	{ act_migrate_key, 1 },
	{ act_send, 12 },
	{ act_sysctl, 1 },
	{ act_proc, 1 },
	{ act_netns, 1 },
	{ act_caps, 1 },
	{ act_cpu, 1 },
	{ act_rlimit, 1 },
	{ act_model_only, 2 },
};

static void
step(Gen *g)
{
	guint total = 0, r, i;

	for (i = 0; i < G_N_ELEMENTS(actions); i++)
		total += actions[i].weight;
	for (;;) {
		r = rng_below(&g->rng, total);
		for (i = 0; r >= actions[i].weight; i++)
			r -= actions[i].weight;
		if (actions[i].fn(g))
			return;
	}
}

/*
 * A random scenario of o->steps statements from o->seed (see gen.h).
 * The same options always give the same text.  Cannot fail.
 */
char *
sim_gen_scenario(const SimGenOptions *o)
{
	Gen g = { 0 };
	guint i;

	g_return_val_if_fail(o != NULL && o->steps > 0, NULL);
	g.rng.s = o->seed;
	g.route_rng.s = o->seed ^ G_GUINT64_CONSTANT(0x726f757465);
	g.src_rng.s = o->seed ^ G_GUINT64_CONSTANT(0x736f75726365);
	g.flags = o->flags;
	g.left = o->steps;
	g.out = g_string_new(NULL);
	g.objs = g_ptr_array_new_with_free_func(obj_free);
	g.procs = g_ptr_array_new_with_free_func(proc_free);
	g.netns = g_ptr_array_new_with_free_func(g_free);
	g_ptr_array_add(g.procs, g_new0(Proc, 1));
	((Proc *)g.procs->pdata[0])->name = g_strdup("init");
	g_ptr_array_add(g.netns, g_strdup("init"));
	g.client_port = 40000;
	for (i = 0; i < G_N_ELEMENTS(g.ports); i++)
		g.ports[i] = 7000 + 10 * i + rng_below(&g.rng, 10);

	if (o->title != NULL)
		g_string_append_printf(g.out, "# %s\n", o->title);
	else
		g_string_append_printf(g.out, "# seed-%" G_GUINT64_FORMAT
		    ".scn: a random scenario\n", o->seed);
	g_string_append_printf(g.out, "# Seed: %" G_GUINT64_FORMAT ", %u "
	    "steps%s (reuseport-sim gen --seed %" G_GUINT64_FORMAT
	    " --steps %u%s)\n", o->seed, o->steps, kernel_only(&g) ?
	    ", kernel steps only" : "", o->seed, o->steps, kernel_only(&g) ?
	    " --kernel-steps" : "");
	if (o->profile != NULL)
		g_string_append_printf(g.out, "profile %s\n", o->profile);
	while (g.left > 0)
		step(&g);
	g_ptr_array_unref(g.objs);
	g_ptr_array_unref(g.procs);
	g_ptr_array_unref(g.netns);
	return g_string_free(g.out, FALSE);
}
