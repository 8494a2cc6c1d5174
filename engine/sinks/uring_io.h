/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef LINECAP_URING_IO_H
#define LINECAP_URING_IO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A small io_uring for one file's block writes; NULL if unavailable. */
void *lc_uring_create(unsigned int depth);
void lc_uring_destroy(void *ring);

/*
 * Queue and submit one write. 0: it is queued and completes exactly once
 * (reap), even if the submit itself failed (then it goes with the next
 * one); -errno: nothing was queued.
 */
int lc_uring_write(void *ring, int fd, const void *buf, size_t len, uint64_t off, unsigned int tag);

/*
 * One completion: 1 (tag, res = 0 or -errno; short writes are -EIO), 0 none.
 * First submits writes a failed submit left queued. With `wait`, a wait a
 * signal interrupts (EINTR) is resumed: 0 only if the ring refuses to work.
 */
int lc_uring_reap(void *ring, unsigned int *tag, int *res, bool wait);

/*
 * Test hooks, defined only in the test binary linecap-fault
 * (tests/tools/fault_hooks.c); weak and NULL in linecap. Non-zero: fail
 * this submit after queueing (-EAGAIN) / interrupt this wait (-EINTR).
 */
int lc_fault_uring_submit(void) __attribute__((weak));
int lc_fault_uring_eintr(void) __attribute__((weak));

#endif
