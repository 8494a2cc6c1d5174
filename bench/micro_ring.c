/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * micro_ring: TSC cycles per packet for the rx -> writer hand-off, the SPSC
 * rte_ring the engine creates per rx queue and writer (core/engine.c
 * add_ring: RING_F_SP_ENQ | RING_F_SC_DEQ; size and burst from the PMD
 * profile, 16384 and 64 by default). Two figures:
 *   same_core   enqueue one burst, dequeue it, on one lcore: the instructions
 *               and cache hits alone (run-to-completion plan: rx and writer
 *               on one lcore, as with --lcores 0,1)
 *   cross_core  a producer lcore and a consumer lcore: adds the cache-line
 *               transfers of the ring head/tail and slots (plans that put rx
 *               and writer on different lcores). Needs 2 lcores.
 * Pointers are handed off, not packets: mbuf contents are not touched.
 *
 *   micro_ring [PACKETS [RING_SIZE [BURST]]]   (default 50 M, 16384, 64)
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_pause.h>
#include <rte_ring.h>

#include "linecap/config.h"

struct handoff {
	struct rte_ring *ring;
	unsigned long packets;
	unsigned int burst;
};

static int
producer(void *arg)
{
	const struct handoff *h = arg;
	void *objs[LC_MAX_BURST];
	unsigned long sent = 0;
	unsigned int i;

	for (i = 0; i < h->burst; i++)
		objs[i] = (void *)(uintptr_t)(i + 1);
	while (sent < h->packets) {
		unsigned int k = (unsigned int)RTE_MIN((unsigned long)h->burst, h->packets - sent);
		unsigned int n = rte_ring_sp_enqueue_burst(h->ring, objs, k, NULL);

		if (n == 0)
			rte_pause();
		sent += n;
	}
	return 0;
}

/* Consumer side of the cross-core run; returns TSC cycles for all packets. */
static uint64_t
consume(const struct handoff *h)
{
	void *objs[LC_MAX_BURST];
	unsigned long got = 0;
	uint64_t t0 = rte_rdtsc();

	while (got < h->packets) {
		unsigned int n = rte_ring_sc_dequeue_burst(h->ring, objs, h->burst, NULL);

		if (n == 0)
			rte_pause();
		got += n;
	}
	return rte_rdtsc() - t0;
}

static uint64_t
same_core(const struct handoff *h)
{
	void *objs[LC_MAX_BURST], *out[LC_MAX_BURST];
	unsigned long done = 0;
	unsigned int i;
	uint64_t t0;

	for (i = 0; i < h->burst; i++)
		objs[i] = (void *)(uintptr_t)(i + 1);
	t0 = rte_rdtsc();
	while (done < h->packets) {
		unsigned int n = rte_ring_sp_enqueue_burst(h->ring, objs, h->burst, NULL);

		done += rte_ring_sc_dequeue_burst(h->ring, out, n, NULL);
	}
	return rte_rdtsc() - t0;
}

int
main(int argc, char **argv)
{
	char prefix[32];
	char *eal[] = {argv[0], "--no-huge", "-m", "128", "--no-shconf", "--file-prefix", prefix,
			"--no-pci", "-l", "0,1", "--log-level", "error", NULL};
	struct handoff h;
	unsigned long size;
	uint64_t same, cross = 0;
	unsigned int worker;
	int cross_ok = 0;

	snprintf(prefix, sizeof(prefix), "lcmicro-%d", (int)getpid());
	if (rte_eal_init(12, eal) < 0) {
		fputs("micro_ring: EAL init failed\n", stderr);
		return 1;
	}
	h.packets = argc > 1 ? strtoul(argv[1], NULL, 10) : 50000000ul;
	size = argc > 2 ? strtoul(argv[2], NULL, 10) : 16384;
	h.burst = argc > 3 ? (unsigned int)strtoul(argv[3], NULL, 10) : 64;
	if (h.packets == 0 || h.burst == 0 || h.burst > LC_MAX_BURST || size < h.burst) {
		fputs("usage: micro_ring [PACKETS [RING_SIZE [BURST]]] (BURST <= LC_MAX_BURST)\n",
				stderr);
		return 2;
	}
	h.ring = rte_ring_create("micro_ring", (unsigned int)size, SOCKET_ID_ANY,
			RING_F_SP_ENQ | RING_F_SC_DEQ);
	if (h.ring == NULL) {
		fputs("micro_ring: cannot create the ring\n", stderr);
		return 1;
	}
	same = same_core(&h);
	worker = rte_get_next_lcore(-1, 1, 0);
	if (worker < RTE_MAX_LCORE && rte_eal_remote_launch(producer, &h, worker) == 0) {
		cross = consume(&h);
		cross_ok = rte_eal_wait_lcore(worker) == 0;
	}
	printf("{\"packets\": %lu, \"ring_size\": %lu, \"burst\": %u, \"tsc_hz\": %llu, "
	       "\"same_core_cycles_per_pkt\": %.3f, ",
			h.packets, size, h.burst, (unsigned long long)rte_get_tsc_hz(),
			(double)same / (double)h.packets);
	if (cross_ok)
		printf("\"cross_core_cycles_per_pkt\": %.3f}\n", (double)cross / (double)h.packets);
	else
		printf("\"cross_core_cycles_per_pkt\": null}\n");
	rte_ring_free(h.ring);
	rte_eal_cleanup();
	return 0;
}
