/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef LINECAP_ZST_UNIT_H
#define LINECAP_ZST_UNIT_H

/*
 * A .zst capture read one frame at a time (reader/zst_unit.c), for the
 * query with an index (idx_format.h, COMPRESSED): the stream holds the
 * decoded bytes of the frames loaded last, at their offsets in the decoded
 * stream, and ends with them. Nothing else of the file is read: a load
 * reads exactly its compressed range (pread) and decodes it in one call,
 * checking each frame's checksum.
 */

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <linecap/error.h>

/* The most a load may take, compressed or decoded (linecap writes 1 MiB frames). */
#define LC_ZST_UNIT_MAX (64u << 20)

struct lc_zst_unit;

/*
 * Open the .zst file `path` (its size in `*raw_size`) as an empty stream;
 * `*zu` is the state lc_zst_unit_load takes (freed by fclose). NULL with
 * err set (LC_ERR_INPUT).
 */
FILE *lc_zst_unit_open(const char *path, uint64_t *raw_size, struct lc_zst_unit **zu,
		struct lc_error *err);

/*
 * The stream `f` (of `zu`) now holds the decoded bytes of the whole frames
 * at [zoff, zoff + zlen) of the file, as decoded offsets [uoff, *uend); its
 * position is uoff. zlen 0: the first frame at zoff, however long. 0, or -1
 * with a short reason in `why` (a frame that does not decode, is cut short,
 * or is too large): the stream is then empty.
 */
int lc_zst_unit_load(FILE *f, struct lc_zst_unit *zu, uint64_t zoff, uint64_t zlen, uint64_t uoff,
		uint64_t *uend, char *why, size_t whylen);

/* Compressed bytes read from the file so far. */
uint64_t lc_zst_unit_bytes_read(const struct lc_zst_unit *zu);

#endif
