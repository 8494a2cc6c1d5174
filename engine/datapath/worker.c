/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The lcore loop: run every task of this lcore once per iteration. An lcore
 * with both rx and writer tasks runs to completion; packets still pass
 * through the ring, so accounting is the same in every plan.
 */
#include <rte_cycles.h>
#include <rte_pause.h>

#include "datapath/tasks.h"

/* Empty iterations before backing off, and the back-off sleep (us). */
#define IDLE_SPINS 1024
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
	unsigned int idle = 0;

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
			idle = 0;
		} else if (++idle > IDLE_SPINS) {
			rte_delay_us_sleep(IDLE_SLEEP_US);
		} else {
			rte_pause();
		}
	}
	return 0;
}
