/* SPDX-License-Identifier: BSD-3-Clause */
/* Human reports of the counters (live line, summary) and the invariants; main lcore only. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <linecap/report.h>

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
lc_report_live(FILE *f, const struct lc_stats_view *v, struct lc_live *live)
{
	struct lc_totals t;
	double now = lc_stats_elapsed(v);
	double dt = now - live->prev_time;
	double pps, bps;

	lc_stats_totals(v, &t);
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

/* The totals: tcpdump's three lines, then linecap's own drop causes. */
static void
summary_totals(FILE *f, const struct lc_stats_view *v, const struct lc_totals *t)
{
	bool first = true;

	fprintf(f, "%" PRIu64 " packets captured\n", t->written);
	fprintf(f, "%" PRIu64 " packets received by linecap\n", t->received);
	fprintf(f, "%" PRIu64 " packets dropped by interface (", interface_drops(t));
	print_counter(f, "imissed", t->imissed, t->imissed_known, &first);
	print_counter(f, "rx_nombuf", t->rx_nombuf, t->rx_nombuf_known, &first);
	print_counter(f, "ierrors", t->ierrors, t->ierrors_known, &first);
	if (t->pcap)
		print_counter(f, "ps_ifdrop", t->ps_ifdrop, true, &first);
	fprintf(f, ")\n");
	if (t->pcap)
		fprintf(f, "%" PRIu64 " packets dropped by kernel\n", t->ps_drop);
	if (t->filter_on || t->filtered != 0)
		fprintf(f, "%" PRIu64 " packets filtered out%s\n", t->filtered,
				t->pcap ? " (past -c COUNT; the kernel's filter counts none)" : "");
	fprintf(f, "%" PRIu64 " packets dropped by ring\n", t->ring_full);
	fprintf(f, "%" PRIu64 " packets dropped by write errors\n", t->write_errors);
	if (t->forward_on) {
		fprintf(f, "%" PRIu64 " packets forwarded to %s (%s)\n", t->forwarded, v->fwd.name,
				v->fwd.driver);
		fprintf(f,
				"%" PRIu64 " packets dropped by forward (queue full, or longer "
				"than its MTU)\n",
				t->forward_dropped);
		if (t->forward_oerrors != 0)
			fprintf(f,
					"linecap: the forward port %s counts %" PRIu64
					" tx errors of its own (oerrors; see docs/CLI.md, "
					"--forward)\n",
					v->fwd.name, t->forward_oerrors);
	}
	if (t->pmd_short != 0)
		fprintf(f,
				"linecap: %" PRIu64
				" packets came from the PMD with fewer data bytes than their "
				"length; they were written with caplen = the bytes present\n",
				t->pmd_short);
}

/* One line per rx task: port/queue and its own counters. */
static void
summary_rx(FILE *f, const struct lc_stats_view *v)
{
	unsigned int i;

	for (i = 0; i < v->nb_rx; i++) {
		const struct lc_view_rx *rx = &v->rx[i];
		const char *name = rx->port < v->nb_ports ? v->ports[rx->port].name : "?";

		fprintf(f,
				"  %s/q%u: %" PRIu64 " received, %" PRIu64
				" dropped by ring, %" PRIu64 " filtered%s",
				name, rx->queue_id, lc_counter_read(&rx->cnt->received),
				lc_counter_read(&rx->cnt->ring_full),
				lc_counter_read(&rx->cnt->filtered),
				v->pcap || v->fwd.on ? "" : "\n");
		if (v->fwd.on)
			fprintf(f, ", %" PRIu64 " forwarded, %" PRIu64 " dropped by forward\n",
					lc_counter_read(&rx->cnt->forwarded),
					lc_counter_read(&rx->cnt->forward_dropped));
		if (v->pcap)
			fprintf(f, ", %" PRIu64 " dropped by kernel\n",
					lc_counter_read(&rx->cnt->ps_drop));
	}
}

/* One line per writer: its file and its counters. */
static void
summary_writers(FILE *f, const struct lc_stats_view *v)
{
	unsigned int i;

	for (i = 0; i < v->nb_writers; i++) {
		const struct lc_view_writer *w = &v->writers[i];
		struct lc_ring_counters sum;

		lc_stats_rings(v, LC_VIEW_ANY, i, &sum);
		fprintf(f,
				"  writer %u -> %s%s: %" PRIu64 " written, %" PRIu64
				" write errors%s%s%s%s\n",
				i, w->path[0] != '\0' ? w->path : "(no file)",
				v->rotating ? " (last of its files)" : "", sum.written,
				sum.write_errors, w->o_direct ? ", O_DIRECT" : "",
				w->last_errno ? ", last error: " : "",
				w->last_errno ? strerror(w->last_errno) : "",
				w->recovered ? " (recovered)" : "");
	}
}

/* --max-disk / --min-free: what retention deleted (only when on). */
static void
summary_retention(FILE *f, const struct lc_stats_view *v)
{
	if (!v->retention.on)
		return;
	fprintf(f, "%" PRIu64 " files deleted by retention (%" PRIu64 " bytes)\n",
			lc_counter_read(&v->retention.cnt->files_deleted),
			lc_counter_read(&v->retention.cnt->bytes_deleted));
}

/* --compress: bytes in and out, and the ratio (only when on). */
static void
summary_compress(FILE *f, const struct lc_stats_view *v)
{
	struct lc_compress_counters z;

	if (!lc_stats_compress(v, LC_VIEW_ANY, &z))
		return;
	fprintf(f,
			"%" PRIu64 " bytes compressed to %" PRIu64
			" (zstd level %d, ratio %.2f, %" PRIu64 " frames)\n",
			z.bytes_in, z.bytes_out, v->writers[0].zlevel,
			z.bytes_out ? (double)z.bytes_in / (double)z.bytes_out : 0.0, z.frames);
}

void
lc_report_summary(FILE *f, const struct lc_stats_view *v)
{
	struct lc_totals t;

	lc_stats_totals(v, &t);
	summary_totals(f, v, &t);
	summary_rx(f, v);
	summary_writers(f, v);
	summary_retention(f, v);
	summary_compress(f, v);
	if (!lc_invariant_holds(&t))
		fprintf(f, "linecap: BUG: received %" PRIu64 " != written + drops %" PRIu64 "\n",
				t.received, lc_accounted(&t));
	if (!lc_forward_invariant_holds(&t))
		fprintf(f,
				"linecap: BUG: forwarded %" PRIu64 " + dropped by forward %" PRIu64
				" != received %" PRIu64 " - filtered %" PRIu64 "\n",
				t.forwarded, t.forward_dropped, t.received, t.filtered);
}
