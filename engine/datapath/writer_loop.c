/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Per-burst writing: dequeue from each ring, pack pcap records into the
 * current block, submit full blocks to the medium, free mbufs in bulk.
 *
 * Records are appended whole: a block has `block_size` bytes plus room for
 * one maximal record, so no record is split in memory. When a block reaches
 * `block_size`, exactly `block_size` bytes are submitted and the straddling
 * record's tail is copied to the front of the next block. Blocks retire in
 * file order; a packet counts as written when the block holding the last
 * byte of its record retires. A failed block is resubmitted in place every
 * 100 ms; while it blocks every buffer, new packets are dropped and counted
 * as write errors.
 */
#include <errno.h>
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
_Static_assert(sizeof(struct pcap_rec_hdr) == LC_PCAP_RECORD_HDR_LEN, "pcap record header");

/* Move a block's pending records to `written` (ok) or `write_errors`. */
static void
settle(struct lc_writer_task *w, struct lc_wblock *b, bool ok)
{
	uint16_t r;

	for (r = 0; r < w->nb_rings; r++) {
		if (b->pend[r] == 0)
			continue;
		if (ok) {
			lc_counter_add(&w->cnt[r]->written, b->pend[r]);
			lc_counter_add(&w->cnt[r]->written_bytes, b->pend_bytes[r]);
		} else {
			lc_counter_add(&w->cnt[r]->write_errors, b->pend[r]);
		}
		b->pend[r] = 0;
		b->pend_bytes[r] = 0;
	}
}

static void
submit(struct lc_writer_task *w, unsigned int idx, size_t len)
{
	struct lc_wblock *b = &w->blocks[idx];
	int ret = w->medium.ops->submit(&w->medium, b->buf, len, b->offset, idx);

	w->write_calls++;
	b->state = ret == 0 ? LC_BLOCK_INFLIGHT : LC_BLOCK_FAILED;
	b->res = ret;
}

/* Collect completions; retire finished blocks in file order. */
static void
retire(struct lc_writer_task *w, bool wait)
{
	unsigned int tag;
	int res;

	while (w->medium.ops->reap(&w->medium, &tag, &res, false) == 1) {
		w->blocks[tag].state = res == 0 ? LC_BLOCK_DONE : LC_BLOCK_FAILED;
		w->blocks[tag].res = res;
	}
	while (w->head != w->cur || w->blocked) {
		struct lc_wblock *h = &w->blocks[w->head];

		if (h->state == LC_BLOCK_DONE) {
			settle(w, h, true);
			w->boundary = h->offset + w->block_size - h->tail_partial;
			h->state = LC_BLOCK_FREE;
			w->head = (w->head + 1) % LC_WRITER_BLOCKS;
			if (w->blocked)
				return; /* the caller takes the freed block */
		} else if (h->state == LC_BLOCK_FAILED) {
			w->last_errno = -h->res;
			if (!w->medium.seekable) {
				/* A pipe cannot take back a partial write: end capture. */
				w->shared->fatal_errno = w->last_errno;
				w->shared->fatal = 1;
				return;
			}
			if (rte_rdtsc() < w->retry_tsc)
				return;
			w->retry_tsc = rte_rdtsc() + rte_get_tsc_hz() / 10;
			submit(w, w->head, w->block_size);
			if (h->state == LC_BLOCK_FAILED)
				return;
		} else if (h->state == LC_BLOCK_INFLIGHT && wait) {
			if (w->medium.ops->reap(&w->medium, &tag, &res, true) != 1)
				return;
			w->blocks[tag].state = res == 0 ? LC_BLOCK_DONE : LC_BLOCK_FAILED;
			w->blocks[tag].res = res;
		} else {
			return;
		}
	}
}

/* Start filling the next block, with the carried straddler at its front. */
static void
take_next_block(struct lc_writer_task *w, uint64_t offset)
{
	unsigned int next = (w->cur + 1) % LC_WRITER_BLOCKS;
	struct lc_wblock *n = &w->blocks[next];

	n->state = LC_BLOCK_FILLING;
	n->offset = offset;
	n->tail_partial = 0;
	memcpy(n->buf, w->carry, w->carry_len);
	w->used = w->carry_len;
	if (w->carry_len > 0) {
		n->pend[w->carry_ring]++;
		n->pend_bytes[w->carry_ring] += w->carry_len + w->blocks[w->cur].tail_partial;
	}
	w->carry_len = 0;
	w->cur = next;
	w->blocked = false;
}

