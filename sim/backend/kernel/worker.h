/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * worker.h - the worker threads of the kernel backend (worker.c): each
 * plays one simulated process or the root of one network namespace, in
 * its own namespace with its own uid and capabilities, and runs the jobs
 * it is handed one at a time.
 */
#ifndef SIM_BACKEND_KERNEL_WORKER_H
#define SIM_BACKEND_KERNEL_WORKER_H

#include "backend/kernel/kernel-int.h"

int		 kb_sysctl_write_fd(int fd, long val);
int		 kb_pin(pid_t tid, int cpu);
int		 kb_caps_set(uint64_t caps);
KbWorker	*kb_worker_new(int join_fd, gboolean set_creds, uint32_t uid,
		    uint64_t caps, int cpu, int *err, char **what);
void		 kb_worker_free(KbWorker *w);
int		 kb_worker_run(KbWorker *w, KbFn fn, void *arg);

#endif /* SIM_BACKEND_KERNEL_WORKER_H */
