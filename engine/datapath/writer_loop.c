/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Per-burst writing: dequeue from each ring, pack pcap records into the block
 * buffer, hand whole blocks to the medium, free mbufs in bulk.
 *
 * Records are appended whole: the buffer has `block_size` plus room for one
 * maximal record, so a record is never split in memory. When the buffer
 * reaches `block_size`, exactly `block_size` bytes are written and the
 * straddling tail moves to the front. A packet counts as written once the
 * block holding its record's last byte is on the medium.
 */
#include <string.h>

#include <rte_cycles.h>
#include <rte_mbuf.h>
#include <rte_mbuf_dyn.h>
#include <rte_ring.h>

#include "datapath/tasks.h"

struct pcap_rec_hdr {
	uint32_t ts_sec;
	uint32_t ts_frac; /* ns or us, as the file magic says */
	uint32_t caplen;
	uint32_t len;
};

/* Move every pending count to `written` (or `write_errors` if !ok). */
static void
settle_pending(struct lc_writer_task *w, bool ok, int keep_ring, uint32_t keep_bytes)
{
	uint16_t r;

	for (r = 0; r < w->nb_rings; r++) {
		uint32_t n = w->pending[r];
		uint64_t b = w->pending_bytes[r];

		if (r == keep_ring) {
			n -= 1;
			b -= keep_bytes;
		}
		if (n != 0) {
			if (ok) {
				lc_counter_add(&w->cnt[r]->written, n);
				lc_counter_add(&w->cnt[r]->written_bytes, b);
			} else {
				lc_counter_add(&w->cnt[r]->write_errors, n);
			}
		}
		w->pending[r] = (r == keep_ring) ? 1 : 0;
		w->pending_bytes[r] = (r == keep_ring) ? keep_bytes : 0;
	}
}

/* Write the first block_size bytes. On failure, stall and retry later. */
static void
flush_block(struct lc_writer_task *w)
{
	struct lc_block_out *o = &w->out;
	size_t over = o->used - o->block_size;
	int ret;

	ret = o->medium.ops->write(&o->medium, o->buf, o->block_size);
	o->write_calls++;
	if (ret < 0) {
		o->last_errno = -ret;
		o->stalled = true;
		o->retry_tsc = rte_rdtsc() + rte_get_tsc_hz() / 10;
		if (ret == -EPIPE)
			w->shared->fatal = 1;
		return;
	}
	o->stalled = false;
	o->file_bytes += o->block_size;
	if (over > 0) {
		/* The straddling record is on the medium only after the next block. */
		o->boundary = o->file_bytes - (w->straddle_bytes - over);
		settle_pending(w, true, w->straddle_ring, w->straddle_bytes);
		memmove(o->buf, o->buf + o->block_size, over);
	} else {
		o->boundary = o->file_bytes;
		settle_pending(w, true, -1, 0);
	}
	o->used = over;
}

static void
append_burst(struct lc_writer_task *w, uint16_t r, struct rte_mbuf **pkts, unsigned int n)
{
	struct lc_block_out *o = &w->out;
	unsigned int i;

	for (i = 0; i < n; i++) {
		const struct rte_mbuf *m = pkts[i];
		uint64_t ns = *RTE_MBUF_DYNFIELD(m, w->shared->ts_offset, uint64_t *);
		uint32_t caplen = RTE_MIN(m->pkt_len, w->snaplen);
		uint32_t left = caplen;
		struct pcap_rec_hdr h;
		uint8_t *dst;

		if (o->used >= o->block_size) {
			/* Stalled on a failed block: this packet cannot be stored. */
			lc_counter_add(&w->cnt[r]->write_errors, n - i);
			return;
		}
		h.ts_sec = (uint32_t)(ns / 1000000000u);
		h.ts_frac = (uint32_t)(ns % 1000000000u);
		if (!w->nanosecond)
			h.ts_frac /= 1000u;
		h.caplen = caplen;
		h.len = m->pkt_len;
		dst = o->buf + o->used;
		memcpy(dst, &h, sizeof(h));
		dst += sizeof(h);
		for (; left > 0 && m != NULL; m = m->next) {
			uint32_t k = RTE_MIN((uint32_t)m->data_len, left);

			memcpy(dst, rte_pktmbuf_mtod(m, const uint8_t *), k);
			dst += k;
			left -= k;
		}
		o->used += sizeof(h) + caplen;
		w->pending[r]++;
		w->pending_bytes[r] += sizeof(h) + caplen;
		if (o->used >= o->block_size) {
			w->straddle_ring = r;
			w->straddle_bytes = (uint32_t)(sizeof(h) + caplen);
			flush_block(w);
		}
	}
}

