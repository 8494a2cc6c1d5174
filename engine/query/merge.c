/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The time merge: a binary heap of files keyed by (time stamp, input
 * order). A file not opened yet sits in the heap under a lower bound of its
 * first candidate packet (its first candidate unit's smallest stamp) and is
 * opened only when that bound reaches the top, so a long rotation sequence
 * keeps few files open. An open file's key is its next matching packet.
 * Reads are sequential within a unit, read-ahead is stdio's 1 MiB buffer,
 * what was read is dropped from the page cache, and --max-mbps sleeps.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "query/query_priv.h"

#define DROP_EVERY (8u << 20) /* release the page cache behind a scan this often */

static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

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

/* Account for bytes read, drop them from the page cache, and hold the --max-mbps rate. */
static void
progress(struct query *q, struct qfile *f, uint64_t from)
{
	uint64_t to = f->r->offset;

	q->st->bytes_read += to - from;
	if (to - f->dropped >= DROP_EVERY || !f->in_region) {
		posix_fadvise(fileno(f->r->f), (off_t)f->dropped, (off_t)(to - f->dropped),
				POSIX_FADV_DONTNEED);
		f->dropped = to;
	}
	if (q->c->max_mbps > 0 && (q->st->bytes_read & 0xffff) < to - from) {
		double want_s = (double)q->st->bytes_read * 8 / (q->c->max_mbps * 1e6);
		double took_s = (double)(now_ns() - q->t0_ns) / 1e9;

		if (want_s > took_s) {
			double d = want_s - took_s;
			struct timespec ts = {(time_t)d, (long)((d - (double)(time_t)d) * 1e9)};

			nanosleep(&ts, NULL);
		}
	}
}

static int
seek(struct qfile *f, uint64_t off, struct lc_error *err)
{
	if (fseeko(f->r->f, (off_t)off, SEEK_SET) != 0)
		return lc_error_set(
				err, LC_ERR_INPUT, "%s: seek failed: %s", f->path, strerror(errno));
	f->r->offset = off;
	f->r->truncated = false;
	return 0;
}

/* Start the next region to read: a candidate unit, the unindexed tail, or the whole file. */
static int
next_region(struct qfile *f, struct lc_error *err)
{
	struct lc_idx_unit u;

	if (!f->use_idx) {
		if (f->region_end != 0)
			return 0; /* the whole file was the one region */
		f->region_start = f->r->offset;
		f->region_end = UINT64_MAX;
	} else if (f->next_cand < f->nb_cand) {
		lc_idx_unit_at(f->idx.buf, &f->idx.h, f->cand[f->next_cand++], &u);
		if (u.offset != f->r->offset && seek(f, u.offset, err) < 0)
			return -1;
		f->region_start = u.offset;
		f->region_end = u.offset + u.length;
	} else if (f->tail && f->region_end != UINT64_MAX) {
		if (f->r->offset != f->idx.covered && seek(f, f->idx.covered, err) < 0)
			return -1;
		f->region_start = f->idx.covered;
		f->region_end = UINT64_MAX;
	} else {
		return 0;
	}
	f->dropped = f->region_start;
	f->in_region = true;
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
			ret = next_region(f, err);
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
close_file(struct qfile *f)
{
	if (f->r != NULL) {
		lc_pcap_reader_close(f->r);
		free(f->r);
		f->r = NULL;
	}
	f->state = QF_DONE;
}

static int
open_file(struct query *q, struct qfile *f, struct lc_error *err)
{
	struct lc_pcap_record first;

	f->r = malloc(sizeof(*f->r));
	if (f->r == NULL)
		return lc_error_set(err, LC_ERR_RUNTIME, "out of memory");
	if (lc_pcap_reader_open(f->r, f->path, err) < 0) {
		free(f->r);
		f->r = NULL;
		return -1;
	}
	posix_fadvise(fileno(f->r->f), 0, 0, POSIX_FADV_SEQUENTIAL);
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
	close_file(f);
}

int
lc_query_merge(struct query *q, struct lc_error *err)
{
	struct heap h = {.v = calloc(q->nb_files + 1, sizeof(struct qfile *)), .n = 0};
	unsigned int i;
	int ret = 0;

	if (h.v == NULL)
		return lc_error_set(err, LC_ERR_RUNTIME, "out of memory");
	q->t0_ns = now_ns();
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
			close_file(f);
		else
			heap_push(&h, f);
	}
	for (i = 0; i < h.n; i++)
		close_file(h.v[i]);
	free(h.v);
	return ret;
}
