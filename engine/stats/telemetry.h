/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef LINECAP_TELEMETRY_H
#define LINECAP_TELEMETRY_H

/*
 * Register /linecap/stats with DPDK telemetry, once per process (later calls
 * return 0). The command answers from the published stats view
 * (lc_stats_enter), and with null (no capture) when none is published.
 * 0, or a negative errno.
 */
int lc_telemetry_init(void);

#endif
