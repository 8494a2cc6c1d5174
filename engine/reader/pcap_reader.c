/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Validating pcap/pcapng reader: every length is checked against its limits
 * and against the file size before anything is read, so a malformed file
 * gets one error line naming its byte offset, and memory never depends on
 * what the file claims. This file: opening a file, pcap records, and the
 * calls both formats share; pcapng blocks are in pcapng_reader.c.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "reader/pcap_reader_priv.h"

#define PCAP_MAGIC_US 0xa1b2c3d4u
#define PCAP_MAGIC_NS 0xa1b23c4du
#define PCAP_FILE_HDR 24u
#define PCAP_REC_HDR 16u
#define SKIP_BY_READ sizeof(((struct lc_pcap_reader *)0)->scratch) /* keeps stdio's buffer */

/* "FILE: offset N: what" as an LC_ERR_INPUT error. Returns -1. */
int
lc_reader_bad(struct lc_pcap_reader *r, struct lc_error *err, uint64_t off, const char *fmt, ...)
{
	char what[384];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	return lc_error_set(err, LC_ERR_INPUT, "%s: offset %" PRIu64 ": %s", r->path, off, what);
}

/* Read exactly n bytes at the current offset. 0, or -1 with err set. */
int
lc_reader_read(struct lc_pcap_reader *r, void *buf, size_t n, struct lc_error *err)
{
	if (n > 0 && fread(buf, 1, n, r->f) != n)
		return lc_reader_bad(r, err, r->offset, "read failed: %s",
				ferror(r->f) ? strerror(errno) : "file shrank while reading");
	r->offset += n;
	return 0;
}

/* Move forward to absolute offset `to` (>= r->offset). */
int
lc_reader_skip_to(struct lc_pcap_reader *r, uint64_t to, struct lc_error *err)
{
	uint64_t gap = to - r->offset;

	if (gap <= SKIP_BY_READ)
		return lc_reader_read(r, r->scratch, (size_t)gap, err);
	if (fseeko(r->f, (off_t)to, SEEK_SET) != 0)
		return lc_reader_bad(r, err, r->offset, "seek to %" PRIu64 " failed: %s", to,
				strerror(errno));
	r->offset = to;
	return 0;
}

/* ---- pcap ---- */

static int
pcap_open(struct lc_pcap_reader *r, const uint8_t *h, struct lc_error *err)
{
	uint16_t major = lc_reader_u16(r, h + 4), minor = lc_reader_u16(r, h + 6);

	if (major != 2)
		return lc_reader_bad(r, err, 4, "unsupported pcap version %u.%u (expected 2.x)",
				major, minor);
	r->minor = minor;
	r->snaplen = lc_reader_u32(r, h + 16);
	/* libpcap's rule: no snaplen, or a silly one, means the maximum. */
	if (r->snaplen == 0 || r->snaplen > LC_READER_MAX_CAPLEN)
		r->snaplen = LC_READER_MAX_CAPLEN;
	r->linktype = lc_reader_u32(r, h + 20) & 0x03ffffffu; /* the high bits are FCS flags */
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
	uint32_t frac, stored;

	if (off == r->file_size)
		return 0;
	if (r->file_size - off < PCAP_REC_HDR)
		return lc_reader_truncated_at(r, off);
	if (lc_reader_read(r, h, sizeof(h), err) < 0)
		return -1;
	rec->offset = off;
	frac = lc_reader_u32(r, h + 4);
	rec->caplen = lc_reader_u32(r, h + 8);
	rec->len = lc_reader_u32(r, h + 12);
	/* Before 2.3 the two lengths were the other way round; 2.3 files have either. */
	if (!r->strict && (r->minor < 3 || (r->minor == 3 && rec->caplen > rec->len))) {
		stored = rec->caplen;
		rec->caplen = rec->len;
		rec->len = stored;
	}
	stored = rec->caplen;
	if (stored > LC_READER_MAX_CAPLEN)
		return lc_reader_bad(r, err, off, "record caplen %u exceeds the maximum %u", stored,
				LC_READER_MAX_CAPLEN);
	if (r->strict && stored > r->snaplen)
		return lc_reader_bad(
				r, err, off, "record caplen %u > snaplen %u", stored, r->snaplen);
	if (r->strict && stored > rec->len)
		return lc_reader_bad(r, err, off, "record caplen %u > its original length %u",
				stored, rec->len);
	if (r->file_size - r->offset < stored)
		return lc_reader_truncated_at(r, off);
	/* libpcap's rule: a record longer than the snaplen is cut to it. */
	if (rec->caplen > r->snaplen)
		rec->caplen = r->snaplen;
	rec->ts_ns = (uint64_t)lc_reader_u32(r, h) * 1000000000u +
		     (r->nanosecond ? frac : (uint64_t)frac * 1000u);
	rec->data = r->buf;
	if (want_data && lc_reader_read(r, r->buf, rec->caplen, err) < 0)
		return -1;
	return lc_reader_skip_to(r, off + PCAP_REC_HDR + stored, err) < 0 ? -1 : 1;
}

