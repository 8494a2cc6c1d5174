/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Files a killed linecap left behind. With -C/-G every file is written as
 * DIR/.linecap-PID-WRITER-SEQ.part and renamed when complete, so after a
 * kill -9 the unfinished ones are still there under that name. The next run
 * that rotates into DIR finds those whose owner is gone: an empty one
 * (opened ahead, never written) is deleted; any other is cut back to its
 * last whole record (core/repair.c) and published as
 * DIR/linecap-recovered-PID-WRITER-SEQ.pcap (or .pcapng), so no packet that
 * reached the disk is lost or left hidden.
 *
 * The owner is gone when nobody holds the file's flock: the writer takes it
 * when it opens the file (sinks/medium_fd.c) and the kernel releases it
 * when the owner dies, in whatever PID namespace (a PID says nothing about
 * a process of another container sharing the volume). The owner holds the
 * lock until a finished file has its final name (core/rotate.c renames,
 * then closes), but a new file exists a moment before it is locked
 * (open(O_EXCL), then flock), so a free lock also needs a file nobody
 * changed lately: 2 s, or 100 ms when the PID is gone here too (a kill -9
 * just before the next run).
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/recover.h"
#include "core/repair.h"
#include "reader/pcap_reader.h"

#define QUIET_NS 2000000000ll	  /* unchanged this long: no live owner */
#define QUIET_NS_GONE 100000000ll /* the same when the PID is gone here */

static bool
part_name(const char *name, int *pid, unsigned int *w, unsigned long long *seq)
{
	int end = 0;

	return sscanf(name, ".linecap-%d-%u-%llu.part%n", pid, w, seq, &end) == 3 &&
	       name[end] == '\0' && *pid > 0;
}

/* Nanoseconds since the file's last change, or -1. */
static long long
age_ns(const struct stat *st)
{
	struct timespec now;

	if (clock_gettime(CLOCK_REALTIME, &now) != 0)
		return -1;
	return (long long)(now.tv_sec - st->st_ctim.tv_sec) * 1000000000ll +
	       (now.tv_nsec - st->st_ctim.tv_nsec);
}

/*
 * Open and lock `path` if its owner is gone: the fd (holding the lock until
 * closed, so no other run takes the file meanwhile), else -1.
 */
static int
take_orphan(const char *path, int pid, struct stat *st)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	long long age;

	if (fd < 0)
		return -1;
	if (flock(fd, LOCK_EX | LOCK_NB) != 0 || fstat(fd, st) != 0 || !S_ISREG(st->st_mode)) {
		close(fd); /* locked: a live writer owns it */
		return -1;
	}
	age = age_ns(st);
	if (age >= QUIET_NS || (age >= QUIET_NS_GONE && kill(pid, 0) < 0 && errno == ESRCH))
		return fd;
	close(fd);
	return -1;
}

/*
 * capture --index writes the index of DIR/.linecap-PID-WRITER-SEQ.part as
 * DIR/.linecap-PID-WRITER-SEQ.idx.part and renames it with its file. A
 * killed run's is unfinished: it goes, with one line (`linecap index FILE`
 * builds the index of a recovered file). `dst`: the recovered file, if any.
 */
static void
drop_index_part(const char *dir, int pid, unsigned int w, unsigned long long seq, const char *dst,
		FILE *log)
{
	char ipath[PATH_MAX];

	if ((size_t)snprintf(ipath, sizeof(ipath), "%s/.linecap-%d-%u-%llu.idx.part", dir, pid, w,
			    seq) >= sizeof(ipath) ||
			unlink(ipath) != 0)
		return;
	if (dst != NULL)
		fprintf(log,
				"linecap: removed %s, the unfinished index of a killed run "
				"(`linecap index %s` builds it)\n",
				ipath, dst);
	else
		fprintf(log, "linecap: removed %s, the unfinished index of a killed run\n", ipath);
}

/*
 * An index part whose capture part is gone (the run died between the two
 * renames, or an older linecap recovered the file) and that nobody changed
 * for QUIET_NS: a live writer appends to its index part and renames it
 * right after its file.
 */
static void
orphan_index_part(const char *dir, const char *name, FILE *log)
{
	char ipath[PATH_MAX], cpath[PATH_MAX];
	unsigned long long seq;
	struct stat st;
	unsigned int w;
	int end = 0, pid;

	if (sscanf(name, ".linecap-%d-%u-%llu.idx.part%n", &pid, &w, &seq, &end) != 3 ||
			name[end] != '\0' || pid <= 0 ||
			(size_t)snprintf(ipath, sizeof(ipath), "%s/%s", dir, name) >=
					sizeof(ipath) ||
			(size_t)snprintf(cpath, sizeof(cpath), "%s/.linecap-%d-%u-%llu.part", dir,
					pid, w, seq) >= sizeof(cpath))
		return;
	if (access(cpath, F_OK) == 0 || lstat(ipath, &st) != 0 || !S_ISREG(st.st_mode) ||
			age_ns(&st) < QUIET_NS)
		return;
	drop_index_part(dir, pid, w, seq, NULL, log);
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

/* The name's suffix: pcap or pcapng, and .zst for a --compress file (its frames tell which). */
static const char *
suffix(const char *path)
{
	static struct lc_pcap_reader r; /* large: off the stack */
	unsigned char m[4] = {0};
	struct lc_error err;
	const char *s = "pcap.zst";
	FILE *f = fopen(path, "rb");

	if (f != NULL && fread(m, 1, sizeof(m), f) != sizeof(m))
		m[0] = 0;
	if (f != NULL)
		fclose(f);
	if (!lc_zst_magic(m, sizeof(m)))
		return is_pcapng(path) ? "pcapng" : "pcap";
	if (lc_pcap_reader_open(&r, path, &err) == 0) {
		if (r.format == LC_FILE_PCAPNG)
			s = "pcapng.zst";
		lc_pcap_reader_close(&r);
	}
	return s;
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
		const char *published = NULL;
		int fd;

		if (!part_name(de->d_name, &pid, &w, &seq) ||
				(size_t)snprintf(path, sizeof(path), "%s/%s", dir, de->d_name) >=
						sizeof(path)) {
			orphan_index_part(dir, de->d_name, log);
			continue;
		}
		fd = take_orphan(path, pid, &st);
		if (fd < 0)
			continue;
		if (st.st_size == 0) {
			unlink(path); /* opened ahead, never written */
		} else if ((size_t)snprintf(dst, sizeof(dst), "%s/linecap-recovered-%d-%u-%llu.%s",
					   dir, pid, w, seq, suffix(path)) >= sizeof(dst)) {
			/* no name for it: left as it is */
		} else if (lc_repair_file(log, path, &err) < 0) {
			fprintf(log, "linecap: left %s of a killed run as it is: %s\n", path,
					err.msg);
		} else if (rename(path, dst) == 0) {
			fprintf(log, "linecap: recovered %s from a killed run (pid %d)\n", dst,
					pid);
			recovered++;
			published = dst;
		}
		drop_index_part(dir, pid, w, seq, published, log);
		close(fd);
	}
	closedir(d);
	return recovered;
}
