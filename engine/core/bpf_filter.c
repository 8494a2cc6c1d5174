/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Control plane: tcpdump filter expressions. libpcap compiles the
 * expression to classic BPF for the capture's link type; on the DPDK path
 * rte_bpf converts that to eBPF, loads it once per rx task and JIT-compiles
 * it, so each rx lcore runs its own copy of the machine code.
 */
#include <ctype.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pcap/pcap.h>
#include <rte_bpf.h>
#include <rte_errno.h>
#include <rte_malloc.h>

#include <linecap/engine.h>
#include <linecap/sink.h>

#include "core/bpf_filter.h"

/* pcap_compile on a dead handle, as tcpdump compiles: optimised, no netmask. */
static int
compile_dead(const char *expr, int linktype, uint32_t snaplen, struct bpf_program *prog, char *msg,
		size_t msg_len)
{
	pcap_t *dead = pcap_open_dead(linktype, (int)snaplen);
	int ret;

	if (dead == NULL) {
		snprintf(msg, msg_len, "out of memory compiling the filter");
		return -2;
	}
	ret = pcap_compile(dead, prog, expr, 1, PCAP_NETMASK_UNKNOWN);
	if (ret < 0)
		snprintf(msg, msg_len, "%s", pcap_geterr(dead));
	pcap_close(dead);
	return ret < 0 ? -1 : 0;
}

/*
 * Whether glibc can read a name database: 0, or the error its lookup
 * returned (ENOENT when /etc/protocols or /etc/services is missing). A name
 * that is merely absent is no error: libpcap reports those itself.
 */
static int
protocols_db_error(void)
{
	struct protoent pe, *p = NULL;
	char buf[1024];

	return getprotobyname_r("ip", &pe, buf, sizeof(buf), &p);
}

static int
services_db_error(void)
{
	struct servent se, *s = NULL;
	char buf[1024];

	return getservbyname_r("domain", "udp", &se, buf, sizeof(buf), &s);
}

static bool
same_program(const struct bpf_program *a, const struct bpf_program *b)
{
	return a->bf_len == b->bf_len &&
	       memcmp(a->bf_insns, b->bf_insns, a->bf_len * sizeof(*a->bf_insns)) == 0;
}

/*
 * The protocol database is unreadable: find a word that libpcap turned into
 * protocol 0. libpcap 1.10 maps a name whose lookup fails with an error (not
 * "not found") to 0, so `proto gre` compiles to `proto 0` without a word.
 * Each word of the expression (a letter or '\' first) is replaced in turn by
 * the number 0; a word whose replacement compiles to the very same program
 * was read as protocol 0. Keywords, host names and the like change the
 * program or its syntax when replaced. Returns the word's length, 0 if none
 * (its start in *word).
 */
static size_t
find_zero_name(const char *expr, int linktype, uint32_t snaplen, const struct bpf_program *base,
		const char **word)
{
	size_t len = strlen(expr), i = 0, n, found = 0;
	char *alt = malloc(len + 2);
	char msg[PCAP_ERRBUF_SIZE];

	if (alt == NULL)
		return 0;
	while (i < len && found == 0) {
		struct bpf_program prog;

		if (!isalpha((unsigned char)expr[i]) && expr[i] != '\\') {
			/* skip the rest of a number or other token */
			while (i < len && (isalnum((unsigned char)expr[i]) || expr[i] == '_' ||
							  expr[i] == '.' || expr[i] == '-'))
				i++;
			if (i < len && !isalpha((unsigned char)expr[i]) && expr[i] != '\\')
				i++;
			continue;
		}
		n = 1;
		while (i + n < len && (isalnum((unsigned char)expr[i + n]) || expr[i + n] == '_' ||
						      expr[i + n] == '.' || expr[i + n] == '-'))
			n++;
		memcpy(alt, expr, i);
		alt[i] = '0';
		memcpy(alt + i + 1, expr + i + n, len - i - n + 1);
		if (compile_dead(alt, linktype, snaplen, &prog, msg, sizeof(msg)) == 0) {
			if (same_program(base, &prog)) {
				*word = expr + i;
				found = n;
			}
			pcap_freecode(&prog);
		}
		i += n;
	}
	free(alt);
	return found;
}

int
lc_filter_names_check(const char *expr, int linktype, uint32_t snaplen, struct lc_error *err)
{
	struct bpf_program base;
	char msg[PCAP_ERRBUF_SIZE];
	const char *word = NULL;
	size_t n;
	int dberr, ret;

	if (expr == NULL || expr[0] == '\0')
		return 0;
	dberr = protocols_db_error();
	if (dberr == 0 && services_db_error() == 0)
		return 0; /* both readable: libpcap resolves or refuses every name itself */
	ret = compile_dead(expr, linktype, snaplen, &base, msg, sizeof(msg));
	if (ret == -2)
		return lc_error_set(err, LC_ERR_RUNTIME, "%s", msg);
	if (ret < 0) {
		/* libpcap refuses a service name it cannot look up ("unknown port"): say why */
		ret = services_db_error();
		if (ret != 0 && strstr(msg, "port") != NULL)
			return lc_error_set(err, LC_ERR_USAGE,
					"%s: /etc/services: %s; install it (Debian: netbase) "
					"or give the number",
					msg, strerror(ret));
		return 0; /* the caller's own compile reports libpcap's error */
	}
	n = dberr != 0 ? find_zero_name(expr, linktype, snaplen, &base, &word) : 0;
	pcap_freecode(&base);
	if (n > 0)
		return lc_error_set(err, LC_ERR_USAGE,
				"protocol name '%.*s' cannot be looked up: /etc/protocols: %s "
				"(libpcap would filter on protocol 0); install it "
				"(Debian: netbase) or give the number",
				(int)n, word, strerror(dberr));
	return 0;
}

int
lc_filter_compile(const char *expr, int linktype, uint32_t snaplen, struct bpf_program *prog,
		struct lc_error *err)
{
	char msg[PCAP_ERRBUF_SIZE];
	int ret;

	if (lc_filter_names_check(expr, linktype, snaplen, err) < 0)
		return -1;
	ret = compile_dead(expr, linktype, snaplen, prog, msg, sizeof(msg));
	/* libpcap's own words, as tcpdump prints them. */
	if (ret < 0)
		return lc_error_set(err, ret == -2 ? LC_ERR_RUNTIME : LC_ERR_USAGE, "%s", msg);
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

	if (c->filter_expr[0] == '\0')
		return 0;
	/* libpcap path: names only; the live handle compiles for its own link type */
	if (c->source != LC_SOURCE_DPDK)
		return lc_filter_names_check(c->filter_expr, LC_DLT_EN10MB, c->snaplen, err);
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
