/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Control plane of --compress zstd: a writer's compressor, made before the
 * lcores launch and freed after join. The zstd context is static (its
 * workspace sized here for the largest block) so that compressing on the
 * writer's thread never allocates; the setup proves it by compressing a
 * full block and a small one before capture starts.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ZSTD_STATIC_LINKING_ONLY /* ZSTD_initStaticCCtx, ZSTD_estimateCCtxSize_* */
#include <zstd.h>

#include <rte_common.h>

#include "datapath/zframe.h"

/* Both ends of the frame sizes a writer makes: a full block, a --flush-ms trickle. */
static int
try_frames(struct lc_zwriter *z, size_t max_block)
{
	uint8_t *src = calloc(1, max_block);
	size_t sizes[] = {max_block, max_block / 3, 130000, 17000, 100};
	unsigned int i;
	int ret = 0;

	if (src == NULL)
		return -ENOMEM;
	for (i = 0; i < max_block; i += 64)
		src[i] = (uint8_t)(i * 2654435761u >> 24); /* not all zeros: real matching */
	for (i = 0; i < RTE_DIM(sizes) && ret == 0; i++)
		if (ZSTD_isError(ZSTD_compress2(
				    z->cctx, z->zbuf[0], z->zcap - LC_BLOCK_ALIGN, src, sizes[i])))
			ret = -EPROTO;
	free(src);
	return ret;
}

struct lc_zwriter *
lc_zwriter_create(int level, size_t max_block)
{
	struct lc_zwriter *z;
	size_t work;
	unsigned int i;
	int ret = -ENOMEM;

	if (level < LC_ZSTD_LEVEL_MIN || level > LC_ZSTD_LEVEL_MAX) {
		errno = EINVAL;
		return NULL;
	}
	z = calloc(1, sizeof(*z));
	if (z == NULL)
		return NULL;
	z->level = level;
	/* A block's record frame and a file header's frame (zstd's fixed margin: 64 B each). */
	z->slack = (uint32_t)(ZSTD_compressBound(max_block) - max_block + 128);
	z->zcap = RTE_ALIGN_CEIL(
			ZSTD_compressBound(max_block) + (size_t)2 * LC_BLOCK_ALIGN, LC_BLOCK_ALIGN);
	for (i = 0; i < LC_WRITER_BLOCKS; i++) {
		z->zbuf[i] = aligned_alloc(LC_BLOCK_ALIGN, z->zcap);
		if (z->zbuf[i] == NULL)
			goto out_free;
	}
	/* The parameters zstd derives for the largest frame need the largest workspace. */
	work = ZSTD_estimateCCtxSize_usingCParams(ZSTD_getCParams(level, max_block, 0));
	z->work = aligned_alloc(64, RTE_ALIGN_CEIL(work, 64));
	if (z->work == NULL)
		goto out_free;
	z->cctx = ZSTD_initStaticCCtx(z->work, RTE_ALIGN_CEIL(work, 64));
	ret = -EPROTO;
	if (z->cctx == NULL ||
			ZSTD_isError(ZSTD_CCtx_setParameter(
					z->cctx, ZSTD_c_compressionLevel, level)) ||
			ZSTD_isError(ZSTD_CCtx_setParameter(z->cctx, ZSTD_c_checksumFlag, 1)) ||
			ZSTD_isError(ZSTD_CCtx_setParameter(z->cctx, ZSTD_c_contentSizeFlag, 1)))
		goto out_free;
	ret = try_frames(z, max_block);
	if (ret < 0)
		goto out_free;
	return z;

out_free:
	lc_zwriter_free(z);
	errno = -ret;
	return NULL;
}

void
lc_zwriter_free(struct lc_zwriter *z)
{
	unsigned int i;

	if (z == NULL)
		return;
	for (i = 0; i < LC_WRITER_BLOCKS; i++)
		free(z->zbuf[i]);
	free(z->work); /* a static context lives in its workspace */
	free(z);
}

void
lc_zwriter_print_plan(FILE *f, int level, bool libpcap)
{
	if (level == 0)
		return;
	fprintf(f,
			"compress: zstd level %d, one frame per block, on each writer's own %s "
			"(run-to-completion: pack, compress, submit)\n",
			level, libpcap ? "capture thread" : "lcore");
}
