/* SPDX-License-Identifier: BSD-3-Clause */
/* Human and JSON reports of the counters; main lcore only. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <linecap/report.h>

#include "core/engine_priv.h"
#include "core/rotate.h"

/* Files a writer completed: with rotation, those published so far. */
static uint64_t
writer_files(const struct lc_engine *e, unsigned int i)
{
	return e->rotator != NULL ? lc_rotate_files(e, i) : 1;
}

bool
lc_invariant_holds(const struct lc_totals *t)
{
	return t->received == lc_accounted(t);
}

uint64_t
lc_accounted(const struct lc_totals *t)
{
	/* ps_drop: the kernel received the packet but had no room (libpcap path). */
	return t->written + t->filtered + t->ring_full + t->write_errors + t->ps_drop;
}

bool
lc_forward_invariant_holds(const struct lc_totals *t)
{
	return !t->forward_on || t->forwarded + t->forward_dropped == t->received - t->filtered;
}

static uint64_t
interface_drops(const struct lc_totals *t)
{
	return (t->imissed_known ? t->imissed : 0) + (t->rx_nombuf_known ? t->rx_nombuf : 0) +
	       t->ps_ifdrop;
}

void
lc_report_live(FILE *f, struct lc_engine *e, struct lc_live *live)
{
	struct lc_totals t;
	double now = lc_engine_elapsed(e);
	double dt = now - live->prev_time;
	double pps, bps;

	lc_engine_refresh_ports(e);
	lc_engine_totals(e, &t);
	if (dt <= 0)
		dt = 1;
	pps = (double)(t.received - live->prev.received) / dt;
	bps = (double)(t.rx_bytes - live->prev.rx_bytes) * 8 / dt;
	fprintf(f,
			"%s%" PRIu64 " packets, %.2f Mpps, %.2f Gbps, dropped: %" PRIu64
			" interface, %" PRIu64 " ring, %" PRIu64 " write",
			live->tty ? "\r\033[K" : "", t.written, pps / 1e6, bps / 1e9,
			interface_drops(&t), t.ring_full, t.write_errors);
	if (t.forward_on)
		fprintf(f, "; forwarded %" PRIu64 ", %" PRIu64 " dropped", t.forwarded,
				t.forward_dropped);
	fprintf(f, "%s", live->tty ? "" : "\n");
	fflush(f);
	live->prev = t;
	live->prev_time = now;
}

static void
print_counter(FILE *f, const char *name, uint64_t v, bool known, bool *first)
{
	fprintf(f, "%s%s ", *first ? "" : ", ", name);
	if (known)
		fprintf(f, "%" PRIu64, v);
	else
		fprintf(f, "n/a");
	*first = false;
}

