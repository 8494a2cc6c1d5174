/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * seqpkt: sequence-numbered test traffic for the zero-loss bench (bench/ndr).
 *
 *   seqpkt gen OUT SIZE|imix NPKTS
 *       Write NPKTS Ethernet/IPv4/UDP packets to the pcap file OUT. SIZE is
 *       the Ethernet frame size with its 4-byte FCS, as in RFC 2544 (64 ..
 *       1518), so each record holds SIZE - 4 bytes. `imix` cycles 64, 570 and
 *       1518 B frames 7:4:1. The UDP payload starts with "LCSQ", the packet's
 *       sequence number (0 .. NPKTS-1) and its frame size, big endian.
 *
 *   seqpkt count FILE NPKTS LOOPS
 *       Read FILE (pcap or pcapng, with libpcap) and count the sequence
 *       numbers: a sender that sent the NPKTS-packet file LOOPS times should
 *       show every number LOOPS times. Prints one JSON object: packets,
 *       seq_packets, stray (no LCSQ tag or a wrong length), distinct,
 *       missing = sum over numbers of max(0, LOOPS - seen),
 *       duplicates = sum of max(0, seen - LOOPS), expected = NPKTS * LOOPS.
 *
 * Exit status: 0 done (count: whatever the numbers say), 2 usage or I/O error.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pcap/pcap.h>

#define ETH_LEN 14
#define IP_LEN 20
#define UDP_LEN 8
#define TAG_OFF (ETH_LEN + IP_LEN + UDP_LEN)
#define TAG "LCSQ"
#define TAG_LEN 12 /* tag, sequence number, frame size */
#define FCS_LEN 4
#define MIN_FRAME 64
#define MAX_FRAME 1518

static const unsigned int imix_pattern[] = {64, 570, 64, 64, 570, 64, 1518, 64, 570, 64, 570, 64};

static void
die(const char *fmt, const char *arg)
{
	fputs("seqpkt: ", stderr);
	fprintf(stderr, fmt, arg);
	fputc('\n', stderr);
	exit(2);
}

static unsigned long
parse_ulong(const char *s, unsigned long max)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v == 0 || v > max)
		die("bad number '%s'", s);
	return v;
}

static void
put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void
put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)(v >> 16));
	put16(p + 2, (uint16_t)v);
}

