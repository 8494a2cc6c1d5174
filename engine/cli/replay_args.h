/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef LINECAP_CLI_REPLAY_ARGS_H
#define LINECAP_CLI_REPLAY_ARGS_H

#include <stdio.h>

#include <linecap/error.h>

#include "replay/replay_conf.h"

/* Parse `linecap replay` options (argv[0] = "replay"). 0 or -1 + err. */
int lc_cli_parse_replay(int argc, char **argv, struct lc_replay_conf *c, struct lc_error *err);

void lc_cli_replay_usage(FILE *f);

/* `linecap replay ...`: returns the exit status. */
int lc_cmd_replay(int argc, char **argv);

#endif
