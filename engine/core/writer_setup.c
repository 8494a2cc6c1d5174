/* SPDX-License-Identifier: BSD-3-Clause */
/* Control plane: a writer's block buffers, made before launch, freed after join. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <rte_common.h>

#include "datapath/tasks.h"

int
lc_writer_init(struct lc_writer_task *w, size_t block_size, const uint8_t *header,
		size_t header_len)
{
	size_t slack = RTE_ALIGN_CEIL(w->snaplen + LC_PCAP_RECORD_HDR_LEN, LC_BLOCK_ALIGN);
	unsigned int i;

	w->block_size = block_size;
	for (i = 0; i < LC_WRITER_BLOCKS; i++) {
		w->blocks[i].buf = aligned_alloc(LC_BLOCK_ALIGN, block_size + slack);
		if (w->blocks[i].buf == NULL)
			return -ENOMEM;
	}
	w->carry = malloc(slack);
	if (w->carry == NULL)
		return -ENOMEM;
	w->cur = w->head = 0;
	w->blocks[0].state = LC_BLOCK_FILLING;
	memcpy(w->blocks[0].buf, header, header_len);
	w->used = header_len;
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
}
