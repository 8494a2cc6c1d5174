/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Per-burst receive: rx_burst, stamp every packet, filter, forward (a copy by
 * reference to the --forward port), summarise for the index (--index), hand
 * to writer rings.
 */
#include <rte_bpf.h>
#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>
#include <rte_mbuf_dyn.h>
#include <rte_ring.h>

#include "datapath/tasks.h"

/*
 * With -c, take up to `want` packets from the shared budget so that all rx
 * tasks together never receive more than the limit. One CAS per burst.
 */
static uint16_t
budget_reserve(struct lc_shared *sh, uint16_t want)
{
	uint64_t taken = __atomic_load_n(&sh->count_taken, __ATOMIC_RELAXED);
	uint64_t k;

	do {
		if (taken >= sh->count_limit)
			return 0;
		k = RTE_MIN((uint64_t)want, sh->count_limit - taken);
	} while (!__atomic_compare_exchange_n(&sh->count_taken, &taken, taken + k, true,
			__ATOMIC_RELAXED, __ATOMIC_RELAXED));
	return (uint16_t)k;
}

static void
stamp_burst(struct lc_rx_task *t, struct rte_mbuf **pkts, uint16_t n, int ts_offset)
{
	uint64_t last = t->last_ns;
	uint64_t bytes = 0;
	uint16_t i;

	for (i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i];
		uint64_t ns;

		if (t->hw_ts_offset >= 0 && (m->ol_flags & t->hw_ts_flag))
			ns = lc_clock_ns(&t->hw_clock,
					*RTE_MBUF_DYNFIELD(m, t->hw_ts_offset, uint64_t *));
		else
			ns = lc_clock_ns(&t->tsc_clock, rte_rdtsc());
		/* Two clocks, or a NIC stamp out of order: never step back. */
		if (ns < last)
			ns = last;
		last = ns;
		*RTE_MBUF_DYNFIELD(m, ts_offset, uint64_t *) = ns;
		bytes += m->pkt_len;
	}
	t->last_ns = last;
	lc_counter_add(&t->cnt->rx_bytes, bytes);
}

/*
 * --index: each packet's summary for the writer's record tap, made here, on
 * the lcore that has just touched the packet, into the slot of ring `ri`
 * the packet takes if the ring accepts it; the mbuf points at it. A packet
 * whose first segment does not hold its whole record gets none (the tap
 * then works from the record's bytes), and so do the packets of a ring
 * without slots (its writer runs on this lcore).
 */
static void
summarise_burst(struct lc_rx_task *t, uint16_t ri, struct rte_mbuf **pkts, unsigned int n)
{
	const struct lc_rx_summary *s = &t->sum;
	int off = t->shared->sum_offset;
	unsigned int i;

	if (s->slots[ri] == NULL) {
		for (i = 0; i < n; i++)
			*RTE_MBUF_DYNFIELD(pkts[i], off, const void **) = NULL;
		return;
	}
	for (i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i];
		uint32_t caplen = RTE_MIN(m->pkt_len, s->snaplen);
		uint8_t *slot = s->slots[ri] + (size_t)((s->accepted[ri] + i) & s->mask[ri]) *
							       LC_RECORD_SUMMARY_SIZE;
		bool ok = m->data_len >= caplen &&
			  s->fn(rte_pktmbuf_mtod(m, const uint8_t *), caplen, slot, s->arg);

		*RTE_MBUF_DYNFIELD(m, off, const void **) = ok ? slot : NULL;
	}
}

static void
enqueue_one(struct lc_rx_task *t, uint16_t ri, struct rte_mbuf **pkts, unsigned int n)
{
	unsigned int sent;

	if (t->shared->sum_offset > 0)
		summarise_burst(t, ri, pkts, n);
	sent = rte_ring_sp_enqueue_burst(t->rings[ri], (void **)pkts, n, NULL);
	t->sum.accepted[ri] += sent;
	if (sent < n) {
		rte_pktmbuf_free_bulk(pkts + sent, n - sent);
		lc_counter_add(&t->cnt->ring_full, n - sent);
	}
}

/* Software RSS: group the burst by writer, then one enqueue per writer. */
static void
enqueue_spread(struct lc_rx_task *t, struct rte_mbuf **pkts, uint16_t n)
{
	uint8_t dest[LC_MAX_BURST];
	struct rte_mbuf *group[LC_MAX_BURST];
	uint16_t i, w;

	for (i = 0; i < n; i++)
		dest[i] = (uint8_t)(lc_sym_hash_mbuf(t->hash, pkts[i]) % t->nb_rings);
	for (w = 0; w < t->nb_rings; w++) {
		unsigned int k = 0;

		for (i = 0; i < n; i++)
			if (dest[i] == w)
				group[k++] = pkts[i];
		if (k > 0)
			enqueue_one(t, w, group, k);
	}
}

