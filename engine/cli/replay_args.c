/* SPDX-License-Identifier: BSD-3-Clause */
/* `linecap replay` options: every value checked before anything starts. */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli/replay_args.h"

enum {
	OPT_SPEED = 256,
	OPT_PPS,
	OPT_MBPS,
	OPT_QUEUES,
	OPT_LCORES,
	OPT_EAL,
	OPT_STATS_JSON,
	OPT_LINK_WAIT,
	OPT_CHECK,
	OPT_LINGER,
	OPT_NO_RETRY,
	OPT_HELP,
};

static const struct option replay_opts[] = {
		{"interface", required_argument, NULL, 'i'},
		{"read", required_argument, NULL, 'r'},
		{"speed", required_argument, NULL, OPT_SPEED},
		{"multiplier", required_argument, NULL, OPT_SPEED},
		{"pps", required_argument, NULL, OPT_PPS},
		{"mbps", required_argument, NULL, OPT_MBPS},
		{"topspeed", no_argument, NULL, 't'},
		{"loop", required_argument, NULL, 'l'},
		{"preload", no_argument, NULL, 'K'},
		{"queues", required_argument, NULL, OPT_QUEUES},
		{"lcores", required_argument, NULL, OPT_LCORES},
		{"eal", required_argument, NULL, OPT_EAL},
		{"stats-json", required_argument, NULL, OPT_STATS_JSON},
		{"link-wait", required_argument, NULL, OPT_LINK_WAIT},
		{"check", no_argument, NULL, OPT_CHECK},
		{"linger", required_argument, NULL, OPT_LINGER},
		{"no-retry", no_argument, NULL, OPT_NO_RETRY},
		{"quiet", no_argument, NULL, 'q'},
		{"verbose", no_argument, NULL, 'v'},
		{"help", no_argument, NULL, OPT_HELP},
		{NULL, 0, NULL, 0},
};

void
lc_cli_replay_usage(FILE *f)
{
	fprintf(f, "Usage: linecap replay -i DEV -r FILE [timing] [options]\n"
		   "  -i DEV              DPDK device (PCI address or devargs such as\n"
		   "                      net_memif0,role=client,socket=/run/m.sock), or a\n"
		   "                      kernel interface (sent with libpcap's pcap_inject)\n"
		   "  -r FILE             pcap or pcapng file, checked completely first;\n"
		   "                      repeat -r to send several files in order\n"
		   "timing (one of; default: the file's own gaps):\n"
		   "  --speed X           the file's gaps divided by X\n"
		   "  --pps N             N packets per second\n"
		   "  --mbps N            N megabits per second of packet data\n"
		   "  -t, --topspeed      as fast as the port takes them\n"
		   "options:\n"
		   "  -l, --loop N        send the file N times (default 1; 0 = until stopped)\n"
		   "  -K, --preload       load every packet into mbufs before sending\n"
		   "  --queues N          tx queues (one tx task each; default 1)\n"
		   "  --lcores auto|LIST  lcores, first is main (default auto)\n"
		   "  --eal 'ARGS'        extra EAL arguments, e.g. '--no-huge -m 512'\n"
		   "  --link-wait SEC     wait up to SEC for the link (default 10)\n"
		   "  --linger SEC        keep the port up SEC after the last packet, so a\n"
		   "                      peer (memif) reads what is still queued (default 0.5)\n"
		   "  --no-retry          drop what the port refuses, as a NIC does (counted\n"
		   "                      as dropped); default: offer it again\n"
		   "  --stats-json FILE   write the final counters as JSON\n"
		   "  --check             only check the files (no -i needed): one line each\n"
		   "  -q                  no live status line\n"
		   "  -v                  show DPDK's own messages\n");
}

static int
parse_num(const char *opt, const char *s, double min, double max, double *out, struct lc_error *err)
{
	char *end;
	double d;

	errno = 0;
	d = strtod(s, &end);
	if (errno != 0 || end == s || *end != '\0' || !isfinite(d) || d < min || d > max)
		return lc_error_set(err, LC_ERR_USAGE, "%s '%s': expected a number from %g to %g",
				opt, s, min, max);
	*out = d;
	return 0;
}

static int
copy_arg(char *dst, size_t len, const char *opt, const char *s, struct lc_error *err)
{
	if (s[0] == '\0' || strlen(s) >= len)
		return lc_error_set(err, LC_ERR_USAGE, "%s: bad value", opt);
	snprintf(dst, len, "%s", s);
	return 0;
}

static int
set_mode(struct lc_replay_conf *c, enum lc_pace_mode m, const char *opt, struct lc_error *err)
{
	static const char *const names[] = {"--speed", "--pps", "--mbps", "--topspeed"};
	static bool given;

	if (given && c->mode != m)
		return lc_error_set(err, LC_ERR_USAGE, "%s and %s exclude each other: give one",
				names[c->mode], opt);
	given = true;
	c->mode = m;
	return 0;
}

