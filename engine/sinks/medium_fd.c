/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The file-descriptor medium: regular files, character devices such as
 * /dev/null, pipes and stdout. On regular files opened with O_DIRECT, writes
 * go through io_uring so the writer keeps packing the next block while the
 * disk takes the last one (sinks/uring_io.c); elsewhere they are
 * synchronous and complete at submit time.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <linecap/sink.h>

#include "sinks/uring_io.h"

static int
fd_open(struct lc_medium *m, const char *path, bool want_direct, struct lc_error *err)
{
	/* 0666: the permissions come from the umask (linecap sets it from --file-mode). */
	const int flags = O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC;
	struct stat st;
	int fd = -1;

	memset(m, 0, sizeof(*m));
	snprintf(m->path, sizeof(m->path), "%s", path);
	if (strcmp(path, "-") == 0) {
		fd = STDOUT_FILENO;
	} else {
		if (want_direct)
			fd = open(path, flags | O_DIRECT, 0666);
		if (fd >= 0) {
			m->direct = true;
		} else {
			/* tmpfs and some others refuse O_DIRECT with EINVAL. */
			fd = open(path, flags, 0666);
		}
		if (fd < 0)
			return lc_error_set(err, LC_ERR_OUTPUT, "cannot write '%s': %s", path,
					strerror(errno));
	}
	if (fstat(fd, &st) < 0) {
		int e = errno;

		if (fd != STDOUT_FILENO)
			close(fd);
		return lc_error_set(err, LC_ERR_OUTPUT, "cannot stat '%s': %s", path, strerror(e));
	}
	m->fd = fd;
	m->ops = &lc_medium_fd_ops;
	m->seekable = S_ISREG(st.st_mode) && fd != STDOUT_FILENO;
	m->is_pipe = !S_ISREG(st.st_mode) && !S_ISCHR(st.st_mode) && !S_ISBLK(st.st_mode);
	if (!m->seekable && m->direct) {
		/* O_DIRECT only makes sense, and only is safe to assume, on files. */
		fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_DIRECT);
		m->direct = false;
	}
	if (m->direct)
		m->uring = lc_uring_create(LC_MEDIUM_MAX_INFLIGHT);
	return 0;
}

/* Write everything or fail; a pipe may take it in pieces. */
static int
write_all(struct lc_medium *m, const uint8_t *p, size_t len, uint64_t off)
{
	while (len > 0) {
		ssize_t n = m->seekable ? pwrite(m->fd, p, len, (off_t)off) : write(m->fd, p, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0)
			return -EIO;
		p += n;
		off += (uint64_t)n;
		len -= (size_t)n;
	}
	return 0;
}

static int
fd_submit(struct lc_medium *m, const void *buf, size_t len, uint64_t offset, unsigned int tag)
{
	int ret;

	if (m->nb_inflight + m->nb_done >= LC_MEDIUM_MAX_INFLIGHT)
		return -EBUSY;
	if (m->uring != NULL) {
		ret = lc_uring_write(m->uring, m->fd, buf, len, offset, tag);
		if (ret == 0)
			m->nb_inflight++;
		return ret;
	}
	ret = write_all(m, buf, len, offset);
	m->done[m->nb_done].tag = tag;
	m->done[m->nb_done].res = ret;
	m->nb_done++;
	return 0;
}

static int
fd_reap(struct lc_medium *m, unsigned int *tag, int *res, bool wait)
{
	if (m->nb_done > 0) {
		m->nb_done--;
		*tag = m->done[0].tag;
		*res = m->done[0].res;
		memmove(&m->done[0], &m->done[1], m->nb_done * sizeof(m->done[0]));
		return 1;
	}
	if (m->uring != NULL && m->nb_inflight > 0) {
		int got = lc_uring_reap(m->uring, tag, res, wait);

		if (got == 1)
			m->nb_inflight--;
		return got;
	}
	return 0;
}

static int
fd_flush(struct lc_medium *m, const void *buf, size_t len, uint64_t offset)
{
	int fl, ret;

	if (!m->direct)
		return write_all(m, buf, len, offset);
	/* O_DIRECT off for this one write: nothing is in flight on the fd. */
	fl = fcntl(m->fd, F_GETFL);
	if (fl < 0 || fcntl(m->fd, F_SETFL, fl & ~O_DIRECT) < 0)
		return -errno;
	ret = write_all(m, buf, len, offset);
	if (fcntl(m->fd, F_SETFL, fl) < 0 && ret == 0)
		ret = -errno;
	return ret;
}

static int
fd_close(struct lc_medium *m, const void *tail, size_t tail_len, uint64_t offset,
		uint64_t valid_len)
{
	int ret = 0;

	if (m->uring != NULL) {
		lc_uring_destroy(m->uring);
		m->uring = NULL;
	}
	if (m->direct && fcntl(m->fd, F_SETFL, fcntl(m->fd, F_GETFL) & ~O_DIRECT) < 0)
		ret = -errno;
	m->direct = false;
	if (ret == 0 && tail_len > 0)
		ret = write_all(m, tail, tail_len, offset);
	if (m->seekable) {
		/* Exactly the bytes that hold whole records, nothing after. */
		uint64_t end = ret == 0 ? offset + tail_len : valid_len;

		if (ftruncate(m->fd, (off_t)end) < 0 && ret == 0)
			ret = -errno;
	}
	if (m->fd != STDOUT_FILENO && close(m->fd) < 0 && ret == 0)
		ret = -errno;
	m->fd = -1;
	return ret;
}

const struct lc_medium_ops lc_medium_fd_ops = {
		.name = "fd",
		.open = fd_open,
		.submit = fd_submit,
		.reap = fd_reap,
		.flush = fd_flush,
		.close = fd_close,
};
