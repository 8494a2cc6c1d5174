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
	 * Light traffic (--flush-ms): write `len` bytes of `buf` at `offset`
	 * now, synchronously, past O_DIRECT's alignment rules (any length, any
	 * offset), so that a reader of the file sees them. Nothing of this
	 * medium may be in flight. Later writes of the same range replace them.
	 * Seekable media only. Returns 0 or -errno.
	 */
	int (*flush)(struct lc_medium *m, const void *buf, size_t len, uint64_t offset);
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

/* One capture interface of a file: a (port, queue) feeding the writer. */
struct lc_format_if {
	const char *name;	 /* pcapng if_name, e.g. "net_null0" or "0000:01:00.0/q1" */
	const char *description; /* pcapng if_description: driver, port, queue, devargs */
};

/* What a format needs to know to write its file header. */
struct lc_format_info {
	uint32_t snaplen;
	uint32_t linktype; /* DLT_* */
	bool nanosecond;
	const char *filter;	 /* tcpdump expression, "" = none (pcapng if_filter) */
	const char *os;		 /* pcapng shb_os */
	const char *hardware;	 /* pcapng shb_hardware */
	const char *application; /* pcapng shb_userappl */
	unsigned int nb_ifs;	 /* interface i = EPB interface id i */
	const struct lc_format_if *ifs;
};

/* One interface's counters at the end of a file (pcapng ISB), cumulative. */
struct lc_if_stats {
	uint64_t start_ns;     /* capture start, ns since the epoch */
	uint64_t end_ns;       /* when the statistics were taken */
	uint64_t ifrecv;       /* packets the queue received */
	uint64_t ifdrop;       /* of those, dropped by linecap (ring full, write errors) */
	uint64_t filteraccept; /* of those, accepted by the filter */
};

/* How the writer lays out each packet record (inline, no call per packet). */
enum lc_record_kind {
	LC_RECORD_PCAP = 0,   /* 16-byte pcap record header + data */
	LC_RECORD_PCAPNG_EPB, /* pcapng Enhanced Packet Block, padded to 32 bits */
};

struct rte_mbuf;

struct lc_format_ops {
	const char *name;
	/*
	 * Write the file header (pcap: 24 bytes; pcapng: SHB + one IDB per
	 * interface) into `buf`. Returns its length, or 0 if it needs more than
	 * `room` bytes. Control plane.
	 */
	size_t (*file_header)(uint8_t *buf, size_t room, const struct lc_format_info *info);
	/*
	 * Bytes of one interface's end-of-file statistics (pcapng ISB) written
	 * into `buf`, 0 if they do not fit. NULL: the format has none. No
	 * allocation: it may run on the writer lcore at a rotation.
	 */
	size_t (*if_stats)(uint8_t *buf, size_t room, uint32_t if_id, bool nanosecond,
			const struct lc_if_stats *st);
	enum lc_record_kind record;
	/* Largest per-record overhead in bytes (header + padding + trailer). */
	size_t record_overhead;
};

extern const struct lc_format_ops lc_format_pcap;
extern const struct lc_format_ops lc_format_pcapng;

/* The format named `name` ("pcap", "pcapng"), or NULL. */
const struct lc_format_ops *lc_format_by_name(const char *name);

/* Room for the largest statistics record of one interface (pcapng ISB). */
#define LC_IF_STATS_MAX 128u

/* Classic pcap magic numbers (libpcap's savefile.c). */
#define LC_PCAP_MAGIC_MICRO 0xa1b2c3d4u
#define LC_PCAP_MAGIC_NANO 0xa1b23c4du
#define LC_DLT_EN10MB 1u

/* Bytes of a classic pcap record header (ts_sec, ts_frac, caplen, len). */
#define LC_PCAP_RECORD_HDR_LEN 16u

/* pcapng block types and the Enhanced Packet Block's fixed part. */
#define LC_PCAPNG_SHB 0x0a0d0d0au
#define LC_PCAPNG_IDB 0x00000001u
#define LC_PCAPNG_ISB 0x00000005u
#define LC_PCAPNG_EPB 0x00000006u
#define LC_PCAPNG_BYTE_ORDER_MAGIC 0x1a2b3c4du
/* type, total length, interface id, ts high, ts low, caplen, origlen */
#define LC_PCAPNG_EPB_HDR_LEN 28u
/* EPB header + up to 3 bytes of padding + trailing total length */
#define LC_PCAPNG_EPB_OVERHEAD (LC_PCAPNG_EPB_HDR_LEN + 3u + 4u)

#endif
