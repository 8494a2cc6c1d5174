/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * `linecap index`: read a pcap or pcapng file once, cut it into units of
 * about unit_bytes of records, and write one entry per unit (offsets, time
 * range, packet count, Bloom filter of the keys). Entries are streamed to
 * "<index>.part" with a running CRC; the header goes last, then fsync and
 * rename: a reader sees the old index or the whole new one, never a torn one.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "index/crc32c.h"
#include "index/idx_build_zst.h"
#include "index/idx_unit.h"
#include "index/index.h"
#include "reader/pcap_reader.h"

#define PCAPNG_SHB_TYPE 0x0a0d0d0au
#define PCAPNG_IDB_TYPE 1u

struct builder {
	int fd;
	struct lc_idx_acc a;
	uint64_t prev_end;
};

int
lc_idx_write_all(int fd, const void *buf, size_t len, uint64_t at)
{
	const uint8_t *p = buf;

	while (len > 0) {
		ssize_t n = pwrite(fd, p, len, (off_t)at);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
		at += (uint64_t)n;
	}
	return 0;
}

static int
close_unit(struct builder *b, int rfd)
{
	size_t esz = lc_idx_entry_size(&b->a.h);
	uint64_t at = LC_IDX_HDR_SIZE + (uint64_t)b->a.h.nb_units * esz;
	struct lc_idx_unit u;
	const uint8_t *e = lc_idx_acc_cut(&b->a, &u);

	if (e == NULL)
		return 0;
	if (lc_idx_write_all(b->fd, e, esz, at) < 0)
		return -1;
	/* What we read once need not stay in the page cache. */
	posix_fadvise(rfd, (off_t)u.offset, (off_t)u.length, POSIX_FADV_DONTNEED);
	return 0;
}

/* pcapng: a new section or interface after the first packet makes units depend on order. */
static void
check_gap(struct builder *b, const struct lc_pcap_reader *r, uint64_t from, uint64_t to)
{
	int fd = fileno(r->f);

	while (from + 8 <= to) {
		uint32_t tl[2];

		if (pread(fd, tl, sizeof(tl), (off_t)from) != (ssize_t)sizeof(tl))
			break;
		if (r->swapped) {
			tl[0] = __builtin_bswap32(tl[0]);
			tl[1] = __builtin_bswap32(tl[1]);
		}
		if (tl[0] == PCAPNG_SHB_TYPE || tl[0] == PCAPNG_IDB_TYPE || tl[1] < 12) {
			b->a.h.flags &= (uint8_t)~LC_IDX_SEEKABLE;
			return;
		}
		from += tl[1];
	}
}

static int
scan(struct builder *b, struct lc_pcap_reader *r, struct lc_error *err)
{
	struct lc_pcap_record rec;
	bool full;
	int ret;

	while ((ret = lc_pcap_reader_next(r, &rec, true, err)) == 1) {
		if (b->a.h.packets == 0)
			b->a.h.linktype = r->linktype;
		else if (r->format == LC_FILE_PCAPNG && rec.offset != b->prev_end)
			check_gap(b, r, b->prev_end, rec.offset);
		full = lc_idx_acc_packet(
				&b->a, rec.offset, r->offset, rec.ts_ns, rec.data, rec.caplen);
		b->prev_end = r->offset;
		if (full && close_unit(b, fileno(r->f)) < 0)
			return lc_error_set(err, LC_ERR_OUTPUT, "cannot write the index of %s: %s",
					r->path, strerror(errno));
	}
	if (ret < 0)
		return -1;
	if (close_unit(b, fileno(r->f)) < 0)
		return lc_error_set(err, LC_ERR_OUTPUT, "cannot write the index of %s: %s", r->path,
				strerror(errno));
	return 0;
}

int
lc_idx_path(const char *capture, char *out, size_t len)
{
	size_t n = strlen(capture);
	int w;

	if (n > 5 && strcmp(capture + n - 5, ".part") == 0)
		w = snprintf(out, len, "%.*s.idx.part", (int)(n - 5), capture);
	else
		w = snprintf(out, len, "%s.idx", capture);
	return w < 0 || (size_t)w >= len ? -1 : 0;
}

