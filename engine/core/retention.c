/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Retention by disk budget, on the rotation thread. Each pass lists the -w
 * directory, keeps the regular files whose names this capture's pattern
 * produces (of this run or an earlier one: a restart counts them), adds
 * their FILE.idx sidecars, and deletes the oldest (modification time, then
 * name) until
 *   --max-disk: finished files <= budget - reserve, and
 *   --min-free: free space >= PERCENT of the file system + reserve,
 * where reserve = RESERVE_FILES files of (-C + slack) per writer: the files
 * a writer may hold unpublished at once (the open one, the closed ones whose
 * last blocks are in flight, one queued to the rotation thread). Files being
 * written are hidden .part files: never listed.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "core/engine_priv.h"
#include "core/retention.h"
#include "core/retention_match.h"
#include "datapath/tstamp.h"
#include "datapath/writer_file.h"

/* --upload's guard (lc_retention_set_guard); NULL: none. */
static const struct lc_retention_guard *guard;

void
lc_retention_set_guard(const struct lc_retention_guard *g)
{
	__atomic_store_n(&guard, g, __ATOMIC_RELEASE);
}

/* Unpublished files per writer: every file slot, plus one in the queue. */
#define RESERVE_FILES (LC_WRITER_FILES + 1)

#define SERVICE_PERIOD_NS 1000000000ull

/* A finished file of this capture. */
struct ret_file {
	char name[NAME_MAX + 1];
	bool gone;	    /* deleted in this pass */
	uint64_t size, idx; /* the file, its FILE.idx (0 if none) */
	int64_t mtime_ns;
};

struct lc_retention {
	char dir[PATH_MAX];
	struct lc_name_matcher m[LC_MAX_WRITERS];
	unsigned int nb_m, nb_writers;
	uint64_t max_disk, file_size; /* file_size: -C, 0 with -G alone */
	uint64_t largest;	      /* the largest file seen (-G alone) */
	double min_free;
	uint64_t last_ns;
	bool warned;
	struct ret_file *files;
	size_t nb_files, cap_files;
	struct lc_retention_counters cnt; /* the stats view points here */
};

/* Bytes kept for the files not yet published. */
static uint64_t
reserve(const struct lc_retention *r)
{
	uint64_t one = (r->file_size != 0 ? r->file_size : r->largest) + LC_RETENTION_SLACK;

	return (uint64_t)RESERVE_FILES * r->nb_writers * one;
}

static bool
ends_with(const char *s, const char *tail)
{
	size_t n = strlen(s), k = strlen(tail);

	return n >= k && strcmp(s + n - k, tail) == 0;
}

static bool
ours(const struct lc_retention *r, const char *name)
{
	unsigned int i;

	if (name[0] == '.' || ends_with(name, ".part") || ends_with(name, ".idx"))
		return false;
	for (i = 0; i < r->nb_m; i++)
		if (lc_name_matcher_match(&r->m[i], name))
			return true;
	return false;
}

/* Size of the regular file `name` in dir fd `dfd`, -1 if none. */
static int64_t
reg_size(int dfd, const char *name, int64_t *mtime_ns)
{
	struct stat st;

	if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) != 0 || !S_ISREG(st.st_mode))
		return -1;
	if (mtime_ns != NULL)
		*mtime_ns = (int64_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec;
	return (int64_t)st.st_size;
}

static int
add_file(struct lc_retention *r, int dfd, const char *name)
{
	char idx[NAME_MAX + 8];
	struct ret_file *f;
	int64_t size, isz;

	if (r->nb_files == r->cap_files) {
		size_t cap = r->cap_files ? r->cap_files * 2 : 64;
		struct ret_file *p = realloc(r->files, cap * sizeof(*p));

		if (p == NULL)
			return -ENOMEM;
		r->files = p;
		r->cap_files = cap;
	}
	f = &r->files[r->nb_files];
	size = reg_size(dfd, name, &f->mtime_ns);
	if (size < 0)
		return 0;
	snprintf(f->name, sizeof(f->name), "%s", name);
	snprintf(idx, sizeof(idx), "%s.idx", name);
	isz = reg_size(dfd, idx, NULL);
	f->gone = false;
	f->size = (uint64_t)size;
	f->idx = isz > 0 ? (uint64_t)isz : 0;
	if (f->size > r->largest)
		r->largest = f->size;
	r->nb_files++;
	return 0;
}

