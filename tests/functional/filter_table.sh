# SPDX-License-Identifier: BSD-3-Clause
# Sourced by filter.sh and fallback.sh: the corpus mix and the filter table.
#
# make_mix OUT: concatenate corpus captures (Ethernet, no packet cut short by
# its snaplen, so `len` means the same to tcpdump -r and to a live capture)
# into one pcap: TCP (SYNs), UDP with IPv4 fragments, ICMP, ICMPv6, 802.1Q
# and QinQ, GRE, DHCP broadcasts, and 4270- and 7226-byte frames, which
# arrive as multi-segment mbufs through net_pcap.

MIX_FILES=(afs.pcap mptcp-v0.pcap various_gre.pcap icmp6-rfc8335.pcap dhcp-rfc4388.pcap
	ssh.pcap vrrp.pcap gso-ipv6.pcap gso-ipv4-vxlan-ipv6.pcap 802.1ad_QinQ.pcap)

# tcpdump expressions; each must select some but not all packets of the mix
# (checked), so every row can fail.
FILTERS=(
	'host 131.151.32.21'
	'net 131.151.0.0/16'
	'port 22'
	'portrange 7000-7009'
	'vlan and proto gre'
	'tcp[tcpflags] & tcp-syn != 0'
	'vlan'
	'ip6'
	'icmp'
	'len > 100'
	'not udp'
	'udp or icmp6'
	'ip and udp and (src portrange 1-1023 or dst port 7001)'
	'ip[6:2] & 0x3fff != 0'
	'greater 4000'
	'ether[3000:4] != 0 and greater 2000'
)

make_mix() {
	local out=$1 f ins=()
	: "${CORPUS_DIR:?CORPUS_DIR must name the tcpdump test corpus}"
	require_cmd mergecap tcpdump
	for f in "${MIX_FILES[@]}"; do
		[ -r "$CORPUS_DIR/$f" ] || fail "corpus file $CORPUS_DIR/$f is missing"
		ins+=("$CORPUS_DIR/$f")
	done
	mergecap -F pcap -a -w "$out" "${ins[@]}" || fail "mergecap could not build the mix"
}

# expect_filtered IN EXPR OUT: what tcpdump keeps; prints the count.
expect_filtered() {
	tcpdump -r "$1" -w "$3" "$2" 2>/dev/null || fail "tcpdump rejected filter '$2'"
	"$PCAPCHECK" count "$3"
}

# without_netdb CMD...: run CMD in a private mount namespace whose /etc has no protocols
# and no services file (an overlay on /etc with both removed), as on a machine without
# Debian's netbase. Nothing outside the namespace changes.
without_netdb() {
	local d
	d=$(mktemp -d "$T/netdb.XXXXXX")
	mkdir "$d/up" "$d/work"
	require_cmd unshare
	# shellcheck disable=SC2016 # expanded by the inner shell
	unshare -m --propagation private -- sh -c '
		mount -t overlay lc-no-netdb -o "lowerdir=/etc,upperdir=$1/up,workdir=$1/work" /etc ||
			{ echo "without_netdb: cannot mount an overlay on /etc" >&2; exit 99; }
		rm -f /etc/protocols /etc/services
		! [ -e /etc/protocols ] && ! [ -e /etc/services ] ||
			{ echo "without_netdb: /etc/protocols or /etc/services still there" >&2; exit 99; }
		shift
		exec "$@"' sh "$d" "$@"
}

# check_names_refused OUT ERR RC WANT: the result of a capture with a name that did
# not resolve: exit 2, one error line matching WANT (a grep regex naming the word and
# the file), no packet written (OUT is missing or holds no packet).
check_names_refused() {
	local out=$1 err=$2 rc=$3 want=$4
	[ "$rc" -eq 2 ] || { show "$err"; fail "name without its database: exit $rc, expected 2 ($want)"; }
	[ "$(grep -c '^linecap: ' "$err")" -eq 1 ] || { show "$err"; fail "name without its database: not one error line"; }
	grep -q "^linecap: .*$want" "$err" || { show "$err"; fail "error line does not name '$want'"; }
	if [ -s "$out" ] && [ "$("$PCAPCHECK" count "$out" 2>/dev/null || echo 0)" -ne 0 ]; then
		fail "name without its database: packets were written to $out"
	fi
	echo "  $(grep '^linecap: ' "$err")"
}
