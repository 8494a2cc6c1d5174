/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Key extraction (see keys.h): Ethernet with any number of 802.1Q/802.1ad
 * tags (up to 8), Linux cooked v1/v2, BSD loopback, raw IP; then IPv4
 * (options, fragments: ports from the first fragment only), IPv6 (hop-by-
 * hop, routing, fragment, destination options, AH: at most 8 headers), ARP.
 */
#include <string.h>

#include "index/keys.h"

/* DLT numbers (pcap/dlt.h values, fixed by the file format). */
#define DLT_NULL_ 0
#define DLT_EN10MB_ 1
#define DLT_RAW_ 101
#define DLT_LOOP_ 108
#define DLT_LINUX_SLL_ 113
#define DLT_IPV4_ 228
#define DLT_IPV6_ 229
#define DLT_LINUX_SLL2_ 276
#define DLT_RAW_OLD_ 12

#define ET_IP4 0x0800
#define ET_IP6 0x86dd
#define ET_ARP 0x0806
#define ET_RARP 0x8035
#define ET_VLAN 0x8100
#define ET_QINQ 0x88a8
#define ET_QINQ_OLD 0x9100

#define MAX_TAGS 8
#define MAX_IP6_EXT 8

static inline uint16_t
be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static void
add(struct lc_pkt_keys *o, enum lc_key_type type, const uint8_t *v, uint8_t len)
{
	/* No duplicate check: a key added twice sets the same Bloom bits. */
	if (o->nb < LC_KEYS_MAX)
		lc_key_make(&o->k[o->nb++], type, v, len);
	else
		o->opaque = true; /* never drop a key silently: the unit is unsummarised */
}

static void
l4_ports(const uint8_t *p, uint32_t len, uint8_t proto, struct lc_pkt_keys *o)
{
	if ((proto != 6 && proto != 17 && proto != 132) || len < 4)
		return;
	add(o, LC_KEY_PORT, p, 2);
	add(o, LC_KEY_PORT, p + 2, 2);
}

static void
ipv4(const uint8_t *p, uint32_t len, struct lc_pkt_keys *o)
{
	uint32_t ihl;

	if (len < 20 || (p[0] >> 4) != 4)
		return;
	add(o, LC_KEY_ADDR4, p + 12, 4);
	add(o, LC_KEY_ADDR4, p + 16, 4);
	add(o, LC_KEY_PROTO, p + 9, 1);
	ihl = (uint32_t)(p[0] & 0x0f) * 4;
	if (ihl < 20 || ihl > len || (be16(p + 6) & 0x1fff) != 0)
		return;
	l4_ports(p + ihl, len - ihl, p[9], o);
}

static bool
ip6_ext(uint8_t nh)
{
	return nh == 0 || nh == 43 || nh == 44 || nh == 60 || nh == 51;
}

static void
ipv6(const uint8_t *p, uint32_t len, struct lc_pkt_keys *o)
{
	uint32_t off = 40, n;
	uint8_t nh;

	if (len < 40 || (p[0] >> 4) != 6)
		return;
	add(o, LC_KEY_ADDR6, p + 8, 16);
	add(o, LC_KEY_ADDR6, p + 24, 16);
	nh = p[6];
	add(o, LC_KEY_PROTO, &nh, 1);
	for (n = 0; ip6_ext(nh) && n < MAX_IP6_EXT; n++) {
		uint32_t hlen;

		if (len - off < 8)
			return;
		if (nh == 44) {
			hlen = 8;
			if ((be16(p + off + 2) & 0xfff8) != 0)
				nh = 59; /* a later fragment: no L4 header here */
			else
				nh = p[off];
		} else {
			hlen = nh == 51 ? ((uint32_t)p[off + 1] + 2) * 4
					: ((uint32_t)p[off + 1] + 1) * 8;
			nh = p[off];
		}
		if (hlen > len - off)
			return;
		off += hlen;
		add(o, LC_KEY_PROTO, &nh, 1);
	}
	l4_ports(p + off, len - off, nh, o);
}

static void
arp(const uint8_t *p, uint32_t len, struct lc_pkt_keys *o)
{
	/* libpcap's `arp host` reads fixed offsets 14 and 24 (Ethernet/IPv4 ARP). */
	if (len >= 18)
		add(o, LC_KEY_ADDR4, p + 14, 4);
	if (len >= 28)
		add(o, LC_KEY_ADDR4, p + 24, 4);
}

static void
l3(uint16_t et, const uint8_t *p, uint32_t len, struct lc_pkt_keys *o)
{
	if (et == ET_IP4)
		ipv4(p, len, o);
	else if (et == ET_IP6)
		ipv6(p, len, o);
	else if (et == ET_ARP || et == ET_RARP)
		arp(p, len, o);
}

