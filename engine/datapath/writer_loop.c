/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The writer's packet loop: dequeue from each ring, pack each packet's
 * record into the block being filled (encoders: datapath/record.h), free
 * mbufs in bulk. Per packet there is one test for everything rare (a file
 * to open or rotate, a blocked writer); full blocks go to the block ring
 * (datapath/block_ring.c), files to the file layer (datapath/writer_file.c).
 */
#include <rte_branch_prediction.h>
#include <rte_common.h>
#include <rte_mbuf.h>
#include <rte_mbuf_dyn.h>
#include <rte_ring.h>

#include "datapath/record.h"
#include "datapath/record_tap.h"
#include "datapath/tasks.h"

/* Not the fast path: the writer is blocked, or the file must open or rotate. */
static int
record_slow(struct lc_writer_task *w, uint64_t ns, uint32_t caplen)
{
	if (w->blocked)
		return -1;
	/* --compress -C: the open block counted whole; compressed, the record may fit. */
	if (w->z != NULL && lc_file_seal_early(w, ns, caplen))
		return 0;
	if (w->blocked)
		return -1; /* sealing early found no free block */
	return lc_file_rotate(w, ns);
}

/*
 * Room for the next record of `caplen` bytes: returns where its data goes,
 * or NULL if it cannot be stored (the caller counts it as a write error).
 */
static inline uint8_t *
record_begin(struct lc_writer_task *w, uint64_t ns, uint32_t caplen)
{
	/* One test per packet: blocked or no file (limit 0), a -G window passed, or -C. */
	if (unlikely(ns >= w->limit_ns || w->used + caplen > w->room) &&
			record_slow(w, ns, caplen) < 0)
		return NULL;
	return w->buf + w->used + w->rec_hdr_len;
}

/* The data is in place (record_begin): write the record's header, count it, seal when full. */
static inline void
record_end(struct lc_writer_task *w, uint16_t r, uint64_t ns, uint32_t caplen, uint32_t wire_len,
		const struct rte_mbuf *m)
{
	struct lc_wblock *b = LC_RING_CUR(w);
	uint32_t rec;

	if (w->record == LC_RECORD_PCAPNG_EPB)
		rec = lc_record_put_epb(w->buf + w->used, r, w->nanosecond ? ns : ns / 1000u,
				caplen, wire_len);
	else
		rec = lc_record_put_pcap(w->buf + w->used, ns, w->nanosecond, caplen, wire_len);
	if (unlikely(w->hook.record != NULL))
		lc_record_tap(w, ns, caplen, rec, m);
	w->used += rec;
	b->pend[r]++;
	b->pend_bytes[r] += rec;
	if (w->used >= w->block_size)
		lc_ring_seal_full(w, r, rec);
}

static void
append_burst(struct lc_writer_task *w, uint16_t r, struct rte_mbuf **pkts, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		const struct rte_mbuf *m = pkts[i];
		uint64_t ns = *RTE_MBUF_DYNFIELD(m, w->shared->ts_offset, uint64_t *);
		uint32_t wire_len = m->pkt_len;
		uint32_t caplen = RTE_MIN(wire_len, w->snaplen);
		uint32_t left = caplen;
		uint8_t *dst = record_begin(w, ns, caplen);

		if (dst == NULL) {
			lc_counter_add(&w->cnt[r]->write_errors, n - i);
			return;
		}
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
		record_end(w, r, ns, caplen, wire_len, pkts[i]);
	}
}

/* Blocked on a failed block: retry on time, else drop and count. */
static unsigned int
poll_blocked(struct lc_writer_task *w)
{
	struct rte_mbuf **pkts = w->burst_buf;
	unsigned int total = 0;
	uint16_t r;

	if (!w->shared->fatal && lc_ring_advance(w))
		return 0;
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
		lc_file_idle(w);
	return total;
}

/* libpcap path: one packet from a pcap_dispatch callback, in the same thread. */
void
lc_writer_append(struct lc_writer_task *w, uint16_t r, uint64_t ns, const uint8_t *data,
		uint32_t caplen, uint32_t len)
{
	uint8_t *dst;

	caplen = RTE_MIN(caplen, w->snaplen);
	dst = record_begin(w, ns, caplen);
	if (dst == NULL) {
		lc_counter_add(&w->cnt[r]->write_errors, 1);
		return;
	}
	memcpy(dst, data, caplen);
	record_end(w, r, ns, caplen, len, NULL);
}

void
lc_writer_idle(struct lc_writer_task *w)
{
	if (!w->blocked)
		lc_file_idle(w);
	else if (!w->shared->fatal)
		lc_ring_advance(w); /* as poll_blocked, without rings */
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
