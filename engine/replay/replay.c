/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Replay control plane (DPDK path): the port, the tx tasks and their lcores,
 * and the feed. Streamed, the main lcore reads the file and puts packets on
 * one SPSC ring per tx task (round robin); preloaded, every packet is built
 * in an mbuf before launch and the tasks send from arrays.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <rte_mbuf_dyn.h>
#include <rte_ring.h>

#include <linecap/engine.h>

#include "core/lcore_plan.h"
#include "datapath/tstamp.h"
#include "replay/replay_priv.h"

#define FEED_RING_SIZE 4096
#define TX_BURST 32
#define START_LEAD_US 2000 /* due time 0 is this far after launch */

/* One record in an mbuf chain, its due time in the dynfield. NULL if the pool is empty. */
static struct rte_mbuf *
build_mbuf(struct lc_replay *r, const struct lc_pcap_record *rec, uint64_t due)
{
	struct rte_mbuf *head = rte_pktmbuf_alloc(r->port.pool), *last = head;
	uint32_t done = 0;

	if (head == NULL)
		return NULL;
	for (;;) {
		uint32_t k = RTE_MIN(rec->caplen - done, (uint32_t)rte_pktmbuf_tailroom(last));

		memcpy(rte_pktmbuf_mtod(last, uint8_t *), rec->data + done, k);
		last->data_len = (uint16_t)k;
		done += k;
		if (done == rec->caplen)
			break;
		last->next = rte_pktmbuf_alloc(r->port.pool);
		if (last->next == NULL) {
			rte_pktmbuf_free(head);
			return NULL;
		}
		last = last->next;
		head->nb_segs++;
	}
	head->pkt_len = rec->caplen;
	*RTE_MBUF_DYNFIELD(head, r->shared.due_offset, uint64_t *) = due;
	return head;
}

/* Read the next record for sending; 1, 0 at the end of all passes, -1 on error. */
static int
next_record(struct lc_replay *r, struct lc_pcap_record *rec, struct lc_error *err)
{
	for (;;) {
		bool new_file;
		int ret = lc_file_seq_next(&r->seq_in, rec, &new_file, err);

		if (new_file)
			lc_pace_new_pass(&r->pacer); /* files' clocks are unrelated */
		if (ret != 0)
			return ret;
		r->pass++;
		if (r->scan.nb_records == 0 || (r->conf.loops != 0 && r->pass >= r->conf.loops))
			return 0;
		if (lc_file_seq_rewind(&r->seq_in, err) < 0)
			return -1;
		lc_pace_new_pass(&r->pacer);
	}
}

static int
preload(struct lc_replay *r, struct lc_error *err)
{
	struct lc_pcap_record rec;
	uint64_t i, count[LC_TX_MAX_TASKS] = {0};
	unsigned int q;

	r->pre = calloc(r->scan.nb_records + 1, sizeof(struct rte_mbuf *));
	if (r->pre == NULL)
		return lc_error_set(err, LC_ERR_RUNTIME, "out of memory for %lu packets",
				(unsigned long)r->scan.nb_records);
	for (i = 0; i < r->scan.nb_records; i++) {
		bool new_file;
		int ret = lc_file_seq_next(&r->seq_in, &rec, &new_file, err);

		if (ret < 0)
			return -1;
		if (ret == 0)
			return lc_error_set(err, LC_ERR_INPUT, "%s: file changed while read",
					r->conf.files[r->seq_in.cur]);
		if (new_file)
			lc_pace_new_pass(&r->pacer);
		r->pre[i] = build_mbuf(r, &rec, lc_pace_next(&r->pacer, rec.ts_ns, rec.caplen));
		if (r->pre[i] == NULL)
			return lc_error_set(err, LC_ERR_RUNTIME,
					"--preload: out of mbufs after %lu of %lu packets",
					(unsigned long)i, (unsigned long)r->scan.nb_records);
		r->nb_pre++;
	}
	/* Packet i goes out of queue i % nb_tasks. */
	if (r->nb_tasks == 0)
		return lc_error_set(err, LC_ERR_USAGE, "no tx queue");
	for (q = 0; q < r->nb_tasks; q++) {
		r->pre_task[q] = calloc(r->nb_pre / r->nb_tasks + 1, sizeof(struct rte_mbuf *));
		if (r->pre_task[q] == NULL)
			return lc_error_set(err, LC_ERR_RUNTIME, "out of memory");
	}
	for (i = 0; i < r->nb_pre; i++) {
		q = (unsigned int)(i % r->nb_tasks);
		r->pre_task[q][count[q]++] = r->pre[i];
	}
	for (q = 0; q < r->nb_tasks; q++) {
		r->tasks[q].pre = r->pre_task[q];
		r->tasks[q].nb_pre = count[q];
		r->tasks[q].loops = r->conf.loops;
		r->tasks[q].pass_ns = lc_pace_pass_span(&r->pacer);
	}
	return 0;
}

