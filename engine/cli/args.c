/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * `linecap capture` and `linecap list` options: one table each (cli/opts.h).
 * Every value is checked here, before the EAL starts; nothing here prints,
 * exits or touches a file.
 */
#include <errno.h>
#include <float.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "cli/args.h"

/* Destination of an entry: a field of struct lc_cli. */
#define CLI(f) .off = offsetof(struct lc_cli, f), .size = sizeof(((struct lc_cli *)0)->f)
#define OPT(s, l, t) .short_name = (s), .long_name = (l), .type = (t)

/* One -i DEV. */
static int
opt_port(const struct lc_opt *o, void *base, const char *dev, struct lc_error *err)
{
	struct lc_capture_conf *c = lc_opt_field(o, base);

	if (c->nb_ports >= LC_MAX_PORTS)
		return lc_error_set(err, LC_ERR_USAGE, "-i: at most %d devices", LC_MAX_PORTS);
	if (dev[0] == '\0' || strlen(dev) >= sizeof(c->ports[0].devargs))
		return lc_error_set(err, LC_ERR_USAGE, "-i '%s': bad device", dev);
	memcpy(c->ports[c->nb_ports++].devargs, dev, strlen(dev) + 1);
	return 0;
}

/* --max-disk SIZE: bytes, or a number with k, M, G or T (10^3 .. 10^12, as -C's MB). */
static int
opt_disk_size(const struct lc_opt *o, void *base, const char *val, struct lc_error *err)
{
	static const char units[] = "kMGT";
	uint64_t *field = lc_opt_field(o, base);
	const char *u;
	double n, mult = 1;
	char *end, label[64];

	errno = 0;
	n = strtod(val, &end);
	if (end != val && *end != '\0' && end[1] == '\0' && (u = strchr(units, *end)) != NULL) {
		for (; u >= units; u--)
			mult *= 1000;
		end++;
	}
	if (errno != 0 || end == val || *end != '\0' || !(n > 0) || n * mult > 1e18 || n * mult < 1)
		return lc_error_set(err, LC_ERR_USAGE,
				"%s '%s': expected a size in bytes > 0, with an optional "
				"k, M, G or T suffix",
				lc_opt_label(o, label, sizeof(label)), val);
	*field = (uint64_t)(n * mult);
	return 0;
}

/* --compress zstd[:LEVEL] */
static int
opt_compress(const struct lc_opt *o, void *base, const char *val, struct lc_error *err)
{
	struct lc_capture_conf *c = lc_opt_field(o, base);
	const char *lv = strncmp(val, "zstd", 4) == 0 ? val + 4 : NULL;
	long level = LC_ZSTD_LEVEL_DEFAULT;
	char *end = NULL;

	if (lv != NULL && *lv == ':') {
		errno = 0;
		level = strtol(lv + 1, &end, 10);
		if (errno != 0 || end == lv + 1 || *end != '\0')
			lv = NULL;
	} else if (lv != NULL && *lv != '\0') {
		lv = NULL;
	}
	if (lv == NULL || level < LC_ZSTD_LEVEL_MIN || level > LC_ZSTD_LEVEL_MAX)
		return lc_error_set(err, LC_ERR_USAGE,
				"--compress '%s': expected zstd or zstd:LEVEL with LEVEL %d..%d",
				val, LC_ZSTD_LEVEL_MIN, LC_ZSTD_LEVEL_MAX);
	c->compress = LC_COMPRESS_ZSTD;
	c->compress_level = (int)level;
	return 0;
}

/* --file-mode OCTAL */
static int
opt_file_mode(const struct lc_opt *o, void *base, const char *val, struct lc_error *err)
{
	mode_t *mode = lc_opt_field(o, base);
	unsigned long m;
	char *end;

	errno = 0;
	m = strtoul(val, &end, 8);
	if (errno != 0 || *end != '\0' || end == val || val[0] == '-' || m > 0777)
		return lc_error_set(err, LC_ERR_USAGE,
				"--file-mode '%s': expected octal permissions such as 0600 or 0644",
				val);
	*mode = (mode_t)m;
	return 0;
}

/* -Z UID[:GID] */
static int
opt_privs(const struct lc_opt *o, void *base, const char *val, struct lc_error *err)
{
	return lc_privs_parse(val, lc_opt_field(o, base), err);
}

/* -f EXPR: once. */
static int
opt_filter(const struct lc_opt *o, void *base, const char *val, struct lc_error *err)
{
	char *expr = lc_opt_field(o, base);

	if (expr[0] != '\0')
		return lc_error_set(err, LC_ERR_USAGE, "-f: a filter is given twice");
	if (strlen(val) >= o->size)
		return lc_error_set(err, LC_ERR_USAGE, "-f: expression too long");
	memcpy(expr, val, strlen(val) + 1);
	return 0;
}

