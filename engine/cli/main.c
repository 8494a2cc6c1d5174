/* SPDX-License-Identifier: BSD-3-Clause */
/* linecap: the only place that prints results and chooses exit codes. */
#include <stdio.h>
#include <string.h>

#include <linecap/engine.h>

#include "cli/args.h"
#include "cli/commands.h"
#include "cli/list.h"
#include "cli/supervise.h"
#include "core/repair.h"
#include "index/index.h"
#include "lc_build_config.h"

static int
cmd_list(int argc, char **argv)
{
	struct lc_error err = {0};
	static struct lc_cli cli; /* large: keep it off the stack */
	int rc;

	rc = lc_cli_parse_list(argc, argv, &cli, &err);
	if (rc == LC_CLI_HELP) {
		lc_cli_usage(stdout);
		return 0;
	}
	if (rc < 0 || lc_eal_setup_control(&cli.conf, cli.verbose, &err) < 0)
		return lc_cli_fail(&err);
	lc_eal_release_log(cli.verbose);
	if (lc_cli_list(stdout, &cli.conf, &err) < 0)
		rc = lc_cli_fail(&err);
	lc_eal_teardown();
	return rc;
}

/* linecap repair FILE...: exit 0 if every file is (now) valid. */
static int
cmd_repair(int argc, char **argv)
{
	int i, rc = 0;

	if (argc < 2 || argv[1][0] == '-') {
		fprintf(stderr, "linecap: usage: linecap repair FILE [FILE...]\n");
		return LC_ERR_USAGE;
	}
	for (i = 1; i < argc; i++) {
		struct lc_error err = {0};

		int r = lc_repair_file(stdout, argv[i], &err);

		/* The index of a file capture --index left unfinished, or one the cut made stale.
		 */
		if (r < 0 || lc_idx_repaired(stdout, argv[i], r == 1, &err) < 0)
			rc = lc_cli_fail(&err);
	}
	return rc;
}

int
main(int argc, char **argv)
{
	if (argc < 2) {
		lc_cli_usage(stderr);
		return LC_ERR_USAGE;
	}
	if (strcmp(argv[1], "capture") == 0)
		return lc_cmd_capture(argc - 1, argv + 1);
	if (strcmp(argv[1], "list") == 0)
		return cmd_list(argc - 1, argv + 1);
	if (strcmp(argv[1], "replay") == 0)
		return lc_cmd_replay(argc - 1, argv + 1);
	if (strcmp(argv[1], "repair") == 0)
		return cmd_repair(argc - 1, argv + 1);
	if (strcmp(argv[1], "query") == 0)
		return lc_cmd_query(argc - 1, argv + 1);
	if (strcmp(argv[1], "index") == 0)
		return lc_cmd_index(argc - 1, argv + 1);
	if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0) {
		printf("linecap %s (DPDK %s)\n", LC_VERSION, "22.11");
		return 0;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		lc_cli_usage(stdout);
		return 0;
	}
	fprintf(stderr,
			"linecap: unknown command '%s': expected capture, replay, repair, list, "
			"query or index (see --help)\n",
			argv[1]);
	return LC_ERR_USAGE;
}
