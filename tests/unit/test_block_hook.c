/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The sealed-block hook (linecap/block_hook.h) against the files read back
 * with libpcap. A real capture (real EAL, net_null or net_pcap, the engine's
 * own writer) runs with a hook that records every block; afterwards, for
 * every file:
 *   - its blocks are contiguous from offset 0 to the file's exact size, and
 *     only the last one says last_of_file;
 *   - the bytes the hook saw are the file's bytes at that offset (checksum);
 *   - libpcap's records, located by their file offset, start in the block
 *     whose nb_records counts them: per block the count, the offset of the
 *     first record, and the first and last timestamps match exactly, and
 *     every record's timestamp lies between them;
 *   - the counts add up to the packets in the file, and the files hold the
 *     -c packets.
 *
 * Usage: test_block_hook CASE   (CASE: pcap | pcapng-rotate | pcap-micro-rotate)
 * Files go to a new directory under /var/tmp (a disk: O_DIRECT), removed at the end.
 */
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <pcap/pcap.h>

#include <linecap/block_hook.h>
#include <linecap/config.h>
#include <linecap/engine.h>

#include "check.h"

#define MAX_BLOCKS 4096

struct seen {
	unsigned int writer;
	uint64_t file_seq;
	char path[PATH_MAX];
	uint64_t offset;
	size_t len;
	bool last_of_file;
	uint32_t nb_records, first_record;
	uint64_t first_ns, last_ns;
	uint64_t sum; /* FNV-1a of the bytes */
};

static struct seen seen[MAX_BLOCKS];
static unsigned int nb_seen;
static unsigned int hook_overflow;

static uint64_t
fnv1a(uint64_t h, const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		h ^= p[i];
		h *= UINT64_C(0x100000001b3);
	}
	return h;
}

#define FNV_INIT UINT64_C(0xcbf29ce484222325)

/* The hook: no allocation, no blocking; writes into the preallocated table. */
static void
on_sealed(const struct lc_block_info *b, void *arg)
{
	struct seen *s;

	(void)arg;
	if (nb_seen == MAX_BLOCKS) {
		hook_overflow++;
		return;
	}
	s = &seen[nb_seen++];
	s->writer = b->writer;
	s->file_seq = b->file_seq;
	snprintf(s->path, sizeof(s->path), "%s", b->path);
	s->offset = b->offset;
	s->len = b->len;
	s->last_of_file = b->last_of_file;
	s->nb_records = b->nb_records;
	s->first_record = b->first_record;
	s->first_ns = b->first_ns;
	s->last_ns = b->last_ns;
	s->sum = fnv1a(FNV_INIT, b->data, b->len);
}

/* An input with sizes from 60 to 1514 bytes and some 9000-byte frames. */
static int
make_input(const char *path, unsigned int n)
{
	static uint8_t pkt[9000];
	pcap_t *d = pcap_open_dead(DLT_EN10MB, 65535);
	pcap_dumper_t *w = d != NULL ? pcap_dump_open(d, path) : NULL;
	unsigned int i, k;

	if (w == NULL)
		return -1;
	for (i = 0; i < n; i++) {
		struct pcap_pkthdr h = {.ts = {.tv_sec = 1700000000 + i / 1000,
							.tv_usec = (suseconds_t)(i % 1000) * 1000}};

		h.caplen = h.len = i % 97 == 0 ? 9000u : 60u + (i * 7919u) % 1455u;
		for (k = 0; k < h.caplen; k++)
			pkt[k] = (uint8_t)(i + k);
		pcap_dump((u_char *)w, &h, pkt);
	}
	pcap_dump_close(w);
	pcap_close(d);
	return 0;
}

/* Length of the record whose libpcap header is h, as the writer lays it out. */
static uint64_t
record_len(bool pcapng, const struct pcap_pkthdr *h)
{
	return pcapng ? 28u + ((h->caplen + 3u) & ~3u) + 4u : 16u + h->caplen;
}

