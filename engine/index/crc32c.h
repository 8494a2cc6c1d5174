/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef LINECAP_INDEX_CRC32C_H
#define LINECAP_INDEX_CRC32C_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * CRC-32C (Castagnoli, reflected polynomial 0x82f63b78, initial value and
 * final xor 0xffffffff: "123456789" -> 0xe3069283). Chain calls by passing
 * the previous result as `crc` (start with 0). Computed 8 bytes at a time
 * with the CPU's CRC32 instruction (SSE4.2, ARMv8 CRC) when the CPU has
 * it, else by DPDK's table-driven software path (rte_hash_crc.h; header
 * only: no EAL). Thread-safe.
 */
uint32_t lc_crc32c(uint32_t crc, const void *buf, size_t len);

/* True when lc_crc32c uses the CPU's CRC32 instruction. */
bool lc_crc32c_hardware(void);

/*
 * Tests: use the software path (on = true) or the best one again. Not to be
 * called while another thread computes a CRC.
 */
void lc_crc32c_force_software(bool on);

#endif
