/* SPDX-License-Identifier: BSD-3-Clause */
/* One option parser for every subcommand: argv against a table (cli/opts.h). */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/opts.h"

void *
lc_opt_field(const struct lc_opt *o, void *base)
{
	return (char *)base + o->off;
}

const char *
lc_opt_label(const struct lc_opt *o, char *buf, size_t len)
{
	if (o->label != NULL)
		return o->label;
	if (o->short_name != 0)
		snprintf(buf, len, "-%c", o->short_name);
	else
		snprintf(buf, len, "--%s", o->long_name);
	return buf;
}

/* An unsigned value into a field of 1, 2, 4 or 8 bytes (bool, uint16_t, enum, ...). */
static void
store_uint(void *field, size_t size, uint64_t v)
{
	uint8_t u8 = (uint8_t)v;
	uint16_t u16 = (uint16_t)v;
	uint32_t u32 = (uint32_t)v;

	if (size == sizeof(u8))
		memcpy(field, &u8, sizeof(u8));
	else if (size == sizeof(u16))
		memcpy(field, &u16, sizeof(u16));
	else if (size == sizeof(u32))
		memcpy(field, &u32, sizeof(u32));
	else
		memcpy(field, &v, sizeof(v));
}

static int
opt_uint(const struct lc_opt *o, void *base, const char *val, struct lc_error *err)
{
	unsigned long long v;
	char name[64];
	char *end;

	errno = 0;
	if (*val == '-' || *val == '\0')
		goto bad;
	v = strtoull(val, &end, 10);
	if (errno != 0 || *end != '\0' || v < o->min || v > o->max)
		goto bad;
	store_uint(lc_opt_field(o, base), o->size, v);
	return 0;
bad:
	return lc_error_set(err, LC_ERR_USAGE, "%s '%s': expected an integer from %llu to %llu",
			lc_opt_label(o, name, sizeof(name)), val, (unsigned long long)o->min,
			(unsigned long long)o->max);
}

int
lc_opt_number(const struct lc_opt *o, void *base, const char *val, struct lc_error *err)
{
	char name[64];
	char *end;
	double d;

	errno = 0;
	d = strtod(val, &end);
	if (errno != 0 || end == val || *end != '\0' || !isfinite(d) || d < o->fmin ||
			d > o->fmax) {
		if (o->bad != NULL)
			return lc_error_set(err, LC_ERR_USAGE, "%s '%s': expected %s",
					lc_opt_label(o, name, sizeof(name)), val, o->bad);
		return lc_error_set(err, LC_ERR_USAGE, "%s '%s': expected a number from %g to %g",
				lc_opt_label(o, name, sizeof(name)), val, o->fmin, o->fmax);
	}
	if (o->type != LC_OPT_WHOLE) {
		memcpy(lc_opt_field(o, base), &d, sizeof(d));
		return 0;
	}
	if (d != floor(d))
		return lc_error_set(err, LC_ERR_USAGE, "%s '%s': expected an integer",
				lc_opt_label(o, name, sizeof(name)), val);
	store_uint(lc_opt_field(o, base), o->size, (uint64_t)d);
	return 0;
}

static int
opt_size(const struct lc_opt *o, void *base, const char *val, struct lc_error *err)
{
	char name[64];
	char *end;
	double n;

	errno = 0;
	n = strtod(val, &end);
	if (errno != 0 || end == val || *end != '\0' || !isfinite(n) || n <= 0 || n > o->fmax ||
			n * o->unit < 1)
		return lc_error_set(err, LC_ERR_USAGE, "%s '%s': expected %s",
				lc_opt_label(o, name, sizeof(name)), val, o->bad);
	store_uint(lc_opt_field(o, base), o->size, (uint64_t)(n * o->unit));
	return 0;
}

static int
opt_str(const struct lc_opt *o, void *base, const char *val, struct lc_error *err)
{
	size_t len = strlen(val);
	char name[64];

	if ((len == 0 && !o->empty_ok) || len >= o->size)
		return lc_error_set(err, LC_ERR_USAGE, "%s: %s",
				lc_opt_label(o, name, sizeof(name)), o->bad);
	memcpy(lc_opt_field(o, base), val, len + 1);
	return 0;
}

/* ENUM and CHOICE: "OPT 'VAL': expected a, b or c". */
static int
opt_name(const struct lc_opt *o, void *base, const char *val, struct lc_error *err)
{
	const struct lc_opt_name *n;
	char name[64], list[256];
	size_t used = 0;

	for (n = o->names; n->name != NULL; n++) {
		if (strcmp(val, n->name) != 0)
			continue;
		if (o->type == LC_OPT_CHOICE)
			snprintf(lc_opt_field(o, base), o->size, "%s", n->name);
		else
			store_uint(lc_opt_field(o, base), o->size, (uint64_t)n->value);
		return 0;
	}
	list[0] = '\0';
	for (n = o->names; n->name != NULL && used < sizeof(list); n++) {
		const char *sep = n == o->names ? "" : n[1].name == NULL ? " or " : ", ";
		int k = snprintf(list + used, sizeof(list) - used, "%s%s", sep, n->name);

		used += k > 0 ? (size_t)k : 0;
	}
	return lc_error_set(err, LC_ERR_USAGE, "%s '%s': expected %s",
			lc_opt_label(o, name, sizeof(name)), val, list);
}

