/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * words.c - names of kernel numbers in the scenario language's words
 * (words.h).  The numbers are the model's (rp.h), which are Linux's.
 */
#include "rp.h"

#include "lang/lex.h"
#include "lang/words.h"

/* Scenario names of kernel numbers: "listen" for RP_TCP_LISTEN, "inet6",
 * "udp", "sockarray".  States without a name are "?"; families and
 * protocols without one are NULL (print the number). */
const char *
sim_state_name(int state)
{
	switch (state) {
	case RP_TCP_ESTABLISHED:
		return "established";
	case RP_TCP_SYN_SENT:
		return "syn_sent";
	case RP_TCP_SYN_RECV:
		return "syn_recv";
	case RP_TCP_CLOSE:
		return "close";
	case RP_TCP_LISTEN:
		return "listen";
	case RP_TCP_NEW_SYN_RECV:
		return "new_syn_recv";
	case RP_TCP_TIME_WAIT:
		return "time_wait";
	case RP_TCP_FIN_WAIT2:
		return "fin_wait2";
	case RP_TCP_CLOSE_WAIT:
		return "close_wait";
	default:
		return "?";
	}
}

const char *
sim_family_name(int family)
{
	switch (family) {
	case RP_AF_UNSPEC:
		return "unspec";
	case RP_AF_UNIX:
		return "unix";
	case RP_AF_INET:
		return "inet";
	case RP_AF_INET6:
		return "inet6";
	case RP_AF_NETLINK:
		return "netlink";
	default:
		return NULL;
	}
}

/* "stream", "dgram", "raw", "0"; NULL for a type without a name. */
const char *
sim_socktype_name(int type)
{
	static const char *const types[] = { "0", "stream", "dgram", "raw" };

	if (type < 0 || type >= (int)G_N_ELEMENTS(types))
		return NULL;
	return types[type];
}

const char *
sim_proto_name(int proto)
{
	switch (proto) {
	case RP_IPPROTO_IP:
		return "0";
	case RP_IPPROTO_ICMP:
		return "icmp";
	case RP_IPPROTO_TCP:
		return "tcp";
	case RP_IPPROTO_UDP:
		return "udp";
	case RP_IPPROTO_UDPLITE:
		return "udplite";
	case RP_IPPROTO_RAW:
		return "raw";
	default:
		return NULL;
	}
}

const char *
sim_map_type_name(guint32 type)
{
	switch (type) {
	case RP_MAP_REUSEPORT_SOCKARRAY:
		return "sockarray";
	case RP_MAP_SOCKMAP:
		return "sockmap";
	case RP_MAP_SOCKHASH:
		return "sockhash";
	case RP_MAP_ARRAY_OF_MAPS:
		return "array_of_maps";
	case RP_MAP_HASH_OF_MAPS:
		return "hash_of_maps";
	case RP_MAP_ARRAY:
		return "array";
	default:
		return "?";
	}
}

/* "0", "-EEXIST", or "-600" for a number without a name.  g_free() it. */
char *
sim_err_string(int err)
{
	const char *n = err < 0 ? sim_errno_name(-err) : NULL;

	if (err == 0)
		return g_strdup("0");
	if (n != NULL)
		return g_strdup_printf("-%s", n);
	return g_strdup_printf("%d", err);
}
