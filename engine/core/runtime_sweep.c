/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Runtime directories left behind by earlier linecap processes. Each run
 * uses its own EAL file prefix, linecap-PID, and removes its directory at
 * exit; a process killed with SIGKILL, or one that dropped root with -Z,
 * cannot. The next run removes those whose process is gone.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/runtime_sweep.h"

/* Where EAL puts runtime directories (eal_create_runtime_dir in 22.11). */
static void
runtime_base(char *buf, size_t len)
{
	const char *xdg = getenv("XDG_RUNTIME_DIR");

	if (getuid() == 0)
		snprintf(buf, len, "/var/run/dpdk");
	else
		snprintf(buf, len, "%s/dpdk", xdg != NULL ? xdg : "/tmp");
}

static bool
process_gone(const char *name)
{
	char *end;
	long pid;

	if (strncmp(name, "list-", 5) == 0) /* linecap list */
		name += 5;
	errno = 0;
	pid = strtol(name, &end, 10);
	if (errno != 0 || *end != '\0' || end == name || pid <= 0 || pid == (long)getpid())
		return false;
	return kill((pid_t)pid, 0) < 0 && errno == ESRCH;
}

/* Remove DIR's files (EAL makes no subdirectories there), then DIR. */
static int
remove_dir(const char *path)
{
	struct dirent *de;
	char f[PATH_MAX];
	DIR *d = opendir(path);

	if (d == NULL)
		return -1;
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if ((size_t)snprintf(f, sizeof(f), "%s/%s", path, de->d_name) < sizeof(f))
			unlink(f);
	}
	closedir(d);
	return rmdir(path);
}

unsigned int
lc_runtime_sweep(void)
{
	char base[PATH_MAX], path[PATH_MAX];
	unsigned int removed = 0;
	struct dirent *de;
	DIR *d;

	runtime_base(base, sizeof(base));
	d = opendir(base);
	if (d == NULL)
		return 0;
	while ((de = readdir(d)) != NULL) {
		if (strncmp(de->d_name, LC_RUNTIME_PREFIX, strlen(LC_RUNTIME_PREFIX)) != 0 ||
				!process_gone(de->d_name + strlen(LC_RUNTIME_PREFIX)))
			continue;
		if ((size_t)snprintf(path, sizeof(path), "%s/%s", base, de->d_name) <
						sizeof(path) &&
				remove_dir(path) == 0)
			removed++;
	}
	closedir(d);
	return removed;
}
