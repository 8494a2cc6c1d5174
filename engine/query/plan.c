/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The query plan: the inputs into an ordered list of capture files (a
 * directory gives its capture files by name), each file's index checked
 * against it, the candidate units chosen (time window, then the keys the
 * expression requires), the expression compiled for the files' link type.
 */
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "query/query_priv.h"
#include "query/query_s3.h"
#include "query/query_zst.h"

#define SNAPLEN 262144
#define DLT_EN10MB_ 1

void
lc_query_note(const struct query *q, bool always, const char *fmt, ...)
{
	char line[1024];
	va_list ap;

	if (q->c->note == NULL || (!always && !q->c->verbose))
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	q->c->note(q->c->note_arg, line);
}

int
lc_query_add_file(struct query *q, const char *path, struct lc_error *err)
{
	struct qfile *f;

	if (q->nb_files == q->cap_files) {
		unsigned int cap = q->cap_files ? q->cap_files * 2 : 16;
		struct qfile *n = realloc(q->files, cap * sizeof(*n));

		if (n == NULL)
			return lc_error_set(err, LC_ERR_RUNTIME, "out of memory");
		q->files = n;
		q->cap_files = cap;
	}
	f = &q->files[q->nb_files];
	memset(f, 0, sizeof(*f));
	f->path = strdup(path);
	if (f->path == NULL)
		return lc_error_set(err, LC_ERR_RUNTIME, "out of memory");
	f->order = q->nb_files++;
	return 0;
}

static bool
is_index_name(const char *n)
{
	size_t l = strlen(n);

	return (l > 4 && strcmp(n + l - 4, ".idx") == 0) ||
	       (l > 9 && strcmp(n + l - 9, ".idx.part") == 0);
}

/* A pcap (either byte order, us or ns) or pcapng file, by its first 4 bytes. */
static bool
capture_magic(const char *path)
{
	static const uint32_t magics[] = {0xa1b2c3d4u, 0xd4c3b2a1u, 0xa1b23c4du, 0x4d3cb2a1u,
			0x0a0d0d0au, 0xfd2fb528u /* zstd: --compress */};
	FILE *f = fopen(path, "rb");
	uint32_t m = 0;
	size_t i, n;

	if (f == NULL)
		return true; /* let the open say why */
	n = fread(&m, 1, sizeof(m), f);
	fclose(f);
	for (i = 0; n == sizeof(m) && i < sizeof(magics) / sizeof(magics[0]); i++)
		if (m == magics[i])
			return true;
	return false;
}

/* Digit runs compare as numbers: cap.pcap9 before cap.pcap10, as -C numbers them. */
static int
cmp_name(const void *a, const void *b)
{
	return strverscmp(*(char *const *)a, *(char *const *)b);
}

/* A directory's regular files (not indexes), by name; capture or not is seen at open. */
static int
add_dir(struct query *q, const char *dir, struct lc_error *err)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char **names = NULL;
	size_t n = 0, cap = 0, i;
	int ret = 0;

	if (d == NULL)
		return lc_error_set(err, LC_ERR_INPUT, "cannot read %s: %s", dir, strerror(errno));
	while ((de = readdir(d)) != NULL && ret == 0) {
		char path[4096];
		struct stat st;

		if (de->d_name[0] == '.' || is_index_name(de->d_name))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (stat(path, &st) != 0 || !S_ISREG(st.st_mode) || !capture_magic(path))
			continue;
		if (n == cap) {
			char **nn = realloc(names, (cap = cap ? cap * 2 : 64) * sizeof(*nn));

			if (nn == NULL) {
				ret = lc_error_set(err, LC_ERR_RUNTIME, "out of memory");
				break;
			}
			names = nn;
		}
		names[n] = strdup(path);
		if (names[n] == NULL)
			ret = lc_error_set(err, LC_ERR_RUNTIME, "out of memory");
		else
			n++;
	}
	closedir(d);
	if (n > 1)
		qsort(names, n, sizeof(*names), cmp_name);
	for (i = 0; i < n; i++) {
		if (ret == 0)
			ret = lc_query_add_file(q, names[i], err);
		free(names[i]);
	}
	free(names);
	return ret;
}

