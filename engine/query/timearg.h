/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef LINECAP_QUERY_TIMEARG_H
#define LINECAP_QUERY_TIMEARG_H

#include <stdint.h>

/*
 * A --since/--until time into ns since the epoch. Accepted:
 *   RFC 3339: 2026-12-05T13:04:05Z, 2026-12-05 13:04:05.25+01:00
 *             (a date alone is its midnight UTC; no zone means UTC)
 *   relative to `now_ns`: -15m, -2h, -30s, -1d, -1.5h (also "now")
 *   epoch seconds: 1733400000 or 1733400000.123456789
 * 0, or -1 if `s` is none of these.
 */
int lc_time_parse(const char *s, uint64_t now_ns, uint64_t *out_ns);

#endif
