/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Control plane of a writer: its block buffers, made before launch, freed
 * after join, and the sealed-block hook (linecap/block_hook.h) with the rx
 * tasks' summaries for its record tap.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_common.h>
#include <rte_mbuf_dyn.h>
#include <rte_ring.h>

#include <linecap/block_hook.h>

#include "core/engine_priv.h"
#include "datapath/tasks.h"

int
lc_writer_init(struct lc_writer_task *w, size_t block_size, const struct lc_format_ops *fmt,
		const uint8_t *header, size_t header_len)
{
	/* Room past block_size: one whole record, and the end-of-file statistics. */
	size_t tail = fmt->if_stats != NULL ? (size_t)LC_WRITER_MAX_RINGS * LC_IF_STATS_MAX : 0;
	size_t slack = RTE_ALIGN_CEIL(w->snaplen + fmt->record_overhead + tail, LC_BLOCK_ALIGN);
	/*
	 * aligned_alloc wants a multiple of the alignment, and a compressing
	 * writer's block (LC_IDX_FRAME_UNIT records' bytes) is not one.
	 */
	size_t alloc = RTE_ALIGN_CEIL(block_size + slack, LC_BLOCK_ALIGN);
	struct lc_wblock *b = &w->blocks[0];
	unsigned int i;

	if (header_len == 0 || header_len >= block_size / 2)
		return -EINVAL;
	w->block_size = block_size;
	w->format = fmt;
	w->record = fmt->record;
	w->rec_overhead = (uint32_t)fmt->record_overhead;
	w->rec_hdr_len = fmt->record == LC_RECORD_PCAPNG_EPB ? LC_PCAPNG_EPB_HDR_LEN
							     : LC_PCAP_RECORD_HDR_LEN;
	for (i = 0; i < LC_WRITER_BLOCKS; i++) {
		w->blocks[i].buf = aligned_alloc(LC_BLOCK_ALIGN, alloc);
		if (w->blocks[i].buf == NULL)
			return -ENOMEM;
		/*
		 * Touch every page now: a first-touch fault costs microseconds (more
		 * in a VM), and taken on the rx lcore while the first blocks fill it
		 * stalls polling long enough to lose packets at start.
		 */
		memset(w->blocks[i].buf, 0, alloc);
	}
	if (w->zlevel != 0) {
		/* --compress: a frame holds at most a block and its slack. */
		w->z = lc_zwriter_create(w->zlevel, block_size + slack);
		if (w->z == NULL)
			return errno == ENOMEM ? -ENOMEM : -ENOTSUP;
	}
	w->carry = malloc(slack);
	w->header = malloc(header_len);
	if (w->carry == NULL || w->header == NULL)
		return -ENOMEM;
	memcpy(w->header, header, header_len);
	w->header_len = header_len;
	w->flush_cycles = (uint64_t)w->flush_ms * w->tsc_hz / 1000u;
	w->head = w->tail = 0;
	w->blk = b;
	w->buf = b->buf;
	b->state = LC_BLOCK_FILLING;
	b->offset = 0;
	if (w->rot == NULL) {
		/* One file, opened by the control plane into slot 0. */
		w->fcur = 0;
		w->files[0].busy = true;
		w->files[0].seq = 0;
		w->file_seq = 1;
		b->file = 0;
		memcpy(b->buf, header, header_len);
		b->first_rec = (uint32_t)header_len;
		w->used = header_len;
		w->file_open = true;
		w->rot_end_ns = UINT64_MAX;
		w->rot_size = UINT64_MAX;
	} else {
		/* The first file is taken from the spare on the first packet, into slot 0. */
		w->fcur = LC_WRITER_FILES - 1;
		w->used = 0;
		w->file_open = false;
		w->rot_end_ns = 0;
		w->rot_size = w->rot->size_limit;
		if (fmt->if_stats != NULL) {
			/* -C counts the end-of-file statistics too. */
			uint8_t tmp[LC_IF_STATS_MAX];
			struct lc_if_stats st = {0};
			size_t stats_len = (size_t)w->nb_rings *
					   fmt->if_stats(tmp, sizeof(tmp), 0, w->nanosecond, &st);

			w->rot_size -= RTE_MIN(w->rot_size, stats_len);
		}
	}
	lc_writer_limits(w);
	return 0;
}

