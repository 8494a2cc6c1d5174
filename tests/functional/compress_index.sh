#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# --index with --compress zstd (issue 14): the index of a .zst capture records each
# unit's zstd frame, and linecap query reads only the candidate frames.
#  1. The same generated many-flow input is captured through net_pcap with --index, and
#     with --index --compress zstd. Each query of an expression table (as the query
#     exactness test) on the .zst equals tcpdump EXPR on its zstdcat decoding (ns
#     stamps, bytes), and the same query on the plain capture (packet bytes, order).
#  2. A one-flow query reads few bytes of the .zst (-v), about as few as of the .pcap.
#  3. linecap index of the .zst rebuilds the same index (cmp with the live one).
#  4. A corrupt middle frame: the query warns once and returns the other packets.
#  5. kill -9 during --index --compress, then linecap repair: the index is rebuilt and
#     the query returns every packet the repaired file holds.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
# shellcheck source=compress_lib.sh
source "$(dirname "$0")/compress_lib.sh"
# shellcheck source=kill_lib.sh
source "$(dirname "$0")/kill_lib.sh"
require_cmd tcpdump
HERE=$(cd "$(dirname "$0")" && pwd)

G=$T/gen
D=$T/out
mkdir -p "$G" "$D"
python3 "$HERE/query_gen.py" "$G" 1 60000 7
IN=$G/gen-0.pcap
[ -s "$IN" ] || fail "query_gen.py made no input"
N=$("$PCAPCHECK" count "$IN")

# 1. Two captures of the same input: plain and compressed, both with --index.
for kind in plain zst; do
	if [ $kind = plain ]; then out=$D/p.pcap; extra=(); else out=$D/z.pcap.zst; extra=(--compress zstd:3); fi
	lc 180 capture -i "net_pcap0,rx_pcap=$IN" -w "$out" --index "${extra[@]}" -c "$N" \
		--duration 120 -q --stats-json "$T/$kind.json" --eal "$EAL"
	expect_rc 0
	check_invariant "$T/$kind.json"
	[ "$(json_get "$T/$kind.json" .totals.written)" -eq "$N" ] || fail "$kind: written $(json_get "$T/$kind.json" .totals.written) of $N"
	[ -s "$out.idx" ] || { show "$LC_ERR"; fail "$kind: --index left no $out.idx"; }
done
frames=$(frame_starts "$D/z.pcap.zst" | wc -l)
units=$(python3 -c "import struct,sys; print(struct.unpack('<I', open(sys.argv[1],'rb').read()[40:44])[0])" "$D/z.pcap.zst.idx")
flags=$(python3 -c "import sys; print(open(sys.argv[1],'rb').read()[34])" "$D/z.pcap.zst.idx")
((flags & 4)) || fail "the .zst's index is not flagged COMPRESSED (flags $flags)"
# Frames: the file header's own, then one per sealed block; each block with packets is a unit.
[ "$units" -eq $((frames - 1)) ] || fail "the .zst's index has $units units for $frames frames (header + one per block)"
decode "$D/z.pcap.zst" "$D/z.dec.pcap"
ok "captured $N packets twice with --index (plain, and --compress zstd: $frames frames, $units units)"

