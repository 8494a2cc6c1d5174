/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The writer's block ring: take, seal, submit, retire in file order.
 *
 * Records are appended whole: a block has `block_size` bytes plus room for
 * one maximal record, so no record is split in memory. When a block reaches
 * `block_size`, exactly `block_size` bytes are submitted and the straddling
 * record's tail is carried to the front of the next block. Blocks retire in
 * file order; a packet counts as written when the block holding the last
 * byte of its record retires. A failed block is resubmitted in place every
 * 100 ms; while it holds every buffer, the writer is blocked: new packets
 * are dropped and counted as write errors. Once the medium takes a write
 * again (space came back), the failed blocks behind it go at once, not
 * 100 ms apart each: a full disk freed just before the stop still ends the
 * run with every block written.
 */
#include <errno.h>
#include <string.h>

#include <rte_branch_prediction.h>
#include <rte_common.h>
#include <rte_cycles.h>

#include "datapath/record.h"
#include "datapath/tasks.h"

void
lc_ring_settle(struct lc_writer_task *w, struct lc_wblock *b, bool ok)
{
	uint16_t r;

	for (r = 0; r < w->nb_rings; r++) {
		if (b->pend[r] == 0)
			continue;
		if (ok) {
			lc_counter_add(&w->cnt[r]->written, b->pend[r]);
			lc_counter_add(&w->cnt[r]->written_bytes, b->pend_bytes[r]);
		} else {
			lc_counter_add(&w->cnt[r]->write_errors, b->pend[r]);
		}
		b->pend[r] = 0;
		b->pend_bytes[r] = 0;
	}
}

static void
submit(struct lc_writer_task *w, struct lc_wblock *b, size_t len)
{
	struct lc_medium *m = &w->files[b->file].medium;
	int ret;

	b->len = len;
	b->submit_tsc = rte_rdtsc();
	ret = m->ops->submit(m, b->wbuf, len, b->woff, (unsigned int)(b - w->blocks));
	w->write_calls++;
	b->state = ret == 0 ? LC_BLOCK_INFLIGHT : LC_BLOCK_FAILED;
	b->res = ret;
	if (ret != 0)
		lc_bw_done(&w->bw, ret, 0, w->tsc_hz);
}

static void
mark_done(struct lc_writer_task *w, unsigned int tag, int res)
{
	w->blocks[tag].state = res == 0 ? LC_BLOCK_DONE : LC_BLOCK_FAILED;
	w->blocks[tag].res = res;
	if (res == 0)
		w->retry_tsc = 0; /* the medium takes writes: a failed block need not wait */
	lc_bw_done(&w->bw, res, rte_rdtsc() - w->blocks[tag].submit_tsc, w->tsc_hz);
}

/* Collect the completions of every file with writes in flight. */
static void
reap_all(struct lc_writer_task *w)
{
	unsigned int i, tag;
	int res;

	for (i = 0; i < LC_WRITER_FILES; i++) {
		struct lc_medium *m = &w->files[i].medium;

		if (w->files[i].busy && m->ops != NULL)
			while (m->ops->reap(m, &tag, &res, false) == 1)
				mark_done(w, tag, res);
	}
}

/* The oldest block is on the medium: its packets are written. */
static void
retire_one(struct lc_writer_task *w, struct lc_wblock *b)
{
	lc_ring_settle(w, b, true);
	b->state = LC_BLOCK_FREE;
	w->head++;
	if (b->last_of_file) {
		b->last_of_file = false;
		lc_file_retired(w, b->file);
	} else {
		w->files[b->file].boundary =
				w->z != NULL ? b->zwhole : b->offset + b->len - b->tail_partial;
	}
}

