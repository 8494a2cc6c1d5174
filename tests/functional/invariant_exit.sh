#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# A run whose invariant breaks never exits 0 (issue 12): whenever the summary says
# "linecap: BUG: received N != written + drops M" (or the JSON says invariant_ok
# false), the exit status is 1; when the counters add up, it is 0. The run is a real
# libpcap capture on the loopback of a network namespace of its own, with UDP sent
# there; on that path libpcap's ps_recv counts each outgoing copy that it then
# discards (issue 12, defect 2), which breaks the invariant for as long as that
# defect stands. Either way the exit status must agree with the counters.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
require_cmd ip python3

[ "$(id -u)" -eq 0 ] || fail "needs root (network namespace)"
ns=lcinv$$
ip netns add "$ns" || fail "cannot create network namespace $ns"
NETNS+=("$ns")
ip -n "$ns" link set lo up || fail "cannot bring lo up in $ns"
j=$T/s.json
ip netns exec "$ns" timeout -k 5 60 "$LINECAP" capture -i lo -w "$T/lo.pcap" --duration 3 -q \
	--stats-json "$j" >"$LC_OUT" 2>"$LC_ERR" &
lpid=$!
BG_PIDS+=("$lpid")
wait_for "$LC_ERR" '^source: libpcap' "$lpid" "the capture on lo"
ip netns exec "$ns" python3 -c '
import socket, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for i in range(200):
    s.sendto(b"x" * 64, ("127.0.0.1", 9))
    time.sleep(0.002)
' || fail "cannot send UDP on lo in $ns"
rc=0
wait "$lpid" || rc=$?
show "$LC_ERR" 20
[ -s "$j" ] || fail "stats JSON $j was not written (exit $rc)"
received=$(json_get "$j" .totals.received)
inv=$(jq -r .invariant_ok "$j") # json_get (jq -e) refuses false
[ "$received" -gt 0 ] || fail "the capture on lo received nothing: the check would prove nothing"
bug=0
grep -q '^linecap: BUG: received [0-9]* != written + drops [0-9]*$' "$LC_ERR" && bug=1
if [ "$bug" -eq 1 ] || [ "$inv" != true ]; then
	if [ "$bug" -ne 1 ] || [ "$inv" != false ]; then
		fail "summary BUG line ($bug) and invariant_ok ($inv) disagree"
	fi
	[ "$rc" -eq 1 ] || fail "the invariant broke (invariant_ok false, BUG line) but linecap exited $rc, not 1"
	ok "invariant broken on lo ($received received): BUG line, invariant_ok false, exit 1"
else
	[ "$rc" -eq 0 ] || fail "the invariant held ($received received) but linecap exited $rc"
	ok "invariant held on lo ($received received): exit 0 (the broken case is not reachable here)"
fi
passed_line
