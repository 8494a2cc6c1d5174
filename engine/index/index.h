/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef LINECAP_INDEX_INDEX_H
#define LINECAP_INDEX_INDEX_H

/*
 * Building and loading the sidecar index of a capture file (format in
 * idx_format.h). File tools only: they allocate, read files and return
 * 0/-1 with struct lc_error set.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <linecap/error.h>

#include "index/idx_format.h"

/* Units and Bloom filters of `linecap index` (see the report for the measurements). */
#define LC_IDX_DEFAULT_UNIT (256u * 1024u) /* bytes of records per unit */
#define LC_IDX_DEFAULT_BLOOM 4096u	   /* bytes per unit: 32768 bits */
#define LC_IDX_DEFAULT_K 4u
/*
 * A .zst's unit is one zstd frame: a sealed block of up to 1 MiB of records
 * (core/writer_open.c LC_BLOCK_SIZE), four plain units' worth. Its Bloom filter has
 * the same bits per byte of records as a plain unit's: with 4 KiB a frame of 64 B
 * records (about 13,000 of them) answered "maybe" for every key.
 */
#define LC_IDX_ZST_BLOOM (4u * LC_IDX_DEFAULT_BLOOM)

struct lc_idx_opts {
	uint32_t unit_bytes;
	uint32_t bloom_bytes; /* 0: by the file (lc_idx_build): LC_IDX_DEFAULT_BLOOM, .zst
				 LC_IDX_ZST_BLOOM */
	uint8_t k;
	bool compressed; /* units are zstd frames, cut by the caller (LC_IDX_COMPRESSED) */
};

struct lc_idx_stats {
	uint64_t file_size;
	uint64_t index_size;
	uint64_t packets;
	uint32_t units;
	uint32_t opaque_units;
	uint8_t flags; /* LC_IDX_SEEKABLE, LC_IDX_ORDERED, LC_IDX_COMPRESSED */
};

/*
 * The index path of a capture file: "F.idx", and for a file being written,
 * "F.part" -> "F.idx.part" (both are renamed together).
 */
int lc_idx_path(const char *capture, char *out, size_t len);

/* pwrite all `len` bytes at `at`, resuming after EINTR and short writes. 0 or -1 (errno). */
int lc_idx_write_all(int fd, const void *buf, size_t len, uint64_t at);

/*
 * Index `capture` (pcap or pcapng, or either as a .zst whose frames hold
 * whole records: one unit per frame, o->compressed ignored): write its index as "<index>.part",
 * fsync it and rename it over the index path. 0, or -1 with err set (the
 * capture is malformed or the index cannot be written; no index is left).
 */
int lc_idx_build(const char *capture, const struct lc_idx_opts *o, struct lc_idx_stats *st,
		struct lc_error *err);

/*
 * After `linecap repair` of `capture` (`cut`: bytes were cut off): if
 * capture --index left "<index>.part" beside it (a killed run), or the cut
 * made its index stale, build the index afresh (lc_idx_build) and remove
 * the .part, saying so on `out` in one line. 0 (also when there is nothing
 * to do), or -1 with err set.
 */
int lc_idx_repaired(FILE *out, const char *capture, bool cut, struct lc_error *err);

/* A loaded, checked index. */
struct lc_idx {
	struct lc_idx_header h;
	uint8_t *buf;
	size_t len;
	uint64_t covered; /* end of the last unit: records from here on are not indexed */
};

/*
 * Load the index of `capture`, whose current size is `size`, and check it
 * against the file: same first bytes, link type and format, and the file
 * not shorter than when indexed (a longer file is a live one: the index
 * covers its prefix). Returns 1 loaded, 0 no index file, -1 unusable with
 * the reason in `why`.
 */
int lc_idx_load(const char *capture, uint64_t size, uint32_t linktype, int format, struct lc_idx *x,
		char *why, size_t whylen);

/* The same, the capture's head read through `cfd` (open on it) instead of opening it again. */
int lc_idx_load_fd(const char *capture, int cfd, uint64_t size, uint32_t linktype, int format,
		struct lc_idx *x, char *why, size_t whylen);

void lc_idx_free(struct lc_idx *x);

#endif
