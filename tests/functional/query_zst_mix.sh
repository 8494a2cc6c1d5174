#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# linecap query over a directory that mixes .pcap and .zst files, with and without
# their index (issue 14): the answer is tcpdump's on the uncompressed input, for an
# expression table. The one input (query_gen.py, many flows) is cut into 7 runs of
# records in time order, one file each:
#   a1.pcap        plain, indexed (linecap index)
#   a2.pcap.zst    frames of whole records as --compress writes them (header frame,
#                  then ~256 KiB of records a frame), indexed: candidate frames only
#   a3.pcap.zst    the same kind, no index: its frames read one after another
#   a4.pcap.zst    frames cut every 100,000 bytes, across records: read on as the
#                  decoded stream from the first record that crosses
#   a5.pcap.zst    `zstd -c < FILE`: no decoded size in its frame header: the stream
#   a6.pcap.zst    `zstd -c FILE`: one frame of header and records, no index
#   a7.pcap        plain, no index
# Then a corrupt frame in a3 (no index): one warning naming it, its records missing,
# the other files' answer unchanged.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
require_cmd tcpdump zstd python3
HERE=$(cd "$(dirname "$0")" && pwd)

G=$T/gen
D=$T/mix
mkdir -p "$G" "$D"
python3 "$HERE/query_gen.py" "$G" 1 70000 23 --ns
IN=$G/gen-0.pcap
[ -s "$IN" ] || fail "query_gen.py made no input"

# Cut the input into 7 files of whole records (a file header each) and compress them.
python3 - "$IN" "$D" "$T" <<'PY'
import os, struct, subprocess, sys
src, d, t = sys.argv[1:4]
data = open(src, "rb").read()
hdr, off, recs = data[:24], 24, []
while off < len(data):
    cap = struct.unpack("<I", data[off + 8:off + 12])[0]
    recs.append(data[off:off + 16 + cap])
    off += 16 + cap
k = len(recs) // 7
parts = [recs[i * k:(i + 1) * k] if i < 6 else recs[6 * k:] for i in range(7)]

def zstd(b, *args):
    return subprocess.run(["zstd", "-q", "-c", *args], input=b, stdout=subprocess.PIPE,
                          check=True).stdout

def zstd_file(b):  # from a file: the frame header holds the decoded size
    p = os.path.join(t, "part.tmp")
    open(p, "wb").write(b)
    return subprocess.run(["zstd", "-q", "-c", p], stdout=subprocess.PIPE, check=True).stdout

def frames_of_records(rs, size, table=None):
    out, cur, n = [zstd_file(hdr)], b"", 0
    for i, r in enumerate(rs):
        cur += r
        n += 1
        if len(cur) >= size or i == len(rs) - 1:
            if table is not None:  # "offset records" of each frame of records
                table.append("%d %d" % (sum(len(x) for x in out), n))
            out.append(zstd_file(cur))
            cur, n = b"", 0
    return b"".join(out)

def write(name, b):
    open(os.path.join(d, name), "wb").write(b)

blobs = [hdr + b"".join(p) for p in parts]
write("a1.pcap", blobs[0])
write("a2.pcap.zst", frames_of_records(parts[1], 256 << 10))
table = []
write("a3.pcap.zst", frames_of_records(parts[2], 256 << 10, table))
open(os.path.join(t, "a3.frames"), "w").write("\n".join(table) + "\n")
b = blobs[3]
write("a4.pcap.zst", b"".join(zstd_file(b[i:i + 100000]) for i in range(0, len(b), 100000)))
write("a5.pcap.zst", zstd(blobs[4]))
write("a6.pcap.zst", zstd_file(blobs[5]))
write("a7.pcap", blobs[6])
# Outside the mix: a2's records in frames of 1 MiB (linecap's before issue 14's change).
open(os.path.join(t, "big.pcap.zst"), "wb").write(frames_of_records(parts[1], 1 << 20))
os.unlink(os.path.join(t, "part.tmp"))
PY
for f in a1.pcap a2.pcap.zst; do
	"$LINECAP" index "$D/$f" >"$T/ix.out" 2>&1 || { show "$T/ix.out"; fail "linecap index $f failed"; }
	[ -s "$D/$f.idx" ] || fail "linecap index left no $f.idx"
done
for f in "$D"/*.zst; do zstd -q -t "$f" || fail "$f does not check"; done
ok "7 files of one input: 2 plain (1 indexed), 5 .zst (1 indexed; frames of records, frames across records, streamed, one frame)"

txt() { tcpdump -r "$1" -tt -nn -x --time-stamp-precision=nano 2>/dev/null; }
CASES=(
	"all|"
	"udp|udp"
	"tcp|tcp"
	"host|host 10.1.0.77"
	"ip6|ip6"
	"vlan|vlan 101"
	"len|len > 200"
	"none|udp port 9"
)
# A flow of the input: the 5000th packet's source host and port (IPv4 TCP/UDP).
flow=$(tcpdump -r "$IN" -nn 'ip and (tcp or udp) and not vlan' 2>/dev/null | sed -n '5000p' |
	sed -n 's/.* IP \([0-9.]*\)\.\([0-9]*\) > .*/host \1 and port \2/p')