/* blocks[cur] holds >= block_size bytes: submit it, move on. */
static void
seal_block(struct lc_writer_task *w, uint16_t r, uint32_t rec_len)
{
	struct lc_wblock *b = &w->blocks[w->cur];
	size_t over = w->used - w->block_size;
	unsigned int next = (w->cur + 1) % LC_WRITER_BLOCKS;

	b->tail_partial = over ? rec_len - (uint32_t)over : 0;
	if (over) {
		/* The straddler is written when the next block retires. */
		b->pend[r]--;
		b->pend_bytes[r] -= rec_len;
		memcpy(w->carry, b->buf + w->block_size, over);
	}
	w->carry_len = (uint32_t)over;
	w->carry_ring = r;
	submit(w, w->cur, w->block_size);
	retire(w, false);
	if (w->blocks[next].state != LC_BLOCK_FREE)
		retire(w, true); /* every block busy: wait for the disk, not the CPU */
	if (w->blocks[next].state == LC_BLOCK_FREE)
		take_next_block(w, b->offset + w->block_size);
	else
		w->blocked = true; /* a failed block holds the buffers */
}

/* Where the next record's data goes: right after its header. */
static inline uint8_t *
record_data(struct lc_writer_task *w)
{
	return w->blocks[w->cur].buf + w->used + sizeof(struct pcap_rec_hdr);
}

/*
 * The record's `caplen` data bytes are in place (record_data): write its
 * header, count it as pending on ring `r`, seal the block when full.
 */
static void
put_record(struct lc_writer_task *w, uint16_t r, uint64_t ns, uint32_t caplen, uint32_t len)
{
	struct lc_wblock *b = &w->blocks[w->cur];
	struct pcap_rec_hdr h;

	h.ts_sec = (uint32_t)(ns / 1000000000u);
	h.ts_frac = (uint32_t)(ns % 1000000000u);
	if (!w->nanosecond)
		h.ts_frac /= 1000u;
	h.caplen = caplen;
	h.len = len;
	memcpy(b->buf + w->used, &h, sizeof(h));
	w->used += sizeof(h) + caplen;
	b->pend[r]++;
	b->pend_bytes[r] += sizeof(h) + caplen;
	if (w->used >= w->block_size)
		seal_block(w, r, (uint32_t)(sizeof(h) + caplen));
}

static void
append_burst(struct lc_writer_task *w, uint16_t r, struct rte_mbuf **pkts, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		const struct rte_mbuf *m = pkts[i];
		uint64_t ns = *RTE_MBUF_DYNFIELD(m, w->shared->ts_offset, uint64_t *);
		uint32_t len = m->pkt_len;
		uint32_t caplen = RTE_MIN(len, w->snaplen);
		uint32_t left = caplen;
		uint8_t *dst;

		if (w->blocked) {
			lc_counter_add(&w->cnt[r]->write_errors, n - i);
			return;
		}
		dst = record_data(w);
		for (; left > 0 && m != NULL; m = m->next) {
			uint32_t k = RTE_MIN((uint32_t)m->data_len, left);

			memcpy(dst, rte_pktmbuf_mtod(m, const uint8_t *), k);
			dst += k;
			left -= k;
		}
		if (left > 0) {
			/* The PMD's chain holds fewer bytes than pkt_len: keep what is there. */
			caplen -= left;
			lc_counter_add(&w->cnt[r]->pmd_short, 1);
		}
		put_record(w, r, ns, caplen, len);
	}
}

