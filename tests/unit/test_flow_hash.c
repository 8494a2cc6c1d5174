/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The table-driven symmetric hash must equal DPDK's reference Toeplitz
 * (rte_softrss) with the symmetric key, and be direction-independent.
 * Runs without the EAL: only plain memory is used.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_thash.h>

#include "datapath/flow_hash.h"

#include "check.h"

/* rte_softrss takes the tuple as host-order 32-bit words. */
static uint32_t
reference(const uint8_t *tuple, unsigned int len, const uint8_t *key)
{
	uint32_t words[16];
	unsigned int i;

	for (i = 0; i < len / 4; i++)
		words[i] = (uint32_t)tuple[4 * i] << 24 | (uint32_t)tuple[4 * i + 1] << 16 |
			(uint32_t)tuple[4 * i + 2] << 8 | tuple[4 * i + 3];
	return rte_softrss(words, len / 4, key);
}

/* Build an Ethernet + IPv4/IPv6 + TCP frame into a fake single-seg mbuf. */
static void
make_frame(struct rte_mbuf *m, uint8_t *buf, int v6, const uint8_t *src, const uint8_t *dst,
		uint16_t sport, uint16_t dport, int vlan)
{
	unsigned int off = 12;

	memset(buf, 0, 256);
	if (vlan) {
		buf[off++] = 0x81, buf[off++] = 0x00, buf[off++] = 0x00, buf[off++] = 0x07;
	}
	buf[off++] = v6 ? 0x86 : 0x08;
	buf[off++] = v6 ? 0xdd : 0x00;
	if (v6) {
		buf[off] = 0x60;
		buf[off + 6] = 6;
		memcpy(buf + off + 8, src, 16);
		memcpy(buf + off + 24, dst, 16);
		off += 40;
	} else {
		buf[off] = 0x45;
		buf[off + 9] = 6;
		memcpy(buf + off + 12, src, 4);
		memcpy(buf + off + 16, dst, 4);
		off += 20;
	}
	buf[off] = (uint8_t)(sport >> 8), buf[off + 1] = (uint8_t)sport;
	buf[off + 2] = (uint8_t)(dport >> 8), buf[off + 3] = (uint8_t)dport;
	memset(m, 0, sizeof(*m));
	m->buf_addr = buf;
	m->data_off = 0;
	m->data_len = (uint16_t)(off + 20);
	m->pkt_len = m->data_len;
}

int
main(void)
{
	static struct lc_sym_hash h;
	uint8_t key[40];
	unsigned int iter;

	lc_sym_rss_key(key, sizeof(key));
	lc_sym_hash_init(&h);
	srand(12345);
	for (iter = 0; iter < 20000; iter++) {
		uint8_t tuple[36], swapped[36], fa[256], fb[256];
		unsigned int alen = (iter & 1) ? 16 : 4, len = 2 * alen + 4, i;
		struct rte_mbuf ma, mb;
		uint16_t sp, dp;

		for (i = 0; i < len; i++)
			tuple[i] = (uint8_t)rand();
		memcpy(swapped, tuple + alen, alen);
		memcpy(swapped + alen, tuple, alen);
		swapped[2 * alen] = tuple[2 * alen + 2];
		swapped[2 * alen + 1] = tuple[2 * alen + 3];
		swapped[2 * alen + 2] = tuple[2 * alen];
		swapped[2 * alen + 3] = tuple[2 * alen + 1];

		CHECK(lc_sym_hash_bytes(&h, tuple, len) == reference(tuple, len, key),
				"table hash differs from rte_softrss (len %u)", len);
		CHECK(lc_sym_hash_bytes(&h, tuple, len) == lc_sym_hash_bytes(&h, swapped, len),
				"hash not symmetric (len %u)", len);

		sp = (uint16_t)(tuple[2 * alen] << 8 | tuple[2 * alen + 1]);
		dp = (uint16_t)(tuple[2 * alen + 2] << 8 | tuple[2 * alen + 3]);
		make_frame(&ma, fa, alen == 16, tuple, tuple + alen, sp, dp, iter % 3 == 0);
		make_frame(&mb, fb, alen == 16, tuple + alen, tuple, dp, sp, iter % 5 == 0);
		CHECK(lc_sym_hash_mbuf(&h, &ma) == reference(tuple, len, key),
				"mbuf hash differs from rte_softrss over the 5-tuple");
		CHECK(lc_sym_hash_mbuf(&h, &ma) == lc_sym_hash_mbuf(&h, &mb),
				"both directions of a flow hash differently");
	}
	{
		/* Truncated frames must not be read past their length. */
		uint8_t f[256];
		struct rte_mbuf m;
		uint8_t a[4] = {10, 0, 0, 1}, b[4] = {10, 0, 0, 2};

		make_frame(&m, f, 0, a, b, 1, 2, 0);
		m.data_len = 20;
		(void)lc_sym_hash_mbuf(&h, &m);
		m.data_len = 0;
		CHECK(lc_sym_hash_mbuf(&h, &m) == 0, "empty frame must hash to 0");
	}
	if (failures == 0)
		printf("flow_hash: ok\n");
	return failures ? 1 : 0;
}
