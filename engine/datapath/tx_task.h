/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef LINECAP_TX_TASK_H
#define LINECAP_TX_TASK_H

/*
 * The data-path view of replay: tx tasks (one per tx queue) and the lcores
 * that run them. Built by replay/replay.c before launch; afterwards only the
 * fields marked "owner" change, and only on the owning lcore.
 */

#include <stdbool.h>
#include <stdint.h>

#include <rte_common.h>

#include <linecap/config.h>
#include <linecap/stats.h>

struct rte_ring;
struct rte_mbuf;

/* Owned by one tx task. taken = sent + dropped once the task is done. */
struct lc_tx_counters {
	uint64_t taken;	   /* packets taken from the feed (ring or preloaded array) */
	uint64_t sent;	   /* accepted by rte_eth_tx_burst */
	uint64_t bytes;	   /* their bytes */
	uint64_t dropped;  /* taken but never sent: stopped while the queue was full,
			    * or refused by the port under no_retry */
	uint64_t retries;  /* tx_burst calls that took fewer packets than offered */
	uint64_t last_tsc; /* when the last packet was sent */
	/* The schedule's health (a generator whose CPU was taken sends late, then in a
	 * burst): the most a send was behind its due time, and how many sends were more
	 * than LC_TX_LATE_NS behind. */
	uint64_t max_late_tsc;
	uint64_t late_sends;
} __rte_cache_aligned;

#define LC_TX_LATE_NS 50000

/* State every tx lcore reads; written by the main lcore or the signal handler. */
struct lc_tx_shared {
	volatile int stop;	/* 1 = stop sending now, drop what is pending */
	volatile int feed_done; /* the main lcore has queued its last packet */
	uint64_t start_tsc;	/* due time 0 */
	double tsc_per_ns;
	int due_offset; /* mbuf dynfield: due time, ns after start */
} __rte_cache_aligned;

/*
 * One tx queue. The feed is either a ring filled by the main lcore (the file
 * streamed), or an array of preloaded mbufs this task sends `loops` times:
 * each send takes an extra reference, so the array keeps its packets.
 */
struct lc_tx_task {
	uint16_t port_id;
	uint16_t queue_id;
	uint16_t burst;
	bool no_retry;	       /* drop what the port refuses (as a NIC would), never resend */
	uint64_t late_tsc;     /* LC_TX_LATE_NS in TSC cycles; 0 = not paced, not watched */
	struct rte_ring *feed; /* streamed, or NULL */
	struct rte_mbuf **pre; /* preloaded, or NULL */
	uint64_t nb_pre;
	uint64_t loops;	  /* preloaded: passes, 0 = until stopped */
	uint64_t pass_ns; /* preloaded: how long one pass lasts */
	struct lc_tx_shared *shared;
	struct lc_tx_counters *cnt; /* owner */
	/* owner: the packets taken and not yet sent, with their due TSC */
	struct rte_mbuf *pend[LC_MAX_BURST];
	uint64_t due[LC_MAX_BURST];
	uint16_t nb_pend, head;
	uint64_t pass, idx; /* preloaded: position */
	volatile int done;  /* owner: finished (release) */
} __rte_cache_aligned;

#define LC_TX_MAX_TASKS LC_MAX_QUEUES

struct lc_tx_worker {
	unsigned int lcore_id;
	unsigned int nb_tasks;
	struct lc_tx_task *tasks[LC_TX_MAX_TASKS];
};

/* The lcore entry point (arg = struct lc_tx_worker *). */
int lc_tx_worker_main(void *arg);

#endif
