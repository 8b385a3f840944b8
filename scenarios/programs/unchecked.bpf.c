/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * unchecked.bpf.c - a program the kernel's verifier refuses: it reads the
 * first payload byte straight from md->data without comparing against
 * md->data_end first ("invalid access to packet").  The model does not
 * verify (R-OBJ-3), runs it, and says the program was not verified;
 * programs/unchecked-refused.scn shows both.
 *
 * Compiled with clang -O2 -g -target bpf.
 */
#include "common.h"

struct {
	REUSEPORT_SOCKARRAY(2);
} socks SEC(".maps");

SEC("sk_reuseport")
int
unchecked(struct sk_reuseport_md *md)
{
	__u8 *udp = md->data;
	__u32 key = udp[8] & 1;	/* no bounds check: refused */

	bpf_sk_select_reuseport(md, &socks, &key, 0);
	return SK_PASS;
}

char _license[] SEC("license") = "GPL";
