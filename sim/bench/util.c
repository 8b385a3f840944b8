/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * util.c - what the benchmark programs (bench.c, scale.c, ebpf.c) share:
 * the loopback address they bind to and how they read the heap.
 */
#include <malloc.h>

#include "bench/util.h"

/* 127.0.0.1:port, the model's address of every benchmark socket. */
struct rp_sockaddr
bench_lo4(uint16_t port)
{
	struct rp_sockaddr sa = { .addr = { .family = RP_AF_INET,
	    .a = { 127, 0, 0, 1 } }, .port = port };

	return sa;
}

/* The bytes the process's heap holds now (mallinfo2()): arena and mmap. */
size_t
bench_heap_used(void)
{
	struct mallinfo2 mi = mallinfo2();

	return mi.uordblks + mi.hblkhd;
}
