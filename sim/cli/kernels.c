/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * kernels.c - --kernel, calibrated --profile auto, and a command run
 * again inside a VM kernel (kernels.h).
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <string.h>
#include <sys/utsname.h>

#include "rp.h"

#include "cli/kernels.h"
#include "core/error.h"
#include "core/inputs.h"
#include "core/profiles.h"
#ifdef HAVE_KERNEL_BACKEND
#include "backend/kernel.h"
#endif

void
sim_kernel_target_free(gpointer p)
{
	SimKernelTarget *k = p;

	g_free(k->name);
	g_free(k->vm);
	g_free(k);
}

/*
 * "host,vm:6.12,vm:/boot/vmlinuz" -> SimKernelTarget *, in order.  NULL
 * with SIM_ERROR_INPUT for an empty item, another word than host or
 * vm:..., or one named twice.
 */
GPtrArray *
sim_kernel_targets_parse(const char *value, GError **error)
{
	g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func(
	    sim_kernel_target_free);
	g_auto(GStrv) parts = g_strsplit(value, ",", -1);

	for (guint i = 0; parts[i] != NULL; i++) {
		const char *p = parts[i];
		SimKernelTarget *k;

		if (strcmp(p, "host") != 0 && (!g_str_has_prefix(p, "vm:") ||
		    p[3] == '\0')) {
			g_set_error(error, SIM_ERROR, SIM_ERROR_INPUT,
			    "--kernel: '%s' is neither host nor vm:NAME "
			    "(5.10, 6.1, 6.12, 7.2, another N.M) nor "
			    "vm:PATH-TO-VMLINUZ", p);
			return NULL;
		}
		for (guint j = 0; j < out->len; j++)
			if (strcmp(((SimKernelTarget *)out->pdata[j])->name,
			    p) == 0) {
				g_set_error(error, SIM_ERROR, SIM_ERROR_INPUT,
				    "--kernel: '%s' is named twice", p);
				return NULL;
			}
		k = g_new0(SimKernelTarget, 1);
		k->name = g_strdup(p);
		k->vm = strcmp(p, "host") == 0 ? NULL : g_strdup(p + 3);
		g_ptr_array_add(out, k);
	}
	return g_steal_pointer(&out);
}

/*
 * argv (argv[0] the command: "diff") with every --kernel option replaced
 * by "--kernel host": what the guest runs.  g_strfreev().
 */
char **
sim_kernel_guest_argv(int argc, char **argv)
{
	GPtrArray *a = g_ptr_array_new();
	gboolean dashdash = FALSE;

	for (int i = 0; i < argc; i++) {
		if (!dashdash && strcmp(argv[i], "--") == 0)
			dashdash = TRUE;
		if (!dashdash && i > 0 && strcmp(argv[i], "--kernel") == 0) {
			i++;	/* and its value */
			continue;
		}
		if (!dashdash && i > 0 && g_str_has_prefix(argv[i],
		    "--kernel="))
			continue;
		g_ptr_array_add(a, g_strdup(argv[i]));
		if (i == 0) {
			g_ptr_array_add(a, g_strdup("--kernel"));
			g_ptr_array_add(a, g_strdup("host"));
		}
	}
	g_ptr_array_add(a, NULL);
	return (char **)g_ptr_array_free(a, FALSE);
}

/* The reuseport-vm script: $REUSEPORT_VM, else the source tree's. */
static const char *
vm_script(void)
{
	const char *e = g_getenv("REUSEPORT_VM");

	if (e != NULL && *e != '\0')
		return e;
#ifdef SIM_VM_SCRIPT
	return SIM_VM_SCRIPT;
#else
	return "reuseport-vm";
#endif
}

/*
 * Run reuseport-sim argv (argv[0] the command, "diff") on kernel k: the
 * host runs this very program again; a VM boots k->vm under reuseport-vm
 * with this program, its libraries and adds (files and directories) in
 * the initramfs.  stdout goes to *out when out is set (else it is
 * inherited); stderr is inherited.  Returns the command's exit status,
 * or SIM_EXIT_NO_KERNEL with error set (the reason in one line) when the
 * VM cannot be had; -1 with error when nothing could be started.
 */
