/* SPDX-License-Identifier: BSD-3-Clause */
/* DPDK port control: probe, configure RSS/queues/mempool, start, stats. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <rte_cycles.h>
#include <rte_dev.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_kvargs.h>
#include <rte_mbuf.h>
#include <rte_mbuf_dyn.h>
#include <rte_mempool.h>

#include <linecap/config.h>

#include "datapath/flow_hash.h"
#include "sources/afpacket_drops.h"
#include "sources/port.h"

bool
lc_is_pci_addr(const char *s)
{
	unsigned int d, b, dev, f;
	char tail;

	if (sscanf(s, "%x:%x:%x.%x%c", &d, &b, &dev, &f, &tail) == 4)
		return true;
	if (sscanf(s, "%x:%x:%x.%x,%c", &d, &b, &dev, &f, &tail) == 5)
		return true;
	if (sscanf(s, "%x:%x.%x%c", &b, &dev, &f, &tail) == 3)
		return true;
	return sscanf(s, "%x:%x.%x,%c", &b, &dev, &f, &tail) == 4;
}

/* Device name part of a devargs string ("net_null0,size=64" -> "net_null0"). */
static void
devargs_name(const char *devargs, char *name, size_t len)
{
	size_t i = 0;

	while (devargs[i] != '\0' && devargs[i] != ',' && i + 1 < len) {
		name[i] = (char)tolower((unsigned char)devargs[i]);
		i++;
	}
	name[i] = '\0';
}

static int
find_port(const char *name, uint16_t *port_id)
{
	uint16_t pid;

	RTE_ETH_FOREACH_DEV(pid)
	{
		struct rte_eth_dev_info info;

		if (rte_eth_dev_info_get(pid, &info) != 0 || info.device == NULL)
			continue;
		if (strcasecmp(rte_dev_name(info.device), name) == 0) {
			*port_id = pid;
			return 0;
		}
	}
	return -ENODEV;
}

/*
 * net_af_packet copies each frame from its ring into one mbuf (no chains)
 * and refuses an rx queue whose mbufs are smaller than a ring frame: the
 * bytes a ring frame holds, from framesz= (PMD default 2048) less the
 * tpacket2 header (32 bytes).
 */
static uint32_t
afp_frame_bytes(const char *devargs)
{
	const char *args = strchr(devargs, ',');
	struct rte_kvargs *kv = args != NULL ? rte_kvargs_parse(args + 1, NULL) : NULL;
	const char *v = kv != NULL ? rte_kvargs_get(kv, "framesz") : NULL;
	unsigned long framesz = v != NULL ? strtoul(v, NULL, 0) : 2048;

	rte_kvargs_free(kv);
	return framesz > 32 && framesz <= UINT16_MAX ? (uint32_t)framesz - 32 : 2016;
}

int
lc_port_probe(const char *devargs, struct lc_port *port, struct lc_error *err)
{
	struct rte_eth_dev_info info;
	char name[RTE_DEV_NAME_MAX_LEN];
	int ret;

	memset(port, 0, sizeof(*port));
	port->hw_ts_offset = -1;
	devargs_name(devargs, name, sizeof(name));
	if (lc_is_pci_addr(devargs)) {
		/* PCI devices were allowed (-a) at EAL init; accept BB:DD.F too. */
		if (strchr(name, ':') == strrchr(name, ':')) {
			char full[RTE_DEV_NAME_MAX_LEN];

			if (snprintf(full, sizeof(full), "0000:%s", name) >= (int)sizeof(full))
				return lc_error_set(err, LC_ERR_DEVICE,
						"device '%s': name too long", devargs);
			memcpy(name, full, sizeof(name));
		}
		if (find_port(name, &port->port_id) < 0)
			return lc_error_set(err, LC_ERR_DEVICE,
					"device '%s' not found or not bound to a DPDK driver: bind "
					"it with 'dpdk-devbind.py -b vfio-pci %s' (see 'linecap "
					"list')",
					devargs, name);
	} else {
		struct lc_afp_fdset before;
		bool afp = lc_afp_is_devargs(devargs);

		if (afp)
			lc_afp_fdset_take(&before);
		ret = rte_dev_probe(devargs);
		if (afp && ret == 0) {
			lc_afp_drops_attach(&port->afp, &before);
			port->afp_frame = afp_frame_bytes(devargs);
		}
		if (ret < 0 && ret != -EEXIST)
			return lc_error_set(err, LC_ERR_DEVICE,
					"device '%s' not found or could not be created (%s): a "
					"virtual device is a DPDK driver name plus a number with "
					"its arguments, e.g. net_null0,size=64; -v shows the "
					"driver's message",
					devargs, rte_strerror(-ret));
		if (find_port(name, &port->port_id) < 0)
			return lc_error_set(err, LC_ERR_DEVICE,
					"device '%s' was probed but has no ethdev port", devargs);
	}
	ret = rte_eth_dev_info_get(port->port_id, &info);
	if (ret != 0)
		return lc_error_set(err, LC_ERR_DEVICE, "device '%s': cannot read device info: %s",
				devargs, strerror(-ret));
	snprintf(port->name, sizeof(port->name), "%s", name);
	snprintf(port->driver, sizeof(port->driver), "%s", info.driver_name);
	port->socket = rte_eth_dev_socket_id(port->port_id);
	if (port->socket < 0)
		port->socket = (int)rte_socket_id();
	return 0;
}