/* Drop everything in the rings while stalled, counting it; retry on time. */
static unsigned int
poll_stalled(struct lc_writer_task *w)
{
	struct rte_mbuf *pkts[LC_MAX_BURST];
	unsigned int total = 0;
	uint16_t r;

	if (rte_rdtsc() >= w->out.retry_tsc && !w->shared->fatal)
		flush_block(w);
	if (!w->out.stalled)
		return 0;
	for (r = 0; r < w->nb_rings; r++) {
		unsigned int n = rte_ring_sc_dequeue_burst(w->rings[r], (void **)pkts, w->burst,
				NULL);

		if (n > 0) {
			lc_counter_add(&w->cnt[r]->write_errors, n);
			rte_pktmbuf_free_bulk(pkts, n);
			total += n;
		}
	}
	return total;
}

/* A pipe reader wants packets now, not when a block fills. */
static void
flush_partial(struct lc_writer_task *w)
{
	struct lc_block_out *o = &w->out;
	int ret = o->medium.ops->write(&o->medium, o->buf, o->used);

	o->write_calls++;
	if (ret < 0) {
		o->last_errno = -ret;
		settle_pending(w, false, -1, 0);
		if (ret == -EPIPE) {
			/* The reader went away: drop from now on, and end capture. */
			w->shared->fatal = 1;
			o->stalled = true;
			o->retry_tsc = UINT64_MAX;
			o->used = o->block_size;
			return;
		}
	} else {
		o->file_bytes += o->used;
		o->boundary = o->file_bytes;
		settle_pending(w, true, -1, 0);
	}
	o->used = 0;
}

unsigned int
lc_writer_poll(struct lc_writer_task *w)
{
	struct rte_mbuf *pkts[LC_MAX_BURST];
	unsigned int total = 0;
	uint16_t i;

	if (w->out.stalled)
		return poll_stalled(w);
	for (i = 0; i < w->nb_rings; i++) {
		uint16_t r = (uint16_t)((w->next_ring + i) % w->nb_rings);
		unsigned int n = rte_ring_sc_dequeue_burst(w->rings[r], (void **)pkts, w->burst,
				NULL);

		if (n == 0)
			continue;
		append_burst(w, r, pkts, n);
		rte_pktmbuf_free_bulk(pkts, n);
		total += n;
	}
	w->next_ring = (uint16_t)((w->next_ring + 1) % w->nb_rings);
	if (total == 0 && w->out.medium.is_pipe && w->out.used > 0 && !w->out.stalled)
		flush_partial(w);
	return total;
}

bool
lc_writer_drained(const struct lc_writer_task *w)
{
	uint16_t r;

	for (r = 0; r < w->nb_rings; r++)
		if (!__atomic_load_n(&w->producers[r]->done, __ATOMIC_ACQUIRE))
			return false;
	for (r = 0; r < w->nb_rings; r++)
		if (!rte_ring_empty(w->rings[r]))
			return false;
	return true;
}

int
lc_writer_finish(struct lc_writer_task *w)
{
	struct lc_block_out *o = &w->out;
	int ret = 0;

	if (o->medium.ops == NULL || o->medium.fd < 0)
		return 0;
	if (o->stalled && o->retry_tsc != UINT64_MAX)
		flush_block(w);
	if (o->stalled) {
		ret = -o->last_errno;
		settle_pending(w, false, -1, 0);
		o->used = 0;
		/* Cut the file back to its last whole record. */
		o->medium.offset = o->boundary;
	}
	{
		int r = o->medium.ops->close(&o->medium, o->buf, o->used, o->boundary);

		if (r == 0) {
			settle_pending(w, true, -1, 0);
		} else {
			settle_pending(w, false, -1, 0);
			if (ret == 0)
				ret = r;
		}
	}
	o->used = 0;
	return ret;
}
