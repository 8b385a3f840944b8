/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * usage.c - the usage and help texts of reuseport-sim (usage.h).
 */
#include <stdarg.h>
#include <stdio.h>

#include "cli/usage.h"
#include "core/error.h"

static const char main_usage[] =
    "usage: reuseport-sim run [--profile P|all|auto] [--format text|tap|json]\n"
    "                         [--trace[=all]] [--keep-going] [--backend B]\n"
    "                         [--kernel K[,K]] FILE|DIR...\n"
    "       reuseport-sim explore [--profile P] [--preemptions N|unbounded]\n"
    "                         [--no-reduction] [--max-schedules N]\n"
    "                         [--plant BUG[,BUG]] [--format text|json]\n"
    "                         [--save FILE] [--quiet] FILE|DIR...\n"
    "       reuseport-sim diff [--profile P|auto] [--format text|tap|json]\n"
    "                          [--manifest FILE]... [--kernel K[,K]]\n"
    "                          FILE|DIR...\n"
    "       reuseport-sim calibrate [--kernel K[,K]] [--format text|tap|json]\n"
    "       reuseport-sim explain [--profile P] [--steps LIST] [--dot DIR]\n"
    "                             [--svg DIR] [--html DIR] FILE...\n"
    "       reuseport-sim list-verbs\n"
    "       reuseport-sim --help | --version\n";

static const char main_help[] =
    "Run scenarios against the reuseport model (SO_REUSEPORT groups and\n"
    "BPF_MAP_TYPE_REUSEPORT_SOCKARRAY).\n"
    "\n"
    "Commands:\n"
    "  run FILE|DIR...    run scenarios; directories are searched for\n"
    "                     *.scn files.  Every file is checked first; a\n"
    "                     broken one stops everything with exit status 2.\n"
    "  explore FILE|DIR.. run every interleaving of a scenario's thread\n"
    "                     blocks at the model's lock and RCU points and\n"
    "                     at each statement start; a directory explores\n"
    "                     the scenarios in it that have threads\n"
    "  diff FILE|DIR...   run each scenario on the model and on the live\n"
    "                     kernel (needs the kernel backend and root) and\n"
    "                     compare them step by step; a divergence not in\n"
    "                     the manifest fails, so does an unused entry\n"
    "  explain FILE...    narrate scenarios step by step (the rules that\n"
    "                     decided, locks, why), and draw the state after\n"
    "                     each step (--dot, --svg, --html); see\n"
    "                     reuseport-sim explain --help\n"
    "  calibrate          probe a kernel for each build variant switch and\n"
    "                     build option the model knows; print the values\n"
    "                     and the profile row they pick (--profile auto)\n"
    "  list-verbs         list the verbs of the scenario language\n"
    "\n"
    "Options of run:\n"
    "  --profile P[,P]    run only under these profiles (all: every one;\n"
    "                     auto: the one nearest the running kernel, at or\n"
    "                     below its version); a scenario runs under each\n"
    "                     selected profile it declares\n"
    "  --format F         text (default), tap or json (one object a line)\n"
    "  --trace[=all]      print the model's events with scenario names;\n"
    "                     =all adds lock, callback lock and RCU events\n"
    "  --keep-going       do not stop a scenario at its first failure\n"
    "  --backend B        model (default), or kernel when built with\n"
    "                     --enable-kernel-backend; a profile the backend\n"
    "                     cannot run is skipped, expect statements too;\n"
    "                     a step it cannot do is not checked (a note says\n"
    "                     why, once per scenario)\n"
    "  --kernel K[,K]     the kernel backend on K: host (the running\n"
    "                     kernel), vm:5.10, vm:6.1, vm:6.12, vm:7.2 (a\n"
    "                     Debian kernel under qemu, downloaded once) or\n"
    "                     vm:PATH-TO-VMLINUZ; with the kernel backend,\n"
    "                     auto is calibrated (see calibrate)\n"
    "\n"
    "Options of diff:\n"
    "  --profile P        the model profile to compare with (default auto)\n"
    "  --format F         text (default), tap or json\n"
    "  --manifest FILE    the intended differences: lines 'FILE:LINE\n"
    "                     REASON' or 'FILE:* REASON' (e.g.\n"
    "                     scenarios/kernel-differences.manifest); more\n"
    "                     than one may be given.  A VM kernel also reads\n"
    "                     NAME.vm.manifest and NAME.vm-N.M.manifest beside\n"
    "                     NAME.manifest when they exist\n"
    "  --kernel K[,K]     the kernels to compare with (default host): one\n"
    "                     runs the diff there; several print scenario x\n"
    "                     kernel: agree, known, UNEXPLAINED, skipped\n"
    "\n"
    "Options of calibrate:\n"
    "  --kernel K[,K]     the kernels to probe (default host)\n"
    "  --format F         text (default), tap or json\n"
    "\n"
    "Options of explore:\n"
    "  --profile P[,P]    explore only under these profiles\n"
    "  --preemptions N    at most N preemptions per schedule (default 2),\n"
    "                     or unbounded\n"
    "  --no-reduction     no sleep sets: every schedule within the bound\n"
    "  --max-schedules N  stop after N schedules (default 1000000); an\n"
    "                     incomplete search fails\n"
    "  --plant BUG[,BUG]  plant known bugs in the model: update-no-recheck,\n"
    "                     detach-slot-unlocked, free-no-cb-lock,\n"
    "                     detach-foreign\n"
    "  --save FILE        write the counterexample scenario to FILE\n"
    "  --quiet            no counterexample text on stdout\n"
    "\n"
    "Exit status: 0 all passed, 1 a scenario failed, 2 bad input, 77 the\n"
    "kernel asked for cannot be had (no qemu, no package, no boot; not\n"
    "root for calibrate).\n"
    "See reuseport-sim(1) and docs/scenario-language.md.\n";

