/* SPDX-License-Identifier: BSD-3-Clause */
/* Whole-buffer positional reads (see fd_io.h). */
#include <errno.h>
#include <sys/types.h>
#include <unistd.h>

#include "util/fd_io.h"

int
lc_pread_all(int fd, void *buf, size_t len, uint64_t at)
{
	uint8_t *p = buf;

	while (len > 0) {
		ssize_t n = pread(fd, p, len, (off_t)at);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (n == 0)
				errno = EIO; /* shorter than expected: changed under us */
			return -1;
		}
		p += n;
		len -= (size_t)n;
		at += (uint64_t)n;
	}
	return 0;
}
