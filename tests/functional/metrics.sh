#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# --metrics ADDR:PORT: the Prometheus endpoint of a real capture, scraped by real clients.
#   1. net_null -> /dev/null with --metrics: scrapes with curl while traffic flows, each
#      one accepted by `promtool check metrics`; no counter ever goes down; /healthz 200;
#      a bounded loop of hostile requests (garbage, bad request lines, a huge URL and
#      header, POST, a slowloris flood over the connection limit) during the capture,
#      the endpoint answers afterwards and the invariant is exact at the end.
#   2. net_pcap reading a file to its end, then idle: the last scrape equals the
#      --stats-json totals exactly, and a real Prometheus server (Debian's), scraping
#      every second, returns the same linecap_packets_written_total from its HTTP API;
#      the output file holds exactly that many packets.
#   3. bad --metrics values and a port already in use: one line, exit 2, before the EAL.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
require_cmd curl promtool prometheus python3

# shellcheck source=metrics_lib.sh
source "$(dirname "$0")/metrics_lib.sh"

# --- 1. traffic flowing: promtool, monotonic counters, /healthz, hostile clients ---------
P=$($MC free-port)
J=$T/a.json
timeout -k 5 120 "$LINECAP" capture -i net_null0,size=64 -w /dev/null --duration 100 -q \
	--stats-json "$J" --metrics "127.0.0.1:$P" --eal "$EAL" >"$LC_OUT" 2>"$LC_ERR" &
LPID=$!
BG_PIDS+=("$LPID")
wait_running "$P" "$LPID"
prev=
for i in 1 2 3 4 5; do
	scrape "$P" "$T/s$i.txt"
	if [ -n "$prev" ]; then
		$MC mono "$prev" "$T/s$i.txt" || fail "a counter went down between scrapes $((i - 1)) and $i"
	fi
	prev=$T/s$i.txt
	sleep 0.3
done
r1=$($MC sum "$T/s1.txt" linecap_packets_received_total)
r5=$($MC sum "$T/s5.txt" linecap_packets_received_total)
[ "$r5" -gt "$r1" ] || fail "linecap_packets_received_total did not grow while net_null runs ($r1 -> $r5)"
for n in linecap_packets_written_total linecap_written_bytes_total linecap_packets_in_flight \
	linecap_packets_filtered_total linecap_build_info linecap_output_free_bytes; do
	$MC sum "$T/s5.txt" "$n" >/dev/null || fail "no $n in the scrape"
done
$MC sum "$T/s5.txt" linecap_packets_dropped_total cause=ring_full >/dev/null ||
	fail "no ring_full drop counter"
# net_null maintains none of imissed/ierrors/rx_nombuf: left out, not 0
! grep -Eq 'cause="(imissed|ierrors|rx_nombuf)"' "$T/s5.txt" ||
	fail "a counter net_null does not maintain is reported"
grep -q '^linecap_build_info{version="[^"]*",dpdk="DPDK [0-9.]*",source="dpdk"} 1$' "$T/s5.txt" ||
	fail "linecap_build_info missing or malformed"
h=$(curl -s -m 5 -w '%{http_code}' "http://127.0.0.1:$P/healthz" | tr '\n' ' ')
[ "$h" = "ok 200" ] || fail "/healthz while capturing: '$h', expected 'ok 200'"
code=$(curl -s -m 5 -o /dev/null -w '%{http_code}' "http://127.0.0.1:$P/nope")
[ "$code" = 404 ] || fail "GET /nope: HTTP $code, expected 404"
ok "5 scrapes while net_null runs: promtool accepts each, no counter goes down ($r1 -> $r5 received); /healthz ok"

$MC hostile "$P" 3 >"$T/hostile.out" 2>&1 || { show "$T/hostile.out"; fail "the hostile client failed"; }
cat "$T/hostile.out"
kill -0 "$LPID" 2>/dev/null || { show "$LC_ERR"; fail "linecap died under hostile requests"; }
scrape "$P" "$T/s6.txt"
$MC mono "$prev" "$T/s6.txt" || fail "a counter went down across the hostile requests"
ok "after 3 rounds of hostile requests the endpoint still serves valid scrapes"
kill -INT "$LPID" # a loaded machine slows the scrapes: the capture runs until here
LC_RC=0
wait "$LPID" || LC_RC=$?
expect_rc 0
check_invariant "$J"
last=$($MC sum "$T/s6.txt" linecap_packets_received_total)
[ "$last" -le "$(json_get "$J" '.totals.received')" ] || fail "a scrape saw more than the final total"
# the endpoint goes away with the capture
! curl -s -m 2 "http://127.0.0.1:$P/metrics" >/dev/null 2>&1 || fail "port $P still answers after exit"
ok "capture under hostile requests: exit 0, invariant exact, endpoint closed at exit"

# --- 2. exact totals after the input is consumed; a real Prometheus server ---------------
N=20000
lc 60 capture -i net_null0,size=64 -w "$T/in.pcap" -c "$N" -q --eal "$EAL"
expect_rc 0
P=$($MC free-port)
PP=$($MC free-port)
cat >"$T/prom.yml" <<YML
global:
  scrape_interval: 1s
  scrape_timeout: 1s
