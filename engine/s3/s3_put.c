/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Upload one local file as one object, and prove it arrived: a PUT with
 * Content-MD5 up to the part size, a multipart upload above it; each
 * answer's ETag is compared with the MD5 we computed, then a HEAD checks
 * the object's size and its ETag against the one the content must have
 * (MD5, or for multipart MD5(part MD5s)-N). The same computation answers
 * "is this object already that file?" after a restart. And after a restart,
 * the multipart uploads a killed run left open under PREFIX/NODE/ are
 * aborted (lc_s3_abort_stale), so their parts stop holding space.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "s3/s3.h"
#include "util/fd_io.h"

#define MAX_PARTS 10000

/* One upload in progress. */
struct put {
	struct lc_s3 *s;
	const char *key;
	int fd;
	uint64_t size, part;
	unsigned int nb_parts;
	uint8_t *buf;
	uint8_t (*md5)[16]; /* each part's MD5 */
	char upload_id[256];
	char *why;
	size_t why_len;
};

static int
fail(struct put *p, const char *what, const struct lc_s3_resp *r)
{
	if (r != NULL && r->err[0] != '\0')
		snprintf(p->why, p->why_len, "%s: %s", what, r->err);
	else if (r != NULL)
		snprintf(p->why, p->why_len, "%s: HTTP %ld", what, r->status);
	else
		snprintf(p->why, p->why_len, "%s: %s", what, strerror(errno));
	return -1;
}

/* The ETag the object of these part MD5s has. */
static void
expected_etag(uint8_t (*md5)[16], unsigned int nb, bool multipart, char *out, size_t cap)
{
	uint8_t all[16];
	char hex[33];

	if (!multipart) {
		lc_s3_hex(md5[0], 16, hex);
		snprintf(out, cap, "%s", hex);
		return;
	}
	lc_s3_md5(md5, (size_t)nb * 16, all);
	lc_s3_hex(all, 16, hex);
	snprintf(out, cap, "%s-%u", hex, nb);
}

/* PUT one part (or the whole object when upload_id is ""). */
static int
put_part(struct put *p, unsigned int i)
{
	uint64_t off = (uint64_t)i * p->part;
	size_t n = (size_t)(p->size - off < p->part ? p->size - off : p->part);
	char query[400], md5b64[32], hex[33];
	struct lc_s3_req q = {.method = "PUT", .key = p->key, .body = p->buf, .len = n};
	struct lc_s3_resp r;
	int rc;

	if (lc_pread_all(p->fd, p->buf, n, off) < 0)
		return fail(p, "read", NULL);
	/*
	 * The part is in p->buf now (a retry reads it again): its pages leave the
	 * page cache, which the capture, writing with O_DIRECT, keeps clean. A
	 * day of uploads would otherwise push everything else out of memory.
	 */
	posix_fadvise(p->fd, (off_t)off, (off_t)n, POSIX_FADV_DONTNEED);
	lc_s3_md5(p->buf, n, p->md5[i]);
	lc_s3_base64(p->md5[i], 16, md5b64, sizeof(md5b64));
	lc_s3_hex(p->md5[i], 16, hex);
	q.content_md5 = md5b64;
	if (p->upload_id[0] != '\0') {
		snprintf(query, sizeof(query), "partNumber=%u&uploadId=%s", i + 1, p->upload_id);
		q.query = query;
	}
	rc = lc_s3_request(p->s, &q, &r);
	if (rc < 0 || r.status != 200) {
		fail(p, "PUT", &r);
		rc = -1;
	} else if (strcmp(r.etag, hex) != 0) {
		snprintf(p->why, p->why_len, "PUT: ETag %s, expected MD5 %s", r.etag, hex);
		rc = -1;
	}
	lc_s3_resp_free(&r);
	return rc;
}

static int
start_multipart(struct put *p)
{
	struct lc_s3_req q = {.method = "POST", .key = p->key, .query = "uploads="};
	struct lc_s3_resp r;
	char id[256];
	int rc = lc_s3_request(p->s, &q, &r);

	if (rc < 0 || r.status != 200 || lc_s3_xml_get(r.body, "UploadId", id, sizeof(id)) < 0 ||
			lc_s3_encode(id, false, p->upload_id, sizeof(p->upload_id)) < 0)
		rc = fail(p, "multipart start", &r);
	lc_s3_resp_free(&r);
	return rc;
}

