/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef LINECAP_REPLAY_PCAP_READER_PRIV_H
#define LINECAP_REPLAY_PCAP_READER_PRIV_H

/*
 * Shared by the two halves of the reader: pcap_reader.c (files, pcap
 * records, the public calls) and pcapng_reader.c (pcapng blocks).
 */
#include <stdint.h>
#include <string.h>

#include "reader/pcap_reader.h"

#define PCAPNG_SHB 0x0a0d0d0au

/* "FILE: offset N: what" as an LC_ERR_INPUT error. Returns -1. */
int lc_reader_bad(struct lc_pcap_reader *r, struct lc_error *err, uint64_t off, const char *fmt,
		...) __attribute__((format(printf, 4, 5)));

/* Read exactly n bytes at the current offset. 0, or -1 with err set. */
int lc_reader_read(struct lc_pcap_reader *r, void *buf, size_t n, struct lc_error *err);

/* Move forward to absolute offset `to` (>= r->offset). 0, or -1 with err set. */
int lc_reader_skip_to(struct lc_pcap_reader *r, uint64_t to, struct lc_error *err);

/* The next pcapng packet: as lc_pcap_reader_next. */
int lc_pcapng_next(struct lc_pcap_reader *r, struct lc_pcap_record *rec, bool want_data,
		struct lc_error *err);

static inline uint32_t
lc_reader_u32(const struct lc_pcap_reader *r, const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return r->swapped ? __builtin_bswap32(v) : v;
}

static inline uint16_t
lc_reader_u16(const struct lc_pcap_reader *r, const uint8_t *p)
{
	uint16_t v;

	memcpy(&v, p, sizeof(v));
	return r->swapped ? __builtin_bswap16(v) : v;
}

/* The tail from `off` on is shorter than the record it starts: stop there. */
static inline int
lc_reader_truncated_at(struct lc_pcap_reader *r, uint64_t off)
{
	r->truncated = true;
	r->trunc_offset = off;
	return 0;
}

#endif
