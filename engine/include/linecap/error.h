/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef LINECAP_ERROR_H
#define LINECAP_ERROR_H

#include <stddef.h>

/*
 * Error kinds. The numeric value of each kind is the process exit status the
 * CLI uses for it, so every class of failure a user meets has its own code.
 */
enum lc_error_kind {
	LC_OK = 0,
	LC_ERR_RUNTIME = 1,   /* failure while capturing (I/O, PMD start) */
	LC_ERR_USAGE = 2,     /* bad option or option value */
	LC_ERR_HUGEPAGES = 3, /* no hugepages reserved or hugetlbfs not mounted */
	LC_ERR_DEVICE = 4,    /* device not found, not bound, or not usable */
	LC_ERR_OUTPUT = 5,    /* output file or directory not writable */
	LC_ERR_LCORES = 6,    /* too few lcores for the plan, or bad lcore list */
	LC_ERR_EAL = 7,	      /* rte_eal_init failed for another reason */
	LC_ERR_CONFIG = 8,    /* pmd-config profile missing or malformed */
	LC_ERR_INPUT = 9,     /* replay input file unreadable or malformed */
};

/* An error: its kind and one line of text saying what is wrong and what to do. */
struct lc_error {
	enum lc_error_kind kind;
	char msg[512];
};

/*
 * Record an error. The message is one line without a trailing newline.
 * Always returns -1, so callers can write `return lc_error_set(...)`.
 */
int lc_error_set(struct lc_error *err, enum lc_error_kind kind, const char *fmt, ...)
		__attribute__((format(printf, 3, 4)));

#endif
