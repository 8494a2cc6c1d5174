/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The upload queue and its thread (upload/upload.h). The queue, the
 * journal state and the backlog counters are under one mutex: the rotation
 * thread appends (hook `published`), removes (hook `deleted`, retention's
 * guard), and the upload thread takes the head. Nobody holds the mutex
 * across a network request. A file retention has claimed (u->claim,
 * upload_scan.c) is not touched: the thread waits for the release before
 * it starts an upload of it or settles one that was in flight.
 */
#include <errno.h>
#include <libgen.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "upload/upload.h"
#include "upload/upload_priv.h"

#define BACKOFF_MIN_NS 500000000ull
#define CUT_POLL_NS 200000000ull /* how soon a draining thread sees lc_upload_cut() */
#define BACKOFF_MAX_NS 30000000000ull

static struct lc_upload_counters g_cnt;
static bool g_on;

const struct lc_upload_counters *
lc_upload_counters(void)
{
	return g_on ? &g_cnt : NULL;
}

static uint64_t
clock_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

uint64_t
lc_up_now_ns(void)
{
	return clock_ns(CLOCK_MONOTONIC);
}

static void
cnt_add(uint64_t *c, uint64_t n)
{
	__atomic_fetch_add(c, n, __ATOMIC_RELAXED);
}

/* Under u->mu: the backlog counters from the queue. */
static void
backlog_update(struct lc_upload *u)
{
	const struct up_file *f;
	uint64_t n = 0, b = 0;

	for (f = u->head; f != NULL; f = f->next) {
		n++;
		b += f->size;
	}
	__atomic_store_n(&g_cnt.backlog_files, n, __ATOMIC_RELAXED);
	__atomic_store_n(&g_cnt.backlog_bytes, b, __ATOMIC_RELAXED);
	__atomic_store_n(&g_cnt.oldest_ns, u->head != NULL ? u->head->enq_ns : 0, __ATOMIC_RELAXED);
}

/* Under u->mu: the queued file called `name` (no directory), and its predecessor. */
static struct up_file *
find(struct lc_upload *u, const char *name, struct up_file **prev)
{
	struct up_file *f, *p = NULL;

	for (f = u->head; f != NULL; p = f, f = f->next)
		if (strcmp(f->name, name) == 0)
			break;
	if (prev != NULL)
		*prev = p;
	return f;
}

static void
unlink_entry(struct lc_upload *u, struct up_file *f, struct up_file *prev)
{
	if (prev != NULL)
		prev->next = f->next;
	else
		u->head = f->next;
	if (u->tail == f)
		u->tail = prev;
	free(f);
}

/* Under u->mu: queue `path` unless it is queued or uploaded already. */
void
lc_up_enqueue_locked(struct lc_upload *u, const char *path)
{
	const char *name = strrchr(path, '/') != NULL ? strrchr(path, '/') + 1 : path;
	size_t n = strlen(name) + 1;
	char idx[PATH_MAX + 8];
	struct up_file *f;
	struct stat st;

	if (find(u, name, NULL) != NULL || lc_up_state_has(&u->st, name) || stat(path, &st) != 0)
		return; /* queued, uploaded, or gone (a stale restart scan) */
	f = calloc(1, sizeof(*f) + n);
	if (f == NULL)
		return; /* not queued now: the next run's scan finds it */
	memcpy(f->name, name, n);
	f->size = (uint64_t)st.st_size;
	snprintf(idx, sizeof(idx), "%s.idx", path);
	if (stat(idx, &st) == 0)
		f->size += (uint64_t)st.st_size;
	f->enq_ns = clock_ns(CLOCK_REALTIME);
	if (u->tail != NULL)
		u->tail->next = f;
	else
		u->head = f;
	u->tail = f;
	backlog_update(u);
	pthread_cond_signal(&u->cv);
}

void
lc_upload_add(struct lc_upload *u, const char *path)
{
	const char *base = strrchr(path, '/') != NULL ? strrchr(path, '/') + 1 : path;

	pthread_mutex_lock(&u->mu);
	lc_up_state_drop(&u->st, base); /* written by this run */
	lc_up_enqueue_locked(u, path);
	pthread_mutex_unlock(&u->mu);
}

