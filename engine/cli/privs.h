/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef LINECAP_CLI_PRIVS_H
#define LINECAP_CLI_PRIVS_H

#include <stdbool.h>
#include <sys/types.h>

#include <linecap/error.h>

/* -Z UID[:GID]: numeric; GID defaults to UID's primary group or UID. */
struct lc_privs {
	bool drop;
	uid_t uid;
	gid_t gid;
};

/* Parse "UID" or "UID:GID" (numbers only). 0 or -1 with err (usage). */
int lc_privs_parse(const char *s, struct lc_privs *p, struct lc_error *err);

/*
 * After setup (EAL, ports, open files): become uid/gid in every thread,
 * with no supplementary groups, no capabilities (effective, permitted,
 * inheritable, ambient, bounding) and no_new_privs. Checks the result.
 * 0 or -1 with err (runtime).
 */
int lc_privs_drop(const struct lc_privs *p, struct lc_error *err);

#endif
