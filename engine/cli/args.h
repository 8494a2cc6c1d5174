/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef LINECAP_CLI_ARGS_H
#define LINECAP_CLI_ARGS_H

#include <stdbool.h>
#include <stdio.h>
#include <sys/types.h>

#include <linecap/config.h>
#include <linecap/error.h>

#include "cli/opts.h"
#include "cli/privs.h"
#include "upload/upload.h"

struct lc_cli {
	struct lc_capture_conf conf;
	bool verbose;
	struct lc_privs privs;	      /* -Z */
	mode_t file_mode;	      /* --file-mode: output files are created with it */
	char metrics[128];	      /* --metrics ADDR:PORT, "" = off (cli/capture.c) */
	struct lc_upload_opts upload; /* --upload and its companions (engine/upload/) */
};

/*
 * Parse `linecap capture` options (argv[0] = "capture") into `cli`, which it
 * resets to the defaults first. Checks every value and what the options say
 * together (a device, an output); prints nothing, exits never, touches no
 * file. LC_CLI_RUN, LC_CLI_HELP, or -1 with err set.
 */
int lc_cli_parse_capture(int argc, char **argv, struct lc_cli *cli, struct lc_error *err);

/*
 * After lc_cli_parse_capture: the checks that need more than the options
 * (output directories writable, rotation names, --forward against the -i
 * devices), in that order. 0, or -1 with err set.
 */
int lc_cli_check_capture(const struct lc_cli *cli, struct lc_error *err);

/*
 * After the source is chosen: on the libpcap source, the DPDK-only options
 * (--lcores, --pmd-config, --eal) are a usage error. 0, or -1 with err set.
 */
int lc_cli_check_pcap_source(const struct lc_cli *cli, struct lc_error *err);

/* Parse `linecap list` options: its own table (-i, --eal, -v, --help). */
int lc_cli_parse_list(int argc, char **argv, struct lc_cli *cli, struct lc_error *err);

/* `linecap --help`: every subcommand, then capture's options. */
void lc_cli_usage(FILE *f);

#endif
