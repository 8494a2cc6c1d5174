/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Per-burst writing: dequeue from each ring, pack pcap records into the
 * current block, submit full blocks to the medium, free mbufs in bulk.
 *
 * Records are appended whole: a block has `block_size` bytes plus room for
 * one maximal record, so no record is split in memory. When a block reaches
 * `block_size`, exactly `block_size` bytes are submitted and the straddling
 * record's tail is copied to the front of the next block. Blocks retire in
 * file order; a packet counts as written when the block holding the last
 * byte of its record retires. A failed block is resubmitted in place every
 * 100 ms; while it blocks every buffer, new packets are dropped and counted
 * as write errors.
 *
 * Rotation (-C, -G) happens between two records: the file's statistics
 * (pcapng) are appended, its last block is submitted (padded to the O_DIRECT
 * alignment; the control thread cuts the file to its exact length) and the
 * next file, opened ahead of time by the control thread, takes the next
 * block. When a rotated file's last block retires, the file is handed to the
 * control thread (core/rotate.c), which closes, renames and publishes it.
 */
#include <errno.h>
#include <string.h>

#include <rte_common.h>
#include <rte_cycles.h>
#include <rte_mbuf.h>
#include <rte_mbuf_dyn.h>
#include <rte_pause.h>
#include <rte_ring.h>

#include "datapath/tasks.h"

struct pcap_rec_hdr {
	uint32_t ts_sec;
	uint32_t ts_frac; /* ns or us, as the file magic says */
	uint32_t caplen;
	uint32_t len;
};
_Static_assert(sizeof(struct pcap_rec_hdr) == LC_PCAP_RECORD_HDR_LEN, "pcap record header");

/* pcapng Enhanced Packet Block up to the packet data. */
struct epb_hdr {
	uint32_t type;
	uint32_t total_len;
	uint32_t if_id; /* the ring's index in this writer = its IDB */
	uint32_t ts_high;
	uint32_t ts_low;
	uint32_t caplen;
	uint32_t len;
};
_Static_assert(sizeof(struct epb_hdr) == LC_PCAPNG_EPB_HDR_LEN, "pcapng EPB header");

/*
 * -G while idle: a file is closed this long after its window ends, so that a
 * packet stamped just before the boundary but not yet dequeued still joins it.
 */
#define IDLE_CLOSE_GRACE_NS UINT64_C(20000000)

/* Move a block's pending records to `written` (ok) or `write_errors`. */
static void
settle(struct lc_writer_task *w, struct lc_wblock *b, bool ok)
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
submit(struct lc_writer_task *w, unsigned int idx, size_t len)
{
	struct lc_wblock *b = &w->blocks[idx];
	int ret;

	b->len = len;
	ret = b->medium->ops->submit(b->medium, b->buf, len, b->offset, idx);
	w->write_calls++;
	b->state = ret == 0 ? LC_BLOCK_INFLIGHT : LC_BLOCK_FAILED;
	b->res = ret;
}

static void
mark_done(struct lc_writer_task *w, unsigned int tag, int res)
{
	w->blocks[tag].state = res == 0 ? LC_BLOCK_DONE : LC_BLOCK_FAILED;
	w->blocks[tag].res = res;
}

/* Collect the completions of every file with writes in flight. */
static void
reap_all(struct lc_writer_task *w)
{
	unsigned int tag, i;
	int res;

	if (w->medium.ops != NULL)
		while (w->medium.ops->reap(&w->medium, &tag, &res, false) == 1)
			mark_done(w, tag, res);
	for (i = 0; i < LC_WRITER_CLOSING; i++) {
		struct lc_medium *m = &w->closing[i].medium;

		if (w->closing[i].busy)
			while (m->ops->reap(m, &tag, &res, false) == 1)
				mark_done(w, tag, res);
	}
}

/* A rotated file is all on the medium: the control thread takes it over. */
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

