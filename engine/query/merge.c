/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The time merge: a binary heap of files keyed by (time stamp, input
 * order). A file not opened yet sits in the heap under a lower bound of its
 * first candidate packet (its first candidate unit's smallest stamp) and is
 * opened only when that bound reaches the top, so a long rotation sequence
 * keeps few files open. An open file's key is its next matching packet.
 * Reads: an indexed file is read region by region (a run of adjacent
 * candidate units) through a 1 MiB buffer that never reads past the
 * region (query/region_io.c), with the kernel's read-ahead off
 * (POSIX_FADV_RANDOM) and ours instead: WILLNEED 4 MiB ahead within the
 * region and for the next 4 candidate units. A scanned file is read
 * sequentially with the device's read-ahead. What was read is dropped from the page cache, and
 * --max-mbps sleeps.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "datapath/tstamp.h"
#include "query/query_priv.h"
#include "query/query_zst.h"

#define DROP_EVERY (8u << 20) /* release the page cache behind a scan this often */
#define READ_BUF (1u << 20)   /* one read: at most this, never past the region */
#define HEAD_READ (64u << 10) /* an indexed pcapng file's first read */
#define RA_WINDOW (4u << 20)  /* indexed: read-ahead within a region */
#define PREFETCH_UNITS 4u     /* indexed: candidate units asked for ahead */

static bool
before(const struct qfile *a, const struct qfile *b)
{
	return a->key < b->key || (a->key == b->key && a->order < b->order);
}

struct heap {
	struct qfile **v;
	unsigned int n;
};

static void
heap_push(struct heap *h, struct qfile *f)
{
	unsigned int i = h->n++;

	while (i > 0 && before(f, h->v[(i - 1) / 2])) {
		h->v[i] = h->v[(i - 1) / 2];
		i = (i - 1) / 2;
	}
	h->v[i] = f;
}

static struct qfile *
heap_pop(struct heap *h)
{
	struct qfile *top = h->v[0], *last = h->v[--h->n];
	unsigned int i = 0;

	for (;;) {
		unsigned int c = 2 * i + 1;

		if (c >= h->n)
			break;
		if (c + 1 < h->n && before(h->v[c + 1], h->v[c]))
			c++;
		if (!before(h->v[c], last))
			break;
		h->v[i] = h->v[c];
		i = c;
	}
	if (h->n > 0)
		h->v[i] = last;
	return top;
}

/*
 * The bounded read-ahead of an indexed file (the kernel's is off): the next
 * RA_WINDOW bytes of the region, never past its end, and the next few
 * candidate units, so that the disk works while the query filters.
 */
static void
read_ahead(struct qfile *f, uint64_t at)
{
	const struct qcand *u;

	if (!f->use_idx || f->rio == NULL || f->region_end == UINT64_MAX)
		return;
	if (f->ra_end < f->region_end && at + RA_WINDOW / 2 >= f->ra_end) {
		uint64_t len = f->region_end - f->ra_end < RA_WINDOW ? f->region_end - f->ra_end
								     : RA_WINDOW;

		posix_fadvise(f->rio->fd, (off_t)f->ra_end, (off_t)len, POSIX_FADV_WILLNEED);
		f->ra_end += len;
	}
	if (f->next_prefetch < f->next_cand)
		f->next_prefetch = f->next_cand;
	while (f->next_prefetch < f->nb_cand && f->next_prefetch < f->next_cand + PREFETCH_UNITS) {
		u = &f->cand[f->next_prefetch++];
		posix_fadvise(f->rio->fd, (off_t)u->offset, (off_t)u->length, POSIX_FADV_WILLNEED);
	}
}

/* Account for bytes read, drop them from the page cache, and hold the --max-mbps rate. */
static void
progress(struct query *q, struct qfile *f, uint64_t from)
{
	uint64_t to = f->r->offset;

	if (!f->zst) /* query_zst.c counts the compressed bytes it reads */
		q->st->bytes_read += to - from;
	if (f->in_region)
		read_ahead(f, to);
	if (f->rio != NULL && (to - f->dropped >= DROP_EVERY || !f->in_region)) {
		posix_fadvise(f->rio->fd, (off_t)f->dropped, (off_t)(to - f->dropped),
				POSIX_FADV_DONTNEED);
		f->dropped = to;
	}
	if (q->c->max_mbps > 0 && (q->st->bytes_read & 0xffff) < to - from) {
		double want_s = (double)q->st->bytes_read * 8 / (q->c->max_mbps * 1e6);
		double took_s = (double)(lc_mono_ns() - q->t0_ns) / 1e9;

		if (want_s > took_s) {
			double d = want_s - took_s;
			struct timespec ts = {(time_t)d, (long)((d - (double)(time_t)d) * 1e9)};

			nanosleep(&ts, NULL);
		}
	}
}

/* Move to `off`; reads stop at `limit` (the region's end) */
static int
seek(struct qfile *f, uint64_t off, uint64_t limit, struct lc_error *err)
{
	if (lc_region_io_seek(f->r->f, f->rio, off, limit) != 0)
		return lc_error_set(
				err, LC_ERR_INPUT, "%s: seek failed: %s", f->path, strerror(errno));
	f->r->offset = off;
	f->r->truncated = false;
	return 0;
}

/*
 * Start the next region to read: a run of adjacent candidate units, the
 * unindexed tail, or the whole file. The stream's reads stop at its end.
 */
static int
next_region(struct query *q, struct qfile *f, struct lc_error *err)
{
	const struct qcand *u;
	int ret = 0;

	if (f->zu != NULL)
		return lc_query_zst_next_region(q, f, err);
	if (!f->use_idx) {
		if (f->region_end != 0)
			return 0; /* the whole file was the one region */
		f->region_start = f->r->offset;
		f->region_end = UINT64_MAX;
	} else if (f->next_cand < f->nb_cand) {
		u = &f->cand[f->next_cand++];
		f->region_start = u->offset;
		f->region_end = u->offset + u->length;
		while (f->next_cand < f->nb_cand) {
			u = &f->cand[f->next_cand];
			if (u->offset != f->region_end)
				break;
			f->region_end += u->length;
			f->next_cand++;
		}
		if (f->region_start != f->r->offset)
			ret = seek(f, f->region_start, f->region_end, err);
		else
			f->rio->limit = f->region_end;
	} else if (f->tail && f->region_end != UINT64_MAX) {
		if (f->r->offset != f->idx.covered)
			ret = seek(f, f->idx.covered, UINT64_MAX, err);
		else
			f->rio->limit = UINT64_MAX;
		f->region_start = f->idx.covered;
		f->region_end = UINT64_MAX;
	} else {
		return 0;
	}
	if (ret < 0)
		return -1;
	f->dropped = f->region_start;
	f->ra_end = f->region_start;
	f->in_region = true;
	read_ahead(f, f->region_start);
	return 1;
}

static bool
matches(const struct query *q, const struct lc_pcap_record *rec)
{
	struct pcap_pkthdr h;

	if ((q->c->have_since && rec->ts_ns < q->c->since_ns) ||
			(q->c->have_until && rec->ts_ns >= q->c->until_ns))
		return false;
	if (!q->have_prog)
		return true;
	memset(&h, 0, sizeof(h));
	h.caplen = rec->caplen;
	h.len = rec->len;
	return pcap_offline_filter(&q->prog, &h, rec->data) != 0;
}

/* Move f to its next matching packet: 1 found (f->rec, f->key), 0 none left, -1 error. */
static int
advance(struct query *q, struct qfile *f, struct lc_error *err)
{
	for (;;) {
		uint64_t from;
		int ret;

		if (!f->in_region) {
			ret = next_region(q, f, err);
			if (ret <= 0)
				return ret;
		}
		from = f->r->offset;
		ret = from < f->region_end ? lc_pcap_reader_next(f->r, &f->rec, true, err) : 0;
		if (ret < 0)
			return -1;
		if (ret == 0)
			f->in_region = false;
		progress(q, f, from);
		if (ret == 0)
			continue;
		q->st->packets_read++;
		if (matches(q, &f->rec)) {
			f->key = f->rec.ts_ns;
			return 1;
		}
	}
}

static void
close_file(struct query *q, struct qfile *f)
{
	if (f->zu != NULL)
		lc_query_zst_close(q, f);
	if (f->r != NULL) {
		lc_pcap_reader_close(f->r);
		free(f->r);
		f->r = NULL;
		f->rio = NULL;
		f->zu = NULL;
	}
	f->state = QF_DONE;
}

static int
open_file(struct query *q, struct qfile *f, struct lc_error *err)
{
	struct lc_pcap_record first;

	if (f->zst)
		return lc_query_zst_open(q, f, err);
	f->r = malloc(sizeof(*f->r));
	if (f->r == NULL)
		return lc_error_set(err, LC_ERR_RUNTIME, "out of memory");
	if (lc_pcap_reader_open(f->r, f->path, err) < 0) {
		free(f->r);
		f->r = NULL;
		return -1;
	}
	if (lc_region_io_wrap(&f->r->f, f->r->offset, READ_BUF, &f->rio) < 0)
		return lc_error_set(err, LC_ERR_INPUT, "%s: %s", f->path, strerror(errno));
	/*
	 * Indexed: the regions bound the reads, the kernel's read-ahead (8 MiB on
	 * a virtio disk) must not add to them. A scan keeps the device's read-ahead.
	 */
	if (f->use_idx) {
		posix_fadvise(f->rio->fd, 0, 0, POSIX_FADV_RANDOM);
		/*
		 * The reader's open read the head with the default read-ahead, which
		 * marks a page to start the next read-ahead when it is read: the
		 * kernel honours that mark even in random mode (1 MiB more read).
		 */
		posix_fadvise(f->rio->fd, 0, HEAD_READ, POSIX_FADV_DONTNEED);
		f->rio->limit = f->r->offset + HEAD_READ; /* pcapng: its first blocks */
	}
	/* pcapng: read the section and interface blocks before seeking to a unit. */
	if (f->use_idx && f->r->format == LC_FILE_PCAPNG &&
			lc_pcap_reader_next(f->r, &first, false, err) < 0)
		return -1;
	f->state = QF_OPEN;
	(void)q;
	return 0;
}

/* A file whose open or read failed (deleted by retention, truncated...): warn, skip. */
static void
drop_file(struct query *q, struct qfile *f, const struct lc_error *e)
{
	lc_query_note(q, true, "%s: skipped from here on: %s", f->path, e->msg);
	q->st->files_skipped++;
	close_file(q, f);
}

int
lc_query_merge(struct query *q, struct lc_error *err)
{
	struct heap h = {.v = calloc(q->nb_files + 1, sizeof(struct qfile *)), .n = 0};
	unsigned int i;
	int ret = 0;

	if (h.v == NULL)
		return lc_error_set(err, LC_ERR_RUNTIME, "out of memory");
	q->t0_ns = lc_mono_ns();
	for (i = 0; i < q->nb_files; i++)
		if (q->files[i].state == QF_CLOSED)
			heap_push(&h, &q->files[i]);
	while (h.n > 0 && ret == 0) {
		struct qfile *f = heap_pop(&h);
		struct lc_error ferr = {0};
		int got;

		if (f->state == QF_OPEN) {
			ret = lc_qout_write(&q->out, f->rec.ts_ns, f->rec.caplen, f->rec.len,
					f->rec.data, err);
			q->st->packets_out++;
		} else if (open_file(q, f, &ferr) < 0) {
			drop_file(q, f, &ferr);
			continue;
		}
		got = advance(q, f, &ferr);
		if (got < 0)
			drop_file(q, f, &ferr);
		else if (got == 0)
			close_file(q, f);
		else
			heap_push(&h, f);
	}
	for (i = 0; i < h.n; i++)
		close_file(q, h.v[i]);
	free(h.v);
	return ret;
}
