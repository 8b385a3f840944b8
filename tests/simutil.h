/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * simutil.h - what the Check suites of the simulator's tools share: a fake
 * backend, the model with a few operations replaced (check_kdiff,
 * check_fuzzdiff).
 */
#ifndef SIMUTIL_H
#define SIMUTIL_H

#include <errno.h>

#include "backend/model.h"

/* The model's operations as another backend's: named "fake" and without
 * the model-only queries (inspect NULL), like a kernel.  The test then
 * replaces the operations it fakes. */
static inline SimBackendOps
tu_fake_backend(void)
{
	SimBackendOps ops = sim_backend_model;

	ops.name = "fake";
	ops.inspect = NULL;
	return ops;
}

/* A map_freeze that answers every freeze with -EPERM: a divergence from
 * the model for diff. */
static inline int
tu_freeze_eperm(SimBackend *b, unsigned proc, int fd)
{
	(void)b;
	(void)proc;
	(void)fd;
	return -EPERM;
}

#endif /* SIMUTIL_H */
