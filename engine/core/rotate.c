/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Control plane of file rotation (-C, -G, -W, -z), on a DPDK control thread
 * so that no open, close, rename, unlink or fork ever runs on a writer
 * lcore. For each rotating writer it
 *   - keeps one file open ahead under a hidden temporary name in the output
 *     directory (.linecap-PID-WRITER-SEQ.part), for the writer to take at
 *     its next rotation;
 *   - takes finished files from the writer's queue in order, cuts each to
 *     its exact length and renames it to its final name before it closes it
 *     (and so drops its lock), so no reader ever sees a half-written file
 *     under that name and no recovery ever takes a live one;
 *   - deletes the oldest file beyond -W, and starts `CMD FILE` for -z.
 */
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <rte_lcore.h>

#include "core/engine_priv.h"
#include "core/recover.h"
#include "core/retention.h"
#include "core/rotate.h"
#include "core/rotate_cmd.h"

/* Idle sleep of the control thread; bounds how long a finished file waits. */
#define SERVICE_SLEEP_NS (1000L * 1000)

/* Control-thread state of one writer. */
struct rot_writer {
	struct lc_rotation shared; /* seen by the writer lcore */
	char pattern[PATH_MAX];	   /* -w with %q expanded; strftime'd with -G */
	char dir[PATH_MAX];	   /* where the temporary files go */
	uint64_t seq;		   /* temporary file names */
	uint64_t files;		   /* published */
	uint64_t window_ns;	   /* -G window of the last published file */
	uint64_t in_window;	   /* -C files published in that window */
	uint64_t nb_published;	   /* -C file number without -G (tcpdump) */
	char last[PATH_MAX];
	char **kept; /* -W: the newest published names, oldest first */
	uint32_t nb_kept;
};

struct lc_rotator {
	struct lc_engine *e;
	struct rot_writer w[LC_MAX_WRITERS];
	unsigned int nb;
	pthread_t thread;
	bool running;
	volatile int stop;
	/* The first error of the control thread; it also stops capture. */
	struct lc_error err;
	bool failed;
	struct lc_post_cmds post; /* -z commands still running */
	struct lc_retention *ret; /* --max-disk/--min-free, NULL = off */
};

bool
lc_rotate_enabled(const struct lc_engine *e)
{
	return e->conf.rotate_bytes != 0 || e->conf.rotate_secs != 0;
}

static void
rot_fail(struct lc_rotator *ro, int errnum, const char *fmt, const char *path)
{
	if (!ro->failed) {
		lc_error_set(&ro->err, LC_ERR_OUTPUT, fmt, path, strerror(errnum));
		ro->failed = true;
	}
	ro->e->shared.fatal_errno = errnum;
	ro->e->shared.fatal = 1;
}

static int
open_spare(struct lc_rotator *ro, struct rot_writer *rw, unsigned int idx, struct lc_error *err)
{
	char tmp[PATH_MAX];
	int n = snprintf(tmp, sizeof(tmp), "%s/.linecap-%d-%u-%llu.part", rw->dir, (int)getpid(),
			idx, (unsigned long long)rw->seq++);

	if (n < 0 || (size_t)n >= sizeof(tmp))
		return lc_error_set(
				err, LC_ERR_OUTPUT, "-w: directory name too long: '%s'", rw->dir);
	return lc_medium_fd_ops.open(&rw->shared.spare, tmp, ro->e->conf.direct_io, err);
}

/*
 * The final name of a file: -G expands strftime with the window start
 * (local time, as tcpdump); -C appends a number as tcpdump does: none for
 * the first file, then 1, 2, ...; with -W always, zero-padded and modulo -W.
 */
