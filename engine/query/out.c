/* SPDX-License-Identifier: BSD-3-Clause */
/* Writing the query's result (see out.h). Host byte order, as libpcap writes. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "query/out.h"

#define SNAPLEN 262144u

static int
put(struct lc_qout *o, const void *p, size_t n, struct lc_error *err)
{
	if (n > 0 && fwrite(p, 1, n, o->f) != n)
		return lc_error_set(
				err, LC_ERR_OUTPUT, "cannot write the output: %s", strerror(errno));
	o->bytes += n;
	return 0;
}

static int
pcapng_header(struct lc_qout *o, uint32_t linktype, struct lc_error *err)
{
	/* SHB: byte-order magic, version 1.0, unknown section length. */
	const uint32_t shb[7] = {
			0x0a0d0d0a, 28, 0x1a2b3c4d, 0x00000001, 0xffffffff, 0xffffffff, 28};
	/* IDB: link type, snaplen 0, if_tsresol = 9 (ns), end of options. */
	uint32_t idb[8] = {1, 32, linktype & 0xffff, 0, 0x00010009, 0x09, 0, 32};

	return put(o, shb, sizeof(shb), err) < 0 ? -1 : put(o, idb, sizeof(idb), err);
}

int
lc_qout_open(struct lc_qout *o, const char *path, bool pcapng, bool nano, uint32_t linktype,
		struct lc_error *err)
{
	memset(o, 0, sizeof(*o));
	o->pcapng = pcapng;
	o->nano = nano || pcapng;
	o->is_stdout = strcmp(path, "-") == 0;
	o->f = o->is_stdout ? stdout : fopen(path, "wb");
	if (o->f == NULL)
		return lc_error_set(
				err, LC_ERR_OUTPUT, "cannot create %s: %s", path, strerror(errno));
	setvbuf(o->f, NULL, _IOFBF, 1u << 18);
	if (pcapng)
		return pcapng_header(o, linktype, err);
	{
		const uint32_t magic = nano ? 0xa1b23c4du : 0xa1b2c3d4u;
		uint32_t h[6] = {magic, 0x00040002u, 0, 0, SNAPLEN, linktype};

		return put(o, h, sizeof(h), err);
	}
}

int
lc_qout_write(struct lc_qout *o, uint64_t ts_ns, uint32_t caplen, uint32_t len, const uint8_t *data,
		struct lc_error *err)
{
	static const uint8_t pad[4];

	o->packets++;
	if (o->pcapng) {
		uint32_t padded = (caplen + 3u) & ~3u, total = 32 + padded;
		uint32_t h[7] = {
				6, total, 0, (uint32_t)(ts_ns >> 32), (uint32_t)ts_ns, caplen, len};

		if (put(o, h, sizeof(h), err) < 0 || put(o, data, caplen, err) < 0 ||
				put(o, pad, padded - caplen, err) < 0)
			return -1;
		return put(o, &total, sizeof(total), err);
	}
	{
		uint32_t h[4] = {(uint32_t)(ts_ns / 1000000000u),
				(uint32_t)(ts_ns % 1000000000u) / (o->nano ? 1u : 1000u), caplen,
				len};

		if (put(o, h, sizeof(h), err) < 0)
			return -1;
		return put(o, data, caplen, err);
	}
}

int
lc_qout_close(struct lc_qout *o, struct lc_error *err)
{
	int ret = 0;

	if (o->f == NULL)
		return 0;
	if (fflush(o->f) != 0)
		ret = lc_error_set(
				err, LC_ERR_OUTPUT, "cannot write the output: %s", strerror(errno));
	if (!o->is_stdout && fclose(o->f) != 0 && ret == 0)
		ret = lc_error_set(
				err, LC_ERR_OUTPUT, "cannot close the output: %s", strerror(errno));
	o->f = NULL;
	return ret;
}