static int
build_tasks(struct lc_replay *r, struct lc_error *err)
{
	unsigned int q, L = r->plan.nb_cpus - 1;

	if (L == 0)
		return lc_error_set(err, LC_ERR_LCORES, "too few lcores: no worker lcore");
	r->cnt = aligned_alloc(RTE_CACHE_LINE_SIZE, sizeof(*r->cnt) * LC_TX_MAX_TASKS);
	if (r->cnt == NULL)
		return lc_error_set(err, LC_ERR_RUNTIME, "out of memory");
	memset(r->cnt, 0, sizeof(*r->cnt) * LC_TX_MAX_TASKS);
	r->nb_tasks = r->conf.nb_txq;
	r->nb_workers = RTE_MIN(L, r->nb_tasks);
	for (q = 0; q < r->nb_workers; q++)
		r->workers[q].lcore_id = r->plan.cpus[q + 1];
	for (q = 0; q < r->nb_tasks; q++) {
		struct lc_tx_task *t = &r->tasks[q];
		struct lc_tx_worker *wk = &r->workers[q % r->nb_workers];

		t->port_id = r->port.port_id;
		t->queue_id = (uint16_t)q;
		t->burst = TX_BURST;
		t->no_retry = r->conf.no_retry;
		t->late_tsc = r->conf.mode == LC_PACE_TOPSPEED
					      ? 0
					      : (uint64_t)((double)lc_tsc_hz() * LC_TX_LATE_NS /
								1e9);
		t->shared = &r->shared;
		t->cnt = &r->cnt[q];
		wk->tasks[wk->nb_tasks++] = t;
		if (!r->conf.preload) {
			char name[RTE_RING_NAMESIZE];

			snprintf(name, sizeof(name), "lc_feed_%u", q);
			r->feeds[q] = rte_ring_create(name, FEED_RING_SIZE, r->port.socket,
					RING_F_SP_ENQ | RING_F_SC_DEQ);
			if (r->feeds[q] == NULL)
				return lc_error_set(err, LC_ERR_RUNTIME, "cannot create a ring: %s",
						rte_strerror(rte_errno));
			t->feed = r->feeds[q];
		}
	}
	return 0;
}

static void
print_plan(const struct lc_replay *r, FILE *f)
{
	unsigned int i, j;

	fprintf(f, "port %u %s (%s): %u tx queue%s, %s, %lu packets in %s%s%s\n", r->port.port_id,
			r->port.name, r->port.driver, r->nb_tasks, r->nb_tasks > 1 ? "s" : "",
			r->conf.preload ? "preloaded" : "streamed from the file",
			(unsigned long)r->scan.nb_records, r->conf.files[0],
			r->conf.nb_files > 1 ? " and more files" : "",
			r->scan.truncated ? " (truncated tail ignored)" : "");
	fprintf(f, "plan: main lcore %u (reads the file)", r->plan.cpus[0]);
	for (i = 0; i < r->nb_workers; i++) {
		fprintf(f, "; lcore %u:", r->workers[i].lcore_id);
		for (j = 0; j < r->workers[i].nb_tasks; j++)
			fprintf(f, "%s tx q%u", j ? "," : "", r->workers[i].tasks[j]->queue_id);
	}
	fputc('\n', f);
}

