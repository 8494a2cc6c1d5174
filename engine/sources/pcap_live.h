/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef LINECAP_SOURCES_PCAP_LIVE_H
#define LINECAP_SOURCES_PCAP_LIVE_H

/* The libpcap source (sources/pcap_live.c): one handle per capture thread. */

#include <stdint.h>

#include <linecap/config.h>
#include <linecap/error.h>

#include "datapath/pcap_loop.h"

/*
 * pcap_create + pcap_activate on `ifname`: snaplen, promiscuous, buffer (-B),
 * immediate mode off, nanosecond stamps if available. The socket starts
 * closed (reject-all kernel filter) until lc_pcap_set_filter. 0 or -1 + err.
 */
int lc_pcap_open(struct lc_pcap_task *t, const char *ifname, const struct lc_capture_conf *c,
		struct lc_error *err);

/* TPACKET version libpcap chose for the socket (1..3), -1 if unknown. */
int lc_pcap_tpacket_version(const struct lc_pcap_task *t);

/* Join all `n` sockets into one PACKET_FANOUT group, hash mode (no defrag: see pcap_live.c). */
int lc_pcap_join_fanout(
		struct lc_pcap_task *tasks, unsigned int n, uint16_t *group, struct lc_error *err);

/* pcap_compile on the handle + pcap_setfilter ("" = everything). Opens the socket. */
int lc_pcap_set_filter(struct lc_pcap_task *t, const char *expr, struct lc_error *err);

void lc_pcap_close(struct lc_pcap_task *t);

#endif
