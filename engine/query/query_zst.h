/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef LINECAP_QUERY_QUERY_ZST_H
#define LINECAP_QUERY_QUERY_ZST_H

/*
 * The query's .zst path (query/query_zst.c). With an index of the
 * compressed file (idx_format.h, COMPRESSED) only the candidate units'
 * frames are read: each is read with one pread of its compressed range and
 * decoded alone (reader/zst_unit.h), and the reader parses its records; a
 * frame that does not decode (zstd's checksum) is skipped with a warning.
 * Without one the frames are read in file order, each decoded once
 * (lc_zst_unit_next); a file whose frames cannot be loaded alone (no decoded
 * size, too large) or whose records cross frames is read on as its decoded
 * stream (reader/zst_reader.h). Planning opens the file once: the sniff's
 * descriptor reads the first frame (its header) and the head the index checks.
 */

#include <stdbool.h>

#include "query/query_priv.h"

/* The file, open, if it starts with a zstd frame; else -1 (closed). */
int lc_query_zst_sniff(const char *path);

/*
 * Plan the .zst file `f` (open as `fd`: taken): format and link type from its first frame, then
 * its index. 1 indexed (the caller chooses the candidates), 0 to be
 * scanned, 2 its first frame does not decode alone (the caller plans it as
 * any file), -1 with err set.
 */
int lc_query_zst_plan(struct query *q, struct qfile *f, int fd, struct lc_error *err);

/* Open the planned .zst file `f` for the merge. 0, or -1 with err set. */
int lc_query_zst_open(struct query *q, struct qfile *f, struct lc_error *err);

/*
 * Load f's next frame (indexed: its next candidate) as its region. 1, 0 none
 * left, -1 error.
 */
int lc_query_zst_next_region(struct query *q, struct qfile *f, struct lc_error *err);

/* f is done: warn once of the frames its read skipped. */
void lc_query_zst_close(struct query *q, struct qfile *f);

#endif
