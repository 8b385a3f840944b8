/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * fuzz-ebpf.c - libFuzzer target of the program interpreters
 * (model/ebpf.c, helpers.c, cbpf.c, valmap.c, skb.c): random instruction
 * streams loaded and run the way a scenario would.  What it checks is
 * that nothing crashes, hangs or leaks, that a run ends (exit or fault,
 * never a loop: the instruction budget is 20,000 here), that a fault is
 * always reported as a violation and never as anything else, and that
 * the model's invariants (rp_check()) hold after every packet.  Each
 * input runs twice, without and with a BPF observer: an observer sends
 * every instruction through the interpreter's general path, so the two
 * transcripts (verdicts, sockets, faults and their rules and places)
 * must agree, or the fast path disagrees with it.
 *
 * Input: byte 0 selects (bit 0) the profile 4.19/6.18, unless its bits
 * 5-7 hold a number v from 1 to 7: then rp_profile_nth(v - 1); (bit 1) a
 * SOCKET_FILTER program instead of SK_REUSEPORT, (bit 2) TCP instead of
 * UDP, (bit 3) a classic program, (bit 4) a SELECT_OR_MIGRATE program and
 * a closed listener; byte 1 is the payload length n; n bytes of payload
 * follow, then the instructions, 8 bytes each (struct rp_insn, or struct
 * rp_sock_filter for classic programs).  So that random bytes name real
 * maps, an LD_IMM64 map fd is taken modulo the maps set up here, and a
 * helper id modulo 256.
 */
#include <string.h>

#include "fuzz.h"
#include "rp.h"

#define PORT		43000
#define MAXINSNS	512
#define NMAPS		7

static struct rp_sockaddr
lo4(uint16_t port)
{
	struct rp_sockaddr sa = { .addr = { .family = RP_AF_INET,
	    .a = { 127, 0, 0, 1 } }, .port = port };

	return sa;
}

static int
member(struct rp_state *st, int type)
{
	struct rp_sockaddr sa = lo4(PORT);
	int fd = rp_socket(st, 0, RP_AF_INET, type, 0);

	rp_setsockopt_int(st, 0, fd, RP_SO_REUSEPORT, 1);
	rp_bind(st, 0, fd, &sa);
	if (type == RP_SOCK_STREAM)
		rp_listen(st, 0, fd, 16);
	return fd;
}

static int
make_map(struct rp_state *st, uint32_t type, uint32_t ks, uint32_t vs,
    uint32_t n, int inner)
{
	struct rp_map_attr a;

	rp_map_attr_init(&a, type, vs, n);
	a.key_size = ks;
	a.inner_map_fd = inner;
	return rp_map_create(st, 0, &a);
}

/* The run's verdict must be explainable: a fault leaves a violation;
 * what happened goes to the transcript t. */
static void
settle(struct rp_state *st, const char *what, GString *t)
{
	g_autoptr(GError) err = NULL;
	g_autofree char *v = rp_state_take_violation(st);

	fuzz_debug(what, v != NULL ? v : "ok");
	g_string_append_printf(t, "%s: %s\n", what, v != NULL ? v : "ok");
	if (!rp_check(st, &err))
		g_error("%s: invariant broken: %s", what, err->message);
}

static void
sent(GString *t, const struct rp_delivery *d)
{
	g_string_append_printf(t, "delivery: outcome %d how %d sock %u child "
	    "%u ret %d helper %d fault %d\n", (int)d->outcome, (int)d->how,
	    d->sock, d->child, d->prog_ret, d->helper_err, d->prog_fault);
}

static void
observed(void *ud, const struct rp_bpf_event *ev)
{
	(void)ud;
	(void)ev;
}

