/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * main.c - reuseport-sim, the scenario runner of reuseport-model: finds
 * the command and hands over to it (one file per command: cmd-*.c).
 *
 * Commands are rows of a table, so a new one is one SimCommand (its
 * options, help and handler) and one row.  Exit status: 0 all passed,
 * 1 a scenario failed, 2 bad input or command line, 77 the kernel asked
 * for (--kernel) cannot be had.
 */
#include <stdio.h>
#include <string.h>

#include "cli/cmd-calibrate.h"
#include "cli/cmd-calibrate.h"
#include "cli/cmd-diff.h"
#include "cli/cmd-explain.h"
#include "cli/cmd-explore.h"
#include "cli/cmd-fuzzdiff.h"
#include "cli/cmd-run.h"
#include "cli/options.h"
#include "core/error.h"
#include "lang/suggest.h"

static int sim_cmd_complete(int argc, char **argv);

/* reuseport-sim complete WORD...: the words the shell completion offers
 * (completion/reuseport-sim); not listed. */
static const SimCommand complete_def = {
	"complete", "WORD...", "the words that may come next (for the shell)",
	NULL, NULL, 0, NULL, sim_cmd_complete, TRUE,
};

static const SimCommand *const commands[] = {
	&sim_cmd_run_def,
	&sim_cmd_explore_def,
	&sim_cmd_diff_def,
	&sim_cmd_explain_def,
	&sim_cmd_fuzz_diff_def,
	&sim_cmd_gen_def,
	&sim_cmd_calibrate_def,
	&sim_cmd_list_verbs_def,
	&sim_cmd_list_profiles_def,
	&complete_def,
};

static int
sim_cmd_complete(int argc, char **argv)
{
	return sim_cli_complete(commands, G_N_ELEMENTS(commands), argc, argv);
}

int
main(int argc, char **argv)
{
	const char *names[G_N_ELEMENTS(commands)];
	const char *const top_opts[] = { "--help", "--version" };
	gsize i, n = 0;

	if (argc < 2)
		return sim_cli_error(NULL, NULL, "no command given");
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)
		return sim_cli_main_help(commands, G_N_ELEMENTS(commands));
	if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0)
		return sim_cli_version();
	if (argv[1][0] == '-')
		return sim_cli_error(NULL, sim_suggest(argv[1], top_opts,
		    G_N_ELEMENTS(top_opts)), "unknown option '%s'", argv[1]);
	for (i = 0; i < G_N_ELEMENTS(commands); i++) {
		if (strcmp(argv[1], commands[i]->name) == 0)
			return commands[i]->run(argc - 1, argv + 1);
		if (!commands[i]->hidden)
			names[n++] = commands[i]->name;
	}
	return sim_cli_error(NULL, sim_suggest(argv[1], names, n),
	    "unknown command '%s'", argv[1]);
}
