#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Retention by disk budget (--max-disk, --min-free) on small tmpfs file
# systems mounted in a private mount namespace (nothing outside sees them).
# While linecap runs, a sampler sums the directory's files every 100 ms: the
# budget must hold at every sample. Every remaining file reads back valid and
# the packets add up: written = packets in the remaining files + packets in
# the deleted ones (from bytes_deleted, every record being 16 + 64 bytes). A
# restart counts the files of the earlier run; a file that the -w pattern
# does not produce is never deleted, nor one of another capture into the same
# directory; the directory is listed once, not after every publication (strace);
# bad values are one-line errors, exit 2.
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

# packets_add_up JSON DIR [GLOB]: written = packets in DIR's capture files (GLOB, default
# cap.pcap*) + deleted ones; all valid
packets_add_up() {
	local j=$1 d=$2 g=${3:-cap.pcap*} w fd bd kept=0 f n
	w=$(json_get "$j" '.totals.written')
	fd=$(json_get "$j" '.retention.files_deleted')
	bd=$(json_get "$j" '.retention.bytes_deleted')
	[ "$(json_get "$j" '.totals.dropped_write_error')" -eq 0 ] || fail "write errors under retention"
	[ $(((bd - 24 * fd) % REC)) -eq 0 ] || fail "bytes_deleted $bd is not $fd pcap headers + whole $REC-byte records"
	for f in "$d"/$g; do
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
sock=$(telemetry_sock "$lpid")
python3 "$(dirname "$0")/lc_telemetry.py" watch "$sock" 2.5 files_deleted bytes_deleted >"$T/t.out" ||
	{ show "$T/t.out"; fail "cannot read /linecap/stats"; }
# at least 10 readings; files_deleted never goes back, and both counters grew
awk 'NR == 1 {f0 = $1; b0 = $2} NR > 1 && $1 < f {bad = 1} {f = $1; b = $2}
	END {exit !(NR >= 10 && !bad && f > f0 && b > b0)}' "$T/t.out" ||
	{ show "$T/t.out"; fail "telemetry retention counters wrong"; }
live=$(tail -1 "$T/t.out" | cut -d' ' -f1)
wait "$lpid" || fail "linecap exit $? with telemetry"
[ "$(json_get "$T/t.json" '.retention.files_deleted')" -ge "$live" ] || fail "JSON files_deleted below the live $live"
ok "telemetry: files_deleted grows while capture runs ($live seen live)"

# 5. two captures in one directory, each with --max-disk, where every name of B's
# (-w cap-x-000000.pcap -C 1) is one that A's pattern (-w cap-%a-%H%M%S.pcap -G 1 -C 1)
# could produce, though A never does (its weekday is never "x"): B starts while A runs.
# Neither may delete the other's files: the packets of each add up over its own files
# and its own deletions.
D=$S2/two && mkdir "$D"
"$LINECAP" capture -i net_null0,size=64 -w "$D/cap-%a-%H%M%S.pcap" -G 1 -C 1 --max-disk 8M \
	--duration 6 -q --stats-json "$T/two-a.json" --eal "$EAL" >"$T/two-a.out" 2>"$T/two-a.err" &
apid=$!
BG_PIDS+=("$apid")
wait_for "$T/two-a.err" '^plan:' "$apid" "capture A"
sleep 1
lc 60 capture -i net_null0,size=64 -w "$D/cap-x-000000.pcap" -C 1 --max-disk 8M --duration 3 -q \
	--stats-json "$T/two-b.json" --eal "$EAL"
expect_rc 0
rc=0
wait "$apid" || rc=$?
[ "$rc" -eq 0 ] || { show "$T/two-a.err"; fail "capture A exited $rc"; }
check_invariant "$T/two-a.json"
check_invariant "$T/two-b.json"
packets_add_up "$T/two-b.json" "$D" 'cap-x-000000.pcap*'
packets_add_up "$T/two-a.json" "$D" 'cap-???-*'
[ "$(json_get "$T/two-a.json" '.retention.files_deleted')" -gt 0 ] || fail "A deleted nothing: the test proves nothing"
ok "captures A (-G 1 -C 1, cap-%a-...) and B (cap-x-000000.pcap -C 1) in one directory: each deleted only its own files"
# ... and -w cap.pcap0 then -w cap.pcap (-C 1 numbers cap.pcap, cap.pcap1, ...: never
# "0" nor a leading zero): the second run's start does not count the first's files
D=$S2/zero && mkdir "$D"
lc 60 capture -i net_null0,size=64 -w "$D/cap.pcap0" -C 1 --max-disk 8M --duration 1 -q --eal "$EAL"
expect_rc 0
(cd "$D" && sha1sum cap.pcap0* >"$T/zero.sum")
[ "$(wc -l <"$T/zero.sum")" -ge 2 ] || fail "-w cap.pcap0 left fewer than 2 files"
lc 60 capture -i net_null0,size=64 -w "$D/cap.pcap" -C 1 --max-disk 8M --duration 2 -q \
	--stats-json "$T/zero.json" --eal "$EAL"
expect_rc 0
(cd "$D" && sha1sum -c --quiet "$T/zero.sum") || fail "-w cap.pcap deleted or changed files of -w cap.pcap0"
[ "$(json_get "$T/zero.json" '.retention.files_deleted')" -gt 0 ] || fail "-w cap.pcap deleted nothing: the test proves nothing"
ok "-w cap.pcap0 then -w cap.pcap in one directory: $(wc -l <"$T/zero.sum") files of cap.pcap0 untouched"

# 6. the directory is listed once, at start (then each publication joins the list): strace
# counts the getdents64 calls on the output directory while at least 10 files are deleted
# (listing it again after every publication took two or more each time)
require_cmd strace
D=$S2/once && mkdir "$D"
LC_CMD=$(qcmd strace "$LINECAP" capture -i net_null0,size=64 -w "$D/cap.pcap" -C 1 --max-disk 8M)
LC_RC=0
ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 timeout -k 5 60 strace -f --seccomp-bpf -y -e trace=getdents64 -o "$T/once.strace" \
	"$LINECAP" capture -i net_null0,size=64 -w "$D/cap.pcap" -C 1 --max-disk 8M --duration 3 -q \
	--stats-json "$T/once.json" --eal "$EAL" >"$LC_OUT" 2>"$LC_ERR" || LC_RC=$?
expect_rc 0
check_invariant "$T/once.json"
deleted=$(json_get "$T/once.json" '.retention.files_deleted')
[ "$deleted" -ge 10 ] || fail "only $deleted files deleted: too few publications to judge"
lists=$(grep -F "<$D>" "$T/once.strace" | grep -c 'getdents64(' || true)
[ "$lists" -le 4 ] || { head -5 "$T/once.strace"; fail "$lists getdents64 calls on $D for $deleted deletions: the directory is listed again and again"; }
ok "$deleted files deleted with $lists getdents64 calls on the directory (recovery's listing and retention's one)"

# 7. bad input: one line, exit 2
for args in "--max-disk 8M" "--min-free 10" "-G 1 --max-disk 8M" "-C 1 --max-disk 1M" \
	"-C 1 --max-disk 3M" "-C 1 --max-disk 6M" "-C 1 --max-disk x" "-C 1 --max-disk 0" "-C 1 --max-disk -5M" \
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
