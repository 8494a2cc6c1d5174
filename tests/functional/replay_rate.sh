#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Rate accuracy: replay --pps 100000 and --pps 1000000 of 64-byte frames
# through net_memif for 3 s each; the requested rate must hold within 2 % by a
# clock independent of linecap. The sender paces on the TSC and the receiver stamps
# packets with the TSC, so a wrong rte_get_tsc_hz() would cancel out in the capture's
# own timestamps. This test reads the receiver's `received` counter live through DPDK
# telemetry (/linecap/stats) and stamps each reading with CLOCK_MONOTONIC_RAW (the
# kernel's clock); packet k of the file is the k-th received (one queue, in order), so
# two readings give how many real seconds the capture's stamps call (stamp of packet
# r_b - stamp of packet r_a) / (raw time b - raw time a). The rate of the whole file by
# its stamps, times that ratio, is the rate in real seconds: that is what is judged.
# Pacing is on the TSC, so CPU time stolen by other processes delays packets but the
# schedule catches up: the long-run rate holds even on a busy machine (and a stall
# shows in both clocks alike). (A correctness test of pacing, not a speed test: speed
# is bench/replay.)
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
# shellcheck source=replay_lib.sh
source "$(dirname "$0")/replay_lib.sh"

# 20000 minimal Ethernet/IPv4 frames, each numbered (the receiver keeps 64 B each)
IN=$T/in64.pcap
python3 - "$IN" 20000 <<'PY' || fail "cannot generate $IN"
import struct, sys
out, n = sys.argv[1], int(sys.argv[2])
with open(out, "wb") as f:
    f.write(struct.pack("<IHHiIII", 0xa1b23c4d, 2, 4, 0, 0, 65535, 1))
    for i in range(n):
        pkt = bytes.fromhex("020000000002020000000001" "0800") + struct.pack(">I", i) + bytes(46)
        f.write(struct.pack("<IIII", 1, i * 1000, len(pkt), len(pkt)) + pkt)
PY
# A sanitizer build costs 2-3x per packet, which 1 Mpps on a shared 2-core machine does
# not absorb: there the 1 Mpps case is held to 10 %; the 2 % bound is checked in the
# optimised (-Werror) build of the same run, and at 100 kpps in both.
SANITIZED=0
[[ $(ldd "$LINECAP" 2>/dev/null) =~ lib(asan|ubsan) ]] && SANITIZED=1
OUTDIR=$(mktemp -d /dev/shm/linecap-rate.XXXXXX)
trap 'cleanup; rm -rf "$OUTDIR"' EXIT

# clock_sampler N OUT: in the background (SAMPLER_PID), poll the capture's telemetry
# (/linecap/stats) until `received` reaches N; each reading is written to OUT as
# "RAW_SECONDS HALF_ROUND_TRIP RECEIVED", stamped with CLOCK_MONOTONIC_RAW at the midpoint
# of request and reply (half the round trip is the stamp's uncertainty).
clock_sampler() {
	local n=$1 out=$2 lpid sock c
	lpid=
	for c in $(cat "/proc/$CAP_PID/task/"*/children 2>/dev/null); do
		[[ $(readlink "/proc/$c/exe" 2>/dev/null) == "$(readlink -f "$LINECAP")" ]] && lpid=$c
	done
	[ -n "$lpid" ] || fail "cannot find the capture's linecap process under $CAP_PID"
	sock=/var/run/dpdk/linecap-$lpid/dpdk_telemetry.v2
	[ -S "$sock" ] || fail "no telemetry socket $sock"
	rm -f "$out.ready"
	PYTHONPATH="$(dirname "$0")" python3 - "$sock" "$n" "$out" <<'PY' &
import json, sys, time
from lc_telemetry import connect
path, n, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
raw = lambda: time.clock_gettime(time.CLOCK_MONOTONIC_RAW)
s = connect(path)
open(out + ".ready", "w").close()
deadline = raw() + 60
with open(out, "w") as f:
    while raw() < deadline:
        t0 = raw()
        try:
            s.send(b"/linecap/stats")
            reply = s.recv(65536)
        except OSError:
            break  # the capture reached -c N and closed
        t1 = raw()
        if not reply:
            break
        d = json.loads(reply).get("/linecap/stats")
        if not d:
            continue
        f.write(f"{(t0 + t1) / 2:.9f} {(t1 - t0) / 2:.9f} {d['received']}\n")
        if d["received"] >= n:
            break
        time.sleep(0.0005)
PY
	SAMPLER_PID=$!
	BG_PIDS+=("$SAMPLER_PID")
	for c in $(seq 100); do
		[ -e "$out.ready" ] && return 0
		kill -0 "$SAMPLER_PID" 2>/dev/null || break
		sleep 0.1
	done
	fail "the telemetry sampler did not connect to $sock"
}

