/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef LINECAP_STATS_H
#define LINECAP_STATS_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_common.h>

/*
 * Counters. Each one is written by exactly one lcore (its owner) with plain
 * stores; any other thread reads it with a relaxed atomic load. No counter is
 * ever reset while capture runs, so readers see them only grow.
 */

/* Owned by the rx lcore of one (port, queue). */
struct lc_rx_counters {
	uint64_t received;  /* packets returned by rte_eth_rx_burst */
	uint64_t rx_bytes;  /* their wire bytes (pkt_len) */
	uint64_t ring_full; /* packets freed because the writer's ring was full */
	/* rx side: filter and libpcap path */
	uint64_t filtered;  /* rejected by the BPF filter (DPDK path), or past -c (libpcap) */
	uint64_t ps_drop;   /* libpcap path: ps_drop, dropped by the kernel (ring full) */
	uint64_t ps_ifdrop; /* libpcap path: ps_ifdrop, dropped by the interface */
	/* --forward: accepted packets handed to the forward port, or refused by it */
	uint64_t forwarded;
	uint64_t forward_dropped;
} __rte_cache_aligned;

/* Owned by the writer lcore that drains one ring. */
struct lc_ring_counters {
	uint64_t written;	/* packets whose record reached the sink */
	uint64_t written_bytes; /* record bytes (header + caplen) handed to the sink */
	uint64_t write_errors;	/* packets lost because the sink failed to write */
	uint64_t pmd_short;	/* written, but the PMD gave fewer bytes than pkt_len */
} __rte_cache_aligned;

/* Port counters, read from the PMD by the main lcore only. */
struct lc_port_counters {
	uint64_t ipackets, ibytes;
	uint64_t imissed, ierrors, rx_nombuf;
	uint32_t supported; /* LC_CNT_* mask: others print "n/a" */
};

/* A consistent-enough snapshot of everything, summed by the main lcore. */
struct lc_totals {
	uint64_t received, rx_bytes;
	uint64_t written, written_bytes;
	uint64_t ring_full, write_errors;
	uint64_t pmd_short; /* not a drop: records cut to the bytes the PMD gave */
	uint64_t imissed, ierrors, rx_nombuf; /* only supported ones summed */
	bool imissed_known, ierrors_known, rx_nombuf_known;
	/* rx side: filter and libpcap path */
	uint64_t filtered, ps_drop, ps_ifdrop;
	bool filter_on; /* a filter runs in linecap: `filtered` is meaningful */
	bool pcap;	/* libpcap path: received = ps_recv, ps_drop and ps_ifdrop known */
	/* --forward: forwarded + forward_dropped = received - filtered */
	bool forward_on;
	uint64_t forwarded, forward_dropped;
	uint64_t forward_oerrors; /* the forward port's own tx errors (PMD), main lcore */
};

static inline uint64_t
lc_counter_read(const uint64_t *c)
{
	return __atomic_load_n(c, __ATOMIC_RELAXED);
}

/*
 * Single-writer increment: a plain add published with a release store (a plain
 * store on x86), so a reader that sees it also sees what its owner counted
 * before, and what reached it from upstream (lc_stats_totals relies on it).
 */
static inline void
lc_counter_add(uint64_t *c, uint64_t n)
{
	__atomic_store_n(c, *c + n, __ATOMIC_RELEASE);
}

#endif
