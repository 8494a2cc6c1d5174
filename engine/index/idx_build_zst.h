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

/* Read every record of `r`, one unit per frame, entries written to `fd`. 0, or -1 with err set. */
int lc_idx_zst_scan(struct lc_idx_acc *a, int fd, struct lc_pcap_reader *r, struct lc_error *err);

#endif
