/* SPDX-License-Identifier: BSD-3-Clause */
/* Control plane: launch the workers, stop, join, tear down. */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_ring.h>

#include "core/bpf_filter.h"
#include "core/engine_priv.h"
#include "core/pcap_engine.h"
#include "core/rotate.h"
#include "datapath/tstamp.h"

int
lc_engine_start(struct lc_engine *e, struct lc_error *err)
{
	unsigned int i;

	__atomic_store_n(&e->view.start_ns, lc_mono_ns(), __ATOMIC_RELAXED);
	for (i = 0; i < e->nb_writers; i++)
		e->writers[i].start_ns = lc_clock_ns(&e->tsc_clock, rte_rdtsc());
	if (lc_rotate_start(e, err) < 0)
		return -1;
	if (e->pcap_mode)
		return lc_pcap_engine_start(e, err);
	for (i = 0; i < e->nb_workers; i++)
		if (lc_lcore_launch(lc_worker_main, &e->workers[i], e->workers[i].lcore_id,
				    &e->shared.stop, err) < 0)
			return -1;
	e->launched = true;
	return 0;
}

void
lc_engine_request_stop(struct lc_engine *e)
{
	e->shared.stop = 1;
}

bool
lc_engine_running(const struct lc_engine *e)
{
	unsigned int i;

	if (e->pcap_mode)
		return lc_pcap_engine_running(e);
	for (i = 0; i < e->nb_workers; i++)
		if (rte_eal_get_lcore_state(e->workers[i].lcore_id) == RUNNING)
			return true;
	return false;
}

bool
lc_engine_output_closed(const struct lc_engine *e)
{
	return e->shared.fatal != 0 && e->shared.fatal_errno == EPIPE;
}

bool
lc_engine_failed(const struct lc_engine *e)
{
	return e->shared.fatal != 0;
}

int
lc_engine_join(struct lc_engine *e, struct lc_error *err)
{
	unsigned int i;
	int ret = 0;

	if (e->pcap_mode)
		ret = lc_pcap_engine_wait(e, err);
	else if (e->launched)
		rte_eal_mp_wait_lcore();
	__atomic_store_n(&e->view.end_ns, lc_mono_ns(), __ATOMIC_RELAXED);
	for (i = 0; i < e->nb_writers; i++) {
		struct lc_writer_task *w = &e->writers[i];
		int r = lc_writer_finish(w);

		if (r < 0 && ret == 0)
			ret = lc_error_set(err, LC_ERR_OUTPUT, "cannot complete '%s': %s",
					e->writer_path[i], strerror(-r));
	}
	/* Rotated files are renamed by the rotation thread: wait for the last. */
	if (ret < 0) {
		struct lc_error ignored = {0};

		lc_rotate_stop(e, &ignored); /* the first error is the one to report */
	} else if (lc_rotate_stop(e, err) < 0) {
		ret = -1;
	}
	for (i = 0; i < e->nb_ports && !e->pcap_mode; i++)
		lc_port_read_stats(&e->ports[i]);
	lc_forward_read_stats(&e->fwd);
	lc_engine_view_final(e);
	e->joined = true;
	return ret;
}

void
lc_engine_destroy(struct lc_engine *e)
{
	unsigned int i;

	if (e == NULL)
		return;
	/* Before anything is freed: returns once no telemetry request reads e's view. */
	lc_telemetry_unregister(e);
	if (e->pcap_mode) {
		lc_engine_request_stop(e);
		lc_pcap_engine_close(e); /* joins any thread still running */
	} else if (e->launched && !e->joined) {
		lc_engine_request_stop(e);
		rte_eal_mp_wait_lcore();
	}
	lc_rotate_destroy(e);
	for (i = 0; i < e->nb_writers; i++)
		lc_writer_free(&e->writers[i]); /* closes files never finished */
	for (i = 0; i < e->nb_rx; i++)
		lc_filter_unload(&e->rx[i].filter);
	for (i = 0; i < e->nb_rings; i++)
		rte_ring_free(e->rings[i]);
	/* Its tx queues may still hold mbufs of the capture pools freed below. */
	lc_forward_close(&e->fwd);
	for (i = 0; i < e->nb_ports && !e->pcap_mode; i++)
		lc_port_close(&e->ports[i]);
	free(e->ring_cnt);
	free(e);
}

void
lc_engine_refresh_ports(struct lc_engine *e)
{
	unsigned int i;

	/* The libpcap path has no PMD: each capture thread reads its own pcap_stats. */
	for (i = 0; i < e->nb_ports && !e->pcap_mode; i++)
		lc_port_read_stats(&e->ports[i]);
	lc_forward_read_stats(&e->fwd);
	lc_engine_view_refresh(e);
}
