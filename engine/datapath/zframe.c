/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * --compress zstd on the writer's thread: a sealed block of whole records
 * becomes one zstd frame behind the stream's carried tail (see zframe.h for
 * the O_DIRECT alignment). The context is static, so no call here allocates.
 */
#include <string.h>

#include <zstd.h>

#include <linecap/stats.h>

#include "datapath/zframe.h"

/* One frame of `len` bytes (none if 0) at zb[at], with room up to the padding. */
static int
frame(struct lc_zwriter *z, uint8_t *zb, size_t at, const uint8_t *src, size_t len, size_t *n)
{
	*n = 0;
	if (len == 0)
		return 0;
	/* The last LC_BLOCK_ALIGN bytes stay free for the padding of a file's end. */
	*n = ZSTD_compress2(z->cctx, zb + at, z->zcap - LC_BLOCK_ALIGN - at, src, len);
	return ZSTD_isError(*n) ? -1 : 0;
}

int
lc_zframe(struct lc_zwriter *z, unsigned int slot, const uint8_t *src, size_t len, size_t head,
		struct lc_zout *o)
{
	uint8_t *zb = z->zbuf[slot];
	size_t h = 0, n = 0;

	if (head > len)
		head = len;
	memcpy(zb, z->tail, z->tail_len);
	if (frame(z, zb, z->tail_len, src, head, &h) < 0 ||
			frame(z, zb, z->tail_len + h, src + head, len - head, &n) < 0)
		return -1;
	o->buf = zb;
	o->off = z->wpos;
	o->whole = z->tail_len + h + n;
	o->in_len = len;
	o->frames = (head > 0) + (len > head);
	o->frame_start = z->wpos + z->tail_len + h;
	o->frame_end = o->frame_start + n;
	return 0;
}

uint64_t
lc_zcommit(struct lc_zwriter *z, const struct lc_zout *o, size_t next_write, size_t on_medium,
		bool end_of_file)
{
	uint64_t done = o->off + on_medium;

	if (o->in_len > 0) {
		lc_counter_add(&z->cnt.bytes_in, o->in_len);
		lc_counter_add(&z->cnt.bytes_out, o->frame_end - (o->off + z->tail_len));
		lc_counter_add(&z->cnt.frames, o->frames);
	}
	if (end_of_file) {
		z->wpos = 0;
		z->tail_len = 0;
		z->boundary = 0;
		return o->frame_end;
	}
	if (done >= o->frame_end)
		z->boundary = o->frame_end;
	else if (done >= o->frame_start)
		z->boundary = o->frame_start; /* the frame before it is whole */
	z->tail_len = (uint32_t)(o->whole - next_write);
	memmove(z->tail, o->buf + next_write, z->tail_len);
	z->wpos = o->off + next_write;
	return z->boundary;
}
