/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The pcapng half of the validating reader: section headers, interface
 * descriptions and packet blocks (EPB, SPB, obsolete PB), every length
 * checked against its limits and the file size before it is read.
 */
#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "reader/pcap_reader_priv.h"

#define PCAPNG_BOM 0x1a2b3c4du
#define PCAPNG_IDB 1u
#define PCAPNG_OPB 2u /* obsolete packet block */
#define PCAPNG_SPB 3u
#define PCAPNG_EPB 6u
#define OPT_IF_TSRESOL 9u
#define OPT_IF_TSOFFSET 14u

static uint64_t
ticks_to_ns(uint64_t ticks, uint64_t per_sec)
{
	return (uint64_t)((unsigned __int128)ticks * 1000000000u / per_sec);
}

/* ---- pcapng ---- */

/* Section header body (after type and length): byte order, version. */
static int
shb_parse(struct lc_pcap_reader *r, uint64_t off, const uint8_t *bom_ver, struct lc_error *err)
{
	uint32_t bom;

	memcpy(&bom, bom_ver, 4);
	if (bom == PCAPNG_BOM)
		r->swapped = false;
	else if (bom == __builtin_bswap32(PCAPNG_BOM))
		r->swapped = true;
	else
		return lc_reader_bad(r, err, off + 8, "bad pcapng byte-order magic 0x%08x", bom);
	if (lc_reader_u16(r, bom_ver + 4) != 1)
		return lc_reader_bad(r, err, off + 12, "unsupported pcapng version %u.%u",
				lc_reader_u16(r, bom_ver + 4), lc_reader_u16(r, bom_ver + 6));
	r->nb_ifaces = 0; /* interfaces belong to their section */
	return 0;
}

static int
idb_options(struct lc_pcap_reader *r, struct lc_pcap_iface *ifc, const uint8_t *o, uint32_t n,
		uint64_t off, struct lc_error *err)
{
	uint32_t i = 0;

	while (i + 4 <= n) {
		uint16_t code = lc_reader_u16(r, o + i), len = lc_reader_u16(r, o + i + 2);
		uint32_t padded = ((uint32_t)len + 3u) & ~3u;

		if (code == 0)
			break;
		if (padded > n - i - 4)
			return lc_reader_bad(r, err, off + i,
					"interface option %u of %u bytes runs past its "
					"block",
					code, len);
		if (code == OPT_IF_TSRESOL && len >= 1) {
			uint8_t v = o[i + 4];
			unsigned int e = v & 0x7fu, k;

			if ((v & 0x80u) ? e > 63 : e > 19)
				return lc_reader_bad(r, err, off + i,
						"if_tsresol 0x%02x is out of range", v);
			ifc->ts_div = 1;
			for (k = 0; k < e; k++)
				ifc->ts_div *= (v & 0x80u) ? 2u : 10u;
		} else if (code == OPT_IF_TSOFFSET && len >= 8) {
			uint64_t v;

			/* one 64-bit number in the section's byte order */
			memcpy(&v, o + i + 4, 8);
			ifc->ts_offset = (int64_t)(r->swapped ? __builtin_bswap64(v) : v);
			/* In ns it must fit 64 bits: +-292 years around 1970 (found by fuzzing). */
			if (ifc->ts_offset > INT64_MAX / 1000000000 ||
					ifc->ts_offset < -(INT64_MAX / 1000000000))
				return lc_reader_bad(r, err, off + i,
						"if_tsoffset %" PRId64 " s is out of range",
						ifc->ts_offset);
		}
		i += 4 + padded;
	}
	return 0;
}

