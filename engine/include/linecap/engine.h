/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef LINECAP_ENGINE_H
#define LINECAP_ENGINE_H

#include <stdbool.h>
#include <stdio.h>
#include <sys/types.h>

#include <linecap/config.h>
#include <linecap/error.h>
#include <linecap/lcore_plan.h>
#include <linecap/stats.h>

struct lc_engine;
struct lc_stats_view;

/*
 * Bring up the EAL for `conf`: check hugepages, plan the lcores into *plan
 * (core/lcore_plan.c), build the EAL arguments (lcores from the plan, a
 * private --file-prefix, --in-memory unless --no-huge), and call
 * rte_eal_init. DPDK's own log lines are held back while this runs and shown
 * only if `verbose`, so a failure is one line of ours. The plan goes on to
 * lc_engine_create or lc_replay_create. Returns 0 or -1 with err set.
 */
int lc_eal_setup(const struct lc_capture_conf *conf, bool verbose, struct lc_lcore_plan *plan,
		struct lc_error *err);

/*
 * EAL for control-only commands (list): the first allowed CPU as the only
 * lcore, no hugepages and no shared files unless --eal says otherwise.
 */
int lc_eal_setup_control(const struct lc_capture_conf *conf, bool verbose, struct lc_error *err);

/* Give DPDK's log back to stderr, printing what was held if `show`. */
void lc_eal_release_log(bool show);

/*
 * Resolve --source (core/source_select.c). LC_SOURCE_AUTO: when every -i
 * names a kernel netdev (/sys/class/net/NAME) and is no DPDK device string,
 * libpcap; otherwise DPDK. Writes one line explaining the choice into `why`.
 * Returns the lc_source_kind, or -1 with err set (kernel and DPDK -i mixed).
 */
int lc_source_resolve(
		const struct lc_capture_conf *c, char *why, size_t why_len, struct lc_error *err);

/*
 * True if `dev` names a kernel network interface DPDK does not own: it is in
 * /sys/class/net and has none of the ',' ':' '/' of DPDK device strings.
 */
bool lc_is_kernel_netdev(const char *dev);

/*
 * DPDK path: compile the filter expression (Ethernet) before the EAL starts,
 * so a bad one fails at once. 0, or -1 with err (LC_ERR_USAGE, libpcap's
 * text). The libpcap path compiles on the live handle instead.
 */
int lc_filter_check(const struct lc_capture_conf *c, struct lc_error *err);

/* Release what lc_eal_setup took. */
void lc_eal_teardown(void);

/*
 * Probe the ports, load their pmd-config profiles, size and create the
 * mempools and rings, open the outputs and place the tasks on the lcores of
 * `plan` (from lc_eal_setup; unused on the libpcap path, may be NULL there).
 * Prints the plan line to `plan_out` (NULL = not at all).
 * Returns the engine, or NULL with err set.
 */
struct lc_engine *lc_engine_create(const struct lc_capture_conf *conf,
		const struct lc_lcore_plan *plan, FILE *plan_out, struct lc_error *err);

/* Launch the worker lcores. 0 or -1 with err set. */
int lc_engine_start(struct lc_engine *e, struct lc_error *err);

/* The link type (DLT_*) of the capture files. */
uint32_t lc_engine_linktype(const struct lc_engine *e);

/* Give the open output files to uid:gid (-Z), before privileges go. */
int lc_engine_chown_outputs(struct lc_engine *e, uid_t uid, gid_t gid, struct lc_error *err);

/* Ask the workers to stop: async-signal-safe. */
void lc_engine_request_stop(struct lc_engine *e);

/* True while any worker still runs. */
bool lc_engine_running(const struct lc_engine *e);

/* True if capture ended because the output reader went away (EPIPE). */
bool lc_engine_output_closed(const struct lc_engine *e);

/* True if a writer hit an error that ends capture (EPIPE included). */
bool lc_engine_failed(const struct lc_engine *e);

/*
 * Wait for the workers, then flush and close every output on the main lcore.
 * Returns 0, or -1 with err set if an output could not be completed (the
 * affected packets are counted as write errors either way).
 */
int lc_engine_join(struct lc_engine *e, struct lc_error *err);

/* Stop the ports, free everything. */
void lc_engine_destroy(struct lc_engine *e);

/* Seconds since lc_engine_start (until lc_engine_join once joined). */
double lc_engine_elapsed(const struct lc_engine *e);

/*
 * Read the ports' counters from the PMDs into the stats view, with the other
 * figures only the main lcore reads (forward port, files published): main
 * lcore only, e.g. before each live line. lc_engine_join does it a last time.
 */
void lc_engine_refresh_ports(struct lc_engine *e);

/*
 * The engine's stats view (linecap/stats_view.h): what reports, telemetry
 * and other readers see of the engine. Valid from lc_engine_create until
 * lc_engine_destroy; the main lcore reads it directly, other threads only
 * through lc_stats_enter.
 */
const struct lc_stats_view *lc_engine_stats_view(const struct lc_engine *e);

#endif
