/* SPDX-License-Identifier: BSD-3-Clause */
/* Control plane: the rx tasks, the writers and the rings between them; the filters. */
#include <stdlib.h>
#include <string.h>

#include <pcap/pcap.h>

#include <rte_errno.h>
#include <rte_ring.h>

#include "core/bpf_filter.h"
#include "core/engine_priv.h"
#include "core/rotate.h"

static int
add_ring(struct lc_engine *e, struct lc_rx_task *rx, unsigned int rx_idx, struct lc_writer_task *w,
		uint32_t size, int socket, struct lc_error *err)
{
	char name[RTE_RING_NAMESIZE];
	unsigned int i = e->nb_rings;
	struct rte_ring *r;

	if (i >= RTE_DIM(e->rings))
		return lc_error_set(err, LC_ERR_USAGE, "too many ports x queues");
	snprintf(name, sizeof(name), "lc_ring_%u", i);
	/* One producer (rx task) and one consumer (writer): SPSC. */
	r = rte_ring_create(name, size, socket, RING_F_SP_ENQ | RING_F_SC_DEQ);
	if (r == NULL)
		return lc_error_set(err, LC_ERR_RUNTIME, "cannot create ring of %u entries: %s",
				size, rte_strerror(rte_errno));
	e->rings[i] = r;
	e->ring_rx[i] = rx_idx;
	e->ring_writer[i] = w->id;
	rx->rings[rx->nb_rings++] = r;
	w->rings[w->nb_rings] = r;
	w->producers[w->nb_rings] = rx;
	w->cnt[w->nb_rings] = &e->ring_cnt[i];
	w->nb_rings++;
	e->nb_rings++;
	return 0;
}

int
lc_engine_build_tasks(struct lc_engine *e, struct lc_error *err)
{
	unsigned int p, q, wi;

	e->ring_cnt = aligned_alloc(RTE_CACHE_LINE_SIZE, sizeof(*e->ring_cnt) * RTE_DIM(e->rings));
	if (e->ring_cnt == NULL)
		return lc_error_set(err, LC_ERR_RUNTIME, "out of memory for counters");
	memset(e->ring_cnt, 0, sizeof(*e->ring_cnt) * RTE_DIM(e->rings));

	for (wi = 0; wi < e->nb_writers; wi++) {
		struct lc_writer_task *w = &e->writers[wi];

		w->id = wi;
		w->shared = &e->shared;
		w->stop_on_disk_full = e->conf.stop_on_disk_full;
		w->burst = 64;
		if (lc_writer_open(e, w, err) < 0)
			return -1;
	}
	for (p = 0; p < e->nb_ports; p++) {
		struct lc_port *port = &e->ports[p];

		for (q = 0; q < port->nb_rxq; q++) {
			unsigned int idx = e->nb_rx++;
			struct lc_rx_task *t = &e->rx[idx];

			t->port_id = port->port_id;
			t->queue_id = (uint16_t)q;
			t->burst = port->prof.burst;
			t->cnt = &e->rx_cnt[idx];
			t->shared = &e->shared;
			t->hash = &e->hash;
			t->tsc_clock = e->tsc_clock;
			t->hw_ts_offset = port->hw_ts ? port->hw_ts_offset : -1;
			t->hw_ts_flag = port->hw_ts_flag;
			t->hw_clock = port->hw_clock;
			if (port->sw_spread) {
				for (wi = 0; wi < e->nb_writers; wi++)
					if (add_ring(e, t, idx, &e->writers[wi],
							    port->prof.ring_size, port->socket,
							    err) < 0)
						return -1;
			} else if (add_ring(e, t, idx, &e->writers[q], port->prof.ring_size,
						   port->socket, err) < 0) {
				return -1;
			}
			for (wi = 0; wi < e->nb_writers; wi++)
				e->writers[wi].burst = RTE_MAX(e->writers[wi].burst, t->burst);
		}
	}
	if (lc_rotate_enabled(e) && lc_rotate_setup(e, err) < 0)
		return -1;
	for (wi = 0; wi < e->nb_writers; wi++)
		if (lc_writer_header(e, &e->writers[wi], err) < 0)
			return -1;
	return 0;
}

/* Compile the filter once, load one JIT-compiled copy per rx task. */
int
lc_engine_setup_filters(struct lc_engine *e, struct lc_error *err)
{
	struct bpf_program prog;
	unsigned int i;
	int ret = 0;

	if (e->conf.filter_expr[0] == '\0')
		return 0;
	if (lc_filter_compile(e->conf.filter_expr, (int)e->linktype, e->conf.snaplen, &prog, err) <
			0)
		return -1;
	e->filter_jit = true;
	for (i = 0; i < e->nb_rx && ret == 0; i++) {
		ret = lc_filter_load(&prog, &e->rx[i].filter, err);
		e->filter_jit &= e->rx[i].filter.jit != NULL;
	}
	pcap_freecode(&prog);
	return ret;
}
