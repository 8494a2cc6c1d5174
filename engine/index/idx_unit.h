/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef LINECAP_INDEX_IDX_UNIT_H
#define LINECAP_INDEX_IDX_UNIT_H

/*
 * The unit accumulator shared by `linecap index` (idx_build.c, reading a
 * file) and the live indexer (idx_live.c, fed a file's bytes as they are
 * written): packets go in, one encoded entry comes out per unit of about
 * unit_bytes. Both therefore cut a file into the same units. No allocation
 * after lc_idx_acc_init.
 */

#include <stdbool.h>
#include <stdint.h>

#include "index/index.h"

struct lc_idx_acc {
	struct lc_idx_header h; /* nb_units, packets, flags, entries_crc kept current */
	uint32_t unit_bytes;
	struct lc_idx_unit u; /* the open unit (packets == 0: none) */
	uint8_t *entry;	      /* its encoding: fixed part + Bloom */
	uint64_t last_ts;
	uint32_t opaque_units;
	bool compressed; /* one unit per zstd frame: never full, the caller cuts */
};

/* 0, or -1 (out of memory). h.flags starts as SEEKABLE | ORDERED (| COMPRESSED). */
int lc_idx_acc_init(struct lc_idx_acc *a, const struct lc_idx_opts *o);
void lc_idx_acc_free(struct lc_idx_acc *a);

/*
 * One packet record at file offset `off` ending at `end`. Returns true when
 * the unit is now full: the caller takes lc_idx_acc_cut().
 */
bool lc_idx_acc_packet(struct lc_idx_acc *a, uint64_t off, uint64_t end, uint64_t ts_ns,
		const uint8_t *data, uint32_t caplen);

/*
 * The same with the packet's keys summarised on the rx lcore (keys.h).
 */
bool lc_idx_acc_packet_sum(struct lc_idx_acc *a, uint64_t off, uint64_t end, uint64_t ts_ns,
		const struct lc_keysum *s);

/*
 * --compress: the open unit (if any) is the zstd frame [zoffset, zend) of
 * the block at `block_off`. False if it cannot be: no frame, or the frame's
 * decoded bytes do not begin with the unit's first record.
 */
bool lc_idx_acc_frame(struct lc_idx_acc *a, uint64_t block_off, uint64_t zoffset, uint64_t zend);

/* Take into `first` (LC_IDX_HEAD_BYTES, `*len` held) what of the `n` bytes at `off` comes next. */
void lc_idx_head_take(uint8_t *first, uint32_t *len, const uint8_t *p, uint64_t off, uint64_t n);

/* Format and time resolution (into h) from a file's first 4 bytes: 0, or -1 if not pcap/pcapng. */
int lc_idx_kind(uint32_t magic, struct lc_idx_header *h);

/* Start a new file: counts, flags and the open unit cleared; no allocation. */
void lc_idx_acc_reset(struct lc_idx_acc *a);

/*
 * Close the open unit: its encoded entry (entry size bytes, valid until the
 * next packet) or NULL if the unit is empty. Updates the header's counts
 * and entries CRC.
 */
const uint8_t *lc_idx_acc_cut(struct lc_idx_acc *a, struct lc_idx_unit *closed);

#endif
