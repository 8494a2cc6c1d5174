#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# The example Grafana dashboard (docs/grafana/linecap-dashboard.json) against a real
# capture's /metrics: valid JSON, every panel titled and with queries, every linecap_*
# series its queries (and its instance variable) name is one this capture exports
# (net_pcap to rotating files with --max-disk, so the disk and retention series exist
# too), and every query is valid PromQL (`promtool check rules` on them as recording
# rules, Grafana's variables replaced). A dashboard naming a series linecap does not
# export fails here (checked with a broken copy).
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
require_cmd curl promtool python3 jq
# shellcheck source=metrics_lib.sh
source "$(dirname "$0")/metrics_lib.sh"
DASH=$(cd "$(dirname "$0")/../../docs/grafana" && pwd)/linecap-dashboard.json

jq -e '.panels | length > 0' "$DASH" >/dev/null || fail "$DASH is not valid JSON with panels"

N=3000
make_input "$N" 1000
mkdir "$T/out"
P=$($MC free-port)
start_capture "$P" "$T/d.json" 90 -i "net_pcap0,rx_pcap=$T/in.pcap" -w "$T/out/cap.pcap" -C 1 \
	--max-disk 7M --duration 60
wait_running "$P" "$LPID"
wait_settled "$P" "$N" "$T/s.txt"
sleep 1.5 # a retention pass after the last file published
scrape "$P" "$T/s.txt"

$MC dash "$DASH" "$T/s.txt" >"$T/exprs.txt" 2>"$T/dash.err" ||
	{ show "$T/dash.err"; fail "the dashboard names series linecap does not export"; }
n=$(wc -l <"$T/exprs.txt")
{
	echo 'groups:'
	echo '  - name: dashboard'
	echo '    rules:'
	i=0
	while IFS= read -r e; do
		i=$((i + 1))
		printf '      - record: linecap:dashboard:%d\n        expr: %s\n' "$i" "$(jq -Rn --arg e "$e" '$e')"
	done <"$T/exprs.txt"
} >"$T/dash_rules.yaml"
promtool check rules "$T/dash_rules.yaml" >"$T/promtool.out" 2>&1 ||
	{ show "$T/promtool.out"; fail "a dashboard query is not valid PromQL"; }
ok "dashboard: $n queries, each valid PromQL naming only series a real capture exports"

# the check can fail: a panel with a series linecap does not export
jq '.panels[1].targets[0].expr = "rate(linecap_no_such_thing_total[5m])"' "$DASH" >"$T/broken.json"
! $MC dash "$T/broken.json" "$T/s.txt" >/dev/null 2>&1 || fail "a dashboard with an unknown series passed"
ok "a dashboard naming an unknown series is refused"

kill -INT "$LPID"
LC_RC=0
wait "$LPID" || LC_RC=$?
expect_rc 0
check_invariant "$T/d.json"
passed_line
