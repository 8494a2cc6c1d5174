/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The reader's .zst path: a zstd-compressed capture read as the stream of
 * its good frames, through a stdio cookie FILE (libzstd's streaming
 * decoder). Open decodes every frame once to learn the decoded length and
 * the undecodable regions; reads then decode the good frames in order and
 * jump over those regions. Seeking forward decodes and discards; seeking
 * back starts again from the first frame.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <zstd.h>

#include "reader/zst_reader.h"

#define ZST_MAGIC 0xFD2FB528u

/* Raw bytes [from, to) that did not decode: reads jump over them. */
struct zskip {
	uint64_t from, to;
};

struct zin {
	FILE *raw;
	int fd;
	uint64_t raw_size;
	ZSTD_DCtx *dctx;
	uint8_t *in;
	size_t in_cap;
	ZSTD_inBuffer ib;
	uint64_t raw_pos; /* file offset of the byte after the input buffer's */
	uint8_t *scratch; /* decoded bytes nobody wants (scan, forward seeks) */
	size_t scratch_cap;
	uint64_t out_pos;  /* decoded offset of the next byte read */
	uint64_t out_size; /* decoded bytes of every good frame */
	uint64_t data_end; /* raw offset after the last good frame */
	struct zskip *skips;
	unsigned int nb_skips, cap_skips, next_skip;
	struct lc_zst_frame *frames; /* the good ones */
	uint64_t nb_frames, cap_frames;
};

