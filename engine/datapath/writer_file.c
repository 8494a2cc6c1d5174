/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The writer's file layer, above the block ring (datapath/block_ring.c).
 *
 * Rotation (-C, -G) happens between two records: the file's statistics
 * (pcapng) are appended, its last block is sealed (padded to the O_DIRECT
 * alignment; the control thread cuts the file to its exact length) and the
 * next file, opened ahead of time by the control thread, takes the next
 * block. When a rotated file's last block retires, the file is handed to
 * the control thread (core/rotate.c), which closes, renames and publishes
 * it.
 *
 * Light traffic: records that wait in the block being filled longer than
 * --flush-ms are written to the file (datapath flush below), so a reader,
 * a crash or a power cut finds them on the medium.
 */
#include <errno.h>
#include <string.h>

#include <rte_common.h>
#include <rte_cycles.h>
#include <rte_pause.h>

#include "datapath/tasks.h"

/*
 * -G while idle: a file is closed this long after its window ends, so that a
 * packet stamped just before the boundary but not yet dequeued still joins it.
 */
#define IDLE_CLOSE_GRACE_NS UINT64_C(20000000)

/* Hand a finished file to the control thread; its slot is free again. */
static void
hand_off(struct lc_writer_task *w, struct lc_wfile *f)
{
	struct lc_rotation *rot = w->rot;
	uint32_t head = rot->q_head;
	struct lc_done_file *d;

	/* The control thread empties the queue every millisecond. */
	while (head - __atomic_load_n(&rot->q_tail, __ATOMIC_ACQUIRE) >= LC_ROTATE_QUEUE)
		rte_pause();
	d = &rot->queue[head % LC_ROTATE_QUEUE];
	d->medium = f->medium;
	d->len = f->len;
	d->start_ns = f->start_ns;
	__atomic_store_n(&rot->q_head, head + 1, __ATOMIC_RELEASE);
	f->busy = false;
	f->medium.fd = -1;
	f->medium.uring = NULL;
}

void
lc_file_retired(struct lc_writer_task *w, unsigned int slot)
{
	hand_off(w, &w->files[slot]);
}

/* The ring's interface counters so far (pcapng ISB); relaxed reads only. */
static void
if_stats(const struct lc_writer_task *w, uint16_t r, uint64_t now, struct lc_if_stats *st)
{
	const struct lc_rx_counters *rc = w->producers[r]->cnt;

	st->start_ns = w->start_ns;
	st->end_ns = now;
	st->ifrecv = lc_counter_read(&rc->received);
	st->ifdrop = lc_counter_read(&rc->ring_full) + lc_counter_read(&w->cnt[r]->write_errors) +
		     lc_counter_read(&rc->ps_drop);
	st->filteraccept = st->ifrecv - lc_counter_read(&rc->filtered);
}

/* End-of-file statistics, one per interface; the block's slack has room. */
static void
append_stats(struct lc_writer_task *w)
{
	uint64_t now;
	uint16_t r;

	if (w->format->if_stats == NULL)
		return;
	if (w->refresh_stats != NULL)
		w->refresh_stats(w->refresh_arg);
	now = lc_clock_ns(&w->clock, rte_rdtsc());
	for (r = 0; r < w->nb_rings; r++) {
		struct lc_if_stats st;

		if_stats(w, r, now, &st);
		w->used += w->format->if_stats(
				w->buf + w->used, LC_IF_STATS_MAX, r, w->nanosecond, &st);
	}
}

/*
 * End the open file after its last whole record: statistics, then its last
 * block is sealed (padded for O_DIRECT); the next block waits for the next
 * file. The file keeps its slot until that block retires.
 */
static void
close_file(struct lc_writer_task *w)
{
	struct lc_wblock *b = LC_RING_CUR(w);
	struct lc_wfile *f = &w->files[w->fcur];
	size_t len, padded;

	append_stats(w);
	len = w->used;
	padded = len;
	if (f->medium.direct) {
		padded = RTE_ALIGN_CEIL(len, LC_BLOCK_ALIGN);
		memset(b->buf + len, 0, padded - len);
	}
	f->len = b->offset + len;
	b->last_of_file = true;
	b->tail_partial = 0;
	w->file_open = false;
	if (w->rot->period_ns != 0)
		w->min_window = w->rot_end_ns;
	w->rot_end_ns = 0; /* the next packet opens the next file */
	lc_ring_seal(w, len, padded);
	lc_ring_advance(w);
}

