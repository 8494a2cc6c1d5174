/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Fuzz target: the reader's .zst path (reader/zst_reader.c), two ways.
 *  1. The input as a file: a mutated .zst (seeds: small compressed
 *     captures) must open and read like any file (records, a clean end,
 *     or an error naming the file and an offset), with decoded offsets
 *     inside the decoded stream, and the frame summary must be consistent.
 *  2. Differential: the input compressed as two zstd frames (cut at a point
 *     taken from the input) must read exactly as the input itself does:
 *     the same records, offsets, stamps and bytes, and the same ending.
 *  3. Frame after frame (reader/zst_unit.c, the query's scan): the input
 *     as a file loads frame by frame to its end (each load moves on, none
 *     larger than LC_ZST_UNIT_MAX), and the two-frame file of 2. decodes
 *     to exactly the input.
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <zstd.h>

#include "reader/pcap_reader.h"
#include "reader/zst_unit.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct lc_pcap_reader ra, rb; /* large: off the stack */

static void
put(const char *path, const uint8_t *p, size_t n)
{
	FILE *f = fopen(path, "wb");

	if (f == NULL || (n > 0 && fwrite(p, 1, n, f) != n) || fclose(f) != 0)
		abort();
}

/* Read a file whole; its own checks; no comparison. */
static void
read_raw(const char *path, size_t size)
{
	struct lc_pcap_record rec;
	struct lc_error err;
	int ret;

	memset(&ra, 0, sizeof(ra));
	if (lc_pcap_reader_open(&ra, path, &err) < 0) {
		if (strstr(err.msg, path) == NULL)
			abort();
		return;
	}
	if (ra.zst.on && (ra.zst.good_end > size || ra.zst.raw_size != size ||
					 (ra.zst.bad_frames > 0 && ra.zst.first_bad >= size)))
		abort();
	while ((ret = lc_pcap_reader_next(&ra, &rec, true, &err)) == 1)
		/* The reader is lenient as libpcap (caplen > len is taken): repair's
		 * strict mode is fuzzed by fuzz_reader. */
		if (rec.caplen > LC_READER_MAX_CAPLEN || rec.offset >= ra.file_size)
			abort();
	if (ret < 0 && strstr(err.msg, path) == NULL)
		abort();
	lc_pcap_reader_close(&ra);
}

/* Open both; 1 if both opened, 0 if both refused, abort if they disagree. */
static int
open_both(const char *plain, const char *zst)
{
	struct lc_error ea, eb;
	int a, b;

	memset(&ra, 0, sizeof(ra));
	memset(&rb, 0, sizeof(rb));
	a = lc_pcap_reader_open(&ra, plain, &ea);
	b = lc_pcap_reader_open(&rb, zst, &eb);
	if ((a < 0) != (b < 0) || (b == 0 && (!rb.zst.on || rb.file_size != ra.file_size)))
		abort();
	if (a < 0)
		return 0;
	return 1;
}

static void
compare(const char *plain, const char *zst)
{
	struct lc_pcap_record x, y;
	struct lc_error ea, eb;
	int a, b;

	if (!open_both(plain, zst))
		return;
	do {
		a = lc_pcap_reader_next(&ra, &x, true, &ea);
		b = lc_pcap_reader_next(&rb, &y, true, &eb);
		if (a != b)
			abort();
		if (a == 1 && (x.offset != y.offset || x.ts_ns != y.ts_ns || x.caplen != y.caplen ||
					      x.len != y.len ||
					      memcmp(x.data, y.data, x.caplen) != 0))
			abort();
	} while (a == 1);
	if (ra.truncated != rb.truncated || ra.trunc_offset != rb.trunc_offset)
		abort();
	/* A rewind and a pass without data (seeks forward in the decoded stream). */
	if (a == 0 && lc_pcap_reader_rewind(&ra, &ea) == 0 && lc_pcap_reader_rewind(&rb, &eb) == 0)
		do {
			a = lc_pcap_reader_next(&ra, &x, false, &ea);
			b = lc_pcap_reader_next(&rb, &y, false, &eb);
			if (a != b || (a == 1 && x.offset != y.offset))
				abort();
		} while (a == 1);
	lc_pcap_reader_close(&ra);
	lc_pcap_reader_close(&rb);
}

/* Load `path` frame after frame; with `want`, its frames must decode to exactly it. */
static void
frames(const char *path, const uint8_t *want, size_t wlen)
{
	struct lc_zst_unit *zu;
	struct lc_error err;
	uint64_t raw, uoff = 0, uend, zoff, last = 0, got = 0, bad = 0, first;
	const char *why;
	uint8_t *buf = NULL;
	int fd = open(path, O_RDONLY | O_CLOEXEC), ret, n = 0;
	FILE *f = fd < 0 ? NULL : lc_zst_unit_open(fd, path, &raw, &zu, &err);

	if (f == NULL)
		abort();
	while ((ret = lc_zst_unit_next(f, zu, uoff, &uend, &zoff)) != 0 && ret != -2) {
		if ((n++ > 0 && zoff <= last) || zoff >= raw || uend < uoff ||
				uend - uoff > LC_ZST_UNIT_MAX)
			abort(); /* no progress, or out of bounds */
		last = zoff;
		if (ret == 1 && want != NULL) {
			size_t len = (size_t)(uend - uoff);

			buf = realloc(buf, len > 0 ? len : 1);
			if (buf == NULL || fread(buf, 1, len, f) != len || got + len > wlen ||
					memcmp(buf, want + got, len) != 0)
				abort();
			got += len;
		}
		uoff = uend;
	}
	bad = lc_zst_unit_bad(zu, &first, &why);
	if (want != NULL && (ret != 0 || bad != 0 || got != wlen))
		abort();
	if (bad > 0 && first >= raw)
		abort();
	free(buf);
	fclose(f);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char raw[64], plain[64], zst[64];
	size_t cut, cap = ZSTD_compressBound(size) * 2 + 64, n1, n2;
	uint8_t *z;

	if (raw[0] == '\0') {
		snprintf(raw, sizeof(raw), "/tmp/linecap-fuzz-zst-%d.raw", (int)getpid());
		snprintf(plain, sizeof(plain), "/tmp/linecap-fuzz-zst-%d.pcap", (int)getpid());
		snprintf(zst, sizeof(zst), "/tmp/linecap-fuzz-zst-%d.pcap.zst", (int)getpid());
	}
	put(raw, data, size);
	read_raw(raw, size);
	frames(raw, NULL, 0);
	if (lc_zst_magic(data, size))
		return 0; /* compressed twice: the reader decodes one level, by design */

	z = malloc(cap);
	if (z == NULL)
		abort();
	cut = size > 0 ? data[size - 1] * size / 256 : 0;
	n1 = ZSTD_compress(z, cap, data, cut, 1);
	n2 = ZSTD_isError(n1) ? n1 : ZSTD_compress(z + n1, cap - n1, data + cut, size - cut, 1);
	if (ZSTD_isError(n1) || ZSTD_isError(n2))
		abort();
	put(plain, data, size);
	put(zst, z, n1 + n2);
	free(z);
	compare(plain, zst);
	frames(zst, data, size);
	return 0;
}
