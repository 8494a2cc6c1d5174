/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef LINECAP_BLOCK_RING_H
#define LINECAP_BLOCK_RING_H

/*
 * The writer's block ring (datapath/block_ring.c), the lowest layer of the
 * writer: a ring of LC_WRITER_BLOCKS aligned buffers that are filled one at
 * a time, sealed, submitted to their file's medium and retired strictly in
 * file order. A block names its file by a slot index (w->files[b->file]), so
 * closing a file never touches a block.
 *
 * Indices are free-running: blocks [head, tail) are sealed and not yet
 * retired; block tail % LC_WRITER_BLOCKS is the one being filled, unless
 * the writer is blocked (every buffer held by a failed block).
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linecap/config.h>

#define LC_WRITER_MAX_RINGS (LC_MAX_PORTS * LC_MAX_QUEUES)
#define LC_WRITER_BLOCKS 4 /* a power of two */

enum lc_block_state {
	LC_BLOCK_FREE = 0,
	LC_BLOCK_FILLING,  /* records are being packed into it */
	LC_BLOCK_INFLIGHT, /* submitted to the medium */
	LC_BLOCK_DONE,	   /* on the medium, not yet retired */
	LC_BLOCK_FAILED,   /* the medium refused it; retried in place */
};

/* One write block: block_size bytes plus room for one whole record. */
struct lc_wblock {
	uint8_t *buf;
	uint64_t offset;       /* file offset of buf[0] */
	size_t len;	       /* bytes submitted (resubmitted as is on retry) */
	const uint8_t *wbuf;   /* what is submitted: buf, or its zstd frame (--compress) */
	uint64_t woff;	       /* at this file offset */
	uint64_t zwhole;       /* --compress: whole frames end here once it is written */
	uint32_t tail_partial; /* head bytes of a record that ends in the next block */
	uint32_t first_rec;    /* buf offset of the first record that starts in it */
	uint8_t file;	       /* its file: w->files[file] */
	bool last_of_file;     /* its retirement completes a rotated file */
	enum lc_block_state state;
	int res;
	uint64_t submit_tsc; /* when it was last submitted (block write latency) */
	/* Records that end in this block, per ring: written when it retires. */
	uint32_t pend[LC_WRITER_MAX_RINGS];
	uint64_t pend_bytes[LC_WRITER_MAX_RINGS];
};

struct lc_writer_task;

/* The block being filled: blocks[tail % LC_WRITER_BLOCKS], kept in w->blk. */
#define LC_RING_CUR(w) ((w)->blk)

/* Sealed blocks not yet retired. */
#define LC_RING_BUSY(w) ((w)->tail - (w)->head)

/*
 * Seal the block being filled and submit `submit_len` bytes of it (>= len:
 * O_DIRECT padding of a file's last block); the first `len` bytes are the
 * file's, and the sealed-block hook sees them first. submit_len 0: nothing
 * to write, the block retires at once. The writer then has no block to fill
 * until lc_ring_advance.
 */
void lc_ring_seal(struct lc_writer_task *w, size_t len, size_t submit_len);

/*
 * Take the next free block as the one being filled, at `next_off` of the
 * open file, with the carried record tail at its front. The one place that
 * decides to wait: if every block is in flight, wait for the disk (not the
 * CPU) until one retires; if a failed block holds them, or the writer is
 * already blocked, do not wait: the writer stays blocked (returns false).
 */
bool lc_ring_advance(struct lc_writer_task *w);

/*
 * Collect completions and retire finished blocks in file order; a failed
 * block is resubmitted in place every 100 ms, or at once after the medium
 * completed a write. With `wait`, wait for the oldest block in flight when
 * none could retire.
 */
void lc_ring_retire(struct lc_writer_task *w, bool wait);

/*
 * The block being filled holds >= block_size bytes, the last record
 * (ring `r`, `rec_len` bytes) possibly past it: seal exactly block_size
 * bytes, carry the straddler's tail, advance.
 */
void lc_ring_seal_full(struct lc_writer_task *w, uint16_t r, uint32_t rec_len);

struct lc_zout;

/*
 * --compress, --flush-ms: the block being filled went out as frame `o`,
 * written exactly and synchronously (nothing was in flight): seal it as
 * already on the medium, advance.
 */
void lc_ring_seal_frame_written(struct lc_writer_task *w, const struct lc_zout *o);

/*
 * --compress: after frame `o` of block `b` is written up to file offset
 * `done`, which packets count with b's write: those of every frame that
 * ends by `done` (the carried frames', and b's own if its frame does);
 * the others wait in the compressor for the write that completes them.
 */
void lc_ring_frame_pend(struct lc_writer_task *w, struct lc_wblock *b, uint64_t done,
		const struct lc_zout *o);

/*
 * At exit: wait for every block in flight; give each failed block one more
 * try (in file order), and stop at the first that fails again.
 */
void lc_ring_wait_all(struct lc_writer_task *w);

/* Move a block's pending records to `written` (ok) or `write_errors`. */
void lc_ring_settle(struct lc_writer_task *w, struct lc_wblock *b, bool ok);

/* At exit, blocks the medium never took: their packets are lost. */
void lc_ring_give_up(struct lc_writer_task *w);

/*
 * Call the sealed-block hook on the first `len` bytes of `b`, if one is set;
 * `o`: --compress, the block's frame (NULL: none).
 */
void lc_ring_hook(struct lc_writer_task *w, const struct lc_wblock *b, size_t len,
		const struct lc_zout *o);

#endif
