/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Files a killed linecap left behind. With -C/-G every file is written as
 * DIR/.linecap-PID-WRITER-SEQ.part and renamed when complete, so after a
 * kill -9 the unfinished ones are still there under that name. The next run
 * that rotates into DIR finds those whose PID is gone: an empty one (opened
 * ahead, never written) is deleted; any other is cut back to its last whole
 * record (core/repair.c) and published as DIR/linecap-recovered-PID-WRITER-SEQ.pcap
 * (or .pcapng), so no packet that reached the disk is lost or left hidden.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/recover.h"
#include "core/repair.h"

static bool
owner_gone(const char *name, int *pid, unsigned int *w, unsigned long long *seq)
{
	int end = 0;

	if (sscanf(name, ".linecap-%d-%u-%llu.part%n", pid, w, seq, &end) != 3 ||
			name[end] != '\0' || *pid <= 0 || *pid == (int)getpid())
		return false;
	return kill(*pid, 0) < 0 && errno == ESRCH;
}

static bool
is_pcapng(const char *path)
{
	unsigned char m[4] = {0};
	FILE *f = fopen(path, "rb");

	if (f == NULL)
		return false;
	if (fread(m, 1, sizeof(m), f) != sizeof(m))
		m[0] = 0;
	fclose(f);
	return m[0] == 0x0a && m[1] == 0x0d && m[2] == 0x0d && m[3] == 0x0a;
}

unsigned int
lc_recover_parts(const char *dir, FILE *log)
{
	char path[PATH_MAX], dst[PATH_MAX];
	unsigned int recovered = 0;
	unsigned long long seq;
	struct dirent *de;
	unsigned int w;
	struct stat st;
	DIR *d = opendir(dir);
	int pid;

	if (d == NULL)
		return 0;
	while ((de = readdir(d)) != NULL) {
		struct lc_error err = {0};

		if (!owner_gone(de->d_name, &pid, &w, &seq) ||
				(size_t)snprintf(path, sizeof(path), "%s/%s", dir, de->d_name) >=
						sizeof(path) ||
				stat(path, &st) != 0 || !S_ISREG(st.st_mode))
			continue;
		if (st.st_size == 0) {
			unlink(path); /* opened ahead, never written */
			continue;
		}
		if ((size_t)snprintf(dst, sizeof(dst), "%s/linecap-recovered-%d-%u-%llu.%s", dir,
				    pid, w, seq,
				    is_pcapng(path) ? "pcapng" : "pcap") >= sizeof(dst))
			continue;
		if (lc_repair_file(log, path, &err) < 0) {
			fprintf(log, "linecap: left %s of a killed run as it is: %s\n", path,
					err.msg);
			continue;
		}
		if (rename(path, dst) == 0) {
			fprintf(log, "linecap: recovered %s from a killed run (pid %d)\n", dst,
					pid);
			recovered++;
		}
	}
	closedir(d);
	return recovered;
}
