/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The uploader's edges: the start-up checks (before the EAL), the restart
 * scan (finished files of this capture's -w patterns that the journal does
 * not list: queued again, or journaled at once when the store already holds
 * the same bytes), and the guard retention consults (one claim per file
 * it deletes: see below).
 */
#include <dirent.h>
#include <errno.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/retention.h"
#include "upload/upload_priv.h"

int
lc_upload_prepare(const struct lc_upload_opts *o, const char *output, bool rotating,
		struct lc_s3_conf *conf, struct lc_error *err)
{
	char copy[PATH_MAX];
	size_t n = strlen(o->endpoint);

	memset(conf, 0, sizeof(*conf));
	(void)rotating;
	if (lc_s3_url_parse(o->url, conf, err) < 0)
		return -1;
	if (n == 0)
		return lc_error_set(err, LC_ERR_USAGE,
				"--upload: give the object store with --s3-endpoint URL");
	if ((strncmp(o->endpoint, "http://", 7) != 0 && strncmp(o->endpoint, "https://", 8) != 0) ||
			strchr(o->endpoint, '?') != NULL || n >= sizeof(conf->endpoint))
		return lc_error_set(err, LC_ERR_USAGE,
				"--s3-endpoint '%s': expected http://HOST[:PORT] or https://...",
				o->endpoint);
	while (n > 0 && o->endpoint[n - 1] == '/')
		n--;
	snprintf(conf->endpoint, sizeof(conf->endpoint), "%.*s", (int)n, o->endpoint);
	if (o->node[0] != '\0')
		snprintf(conf->node, sizeof(conf->node), "%s", o->node);
	else if (gethostname(conf->node, sizeof(conf->node) - 1) != 0 || conf->node[0] == '\0')
		return lc_error_set(err, LC_ERR_USAGE, "--upload: no host name: give --node NAME");
	if (strchr(conf->node, '/') != NULL || strcmp(conf->node, ".") == 0 ||
			strcmp(conf->node, "..") == 0)
		return lc_error_set(err, LC_ERR_USAGE, "--node '%s': no '/' allowed", conf->node);
	conf->part_size = (o->part_mb != 0 ? o->part_mb : 16) << 20;
	if (strcmp(output, "-") == 0)
		return lc_error_set(err, LC_ERR_USAGE, "--upload: needs files (-w FILE), not -w -");
	snprintf(copy, sizeof(copy), "%s", output);
	if (strchr(dirname(copy), '%') != NULL)
		return lc_error_set(err, LC_ERR_USAGE,
				"--upload: every file must be in one directory (no %% in the -w "
				"directory)");
	if (lc_s3_credentials(conf, o->creds_file, err) < 0)
		return -1;
	return lc_s3_check(conf, err);
}

/* ---- the restart scan ---- */

void
lc_up_scan_setup(
		struct lc_upload *u, const struct lc_stats_view *v, const struct lc_capture_conf *c)
{
	enum lc_name_suffix suf = LC_SUFFIX_NONE;
	char digits[16];
	unsigned int width, i;

	if (!u->rotating)
		return; /* the one -w file is the live one: uploaded after join */
	/* The names core/rotate.c gives (as retention matches them): -C numbers, -W width. */
	if (c->rotate_bytes != 0)
		suf = c->rotate_files != 0 && c->rotate_secs == 0 ? LC_SUFFIX_FIXED : LC_SUFFIX_OPT;
	width = (unsigned int)snprintf(digits, sizeof(digits), "%u",
			c->rotate_files > 0 ? c->rotate_files - 1 : 0);
	for (i = 0; i < v->nb_writers && u->nb_m < LC_MAX_WRITERS; i++) {
		char copy[PATH_MAX];
		const char *base;

		snprintf(copy, sizeof(copy), "%s", v->writers[i].path);
		base = basename(copy);
		if (lc_name_matcher_compile(
				    &u->m[u->nb_m], base, c->rotate_secs != 0, suf, width) == 0)
			u->nb_m++;
	}
}

static bool
candidate(const struct lc_upload *u, const char *name)
{
	size_t n = strlen(name);
	unsigned int i;

	if (name[0] == '.' || (n > 5 && strcmp(name + n - 5, ".part") == 0) ||
			(n > 4 && strcmp(name + n - 4, ".idx") == 0))
		return false;
	for (i = 0; i < u->nb_m; i++)
		if (lc_name_matcher_match(&u->m[i], name))
			return true;
	return false;
}

struct scan_ent {
	int64_t mtime_ns;
	char name[NAME_MAX + 1];
};

static int
by_mtime(const void *a, const void *b)
{
	const struct scan_ent *x = a, *y = b;
	int c = (x->mtime_ns > y->mtime_ns) - (x->mtime_ns < y->mtime_ns);

	return c != 0 ? c : strcmp(x->name, y->name);
}