static int
final_name(struct lc_rotator *ro, struct rot_writer *rw, uint64_t start_ns, char *out, size_t len)
{
	const struct lc_capture_conf *c = &ro->e->conf;
	char base[PATH_MAX];
	uint64_t n;
	int k;

	if (c->rotate_secs != 0) {
		time_t t = (time_t)(start_ns / 1000000000u);
		struct tm tm;

		if (localtime_r(&t, &tm) == NULL ||
				strftime(base, sizeof(base), rw->pattern, &tm) == 0)
			return -ENAMETOOLONG;
		if (start_ns != rw->window_ns) {
			rw->window_ns = start_ns;
			rw->in_window = 0;
		}
		n = rw->in_window++;
	} else {
		snprintf(base, sizeof(base), "%s", rw->pattern);
		n = rw->nb_published++;
	}
	if (c->rotate_bytes != 0 && c->rotate_files != 0 && c->rotate_secs == 0) {
		unsigned int width = 1;
		uint32_t x;

		for (x = c->rotate_files - 1; x >= 10; x /= 10)
			width++;
		k = snprintf(out, len, "%s%0*llu", base, (int)width,
				(unsigned long long)(n % c->rotate_files));
	} else if (c->rotate_bytes == 0 || n == 0) {
		k = snprintf(out, len, "%s", base);
	} else {
		k = snprintf(out, len, "%s%llu", base, (unsigned long long)n);
	}
	return k < 0 || (size_t)k >= len ? -ENAMETOOLONG : 0;
}

/* The sealed-block hook's file callbacks: a sidecar (the index) follows its file. */
static void
hook_published(struct lc_rotator *ro, struct rot_writer *rw, const char *tmp, const char *name)
{
	unsigned int idx = (unsigned int)(rw - ro->w);
	const struct lc_block_hook *h = &ro->e->writers[idx].hook;

	if (h->published != NULL)
		h->published(idx, tmp, name, h->arg);
}

static void
hook_deleted(struct lc_rotator *ro, struct rot_writer *rw, const char *name)
{
	unsigned int idx = (unsigned int)(rw - ro->w);
	const struct lc_block_hook *h = &ro->e->writers[idx].hook;

	if (h->deleted != NULL)
		h->deleted(idx, name, h->arg);
}

/* -W: keep the newest N names; delete the oldest unless the new one replaced it. */
static void
keep_ring(struct lc_rotator *ro, struct rot_writer *rw, const char *name)
{
	uint32_t max = ro->e->conf.rotate_files;
	char *copy;

	if (max == 0)
		return;
	if (rw->nb_kept == max) {
		char *oldest = rw->kept[0];

		if (strcmp(oldest, name) != 0 && unlink(oldest) < 0 && errno != ENOENT) {
			fprintf(stderr, "linecap: -W: cannot delete '%s': %s\n", oldest,
					strerror(errno));
		} else if (strcmp(oldest, name) != 0) {
			hook_deleted(ro, rw, oldest);
			lc_retention_forget(ro->ret, oldest);
		}
		free(oldest);
		memmove(&rw->kept[0], &rw->kept[1], (max - 1) * sizeof(rw->kept[0]));
		rw->nb_kept--;
	}
	copy = strdup(name);
	if (copy != NULL)
		rw->kept[rw->nb_kept++] = copy;
}

/* Close a finished file's medium (already cut to `len`): 0 or -errno. */
static int
close_locked(struct lc_medium *m, uint64_t len)
{
	return m->fd >= 0 ? m->ops->close(m, NULL, 0, len, len) : 0;
}

/*
 * A finished file: exact length, rename, close, -W, -z. The file keeps its
 * flock (sinks/medium_fd.c) until it has its final name: recovery
 * (core/recover.c) takes a .part file only when nobody holds its lock, so a
 * live file is never recovered, however long this thread is held up, and a
 * kill -9 at any point leaves either a .part file for recovery (cut or not:
 * recovery repairs it) or the finished file under its final name.
 */