/* Collect completions; retire finished blocks in file order. */
static void
retire(struct lc_writer_task *w, bool wait)
{
	unsigned int tag;
	int res;

	reap_all(w);
	while (w->head != w->cur || w->blocked) {
		struct lc_wblock *h = &w->blocks[w->head];

		if (h->state == LC_BLOCK_DONE) {
			settle(w, h, true);
			h->state = LC_BLOCK_FREE;
			if (h->last_of_file) {
				h->last_of_file = false;
				hand_off(w, container_of(h->medium, struct lc_wfile, medium));
			} else if (h->medium == &w->medium) {
				w->boundary = h->offset + h->len - h->tail_partial;
			} else {
				container_of(h->medium, struct lc_wfile, medium)->boundary =
						h->offset + h->len - h->tail_partial;
			}
			w->head = (w->head + 1) % LC_WRITER_BLOCKS;
			if (w->blocked)
				return; /* the caller takes the freed block */
		} else if (h->state == LC_BLOCK_FAILED) {
			w->last_errno = -h->res;
			/* --on-disk-full stop: end capture now; the file ends at its last whole
			 * record. */
			if (w->stop_on_disk_full &&
					(w->last_errno == ENOSPC || w->last_errno == EDQUOT))
				w->shared->stop = 1;
			if (!h->medium->seekable) {
				/* A pipe cannot take back a partial write: end capture. */
				w->shared->fatal_errno = w->last_errno;
				w->shared->fatal = 1;
				return;
			}
			if (rte_rdtsc() < w->retry_tsc)
				return;
			w->retry_tsc = rte_rdtsc() + w->tsc_hz / 10;
			submit(w, w->head, h->len);
			if (h->state == LC_BLOCK_FAILED)
				return;
		} else if (h->state == LC_BLOCK_INFLIGHT && wait) {
			if (h->medium->ops->reap(h->medium, &tag, &res, true) != 1)
				return;
			mark_done(w, tag, res);
		} else {
			return;
		}
	}
}

/* Start filling the next block, with the carried straddler at its front. */
static void
take_next_block(struct lc_writer_task *w, uint64_t offset)
{
	unsigned int next = (w->cur + 1) % LC_WRITER_BLOCKS;
	struct lc_wblock *n = &w->blocks[next];

	n->state = LC_BLOCK_FILLING;
	n->medium = &w->medium;
	n->offset = offset;
	n->tail_partial = 0;
	n->last_of_file = false;
	memcpy(n->buf, w->carry, w->carry_len);
	w->used = w->carry_len;
	if (w->carry_len > 0) {
		n->pend[w->carry_ring]++;
		n->pend_bytes[w->carry_ring] += w->carry_len + w->blocks[w->cur].tail_partial;
	}
	w->carry_len = 0;
	w->cur = next;
	w->blocked = false;
}

/* blocks[cur] holds >= block_size bytes: submit it, move on. */
static void
seal_block(struct lc_writer_task *w, uint16_t r, uint32_t rec_len)
{
	struct lc_wblock *b = &w->blocks[w->cur];
	size_t over = w->used - w->block_size;
	unsigned int next = (w->cur + 1) % LC_WRITER_BLOCKS;

	b->tail_partial = over ? rec_len - (uint32_t)over : 0;
	if (over) {
		/* The straddler is written when the next block retires. */
		b->pend[r]--;
		b->pend_bytes[r] -= rec_len;
		memcpy(w->carry, b->buf + w->block_size, over);
	}
	w->carry_len = (uint32_t)over;
	w->carry_ring = r;
	submit(w, w->cur, w->block_size);
	retire(w, false);
	if (w->blocks[next].state != LC_BLOCK_FREE)
		retire(w, true); /* every block busy: wait for the disk, not the CPU */
	if (w->blocks[next].state == LC_BLOCK_FREE)
		take_next_block(w, b->offset + w->block_size);
	else
		w->blocked = true; /* a failed block holds the buffers */
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
	uint8_t *buf = w->blocks[w->cur].buf;
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
				buf + w->used, LC_IF_STATS_MAX, r, w->nanosecond, &st);
	}
}

