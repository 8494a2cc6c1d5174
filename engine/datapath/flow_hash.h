/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef LINECAP_FLOW_HASH_H
#define LINECAP_FLOW_HASH_H

#include <stdint.h>

#include <rte_byteorder.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_mbuf.h>

/*
 * Software symmetric RSS: the Toeplitz hash a NIC computes with the key
 * 0x6D5A repeated (LC_SYM_RSS_KEY), so a flow reaches the same writer whether
 * the NIC hashed it or we did.
 *
 * Toeplitz is linear over XOR: hash(input) = XOR over input bits i that are
 * set of the 32-bit key window starting at bit i. With a key of period 16
 * bits the window depends only on i mod 16, so the whole hash is the XOR of
 * per-byte contributions from two 256-entry tables (even and odd byte
 * offsets). Swapping the two addresses (4- or 16-byte aligned) and the two
 * ports (2-byte aligned) keeps every byte's parity, which is why the hash is
 * symmetric.
 */
struct lc_sym_hash {
	uint32_t tbl[2][256];
};

/* Build the tables. Control plane. */
void lc_sym_hash_init(struct lc_sym_hash *h);

/* Fill `key` (len bytes) with the symmetric pattern 0x6D 0x5A ... */
void lc_sym_rss_key(uint8_t *key, unsigned int len);

static inline uint32_t
lc_sym_hash_bytes(const struct lc_sym_hash *h, const uint8_t *p, unsigned int len)
{
	uint32_t v = 0;
	unsigned int i;

	for (i = 0; i < len; i++)
		v ^= h->tbl[i & 1][p[i]];
	return v;
}

/*
 * Hash of a packet as RSS over IPv4/IPv6 with TCP/UDP/SCTP ports does it:
 * input = src addr | dst addr | src port | dst port (network order), or
 * src | dst only for fragments and other protocols. VLAN and QinQ tags are
 * skipped. Non-IP frames hash their MAC pair symmetrically (XOR), so they
 * still spread and stay together per station pair.
 * Only the first segment is parsed; headers beyond it count as non-IP.
 */
static inline uint32_t
lc_sym_hash_mbuf(const struct lc_sym_hash *h, const struct rte_mbuf *m)
{
	const uint8_t *p = rte_pktmbuf_mtod(m, const uint8_t *);
	uint32_t len = m->data_len;
	uint32_t off = sizeof(struct rte_ether_hdr);
	uint16_t etype;
	uint8_t proto;
	uint32_t l4;
	uint8_t tuple[36];
	unsigned int addr_len;

	if (len < off)
		return 0;
	etype = (uint16_t)(p[12] << 8 | p[13]);
	while ((etype == RTE_ETHER_TYPE_VLAN || etype == RTE_ETHER_TYPE_QINQ ||
			       etype == RTE_ETHER_TYPE_QINQ1) &&
			len >= off + 4) {
		etype = (uint16_t)(p[off + 2] << 8 | p[off + 3]);
		off += 4;
	}

	if (etype == RTE_ETHER_TYPE_IPV4 && len >= off + 20) {
		const uint8_t *ip = p + off;
		uint16_t frag = (uint16_t)((ip[6] << 8 | ip[7]) & 0x3fff);

		addr_len = 4;
		proto = ip[9];
		l4 = off + (uint32_t)(ip[0] & 0x0f) * 4;
		memcpy(tuple, ip + 12, 8);
		if (frag != 0)
			proto = 0; /* fragments: addresses only, as NICs do */
	} else if (etype == RTE_ETHER_TYPE_IPV6 && len >= off + 40) {
		const uint8_t *ip = p + off;

		addr_len = 16;
		proto = ip[6];
		l4 = off + 40;
		memcpy(tuple, ip + 8, 32);
	} else {
		uint32_t v = 0;
		unsigned int i;

		for (i = 0; i < 6; i++)
			v ^= h->tbl[i & 1][p[i]] ^ h->tbl[i & 1][p[6 + i]];
		return v;
	}

	if ((proto == IPPROTO_TCP || proto == IPPROTO_UDP || proto == IPPROTO_SCTP) &&
			len >= l4 + 4) {
		memcpy(tuple + 2 * addr_len, p + l4, 4);
		return lc_sym_hash_bytes(h, tuple, 2 * addr_len + 4);
	}
	return lc_sym_hash_bytes(h, tuple, 2 * addr_len);
}

#endif
