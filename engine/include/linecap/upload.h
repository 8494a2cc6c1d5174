/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef LINECAP_UPLOAD_H
#define LINECAP_UPLOAD_H

/*
 * The counters of `capture --upload` (engine/upload/), for reports: the
 * summary, --stats-json and the metrics endpoint. One uploader per
 * process; its counters live in static storage, so a reader never races
 * the uploader's teardown. Any thread reads them with lc_counter_read.
 */

#include <stdint.h>
#include <stdio.h>

struct lc_upload_counters {
	uint64_t files_uploaded;	/* capture files uploaded and verified (with their index) */
	uint64_t bytes_uploaded;	/* their bytes, indexes included */
	uint64_t failures;		/* upload attempts that failed (each is retried) */
	uint64_t files_lost_unuploaded; /* deleted (-W, --max-disk) before they were uploaded */
	uint64_t backlog_files;		/* finished files waiting to be uploaded */
	uint64_t backlog_bytes;		/* their bytes */
	uint64_t oldest_ns; /* CLOCK_REALTIME ns the oldest waiting file was queued; 0 none */
};

/* This process's upload counters, or NULL without --upload. */
const struct lc_upload_counters *lc_upload_counters(void);

/* Age in seconds of the oldest waiting file (0 when none). */
double lc_upload_backlog_age(const struct lc_upload_counters *c);

/* The --stats-json member `  "upload": {...},\n`; nothing without --upload. */
void lc_upload_json(FILE *f);

#endif
