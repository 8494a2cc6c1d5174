/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Validating pcap/pcapng reader: every length is checked against its limits
 * and against the file size before anything is read, so a malformed file
 * gets one error line naming its byte offset, and memory never depends on
 * what the file claims.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "replay/pcap_reader.h"

#define PCAP_MAGIC_US 0xa1b2c3d4u
#define PCAP_MAGIC_NS 0xa1b23c4du
#define PCAPNG_SHB 0x0a0d0d0au
#define PCAPNG_BOM 0x1a2b3c4du
#define PCAPNG_IDB 1u
#define PCAPNG_OPB 2u /* obsolete packet block */
#define PCAPNG_SPB 3u
#define PCAPNG_EPB 6u
#define OPT_IF_TSRESOL 9u
#define OPT_IF_TSOFFSET 14u
#define PCAP_FILE_HDR 24u
#define PCAP_REC_HDR 16u
#define SKIP_BY_READ sizeof(((struct lc_pcap_reader *)0)->scratch) /* keeps stdio's buffer */

static int bad(struct lc_pcap_reader *r, struct lc_error *err, uint64_t off, const char *fmt, ...)
		__attribute__((format(printf, 4, 5)));

/* "FILE: offset N: what" as an LC_ERR_INPUT error. Returns -1. */
static int
bad(struct lc_pcap_reader *r, struct lc_error *err, uint64_t off, const char *fmt, ...)
{
	char what[384];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	return lc_error_set(err, LC_ERR_INPUT, "%s: offset %" PRIu64 ": %s", r->path, off, what);
}

static uint32_t
u32(const struct lc_pcap_reader *r, const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return r->swapped ? __builtin_bswap32(v) : v;
}

static uint16_t
u16(const struct lc_pcap_reader *r, const uint8_t *p)
{
	uint16_t v;

	memcpy(&v, p, sizeof(v));
	return r->swapped ? __builtin_bswap16(v) : v;
}

/* Read exactly n bytes at the current offset. 0, or -1 with err set. */
static int
read_at(struct lc_pcap_reader *r, void *buf, size_t n, struct lc_error *err)
{
	if (n > 0 && fread(buf, 1, n, r->f) != n)
		return bad(r, err, r->offset, "read failed: %s",
				ferror(r->f) ? strerror(errno) : "file shrank while reading");
	r->offset += n;
	return 0;
}

/* Move forward to absolute offset `to` (>= r->offset). */
static int
skip_to(struct lc_pcap_reader *r, uint64_t to, struct lc_error *err)
{
	uint64_t gap = to - r->offset;

	if (gap <= SKIP_BY_READ)
		return read_at(r, r->scratch, (size_t)gap, err);
	if (fseeko(r->f, (off_t)to, SEEK_SET) != 0)
		return bad(r, err, r->offset, "seek to %" PRIu64 " failed: %s", to,
				strerror(errno));
	r->offset = to;
	return 0;
}

/* The tail from `off` on is shorter than the record it starts: stop there. */
static int
truncated_at(struct lc_pcap_reader *r, uint64_t off)
{
	r->truncated = true;
	r->trunc_offset = off;
	return 0;
}

static uint64_t
ticks_to_ns(uint64_t ticks, uint64_t per_sec)
{
	return (uint64_t)((unsigned __int128)ticks * 1000000000u / per_sec);
}

/* ---- pcap ---- */

static int
pcap_open(struct lc_pcap_reader *r, const uint8_t *h, struct lc_error *err)
{
	uint16_t major = u16(r, h + 4), minor = u16(r, h + 6);

	if (major != 2)
		return bad(r, err, 4, "unsupported pcap version %u.%u (expected 2.x)", major,
				minor);
	r->snaplen = u32(r, h + 16);
	/* libpcap's rule: no snaplen, or a silly one, means the maximum. */
	if (r->snaplen == 0 || r->snaplen > LC_READER_MAX_CAPLEN)
		r->snaplen = LC_READER_MAX_CAPLEN;
	r->linktype = u32(r, h + 20) & 0x03ffffffu; /* the high bits are FCS flags */
	r->linktype_offset = 20;
	r->have_linktype = true;
	return 0;
}

static int
pcap_next(struct lc_pcap_reader *r, struct lc_pcap_record *rec, bool want_data,
		struct lc_error *err)
{
	uint64_t off = r->offset;
	uint8_t h[PCAP_REC_HDR];
	uint32_t frac;

