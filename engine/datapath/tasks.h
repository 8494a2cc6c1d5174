/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef LINECAP_TASKS_H
#define LINECAP_TASKS_H

/*
 * The data-path view of the engine: rx tasks, writer tasks and the workers
 * (lcores) that run them. Built by the control plane (core/engine.c) before
 * launch; afterwards only the fields marked "owner" change, and only on the
 * owning lcore.
 */

#include <stdbool.h>
#include <stdint.h>

#include <rte_common.h>

#include <linecap/block_hook.h>
#include <linecap/block_writes.h>
#include <linecap/config.h>
#include <linecap/sink.h>
#include <linecap/stats.h>

#include "datapath/block_ring.h"
#include "datapath/flow_hash.h"
#include "datapath/tstamp.h"
#include "datapath/writer_file.h"
#include "datapath/zframe.h"

struct rte_ring;
struct rte_mbuf;

/* State every lcore reads; written by the main lcore or signal handler. */
struct lc_shared {
	volatile int stop;    /* 1 = stop receiving, drain and finish */
	volatile int fatal;   /* a writer hit an error that ends capture */
	int fatal_errno;      /* its errno (EPIPE: the reader went away) */
	uint64_t count_limit; /* -c, 0 = none */
	uint64_t count_taken; /* packets reserved by rx tasks (atomic) */
	int ts_offset;	      /* mbuf dynfield holding the ns timestamp */
	int sum_offset;	      /* mbuf dynfield: the packet's summary (const void *); 0 = none */
} __rte_cache_aligned;

struct rte_bpf;

/* A loaded BPF filter: JIT code if rte_bpf made some, else the interpreter. */
struct lc_rx_filter {
	struct rte_bpf *bpf; /* NULL = no filter */
	uint64_t (*jit)(void *mbuf);
	const char *no_jit_reason; /* why `jit` is NULL (control plane only) */
};

/*
 * The rx side of the record tap's summaries (linecap/block_hook.h). Per ring,
 * the packet the ring accepted as its n-th takes slot n & mask[ring]: a slot
 * is written again only once the ring has accepted mask + 1 packets more,
 * which the control plane sizes above the ring's capacity plus an rx and a
 * writer burst, so the writer has packed the packet by then.
 */
struct lc_rx_summary {
	bool (*fn)(const uint8_t *pkt, uint32_t caplen, void *out, void *arg); /* NULL: off */
	void *arg;
	uint32_t snaplen;		   /* the writers': the bytes a record holds */
	uint8_t *slots[LC_MAX_WRITERS];	   /* per ring (rings[]), owned by its writer; NULL: none */
	uint32_t mask[LC_MAX_WRITERS];	   /* slots per ring - 1 */
	uint32_t accepted[LC_MAX_WRITERS]; /* owner: packets each ring accepted */
};

/* One (port, queue) polled with rte_eth_rx_burst. */
struct lc_rx_task {
	uint16_t port_id;
	uint16_t queue_id;
	uint16_t burst;
	uint16_t nb_rings;			/* writers fed: 1 = no hashing */
	struct rte_ring *rings[LC_MAX_WRITERS]; /* indexed by writer */
	struct lc_rx_counters *cnt;		/* owner: this task */
	struct lc_shared *shared;
	const struct lc_sym_hash *hash; /* software RSS, if nb_rings > 1 */
	struct lc_clock tsc_clock;	/* software timestamps */
	struct lc_clock hw_clock;	/* NIC clock, if hw_ts */
	uint64_t hw_ts_flag;		/* ol_flags bit of a valid hw stamp */
	int hw_ts_offset;		/* dynfield of the hw stamp, or -1 */
	uint64_t last_ns;		/* owner: keeps stamps monotonic */
	volatile int done;		/* owner: no more enqueues (release) */
	struct lc_rx_filter filter;	/* this task's own copy of the filter */
	/* --forward: this task's own tx queue on the forward port (no lock) */
	bool forward;
	uint16_t fwd_port_id;
	uint16_t fwd_queue_id;
	uint32_t fwd_max_len;	  /* longer packets may be refused alone (MTU) */
	struct lc_rx_summary sum; /* --index: summaries for the record tap */
} __rte_cache_aligned;

