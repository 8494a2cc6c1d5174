/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * /metrics: the stats view in the Prometheus text exposition format 0.0.4.
 * Counters that the PMD does not maintain are left out, not reported as 0.
 * docs/CLI.md ("Metrics") describes every name and the invariant.
 */
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/statvfs.h>

#include <rte_common.h>
#include <rte_version.h>

#include <linecap/pmd_profile.h>
#include <linecap/upload.h>

#include "lc_build_config.h"
#include "stats/metrics_priv.h"

/* A label value with \, " and newline escaped. */
static void
put_label(FILE *f, const char *name, const char *val)
{
	fprintf(f, "%s=\"", name);
	for (; *val != '\0'; val++) {
		if (*val == '\\' || *val == '"')
			fputc('\\', f);
		if (*val == '\n')
			fputs("\\n", f);
		else
			fputc(*val, f);
	}
	fputc('"', f);
}

static void
family(FILE *f, const char *name, const char *type, const char *help)
{
	lc_metrics_family(f, name, type, help);
}

/* The port and queue labels of rx task `r`. */
static void
rx_labels(FILE *f, const struct lc_stats_view *v, unsigned int r)
{
	const struct lc_view_rx *rx = &v->rx[r];

	put_label(f, "port", rx->port < v->nb_ports ? v->ports[rx->port].name : "");
	fprintf(f, ",queue=\"%u\"", rx->queue_id);
}

/*
 * One sample per rx task (`ring` false: an lc_rx_counters field at byte
 * offset `off`) or per ring (true: an lc_ring_counters field).
 */
static void
per_task(FILE *f, const struct lc_stats_view *v, const char *name, const char *cause, size_t off,
		bool ring)
{
	unsigned int i, n = ring ? v->nb_rings : v->nb_rx;

	for (i = 0; i < n; i++) {
		const void *cnt = ring ? (const void *)v->rings[i].cnt : (const void *)v->rx[i].cnt;

		fprintf(f, "%s{", name);
		if (cause != NULL)
			fprintf(f, "cause=\"%s\",", cause);
		rx_labels(f, v, ring ? v->rings[i].rx : i);
		if (ring)
			fprintf(f, ",writer=\"%u\"", v->rings[i].writer);
		fprintf(f, "} %" PRIu64 "\n",
				lc_counter_read((const uint64_t *)((const char *)cnt + off)));
	}
}

static void
per_rx(FILE *f, const struct lc_stats_view *v, const char *name, const char *cause, size_t off)
{
	per_task(f, v, name, cause, off, false);
}

static void
per_ring(FILE *f, const struct lc_stats_view *v, const char *name, const char *cause, size_t off)
{
	per_task(f, v, name, cause, off, true);
}

/* One sample per port of a PMD counter, only for ports whose PMD maintains it. */
static void
per_port(FILE *f, const struct lc_stats_view *v, const char *cause, uint32_t bit, size_t off)
{
	unsigned int p;

	for (p = 0; p < v->nb_ports; p++) {
		const uint64_t *c = (const uint64_t *)((const char *)v->ports[p].snap + off);

		if ((v->ports[p].counters & bit) == 0)
			continue;
		fprintf(f, "linecap_packets_dropped_total{cause=\"%s\",", cause);
		put_label(f, "port", v->ports[p].name);
		fprintf(f, "} %" PRIu64 "\n", lc_counter_read(c));
	}
}

#define RX(field) offsetof(struct lc_rx_counters, field)
#define RING(field) offsetof(struct lc_ring_counters, field)
#define PORT(field) offsetof(struct lc_port_counters, field)

static void
drops(FILE *f, const struct lc_stats_view *v)
{
	family(f, "linecap_packets_dropped_total", "counter",
			"Packets lost, by cause (labels say where).");
	per_port(f, v, "imissed", LC_CNT_IMISSED, PORT(imissed));
	per_port(f, v, "rx_nombuf", LC_CNT_RX_NOMBUF, PORT(rx_nombuf));
	per_port(f, v, "ierrors", LC_CNT_IERRORS, PORT(ierrors));
	per_rx(f, v, "linecap_packets_dropped_total", "ring_full", RX(ring_full));
	per_ring(f, v, "linecap_packets_dropped_total", "write_error", RING(write_errors));
	if (v->pcap) {
		per_rx(f, v, "linecap_packets_dropped_total", "kernel", RX(ps_drop));
		per_rx(f, v, "linecap_packets_dropped_total", "interface", RX(ps_ifdrop));
	}
	if (v->fwd.on)
		per_rx(f, v, "linecap_packets_dropped_total", "forward", RX(forward_dropped));
}