static void
ether(const uint8_t *p, uint32_t len, struct lc_pkt_keys *o)
{
	uint32_t off = 12, n;
	uint16_t et;

	if (len < 14)
		return;
	et = be16(p + off);
	for (n = 0; (et == ET_VLAN || et == ET_QINQ || et == ET_QINQ_OLD) && n < MAX_TAGS; n++) {
		uint8_t vid[2];

		if (len - off < 6)
			return;
		vid[0] = p[off + 2] & 0x0f;
		vid[1] = p[off + 3];
		add(o, LC_KEY_VLAN, vid, 2);
		off += 4;
		et = be16(p + off);
	}
	l3(et, p + off + 2, len - off - 2, o);
}

static void
raw_ip(const uint8_t *p, uint32_t len, struct lc_pkt_keys *o)
{
	if (len < 1)
		return;
	if ((p[0] >> 4) == 4)
		ipv4(p, len, o);
	else if ((p[0] >> 4) == 6)
		ipv6(p, len, o);
}

static void
loopback(const uint8_t *p, uint32_t len, struct lc_pkt_keys *o)
{
	/* 4-byte address family in either byte order; the payload says which IP. */
	if (len >= 4)
		raw_ip(p + 4, len - 4, o);
}

bool
lc_keys_linktype_known(uint32_t linktype)
{
	switch (linktype) {
	case DLT_NULL_:
	case DLT_EN10MB_:
	case DLT_RAW_:
	case DLT_RAW_OLD_:
	case DLT_LOOP_:
	case DLT_LINUX_SLL_:
	case DLT_IPV4_:
	case DLT_IPV6_:
	case DLT_LINUX_SLL2_:
		return true;
	default:
		return false;
	}
}

void
lc_keys_extract(const uint8_t *pkt, uint32_t caplen, uint32_t linktype, struct lc_pkt_keys *out)
{
	out->nb = 0;
	out->opaque = false;
	switch (linktype) {
	case DLT_EN10MB_:
		ether(pkt, caplen, out);
		break;
	case DLT_RAW_:
	case DLT_RAW_OLD_:
	case DLT_IPV4_:
	case DLT_IPV6_:
		raw_ip(pkt, caplen, out);
		break;
	case DLT_NULL_:
	case DLT_LOOP_:
		loopback(pkt, caplen, out);
		break;
	case DLT_LINUX_SLL_:
		if (caplen >= 16)
			l3(be16(pkt + 14), pkt + 16, caplen - 16, out);
		break;
	case DLT_LINUX_SLL2_:
		if (caplen >= 20)
			l3(be16(pkt), pkt + 20, caplen - 20, out);
		break;
	default:
		out->opaque = true;
		break;
	}
}

void
lc_key_make(struct lc_key *k, enum lc_key_type type, const void *v, uint8_t len)
{
	memset(k, 0, sizeof(*k));
	k->type = (uint8_t)type;
	k->len = len > sizeof(k->v) ? (uint8_t)sizeof(k->v) : len;
	memcpy(k->v, v, k->len);
}

static inline uint64_t
mix64(uint64_t x)
{
	/* splitmix64's finaliser */
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ull;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

static inline uint64_t
le64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	v = __builtin_bswap64(v);
#endif
	return v;
}

uint64_t
lc_key_hash_v1(const struct lc_key *k)
{
	/*
	 * The value as two little-endian words (zero-padded to 16 bytes by
	 * lc_key_make), each mixed with the type and length: index format
	 * version 1 (idx_format.h), kept to read version 1 files.
	 */
	uint64_t tl = (uint64_t)k->type << 8 | k->len;

	return mix64(le64(k->v) ^ (tl * 0x9e3779b97f4a7c15ull)) ^
	       mix64(le64(k->v + 8) + tl * 0xc2b2ae3d27d4eb4full + 1);
}

bool
lc_keysum_make(const uint8_t *pkt, uint32_t caplen, uint32_t linktype, struct lc_keysum *s)
{
	struct lc_pkt_keys keys;
	unsigned int i;

	if (lc_keysum_fast(pkt, caplen, linktype, s))
		return true;
	lc_keys_extract(pkt, caplen, linktype, &keys);
	if (keys.nb > LC_KEYSUM_MAX)
		return false;
	s->caplen = caplen;
	s->nb = (uint8_t)keys.nb;
	s->opaque = keys.opaque;
	for (i = 0; i < keys.nb; i++)
		s->hash[i] = lc_key_hash(&keys.k[i]);
	return true;
}