static int
idb_parse(struct lc_pcap_reader *r, uint64_t off, uint32_t body_len, struct lc_error *err)
{
	struct lc_pcap_iface *ifc;
	uint32_t n = body_len < LC_READER_MAX_CAPLEN ? body_len : LC_READER_MAX_CAPLEN;

	if (body_len < 8)
		return lc_reader_bad(r, err, off,
				"interface description block of %u bytes is too short",
				body_len + 12);
	if (r->nb_ifaces >= LC_READER_MAX_IFACES)
		return lc_reader_bad(r, err, off, "more than %u interfaces in one section",
				LC_READER_MAX_IFACES);
	if (lc_reader_read(r, r->buf, n, err) < 0)
		return -1;
	ifc = &r->ifaces[r->nb_ifaces];
	ifc->linktype = lc_reader_u16(r, r->buf);
	ifc->snaplen = lc_reader_u32(r, r->buf + 4);
	ifc->ts_div = 1000000; /* default resolution: microseconds */
	ifc->ts_offset = 0;
	if (idb_options(r, ifc, r->buf + 8, n - 8, off + 16, err) < 0)
		return -1;
	if (!r->have_linktype) {
		r->linktype = ifc->linktype;
		r->linktype_offset = off + 8;
		r->have_linktype = true;
	} else if (ifc->linktype != r->linktype) {
		return lc_reader_bad(r, err, off,
				"interface %u has link type %u but the first one has %u: a file "
				"mixing link types cannot be replayed on one port",
				r->nb_ifaces, ifc->linktype, r->linktype);
	}
	r->nb_ifaces++;
	return 0;
}

/*
 * A packet block's fixed part is read; check its lengths against the
 * interface and the block, then take or skip the data.
 */
static int
packet_data(struct lc_pcap_reader *r, struct lc_pcap_record *rec, uint32_t room, bool want_data,
		struct lc_error *err)
{
	if (r->strict && rec->caplen > rec->len)
		return lc_reader_bad(r, err, rec->offset,
				"packet caplen %u > its original length %u", rec->caplen, rec->len);
	if (rec->caplen > room)
		return lc_reader_bad(r, err, rec->offset,
				"packet caplen %u does not fit in its block (%u bytes left)",
				rec->caplen, room);
	if (rec->caplen > LC_READER_MAX_CAPLEN)
		return lc_reader_bad(r, err, rec->offset, "packet caplen %u exceeds the maximum %u",
				rec->caplen, LC_READER_MAX_CAPLEN);
	rec->data = r->buf;
	if (want_data)
		return lc_reader_read(r, r->buf, rec->caplen, err);
	return lc_reader_skip_to(r, r->offset + rec->caplen, err);
}

static const struct lc_pcap_iface *
iface_of(struct lc_pcap_reader *r, uint32_t id, const char *block, uint64_t off,
		struct lc_error *err)
{
	if (id >= r->nb_ifaces) {
		lc_reader_bad(r, err, off,
				"%s refers to interface %u, but the section has %u interface "
				"description block%s before it",
				block, id, r->nb_ifaces, r->nb_ifaces == 1 ? "" : "s");
		return NULL;
	}
	return &r->ifaces[id];
}

/* The fixed part of an EPB/OPB/SPB; 1 = a packet, 0 = not a packet block. */
static int
packet_block(struct lc_pcap_reader *r, uint32_t type, uint32_t body_len, struct lc_pcap_record *rec,
		bool want_data, struct lc_error *err)
{
	const struct lc_pcap_iface *ifc;
	uint8_t f[20];
	uint64_t ticks;
	uint32_t snap;

	if (type == PCAPNG_SPB) {
		if (body_len < 4)
			return lc_reader_bad(r, err, rec->offset, "simple packet block too short");
		if (lc_reader_read(r, f, 4, err) < 0)
			return -1;
		ifc = iface_of(r, 0, "simple packet block", rec->offset, err);
		if (ifc == NULL)
			return -1;
		rec->len = lc_reader_u32(r, f);
		snap = ifc->snaplen ? ifc->snaplen : UINT32_MAX;
		rec->caplen = rec->len < snap ? rec->len : snap;
		if (rec->caplen > body_len - 4)
			rec->caplen = body_len - 4;
		rec->ts_ns = 0; /* SPBs carry no time: sent back to back */
		return packet_data(r, rec, body_len - 4, want_data, err) < 0 ? -1 : 1;
	}
	if (body_len < 20)
		return lc_reader_bad(r, err, rec->offset, "%s block of %u bytes is too short",
				type == PCAPNG_EPB ? "enhanced packet" : "packet", body_len + 12);
	if (lc_reader_read(r, f, sizeof(f), err) < 0)
		return -1;
	ifc = iface_of(r, type == PCAPNG_EPB ? lc_reader_u32(r, f) : lc_reader_u16(r, f),
			type == PCAPNG_EPB ? "enhanced packet block" : "packet block", rec->offset,
			err);
	if (ifc == NULL)
		return -1;
	ticks = (uint64_t)lc_reader_u32(r, f + 4) << 32 | lc_reader_u32(r, f + 8);
	rec->caplen = lc_reader_u32(r, f + 12);
	rec->len = lc_reader_u32(r, f + 16);
	if (ifc->snaplen != 0 && rec->caplen > ifc->snaplen)
		return lc_reader_bad(r, err, rec->offset,
				"packet caplen %u > the interface's snaplen %u", rec->caplen,
				ifc->snaplen);
	rec->ts_ns = ticks_to_ns(ticks, ifc->ts_div) +
		     (uint64_t)(ifc->ts_offset * (int64_t)1000000000);
	return packet_data(r, rec, body_len - 20, want_data, err) < 0 ? -1 : 1;
}