bool
lc_zst_magic(const uint8_t *p, size_t n)
{
	return n >= 4 && ((uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
					 (uint32_t)p[3] << 24) == ZST_MAGIC;
}

/* Decode the frame at `pos`: 1 whole (its end and decoded size), 0 cut by EOF, -1 bad. */
static int
decode_frame(struct zin *z, uint64_t pos, uint64_t *end, uint64_t *dec, const char **why)
{
	uint64_t at = pos;

	ZSTD_DCtx_reset(z->dctx, ZSTD_reset_session_only);
	*dec = 0;
	while (at < z->raw_size) {
		uint64_t left = z->raw_size - at;
		ssize_t n = pread(z->fd, z->in, left < z->in_cap ? (size_t)left : z->in_cap,
				(off_t)at);
		ZSTD_inBuffer ib = {z->in, n > 0 ? (size_t)n : 0, 0};

		if (n <= 0) {
			*why = n < 0 ? strerror(errno) : "file shrank while reading";
			return -1;
		}
		while (ib.pos < ib.size) {
			ZSTD_outBuffer ob = {z->scratch, z->scratch_cap, 0};
			size_t ret = ZSTD_decompressStream(z->dctx, &ob, &ib);

			if (ZSTD_isError(ret)) {
				*why = ZSTD_getErrorName(ret);
				return -1;
			}
			*dec += ob.pos;
			if (ret == 0) {
				*end = at + ib.pos;
				return 1;
			}
		}
		at += ib.size;
	}
	return 0;
}

/* The next offset from `from` on where the zstd magic number is, or the file size. */
static uint64_t
find_magic(struct zin *z, uint64_t from)
{
	while (from + 4 <= z->raw_size) {
		uint64_t left = z->raw_size - from;
		ssize_t n = pread(z->fd, z->in, left < z->in_cap ? (size_t)left : z->in_cap,
				(off_t)from);
		ssize_t i;

		if (n < 4)
			break;
		for (i = 0; i + 4 <= n; i++)
			if (lc_zst_magic(z->in + i, 4))
				return from + (uint64_t)i;
		from += (uint64_t)(n - 3); /* a magic across the chunk's end is found next time */
	}
	return z->raw_size;
}

static int
add_skip(struct zin *z, uint64_t from, uint64_t to)
{
	if (z->nb_skips > 0 && z->skips[z->nb_skips - 1].to == from) {
		z->skips[z->nb_skips - 1].to = to;
		return 0;
	}
	if (z->nb_skips == z->cap_skips) {
		unsigned int cap = z->cap_skips ? z->cap_skips * 2 : 8;
		struct zskip *s = realloc(z->skips, cap * sizeof(*s));

		if (s == NULL)
			return -1;
		z->skips = s;
		z->cap_skips = cap;
	}
	z->skips[z->nb_skips++] = (struct zskip){from, to};
	return 0;
}

static int
add_frame(struct zin *z, uint64_t zoff, uint64_t zend, uint64_t dec)
{
	if (z->nb_frames == z->cap_frames) {
		uint64_t cap = z->cap_frames ? z->cap_frames * 2 : 64;
		struct lc_zst_frame *f = realloc(z->frames, cap * sizeof(*f));

		if (f == NULL)
			return -1;
		z->frames = f;
		z->cap_frames = cap;
	}
	z->frames[z->nb_frames++] = (struct lc_zst_frame){zoff, zend - zoff, z->out_size, dec};
	return 0;
}

/* Every frame once: decoded length, good prefix, bad regions, a cut tail. */
static int
scan(struct zin *z, struct lc_zst_info *info)
{
	uint64_t pos = 0, end = 0, dec, next;
	const char *why = "";
	bool clean = true;

	while (pos < z->raw_size) {
		int r = decode_frame(z, pos, &end, &dec, &why);

		if (r == 1) {
			if (add_frame(z, pos, end, dec) < 0)
				return -1;
			z->out_size += dec;
			z->data_end = end;
			if (clean)
				info->good_end = end;
			pos = end;
			continue;
		}
		if (r == 0) {
			info->cut = true;
			break;
		}
		if (info->bad_frames == 0) {
			info->first_bad = pos;
			snprintf(info->why, sizeof(info->why), "%s", why);
		}
		info->bad_frames++;
		clean = false;
		next = find_magic(z, pos + 1);
		if (add_skip(z, pos, next) < 0)
			return -1;
		pos = next;
	}
	return 0;
}

/* Back to the first frame. */
static void
restart(struct zin *z)
{
	ZSTD_DCtx_reset(z->dctx, ZSTD_reset_session_only);
	z->ib = (ZSTD_inBuffer){z->in, 0, 0};
	z->raw_pos = 0;
	z->out_pos = 0;
	z->next_skip = 0;
}

/* More input, from the good frames only. 0, or -1 when there is none. */
static int
refill(struct zin *z)
{
	uint64_t limit;
	ssize_t n;

	while (z->next_skip < z->nb_skips && z->raw_pos >= z->skips[z->next_skip].from) {
		if (z->raw_pos < z->skips[z->next_skip].to)
			z->raw_pos = z->skips[z->next_skip].to;
		z->next_skip++;
	}
	limit = z->next_skip < z->nb_skips ? z->skips[z->next_skip].from : z->data_end;
	if (z->raw_pos >= limit)
		return -1;
	n = pread(z->fd, z->in, limit - z->raw_pos < z->in_cap ? limit - z->raw_pos : z->in_cap,
			(off_t)z->raw_pos);
	if (n <= 0)
		return -1;
	z->ib = (ZSTD_inBuffer){z->in, (size_t)n, 0};
	z->raw_pos += (uint64_t)n;
	return 0;
}

static ssize_t
zread(void *cookie, char *buf, size_t size)
{
	struct zin *z = cookie;
	size_t got = 0;

	while (got < size && z->out_pos < z->out_size) {
		uint64_t left = z->out_size - z->out_pos;
		ZSTD_outBuffer ob = {buf + got, size - got < left ? size - got : (size_t)left, 0};
		size_t ret;

		if (z->ib.pos == z->ib.size && refill(z) < 0)
			break; /* the file changed since it was opened */
		ret = ZSTD_decompressStream(z->dctx, &ob, &z->ib);
		if (ZSTD_isError(ret))
			break;
		got += ob.pos;
		z->out_pos += ob.pos;
	}
	if (got == 0 && z->out_pos < z->out_size) {
		errno = EIO;
		return -1;
	}
	return (ssize_t)got;
}

static int
zseek(void *cookie, off64_t *off, int whence)
{
	struct zin *z = cookie;
	int64_t target = lc_zst_seek_target(whence, *off, z->out_pos, z->out_size);

	if (target < 0 || (uint64_t)target > z->out_size) {
		errno = EINVAL;
		return -1;
	}
	if ((uint64_t)target < z->out_pos)
		restart(z);
	while (z->out_pos < (uint64_t)target) {
		uint64_t left = (uint64_t)target - z->out_pos;

		if (zread(z, (char *)z->scratch,
				    left < z->scratch_cap ? (size_t)left : z->scratch_cap) <= 0) {
			errno = EIO;
			return -1;
		}
	}
	*off = (off64_t)z->out_pos;
	return 0;
}

static void
zfree(struct zin *z)
{
	ZSTD_freeDCtx(z->dctx);
	free(z->in);
	free(z->scratch);
	free(z->skips);
	free(z->frames);
	free(z);
}

static int
zclose(void *cookie)
{
	struct zin *z = cookie;
	int ret = z->raw != NULL ? fclose(z->raw) : 0;

	zfree(z);
	return ret;
}

FILE *
lc_zst_fopen(FILE *raw, uint64_t raw_size, const char *path, struct lc_zst_info *info,
		uint64_t *out_size, struct lc_error *err)
{
	cookie_io_functions_t io = {.read = zread, .seek = zseek, .close = zclose};
	struct zin *z = calloc(1, sizeof(*z));
	FILE *f;

	memset(info, 0, sizeof(*info));
	info->on = true;
	info->raw_size = raw_size;
	info->raw_fd = fileno(raw);
	if (z == NULL) {
		lc_error_set(err, LC_ERR_RUNTIME, "out of memory");
		return NULL;
	}
	z->raw = raw;
	z->fd = fileno(raw);
	z->raw_size = raw_size;
	z->dctx = ZSTD_createDCtx();
	z->in_cap = ZSTD_DStreamInSize();
	z->scratch_cap = ZSTD_DStreamOutSize();
	z->in = malloc(z->in_cap);
	z->scratch = malloc(z->scratch_cap);
	if (z->dctx == NULL || z->in == NULL || z->scratch == NULL || scan(z, info) < 0) {
		lc_error_set(err, LC_ERR_RUNTIME, "out of memory");
		goto out_free;
	}
	if (z->out_size == 0 && info->bad_frames > 0) {
		lc_error_set(err, LC_ERR_INPUT,
				"%s: offset %" PRIu64 ": not a valid zstd frame: %s", path,
				info->first_bad, info->why);
		goto out_free;
	}
	restart(z);
	info->frames = z->frames;
	info->nb_frames = z->nb_frames;
	f = fopencookie(z, "rb", io);
	if (f == NULL) {
		lc_error_set(err, LC_ERR_RUNTIME, "%s: %s", path, strerror(errno));
		goto out_free;
	}
	*out_size = z->out_size;
	return f;

out_free:
	zfree(z);
	return NULL;
}
