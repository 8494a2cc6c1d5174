#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Retention by disk budget (--max-disk, --min-free) on small tmpfs file
# systems mounted in a private mount namespace (nothing outside sees them).
# While linecap runs, a sampler sums the directory's files every 100 ms: the
# budget must hold at every sample. Every remaining file reads back valid and
# the packets add up: written = packets in the remaining files + packets in
# the deleted ones (from bytes_deleted, every record being 16 + 64 bytes). A
# restart counts the files of the earlier run; a file that the -w pattern
# does not produce is never deleted; bad values are one-line errors, exit 2.
if [ -z "${LC_RETENTION_NS:-}" ]; then
	LC_RETENTION_NS=1 exec unshare -m "$0" "$@"
fi
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
require_cmd unshare mount umount jq

S1=$T/s1 S2=$T/s2
mkdir -p "$S1" "$S2"
mount -t tmpfs -o size=64m none "$S1" || fail "cannot mount a tmpfs in a private mount namespace"
mount -t tmpfs -o size=64m none "$S2" || fail "cannot mount a second tmpfs"
trap 'umount "$S1" "$S2" 2>/dev/null || true; cleanup' EXIT

REC=80 # pcap record of a 64-byte net_null packet: 16-byte header + 64
SAMPLER=

# sample DIR LOG: every 100 ms, the bytes of DIR's files (but foreign.*) into LOG
sample() {
	(while :; do
		# a file retention deletes while find lists it makes find fail: not the
		# sampler's end (set -e and pipefail would end the loop, then stop_sample)
		{ find "$1" -maxdepth 1 -type f ! -name 'foreign.*' -printf '%s\n' 2>/dev/null || true; } |
			awk '{s += $1} END {print s + 0}'
		sleep 0.1
	done) >"$2" &
	SAMPLER=$!
	BG_PIDS+=("$SAMPLER")
}
stop_sample() {
	kill "$SAMPLER" 2>/dev/null || fail "the du sampler had stopped before the capture ended"
	wait "$SAMPLER" 2>/dev/null || true
}

# packets_add_up JSON DIR: written = packets in DIR's capture files + deleted ones; all valid
packets_add_up() {
	local j=$1 d=$2 w fd bd kept=0 f n
	w=$(json_get "$j" '.totals.written')
	fd=$(json_get "$j" '.retention.files_deleted')
	bd=$(json_get "$j" '.retention.bytes_deleted')
	[ "$(json_get "$j" '.totals.dropped_write_error')" -eq 0 ] || fail "write errors under retention"
	[ $(((bd - 24 * fd) % REC)) -eq 0 ] || fail "bytes_deleted $bd is not $fd pcap headers + whole $REC-byte records"
	for f in "$d"/cap.pcap*; do
		[ -f "$f" ] || continue
		n=$("$PCAPCHECK" count "$f") || fail "$f: cannot count its packets"
		"$PCAPCHECK" valid "$f" --count "$n" --nano >/dev/null || fail "$f is not a valid pcap"
		kept=$((kept + n))
	done
	[ "$w" -eq $((kept + (bd - 24 * fd) / REC)) ] ||
		fail "written $w != $kept packets in the remaining files + $(((bd - 24 * fd) / REC)) in the $fd deleted ones"
	echo "  written $w = $kept kept + $(((bd - 24 * fd) / REC)) in $fd deleted files"
}

# max_sample LOG: the largest sample; fails unless the sampler ran
max_sample() {
	[ "$(wc -l <"$1")" -ge 10 ] || fail "the sampler took only $(wc -l <"$1") samples"
	sort -n "$1" | tail -1
}

# 1. -C 1 --max-disk 8M: the directory never holds more than 8,000,000 bytes
D=$S1/a && mkdir "$D"
echo "not a capture file" >"$D/foreign.txt"
cp "$D/foreign.txt" "$T/foreign.txt"
sample "$D" "$T/a.du"
lc 60 capture -i net_null0,size=64 -w "$D/cap.pcap" -C 1 --max-disk 8M --duration 4 -q \
	--stats-json "$T/a.json" --eal "$EAL"
