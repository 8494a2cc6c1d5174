/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef LINECAP_S3_S3_H
#define LINECAP_S3_S3_H

/*
 * A small S3 client over libcurl: path-style requests
 * (ENDPOINT/BUCKET/KEY) signed by libcurl's own AWS SigV4
 * (CURLOPT_AWS_SIGV4); no signer of ours, no SDK. Every request carries
 * x-amz-content-sha256 with the real SHA-256 of its body, which libcurl
 * (7.86 and later) signs as the payload hash. Control plane only: one
 * client per thread, requests block.
 */

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linecap/error.h>

/* Where and as whom: the parsed --upload / --s3-endpoint and credentials. */
struct lc_s3_conf {
	char endpoint[256]; /* scheme://host[:port], no trailing '/' */
	char bucket[64];
	char prefix[512]; /* no leading or trailing '/'; "" = the bucket's root */
	char node[128];	  /* --node, default the host name */
	char region[64];  /* AWS_REGION, default us-east-1 */
	char key_id[128];
	char secret[256];
	uint64_t part_size; /* multipart part size; files larger than this are multipart */
};

/*
 * Parse "s3://BUCKET[/PREFIX]" into conf->bucket and conf->prefix.
 * 0, or -1 with err set (LC_ERR_USAGE).
 */
int lc_s3_url_parse(const char *url, struct lc_s3_conf *conf, struct lc_error *err);

/*
 * Credentials: `file` (lines KEY=VALUE with AWS_ACCESS_KEY_ID,
 * AWS_SECRET_ACCESS_KEY, AWS_REGION; "" = none) first, then the
 * environment. 0, or -1 with err set (LC_ERR_USAGE) when a key is missing.
 */
int lc_s3_credentials(struct lc_s3_conf *conf, const char *file, struct lc_error *err);

/*
 * Check the endpoint, the credentials and the bucket with one HEAD of the
 * bucket (5 s timeout). 0, or -1 with err set (LC_ERR_USAGE) saying which.
 */
int lc_s3_check(const struct lc_s3_conf *conf, struct lc_error *err);

/* The answer to one request. */
struct lc_s3_resp {
	long status;	 /* HTTP status, 0 if none arrived */
	char etag[80];	 /* ETag header, quotes removed */
	uint64_t length; /* Content-Length header */
	char *body;	 /* response body, NUL-terminated (malloc'd; lc_s3_resp_free) */
	size_t body_len;
	char err[160]; /* transport error, "" if none */
	/* the body into a file instead (lc_s3_req.to_fd): where the next byte goes */
	bool to_fd;
	int fd;
	uint64_t fd_off;
	uint64_t fd_bytes; /* bytes written there */
};

void lc_s3_resp_free(struct lc_s3_resp *r);

struct lc_s3;

/* A client (one curl handle, kept alive between requests). NULL with errno set. */
struct lc_s3 *lc_s3_open(const struct lc_s3_conf *conf);
void lc_s3_close(struct lc_s3 *s);
/* Every request of `s` from now on fails at once ("cancelled") while *flag != 0; a
 * request in flight stops within about a second. The flag may be set by a signal
 * handler. */
void lc_s3_set_cancel(struct lc_s3 *s, const volatile int *flag);

/* One request's input. */
struct lc_s3_req {
	const char *method; /* GET, HEAD, PUT, POST, DELETE */
	const char *key;    /* object key (encoded here), NULL: the bucket itself */
	const char *query;  /* canonical query string (sorted, encoded), NULL none */
	const void *body;   /* PUT/POST body, NULL none */
	size_t len;
	const char *range;	  /* "a-b" for a Range GET, NULL none */
	const char *content_md5;  /* base64 MD5 of the body, NULL none */
	const char *content_type; /* NULL none */
	long timeout_s;		  /* whole request, 0 = 300 */
	bool to_fd;		  /* write the body at `fd_off` of `fd` (pwrite), not in memory */
	int fd;
	uint64_t fd_off;
};

/*
 * Send it. 0 when an HTTP answer arrived (any status: see r->status), or -1
 * with r->err set (connection refused, timeout, ...). `r` is reset first.
 */
int lc_s3_request(struct lc_s3 *s, const struct lc_s3_req *q, struct lc_s3_resp *r);

/* Digests (OpenSSL libcrypto). */
void lc_s3_md5(const void *p, size_t n, uint8_t out[16]);
void lc_s3_sha256_hex(const void *p, size_t n, char out[65]);
void lc_s3_hex(const uint8_t *p, size_t n, char *out);
void lc_s3_base64(const uint8_t *p, size_t n, char *out, size_t cap);

/* The text between <tag> and </tag> in `xml`, into out. 0, or -1 if absent. */
int lc_s3_xml_get(const char *xml, const char *tag, char *out, size_t cap);

/* Append "%XX"-encoded `s` (keeping A-Za-z0-9-._~ and, if keep_slash, '/'). */
int lc_s3_encode(const char *s, bool keep_slash, char *out, size_t cap);

/* The key of local file `name` under conf: PREFIX/NODE/name. */
int lc_s3_key(const struct lc_s3_conf *conf, const char *name, char *out, size_t cap);

/*
 * Upload the local file `path` as `key` (one PUT up to conf->part_size,
 * multipart above) and verify it: every part's ETag against its MD5, then
 * a HEAD: size, and ETag against the one the content must have. 0, or -1
 * with `why` set. Never leaves a multipart upload open (aborted on error).
 */
int lc_s3_put_file(struct lc_s3 *s, const struct lc_s3_conf *conf, const char *path,
		const char *key, char *why, size_t why_len);

/*
 * Is `key` already the object the local file `path` would make (same size
 * and ETag)? 1 yes, 0 no (or absent), -1 the store could not be asked.
 */
int lc_s3_same(struct lc_s3 *s, const struct lc_s3_conf *conf, const char *path, const char *key);

/*
 * Abort every multipart upload still open under PREFIX/NODE/ (ListMultipartUploads,
 * then AbortMultipartUpload each): what a run killed mid-upload left on the store,
 * where it holds space until aborted. Call it before this process starts uploads of
 * its own (NODE is one capture's: no other process uploads there). The number
 * aborted, or -1 when the store could not be asked.
 */
int lc_s3_abort_stale(struct lc_s3 *s, const struct lc_s3_conf *conf);

#endif