	if (off == r->file_size)
		return 0;
	if (r->file_size - off < PCAP_REC_HDR)
		return truncated_at(r, off);
	if (read_at(r, h, sizeof(h), err) < 0)
		return -1;
	rec->offset = off;
	frac = u32(r, h + 4);
	rec->caplen = u32(r, h + 8);
	rec->len = u32(r, h + 12);
	if (rec->caplen > r->snaplen)
		return bad(r, err, off, "record caplen %u > snaplen %u", rec->caplen, r->snaplen);
	if (rec->caplen > rec->len)
		return bad(r, err, off, "record caplen %u > its original length %u", rec->caplen,
				rec->len);
	if (r->file_size - r->offset < rec->caplen)
		return truncated_at(r, off);
	rec->ts_ns = (uint64_t)u32(r, h) * 1000000000u +
		     (r->nanosecond ? frac : (uint64_t)frac * 1000u);
	rec->data = r->buf;
	if (want_data)
		return read_at(r, r->buf, rec->caplen, err) < 0 ? -1 : 1;
	return skip_to(r, r->offset + rec->caplen, err) < 0 ? -1 : 1;
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
		return bad(r, err, off + 8, "bad pcapng byte-order magic 0x%08x", bom);
	if (u16(r, bom_ver + 4) != 1)
		return bad(r, err, off + 12, "unsupported pcapng version %u.%u",
				u16(r, bom_ver + 4), u16(r, bom_ver + 6));
	r->nb_ifaces = 0; /* interfaces belong to their section */
	return 0;
}

