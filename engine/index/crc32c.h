/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef LINECAP_INDEX_CRC32C_H
#define LINECAP_INDEX_CRC32C_H

#include <stddef.h>
#include <stdint.h>

/*
 * CRC-32C (Castagnoli, reflected polynomial 0x82f63b78), bytewise table.
 * Chain calls by passing the previous result as `crc` (start with 0).
 */
uint32_t lc_crc32c(uint32_t crc, const void *buf, size_t len);

#endif
