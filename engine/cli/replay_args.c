/* SPDX-License-Identifier: BSD-3-Clause */
/* `linecap replay` options: one table (cli/opts.h), every value checked before anything starts. */
#include <stddef.h>
#include <string.h>

#include "cli/replay_args.h"

/* Destination of an entry: a field of struct lc_replay_cli. */
#define RC(f)                                                                                      \
	.off = offsetof(struct lc_replay_cli, f), .size = sizeof(((struct lc_replay_cli *)0)->f)
#define OPT(s, l, t) .short_name = (s), .long_name = (l), .type = (t)

/* -i DEV: once. */
static int
opt_dev(const struct lc_opt *o, void *base, const char *val, struct lc_error *err)
{
	struct lc_replay_cli *rc = base;

	(void)o;
	if (rc->have_i)
		return lc_error_set(err, LC_ERR_USAGE, "replay sends on one device: give -i once");
	rc->have_i = true;
	if (val[0] == '\0' || strlen(val) >= sizeof(rc->conf.dev))
		return lc_error_set(err, LC_ERR_USAGE, "-i: bad value");
	memcpy(rc->conf.dev, val, strlen(val) + 1);
	return 0;
}

/* -r FILE: repeatable; argv's string is kept. */
static int
opt_file(const struct lc_opt *o, void *base, const char *val, struct lc_error *err)
{
	struct lc_replay_conf *c = &((struct lc_replay_cli *)base)->conf;

	(void)o;
	if (val[0] == '\0')
		return lc_error_set(err, LC_ERR_USAGE, "-r: empty file name");
	if (c->nb_files >= LC_REPLAY_MAX_FILES)
		return lc_error_set(err, LC_ERR_USAGE, "-r: at most %d files", LC_REPLAY_MAX_FILES);
	c->files[c->nb_files++] = val;
	return 0;
}

/*
 * --speed, --pps, --mbps (a number into the entry's field) and -t: the
 * timing mode is the entry's `min`; two different ones exclude each other.
 */
static int
opt_timing(const struct lc_opt *o, void *base, const char *val, struct lc_error *err)
{
	static const char *const names[] = {"--speed", "--pps", "--mbps", "--topspeed"};
	struct lc_replay_cli *rc = base;
	enum lc_pace_mode m = (enum lc_pace_mode)o->min;

	if (val != NULL && lc_opt_number(o, base, val, err) < 0)
		return -1;
	if (rc->mode_given && rc->conf.mode != m)
		return lc_error_set(err, LC_ERR_USAGE, "%s and %s exclude each other: give one",
				names[rc->conf.mode], o->label);
	rc->mode_given = true;
	rc->conf.mode = m;
	return 0;
}

static const struct lc_opt replay_opts[] = {
		{OPT('i', "interface", LC_OPT_FUNC), .fn = opt_dev},
		{OPT('r', "read", LC_OPT_FUNC), .fn = opt_file},
		{OPT(0, "speed", LC_OPT_FUNC), RC(conf.speed), .fmin = 1e-6, .fmax = 1e9,
				.min = LC_PACE_ORIGINAL, .fn = opt_timing, .label = "--speed"},
		{OPT(0, "multiplier", LC_OPT_FUNC), RC(conf.speed), .fmin = 1e-6, .fmax = 1e9,
				.min = LC_PACE_ORIGINAL, .fn = opt_timing, .label = "--speed"},
		{OPT(0, "pps", LC_OPT_FUNC), RC(conf.pps), .fmin = 1e-3, .fmax = 1e10,
				.min = LC_PACE_PPS, .fn = opt_timing, .label = "--pps"},
		{OPT(0, "mbps", LC_OPT_FUNC), RC(conf.mbps), .fmin = 1e-3, .fmax = 1e7,
				.min = LC_PACE_MBPS, .fn = opt_timing, .label = "--mbps"},
		{OPT('t', "topspeed", LC_OPT_FUNC), .no_arg = true, .min = LC_PACE_TOPSPEED,
				.fn = opt_timing, .label = "--topspeed"},
		{OPT('l', "loop", LC_OPT_WHOLE), RC(conf.loops), .fmin = 0, .fmax = 1e15,
				.label = "--loop"},
		{OPT('K', "preload", LC_OPT_FLAG), RC(conf.preload), .min = true},
		{OPT(0, "queues", LC_OPT_WHOLE), RC(conf.nb_txq), .fmin = 1, .fmax = 16},
		{OPT(0, "lcores", LC_OPT_STR), RC(conf.lcores), .bad = "bad value"},
		{OPT(0, "eal", LC_OPT_STR), RC(conf.eal_args), .bad = "too long", .empty_ok = true},
		{OPT(0, "stats-json", LC_OPT_STR), RC(conf.stats_json), .bad = "bad value"},
		{OPT(0, "link-wait", LC_OPT_NUM), RC(conf.link_wait), .fmin = 0, .fmax = 3600},
		{OPT(0, "check", LC_OPT_FLAG), RC(conf.check_only), .min = true},
		{OPT(0, "linger", LC_OPT_NUM), RC(conf.linger), .fmin = 0, .fmax = 60},
		{OPT(0, "no-retry", LC_OPT_FLAG), RC(conf.no_retry), .min = true},
		{OPT('q', "quiet", LC_OPT_FLAG), RC(conf.quiet), .min = true},
		{OPT('v', "verbose", LC_OPT_FLAG), RC(conf.verbose), .min = true},
		{OPT(0, "help", LC_OPT_HELP)},
};

static const struct lc_opt_cmd replay_cmd = LC_OPT_CMD(replay_opts, "", " (see replay --help)");

int
lc_cli_parse_replay(int argc, char **argv, struct lc_replay_cli *rc, struct lc_error *err)
{
	struct lc_replay_conf *c = &rc->conf;
	int ret, words;

	memset(rc, 0, sizeof(*rc));
	c->mode = LC_PACE_ORIGINAL;
	c->speed = 1.0;
	c->loops = 1;
	c->nb_txq = 1;
	c->link_wait = 10;
	c->linger = 0.5;
	snprintf(c->lcores, sizeof(c->lcores), "auto");
	ret = lc_opts_parse(&replay_cmd, argc, argv, rc, &words, err);
	if (ret != LC_CLI_RUN)
		return ret;
	if (words < argc)
		return lc_error_set(
				err, LC_ERR_USAGE, "replay: unexpected argument '%s'", argv[words]);
	if (!rc->have_i && !c->check_only)
		return lc_error_set(err, LC_ERR_USAGE,
				"no device: give one with -i (see 'linecap list')");
	if (c->nb_files == 0)
		return lc_error_set(err, LC_ERR_USAGE, "no input: give the file with -r FILE");
	return LC_CLI_RUN;
}
