/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef LINECAP_STATS_JSON_H
#define LINECAP_STATS_JSON_H

/*
 * JSON value writers shared by every JSON report (stats/report_json.c,
 * replay/replay_report.c): one way to quote a string, one way to say
 * "unknown".
 */

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

/* `s` as a JSON string: quotes, backslash and control characters escaped. NULL = "". */
void lc_json_str(FILE *f, const char *s);

/* "key": "s" (lc_json_str), then `sep`. */
void lc_json_kv_str(FILE *f, const char *key, const char *s, const char *sep);

/* "key": v, or "key": null when the value is not `known`; then `sep`. */
void lc_json_kv_u64_or_null(FILE *f, const char *key, uint64_t v, bool known, const char *sep);

#endif
