/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * --forward: the port that re-sends every packet the filter accepted to a
 * kernel interface (net_tap, net_af_packet) or any ethdev with tx queues.
 * Control plane only; the per-burst send is in datapath/rx_loop.c.
 */
#include <stdio.h>
#include <string.h>

#include <rte_ethdev.h>

#include <linecap/engine.h>

#include "datapath/tasks.h"
#include "sinks/forward.h"

/*
 * The device string to probe: DPDK devargs as given, or, for a bare kernel
 * interface name, an af_packet port on it with one queue pair per rx task
 * and the qdisc path kept, so a sniffer on that same interface sees the
 * packets too (with PACKET_QDISC_BYPASS they would skip the kernel's taps).
 */
static int
forward_devargs(const char *arg, uint16_t nb_txq, char *out, size_t len, struct lc_error *err)
{
	int n;

	if (lc_is_kernel_netdev(arg))
		n = snprintf(out, len, "net_af_packet_lcfwd,iface=%s,qpairs=%u,qdisc_bypass=0", arg,
				nb_txq);
	else if (strpbrk(arg, ",:") == NULL && strncmp(arg, "net_", 4) != 0 &&
			strncmp(arg, "eth_", 4) != 0)
		return lc_error_set(err, LC_ERR_DEVICE,
				"--forward '%s': no kernel interface of that name "
				"(/sys/class/net), and not a DPDK device (e.g. "
				"net_tap0,iface=lcfwd0)",
				arg);
	else
		n = snprintf(out, len, "%s", arg);
	if (n < 0 || (size_t)n >= len)
		return lc_error_set(
				err, LC_ERR_USAGE, "--forward '%s': device string too long", arg);
	return 0;
}

int
lc_forward_setup(struct lc_forward *f, const struct lc_capture_conf *conf,
		const uint16_t *capture_ids, unsigned int nb_capture, struct lc_rx_task *rx,
		unsigned int nb_rx, struct lc_error *err)
{
	unsigned int p, i;
	uint16_t mtu, port_id;

	if (conf->forward[0] == '\0')
		return 0;
	f->nb_txq = (uint16_t)nb_rx;
	if (forward_devargs(conf->forward, f->nb_txq, f->devargs, sizeof(f->devargs), err) < 0)
		return -1;
	f->port = lc_port_open(f->devargs, err);
	if (f->port == NULL) {
		struct lc_error probe = *err;

		return lc_error_set(err, probe.kind, "--forward: %s", probe.msg);
	}
	port_id = lc_port_id(f->port);
	f->on = true; /* probed: lc_forward_close closes it, also on failure below */
	for (p = 0; p < nb_capture; p++)
		if (capture_ids[p] == port_id) {
			f->on = false; /* the capture port: lc_port_close closes it once */
			return lc_error_set(err, LC_ERR_USAGE,
					"--forward '%s' is the capture device '%s' (-i): forward "
					"to another port",
					conf->forward, conf->ports[p].devargs);
		}
	/* lc_port_configure_tx checks the device's tx queue limit. */
	if (lc_port_configure_tx(f->port, f->nb_txq, 0, err) < 0) {
		struct lc_error cfg = *err;

		return lc_error_set(err, cfg.kind, "--forward: %s", cfg.msg);
	}
	if (rte_eth_dev_get_mtu(port_id, &mtu) != 0)
		mtu = RTE_ETHER_MTU;
	/* An Ethernet frame of that MTU, with a VLAN tag and the CRC. */
	f->max_len = (uint32_t)mtu + RTE_ETHER_HDR_LEN + RTE_VLAN_HLEN + RTE_ETHER_CRC_LEN;
	for (i = 0; i < nb_rx; i++) {
		rx[i].fwd_max_len = f->max_len;
		rx[i].forward = true;
		rx[i].fwd_port_id = port_id;
		rx[i].fwd_queue_id = (uint16_t)i;
	}
	return 0;
}

void
lc_forward_read_stats(struct lc_forward *f)
{
	struct rte_eth_stats s;

	/* Called only once lc_forward_setup succeeded: the port is started. */
	if (!f->on || rte_eth_stats_get(lc_port_id(f->port), &s) != 0)
		return;
	f->opackets = s.opackets;
	f->oerrors = s.oerrors;
}

void
lc_forward_close(struct lc_forward *f)
{
	if (f->on)
		lc_port_close(f->port);
	lc_port_free(f->port); /* a capture port it named is closed by the engine */
	f->port = NULL;
	f->on = false;
}