scrape_configs:
  - job_name: linecap
    static_configs:
      - targets: ['127.0.0.1:$P']
YML
promtool check config "$T/prom.yml" >/dev/null || fail "promtool rejects the test's prometheus.yml"
timeout -k 5 90 prometheus --config.file="$T/prom.yml" --storage.tsdb.path="$T/tsdb" \
	--web.listen-address="127.0.0.1:$PP" --log.level=warn >"$T/prom.log" 2>&1 &
BG_PIDS+=("$!")
J=$T/b.json
timeout -k 5 90 "$LINECAP" capture -i "net_pcap0,rx_pcap=$T/in.pcap" -w "$T/b.pcap" --duration 40 \
	-q --stats-json "$J" --metrics "127.0.0.1:$P" --eal "$EAL" >"$LC_OUT" 2>"$LC_ERR" &
LPID=$!
BG_PIDS+=("$LPID")
wait_running "$P" "$LPID"
# the file is read to its end within a second or two; then nothing moves
for _ in $(seq 100); do
	scrape "$P" "$T/b1.txt"
	[ "$($MC sum "$T/b1.txt" linecap_packets_written_total)" -ge "$N" ] && break
	sleep 0.2
done
sleep 1.5
scrape "$P" "$T/b2.txt"
# Prometheus: its HTTP API returns the value it scraped (bounded wait)
pw=
for _ in $(seq 60); do
	pw=$(curl -s -m 2 "http://127.0.0.1:$PP/api/v1/query?query=sum(linecap_packets_written_total)" |
		jq -r '.data.result[0].value[1] // empty' 2>/dev/null || true)
	[ "$pw" = "$N" ] && break
	sleep 0.5
done
[ "$pw" = "$N" ] || { show "$T/prom.log"; fail "Prometheus API: sum(linecap_packets_written_total) = '$pw', expected $N"; }
ok "Prometheus (scrape every 1 s) reports linecap_packets_written_total $pw"
kill -INT "$LPID"
LC_RC=0
wait "$LPID" || LC_RC=$?
expect_rc 0
check_invariant "$J"
for pair in "linecap_packets_received_total:.totals.received" \
	"linecap_packets_written_total:.totals.written" \
	"linecap_packets_filtered_total:.totals.filtered" \
	"linecap_written_bytes_total:.totals.bytes_written" \
	"linecap_received_bytes_total:.totals.bytes_received"; do
	m=$($MC sum "$T/b2.txt" "${pair%%:*}")
	js=$(json_get "$J" "${pair#*:}")
	[ "$m" = "$js" ] || fail "last scrape ${pair%%:*} = $m, --stats-json ${pair#*:} = $js"
done
m=$($MC sum "$T/b2.txt" linecap_packets_dropped_total cause=ring_full)
[ "$m" = "$(json_get "$J" .totals.dropped_ring_full)" ] || fail "ring_full drops: scrape $m != JSON"
m=$($MC sum "$T/b2.txt" linecap_packets_dropped_total cause=write_error)
[ "$m" = "$(json_get "$J" .totals.dropped_write_error)" ] || fail "write_error drops: scrape $m != JSON"
[ "$($MC sum "$T/b2.txt" linecap_packets_in_flight)" = 0 ] || fail "packets in flight after the input ended"
check "$PCAPCHECK" valid "$T/b.pcap" --count "$(json_get "$J" .totals.written)"
ok "after the input ended, the last scrape equals the --stats-json totals exactly ($N packets)"

# --- 3. bad values and a busy port: one line, exit 2, nothing started --------------------
for bad in 127.0.0.1 127.0.0.1:0 127.0.0.1:65536 localhost:9100 '[::1:9100' :9100 \
	127.0.0.1:9x 999.1.1.1:80; do
	lc 30 capture -i net_null0 -w "$T/x.pcap" --metrics "$bad" --eal "$EAL"
	expect_rc 2
	if ! { [ "$(wc -l <"$LC_ERR")" -eq 1 ] && grep -q "^linecap: --metrics '" "$LC_ERR"; }; then
		show "$LC_ERR"
		fail "--metrics '$bad': expected one 'linecap: --metrics' line"
	fi
done
P=$($MC free-port)
$MC hold "$P" 30 >"$T/hold.out" &
BG_PIDS+=("$!")
wait_for "$T/hold.out" listening "$!" "the port holder"
lc 30 capture -i net_null0 -w "$T/x.pcap" --metrics "127.0.0.1:$P" --eal "$EAL"
expect_rc 2
if ! { [ "$(wc -l <"$LC_ERR")" -eq 1 ] && grep -q "Address already in use" "$LC_ERR"; }; then
	show "$LC_ERR"
	fail "busy port: expected one line naming the error"
fi
! grep -q EAL "$LC_ERR" || fail "busy port: the EAL started"
[ ! -e "$T/x.pcap" ] || fail "busy port: an output file was created"
ok "bad --metrics values and a busy port: one line, exit 2, no output file, no EAL"

passed_line
