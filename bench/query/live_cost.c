/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The live indexer's cost per packet on the writer thread: feed a pcap file,
 * held in memory, in 1 MiB blocks (a writer's sealed blocks), and time it.
 * usage: live_cost FILE.pcap [unit_kib bloom_bytes]
 * build: cc -O2 $(pkg-config --cflags libdpdk) -I engine -I engine/include \
 *        -o live_cost bench/query/live_cost.c \
 *        engine/index/{crc32c,idx_format,idx_unit,idx_live,keys}.c \
 *        $(pkg-config --libs libdpdk) -lpthread
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "index/idx_live.h"

static size_t entries;

static void
count(const uint8_t *e, size_t len, void *arg)
{
	(void)e;
	(void)arg;
	entries += len;
}

int
main(int argc, char **argv)
{
	struct lc_idx_opts o = {.unit_bytes = LC_IDX_DEFAULT_UNIT,
			.unit_packets = LC_IDX_UNIT_PACKETS,
			.bloom_bytes = LC_IDX_DEFAULT_BLOOM,
			.k = 4};
	struct lc_idx_live l;
	struct timespec a, b;
	uint8_t hdr[64], *buf;
	size_t len, off;
	FILE *f;
	double s;
	int rep;

	if (argc < 2 || (f = fopen(argv[1], "rb")) == NULL)
		return 1;
	if (argc > 3) {
		o.unit_bytes = (uint32_t)atoi(argv[2]) * 1024u;
		o.unit_packets = 0; /* as linecap index --unit-kib: by bytes only */
		o.bloom_bytes = (uint32_t)atoi(argv[3]);
	}
	fseek(f, 0, SEEK_END);
	len = (size_t)ftell(f);
	rewind(f);
	buf = malloc(len);
	if (buf == NULL || fread(buf, 1, len, f) != len)
		return 1;
	fclose(f);
	for (rep = 0; rep < 3; rep++) {
		if (lc_idx_live_init(&l, &o, count, NULL) < 0)
			return 1;
		clock_gettime(CLOCK_MONOTONIC, &a);
		for (off = 0; off < len; off += 1u << 20)
			lc_idx_live_feed(&l, buf + off,
					len - off < (1u << 20) ? len - off : 1u << 20);
		if (lc_idx_live_finish(&l, hdr) < 0)
			return 1;
		clock_gettime(CLOCK_MONOTONIC, &b);
		s = (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9;
		printf("%zu bytes, %llu packets: %.3f s, %.1f ns/packet, %.2f Mpps, %.0f MB/s\n",
				len, (unsigned long long)l.a.h.packets, s,
				s * 1e9 / (double)l.a.h.packets, (double)l.a.h.packets / s / 1e6,
				(double)len / s / 1e6);
		lc_idx_live_free(&l);
	}
	return 0;
}
