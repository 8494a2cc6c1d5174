/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The libpcap source: kernel interfaces through PF_PACKET with TPACKET_V3
 * (libpcap's default on Linux), no EAL and no hugepages. Control plane,
 * except lc_pcap_quiesce and lc_pcap_read_stats, which the capture thread
 * calls on its own handle.
 */
#include <errno.h>
#include <linux/filter.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "sources/pcap_live.h"

/* pcap timeout = TPACKET_V3 block retire timeout: latency vs. wakeups. */
#define LC_PCAP_TIMEOUT_MS 100

static int
pcap_fail(pcap_t *h, int rc, const char *ifname, struct lc_error *err)
{
	enum lc_error_kind kind = LC_ERR_DEVICE;
	const char *detail = pcap_geterr(h);

	if (rc == PCAP_ERROR && detail[0] != '\0')
		return lc_error_set(err, kind, "%s: %s", ifname, detail);
	if (detail[0] != '\0')
		return lc_error_set(err, kind, "%s: %s (%s)", ifname, pcap_statustostr(rc), detail);
	return lc_error_set(err, kind, "%s: %s", ifname, pcap_statustostr(rc));
}

/* A kernel filter that accepts nothing: no packet enters the socket. */
static int
attach_reject_all(int fd)
{
	struct sock_filter insn = BPF_STMT(BPF_RET | BPF_K, 0);
	struct sock_fprog prog = {.len = 1, .filter = &insn};

	return setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof(prog)) == 0 ? 0 : -errno;
}

#ifndef PACKET_IGNORE_OUTGOING
#define PACKET_IGNORE_OUTGOING 23 /* Linux 4.20 */
#endif

/*
 * On a loopback interface every packet passes the socket twice; libpcap
 * discards the outgoing copy. Let the kernel skip it, so that its drop
 * count (ps_drop) only holds packets libpcap would have delivered. Best
 * effort: older kernels keep the copy, which then only shows in drops.
 */
static void
skip_loopback_copies(int fd, const char *ifname)
{
	struct ifreq ifr;
	int one = 1;

	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	if (ioctl(fd, SIOCGIFFLAGS, &ifr) == 0 && (ifr.ifr_flags & IFF_LOOPBACK))
		(void)setsockopt(fd, SOL_PACKET, PACKET_IGNORE_OUTGOING, &one, sizeof(one));
}

int
lc_pcap_open(struct lc_pcap_task *t, const char *ifname, const struct lc_capture_conf *c,
		struct lc_error *err)
{
	char eb[PCAP_ERRBUF_SIZE] = "";
	pcap_t *h = pcap_create(ifname, eb);
	int rc;

	if (h == NULL)
		return lc_error_set(err, LC_ERR_DEVICE, "%s: %s", ifname, eb);
	t->handle = h;
	t->timeout_ms = LC_PCAP_TIMEOUT_MS;
	pcap_set_snaplen(h, (int)c->snaplen);
	pcap_set_promisc(h, 1);
	pcap_set_timeout(h, t->timeout_ms);
	pcap_set_immediate_mode(h, 0);
	if (c->buffer_kib != 0)
		pcap_set_buffer_size(h, (int)(c->buffer_kib * 1024u));
	/* Nanosecond stamps where the kernel gives them; else microseconds. */
	if (pcap_set_tstamp_precision(h, PCAP_TSTAMP_PRECISION_NANO) != 0)
		pcap_set_tstamp_precision(h, PCAP_TSTAMP_PRECISION_MICRO);
	rc = pcap_activate(h);
	if (rc < 0)
		return pcap_fail(h, rc, ifname, err);
	t->nano = pcap_get_tstamp_precision(h) == PCAP_TSTAMP_PRECISION_NANO;
	/* The capture thread polls itself, with a timeout (datapath/pcap_loop.c). */
	if (pcap_setnonblock(h, 1, eb) < 0)
		return lc_error_set(err, LC_ERR_DEVICE, "%s: %s", ifname, eb);
	t->fd = pcap_fileno(h);
	/* Closed until every socket of the group is in place (lc_pcap_set_filter). */
	rc = attach_reject_all(t->fd);
	if (rc < 0)
		return lc_error_set(err, LC_ERR_DEVICE, "%s: cannot attach a kernel filter: %s",
				ifname, strerror(-rc));
	skip_loopback_copies(t->fd, ifname);
	return 0;
}

