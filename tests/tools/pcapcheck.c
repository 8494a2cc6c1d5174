/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pcapcheck: reads pcap files back with libpcap and checks what linecap wrote.
 *
 * Every subcommand prints one result line on stdout ("pcapcheck CMD: OK ..."
 * or "pcapcheck CMD: FAIL ...") and exits
 *   0  the check holds,
 *   1  the check does not hold (mismatch),
 *   2  usage error, or a file that cannot be opened / written.
 * `count` and `linktype` print only the number on stdout, so a shell can use
 * $(pcapcheck count FILE).
 *
 * Besides the checks it has generators used by the tests and by its own
 * self-test (gen-flows, mutate, split), so the test suite can show that each
 * check is able to fail.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <pcap/pcap.h>

#define EXIT_MISMATCH 1
#define EXIT_USAGE 2

#define NSEC UINT64_C(1000000000)
#define MAGIC_MICRO 0xa1b2c3d4u
#define MAGIC_NANO 0xa1b23c4du
#define MAGIC_PCAPNG 0x0a0d0d0au

static const char *g_cmd = "pcapcheck";

/* ------------------------------------------------------------------ utils */

static void
result(bool ok, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
result(bool ok, const char *fmt, ...)
{
	va_list ap;

	printf("pcapcheck %s: %s ", g_cmd, ok ? "OK" : "FAIL");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

static void
die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

static void
die(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fprintf(stderr, "pcapcheck %s: error: ", g_cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(EXIT_USAGE);
}

static void *
xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (p == NULL)
		die("out of memory (%zu bytes)", n);
	return p;
}

static void *
xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (p == NULL)
		die("out of memory (%zu bytes)", n);
	return p;
}

static unsigned long long
parse_ull(const char *s, const char *what)
{
	char *end;
	unsigned long long v;

	if (s[0] == '-' || s[0] == '\0')
		die("bad %s '%s': expected a non-negative integer", what, s);
	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno != 0 || *end != '\0')
		die("bad %s '%s': expected a non-negative integer", what, s);
	return v;
}

/*
 * Open FILE for reading with nanosecond timestamps (whatever the file's own
 * precision, libpcap scales it). Exits 2 naming the file when it can't.
 */
static pcap_t *
open_in(const char *path)
{
	char errbuf[PCAP_ERRBUF_SIZE];
	pcap_t *p;

	errbuf[0] = '\0';
	p = pcap_open_offline_with_tstamp_precision(path, PCAP_TSTAMP_PRECISION_NANO, errbuf);
	if (p == NULL)
		die("cannot open '%s': %s", path, errbuf);
	return p;
}

/*
 * Read the next packet. Returns 1 with a packet, 0 at EOF, -1 on a read error
 * (message copied to err, which has PCAP_ERRBUF_SIZE bytes).
 */
static int
next_pkt(pcap_t *p, struct pcap_pkthdr **h, const u_char **data, char *err)
{
	int rc = pcap_next_ex(p, h, data);

	if (rc == 1)
		return 1;
	if (rc == PCAP_ERROR_BREAK)
		return 0;
	snprintf(err, PCAP_ERRBUF_SIZE, "%s", pcap_geterr(p));
	return -1;
}

/*
 * Magic number of a savefile, read from its first four bytes (either byte
 * order). libpcap scales timestamps to the precision asked for at open time
 * and pcap_get_tstamp_precision() reports that requested precision, not the
 * file's, so the magic is the only honest way to know what was written.
 * Returns 0 and sets *magic, or -1 with errno/short-file message in why.
 */
static int
read_magic(const char *path, uint32_t *magic, char *why, size_t whylen)
{
	unsigned char b[4];
	FILE *f = fopen(path, "rb");
	size_t n;
	uint32_t be, le;

	if (f == NULL) {
		snprintf(why, whylen, "cannot open: %s", strerror(errno));
		return -1;
	}
	n = fread(b, 1, 4, f);
	fclose(f);
	if (n != 4) {
		snprintf(why, whylen, "shorter than a pcap magic number (%zu bytes)", n);
		return -1;
	}
	be = (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
	le = (uint32_t)b[3] << 24 | (uint32_t)b[2] << 16 | (uint32_t)b[1] << 8 | b[0];
	if (be == MAGIC_MICRO || be == MAGIC_NANO || be == MAGIC_PCAPNG)
		*magic = be;
	else
		*magic = le;
	return 0;
}

static const char *
magic_name(uint32_t m)
{
	switch (m) {
	case MAGIC_MICRO:
		return "microsecond pcap";
	case MAGIC_NANO:
		return "nanosecond pcap";
	case MAGIC_PCAPNG:
		return "pcapng";
	default:
		return "unknown format";
	}
}

/* 64-bit FNV-1a, then a final avalanche so nearby inputs spread. */
static uint64_t
hash_bytes(uint64_t h, const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		h ^= p[i];
		h *= 0x100000001b3ull;
	}
	return h;
}

