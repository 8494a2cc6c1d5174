/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef LINECAP_RECOVER_H
#define LINECAP_RECOVER_H

#include <stdio.h>

/*
 * Repair and publish the .linecap-PID-*.part files of dead linecap
 * processes in `dir` (control plane, before capture starts). Returns how
 * many were published; says what it did on `log`.
 */
unsigned int lc_recover_parts(const char *dir, FILE *log);

#endif
