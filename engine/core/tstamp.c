/* SPDX-License-Identifier: BSD-3-Clause */
#include <time.h>

#include <rte_cycles.h>

#include "datapath/tstamp.h"

/*
 * One paired reading of `clk` and the TSC: the tightest of `tries`
 * (clock_gettime bracketed by two TSC reads), the TSC taken in the middle.
 */
static void
pair_read(clockid_t clk, int tries, uint64_t *ns, uint64_t *tsc)
{
	uint64_t best_span = UINT64_MAX;
	int i;

	*ns = 0;
	*tsc = 0;
	for (i = 0; i < tries; i++) {
		struct timespec ts;
		uint64_t t0 = rte_rdtsc_precise();
		uint64_t t1;

		clock_gettime(clk, &ts);
		t1 = rte_rdtsc_precise();
		if (t1 - t0 < best_span) {
			best_span = t1 - t0;
			*tsc = t0 + (t1 - t0) / 2;
			*ns = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
		}
	}
}

/*
 * The TSC rate, measured once against CLOCK_MONOTONIC_RAW over 50 ms (to about
 * 1e-6). Not rte_get_tsc_hz(): DPDK takes the nominal rate where the CPU
 * reports one, and on a VM of these machines that is 2.6 GHz for a TSC the
 * kernel measures at 2.596 GHz, so stamps would run 0.15 % slow (5 s an hour).
 */
uint64_t
lc_tsc_hz(void)
{
	static uint64_t hz;
	const struct timespec nap = {0, 50L * 1000 * 1000};
	uint64_t ns0, ns1, t0, t1;

	if (hz != 0)
		return hz;
	pair_read(CLOCK_MONOTONIC_RAW, 8, &ns0, &t0);
	nanosleep(&nap, NULL);
	pair_read(CLOCK_MONOTONIC_RAW, 8, &ns1, &t1);
	hz = (uint64_t)((unsigned __int128)(t1 - t0) * 1000000000u / (ns1 - ns0));
	return hz;
}

void
lc_clock_anchor_tsc(struct lc_clock *c)
{
	lc_clock_set_rate(c, lc_tsc_hz());
	pair_read(CLOCK_REALTIME, 16, &c->base_ns, &c->base_ticks);
}
