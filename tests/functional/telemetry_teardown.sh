#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Telemetry against engine teardown: captures start and stop one after another while
# telemetry clients read /linecap/stats in a tight loop, until each capture's socket goes
# away. The engine retracts its stats view and waits for the requests in flight before it
# frees anything; a request that already holds the view when the capture stops must still
# read live memory. Checks, per capture: linecap exits 0 with no sanitizer report (the
# ASan build catches a use after free), and every reply is valid JSON: the counters
# (complete and consistent) or null ("no capture": before the engine is built or after it
# is gone); the clients got replies with counters.
#
# LINECAP_TEST_TELEMETRY_DELAY_US (a test hook of stats/telemetry.c) makes each request
# hold the view that long before reading it, so that requests are in flight when the
# capture ends; it varies from run to run so that the delays cover the whole teardown,
# from the view's retraction to the process exit. With the wait taken out of
# lc_stats_retract (stats/view_pub.c), the ASan build fails this test with a
# heap-use-after-free in lc_stats_totals (runs with 20-30 ms delays).
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
require_cmd python3

RUNS=10
CLIENTS=3
delays=(0 20000 1000 30000 0 40000 30000 50000 20000 100000)

hammer() { # SOCKET PID: clients until the socket goes away; prints one summary line
	PYTHONPATH="$(dirname "$0")" python3 - "$1" "$2" "$CLIENTS" <<'PY'
import json, os, socket, sys, threading, time

path, pid, nclients = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
need = ["received", "written", "dropped_ring_full", "dropped_write_error", "filtered",
        "bytes_received", "bytes_written", "imissed", "ierrors", "rx_nombuf",
        "port0_q0_received", "port0_q0_ring_full", "port0_q0_filtered"]
lock = threading.Lock()
tally = {"stats": 0, "null": 0, "bad": 0, "connected": 0}


def alive():
    try:
        os.kill(pid, 0)
        return True
    except OSError:
        return False


def judge(reply):
    """'stats', 'null', or a reason why the reply is bad."""
    try:
        doc = json.loads(reply)
    except (ValueError, UnicodeDecodeError) as ex:
        return f"not JSON ({ex}): {reply[:200]!r}"
    if not isinstance(doc, dict) or list(doc) != ["/linecap/stats"]:
        return f"unexpected document: {reply[:200]!r}"
    d = doc["/linecap/stats"]
    if d is None:
        return "null"
    if not isinstance(d, dict):
        return f"neither counters nor null: {reply[:200]!r}"
    missing = [k for k in need if k not in d]
    if missing:
        return f"keys {missing} missing: {d}"
    for k, v in d.items():
        if not (isinstance(v, int) and v >= 0) and not (k in ("imissed", "ierrors", "rx_nombuf") and v == "n/a"):
            return f"{k} = {v!r} is no counter: {d}"
    if d["received"] < d["written"] + d["dropped_ring_full"] + d["dropped_write_error"] + d["filtered"]:
        return f"received < written + filtered + drops: {d}"
    return "stats"


def client():
    s = None
    while s is None and alive():  # the socket appears while the EAL starts
        s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        try:
            s.connect(path)
            json.loads(s.recv(16384))  # greeting
        except (OSError, ValueError):
            s.close()
            s = None
            time.sleep(0.002)
    if s is None:
        return
    with lock:
        tally["connected"] += 1
    while True:
        try:
            s.send(b"/linecap/stats")
            reply = s.recv(65536)
        except OSError:
            break  # the process went away
        if not reply:
            break
        verdict = judge(reply)
        with lock:
            if verdict in ("stats", "null"):
                tally[verdict] += 1
            else:
                tally["bad"] += 1
                print(f"    bad reply: {verdict}")
    s.close()


threads = [threading.Thread(target=client) for _ in range(nclients)]
for t in threads:
    t.start()
for t in threads:
    t.join()
print(f"{tally['connected']} {tally['stats']} {tally['null']} {tally['bad']}")
PY
}

total_stats=0 total_null=0
for ((run = 0; run < RUNS; run++)); do
	delay=${delays[run]}
	# Even runs stop at -c, odd ones at --duration: both ends of capture.
	if ((run % 2 == 0)); then
		stop=(-c $((2000000 + run * 100000)) --duration 20)
	else
		stop=(--duration 1)
	fi
	: >"$LC_ERR"
	LINECAP_TEST_TELEMETRY_DELAY_US=$delay timeout -k 5 60 "$LINECAP" capture \
		-i net_null0,size=64 -w /dev/null "${stop[@]}" -q --stats-json "$T/s$run.json" \
		--eal "$EAL" >"$LC_OUT" 2>"$T/err$run" &
	tpid=$!
	BG_PIDS+=("$tpid")
	lpid=
	for ((i = 0; i < 200; i++)); do
		lpid=$(cat /proc/"$tpid"/task/*/children 2>/dev/null | awk '{print $1}')
		[ -z "$lpid" ] || break
		sleep 0.01
	done
	[ -n "$lpid" ] || fail "run $run: linecap did not start"
	sock=/var/run/dpdk/linecap-$lpid/dpdk_telemetry.v2
	out=$(hammer "$sock" "$lpid") || fail "run $run: telemetry client failed: $out"
	rc=0
	wait "$tpid" || rc=$?
	read -r connected nstats nnull nbad <<<"$(tail -n 1 <<<"$out")"
	echo "  run $run (${stop[*]}, delay ${delay} us): exit $rc, $connected clients, $nstats replies with counters, $nnull null, $nbad bad"
	if grep -q 'Sanitizer' "$T/err$run"; then
		show "$T/err$run" 40
		fail "run $run: sanitizer report (delay $delay us)"
	fi
	[ "$rc" -eq 0 ] || { show "$T/err$run" 30; fail "run $run: linecap exited $rc (delay $delay us)"; }
	[ "$nbad" -eq 0 ] || { printf '%s\n' "$out"; fail "run $run: $nbad bad replies"; }
	[ "$nstats" -gt 0 ] || { printf '%s\n' "$out"; fail "run $run: no reply with counters: the clients never read a running capture"; }
	check_invariant "$T/s$run.json" >/dev/null
	total_stats=$((total_stats + nstats))
	total_null=$((total_null + nnull))
done
ok "$RUNS captures stopped under telemetry load: $total_stats replies with counters, $total_null null, none bad, no crash"
