/* SPDX-License-Identifier: BSD-3-Clause */
/* The query's .zst path: each frame decoded once, candidate frames only with an index. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "query/query_zst.h"
#include "reader/zst_reader.h"
#include "reader/zst_unit.h"

int
lc_query_zst_sniff(const char *path)
{
	uint8_t m[4];
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -1;
	if (pread(fd, m, sizeof(m), 0) == (ssize_t)sizeof(m) && lc_zst_magic(m, sizeof(m)))
		return fd;
	close(fd);
	return -1;
}

/*
 * A reader of `path` (open as `fd`: taken) whose stream holds its first
 * frame (the file header; pcapng: its interfaces are read). 1 open, 0 that
 * frame does not decode alone, -1 with err set.
 */
static int
open_head(int fd, const char *path, struct lc_pcap_reader **rp, struct lc_zst_unit **zu,
		uint64_t *raw, struct lc_error *err)
{
	struct lc_pcap_reader *r;
	struct lc_pcap_record rec;
	char why[128];
	uint64_t end;
	FILE *s;

	s = lc_zst_unit_open(fd, path, raw, zu, err);
	if (s == NULL)
		return -1;
	if (lc_zst_unit_load(s, *zu, 0, 0, 0, &end, why, sizeof(why)) < 0) {
		fclose(s);
		*zu = NULL; /* freed with s */
		return 0;
	}
	r = malloc(sizeof(*r));
	if (r == NULL) {
		fclose(s);
		*zu = NULL;
		lc_error_set(err, LC_ERR_RUNTIME, "out of memory");
		return -1;
	}
	if (lc_pcap_reader_open_stream(r, s, end, path, err) < 0 ||
			(r->format == LC_FILE_PCAPNG &&
					lc_pcap_reader_next(r, &rec, false, err) < 0)) {
		lc_pcap_reader_close(r);
		free(r);
		*zu = NULL;
		return -1;
	}
	*rp = r;
	return 1;
}

/* f's region is [start, end) of its decoded stream. */
static void
set_region(struct qfile *f, uint64_t start, uint64_t end)
{
	f->region_start = start;
	f->region_end = end;
	f->in_region = true;
}

static void
close_reader(struct lc_pcap_reader *r)
{
	lc_pcap_reader_close(r);
	free(r);
}

/* Is the loaded index one of this compressed file, all of it? */
static bool
index_fits(struct query *q, struct qfile *f, int loaded, const char *why)
{
	if (loaded == 0) /* as before .zst files had indexes: not a warning */
		lc_query_note(q, false, "%s: no index: scanning it (linecap index makes one)",
				f->path);
	else if (loaded < 0)
		lc_query_note(q, true, "%s: index not used (%s): scanning the file", f->path, why);
	if (loaded != 1)
		return false;
	if ((f->idx.h.flags & (LC_IDX_COMPRESSED | LC_IDX_SEEKABLE)) !=
					(LC_IDX_COMPRESSED | LC_IDX_SEEKABLE) ||
			f->idx.h.file_size != f->size) {
		lc_query_note(q, true,
				"%s: index not used (not one of this compressed file, or the "
				"file changed): scanning the file",
				f->path);
		lc_idx_free(&f->idx);
		return false;
	}
	return true;
}

int
lc_query_zst_plan(struct query *q, struct qfile *f, int fd, struct lc_error *err)
{
	struct lc_pcap_reader *r = NULL;
	struct lc_zst_unit *zu;
	char why[256];
	int ret = open_head(fd, f->path, &r, &zu, &f->size, err);

	if (ret <= 0)
		return ret < 0 ? -1 : 2;
	f->zst = true;
	f->format = r->format == LC_FILE_PCAPNG;
	f->nano = r->format == LC_FILE_PCAPNG || r->nanosecond;
	f->has_packets = r->have_linktype;
	f->linktype = r->linktype;
	q->st->files++;
	q->st->bytes_total += f->size;
	/* The index's check of the file's head reads it through the same descriptor. */
	ret = lc_idx_load_fd(f->path, lc_zst_unit_fd(zu), f->size, f->linktype, f->format, &f->idx,
			why, sizeof(why));
	close_reader(r);
	f->use_idx = index_fits(q, f, ret, why);
	if (!f->use_idx) {
		f->key = 0;
		return 0;
	}
	q->st->files_indexed++;
	lc_query_note(q, false, "%s: index used (%" PRIu32 " frames)", f->path, f->idx.h.nb_units);
	return 1;
}

/* The skipped frames' warning (one line a file, as the stream's open gives it). */
static void
note_bad(struct query *q, const struct qfile *f, uint64_t n, uint64_t first, const char *why)
{
	if (n > 0)
		lc_query_note(q, true,
				"%s: skipped %" PRIu64
				" zstd frame(s) that do not decode, the first "
				"at offset %" PRIu64 " (%s): their packets are missing",
				f->path, n, first, why);
}

/*
 * Read `f` on as the decoded stream of the whole file (reader/zst_reader.h:
 * its open decodes every frame once to check it) from decoded offset
 * `from`: a frame cannot be loaded alone, or a record crosses frames.
 */
