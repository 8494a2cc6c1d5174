/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef LINECAP_CLI_SUPERVISE_H
#define LINECAP_CLI_SUPERVISE_H

/*
 * What capture and replay share on the main lcore while they run: signals,
 * the one-line failure, and the loop that watches the run and prints the
 * live line once a second.
 */

#include <stdbool.h>

#include <linecap/error.h>

/* Print "linecap: MSG" on stderr; the exit status of err's kind (1 if none). */
int lc_cli_fail(const struct lc_error *err);

/*
 * SIGINT/SIGTERM set the stop flag and call the stop hook (lc_cli_on_stop);
 * SIGPIPE is ignored: a closed pipe must be an EPIPE we count, not a silent
 * death.
 */
void lc_cli_signals_install(void);

/* The flag SIGINT/SIGTERM set (never cleared): nonzero once a stop was asked. */
const volatile int *lc_cli_stop_flag(void);

/*
 * What a signal calls besides setting the flag: fn(arg), which must be
 * async-signal-safe (it sets a flag). fn NULL: nothing.
 */
void lc_cli_on_stop(void (*fn)(void *), void *arg);

/* A run the main lcore watches. */
struct lc_supervise_ops {
	bool (*running)(void *ctx); /* false once every lcore has ended */
	void (*stop)(void *ctx);    /* ask the run to stop (after a signal) */
	/* The main lcore's own work, once a pass: returns the nap (ns) before the next. */
	long (*step)(void *ctx);
	void (*live)(void *ctx, bool tty); /* print the live line */
};

/*
 * Until ops->running() says no: stop the run once a signal came, call step,
 * print the live line once a second unless `quiet` (on a terminal the line
 * is rewritten in place and ended with a newline at the end).
 */
void lc_cli_supervise(const struct lc_supervise_ops *ops, void *ctx, bool quiet);

#endif