struct lc_port *
lc_port_open(const char *devargs, struct lc_error *err)
{
	struct lc_port *port = calloc(1, sizeof(*port));

	if (port == NULL) {
		lc_error_set(err, LC_ERR_RUNTIME, "out of memory");
		return NULL;
	}
	if (lc_port_probe(devargs, port, err) < 0) {
		free(port);
		return NULL;
	}
	return port;
}

void
lc_port_free(struct lc_port *port)
{
	free(port);
}

uint16_t
lc_port_id(const struct lc_port *port)
{
	return port->port_id;
}

int
lc_port_info(const struct lc_port *port, struct rte_eth_dev_info *info, struct lc_error *err)
{
	int ret = rte_eth_dev_info_get(port->port_id, info);

	if (ret != 0)
		return lc_error_set(err, LC_ERR_DEVICE, "port %s: cannot read device info: %s",
				port->name, strerror(-ret));
	return 0;
}

/* Calibrate the NIC clock against the TSC over ~50 ms. 0 or -errno. */
static int
calibrate_hw_clock(struct lc_port *port, const struct lc_clock *tsc_clock)
{
	uint64_t c0, c1, t0, t1;
	int ret;

	ret = rte_eth_read_clock(port->port_id, &c0);
	if (ret != 0)
		return ret;
	t0 = rte_rdtsc_precise();
	rte_delay_us_sleep(50000);
	ret = rte_eth_read_clock(port->port_id, &c1);
	t1 = rte_rdtsc_precise();
	if (ret != 0)
		return ret;
	if (c1 <= c0)
		return -ERANGE;
	lc_clock_set_rate(&port->hw_clock,
			(uint64_t)((double)(c1 - c0) * (double)lc_tsc_hz() / (double)(t1 - t0)));
	port->hw_clock.base_ticks = c1;
	port->hw_clock.base_ns = lc_clock_ns(tsc_clock, t1);
	return 0;
}

static uint32_t
pool_size_needed(const struct lc_port *port, uint16_t nb_writers, unsigned int nb_lcores)
{
	const struct lc_pmd_profile *p = &port->prof;
	/* software spreading: one ring from every queue to every writer */
	uint32_t nb_rings = port->sw_spread ? (uint32_t)port->nb_rxq * nb_writers : port->nb_rxq;
	uint64_t n;

	/* Every place an mbuf can sit at once: rx descriptors, ring slots,
	 * bursts held by rx and writer tasks, per-lcore mempool caches, and the
	 * --forward port's tx descriptors (extra_mbufs). */
	n = (uint64_t)port->nb_rxq * p->rx_desc + (uint64_t)nb_rings * p->ring_size +
	    (uint64_t)(port->nb_rxq + nb_writers) * p->burst * 2 +
	    (uint64_t)nb_lcores * p->mbuf_cache * 3 / 2 + 1024 + port->extra_mbufs;
	return n > UINT32_MAX ? UINT32_MAX : (uint32_t)n;
}

/*
 * Rx queues and how packets reach the writers. Some devices receive on
 * queues of their own whatever is configured (net_af_packet qpairs: sockets
 * in a PACKET_FANOUT group; net_pcap: one rx_pcap file per queue; net_ring):
 * rte_eth_dev_info reports them before configuration, and every one of
 * them is configured and polled, or packets would vanish unread. Without
 * hardware RSS over exactly the writers' queues, software spreads each
 * queue's packets over the writers (sw_spread).
 */