static int
open_stream(struct query *q, struct qfile *f, uint64_t from, struct lc_error *err)
{
	struct lc_pcap_reader *r = malloc(sizeof(*r));
	struct lc_pcap_record rec;

	if (r == NULL)
		return lc_error_set(err, LC_ERR_RUNTIME, "out of memory");
	if (lc_pcap_reader_open(r, f->path, err) < 0) {
		free(r);
		return -1;
	}
	f->r = r;
	q->st->bytes_read += r->zst.raw_size;
	note_bad(q, f, r->zst.bad_frames, r->zst.first_bad, r->zst.why);
	if (from > r->offset && r->format == LC_FILE_PCAPNG &&
			lc_pcap_reader_next(r, &rec, false, err) < 0)
		return -1;
	if (from > 0 && from != r->offset) {
		if (fseeko(r->f, (off_t)from, SEEK_SET) != 0)
			return lc_error_set(err, LC_ERR_INPUT, "%s: seek failed: %s", f->path,
					strerror(errno));
		r->offset = from;
	}
	if (from > 0) /* on from where the frames were read */
		set_region(f, from, UINT64_MAX);
	return 0;
}

int
lc_query_zst_open(struct query *q, struct qfile *f, struct lc_error *err)
{
	int fd = open(f->path, O_RDONLY | O_CLOEXEC), ret;

	if (fd < 0)
		return lc_error_set(err, LC_ERR_INPUT, "cannot open '%s': %s", f->path,
				strerror(errno));
	ret = open_head(fd, f->path, &f->r, &f->zu, &f->size, err);
	if (ret < 0)
		return -1;
	f->state = QF_OPEN;
	if (ret == 0 && f->use_idx)
		return lc_error_set(err, LC_ERR_INPUT, "%s: its first frame no longer decodes",
				f->path);
	if (ret == 0) /* its first frame does not decode alone */
		return open_stream(q, f, 0, err);
	q->st->bytes_read += lc_zst_unit_bytes_read(f->zu);
	return 0;
}

/* The stream of frames is done: the frames it skipped, in one line. */
void
lc_query_zst_close(struct query *q, struct qfile *f)
{
	const char *why;
	uint64_t first, n;

	if (f->zu == NULL)
		return;
	n = lc_zst_unit_bad(f->zu, &first, &why);
	note_bad(q, f, n, first, why);
}

/* Scanned: the next frame in file order as f's region. 1, 0 none left, -1 error. */
static int
next_frame(struct query *q, struct qfile *f, struct lc_error *err)
{
	struct lc_pcap_reader *r = f->r;

	if (f->region_end == 0 && r->offset < r->file_size) {
		/* The first frame holds records after the file header (zstd -c). */
		set_region(f, r->offset, r->file_size);
		return 1;
	}
	for (;;) {
		uint64_t uoff = r->file_size, before = lc_zst_unit_bytes_read(f->zu), end, zoff;
		int ret = 0;

		if (r->truncated) /* a record crosses frames: not written by linecap */
			uoff = r->trunc_offset;
		else
			ret = lc_zst_unit_next(r->f, f->zu, uoff, &end, &zoff);
		q->st->bytes_read += lc_zst_unit_bytes_read(f->zu) - before;
		if (r->truncated || ret == -2) {
			close_reader(r);
			f->r = NULL;
			f->zu = NULL;
			return open_stream(q, f, uoff, err) < 0 ? -1 : 1;
		}
		if (ret == 0)
			return 0;
		if (ret < 0 || end == uoff)
			continue; /* skipped (counted), or no records */
		r->offset = uoff;
		r->file_size = end;
		set_region(f, uoff, end);
		return 1;
	}
}

int
lc_query_zst_next_region(struct query *q, struct qfile *f, struct lc_error *err)
{
	char why[128];

	if (!f->use_idx)
		return next_frame(q, f, err);
	while (f->next_cand < f->nb_cand) {
		const struct qcand u = f->cand[f->next_cand];
		const struct qzcand z = f->zcand[f->next_cand++];
		uint64_t end, before = lc_zst_unit_bytes_read(f->zu);
		int ret;

		ret = lc_zst_unit_load(f->r->f, f->zu, z.zoffset, z.zlength, u.offset, &end, why,
				sizeof(why));
		q->st->bytes_read += lc_zst_unit_bytes_read(f->zu) - before;
		if (ret == 0 && end < u.offset + u.length)
			snprintf(why, sizeof(why), "it holds less than its index says");
		if (ret < 0 || end < u.offset + u.length) {
			lc_query_note(q, true,
					"%s: the zstd frame at offset %" PRIu64
					" does not decode (%s): its %" PRIu32
					" packets are skipped",
					f->path, z.zoffset, why, z.packets);
			continue;
		}
		f->r->offset = u.offset;
		f->r->file_size = end;
		f->r->truncated = false;
		set_region(f, u.offset, u.offset + u.length);
		return 1;
	}
	return 0;
}
