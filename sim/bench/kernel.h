/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * bench-kernel.h - the live-kernel part of reuseport-bench (bench-kernel.c,
 * built with the kernel backend).
 */
#ifndef SIM_BENCH_KERNEL_H
#define SIM_BENCH_KERNEL_H

#include "rp.h"

int	bench_kernel(const struct rp_profile *prof, unsigned n);

#endif /* SIM_BENCH_KERNEL_H */