void
lc_report_summary(FILE *f, struct lc_engine *e)
{
	struct lc_totals t;
	bool first = true;
	unsigned int i;

	lc_engine_totals(e, &t);
	fprintf(f, "%" PRIu64 " packets captured\n", t.written);
	fprintf(f, "%" PRIu64 " packets received by linecap\n", t.received);
	fprintf(f, "%" PRIu64 " packets dropped by interface (", interface_drops(&t));
	print_counter(f, "imissed", t.imissed, t.imissed_known, &first);
	print_counter(f, "rx_nombuf", t.rx_nombuf, t.rx_nombuf_known, &first);
	print_counter(f, "ierrors", t.ierrors, t.ierrors_known, &first);
	if (t.pcap)
		print_counter(f, "ps_ifdrop", t.ps_ifdrop, true, &first);
	fprintf(f, ")\n");
	if (t.pcap)
		fprintf(f, "%" PRIu64 " packets dropped by kernel\n", t.ps_drop);
	if (t.filter_on || t.filtered != 0)
		fprintf(f, "%" PRIu64 " packets filtered out%s\n", t.filtered,
				t.pcap ? " (past -c COUNT; the kernel's filter counts none)" : "");
	fprintf(f, "%" PRIu64 " packets dropped by ring\n", t.ring_full);
	fprintf(f, "%" PRIu64 " packets dropped by write errors\n", t.write_errors);
	if (t.forward_on) {
		fprintf(f, "%" PRIu64 " packets forwarded to %s (%s)\n", t.forwarded,
				e->fwd.port->name, e->fwd.port->driver);
		fprintf(f,
				"%" PRIu64 " packets dropped by forward (queue full, or longer "
				"than its MTU)\n",
				t.forward_dropped);
		if (t.forward_oerrors != 0)
			fprintf(f,
					"linecap: the forward port %s counts %" PRIu64
					" tx errors of its own (oerrors; see docs/CLI.md, "
					"--forward)\n",
					e->fwd.port->name, t.forward_oerrors);
	}
	if (t.pmd_short != 0)
		fprintf(f,
				"linecap: %" PRIu64
				" packets came from the PMD with fewer data bytes than their "
				"length; they were written with caplen = the bytes present\n",
				t.pmd_short);
	for (i = 0; i < e->nb_rx; i++) {
		const struct lc_rx_task *rx = &e->rx[i];
		const char *name = "?";
		unsigned int p;

		for (p = 0; p < e->nb_ports; p++)
			if (e->ports[p].port_id == rx->port_id)
				name = e->ports[p].name;
		fprintf(f,
				"  %s/q%u: %" PRIu64 " received, %" PRIu64
				" dropped by ring, %" PRIu64 " filtered%s",
				name, rx->queue_id, lc_counter_read(&rx->cnt->received),
				lc_counter_read(&rx->cnt->ring_full),
				lc_counter_read(&rx->cnt->filtered),
				e->pcap_mode || e->fwd.on ? "" : "\n");
		if (e->fwd.on)
			fprintf(f, ", %" PRIu64 " forwarded, %" PRIu64 " dropped by forward\n",
					lc_counter_read(&rx->cnt->forwarded),
					lc_counter_read(&rx->cnt->forward_dropped));
		if (e->pcap_mode)
			fprintf(f, ", %" PRIu64 " dropped by kernel\n",
					lc_counter_read(&rx->cnt->ps_drop));
	}
	for (i = 0; i < e->nb_writers; i++) {
		const struct lc_writer_task *w = &e->writers[i];
		uint64_t wr = 0, err = 0;
		unsigned int r;

		for (r = 0; r < w->nb_rings; r++) {
			wr += lc_counter_read(&w->cnt[r]->written);
			err += lc_counter_read(&w->cnt[r]->write_errors);
		}
		fprintf(f,
				"  writer %u -> %s%s: %" PRIu64 " written, %" PRIu64
				" write errors%s%s%s\n",
				i, e->writer_path[i][0] != '\0' ? e->writer_path[i] : "(no file)",
				e->rotator != NULL ? " (last of its files)" : "", wr, err,
				w->o_direct ? ", O_DIRECT" : "",
				w->last_errno ? ", last error: " : "",
				w->last_errno ? strerror(w->last_errno) : "");
	}
	if (!lc_invariant_holds(&t))
		fprintf(f, "linecap: BUG: received %" PRIu64 " != written + drops %" PRIu64 "\n",
				t.received, lc_accounted(&t));
	if (!lc_forward_invariant_holds(&t))
		fprintf(f,
				"linecap: BUG: forwarded %" PRIu64 " + dropped by forward %" PRIu64
				" != received %" PRIu64 " - filtered %" PRIu64 "\n",
				t.forwarded, t.forward_dropped, t.received, t.filtered);
}

static void
json_opt(FILE *f, const char *key, uint64_t v, bool known, const char *sep)
{
	if (known)
		fprintf(f, "\"%s\": %" PRIu64 "%s", key, v, sep);
	else
		fprintf(f, "\"%s\": null%s", key, sep);
}

/* Paths and names go into JSON strings: escape what JSON requires. */
static void
json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

