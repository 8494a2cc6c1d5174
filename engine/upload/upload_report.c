/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * --upload's counters as the end-of-run reports show them: the summary
 * line and the JSON object (<linecap/upload.h>), and the backlog's age
 * (the metrics endpoint's too). Readers only: the counters are written by
 * upload.c, read here with lc_counter_read at any time.
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include "upload/upload.h"

static uint64_t
realtime_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

double
lc_upload_backlog_age(const struct lc_upload_counters *c)
{
	uint64_t o = lc_counter_read(&c->oldest_ns), now = realtime_ns();

	return o != 0 && now > o ? (double)(now - o) / 1e9 : 0;
}

/* A snapshot: uploaded files, bytes, failures, lost, backlog files, bytes. NULL: off. */
static const struct lc_upload_counters *
snapshot(uint64_t v[6])
{
	const struct lc_upload_counters *c = lc_upload_counters();

	if (c != NULL) {
		v[0] = lc_counter_read(&c->files_uploaded);
		v[1] = lc_counter_read(&c->bytes_uploaded);
		v[2] = lc_counter_read(&c->failures);
		v[3] = lc_counter_read(&c->files_lost_unuploaded);
		v[4] = lc_counter_read(&c->backlog_files);
		v[5] = lc_counter_read(&c->backlog_bytes);
	}
	return c;
}

void
lc_upload_summary(FILE *f)
{
	const struct lc_upload_counters *c;
	uint64_t v[6];

	c = snapshot(v);
	if (c == NULL)
		return;
	fprintf(f,
			"upload: %" PRIu64 " files (%" PRIu64 " bytes) uploaded, %" PRIu64
			" failed attempts, %" PRIu64 " files lost before upload; backlog %" PRIu64
			" files, %" PRIu64 " bytes, oldest %.1f s\n",
			v[0], v[1], v[2], v[3], v[4], v[5], lc_upload_backlog_age(c));
}

void
lc_upload_json(FILE *f)
{
	static const char *const keys[6] = {"files_uploaded", "bytes_uploaded", "failures",
			"files_lost_unuploaded", "backlog_files", "backlog_bytes"};
	const struct lc_upload_counters *c;
	uint64_t v[6];
	unsigned int i;

	c = snapshot(v);
	if (c == NULL)
		return;
	fputs("  \"upload\": {", f);
	for (i = 0; i < 6; i++)
		fprintf(f, "\"%s\": %" PRIu64 ", ", keys[i], v[i]);
	fprintf(f, "\"backlog_oldest_s\": %.3f},\n", lc_upload_backlog_age(c));
}
