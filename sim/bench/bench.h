/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * bench.h - parts of reuseport-bench that live in their own files.
 */
#ifndef SIM_BENCH_H
#define SIM_BENCH_H

/* explore.c: reuseport-bench --explore FILE... */
int	bench_explore(int nfiles, char **files);
/* scale.c: reuseport-bench --scale [--full] [-m SLOTS] [--profile P] */
int	bench_scale(int argc, char **argv);

#endif /* SIM_BENCH_H */
