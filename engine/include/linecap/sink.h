/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef LINECAP_SINK_H
#define LINECAP_SINK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <linecap/error.h>

/*
 * A sink is a format (how records are laid out) over a medium (where the
 * bytes go). The writer lcore packs records into large aligned blocks and
 * hands whole blocks to the medium.
 */

/* Writes a medium may have in flight at once. */
#define LC_MEDIUM_MAX_INFLIGHT 8

/* A finished write: the tag given to submit() and 0 or -errno. */
struct lc_medium_done {
	unsigned int tag;
	int res;
};

/* Where bytes go: a regular file (O_DIRECT if possible), a pipe, stdout. */
struct lc_medium {
	const struct lc_medium_ops *ops;
	int fd;
	bool direct;   /* O_DIRECT is on: writes must be whole aligned blocks */
	bool is_pipe;  /* not seekable: flush partial blocks when idle */
	bool seekable; /* regular file: writes go to explicit offsets */
	void *uring;   /* struct io_uring, when writes are asynchronous */
	unsigned int nb_inflight;
	/* Completions of synchronous writes, handed out by reap(). */
	struct lc_medium_done done[LC_MEDIUM_MAX_INFLIGHT];
	unsigned int nb_done;
	char path[4096];
};

struct lc_medium_ops {
	const char *name;
	/* Open `path` ("-" = stdout). Control plane. 0 or -1 with err set. */
	int (*open)(struct lc_medium *m, const char *path, bool want_direct, struct lc_error *err);
	/*
	 * Start writing `len` bytes of `buf` at `offset` (ignored on pipes). The
	 * result comes back from reap() with `tag`. While `m->direct`, `buf`,
	 * `len` and `offset` are multiples of LC_BLOCK_ALIGN. Returns 0, or
	 * -errno if the write could not even be started.
	 */
	int (*submit)(struct lc_medium *m, const void *buf, size_t len, uint64_t offset,
			unsigned int tag);
	/*
	 * Collect one finished write: 1 with *tag and *res set, 0 if none is
	 * ready. With `wait`, block until one finishes if any is in flight.
	 */
	int (*reap)(struct lc_medium *m, unsigned int *tag, int *res, bool wait);
	/*
	 * Write the unaligned tail synchronously at `offset` (O_DIRECT dropped
	 * first), then close. The file ends at offset + tail_len; if the tail
	 * cannot be written, it is cut back to `valid_len`, the end of its last
	 * whole record. Returns 0 or -errno.
	 */
	int (*close)(struct lc_medium *m, const void *tail, size_t tail_len, uint64_t offset,
			uint64_t valid_len);
};

/* File descriptor medium; asynchronous through io_uring where possible. */
extern const struct lc_medium_ops lc_medium_fd_ops;

#define LC_BLOCK_ALIGN 4096u

/* What a format needs to know to write its file header. */
struct lc_format_info {
	uint32_t snaplen;
	uint32_t linktype; /* DLT_* */
	bool nanosecond;
};

struct rte_mbuf;

struct lc_format_ops {
	const char *name;
	/* Bytes of file header written into `buf` (at least 64 bytes of room). */
	size_t (*file_header)(uint8_t *buf, const struct lc_format_info *info);
	/* Largest per-record overhead in bytes (header + padding). */
	size_t record_overhead;
};

extern const struct lc_format_ops lc_format_pcap;

/* Classic pcap magic numbers (libpcap's savefile.c). */
#define LC_PCAP_MAGIC_MICRO 0xa1b2c3d4u
#define LC_PCAP_MAGIC_NANO 0xa1b23c4du
#define LC_DLT_EN10MB 1u

/* Bytes of a classic pcap record header (ts_sec, ts_frac, caplen, len). */
#define LC_PCAP_RECORD_HDR_LEN 16u

#endif
