#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Jumbo frames are captured whole (issue 12, defect 5). In a network
# namespace made here:
#   1. net_af_packet on a veth with MTU 9000 and framesz=16384: the PMD
#      needs mbufs as big as its ring frames, linecap sizes them;
#   2. net_tap with its kernel interface at MTU 9000: frames over one
#      mbuf arrive as chains (rx scatter, from the snap length);
# 50 frames of 9014 bytes and 50 of 100 bytes are sent with a raw socket;
# the file holds all 100, the jumbo ones with caplen = len = 9014, and the
# plan line says what was set. --mtu beyond what a device takes: exit 2.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
require_cmd ip python3 tcpdump pgrep

NS=lcmtu$$
VA=lcma$$
VB=lcmb$$
TAP=lcmt$$
veth_netns "$NS" "$VA" "$VB" 9000

cat >"$T/send.py" <<'PYEOF'
import socket, struct, sys
iface = sys.argv[1]
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind((iface, 0))
for i in range(100):
    size = 9014 if i % 2 == 0 else 100
    head = bytes.fromhex("02000000000b02000000000a88b5") + struct.pack(">I", i)
    s.send(head + bytes((i + k) & 0xff for k in range(size - len(head))))
PYEOF

send_afp() { ip netns exec "$NS" python3 "$T/send.py" "$VA"; }
send_tap() {
	ip -n "$NS" link set "$TAP" mtu 9000 up || fail "cannot set $TAP's MTU to 9000"
	ip netns exec "$NS" sysctl -qw "net.ipv6.conf.$TAP.disable_ipv6=1" || true
	sleep 0.5
	ip netns exec "$NS" python3 "$T/send.py" "$TAP"
}

# run NAME DEV ARGS...: capture on DEV in $NS while send_NAME sends, stop, judge.
run() {
	local name=$1 dev=$2 n j out=$T/$1.pcap
	shift 2
	netns_capture "$NS" 60 "send_$name" capture -i "$dev" -w "$out" --duration 40 \
		--stats-json "$T/$name.json" --eal '--no-huge -m 1024' "$@"
	grep '^port 0 ' "$LC_ERR"
	check_invariant "$T/$name.json"
	# only our frames (ethertype 0x88b5): the kernel may add its own on tap
	tcpdump -r "$out" -w "$T/$name-ours.pcap" 'ether proto 0x88b5' 2>/dev/null
	n=$("$PCAPCHECK" count "$T/$name-ours.pcap")
	[ "$n" -eq 100 ] || fail "$name: $n of the 100 frames sent are in the file"
	j=$(tcpdump -enr "$T/$name-ours.pcap" 'len == 9014' 2>/dev/null | grep -c 'length 9014' || true)
	[ "$j" -eq 50 ] || fail "$name: $j of the 50 jumbo frames are in the file with length 9014"
	check "$PCAPCHECK" valid "$T/$name-ours.pcap" --snaplen 9014
	[ "$(python3 - "$T/$name-ours.pcap" <<'PY'
import struct, sys
d = open(sys.argv[1], "rb").read()
off, whole = 24, 0
while off + 16 <= len(d):
    _, _, incl, orig = struct.unpack_from("<IIII", d, off)
    whole += incl == orig == 9014
    off += 16 + incl
print(whole)
PY
)" -eq 50 ] || fail "$name: jumbo frames are not whole (caplen != len)"
	ok "$name: 50 frames of 9014 bytes captured whole (and 50 small ones)"
}

run afp "net_af_packet0,iface=$VB,framesz=16384,blocksz=16384"
grep -q 'frames up to 16352 bytes whole (framesz)' "$LC_ERR" || fail "af_packet: the plan line does not say the frame size"
run tap "net_tap0,iface=$TAP"
grep -Eq 'MTU [0-9]+ \(.*\), frames up to [0-9]+ bytes whole \(rx scatter\)' "$LC_ERR" ||
	fail "tap: the plan line does not say MTU and rx scatter"

lc 60 capture -i net_null0,size=64 -w "$T/null.pcap" -c 10 --mtu 9000 -q --eal "$EAL"
expect_rc 2
grep -q -- '--mtu 9000: port net_null0 (net_null) takes an MTU from' "$LC_ERR" || { show "$LC_ERR"; fail "no one-line --mtu error"; }
ok "--mtu beyond the device: exit 2, one line"
