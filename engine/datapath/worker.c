/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The lcore loop: run every task of this lcore once per iteration. An lcore
 * with both rx and writer tasks runs to completion; packets still pass
 * through the ring, so accounting is the same in every plan.
 */
#include <rte_cycles.h>
#include <rte_pause.h>

#include "datapath/tasks.h"

/*
 * Idle back-off: after IDLE_BACKOFF_MS without a packet, sleep IDLE_SLEEP_US
 * per empty iteration. While traffic flows the loop does not sleep, as
 * testpmd never does: a 20 us sleep took up to 5 ms before the thread ran
 * again (timer slack, another task or the host on the CPU), longer than an
 * rx ring covers (4096 slots: 1.4 ms at 3 Mpps). Backing off after 1024
 * empty iterations instead slept 300-700 times during 1.3 s of a steady
 * 3 Mpps, in the sender's short pauses (issue 12, the ndrprobe report).
 */
#define IDLE_BACKOFF_MS 10
#define IDLE_SLEEP_US 20

static bool
rx_should_finish(const struct lc_rx_task *t)
{
	const struct lc_shared *sh = t->shared;

	if (sh->stop || sh->fatal)
		return true;
	return sh->count_limit != 0 &&
	       __atomic_load_n(&sh->count_taken, __ATOMIC_RELAXED) >= sh->count_limit;
}

int
lc_worker_main(void *arg)
{
	struct lc_worker *wk = arg;
	const uint64_t backoff = rte_get_tsc_hz() / 1000 * IDLE_BACKOFF_MS;
	uint64_t idle_since = 0; /* TSC of the first empty iteration, 0 = busy */

	for (;;) {
		unsigned int active = 0, work = 0, i;

		for (i = 0; i < wk->nb_rx; i++) {
			struct lc_rx_task *t = wk->rx[i];

			if (t->done)
				continue;
			if (rx_should_finish(t)) {
				__atomic_store_n(&t->done, 1, __ATOMIC_RELEASE);
				continue;
			}
			active++;
			work += lc_rx_poll(t);
		}
		for (i = 0; i < wk->nb_writers; i++) {
			struct lc_writer_task *w = wk->writers[i];
			unsigned int n;

			if (w->done)
				continue;
			active++;
			n = lc_writer_poll(w);
			work += n;
			if (n == 0 && lc_writer_drained(w))
				__atomic_store_n(&w->done, 1, __ATOMIC_RELEASE);
		}
		if (active == 0)
			break;
		if (work != 0) {
			idle_since = 0;
		} else {
			uint64_t now = rte_rdtsc();

			if (idle_since == 0)
				idle_since = now;
			if (now - idle_since > backoff)
				rte_delay_us_sleep(IDLE_SLEEP_US);
			else
				rte_pause();
		}
	}
	return 0;
}
