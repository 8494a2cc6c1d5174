/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Fuzz target: the index reader (index/idx_format.c) on any bytes, and the
 * other parsers a query feeds with outside input: key extraction over every
 * link type it knows, the expression narrowing and the time parser. A
 * parsed index must describe units inside the file it claims, in order.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "index/idx_format.h"
#include "index/keys.h"
#include "query/narrow.h"
#include "query/timearg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_index(const uint8_t *data, size_t size)
{
	struct lc_idx_header h;
	struct lc_key key;
	uint64_t end = 0;
	char why[128];
	uint32_t i;

	if (lc_idx_parse(data, size, &h, why, sizeof(why)) < 0) {
		if (why[0] == '\0')
			abort(); /* a refusal says why */
		return;
	}
	lc_key_make(&key, LC_KEY_PORT, "\0P", 2);
	for (i = 0; i < h.nb_units; i++) {
		struct lc_idx_unit u;

		lc_idx_unit_at(data, &h, i, &u);
		if (u.offset < end || u.offset + u.length > h.file_size || u.min_ts > u.max_ts)
			abort();
		end = u.offset + u.length;
		(void)lc_idx_bloom_may_hold(&h, &u, &key);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint32_t linktypes[] = {0, 1, 12, 101, 108, 113, 228, 229, 276};
	struct lc_pkt_keys keys;
	struct lc_narrow n;
	char *s;
	size_t i;
	uint64_t t;

	check_index(data, size);
	for (i = 0; i < sizeof(linktypes) / sizeof(linktypes[0]); i++) {
		lc_keys_extract(data, (uint32_t)size, linktypes[i], &keys);
		if (keys.nb > LC_KEYS_MAX)
			abort();
	}
	s = malloc(size + 1);
	if (s == NULL)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	lc_narrow_derive(s, &n);
	if (n.nb > LC_NARROW_MAX)
		abort();
	(void)lc_time_parse(s, 1796083200000000000ull, &t);
	free(s);
	return 0;
}
