/* SPDX-License-Identifier: BSD-3-Clause */
/* Encoding and checking of the index file format (see idx_format.h). */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "index/crc32c.h"
#include "index/idx_format.h"

static void
put32(uint8_t *p, uint32_t v)
{
	unsigned int i;

	for (i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static void
put64(uint8_t *p, uint64_t v)
{
	put32(p, (uint32_t)v);
	put32(p + 4, (uint32_t)(v >> 32));
}

static uint32_t
get32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t
get64(const uint8_t *p)
{
	return (uint64_t)get32(p) | (uint64_t)get32(p + 4) << 32;
}

void
lc_idx_header_encode(const struct lc_idx_header *h, uint8_t *out)
{
	memset(out, 0, LC_IDX_HDR_SIZE);
	memcpy(out, LC_IDX_MAGIC, sizeof(LC_IDX_MAGIC));
	put32(out + 8, LC_IDX_VERSION); /* whatever h->version says: only version 2 is written */
	put32(out + 12, LC_IDX_HDR_SIZE);
	put64(out + 16, h->file_size);
	put32(out + 24, h->head_crc);
	put32(out + 28, h->linktype);
	out[32] = h->format;
	out[33] = h->ts_res;
	out[34] = h->flags;
	out[35] = h->bloom_k;
	put32(out + 36, h->bloom_bytes);
	put32(out + 40, h->nb_units);
	put32(out + 44, (uint32_t)lc_idx_entry_size(h));
	put64(out + 48, h->packets);
	put32(out + 56, h->entries_crc);
	put32(out + 60, lc_crc32c(0, out, 60));
}

void
lc_idx_entry_encode(const struct lc_idx_unit *u, uint8_t *out)
{
	put64(out, u->offset);
	put64(out + 8, u->length);
	put64(out + 16, u->min_ts);
	put64(out + 24, u->max_ts);
	put32(out + 32, u->packets);
	put32(out + 36, u->flags);
	put64(out + 40, u->zoffset);
	put64(out + 48, u->zlength);
}

void
lc_idx_unit_at(const uint8_t *buf, const struct lc_idx_header *h, uint32_t i, struct lc_idx_unit *u)
{
	const uint8_t *p = buf + LC_IDX_HDR_SIZE + (size_t)i * lc_idx_entry_size(h);

	u->offset = get64(p);
	u->length = get64(p + 8);
	u->min_ts = get64(p + 16);
	u->max_ts = get64(p + 24);
	u->packets = get32(p + 32);
	u->flags = get32(p + 36);
	if (h->version == LC_IDX_VERSION_V1) {
		u->zoffset = u->zlength = 0; /* version 1 has no frame fields */
	} else {
		u->zoffset = get64(p + 40);
		u->zlength = get64(p + 48);
	}
	u->bloom = p + lc_idx_entry_fixed(h);
}

#define BAD(...) (snprintf(why, whylen, __VA_ARGS__), -1)

/*
 * A unit's bytes must lie in the file: its records, or with COMPRESSED its
 * frame (after the previous unit's, which ends at `zend`).
 */
static bool
bad_place(const struct lc_idx_header *h, const struct lc_idx_unit *u, uint64_t zend)
{
	if (!(h->flags & LC_IDX_COMPRESSED))
		return u->offset > h->file_size || u->length > h->file_size - u->offset ||
		       u->zoffset != 0 || u->zlength != 0;
	return u->zoffset < zend || u->zlength == 0 || u->zoffset > h->file_size ||
	       u->zlength > h->file_size - u->zoffset;
}

static int
check_units(const uint8_t *buf, const struct lc_idx_header *h, char *why, size_t whylen)
{
	uint64_t end = 0, zend = 0, packets = 0;
	uint32_t i;

	for (i = 0; i < h->nb_units; i++) {
		struct lc_idx_unit u;

		lc_idx_unit_at(buf, h, i, &u);
		if (u.offset < end || u.length == 0 || bad_place(h, &u, zend))
			return BAD("unit %" PRIu32 " lies outside the file or overlaps", i);
		if (u.packets == 0 || u.min_ts > u.max_ts)
			return BAD("unit %" PRIu32 " has no packets or bad time stamps", i);
		end = u.offset + u.length;
		zend = u.zoffset + u.zlength;
		packets += u.packets;
	}
	if (packets != h->packets)
		return BAD("units hold %" PRIu64 " packets, header says %" PRIu64, packets,
				h->packets);
	return 0;
}

int
lc_idx_parse(const uint8_t *buf, size_t len, struct lc_idx_header *h, char *why, size_t whylen)
{
	uint32_t entry_size;

	if (len < LC_IDX_HDR_SIZE || memcmp(buf, LC_IDX_MAGIC, sizeof(LC_IDX_MAGIC)) != 0)
		return BAD("not a linecap index");
	if (get32(buf + 60) != lc_crc32c(0, buf, 60))
		return BAD("header checksum mismatch");
	if ((get32(buf + 8) != LC_IDX_VERSION && get32(buf + 8) != LC_IDX_VERSION_V1) ||
			get32(buf + 12) != LC_IDX_HDR_SIZE)
		return BAD("unsupported index version %" PRIu32, get32(buf + 8));
	h->version = get32(buf + 8);
	h->file_size = get64(buf + 16);
	h->head_crc = get32(buf + 24);
	h->linktype = get32(buf + 28);
	h->format = buf[32];
	h->ts_res = buf[33];
	h->flags = buf[34];
	h->bloom_k = buf[35];
	h->bloom_bytes = get32(buf + 36);
	h->nb_units = get32(buf + 40);
	entry_size = get32(buf + 44);
	h->packets = get64(buf + 48);
	h->entries_crc = get32(buf + 56);
	if (h->format > 1 || (h->ts_res != 6 && h->ts_res != 9) || h->bloom_k == 0 ||
			h->bloom_k > (h->version == LC_IDX_VERSION ? LC_IDX_K_MAX_V2
								   : LC_IDX_K_MAX) ||
			h->bloom_bytes < LC_IDX_BLOOM_MIN || h->bloom_bytes > LC_IDX_BLOOM_MAX ||
			(h->bloom_bytes & (h->bloom_bytes - 1)) != 0 ||
			entry_size != lc_idx_entry_size(h) ||
			(h->version == LC_IDX_VERSION_V1 && (h->flags & LC_IDX_COMPRESSED)))
		return BAD("bad header fields");
	if ((len - LC_IDX_HDR_SIZE) / entry_size != h->nb_units ||
			(len - LC_IDX_HDR_SIZE) % entry_size != 0)
		return BAD("size %zu does not hold %" PRIu32 " units (torn?)", len, h->nb_units);
	if (lc_crc32c(0, buf + LC_IDX_HDR_SIZE, len - LC_IDX_HDR_SIZE) != h->entries_crc)
		return BAD("entries checksum mismatch");
	return check_units(buf, h, why, whylen);
}

bool
lc_bloom_test(const uint8_t *bloom, uint32_t bytes, unsigned int k, uint32_t hash)
{
	const uint8_t *line = bloom + (size_t)(hash & (bytes / 64 - 1)) * 64;
	uint64_t g = LC_BLOOM_G(hash);
	unsigned int j;

	for (j = 0; j < k; j++) {
		uint32_t b = lc_bloom_bit(g, j);

		if (!(line[b >> 3] & (1u << (b & 7))))
			return false;
	}
	return true;
}

static inline uint32_t
bloom_bit_v1(uint64_t hash, unsigned int j, uint32_t bytes)
{
	uint32_t h1 = (uint32_t)hash, h2 = (uint32_t)(hash >> 32) | 1u;

	return (h1 + j * h2) & (bytes * 8u - 1u);
}

bool
lc_bloom_test_v1(const uint8_t *bloom, uint32_t bytes, unsigned int k, uint64_t hash)
{
	unsigned int j;

	for (j = 0; j < k; j++) {
		uint32_t b = bloom_bit_v1(hash, j, bytes);

		if (!(bloom[b >> 3] & (1u << (b & 7))))
			return false;
	}
	return true;
}

bool
lc_idx_bloom_may_hold(const struct lc_idx_header *h, const struct lc_idx_unit *u,
		const struct lc_key *key)
{
	if (h->version == LC_IDX_VERSION_V1)
		return lc_bloom_test_v1(u->bloom, h->bloom_bytes, h->bloom_k, lc_key_hash_v1(key));
	return lc_bloom_test(u->bloom, h->bloom_bytes, h->bloom_k, lc_key_hash(key));
}
