#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# kill -9 during writes, at a random moment, KILL9_TRIALS times (default 30). The source
# is net_pcap reading N numbered 64-byte frames (frame i carries i), so every packet in
# the output says which one it is. Right before each kill this test reads the capture's
# `written` counter through DPDK telemetry (/linecap/stats; `written` = records on the
# medium) and kills at once:
#  - with -C rotation: every completed (renamed) file reads back valid; the active
#    .linecap-PID-*.part file is either empty (opened ahead) or `linecap repair` makes
#    it valid;
#  - without rotation (every 5th trial): the output file itself is repaired to valid;
#  - counts: the files of a trial (completed, then the repaired .part files) hold frames
#    0, 1, 2, ... k-1 in order, without gap or repeat, with written <= k <= N (N: all
#    the source has, and -c N: nothing beyond it can be received; that the frames are
#    exactly 0..k-1 means none was invented or repeated); every 3rd rotating trial keeps only the newest 4 files with -W 4,
#    and there the files hold a run of consecutive frames ending at k-1 >= written-1).
#    A repair that threw packets away, or a file that lost or repeated some, fails;
#  - the next run that rotates into the same directory finds the leftovers of a killed
#    run, repairs them and publishes them as linecap-recovered-*.pcap.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
# shellcheck source=lib_recover.sh
source "$(dirname "$0")/lib_recover.sh"
require_cmd python3

TRIALS=${KILL9_TRIALS:-30}
N=2000000 # about 2 s of capture here: most kills land mid-capture
IN=$T/seq.pcap
python3 - "$IN" "$N" <<'PY' || fail "cannot generate $IN"
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

repaired=0 partial=0 completed=0 counted=0
for ((i = 1; i <= TRIALS; i++)); do
	d=$T/t$i
	mkdir "$d"
	from0=1
	if ((i % 5 == 0)); then
		args=(-w "$d/plain.pcap")
	elif ((i % 3 == 0)); then
		args=(-w "$d/cap.pcap" -C 2 -W 4)
		from0=0
	else
		args=(-w "$d/cap.pcap" -C 2)
	fi
	"$LINECAP" capture -i "net_pcap0,rx_pcap=$IN" "${args[@]}" -c "$N" -q --eal "$EAL" >/dev/null 2>"$d/err" &
	pid=$!
	BG_PIDS+=("$pid")
	watch_and_kill "$pid" "$d/last" || { show "$d/err"; fail "trial $i: no telemetry reading before the kill"; }
	wait "$pid" 2>/dev/null || true
	read -r received written <"$d/last"
	shopt -s nullglob
	files=()
	for f in "$d"/cap.pcap*; do
		"$PCAPCHECK" valid "$f" >/dev/null || fail "trial $i: completed file $f is not valid"
		completed=$((completed + 1))
		files+=("$f")
	done
	for f in "$d"/.linecap-*.part "$d"/plain.pcap; do
		[ -s "$f" ] || continue
		partial=$((partial + 1))
		out=$("$LINECAP" repair "$f" 2>&1) || fail "trial $i: linecap repair $f failed: $out"
		"$PCAPCHECK" valid "$f" >/dev/null || fail "trial $i: $f still invalid after repair ($out)"
		case $out in *"nothing to repair"*) ;; *) repaired=$((repaired + 1)) ;; esac
		files+=("$f")
	done
	shopt -u nullglob
	line=$(seq_check "$written" "$from0" "${files[@]}" 2>&1) ||
		fail "trial $i (${args[*]}): $line (last reading before the kill: received $received, written $written)"
	counted=$((counted + 1))
	((i <= 3)) && echo "  trial $i (${args[*]##*/}): before the kill received $received, written $written; in the files: $line"
	rm -rf "$d"
done
echo "  $TRIALS trials: $completed completed files valid, $partial active files valid after repair ($repaired needed a cut)"
((completed > 0)) || fail "no completed file in $TRIALS trials: the test did not exercise rotation"
((partial > 0)) || fail "no active file at the kill in $TRIALS trials"
ok "kill -9 x$TRIALS: completed files valid, active files repaired"
ok "kill -9 x$counted: the files hold every frame telemetry counted as written before the kill, in order, none lost or repeated, none the source did not send"

# Leftovers are handled on the next start.
d=$T/next
mkdir "$d"
"$LINECAP" capture -i net_null0,size=64 -w "$d/cap.pcap" -C 2 -q --eal "$EAL" >/dev/null 2>&1 &
pid=$!
BG_PIDS+=("$pid")
kill_when_writing "$d" "$pid" "$pid"
left=$(parts_left "$d" "$pid")
lc 60 capture -i net_null0,size=64 -w "$d/cap.pcap" -C 2 -c 1000 -q --eal "$EAL"
expect_rc 0
check_recovered "$d" "$pid" "$LC_ERR"
ok "the next run repaired and published $left leftover file(s) of the killed run"
