/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Fuzz target: the command line. The input is split at NUL and newline bytes
 * into argv[1..], after "capture" or "list"; lc_cli_parse_* (and, for an
 * accepted capture, lc_cli_check_capture) must either accept it, ask for the
 * usage (--help: no exit), or fail with a message, and never touch memory it
 * does not own.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <pcap/pcap.h>

#include "cli/args.h"
#include "core/bpf_filter.h"

#define FUZZ_MAX_ARGS 64

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct lc_cli cli; /* large: keep it off the stack */
	char *argv[FUZZ_MAX_ARGS + 2];
	struct lc_error err;
	char *copy, *p;
	int argc = 1, ret;
	size_t i, start = 0;

	if (size == 0 || size > 4096)
		return 0;
	copy = malloc(size + 1);
	if (copy == NULL)
		abort();
	memcpy(copy, data + 1, size - 1);
	copy[size - 1] = '\0';
	/* The first byte picks the subcommand. */
	argv[0] = (data[0] & 1) ? "list" : "capture";
	for (i = 0; i < size && argc <= FUZZ_MAX_ARGS; i++) {
		if (i == size - 1 || copy[i] == '\0' || copy[i] == '\n') {
			copy[i] = '\0';
			p = copy + start;
			argv[argc++] = p;
			start = i + 1;
		}
	}
	argv[argc] = NULL;
	memset(&err, 0, sizeof(err));
	if (data[0] & 1)
		ret = lc_cli_parse_list(argc, argv, &cli, &err);
	else
		ret = lc_cli_parse_capture(argc, argv, &cli, &err);
	if (ret == LC_CLI_RUN && !(data[0] & 1))
		ret = lc_cli_check_capture(&cli, &err);
	if (ret < 0 && (err.msg[0] == '\0' || err.kind == 0))
		abort(); /* a rejection must say why, with an exit code */
	if (ret != LC_CLI_RUN && ret != LC_CLI_HELP && ret != -1)
		abort(); /* nothing else is a parse result */
	/* The filter (-f or trailing words) goes through pcap_compile as capture does. */
	if (ret == LC_CLI_RUN && cli.conf.filter_expr[0] != '\0') {
		struct bpf_program prog;

		memset(&err, 0, sizeof(err));
		if (lc_filter_compile(cli.conf.filter_expr, 1 /* DLT_EN10MB */, cli.conf.snaplen,
				    &prog, &err) == 0)
			pcap_freecode(&prog);
		else if (err.msg[0] == '\0' || err.kind != LC_ERR_USAGE)
			abort(); /* a bad filter is a usage error with libpcap's words */
	}
	free(copy);
	return 0;
}
