/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A .zst capture read one frame at a time (see zst_unit.h): a stdio cookie
 * stream over the decoded bytes of the frames loaded last. Seeks move within
 * them; reads end with them.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <zstd.h>
#include <zstd_errors.h>

#include "reader/zst_reader.h"
#include "reader/zst_unit.h"

#define FIRST_READ (4u << 10) /* zlen 0: the first read, to find the frame's size */
#define SEQ_READ (4u << 20)   /* frame after frame (lc_zst_unit_next): one read's size */
#define HEAD_MAX 18u	      /* a zstd frame header's largest size */

struct lc_zst_unit {
	int fd;
	uint64_t raw_size;
	ZSTD_DCtx *dctx;
	uint8_t *in, *out;
	size_t in_cap, out_cap;
	uint64_t win_off, win_len; /* in[0] is file offset win_off; win_len bytes */
	uint64_t next;		   /* the file offset after the frames loaded last */
	uint64_t base, len, pos;   /* out[0] is decoded offset base; len bytes; next read at pos */
	uint64_t raw_read;
	uint64_t bad, first_bad; /* lc_zst_unit_next: frames skipped, the first's offset */
	char why[128];		 /* and zstd's reason */
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

/*
 * in[] holds the file's bytes [at, at + need) (need: within the file). A
 * miss reads max(need, chunk) bytes from `at` on, keeping what in[] has of them.
 */
static int
window(struct lc_zst_unit *zu, uint64_t at, uint64_t need, uint64_t chunk)
{
	uint64_t keep = 0, want = need > chunk ? need : chunk;

	if (at >= zu->win_off && at + need <= zu->win_off + zu->win_len)
		return 0;
	if (at >= zu->win_off && at < zu->win_off + zu->win_len) {
		keep = zu->win_off + zu->win_len - at;
		memmove(zu->in, zu->in + (at - zu->win_off), (size_t)keep);
	}
	if (want > zu->raw_size - at)
		want = zu->raw_size - at;
	zu->win_off = at;
	zu->win_len = keep;
	if (grow(&zu->in, &zu->in_cap, want > 0 ? (size_t)want : 1) < 0 ||
			read_at(zu, zu->in + keep, (size_t)(want - keep), at + keep) < 0)
		return -1;
	zu->win_len = want;
	return 0;
}

/*
 * The compressed length of the frame at `at`, in[] holding its header (and what a read
 * of `chunk` gave), which says it decodes to `c` bytes: if the frame ends past in[], its
 * decoded size bounds it and in[] is read on up to that bound. `*sz`: its length, or
 * zstd's error code (not a whole frame). 0, or -1 if the file cannot be read.
 */
static int
frame_len(struct lc_zst_unit *zu, uint64_t at, unsigned long long c, uint64_t chunk, size_t *sz)
{
	uint64_t left = zu->raw_size - at, avail = zu->win_off + zu->win_len - at, need;

	*sz = ZSTD_findFrameCompressedSize(zu->in + (at - zu->win_off), (size_t)avail);
	if (!ZSTD_isError(*sz) || avail >= left)
		return 0;
	need = ZSTD_compressBound((size_t)c) + 64;
	if (window(zu, at, need < left ? need : left, chunk) < 0)
		return -1;
	avail = zu->win_off + zu->win_len - at;
	*sz = ZSTD_findFrameCompressedSize(zu->in + (at - zu->win_off), (size_t)avail);
	return 0;
}

/* zlen 0: the first frame's compressed size, from its header; in[] then holds it whole. */
static int
frame_size(struct lc_zst_unit *zu, uint64_t zoff, uint64_t *zlen, const char **why)
{
	uint64_t left = zu->raw_size - zoff;
	size_t n = left < FIRST_READ ? (size_t)left : FIRST_READ, sz;
	unsigned long long c;

	if (window(zu, zoff, n, 0) < 0) {
		*why = "cannot read it";
		return -1;
	}
	c = ZSTD_getFrameContentSize(zu->in + (zoff - zu->win_off), n);
	if (c == ZSTD_CONTENTSIZE_ERROR || c == ZSTD_CONTENTSIZE_UNKNOWN || c > LC_ZST_UNIT_MAX)
		/* Nothing bounds it: whole in the first read, or not at all. */
		sz = ZSTD_findFrameCompressedSize(zu->in + (zoff - zu->win_off), n);
	else if (frame_len(zu, zoff, c, 0, &sz) < 0) {
		*why = "cannot read it";
		return -1;
	}
	if (ZSTD_isError(sz)) {
		*why = ZSTD_getErrorName(sz);
		return -1;
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

/* The whole frames p[0, n) decoded into out[] (checksums checked): 0, or -1 with `why`. */
static int
decode(struct lc_zst_unit *zu, const uint8_t *p, size_t n, const char **why)
{
	unsigned long long dec = decoded_size(p, n);
	size_t got;

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
	got = ZSTD_decompressDCtx(zu->dctx, zu->out, (size_t)dec, p, n);
	if (ZSTD_isError(got) || got != dec) {
		*why = ZSTD_isError(got) ? ZSTD_getErrorName(got) : "decoded size differs";
		return -1;
	}
	zu->len = dec;
	return 0;
}

static int
load(struct lc_zst_unit *zu, uint64_t zoff, uint64_t zlen, const char **why)
{
	if (zoff > zu->raw_size || (zlen == 0 && frame_size(zu, zoff, &zlen, why) < 0))
		return -1;
	if (zlen > LC_ZST_UNIT_MAX || zlen > zu->raw_size - zoff) {
		*why = zlen > LC_ZST_UNIT_MAX ? "frame too large"
					      : "frame past the end of the file";
		return -1;
	}
	if (window(zu, zoff, zlen, 0) < 0) {
		*why = "cannot read it";
		return -1;
	}
	if (decode(zu, zu->in + (zoff - zu->win_off), (size_t)zlen, why) < 0)
		return -1;
	zu->next = zoff + zlen;
	return 0;
}

/* The stream `f` of `zu` empty at decoded offset uoff, for a load. */
static void
empty(FILE *f, struct lc_zst_unit *zu, uint64_t uoff, uint64_t *uend)
{
	/* An input stream's fflush drops its buffer: the next read is ours. */
	fflush(f);
	clearerr(f);
	zu->base = uoff;
	zu->pos = uoff;
	zu->len = 0;
	*uend = uoff;
}

int
lc_zst_unit_load(FILE *f, struct lc_zst_unit *zu, uint64_t zoff, uint64_t zlen, uint64_t uoff,
		uint64_t *uend, char *why, size_t whylen)
{
	const char *w = "";

	empty(f, zu, uoff, uend);
	if (load(zu, zoff, zlen, &w) < 0) {
		zu->len = 0;
		snprintf(why, whylen, "%s", w);
		return -1;
	}
	*uend = uoff + zu->len;
	return 0;
}

/* The next zstd magic number in the file from `from` on, or the file's size. */
static uint64_t
next_magic(struct lc_zst_unit *zu, uint64_t from)
{
	while (from + 4 <= zu->raw_size) {
		uint64_t n, i;
		const uint8_t *p;

		if (window(zu, from, 4, SEQ_READ) < 0)
			break;
		p = zu->in + (from - zu->win_off);
		n = zu->win_off + zu->win_len - from;
		for (i = 0; i + 4 <= n; i++)
			if (lc_zst_magic(p + i, 4))
				return from + i;
		from += n - 3; /* a magic across the read's end is found next time */
	}
	return zu->raw_size;
}

/* A bad frame at `at`: counted, and the next load starts at `resume`. */
static int
bad(struct lc_zst_unit *zu, uint64_t at, uint64_t resume, const char *why)
{
	if (zu->bad++ == 0) {
		zu->first_bad = at;
		snprintf(zu->why, sizeof(zu->why), "%s", why);
	}
	zu->next = resume;
	return -1;
}

/* The frame at zu->next into out[] (see lc_zst_unit_next). */
static int
seq_load(struct lc_zst_unit *zu, uint64_t *zoff)
{
	uint64_t at = zu->next, left = zu->raw_size - at, avail;
	unsigned long long c;
	const char *why = "";
	const uint8_t *p;
	size_t sz;

	*zoff = at;
	if (at >= zu->raw_size)
		return 0;
	/* What in[] holds from `at` on (a header at least): a read only when it ends. */
	if (window(zu, at, left < HEAD_MAX ? left : HEAD_MAX, SEQ_READ) < 0)
		return bad(zu, at, zu->raw_size, "cannot read it");
	p = zu->in + (at - zu->win_off);
	avail = zu->win_off + zu->win_len - at;
	c = ZSTD_getFrameContentSize(p, (size_t)avail);
	if (c == ZSTD_CONTENTSIZE_UNKNOWN || (c != ZSTD_CONTENTSIZE_ERROR && c > LC_ZST_UNIT_MAX))
		return -2;
	if (c == ZSTD_CONTENTSIZE_ERROR) {
		if (avail == left && avail < HEAD_MAX && lc_zst_magic(p, (size_t)avail))
			return 0; /* a frame header cut by the end of the file */
		return bad(zu, at, next_magic(zu, at + 1), "not a zstd frame");
	}
	if (frame_len(zu, at, c, SEQ_READ, &sz) < 0)
		return bad(zu, at, zu->raw_size, "cannot read it");
	if (ZSTD_isError(sz)) {
		uint64_t resume = next_magic(zu, at + 1);

		/* Cut short by the end of the file (kill -9, still written): the end. */
		if (ZSTD_getErrorCode(sz) == ZSTD_error_srcSize_wrong && resume == zu->raw_size)
			return 0;
		return bad(zu, at, resume, ZSTD_getErrorName(sz));
	}
	if (decode(zu, zu->in + (at - zu->win_off), sz, &why) < 0)
		return bad(zu, at, at + sz, why);
	zu->next = at + sz;
	return 1;
}

int
lc_zst_unit_next(FILE *f, struct lc_zst_unit *zu, uint64_t uoff, uint64_t *uend, uint64_t *zoff)
{
	int ret;

	empty(f, zu, uoff, uend);
	ret = seq_load(zu, zoff);
	if (ret != 1)
		zu->len = 0;
	*uend = uoff + zu->len;
	return ret;
}

uint64_t
lc_zst_unit_bad(const struct lc_zst_unit *zu, uint64_t *first, const char **why)
{
	*first = zu->first_bad;
	*why = zu->why;
	return zu->bad;
}

int
lc_zst_unit_fd(const struct lc_zst_unit *zu)
{
	return zu->fd;
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
lc_zst_unit_open(int fd, const char *path, uint64_t *raw_size, struct lc_zst_unit **zu,
		struct lc_error *err)
{
	cookie_io_functions_t io = {.read = zu_read, .seek = zu_seek, .close = zu_close};
	struct lc_zst_unit *z = calloc(1, sizeof(*z));
	struct stat st;
	FILE *f;

	if (z == NULL) {
		close(fd);
		lc_error_set(err, LC_ERR_RUNTIME, "out of memory");
		return NULL;
	}
	z->fd = fd;
	if (fstat(z->fd, &st) != 0) {
		lc_error_set(err, LC_ERR_INPUT, "cannot read '%s': %s", path, strerror(errno));
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
	close(z->fd);
	ZSTD_freeDCtx(z->dctx);
	free(z);
	return NULL;
}