static int
configure_rss(struct lc_port *port, const struct rte_eth_dev_info *info, uint16_t nb_writers,
		struct rte_eth_conf *conf, uint8_t *key, struct lc_error *err)
{
	const struct lc_pmd_profile *p = &port->prof;
	uint64_t hf = p->rss_hf & info->flow_type_rss_offloads;
	uint16_t own = info->nb_rx_queues; /* the device's own queues, 0 if none yet */
	bool hw_ok = hf != 0 && info->max_rx_queues >= nb_writers && own <= nb_writers;

	if (own > LC_MAX_QUEUES)
		return lc_error_set(err, LC_ERR_DEVICE,
				"port %s (%s): the device receives on %u rx queues, linecap reads "
				"at most %u: create it with fewer (e.g. qpairs=, rx_pcap=)",
				port->name, port->driver, own, LC_MAX_QUEUES);
	port->nb_rxq = own > 1 ? own : 1;
	port->sw_spread = port->nb_rxq > 1; /* every queue feeds every writer */
	if (nb_writers == 1)
		return 0;
	if (p->rss_mode == LC_RSS_HARDWARE && !hw_ok)
		return lc_error_set(err, LC_ERR_DEVICE,
				"port %s (%s): profile '%s' asks for hardware RSS, but the device "
				"offers %u rx queues (%u of its own) and RSS fields 0x%" PRIx64,
				port->name, port->driver, p->name, info->max_rx_queues, own,
				info->flow_type_rss_offloads);
	if (p->rss_mode == LC_RSS_SOFTWARE || !hw_ok) {
		port->sw_spread = true;
		return 0;
	}
	port->nb_rxq = nb_writers;
	port->sw_spread = false;
	conf->rxmode.mq_mode = RTE_ETH_MQ_RX_RSS;
	conf->rx_adv_conf.rss_conf.rss_hf = hf;
	conf->rx_adv_conf.rss_conf.rss_key_len = info->hash_key_size ? info->hash_key_size : 40;
	lc_sym_rss_key(key, conf->rx_adv_conf.rss_conf.rss_key_len);
	conf->rx_adv_conf.rss_conf.rss_key = key;
	return 0;
}

/* Bytes a frame has beyond its MTU on this device (ethdev's own rule). */
static uint32_t
mtu_overhead(const struct rte_eth_dev_info *info)
{
	if (info->max_mtu != UINT16_MAX && info->max_rx_pktlen > info->max_mtu)
		return info->max_rx_pktlen - info->max_mtu;
	return RTE_ETHER_HDR_LEN + RTE_ETHER_CRC_LEN;
}

/*
 * Frame sizes, on a configured port, from the snap length and the device:
 *   - the mbufs: rx scatter (chains) where the device has it and the snap
 *     length exceeds one mbuf; net_af_packet gets mbufs as big as its ring
 *     frames (framesz=), which it needs;
 *   - the MTU: --mtu, else what the snap length asks, at least 1500, at most
 *     what the device (max_mtu, max_rx_pktlen) and, without scatter, one
 *     mbuf take. Only ever raised: a PMD whose MTU is a kernel interface's
 *     (net_af_packet, net_tap) must not shrink it. A PMD that has no MTU
 *     (ENOTSUP) keeps its own.
 */
