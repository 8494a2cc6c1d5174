/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef LINECAP_RETENTION_H
#define LINECAP_RETENTION_H

/*
 * Retention by disk budget (--max-disk, --min-free), run by the rotation
 * thread (core/rotate.c): after each publication it deletes the oldest
 * finished files of this capture's -w pattern (and their FILE.idx), across
 * all writers, until they fit. The files are kept in a list (one directory
 * scan at start, then each publication), not listed again each time.
 */

#include <stdbool.h>
#include <stdint.h>

#include <linecap/error.h>

struct lc_engine;
struct lc_retention;

/*
 * Block slack of a file being written: it may be longer than -C by up to
 * this until it is cut to its exact length (O_DIRECT blocks are padded).
 */
#define LC_RETENTION_SLACK (64u << 10)

/*
 * Before launch, after the writers' paths are known: *out = NULL when
 * retention is off. Checks the budget against the writers (LC_ERR_USAGE),
 * fills the stats view's retention part and enforces the budget once over
 * the files an earlier run left. 0, or -1 with err set.
 */
int lc_retention_setup(struct lc_engine *e, struct lc_retention **out, struct lc_error *err);

/*
 * Rotation thread: `path` was just published (renamed into place): it joins
 * the list of this capture's files. lc_retention_forget: `path` was deleted
 * by -W. Both do nothing when r is NULL.
 */
void lc_retention_published(struct lc_retention *r, const char *path);
void lc_retention_forget(struct lc_retention *r, const char *path);

/* Rotation thread: enforce after a publication, or once a second (--min-free, sidecars). */
void lc_retention_service(struct lc_retention *r, bool published);

void lc_retention_free(struct lc_retention *r);

/*
 * Set by an uploader (--upload), process-wide, before lc_engine_create and
 * until after lc_engine_destroy (NULL: none). For each file retention would
 * delete (`name` has no directory), one decision under the uploader's lock:
 *   claim(name, may_lose): KEEP (not uploaded, and may_lose is false),
 *   DELETE (uploaded), or DELETE_LOST (not uploaded, may_lose: the budget
 *   forces it). Unless KEEP, the file is retention's from then on: the
 *   uploader starts no upload of it and completes none (one in flight
 *   waits, and is abandoned if the file goes), until
 *   release(name, deleted): retention unlinked the file and its FILE.idx
 *   (or found it gone: deleted = true), or could not (deleted = false: the
 *   uploader has it back exactly as before the claim). Only a DELETE_LOST
 *   file that went is counted files_lost_unuploaded (by the uploader).
 * One claim at a time, always released; both run on the rotation thread
 * (on the main lcore during setup).
 */
enum lc_guard_verdict {
	LC_GUARD_KEEP,
	LC_GUARD_DELETE,
	LC_GUARD_DELETE_LOST,
};

struct lc_retention_guard {
	enum lc_guard_verdict (*claim)(const char *name, bool may_lose, void *arg);
	void (*release)(const char *name, bool deleted, void *arg);
	void *arg;
};

void lc_retention_set_guard(const struct lc_retention_guard *g);

#endif
