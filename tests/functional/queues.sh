#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Every rx queue a device has is read (issue 12, defect 1). Some virtual
# devices receive on all their queues whatever linecap asks for, and
# have no hardware RSS: net_pcap with two rx_pcap files (one queue each),
# net_af_packet with qpairs=2 (two sockets in a PACKET_FANOUT group).
# linecap polls every queue and spreads in software over its writers:
#   - net_pcap: every packet of both files is in the output (pcapcheck
#     flows: same packets, each flow in one file and in order);
#   - net_af_packet on a veth in a network namespace made here: ~10,000
#     untagged frames of 200 flows sent with tcpreplay, all of them in
#     the files, the invariant exact, ipackets + imissed = frames sent.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
require_cmd ip tcpreplay

A=$T/a.pcap
B=$T/b.pcap
check "$PCAPCHECK" gen-flows "$A" 100 3000 11
check "$PCAPCHECK" gen-flows "$B" 100 2000 22
BOTH=$T/both.pcap
check "$PCAPCHECK" cat "$BOTH" "$A" "$B"
NB=$("$PCAPCHECK" count "$BOTH")
[ "$NB" -eq 5000 ] || fail "a.pcap + b.pcap hold $NB packets, not 5000"

pcap_two() { # QUEUES
	local q=$1 dir=$T/p$1 files=() i
	mkdir "$dir"
	lc 90 capture -i "net_pcap0,rx_pcap=$A,rx_pcap=$B" -w "$dir/out-%q.pcap" --queues "$q" \
		-c "$NB" --duration 40 -q --stats-json "$dir/s.json" --eal "$EAL"
	expect_rc 0
	grep -Eq '^port 0 net_pcap0 \(net_pcap\): .*, 2 rx queues' "$LC_ERR" ||
		{ show "$LC_ERR"; fail "--queues $q: the plan does not read both rx queues of net_pcap0"; }
	for ((i = 0; i < q; i++)); do files+=("$dir/out-$i.pcap"); done
	check "$PCAPCHECK" flows --flow-order "$BOTH" "${files[@]}"
	check_invariant "$dir/s.json"
	[ "$(json_get "$dir/s.json" '.totals.written')" -eq "$NB" ] || fail "--queues $q: written is not $NB"
	for i in 0 1; do
		[ "$(json_get "$dir/s.json" ".ports[0].queues[$i].received")" -gt 0 ] ||
			fail "--queues $q: rx queue $i (rx_pcap file $((i + 1))) received nothing"
	done
	ok "net_pcap0 with two rx_pcap files, --queues $q: both files' $NB packets written"
}
pcap_two 1
pcap_two 2

# net_af_packet, qpairs=2. Untagged frames only: the kernel takes VLAN tags
# out of the frame before packet sockets see them.
require_cmd tcpdump
IN=$T/flows.pcap
check "$PCAPCHECK" gen-flows "$T/all.pcap" 200 12000 33
tcpdump -r "$T/all.pcap" -w "$IN" 'not vlan' 2>/dev/null
N=$("$PCAPCHECK" count "$IN")
[ "$N" -gt 8000 ] || fail "only $N untagged frames in the generated flows"
NS=lcq$$
VA=lcqa$$
VB=lcqb$$
veth_netns "$NS" "$VA" "$VB" 9000

send_flows() { # the traffic of afp_run: $IN at 10 kpps, into $dir/replay.log
	ip netns exec "$NS" tcpreplay -q --pps 10000 -i "$VA" "$IN" >"$dir/replay.log" 2>&1 ||
		{ show "$dir/replay.log"; fail "tcpreplay failed"; }
	grep -q "Actual: $N packets" "$dir/replay.log" || { show "$dir/replay.log"; fail "tcpreplay did not send $N packets"; }
}

afp_run() { # QUEUES
	local q=$1 dir=$T/a$1 files=() i
	mkdir "$dir"
	netns_capture "$NS" 90 send_flows capture -i "net_af_packet0,iface=$VB,qpairs=2" \
		-w "$dir/out-%q.pcap" --queues "$q" --duration 60 --stats-json "$dir/s.json" --eal "$EAL"
	grep -Eq '^port 0 net_af_packet0 \(net_af_packet\): .*, 2 rx queues' "$LC_ERR" ||
		{ show "$LC_ERR"; fail "--queues $q: the plan does not read both qpairs"; }
	check_invariant "$dir/s.json"
	local ipk miss
	ipk=$(json_get "$dir/s.json" '.ports[0].ipackets')
	miss=$(json_get "$dir/s.json" '.ports[0].imissed')
	[ $((ipk + miss)) -eq "$N" ] || fail "--queues $q: ipackets $ipk + imissed $miss != $N frames sent"
	[ "$miss" -eq 0 ] || fail "--queues $q: $miss frames dropped by the kernel rings at 10 kpps"
	for ((i = 0; i < q; i++)); do files+=("$dir/out-$i.pcap"); done
	check "$PCAPCHECK" flows --flow-order "$IN" "${files[@]}"
	[ "$(json_get "$dir/s.json" '.totals.written')" -eq "$N" ] || fail "--queues $q: written is not $N"
	for i in 0 1; do
		[ "$(json_get "$dir/s.json" ".ports[0].queues[$i].received")" -gt 0 ] ||
			fail "--queues $q: qpair $i received nothing"
	done
	ok "net_af_packet qpairs=2, --queues $q: all $N frames in the files, invariant exact"
}
afp_run 1
afp_run 2
