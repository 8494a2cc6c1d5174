/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * One S3 request over libcurl. Signing is libcurl's (CURLOPT_AWS_SIGV4,
 * "aws:amz:REGION:s3"); we only give it what SigV4 needs from the caller:
 * the payload hash in x-amz-content-sha256 (libcurl 7.86+ signs that
 * header's value as the payload hash), and a query string already in
 * canonical form (sorted, encoded, "name=" for empty values: curl 7.88
 * signs the query as written). Digests come from OpenSSL's libcrypto.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <curl/curl.h>
#include <openssl/evp.h>

#include "s3/s3.h"

struct lc_s3 {
	CURL *c;
	const struct lc_s3_conf *conf;
	char sigv4[128];
	char userpwd[400];
	const volatile int *cancel; /* lc_s3_set_cancel(), NULL none */
};

/* How long a transfer may move less than STALL_BPS before it fails: a store that
 * accepts the connection and then stops reading (a full cluster) must not hold the
 * uploader for the whole request timeout. */
#define STALL_BPS 1024L
#define STALL_S 30L

/* The request body as curl reads it. */
struct body_src {
	const char *p;
	size_t left;
};

void
lc_s3_md5(const void *p, size_t n, uint8_t out[16])
{
	unsigned int len = 16;

	EVP_Digest(p, n, out, &len, EVP_md5(), NULL);
}

void
lc_s3_hex(const uint8_t *p, size_t n, char *out)
{
	static const char hx[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < n; i++) {
		out[2 * i] = hx[p[i] >> 4];
		out[2 * i + 1] = hx[p[i] & 15];
	}
	out[2 * n] = '\0';
}

void
lc_s3_sha256_hex(const void *p, size_t n, char out[65])
{
	uint8_t d[32];
	unsigned int len = 32;

	EVP_Digest(p, n, d, &len, EVP_sha256(), NULL);
	lc_s3_hex(d, 32, out);
}

void
lc_s3_base64(const uint8_t *p, size_t n, char *out, size_t cap)
{
	if (cap < 4 * ((n + 2) / 3) + 1) {
		out[0] = '\0';
		return;
	}
	EVP_EncodeBlock((unsigned char *)out, p, (int)n);
}

int
lc_s3_encode(const char *s, bool keep_slash, char *out, size_t cap)
{
	static const char hx[] = "0123456789ABCDEF";
	size_t o = 0;

	for (; *s != '\0'; s++) {
		unsigned char ch = (unsigned char)*s;
		bool plain = (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') ||
			     (ch >= '0' && ch <= '9') || ch == '-' || ch == '.' || ch == '_' ||
			     ch == '~' || (keep_slash && ch == '/');

		if (o + 4 >= cap)
			return -1;
		if (plain) {
			out[o++] = (char)ch;
		} else {
			out[o++] = '%';
			out[o++] = hx[ch >> 4];
			out[o++] = hx[ch & 15];
		}
	}
	out[o] = '\0';
	return 0;
}

int
lc_s3_xml_get(const char *xml, const char *tag, char *out, size_t cap)
{
	char open[64], close[64];
	const char *a, *b;

	if (xml == NULL)
		return -1;
	snprintf(open, sizeof(open), "<%s>", tag);
	snprintf(close, sizeof(close), "</%s>", tag);
	a = strstr(xml, open);
	if (a == NULL)
		return -1;
	a += strlen(open);
	b = strstr(a, close);
	if (b == NULL || (size_t)(b - a) >= cap)
		return -1;
	memcpy(out, a, (size_t)(b - a));
	out[b - a] = '\0';
	return 0;
}

void
lc_s3_resp_free(struct lc_s3_resp *r)
{
	free(r->body);
	r->body = NULL;
	r->body_len = 0;
}

struct lc_s3 *
lc_s3_open(const struct lc_s3_conf *conf)
{
	static bool global_done;
	struct lc_s3 *s;

	/* Called first from the main thread (the start-up check), before any other. */
	if (!global_done) {
		if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
			errno = ENOMEM;
			return NULL;
		}
		global_done = true;
	}
	s = calloc(1, sizeof(*s));
	if (s == NULL)
		return NULL;
	s->c = curl_easy_init();
	if (s->c == NULL) {
		free(s);
		errno = ENOMEM;
		return NULL;
	}
	s->conf = conf;
	snprintf(s->sigv4, sizeof(s->sigv4), "aws:amz:%s:s3", conf->region);
	snprintf(s->userpwd, sizeof(s->userpwd), "%s:%s", conf->key_id, conf->secret);
	return s;
}

void
lc_s3_close(struct lc_s3 *s)
{
	if (s == NULL)
		return;
	curl_easy_cleanup(s->c);
	free(s);
}

static size_t
on_read(char *buf, size_t size, size_t n, void *arg)
{
	struct body_src *b = arg;
	size_t k = size * n < b->left ? size * n : b->left;

	memcpy(buf, b->p, k);
	b->p += k;
	b->left -= k;
	return k;
}

static size_t
on_body(char *p, size_t size, size_t n, void *arg)
{
	struct lc_s3_resp *r = arg;
	size_t k = size * n, done = 0;
	char *nb;

	while (r->to_fd && done < k) {
		ssize_t w = pwrite(r->fd, p + done, k - done, (off_t)(r->fd_off + done));

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return 0; /* curl fails the transfer */
		done += (size_t)w;
	}
	if (r->to_fd) {
		r->fd_off += k;
		r->fd_bytes += k;
		return k;
	}
	nb = realloc(r->body, r->body_len + k + 1);
	if (nb == NULL)
		return 0;
	memcpy(nb + r->body_len, p, k);
	r->body = nb;
	r->body_len += k;
	nb[r->body_len] = '\0';
	return k;
}

/* ETag and Content-Length of the answer. */
static size_t
on_header(char *p, size_t size, size_t n, void *arg)
{
	struct lc_s3_resp *r = arg;
	size_t k = size * n, i = 0, o = 0;
	char line[256];

	if (k >= sizeof(line))
		return k;
	memcpy(line, p, k);
	line[k] = '\0';
	line[strcspn(line, "\r\n")] = '\0';
	if (strncasecmp(line, "HTTP/", 5) == 0) {
		r->etag[0] = '\0'; /* a new answer (after a 100 Continue) */
	} else if (strncasecmp(line, "etag:", 5) == 0) {
		for (i = 5; line[i] != '\0'; i++)
			if (line[i] != '"' && line[i] != ' ' && o + 1 < sizeof(r->etag))
				r->etag[o++] = line[i];
		r->etag[o] = '\0';
	} else if (strncasecmp(line, "content-length:", 15) == 0) {
		r->length = strtoull(line + 15, NULL, 10);
	}
	return k;
}

/* The URL and the headers of `q`. -1 if too long. */
static int
build(struct lc_s3 *s, const struct lc_s3_req *q, char *url, size_t cap, struct curl_slist **hl)
{
	char key[2048], h[256], sha[65];
	int n;

	key[0] = '\0';
	if (q->key != NULL && lc_s3_encode(q->key, true, key, sizeof(key)) < 0)
		return -1;
	n = snprintf(url, cap, "%s/%s%s%s%s%s", s->conf->endpoint, s->conf->bucket,
			q->key != NULL ? "/" : "", key, q->query != NULL ? "?" : "",
			q->query != NULL ? q->query : "");
	if (n < 0 || (size_t)n >= cap)
		return -1;
	lc_s3_sha256_hex(q->body != NULL ? q->body : "", q->body != NULL ? q->len : 0, sha);
	snprintf(h, sizeof(h), "x-amz-content-sha256: %s", sha);
	*hl = curl_slist_append(*hl, h);
	if (q->content_md5 != NULL) {
		snprintf(h, sizeof(h), "Content-MD5: %s", q->content_md5);
		*hl = curl_slist_append(*hl, h);
	}
	if (q->content_type != NULL) {
		snprintf(h, sizeof(h), "Content-Type: %s", q->content_type);
		*hl = curl_slist_append(*hl, h);
	}
	if (q->range != NULL) {
		snprintf(h, sizeof(h), "Range: bytes=%s", q->range);
		*hl = curl_slist_append(*hl, h);
	}
	return *hl != NULL ? 0 : -1;
}

/* Method and body. */
static void
set_method(CURL *c, const struct lc_s3_req *q, struct body_src *src)
{
	if (strcmp(q->method, "HEAD") == 0) {
		curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
	} else if (strcmp(q->method, "PUT") == 0) {
		curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
		curl_easy_setopt(c, CURLOPT_READFUNCTION, on_read);
		curl_easy_setopt(c, CURLOPT_READDATA, src);
		curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE, (curl_off_t)src->left);
	} else if (strcmp(q->method, "POST") == 0) {
		curl_easy_setopt(c, CURLOPT_POST, 1L);
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, src->p);
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)src->left);
	} else if (strcmp(q->method, "GET") != 0) {
		curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, q->method);
	}
}

