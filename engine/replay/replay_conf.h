/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef LINECAP_REPLAY_CONF_H
#define LINECAP_REPLAY_CONF_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>

#define LC_REPLAY_MAX_FILES 4096

/* How transmit times are chosen (one of them). */
enum lc_pace_mode {
	LC_PACE_ORIGINAL = 0, /* the file's gaps, divided by `speed` (1 = as captured) */
	LC_PACE_PPS,	      /* `pps` packets per second */
	LC_PACE_MBPS,	      /* `mbps` megabits per second of packet data */
	LC_PACE_TOPSPEED,     /* as fast as the port takes them */
};

/*
 * Everything `linecap replay` was asked to do. Plain data, built by the CLI
 * before anything starts.
 */
struct lc_replay_conf {
	char dev[1024]; /* -i: PCI address, DPDK devargs, or a kernel interface */
	const char *files[LC_REPLAY_MAX_FILES]; /* -r, in order (argv strings) */
	unsigned int nb_files;
	enum lc_pace_mode mode;
	double speed;		   /* --speed, LC_PACE_ORIGINAL */
	double pps;		   /* --pps */
	double mbps;		   /* --mbps */
	uint64_t loops;		   /* --loop: passes over the file, 0 = until stopped */
	bool preload;		   /* --preload: every packet in mbufs before sending */
	bool no_retry;		   /* --no-retry: drop what the port refuses, counted */
	uint16_t nb_txq;	   /* --queues: tx queues = tx tasks */
	double linger;		   /* seconds to keep the port up after the last packet */
	double link_wait;	   /* seconds to wait for the port's link to come up */
	char lcores[256];	   /* --lcores: "auto" or an EAL list, first = main */
	char eal_args[4096];	   /* --eal */
	char stats_json[PATH_MAX]; /* --stats-json, "" = none */
	bool check_only;	   /* --check: validate the files, send nothing */
	bool quiet;		   /* -q */
	bool verbose;		   /* -v */
};

#endif
