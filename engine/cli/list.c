/* SPDX-License-Identifier: BSD-3-Clause */
/* `linecap list`: DPDK ports and kernel interfaces, like tcpdump -D. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <pcap/pcap.h>
#include <rte_dev.h>
#include <rte_ethdev.h>

#include "cli/list.h"

/* Read a one-line sysfs attribute of a kernel interface. */
static void
sysfs_attr(const char *ifname, const char *attr, char *buf, size_t len)
{
	char path[PATH_MAX];
	FILE *f;

	snprintf(buf, len, "-");
	snprintf(path, sizeof(path), "/sys/class/net/%s/%s", ifname, attr);
	f = fopen(path, "r");
	if (f == NULL)
		return;
	if (fgets(buf, (int)len, f) != NULL)
		buf[strcspn(buf, "\n")] = '\0';
	fclose(f);
}

static void
kernel_driver(const char *ifname, char *buf, size_t len)
{
	char path[PATH_MAX], target[PATH_MAX];
	ssize_t n;

	snprintf(path, sizeof(path), "/sys/class/net/%s/device/driver", ifname);
	n = readlink(path, target, sizeof(target) - 1);
	if (n <= 0) {
		char virt[PATH_MAX];

		snprintf(virt, sizeof(virt), "/sys/devices/virtual/net/%s", ifname);
		snprintf(buf, len, "%s", access(virt, F_OK) == 0 ? "virtual" : "-");
		return;
	}
	target[n] = '\0';
	if (snprintf(buf, len, "%s", strrchr(target, '/') ? strrchr(target, '/') + 1 : target) >=
			(int)len)
		buf[len - 1] = '\0'; /* a driver name is short; keep what fits */
}

static unsigned int
list_dpdk(FILE *f, unsigned int idx)
{
	uint16_t pid;

	RTE_ETH_FOREACH_DEV(pid)
	{
		struct rte_eth_dev_info info;
		struct rte_eth_link link;
		char link_str[RTE_ETH_LINK_MAX_STR_LEN];
		int socket;

		if (rte_eth_dev_info_get(pid, &info) != 0)
			continue;
		socket = rte_eth_dev_socket_id(pid);
		memset(&link, 0, sizeof(link));
		if (rte_eth_link_get_nowait(pid, &link) == 0)
			rte_eth_link_to_str(link_str, sizeof(link_str), &link);
		else
			snprintf(link_str, sizeof(link_str), "link n/a");
		fprintf(f, "%u.%s [DPDK port %u, driver %s, NUMA %s%d, %s]\n", ++idx,
				info.device ? rte_dev_name(info.device) : "?", pid,
				info.driver_name, socket < 0 ? "any" : "", socket < 0 ? 0 : socket,
				link_str);
	}
	return idx;
}

static int
list_kernel(FILE *f, unsigned int idx, struct lc_error *err)
{
	char errbuf[PCAP_ERRBUF_SIZE];
	pcap_if_t *all, *d;

	if (pcap_findalldevs(&all, errbuf) != 0)
		return lc_error_set(
				err, LC_ERR_DEVICE, "cannot list kernel interfaces: %s", errbuf);
	for (d = all; d != NULL; d = d->next) {
		char drv[64], numa[16], oper[32];

		if (access("/sys/class/net", F_OK) == 0) {
			char p[PATH_MAX];

			snprintf(p, sizeof(p), "/sys/class/net/%s", d->name);
			if (access(p, F_OK) != 0)
				continue; /* pseudo-devices: any, bluetooth-monitor, nflog... */
		}
		kernel_driver(d->name, drv, sizeof(drv));
		sysfs_attr(d->name, "device/numa_node", numa, sizeof(numa));
		sysfs_attr(d->name, "operstate", oper, sizeof(oper));
		fprintf(f, "%u.%s [kernel, driver %s, NUMA %s, link %s%s%s]\n", ++idx, d->name, drv,
				strcmp(numa, "-1") == 0 || strcmp(numa, "-") == 0 ? "any" : numa,
				oper, (d->flags & PCAP_IF_LOOPBACK) ? ", loopback" : "",
				(d->flags & PCAP_IF_RUNNING) ? ", running" : "");
	}
	pcap_freealldevs(all);
	return 0;
}

int
lc_cli_list(FILE *f, const struct lc_capture_conf *conf, struct lc_error *err)
{
	unsigned int i, idx;

	for (i = 0; i < conf->nb_ports; i++) {
		int ret = rte_dev_probe(conf->ports[i].devargs);

		if (ret < 0 && ret != -EEXIST)
			return lc_error_set(err, LC_ERR_DEVICE,
					"device '%s' could not be created: %s",
					conf->ports[i].devargs, strerror(-ret));
	}
	idx = list_dpdk(f, 0);
	return list_kernel(f, idx, err);
}
