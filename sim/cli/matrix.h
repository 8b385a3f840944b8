/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * matrix.h - `reuseport-sim diff --kernel K[,K...]` (matrix.c): the diff
 * run on each kernel (the host in this program again, others in a VM),
 * gathered into scenario x kernel: agree, known divergence, unexplained,
 * skipped.
 */
#ifndef SIM_CLI_MATRIX_H
#define SIM_CLI_MATRIX_H

#include <stdio.h>

#include <glib.h>

#include "cli/report.h"

G_BEGIN_DECLS

typedef struct SimMatrixOptions SimMatrixOptions;
struct SimMatrixOptions {
	const GPtrArray	*kernels;	/* SimKernelTarget * */
	int		 argc;		/* the diff command line, argv[0] */
	char		**argv;		/* "diff" */
	const GPtrArray	*paths;		/* scenario files and directories */
	const GPtrArray	*manifests;	/* manifest files */
	const GPtrArray	*inputs;	/* SimInput *: the scenarios read */
	SimFormat	 format;
	FILE		*out;
};

int	 sim_matrix_one(const SimMatrixOptions *o);
void	 sim_matrix_vm_manifests(const char *m, const SimKernelTarget *k,
	    GPtrArray *out);
int	 sim_matrix_run(const SimMatrixOptions *o);

G_END_DECLS

#endif /* SIM_CLI_MATRIX_H */