static int
by_age(const void *a, const void *b)
{
	const struct ret_file *x = a, *y = b;

	if (x->mtime_ns != y->mtime_ns)
		return x->mtime_ns < y->mtime_ns ? -1 : 1;
	return strcmp(x->name, y->name);
}

/* This capture's finished files, oldest first; their bytes in *total. */
static int
scan(struct lc_retention *r, DIR *d, uint64_t *total)
{
	struct dirent *de;
	size_t i;
	int dfd = dirfd(d);

	r->nb_files = 0;
	while ((de = readdir(d)) != NULL)
		if (ours(r, de->d_name) && add_file(r, dfd, de->d_name) < 0)
			return -ENOMEM;
	if (r->nb_files > 1)
		qsort(r->files, r->nb_files, sizeof(r->files[0]), by_age);
	*total = 0;
	for (i = 0; i < r->nb_files; i++)
		*total += r->files[i].size + r->files[i].idx;
	return 0;
}

/* Bytes to free for --min-free (0 if enough is free or it is off). */
static uint64_t
free_deficit(const struct lc_retention *r)
{
	struct statvfs sv;
	double need, avail;

	if (r->min_free <= 0 || statvfs(r->dir, &sv) != 0)
		return 0;
	avail = (double)sv.f_bavail * (double)sv.f_frsize;
	need = r->min_free / 100 * (double)sv.f_blocks * (double)sv.f_frsize + (double)reserve(r);
	return need > avail ? (uint64_t)(need - avail) : 0;
}

static void
warn_once(struct lc_retention *r, const char *what, const char *name, int errnum)
{
	if (r->warned)
		return;
	r->warned = true;
	fprintf(stderr, "linecap: retention: %s '%s/%s': %s\n", what, r->dir, name,
			strerror(errnum));
}

/* Delete the oldest files until they fit; counts what went. */
static void
enforce(struct lc_retention *r)
{
	const struct lc_retention_guard *g = __atomic_load_n(&guard, __ATOMIC_ACQUIRE);
	uint64_t total, limit, deficit, freed = 0, res = reserve(r);
	DIR *d = opendir(r->dir);
	size_t i;

	if (d == NULL) {
		warn_once(r, "cannot list", ".", errno);
		return;
	}
	if (scan(r, d, &total) < 0) {
		warn_once(r, "out of memory listing", ".", ENOMEM);
		closedir(d);
		return;
	}
	limit = r->max_disk == 0 ? UINT64_MAX : r->max_disk > res ? r->max_disk - res : 0;
	deficit = free_deficit(r);
	/* The first round spares files not uploaded yet (--upload); the second takes them. */
	for (i = 0; i < 2 * r->nb_files && (total > limit || freed < deficit); i++) {
		struct ret_file *f = &r->files[i < r->nb_files ? i : i - r->nb_files];
		bool pending = g != NULL && !f->gone && g->pending(f->name, g->arg);
		char idx[NAME_MAX + 8];

		if (f->gone || (pending && i < r->nb_files))
			continue;
		f->gone = true;
		if (pending)
			g->lost(f->name, g->arg);
		if (unlinkat(dirfd(d), f->name, 0) != 0 && errno != ENOENT) {
			warn_once(r, "cannot delete", f->name, errno);
			continue;
		}
		snprintf(idx, sizeof(idx), "%s.idx", f->name);
		if (f->idx != 0 && unlinkat(dirfd(d), idx, 0) != 0 && errno != ENOENT)
			warn_once(r, "cannot delete", idx, errno);
		total -= f->size + f->idx;
		freed += f->size + f->idx;
		lc_counter_add(&r->cnt.files_deleted, 1);
		lc_counter_add(&r->cnt.bytes_deleted, f->size);
	}
	closedir(d);
}