# real_rate SAMPLES PCAP N STAMP_RATE: the rate in real seconds: STAMP_RATE (the file's
# rate by its stamps) times (stamp seconds / CLOCK_MONOTONIC_RAW seconds) between two
# readings, one with 2-50 % of N received and one with 50-98 % (the steady state). A
# reading of r received came after packet r-1 was stamped and before packet r was
# counted: its uncertainty is half its round trip plus stamp(r) - stamp(r-1), and the
# pair with the smallest relative uncertainty is taken. Packets are found in
# the file by offset (every record is 16 + 64 bytes) and checked by the number each
# carries. Prints "RATE UNCERTAINTY% STAMP-SECONDS-PER-SECOND (details)"; exit 1 when the readings cannot give
# the ratio to 1 %.
real_rate() {
	python3 - "$@" <<'PY'
import struct, sys
samples_f, pcap, n, stamp_rate = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
samples = [tuple(map(float, l.split())) for l in open(samples_f) if l.strip()]
f = open(pcap, "rb")
magic = struct.unpack("<I", f.read(24)[:4])[0]
div = 1e9 if magic == 0xa1b23c4d else 1e6
def stamp(k):  # packet k (0-based): its timestamp; it must carry number k % 20000
    f.seek(24 + k * 80)
    sec, frac, cap, _ = struct.unpack("<IIII", f.read(16))
    seq = struct.unpack(">I", f.read(18)[14:18])[0]
    if cap != 64 or seq != k % 20000:
        print(f"packet {k} of {pcap}: caplen {cap}, number {seq}: not the k-th packet sent")
        sys.exit(1)
    return sec + frac / div
def cands(lo, hi):  # (raw time, its stamp time, uncertainty) of each reading in range
    c = []
    for t, half_rtt, r in samples:
        r = int(r)
        if lo * n <= r <= hi * n:
            s0 = stamp(r - 1)
            c.append((t, s0, half_rtt + stamp(r) - s0))
    return c
first, second = cands(0.02, 0.5), cands(0.5, 0.98)
if not first or not second:
    print(f"too few telemetry readings in the steady state ({len(samples)} in all)")
    sys.exit(1)
a, b = min(((x, y) for x in first for y in second if y[0] > x[0] + 0.2),
           key=lambda p: (p[0][2] + p[1][2]) / (p[1][0] - p[0][0]), default=(None, None))
if a is None:
    print("no two telemetry readings 0.2 s apart")
    sys.exit(1)
d_stamp, d_raw = b[1] - a[1], b[0] - a[0]
ratio = d_stamp / d_raw
unc = (a[2] + b[2]) / d_raw * 100
print(f"{stamp_rate * ratio:.0f} {unc:.4f} {ratio:.7f} (the stamps' {stamp_rate:.0f} pps x {ratio:.5f}: {d_stamp:.6f} s of stamps "
      f"in {d_raw:.6f} s of CLOCK_MONOTONIC_RAW, +-{unc:.3f} %, {len(samples)} readings)")
sys.exit(0 if unc <= 1 else 1)
PY
}

