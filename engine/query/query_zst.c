/* SPDX-License-Identifier: BSD-3-Clause */
/* The query's .zst path: candidate frames only, with an index (see query_zst.h). */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "query/query_zst.h"
#include "reader/zst_unit.h"

bool
lc_query_zst_file(const char *path)
{
	uint8_t m[4];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	bool zst;

	if (fd < 0)
		return false;
	zst = pread(fd, m, sizeof(m), 0) == (ssize_t)sizeof(m) && lc_zst_magic(m, sizeof(m));
	close(fd);
	return zst;
}

/*
 * A reader of `path` whose stream holds its first frame (the file header;
 * pcapng: its interfaces are read). 1 open, 0 that frame does not decode
 * alone, -1 with err set.
 */
static int
open_head(const char *path, struct lc_pcap_reader **rp, struct lc_zst_unit **zu, uint64_t *raw,
		struct lc_error *err)
{
	struct lc_pcap_reader *r;
	struct lc_pcap_record rec;
	char why[128];
	uint64_t end;
	FILE *s;

	s = lc_zst_unit_open(path, raw, zu, err);
	if (s == NULL)
		return -1;
	if (lc_zst_unit_load(s, *zu, 0, 0, 0, &end, why, sizeof(why)) < 0) {
		fclose(s);
		return 0;
	}
	r = malloc(sizeof(*r));
	if (r == NULL) {
		fclose(s);
		lc_error_set(err, LC_ERR_RUNTIME, "out of memory");
		return -1;
	}
	if (lc_pcap_reader_open_stream(r, s, end, path, err) < 0 ||
			(r->format == LC_FILE_PCAPNG &&
					lc_pcap_reader_next(r, &rec, false, err) < 0)) {
		lc_pcap_reader_close(r);
		free(r);
		return -1;
	}
	*rp = r;
	return 1;
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
lc_query_zst_plan(struct query *q, struct qfile *f, struct lc_error *err)
{
	struct lc_pcap_reader *r = NULL;
	struct lc_zst_unit *zu;
	char why[256];
	int ret = open_head(f->path, &r, &zu, &f->size, err);

	if (ret <= 0)
		return ret < 0 ? -1 : 2;
	f->zst = true;
	f->format = r->format == LC_FILE_PCAPNG;
	f->nano = r->format == LC_FILE_PCAPNG || r->nanosecond;
	f->has_packets = r->have_linktype;
	f->linktype = r->linktype;
	close_reader(r);
	q->st->files++;
	q->st->bytes_total += f->size;
	ret = lc_idx_load(f->path, f->size, f->linktype, f->format, &f->idx, why, sizeof(why));
	f->use_idx = index_fits(q, f, ret, why);
	if (!f->use_idx) {
		f->key = 0;
		return 0;
	}
	q->st->files_indexed++;
	lc_query_note(q, false, "%s: index used (%" PRIu32 " frames)", f->path, f->idx.h.nb_units);
	return 1;
}

int
lc_query_zst_open(struct query *q, struct qfile *f, struct lc_error *err)
{
	struct lc_pcap_reader *r;

	if (f->use_idx) {
		int ret = open_head(f->path, &f->r, &f->zu, &f->size, err);

		if (ret == 0)
			return lc_error_set(err, LC_ERR_INPUT,
					"%s: its first frame no longer decodes", f->path);
		if (ret < 0)
			return -1;
		q->st->bytes_read += lc_zst_unit_bytes_read(f->zu);
		f->state = QF_OPEN;
		return 0;
	}
	/* Scanned: the decoded stream (its open checks every frame once). */
	r = malloc(sizeof(*r));
	if (r == NULL)
		return lc_error_set(err, LC_ERR_RUNTIME, "out of memory");
	if (lc_pcap_reader_open(r, f->path, err) < 0) {
		free(r);
		return -1;
	}
	f->r = r;
	q->st->bytes_read += r->zst.raw_size;
	if (r->zst.bad_frames > 0)
		lc_query_note(q, true,
				"%s: skipped %" PRIu64
				" zstd frame(s) that do not decode, the first "
				"at offset %" PRIu64 " (%s): their packets are missing",
				f->path, r->zst.bad_frames, r->zst.first_bad, r->zst.why);
	f->state = QF_OPEN;
	return 0;
}

int
lc_query_zst_next_region(struct query *q, struct qfile *f, struct lc_error *err)
{
	char why[128];

	(void)err;
	while (f->next_cand < f->nb_cand) {
		const struct qcand u = f->cand[f->next_cand++];
		uint64_t end, before = lc_zst_unit_bytes_read(f->zu);
		int ret;

		ret = lc_zst_unit_load(f->r->f, f->zu, u.zoffset, u.zlength, u.offset, &end, why,
				sizeof(why));
		q->st->bytes_read += lc_zst_unit_bytes_read(f->zu) - before;
		if (ret == 0 && end < u.offset + u.length)
			snprintf(why, sizeof(why), "it holds less than its index says");
		if (ret < 0 || end < u.offset + u.length) {
			lc_query_note(q, true,
					"%s: the zstd frame at offset %" PRIu64
					" does not decode (%s): its %" PRIu32
					" packets are skipped",
					f->path, u.zoffset, why, u.packets);
			continue;
		}
		f->r->offset = u.offset;
		f->r->file_size = end;
		f->r->truncated = false;
		f->region_start = u.offset;
		f->region_end = u.offset + u.length;
		f->in_region = true;
		return 1;
	}
	return 0;
}
