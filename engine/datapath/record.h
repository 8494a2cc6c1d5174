/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef LINECAP_RECORD_H
#define LINECAP_RECORD_H

/*
 * Record encoders of the two file formats, inlined into the writer's packet
 * loop (the writer branches on a constant `enum lc_record_kind`, no call per
 * packet), and the matching decoder that walks a sealed block for the
 * sealed-block hook. Host byte order, as libpcap writes and reads it.
 */

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <linecap/sink.h>

/* Classic pcap record header. */
struct lc_pcap_rec_hdr {
	uint32_t ts_sec;
	uint32_t ts_frac; /* ns or us, as the file magic says */
	uint32_t caplen;
	uint32_t len;
};
_Static_assert(sizeof(struct lc_pcap_rec_hdr) == LC_PCAP_RECORD_HDR_LEN, "pcap record header");

/* pcapng Enhanced Packet Block up to the packet data. */
struct lc_epb_hdr {
	uint32_t type;
	uint32_t total_len;
	uint32_t if_id; /* the ring's index in this writer = its IDB */
	uint32_t ts_high;
	uint32_t ts_low;
	uint32_t caplen;
	uint32_t len;
};
_Static_assert(sizeof(struct lc_epb_hdr) == LC_PCAPNG_EPB_HDR_LEN, "pcapng EPB header");

/*
 * The pcap record header of a packet stamped `ns` whose `caplen` bytes of
 * data already follow it at p + 16. Returns the record's length.
 */
static inline uint32_t
lc_record_put_pcap(uint8_t *p, uint64_t ns, bool nanosecond, uint32_t caplen, uint32_t len)
{
	struct lc_pcap_rec_hdr h = {
			.ts_sec = (uint32_t)(ns / 1000000000u),
			.ts_frac = (uint32_t)(ns % 1000000000u),
			.caplen = caplen,
			.len = len,
	};

	if (!nanosecond)
		h.ts_frac /= 1000u;
	memcpy(p, &h, sizeof(h));
	return (uint32_t)sizeof(h) + caplen;
}

/*
 * The EPB around `caplen` bytes of data already at p + 28: header, zero
 * padding to 32 bits, trailing length. `ts` is in the IDB's resolution.
 * Returns the block's length.
 */
static inline uint32_t
lc_record_put_epb(uint8_t *p, uint16_t if_id, uint64_t ts, uint32_t caplen, uint32_t len)
{
	uint32_t pad = (4u - (caplen & 3u)) & 3u;
	uint32_t total = LC_PCAPNG_EPB_HDR_LEN + caplen + pad + 4u;
	struct lc_epb_hdr h = {
			.type = LC_PCAPNG_EPB,
			.total_len = total,
			.if_id = if_id,
			.ts_high = (uint32_t)(ts >> 32),
			.ts_low = (uint32_t)ts,
			.caplen = caplen,
			.len = len,
	};

	memcpy(p, &h, sizeof(h));
	memset(p + sizeof(h) + caplen, 0, pad);
	memcpy(p + sizeof(h) + caplen + pad, &total, sizeof(total));
	return total;
}

/*
 * Decode the record (pcap) or block (pcapng) that starts at `p`, as written
 * above: its length, and for a packet its timestamp in ns (*is_pkt true).
 * pcapng blocks other than EPBs (section and interface headers, statistics)
 * are not packets. 0 if the length is impossible (the walk stops).
 */
static inline uint32_t
lc_record_peek(enum lc_record_kind kind, const uint8_t *p, bool nanosecond, uint64_t *ns,
		bool *is_pkt)
{
	uint64_t unit = nanosecond ? 1u : 1000u;

	if (kind == LC_RECORD_PCAPNG_EPB) {
		struct lc_epb_hdr h;

		memcpy(&h, p, 8); /* every pcapng block starts with type, total length */
		*is_pkt = h.type == LC_PCAPNG_EPB;
		if (*is_pkt) {
			memcpy(&h, p, sizeof(h));
			*ns = (((uint64_t)h.ts_high << 32) | h.ts_low) * unit;
		}
		return h.total_len >= 12u && (h.total_len & 3u) == 0 ? h.total_len : 0;
	} else {
		struct lc_pcap_rec_hdr h;

		memcpy(&h, p, sizeof(h));
		*is_pkt = true;
		*ns = (uint64_t)h.ts_sec * 1000000000u + (uint64_t)h.ts_frac * unit;
		return (uint32_t)sizeof(h) + h.caplen;
	}
}

#endif
