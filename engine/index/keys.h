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
