/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The validating pass: read every record header of the file before sending
 * anything, so a malformed file is refused before a single packet leaves
 * (no half-sent replays), and the pool for --preload can be sized exactly.
 */
#include <inttypes.h>
#include <net/if.h>
#include <string.h>

#include <pcap/pcap.h>
#include <rte_mbuf.h>

#include "replay/replay_scan.h"

#define LINKTYPE_ETHERNET 1u

int
lc_replay_scan(struct lc_pcap_reader *rd, struct lc_replay_scan *s, struct lc_error *err)
{
	struct lc_pcap_record rec;
	int ret;

	memset(s, 0, sizeof(*s));
	while ((ret = lc_pcap_reader_next(rd, &rec, false, err)) == 1) {
		if (rec.caplen == 0) {
			s->nb_empty++;
			continue;
		}
		s->nb_records++;
		s->bytes += rec.caplen;
		if (rec.caplen > s->max_caplen)
			s->max_caplen = rec.caplen;
		s->nb_segs += rec.caplen <= RTE_MBUF_DEFAULT_DATAROOM
					      ? 1
					      : (rec.caplen + RTE_MBUF_DEFAULT_DATAROOM - 1) /
								RTE_MBUF_DEFAULT_DATAROOM;
	}
	if (ret < 0)
		return -1;
	if (rd->zst.bad_frames > 0) /* a .zst whose frame does not decode: no half-sent replay */
		return lc_error_set(err, LC_ERR_INPUT,
				"%s: offset %" PRIu64 ": a zstd frame that does not decode (%s)",
				rd->path, rd->zst.first_bad, rd->zst.why);
	s->truncated = rd->truncated;
	s->trunc_offset = rd->trunc_offset;
	if (!rd->have_linktype && s->nb_records + s->nb_empty == 0)
		return 0; /* pcapng without interfaces: nothing to send */
	if (rd->linktype != LINKTYPE_ETHERNET) {
		const char *name = pcap_datalink_val_to_name((int)rd->linktype);

		if (name == NULL)
			return lc_error_set(err, LC_ERR_INPUT,
					"%s: offset %" PRIu64 ": unknown link type %u", rd->path,
					rd->linktype_offset, rd->linktype);
		return lc_error_set(err, LC_ERR_INPUT,
				"%s: offset %" PRIu64 ": link type %u (%s): only Ethernet (1, "
				"EN10MB) frames can be sent on a port",
				rd->path, rd->linktype_offset, rd->linktype, name);
	}
	return lc_pcap_reader_rewind(rd, err);
}

int
lc_replay_check_file(const char *path, struct lc_replay_totals *t, struct lc_error *err)
{
	struct lc_pcap_reader rd;
	struct lc_replay_scan s;
	int ret;

	if (lc_pcap_reader_open(&rd, path, err) < 0) {
		lc_pcap_reader_close(&rd);
		return -1;
	}
	ret = lc_replay_scan(&rd, &s, err);
	lc_pcap_reader_close(&rd);
	if (ret < 0)
		return -1;
	t->file_records = s.nb_records;
	t->empty = s.nb_empty;
	t->max_caplen = s.max_caplen;
	t->truncated = s.truncated;
	t->trunc_offset = s.trunc_offset;
	return 0;
}

bool
lc_replay_is_kernel_iface(const char *dev)
{
	/* devargs have commas or a driver prefix; PCI addresses have colons */
	if (strchr(dev, ',') != NULL || strchr(dev, ':') != NULL)
		return false;
	return if_nametoindex(dev) != 0;
}
