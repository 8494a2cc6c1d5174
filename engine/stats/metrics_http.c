/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The --metrics endpoint: bind early, serve /metrics and /healthz with
 * libmicrohttpd from its one internal polling thread (so every request, and
 * the health state, is handled by that single thread), bounded connections.
 * Counters come only from the published stats view.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <microhttpd.h>

#include <linecap/metrics.h>

#include "stats/metrics_priv.h"

#define METRICS_MAX_CONN 16	     /* concurrent connections */
#define METRICS_CONN_TIMEOUT_S 5     /* idle or slow clients are closed after this */
#define METRICS_CONN_MEM (32 * 1024) /* per connection: request line and headers */

struct lc_metrics {
	int fd;			 /* the listening socket */
	struct MHD_Daemon *mhd;	 /* NULL until started */
	char outdir[PATH_MAX];	 /* output directory, "" = none */
	struct lc_health health; /* the MHD thread only */
};

/* ADDR:PORT or [ADDR6]:PORT into `ss`. 0, or -1. */
static int
parse_addr(const char *spec, struct sockaddr_storage *ss, socklen_t *len)
{
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;
	struct sockaddr_in *s4 = (struct sockaddr_in *)ss;
	const char *colon = strrchr(spec, ':');
	char host[64], *end;
	size_t hlen;
	unsigned long port;

	if (colon == NULL || colon == spec)
		return -1;
	errno = 0;
	port = strtoul(colon + 1, &end, 10);
	if (colon[1] == '\0' || *end != '\0' || errno != 0 || port == 0 || port > 65535)
		return -1;
	hlen = (size_t)(colon - spec);
	if (spec[0] == '[') {
		if (hlen < 3 || spec[hlen - 1] != ']')
			return -1;
		spec++;
		hlen -= 2;
	}
	if (hlen >= sizeof(host))
		return -1;
	memcpy(host, spec, hlen);
	host[hlen] = '\0';
	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, host, &s4->sin_addr) == 1) {
		s4->sin_family = AF_INET;
		s4->sin_port = htons((uint16_t)port);
		*len = sizeof(*s4);
		return 0;
	}
	if (inet_pton(AF_INET6, host, &s6->sin6_addr) == 1) {
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((uint16_t)port);
		*len = sizeof(*s6);
		return 0;
	}
	return -1;
}

static void
output_dir(const char *output, char *dir, size_t len)
{
	const char *slash = strrchr(output, '/');

	if (strcmp(output, "-") == 0 || output[0] == '\0')
		dir[0] = '\0';
	else if (slash == NULL)
		snprintf(dir, len, ".");
	else if (slash == output)
		snprintf(dir, len, "/");
	else
		snprintf(dir, len, "%.*s", (int)(slash - output), output);
}

struct lc_metrics *
lc_metrics_bind(const char *addr_port, const char *output, struct lc_error *err)
{
	struct sockaddr_storage ss;
	struct lc_metrics *m;
	socklen_t len;
	int one = 1, e;

	if (parse_addr(addr_port, &ss, &len) < 0) {
		lc_error_set(err, LC_ERR_USAGE,
				"--metrics '%s': expected ADDR:PORT (IPv4, or [IPv6]:PORT), port "
				"1-65535",
				addr_port);
		errno = EINVAL;
		return NULL;
	}
	m = calloc(1, sizeof(*m));
	if (m == NULL) {
		lc_error_set(err, LC_ERR_RUNTIME, "--metrics: out of memory");
		return NULL;
	}
	output_dir(output, m->outdir, sizeof(m->outdir));
	m->fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (m->fd < 0 || setsockopt(m->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) != 0 ||
			bind(m->fd, (struct sockaddr *)&ss, len) != 0 || listen(m->fd, 64) != 0) {
		e = errno;
		lc_error_set(err, LC_ERR_USAGE, "--metrics '%s': %s", addr_port, strerror(e));
		if (m->fd >= 0)
			close(m->fd);
		free(m);
		errno = e;
		return NULL;
	}
	return m;
}

