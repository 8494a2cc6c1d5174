/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef LINECAP_CONFIG_H
#define LINECAP_CONFIG_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>

#include <linecap/compress.h>

#define LC_MAX_PORTS 16
#define LC_MAX_QUEUES 16
#define LC_MAX_WRITERS LC_MAX_QUEUES
#define LC_MAX_BURST 512
#define LC_DEFAULT_SNAPLEN 262144u

/* Where packets come from (--source). */
enum lc_source_kind {
	LC_SOURCE_AUTO = 0, /* a kernel netdev name -> libpcap, anything else -> DPDK */
	LC_SOURCE_DPDK,
	LC_SOURCE_PCAP, /* libpcap on kernel interfaces: no EAL, no hugepages */
};

#define LC_FILTER_MAX 4096

enum lc_tstamp_precision {
	LC_TSTAMP_NANO = 0,
	LC_TSTAMP_MICRO,
};

/* One -i argument. */
struct lc_port_conf {
	char devargs[1024]; /* as given: PCI address or DPDK devargs string */
};

/*
 * Everything `linecap capture` was asked to do. Plain data, built by the CLI
 * before EAL init and read-only once lcores launch.
 */
struct lc_capture_conf {
	struct lc_port_conf ports[LC_MAX_PORTS];
	unsigned int nb_ports;
	char output[PATH_MAX]; /* -w: file name pattern (%q = writer), "-" = stdout */
	/* Output files (writer side): format and rotation. */
	char format[8];		    /* -F: "pcap" (default) or "pcapng" */
	uint64_t rotate_bytes;	    /* -C: bytes per file (MB x 1,000,000), 0 = no limit */
	uint32_t rotate_secs;	    /* -G: new file on each multiple of SEC, 0 = never */
	uint32_t rotate_files;	    /* -W: files kept per writer, 0 = all */
	char post_rotate[PATH_MAX]; /* -z: run as `CMD FILE` on every finished file */
	enum lc_tstamp_precision tstamp_precision;
	uint32_t snaplen;		 /* -s */
	uint64_t count;			 /* -c, 0 = unlimited */
	double duration;		 /* --duration seconds, 0 = unlimited */
	uint16_t nb_queues;		 /* --queues: rx queues (and writers) per port */
	char lcores[256];		 /* --lcores: "auto" or an EAL-style list, first = main */
	char pmd_config[PATH_MAX];	 /* --pmd-config: name or file, "" = by driver */
	char eal_args[4096];		 /* --eal: passed to rte_eal_init verbatim */
	char stats_json[PATH_MAX];	 /* --stats-json, "" = none */
	bool quiet;			 /* -q: no live status line */
	bool direct_io;			 /* use O_DIRECT where the file system allows it */
	bool stop_on_disk_full;		 /* --on-disk-full stop (default drop) */
	char filter_expr[LC_FILTER_MAX]; /* -f or trailing words: tcpdump expression, "" = none */
	/* Filters and sources (rx side). */
	enum lc_source_kind source; /* --source */
	uint32_t buffer_kib;	    /* -B: libpcap kernel buffer in KiB, 0 = default */
	/* --forward: DPDK devargs of the port that re-sends accepted packets, "" = none */
	char forward[1024];
	uint32_t flush_ms; /* --flush-ms: a packet reaches the medium within this long, 0 = off */
	uint32_t mtu;	   /* --mtu: port MTU, 0 = from the snap length and the device */

	/* Retention (with -C/-G): the rotation thread deletes the oldest finished files. */
	uint64_t max_disk; /* --max-disk: bytes of this -w pattern's files, 0 = off */
	double min_free;   /* --min-free: percent of the file system kept free, 0 = off */
	bool index;	   /* --index: write FILE.idx beside each capture file (pcap, files only) */

	/* --compress zstd[:LEVEL]: each sealed block becomes one zstd frame. */
	enum lc_compress_kind compress; /* LC_COMPRESS_NONE = off */
	int compress_level;		/* LC_ZSTD_LEVEL_MIN..MAX */
};

/* Defaults for every field. */
void lc_capture_conf_init(struct lc_capture_conf *conf);

#endif
