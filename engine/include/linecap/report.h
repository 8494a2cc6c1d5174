/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef LINECAP_REPORT_H
#define LINECAP_REPORT_H

#include <stdbool.h>
#include <stdio.h>

#include <linecap/error.h>
#include <linecap/stats.h>
#include <linecap/stats_view.h>

/* State of the live status line between two calls. */
struct lc_live {
	struct lc_totals prev;
	double prev_time;
	bool tty; /* rewrite one line with \r instead of one line per second */
};

/*
 * Reports read only the engine's stats view (lc_engine_stats_view), on the
 * main lcore. The port counters are as fresh as the last
 * lc_engine_refresh_ports (lc_engine_join reads them a last time).
 */

/* One status line: packets, Mpps, Gbps, drops. Main lcore, once a second. */
void lc_report_live(FILE *f, const struct lc_stats_view *v, struct lc_live *live);

/* The final summary, tcpdump style, then per-port and per-queue detail (after join). */
void lc_report_summary(FILE *f, const struct lc_stats_view *v);

/* The same numbers as JSON (docs/CLI.md), after join. 0 or -1 with err set. */
int lc_report_json(const char *path, const struct lc_stats_view *v, struct lc_error *err);

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
