/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * cmd-calibrate.c - `reuseport-sim calibrate [--kernel K[,K]] [--format
 * text|tap|json]`: probe a kernel for each build variant switch of the
 * model and each kernel build option it knows, print the values
 * measured and the profile row they pick (what --profile auto runs).
 *
 * Exit status: 0 every value measured and a row of the model has them;
 * 1 a probe could not tell, or no row has the values measured (the model
 * lacks this build); 2 bad command line; 77 the kernel cannot be had
 * (not root, no VM).
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <stdio.h>
#include <string.h>

#include "rp.h"

#include "cli/cmd-calibrate.h"
#include "cli/json.h"
#include "cli/kernels.h"
#include "cli/options.h"
#include "core/error.h"
#include "core/profiles.h"
#ifdef HAVE_KERNEL_BACKEND
#include "backend/kernel.h"
#endif

typedef struct {
	SimFormat	 format;
	const char	*kernels;
} CalibrateCmd;

enum { O_KERNEL, O_FORMAT };

static const SimOption calibrate_options[] = {
	{ "--kernel", "K[,K]", O_KERNEL,
	    "the kernels to probe (default host): host, vm:5.10,\n"
	    "vm:6.1, vm:6.12, vm:7.2 or vm:PATH-TO-VMLINUZ", NULL },
	SIM_OPTION_FORMAT(O_FORMAT, ""),
};

const SimCommand sim_cmd_calibrate_def = {
	"calibrate", NULL,
	"probe a kernel for each build variant switch and\n"
	"build option the model knows; print the values and\n"
	"the profile row they pick (--profile auto)",
	"Probe a kernel (root, the kernel backend) for each build variant\n"
	"switch of the model and each kernel build option it knows, and\n"
	"print the values measured and the profile row they pick: what\n"
	"--profile auto runs on that kernel.",
	calibrate_options, G_N_ELEMENTS(calibrate_options),
	"Exit status: 0 every value measured and a row has them, 1 a probe\n"
	"could not tell or no row has the values, 2 bad command line, 77 the\n"
	"kernel cannot be had (not root, no VM).",
	sim_cmd_calibrate, FALSE,
};

static int
calibrate_option(void *ud, int id, const char *opt, const char *v)
{
	CalibrateCmd *c = ud;

	(void)opt;
	if (id == O_FORMAT)
		return sim_cli_format(&sim_cmd_calibrate_def, v,
		    sim_cli_formats, &c->format);
	c->kernels = v;
	return SIM_CLI_GO_ON;
}

#ifdef HAVE_KERNEL_BACKEND
/* One measured value: text "NAME = VALUE (how)", a TAP point, or a JSON
 * member of b. */
static void
put_value(SimFormat f, JsonBuilder *b, guint n, const char *kind,
    const char *name, const char *value, const char *how, const char *row)
{
	switch (f) {
	case SIM_FORMAT_TEXT:
		printf("%s %s = %s (%s)%s%s\n", kind, name, value != NULL ?
		    value : "unknown", how, row != NULL ? "; the version's "
		    "row says " : "", row != NULL ? row : "");
		break;
	case SIM_FORMAT_TAP:
		printf("%s %u - %s %s = %s # %s\n", value != NULL ? "ok" :
		    "not ok", n, kind, name, value != NULL ? value :
		    "unknown", how);
		break;
	case SIM_FORMAT_JSON:
		json_builder_set_member_name(b, name);
		json_builder_begin_object(b);
		sim_json_str(b, "value", value);
		sim_json_str(b, "how", how);
		json_builder_end_object(b);
		break;
	}
}

