/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * CRC-32C of the index file's header and entries (see crc32c.h), with
 * DPDK's rte_hash_crc primitives. Those compute the raw register update
 * (no initial or final inversion: done here) and on x86 assume SSE4.2
 * without asking the CPU (DPDK 22.11): the CPU is asked once here, and
 * without the instruction the software path is chosen.
 */
#include <pthread.h>
#include <string.h>

#include <rte_cpuflags.h>
#include <rte_hash_crc.h>

#include "index/crc32c.h"

#if RTE_BYTE_ORDER != RTE_LITTLE_ENDIAN
#error "lc_crc32c feeds 8 bytes at a time as a little-endian word"
#endif

static pthread_once_t pick_once = PTHREAD_ONCE_INIT;
static bool have_hw; /* the CPU has the instruction */
static bool use_hw;  /* and lc_crc32c uses it */

static void
pick(void)
{
#if defined(RTE_ARCH_X86)
	have_hw = rte_cpu_get_flag_enabled(RTE_CPUFLAG_SSE4_2) > 0;
	rte_hash_crc_set_alg(have_hw ? CRC32_SSE42_x64 : CRC32_SW);
#elif defined(RTE_ARCH_ARM64) && defined(__ARM_FEATURE_CRC32)
	have_hw = rte_cpu_get_flag_enabled(RTE_CPUFLAG_CRC32) > 0;
	rte_hash_crc_set_alg(have_hw ? CRC32_ARM64 : CRC32_SW);
#else
	have_hw = false;
	rte_hash_crc_set_alg(CRC32_SW);
#endif
	use_hw = have_hw;
}

uint32_t
lc_crc32c(uint32_t crc, const void *buf, size_t len)
{
	const uint8_t *p = buf;
	uint32_t c = ~crc;
	uint64_t w;

	pthread_once(&pick_once, pick);
	/* memcpy: the buffer need not be aligned (a load on x86 and ARMv8). */
	for (; len >= 8; len -= 8, p += 8) {
		memcpy(&w, p, sizeof(w));
		c = rte_hash_crc_8byte(w, c);
	}
	for (; len > 0; len--)
		c = rte_hash_crc_1byte(*p++, c);
	return ~c;
}

bool
lc_crc32c_hardware(void)
{
	pthread_once(&pick_once, pick);
	return use_hw;
}

void
lc_crc32c_force_software(bool on)
{
	pthread_once(&pick_once, pick);
	if (on) {
		rte_hash_crc_set_alg(CRC32_SW);
		use_hw = false;
	} else {
		pick();
	}
}
