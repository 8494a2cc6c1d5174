/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef LINECAP_TEST_CHECK_H
#define LINECAP_TEST_CHECK_H

#include <stdio.h>

/* Count a failed condition and say where; tests exit non-zero if any failed. */
static int failures;

#define CHECK(cond, ...)                                                                           \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__);                      \
			fprintf(stderr, __VA_ARGS__);                                              \
			fputc('\n', stderr);                                                       \
			failures++;                                                                \
		}                                                                                  \
	} while (0)

#endif
