/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef LINECAP_TSTAMP_H
#define LINECAP_TSTAMP_H

#include <stdint.h>
#include <time.h>

/*
 * A linear map from a free-running counter (the TSC, or a NIC's clock) to
 * nanoseconds since the Unix epoch, anchored once to CLOCK_REALTIME.
 *
 * The delta is taken modulo 2^64 and scaled with a 128-bit product, so the
 * result is exact to a nanosecond for any run length and stays correct when the counter
 * wraps. `wrap_mask` supports counters narrower than 64 bits (a 32-bit NIC
 * clock): deltas are taken modulo (wrap_mask + 1), and `lc_clock_extend()`
 * widens such readings by tracking the high bits.
 */
struct lc_clock {
	uint64_t base_ticks; /* counter value at the anchor */
	uint64_t base_ns;    /* CLOCK_REALTIME at the anchor, ns since epoch */
	uint64_t mult;	     /* ns per tick, fixed point with `shift` fraction bits */
	unsigned int shift;  /* as many fraction bits as keep mult below 2^63 */
	uint64_t hz;	     /* ticks per second */
};

/* Set up the scale for a counter of `hz` ticks per second. */
static inline void
lc_clock_set_rate(struct lc_clock *c, uint64_t hz)
{
	uint64_t ns_per_tick = (1000000000u + hz - 1) / hz;
	unsigned int bits = 64 - (unsigned int)__builtin_clzll(ns_per_tick);

	/* 2^-62 relative precision at GHz rates: under 1 ns error per 100 years. */
	c->hz = hz;
	c->shift = 63 - bits;
	c->mult = (uint64_t)(((unsigned __int128)1000000000u << c->shift) / hz);
}

/* Nanoseconds since epoch for a counter reading. */
static inline uint64_t
lc_clock_ns(const struct lc_clock *c, uint64_t ticks)
{
	uint64_t delta = ticks - c->base_ticks; /* modulo 2^64: wrap-safe */

	return c->base_ns + (uint64_t)(((unsigned __int128)delta * c->mult) >> c->shift);
}

/*
 * Widen a reading of a counter only `bits` wide (e.g. 32) into a 64-bit
 * monotonic count, given the previous widened value. Correct as long as
 * readings are taken more often than once per wrap period.
 */
static inline uint64_t
lc_clock_extend(uint64_t prev_wide, uint64_t raw, unsigned int bits)
{
	uint64_t mask = bits >= 64 ? UINT64_MAX : (UINT64_C(1) << bits) - 1;
	uint64_t step = (raw - prev_wide) & mask;

	return prev_wide + step;
}

/*
 * Anchor `c` to CLOCK_REALTIME using the TSC: several paired readings, keeping
 * the tightest pair, so the anchor error is one clock_gettime() call at most.
 * Control plane only.
 */
void lc_clock_anchor_tsc(struct lc_clock *c);

/* CLOCK_MONOTONIC in ns: control-plane deadlines and the libpcap path's timers. */
static inline uint64_t
lc_mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* TSC ticks per second: the EAL's figure, or measured once when there is no EAL. */
uint64_t lc_tsc_hz(void);

#endif