static uint64_t
mix64(uint64_t z)
{
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* Identity of a packet's captured bytes: hash of caplen and the data. */
static uint64_t
pkt_hash(const struct pcap_pkthdr *h, const u_char *data)
{
	uint8_t lenb[4] = {(uint8_t)(h->caplen >> 24), (uint8_t)(h->caplen >> 16),
			(uint8_t)(h->caplen >> 8), (uint8_t)h->caplen};
	uint64_t v = 0xcbf29ce484222325ull;

	v = hash_bytes(v, lenb, 4);
	v = hash_bytes(v, data, h->caplen);
	return mix64(v);
}

/* ------------------------------------------------------------ count, linktype */

static int
cmd_count(int argc, char **argv)
{
	char err[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *h;
	const u_char *d;
	uint64_t n = 0;
	pcap_t *p;
	int rc;

	if (argc != 1)
		die("usage: pcapcheck count FILE");
	p = open_in(argv[0]);
	while ((rc = next_pkt(p, &h, &d, err)) == 1)
		n++;
	pcap_close(p);
	/*
	 * A read error part-way (a malformed or truncated file) ends what
	 * libpcap, and so net_pcap, can deliver: count what was read, say why
	 * it stopped on stderr, and still succeed.
	 */
	if (rc < 0)
		fprintf(stderr, "pcapcheck count: note: '%s': read stopped after %" PRIu64
				" packets: %s\n", argv[0], n, err);
	printf("%" PRIu64 "\n", n);
	return 0;
}

static int
cmd_linktype(int argc, char **argv)
{
	pcap_t *p;

	if (argc != 1)
		die("usage: pcapcheck linktype FILE");
	p = open_in(argv[0]);
	printf("%d\n", pcap_datalink(p));
	pcap_close(p);
	return 0;
}

/*
 * info FILE: one line describing what libpcap reads: packets, linktype,
 * caplen range, packets with caplen < len, magic, and why reading stopped.
 */
static int
cmd_info(int argc, char **argv)
{
	char err[PCAP_ERRBUF_SIZE] = "", why[256];
	struct pcap_pkthdr *h;
	const u_char *d;
	uint64_t n = 0, trunc = 0;
	uint32_t minc = UINT32_MAX, maxc = 0, maxl = 0, magic = 0;
	pcap_t *p;
	int rc;

	if (argc != 1)
		die("usage: pcapcheck info FILE");
	if (read_magic(argv[0], &magic, why, sizeof(why)) != 0)
		magic = 0;
	p = open_in(argv[0]);
	while ((rc = next_pkt(p, &h, &d, err)) == 1) {
		n++;
		if (h->caplen < minc)
			minc = h->caplen;
		if (h->caplen > maxc)
			maxc = h->caplen;
		if (h->len > maxl)
			maxl = h->len;
		if (h->len > h->caplen)
			trunc++;
	}
	printf("%s: %s, linktype %d, snaplen %d, %" PRIu64 " packets, caplen %u..%u, max len %u, "
			"%" PRIu64 " with caplen < len%s%s\n", argv[0], magic_name(magic),
			pcap_datalink(p), pcap_snapshot(p), n, n ? minc : 0, maxc, maxl, trunc,
			rc < 0 ? ", read stopped: " : "", rc < 0 ? err : "");
	pcap_close(p);
	return 0;
}

/* ------------------------------------------------------------------- same */

/*
 * same IN OUT [OUT...] [--snaplen N]
 *
 * Several OUT files (rotation) are read as one stream, in the order given.
 * linecap reads IN through net_pcap, which turns each IN record into an mbuf
 * of exactly IN's caplen bytes (IN's original wire length is not carried:
 * the PMD only sees the bytes that were captured). So for linecap the wire
 * length of packet i is IN.caplen[i], and what it writes must be:
 *   OUT.len    == IN.caplen
 *   OUT.caplen == min(IN.caplen, N)   (N = snaplen; without --snaplen,
 *                                      OUT.caplen == IN.caplen)
 *   OUT.data   == IN.data[0 .. OUT.caplen)
 * in the same order, with exactly as many packets as libpcap reads from IN
 *
 * --short-count K: exactly K packets may arrive cut short: OUT.caplen <
 * the expected caplen, OUT.len still IN.caplen, and OUT's bytes a prefix of
 * IN's. linecap counts such packets as pmd_short when a PMD hands it an mbuf
 * chain holding fewer bytes than pkt_len (DPDK 22.11's net_pcap does this
 * for records over 64 KiB: eth_pcap_rx_jumbo takes a uint16_t length). The
 * caller passes linecap's own pmd_short count, so the two must agree.
 * (a read error in IN ends IN there, as it ends what net_pcap can send;
 * a read error in OUT is a failure: linecap's output must be fully valid).
 */
static int
cmd_same(int argc, char **argv)
{
	const char **pos = xmalloc((size_t)(argc + 1) * sizeof(*pos));
	int npos = 0, i, cur_out = 1;
	uint64_t snaplen = 0, idx = 0, bytes = 0;
	bool have_snap = false;
	uint64_t short_allowed = 0, short_seen = 0;
	int rc = 0;
	pcap_t *pi, *po;
	char ei[PCAP_ERRBUF_SIZE], eo[PCAP_ERRBUF_SIZE];
	char note[PCAP_ERRBUF_SIZE + 64] = "";

	for (i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--snaplen") == 0 && i + 1 < argc) {
			snaplen = parse_ull(argv[++i], "snaplen");
			if (snaplen == 0)
				die("--snaplen must be > 0");
			have_snap = true;
		} else if (strcmp(argv[i], "--short-count") == 0 && i + 1 < argc) {
			short_allowed = parse_ull(argv[++i], "short count");
		} else if (argv[i][0] == '-' && argv[i][1] == '-') {
			die("unknown option '%s'", argv[i]);
		} else {
			pos[npos++] = argv[i];
		}
	}
	if (npos < 2)
		die("usage: pcapcheck same [--snaplen N] [--short-count K] IN OUT [OUT...]");

	pi = open_in(pos[0]);
	po = open_in(pos[1]);
	if (pcap_datalink(pi) != pcap_datalink(po)) {
		result(false, "%s: linktype %d, but %s has linktype %d", pos[1], pcap_datalink(po),
				pos[0], pcap_datalink(pi));
		rc = EXIT_MISMATCH;
		goto out;
	}

	for (;; idx++) {
		struct pcap_pkthdr *hi, *ho;
		const u_char *di, *dout;
		int ri = next_pkt(pi, &hi, &di, ei);
		int ro = next_pkt(po, &ho, &dout, eo);
		uint32_t want_cap;

		/* Several OUT files are read as one, in the order given (rotation). */
		while (ro == 0 && cur_out + 1 < npos) {
			pcap_close(po);
			po = open_in(pos[++cur_out]);
			if (pcap_datalink(pi) != pcap_datalink(po)) {
				result(false, "%s: linktype %d, but %s has linktype %d",
						pos[cur_out], pcap_datalink(po), pos[0],
						pcap_datalink(pi));
				rc = EXIT_MISMATCH;
				goto out;
			}
			ro = next_pkt(po, &ho, &dout, eo);
		}

		if (ri < 0)
			snprintf(note, sizeof(note), " (IN read stopped: %s)", ei);
		if (ro < 0) {
			result(false, "%s: read error at packet %" PRIu64 ": %s", pos[cur_out], idx,
					eo);
			rc = EXIT_MISMATCH;
		goto out;
		}
		if (ri <= 0 && ro == 0)
			break;
		if (ri <= 0) {
			result(false, "%s has more packets than %s: extra packet at index %" PRIu64
					" (IN has %" PRIu64 ")%s", pos[1], pos[0], idx, idx, note);
			rc = EXIT_MISMATCH;
		goto out;
		}
		if (ro == 0) {
			result(false, "%s has fewer packets than %s: %" PRIu64
					" packets, first missing index %" PRIu64, pos[1], pos[0],
					idx, idx);
			rc = EXIT_MISMATCH;
		goto out;
		}
		want_cap = hi->caplen;
		if (have_snap && want_cap > snaplen)
			want_cap = (uint32_t)snaplen;
		if (ho->caplen < want_cap && short_seen < short_allowed) {
			short_seen++;
			want_cap = ho->caplen; /* a prefix: compared below */
		}
		if (ho->caplen != want_cap) {
			result(false, "packet %" PRIu64 ": caplen %u, expected %u (IN caplen %u%s)",
					idx, ho->caplen, want_cap, hi->caplen,
					have_snap ? ", snaplen applied" : "");
			rc = EXIT_MISMATCH;
		goto out;
		}
		if (ho->len != hi->caplen) {
			result(false, "packet %" PRIu64 ": len %u, expected %u (IN caplen = wire "
					"length seen through net_pcap)", idx, ho->len, hi->caplen);
			rc = EXIT_MISMATCH;
		goto out;
		}
		if (memcmp(di, dout, want_cap) != 0) {
			uint32_t b = 0;

			while (b < want_cap && di[b] == dout[b])
				b++;
			result(false, "packet %" PRIu64 ": data differs at byte %u (0x%02x, expected "
					"0x%02x)", idx, b, dout[b], di[b]);
			rc = EXIT_MISMATCH;
		goto out;
		}
		bytes += want_cap;
	}
	if (short_seen != short_allowed) {
		result(false, "%s: %" PRIu64 " packets cut short, expected %" PRIu64, pos[1],
				short_seen, short_allowed);
		rc = EXIT_MISMATCH;
		goto out;
	}
	result(true, "%s%s == %s: %" PRIu64 " packets, %" PRIu64 " captured bytes identical%s%s%s",
			pos[1], npos > 2 ? " ... (files in order)" : "", pos[0], idx, bytes, have_snap ? " (snaplen applied)" : "",
			short_seen ? " (some cut short by the PMD, as linecap reported)" : "", note);
out:
	pcap_close(pi);
	pcap_close(po);
	free(pos);
	return rc;
}

/* -------------------------------------------------------------- monotonic */

static int
cmd_monotonic(int argc, char **argv)
{
	uint32_t want_magic = 0;
	int i, nfiles = 0, bad = 0;
	uint64_t total = 0;

	for (i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--nano") == 0)
			want_magic = MAGIC_NANO;
		else if (strcmp(argv[i], "--micro") == 0)
			want_magic = MAGIC_MICRO;
		else if (argv[i][0] == '-' && argv[i][1] == '-')
			die("unknown option '%s'", argv[i]);
	}
	for (i = 0; i < argc; i++) {
		char err[PCAP_ERRBUF_SIZE], why[256];
		struct pcap_pkthdr *h;
		const u_char *d;
		uint64_t prev = 0, n = 0, first = 0;
		uint32_t magic;
		pcap_t *p;
		int rc;

		if (argv[i][0] == '-' && argv[i][1] == '-')
			continue;
		nfiles++;
		if (want_magic != 0) {
			if (read_magic(argv[i], &magic, why, sizeof(why)) != 0)
				die("'%s': %s", argv[i], why);
			if (magic != want_magic) {
				result(false, "%s: magic 0x%08x (%s), expected 0x%08x (%s)", argv[i],
						magic, magic_name(magic), want_magic,
						magic_name(want_magic));
				bad++;
				continue;
			}
		}
		p = open_in(argv[i]);
		while ((rc = next_pkt(p, &h, &d, err)) == 1) {
			uint64_t t = (uint64_t)h->ts.tv_sec * NSEC + (uint64_t)h->ts.tv_usec;

			if (n == 0)
				first = t;
			if (n > 0 && t < prev) {
				result(false, "%s: packet %" PRIu64 " timestamp %" PRIu64 ".%09" PRIu64
						" is before packet %" PRIu64 " (%" PRIu64 ".%09" PRIu64
						")", argv[i], n, t / NSEC, t % NSEC,
						n - 1, prev / NSEC, prev % NSEC);
				bad++;
				break;
			}
			prev = t;
			n++;
		}
		pcap_close(p);
		if (rc < 0) {
			result(false, "%s: read error after %" PRIu64 " packets: %s", argv[i], n, err);
			bad++;
		} else if (rc == 0) {
			total += n;
			fprintf(stderr, "pcapcheck monotonic: %s: %" PRIu64 " packets, span %.6f s\n",
					argv[i], n, n ? (double)(prev - first) / 1e9 : 0.0);
		}
	}
	if (nfiles == 0)
		die("usage: pcapcheck monotonic [--nano|--micro] FILE...");
	if (bad)
		return EXIT_MISMATCH;
	result(true, "%d file(s), %" PRIu64 " packets, timestamps never go backwards%s", nfiles,
			total, want_magic == MAGIC_NANO ? ", nanosecond magic" :
			want_magic == MAGIC_MICRO ? ", microsecond magic" : "");
	return 0;
}

/* ---------------------------------------------------------------- snaplen */

static int
cmd_snaplen(int argc, char **argv)
{
	const char *pos[2];
	int npos = 0, i, rc, ret = 0;
	bool expect_trunc = false;
	uint64_t snap, n = 0, trunc = 0;
	char err[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *h;
	const u_char *d;
	pcap_t *p;

	for (i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--expect-truncation") == 0)
			expect_trunc = true;
		else if (argv[i][0] == '-' && argv[i][1] == '-')
			die("unknown option '%s'", argv[i]);
		else if (npos < 2)
			pos[npos++] = argv[i];
		else
			die("usage: pcapcheck snaplen FILE N [--expect-truncation]");
	}
	if (npos != 2)
		die("usage: pcapcheck snaplen FILE N [--expect-truncation]");
	snap = parse_ull(pos[1], "snaplen");
	p = open_in(pos[0]);
	while ((rc = next_pkt(p, &h, &d, err)) == 1) {
		if (h->caplen > snap) {
			result(false, "%s: packet %" PRIu64 " caplen %u > snaplen %" PRIu64, pos[0], n,
					h->caplen, snap);
			ret = EXIT_MISMATCH;
		goto out;
		}
		if (h->caplen > h->len) {
			result(false, "%s: packet %" PRIu64 " caplen %u > len %u", pos[0], n,
					h->caplen, h->len);
			ret = EXIT_MISMATCH;
		goto out;
		}
		if (h->len > h->caplen)
			trunc++;
		n++;
	}
	if (rc < 0) {
		result(false, "%s: read error after %" PRIu64 " packets: %s", pos[0], n, err);
		ret = EXIT_MISMATCH;
		goto out;
	}
	if (expect_trunc && trunc == 0) {
		result(false, "%s: no packet was truncated (%" PRIu64 " packets, snaplen %" PRIu64
				")", pos[0], n, snap);
		ret = EXIT_MISMATCH;
		goto out;
	}
	result(true, "%s: %" PRIu64 " packets, all caplen <= %" PRIu64 " and <= len, %" PRIu64
			" truncated, file header snaplen %d", pos[0], n, snap, trunc, pcap_snapshot(p));
out:
	pcap_close(p);
	return ret;
}

/* ------------------------------------------------------------------ valid */

/*
 * valid FILE [--count N] [--snaplen N] [--len N] [--nano|--micro]
 * Everything about one file in a single pass (output files of a few GB):
 * libpcap reads it to EOF without error, caplen <= len, timestamps never go
 * back, and optionally: exactly N packets, caplen <= snaplen, every len == N,
 * the nano/micro magic.
 */
static int
cmd_valid(int argc, char **argv)
{
	const char *path = NULL;
	uint64_t want_count = 0, snap = 0, want_len = 0, n = 0, prev = 0;
	bool have_count = false, have_snap = false, have_len = false;
	uint32_t want_magic = 0, magic;
	char err[PCAP_ERRBUF_SIZE], why[256];
	struct pcap_pkthdr *h;
	const u_char *d;
	pcap_t *p;
	int i, rc, ret = EXIT_MISMATCH;

	for (i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--count") == 0 && i + 1 < argc) {
			want_count = parse_ull(argv[++i], "count");
			have_count = true;
		} else if (strcmp(argv[i], "--snaplen") == 0 && i + 1 < argc) {
			snap = parse_ull(argv[++i], "snaplen");
			have_snap = true;
		} else if (strcmp(argv[i], "--len") == 0 && i + 1 < argc) {
			want_len = parse_ull(argv[++i], "len");
			have_len = true;
		} else if (strcmp(argv[i], "--nano") == 0) {
			want_magic = MAGIC_NANO;
		} else if (strcmp(argv[i], "--micro") == 0) {
			want_magic = MAGIC_MICRO;
		} else if (argv[i][0] == '-' && argv[i][1] == '-') {
			die("unknown option '%s'", argv[i]);
		} else if (path == NULL) {
			path = argv[i];
		} else {
			die("usage: pcapcheck valid FILE [--count N] [--snaplen N] [--len N] "
			    "[--nano|--micro]");
		}
	}
	if (path == NULL)
		die("usage: pcapcheck valid FILE [--count N] [--snaplen N] [--len N] [--nano|--micro]");
	if (want_magic != 0) {
		if (read_magic(path, &magic, why, sizeof(why)) != 0)
			die("'%s': %s", path, why);
		if (magic != want_magic) {
			result(false, "%s: magic 0x%08x (%s), expected 0x%08x (%s)", path, magic,
					magic_name(magic), want_magic, magic_name(want_magic));
			return EXIT_MISMATCH;
		}
	}
	p = open_in(path);
	while ((rc = next_pkt(p, &h, &d, err)) == 1) {
		uint64_t t = (uint64_t)h->ts.tv_sec * NSEC + (uint64_t)h->ts.tv_usec;

		if (h->caplen > h->len) {
			result(false, "%s: packet %" PRIu64 " caplen %u > len %u", path, n, h->caplen,
					h->len);
			goto out;
		}
		if (have_snap && h->caplen > snap) {
			result(false, "%s: packet %" PRIu64 " caplen %u > snaplen %" PRIu64, path, n,
					h->caplen, snap);
			goto out;
		}
		if (have_len && h->len != want_len) {
			result(false, "%s: packet %" PRIu64 " len %u, expected %" PRIu64, path, n,
					h->len, want_len);
			goto out;
		}
		if (n > 0 && t < prev) {
			result(false, "%s: packet %" PRIu64 " timestamp %" PRIu64 ".%09" PRIu64
					" is before the previous one (%" PRIu64 ".%09" PRIu64 ")", path,
					n, t / NSEC, t % NSEC, prev / NSEC, prev % NSEC);
			goto out;
		}
		prev = t;
		n++;
	}
	if (rc < 0) {
		result(false, "%s: read error after %" PRIu64 " packets: %s", path, n, err);
		goto out;
	}
	if (have_count && n != want_count) {
		result(false, "%s: %" PRIu64 " packets, expected %" PRIu64, path, n, want_count);
		goto out;
	}
	result(true, "%s: %" PRIu64 " packets%s, read to EOF, caplen <= len%s%s, timestamps never "
			"go back%s", path, n, have_count ? " as expected" : "",
			have_snap ? " and <= snaplen" : "", have_len ? ", len as expected" : "",
			want_magic == MAGIC_NANO ? ", nanosecond magic" :
			want_magic == MAGIC_MICRO ? ", microsecond magic" : "");
	ret = 0;
out:
	pcap_close(p);
	return ret;
}

/* ------------------------------------------------------------------ flows */

/*
 * A flow key, direction-free: the two endpoints (address, port) sorted so
 * that A <= B. kind: 4 = IPv4, 6 = IPv6 (TCP/UDP with ports, or another
 * protocol / a fragment with ports 0), 0 = not IP (the two MACs as endpoints).
 */
struct flow_key {
	uint8_t kind;
	uint8_t proto;
	uint8_t a[16];
	uint8_t b[16];
	uint16_t pa, pb;
};

struct rec {
	struct flow_key key;
	uint64_t hash; /* packet identity */
	uint32_t file; /* OUT file index (0 for IN) */
	uint64_t seq;  /* index in its file */
};

static int
cmp_endpoint(const uint8_t *a, uint16_t pa, const uint8_t *b, uint16_t pb)
{
	int c = memcmp(a, b, 16);

	if (c)
		return c;
	return (pa > pb) - (pa < pb);
}

/*
 * Parse Ethernet, skipping any number of 802.1Q / 802.1ad (QinQ) tags, then
 * IPv4 / IPv6 and TCP / UDP ports. Truncated headers degrade to a coarser key.
 */
static void
flow_key_of(const u_char *p, uint32_t len, struct flow_key *k)
{
	uint32_t off = 14, l4 = 0;
	uint16_t et;
	uint8_t a[16] = {0}, b[16] = {0};
	uint16_t pa = 0, pb = 0;
	bool ports = false;

	memset(k, 0, sizeof(*k));
	if (len < 14) {
		memcpy(a, p, len);
		goto out;
	}
	et = (uint16_t)(p[12] << 8 | p[13]);
	while ((et == 0x8100 || et == 0x88a8 || et == 0x9100) && len >= off + 4) {
		et = (uint16_t)(p[off + 2] << 8 | p[off + 3]);
		off += 4;
	}
	if (et == 0x0800 && len >= off + 20 && (p[off] >> 4) == 4) {
		const u_char *ip = p + off;
		uint16_t frag = (uint16_t)((ip[6] << 8 | ip[7]) & 0x3fff);

		k->kind = 4;
		k->proto = ip[9];
		memcpy(a, ip + 12, 4);
		memcpy(b, ip + 16, 4);
		l4 = off + (uint32_t)(ip[0] & 0x0f) * 4;
		if (frag != 0)
			k->proto = 0xff; /* fragment: addresses only */
		else if ((k->proto == 6 || k->proto == 17) && len >= l4 + 4)
			ports = true;
	} else if (et == 0x86dd && len >= off + 40 && (p[off] >> 4) == 6) {
		const u_char *ip = p + off;

		k->kind = 6;
		k->proto = ip[6];
		memcpy(a, ip + 8, 16);
		memcpy(b, ip + 24, 16);
		l4 = off + 40;
		if ((k->proto == 6 || k->proto == 17) && len >= l4 + 4)
			ports = true;
	} else {
		memcpy(a, p + 6, 6); /* source MAC */
		memcpy(b, p, 6);     /* destination MAC */
	}
	if (ports) {
		pa = (uint16_t)(p[l4] << 8 | p[l4 + 1]);
		pb = (uint16_t)(p[l4 + 2] << 8 | p[l4 + 3]);
	}
out:
	if (cmp_endpoint(a, pa, b, pb) <= 0) {
		memcpy(k->a, a, 16);
		memcpy(k->b, b, 16);
		k->pa = pa;
		k->pb = pb;
	} else {
		memcpy(k->a, b, 16);
		memcpy(k->b, a, 16);
		k->pa = pb;
		k->pb = pa;
	}
}

static int
cmp_key(const struct flow_key *x, const struct flow_key *y)
{
	int c;

	if (x->kind != y->kind)
		return x->kind < y->kind ? -1 : 1;
	if (x->proto != y->proto)
		return x->proto < y->proto ? -1 : 1;
	c = cmp_endpoint(x->a, x->pa, y->a, y->pa);
	if (c)
		return c;
	return cmp_endpoint(x->b, x->pb, y->b, y->pb);
}

/* by key, then file, then position: a flow's packets in capture order */
static int
cmp_rec_key(const void *va, const void *vb)
{
	const struct rec *a = va, *b = vb;
	int c = cmp_key(&a->key, &b->key);

	if (c)
		return c;
	if (a->file != b->file)
		return a->file < b->file ? -1 : 1;
	return (a->seq > b->seq) - (a->seq < b->seq);
}

static int
cmp_u64(const void *va, const void *vb)
{
	uint64_t a = *(const uint64_t *)va, b = *(const uint64_t *)vb;

	return (a > b) - (a < b);
}

static void
key_str(const struct flow_key *k, char *buf, size_t len)
{
	char a[48], b[48];

	if (k->kind == 4) {
		snprintf(a, sizeof(a), "%u.%u.%u.%u:%u", k->a[0], k->a[1], k->a[2], k->a[3], k->pa);
		snprintf(b, sizeof(b), "%u.%u.%u.%u:%u", k->b[0], k->b[1], k->b[2], k->b[3], k->pb);
	} else if (k->kind == 6) {
		const uint8_t *x[2] = {k->a, k->b};
		char *o[2] = {a, b};
		uint16_t pp[2] = {k->pa, k->pb};
		int j, w;

		for (j = 0; j < 2; j++) {
			size_t n = 0;

			n += (size_t)snprintf(o[j] + n, sizeof(a) - n, "[");
			for (w = 0; w < 8; w++)
				n += (size_t)snprintf(o[j] + n, sizeof(a) - n, "%s%x", w ? ":" : "",
						x[j][2 * w] << 8 | x[j][2 * w + 1]);
			snprintf(o[j] + n, sizeof(a) - n, "]:%u", pp[j]);
		}
	} else {
		snprintf(a, sizeof(a), "%02x:%02x:%02x:%02x:%02x:%02x", k->a[0], k->a[1], k->a[2],
				k->a[3], k->a[4], k->a[5]);
		snprintf(b, sizeof(b), "%02x:%02x:%02x:%02x:%02x:%02x", k->b[0], k->b[1], k->b[2],
				k->b[3], k->b[4], k->b[5]);
	}
	snprintf(buf, len, "%s %s <-> %s (proto %u)",
			k->kind == 4 ? "IPv4" : k->kind == 6 ? "IPv6" : "non-IP", a, b, k->proto);
}

/* Read all of a file's packets as records. A read error is fatal when strict. */
static size_t
load_recs(const char *path, uint32_t file, struct rec **out, bool strict, char *note,
		size_t notelen)
{
	char err[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *h;
	const u_char *d;
	struct rec *r = NULL;
	size_t n = 0, cap = 0;
	pcap_t *p = open_in(path);
	int rc;

	while ((rc = next_pkt(p, &h, &d, err)) == 1) {
		if (n == cap) {
			cap = cap ? cap * 2 : 4096;
			r = xrealloc(r, cap * sizeof(*r));
		}
		flow_key_of(d, h->caplen, &r[n].key);
		r[n].hash = pkt_hash(h, d);
		r[n].file = file;
		r[n].seq = n;
		n++;
	}
	if (rc < 0) {
		if (strict) {
			result(false, "%s: read error after %zu packets: %s", path, n, err);
			free(r);
			pcap_close(p);
			return SIZE_MAX;
		}
		snprintf(note, notelen, " (IN read stopped after %zu packets: %s)", n, err);
	}
	pcap_close(p);
	*out = r;
	return n;
}

/*
 * flows IN OUT1 [OUT2 ...] [--flow-order] [--split-ok]
 *  - the multiset of packets (caplen + bytes) in OUT1 u OUT2 ... equals IN's;
 *  - every flow (direction-free) is in exactly one OUT file;
 *  - with --flow-order: each flow's packets keep IN's order in its file.
 *  - with --split-ok: a flow may be spread over several files (the kernel's
 *    PACKET_FANOUT hash sees tunnels' inner headers and fragments, which
 *    our 5-tuple does not); with --flow-order, each file's share of a flow
 *    must then keep IN's relative order.
 */

/* True if the hashes of OUT records o[0..no) appear in i[0..ni) in order. */
static bool
is_subsequence(const struct rec *o, size_t no, const struct rec *in, size_t ni)
{
	size_t a = 0, b;

	for (b = 0; b < no; b++) {
		while (a < ni && in[a].hash != o[b].hash)
			a++;
		if (a == ni)
			return false;
		a++;
	}
	return true;
}
static int
cmd_flows(int argc, char **argv)
{
	const char **outs = xmalloc((size_t)argc * sizeof(*outs));
	int nout = 0, i;
	const char *in = NULL;
	bool order = false, split_ok = false;
	struct rec *ri, *ro = NULL;
	size_t ni, no = 0, a, b;
	uint64_t *hi = NULL, *ho = NULL, missing = 0, extra = 0, split = 0, reordered = 0, nflows = 0;
	uint64_t *pkts_per, *flows_per;
	char note[PCAP_ERRBUF_SIZE + 64] = "", first_split[256] = "", first_order[256] = "";
	char line[4096];
	size_t ll;
	int ret = 0;

	for (i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--flow-order") == 0)
			order = true;
		else if (strcmp(argv[i], "--split-ok") == 0)
			split_ok = true;
		else if (argv[i][0] == '-' && argv[i][1] == '-')
			die("unknown option '%s'", argv[i]);
		else if (in == NULL)
			in = argv[i];
		else
			outs[nout++] = argv[i];
	}
	if (in == NULL || nout == 0)
		die("usage: pcapcheck flows [--flow-order] [--split-ok] IN OUT1 [OUT2 ...]");

	ni = load_recs(in, 0, &ri, false, note, sizeof(note));
	pkts_per = calloc((size_t)nout, sizeof(*pkts_per));
	flows_per = calloc((size_t)nout, sizeof(*flows_per));
	if (pkts_per == NULL || flows_per == NULL)
		die("out of memory");
	for (i = 0; i < nout; i++) {
		struct rec *r;
		size_t n = load_recs(outs[i], (uint32_t)i, &r, true, NULL, 0);

		if (n == SIZE_MAX) {
			ret = EXIT_MISMATCH;
			goto out;
		}

		ro = xrealloc(ro, (no + n) * sizeof(*ro));
		memcpy(ro + no, r, n * sizeof(*r));
		free(r);
		no += n;
		pkts_per[i] = n;
	}

	/* 1. multiset of packet identities */
	hi = xmalloc((ni ? ni : 1) * sizeof(*hi));
	ho = xmalloc(no * sizeof(*ho));
	for (a = 0; a < ni; a++)
		hi[a] = ri[a].hash;
	for (a = 0; a < no; a++)
		ho[a] = ro[a].hash;
	qsort(hi, ni, sizeof(*hi), cmp_u64);
	qsort(ho, no, sizeof(*ho), cmp_u64);
	for (a = 0, b = 0; a < ni || b < no;) {
		if (b == no || (a < ni && hi[a] < ho[b])) {
			missing++;
			a++;
		} else if (a == ni || ho[b] < hi[a]) {
			extra++;
			b++;
		} else {
			a++;
			b++;
		}
	}

	/* 2. each flow in one file; 3. per-flow order */
	qsort(ri, ni, sizeof(*ri), cmp_rec_key);
	qsort(ro, no, sizeof(*ro), cmp_rec_key);
	for (a = 0, b = 0; b < no;) {
		size_t e = b, fa, ea;
		bool one_file = true;

		while (e < no && cmp_key(&ro[e].key, &ro[b].key) == 0) {
			if (ro[e].file != ro[b].file)
				one_file = false;
			e++;
		}
		nflows++;
		if (!one_file && split_ok) {
			flows_per[ro[b].file]++;
		} else if (!one_file) {
			split++;
			if (!first_split[0]) {
				key_str(&ro[b].key, first_split, sizeof(first_split));
				snprintf(first_split + strlen(first_split),
						sizeof(first_split) - strlen(first_split),
						" in files %u and %u", ro[b].file, ro[e - 1].file);
			}
		} else {
			flows_per[ro[b].file]++;
		}
		/* the same flow in IN */
		while (a < ni && cmp_key(&ri[a].key, &ro[b].key) < 0)
			a++;
		fa = a;
		while (a < ni && cmp_key(&ri[a].key, &ro[b].key) == 0)
			a++;
		ea = a;
		if (order && !one_file && split_ok) {
			size_t s0 = b, s1;

			/* each file's run (sorted by file, then position) */
			for (; s0 < e; s0 = s1) {
				for (s1 = s0; s1 < e && ro[s1].file == ro[s0].file; s1++)
					;
				if (!is_subsequence(ro + s0, s1 - s0, ri + fa, ea - fa)) {
					reordered++;
					if (!first_order[0])
						key_str(&ro[b].key, first_order,
								sizeof(first_order));
					break;
				}
			}
		}
		if (order && one_file) {
			bool same = (ea - fa) == (e - b);
			size_t j;

			for (j = 0; same && j < e - b; j++)
				same = ri[fa + j].hash == ro[b + j].hash;
			if (!same) {
				reordered++;
				if (!first_order[0])
					key_str(&ro[b].key, first_order, sizeof(first_order));
			}
		}
		b = e;
	}

	ll = (size_t)snprintf(line, sizeof(line), "IN %zu packets, OUT %zu packets in %" PRIu64
			" flows [", ni, no, nflows);
	for (i = 0; i < nout && ll < sizeof(line); i++)
		ll += (size_t)snprintf(line + ll, sizeof(line) - ll, "%s%s: %" PRIu64 " pkts %"
				PRIu64 " flows", i ? "; " : "", outs[i], pkts_per[i], flows_per[i]);
	if (ll < sizeof(line))
		snprintf(line + ll, sizeof(line) - ll, "]%s", note);

	if (missing || extra || split || reordered) {
		printf("pcapcheck flows: FAIL %" PRIu64 " packets of IN missing from OUT, %" PRIu64
				" OUT packets not in IN, %" PRIu64 " flows split across files%s%s%s, %"
				PRIu64 " flows reordered%s%s%s; %s\n", missing, extra, split,
				split ? " (first: " : "", split ? first_split : "", split ? ")" : "",
				reordered, reordered ? " (first: " : "", reordered ? first_order : "",
				reordered ? ")" : "", line);
		ret = EXIT_MISMATCH;
	} else {
		result(true, "same packets, %s%s; %s",
				split_ok ? "flows may span files" : "every flow in exactly one file",
				order ? ", per-flow order kept" : "", line);
	}
out:
	free(hi);
	free(ho);
	free(ri);
	free(ro);
	free(outs);
	free(pkts_per);
	free(flows_per);
	return ret;
}

/* -------------------------------------------------------------- writing */

struct writer {
	pcap_t *dead;
	pcap_dumper_t *d;
	const char *path;
};

static void
writer_open(struct writer *w, const char *path, int linktype, bool nano)
{
	w->path = path;
	w->dead = pcap_open_dead_with_tstamp_precision(linktype, 262144,
			nano ? PCAP_TSTAMP_PRECISION_NANO : PCAP_TSTAMP_PRECISION_MICRO);
	if (w->dead == NULL)
		die("pcap_open_dead failed");
	w->d = pcap_dump_open(w->dead, path);
	if (w->d == NULL)
		die("cannot create '%s': %s", path, pcap_geterr(w->dead));
}

static void
writer_put(struct writer *w, const struct pcap_pkthdr *h, const u_char *data)
{
	/* pcap_dump() returns nothing: check the stream after every record. */
	pcap_dump((u_char *)w->d, h, data);
	if (ferror(pcap_dump_file(w->d)))
		die("write error on '%s': %s", w->path, strerror(errno));
}

static void
writer_close(struct writer *w)
{
	FILE *f = pcap_dump_file(w->d);

	if (pcap_dump_flush(w->d) != 0 || ferror(f))
		die("write error on '%s' (flush): %s", w->path, strerror(errno));
	if (fsync(fileno(f)) != 0 && errno != EINVAL && errno != EROFS)
		die("write error on '%s' (fsync): %s", w->path, strerror(errno));
	pcap_dump_close(w->d);
	pcap_close(w->dead);
}

/* --------------------------------------------------------------- gen-flows */

static uint64_t g_rng;

static uint64_t
rnd(void)
{
	/* splitmix64 */
	uint64_t z = (g_rng += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static uint32_t
rnd_range(uint32_t lo, uint32_t hi)
{
	return lo + (uint32_t)(rnd() % ((uint64_t)hi - lo + 1));
}

struct gflow {
	bool v6;
	uint8_t proto;    /* 6 or 17 */
	uint8_t ntags;    /* 0, 1 (802.1Q) or 2 (QinQ) */
	uint16_t vlan[2];
	uint8_t mac[2][6];
	uint8_t ip[2][16];
	uint16_t port[2];
	uint32_t seq[2];
};

static uint32_t
csum_add(uint32_t sum, const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i + 1 < n; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (n & 1)
		sum += (uint32_t)p[n - 1] << 8;
	return sum;
}

static uint16_t
csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
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
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* Frame length: a mix of small, large and anything in between. */
static uint32_t
pick_len(uint32_t min)
{
	uint32_t r = rnd_range(0, 9), len;

	if (r < 3)
		len = rnd_range(60, 128);
	else if (r < 6)
		len = rnd_range(1400, 1514);
	else
		len = rnd_range(60, 1514);
	return len < min ? min : len;
}

/* Build one valid frame of flow f in direction dir (0 = client->server). */
static uint32_t
build_frame(struct gflow *f, int dir, uint8_t *pkt)
{
	int s = dir, d = !dir;
	uint32_t l2 = 14u + 4u * f->ntags, l3 = f->v6 ? 40 : 20, l4hdr = f->proto == 6 ? 20 : 8;
	uint32_t len = pick_len(l2 + l3 + l4hdr), off = 12, l4len, i, sum;
	uint8_t *ip, *l4;

	memcpy(pkt, f->mac[d], 6);
	memcpy(pkt + 6, f->mac[s], 6);
	if (f->ntags == 2) {
		put16(pkt + off, 0x88a8);
		put16(pkt + off + 2, f->vlan[0]);
		off += 4;
	}
	if (f->ntags >= 1) {
		put16(pkt + off, 0x8100);
		put16(pkt + off + 2, f->vlan[1]);
		off += 4;
	}
	put16(pkt + off, f->v6 ? 0x86dd : 0x0800);
	ip = pkt + l2;
	l4 = ip + l3;
	l4len = len - l2 - l3;

	if (f->v6) {
		put32(ip, 0x60000000u | (rnd() & 0xfffff));
		put16(ip + 4, (uint16_t)l4len);
		ip[6] = f->proto;
		ip[7] = 64;
		memcpy(ip + 8, f->ip[s], 16);
		memcpy(ip + 24, f->ip[d], 16);
	} else {
		ip[0] = 0x45;
		ip[1] = 0;
		put16(ip + 2, (uint16_t)(len - l2));
		put16(ip + 4, (uint16_t)rnd());
		put16(ip + 6, 0x4000); /* DF, no fragment */
		ip[8] = 64;
		ip[9] = f->proto;
		put16(ip + 10, 0);
		memcpy(ip + 12, f->ip[s], 4);
		memcpy(ip + 16, f->ip[d], 4);
		put16(ip + 10, csum_fold(csum_add(0, ip, 20)));
	}

	put16(l4, f->port[s]);
	put16(l4 + 2, f->port[d]);
	if (f->proto == 6) {
		put32(l4 + 4, f->seq[s]);
		put32(l4 + 8, f->seq[d]);
		l4[12] = 5 << 4;
		l4[13] = 0x18; /* PSH ACK */
		put16(l4 + 14, (uint16_t)rnd_range(1024, 65535));
		put16(l4 + 16, 0);
		put16(l4 + 18, 0);
		f->seq[s] += l4len - 20;
	} else {
		put16(l4 + 4, (uint16_t)l4len);
		put16(l4 + 6, 0);
	}
	for (i = l4hdr; i < l4len; i++)
		l4[i] = (uint8_t)rnd();

	/* TCP/UDP checksum over the pseudo-header */
	if (f->v6) {
		uint8_t ph[8] = {0};

		put32(ph, l4len);
		ph[7] = f->proto;
		sum = csum_add(0, ip + 8, 32);
		sum = csum_add(sum, ph, 8);
	} else {
		uint8_t ph[4] = {0, f->proto, 0, 0};

		put16(ph + 2, (uint16_t)l4len);
		sum = csum_add(0, ip + 12, 8);
		sum = csum_add(sum, ph, 4);
	}
	{
		uint16_t c = csum_fold(csum_add(sum, l4, l4len));

		if (f->proto == 17 && c == 0)
			c = 0xffff;
		put16(l4 + (f->proto == 6 ? 16 : 6), c);
	}
	return len;
}

static int
cmd_gen_flows(int argc, char **argv)
{
	static const uint16_t server_ports[] = {7000, 9000, 12345, 20000, 33333, 40000, 45000, 50000};
	const char *pos[4];
	int npos = 0, i;
	bool nano = true;
	uint64_t nflows, npkts, seed = 1, k, ts;
	struct gflow *fl;
	struct writer w;
	uint8_t pkt[1600];
	uint64_t nv6 = 0, ntcp = 0, ntag = 0;

	for (i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--micro") == 0)
			nano = false;
		else if (strcmp(argv[i], "--nano") == 0)
			nano = true;
		else if (argv[i][0] == '-' && argv[i][1] == '-')
			die("unknown option '%s'", argv[i]);
		else if (npos < 4)
			pos[npos++] = argv[i];
		else
			die("usage: pcapcheck gen-flows [--micro] OUT NFLOWS NPKTS [SEED]");
	}
	if (npos < 3)
		die("usage: pcapcheck gen-flows [--micro] OUT NFLOWS NPKTS [SEED]");
	nflows = parse_ull(pos[1], "NFLOWS");
	npkts = parse_ull(pos[2], "NPKTS");
	if (npos == 4)
		seed = parse_ull(pos[3], "SEED");
	if (nflows == 0 || nflows > 10000000)
		die("NFLOWS must be 1..10000000");
	g_rng = seed * 0x2545f4914f6cdd1dull + 1;

	fl = calloc(nflows, sizeof(*fl));
	if (fl == NULL)
		die("out of memory");
	for (k = 0; k < nflows; k++) {
		struct gflow *f = &fl[k];
		uint32_t r = rnd_range(0, 15);
		int e;

		f->v6 = rnd() & 1;
		f->proto = (rnd() & 1) ? 6 : 17;
		f->ntags = r == 0 ? 2 : r < 3 ? 1 : 0;
		f->vlan[0] = (uint16_t)rnd_range(1, 4094);
		f->vlan[1] = (uint16_t)rnd_range(1, 4094);
		for (e = 0; e < 2; e++) {
			uint64_t x = rnd();
			int j;

			for (j = 0; j < 6; j++)
				f->mac[e][j] = (uint8_t)(x >> (8 * j));
			f->mac[e][0] = (uint8_t)((f->mac[e][0] & 0xfc) | 0x02); /* local unicast */
			for (j = 0; j < 16; j++)
				f->ip[e][j] = (uint8_t)rnd();
			if (f->v6) {
				f->ip[e][0] = 0xfd; /* unique local */
			} else {
				f->ip[e][0] = 10;   /* 10/8, never sent anywhere */
			}
			f->seq[e] = (uint32_t)rnd();
		}
		f->port[0] = (uint16_t)rnd_range(1024, 65535);
		f->port[1] = server_ports[rnd() % (sizeof(server_ports) / sizeof(server_ports[0]))];
		nv6 += f->v6;
		ntcp += f->proto == 6;
		ntag += f->ntags != 0;
	}

	writer_open(&w, pos[0], DLT_EN10MB, nano);
	ts = UINT64_C(1700000000) * NSEC;
	for (k = 0; k < npkts; k++) {
		/* every flow shows up once before random picks, when NPKTS allows */
		uint64_t fi = k < nflows ? k : rnd() % nflows;
		int dir = k < nflows ? 0 : (int)(rnd() & 1);
		struct pcap_pkthdr h;

		h.caplen = h.len = build_frame(&fl[fi], dir, pkt);
		ts += rnd_range(1000, 200000);
		h.ts.tv_sec = (time_t)(ts / NSEC);
		/* pcap_dump writes tv_usec as is: nanoseconds in a nano dumper */
		h.ts.tv_usec = (suseconds_t)(nano ? ts % NSEC : (ts % NSEC) / 1000);
		writer_put(&w, &h, pkt);
	}
	writer_close(&w);
	free(fl);
	result(true, "wrote %s: %" PRIu64 " packets over %" PRIu64 " flows (%" PRIu64 " IPv6, %"
			PRIu64 " TCP, %" PRIu64 " VLAN/QinQ), seed %" PRIu64 ", %s timestamps",
			pos[0], npkts, nflows, nv6, ntcp, ntag, seed, nano ? "nano" : "micro");
	return 0;
}

/* ------------------------------------------------------- mutate, split */

static bool
file_is_nano(const char *path)
{
	uint32_t m;
	char why[256];

	if (read_magic(path, &m, why, sizeof(why)) != 0)
		die("'%s': %s", path, why);
	return m == MAGIC_NANO;
}

/*
 * mutate IN OUT OP K: copy IN to OUT with one deliberate defect, so the
 * self-test can prove each check fails on it.
 *   copy K     no defect (K ignored): a clean copy of what libpcap reads
 *   flip K     invert the last captured byte of packet K
 *   drop K     leave packet K out
 *   dup K      write packet K twice
 *   swap-ts K  swap the timestamps of packets K and K+1 (time goes back)
 *   swap K     swap packets K and K+1, timestamps stay in order
 *   snap N     cut every packet to N captured bytes, keep len (a correct
 *              `-s N` capture of IN as linecap should write it)
 *   shortlen K packet K: len = caplen - 1 (caplen > len: invalid)
 */
static int
cmd_mutate(int argc, char **argv)
{
	const char *in, *out, *op;
	uint64_t k, idx = 0;
	char err[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *h, hold = {0}, hcopy;
	const u_char *d;
	u_char *buf = xmalloc(262144 + 16), *held = xmalloc(262144 + 16);
	bool have_held = false, nano;
	struct writer w;
	pcap_t *p;
	int rc;

	if (argc != 4)
		die("usage: pcapcheck mutate IN OUT copy|flip|drop|dup|swap|swap-ts|snap|shortlen K");
	in = argv[0];
	out = argv[1];
	op = argv[2];
	k = parse_ull(argv[3], "K");
	if (strcmp(op, "copy") && strcmp(op, "flip") && strcmp(op, "drop") && strcmp(op, "dup") && strcmp(op, "swap") &&
			strcmp(op, "swap-ts") && strcmp(op, "snap") && strcmp(op, "shortlen"))
		die("unknown mutation '%s'", op);
	nano = file_is_nano(in);
	p = open_in(in);
	writer_open(&w, out, pcap_datalink(p), nano);
	while ((rc = next_pkt(p, &h, &d, err)) == 1) {
		hcopy = *h;
		memcpy(buf, d, h->caplen);
		if (!nano)
			hcopy.ts.tv_usec /= 1000; /* read as nano, write as micro */
		if (strcmp(op, "flip") == 0 && idx == k && hcopy.caplen > 0)
			buf[hcopy.caplen - 1] ^= 0xff;
		if (strcmp(op, "snap") == 0 && hcopy.caplen > k)
			hcopy.caplen = (uint32_t)k;
		if (strcmp(op, "shortlen") == 0 && idx == k && hcopy.caplen > 0)
			hcopy.len = hcopy.caplen - 1;
		if (strcmp(op, "drop") == 0 && idx == k) {
			idx++;
			continue;
		}
		if ((strcmp(op, "swap-ts") == 0 || strcmp(op, "swap") == 0) && idx == k) {
			hold = hcopy;
			memcpy(held, buf, hcopy.caplen);
			have_held = true;
			idx++;
			continue;
		}
		if (have_held) {
			struct timeval t = hold.ts;

			/* exchange the two timestamps */
			hold.ts = hcopy.ts;
			hcopy.ts = t;
			have_held = false;
			if (strcmp(op, "swap") == 0) {
				/* swap: packet K+1 first (with K's time), then K */
				writer_put(&w, &hcopy, buf);
				writer_put(&w, &hold, held);
				idx++;
				continue;
			}
			/* swap-ts: packet K carries K+1's later time, then K+1 */
			writer_put(&w, &hold, held);
		}
		writer_put(&w, &hcopy, buf);
		if (strcmp(op, "dup") == 0 && idx == k)
			writer_put(&w, &hcopy, buf);
		idx++;
	}
	if (have_held)
		writer_put(&w, &hold, held);
	/* a damaged IN is copied as far as libpcap reads it */
	if (rc < 0)
		fprintf(stderr, "pcapcheck mutate: note: '%s': read stopped after %" PRIu64
				" packets: %s\n", in, idx, err);
	writer_close(&w);
	pcap_close(p);
	free(buf);
	free(held);
	result(true, "wrote %s from %s (%s %" PRIu64 ")", out, in, op, k);
	return 0;
}

/*
 * split IN N PREFIX [--round-robin]: write PREFIX-0.pcap .. PREFIX-(N-1).pcap,
 * by flow (a hash of the direction-free key) or, with --round-robin, by
 * packet index (which splits flows: the flows check must fail on it).
 */
static int
cmd_split(int argc, char **argv)
{
	const char *pos[3];
	int npos = 0, i;
	bool rr = false, nano;
	uint64_t n, idx = 0, j;
	struct writer *w;
	char err[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *h, hc;
	const u_char *d;
	char **names;
	pcap_t *p;
	int rc;

	for (i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--round-robin") == 0)
			rr = true;
		else if (argv[i][0] == '-' && argv[i][1] == '-')
			die("unknown option '%s'", argv[i]);
		else if (npos < 3)
			pos[npos++] = argv[i];
		else
			die("usage: pcapcheck split IN N PREFIX [--round-robin]");
	}
	if (npos != 3)
		die("usage: pcapcheck split IN N PREFIX [--round-robin]");
	n = parse_ull(pos[1], "N");
	if (n == 0 || n > 64)
		die("N must be 1..64");
	nano = file_is_nano(pos[0]);
	p = open_in(pos[0]);
	w = xmalloc(n * sizeof(*w));
	names = xmalloc(n * sizeof(*names));
	for (j = 0; j < n; j++) {
		size_t l = strlen(pos[2]) + 32;

		names[j] = xmalloc(l);
		snprintf(names[j], l, "%s-%" PRIu64 ".pcap", pos[2], j);
		writer_open(&w[j], names[j], pcap_datalink(p), nano);
	}
	while ((rc = next_pkt(p, &h, &d, err)) == 1) {
		struct flow_key key;
		uint64_t to;

		flow_key_of(d, h->caplen, &key);
		to = rr ? idx % n : mix64(hash_bytes(0xcbf29ce484222325ull, (const uint8_t *)&key,
				sizeof(key))) % n;
		hc = *h;
		if (!nano)
			hc.ts.tv_usec /= 1000;
		writer_put(&w[to], &hc, d);
		idx++;
	}
	if (rc < 0)
		die("'%s': read error after %" PRIu64 " packets: %s", pos[0], idx, err);
	for (j = 0; j < n; j++) {
		writer_close(&w[j]);
		free(names[j]);
	}
	pcap_close(p);
	free(w);
	free(names);
	result(true, "split %s: %" PRIu64 " packets into %" PRIu64 " files %s", pos[0], idx, n,
			rr ? "round-robin" : "by flow");
	return 0;
}

/* ------------------------------------------------------------------- main */

static void
usage(FILE *f)
{
	fputs("usage: pcapcheck COMMAND ARGS\n"
	      "  count FILE                      packets libpcap reads before EOF/error\n"
	      "  linktype FILE                   the DLT number\n"
	      "  info FILE                       packets, linktype, caplen range, magic\n"
	      "  same [--snaplen N] IN OUT [OUT..] OUT (files in order) holds IN's packets, same bytes\n"
	      "  monotonic [--nano|--micro] FILE...  timestamps never go back; magic\n"
	      "  snaplen FILE N [--expect-truncation]  caplen <= N and <= len\n"
	      "  valid FILE [--count N] [--snaplen N] [--len N] [--nano|--micro]\n"
	      "                                  all of the above on one file, one pass\n"
	      "  flows [--flow-order] [--split-ok] IN OUT...  each flow in one OUT, same "
	      "packets\n"
	      "  gen-flows [--micro] OUT NFLOWS NPKTS [SEED]  generate TCP/UDP v4/v6 flows\n"
	      "  mutate IN OUT OP K              copy with a defect (self-test)\n"
	      "  split IN N PREFIX [--round-robin]  split by flow (self-test)\n"
	      "  cat [--skip-empty] OUT IN...    all INs' packets (with data) into one nano pcap\n"
	      "  rate FILE [--skip K]            packets/s between first and last stamp\n"
	      "exit: 0 OK, 1 mismatch, 2 usage or I/O error\n",
			f);
}

/* -------------------------------------------------------------- cat, rate */

/*
 * cat OUT IN...: every packet libpcap reads from the INs, in order, into one
 * nanosecond pcap (linktype of the first IN; all must match). The reference
 * for a replay of several files.
 */
static int
cmd_cat(int argc, char **argv)
{
	pcap_t *dead = NULL;
	pcap_dumper_t *d = NULL;
	uint64_t total = 0;
	int i, lt = -1;

	bool skip_empty = false;

	if (argc > 0 && strcmp(argv[0], "--skip-empty") == 0) {
		skip_empty = true;
		argc--;
		argv++;
	}
	if (argc < 2)
		die("usage: pcapcheck cat [--skip-empty] OUT IN...");
	for (i = 1; i < argc; i++) {
		pcap_t *in = open_in(argv[i]);
		struct pcap_pkthdr *h;
		const u_char *data;
		char err[PCAP_ERRBUF_SIZE];

		if (lt < 0) {
			lt = pcap_datalink(in);
			dead = pcap_open_dead_with_tstamp_precision(lt, 262144,
					PCAP_TSTAMP_PRECISION_NANO);
			d = dead ? pcap_dump_open(dead, argv[0]) : NULL;
			if (d == NULL)
				die("cannot write '%s': %s", argv[0], dead ? pcap_geterr(dead) : "");
		} else if (pcap_datalink(in) != lt) {
			die("%s: linktype %d, the first input has %d", argv[i], pcap_datalink(in), lt);
		}
		while (next_pkt(in, &h, &data, err) == 1) {
			if (skip_empty && h->caplen == 0)
				continue;
			pcap_dump((u_char *)d, h, data);
			total++;
		}
		pcap_close(in);
	}
	if (pcap_dump_flush(d) != 0)
		die("cannot write '%s'", argv[0]);
	pcap_dump_close(d);
	pcap_close(dead);
	result(true, "wrote %s: %" PRIu64 " packets from %d files", argv[0], total, argc - 1);
	return 0;
}

/*
 * rate FILE [--skip K]: packets per second between the first and the last
 * timestamp (after skipping K packets), as the receiver saw them.
 */
static int
cmd_rate(int argc, char **argv)
{
	struct pcap_pkthdr *h;
	const u_char *data;
	char err[PCAP_ERRBUF_SIZE];
	uint64_t skip = 0, n = 0, first = 0, last = 0;
	pcap_t *p;

	if (argc == 3 && strcmp(argv[1], "--skip") == 0)
		skip = parse_ull(argv[2], "skip");
	else if (argc != 1)
		die("usage: pcapcheck rate FILE [--skip K]");
	p = open_in(argv[0]);
	while (next_pkt(p, &h, &data, err) == 1) {
		uint64_t ns = (uint64_t)h->ts.tv_sec * 1000000000u + (uint64_t)h->ts.tv_usec;

		if (skip > 0) {
			skip--;
			continue;
		}
		if (n == 0)
			first = ns;
		last = ns;
		n++;
	}
	pcap_close(p);
	if (n < 2 || last <= first) {
		result(false, "%s: fewer than 2 packets with distinct times", argv[0]);
		return EXIT_MISMATCH;
	}
	printf("%.3f\n", (double)(n - 1) * 1e9 / (double)(last - first));
	fprintf(stderr, "pcapcheck rate: %" PRIu64 " packets over %.6f s\n", n,
			(double)(last - first) / 1e9);
	return 0;
}

int
main(int argc, char **argv)
{
	static const struct {
		const char *name;
		int (*fn)(int, char **);
	} cmds[] = {
		{"count", cmd_count},
		{"linktype", cmd_linktype},
		{"info", cmd_info},
		{"same", cmd_same},
		{"monotonic", cmd_monotonic},
		{"snaplen", cmd_snaplen},
		{"valid", cmd_valid},
		{"flows", cmd_flows},
		{"gen-flows", cmd_gen_flows},
		{"mutate", cmd_mutate},
		{"split", cmd_split},
		{"cat", cmd_cat},
		{"rate", cmd_rate},
	};
	size_t i;

	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		usage(stdout);
		return 0;
	}
	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		if (strcmp(argv[1], cmds[i].name) == 0) {
			g_cmd = cmds[i].name;
			return cmds[i].fn(argc - 2, argv + 2);
		}
	}
	fprintf(stderr, "pcapcheck: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return EXIT_USAGE;
}
