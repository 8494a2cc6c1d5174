/* SPDX-License-Identifier: BSD-3-Clause */
/* Sums over the stats view: any thread that holds the view. */
#include <string.h>
#include <time.h>

#include <linecap/pmd_profile.h>
#include <linecap/stats_view.h>

/* sum += c, read while its writer may still add to it. */
static void
ring_add(struct lc_ring_counters *sum, const struct lc_ring_counters *c)
{
	sum->written += lc_counter_read(&c->written);
	sum->written_bytes += lc_counter_read(&c->written_bytes);
	sum->write_errors += lc_counter_read(&c->write_errors);
	sum->pmd_short += lc_counter_read(&c->pmd_short);
}

void
lc_stats_rings(const struct lc_stats_view *v, unsigned int rx, unsigned int writer,
		struct lc_ring_counters *sum)
{
	unsigned int i;

	memset(sum, 0, sizeof(*sum));
	for (i = 0; i < v->nb_rings; i++)
		if ((rx == LC_VIEW_ANY || v->rings[i].rx == rx) &&
				(writer == LC_VIEW_ANY || v->rings[i].writer == writer))
			ring_add(sum, v->rings[i].cnt);
}

/*
 * Read while the counters move, the sum must never show more packets leaving a
 * stage than entered it (received >= written + filtered + drops). Every packet
 * is counted where it enters (received) before it is counted where it leaves,
 * and each counter is published with a release store (lc_counter_add), so the
 * reads go downstream first: the writers' counters, then the rx tasks' drops and
 * filter, then what they received, each group behind an acquire fence.
 */
void
lc_stats_totals(const struct lc_stats_view *v, struct lc_totals *t)
{
	struct lc_ring_counters rings;
	unsigned int i;

	memset(t, 0, sizeof(*t));
	lc_stats_rings(v, LC_VIEW_ANY, LC_VIEW_ANY, &rings);
	t->written = rings.written;
	t->written_bytes = rings.written_bytes;
	t->write_errors = rings.write_errors;
	t->pmd_short = rings.pmd_short;
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	for (i = 0; i < v->nb_rx; i++) {
		const struct lc_rx_counters *c = v->rx[i].cnt;

		t->ring_full += lc_counter_read(&c->ring_full);
		t->filtered += lc_counter_read(&c->filtered);
		t->ps_drop += lc_counter_read(&c->ps_drop);
		t->ps_ifdrop += lc_counter_read(&c->ps_ifdrop);
		t->forwarded += lc_counter_read(&c->forwarded);
		t->forward_dropped += lc_counter_read(&c->forward_dropped);
	}
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	for (i = 0; i < v->nb_rx; i++) {
		const struct lc_rx_counters *c = v->rx[i].cnt;

		t->received += lc_counter_read(&c->received);
		t->rx_bytes += lc_counter_read(&c->rx_bytes);
	}
	t->forward_on = v->fwd.on;
	t->forward_oerrors = lc_counter_read(&v->fwd.oerrors);
	t->filter_on = v->filter_on;
	t->pcap = v->pcap;
	t->imissed_known = t->ierrors_known = t->rx_nombuf_known = v->nb_ports > 0;
	for (i = 0; i < v->nb_ports; i++) {
		const struct lc_port_counters *s = v->ports[i].snap;
		uint32_t sup = v->ports[i].counters;

		t->imissed += lc_counter_read(&s->imissed);
		t->ierrors += lc_counter_read(&s->ierrors);
		t->rx_nombuf += lc_counter_read(&s->rx_nombuf);
		t->imissed_known &= (sup & LC_CNT_IMISSED) != 0;
		t->ierrors_known &= (sup & LC_CNT_IERRORS) != 0;
		t->rx_nombuf_known &= (sup & LC_CNT_RX_NOMBUF) != 0;
	}
}

double
lc_stats_elapsed(const struct lc_stats_view *v)
{
	uint64_t start = lc_counter_read(&v->start_ns);
	uint64_t end = lc_counter_read(&v->end_ns);
	struct timespec ts;

	if (end == 0) {
		clock_gettime(CLOCK_MONOTONIC, &ts);
		end = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
	}
	return start != 0 ? (double)(end - start) / 1e9 : 0.0;
}

bool
lc_stats_compress(const struct lc_stats_view *v, unsigned int writer,
		struct lc_compress_counters *sum)
{
	bool on = false;
	unsigned int i;

	memset(sum, 0, sizeof(*sum));
	for (i = 0; i < v->nb_writers; i++) {
		const struct lc_compress_counters *c = v->writers[i].zcnt;

		if (c == NULL || (writer != LC_VIEW_ANY && writer != i))
			continue;
		on = true;
		sum->bytes_in += lc_counter_read(&c->bytes_in);
		sum->bytes_out += lc_counter_read(&c->bytes_out);
		sum->frames += lc_counter_read(&c->frames);
	}
	return on;
}