/*
 * Run the filter over the burst, keep the accepted packets in order at the
 * front of `pkts`, free the rejected ones in bulk. Returns the count kept.
 */
static uint16_t
filter_burst(struct lc_rx_task *t, struct rte_mbuf **pkts, uint16_t n)
{
	struct rte_mbuf *rejected[LC_MAX_BURST];
	uint64_t rc[LC_MAX_BURST];
	uint16_t i, kept = 0, nb_rej = 0;

	if (t->filter.jit != NULL) {
		for (i = 0; i < n; i++)
			rc[i] = t->filter.jit(pkts[i]);
	} else {
		rte_bpf_exec_burst(t->filter.bpf, (void **)pkts, rc, n);
	}
	for (i = 0; i < n; i++) {
		/* cBPF returns the bytes to keep: 0 rejects. */
		if (rc[i] != 0)
			pkts[kept++] = pkts[i];
		else
			rejected[nb_rej++] = pkts[i];
	}
	if (nb_rej > 0) {
		rte_pktmbuf_free_bulk(rejected, nb_rej);
		lc_counter_add(&t->cnt->filtered, nb_rej);
	}
	return kept;
}

/*
 * --forward: send the accepted burst out of this task's tx queue on the
 * forward port, by reference. Each packet (every segment of a chain) gets
 * one more reference first, so the PMD and the writer each free their own
 * and whichever is last returns the mbuf to the pool; neither writes to the
 * data. `pkts` is left as it was: the same mbufs go on to the ring.
 *
 * A PMD stops at the first packet it refuses. A packet longer than the
 * port's MTU allows (net_tap refuses those) is dropped alone and the rest
 * offered again; any other refusal means the queue is full, and the rest is
 * dropped. A refused packet is freed once (only the forward reference goes)
 * and counted.
 */
static void
forward_burst(struct lc_rx_task *t, struct rte_mbuf *const *pkts, uint16_t n)
{
	struct rte_mbuf *tx[LC_MAX_BURST];
	uint16_t i, done = 0, nb_sent = 0;

	for (i = 0; i < n; i++) {
		rte_pktmbuf_refcnt_update(pkts[i], 1);
		tx[i] = pkts[i]; /* a PMD may rewrite its array */
	}
	while (done < n) {
		uint16_t sent = rte_eth_tx_burst(
				t->fwd_port_id, t->fwd_queue_id, tx + done, (uint16_t)(n - done));

		done += sent;
		nb_sent += sent;
		if (done == n)
			break;
		if (tx[done]->pkt_len <= t->fwd_max_len) {
			rte_pktmbuf_free_bulk(tx + done, n - done);
			break;
		}
		rte_pktmbuf_free(tx[done++]);
	}
	lc_counter_add(&t->cnt->forwarded, nb_sent);
	if (nb_sent < n)
		lc_counter_add(&t->cnt->forward_dropped, n - nb_sent);
}

unsigned int
lc_rx_poll(struct lc_rx_task *t)
{
	struct rte_mbuf *pkts[LC_MAX_BURST];
	struct lc_shared *sh = t->shared;
	uint16_t want = t->burst;
	uint16_t n, kept;

	/* -c counts received packets, or with a filter (as tcpdump) accepted ones. */
	bool budget_first = sh->count_limit != 0 && t->filter.bpf == NULL;

	if (budget_first) {
		want = budget_reserve(sh, want);
		if (want == 0)
			return 0;
	}
	n = rte_eth_rx_burst(t->port_id, t->queue_id, pkts, want);
	if (n < want && budget_first)
		__atomic_fetch_sub(&sh->count_taken, want - n, __ATOMIC_RELAXED);
	if (n == 0)
		return 0;

	stamp_burst(t, pkts, n, sh->ts_offset);
	lc_counter_add(&t->cnt->received, n);
	kept = t->filter.bpf != NULL ? filter_burst(t, pkts, n) : n;
	if (kept > 0 && sh->count_limit != 0 && !budget_first) {
		uint16_t k = budget_reserve(sh, kept);

		/* Accepted past -c COUNT: freed and counted with the filtered. */
		if (k < kept) {
			rte_pktmbuf_free_bulk(pkts + k, kept - k);
			lc_counter_add(&t->cnt->filtered, kept - k);
		}
		kept = k;
	}
	if (kept == 0)
		return n;
	if (t->forward)
		forward_burst(t, pkts, kept);
	if (t->nb_rings == 1)
		enqueue_one(t, 0, pkts, kept);
	else
		enqueue_spread(t, pkts, kept);
	return n;
}
