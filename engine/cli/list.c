/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * `linecap list`: DPDK ports and kernel interfaces, like tcpdump -D, then the
 * DPDK net drivers this process has (built in or loaded as plugins).
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <pcap/pcap.h>
#include <rte_config.h>
#include <rte_dev.h>
#include <rte_ethdev.h>
#include <rte_log.h>

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

#define MAX_DRIVERS 256
#define DRIVER_NAME_LEN 32

static int
cmp_name(const void *a, const void *b)
{
	return strcmp((const char *)a, (const char *)b);
}

/*
 * Names of the net PMDs registered in this process. Every net PMD registers
 * its log type ("pmd.net.<name>" or "pmd.net.<name>.<part>") from a
 * constructor, whether it is linked in (static build) or comes from a plugin
 * the EAL loaded, so the log types are the one list that covers both and
 * shows only what really loaded. DPDK has no public driver enumeration.
 */
static unsigned int
registered_net_drivers(char (*names)[DRIVER_NAME_LEN], unsigned int max)
{
	static const char tag[] = ": pmd.net.";
	char *buf = NULL, *line, *save = NULL;
	size_t len = 0;
	unsigned int n = 0, i;
	FILE *m = open_memstream(&buf, &len);

	if (m == NULL)
		return 0;
	rte_log_dump(m);
	fclose(m);
	for (line = strtok_r(buf, "\n", &save); line != NULL; line = strtok_r(NULL, "\n", &save)) {
		char *p = strstr(line, tag);
		size_t l;

		if (p == NULL)
			continue;
		p += sizeof(tag) - 1;
		l = strcspn(p, ".,: ");
		if (l == 0 || l >= DRIVER_NAME_LEN)
			continue;
		for (i = 0; i < n; i++)
			if (strncmp(names[i], p, l) == 0 && names[i][l] == '\0')
				break;
		if (i < n || n >= max)
			continue;
		memcpy(names[n], p, l);
		names[n++][l] = '\0';
	}
	free(buf);
	qsort(names, n, sizeof(names[0]), cmp_name);
	return n;
}

/* Files in the EAL's default plugin directory that hold a net PMD. */
static int
plugin_count(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int n = 0;

	if (d == NULL)
		return -1;
	while ((de = readdir(d)) != NULL) {
		size_t l = strlen(de->d_name);

		/* One count per library: the unversioned .so name the EAL loads. */
		if (strncmp(de->d_name, "librte_net_", 11) == 0 && l > 3 &&
				strcmp(de->d_name + l - 3, ".so") == 0)
			n++;
	}
	closedir(d);
	return n;
}

/* "drivers: ..." lines: which DPDK net drivers this binary can use. */
static void
list_drivers(FILE *f)
{
	static char names[MAX_DRIVERS][DRIVER_NAME_LEN];
	unsigned int n = registered_net_drivers(names, MAX_DRIVERS), i, col;
	const char *dir = "";
	int nb_plugins = -1;

#ifdef RTE_EAL_PMD_PATH
	dir = RTE_EAL_PMD_PATH;
#endif
	if (dir[0] != '\0')
		nb_plugins = plugin_count(dir);
	fprintf(f, "drivers: %u DPDK net drivers registered", n);
	if (nb_plugins >= 0)
		fprintf(f, " (%d net plugins in %s)", nb_plugins, dir);
	else
		fprintf(f, " (built in; no plugin directory)");
	fputc(':', f);
	col = 80;
	for (i = 0; i < n; i++) {
		size_t l = strlen(names[i]);

		if (col + 1 + l > 79) {
			fputs("\n ", f);
			col = 1;
		}
		fprintf(f, " %s", names[i]);
		col += 1 + (unsigned int)l;
	}
	fputc('\n', f);
}

int
lc_cli_list(FILE *f, const struct lc_capture_conf *conf, struct lc_error *err)
{
	unsigned int i, idx;
	int rc;

	for (i = 0; i < conf->nb_ports; i++) {
		int ret = rte_dev_probe(conf->ports[i].devargs);

		if (ret < 0 && ret != -EEXIST)
			return lc_error_set(err, LC_ERR_DEVICE,
					"device '%s' could not be created: %s",
					conf->ports[i].devargs, strerror(-ret));
	}
	idx = list_dpdk(f, 0);
	rc = list_kernel(f, idx, err);
	if (rc == 0)
		list_drivers(f);
	return rc;
}
