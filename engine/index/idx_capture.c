/* SPDX-License-Identifier: BSD-3-Clause */
/* The index written while capturing (see idx_capture.h). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "index/crc32c.h"
#include "index/idx_capture.h"
#include "index/idx_unit.h"
#include "index/index.h"

#define RING_SLOTS 256u /* per writer: about 1 MiB of entries, 128 MiB of capture */
#define SLOT_DATA (LC_IDX_ENTRY_FIXED + LC_IDX_DEFAULT_BLOOM) /* an entry, or a path */
#define NAP_NS (1000L * 1000)

_Static_assert(SLOT_DATA >= PATH_MAX, "a slot holds a path");
_Static_assert(sizeof(struct lc_keysum) <= LC_RECORD_SUMMARY_SIZE, "a summary fits its slot");

enum slot_kind { SLOT_BEGIN, SLOT_ENTRY, SLOT_END_OK, SLOT_END_FAIL };

struct slot {
	uint32_t kind;
	uint32_t len;
	uint8_t data[SLOT_DATA];
};

struct idx_writer {
	/* The writer's thread. */
	struct lc_idx_acc acc; /* units of the file being indexed */
	bool active, broken;
	uint64_t seq; /* file_seq of that file */
	uint8_t first[LC_IDX_HEAD_BYTES];
	uint32_t first_len; /* its first bytes, for the header's CRC */
	uint32_t magic;	    /* its first 4 bytes as written before compression (0: none) */
	uint32_t head;	    /* ring: slots pushed */
	/* The consumers (index thread, rotation thread), under lc_idx_capture.mu. */
	uint32_t tail;
	int fd;
	uint64_t at;
	char cap[PATH_MAX];  /* the capture file being indexed */
	char done[PATH_MAX]; /* without rotation: its index is complete, publish at stop */
	struct slot *ring;
	uint32_t dropped; /* files without index (both sides add) */
};

struct lc_idx_capture {
	struct idx_writer *w;
	unsigned int nb;
	uint32_t linktype;
	bool rotating, running;
	bool compressed; /* --compress: one unit per zstd frame (sealed block) */
	volatile int stop;
	pthread_t thread;
	pthread_mutex_t mu;
};

/* ---- rx lcore: the keys of each packet, once ---- */

static bool
summarise(const uint8_t *pkt, uint32_t caplen, void *out, void *arg)
{
	const struct lc_idx_capture *c = arg;

	/* the common case inline; the rest (which tries it again) out of line */
	return lc_keysum_fast(pkt, caplen, c->linktype, out) ||
	       lc_keysum_make(pkt, caplen, c->linktype, out);
}

/* ---- writer thread: no allocation, no system call ---- */

static struct slot *
slot_get(struct idx_writer *w, uint32_t need)
{
	uint32_t tail = __atomic_load_n(&w->tail, __ATOMIC_ACQUIRE);

	return RING_SLOTS - (w->head - tail) >= need ? &w->ring[w->head % RING_SLOTS] : NULL;
}

static void
slot_push(struct idx_writer *w)
{
	__atomic_store_n(&w->head, w->head + 1, __ATOMIC_RELEASE);
}

/* The open unit is complete: its entry to the index thread. One slot is kept for the end. */
static void
cut(struct idx_writer *w)
{
	const uint8_t *e = lc_idx_acc_cut(&w->acc, NULL);
	size_t len = lc_idx_entry_size(&w->acc.h);
	struct slot *s;

	if (e == NULL || w->broken)
		return;
	s = slot_get(w, 2);
	if (s == NULL || len > SLOT_DATA) {
		w->broken = true;
		return;
	}
	s->kind = SLOT_ENTRY;
	s->len = (uint32_t)len;
	memcpy(s->data, e, len);
	slot_push(w);
}

