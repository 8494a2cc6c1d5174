/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef LINECAP_UPLOAD_UPLOAD_H
#define LINECAP_UPLOAD_UPLOAD_H

/*
 * `capture --upload s3://BUCKET/PREFIX`: every finished capture file and
 * its index go to PREFIX/NODE/NAME, from an upload thread of its own.
 *
 * - The rotation thread only queues a published file (the sealed-block
 *   hook's `published` callback, chained after the index's): a mutex and a
 *   list append; the network is never on its path, nor on a data-path lcore.
 * - The upload thread takes the oldest file, uploads it (multipart above
 *   the part size), verifies it (ETags against our MD5s, then a HEAD), and
 *   records the name in the directory's journal `.linecap-uploaded`. A
 *   failure keeps the file first in line and backs off (0.5 s doubling to
 *   30 s), so an outage grows the backlog and the uploads resume alone.
 * - The journal says which local files are uploaded: after a restart the
 *   finished files the journal does not list are queued again, and
 *   retention (--max-disk) deletes uploaded files first, counting any other
 *   it must delete as files_lost_unuploaded. --keep-local SIZE deletes
 *   uploaded local copies, oldest first, beyond SIZE.
 */

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <linecap/block_hook.h>
#include <linecap/error.h>
#include <linecap/stats_view.h>
#include <linecap/upload.h>

#include "s3/s3.h"

/* The options, as the CLI stores them. */
struct lc_upload_opts {
	char url[1024];		   /* --upload s3://BUCKET/PREFIX, "" = off */
	char endpoint[256];	   /* --s3-endpoint URL */
	char node[128];		   /* --node NAME, "" = the host name */
	char creds_file[PATH_MAX]; /* --s3-credentials FILE */
	uint64_t keep_local;	   /* --keep-local SIZE, 0 = keep every uploaded file */
	uint64_t part_mb;	   /* --s3-part-size MB (>= 5) */
	double drain_s;		   /* --upload-drain SECONDS at exit */
};

struct lc_upload;

/*
 * Before the EAL: check the options, read the credentials and ask the
 * endpoint (one HEAD of the bucket). `output` is -w. 0, or -1 with err set
 * (LC_ERR_USAGE: exit 2, nothing started).
 */
int lc_upload_prepare(const struct lc_upload_opts *o, const char *output, bool rotating,
		struct lc_s3_conf *conf, struct lc_error *err);

/*
 * Before lc_engine_create (retention consults it from then on): the
 * uploader for `output`'s directory, its journal loaded. NULL with errno set.
 */
struct lc_upload *lc_upload_create(const struct lc_s3_conf *conf, const struct lc_upload_opts *o,
		const char *output, bool rotating);

/* Wrap `h` (the hook the engine would get, maybe empty): `h` becomes ours, chaining it. */
void lc_upload_hook(struct lc_upload *u, struct lc_block_hook *h);

/*
 * Start the upload thread; with rotation it first queues the finished files
 * of `v`'s patterns that the journal does not list (an earlier run's).
 * 0, or -errno.
 */
int lc_upload_start(struct lc_upload *u, const struct lc_stats_view *v,
		const struct lc_capture_conf *c);

/* Queue a finished file (the one -w file of a capture without rotation, after join). */
void lc_upload_add(struct lc_upload *u, const char *path);

/*
 * After join: keep uploading for up to the drain time while files wait,
 * then stop the thread; what is left stays for the next run.
 */
void lc_upload_stop(struct lc_upload *u);

/*
 * Cut the drain short (a second Ctrl-C): the request in flight is cancelled and the
 * thread stops within about a second; what is left stays for the next run.
 * Async-signal-safe: it only sets a flag.
 */
void lc_upload_cut(struct lc_upload *u);

/* One summary line: uploaded, failures, lost, backlog. */
void lc_upload_summary(FILE *f);

void lc_upload_destroy(struct lc_upload *u);

/* ---- upload_state.c: the journal, the uploaded-and-local list, --keep-local ---- */

struct up_done {
	struct up_done *next;
	uint64_t size;	  /* the capture file, when uploaded */
	int64_t mtime_ns; /* its modification time then */
	uint64_t bytes;	  /* the file and its index */
	char name[];
};

struct up_state {
	char dir[PATH_MAX];
	char journal[PATH_MAX + 32];
	struct up_done *head, *tail; /* uploaded and still local, oldest first */
	struct up_done *deleting;    /* detached by --keep-local, being deleted */
	uint64_t bytes;
	uint64_t keep_local;
	uint64_t lines, kept; /* upload thread: lines in the journal, kept by the last rewrite */
};

/* Load (and compact) the journal of `dir`. 0, or -errno. */
int lc_up_state_load(struct up_state *st, const char *dir, uint64_t keep_local);

/* Is `name` uploaded (listed)? */
bool lc_up_state_has(const struct up_state *st, const char *name);

/*
 * `name` was uploaded: append it to the journal (fdatasync'd), compacting
 * the journal when it outgrew its bound (upload thread only: file I/O and
 * st->lines/kept, no list: call it without the uploader's lock), and make
 * its list node in *out (NULL if the file is gone). 0, or -errno.
 */
int lc_up_state_journal(struct up_state *st, const char *name, struct up_done **out);

/*
 * List a node from lc_up_state_journal (NULL: nothing), replacing one of
 * its name; dropped if the file is no longer the one journaled.
 */
void lc_up_state_insert(struct up_state *st, struct up_done *d);

/*
 * --keep-local: detach the oldest uploaded files beyond the budget (a
 * chain, or NULL), which stays st->deleting until lc_up_state_deleted.
 */
struct up_done *lc_up_state_trim(struct up_state *st);

/* Delete the files of a detached chain (without the lock). */
void lc_up_state_delete(const struct up_state *st, const struct up_done *chain);

/* Under the lock again: the chain's files are deleted: free it. */
void lc_up_state_deleted(struct up_state *st);

/* Is `name` in the chain --keep-local is deleting? */
bool lc_up_state_deleting(const struct up_state *st, const char *name);

/* Take `name`'s node off the list (NULL: not listed); lc_up_state_restore puts it back first. */
struct up_done *lc_up_state_take(struct up_state *st, const char *name);
void lc_up_state_restore(struct up_state *st, struct up_done *d);

/* `name` is a new file (published again under an old name): not uploaded. */
void lc_up_state_drop(struct up_state *st, const char *name);

void lc_up_state_free(struct up_state *st);

#endif
