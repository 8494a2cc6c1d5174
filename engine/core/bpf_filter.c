/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Control plane: tcpdump filter expressions. libpcap compiles the
 * expression to classic BPF for the capture's link type; on the DPDK path
 * rte_bpf converts that to eBPF, loads it once per rx task and JIT-compiles
 * it, so each rx lcore runs its own copy of the machine code.
 */
#include <string.h>

#include <pcap/pcap.h>
#include <rte_bpf.h>
#include <rte_errno.h>
#include <rte_malloc.h>

#include "core/bpf_filter.h"

int
lc_filter_compile(const char *expr, int linktype, uint32_t snaplen, struct bpf_program *prog,
		struct lc_error *err)
{
	pcap_t *dead = pcap_open_dead(linktype, (int)snaplen);

	if (dead == NULL)
		return lc_error_set(err, LC_ERR_RUNTIME, "out of memory compiling the filter");
	/* tcpdump compiles with optimisation on and no netmask. */
	if (pcap_compile(dead, prog, expr, 1, PCAP_NETMASK_UNKNOWN) < 0) {
		/* libpcap's own words, as tcpdump prints them. */
		lc_error_set(err, LC_ERR_USAGE, "%s", pcap_geterr(dead));
		pcap_close(dead);
		return -1;
	}
	pcap_close(dead);
	return 0;
}

int
lc_filter_load(const struct bpf_program *prog, struct lc_rx_filter *f, struct lc_error *err)
{
	struct rte_bpf_prm *prm = rte_bpf_convert(prog);
	struct rte_bpf_jit jit = {0};

	if (prm == NULL)
		return lc_error_set(err, LC_ERR_USAGE,
				"the filter needs BPF extensions rte_bpf cannot convert: %s",
				rte_strerror(rte_errno));
	/* rte_bpf_load copies the instructions: prm can go right after. */
	f->bpf = rte_bpf_load(prm);
	rte_free(prm);
	if (f->bpf == NULL)
		return lc_error_set(err, LC_ERR_RUNTIME, "rte_bpf_load: %s",
				rte_strerror(rte_errno));
	f->jit = NULL;
	if (rte_bpf_get_jit(f->bpf, &jit) == 0 && jit.func != NULL)
		f->jit = jit.func;
	return 0;
}

void
lc_filter_unload(struct lc_rx_filter *f)
{
	if (f->bpf != NULL)
		rte_bpf_destroy(f->bpf);
	f->bpf = NULL;
	f->jit = NULL;
}
