#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Kernel ring drops on net_af_packet are counted. DPDK 22.11's PMD does not read
# PACKET_STATISTICS, so linecap reads its sockets' tp_drops into imissed.
# A veth pair in a network namespace made here; linecap captures one end through
# net_af_packet with a small kernel ring (framecnt=128) and is stopped (SIGSTOP)
# while a sender puts N frames into the other end, so the ring overflows. Then:
#   - every frame sent is either captured or counted: ipackets + imissed == N;
#   - imissed > 0 (the ring did overflow), and the summary line shows it;
#   - the file holds exactly the received frames, and the invariant holds.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
require_cmd ip python3

N=2000
NS=lcafp$$
VA=lcafa$$
VB=lcafb$$
veth_netns "$NS" "$VA" "$VB"

# N distinct 100-byte frames, paced so the veth backlog (1000) never overflows
cat >"$T/send.py" <<'PYEOF'
import socket, struct, sys, time
iface, n = sys.argv[1], int(sys.argv[2])
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind((iface, 0))
for i in range(n):
    s.send(bytes.fromhex("02000000000b02000000000a88b5") + struct.pack(">I", i) + bytes(82))
    if i % 100 == 99:
        time.sleep(0.002)
PYEOF

OUT=$T/afp.pcap
LCARGS=(capture -i "net_af_packet0,iface=$VB,framecnt=128" -w "$OUT" --duration 60
	--stats-json "$T/afp.json" --eal "$EAL")
LC_CMD="ip netns exec $NS $(qcmd "$LINECAP" "${LCARGS[@]}")"
timeout -k 5 90 ip netns exec "$NS" "$LINECAP" "${LCARGS[@]}" >"$LC_OUT" 2>"$LC_ERR" &
BG_PIDS+=("$!")
wait_for "$LC_ERR" '^plan:' "${BG_PIDS[-1]}" "linecap ($LC_CMD)"
LCPID=$(pgrep -f -n -- "iface=$VB,framecnt=128") || fail "cannot find linecap's pid"
sleep 0.5

kill -STOP "$LCPID"
ip netns exec "$NS" python3 "$T/send.py" "$VA" "$N" || { kill -CONT "$LCPID"; fail "sender failed"; }
kill -CONT "$LCPID"
sleep 1
kill -INT "$LCPID"
LC_RC=0
for _ in $(seq 100); do kill -0 "$LCPID" 2>/dev/null || break; sleep 0.1; done
wait "${BG_PIDS[-1]}" || LC_RC=$?
[ "$LC_RC" -eq 0 ] || { show "$LC_ERR" 30; fail "exit $LC_RC: $LC_CMD"; }
check_invariant "$T/afp.json"

ipk=$(json_get "$T/afp.json" '.ports[0].ipackets')
miss=$(json_get "$T/afp.json" '.ports[0].imissed')
[ "$miss" != null ] || fail "imissed is n/a on net_af_packet: kernel ring drops are not read"
[ "$miss" -gt 0 ] || fail "imissed is 0: the 128-frame ring did not overflow while linecap was stopped ($ipk received)"
[ $((ipk + miss)) -eq "$N" ] || fail "ipackets $ipk + imissed $miss != $N frames sent"
got=$("$PCAPCHECK" count "$OUT")
[ "$got" -eq "$ipk" ] || fail "the file holds $got frames, ipackets says $ipk"
grep -q "imissed $miss\|$miss imissed\|imissed: $miss" "$LC_ERR" ||
	{ show "$LC_ERR" 20; fail "the summary does not show imissed $miss"; }
ok "net_af_packet: $N frames sent = $ipk captured + $miss dropped by the kernel ring (imissed)"
passed_line
