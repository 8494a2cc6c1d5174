#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# linecap_block_write_seconds, the block write latency histogram of --metrics, on a real
# capture to a file: net_pcap reads a file of 1000-byte packets to its end, then idles
# (--flush-ms writes the rest of the open block). Then, from the last scrape:
#   - promtool accepts it; per writer, buckets never go down as `le` grows, the +Inf
#     bucket equals _count, no counter went down since the previous scrape;
#   - _count is exactly the number of 1 MiB blocks sealed so far:
#     floor((24-byte pcap header + linecap_written_bytes_total) / 1 MiB);
#   - _sum is positive, the mean below 10 s; no block write was refused.
# At exit the JSON's write calls exceed that count (the last block, the flushes), the
# invariant is exact and the file reads back with exactly `written` packets.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
require_cmd curl promtool python3
# shellcheck source=metrics_lib.sh
source "$(dirname "$0")/metrics_lib.sh"

N=30000
BLOCK=1048576
make_input "$N" 1000
P=$($MC free-port)
J=$T/o.json
start_capture "$P" "$J" 90 -i "net_pcap0,rx_pcap=$T/in.pcap" -w "$T/o.pcap" --duration 60
wait_running "$P" "$LPID"
# the input is read to its end within seconds: every packet received and settled
wait_settled "$P" "$N" "$T/s1.txt"
sleep 2 # --flush-ms (1 s) writes the records still in the open block
scrape "$P" "$T/s2.txt"
$MC mono "$T/s1.txt" "$T/s2.txt" || fail "a counter or histogram bucket went down between scrapes"
$MC hist "$T/s2.txt" linecap_block_write_seconds >"$T/hist.out" ||
	{ show "$T/hist.out"; fail "linecap_block_write_seconds is not a valid histogram"; }
cat "$T/hist.out"
[ "$(wc -l <"$T/hist.out")" -eq 1 ] || fail "expected one series (writer 0)"
read -r labels count sum <"$T/hist.out"
[ "$labels" = writer=0 ] || fail "histogram series labels '$labels', expected writer=0"
wb=$($MC sum "$T/s2.txt" linecap_written_bytes_total)
blocks=$(((24 + wb) / BLOCK))
[ "$blocks" -ge 5 ] || fail "only $blocks blocks written ($wb bytes): too few to test"
[ "$count" -eq "$blocks" ] ||
	fail "linecap_block_write_seconds_count $count != blocks sealed $blocks (24 + $wb bytes / 1 MiB)"
awk -v s="$sum" -v c="$count" 'BEGIN { exit !(s > 0 && s / c < 10) }' ||
	fail "linecap_block_write_seconds_sum $sum for $count blocks: not a plausible latency"
[ "$($MC sum "$T/s2.txt" linecap_block_write_failures_total)" -eq 0 ] ||
	fail "block writes refused on a healthy disk"
ok "histogram: $count block writes = (24 + $wb) / 1 MiB, sum ${sum} s, buckets monotone, +Inf = count"

kill -INT "$LPID"
LC_RC=0
wait "$LPID" || LC_RC=$?
expect_rc 0
check_invariant "$J"
wc_=$(json_get "$J" '.writers[0].write_calls')
[ "$wc_" -gt "$count" ] || fail "write_calls $wc_ <= histogram count $count (the last block is written at exit)"
check "$PCAPCHECK" valid "$T/o.pcap" --count "$(json_get "$J" .totals.written)"
ok "exit 0, invariant exact, $wc_ write calls (> $count), the file holds every written packet"
passed_line
