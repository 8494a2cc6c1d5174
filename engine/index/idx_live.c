/* SPDX-License-Identifier: BSD-3-Clause */
/* The live indexer of a pcap stream (see idx_live.h). */
#include <stdlib.h>
#include <string.h>

#include "index/crc32c.h"
#include "index/idx_live.h"
#include "reader/pcap_reader.h"

#define PCAP_HDR 24u
#define REC_HDR 16u

int
lc_idx_live_init(struct lc_idx_live *l, const struct lc_idx_opts *o, lc_idx_emit_fn emit, void *arg)
{
	memset(l, 0, sizeof(*l));
	if (lc_idx_acc_init(&l->a, o) < 0)
		return -1;
	l->rec = malloc(LC_READER_MAX_CAPLEN);
	if (l->rec == NULL) {
		lc_idx_acc_free(&l->a);
		return -1;
	}
	l->emit = emit;
	l->arg = arg;
	return 0;
}

void
lc_idx_live_reset(struct lc_idx_live *l)
{
	struct lc_idx_opts o = {
			.unit_bytes = l->a.unit_bytes,
			.unit_packets = l->a.unit_packets,
			.bloom_bytes = l->a.h.bloom_bytes,
			.k = l->a.h.bloom_k,
	};
	uint8_t *entry = l->a.entry, *rec = l->rec;
	lc_idx_emit_fn emit = l->emit;
	void *arg = l->arg;

	memset(l, 0, sizeof(*l));
	l->a.h.bloom_bytes = o.bloom_bytes;
	l->a.h.bloom_k = o.k;
	l->a.h.flags = LC_IDX_SEEKABLE | LC_IDX_ORDERED;
	l->a.unit_bytes = o.unit_bytes;
	l->a.unit_packets = o.unit_packets;
	l->a.entry = entry;
	l->rec = rec;
	l->emit = emit;
	l->arg = arg;
}

void
lc_idx_live_free(struct lc_idx_live *l)
{
	lc_idx_acc_free(&l->a);
	free(l->rec);
	l->rec = NULL;
}

static uint32_t
u32(const struct lc_idx_live *l, const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return l->swapped ? __builtin_bswap32(v) : v;
}

static void
file_header(struct lc_idx_live *l)
{
	uint32_t magic;

	memcpy(&magic, l->head, sizeof(magic));
	l->swapped = magic == 0xd4c3b2a1u || magic == 0x4d3cb2a1u;
	if (l->swapped)
		magic = __builtin_bswap32(magic);
	if (magic != 0xa1b2c3d4u && magic != 0xa1b23c4du) {
		l->state = LC_IDX_LIVE_UNSUPPORTED;
		return;
	}
	l->nano = magic == 0xa1b23c4du;
	l->a.h.linktype = u32(l, l->head + 20) & 0x03ffffffu;
	l->a.h.format = 0;
	l->a.h.ts_res = l->nano ? 9 : 6;
	l->state = LC_IDX_LIVE_RECORDS;
}

static void
cut(struct lc_idx_live *l)
{
	const uint8_t *e = lc_idx_acc_cut(&l->a, NULL);

	if (e != NULL && l->emit != NULL)
		l->emit(e, lc_idx_entry_size(&l->a.h), l->arg);
}

static void
packet(struct lc_idx_live *l, const uint8_t *data)
{
	uint32_t frac = u32(l, l->rh + 4);
	uint64_t ts = (uint64_t)u32(l, l->rh) * 1000000000u + (l->nano ? frac : frac * 1000ull);

	if (lc_idx_acc_packet(&l->a, l->rec_off, l->rec_off + REC_HDR + l->rec_len, ts, data,
			    l->rec_len))
		cut(l);
	l->rh_have = 0;
	l->rec_have = 0;
}

/* Records from `p`, at file offset `base`: returns the bytes used. */
static size_t
records(struct lc_idx_live *l, uint64_t base, const uint8_t *p, size_t len)
{
	size_t used = 0;

	while (used < len && l->state == LC_IDX_LIVE_RECORDS) {
		size_t n;

		if (l->rh_have < REC_HDR) {
			if (l->rh_have == 0)
				l->rec_off = base + used;
			n = REC_HDR - l->rh_have < len - used ? REC_HDR - l->rh_have : len - used;
			memcpy(l->rh + l->rh_have, p + used, n);
			l->rh_have += (uint32_t)n;
			used += n;
			if (l->rh_have < REC_HDR)
				break;
			l->rec_len = u32(l, l->rh + 8);
			if (l->rec_len > LC_READER_MAX_CAPLEN) {
				l->state = LC_IDX_LIVE_UNSUPPORTED; /* not a record: stop */
				break;
			}
		}
		if (l->rec_have == 0 && len - used >= l->rec_len) {
			packet(l, p + used); /* whole in this block: no copy */
			used += l->rec_len;
			continue;
		}
		n = l->rec_len - l->rec_have < len - used ? l->rec_len - l->rec_have : len - used;
		memcpy(l->rec + l->rec_have, p + used, n);
		l->rec_have += (uint32_t)n;
		used += n;
		if (l->rec_have == l->rec_len)
			packet(l, l->rec);
	}
	return used;
}

void
lc_idx_live_feed(struct lc_idx_live *l, const uint8_t *data, size_t len)
{
	size_t used = 0;

	if (l->head_len < LC_IDX_HEAD_BYTES) {
		size_t n = LC_IDX_HEAD_BYTES - l->head_len < len ? LC_IDX_HEAD_BYTES - l->head_len
								 : len;

		memcpy(l->head + l->head_len, data, n);
		l->head_len += (uint32_t)n;
	}
	if (l->state == LC_IDX_LIVE_HEADER) {
		if (l->head_len < PCAP_HDR && l->fed + len < PCAP_HDR) {
			l->fed += len;
			return;
		}
		used = PCAP_HDR - l->fed;
		file_header(l);
	}
	if (l->state == LC_IDX_LIVE_RECORDS)
		records(l, l->fed + used, data + used, len - used);
	l->fed += len;
}

int
lc_idx_live_finish(struct lc_idx_live *l, uint8_t *hdr)
{
	if (l->state != LC_IDX_LIVE_RECORDS)
		return -1;
	cut(l);
	l->a.h.file_size = l->fed;
	l->a.h.head_crc = lc_crc32c(0, l->head, l->head_len);
	lc_idx_header_encode(&l->a.h, hdr);
	return 0;
}
