/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef LINECAP_LCORE_PLAN_H
#define LINECAP_LCORE_PLAN_H

#include <stdbool.h>

#include <linecap/config.h>
#include <linecap/error.h>

#define LC_MAX_CPUS 1024

/* The CPUs given to the EAL: cpus[0] is the main lcore, the rest workers. */
struct lc_cpu_pick {
	unsigned int cpus[LC_MAX_CPUS];
	unsigned int nb_cpus;
	int numa_node;	/* NUMA node the workers were placed on, -1 = any */
	bool automatic; /* chosen by `auto` (the plan line is printed) */
	char why[256];	/* how auto chose, for the plan line */
};

/*
 * Choose the lcores before EAL init.
 *  - "auto": hwloc orders the CPUs this process may use: those on the NUMA
 *    node of the first PCI port first, physical cores before their
 *    hyperthread siblings. The main lcore is the first CPU outside that
 *    preferred set if there is one, else the first CPU. At most
 *    `nb_wanted_workers` workers are taken.
 *  - a list ("0,2-3"): taken as given; the first is the main lcore.
 * Fails with LC_ERR_LCORES when fewer than two lcores (main + one worker) are
 * available or a listed CPU does not exist or is not allowed to this process.
 */
int lc_lcore_pick(const struct lc_capture_conf *conf, unsigned int nb_wanted_workers,
		struct lc_cpu_pick *pick, struct lc_error *err);

/* Format cpus as an EAL -l list ("0,1,3"). */
void lc_lcore_list_str(const struct lc_cpu_pick *pick, char *buf, size_t len);

/* True if `s` looks like a PCI address (DDDD:BB:DD.F or BB:DD.F). */
bool lc_is_pci_addr(const char *s);

#endif
