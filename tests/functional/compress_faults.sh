#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# --compress zstd under faults. The source is net_pcap reading N numbered 64-byte
# frames (frame i carries i), so every packet read back says which one it is.
#  - kill -9 at a random moment (COMPRESS_KILL_TRIALS, default 4; with and without
#    -C), right after reading `written` through telemetry: `linecap repair` cuts each
#    unfinished file back to its last whole frame; then every file passes zstd -t and
#    together they hold frames 0..k-1 in order, k >= written (a packet counts as
#    written only when the last byte of its frame is on the medium). The next run in
#    the same directory recovers a killed run's file as linecap-recovered-*.pcap.zst.
#  - a corrupt frame in the middle: zstd's checksum (or its decoder) catches it;
#    linecap query skips that frame with one warning and returns every other packet;
#    replay refuses the file; repair keeps the frames before it.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
# shellcheck source=compress_lib.sh
source "$(dirname "$0")/compress_lib.sh"
# shellcheck source=kill_lib.sh
source "$(dirname "$0")/kill_lib.sh"

TRIALS=${COMPRESS_KILL_TRIALS:-4}
N=2000000
IN=$T/seq.pcap
gen_seq "$IN" "$N"

cut=0
for ((i = 1; i <= TRIALS; i++)); do
	d=$T/k$i
	mkdir "$d"
	if ((i % 2)); then args=(-w "$d/one.pcap.zst"); else args=(-w "$d/cap.pcap.zst" -C 2); fi
	"$LINECAP" capture -i "net_pcap0,rx_pcap=$IN" "${args[@]}" --compress zstd:1 -c "$N" -q \
		--eal "$EAL" >/dev/null 2>"$d/err" &
	pid=$!
	BG_PIDS+=("$pid")
	watch_and_kill "$pid" "$d/last" || { show "$d/err"; fail "trial $i: no telemetry reading before the kill"; }
	wait "$pid" 2>/dev/null || true
	BG_PIDS=()
	read -r received written <"$d/last"
	decs=()
	shopt -s nullglob
	for f in "$d"/cap.pcap.zst* "$d"/.linecap-*.part "$d"/one.pcap.zst; do
		[ -s "$f" ] || continue
		case $f in
		*.part | */one.pcap.zst)
			out=$("$LINECAP" repair "$f" 2>&1) || fail "trial $i: linecap repair $f: $out"
			case $out in *"nothing to repair"*) ;; *) cut=$((cut + 1)) ;; esac
			;;
		esac
		decode "$f" "$f.dec"
		decs+=("$f.dec")
	done
	shopt -u nullglob
	[ "${#decs[@]}" -gt 0 ] || fail "trial $i: no file"
	line=$(seq_check "$written" 1 "${decs[@]}" 2>&1) ||
		fail "trial $i (${args[*]##*/}): $line (before the kill: received $received, written $written)"
	echo "  trial $i (${args[*]##*/}): before the kill received $received, written $written; after repair: $line"
	rm -rf "$d"
done
ok "kill -9 x$TRIALS: after repair every file is whole zstd frames holding frames 0..k-1 in order, k >= written ($cut files needed a cut)"

# The next run in the directory recovers a killed run's compressed file.
d=$T/next && mkdir "$d"
kill_at_part "$d" 8k -i "net_pcap0,rx_pcap=$IN" -w "$d/cap.pcap.zst" -C 2 --compress zstd:1
pid=$KILLED_PID
BG_PIDS=()
[ "$(find "$d" -name ".linecap-$pid-*.part" -size +0 | wc -l)" -gt 0 ] || fail "the killed run left no file to recover"
lc 60 capture -i "net_pcap0,rx_pcap=$IN" -w "$d/new.pcap.zst" -C 2 --compress zstd:1 -c 1000 -q --eal "$EAL"
expect_rc 0
grep -q "recovered .*linecap-recovered-$pid-[0-9]*-[0-9]*\\.pcap\\.zst" "$LC_ERR" || { show "$LC_ERR"; fail "the next run did not recover the killed run's file as .pcap.zst"; }
for f in "$d"/linecap-recovered-"$pid"-*; do
	zstd -q -t "$f" || fail "recovered $f does not check"
