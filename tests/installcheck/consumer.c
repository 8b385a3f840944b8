/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * consumer.c - a program that uses the installed reuseport-model as any
 * user would: `#include <reuseport-model/rp.h>` and `pkg-config --cflags
 * --libs reuseport-model`, nothing from the source tree (run.sh builds
 * it).  Two TCP listeners in one group, a sockarray holding the first,
 * the first closed: its slot is emptied, the group keeps the second, and
 * the model's invariants hold.  It also frees a GError of its own, so
 * glib-2.0 must reach the link line.  Exit status 0 when all of it holds.
 */
#include <stdio.h>
#include <string.h>

#include <reuseport-model/rp.h>

static int failures;

#define CHECK(what, cond) do {						\
	if (!(cond)) {							\
		fprintf(stderr, "consumer: %s: FAILED\n", (what));	\
		failures++;						\
	} else {							\
		printf("ok: %s\n", (what));				\
	}								\
} while (0)

/* A TCP listener on 127.0.0.1:port with SO_REUSEPORT, or -errno. */
static int
listener(struct rp_state *st, uint16_t port)
{
	struct rp_sockaddr sa;
	int fd, err;

	memset(&sa, 0, sizeof(sa));
	sa.addr.family = RP_AF_INET;
	sa.addr.a[0] = 127;
	sa.addr.a[3] = 1;
	sa.port = port;
	fd = rp_socket(st, 0, RP_AF_INET, RP_SOCK_STREAM, RP_IPPROTO_TCP);
	if (fd < 0)
		return fd;
	if ((err = rp_setsockopt_int(st, 0, fd, RP_SO_REUSEPORT, 1)) != 0 ||
	    (err = rp_bind(st, 0, fd, &sa)) != 0 ||
	    (err = rp_listen(st, 0, fd, 16)) != 0)
		return err;
	return fd;
}

int
main(void)
{
	const struct rp_profile *prof = rp_profile_find("6.18");
	struct rp_state *st;
	struct rp_map_attr attr;
	struct rp_sock_info si;
	struct rp_group_info gi;
	GError *error = NULL;
	unsigned map, b_id;
	int a, b, m;

	CHECK("profile 6.18", prof != NULL);
	if (prof == NULL)
		return 1;
	st = rp_state_new(prof);
	a = listener(st, 8080);
	b = listener(st, 8080);
	CHECK("two listeners", a >= 0 && b >= 0);

	b_id = rp_fd_sock(st, 0, b);
	CHECK("one group of two",
	    rp_sock_info(st, b_id, &si) == 0 && si.group != 0 &&
	    rp_group_info(st, si.group, &gi) == 0 && gi.num_socks == 2);

	rp_map_attr_init(&attr, RP_MAP_REUSEPORT_SOCKARRAY, 8, 4);
	m = rp_map_create(st, 0, &attr);
	CHECK("map created", m >= 0);
	map = rp_fd_map(st, 0, m);
	CHECK("update slot 0", rp_map_update(st, 0, m, 0, (uint64_t)a,
	    RP_BPF_NOEXIST) == 0);
	CHECK("slot 0 holds a", rp_map_slot(st, map, 0) ==
	    rp_fd_sock(st, 0, a));
	CHECK("a closed", rp_close(st, 0, a) == 0);
	CHECK("slot 0 emptied", rp_map_slot(st, map, 0) == 0);
	CHECK("group of one",
	    rp_group_info(st, si.group, &gi) == 0 && gi.num_socks == 1);
	CHECK("invariants hold", rp_check(st, &error));
	if (error != NULL) {
		fprintf(stderr, "consumer: %s\n", error->message);
		g_error_free(error);
	}

	/* a GError of the program's own: glib-2.0 must be linked */
	error = g_error_new_literal(G_FILE_ERROR, G_FILE_ERROR_NOENT, "test");
	CHECK("own GError", error != NULL && error->code == G_FILE_ERROR_NOENT);
	g_clear_error(&error);

	rp_state_free(st);
	printf("consumer: %d failed\n", failures);
	return failures == 0 ? 0 : 1;
}
