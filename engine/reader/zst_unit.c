/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A .zst capture read one frame at a time (see zst_unit.h): a stdio cookie
 * stream over the decoded bytes of the frames loaded last. Seeks move within
 * them; reads end with them.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <zstd.h>

#include "reader/zst_reader.h"
#include "reader/zst_unit.h"

#define FIRST_READ (128u << 10) /* zlen 0: the first read, to find the frame's size */

struct lc_zst_unit {
	int fd;
	uint64_t raw_size;
	ZSTD_DCtx *dctx;
	uint8_t *in, *out;
	size_t in_cap, out_cap;
	uint64_t base, len, pos; /* out[0] is decoded offset base; len bytes; next read at pos */
	uint64_t raw_read;
};

static int
grow(uint8_t **buf, size_t *cap, size_t need)
{
	uint8_t *n;

	if (need <= *cap)
		return 0;
	n = realloc(*buf, need);
	if (n == NULL)
		return -1;
	*buf = n;
	*cap = need;
	return 0;
}

static int
read_at(struct lc_zst_unit *zu, uint8_t *buf, size_t len, uint64_t at)
{
	while (len > 0) {
		ssize_t n = pread(zu->fd, buf, len, (off_t)at);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		zu->raw_read += (uint64_t)n;
		buf += n;
		len -= (size_t)n;
		at += (uint64_t)n;
	}
	return 0;
}

/* zlen 0: the first frame's compressed size, from its first bytes. */
static int
frame_size(struct lc_zst_unit *zu, uint64_t zoff, uint64_t *zlen, const char **why)
{
	uint64_t left = zu->raw_size - zoff;
	size_t n = left < FIRST_READ ? (size_t)left : FIRST_READ, sz;

	if (grow(&zu->in, &zu->in_cap, FIRST_READ) < 0 || read_at(zu, zu->in, n, zoff) < 0) {
		*why = "cannot read it";
		return -1;
	}
	sz = ZSTD_findFrameCompressedSize(zu->in, n);
	if (ZSTD_isError(sz)) {
		/* Longer than the first read (or bad): its header bounds it. */
		unsigned long long c = ZSTD_getFrameContentSize(zu->in, n);

		if (c == ZSTD_CONTENTSIZE_ERROR || c == ZSTD_CONTENTSIZE_UNKNOWN ||
				c > LC_ZST_UNIT_MAX) {
			*why = ZSTD_getErrorName(sz);
			return -1;
		}
		sz = ZSTD_compressBound((size_t)c);
		if (sz > left)
			sz = (size_t)left;
	}
	*zlen = sz;
	return 0;
}

/* What whole frames in `p` decode to, from their headers (no decoding). */
static unsigned long long
decoded_size(const uint8_t *p, size_t n)
{
	unsigned long long total = 0;

	while (n > 0) {
		size_t sz = ZSTD_findFrameCompressedSize(p, n);
		unsigned long long c = ZSTD_getFrameContentSize(p, n);

		if (ZSTD_isError(sz) || c == ZSTD_CONTENTSIZE_ERROR)
			return ZSTD_CONTENTSIZE_ERROR;
		if (c == ZSTD_CONTENTSIZE_UNKNOWN)
			return c;
		total += c;
		if (total > LC_ZST_UNIT_MAX)
			return total;
		p += sz;
		n -= sz;
	}
	return total;
}

static int
load(struct lc_zst_unit *zu, uint64_t zoff, uint64_t zlen, const char **why)
{
	unsigned long long dec;
	bool one = zlen == 0;
	size_t got;

	if (zoff > zu->raw_size || (one && frame_size(zu, zoff, &zlen, why) < 0))
		return -1;
	if (zlen > LC_ZST_UNIT_MAX || zlen > zu->raw_size - zoff) {
		*why = zlen > LC_ZST_UNIT_MAX ? "frame too large"
					      : "frame past the end of the file";
		return -1;
	}
	if (grow(&zu->in, &zu->in_cap, (size_t)zlen) < 0 ||
			read_at(zu, zu->in, (size_t)zlen, zoff) < 0) {
		*why = "cannot read it";
		return -1;
	}
	if (one) {
		/* The frame's header gave a bound: its exact end. */
		got = ZSTD_findFrameCompressedSize(zu->in, (size_t)zlen);
		if (ZSTD_isError(got)) {
			*why = ZSTD_getErrorName(got);
			return -1;
		}
		zlen = got;
	}
	dec = decoded_size(zu->in, (size_t)zlen);
	if (dec == ZSTD_CONTENTSIZE_ERROR || dec == ZSTD_CONTENTSIZE_UNKNOWN ||
			dec > LC_ZST_UNIT_MAX) {
		*why = dec == ZSTD_CONTENTSIZE_ERROR	 ? "not whole zstd frames"
		       : dec == ZSTD_CONTENTSIZE_UNKNOWN ? "frame without its decoded size"
							 : "frame too large";
		return -1;
	}
	if (grow(&zu->out, &zu->out_cap, dec > 0 ? (size_t)dec : 1) < 0) {
		*why = "out of memory";
		return -1;
	}
	got = ZSTD_decompressDCtx(zu->dctx, zu->out, (size_t)dec, zu->in, (size_t)zlen);
	if (ZSTD_isError(got) || got != dec) {
		*why = ZSTD_isError(got) ? ZSTD_getErrorName(got) : "decoded size differs";
		return -1;
	}
	zu->len = dec;
	return 0;
}

