/* SPDX-License-Identifier: BSD-3-Clause */
/* Control plane: a writer's block buffers, made before launch, freed after join. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <rte_common.h>

#include "datapath/tasks.h"

int
lc_writer_init(struct lc_writer_task *w, size_t block_size, const struct lc_format_ops *fmt,
		const uint8_t *header, size_t header_len)
{
	/* Room past block_size: one whole record, and the end-of-file statistics. */
	size_t tail = fmt->if_stats != NULL ? (size_t)LC_WRITER_MAX_RINGS * LC_IF_STATS_MAX : 0;
	size_t slack = RTE_ALIGN_CEIL(w->snaplen + fmt->record_overhead + tail, LC_BLOCK_ALIGN);
	unsigned int i;

	if (header_len == 0 || header_len >= block_size / 2)
		return -EINVAL;
	w->block_size = block_size;
	w->format = fmt;
	w->rec_hdr_len = fmt->record == LC_RECORD_PCAPNG_EPB ? LC_PCAPNG_EPB_HDR_LEN
							     : LC_PCAP_RECORD_HDR_LEN;
	for (i = 0; i < LC_WRITER_BLOCKS; i++) {
		w->blocks[i].buf = aligned_alloc(LC_BLOCK_ALIGN, block_size + slack);
		if (w->blocks[i].buf == NULL)
			return -ENOMEM;
	}
	w->carry = malloc(slack);
	w->header = malloc(header_len);
	if (w->carry == NULL || w->header == NULL)
		return -ENOMEM;
	memcpy(w->header, header, header_len);
	w->header_len = header_len;
	w->cur = w->head = 0;
	w->blocks[0].state = LC_BLOCK_FILLING;
	w->blocks[0].medium = &w->medium;
	w->blocks[0].offset = 0;
	if (w->rot == NULL) {
		memcpy(w->blocks[0].buf, header, header_len);
		w->used = header_len;
		w->file_open = true;
		w->rot_end_ns = UINT64_MAX;
		w->rot_size = UINT64_MAX;
	} else {
		/* The first file is taken from the spare on the first packet. */
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
	return 0;
}

void
lc_writer_free(struct lc_writer_task *w)
{
	unsigned int i;

	for (i = 0; i < LC_WRITER_BLOCKS; i++) {
		free(w->blocks[i].buf);
		w->blocks[i].buf = NULL;
	}
	free(w->carry);
	w->carry = NULL;
	free(w->header);
	w->header = NULL;
}
