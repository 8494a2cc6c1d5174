/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef LINECAP_PCAP_ENGINE_H
#define LINECAP_PCAP_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <linecap/config.h>
#include <linecap/error.h>

#include "datapath/pcap_loop.h"
#include "sources/pcap_live.h"

struct lc_engine;

/* core/engine_pcap.c: the libpcap flavour of the engine's life cycle. */
int lc_pcap_engine_build(struct lc_engine *e, FILE *plan_out, struct lc_error *err);
int lc_pcap_engine_start(struct lc_engine *e, struct lc_error *err);
bool lc_pcap_engine_running(const struct lc_engine *e);
/* Join the threads; 0, or -1 with err set (if not NULL) if a capture failed. */
int lc_pcap_engine_wait(struct lc_engine *e, struct lc_error *err);
void lc_pcap_engine_close(struct lc_engine *e);

#endif
