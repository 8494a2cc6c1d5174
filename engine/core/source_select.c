/* SPDX-License-Identifier: BSD-3-Clause */
/* Control plane: which path captures the -i devices (--source, or automatic). */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include <linecap/engine.h>

/*
 * A kernel network interface that DPDK does not own: a name in
 * /sys/class/net, and nothing a DPDK device string has (',' for devargs,
 * ':' for a PCI address, '/' never occurs in a netdev name).
 */
bool
lc_is_kernel_netdev(const char *dev)
{
	char path[512];
	struct stat st;

	if (dev[0] == '\0' || strpbrk(dev, ",:/") != NULL || strlen(dev) >= 64)
		return false;
	snprintf(path, sizeof(path), "/sys/class/net/%s", dev);
	return stat(path, &st) == 0;
}

int
lc_source_resolve(const struct lc_capture_conf *c, char *why, size_t why_len, struct lc_error *err)
{
	unsigned int i, kernel = 0;

	for (i = 0; i < c->nb_ports; i++)
		kernel += lc_is_kernel_netdev(c->ports[i].devargs);
	if (c->source == LC_SOURCE_DPDK) {
		snprintf(why, why_len, "source: dpdk (--source dpdk)");
		return LC_SOURCE_DPDK;
	}
	if (c->source == LC_SOURCE_PCAP) {
		snprintf(why, why_len, "source: libpcap (--source pcap): no EAL, no hugepages");
		return LC_SOURCE_PCAP;
	}
	if (kernel == 0) {
		snprintf(why, why_len,
				"source: dpdk ('%s' is not a kernel interface in /sys/class/net)",
				c->ports[0].devargs);
		return LC_SOURCE_DPDK;
	}
	if (kernel != c->nb_ports)
		return lc_error_set(err, LC_ERR_USAGE,
				"some -i are kernel interfaces and some DPDK devices: capture "
				"them separately, or force a path with --source dpdk|pcap");
	snprintf(why, why_len,
			"source: libpcap ('%s' is a kernel interface in /sys/class/net, not "
			"bound to DPDK): no EAL, no hugepages; --source dpdk overrides",
			c->ports[0].devargs);
	return LC_SOURCE_PCAP;
}
