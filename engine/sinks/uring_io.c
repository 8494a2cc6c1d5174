/* SPDX-License-Identifier: BSD-3-Clause */
/* io_uring submission of whole-block writes (liburing). */
#include <errno.h>
#include <stdlib.h>

#include <liburing.h>

#include "sinks/uring_io.h"

/* Each write's expected length, to turn short completions into errors. */
struct lc_uring {
	struct io_uring ring;
	size_t expect[64];
};

void *
lc_uring_create(unsigned int depth)
{
	struct lc_uring *u = calloc(1, sizeof(*u));

	if (u == NULL)
		return NULL;
	/* No io_uring (old kernel, seccomp in a container): writes stay synchronous. */
	if (io_uring_queue_init(depth, &u->ring, 0) < 0) {
		free(u);
		return NULL;
	}
	return u;
}

void
lc_uring_destroy(void *ring)
{
	struct lc_uring *u = ring;

	io_uring_queue_exit(&u->ring);
	free(u);
}

int
lc_uring_write(void *ring, int fd, const void *buf, size_t len, uint64_t off, unsigned int tag)
{
	struct lc_uring *u = ring;
	struct io_uring_sqe *sqe = io_uring_get_sqe(&u->ring);
	int ret;

	if (sqe == NULL || tag >= 64)
		return -EBUSY;
	io_uring_prep_write(sqe, fd, buf, (unsigned int)len, off);
	io_uring_sqe_set_data64(sqe, tag);
	u->expect[tag] = len;
	ret = io_uring_submit(&u->ring);
	return ret < 0 ? ret : 0;
}

int
lc_uring_reap(void *ring, unsigned int *tag, int *res, bool wait)
{
	struct lc_uring *u = ring;
	struct io_uring_cqe *cqe;
	int ret = wait ? io_uring_wait_cqe(&u->ring, &cqe) : io_uring_peek_cqe(&u->ring, &cqe);

	if (ret < 0 || cqe == NULL)
		return 0;
	*tag = (unsigned int)io_uring_cqe_get_data64(cqe);
	if (cqe->res < 0)
		*res = cqe->res;
	else
		*res = (size_t)cqe->res == u->expect[*tag % 64] ? 0 : -EIO;
	io_uring_cqe_seen(&u->ring, cqe);
	return 1;
}