static int
set_frames(struct lc_port *port, const struct rte_eth_dev_info *info, struct rte_eth_conf *conf,
		uint16_t nb_txq, struct lc_error *err)
{
	uint32_t oh = mtu_overhead(info), snap = port->snaplen ? port->snaplen : 262144;
	uint32_t dev_max = info->max_rx_pktlen > oh ? info->max_rx_pktlen - oh : 0;
	uint32_t room = port->prof.mbuf_data_room - RTE_PKTMBUF_HEADROOM, want;
	uint16_t cur = RTE_ETHER_MTU;
	int ret;

	if (port->afp_frame > room) {
		if (port->afp_frame + RTE_PKTMBUF_HEADROOM > UINT16_MAX)
			return lc_error_set(err, LC_ERR_DEVICE,
					"port %s: framesz needs mbufs over 64 KiB", port->name);
		room = port->afp_frame;
		port->prof.mbuf_data_room = (uint16_t)(room + RTE_PKTMBUF_HEADROOM);
	}
	if ((info->rx_offload_capa & RTE_ETH_RX_OFFLOAD_SCATTER) && snap > room) {
		conf->rxmode.offloads |= RTE_ETH_RX_OFFLOAD_SCATTER;
		port->scatter = true;
		ret = rte_eth_dev_configure(port->port_id, port->nb_rxq, nb_txq, conf);
		if (ret != 0)
			return lc_error_set(err, LC_ERR_DEVICE, "port %s (%s): rx scatter: %s",
					port->name, port->driver, strerror(-ret));
	}
	dev_max = RTE_MIN(dev_max, (uint32_t)info->max_mtu);
	if (!port->scatter)
		dev_max = RTE_MIN(dev_max, room > oh ? room - oh : 0);
	if (port->mtu_req != 0 && (port->mtu_req < info->min_mtu || port->mtu_req > dev_max))
		return lc_error_set(err, LC_ERR_USAGE,
				"--mtu %u: port %s (%s) takes an MTU from %u to %u", port->mtu_req,
				port->name, port->driver, info->min_mtu, dev_max);
	want = port->mtu_req != 0
			       ? port->mtu_req
			       : RTE_MIN(RTE_MAX(snap - RTE_MIN(snap, oh), (uint32_t)RTE_ETHER_MTU),
						 dev_max);
	rte_eth_dev_get_mtu(port->port_id, &cur);
	port->mtu = cur;
	if (want > cur || (port->mtu_req != 0 && want != cur)) {
		ret = rte_eth_dev_set_mtu(port->port_id, (uint16_t)want);
		if (ret == 0) {
			port->mtu_raised = want > cur;
			port->mtu = want;
		} else if (port->mtu_req != 0)
			return lc_error_set(err, LC_ERR_DEVICE,
					"--mtu %u: port %s (%s) refuses it: %s", want, port->name,
					port->driver, strerror(-ret));
	}
	port->max_frame = port->scatter		 ? port->mtu + oh
			  : port->afp_frame != 0 ? port->afp_frame
						 : room;
	return 0;
}

void
lc_port_print_mtu(const struct lc_port *port, FILE *f)
{
	if (port->afp.n > 0)
		fprintf(f, "MTU of the kernel interface, frames up to %u bytes whole (framesz)\n",
				port->max_frame);
	else
		fprintf(f, "MTU %u (%s), frames up to %u bytes whole (%s)\n", port->mtu,
				port->mtu_req != 0 ? "--mtu"
				: port->mtu_raised ? "raised for the snap length"
						   : "the device's",
				port->max_frame, port->scatter ? "rx scatter" : "one mbuf each");
}