[ -n "$flow" ] || fail "no IPv4 flow in the input"
CASES+=("flow|$flow")
nonempty=0
for c in "${CASES[@]}"; do
	IFS='|' read -r name expr <<<"$c"
	# shellcheck disable=SC2086
	"$LINECAP" query -v -r "$D" -w "$T/q.pcap" $expr 2>"$T/q.err" || { show "$T/q.err"; fail "$name: query of the directory failed"; }
	grep -v ": query: [0-9]* files (" "$T/q.err" | grep -q "skipped\|does not decode" && { show "$T/q.err"; fail "$name: the query skipped something"; }
	grep -q "2 indexed" "$T/q.err" || { show "$T/q.err"; fail "$name: -v does not say the 2 indexes were used"; }
	# shellcheck disable=SC2086
	tcpdump --time-stamp-precision=nano -r "$IN" -w "$T/o.pcap" $expr 2>/dev/null || fail "$name: tcpdump oracle failed"
	txt "$T/q.pcap" >"$T/q.txt"
	txt "$T/o.pcap" >"$T/o.txt"
	cmp -s "$T/q.txt" "$T/o.txt" || { diff "$T/o.txt" "$T/q.txt" | head -10; fail "$name: the query of the mix differs from tcpdump on the input"; }
	n=$(grep -c '^[0-9]' "$T/q.txt" || true)
	echo "  $name ($expr): $n packets"
	((n == 0)) || nonempty=$((nonempty + 1))
done
((nonempty >= 7)) || fail "only $nonempty cases matched packets: the input does not exercise the query"
ok "${#CASES[@]} expressions over the mix (indexed and not, 4 ways of .zst frames) equal tcpdump on the input"

# The Bloom size of a .zst's index follows its largest frame: 4096 bytes for frames of
# 256 KiB (as --compress writes them), 16384 for frames of 1 MiB; the query of the
# larger frames still equals tcpdump on their decoding.
bloom_of() { od -An -tu4 -j36 -N4 "$1" | tr -d ' '; }
"$LINECAP" index -q "$T/big.pcap.zst" || fail "linecap index of 1 MiB frames failed"
[ "$(bloom_of "$D/a2.pcap.zst.idx")" = 4096 ] || fail "a2's index (256 KiB frames): Bloom $(bloom_of "$D/a2.pcap.zst.idx") bytes, not 4096"
[ "$(bloom_of "$T/big.pcap.zst.idx")" = 16384 ] || fail "the index of 1 MiB frames: Bloom $(bloom_of "$T/big.pcap.zst.idx") bytes, not 16384"
# shellcheck disable=SC2086
"$LINECAP" query -v -r "$T/big.pcap.zst" -w "$T/qb.pcap" $flow 2>"$T/qb.err" || { show "$T/qb.err"; fail "the query of 1 MiB frames failed"; }
grep -q "1 indexed" "$T/qb.err" || { show "$T/qb.err"; fail "the query of 1 MiB frames did not use its index"; }
# shellcheck disable=SC2086
zstdcat "$T/big.pcap.zst" | tcpdump --time-stamp-precision=nano -r - -w "$T/ob.pcap" $flow 2>/dev/null || fail "tcpdump oracle of big failed"
cmp -s <(txt "$T/qb.pcap") <(txt "$T/ob.pcap") || fail "the query of 1 MiB frames differs from tcpdump on their decoding"
ok "a .zst's Bloom follows its frames: 4096 bytes for 256 KiB, 16384 for 1 MiB ($(grep -c '^[0-9]' < <(txt "$T/qb.pcap")) packets of the flow, as tcpdump)"

# A corrupt frame of the unindexed a3: one warning naming it; the rest as before.
mapfile -t frames <"$T/a3.frames"
[ "${#frames[@]}" -ge 3 ] || fail "a3 has only ${#frames[@]} frames of records"
read -r zoff lost <<<"${frames[1]}"
read -r znext _ <<<"${frames[2]}"
python3 - "$D/a3.pcap.zst" $(((zoff + znext) / 2)) <<'PY'
import sys
with open(sys.argv[1], "r+b") as f:
    f.seek(int(sys.argv[2]))
    x = f.read(1)
    f.seek(int(sys.argv[2]))
    f.write(bytes([x[0] ^ 0xFF]))
PY
[ -n "$lost" ] && [ "$lost" -gt 0 ] || fail "no frame of records to corrupt in a3"
zstd -q -t "$D/a3.pcap.zst" 2>/dev/null && fail "zstd -t did not notice the flipped byte"
"$LINECAP" query -r "$D" -w "$T/qc.pcap" 2>"$T/qc.err" || { show "$T/qc.err"; fail "query of the mix with a corrupt frame failed"; }
[ "$(grep -c "skipped\|does not decode" "$T/qc.err")" -eq 1 ] && grep -q "a3.pcap.zst: skipped 1 zstd frame(s) that do not decode, the first at offset $zoff " "$T/qc.err" ||
	{ show "$T/qc.err"; fail "not one warning naming a3's frame at offset $zoff"; }
all=$(grep -c '^[0-9]' < <(txt "$IN"))
got=$(grep -c '^[0-9]' < <(txt "$T/qc.pcap"))
[ "$got" -eq $((all - lost)) ] || fail "the mix with a corrupt frame gave $got packets, expected $all - $lost"
ok "a corrupt frame of the unindexed a3 (offset $zoff): one warning, all but its $lost packets"

passed_line
