/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef LINECAP_WRITER_FILE_H
#define LINECAP_WRITER_FILE_H

/*
 * The writer's file layer (datapath/writer_file.c), above the block ring:
 * which file the blocks go to. It takes the file opened ahead by the
 * rotation thread, rotates (-C, -G) between two records, closes a file
 * (statistics, last block padded for O_DIRECT), hands a file whose last
 * block retired to the rotation thread, flushes partial blocks (pipes at
 * once, files after --flush-ms), and at exit cuts every file back to its
 * last whole record.
 *
 * Files live in slots: a file keeps its slot from open until its last
 * block retires, and blocks name it by slot index. Files open in slot order
 * (round robin) and retire in file order, so the next slot is always the
 * oldest.
 */

#include <stdbool.h>
#include <stdint.h>

#include <linecap/sink.h>

#include "datapath/block_ring.h"

/*
 * The open file and the closed ones whose last blocks are in flight. A
 * closed file holds its slot until its last block retires, and a file is
 * opened only while a block is being filled, so at most
 * LC_WRITER_BLOCKS - 1 closed files hold slots then: the next slot is
 * always free, and opening a file never waits for one.
 */
#define LC_WRITER_FILES LC_WRITER_BLOCKS
/* Finished files waiting for the control thread (rename, -W, -z). */
#define LC_ROTATE_QUEUE 8

/* A file slot. */
struct lc_wfile {
	struct lc_medium medium;
	uint64_t boundary; /* file offset after the last retired whole record */
	uint64_t len;	   /* a closed file's exact length (its last block is padded) */
	uint64_t start_ns; /* names the file: -G window start, else first stamp */
	uint64_t seq;	   /* the writer's files in order, from 0 */
	bool busy;	   /* open, or closed with blocks in flight */
};

/* A finished file, handed from the writer to the control thread. */
struct lc_done_file {
	struct lc_medium medium; /* still open (fd >= 0), or already closed */
	uint64_t len;		 /* cut the file to this length, then publish it */
	uint64_t start_ns;
};

/*
 * The writer's side of rotation, shared with the control thread
 * (core/rotate.c): the next file opened ahead of time, and a single-producer
 * single-consumer queue of finished files.
 */
struct lc_rotation {
	uint64_t size_limit; /* -C in bytes, UINT64_MAX = none */
	uint64_t period_ns;  /* -G, 0 = none */
	struct lc_medium spare;
	volatile int spare_ready; /* 1: spare is open (release by its writer) */
	struct lc_done_file queue[LC_ROTATE_QUEUE];
	uint32_t q_head; /* next to write: the writer (release) */
	uint32_t q_tail; /* next to read: the control thread (release) */
};

struct lc_writer_task;

/*
 * A record stamped `ns` does not fit the open file (-G window passed, -C
 * reached) or no file is open: close it and open the next. 0 when the
 * record may be appended, -1 when it cannot be stored (counted as a write
 * error by the caller).
 */
int lc_file_rotate(struct lc_writer_task *w, uint64_t ns);

/*
 * --compress with -C: a record of `caplen` bytes stamped `ns` does not fit
 * while the block being filled counts uncompressed. Seal that block as a
 * frame now (the file stays open); true if the record fits then.
 */
bool lc_file_seal_early(struct lc_writer_task *w, uint64_t ns, uint32_t caplen);

/* The last block of the file in slot `slot` retired: hand the file over. */
void lc_file_retired(struct lc_writer_task *w, unsigned int slot);

/*
 * No packet arrived: give a pipe reader what is packed, write records
 * older than --flush-ms to a file, close a -G file whose window ended.
 */
void lc_file_idle(struct lc_writer_task *w);

#endif