stop_sample
expect_rc 0
check_invariant "$T/a.json"
check_summary "$T/a.json"
max=$(max_sample "$T/a.du")
[ "$max" -le 8000000 ] || fail "the directory held $max bytes, over --max-disk 8M"
[ "$(json_get "$T/a.json" '.retention.files_deleted')" -gt 10 ] || fail "too few files deleted to test anything"
grep -Eq "^$(json_get "$T/a.json" '.retention.files_deleted') files deleted by retention \($(json_get "$T/a.json" '.retention.bytes_deleted') bytes\)$" "$LC_ERR" ||
	{ show "$LC_ERR"; fail "no summary line for retention"; }
packets_add_up "$T/a.json" "$D"
cmp -s "$D/foreign.txt" "$T/foreign.txt" || fail "retention touched a file the -w pattern does not produce"
[ -z "$(find "$D" -name '.*.part')" ] || fail "temporary files left"
ok "--max-disk 8M -C 1: at most $max bytes at any sample, $(json_get "$T/a.json" '.retention.files_deleted') files deleted, packets add up, foreign file kept"

# 2. restart: a run with a larger budget leaves files; the next one, with 8M,
# counts them (they have other numbers than its own files: not overwritten)
D=$S1/b && mkdir "$D"
lc 60 capture -i net_null0,size=64 -w "$D/cap.pcap" -C 1 --max-disk 30M -c 3000000 \
	--duration 30 -q --stats-json "$T/b1.json" --eal "$EAL"
expect_rc 0
before=$(find "$D" -type f -printf '%s\n' | awk '{s += $1} END {print s + 0}')
[ "$before" -gt 16000000 ] || fail "the first run left only $before bytes"
# a sidecar index of the first run's oldest file: deleted with it, counted
old=$(find "$D" -type f -printf '%T@ %p\n' | sort -n | head -1 | cut -d' ' -f2)
"$LINECAP" index -q "$old" >/dev/null || fail "linecap index $old failed"
[ -s "$old.idx" ] || fail "linecap index wrote no $old.idx"
before=$(find "$D" -type f -printf '%s\n' | awk '{s += $1} END {print s + 0}')
sample "$D" "$T/b.du"
lc 60 capture -i net_null0,size=64 -w "$D/cap.pcap" -C 1 --max-disk 8M -c 300000 \
	--duration 30 -q --stats-json "$T/b2.json" --eal "$EAL"
stop_sample
expect_rc 0
check_invariant "$T/b2.json"
after=$(find "$D" -type f -printf '%s\n' | awk '{s += $1} END {print s + 0}')
[ "$after" -le 8000000 ] || fail "after the restart the directory holds $after bytes, over 8M"
# from the first sample within budget on, every sample is
over=$(awk 'ok && $1 > 8000000 {print; exit} $1 <= 8000000 {ok = 1}' "$T/b.du")
[ -z "$over" ] || fail "the directory went back over 8M ($over bytes) during the restart"
[ "$(json_get "$T/b2.json" '.retention.files_deleted')" -gt "$(json_get "$T/b2.json" '.writers[0].files')" ] ||
	fail "the second run deleted no file of the first"
if [ -e "$old" ] || [ -e "$old.idx" ]; then fail "the first run's oldest file $old or its index is still there"; fi
ok "restart: $before bytes of an earlier run counted; $after bytes after, within 8M"

# 3. --min-free 50 on a 64 MiB tmpfs: never more than half of it used
D=$S2/c && mkdir "$D"
(while :; do
	stat -f -c '%b %a %S' "$S2" | awk '{print ($1 - $2) * $3}'
	sleep 0.1
done) >"$T/c.used" &
SAMPLER=$!
BG_PIDS+=("$SAMPLER")
lc 60 capture -i net_null0,size=64 -w "$D/cap.pcap" -C 1 --min-free 50 --duration 4 -q \
	--stats-json "$T/c.json" --eal "$EAL"
