/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * backend-kernel.h - the live-kernel backend of reuseport-sim: the same
 * ops table as the model backend (backend.h), carried out with real
 * syscalls in private network namespaces of the running Linux kernel.
 * See docs/kernel-backend.md for the design and what cannot be observed.
 *
 * open() fails with a GError in SIM_KERNEL_ERROR:
 *	SIM_KERNEL_ERROR_PERMISSION	not root, unshare(CLONE_NEWNET) or
 *					bpf() refused: the caller should skip
 *					(automake exit status 77);
 *	SIM_KERNEL_ERROR_PROFILE	the profile is not the running
 *					kernel's major.minor ("6.18"): skip
 *					that profile;
 *	SIM_KERNEL_ERROR_FAILED		anything else.
 */
#ifndef SIM_BACKEND_KERNEL_H
#define SIM_BACKEND_KERNEL_H

#include "core/backend.h"

G_BEGIN_DECLS

extern const SimBackendOps sim_backend_kernel;

#define SIM_KERNEL_ERROR (sim_kernel_error_quark())
GQuark		 sim_kernel_error_quark(void);

enum {
	SIM_KERNEL_ERROR_PERMISSION,	/* needs root: skip (exit 77) */
	SIM_KERNEL_ERROR_PROFILE,	/* not the running kernel's profile */
	SIM_KERNEL_ERROR_FAILED,
};

/*
 * The last diagnostic of b (a verifier log, why a send could not be
 * decided, why a setting was refused), or NULL.  Valid until the next
 * operation on b.
 */
const char	*sim_backend_kernel_last_error(SimBackend *b);

/*
 * What calibration measured on the running kernel (calibrate.c): the
 * value of each build variant switch (rp_variant_switch: its alternative
 * number, -1 when the probe could not tell) and of each kernel build
 * option the model knows (1 built in, 0 not, -1 unknown), each with how
 * it was measured.
 */
typedef struct SimKernelCalibration SimKernelCalibration;
struct SimKernelCalibration {
	char	*release;			/* uname -r */
	int	 switches[RP_SWITCH_COUNT];
	char	*why[RP_SWITCH_COUNT];
	int	 mptcp;				/* CONFIG_MPTCP */
	char	*mptcp_why;
};

gboolean	 sim_kernel_has_mptcp(void);
gboolean	 sim_kernel_calibrate(SimKernelCalibration *out,
		    GError **error);
void		 sim_kernel_calibration_clear(SimKernelCalibration *c);

/* Bring lo up in the calling thread's network namespace (worker.c): 0 or
 * -errno. */
int		 sim_kernel_lo_up(void);

G_END_DECLS

#endif /* SIM_BACKEND_KERNEL_H */
