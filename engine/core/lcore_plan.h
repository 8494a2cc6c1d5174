/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef LINECAP_LCORE_PLAN_H
#define LINECAP_LCORE_PLAN_H

#include <stdbool.h>
#include <stddef.h>

#include <linecap/config.h>
#include <linecap/error.h>
#include <linecap/lcore_plan.h>

/*
 * Plan the lcores before EAL init.
 *  - "auto": hwloc orders the CPUs this process may use: those on the NUMA
 *    node of the first PCI port first, physical cores before their
 *    hyperthread siblings. The main lcore is the first CPU outside that
 *    preferred set if there is one, else the first CPU. At most
 *    `nb_wanted_workers` workers are taken.
 *  - a list ("0,2-3"): taken as given; the first is the main lcore.
 * Fails with LC_ERR_LCORES when fewer than two lcores (main + one worker) are
 * available or a listed CPU does not exist or is not allowed to this process.
 */
int lc_plan_lcores(const struct lc_capture_conf *conf, unsigned int nb_wanted_workers,
		struct lc_lcore_plan *plan, struct lc_error *err);

/* Format cpus as an EAL -l list ("0,1,3"). */
void lc_lcore_list_str(const struct lc_lcore_plan *plan, char *buf, size_t len);

/*
 * Launch fn(arg) on worker lcore `lcore` (main lcore, after EAL init). If it
 * cannot start: set *stop, wait for the lcores already launched, and fail
 * with err set (LC_ERR_LCORES). 0 or -1.
 */
int lc_lcore_launch(int (*fn)(void *), void *arg, unsigned int lcore, volatile int *stop,
		struct lc_error *err);

#endif
