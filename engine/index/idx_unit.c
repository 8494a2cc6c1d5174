/* SPDX-License-Identifier: BSD-3-Clause */
/* Units of an index: packets in, encoded entries out (see idx_unit.h). */
#include <stdlib.h>
#include <string.h>

#include "index/crc32c.h"
#include "index/idx_unit.h"

static uint8_t
unit_flags(const struct lc_idx_acc *a)
{
	return LC_IDX_SEEKABLE | LC_IDX_ORDERED | (a->compressed ? LC_IDX_COMPRESSED : 0);
}

int
lc_idx_acc_init(struct lc_idx_acc *a, const struct lc_idx_opts *o)
{
	memset(a, 0, sizeof(*a));
	a->h.bloom_bytes = o->bloom_bytes;
	a->h.bloom_k = o->k;
	a->compressed = o->compressed;
	a->h.flags = unit_flags(a);
	a->unit_bytes = o->unit_bytes;
	a->unit_packets = o->unit_packets != 0 ? o->unit_packets : UINT32_MAX;
	a->entry = calloc(1, lc_idx_entry_size(&a->h));
	return a->entry == NULL ? -1 : 0;
}

void
lc_idx_acc_free(struct lc_idx_acc *a)
{
	free(a->entry);
	a->entry = NULL;
}

void
lc_idx_acc_reset(struct lc_idx_acc *a)
{
	uint32_t bytes = a->h.bloom_bytes;
	uint8_t k = a->h.bloom_k;

	memset(&a->h, 0, sizeof(a->h));
	a->h.bloom_bytes = bytes;
	a->h.bloom_k = k;
	a->h.flags = unit_flags(a);
	memset(&a->u, 0, sizeof(a->u));
	a->last_ts = 0;
	a->opaque_units = 0;
}

void
lc_idx_acc_open(struct lc_idx_acc *a, uint64_t off, uint64_t ts_ns)
{
	uint32_t i;

	memset(a->entry, 0, lc_idx_entry_size(&a->h)); /* the last entry was taken */
	for (i = 0; i < LC_IDX_SEEN; i++)
		a->seen[i] = ~i; /* no hash seen: slot i holds none whose low bits are i */
	a->u.offset = off;
	a->u.min_ts = ts_ns;
	a->u.max_ts = ts_ns;
}

void
lc_idx_acc_back(struct lc_idx_acc *a, uint64_t ts_ns)
{
	if (a->h.packets > 0)
		a->h.flags &= (uint8_t)~LC_IDX_ORDERED;
	if (ts_ns < a->u.min_ts)
		a->u.min_ts = ts_ns;
}

bool
lc_idx_acc_packet(struct lc_idx_acc *a, uint64_t off, uint64_t end, uint64_t ts_ns,
		const uint8_t *data, uint32_t caplen)
{
	struct lc_pkt_keys keys;
	unsigned int i;

	lc_idx_acc_record(a, off, end, ts_ns);
	lc_keys_extract(data, caplen, a->h.linktype, &keys);
	if (keys.opaque)
		a->u.flags |= LC_IDX_UNIT_OPAQUE;
	for (i = 0; i < keys.nb; i++)
		lc_idx_acc_hash(a, a->entry + LC_IDX_ENTRY_FIXED, a->h.bloom_bytes, a->h.bloom_k,
				lc_key_hash(&keys.k[i]));
	return lc_idx_acc_full(a);
}

const uint8_t *
lc_idx_acc_cut(struct lc_idx_acc *a, struct lc_idx_unit *closed)
{
	size_t esz = lc_idx_entry_size(&a->h);

	if (a->u.packets == 0)
		return NULL;
	lc_idx_entry_encode(&a->u, a->entry);
	a->h.entries_crc = lc_crc32c(a->h.entries_crc, a->entry, esz);
	a->h.nb_units++;
	if (a->u.flags & LC_IDX_UNIT_OPAQUE)
		a->opaque_units++;
	if (closed != NULL)
		*closed = a->u;
	memset(&a->u, 0, sizeof(a->u));
	return a->entry;
}

bool
lc_idx_acc_frame(struct lc_idx_acc *a, uint64_t block_off, uint64_t zoffset, uint64_t zend)
{
	if (a->u.packets == 0)
		return true;
	a->u.zoffset = zoffset;
	a->u.zlength = zend - zoffset;
	return zend != zoffset && (block_off == 0 || a->u.offset == block_off);
}

void
lc_idx_head_take(uint8_t *first, uint32_t *len, const uint8_t *p, uint64_t off, uint64_t n)
{
	uint64_t k;

	if (*len >= LC_IDX_HEAD_BYTES || off > *len || off + n <= *len)
		return;
	k = off + n - *len;
	if (k > LC_IDX_HEAD_BYTES - *len)
		k = LC_IDX_HEAD_BYTES - *len;
	memcpy(first + *len, p + (*len - off), (size_t)k);
	*len += (uint32_t)k;
}

int
lc_idx_kind(uint32_t magic, struct lc_idx_header *h)
{
	if (magic == 0x0a0d0d0au) {
		h->format = 1;
		h->ts_res = 9;
	} else if (magic == 0xa1b2c3d4u || magic == 0xa1b23c4du) {
		h->format = 0;
		h->ts_res = magic == 0xa1b23c4du ? 9 : 6;
	} else {
		return -1;
	}
	return 0;
}
