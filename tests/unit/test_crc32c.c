/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lc_crc32c (index/crc32c.c), the checksum of the index format: the
 * CRC-32C check value, and equality with a bit-at-a-time reference for
 * every length 0..600 at every alignment, split into chained calls, on the
 * hardware path and on the software path.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "index/crc32c.h"

#define BIG (1u << 20)

/* CRC-32C one bit at a time, straight from the definition. */
static uint32_t
reference(uint32_t crc, const uint8_t *p, size_t len)
{
	unsigned int b;

	crc = ~crc;
	while (len-- > 0) {
		crc ^= *p++;
		for (b = 0; b < 8; b++)
			crc = (crc >> 1) ^ (0x82f63b78u & (0u - (crc & 1u)));
	}
	return ~crc;
}

static void
check_path(const char *path, const uint8_t *data)
{
	size_t len, off, cut;

	CHECK(lc_crc32c(0, "123456789", 9) == 0xe3069283u, "%s: check value of \"123456789\"",
			path);
	CHECK(lc_crc32c(0, "", 0) == 0, "%s: empty buffer", path);
	CHECK(lc_crc32c(0x12345678u, data, 0) == 0x12345678u, "%s: empty buffer keeps the crc",
			path);
	for (len = 0; len <= 600; len++)
		for (off = 0; off < 8; off++) {
			uint32_t want = reference(0, data + off, len);

			CHECK(lc_crc32c(0, data + off, len) == want, "%s: length %zu at offset %zu",
					path, len, off);
			cut = len * off / 8;
			CHECK(lc_crc32c(lc_crc32c(0, data + off, cut), data + off + cut,
					      len - cut) == want,
					"%s: length %zu at offset %zu chained at %zu", path, len,
					off, cut);
		}
	CHECK(lc_crc32c(0, data + 3, BIG - 3) == reference(0, data + 3, BIG - 3), "%s: %u bytes",
			path, BIG - 3);
}

int
main(void)
{
	uint8_t *data = malloc(BIG);
	uint32_t x = 2463534242u;
	size_t i;
	bool hw = lc_crc32c_hardware();

	if (data == NULL)
		return 1;
	for (i = 0; i < BIG; i++) { /* xorshift32: bytes with no pattern */
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		data[i] = (uint8_t)x;
	}
	check_path(hw ? "hardware" : "software (the CPU has no CRC32 instruction)", data);
	lc_crc32c_force_software(true);
	CHECK(!lc_crc32c_hardware(), "the software path is not used when forced");
	check_path("software", data);
	lc_crc32c_force_software(false);
	CHECK(lc_crc32c_hardware() == hw, "the best path is not chosen again");
	CHECK(lc_crc32c(0, "123456789", 9) == 0xe3069283u, "check value after switching back");
	free(data);
	if (failures) {
		fprintf(stderr, "test_crc32c: %d failures\n", failures);
		return 1;
	}
	printf("test_crc32c: all passed (%s path, then software)\n", hw ? "hardware" : "software");
	return 0;
}