/* Take the file the control thread opened ahead; its header starts the block. */
static int
open_file(struct lc_writer_task *w, uint64_t ns)
{
	struct lc_rotation *rot = w->rot;
	unsigned int slot = (w->fcur + 1) % LC_WRITER_FILES;
	struct lc_wfile *f = &w->files[slot];
	struct lc_wblock *b = LC_RING_CUR(w);

	if (f->busy)
		return -1; /* cannot happen (LC_WRITER_FILES): count, do not corrupt */
	/* Opened ahead, so this only waits when files rotate faster than open(2). */
	while (!__atomic_load_n(&rot->spare_ready, __ATOMIC_ACQUIRE)) {
		if (w->shared->fatal)
			return -1;
		rte_pause();
	}
	f->medium = rot->spare;
	__atomic_store_n(&rot->spare_ready, 0, __ATOMIC_RELEASE);
	f->busy = true;
	f->seq = w->file_seq++;
	f->boundary = 0;
	w->fcur = slot;
	w->o_direct |= f->medium.direct;
	b->file = (uint8_t)slot;
	b->offset = 0;
	b->first_rec = (uint32_t)w->header_len;
	memcpy(b->buf, w->header, w->header_len);
	w->used = w->header_len;
	w->flushed = 0;
	w->flush_tsc = 0;
	if (rot->period_ns != 0) {
		/* Windows are aligned to the epoch, so -G 60 switches on the minute. */
		uint64_t win = RTE_MAX(ns - ns % rot->period_ns, w->min_window);

		w->file_start_ns = win;
		w->rot_end_ns = win + rot->period_ns;
	} else {
		w->file_start_ns = ns;
		w->rot_end_ns = UINT64_MAX;
	}
	f->start_ns = w->file_start_ns;
	w->file_open = true;
	lc_writer_limits(w);
	return 0;
}

/* The open file holds no record yet (only its header). */
static bool
file_empty(const struct lc_writer_task *w)
{
	return LC_RING_CUR(w)->offset == 0 && w->used == w->header_len;
}

int
lc_file_rotate(struct lc_writer_task *w, uint64_t ns)
{
	if (w->rot == NULL)
		return 0;
	if (w->file_open) {
		/* -C: a record larger than the limit still gets a file of its own. */
		if (ns < w->rot_end_ns && file_empty(w))
			return 0;
		close_file(w);
	}
	if (w->blocked)
		return -1;
	return open_file(w, ns);
}

/*
 * --compress -C: a block sealed early holds at least this much, so that a
 * file ends with a few small frames, not a long tail of tiny ones; the
 * file then ends within this many uncompressed bytes of the limit.
 */
#define SEAL_EARLY_MIN 16384u

bool
lc_file_seal_early(struct lc_writer_task *w, uint64_t ns, uint32_t caplen)
{
	if (!w->file_open || ns >= w->rot_end_ns || file_empty(w) || w->used < SEAL_EARLY_MIN)
		return false;
	lc_ring_seal(w, w->used, w->used);
	return lc_ring_advance(w) && w->used + caplen <= w->room;
}

/* A pipe reader wants packets now, not when a block fills. */
static void
flush_pipe(struct lc_writer_task *w)
{
	struct lc_wblock *b = LC_RING_CUR(w);
	struct lc_wfile *f = &w->files[b->file];
	unsigned int tag;
	int res = 0;

	if (unlikely(w->hook.sealed != NULL))
		lc_ring_hook(w, b, w->used, NULL);
	w->write_calls++;
	if (f->medium.ops->submit(&f->medium, b->buf, w->used, b->offset,
			    (unsigned int)(b - w->blocks)) < 0 ||
			f->medium.ops->reap(&f->medium, &tag, &res, true) != 1 || res < 0) {
		w->last_errno = res < 0 ? -res : EIO;
		lc_ring_settle(w, b, false);
		/* The stream may hold part of a record now: it cannot go on. */
		w->shared->fatal_errno = w->last_errno;
		w->shared->fatal = 1;
		w->blocked = true;
		lc_writer_limits(w);
		return;
	}
	lc_ring_settle(w, b, true);
	b->offset += w->used;
	b->first_rec = 0;
	f->boundary = b->offset;
	w->used = 0;
	lc_writer_limits(w);
}

/*
 * --flush-ms: the block being filled has held records for flush_ms. Write
 * what is new in it since the last flush, exactly, without padding (the
 * medium bypasses O_DIRECT for it), so the file ends at its last whole
 * record; the block keeps filling, and is written whole at its seal as
 * always. The flushed records are on the medium: they count as written.
 * Only when nothing is in flight: writes to the file stay in order.
 */
static void
flush_file(struct lc_writer_task *w, uint64_t now)
{
	struct lc_wblock *b = LC_RING_CUR(w);
	struct lc_wfile *f = &w->files[b->file];
	struct lc_zout o;
	int r;

	w->write_calls++;
	if (w->z != NULL) {
		/*
		 * --compress: a frame cannot grow once written, so the block ends
		 * here as a frame of its own, written exactly like the bytes below.
		 */
		r = lc_zframe(w->z, (unsigned int)(b - w->blocks), b->buf, w->used,
				    LC_ZHEAD(w, b->offset), &o) < 0
				    ? -EIO
				    : f->medium.ops->flush(&f->medium, o.buf, o.whole, o.off);
		if (r < 0) {
			w->last_errno = -r;
			w->flush_tsc = now + w->flush_cycles;
			return;
		}
		lc_ring_seal_frame_written(w, &o);
		return;
	}
	r = f->medium.ops->flush(&f->medium, b->buf + w->flushed, w->used - w->flushed,
			b->offset + w->flushed);
	if (r < 0) {
		/* The records stay in the block, written (or lost) with it. */
		w->last_errno = -r;
		w->flush_tsc = now + w->flush_cycles;
		return;
	}
	lc_ring_settle(w, b, true);
	w->flushed = w->used;
	f->boundary = b->offset + w->used;
	w->flush_tsc = 0;
}