/*
 * Under u->mu: `name` was deleted locally; lost if it was waiting. By -W
 * (!retention), an upload in flight decides (uploaded, or lost). By
 * retention (its claim's release): lost even if it was not queued (not
 * uploaded, not scanned yet), and an upload in flight is abandoned.
 */
void
lc_up_forget_locked(struct lc_upload *u, const char *name, bool retention)
{
	struct up_file *prev, *f = find(u, name, &prev);

	if (f == NULL) {
		if (retention)
			cnt_add(&g_cnt.files_lost_unuploaded, 1);
		return;
	}
	if (f == u->inflight) {
		if (retention) { /* counted here; the upload thread removes what it put */
			f->abandoned = true;
			cnt_add(&g_cnt.files_lost_unuploaded, 1);
		} else {
			f->deleted = true; /* the upload thread decides: uploaded, or lost */
		}
		return;
	}
	unlink_entry(u, f, prev);
	cnt_add(&g_cnt.files_lost_unuploaded, 1);
	backlog_update(u);
}

/* Under u->mu: while retention holds `name` (its claim), wait: a moment, two unlinks. */
void
lc_up_wait_claim_locked(struct lc_upload *u, const char *name)
{
	while (strcmp(u->claim, name) == 0)
		pthread_cond_wait(&u->cv, &u->mu);
}

/* ---- the thread ---- */

/*
 * Upload `name` and its index. 0 done, 1 gone (deleted meanwhile), -1
 * failed; *put: bit i set when object i (the file, its index) was stored.
 */
static int
upload_one(struct lc_upload *u, const char *name, uint64_t *bytes, unsigned int *put)
{
	char path[PATH_MAX + NAME_MAX + 16], obj[NAME_MAX + 8], key[1024],
			why[256] = "key too long";
	struct stat st;
	int i;

	*bytes = 0;
	*put = 0;
	for (i = 0; i < 2; i++) {
		snprintf(obj, sizeof(obj), "%s%s", name, i ? ".idx" : "");
		snprintf(path, sizeof(path), "%s/%s", u->st.dir, obj);
		if (stat(path, &st) != 0) {
			if (i == 0)
				return 1;
			break; /* no index: the capture alone */
		}
		if (lc_s3_key(&u->conf, obj, key, sizeof(key)) < 0 ||
				lc_s3_put_file(u->s, &u->conf, path, key, why, sizeof(why)) < 0) {
			if (!u->warned)
				fprintf(stderr, "linecap: upload of %s failed (%s); retrying\n",
						path, why);
			u->warned = true;
			return -1;
		}
		*bytes += (uint64_t)st.st_size;
		*put |= 1u << i;
	}
	return 0;
}

/* An abandoned upload (retention deleted the file, counted lost): remove what it stored. */
static void
unput(struct lc_upload *u, const char *name, unsigned int put)
{
	char obj[NAME_MAX + 8], key[1024];
	struct lc_s3_resp r = {0};
	int i;

	for (i = 0; i < 2; i++) {
		struct lc_s3_req q = {.method = "DELETE", .key = key, .timeout_s = 30};

		snprintf(obj, sizeof(obj), "%s%s", name, i ? ".idx" : "");
		if (!(put & (1u << i)) || lc_s3_key(&u->conf, obj, key, sizeof(key)) < 0)
			continue;
		if (lc_s3_request(u->s, &q, &r) < 0 ||
				(r.status != 204 && r.status != 200 && r.status != 404))
			fprintf(stderr,
					"linecap: upload: cannot remove %s (its local file was "
					"deleted before the upload finished)\n",
					key);
		lc_s3_resp_free(&r);
	}
}

/*
 * Under u->mu: the in-flight file `f` was uploaded (rc 0), is gone (1), or
 * failed (-1). Off the queue unless it failed and still exists. True if it
 * left the queue.
 */
