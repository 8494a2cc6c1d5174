/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef LINECAP_CLI_COMMANDS_H
#define LINECAP_CLI_COMMANDS_H

/* The subcommands main() runs; argv[0] is the subcommand. Each returns the exit status. */
int lc_cmd_capture(int argc, char **argv);
int lc_cmd_replay(int argc, char **argv);
int lc_cmd_query(int argc, char **argv);
int lc_cmd_index(int argc, char **argv);

#endif