/*
 * Received but neither written, dropped nor filtered yet: in a ring or in a
 * task's hands. Ring counters are read before the rx counters, so a packet
 * written after its rx counters were read is never subtracted: the gauge
 * cannot go below zero but for the rx task's own store order (clamped).
 */
static void
in_flight(FILE *f, const struct lc_stats_view *v)
{
	unsigned int r;

	family(f, "linecap_packets_in_flight", "gauge",
			"Packets received but not yet written or dropped (in the rings).");
	for (r = 0; r < v->nb_rx; r++) {
		const struct lc_rx_counters *c = v->rx[r].cnt;
		struct lc_ring_counters out;
		uint64_t done, recv;

		lc_stats_rings(v, r, LC_VIEW_ANY, &out);
		done = out.written + out.write_errors;
		done += lc_counter_read(&c->filtered) + lc_counter_read(&c->ring_full) +
			lc_counter_read(&c->ps_drop);
		recv = lc_counter_read(&c->received);
		fprintf(f, "linecap_packets_in_flight{");
		rx_labels(f, v, r);
		fprintf(f, "} %" PRIu64 "\n", recv > done ? recv - done : 0);
	}
}

static void
outputs(FILE *f, const struct lc_stats_view *v, const char *outdir)
{
	struct statvfs sv;
	unsigned int w;

	if (v->rotating) {
		family(f, "linecap_files_completed_total", "counter",
				"Output files completed and published, per writer (-C/-G).");
		for (w = 0; w < v->nb_writers; w++)
			fprintf(f, "linecap_files_completed_total{writer=\"%u\"} %" PRIu64 "\n", w,
					lc_counter_read(&v->writers[w].files));
	}
	if (outdir[0] == '\0' || statvfs(outdir, &sv) != 0)
		return;
	family(f, "linecap_output_free_bytes", "gauge",
			"Bytes available to linecap on the output file system.");
	fprintf(f, "linecap_output_free_bytes{");
	put_label(f, "path", outdir);
	fprintf(f, "} %" PRIu64 "\n", (uint64_t)sv.f_bavail * (uint64_t)sv.f_frsize);
}

/* --compress (compress helper's block): bytes into and out of zstd, per writer. */
static void
compression(FILE *f, const struct lc_stats_view *v)
{
	static const char *const names[] = {
			"linecap_compress_bytes_in_total", "linecap_compress_bytes_out_total"};
	static const char *const helps[] = {"File bytes compressed (--compress), per writer.",
			"Compressed bytes written for them (zstd frames), per writer."};
	struct lc_compress_counters z;
	unsigned int k, w;

	if (!lc_stats_compress(v, LC_VIEW_ANY, &z))
		return;
	for (k = 0; k < RTE_DIM(names); k++) {
		family(f, names[k], "counter", helps[k]);
		for (w = 0; w < v->nb_writers; w++)
			if (lc_stats_compress(v, w, &z))
				fprintf(f, "%s{writer=\"%u\"} %" PRIu64 "\n", names[k], w,
						k == 0 ? z.bytes_in : z.bytes_out);
	}
}