CASES=(
	"all|"
	"host|host 10.1.0.77"
	"host-port|host 10.1.19.126 and port 38163"
	"src-dst|src host 10.2.0.5 and src port 80"
	"udp53|udp and port 53"
	"ip6|ip6"
	"ip6-host|host 2001:db8::a"
	"vlan|vlan 101"
	"len|len > 200"
	"not-tcp|not tcp"
	"or|host 10.1.0.77 or host 10.1.1.3"
	"syn|tcp[13] & 2 != 0"
	"net|net 10.1.0.0/24 and port 22"
	"icmp-arp|icmp or arp"
	"none|udp port 9"
)
nonempty=0
for c in "${CASES[@]}"; do
	IFS='|' read -r name expr <<<"$c"
	# shellcheck disable=SC2086
	"$LINECAP" query -r "$D/z.pcap.zst" -w "$T/qz.pcap" $expr 2>"$T/qz.err" || { show "$T/qz.err"; fail "$name: query of the .zst failed"; }
	grep -Eq "no index|index not used" "$T/qz.err" && { show "$T/qz.err"; fail "$name: the .zst's index was not used"; }
	# shellcheck disable=SC2086
	"$LINECAP" query -r "$D/p.pcap" -w "$T/qp.pcap" $expr 2>"$T/qp.err" || { show "$T/qp.err"; fail "$name: query of the .pcap failed"; }
	# shellcheck disable=SC2086
	tcpdump --time-stamp-precision=nano -r "$D/z.dec.pcap" -w "$T/o.pcap" $expr 2>/dev/null || fail "$name: tcpdump oracle failed"
	tcpdump -r "$T/qz.pcap" -tt -nn -x --time-stamp-precision=nano >"$T/qz.txt" 2>/dev/null || fail "$name: tcpdump cannot read the query's output"
	tcpdump -r "$T/o.pcap" -tt -nn -x --time-stamp-precision=nano >"$T/o.txt" 2>/dev/null
	cmp -s "$T/qz.txt" "$T/o.txt" || { diff "$T/o.txt" "$T/qz.txt" | head -10; fail "$name: query of the .zst differs from tcpdump on its decoding"; }
	# The plain capture's stamps are its own: compare the packets (bytes, order).
	tcpdump -r "$T/qz.pcap" -t -nn -x >"$T/qz.t" 2>/dev/null
	tcpdump -r "$T/qp.pcap" -t -nn -x >"$T/qp.t" 2>/dev/null
	cmp -s "$T/qz.t" "$T/qp.t" || fail "$name: the .zst and the .pcap captures give different packets"
	n=$(grep -c '^[A-Za-z0-9]' "$T/qz.t" || true)
	[ "$n" -gt 0 ] && nonempty=$((nonempty + 1))
	echo "  $name: $n packets"
done
[ "$nonempty" -ge 10 ] || fail "only $nonempty cases matched packets: the input does not exercise the query"
ok "${#CASES[@]} expressions: the .zst query equals tcpdump on its decoding and the .pcap query"

# 2. Bytes read for a one-flow query: only the candidate frames of the .zst.
for f in p.pcap z.pcap.zst; do
	"$LINECAP" query -v -r "$D/$f" -w "$T/n.pcap" host 10.1.19.126 and port 38163 2>"$T/n-$f.err" || fail "-v query of $f failed"
	read -r vis tot rd all < <(sed -n 's/.*, \([0-9]*\) of \([0-9]*\) units, read \([0-9]*\) of \([0-9]*\) bytes.*/\1 \2 \3 \4/p' "$T/n-$f.err")
	[ -n "$all" ] || { show "$T/n-$f.err"; fail "-v did not report units and bytes for $f"; }
	[ "$vis" -lt "$tot" ] && [ "$rd" -lt "$all" ] || fail "$f: a one-flow query visited $vis of $tot units, read $rd of $all bytes"
	echo "  $f: one-flow query visited $vis of $tot units, read $rd of $all bytes"
	[ "$f" = p.pcap ] && prd=$rd
done
# Compressed frames: fewer bytes from the disk than the plain capture's candidate units.
[ "$rd" -le "$prd" ] || fail "the .zst query read $rd bytes, more than the .pcap's $prd"
ok "a one-flow query reads only candidate units of the .pcap ($prd bytes) and candidate frames of the .zst ($rd bytes)"

