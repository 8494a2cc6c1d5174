/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef LINECAP_ROTATE_H
#define LINECAP_ROTATE_H

#include <stdbool.h>
#include <sys/types.h>
#include <stddef.h>
#include <stdint.h>

#include <linecap/error.h>

struct lc_engine;

/* True if the configuration rotates files (-C or -G). */
bool lc_rotate_enabled(const struct lc_engine *e);

/*
 * Before launch: give every writer its rotation state and open its first
 * file ahead (under a temporary name), so an unwritable directory fails here.
 * e->writer_path[w] holds writer w's -w pattern with %q expanded ("%%" kept
 * for strftime). 0 or -1 with err set.
 */
int lc_rotate_setup(struct lc_engine *e, struct lc_error *err);

/* Start the control thread that opens, publishes and post-processes files. */
/* -Z: give the files opened ahead to uid:gid (before lc_rotate_start). */
int lc_rotate_chown(struct lc_engine *e, uid_t uid, gid_t gid, struct lc_error *err);

int lc_rotate_start(struct lc_engine *e, struct lc_error *err);

/*
 * After every writer finished (lc_writer_finish): publish what is queued,
 * remove unused temporary files, stop the thread, wait for the -z commands.
 * 0, or -1 with err set if a file could not be opened, closed or renamed.
 */
int lc_rotate_stop(struct lc_engine *e, struct lc_error *err);

/* Files published by writer `w` so far, and the name of the last one ("" = none). */
uint64_t lc_rotate_files(const struct lc_engine *e, unsigned int w);
const char *lc_rotate_last_name(const struct lc_engine *e, unsigned int w);

/*
 * Test hook, defined only in the test binary linecap-fault
 * (tests/tools/fault_hooks.c); weak and NULL in linecap. Called on the
 * rotation thread when a finished file (`part`, still locked) has its exact
 * length and not yet its final name: the test kills or pauses there.
 */
void lc_fault_rotate_publish(const char *part) __attribute__((weak));

/* Free everything (unlinks temporary files if stop was never called). */
void lc_rotate_destroy(struct lc_engine *e);

#endif
