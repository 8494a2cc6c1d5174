/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef LINECAP_UTIL_FD_IO_H
#define LINECAP_UTIL_FD_IO_H

/* Whole-buffer positional reads, shared by the index loader and the S3 uploader. */

#include <stddef.h>
#include <stdint.h>

/*
 * pread exactly `len` bytes at `at` into `buf`, resuming after EINTR and
 * short reads. 0, or -1 with errno set (EIO when the file ends first).
 */
int lc_pread_all(int fd, void *buf, size_t len, uint64_t at);

#endif
