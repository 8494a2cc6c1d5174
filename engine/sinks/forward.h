/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef LINECAP_FORWARD_H
#define LINECAP_FORWARD_H

/*
 * --forward (sinks/forward.c): the port that re-sends what the filter
 * accepted, one tx queue per rx task. It sees the port through the handle
 * API of <linecap/port.h> and the rx tasks it feeds, nothing of the engine.
 */

#include <stdbool.h>
#include <stdint.h>

#include <linecap/config.h>
#include <linecap/error.h>
#include <linecap/port.h>

struct lc_rx_task;

struct lc_forward {
	bool on;
	char devargs[1024];   /* as probed: a bare kernel name becomes net_af_packet */
	struct lc_port *port; /* NULL until probed */
	uint16_t nb_txq;
	uint32_t max_len;	    /* the longest frame its MTU allows */
	uint64_t opackets, oerrors; /* the PMD's tx counters, main lcore only */
};

/*
 * After the capture ports are configured and the rx tasks built: probe the
 * forward device (conf->forward), refuse a capture port (capture_ids[p] is
 * the port of conf->ports[p]), give rx task i tx queue i. No-op without
 * --forward. 0 or -1 with err set; lc_forward_close cleans up either way.
 */
int lc_forward_setup(struct lc_forward *f, const struct lc_capture_conf *conf,
		const uint16_t *capture_ids, unsigned int nb_capture, struct lc_rx_task *rx,
		unsigned int nb_rx, struct lc_error *err);
/* Read the forward port's tx counters (main lcore). */
void lc_forward_read_stats(struct lc_forward *f);
/* Stop and close the forward port: before the capture pools are freed. */
void lc_forward_close(struct lc_forward *f);

#endif
