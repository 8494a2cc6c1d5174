#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Counters read live from another thread (DPDK telemetry, /linecap/stats, served by the
# telemetry thread while the lcores capture): over hundreds of snapshots every counter
# only grows, each snapshot is consistent (received >= written + every drop: packets in
# flight are the only difference), and the final JSON invariant is exact.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
require_cmd python3

"$LINECAP" capture -i net_null0,size=64 -w /dev/null --duration 8 -q \
	--stats-json "$T/s.json" --eal "$EAL" >"$LC_OUT" 2>"$LC_ERR" &
lpid=$!
BG_PIDS+=("$lpid")
sock=$(telemetry_sock "$lpid")

PYTHONPATH="$(dirname "$0")" python3 - "$sock" <<'PY' || fail "live counters inconsistent (see above)"
import json, sys, time
from lc_telemetry import connect
path = sys.argv[1]
s = connect(path)
keys = ["received", "written", "dropped_ring_full", "dropped_write_error"]
prev, n, bad = None, 0, 0
t_end = time.time() + 3.0
while time.time() < t_end:
    try:
        s.send(b"/linecap/stats")
        reply = s.recv(65536)
    except ConnectionError:
        break  # capture ended (--duration): judged by the snapshot count below
    if not reply:
        break
    d = json.loads(reply).get("/linecap/stats")
    if not d:
        continue
    n += 1
    accounted = d["written"] + d["dropped_ring_full"] + d["dropped_write_error"]
    if d["received"] < accounted:
        print(f"snapshot {n}: received {d['received']} < written+drops {accounted}: {d}")
        bad += 1
    if prev:
        for k in keys + [k for k in d if k.startswith("port")]:
            if isinstance(d[k], int) and d[k] < prev[k]:
                print(f"snapshot {n}: {k} went back {prev[k]} -> {d[k]}")
                bad += 1
    prev = d
    time.sleep(0.005)
print(f"  {n} live snapshots, last: received {prev and prev['received']}, written {prev and prev['written']}")
if n < 100:
    print(f"only {n} snapshots: telemetry too slow or capture ended early")
    sys.exit(1)
if prev["received"] == 0:
    print("nothing received while polling")
    sys.exit(1)
sys.exit(1 if bad else 0)
PY
rc=0
wait "$lpid" || rc=$?
[ "$rc" -eq 0 ] || { show "$LC_ERR" 30; fail "linecap exited $rc"; }
check_invariant "$T/s.json"
ok "live counters monotonic and consistent; final invariant exact"
