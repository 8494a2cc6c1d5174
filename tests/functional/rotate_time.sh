#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# -G 1 on live traffic with an idle stretch. A veth pair in a network
# namespace made here; linecap captures one end through net_af_packet
# (TPACKET_V2: each frame is handed over at once; libpcap's TPACKET_V3 in
# net_pcap holds frames until a block retires, which under load took seconds),
# a sender replays the input into the other end: traffic
# across a second boundary, then idle for more than a whole window, then the
# rest. Checks:
#   - files are named by their window (-w cap-%s.pcap) and each holds only
#     packets stamped inside it, so -G follows the wall clock;
#   - while idle, the last window's file is already published (closed and
#     renamed without waiting for the next packet), and no file is made for
#     the empty window;
#   - the files in time order are exactly the input; no temporary file is left;
#     -z runs once per file.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
require_cmd ip python3 tshark

IN=$T/in.pcap
N=3000
NA=2000 # before the idle stretch
check "$PCAPCHECK" gen-flows "$IN" 30 "$N" 61

NS=lcrot$$
VA=lcra$$
VB=lcrb$$
veth_netns "$NS" "$VA" "$VB" 9000

Z=$T/z.sh
printf '#!/bin/sh\necho "$1" >>"%s"\n' "$T/z.log" >"$Z"
chmod +x "$Z"
: >"$T/z.log"

# The sender: frames of IN, in order, through a packet socket on VA.
cat >"$T/send.py" <<'PYEOF'
import socket, struct, sys, time
path, iface, first, last, span, start_frac = sys.argv[1:7]
first, last, span, start_frac = int(first), int(last), float(span), float(start_frac)
data = open(path, "rb").read()
off, frames = 24, []
while off + 16 <= len(data):
    caplen = struct.unpack_from("<I", data, off + 8)[0]
    frames.append(data[off + 16:off + 16 + caplen])
    off += 16 + caplen
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind((iface, 0))
# start start_frac into the next second, spread the frames over span seconds
t0 = int(time.time()) + 1 + start_frac
while time.time() < t0:
    time.sleep(0.005)
n = last - first
for i, f in enumerate(frames[first:last]):
    due = t0 + span * i / n
    while time.time() < due:
        time.sleep(0.0005)
    s.send(f)
print("%.3f %.3f" % (t0, time.time()))
PYEOF

D=$T/g && mkdir "$D"
# framecnt: a kernel ring that holds the whole input. With the default 512 frames
# a stall of the rx lcore of ~0.2 s on a loaded CI machine overflowed the ring
# (those drops show as imissed, but the files then lack frames of the input).
LCARGS=(capture -i "net_af_packet0,iface=$VB,framecnt=4096" -w "$D/cap-%s.pcap" -G 1 -z "$Z" -c "$N" --duration 60
	-q --stats-json "$T/g.json" --eal "$EAL")
LC_CMD="ip netns exec $NS $(qcmd "$LINECAP" "${LCARGS[@]}")"
timeout -k 5 90 ip netns exec "$NS" "$LINECAP" "${LCARGS[@]}" >"$LC_OUT" 2>"$LC_ERR" &
LCPID=$!
BG_PIDS+=("$LCPID")
wait_for "$LC_ERR" '^plan:' "$LCPID" "linecap ($LC_CMD)"
sleep 0.5

# traffic A: 2000 packets over 1.5 s from 0.3 s into a second: crosses a boundary
ip netns exec "$NS" python3 "$T/send.py" "$IN" "$VA" 0 "$NA" 1.5 0.3 >"$T/a.times" ||
	fail "sender A failed"
read -r a0 a1 <"$T/a.times"
# idle: the window of the last A packet ends at ceil(a1) (or the next one, for a
# frame the kernel delivers late); its file must be
# published soon after, before any more traffic
end_a=$(python3 -c "import math; print(math.ceil($a1))")
# (1.5 s: on a loaded machine the kernel may hand a frame over late)
python3 -c "import time; time.sleep(max(0, $end_a + 1.5 - time.time()))"
pub=0
for f in "$D"/cap-*.pcap; do
	[ -e "$f" ] || continue
	pub=$((pub + $("$PCAPCHECK" count "$f")))
done
[ "$pub" -eq "$NA" ] || { ls -la "$D"; fail "1.5 s after the window of the last packet closed, published files hold $pub packets, expected $NA: an idle window end does not publish"; }
ok "traffic A ($a0..$a1): crossed a boundary; all $NA packets published while idle"

# stay idle for one more whole window, then traffic B
ip netns exec "$NS" python3 "$T/send.py" "$IN" "$VA" "$NA" "$N" 0.4 0.3 >"$T/b.times" ||
	fail "sender B failed"
LC_RC=0
wait "$LCPID" || LC_RC=$?
[ "$LC_RC" -eq 0 ] || { show "$LC_ERR" 30; fail "exit $LC_RC: $LC_CMD"; }
check_invariant "$T/g.json"
read -r b0 b1 <"$T/b.times"

mapfile -t list < <(find "$D" -name 'cap-*.pcap' | sort -t- -k2 -n)
files=${#list[@]}
[ "$files" -eq "$(json_get "$T/g.json" '.writers[0].files')" ] || fail "$files files, JSON says otherwise"
[ "$files" -ge 3 ] || { ls -la "$D"; fail "only $files files for traffic over 3+ windows"; }
prev=
gap=0
for f in "${list[@]}"; do
	w=${f##*/cap-}
	w=${w%.pcap}
	bad=$(tshark -r "$f" -T fields -e frame.time_epoch 2>/dev/null | awk -v w="$w" '{split($1, a, "."); if (a[1] != w) n++} END {print n + 0}')
	[ "$bad" -eq 0 ] || fail "$f holds $bad packets stamped outside its window $w..$((w + 1))"
	[ "$("$PCAPCHECK" count "$f")" -gt 0 ] || fail "$f is empty"
	[ -z "$prev" ] || [ $((w - prev)) -lt 2 ] || gap=1
	prev=$w
done
[ "$gap" -eq 1 ] || fail "no window is missing between traffic A ($a0..$a1) and B ($b0..$b1): idle made a file"
check "$PCAPCHECK" same "$IN" "${list[@]}"
left=$(find "$D" -name '.*.part')
[ -z "$left" ] || fail "temporary files left: $left"
[ "$(sort -u "$T/z.log" | wc -l)" -eq "$files" ] && [ "$(wc -l <"$T/z.log")" -eq "$files" ] ||
	{ show "$T/z.log"; fail "-z did not run exactly once per file"; }
ok "-G 1: $files files, each holding only its own window, none for the idle window; together exactly the input"

passed_line
