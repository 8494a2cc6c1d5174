/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The engine's stats view (linecap/stats_view.h): filled once the engine is
 * built, published to the readers on other threads (telemetry), refreshed by
 * the main lcore, retracted before the engine is freed.
 */
#include "core/engine_priv.h"
#include "core/rotate.h"
#include "stats/telemetry.h"

/* The lcore of every rx task and writer (none on the libpcap path: 0). */
static void
view_lcores(struct lc_engine *e)
{
	unsigned int i, j;

	for (i = 0; i < e->nb_workers; i++) {
		const struct lc_worker *wk = &e->workers[i];

		for (j = 0; j < wk->nb_rx; j++)
			e->view.rx[wk->rx[j] - e->rx].lcore = wk->lcore_id;
		for (j = 0; j < wk->nb_writers; j++)
			e->view.writers[wk->writers[j] - e->writers].lcore = wk->lcore_id;
	}
}

/* The fixed fields and the pointers to the live counters. */
static void
view_build(struct lc_engine *e)
{
	struct lc_stats_view *v = &e->view;
	unsigned int i, p;

	v->pcap = e->pcap_mode;
	v->filter_on = e->conf.filter_expr[0] != '\0';
	v->rotating = e->rotator != NULL;
	v->nb_ports = e->nb_ports;
	for (p = 0; p < e->nb_ports; p++) {
		struct lc_view_port *vp = &v->ports[p];

		vp->port_id = e->ports[p].port_id;
		vp->counters = e->ports[p].prof.counters;
		vp->name = e->ports[p].name;
		vp->driver = e->ports[p].driver;
		vp->snap = &e->ports[p].stats;
	}
	v->nb_rx = e->nb_rx;
	for (i = 0; i < e->nb_rx; i++) {
		struct lc_view_rx *vr = &v->rx[i];

		vr->port_id = e->rx[i].port_id;
		vr->queue_id = e->rx[i].queue_id;
		vr->port = e->nb_ports;
		for (p = 0; p < e->nb_ports; p++)
			if (e->ports[p].port_id == vr->port_id)
				vr->port = p;
		vr->cnt = &e->rx_cnt[i];
	}
	v->nb_rings = e->nb_rings;
	for (i = 0; i < e->nb_rings; i++) {
		v->rings[i].rx = e->ring_rx[i];
		v->rings[i].writer = e->ring_writer[i];
		v->rings[i].cnt = &e->ring_cnt[i];
	}
	v->nb_writers = e->nb_writers;
	for (i = 0; i < e->nb_writers; i++) {
		v->writers[i].path = e->writer_path[i];
		/* --compress: the writer's own counters (live). */
		v->writers[i].zcnt = e->writers[i].z != NULL ? &e->writers[i].z->cnt : NULL;
		v->writers[i].zlevel = e->writers[i].zlevel;
		v->writers[i].bw = &e->writers[i].bw;
	}
	view_lcores(e);
	v->fwd.on = e->fwd.on;
	if (e->fwd.on) {
		v->fwd.port_id = e->fwd.port->port_id;
		v->fwd.nb_txq = e->fwd.nb_txq;
		v->fwd.devargs = e->fwd.devargs;
		v->fwd.name = e->fwd.port->name;
		v->fwd.driver = e->fwd.port->driver;
	}
	lc_engine_view_refresh(e);
}

void
lc_engine_view_refresh(struct lc_engine *e)
{
	struct lc_stats_view *v = &e->view;
	unsigned int i;

	__atomic_store_n(&v->fwd.opackets, e->fwd.opackets, __ATOMIC_RELAXED);
	__atomic_store_n(&v->fwd.oerrors, e->fwd.oerrors, __ATOMIC_RELAXED);
	for (i = 0; i < e->nb_writers; i++)
		__atomic_store_n(&v->writers[i].files, v->rotating ? lc_rotate_files(e, i) : 1,
				__ATOMIC_RELAXED);
}

void
lc_engine_view_final(struct lc_engine *e)
{
	unsigned int i;

	lc_engine_view_refresh(e);
	for (i = 0; i < e->nb_writers; i++) {
		struct lc_view_writer *vw = &e->view.writers[i];

		vw->write_calls = e->writers[i].write_calls;
		vw->last_errno = e->writers[i].last_errno;
		vw->recovered = e->writers[i].last_errno != 0 && !e->writers[i].end_failed;
		vw->o_direct = e->writers[i].o_direct;
	}
}

int
lc_telemetry_register(struct lc_engine *e)
{
	view_build(e);
	if (lc_stats_publish(&e->view) < 0)
		return -1;
	return lc_telemetry_init() < 0 ? -1 : 0;
}

void
lc_telemetry_unregister(struct lc_engine *e)
{
	lc_stats_retract(&e->view);
}

const struct lc_stats_view *
lc_engine_stats_view(const struct lc_engine *e)
{
	return &e->view;
}

double
lc_engine_elapsed(const struct lc_engine *e)
{
	return lc_stats_elapsed(&e->view);
}
