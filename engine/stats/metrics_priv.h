/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef LINECAP_METRICS_PRIV_H
#define LINECAP_METRICS_PRIV_H

/* Shared by the metrics endpoint's files (stats/metrics_*.c); its thread only. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <linecap/stats_view.h>

/*
 * /healthz turns 503 after this long without progress, with writes failing,
 * or with the disk budget exceeded.
 */
#define LC_HEALTH_STALL_S 10.0
#define LC_HEALTH_WRITE_ERR_S 10.0
#define LC_HEALTH_BUDGET_S 10.0

/* What one /healthz check reads from the view. */
struct lc_health_in {
	struct lc_totals t;
	uint64_t write_failures; /* block writes the media refused, every writer */
	uint64_t over_bytes;	 /* retention: bytes over the disk budget, 0 = kept or off */
};

/* What /healthz remembers between requests (stats/metrics_health.c). */
struct lc_health {
	bool init;
	double t_prev;	       /* time of the previous check */
	uint64_t written;      /* written at t_written */
	double t_written;      /* when `written` was last seen to change */
	uint64_t accepted_at;  /* received - filtered - write_errors then */
	uint64_t write_errors; /* at the previous check */
	uint64_t failures;     /* write_failures at the previous check */
	double err_since;      /* start of the current run of failing writes, 0 = none */
	double over_since;     /* since when the disk budget is exceeded, 0 = kept */
};

/* The # HELP and # TYPE lines of one metric family. */
static inline void
lc_metrics_family(FILE *f, const char *name, const char *type, const char *help)
{
	fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* Read what /healthz judges from the view `v` (held by the caller). */
void lc_health_read(const struct lc_stats_view *v, struct lc_health_in *in);

/*
 * Judge the capture from `in`, read at `now` (monotonic seconds). true:
 * healthy; false: unhealthy with a one-line reason in `why`.
 */
bool lc_health_check(struct lc_health *h, const struct lc_health_in *in, double now, char *why,
		size_t len);

/*
 * Write every metric of the view `v` (held by the caller) to `f` in the text
 * exposition format. `outdir`: directory of the output ("" = none).
 */
void lc_metrics_render(FILE *f, const struct lc_stats_view *v, const char *outdir);

/* Its disk part (stats/metrics_disk.c): block write latency, retention. */
void lc_metrics_render_disk(FILE *f, const struct lc_stats_view *v);

#endif