static uint32_t
get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint16_t
ip_checksum(const uint8_t *h)
{
	uint32_t sum = 0;
	int i;

	for (i = 0; i < IP_LEN; i += 2)
		sum += (uint32_t)h[i] << 8 | h[i + 1];
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* One frame of `frame` bytes (FCS included) into buf; returns the record length. */
static unsigned int
build(uint8_t *buf, unsigned int frame, uint32_t seq)
{
	static const uint8_t dst[6] = {0x02, 0, 0, 0, 0, 0x02}, src[6] = {0x02, 0, 0, 0, 0, 0x01};
	unsigned int len = frame - FCS_LEN;
	uint8_t *ip = buf + ETH_LEN, *udp = ip + IP_LEN, *tag = udp + UDP_LEN;

	memset(buf, 0, len);
	memcpy(buf, dst, 6);
	memcpy(buf + 6, src, 6);
	put16(buf + 12, 0x0800);
	ip[0] = 0x45;
	put16(ip + 2, (uint16_t)(len - ETH_LEN));
	ip[8] = 64;
	ip[9] = 17;
	put32(ip + 12, 0xc6120001); /* 198.18.0.1 -> 198.18.0.2 (RFC 2544 range) */
	put32(ip + 16, 0xc6120002);
	put16(ip + 10, ip_checksum(ip));
	put16(udp, 1024);
	put16(udp + 2, 9); /* discard */
	put16(udp + 4, (uint16_t)(len - ETH_LEN - IP_LEN));
	memcpy(tag, TAG, 4);
	put32(tag + 4, seq);
	put32(tag + 8, frame);
	return len;
}

static int
cmd_gen(int argc, char **argv)
{
	static uint8_t buf[MAX_FRAME];
	unsigned long frame = 0, n, i;
	pcap_t *p;
	pcap_dumper_t *d;

	if (argc != 4)
		die("%s", "usage: seqpkt gen OUT SIZE|imix NPKTS");
	if (strcmp(argv[2], "imix") != 0) {
		frame = parse_ulong(argv[2], MAX_FRAME);
		if (frame < MIN_FRAME)
			die("frame size '%s' below 64", argv[2]);
	}
	n = parse_ulong(argv[3], UINT32_MAX);
	p = pcap_open_dead(DLT_EN10MB, 65535);
	if (p == NULL)
		die("%s", "pcap_open_dead failed");
	d = pcap_dump_open(p, argv[1]);
	if (d == NULL)
		die("%s", pcap_geterr(p));
	for (i = 0; i < n; i++) {
		unsigned int f =
				frame != 0 ? (unsigned int)frame
					   : imix_pattern[i %
							     (sizeof(imix_pattern) /
									     sizeof(imix_pattern[0]))];
		struct pcap_pkthdr h;

		h.caplen = h.len = build(buf, f, (uint32_t)i);
		h.ts.tv_sec = (time_t)(i / 1000000);
		h.ts.tv_usec = (suseconds_t)(i % 1000000);
		pcap_dump((u_char *)d, &h, buf);
	}
	if (pcap_dump_flush(d) != 0)
		die("cannot write %s", argv[1]);
	pcap_dump_close(d);
	pcap_close(p);
	return 0;
}

static int
cmd_count(int argc, char **argv)
{
	char errbuf[PCAP_ERRBUF_SIZE];
	unsigned long n, loops, s;
	unsigned long long packets = 0, seq_pkts = 0, stray = 0, distinct = 0, missing = 0,
			   dups = 0;
	uint32_t *seen;
	struct pcap_pkthdr *h;
	const u_char *data;
	pcap_t *p;
	int rc;

	if (argc != 4)
		die("%s", "usage: seqpkt count FILE NPKTS LOOPS");
	n = parse_ulong(argv[2], UINT32_MAX);
	loops = parse_ulong(argv[3], UINT32_MAX);
	seen = calloc(n, sizeof(*seen));
	if (seen == NULL)
		die("%s", "out of memory");
	p = pcap_open_offline(argv[1], errbuf);
	if (p == NULL)
		die("%s", errbuf);
	while ((rc = pcap_next_ex(p, &h, &data)) == 1) {
		uint32_t seq;

		packets++;
		if (h->caplen < TAG_OFF + TAG_LEN || memcmp(data + TAG_OFF, TAG, 4) != 0) {
			stray++;
			continue;
		}
		seq = get32(data + TAG_OFF + 4);
		if (seq >= n || get32(data + TAG_OFF + 8) != h->len + FCS_LEN) {
			stray++;
			continue;
		}
		seq_pkts++;
		if (seen[seq] != UINT32_MAX)
			seen[seq]++;
	}
	if (rc == -1)
		die("%s", pcap_geterr(p));
	pcap_close(p);
	for (s = 0; s < n; s++) {
		distinct += seen[s] != 0;
		if (seen[s] < loops)
			missing += loops - seen[s];
		else
			dups += seen[s] - loops;
	}
	free(seen);
	printf("{\"packets\": %llu, \"seq_packets\": %llu, \"stray\": %llu, \"distinct\": %llu, "
	       "\"missing\": %llu, \"duplicates\": %llu, \"expected\": %llu}\n",
			packets, seq_pkts, stray, distinct, missing, dups,
			(unsigned long long)n * loops);
	return 0;
}

int
main(int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "gen") == 0)
		return cmd_gen(argc - 1, argv + 1);
	if (argc >= 2 && strcmp(argv[1], "count") == 0)
		return cmd_count(argc - 1, argv + 1);
	fputs("usage: seqpkt gen OUT SIZE|imix NPKTS\n"
	      "       seqpkt count FILE NPKTS LOOPS\n",
			argc >= 2 && strcmp(argv[1], "--help") == 0 ? stdout : stderr);
	return argc >= 2 && strcmp(argv[1], "--help") == 0 ? 0 : 2;
}
