/* SPDX-License-Identifier: BSD-3-Clause */
/* `linecap capture`: parse, check, set up, drop privileges, run, report. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <linecap/engine.h>
#include <linecap/metrics.h>
#include <linecap/report.h>

#include "cli/args.h"
#include "cli/commands.h"
#include "cli/supervise.h"
#include "index/idx_capture.h"
#include "upload/upload.h"

/* Why this path: printed once the capture is set up (an error stays one line). */
static char source_why[512];

/* DPDK or libpcap: forced, or chosen from the -i names. */
static int
choose_source(struct lc_capture_conf *c, struct lc_error *err)
{
	char why[512];
	int kind = lc_source_resolve(c, why, sizeof(why), err);

	if (kind < 0)
		return -1;
	c->source = (enum lc_source_kind)kind;
	snprintf(source_why, sizeof(source_why), "%s", why);
	return 0;
}

/*
 * --mtu sets a DPDK port's MTU. A kernel interface's MTU is the system's
 * (linecap does not change it behind the administrator's back): say so
 * rather than ignore the option silently.
 */
static void
note_mtu(const struct lc_capture_conf *c)
{
	char path[128], mtu[32] = "";
	FILE *f;

	snprintf(path, sizeof(path), "/sys/class/net/%.64s/mtu", c->ports[0].devargs);
	f = fopen(path, "r");
	if (f == NULL || fgets(mtu, sizeof(mtu), f) == NULL)
		snprintf(mtu, sizeof(mtu), "?");
	if (f != NULL)
		fclose(f);
	mtu[strcspn(mtu, "\n")] = '\0';
	fprintf(stderr,
			"linecap: --mtu %u is not applied on the libpcap path: %s keeps its MTU %s "
			"(set it with ip link set dev %s mtu N); frames are captured up to -s %u "
			"bytes\n",
			c->mtu, c->ports[0].devargs, mtu, c->ports[0].devargs, c->snaplen);
}

/* The main lcore's view of a running capture (cli/supervise.h). */
struct capture_run {
	struct lc_engine *e;
	const struct lc_capture_conf *c;
	struct lc_live live;
	bool metrics; /* --metrics: keep the port counters fresh even with -q */
	unsigned int steps;
};

static bool
capture_running(void *p)
{
	return lc_engine_running(((struct capture_run *)p)->e);
}

static void
capture_stop(void *p)
{
	lc_engine_request_stop(((struct capture_run *)p)->e);
}

static long
capture_step(void *p)
{
	struct capture_run *run = p;

	if (lc_engine_failed(run->e) ||
			(run->c->duration > 0 && lc_engine_elapsed(run->e) >= run->c->duration))
		lc_engine_request_stop(run->e);
	if (run->metrics && ++run->steps % 20 == 0)
		lc_engine_refresh_ports(run->e);
	return 50L * 1000 * 1000;
}

static void
capture_live(void *p, bool tty)
{
	struct capture_run *run = p;

	run->live.tty = tty;
	lc_engine_refresh_ports(run->e);
	lc_report_live(stderr, lc_engine_stats_view(run->e), &run->live);
}

static const struct lc_supervise_ops capture_ops = {
		.running = capture_running,
		.stop = capture_stop,
		.step = capture_step,
		.live = capture_live,
};

/*
 * -Z: the stats JSON is written at exit, after the drop. Create it now, while
 * privileged, and give it to UID:GID as the output files are, so that a path
 * the dropped user could not create works, and one nobody can write fails
 * now (exit 5) rather than after the capture (tcpdump -Z does so with -w).
 */
static int
open_stats_json(const struct lc_cli *cli, bool *created, struct lc_error *err)
{
	const char *path = cli->conf.stats_json;
	int fd, flags = O_WRONLY | O_NONBLOCK | O_CLOEXEC;

	*created = false;
	fd = open(path, flags | O_CREAT | O_EXCL, 0666);
	if (fd >= 0)
		*created = true;
	else if (errno == EEXIST)
		fd = open(path, flags);
	if (fd < 0)
		return lc_error_set(
				err, LC_ERR_OUTPUT, "cannot write '%s': %s", path, strerror(errno));
	if (fchown(fd, cli->privs.uid, cli->privs.gid) != 0) {
		lc_error_set(err, LC_ERR_OUTPUT, "%s: chown to %u:%u: %s", path,
				(unsigned int)cli->privs.uid, (unsigned int)cli->privs.gid,
				strerror(errno));
		close(fd);
		if (*created)
			unlink(path);
		return -1;
	}
	close(fd);
	return 0;
}

