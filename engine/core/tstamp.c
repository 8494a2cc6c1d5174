/* SPDX-License-Identifier: BSD-3-Clause */
#include <time.h>

#include <rte_cycles.h>

#include "datapath/tstamp.h"

void
lc_clock_anchor_tsc(struct lc_clock *c)
{
	uint64_t best_span = UINT64_MAX;
	int i;

	lc_clock_set_rate(c, rte_get_tsc_hz());
	for (i = 0; i < 16; i++) {
		struct timespec ts;
		uint64_t t0 = rte_rdtsc_precise();
		uint64_t t1;

		clock_gettime(CLOCK_REALTIME, &ts);
		t1 = rte_rdtsc_precise();
		if (t1 - t0 < best_span) {
			best_span = t1 - t0;
			c->base_ticks = t0 + (t1 - t0) / 2;
			c->base_ns = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
		}
	}
}