/* Check one file against its blocks seen[from, to) (one writer, one file_seq). */
static uint64_t
check_file(const char *name, bool pcapng, unsigned int from, unsigned int to)
{
	char errbuf[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *h;
	const u_char *data;
	uint64_t off = 0, pkts = 0, sum_nb = 0, in_block = 0;
	unsigned int i, cur = from;
	struct stat st;
	FILE *raw;
	pcap_t *p;
	int r;

	CHECK(stat(name, &st) == 0, "%s: %s", name, strerror(errno));
	for (i = from; i < to; i++) {
		CHECK(seen[i].offset == off, "%s: block %u at %" PRIu64 ", expected %" PRIu64, name,
				i - from, seen[i].offset, off);
		CHECK(seen[i].len > 0, "%s: empty block", name);
		CHECK(seen[i].last_of_file == (i == to - 1), "%s: block %u last_of_file %d", name,
				i - from, seen[i].last_of_file);
		off = seen[i].offset + seen[i].len;
		sum_nb += seen[i].nb_records;
	}
	CHECK(off == (uint64_t)st.st_size, "%s: blocks end at %" PRIu64 ", file size %lld", name,
			off, (long long)st.st_size);
	/* The bytes. */
	raw = fopen(name, "rb");
	CHECK(raw != NULL, "%s: cannot open", name);
	for (i = from; raw != NULL && i < to; i++) {
		uint8_t *buf = malloc(seen[i].len);

		if (buf == NULL || fseek(raw, (long)seen[i].offset, SEEK_SET) != 0 ||
				fread(buf, 1, seen[i].len, raw) != seen[i].len)
			CHECK(false, "%s: cannot read block %u", name, i - from);
		else
			CHECK(fnv1a(FNV_INIT, buf, seen[i].len) == seen[i].sum,
					"%s: block %u: the hook's bytes differ from the file's",
					name, i - from);
		free(buf);
	}
	if (raw != NULL)
		fclose(raw);
	/* The records, by their file offset. */
	p = pcap_open_offline_with_tstamp_precision(name, PCAP_TSTAMP_PRECISION_NANO, errbuf);
	CHECK(p != NULL, "%s: libpcap: %s", name, errbuf);
	if (p == NULL)
		return 0;
	while ((r = pcap_next_ex(p, &h, &data)) == 1) {
		uint64_t end = (uint64_t)ftell(pcap_file(p));
		uint64_t start = end - record_len(pcapng, h);
		uint64_t ns = (uint64_t)h->ts.tv_sec * 1000000000u + (uint64_t)h->ts.tv_usec;

		while (cur < to && start >= seen[cur].offset + seen[cur].len) {
			CHECK(in_block == seen[cur].nb_records,
					"%s: block %u: %" PRIu64
					" records start in it, hook said %u",
					name, cur - from, in_block, seen[cur].nb_records);
			if (in_block == 0)
				CHECK(seen[cur].first_record == seen[cur].len &&
								seen[cur].first_ns == 0 &&
								seen[cur].last_ns == 0,
						"%s: block %u without records", name, cur - from);
			cur++;
			in_block = 0;
		}
		if (cur == to) {
			CHECK(false, "%s: a record at %" PRIu64 " is past every block", name,
					start);
			break;
		}
		if (in_block == 0) {
			CHECK(start - seen[cur].offset == seen[cur].first_record,
					"%s: block %u: first record at %" PRIu64 ", hook said %u",
					name, cur - from, start - seen[cur].offset,
					seen[cur].first_record);
			CHECK(ns == seen[cur].first_ns,
					"%s: block %u: first stamp %" PRIu64 ", hook said %" PRIu64,
					name, cur - from, ns, seen[cur].first_ns);
		}
		CHECK(ns >= seen[cur].first_ns && ns <= seen[cur].last_ns,
				"%s: block %u: stamp %" PRIu64 " outside [%" PRIu64 ", %" PRIu64
				"]",
				name, cur - from, ns, seen[cur].first_ns, seen[cur].last_ns);
		in_block++;
		if (in_block == seen[cur].nb_records)
			CHECK(ns == seen[cur].last_ns,
					"%s: block %u: last stamp %" PRIu64 ", hook said %" PRIu64,
					name, cur - from, ns, seen[cur].last_ns);
		pkts++;
	}
	CHECK(r == PCAP_ERROR_BREAK || r == -2, "%s: libpcap: %s", name, pcap_geterr(p));
	pcap_close(p);
	for (; cur < to; cur++, in_block = 0)
		CHECK(in_block == seen[cur].nb_records,
				"%s: block %u: %" PRIu64 " records, hook %u", name, cur - from,
				in_block, seen[cur].nb_records);
	CHECK(sum_nb == pkts, "%s: blocks count %" PRIu64 " records, libpcap read %" PRIu64, name,
			sum_nb, pkts);
	printf("  %s: %u blocks, %" PRIu64 " bytes, %" PRIu64 " packets\n", name, to - from, off,
			pkts);
	return pkts;
}

/* Remove the test's directory and what is in it. */
static void
remove_dir(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;

	while (d != NULL && (de = readdir(d)) != NULL) {
		char p[PATH_MAX + 256];

		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		snprintf(p, sizeof(p), "%s/%s", dir, de->d_name);
		unlink(p);
	}
	if (d != NULL)
		closedir(d);
	rmdir(dir);
}

int
main(int argc, char **argv)
{
	struct lc_block_hook hook = {.sealed = on_sealed, .arg = NULL};
	static struct lc_capture_conf c;
	struct lc_error err = {0};
	struct lc_engine *e;
	char dir[] = "/var/tmp/linecap-block-hook.XXXXXX";
	const char *mode;
	bool pcapng, rotate;
	uint64_t total = 0, files = 0;
	unsigned int i, from;
	char in[256];

	if (argc != 2) {
		fprintf(stderr, "usage: test_block_hook pcap|pcapng-rotate|pcap-micro-rotate\n");
		return 2;
	}
	mode = argv[1];
	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	pcapng = strcmp(mode, "pcapng-rotate") == 0;
	rotate = strstr(mode, "rotate") != NULL;
	lc_capture_conf_init(&c);
	c.nb_ports = 1;
	c.source = LC_SOURCE_DPDK;
	c.quiet = true;
	snprintf(c.eal_args, sizeof(c.eal_args), "--no-huge -m 512");
	snprintf(c.output, sizeof(c.output), "%s/out.%s", dir, pcapng ? "pcapng" : "pcap");
	if (!rotate) {
		/* 64-byte frames, 80-byte records: 1 MiB blocks end inside a record. */
		snprintf(c.ports[0].devargs, sizeof(c.ports[0].devargs), "net_null0,size=64");
		c.count = 200000;
	} else {
		snprintf(in, sizeof(in), "%s/in.pcap", dir);
		if (make_input(in, 20000) < 0) {
			fprintf(stderr, "cannot write %s\n", in);
			return 1;
		}
		snprintf(c.ports[0].devargs, sizeof(c.ports[0].devargs), "net_pcap0,rx_pcap=%s",
				in);
		c.count = 20000;
		c.rotate_bytes = 3000000;
		if (pcapng)
			snprintf(c.format, sizeof(c.format), "pcapng");
		else
			c.tstamp_precision = LC_TSTAMP_MICRO;
	}
	if (lc_eal_setup(&c, false, &err) < 0) {
		fprintf(stderr, "EAL: %s\n", err.msg);
		return 1;
	}
	lc_eal_release_log(false);
	e = lc_engine_create(&c, NULL, &err);
	if (e == NULL) {
		fprintf(stderr, "engine: %s\n", err.msg);
		return 1;
	}
	CHECK(lc_engine_set_block_hook(e, &hook) == 0, "set the hook");
	if (lc_engine_start(e, &err) < 0) {
		fprintf(stderr, "start: %s\n", err.msg);
		return 1;
	}
	CHECK(lc_engine_set_block_hook(e, &hook) == -EBUSY, "the hook is set before start only");
	while (lc_engine_running(e)) {
		struct timespec nap = {0, 10L * 1000 * 1000};

		nanosleep(&nap, NULL);
	}
	CHECK(lc_engine_join(e, &err) == 0, "join: %s", err.msg);
	lc_engine_destroy(e);
	lc_eal_teardown();

	CHECK(hook_overflow == 0, "more than %d blocks", MAX_BLOCKS);
	CHECK(nb_seen > (rotate ? 6u : 15u), "only %u blocks seen", nb_seen);
	for (from = 0; from < nb_seen; from = i) {
		char name[PATH_MAX + 32];

		for (i = from; i < nb_seen && seen[i].file_seq == seen[from].file_seq; i++)
			CHECK(seen[i].writer == 0 && strcmp(seen[i].path, seen[from].path) == 0,
					"block %u: writer %u, path %s", i, seen[i].writer,
					seen[i].path);
		CHECK(seen[from].file_seq == files, "file_seq %" PRIu64 ", expected %" PRIu64,
				seen[from].file_seq, files);
		/* -C names: the pattern, then pattern1, pattern2, ... (tcpdump). */
		if (files == 0)
			snprintf(name, sizeof(name), "%s", c.output);
		else
			snprintf(name, sizeof(name), "%s%" PRIu64, c.output, files);
		if (rotate)
			CHECK(strstr(seen[from].path, ".part") != NULL,
					"a rotated file is written as a .part file: %s",
					seen[from].path);
		else
			CHECK(strcmp(seen[from].path, c.output) == 0, "path %s", seen[from].path);
		total += check_file(name, pcapng, from, i);
		files++;
	}
	CHECK(!rotate || files > 2, "-C made only %" PRIu64 " files", files);
	CHECK(total == c.count, "%" PRIu64 " packets in the files, -c %" PRIu64, total, c.count);
	remove_dir(dir);
	printf("block_hook %s: %u blocks in %" PRIu64 " files, %" PRIu64 " packets, %d failures\n",
			mode, nb_seen, files, total, failures);
	return failures ? 1 : 0;
}
