/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef LINECAP_LCORE_PLAN_PUB_H
#define LINECAP_LCORE_PLAN_PUB_H

#include <stdbool.h>

#define LC_MAX_CPUS 1024

/*
 * The lcore plan: the CPUs given to the EAL. cpus[0] is the main lcore, the
 * rest run workers (worker i on cpus[i + 1]). A value made once by the
 * planner (core/lcore_plan.c, through lc_eal_setup) and handed to the engine
 * or to replay, which keep their own copy.
 */
struct lc_lcore_plan {
	unsigned int cpus[LC_MAX_CPUS];
	unsigned int nb_cpus;
	int numa_node;	/* NUMA node the workers were placed on, -1 = any */
	bool automatic; /* chosen by `auto` (the plan line says so) */
	char why[256];	/* how auto chose, for the plan line */
};

#endif
