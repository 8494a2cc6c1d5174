/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Control plane of the libpcap path: one capture thread per --queues,
 * each with its own pcap handle (all in one PACKET_FANOUT hash group) and
 * its own writer, fed in the same thread. The engine's counters, reports
 * and writers are the DPDK path's: rx task i is thread i, and "ring" i is
 * the direct link from thread i to writer i.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <pcap/pcap.h>

#include "core/bpf_filter.h"
#include "core/engine_priv.h"
#include "core/pcap_engine.h"
#include "core/rotate.h"

static void
print_plan(const struct lc_engine *e, FILE *f)
{
	const struct lc_capture_conf *c = &e->conf;
	const char *dlt = pcap_datalink_val_to_name((int)e->linktype);
	int tpv = lc_pcap_tpacket_version(&e->pcap[0]);

	fprintf(f, "libpcap %s: %u capture thread%s", e->ports[0].name, e->nb_rx,
			e->nb_rx > 1 ? "s" : "");
	if (e->nb_rx > 1)
		fprintf(f, " in PACKET_FANOUT group %u (hash)", e->fanout_group);
	fprintf(f, ", TPACKET_V%d, buffer ", tpv);
	if (c->buffer_kib != 0)
		fprintf(f, "%u KiB", c->buffer_kib);
	else
		fprintf(f, "libpcap default");
	fprintf(f, ", link-type %s, snaplen %u, %s timestamps, 1 writer per thread%s%s%s\n",
			dlt != NULL ? dlt : "?", c->snaplen,
			e->pcap[0].nano ? "nanosecond" : "microsecond",
			c->filter_expr[0] != '\0' ? ", kernel filter '" : "", c->filter_expr,
			c->filter_expr[0] != '\0' ? "'" : "");
	lc_zwriter_print_plan(f, e->writers[0].zlevel, true);
}

static void
setup_ring(struct lc_engine *e, unsigned int i)
{
	struct lc_writer_task *w = &e->writers[i];

	/* No rte_ring: the thread appends straight to its writer, as ring 0. */
	w->nb_rings = 1;
	w->rings[0] = NULL;
	w->producers[0] = &e->rx[i];
	w->cnt[0] = &e->ring_cnt[i];
	e->ring_rx[i] = i;
	e->ring_writer[i] = i;
}

