/* SPDX-License-Identifier: BSD-3-Clause */
/* The counters as JSON (--stats-json, docs/CLI.md); main lcore only, after join. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <linecap/pmd_profile.h>
#include <linecap/report.h>
#include <linecap/upload.h>

#include "stats/json.h"

/* Filter and libpcap counters; null where the path does not have them. */
static void
json_rx_totals(FILE *f, const struct lc_totals *t)
{
	fprintf(f, "\"filtered\": %" PRIu64 ", ", t->filtered);
	lc_json_kv_u64_or_null(f, "dropped_kernel", t->ps_drop, t->pcap, ", ");
	lc_json_kv_u64_or_null(f, "ps_recv", t->received, t->pcap, ", ");
	lc_json_kv_u64_or_null(f, "ps_drop", t->ps_drop, t->pcap, ", ");
	lc_json_kv_u64_or_null(f, "ps_ifdrop", t->ps_ifdrop, t->pcap, ", ");
	lc_json_kv_u64_or_null(f, "forwarded", t->forwarded, t->forward_on, ", ");
	lc_json_kv_u64_or_null(f, "forward_dropped", t->forward_dropped, t->forward_on, "");
	fprintf(f, "},\n  \"source\": \"%s\",\n", t->pcap ? "pcap" : "dpdk");
}

/* The forward port, or null. */
static void
json_forward(FILE *f, const struct lc_view_forward *fw, const struct lc_totals *t)
{
	if (!fw->on) {
		fprintf(f, "  \"forward\": null,\n  \"forward_invariant_ok\": null,\n");
		return;
	}
	fprintf(f, "  \"forward\": {");
	lc_json_kv_str(f, "device", fw->devargs, ", ");
	lc_json_kv_str(f, "name", fw->name, ", ");
	lc_json_kv_str(f, "driver", fw->driver, ", ");
	fprintf(f,
			"\"port\": %u, \"tx_queues\": %u, \"opackets\": %" PRIu64
			", \"oerrors\": %" PRIu64 "},\n",
			fw->port_id, fw->nb_txq, fw->opackets, fw->oerrors);
	fprintf(f, "  \"forward_invariant_ok\": %s,\n",
			lc_forward_invariant_holds(t) ? "true" : "false");
}

/* One queue (rx task) of a port: its counters and the writes of its rings. */
static void
json_queue(FILE *f, const struct lc_stats_view *v, unsigned int i, const char *sep)
{
	const struct lc_view_rx *t = &v->rx[i];
	struct lc_ring_counters sum;

	lc_stats_rings(v, i, LC_VIEW_ANY, &sum);
	fprintf(f,
			"%s\n      {\"queue\": %u, \"lcore\": %u, \"received\": "
			"%" PRIu64 ", \"written\": %" PRIu64 ", \"dropped_ring_full\": %" PRIu64
			", \"dropped_write_error\": %" PRIu64 ", \"filtered\": %" PRIu64 ", ",
			sep, t->queue_id, t->lcore, lc_counter_read(&t->cnt->received), sum.written,
			lc_counter_read(&t->cnt->ring_full), sum.write_errors,
			lc_counter_read(&t->cnt->filtered));
	lc_json_kv_u64_or_null(
			f, "dropped_kernel", lc_counter_read(&t->cnt->ps_drop), v->pcap, ", ");
	lc_json_kv_u64_or_null(
			f, "forwarded", lc_counter_read(&t->cnt->forwarded), v->fwd.on, ", ");
	lc_json_kv_u64_or_null(f, "forward_dropped", lc_counter_read(&t->cnt->forward_dropped),
			v->fwd.on, "}");
}

static void
json_ports(FILE *f, const struct lc_stats_view *v)
{
	unsigned int p, i;

	fprintf(f, "  \"ports\": [");
	for (p = 0; p < v->nb_ports; p++) {
		const struct lc_view_port *port = &v->ports[p];
		const struct lc_port_counters *s = port->snap;
		uint32_t sup = port->counters;
		const char *qsep = "";

		fprintf(f, "%s\n    {\"port\": %u, ", p ? "," : "", port->port_id);
		lc_json_kv_str(f, "name", port->name, ", ");
		lc_json_kv_str(f, "driver", port->driver, ", ");
		fprintf(f, "\"ipackets\": %" PRIu64 ", ", s->ipackets);
		lc_json_kv_u64_or_null(f, "imissed", s->imissed, sup & LC_CNT_IMISSED, ", ");
		lc_json_kv_u64_or_null(f, "ierrors", s->ierrors, sup & LC_CNT_IERRORS, ", ");
		lc_json_kv_u64_or_null(f, "rx_nombuf", s->rx_nombuf, sup & LC_CNT_RX_NOMBUF, ", ");
		fprintf(f, "\"queues\": [");
		for (i = 0; i < v->nb_rx; i++) {
			if (v->rx[i].port_id != port->port_id)
				continue;
			json_queue(f, v, i, qsep);
			qsep = ",";
		}
		fprintf(f, "]}");
	}
	fprintf(f, "\n  ],\n");
}

