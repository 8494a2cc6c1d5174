/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * --forward: the port that re-sends every packet the filter accepted to a
 * kernel interface (net_tap, net_af_packet) or any ethdev with tx queues.
 * Control plane only; the per-burst send is in datapath/rx_loop.c.
 */
#include <stdio.h>
#include <string.h>

#include <rte_ethdev.h>

#include "core/engine_priv.h"

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
lc_forward_setup(struct lc_engine *e, struct lc_error *err)
{
	struct lc_forward *f = &e->fwd;
	unsigned int p, i;
	uint16_t mtu;

	if (e->conf.forward[0] == '\0')
		return 0;
	f->nb_txq = (uint16_t)e->nb_rx;
	if (forward_devargs(e->conf.forward, f->nb_txq, f->devargs, sizeof(f->devargs), err) < 0)
		return -1;
	if (lc_port_probe(f->devargs, &f->port, err) < 0) {
		struct lc_error probe = *err;

		return lc_error_set(err, probe.kind, "--forward: %s", probe.msg);
	}
	f->on = true; /* probed: lc_forward_close closes it, also on failure below */
	for (p = 0; p < e->nb_ports; p++)
		if (e->ports[p].port_id == f->port.port_id) {
			f->on = false; /* the capture port: lc_port_close closes it once */
			return lc_error_set(err, LC_ERR_USAGE,
					"--forward '%s' is the capture device '%s' (-i): forward "
					"to another port",
					e->conf.forward, e->conf.ports[p].devargs);
		}
	/* lc_port_configure_tx checks the device's tx queue limit. */
	if (lc_port_configure_tx(&f->port, f->nb_txq, 0, err) < 0) {
		struct lc_error cfg = *err;

		return lc_error_set(err, cfg.kind, "--forward: %s", cfg.msg);
	}
	if (rte_eth_dev_get_mtu(f->port.port_id, &mtu) != 0)
		mtu = RTE_ETHER_MTU;
	/* An Ethernet frame of that MTU, with a VLAN tag and the CRC. */
	f->max_len = (uint32_t)mtu + RTE_ETHER_HDR_LEN + RTE_VLAN_HLEN + RTE_ETHER_CRC_LEN;
	for (i = 0; i < e->nb_rx; i++) {
		e->rx[i].fwd_max_len = f->max_len;
		e->rx[i].forward = true;
		e->rx[i].fwd_port_id = f->port.port_id;
		e->rx[i].fwd_queue_id = (uint16_t)i;
	}
	return 0;
}

void
lc_forward_read_stats(struct lc_engine *e)
{
	struct rte_eth_stats s;

	if (!e->fwd.on || !e->fwd.port.started || rte_eth_stats_get(e->fwd.port.port_id, &s) != 0)
		return;
	e->fwd.opackets = s.opackets;
	e->fwd.oerrors = s.oerrors;
}

void
lc_forward_close(struct lc_engine *e)
{
	if (!e->fwd.on)
		return;
	lc_port_close(&e->fwd.port);
	e->fwd.on = false;
}
