/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef LINECAP_INDEX_IDX_BUILD_ZST_H
#define LINECAP_INDEX_IDX_BUILD_ZST_H

/* `linecap index` of a .zst capture (index/idx_build_zst.c), for idx_build.c. */

#include "index/idx_unit.h"
#include "reader/pcap_reader.h"

/*
 * The reader `r` opened a .zst: the header's compressed fields (file size,
 * CRC of its first bytes, COMPRESSED; units become frames). 0, or -1 with
 * err set (a frame that does not decode: no index).
 */
int lc_idx_zst_head(struct lc_idx_acc *a, const struct lc_pcap_reader *r, struct lc_error *err);

/*
 * The Bloom bytes per unit of .zst `r` when none is asked: LC_IDX_DEFAULT_BLOOM per
 * LC_IDX_FRAME_UNIT of its largest frame's records (doubled until it covers it, the
 * slack of a frame's last record aside; at most LC_IDX_BLOOM_MAX): the bits per byte of
 * records of a frame of --compress. Those get 4 KiB, as capture --index gives them; a
 * foreign .zst's larger frames get more (linecap's earlier 1 MiB frames 16 KiB).
 */
uint32_t lc_idx_zst_bloom(const struct lc_pcap_reader *r);

/* Read every record of `r`, one unit per frame, entries written to `fd`. 0, or -1 with err set. */
int lc_idx_zst_scan(struct lc_idx_acc *a, int fd, struct lc_pcap_reader *r, struct lc_error *err);

#endif
