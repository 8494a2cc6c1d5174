/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of the recorder's pure parts: key extraction (index/keys.c),
 * the Bloom filter and the index format (index/idx_format.c), the keys an
 * expression requires (query/narrow.c) and --since/--until (query/timearg.c).
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "index/crc32c.h"
#include "index/idx_format.h"
#include "index/idx_unit.h"
#include "index/keys.h"
#include "query/narrow.h"
#include "query/timearg.h"

static int failures;

#define CHECK(c)                                                                                   \
	do {                                                                                       \
		if (!(c)) {                                                                        \
			fprintf(stderr, "%s:%d: FAIL: %s\n", __FILE__, __LINE__, #c);              \
			failures++;                                                                \
		}                                                                                  \
	} while (0)

static bool
has(const struct lc_pkt_keys *k, enum lc_key_type t, const void *v, uint8_t len)
{
	unsigned int i;

	for (i = 0; i < k->nb; i++)
		if (k->k[i].type == t && k->k[i].len == len && memcmp(k->k[i].v, v, len) == 0)
			return true;
	return false;
}

static unsigned int
count(const struct lc_pkt_keys *k, enum lc_key_type t)
{
	unsigned int i, n = 0;

	for (i = 0; i < k->nb; i++)
		n += k->k[i].type == t;
	return n;
}

static const uint8_t port80[2] = {0, 80}, port1234[2] = {0x04, 0xd2};
static const uint8_t p6 = 6, p17 = 17, p0 = 0, p44 = 44;

/* dst/src MAC, then tags, then the ethertype. */
static size_t
eth(uint8_t *b, const uint16_t *tags, unsigned int nt, uint16_t et)
{
	size_t o = 12;
	unsigned int i;

	memset(b, 0x02, 12);
	for (i = 0; i < nt; i++) {
		b[o++] = (uint8_t)(tags[2 * i] >> 8);
		b[o++] = (uint8_t)tags[2 * i];
		b[o++] = (uint8_t)(tags[2 * i + 1] >> 8);
		b[o++] = (uint8_t)tags[2 * i + 1];
	}
	b[o++] = (uint8_t)(et >> 8);
	b[o++] = (uint8_t)et;
	return o;
}

static size_t
ip4_tcp(uint8_t *b, uint16_t frag)
{
	memset(b, 0, 40);
	b[0] = 0x45;
	b[6] = (uint8_t)(frag >> 8);
	b[7] = (uint8_t)frag;
	b[9] = 6;
	inet_pton(AF_INET, "10.0.0.1", b + 12);
	inet_pton(AF_INET, "10.0.0.2", b + 16);
	b[20] = 0x04, b[21] = 0xd2, b[22] = 0, b[23] = 80;
	return 40;
}

static void
test_keys(void)
{
	uint8_t pkt[256], a1[4], a2[4], v6a[16];
	const uint16_t qinq[] = {0x88a8, 200, 0x8100, 0x2064}; /* pcp 1, vid 100 */
	const uint8_t vid200[2] = {0, 200}, vid100[2] = {0, 100};
	struct lc_pkt_keys k;
	size_t o;
	unsigned int len, lt;

	inet_pton(AF_INET, "10.0.0.1", a1);
	inet_pton(AF_INET, "10.0.0.2", a2);
	/* Ethernet IPv4 TCP */
	o = eth(pkt, NULL, 0, 0x0800);
	o += ip4_tcp(pkt + o, 0);
	lc_keys_extract(pkt, (uint32_t)o, 1, &k);
	CHECK(!k.opaque && k.nb == 5);
	CHECK(has(&k, LC_KEY_ADDR4, a1, 4) && has(&k, LC_KEY_ADDR4, a2, 4));
	CHECK(has(&k, LC_KEY_PROTO, &p6, 1));
	CHECK(has(&k, LC_KEY_PORT, port80, 2) && has(&k, LC_KEY_PORT, port1234, 2));
	/* a later fragment: addresses and protocol, no ports */
	o = eth(pkt, NULL, 0, 0x0800);
	o += ip4_tcp(pkt + o, 0x2010);
	lc_keys_extract(pkt, (uint32_t)o, 1, &k);
	CHECK(k.nb == 3 && count(&k, LC_KEY_PORT) == 0);
	/* cut short inside the TCP header: no ports, no overread (ASan) */
	o = eth(pkt, NULL, 0, 0x0800);
	ip4_tcp(pkt + o, 0);
	lc_keys_extract(pkt, (uint32_t)o + 22, 1, &k);
	CHECK(k.nb == 3);
	/* QinQ, IPv6, hop-by-hop, fragment (first), UDP */
	o = eth(pkt, qinq, 2, 0x86dd);
	memset(pkt + o, 0, 80);
	pkt[o] = 0x60;
	pkt[o + 6] = 0; /* hop-by-hop */
	inet_pton(AF_INET6, "2001:db8::1", pkt + o + 8);
	inet_pton(AF_INET6, "2001:db8::2", pkt + o + 24);
	pkt[o + 40] = 44; /* hbh: next = fragment, length 0 (8 bytes) */
	pkt[o + 48] = 17; /* fragment: next = UDP, offset 0 */
	pkt[o + 56] = 0x04, pkt[o + 57] = 0xd2, pkt[o + 58] = 0, pkt[o + 59] = 80;
	lc_keys_extract(pkt, (uint32_t)o + 64, 1, &k);
	CHECK(has(&k, LC_KEY_VLAN, vid200, 2) && has(&k, LC_KEY_VLAN, vid100, 2));
	inet_pton(AF_INET6, "2001:db8::2", v6a);
	CHECK(has(&k, LC_KEY_ADDR6, v6a, 16) && count(&k, LC_KEY_ADDR6) == 2);
	CHECK(has(&k, LC_KEY_PROTO, &p0, 1) && has(&k, LC_KEY_PROTO, &p44, 1) &&
			has(&k, LC_KEY_PROTO, &p17, 1));
	CHECK(has(&k, LC_KEY_PORT, port80, 2) && has(&k, LC_KEY_PORT, port1234, 2));
	/* ARP: sender and target protocol addresses */
	o = eth(pkt, NULL, 0, 0x0806);
	memset(pkt + o, 0, 28);
	memcpy(pkt + o + 14, a1, 4);
	memcpy(pkt + o + 24, a2, 4);
	lc_keys_extract(pkt, (uint32_t)o + 28, 1, &k);
	CHECK(k.nb == 2 && has(&k, LC_KEY_ADDR4, a1, 4) && has(&k, LC_KEY_ADDR4, a2, 4));
	/* raw IPv4 (DLT 101) and Linux cooked v2 (276) */
	ip4_tcp(pkt, 0);
	lc_keys_extract(pkt, 40, 101, &k);
	CHECK(k.nb == 5);
	memset(pkt, 0, 20);
	pkt[0] = 0x08, pkt[1] = 0x00;
	ip4_tcp(pkt + 20, 0);
	lc_keys_extract(pkt, 60, 276, &k);
	CHECK(k.nb == 5 && has(&k, LC_KEY_PORT, port80, 2));
	/* an unknown link type: opaque */
	lc_keys_extract(pkt, 60, 147, &k);
	CHECK(k.opaque && k.nb == 0 && !lc_keys_linktype_known(147));
	/* any bytes, any length, every link type: no crash, no overread (ASan) */
	srand(7);
	for (lt = 0; lt < 300; lt++) {
		for (len = 0; len < 200; len++) {
			uint8_t *p = malloc(len ? len : 1);
			unsigned int i;

			for (i = 0; i < len; i++)
				p[i] = (uint8_t)rand();
			if (len > 14 && (len & 1)) {
				p[12] = 0x81, p[13] = 0; /* tags and IPv6 more often */
				if (len > 18)
					p[16] = 0x86, p[17] = 0xdd;
			}
			lc_keys_extract(p, len, lt, &k);
			CHECK(k.nb <= LC_KEYS_MAX);
			free(p);
		}
	}
}

/*
 * The live index's summaries (keys taken on the rx lcore, key hashes
 * only) give the same entries as keys taken from the bytes, for every
 * filter size they can address; a packet with too many keys has none.
 */
static void
test_keysum(void)
{
	static const uint32_t sizes[] = {64, 4096, LC_IDX_BLOOM_MAX};
	unsigned int si, made = 0, refused = 0;

	for (si = 0; si < sizeof(sizes) / sizeof(sizes[0]); si++) {
		struct lc_idx_opts o = {.unit_bytes = 4000, .bloom_bytes = sizes[si], .k = 4};
		struct lc_idx_acc a, b;
		unsigned int n, units = 0;
		uint64_t off = 24;

		CHECK(lc_idx_acc_init(&a, &o) == 0 && lc_idx_acc_init(&b, &o) == 0);
		a.h.linktype = b.h.linktype = 1;
		srand(11);
		for (n = 0; n < 20000; n++) {
			uint8_t p[160];
			uint32_t len = 14 + (uint32_t)rand() % (sizeof(p) - 14), i;
			struct lc_keysum sum;
			bool fa, fb;

			for (i = 0; i < len; i++)
				p[i] = (uint8_t)rand();
			/* Ethernet with 0 to 9 tags, then IPv4 or IPv6 (some with extensions) */
			for (i = 12; i + 4 < len && (unsigned int)rand() % 2 == 0 && i < 12 + 36;
					i += 4)
				p[i] = 0x81, p[i + 1] = 0;
			p[i] = (n & 1) ? 0x86 : 0x08, p[i + 1] = (n & 1) ? 0xdd : 0x00;
			if (i + 2 < len)
				p[i + 2] = (n & 1) ? 0x60 : 0x45;
			if ((n & 1) && i + 8 < len && (n & 2))
				p[i + 8] = (uint8_t)((n & 4) ? 0 : 44);
			fa = lc_idx_acc_packet(&a, off, off + 16 + len, n, p, len);
			if (lc_keysum_make(p, len, 1, &sum)) {
				CHECK(sum.caplen == len && sum.nb <= LC_KEYSUM_MAX);
				fb = lc_idx_acc_packet_sum(&b, off, off + 16 + len, n, &sum);
				made++;
			} else {
				fb = lc_idx_acc_packet(&b, off, off + 16 + len, n, p, len);
				refused++;
			}
			off += 16 + len;
			CHECK(fa == fb);
			if (fa) {
				const uint8_t *ea = lc_idx_acc_cut(&a, NULL),
					      *eb = lc_idx_acc_cut(&b, NULL);

				CHECK(ea != NULL && eb != NULL &&
						memcmp(ea, eb, lc_idx_entry_size(&a.h)) == 0);
				units++;
			}
		}
		CHECK(units > 100 && a.h.entries_crc == b.h.entries_crc);
		lc_idx_acc_reset(&a);
		CHECK(a.h.packets == 0 && a.h.nb_units == 0 && a.u.packets == 0 &&
				a.h.bloom_bytes == sizes[si] && a.entry != NULL);
		lc_idx_acc_free(&a);
		lc_idx_acc_free(&b);
	}
	CHECK(made > 10 * refused); /* most packets are summarised */
	{
		/* 8 tags, IPv6, hop-by-hop, destination options, TCP: 15 keys, no summary */
		uint8_t p[122] = {0};
		struct lc_keysum sum;
		unsigned int i;

		for (i = 12; i < 44; i += 4)
			p[i] = 0x81, p[i + 3] = (uint8_t)i;
		p[44] = 0x86, p[45] = 0xdd, p[46] = 0x60, p[52] = 0;
		p[86] = 60, p[94] = 6;
		CHECK(!lc_keysum_make(p, sizeof(p), 1, &sum));
		CHECK(lc_keysum_make(p, 100, 1, &sum) && sum.nb == 12); /* cut in the options */
	}
}

/*
 * The unit's seen-hash cache (idx_unit.h) skips only keys whose bits are
 * set: over traffic from a few flows (keys repeat) and of new keys in
 * every packet (many distinct hashes share a cache slot), both ways into
 * the accumulator give the filter built by adding every key of every
 * packet.
 */
static void
test_seen(void)
{
	struct lc_idx_opts o = {.unit_bytes = 60000, .bloom_bytes = 4096, .k = 4};
	static uint8_t ref[4096];
	uint8_t pool[64][60];
	struct lc_idx_acc a, b;
	unsigned int n, f, units = 0, skipped = 0;
	uint64_t off = 24;

	CHECK(lc_idx_acc_init(&a, &o) == 0 && lc_idx_acc_init(&b, &o) == 0);
	a.h.linktype = b.h.linktype = 1;
	srand(5);
	for (f = 0; f < 64; f++) { /* Ethernet, IPv4, UDP or TCP; IPv6 for some */
		uint8_t *p = pool[f];
		unsigned int i;

		for (i = 0; i < sizeof(pool[f]); i++)
			p[i] = (uint8_t)rand();
		p[12] = 0x08, p[13] = 0x00, p[14] = 0x45, p[20] = 0, p[21] = 0;
		p[23] = (f & 1) ? 6 : 17;
		if (f % 8 == 7)
			p[12] = 0x86, p[13] = 0xdd, p[14] = 0x60, p[20] = 17;
		if (f % 4 == 0)
			p[36] = 0, p[37] = 53; /* a port many flows share */
	}
	memset(ref, 0, sizeof(ref));
	for (n = 0; n < 60000; n++) {
		/* phases of 4000 packets: 64 flows, 4 flows, new addresses and ports each packet */
		uint8_t *p = pool[(unsigned int)rand() % ((n / 4000) % 3 == 1 ? 4 : 64)];
		struct lc_pkt_keys keys;
		struct lc_keysum sum;
		unsigned int i;
		bool fa, fb;

		if ((n / 4000) % 3 == 2)
			for (i = 22; i < 58; i++) /* IPv6 addresses; IPv4 addresses and ports */
				if (i != 23)	  /* IPv4's protocol */
					p[i] = (uint8_t)rand();

		lc_keys_extract(p, 60, 1, &keys);
		for (i = 0; i < keys.nb; i++)
			lc_bloom_add(ref, sizeof(ref), 4, lc_key_hash(&keys.k[i]));
		fa = lc_idx_acc_packet(&a, off, off + 76, n, p, 60);
		CHECK(lc_keysum_make(p, 60, 1, &sum));
		fb = lc_idx_acc_packet_sum(&b, off, off + 76, n, &sum);
		off += 76;
		CHECK(fa == fb);
		if (fa) {
			const uint8_t *ea = lc_idx_acc_cut(&a, NULL),
				      *eb = lc_idx_acc_cut(&b, NULL);

			CHECK(ea != NULL && eb != NULL);
			if (ea == NULL || eb == NULL)
				break;
			CHECK(memcmp(ea + LC_IDX_ENTRY_FIXED, ref, sizeof(ref)) == 0);
			CHECK(memcmp(eb + LC_IDX_ENTRY_FIXED, ref, sizeof(ref)) == 0);
			memset(ref, 0, sizeof(ref));
			units++;
		}
	}
	for (n = 0; n < LC_IDX_SEEN; n++) /* the last unit's cache is in use */
		skipped += (a.seen[n] & (LC_IDX_SEEN - 1)) == n;
	CHECK(units > 60 && skipped > 0);
	lc_idx_acc_free(&a);
	lc_idx_acc_free(&b);
}

/*
 * A unit ends at unit_bytes of records or at unit_packets packets, whichever
 * comes first (0: by bytes only): small records are cut by their count, large
 * ones by their bytes.
 */
static void
test_unit_packets(void)
{
	static const struct {
		uint32_t packets, rec; /* unit_packets; bytes per record */
		unsigned int expect;   /* packets per full unit */
	} cases[] = {
			{100, 76, 100},	 /* 7,600 bytes: the count first */
			{100, 1016, 50}, /* 50 records reach 50,800 >= 50,000 bytes */
			{0, 76, 658},	 /* bytes only: 658 * 76 >= 50,000 */
	};
	uint8_t pkt[60] = {0};
	unsigned int c;

	pkt[12] = 0x08, pkt[14] = 0x45, pkt[23] = 17;
	for (c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		struct lc_idx_opts o = {.unit_bytes = 50000,
				.unit_packets = cases[c].packets,
				.bloom_bytes = 256,
				.k = 4};
		struct lc_idx_acc a;
		unsigned int n, in_unit = 0, bad = 0, units = 0;
		uint64_t off = 24;

		CHECK(lc_idx_acc_init(&a, &o) == 0);
		a.h.linktype = 1;
		for (n = 0; n < 2000; n++) {
			in_unit++;
			if (lc_idx_acc_packet(&a, off, off + cases[c].rec, n, pkt, sizeof(pkt))) {
				bad += in_unit != cases[c].expect;
				CHECK(lc_idx_acc_cut(&a, NULL) != NULL);
				in_unit = 0;
				units++;
			}
			off += cases[c].rec;
		}
		CHECK(bad == 0 && units == 2000 / cases[c].expect);
		lc_idx_acc_free(&a);
	}
}

static void
test_bloom(void)
{
	static uint8_t bloom[4096];
	struct lc_key key;
	unsigned int i, fp = 0, n = 3000, k = 4, trials = 100000;
	double expect;

	for (i = 0; i < n; i++) {
		uint32_t v = i * 2654435761u;

		lc_key_make(&key, LC_KEY_ADDR4, &v, 4);
		lc_bloom_add(bloom, sizeof(bloom), k, lc_key_hash(&key));
	}
	for (i = 0; i < n; i++) {
		uint32_t v = i * 2654435761u;

		lc_key_make(&key, LC_KEY_ADDR4, &v, 4);
		CHECK(lc_bloom_test(bloom, sizeof(bloom), k, lc_key_hash(&key)));
	}
	for (i = 0; i < trials; i++) {
		uint32_t v = (n + i) * 2654435761u;

		lc_key_make(&key, LC_KEY_ADDR4, &v, 4);
		fp += lc_bloom_test(bloom, sizeof(bloom), k, lc_key_hash(&key));
	}
	/*
	 * Blocked, 64 lines of 512 bits, keys Poisson over the lines:
	 * sum over x of P(x) (1 - (511/512)^(kx))^k = 0.95 % for 3000 keys
	 */
	expect = 0.0095;
	printf("bloom v2: %u keys in %zu bytes, k %u: false positives %.4f (theory %.4f)\n", n,
			sizeof(bloom), k, (double)fp / trials, expect);
	CHECK((double)fp / trials < expect * 1.3 && (double)fp / trials > expect * 0.7);
	/* the same value under another type is another key */
	lc_key_make(&key, LC_KEY_PORT, "\0P", 2);
	{
		struct lc_key k2;

		lc_key_make(&k2, LC_KEY_VLAN, "\0P", 2);
		CHECK(lc_key_hash(&key) != lc_key_hash(&k2));
		CHECK(lc_key_hash_v1(&key) != lc_key_hash_v1(&k2));
	}
}

/* Known answers: the hash and bit layout of version 2 as idx_format.h defines them. */
static void
test_bloom_layout(void)
{
	uint8_t bloom[128] = {0};
	struct lc_key key;
	uint64_t x, y, f, g, want[8] = {0}, got[8] = {0};
	unsigned __int128 p;
	uint32_t h;
	unsigned int j, b;

	lc_key_make(&key, LC_KEY_ADDR4, "\x0a\x01\x02\x03", 4);
	x = 0x0302010aull ^ ((uint64_t)(1 << 8 | 4) * 0x9e3779b97f4a7c15ull);
	y = 0xc2b2ae3d27d4eb4full;
	p = (unsigned __int128)x * y;
	f = ((uint64_t)p ^ (uint64_t)(p >> 64)) * 0xbf58476d1ce4e5b9ull;
	h = (uint32_t)(f >> 32);
	CHECK(lc_key_hash(&key) == h);
	g = (uint64_t)h * 0x9e3779b97f4a7c15ull;
	for (j = 0; j < 3; j++) {
		b = (unsigned int)(g >> (55 - 9 * j)) & 511;
		want[b / 64] |= 1ull << (b % 64);
	}
	lc_bloom_add(bloom, sizeof(bloom), 3, h);
	for (b = 0; b < sizeof(bloom); b++)
		if (bloom[b] != 0) {
			CHECK(b / 64 == (h & 1)); /* one line: h mod (128 B / 64) */
			got[(b % 64) / 8] |= (uint64_t)bloom[b] << (8 * (b % 8));
		}
	for (j = 0; j < 8; j++)
		CHECK(got[j] == want[j]);
	CHECK(want[0] | want[1] | want[2] | want[3] | want[4] | want[5] | want[6] | want[7]);
}

/* A version 1 filter set by the rule idx_format.h gives is read as such. */
static void
test_bloom_v1(void)
{
	static uint8_t bloom[4096];
	struct lc_key key;
	unsigned int i, j, fp = 0, n = 3000, k = 4;

	for (i = 0; i < n; i++) {
		uint32_t v = i * 2654435761u;
		uint64_t hv;

		lc_key_make(&key, LC_KEY_ADDR4, &v, 4);
		hv = lc_key_hash_v1(&key);
		for (j = 0; j < k; j++) {
			uint32_t bit = ((uint32_t)hv + j * ((uint32_t)(hv >> 32) | 1u)) & 32767u;

			bloom[bit >> 3] |= (uint8_t)(1u << (bit & 7));
		}
	}
	for (i = 0; i < n; i++) {
		uint32_t v = i * 2654435761u;

		lc_key_make(&key, LC_KEY_ADDR4, &v, 4);
		CHECK(lc_bloom_test_v1(bloom, sizeof(bloom), k, lc_key_hash_v1(&key)));
	}
	for (i = 0; i < 100000; i++) {
		uint32_t v = (n + i) * 2654435761u;

		lc_key_make(&key, LC_KEY_ADDR4, &v, 4);
		fp += lc_bloom_test_v1(bloom, sizeof(bloom), k, lc_key_hash_v1(&key));
	}
	/* (1 - e^(-kn/m))^k with m = 32768 bits: 0.88 % for 3000 keys */
	printf("bloom v1: false positives %.4f (theory 0.0088)\n", fp / 100000.0);
	CHECK(fp > 616 && fp < 1150);
}

/*
 * The same index in version 1's layout: entries of 40 fixed bytes (no frame
 * fields) and their filters; the header's entry size and entries CRC to
 * match. Returns its length.
 */
static size_t
to_v1(const uint8_t *v2, uint8_t *out, size_t esz, uint32_t bloom_bytes, unsigned int nb)
{
	size_t esz1 = LC_IDX_ENTRY_FIXED_V1 + bloom_bytes;
	uint32_t v = (uint32_t)esz1, crc;
	unsigned int j;

	memcpy(out, v2, LC_IDX_HDR_SIZE);
	memcpy(out + 44, &v, 4); /* little-endian host */
	for (j = 0; j < nb; j++) {
		const uint8_t *e = v2 + LC_IDX_HDR_SIZE + j * esz;
		uint8_t *o = out + LC_IDX_HDR_SIZE + j * esz1;

		memcpy(o, e, LC_IDX_ENTRY_FIXED_V1);
		memcpy(o + LC_IDX_ENTRY_FIXED_V1, e + LC_IDX_ENTRY_FIXED, bloom_bytes);
	}
	crc = lc_crc32c(0, out + LC_IDX_HDR_SIZE, nb * esz1);
	memcpy(out + 56, &crc, 4);
	return LC_IDX_HDR_SIZE + nb * esz1;
}

static void
test_format(void)
{
	struct lc_idx_header h = {.file_size = 100000,
			.head_crc = 5,
			.linktype = 1,
			.format = 0,
			.ts_res = 9,
			.flags = LC_IDX_SEEKABLE,
			.bloom_k = 4,
			.bloom_bytes = 64,
			.nb_units = 3,
			.packets = 30};
	size_t esz = lc_idx_entry_size(&h), len = LC_IDX_HDR_SIZE + 3 * esz, i;
	uint8_t *buf = calloc(1, len), *bad = malloc(len);
	struct lc_idx_header got;
	struct lc_idx_unit u;
	char why[128];

	for (i = 0; i < 3; i++) {
		struct lc_idx_unit e = {.offset = 24 + i * 1000,
				.length = 1000,
				.min_ts = i * 10,
				.max_ts = i * 10 + 5,
				.packets = 10};

		lc_idx_entry_encode(&e, buf + LC_IDX_HDR_SIZE + i * esz);
		buf[LC_IDX_HDR_SIZE + i * esz + LC_IDX_ENTRY_FIXED + i] = 0xa5;
	}
	h.entries_crc = lc_crc32c(0, buf + LC_IDX_HDR_SIZE, 3 * esz);
	CHECK(lc_crc32c(0, "123456789", 9) == 0xe3069283u); /* the CRC-32C check value */
	lc_idx_header_encode(&h, buf);
	CHECK(lc_idx_parse(buf, len, &got, why, sizeof(why)) == 0);
	CHECK(got.nb_units == 3 && got.packets == 30 && got.file_size == 100000);
	lc_idx_unit_at(buf, &got, 2, &u);
	CHECK(u.offset == 2024 && u.length == 1000 && u.min_ts == 20 && u.max_ts == 25 &&
			u.packets == 10 && u.bloom[2] == 0xa5);
	CHECK(got.version == LC_IDX_VERSION);
	/* version 1 is still read (with k up to 16), 3 is not; version 2 takes k <= 6 */
	for (i = 0; i < 5; i++) {
		static const uint8_t ver[] = {1, 1, 2, 2, 3}, k[] = {4, 16, 6, 7, 4};
		uint32_t crc;

		size_t blen = ver[i] == 1 ? to_v1(buf, bad, esz, h.bloom_bytes, 3) : len;

		if (ver[i] != 1)
			memcpy(bad, buf, len);
		bad[8] = ver[i];
		bad[35] = k[i];
		crc = lc_crc32c(0, bad, 60);
		memcpy(bad + 60, &crc, 4); /* little-endian host */
		CHECK((lc_idx_parse(bad, blen, &got, why, sizeof(why)) == 0) == (i != 3 && i != 4));
		CHECK(i == 3 || i == 4 || got.version == ver[i]);
	}
	/* every single-bit change and every truncation is refused */
	for (i = 0; i < len * 8; i++) {
		memcpy(bad, buf, len);
		bad[i / 8] ^= (uint8_t)(1u << (i % 8));
		CHECK(lc_idx_parse(bad, len, &got, why, sizeof(why)) < 0);
	}
	for (i = 0; i < len; i++)
		CHECK(lc_idx_parse(buf, i, &got, why, sizeof(why)) < 0);
	free(buf);
	free(bad);
}

static unsigned int
narrow(const char *e)
{
	struct lc_narrow n;

	lc_narrow_derive(e, &n);
	return n.nb;
}

static void
test_narrow(void)
{
	struct lc_narrow n;

	CHECK(narrow("host 10.0.0.1") == 1);
	CHECK(narrow("host 10.0.0.1 and port 80") == 2);
	CHECK(narrow("src host 10.0.0.1 && tcp dst port 80") == 3);
	CHECK(narrow("ip6 host 2001:db8::1 and udp") == 2);
	CHECK(narrow("vlan 100 and host 10.0.0.1") == 2);
	CHECK(narrow("ip proto 17") == 1);
	CHECK(narrow("host 10.0.0.1 and len > 100") == 1);
	CHECK(narrow("host 10.0.0.1 and net 10.0.0.0/8") == 1);
	CHECK(narrow("host 10.0.0.1 or port 80") == 0);
	CHECK(narrow("not host 10.0.0.1") == 0);
	CHECK(narrow("host 10.0.0.1 and not port 80") == 0);
	CHECK(narrow("(host 10.0.0.1)") == 0);
	CHECK(narrow("host example") == 0);
	CHECK(narrow("mpls and host 10.0.0.1") == 0);
	CHECK(narrow("tcp[13] & 2 != 0") == 0);
	CHECK(narrow("ether host 02:00:00:00:00:01") == 0);
	CHECK(narrow("port 80 and 443") == 1); /* `443` inherits `port`: not narrowed */
	CHECK(narrow("host 10.0.0.1 and 10.0.0.2") == 1);
	CHECK(narrow("port http") == 0);
	CHECK(narrow("") == 0 && narrow(NULL) == 0);
	lc_narrow_derive("tcp port 80", &n);
	CHECK(n.nb == 2 && n.keys[0].type == LC_KEY_PORT && n.keys[1].type == LC_KEY_PROTO &&
			n.keys[1].v[0] == 6);
}

static void
test_time(void)
{
	const uint64_t now = 1796083200ull * 1000000000u, s = 1000000000u;
	uint64_t t;

	CHECK(lc_time_parse("2026-12-01T00:00:00Z", now, &t) == 0 && t == now);
	CHECK(lc_time_parse("2026-12-01T01:00:00.5+01:00", now, &t) == 0 && t == now + s / 2);
	CHECK(lc_time_parse("2026-12-01 00:00:00", now, &t) == 0 && t == now);
	CHECK(lc_time_parse("2026-12-01", now, &t) == 0 && t == now);
	CHECK(lc_time_parse("-15m", now, &t) == 0 && t == now - 900 * s);
	CHECK(lc_time_parse("-2h", now, &t) == 0 && t == now - 7200 * s);
	CHECK(lc_time_parse("-1.5h", now, &t) == 0 && t == now - 5400 * s);
	CHECK(lc_time_parse("1796083200.000000001", now, &t) == 0 && t == now + 1);
	CHECK(lc_time_parse("1796083200", now, &t) == 0 && t == now);
	CHECK(lc_time_parse("now", now, &t) == 0 && t == now);
	CHECK(lc_time_parse("", now, &t) < 0);
	CHECK(lc_time_parse("yesterday", now, &t) < 0);
	CHECK(lc_time_parse("-15x", now, &t) < 0);
	CHECK(lc_time_parse("-m", now, &t) < 0);
	CHECK(lc_time_parse("2026-02-30T00:00:00Z", now, &t) < 0);
	CHECK(lc_time_parse("2026-12-01T25:00:00Z", now, &t) < 0);
	CHECK(lc_time_parse("2026-12-01T00:00:00Zjunk", now, &t) < 0);
	CHECK(lc_time_parse("12.", now, &t) < 0);
	CHECK(lc_time_parse("-100000d", now, &t) < 0);
}

int
main(void)
{
	test_keys();
	test_keysum();
	test_seen();
	test_unit_packets();
	test_bloom();
	test_bloom_layout();
	test_bloom_v1();
	test_format();
	test_narrow();
	test_time();
	if (failures) {
		fprintf(stderr, "test_index: %d failures\n", failures);
		return 1;
	}
	printf("test_index: all passed\n");
	return 0;
}
