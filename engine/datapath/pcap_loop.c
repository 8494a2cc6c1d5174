/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libpcap path, per packet: pcap_dispatch hands each packet to on_packet,
 * which appends it to this thread's writer. No allocation, locks or logging.
 *
 * Stop is exact: the thread shuts the socket with a reject-all kernel
 * filter, reads until the kernel has retired its last TPACKET_V3 block
 * (block timeout), then reads the final pcap_stats.
 *
 * `received` counts what the path really received: each packet libpcap
 * hands to on_packet, plus the kernel's drops (ps_drop). Not ps_recv: it
 * also counts copies libpcap reads and discards (the outgoing copy of
 * every packet on a loopback interface, outgoing CAN frames), and packets
 * a filter libpcap runs in user space rejects. Then received = delivered
 * + ps_drop, and delivered = written + write errors + packets past -c
 * (counted as `filtered`).
 */
#include <poll.h>
#include <time.h>

#include "datapath/pcap_loop.h"
#include "datapath/tstamp.h"

#define STATS_PERIOD_NS 1000000000u

/* With -c: take one packet from the budget all threads share. */
static bool
budget_take(struct lc_shared *sh)
{
	uint64_t taken = __atomic_load_n(&sh->count_taken, __ATOMIC_RELAXED);

	do {
		if (taken >= sh->count_limit)
			return false;
	} while (!__atomic_compare_exchange_n(&sh->count_taken, &taken, taken + 1, true,
			__ATOMIC_RELAXED, __ATOMIC_RELAXED));
	return true;
}

static void
on_packet(u_char *user, const struct pcap_pkthdr *h, const u_char *bytes)
{
	struct lc_pcap_task *t = (struct lc_pcap_task *)user;
	uint64_t ns;

	if (t->shared->count_limit != 0 && !budget_take(t->shared)) {
		lc_counter_add(&t->rx->cnt->received, 1);
		lc_counter_add(&t->rx->cnt->filtered, 1);
		return;
	}
	ns = (uint64_t)h->ts.tv_sec * 1000000000u +
	     (uint64_t)h->ts.tv_usec * (t->nano ? 1u : 1000u);
	lc_counter_add(&t->rx->cnt->rx_bytes, h->len);
	/*
	 * Counted once appended: a file this packet makes the writer close
	 * (-C, -G) reports in its statistics only the packets before it.
	 */
	lc_writer_append(t->w, 0, ns, bytes, h->caplen, h->len);
	lc_counter_add(&t->rx->cnt->received, 1);
}

void
lc_pcap_refresh_stats(void *arg)
{
	lc_pcap_read_stats(arg);
}

static bool
should_stop(const struct lc_shared *sh)
{
	if (sh->stop || sh->fatal)
		return true;
	return sh->count_limit != 0 &&
	       __atomic_load_n(&sh->count_taken, __ATOMIC_RELAXED) >= sh->count_limit;
}

/*
 * The handle is non-blocking (libpcap's own TPACKET_V3 poll would wait
 * forever when idle): wait here for a retired block, at most `ms`.
 */
static void
wait_readable(const struct lc_pcap_task *t, int ms)
{
	struct pollfd p = {.fd = t->fd, .events = POLLIN};

	poll(&p, 1, ms);
}

/* Read what the kernel still holds once nothing more can enter. */
static void
drain(struct lc_pcap_task *t)
{
	/* Two block timeouts: the kernel retires a partial block after one. */
	uint64_t deadline;

	if (lc_pcap_quiesce(t) < 0)
		return;
	deadline = lc_mono_ns() + (uint64_t)(2 * t->timeout_ms + 50) * 1000000u;
	for (;;) {
		int n = pcap_dispatch(t->handle, -1, on_packet, (u_char *)t);

		if (n < 0)
			break;
		lc_writer_idle(t->w);
		if (n == 0) {
			if (lc_mono_ns() >= deadline)
				break;
			wait_readable(t, 10);
		}
	}
}

void *
lc_pcap_thread_main(void *arg)
{
	struct lc_pcap_task *t = arg;

	t->next_stats_ns = lc_mono_ns() + STATS_PERIOD_NS;
	while (!should_stop(t->shared)) {
		int n = pcap_dispatch(t->handle, -1, on_packet, (u_char *)t);

		if (n < 0) {
			t->err = n;
			snprintf(t->errbuf, sizeof(t->errbuf), "%s", pcap_geterr(t->handle));
			t->shared->fatal = 1;
			break;
		}
		lc_writer_idle(t->w);
		if (n == 0)
			wait_readable(t, t->timeout_ms);
		if (lc_mono_ns() >= t->next_stats_ns) {
			lc_pcap_read_stats(t);
			t->next_stats_ns += STATS_PERIOD_NS;
		}
	}
	if (t->err == 0)
		drain(t);
	lc_pcap_read_stats(t);
	__atomic_store_n(&t->done, 1, __ATOMIC_RELEASE);
	return NULL;
}
