/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The file names a -w pattern produces, as a list of tokens matched with
 * backtracking: literal bytes, runs of digits (numeric strftime fields and
 * the -W number), -C's number as tcpdump writes it (none, or 1, 2, ...:
 * no leading zero) and runs of any bytes but '/' (names, and conversions
 * whose width is not fixed). Exact, so that a capture whose -w name is
 * another's plus digits (cap.pcap and cap.pcap0) never takes the other's
 * files for its own.
 */
#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <string.h>

#include "core/engine_priv.h"
#include "core/retention_match.h"

enum { TOK_LIT, TOK_DIGITS, TOK_ANY, TOK_NUM };

/* Longest text a strftime conversion of unknown shape is taken to write. */
#define ANY_MAX 64

static int
push(struct lc_name_matcher *m, uint8_t kind, char c, uint8_t min, uint8_t max)
{
	if (m->nb >= sizeof(m->tok) / sizeof(m->tok[0]))
		return -ENAMETOOLONG;
	m->tok[m->nb++] = (struct lc_name_tok){.kind = kind, .c = c, .min = min, .max = max};
	return 0;
}

/* Digits written by a numeric conversion of glibc's strftime (min..return), 0 if not numeric. */
static unsigned int
conv_digits(char conv, unsigned int *min)
{
	*min = 1;
	switch (conv) {
	case 'Y':
		return 10;
	case 's': /* seconds since the epoch */
		return 20;
	case 'u':
	case 'w':
		return 1;
	case 'j':
		*min = 3;
		return 3;
	case 'G':
		*min = 4;
		return 4;
	default:
		break;
	}
	*min = 2;
	return strchr("CymdHIMSUWVg", conv) != NULL ? 2 : 0;
}

/* One % conversion at p[0] == '%'; returns the bytes of the pattern it took. */
static int
compile_conv(struct lc_name_matcher *m, const char *p, int *used)
{
	const char *q = p + 1;
	bool flags = false;
	unsigned int min, max;

	if (*q == '%' || *q == '\0') {
		*used = *q == '%' ? 2 : 1;
		return push(m, TOK_LIT, '%', 1, 1);
	}
	while (*q != '\0' && strchr("-_0^#", *q) != NULL) {
		q++;
		flags = true;
	}
	while (*q >= '0' && *q <= '9') {
		q++;
		flags = true;
	}
	if (*q == 'E' || *q == 'O')
		q++;
	if (*q == '\0')
		return -EINVAL;
	*used = (int)(q + 1 - p);
	max = flags ? 0 : conv_digits(*q, &min);
	if (max == 0)
		return push(m, TOK_ANY, 0, 1, ANY_MAX);
	return push(m, TOK_DIGITS, 0, (uint8_t)min, (uint8_t)max);
}

int
lc_name_matcher_compile(struct lc_name_matcher *m, const char *name, bool strftime_on,
		enum lc_name_suffix suffix, unsigned int width)
{
	const char *p = name;
	int r = 0;

	m->nb = 0;
	while (*p != '\0' && r == 0) {
		int used = 1;

		if (strftime_on && *p == '%')
			r = compile_conv(m, p, &used);
		else
			r = push(m, TOK_LIT, *p, 1, 1);
		p += used;
	}
	if (r == 0 && suffix == LC_SUFFIX_OPT)
		r = push(m, TOK_NUM, 0, 0, 20);
	else if (r == 0 && suffix == LC_SUFFIX_FIXED)
		r = push(m, TOK_DIGITS, 0, (uint8_t)width, (uint8_t)width);
	return r;
}

static bool
match_from(const struct lc_name_matcher *m, unsigned int t, const char *s)
{
	const struct lc_name_tok *k;
	size_t run = 0, n;

	if (t == m->nb)
		return *s == '\0';
	k = &m->tok[t];
	if (k->kind == TOK_LIT)
		return *s == k->c && match_from(m, t + 1, s + 1);
	if (k->kind == TOK_NUM) {
		/* nothing (the first file), or a number without a leading zero */
		if (match_from(m, t + 1, s))
			return true;
		if (*s < '1' || *s > '9')
			return false;
		while (run < k->max && s[run] >= '0' && s[run] <= '9')
			run++;
		for (n = run; n > 0; n--)
			if (match_from(m, t + 1, s + n))
				return true;
		return false;
	}
	while (run < k->max && s[run] != '\0' &&
			(k->kind == TOK_ANY || (s[run] >= '0' && s[run] <= '9')))
		run++;
	for (n = run + 1; n-- > k->min;)
		if (match_from(m, t + 1, s + n))
			return true;
	return false;
}

bool
lc_name_matcher_match(const struct lc_name_matcher *m, const char *name)
{
	return match_from(m, 0, name);
}

int
lc_retention_patterns(const struct lc_engine *e, struct lc_name_matcher *m, unsigned int *nb_m,
		char *dir, size_t dir_len, struct lc_error *err)
{
	const struct lc_capture_conf *c = &e->conf;
	enum lc_name_suffix suf = c->rotate_bytes == 0				? LC_SUFFIX_NONE
				  : c->rotate_files != 0 && c->rotate_secs == 0 ? LC_SUFFIX_FIXED
										: LC_SUFFIX_OPT;
	unsigned int width = 1, i, k;
	uint32_t x;

	for (x = c->rotate_files > 0 ? c->rotate_files - 1 : 0; x >= 10; x /= 10)
		width++;
	for (i = 0; i < e->nb_writers; i++) {
		char copy[PATH_MAX], dcopy[PATH_MAX];
		const char *base;

		snprintf(copy, sizeof(copy), "%s", e->writer_path[i]);
		snprintf(dcopy, sizeof(dcopy), "%s", e->writer_path[i]);
		base = basename(copy);
		if (i == 0)
			snprintf(dir, dir_len, "%s", dirname(dcopy));
		else if (strcmp(dir, dirname(dcopy)) != 0)
			return lc_error_set(err, LC_ERR_USAGE,
					"--max-disk/--min-free: every writer's file must be in one "
					"directory");
		if (lc_name_matcher_compile(&m[*nb_m], base, c->rotate_secs != 0, suf, width) < 0)
			return lc_error_set(err, LC_ERR_USAGE,
					"--max-disk/--min-free: bad -w file name '%s'", base);
		for (k = 0; k < i && strcmp(e->writer_path[k], e->writer_path[i]) != 0; k++)
			;
		if (k == i)
			(*nb_m)++;
	}
	return 0;
}