static bool
done_locked(struct lc_upload *u, struct up_file *f, int rc, uint64_t bytes, struct up_done *node)
{
	struct up_file *prev;

	u->inflight = NULL;
	if (find(u, f->name, &prev) != f) {
		free(node);
		return true; /* cannot happen: only the in-flight file is marked, not freed */
	}
	if (f->abandoned) { /* retention deleted it, counted lost: nothing of it counts */
		free(node);
		unlink_entry(u, f, prev);
		backlog_update(u);
		return true;
	}
	if (rc < 0 && !f->deleted)
		return false;
	if (rc != 0)
		cnt_add(&g_cnt.files_lost_unuploaded, 1);
	if (rc == 0) {
		lc_up_state_insert(&u->st, node); /* unless -W deleted it meanwhile */
		cnt_add(&g_cnt.files_uploaded, 1);
		cnt_add(&g_cnt.bytes_uploaded, bytes);
	}
	unlink_entry(u, f, prev);
	backlog_update(u);
	return true;
}

/* After an upload, without the lock: journal it (a sync of the journal's append). */
static struct up_done *
journal(struct lc_upload *u, const char *name)
{
	struct up_done *node = NULL;

	if (lc_up_state_journal(&u->st, name, &node) < 0 && !u->journal_warned) {
		fprintf(stderr, "linecap: upload: cannot append to %s\n", u->st.journal);
		u->journal_warned = true;
	}
	return node;
}

/* Under u->mu: --keep-local, the deletions themselves without the lock. */
void
lc_up_keep_local_locked(struct lc_upload *u)
{
	struct up_done *victims = lc_up_state_trim(&u->st);

	if (victims == NULL)
		return;
	pthread_mutex_unlock(&u->mu);
	lc_up_state_delete(&u->st, victims); /* retention's claim sees them meanwhile */
	pthread_mutex_lock(&u->mu);
	lc_up_state_deleted(&u->st);
}

static void
wait_until(struct lc_upload *u, uint64_t mono_ns)
{
	uint64_t now = clock_ns(CLOCK_MONOTONIC), d = mono_ns > now ? mono_ns - now : 0;
	uint64_t real = clock_ns(CLOCK_REALTIME) + d;
	struct timespec ts = {(time_t)(real / 1000000000ull), (long)(real % 1000000000ull)};

	pthread_cond_timedwait(&u->cv, &u->mu, &ts);
}

static uint64_t
min3(uint64_t a, uint64_t b, uint64_t c)
{
	uint64_t m = a < b ? a : b;

	return m < c ? m : c;
}

static void *
upload_thread(void *arg)
{
	struct lc_upload *u = arg;

	int stale = lc_s3_abort_stale(u->s, &u->conf); /* a killed run's open multiparts */

	if (stale > 0)
		fprintf(stderr,
				"linecap: upload: aborted %d stale multipart upload(s) under "
				"%s%s%s/\n",
				stale, u->conf.prefix, u->conf.prefix[0] ? "/" : "", u->conf.node);
	lc_up_scan(u); /* an earlier run's finished files the journal does not list */
	pthread_mutex_lock(&u->mu);
	for (;;) {
		uint64_t now = clock_ns(CLOCK_MONOTONIC), bytes;
		struct up_file *f = u->head;
		char name[NAME_MAX + 1];
		struct up_done *node;
		unsigned int put;
		int rc;

		if (u->stop && (f == NULL || now >= u->drain_until || u->cut != 0)) {
			if (f != NULL && u->cut != 0)
				fprintf(stderr, "linecap: upload: drain cut short by a signal; the "
						"backlog is left for the next run\n");
			break;
		}
		if (f == NULL) {
			wait_until(u, now + 1000000000ull);
			continue;
		}
		if (now < u->retry_at) {
			/* Draining: wake often enough to see lc_upload_cut(). */
			wait_until(u, u->stop ? min3(u->drain_until, u->retry_at, now + CUT_POLL_NS)
					      : u->retry_at);
			continue;
		}
		if (strcmp(u->claim, f->name) == 0) { /* retention holds it: start nothing */
			lc_up_wait_claim_locked(u, f->name);
			continue;
		}
		u->inflight = f;
		snprintf(name, sizeof(name), "%s", f->name);
		pthread_mutex_unlock(&u->mu);
		rc = upload_one(u, name, &bytes, &put);
		node = rc == 0 ? journal(u, name) : NULL;
		pthread_mutex_lock(&u->mu);
		/* Claimed meanwhile: the release says whether it is abandoned (deleted). */
		lc_up_wait_claim_locked(u, name);
		if (rc < 0)
			cnt_add(&g_cnt.failures, 1);
		if (f->abandoned) {
			done_locked(u, f, rc, bytes, node);
			pthread_mutex_unlock(&u->mu);
			unput(u, name, put);
			pthread_mutex_lock(&u->mu);
			continue;
		}
		if (done_locked(u, f, rc, bytes, node) && rc >= 0) {
			u->backoff = 0;
			u->warned = false;
			lc_up_keep_local_locked(u);
			continue;
		}
		if (rc >= 0)
			continue;
		u->backoff = u->backoff == 0		       ? BACKOFF_MIN_NS
			     : u->backoff * 2 > BACKOFF_MAX_NS ? BACKOFF_MAX_NS
							       : u->backoff * 2;
		u->retry_at = clock_ns(CLOCK_MONOTONIC) + u->backoff;
	}
	pthread_mutex_unlock(&u->mu);
	return NULL;
}

