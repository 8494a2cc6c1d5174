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

#include <linecap/config.h>
#include <linecap/sink.h>
#include <linecap/stats.h>

#include "datapath/flow_hash.h"
#include "datapath/tstamp.h"

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
} __rte_cache_aligned;

struct rte_bpf;

/* A loaded BPF filter: JIT code if rte_bpf made some, else the interpreter. */
struct lc_rx_filter {
	struct rte_bpf *bpf; /* NULL = no filter */
	uint64_t (*jit)(void *mbuf);
	const char *no_jit_reason; /* why `jit` is NULL (control plane only) */
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
	uint32_t fwd_max_len; /* longer packets may be refused alone (MTU) */
} __rte_cache_aligned;

#define LC_WRITER_MAX_RINGS (LC_MAX_PORTS * LC_MAX_QUEUES)
#define LC_WRITER_BLOCKS 4

enum lc_block_state {
	LC_BLOCK_FREE = 0,
	LC_BLOCK_FILLING,  /* records are being packed into it */
	LC_BLOCK_INFLIGHT, /* submitted to the medium */
	LC_BLOCK_DONE,	   /* on the medium, not yet retired */
	LC_BLOCK_FAILED,   /* the medium refused it; retried in place */
};

/* One write block: block_size bytes plus room for one whole record. */
struct lc_wblock {
	uint8_t *buf;
	struct lc_medium *medium; /* the file it belongs to */
	uint64_t offset;	  /* file offset of buf[0] */
	size_t len;		  /* bytes submitted (resubmitted as is on retry) */
	bool last_of_file;	  /* its retirement completes a rotated file */
	uint32_t tail_partial;	  /* head bytes of a record that ends in the next block */
	enum lc_block_state state;
	int res;
	/* Records that end in this block, per ring: written when it retires. */
	uint32_t pend[LC_WRITER_MAX_RINGS];
	uint64_t pend_bytes[LC_WRITER_MAX_RINGS];
};

/* Files a writer may have closed while their last blocks are still in flight. */
#define LC_WRITER_CLOSING 2
/* Finished files waiting for the control thread (rename, -W, -z). */
#define LC_ROTATE_QUEUE 8

/* A rotated file whose last blocks are still on their way to the medium. */
struct lc_wfile {
	struct lc_medium medium;
	uint64_t boundary; /* file offset after the last retired whole record */
	uint64_t len;	   /* the file's exact length (the last block is padded) */
	uint64_t start_ns; /* names the file: -G window start, else first stamp */
	bool busy;
};

/* A finished file, handed from the writer to the control thread. */
struct lc_done_file {
	struct lc_medium medium; /* still open (fd >= 0), or already closed */
	uint64_t len;		 /* cut the file to this length, then publish it */
	uint64_t start_ns;
};

/*
 * The writer's side of rotation, shared with the control thread
 * (core/rotate.c): the next file opened ahead of time, and a single-producer
 * single-consumer queue of finished files.
 */
struct lc_rotation {
	uint64_t size_limit; /* -C in bytes, UINT64_MAX = none */
	uint64_t period_ns;  /* -G, 0 = none */
	struct lc_medium spare;
	volatile int spare_ready; /* 1: spare is open (release by its writer) */
	struct lc_done_file queue[LC_ROTATE_QUEUE];
	uint32_t q_head; /* next to write: the writer (release) */
	uint32_t q_tail; /* next to read: the control thread (release) */
};

/*
 * One writer: drains its rings into one output through a ring of blocks.
 * Blocks are submitted in file order and retired in file order, so
 * `written` only ever counts a prefix of the file.
 */
struct lc_writer_task {
	unsigned int id;
	uint16_t nb_rings;
	uint16_t burst;
	struct rte_ring *rings[LC_WRITER_MAX_RINGS];
	struct lc_rx_task *producers[LC_WRITER_MAX_RINGS]; /* ring i's rx */
	struct lc_ring_counters *cnt[LC_WRITER_MAX_RINGS]; /* owner */
	struct lc_shared *shared;
	uint32_t snaplen;
	bool nanosecond;
	const struct lc_format_ops *format;
	uint32_t rec_hdr_len;
	uint64_t tsc_hz; /* for the 100 ms retry of a failed block */ /* bytes before a record's
									 data: pcap header or EPB
									 head */
	uint8_t *header; /* the file header, written at the start of every file */
	size_t header_len;
	struct lc_clock clock; /* now, for -G while idle and pcapng statistics */
	uint64_t start_ns;     /* capture start (pcapng isb_starttime) */
	/* Optional: brings the producers' counters up to date right before a
	 * closing file's statistics (pcapng ISB) are built; called by the writer. */
	void (*refresh_stats)(void *arg);
	void *refresh_arg;

	struct lc_medium medium; /* the file being filled */
	bool o_direct;		 /* opened with O_DIRECT */
	struct lc_wblock blocks[LC_WRITER_BLOCKS];
	unsigned int cur;  /* block being filled */
	unsigned int head; /* oldest block not yet retired */
	size_t used;	   /* bytes in blocks[cur] */
	size_t block_size;
	uint64_t boundary; /* file offset after the last retired whole record */
	/* A record that straddled a sealed block while no block was free. */
	uint8_t *carry;
	uint32_t carry_len;
	int carry_ring;
	bool stop_on_disk_full; /* --on-disk-full stop: end capture at ENOSPC */
	bool blocked;		/* no free block: packets are dropped and counted */
	uint64_t retry_tsc;	/* when to resubmit a failed block */
	uint64_t write_calls;
	int last_errno;

	/* Rotation (-C, -G); rot == NULL: one file, never rotated. */
	struct lc_rotation *rot;
	bool file_open;	     /* medium holds an open file */
	uint64_t rot_end_ns; /* stamps from here go to the next file; 0 = no file */
	uint64_t rot_size;   /* -C bytes, UINT64_MAX = none */
	uint64_t min_window; /* -G windows never go back (clock skew, idle close) */
	uint64_t file_pkts;  /* records in the open file */
	uint64_t file_start_ns;
	struct lc_wfile closing[LC_WRITER_CLOSING];

	uint16_t next_ring;			  /* owner: round-robin start */
	volatile int done;			  /* owner: drained (release) */
	struct rte_mbuf *burst_buf[LC_MAX_BURST]; /* owner: the dequeued burst */
} __rte_cache_aligned;

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
 * ring `r`'s, and, when the capture is idle, collect writes and flush pipes.
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
