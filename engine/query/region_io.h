/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef LINECAP_QUERY_REGION_IO_H
#define LINECAP_QUERY_REGION_IO_H

/*
 * Bounded reads for the query. A capture file's read stream is swapped for
 * one (fopencookie) whose reads are whole buffers but never go past the end
 * of the region being read (a run of candidate units), rounded up to a
 * page: the stdio buffer does not read into units the index ruled out.
 * The kernel's read-ahead is the caller's (posix_fadvise on `fd`).
 */

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct lc_region_io {
	int fd;		/* a dup of the stream's descriptor, closed with the stream */
	uint64_t pos;	/* file offset of the next byte the stream reads */
	uint64_t limit; /* reads stop at this offset (page-rounded); UINT64_MAX: none */
	char buf[];	/* the stream's buffer */
};

/*
 * Replace the read stream `*f`, whose next byte is at `pos`, by a bounded
 * stream on the same file with a `bufsize`-byte buffer (no limit yet).
 * On success *rio is its state (freed by fclose) and the old stream is
 * closed. 0, or -1 with errno set and *f unchanged.
 */
int lc_region_io_wrap(FILE **f, uint64_t pos, size_t bufsize, struct lc_region_io **rio);

/*
 * Move the stream `f` (wrapped as `rio`) to `pos`, its reads to stop at
 * `limit`. The buffered bytes are dropped and nothing before `pos` is read
 * (glibc's fseeko reads from a buffer-aligned offset below the target).
 * 0, or -1 with errno set.
 */
int lc_region_io_seek(FILE *f, struct lc_region_io *rio, uint64_t pos, uint64_t limit);

#endif
