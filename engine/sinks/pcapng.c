/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pcapng format (draft-ietf-opsawg-pcapng): the file header is one Section
 * Header Block and one Interface Description Block per (port, queue) feeding
 * the writer; packets are Enhanced Packet Blocks, laid out inline by the
 * writer loop (datapath/record.h); a file ends with one Interface Statistics Block per
 * interface. Host byte order, as libpcap and dumpcap write it.
 *
 * rte_pcapng is not used: it writes through its own fd with one writev per
 * burst and copies into mbufs, while our writer packs records into its own
 * aligned blocks for O_DIRECT and io_uring.
 */
#include <string.h>

#include <linecap/sink.h>

/* Option codes. */
#define OPT_ENDOFOPT 0
#define SHB_HARDWARE 2
#define SHB_OS 3
#define SHB_USERAPPL 4
#define IF_NAME 2
#define IF_DESCRIPTION 3
#define IF_TSRESOL 9
#define IF_FILTER 11
#define ISB_STARTTIME 2
#define ISB_ENDTIME 3
#define ISB_IFRECV 4
#define ISB_IFDROP 5
#define ISB_FILTERACCEPT 6

/* if_filter's first byte: the filter is a libpcap expression string. */
#define IF_FILTER_LIBPCAP 0

#define PAD4(n) (((n) + 3u) & ~(size_t)3u)

/* A bounded appender: every put checks room, `fail` sticks. */
struct out {
	uint8_t *buf;
	size_t room, len;
	bool fail;
};

static void
put(struct out *o, const void *p, size_t n)
{
	if (o->fail || o->room - o->len < n) {
		o->fail = true;
		return;
	}
	memcpy(o->buf + o->len, p, n);
	o->len += n;
}

static void
put32(struct out *o, uint32_t v)
{
	put(o, &v, sizeof(v));
}

static void
put_zeros(struct out *o, size_t n)
{
	static const uint8_t zero[4];

	put(o, zero, n);
}

/* One option: code, length, value, zero padding to 32 bits. */
static void
put_opt(struct out *o, uint16_t code, const void *val, size_t len)
{
	uint16_t h[2] = {code, (uint16_t)len};

	if (len > UINT16_MAX - 3) {
		o->fail = true;
		return;
	}
	put(o, h, sizeof(h));
	put(o, val, len);
	put_zeros(o, PAD4(len) - len);
}

static void
put_opt_str(struct out *o, uint16_t code, const char *s)
{
	if (s != NULL && s[0] != '\0')
		put_opt(o, code, s, strlen(s));
}

/* A timestamp as pcapng stores it: high 32 bits, then low 32 bits. */
static void
put_opt_ts(struct out *o, uint16_t code, uint64_t ts)
{
	uint32_t v[2] = {(uint32_t)(ts >> 32), (uint32_t)ts};

	put_opt(o, code, v, sizeof(v));
}

static void
put_opt_u64(struct out *o, uint16_t code, uint64_t v)
{
	put_opt(o, code, &v, sizeof(v));
}

/* Start a block at o->len; finish_block() fills in both length fields. */
static size_t
begin_block(struct out *o, uint32_t type)
{
	size_t start = o->len;

	put32(o, type);
	put32(o, 0);
	return start;
}

static void
finish_block(struct out *o, size_t start)
{
	uint32_t total;

	put32(o, OPT_ENDOFOPT); /* opt_endofopt: code 0, length 0 */
	put32(o, 0);		/* the trailing length, set below */
	if (o->fail)
		return;
	total = (uint32_t)(o->len - start);
	memcpy(o->buf + start + 4, &total, sizeof(total));
	memcpy(o->buf + o->len - 4, &total, sizeof(total));
}

static size_t
pcapng_file_header(uint8_t *buf, size_t room, const struct lc_format_info *info)
{
	struct out o = {.buf = buf, .room = room};
	const uint16_t version[2] = {1, 0};
	const uint64_t section_len = UINT64_MAX; /* not known in advance */
	const uint8_t tsresol = info->nanosecond ? 9 : 6;
	unsigned int i;
	size_t b;

	b = begin_block(&o, LC_PCAPNG_SHB);
	put32(&o, LC_PCAPNG_BYTE_ORDER_MAGIC);
	put(&o, version, sizeof(version));
	put(&o, &section_len, sizeof(section_len));
	put_opt_str(&o, SHB_HARDWARE, info->hardware);
	put_opt_str(&o, SHB_OS, info->os);
	put_opt_str(&o, SHB_USERAPPL, info->application);
	finish_block(&o, b);

	for (i = 0; i < info->nb_ifs; i++) {
		const uint16_t link[2] = {(uint16_t)info->linktype, 0};

		b = begin_block(&o, LC_PCAPNG_IDB);
		put(&o, link, sizeof(link));
		put32(&o, info->snaplen);
		put_opt_str(&o, IF_NAME, info->ifs[i].name);
		put_opt_str(&o, IF_DESCRIPTION, info->ifs[i].description);
		put_opt(&o, IF_TSRESOL, &tsresol, 1);
		if (info->filter != NULL && info->filter[0] != '\0') {
			size_t n = strlen(info->filter);
			uint8_t kind = IF_FILTER_LIBPCAP;
			uint16_t h[2] = {IF_FILTER, (uint16_t)(n + 1)};

			if (n + 1 > UINT16_MAX - 3)
				return 0;
			put(&o, h, sizeof(h));
			put(&o, &kind, 1);
			put(&o, info->filter, n);
			put_zeros(&o, PAD4(n + 1) - (n + 1));
		}
		finish_block(&o, b);
	}
	return o.fail ? 0 : o.len;
}

static size_t
pcapng_if_stats(uint8_t *buf, size_t room, uint32_t if_id, bool nanosecond,
		const struct lc_if_stats *st)
{
	struct out o = {.buf = buf, .room = room};
	uint64_t div = nanosecond ? 1 : 1000;
	uint64_t end = st->end_ns / div;
	size_t b;

	b = begin_block(&o, LC_PCAPNG_ISB);
	put32(&o, if_id);
	put32(&o, (uint32_t)(end >> 32));
	put32(&o, (uint32_t)end);
	put_opt_ts(&o, ISB_STARTTIME, st->start_ns / div);
	put_opt_ts(&o, ISB_ENDTIME, end);
	put_opt_u64(&o, ISB_IFRECV, st->ifrecv);
	put_opt_u64(&o, ISB_IFDROP, st->ifdrop);
	put_opt_u64(&o, ISB_FILTERACCEPT, st->filteraccept);
	finish_block(&o, b);
	return o.fail ? 0 : o.len;
}

const struct lc_format_ops lc_format_pcapng = {
		.name = "pcapng",
		.file_header = pcapng_file_header,
		.if_stats = pcapng_if_stats,
		.record = LC_RECORD_PCAPNG_EPB,
		.record_overhead = LC_PCAPNG_EPB_OVERHEAD,
};
