/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef LINECAP_CLI_LIST_H
#define LINECAP_CLI_LIST_H

#include <stdio.h>

#include <linecap/config.h>
#include <linecap/error.h>

/*
 * Print DPDK ports (after the EAL is up) and kernel interfaces, then one
 * "drivers:" entry naming the DPDK net drivers registered in this process.
 */
int lc_cli_list(FILE *f, const struct lc_capture_conf *conf, struct lc_error *err);

#endif
