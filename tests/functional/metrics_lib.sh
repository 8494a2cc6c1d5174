# SPDX-License-Identifier: BSD-3-Clause
# Sourced by the metrics*.sh tests after lib.sh:
#   $MC                   tests/functional/metrics_client.py (free-port, sum, mono, hist, ...)
#   scrape PORT FILE      GET /metrics into FILE; fails unless HTTP 200 and
#                         `promtool check metrics` accepts it
#   wait_running PORT PID until /metrics says linecap_capture_running 1 (30 s)
#   health PORT           print "<body> <HTTP code>" of GET /healthz on one line
MC="python3 $(dirname "$0")/metrics_client.py"

# scrape PORT FILE: GET /metrics into FILE; fail unless 200 and promtool accepts it.
scrape() {
	local code
	code=$(curl -s -m 5 -o "$2" -w '%{http_code}' "http://127.0.0.1:$1/metrics") || code=000
	[ "$code" = 200 ] || { show "$2"; fail "GET /metrics on port $1: HTTP $code"; }
	promtool check metrics <"$2" >"$T/promtool.out" 2>&1 ||
		{ show "$T/promtool.out"; show "$2" 60; fail "promtool check metrics rejected the scrape $2"; }
}

# wait_running PORT PID: until /metrics says linecap_capture_running 1 (30 s).
wait_running() {
	local _
	for _ in $(seq 300); do
		curl -s -m 1 "http://127.0.0.1:$1/metrics" 2>/dev/null | grep -q '^linecap_capture_running 1$' &&
			return 0
		kill -0 "$2" 2>/dev/null || break
		sleep 0.1
	done
	show "$LC_ERR"
	fail "the metrics endpoint on port $1 never reported a running capture"
}

health() {
	curl -s -m 2 -w ' %{http_code}' "http://127.0.0.1:$1/healthz" | tr '\n' ' ' || true
}
