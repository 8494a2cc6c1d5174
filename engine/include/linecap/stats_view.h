/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef LINECAP_STATS_VIEW_H
#define LINECAP_STATS_VIEW_H

/*
 * The engine's counters and the names that go with them, as one read-only
 * view. The engine (core/) builds it once, before capture starts, and keeps
 * it up to date; everything that reports (stats/: summary, live line, JSON,
 * telemetry, and later a metrics endpoint or an index) reads only this.
 *
 * Every field is one of four kinds, marked below:
 *   fixed  set while the engine is built, before the view is published, and
 *          never changed: read freely from any thread.
 *   live   a pointer to counters owned by one data-path thread (stats.h):
 *          any thread reads them, with lc_counter_read, at any time.
 *   main   written by the main lcore only (lc_engine_start,
 *          lc_engine_refresh_ports, lc_engine_join). Numbers: other threads
 *          read them with lc_counter_read. Strings: the main lcore only.
 *   end    valid once lc_engine_join returned (the writers have stopped).
 *
 * A thread other than the main lcore may hold the view only between
 * lc_stats_enter and lc_stats_leave: the engine retracts the view before it
 * frees it, and the retraction waits for such readers.
 */

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>

#include <linecap/block_writes.h>
#include <linecap/compress.h>
#include <linecap/config.h>
#include <linecap/stats.h>

/* One capture port (DPDK), or the one interface of the libpcap path. */
struct lc_view_port {
	uint16_t port_id;		     /* fixed: the DPDK port id (0: libpcap) */
	uint32_t counters;		     /* fixed: LC_CNT_* the PMD maintains; others n/a */
	const char *name;		     /* fixed */
	const char *driver;		     /* fixed: "libpcap" on the libpcap path */
	const struct lc_port_counters *snap; /* main: last read from the PMD */
};

/* One rx task (port, queue), or one capture thread of the libpcap path. */
struct lc_view_rx {
	uint16_t port_id;		  /* fixed: its port's port_id */
	uint16_t queue_id;		  /* fixed: queue (libpcap: capture thread index) */
	unsigned int port;		  /* fixed: index in ports[], nb_ports if none */
	unsigned int lcore;		  /* fixed: the lcore polling it (0 on the libpcap path) */
	const struct lc_rx_counters *cnt; /* live: owned by that lcore */
};

/* One ring: rx task `rx` feeds writer `writer` (libpcap: thread i -> writer i). */
struct lc_view_ring {
	unsigned int rx;		    /* fixed: index in rx[] */
	unsigned int writer;		    /* fixed: index in writers[] */
	const struct lc_ring_counters *cnt; /* live: owned by the writer's lcore */
};

/* One writer and the file(s) it writes. */
struct lc_view_writer {
	unsigned int lcore; /* fixed: the lcore running it (0 on the libpcap path) */
	/*
	 * main: the output file. With -C/-G: the -w pattern while capture runs,
	 * then, from lc_engine_join on, the last file published ("" = none).
	 */
	const char *path;
	uint64_t files;	      /* main: files completed (1 without -C/-G) */
	uint64_t write_calls; /* end: writes submitted to the medium */
	int last_errno;	      /* end: the last write error, 0 = none */
	bool recovered;	      /* end: last_errno was overcome: every file completed */
	bool o_direct;	      /* end: a file of it was written with O_DIRECT */
	/* --compress (fixed: NULL / 0 without it) */
	const struct lc_compress_counters *zcnt; /* live: owned by the writer's thread */
	int zlevel;				 /* fixed: the zstd level */
	/* live: block write latency and refused writes, owned by the writer's thread */
	const struct lc_block_writes *bw;
};

/* The --forward port. */
struct lc_view_forward {
	bool on;	     /* fixed: --forward given; the rest is unset without it */
	uint16_t port_id;    /* fixed */
	uint16_t nb_txq;     /* fixed */
	const char *devargs; /* fixed: the device as probed */
	const char *name;    /* fixed */
	const char *driver;  /* fixed */
	uint64_t opackets;   /* main: the PMD's tx counters */
	uint64_t oerrors;    /* main */
};

