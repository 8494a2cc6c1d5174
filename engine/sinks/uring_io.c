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

/*
 * Pass the queued SQEs to the kernel and, with wait_nr 1, wait for one
 * completion. A failure leaves every queued SQE in the SQ ring: the kernel
 * takes it at the next io_uring_enter.
 */
static int
flush(struct lc_uring *u, unsigned int wait_nr)
{
	if (lc_fault_uring_submit != NULL && io_uring_sq_ready(&u->ring) > 0 &&
			lc_fault_uring_submit())
		return -EAGAIN;
	if (wait_nr > 0 && lc_fault_uring_eintr != NULL && lc_fault_uring_eintr())
		return -EINTR;
	return io_uring_submit_and_wait(&u->ring, wait_nr);
}

int
lc_uring_write(void *ring, int fd, const void *buf, size_t len, uint64_t off, unsigned int tag)
{
	struct lc_uring *u = ring;
	struct io_uring_sqe *sqe;

	if (tag >= 64)
		return -EINVAL;
	sqe = io_uring_get_sqe(&u->ring);
	if (sqe == NULL) {
		/* SQ ring full of writes a failed submit left: pass them on first. */
		(void)flush(u, 0);
		sqe = io_uring_get_sqe(&u->ring);
	}
	if (sqe == NULL)
		return -EBUSY; /* nothing queued */
	io_uring_prep_write(sqe, fd, buf, (unsigned int)len, off);
	io_uring_sqe_set_data64(sqe, tag);
	u->expect[tag] = len;
	/*
	 * From here the write is queued and will complete exactly once: if
	 * this submit fails (EAGAIN, EBUSY, EINTR), the SQE stays in the SQ
	 * ring and goes with the next submit (here or in lc_uring_reap).
	 * Reporting a failure would make the caller queue it a second time.
	 */
	(void)flush(u, 0);
	return 0;
}

/* Bounded retries of a submit the kernel refuses for lack of resources. */
#define LC_URING_RETRIES 1000

int
lc_uring_reap(void *ring, unsigned int *tag, int *res, bool wait)
{
	struct lc_uring *u = ring;
	struct io_uring_cqe *cqe = NULL;
	unsigned int tries = 0;

	if (io_uring_sq_ready(&u->ring) > 0)
		(void)flush(u, 0); /* writes a failed submit left queued */
	while (io_uring_peek_cqe(&u->ring, &cqe) != 0 || cqe == NULL) {
		int ret;

		if (!wait)
			return 0;
		/* Submits what is still queued, then waits for one completion. */
		ret = flush(u, 1);
		/* A signal interrupted the wait: nothing finished, nothing failed. */
		if (ret == -EINTR)
			continue;
		if (ret < 0 && (ret == -EAGAIN || ret == -EBUSY) && ++tries < LC_URING_RETRIES)
			continue;
		if (ret < 0)
			return 0;
	}
	*tag = (unsigned int)io_uring_cqe_get_data64(cqe);
	/*
	 * A short write to a file is the filesystem filling up mid-write (the
	 * next write would fail with ENOSPC): name it so, not EIO, so that the
	 * summary says why.
	 */
	if (cqe->res < 0)
		*res = cqe->res;
	else
		*res = (size_t)cqe->res == u->expect[*tag % 64] ? 0 : -ENOSPC;
	io_uring_cqe_seen(&u->ring, cqe);
	return 1;
}
