/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Fault injection, linked only into the test binary linecap-fault; in the
 * release binary the weak hooks (sinks/uring_io.h, replay/replay.h,
 * core/rotate.h) stay unresolved (NULL) and are never called. Set at start
 * from the environment:
 *   LINECAP_FAULT_URING_SUBMIT=N  every Nth io_uring submit fails (-EAGAIN)
 *                                 after the write was queued in the SQ ring
 *   LINECAP_FAULT_URING_EINTR=N   every Nth wait for a completion is
 *                                 interrupted (-EINTR) before it waits
 *   LINECAP_FAULT_REPLAY_UNSENT=N every Nth packet replay reads is lost
 *                                 without being counted as sent or dropped
 *   LINECAP_FAULT_PUBLISH_KILL=N  the Nth publication of a rotated file is
 *                                 killed (SIGKILL) with the file cut to its
 *                                 length but not yet renamed
 *   LINECAP_FAULT_PUBLISH_PAUSE_MS=M  the first publication waits M ms there
 *                                 (after a line "fault: publication of PART
 *                                 paused" on stderr)
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "core/rotate.h"
#include "replay/replay.h"
#include "sinks/uring_io.h"

static unsigned long submit_every, eintr_every, unsent_every, kill_at, pause_ms;
static unsigned long submit_calls, eintr_calls, unsent_calls, publish_calls;

static unsigned long
env_num(const char *name)
{
	const char *v = getenv(name);

	return v != NULL ? strtoul(v, NULL, 10) : 0;
}

__attribute__((constructor)) static void
fault_init(void)
{
	submit_every = env_num("LINECAP_FAULT_URING_SUBMIT");
	eintr_every = env_num("LINECAP_FAULT_URING_EINTR");
	unsent_every = env_num("LINECAP_FAULT_REPLAY_UNSENT");
	kill_at = env_num("LINECAP_FAULT_PUBLISH_KILL");
	pause_ms = env_num("LINECAP_FAULT_PUBLISH_PAUSE_MS");
}

/* 1 on every `every`th call (0: never). */
static int
nth(unsigned long *calls, unsigned long every)
{
	if (every == 0)
		return 0;
	return __atomic_add_fetch(calls, 1, __ATOMIC_RELAXED) % every == 0;
}

int
lc_fault_uring_submit(void)
{
	return nth(&submit_calls, submit_every);
}

int
lc_fault_uring_eintr(void)
{
	return nth(&eintr_calls, eintr_every);
}

int
lc_fault_replay_unsent(void)
{
	return nth(&unsent_calls, unsent_every);
}

void
lc_fault_rotate_publish(const char *part)
{
	unsigned long n = __atomic_add_fetch(&publish_calls, 1, __ATOMIC_RELAXED);

	if (kill_at != 0 && n == kill_at)
		raise(SIGKILL);
	if (pause_ms != 0 && n == 1) {
		struct timespec ts = {
				(time_t)(pause_ms / 1000), (long)(pause_ms % 1000) * 1000000L};

		fprintf(stderr, "fault: publication of %s paused\n", part);
		fflush(stderr);
		nanosleep(&ts, NULL);
	}
}