static struct lc_wfile *
free_closing_slot(struct lc_writer_task *w)
{
	unsigned int i;

	for (i = 0; i < LC_WRITER_CLOSING; i++)
		if (!w->closing[i].busy)
			return &w->closing[i];
	return NULL;
}

/*
 * End the open file after its last whole record: statistics, then its last
 * block goes out (padded for O_DIRECT), and the next block waits for the
 * next file. -1 if the previous files still hold every closing slot (a
 * failed write being retried): the caller drops the packet and tries again.
 */
static int
close_file(struct lc_writer_task *w)
{
	struct lc_wblock *b = &w->blocks[w->cur];
	struct lc_wfile *f = free_closing_slot(w);
	unsigned int next = (w->cur + 1) % LC_WRITER_BLOCKS, i;
	size_t len;

	if (f == NULL) {
		retire(w, true);
		f = free_closing_slot(w);
		if (f == NULL)
			return -1;
	}
	append_stats(w);
	len = w->used;
	if (w->medium.direct) {
		size_t aligned = RTE_ALIGN_CEIL(len, LC_BLOCK_ALIGN);

		memset(b->buf + len, 0, aligned - len);
		len = aligned;
	}
	f->medium = w->medium;
	f->len = b->offset + w->used;
	f->boundary = w->boundary;
	f->start_ns = w->file_start_ns;
	f->busy = true;
	for (i = 0; i < LC_WRITER_BLOCKS; i++)
		if (w->blocks[i].medium == &w->medium)
			w->blocks[i].medium = &f->medium;
	w->medium.fd = -1;
	w->medium.uring = NULL;
	w->medium.nb_inflight = 0;
	w->medium.nb_done = 0;
	b->last_of_file = true;
	b->tail_partial = 0;
	if (len == 0) {
		b->len = 0;
		b->state = LC_BLOCK_DONE;
		b->res = 0;
	} else {
		submit(w, w->cur, len);
	}
	w->file_open = false;
	if (w->rot->period_ns != 0)
		w->min_window = w->rot_end_ns;
	w->rot_end_ns = 0; /* the next packet opens the next file */
	retire(w, false);
	if (w->blocks[next].state != LC_BLOCK_FREE)
		retire(w, true);
	if (w->blocks[next].state == LC_BLOCK_FREE)
		take_next_block(w, 0);
	else
		w->blocked = true;
	return 0;
}

/* Take the file the control thread opened ahead; its header starts the block. */
static int
open_file(struct lc_writer_task *w, uint64_t ns)
{
	struct lc_rotation *rot = w->rot;
	struct lc_wblock *b = &w->blocks[w->cur];

	/* Opened ahead, so this only waits when files rotate faster than open(2). */
	while (!__atomic_load_n(&rot->spare_ready, __ATOMIC_ACQUIRE)) {
		if (w->shared->fatal)
			return -1;
		rte_pause();
	}
	w->medium = rot->spare;
	__atomic_store_n(&rot->spare_ready, 0, __ATOMIC_RELEASE);
	w->o_direct |= w->medium.direct;
	b->medium = &w->medium;
	b->offset = 0;
	memcpy(b->buf, w->header, w->header_len);
	w->used = w->header_len;
	w->boundary = 0;
	w->file_pkts = 0;
	if (rot->period_ns != 0) {
		/* Windows are aligned to the epoch, so -G 60 switches on the minute. */
		uint64_t win = RTE_MAX(ns - ns % rot->period_ns, w->min_window);

		w->file_start_ns = win;
		w->rot_end_ns = win + rot->period_ns;
	} else {
		w->file_start_ns = ns;
		w->rot_end_ns = UINT64_MAX;
	}
	w->file_open = true;
	return 0;
}

/* A record stamped `ns` does not belong to the open file (or none is open). */
static int
rotate(struct lc_writer_task *w, uint64_t ns)
{
	if (w->rot == NULL)
		return 0;
	if (w->file_open) {
		/* -C: a record larger than the limit still gets a file of its own. */
		if (ns < w->rot_end_ns && w->file_pkts == 0)
			return 0;
		if (close_file(w) < 0)
			return -1;
	}
	if (w->blocked)
		return -1;
	return open_file(w, ns);
}