/* Setup is done: give the outputs away and drop root (-Z). */
static int
drop_privileges(struct lc_engine *e, const struct lc_cli *cli, bool *json_created,
		struct lc_error *err)
{
	*json_created = false;
	if (!cli->privs.drop)
		return 0;
	if (cli->conf.stats_json[0] != '\0' && open_stats_json(cli, json_created, err) < 0)
		return -1;
	if (lc_engine_chown_outputs(e, cli->privs.uid, cli->privs.gid, err) < 0)
		return -1;
	return lc_privs_drop(&cli->privs, err);
}

/* --upload and its companions: checked, credentials read, the endpoint asked. */
static int
upload_check(const struct lc_cli *cli, struct lc_s3_conf *s3, struct lc_error *err)
{
	const struct lc_upload_opts *o = &cli->upload;

	if (o->url[0] == '\0') {
		if (o->endpoint[0] != '\0' || o->keep_local != 0 || o->node[0] != '\0' ||
				o->creds_file[0] != '\0')
			return lc_error_set(err, LC_ERR_USAGE,
					"--s3-endpoint, --node, --s3-credentials and --keep-local "
					"need --upload s3://BUCKET/PREFIX");
		return 0;
	}
	return lc_upload_prepare(o, cli->conf.output,
			cli->conf.rotate_bytes != 0 || cli->conf.rotate_secs != 0, s3, err);
}

/* After join: summary, JSON, and the exit status the run earned. */
static int
report(struct lc_engine *e, const struct lc_capture_conf *c, int rc)
{
	struct lc_error err = {0};
	struct lc_totals t;

	if (lc_engine_output_closed(e))
		fprintf(stderr, "linecap: the reader of the output went away; capture stopped\n");
	lc_report_summary(stderr, lc_engine_stats_view(e));
	lc_upload_summary(stderr);
	if (c->stats_json[0] != '\0' &&
			lc_report_json(c->stats_json, lc_engine_stats_view(e), &err) < 0)
		rc = lc_cli_fail(&err);
	/* The summary said "linecap: BUG: ..."; such a run never exits 0. */
	lc_stats_totals(lc_engine_stats_view(e), &t);
	if (rc == 0 && (!lc_invariant_holds(&t) || !lc_forward_invariant_holds(&t)))
		rc = LC_ERR_RUNTIME;
	return rc;
}

/*
 * The sealed-block hook: --index's, wrapped by --upload's (which chains it),
 * and their threads. 0, or -1 with err set (*icp is then NULL).
 */
static int
hooks_setup(struct lc_engine *e, const struct lc_cli *cli, struct lc_upload *up,
		struct lc_idx_capture **icp, struct lc_error *err)
{
	const struct lc_stats_view *v = lc_engine_stats_view(e);
	struct lc_idx_capture *ic = NULL;
	struct lc_block_hook h = {0};
	int r = 0;

	*icp = NULL;
	if (cli->conf.index) {
		ic = lc_idx_capture_create(v->nb_writers, v->rotating, lc_engine_linktype(e),
				cli->conf.compress != LC_COMPRESS_NONE);
		if (ic == NULL)
			return lc_error_set(err, LC_ERR_RUNTIME, "--index: %s", strerror(errno));
		lc_idx_capture_hook(ic, &h);
	}
	if (up != NULL)
		lc_upload_hook(up, &h);
	if (h.sealed != NULL)
		r = lc_engine_set_block_hook(e, &h);
	if (r == 0 && ic != NULL)
		r = lc_idx_capture_start(ic);
	if (r == 0 && up != NULL)
		r = lc_upload_start(up, v, &cli->conf);
	if (r < 0) {
		lc_error_set(err, LC_ERR_RUNTIME, "%s: %s", ic != NULL ? "--index" : "--upload",
				strerror(-r));
		lc_idx_capture_destroy(ic);
		return -1;
	}
	*icp = ic;
	return 0;
}

static void
upload_cut(void *up)
{
	lc_upload_cut(up);
}

/*
 * After join and the last index: the -w file(s) of a capture without rotation, then
 * drain; a signal during the drain (a second Ctrl-C) cuts it short.
 */
static void
upload_finish(struct lc_engine *e, struct lc_upload *up)
{
	const struct lc_stats_view *v = lc_engine_stats_view(e);
	unsigned int w;

	if (up == NULL)
		return;
	for (w = 0; !v->rotating && w < v->nb_writers; w++)
		if (v->writers[w].path[0] != '\0')
			lc_upload_add(up, v->writers[w].path);
	lc_cli_on_stop(upload_cut, up);
	lc_upload_stop(up);
	lc_cli_on_stop(NULL, NULL);
}

