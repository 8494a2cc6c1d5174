/* SPDX-License-Identifier: BSD-3-Clause */
/* The lcore plan: placement with hwloc (NIC-local NUMA node, physical cores first), and launch. */
#include <ctype.h>
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hwloc.h>

#include <rte_launch.h>

#include <linecap/port.h>

#include "core/lcore_plan.h"

/* Parse "0,2-3" into cpus[]; 0 or -1. */
static int
parse_list(const char *s, struct lc_lcore_plan *plan, struct lc_error *err)
{
	const char *p = s;

	plan->nb_cpus = 0;
	while (*p != '\0') {
		char *end;
		unsigned long lo, hi, c;
		unsigned int i;

		if (!isdigit((unsigned char)*p))
			goto bad;
		lo = strtoul(p, &end, 10);
		hi = lo;
		p = end;
		if (*p == '-') {
			p++;
			if (!isdigit((unsigned char)*p))
				goto bad;
			hi = strtoul(p, &end, 10);
			p = end;
		}
		if (hi < lo || hi >= LC_MAX_CPUS)
			goto bad;
		for (c = lo; c <= hi; c++) {
			for (i = 0; i < plan->nb_cpus; i++)
				if (plan->cpus[i] == c)
					return lc_error_set(err, LC_ERR_LCORES,
							"--lcores '%s': lcore %lu is listed twice",
							s, c);
			plan->cpus[plan->nb_cpus++] = (unsigned int)c;
		}
		if (*p == ',')
			p++;
		else if (*p != '\0')
			goto bad;
	}
	if (plan->nb_cpus == 0)
		goto bad;
	return 0;
bad:
	return lc_error_set(err, LC_ERR_LCORES,
			"--lcores '%s': expected 'auto' or a CPU list such as '0,1' or '0-3'", s);
}

static void
allowed_str(const cpu_set_t *set, char *buf, size_t len)
{
	size_t o = 0;
	int c;

	buf[0] = '\0';
	for (c = 0; c < CPU_SETSIZE && o + 8 < len; c++)
		if (CPU_ISSET(c, set))
			o += (size_t)snprintf(buf + o, len - o, "%s%d", o ? "," : "", c);
}

/* The cpuset of the NUMA node near the first PCI port, or NULL. */
static hwloc_const_cpuset_t
pci_locality(hwloc_topology_t topo, const struct lc_capture_conf *conf, int *node)
{
	unsigned int i;

	for (i = 0; i < conf->nb_ports; i++) {
		unsigned int d = 0, b, dev, f;
		hwloc_obj_t obj, anc;
		const char *s = conf->ports[i].devargs;

		if (!lc_is_pci_addr(s))
			continue;
		if (sscanf(s, "%x:%x:%x.%x", &d, &b, &dev, &f) != 4) {
			d = 0;
			if (sscanf(s, "%x:%x.%x", &b, &dev, &f) != 3)
				continue;
		}
		obj = hwloc_get_pcidev_by_busid(topo, d, b, dev, f);
		if (obj == NULL)
			continue;
		anc = hwloc_get_non_io_ancestor_obj(topo, obj);
		if (anc == NULL || anc->cpuset == NULL)
			continue;
		if (anc->nodeset != NULL)
			*node = hwloc_bitmap_first(anc->nodeset);
		return anc->cpuset;
	}
	return NULL;
}

/*
 * Order the allowed CPUs: preferred set first; within a set, the first PU of
 * every core before any second PU (hyperthread sibling).
 */
static unsigned int
order_cpus(hwloc_topology_t topo, hwloc_const_cpuset_t prefer, const cpu_set_t *allowed,
		unsigned int *out, unsigned int max)
{
	int nb_cores = hwloc_get_nbobjs_by_type(topo, HWLOC_OBJ_CORE);
	unsigned int n = 0, pass, rank;
	int ci;

	for (pass = 0; pass < 2; pass++) {
		for (rank = 0; rank < 8; rank++) {
			for (ci = 0; ci < nb_cores; ci++) {
				hwloc_obj_t core = hwloc_get_obj_by_type(
						topo, HWLOC_OBJ_CORE, (unsigned int)ci);
				hwloc_obj_t pu = hwloc_get_obj_inside_cpuset_by_type(
						topo, core->cpuset, HWLOC_OBJ_PU, rank);
				bool in_pref;

				if (pu == NULL || !CPU_ISSET(pu->os_index, allowed))
					continue;
				in_pref = prefer == NULL ||
					  hwloc_bitmap_isset(prefer, pu->os_index);
				if ((pass == 0) != in_pref)
					continue;
				if (n < max)
					out[n++] = pu->os_index;
			}
		}
		if (prefer == NULL)
			break;
	}
	return n;
}

