/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef LINECAP_RECORD_TAP_H
#define LINECAP_RECORD_TAP_H

/*
 * The writer's call of the record tap (linecap/block_hook.h), inlined into
 * the packet loop behind one predictable branch: the record whose header
 * was just encoded at w->buf + w->used, `rec` bytes, about to be counted in
 * the block being filled. `m` is the packet's mbuf (NULL on the libpcap
 * path): its summary, if the rx task made one.
 */

#include <rte_mbuf.h>
#include <rte_mbuf_dyn.h>

#include "datapath/tasks.h"

static inline void
lc_record_tap(struct lc_writer_task *w, uint64_t ns, uint32_t caplen, uint32_t rec,
		const struct rte_mbuf *m)
{
	const struct lc_wblock *b = LC_RING_CUR(w);
	const struct lc_wfile *f = &w->files[b->file];
	int off = w->shared->sum_offset;
	struct lc_record_info ri = {
			.data = w->buf + w->used + w->rec_hdr_len,
			.caplen = caplen,
			.len = rec,
			.offset = b->offset + w->used,
			.ns = w->nanosecond ? ns : ns - ns % 1000u,
			.writer = w->id,
			.file_seq = f->seq,
			.path = f->medium.path,
			.summary = m != NULL && off > 0
						   ? *RTE_MBUF_DYNFIELD(m, off, const void *const *)
						   : NULL,
	};

	w->hook.record(&ri, w->hook.arg);
}

#endif