/*
 * One writer: drains its rings into one output through a ring of blocks
 * (datapath/block_ring.c) and a file layer above it (datapath/writer_file.c);
 * the packet loop is datapath/writer_loop.c. Blocks are submitted in file
 * order and retired in file order, so `written` only ever counts a prefix of
 * the file. Everything below is owned by the writer's thread once launched.
 */
struct lc_writer_task {
	/* Per packet (datapath/writer_loop.c). */
	struct lc_wblock *blk; /* the block being filled (LC_RING_CUR) */
	uint8_t *buf;	       /* its data */
	size_t used;	       /* bytes in it */
	uint64_t limit_ns;     /* stamps from here take the slow path: rot_end_ns, 0 if blocked */
	uint64_t room;	       /* used + caplen beyond this reaches -C: the slow path */
	size_t block_size;
	uint32_t snaplen;
	uint32_t rec_hdr_len; /* bytes before a record's data: pcap header or EPB head */
	enum lc_record_kind record;
	bool nanosecond;
	bool blocked; /* no free block: packets are dropped and counted */
	struct lc_shared *shared;
	struct lc_ring_counters *cnt[LC_WRITER_MAX_RINGS]; /* owner */

	unsigned int id;
	uint16_t nb_rings;
	uint16_t burst;
	struct rte_ring *rings[LC_WRITER_MAX_RINGS];
	struct lc_rx_task *producers[LC_WRITER_MAX_RINGS]; /* ring i's rx */
	const struct lc_format_ops *format;
	uint32_t rec_overhead; /* the format's largest record overhead */
	uint64_t tsc_hz;       /* for the 100 ms retry of a failed block */
	uint8_t *header;       /* the file header, written at the start of every file */
	size_t header_len;
	struct lc_clock clock; /* now, for -G while idle and pcapng statistics */
	uint64_t start_ns;     /* capture start (pcapng isb_starttime) */
	bool o_direct;	       /* opened with O_DIRECT */
	uint64_t write_calls;
	/*
	 * The last write error, 0 = none. It stays after the writer recovers (the
	 * summary names it); end_failed says whether the run ended in it.
	 */
	int last_errno;
	bool end_failed;	   /* lc_writer_finish gave up a file's tail: exit status 5 */
	struct lc_block_writes bw; /* block write latency and failures (stats view) */

	/* Block ring (datapath/block_ring.c). */
	struct lc_wblock blocks[LC_WRITER_BLOCKS];
	unsigned int head; /* oldest sealed block not yet retired (free-running) */
	unsigned int tail; /* the block being filled (free-running) */
	uint64_t next_off; /* file offset of the next block taken */
	/* The tail of a record that straddled the last sealed block. */
	uint8_t *carry;
	uint32_t carry_len;
	uint32_t carry_rec_len; /* the straddler's whole length */
	uint16_t carry_ring;
	bool stop_on_disk_full;	   /* --on-disk-full stop: end capture at ENOSPC */
	uint64_t retry_tsc;	   /* when to resubmit a failed block */
	struct lc_block_hook hook; /* sealed-block hook; hook.sealed NULL = none */
	/* --compress: each sealed block is one zstd frame (datapath/zframe.c); NULL = off */
	struct lc_zwriter *z;
	int zlevel; /* --compress zstd:LEVEL, 0 = off (control plane: makes z) */
	uint8_t *sum_slots[LC_WRITER_MAX_RINGS]; /* its rings' summary slots (lc_rx_summary) */

