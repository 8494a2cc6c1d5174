#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# /healthz of --metrics on a full disk, and after space returns. The output is a 16 MiB
# tmpfs (a private mount namespace: the whole test runs in it), 6 MiB of it taken by a
# file of another program; net_pcap offers 20 MB at once, then nothing, and with
# --on-disk-full drop the writer keeps its failed block and retries it every 100 ms.
#   - /healthz says 200 ok at first and, once writes have kept failing for more than
#     10 s (no packets arrive any more: the refused retries count), 503 "writes
#     failing ..."; linecap_block_write_failures_total grows meanwhile;
#   - the other program's file is deleted: the held blocks are written, /healthz is
#     200 ok again within 5 s and the refused writes stop growing;
#   - at exit the counters add up exactly and the file (read back) holds exactly
#     `written` packets, with packets written after the disk was full.
# shellcheck source=metrics_lib.sh
source "$(dirname "$0")/metrics_lib.sh"
private_mounts "$@"
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
small_fs 16 6
N=20000
make_input "$N" 1000
P=$($MC free-port)
J=$T/full.json
start_capture "$P" "$J" 120 -i "net_pcap0,rx_pcap=$T/in.pcap" -w "$S/x.pcap" --duration 90 \
	--on-disk-full drop
turns_unhealthy "$P" "$LPID" "writes failing for"
v=$(two_scrapes "$P" full linecap_block_write_failures_total)
read -r f1 f2 <<<"$v"
[ "$f2" -gt "$f1" ] || fail "linecap_block_write_failures_total did not grow on a full disk ($f1 -> $f2)"
w1=$($MC sum "$T/full2.txt" linecap_packets_written_total)
ok "full disk: /healthz ok at probe ${FIRST}, 503 'writes failing' at probe ${BAD}; refused block writes $f1 -> $f2"

# space returns
rm -f "$S/other.bin"
turns_healthy "$P"
v=$(two_scrapes "$P" ok linecap_block_write_failures_total)
read -r f3 f4 <<<"$v"
[ "$f3" -eq "$f4" ] || fail "block writes still refused after space returned ($f3 -> $f4)"
w2=$($MC sum "$T/ok2.txt" linecap_packets_written_total)
[ "$w2" -gt "$w1" ] || fail "nothing written after space returned ($w1 -> $w2)"
ok "space returned: /healthz ok after ${GOOD} s, refusals stopped at $f4, written $w1 -> $w2"

kill -INT "$LPID"
LC_RC=0
wait "$LPID" || LC_RC=$?
# 5: the run met a write error (the output was not writable for a while)
[ "$LC_RC" -eq 0 ] || [ "$LC_RC" -eq 5 ] || { show "$LC_ERR"; fail "exit $LC_RC after the disk recovered"; }
check_invariant "$J"
[ "$(json_get "$J" .totals.dropped_write_error)" -gt 0 ] || fail "no write errors on a full disk"
check "$PCAPCHECK" valid "$S/x.pcap" --count "$(json_get "$J" .totals.written)"
ok "exit $LC_RC, invariant exact, the file holds exactly the written packets"
passed_line
