#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Sourced by the kill -9 tests (kill9.sh, compress_faults.sh) after lib.sh. The source
# they capture is net_pcap reading $N numbered 64-byte frames (frame i carries i).
#   watch_and_kill PID OUT      kill PID right after a telemetry reading of `written`
#   seq_check WRITTEN FROM0 FILE...   the frames of the pcap FILEs, checked
#   gen_seq FILE N              the source: N numbered 64-byte frames, nanosecond pcap
#   kill_at_part DIR SIZE ARGS...   capture ARGS in the background, SIGKILL it once DIR
#                               holds a .part file over SIZE (find -size); KILLED_PID

gen_seq() {
	python3 - "$1" "$2" <<'PY' || fail "cannot generate $1"
import struct, sys
out, n = sys.argv[1], int(sys.argv[2])
rec = struct.Struct("<IIII")
eth = bytes.fromhex("020000000002020000000001" "0800")
with open(out, "wb") as f:
    f.write(struct.pack("<IHHiIII", 0xa1b23c4d, 2, 4, 0, 0, 65535, 1))
    for b in range(0, n, 100000):
        f.write(b"".join(rec.pack(i // 1000000, i % 1000000 * 1000, 64, 64) + eth +
                         struct.pack(">I", i) + bytes(46) for i in range(b, min(n, b + 100000))))
PY
}

# watch_and_kill PID OUT: wait for PID's telemetry, until it has written something,
# then RANDOM 0.1..0.9 s more; read /linecap/stats and SIGKILL PID at once. OUT gets
# "RECEIVED WRITTEN" of that last reading (or of the last one before PID ended).
watch_and_kill() {
	PYTHONPATH="$(dirname "$0")" python3 - "$1" "$2" "0.$((RANDOM % 800 + 100))" <<'PY'
import json, os, signal, sys, time
from lc_telemetry import connect
pid, out, delay = int(sys.argv[1]), sys.argv[2], float(sys.argv[3])
path = f"/var/run/dpdk/linecap-{pid}/dpdk_telemetry.v2"
for _ in range(600):
    if os.path.exists(path):
        break
    time.sleep(0.05)
s = connect(path)
last, t_kill = None, None
while True:
    try:
        s.send(b"/linecap/stats")
        reply = s.recv(65536)
    except OSError:
        reply = b""
    if not reply:
        break  # it ended before the kill
    d = json.loads(reply).get("/linecap/stats")
    if d:
        last = (d["received"], d["written"])
        if t_kill is None and d["written"] > 0:
            t_kill = time.monotonic() + delay
        if t_kill is not None and time.monotonic() >= t_kill:
            os.kill(pid, signal.SIGKILL)
            break
    time.sleep(0.01)
if last is None:
    sys.exit("no telemetry reading before the end")
open(out, "w").write(f"{last[0]} {last[1]}\n")
PY
}

# seq_check WRITTEN FROM0 FILE...: the frames of FILE... (each sorted by its first frame)
# are consecutive numbers, starting at 0 if FROM0 is 1, ending at k-1 >= WRITTEN-1 and
# < N. Prints "K frames, FIRST..LAST".
seq_check() {
	python3 - "$N" "$@" <<'PY'
import struct, sys
n, written, from0, files = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3] == "1", sys.argv[4:]
runs = []
for path in files:
    data = open(path, "rb").read()
    magic = struct.unpack("<I", data[:4])[0]
    if magic not in (0xa1b2c3d4, 0xa1b23c4d):
        sys.exit(f"{path}: not a pcap file")
    off, nums = 24, []
    while off < len(data):
        _, _, cap, _ = struct.unpack("<IIII", data[off:off + 16])
        if cap != 64 or off + 16 + cap > len(data):
            sys.exit(f"{path}: record at byte {off}: caplen {cap} (all frames are 64 bytes)")
        nums.append(struct.unpack(">I", data[off + 30:off + 34])[0])
        off += 16 + cap
    for a, b in zip(nums, nums[1:]):
        if b != a + 1:
            sys.exit(f"{path}: frame {b} follows frame {a}")
    if nums:
        runs.append((nums[0], nums[-1], path))
runs.sort()
for (a0, a1, pa), (b0, b1, pb) in zip(runs, runs[1:]):
    if b0 != a1 + 1:
        sys.exit(f"{pb} starts at frame {b0}, but {pa} ends at {a1}: frames lost or repeated")
if not runs:
    sys.exit("no frame in the files")
first, last = runs[0][0], runs[-1][1]
if from0 and first != 0:
    sys.exit(f"the first frame is {first}, not 0: frames lost")
if last + 1 < written:
    sys.exit(f"the files end at frame {last}, but telemetry said {written} were written before the kill")
if last >= n:
    sys.exit(f"frame {last}: the source has only {n}")
print(f"{last - first + 1} frames, {first}..{last}")
PY
}

# kill_at_part DIR SIZE CAPTURE-ARGS...: start `linecap capture CAPTURE-ARGS -q` in the
# background and SIGKILL it once DIR holds a .linecap-*.part file over SIZE (find's
# -size, e.g. 1k), or after 20 s; its pid is left in KILLED_PID.
kill_at_part() {
	local d=$1 size=$2 k
	shift 2
	"$LINECAP" capture "$@" -q --eal "$EAL" >/dev/null 2>&1 &
	KILLED_PID=$!
	BG_PIDS+=("$KILLED_PID")
	for ((k = 0; k < 400; k++)); do
		[ -n "$(find "$d" -name '.linecap-*.part' -size "+$size" 2>/dev/null | head -1)" ] && break
		sleep 0.05
	done
	kill -KILL "$KILLED_PID"
	wait "$KILLED_PID" 2>/dev/null || true
}
