/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * `linecap query -r s3://BUCKET/PREFIX[/NODE]`: the objects under the
 * prefix (ListObjectsV2) become local sparse files of their real size in a
 * private temporary directory, holding only the bytes the query can read:
 * the file's first 4 KiB (header, and what the index's first-bytes CRC
 * covers), then, when the object has a usable index (KEY.idx, fetched
 * whole: the CRC of its entries covers them all, and every entry's Bloom
 * filter is tested), only its candidate units (time window and Bloom keys,
 * the same test as for local files) with HTTP Range GETs, adjacent units in
 * one request and no byte of the head twice; without an index the whole
 * object. The note at the end says what was fetched, by kind. The sparse files then join the inputs
 * like local files, so the plan, the exact BPF and the time merge are the local ones, and local
 * paths and S3 URLs mix in one answer. The holes are never read: the
 * merge reads candidate units only. Everything staged is removed at the end.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "query/query_priv.h"
#include "query/query_s3.h"
#include "s3/s3.h"

#define HEAD_BYTES 4096u

/* One object of the listing. */
struct s3_obj {
	char key[1024];
	uint64_t size;
};

struct s3_src {
	struct query *q;
	struct lc_s3_conf conf;
	struct lc_s3 *s;
	struct s3_obj *objs;
	size_t nb, cap;
	uint64_t fetched, stored;
	uint64_t fetched_idx, fetched_head; /* of `fetched`: indexes, heads */
};

/* The staged files, removed by lc_query_s3_cleanup. */
static char stage_dir[4096];
static char **staged;
static size_t nb_staged;

bool
lc_query_is_s3(const char *in)
{
	return strncmp(in, "s3://", 5) == 0;
}

static int
add_obj(struct s3_src *x, const char *key, uint64_t size)
{
	if (x->nb == x->cap) {
		size_t cap = x->cap ? x->cap * 2 : 64;
		struct s3_obj *o = realloc(x->objs, cap * sizeof(*o));

		if (o == NULL)
			return -1;
		x->objs = o;
		x->cap = cap;
	}
	snprintf(x->objs[x->nb].key, sizeof(x->objs[0].key), "%s", key);
	x->objs[x->nb++].size = size;
	return 0;
}

/* Every object under the prefix (ListObjectsV2, continued while truncated). */
static int
list(struct s3_src *x, struct lc_error *err)
{
	char prefix[1100], enc[3400], token[1024] = "", etok[3100], query[7000];
	int rc = 0;

	snprintf(prefix, sizeof(prefix), "%s%s", x->conf.prefix, x->conf.prefix[0] ? "/" : "");
	if (lc_s3_encode(prefix, false, enc, sizeof(enc)) < 0)
		return lc_error_set(err, LC_ERR_USAGE, "s3: prefix too long");
	do {
		struct lc_s3_req q = {.method = "GET", .query = query, .timeout_s = 60};
		struct lc_s3_resp r;
		const char *p;

		etok[0] = '\0';
		if (token[0] != '\0' && lc_s3_encode(token, false, etok, sizeof(etok)) < 0)
			return lc_error_set(err, LC_ERR_INPUT, "s3: bad continuation token");
		snprintf(query, sizeof(query), "%s%s%slist-type=2&prefix=%s",
				etok[0] ? "continuation-token=" : "", etok, etok[0] ? "&" : "",
				enc);
		if (lc_s3_request(x->s, &q, &r) < 0)
			return lc_error_set(err, LC_ERR_INPUT, "s3://%s: %s: %s", x->conf.bucket,
					x->conf.endpoint, r.err);
		if (r.status != 200) {
			rc = lc_error_set(err, LC_ERR_INPUT, "s3://%s/%s: listing: HTTP %ld",
					x->conf.bucket, x->conf.prefix, r.status);
			lc_s3_resp_free(&r);
			return rc;
		}
		for (p = r.body; p != NULL && (p = strstr(p, "<Contents>")) != NULL; p++) {
			char key[1024], size[32];

			if (lc_s3_xml_get(p, "Key", key, sizeof(key)) < 0 ||
					lc_s3_xml_get(p, "Size", size, sizeof(size)) < 0)
				continue;
			if (strchr(key, '&') == NULL &&
					add_obj(x, key, strtoull(size, NULL, 10)) < 0)
				rc = lc_error_set(err, LC_ERR_RUNTIME, "out of memory");
		}
		token[0] = '\0';
		if (r.body != NULL && strstr(r.body, "<IsTruncated>true</IsTruncated>") != NULL)
			lc_s3_xml_get(r.body, "NextContinuationToken", token, sizeof(token));
		lc_s3_resp_free(&r);
	} while (rc == 0 && token[0] != '\0');
	return rc;
}

