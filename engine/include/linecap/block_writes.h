/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef LINECAP_BLOCK_WRITES_H
#define LINECAP_BLOCK_WRITES_H

/*
 * What became of one writer's block writes: how long each took, from its
 * submission to the writer seeing its completion, as a histogram, and how
 * many the medium refused. Owned by the writer's thread (datapath/
 * block_ring.c records with lc_counter_add: plain adds, release stores; no
 * lock, no allocation); the stats view points to it (live), so the metrics
 * endpoint reads it with lc_counter_read.
 */

#include <stdint.h>

#include <linecap/stats.h>

/* The finite upper bounds of the buckets, in microseconds; one more is +Inf. */
#define LC_BW_BOUNDS_US                                                                            \
	50, 100, 250, 500, 1000, 2500, 5000, 10000, 25000, 50000, 100000, 250000, 500000, 1000000, \
			2500000
#define LC_BW_NB_BOUNDS 15
#define LC_BW_BUCKETS (LC_BW_NB_BOUNDS + 1)

struct lc_block_writes {
	/* blocks written in (bound i-1, bound i] (not cumulative); the last: > every bound */
	uint64_t bucket[LC_BW_BUCKETS];
	uint64_t sum_ns; /* their latencies, summed */
	uint64_t failed; /* block writes the medium refused (every retry counts) */
} __rte_cache_aligned;

/* Upper bound `i` (< LC_BW_NB_BOUNDS) in microseconds. */
static inline uint32_t
lc_bw_bound_us(unsigned int i)
{
	static const uint32_t bounds[LC_BW_NB_BOUNDS] = {LC_BW_BOUNDS_US};

	return bounds[i];
}

/*
 * A block write completed (res 0) `cycles` TSC cycles after it was
 * submitted, or failed (res < 0). Owner thread only.
 */
static inline void
lc_bw_done(struct lc_block_writes *s, int res, uint64_t cycles, uint64_t hz)
{
	uint64_t ns;
	unsigned int i = 0;

	if (res != 0) {
		lc_counter_add(&s->failed, 1);
		return;
	}
	if (hz == 0)
		return;
	ns = cycles / hz * 1000000000u + cycles % hz * 1000000000u / hz;
	while (i < LC_BW_NB_BOUNDS && ns > (uint64_t)lc_bw_bound_us(i) * 1000u)
		i++;
	lc_counter_add(&s->bucket[i], 1);
	lc_counter_add(&s->sum_ns, ns);
}

#endif
