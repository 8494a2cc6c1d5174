#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# The libpcap path on a veth pair in a network namespace made here (IPv6
# and ARP off on both ends, so the kernel adds no packet of its own).
# tcpreplay sends the corpus mix into one end; linecap captures the other
# end through libpcap (no EAL): every packet, byte for byte, with the exact
# invariant received (ps_recv) = written + filtered + dropped_kernel + ...;
# --queues 2 (PACKET_FANOUT) gives the same packets with each flow's order;
# every filter of filter_table.sh, run in the kernel, keeps what tcpdump -r
# keeps; a bad filter exits 2; -c stops exactly.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
# shellcheck source=filter_table.sh
source "$(dirname "$0")/filter_table.sh"
require_cmd ip tcpreplay tcpdump sysctl

NS=lcfb$$
CAP=vb # linecap's end; tcpreplay sends into va
cleanup_ns() {
	ip netns del "$NS" 2>/dev/null || true
	cleanup
}
trap cleanup_ns EXIT

ip netns add "$NS" || fail "cannot create network namespace $NS (root needed)"
ip -n "$NS" link add va type veth peer name vb || fail "cannot create a veth pair"
for dev in va vb; do
	ip netns exec "$NS" sysctl -qw "net.ipv6.conf.$dev.disable_ipv6=1" || fail "cannot disable IPv6 on $dev"
	# 65535: the largest veth MTU, so the mix's 7226-byte frames pass
	ip -n "$NS" link set "$dev" mtu 65535 arp off up || fail "cannot bring $dev up"
done

MIX=$T/mix.pcap
make_mix "$MIX"
# Frames the veth can carry: at least an Ethernet header, at most MTU + 14.
SEND=$T/send.pcap
tcpdump -r "$MIX" -w "$SEND" 'len >= 14 and len <= 65549' 2>/dev/null
N=$("$PCAPCHECK" count "$SEND")
ALL=$("$PCAPCHECK" count "$MIX")
echo "mix: $ALL packets; $((ALL - N)) skipped (shorter than 14 bytes or longer than MTU + 14); $N sent"
[ "$N" -gt 1000 ] || fail "only $N sendable packets in the mix"

# capture ARGS...: start linecap in the namespace, wait until its sockets
# are open (the 'libpcap' plan line), replay $SEND, stop with SIGINT.
capture() {
	local pid i
	LC_CMD="ip netns exec $NS $(qcmd "$LINECAP" capture "$@")"
	: >"$LC_ERR"
	ip netns exec "$NS" timeout -k 5 60 "$LINECAP" capture "$@" >"$LC_OUT" 2>"$LC_ERR" &
	pid=$!
	BG_PIDS+=("$pid")
	for i in $(seq 600); do
		grep -q '^libpcap ' "$LC_ERR" && break
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.05
	done
	if grep -q '^libpcap ' "$LC_ERR"; then
		ip netns exec "$NS" tcpreplay -q -t -i va "$SEND" >"$T/replay.log" 2>&1 ||
			{ show "$T/replay.log"; fail "tcpreplay failed"; }
		grep -q "Actual: $N packets" "$T/replay.log" || { show "$T/replay.log"; fail "tcpreplay did not send $N packets"; }
		kill -INT "$pid" 2>/dev/null || true
	elif kill -0 "$pid" 2>/dev/null; then
		show "$LC_ERR"
		fail "linecap did not open its socket within 30 s: $LC_CMD"
	fi
	LC_RC=0
	wait "$pid" || LC_RC=$?
	BG_PIDS=()
}

# 1. One thread: everything, byte for byte, in order; no EAL.
capture -i "$CAP" -w "$T/one.pcap" -q -B 4096 --stats-json "$T/one.json"
expect_rc 0
grep -q "^source: libpcap ('$CAP' is a kernel interface" "$LC_ERR" || { show "$LC_ERR"; fail "no line explaining the libpcap choice"; }
grep -q 'TPACKET_V3' "$LC_ERR" || { show "$LC_ERR"; fail "libpcap did not use TPACKET_V3"; }
! grep -q '^EAL' "$LC_ERR" || { show "$LC_ERR"; fail "the libpcap path started the EAL"; }
check "$PCAPCHECK" same "$SEND" "$T/one.pcap"
check "$PCAPCHECK" monotonic --nano "$T/one.pcap"
check_invariant "$T/one.json"
check_summary "$T/one.json"
[ "$(json_get "$T/one.json" '.source')" = pcap ] || fail "JSON source is not pcap"
[ "$(json_get "$T/one.json" '.totals.ps_recv')" -eq "$N" ] || fail "ps_recv != $N packets sent"
[ "$(json_get "$T/one.json" '.totals.dropped_kernel')" -eq 0 ] || fail "kernel drops at 4 MiB"
grep -qx '0 packets dropped by kernel' "$LC_ERR" || fail "no 'dropped by kernel' summary line"
ok "libpcap path: $N packets, byte-identical, in order, invariant exact"

# 2. --queues 2: one PACKET_FANOUT group, two threads, two writers.
capture -i "$CAP" --queues 2 -w "$T/two-%q.pcap" -q -B 4096 --stats-json "$T/two.json"
expect_rc 0
grep -q 'PACKET_FANOUT group' "$LC_ERR" || { show "$LC_ERR"; fail "no fanout group in the plan line"; }
check "$PCAPCHECK" flows --flow-order --split-ok "$SEND" "$T/two-0.pcap" "$T/two-1.pcap"
check_invariant "$T/two.json"
for q in 0 1; do
	n=$(json_get "$T/two.json" ".ports[0].queues[$q].received")
	[ "$n" -gt 0 ] || fail "fanout thread $q received nothing"
