/* SPDX-License-Identifier: BSD-3-Clause */
#include <string.h>

#include <linecap/sink.h>

/* The classic pcap file header, host byte order as libpcap writes it. */
struct pcap_file_header_v24 {
	uint32_t magic;
	uint16_t version_major;
	uint16_t version_minor;
	int32_t thiszone;
	uint32_t sigfigs;
	uint32_t snaplen;
	uint32_t linktype;
};

static size_t
pcap_file_header(uint8_t *buf, size_t room, const struct lc_format_info *info)
{
	struct pcap_file_header_v24 h = {
			.magic = info->nanosecond ? LC_PCAP_MAGIC_NANO : LC_PCAP_MAGIC_MICRO,
			.version_major = 2,
			.version_minor = 4,
			.snaplen = info->snaplen,
			.linktype = info->linktype,
	};

	if (room < sizeof(h))
		return 0;
	memcpy(buf, &h, sizeof(h));
	return sizeof(h);
}

const struct lc_format_ops lc_format_pcap = {
		.name = "pcap",
		.file_header = pcap_file_header,
		.if_stats = NULL,
		.record = LC_RECORD_PCAP,
		.record_overhead = LC_PCAP_RECORD_HDR_LEN,
};

const struct lc_format_ops *
lc_format_by_name(const char *name)
{
	if (strcmp(name, "pcap") == 0)
		return &lc_format_pcap;
	if (strcmp(name, "pcapng") == 0)
		return &lc_format_pcapng;
	return NULL;
}
