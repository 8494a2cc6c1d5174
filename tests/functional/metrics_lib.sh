# SPDX-License-Identifier: BSD-3-Clause
# Sourced by the metrics*.sh tests, after lib.sh (private_mounts: before it):
#   $MC                   tests/functional/metrics_client.py (free-port, sum, mono, hist, ...)
#   scrape PORT FILE      GET /metrics into FILE; fails unless HTTP 200 and
#                         `promtool check metrics` accepts it
#   wait_running PORT PID until /metrics says linecap_capture_running 1 (30 s)
#   health PORT           print "<body> <HTTP code>" of GET /healthz on one line
MC="python3 $(dirname "$0")/metrics_client.py"

# private_mounts ARGS: run the test again in a private mount namespace (before lib.sh)
private_mounts() {
	[ -n "${LC_METRICS_NS:-}" ] || LC_METRICS_NS=1 exec unshare -m "$0" "$@"
}

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

# make_input N SIZE: $T/in.pcap, N net_null packets of SIZE bytes (net_pcap's input)
make_input() {
	lc 60 capture -i "net_null0,size=$2" -w "$T/in.pcap" -c "$1" -q --eal "$EAL"
	expect_rc 0
}

# start_capture PORT JSON TIMEOUT ARGS...: `linecap capture ARGS -q` in the background
# with --stats-json JSON and --metrics 127.0.0.1:PORT, killed after TIMEOUT s; sets LPID
start_capture() {
	local port=$1 json=$2 to=$3
	shift 3
	timeout -k 5 "$to" "$LINECAP" capture "$@" -q --stats-json "$json" \
		--metrics "127.0.0.1:$port" --eal "$EAL" >"$LC_OUT" 2>"$LC_ERR" &
	LPID=$!
	BG_PIDS+=("$LPID")
}

# wait_settled PORT N FILE: scrape into FILE until N packets are received and none is in
# flight (30 s)
wait_settled() {
	local _
	for _ in $(seq 150); do
		scrape "$1" "$3"
		[ "$($MC sum "$3" linecap_packets_received_total)" -eq "$2" ] &&
			[ "$($MC sum "$3" linecap_packets_in_flight)" -eq 0 ] && return 0
		sleep 0.2
	done
	show "$3" 80
	fail "the $2 packets were not all received and settled within 30 s"
}

# turns_unhealthy PORT PID REASON: probe /healthz once a second (45 probes); sets FIRST
# (probe number of the first "200 ok") and BAD (of the first 503 whose reason starts with
# REASON); fails unless both came, at least the 10 s threshold apart in wall-clock time
# (taken before the first request and after the last: a loaded machine slows the probes)
turns_unhealthy() {
	local i h t0 t1 first_t=''
	FIRST='' BAD=''
	for i in $(seq 45); do
		sleep 1
		kill -0 "$2" 2>/dev/null || break
		t0=$(date +%s.%N)
		h=$(health "$1")
		t1=$(date +%s.%N)
		echo "  probe ${i}: /healthz: $h"
		case $h in
		"ok  200") [ -n "$FIRST" ] || { FIRST=$i first_t=$t0; } ;;
		"$3 "*" 503")
			BAD=$i
			break
			;;
		esac
	done
	[ -n "$FIRST" ] || { show "$LC_ERR"; fail "/healthz never answered 200 ok at the start"; }
	[ -n "$BAD" ] || { show "$LC_ERR"; fail "/healthz never turned 503 '$3'"; }
	awk -v a="$first_t" -v b="$t1" 'BEGIN { exit !(b - a >= 10) }' ||
		fail "/healthz turned unhealthy $(awk -v a="$first_t" -v b="$t1" 'BEGIN { print b - a }') s after the first ok, before the 10 s threshold"
}

# turns_healthy PORT: after the cause is gone, /healthz says 200 ok within 5 s; sets GOOD
turns_healthy() {
	local i h
	GOOD=''
	for i in $(seq 10); do
		sleep 1
		h=$(health "$1")
		echo "  fixed +${i}s /healthz: $h"
		if [ "$h" = "ok  200" ]; then
			GOOD=$i
			break
		fi
	done
	[ -n "$GOOD" ] || { show "$LC_ERR"; fail "/healthz did not turn 200 ok again within 10 s"; }
	[ "$GOOD" -le 5 ] || fail "/healthz took $GOOD s to recover (at most 5 s)"
}

# two_scrapes PORT TAG NAME: scrape into $T/TAG1.txt, 1.5 s later into $T/TAG2.txt;
# prints NAME's sum in each
two_scrapes() {
	scrape "$1" "$T/${2}1.txt"
	sleep 1.5
	scrape "$1" "$T/${2}2.txt"
	echo "$($MC sum "$T/${2}1.txt" "$3") $($MC sum "$T/${2}2.txt" "$3")"
}

# small_fs MIB OTHER_MIB: a MIB MiB tmpfs at $S=$T/small (the test runs in a private mount
# namespace), OTHER_MIB of it taken by $S/other.bin, another program's file
small_fs() {
	require_cmd unshare mount umount curl promtool python3
	S=$T/small
	mkdir -p "$S"
	mount -t tmpfs -o size="$1m" none "$S" || fail "cannot mount a tmpfs in a private mount namespace"
	trap 'umount -l "$S" 2>/dev/null || true; cleanup' EXIT
	head -c $(($2 << 20)) /dev/zero >"$S/other.bin" || fail "cannot write the other program's file"
}
