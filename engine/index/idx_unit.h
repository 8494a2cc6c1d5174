/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef LINECAP_INDEX_IDX_UNIT_H
#define LINECAP_INDEX_IDX_UNIT_H

/*
 * The unit accumulator shared by `linecap index` (idx_build.c, reading a
 * file) and the live indexer (idx_live.c, fed a file's bytes as they are
 * written): packets go in, one encoded entry comes out per unit of about
 * unit_bytes (or unit_packets). Both therefore cut a file into the same units. No allocation
 * after lc_idx_acc_init.
 */

#include <stdbool.h>
#include <stdint.h>

#include "index/index.h"

/*
 * Key hashes added to the open unit's Bloom filter lately, by their low
 * bits: a key whose hash is there again sets no bit (its bits are set
 * already), so a unit's repeated keys (the protocol, a server's port and
 * address, a flow's burst) cost one compare instead of a Bloom insert. The
 * filter is bit for bit the one without it.
 */
#define LC_IDX_SEEN 256u

struct lc_idx_acc {
	struct lc_idx_header h; /* nb_units, packets, flags, entries_crc kept current */
	uint32_t unit_bytes;
	uint32_t unit_packets; /* UINT32_MAX: no limit */
	struct lc_idx_unit u;  /* the open unit (packets == 0: none) */
	uint8_t *entry;	       /* its encoding: fixed part + Bloom */
	uint64_t last_ts;
	uint32_t opaque_units;
	bool compressed;	    /* one unit per zstd frame: never full, the caller cuts */
	uint32_t seen[LC_IDX_SEEN]; /* of the open unit: slot i holds a hash h with h % N == i */
};

/* 0, or -1 (out of memory). h.flags starts as SEEKABLE | ORDERED (| COMPRESSED). */
int lc_idx_acc_init(struct lc_idx_acc *a, const struct lc_idx_opts *o);
void lc_idx_acc_free(struct lc_idx_acc *a);

/*
 * One packet record at file offset `off` ending at `end`. Returns true when
 * the unit is now full: the caller takes lc_idx_acc_cut().
 */
bool lc_idx_acc_packet(struct lc_idx_acc *a, uint64_t off, uint64_t end, uint64_t ts_ns,
		const uint8_t *data, uint32_t caplen);

/* Out of line, for the inline functions below: a unit opens; a time stamp goes back. */
void lc_idx_acc_open(struct lc_idx_acc *a, uint64_t off, uint64_t ts_ns);
void lc_idx_acc_back(struct lc_idx_acc *a, uint64_t ts_ns);

/* The packet's place and time in the open unit (opened by it if none is). */
static inline void
lc_idx_acc_record(struct lc_idx_acc *a, uint64_t off, uint64_t end, uint64_t ts_ns)
{
	if (__builtin_expect(a->u.packets == 0, 0))
		lc_idx_acc_open(a, off, ts_ns);
	/* Not below the last stamp: not below the unit's smallest (the last packet is the unit's).
	 */
	if (__builtin_expect(ts_ns < a->last_ts, 0))
		lc_idx_acc_back(a, ts_ns);
	if (ts_ns > a->u.max_ts)
		a->u.max_ts = ts_ns;
	a->last_ts = ts_ns;
	a->u.packets++;
	a->h.packets++;
	a->u.length = end - a->u.offset;
}

/* Add key hash `h` to the open unit's filter, unless it is one of the hashes added lately. */
static inline void
lc_idx_acc_hash(struct lc_idx_acc *a, uint8_t *bloom, uint32_t bytes, unsigned int k, uint32_t h)
{
	uint32_t *s = &a->seen[h & (LC_IDX_SEEN - 1)];

	if (*s == h)
		return; /* its bits are set */
	*s = h;
	lc_bloom_add(bloom, bytes, k, h);
}

/* Is the open unit full (bytes or packets)? Never a zstd frame's: it ends with its block. */
static inline bool
lc_idx_acc_full(const struct lc_idx_acc *a)
{
	return !a->compressed && (a->u.length >= a->unit_bytes || a->u.packets >= a->unit_packets);
}

/*
 * The same as lc_idx_acc_packet with the packet's keys summarised on the rx
 * lcore (keys.h). Inline: the writer's record tap runs it for every packet.
 */
static inline bool
lc_idx_acc_packet_sum(struct lc_idx_acc *a, uint64_t off, uint64_t end, uint64_t ts_ns,
		const struct lc_keysum *s)
{
	uint8_t *bloom = a->entry + LC_IDX_ENTRY_FIXED;
	uint32_t bytes = a->h.bloom_bytes, nb = s->nb, i;
	unsigned int k = a->h.bloom_k;

	lc_idx_acc_record(a, off, end, ts_ns);
	if (s->opaque)
		a->u.flags |= LC_IDX_UNIT_OPAQUE;
	/* The default k as a constant: its bit loop unrolled (measured: 75 -> 20 instructions a
	 * key). */
	if (k == LC_IDX_DEFAULT_K)
		for (i = 0; i < nb; i++)
			lc_idx_acc_hash(a, bloom, bytes, LC_IDX_DEFAULT_K, s->hash[i]);
	else
		for (i = 0; i < nb; i++)
			lc_idx_acc_hash(a, bloom, bytes, k, s->hash[i]);
	return lc_idx_acc_full(a);
}

/*
 * --compress: the open unit (if any) is the zstd frame [zoffset, zend) of
 * the block at `block_off`. False if it cannot be: no frame, or the frame's
 * decoded bytes do not begin with the unit's first record.
 */
bool lc_idx_acc_frame(struct lc_idx_acc *a, uint64_t block_off, uint64_t zoffset, uint64_t zend);

/* Take into `first` (LC_IDX_HEAD_BYTES, `*len` held) what of the `n` bytes at `off` comes next. */
void lc_idx_head_take(uint8_t *first, uint32_t *len, const uint8_t *p, uint64_t off, uint64_t n);

/* Format and time resolution (into h) from a file's first 4 bytes: 0, or -1 if not pcap/pcapng. */
int lc_idx_kind(uint32_t magic, struct lc_idx_header *h);

/* Start a new file: counts, flags and the open unit cleared; no allocation. */
void lc_idx_acc_reset(struct lc_idx_acc *a);

/*
 * Close the open unit: its encoded entry (entry size bytes, valid until the
 * next packet) or NULL if the unit is empty. Updates the header's counts
 * and entries CRC.
 */
const uint8_t *lc_idx_acc_cut(struct lc_idx_acc *a, struct lc_idx_unit *closed);

#endif