/* The file ended `size` bytes long (ok), or without its last block. */
static void
end_file(struct idx_writer *w, bool ok, uint64_t size)
{
	uint8_t hdr[LC_IDX_HDR_SIZE];
	struct slot *s;

	cut(w);
	if (!ok || w->broken || lc_idx_kind(w->magic, &w->acc.h) < 0 ||
			w->first_len < (size < LC_IDX_HEAD_BYTES ? size : LC_IDX_HEAD_BYTES))
		ok = false;
	w->acc.h.file_size = size;
	w->acc.h.head_crc = lc_crc32c(0, w->first, w->first_len);
	lc_idx_header_encode(&w->acc.h, hdr);
	s = slot_get(w, 1);
	if (s != NULL) {
		s->kind = ok ? SLOT_END_OK : SLOT_END_FAIL;
		s->len = sizeof(hdr);
		memcpy(s->data, hdr, sizeof(hdr));
		slot_push(w);
	}
	if (!ok)
		__atomic_fetch_add(&w->dropped, 1, __ATOMIC_RELAXED);
	w->active = false;
}

/* The writer's file number `seq`, written as `path`, begins. */
static void
begin_file(struct lc_idx_capture *c, struct idx_writer *w, const char *path, uint64_t seq)
{
	size_t n = strlen(path);
	struct slot *s;

	if (w->active)
		end_file(w, false, 0); /* the last file ended without its last block */
	lc_idx_acc_reset(&w->acc);
	w->acc.h.linktype = c->linktype;
	w->active = true;
	w->broken = false;
	w->seq = seq;
	w->first_len = 0;
	w->magic = 0;
	s = slot_get(w, 2);
	if (s == NULL || n >= PATH_MAX) {
		w->broken = true;
		return;
	}
	s->kind = SLOT_BEGIN;
	s->len = (uint32_t)n;
	memcpy(s->data, path, n + 1);
	slot_push(w);
}

/* Record tap: every packet of the file, in order, before its block is sealed. */
static void
record(const struct lc_record_info *r, void *arg)
{
	struct lc_idx_capture *c = arg;
	const struct lc_keysum *s = r->summary;
	struct lc_keysum local;
	struct idx_writer *w;
	bool full;

	if (r->writer >= c->nb)
		return;
	w = &c->w[r->writer];
	if (!w->active || w->seq != r->file_seq)
		begin_file(c, w, r->path, r->file_seq);
	if (w->broken)
		return;
	/* No summary (the rx task runs on this lcore, or none could be made): the common case
	 * from the record's bytes, just written by this lcore. */
	if (s == NULL && lc_keysum_fast(r->data, r->caplen, c->linktype, &local))
		s = &local;
	if (s != NULL && s->caplen == r->caplen)
		full = lc_idx_acc_packet_sum(&w->acc, r->offset, r->offset + r->len, r->ns, s);
	else
		full = lc_idx_acc_packet(
				&w->acc, r->offset, r->offset + r->len, r->ns, r->data, r->caplen);
	if (full)
		cut(w);
}

/* --compress: the block's frame is the unit; the header's CRC and size are the .zst's. */
static void
sealed_frame(struct idx_writer *w, const struct lc_block_info *b)
{
	if (b->zdata == NULL || !lc_idx_acc_frame(&w->acc, b->offset, b->zoffset, b->zend))
		w->broken = true; /* no frame (its records are lost), or not the unit */
	else
		lc_idx_head_take(w->first, &w->first_len, b->zdata, b->zdata_off,
				b->zend - b->zdata_off);
	cut(w);
	if (b->last_of_file)
		end_file(w, true, b->zend);
}

/* Sealed blocks: the file's first bytes (header CRC) and its end. */
static void
sealed(const struct lc_block_info *b, void *arg)
{
	struct lc_idx_capture *c = arg;
	struct idx_writer *w;

	if (b->writer >= c->nb)
		return;
	w = &c->w[b->writer];
	if (b->offset == 0 && (!w->active || w->seq != b->file_seq))
		begin_file(c, w, b->path, b->file_seq); /* no packet yet */
	if (!w->active || w->seq != b->file_seq)
		return;
	if (b->offset == 0 && b->len >= sizeof(w->magic))
		memcpy(&w->magic, b->data, sizeof(w->magic));
	if (c->compressed) {
		sealed_frame(w, b);
		return;
	}
	if (b->offset == w->first_len && w->first_len < LC_IDX_HEAD_BYTES) {
		size_t n = LC_IDX_HEAD_BYTES - w->first_len;

		if (n > b->len)
			n = b->len;
		memcpy(w->first + w->first_len, b->data, n);
		w->first_len += (uint32_t)n;
	}
	if (b->last_of_file)
		end_file(w, true, b->offset + b->len);
}