/* Blocked on a failed block: retry on time, else drop and count. */
static unsigned int
poll_blocked(struct lc_writer_task *w)
{
	struct rte_mbuf **pkts = w->burst_buf;
	unsigned int total = 0;
	uint16_t r;

	if (!w->shared->fatal)
		retire(w, false);
	if (w->blocks[(w->cur + 1) % LC_WRITER_BLOCKS].state == LC_BLOCK_FREE) {
		take_next_block(w, w->blocks[w->cur].offset + w->block_size);
		return 0;
	}
	for (r = 0; r < w->nb_rings; r++) {
		unsigned int n = rte_ring_sc_dequeue_burst(
				w->rings[r], (void **)pkts, w->burst, NULL);

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
	struct lc_wblock *b = &w->blocks[w->cur];
	unsigned int tag;
	int res = 0;

	w->write_calls++;
	if (w->medium.ops->submit(&w->medium, b->buf, w->used, b->offset, w->cur) < 0 ||
			w->medium.ops->reap(&w->medium, &tag, &res, true) != 1 || res < 0) {
		w->last_errno = res < 0 ? -res : EIO;
		settle(w, b, false);
		/* The stream may hold part of a record now: it cannot go on. */
		w->shared->fatal_errno = w->last_errno;
		w->shared->fatal = 1;
		w->blocked = true;
		return;
	}
	settle(w, b, true);
	b->offset += w->used;
	w->boundary = b->offset;
	w->used = 0;
}

/* Nothing arrived: collect finished writes; give a pipe reader what we have. */
static void
writer_idle(struct lc_writer_task *w)
{
	if (w->head != w->cur)
		retire(w, false);
	if (w->medium.is_pipe && w->used > 0 && w->head == w->cur && !w->blocked)
		flush_partial(w);
}

unsigned int
lc_writer_poll(struct lc_writer_task *w)
{
	struct rte_mbuf **pkts = w->burst_buf;
	unsigned int total = 0;
	uint16_t i;

	if (w->nb_rings == 0)
		return 0;
	if (w->blocked)
		return poll_blocked(w);
	for (i = 0; i < w->nb_rings; i++) {
		uint16_t r = (uint16_t)((w->next_ring + i) % w->nb_rings);
		unsigned int n = rte_ring_sc_dequeue_burst(
				w->rings[r], (void **)pkts, w->burst, NULL);

		if (n == 0)
			continue;
		append_burst(w, r, pkts, n);
		rte_pktmbuf_free_bulk(pkts, n);
		total += n;
	}
	w->next_ring = (uint16_t)((w->next_ring + 1) % w->nb_rings);
	if (total == 0)
		writer_idle(w);
	return total;
}

/* libpcap path: one packet from a pcap_dispatch callback, same thread. */
void
lc_writer_append(struct lc_writer_task *w, uint16_t r, uint64_t ns, const uint8_t *data,
		uint32_t caplen, uint32_t len)
{
	if (w->blocked) {
		lc_counter_add(&w->cnt[r]->write_errors, 1);
		return;
	}
	caplen = RTE_MIN(caplen, w->snaplen);
	memcpy(record_data(w), data, caplen);
	put_record(w, r, ns, caplen, len);
}

void
lc_writer_idle(struct lc_writer_task *w)
{
	if (!w->blocked) {
		writer_idle(w);
		return;
	}
	/* As poll_blocked, without rings: retry on time, take a freed block. */
	if (!w->shared->fatal)
		retire(w, false);
	if (w->blocks[(w->cur + 1) % LC_WRITER_BLOCKS].state == LC_BLOCK_FREE)
		take_next_block(w, w->blocks[w->cur].offset + w->block_size);
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
	struct lc_wblock *c;
	int ret = 0, r;

	if (w->medium.ops == NULL || w->medium.fd < 0)
		return 0;
	/* Wait for the disk; give a failed block one more try. */
	w->retry_tsc = 0;
	while (w->head != w->cur && !w->shared->fatal) {
		unsigned int before = w->head;

		retire(w, true);
		if (w->head == before && w->blocks[w->head].state == LC_BLOCK_FAILED)
			break;
	}
	if (w->blocked && w->blocks[(w->cur + 1) % LC_WRITER_BLOCKS].state == LC_BLOCK_FREE)
		take_next_block(w, w->blocks[w->cur].offset + w->block_size);
	if (w->head != w->cur || w->blocked) {
		unsigned int i;

		/* Blocks the medium never took: their packets are lost. */
		ret = -(w->last_errno ? w->last_errno : EIO);
		for (i = 0; i < LC_WRITER_BLOCKS; i++) {
			unsigned int tag;
			int res;

			while (w->medium.ops->reap(&w->medium, &tag, &res, true) == 1)
				;
			settle(w, &w->blocks[i], false);
		}
		if (w->carry_len > 0)
			lc_counter_add(&w->cnt[w->carry_ring]->write_errors, 1);
		w->carry_len = 0;
		w->used = 0;
		w->medium.ops->close(&w->medium, NULL, 0, w->boundary, w->boundary);
		return ret;
	}
	c = &w->blocks[w->cur];
	r = w->medium.ops->close(&w->medium, c->buf, w->used, c->offset, w->boundary);
	settle(w, c, r == 0);
	if (r < 0) {
		w->last_errno = -r;
		ret = r;
	}
	w->used = 0;
	return ret;
}