static int
complete_multipart(struct put *p)
{
	size_t cap = 128 + (size_t)p->nb_parts * 96, o;
	char *xml = malloc(cap), query[300], hex[33];
	struct lc_s3_req q = {.method = "POST", .key = p->key, .content_type = "application/xml"};
	struct lc_s3_resp r;
	unsigned int i;
	int rc;

	if (xml == NULL)
		return fail(p, "multipart complete", NULL);
	o = (size_t)snprintf(xml, cap, "<CompleteMultipartUpload>");
	for (i = 0; i < p->nb_parts; i++) {
		lc_s3_hex(p->md5[i], 16, hex);
		o += (size_t)snprintf(xml + o, cap - o,
				"<Part><PartNumber>%u</PartNumber><ETag>\"%s\"</ETag></Part>",
				i + 1, hex);
	}
	o += (size_t)snprintf(xml + o, cap - o, "</CompleteMultipartUpload>");
	snprintf(query, sizeof(query), "uploadId=%s", p->upload_id);
	q.query = query;
	q.body = xml;
	q.len = o;
	rc = lc_s3_request(p->s, &q, &r);
	/* A 200 may still carry an <Error> (S3 sends it once the upload is assembled). */
	if (rc < 0 || r.status != 200 || (r.body != NULL && strstr(r.body, "<Error>") != NULL))
		rc = fail(p, "multipart complete", &r);
	lc_s3_resp_free(&r);
	free(xml);
	return rc;
}

static void
abort_multipart(struct put *p)
{
	char query[300];
	struct lc_s3_req q = {.method = "DELETE", .key = p->key, .query = query, .timeout_s = 10};
	struct lc_s3_resp r;

	snprintf(query, sizeof(query), "uploadId=%s", p->upload_id);
	if (lc_s3_request(p->s, &q, &r) == 0)
		lc_s3_resp_free(&r);
}

/* HEAD: the object is `size` bytes with ETag `etag`. 1 yes, 0 no/absent, -1 not asked. */
static int
head_is(struct lc_s3 *s, const char *key, uint64_t size, const char *etag)
{
	struct lc_s3_req q = {.method = "HEAD", .key = key, .timeout_s = 30};
	struct lc_s3_resp r;
	int rc;

	if (lc_s3_request(s, &q, &r) < 0)
		return -1;
	if (r.status == 200)
		rc = r.length == size && strcmp(r.etag, etag) == 0;
	else
		rc = r.status == 404 ? 0 : -1;
	lc_s3_resp_free(&r);
	return rc;
}

static int
put_open(struct put *p, const struct lc_s3_conf *conf, const char *path)
{
	struct stat st;
	size_t buf;

	p->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (p->fd < 0 || fstat(p->fd, &st) != 0)
		return fail(p, path, NULL);
	p->size = (uint64_t)st.st_size;
	p->part = conf->part_size != 0 ? conf->part_size : 16u << 20;
	while (p->size > p->part * MAX_PARTS)
		p->part *= 2;
	p->nb_parts = p->size == 0 ? 1 : (unsigned int)((p->size + p->part - 1) / p->part);
	p->md5 = calloc(p->nb_parts, sizeof(*p->md5));
	buf = p->size < p->part ? p->size : p->part;
	p->buf = malloc(buf > 0 ? buf : 1);
	if (p->md5 == NULL || p->buf == NULL)
		return fail(p, "memory", NULL);
	return 0;
}

static void
put_close(struct put *p)
{
	if (p->fd >= 0)
		close(p->fd);
	free(p->md5);
	free(p->buf);
}

int
lc_s3_put_file(struct lc_s3 *s, const struct lc_s3_conf *conf, const char *path, const char *key,
		char *why, size_t why_len)
{
	struct put p = {.s = s, .key = key, .fd = -1, .why = why, .why_len = why_len};
	char etag[48];
	unsigned int i;
	int rc = put_open(&p, conf, path);
	bool multi = p.nb_parts > 1;

	if (rc == 0 && multi)
		rc = start_multipart(&p);
	for (i = 0; rc == 0 && i < p.nb_parts; i++)
		rc = put_part(&p, i);
	if (rc == 0 && multi)
		rc = complete_multipart(&p);
	if (rc < 0 && multi && p.upload_id[0] != '\0')
		abort_multipart(&p);
	if (rc == 0) {
		expected_etag(p.md5, p.nb_parts, multi, etag, sizeof(etag));
		rc = head_is(s, key, p.size, etag);
		if (rc != 1) {
			snprintf(why, why_len, "verify: HEAD does not show %llu bytes, ETag %s",
					(unsigned long long)p.size, etag);
			rc = -1;
		} else {
			rc = 0;
		}
	}
	put_close(&p);
	return rc;
}

