/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Retention by disk budget, on the rotation thread. It keeps a list of this
 * capture's finished files, oldest first (modification time, then name):
 * one scan of the -w directory at start takes the regular files whose names
 * this capture's pattern produces (an earlier run's: a restart counts them)
 * and their FILE.idx sidecars; after that each publication appends its file,
 * and -W's deletions take theirs out. It deletes the oldest until
 *   --max-disk: finished files <= budget - reserve, and
 *   --min-free: free space >= PERCENT of the file system + reserve,
 * where reserve = RESERVE_FILES files of (-C + slack) per writer: the files
 * a writer may hold unpublished at once (the open one, the closed ones whose
 * last blocks are in flight, one queued to the rotation thread). Files being
 * written are hidden .part files: never listed.
 *
 * The directory is listed again only when the list does not add up (a
 * listed file gone, a publication that cannot be looked at). Files that
 * appear otherwise never join the list while it runs.
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
/* --index: a sidecar is written after its file is published; looked for this long. */
#define SIDECAR_WAIT_NS 30000000000ull

/* A finished file of this capture. */
struct ret_file {
	char name[NAME_MAX + 1];
	uint64_t size, idx; /* the file, its FILE.idx (0 if none) */
	int64_t mtime_ns;
	uint64_t pub_ns; /* when this run published it (0: found at start) */
};