static uint32_t
put_epb(uint8_t *p, uint16_t if_id, uint64_t ts, uint32_t caplen, uint32_t len)
{
	uint32_t pad = (4u - (caplen & 3u)) & 3u;
	uint32_t total = LC_PCAPNG_EPB_HDR_LEN + caplen + pad + 4u;
	struct epb_hdr h = {
			.type = LC_PCAPNG_EPB,
			.total_len = total,
			.if_id = if_id,
			.ts_high = (uint32_t)(ts >> 32),
			.ts_low = (uint32_t)ts,
			.caplen = caplen,
			.len = len,
	};

	memcpy(p, &h, sizeof(h));
	memset(p + sizeof(h) + caplen, 0, pad);
	memcpy(p + sizeof(h) + caplen + pad, &total, sizeof(total));
	return total;
}

/*
 * Room for the next record of `caplen` bytes: opens or rotates the file as
 * needed and returns where its data goes, or NULL if it cannot be stored
 * (the caller counts it as a write error).
 */
static inline uint8_t *
record_begin(struct lc_writer_task *w, uint64_t ns, uint32_t caplen)
{
	if (w->blocked)
		return NULL;
	/* One test per packet: no file, a -G window passed, or -C reached. */
	if (unlikely(ns >= w->rot_end_ns ||
			    w->blocks[w->cur].offset + w->used + caplen +
							    w->format->record_overhead >
					    w->rot_size) &&
			rotate(w, ns) < 0)
		return NULL;
	return w->blocks[w->cur].buf + w->used + w->rec_hdr_len;
}

/* The data is in place (record_begin): write the record's header, count it, seal when full. */
static inline void
record_end(struct lc_writer_task *w, uint16_t r, uint64_t ns, uint32_t caplen, uint32_t wire_len)
{
	struct lc_wblock *b = &w->blocks[w->cur];
	uint32_t rec;

	if (w->format->record == LC_RECORD_PCAPNG_EPB) {
		rec = put_epb(b->buf + w->used, r, w->nanosecond ? ns : ns / 1000u, caplen,
				wire_len);
	} else {
		struct pcap_rec_hdr h = {
				.ts_sec = (uint32_t)(ns / 1000000000u),
				.ts_frac = (uint32_t)(ns % 1000000000u),
				.caplen = caplen,
				.len = wire_len,
		};

		if (!w->nanosecond)
			h.ts_frac /= 1000u;
		memcpy(b->buf + w->used, &h, sizeof(h));
		rec = (uint32_t)sizeof(h) + caplen;
	}
	w->used += rec;
	w->file_pkts++;
	b->pend[r]++;
	b->pend_bytes[r] += rec;
	if (w->used >= w->block_size)
		seal_block(w, r, rec);
}

static void
append_burst(struct lc_writer_task *w, uint16_t r, struct rte_mbuf **pkts, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		const struct rte_mbuf *m = pkts[i];
		uint64_t ns = *RTE_MBUF_DYNFIELD(m, w->shared->ts_offset, uint64_t *);
		uint32_t wire_len = m->pkt_len;
		uint32_t caplen = RTE_MIN(wire_len, w->snaplen);
		uint32_t left = caplen;
		uint8_t *dst = record_begin(w, ns, caplen);

		if (dst == NULL) {
			lc_counter_add(&w->cnt[r]->write_errors, n - i);
			return;
		}
		for (; left > 0 && m != NULL; m = m->next) {
			uint32_t k = RTE_MIN((uint32_t)m->data_len, left);

			memcpy(dst, rte_pktmbuf_mtod(m, const uint8_t *), k);
			dst += k;
			left -= k;
		}
		if (left > 0) {
			/* The PMD's chain holds fewer bytes than pkt_len: keep what is there. */
			caplen -= left;
			lc_counter_add(&w->cnt[r]->pmd_short, 1);
		}
		record_end(w, r, ns, caplen, wire_len);
	}
}

