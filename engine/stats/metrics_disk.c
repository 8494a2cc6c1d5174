/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * /metrics, the disk side: each writer's block write latency (a histogram)
 * and refused writes, and what retention deleted and whether the disk budget
 * holds. Part of lc_metrics_render (stats/metrics_text.c); docs/CLI.md
 * ("Metrics") describes every name.
 */
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>

#include <rte_common.h>

#include <linecap/block_writes.h>

#include "stats/metrics_priv.h"

/*
 * Block writes, per writer: the latency histogram (cumulative buckets and
 * _count from one read of each bucket, so _count equals the +Inf bucket)
 * and the writes the medium refused.
 */
static void
block_writes(FILE *f, const struct lc_stats_view *v)
{
	unsigned int w, i;

	lc_metrics_family(f, "linecap_block_write_seconds", "histogram",
			"Block write latency: submission to the writer seeing it complete.");
	for (w = 0; w < v->nb_writers; w++) {
		const struct lc_block_writes *s = v->writers[w].bw;
		uint64_t cum = 0;

		if (s == NULL)
			continue;
		for (i = 0; i < LC_BW_BUCKETS; i++) {
			cum += lc_counter_read(&s->bucket[i]);
			fprintf(f, "linecap_block_write_seconds_bucket{writer=\"%u\",le=\"", w);
			if (i < LC_BW_NB_BOUNDS)
				fprintf(f, "%g", lc_bw_bound_us(i) / 1e6);
			else
				fputs("+Inf", f);
			fprintf(f, "\"} %" PRIu64 "\n", cum);
		}
		fprintf(f, "linecap_block_write_seconds_sum{writer=\"%u\"} %.9f\n", w,
				(double)lc_counter_read(&s->sum_ns) / 1e9);
		fprintf(f, "linecap_block_write_seconds_count{writer=\"%u\"} %" PRIu64 "\n", w,
				cum);
	}
	lc_metrics_family(f, "linecap_block_write_failures_total", "counter",
			"Block writes the medium refused, every 100 ms retry counted.");
	for (w = 0; w < v->nb_writers; w++)
		if (v->writers[w].bw != NULL)
			fprintf(f,
					"linecap_block_write_failures_total{writer=\"%u\"} %" PRIu64
					"\n",
					w, lc_counter_read(&v->writers[w].bw->failed));
}

/* --max-disk / --min-free: what retention deleted and whether the budget holds. */
struct retention_family {
	const char *name, *type, *help;
	size_t off; /* in lc_retention_counters */
};

#define RET(field) offsetof(struct lc_retention_counters, field)

static const struct retention_family retention_families[] = {
		{"linecap_retention_deleted_files_total", "counter",
				"Capture files retention deleted (their .idx went with them).",
				RET(files_deleted)},
		{"linecap_retention_deleted_bytes_total", "counter",
				"Bytes of the capture files retention deleted (sidecars not "
				"included).",
				RET(bytes_deleted)},
		{"linecap_retention_kept_bytes", "gauge",
				"Bytes of finished capture files (and sidecars) after the last "
				"pass.",
				RET(kept_bytes)},
		{"linecap_retention_over_budget_bytes", "gauge",
				"Bytes the last pass could not free to keep the budget (0: kept).",
				RET(over_bytes)},
};

static void
retention(FILE *f, const struct lc_stats_view *v)
{
	const struct lc_view_retention *r = &v->retention;
	unsigned int i;

	if (!r->on)
		return;
	for (i = 0; i < RTE_DIM(retention_families); i++) {
		const struct retention_family *rf = &retention_families[i];

		lc_metrics_family(f, rf->name, rf->type, rf->help);
		fprintf(f, "%s %" PRIu64 "\n", rf->name,
				lc_counter_read((
						const uint64_t *)((const char *)r->cnt + rf->off)));
	}
	if (r->max_disk != 0) {
		lc_metrics_family(f, "linecap_retention_max_disk_bytes", "gauge",
				"--max-disk, in bytes.");
		fprintf(f, "linecap_retention_max_disk_bytes %" PRIu64 "\n", r->max_disk);
	}
	if (r->min_free > 0) {
		lc_metrics_family(f, "linecap_retention_min_free_ratio", "gauge",
				"--min-free, as a ratio.");
		fprintf(f, "linecap_retention_min_free_ratio %g\n", r->min_free / 100);
	}
}

void
lc_metrics_render_disk(FILE *f, const struct lc_stats_view *v)
{
	block_writes(f, v);
	retention(f, v);
}
