/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef LINECAP_INDEX_IDX_LIVE_H
#define LINECAP_INDEX_IDX_LIVE_H

/*
 * The live indexer of one pcap file: fed the file's bytes in order, in
 * blocks of any size (the sealed blocks of linecap/block_hook.h), it cuts
 * the same units as `linecap index` and hands each finished entry to
 * `emit`. No allocation and no system call after lc_idx_live_init (the
 * caller's `emit` decides where entries go); a record split over blocks is
 * reassembled in a buffer allocated once. pcap only in this version: a
 * pcapng stream is refused at its first block (LC_IDX_LIVE_UNSUPPORTED).
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "index/idx_unit.h"

typedef void (*lc_idx_emit_fn)(const uint8_t *entry, size_t len, void *arg);

enum lc_idx_live_state {
	LC_IDX_LIVE_HEADER = 0,	 /* reading the file header */
	LC_IDX_LIVE_RECORDS,	 /* in the records */
	LC_IDX_LIVE_UNSUPPORTED, /* not a pcap stream: bytes are ignored */
};

struct lc_idx_live {
	struct lc_idx_acc a;
	enum lc_idx_live_state state;
	bool swapped, nano;
	uint64_t fed; /* bytes seen: the file offset of the next byte */
	uint8_t head[LC_IDX_HEAD_BYTES];
	uint32_t head_len;
	uint8_t rh[16]; /* the record header being read */
	uint32_t rh_have;
	uint8_t *rec; /* the record's packet bytes when split over blocks */
	uint32_t rec_len, rec_have;
	uint64_t rec_off;
	lc_idx_emit_fn emit;
	void *arg;
};

/* 0, or -1 (out of memory). */
int lc_idx_live_init(
		struct lc_idx_live *l, const struct lc_idx_opts *o, lc_idx_emit_fn emit, void *arg);

/* The next `len` bytes of the file. */
void lc_idx_live_feed(struct lc_idx_live *l, const uint8_t *data, size_t len);

/*
 * End of file: emit the last unit and encode the header (64 bytes) into
 * `hdr`. Returns 0, or -1 if the stream was not an indexable pcap file.
 */
int lc_idx_live_finish(struct lc_idx_live *l, uint8_t *hdr);

/* Start a new stream (the next file), keeping the buffers: no allocation. */
void lc_idx_live_reset(struct lc_idx_live *l);

void lc_idx_live_free(struct lc_idx_live *l);

#endif
