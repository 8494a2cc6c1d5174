/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef LINECAP_QUERY_QUERY_PRIV_H
#define LINECAP_QUERY_QUERY_PRIV_H

/* Shared by the planner (plan.c) and the time merge (merge.c). */

#include <pcap/pcap.h>

#include "index/index.h"
#include "query/narrow.h"
#include "query/out.h"
#include "query/query.h"
#include "query/region_io.h"
#include "reader/pcap_reader.h"

/* A candidate unit: all the merge needs of its index entry (16 bytes). */
struct qcand {
	uint64_t offset, length;
};

/* A compressed file's candidate (COMPRESSED index): its zstd frame (query_zst.c). */
struct qzcand {
	uint64_t zoffset, zlength;
	uint32_t packets; /* for the warning when it does not decode */
};

enum qfile_state {
	QF_CLOSED, /* not opened yet: its key is a lower bound of its first time stamp */
	QF_OPEN,   /* `rec` is its next matching packet */
	QF_DONE,
};

struct qfile {
	char *path;
	unsigned int order; /* tie-break: position among the inputs */
	uint64_t size;	    /* at planning */
	int format;
	uint32_t linktype;
	bool nano;
	bool has_packets;
	bool use_idx;
	bool zst;		/* zstd-compressed (query_zst.c) */
	struct lc_zst_unit *zu; /* .zst: r's frame-at-a-time stream (reader/zst_unit.h) */
	struct lc_idx idx;	/* its header and `covered`; the entries are freed after planning */
	struct qcand *cand;	/* candidate units, increasing */
	struct qzcand *zcand;	/* zst and indexed: cand[i]'s frame is zcand[i]; else NULL */
	uint32_t nb_cand, next_cand;
	bool tail; /* also scan from idx.covered to the end (the file grew) */
	uint64_t key;
	enum qfile_state state;
	struct lc_pcap_reader *r;
	struct lc_region_io *rio; /* r's bounded stream (freed when r is closed) */
	bool in_region;
	uint64_t region_start, region_end;
	uint64_t ra_end;	/* read-ahead asked of the kernel up to here in the region */
	uint32_t next_prefetch; /* candidates before this one were asked for ahead */
	uint64_t dropped;	/* page cache released up to here in the region */
	struct lc_pcap_record rec;
};

struct query {
	const struct lc_query_conf *c;
	struct lc_query_stats *st;
	struct qfile *files;
	unsigned int nb_files, cap_files;
	struct bpf_program prog;
	bool have_prog;
	struct lc_narrow narrow;
	struct lc_qout out;
	uint64_t t0_ns; /* for --max-mbps */
};

void lc_query_note(const struct query *q, bool always, const char *fmt, ...)
		__attribute__((format(printf, 3, 4)));

/* Add a capture file to the inputs (plan.c; also the S3 source's staged files). */
int lc_query_add_file(struct query *q, const char *path, struct lc_error *err);

/* Is unit `u` of index `h` a candidate (time window, then the keys q->narrow requires)? */
bool lc_query_unit_wanted(
		const struct query *q, const struct lc_idx_unit *u, const struct lc_idx_header *h);

/* Inputs into files, each with its index and candidate units; compile the expression. */
int lc_query_plan(struct query *q, struct lc_error *err);

/* Merge the files' matching packets into q->out. */
int lc_query_merge(struct query *q, struct lc_error *err);

void lc_query_free(struct query *q);

#endif