void
lc_writer_free(struct lc_writer_task *w)
{
	unsigned int i;

	/* Files never finished (the engine was not joined): close; a temporary one goes. */
	for (i = 0; i < LC_WRITER_FILES; i++) {
		struct lc_medium *m = &w->files[i].medium;

		if (m->ops == NULL || m->fd < 0)
			continue;
		m->ops->close(m, NULL, 0, 0, 0);
		if (w->rot != NULL)
			unlink(m->path);
	}
	for (i = 0; i < LC_WRITER_BLOCKS; i++) {
		free(w->blocks[i].buf);
		w->blocks[i].buf = NULL;
	}
	lc_zwriter_free(w->z);
	w->z = NULL;
	free(w->carry);
	w->carry = NULL;
	free(w->header);
	w->header = NULL;
	for (i = 0; i < LC_WRITER_MAX_RINGS; i++) {
		free(w->sum_slots[i]);
		w->sum_slots[i] = NULL;
	}
}

/* Does one worker lcore run both rx task `t` and writer `w`? */
static bool
same_lcore(const struct lc_engine *e, const struct lc_rx_task *t, const struct lc_writer_task *w)
{
	unsigned int i, j, k;

	for (i = 0; i < e->nb_workers; i++) {
		const struct lc_worker *wk = &e->workers[i];

		for (j = 0; j < wk->nb_rx && wk->rx[j] != t; j++)
			;
		for (k = 0; k < wk->nb_writers && wk->writers[k] != w; k++)
			;
		if (j < wk->nb_rx && k < wk->nb_writers)
			return true;
	}
	return false;
}

/*
 * The hook's `summarise` (DPDK path): a dynamic field for the summary's
 * address, and slots for every ring whose writer runs on another lcore than
 * its rx task, given to its writer (who frees them) and lent to its rx task.
 * Slots per ring: see struct lc_rx_summary. A ring whose two ends share an
 * lcore gets none (the record tap takes what it needs from the record's
 * bytes, on the same lcore, without a slot's cache line per packet); none
 * at all: no dynamic field.
 */
static int
setup_summaries(struct lc_engine *e, const struct lc_block_hook *hook)
{
	static const struct rte_mbuf_dynfield desc = {
			.name = "linecap_dynfield_summary",
			.size = sizeof(void *),
			.align = __alignof__(void *),
	};
	unsigned int i, r, j;
	int off = 0; /* registered at the first ring whose ends are apart */

	if (e->pcap_mode || hook->summarise == NULL || hook->record == NULL)
		return 0;
	for (i = 0; i < e->nb_writers; i++) {
		struct lc_writer_task *w = &e->writers[i];

		for (r = 0; r < w->nb_rings; r++) {
			struct lc_rx_task *t = w->producers[r];
			uint32_t n = rte_align32pow2(
					rte_ring_get_capacity(w->rings[r]) + 2 * LC_MAX_BURST);

			if (same_lcore(e, t, w))
				continue; /* no slots: its rx task writes NULL summaries */
			for (j = 0; j < t->nb_rings && t->rings[j] != w->rings[r]; j++)
				;
			if (j == t->nb_rings)
				return -EINVAL;
			if (off == 0) {
				off = rte_mbuf_dynfield_register(&desc);
				if (off <= 0)
					return 0; /* no room in the mbuf: the record tap reads the
						     records alone */
			}
			w->sum_slots[r] = aligned_alloc(
					RTE_CACHE_LINE_SIZE, (size_t)n * LC_RECORD_SUMMARY_SIZE);
			if (w->sum_slots[r] == NULL)
				return -ENOMEM;
			t->sum.slots[j] = w->sum_slots[r];
			t->sum.mask[j] = n - 1;
			t->sum.snaplen = w->snaplen;
			t->sum.arg = hook->arg;
			t->sum.fn = hook->summarise;
		}
	}
	if (off > 0)
		e->shared.sum_offset = off;
	return 0;
}

uint32_t
lc_engine_linktype(const struct lc_engine *e)
{
	return e->linktype;
}

int
lc_engine_set_block_hook(struct lc_engine *e, const struct lc_block_hook *hook)
{
	struct lc_block_hook none = {0};
	unsigned int i;

	if (__atomic_load_n(&e->view.start_ns, __ATOMIC_RELAXED) != 0)
		return -EBUSY;
	for (i = 0; i < e->nb_writers; i++)
		e->writers[i].hook = hook != NULL ? *hook : none;
	return hook != NULL ? setup_summaries(e, hook) : 0;
}