static double
mono_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static enum MHD_Result
reply(struct MHD_Connection *conn, unsigned int status, char *body, size_t len, const char *type)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
	enum MHD_Result ret;

	if (r == NULL) {
		free(body);
		return MHD_NO;
	}
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	ret = MHD_queue_response(conn, status, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result
reply_text(struct MHD_Connection *conn, unsigned int status, const char *text)
{
	char *body = NULL;
	int n = asprintf(&body, "%s\n", text);

	if (n < 0)
		return MHD_NO;
	return reply(conn, status, body, (size_t)n, "text/plain; charset=utf-8");
}

static enum MHD_Result
serve_metrics(struct lc_metrics *m, struct MHD_Connection *conn)
{
	const struct lc_stats_view *v;
	char *body = NULL;
	size_t len = 0;
	FILE *f;

	f = open_memstream(&body, &len);
	if (f == NULL)
		return MHD_NO;
	v = lc_stats_enter();
	if (v != NULL) {
		lc_metrics_render(f, v, m->outdir);
		lc_stats_leave();
	}
	if (fclose(f) != 0) {
		free(body);
		return MHD_NO;
	}
	if (v == NULL) {
		free(body);
		return reply_text(conn, MHD_HTTP_SERVICE_UNAVAILABLE, "no capture");
	}
	return reply(conn, MHD_HTTP_OK, body, len, "text/plain; version=0.0.4; charset=utf-8");
}

static enum MHD_Result
serve_health(struct lc_metrics *m, struct MHD_Connection *conn)
{
	const struct lc_stats_view *v = lc_stats_enter();
	char why[160] = "ok";
	struct lc_health_in in;
	bool ok = false;

	if (v == NULL)
		return reply_text(conn, MHD_HTTP_SERVICE_UNAVAILABLE, "no capture");
	if (lc_counter_read(&v->start_ns) == 0)
		snprintf(why, sizeof(why), "capture not started");
	else if (lc_counter_read(&v->end_ns) != 0)
		snprintf(why, sizeof(why), "capture ended");
	else {
		lc_health_read(v, &in);
		ok = lc_health_check(&m->health, &in, mono_s(), why, sizeof(why));
	}
	lc_stats_leave();
	return reply_text(conn, ok ? MHD_HTTP_OK : MHD_HTTP_SERVICE_UNAVAILABLE, why);
}

static enum MHD_Result
on_request(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
		const char *version, const char *upload, size_t *upload_len, void **state)
{
	(void)version;
	(void)upload;
	(void)state;
	if (strcmp(method, MHD_HTTP_METHOD_GET) != 0 && strcmp(method, MHD_HTTP_METHOD_HEAD) != 0)
		return reply_text(conn, MHD_HTTP_METHOD_NOT_ALLOWED, "only GET");
	if (*upload_len != 0)
		return MHD_NO;
	if (strcmp(url, "/metrics") == 0)
		return serve_metrics(cls, conn);
	if (strcmp(url, "/healthz") == 0)
		return serve_health(cls, conn);
	return reply_text(conn, MHD_HTTP_NOT_FOUND, "not found: /metrics or /healthz");
}

int
lc_metrics_start(struct lc_metrics *m, struct lc_error *err)
{
	sigset_t block, old;

	/* The thread inherits the mask: SIGINT/SIGTERM stay with the main thread. */
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &block, &old);
	m->mhd = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_POLL, 0, NULL, NULL,
			on_request, m, MHD_OPTION_LISTEN_SOCKET, m->fd, MHD_OPTION_CONNECTION_LIMIT,
			(unsigned int)METRICS_MAX_CONN, MHD_OPTION_CONNECTION_TIMEOUT,
			(unsigned int)METRICS_CONN_TIMEOUT_S, MHD_OPTION_CONNECTION_MEMORY_LIMIT,
			(size_t)METRICS_CONN_MEM, MHD_OPTION_END);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (m->mhd == NULL)
		return lc_error_set(err, LC_ERR_RUNTIME, "--metrics: cannot start the HTTP server");
	return 0;
}

void
lc_metrics_destroy(struct lc_metrics *m)
{
	if (m == NULL)
		return;
	if (m->mhd != NULL)
		MHD_stop_daemon(m->mhd); /* closes the listening socket too */
	else
		close(m->fd);
	free(m);
}
