/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Dropping root after setup (-Z). Nothing linecap does once packets flow
 * needs a capability: devices, hugepages, sockets and the first output file
 * are all open by then. New files (rotation) are created as the new user,
 * so its output directory must be writable by it, as with tcpdump -Z.
 */
#include <errno.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <linux/capability.h>

#include "cli/privs.h"

static int
parse_id(const char *s, size_t len, unsigned long *out)
{
	char buf[16];
	char *end;

	if (len == 0 || len >= sizeof(buf))
		return -1;
	memcpy(buf, s, len);
	buf[len] = '\0';
	if (buf[0] < '0' || buf[0] > '9')
		return -1;
	errno = 0;
	*out = strtoul(buf, &end, 10);
	/* (uid_t)-1 means "unchanged" to setresuid: never a target. */
	if (errno != 0 || *end != '\0' || *out >= UINT_MAX)
		return -1;
	return 0;
}

int
lc_privs_parse(const char *s, struct lc_privs *p, struct lc_error *err)
{
	const char *colon = strchr(s, ':');
	unsigned long uid, gid;

	if (parse_id(s, colon ? (size_t)(colon - s) : strlen(s), &uid) < 0 ||
			(colon && parse_id(colon + 1, strlen(colon + 1), &gid) < 0))
		return lc_error_set(
				err, LC_ERR_USAGE, "-Z '%s': expected a numeric UID or UID:GID", s);
	if (!colon) {
		const struct passwd *pw = getpwuid((uid_t)uid);

		gid = pw ? pw->pw_gid : uid;
	}
	p->drop = true;
	p->uid = (uid_t)uid;
	p->gid = (gid_t)gid;
	return 0;
}

static int
last_cap(void)
{
	FILE *f = fopen("/proc/sys/kernel/cap_last_cap", "r");
	int n = 40; /* CAP_CHECKPOINT_RESTORE in 5.9+ is 40; extra ones are harmless */

	if (f != NULL) {
		if (fscanf(f, "%d", &n) != 1)
			n = 40;
		fclose(f);
	}
	return n;
}

static int
caps_clear(void)
{
	struct __user_cap_header_struct hdr = {.version = _LINUX_CAPABILITY_VERSION_3};
	struct __user_cap_data_struct data[2];

	memset(data, 0, sizeof(data));
	return (int)syscall(SYS_capset, &hdr, data);
}

static int
caps_empty(void)
{
	struct __user_cap_header_struct hdr = {.version = _LINUX_CAPABILITY_VERSION_3};
	struct __user_cap_data_struct data[2];

	if (syscall(SYS_capget, &hdr, data) != 0)
		return 0;
	return (data[0].effective | data[1].effective | data[0].permitted | data[1].permitted |
			       data[0].inheritable | data[1].inheritable) == 0;
}

int
lc_privs_drop(const struct lc_privs *p, struct lc_error *err)
{
	uid_t ruid, euid, suid;
	gid_t rgid, egid, sgid;
	int cap, n = last_cap();

	if (!p->drop)
		return 0;
	if (setgroups(1, &p->gid) != 0)
		return lc_error_set(err, LC_ERR_RUNTIME, "-Z: setgroups: %s (run as root)",
				strerror(errno));
	/* The bounding set needs CAP_SETPCAP, which only lasts until setresuid. */
	for (cap = 0; cap <= n; cap++)
		if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0 && errno != EINVAL)
			return lc_error_set(err, LC_ERR_RUNTIME, "-Z: dropping capability %d: %s",
					cap, strerror(errno));
	prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
	/* glibc applies set*id to every thread of the process (EAL's included). */
	if (setresgid(p->gid, p->gid, p->gid) != 0 || setresuid(p->uid, p->uid, p->uid) != 0)
		return lc_error_set(err, LC_ERR_RUNTIME, "-Z %u:%u: %s", (unsigned int)p->uid,
				(unsigned int)p->gid, strerror(errno));
	/* UID 0 keeps its capabilities through setresuid: clear them explicitly. */
	if (caps_clear() != 0)
		return lc_error_set(err, LC_ERR_RUNTIME, "-Z: clearing capabilities: %s",
				strerror(errno));
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
		return lc_error_set(err, LC_ERR_RUNTIME, "-Z: no_new_privs: %s", strerror(errno));
	if (getresuid(&ruid, &euid, &suid) != 0 || getresgid(&rgid, &egid, &sgid) != 0 ||
			ruid != p->uid || euid != p->uid || suid != p->uid || rgid != p->gid ||
			egid != p->gid || sgid != p->gid || !caps_empty())
		return lc_error_set(err, LC_ERR_RUNTIME, "-Z: privileges were not fully dropped");
	return 0;
}