static int
run(struct lc_engine *e, const struct lc_cli *cli, struct lc_upload *up)
{
	struct capture_run cr = {.e = e, .c = &cli->conf, .metrics = cli->metrics[0] != '\0'};
	struct lc_idx_capture *ic = NULL;
	struct lc_error err = {0};
	bool json_created = false;
	int rc = 0;

	lc_cli_on_stop(capture_ops.stop, &cr);
	if (hooks_setup(e, cli, up, &ic, &err) < 0) {
		rc = lc_cli_fail(&err);
		goto out;
	}
	if (drop_privileges(e, cli, &json_created, &err) < 0) {
		rc = lc_cli_fail(&err);
		goto out;
	}
	if (*lc_cli_stop_flag())
		lc_engine_request_stop(e);
	if (lc_engine_start(e, &err) < 0) {
		rc = lc_cli_fail(&err);
		goto out;
	}
	lc_cli_supervise(&capture_ops, &cr, cli->conf.quiet);
	if (lc_engine_join(e, &err) < 0 && !lc_engine_output_closed(e))
		rc = lc_cli_fail(&err);
	lc_cli_on_stop(NULL, NULL);
	if (ic != NULL) {
		lc_idx_capture_stop(ic, stderr);
		lc_idx_capture_destroy(ic);
	}
	upload_finish(e, up);
	return report(e, &cli->conf, rc);
out:
	lc_cli_on_stop(NULL, NULL);
	lc_idx_capture_destroy(ic);
	/* Best effort: the file -Z created for a JSON that will not be written. */
	if (json_created)
		unlink(cli->conf.stats_json);
	return rc;
}

int
lc_cmd_capture(int argc, char **argv)
{
	struct lc_error err = {0};
	static struct lc_cli cli; /* large: keep it off the stack */
	struct lc_lcore_plan plan = {0};
	struct lc_metrics *m = NULL;
	struct lc_upload *up = NULL;
	static struct lc_s3_conf s3; /* credentials: off the stack */
	struct lc_engine *e;
	bool eal;
	int rc;

	rc = lc_cli_parse_capture(argc, argv, &cli, &err);
	if (rc == LC_CLI_HELP) {
		lc_cli_usage(stdout);
		return 0;
	}
	if (rc < 0 || lc_cli_check_capture(&cli, &err) < 0)
		return lc_cli_fail(&err);
	if (choose_source(&cli.conf, &err) < 0 || lc_cli_check_pcap_source(&cli, &err) < 0 ||
			lc_filter_check(&cli.conf, &err) < 0)
		return lc_cli_fail(&err);
	eal = cli.conf.source == LC_SOURCE_DPDK;
	/* Asked before the EAL: a bad URL, credentials, bucket or endpoint is exit 2. */
	if (upload_check(&cli, &s3, &err) < 0)
		return lc_cli_fail(&err);
	/* Bound before the EAL: a busy port is a usage error (exit 2) with nothing started. */
	if (cli.metrics[0] != '\0') {
		m = lc_metrics_bind(cli.metrics, cli.conf.output, &err);
		if (m == NULL)
			return lc_cli_fail(&err);
	}
	lc_cli_signals_install();
	if (eal && lc_eal_setup(&cli.conf, cli.verbose, &plan, &err) < 0) {
		lc_metrics_destroy(m);
		return lc_cli_fail(&err);
	}
	/*
	 * Output files are created 0666 & ~umask: the umask gives them --file-mode.
	 * Set after the EAL is up, so DPDK's runtime directory and sockets keep theirs.
	 */
	umask(~cli.file_mode & 0777);
	/* Before the engine: retention asks it which files are uploaded from setup on. */
	if (cli.upload.url[0] != '\0') {
		up = lc_upload_create(&s3, &cli.upload, cli.conf.output,
				cli.conf.rotate_bytes != 0 || cli.conf.rotate_secs != 0);
		if (up == NULL)
			lc_error_set(&err, LC_ERR_OUTPUT,
					"--upload: journal in the -w directory: %s",
					strerror(errno));
	}
	e = cli.upload.url[0] != '\0' && up == NULL
			    ? NULL
			    : lc_engine_create(&cli.conf, eal ? &plan : NULL, stderr, &err);
	if (e == NULL) {
		if (eal)
			lc_eal_release_log(cli.verbose);
		rc = lc_cli_fail(&err);
		lc_upload_destroy(up);
		lc_metrics_destroy(m);
		if (eal)
			lc_eal_teardown();
		return rc;
	}
	fprintf(stderr, "%s\n", source_why);
	if (cli.conf.source == LC_SOURCE_PCAP && cli.conf.mtu != 0)
		note_mtu(&cli.conf);
	/* From the main lcore: the server's thread inherits its CPU, not a data-path one. */
	if (m != NULL && lc_metrics_start(m, &err) < 0)
		rc = lc_cli_fail(&err);
	else
		rc = run(e, &cli, up);
	lc_metrics_destroy(m);
	lc_engine_destroy(e);
	lc_upload_destroy(up);
	if (eal)
		lc_eal_teardown();
	return rc;
}
