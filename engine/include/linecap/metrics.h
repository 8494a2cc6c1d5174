/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef LINECAP_METRICS_H
#define LINECAP_METRICS_H

/*
 * The Prometheus endpoint (--metrics ADDR:PORT): /metrics in the text
 * exposition format 0.0.4 and /healthz, served by libmicrohttpd on its own
 * thread. It reads the capture only through the published stats view
 * (lc_stats_enter / lc_stats_leave), so it needs no engine handle and works
 * the same for the DPDK and the libpcap path.
 */

#include <linecap/error.h>

struct lc_metrics;

/*
 * Parse ADDR:PORT (IPv4, or [IPv6]:PORT) and bind and listen on it now, so a
 * bad address or a busy port is reported before anything else starts.
 * `output` is the -w pattern: /metrics reports the free space of its
 * directory ("-": none). NULL with err set (LC_ERR_USAGE) and errno.
 */
struct lc_metrics *lc_metrics_bind(const char *addr_port, const char *output, struct lc_error *err);

/*
 * Start serving on the bound socket, from a thread libmicrohttpd creates (it
 * inherits the caller's CPU affinity: call it from the main lcore, never from
 * a data-path lcore). 0, or -1 with err set.
 */
int lc_metrics_start(struct lc_metrics *m, struct lc_error *err);

/* Stop serving (waits for the thread), close the socket, free. NULL is a no-op. */
void lc_metrics_destroy(struct lc_metrics *m);

#endif
