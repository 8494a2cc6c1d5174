/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * S3 configuration: the s3:// URL, the credentials (a file, then the
 * standard AWS_* environment), object keys, and the start-up check (one
 * HEAD of the bucket) that turns a bad endpoint, bad credentials or a
 * missing bucket into one line before anything else starts.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "s3/s3.h"

static int
copy(char *dst, size_t cap, const char *src, size_t n)
{
	if (n >= cap)
		return -1;
	memcpy(dst, src, n);
	dst[n] = '\0';
	return 0;
}

/* S3 bucket names: 3..63 of [a-z0-9.-]. */
static bool
bucket_ok(const char *b)
{
	size_t n = strlen(b), i;

	if (n < 3 || n > 63)
		return false;
	for (i = 0; i < n; i++)
		if (!((b[i] >= 'a' && b[i] <= 'z') || (b[i] >= '0' && b[i] <= '9') || b[i] == '.' ||
				    b[i] == '-'))
			return false;
	return true;
}

int
lc_s3_url_parse(const char *url, struct lc_s3_conf *conf, struct lc_error *err)
{
	const char *b, *slash;
	size_t n;

	if (strncmp(url, "s3://", 5) != 0)
		return lc_error_set(err, LC_ERR_USAGE, "'%s': expected s3://BUCKET[/PREFIX]", url);
	b = url + 5;
	slash = strchr(b, '/');
	n = slash != NULL ? (size_t)(slash - b) : strlen(b);
	if (copy(conf->bucket, sizeof(conf->bucket), b, n) < 0 || !bucket_ok(conf->bucket))
		return lc_error_set(err, LC_ERR_USAGE,
				"'%s': bad bucket name (3 to 63 of a-z, 0-9, '.', '-')", url);
	conf->prefix[0] = '\0';
	if (slash != NULL) {
		const char *p = slash + 1;

		n = strlen(p);
		while (n > 0 && p[n - 1] == '/')
			n--;
		if (copy(conf->prefix, sizeof(conf->prefix), p, n) < 0 ||
				strstr(conf->prefix, "//") != NULL)
			return lc_error_set(err, LC_ERR_USAGE, "'%s': bad prefix", url);
	}
	return 0;
}

/* KEY=VALUE lines; "export " and quotes tolerated. */
static int
read_file(struct lc_s3_conf *conf, const char *file, struct lc_error *err)
{
	char line[512];
	FILE *f = fopen(file, "r");

	if (f == NULL)
		return lc_error_set(err, LC_ERR_USAGE, "--s3-credentials '%s': %s", file,
				strerror(errno));
	while (fgets(line, sizeof(line), f) != NULL) {
		char *k = line, *v, *e;

		line[strcspn(line, "\r\n")] = '\0';
		if (strncmp(k, "export ", 7) == 0)
			k += 7;
		v = strchr(k, '=');
		if (k[0] == '#' || v == NULL)
			continue;
		*v++ = '\0';
		e = v + strlen(v);
		if (e > v + 1 && (v[0] == '"' || v[0] == '\'') && e[-1] == v[0]) {
			e[-1] = '\0';
			v++;
		}
		if (strcmp(k, "AWS_ACCESS_KEY_ID") == 0)
			snprintf(conf->key_id, sizeof(conf->key_id), "%s", v);
		else if (strcmp(k, "AWS_SECRET_ACCESS_KEY") == 0)
			snprintf(conf->secret, sizeof(conf->secret), "%s", v);
		else if (strcmp(k, "AWS_REGION") == 0)
			snprintf(conf->region, sizeof(conf->region), "%s", v);
	}
	fclose(f);
	return 0;
}

static void
from_env(char *dst, size_t cap, const char *name)
{
	const char *v = getenv(name);

	if (dst[0] == '\0' && v != NULL)
		snprintf(dst, cap, "%s", v);
}

int
lc_s3_credentials(struct lc_s3_conf *conf, const char *file, struct lc_error *err)
{
	if (file != NULL && file[0] != '\0' && read_file(conf, file, err) < 0)
		return -1;
	from_env(conf->key_id, sizeof(conf->key_id), "AWS_ACCESS_KEY_ID");
	from_env(conf->secret, sizeof(conf->secret), "AWS_SECRET_ACCESS_KEY");
	from_env(conf->region, sizeof(conf->region), "AWS_REGION");
	from_env(conf->region, sizeof(conf->region), "AWS_DEFAULT_REGION");
	if (conf->region[0] == '\0')
		snprintf(conf->region, sizeof(conf->region), "us-east-1");
	if (conf->key_id[0] == '\0' || conf->secret[0] == '\0')
		return lc_error_set(err, LC_ERR_USAGE,
				"--upload: no credentials: set AWS_ACCESS_KEY_ID and "
				"AWS_SECRET_ACCESS_KEY, or give --s3-credentials FILE");
	if (strchr(conf->key_id, ':') != NULL || strchr(conf->region, ':') != NULL)
		return lc_error_set(err, LC_ERR_USAGE,
				"--upload: bad AWS_ACCESS_KEY_ID or AWS_REGION (':' inside)");
	return 0;
}

int
lc_s3_key(const struct lc_s3_conf *conf, const char *name, char *out, size_t cap)
{
	int n = snprintf(out, cap, "%s%s%s/%s", conf->prefix, conf->prefix[0] ? "/" : "",
			conf->node, name);

	return n < 0 || (size_t)n >= cap ? -1 : 0;
}

int
lc_s3_check(const struct lc_s3_conf *conf, struct lc_error *err)
{
	struct lc_s3_req q = {.method = "HEAD", .timeout_s = 5};
	struct lc_s3_resp r;
	struct lc_s3 *s = lc_s3_open(conf);
	int rc;

	if (s == NULL)
		return lc_error_set(err, LC_ERR_USAGE, "--upload: cannot start libcurl: %s",
				strerror(errno));
	rc = lc_s3_request(s, &q, &r);
	lc_s3_close(s);
	if (rc < 0)
		lc_error_set(err, LC_ERR_USAGE, "--s3-endpoint %s: unreachable: %s", conf->endpoint,
				r.err);
	else if (r.status == 403 || r.status == 401)
		rc = lc_error_set(err, LC_ERR_USAGE,
				"--upload s3://%s: access denied (HTTP %ld): check the credentials",
				conf->bucket, r.status);
	else if (r.status == 404)
		rc = lc_error_set(err, LC_ERR_USAGE, "--upload s3://%s: no such bucket at %s",
				conf->bucket, conf->endpoint);
	else if (r.status < 200 || r.status > 299)
		rc = lc_error_set(err, LC_ERR_USAGE, "--upload s3://%s: %s answered HTTP %ld",
				conf->bucket, conf->endpoint, r.status);
	lc_s3_resp_free(&r);
	return rc;
}
