/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The live indexer (index/idx_live.c), fed a pcap file in blocks of any
 * size (1 byte, random sizes, the whole file), writes the same index,
 * byte for byte, as `linecap index` (lc_idx_build) does from the file.
 * usage: test_index_live FILE.pcap...  (copies each into a temp dir)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "index/idx_live.h"
#include "index/index.h"

struct sink {
	uint8_t *buf;
	size_t len, cap;
};

static void
collect(const uint8_t *e, size_t len, void *arg)
{
	struct sink *s = arg;

	if (s->len + len > s->cap) {
		s->cap = (s->len + len) * 2;
		s->buf = realloc(s->buf, s->cap);
		if (s->buf == NULL)
			abort();
	}
	memcpy(s->buf + s->len, e, len);
	s->len += len;
}

static uint8_t *
slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *b;
	long n;

	if (f == NULL || fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0)
		return NULL;
	rewind(f);
	b = malloc((size_t)n + 1);
	if (b == NULL || fread(b, 1, (size_t)n, f) != (size_t)n) {
		fclose(f);
		free(b);
		return NULL;
	}
	fclose(f);
	*len = (size_t)n;
	return b;
}

/* mode 0: 1-byte blocks, 1: random sizes, 2: one block */
static int
live_index(const uint8_t *file, size_t len, const struct lc_idx_opts *o, int mode, struct sink *s)
{
	struct lc_idx_live l;
	size_t off = 0;
	uint8_t hdr[LC_IDX_HDR_SIZE];

	memset(s, 0, sizeof(*s));
	collect(hdr, sizeof(hdr), s); /* room for the header */
	if (lc_idx_live_init(&l, o, collect, s) < 0)
		return -1;
	while (off < len) {
		size_t n = mode == 0 ? 1 : mode == 2 ? len : 1 + (size_t)rand() % 5000;

		if (n > len - off)
			n = len - off;
		lc_idx_live_feed(&l, file + off, n);
		off += n;
	}
	if (lc_idx_live_finish(&l, hdr) < 0) {
		lc_idx_live_free(&l);
		return -1;
	}
	memcpy(s->buf, hdr, sizeof(hdr));
	lc_idx_live_free(&l);
	return 0;
}

static int
check_file(const char *src, const char *dir, int cut)
{
	const struct lc_idx_opts o = {.unit_bytes = 4096, .bloom_bytes = 256, .k = 4};
	char copy[4200], idx[4300], cmd[9000];
	struct lc_error err = {0};
	uint8_t *file, *want;
	size_t flen, wlen;
	int mode, bad = 0;

	snprintf(copy, sizeof(copy), "%s/%s", dir, strrchr(src, '/') ? strrchr(src, '/') + 1 : src);
	snprintf(cmd, sizeof(cmd), "head -c -%d '%s' > '%s'", cut, src, copy);
	if (system(cmd) != 0)
		return fprintf(stderr, "cannot copy %s\n", src), 1;
	if (lc_idx_build(copy, &o, NULL, &err) < 0)
		return fprintf(stderr, "%s: lc_idx_build: %s\n", src, err.msg), 1;
	snprintf(idx, sizeof(idx), "%s.idx", copy);
	file = slurp(copy, &flen);
	want = slurp(idx, &wlen);
	if (file == NULL || want == NULL)
		return fprintf(stderr, "cannot read %s or its index\n", copy), 1;
	for (mode = 0; mode < 3; mode++) {
		struct sink s;

		if (live_index(file, flen, &o, mode, &s) < 0) {
			fprintf(stderr, "%s: live indexer refused the file (mode %d)\n", src, mode);
			bad = 1;
			continue;
		}
		if (s.len != wlen || memcmp(s.buf, want, wlen) != 0) {
			fprintf(stderr,
					"%s: mode %d: live index (%zu bytes) differs from "
					"lc_idx_build's (%zu)\n",
					src, mode, s.len, wlen);
			bad = 1;
		}
		free(s.buf);
	}
	printf("%s%s: %zu-byte index, live == built in 1-byte, random and whole blocks%s\n", src,
			cut ? " (its last 7 bytes cut)" : "", wlen, bad ? ": FAILED" : "");
	free(file);
	free(want);
	return bad;
}

int
main(int argc, char **argv)
{
	char dir[] = "/tmp/linecap-idxlive.XXXXXX", cmd[64];
	int i, bad = 0;

	if (argc < 2 || mkdtemp(dir) == NULL)
		return fprintf(stderr, "usage: test_index_live FILE.pcap...\n"), 1;
	srand(3);
	for (i = 1; i < argc; i++)
		bad |= check_file(argv[i], dir, 0);
	/* a truncated tail: fed the same bytes, both cover the whole records only */
	bad |= check_file(argv[1], dir, 7);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		bad = 1;
	return bad;
}