int
lc_pcapng_next(struct lc_pcap_reader *r, struct lc_pcap_record *rec, bool want_data,
		struct lc_error *err)
{
	for (;;) {
		uint64_t off = r->offset, end;
		uint8_t h[12];
		uint32_t type, len, trailer;
		int got = 0;

		if (off == r->file_size)
			return 0;
		if (r->file_size - off < 12)
			return lc_reader_truncated_at(r, off);
		if (lc_reader_read(r, h, 8, err) < 0)
			return -1;
		memcpy(&type, h, 4);
		if (type == PCAPNG_SHB) {
			/* Palindromic type; the byte order comes from the section's own magic. */
			if (r->file_size - off < 16)
				return lc_reader_truncated_at(r, off);
			if (lc_reader_read(r, h + 8, 4, err) < 0 ||
					lc_reader_read(r, h, 4, err) < 0)
				return -1;
			memcpy(h + 4, h, 4);
			memcpy(h, h + 8, 4);
			if (shb_parse(r, off, h, err) < 0)
				return -1;
			/* re-read the length, now in the right byte order */
			if (fseeko(r->f, (off_t)(off + 4), SEEK_SET) != 0)
				return lc_reader_bad(
						r, err, off, "seek failed: %s", strerror(errno));
			r->offset = off + 4;
			if (lc_reader_read(r, h, 4, err) < 0)
				return -1;
			len = lc_reader_u32(r, h);
			if (lc_reader_skip_to(r, off + 16, err) < 0)
				return -1;
		} else {
			type = lc_reader_u32(r, h);
			len = lc_reader_u32(r, h + 4);
		}
		if (len < 12 || len % 4 != 0)
			return lc_reader_bad(r, err, off + 4, "block length %u is %s", len,
					len < 12 ? "below the minimum of 12"
						 : "not a multiple of 4");
		if (type == PCAPNG_SHB && len < 28)
			return lc_reader_bad(r, err, off + 4,
					"section header block length %u is below the "
					"minimum of 28",
					len);
		if (len > LC_READER_MAX_BLOCK)
			return lc_reader_bad(r, err, off + 4,
					"block length %u exceeds the maximum %u", len,
					LC_READER_MAX_BLOCK);
		end = off + len;
		if (end > r->file_size)
			return lc_reader_truncated_at(r, off);
		rec->offset = off;
		switch (type) {
		case PCAPNG_SHB:
			break;
		case PCAPNG_IDB:
			if (idb_parse(r, off, len - 12, err) < 0)
				return -1;
			break;
		case PCAPNG_EPB:
		case PCAPNG_OPB:
		case PCAPNG_SPB:
			got = packet_block(r, type, len - 12, rec, want_data, err);
			if (got < 0)
				return -1;
			break;
		default:
			break; /* name resolution, statistics, custom: not packets */
		}
		if (r->offset > end - 4)
			return lc_reader_bad(
					r, err, off, "block contents run past its length %u", len);
		if (lc_reader_skip_to(r, end - 4, err) < 0 || lc_reader_read(r, h, 4, err) < 0)
			return -1;
		trailer = lc_reader_u32(r, h);
		if (trailer != len)
			return lc_reader_bad(r, err, end - 4,
					"trailing block length %u differs from the leading "
					"%u",
					trailer, len);
		if (got)
			return 1;
	}
}
