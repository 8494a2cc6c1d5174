/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef LINECAP_ENGINE_PRIV_H
#define LINECAP_ENGINE_PRIV_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <rte_dev.h>

#include <linecap/config.h>
#include <linecap/engine.h>
#include <linecap/pmd_profile.h>

#include "core/lcore_plan.h"
#include "sources/afpacket_drops.h"
#include "datapath/tasks.h"

struct rte_mempool;

/* One capture port: its profile, its queues and its packet memory. */
struct lc_port {
	uint16_t port_id;
	char name[RTE_DEV_NAME_MAX_LEN];
	char driver[64];
	int socket;
	struct lc_pmd_profile prof;
	uint16_t nb_rxq; /* hardware rx queues configured */
	bool sw_spread;	 /* software RSS: every queue feeds every writer */
	struct rte_mempool *pool;
	uint32_t pool_size;
	bool hw_ts; /* NIC timestamps in use */
	struct lc_clock hw_clock;
	uint64_t hw_ts_flag;
	int hw_ts_offset;
	bool started;
	struct lc_afp_drops afp;       /* net_af_packet: its sockets' kernel drops */
	uint32_t extra_mbufs;	       /* held elsewhere: the --forward port's tx rings */
	uint32_t mtu_req, snaplen;     /* in: --mtu (0 = from snaplen), -s */
	uint32_t afp_frame;	       /* net_af_packet: bytes its ring frames hold (framesz) */
	uint32_t mtu;		       /* out: the port MTU */
	uint32_t max_frame;	       /* out: the longest frame captured whole */
	bool scatter;		       /* out: frames over one mbuf arrive as chains */
	bool mtu_raised;	       /* out: the MTU was raised for the snap length */
	struct lc_port_counters stats; /* main lcore only */
};

/* The --forward port (sinks/forward.c): one tx queue per rx task. */
struct lc_forward {
	bool on;
	char devargs[1024]; /* as probed: a bare kernel name becomes net_af_packet */
	struct lc_port port;
	uint16_t nb_txq;
	uint32_t max_len;	    /* the longest frame its MTU allows */
	uint64_t opackets, oerrors; /* the PMD's tx counters, main lcore only */
};

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

	struct lc_worker workers[LC_MAX_CPUS];
	unsigned int nb_workers;
	bool run_to_completion;

	uint64_t start_ns; /* CLOCK_MONOTONIC: works with and without the EAL */
	uint64_t end_ns;   /* set at join */
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

/* Port control (sources/dpdk_port.c). */
int lc_port_probe(const char *devargs, struct lc_port *port, struct lc_error *err);
int lc_port_configure(struct lc_port *port, uint16_t nb_writers, unsigned int nb_lcores,
		const struct lc_clock *tsc_clock, struct lc_error *err);
void lc_port_read_stats(struct lc_port *port);
/* The plan line's end: the MTU set and how frames fit the mbufs, "\n". */
void lc_port_print_mtu(const struct lc_port *port, FILE *f);
void lc_port_close(struct lc_port *port);

/* tx descriptors per queue of a sending port (sources/dpdk_tx_port.c). */
#define LC_TX_PORT_DESC 1024

/*
 * Port set up for sending (sources/dpdk_tx_port.c; replay and --forward):
 * nb_txq tx queues, no rx queue where the PMD allows, a packet pool of
 * pool_size mbufs plus what the queues need, started. 0 or -1 with err set.
 */
int lc_port_configure_tx(
		struct lc_port *port, uint16_t nb_txq, uint32_t pool_size, struct lc_error *err);
/* Wait until the link is up (a memif peer connected); 0 or -1 with err set. */
int lc_port_wait_link(const struct lc_port *port, double seconds, const volatile int *stop,
		struct lc_error *err);

/*
 * --forward (sinks/forward.c), after the capture ports are configured and the
 * rx tasks built: probe the forward device, refuse a capture port, give each
 * rx task its own tx queue. No-op without --forward. 0 or -1 with err set.
 */
int lc_forward_setup(struct lc_engine *e, struct lc_error *err);
/* Read the forward port's tx counters (main lcore). */
void lc_forward_read_stats(struct lc_engine *e);
/* Stop and close the forward port: before the capture pools are freed. */
void lc_forward_close(struct lc_engine *e);

/* The lcores chosen before EAL init (core/engine.c keeps them). */
void lc_plan_set_pick(const struct lc_cpu_pick *pick);
const struct lc_cpu_pick *lc_plan_get_pick(void);

/* Telemetry (stats/telemetry.c). */
int lc_telemetry_register(struct lc_engine *e);
void lc_telemetry_unregister(void);

#endif
