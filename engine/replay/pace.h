/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef LINECAP_REPLAY_PACE_H
#define LINECAP_REPLAY_PACE_H

#include <stdbool.h>
#include <stdint.h>

#include "replay/replay_conf.h"

/*
 * Transmit schedule: the time, in ns after the start of sending, at which
 * each packet is due. Computed on the control plane as packets are read; the
 * tx loop only compares the TSC with the due time. Due times never go back,
 * even when the file's timestamps do.
 */
struct lc_pacer {
	enum lc_pace_mode mode;
	double ns_per_file_ns; /* 1 / speed */
	double ns_per_pkt;     /* 1e9 / pps */
	double ns_per_byte;    /* 8e3 / mbps */
	uint64_t base;	       /* due time where this pass over the file starts */
	uint64_t first_ts;     /* file time of this pass's first packet */
	bool started;	       /* first_ts is set */
	uint64_t seq;	       /* packets scheduled so far */
	uint64_t bytes;	       /* their bytes */
	uint64_t last;	       /* due time of the last packet */
};

void lc_pace_init(struct lc_pacer *p, const struct lc_replay_conf *c);

/* Due time of the next packet (file time `ts_ns`, `bytes` long). */
uint64_t lc_pace_next(struct lc_pacer *p, uint64_t ts_ns, uint32_t bytes);

/* The next packet starts a new pass over the file. */
void lc_pace_new_pass(struct lc_pacer *p);

/* How long one pass lasts: the due time the next pass would start at. */
uint64_t lc_pace_pass_span(const struct lc_pacer *p);

#endif
