#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# The option tables of each subcommand: --help of every subcommand prints its usage
# on stdout and exits 0 (the top-level one names every subcommand); an option a
# subcommand does not take is refused by its own name, exit 2, one line; --flush-ms
# takes 0..60000.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

# refuse RC REGEX ARGS...: exit RC, stderr exactly one line matching REGEX
refuse() {
	local want=$1 re=$2
	shift 2
	lc 30 "$@"
	expect_rc "$want"
	if [ "$(grep -c '' "$LC_ERR")" -ne 1 ] || ! grep -Eq -- "$re" "$LC_ERR"; then
		show "$LC_ERR"
		fail "stderr is not one line matching /$re/: $LC_CMD"
	fi
	ok "$(head -n 1 "$LC_ERR")"
}
# usage ARGS... -- REGEX...: exit 0, empty stderr, stdout matching every REGEX
usage() {
	local args=() re
	while [ "$1" != -- ]; do
		args+=("$1")
		shift
	done
	shift
	lc 30 "${args[@]}"
	expect_rc 0
	[ ! -s "$LC_ERR" ] || { show "$LC_ERR"; fail "stderr not empty: $LC_CMD"; }
	for re in "$@"; do
		grep -Eq -- "$re" "$LC_OUT" || { show "$LC_OUT" 60; fail "no /$re/ in: $LC_CMD"; }
	done
	ok "${args[*]}: usage on stdout, exit 0"
}

usage --help -- '^Usage: linecap capture ' '^ +linecap replay -i DEV -r FILE' \
	'^ +linecap replay --check' '^ +linecap list ' '^ +linecap repair FILE' '--version'
usage capture --help -- '^Usage: linecap capture ' '^ +--flush-ms MS '
usage replay --help -- '^Usage: linecap replay '
usage list --help -- '^ +linecap list '

refuse 2 "^linecap: list: unknown option '--duration'\$" list --duration 1
refuse 2 "^linecap: list: unknown option '-s'\$" list -s 64
refuse 2 "^linecap: unknown option '-X' \\(see --help\\)\$" capture -i net_null0 -w "$T/x.pcap" -qX
refuse 2 "^linecap: unknown option '--frobnicate' \\(see replay --help\\)\$" replay --frobnicate
refuse 2 "^linecap: option '--flush-ms' needs a value \\(see --help\\)\$" capture -i net_null0 \
	-w "$T/x.pcap" --flush-ms
refuse 2 "^linecap: --flush-ms '60001': expected an integer from 0 to 60000\$" capture \
	-i net_null0 -w "$T/x.pcap" --flush-ms 60001
refuse 2 "^linecap: --flush-ms '-1': expected an integer from 0 to 60000\$" capture \
	-i net_null0 -w "$T/x.pcap" --flush-ms -1

for ms in 0 60000; do
	lc 60 capture -i net_null0,size=64 -w "$T/f$ms.pcap" -c 1000 -q --flush-ms "$ms" --eal "$EAL"
	expect_rc 0
	check "$PCAPCHECK" valid "$T/f$ms.pcap" --count 1000
	ok "--flush-ms $ms accepted, 1000 packets written"
done

passed_line