/* The oldest block failed: resubmit it on time. True if it is in flight again. */
static bool
retry_failed(struct lc_writer_task *w, struct lc_wblock *b)
{
	w->last_errno = -b->res;
	/* --on-disk-full stop: end capture now; the file ends at its last whole record. */
	if (w->stop_on_disk_full && (w->last_errno == ENOSPC || w->last_errno == EDQUOT))
		w->shared->stop = 1;
	if (!w->files[b->file].medium.seekable) {
		/* A pipe cannot take back a partial write: end capture. */
		w->shared->fatal_errno = w->last_errno;
		w->shared->fatal = 1;
		return false;
	}
	if (rte_rdtsc() < w->retry_tsc)
		return false;
	w->retry_tsc = rte_rdtsc() + w->tsc_hz / 10;
	submit(w, b, b->len);
	return b->state != LC_BLOCK_FAILED;
}

/* Wait for one completion of the oldest block's file. */
static bool
wait_one(struct lc_writer_task *w, struct lc_wblock *b)
{
	struct lc_medium *m = &w->files[b->file].medium;
	unsigned int tag;
	int res;

	if (m->ops->reap(m, &tag, &res, true) != 1)
		return false;
	mark_done(w, tag, res);
	return true;
}

void
lc_ring_retire(struct lc_writer_task *w, bool wait)
{
	reap_all(w);
	while (w->head != w->tail) {
		struct lc_wblock *h = &w->blocks[w->head % LC_WRITER_BLOCKS];

		if (h->state == LC_BLOCK_DONE) {
			retire_one(w, h);
			wait = false; /* a block is free now */
		} else if (h->state == LC_BLOCK_FAILED) {
			if (!retry_failed(w, h))
				return;
		} else if (!wait || !wait_one(w, h)) {
			return;
		}
	}
}

/* Nothing to write (yet): the block retires with the next retirement. */
static void
done_at_once(struct lc_wblock *b)
{
	b->len = 0;
	b->state = LC_BLOCK_DONE;
	b->res = 0;
}

void
lc_ring_frame_pend(struct lc_writer_task *w, struct lc_wblock *b, uint64_t done,
		const struct lc_zout *o)
{
	struct lc_zwriter *z = w->z;
	uint16_t r;

	for (r = 0; r < w->nb_rings; r++) {
		uint32_t own = b->pend[r];
		uint64_t own_bytes = b->pend_bytes[r];

		if (done >= o->frame_end) {
			/* This frame and the carried ones end in this write. */
			b->pend[r] += z->pend[r];
			b->pend_bytes[r] += z->pend_bytes[r];
			z->pend[r] = 0;
			z->pend_bytes[r] = 0;
		} else if (done >= o->frame_start) {
			/* Only the carried frames end in it; this one waits for the next write. */
			b->pend[r] = z->pend[r];
			b->pend_bytes[r] = z->pend_bytes[r];
			z->pend[r] = own;
			z->pend_bytes[r] = own_bytes;
		} else {
			b->pend[r] = 0;
			b->pend_bytes[r] = 0;
			z->pend[r] += own;
			z->pend_bytes[r] += own_bytes;
		}
	}
}

/*
 * --compress: the block's records become one zstd frame, written behind the
 * carried tail up to the last aligned byte (O_DIRECT); a file's last block
 * is padded and its exact (compressed) length kept for the cut at close.
 */