struct lc_retention {
	char dir[PATH_MAX];
	int dfd; /* the directory, open for the run */
	struct lc_name_matcher m[LC_MAX_WRITERS];
	unsigned int nb_m, nb_writers;
	uint64_t max_disk, file_size; /* file_size: -C, 0 with -G alone */
	uint64_t largest;	      /* the largest file seen (-G alone) */
	double min_free;
	uint64_t last_ns;
	bool warned;
	bool sidecars_late; /* --index: FILE.idx appears after FILE */
	bool stale;	    /* the list does not add up: list the directory again */
	/* the list, oldest first: files[head..nb) */
	struct ret_file *files;
	size_t head, nb, cap;
	uint64_t total;			  /* bytes of the listed files and their sidecars */
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

/* Size of the regular file `name` in the directory, -1 if none. */
static int64_t
reg_size(const struct lc_retention *r, const char *name, int64_t *mtime_ns)
{
	struct stat st;

	if (fstatat(r->dfd, name, &st, AT_SYMLINK_NOFOLLOW) != 0 || !S_ISREG(st.st_mode))
		return -1;
	if (mtime_ns != NULL)
		*mtime_ns = (int64_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec;
	return (int64_t)st.st_size;
}

static uint64_t
sidecar_size(const struct lc_retention *r, const char *name)
{
	char idx[NAME_MAX + 8];
	int64_t isz;

	snprintf(idx, sizeof(idx), "%s.idx", name);
	isz = reg_size(r, idx, NULL);
	return isz > 0 ? (uint64_t)isz : 0;
}

static bool
older(const struct ret_file *x, const struct ret_file *y)
{
	if (x->mtime_ns != y->mtime_ns)
		return x->mtime_ns < y->mtime_ns;
	return strcmp(x->name, y->name) < 0;
}

static int
by_age(const void *a, const void *b)
{
	const struct ret_file *x = a, *y = b;

	return older(x, y) ? -1 : older(y, x) ? 1 : 0;
}

/* Take entry i out of the list (its bytes too). */
static void
drop(struct lc_retention *r, size_t i)
{
	r->total -= r->files[i].size + r->files[i].idx;
	if (i == r->head) {
		r->head++;
	} else {
		memmove(&r->files[i], &r->files[i + 1], (r->nb - i - 1) * sizeof(r->files[0]));
		r->nb--;
	}
	if (r->head == r->nb)
		r->head = r->nb = 0;
}

static size_t
find(const struct lc_retention *r, const char *name)
{
	size_t i;

	for (i = r->nb; i-- > r->head;)
		if (strcmp(r->files[i].name, name) == 0)
			return i;
	return SIZE_MAX;
}

/*
 * Add `name`: a publication (pub_ns != 0) in age order, a file found by a
 * scan at the end (the scan sorts). 0, 1 if it is no regular file, -ENOMEM.
 */
static int
add_file(struct lc_retention *r, const char *name, uint64_t pub_ns)
{
	struct ret_file f = {.pub_ns = pub_ns};
	int64_t size = reg_size(r, name, &f.mtime_ns);
	size_t i;

	if (size < 0)
		return 1;
	if (r->head > 0 && r->nb == r->cap) {
		memmove(&r->files[0], &r->files[r->head], (r->nb - r->head) * sizeof(f));
		r->nb -= r->head;
		r->head = 0;
	}
	if (r->nb == r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 64;
		struct ret_file *p = realloc(r->files, cap * sizeof(*p));

		if (p == NULL)
			return -ENOMEM;
		r->files = p;
		r->cap = cap;
	}
	snprintf(f.name, sizeof(f.name), "%s", name);
	f.size = (uint64_t)size;
	f.idx = sidecar_size(r, name);
	if (f.size > r->largest)
		r->largest = f.size;
	/* In age order: a publication is the newest file, or nearly (several writers). */
	for (i = r->nb; pub_ns != 0 && i > r->head && older(&f, &r->files[i - 1]); i--)
		;
	memmove(&r->files[i + 1], &r->files[i], (r->nb - i) * sizeof(f));
	r->files[i] = f;
	r->nb++;
	r->total += f.size + f.idx;
	return 0;
}

/* The list from the directory: this pattern's finished files. 0 or -errno. */
static int
scan(struct lc_retention *r)
{
	int fd = dup(r->dfd);
	struct dirent *de;
	DIR *d;
	int ret = 0;

	if (fd < 0 || (d = fdopendir(fd)) == NULL) {
		ret = -errno;
		if (fd >= 0)
			close(fd);
		return ret;
	}
	rewinddir(d);
	r->head = r->nb = 0;
	r->total = 0;
	while (ret == 0 && (de = readdir(d)) != NULL)
		if (ours(r, de->d_name) && add_file(r, de->d_name, 0) < 0)
			ret = -ENOMEM;
	closedir(d);
	if (r->nb > 1)
		qsort(r->files, r->nb, sizeof(r->files[0]), by_age);
	r->stale = ret != 0;
	return ret;
}

/* --index: sidecars of files published lately, written after them. */
static void
late_sidecars(struct lc_retention *r, uint64_t now)
{
	size_t i;

	for (i = r->nb; r->sidecars_late && i-- > r->head;) {
		struct ret_file *f = &r->files[i];

		if (f->pub_ns == 0 || now - f->pub_ns > SIDECAR_WAIT_NS)
			break;
		if (f->idx == 0) {
			f->idx = sidecar_size(r, f->name);
			r->total += f->idx;
		}
	}
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

/*
 * Delete `name` and its FILE.idx, if --upload's guard lets it go: 0 deleted,
 * 1 kept (not uploaded, !may_lose), -ENOENT gone already, or -errno (it
 * stays). The guard's claim is the whole decision, made under the
 * uploader's lock, and holds the file until the release: whatever the
 * upload thread does meanwhile (finish an upload, scan, --keep-local), it
 * cannot upload, count or forget this file between the answer and the
 * unlink, so the answer is still true when the file goes.
 */
static int
remove_file(struct lc_retention *r, const struct lc_retention_guard *g, const char *name,
		bool may_lose)
{
	char idx[NAME_MAX + 8];
	int rc = 0;

	if (g != NULL && g->claim(name, may_lose, g->arg) == LC_GUARD_KEEP)
		return 1;
	if (unlinkat(r->dfd, name, 0) != 0)
		rc = -errno;
	snprintf(idx, sizeof(idx), "%s.idx", name);
	if (rc == 0 && unlinkat(r->dfd, idx, 0) != 0 && errno != ENOENT)
		warn_once(r, "cannot delete", idx, errno);
	if (g != NULL) /* a file that stays is the uploader's again */
		g->release(name, rc == 0 || rc == -ENOENT, g->arg);
	return rc;
}

/* Delete the oldest files until they fit; counts what went. Round 0 spares
 * files --upload has not uploaded; round 1 takes them (counted as lost). */
static void
enforce(struct lc_retention *r)
{
	const struct lc_retention_guard *g = __atomic_load_n(&guard, __ATOMIC_ACQUIRE);
	uint64_t limit, deficit, freed = 0, res;
	unsigned int round;
	size_t i;
	int e;

	if (r->stale && (e = scan(r)) < 0) {
		warn_once(r, "cannot list", ".", -e);
		return;
	}
	res = reserve(r);
	limit = r->max_disk == 0 ? UINT64_MAX : r->max_disk > res ? r->max_disk - res : 0;
	deficit = free_deficit(r);
	for (round = 0; round < (g != NULL ? 2u : 1u); round++) {
		i = r->head;
		while (i < r->nb && (r->total > limit || freed < deficit)) {
			const struct ret_file *f = &r->files[i];
			uint64_t size = f->size, bytes = f->size + f->idx;

			e = remove_file(r, g, f->name, round == 1);
			if (e == 1 || (e < 0 && e != -ENOENT)) {
				if (e < 0)
					warn_once(r, "cannot delete", f->name, -e);
				i++;
				continue;
			}
			if (e == 0) {
				freed += bytes;
				lc_counter_add(&r->cnt.files_deleted, 1);
				lc_counter_add(&r->cnt.bytes_deleted, size);
			} else {
				r->stale = true; /* deleted by someone else: list again next time */
			}
			drop(r, i);
			i = i < r->head ? r->head : i;
		}
	}
	/* What could not be deleted (the stats view's gauges; /healthz reads them). */
	__atomic_store_n(&r->cnt.kept_bytes, r->total, __ATOMIC_RELAXED);
	__atomic_store_n(&r->cnt.over_bytes,
			RTE_MAX(r->total > limit ? r->total - limit : 0,
					deficit > freed ? deficit - freed : 0),
			__ATOMIC_RELAXED);
}

void
lc_retention_published(struct lc_retention *r, const char *path)
{
	char copy[PATH_MAX];
	const char *name;
	size_t i;
	int ret;

	if (r == NULL)
		return;
	snprintf(copy, sizeof(copy), "%s", path);
	name = basename(copy);
	i = find(r, name);
	if (i != SIZE_MAX)
		drop(r, i); /* replaced by the rename: its bytes are gone */
	ret = add_file(r, name, lc_mono_ns());
	if (ret != 0)
		r->stale = true; /* gone already, or out of memory: list again */
}

void
lc_retention_forget(struct lc_retention *r, const char *path)
{
	char copy[PATH_MAX];
	size_t i;

	if (r == NULL)
		return;
	snprintf(copy, sizeof(copy), "%s", path);
	i = find(r, basename(copy));
	if (i != SIZE_MAX)
		drop(r, i);
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
	late_sidecars(r, now);
	enforce(r);
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
	if (c->max_disk != 0 && (c->rotate_bytes == 0 || c->max_disk < reserve(r) + r->file_size)) {
		lc_error_set(err, LC_ERR_USAGE,
				"--max-disk %llu: no room for one finished file beside those a "
				"capture may hold unfinished (%u writer(s) x %u files x (%llu + %u "
				"bytes of block slack) = %llu)",
				(unsigned long long)c->max_disk, r->nb_writers, RESERVE_FILES,
				(unsigned long long)c->rotate_bytes, LC_RETENTION_SLACK,
				(unsigned long long)reserve(r));
		free(r);
		return -1;
	}
	r->dfd = -1;
	r->sidecars_late = c->index;
	if (lc_retention_patterns(e, r->m, &r->nb_m, r->dir, sizeof(r->dir), err) < 0) {
		free(r);
		return -1;
	}
	r->dfd = open(r->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (r->dfd < 0) {
		lc_error_set(err, LC_ERR_OUTPUT, "--max-disk/--min-free: cannot open '%s': %s",
				r->dir, strerror(errno));
		free(r);
		return -1;
	}
	e->view.retention.on = true;
	e->view.retention.max_disk = r->max_disk;
	e->view.retention.min_free = r->min_free;
	e->view.retention.cnt = &r->cnt;
	r->last_ns = lc_mono_ns();
	r->stale = true; /* the one scan: the files of an earlier run */
	enforce(r);	 /* before this one writes */
	*out = r;
	return 0;
}

void
lc_retention_free(struct lc_retention *r)
{
	if (r == NULL)
		return;
	if (r->dfd >= 0)
		close(r->dfd);
	free(r->files);
	free(r);
}