static int
idb_options(struct lc_pcap_reader *r, struct lc_pcap_iface *ifc, const uint8_t *o, uint32_t n,
		uint64_t off, struct lc_error *err)
{
	uint32_t i = 0;

	while (i + 4 <= n) {
		uint16_t code = u16(r, o + i), len = u16(r, o + i + 2);
		uint32_t padded = ((uint32_t)len + 3u) & ~3u;

		if (code == 0)
			break;
		if (padded > n - i - 4)
			return bad(r, err, off + i,
					"interface option %u of %u bytes runs past its "
					"block",
					code, len);
		if (code == OPT_IF_TSRESOL && len >= 1) {
			uint8_t v = o[i + 4];
			unsigned int e = v & 0x7fu, k;

			if ((v & 0x80u) ? e > 63 : e > 19)
				return bad(r, err, off + i, "if_tsresol 0x%02x is out of range", v);
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
				return bad(r, err, off + i,
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
		return bad(r, err, off, "interface description block of %u bytes is too short",
				body_len + 12);
	if (r->nb_ifaces >= LC_READER_MAX_IFACES)
		return bad(r, err, off, "more than %u interfaces in one section",
				LC_READER_MAX_IFACES);
	if (read_at(r, r->buf, n, err) < 0)
		return -1;
	ifc = &r->ifaces[r->nb_ifaces];
	ifc->linktype = u16(r, r->buf);
	ifc->snaplen = u32(r, r->buf + 4);
	ifc->ts_div = 1000000; /* default resolution: microseconds */
	ifc->ts_offset = 0;
	if (idb_options(r, ifc, r->buf + 8, n - 8, off + 16, err) < 0)
		return -1;
	if (!r->have_linktype) {
		r->linktype = ifc->linktype;
		r->linktype_offset = off + 8;
		r->have_linktype = true;
	} else if (ifc->linktype != r->linktype) {
		return bad(r, err, off,
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
	if (rec->caplen > rec->len)
		return bad(r, err, rec->offset, "packet caplen %u > its original length %u",
				rec->caplen, rec->len);
	if (rec->caplen > room)
		return bad(r, err, rec->offset,
				"packet caplen %u does not fit in its block (%u bytes left)",
				rec->caplen, room);
	if (rec->caplen > LC_READER_MAX_CAPLEN)
		return bad(r, err, rec->offset, "packet caplen %u exceeds the maximum %u",
				rec->caplen, LC_READER_MAX_CAPLEN);
	rec->data = r->buf;
	if (want_data)
		return read_at(r, r->buf, rec->caplen, err);
	return skip_to(r, r->offset + rec->caplen, err);
}

static const struct lc_pcap_iface *
iface_of(struct lc_pcap_reader *r, uint32_t id, const char *block, uint64_t off,
		struct lc_error *err)
{
	if (id >= r->nb_ifaces) {
		bad(r, err, off,
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
			return bad(r, err, rec->offset, "simple packet block too short");
		if (read_at(r, f, 4, err) < 0)
			return -1;
		ifc = iface_of(r, 0, "simple packet block", rec->offset, err);
		if (ifc == NULL)
			return -1;
		rec->len = u32(r, f);
		snap = ifc->snaplen ? ifc->snaplen : UINT32_MAX;
		rec->caplen = rec->len < snap ? rec->len : snap;
		if (rec->caplen > body_len - 4)
			rec->caplen = body_len - 4;
		rec->ts_ns = 0; /* SPBs carry no time: sent back to back */
		return packet_data(r, rec, body_len - 4, want_data, err) < 0 ? -1 : 1;
	}
	if (body_len < 20)
		return bad(r, err, rec->offset, "%s block of %u bytes is too short",
				type == PCAPNG_EPB ? "enhanced packet" : "packet", body_len + 12);
	if (read_at(r, f, sizeof(f), err) < 0)
		return -1;
	ifc = iface_of(r, type == PCAPNG_EPB ? u32(r, f) : u16(r, f),
			type == PCAPNG_EPB ? "enhanced packet block" : "packet block", rec->offset,
			err);
	if (ifc == NULL)
		return -1;
	ticks = (uint64_t)u32(r, f + 4) << 32 | u32(r, f + 8);
	rec->caplen = u32(r, f + 12);
	rec->len = u32(r, f + 16);
	if (ifc->snaplen != 0 && rec->caplen > ifc->snaplen)
		return bad(r, err, rec->offset, "packet caplen %u > the interface's snaplen %u",
				rec->caplen, ifc->snaplen);
	rec->ts_ns = ticks_to_ns(ticks, ifc->ts_div) +
		     (uint64_t)(ifc->ts_offset * (int64_t)1000000000);
	return packet_data(r, rec, body_len - 20, want_data, err) < 0 ? -1 : 1;
}

static int
pcapng_next(struct lc_pcap_reader *r, struct lc_pcap_record *rec, bool want_data,
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
			return truncated_at(r, off);
		if (read_at(r, h, 8, err) < 0)
			return -1;
		memcpy(&type, h, 4);
		if (type == PCAPNG_SHB) {
			/* Palindromic type; the byte order comes from the section's own magic. */
			if (r->file_size - off < 16)
				return truncated_at(r, off);
			if (read_at(r, h + 8, 4, err) < 0 || read_at(r, h, 4, err) < 0)
				return -1;
			memcpy(h + 4, h, 4);
			memcpy(h, h + 8, 4);
			if (shb_parse(r, off, h, err) < 0)
				return -1;
			/* re-read the length, now in the right byte order */
			if (fseeko(r->f, (off_t)(off + 4), SEEK_SET) != 0)
				return bad(r, err, off, "seek failed: %s", strerror(errno));
			r->offset = off + 4;
			if (read_at(r, h, 4, err) < 0)
				return -1;
			len = u32(r, h);
			if (skip_to(r, off + 16, err) < 0)
				return -1;
		} else {
			type = u32(r, h);
			len = u32(r, h + 4);
		}
		if (len < 12 || len % 4 != 0)
			return bad(r, err, off + 4, "block length %u is %s", len,
					len < 12 ? "below the minimum of 12"
						 : "not a multiple of 4");
		if (type == PCAPNG_SHB && len < 28)
			return bad(r, err, off + 4,
					"section header block length %u is below the "
					"minimum of 28",
					len);
		if (len > LC_READER_MAX_BLOCK)
			return bad(r, err, off + 4, "block length %u exceeds the maximum %u", len,
					LC_READER_MAX_BLOCK);
		end = off + len;
		if (end > r->file_size)
			return truncated_at(r, off);
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
			return bad(r, err, off, "block contents run past its length %u", len);
		if (skip_to(r, end - 4, err) < 0 || read_at(r, h, 4, err) < 0)
			return -1;
		trailer = u32(r, h);
		if (trailer != len)
			return bad(r, err, end - 4,
					"trailing block length %u differs from the leading "
					"%u",
					trailer, len);
		if (got)
			return 1;
	}
}

/* ---- common ---- */

static int
open_file(struct lc_pcap_reader *r, const char *path, struct lc_error *err)
{
	struct stat st;
	uint8_t h[PCAP_FILE_HDR];
	uint32_t magic;

	memset(r, 0, sizeof(*r));
	snprintf(r->path, sizeof(r->path), "%s", path);
	r->f = fopen(path, "rb");
	if (r->f == NULL)
		return lc_error_set(
				err, LC_ERR_INPUT, "cannot open '%s': %s", path, strerror(errno));
	if (fstat(fileno(r->f), &st) != 0 || !S_ISREG(st.st_mode)) {
		lc_pcap_reader_close(r);
		return lc_error_set(err, LC_ERR_INPUT,
				"'%s' is not a regular file (replay reads it twice: once to "
				"check it, once to send it)",
				path);
	}
	r->file_size = (uint64_t)st.st_size;
	r->buf = malloc(LC_READER_MAX_CAPLEN);
	if (r->buf == NULL) {
		lc_pcap_reader_close(r);
		return lc_error_set(err, LC_ERR_RUNTIME, "out of memory");
	}
	/* Big sequential reads: a record costs a memcpy, not a syscall. */
	setvbuf(r->f, NULL, _IOFBF, 1u << 20);
	if (r->file_size < 4)
		return bad(r, err, 0,
				"file of %" PRIu64 " bytes is too short for a pcap or pcapng "
				"header",
				r->file_size);
	if (read_at(r, h, 4, err) < 0)
		return -1;
	memcpy(&magic, h, 4);
	if (magic == PCAPNG_SHB) {
		r->format = LC_FILE_PCAPNG;
		r->offset = 0;
		fseeko(r->f, 0, SEEK_SET);
		return 0;
	}
	if (magic == PCAP_MAGIC_US || magic == PCAP_MAGIC_NS) {
		r->swapped = false;
	} else if (magic == __builtin_bswap32(PCAP_MAGIC_US) ||
			magic == __builtin_bswap32(PCAP_MAGIC_NS)) {
		r->swapped = true;
	} else {
		return bad(r, err, 0, "bad magic 0x%08x: not a pcap or pcapng file",
				__builtin_bswap32(magic));
	}
	r->nanosecond = (r->swapped ? __builtin_bswap32(magic) : magic) == PCAP_MAGIC_NS;
	r->format = LC_FILE_PCAP;
	if (r->file_size < PCAP_FILE_HDR)
		return bad(r, err, 0,
				"file of %" PRIu64 " bytes is too short for a pcap header "
				"(%u bytes)",
				r->file_size, PCAP_FILE_HDR);
	if (read_at(r, h + 4, PCAP_FILE_HDR - 4, err) < 0)
		return -1;
	return pcap_open(r, h, err);
}

int
lc_pcap_reader_next(struct lc_pcap_reader *r, struct lc_pcap_record *rec, bool want_data,
		struct lc_error *err)
{
	int ret;

	if (r->truncated)
		return 0;
	ret = r->format == LC_FILE_PCAP ? pcap_next(r, rec, want_data, err)
					: pcapng_next(r, rec, want_data, err);
	/* A pcapng file's first block must be a section header. */
	return ret;
}

int
lc_pcap_reader_rewind(struct lc_pcap_reader *r, struct lc_error *err)
{
	uint64_t start = r->format == LC_FILE_PCAP ? PCAP_FILE_HDR : 0;

	if (fseeko(r->f, (off_t)start, SEEK_SET) != 0)
		return bad(r, err, start, "seek failed: %s", strerror(errno));
	r->offset = start;
	r->truncated = false;
	if (r->format == LC_FILE_PCAPNG) {
		r->nb_ifaces = 0;
		r->have_linktype = false;
	}
	return 0;
}

int
lc_pcap_reader_open(struct lc_pcap_reader *r, const char *path, struct lc_error *err)
{
	/* Every failure leaves nothing open: the caller need not close. */
	if (open_file(r, path, err) < 0) {
		lc_pcap_reader_close(r);
		return -1;
	}
	return 0;
}

void
lc_pcap_reader_close(struct lc_pcap_reader *r)
{
	if (r->f != NULL)
		fclose(r->f);
	r->f = NULL;
	free(r->buf);
	r->buf = NULL;
}
