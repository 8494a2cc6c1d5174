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
	volatile int stop;          /* 1 = stop receiving, drain and finish */
	volatile int fatal;         /* a writer hit an error that ends capture */
	uint64_t count_limit;       /* -c, 0 = none */
	uint64_t count_taken;       /* packets reserved by rx tasks (atomic) */
	int ts_offset;              /* mbuf dynfield holding the ns timestamp */
} __rte_cache_aligned;

/* One (port, queue) polled with rte_eth_rx_burst. */
struct lc_rx_task {
	uint16_t port_id;
	uint16_t queue_id;
	uint16_t burst;
	uint16_t nb_rings;                     /* writers fed: 1 = no hashing */
	struct rte_ring *rings[LC_MAX_WRITERS]; /* indexed by writer */
	struct lc_rx_counters *cnt;             /* owner: this task */
	struct lc_shared *shared;
	const struct lc_sym_hash *hash;         /* software RSS, if nb_rings > 1 */
	struct lc_clock tsc_clock;              /* software timestamps */
	struct lc_clock hw_clock;               /* NIC clock, if hw_ts */
	uint64_t hw_ts_flag;                    /* ol_flags bit of a valid hw stamp */
	int hw_ts_offset;                       /* dynfield of the hw stamp, or -1 */
	uint64_t last_ns;                       /* owner: keeps stamps monotonic */
	volatile int done;                      /* owner: no more enqueues (release) */
	unsigned int idle_polls;                /* owner: consecutive empty polls */
} __rte_cache_aligned;

/* The medium plus an aligned block buffer that holds whole records. */
struct lc_block_out {
	struct lc_medium medium;
	uint8_t *buf;          /* block_size + slack bytes, LC_BLOCK_ALIGN aligned */
	size_t block_size;     /* bytes per write while O_DIRECT */
	size_t used;
	uint64_t file_bytes;   /* bytes on the medium */
	uint64_t boundary;     /* file offset after the last record fully on the medium */
	uint64_t write_calls;
	int last_errno;
	bool o_direct;         /* the medium was opened with O_DIRECT */
	bool stalled;          /* a block failed; retrying at retry_tsc */
	uint64_t retry_tsc;
};

/* One writer: drains its rings into one output. */
struct lc_writer_task {
	unsigned int id;
	uint16_t nb_rings;
	uint16_t burst;
	struct rte_ring *rings[LC_MAX_PORTS * LC_MAX_QUEUES];
	struct lc_rx_task *producers[LC_MAX_PORTS * LC_MAX_QUEUES]; /* ring i's rx */
	struct lc_ring_counters *cnt[LC_MAX_PORTS * LC_MAX_QUEUES]; /* owner */
	/* Records appended but not yet on the medium, per ring (owner). */
	uint32_t pending[LC_MAX_PORTS * LC_MAX_QUEUES];
	uint64_t pending_bytes[LC_MAX_PORTS * LC_MAX_QUEUES];
	/* The record that straddles the block end (its ring, its size). */
	int straddle_ring;
	uint32_t straddle_bytes;
	struct lc_block_out out;
	struct lc_shared *shared;
	uint32_t snaplen;
	bool nanosecond;
	uint16_t next_ring;      /* owner: round-robin start */
	volatile int done;       /* owner: drained and flushed (release) */
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

/* rx: one poll. Returns packets received. */
unsigned int lc_rx_poll(struct lc_rx_task *t);

/* writer: one poll over all rings. Returns packets taken from rings. */
unsigned int lc_writer_poll(struct lc_writer_task *w);

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
