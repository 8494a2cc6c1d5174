/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef LINECAP_QUERY_QUERY_H
#define LINECAP_QUERY_QUERY_H

/*
 * `linecap query`: the packets of capture files that match a tcpdump
 * expression in a time window, merged into one stream in time stamp order
 * (stable: equal stamps keep file order, then record order). Indexed files
 * are read only in their candidate units (time range, and the Bloom filter
 * when the expression requires keys); every candidate packet then goes
 * through the compiled BPF, so the result is exact. A file tool: no EAL.
 * Inputs may also be s3://BUCKET/PREFIX[/NODE] URLs (query_s3.h).
 */

#include <stdbool.h>
#include <stdint.h>

#include <linecap/error.h>

#include "query/priority.h"

/* Warnings and notes, one line each without a newline (the CLI prints them). */
typedef void (*lc_query_note_fn)(void *arg, const char *line);

struct lc_query_conf {
	char *const *inputs; /* files and directories */
	unsigned int nb_inputs;
	bool have_since, have_until;
	uint64_t since_ns, until_ns; /* [since, until) */
	const char *expr;	     /* NULL or "": every packet */
	const char *out_path;	     /* "-" = stdout */
	bool pcapng;
	double max_mbps; /* 0 = no limit: capture bytes read per second, in Mbit/s */
	bool verbose;	 /* notes about the plan, not only warnings */
	lc_query_note_fn note;
	void *note_arg;
	const char *s3_endpoint;	 /* -r s3://...: --s3-endpoint URL (query_s3.c) */
	const char *s3_credentials;	 /* --s3-credentials FILE, NULL: the environment */
	enum lc_query_priority priority; /* the process's own, set at the start (default low) */
};

struct lc_query_stats {
	unsigned int files, files_indexed, files_skipped;
	uint64_t units, units_visited;
	uint64_t bytes_total, bytes_read;
	uint64_t packets_read, packets_out;
	bool narrowed; /* the index's key summaries were used */
};

/*
 * Run the query. 0, or -1 with err set: LC_ERR_USAGE for a bad expression,
 * LC_ERR_INPUT for an input that cannot be read at all, LC_ERR_OUTPUT.
 */
int lc_query_run(const struct lc_query_conf *c, struct lc_query_stats *st, struct lc_error *err);

#endif
