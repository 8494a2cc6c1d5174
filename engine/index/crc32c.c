/* SPDX-License-Identifier: BSD-3-Clause */
/* CRC-32C of the index file's header and entries (see crc32c.h). */
#include "index/crc32c.h"

static uint32_t table[256];
static int table_ready;

static void
make_table(void)
{
	uint32_t i, j, c;

	for (i = 0; i < 256; i++) {
		c = i;
		for (j = 0; j < 8; j++)
			c = (c & 1) ? (c >> 1) ^ 0x82f63b78u : c >> 1;
		table[i] = c;
	}
	table_ready = 1;
}

uint32_t
lc_crc32c(uint32_t crc, const void *buf, size_t len)
{
	const uint8_t *p = buf;

	if (!table_ready)
		make_table();
	crc = ~crc;
	while (len-- > 0)
		crc = table[(crc ^ *p++) & 0xff] ^ (crc >> 8);
	return ~crc;
}
