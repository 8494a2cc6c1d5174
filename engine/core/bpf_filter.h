/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef LINECAP_BPF_FILTER_H
#define LINECAP_BPF_FILTER_H

#include <stdint.h>

#include <linecap/error.h>

#include "datapath/tasks.h"

struct bpf_program;

/*
 * Refuse a filter whose names did not resolve. libpcap 1.10 turns a
 * protocol name into protocol 0 when the protocol database (/etc/protocols)
 * cannot be read (`proto gre` then matches protocol 0, silently), and says
 * "unknown port" when the service database cannot be read. 0, or -1 with err
 * (LC_ERR_USAGE) naming the word, the file and the fix. Costs nothing while
 * both databases are readable; an expression libpcap refuses for another
 * reason returns 0 (the caller's compile reports it). Both paths call it:
 * lc_filter_compile (DPDK) and the libpcap engine, with its link type.
 */
int lc_filter_names_check(const char *expr, int linktype, uint32_t snaplen, struct lc_error *err);

/*
 * Compile tcpdump expression `expr` for `linktype` (DLT_*) and `snaplen`
 * with pcap_open_dead + pcap_compile, as tcpdump does (optimised), after
 * lc_filter_names_check. Returns 0, or -1 with err set to LC_ERR_USAGE and
 * libpcap's message (or the names check's). The caller
 * frees `prog` with pcap_freecode.
 */
int lc_filter_compile(const char *expr, int linktype, uint32_t snaplen, struct bpf_program *prog,
		struct lc_error *err);

/*
 * DPDK path: convert `prog` to eBPF (rte_bpf_convert), load it and
 * JIT-compile it where rte_bpf can; `f->jit` NULL means the interpreter.
 * Called once per rx task, so each lcore runs its own copy. EAL must be up.
 * 0 or -1 with err set.
 */
int lc_filter_load(const struct bpf_program *prog, struct lc_rx_filter *f, struct lc_error *err);

/* Release one loaded copy. */
void lc_filter_unload(struct lc_rx_filter *f);

#endif