/* This capture's finished files in the directory, oldest first. */
static size_t
list_files(struct lc_upload *u, struct scan_ent **out)
{
	struct scan_ent *v = NULL;
	size_t nb = 0, cap = 0;
	struct dirent *de;
	DIR *d = opendir(u->st.dir);

	*out = NULL;
	if (d == NULL)
		return 0;
	while ((de = readdir(d)) != NULL) {
		struct stat st;

		if (!candidate(u, de->d_name) || fstatat(dirfd(d), de->d_name, &st, 0) != 0 ||
				!S_ISREG(st.st_mode))
			continue;
		if (nb == cap) {
			struct scan_ent *p = realloc(v, (cap = cap ? cap * 2 : 64) * sizeof(*v));

			if (p == NULL)
				break;
			v = p;
		}
		v[nb].mtime_ns = (int64_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec;
		snprintf(v[nb].name, sizeof(v[nb].name), "%s", de->d_name);
		nb++;
	}
	closedir(d);
	if (nb > 1)
		qsort(v, nb, sizeof(*v), by_mtime);
	*out = v;
	return nb;
}

/* Are `name` and its index (if any) in the store already, the same bytes? */
static bool
stored(struct lc_upload *u, const char *name)
{
	char obj[NAME_MAX + 8], path[PATH_MAX * 2], key[1024];
	int i;

	for (i = 0; i < 2; i++) {
		snprintf(obj, sizeof(obj), "%s%s", name, i ? ".idx" : "");
		snprintf(path, sizeof(path), "%s/%s", u->st.dir, obj);
		if (i == 1 && access(path, F_OK) != 0)
			break; /* no index */
		if (lc_s3_key(&u->conf, obj, key, sizeof(key)) < 0 ||
				lc_s3_same(u->s, &u->conf, path, key) != 1)
			return false; /* killed between the file and its index: both again */
	}
	return true;
}

void
lc_up_scan(struct lc_upload *u)
{
	char path[PATH_MAX * 2];
	struct scan_ent *v;
	size_t nb = list_files(u, &v), i;

	for (i = 0; i < nb; i++) {
		struct up_done *node = NULL;
		bool known, stop, same;

		pthread_mutex_lock(&u->mu);
		known = lc_up_state_has(&u->st, v[i].name);
		stop = u->stop && lc_up_now_ns() >= u->drain_until;
		pthread_mutex_unlock(&u->mu);
		if (stop)
			break; /* past the drain time: the rest waits for the next run */
		if (known)
			continue;
		snprintf(path, sizeof(path), "%s/%s", u->st.dir, v[i].name);
		/* Uploaded, but killed before the journal said so: journal it now. */
		same = stored(u, v[i].name);
		if (same && lc_up_state_journal(&u->st, v[i].name, &node) < 0)
			node = NULL; /* journaled next time */
		pthread_mutex_lock(&u->mu);
		lc_up_wait_claim_locked(u, v[i].name); /* retention first; gone files stay out */
		if (same) {
			lc_up_state_insert(&u->st, node);
			lc_up_keep_local_locked(u);
		} else {
			lc_up_enqueue_locked(u, path);
		}
		pthread_mutex_unlock(&u->mu);
	}
	free(v);
}

/* ---- retention's guard (core/retention.h) ----
 *
 * Why it is race-free: the claim answers and marks under u->mu in one hold.
 * From then until the release, every path of the uploader that could act
 * on that file waits on u->cv while u->claim names it: the upload thread
 * before it starts an upload (upload.c) and before it settles one that was
 * in flight, the restart scan before it queues or journal-lists a file
 * (enqueue also skips a file that is gone). The rotation thread, the only
 * other writer, is the claimant itself. The uploaded node of a DELETE is
 * held aside (off the list --keep-local trims), and a file --keep-local is
 * deleting is DELETE too. So the answer cannot go stale before retention's
 * unlink, and the release settles it: lost counted once, an upload in
 * flight abandoned (its objects removed), or, if the file stays,
 * everything as before the claim. The wait is two unlinks long, never a
 * network request.
 */
static enum lc_guard_verdict
guard_claim(const char *name, bool may_lose, void *arg)
{
	struct lc_upload *u = arg;
	enum lc_guard_verdict v = LC_GUARD_KEEP;

	pthread_mutex_lock(&u->mu);
	if (u->claim[0] != '\0' || strlen(name) >= sizeof(u->claim))
		v = LC_GUARD_KEEP; /* one claim at a time (retention's is always released) */
	else if ((u->claim_node = lc_up_state_take(&u->st, name)) != NULL ||
			lc_up_state_deleting(&u->st, name))
		v = LC_GUARD_DELETE; /* uploaded (or being deleted by --keep-local) */
	else if (may_lose)
		v = LC_GUARD_DELETE_LOST; /* waiting, in flight, or not scanned yet */
	if (v != LC_GUARD_KEEP) {
		snprintf(u->claim, sizeof(u->claim), "%s", name);
		u->claim_lost = v == LC_GUARD_DELETE_LOST;
	}
	pthread_mutex_unlock(&u->mu);
	return v;
}

static void
guard_release(const char *name, bool deleted, void *arg)
{
	struct lc_upload *u = arg;

	pthread_mutex_lock(&u->mu);
	if (strcmp(u->claim, name) == 0) {
		if (u->claim_node != NULL && !deleted)
			lc_up_state_restore(&u->st, u->claim_node); /* still here, uploaded */
		else
			free(u->claim_node);
		if (deleted && u->claim_lost)
			lc_up_forget_locked(u, name, true);
		u->claim[0] = '\0';
		u->claim_node = NULL;
		pthread_cond_broadcast(&u->cv);
	}
	pthread_mutex_unlock(&u->mu);
}

static struct lc_retention_guard g_guard;

void
lc_up_guard_install(struct lc_upload *u)
{
	g_guard.claim = guard_claim;
	g_guard.release = guard_release;
	g_guard.arg = u;
	lc_retention_set_guard(&g_guard);
}

void
lc_up_guard_remove(void)
{
	lc_retention_set_guard(NULL);
}
