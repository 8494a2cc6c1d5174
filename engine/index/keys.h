/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef LINECAP_INDEX_KEYS_H
#define LINECAP_INDEX_KEYS_H

/*
 * The keys a query can narrow by, taken from one packet's bytes: IPv4/IPv6
 * addresses (source and destination alike, and ARP/RARP's sender and
 * target protocol addresses, which tcpdump's `host` also matches), L4 ports
 * (TCP, UDP, SCTP; source and destination alike), IP protocol numbers (every
 * next-header value of an IPv6 chain) and VLAN ids (every 802.1Q/802.1ad
 * tag). Extraction is pure and allocation-free; keys are a superset of what
 * libpcap's host/port/proto/vlan primitives can match, never a subset.
 */

#include <stdbool.h>
#include <stdint.h>

enum lc_key_type {
	LC_KEY_ADDR4 = 1, /* 4 bytes */
	LC_KEY_ADDR6 = 2, /* 16 bytes */
	LC_KEY_PORT = 3,  /* 2 bytes, network order */
	LC_KEY_PROTO = 4, /* 1 byte */
	LC_KEY_VLAN = 5,  /* 2 bytes, network order, 12-bit id */
};

struct lc_key {
	uint8_t type; /* enum lc_key_type */
	uint8_t len;
	uint8_t v[16];
};

#define LC_KEYS_MAX 24 /* 8 tags, 2 addresses, 2 ports, 9 protocols, and spare */

struct lc_pkt_keys {
	unsigned int nb;
	bool opaque; /* link type not understood: the packet may match anything */
	struct lc_key k[LC_KEYS_MAX];
};

/*
 * A packet's keys in the form the live index takes them from the rx lcore
 * (linecap/block_hook.h: summarise): each key's 32-bit hash lc_key_hash,
 * which alone decides its Bloom bits in a filter of any size (idx_format.h,
 * version 2). 64 bytes.
 */
#define LC_KEYSUM_MAX 14

struct lc_keysum {
	uint32_t caplen; /* the bytes the keys were taken from */
	uint8_t nb;	 /* keys in hash[] */
	uint8_t opaque;	 /* the packet may match any key */
	uint16_t reserved;
	uint32_t hash[LC_KEYSUM_MAX]; /* lc_key_hash of each key */
};

/*
 * The summary of one packet's `caplen` bytes: false (nothing usable) when it
 * has more than LC_KEYSUM_MAX keys.
 */
bool lc_keysum_make(const uint8_t *pkt, uint32_t caplen, uint32_t linktype, struct lc_keysum *s);

/* True if this DLT is one extraction understands (else every packet is opaque). */
bool lc_keys_linktype_known(uint32_t linktype);

/* Fill `out` from the `caplen` bytes of one packet of link type `linktype`. */
void lc_keys_extract(
		const uint8_t *pkt, uint32_t caplen, uint32_t linktype, struct lc_pkt_keys *out);

/* A key built from a value (for queries). */
void lc_key_make(struct lc_key *k, enum lc_key_type type, const void *v, uint8_t len);

/*
 * The hash of a key (type, length and value) of index format version 2:
 * defined in idx_format.h, part of the format, so never change it within a
 * version. A 64x64->128-bit multiply, then a 64-bit one.
 */
static inline uint32_t
lc_key_hash_words(uint64_t t, uint64_t w0, uint64_t w1)
{
	uint64_t x = w0 ^ (t * 0x9e3779b97f4a7c15ull), y = w1 ^ 0xc2b2ae3d27d4eb4full, f;
	unsigned __int128 p = (unsigned __int128)x * y;

	f = ((uint64_t)p ^ (uint64_t)(p >> 64)) * 0xbf58476d1ce4e5b9ull;
	return (uint32_t)(f >> 32);
}

static inline uint32_t
lc_key_hash(const struct lc_key *k)
{
	uint64_t w0 = 0, w1 = 0;
	unsigned int i;

	for (i = 0; i < 8; i++) { /* little-endian, whatever the host */
		w0 |= (uint64_t)k->v[i] << (8 * i);
		w1 |= (uint64_t)k->v[8 + i] << (8 * i);
	}
	return lc_key_hash_words((uint64_t)k->type << 8 | k->len, w0, w1);
}

/*
 * The common case of lc_keysum_make straight to its hashes, without building
 * keys: Ethernet (DLT 1), no tag, IPv4 without options, not a later
 * fragment, TCP/UDP/SCTP with both ports. The same keys as lc_keys_extract
 * takes (the unit test holds the two to the same Bloom bits). False: not
 * that case. Inline: the rx lcore runs it for every packet.
 */
static inline bool
lc_keysum_fast(const uint8_t *pkt, uint32_t caplen, uint32_t linktype, struct lc_keysum *s)
{
	const uint8_t *ip = pkt + 14, *l4 = pkt + 34;
	uint8_t proto;

	if (linktype != 1 || caplen < 38 || pkt[12] != 0x08 || pkt[13] != 0x00 || ip[0] != 0x45 ||
			(ip[6] & 0x1f) != 0 || ip[7] != 0)
		return false;
	proto = ip[9];
	if (proto != 6 && proto != 17 && proto != 132)
		return false;
	s->caplen = caplen;
	s->nb = 5;
	s->opaque = 0;
	s->hash[0] = lc_key_hash_words(LC_KEY_ADDR4 << 8 | 4,
			(uint64_t)ip[12] | ip[13] << 8 | ip[14] << 16 | (uint64_t)ip[15] << 24, 0);
	s->hash[1] = lc_key_hash_words(LC_KEY_ADDR4 << 8 | 4,
			(uint64_t)ip[16] | ip[17] << 8 | ip[18] << 16 | (uint64_t)ip[19] << 24, 0);
	/* of constants: folded by the compiler */
	s->hash[2] = proto == 17  ? lc_key_hash_words(LC_KEY_PROTO << 8 | 1, 17, 0)
		     : proto == 6 ? lc_key_hash_words(LC_KEY_PROTO << 8 | 1, 6, 0)
				  : lc_key_hash_words(LC_KEY_PROTO << 8 | 1, 132, 0);
	s->hash[3] = lc_key_hash_words(LC_KEY_PORT << 8 | 2, (uint64_t)l4[0] | l4[1] << 8, 0);
	s->hash[4] = lc_key_hash_words(LC_KEY_PORT << 8 | 2, (uint64_t)l4[2] | l4[3] << 8, 0);
	return true;
}

/* The 64-bit key hash of index format version 1 (only to read version 1 files). */
uint64_t lc_key_hash_v1(const struct lc_key *k);

#endif
