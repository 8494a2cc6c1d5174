/* SPDX-License-Identifier: BSD-3-Clause */
/* Parsing of --since/--until (see timearg.h). */
#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "query/timearg.h"

#define NS 1000000000ull

/* Digits only, exactly n of them. */
static bool
digits(const char *s, int n, int *v)
{
	int i;

	*v = 0;
	for (i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i]))
			return false;
		*v = *v * 10 + (s[i] - '0');
	}
	return true;
}

/* ".123" into ns; returns the number of characters used (0 if none). */
static int
fraction(const char *s, uint64_t *ns)
{
	uint64_t scale = NS / 10;
	int i = 1;

	*ns = 0;
	if (s[0] != '.' || !isdigit((unsigned char)s[1]))
		return 0;
	for (; isdigit((unsigned char)s[i]); i++) {
		*ns += (uint64_t)(s[i] - '0') * scale;
		scale /= 10;
	}
	return i;
}

static int
relative(const char *s, uint64_t now, uint64_t *out)
{
	static const struct {
		char unit;
		double secs;
	} units[] = {{'s', 1}, {'m', 60}, {'h', 3600}, {'d', 86400}, {'w', 604800}};
	char *end;
	double v = strtod(s + 1, &end);
	size_t i;

	if (!isdigit((unsigned char)s[1]) || end[0] == '\0' || end[1] != '\0' || v < 0)
		return -1;
	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		double ns;

		if (*end != units[i].unit)
			continue;
		ns = v * units[i].secs * 1e9;
		if (ns > (double)now)
			return -1;
		*out = now - (uint64_t)ns;
		return 0;
	}
	return -1;
}

static int
epoch(const char *s, uint64_t *out)
{
	uint64_t sec = 0, frac;
	int i = 0, n;

	for (; isdigit((unsigned char)s[i]); i++) {
		if (i >= 12)
			return -1;
		sec = sec * 10 + (uint64_t)(s[i] - '0');
	}
	if (i == 0)
		return -1;
	n = fraction(s + i, &frac);
	if (s[i + n] != '\0' || (s[i] == '.' && n == 0))
		return -1;
	*out = sec * NS + frac;
	return 0;
}

static int
rfc3339(const char *s, uint64_t *out)
{
	struct tm tm = {0};
	int y, mo, d, h = 0, mi = 0, sec = 0, zh, zm, n = 10;
	uint64_t frac = 0;
	int64_t off = 0, t;

	if (!digits(s, 4, &y) || s[4] != '-' || !digits(s + 5, 2, &mo) || s[7] != '-' ||
			!digits(s + 8, 2, &d))
		return -1;
	if (s[n] == 'T' || s[n] == 't' || s[n] == ' ') {
		if (!digits(s + n + 1, 2, &h) || s[n + 3] != ':' || !digits(s + n + 4, 2, &mi) ||
				s[n + 6] != ':' || !digits(s + n + 7, 2, &sec))
			return -1;
		n += 9;
		n += fraction(s + n, &frac);
	}
	if (s[n] == 'Z' || s[n] == 'z') {
		n++;
	} else if (s[n] == '+' || s[n] == '-') {
		if (!digits(s + n + 1, 2, &zh) || s[n + 3] != ':' || !digits(s + n + 4, 2, &zm) ||
				zh > 23 || zm > 59)
			return -1;
		off = ((int64_t)zh * 3600 + (int64_t)zm * 60) * (s[n] == '-' ? -1 : 1);
		n += 6;
	}
	if (s[n] != '\0' || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60 ||
			y < 1970)
		return -1;
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec;
	t = (int64_t)timegm(&tm) - off;
	if (t < 0 || tm.tm_mday != d)
		return -1; /* before the epoch, or a day the month does not have */
	*out = (uint64_t)t * NS + frac;
	return 0;
}

int
lc_time_parse(const char *s, uint64_t now_ns, uint64_t *out_ns)
{
	if (s == NULL || s[0] == '\0')
		return -1;
	if (strcmp(s, "now") == 0) {
		*out_ns = now_ns;
		return 0;
	}
	if (s[0] == '-')
		return relative(s, now_ns, out_ns);
	if (strlen(s) >= 10 && s[4] == '-')
		return rfc3339(s, out_ns);
	return epoch(s, out_ns);
}