/* What retention deleted; written by the rotation thread only (lc_counter_add). */
struct lc_retention_counters {
	uint64_t files_deleted; /* capture files (their FILE.idx went with them) */
	uint64_t bytes_deleted; /* bytes of those capture files, sidecars not included */
	/* gauges, stored (relaxed) after every pass: */
	uint64_t kept_bytes; /* the finished files and their sidecars left */
	uint64_t over_bytes; /* how far the budget is still exceeded, 0 = kept */
};

/* --max-disk / --min-free. */
struct lc_view_retention {
	bool on;	   /* fixed: either option given; the rest unset without */
	uint64_t max_disk; /* fixed: bytes, 0 = none */
	double min_free;   /* fixed: percent, 0 = none */
	const struct lc_retention_counters *cnt; /* live: owned by the rotation thread */
};

#define LC_VIEW_MAX_RX (LC_MAX_PORTS * LC_MAX_QUEUES)
#define LC_VIEW_MAX_RINGS (LC_VIEW_MAX_RX * LC_MAX_WRITERS)

struct lc_stats_view {
	bool pcap;	   /* fixed: libpcap path (ps_* counters meaningful, no lcores) */
	bool filter_on;	   /* fixed: a filter runs in linecap: `filtered` is meaningful */
	bool rotating;	   /* fixed: -C/-G: writers' paths and files as described above */
	uint64_t start_ns; /* main: CLOCK_MONOTONIC at lc_engine_start, 0 = not started */
	uint64_t end_ns;   /* main: CLOCK_MONOTONIC at lc_engine_join, 0 = running */
	unsigned int nb_ports, nb_rx, nb_rings, nb_writers; /* fixed */
	struct lc_view_port ports[LC_MAX_PORTS];
	struct lc_view_rx rx[LC_VIEW_MAX_RX];
	struct lc_view_ring rings[LC_VIEW_MAX_RINGS];
	struct lc_view_writer writers[LC_MAX_WRITERS];
	struct lc_view_forward fwd;
	struct lc_view_retention retention;
};

/*
 * Sum every counter of `v` now (stats/totals.c). Any thread that may hold
 * the view; the sum is a consistent-enough snapshot (each counter only grows).
 */
void lc_stats_totals(const struct lc_stats_view *v, struct lc_totals *t);

/* Matches every rx task, or every writer, in lc_stats_rings. */
#define LC_VIEW_ANY UINT_MAX

/*
 * The ring counters summed over the rings from rx task `rx` to writer
 * `writer` (indexes, or LC_VIEW_ANY): e.g. (LC_VIEW_ANY, w) is what writer w
 * wrote, (r, LC_VIEW_ANY) what of rx task r's packets was written.
 */
void lc_stats_rings(const struct lc_stats_view *v, unsigned int rx, unsigned int writer,
		struct lc_ring_counters *sum);

/*
 * --compress: the compression counters of writer `writer` (or of every
 * writer: LC_VIEW_ANY) summed into `sum`. False (sum zeroed) when no writer
 * compresses.
 */
bool lc_stats_compress(const struct lc_stats_view *v, unsigned int writer,
		struct lc_compress_counters *sum);

/* Seconds from lc_engine_start to lc_engine_join, or to now while running. */
double lc_stats_elapsed(const struct lc_stats_view *v);

/*
 * Publication to threads other than the main lcore (stats/view_pub.c): the
 * telemetry thread today, a metrics endpoint tomorrow. One view at a time.
 */

/* Publish `v` (its engine, main lcore). 0, or -EBUSY if another view is published. */
int lc_stats_publish(const struct lc_stats_view *v);

/*
 * Withdraw `v` (a no-op if it is not the one published), then wait until no
 * reader holds it; after the return the engine may free it. Main lcore.
 */
void lc_stats_retract(const struct lc_stats_view *v);

/*
 * A reader takes the published view: NULL when there is none (no capture;
 * then no lc_stats_leave). Otherwise the view stays valid until
 * lc_stats_leave, which must follow soon: retraction waits for it.
 */
const struct lc_stats_view *lc_stats_enter(void);
void lc_stats_leave(void);

#endif
