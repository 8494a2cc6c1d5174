/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef LINECAP_ZST_UNIT_H
#define LINECAP_ZST_UNIT_H

/*
 * A .zst capture read one frame at a time (reader/zst_unit.c), for the
 * query: the stream holds the decoded bytes of the frames loaded last, at
 * their offsets in the decoded stream, and ends with them. With an index
 * (idx_format.h, COMPRESSED) nothing else of the file is read: a load reads
 * exactly its compressed range (pread) and decodes it in one call, checking
 * each frame's checksum. Without one, lc_zst_unit_next loads the frames in
 * file order, reading the file in large sequential reads, each frame decoded
 * once (checksum checked) and a frame that does not decode skipped.
 */

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <linecap/error.h>

/*
 * The most a load may take, compressed or decoded (linecap writes frames of
 * LC_IDX_FRAME_UNIT = 262,080 bytes of records, 1 MiB with a huge pcapng header).
 */
#define LC_ZST_UNIT_MAX (64u << 20)

struct lc_zst_unit;

/*
 * The .zst file `path`, open as `fd` (owned from then on, even on failure),
 * as an empty stream (its size in `*raw_size`); `*zu` is the state the loads
 * take (freed by fclose, which closes fd). NULL with err set.
 */
FILE *lc_zst_unit_open(int fd, const char *path, uint64_t *raw_size, struct lc_zst_unit **zu,
		struct lc_error *err);

/* The file's descriptor (its raw bytes: e.g. the head an index checks). */
int lc_zst_unit_fd(const struct lc_zst_unit *zu);

/*
 * The stream `f` (of `zu`) now holds the decoded bytes of the whole frames
 * at [zoff, zoff + zlen) of the file, as decoded offsets [uoff, *uend); its
 * position is uoff. zlen 0: the first frame at zoff, however long. 0, or -1
 * with a short reason in `why` (a frame that does not decode, is cut short,
 * or is too large): the stream is then empty.
 */
int lc_zst_unit_load(FILE *f, struct lc_zst_unit *zu, uint64_t zoff, uint64_t zlen, uint64_t uoff,
		uint64_t *uend, char *why, size_t whylen);

/*
 * The next frame in file order (after the frames loaded last) as decoded
 * offsets [uoff, *uend); its file offset in *zoff. 1 loaded; 0 none left
 * (the end, or a last frame cut short by it: left out); -1 it does not
 * decode, skipped (counted: lc_zst_unit_bad; the next call goes on after
 * it); -2 it cannot be loaded alone (no decoded size in its header, or more
 * than LC_ZST_UNIT_MAX): read the file as a stream from uoff instead.
 */
int lc_zst_unit_next(
		FILE *f, struct lc_zst_unit *zu, uint64_t uoff, uint64_t *uend, uint64_t *zoff);

/* Frames lc_zst_unit_next skipped; the first one's offset and zstd's reason. */
uint64_t lc_zst_unit_bad(const struct lc_zst_unit *zu, uint64_t *first, const char **why);

/* Compressed bytes read from the file so far. */
uint64_t lc_zst_unit_bytes_read(const struct lc_zst_unit *zu);

#endif
