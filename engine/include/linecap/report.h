/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef LINECAP_REPORT_H
#define LINECAP_REPORT_H

#include <stdbool.h>
#include <stdio.h>

#include <linecap/engine.h>
#include <linecap/stats.h>

/* State of the live status line between two calls. */
struct lc_live {
	struct lc_totals prev;
	double prev_time;
	bool tty; /* rewrite one line with \r instead of one line per second */
};

/* One status line: packets, Mpps, Gbps, drops. Main lcore, once a second. */
void lc_report_live(FILE *f, struct lc_engine *e, struct lc_live *live);

/* The final summary, tcpdump style, then per-port and per-queue detail. */
void lc_report_summary(FILE *f, struct lc_engine *e);

/* The same numbers as JSON (docs/CLI.md). 0 or -1 with err set. */
int lc_report_json(const char *path, struct lc_engine *e, struct lc_error *err);

/* True if received == written + filtered + every drop counter (lc_accounted). */
bool lc_invariant_holds(const struct lc_totals *t);

/* written + filtered + ring_full + write_errors + ps_drop. */
uint64_t lc_accounted(const struct lc_totals *t);

/*
 * --forward's own check: forwarded + forward_dropped == received - filtered
 * (every packet the filter and -c let through was offered to the forward
 * port once). True without --forward.
 */
bool lc_forward_invariant_holds(const struct lc_totals *t);

#endif