struct lc_upload *
lc_upload_create(const struct lc_s3_conf *conf, const struct lc_upload_opts *o, const char *output,
		bool rotating)
{
	struct lc_upload *u = calloc(1, sizeof(*u));
	char copy[PATH_MAX];
	int rc;

	if (u == NULL)
		return NULL;
	u->conf = *conf;
	u->drain_s = o->drain_s;
	u->rotating = rotating;
	snprintf(copy, sizeof(copy), "%s", output);
	rc = lc_up_state_load(&u->st, dirname(copy), o->keep_local);
	if (rc == 0) {
		u->s = lc_s3_open(&u->conf);
		if (u->s != NULL)
			lc_s3_set_cancel(u->s, &u->cut);
		rc = u->s == NULL ? -ENOMEM : 0;
	}
	if (rc < 0) {
		lc_up_state_free(&u->st);
		free(u);
		errno = -rc;
		return NULL;
	}
	pthread_mutex_init(&u->mu, NULL);
	pthread_cond_init(&u->cv, NULL);
	lc_up_guard_install(u);
	g_on = true;
	return u;
}

int
lc_upload_start(struct lc_upload *u, const struct lc_stats_view *v, const struct lc_capture_conf *c)
{
	int r;

	lc_up_scan_setup(u, v, c);
	r = pthread_create(&u->thread, NULL, upload_thread, u);
	if (r != 0)
		return -r;
	pthread_setname_np(u->thread, "lc-upload");
	u->running = true;
	return 0;
}

void
lc_upload_cut(struct lc_upload *u)
{
	if (u != NULL)
		u->cut = 1;
}

void
lc_upload_stop(struct lc_upload *u)
{
	if (u == NULL || !u->running)
		return;
	pthread_mutex_lock(&u->mu);
	u->stop = true;
	u->drain_until = clock_ns(CLOCK_MONOTONIC) + (uint64_t)(u->drain_s * 1e9);
	pthread_cond_signal(&u->cv);
	pthread_mutex_unlock(&u->mu);
	pthread_join(u->thread, NULL);
	u->running = false;
}

void
lc_upload_destroy(struct lc_upload *u)
{
	if (u == NULL)
		return;
	u->drain_s = 0; /* stopped already after a capture; else no capture ran: no drain */
	lc_upload_stop(u);
	lc_up_guard_remove();
	while (u->head != NULL) /* the counters keep their last values for late readers */
		unlink_entry(u, u->head, NULL);
	free(u->claim_node); /* NULL: every claim is released */
	lc_up_state_free(&u->st);
	lc_s3_close(u->s);
	pthread_cond_destroy(&u->cv);
	pthread_mutex_destroy(&u->mu);
	free(u);
}
