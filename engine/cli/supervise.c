/* SPDX-License-Identifier: BSD-3-Clause */
/* Signals, failure lines and the watch loop of capture and replay (cli/supervise.h). */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/supervise.h"

static volatile int stop_flag;
static void (*volatile stop_fn)(void *);
static void *volatile stop_arg;

static void
on_signal(int sig)
{
	void (*fn)(void *) = stop_fn;

	(void)sig;
	stop_flag = 1;
	if (fn != NULL)
		fn(stop_arg);
}

int
lc_cli_fail(const struct lc_error *err)
{
	fprintf(stderr, "linecap: %s\n", err->msg);
	return err->kind == LC_OK ? LC_ERR_RUNTIME : (int)err->kind;
}

void
lc_cli_signals_install(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

const volatile int *
lc_cli_stop_flag(void)
{
	return &stop_flag;
}

void
lc_cli_on_stop(void (*fn)(void *), void *arg)
{
	/* The handler reads fn first: clear it first, set it last. */
	stop_fn = NULL;
	stop_arg = arg;
	stop_fn = fn;
}

static double
mono_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void
lc_cli_supervise(const struct lc_supervise_ops *ops, void *ctx, bool quiet)
{
	bool tty = isatty(STDERR_FILENO) == 1, printed = false;
	double next_live = mono_s() + 1;

	while (ops->running(ctx)) {
		long nap;

		if (stop_flag)
			ops->stop(ctx);
		nap = ops->step(ctx);
		if (!quiet && mono_s() >= next_live) {
			ops->live(ctx, tty);
			printed = true;
			next_live += 1;
		}
		if (nap > 0) {
			struct timespec ts = {nap / 1000000000L, nap % 1000000000L};

			nanosleep(&ts, NULL);
		}
	}
	if (printed && tty)
		fputc('\n', stderr);
}
