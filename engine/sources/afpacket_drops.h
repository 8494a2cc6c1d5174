/* SPDX-License-Identifier: BSD-3-Clause */
/* Kernel ring drops of net_af_packet ports, which DPDK 22.11 does not report. */
#ifndef LC_AFPACKET_DROPS_H
#define LC_AFPACKET_DROPS_H

#include <stdbool.h>
#include <stdint.h>

#define LC_AFP_MAX_SOCKETS 16 /* net_af_packet's qpairs= limit */

/* Packet sockets open in this process, as a sorted list of fds. */
struct lc_afp_fdset {
	int fds[64];
	unsigned int n;
	bool overflow; /* more than fits: attach refuses */
};

struct lc_afp_drops {
	int fds[LC_AFP_MAX_SOCKETS];
	unsigned int n;
	uint64_t drops; /* sum of tp_drops read so far */
};

/* True for a devargs string naming a net_af_packet device. */
bool lc_afp_is_devargs(const char *devargs);

/* The AF_PACKET sockets this process has open now. */
void lc_afp_fdset_take(struct lc_afp_fdset *set);

/*
 * Keep the packet sockets opened since `before` was taken: the ones the PMD
 * just made for the port. Returns the number found (0: none, drops stay n/a).
 */
unsigned int lc_afp_drops_attach(struct lc_afp_drops *d, const struct lc_afp_fdset *before);

/* Forget what was dropped so far (frames before capture started). */
void lc_afp_drops_clear(struct lc_afp_drops *d);

/* Add the kernel's tp_drops since the last read (the kernel resets them). */
void lc_afp_drops_read(struct lc_afp_drops *d);

#endif
