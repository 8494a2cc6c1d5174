/* SPDX-License-Identifier: BSD-3-Clause */
/* Control plane: build the engine, launch the workers, join, tear down. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <pcap/pcap.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_mbuf_dyn.h>
#include <rte_ring.h>

#include <sys/utsname.h>

#include "core/bpf_filter.h"
#include "core/engine_priv.h"
#include "core/pcap_engine.h"
#include "core/rotate.h"
#include "lc_build_config.h"
#include "datapath/tstamp.h"

/* Bytes per medium write while O_DIRECT; see docs/benchmarks.md. */
#define LC_BLOCK_SIZE (1u << 20)

static struct lc_cpu_pick cpu_pick;

void
lc_plan_set_pick(const struct lc_cpu_pick *pick)
{
	cpu_pick = *pick;
}

const struct lc_cpu_pick *
lc_plan_get_pick(void)
{
	return &cpu_pick;
}

/*
 * Expand %q (writer index) in the -w pattern; "%%" is a literal '%', kept as
 * "%%" when strftime runs on the name later (-G).
 */
static int
output_path(const char *pattern, unsigned int writer, bool keep_percent, char *out, size_t len,
		struct lc_error *err)
{
	size_t o = 0;
	const char *p;

	for (p = pattern; *p != '\0'; p++) {
		int n;

		if (p[0] == '%' && p[1] == 'q') {
			n = snprintf(out + o, len - o, "%u", writer);
			p++;
		} else if (p[0] == '%' && p[1] == '%') {
			n = snprintf(out + o, len - o, keep_percent ? "%%%%" : "%%");
			p++;
		} else {
			n = snprintf(out + o, len - o, "%c", *p);
		}
		if (n < 0 || (size_t)n >= len - o)
			return lc_error_set(err, LC_ERR_USAGE, "-w: file name too long");
		o += (size_t)n;
	}
	return 0;
}

int
lc_writer_open(struct lc_engine *e, struct lc_writer_task *w, struct lc_error *err)
{
	const struct lc_capture_conf *c = &e->conf;
	struct lc_medium *m = &w->files[0].medium; /* no rotation: one file, slot 0 */
	bool rotating = lc_rotate_enabled(e);

	w->snaplen = c->snaplen;
	w->nanosecond = c->tstamp_precision == LC_TSTAMP_NANO;
	w->clock = e->tsc_clock;
	w->tsc_hz = lc_tsc_hz();
	w->stop_on_disk_full = c->stop_on_disk_full;
	w->flush_ms = c->flush_ms;
	if (output_path(c->output, w->id, rotating && c->rotate_secs != 0, e->writer_path[w->id],
			    PATH_MAX, err) < 0)
		return -1;
	/* With rotation, core/rotate.c opens the files (lc_rotate_setup). */
	if (rotating)
		return 0;
	if (lc_medium_fd_ops.open(m, e->writer_path[w->id], c->direct_io, err) < 0)
		return -1;
	w->o_direct = m->direct;
	return 0;
}

/* "Linux 6.1.0-18-amd64", for pcapng's shb_os. */
static void
host_os(char *buf, size_t len)
{
	struct utsname u;

	if (uname(&u) == 0)
		snprintf(buf, len, "%s %s", u.sysname, u.release);
	else
		snprintf(buf, len, "Linux");
}

/* The CPU model, for pcapng's shb_hardware. */
static void
host_cpu(char *buf, size_t len)
{
	char line[512];
	FILE *f = fopen("/proc/cpuinfo", "r");

	buf[0] = '\0';
	if (f == NULL)
		return;
	while (fgets(line, sizeof(line), f) != NULL) {
		char *colon = strchr(line, ':');

		if (strncmp(line, "model name", 10) != 0 || colon == NULL)
			continue;
		colon += 1 + strspn(colon + 1, " \t");
		colon[strcspn(colon, "\n")] = '\0';
		snprintf(buf, len, "%s", colon);
		break;
	}
	fclose(f);
}

/*
 * The file header, once the rings are known: pcapng has one interface per
 * ring of this writer (EPB interface id = ring index).
 */