int
lc_pcap_tpacket_version(const struct lc_pcap_task *t)
{
	int v = -1;
	socklen_t len = sizeof(v);

	if (getsockopt(t->fd, SOL_PACKET, PACKET_VERSION, &v, &len) != 0)
		return -1;
	return v == TPACKET_V3 ? 3 : v == TPACKET_V2 ? 2 : v == TPACKET_V1 ? 1 : -1;
}

int
lc_pcap_join_fanout(
		struct lc_pcap_task *tasks, unsigned int n, uint16_t *group, struct lc_error *err)
{
	/* libpcap 1.10 has no fanout API: PACKET_FANOUT on its socket. */
	uint16_t id = (uint16_t)getpid();
	unsigned int tries, i;

	for (tries = 0; tries < 64; tries++, id++) {
		/*
		 * Hash mode (symmetric), without PACKET_FANOUT_FLAG_DEFRAG: that
		 * flag makes the kernel hand the group reassembled datagrams
		 * instead of the fragments on the wire.
		 */
		int mode = PACKET_FANOUT_HASH;
		int val = (int)id | (mode << 16);

		for (i = 0; i < n; i++)
			if (setsockopt(tasks[i].fd, SOL_PACKET, PACKET_FANOUT, &val, sizeof(val)) !=
					0)
				break;
		if (i == n) {
			*group = id;
			return 0;
		}
		/* Group id taken by another process: all sockets try the next id. */
		if (i != 0 || errno != EADDRINUSE)
			return lc_error_set(err, LC_ERR_DEVICE,
					"cannot join PACKET_FANOUT group %u: %s", id,
					strerror(errno));
	}
	return lc_error_set(err, LC_ERR_DEVICE, "no free PACKET_FANOUT group id");
}

int
lc_pcap_set_filter(struct lc_pcap_task *t, const char *expr, struct lc_error *err)
{
	struct bpf_program prog;

	/* Compiled on the live handle: libpcap may use Linux's BPF extensions. */
	if (pcap_compile(t->handle, &prog, expr, 1, PCAP_NETMASK_UNKNOWN) < 0)
		return lc_error_set(err, LC_ERR_USAGE, "%s", pcap_geterr(t->handle));
	if (pcap_setfilter(t->handle, &prog) < 0) {
		lc_error_set(err, LC_ERR_DEVICE, "pcap_setfilter: %s", pcap_geterr(t->handle));
		pcap_freecode(&prog);
		return -1;
	}
	pcap_freecode(&prog);
	return 0;
}

int
lc_pcap_quiesce(struct lc_pcap_task *t)
{
	return attach_reject_all(t->fd);
}

void
lc_pcap_read_stats(struct lc_pcap_task *t)
{
	struct pcap_stat ps;
	struct lc_rx_counters *c = t->rx->cnt;

	if (pcap_stats(t->handle, &ps) != 0)
		return;
	/*
	 * libpcap's counters are 32 bits: add the difference modulo 2^32. A
	 * packet the kernel dropped was received too; the delivered ones are
	 * counted as they arrive (datapath/pcap_loop.c). ps_recv is not used:
	 * it also counts the copies libpcap discards (outgoing packets on lo).
	 */
	lc_counter_add(&c->received, (uint32_t)(ps.ps_drop - t->last_drop));
	lc_counter_add(&c->ps_drop, (uint32_t)(ps.ps_drop - t->last_drop));
	/* The interface's drops, the same for every socket on it: count once. */
	if (t->rx->queue_id == 0)
		lc_counter_add(&c->ps_ifdrop, (uint32_t)(ps.ps_ifdrop - t->last_ifdrop));
	t->last_drop = ps.ps_drop;
	t->last_ifdrop = ps.ps_ifdrop;
}

void
lc_pcap_close(struct lc_pcap_task *t)
{
	if (t->handle != NULL)
		pcap_close(t->handle);
	t->handle = NULL;
}