# rate_case PPS LOOPS: 20000 x LOOPS packets at PPS (>= 3 s)
rate_case() {
	local pps=$1 loops=$2 tol=${3:-2} n out got dev real
	n=$((20000 * loops))
	out=$OUTDIR/out-$pps.pcap
	dev="socket=$T/rate-$pps.sock,rsize=14"
	memif_capture "$dev" "$out" "$n" 40 --stats-json "$T/cap-$pps.json"
	clock_sampler "$n" "$T/clock-$pps"
	lc 60 replay -i "net_memif0,role=client,$dev" -r "$IN" --loop "$loops" --pps "$pps" --preload \
		-q --lcores "$REPLAY_LCORES" --eal "$EAL" --stats-json "$T/rep-$pps.json"
	expect_rc 0
	memif_capture_wait
	wait "$SAMPLER_PID" || fail "--pps $pps: the telemetry sampler failed"
	check_invariant "$T/cap-$pps.json"
	# The schedule's health is reported for a paced replay: a lateness, a count.
	jq -e '.schedule.max_late_us >= 0 and .schedule.late_sends_over_50us >= 0' "$T/rep-$pps.json" >/dev/null ||
		fail "--pps $pps: no schedule object in the replay's --stats-json"
	[ "$(json_get "$T/cap-$pps.json" .totals.written)" -eq "$n" ] ||
		fail "$pps pps: receiver wrote $(json_get "$T/cap-$pps.json" .totals.written) of $n packets"
	got=$("$PCAPCHECK" rate "$out" 2>"$T/rate.err") || { show "$T/rate.err"; fail "pcapcheck rate $out"; }
	echo "  requested $pps pps, the capture's stamps say $got pps over $(sed 's/.*over //' "$T/rate.err")"
	real=$(real_rate "$T/clock-$pps" "$out" "$n" "$got") || fail "--pps $pps: no rate in real seconds: $real"
	echo "  in real seconds: $real"
	# the whole uncertainty interval must lie within the tolerance
	python3 -c "import sys; g, u, w, t = map(float, sys.argv[1:]); sys.exit(0 if abs(g - w) + g * u / 100 <= t / 100 * w else 1)" \
		$(cut -d' ' -f1,2 <<<"$real") "$pps" "$tol" ||
		fail "--pps $pps: $real pps in real seconds, more than $tol % off (replay said: $(grep -E '^(Rated|Requested)' "$LC_ERR" | tr '\n' ' '))"
	ok "--pps $pps: ${real%% *} pps in real seconds (CLOCK_MONOTONIC_RAW), within $tol % with its uncertainty"
	# The capture's clock itself: its stamps must advance at the rate of real seconds
	# (0.02 %, with the uncertainty; a TSC rate taken from the CPU's nominal frequency
	# was 0.15 % off on these machines: 5 s an hour).
	# A sanitized build's rx lcore lags at 1 Mpps, so its stamps (taken at rx) measure
	# that lag, not the clock: there the clock is checked at the lowest rate only (the
	# release build checks it at every rate).
	if [ "$SANITIZED" = 1 ] && [ "$pps" -gt 100000 ]; then
		echo "  sanitized build: clock check at 100000 pps only (here $(cut -d' ' -f3 <<<"$real") x real time)"
	else
		python3 -c "import sys; u, r = map(float, sys.argv[1:]); sys.exit(0 if abs(r - 1) - u / 100 <= 0.0002 else 1)" \
			$(cut -d' ' -f2,3 <<<"$real") ||
			fail "--pps $pps: the capture's stamps run at $(cut -d' ' -f3 <<<"$real") x real time (more than 0.02 % off)"
		ok "--pps $pps: stamps advance at $(cut -d' ' -f3 <<<"$real") x CLOCK_MONOTONIC_RAW"
	fi
	rm -f "$out"
}

rate_case 100000 15
if ((SANITIZED)); then
	rate_case 1000000 150 10
else
	rate_case 1000000 150
fi
passed_line