static bool
takes_value(const struct lc_opt *o)
{
	return o->type != LC_OPT_FLAG && o->type != LC_OPT_HELP && !o->no_arg;
}

/* Check and store one option. 0, LC_CLI_HELP, or -1 with err set. */
static int
apply(const struct lc_opt *o, void *base, const char *val, struct lc_error *err)
{
	switch (o->type) {
	case LC_OPT_FLAG:
		store_uint(lc_opt_field(o, base), o->size, o->min);
		return 0;
	case LC_OPT_UINT:
		return opt_uint(o, base, val, err);
	case LC_OPT_NUM:
	case LC_OPT_WHOLE:
		return lc_opt_number(o, base, val, err);
	case LC_OPT_SIZE:
		return opt_size(o, base, val, err);
	case LC_OPT_STR:
		return opt_str(o, base, val, err);
	case LC_OPT_ENUM:
	case LC_OPT_CHOICE:
		return opt_name(o, base, val, err);
	case LC_OPT_FUNC:
		return o->fn(o, base, val, err);
	case LC_OPT_HELP:
		return LC_CLI_HELP;
	}
	return lc_error_set(err, LC_ERR_USAGE, "option table: bad type %d", (int)o->type);
}

/*
 * The option getopt refused: a long option as written ("--duration",
 * "--quiet=1"), a short one as "-X" even inside a cluster ("-qX").
 * `prev` is optind before the getopt_long call.
 */
static const char *
offending(char **argv, int prev, char *buf, size_t len)
{
	const char *last = argv[optind - 1];
	bool long_opt = optind > prev && strncmp(last, "--", 2) == 0;

	if (!long_opt && optopt > 0 && optopt < 128 && isgraph(optopt)) {
		snprintf(buf, len, "-%c", optopt);
		return buf;
	}
	return last;
}

/* getopt's short-option string and long-option array for a table. */
static int
build_getopt(const struct lc_opt_cmd *cmd, char *shorts, struct option *longs, struct lc_error *err)
{
	unsigned int i, nl = 0;
	size_t ns = 0;

	if (cmd->nb_opts > LC_OPT_MAX)
		return lc_error_set(err, LC_ERR_USAGE, "option table: more than %d entries",
				LC_OPT_MAX);
	shorts[ns++] = ':'; /* a missing value is ':', not '?' */
	for (i = 0; i < cmd->nb_opts; i++) {
		const struct lc_opt *o = &cmd->opts[i];

		if (o->short_name != 0) {
			shorts[ns++] = o->short_name;
			if (takes_value(o))
				shorts[ns++] = ':';
		}
		if (o->long_name != NULL)
			longs[nl++] = (struct option){o->long_name,
					takes_value(o) ? required_argument : no_argument, NULL,
					256 + (int)i};
	}
	shorts[ns] = '\0';
	longs[nl] = (struct option){NULL, 0, NULL, 0};
	return 0;
}

static const struct lc_opt *
find_opt(const struct lc_opt_cmd *cmd, int val)
{
	unsigned int i;

	if (val >= 256 && val - 256 < (int)cmd->nb_opts)
		return &cmd->opts[val - 256];
	for (i = 0; i < cmd->nb_opts; i++)
		if (cmd->opts[i].short_name != 0 && cmd->opts[i].short_name == val)
			return &cmd->opts[i];
	return NULL;
}

int
lc_opts_parse(const struct lc_opt_cmd *cmd, int argc, char **argv, void *base, int *first_word,
		struct lc_error *err)
{
	struct option longs[LC_OPT_MAX + 1];
	char shorts[2 * LC_OPT_MAX + 2];
	char name[8];
	int opt, prev;

	if (build_getopt(cmd, shorts, longs, err) < 0)
		return -1;
	optind = 0; /* glibc: 0 re-initialises getopt fully, 1 may keep a half-parsed cluster */
	opterr = 0;
	for (prev = optind; (opt = getopt_long(argc, argv, shorts, longs, NULL)) != -1;
			prev = optind) {
		const struct lc_opt *o = opt == ':' || opt == '?' ? NULL : find_opt(cmd, opt);
		int ret;

		if (opt == ':')
			return lc_error_set(err, LC_ERR_USAGE, "option '%s' needs a value%s",
					offending(argv, prev, name, sizeof(name)), cmd->see);
		if (o == NULL)
			return lc_error_set(err, LC_ERR_USAGE, "%sunknown option '%s'%s",
					cmd->prefix, offending(argv, prev, name, sizeof(name)),
					cmd->see);
		ret = apply(o, base, optarg, err);
		if (ret != 0)
			return ret;
	}
	*first_word = optind;
	return LC_CLI_RUN;
}