int
lc_s3_same(struct lc_s3 *s, const struct lc_s3_conf *conf, const char *path, const char *key)
{
	char why[128], etag[48];
	struct put p = {.s = s, .key = key, .fd = -1, .why = why, .why_len = sizeof(why)};
	unsigned int i;
	int rc = put_open(&p, conf, path);

	for (i = 0; rc == 0 && i < p.nb_parts; i++) {
		uint64_t off = (uint64_t)i * p.part;
		size_t n = (size_t)(p.size - off < p.part ? p.size - off : p.part);

		rc = lc_pread_all(p.fd, p.buf, n, off);
		if (rc == 0)
			lc_s3_md5(p.buf, n, p.md5[i]);
	}
	if (rc == 0) {
		expected_etag(p.md5, p.nb_parts, p.nb_parts > 1, etag, sizeof(etag));
		rc = head_is(s, key, p.size, etag);
	} else {
		rc = 0; /* unreadable here: upload it (and fail there, counted) */
	}
	put_close(&p);
	return rc;
}

/* DELETE ?uploadId=: abort one multipart upload of `key` (id as listed). 0, or -1. */
static int
abort_listed(struct lc_s3 *s, const char *key, const char *id)
{
	char eid[1600], query[1620];
	struct lc_s3_req q = {.method = "DELETE", .key = key, .query = query, .timeout_s = 30};
	struct lc_s3_resp r;
	int rc;

	if (lc_s3_encode(id, false, eid, sizeof(eid)) < 0)
		return -1;
	snprintf(query, sizeof(query), "uploadId=%s", eid);
	rc = lc_s3_request(s, &q, &r);
	if (rc == 0 && r.status != 204 && r.status != 200 && r.status != 404)
		rc = -1;
	lc_s3_resp_free(&r);
	return rc;
}

/* One page of ListMultipartUploads under `enc_prefix`, aborting each; markers advanced. */
static int
abort_page(struct lc_s3 *s, const char *enc_prefix, char *key_marker, char *id_marker, size_t mcap,
		int *aborted)
{
	char ekm[1600], eim[1600], query[6600], key[1024], id[512];
	struct lc_s3_req q = {.method = "GET", .query = query, .timeout_s = 60};
	struct lc_s3_resp r;
	const char *p;
	bool more;

	if (lc_s3_encode(key_marker, false, ekm, sizeof(ekm)) < 0 ||
			lc_s3_encode(id_marker, false, eim, sizeof(eim)) < 0)
		return -1;
	/* SigV4 signs the query as written: names sorted */
	snprintf(query, sizeof(query), "%s%s%sprefix=%s%s%s%suploads=", ekm[0] ? "key-marker=" : "",
			ekm, ekm[0] ? "&" : "", enc_prefix, eim[0] ? "&upload-id-marker=" : "", eim,
			"&");
	if (lc_s3_request(s, &q, &r) < 0 || r.status != 200 || r.body == NULL) {
		lc_s3_resp_free(&r);
		return -1;
	}
	for (p = r.body; (p = strstr(p, "<Upload>")) != NULL; p++) {
		/* a key with an XML entity is not ours (lc_s3_key never makes one) */
		if (lc_s3_xml_get(p, "Key", key, sizeof(key)) == 0 && strchr(key, '&') == NULL &&
				lc_s3_xml_get(p, "UploadId", id, sizeof(id)) == 0 &&
				abort_listed(s, key, id) == 0)
			(*aborted)++;
	}
	more = strstr(r.body, "<IsTruncated>true</IsTruncated>") != NULL;
	key_marker[0] = id_marker[0] = '\0';
	if (more && (lc_s3_xml_get(r.body, "NextKeyMarker", key_marker, mcap) < 0 ||
				    lc_s3_xml_get(r.body, "NextUploadIdMarker", id_marker, mcap) <
						    0))
		more = false;
	lc_s3_resp_free(&r);
	return more ? 1 : 0;
}

int
lc_s3_abort_stale(struct lc_s3 *s, const struct lc_s3_conf *conf)
{
	char prefix[1100], enc[3300], key_marker[512] = "", id_marker[512] = "";
	int aborted = 0, rc;

	if (lc_s3_key(conf, "", prefix, sizeof(prefix)) < 0 ||
			lc_s3_encode(prefix, false, enc, sizeof(enc)) < 0)
		return -1;
	do
		rc = abort_page(s, enc, key_marker, id_marker, sizeof(key_marker), &aborted);
	while (rc == 1);
	return rc < 0 ? -1 : aborted;
}
