#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Live hand-off to libpcap tools through -w -:
#  1. `linecap capture ... -w - | tcpdump -r -` prints every packet;
#  2. Wireshark-style `-k -i -` (tshark -i -) reads the same stream live;
#  3. the pcap file header reaches the pipe at once, before any packet (a
#     live reader blocks on it), with no traffic at all.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
require_cmd tcpdump tshark

IN=$T/in.pcap
N=3000
check "$PCAPCHECK" gen-flows "$IN" 10 "$N" 9
LCARGS=(capture -i "net_pcap0,rx_pcap=$IN" -w - -c "$N" --duration 30 -q --eal "$EAL")

set +e
timeout -k 5 60 "$LINECAP" "${LCARGS[@]}" 2>"$LC_ERR" | tcpdump -r - -nn >"$T/td.out" 2>"$T/td.err"
rcs=("${PIPESTATUS[@]}")
set -e
[ "${rcs[0]}" -eq 0 ] && [ "${rcs[1]}" -eq 0 ] || { show "$LC_ERR"; show "$T/td.err"; fail "pipeline exit ${rcs[*]}"; }
[ "$(wc -l <"$T/td.out")" -eq "$N" ] || fail "tcpdump -r - printed $(wc -l <"$T/td.out") packets, expected $N"
ok "-w - | tcpdump -r -: $N packets"

set +e
timeout -k 5 60 "$LINECAP" "${LCARGS[@]}" 2>"$LC_ERR" | timeout 60 tshark -i - -n >"$T/ts.out" 2>"$T/ts.err"
rcs=("${PIPESTATUS[@]}")
set -e
[ "${rcs[0]}" -eq 0 ] || { show "$LC_ERR"; fail "linecap exit ${rcs[0]} into tshark -i -"; }
[ "$(grep -c . "$T/ts.out")" -eq "$N" ] || { show "$T/ts.err"; fail "tshark -i - printed $(grep -c . "$T/ts.out") packets, expected $N"; }
ok "-w - | tshark -i -: $N packets"

# no packets at all (a memif port nobody connects to): the 24-byte header
# must still arrive within 3 s
set +e
timeout -k 5 30 "$LINECAP" capture -i "net_memif0,role=server,socket=$T/idle.sock" -w - --duration 4 -q \
	--eal "$EAL" 2>"$LC_ERR" | python3 -c '
import os, select, sys, time
t0 = time.time()
r, _, _ = select.select([0], [], [], 3.0)
if not r:
    sys.exit("no byte within 3 s")
hdr = b""
while len(hdr) < 24 and time.time() - t0 < 3.0:
    chunk = os.read(0, 24 - len(hdr))
    if not chunk:
        break
    hdr += chunk
if len(hdr) < 24 or hdr[:4] not in (bytes.fromhex("4d3cb2a1"), bytes.fromhex("d4c3b2a1")):
    sys.exit("got %r, not a pcap header" % hdr)
print("header after %.3f s" % (time.time() - t0))
sys.stdin.buffer.read()
' >"$T/hdr.out" 2>&1
rcs=("${PIPESTATUS[@]}")
set -e
[ "${rcs[1]}" -eq 0 ] || { show "$LC_ERR"; fail "idle -w -: $(cat "$T/hdr.out")"; }
[ "${rcs[0]}" -eq 0 ] || { show "$LC_ERR"; fail "idle capture exit ${rcs[0]}"; }
ok "idle -w -: pcap $(cat "$T/hdr.out")"
passed_line