/* --forward IFACE: once. */
static int
opt_forward(const struct lc_opt *o, void *base, const char *val, struct lc_error *err)
{
	char *dev = lc_opt_field(o, base);

	if (dev[0] != '\0')
		return lc_error_set(err, LC_ERR_USAGE, "--forward: given twice");
	if (val[0] == '\0' || strlen(val) >= o->size)
		return lc_error_set(err, LC_ERR_USAGE, "--forward '%s': bad device", val);
	memcpy(dev, val, strlen(val) + 1);
	return 0;
}

static const struct lc_opt_name tstamp_names[] = {
		{"nano", LC_TSTAMP_NANO},
		{"micro", LC_TSTAMP_MICRO},
		{NULL, 0},
};
static const struct lc_opt_name disk_full_names[] = {{"drop", 0}, {"stop", 1}, {NULL, 0}};
static const struct lc_opt_name format_names[] = {{"pcap", 0}, {"pcapng", 0}, {NULL, 0}};
static const struct lc_opt_name source_names[] = {
		{"dpdk", LC_SOURCE_DPDK},
		{"pcap", LC_SOURCE_PCAP},
		{NULL, 0},
};

static const struct lc_opt capture_opts[] = {
		{OPT('i', "interface", LC_OPT_FUNC), CLI(conf), .fn = opt_port},
		{OPT('w', "write", LC_OPT_STR), CLI(conf.output), .bad = "bad file name"},
		/* tcpdump: -s 0 means the default (lc_cli_parse_capture) */
		{OPT('s', "snapshot-length", LC_OPT_UINT), CLI(conf.snaplen), .min = 0,
				.max = LC_DEFAULT_SNAPLEN},
		{OPT('c', "count", LC_OPT_UINT), CLI(conf.count), .min = 1, .max = UINT64_MAX / 2},
		{OPT(0, "duration", LC_OPT_NUM), CLI(conf.duration), .fmin = DBL_TRUE_MIN,
				.fmax = 1e9, .bad = "a number of seconds > 0"},
		{OPT(0, "queues", LC_OPT_UINT), CLI(conf.nb_queues), .min = 1,
				.max = LC_MAX_QUEUES},
		{OPT(0, "lcores", LC_OPT_STR), CLI(conf.lcores), .bad = "bad value"},
		{OPT(0, "pmd-config", LC_OPT_STR), CLI(conf.pmd_config), .bad = "bad value"},
		{OPT(0, "eal", LC_OPT_STR), CLI(conf.eal_args), .bad = "too long",
				.empty_ok = true},
		{OPT(0, "tstamp-precision", LC_OPT_ENUM), CLI(conf.tstamp_precision),
				.names = tstamp_names},
		{OPT(0, "stats-json", LC_OPT_STR), CLI(conf.stats_json), .bad = "bad file name"},
		{OPT(0, "no-direct-io", LC_OPT_FLAG), CLI(conf.direct_io), .min = false},
		{OPT(0, "file-mode", LC_OPT_FUNC), CLI(file_mode), .fn = opt_file_mode},
		{OPT(0, "on-disk-full", LC_OPT_ENUM), CLI(conf.stop_on_disk_full),
				.names = disk_full_names},
		{OPT(0, "flush-ms", LC_OPT_UINT), CLI(conf.flush_ms), .min = 0, .max = 60000},
		{OPT(0, "mtu", LC_OPT_UINT), CLI(conf.mtu), .min = 68, .max = UINT16_MAX},
		{OPT('q', "quiet", LC_OPT_FLAG), CLI(conf.quiet), .min = true},
		{OPT('v', "verbose", LC_OPT_FLAG), CLI(verbose), .min = true},
		{OPT('Z', NULL, LC_OPT_FUNC), CLI(privs), .fn = opt_privs},
		{OPT(0, "help", LC_OPT_HELP)},
		/* output format and rotation */
		{OPT('F', "format", LC_OPT_CHOICE), CLI(conf.format), .names = format_names},
		/* tcpdump: millions of bytes; a fraction is allowed here. */
		{OPT('C', "file-size", LC_OPT_SIZE), CLI(conf.rotate_bytes), .fmax = 1e12,
				.unit = 1e6, .bad = "a file size in MB (1,000,000 bytes) > 0"},
		{OPT('G', "rotate-seconds", LC_OPT_UINT), CLI(conf.rotate_secs), .min = 1,
				.max = UINT64_C(3153600000)},
		{OPT('W', "file-count", LC_OPT_UINT), CLI(conf.rotate_files), .min = 1,
				.max = 1000000},
		{OPT('z', "post-rotate", LC_OPT_STR), CLI(conf.post_rotate), .bad = "bad command"},
		{OPT(0, "max-disk", LC_OPT_FUNC), CLI(conf.max_disk), .fn = opt_disk_size},
		{OPT(0, "min-free", LC_OPT_NUM), CLI(conf.min_free), .fmin = DBL_TRUE_MIN,
				.fmax = 99, .bad = "a percentage > 0 and <= 99"},
		{OPT(0, "index", LC_OPT_FLAG), CLI(conf.index), .min = true},
		{OPT(0, "compress", LC_OPT_FUNC), CLI(conf), .fn = opt_compress},
		/* rx side */
		{OPT('f', "filter", LC_OPT_FUNC), CLI(conf.filter_expr), .fn = opt_filter},
		/* tcpdump: -B is in KiB; libpcap takes bytes (int). */
		{OPT('B', "buffer-size", LC_OPT_UINT), CLI(conf.buffer_kib), .min = 1,
				.max = INT32_MAX / 1024},
		{OPT(0, "source", LC_OPT_ENUM), CLI(conf.source), .names = source_names},
		{OPT(0, "forward", LC_OPT_FUNC), CLI(conf.forward), .fn = opt_forward},
		{OPT(0, "metrics", LC_OPT_STR), CLI(metrics), .bad = "expected ADDR:PORT"},
		/* --upload (engine/upload/) */
		{OPT(0, "upload", LC_OPT_STR), CLI(upload.url),
				.bad = "expected s3://BUCKET/PREFIX"},
		{OPT(0, "s3-endpoint", LC_OPT_STR), CLI(upload.endpoint), .bad = "expected a URL"},
		{OPT(0, "s3-credentials", LC_OPT_STR), CLI(upload.creds_file),
				.bad = "bad file name"},
		{OPT(0, "s3-part-size", LC_OPT_UINT), CLI(upload.part_mb), .min = 5, .max = 5120},
		{OPT(0, "node", LC_OPT_STR), CLI(upload.node), .bad = "bad node name"},
		{OPT(0, "keep-local", LC_OPT_FUNC), CLI(upload.keep_local), .fn = opt_disk_size},
		{OPT(0, "upload-drain", LC_OPT_NUM), CLI(upload.drain_s), .fmin = 0, .fmax = 86400,
				.bad = "a number of seconds >= 0"},
};