static int
build(struct builder *b, struct lc_pcap_reader *r, const char *tmp, struct lc_error *err)
{
	uint8_t head[LC_IDX_HEAD_BYTES], hdr[LC_IDX_HDR_SIZE];
	size_t hn = r->file_size < sizeof(head) ? (size_t)r->file_size : sizeof(head);

	if (r->zst.on) {
		if (lc_idx_zst_head(&b->a, r, err) < 0) /* .zst: the compressed file's */
			return -1;
	} else if (pread(fileno(r->f), head, hn, 0) != (ssize_t)hn) {
		return lc_error_set(
				err, LC_ERR_INPUT, "cannot read %s: %s", r->path, strerror(errno));
	} else {
		b->a.h.file_size = r->file_size;
		b->a.h.head_crc = lc_crc32c(0, head, hn);
	}
	b->a.h.linktype = r->linktype;
	b->a.h.format = r->format == LC_FILE_PCAPNG;
	b->a.h.ts_res = (r->format == LC_FILE_PCAPNG || r->nanosecond) ? 9 : 6;
	b->fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (b->fd < 0)
		return lc_error_set(
				err, LC_ERR_OUTPUT, "cannot create %s: %s", tmp, strerror(errno));
	if ((r->zst.on ? lc_idx_zst_scan(&b->a, b->fd, r, err) : scan(b, r, err)) < 0)
		return -1;
	lc_idx_header_encode(&b->a.h, hdr);
	if (lc_idx_write_all(b->fd, hdr, sizeof(hdr), 0) < 0 || fsync(b->fd) < 0)
		return lc_error_set(
				err, LC_ERR_OUTPUT, "cannot write %s: %s", tmp, strerror(errno));
	return 0;
}

int
lc_idx_build(const char *capture, const struct lc_idx_opts *o, struct lc_idx_stats *st,
		struct lc_error *err)
{
	static struct lc_pcap_reader r; /* large (interface table): off the stack */
	struct lc_idx_opts plain = *o;
	struct builder b;
	char path[4096], tmp[4200];
	int ret;

	memset(&b, 0, sizeof(b));
	b.fd = -1;
	if (lc_idx_path(capture, path, sizeof(path)) < 0)
		return lc_error_set(err, LC_ERR_USAGE, "path too long: %s", capture);
	snprintf(tmp, sizeof(tmp), "%s.part", path);
	plain.compressed = false; /* a .zst's units are its frames: lc_idx_zst_head says so */
	if (lc_pcap_reader_open(&r, capture, err) < 0)
		return -1;
	if (plain.bloom_bytes == 0) /* as capture --index makes it for this kind of file */
		plain.bloom_bytes = r.zst.on ? lc_idx_zst_bloom(&r) : LC_IDX_DEFAULT_BLOOM;
	if (lc_idx_acc_init(&b.a, &plain) < 0) {
		lc_pcap_reader_close(&r);
		return lc_error_set(err, LC_ERR_RUNTIME, "out of memory");
	}
	ret = build(&b, &r, tmp, err);
	if (ret == 0 && rename(tmp, path) != 0)
		ret = lc_error_set(
				err, LC_ERR_OUTPUT, "cannot rename %s: %s", tmp, strerror(errno));
	if (b.fd >= 0)
		close(b.fd);
	if (ret < 0 && b.fd >= 0)
		unlink(tmp);
	if (ret == 0 && st != NULL) {
		st->file_size = r.zst.on ? r.zst.raw_size : r.file_size;
		st->index_size = LC_IDX_HDR_SIZE +
				 (uint64_t)b.a.h.nb_units * lc_idx_entry_size(&b.a.h);
		st->packets = b.a.h.packets;
		st->units = b.a.h.nb_units;
		st->opaque_units = b.a.opaque_units;
		st->flags = b.a.h.flags;
	}
	lc_pcap_reader_close(&r);
	lc_idx_acc_free(&b.a);
	return ret;
}

int
lc_idx_repaired(FILE *out, const char *capture, bool cut, struct lc_error *err)
{
	const struct lc_idx_opts o = {
			.unit_bytes = LC_IDX_DEFAULT_UNIT,
			.unit_packets = LC_IDX_UNIT_PACKETS,
			.bloom_bytes = 0, /* by the file, as capture --index made it */
			.k = LC_IDX_DEFAULT_K,
	};
	char path[4096], part[4200];
	bool had_part, had_idx;

	if (lc_idx_path(capture, path, sizeof(path)) < 0)
		return 0;
	snprintf(part, sizeof(part), "%s.part", path);
	had_part = access(part, F_OK) == 0;
	had_idx = access(path, F_OK) == 0;
	if (!had_part && !(cut && had_idx))
		return 0;
	/* lc_idx_build writes that same .part, then renames it over the index. */
	if (lc_idx_build(capture, &o, NULL, err) < 0)
		return -1;
	fprintf(out, "%s: index rebuilt (%s)\n", path,
			had_part ? "capture --index left it unfinished" : "the cut made it stale");
	return 0;
}
