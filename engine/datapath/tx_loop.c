/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Per-burst transmit: take packets from the feed, wait on the TSC until the
 * first is due, send every packet that is due in one rte_eth_tx_burst. What
 * the PMD does not take stays pending and is offered again; only a stop
 * request drops it (counted). With no_retry (a NIC-like sender, as testpmd
 * txonly) what the PMD refuses is dropped and counted at once.
 */
#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>
#include <rte_mbuf_dyn.h>
#include <rte_pause.h>
#include <rte_ring.h>

#include "datapath/tx_task.h"

/* Further from the deadline than this, sleep a little instead of spinning. */
#define SLEEP_ABOVE_NS 300000.0
#define SLEEP_US 100

static uint64_t
due_tsc(const struct lc_tx_shared *sh, uint64_t due_ns)
{
	return sh->start_tsc + (uint64_t)((double)due_ns * sh->tsc_per_ns);
}

/* Refill pend[] from the feed. */
static void
take(struct lc_tx_task *t)
{
	struct lc_tx_shared *sh = t->shared;
	uint16_t i, n = 0;

	if (t->feed != NULL) {
		n = (uint16_t)rte_ring_sc_dequeue_burst(t->feed, (void **)t->pend, t->burst, NULL);
		for (i = 0; i < n; i++)
			t->due[i] = due_tsc(sh,
					*RTE_MBUF_DYNFIELD(t->pend[i], sh->due_offset, uint64_t *));
	} else {
		while (n < t->burst && (t->loops == 0 || t->pass < t->loops)) {
			struct rte_mbuf *m = t->pre[t->idx];

			/* The array keeps its reference; the PMD frees this one. */
			rte_pktmbuf_refcnt_update(m, 1);
			t->pend[n] = m;
			t->due[n] = due_tsc(sh, *RTE_MBUF_DYNFIELD(m, sh->due_offset, uint64_t *) +
								t->pass * t->pass_ns);
			n++;
			if (++t->idx == t->nb_pre) {
				t->idx = 0;
				t->pass++;
			}
		}
	}
	t->head = 0;
	t->nb_pend = n;
	lc_counter_add(&t->cnt->taken, n);
}

static bool
feed_empty(const struct lc_tx_task *t)
{
	if (t->feed == NULL)
		return t->nb_pre == 0 || (t->loops != 0 && t->pass >= t->loops);
	return __atomic_load_n(&t->shared->feed_done, __ATOMIC_ACQUIRE) && rte_ring_empty(t->feed);
}

/* How far behind its schedule this send is (the counters' max_late_tsc, late_sends). */
static inline void
note_late(struct lc_tx_task *t, uint64_t late)
{
	if (late > t->late_tsc)
		lc_counter_add(&t->cnt->late_sends, 1);
	if (late > t->cnt->max_late_tsc)
		__atomic_store_n(&t->cnt->max_late_tsc, late, __ATOMIC_RELAXED);
}

/* One poll: 1 if the task is finished. */
static int
tx_poll(struct lc_tx_task *t, uint64_t *wait_tsc)
{
	struct lc_tx_shared *sh = t->shared;
	uint64_t now, bytes = 0;
	uint16_t k, sent, i;

	if (sh->stop) {
		if (t->nb_pend > t->head) {
			rte_pktmbuf_free_bulk(t->pend + t->head, t->nb_pend - t->head);
			lc_counter_add(&t->cnt->dropped, t->nb_pend - t->head);
		}
		t->nb_pend = t->head = 0;
		return 1;
	}
	if (t->head == t->nb_pend) {
		if (feed_empty(t))
			return 1;
		take(t);
		if (t->nb_pend == 0)
			return 0;
	}
	now = rte_rdtsc();
	if (t->due[t->head] > now) {
		*wait_tsc = RTE_MIN(*wait_tsc, t->due[t->head] - now);
		return 0;
	}
	for (k = t->head; k < t->nb_pend && t->due[k] <= now; k++)
		;
	if (t->late_tsc != 0) /* paced: top speed has no schedule to be late for */
		note_late(t, now - t->due[t->head]);
	sent = rte_eth_tx_burst(t->port_id, t->queue_id, t->pend + t->head, k - t->head);
	for (i = t->head; i < t->head + sent; i++)
		bytes += t->pend[i]->pkt_len;
	if (sent < k - t->head && t->no_retry) {
		/* NIC-like: the refused packets are lost, never offered again */
		rte_pktmbuf_free_bulk(t->pend + t->head + sent, k - t->head - sent);
		lc_counter_add(&t->cnt->dropped, k - t->head - sent);
		t->head = k;
	} else {
		if (sent < k - t->head) {
			lc_counter_add(&t->cnt->retries, 1);
			*wait_tsc = 0;
		}
		t->head += sent;
	}
	if (sent > 0) {
		lc_counter_add(&t->cnt->sent, sent);
		lc_counter_add(&t->cnt->bytes, bytes);
		__atomic_store_n(&t->cnt->last_tsc, now, __ATOMIC_RELAXED);
	}
	return 0;
}

int
lc_tx_worker_main(void *arg)
{
	struct lc_tx_worker *wk = arg;
	double sleep_above = 0;

	if (wk->nb_tasks > 0)
		sleep_above = SLEEP_ABOVE_NS * wk->tasks[0]->shared->tsc_per_ns;
	for (;;) {
		uint64_t wait = UINT64_MAX;
		unsigned int active = 0, i;

		for (i = 0; i < wk->nb_tasks; i++) {
			struct lc_tx_task *t = wk->tasks[i];

			if (t->done)
				continue;
			if (tx_poll(t, &wait)) {
				__atomic_store_n(&t->done, 1, __ATOMIC_RELEASE);
				continue;
			}
			active++;
		}
		if (active == 0)
			break;
		/* Long gaps (original timing) sleep; the last stretch is polled. */
		if (wait != UINT64_MAX && (double)wait > sleep_above)
			rte_delay_us_sleep(SLEEP_US);
		else if (wait != 0)
			rte_pause();
	}
	return 0;
}
