/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Which local files are uploaded: the journal `DIR/.linecap-uploaded`, one
 * line per file ("SIZE MTIME_NS NAME"), appended (and fdatasync'd) after an
 * upload is verified; a line counts only while the file has that size and
 * modification time, so a file rewritten under the same name is new.
 * Why a journal and not a HEAD per file: retention must answer "uploaded?"
 * on the rotation thread at any moment, including before the store is
 * reachable after a restart, and a restart must not re-read every local
 * file to compare ETags. A crash between the verification and the append
 * only uploads that file once more under the same key (same bytes), never
 * under another name. The hidden name keeps it out of every -w pattern.
 * At load, names whose file is gone are dropped (rewritten, renamed).
 * Compaction: in a long run the appends of files deleted since (by
 * --keep-local, retention, -W) pile up, so once the journal holds more than
 * 2 x KEPT + JOURNAL_SLACK lines (KEPT: the lines the last rewrite kept) it
 * is rewritten as at load: read, only the lines naming a local file as it
 * is kept, once each, written to a temporary file, fdatasync'd, renamed over
 * the journal, the directory fsync'd. Bound: at most 2 x KEPT + 65 lines,
 * KEPT <= the uploaded files still local. A kill -9 at any point leaves the
 * old journal or the new one, both whole: the rename is the switch, and
 * every line either keeps means the same files. The upload thread is the
 * only writer (appends and rewrites), so no append is lost to a rewrite.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "upload/upload.h"

#define JOURNAL ".linecap-uploaded"
#define JOURNAL_SLACK 64 /* lines beyond 2 x KEPT before a compaction */

/* The file's size and mtime (-1 if it is not a regular file), and with its index. */
static int
local_file(const struct up_state *st, const char *name, uint64_t *size, int64_t *mtime,
		uint64_t *bytes)
{
	char p[PATH_MAX * 2];
	struct stat sb;

	snprintf(p, sizeof(p), "%s/%s", st->dir, name);
	if (stat(p, &sb) != 0 || !S_ISREG(sb.st_mode))
		return -1;
	*size = (uint64_t)sb.st_size;
	*mtime = (int64_t)sb.st_mtim.tv_sec * 1000000000 + sb.st_mtim.tv_nsec;
	*bytes = *size;
	snprintf(p, sizeof(p), "%s/%s.idx", st->dir, name);
	if (stat(p, &sb) == 0)
		*bytes += (uint64_t)sb.st_size;
	return 0;
}

static int
push(struct up_state *st, const char *name, uint64_t size, int64_t mtime, uint64_t bytes)
{
	size_t n = strlen(name) + 1;
	struct up_done *d = malloc(sizeof(*d) + n);

	if (d == NULL)
		return -ENOMEM;
	d->next = NULL;
	d->size = size;
	d->mtime_ns = mtime;
	d->bytes = bytes;
	memcpy(d->name, name, n);
	if (st->tail != NULL)
		st->tail->next = d;
	else
		st->head = d;
	st->tail = d;
	st->bytes += bytes;
	return 0;
}

static bool
listed(const struct up_done *d, const char *name)
{
	for (; d != NULL; d = d->next)
		if (strcmp(d->name, name) == 0)
			return true;
	return false;
}

bool
lc_up_state_has(const struct up_state *st, const char *name)
{
	return listed(st->head, name);
}

/* Rewrite the journal with the listed names only: temporary file, fdatasync, rename. */
static int
rewrite(struct up_state *st)
{
	char tmp[PATH_MAX + 48];
	const struct up_done *d;
	uint64_t lines = 0;
	FILE *f;
	int rc = 0, dfd;

	snprintf(tmp, sizeof(tmp), "%s.%d", st->journal, (int)getpid());
	f = fopen(tmp, "w");
	if (f == NULL)
		return -errno;
	for (d = st->head; d != NULL; d = d->next, lines++)
		fprintf(f, "%llu %lld %s\n", (unsigned long long)d->size, (long long)d->mtime_ns,
				d->name);
	if (fflush(f) != 0 || fdatasync(fileno(f)) != 0)
		rc = -errno;
	if (fclose(f) != 0 && rc == 0)
		rc = -errno;
	if (rc == 0 && rename(tmp, st->journal) != 0)
		rc = -errno;
	if (rc != 0) {
		unlink(tmp);
		return rc;
	}
	dfd = open(st->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) { /* the rename itself durable */
		fsync(dfd);
		close(dfd);
	}
	st->lines = st->kept = lines;
	return 0;
}

/* The journal's lines that name a local file as it is now, once each, onto st's list. */
static int
read_journal(struct up_state *st)
{
	char line[NAME_MAX + 64];
	FILE *f = fopen(st->journal, "r");
	int rc = 0;

	if (f == NULL)
		return errno == ENOENT ? 0 : -errno;
	while (rc == 0 && fgets(line, sizeof(line), f) != NULL) {
		unsigned long long jsize;
		long long jmtime;
		uint64_t size, bytes;
		int64_t mtime;
		int at = 0;

		line[strcspn(line, "\n")] = '\0';
		if (sscanf(line, "%llu %lld %n", &jsize, &jmtime, &at) != 2 || at == 0)
			continue;
		if (line[at] == '\0' || strchr(line + at, '/') != NULL ||
				lc_up_state_has(st, line + at))
			continue;
		if (local_file(st, line + at, &size, &mtime, &bytes) == 0 && size == jsize &&
				mtime == jmtime)
			rc = push(st, line + at, size, mtime, bytes);
	}
	fclose(f);
	return rc;
}

int
lc_up_state_load(struct up_state *st, const char *dir, uint64_t keep_local)
{
	int rc;

	memset(st, 0, sizeof(*st));
	snprintf(st->dir, sizeof(st->dir), "%s", dir);
	snprintf(st->journal, sizeof(st->journal), "%s/" JOURNAL, dir);
	st->keep_local = keep_local;
	rc = read_journal(st);
	return rc == 0 ? rewrite(st) : rc;
}

/* Upload thread, after an append: compact when the journal outgrew its bound. */
static void
compact(struct up_state *st)
{
	struct up_state tmp;

	if (st->lines <= 2 * st->kept + JOURNAL_SLACK)
		return;
	memset(&tmp, 0, sizeof(tmp));
	memcpy(tmp.dir, st->dir, sizeof(tmp.dir));
	memcpy(tmp.journal, st->journal, sizeof(tmp.journal));
	if (read_journal(&tmp) == 0 && rewrite(&tmp) == 0)
		st->lines = st->kept = tmp.lines;
	else
		st->kept = st->lines; /* failed: try again when it has doubled */
	lc_up_state_free(&tmp);
}

struct up_done *
lc_up_state_trim(struct up_state *st)
{
	struct up_done *out = NULL, **tail = &out;

	while (st->keep_local != 0 && st->bytes > st->keep_local && st->head != NULL) {
		struct up_done *d = st->head;

		st->head = d->next;
		if (st->head == NULL)
			st->tail = NULL;
		st->bytes -= d->bytes;
		d->next = NULL;
		*tail = d;
		tail = &d->next;
	}
	st->deleting = out;
	return out;
}

void
lc_up_state_delete(const struct up_state *st, const struct up_done *chain)
{
	char p[PATH_MAX * 2];
	const struct up_done *d;

	for (d = chain; d != NULL; d = d->next) {
		snprintf(p, sizeof(p), "%s/%s", st->dir, d->name);
		unlink(p);
		snprintf(p, sizeof(p), "%s/%s.idx", st->dir, d->name);
		unlink(p);
	}
}

void
lc_up_state_deleted(struct up_state *st)
{
	while (st->deleting != NULL) {
		struct up_done *d = st->deleting;

		st->deleting = d->next;
		free(d);
	}
}

bool
lc_up_state_deleting(const struct up_state *st, const char *name)
{
	return listed(st->deleting, name);
}

int
lc_up_state_journal(struct up_state *st, const char *name, struct up_done **out)
{
	char line[NAME_MAX + 64];
	uint64_t size, bytes;
	int64_t mtime;
	int fd, n, rc = 0;
	size_t k = strlen(name) + 1;

	*out = NULL;
	if (local_file(st, name, &size, &mtime, &bytes) < 0)
		return 0; /* deleted meanwhile: nothing local to track */
	n = snprintf(line, sizeof(line), "%llu %lld %s\n", (unsigned long long)size,
			(long long)mtime, name);
	if (n < 0 || (size_t)n >= sizeof(line))
		return -ENAMETOOLONG;
	fd = open(st->journal, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	if (write(fd, line, (size_t)n) != n || fdatasync(fd) != 0)
		rc = errno != 0 ? -errno : -EIO;
	close(fd);
	if (rc != 0)
		return rc;
	st->lines++;
	compact(st);
	*out = malloc(sizeof(**out) + k);
	if (*out == NULL)
		return -ENOMEM;
	(*out)->next = NULL;
	(*out)->size = size;
	(*out)->mtime_ns = mtime;
	(*out)->bytes = bytes;
	memcpy((*out)->name, name, k);
	return 0;
}

void
lc_up_state_insert(struct up_state *st, struct up_done *d)
{
	uint64_t size, bytes;
	int64_t mtime;

	if (d == NULL)
		return;
	if (local_file(st, d->name, &size, &mtime, &bytes) < 0 || size != d->size ||
			mtime != d->mtime_ns) {
		free(d); /* deleted (or replaced) since it was journaled: not local any more */
		return;
	}
	lc_up_state_drop(st, d->name);
	if (st->tail != NULL)
		st->tail->next = d;
	else
		st->head = d;
	st->tail = d;
	st->bytes += d->bytes;
}

/* Take `name`'s node off the list (NULL: not listed). */
struct up_done *
lc_up_state_take(struct up_state *st, const char *name)
{
	struct up_done *d, *prev = NULL;

	for (d = st->head; d != NULL; prev = d, d = d->next)
		if (strcmp(d->name, name) == 0)
			break;
	if (d == NULL)
		return NULL;
	if (prev != NULL)
		prev->next = d->next;
	else
		st->head = d->next;
	if (st->tail == d)
		st->tail = prev;
	st->bytes -= d->bytes;
	d->next = NULL;
	return d;
}

void
lc_up_state_restore(struct up_state *st, struct up_done *d)
{
	d->next = st->head;
	st->head = d;
	if (st->tail == NULL)
		st->tail = d;
	st->bytes += d->bytes;
}

void
lc_up_state_drop(struct up_state *st, const char *name)
{
	free(lc_up_state_take(st, name));
}

void
lc_up_state_free(struct up_state *st)
{
	lc_up_state_deleted(st);
	while (st->head != NULL) {
		struct up_done *d = st->head;

		st->head = d->next;
		free(d);
	}
	st->tail = NULL;
}