static void
publish(struct lc_rotator *ro, struct rot_writer *rw, struct lc_done_file *d)
{
	char tmp[PATH_MAX], name[PATH_MAX];
	struct lc_medium *m = &d->medium;
	int r = 0, c;

	snprintf(tmp, sizeof(tmp), "%s", m->path);
	if (d->len == 0) {
		/* Nothing of it reached the disk (write errors, counted). */
		unlink(tmp);
		close_locked(m, 0);
		hook_deleted(ro, rw, tmp);
		return;
	}
	/* Exactly the bytes that hold whole records, before anyone sees the name. */
	if (m->fd >= 0 && m->seekable && ftruncate(m->fd, (off_t)d->len) < 0)
		r = -errno;
	if (r == 0 && lc_fault_rotate_publish != NULL)
		lc_fault_rotate_publish(tmp); /* test build only: kill or pause here */
	if (r == 0 && final_name(ro, rw, d->start_ns, name, sizeof(name)) < 0) {
		close_locked(m, d->len);
		rot_fail(ro, ENAMETOOLONG, "-w: cannot make a file name from '%s': %s",
				rw->pattern);
		return;
	}
	if (r == 0 && rename(tmp, name) < 0) {
		int e = errno;

		close_locked(m, d->len);
		rot_fail(ro, e, "cannot rename the finished file to '%s': %s", name);
		return;
	}
	/* Only now the lock goes: the file has its final name, or stays a .part file. */
	c = close_locked(m, d->len);
	if (r < 0 || c < 0) {
		rot_fail(ro, r < 0 ? -r : -c, "cannot complete '%s': %s", r < 0 ? tmp : name);
		return;
	}
	hook_published(ro, rw, tmp, name);
	rw->files++;
	snprintf(rw->last, sizeof(rw->last), "%s", name);
	lc_retention_published(ro->ret, name);
	keep_ring(ro, rw, name);
	lc_post_cmd_run(&ro->post, ro->e->conf.post_rotate, name);
}

/* One pass over every writer. Returns the work done. */
static unsigned int
service(struct lc_rotator *ro, bool open_spares)
{
	unsigned int i, work = 0;

	for (i = 0; i < ro->nb; i++) {
		struct rot_writer *rw = &ro->w[i];
		struct lc_rotation *rot = &rw->shared;
		uint32_t tail = rot->q_tail, first = tail;

		while (tail != __atomic_load_n(&rot->q_head, __ATOMIC_ACQUIRE)) {
			publish(ro, rw, &rot->queue[tail % LC_ROTATE_QUEUE]);
			__atomic_store_n(&rot->q_tail, ++tail, __ATOMIC_RELEASE);
			work++;
		}
		lc_retention_service(ro->ret, tail != first); /* delete before the next open */
		if (open_spares && !ro->failed &&
				!__atomic_load_n(&rot->spare_ready, __ATOMIC_ACQUIRE)) {
			struct lc_error err = {0};

			if (open_spare(ro, rw, i, &err) < 0) {
				if (!ro->failed) {
					ro->err = err;
					ro->failed = true;
				}
				ro->e->shared.fatal_errno = EIO;
				ro->e->shared.fatal = 1;
			} else {
				__atomic_store_n(&rot->spare_ready, 1, __ATOMIC_RELEASE);
			}
			work++;
		}
	}
	lc_post_cmd_reap(&ro->post, false);
	return work;
}

static void *
rotate_thread(void *arg)
{
	struct lc_rotator *ro = arg;

	while (!ro->stop) {
		if (service(ro, true) == 0) {
			struct timespec nap = {0, SERVICE_SLEEP_NS};

			nanosleep(&nap, NULL);
		}
	}
	return NULL;
}

int
lc_rotate_setup(struct lc_engine *e, struct lc_error *err)
{
	const struct lc_capture_conf *c = &e->conf;
	struct lc_rotator *ro;
	unsigned int i;

	ro = calloc(1, sizeof(*ro));
	if (ro == NULL)
		return lc_error_set(err, LC_ERR_RUNTIME, "out of memory");
	e->rotator = ro;
	ro->e = e;
	ro->nb = e->nb_writers;
	for (i = 0; i < ro->nb; i++) {
		struct rot_writer *rw = &ro->w[i];
		char copy[PATH_MAX];
		struct stat st;

		snprintf(rw->pattern, sizeof(rw->pattern), "%s", e->writer_path[i]);
		snprintf(copy, sizeof(copy), "%s", rw->pattern);
		snprintf(rw->dir, sizeof(rw->dir), "%s", dirname(copy));
		/* Renaming over a device or a fifo would replace it: files only. */
		if (c->rotate_secs == 0 && stat(rw->pattern, &st) == 0 && !S_ISREG(st.st_mode))
			return lc_error_set(err, LC_ERR_USAGE,
					"-C/-G write and rename regular files: '%s' is not one",
					rw->pattern);
		rw->shared.size_limit = c->rotate_bytes ? c->rotate_bytes : UINT64_MAX;
		rw->shared.period_ns = (uint64_t)c->rotate_secs * 1000000000u;
		if (c->rotate_files != 0) {
			rw->kept = calloc(c->rotate_files, sizeof(rw->kept[0]));
			if (rw->kept == NULL)
				return lc_error_set(err, LC_ERR_RUNTIME, "out of memory for -W");
		}
		/* Unfinished files of a killed run in this directory: repair, publish. */
		lc_recover_parts(rw->dir, stderr);
		if (open_spare(ro, rw, i, err) < 0)
			return -1;
		rw->shared.spare_ready = 1;
		e->writers[i].rot = &rw->shared;
	}
	return lc_retention_setup(e, &ro->ret, err);
}

