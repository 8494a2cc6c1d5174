/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef LINECAP_RUNTIME_SWEEP_H
#define LINECAP_RUNTIME_SWEEP_H

/* EAL file prefix of a linecap process: LC_RUNTIME_PREFIX + its PID. */
#define LC_RUNTIME_PREFIX "linecap-"

/* Remove runtime directories of linecap processes that no longer exist. */
unsigned int lc_runtime_sweep(void);

#endif
