/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef LINECAP_REPLAY_PCAP_READER_H
#define LINECAP_REPLAY_PCAP_READER_H

/*
 * A validating reader of pcap and pcapng files (our own, not libpcap's, so
 * that every complaint can name the byte offset it is about).
 *
 * Memory is bounded whatever the input: one record buffer of
 * LC_READER_MAX_CAPLEN bytes and at most LC_READER_MAX_IFACES interfaces.
 * A record that starts but does not end before end of file is a truncated
 * tail: it is not an error, the reader reports end of file and sets
 * `truncated` and `trunc_offset`, so the complete records before it can be
 * used. Everything else that is inconsistent is an error naming the file
 * and offset.
 */

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <linecap/error.h>

#include "reader/zst_reader.h"

#define LC_READER_MAX_CAPLEN 262144u		/* tcpdump's maximum snaplen */
#define LC_READER_MAX_BLOCK (16u * 1024 * 1024) /* pcapng block, as libpcap */
#define LC_READER_MAX_IFACES 256u

enum lc_file_format {
	LC_FILE_PCAP = 0,
	LC_FILE_PCAPNG,
};

struct lc_pcap_iface {
	uint32_t linktype;
	uint32_t snaplen;  /* 0 = no limit given */
	uint64_t ts_div;   /* ticks per second (if_tsresol) */
	int64_t ts_offset; /* if_tsoffset, seconds */
};

struct lc_pcap_reader {
	FILE *f;
	char path[4096];
	enum lc_file_format format;
	bool swapped;		  /* file byte order differs from ours */
	uint64_t offset;	  /* of the next unread byte (a .zst: of the decoded stream) */
	uint64_t file_size;	  /* at open (a .zst: its decoded bytes) */
	struct lc_zst_info zst;	  /* a .zst file (zstd frames): what its open learned */
	uint32_t linktype;	  /* of the first interface: every packet must match */
	uint64_t linktype_offset; /* where it is written */
	/*
	 * Off (the default): read as libpcap does, so that every file tcpdump -r
	 * reads is read alike (pcap: a record longer than the snaplen is cut to it,
	 * caplen > len is taken, files of version 2.0-2.3 have the two lengths
	 * swapped). On (repair: linecap's own files): such records are errors,
	 * they mark where the garbage begins.
	 */
	bool strict;
	/* pcap */
	uint32_t snaplen;
	uint16_t minor; /* version 2.minor */
	bool nanosecond;
	/* pcapng: interfaces of the current section */
	struct lc_pcap_iface ifaces[LC_READER_MAX_IFACES];
	unsigned int nb_ifaces;
	bool have_linktype;
	/* the tail */
	bool truncated;
	uint64_t trunc_offset; /* where the truncated record starts */
	uint8_t scratch[4096]; /* skipped bytes land here, never in buf */
	uint8_t *buf;	       /* LC_READER_MAX_CAPLEN bytes */
};

/* One packet record. `data` points into the reader's buffer until the next call. */
struct lc_pcap_record {
	uint64_t offset; /* of the record (pcap) or block (pcapng) */
	uint64_t ts_ns;	 /* since the epoch */
	uint32_t caplen;
	uint32_t len;
	const uint8_t *data;
};

/*
 * Open `path` and read its file header (pcapng: the first section header).
 * 0, or -1 with err set (LC_ERR_INPUT for malformed files). Set `strict`
 * after it, before the first record, for linecap's own files.
 */
int lc_pcap_reader_open(struct lc_pcap_reader *r, const char *path, struct lc_error *err);

/*
 * The same on the stream `f` (owned from then on, closed on failure too) of
 * `size` bytes, named `path` in errors: the query's frame-at-a-time .zst
 * stream (reader/zst_unit.h), whose size it sets anew for each frame.
 */
int lc_pcap_reader_open_stream(struct lc_pcap_reader *r, FILE *f, uint64_t size, const char *path,
		struct lc_error *err);

/*
 * The next packet. With `want_data` false the packet bytes are skipped
 * (a validating pre-scan). Returns 1 with `rec` filled, 0 at end of file
 * (check `truncated`), or -1 with err set.
 */
int lc_pcap_reader_next(struct lc_pcap_reader *r, struct lc_pcap_record *rec, bool want_data,
		struct lc_error *err);

/* Back to the first packet. 0 or -1 with err set. */
int lc_pcap_reader_rewind(struct lc_pcap_reader *r, struct lc_error *err);

void lc_pcap_reader_close(struct lc_pcap_reader *r);

#endif
