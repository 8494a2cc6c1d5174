/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef LINECAP_CLI_REPLAY_ARGS_H
#define LINECAP_CLI_REPLAY_ARGS_H

#include <stdbool.h>
#include <stdio.h>

#include <linecap/error.h>

#include "cli/opts.h"
#include "replay/replay_conf.h"

/* What `linecap replay` was asked, and what the parse needs to know on the way. */
struct lc_replay_cli {
	struct lc_replay_conf conf;
	bool mode_given; /* a timing option was given (they exclude each other) */
	bool have_i;
};

/*
 * Parse `linecap replay` options (argv[0] = "replay") into `rc`, which it
 * resets to the defaults first. LC_CLI_RUN, LC_CLI_HELP, or -1 with err set.
 */
int lc_cli_parse_replay(int argc, char **argv, struct lc_replay_cli *rc, struct lc_error *err);

void lc_cli_replay_usage(FILE *f);

#endif
