/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * main.c - reuseport-sim, the scenario runner of reuseport-model: finds
 * the command and hands over to it (one file per command: cmd-*.c).
 *
 * Commands are rows of a table, so a new one is one function and one
 * row.  Exit status: 0 all passed, 1 a scenario failed, 2 bad input or
 * command line.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <stdio.h>
#include <string.h>

#include "cli/cmd-diff.h"
#include "cli/cmd-explain.h"
#include "cli/cmd-explore.h"
#include "cli/cmd-fuzzdiff.h"
#include "cli/cmd-run.h"
#include "cli/usage.h"
#include "core/error.h"
#include "lang/suggest.h"

#ifdef PACKAGE_VERSION
#define SIM_VERSION	PACKAGE_VERSION
#else
#define SIM_VERSION	"0.1.0"
#endif

static const struct {
	const char	*name;
	int		(*fn)(int argc, char **argv);
} commands[] = {
	{ "run", sim_cmd_run },
	{ "explore", sim_cmd_explore },
	{ "diff", sim_cmd_diff },
	{ "list-verbs", sim_cmd_list_verbs },
	{ "explain", sim_cmd_explain },
	{ "fuzz-diff", sim_cmd_fuzz_diff },
	{ "gen", sim_cmd_gen },
};

int
main(int argc, char **argv)
{
	const char *names[G_N_ELEMENTS(commands)];
	const char *const top_opts[] = { "--help", "--version" };
	gsize i;

	if (argc < 2) {
		fputs(sim_cli_main.usage, stderr);
		return SIM_EXIT_USAGE;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)
		return sim_cli_help(&sim_cli_main);
	if (strcmp(argv[1], "--version") == 0) {
		printf("reuseport-sim %s\n", SIM_VERSION);
		return SIM_EXIT_OK;
	}
	if (argv[1][0] == '-')
		return sim_cli_error(&sim_cli_main, sim_suggest(argv[1],
		    top_opts, G_N_ELEMENTS(top_opts)), "unknown option '%s'",
		    argv[1]);
	for (i = 0; i < G_N_ELEMENTS(commands); i++) {
		if (strcmp(argv[1], commands[i].name) == 0)
			return commands[i].fn(argc - 1, argv + 1);
		names[i] = commands[i].name;
	}
	return sim_cli_error(&sim_cli_main, sim_suggest(argv[1], names,
	    G_N_ELEMENTS(names)), "unknown command '%s'", argv[1]);
}