static const struct lc_opt_cmd capture_cmd = LC_OPT_CMD(capture_opts, "", " (see --help)");

static const struct lc_opt list_opts[] = {
		{OPT('i', "interface", LC_OPT_FUNC), CLI(conf), .fn = opt_port},
		{OPT(0, "eal", LC_OPT_STR), CLI(conf.eal_args), .bad = "too long",
				.empty_ok = true},
		{OPT('v', "verbose", LC_OPT_FLAG), CLI(verbose), .min = true},
		{OPT(0, "help", LC_OPT_HELP)},
};

static const struct lc_opt_cmd list_cmd = LC_OPT_CMD(list_opts, "list: ", "");

/* tcpdump: the words after the options, joined by spaces, are the filter. */
static int
filter_from_words(struct lc_capture_conf *c, char **words, int n, struct lc_error *err)
{
	size_t o = 0;
	int i;

	if (c->filter_expr[0] != '\0')
		return lc_error_set(err, LC_ERR_USAGE,
				"unexpected argument '%s': the filter is already given with -f",
				words[0]);
	for (i = 0; i < n; i++) {
		int k = snprintf(c->filter_expr + o, sizeof(c->filter_expr) - o, "%s%s",
				i ? " " : "", words[i]);

		if (k < 0 || (size_t)k >= sizeof(c->filter_expr) - o)
			return lc_error_set(err, LC_ERR_USAGE, "filter expression too long");
		o += (size_t)k;
	}
	return 0;
}

static void
cli_defaults(struct lc_cli *cli)
{
	memset(cli, 0, sizeof(*cli));
	lc_capture_conf_init(&cli->conf);
	cli->file_mode = 0600;
	cli->upload.part_mb = 16;
	cli->upload.drain_s = 60;
}

int
lc_cli_parse_capture(int argc, char **argv, struct lc_cli *cli, struct lc_error *err)
{
	struct lc_capture_conf *c = &cli->conf;
	int ret, words;

	cli_defaults(cli);
	ret = lc_opts_parse(&capture_cmd, argc, argv, cli, &words, err);
	if (ret != LC_CLI_RUN)
		return ret;
	if (words < argc && filter_from_words(c, argv + words, argc - words, err) < 0)
		return -1;
	if (c->snaplen == 0)
		c->snaplen = LC_DEFAULT_SNAPLEN;
	if (c->nb_ports == 0)
		return lc_error_set(err, LC_ERR_USAGE,
				"no device: give one with -i (see 'linecap list')");
	if (c->output[0] == '\0')
		return lc_error_set(err, LC_ERR_USAGE,
				"no output: give -w FILE, or -w - to write pcap to stdout");
	return LC_CLI_RUN;
}

int
lc_cli_parse_list(int argc, char **argv, struct lc_cli *cli, struct lc_error *err)
{
	int ret, words;

	cli_defaults(cli);
	ret = lc_opts_parse(&list_cmd, argc, argv, cli, &words, err);
	if (ret != LC_CLI_RUN)
		return ret;
	if (words < argc)
		return lc_error_set(
				err, LC_ERR_USAGE, "list: unexpected argument '%s'", argv[words]);
	return LC_CLI_RUN;
}
