/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef LINECAP_INDEX_IDX_FORMAT_H
#define LINECAP_INDEX_IDX_FORMAT_H

/*
 * The sidecar index `FILE.idx` of a capture file `FILE`, version 2 (readers
 * also take version 1: see the Bloom filter below). All integers
 * little-endian. Checksums are CRC-32C.
 *
 * Header, 64 bytes:
 *   0  u8[8] magic "LCAPIDX\0"
 *   8  u32 version (2; 1 as written before)
 *  12  u32 header size (64)
 *  16  u64 size of the capture file when indexed (bytes covered)
 *  24  u32 CRC-32C of the capture file's first min(size, 4096) bytes
 *  28  u32 link type (DLT) of the capture file
 *  32  u8  format (0 pcap, 1 pcapng)
 *  33  u8  time stamp resolution of the file (6 us, 9 ns; pcapng: 9)
 *  34  u8  flags: bit 0 SEEKABLE (a unit can be read on its own: pcap, or a
 *          pcapng file with one section whose interfaces all precede the
 *          first packet), bit 1 ORDERED (time stamps never go back),
 *          bit 2 COMPRESSED (a .zst capture, --compress: see below; version 2)
 *  35  u8  Bloom hash count k (version 2: 1..6; version 1: 1..16)
 *  36  u32 Bloom filter bytes per unit m/8 (power of two, 64..65536)
 *  40  u32 number of units
 *  44  u32 entry size (version 2: 56 + Bloom bytes; version 1: 40 + Bloom bytes)
 *  48  u64 number of packets
 *  56  u32 CRC-32C of all entries
 *  60  u32 CRC-32C of header bytes 0..59
 * Then one entry per unit, in file order, units disjoint and increasing:
 *   0  u64 file offset of the unit's first record (pcapng: block)
 *   8  u64 byte length (to the end of its last record)
 *  16  u64 smallest time stamp, ns since the epoch
 *  24  u64 largest time stamp, ns since the epoch
 *  32  u32 packet count (> 0)
 *  36  u32 flags: bit 0 OPAQUE (keys unknown: the unit matches every key)
 *  40  u64 COMPRESSED: file offset of the unit's zstd frame (else 0)
 *  48  u64 COMPRESSED: byte length of that frame (else 0)
 *  56  u8[m/8] Bloom filter of the unit's keys (index/keys.h); version 1
 *          has no frame fields and its filter at 40. Key values:
 *          ADDR4 4 bytes, ADDR6 16, PORT 2 (network order), PROTO 1, VLAN 2
 *          (network order, 12-bit id); types ADDR4 1, ADDR6 2, PORT 3,
 *          PROTO 4, VLAN 5; source and destination alike. t = type << 8 |
 *          len; w0 and w1 the key's 16 value bytes (zero-padded) as two
 *          little-endian u64; arithmetic mod 2^64 unless said.
 *          Version 2, blocked: bit i of byte b is bit 8b+i; the filter is
 *          m/512 lines of 64 bytes (line L = bytes 64L..64L+63) and a key
 *          sets k bits of ONE line. Key hash (lc_key_hash, 32 bits):
 *          x = w0 ^ t * 0x9e3779b97f4a7c15, y = w1 ^ 0xc2b2ae3d27d4eb4f,
 *          P = x * y as a 128-bit product, f = (lo64(P) ^ hi64(P)) *
 *          0xbf58476d1ce4e5b9, h = hi32(f). Line: h mod (m/512). Bits: g = h *
 *          0x9e3779b97f4a7c15 (h as u64), bit j of the line = (g >> (55 -
 *          9j)) & 511 for j < k (bits may coincide).
 *          Version 1: bit i of byte b is bit 8b+i; a key sets bits
 *          (h1 + j*h2) mod m for j < k, h = H(key), h1 = h mod 2^32,
 *          h2 = (h >> 32) | 1; H (lc_key_hash_v1): h = M(w0 ^ t *
 *          0x9e3779b97f4a7c15) ^ M(w1 + t * 0xc2b2ae3d27d4eb4f + 1) with M
 *          splitmix64's finaliser
 * The index file is exactly 64 + units * entry size bytes.
 *
 * COMPRESSED (a capture written by --compress zstd, or any .zst whose
 * frames hold whole records): each unit is exactly one zstd frame, whose
 * decoded bytes begin with the unit's first record; offset and length stay
 * those of the decoded stream (the capture as zstdcat gives it, without
 * frames that do not decode), the frame's own are at 40 and 48. The
 * header's file size and CRC are those of the compressed file, and the
 * units' frames (not their decoded offsets) lie inside it.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "index/keys.h"

#define LC_IDX_MAGIC "LCAPIDX"
#define LC_IDX_VERSION 2u    /* written */
#define LC_IDX_VERSION_V1 1u /* still read */
#define LC_IDX_HDR_SIZE 64u
#define LC_IDX_ENTRY_FIXED 56u	  /* version 2 */
#define LC_IDX_ENTRY_FIXED_V1 40u /* version 1: no frame fields */
#define LC_IDX_HEAD_BYTES 4096u
#define LC_IDX_SEEKABLE 0x01u
#define LC_IDX_ORDERED 0x02u
#define LC_IDX_COMPRESSED 0x04u
#define LC_IDX_UNIT_OPAQUE 0x01u
#define LC_IDX_BLOOM_MIN 64u
#define LC_IDX_BLOOM_MAX 65536u
#define LC_IDX_K_MAX 16u   /* version 1 */
#define LC_IDX_K_MAX_V2 6u /* version 2 */