struct lc_replay *
lc_replay_create(const struct lc_replay_conf *c, const struct lc_lcore_plan *plan, FILE *plan_out,
		struct lc_error *err)
{
	static const struct rte_mbuf_dynfield due_desc = {
			.name = "linecap_tx_due_ns",
			.size = sizeof(uint64_t),
			.align = __alignof__(uint64_t),
	};
	struct lc_replay *r = calloc(1, sizeof(*r));
	uint64_t pool;

	if (r == NULL) {
		lc_error_set(err, LC_ERR_RUNTIME, "out of memory");
		return NULL;
	}
	r->conf = *c;
	r->plan = *plan;
	r->port.port_id = RTE_MAX_ETHPORTS;
	lc_pace_init(&r->pacer, c);
	r->shared.due_offset = rte_mbuf_dynfield_register(&due_desc);
	if (r->shared.due_offset < 0) {
		lc_error_set(err, LC_ERR_RUNTIME, "cannot register an mbuf field: %s",
				rte_strerror(rte_errno));
		goto fail;
	}
	r->shared.tsc_per_ns = (double)lc_tsc_hz() / 1e9;
	if (lc_file_seq_scan(c->files, c->nb_files, &r->scan, err) < 0 ||
			lc_file_seq_open(&r->seq_in, c->files, c->nb_files, err) < 0)
		goto fail;
	if (lc_port_probe(c->dev, &r->port, err) < 0)
		goto fail;
	pool = c->preload ? r->scan.nb_segs
			  : (uint64_t)c->nb_txq * (FEED_RING_SIZE + TX_BURST) * 2 + 1024;
	pool += (uint64_t)r->plan.nb_cpus * 256 * 3 / 2 + 1024;
	if (pool > UINT32_MAX / 2) {
		lc_error_set(err, LC_ERR_RUNTIME, "--preload: %lu mbufs is too many",
				(unsigned long)pool);
		goto fail;
	}
	if (lc_port_configure_tx(&r->port, c->nb_txq, (uint32_t)pool, err) < 0 ||
			build_tasks(r, err) < 0)
		goto fail;
	if (c->preload && preload(r, err) < 0)
		goto fail;
	lc_eal_release_log(false);
	if (plan_out != NULL)
		print_plan(r, plan_out);
	return r;
fail:
	lc_replay_destroy(r);
	return NULL;
}

int
lc_replay_service(struct lc_replay *r, struct lc_error *err)
{
	unsigned int budget = FEED_RING_SIZE;

	if (r->conf.preload || r->shared.feed_done || r->shared.stop)
		return 0;
	while (budget-- > 0) {
		if (r->held == NULL) {
			struct lc_pcap_record rec;
			int ret = next_record(r, &rec, err);

			if (ret < 0)
				return -1;
			if (ret == 0) {
				__atomic_store_n(&r->shared.feed_done, 1, __ATOMIC_RELEASE);
				return 0;
			}
			r->held = build_mbuf(
					r, &rec, lc_pace_next(&r->pacer, rec.ts_ns, rec.caplen));
			if (r->held == NULL)
				return lc_error_set(err, LC_ERR_RUNTIME,
						"out of mbufs while streaming (a PMD holding "
						"sent packets?)");
			r->held_task = (unsigned int)(r->seq++ % r->nb_tasks);
		}
		if (lc_fault_replay_unsent != NULL && lc_fault_replay_unsent()) {
			rte_pktmbuf_free(r->held); /* test build only: lost uncounted */
			r->held = NULL;
			r->queued++;
			continue;
		}
		if (rte_ring_sp_enqueue(r->feeds[r->held_task], r->held) != 0)
			return 0; /* full: the tx lcores are behind, come back later */
		r->held = NULL;
		r->queued++;
	}
	return 0;
}

int
lc_replay_start(struct lc_replay *r, const volatile int *stop, struct lc_error *err)
{
	unsigned int i;

	if (lc_port_wait_link(&r->port, r->conf.link_wait, stop, err) < 0)
		return -1;
	/* Streamed: fill the rings first, so the tx lcores start with work. */
	if (lc_replay_service(r, err) < 0)
		return -1;
	r->shared.start_tsc = rte_rdtsc() + lc_tsc_hz() / 1000000 * START_LEAD_US;
	for (i = 0; i < r->nb_workers; i++)
		if (lc_lcore_launch(lc_tx_worker_main, &r->workers[i], r->workers[i].lcore_id,
				    &r->shared.stop, err) < 0)
			return -1;
	r->launched = true;
	return 0;
}

