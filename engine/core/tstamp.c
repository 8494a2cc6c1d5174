/* SPDX-License-Identifier: BSD-3-Clause */
#include <time.h>

#include <rte_cycles.h>

#include "datapath/tstamp.h"

uint64_t
lc_tsc_hz(void)
{
	static uint64_t hz;
	struct timespec a, b;
	uint64_t t0, t1, ns;

	if (hz != 0)
		return hz;
	hz = rte_get_tsc_hz();
	if (hz != 0)
		return hz;
	/* No EAL (libpcap path): measure against CLOCK_MONOTONIC_RAW for 20 ms. */
	clock_gettime(CLOCK_MONOTONIC_RAW, &a);
	t0 = rte_rdtsc_precise();
	do {
		clock_gettime(CLOCK_MONOTONIC_RAW, &b);
		ns = (uint64_t)(b.tv_sec - a.tv_sec) * 1000000000u + (uint64_t)b.tv_nsec -
		     (uint64_t)a.tv_nsec;
	} while (ns < 20000000u);
	t1 = rte_rdtsc_precise();
	hz = (t1 - t0) * 1000000000u / ns;
	return hz;
}

void
lc_clock_anchor_tsc(struct lc_clock *c)
{
	uint64_t best_span = UINT64_MAX;
	int i;

	lc_clock_set_rate(c, lc_tsc_hz());
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
