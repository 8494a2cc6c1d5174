/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef LINECAP_ROTATE_CMD_H
#define LINECAP_ROTATE_CMD_H

/*
 * -z: `CMD FILE` for every published file, as tcpdump runs it (no shell),
 * on the rotation thread; the children are reaped later, never waited for
 * while capture runs.
 */

#include <stdbool.h>
#include <sys/types.h>

struct lc_post_cmds {
	const char *cmd; /* of the last run: for the exit status message */
	pid_t *children; /* still running */
	unsigned int nb, cap;
};

/* Start `cmd name` (nothing if cmd is ""); a failure is one line on stderr. */
void lc_post_cmd_run(struct lc_post_cmds *p, const char *cmd, const char *name);

/* Reap the children that ended (all of them, waiting, with `wait`). */
void lc_post_cmd_reap(struct lc_post_cmds *p, bool wait);

void lc_post_cmd_free(struct lc_post_cmds *p);

#endif