/* ---- consumers: index thread and rotation thread, under c->mu ---- */

/* The index being written for capture file `cap`: "<index>.part". */
static void
part_path(const char *cap, char *out, size_t len)
{
	size_t n;

	if (lc_idx_path(cap, out, len) < 0) {
		out[0] = '\0';
		return;
	}
	n = strlen(out);
	if ((n < 5 || strcmp(out + n - 5, ".part") != 0) && n + 5 < len)
		memcpy(out + n, ".part", 6);
}

static void
discard(struct idx_writer *w)
{
	char part[PATH_MAX + 16];

	if (w->fd < 0)
		return;
	close(w->fd);
	w->fd = -1;
	part_path(w->cap, part, sizeof(part));
	unlink(part);
	__atomic_fetch_add(&w->dropped, 1, __ATOMIC_RELAXED);
}

static void
consume(struct lc_idx_capture *c, struct idx_writer *w, const struct slot *s)
{
	char part[PATH_MAX + 16];

	switch (s->kind) {
	case SLOT_BEGIN:
		discard(w);
		memcpy(w->cap, s->data, s->len + 1); /* < PATH_MAX (begin_file) */
		part_path(w->cap, part, sizeof(part));
		w->fd = open(part, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
		if (w->fd < 0)
			__atomic_fetch_add(&w->dropped, 1, __ATOMIC_RELAXED);
		w->at = LC_IDX_HDR_SIZE;
		break;
	case SLOT_ENTRY:
		if (w->fd >= 0 && lc_idx_write_all(w->fd, s->data, s->len, w->at) < 0)
			discard(w);
		w->at += s->len;
		break;
	case SLOT_END_OK:
		if (w->fd < 0)
			break;
		if (lc_idx_write_all(w->fd, s->data, s->len, 0) < 0 || fsync(w->fd) < 0) {
			discard(w);
			break;
		}
		close(w->fd);
		w->fd = -1;
		if (!c->rotating)
			snprintf(w->done, sizeof(w->done), "%s", w->cap);
		break;
	default: /* the writer counted it */
		if (w->fd >= 0)
			__atomic_fetch_sub(&w->dropped, 1, __ATOMIC_RELAXED);
		discard(w);
		break;
	}
}

static unsigned int
drain(struct lc_idx_capture *c, struct idx_writer *w)
{
	uint32_t tail = w->tail, n = 0;

	while (tail != __atomic_load_n(&w->head, __ATOMIC_ACQUIRE)) {
		consume(c, w, &w->ring[tail % RING_SLOTS]);
		__atomic_store_n(&w->tail, ++tail, __ATOMIC_RELEASE);
		n++;
	}
	return n;
}

static void *
index_thread(void *arg)
{
	struct lc_idx_capture *c = arg;

	while (!c->stop) {
		unsigned int i, work = 0;

		pthread_mutex_lock(&c->mu);
		for (i = 0; i < c->nb; i++)
			work += drain(c, &c->w[i]);
		pthread_mutex_unlock(&c->mu);
		if (work == 0) {
			struct timespec nap = {0, NAP_NS};

			nanosleep(&nap, NULL);
		}
	}
	return NULL;
}

/* Rotation thread: `tmp` is now `name`; its index follows. */
static void
published(unsigned int writer, const char *tmp, const char *name, void *arg)
{
	struct lc_idx_capture *c = arg;
	char part[PATH_MAX + 16], final[PATH_MAX + 16];
	struct idx_writer *w;

	if (writer >= c->nb)
		return;
	w = &c->w[writer];
	pthread_mutex_lock(&c->mu);
	drain(c, w); /* the hook saw the file's last block before it was queued */
	if (w->fd >= 0 && strcmp(w->cap, tmp) == 0)
		discard(w); /* no end seen: incomplete */
	part_path(tmp, part, sizeof(part));
	if (lc_idx_path(name, final, sizeof(final)) == 0 && rename(part, final) < 0)
		unlink(final); /* no index for it: never a stale one of an older file */
	pthread_mutex_unlock(&c->mu);
}

static void
deleted(unsigned int writer, const char *name, void *arg)
{
	char idx[PATH_MAX + 16];

	(void)writer;
	(void)arg;
	if (lc_idx_path(name, idx, sizeof(idx)) == 0)
		unlink(idx);
}

/* ---- control ---- */

struct lc_idx_capture *
lc_idx_capture_create(unsigned int nb_writers, bool rotating, uint32_t linktype, bool compressed)
{
	const struct lc_idx_opts o = {
			.unit_bytes = LC_IDX_DEFAULT_UNIT,
			.unit_packets = LC_IDX_UNIT_PACKETS,
			.bloom_bytes = LC_IDX_DEFAULT_BLOOM, /* a .zst's frames hold one unit's
								worth */
			.k = LC_IDX_DEFAULT_K,
			.compressed = compressed,
	};
	struct lc_idx_capture *c = calloc(1, sizeof(*c));
	unsigned int i;

	if (c == NULL)
		return NULL;
	c->rotating = rotating;
	c->linktype = linktype;
	c->compressed = compressed;
	pthread_mutex_init(&c->mu, NULL);
	c->w = calloc(nb_writers, sizeof(*c->w));
	if (c->w == NULL)
		goto fail;
	for (; c->nb < nb_writers; c->nb++) {
		struct idx_writer *w = &c->w[c->nb];

		w->fd = -1;
		w->ring = malloc(RING_SLOTS * sizeof(*w->ring));
		if (w->ring == NULL || lc_idx_acc_init(&w->acc, &o) < 0) {
			free(w->ring);
			goto fail;
		}
	}
	return c;
fail:
	for (i = 0; c->w != NULL && i < c->nb; i++) {
		lc_idx_acc_free(&c->w[i].acc);
		free(c->w[i].ring);
	}
	free(c->w);
	pthread_mutex_destroy(&c->mu);
	free(c);
	errno = ENOMEM;
	return NULL;
}

void
lc_idx_capture_hook(struct lc_idx_capture *c, struct lc_block_hook *h)
{
	memset(h, 0, sizeof(*h));
	h->sealed = sealed;
	h->record = record;
	h->summarise = summarise;
	h->arg = c;
	h->published = published;
	h->deleted = deleted;
}

int
lc_idx_capture_start(struct lc_idx_capture *c)
{
	int r = pthread_create(&c->thread, NULL, index_thread, c);

	if (r != 0)
		return -r;
	c->running = true;
	return 0;
}

unsigned int
lc_idx_capture_stop(struct lc_idx_capture *c, FILE *log)
{
	char part[PATH_MAX + 16], final[PATH_MAX + 16];
	unsigned int i, dropped = 0;

	if (c->running) {
		c->stop = 1;
		pthread_join(c->thread, NULL);
		c->running = false;
	}
	for (i = 0; i < c->nb; i++) {
		struct idx_writer *w = &c->w[i];

		drain(c, w);
		discard(w); /* a file whose end was never seen */
		if (w->done[0] != '\0') {
			part_path(w->done, part, sizeof(part));
			if (lc_idx_path(w->done, final, sizeof(final)) < 0 ||
					rename(part, final) < 0)
				__atomic_fetch_add(&w->dropped, 1, __ATOMIC_RELAXED);
			w->done[0] = '\0';
		}
		dropped += __atomic_load_n(&w->dropped, __ATOMIC_RELAXED);
	}
	if (dropped > 0 && log != NULL)
		fprintf(log,
				"linecap: --index: %u file(s) left without an index (the index "
				"could "
				"not keep up or not be written); `linecap index FILE` builds it\n",
				dropped);
	return dropped;
}

void
lc_idx_capture_destroy(struct lc_idx_capture *c)
{
	unsigned int i;

	if (c == NULL)
		return;
	if (c->running)
		lc_idx_capture_stop(c, NULL);
	for (i = 0; i < c->nb; i++) {
		lc_idx_acc_free(&c->w[i].acc);
		free(c->w[i].ring);
	}
	free(c->w);
	pthread_mutex_destroy(&c->mu);
	free(c);
}