/* Filter and libpcap counters; null where the path does not have them. */
static void
json_rx_totals(FILE *f, const struct lc_totals *t)
{
	fprintf(f, "\"filtered\": %" PRIu64 ", ", t->filtered);
	json_opt(f, "dropped_kernel", t->ps_drop, t->pcap, ", ");
	json_opt(f, "ps_recv", t->received, t->pcap, ", ");
	json_opt(f, "ps_drop", t->ps_drop, t->pcap, ", ");
	json_opt(f, "ps_ifdrop", t->ps_ifdrop, t->pcap, ", ");
	json_opt(f, "forwarded", t->forwarded, t->forward_on, ", ");
	json_opt(f, "forward_dropped", t->forward_dropped, t->forward_on, "");
	fprintf(f, "},\n  \"source\": \"%s\",\n", t->pcap ? "pcap" : "dpdk");
}

/* The forward port, or null. */
static void
json_forward(FILE *f, const struct lc_engine *e, const struct lc_totals *t)
{
	const struct lc_forward *fw = &e->fwd;

	if (!fw->on) {
		fprintf(f, "  \"forward\": null,\n  \"forward_invariant_ok\": null,\n");
		return;
	}
	fprintf(f, "  \"forward\": {\"device\": ");
	json_str(f, fw->devargs);
	fprintf(f, ", \"name\": ");
	json_str(f, fw->port->name);
	fprintf(f, ", \"driver\": ");
	json_str(f, fw->port->driver);
	fprintf(f,
			", \"port\": %u, \"tx_queues\": %u, \"opackets\": %" PRIu64
			", \"oerrors\": %" PRIu64 "},\n",
			fw->port->port_id, fw->nb_txq, fw->opackets, fw->oerrors);
	fprintf(f, "  \"forward_invariant_ok\": %s,\n",
			lc_forward_invariant_holds(t) ? "true" : "false");
}

static unsigned int
lcore_of_rx(const struct lc_engine *e, const struct lc_rx_task *t)
{
	unsigned int i, j;

	for (i = 0; i < e->nb_workers; i++)
		for (j = 0; j < e->workers[i].nb_rx; j++)
			if (e->workers[i].rx[j] == t)
				return e->workers[i].lcore_id;
	return 0;
}

static unsigned int
lcore_of_writer(const struct lc_engine *e, const struct lc_writer_task *w)
{
	unsigned int i, j;

	for (i = 0; i < e->nb_workers; i++)
		for (j = 0; j < e->workers[i].nb_writers; j++)
			if (e->workers[i].writers[j] == w)
				return e->workers[i].lcore_id;
	return 0;
}

static void
json_ports(FILE *f, const struct lc_engine *e)
{
	unsigned int p, i, r;

	fprintf(f, "  \"ports\": [");
	for (p = 0; p < e->nb_ports; p++) {
		const struct lc_port *port = &e->ports[p];
		uint32_t sup = port->prof.counters;
		const char *qsep = "";

		fprintf(f, "%s\n    {\"port\": %u, \"name\": ", p ? "," : "", port->port_id);
		json_str(f, port->name);
		fprintf(f, ", \"driver\": ");
		json_str(f, port->driver);
		fprintf(f, ", \"ipackets\": %" PRIu64 ", ", port->stats.ipackets);
		json_opt(f, "imissed", port->stats.imissed, sup & LC_CNT_IMISSED, ", ");
		json_opt(f, "ierrors", port->stats.ierrors, sup & LC_CNT_IERRORS, ", ");
		json_opt(f, "rx_nombuf", port->stats.rx_nombuf, sup & LC_CNT_RX_NOMBUF, ", ");
		fprintf(f, "\"queues\": [");
		for (i = 0; i < e->nb_rx; i++) {
			const struct lc_rx_task *t = &e->rx[i];
			uint64_t wr = 0, werr = 0;

			if (t->port_id != port->port_id)
				continue;
			for (r = 0; r < e->nb_rings; r++)
				if (e->ring_rx[r] == i) {
					wr += lc_counter_read(&e->ring_cnt[r].written);
					werr += lc_counter_read(&e->ring_cnt[r].write_errors);
				}
			fprintf(f,
					"%s\n      {\"queue\": %u, \"lcore\": %u, \"received\": "
					"%" PRIu64 ", \"written\": %" PRIu64
					", \"dropped_ring_full\": %" PRIu64
					", \"dropped_write_error\": %" PRIu64
					", \"filtered\": %" PRIu64 ", ",
					qsep, t->queue_id, lcore_of_rx(e, t),
					lc_counter_read(&t->cnt->received), wr,
					lc_counter_read(&t->cnt->ring_full), werr,
					lc_counter_read(&t->cnt->filtered));
			json_opt(f, "dropped_kernel", lc_counter_read(&t->cnt->ps_drop),
					e->pcap_mode, ", ");
			json_opt(f, "forwarded", lc_counter_read(&t->cnt->forwarded), e->fwd.on,
					", ");
			json_opt(f, "forward_dropped", lc_counter_read(&t->cnt->forward_dropped),
					e->fwd.on, "}");
			qsep = ",";
		}
		fprintf(f, "]}");
	}
	fprintf(f, "\n  ],\n");
}

