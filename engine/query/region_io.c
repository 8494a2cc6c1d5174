/* SPDX-License-Identifier: BSD-3-Clause */
/* Bounded read streams for the query (see region_io.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "query/region_io.h"

#define PAGE 4096u

static ssize_t
rio_read(void *cookie, char *buf, size_t size)
{
	struct lc_region_io *r = cookie;
	uint64_t end = r->limit == UINT64_MAX ? UINT64_MAX
					      : (r->limit + PAGE - 1) & ~(uint64_t)(PAGE - 1);
	size_t n = size;
	ssize_t got;

	/* A read that starts at or past the end (none does within a region) is whole. */
	if (r->pos < end && end - r->pos < n)
		n = (size_t)(end - r->pos);
	do
		got = pread(r->fd, buf, n, (off_t)r->pos);
	while (got < 0 && errno == EINTR);
	if (got > 0)
		r->pos += (uint64_t)got;
	return got;
}

static int
rio_seek(void *cookie, off64_t *off, int whence)
{
	struct lc_region_io *r = cookie;
	struct stat st;
	int64_t base;

	switch (whence) {
	case SEEK_SET:
		base = 0;
		break;
	case SEEK_CUR:
		base = (int64_t)r->pos;
		break;
	case SEEK_END:
		if (fstat(r->fd, &st) != 0)
			return -1;
		base = (int64_t)st.st_size;
		break;
	default:
		errno = EINVAL;
		return -1;
	}
	if (*off < -base) {
		errno = EINVAL;
		return -1;
	}
	r->pos = (uint64_t)(base + *off);
	*off = (off64_t)r->pos;
	return 0;
}

static int
rio_close(void *cookie)
{
	struct lc_region_io *r = cookie;
	int ret = close(r->fd);

	free(r);
	return ret;
}

int
lc_region_io_wrap(FILE **f, uint64_t pos, size_t bufsize, struct lc_region_io **rio)
{
	cookie_io_functions_t io = {.read = rio_read, .seek = rio_seek, .close = rio_close};
	struct lc_region_io *r = malloc(sizeof(*r) + bufsize);
	FILE *nf;

	if (r == NULL)
		return -1;
	r->fd = fcntl(fileno(*f), F_DUPFD_CLOEXEC, 0);
	if (r->fd < 0) {
		free(r);
		return -1;
	}
	r->pos = pos;
	r->limit = UINT64_MAX;
	nf = fopencookie(r, "rb", io);
	if (nf == NULL) {
		rio_close(r);
		return -1;
	}
	/* glibc ignores the size of a NULL buffer: give it ours. */
	if (setvbuf(nf, r->buf, _IOFBF, bufsize) != 0) {
		fclose(nf);
		errno = EINVAL;
		return -1;
	}
	fclose(*f);
	*f = nf;
	*rio = r;
	return 0;
}

int
lc_region_io_seek(FILE *f, struct lc_region_io *rio, uint64_t pos, uint64_t limit)
{
	/* An input stream's fflush drops its buffer; the next read starts at rio->pos. */
	if (fflush(f) != 0)
		return -1;
	clearerr(f);
	rio->pos = pos;
	rio->limit = limit;
	return 0;
}