int
lc_port_configure(struct lc_port *port, uint16_t nb_writers, unsigned int nb_lcores,
		const struct lc_clock *tsc_clock, struct lc_error *err)
{
	struct rte_eth_conf conf;
	struct rte_eth_dev_info info;
	struct rte_eth_rxconf rxconf;
	uint8_t key[128];
	uint16_t nb_rxd, nb_txd = 512, q, nb_txq = 0;
	char pool_name[RTE_MEMPOOL_NAMESIZE];
	uint32_t need;
	int ret;

	memset(&conf, 0, sizeof(conf));
	if (lc_port_info(port, &info, err) < 0)
		return -1;
	if (configure_rss(port, &info, nb_writers, &conf, key, err) < 0)
		return -1;
	conf.rxmode.offloads = port->prof.rx_offloads & info.rx_offload_capa;
	if (port->prof.hw_timestamp && (info.rx_offload_capa & RTE_ETH_RX_OFFLOAD_TIMESTAMP))
		conf.rxmode.offloads |= RTE_ETH_RX_OFFLOAD_TIMESTAMP;

	ret = rte_eth_dev_configure(port->port_id, port->nb_rxq, 0, &conf);
	if (ret != 0) {
		/* Some PMDs insist on a tx queue even for receive-only use. */
		nb_txq = 1;
		ret = rte_eth_dev_configure(port->port_id, port->nb_rxq, nb_txq, &conf);
	}
	if (ret != 0)
		return lc_error_set(err, LC_ERR_DEVICE, "port %s (%s): configure failed: %s",
				port->name, port->driver, strerror(-ret));
	if (set_frames(port, &info, &conf, nb_txq, err) < 0)
		return -1;

	need = pool_size_needed(port, nb_writers, nb_lcores);
	if (port->prof.mbuf_pool_size != 0 && port->prof.mbuf_pool_size < need)
		return lc_error_set(err, LC_ERR_CONFIG,
				"%s: [rx] mbuf_pool_size = %u is too small: descriptors, rings and "
				"bursts in flight need %u mbufs",
				port->prof.path, port->prof.mbuf_pool_size, need);
	port->pool_size = port->prof.mbuf_pool_size ? port->prof.mbuf_pool_size : need;
	snprintf(pool_name, sizeof(pool_name), "lc_pool_%u", port->port_id);
	port->pool = rte_pktmbuf_pool_create(pool_name, port->pool_size, port->prof.mbuf_cache, 0,
			port->prof.mbuf_data_room, port->socket);
	if (port->pool == NULL)
		return lc_error_set(err, LC_ERR_RUNTIME,
				"port %s: cannot allocate %u mbufs of %u bytes (%.0f MiB) on NUMA "
				"node %d: %s; reserve more hugepages (scripts/hugepages) or use a "
				"smaller ring_size in the pmd-config profile",
				port->name, port->pool_size, port->prof.mbuf_data_room,
				(double)port->pool_size * (port->prof.mbuf_data_room + 192) /
						1048576.0,
				port->socket, rte_strerror(rte_errno));
	nb_rxd = port->prof.rx_desc;
	ret = rte_eth_dev_adjust_nb_rx_tx_desc(port->port_id, &nb_rxd, &nb_txd);
	if (ret != 0)
		return lc_error_set(err, LC_ERR_DEVICE, "port %s: descriptor limits: %s",
				port->name, strerror(-ret));
	rxconf = info.default_rxconf;
	rxconf.offloads = conf.rxmode.offloads;
	for (q = 0; q < port->nb_rxq; q++) {
		ret = rte_eth_rx_queue_setup(port->port_id, q, nb_rxd, (unsigned int)port->socket,
				&rxconf, port->pool);
		if (ret != 0)
			return lc_error_set(err, LC_ERR_DEVICE,
					"port %s: rx queue %u setup failed: %s", port->name, q,
					strerror(-ret));
	}
	for (q = 0; q < nb_txq; q++) {
		ret = rte_eth_tx_queue_setup(
				port->port_id, q, nb_txd, (unsigned int)port->socket, NULL);
		if (ret != 0)
			return lc_error_set(err, LC_ERR_DEVICE,
					"port %s: tx queue setup failed: %s", port->name,
					strerror(-ret));
	}
	ret = rte_eth_dev_start(port->port_id);
	if (ret != 0)
		return lc_error_set(err, LC_ERR_DEVICE, "port %s (%s): start failed: %s",
				port->name, port->driver, strerror(-ret));
	port->started = true;
	if (port->afp.n > 0) {
		lc_afp_drops_clear(&port->afp);
		port->prof.counters |= LC_CNT_IMISSED;
	}
	/* Capture everything on the wire; PMDs without the notion say ENOTSUP. */
	rte_eth_promiscuous_enable(port->port_id);

	if (conf.rxmode.offloads & RTE_ETH_RX_OFFLOAD_TIMESTAMP) {
		if (rte_mbuf_dyn_rx_timestamp_register(&port->hw_ts_offset, &port->hw_ts_flag) ==
						0 &&
				calibrate_hw_clock(port, tsc_clock) == 0) {
			port->hw_ts = true;
		} else {
			port->hw_ts_offset = -1;
			port->hw_ts_flag = 0;
		}
	}
	return 0;
}

void
lc_port_read_stats(struct lc_port *port)
{
	struct rte_eth_stats s;

	if (!port->started || rte_eth_stats_get(port->port_id, &s) != 0)
		return;
	port->stats.ipackets = s.ipackets;
	port->stats.ibytes = s.ibytes;
	port->stats.imissed = s.imissed;
	if (port->afp.n > 0) {
		lc_afp_drops_read(&port->afp);
		port->stats.imissed += port->afp.drops;
	}
	port->stats.ierrors = s.ierrors;
	port->stats.rx_nombuf = s.rx_nombuf;
	port->stats.supported = port->prof.counters;
}

void
lc_port_close(struct lc_port *port)
{
	if (port->started) {
		rte_eth_dev_stop(port->port_id);
		port->started = false;
	}
	rte_eth_dev_close(port->port_id);
	if (port->pool != NULL) {
		rte_mempool_free(port->pool);
		port->pool = NULL;
	}
}
