/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef LINECAP_ZST_READER_H
#define LINECAP_ZST_READER_H

/*
 * The reader's .zst path (reader/zst_reader.c): a zstd-compressed capture
 * (linecap capture --compress, or zstd -c FILE) read as the stream of its
 * decoded frames, through a stdio FILE, so the pcap/pcapng reader above it
 * is the same for both.
 *
 * At open, every frame is decoded once (checksums checked) to learn the
 * decoded length and which frames are good. A frame that does not decode
 * (corrupt, or not zstd: a run of zeros a crash left) is skipped up to the
 * next zstd magic number; the stream is the good frames only. Frames that
 * linecap writes hold whole records, so the records after a skipped frame
 * still parse. A last frame cut short by the end of the file (kill -9, a
 * file still being written) is the truncated tail: left out, not an error.
 */

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <linecap/error.h>

/* One good frame: where it is in the .zst file, and what it decodes to. */
struct lc_zst_frame {
	uint64_t zoff, zlen; /* in the .zst file */
	uint64_t uoff, ulen; /* in the decoded stream */
};

/* What the open learned of a .zst file. */
struct lc_zst_info {
	bool on;	     /* the file is zstd: reader offsets are of the decoded stream */
	uint64_t raw_size;   /* bytes of the .zst file */
	int raw_fd;	     /* the .zst file itself (valid until the stream is closed) */
	uint64_t good_end;   /* .zst offset after the good frames before the first bad or cut one */
	uint64_t bad_frames; /* undecodable regions skipped (each counted once) */
	uint64_t first_bad;  /* .zst offset of the first, if any */
	bool cut;	     /* the last frame is cut short by the end of the file */
	char why[128];	     /* zstd's reason for the first bad frame */
	/* The good frames in file order (`linecap index`); valid until the stream is closed. */
	const struct lc_zst_frame *frames;
	uint64_t nb_frames;
};

/* A cookie stream's seek target: `off` from 0, `cur` or `end` by `whence`. */
static inline int64_t
lc_zst_seek_target(int whence, int64_t off, uint64_t cur, uint64_t end)
{
	return off + (whence == SEEK_SET ? 0 : whence == SEEK_CUR ? (int64_t)cur : (int64_t)end);
}

/* The first bytes of a file are a zstd frame's magic number. */
bool lc_zst_magic(const uint8_t *p, size_t n);

/*
 * Read `raw` (a .zst file of `raw_size` bytes, open for reading) as its
 * decoded stream: a FILE that owns `raw` from then on (fclose closes both).
 * Sets `info` and `*out_size` (decoded bytes). NULL with err set
 * (LC_ERR_INPUT naming `path`); `raw` then stays the caller's.
 */
FILE *lc_zst_fopen(FILE *raw, uint64_t raw_size, const char *path, struct lc_zst_info *info,
		uint64_t *out_size, struct lc_error *err);

#endif