int
lc_plan_lcores(const struct lc_capture_conf *conf, unsigned int nb_wanted_workers,
		struct lc_lcore_plan *plan, struct lc_error *err)
{
	cpu_set_t allowed;
	char avail[256];
	unsigned int i;

	memset(plan, 0, sizeof(*plan));
	plan->numa_node = -1;
	CPU_ZERO(&allowed);
	if (sched_getaffinity(0, sizeof(allowed), &allowed) < 0)
		return lc_error_set(err, LC_ERR_LCORES, "cannot read CPU affinity: %s",
				strerror(errno));
	allowed_str(&allowed, avail, sizeof(avail));

	if (strcmp(conf->lcores, "auto") != 0) {
		if (parse_list(conf->lcores, plan, err) < 0)
			return -1;
		for (i = 0; i < plan->nb_cpus; i++)
			if (plan->cpus[i] >= CPU_SETSIZE || !CPU_ISSET(plan->cpus[i], &allowed))
				return lc_error_set(err, LC_ERR_LCORES,
						"lcore %u does not exist or is not available to "
						"this process (available CPUs: %s)",
						plan->cpus[i], avail);
		if (plan->nb_cpus < 2)
			return lc_error_set(err, LC_ERR_LCORES,
					"too few lcores: --lcores '%s' leaves no worker; give a "
					"main lcore and at least one worker, e.g. --lcores %s",
					conf->lcores, CPU_COUNT(&allowed) >= 2 ? "0,1" : "0-1");
		return 0;
	} else {
		hwloc_topology_t topo;
		hwloc_const_cpuset_t prefer;
		unsigned int order[LC_MAX_CPUS];
		unsigned int n, main_idx = 0;

		if (CPU_COUNT(&allowed) < 2)
			return lc_error_set(err, LC_ERR_LCORES,
					"too few lcores: linecap needs two CPUs (a main lcore and "
					"a worker) but this process may use only CPU %s",
					avail);
		if (hwloc_topology_init(&topo) < 0)
			return lc_error_set(
					err, LC_ERR_LCORES, "hwloc: cannot initialise topology");
		hwloc_topology_set_io_types_filter(topo, HWLOC_TYPE_FILTER_KEEP_IMPORTANT);
		if (hwloc_topology_load(topo) < 0) {
			hwloc_topology_destroy(topo);
			return lc_error_set(err, LC_ERR_LCORES, "hwloc: cannot load topology");
		}
		prefer = pci_locality(topo, conf, &plan->numa_node);
		n = order_cpus(topo, prefer, &allowed, order, LC_MAX_CPUS);
		if (prefer != NULL) {
			/* Keep NIC-local CPUs for workers: main goes elsewhere if it can. */
			for (i = 0; i < n; i++)
				if (!hwloc_bitmap_isset(prefer, order[i])) {
					main_idx = i;
					break;
				}
		}
		hwloc_topology_destroy(topo);
		if (n < 2)
			return lc_error_set(err, LC_ERR_LCORES,
					"too few lcores: hwloc found fewer than two usable CPUs "
					"(%s)",
					avail);
		plan->cpus[plan->nb_cpus++] = order[main_idx];
		for (i = 0; i < n && plan->nb_cpus < nb_wanted_workers + 1; i++)
			if (i != main_idx)
				plan->cpus[plan->nb_cpus++] = order[i];
		plan->automatic = true;
		if (plan->numa_node >= 0)
			snprintf(plan->why, sizeof(plan->why),
					"workers on NUMA node %d (the NIC's), physical cores first",
					plan->numa_node);
		else
			snprintf(plan->why, sizeof(plan->why),
					"no PCI port: any NUMA node, physical cores first");
	}
	return 0;
}

void
lc_lcore_list_str(const struct lc_lcore_plan *plan, char *buf, size_t len)
{
	size_t o = 0;
	unsigned int i;

	buf[0] = '\0';
	for (i = 0; i < plan->nb_cpus && o + 8 < len; i++)
		o += (size_t)snprintf(buf + o, len - o, "%s%u", i ? "," : "", plan->cpus[i]);
}

int
lc_lcore_launch(int (*fn)(void *), void *arg, unsigned int lcore, volatile int *stop,
		struct lc_error *err)
{
	int ret = rte_eal_remote_launch(fn, arg, lcore);

	if (ret == 0)
		return 0;
	*stop = 1;
	rte_eal_mp_wait_lcore();
	return lc_error_set(
			err, LC_ERR_LCORES, "cannot launch lcore %u: %s", lcore, strerror(-ret));
}