/* --upload (engine/upload/): uploads, failures, files lost before upload, the backlog. */
static void
upload(FILE *f)
{
	const struct lc_upload_counters *c = lc_upload_counters();

	if (c == NULL)
		return;
	family(f, "linecap_upload_files_total", "counter",
			"Capture files uploaded to object storage and verified (with their "
			"index).");
	fprintf(f, "linecap_upload_files_total %" PRIu64 "\n", lc_counter_read(&c->files_uploaded));
	family(f, "linecap_upload_bytes_total", "counter", "Bytes uploaded, indexes included.");
	fprintf(f, "linecap_upload_bytes_total %" PRIu64 "\n", lc_counter_read(&c->bytes_uploaded));
	family(f, "linecap_upload_failures_total", "counter",
			"Upload attempts that failed (each is retried with back-off).");
	fprintf(f, "linecap_upload_failures_total %" PRIu64 "\n", lc_counter_read(&c->failures));
	family(f, "linecap_upload_files_lost_total", "counter",
			"Finished files deleted (-W, --max-disk) before they were "
			"uploaded.");
	fprintf(f, "linecap_upload_files_lost_total %" PRIu64 "\n",
			lc_counter_read(&c->files_lost_unuploaded));
	family(f, "linecap_upload_backlog_files", "gauge", "Finished files waiting for upload.");
	fprintf(f, "linecap_upload_backlog_files %" PRIu64 "\n",
			lc_counter_read(&c->backlog_files));
	family(f, "linecap_upload_backlog_bytes", "gauge",
			"Bytes of the files waiting for upload.");
	fprintf(f, "linecap_upload_backlog_bytes %" PRIu64 "\n",
			lc_counter_read(&c->backlog_bytes));
	family(f, "linecap_upload_backlog_oldest_seconds", "gauge",
			"Age of the oldest file waiting for upload (0: none).");
	fprintf(f, "linecap_upload_backlog_oldest_seconds %.3f\n", lc_upload_backlog_age(c));
}

/* The counters with one sample per rx task or per ring, in the order served. */
struct counter_family {
	const char *name, *help;
	size_t off; /* in lc_rx_counters, or lc_ring_counters if `ring` */
	bool ring;
	bool forward; /* only with --forward */
};

static const struct counter_family counters[] = {
		{"linecap_packets_received_total",
				"Packets the rx task received (libpcap path: ps_recv).",
				RX(received), false, false},
		{"linecap_received_bytes_total", "Wire bytes of received packets.", RX(rx_bytes),
				false, false},
		{"linecap_packets_filtered_total",
				"Packets the filter rejected (libpcap path: also those "
				"past -c).",
				RX(filtered), false, false},
		{"linecap_packets_written_total",
				"Packets whose record reached the writer's output.", RING(written),
				true, false},
		{"linecap_written_bytes_total",
				"Record bytes (header + captured bytes) handed to the "
				"output.",
				RING(written_bytes), true, false},
		{"linecap_records_pmd_short_total",
				"Written records the PMD gave fewer bytes than the packet "
				"length "
				"for.",
				RING(pmd_short), true, false},
		{"linecap_packets_forwarded_total",
				"Accepted packets sent out of the --forward port.", RX(forwarded),
				false, true},
};

void
lc_metrics_render(FILE *f, const struct lc_stats_view *v, const char *outdir)
{
	uint64_t end = lc_counter_read(&v->end_ns);
	uint64_t start = lc_counter_read(&v->start_ns);
	unsigned int i;

	family(f, "linecap_build_info", "gauge", "Versions linecap was built with; always 1.");
	fprintf(f, "linecap_build_info{version=\"%s\",dpdk=\"%s\",source=\"%s\"} 1\n", LC_VERSION,
			rte_version(), v->pcap ? "pcap" : "dpdk");
	family(f, "linecap_capture_running", "gauge", "1 while capture runs, else 0.");
	fprintf(f, "linecap_capture_running %d\n", start != 0 && end == 0);
	family(f, "linecap_capture_seconds", "gauge", "Seconds since capture started.");
	fprintf(f, "linecap_capture_seconds %.3f\n", lc_stats_elapsed(v));
	for (i = 0; i < RTE_DIM(counters); i++) {
		const struct counter_family *c = &counters[i];

		if (c->forward && !v->fwd.on)
			continue;
		family(f, c->name, "counter", c->help);
		per_task(f, v, c->name, NULL, c->off, c->ring);
	}
	drops(f, v);
	in_flight(f, v);
	outputs(f, v, outdir);
	compression(f, v);
	lc_metrics_render_disk(f, v);
	upload(f);
}
