/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef LINECAP_REPLAY_PRIV_H
#define LINECAP_REPLAY_PRIV_H

#include <linecap/lcore_plan.h>

#include "datapath/tx_task.h"
#include "replay/pace.h"
#include "replay/file_seq.h"
#include "reader/pcap_reader.h"
#include "replay/replay.h"
#include "replay/replay_scan.h"
#include "sources/port.h"

struct lc_replay {
	struct lc_replay_conf conf;
	struct lc_lcore_plan plan; /* the lcores the EAL was given: a copy */
	struct lc_file_seq seq_in;
	struct lc_replay_scan scan;
	struct lc_pacer pacer;
	struct lc_port port;
	struct lc_tx_shared shared;
	struct lc_tx_task tasks[LC_TX_MAX_TASKS];
	struct lc_tx_counters *cnt; /* nb_tasks entries, cache aligned */
	unsigned int nb_tasks;
	struct lc_tx_worker workers[LC_MAX_CPUS];
	unsigned int nb_workers;
	struct rte_ring *feeds[LC_TX_MAX_TASKS];
	struct rte_mbuf **pre; /* preloaded packets, in file order */
	struct rte_mbuf **pre_task[LC_TX_MAX_TASKS];
	uint64_t nb_pre;
	/* streaming (main lcore) */
	struct rte_mbuf *held; /* built, waiting for ring space */
	unsigned int held_task;
	uint64_t queued;   /* packets put on feed rings */
	uint64_t leftover; /* left on feed rings at stop: dropped */
	uint64_t pass;	   /* passes over the file finished */
	uint64_t seq;
	uint64_t end_tsc;
	bool launched, joined;
};

#endif