/* One run of the input; observe: with a BPF observer. */
static GString *
run_once(const uint8_t *data, size_t size, bool observe)
{
	static const struct rp_bpf_observer obs = { .event = observed,
	    .want_insns = true };
	GString *t = g_string_new(NULL);
	bool v618, filter, tcp, classic, migrate;
	const struct rp_profile *prof;
	struct rp_state *st;
	int fds[3], maps[NMAPS], type, n, pfd = -1;
	size_t plen, ninsn;
	const uint8_t *pay, *code;
	struct rp_delivery d;
	struct rp_packet pkt;

	v618 = data[0] & 1;
	filter = data[0] & 2;
	tcp = data[0] & 4;
	classic = data[0] & 8;
	migrate = (data[0] & 16) && tcp && !filter && !classic;
	plen = MIN((size_t)data[1], size - 2);
	pay = data + 2;
	code = pay + plen;
	ninsn = MIN((size - 2 - plen) / 8, (size_t)MAXINSNS);
	type = tcp ? RP_SOCK_STREAM : RP_SOCK_DGRAM;

	prof = data[0] >> 5 != 0 ? rp_profile_nth((size_t)(data[0] >> 5) - 1) :
	    rp_profile_find(v618 ? "6.18" : "4.19");
	st = rp_state_new(prof);
	rp_state_set_insn_budget(st, 20000);
	rp_state_set_seed(st, 7);
	rp_state_set_cpu(st, 1);
	if (observe)
		rp_state_set_bpf_observer(st, &obs, NULL);
	for (int i = 0; i < 3; i++)
		fds[i] = member(st, type);
	maps[0] = make_map(st, RP_MAP_REUSEPORT_SOCKARRAY, 4, 8, 4, -1);
	maps[1] = make_map(st, RP_MAP_ARRAY, 4, 8, 4, -1);
	maps[2] = make_map(st, RP_MAP_HASH, 4, 8, 4, -1);
	maps[3] = make_map(st, RP_MAP_PERCPU_ARRAY, 4, 16, 2, -1);
	maps[4] = make_map(st, RP_MAP_ARRAY_OF_MAPS, 4, 4, 2, maps[0]);
	maps[5] = make_map(st, RP_MAP_ARRAY, 4, 32, 1, -1);
	maps[6] = v618 ? make_map(st, RP_MAP_SOCKHASH, 4, 8, 4, -1) : maps[1];
	for (int i = 0; i < 3; i++)
		rp_map_update(st, 0, maps[0], (uint32_t)i, (uint64_t)fds[i],
		    RP_BPF_ANY);
	rp_map_update(st, 0, maps[4], 0, (uint64_t)maps[0], RP_BPF_ANY);

	if (classic) {
		g_autofree struct rp_sock_filter *f = g_new0(
		    struct rp_sock_filter, ninsn + 1);

		memcpy(f, code, ninsn * sizeof(*f));
		rp_attach_cbpf_insns(st, 0, fds[0], f, (unsigned)ninsn);
	} else {
		g_autofree struct rp_insn *p = g_new0(struct rp_insn,
		    ninsn + 1);
		struct rp_prog_insns_attr a = { .prog_type = filter ?
		    RP_PROG_SOCKET_FILTER : RP_PROG_SK_REUSEPORT,
		    .expected_attach_type = migrate && v618 ?
		    RP_ATTACH_SK_REUSEPORT_SELECT_OR_MIGRATE : 0, .insns = p,
		    .insn_cnt = (uint32_t)ninsn };

		memcpy(p, code, ninsn * sizeof(*p));
		for (size_t i = 0; i < ninsn; i++) {
			if (p[i].code == 0x18 && (p[i].src_reg == 1 ||
			    p[i].src_reg == 2))
				p[i].imm = maps[(uint32_t)p[i].imm % NMAPS];
			else if (p[i].code == 0x85 && p[i].src_reg == 0)
				p[i].imm &= 0xff;
		}
		pfd = rp_prog_load_insns(st, 0, &a);
		if (pfd >= 0)
			rp_attach_ebpf(st, 0, fds[0], pfd);
	}
	settle(st, "attach", t);

	memset(&pkt, 0, sizeof(pkt));
	pkt.protocol = tcp ? RP_IPPROTO_TCP : RP_IPPROTO_UDP;
	pkt.src = lo4(5000);
	pkt.dst = lo4(PORT);
	pkt.payload = pay;
	pkt.len = plen;
	for (n = 0; n < 3; n++) {
		pkt.has_hash = n > 0;
		pkt.hash = (uint32_t)n * 0x55555555u;
		pkt.src.port = (uint16_t)(5000 + n);
		memset(&d, 0, sizeof(d));
		g_string_append_printf(t, "send: %d\n",
		    rp_send(st, 0, &pkt, &d));
		sent(t, &d);
		settle(st, "send", t);
	}
	if (filter && pfd >= 0) {
		struct rp_bpf_run_result out;

		memset(&out, 0, sizeof(out));
		g_string_append_printf(t, "test run: %d retval %" G_GUINT64_FORMAT
		    " insns %" G_GUINT64_FORMAT " fault %d\n",
		    rp_prog_test_run(st, 0, pfd, data, size, &out), out.retval,
		    out.insns, out.fault);
		settle(st, "test run", t);
	}
	if (migrate) {
		int c = rp_socket(st, 0, RP_AF_INET, RP_SOCK_STREAM, 0);
		struct rp_sockaddr sa = lo4(PORT);

		rp_sysctl_set(st, 0, "net.ipv4.tcp_migrate_req", 1);
		g_string_append_printf(t, "connect: %d\n",
		    rp_connect(st, 0, c, &sa));
		settle(st, "connect", t);
		for (int i = 0; i < 3; i++) {
			g_string_append_printf(t, "close: %d\n",
			    rp_close(st, 0, fds[i]));
			settle(st, "close", t);
		}
	}
	rp_state_free(st);
	return t;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	g_autoptr(GString) fast = NULL, general = NULL;

	if (size < 2)
		return 0;
	fast = run_once(data, size, false);
	general = run_once(data, size, true);
	if (!g_string_equal(fast, general))
		g_error("the fast path and the general path disagree:\n"
		    "-- without an observer:\n%s-- with one:\n%s", fast->str,
		    general->str);
	return 0;
}
