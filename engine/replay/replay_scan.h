/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef LINECAP_REPLAY_SCAN_H
#define LINECAP_REPLAY_SCAN_H

#include "reader/pcap_reader.h"
#include "replay/replay.h"

/* What the validating pass over the file found. */
struct lc_replay_scan {
	uint64_t nb_records; /* complete packet records with data: the ones sent */
	uint64_t nb_empty;   /* records of 0 bytes: no frame to send, skipped */
	uint64_t nb_segs;    /* mbufs they need */
	uint64_t bytes;	     /* their captured bytes */
	uint32_t max_caplen;
	bool truncated;
	uint64_t trunc_offset;
};

/*
 * Read every record of an open file without its data, checking everything,
 * and that its link type is Ethernet; then rewind. 0 or -1 with err set.
 */
int lc_replay_scan(struct lc_pcap_reader *rd, struct lc_replay_scan *s, struct lc_error *err);

#endif
