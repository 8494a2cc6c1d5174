/* SPDX-License-Identifier: BSD-3-Clause */
/* `linecap index [--unit-kib N] [--bloom-bytes N] FILE...`: (re)build sidecar indexes. */
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "cli/commands.h"
#include "cli/opts.h"
#include "cli/supervise.h"
#include "index/index.h"

struct index_cli {
	uint32_t unit_kib;
	uint32_t bloom_bytes;
	bool quiet;
};

#define IC(f) .off = offsetof(struct index_cli, f), .size = sizeof(((struct index_cli *)0)->f)
#define OPT(s, l, t) .short_name = (s), .long_name = (l), .type = (t)

static const struct lc_opt index_opts[] = {
		{OPT(0, "unit-kib", LC_OPT_UINT), IC(unit_kib), .min = 4, .max = 1u << 20},
		{OPT(0, "bloom-bytes", LC_OPT_UINT), IC(bloom_bytes), .min = LC_IDX_BLOOM_MIN,
				.max = LC_IDX_BLOOM_MAX},
		{OPT('q', "quiet", LC_OPT_FLAG), IC(quiet), .min = true},
		{OPT(0, "help", LC_OPT_HELP)},
};

static const struct lc_opt_cmd index_cmd = LC_OPT_CMD(index_opts, "index: ", " (see index --help)");

int
lc_cmd_index(int argc, char **argv)
{
	struct index_cli ic = {.unit_kib = 0, /* by default: 512 KiB or 3276 packets */
			.bloom_bytes = 0}; /* by the file: 4096, more for a .zst's larger frames */
	struct lc_error err = {0};
	struct lc_idx_opts o;
	int ret, words, i;

	ret = lc_opts_parse(&index_cmd, argc, argv, &ic, &words, &err);
	if (ret == LC_CLI_HELP) {
		lc_cli_index_usage(stdout);
		return 0;
	}
	if (ret < 0)
		return lc_cli_fail(&err);
	if ((ic.bloom_bytes & (ic.bloom_bytes - 1)) != 0) {
		lc_error_set(&err, LC_ERR_USAGE, "--bloom-bytes: %" PRIu32 " is not a power of two",
				ic.bloom_bytes);
		return lc_cli_fail(&err);
	}
	if (words >= argc) {
		lc_error_set(&err, LC_ERR_USAGE, "index: no file: give FILE...");
		return lc_cli_fail(&err);
	}
	/* --unit-kib given: units of that many bytes, whatever their packets. */
	o.unit_bytes = ic.unit_kib != 0 ? ic.unit_kib * 1024u : LC_IDX_DEFAULT_UNIT;
	o.unit_packets = ic.unit_kib != 0 ? 0 : LC_IDX_UNIT_PACKETS;
	o.bloom_bytes = ic.bloom_bytes;
	o.k = LC_IDX_DEFAULT_K;
	ret = 0;
	for (i = words; i < argc; i++) {
		struct lc_idx_stats st;

		memset(&err, 0, sizeof(err));
		if (lc_idx_build(argv[i], &o, &st, &err) < 0) {
			ret = lc_cli_fail(&err);
			continue;
		}
		if (!ic.quiet)
			printf("%s: %" PRIu32 " units, %" PRIu64 " packets, index %" PRIu64
			       " bytes (%.3f%% of %" PRIu64 ")%s%s\n",
					argv[i], st.units, st.packets, st.index_size,
					st.file_size ? 100.0 * (double)st.index_size /
									(double)st.file_size
						     : 0.0,
					st.file_size,
					(st.flags & LC_IDX_SEEKABLE) ? "" : ", not seekable",
					st.opaque_units ? ", link type not summarised" : "");
	}
	return ret;
}