static void
seal_frame(struct lc_writer_task *w, struct lc_wblock *b, size_t len)
{
	struct lc_wfile *f = &w->files[b->file];
	bool direct = f->medium.direct;
	struct lc_zout o;
	size_t n;

	if (unlikely(lc_zframe(w->z, (unsigned int)(b - w->blocks), b->buf, len,
				     LC_ZHEAD(w, b->offset), &o) < 0)) {
		/* Cannot happen (the buffer has zstd's bound): lose the block, counted. */
		if (unlikely(w->hook.sealed != NULL))
			lc_ring_hook(w, b, len, NULL);
		lc_ring_settle(w, b, false);
		b->zwhole = w->z->boundary;
		done_at_once(b);
		return;
	}
	if (unlikely(w->hook.sealed != NULL))
		lc_ring_hook(w, b, len, &o); /* the hook learns where the frame went */
	if (b->last_of_file) {
		n = direct ? RTE_ALIGN_CEIL(o.whole, LC_BLOCK_ALIGN) : o.whole;
		memset(o.buf + o.whole, 0, n - o.whole);
		f->len = o.frame_end;
	} else {
		n = direct ? RTE_ALIGN_FLOOR(o.whole, LC_BLOCK_ALIGN) : o.whole;
	}
	lc_ring_frame_pend(w, b, o.off + n, &o);
	b->zwhole = lc_zcommit(w->z, &o, n, n, b->last_of_file);
	b->wbuf = o.buf;
	b->woff = o.off;
	if (n == 0)
		done_at_once(b);
	else
		submit(w, b, n);
}

void
lc_ring_seal(struct lc_writer_task *w, size_t len, size_t submit_len)
{
	struct lc_wblock *b = LC_RING_CUR(w);

	if (unlikely(w->hook.sealed != NULL) && w->z == NULL)
		lc_ring_hook(w, b, len, NULL); /* --compress: seal_frame calls it */
	w->next_off = b->offset + len;
	b->wbuf = b->buf;
	b->woff = b->offset;
	if (w->z != NULL) {
		seal_frame(w, b, len);
	} else if (submit_len == 0) {
		b->len = 0;
		b->state = LC_BLOCK_DONE;
		b->res = 0;
	} else {
		submit(w, b, submit_len);
	}
	w->tail++;
	w->blk = &w->blocks[w->tail % LC_WRITER_BLOCKS];
}

bool
lc_ring_advance(struct lc_writer_task *w)
{
	struct lc_wblock *n;

	lc_ring_retire(w, false);
	if (LC_RING_BUSY(w) == LC_WRITER_BLOCKS && !w->blocked)
		lc_ring_retire(w, true); /* every block busy: wait for the disk, not the CPU */
	if (LC_RING_BUSY(w) == LC_WRITER_BLOCKS) {
		w->blocked = true; /* a failed block holds the buffers */
		lc_writer_limits(w);
		return false;
	}
	n = LC_RING_CUR(w);
	n->state = LC_BLOCK_FILLING;
	n->file = (uint8_t)w->fcur;
	n->offset = w->next_off;
	n->tail_partial = 0;
	n->last_of_file = false;
	n->first_rec = w->carry_len;
	memcpy(n->buf, w->carry, w->carry_len);
	if (w->carry_len > 0) {
		/* The straddler is written when this block retires. */
		n->pend[w->carry_ring]++;
		n->pend_bytes[w->carry_ring] += w->carry_rec_len;
	}
	w->buf = n->buf;
	w->used = w->carry_len;
	w->carry_len = 0;
	w->flushed = 0;
	w->flush_tsc = 0;
	w->blocked = false;
	lc_writer_limits(w);
	return true;
}

void
lc_ring_seal_frame_written(struct lc_writer_task *w, const struct lc_zout *o)
{
	struct lc_wblock *b = LC_RING_CUR(w);
	bool direct = w->files[b->file].medium.direct;

	if (unlikely(w->hook.sealed != NULL))
		lc_ring_hook(w, b, w->used, o);
	w->next_off = b->offset + w->used;
	lc_ring_frame_pend(w, b, o->off + o->whole, o);
	/* The next O_DIRECT write starts aligned and rewrites the tail as it is. */
	b->zwhole = lc_zcommit(w->z, o,
			direct ? RTE_ALIGN_FLOOR(o->whole, LC_BLOCK_ALIGN) : o->whole, o->whole,
			false);
	done_at_once(b);
	w->tail++;
	w->blk = &w->blocks[w->tail % LC_WRITER_BLOCKS];
	lc_ring_advance(w);
}