bool
lc_query_unit_wanted(
		const struct query *q, const struct lc_idx_unit *u, const struct lc_idx_header *h)
{
	unsigned int i;

	if ((q->c->have_since && u->max_ts < q->c->since_ns) ||
			(q->c->have_until && u->min_ts >= q->c->until_ns))
		return false;
	if (u->flags & LC_IDX_UNIT_OPAQUE)
		return true;
	for (i = 0; i < q->narrow.nb; i++)
		if (!lc_idx_bloom_may_hold(h, u, &q->narrow.keys[i]))
			return false;
	return true;
}

static int
candidates(struct query *q, struct qfile *f, struct lc_error *err)
{
	const struct lc_idx_header *h = &f->idx.h; /* kept when the entries are freed */
	size_t n = h->nb_units > 0 ? h->nb_units : 1;
	struct qzcand *zc;
	struct qcand *c;
	uint32_t i;

	f->cand = malloc(n * sizeof(*f->cand));
	if (f->zst)
		f->zcand = malloc(n * sizeof(*f->zcand));
	if (f->cand == NULL || (f->zst && f->zcand == NULL))
		return lc_error_set(err, LC_ERR_RUNTIME, "out of memory");
	f->key = UINT64_MAX;
	for (i = 0; i < h->nb_units; i++) {
		struct lc_idx_unit u;

		lc_idx_unit_at(f->idx.buf, h, i, &u);
		q->st->units++;
		if (!lc_query_unit_wanted(q, &u, h))
			continue;
		if (f->zcand != NULL)
			f->zcand[f->nb_cand] = (struct qzcand){u.zoffset, u.zlength, u.packets};
		f->cand[f->nb_cand++] = (struct qcand){u.offset, u.length};
		q->st->units_visited++;
		if (u.min_ts < f->key)
			f->key = u.min_ts;
	}
	/*
	 * The entries (1.6 % of the capture with the default units) are not needed
	 * any more: a long query holds 16 bytes per candidate, not the indexes
	 * (a compressed file 20 more, for its frames).
	 */
	lc_idx_free(&f->idx);
	n = f->nb_cand > 0 ? f->nb_cand : 1;
	c = realloc(f->cand, n * sizeof(*c));
	if (c != NULL)
		f->cand = c;
	zc = f->zcand != NULL ? realloc(f->zcand, n * sizeof(*zc)) : NULL;
	if (zc != NULL)
		f->zcand = zc;
	f->tail = f->size > h->file_size;
	if (f->tail)
		f->key = 0;
	if (f->nb_cand == 0 && !f->tail)
		f->state = QF_DONE;
	return 0;
}

/* Open a file to learn its format and link type, then take its index. */
static int
plan_file(struct query *q, struct qfile *f, struct lc_error *err)
{
	struct lc_pcap_reader *r;
	struct lc_pcap_record rec;
	int ret, fd = lc_query_zst_sniff(f->path);
	char why[256];

	if (fd >= 0) {
		ret = lc_query_zst_plan(q, f, fd, err);
		if (ret != 2)
			return ret == 1 ? candidates(q, f, err) : ret;
	}
	r = malloc(sizeof(*r));
	if (r == NULL)
		return lc_error_set(err, LC_ERR_RUNTIME, "out of memory");
	if (lc_pcap_reader_open(r, f->path, err) < 0) {
		free(r);
		return -1;
	}
	f->zst = r->zst.on;
	f->size = f->zst ? r->zst.raw_size : r->file_size; /* query_zst.c reads the .zst */
	f->format = r->format == LC_FILE_PCAPNG;
	f->nano = r->format == LC_FILE_PCAPNG || r->nanosecond;
	ret = r->format == LC_FILE_PCAP ? 1 : lc_pcap_reader_next(r, &rec, false, err);
	f->has_packets = ret == 1 && r->have_linktype;
	f->linktype = r->linktype;
	lc_pcap_reader_close(r);
	free(r);
	if (ret < 0)
		return -1;
	q->st->files++;
	q->st->bytes_total += f->size;
	if (f->zst) {
		/* Its first frame does not decode alone (query_zst.c): scan it. */
		lc_query_note(q, false, "%s: zstd-compressed: scanning it", f->path);
		f->use_idx = false;
		f->key = 0;
		return 0;
	}
	/*
	 * The index's pages stay in the page cache (the capture's own pages are
	 * dropped behind the reads): an index is about 1 % of its capture and
	 * every query of the file reads all of it, so the next query finds it in
	 * memory instead of reading it again from the disk a live capture writes.
	 */
	ret = lc_idx_load(f->path, f->size, f->linktype, f->format, &f->idx, why, sizeof(why));
	if (ret == 0)
		lc_query_note(q, true, "%s: no index: scanning it (linecap index makes one)",
				f->path);
	else if (ret < 0)
		lc_query_note(q, true, "%s: index not used (%s): scanning the file", f->path, why);
	else if (!(f->idx.h.flags & LC_IDX_SEEKABLE))
		lc_query_note(q, true, "%s: its units cannot be read alone: scanning the file",
				f->path);
	f->use_idx = ret == 1 && (f->idx.h.flags & LC_IDX_SEEKABLE);
	if (!f->use_idx) {
		lc_idx_free(&f->idx);
		f->key = 0;
		return 0;
	}
	q->st->files_indexed++;
	lc_query_note(q, false, "%s: index used (%" PRIu32 " units)", f->path, f->idx.h.nb_units);
	return candidates(q, f, err);
}

