/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * `linecap index` of a .zst capture (--compress, or any .zst whose frames
 * hold whole records): one unit per zstd frame that holds packets, with the
 * frame's offset and length in the compressed file (idx_format.h,
 * COMPRESSED). The reader's open checked every frame (checksums) and gave
 * the table of frames; the records are then read as the decoded stream.
 */
#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "index/crc32c.h"
#include "index/idx_build_zst.h"
#include "index/index.h"
#include "util/fd_io.h"

#define FRAME_SLACK (128u << 10) /* a frame's last record (64 KiB at most) and then some */

int
lc_idx_zst_head(struct lc_idx_acc *a, const struct lc_pcap_reader *r, struct lc_error *err)
{
	uint8_t head[LC_IDX_HEAD_BYTES];
	uint64_t raw = r->zst.raw_size;
	size_t hn = raw < sizeof(head) ? (size_t)raw : sizeof(head);

	if (r->zst.bad_frames > 0)
		return lc_error_set(err, LC_ERR_INPUT,
				"%s: %" PRIu64 " zstd frame(s) do not decode, the first at offset "
				"%" PRIu64
				" (%s): not indexed (linecap query scans it and skips them)",
				r->path, r->zst.bad_frames, r->zst.first_bad, r->zst.why);
	/* The head the index checks: through the reader's own descriptor, not a new open. */
	if (lc_pread_all(r->zst.raw_fd, head, hn, 0) < 0)
		return lc_error_set(
				err, LC_ERR_INPUT, "cannot read %s: %s", r->path, strerror(errno));
	a->compressed = true;
	a->h.flags |= LC_IDX_COMPRESSED;
	a->h.file_size = raw;
	a->h.head_crc = lc_crc32c(0, head, hn);
	return 0;
}

uint32_t
lc_idx_zst_bloom(const struct lc_pcap_reader *r)
{
	uint64_t i, most = 0;
	uint32_t bloom = LC_IDX_DEFAULT_BLOOM;

	for (i = 0; i < r->zst.nb_frames; i++)
		if (r->zst.frames[i].ulen > most)
			most = r->zst.frames[i].ulen;
	/* A frame of --compress holds LC_IDX_FRAME_UNIT and one record more at most. */
	while (bloom < LC_IDX_BLOOM_MAX &&
			most > (uint64_t)(bloom / LC_IDX_DEFAULT_BLOOM) * LC_IDX_FRAME_UNIT +
							FRAME_SLACK)
		bloom *= 2;
	return bloom;
}

/* The unit of frame `f` is complete: its entry to the index file `fd`. */
static int
put_unit(struct lc_idx_acc *a, int fd, const struct lc_zst_frame *f)
{
	size_t esz = lc_idx_entry_size(&a->h);
	uint64_t at = LC_IDX_HDR_SIZE + (uint64_t)a->h.nb_units * esz;
	const uint8_t *e;

	if (a->u.packets == 0)
		return 0;
	a->u.zoffset = f->zoff;
	a->u.zlength = f->zlen;
	e = lc_idx_acc_cut(a, NULL);
	return lc_idx_write_all(fd, e, esz, at);
}

static int
not_units(const struct lc_pcap_reader *r, uint64_t off, const char *what, struct lc_error *err)
{
	return lc_error_set(err, LC_ERR_INPUT,
			"%s: decoded offset %" PRIu64 ": %s: its zstd frames are not whole "
			"records as `linecap capture --compress` writes them (not indexed; "
			"linecap query scans it)",
			r->path, off, what);
}

int
lc_idx_zst_scan(struct lc_idx_acc *a, int fd, struct lc_pcap_reader *r, struct lc_error *err)
{
	const struct lc_zst_frame *fr = r->zst.frames;
	uint64_t nf = r->zst.nb_frames, i = 0;
	struct lc_pcap_record rec;
	int ret;

	while ((ret = lc_pcap_reader_next(r, &rec, true, err)) == 1) {
		for (; i < nf && rec.offset >= fr[i].uoff + fr[i].ulen; i++)
			if (put_unit(a, fd, &fr[i]) < 0)
				goto write_fail;
		if (i == nf || r->offset > fr[i].uoff + fr[i].ulen)
			return not_units(r, rec.offset, "a record crosses the end of its frame",
					err);
		if (a->u.packets == 0 && rec.offset != fr[i].uoff)
			return not_units(
					r, rec.offset, "a frame does not begin with a record", err);
		if (a->h.packets == 0)
			a->h.linktype = r->linktype;
		lc_idx_acc_packet(a, rec.offset, r->offset, rec.ts_ns, rec.data, rec.caplen);
	}
	if (ret < 0)
		return -1;
	if (i < nf && put_unit(a, fd, &fr[i]) < 0)
		goto write_fail;
	return 0;
write_fail:
	return lc_error_set(err, LC_ERR_OUTPUT, "cannot write the index of %s: %s", r->path,
			strerror(errno));
}
