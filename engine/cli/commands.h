/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef LINECAP_CLI_COMMANDS_H
#define LINECAP_CLI_COMMANDS_H

#include <stdio.h>

/* The subcommands main() runs; argv[0] is the subcommand. Each returns the exit status. */
int lc_cmd_capture(int argc, char **argv);
int lc_cmd_replay(int argc, char **argv);
int lc_cmd_query(int argc, char **argv);
int lc_cmd_index(int argc, char **argv);

/* Their --help texts (cli/usage.c). */
void lc_cli_query_usage(FILE *f);
void lc_cli_index_usage(FILE *f);

#endif
