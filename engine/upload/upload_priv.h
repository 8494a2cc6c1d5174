/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef LINECAP_UPLOAD_UPLOAD_PRIV_H
#define LINECAP_UPLOAD_UPLOAD_PRIV_H

/* The uploader's state, shared by upload.c and upload_scan.c. */

#include <pthread.h>

#include "core/retention_match.h"
#include "upload/upload.h"

/* A finished file waiting for upload. */
struct up_file {
	struct up_file *next;
	uint64_t size;	 /* the file and its index, when queued */
	uint64_t enq_ns; /* CLOCK_REALTIME when queued */
	bool deleted;	 /* deleted locally (-W) while it was being uploaded */
	bool abandoned;	 /* deleted by retention while in flight: counted lost, never uploaded */
	char name[];	 /* in the output directory */
};

struct lc_upload {
	struct lc_s3_conf conf;
	struct lc_s3 *s; /* the upload thread's client */
	double drain_s;
	bool rotating;
	/* the restart scan: this capture's name patterns (core/retention_match.h) */
	struct lc_name_matcher m[LC_MAX_WRITERS];
	unsigned int nb_m;
	/* under mu */
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct up_file *head, *tail; /* waiting, oldest first */
	struct up_file *inflight;    /* the one being uploaded (stays at the head) */
	struct up_state st;	     /* journal, uploaded-and-local list */
	/* retention's claim (upload_scan.c): the file it holds, "" none */
	char claim[NAME_MAX + 1];
	bool claim_lost;	    /* DELETE_LOST */
	struct up_done *claim_node; /* DELETE: its node, off st's list until the release */
	bool stop;
	volatile int cut; /* lc_upload_cut(), from a signal handler: read without mu */
	uint64_t drain_until, retry_at, backoff; /* CLOCK_MONOTONIC ns */
	bool warned, journal_warned;
	/* main lcore */
	pthread_t thread;
	bool running;
	struct lc_block_hook inner; /* the hook we chain (the index's) */
};

/* upload.c, under u->mu */
void lc_up_enqueue_locked(struct lc_upload *u, const char *path);
void lc_up_forget_locked(struct lc_upload *u, const char *name, bool retention);
void lc_up_wait_claim_locked(struct lc_upload *u, const char *name);
void lc_up_keep_local_locked(struct lc_upload *u);
uint64_t lc_up_now_ns(void); /* CLOCK_MONOTONIC, as drain_until */

/* upload_scan.c */
void lc_up_scan_setup(struct lc_upload *u, const struct lc_stats_view *v,
		const struct lc_capture_conf *c);
void lc_up_scan(struct lc_upload *u);
void lc_up_guard_install(struct lc_upload *u);
void lc_up_guard_remove(void);

#endif