static const char explain_usage[] =
    "usage: reuseport-sim explain [--profile P[,P]] [--steps LIST]\n"
    "                             [--dot DIR] [--svg DIR] [--html DIR]\n"
    "                             [--no-text] FILE...\n"
    "       reuseport-sim explain --rules\n";

static const char explain_help[] =
    "Narrate scenarios step by step in the kernel's terms: the rules of\n"
    "docs/SPEC.md that decided each result, in order, the kernel function\n"
    "each models, the checks a failing one comes after, the locks held,\n"
    "why the result is what it is, and what the step changed.\n"
    "\n"
    "  --profile P[,P]  only these profiles (default: every profile the\n"
    "                   scenario declares)\n"
    "  --steps LIST     only these steps, 1-based as numbered in the\n"
    "                   narration: 3,5-7 (pictures and text)\n"
    "  --dot DIR        write the state after each step as Graphviz DOT:\n"
    "                   DIR/NAME-PROFILE-NN.dot\n"
    "  --svg DIR        the same rendered by dot -Tsvg: DIR/NAME-PROFILE-NN.svg\n"
    "  --html DIR       one self-contained page per scenario and profile,\n"
    "                   DIR/NAME-PROFILE.html: the scenario beside the\n"
    "                   picture of the current step; arrow keys, j/k or a\n"
    "                   click on a line step through it\n"
    "  --no-text        no narration on standard output\n"
    "  --rules          list the rules that have a narration, one a line\n"
    "\n"
    "--svg and --html need Graphviz's dot.  Exit status: 0 every scenario\n"
    "ran as expected, 1 one failed (it is narrated all the same), 2 bad\n"
    "input.  See reuseport-sim(1) and docs/tutorial.md.\n";
const SimCliText sim_cli_main = {
	"reuseport-sim: ", main_usage, main_help,
};

const SimCliText sim_cli_explain = {
	"reuseport-sim: explain: ", explain_usage, explain_help,
};

/* Print "PREFIX MESSAGE[, did you mean 'HINT'?]" and the usage on
 * stderr.  Returns SIM_EXIT_USAGE. */
int
sim_cli_error(const SimCliText *t, const char *hint, const char *fmt, ...)
{
	va_list ap;

	fputs(t->prefix, stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	if (hint != NULL)
		fprintf(stderr, ", did you mean '%s'?", hint);
	fputc('\n', stderr);
	fputs(t->usage, stderr);
	return SIM_EXIT_USAGE;
}

/* --help: the usage and the help text on stdout. */
int
sim_cli_help(const SimCliText *t)
{
	fputs(t->usage, stdout);
	fputs("\n", stdout);
	fputs(t->help, stdout);
	return SIM_EXIT_OK;
}
