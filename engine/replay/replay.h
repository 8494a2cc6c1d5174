/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef LINECAP_REPLAY_H
#define LINECAP_REPLAY_H

/*
 * `linecap replay`: a pcap/pcapng file out of a DPDK port (replay.c) or a
 * kernel interface through libpcap (replay_pcap.c). The file is checked
 * completely before the first packet goes out (replay_scan.c).
 */

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <linecap/error.h>
#include <linecap/lcore_plan.h>

#include "replay/replay_conf.h"

struct lc_replay;

/* Totals, for the summary and the JSON. */
struct lc_replay_totals {
	uint64_t queued;  /* packets read and handed to tx */
	uint64_t sent;	  /* accepted by the port */
	uint64_t bytes;	  /* their bytes */
	uint64_t dropped; /* read but not sent (stopped, or the port refused) */
	uint64_t empty;	  /* 0-byte records skipped: not in read */
	uint64_t retries; /* sends the port took only in part (queue full) */
	/* DPDK path, paced replays (--pps, --mbps, original timing): the most a send was
	 * behind its due time, and the sends more than 50 us behind (the generator's CPU
	 * was taken; what was due then goes out in a burst) */
	double max_late_us;
	uint64_t late_sends;
	double seconds;	       /* from the start to the last packet sent */
	double requested_pps;  /* 0 = as fast as possible */
	double requested_mbps; /* 0 = not a bit-rate target */
	uint64_t file_records;
	uint32_t max_caplen;
	bool truncated;
	uint64_t trunc_offset;
	unsigned int nb_files;
	const char *path;
	const char *dev;
	const char *driver;
	unsigned int nb_txq;
};

/*
 * Open and check the whole file: 0, or -1 with err naming the file and
 * offset. A truncated tail is not an error (see totals.truncated).
 * Fills `records`, `truncated`, `trunc_offset`.
 */
int lc_replay_check_file(const char *path, struct lc_replay_totals *t, struct lc_error *err);

/* True if `dev` names a kernel network interface rather than a DPDK device. */
bool lc_replay_is_kernel_iface(const char *dev);

/* DPDK path, after lc_eal_setup made `plan`: probe, set up, preload or prefill. */
struct lc_replay *lc_replay_create(const struct lc_replay_conf *c, const struct lc_lcore_plan *plan,
		FILE *plan_out, struct lc_error *err);
/* Wait for the link (bounded by conf.link_wait or *stop), then launch. */
int lc_replay_start(struct lc_replay *r, const volatile int *stop, struct lc_error *err);
/* Main lcore work: move file data to the feed rings. 0, or -1 with err set. */
int lc_replay_service(struct lc_replay *r, struct lc_error *err);
bool lc_replay_running(const struct lc_replay *r);
void lc_replay_request_stop(struct lc_replay *r);
void lc_replay_join(struct lc_replay *r);
void lc_replay_totals(struct lc_replay *r, struct lc_replay_totals *t);
void lc_replay_destroy(struct lc_replay *r);

/* libpcap path: the whole replay on the calling thread. */
int lc_replay_pcap_run(const struct lc_replay_conf *c, const volatile int *stop,
		struct lc_replay_totals *t, struct lc_error *err);

/* read = sent + dropped: the summary's "BUG" line and the JSON's invariant_ok false when not. */
bool lc_replay_invariant_holds(const struct lc_replay_totals *t);

/*
 * Test hook, defined only in the test binary linecap-fault
 * (tests/tools/fault_hooks.c); weak and NULL in linecap. Non-zero: the
 * packet just read is lost without being counted as sent or dropped, so
 * the invariant breaks (tests/functional/replay_invariant.sh).
 */
int lc_fault_replay_unsent(void) __attribute__((weak));

/* tcpreplay-style summary, and the JSON (docs/CLI.md). */
void lc_replay_report(FILE *f, const struct lc_replay_totals *t);
int lc_replay_report_json(const char *path, const struct lc_replay_totals *t, struct lc_error *err);
void lc_replay_report_live(FILE *f, const struct lc_replay_totals *now,
		struct lc_replay_totals *prev, double dt, bool tty);

#endif
