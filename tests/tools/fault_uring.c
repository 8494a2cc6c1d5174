/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Fault injection for the io_uring edge cases (issue 12, defect 4). Linked
 * only into the test binary linecap-fault; in the release binary the weak
 * hooks sinks/uring_io.c declares stay unresolved (NULL) and are never
 * called. Set at start from the environment:
 *   LINECAP_FAULT_URING_SUBMIT=N  every Nth io_uring submit fails (-EAGAIN)
 *                                 after the write was queued in the SQ ring
 *   LINECAP_FAULT_URING_EINTR=N   every Nth wait for a completion is
 *                                 interrupted (-EINTR) before it waits
 */
#include <stdlib.h>

#include "sinks/uring_io.h"

static unsigned long submit_every, eintr_every;
static unsigned long submit_calls, eintr_calls;

static unsigned long
env_every(const char *name)
{
	const char *v = getenv(name);

	return v != NULL ? strtoul(v, NULL, 10) : 0;
}

__attribute__((constructor)) static void
fault_init(void)
{
	submit_every = env_every("LINECAP_FAULT_URING_SUBMIT");
	eintr_every = env_every("LINECAP_FAULT_URING_EINTR");
}

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
