#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# --forward IFACE: packets the filter accepts are re-sent, live, to a kernel
# interface, where tcpdump sees exactly them. In a network namespace made here
# (IPv6 off by default in it, so the kernel adds no packet of its own):
#  1. memif source (linecap replay feeds it once tcpdump listens on the TAP),
#     --forward net_tap0,iface=lcfwd0, no filter: tcpdump on lcfwd0 and the
#     output file both hold exactly the input;
#  2. the same with a filter ('tcp') and 1024-byte mbufs (pmd-config copy), so
#     the long packets are mbuf chains: tcpdump and the file hold exactly what
#     `tcpdump -r IN tcp` selects — the forward happens after the filter;
#  3. a bare kernel interface name (a veth end) -> net_af_packet: tcpdump on
#     that interface and on its peer see the input;
#  4. bad --forward: no such device or interface (4), the -i device itself or
#     the kernel interface it captures (2), the libpcap path (2): one line each;
#  5. a forward port whose queue stays full (af_packet on a veth end that is
#     down): forward_dropped > 0, both invariants exact, the file complete.
# Every run checks both invariants exactly from --stats-json, in total and per
# queue: received = written + filtered + drops, and
# forwarded + forward_dropped = received - filtered; cases 1-2 also read the
# forward counters live from telemetry (/linecap/stats) before stopping.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
# shellcheck source=replay_lib.sh
source "$(dirname "$0")/replay_lib.sh"
require_cmd ip tcpdump sysctl python3

NS=lcfwd-$$
ip netns add "$NS" || fail "cannot create network namespace $NS (root needed)"
trap 'cleanup; ip netns del "$NS" 2>/dev/null || true' EXIT
nsx() { ip netns exec "$NS" "$@"; }
nsx sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1 ||
	fail "cannot disable IPv6 in $NS"
nsx ip link set lo up

IN=$T/in.pcap
N=2000
check "$PCAPCHECK" gen-flows "$IN" 10 "$N" 9
# mbufs of 896 data bytes (the profile minimum): frames longer than that arrive as chains
sed 's/^mbuf_data_room *=.*/mbuf_data_room = 1024/' \
	"$(dirname "$0")/../../pmd-config/net_memif.ini" >"$T/memif-small.ini"
grep -q '^mbuf_data_room = 1024$' "$T/memif-small.ini" || fail "could not make the small-mbuf profile"

# packets in a pcap file being written (a torn last record is not counted)
npkts() {
	tcpdump -r "$1" -nn 2>/dev/null | wc -l
}

# tcpdump_start NAME IFACE: tcpdump in the namespace, listening (pid in TD_PID)
tcpdump_start() {
	ip netns exec "$NS" tcpdump -i "$2" -w "$T/$1.pcap" -U -n 2>"$T/$1.err" &
	TD_PID=$!
	BG_PIDS+=("$TD_PID")
	wait_for "$T/$1.err" '^tcpdump: listening on' "$TD_PID" "tcpdump -i $2"
}

# tcpdump_stop NAME PID WANT: wait (10 s) until it wrote WANT packets, stop it, check its drops
tcpdump_stop() {
	local rc=0 _
	for _ in $(seq 100); do
		[ "$(npkts "$T/$1.pcap")" -ge "$3" ] && break
		sleep 0.1
	done
	kill -TERM "$2"
	wait "$2" || rc=$?
	[ "$rc" -eq 0 ] || { show "$T/$1.err"; fail "tcpdump $1 exit $rc"; }
	grep -q '^0 packets dropped by kernel$' "$T/$1.err" || { show "$T/$1.err"; fail "tcpdump $1 dropped packets"; }
}

# check_forward JSON WANT_FORWARDED [full]: the forward invariant (total and per queue) and
# counts; "full": the forward port's queue fills, so forward_dropped must be > 0
check_forward() {
	local j=$1 want=$2 full=${3:-} r f fw fd q
	r=$(json_get "$j" '.totals.received')
	f=$(json_get "$j" '.totals.filtered')
	fw=$(json_get "$j" '.totals.forwarded')
	fd=$(json_get "$j" '.totals.forward_dropped')
	[ "$fw" -eq $((r - f - fd)) ] || { show "$j" 40; fail "forward invariant broken: forwarded $fw + forward_dropped $fd != received $r - filtered $f"; }
	[ "$(json_get "$j" '.forward_invariant_ok')" = true ] || fail "forward_invariant_ok is not true in $j"
	q=$(json_get "$j" '[.ports[].queues[] | select(.forwarded + .forward_dropped != .received - .filtered)] | length')
	[ "$q" -eq 0 ] || { show "$j" 40; fail "$q queue(s) break forwarded + forward_dropped = received - filtered"; }
	[ "$(json_get "$j" '[.ports[].queues[].forwarded] | add')" -eq "$fw" ] || fail "queues' forwarded do not add up to $fw"
	if [ -n "$full" ]; then
		[ "$fd" -gt 0 ] || fail "forward_dropped is 0, but the forward port cannot send"
		[ "$(json_get "$j" '[.ports[].queues[].forward_dropped] | add')" -eq "$fd" ] || fail "queues' forward_dropped do not add up to $fd"
	else
		# at this rate the forward port takes everything: a drop here is a bug
		[ "$fd" -eq 0 ] || fail "forward_dropped $fd, expected 0 at this rate"
		[ "$fw" -eq "$want" ] || fail "forwarded $fw, expected $want"
	fi
	grep -Eq "^$fw packets forwarded to [^ ]+ \([a-z_]+\)\$" "$LC_ERR" || { show "$LC_ERR" 30; fail "summary line '$fw packets forwarded to ...' missing"; }
	grep -q "^$fd packets dropped by forward" "$LC_ERR" || fail "summary line '$fd packets dropped by forward' missing"
	echo "  forward: forwarded $fw + forward_dropped $fd == received $r - filtered $f (per queue too)"
}