void
lc_ring_seal_full(struct lc_writer_task *w, uint16_t r, uint32_t rec_len)
{
	struct lc_wblock *b = LC_RING_CUR(w);
	size_t over = w->used - w->block_size;

	if (w->z != NULL) {
		/* A frame holds whole records: the straddler stays (the slack has room). */
		b->tail_partial = 0;
		lc_ring_seal(w, w->used, w->used);
		lc_ring_advance(w);
		return;
	}

	b->tail_partial = over ? rec_len - (uint32_t)over : 0;
	if (over) {
		/* The straddler counts in the block that holds its last byte. */
		b->pend[r]--;
		b->pend_bytes[r] -= rec_len;
		memcpy(w->carry, b->buf + w->block_size, over);
	}
	w->carry_len = (uint32_t)over;
	w->carry_ring = r;
	w->carry_rec_len = rec_len;
	lc_ring_seal(w, w->block_size, w->block_size);
	lc_ring_advance(w);
}

void
lc_ring_wait_all(struct lc_writer_task *w)
{
	while (w->head != w->tail && !w->shared->fatal) {
		unsigned int before = w->head;

		/* Every failed block gets its try now, not only the oldest. */
		w->retry_tsc = 0;
		lc_ring_retire(w, true);
		if (w->head == before &&
				w->blocks[before % LC_WRITER_BLOCKS].state == LC_BLOCK_FAILED)
			break;
	}
	if (w->blocked)
		lc_ring_advance(w);
}

void
lc_ring_give_up(struct lc_writer_task *w)
{
	unsigned int i, tag;
	int res;

	for (i = 0; i < LC_WRITER_FILES; i++) {
		struct lc_medium *m = &w->files[i].medium;

		while (w->files[i].busy && m->ops != NULL && m->uring != NULL &&
				m->ops->reap(m, &tag, &res, true) == 1)
			;
	}
	for (i = 0; i < LC_WRITER_BLOCKS; i++)
		lc_ring_settle(w, &w->blocks[i], false);
	for (i = 0; w->z != NULL && i < w->nb_rings; i++) {
		/* Frames whose tails never reached the medium. */
		lc_counter_add(&w->cnt[i]->write_errors, w->z->pend[i]);
		w->z->pend[i] = 0;
		w->z->pend_bytes[i] = 0;
	}
	if (w->carry_len > 0)
		lc_counter_add(&w->cnt[w->carry_ring]->write_errors, 1);
	w->carry_len = 0;
	w->used = 0;
}

void
lc_ring_hook(struct lc_writer_task *w, const struct lc_wblock *b, size_t len,
		const struct lc_zout *o)
{
	const struct lc_wfile *f = &w->files[b->file];
	struct lc_block_info bi = {
			.data = b->buf,
			.len = len,
			.offset = b->offset,
			.writer = w->id,
			.file_seq = f->seq,
			.path = f->medium.path,
			.last_of_file = b->last_of_file,
			.first_record = (uint32_t)len,
	};
	size_t p = b->first_rec;

	if (w->hook.sealed == NULL || len == 0)
		return;
	if (o != NULL) {
		bi.zdata = o->buf;
		bi.zdata_off = o->off;
		bi.zoffset = o->frame_start;
		bi.zend = o->frame_end;
	}
	/*
	 * The record that straddles the end is whole in memory: its header can be
	 * read. A record tap has seen every record already: no walk.
	 */
	while (w->hook.record == NULL && p < len) {
		uint64_t ns = 0;
		bool pkt;
		uint32_t rl = lc_record_peek(w->record, b->buf + p, w->nanosecond, &ns, &pkt);

		if (rl == 0)
			break;
		if (pkt) {
			if (bi.nb_records == 0) {
				bi.first_record = (uint32_t)p;
				bi.first_ns = ns;
			}
			bi.last_ns = ns;
			bi.nb_records++;
		}
		p += rl;
	}
	w->hook.sealed(&bi, w->hook.arg);
}
