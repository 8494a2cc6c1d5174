/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef LINECAP_BLOCK_HOOK_H
#define LINECAP_BLOCK_HOOK_H

/*
 * The sealed-block hook: a callback that sees every block of an output file
 * once, after the writer sealed it (its bytes are final) and before the
 * block is handed to the medium. An index written beside each file, or
 * inline compression, plug in here.
 *
 * A writer's blocks reach the hook in file order, and the blocks of one file
 * are contiguous: each block's `offset` is the previous block's
 * `offset + len`, from 0 (the file header) to the file's exact length (the
 * end-of-file statistics of pcapng included). Blocks of different writers
 * are independent. On a pipe (-w -) the "file" is the stream, and every
 * partial flush to the reader is a block of its own.
 *
 * Light-traffic flushes (--flush-ms) write a prefix of a block that is still
 * being filled; the hook does not see them: it sees the block once, whole,
 * when it is sealed.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct lc_engine;

/* One sealed block. Valid only during the call. */
struct lc_block_info {
	const uint8_t *data; /* the block's bytes: bytes [offset, offset + len) of the file */
	size_t len;	     /* > 0; O_DIRECT padding of a file's last block not included */
	uint64_t offset;     /* file offset of data[0] */
	unsigned int writer; /* the writer (= file of -w ...%q) */
	uint64_t file_seq;   /* the writer's files, numbered in order from 0 */
	/*
	 * The file while it is written: the -w name, or with -C/-G its
	 * temporary name (.linecap-PID-WRITER-SEQ.part), renamed to the final
	 * name after its last block is on the medium.
	 */
	const char *path;
	bool last_of_file; /* the file ends with this block */
	/*
	 * Packet records (pcap records, pcapng EPBs) whose FIRST byte lies in
	 * this block. A record may end in the next block (it then counts here,
	 * not there), so the counts of a file's blocks add up to the packets in
	 * the file. File headers and pcapng statistics blocks are not packets.
	 */
	uint32_t nb_records;
	uint32_t first_record; /* data offset where the first of them starts (== len if none) */
	/*
	 * Timestamps of the first and the last of those records, as stored in
	 * the file, in ns since the epoch (microsecond files: multiples of
	 * 1000). 0 when nb_records is 0.
	 */
	uint64_t first_ns;
	uint64_t last_ns;
	/*
	 * --compress: the block went out as one zstd frame (its file header, at
	 * offset 0, as a frame of its own before it), at [zoffset, zend) of the
	 * compressed file (zoffset == zend: no records, no frame). zdata holds
	 * the compressed file's bytes [zdata_off, zend): the stream's bytes not
	 * yet written before the frame, then the frame(s). zdata NULL: not
	 * compressed (or the frame failed: its records are lost, counted).
	 */
	const uint8_t *zdata;
	uint64_t zdata_off;
	uint64_t zoffset;
	uint64_t zend;
};

/*
 * One packet record as the writer packs it, for the record tap. Valid only
 * during the call.
 */
struct lc_record_info {
	const uint8_t *data; /* the packet bytes the record holds (caplen) */
	uint32_t caplen;
	uint32_t len;	 /* the record's length in the file: header, data, padding, trailer */
	uint64_t offset; /* file offset of the record's first byte */
	uint64_t ns;	 /* time stamp as the file stores it, in ns (us files: multiple of 1000) */
	unsigned int writer; /* as lc_block_info */
	uint64_t file_seq;   /* as lc_block_info */
	const char *path;    /* as lc_block_info */
	const void *summary; /* what `summarise` wrote for this packet on the rx lcore, or NULL */
};

/* Bytes a summary may take (one cache line). */
#define LC_RECORD_SUMMARY_SIZE 64

/*
 * The callback. It runs on the writer's own thread (the writer lcore, or the
 * libpcap capture thread; the writer's last block at the end of a capture
 * on the thread that calls lc_engine_join), never concurrently for one
 * writer, but concurrently for different writers. It must not block,
 * allocate, take locks or make system calls that may sleep: the writer
 * packs no packet while it runs. Zero cost when no hook is set.
 */
struct lc_block_hook {
	void (*sealed)(const struct lc_block_info *b, void *arg);
	void *arg;
	/*
	 * Optional, rotation (-C/-G) only, on the rotation control thread,
	 * which may block and do file I/O: `published` after the file written
	 * as `tmp` (the path its blocks carried) was renamed to `name`, before
	 * -W and -z see it; `deleted` after -W deleted the published file
	 * `name`, or a file `tmp` that received no byte was dropped. A sidecar
	 * (the index) follows its capture file with these.
	 */
	void (*published)(unsigned int writer, const char *tmp, const char *name, void *arg);
	void (*deleted)(unsigned int writer, const char *name, void *arg);
	/*
	 * Optional record tap, on the writer's thread under the rules of
	 * `sealed`: every packet record, in file order, as it is packed, so
	 * before the block holding its first byte reaches `sealed`; never file
	 * headers or statistics blocks. With a record tap set the writer does not
	 * walk sealed blocks: lc_block_info's nb_records, first_ns and last_ns
	 * are 0 and first_record is len.
	 */
	void (*record)(const struct lc_record_info *r, void *arg);
	/*
	 * Optional, with `record` (DPDK path): runs on the rx lcore for each
	 * accepted packet whose first segment holds all `caplen` bytes its record
	 * will hold, before the packet goes to its writer, if that writer runs on
	 * another lcore (else r->summary is NULL: the tap, on the same lcore,
	 * works from the record's bytes); writes at most
	 * LC_RECORD_SUMMARY_SIZE bytes to `out` and returns true, or false for no
	 * summary. The record tap receives `out` as r->summary (NULL without one).
	 * Same rules as `sealed`. So a per-packet computation the tap needs (the
	 * index's keys) is done once, on the lcore that has just touched the
	 * packet, and the writer's thread only folds the result in.
	 */
	bool (*summarise)(const uint8_t *pkt, uint32_t caplen, void *out, void *arg);
};

/*
 * Set the hook of every writer of `e` (NULL or sealed == NULL: none), after
 * lc_engine_create and before lc_engine_start. 0, or -EBUSY once started.
 * With `summarise` on the DPDK path it also registers an mbuf dynamic field
 * (a pointer to the packet's summary) and gives every rx -> writer ring its
 * summary slots: the next power of two above the ring's capacity plus two
 * bursts, LC_RECORD_SUMMARY_SIZE bytes each (-ENOMEM). Without room for the
 * dynamic field there are no summaries: every r->summary is NULL.
 */
int lc_engine_set_block_hook(struct lc_engine *e, const struct lc_block_hook *hook);

#endif
