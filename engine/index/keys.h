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
 * (linecap/block_hook.h: summarise): for each key, the two 16-bit halves of
 * its hash that decide its Bloom bits in a filter of at most 2^16 bits
 * (idx_format.h: bit (h1 + j * h2) mod m, m a power of two). 64 bytes.
 */
#define LC_KEYSUM_MAX 14
#define LC_KEYSUM_MAX_BLOOM 8192u /* Bloom bytes the coordinates can address */

struct lc_keysum {
	uint32_t caplen; /* the bytes the keys were taken from */
	uint8_t nb;	 /* keys in coord[] */
	uint8_t opaque;	 /* the packet may match any key */
	uint16_t reserved;
	uint32_t coord[LC_KEYSUM_MAX]; /* h1 & 0xffff | (h2 & 0xffff) << 16 */
};

/*
 * The summary of one packet's `caplen` bytes: false (nothing usable) when it
 * has more than LC_KEYSUM_MAX keys.
 */
bool lc_keysum_make(const uint8_t *pkt, uint32_t caplen, uint32_t linktype, struct lc_keysum *s);

/* A hash that sets the same Bloom bits as the key's own (filters up to LC_KEYSUM_MAX_BLOOM). */
static inline uint64_t
lc_keysum_hash(uint32_t coord)
{
	return (uint64_t)(coord & 0xffffu) | (uint64_t)(coord >> 16) << 32;
}

/* True if this DLT is one extraction understands (else every packet is opaque). */
bool lc_keys_linktype_known(uint32_t linktype);

/* Fill `out` from the `caplen` bytes of one packet of link type `linktype`. */
void lc_keys_extract(
		const uint8_t *pkt, uint32_t caplen, uint32_t linktype, struct lc_pkt_keys *out);

/* A key built from a value (for queries). */
void lc_key_make(struct lc_key *k, enum lc_key_type type, const void *v, uint8_t len);

/* 64-bit hash of a key (type and value). */
uint64_t lc_key_hash(const struct lc_key *k);

#endif
