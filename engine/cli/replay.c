/* SPDX-License-Identifier: BSD-3-Clause */
/* `linecap replay`: check the file, bring up the port, send, report. */
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <linecap/engine.h>

#include "cli/replay_args.h"
#include "replay/replay.h"

static struct lc_replay *volatile running_replay;
static volatile int stop_requested;

static void
on_signal(int sig)
{
	struct lc_replay *r = running_replay;

	(void)sig;
	stop_requested = 1;
	if (r != NULL)
		lc_replay_request_stop(r);
}

static int
fail(const struct lc_error *err)
{
	fprintf(stderr, "linecap: %s\n", err->msg);
	return err->kind == LC_OK ? LC_ERR_RUNTIME : (int)err->kind;
}

static void
install_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Main lcore: feed the rings, print the live line, until the tx lcores end. */
static int
supervise(struct lc_replay *r, const struct lc_replay_conf *c)
{
	struct lc_replay_totals now, prev;
	struct lc_error err = {0};
	bool tty = isatty(STDERR_FILENO) == 1;
	double t0 = now_s(), next_live = t0 + 1, last_live = t0;
	int rc = 0;

	memset(&prev, 0, sizeof(prev));
	while (lc_replay_running(r)) {
		uint64_t before = 0, after = 0;

		if (stop_requested)
			lc_replay_request_stop(r);
		lc_replay_totals(r, &now);
		before = now.queued;
		if (rc == 0 && lc_replay_service(r, &err) < 0) {
			rc = fail(&err);
			lc_replay_request_stop(r);
		}
		lc_replay_totals(r, &now);
		after = now.queued;
		if (!c->quiet && now_s() >= next_live) {
			lc_replay_report_live(stderr, &now, &prev, now_s() - last_live, tty);
			last_live = now_s();
			next_live += 1;
		}
		if (after == before) {
			/* rings full, or nothing left to read: let the tx lcores work */
			struct timespec nap = {0, c->preload ? 20000000L : 100000L};

			nanosleep(&nap, NULL);
		}
	}
	if (!c->quiet && tty && now_s() > t0 + 1)
		fputc('\n', stderr);
	return rc;
}

static void
warn_truncated(const struct lc_replay_totals *t)
{
	if (t->truncated)
		fprintf(stderr,
				"linecap: warning: %s: offset %" PRIu64
				": the file ends inside a record (truncated capture?); the %" PRIu64
				" complete records before it are replayed\n",
				t->path, t->trunc_offset, t->file_records);
}

static int
finish(const struct lc_replay_conf *c, const struct lc_replay_totals *t, int rc)
{
	struct lc_error err = {0};

	lc_replay_report(stderr, t);
	if (c->stats_json[0] != '\0' && lc_replay_report_json(c->stats_json, t, &err) < 0 &&
			rc == 0)
		rc = fail(&err);
	return rc;
}

static int
replay_dpdk(const struct lc_replay_conf *c)
{
	struct lc_capture_conf ec;
	struct lc_lcore_plan plan;
	struct lc_replay_totals t;
	struct lc_error err = {0};
	struct lc_replay *r;
	int rc = 0;

	/* The EAL bring-up of capture, with the tx queues as its queues. */
	lc_capture_conf_init(&ec);
	snprintf(ec.ports[0].devargs, sizeof(ec.ports[0].devargs), "%s", c->dev);
	ec.nb_ports = 1;
	ec.nb_queues = c->nb_txq;
	snprintf(ec.lcores, sizeof(ec.lcores), "%s", c->lcores);
	snprintf(ec.eal_args, sizeof(ec.eal_args), "%s", c->eal_args);
	if (lc_eal_setup(&ec, c->verbose, &plan, &err) < 0)
		return fail(&err);
	r = lc_replay_create(c, &plan, c->quiet ? NULL : stderr, &err);
	if (r == NULL) {
		lc_eal_release_log(c->verbose);
		rc = fail(&err);
		lc_eal_teardown();
		return rc;
	}
	running_replay = r;
	if (stop_requested)
		lc_replay_request_stop(r);
	if (lc_replay_start(r, &stop_requested, &err) < 0) {
		rc = fail(&err);
	} else {
		struct timespec linger = {(time_t)c->linger,
				(long)((c->linger - (double)(time_t)c->linger) * 1e9)};

		rc = supervise(r, c);
		lc_replay_join(r);
		/* Packets can still sit in a shared ring (memif) the peer reads later. */
		nanosleep(&linger, NULL);
		lc_replay_totals(r, &t);
		rc = finish(c, &t, rc);
	}
	running_replay = NULL;
	lc_replay_destroy(r);
	lc_eal_teardown();
	return rc;
}

int
lc_cmd_replay(int argc, char **argv)
{
	struct lc_replay_conf c;
	struct lc_replay_totals t;
	struct lc_error err = {0};
	unsigned int i;
	int rc = 0;

	if (lc_cli_parse_replay(argc, argv, &c, &err) < 0)
		return fail(&err);
	install_signals();
	memset(&t, 0, sizeof(t));
	/* Every file is checked before the EAL or any port is touched. */
	for (i = 0; i < c.nb_files; i++) {
		t.path = c.files[i];
		if (lc_replay_check_file(c.files[i], &t, &err) < 0) {
			if (!c.check_only)
				return fail(&err);
			rc = fail(&err); /* --check: one line per file, go on */
			continue;
		}
		warn_truncated(&t);
		if (c.check_only)
			printf("%s: %" PRIu64 " packets, max caplen %u, ok%s\n", c.files[i],
					t.file_records, t.max_caplen,
					t.truncated ? " (truncated tail)" : "");
	}
	if (c.check_only)
		return rc;
	if (lc_replay_is_kernel_iface(c.dev)) {
		if (lc_replay_pcap_run(&c, &stop_requested, &t, &err) < 0)
			return fail(&err);
		return finish(&c, &t, 0);
	}
	return replay_dpdk(&c);
}
