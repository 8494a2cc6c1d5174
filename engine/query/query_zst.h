/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef LINECAP_QUERY_QUERY_ZST_H
#define LINECAP_QUERY_QUERY_ZST_H

/*
 * The query's .zst path (query/query_zst.c). With an index of the
 * compressed file (idx_format.h, COMPRESSED) only the candidate units'
 * frames are read: each is read with one pread of its compressed range and
 * decoded alone (reader/zst_unit.h), and the reader parses its records; a
 * frame that does not decode (zstd's checksum) is skipped with a warning.
 * Without one the file is read whole as its decoded stream (reader/
 * zst_reader.h). Planning decodes only the file's first frame (its header).
 */

#include <stdbool.h>

#include "query/query_priv.h"

/* The file starts with a zstd frame. */
bool lc_query_zst_file(const char *path);

/*
 * Plan the .zst file `f`: format and link type from its first frame, then
 * its index. 1 indexed (the caller chooses the candidates), 0 to be
 * scanned, 2 its first frame does not decode alone (the caller plans it as
 * any file), -1 with err set.
 */
int lc_query_zst_plan(struct query *q, struct qfile *f, struct lc_error *err);

/* Open the planned .zst file `f` for the merge. 0, or -1 with err set. */
int lc_query_zst_open(struct query *q, struct qfile *f, struct lc_error *err);

/* Indexed: load the next candidate frame as f's region. 1, 0 none left, -1 error. */
int lc_query_zst_next_region(struct query *q, struct qfile *f, struct lc_error *err);

#endif
