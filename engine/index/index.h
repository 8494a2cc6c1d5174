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

/*
 * Units and Bloom filters of `linecap index` and capture --index (docs/benchmarks.md,
 * "Issues 13 and 14: the index unit and the .zst frame"). A unit ends at 512 KiB of
 * records or at LC_IDX_UNIT_PACKETS packets, whichever comes first, with 4 KiB of Bloom
 * filter: IMIX traffic gets 512 KiB units (index 0.8 % of the capture), 64 B records
 * 256 KiB ones (1.6 %): a filter holds the keys of at most that many packets, and more
 * keys than that fill it (512 KiB of 64 B records made 3 times the candidate units).
 */
#define LC_IDX_DEFAULT_UNIT (512u * 1024u) /* bytes of records per unit, at most */
#define LC_IDX_UNIT_PACKETS 3276u	   /* packets per unit, at most: 256 KiB of 64 B frames */
#define LC_IDX_DEFAULT_BLOOM 4096u	   /* bytes per unit: 32768 bits */
#define LC_IDX_DEFAULT_K 4u
/*
 * --compress: the bytes of records per zstd frame (core/writer_open.c seals the
 * compressing writer's blocks at it). A .zst's unit is one frame, cut by the writer by
 * bytes only (it counts no packets): a frame holds what a unit of 64 B records holds at
 * most, so its LC_IDX_DEFAULT_BLOOM is never fuller than a plain unit's.
 */
#define LC_IDX_FRAME_UNIT ((uint32_t)(LC_IDX_UNIT_PACKETS * 80u))

struct lc_idx_opts {
	uint32_t unit_bytes;
	uint32_t unit_packets; /* a unit ends at this many packets too (0: by bytes only) */
	uint32_t bloom_bytes;  /* 0: by the file (lc_idx_build): LC_IDX_DEFAULT_BLOOM, a .zst
				  with larger frames more (lc_idx_zst_bloom) */
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
