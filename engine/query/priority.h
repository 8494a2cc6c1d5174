/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef LINECAP_QUERY_PRIORITY_H
#define LINECAP_QUERY_PRIORITY_H

/*
 * A query is a batch tool: by default it lowers its own CPU and I/O
 * priority so that a capture running on the same host keeps the CPU and
 * the disk (Stenographer #204: stenoread at 700 % CPU slowed the capture).
 * It only ever lowers them: a query started under `nice -n 15` stays there.
 */

#include <stddef.h>

enum lc_query_priority {
	LC_QUERY_PRIO_LOW = 0, /* nice 10, I/O best-effort level 7 (the default) */
	LC_QUERY_PRIO_IDLE,   /* nice 19, I/O idle class: the disk only when nobody else wants it */
	LC_QUERY_PRIO_NORMAL, /* unchanged */
};

/*
 * Apply `p` to the calling process (its threads made later inherit it).
 * 0, or -1 with a one-line reason in `why` (the query then runs anyway).
 */
int lc_query_priority_apply(enum lc_query_priority p, char *why, size_t whylen);

#endif
