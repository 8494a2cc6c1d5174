/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef LINECAP_QUERY_OUT_H
#define LINECAP_QUERY_OUT_H

/* The query's output: one pcap (us or ns) or pcapng stream, to a file or stdout ("-"). */

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <linecap/error.h>

struct lc_qout {
	FILE *f;
	bool is_stdout;
	bool pcapng;
	bool nano; /* pcap: ns time stamps */
	uint64_t packets;
	uint64_t bytes;
};

/* Open `path` ("-" = stdout) and write the file header. 0, or -1 with err set. */
int lc_qout_open(struct lc_qout *o, const char *path, bool pcapng, bool nano, uint32_t linktype,
		struct lc_error *err);

/* One packet. 0, or -1 with err set. */
int lc_qout_write(struct lc_qout *o, uint64_t ts_ns, uint32_t caplen, uint32_t len,
		const uint8_t *data, struct lc_error *err);

/* Flush and close. 0, or -1 with err set. */
int lc_qout_close(struct lc_qout *o, struct lc_error *err);

#endif