/* Blocked on a failed block: retry on time, else drop and count. */
static unsigned int
poll_blocked(struct lc_writer_task *w)
{
	struct rte_mbuf **pkts = w->burst_buf;
	unsigned int total = 0;
	uint16_t r;

	if (!w->shared->fatal)
		retire(w, false);
	if (w->blocks[(w->cur + 1) % LC_WRITER_BLOCKS].state == LC_BLOCK_FREE) {
		take_next_block(w, w->blocks[w->cur].offset + w->block_size);
		return 0;
	}
	for (r = 0; r < w->nb_rings; r++) {
		unsigned int n = rte_ring_sc_dequeue_burst(
				w->rings[r], (void **)pkts, w->burst, NULL);

		if (n > 0) {
			lc_counter_add(&w->cnt[r]->write_errors, n);
			rte_pktmbuf_free_bulk(pkts, n);
			total += n;
		}
	}
	return total;
}

/* A pipe reader wants packets now, not when a block fills. */
static void
flush_partial(struct lc_writer_task *w)
{
	struct lc_wblock *b = &w->blocks[w->cur];
	unsigned int tag;
	int res = 0;

	w->write_calls++;
	if (w->medium.ops->submit(&w->medium, b->buf, w->used, b->offset, w->cur) < 0 ||
			w->medium.ops->reap(&w->medium, &tag, &res, true) != 1 || res < 0) {
		w->last_errno = res < 0 ? -res : EIO;
		settle(w, b, false);
		/* The stream may hold part of a record now: it cannot go on. */
		w->shared->fatal_errno = w->last_errno;
		w->shared->fatal = 1;
		w->blocked = true;
		return;
	}
	settle(w, b, true);
	b->offset += w->used;
	w->boundary = b->offset;
	w->used = 0;
}

/* Nothing arrived: collect finished writes, give a pipe reader what we have, publish a -G file. */
static void
writer_idle(struct lc_writer_task *w)
{
	if (w->head != w->cur)
		retire(w, false);
	if (w->medium.is_pipe && w->used > 0 && w->head == w->cur && !w->blocked)
		flush_partial(w);
	if (w->rot != NULL && w->rot->period_ns != 0 && w->file_open && !w->blocked &&
			lc_clock_ns(&w->clock, rte_rdtsc()) >= w->rot_end_ns + IDLE_CLOSE_GRACE_NS)
		close_file(w); /* publish now, not at the next packet */
}

unsigned int
lc_writer_poll(struct lc_writer_task *w)
{
	struct rte_mbuf **pkts = w->burst_buf;
	unsigned int total = 0;
	uint16_t i;

	if (w->nb_rings == 0)
		return 0;
	if (w->blocked)
		return poll_blocked(w);
	for (i = 0; i < w->nb_rings; i++) {
		uint16_t r = (uint16_t)((w->next_ring + i) % w->nb_rings);
		unsigned int n = rte_ring_sc_dequeue_burst(
				w->rings[r], (void **)pkts, w->burst, NULL);

		if (n == 0)
			continue;
		append_burst(w, r, pkts, n);
		rte_pktmbuf_free_bulk(pkts, n);
		total += n;
	}
	w->next_ring = (uint16_t)((w->next_ring + 1) % w->nb_rings);
	if (total == 0)
		writer_idle(w);
	return total;
}

/* libpcap path: one packet from a pcap_dispatch callback, in the same thread. */
void
lc_writer_append(struct lc_writer_task *w, uint16_t r, uint64_t ns, const uint8_t *data,
		uint32_t caplen, uint32_t len)
{
	uint8_t *dst;

	caplen = RTE_MIN(caplen, w->snaplen);
	dst = record_begin(w, ns, caplen);
	if (dst == NULL) {
		lc_counter_add(&w->cnt[r]->write_errors, 1);
		return;
	}
	memcpy(dst, data, caplen);
	record_end(w, r, ns, caplen, len);
}