	/* File layer (datapath/writer_file.c); files[0] without rotation. */
	struct lc_wfile files[LC_WRITER_FILES];
	unsigned int fcur;	 /* slot of the open (or last) file */
	uint64_t file_seq;	 /* files opened so far */
	bool file_open;		 /* files[fcur] is open for packets */
	struct lc_rotation *rot; /* -C/-G, shared with core/rotate.c; NULL: one file */
	uint64_t rot_end_ns;	 /* stamps from here go to the next file; 0 = no file */
	uint64_t rot_size;	 /* -C bytes, UINT64_MAX = none */
	uint64_t min_window;	 /* -G windows never go back (clock skew, idle close) */
	uint64_t file_start_ns;
	/*
	 * --flush-ms: records wait at most this long in the block being filled
	 * before they are written to a file (0 = off). flushed: bytes of that
	 * block already on the medium; flush_tsc: when to write the rest.
	 */
	uint32_t flush_ms;
	uint64_t flush_cycles;
	size_t flushed;
	uint64_t flush_tsc;
	/*
	 * Called, if set, right before a closing file's end-of-file statistics
	 * (pcapng ISB) are taken, on the writer's thread, so a source whose
	 * counters are read lazily (libpcap's pcap_stats) can refresh them.
	 */
	void (*refresh_stats)(void *arg);
	void *refresh_arg;

	uint16_t next_ring;			  /* owner: round-robin start */
	volatile int done;			  /* owner: drained (release) */
	struct rte_mbuf *burst_buf[LC_MAX_BURST]; /* owner: the dequeued burst */
} __rte_cache_aligned;

/*
 * Refresh the per-packet limits (limit_ns, room) after the block being
 * filled, the open file or `blocked` changed.
 */
static inline void
lc_writer_limits(struct lc_writer_task *w)
{
	/* -C counts file bytes: compressed ones with --compress (the open block counted whole). */
	uint64_t off = (w->z != NULL ? lc_zfile_len(w->z) + w->z->slack : LC_RING_CUR(w)->offset) +
		       w->rec_overhead;

	w->limit_ns = w->blocked ? 0 : w->rot_end_ns;
	w->room = w->rot_size > off ? w->rot_size - off : 0;
}

#define LC_MAX_TASKS_PER_WORKER (LC_MAX_PORTS * LC_MAX_QUEUES)

/* One worker lcore and the tasks it runs, in order, every iteration. */
struct lc_worker {
	unsigned int lcore_id;
	unsigned int nb_rx;
	unsigned int nb_writers;
	struct lc_rx_task *rx[LC_MAX_TASKS_PER_WORKER];
	struct lc_writer_task *writers[LC_MAX_WRITERS];
};

/*
 * Set up a writer's blocks (control plane). The format's file header goes
 * into the first block when the medium is already open (no rotation).
 */
int lc_writer_init(struct lc_writer_task *w, size_t block_size, const struct lc_format_ops *fmt,
		const uint8_t *header, size_t header_len);

/* Free a writer's blocks. */
void lc_writer_free(struct lc_writer_task *w);

/* rx: one poll. Returns packets received. */
unsigned int lc_rx_poll(struct lc_rx_task *t);

/* writer: one poll over all rings. Returns packets taken from rings. */
unsigned int lc_writer_poll(struct lc_writer_task *w);

/*
 * writer fed without rings (libpcap path, same thread as the capture):
 * append one packet of `caplen` bytes at `data` (cut to the snaplen) as
 * ring `r`'s; and lc_writer_idle after every pcap_dispatch: collect writes,
 * flush pipes, write records older than --flush-ms, close an ended -G file.
 */
void lc_writer_append(struct lc_writer_task *w, uint16_t r, uint64_t ns, const uint8_t *data,
		uint32_t caplen, uint32_t len);
void lc_writer_idle(struct lc_writer_task *w);

/* writer: true once all producers are done and every ring is empty. */
bool lc_writer_drained(const struct lc_writer_task *w);

/*
 * After the workers stopped (main lcore): retry a stalled block once, write
 * the tail, close. Packets that cannot be completed count as write errors
 * and the file is cut back to its last whole record. 0 or -errno.
 */
int lc_writer_finish(struct lc_writer_task *w);

/* The lcore entry point (arg = struct lc_worker *). */
int lc_worker_main(void *arg);

#endif
