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

#include "index/idx_capture.h"
#include "index/idx_live.h"
#include "index/index.h"

#define RING_SLOTS 256u /* per writer: about 1 MiB of entries, 64 MiB of capture */
#define SLOT_DATA (LC_IDX_ENTRY_FIXED + LC_IDX_DEFAULT_BLOOM)
#define NAP_NS (1000L * 1000)

_Static_assert(SLOT_DATA >= PATH_MAX, "a slot holds a path");

enum slot_kind { SLOT_BEGIN, SLOT_ENTRY, SLOT_END_OK, SLOT_END_FAIL };

struct slot {
	uint32_t kind;
	uint32_t len;
	uint8_t data[SLOT_DATA];
};

struct idx_writer {
	/* The writer's thread. */
	struct lc_idx_live live;
	bool active, broken;
	uint32_t head;
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
	bool rotating, running;
	volatile int stop;
	pthread_t thread;
	pthread_mutex_t mu;
};

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

/* One slot is always kept for the file's end. */
static void
emit(const uint8_t *entry, size_t len, void *arg)
{
	struct idx_writer *w = arg;
	struct slot *s;

	if (w->broken)
		return;
	s = slot_get(w, 2);
	if (s == NULL || len > SLOT_DATA) {
		w->broken = true;
		return;
	}
	s->kind = SLOT_ENTRY;
	s->len = (uint32_t)len;
	memcpy(s->data, entry, len);
	slot_push(w);
}

static void
end_file(struct idx_writer *w, bool ok)
{
	uint8_t hdr[LC_IDX_HDR_SIZE];
	struct slot *s;

	if (lc_idx_live_finish(&w->live, hdr) < 0 || w->broken)
		ok = false;
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

static void
begin_file(struct idx_writer *w, const char *path)
{
	size_t n = strlen(path);
	struct slot *s;

	lc_idx_live_reset(&w->live);
	w->active = true;
	w->broken = false;
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

static void
sealed(const struct lc_block_info *b, void *arg)
{
	struct lc_idx_capture *c = arg;
	struct idx_writer *w;

	if (b->writer >= c->nb)
		return;
	w = &c->w[b->writer];
	if (b->offset == 0) {
		if (w->active)
			end_file(w, false); /* the last file ended without its last block */
		begin_file(w, b->path);
	}
	if (!w->active)
		return;
	lc_idx_live_feed(&w->live, b->data, b->len);
	if (b->last_of_file)
		end_file(w, true);
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
lc_idx_capture_create(unsigned int nb_writers, bool rotating)
{
	const struct lc_idx_opts o = {
			.unit_bytes = LC_IDX_DEFAULT_UNIT,
			.bloom_bytes = LC_IDX_DEFAULT_BLOOM,
			.k = LC_IDX_DEFAULT_K,
	};
	struct lc_idx_capture *c = calloc(1, sizeof(*c));
	unsigned int i;

	if (c == NULL)
		return NULL;
	c->rotating = rotating;
	pthread_mutex_init(&c->mu, NULL);
	c->w = calloc(nb_writers, sizeof(*c->w));
	if (c->w == NULL)
		goto fail;
	for (; c->nb < nb_writers; c->nb++) {
		struct idx_writer *w = &c->w[c->nb];

		w->fd = -1;
		w->ring = malloc(RING_SLOTS * sizeof(*w->ring));
		if (w->ring == NULL || lc_idx_live_init(&w->live, &o, emit, w) < 0) {
			free(w->ring);
			goto fail;
		}
	}
	return c;
fail:
	for (i = 0; c->w != NULL && i < c->nb; i++) {
		lc_idx_live_free(&c->w[i].live);
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
		lc_idx_live_free(&c->w[i].live);
		free(c->w[i].ring);
	}
	free(c->w);
	pthread_mutex_destroy(&c->mu);
	free(c);
}
