/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef LINECAP_INDEX_IDX_CAPTURE_H
#define LINECAP_INDEX_IDX_CAPTURE_H

/*
 * `linecap capture --index`: the index of each capture file (pcap or
 * pcapng), written while capturing. A packet's keys are taken once, on the
 * rx lcore that has just received it (the hook's `summarise`: a 64-byte
 * summary of key hashes in a per-ring slot the mbuf points at, when the
 * writer runs on another lcore); the writer's thread folds each record into
 * its writer's unit accumulator as it packs it (the hook's record tap:
 * offsets, time stamps, the summary, or the keys of the record's bytes when
 * it has none: rx and writer on one lcore, libpcap path, a packet whose
 * first segment does not hold its record, more than 14 keys), so no block
 * is walked again. Finished entries go through a per-writer SPSC ring
 * of fixed slots to an index thread, which appends them to the file's
 * "<index>.part". The writer thread never waits: when the ring is full,
 * that file gets no index (counted, warned at stop; `linecap index`
 * rebuilds it). At the file's end (its last sealed block, which also gave
 * its first 4 KiB for the header's CRC) the header is written last and
 * fsync'd; the index is renamed next to its capture file when that file is
 * published: by the rotation thread (`published` hook) with -C/-G, at
 * lc_idx_capture_stop otherwise. -W deletes the pair.
 */

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <linecap/block_hook.h>

struct lc_idx_capture;

/*
 * For `nb_writers` writers of files of link type `linktype`; `compressed`:
 * --compress, each sealed block is one zstd frame and one unit (its frame's
 * offset and length in the entry; the sealed hook gives them). NULL with
 * errno set.
 */
struct lc_idx_capture *lc_idx_capture_create(
		unsigned int nb_writers, bool rotating, uint32_t linktype, bool compressed);

/* The hook to give lc_engine_set_block_hook. */
void lc_idx_capture_hook(struct lc_idx_capture *c, struct lc_block_hook *h);

/* Start the index thread. 0, or -errno. */
int lc_idx_capture_start(struct lc_idx_capture *c);

/*
 * After lc_engine_join: drain, complete and publish the last indexes, stop
 * the thread. Warns on `log` about files left without an index. Returns
 * the number of such files.
 */
unsigned int lc_idx_capture_stop(struct lc_idx_capture *c, FILE *log);

void lc_idx_capture_destroy(struct lc_idx_capture *c);

#endif
