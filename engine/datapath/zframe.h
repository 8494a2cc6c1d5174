/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef LINECAP_ZFRAME_H
#define LINECAP_ZFRAME_H

/*
 * --compress zstd: one writer's compressor (datapath/zframe.c, on the
 * writer's thread; made by core/compress_setup.c before launch). Each sealed
 * block of whole records becomes one independent zstd frame with a content
 * checksum, appended to the file.
 *
 * O_DIRECT: frames have any length, but writes must start and end on
 * LC_BLOCK_ALIGN. A write therefore holds the stream's carried tail (the
 * bytes past the last aligned write, < LC_BLOCK_ALIGN) and then the new
 * frame, and stops at the last aligned byte; the rest is carried into the
 * next write. A file's last write is padded with zeros and the file is cut
 * back to its exact length when it is closed, as without compression.
 *
 * Nothing here allocates: the context is static (its workspace made at
 * setup) and each block slot has its own output buffer, which stays
 * untouched until the block's write completed.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <linecap/compress.h>
#include <linecap/sink.h>

#include "datapath/block_ring.h"

struct ZSTD_CCtx_s;

struct lc_zwriter {
	struct ZSTD_CCtx_s *cctx;	 /* static context over `work` */
	void *work;			 /* its workspace */
	uint8_t *zbuf[LC_WRITER_BLOCKS]; /* per block slot: carried tail, frame, padding */
	size_t zcap;			 /* bytes of each zbuf */
	/*
	 * How much larger than its input a block's frames may be (zstd's bound:
	 * incompressible bytes go as raw blocks, plus headers and checksums);
	 * -C counts it so that no file passes the limit.
	 */
	uint32_t slack;
	int level;
	uint8_t tail[LC_BLOCK_ALIGN]; /* stream bytes not yet in a write */
	uint32_t tail_len;
	uint64_t wpos;	   /* file offset of tail[0]: where the next write starts */
	uint64_t boundary; /* end of the last frame all of whose bytes are in writes */
	struct lc_compress_counters cnt; /* owner: the writer's thread */
	/*
	 * Packets of frames whose last bytes are still in `tail`, per ring:
	 * they count as written with the write that takes them to the medium.
	 */
	uint32_t pend[LC_WRITER_MAX_RINGS];
	uint64_t pend_bytes[LC_WRITER_MAX_RINGS];
};

/* One frame, behind the carried tail, ready to be written. */
struct lc_zout {
	uint8_t *buf;	      /* carried tail, then the frame */
	uint64_t off;	      /* file offset of buf[0] */
	size_t whole;	      /* stream bytes in buf */
	size_t in_len;	      /* uncompressed bytes in the frame(s) (0: no frame) */
	unsigned int frames;  /* frames in buf after the tail: 0, 1, or 2 (file header first) */
	uint64_t frame_start; /* file offsets of the (last) frame, the one with records */
	uint64_t frame_end;
};

/*
 * Compress `len` bytes of whole records at `src` into block slot `slot`'s
 * buffer, behind the carried tail (len 0: no frame, only the tail). The
 * first `head` bytes (a file's header, at its start; 0: none) become a
 * frame of their own, so that a file cut short anywhere after its first
 * write still starts with a whole frame: a valid, empty capture. The
 * writer's state does not change until lc_zcommit. 0, or -1 if zstd failed.
 */
int lc_zframe(struct lc_zwriter *z, unsigned int slot, const uint8_t *src, size_t len, size_t head,
		struct lc_zout *o);

/* The `head` argument of lc_zframe for a block at file offset `offset`. */
#define LC_ZHEAD(w, offset) ((offset) == 0 ? (w)->header_len : 0)

/*
 * `o` is being written: its first `next_write` bytes form this write (the
 * next write starts after them; the rest is carried), and its first
 * `on_medium` bytes will be on the medium once it completes (more than
 * next_write after an exact --flush-ms write). `end_of_file`: the file ends
 * with this frame; the next file starts at offset 0. Counts the frame.
 * Returns the end of the last frame whose bytes are all in writes: the
 * offset a file cut short is cut back to.
 */
uint64_t lc_zcommit(struct lc_zwriter *z, const struct lc_zout *o, size_t next_write,
		size_t on_medium, bool end_of_file);

/* Compressed bytes of the open file so far (what -C counts). */
static inline uint64_t
lc_zfile_len(const struct lc_zwriter *z)
{
	return z->wpos + z->tail_len;
}

/*
 * Control plane (core/compress_setup.c): a compressor at `level` for
 * blocks of up to `max_block` bytes. NULL with errno set (EINVAL: level).
 */
struct lc_zwriter *lc_zwriter_create(int level, size_t max_block);
void lc_zwriter_free(struct lc_zwriter *z);

/* The plan's line about compression (nothing when `level` is 0: off). */
void lc_zwriter_print_plan(FILE *f, int level, bool libpcap);

#endif
