/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * kernels.h - which kernel a command runs against (kernels.c): `--kernel
 * host|vm:NAME|vm:PATH[,...]` of run, diff, calibrate and reuseport-bench,
 * the profile `--profile auto` calibrates for the running kernel, and
 * running this very command inside a kernel booted under qemu by
 * sim/vm/reuseport-vm (docs/kernel-vm.md).
 *
 * A VM kernel runs reuseport-sim itself in the guest with `--kernel
 * host` in place of `--kernel vm:...`: the scenario files and manifests
 * of the command line are packed into its initramfs, its stdout, stderr
 * and exit status come back unchanged, and it prints the guest's kernel
 * release in its report as the host does.
 */
#ifndef SIM_CLI_KERNELS_H
#define SIM_CLI_KERNELS_H

#include <stdio.h>

#include <glib.h>

G_BEGIN_DECLS

/* Exit status when the kernel asked for cannot be had (no qemu, no
 * package, no boot): automake's "skipped". */
#define SIM_EXIT_NO_KERNEL	77

/* One --kernel value. */
typedef struct SimKernelTarget SimKernelTarget;
struct SimKernelTarget {
	char		*name;		/* as written: "host", "vm:6.12" */
	char		*vm;		/* NULL for the host: "6.12", a path */
};

GPtrArray	*sim_kernel_targets_parse(const char *value, GError **error);
char		**sim_kernel_guest_argv(int argc, char **argv);
int		 sim_kernel_exec(const SimKernelTarget *k, char **argv,
		    const GPtrArray *adds, char **out, GError **error);
int		 sim_kernel_run_here(const SimKernelTarget *k, int argc,
		    char **argv, const GPtrArray *adds);
const char	*sim_kernel_auto_profile(GString *note, int *kconfig_mptcp,
		    GError **error);
char		*sim_kernel_release(void);
void		 sim_kernel_target_free(gpointer p);
void		 sim_kernel_add_inputs(GPtrArray *adds, const GPtrArray *inputs);

G_END_DECLS

#endif /* SIM_CLI_KERNELS_H */