void
lc_s3_set_cancel(struct lc_s3 *s, const volatile int *flag)
{
	s->cancel = flag;
}

/* curl's progress callback (about once a second, and on every transfer step). */
static int
on_progress(void *arg, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal, curl_off_t ulnow)
{
	const volatile int *cancel = arg;

	(void)dltotal, (void)dlnow, (void)ultotal, (void)ulnow;
	return *cancel != 0;
}

int
lc_s3_request(struct lc_s3 *s, const struct lc_s3_req *q, struct lc_s3_resp *r)
{
	struct body_src src = {.p = q->body != NULL ? q->body : "", .left = q->len};
	struct curl_slist *hl = NULL;
	char url[4096];
	CURLcode cc;
	CURL *c = s->c;

	memset(r, 0, sizeof(*r));
	if (s->cancel != NULL && *s->cancel != 0) {
		snprintf(r->err, sizeof(r->err), "cancelled");
		return -1;
	}
	r->to_fd = q->to_fd;
	r->fd = q->fd;
	r->fd_off = q->fd_off;
	if (build(s, q, url, sizeof(url), &hl) < 0) {
		curl_slist_free_all(hl);
		snprintf(r->err, sizeof(r->err), "request too long");
		return -1;
	}
	curl_easy_reset(c);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_AWS_SIGV4, s->sigv4);
	curl_easy_setopt(c, CURLOPT_USERPWD, s->userpwd);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hl);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 5L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, q->timeout_s > 0 ? q->timeout_s : 300L);
	curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, STALL_BPS);
	curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, STALL_S);
	if (s->cancel != NULL) {
		curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, on_progress);
		curl_easy_setopt(c, CURLOPT_XFERINFODATA, (void *)(uintptr_t)s->cancel);
		curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
	}
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, r);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, r);
	set_method(c, q, &src);
	cc = curl_easy_perform(c);
	curl_slist_free_all(hl);
	if (cc != CURLE_OK) {
		snprintf(r->err, sizeof(r->err), "%s", curl_easy_strerror(cc));
		lc_s3_resp_free(r);
		return -1;
	}
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r->status);
	return 0;
}