int
lc_pcap_engine_build(struct lc_engine *e, FILE *plan_out, struct lc_error *err)
{
	const struct lc_capture_conf *c = &e->conf;
	struct lc_port *port = &e->ports[0];
	unsigned int n = c->nb_queues, i;

	e->pcap_mode = true;
	if (c->nb_ports != 1)
		return lc_error_set(err, LC_ERR_USAGE,
				"the libpcap path captures one interface: give one -i");
	e->pcap = calloc(n, sizeof(*e->pcap));
	e->ring_cnt = aligned_alloc(64, sizeof(*e->ring_cnt) * n);
	if (e->pcap == NULL || e->ring_cnt == NULL)
		return lc_error_set(err, LC_ERR_RUNTIME, "out of memory");
	memset(e->ring_cnt, 0, sizeof(*e->ring_cnt) * n);
	if (strlen(c->ports[0].devargs) >= sizeof(port->name))
		return lc_error_set(err, LC_ERR_DEVICE, "-i '%s': not a kernel interface name",
				c->ports[0].devargs);
	snprintf(port->name, sizeof(port->name), "%.*s", (int)sizeof(port->name) - 1,
			c->ports[0].devargs);
	snprintf(port->driver, sizeof(port->driver), "libpcap");
	port->nb_rxq = (uint16_t)n;
	port->prof.counters = 0; /* imissed, ierrors, rx_nombuf: n/a */
	e->nb_ports = 1;

	for (i = 0; i < n; i++) {
		struct lc_pcap_task *t = &e->pcap[i];
		struct lc_rx_task *rx = &e->rx[i];

		rx->queue_id = (uint16_t)i;
		rx->cnt = &e->rx_cnt[i];
		rx->shared = &e->shared;
		t->rx = rx;
		t->w = &e->writers[i];
		t->shared = &e->shared;
		e->nb_rx++;
		if (lc_pcap_open(t, port->name, c, err) < 0)
			return -1;
	}
	e->linktype = (uint32_t)pcap_datalink(e->pcap[0].handle);
	lc_clock_anchor_tsc(&e->tsc_clock); /* writers' own clock: rotation, pcapng ISB */
	if (n > 1 && lc_pcap_join_fanout(e->pcap, n, &e->fanout_group, err) < 0)
		return -1;
	for (i = 0; i < n; i++) {
		struct lc_writer_task *w = &e->writers[i];

		w->id = i;
		w->shared = &e->shared;
		w->burst = 64;
		/* Statistics blocks of files closed between two pcap_stats reads: exact. */
		w->refresh_stats = lc_pcap_refresh_stats;
		w->refresh_arg = &e->pcap[i];
		if (lc_writer_open(e, w, err) < 0)
			return -1;
		setup_ring(e, i);
		e->nb_rings++;
	}
	if (lc_rotate_enabled(e) && lc_rotate_setup(e, err) < 0)
		return -1;
	for (i = 0; i < n; i++)
		if (lc_writer_header(e, &e->writers[i], err) < 0)
			return -1;
	/* Every socket is in the group: open them, with the user's filter. */
	if (lc_filter_names_check(c->filter_expr, (int)e->linktype, c->snaplen, err) < 0)
		return -1;
	for (i = 0; i < n; i++)
		if (lc_pcap_set_filter(&e->pcap[i], c->filter_expr, err) < 0)
			return -1;
	if (lc_telemetry_register(e) < 0)
		return lc_error_set(err, LC_ERR_RUNTIME,
				"cannot register telemetry command /linecap/stats");
	if (plan_out != NULL)
		print_plan(e, plan_out);
	return 0;
}

int
lc_pcap_engine_start(struct lc_engine *e, struct lc_error *err)
{
	unsigned int i;

	for (i = 0; i < e->nb_rx; i++) {
		struct lc_pcap_task *t = &e->pcap[i];
		int ret = pthread_create(&t->thread, NULL, lc_pcap_thread_main, t);

		if (ret != 0) {
			lc_engine_request_stop(e);
			lc_pcap_engine_wait(e, NULL);
			return lc_error_set(err, LC_ERR_RUNTIME, "cannot start capture thread: %s",
					strerror(ret));
		}
		t->started = true;
	}
	e->launched = true;
	return 0;
}

bool
lc_pcap_engine_running(const struct lc_engine *e)
{
	unsigned int i;

	for (i = 0; i < e->nb_rx; i++)
		if (e->pcap[i].started && !__atomic_load_n(&e->pcap[i].done, __ATOMIC_ACQUIRE))
			return true;
	return false;
}

int
lc_pcap_engine_wait(struct lc_engine *e, struct lc_error *err)
{
	unsigned int i;
	int ret = 0;

	for (i = 0; e->pcap != NULL && i < e->nb_rx; i++) {
		struct lc_pcap_task *t = &e->pcap[i];

		if (t->started)
			pthread_join(t->thread, NULL);
		t->started = false;
		if (t->err != 0 && ret == 0 && err != NULL)
			ret = lc_error_set(err, LC_ERR_RUNTIME, "%s: capture failed: %s",
					e->ports[0].name, t->errbuf);
	}
	return ret;
}

void
lc_pcap_engine_close(struct lc_engine *e)
{
	unsigned int i;

	if (e->pcap == NULL)
		return;
	lc_pcap_engine_wait(e, NULL);
	for (i = 0; i < e->nb_rx; i++)
		lc_pcap_close(&e->pcap[i]);
	free(e->pcap);
	e->pcap = NULL;
}
