/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * printk.bpf.c - an SK_REUSEPORT program that logs as programs written
 * elsewhere do, with libbpf's bpf_printk(): a message without arguments
 * is a bpf_trace_printk() call that writes only r1 and r2 (the format and
 * its size), a message with up to three arguments writes r3 on, and one
 * with more passes them in an array to bpf_trace_vprintk().  It steers
 * UDP by the first payload byte (0: slot 0, anything else: slot 1) and
 * drops a datagram without payload or whose slot is empty.
 *
 * printk.bpf.o is committed; make regen-bpfobj rebuilds it.
 */
#include "common.h"

struct {
	REUSEPORT_SOCKARRAY(2);
} workers SEC(".maps");

SEC("sk_reuseport")
int
printk_select(struct sk_reuseport_md *md)
{
	__u8 first = 0;
	__u32 slot;
	long err;

	/* UDP: the payload starts after the 8-byte header */
	if (bpf_skb_load_bytes(md, 8, &first, 1) != 0) {
		bpf_printk("no payload: dropped");
		return SK_DROP;
	}
	slot = first != 0;
	err = bpf_sk_select_reuseport(md, &workers, &slot, 0);
	if (err != 0) {
		bpf_printk("slot %u: select failed (%ld)", slot, err);
		return SK_DROP;
	}
	/* four arguments: libbpf calls bpf_trace_vprintk() */
	bpf_printk("slot %u: len %u protocol %u hash %x", slot, md->len,
	    md->ip_protocol, md->hash);
	return SK_PASS;
}

char _license[] SEC("license") = "GPL";