# telemetry_forwarded PID WANT: live counters of the running capture (timeout PID's
# child) on /linecap/stats: forwarded = WANT in total and over the queues, none dropped
telemetry_forwarded() {
	local lcpid sock
	lcpid=$(cat /proc/"$1"/task/*/children 2>/dev/null | awk '{print $1}')
	sock=/var/run/dpdk/linecap-$lcpid/dpdk_telemetry.v2
	[ -S "$sock" ] || fail "no telemetry socket $sock"
	PYTHONPATH="$(dirname "$0")" python3 - "$sock" "$2" <<'PY' || fail "telemetry /linecap/stats: forward counters wrong (see above)"
import json, sys
from lc_telemetry import connect
path, want = sys.argv[1], int(sys.argv[2])
s = connect(path)
s.send(b"/linecap/stats")
d = json.loads(s.recv(65536))["/linecap/stats"]
q = sum(v for k, v in d.items() if k.startswith("port") and k.endswith("_forwarded"))
print(f"  telemetry: forwarded {d.get('forwarded')}, forward_dropped {d.get('forward_dropped')}, queues {q}")
if d.get("forwarded") != want or d.get("forward_dropped") != 0 or q != want:
    sys.exit(f"expected forwarded {want} (queues too), forward_dropped 0: {d}")
PY
}

# memif_forward NAME WANT_FILE [capture args...]: cases 1 and 2
memif_forward() {
	local name=$1 want=$2 k rc=0 cap
	shift 2
	k=$(npkts "$want")
	rm -f "$T/out.pcap" "$T/s.json"
	LC_CMD="$(qcmd "$LINECAP" capture -i "net_memif0,role=server,socket=$T/m.sock" -w "$T/out.pcap" --forward net_tap0,iface=lcfwd0 "$@")"
	: >"$LC_ERR" # no earlier run's lines for wait_for to find
	ip netns exec "$NS" timeout -k 5 60 "$LINECAP" capture -i "net_memif0,role=server,socket=$T/m.sock" \
		-w "$T/out.pcap" --forward net_tap0,iface=lcfwd0 --stats-json "$T/s.json" -q \
		--duration 50 --lcores "$CAP_LCORES" --eal "$EAL" "$@" >"$LC_OUT" 2>"$LC_ERR" &
	cap=$!
	BG_PIDS+=("$cap")
	wait_for "$LC_ERR" '^forward: net_tap0,iface=lcfwd0 \(net_tap\)' "$cap" "capture with --forward ($LC_CMD)"
	tcpdump_start "td-$name" lcfwd0
	local td=$TD_PID
	nsx timeout -k 5 60 "$LINECAP" replay -i "net_memif0,role=client,socket=$T/m.sock" -r "$IN" \
		--pps 20000 -q --lcores "$REPLAY_LCORES" --eal "$EAL" >"$T/replay.out" 2>"$T/replay.err" ||
		{ show "$T/replay.err"; fail "replay into the memif source failed"; }
	tcpdump_stop "td-$name" "$td" "$k"
	telemetry_forwarded "$cap" "$k"
	kill -TERM "$cap"
	wait "$cap" || rc=$?
	[ "$rc" -eq 0 ] || { show "$LC_ERR" 30; fail "capture exit $rc: $LC_CMD"; }
	check_invariant "$T/s.json"
	check_summary "$T/s.json"
	[ "$(json_get "$T/s.json" '.totals.received')" -eq "$N" ] || fail "received $(json_get "$T/s.json" '.totals.received'), replay sent $N"
	check_forward "$T/s.json" "$k"
	check "$PCAPCHECK" same "$want" "$T/out.pcap"
	check "$PCAPCHECK" same "$want" "$T/td-$name.pcap"
	ok "$name: tcpdump on the TAP and the output file hold exactly the $k packets that passed"
}

# 1. no filter
memif_forward tap "$IN"

# 2. filter + chained mbufs
tcpdump -r "$IN" -w "$T/want-tcp.pcap" tcp 2>/dev/null
K=$(npkts "$T/want-tcp.pcap")
if [ "$K" -eq 0 ] || [ "$K" -ge "$N" ]; then
	fail "filter 'tcp' selects $K of $N: not a strict subset"
fi
memif_forward tap-filter "$T/want-tcp.pcap" --pmd-config "$T/memif-small.ini" -f tcp
[ "$(json_get "$T/s.json" '.totals.filtered')" -eq $((N - K)) ] || fail "filtered is not $((N - K))"

# 3. a bare kernel interface name: net_af_packet on a veth end
nsx ip link add fwa type veth peer name fwb || fail "cannot create a veth pair"
nsx ip link set fwa up
nsx ip link set fwb up
tcpdump_start td-fwa fwa
TDA=$TD_PID
tcpdump_start td-fwb fwb
TDB=$TD_PID
LC_CMD="$(qcmd "$LINECAP" capture -i "net_pcap0,rx_pcap=$IN" -w "$T/out.pcap" -c "$N" --forward fwa)"
LC_RC=0
nsx timeout -k 5 60 "$LINECAP" capture -i "net_pcap0,rx_pcap=$IN" -w "$T/out.pcap" -c "$N" -q \
	--forward fwa --stats-json "$T/s.json" --eal "$EAL" --lcores "$CAP_LCORES" \
	>"$LC_OUT" 2>"$LC_ERR" || LC_RC=$?
expect_rc 0
grep -q '^forward: net_af_packet_lcfwd,iface=fwa,.* (net_af_packet)' "$LC_ERR" ||
	{ show "$LC_ERR"; fail "the bare name fwa did not become a net_af_packet port"; }
tcpdump_stop td-fwa "$TDA" "$N"
tcpdump_stop td-fwb "$TDB" "$N"
check_invariant "$T/s.json"
check_forward "$T/s.json" "$N"
check "$PCAPCHECK" same "$IN" "$T/out.pcap"
check "$PCAPCHECK" same "$IN" "$T/td-fwa.pcap"
check "$PCAPCHECK" same "$IN" "$T/td-fwb.pcap"
ok "af_packet: --forward fwa; tcpdump on fwa and on its peer fwb see all $N packets"

# 5. a forward port that cannot send (af_packet on a veth end left down: its tx ring of
#    framecnt frames fills and stays full): the rest is counted as forward_dropped, the
#    capture itself loses nothing
nsx ip link add fwc type veth peer name fwd || fail "cannot create a veth pair"
LC_CMD="$(qcmd "$LINECAP" capture -i "net_pcap0,rx_pcap=$IN" -w "$T/out.pcap" -c "$N" --forward net_af_packet1,iface=fwc)"
LC_RC=0
nsx timeout -k 5 60 "$LINECAP" capture -i "net_pcap0,rx_pcap=$IN" -w "$T/out.pcap" -c "$N" -q \
	--forward net_af_packet1,iface=fwc --stats-json "$T/s.json" --eal "$EAL" \
	--lcores "$CAP_LCORES" >"$LC_OUT" 2>"$LC_ERR" || LC_RC=$?
expect_rc 0
check_invariant "$T/s.json"
check_forward "$T/s.json" - full
check "$PCAPCHECK" same "$IN" "$T/out.pcap"
ok "forward port full: $(json_get "$T/s.json" .totals.forward_dropped) counted as forward_dropped, all $N written"

# 4. bad --forward
bad() {
	local want=$1 re=$2
	shift 2
	LC_CMD="$(qcmd "$LINECAP" "$@")"
	LC_RC=0
	nsx timeout -k 5 60 "$LINECAP" "$@" >"$LC_OUT" 2>"$LC_ERR" || LC_RC=$?
	expect_rc "$want"
	[ "$(wc -l <"$LC_ERR")" -eq 1 ] || { show "$LC_ERR"; fail "expected one line on stderr: $LC_CMD"; }
	grep -Eq "$re" "$LC_ERR" || { show "$LC_ERR"; fail "message does not match /$re/: $LC_CMD"; }
	echo "  exit $want: $(cat "$LC_ERR")"
}
bad 4 '^linecap: --forward: device .net_nosuch0. not found' capture -i net_null0 -w /dev/null \
	-c 10 --forward net_nosuch0 --eal "$EAL"
bad 4 "^linecap: --forward 'nosuchif9': no kernel interface of that name" capture -i net_null0 \
	-w /dev/null -c 10 --forward nosuchif9 --eal "$EAL"
bad 2 "^linecap: --forward 'fwb' sends to kernel interface 'fwb', which -i" capture \
	-i net_af_packet0,iface=fwb -w /dev/null -c 10 --forward fwb --eal "$EAL"
bad 2 '^linecap: --forward .NET_NULL0,size=64. is the capture device' capture -i net_null0 \
	-w /dev/null -c 10 --forward NET_NULL0,size=64 --eal "$EAL"
bad 2 '^linecap: --forward needs the DPDK path' capture -i lo -w /dev/null -c 10 --forward net_tap0
ok "bad --forward: exit 4 / 2 with one line"
passed_line
