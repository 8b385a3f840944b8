/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * util.h - what the benchmark programs share (util.c).
 */
#ifndef SIM_BENCH_UTIL_H
#define SIM_BENCH_UTIL_H

#include <stddef.h>
#include <stdint.h>

#include "rp.h"

struct rp_sockaddr	bench_lo4(uint16_t port);
size_t			bench_heap_used(void);

#endif /* SIM_BENCH_UTIL_H */