int
lc_zst_unit_load(FILE *f, struct lc_zst_unit *zu, uint64_t zoff, uint64_t zlen, uint64_t uoff,
		uint64_t *uend, char *why, size_t whylen)
{
	const char *w = "";

	/* An input stream's fflush drops its buffer: the next read is ours. */
	fflush(f);
	clearerr(f);
	zu->base = uoff;
	zu->pos = uoff;
	zu->len = 0;
	*uend = uoff;
	if (load(zu, zoff, zlen, &w) < 0) {
		zu->len = 0;
		snprintf(why, whylen, "%s", w);
		return -1;
	}
	*uend = uoff + zu->len;
	return 0;
}

uint64_t
lc_zst_unit_bytes_read(const struct lc_zst_unit *zu)
{
	return zu->raw_read;
}

static ssize_t
zu_read(void *cookie, char *buf, size_t size)
{
	struct lc_zst_unit *zu = cookie;
	uint64_t end = zu->base + zu->len;
	size_t n;

	if (zu->pos < zu->base || zu->pos >= end)
		return 0;
	n = end - zu->pos < size ? (size_t)(end - zu->pos) : size;
	memcpy(buf, zu->out + (zu->pos - zu->base), n);
	zu->pos += n;
	return (ssize_t)n;
}

static int
zu_seek(void *cookie, off64_t *off, int whence)
{
	struct lc_zst_unit *zu = cookie;
	int64_t target = lc_zst_seek_target(whence, *off, zu->pos, zu->base + zu->len);

	/* Only within the frames loaded (their end included). */
	if (target < (int64_t)zu->base || (uint64_t)target > zu->base + zu->len) {
		errno = EINVAL;
		return -1;
	}
	zu->pos = (uint64_t)target;
	*off = (off64_t)zu->pos;
	return 0;
}

static int
zu_close(void *cookie)
{
	struct lc_zst_unit *zu = cookie;
	int ret = close(zu->fd);

	ZSTD_freeDCtx(zu->dctx);
	free(zu->in);
	free(zu->out);
	free(zu);
	return ret;
}

FILE *
lc_zst_unit_open(
		const char *path, uint64_t *raw_size, struct lc_zst_unit **zu, struct lc_error *err)
{
	cookie_io_functions_t io = {.read = zu_read, .seek = zu_seek, .close = zu_close};
	struct lc_zst_unit *z = calloc(1, sizeof(*z));
	struct stat st;
	FILE *f;

	if (z == NULL) {
		lc_error_set(err, LC_ERR_RUNTIME, "out of memory");
		return NULL;
	}
	z->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (z->fd < 0 || fstat(z->fd, &st) != 0) {
		lc_error_set(err, LC_ERR_INPUT, "cannot open '%s': %s", path, strerror(errno));
		goto fail;
	}
	z->raw_size = (uint64_t)st.st_size;
	z->dctx = ZSTD_createDCtx();
	if (z->dctx == NULL) {
		lc_error_set(err, LC_ERR_RUNTIME, "out of memory");
		goto fail;
	}
	f = fopencookie(z, "rb", io);
	if (f == NULL) {
		lc_error_set(err, LC_ERR_RUNTIME, "%s: %s", path, strerror(errno));
		goto fail;
	}
	*raw_size = z->raw_size;
	*zu = z;
	return f;
fail:
	if (z->fd >= 0)
		close(z->fd);
	ZSTD_freeDCtx(z->dctx);
	free(z);
	return NULL;
}