/* --compress: "compress": bytes in and out, ratio, frames (only when on). */
static void
json_compress(FILE *f, const struct lc_stats_view *v)
{
	struct lc_compress_counters z;

	if (!lc_stats_compress(v, LC_VIEW_ANY, &z))
		return;
	fprintf(f,
			"  \"compress\": {\"codec\": \"zstd\", \"level\": %d, \"bytes_in\": "
			"%" PRIu64 ", \"bytes_out\": %" PRIu64
			", \"ratio\": %.4f, \"frames\": %" PRIu64 "},\n",
			v->writers[0].zlevel, z.bytes_in, z.bytes_out,
			z.bytes_out ? (double)z.bytes_in / (double)z.bytes_out : 0.0, z.frames);
}

static void
json_writers(FILE *f, const struct lc_stats_view *v)
{
	unsigned int i;

	fprintf(f, "  \"writers\": [");
	for (i = 0; i < v->nb_writers; i++) {
		const struct lc_view_writer *w = &v->writers[i];
		struct lc_ring_counters sum;

		lc_stats_rings(v, LC_VIEW_ANY, i, &sum);
		fprintf(f, "%s\n    {\"writer\": %u, \"lcore\": %u, ", i ? "," : "", i, w->lcore);
		lc_json_kv_str(f, "file", w->path, ", ");
		fprintf(f,
				"\"written\": %" PRIu64 ", \"bytes\": %" PRIu64
				", \"write_errors\": %" PRIu64 ", \"write_calls\": %" PRIu64
				", \"o_direct\": %s, \"files\": %" PRIu64 "}",
				sum.written, sum.written_bytes, sum.write_errors, w->write_calls,
				w->o_direct ? "true" : "false", w->files);
	}
	fprintf(f, "\n  ]\n");
}

int
lc_report_json(const char *path, const struct lc_stats_view *v, struct lc_error *err)
{
	struct lc_totals t;
	FILE *f = fopen(path, "w");

	if (f == NULL)
		return lc_error_set(
				err, LC_ERR_OUTPUT, "cannot write '%s': %s", path, strerror(errno));
	lc_stats_totals(v, &t);
	fprintf(f, "{\n  \"version\": 1,\n  \"duration_s\": %.6f,\n", lc_stats_elapsed(v));
	fprintf(f,
			"  \"totals\": {\"received\": %" PRIu64 ", \"written\": %" PRIu64
			", \"dropped_ring_full\": %" PRIu64 ", \"dropped_write_error\": %" PRIu64
			", ",
			t.received, t.written, t.ring_full, t.write_errors);
	lc_json_kv_u64_or_null(f, "imissed", t.imissed, t.imissed_known, ", ");
	lc_json_kv_u64_or_null(f, "ierrors", t.ierrors, t.ierrors_known, ", ");
	lc_json_kv_u64_or_null(f, "rx_nombuf", t.rx_nombuf, t.rx_nombuf_known, ", ");
	fprintf(f,
			"\"bytes_received\": %" PRIu64 ", \"bytes_written\": %" PRIu64
			", \"pmd_short\": %" PRIu64 ", ",
			t.rx_bytes, t.written_bytes, t.pmd_short);
	json_rx_totals(f, &t);
	fprintf(f, "  \"invariant_ok\": %s,\n", lc_invariant_holds(&t) ? "true" : "false");
	json_forward(f, &v->fwd, &t);
	if (v->retention.on)
		fprintf(f,
				"  \"retention\": {\"max_disk\": %" PRIu64
				", \"min_free\": %g, \"files_deleted\": %" PRIu64
				", \"bytes_deleted\": %" PRIu64 "},\n",
				v->retention.max_disk, v->retention.min_free,
				lc_counter_read(&v->retention.cnt->files_deleted),
				lc_counter_read(&v->retention.cnt->bytes_deleted));
	json_compress(f, v);
	lc_upload_json(f); /* --upload: "upload": {...}, */
	json_ports(f, v);
	json_writers(f, v);
	fprintf(f, "}\n");
	if (fclose(f) != 0)
		return lc_error_set(
				err, LC_ERR_OUTPUT, "cannot write '%s': %s", path, strerror(errno));
	return 0;
}
