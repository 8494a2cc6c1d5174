/* SPDX-License-Identifier: BSD-3-Clause */
/* Loading an index and checking that it belongs to its capture file (see index.h). */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "index/crc32c.h"
#include "index/index.h"
#include "util/fd_io.h"

#define IDX_MAX_BYTES (1ull << 31) /* a 2 GiB index covers ~500 GB of capture */

/* The capture's first bytes (read through cfd, if not -1) must be those indexed. */
static int
same_head(const char *capture, int cfd, const struct lc_idx_header *h)
{
	uint8_t head[LC_IDX_HEAD_BYTES];
	size_t n = h->file_size < sizeof(head) ? (size_t)h->file_size : sizeof(head);
	int fd = cfd >= 0 ? cfd : open(capture, O_RDONLY | O_CLOEXEC), ok;

	if (fd < 0)
		return 0;
	ok = lc_pread_all(fd, head, n, 0) == 0 && lc_crc32c(0, head, n) == h->head_crc;
	if (fd != cfd)
		close(fd);
	return ok;
}

static int
check(const char *capture, int cfd, uint64_t size, uint32_t linktype, int format, struct lc_idx *x,
		char *why, size_t whylen)
{
	struct lc_idx_unit u;

	if (lc_idx_parse(x->buf, x->len, &x->h, why, whylen) < 0)
		return -1;
	if (x->h.file_size > size) {
		snprintf(why, whylen, "stale: it covers %" PRIu64 " bytes, the file has %" PRIu64,
				x->h.file_size, size);
		return -1;
	}
	if (x->h.format != format || (x->h.nb_units > 0 && x->h.linktype != linktype) ||
			!same_head(capture, cfd, &x->h)) {
		snprintf(why, whylen, "it belongs to another file");
		return -1;
	}
	x->covered = 0;
	if (x->h.nb_units > 0) {
		lc_idx_unit_at(x->buf, &x->h, x->h.nb_units - 1, &u);
		x->covered = u.offset + u.length;
	}
	return 1;
}

int
lc_idx_load(const char *capture, uint64_t size, uint32_t linktype, int format, struct lc_idx *x,
		char *why, size_t whylen)
{
	return lc_idx_load_fd(capture, -1, size, linktype, format, x, why, whylen);
}

int
lc_idx_load_fd(const char *capture, int cfd, uint64_t size, uint32_t linktype, int format,
		struct lc_idx *x, char *why, size_t whylen)
{
	char path[4096];
	struct stat st;
	int fd, ret;

	memset(x, 0, sizeof(*x));
	if (lc_idx_path(capture, path, sizeof(path)) < 0) {
		snprintf(why, whylen, "path too long");
		return -1;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT)
			return 0;
		snprintf(why, whylen, "cannot open %s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || (uint64_t)st.st_size > IDX_MAX_BYTES) {
		close(fd);
		snprintf(why, whylen, "%s is not a regular file of a sane size", path);
		return -1;
	}
	x->len = (size_t)st.st_size;
	x->buf = malloc(x->len > 0 ? x->len : 1);
	if (x->buf == NULL || lc_pread_all(fd, x->buf, x->len, 0) < 0) {
		close(fd);
		snprintf(why, whylen, "cannot read %s", path);
		lc_idx_free(x);
		return -1;
	}
	close(fd);
	ret = check(capture, cfd, size, linktype, format, x, why, whylen);
	if (ret < 0)
		lc_idx_free(x);
	return ret;
}

void
lc_idx_free(struct lc_idx *x)
{
	free(x->buf);
	x->buf = NULL;
	x->len = 0;
}
