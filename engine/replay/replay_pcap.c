/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Replay on a kernel interface through libpcap's pcap_inject: for
 * interfaces not bound to DPDK. One thread, the same schedule as the DPDK
 * path (replay/pace.c), polled on CLOCK_MONOTONIC. --preload and --queues
 * do not apply (the kernel copies every packet anyway).
 */
#include <errno.h>
#include <string.h>
#include <time.h>

#include <pcap/pcap.h>

#include "replay/pace.h"
#include "replay/replay.h"
#include "replay/file_seq.h"
#include "reader/pcap_reader.h"
#include "replay/replay_scan.h"
#include "datapath/tstamp.h"

/* Until `deadline`: sleep while far, then poll the clock. */
static void
wait_until(uint64_t deadline, const volatile int *stop)
{
	uint64_t now;

	while (!*stop && (now = lc_mono_ns()) < deadline) {
		if (deadline - now > 300000) {
			struct timespec nap = {0, 100000};

			nanosleep(&nap, NULL);
		}
	}
}

static pcap_t *
open_iface(const char *dev, struct lc_error *err)
{
	char ebuf[PCAP_ERRBUF_SIZE] = "";
	pcap_t *p = pcap_create(dev, ebuf);

	if (p == NULL) {
		lc_error_set(err, LC_ERR_DEVICE, "interface %s: %s", dev, ebuf);
		return NULL;
	}
	if (pcap_activate(p) < 0) {
		lc_error_set(err, LC_ERR_DEVICE, "interface %s: %s", dev, pcap_geterr(p));
		pcap_close(p);
		return NULL;
	}
	if (pcap_datalink(p) != DLT_EN10MB) {
		lc_error_set(err, LC_ERR_DEVICE, "interface %s is not Ethernet (link type %s)", dev,
				pcap_datalink_val_to_name(pcap_datalink(p)));
		pcap_close(p);
		return NULL;
	}
	return p;
}

int
lc_replay_pcap_run(const struct lc_replay_conf *c, const volatile int *stop,
		struct lc_replay_totals *t, struct lc_error *err)
{
	struct lc_file_seq rd;
	struct lc_replay_scan scan;
	struct lc_pacer pacer;
	struct lc_pcap_record rec;
	uint64_t start, last = 0, pass = 0;
	pcap_t *p;
	int ret = -1;

	memset(t, 0, sizeof(*t));
	memset(&rd, 0, sizeof(rd));
	if (lc_file_seq_scan(c->files, c->nb_files, &scan, err) < 0 ||
			lc_file_seq_open(&rd, c->files, c->nb_files, err) < 0)
		goto out_reader;
	p = open_iface(c->dev, err);
	if (p == NULL)
		goto out_reader;
	lc_pace_init(&pacer, c);
	start = lc_mono_ns() + 1000000;
	while (!*stop) {
		bool new_file;
		int r = lc_file_seq_next(&rd, &rec, &new_file, err);

		if (new_file)
			lc_pace_new_pass(&pacer);
		if (r < 0)
			goto out;
		if (r == 0) {
			pass++;
			if (scan.nb_records == 0 || (c->loops != 0 && pass >= c->loops))
				break;
			if (lc_file_seq_rewind(&rd, err) < 0)
				goto out;
			lc_pace_new_pass(&pacer);
			continue;
		}
		t->queued++;
		if (lc_fault_replay_unsent != NULL && lc_fault_replay_unsent())
			continue; /* test build only: lost uncounted */
		if (c->mode != LC_PACE_TOPSPEED)
			wait_until(start + lc_pace_next(&pacer, rec.ts_ns, rec.caplen), stop);
		else
			lc_pace_next(&pacer, rec.ts_ns, rec.caplen);
		if (*stop) {
			t->dropped++;
			break;
		}
		if (pcap_inject(p, rec.data, rec.caplen) == (int)rec.caplen) {
			t->sent++;
			t->bytes += rec.caplen;
			last = lc_mono_ns();
		} else {
			t->dropped++; /* the kernel refused it (too long, interface down) */
		}
	}
	ret = 0;
out:
	pcap_close(p);
out_reader:
	lc_file_seq_close(&rd);
	if (ret == 0) {
		t->seconds = last > start ? (double)(last - start) / 1e9 : 0;
		t->file_records = scan.nb_records;
		t->empty = rd.empty;
		t->truncated = scan.truncated;
		t->trunc_offset = scan.trunc_offset;
		t->path = c->files[0];
		t->nb_files = c->nb_files;
		t->dev = c->dev;
		t->driver = "libpcap";
		t->nb_txq = 1;
		if (c->mode == LC_PACE_PPS)
			t->requested_pps = c->pps;
		if (c->mode == LC_PACE_MBPS)
			t->requested_mbps = c->mbps;
		if (c->mode == LC_PACE_ORIGINAL && pacer.last > 0 && pacer.seq > 1)
			t->requested_pps = (double)(pacer.seq - 1) * 1e9 / (double)pacer.last;
	}
	return ret;
}
