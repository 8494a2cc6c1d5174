/* SPDX-License-Identifier: BSD-3-Clause */
/* The query's own CPU and I/O priority (see priority.h). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "query/priority.h"

/* The kernel's ioprio ABI (uapi linux/ioprio.h, not in every libc's headers). */
#define IOPRIO_WHO_PROCESS_ 1
#define IOPRIO_CLASS_SHIFT_ 13
#define IOPRIO_CLASS_RT_ 1
#define IOPRIO_CLASS_BE_ 2
#define IOPRIO_CLASS_IDLE_ 3
#define IOPRIO_(cls, level) (((cls) << IOPRIO_CLASS_SHIFT_) | (level))

/* How low an I/O priority is: higher = lower priority. No class = derived from nice. */
static int
io_rank(int prio, int nice)
{
	int cls = prio >> IOPRIO_CLASS_SHIFT_, level = prio & ((1 << IOPRIO_CLASS_SHIFT_) - 1);

	switch (cls) {
	case IOPRIO_CLASS_RT_:
		return level;
	case IOPRIO_CLASS_BE_:
		return 8 + level;
	case IOPRIO_CLASS_IDLE_:
		return 16;
	default: /* none: best effort at (nice + 20) / 5 */
		return 8 + (nice + 20) / 5;
	}
}

int
lc_query_priority_apply(enum lc_query_priority p, char *why, size_t whylen)
{
	int want_nice = p == LC_QUERY_PRIO_IDLE ? 19 : 10;
	int want_io = p == LC_QUERY_PRIO_IDLE ? IOPRIO_(IOPRIO_CLASS_IDLE_, 0)
					      : IOPRIO_(IOPRIO_CLASS_BE_, 7);
	int nice, io;

	if (p == LC_QUERY_PRIO_NORMAL)
		return 0;
	errno = 0;
	nice = getpriority(PRIO_PROCESS, 0);
	if (errno != 0)
		nice = 0;
	io = (int)syscall(SYS_ioprio_get, IOPRIO_WHO_PROCESS_, 0);
	/* The I/O rank first: with no I/O class it follows nice, which changes next. */
	if (io >= 0 && io_rank(io, nice) < io_rank(want_io, want_nice) &&
			syscall(SYS_ioprio_set, IOPRIO_WHO_PROCESS_, 0, want_io) != 0) {
		snprintf(why, whylen, "cannot lower the I/O priority: %s", strerror(errno));
		return -1;
	}
	if (nice < want_nice && setpriority(PRIO_PROCESS, 0, want_nice) != 0) {
		snprintf(why, whylen, "cannot lower the CPU priority to nice %d: %s", want_nice,
				strerror(errno));
		return -1;
	}
	return 0;
}