/* ---- common ---- */

/* A .zst capture: read its decoded stream instead (reader/zst_reader.c). */
static int
open_zst(struct lc_pcap_reader *r, struct lc_error *err)
{
	uint8_t m[4];
	FILE *zf;

	if (pread(fileno(r->f), m, sizeof(m), 0) != (ssize_t)sizeof(m) ||
			!lc_zst_magic(m, sizeof(m)))
		return 0;
	zf = lc_zst_fopen(r->f, r->file_size, r->path, &r->zst, &r->file_size, err);
	if (zf == NULL)
		return -1;
	r->f = zf;
	return 0;
}

static int open_head(struct lc_pcap_reader *r, struct lc_error *err);

static int
open_file(struct lc_pcap_reader *r, const char *path, struct lc_error *err)
{
	struct stat st;

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
	if (open_zst(r, err) < 0)
		return -1;
	return open_head(r, err);
}

/* r->f and r->file_size are set: the record buffer, then the file header. */
static int
open_head(struct lc_pcap_reader *r, struct lc_error *err)
{
	uint8_t h[PCAP_FILE_HDR];
	uint32_t magic;

	r->buf = malloc(LC_READER_MAX_CAPLEN);
	if (r->buf == NULL) {
		lc_pcap_reader_close(r);
		return lc_error_set(err, LC_ERR_RUNTIME, "out of memory");
	}
	/* Big sequential reads: a record costs a memcpy, not a syscall. */
	setvbuf(r->f, NULL, _IOFBF, 1u << 20);
	if (r->file_size < 4)
		return lc_reader_bad(r, err, 0,
				"file of %" PRIu64 " bytes is too short for a pcap or pcapng "
				"header",
				r->file_size);
	if (lc_reader_read(r, h, 4, err) < 0)
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
		return lc_reader_bad(r, err, 0, "bad magic 0x%08x: not a pcap or pcapng file",
				__builtin_bswap32(magic));
	}
	r->nanosecond = (r->swapped ? __builtin_bswap32(magic) : magic) == PCAP_MAGIC_NS;
	r->format = LC_FILE_PCAP;
	if (r->file_size < PCAP_FILE_HDR)
		return lc_reader_bad(r, err, 0,
				"file of %" PRIu64 " bytes is too short for a pcap header "
				"(%u bytes)",
				r->file_size, PCAP_FILE_HDR);
	if (lc_reader_read(r, h + 4, PCAP_FILE_HDR - 4, err) < 0)
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
					: lc_pcapng_next(r, rec, want_data, err);
	/* A pcapng file's first block must be a section header. */
	return ret;
}

int
lc_pcap_reader_rewind(struct lc_pcap_reader *r, struct lc_error *err)
{
	uint64_t start = r->format == LC_FILE_PCAP ? PCAP_FILE_HDR : 0;

	if (fseeko(r->f, (off_t)start, SEEK_SET) != 0)
		return lc_reader_bad(r, err, start, "seek failed: %s", strerror(errno));
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

int
lc_pcap_reader_open_stream(struct lc_pcap_reader *r, FILE *f, uint64_t size, const char *path,
		struct lc_error *err)
{
	memset(r, 0, sizeof(*r));
	snprintf(r->path, sizeof(r->path), "%s", path);
	r->f = f;
	r->file_size = size;
	if (open_head(r, err) < 0) {
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