void
lc_retention_service(struct lc_retention *r, bool published)
{
	uint64_t now;

	if (r == NULL)
		return;
	now = lc_mono_ns();
	if (!published && now - r->last_ns < SERVICE_PERIOD_NS)
		return;
	r->last_ns = now;
	enforce(r);
}

/* Every writer's file name pattern, once each. */
static int
compile_patterns(struct lc_retention *r, const struct lc_engine *e, struct lc_error *err)
{
	const struct lc_capture_conf *c = &e->conf;
	enum lc_name_suffix suf = c->rotate_bytes == 0				? LC_SUFFIX_NONE
				  : c->rotate_files != 0 && c->rotate_secs == 0 ? LC_SUFFIX_FIXED
										: LC_SUFFIX_OPT;
	unsigned int width = 1, i, k;
	uint32_t x;

	for (x = c->rotate_files > 0 ? c->rotate_files - 1 : 0; x >= 10; x /= 10)
		width++;
	for (i = 0; i < e->nb_writers; i++) {
		char copy[PATH_MAX], dcopy[PATH_MAX];
		const char *base;

		snprintf(copy, sizeof(copy), "%s", e->writer_path[i]);
		snprintf(dcopy, sizeof(dcopy), "%s", e->writer_path[i]);
		base = basename(copy);
		if (i == 0)
			snprintf(r->dir, sizeof(r->dir), "%s", dirname(dcopy));
		else if (strcmp(r->dir, dirname(dcopy)) != 0)
			return lc_error_set(err, LC_ERR_USAGE,
					"--max-disk/--min-free: every writer's file must be in one "
					"directory");
		if (lc_name_matcher_compile(&r->m[r->nb_m], base, c->rotate_secs != 0, suf, width) <
				0)
			return lc_error_set(err, LC_ERR_USAGE,
					"--max-disk/--min-free: bad -w file name '%s'", base);
		for (k = 0; k < i && strcmp(e->writer_path[k], e->writer_path[i]) != 0; k++)
			;
		if (k == i)
			r->nb_m++;
	}
	return 0;
}

int
lc_retention_setup(struct lc_engine *e, struct lc_retention **out, struct lc_error *err)
{
	const struct lc_capture_conf *c = &e->conf;
	struct lc_retention *r;

	*out = NULL;
	if (c->max_disk == 0 && c->min_free <= 0)
		return 0;
	r = calloc(1, sizeof(*r));
	if (r == NULL)
		return lc_error_set(err, LC_ERR_RUNTIME, "out of memory");
	r->nb_writers = e->nb_writers;
	r->max_disk = c->max_disk;
	r->min_free = c->min_free;
	r->file_size = c->rotate_bytes;
	if (c->max_disk != 0 && (c->rotate_bytes == 0 || c->max_disk < reserve(r))) {
		lc_error_set(err, LC_ERR_USAGE,
				"--max-disk %llu: smaller than the files a capture may hold "
				"unfinished (%u writer(s) x %u files x (%llu + %u bytes of block "
				"slack) = %llu)",
				(unsigned long long)c->max_disk, r->nb_writers, RESERVE_FILES,
				(unsigned long long)c->rotate_bytes, LC_RETENTION_SLACK,
				(unsigned long long)reserve(r));
		free(r);
		return -1;
	}
	if (compile_patterns(r, e, err) < 0) {
		free(r);
		return -1;
	}
	e->view.retention.on = true;
	e->view.retention.max_disk = r->max_disk;
	e->view.retention.min_free = r->min_free;
	e->view.retention.cnt = &r->cnt;
	r->last_ns = lc_mono_ns();
	enforce(r); /* the files of an earlier run, before this one writes */
	*out = r;
	return 0;
}

void
lc_retention_free(struct lc_retention *r)
{
	if (r == NULL)
		return;
	free(r->files);
	free(r);
}