bool
lc_replay_running(const struct lc_replay *r)
{
	unsigned int i;

	for (i = 0; i < r->nb_workers; i++)
		if (rte_eal_get_lcore_state(r->workers[i].lcore_id) == RUNNING)
			return true;
	return false;
}

void
lc_replay_request_stop(struct lc_replay *r)
{
	r->shared.stop = 1;
}

void
lc_replay_join(struct lc_replay *r)
{
	unsigned int q;

	if (r->launched)
		rte_eal_mp_wait_lcore();
	r->end_tsc = rte_rdtsc();
	/* What the tx lcores never took is dropped here. */
	if (r->held != NULL) {
		rte_pktmbuf_free(r->held);
		r->held = NULL;
	}
	for (q = 0; q < r->nb_tasks; q++) {
		void *m;

		while (r->feeds[q] != NULL && rte_ring_sc_dequeue(r->feeds[q], &m) == 0) {
			rte_pktmbuf_free(m);
			r->leftover++;
		}
	}
	r->joined = true;
}

void
lc_replay_totals(struct lc_replay *r, struct lc_replay_totals *t)
{
	uint64_t last = 0, late = 0;
	unsigned int q;

	memset(t, 0, sizeof(*t));
	for (q = 0; q < r->nb_tasks; q++) {
		const struct lc_tx_counters *c = &r->cnt[q];

		t->sent += lc_counter_read(&c->sent);
		t->bytes += lc_counter_read(&c->bytes);
		t->dropped += lc_counter_read(&c->dropped);
		t->retries += lc_counter_read(&c->retries);
		t->late_sends += lc_counter_read(&c->late_sends);
		late = RTE_MAX(late, __atomic_load_n(&c->max_late_tsc, __ATOMIC_RELAXED));
		t->queued += lc_counter_read(&c->taken);
		last = RTE_MAX(last, __atomic_load_n(&c->last_tsc, __ATOMIC_RELAXED));
	}
	if (!r->conf.preload) {
		/* streamed: what was queued but never taken counts as dropped */
		t->queued = r->queued;
		t->dropped += r->leftover;
	}
	t->max_late_us = (double)late * 1e6 / (double)lc_tsc_hz();
	if (last > r->shared.start_tsc)
		t->seconds = (double)(last - r->shared.start_tsc) / (double)lc_tsc_hz();
	t->file_records = r->scan.nb_records;
	t->empty = r->seq_in.empty;
	t->truncated = r->scan.truncated;
	t->trunc_offset = r->scan.trunc_offset;
	t->path = r->conf.files[0];
	t->nb_files = r->conf.nb_files;
	t->dev = r->port.name;
	t->driver = r->port.driver;
	t->nb_txq = r->nb_tasks;
	if (r->conf.mode == LC_PACE_PPS)
		t->requested_pps = r->conf.pps;
	if (r->conf.mode == LC_PACE_MBPS)
		t->requested_mbps = r->conf.mbps;
	if (r->conf.mode == LC_PACE_ORIGINAL && r->pacer.last > 0 && r->pacer.seq > 1)
		t->requested_pps = (double)(r->pacer.seq - 1) * 1e9 / (double)r->pacer.last;
}

void
lc_replay_destroy(struct lc_replay *r)
{
	unsigned int q;
	uint64_t i;

	if (r == NULL)
		return;
	if (r->launched && !r->joined) {
		lc_replay_request_stop(r);
		lc_replay_join(r);
	}
	if (r->held != NULL)
		rte_pktmbuf_free(r->held);
	for (i = 0; i < r->nb_pre; i++)
		rte_pktmbuf_free(r->pre[i]);
	free(r->pre);
	for (q = 0; q < LC_TX_MAX_TASKS; q++) {
		free(r->pre_task[q]);
		rte_ring_free(r->feeds[q]);
	}
	if (r->port.port_id != RTE_MAX_ETHPORTS)
		lc_port_close(&r->port);
	lc_file_seq_close(&r->seq_in);
	free(r->cnt);
	free(r);
}
