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
