/* SPDX-License-Identifier: BSD-3-Clause */
/* DPDK port set up for sending: tx queues, the packet pool, link wait. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <rte_ethdev.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "sources/port.h"

#define TX_DESC LC_TX_PORT_DESC
#define START_RETRIES 25
#define RX_DESC 512 /* a peer may send to us: the queue is never polled */

int
lc_port_configure_tx(
		struct lc_port *port, uint16_t nb_txq, uint32_t pool_size, struct lc_error *err)
{
	struct rte_eth_conf conf;
	struct rte_eth_dev_info info;
	struct rte_eth_txconf txconf;
	char pool_name[RTE_MEMPOOL_NAMESIZE];
	uint16_t nb_rxd = RX_DESC, nb_txd = TX_DESC, nb_rxq = 0, q;
	int ret;

	memset(&conf, 0, sizeof(conf));
	if (lc_port_info(port, &info, err) < 0)
		return -1;
	if (nb_txq > info.max_tx_queues)
		return lc_error_set(err, LC_ERR_DEVICE,
				"port %s (%s) has at most %u tx queues, %u are needed (one per "
				"--queues of replay, one per rx queue of --forward)%s",
				port->name, port->driver, info.max_tx_queues, nb_txq,
				strcmp(port->driver, "net_af_packet") == 0 ? "; give it qpairs=N"
									   : "");
	/* Records longer than one mbuf go out as chains. */
	conf.txmode.offloads = info.tx_offload_capa & RTE_ETH_TX_OFFLOAD_MULTI_SEGS;
	port->pool_size = pool_size + (uint32_t)nb_txq * TX_DESC + RX_DESC * 2;
	snprintf(pool_name, sizeof(pool_name), "lc_txpool_%u", port->port_id);
	port->pool = rte_pktmbuf_pool_create(pool_name, port->pool_size, 256, 0,
			RTE_MBUF_DEFAULT_BUF_SIZE, port->socket);
	if (port->pool == NULL)
		return lc_error_set(err, LC_ERR_RUNTIME,
				"port %s: cannot allocate %u mbufs (%.0f MiB) on NUMA node %d: "
				"%s; reserve more hugepages (scripts/hugepages)%s",
				port->name, port->pool_size,
				(double)port->pool_size * (RTE_MBUF_DEFAULT_BUF_SIZE + 192) /
						1048576.0,
				port->socket, rte_strerror(rte_errno),
				pool_size > 0 ? ", or replay without --preload" : "");
	/* No rx queue if the PMD allows (a memif peer must match our queue counts). */
	ret = rte_eth_dev_configure(port->port_id, 0, nb_txq, &conf);
	if (ret != 0) {
		nb_rxq = 1;
		ret = rte_eth_dev_configure(port->port_id, nb_rxq, nb_txq, &conf);
	}
	if (ret != 0)
		return lc_error_set(err, LC_ERR_DEVICE, "port %s (%s): configure failed: %s",
				port->name, port->driver, strerror(-ret));
	ret = rte_eth_dev_adjust_nb_rx_tx_desc(port->port_id, &nb_rxd, &nb_txd);
	if (ret != 0)
		return lc_error_set(err, LC_ERR_DEVICE, "port %s: descriptor limits: %s",
				port->name, strerror(-ret));
	ret = nb_rxq == 0 ? 0
			  : rte_eth_rx_queue_setup(port->port_id, 0, nb_rxd,
					    (unsigned int)port->socket, NULL, port->pool);
	if (ret != 0)
		return lc_error_set(err, LC_ERR_DEVICE, "port %s: rx queue setup failed: %s",
				port->name, strerror(-ret));
	txconf = info.default_txconf;
	txconf.offloads = conf.txmode.offloads;
	for (q = 0; q < nb_txq; q++) {
		ret = rte_eth_tx_queue_setup(
				port->port_id, q, nb_txd, (unsigned int)port->socket, &txconf);
		if (ret != 0)
			return lc_error_set(err, LC_ERR_DEVICE,
					"port %s: tx queue %u setup failed: %s", port->name, q,
					strerror(-ret));
	}
	/* A memif client fails to start while its server is not listening yet: retry a while. */
	for (q = 0; (ret = rte_eth_dev_start(port->port_id)) != 0 && q < START_RETRIES; q++) {
		struct timespec nap = {0, 200L * 1000 * 1000};

		nanosleep(&nap, NULL);
	}
	if (ret != 0)
		return lc_error_set(err, LC_ERR_DEVICE, "port %s (%s): start failed: %s",
				port->name, port->driver, strerror(-ret));
	port->started = true;
	return 0;
}

int
lc_port_wait_link(const struct lc_port *port, double seconds, const volatile int *stop,
		struct lc_error *err)
{
	struct timespec nap = {0, 10L * 1000 * 1000};
	double waited = 0;

	for (;;) {
		struct rte_eth_link link;

		memset(&link, 0, sizeof(link));
		if (rte_eth_link_get_nowait(port->port_id, &link) != 0 ||
				link.link_status == RTE_ETH_LINK_UP)
			return 0; /* no link notion: assume it sends */
		if (waited >= seconds || (stop != NULL && *stop))
			return lc_error_set(err, LC_ERR_DEVICE,
					"port %s (%s): link still down after %.1f s (a memif "
					"peer not connected?); --link-wait SEC waits longer",
					port->name, port->driver, waited);
		nanosleep(&nap, NULL);
		waited += 0.01;
	}
}