int
sim_kernel_exec(const SimKernelTarget *k, char **argv, const GPtrArray *adds,
    char **out, GError **error)
{
	g_autoptr(GPtrArray) a = g_ptr_array_new_with_free_func(g_free);
	g_autofree char *self = g_file_read_link("/proc/self/exe", NULL);
	g_autofree char *err = NULL;
	int wait = 0;

	/* rebuilt while running: the new file at the same path */
	if (self != NULL && g_str_has_suffix(self, " (deleted)"))
		self[strlen(self) - strlen(" (deleted)")] = '\0';
	if (self == NULL) {
		g_set_error(error, SIM_ERROR, SIM_ERROR_INPUT, "--kernel %s: "
		    "cannot find this program (/proc/self/exe)", k->name);
		return -1;
	}
	if (k->vm != NULL) {
		g_ptr_array_add(a, g_strdup(vm_script()));
		g_ptr_array_add(a, g_strdup("run"));
		g_ptr_array_add(a, g_strdup("--prog"));
		g_ptr_array_add(a, g_strdup(self));
		g_autoptr(GHashTable) seen = g_hash_table_new(g_str_hash,
		    g_str_equal);

		for (guint i = 0; adds != NULL && i < adds->len; i++) {
			if (!g_hash_table_add(seen, adds->pdata[i]))
				continue;
			g_ptr_array_add(a, g_strdup("--add"));
			g_ptr_array_add(a, g_strdup(adds->pdata[i]));
		}
		g_ptr_array_add(a, g_strdup(k->vm));
		g_ptr_array_add(a, g_strdup("--"));
		g_ptr_array_add(a, g_path_get_basename(self));
	} else {
		g_ptr_array_add(a, g_strdup(self));
	}
	for (guint i = 0; argv[i] != NULL; i++)
		g_ptr_array_add(a, g_strdup(argv[i]));
	g_ptr_array_add(a, NULL);
	if (!g_spawn_sync(NULL, (char **)a->pdata, NULL,
	    G_SPAWN_CHILD_INHERITS_STDIN | (k->vm == NULL ? 0 :
	    G_SPAWN_SEARCH_PATH), NULL, NULL, out, k->vm != NULL ? &err :
	    NULL, &wait, error))
		return -1;
	if (err != NULL) {
		/* reuseport-vm's lines: the last one says why a VM failed */
		g_auto(GStrv) lines = g_strsplit(err, "\n", -1);
		const char *why = NULL;

		fputs(err, stderr);
		for (guint i = 0; lines[i] != NULL; i++)
			if (g_str_has_prefix(lines[i], "reuseport-vm: "))
				why = lines[i] + strlen("reuseport-vm: ");
		if (WIFEXITED(wait) && WEXITSTATUS(wait) >= 64 &&
		    WEXITSTATUS(wait) <= 71) {
			g_set_error(error, SIM_ERROR, SIM_ERROR_INPUT,
			    "%s: no VM: %s", k->name, why != NULL ? why :
			    "reuseport-vm failed");
			return SIM_EXIT_NO_KERNEL;
		}
	}
	if (WIFEXITED(wait))
		return WEXITSTATUS(wait);
	g_set_error(error, SIM_ERROR, SIM_ERROR_INPUT, "--kernel %s: the "
	    "command was killed by signal %d", k->name, WTERMSIG(wait));
	return -1;
}

/*
 * The whole command (argc, argv as the command got them) run on kernel
 * k, its output passed through: the exit status to return.  A VM that
 * cannot be had is one line and SIM_EXIT_NO_KERNEL.
 */
int
sim_kernel_run_here(const SimKernelTarget *k, int argc, char **argv,
    const GPtrArray *adds)
{
	g_auto(GStrv) guest = sim_kernel_guest_argv(argc, argv);
	g_autoptr(GError) e = NULL;
	int st;

	fflush(stdout);
	st = sim_kernel_exec(k, guest, adds, NULL, &e);
	if (e != NULL) {
		fprintf(stderr, "reuseport-sim: %s\n", e->message);
		return st == SIM_EXIT_NO_KERNEL ? st : SIM_EXIT_USAGE;
	}
	return st;
}

/* Every file the scenarios of inputs read (SimInput *: each scenario and
 * what it includes) into adds (g_strdup()), for the guest. */
void
sim_kernel_add_inputs(GPtrArray *adds, const GPtrArray *inputs)
{
	for (guint i = 0; inputs != NULL && i < inputs->len; i++) {
		const SimInput *in = inputs->pdata[i];

		g_ptr_array_add(adds, g_strdup(in->path));
		for (guint j = 0; j < in->sc->files->len; j++)
			g_ptr_array_add(adds, g_strdup(in->sc->files->pdata[j]));
	}
}

/* uname -r of the running kernel.  g_free(). */
char *
sim_kernel_release(void)
{
	struct utsname u;

	return g_strdup(uname(&u) == 0 ? u.release : "unknown");
}

/*
 * --profile auto against the running kernel: the row nearest at or below
 * its version, then the build variant of that row calibration measures
 * (sim_kernel_calibrate()), and the build options (*kconfig_mptcp, when
 * set: 1 built in, 2 not, 0 not measured).  note (when set) gets what
 * was calibrated, or why not.  NULL with error when the release has no profile.
 */
const char *
sim_kernel_auto_profile(GString *note, int *kconfig_mptcp, GError **error)
{
	const char *base = sim_profile_auto(error);
#ifdef HAVE_KERNEL_BACKEND
	SimKernelCalibration c;
	g_autoptr(GError) e = NULL;
	const struct rp_profile *v;

	if (base == NULL)
		return NULL;
	if (!sim_kernel_calibrate(&c, &e)) {
		if (note != NULL)
			g_string_append_printf(note, "not calibrated: %s",
			    e->message);
		sim_kernel_calibration_clear(&c);
		return base;
	}
	v = rp_profile_variant(rp_profile_find(base), c.switches);
	if (kconfig_mptcp != NULL)
		*kconfig_mptcp = c.mptcp < 0 ? 0 : c.mptcp ? 1 : 2;
	if (note != NULL) {
		g_string_append(note, "calibrated");
		for (int i = 0; i < RP_SWITCH_COUNT; i++) {
			const char *val = rp_switch_value_name(
			    (enum rp_variant_switch)i, c.switches[i]);

			g_string_append_printf(note, " %s = %s",
			    rp_switch_name((enum rp_variant_switch)i),
			    val != NULL ? val : "unknown");
		}
		g_string_append_printf(note, ", kconfig mptcp = %s", c.mptcp <
		    0 ? "unknown" : c.mptcp ? "y" : "n");
		if (v == NULL)
			g_string_append_printf(note, ", which no row of %s "
			    "has: the model lacks this build, %s runs", base,
			    base);
	}
	sim_kernel_calibration_clear(&c);
	return v != NULL ? rp_profile_name(v) : base;
#else
	if (kconfig_mptcp != NULL)
		*kconfig_mptcp = 0;	/* not measured */
	if (note != NULL && base != NULL)
		g_string_append(note, "not calibrated: no kernel backend");
	return base;
#endif
}
