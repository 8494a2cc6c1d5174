/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef LINECAP_METRICS_PRIV_H
#define LINECAP_METRICS_PRIV_H

/* Shared by the metrics endpoint's files (stats/metrics_*.c); its thread only. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <linecap/stats_view.h>

/* /healthz turns 503 after this long without progress, or with writes failing. */
#define LC_HEALTH_STALL_S 10.0
#define LC_HEALTH_WRITE_ERR_S 10.0

/* What /healthz remembers between requests (stats/metrics_health.c). */
struct lc_health {
	bool init;
	double t_prev;	       /* time of the previous check */
	uint64_t written;      /* written at t_written */
	double t_written;      /* when `written` was last seen to change */
	uint64_t accepted_at;  /* received - filtered - write_errors then */
	uint64_t write_errors; /* at the previous check */
	double err_since;      /* start of the current run of failing writes, 0 = none */
};

/*
 * Judge the capture from totals `t` taken at `now` (monotonic seconds). true:
 * healthy; false: unhealthy with a one-line reason in `why`.
 */
bool lc_health_check(
		struct lc_health *h, const struct lc_totals *t, double now, char *why, size_t len);

/*
 * Write every metric of the view `v` (held by the caller) to `f` in the text
 * exposition format. `outdir`: directory of the output ("" = none).
 */
void lc_metrics_render(FILE *f, const struct lc_stats_view *v, const char *outdir);

#endif