int
lc_cli_parse_replay(int argc, char **argv, struct lc_replay_conf *c, struct lc_error *err)
{
	bool have_i = false, have_r = false;
	double v = 0;
	int opt;

	memset(c, 0, sizeof(*c));
	c->mode = LC_PACE_ORIGINAL;
	c->speed = 1.0;
	c->loops = 1;
	c->nb_txq = 1;
	c->link_wait = 10;
	c->linger = 0.5;
	snprintf(c->lcores, sizeof(c->lcores), "auto");
	optind = 1;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":i:r:tl:Kqv", replay_opts, NULL)) != -1) {
		int ret = 0;

		switch (opt) {
		case 'i':
			if (have_i)
				return lc_error_set(err, LC_ERR_USAGE,
						"replay sends on one device: "
						"give -i once");
			ret = copy_arg(c->dev, sizeof(c->dev), "-i", optarg, err);
			have_i = true;
			break;
		case 'r':
			if (optarg[0] == '\0')
				return lc_error_set(err, LC_ERR_USAGE, "-r: empty file name");
			if (c->nb_files >= LC_REPLAY_MAX_FILES)
				return lc_error_set(err, LC_ERR_USAGE, "-r: at most %d files",
						LC_REPLAY_MAX_FILES);
			c->files[c->nb_files++] = optarg;
			have_r = true;
			break;
		case OPT_SPEED:
			ret = parse_num("--speed", optarg, 1e-6, 1e9, &c->speed, err);
			if (ret == 0)
				ret = set_mode(c, LC_PACE_ORIGINAL, "--speed", err);
			break;
		case OPT_PPS:
			ret = parse_num("--pps", optarg, 1e-3, 1e10, &c->pps, err);
			if (ret == 0)
				ret = set_mode(c, LC_PACE_PPS, "--pps", err);
			break;
		case OPT_MBPS:
			ret = parse_num("--mbps", optarg, 1e-3, 1e7, &c->mbps, err);
			if (ret == 0)
				ret = set_mode(c, LC_PACE_MBPS, "--mbps", err);
			break;
		case 't':
			ret = set_mode(c, LC_PACE_TOPSPEED, "--topspeed", err);
			break;
		case 'l':
			ret = parse_num("--loop", optarg, 0, 1e15, &v, err);
			if (ret == 0 && v != floor(v))
				ret = lc_error_set(err, LC_ERR_USAGE,
						"--loop '%s': expected an "
						"integer",
						optarg);
			c->loops = (uint64_t)v;
			break;
		case 'K':
			c->preload = true;
			break;
		case OPT_QUEUES:
			ret = parse_num("--queues", optarg, 1, 16, &v, err);
			if (ret == 0 && v != floor(v))
				ret = lc_error_set(err, LC_ERR_USAGE,
						"--queues '%s': expected an "
						"integer",
						optarg);
			c->nb_txq = (uint16_t)v;
			break;
		case OPT_LCORES:
			ret = copy_arg(c->lcores, sizeof(c->lcores), "--lcores", optarg, err);
			break;
		case OPT_EAL:
			if (strlen(optarg) >= sizeof(c->eal_args))
				return lc_error_set(err, LC_ERR_USAGE, "--eal: too long");
			snprintf(c->eal_args, sizeof(c->eal_args), "%s", optarg);
			break;
		case OPT_STATS_JSON:
			ret = copy_arg(c->stats_json, sizeof(c->stats_json), "--stats-json", optarg,
					err);
			break;
		case OPT_LINK_WAIT:
			ret = parse_num("--link-wait", optarg, 0, 3600, &c->link_wait, err);
			break;
		case OPT_LINGER:
			ret = parse_num("--linger", optarg, 0, 60, &c->linger, err);
			break;
		case OPT_NO_RETRY:
			c->no_retry = true;
			break;
		case OPT_CHECK:
			c->check_only = true;
			break;
		case 'q':
			c->quiet = true;
			break;
		case 'v':
			c->verbose = true;
			break;
		case OPT_HELP:
			lc_cli_replay_usage(stdout);
			exit(0);
		case ':':
			return lc_error_set(err, LC_ERR_USAGE,
					"option '%s' needs a value (see replay --help)",
					argv[optind - 1]);
		default:
			return lc_error_set(err, LC_ERR_USAGE,
					"unknown option '%s' (see replay --help)",
					argv[optind - 1]);
		}
		if (ret < 0)
			return -1;
	}
	if (optind < argc)
		return lc_error_set(err, LC_ERR_USAGE, "replay: unexpected argument '%s'",
				argv[optind]);
	if (!have_i && !c->check_only)
		return lc_error_set(err, LC_ERR_USAGE,
				"no device: give one with -i (see 'linecap list')");
	if (!have_r)
		return lc_error_set(err, LC_ERR_USAGE, "no input: give the file with -r FILE");
	return 0;
}