done
ok "--queues 2: the same packets over two files, each flow's order kept"

# 3. Filters in the kernel (pcap_setfilter) == tcpdump -r. One capture per
# expression, all on vb at once (each socket gets every packet), one replay.
# Linux moves a VLAN tag out of the frame before packet sockets see it
# (libpcap puts it back into the data), so the kernel's `len` is 4 bytes
# short for tagged frames: length rows get the mix without VLAN frames
# (docs/CLI.md), in a second round.
ALLSEND=$SEND
NOVLAN=$T/novlan.pcap
tcpdump -r "$ALLSEND" -w "$NOVLAN" 'not vlan' 2>/dev/null
filter_round() { # INPUT ROWS...: capture rows (indexes into FILTERS) during one replay
	local input=$1 i pids=() ready n
	shift
	for i in "$@"; do
		ip netns exec "$NS" timeout -k 5 60 "$LINECAP" capture -i "$CAP" -w "$T/f-$i.pcap" -q \
			-B 4096 --stats-json "$T/f-$i.json" -f "${FILTERS[$i]}" >/dev/null 2>"$T/f-$i.err" &
		pids+=($!)
		BG_PIDS+=($!)
	done
	for _ in $(seq 600); do
		ready=0
		for i in "$@"; do grep -q '^libpcap ' "$T/f-$i.err" && ready=$((ready + 1)); done
		[ "$ready" -eq $# ] && break
		sleep 0.05
	done
	[ "$ready" -eq $# ] || { for i in "$@"; do show "$T/f-$i.err" 3; done; fail "only $ready of $# filter captures started"; }
	n=$("$PCAPCHECK" count "$input")
	ip netns exec "$NS" tcpreplay -q -t -i va "$input" >"$T/replay.log" 2>&1 ||
		{ show "$T/replay.log"; fail "tcpreplay failed"; }
	grep -q "Actual: $n packets" "$T/replay.log" || { show "$T/replay.log"; fail "tcpreplay did not send $n packets"; }
	kill -INT "${pids[@]}" 2>/dev/null || true
	local rows=("$@") k
	for k in "${!pids[@]}"; do
		wait "${pids[$k]}" || { show "$T/f-${rows[$k]}.err"; fail "capture with filter '${FILTERS[${rows[$k]}]}' failed"; }
	done
	BG_PIDS=()
	for i in "$@"; do
		want=$(expect_filtered "$input" "${FILTERS[$i]}" "$T/want-$i.pcap")
		# a row that keeps nothing (or everything) of its input tests nothing: 0 == 0
		# passes whatever linecap does, as on a machine without /etc/protocols
		[ "$want" -gt 0 ] && [ "$want" -lt "$n" ] ||
			fail "filter '${FILTERS[$i]}' keeps $want of the $n packets sent: it tests nothing"
		line=$("$PCAPCHECK" same "$T/want-$i.pcap" "$T/f-$i.pcap") ||
			fail "filter '${FILTERS[$i]}' (tcpdump keeps $want): $line"
		check_invariant "$T/f-$i.json" >/dev/null
		echo "  filter '${FILTERS[$i]}': $want packets, as tcpdump -r$([ "$input" = "$NOVLAN" ] && echo ' (mix without VLAN frames)')"
		rm -f "$T/f-$i.pcap" "$T/want-$i.pcap"
	done
}
plain=() lengths=()
for i in "${!FILTERS[@]}"; do
	case ${FILTERS[$i]} in
	*len* | *less* | *greater*) lengths+=("$i") ;;
	*) plain+=("$i") ;;
	esac
done
filter_round "$ALLSEND" "${plain[@]}"
filter_round "$NOVLAN" "${lengths[@]}"
ok "${#FILTERS[@]} filters on the libpcap path == tcpdump -r"

# 4. Bad filter: exit 2 with libpcap's message.
capture -i "$CAP" -w "$T/bad.pcap" -q 'tcp and and'
expect_rc 2
grep -qx "linecap: can't parse filter expression: syntax error" "$LC_ERR" || { show "$LC_ERR"; fail "bad filter message"; }
ok "bad filter on the libpcap path -> exit 2"

# 5. Names without their databases (no netbase): refused on this path too, before a
# socket opens, instead of a kernel filter on protocol 0 that keeps nothing.
for row in "vlan and proto gre|'gre'.*/etc/protocols" "port domain|'domain'.*/etc/services"; do
	expr=${row%%|*}
	rc=0
	without_netdb ip netns exec "$NS" timeout -k 5 60 "$LINECAP" capture -i "$CAP" \
		-w "$T/nonet.pcap" --duration 5 -q -f "$expr" >/dev/null 2>"$T/nonet.err" || rc=$?
	check_names_refused "$T/nonet.pcap" "$T/nonet.err" "$rc" "${row#*|}"
	ok "libpcap path: '$expr' without its name database -> exit 2, refused"
done

# 6. -c: exactly COUNT written; the rest the kernel took count as filtered.
capture -i "$CAP" -w "$T/c.pcap" -q -B 4096 -c 100 --stats-json "$T/c.json"
expect_rc 0
check "$PCAPCHECK" valid "$T/c.pcap" --count 100
check_invariant "$T/c.json"
ok "-c 100 on the libpcap path"