/* Calibrate the running kernel and print it: the exit status. */
static int
calibrate_here(SimFormat f)
{
	SimKernelCalibration c;
	g_autoptr(GError) e = NULL;
	const struct rp_profile *base, *v;
	const char *mptcp;
	gboolean unknown = FALSE;
	JsonBuilder *b = NULL;
	guint n = 0;

	if (!sim_kernel_calibrate(&c, &e)) {
		fprintf(stderr, "reuseport-sim: %s\n", e->message);
		sim_kernel_calibration_clear(&c);
		return SIM_EXIT_NO_KERNEL;
	}
	base = rp_profile_for_release(c.release);
	v = base != NULL ? rp_profile_variant(base, c.switches) : NULL;
	if (f == SIM_FORMAT_TEXT)
		printf("kernel %s: the row of its version is %s\n", c.release,
		    base != NULL ? rp_profile_name(base) : "none");
	else if (f == SIM_FORMAT_TAP)
		printf("TAP version 13\n1..%d\n# kernel %s: the row of its "
		    "version is %s\n", RP_SWITCH_COUNT + 1, c.release,
		    base != NULL ? rp_profile_name(base) : "none");
	else {
		b = sim_json_begin("calibration", "calibrate");
		sim_json_str(b, "kernel", c.release);
		sim_json_str(b, "row", base != NULL ? rp_profile_name(base) :
		    NULL);
		sim_json_str(b, "profile", v != NULL ? rp_profile_name(v) :
		    NULL);
		json_builder_set_member_name(b, "switches");
		json_builder_begin_object(b);
	}
	for (int i = 0; i < RP_SWITCH_COUNT; i++) {
		enum rp_variant_switch sw = (enum rp_variant_switch)i;
		const char *val = rp_switch_value_name(sw, c.switches[i]);

		unknown |= val == NULL;
		put_value(f, b, ++n, "switch", rp_switch_name(sw), val, c.why[i],
		    base != NULL ? rp_switch_value_name(sw,
		    rp_profile_switch(base, sw)) : NULL);
	}
	mptcp = c.mptcp < 0 ? NULL : c.mptcp ? "y" : "n";
	unknown |= mptcp == NULL;
	if (f == SIM_FORMAT_JSON) {
		json_builder_end_object(b);
		json_builder_set_member_name(b, "kconfig");
		json_builder_begin_object(b);
	}
	put_value(f, b, ++n, "kconfig", "mptcp", mptcp, c.mptcp_why, NULL);
	switch (f) {
	case SIM_FORMAT_TEXT:
	case SIM_FORMAT_TAP:
		printf("%sprofile %s%s\n", f == SIM_FORMAT_TAP ? "# " : "",
		    v != NULL ? rp_profile_name(v) : "none", v != NULL ? "" :
		    ": no row of the model has the values measured");
		break;
	case SIM_FORMAT_JSON:
		json_builder_end_object(b);
		sim_json_end(b, stdout);
		break;
	}
	sim_kernel_calibration_clear(&c);
	return unknown || v == NULL ? SIM_EXIT_FAIL : SIM_EXIT_OK;
}
#endif

int
sim_cmd_calibrate(int argc, char **argv)
{
	g_autoptr(GPtrArray) paths = g_ptr_array_new();
	g_autoptr(GPtrArray) kernels = NULL;
	g_autoptr(GError) e = NULL;
	CalibrateCmd c = { SIM_FORMAT_TEXT, "host" };
	int st, worst = SIM_EXIT_OK;

	st = sim_options_parse(&sim_cmd_calibrate_def, calibrate_option,
	    argc, argv, paths, FALSE, &c);
	if (st != SIM_CLI_GO_ON)
		return st;
	kernels = sim_kernel_targets_parse(c.kernels, &e);
	if (kernels == NULL)
		return sim_cli_error(&sim_cmd_calibrate_def, NULL, "%s",
		    e->message);
	for (guint i = 0; i < kernels->len; i++) {
		const SimKernelTarget *k = kernels->pdata[i];

		if (k->vm != NULL) {
			st = sim_kernel_run_here(k, argc, argv, NULL);
		} else {
#ifdef HAVE_KERNEL_BACKEND
			fflush(stdout);
			st = calibrate_here(c.format);
#else
			sim_cli_fail("calibrate needs the kernel backend: "
			    "configure --enable-kernel-backend (libbpf)");
			st = SIM_EXIT_USAGE;
#endif
		}
		fflush(stdout);
		if (st != SIM_EXIT_OK && (worst == SIM_EXIT_OK ||
		    st == SIM_EXIT_USAGE))
			worst = st;
	}
	return worst;
}
