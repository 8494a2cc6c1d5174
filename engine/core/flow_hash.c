/* SPDX-License-Identifier: BSD-3-Clause */
#include <string.h>

#include "datapath/flow_hash.h"

void
lc_sym_rss_key(uint8_t *key, unsigned int len)
{
	unsigned int i;

	for (i = 0; i < len; i++)
		key[i] = (i & 1) ? 0x5a : 0x6d;
}

void
lc_sym_hash_init(struct lc_sym_hash *h)
{
	/* The key as a bit string, long enough for a 32-bit window at any bit. */
	uint8_t key[8];
	unsigned int parity, byte, bit;

	lc_sym_rss_key(key, sizeof(key));
	for (parity = 0; parity < 2; parity++) {
		for (byte = 0; byte < 256; byte++) {
			uint32_t v = 0;

			for (bit = 0; bit < 8; bit++) {
				/* input bit number (from the MSB of this byte) */
				unsigned int i = parity * 8 + bit;
				uint64_t k = (uint64_t)key[0] << 56 | (uint64_t)key[1] << 48 |
					     (uint64_t)key[2] << 40 | (uint64_t)key[3] << 32 |
					     (uint64_t)key[4] << 24 | (uint64_t)key[5] << 16 |
					     (uint64_t)key[6] << 8 | key[7];

				if (byte & (0x80u >> bit))
					v ^= (uint32_t)(k >> (32 - i));
			}
			h->tbl[parity][byte] = v;
		}
	}
}