# 3. linecap index of the .zst rebuilds the index the capture wrote.
mv "$D/z.pcap.zst.idx" "$T/live.idx"
"$LINECAP" index "$D/z.pcap.zst" >"$T/ix.out" 2>&1 || { show "$T/ix.out"; fail "linecap index of the .zst failed"; }
cmp "$T/live.idx" "$D/z.pcap.zst.idx" || fail "linecap index of the .zst differs from the index --index wrote"
ok "linecap index of the .zst rebuilds the same index ($(stat -c %s "$T/live.idx") bytes)"

# 4. A corrupt middle frame: skipped with one warning, the rest returned.
cp "$D/z.pcap.zst" "$T/bad.pcap.zst"
cp "$D/z.pcap.zst.idx" "$T/bad.pcap.zst.idx"
read -r zoff zlen lost < <(python3 - "$T/bad.pcap.zst.idx" <<'PY'
import struct, sys
d = open(sys.argv[1], "rb").read()
n, esz = struct.unpack("<II", d[40:48])
e = 64 + (n // 2) * esz
pk, = struct.unpack("<I", d[e + 32:e + 36])
zo, zl = struct.unpack("<QQ", d[e + 40:e + 56])
print(zo, zl, pk)
PY
)
printf '\xde\xad\xbe\xef\xde\xad\xbe\xef' | dd of="$T/bad.pcap.zst" bs=1 seek=$((zoff + zlen / 2)) conv=notrunc status=none
zstd -q -t "$T/bad.pcap.zst" 2>/dev/null && fail "the corrupted file still checks"
"$LINECAP" query -r "$T/bad.pcap.zst" -w "$T/qb.pcap" 2>"$T/qb.err" || { show "$T/qb.err"; fail "query of the corrupted .zst failed"; }
[ "$(grep -c "zstd frame at offset $zoff does not decode" "$T/qb.err")" -eq 1 ] || { show "$T/qb.err"; fail "no one-line warning about the frame at $zoff"; }
got=$("$PCAPCHECK" count "$T/qb.pcap")
[ "$got" -eq $((N - lost)) ] || fail "the corrupted .zst gave $got packets, expected $N - $lost"
ok "a corrupt middle frame (at $zoff): one warning, the other $got packets returned"

# 5. kill -9 during --index --compress, then repair: the index is rebuilt and used.
K=$T/kill
mkdir "$K"
KN=2000000
gen_seq "$T/seq.pcap" "$KN"
"$LINECAP" capture -i "net_pcap0,rx_pcap=$T/seq.pcap" -w "$K/cap.pcap.zst" --index --compress zstd:1 \
	-c "$KN" -q --eal "$EAL" >/dev/null 2>"$K/err" &
pid=$!
BG_PIDS+=("$pid")
watch_and_kill "$pid" "$K/last" || { show "$K/err"; fail "no telemetry reading before the kill"; }
wait "$pid" 2>/dev/null || true
BG_PIDS=()
out=$("$LINECAP" repair "$K/cap.pcap.zst" 2>&1) || fail "linecap repair: $out"
printf '%s\n' "$out" | sed 's/^/  /'
[ -s "$K/cap.pcap.zst.idx" ] || fail "repair left no index of the killed capture"
[ ! -e "$K/cap.pcap.zst.idx.part" ] || fail "repair left the index part"
decode "$K/cap.pcap.zst" "$K/dec.pcap"
want=$("$PCAPCHECK" count "$K/dec.pcap")
"$LINECAP" query -v -r "$K/cap.pcap.zst" -w "$K/q.pcap" 2>"$K/q.err" || { show "$K/q.err"; fail "query after repair failed"; }
grep -q "1 indexed" "$K/q.err" || { show "$K/q.err"; fail "the query after repair did not use the rebuilt index"; }
got=$("$PCAPCHECK" count "$K/q.pcap")
[ "$got" -eq "$want" ] && [ "$want" -gt 0 ] || fail "after kill -9 + repair the query gave $got packets, the file holds $want"
ok "kill -9 + repair with --index --compress: index rebuilt, the query returns all $want packets"