static const struct s3_obj *
find_obj(const struct s3_src *x, const char *key)
{
	size_t i;

	for (i = 0; i < x->nb; i++)
		if (strcmp(x->objs[i].key, key) == 0)
			return &x->objs[i];
	return NULL;
}

/* GET bytes [off, off + len) of `key` into `fd` at `off`. 0, or -1. */
static int
fetch(struct s3_src *x, const char *key, int fd, uint64_t off, uint64_t len, uint64_t at)
{
	char range[64];
	struct lc_s3_req q = {.method = "GET", .key = key, .to_fd = true, .fd = fd, .fd_off = at};
	struct lc_s3_resp r;
	int rc;

	if (len == 0)
		return 0;
	snprintf(range, sizeof(range), "%" PRIu64 "-%" PRIu64, off, off + len - 1);
	q.range = range;
	rc = lc_s3_request(x->s, &q, &r);
	if (rc == 0 && ((r.status != 206 && r.status != 200) || r.fd_bytes != len))
		rc = -1;
	x->fetched += r.fd_bytes;
	lc_s3_resp_free(&r);
	return rc;
}

/*
 * GET [off, off + len) into `fd` at `off`, less what the head fetch already
 * brought ([0, head)): a first unit starts inside the head.
 */
static int
fetch_past_head(struct s3_src *x, const char *key, int fd, uint64_t off, uint64_t len,
		uint64_t head)
{
	if (off < head) {
		if (off + len <= head)
			return 0;
		len -= head - off;
		off = head;
	}
	return fetch(x, key, fd, off, len, off);
}

/* The candidate units of the staged file `path` (pcap, indexed) into it. */
static int
fetch_units(struct s3_src *x, const struct s3_obj *o, const char *path, int fd)
{
	struct lc_pcap_reader *r = malloc(sizeof(*r));
	struct lc_error e = {0};
	struct lc_idx idx = {0};
	uint64_t run_off = 0, run_len = 0, head = o->size < HEAD_BYTES ? o->size : HEAD_BYTES;
	char why[256];
	uint32_t i;
	int rc, format;

	if (r == NULL || lc_pcap_reader_open(r, path, &e) < 0) {
		free(r);
		return 1; /* the plan warns about it; fetch it whole */
	}
	format = r->format == LC_FILE_PCAPNG;
	rc = lc_idx_load(path, o->size, r->linktype, format, &idx, why, sizeof(why));
	lc_pcap_reader_close(r);
	free(r);
	if (rc != 1 || !(idx.h.flags & LC_IDX_SEEKABLE)) {
		lc_idx_free(&idx);
		return 1; /* not usable: the whole object */
	}
	for (i = 0, rc = 0; rc == 0 && i < idx.h.nb_units; i++) {
		struct lc_idx_unit u;

		lc_idx_unit_at(idx.buf, &idx.h, i, &u);
		if (!lc_query_unit_wanted(x->q, &u, &idx.h))
			continue;
		if (run_len != 0 && run_off + run_len == u.offset) {
			run_len += u.length; /* adjacent: one request */
			continue;
		}
		rc = fetch_past_head(x, o->key, fd, run_off, run_len, head);
		run_off = u.offset;
		run_len = u.length;
	}
	if (rc == 0)
		rc = fetch_past_head(x, o->key, fd, run_off, run_len, head);
	if (rc == 0 && o->size > idx.h.file_size) /* a tail the index does not cover */
		rc = fetch_past_head(
				x, o->key, fd, idx.h.file_size, o->size - idx.h.file_size, head);
	lc_idx_free(&idx);
	return rc;
}

