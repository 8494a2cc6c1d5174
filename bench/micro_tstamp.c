/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * micro_tstamp: nanoseconds per packet to stamp a burst the way the rx path
 * does (datapath/tstamp.h: one rte_rdtsc() and one fixed-point scale per
 * packet, never stepping back), next to clock_gettime(CLOCK_REALTIME) per
 * packet as the obvious alternative. The EAL (no hugepages, no shared config) is
 * brought up only to learn the TSC frequency, as the engine does.
 *
 *   micro_tstamp [PACKETS]     (default 50 M; prints one JSON object)
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <time.h>

#include <rte_cycles.h>
#include <rte_eal.h>

#include "datapath/tstamp.h"

#define BURST 64

static uint64_t
mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Stamps into out[], as rx_loop.c's stamp_burst does for the TSC clock. */
static uint64_t
stamp_tsc(const struct lc_clock *c, uint64_t *out, unsigned long n)
{
	uint64_t last = 0;
	unsigned long i;

	for (i = 0; i < n; i++) {
		uint64_t ns = lc_clock_ns(c, rte_rdtsc());

		if (ns < last)
			ns = last;
		last = ns;
		out[i % BURST] = ns;
	}
	return last;
}

static uint64_t
stamp_gettime(uint64_t *out, unsigned long n)
{
	uint64_t last = 0;
	unsigned long i;

	for (i = 0; i < n; i++) {
		struct timespec ts;
		uint64_t ns;

		clock_gettime(CLOCK_REALTIME, &ts);
		ns = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
		if (ns < last)
			ns = last;
		last = ns;
		out[i % BURST] = ns;
	}
	return last;
}

int
main(int argc, char **argv)
{
	static volatile uint64_t sink[BURST];
	unsigned long n = argc > 1 ? strtoul(argv[1], NULL, 10) : 50000000ul;
	struct lc_clock c;
	uint64_t t0, t1, t2, chk = 0;

	char prefix[32];
	char *eal[] = {argv[0], "--no-huge", "-m", "64", "--no-shconf", "--file-prefix", prefix,
			"--no-pci", "-l", "0", "--log-level", "error", NULL};

	snprintf(prefix, sizeof(prefix), "lcmicro-%d", (int)getpid());
	if (rte_eal_init(12, eal) < 0) {
		fputs("micro_tstamp: EAL init failed\n", stderr);
		return 1;
	}
	if (n == 0) {
		fputs("usage: micro_tstamp [PACKETS]\n", stderr);
		return 2;
	}
	lc_clock_anchor_tsc(&c);
	if (c.hz == 0) {
		fputs("micro_tstamp: no TSC frequency\n", stderr);
		return 1;
	}
	t0 = mono_ns();
	chk += stamp_tsc(&c, (uint64_t *)(uintptr_t)sink, n);
	t1 = mono_ns();
	chk += stamp_gettime((uint64_t *)(uintptr_t)sink, n);
	t2 = mono_ns();
	printf("{\"packets\": %lu, \"tsc_hz\": %llu, \"tsc_ns_per_pkt\": %.3f, "
	       "\"clock_gettime_ns_per_pkt\": %.3f, \"check\": %d}\n",
			n, (unsigned long long)c.hz, (double)(t1 - t0) / (double)n,
			(double)(t2 - t1) / (double)n, chk != 0);
	rte_eal_cleanup();
	return 0;
}
