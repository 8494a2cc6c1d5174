/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * /linecap/stats for dpdk-telemetry.py. The callback runs on DPDK's
 * telemetry threads (one per client) and reads only the published stats
 * view: counters with relaxed loads, and the port counters the main lcore
 * last fetched. It never calls the PMD itself. It holds the view between
 * lc_stats_enter and lc_stats_leave, so the engine cannot free it meanwhile.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <rte_telemetry.h>

#include <linecap/stats_view.h>

#include "stats/telemetry.h"

/*
 * Test hook: LINECAP_TEST_TELEMETRY_DELAY_US makes every request hold the
 * view that long before reading it, so that a test can stop the capture
 * while requests are in flight (tests/functional/telemetry_teardown.sh).
 */
static unsigned int test_delay_us;

/* The per-queue counters, keyed "port<P>_q<Q>_<name>"; `forward`: only with --forward. */
static const struct queue_key {
	const char *name;
	size_t offset;
	bool forward;
} queue_keys[] = {
		{"received", offsetof(struct lc_rx_counters, received), false},
		{"ring_full", offsetof(struct lc_rx_counters, ring_full), false},
		{"filtered", offsetof(struct lc_rx_counters, filtered), false},
		{"forwarded", offsetof(struct lc_rx_counters, forwarded), true},
		{"forward_dropped", offsetof(struct lc_rx_counters, forward_dropped), true},
};

static void
add_u64(struct rte_tel_data *d, const char *name, uint64_t v)
{
	rte_tel_data_add_dict_u64(d, name, v);
}

/* A counter the PMD may not maintain: its value, or "n/a". */
/* --compress: bytes in and out, and the ratio as text (no doubles in 22.11's telemetry). */
static void
add_compress(struct rte_tel_data *d, const struct lc_stats_view *v)
{
	struct lc_compress_counters z;
	char ratio[32];

	if (!lc_stats_compress(v, LC_VIEW_ANY, &z))
		return;
	add_u64(d, "compress_bytes_in", z.bytes_in);
	add_u64(d, "compress_bytes_out", z.bytes_out);
	snprintf(ratio, sizeof(ratio), "%.4f",
			z.bytes_out ? (double)z.bytes_in / (double)z.bytes_out : 0.0);
	rte_tel_data_add_dict_string(d, "compress_ratio", ratio);
}

static void
add_opt(struct rte_tel_data *d, const char *name, uint64_t v, bool known)
{
	if (known)
		add_u64(d, name, v);
	else
		rte_tel_data_add_dict_string(d, name, "n/a");
}

static void
add_queues(struct rte_tel_data *d, const struct lc_stats_view *v)
{
	unsigned int i, k;

	for (i = 0; i < v->nb_rx; i++) {
		const struct lc_view_rx *rx = &v->rx[i];

		for (k = 0; k < RTE_DIM(queue_keys); k++) {
			const struct queue_key *q = &queue_keys[k];
			char key[64];

			if (q->forward && !v->fwd.on)
				continue;
			snprintf(key, sizeof(key), "port%u_q%u_%s", rx->port_id, rx->queue_id,
					q->name);
			add_u64(d, key,
					lc_counter_read((const uint64_t *)((const char *)rx->cnt +
									   q->offset)));
		}
	}
}

static void
add_stats(struct rte_tel_data *d, const struct lc_stats_view *v)
{
	struct lc_totals t;

	lc_stats_totals(v, &t);
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
	if (v->retention.on) {
		add_u64(d, "files_deleted", lc_counter_read(&v->retention.cnt->files_deleted));
		add_u64(d, "bytes_deleted", lc_counter_read(&v->retention.cnt->bytes_deleted));
	}
	add_compress(d, v);
	add_u64(d, "bytes_received", t.rx_bytes);
	add_u64(d, "bytes_written", t.written_bytes);
	add_opt(d, "imissed", t.imissed, t.imissed_known);
	add_opt(d, "ierrors", t.ierrors, t.ierrors_known);
	add_opt(d, "rx_nombuf", t.rx_nombuf, t.rx_nombuf_known);
	add_queues(d, v);
}

static int
stats_cb(const char *cmd, const char *params, struct rte_tel_data *d)
{
	const struct lc_stats_view *v = lc_stats_enter();

	RTE_SET_USED(cmd);
	RTE_SET_USED(params);
	if (v == NULL)
		return -1; /* no capture: DPDK answers {"/linecap/stats": null} */
	if (test_delay_us != 0)
		usleep(test_delay_us);
	add_stats(d, v);
	lc_stats_leave();
	return 0;
}

int
lc_telemetry_init(void)
{
	static bool registered;
	const char *delay = getenv("LINECAP_TEST_TELEMETRY_DELAY_US");

	if (registered)
		return 0;
	if (delay != NULL)
		test_delay_us = (unsigned int)strtoul(delay, NULL, 10);
	registered = true;
	return rte_telemetry_register_cmd("/linecap/stats", stats_cb,
			"linecap capture counters: received, written, drops by stage. No "
			"parameters");
}