static int
compile(struct query *q, uint32_t linktype, struct lc_error *err)
{
	pcap_t *p;
	int ret = 0;

	if (q->c->expr == NULL || q->c->expr[0] == '\0')
		return 0;
	p = pcap_open_dead_with_tstamp_precision(
			(int)linktype, SNAPLEN, PCAP_TSTAMP_PRECISION_NANO);
	if (p == NULL)
		return lc_error_set(err, LC_ERR_RUNTIME, "out of memory");
	if (pcap_compile(p, &q->prog, q->c->expr, 1, PCAP_NETMASK_UNKNOWN) != 0)
		ret = lc_error_set(err, LC_ERR_USAGE, "bad expression '%s': %s", q->c->expr,
				pcap_geterr(p));
	else
		q->have_prog = true;
	pcap_close(p);
	return ret;
}

/* Every file with packets must have the same link type (one output interface). */
static int
link_type(struct query *q, uint32_t *lt, struct lc_error *err)
{
	const struct qfile *first = NULL;
	unsigned int i;

	*lt = DLT_EN10MB_;
	for (i = 0; i < q->nb_files; i++) {
		const struct qfile *f = &q->files[i];

		if (!f->has_packets)
			continue;
		if (first == NULL) {
			first = f;
			*lt = f->linktype;
		} else if (f->linktype != first->linktype) {
			return lc_error_set(err, LC_ERR_INPUT,
					"%s has link type %" PRIu32 " but %s has %" PRIu32
					": cannot merge them into one stream",
					f->path, f->linktype, first->path, first->linktype);
		}
	}
	return 0;
}

int
lc_query_plan(struct query *q, struct lc_error *err)
{
	unsigned int i;
	uint32_t lt;

	lc_narrow_derive(q->c->expr, &q->narrow); /* before the inputs: S3 fetches by it */
	for (i = 0; i < q->c->nb_inputs; i++) {
		struct stat st;
		const char *in = q->c->inputs[i];

		if (lc_query_is_s3(in)) {
			if (lc_query_s3_add(q, in, err) < 0)
				return -1;
			continue;
		}
		if (stat(in, &st) != 0)
			return lc_error_set(err, LC_ERR_INPUT, "cannot read %s: %s", in,
					strerror(errno));
		if ((S_ISDIR(st.st_mode) ? add_dir(q, in, err) : lc_query_add_file(q, in, err)) < 0)
			return -1;
	}
	q->st->narrowed = q->narrow.nb > 0;
	for (i = 0; i < q->nb_files; i++) {
		struct lc_error ferr = {0};

		if (plan_file(q, &q->files[i], &ferr) == 0)
			continue;
		if (ferr.kind != LC_ERR_INPUT)
			return lc_error_set(err, ferr.kind, "%s", ferr.msg);
		/* Not a capture, or malformed: skipped, with a warning. */
		lc_query_note(q, true, "skipped: %s", ferr.msg);
		q->files[i].state = QF_DONE;
		q->files[i].has_packets = false;
		q->st->files_skipped++;
	}
	if (link_type(q, &lt, err) < 0 || compile(q, lt, err) < 0)
		return -1;
	if (q->c->expr != NULL && q->c->expr[0] != '\0' && q->narrow.nb == 0)
		lc_query_note(q, true,
				"the expression cannot be narrowed by the index: scanning the "
				"time-selected units");
	return 0;
}
