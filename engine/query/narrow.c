/* SPDX-License-Identifier: BSD-3-Clause */
/* Deriving the keys an expression requires (see narrow.h). */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "query/narrow.h"

#define MAX_TOKENS 64
#define TOKEN_LEN 64

static const char *const allowed[] = {
		"and",
		"&&",
		"host",
		"src",
		"dst",
		"port",
		"ip",
		"ip6",
		"tcp",
		"udp",
		"sctp",
		"icmp",
		"icmp6",
		"proto",
		"vlan",
		"net",
		"mask",
		"len",
		"greater",
		"less",
		"portrange",
		"ether",
		">",
		"<",
		">=",
		"<=",
		"=",
		"==",
		"!=",
		"-",
		"+",
		"*",
		"&",
};

static bool
is_value(const char *t)
{
	return isdigit((unsigned char)t[0]) || strchr(t, ':') != NULL || strchr(t, '/') != NULL;
}

static bool
word_ok(const char *t)
{
	size_t i;

	if (is_value(t))
		return strpbrk(t, "()[]!|") == NULL;
	for (i = 0; i < sizeof(allowed) / sizeof(allowed[0]); i++)
		if (strcasecmp(t, allowed[i]) == 0)
			return true;
	return false;
}

static bool
is(const char *t, const char *w)
{
	return t != NULL && strcasecmp(t, w) == 0;
}

static bool
number(const char *t, unsigned long max, unsigned long *v)
{
	char *end;

	if (t == NULL || !isdigit((unsigned char)t[0]))
		return false;
	*v = strtoul(t, &end, 10);
	return *end == '\0' && *v <= max;
}

static void
need(struct lc_narrow *n, enum lc_key_type type, const void *v, uint8_t len)
{
	if (n->nb < LC_NARROW_MAX)
		lc_key_make(&n->keys[n->nb++], type, v, len);
}

static void
need_proto(struct lc_narrow *n, const char *q)
{
	static const struct {
		const char *name;
		uint8_t proto;
	} protos[] = {{"tcp", 6}, {"udp", 17}, {"sctp", 132}, {"icmp", 1}, {"icmp6", 58}};
	size_t i;

	for (i = 0; i < sizeof(protos) / sizeof(protos[0]); i++)
		if (is(q, protos[i].name))
			need(n, LC_KEY_PROTO, &protos[i].proto, 1);
}

/* One `and`-separated term of `nt` tokens. */
static void
term(char **t, unsigned int nt, struct lc_narrow *n)
{
	const char *q = NULL;
	unsigned int i = 0;
	unsigned long v;
	uint8_t a[16];

	if (nt > 0 && (is(t[0], "ip") || is(t[0], "ip6") || is(t[0], "tcp") || is(t[0], "udp") ||
				      is(t[0], "sctp") || is(t[0], "icmp") || is(t[0], "icmp6")))
		q = t[i++];
	if (i < nt && (is(t[i], "src") || is(t[i], "dst")))
		i++;
	if (i == nt) {
		if (i == 1 && q != NULL)
			need_proto(n, q); /* `tcp` alone */
		return;
	}
	if (i + 2 != nt)
		return; /* `src port 1 ...`? not a form we narrow by */
	if (is(t[i], "host") && (q == NULL || is(q, "ip") || is(q, "ip6"))) {
		if (inet_pton(AF_INET, t[i + 1], a) == 1)
			need(n, LC_KEY_ADDR4, a, 4);
		else if (inet_pton(AF_INET6, t[i + 1], a) == 1)
			need(n, LC_KEY_ADDR6, a, 16);
	} else if (is(t[i], "port") && number(t[i + 1], 65535, &v) &&
			(q == NULL || is(q, "tcp") || is(q, "udp") || is(q, "sctp"))) {
		a[0] = (uint8_t)(v >> 8);
		a[1] = (uint8_t)v;
		need(n, LC_KEY_PORT, a, 2);
		need_proto(n, q);
	} else if (is(t[i], "proto") && i == (q != NULL ? 1u : 0u) && number(t[i + 1], 255, &v) &&
			(q == NULL || is(q, "ip") || is(q, "ip6"))) {
		a[0] = (uint8_t)v;
		need(n, LC_KEY_PROTO, a, 1);
	} else if (is(t[i], "vlan") && i == 0 && number(t[i + 1], 4095, &v)) {
		a[0] = (uint8_t)(v >> 8);
		a[1] = (uint8_t)v;
		need(n, LC_KEY_VLAN, a, 2);
	}
}

void
lc_narrow_derive(const char *expr, struct lc_narrow *n)
{
	char buf[MAX_TOKENS * TOKEN_LEN], *t[MAX_TOKENS], *save = NULL, *w;
	unsigned int nt = 0, start = 0, i;

	n->nb = 0;
	if (expr == NULL || strlen(expr) >= sizeof(buf))
		return;
	memcpy(buf, expr, strlen(expr) + 1);
	for (w = strtok_r(buf, " \t\n", &save); w != NULL; w = strtok_r(NULL, " \t\n", &save)) {
		if (nt == MAX_TOKENS || !word_ok(w))
			return;
		t[nt++] = w;
	}
	for (i = 0; i <= nt; i++) {
		if (i < nt && !is(t[i], "and") && !is(t[i], "&&"))
			continue;
		term(t + start, i - start, n);
		start = i + 1;
	}
}
