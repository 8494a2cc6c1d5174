/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Control plane: tcpdump filter expressions. libpcap compiles the
 * expression to classic BPF for the capture's link type; on the DPDK path
 * rte_bpf converts that to eBPF, loads it once per rx task and JIT-compiles
 * it, so each rx lcore runs its own copy of the machine code.
 */
#include <stdlib.h>
#include <string.h>

#include <pcap/pcap.h>
#include <rte_bpf.h>
#include <rte_errno.h>
#include <rte_malloc.h>

#include <linecap/engine.h>
#include <linecap/sink.h>

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

/*
 * DPDK 22.11's rte_bpf_convert maps classic BPF_LD|BPF_IND ("ldb [x + k]")
 * to an eBPF indirect load indexed by R0 (classic A) instead of R7
 * (classic X): BPF_IND has no BPF_X bit, so its src_reg becomes 0. Every
 * expression that looks past a variable-length IP header (tcp[...],
 * `tcp port 80` on IPv4, ...) then reads the wrong bytes. Point those
 * loads at X; the converter's other uses of R0 are untouched.
 */
#define LC_EBPF_REG_X 7 /* bpf_convert.c: BPF_REG_X = EBPF_REG_7 */

static void
fix_indirect_loads(struct rte_bpf_prm *prm)
{
	struct ebpf_insn *ins = (struct ebpf_insn *)(uintptr_t)prm->ins;
	uint32_t i;

	for (i = 0; i < prm->nb_ins; i++)
		if (BPF_CLASS(ins[i].code) == BPF_LD && BPF_MODE(ins[i].code) == BPF_IND)
			ins[i].src_reg = LC_EBPF_REG_X;
}

/*
 * DPDK 22.11's x86 JIT encodes `test $imm, %reg` (eBPF JSET with a
 * constant) as opcode F7 /0, which takes a 32-bit immediate, but writes
 * only one byte when the constant fits in int8: the CPU then decodes the
 * next three code bytes as part of the immediate and crashes or misjudges
 * (`tcp[tcpflags] & tcp-syn != 0` segfaults). Such programs run in the
 * interpreter, which is correct.
 */
static bool
jit_miscompiles(const struct rte_bpf_prm *prm)
{
	uint32_t i;

	for (i = 0; i < prm->nb_ins; i++) {
		const struct ebpf_insn *in = &prm->ins[i];

		if (in->code == (BPF_JMP | BPF_JSET | BPF_K) && in->imm >= INT8_MIN &&
				in->imm <= INT8_MAX)
			return true;
	}
	return false;
}

int
lc_filter_check(const struct lc_capture_conf *c, struct lc_error *err)
{
	struct bpf_program prog;

	if (c->filter_expr[0] == '\0' || c->source != LC_SOURCE_DPDK)
		return 0;
	if (lc_filter_compile(c->filter_expr, LC_DLT_EN10MB, c->snaplen, &prog, err) < 0)
		return -1;
	pcap_freecode(&prog);
	return 0;
}

int
lc_filter_load(const struct bpf_program *prog, struct lc_rx_filter *f, struct lc_error *err)
{
	struct rte_bpf_prm *prm = rte_bpf_convert(prog);
	const char *jit_env = getenv("LINECAP_BPF_JIT");
	struct rte_bpf_jit jit = {0};

	if (prm == NULL)
		return lc_error_set(err, LC_ERR_USAGE,
				"the filter needs BPF extensions rte_bpf cannot convert: %s",
				rte_strerror(rte_errno));
	fix_indirect_loads(prm);
	f->no_jit_reason = NULL;
	if (jit_miscompiles(prm))
		f->no_jit_reason = "DPDK 22.11's x86 JIT miscompiles 'jset' with a small constant";
	else if (jit_env != NULL && strcmp(jit_env, "0") == 0)
		f->no_jit_reason = "LINECAP_BPF_JIT=0";
	/* rte_bpf_load copies the instructions: prm can go right after. */
	f->bpf = rte_bpf_load(prm);
	rte_free(prm);
	if (f->bpf == NULL)
		return lc_error_set(
				err, LC_ERR_RUNTIME, "rte_bpf_load: %s", rte_strerror(rte_errno));
	f->jit = NULL;
	if (rte_bpf_get_jit(f->bpf, &jit) == 0 && jit.func != NULL && f->no_jit_reason == NULL)
		f->jit = jit.func;
	else if (f->no_jit_reason == NULL)
		f->no_jit_reason = "rte_bpf has no JIT for this CPU";
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
