/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef LINECAP_URING_IO_H
#define LINECAP_URING_IO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A small io_uring for one file's block writes; NULL if unavailable. */
void *lc_uring_create(unsigned int depth);
void lc_uring_destroy(void *ring);

/* Queue and submit one write. 0 or -errno. */
int lc_uring_write(void *ring, int fd, const void *buf, size_t len, uint64_t off, unsigned int tag);

/* One completion: 1 (tag, res = 0 or -errno; short writes are -EIO), 0 none. */
int lc_uring_reap(void *ring, unsigned int *tag, int *res, bool wait);

#endif