done
ok "the next run repaired and published the killed run's file as linecap-recovered-*.pcap.zst"

# A corrupt frame in the middle.
C=$T/c.pcap.zst
M=200000
lc 120 capture -i "net_pcap0,rx_pcap=$IN" -w "$C" --compress zstd:1 -c "$M" --duration 60 -q --eal "$EAL"
expect_rc 0
mapfile -t starts < <(frame_starts "$C")
[ "${#starts[@]}" -ge 5 ] || fail "only ${#starts[@]} frames in $C"
k=$((${#starts[@]} / 2))
a=${starts[$k]} b=${starts[$((k + 1))]}
dd if="$C" of="$T/frame.zst" bs=1 skip="$a" count=$((b - a)) status=none
lost=$(($(zstdcat "$T/frame.zst" | wc -c) / 80))
[ "$lost" -gt 0 ] || fail "frame $k holds no record"
cp "$C" "$T/orig.zst"
python3 - "$C" $(((a + b) / 2)) <<'PY'
import sys
path, at = sys.argv[1], int(sys.argv[2])
with open(path, "r+b") as f:
    f.seek(at)
    x = f.read(1)
    f.seek(at)
    f.write(bytes([x[0] ^ 0xFF]))
PY
if zstd -q -t "$C" 2>/dev/null; then fail "zstd -t did not notice the flipped byte"; fi
lc 60 query -r "$C" -w "$T/q.pcap"
expect_rc 0
[ "$(grep -c . "$LC_ERR")" -eq 1 ] && grep -q "skipped 1 zstd frame(s) that do not decode, the first at offset $a " "$LC_ERR" ||
	{ show "$LC_ERR"; fail "query: not one warning naming the frame at offset $a"; }
got=$("$PCAPCHECK" count "$T/q.pcap")
[ "$got" -eq $((M - lost)) ] || fail "query returned $got packets, expected $M - $lost (the frame's)"
runs=$(python3 - "$T/q.pcap" "$M" <<'PY'
import struct, sys
d = open(sys.argv[1], "rb").read()
off, nums = 24, []
while off < len(d):
    _, _, cap, _ = struct.unpack("<IIII", d[off:off + 16])
    nums.append(struct.unpack(">I", d[off + 30:off + 34])[0])
    off += 16 + cap
gaps = [(a, b) for a, b in zip(nums, nums[1:]) if b != a + 1]
if nums[0] != 0 or nums[-1] != int(sys.argv[2]) - 1 or len(gaps) != 1:
    sys.exit(f"frames {nums[0]}..{nums[-1]} with gaps {gaps[:3]}")
print(f"{gaps[0][0] + 1}..{gaps[0][1] - 1}")
PY
) || fail "query output: $runs"
lc 60 replay --check -r "$C"
[ "$LC_RC" -eq 9 ] && grep -q "offset $a: a zstd frame that does not decode" "$LC_ERR" ||
	{ show "$LC_ERR"; fail "replay --check of a corrupt .zst: exit $LC_RC, expected 9 naming offset $a"; }
lc 60 repair "$C"
expect_rc 0
zstd -q -t "$C" || fail "repair left a file that does not check"
[ "$(stat -c %s "$C")" -eq "$a" ] || fail "repair cut to $(stat -c %s "$C"), expected the frame's start $a"
decode "$C" "$T/rep.pcap"
line=$(seq_check 0 1 "$T/rep.pcap" 2>&1) || fail "after repair: $line"
[ "$line" = "${runs%%..*} frames, 0..$((${runs%%..*} - 1))" ] || fail "after repair: $line, expected the frames before $runs"
ok "corrupt frame $k of ${#starts[@]}: zstd -t fails; query warns once and returns all but its $lost packets (missing $runs); replay refuses it; repair cuts at offset $a"

passed_line