static void
json_writers(FILE *f, const struct lc_engine *e)
{
	unsigned int i, r;

	fprintf(f, "  \"writers\": [");
	for (i = 0; i < e->nb_writers; i++) {
		const struct lc_writer_task *w = &e->writers[i];
		uint64_t wr = 0, bytes = 0, err = 0;

		for (r = 0; r < w->nb_rings; r++) {
			wr += lc_counter_read(&w->cnt[r]->written);
			bytes += lc_counter_read(&w->cnt[r]->written_bytes);
			err += lc_counter_read(&w->cnt[r]->write_errors);
		}
		fprintf(f, "%s\n    {\"writer\": %u, \"lcore\": %u, \"file\": ", i ? "," : "", i,
				lcore_of_writer(e, w));
		json_str(f, e->writer_path[i]);
		fprintf(f,
				", \"written\": %" PRIu64 ", \"bytes\": %" PRIu64
				", \"write_errors\": %" PRIu64 ", \"write_calls\": %" PRIu64
				", \"o_direct\": %s, \"files\": %" PRIu64 "}",
				wr, bytes, err, w->write_calls, w->o_direct ? "true" : "false",
				writer_files(e, i));
	}
	fprintf(f, "\n  ]\n");
}

int
lc_report_json(const char *path, struct lc_engine *e, struct lc_error *err)
{
	struct lc_totals t;
	FILE *f = fopen(path, "w");

	if (f == NULL)
		return lc_error_set(
				err, LC_ERR_OUTPUT, "cannot write '%s': %s", path, strerror(errno));
	lc_engine_totals(e, &t);
	fprintf(f, "{\n  \"version\": 1,\n  \"duration_s\": %.6f,\n", lc_engine_elapsed(e));
	fprintf(f,
			"  \"totals\": {\"received\": %" PRIu64 ", \"written\": %" PRIu64
			", \"dropped_ring_full\": %" PRIu64 ", \"dropped_write_error\": %" PRIu64
			", ",
			t.received, t.written, t.ring_full, t.write_errors);
	json_opt(f, "imissed", t.imissed, t.imissed_known, ", ");
	json_opt(f, "ierrors", t.ierrors, t.ierrors_known, ", ");
	json_opt(f, "rx_nombuf", t.rx_nombuf, t.rx_nombuf_known, ", ");
	fprintf(f,
			"\"bytes_received\": %" PRIu64 ", \"bytes_written\": %" PRIu64
			", \"pmd_short\": %" PRIu64 ", ",
			t.rx_bytes, t.written_bytes, t.pmd_short);
	json_rx_totals(f, &t);
	fprintf(f, "  \"invariant_ok\": %s,\n", lc_invariant_holds(&t) ? "true" : "false");
	json_forward(f, e, &t);
	json_ports(f, e);
	json_writers(f, e);
	fprintf(f, "}\n");
	if (fclose(f) != 0)
		return lc_error_set(
				err, LC_ERR_OUTPUT, "cannot write '%s': %s", path, strerror(errno));
	return 0;
}
