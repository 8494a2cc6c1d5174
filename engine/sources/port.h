/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef LINECAP_SOURCES_PORT_H
#define LINECAP_SOURCES_PORT_H

/*
 * DPDK ports (sources/dpdk_port.c, sources/dpdk_tx_port.c): the layout of
 * struct lc_port and the receive set-up. Users that only send take the
 * handle API of <linecap/port.h>.
 */

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <rte_dev.h>

#include <linecap/pmd_profile.h>
#include <linecap/port.h>
#include <linecap/stats.h>

#include "datapath/tstamp.h"
#include "sources/afpacket_drops.h"

struct rte_eth_dev_info;
struct rte_mempool;

/* One port: its profile, its queues and its packet memory. */
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

/* Probe `devargs` into `port` (caller's memory). 0 or -1 with err set. */
int lc_port_probe(const char *devargs, struct lc_port *port, struct lc_error *err);
/*
 * Set a probed port up for capture: RSS or software spread over nb_writers,
 * its mbuf pool, rx queues, NIC timestamps if the profile asks; started.
 * 0 or -1 with err set.
 */
int lc_port_configure(struct lc_port *port, uint16_t nb_writers, unsigned int nb_lcores,
		const struct lc_clock *tsc_clock, struct lc_error *err);
/* Read the PMD's counters (and af_packet's kernel drops) into port->stats: main lcore. */
void lc_port_read_stats(struct lc_port *port);
/* The plan line's end: the MTU set and how frames fit the mbufs, "\n". */
void lc_port_print_mtu(const struct lc_port *port, FILE *f);

/* The device's info, for configuring it. 0 or -1 with err set. */
int lc_port_info(const struct lc_port *port, struct rte_eth_dev_info *info, struct lc_error *err);

#endif
