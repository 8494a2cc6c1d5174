/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef LINECAP_PCAP_LOOP_H
#define LINECAP_PCAP_LOOP_H

/*
 * The libpcap path: one thread per kernel capture socket, which reads with
 * pcap_dispatch and appends each packet to its own writer in the same
 * thread (no ring, no mbuf). Built by core/engine_pcap.c; the handle is set
 * up by sources/pcap_live.c.
 */

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include <pcap/pcap.h>

#include "datapath/tasks.h"

struct lc_pcap_task {
	pcap_t *handle;
	int fd;			  /* pcap_fileno */
	struct lc_rx_task *rx;	  /* identity and counters: received = delivered + ps_drop */
	struct lc_writer_task *w; /* this thread's writer, fed as its ring 0 */
	struct lc_shared *shared;
	bool nano;	/* the handle gives nanosecond stamps */
	int timeout_ms; /* pcap timeout = TPACKET_V3 block retire timeout */
	/* owner: last raw pcap_stat values, for wrap-safe 32-bit deltas */
	unsigned int last_drop, last_ifdrop;
	uint64_t next_stats_ns;
	pthread_t thread;
	bool started;
	volatile int done; /* owner: drained and final stats read (release) */
	int err;	   /* pcap_dispatch failed: PCAP_ERROR_*, 0 = none */
	char errbuf[PCAP_ERRBUF_SIZE];
};

/* Thread entry (arg = struct lc_pcap_task *). */
void *lc_pcap_thread_main(void *arg);

/*
 * The writer's refresh_stats (arg = struct lc_pcap_task *): pcap_stats
 * now, so that a closing file's ISB holds the kernel's drops so far. Runs
 * in the capture thread, which owns the handle and feeds the writer.
 */
void lc_pcap_refresh_stats(void *arg);

/* sources/pcap_live.c: called by the thread itself. */
/* Let nothing more into the socket (reject-all kernel filter). 0 or -errno. */
int lc_pcap_quiesce(struct lc_pcap_task *t);
/* Add pcap_stats' progress since the last call to the task's counters. */
void lc_pcap_read_stats(struct lc_pcap_task *t);

#endif
