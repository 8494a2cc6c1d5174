/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * /linecap/stats for dpdk-telemetry.py. The callback runs on DPDK's
 * telemetry thread and only reads counters (relaxed loads) and the port
 * counters the main lcore last fetched: it never calls the PMD itself.
 */
#include <stdio.h>

#include <rte_telemetry.h>

#include "core/engine_priv.h"

static struct lc_engine *tel_engine;

static void
add_u64(struct rte_tel_data *d, const char *name, uint64_t v)
{
	rte_tel_data_add_dict_u64(d, name, v);
}

/* One per-queue counter, keyed "port<P>_q<Q>_<name>". */
static void
add_queue_u64(struct rte_tel_data *d, const struct lc_rx_task *rx, const char *name,
		const uint64_t *counter)
{
	char key[64];

	snprintf(key, sizeof(key), "port%u_q%u_%s", rx->port_id, rx->queue_id, name);
	add_u64(d, key, lc_counter_read(counter));
}

static int
stats_cb(const char *cmd, const char *params, struct rte_tel_data *d)
{
	struct lc_engine *e = __atomic_load_n(&tel_engine, __ATOMIC_ACQUIRE);
	struct lc_totals t;
	unsigned int i;

	RTE_SET_USED(cmd);
	RTE_SET_USED(params);
	if (e == NULL)
		return -1;
	lc_engine_totals(e, &t);
	rte_tel_data_start_dict(d);
	add_u64(d, "received", t.received);
	add_u64(d, "written", t.written);
	add_u64(d, "dropped_ring_full", t.ring_full);
	add_u64(d, "dropped_write_error", t.write_errors);
	add_u64(d, "filtered", t.filtered);
	if (t.pcap)
		add_u64(d, "dropped_kernel", t.ps_drop);
	if (t.forward_on) {
		add_u64(d, "forwarded", t.forwarded);
		add_u64(d, "forward_dropped", t.forward_dropped);
	}
	add_u64(d, "bytes_received", t.rx_bytes);
	add_u64(d, "bytes_written", t.written_bytes);
	if (t.imissed_known)
		add_u64(d, "imissed", t.imissed);
	else
		rte_tel_data_add_dict_string(d, "imissed", "n/a");
	if (t.ierrors_known)
		add_u64(d, "ierrors", t.ierrors);
	else
		rte_tel_data_add_dict_string(d, "ierrors", "n/a");
	if (t.rx_nombuf_known)
		add_u64(d, "rx_nombuf", t.rx_nombuf);
	else
		rte_tel_data_add_dict_string(d, "rx_nombuf", "n/a");
	for (i = 0; i < e->nb_rx; i++) {
		add_queue_u64(d, &e->rx[i], "received", &e->rx_cnt[i].received);
		add_queue_u64(d, &e->rx[i], "ring_full", &e->rx_cnt[i].ring_full);
		add_queue_u64(d, &e->rx[i], "filtered", &e->rx_cnt[i].filtered);
		if (!t.forward_on)
			continue;
		add_queue_u64(d, &e->rx[i], "forwarded", &e->rx_cnt[i].forwarded);
		add_queue_u64(d, &e->rx[i], "forward_dropped", &e->rx_cnt[i].forward_dropped);
	}
	return 0;
}

int
lc_telemetry_register(struct lc_engine *e)
{
	static bool registered;

	__atomic_store_n(&tel_engine, e, __ATOMIC_RELEASE);
	if (registered)
		return 0;
	registered = true;
	return rte_telemetry_register_cmd("/linecap/stats", stats_cb,
			"linecap capture counters: received, written, drops by stage. No "
			"parameters");
}

void
lc_telemetry_unregister(void)
{
	__atomic_store_n(&tel_engine, NULL, __ATOMIC_RELEASE);
}