/* Records wait in the block being filled: arm the deadline, or flush on it. */
static void
flush_due(struct lc_writer_task *w)
{
	uint64_t now = rte_rdtsc();

	if (w->flush_tsc == 0)
		w->flush_tsc = now + w->flush_cycles;
	else if (now >= w->flush_tsc && w->head == w->tail)
		flush_file(w, now);
}

void
lc_file_idle(struct lc_writer_task *w)
{
	const struct lc_medium *m = &w->files[w->fcur].medium;

	if (w->head != w->tail)
		lc_ring_retire(w, false);
	if (w->blocked)
		return;
	if (m->is_pipe) {
		if (w->used > 0 && w->head == w->tail)
			flush_pipe(w);
	} else if (w->flush_cycles != 0 && w->used > w->flushed && w->file_open && m->seekable) {
		flush_due(w);
	}
	if (w->rot != NULL && w->rot->period_ns != 0 && w->file_open &&
			lc_clock_ns(&w->clock, rte_rdtsc()) >= w->rot_end_ns + IDLE_CLOSE_GRACE_NS)
		close_file(w); /* publish now, not at the next packet */
}

/* Rotating writer at exit: publish the open file, or what is valid of each. */
static int
finish_rotating(struct lc_writer_task *w)
{
	unsigned int i;

	lc_ring_wait_all(w);
	if (w->head == w->tail && !w->blocked && w->file_open) {
		close_file(w);
		lc_ring_wait_all(w);
	}
	if (w->head == w->tail && !w->blocked && !w->file_open)
		return 0;
	/* Cut every unfinished file back to its last whole record, oldest first. */
	lc_ring_give_up(w);
	for (i = 1; i <= LC_WRITER_FILES; i++) {
		struct lc_wfile *f = &w->files[(w->fcur + i) % LC_WRITER_FILES];

		if (!f->busy)
			continue;
		f->medium.ops->close(&f->medium, NULL, 0, f->boundary, f->boundary);
		f->len = f->boundary;
		hand_off(w, f);
	}
	w->file_open = false;
	w->end_failed = true;
	return -(w->last_errno ? w->last_errno : EIO);
}

/* --compress, one file: its last frame, behind the carried tail, ends the file. */
static int
close_frame(struct lc_writer_task *w, struct lc_wblock *c, struct lc_wfile *f)
{
	struct lc_zout o, none = {0};

	int r = lc_zframe(w->z, (unsigned int)(c - w->blocks), c->buf, w->used,
			LC_ZHEAD(w, c->offset), &o);

	if (unlikely(w->hook.sealed != NULL))
		lc_ring_hook(w, c, w->used, r < 0 ? NULL : &o);
	if (r < 0) {
		lc_ring_frame_pend(w, c, 0, &none); /* the carried frames are lost with c */
		f->medium.ops->close(&f->medium, NULL, 0, f->boundary, f->boundary);
		return -EIO;
	}
	lc_ring_frame_pend(w, c, o.off + o.whole, &o);
	lc_zcommit(w->z, &o, o.whole, o.whole, true);
	return f->medium.ops->close(&f->medium, o.buf, o.whole, o.off, f->boundary);
}

int
lc_writer_finish(struct lc_writer_task *w)
{
	struct lc_wfile *f = &w->files[0];
	struct lc_wblock *c;
	int ret = 0, r;

	if (w->rot != NULL)
		return finish_rotating(w);
	if (f->medium.ops == NULL || f->medium.fd < 0)
		return 0;
	lc_ring_wait_all(w);
	if (w->head != w->tail || w->blocked) {
		ret = -(w->last_errno ? w->last_errno : EIO);
		w->end_failed = true;
		lc_ring_give_up(w);
		f->medium.ops->close(&f->medium, NULL, 0, f->boundary, f->boundary);
		f->busy = false;
		return ret;
	}
	append_stats(w);
	c = LC_RING_CUR(w);
	c->last_of_file = true;
	if (unlikely(w->hook.sealed != NULL) && w->z == NULL)
		lc_ring_hook(w, c, w->used, NULL); /* --compress: close_frame calls it */
	if (w->z != NULL)
		r = close_frame(w, c, f);
	else
		r = f->medium.ops->close(&f->medium, c->buf, w->used, c->offset, f->boundary);
	lc_ring_settle(w, c, r == 0);
	if (r < 0) {
		w->last_errno = -r;
		w->end_failed = true;
		ret = r;
	}
	f->busy = false;
	w->used = 0;
	return ret;
}