stop_sample
expect_rc 0
check_invariant "$T/c.json"
total=$(stat -f -c '%b %S' "$S2" | awk '{print $1 * $2}')
max=$(max_sample "$T/c.used")
[ "$max" -le $((total / 2)) ] || fail "--min-free 50: $max of $total bytes used at one sample"
[ "$(json_get "$T/c.json" '.retention.files_deleted')" -gt 0 ] || fail "--min-free deleted nothing"
packets_add_up "$T/c.json" "$D"
ok "--min-free 50: at most $max of $total bytes used at any sample"

# 4. telemetry: /linecap/stats has files_deleted and bytes_deleted, growing while it runs
D=$S2/t && mkdir "$D"
"$LINECAP" capture -i net_null0,size=64 -w "$D/cap.pcap" -C 1 --max-disk 8M --duration 5 -q \
	--stats-json "$T/t.json" --eal "$EAL" >"$LC_OUT" 2>"$LC_ERR" &
lpid=$!
BG_PIDS+=("$lpid")
sock=/var/run/dpdk/linecap-$lpid/dpdk_telemetry.v2
for ((i = 0; i < 200; i++)); do
	[ -S "$sock" ] && grep -q '^plan:' "$LC_ERR" && break
	sleep 0.1
done
[ -S "$sock" ] || { show "$LC_ERR"; fail "no telemetry socket $sock after 20 s"; }
PYTHONPATH="$(dirname "$0")" python3 - "$sock" >"$T/t.out" <<'PY' || { cat "$T/t.out"; fail "telemetry retention counters wrong"; }
import json, sys, time
from lc_telemetry import connect
s = connect(sys.argv[1])
seen = []
t_end = time.time() + 2.5
while time.time() < t_end:
    s.send(b"/linecap/stats")
    d = json.loads(s.recv(65536)).get("/linecap/stats")
    if d:
        seen.append((d["files_deleted"], d["bytes_deleted"]))
    time.sleep(0.05)
print(seen[0], seen[-1])
if len(seen) < 10 or seen[-1][0] <= seen[0][0] or seen[-1][1] <= seen[0][1]:
    sys.exit(1)
if any(b[0] < a[0] for a, b in zip(seen, seen[1:])):
    sys.exit(1)
print(seen[-1][0])
PY
wait "$lpid" || fail "linecap exit $? with telemetry"
live=$(tail -1 "$T/t.out")
[ "$(json_get "$T/t.json" '.retention.files_deleted')" -ge "$live" ] || fail "JSON files_deleted below the live $live"
ok "telemetry: files_deleted grows while capture runs ($live seen live)"

# 5. bad input: one line, exit 2
for args in "--max-disk 8M" "--min-free 10" "-G 1 --max-disk 8M" "-C 1 --max-disk 1M" \
	"-C 1 --max-disk 3M" "-C 1 --max-disk x" "-C 1 --max-disk 0" "-C 1 --max-disk -5M" \
	"-C 1 --max-disk 5Q" "-C 1 --min-free 0" "-C 1 --min-free 100" "-C 1 --min-free x"; do
	w=$T/e.pcap
	[[ $args == -G* ]] && w=$T/e-%s.pcap
	# shellcheck disable=SC2086 # split on purpose
	lc 30 capture -i net_null0,size=64 -w "$w" $args --duration 1 --eal "$EAL"
	expect_rc 2
	[ "$(wc -l <"$LC_ERR")" -eq 1 ] && grep -q '^linecap: ' "$LC_ERR" || { show "$LC_ERR"; fail "$args: not a one-line error"; }
done
ok "bad --max-disk/--min-free values and combinations: exit 2 with one line"

passed_line