int
lc_writer_header(struct lc_engine *e, struct lc_writer_task *w, struct lc_error *err)
{
	static char os[256], cpu[256];
	struct if_text {
		char name[RTE_DEV_NAME_MAX_LEN + 16];
		char desc[sizeof(e->conf.ports[0].devargs) + 128];
	} *text = calloc((size_t)LC_WRITER_MAX_RINGS, sizeof(*text));
	struct lc_format_if ifs[LC_WRITER_MAX_RINGS];
	struct lc_format_info fi = {
			.snaplen = e->conf.snaplen,
			.linktype = e->linktype,
			.nanosecond = w->nanosecond,
			.filter = e->conf.filter_expr,
			.os = os,
			.hardware = cpu,
			.application = "linecap " LC_VERSION,
			.nb_ifs = w->nb_rings,
			.ifs = ifs,
	};
	size_t room = LC_BLOCK_SIZE / 2, len;
	uint8_t *header;
	uint16_t r;
	int ret;

	if (text == NULL)
		return lc_error_set(err, LC_ERR_RUNTIME, "out of memory for the file header");
	if (os[0] == '\0') {
		host_os(os, sizeof(os));
		host_cpu(cpu, sizeof(cpu));
	}
	for (r = 0; r < w->nb_rings; r++) {
		const struct lc_rx_task *t = w->producers[r];
		unsigned int p;

		for (p = 0; p < e->nb_ports && e->ports[p].port_id != t->port_id; p++)
			;
		if (p == e->nb_ports) {
			free(text);
			return lc_error_set(err, LC_ERR_RUNTIME, "writer %u: ring %u has no port",
					w->id, r);
		}
		if (e->ports[p].nb_rxq > 1)
			snprintf(text[r].name, sizeof(text[r].name), "%s/q%u", e->ports[p].name,
					t->queue_id);
		else
			snprintf(text[r].name, sizeof(text[r].name), "%s", e->ports[p].name);
		snprintf(text[r].desc, sizeof(text[r].desc), "%s (%s, port %u, queue %u)",
				e->conf.ports[p].devargs, e->ports[p].driver, t->port_id,
				t->queue_id);
		ifs[r].name = text[r].name;
		ifs[r].description = text[r].desc;
	}
	header = malloc(room);
	len = header == NULL ? 0 : e->format->file_header(header, room, &fi);
	ret = header == NULL ? -ENOMEM
	      : len == 0     ? -EINVAL
			     : lc_writer_init(w, LC_BLOCK_SIZE, e->format, header, len);
	free(header);
	free(text);
	if (ret == -EINVAL)
		return lc_error_set(err, LC_ERR_USAGE,
				"the %s file header does not fit in %zu bytes", e->format->name,
				room);
	if (ret < 0)
		return lc_error_set(err, LC_ERR_RUNTIME, "out of memory for the write buffers");
	return 0;
}

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

static int
build_tasks(struct lc_engine *e, struct lc_error *err)
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
static int
setup_filters(struct lc_engine *e, struct lc_error *err)
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

/*
 * Place tasks on worker lcores. Enough lcores: every task gets its own
 * (pipeline). Too few: rx task i and writer i share lcore i % L
 * (run-to-completion), which keeps a queue and its writer together.
 */
