/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Control plane: build the engine (check the configuration, probe and
 * configure the ports, place the tasks on lcores, print the plan).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_errno.h>
#include <rte_mbuf_dyn.h>

#include "core/engine_priv.h"
#include "core/pcap_engine.h"
#include "core/rotate.h"
#include "datapath/tstamp.h"

/* --forward (sinks/forward.c): it sees the capture ports by id only. */
static int
forward_setup(struct lc_engine *e, struct lc_error *err)
{
	uint16_t ids[LC_MAX_PORTS];
	unsigned int p;

	for (p = 0; p < e->nb_ports; p++)
		ids[p] = e->ports[p].port_id;
	return lc_forward_setup(&e->fwd, &e->conf, ids, e->nb_ports, e->rx, e->nb_rx, err);
}

/*
 * Place tasks on worker lcores. Enough lcores: every task gets its own
 * (pipeline). Too few: rx task i and writer i share lcore i % L
 * (run-to-completion), which keeps a queue and its writer together.
 */
static int
place_tasks(struct lc_engine *e, struct lc_error *err)
{
	const struct lc_lcore_plan *pick = &e->plan;
	unsigned int L = pick->nb_cpus - 1, i;

	if (L == 0)
		return lc_error_set(err, LC_ERR_LCORES, "too few lcores: no worker lcore");
	if (e->nb_rx == 0 || e->nb_writers == 0)
		return lc_error_set(err, LC_ERR_USAGE, "nothing to capture: no rx queue or writer");
	e->run_to_completion = L < e->nb_rx + e->nb_writers;
	e->nb_workers = e->run_to_completion ? RTE_MIN(L, RTE_MAX(e->nb_rx, e->nb_writers))
					     : e->nb_rx + e->nb_writers;
	for (i = 0; i < e->nb_workers; i++)
		e->workers[i].lcore_id = pick->cpus[i + 1];
	for (i = 0; i < e->nb_rx; i++) {
		struct lc_worker *wk = &e->workers[e->run_to_completion ? i % e->nb_workers : i];

		wk->rx[wk->nb_rx++] = &e->rx[i];
	}
	for (i = 0; i < e->nb_writers; i++) {
		struct lc_worker *wk = &e->workers[e->run_to_completion ? i % e->nb_workers
									: e->nb_rx + i];

		wk->writers[wk->nb_writers++] = &e->writers[i];
	}
	return 0;
}

static void
print_plan(const struct lc_engine *e, FILE *f)
{
	const struct lc_lcore_plan *pick = &e->plan;
	unsigned int i, j, p;

	for (p = 0; p < e->nb_ports; p++) {
		const struct lc_port *port = &e->ports[p];

		fprintf(f,
				"port %u %s (%s): profile %s, %u rx queue%s x %u desc, %s, %u "
				"mbufs, %s timestamps, ",
				port->port_id, port->name, port->driver, port->prof.name,
				port->nb_rxq, port->nb_rxq > 1 ? "s" : "", port->prof.rx_desc,
				e->nb_writers == 1 ? "1 writer"
				: port->sw_spread  ? "software symmetric RSS"
						   : "hardware symmetric RSS",
				port->pool_size, port->hw_ts ? "NIC" : "TSC");
		lc_port_print_mtu(port, f);
	}
	fprintf(f, "plan: main lcore %u", pick->cpus[0]);
	for (i = 0; i < e->nb_workers; i++) {
		const struct lc_worker *wk = &e->workers[i];
		const char *sep = "";

		fprintf(f, "; lcore %u:", wk->lcore_id);
		for (j = 0; j < wk->nb_rx; j++) {
			const char *name = "?";

			for (p = 0; p < e->nb_ports; p++)
				if (e->ports[p].port_id == wk->rx[j]->port_id)
					name = e->ports[p].name;
			fprintf(f, "%s rx %s/q%u", sep, name, wk->rx[j]->queue_id);
			sep = ",";
		}
		for (j = 0; j < wk->nb_writers; j++) {
			fprintf(f, "%s writer %u", sep, wk->writers[j]->id);
			sep = ",";
		}
	}
	fprintf(f, " (%s%s%s)\n", e->run_to_completion ? "run-to-completion: " : "pipeline",
			e->run_to_completion ? "fewer worker lcores than tasks" : "",
			pick->automatic ? "; auto" : "");
	lc_zwriter_print_plan(f, e->writers[0].zlevel, false);
	if (e->fwd.on)
		fprintf(f,
				"forward: %s (%s), %u tx queue%s, one per rx queue; packets the "
				"filter accepts are sent by reference\n",
				e->fwd.devargs, e->fwd.port->driver, e->fwd.nb_txq,
				e->fwd.nb_txq > 1 ? "s" : "");
	if (e->conf.filter_expr[0] != '\0')
		fprintf(f, "filter: %s on every rx lcore%s%s%s\n",
				e->filter_jit ? "JIT-compiled eBPF (rte_bpf)"
					      : "rte_bpf interpreter",
				e->filter_jit ? "" : " (JIT not used: ",
				e->filter_jit ? "" : e->rx[0].filter.no_jit_reason,
				e->filter_jit ? "" : ")");
	for (p = 0; p < e->nb_ports; p++)
		if (e->ports[p].prof.caveat[0] != '\0')
			fprintf(f, "linecap: warning: %s (%s): %s\n", e->ports[p].name,
					e->ports[p].driver, e->ports[p].prof.caveat);
}

