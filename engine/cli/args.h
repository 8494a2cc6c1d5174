/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef LINECAP_CLI_ARGS_H
#define LINECAP_CLI_ARGS_H

#include <stdbool.h>
#include <stdio.h>

#include <linecap/config.h>
#include <linecap/error.h>

#include "cli/privs.h"

struct lc_cli {
	struct lc_capture_conf conf;
	bool verbose;
	struct lc_privs privs; /* -Z */
	mode_t file_mode;      /* --file-mode: output files are created with it */
};

/* Parse `linecap capture` options (argv[0] = "capture"). 0 or -1 + err. */
int lc_cli_parse_capture(int argc, char **argv, struct lc_cli *cli, struct lc_error *err);

/* Parse `linecap list` options. */
int lc_cli_parse_list(int argc, char **argv, struct lc_cli *cli, struct lc_error *err);

void lc_cli_usage(FILE *f);

#endif