/* Stage one capture object as a sparse local file. 0, 1 skipped (warned), -1 error. */
static int
stage(struct s3_src *x, const struct s3_obj *o, struct lc_error *err)
{
	char path[4200], idxp[4210], key[1100];
	const char *base = strrchr(o->key, '/') != NULL ? strrchr(o->key, '/') + 1 : o->key;
	const struct s3_obj *io;
	uint64_t at;
	char **n;
	int fd, ifd, rc, len;

	len = snprintf(path, sizeof(path), "%s/%zu-%s", stage_dir, nb_staged, base);
	if (len < 0 || (size_t)len >= sizeof(path))
		return lc_error_set(err, LC_ERR_INPUT, "s3: object key too long: %s", o->key);
	n = realloc(staged, (nb_staged + 1) * sizeof(*staged));
	if (n == NULL)
		return lc_error_set(err, LC_ERR_RUNTIME, "out of memory");
	staged = n;
	staged[nb_staged] = strdup(path);
	if (staged[nb_staged] == NULL)
		return lc_error_set(err, LC_ERR_RUNTIME, "out of memory");
	nb_staged++;
	fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0 || ftruncate(fd, (off_t)o->size) != 0) {
		rc = lc_error_set(err, LC_ERR_RUNTIME, "%s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return rc;
	}
	x->stored += o->size;
	at = x->fetched;
	rc = fetch(x, o->key, fd, 0, o->size < HEAD_BYTES ? o->size : HEAD_BYTES, 0);
	x->fetched_head += x->fetched - at;
	snprintf(key, sizeof(key), "%s.idx", o->key);
	io = find_obj(x, key);
	snprintf(idxp, sizeof(idxp), "%s.idx", path);
	if (rc == 0 && io != NULL) {
		ifd = open(idxp, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		at = x->fetched;
		rc = ifd < 0 ? -1 : fetch(x, io->key, ifd, 0, io->size, 0);
		x->fetched_idx += x->fetched - at;
		if (ifd >= 0)
			close(ifd);
	}
	if (rc == 0)
		rc = io != NULL ? fetch_units(x, o, path, fd) : 1;
	if (rc == 1) /* no usable index: every byte */
		rc = fetch(x, o->key, fd, HEAD_BYTES,
				o->size > HEAD_BYTES ? o->size - HEAD_BYTES : 0, HEAD_BYTES);
	close(fd);
	if (rc < 0) {
		lc_query_note(x->q, true, "skipped: s3://%s/%s: cannot fetch it from %s",
				x->conf.bucket, o->key, x->conf.endpoint);
		return 1;
	}
	return lc_query_add_file(x->q, path, err) < 0 ? -1 : 0;
}

static bool
is_capture_key(const char *k)
{
	size_t n = strlen(k);

	return n > 0 && k[n - 1] != '/' && !(n > 4 && strcmp(k + n - 4, ".idx") == 0) &&
	       !(n > 5 && strcmp(k + n - 5, ".part") == 0) && strrchr(k, '/') != NULL &&
	       strrchr(k, '/')[1] != '.';
}

int
lc_query_s3_add(struct query *q, const char *url, struct lc_error *err)
{
	struct s3_src x = {.q = q};
	const struct lc_query_conf *c = q->c;
	size_t i;
	int rc = 0;

	if (lc_s3_url_parse(url, &x.conf, err) < 0)
		return -1;
	if (c->s3_endpoint == NULL || c->s3_endpoint[0] == '\0')
		return lc_error_set(err, LC_ERR_USAGE,
				"-r %s: give the object store with --s3-endpoint URL", url);
	snprintf(x.conf.endpoint, sizeof(x.conf.endpoint), "%s", c->s3_endpoint);
	if (lc_s3_credentials(&x.conf, c->s3_credentials, err) < 0)
		return -1;
	if (stage_dir[0] == '\0') {
		const char *tmp = getenv("TMPDIR");

		snprintf(stage_dir, sizeof(stage_dir), "%s/linecap-query-XXXXXX",
				tmp != NULL && tmp[0] != '\0' ? tmp : "/tmp");
		if (mkdtemp(stage_dir) == NULL) {
			rc = lc_error_set(
					err, LC_ERR_RUNTIME, "%s: %s", stage_dir, strerror(errno));
			stage_dir[0] = '\0';
			return rc;
		}
	}
	x.s = lc_s3_open(&x.conf);
	if (x.s == NULL)
		return lc_error_set(err, LC_ERR_RUNTIME, "s3: %s", strerror(errno));
	rc = list(&x, err);
	for (i = 0; rc == 0 && i < x.nb; i++)
		if (is_capture_key(x.objs[i].key) && stage(&x, &x.objs[i], err) < 0)
			rc = -1;
	if (rc == 0)
		lc_query_note(q, true,
				"%s: fetched %" PRIu64 " of %" PRIu64
				" bytes stored (%.2f %%): indexes %" PRIu64 ", heads %" PRIu64
				", units %" PRIu64,
				url, x.fetched, x.stored,
				x.stored ? 100.0 * (double)x.fetched / (double)x.stored : 0.0,
				x.fetched_idx, x.fetched_head,
				x.fetched - x.fetched_idx - x.fetched_head);
	lc_s3_close(x.s);
	free(x.objs);
	return rc;
}

void
lc_query_s3_cleanup(void)
{
	char idx[4210];
	size_t i;

	for (i = 0; i < nb_staged; i++) {
		snprintf(idx, sizeof(idx), "%s.idx", staged[i]);
		unlink(staged[i]);
		unlink(idx);
		free(staged[i]);
	}
	free(staged);
	staged = NULL;
	nb_staged = 0;
	if (stage_dir[0] != '\0')
		rmdir(stage_dir);
	stage_dir[0] = '\0';
}
