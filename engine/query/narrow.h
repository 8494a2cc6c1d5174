/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef LINECAP_QUERY_NARROW_H
#define LINECAP_QUERY_NARROW_H

/*
 * The index keys a tcpdump expression REQUIRES: every packet it matches
 * carries all of them. Conservative by construction: only an expression
 * made of whitelisted words (no or/not/parentheses/brackets/names) joined
 * by `and` is looked at, and of its terms only these narrow:
 *   [ip|ip6] [src|dst] host ADDR       ADDR (numeric IPv4/IPv6)
 *   [tcp|udp|sctp] [src|dst] port N    PORT N (and PROTO of tcp/udp/sctp)
 *   [ip|ip6] proto N                   PROTO N
 *   tcp | udp | sctp | icmp | icmp6    PROTO 6 | 17 | 132 | 1 | 58
 *   vlan N                             VLAN N
 * Other whitelisted terms (net, len, greater, ether ...) are ignored,
 * which only widens the candidate set. The BPF decides every packet.
 */

#include <stdbool.h>

#include "index/keys.h"

#define LC_NARROW_MAX 16

struct lc_narrow {
	unsigned int nb; /* 0: the expression cannot be narrowed */
	struct lc_key keys[LC_NARROW_MAX];
};

/* Fill `n` from `expr` (NULL or "" gives nb 0). */
void lc_narrow_derive(const char *expr, struct lc_narrow *n);

#endif
