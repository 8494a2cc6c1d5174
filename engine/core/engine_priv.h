/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef LINECAP_ENGINE_PRIV_H
#define LINECAP_ENGINE_PRIV_H

#include <stdbool.h>
#include <stdint.h>

#include <linecap/config.h>
#include <linecap/engine.h>
#include <linecap/pmd_profile.h>
#include <linecap/stats_view.h>

#include "core/lcore_plan.h"
#include "datapath/tasks.h"
#include "sinks/forward.h"
#include "sources/port.h"

struct lc_engine {
	struct lc_capture_conf conf;
	struct lc_shared shared;
	struct lc_sym_hash hash;
	struct lc_clock tsc_clock;

	struct lc_port ports[LC_MAX_PORTS];
	unsigned int nb_ports;

	struct lc_rx_task rx[LC_MAX_PORTS * LC_MAX_QUEUES];
	struct lc_rx_counters rx_cnt[LC_MAX_PORTS * LC_MAX_QUEUES];
	unsigned int nb_rx;

	struct lc_writer_task writers[LC_MAX_WRITERS];
	unsigned int nb_writers;
	/* The output file; with rotation, the pattern, then the last file published. */
	char writer_path[LC_MAX_WRITERS][PATH_MAX];
	const struct lc_format_ops *format;
	struct lc_rotator *rotator; /* -C/-G: core/rotate.c, NULL otherwise */

	/* ring i: producer rx task, consumer writer; its counters */
	struct rte_ring *rings[LC_MAX_PORTS * LC_MAX_QUEUES * LC_MAX_WRITERS];
	struct lc_ring_counters *ring_cnt; /* nb_rings entries, cache aligned */
	unsigned int ring_rx[LC_MAX_PORTS * LC_MAX_QUEUES * LC_MAX_WRITERS];
	unsigned int ring_writer[LC_MAX_PORTS * LC_MAX_QUEUES * LC_MAX_WRITERS];
	unsigned int nb_rings;

	struct lc_forward fwd;

	struct lc_lcore_plan plan; /* the lcores the EAL was given: a copy */
	struct lc_worker workers[LC_MAX_CPUS];
	unsigned int nb_workers;
	bool run_to_completion;

	/* What stats/ reads (core/engine_view.c); start_ns and end_ns live there. */
	struct lc_stats_view view;
	bool launched;
	bool joined;

	/* rx side: filter and the libpcap path (core/engine_pcap.c) */
	uint32_t linktype;	   /* DLT_* of every port */
	bool filter_jit;	   /* the DPDK filter runs JIT-compiled */
	bool pcap_mode;		   /* libpcap path: no EAL, no lcores, no rings */
	struct lc_pcap_task *pcap; /* nb_rx capture threads, each with its writer */
	uint16_t fanout_group;
};

struct lc_pcap_task;

/* Open writer w->id's output for the engine's format and link type. */
int lc_writer_open(struct lc_engine *e, struct lc_writer_task *w, struct lc_error *err);
/* Once the writer's rings (interfaces) are known: its file header and blocks. */
int lc_writer_header(struct lc_engine *e, struct lc_writer_task *w, struct lc_error *err);

/*
 * Build the tasks (core/engine_build.c), after the ports are configured:
 * the writers and their outputs, one rx task per port queue, the rings
 * between them, rotation, the file headers. 0 or -1 with err set.
 */
int lc_engine_build_tasks(struct lc_engine *e, struct lc_error *err);
/* Compile the filter once, load one copy per rx task. 0 or -1 with err set. */
int lc_engine_setup_filters(struct lc_engine *e, struct lc_error *err);

/*
 * The stats view (core/engine_view.c). lc_telemetry_register, once the
 * engine is built (both paths): fill e->view, publish it to the readers on
 * other threads and register /linecap/stats. 0 or -1.
 */
int lc_telemetry_register(struct lc_engine *e);
/* Retract e's view and wait for the readers inside it: before anything is freed. */
void lc_telemetry_unregister(struct lc_engine *e);
/* Main lcore: copy the counters only the main lcore reads (forward, files) into the view. */
void lc_engine_view_refresh(struct lc_engine *e);
/* After join: the writers' own figures too (write calls, errno, O_DIRECT). */
void lc_engine_view_final(struct lc_engine *e);

#endif