struct lc_idx_header {
	uint64_t file_size;
	uint32_t head_crc;
	uint32_t linktype;
	uint8_t format;
	uint8_t ts_res;
	uint8_t flags;
	uint8_t bloom_k;
	uint32_t bloom_bytes;
	uint32_t nb_units;
	uint64_t packets;
	uint32_t entries_crc;
	uint32_t version; /* as read (LC_IDX_VERSION or LC_IDX_VERSION_V1); written: LC_IDX_VERSION
			   */
};

struct lc_idx_unit {
	uint64_t offset;
	uint64_t length;
	uint64_t min_ts;
	uint64_t max_ts;
	uint32_t packets;
	uint32_t flags;
	uint64_t zoffset; /* COMPRESSED: the unit's zstd frame in the file (else 0) */
	uint64_t zlength;
	const uint8_t *bloom; /* bloom_bytes bytes */
};

/* Bytes of an entry before its Bloom filter, by the index's version. */
static inline size_t
lc_idx_entry_fixed(const struct lc_idx_header *h)
{
	return h->version == LC_IDX_VERSION_V1 ? LC_IDX_ENTRY_FIXED_V1 : LC_IDX_ENTRY_FIXED;
}

static inline size_t
lc_idx_entry_size(const struct lc_idx_header *h)
{
	return lc_idx_entry_fixed(h) + h->bloom_bytes;
}

/* Encode the header into 64 bytes (computes the header CRC). */
void lc_idx_header_encode(const struct lc_idx_header *h, uint8_t *out);

/* Encode one entry's fixed part (56 bytes); the Bloom bytes follow it. */
void lc_idx_entry_encode(const struct lc_idx_unit *u, uint8_t *out);

/*
 * Check and decode a whole index image of `len` bytes. 0, or -1 with a
 * short reason in `why` (the index is then unusable: scan the file).
 */
int lc_idx_parse(const uint8_t *buf, size_t len, struct lc_idx_header *h, char *why, size_t whylen);

/* Entry i of a parsed image (the caller checked i < nb_units). */
void lc_idx_unit_at(const uint8_t *buf, const struct lc_idx_header *h, uint32_t i,
		struct lc_idx_unit *u);

/* Version 2 Bloom filter of `bytes` (a power of two, >= 64): a key's line, and its bits there. */
static inline uint8_t *
lc_bloom_line(uint8_t *bloom, uint32_t bytes, uint32_t hash)
{
	return bloom + (size_t)(hash & (bytes / 64 - 1)) * 64;
}

static inline uint32_t
lc_bloom_bit(uint64_t g, unsigned int j)
{
	return (uint32_t)(g >> (55 - 9 * j)) & 511u;
}

#define LC_BLOOM_G(hash) ((uint64_t)(hash)*0x9e3779b97f4a7c15ull)

/* Add a key (its lc_key_hash) to a version 2 filter: k bits of one cache line. */
static inline void
lc_bloom_add(uint8_t *bloom, uint32_t bytes, unsigned int k, uint32_t hash)
{
	uint8_t *line = lc_bloom_line(bloom, bytes, hash);
	uint64_t g = LC_BLOOM_G(hash);
	unsigned int j;

	for (j = 0; j < k; j++) {
		uint32_t b = lc_bloom_bit(g, j);
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
		/* the same bit, set in its 64-bit word: fewer instructions */
		uint64_t v;

		memcpy(&v, line + (b >> 6) * 8, sizeof(v));
		v |= 1ull << (b & 63);
		memcpy(line + (b >> 6) * 8, &v, sizeof(v));
#else
		line[b >> 3] |= (uint8_t)(1u << (b & 7));
#endif
	}
}

bool lc_bloom_test(const uint8_t *bloom, uint32_t bytes, unsigned int k, uint32_t hash);

/* A version 1 filter (h = lc_key_hash_v1). */
bool lc_bloom_test_v1(const uint8_t *bloom, uint32_t bytes, unsigned int k, uint64_t hash);

/* May the unit of a parsed index of either version hold `key`? (OPAQUE not looked at.) */
bool lc_idx_bloom_may_hold(const struct lc_idx_header *h, const struct lc_idx_unit *u,
		const struct lc_key *key);

#endif