static int
place_tasks(struct lc_engine *e, struct lc_error *err)
{
	const struct lc_cpu_pick *pick = lc_plan_get_pick();
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
	const struct lc_cpu_pick *pick = lc_plan_get_pick();
	unsigned int i, j, p;

	for (p = 0; p < e->nb_ports; p++) {
		const struct lc_port *port = &e->ports[p];

		fprintf(f,
				"port %u %s (%s): profile %s, %u rx queue%s x %u desc, %s, %u "
				"mbufs, %s timestamps\n",
				port->port_id, port->name, port->driver, port->prof.name,
				port->nb_rxq, port->nb_rxq > 1 ? "s" : "", port->prof.rx_desc,
				e->nb_writers == 1 ? "1 writer"
				: port->sw_spread  ? "software symmetric RSS"
						   : "hardware symmetric RSS",
				port->pool_size, port->hw_ts ? "NIC" : "TSC");
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
	if (e->fwd.on)
		fprintf(f,
				"forward: %s (%s), %u tx queue%s, one per rx queue; packets the "
				"filter accepts are sent by reference\n",
				e->fwd.devargs, e->fwd.port.driver, e->fwd.nb_txq,
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
lc_engine_create(const struct lc_capture_conf *conf, FILE *plan_out, struct lc_error *err)
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
		if (lc_port_configure(port, (uint16_t)e->nb_writers, lc_plan_get_pick()->nb_cpus,
				    &e->tsc_clock, err) < 0)
			goto fail;
	}
	if (build_tasks(e, err) < 0 || lc_forward_setup(e, err) < 0 || setup_filters(e, err) < 0 ||
			place_tasks(e, err) < 0)
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

int
lc_engine_start(struct lc_engine *e, struct lc_error *err)
{
	unsigned int i;

	e->start_ns = lc_mono_ns();
	for (i = 0; i < e->nb_writers; i++)
		e->writers[i].start_ns = lc_clock_ns(&e->tsc_clock, rte_rdtsc());
	if (lc_rotate_start(e, err) < 0)
		return -1;
	if (e->pcap_mode)
		return lc_pcap_engine_start(e, err);
	for (i = 0; i < e->nb_workers; i++) {
		int ret = rte_eal_remote_launch(
				lc_worker_main, &e->workers[i], e->workers[i].lcore_id);

		if (ret != 0) {
			lc_engine_request_stop(e);
			rte_eal_mp_wait_lcore();
			return lc_error_set(err, LC_ERR_LCORES, "cannot launch lcore %u: %s",
					e->workers[i].lcore_id, strerror(-ret));
		}
	}
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
	e->end_ns = lc_mono_ns();
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
	lc_forward_read_stats(e);
	e->joined = true;
	return ret;
}

void
lc_engine_destroy(struct lc_engine *e)
{
	unsigned int i;

	if (e == NULL)
		return;
	lc_telemetry_unregister();
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
	lc_forward_close(e);
	for (i = 0; i < e->nb_ports && !e->pcap_mode; i++)
		lc_port_close(&e->ports[i]);
	free(e->ring_cnt);
	free(e);
}

double
lc_engine_elapsed(const struct lc_engine *e)
{
	uint64_t end = e->end_ns ? e->end_ns : lc_mono_ns();

	return e->start_ns ? (double)(end - e->start_ns) / 1e9 : 0.0;
}

void
lc_engine_refresh_ports(struct lc_engine *e)
{
	unsigned int i;

	if (e->pcap_mode)
		return; /* each capture thread reads its own pcap_stats */
	for (i = 0; i < e->nb_ports; i++)
		lc_port_read_stats(&e->ports[i]);
	lc_forward_read_stats(e);
}

void
lc_engine_totals(struct lc_engine *e, struct lc_totals *t)
{
	unsigned int i;

	memset(t, 0, sizeof(*t));
	for (i = 0; i < e->nb_rx; i++) {
		t->received += lc_counter_read(&e->rx_cnt[i].received);
		t->rx_bytes += lc_counter_read(&e->rx_cnt[i].rx_bytes);
		t->ring_full += lc_counter_read(&e->rx_cnt[i].ring_full);
		t->filtered += lc_counter_read(&e->rx_cnt[i].filtered);
		t->ps_drop += lc_counter_read(&e->rx_cnt[i].ps_drop);
		t->ps_ifdrop += lc_counter_read(&e->rx_cnt[i].ps_ifdrop);
		t->forwarded += lc_counter_read(&e->rx_cnt[i].forwarded);
		t->forward_dropped += lc_counter_read(&e->rx_cnt[i].forward_dropped);
	}
	t->forward_on = e->fwd.on;
	t->forward_oerrors = e->fwd.oerrors;
	t->filter_on = e->conf.filter_expr[0] != '\0';
	t->pcap = e->pcap_mode;
	for (i = 0; i < e->nb_rings; i++) {
		t->written += lc_counter_read(&e->ring_cnt[i].written);
		t->written_bytes += lc_counter_read(&e->ring_cnt[i].written_bytes);
		t->write_errors += lc_counter_read(&e->ring_cnt[i].write_errors);
		t->pmd_short += lc_counter_read(&e->ring_cnt[i].pmd_short);
	}
	t->imissed_known = t->ierrors_known = t->rx_nombuf_known = e->nb_ports > 0;
	for (i = 0; i < e->nb_ports; i++) {
		const struct lc_port_counters *s = &e->ports[i].stats;
		uint32_t sup = e->ports[i].prof.counters;

		t->imissed += s->imissed;
		t->ierrors += s->ierrors;
		t->rx_nombuf += s->rx_nombuf;
		t->imissed_known &= (sup & LC_CNT_IMISSED) != 0;
		t->ierrors_known &= (sup & LC_CNT_IERRORS) != 0;
		t->rx_nombuf_known &= (sup & LC_CNT_RX_NOMBUF) != 0;
	}
}