void
lc_writer_idle(struct lc_writer_task *w)
{
	if (!w->blocked) {
		writer_idle(w);
		return;
	}
	/* As poll_blocked, without rings: retry on time, take a freed block. */
	if (!w->shared->fatal)
		retire(w, false);
	if (w->blocks[(w->cur + 1) % LC_WRITER_BLOCKS].state == LC_BLOCK_FREE)
		take_next_block(w, w->blocks[w->cur].offset + w->block_size);
}

bool
lc_writer_drained(const struct lc_writer_task *w)
{
	uint16_t r;

	for (r = 0; r < w->nb_rings; r++)
		if (!__atomic_load_n(&w->producers[r]->done, __ATOMIC_ACQUIRE))
			return false;
	for (r = 0; r < w->nb_rings; r++)
		if (!rte_ring_empty(w->rings[r]))
			return false;
	return true;
}

/* At exit: wait for the disk; give a failed block one more try. */
static void
wait_all(struct lc_writer_task *w)
{
	w->retry_tsc = 0;
	while (w->head != w->cur && !w->shared->fatal) {
		unsigned int before = w->head;

		retire(w, true);
		if (w->head == before && w->blocks[w->head].state == LC_BLOCK_FAILED)
			break;
	}
	if (w->blocked && w->blocks[(w->cur + 1) % LC_WRITER_BLOCKS].state == LC_BLOCK_FREE)
		take_next_block(w, w->blocks[w->cur].offset + w->block_size);
}

/* Blocks the medium never took: their packets are lost. */
static void
give_up_blocks(struct lc_writer_task *w)
{
	unsigned int i;

	for (i = 0; i < LC_WRITER_BLOCKS; i++) {
		struct lc_medium *m = w->blocks[i].medium;
		unsigned int tag;
		int res;

		while (m != NULL && m->ops != NULL && m->uring != NULL &&
				m->ops->reap(m, &tag, &res, true) == 1)
			;
		settle(w, &w->blocks[i], false);
	}
	if (w->carry_len > 0)
		lc_counter_add(&w->cnt[w->carry_ring]->write_errors, 1);
	w->carry_len = 0;
	w->used = 0;
}

/* Rotating writer at exit: publish the open file, or what is valid of each. */
static int
finish_rotating(struct lc_writer_task *w)
{
	unsigned int i;

	wait_all(w);
	if (w->head == w->cur && !w->blocked && w->file_open && close_file(w) == 0)
		wait_all(w);
	if (w->head == w->cur && !w->blocked && !w->file_open)
		return 0;
	/* Cut every unfinished file back to its last whole record. */
	give_up_blocks(w);
	for (i = 0; i < LC_WRITER_CLOSING; i++) {
		struct lc_wfile *f = &w->closing[i];

		if (!f->busy)
			continue;
		f->medium.ops->close(&f->medium, NULL, 0, f->boundary, f->boundary);
		f->len = f->boundary;
		hand_off(w, f);
	}
	if (w->file_open) {
		struct lc_wfile last;

		w->medium.ops->close(&w->medium, NULL, 0, w->boundary, w->boundary);
		last.medium = w->medium;
		last.len = w->boundary;
		last.start_ns = w->file_start_ns;
		last.busy = true;
		hand_off(w, &last);
		w->file_open = false;
	}
	return -(w->last_errno ? w->last_errno : EIO);
}

int
lc_writer_finish(struct lc_writer_task *w)
{
	struct lc_wblock *c;
	int ret = 0, r;

	if (w->rot != NULL)
		return finish_rotating(w);
	if (w->medium.ops == NULL || w->medium.fd < 0)
		return 0;
	wait_all(w);
	if (w->head != w->cur || w->blocked) {
		ret = -(w->last_errno ? w->last_errno : EIO);
		give_up_blocks(w);
		w->medium.ops->close(&w->medium, NULL, 0, w->boundary, w->boundary);
		return ret;
	}
	append_stats(w);
	c = &w->blocks[w->cur];
	r = w->medium.ops->close(&w->medium, c->buf, w->used, c->offset, w->boundary);
	settle(w, c, r == 0);
	if (r < 0) {
		w->last_errno = -r;
		ret = r;
	}
	w->used = 0;
	return ret;
}
