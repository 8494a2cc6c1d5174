/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef LINECAP_CLI_REPAIR_H
#define LINECAP_CLI_REPAIR_H

#include <stdio.h>

#include <linecap/error.h>

/*
 * Cut `path` back to the end of its last complete record (pcap or pcapng),
 * saying what was done on `out`. 0 = nothing to repair, 1 = repaired,
 * -1 = cannot (err: no valid file header, or still invalid afterwards).
 */
int lc_repair_file(FILE *out, const char *path, struct lc_error *err);

#endif
