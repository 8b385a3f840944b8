/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * spin.bpf.c - an SK_REUSEPORT program that never ends (tests/limits.sh):
 * the kernel's verifier refuses it; the model, which runs an object's
 * program unverified, stops it at its instruction budget (R-EBPF-12).
 *
 * spin.bpf.o is committed so that the test runs without clang:
 *   clang -O2 -g -target bpf -I/usr/include/$(gcc -dumpmachine) \
 *       -c spin.bpf.c -o spin.bpf.o && llvm-strip -g spin.bpf.o
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("sk_reuseport")
int
spin(struct sk_reuseport_md *md)
{
	volatile __u32 n = md->len;

	for (;;)
		n++;
	return SK_PASS;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
