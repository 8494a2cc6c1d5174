/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The uploader's edges: the start-up checks (before the EAL), the restart
 * scan (finished files of this capture's -w patterns that the journal does
 * not list: queued again, or journaled at once when the store already holds
 * the same bytes), and the guard retention consults.
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

void
lc_up_scan(struct lc_upload *u)
{
	char path[PATH_MAX * 2], key[1024];
	struct scan_ent *v;
	size_t nb = list_files(u, &v), i;

	for (i = 0; i < nb; i++) {
		struct up_done *node = NULL;
		bool known, stop;
		int same = 0;

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
		if (lc_s3_key(&u->conf, v[i].name, key, sizeof(key)) == 0)
			same = lc_s3_same(u->s, &u->conf, path, key);
		if (same == 1 && lc_up_state_journal(&u->st, v[i].name, &node) < 0)
			node = NULL; /* journaled next time */
		pthread_mutex_lock(&u->mu);
		if (same == 1) {
			lc_up_state_insert(&u->st, node);
			lc_up_keep_local_locked(u);
		} else {
			lc_up_enqueue_locked(u, path);
		}
		pthread_mutex_unlock(&u->mu);
	}
	free(v);
}

/* ---- retention's guard ---- */

static bool
guard_pending(const char *name, void *arg)
{
	struct lc_upload *u = arg;
	bool pending;

	pthread_mutex_lock(&u->mu);
	pending = !lc_up_state_has(&u->st, name);
	pthread_mutex_unlock(&u->mu);
	return pending;
}

static void
guard_lost(const char *name, void *arg)
{
	struct lc_upload *u = arg;

	pthread_mutex_lock(&u->mu);
	/*
	 * Retention asked pending() and then calls this, without the lock in
	 * between: an upload that finished in that window counted the file
	 * uploaded, and it must not be counted lost as well.
	 */
	if (lc_up_state_has(&u->st, name))
		lc_up_state_drop(&u->st, name);
	else
		lc_up_forget_locked(u, name, true);
	pthread_mutex_unlock(&u->mu);
}

/* Retention deleted an uploaded file: off the uploaded-and-local list. */
static void
guard_gone(const char *name, void *arg)
{
	struct lc_upload *u = arg;

	pthread_mutex_lock(&u->mu);
	lc_up_state_drop(&u->st, name);
	pthread_mutex_unlock(&u->mu);
}

static struct lc_retention_guard g_guard;

void
lc_up_guard_install(struct lc_upload *u)
{
	g_guard.pending = guard_pending;
	g_guard.lost = guard_lost;
	g_guard.gone = guard_gone;
	g_guard.arg = u;
	lc_retention_set_guard(&g_guard);
}

void
lc_up_guard_remove(void)
{
	lc_retention_set_guard(NULL);
}
