/* SPDX-License-Identifier: BSD-3-Clause */
/* `linecap replay`: check the file, bring up the port, send, report. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <linecap/engine.h>

#include "cli/commands.h"
#include "cli/replay_args.h"
#include "cli/supervise.h"
#include "replay/replay.h"

/* The main lcore's view of a running replay (cli/supervise.h). */
struct replay_run {
	struct lc_replay *r;
	const struct lc_replay_conf *c;
	struct lc_replay_totals now, prev;
	struct timespec last_live;
	int rc; /* the first service error's exit status */
};

static bool
replay_running(void *p)
{
	return lc_replay_running(((struct replay_run *)p)->r);
}

static void
replay_stop(void *p)
{
	lc_replay_request_stop(((struct replay_run *)p)->r);
}

/* Feed the rings; nap only when nothing was queued (rings full, or nothing left). */
static long
replay_step(void *p)
{
	struct replay_run *run = p;
	struct lc_error err = {0};
	uint64_t before;

	lc_replay_totals(run->r, &run->now);
	before = run->now.queued;
	if (run->rc == 0 && lc_replay_service(run->r, &err) < 0) {
		run->rc = lc_cli_fail(&err);
		lc_replay_request_stop(run->r);
	}
	lc_replay_totals(run->r, &run->now);
	if (run->now.queued != before)
		return 0;
	/* let the tx lcores work */
	return run->c->preload ? 20000000L : 100000L;
}

static void
replay_live(void *p, bool tty)
{
	struct replay_run *run = p;
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	lc_replay_report_live(stderr, &run->now, &run->prev,
			(double)(ts.tv_sec - run->last_live.tv_sec) +
					(double)(ts.tv_nsec - run->last_live.tv_nsec) / 1e9,
			tty);
	run->last_live = ts;
}

static const struct lc_supervise_ops replay_ops = {
		.running = replay_running,
		.stop = replay_stop,
		.step = replay_step,
		.live = replay_live,
};

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
		rc = lc_cli_fail(&err);
	/* The summary said "linecap: BUG: ..."; such a run never exits 0 (as capture). */
	if (rc == 0 && !lc_replay_invariant_holds(t))
		rc = LC_ERR_RUNTIME;
	return rc;
}

static int
replay_dpdk(const struct lc_replay_conf *c)
{
	struct lc_capture_conf ec;
	struct lc_lcore_plan plan;
	struct lc_error err = {0};
	struct replay_run run = {.c = c};
	int rc = 0;

	/* The EAL bring-up of capture, with the tx queues as its queues. */
	lc_capture_conf_init(&ec);
	snprintf(ec.ports[0].devargs, sizeof(ec.ports[0].devargs), "%s", c->dev);
	ec.nb_ports = 1;
	ec.nb_queues = c->nb_txq;
	snprintf(ec.lcores, sizeof(ec.lcores), "%s", c->lcores);
	snprintf(ec.eal_args, sizeof(ec.eal_args), "%s", c->eal_args);
	if (lc_eal_setup(&ec, c->verbose, &plan, &err) < 0)
		return lc_cli_fail(&err);
	run.r = lc_replay_create(c, &plan, c->quiet ? NULL : stderr, &err);
	if (run.r == NULL) {
		lc_eal_release_log(c->verbose);
		rc = lc_cli_fail(&err);
		lc_eal_teardown();
		return rc;
	}
	lc_cli_on_stop(replay_ops.stop, &run);
	if (*lc_cli_stop_flag())
		lc_replay_request_stop(run.r);
	if (lc_replay_start(run.r, lc_cli_stop_flag(), &err) < 0) {
		rc = lc_cli_fail(&err);
	} else {
		struct timespec linger = {(time_t)c->linger,
				(long)((c->linger - (double)(time_t)c->linger) * 1e9)};

		clock_gettime(CLOCK_MONOTONIC, &run.last_live);
		lc_cli_supervise(&replay_ops, &run, c->quiet);
		lc_replay_join(run.r);
		/* Packets can still sit in a shared ring (memif) the peer reads later. */
		nanosleep(&linger, NULL);
		lc_replay_totals(run.r, &run.now);
		rc = finish(c, &run.now, run.rc);
	}
	lc_cli_on_stop(NULL, NULL);
	lc_replay_destroy(run.r);
	lc_eal_teardown();
	return rc;
}

int
lc_cmd_replay(int argc, char **argv)
{
	static struct lc_replay_cli rc_; /* large: keep it off the stack */
	const struct lc_replay_conf *c = &rc_.conf;
	struct lc_replay_totals t;
	struct lc_error err = {0};
	unsigned int i;
	int rc;

	rc = lc_cli_parse_replay(argc, argv, &rc_, &err);
	if (rc == LC_CLI_HELP) {
		lc_cli_replay_usage(stdout);
		return 0;
	}
	if (rc < 0)
		return lc_cli_fail(&err);
	lc_cli_signals_install();
	memset(&t, 0, sizeof(t));
	/* Every file is checked before the EAL or any port is touched. */
	for (i = 0; i < c->nb_files; i++) {
		t.path = c->files[i];
		if (lc_replay_check_file(c->files[i], &t, &err) < 0) {
			if (!c->check_only)
				return lc_cli_fail(&err);
			rc = lc_cli_fail(&err); /* --check: one line per file, go on */
			continue;
		}
		warn_truncated(&t);
		if (c->check_only)
			printf("%s: %" PRIu64 " packets, max caplen %u, ok%s\n", c->files[i],
					t.file_records, t.max_caplen,
					t.truncated ? " (truncated tail)" : "");
	}
	if (c->check_only)
		return rc;
	if (lc_replay_is_kernel_iface(c->dev)) {
		if (lc_replay_pcap_run(c, lc_cli_stop_flag(), &t, &err) < 0)
			return lc_cli_fail(&err);
		return finish(c, &t, 0);
	}
	return replay_dpdk(c);
}
