/* SPDX-License-Identifier: BSD-3-Clause */
/* TSC -> ns conversion: exact scale, wrap of 64- and 32-bit counters. */
#include <inttypes.h>
#include <stdio.h>

#include "datapath/tstamp.h"

#include "check.h"

static uint64_t
absdiff(uint64_t a, uint64_t b)
{
	return a > b ? a - b : b - a;
}

int
main(void)
{
	static const uint64_t rates[] = {1000000000u, 2100000000u, 2999999999u, 3700000000u,
		25000000u};
	unsigned int i;

	for (i = 0; i < sizeof(rates) / sizeof(rates[0]); i++) {
		struct lc_clock c;
		uint64_t hz = rates[i];

		lc_clock_set_rate(&c, hz);
		c.base_ns = UINT64_C(1700000000000000000);
		/* Anchor 1000 ticks before the 64-bit wrap. */
		c.base_ticks = UINT64_MAX - 999;
		CHECK(lc_clock_ns(&c, c.base_ticks) == c.base_ns, "anchor maps to base");
		/* One second later, across the wrap. */
		CHECK(absdiff(lc_clock_ns(&c, c.base_ticks + hz), c.base_ns + 1000000000u) <= 1,
				"1 s across the TSC wrap at %" PRIu64 " Hz: got %" PRIu64, hz,
				lc_clock_ns(&c, c.base_ticks + hz) - c.base_ns);
		/* Ten days later: the 128-bit product must not overflow. */
		CHECK(absdiff(lc_clock_ns(&c, c.base_ticks + hz * 864000u),
				      c.base_ns + UINT64_C(864000000000000)) <= 2,
				"10 days at %" PRIu64 " Hz: off by more than 2 ns", hz);
		/* Monotonic tick by tick across the wrap. */
		{
			uint64_t t, prev = 0;
			int mono = 1;

			for (t = c.base_ticks - 5; t != c.base_ticks + 5000; t++) {
				uint64_t ns = lc_clock_ns(&c, t + 5);

				if (ns < prev)
					mono = 0;
				prev = ns;
			}
			CHECK(mono, "not monotonic across the wrap at %" PRIu64 " Hz", hz);
		}
	}
	/* A 32-bit NIC clock: widening keeps counting past 2^32. */
	{
		uint64_t wide = 0xfffffff0u;

		wide = lc_clock_extend(wide, 0x00000010u, 32);
		CHECK(wide == UINT64_C(0x100000010), "32-bit extend: got %" PRIx64, wide);
		wide = lc_clock_extend(wide, 0x00000020u, 32);
		CHECK(wide == UINT64_C(0x100000020), "32-bit extend step");
		CHECK(lc_clock_extend(5, 9, 64) == 9, "64-bit extend is identity");
	}
	if (failures == 0)
		printf("tstamp: ok\n");
	return failures ? 1 : 0;
}
