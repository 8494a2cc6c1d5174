/* SPDX-License-Identifier: BSD-3-Clause */
/* linecap: the only place that prints results and chooses exit codes. */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <linecap/engine.h>
#include <linecap/report.h>

#include "cli/args.h"
#include "cli/list.h"
#include "core/repair.h"
#include "cli/replay_args.h"
#include "lc_build_config.h"

static struct lc_engine *volatile running_engine;
static volatile sig_atomic_t stop_requested;

static void
on_signal(int sig)
{
	struct lc_engine *e = running_engine;

	(void)sig;
	stop_requested = 1;
	if (e != NULL)
		lc_engine_request_stop(e);
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
	/* A closed pipe must be an EPIPE we count, not a silent death. */
	signal(SIGPIPE, SIG_IGN);
}

/* Wait for the end of capture, printing the live line once a second. */
static void
supervise(struct lc_engine *e, const struct lc_capture_conf *c)
{
	struct lc_live live = {.tty = isatty(STDERR_FILENO) == 1};
	double next_live = 1.0;

	while (lc_engine_running(e)) {
		struct timespec nap = {0, 50L * 1000 * 1000};
		double now = lc_engine_elapsed(e);

		if (stop_requested || lc_engine_failed(e) ||
				(c->duration > 0 && now >= c->duration))
			lc_engine_request_stop(e);
		if (!c->quiet && now >= next_live) {
			lc_engine_refresh_ports(e);
			lc_report_live(stderr, lc_engine_stats_view(e), &live);
			next_live += 1.0;
		}
		nanosleep(&nap, NULL);
	}
	if (!c->quiet && live.tty)
		fputc('\n', stderr);
}

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

static int
cmd_capture(int argc, char **argv)
{
	struct lc_error err = {0};
	struct lc_cli cli = {0};
	struct lc_engine *e;
	bool eal;
	int rc = 0;

	if (lc_cli_parse_capture(argc, argv, &cli, &err) < 0)
		return fail(&err);
	if (choose_source(&cli.conf, &err) < 0 || lc_filter_check(&cli.conf, &err) < 0)
		return fail(&err);
	eal = cli.conf.source == LC_SOURCE_DPDK;
	install_signals();
	if (eal && lc_eal_setup(&cli.conf, cli.verbose, &err) < 0)
		return fail(&err);
	/*
	 * Output files are created 0666 & ~umask: the umask gives them --file-mode.
	 * Set after the EAL is up, so DPDK's runtime directory and sockets keep theirs.
	 */
	umask(~cli.file_mode & 0777);
	e = lc_engine_create(&cli.conf, stderr, &err);
	if (e == NULL) {
		if (eal)
			lc_eal_release_log(cli.verbose);
		rc = fail(&err);
		if (eal)
			lc_eal_teardown();
		return rc;
	}
	fprintf(stderr, "%s\n", source_why);
	running_engine = e;
	if (cli.privs.drop && (lc_engine_chown_outputs(e, cli.privs.uid, cli.privs.gid, &err) < 0 ||
					      lc_privs_drop(&cli.privs, &err) < 0)) {
		rc = fail(&err);
		goto out;
	}
	if (stop_requested)
		lc_engine_request_stop(e);
	if (lc_engine_start(e, &err) < 0) {
		rc = fail(&err);
		goto out;
	}
	supervise(e, &cli.conf);
	if (lc_engine_join(e, &err) < 0 && !lc_engine_output_closed(e))
		rc = fail(&err);
	if (lc_engine_output_closed(e))
		fprintf(stderr, "linecap: the reader of the output went away; capture stopped\n");
	lc_report_summary(stderr, lc_engine_stats_view(e));
	if (cli.conf.stats_json[0] != '\0' &&
			lc_report_json(cli.conf.stats_json, lc_engine_stats_view(e), &err) < 0)
		rc = fail(&err);
out:
	running_engine = NULL;
	lc_engine_destroy(e);
	if (eal)
		lc_eal_teardown();
	return rc;
}

static int
cmd_list(int argc, char **argv)
{
	struct lc_error err = {0};
	struct lc_cli cli = {0};
	int rc = 0;

	if (lc_cli_parse_list(argc, argv, &cli, &err) < 0)
		return fail(&err);
	if (lc_eal_setup_control(&cli.conf, cli.verbose, &err) < 0)
		return fail(&err);
	lc_eal_release_log(cli.verbose);
	if (lc_cli_list(stdout, &cli.conf, &err) < 0)
		rc = fail(&err);
	lc_eal_teardown();
	return rc;
}

/* linecap repair FILE...: exit 0 if every file is (now) valid. */
static int
cmd_repair(int argc, char **argv)
{
	int i, rc = 0;

	if (argc < 2 || argv[1][0] == '-') {
		fprintf(stderr, "linecap: usage: linecap repair FILE [FILE...]\n");
		return LC_ERR_USAGE;
	}
	for (i = 1; i < argc; i++) {
		struct lc_error err = {0};

		if (lc_repair_file(stdout, argv[i], &err) < 0)
			rc = fail(&err);
	}
	return rc;
}

int
main(int argc, char **argv)
{
	if (argc < 2) {
		lc_cli_usage(stderr);
		return LC_ERR_USAGE;
	}
	if (strcmp(argv[1], "capture") == 0)
		return cmd_capture(argc - 1, argv + 1);
	if (strcmp(argv[1], "list") == 0)
		return cmd_list(argc - 1, argv + 1);
	if (strcmp(argv[1], "replay") == 0)
		return lc_cmd_replay(argc - 1, argv + 1);
	if (strcmp(argv[1], "repair") == 0)
		return cmd_repair(argc - 1, argv + 1);
	if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0) {
		printf("linecap %s (DPDK %s)\n", LC_VERSION, "22.11");
		return 0;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		lc_cli_usage(stdout);
		return 0;
	}
	fprintf(stderr,
			"linecap: unknown command '%s': expected capture, replay, repair or list "
			"(see "
			"--help)\n",
			argv[1]);
	return LC_ERR_USAGE;
}