int
lc_rotate_chown(struct lc_engine *e, uid_t uid, gid_t gid, struct lc_error *err)
{
	struct lc_rotator *ro = e->rotator;
	unsigned int i;

	for (i = 0; ro != NULL && i < ro->nb; i++) {
		const struct lc_medium *m = &ro->w[i].shared.spare;

		if (ro->w[i].shared.spare_ready && fchown(m->fd, uid, gid) != 0)
			return lc_error_set(err, LC_ERR_OUTPUT, "%s: chown to %u:%u: %s", m->path,
					(unsigned int)uid, (unsigned int)gid, strerror(errno));
	}
	return 0;
}

int
lc_rotate_start(struct lc_engine *e, struct lc_error *err)
{
	struct lc_rotator *ro = e->rotator;
	int r;

	if (ro == NULL)
		return 0;
	/* The libpcap path has no EAL, so no DPDK control threads: a plain one. */
	r = e->pcap_mode ? pthread_create(&ro->thread, NULL, rotate_thread, ro)
			 : rte_ctrl_thread_create(
					   &ro->thread, "lc-rotate", NULL, rotate_thread, ro);
	if (r != 0)
		return lc_error_set(err, LC_ERR_RUNTIME, "cannot start the rotation thread: %s",
				strerror(r));
	ro->running = true;
	return 0;
}

/* Close and delete the files opened ahead that no writer took. */
static void
drop_spares(struct lc_rotator *ro)
{
	unsigned int i;

	for (i = 0; i < ro->nb; i++) {
		struct lc_rotation *rot = &ro->w[i].shared;

		if (rot->spare_ready) {
			rot->spare.ops->close(&rot->spare, NULL, 0, 0, 0);
			unlink(rot->spare.path);
			rot->spare_ready = 0;
		}
	}
}

int
lc_rotate_stop(struct lc_engine *e, struct lc_error *err)
{
	struct lc_rotator *ro = e->rotator;
	unsigned int i;

	if (ro == NULL)
		return 0;
	if (ro->running) {
		ro->stop = 1;
		pthread_join(ro->thread, NULL);
		ro->running = false;
	}
	service(ro, false); /* what the writers queued at finish */
	drop_spares(ro);
	lc_post_cmd_reap(&ro->post, true);
	for (i = 0; i < ro->nb; i++)
		snprintf(e->writer_path[i], PATH_MAX, "%s", ro->w[i].last);
	if (ro->failed) {
		*err = ro->err;
		return -1;
	}
	return 0;
}

uint64_t
lc_rotate_files(const struct lc_engine *e, unsigned int w)
{
	return e->rotator != NULL && w < e->rotator->nb ? e->rotator->w[w].files : 0;
}

const char *
lc_rotate_last_name(const struct lc_engine *e, unsigned int w)
{
	return e->rotator != NULL && w < e->rotator->nb ? e->rotator->w[w].last : "";
}

void
lc_rotate_destroy(struct lc_engine *e)
{
	struct lc_rotator *ro = e->rotator;
	unsigned int i, k;

	if (ro == NULL)
		return;
	if (ro->running) {
		ro->stop = 1;
		pthread_join(ro->thread, NULL);
	}
	drop_spares(ro);
	lc_post_cmd_reap(&ro->post, true);
	for (i = 0; i < ro->nb; i++) {
		for (k = 0; k < ro->w[i].nb_kept; k++)
			free(ro->w[i].kept[k]);
		free(ro->w[i].kept);
	}
	lc_post_cmd_free(&ro->post);
	lc_retention_free(ro->ret);
	free(ro);
	e->rotator = NULL;
}