struct lc_engine *
lc_engine_create(const struct lc_capture_conf *conf, const struct lc_lcore_plan *plan,
		FILE *plan_out, struct lc_error *err)
{
	static const struct rte_mbuf_dynfield ts_desc = {
			.name = "linecap_ts_ns",
			.size = sizeof(uint64_t),
			.align = __alignof__(uint64_t),
	};
	struct lc_engine *e = calloc(1, sizeof(*e));
	unsigned int p;

	if (e == NULL) {
		lc_error_set(err, LC_ERR_RUNTIME, "out of memory");
		return NULL;
	}
	e->conf = *conf;
	e->format = lc_format_by_name(conf->format);
	if (e->format == NULL) {
		lc_error_set(err, LC_ERR_USAGE, "-F '%s': expected pcap or pcapng", conf->format);
		goto fail;
	}
	e->shared.count_limit = conf->count;
	e->linktype = LC_DLT_EN10MB;
	e->nb_writers = conf->nb_queues;
	if (e->nb_writers > 1 && strcmp(conf->output, "-") == 0) {
		lc_error_set(err, LC_ERR_USAGE,
				"-w - writes one stream, but --queues %u needs one file per "
				"writer: use -w NAME-%%q.pcap",
				conf->nb_queues);
		goto fail;
	}
	if (e->nb_writers > 1 && strstr(conf->output, "%q") == NULL) {
		lc_error_set(err, LC_ERR_USAGE,
				"--queues %u makes %u writers: put %%q in the -w name for one file "
				"per writer, e.g. cap-%%q.pcap",
				conf->nb_queues, conf->nb_queues);
		goto fail;
	}

	if (conf->source == LC_SOURCE_PCAP) {
		if (conf->forward[0] != '\0') {
			lc_error_set(err, LC_ERR_USAGE,
					"--forward needs the DPDK path; the libpcap path (kernel "
					"interface -i, --source pcap) does not forward");
			goto fail;
		}
		if (lc_pcap_engine_build(e, plan_out, err) < 0)
			goto fail;
		return e;
	}
	if (plan == NULL) {
		lc_error_set(err, LC_ERR_LCORES, "no lcore plan: lc_eal_setup makes it");
		goto fail;
	}
	e->plan = *plan;
	e->shared.ts_offset = rte_mbuf_dynfield_register(&ts_desc);
	if (e->shared.ts_offset < 0) {
		lc_error_set(err, LC_ERR_RUNTIME, "cannot register the mbuf timestamp field: %s",
				rte_strerror(rte_errno));
		goto fail;
	}
	lc_clock_anchor_tsc(&e->tsc_clock);
	lc_sym_hash_init(&e->hash);

	for (p = 0; p < conf->nb_ports; p++) {
		struct lc_port *port = &e->ports[p];
		unsigned int k;

		if (lc_port_probe(conf->ports[p].devargs, port, err) < 0)
			goto fail;
		e->nb_ports++;
		for (k = 0; k < p; k++)
			if (e->ports[k].port_id == port->port_id) {
				lc_error_set(err, LC_ERR_USAGE,
						"device '%s' is given twice with -i", port->name);
				goto fail;
			}
		if (lc_pmd_profile_load(conf->pmd_config, port->driver, lc_pmd_profile_dir(),
				    &port->prof, err) < 0)
			goto fail;
		/* --forward: the forward port's tx rings may hold this pool's mbufs. */
		if (conf->forward[0] != '\0')
			port->extra_mbufs = (uint32_t)e->nb_writers * LC_TX_PORT_DESC;
		port->mtu_req = conf->mtu;
		port->snaplen = conf->snaplen;
		if (lc_port_configure(port, (uint16_t)e->nb_writers, e->plan.nb_cpus, &e->tsc_clock,
				    err) < 0)
			goto fail;
	}
	if (lc_engine_build_tasks(e, err) < 0 || forward_setup(e, err) < 0 ||
			lc_engine_setup_filters(e, err) < 0 || place_tasks(e, err) < 0)
		goto fail;
	if (lc_telemetry_register(e) < 0) {
		lc_error_set(err, LC_ERR_RUNTIME,
				"cannot register telemetry command /linecap/stats");
		goto fail;
	}
	lc_eal_release_log(false);
	if (plan_out != NULL)
		print_plan(e, plan_out);
	return e;
fail:
	lc_engine_destroy(e);
	return NULL;
}

int
lc_engine_chown_outputs(struct lc_engine *e, uid_t uid, gid_t gid, struct lc_error *err)
{
	unsigned int i;

	for (i = 0; i < e->nb_writers; i++) {
		const struct lc_medium *m = &e->writers[i].files[0].medium;

		/* stdout belongs to whoever opened it: leave it alone. */
		if (!m->seekable)
			continue;
		if (fchown(m->fd, uid, gid) != 0)
			return lc_error_set(err, LC_ERR_OUTPUT, "%s: chown to %u:%u: %s", m->path,
					(unsigned int)uid, (unsigned int)gid, strerror(errno));
	}
	/* With -C/-G the writers' files are opened ahead by the rotation thread. */
	return lc_rotate_chown(e, uid, gid, err);
}
