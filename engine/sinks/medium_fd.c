/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The file-descriptor medium: regular files (O_DIRECT where the file system
 * accepts it), character devices such as /dev/null, pipes and stdout.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <linecap/sink.h>

static int
fd_open(struct lc_medium *m, const char *path, bool want_direct, struct lc_error *err)
{
	const int flags = O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC;
	struct stat st;
	int fd = -1;

	snprintf(m->path, sizeof(m->path), "%s", path);
	m->direct = false;
	if (strcmp(path, "-") == 0) {
		fd = STDOUT_FILENO;
	} else {
		if (want_direct)
			fd = open(path, flags | O_DIRECT, 0644);
		if (fd >= 0) {
			m->direct = true;
		} else {
			/* tmpfs and some others refuse O_DIRECT with EINVAL. */
			fd = open(path, flags, 0644);
		}
		if (fd < 0)
			return lc_error_set(err, LC_ERR_OUTPUT, "cannot write '%s': %s", path,
					strerror(errno));
	}
	if (fstat(fd, &st) < 0) {
		int e = errno;

		if (fd != STDOUT_FILENO)
			close(fd);
		return lc_error_set(err, LC_ERR_OUTPUT, "cannot stat '%s': %s", path,
				strerror(e));
	}
	if (!S_ISREG(st.st_mode) && m->direct) {
		/* O_DIRECT only makes sense, and only is safe to assume, on files. */
		fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_DIRECT);
		m->direct = false;
	}
	m->is_pipe = S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode) ||
		(fd == STDOUT_FILENO && !S_ISREG(st.st_mode));
	m->seekable = S_ISREG(st.st_mode) && fd != STDOUT_FILENO;
	m->offset = 0;
	m->fd = fd;
	m->ops = &lc_medium_fd_ops;
	return 0;
}

static int
fd_write(struct lc_medium *m, const void *buf, size_t len)
{
	const char *p = buf;
	uint64_t off = m->offset;

	/* pwrite at a committed offset: a failed block is retried in place. */
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
		if (!m->seekable)
			m->offset = off; /* a pipe cannot take bytes back */
	}
	m->offset = off;
	return 0;
}

static int
fd_close(struct lc_medium *m, const void *tail, size_t tail_len, uint64_t valid_len)
{
	int ret = 0;

	if (m->direct && fcntl(m->fd, F_SETFL, fcntl(m->fd, F_GETFL) & ~O_DIRECT) < 0)
		ret = -errno;
	m->direct = false;
	if (ret == 0 && tail_len > 0)
		ret = fd_write(m, tail, tail_len);
	if (ret == 0 && m->seekable && ftruncate(m->fd, (off_t)m->offset) < 0)
		ret = -errno; /* drop anything a failed partial write left behind */
	if (ret < 0 && m->seekable && ftruncate(m->fd, (off_t)valid_len) == 0)
		m->offset = valid_len;
	if (m->fd != STDOUT_FILENO && close(m->fd) < 0 && ret == 0)
		ret = -errno;
	m->fd = -1;
	return ret;
}

const struct lc_medium_ops lc_medium_fd_ops = {
	.name = "fd",
	.open = fd_open,
	.write = fd_write,
	.close = fd_close,
};
