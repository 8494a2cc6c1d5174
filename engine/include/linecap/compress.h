/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef LINECAP_COMPRESS_H
#define LINECAP_COMPRESS_H

/*
 * Inline compression of capture files (--compress zstd[:LEVEL]): each block
 * the writer seals becomes one independent zstd frame (with a content
 * checksum) of whole records, appended to the file. Concatenated frames are
 * one valid zstd stream, so `zstdcat FILE | tcpdump -r -` reads it, and
 * linecap's reader (query, replay, repair) decodes it directly.
 */

#include <stdint.h>

enum lc_compress_kind {
	LC_COMPRESS_NONE = 0,
	LC_COMPRESS_ZSTD,
};

#define LC_ZSTD_LEVEL_MIN 1
#define LC_ZSTD_LEVEL_MAX 19
#define LC_ZSTD_LEVEL_DEFAULT 3

/* One writer's compression counters; written by the writer's thread only (lc_counter_add). */
struct lc_compress_counters {
	uint64_t bytes_in;  /* file bytes compressed (as an uncompressed file would hold them) */
	uint64_t bytes_out; /* zstd frame bytes made of them */
	uint64_t frames;    /* frames made */
};

#endif
